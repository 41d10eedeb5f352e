/* SPDX-License-Identifier: ISC */
/*
 * conf: the INI parser for hirobad.conf. Sections [node], [limits], [http], [console], one
 * [peer NAME] per peer; every key is known, every value checked, every error names its
 * line.
 */
#define _GNU_SOURCE	/* asprintf */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "conf.h"
#include "recon.h"

#ifndef HIROBA_WEBDIR
#define HIROBA_WEBDIR	"/usr/local/share/hiroba/web"
#endif

enum section { SEC_NONE, SEC_NODE, SEC_PEER, SEC_LIMITS, SEC_HTTP, SEC_CONSOLE };

struct parser {
	struct conf	*c;
	const char	*file;
	unsigned	 line;
	enum section	 sec;
	char		*err;
	size_t		 errlen;
	int		 have_center;
};

static int	perr(struct parser *p, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int
parse_uint(struct parser *p, const char *key, const char *v, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
	char			*end;
	unsigned long long	 n, mul = 1;

	if (!isdigit((unsigned char)*v))
		return perr(p, "%s: expected a number, got \"%s\"", key, v);
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'G')
		mul = 1024ULL * 1024 * 1024, end++;
	if (errno != 0 || *end != '\0')
		return perr(p, "%s: expected a number, got \"%s\"", key, v);
	if (n > ULLONG_MAX / mul || n * mul < min || n * mul > max)
		return perr(p, "%s: %s is out of range (%llu to %llu)", key, v, min, max);
	*out = n * mul;
	return 0;
}

static int
parse_endpoint(struct parser *p, const char *key, const char *v)
{
	const char *colon;

	if (strncmp(v, "tcp://", 6) != 0)
		return perr(p, "%s: \"%s\" is not a tcp:// endpoint", key, v);
	colon = strrchr(v + 6, ':');
	if (colon == NULL || colon == v + 6 || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return perr(p, "%s: \"%s\" needs a host and a port, e.g. tcp://127.0.0.1:7310",
		    key, v);
	return 0;
}

static int
set_str(struct parser *p, char **dst, const char *key, const char *v)
{
	if (*v == '\0')
		return perr(p, "%s: empty value", key);
	if (!proto_utf8_valid(v, strlen(v)))
		return perr(p, "%s: not valid UTF-8", key);
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return perr(p, "out of memory");
	return 0;
}

/* Would binding both endpoints (tcp://HOST:PORT) clash: the same port on the same host,
 * or on a wildcard (0.0.0.0, *, [::]) and any host? */
static bool
listen_clash(const char *a, const char *b)
{
	const char	*pa = strrchr(a, ':'), *pb = strrchr(b, ':');
	size_t		 ha, hb;

	if (pa == NULL || pb == NULL || strcmp(pa, pb) != 0 ||
	    strncmp(a, "tcp://", 6) != 0 || strncmp(b, "tcp://", 6) != 0)
		return strcmp(a, b) == 0;
	ha = (size_t)(pa - a) - 6;
	hb = (size_t)(pb - b) - 6;
#define WILD(h, l)	(((l) == 7 && strncmp(h, "0.0.0.0", 7) == 0) || \
			 ((l) == 1 && (h)[0] == '*') || ((l) == 4 && strncmp(h, "[::]", 4) == 0))
	if (WILD(a + 6, ha) || WILD(b + 6, hb))
		return true;
#undef WILD
	return ha == hb && strncmp(a + 6, b + 6, ha) == 0;
}

