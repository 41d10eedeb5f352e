/* SPDX-License-Identifier: ISC */
/*
 * ctl: the CLI's requests, over a ROUTER on ipc://<data>/ctl.sock (under systemd a link
 * to /run/hiroba/ctl.sock, see ctl_open). The socket is made 0600 inside the 0700 data
 * directory (or the 0700 runtime directory): whoever may read the group's data may use it.
 * Writes come through here so that only the daemon ever signs for the group.
 */
#define _GNU_SOURCE	/* asprintf */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <zmq.h>

#include "hirobad.h"
#include "log.h"
#include "wire.pb-c.h"

#define CTL_LIMIT_DEFAULT	1000
#define CTL_LIMIT_MAX		100000
#define REMOTE_BURST		(16.0 * 1024 * 1024)	/* bytes of remote answers */
#define REMOTE_RATE		(1024.0 * 1024)		/* refill, bytes a second */

/*
 * Under systemd (RuntimeDirectory=hiroba sets $RUNTIME_DIRECTORY, the first of its
 * folders is ours) the socket lives in /run/hiroba, where Debian expects sockets, and
 * <data>/ctl.sock is a symlink to it: the CLI knows only the data directory (-d, the
 * config's data), and the link dangles, "not running", once systemd removes /run/hiroba.
 * Elsewhere the socket is <data>/ctl.sock itself.
 */
static int
ctl_link(struct node *n)
{
	char	*link = NULL;
	int	 rc = -1;

	if (asprintf(&link, "%s/ctl.sock", n->conf->data) < 0)
		return -1;
	/* an old socket or link of ours: the lock says no other daemon runs here */
	if (unlink(link) == -1 && errno != ENOENT)
		log_warn("%s", link);
	else if (symlink(n->ctl_path, link) == -1)
		log_warn("%s -> %s", link, n->ctl_path);
	else {
		n->ctl_link = link;
		link = NULL;
		rc = 0;
	}
	free(link);
	return rc;
}

