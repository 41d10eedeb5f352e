/* SPDX-License-Identifier: ISC */
/*
 * node: the daemon's life on one page. node_new opens the store and the sockets,
 * node_loop polls them and runs the timed work in node_tick, node_free closes it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "hirobad.h"
#include "console.h"
#include "http.h"
#include "log.h"

static volatile sig_atomic_t quit, reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
}

int64_t
node_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
node_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
node_notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/* RELOADING=1 with the monotonic time, as systemd (Type=notify-reload) wants it. */
static void
node_notify_reloading(void)
{
	struct timespec	 ts;
	char		 msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 + (unsigned long long)ts.tv_nsec / 1000);
	node_notify(msg);
}

/* One daemon per data directory: two would sign with one key and fork its sequence. */
static int
node_lock(const char *dir)
{
	char	 path[4096];
	int	 fd;

	snprintf(path, sizeof(path), "%s/hirobad.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		log_warnx("another hirobad is already running on %s", dir);
		close(fd);
		return -1;
	}
	return fd;	/* held until exit */
}

static int
node_listen(struct node *n)
{
	const struct conf *c = n->conf;
	uint8_t		 csk[32];
	int		 one = 1, zero = 0, hb = 5000, hbt = 15000;
	int		 hwm = (int)c->hwm, hs = (int)c->handshake_ms;
	int64_t		 maxmsg = (int64_t)c->max_message;
	size_t		 i;

	if ((n->router = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL)
		return -1;
	proto_curve_sk(&n->id, csk);
	if (zmq_setsockopt(n->router, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_CURVE_SECRETKEY, csk, 32) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_ZAP_DOMAIN, "hiroba", 6) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_RCVHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_HANDSHAKE_IVL, &hs, sizeof(hs)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_HEARTBEAT_IVL, &hb, sizeof(hb)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof(hbt)) != 0 ||
	    zmq_setsockopt(n->router, ZMQ_LINGER, &zero, sizeof(zero)) != 0) {
		sodium_memzero(csk, sizeof(csk));
		log_warnx("router: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	sodium_memzero(csk, sizeof(csk));
	for (i = 0; i < c->nlisten; i++) {
		if (zmq_bind(n->router, c->listen[i]) != 0) {
			log_warnx("cannot listen on %s: %s", c->listen[i],
			    zmq_strerror(zmq_errno()));
			return -1;
		}
		log_info("listening on %s", c->listen[i]);
	}
	return 0;
}

int
node_new(struct node **out, struct conf *conf)
{
	struct node	*n;
	struct store_opts so = { 0 };
	struct peer	*p;
	size_t		 i;
	int		 rc;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		conf_free(&conf);
		return -1;
	}
	n->conf = conf;
	n->started = node_now();
	n->next_round = 1;
	n->ctl_uid = -1;
	if (mkdir(conf->data, 0700) == -1 && errno != EEXIST) {
		log_warn("data directory %s", conf->data);
		goto fail;
	}
	if (node_lock(conf->data) == -1)
		goto fail;
	if ((rc = proto_identity_load(&n->id, conf->key)) != 0) {
		log_warnx("key %s: %s", conf->key, proto_strerror(rc));
		goto fail;
	}
	proto_fingerprint(n->id.pk, n->fpr);
	{
		char	 mark[4200];

		snprintf(mark, sizeof(mark), "%s/" RESTORED_MARK, conf->data);
		if (access(mark, F_OK) == 0 && conf->npeers == 0) {
			log_warnx("restored from a backup, but no peers are configured to "
			    "learn from: publishing may reuse sequence numbers");
		} else if (access(mark, F_OK) == 0) {
			n->hold_publish = true;
			log_info("restored from a backup: publishing waits until a peer has "
			    "sent what this group signed since");
		}
	}
	so.mapsize = conf->mapsize;
	so.mapsize_max = conf->mapsize_max;
	so.verify_threads = (int)conf->verify_threads;
	so.member_records = conf->member_records;
	so.member_bytes = conf->member_bytes;
	if ((rc = store_open(&n->st, conf->data, conf->center, &so)) != 0) {
		log_warnx("store %s: %s", conf->data, store_strerror(rc));
		goto fail;
	}
	if (!zmq_has("curve")) {
		log_warnx("this libzmq has no CURVE support: refusing to run unencrypted");
		goto fail;
	}
	if ((n->zctx = zmq_ctx_new()) == NULL)
		goto fail;
	/* The ZAP handler must exist before any CURVE server binds: without one, libzmq
	 * lets every client key in. */
	if (zap_open(n) != 0 || node_listen(n) != 0 || listen_open(n) != 0 ||
	    ctl_open(n) != 0)
		goto fail;
	if (n->conf->nlisten > 0 && zap_selftest(n) != 0)
		goto fail;
	for (i = 0; i < conf->npeers; i++) {
		if (memcmp(conf->peers[i].key, n->id.pk, HB_KEY_LEN) == 0) {
			log_warnx("[peer %s] is this node itself: ignored", conf->peers[i].name);
			continue;
		}
		if ((p = peer_get(n, conf->peers[i].key)) == NULL)
			goto fail;
		free(p->name);
		free(p->endpoint);
		p->name = strdup(conf->peers[i].name);
		p->endpoint = strdup(conf->peers[i].endpoint);
		p->configured = true;
		if (p->name == NULL || p->endpoint == NULL || peer_connect(n, p) != 0)
			goto fail;
	}
	if (http_start(&n->http, n) != 0 || console_start(&n->console, n) != 0)
		goto fail;
	log_info("%s (%s) started: %zu peers configured, center %s", conf->name, n->fpr,
	    conf->npeers, memcmp(conf->center, n->id.pk, HB_KEY_LEN) == 0 ?
	    "is this node" : "set");
	*out = n;
	return 0;
fail:
	node_free(&n);
	return -1;
}