static int
set_node(struct parser *p, const char *k, const char *v)
{
	struct conf		*c = p->c;
	unsigned long long	 n;

	if (strcmp(k, "name") == 0)
		return set_str(p, &c->name, k, v);
	if (strcmp(k, "data") == 0)
		return set_str(p, &c->data, k, v);
	if (strcmp(k, "key") == 0)
		return set_str(p, &c->key, k, v);
	if (strcmp(k, "center") == 0) {
		if (proto_key_parse(v, c->center) != 0)
			return perr(p, "center: not a key (64 hex digits of an Ed25519 "
			    "public key): \"%s\"", v);
		p->have_center = 1;
		return 0;
	}
	if (strcmp(k, "listen") == 0) {
		if (c->nlisten == CONF_MAX_LISTEN)
			return perr(p, "listen: at most %d endpoints", CONF_MAX_LISTEN);
		if (parse_endpoint(p, k, v) != 0)
			return -1;
		/* two binds of one address fail at start, after -n said OK (and systemd
		 * would restart it in a loop) */
		for (n = 0; n < c->nlisten; n++)
			if (listen_clash(c->listen[n], v))
				return perr(p, "listen: \"%s\" and \"%s\" would bind the same "
				    "port twice", c->listen[n], v);
		return set_str(p, &c->listen[c->nlisten++], k, v);
	}
	if (strcmp(k, "sync_interval") == 0) {
		if (parse_uint(p, k, v, 1, 86400, &n) != 0)
			return -1;
		c->sync_interval = (unsigned)n;
		return 0;
	}
	if (strcmp(k, "log") == 0) {
		if (strcmp(v, "info") != 0 && strcmp(v, "debug") != 0)
			return perr(p, "log: \"%s\" is not info or debug", v);
		c->verbose = strcmp(v, "debug") == 0;
		return 0;
	}
	return perr(p, "unknown key \"%s\" in [node] (known: name, data, key, center, "
	    "listen, sync_interval, log)", k);
}

static int
set_peer(struct parser *p, const char *k, const char *v)
{
	struct conf_peer *cp = &p->c->peers[p->c->npeers - 1];

	if (strcmp(k, "endpoint") == 0) {
		if (parse_endpoint(p, k, v) != 0)
			return -1;
		return set_str(p, &cp->endpoint, k, v);
	}
	if (strcmp(k, "key") == 0) {
		if (proto_key_parse(v, cp->key) != 0)
			return perr(p, "key: not a key (64 hex digits of an Ed25519 public "
			    "key): \"%s\"", v);
		return 0;
	}
	return perr(p, "unknown key \"%s\" in [peer %s] (known: endpoint, key)", k,
	    cp->name);
}

static int
set_limit(struct parser *p, const char *k, const char *v)
{
	static const struct {
		const char		*name;
		size_t			 off;
		int			 is_size;
		unsigned long long	 min, max;
	} limits[] = {
		{ "max_message", offsetof(struct conf, max_message), 1, HB_MSG_MIN, 256 << 20 },
		{ "max_batch", offsetof(struct conf, max_batch), 0, 1, 100000 },
		{ "rate", offsetof(struct conf, rate), 0, 1, 1000000 },
		{ "hwm", offsetof(struct conf, hwm), 0, 10, 1000000 },
		{ "handshake_ms", offsetof(struct conf, handshake_ms), 0, 100, 600000 },
		{ "ban_seconds", offsetof(struct conf, ban_seconds), 0, 0, 86400 },
		{ "verify_threads", offsetof(struct conf, verify_threads), 0, 0, 64 },
		{ "mapsize", offsetof(struct conf, mapsize), 1, 64 * 1024, 1ULL << 40 },
		{ "mapsize_max", offsetof(struct conf, mapsize_max), 1, 0, 1ULL << 40 },
		{ "member_records", offsetof(struct conf, member_records), 0, 0, 100000000 },
		{ "member_bytes", offsetof(struct conf, member_bytes), 1, 0, 1ULL << 40 },
		{ "recon_leaf", offsetof(struct conf, recon_leaf), 0, 1, RECON_MSG_MAX / 2 },
		{ "recon_split", offsetof(struct conf, recon_split), 0, 2, RECON_SPLIT_MAX },
		{ "sync_window", offsetof(struct conf, sync_window), 0, 1, 8 },
	};
	unsigned long long	 n;
	size_t			 i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (strcmp(k, limits[i].name) != 0)
			continue;
		if (parse_uint(p, k, v, limits[i].min, limits[i].max, &n) != 0)
			return -1;
		if (limits[i].is_size)
			*(size_t *)((char *)p->c + limits[i].off) = (size_t)n;
		else
			*(unsigned *)((char *)p->c + limits[i].off) = (unsigned)n;
		return 0;
	}
	return perr(p, "unknown key \"%s\" in [limits] (known: max_message, max_batch, "
	    "rate, hwm, handshake_ms, ban_seconds, verify_threads, mapsize, mapsize_max, "
	    "member_records, member_bytes, recon_leaf, recon_split, sync_window)", k);
}