int
ctl_open(struct node *n)
{
	struct sockaddr_un sun;
	char		 ep[4200], *rt = NULL, *colon;
	const char	*env = getenv("RUNTIME_DIRECTORY");
	mode_t		 old;
	int		 zero = 0, rc;

	if (env != NULL && *env == '/') {
		if ((rt = strdup(env)) == NULL)
			return -1;
		if ((colon = strchr(rt, ':')) != NULL)
			*colon = '\0';
	}
	rc = asprintf(&n->ctl_path, "%s/ctl.sock", rt != NULL ? rt : n->conf->data);
	free(rt);
	if (rc < 0) {
		n->ctl_path = NULL;
		return -1;
	}
	if (strlen(n->ctl_path) >= sizeof(sun.sun_path)) {
		log_warnx("%s directory path too long for a control socket (%zu bytes "
		    "at most): %s", env != NULL ? "runtime" : "data",
		    sizeof(sun.sun_path) - 10, n->ctl_path);
		return -1;
	}
	snprintf(ep, sizeof(ep), "ipc://%s", n->ctl_path);
	if ((n->ctl = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL ||
	    zmq_setsockopt(n->ctl, ZMQ_LINGER, &zero, sizeof(zero)) != 0)
		return -1;
	old = umask(0077);
	rc = zmq_bind(n->ctl, ep);
	umask(old);
	if (rc != 0) {
		log_warnx("control socket %s: %s", ep, zmq_strerror(zmq_errno()));
		return -1;
	}
	chmod(n->ctl_path, 0600);
	if (env != NULL && *env == '/' && ctl_link(n) != 0)
		return -1;
	log_debug("control socket %s", n->ctl_path);
	return 0;
}

void
ctl_close(struct node *n)
{
	if (n->ctl != NULL) {
		zmq_close(n->ctl);
		n->ctl = NULL;
	}
	if (n->ctl_path != NULL) {
		unlink(n->ctl_path);
		free(n->ctl_path);
		n->ctl_path = NULL;
	}
	if (n->ctl_link != NULL) {
		unlink(n->ctl_link);
		free(n->ctl_link);
		n->ctl_link = NULL;
	}
}

/* ---- collecting envelopes for an answer ---- */

struct col {
	ProtobufCBinaryData	 *env;
	size_t			  n, cap;
	Hiroba__Wire__Occurrence *occ;
	Hiroba__Wire__Occurrence **occp;
	size_t			  nocc, occcap;
	uint64_t		 *hash;		/* open addressing: FNV-1a -> index + 1 */
	uint32_t		 *slot;
	size_t			  nslot;
	size_t			  limit, hits;
	size_t			  bytes, max_bytes;	/* of envelopes; 0: no cap */
	/* without --limit, one group's hits at most group_max (0: no share) */
	size_t			  group_max, ngroups;
	struct { uint8_t key[HB_KEY_LEN]; size_t hits; } *groups;
};

static uint64_t
fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	while (len--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static int
col_grow_slots(struct col *c)
{
	size_t		 ns = c->nslot ? c->nslot * 2 : 1024, i, j;
	uint64_t	*nh;
	uint32_t	*nsl;

	if ((nh = calloc(ns, sizeof(*nh))) == NULL ||
	    (nsl = calloc(ns, sizeof(*nsl))) == NULL) {
		free(nh);
		return ENOMEM;
	}
	for (i = 0; i < c->nslot; i++) {
		if (c->slot[i] == 0)
			continue;
		for (j = c->hash[i] & (ns - 1); nsl[j] != 0; j = (j + 1) & (ns - 1))
			;
		nh[j] = c->hash[i];
		nsl[j] = c->slot[i];
	}
	free(c->hash);
	free(c->slot);
	c->hash = nh;
	c->slot = nsl;
	c->nslot = ns;
	return 0;
}

/* Index of env in the answer, adding it if new; -1 on failure. */
static long
col_env(struct col *c, const uint8_t *env, size_t len)
{
	uint64_t		 h = fnv1a(env, len);
	size_t			 j;
	ProtobufCBinaryData	*ne;

	if ((c->n + 1) * 2 > c->nslot && col_grow_slots(c) != 0)
		return -1;
	for (j = h & (c->nslot - 1); c->slot[j] != 0; j = (j + 1) & (c->nslot - 1)) {
		ProtobufCBinaryData *e = &c->env[c->slot[j] - 1];

		if (c->hash[j] == h && e->len == len && memcmp(e->data, env, len) == 0)
			return (long)c->slot[j] - 1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if ((ne = realloc(c->env, c->cap * sizeof(*ne))) == NULL)
			return -1;
		c->env = ne;
	}
	if ((c->env[c->n].data = malloc(len)) == NULL)
		return -1;
	memcpy(c->env[c->n].data, env, len);
	c->env[c->n].len = len;
	c->hash[j] = h;
	c->slot[j] = (uint32_t)++c->n;
	return (long)c->n - 1;
}

/*
 * A listing without --limit stops at CTL_LIMIT_DEFAULT hits; no group may take more than
 * half of them, or 1,001 early events of one member hide everyone else's. Does this hit
 * fit its group's share (counted if so)?
 */
static bool
group_share(struct col *c, const uint8_t *env, size_t len)
{
	size_t	 i;
	void	*ng;

	if (len < 2 + HB_KEY_LEN)
		return false;
	for (i = 0; i < c->ngroups; i++)
		if (memcmp(c->groups[i].key, env + 2, HB_KEY_LEN) == 0)
			break;
	if (i == c->ngroups) {
		if ((ng = reallocarray(c->groups, c->ngroups + 1, sizeof(*c->groups))) == NULL)
			return true;
		c->groups = ng;
		memcpy(c->groups[i].key, env + 2, HB_KEY_LEN);
		c->groups[i].hits = 0;
		c->ngroups++;
	}
	if (c->groups[i].hits >= c->group_max)
		return false;
	c->groups[i].hits++;
	return true;
}

static int
col_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	struct col		 *c = arg;
	long			  idx;
	void			 *np;

	if ((c->limit && c->hits >= c->limit) || (c->max_bytes && c->bytes >= c->max_bytes))
		return 1;
	if (c->group_max != 0 && !group_share(c, env, len))
		return 0;
	c->hits++;
	c->bytes += len;
	if ((idx = col_env(c, env, len)) < 0)
		return ENOMEM;
	if (start == 0 && end == 0)
		return 0;
	if (c->nocc == c->occcap) {
		c->occcap = c->occcap ? c->occcap * 2 : 64;
		if ((np = realloc(c->occ, c->occcap * sizeof(*c->occ))) == NULL)
			return ENOMEM;
		c->occ = np;
	}
	hiroba__wire__occurrence__init(&c->occ[c->nocc]);
	c->occ[c->nocc].index = (uint32_t)idx;
	c->occ[c->nocc].start = start;
	c->occ[c->nocc].end = end;
	c->nocc++;
	return 0;
}

static void
col_free(struct col *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->env[i].data);
	free(c->env);
	free(c->occ);
	free(c->occp);
	free(c->hash);
	free(c->slot);
	free(c->groups);
}

