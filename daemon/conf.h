/* SPDX-License-Identifier: ISC */
/*
 * conf: hirobad.conf, an INI file (see deploy/man/hirobad.conf.5.scd and the examples in
 * deploy/). Unknown keys and bad values are errors that name the file and line.
 */
#ifndef HIROBA_CONF_H
#define HIROBA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define CONF_MAX_LISTEN	8
#define CONF_MAX_PEERS	64
/* The smallest max_message a daemon may set (PROTOCOL.md 11.1): every batch and push
 * can then carry at least one envelope (HB_ENV_MAX) within half of it. */
#define HB_MSG_MIN	(256 * 1024)
#define HB_PUSH_MAX	(HB_MSG_MIN / 2)	/* bytes of envelopes in one Push */

struct conf_peer {
	char		*name;
	char		*endpoint;
	uint8_t		 key[HB_KEY_LEN];
};

/* [http]: the read-only web page (http.c); off while listen is NULL */
struct conf_http {
	char		*listen;		/* "127.0.0.1:8080", "[::1]:8080" */
	char		*tiles;			/* map tile URL template, {z}/{x}/{y} */
	char		*attribution;		/* shown under the map */
	char		*title;			/* the page's title; default: [node] name */
	char		*static_dir;		/* the page's files; default HIROBA_WEBDIR */
	unsigned	 connections;		/* at most this many at once */
	unsigned	 timeout;		/* seconds of silence before a close */
};

/* [console]: the coordinators' signed-in web console (console.c); off without the
 * section. A non-loopback listen needs allow_remote = CONSOLE_ALLOW_REMOTE. */
#define CONSOLE_ALLOW_REMOTE	"yes-i-accept-the-risk"
struct conf_console {
	bool		 on;			/* the section is present */
	char		*listen;		/* default 127.0.0.1:7380 */
	bool		 allow_remote;
	char		*hosts;			/* more Host names it answers to, "a:1,b" */
	unsigned	 session_idle;		/* seconds */
	unsigned	 session_max;		/* seconds */
};

struct conf {
	char		*file;
	char		*name;			/* the group's display name */
	char		*data;			/* data directory, absolute or relative to cwd */
	char		*key;			/* secret key file */
	uint8_t		 center[HB_KEY_LEN];
	char		*listen[CONF_MAX_LISTEN];
	size_t		 nlisten;
	struct conf_peer peers[CONF_MAX_PEERS];
	size_t		 npeers;
	/* [node] */
	unsigned	 sync_interval;		/* seconds */
	int		 verbose;		/* log = debug: 1; info: 0 */
	int		 verbose_opt;		/* hirobad -v: debug whatever log says */
	/* [limits] */
	size_t		 max_message;		/* ZMQ_MAXMSGSIZE, bytes */
	unsigned	 max_batch;		/* records per sync batch */
	unsigned	 recon_leaf, recon_split;	/* answering ranges (recon.h) */
	unsigned	 sync_window;		/* batches asked for in one answer */
	unsigned	 rate;			/* messages per second per peer */
	unsigned	 hwm;			/* ZeroMQ high-water mark, messages */
	unsigned	 handshake_ms;		/* ZMQ_HANDSHAKE_IVL */
	unsigned	 ban_seconds;		/* how long a misbehaving peer is ignored */
	unsigned	 verify_threads;	/* 0 = all CPUs */
	size_t		 mapsize;		/* initial LMDB map, bytes */
	size_t		 mapsize_max;		/* 0 = unlimited */
	unsigned	 member_records;	/* quota per member: current records */
	size_t		 member_bytes;		/* quota per member: envelope bytes */
	struct conf_http http;
	struct conf_console console;
};

/*
 * Parse path. On success *out is the caller's (conf_free). On failure returns -1 and
 * writes "file:line: what is wrong" (or "file: ...") into err; *out stays NULL.
 */
int	 conf_load(const char *path, struct conf **out, char *err, size_t errlen);
void	 conf_free(struct conf **c);

#endif