/*
 * What a failed store write means, for the log and the CLI. LMDB reports a write cut
 * short by a full disk as EIO as often as ENOSPC, so the data directory's free space
 * decides.
 */
const char *
node_write_error(struct node *n, int rc, char *buf, size_t len)
{
	struct statvfs	 sv;
	unsigned long long avail;

	if ((rc == EIO || rc == ENOSPC || rc == EDQUOT || rc == STORE_EMAPFULL) &&
	    statvfs(n->conf->data, &sv) == 0) {
		avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
		if (rc == ENOSPC || avail < NODE_DISK_LOW) {
			snprintf(buf, len, "the disk holding %s is full (%llu KiB free): "
			    "make room there; reads go on meanwhile", n->conf->data,
			    avail / 1024);
			return buf;
		}
	}
	if (rc == STORE_EMAPFULL && n->conf->mapsize_max != 0) {
		snprintf(buf, len, "the store reached its size limit ([limits] mapsize_max = "
		    "%zu MiB): raise it in %s, or delete records; reads go on meanwhile",
		    n->conf->mapsize_max >> 20, n->conf->file);
		return buf;
	}
	snprintf(buf, len, "%s", store_strerror(rc));
	return buf;
}

void
node_caught_up(struct node *n)
{
	char	 mark[4200];

	if (!n->hold_publish)
		return;
	snprintf(mark, sizeof(mark), "%s/" RESTORED_MARK, n->conf->data);
	if (unlink(mark) == -1 && errno != ENOENT)
		log_warn("%s", mark);
	n->hold_publish = false;
	log_info("caught up with the network after the restore: publishing again");
}

void
node_rejected(struct node *n, int rc)
{
	const char	*reason = store_errname(rc);
	size_t		 i;

	for (i = 0; i < n->nrejects; i++)
		if (strcmp(n->rejects[i].reason, reason) == 0)
			break;
	if (i == n->nrejects) {
		if (i == NODE_REJECT_MAX)
			return;
		n->rejects[n->nrejects++].reason = reason;
	}
	n->rejects[i].count++;
}

uint64_t
node_over_quota(struct node *n, const uint8_t author[HB_KEY_LEN])
{
	struct node_quota	*q;
	size_t			 i;

	for (i = 0; i < n->nquota; i++)
		if (memcmp(n->quota[i].author, author, HB_KEY_LEN) == 0)
			return ++n->quota[i].refused;
	/* one entry per member at most: members are admitted by the center */
	if ((q = reallocarray(n->quota, n->nquota + 1, sizeof(*q))) == NULL)
		return 0;
	n->quota = q;
	memcpy(q[n->nquota].author, author, HB_KEY_LEN);
	q[n->nquota].refused = 1;
	return q[n->nquota++].refused;
}

uint64_t
node_quota_refused(const struct node *n, const uint8_t author[HB_KEY_LEN])
{
	size_t	 i;

	for (i = 0; i < n->nquota; i++)
		if (memcmp(n->quota[i].author, author, HB_KEY_LEN) == 0)
			return n->quota[i].refused;
	return 0;
}