/* ---- queries ---- */

struct live {
	store_hit_cb	 cb;
	void		*arg;
	int64_t		 now;
};

static int
live_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	struct live	*l = arg;
	int64_t		 expires;

	if (proto_envelope_expires(env, len, &expires) == 0 && expires != 0 &&
	    expires <= l->now)
		return 0;
	return l->cb(env, len, start, end, l->arg);
}

int
query_live(struct store *st, const struct store_query *q, store_hit_cb cb, void *arg)
{
	struct live	 l = { cb, arg, node_now() };

	return store_query(st, q, live_hit, &l);
}

/* ---- requests ---- */

/* After a restore we sign nothing until a peer has caught us up (node.c). */
static bool
publish_held(const struct node *n, char *err, size_t errlen)
{
	if (n->self_revoked) {
		snprintf(err, errlen, "the center revoked this group's membership: nothing "
		    "can be published (ask the center to admit it again)");
		return true;
	}
	if (n->hold_publish)
		snprintf(err, errlen, "this group was restored from a backup and is still "
		    "fetching what it published since from its peers: try again in a moment");
	return n->hold_publish;
}

static int
ctl_publish(struct node *n, const ProtobufCBinaryData *draft, struct col *c,
    char *err, size_t errlen)
{
	struct hb_record *r = NULL;
	const uint8_t	*env;
	size_t		 len;
	int		 rc;

	if (publish_held(n, err, errlen))
		return EAGAIN;
	if ((rc = proto_draft_decode(draft->data, draft->len, &r)) != 0)
		goto out;
	if ((rc = store_publish(n->st, r, &n->id, node_now())) != 0)
		goto out;
	env = proto_record_envelope(r, &len);
	log_info("published %s %s (seq %llu)", proto_kind_name(proto_record_kind(r)),
	    proto_record_id(r), (unsigned long long)proto_record_seq(r));
	if (col_env(c, env, len) < 0) {
		rc = ENOMEM;
		goto out;
	}
	sync_announce(n, NULL, &env, &len, 1);
out:
	if (rc != 0)
		node_write_error(n, rc, err, errlen);
	hb_record_free(&r);
	return rc;
}