/* "127.0.0.1:8080" or "[::1]:8080": numeric addresses only, so that what the daemon
 * binds is exactly what the file says. */
static int
parse_hostport(struct parser *p, const char *key, const char *v)
{
	char		 host[64];
	const char	*port;
	unsigned char	 addr[16];
	size_t		 hl;
	int		 ok;

	if (v[0] == '[') {
		port = strstr(v, "]:");
		hl = port ? (size_t)(port - v - 1) : 0;
		ok = port && hl > 0 && hl < sizeof(host);
		if (ok) {
			memcpy(host, v + 1, hl);
			host[hl] = '\0';
			ok = inet_pton(AF_INET6, host, addr) == 1;
			port += 2;
		}
	} else {
		port = strrchr(v, ':');
		hl = port ? (size_t)(port - v) : 0;
		ok = port && hl > 0 && hl < sizeof(host);
		if (ok) {
			memcpy(host, v, hl);
			host[hl] = '\0';
			ok = inet_pton(AF_INET, host, addr) == 1;
			port += 1;
		}
	}
	if (!ok || *port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || atoi(port) < 1 || atoi(port) > 65535)
		return perr(p, "%s: \"%s\" is not address:port, e.g. 127.0.0.1:8080 or "
		    "[::1]:8080", key, v);
	return 0;
}

/* The tile URL goes into the page's Content-Security-Policy (img-src): its host may hold
 * only host characters and Leaflet's {s}; {z}, {x} and {y} must all be there. */
static int
parse_tiles(struct parser *p, const char *key, const char *v)
{
	const char	*host, *end;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return perr(p, "%s: \"%s\" is not an http:// or https:// URL", key, v);
	end = host + strcspn(host, "/");
	if (end == host || *end != '/' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:{}[]")
	    < (size_t)(end - host))
		return perr(p, "%s: \"%s\" needs a plain host name and a path", key, v);
	if (strstr(v, "{z}") == NULL || strstr(v, "{x}") == NULL || strstr(v, "{y}") == NULL)
		return perr(p, "%s: \"%s\" needs {z}, {x} and {y}", key, v);
	if (strpbrk(v, " \t\"'<>\\;,") != NULL)
		return perr(p, "%s: \"%s\" holds characters a URL cannot", key, v);
	return 0;
}

static int
set_http(struct parser *p, const char *k, const char *v)
{
	struct conf_http	*h = &p->c->http;
	unsigned long long	 n;

	if (strcmp(k, "listen") == 0) {
		if (parse_hostport(p, k, v) != 0)
			return -1;
		return set_str(p, &h->listen, k, v);
	}
	if (strcmp(k, "tiles") == 0) {
		if (parse_tiles(p, k, v) != 0)
			return -1;
		return set_str(p, &h->tiles, k, v);
	}
	if (strcmp(k, "attribution") == 0)
		return set_str(p, &h->attribution, k, v);
	if (strcmp(k, "title") == 0)
		return set_str(p, &h->title, k, v);
	if (strcmp(k, "static") == 0)
		return set_str(p, &h->static_dir, k, v);
	if (strcmp(k, "connections") == 0) {
		if (parse_uint(p, k, v, 1, 10000, &n) != 0)
			return -1;
		h->connections = (unsigned)n;
		return 0;
	}
	if (strcmp(k, "timeout") == 0) {
		if (parse_uint(p, k, v, 1, 3600, &n) != 0)
			return -1;
		h->timeout = (unsigned)n;
		return 0;
	}
	return perr(p, "unknown key \"%s\" in [http] (known: listen, tiles, attribution, "
	    "title, static, connections, timeout)", k);
}

