/* SPDX-License-Identifier: ISC */
/*
 * console_int: what the console's files share (console.c: sign-in, sessions, the
 * group's records, the network, dispatch; console_center.c: pages built on what
 * `hiroba` computes, the center's matches and report, meetings; console_import.c: CSV
 * in and out). Not an interface of the daemon: only console*.c include it. Every page
 * is built on the one thread libmicrohttpd answers on (console.h), so none of this
 * needs a lock but console.child, which the main loop reads to stop a run.
 */
#ifndef HIROBA_CONSOLE_INT_H
#define HIROBA_CONSOLE_INT_H

#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "hirobad.h"
#include "vocab.h"
#include "wire.pb-c.h"

#define JST			(9 * 3600)	/* Asia/Tokyo, no DST since 1951 */
/*
 * Cookie names carry the console's port: browsers do not keep cookies apart by port,
 * so two consoles on one machine (a center testing a group's, say) would otherwise
 * sign each other out. It also means every other web service on this host receives
 * them: one more reason the console stays on loopback of a machine the group owns.
 */
#define COOKIE			"hb_console_"	/* + port: the session */
#define COOKIE_PRE		"hb_signin_"	/* + port: the sign-in form's CSRF token */
#define SESSIONS_MAX		64
#define THROTTLE_SLOTS		128
#define THROTTLE_MAX_DELAY	900	/* seconds: the longest wait after failures */
#define BODY_MAX		(64 * 1024)	/* a form's body */
#define UPLOAD_MAX		(2 * 1024 * 1024)	/* a spreadsheet's, to /import */
#define PARAMS_MAX		64
#define NAME_MAX_LEN		64
#define CTL_WAIT_MS		15000	/* the main loop answers within this */
#define EVENTS_SHOWN		500

struct session {
	bool		 used;
	uint8_t		 id[32];
	char		 csrf[65];		/* hex of 32 random bytes */
	char		 user[NAME_MAX_LEN + 1];
	bool		 link;			/* signed in by a one-time link */
	int64_t		 created, seen;
	char		 import[33];		/* the previewed upload's token, or "" */
};

/* Failed sign-ins of one user name or one address: each doubles the wait. */
struct throttle {
	char		 key[NAME_MAX_LEN + 8];	/* "u:NAME" or "a:ADDRESS" */
	unsigned	 fails;
	int64_t		 until;
	int64_t		 last;
};

struct console {
	struct MHD_Daemon *mhd;
	const struct conf *conf;
	void		*zctx;
	char		*ctl_ep;		/* ipc:// of the control socket */
	uint8_t		 self[HB_KEY_LEN];
	char		*users_path, *links_path, *url_path;
	char		 port[8];
	char		 cookie[32], cookie_pre[32];	/* COOKIE, COOKIE_PRE + port */
	bool		 remote;		/* listening beyond loopback */
	struct session	 sessions[SESSIONS_MAX];
	struct throttle	 throttle[THROTTLE_SLOTS];
	char		 dummy_hash[crypto_pwhash_STRBYTES];	/* for unknown names */
	char		*webdir;		/* Leaflet is its static/leaflet/ */
	const char	*tiles, *attribution;	/* [http]'s, or OpenStreetMap's */
	char		*map_csp;		/* the CSP of a page with the map */
	char		*cli;			/* the `hiroba` program (cs_cli_find) */
	pthread_mutex_t	 child_lock;		/* guards child: */
	pid_t		 child;			/* a `hiroba` running for a page, or 0 */
	char		*conf_path;		/* hirobad.conf, absolute: for `hiroba -c` */
};

/* One request's state, kept by MHD between the calls that bring its body. */
struct req {
	char		*body;
	size_t		 len, max;	/* max: BODY_MAX, or UPLOAD_MAX (see answer) */
	bool		 too_big;
	/* parsed form */
	char		*k[PARAMS_MAX], *v[PARAMS_MAX];
	size_t		 n;
	/* a multipart form's file (in body), or NULL */
	const char	*file;
	size_t		 file_len;
};

/* What one answer needs to know. */
struct ans {
	struct console	*c;
	struct MHD_Connection *conn;
	struct req	*r;
	struct session	*s;
	bool		 ja;
	const char	*lq;		/* "" or "?lang=en" */
	const char	*la;		/* "" or "&lang=en" */
	const char	*url;
	char		 addr[INET6_ADDRSTRLEN];
	bool		 map;		/* the page carries the Leaflet map (map_csp) */
};

#define T(a, ja_, en_)	((a)->ja ? (ja_) : (en_))