/* hiroba import: every draft in one transaction, or none of them. */
static int
ctl_publish_batch(struct node *n, const Hiroba__Wire__Drafts *d, struct col *c,
    char *err, size_t errlen)
{
	struct hb_record **recs = NULL;
	const uint8_t	**envs = NULL;
	size_t		*lens = NULL, i, nrecs = 0;
	int		*res = NULL, rc = ENOMEM;

	if (publish_held(n, err, errlen))
		return EAGAIN;
	if (d->n_drafts == 0)
		return 0;
	if (d->n_drafts > CTL_LIMIT_MAX) {
		snprintf(err, errlen, "at most %d records in one import", CTL_LIMIT_MAX);
		return PROTO_ECOUNT;
	}
	if ((recs = calloc(d->n_drafts, sizeof(*recs))) == NULL ||
	    (envs = calloc(d->n_drafts, sizeof(*envs))) == NULL ||
	    (lens = calloc(d->n_drafts, sizeof(*lens))) == NULL ||
	    (res = calloc(d->n_drafts, sizeof(*res))) == NULL)
		goto out;
	for (nrecs = 0; nrecs < d->n_drafts; nrecs++) {
		rc = proto_draft_decode(d->drafts[nrecs].data, d->drafts[nrecs].len,
		    &recs[nrecs]);
		if (rc != 0) {
			snprintf(err, errlen, "record %zu: %s", nrecs + 1, proto_strerror(rc));
			goto out;
		}
	}
	if ((rc = store_publish_many(n->st, recs, nrecs, &n->id, node_now(), res)) != 0) {
		for (i = 0; i < nrecs && res[i] == 0; i++)
			;
		if (i < nrecs && res[i] == rc)
			snprintf(err, errlen, "record %zu: %s (nothing was stored)", i + 1,
			    store_strerror(rc));
		else
			node_write_error(n, rc, err, errlen);
		goto out;
	}
	for (i = 0; i < nrecs; i++) {
		envs[i] = proto_record_envelope(recs[i], &lens[i]);
		if (col_env(c, envs[i], lens[i]) < 0) {
			rc = ENOMEM;
			goto out;
		}
	}
	log_info("published %zu records in one transaction", nrecs);
	sync_announce(n, NULL, envs, lens, nrecs);
out:
	for (i = 0; recs != NULL && i < d->n_drafts; i++)
		hb_record_free(&recs[i]);
	free(recs);
	free(envs);
	free(lens);
	free(res);
	return rc;
}

static int
ctl_get(struct node *n, const Hiroba__Wire__GetReq *g, struct col *c)
{
	uint8_t	*env = NULL;
	size_t	 len;
	int	 rc;

	if (g->author.len != HB_KEY_LEN)
		return PROTO_EKEY;
	if ((rc = store_get(n->st, g->author.data, g->id, &env, &len)) != 0)
		return rc;
	if (col_env(c, env, len) < 0)
		rc = ENOMEM;
	free(env);
	return rc;
}

static int
ctl_query(struct node *n, const Hiroba__Wire__Query *qq, struct col *c)
{
	struct store_query q = { 0 };
	size_t		 i;
	int		 rc;

	if (qq->n_terms > sizeof(q.terms) / sizeof(q.terms[0]))
		return PROTO_ECOUNT;
	if (qq->has_author && qq->author.len != HB_KEY_LEN)
		return PROTO_EKEY;
	q.kind = qq->has_kind ? (int)qq->kind : 0;
	q.from = qq->has_from ? qq->from : 0;
	q.to = qq->has_to ? qq->to : 0;
	for (i = 0; i < qq->n_terms; i++)
		q.terms[i] = qq->terms[i];
	q.nterms = qq->n_terms;
	q.text = qq->text != NULL && qq->text[0] != '\0' ? qq->text : NULL;
	if (qq->has_radius_m && qq->has_lat_e7 && qq->has_lon_e7) {
		q.near = true;
		q.lat_e7 = qq->lat_e7;
		q.lon_e7 = qq->lon_e7;
		q.radius_m = qq->radius_m;
	}
	q.author = qq->has_author ? qq->author.data : NULL;
	c->limit = qq->has_limit && qq->limit > 0 ? qq->limit : CTL_LIMIT_DEFAULT;
	if (!(qq->has_limit && qq->limit > 0) && !qq->has_author)
		c->group_max = CTL_LIMIT_DEFAULT / 2;
	if (c->limit > CTL_LIMIT_MAX)
		c->limit = CTL_LIMIT_MAX;
	rc = query_live(n->st, &q, col_hit, c);
	return rc == 1 ? 0 : rc;
}

static int
member_env(const struct hb_member *m, void *arg)
{
	struct node	*n = ((void **)arg)[0];
	struct col	*c = ((void **)arg)[1];
	char		 id[HB_ID_MAX + 1], hex[HB_KEYHEX_LEN];
	uint8_t		*env = NULL;
	size_t		 len;

	proto_key_hex(m->key, hex);
	snprintf(id, sizeof(id), "member/%s", hex);
	if (store_get(n->st, n->conf->center, id, &env, &len) == 0)
		col_env(c, env, len);
	free(env);
	return 0;
}

struct author_list {
	Hiroba__Wire__AuthorStatus **v;
	size_t			 n, cap;
	const struct node	*node;
};