/* Is a numeric host:port (parse_hostport checked it) a loopback address? */
static bool
hostport_loopback(const char *v)
{
	if (strncmp(v, "[::1]:", 6) == 0)
		return true;
	return strncmp(v, "127.", 4) == 0;
}

/*
 * [console]: the web console signs people in and publishes as the group, so it stays
 * on the machine unless the operator writes, in the file, that they accept the risk
 * (a TLS front such as a reverse proxy is their business then).
 */
static int
set_console(struct parser *p, const char *k, const char *v)
{
	struct conf_console	*c = &p->c->console;
	unsigned long long	 n;

	if (strcmp(k, "listen") == 0) {
		if (parse_hostport(p, k, v) != 0)
			return -1;
		free(c->listen);
		c->listen = NULL;
		return set_str(p, &c->listen, k, v);
	}
	if (strcmp(k, "allow_remote") == 0) {
		if (strcmp(v, CONSOLE_ALLOW_REMOTE) != 0 && strcmp(v, "no") != 0)
			return perr(p, "allow_remote: \"%s\": write \"%s\" to let the console "
			    "listen on a non-loopback address (only behind TLS, or if you "
			    "accept that passwords cross the network in clear), or \"no\"",
			    v, CONSOLE_ALLOW_REMOTE);
		c->allow_remote = strcmp(v, "no") != 0;
		return 0;
	}
	if (strcmp(k, "hosts") == 0) {
		if (strpbrk(v, " \t\"'<>\\;/") != NULL)
			return perr(p, "hosts: \"%s\": host names or host:port, separated by "
			    "commas", v);
		return set_str(p, &c->hosts, k, v);
	}
	if (strcmp(k, "session_idle") == 0 || strcmp(k, "session_max") == 0) {
		if (parse_uint(p, k, v, 1, 7 * 86400, &n) != 0)
			return -1;
		if (k[8] == 'i')
			c->session_idle = (unsigned)n;
		else
			c->session_max = (unsigned)n;
		return 0;
	}
	return perr(p, "unknown key \"%s\" in [console] (known: listen, allow_remote, "
	    "hosts, session_idle, session_max)", k);
}

static int
section(struct parser *p, char *s)
{
	struct conf	*c = p->c;
	char		*name;
	size_t		 len = strlen(s);

	if (s[len - 1] != ']')
		return perr(p, "section header without closing ']'");
	s[len - 1] = '\0';
	s = trim(s + 1);
	if (strcmp(s, "node") == 0) {
		p->sec = SEC_NODE;
		return 0;
	}
	if (strcmp(s, "limits") == 0) {
		p->sec = SEC_LIMITS;
		return 0;
	}
	if (strcmp(s, "http") == 0) {
		p->sec = SEC_HTTP;
		return 0;
	}
	if (strcmp(s, "console") == 0) {
		p->sec = SEC_CONSOLE;
		c->console.on = true;
		return 0;
	}
	if (strncmp(s, "peer", 4) == 0 && (s[4] == '\0' || s[4] == ' ' || s[4] == '\t')) {
		name = trim(s + 4);
		if (*name == '\0')
			return perr(p, "[peer NAME]: the peer needs a name");
		if (c->npeers == CONF_MAX_PEERS)
			return perr(p, "at most %d peers", CONF_MAX_PEERS);
		p->sec = SEC_PEER;
		c->npeers++;
		return set_str(p, &c->peers[c->npeers - 1].name, "peer", name);
	}
	return perr(p, "unknown section [%s] (known: [node], [limits], [http], [console], [peer NAME])",
	    s);
}

/* Make *path absolute: relative to the folder of `base` if base is a file (the config),
 * or to base itself if it is the data folder. */