/* ---- a growing string ---- */

struct sbuf {
	char	*s;
	size_t	 len, cap;
	bool	 oom;
};

/* ---- console.c, for the other pages ---- */

void	 cs_sb_add(struct sbuf *b, const char *s, size_t n);
void	 cs_sb_puts(struct sbuf *b, const char *s);
void	 cs_sb_printf(struct sbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Text from anyone (records, typed values) into HTML text or a quoted attribute. */
void	 cs_sb_esc(struct sbuf *b, const char *s);
void	 cs_err_p(struct sbuf *b, const char *id, const char *what, const char *msg);
void	 cs_field_err(struct sbuf *b, const char *key, const char *what, const char *msg);
void	 cs_form_text(struct sbuf *b, const char *key, const char *label, const char *err,
	    const char *attrs, const char *value);
void	 cs_form_select(struct sbuf *b, bool ja, const char *key,
	    const struct vocab *values, const struct vocab *sel);
const char *cs_hb_str(const char *s);
int64_t	 cs_now_s(void);
int	 cs_parse_local(const char *s, int64_t *t, bool *date_only, int64_t *ymd);
void	 cs_fmt_local(char *buf, size_t len, int64_t t, bool with_time);
void	 cs_short_ref(const uint8_t author[HB_KEY_LEN], const char *id, char out[7]);
int	 cs_ctl_call(struct console *c, const Hiroba__Wire__CtlRequest *req,
	    Hiroba__Wire__CtlResponse **resp);
json_t	*cs_env_json(const ProtobufCBinaryData *env);
json_t	*cs_record_get(struct console *c, const uint8_t author[HB_KEY_LEN],
	    const char *id);
int	 cs_publish_record(struct console *c, const struct hb_record *d, const char *who,
	    char *err, size_t errlen);
int	 cs_publish(struct console *c, json_t *draft, const char *who, char *err,
	    size_t errlen);
enum MHD_Result cs_reply(struct ans *a, unsigned status, struct MHD_Response *r,
	    const char *ctype);
enum MHD_Result cs_reply_text(struct ans *a, unsigned status, const char *text);
enum MHD_Result cs_reply_html(struct ans *a, unsigned status, struct sbuf *b,
	    const char *cookie);
enum MHD_Result cs_redirect(struct ans *a, const char *to, const char *cookie);
void	 cs_page_begin(struct ans *a, struct sbuf *b, const char *title);
void	 cs_page_end(struct sbuf *b);
const char *cs_param(struct ans *a, const char *k);
bool	 cs_is_center(const struct console *c);
enum MHD_Result cs_ctl_page_reply(struct ans *a, struct sbuf *b,
	    Hiroba__Wire__CtlResponse *resp, unsigned status);

/* ---- console_center.c ---- */

/* Find the `hiroba` program beside hirobad (at start; c->cli stays NULL if none). */
void	 cs_cli_find(struct console *c);
/* From the main loop, before a stop: end a `hiroba` a page waits for (it would wait
 * for the main loop's answers, and the stop for it). */
void	 cs_cli_cancel(struct console *c);
/* Run `hiroba -c hirobad.conf ARGS...` and take what it prints (console_center.c). */
int	 cs_cli_run(struct console *c, const char *const *args, char **out,
	    size_t *outlen, char **errtext, char *err, size_t errlen);
/* The center's pages (/matches, /report, /report.csv) and the meeting pages every
 * group has (/meetings/call, /meetings/show). */
enum MHD_Result cs_matches(struct ans *a, bool post);
enum MHD_Result cs_report(struct ans *a, bool csv);
enum MHD_Result cs_meeting_call(struct ans *a, bool post);
/* The network: every group's events ahead, every group's map entries on a map. */
enum MHD_Result cs_calendar(struct ans *a);
enum MHD_Result cs_support_map(struct ans *a);

/* ---- console_import.c ---- */

/* A multipart/form-data body (boundary from ctype) into r's fields and file, in place. */
void	 cs_multipart_parse(struct req *r, const char *ctype);
/* /import: upload a CSV, see every row as `hiroba import csv --dry-run` does, publish. */
enum MHD_Result cs_import(struct ans *a, bool post);
/* Forget a session's upload (its file too): at sign-out, expiry, start. */
void	 cs_import_forget(struct console *c, struct session *s);
void	 cs_import_sweep(struct console *c);
/* /export: this group's records as `hiroba export csv|ics|geojson` writes them. */
enum MHD_Result cs_export(struct ans *a);
enum MHD_Result cs_meeting_show(struct ans *a, bool post);

#endif