static int
author_status(const struct store_author *a, void *arg)
{
	struct author_list *l = arg;
	Hiroba__Wire__AuthorStatus *s;
	void		*nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		if ((nv = realloc(l->v, l->cap * sizeof(*l->v))) == NULL)
			return ENOMEM;
		l->v = nv;
	}
	if ((s = calloc(1, sizeof(*s) + HB_KEY_LEN)) == NULL)
		return ENOMEM;
	hiroba__wire__author_status__init(s);
	memcpy(s + 1, a->author, HB_KEY_LEN);
	s->author.data = (uint8_t *)(s + 1);
	s->author.len = HB_KEY_LEN;
	s->complete = a->complete;
	s->max_seq = a->max_seq;
	s->records = a->records;
	s->has_bytes = 1;
	s->bytes = a->bytes;
	if ((s->refused_quota = node_quota_refused(l->node, a->author)) != 0)
		s->has_refused_quota = 1;
	l->v[l->n++] = s;
	return 0;
}

static void
ctl_status(struct node *n, Hiroba__Wire__CtlResponse *resp)
{
	Hiroba__Wire__Status	*s;
	Hiroba__Wire__PeerStatus *ps;
	Hiroba__Wire__KindCount	*kc;
	struct store_stats	 st;
	struct peer		*p;
	struct author_list	 al = { .node = n };
	size_t			 np = 0, i;
	int			 k;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return;
	hiroba__wire__status__init(s);
	s->key.data = n->id.pk;
	s->key.len = HB_KEY_LEN;
	s->name = n->conf->name;
	s->listen = n->conf->listen;
	s->n_listen = n->conf->nlisten;
	s->has_center = 1;
	s->center.data = n->conf->center;
	s->center.len = HB_KEY_LEN;
	if (n->self_revoked) {
		s->has_revoked = 1;
		s->revoked = 1;
	}
	s->has_rejected = 1;
	s->rejected = n->rejected;
	s->has_started = 1;
	s->started = n->started;
	for (p = n->peers; p != NULL; p = p->next)
		np++;
	s->peers = calloc(np + 1, sizeof(*s->peers));
	ps = calloc(np + 1, sizeof(*ps));
	for (p = n->peers, i = 0; p != NULL && s->peers && ps; p = p->next, i++) {
		hiroba__wire__peer_status__init(&ps[i]);
		ps[i].key.data = p->key;
		ps[i].key.len = HB_KEY_LEN;
		ps[i].name = p->name;
		ps[i].endpoint = p->endpoint;
		ps[i].connected = peer_up(p);
		ps[i].has_last_contact = p->last_contact != 0;
		ps[i].last_contact = p->last_contact;
		ps[i].has_behind = 1;
		ps[i].behind = peer_behind(n, p);
		ps[i].has_rejected = 1;
		ps[i].rejected = p->rejected;
		ps[i].has_blamed = 1;
		ps[i].blamed = p->blamed;
		s->peers[i] = &ps[i];
	}
	s->n_peers = s->peers && ps ? np : 0;
	if (s->n_peers == 0)
		free(ps);
	if (store_stats(n->st, &st) == 0) {
		s->kinds = calloc(HB_KIND_MAX, sizeof(*s->kinds));
		kc = calloc(HB_KIND_MAX, sizeof(*kc));
		for (k = 1; k <= HB_KIND_MAX && s->kinds && kc; k++) {
			hiroba__wire__kind_count__init(&kc[k - 1]);
			kc[k - 1].kind = (uint32_t)k;
			kc[k - 1].count = st.kinds[k];
			s->kinds[s->n_kinds++] = &kc[k - 1];
		}
		if (s->kinds == NULL || kc == NULL) {
			free(s->kinds);
			free(kc);
			s->kinds = NULL;
			s->n_kinds = 0;
		}
	}
	store_authors(n->st, author_status, &al);
	s->authors = al.v;
	s->n_authors = al.n;
	resp->status = s;
}