static int
resolve(struct parser *p, char **path, const char *base)
{
	char	*dir = NULL, *abs = NULL, *slash;
	int	 rc = -1;

	if ((*path)[0] == '/')
		return 0;
	if ((dir = strdup(base)) == NULL)
		goto out;
	if (base == p->file) {
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (dir[0] != '/') {
		char	 cwd[4096];
		char	*tmp;

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    asprintf(&tmp, "%s/%s", cwd, dir) < 0)
			goto out;
		free(dir);
		dir = tmp;
	}
	if (asprintf(&abs, "%s/%s", dir, *path) < 0) {
		abs = NULL;
		goto out;
	}
	free(*path);
	*path = abs;
	abs = NULL;
	rc = 0;
out:
	if (rc != 0)
		perr(p, "out of memory resolving \"%s\"", *path);
	free(dir);
	free(abs);
	return rc;
}

/*
 * The page's folder must hold static/index.html: without it every page answers 404 and
 * nothing says why. The usual slip is naming the static/ folder itself.
 */
static int
check_static(struct parser *p, const char *dir)
{
	char	 path[4200], *slash;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/static/index.html", dir);
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/index.html", dir);
	if (access(path, R_OK) == 0) {
		snprintf(path, sizeof(path), "%s", dir);
		while ((len = strlen(path)) > 1 && path[len - 1] == '/')
			path[len - 1] = '\0';
		if ((slash = strrchr(path, '/')) != NULL && slash != path)
			*slash = '\0';
		return perr(p, "[http] static: %s is the static/ folder itself; name the "
		    "folder that holds it (static = %s)", dir, path);
	}
	return perr(p, "[http] static: no static/index.html in %s (the web page's files; "
	    "the installed ones are in %s)", dir, HIROBA_WEBDIR);
}

/* Defaults of a configured [http]; its static folder is relative to the config's. */
static int
finish_http(struct parser *p)
{
	struct conf_http *h = &p->c->http;

	if (h->tiles == NULL && set_str(p, &h->tiles, "tiles",
	    "https://tile.openstreetmap.org/{z}/{x}/{y}.png") != 0)
		return -1;
	if (h->attribution == NULL && set_str(p, &h->attribution, "attribution",
	    "© OpenStreetMap contributors") != 0)
		return -1;
	if (h->title == NULL && set_str(p, &h->title, "title", p->c->name) != 0)
		return -1;
	if (h->static_dir == NULL && set_str(p, &h->static_dir, "static", HIROBA_WEBDIR) != 0)
		return -1;
	if (resolve(p, &h->static_dir, p->file) != 0)
		return -1;
	return check_static(p, h->static_dir);
}

static int
finish(struct parser *p)
{
	struct conf	*c = p->c;
	size_t		 i, j;
	static const uint8_t zero[HB_KEY_LEN];

	p->line = 0;
	if (c->data == NULL)
		return perr(p, "[node] data is required (the data directory)");
	if (!p->have_center)
		return perr(p, "[node] center is required (the center's public key)");
	if (c->name == NULL && set_str(p, &c->name, "name", "hiroba") != 0)
		return -1;
	if (c->key == NULL && set_str(p, &c->key, "key", "identity.key") != 0)
		return -1;
	/* data is relative to the config file's folder, key relative to data, so that a
	 * group's folder can be moved or restored elsewhere as a whole. */
	if (resolve(p, &c->data, p->file) != 0 || resolve(p, &c->key, c->data) != 0)
		return -1;
	if (c->http.listen != NULL && finish_http(p) != 0)
		return -1;
	if (c->console.on) {
		if (c->console.listen == NULL &&
		    set_str(p, &c->console.listen, "listen", "127.0.0.1:7380") != 0)
			return -1;
		if (!hostport_loopback(c->console.listen) && !c->console.allow_remote)
			return perr(p, "[console] listen = %s is not a loopback address: the "
			    "console signs people in and publishes as this group. Put it "
			    "behind TLS and add \"allow_remote = %s\" to [console], or "
			    "listen on 127.0.0.1", c->console.listen, CONSOLE_ALLOW_REMOTE);
		if (c->http.listen != NULL && strcmp(c->http.listen, c->console.listen) == 0)
			return perr(p, "[console] listen = %s is the public page's address "
			    "([http] listen): the console needs its own", c->console.listen);
	}
	for (i = 0; i < c->npeers; i++) {
		if (c->peers[i].endpoint == NULL)
			return perr(p, "[peer %s] needs an endpoint", c->peers[i].name);
		if (memcmp(c->peers[i].key, zero, HB_KEY_LEN) == 0)
			return perr(p, "[peer %s] needs a key", c->peers[i].name);
		for (j = 0; j < i; j++)
			if (memcmp(c->peers[i].key, c->peers[j].key, HB_KEY_LEN) == 0)
				return perr(p, "[peer %s] has the same key as [peer %s]",
				    c->peers[i].name, c->peers[j].name);
	}
	return 0;
}