void
node_free(struct node **np)
{
	struct node	*n;
	struct peer	*p;

	if (np == NULL || (n = *np) == NULL)
		return;
	http_stop(&n->http);	/* its thread reads the store */
	console_stop(&n->console);	/* its thread talks to the control socket */
	while ((p = n->peers) != NULL) {
		n->peers = p->next;
		peer_disconnect(n, p);
		peer_free(p);
	}
	ctl_close(n);
	listen_close(n);
	if (n->router != NULL)
		zmq_close(n->router);
	if (n->zap != NULL)
		zmq_close(n->zap);
	if (n->zctx != NULL)
		zmq_ctx_term(n->zctx);
	store_close(&n->st);
	free(n->zap_curve);
	free(n->quota);
	free(n->zap_ed);
	free(n->zap_revoked);
	proto_identity_clear(&n->id);
	conf_free(&n->conf);
	free(n);
	*np = NULL;
}

static bool
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Settings that a running daemon cannot take: said in the log, the old value kept. */
static void
reload_restart_only(struct node *n, const struct conf *nc)
{
	const struct conf *c = n->conf;
	const char	*what[16];
	size_t		 nw = 0, i;
	char		 list[512] = "";
	size_t		 len = 0;

	if (str_differs(c->name, nc->name))
		what[nw++] = "[node] name";
	if (str_differs(c->data, nc->data))
		what[nw++] = "[node] data";
	if (str_differs(c->key, nc->key))
		what[nw++] = "[node] key";
	if (memcmp(c->center, nc->center, HB_KEY_LEN) != 0)
		what[nw++] = "[node] center";
	if (c->nlisten != nc->nlisten)
		what[nw++] = "[node] listen";
	else
		for (i = 0; i < c->nlisten; i++)
			if (strcmp(c->listen[i], nc->listen[i]) != 0) {
				what[nw++] = "[node] listen";
				break;
			}
	/* socket options, set when the sockets were made */
	if (c->max_message != nc->max_message)
		what[nw++] = "[limits] max_message";
	if (c->hwm != nc->hwm)
		what[nw++] = "[limits] hwm";
	if (c->handshake_ms != nc->handshake_ms)
		what[nw++] = "[limits] handshake_ms";
	/* the store's, fixed when it opened */
	if (c->verify_threads != nc->verify_threads)
		what[nw++] = "[limits] verify_threads";
	if (c->mapsize != nc->mapsize)
		what[nw++] = "[limits] mapsize";
	for (i = 0; i < nw && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? ", " : "", what[i]);
	if (nw > 0)
		log_warnx("reload: %s changed: takes effect at the next restart "
		    "(systemctl restart hirobad)", list);
}

#define RELOAD_NUM(field, label)	do {					\
	if (c->field != nc->field) {						\
		log_info("reload: %s %llu -> %llu", label,			\
		    (unsigned long long)c->field, (unsigned long long)nc->field); \
		c->field = nc->field;						\
	}									\
} while (0)

/* [node] sync_interval and log, [limits] that are read at each use, the store's quotas. */
static void
reload_settings(struct node *n, const struct conf *nc)
{
	struct conf	*c = n->conf;
	struct store_opts so = { 0 };

	RELOAD_NUM(sync_interval, "[node] sync_interval");
	if (c->verbose != nc->verbose) {
		log_info("reload: [node] log = %s%s", nc->verbose ? "debug" : "info",
		    c->verbose_opt ? " (hirobad -v: debug stays on)" : "");
		c->verbose = nc->verbose;
		log_setverbose(c->verbose_opt || c->verbose);
	}
	RELOAD_NUM(rate, "[limits] rate");
	RELOAD_NUM(max_batch, "[limits] max_batch");
	RELOAD_NUM(ban_seconds, "[limits] ban_seconds");
	RELOAD_NUM(mapsize_max, "[limits] mapsize_max");
	RELOAD_NUM(member_records, "[limits] member_records");
	RELOAD_NUM(member_bytes, "[limits] member_bytes");
	so.mapsize_max = c->mapsize_max;
	so.member_records = c->member_records;
	so.member_bytes = c->member_bytes;
	store_set_limits(n->st, &so);
}

static bool
http_differs(const struct conf_http *a, const struct conf_http *b)
{
	return str_differs(a->listen, b->listen) || str_differs(a->tiles, b->tiles) ||
	    str_differs(a->attribution, b->attribution) ||
	    str_differs(a->title, b->title) || str_differs(a->static_dir, b->static_dir) ||
	    a->connections != b->connections || a->timeout != b->timeout;
}