static void
status_free(Hiroba__Wire__Status *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	if (s->n_peers > 0)
		free(s->peers[0]);
	free(s->peers);
	if (s->n_kinds > 0)
		free(s->kinds[0]);	/* the KindCount array */
	free(s->kinds);
	for (i = 0; i < s->n_authors; i++)
		free(s->authors[i]);
	free(s->authors);
	free(s);
}

static void
ctl_handle(struct node *n, const uint8_t *buf, size_t len,
    Hiroba__Wire__CtlResponse *resp, struct col *c, char *err, size_t errlen)
{
	Hiroba__Wire__CtlRequest *req;
	struct peer		*p;
	void			*arg[2] = { n, c };
	int			 rc = 0;

	if ((req = hiroba__wire__ctl_request__unpack(NULL, len, buf)) == NULL) {
		resp->code = PROTO_EDECODE;
		snprintf(err, errlen, "request does not decode: is hiroba the same version "
		    "as hirobad?");
		return;
	}
	switch (req->r_case) {
	case HIROBA__WIRE__CTL_REQUEST__R_PUBLISH:
		rc = ctl_publish(n, &req->publish, c, err, errlen);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_PUBLISH_BATCH:
		rc = ctl_publish_batch(n, req->publish_batch, c, err, errlen);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_GET:
		rc = ctl_get(n, req->get, c);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_QUERY:
		rc = ctl_query(n, req->query, c);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_STATUS:
		ctl_status(n, resp);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_MEMBERS:
		rc = store_members(n->st, member_env, arg);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_CONTACT:
		rc = privacy_contact(n, req->contact, &resp->contact, err, errlen);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_COMPACT:
		rc = privacy_compact(n);
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_SYNC_NOW:
		for (p = n->peers; p != NULL; p = p->next)
			if (peer_up(p) && p->round == 0)
				sync_start(n, p);
		break;
	default:
		rc = PROTO_EMISSING;
		break;
	}
	hiroba__wire__ctl_request__free_unpacked(req, NULL);
	resp->code = rc;
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s", store_strerror(rc));
}

/* Put what c collected into resp. */
static void
col_fill(struct col *c, Hiroba__Wire__CtlResponse *resp, const char *err)
{
	size_t	 i;

	resp->error = err[0] ? (char *)err : NULL;
	resp->envelopes = c->env;
	resp->n_envelopes = c->n;
	if (c->nocc > 0 && (c->occp = calloc(c->nocc, sizeof(*c->occp))) != NULL) {
		for (i = 0; i < c->nocc; i++)
			c->occp[i] = &c->occ[i];
		resp->occurrences = c->occp;
		resp->n_occurrences = c->nocc;
	}
}

/*
 * A member's CLI asking us a read-only question over the peer socket (`hiroba
 * --remote`). Same answers as the local socket, but only queries and gets.
 */
void
ctl_remote(struct node *n, struct peer *p, const Hiroba__Wire__RemoteQuery *q,
    const uint8_t *route, size_t routelen)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__RemoteAnswer a = HIROBA__WIRE__REMOTE_ANSWER__INIT;
	Hiroba__Wire__CtlResponse resp = HIROBA__WIRE__CTL_RESPONSE__INIT;
	struct col		 c;
	char			 err[512];
	uint8_t			*out;
	size_t			 len;
	int64_t			 now;
	int			 rc;

	/*
	 * A member that sends queries and never reads the answers must not make us queue
	 * them without end (--remote for everything once took 1.7 GB): each answer is at
	 * most half of max_message (the rest is cut, as a limit cuts a listing), and the
	 * answers to one peer share a byte budget of REMOTE_BURST, refilled at
	 * REMOTE_RATE a second; over it, a short "busy" answer. A coordinator's queries
	 * are a few KiB each.
	 */
	now = node_now_ms();
	p->remote_bytes += (double)(now - p->remote_at) * REMOTE_RATE / 1000;
	if (p->remote_at == 0 || p->remote_bytes > REMOTE_BURST)
		p->remote_bytes = REMOTE_BURST;
	p->remote_at = now;
	memset(&c, 0, sizeof(c));
	c.max_bytes = n->conf->max_message / 2;
	err[0] = '\0';
	if (p->remote_bytes <= 0) {
		rc = EAGAIN;
		snprintf(err, sizeof(err), "busy: too many remote queries from this group; "
		    "try again in a few seconds");
	} else if (q->q_case == HIROBA__WIRE__REMOTE_QUERY__Q_QUERY)
		rc = ctl_query(n, q->query, &c);
	else if (q->q_case == HIROBA__WIRE__REMOTE_QUERY__Q_GET)
		rc = ctl_get(n, q->get, &c);
	else
		rc = PROTO_EMISSING;
	resp.code = rc;
	if (rc != 0 && err[0] == '\0')
		snprintf(err, sizeof(err), "%s", store_strerror(rc));
	col_fill(&c, &resp, err);
	a.id = q->id;
	a.response = &resp;
	m.m_case = HIROBA__WIRE__PEER_MSG__M_RANSWER;
	m.ranswer = &a;
	len = hiroba__wire__peer_msg__get_packed_size(&m);
	if ((out = malloc(len)) != NULL) {
		hiroba__wire__peer_msg__pack(&m, out);
		if (len > n->conf->max_message)
			log_warnx("peer %s: answer of %zu bytes is over max_message: not sent",
			    p->name, len);
		else if (peer_reply(n, p, route, routelen, out, len) == 0)
			p->remote_bytes -= (double)len;
		free(out);
	}
	log_debug("peer %s: remote query answered (%zu records)", p->name, c.n);
	col_free(&c);
}