int
conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	struct parser	 p = { .file = path, .err = err, .errlen = errlen };
	FILE		*f = NULL;
	char		 buf[4096], *s, *eq, *k, *v, *hash;
	int		 rc = -1;

	*out = NULL;
	if ((p.c = calloc(1, sizeof(*p.c))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	p.c->sync_interval = 30;
	p.c->max_message = 4 << 20;
	p.c->max_batch = 3000;
	p.c->recon_leaf = RECON_LEAF;
	p.c->recon_split = RECON_SPLIT;
	p.c->sync_window = 4;
	p.c->rate = 2000;
	p.c->hwm = 10000;
	p.c->handshake_ms = 5000;
	p.c->ban_seconds = 60;
	p.c->mapsize = 64 << 20;
	/* a nursery publishes a few hundred records a year, each well under 2 KiB */
	p.c->member_records = 20000;
	p.c->member_bytes = 64 << 20;	/* ~6000 events with 300 characters of text */
	/* the store never takes the whole disk: the rest of a small machine (logs,
	 * backups, the OS) keeps working; far above what quotas let a network reach */
	p.c->mapsize_max = 16ULL << 30;
	p.c->http.connections = 256;	/* a sixteenth per address: 17, enough for a NAT of one office */
	p.c->http.timeout = 10;	/* idle seconds: a slow client holds a slot no longer */
	p.c->console.session_idle = 2 * 3600;
	p.c->console.session_max = 12 * 3600;	/* a working day, then sign in again */
	if ((p.c->file = strdup(path)) == NULL)
		goto out;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		p.line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			perr(&p, "line too long");
			goto out;
		}
		/* A comment starts at '#' or ';' at the start or after white space. */
		for (hash = buf; (hash = strpbrk(hash, "#;")) != NULL; hash++)
			if (hash == buf || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		s = trim(buf);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			if (section(&p, s) != 0)
				goto out;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			perr(&p, "expected \"key = value\" or a [section]");
			goto out;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		switch (p.sec) {
		case SEC_NONE:
			perr(&p, "\"%s\" before any section: start with [node]", k);
			goto out;
		case SEC_NODE:
			if (set_node(&p, k, v) != 0)
				goto out;
			break;
		case SEC_PEER:
			if (set_peer(&p, k, v) != 0)
				goto out;
			break;
		case SEC_LIMITS:
			if (set_limit(&p, k, v) != 0)
				goto out;
			break;
		case SEC_HTTP:
			if (set_http(&p, k, v) != 0)
				goto out;
			break;
		case SEC_CONSOLE:
			if (set_console(&p, k, v) != 0)
				goto out;
			break;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (finish(&p) != 0)
		goto out;
	*out = p.c;
	p.c = NULL;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	conf_free(&p.c);
	return rc;
}

void
conf_free(struct conf **cp)
{
	struct conf	*c;
	size_t		 i;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	free(c->file);
	free(c->name);
	free(c->data);
	free(c->key);
	for (i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	for (i = 0; i < c->npeers; i++) {
		free(c->peers[i].name);
		free(c->peers[i].endpoint);
	}
	free(c->http.listen);
	free(c->http.tiles);
	free(c->http.attribution);
	free(c->http.title);
	free(c->http.static_dir);
	free(c->console.listen);
	free(c->console.hosts);
	free(c);
	*cp = NULL;
}