/*
 * [http]: a new section means a new server: the old one stops (waiting for the
 * requests in progress), the new one starts on the new settings. If it cannot (the
 * port is taken), the old settings come back, so the page stays up where it was.
 */
static void
reload_http(struct node *n, struct conf *nc)
{
	struct conf_http tmp;

	if (!http_differs(&n->conf->http, &nc->http))
		return;
	http_stop(&n->http);
	tmp = n->conf->http;
	n->conf->http = nc->http;
	nc->http = tmp;		/* freed with nc */
	if (http_start(&n->http, n) == 0) {
		if (n->conf->http.listen == NULL)
			log_info("reload: [http] removed: the web page is off");
		else
			log_info("reload: [http] applied (listen %s)", n->conf->http.listen);
		return;
	}
	log_warnx("reload: the new [http] did not start: keeping the old one");
	tmp = n->conf->http;
	n->conf->http = nc->http;
	nc->http = tmp;
	if (http_start(&n->http, n) != 0)
		log_warnx("reload: the old [http] did not start again either: the web page "
		    "is off until the next reload or restart");
}

static bool
console_differs(const struct conf_console *a, const struct conf_console *b)
{
	return a->on != b->on || str_differs(a->listen, b->listen) ||
	    a->allow_remote != b->allow_remote || str_differs(a->hosts, b->hosts) ||
	    a->session_idle != b->session_idle || a->session_max != b->session_max;
}

/* [console]: as [http], a new section is a new server; its sessions end (people sign
 * in again); if the new one cannot start, the old settings come back. */
static void
reload_console(struct node *n, struct conf *nc)
{
	struct conf_console tmp;

	if (!console_differs(&n->conf->console, &nc->console))
		return;
	console_stop(&n->console);
	tmp = n->conf->console;
	n->conf->console = nc->console;
	nc->console = tmp;		/* freed with nc */
	if (console_start(&n->console, n) == 0) {
		log_info("reload: [console] %s", n->conf->console.on ? "applied" :
		    "removed: the console is off");
		return;
	}
	log_warnx("reload: the new [console] did not start: keeping the old one");
	tmp = n->conf->console;
	n->conf->console = nc->console;
	nc->console = tmp;
	if (console_start(&n->console, n) != 0)
		log_warnx("reload: the old [console] did not start again either: the console "
		    "is off until the next reload or restart");
}

/* SIGHUP: the settings that can change at run time change; the others are named. */
void
node_reload(struct node *n, struct conf *conf)
{
	struct peer	*p;
	size_t		 i;
	bool		 keep;

	conf->verbose_opt = n->conf->verbose_opt;
	reload_restart_only(n, conf);
	reload_settings(n, conf);
	reload_http(n, conf);
	reload_console(n, conf);
	for (p = n->peers; p != NULL; p = p->next) {
		keep = false;
		for (i = 0; i < conf->npeers; i++)
			if (memcmp(conf->peers[i].key, p->key, HB_KEY_LEN) == 0 &&
			    p->endpoint != NULL &&
			    strcmp(conf->peers[i].endpoint, p->endpoint) == 0)
				keep = true;
		if (p->configured && !keep) {
			log_info("peer %s: removed from the configuration", p->name);
			peer_disconnect(n, p);
			p->configured = false;
		}
	}
	for (i = 0; i < conf->npeers; i++) {
		if (memcmp(conf->peers[i].key, n->id.pk, HB_KEY_LEN) == 0)
			continue;
		if ((p = peer_get(n, conf->peers[i].key)) == NULL)
			continue;
		if (p->configured)
			continue;
		free(p->name);
		free(p->endpoint);
		p->name = strdup(conf->peers[i].name);
		p->endpoint = strdup(conf->peers[i].endpoint);
		p->configured = true;
		if (p->name != NULL && p->endpoint != NULL)
			peer_connect(n, p);
		log_info("peer %s: added", conf->peers[i].name);
	}
	conf_free(&conf);
	log_info("reload: done");
}

/*
 * systemctl status shows the last STATUS= line: peers connected, records held, and
 * the lag (records peers hold that we do not yet). Sent when it changes, looked at
 * every few seconds (store_stats reads the store).
 */