/* The uid of the process on the other end of a control connection, or -1; *self is
 * whether that process is this one (the console's thread, console.c). */
static long
peer_uid(int fd, bool *self)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	*self = false;
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred))
		return -1;
	*self = cred.pid == getpid();
	return (long)cred.uid;
}

/* [route]([empty])[request]: REQ clients add the empty delimiter, DEALERs need not.
 * The answer goes back with the same envelope frames. */
void
ctl_dispatch(struct node *n)
{
	zmq_msg_t		 f[4];
	size_t			 nf, i, len;
	int			 more, k;
	Hiroba__Wire__CtlResponse resp = HIROBA__WIRE__CTL_RESPONSE__INIT;
	struct col		 c;
	char			 err[512];
	uint8_t			*out;

	for (k = 0; k < 64; k++) {
		nf = 0;
		more = 1;
		while (more) {
			zmq_msg_init(&f[nf < 4 ? nf : 3]);
			if (zmq_msg_recv(&f[nf < 4 ? nf : 3], n->ctl, ZMQ_DONTWAIT) == -1) {
				zmq_msg_close(&f[nf < 4 ? nf : 3]);
				break;
			}
			more = zmq_msg_more(&f[nf < 4 ? nf : 3]);
			if (nf < 4)
				nf++;
			else
				zmq_msg_close(&f[3]);
		}
		if (nf == 0)
			return;
		if (nf < 2 || nf > 3) {
			for (i = 0; i < nf; i++)
				zmq_msg_close(&f[i]);
			continue;
		}
		memset(&c, 0, sizeof(c));
		hiroba__wire__ctl_response__init(&resp);
		err[0] = '\0';
		n->ctl_uid = peer_uid(zmq_msg_get(&f[nf - 1], ZMQ_SRCFD), &n->ctl_console);
		ctl_handle(n, zmq_msg_data(&f[nf - 1]), zmq_msg_size(&f[nf - 1]), &resp, &c,
		    err, sizeof(err));
		n->ctl_uid = -1;
		n->ctl_console = false;
		col_fill(&c, &resp, err);
		len = hiroba__wire__ctl_response__get_packed_size(&resp);
		if ((out = malloc(len ? len : 1)) != NULL) {
			hiroba__wire__ctl_response__pack(&resp, out);
			for (i = 0; i + 1 < nf; i++)
				zmq_send(n->ctl, zmq_msg_data(&f[i]), zmq_msg_size(&f[i]),
				    ZMQ_SNDMORE | ZMQ_DONTWAIT);
			zmq_send(n->ctl, out, len, ZMQ_DONTWAIT);
			free(out);
		}
		status_free(resp.status);
		privacy_wipe(&resp.contact);
		col_free(&c);
		for (i = 0; i < nf; i++)
			zmq_msg_close(&f[i]);
	}
}