static void
node_status(struct node *n, int64_t now)
{
	struct store_stats ss;
	struct peer	*p;
	unsigned	 up = 0, all = 0;
	uint64_t	 lag = 0;
	char		 msg[256];

	if (now < n->status_at + NODE_STATUS_EVERY)
		return;
	n->status_at = now;
	for (p = n->peers; p != NULL; p = p->next) {
		if (!p->configured && !peer_up(p))
			continue;
		all++;
		up += peer_up(p);
		lag += peer_behind(n, p);
	}
	if (store_stats(n->st, &ss) != 0)
		return;
	snprintf(msg, sizeof(msg), "STATUS=peers %u/%u connected, %llu records, lag %llu%s",
	    up, all, (unsigned long long)ss.records, (unsigned long long)lag,
	    n->self_revoked ? ", membership revoked" : n->hold_publish ?
	    ", restored: publishing waits for a peer" : "");
	if (strcmp(msg, n->status_line) == 0)
		return;
	snprintf(n->status_line, sizeof(n->status_line), "%s", msg);
	node_notify(msg);
}

/* Timed work, once a second: pulls, timeouts, trust changes, the watchdog. */
static void
node_tick(struct node *n, int64_t now)
{
	if (store_members_version(n->st) != n->zap_version)
		zap_refresh(n);
	peer_tick(n, now);
	privacy_tick(n, now);
	http_update(n->http, n);
	node_status(n, now);
	node_notify("WATCHDOG=1");
}

int
node_loop(struct node *n)
{
	zmq_pollitem_t	*items = NULL;
	struct peer	*p, **who = NULL;
	size_t		 cap = 0, ni, i;
	int64_t		 now, last_tick = 0;
	struct sigaction sa;
	struct conf	*nc;
	char		 err[512];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	node_notify("READY=1");

	while (!quit) {
		if (reload) {
			reload = 0;
			node_notify_reloading();
			if (conf_load(n->conf->file, &nc, err, sizeof(err)) != 0)
				log_warnx("reload: %s (keeping the running configuration)",
				    err);
			else
				node_reload(n, nc);
			n->status_at = 0;	/* a fresh STATUS= after READY=1 */
			n->status_line[0] = '\0';
			node_notify("READY=1");
		}
		/* zap, ctl, router, its events, then each peer's dealer and monitor */
		ni = 4;
		for (p = n->peers; p != NULL; p = p->next)
			ni += p->dealer != NULL ? 2 : 0;
		if (ni > cap) {
			cap = ni * 2;
			free(items);
			free(who);
			items = calloc(cap, sizeof(*items));
			who = calloc(cap, sizeof(*who));
			if (items == NULL || who == NULL)
				fatalx("out of memory");
		}
		items[0] = (zmq_pollitem_t){ .socket = n->zap, .events = ZMQ_POLLIN };
		items[1] = (zmq_pollitem_t){ .socket = n->ctl, .events = ZMQ_POLLIN };
		items[2] = (zmq_pollitem_t){ .socket = n->router, .events = ZMQ_POLLIN };
		items[3] = (zmq_pollitem_t){ .socket = n->listen_mon, .events = ZMQ_POLLIN };
		ni = 4;
		for (p = n->peers; p != NULL; p = p->next) {
			if (p->dealer == NULL)
				continue;
			who[ni] = p;
			items[ni++] = (zmq_pollitem_t){ .socket = p->dealer,
			    .events = ZMQ_POLLIN };
			who[ni] = p;
			items[ni++] = (zmq_pollitem_t){ .socket = p->monitor,
			    .events = ZMQ_POLLIN };
		}
		if (zmq_poll(items, (int)ni, 1000) == -1) {
			if (zmq_errno() == EINTR)
				continue;
			fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
		}
		if (items[0].revents & ZMQ_POLLIN)
			zap_dispatch(n);
		if (items[1].revents & ZMQ_POLLIN)
			ctl_dispatch(n);
		if (items[2].revents & ZMQ_POLLIN)
			peer_router_recv(n);
		if (items[3].revents & ZMQ_POLLIN)
			listen_dispatch(n);
		for (i = 4; i < ni; i++) {
			/* a dispatch above may have closed this peer's sockets */
			if (!(items[i].revents & ZMQ_POLLIN) || who[i]->dealer == NULL)
				continue;
			if (items[i].socket == who[i]->monitor)
				peer_monitor(n, who[i]);
			else if (items[i].socket == who[i]->dealer)
				peer_dealer_recv(n, who[i]);
		}
		now = node_now();
		if (now != last_tick) {
			last_tick = now;
			node_tick(n, now);
		}
	}
	log_info("stopping");
	node_notify("STOPPING=1");
	free(items);
	free(who);
	return 0;
}
