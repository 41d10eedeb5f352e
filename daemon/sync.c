/* SPDX-License-Identifier: ISC */
/*
 * sync: reconciliation and live push. A pull is a chain of SyncReq/SyncBatch: each
 * request carries what we hold (per author, the seq up to which we hold everything) and
 * acknowledges the previous batch, which is only sent after that batch committed.
 * Pushes are hints that the next pull makes good. See proto/PROTOCOL.md, "Federation".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hirobad.h"
#include "log.h"
#include "wire.pb-c.h"

#define ANSWER_EXPIRY	60	/* s: an unacknowledged answer is given up */
#define SYNC_WINDOW_MAX	8	/* parts of one answer, at most */

static int
send_msg(struct node *n, struct peer *p, const Hiroba__Wire__PeerMsg *m, bool reply,
    const uint8_t *route, size_t routelen)
{
	size_t		 len = hiroba__wire__peer_msg__get_packed_size(m);
	uint8_t		*buf;
	int		 rc;

	if ((buf = malloc(len ? len : 1)) == NULL)
		return -1;
	hiroba__wire__peer_msg__pack(m, buf);
	rc = reply ? peer_reply(n, p, route, routelen, buf, len) : peer_send(n, p, buf, len);
	free(buf);
	return rc;
}

/* ---- what we hold ---- */

struct vec {
	struct store_author	*a;
	size_t			 n, cap;
};

static int
vec_add(const struct store_author *a, void *arg)
{
	struct vec		*v = arg;
	struct store_author	*na;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		if ((na = realloc(v->a, v->cap * sizeof(*na))) == NULL)
			return ENOMEM;
		v->a = na;
	}
	v->a[v->n++] = *a;
	return 0;
}

static int
vec_load(struct node *n, struct vec *v)
{
	memset(v, 0, sizeof(*v));
	return store_authors(n->st, vec_add, v);
}

static uint64_t
vec_sum(struct node *n)
{
	struct vec	 v;
	uint64_t	 sum = 0;
	size_t		 i;

	if (vec_load(n, &v) == 0)
		for (i = 0; i < v.n; i++)
			sum += v.a[i].complete;
	free(v.a);
	return sum;
}

/* Refusals that are not the sender's fault. EERASED: a copy of a sealed box whose
 * tombstone the sender has not received yet (PROTOCOL.md 12.3). */
static bool
benign(int res)
{
	/* expired: a peer that has not run its once-a-minute purge yet still holds it */
	return res == 0 || res == STORE_EDUP || res == STORE_EOLD ||
	    res == STORE_ETOMBSTONE || res == STORE_EEXPIRED || res == STORE_EERASED;
}

/*
 * The pull's cursor. A request asks, per author, for what lies above our complete; but
 * when the answerer itself lacks a record (its complete is below its max_seq), it can
 * claim nothing past that gap, our complete stays, and asking from it again would bring
 * the same first batch every time. So within one pull the next request asks from the
 * last seq this peer sent of each author: it sent every record it holds up to there
 * (answers go in seq order). An author one of whose records we refused holds still: a
 * claim must never vouch for a record we did not store. It is left out of the rest of
 * the pull (asked for from HB_SEQ_MAX, so the answerer sends none of it): otherwise a
 * batch cut inside that author's refused records (a member over its quota, a fork)
 * would come back unchanged at every request, and the pull would never reach the
 * authors after it (the model test's rogue found this). The next pull asks for it
 * again, but for a member over our quota or one that forked: that is the member's own
 * doing, and asked for at every pull its refused records came again with every push
 * that revealed a gap, many times a second. Such an author is held out of pulls from
 * that peer until the cursors are forgotten (below), and a quota freed is recovered
 * then. (A member whose admission we lack yet, or a record dated ahead of our clock,
 * is asked for at the next pull: those end soon, on their own.)
 *
 * Cursors outlive the pull. An author may have a seq that no daemon will ever hold (a
 * member that skipped one, or lost it before anyone got it): no claim can pass it, our
 * complete stays below it, and asking from complete would bring every later record of
 * that author again at every pull, from every peer (the model test's rogue, again).
 * So the next pull from the same peer goes on from its cursors; a record that reaches
 * that peer later below its cursor still comes to us live (11.4), and every
 * SYNC_FULL_EVERY seconds, and whenever a link to it comes up, a pull starts again
 * from our complete. A cursor moves only what we ask of that one peer: what one peer
 * sent never changes what we ask of another.
 */
#define SYNC_FULL_EVERY	600
#define SYNC_STUCK	60

static struct pull_cursor *
cursor_find(struct peer *p, const uint8_t author[HB_KEY_LEN], bool add)
{
	struct pull_cursor	*c;
	size_t			 i;

	for (i = 0; i < p->ncursor; i++)
		if (memcmp(p->cursor[i].author, author, HB_KEY_LEN) == 0)
			return &p->cursor[i];
	if (!add)
		return NULL;
	if (p->ncursor == p->capcursor) {
		i = p->capcursor ? p->capcursor * 2 : 16;
		if ((c = reallocarray(p->cursor, i, sizeof(*c))) == NULL)
			return NULL;
		p->cursor = c;
		p->capcursor = i;
	}
	c = &p->cursor[p->ncursor++];
	memcpy(c->author, author, HB_KEY_LEN);
	c->seq = 0;
	c->blocked = c->held_out = false;
	c->complete = 0;
	c->stuck_since = node_now();
	return c;
}

/* Move the cursor over a batch; true if it moved. */
static bool
cursor_advance(struct peer *p, const uint8_t *const *envs, const size_t *lens,
    const int *res, size_t count)
{
	struct pull_cursor	*c = NULL;
	struct hb_record	*r;
	bool			 moved = false;
	size_t			 i;

	for (i = 0; i < count; i++) {
		if (lens[i] < 2 + HB_KEY_LEN || envs[i][0] != 0x0a ||
		    envs[i][1] != HB_KEY_LEN)
			continue;
		if (c == NULL || memcmp(c->author, envs[i] + 2, HB_KEY_LEN) != 0)
			c = cursor_find(p, envs[i] + 2, true);
		if (c == NULL || c->blocked)
			continue;
		if (!benign(res[i])) {
			c->blocked = true;
			c->held_out |= res[i] == STORE_EQUOTA || res[i] == STORE_EFORK;
			moved = true;	/* the next request leaves it out */
			continue;
		}
		/* the seq of the last envelope of this author's run only */
		if (i + 1 < count && lens[i + 1] >= 2 + HB_KEY_LEN &&
		    memcmp(envs[i + 1] + 2, c->author, HB_KEY_LEN) == 0)
			continue;
		if (proto_open_verified(envs[i], lens[i], INT64_MAX / 2, &r) != 0)
			continue;
		if (proto_record_seq(r) > c->seq) {
			c->seq = proto_record_seq(r);
			moved = true;
		}
		hb_record_free(&r);
	}
	return moved;
}

/* ---- range reconciliation (PROTOCOL.md 11.3.1) ---- */

/*
 * A pull compares fingerprints of ranges of author keys first, and names an author in
 * `have` only where the answerer said it holds more of it than we do, or where we have
 * a gap of our own (max_seq above complete: a hole that only a full look at the
 * answerer's records can fill, and that equal fingerprints cannot see). Between equal
 * stores a round is one fingerprint each way, whatever the number of authors; a
 * difference costs about log16(authors) round trips and bytes in proportion to it.
 */
#define RECON_REQS_MAX	512	/* requests with ranges in one pull: then give up */
#define RECON_WANT_MAX	(4 * RECON_MSG_MAX)
#define RECON_ASK_LIMIT	100000	/* authors named in one request (as `have`) */

static bool
range_from_wire(const Hiroba__Wire__Range *w, struct recon_range *r)
{
	memset(r, 0, sizeof(*r));
	if ((w->has_lower && w->lower.len > HB_KEY_LEN) ||
	    (w->has_upper && w->upper.len > HB_KEY_LEN) || w->fp.len != RECON_FP_LEN)
		return false;
	if (w->has_lower && w->lower.len > 0) {
		memcpy(r->lo.b, w->lower.data, w->lower.len);
		r->lo.len = w->lower.len;
	}
	if (w->has_upper && w->upper.len > 0) {
		memcpy(r->hi.b, w->upper.data, w->upper.len);
		r->hi.len = w->upper.len;
	}
	return true;
}

static void
range_to_wire(const struct recon_range *r, const uint8_t *fp, Hiroba__Wire__Range *w)
{
	hiroba__wire__range__init(w);
	if (r->lo.len > 0) {
		w->has_lower = 1;
		w->lower.data = (uint8_t *)r->lo.b;
		w->lower.len = r->lo.len;
	}
	if (r->hi.len > 0) {
		w->has_upper = 1;
		w->upper.data = (uint8_t *)r->hi.b;
		w->upper.len = r->hi.len;
	}
	w->fp.data = (uint8_t *)fp;
	w->fp.len = RECON_FP_LEN;
}

static int
claim_cmp(const void *a, const void *b)
{
	return memcmp(((const struct store_claim *)a)->author,
	    ((const struct store_claim *)b)->author, HB_KEY_LEN);
}

static const struct store_author *
set_find(const struct recon_set *rs, const uint8_t author[HB_KEY_LEN])
{
	size_t		 lo = 0, hi = rs->n, mid;
	int		 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = memcmp(rs->a[mid].author, author, HB_KEY_LEN)) == 0)
			return &rs->a[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct store_claim *
ask_find(const struct peer *p, const uint8_t author[HB_KEY_LEN])
{
	struct store_claim	 key;

	if (p->nask == 0)
		return NULL;
	memcpy(key.author, author, HB_KEY_LEN);
	return bsearch(&key, p->ask, p->nask, sizeof(key), claim_cmp);
}

static int
claims_add(struct store_claim **a, size_t *n, size_t *cap, const uint8_t *author,
    uint64_t seq)
{
	struct store_claim	*na;
	size_t			 nc;

	if (*n == *cap) {
		nc = *cap ? *cap * 2 : 64;
		if ((na = reallocarray(*a, nc, sizeof(*na))) == NULL)
			return ENOMEM;
		*a = na;
		*cap = nc;
	}
	memcpy((*a)[*n].author, author, HB_KEY_LEN);
	(*a)[*n].complete = seq;
	(*n)++;
	return 0;
}

static int
want_add(struct peer *p, const struct recon_range *r)
{
	struct recon_range	*nw;
	size_t			 nc;

	if (p->nwant >= RECON_WANT_MAX)
		return ENOSPC;
	if (p->nwant == p->capwant) {
		nc = p->capwant ? p->capwant * 2 : 16;
		if ((nw = reallocarray(p->want, nc, sizeof(*nw))) == NULL)
			return ENOMEM;
		p->want = nw;
		p->capwant = nc;
	}
	p->want[p->nwant++] = *r;
	return 0;
}

/*
 * What an answer's ranges and holds tell us, after its records were stored: the ranges
 * of its answer whose fingerprints differ from ours now go to the next request; an
 * author it holds more of than we ask for is named in the next request. True if the
 * pull has something new to ask.
 */
static bool
recon_take(struct node *n, struct peer *p, const Hiroba__Wire__SyncBatch *b)
{
	struct recon_set	 rs;
	struct recon_range	 rg;
	struct pull_cursor	*c;
	const struct store_author *mine;
	struct vec		 v;
	uint64_t		 ours, top;
	size_t			 done, i, nask0 = p->nask;
	bool			 more = false;

	done = b->has_ranges_done && b->ranges_done < p->want_sent ? b->ranges_done :
	    p->want_sent;
	if (!b->has_ranges_done)
		done = 0;
	if (p->want_sent > 0 && done == 0) {
		/* an answerer that does not compare ranges: nothing more to learn */
		log_debug("peer %s: compared none of our ranges", p->name);
		p->nwant = 0;
	} else if (done > 0) {
		memmove(p->want, p->want + done, (p->nwant - done) * sizeof(*p->want));
		p->nwant -= done;
	}
	p->want_sent = 0;
	if (b->n_ranges == 0 && b->n_holds == 0)
		return p->nwant > 0;
	if (vec_load(n, &v) != 0 || recon_set_load(&rs, v.a, v.n) != 0) {
		free(v.a);
		return false;
	}
	for (i = 0; i < b->n_ranges; i++) {
		if (!range_from_wire(b->ranges[i], &rg))
			continue;	/* checked as the batch came in */
		if (recon_differs(&rs, &rg, b->ranges[i]->fp.data) &&
		    want_add(p, &rg) != 0)
			break;
	}
	for (i = 0; i < b->n_holds; i++) {
		top = b->holds[i]->complete;
		claims_add(&p->heard, &p->nheard, &p->capheard, b->holds[i]->author.data,
		    top);
		if ((c = cursor_find(p, b->holds[i]->author.data, false)) != NULL &&
		    (c->blocked || c->held_out))
			continue;
		mine = set_find(&rs, b->holds[i]->author.data);
		ours = mine != NULL ? mine->complete : 0;
		if (c != NULL && c->seq > ours)
			ours = c->seq;
		if (top <= ours || ask_find(p, b->holds[i]->author.data) != NULL ||
		    p->nask >= RECON_ASK_LIMIT)
			continue;
		/* appended unsorted: sorted below, so ask_find sees only the old ones */
		if (claims_add(&p->ask, &p->nask, &p->capask, b->holds[i]->author.data,
		    0) != 0)
			break;
	}
	if (p->nask > nask0) {
		qsort(p->ask, p->nask, sizeof(*p->ask), claim_cmp);
		more = true;
	}
	recon_set_free(&rs);
	free(v.a);
	return more || p->nwant > 0;
}

/* The pull ended: what its answers said it holds becomes what status shows as lag. */
static void
recon_end(struct peer *p)
{
	if (p->heard == NULL && p->nheard == 0 && p->range_reqs == 0)
		return;
	if (p->nheard > 1)
		qsort(p->heard, p->nheard, sizeof(*p->heard), claim_cmp);
	free(p->theirs);
	p->theirs = p->heard;
	p->ntheirs = p->nheard;
	p->heard = NULL;
	p->nheard = p->capheard = 0;
}

void
sync_start(struct node *n, struct peer *p)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__SyncReq	 r = HIROBA__WIRE__SYNC_REQ__INIT;
	Hiroba__Wire__AuthorState *as = NULL, **asp = NULL;
	Hiroba__Wire__Range	*rg = NULL, **rgp = NULL;
	uint8_t			(*fps)[RECON_FP_LEN] = NULL;
	struct recon_range	 all;
	struct recon_set	 rs = { 0 };
	struct pull_cursor	*c;
	struct vec		 v;
	size_t			 i, nas = 0, nrg, i0, i1;
	bool			 named;

	if (!peer_up(p))
		return;
	if (vec_load(n, &v) != 0 || recon_set_load(&rs, v.a, v.n) != 0)
		goto out;
	if (!p->in_round && node_now() - p->cursor_since >= SYNC_FULL_EVERY) {
		p->ncursor = 0;		/* now and then a pull from what we hold */
		p->cursor_since = node_now();
	} else if (!p->in_round) {
		for (i = 0; i < p->ncursor; i++)
			p->cursor[i].blocked = false;	/* try the refused again */
	}
	/* A new pull asks from complete where our complete moved lately or the cursor is
	 * young: a claim in answer can then cover a hole below the cursor (asked from the
	 * cursor, the answerer skips the author and claims nothing, and complete would
	 * stay below a plain hole until the reset: the soak's seed 204). Only a gap that
	 * has held SYNC_STUCK seconds is taken as one no peer can close, and asked past. */
	for (i = 0; !p->in_round && i < v.n; i++) {
		if ((c = cursor_find(p, v.a[i].author, false)) == NULL)
			continue;
		if (v.a[i].complete >= c->seq || v.a[i].complete != c->complete) {
			c->complete = v.a[i].complete;
			c->stuck_since = node_now();
		}
		if (node_now() - c->stuck_since < SYNC_STUCK)
			c->seq = 0;
	}
	if (!p->in_round) {	/* a new pull: the whole key space, nobody named yet */
		memset(&all, 0, sizeof(all));
		p->nwant = p->nask = p->nheard = 0;
		p->want_sent = 0;
		p->range_reqs = 0;
		want_add(p, &all);
	}
	/* have: the authors named (the answerer said it holds more of them) and those
	 * with a gap of our own; the others are left to the ranges. Whenever any author
	 * is named, the center is too: the answer then walks the center's records first,
	 * so an admission comes before the records of the group it admits (and a record
	 * of a non-member is the answerer's fault, sync_ingest). */
	named = p->nask > 0;
	for (i = 0; i < v.n && !named; i++)
		named = v.a[i].max_seq > v.a[i].complete;
	if ((as = calloc(v.n + p->nask + 1, sizeof(*as))) == NULL ||
	    (asp = calloc(v.n + p->nask + 1, sizeof(*asp))) == NULL)
		goto out;
	for (i = 0; i < v.n + p->nask; i++) {
		const uint8_t	*author;
		uint64_t	 complete = 0;

		if (i < v.n) {
			author = v.a[i].author;
			complete = v.a[i].complete;
			if (v.a[i].max_seq <= complete && ask_find(p, author) == NULL &&
			    !(named && memcmp(author, n->conf->center, HB_KEY_LEN) == 0))
				continue;
		} else {	/* named, and we hold nothing of it */
			author = p->ask[i - v.n].author;
			if (set_find(&rs, author) != NULL)
				continue;
		}
		if ((c = cursor_find(p, author, false)) != NULL &&
		    (c->blocked || c->held_out))
			continue;	/* left out: the answerer sends none of it */
		if (c != NULL && c->seq > complete)
			complete = c->seq;
		hiroba__wire__author_state__init(&as[nas]);
		as[nas].author.data = (uint8_t *)author;
		as[nas].author.len = HB_KEY_LEN;
		as[nas].complete = complete;
		asp[nas] = &as[nas];
		nas++;
	}
	nrg = p->nwant < RECON_ASK_MAX ? p->nwant : RECON_ASK_MAX;
	if ((rg = calloc(nrg + 1, sizeof(*rg))) == NULL ||
	    (rgp = calloc(nrg + 1, sizeof(*rgp))) == NULL ||
	    (fps = calloc(nrg + 1, sizeof(*fps))) == NULL)
		goto out;
	for (i = 0; i < nrg; i++) {
		recon_span(&rs, &p->want[i], &i0, &i1);
		recon_fp(&rs, i0, i1, fps[i]);
		range_to_wire(&p->want[i], fps[i], &rg[i]);
		rgp[i] = &rg[i];
	}
	r.round = n->next_round++;
	r.n_have = nas;
	r.have = asp;
	r.has_scoped = 1;
	r.scoped = 1;
	r.n_ranges = nrg;
	r.ranges = rgp;
	r.has_max_records = 1;
	r.max_records = n->conf->max_batch;
	r.has_max_bytes = 1;
	r.max_bytes = n->conf->max_message / 2;
	if (n->conf->sync_window > 1) {
		r.has_window = 1;
		r.window = n->conf->sync_window;
	}
	if (p->got_token != 0) {
		r.has_ack = 1;
		r.ack = p->got_token;
	}
	m.m_case = HIROBA__WIRE__PEER_MSG__M_SYNC_REQ;
	m.sync_req = &r;
	if (!p->in_round) {
		p->in_round = true;
		p->round_t0 = node_now_ms();
		p->round_out = p->round_in = p->round_recs = 0;
	}
	if (send_msg(n, p, &m, false, NULL, 0) == 0) {
		p->round_out += hiroba__wire__peer_msg__get_packed_size(&m);
		p->round = r.round;
		p->round_sent = node_now();
		p->part_next = 1;
		p->want_sent = nrg;
		if (nrg > 0)
			p->range_reqs++;
		log_debug("peer %s: pull round %llu (%zu authors named, %zu ranges)",
		    p->name, (unsigned long long)r.round, nas, nrg);
	} else {
		p->next_pull = node_now() + 1;
		p->in_round = false;
	}
out:
	free(as);
	free(asp);
	free(rg);
	free(rgp);
	free(fps);
	recon_set_free(&rs);
	free(v.a);
}

/* ---- answering a pull ---- */

struct batch {
	ProtobufCBinaryData	*env;
	size_t			 n, cap;
	size_t			 bytes, max_bytes, max_records;
	bool			 full;
	uint64_t		 last;	/* seq of the last record added, of the author scanned */
};

/* Add one record to the batch, unless a limit is reached. The first record always goes
 * in: an envelope (at most HB_ENV_MAX) fits every daemon's max_message (conf.c keeps it
 * at least HB_MSG_MIN), and a batch that could not carry one record would stall the
 * pull for good. */
static int
batch_add(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	struct batch		*b = arg;
	ProtobufCBinaryData	*ne;

	if (b->n > 0 && (b->n >= b->max_records || b->bytes + len > b->max_bytes)) {
		b->full = true;
		return 1;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		if ((ne = realloc(b->env, b->cap * sizeof(*ne))) == NULL)
			return ENOMEM;
		b->env = ne;
	}
	if ((b->env[b->n].data = malloc(len)) == NULL)
		return ENOMEM;
	memcpy(b->env[b->n].data, env, len);
	b->env[b->n].len = len;
	b->n++;
	b->bytes += len;
	b->last = seq;
	return 0;
}

void
sync_answer(struct node *n, struct peer *p, const Hiroba__Wire__SyncReq *r,
    const uint8_t *route, size_t routelen)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__SyncBatch	 sb = HIROBA__WIRE__SYNC_BATCH__INIT;
	Hiroba__Wire__AuthorState *cs = NULL, **csp = NULL;
	struct store_claim	*theirs = NULL, key, *hit;
	struct batch		 b = { 0 };
	struct vec		 v = { 0 };
	struct recon_set	 rs = { 0 };
	struct recon_range	 rg, *in = NULL;
	uint8_t			(*infp)[RECON_FP_LEN] = NULL;
	struct recon_out	 ra = { 0 };
	Hiroba__Wire__Range	*rw = NULL, **rwp = NULL;
	Hiroba__Wire__AuthorState *hw = NULL, **hwp = NULL;
	const struct store_author *h;
	uint64_t		 c, top, claim, resume;
	size_t			 i, j, nclaims = 0, window, part;
	int			 rc, conn;
	bool			 scoped = r->has_scoped && r->scoped, inside;

	if (r->n_have > 100000 || r->n_ranges > RECON_MSG_MAX) {
		peer_misbehaved(n, p, true, "sent a sync request with too many authors");
		return;
	}
	for (i = 0; i < r->n_ranges; i++)
		if (!range_from_wire(r->ranges[i], &rg)) {
			peer_misbehaved(n, p, true, "sent a malformed sync request");
			return;
		}
	/*
	 * One unread answer per peer and connection: a SyncReq is answered only when it
	 * carries the token of our last answer to that peer (it has read it), when there
	 * is none outstanding, or when it comes over another connection than that answer
	 * went on (which a restarted puller does: the answer died with the old one, whose
	 * close we may not have tied to the peer). 3,000 requests that a member never
	 * read once grew the daemon by ~895 MiB of queued answers. An answer
	 * unacknowledged for ANSWER_EXPIRY is given up too.
	 */
	conn = route != NULL ? p->in_fd : -1;
	if (p->answer_token != 0 && !(r->has_ack && r->ack == p->answer_token) &&
	    conn == p->answer_fd && node_now() - p->answer_at < ANSWER_EXPIRY) {
		if (p->unanswered++ % 100 == 0)
			log_info("peer %s: a sync request before it read our last answer: "
			    "not answered (%llu so far)", p->name,
			    (unsigned long long)p->unanswered);
		return;
	}
	p->answer_token = 0;
	if ((theirs = calloc(r->n_have + 1, sizeof(*theirs))) == NULL)
		return;
	for (i = 0; i < r->n_have; i++) {
		if (r->have[i]->author.len != HB_KEY_LEN ||
		    r->have[i]->complete > HB_SEQ_MAX) {
			peer_misbehaved(n, p, true, "sent a malformed sync request");
			goto out;
		}
		memcpy(theirs[i].author, r->have[i]->author.data, HB_KEY_LEN);
		theirs[i].complete = r->have[i]->complete;
	}
	qsort(theirs, r->n_have, sizeof(*theirs), claim_cmp);
	/* keep what it holds, to show how far apart we are (a scoped request names only
	 * some authors: then our own pulls' answers tell, recon_end) */
	if (!scoped) {
		free(p->theirs);
		if ((p->theirs = malloc((r->n_have + 1) * sizeof(*theirs))) != NULL) {
			memcpy(p->theirs, theirs, r->n_have * sizeof(*theirs));
			p->ntheirs = r->n_have;
		} else {
			p->ntheirs = 0;
		}
	}

	b.max_records = r->has_max_records && r->max_records > 0 &&
	    r->max_records < n->conf->max_batch ? r->max_records : n->conf->max_batch;
	b.max_bytes = n->conf->max_message / 2;
	if (r->has_max_bytes && r->max_bytes < b.max_bytes)
		b.max_bytes = r->max_bytes;
	if (vec_load(n, &v) != 0)
		goto out;
	if ((cs = calloc(v.n + 1, sizeof(*cs))) == NULL ||
	    (csp = calloc(v.n + 1, sizeof(*csp))) == NULL)
		goto out;
	/* The ranges first, within half the byte budget; the envelopes get the rest. */
	if (scoped && r->n_ranges > 0) {
		if ((in = calloc(r->n_ranges, sizeof(*in))) == NULL ||
		    (infp = calloc(r->n_ranges, sizeof(*infp))) == NULL)
			goto out;
		for (i = 0; i < r->n_ranges; i++) {
			range_from_wire(r->ranges[i], &in[i]);
			memcpy(infp[i], r->ranges[i]->fp.data, RECON_FP_LEN);
		}
		if (recon_set_load(&rs, v.a, v.n) != 0 ||
		    recon_answer(&rs, in, (const uint8_t (*)[RECON_FP_LEN])infp,
		    r->n_ranges, n->conf->recon_leaf, n->conf->recon_split,
		    b.max_bytes / 2, &ra) != 0)
			goto out;
		if ((rw = calloc(ra.nr + 1, sizeof(*rw))) == NULL ||
		    (rwp = calloc(ra.nr + 1, sizeof(*rwp))) == NULL ||
		    (hw = calloc(ra.nh + 1, sizeof(*hw))) == NULL ||
		    (hwp = calloc(ra.nh + 1, sizeof(*hwp))) == NULL)
			goto out;
		for (i = 0; i < ra.nr; i++) {
			range_to_wire(&ra.r[i], ra.fp[i], &rw[i]);
			rwp[i] = &rw[i];
		}
		for (i = 0; i < ra.nh; i++) {
			h = &rs.a[ra.hold[i]];
			hiroba__wire__author_state__init(&hw[i]);
			hw[i].author.data = (uint8_t *)h->author;
			hw[i].author.len = HB_KEY_LEN;
			hw[i].complete = h->max_seq > h->complete ? h->max_seq : h->complete;
			hwp[i] = &hw[i];
		}
		b.bytes = ra.bytes;
	}
	/*
	 * Root first (store_authors' order), so that admissions precede the records of
	 * the groups they admit. Up to `window` batches in a row (parts of one answer):
	 * each part goes on where the one before was cut, as if the puller had stored it
	 * and asked again from there, so that the puller verifies and commits one part
	 * while the next is on its way. Its claims assume the parts before it were stored:
	 * a puller takes a part only right after the one before it (PROTOCOL.md 11.3.2).
	 */
	window = r->has_window && r->window > 1 ? r->window : 1;
	if (window > SYNC_WINDOW_MAX)
		window = SYNC_WINDOW_MAX;
	for (part = 1, i = 0, resume = 0;; part++) {
		for (; i < v.n; i++) {
			memcpy(key.author, v.a[i].author, HB_KEY_LEN);
			hit = bsearch(&key, theirs, r->n_have, sizeof(*theirs), claim_cmp);
			if (hit == NULL && scoped)
				continue;	/* not named: the ranges speak for it */
			c = hit != NULL ? hit->complete : 0;
			if (resume > c)		/* the part before was cut inside it */
				c = resume;
			resume = 0;
			top = v.a[i].max_seq > v.a[i].complete ? v.a[i].max_seq :
			    v.a[i].complete;
			if (top <= c)
				continue;
			b.last = c;
			rc = store_scan_author(n->st, v.a[i].author, c, 0, batch_add, &b);
			if (rc != 0 && rc != 1) {
				log_warnx("answering peer %s: %s", p->name, store_strerror(rc));
				goto out;
			}
			/* What we claim: every current record with seq <= complete is held
			 * here, and those above the puller's c are in this batch. When the
			 * batch was cut inside this author, that is true only up to the
			 * last seq sent. */
			claim = v.a[i].complete;
			if (b.full && b.last < claim)
				claim = b.last;
			inside = b.full;
			if (claim > c) {
				hiroba__wire__author_state__init(&cs[nclaims]);
				cs[nclaims].author.data = v.a[i].author;
				cs[nclaims].author.len = HB_KEY_LEN;
				cs[nclaims].complete = claim;
				csp[nclaims] = &cs[nclaims];
				nclaims++;
				b.bytes += HB_KEY_LEN + 16;	/* a claim on the wire, at most */
				if (b.bytes >= b.max_bytes)
					b.full = true;
			}
			if (inside) {		/* the next part goes on inside it */
				resume = b.last;
				break;
			}
			if (b.full) {		/* cut after it: the next part starts after */
				i++;
				break;
			}
		}
		sb.round = r->round;
		sb.n_envelopes = b.n;
		sb.envelopes = b.env;
		sb.n_complete = nclaims;
		sb.complete = csp;
		sb.more = b.full;
		sb.has_part = window > 1;
		sb.part = (uint32_t)part;
		sb.has_follows = sb.follows = b.full && part < window;
		if (scoped && part == 1) {
			sb.has_ranges_done = 1;
			sb.ranges_done = ra.done;
			sb.n_ranges = ra.nr;
			sb.ranges = rwp;
			sb.n_holds = ra.nh;
			sb.holds = hwp;
		} else {
			sb.has_ranges_done = 0;
			sb.n_ranges = sb.n_holds = 0;
		}
		do
			randombytes_buf(&sb.token, sizeof(sb.token));
		while (sb.token == 0);
		sb.has_token = 1;
		m.m_case = HIROBA__WIRE__PEER_MSG__M_BATCH;
		m.batch = &sb;
		if (send_msg(n, p, &m, true, route, routelen) != 0)
			break;
		p->answer_token = sb.token;
		p->answer_at = node_now();
		p->answer_fd = conn;
		if (b.n > 0)
			log_debug("peer %s: sent %zu records (%zu bytes)%s", p->name, b.n,
			    b.bytes, b.full ? ", more to come" : "");
		if (!sb.follows)
			break;
		for (j = 0; j < b.n; j++)
			free(b.env[j].data);
		b.n = b.bytes = 0;
		b.full = false;
		nclaims = 0;
	}
out:
	for (i = 0; i < b.n; i++)
		free(b.env[i].data);
	free(b.env);
	free(cs);
	free(csp);
	recon_out_free(&ra);
	free(in);
	free(infp);
	free(rw);
	free(rwp);
	free(hw);
	free(hwp);
	recon_set_free(&rs);
	free(v.a);
	free(theirs);
}

/* ---- storing what arrives ---- */


/*
 * A record dated close to the future limit (HB_FUTURE_SKEW, 900 s) is taken here but not
 * pushed on: a neighbour whose clock is a little behind ours would refuse it. It travels
 * by the neighbours' pulls instead, which ask again until their clocks get there.
 */
#define RELAY_CLOCK_MARGIN	120	/* seconds */

static bool
too_far_ahead_to_relay(const uint8_t *env, size_t len, int64_t now)
{
	struct hb_record	*r;
	bool			 ahead;

	if (proto_open_verified(env, len, INT64_MAX / 2, &r) != 0)
		return true;
	ahead = proto_record_created(r) > now + HB_FUTURE_SKEW - RELAY_CLOCK_MARGIN;
	hb_record_free(&r);
	return ahead;
}

/*
 * Never blame a peer for what it only relayed. Most refusals are of rules every honest
 * daemon checks before it stores (and so before it relays) a record: signatures,
 * encoding, the validation rules of PROTOCOL.md 6. Those are the sender's fault, relayed
 * or not, and count toward its ban. These depend on the receiver's clock or on what it
 * holds, and an honest relay can pass them on: counted, logged, never blamed (issue 12:
 * one member got honest daemons banned from each other with records dated 900 s
 * ahead, or with two versions of the same seqs). Returns why, or NULL if blamed.
 */
static const char *
not_senders_fault(int res, const uint8_t *env, size_t len, const struct peer *p)
{
	bool	 own = len >= 2 + HB_KEY_LEN && env[0] == 0x0a && env[1] == HB_KEY_LEN &&
		    memcmp(env + 2, p->key, HB_KEY_LEN) == 0;

	switch (res) {
	case PROTO_EFUTURE:
		return "dated ahead of our clock (its author's clock or ours is off); "
		    "taken when our clock gets there";
	case STORE_EREVOKED:
		return own ? "its own record after its revocation" :
		    "relayed before the revocation reached it";
	case STORE_EQUOTA:
		return "its author is over its quota here (member_records, member_bytes)";
	case STORE_EFORK:
		/* the author itself sent both versions: that one is its own doing */
		return own ? NULL : "its author signed this seq twice with other content "
		    "(a key used on two machines, or a hostile member); we keep the "
		    "version we got first";
	default:
		return NULL;
	}
}

/*
 * Records refused as over their author's quota: one line for the batch, and a warning at
 * most every QUOTA_LOG_EVERY seconds per author. Every pull brings such records again
 * (they are asked for until the author frees room), and a line per pull would fill the
 * log, as the model test's rogue showed.
 */
#define QUOTA_LOG_EVERY	600

static void
log_quota(struct node *n, const struct peer *p, const uint8_t *env, size_t count)
{
	struct store_author	 a;
	char			 fpr[HB_FPR_LEN];
	void			(*say)(const char *, ...) = log_warnx;
	size_t			 i;

	for (i = 0; i < n->nquota; i++)
		if (memcmp(n->quota[i].author, env + 2, HB_KEY_LEN) == 0) {
			if (n->quota[i].logged != 0 &&
			    node_now() - n->quota[i].logged < QUOTA_LOG_EVERY)
				say = log_debug;
			else
				n->quota[i].logged = node_now();
			break;
		}
	if (store_author_get(n->st, env + 2, &a) != 0)
		memset(&a, 0, sizeof(a));
	proto_fingerprint(env + 2, fpr);
	say("%s: %zu records of group %s refused: over its quota here (%llu records "
	    "of %u, %llu bytes of %zu; [limits] member_records, member_bytes)",
	    p != NULL ? p->name : "here", count, fpr, (unsigned long long)a.records,
	    n->conf->member_records, (unsigned long long)a.bytes, n->conf->member_bytes);
}

/*
 * A record of a group that is not a member here. Pulled, it is the sender's fault: the
 * answer walks the center's records first, so whatever admission the sender holds we
 * hold too by now, unless the center deleted that admission (a tombstone of its
 * membership, which the sender may have stored the records before). Pushed, it is not:
 * the admission may have been dropped on the way (ZeroMQ drops at the high-water mark),
 * and a pull from the sender settles it.
 */
static bool
unknown_is_senders_fault(struct node *n, const uint8_t *env, size_t len)
{
	struct hb_record	*r = NULL;
	char			 mid[HB_ID_MAX + 1];
	uint8_t			*cur = NULL;
	size_t			 curlen;
	bool			 fault = true;

	if (proto_open_verified(env, len, INT64_MAX / 2, &r) != 0)
		return true;
	snprintf(mid, sizeof(mid), "member/");
	proto_key_hex(proto_record_author(r), mid + 7);
	if (store_get(n->st, n->conf->center, mid, &cur, &curlen) == 0)
		fault = false;
	free(cur);
	hb_record_free(&r);
	return fault;
}

/* Did storing these records leave an author with records above what we hold completely?
 * Then something between was missed (a dropped push). */
static bool
left_a_gap(struct node *n, const uint8_t *const *envs, const size_t *lens,
    const int *res, size_t count)
{
	struct hb_record	*r;
	struct store_author	 a;
	bool			 gap = false;
	size_t			 i;

	for (i = 0; i < count && !gap; i++) {
		if (res[i] != 0 ||
		    proto_open_verified(envs[i], lens[i], INT64_MAX / 2, &r) != 0)
			continue;
		gap = store_author_get(n->st, proto_record_author(r), &a) == 0 &&
		    a.complete < a.max_seq;
		hb_record_free(&r);
	}
	return gap;
}

int
sync_ingest(struct node *n, struct peer *p, const uint8_t *const *envs,
    const size_t *lens, size_t count, const struct store_claim *claims, size_t nclaims,
    const bool *relayed, bool *gap, int *verdicts)
{
	const uint8_t		**fresh = NULL;
	size_t			*freshlen = NULL, nfresh = 0, nstored = 0, nunknown = 0, i;
	size_t			 nquota = 0;
	const uint8_t		*quota_author = NULL;
	int			*res = NULL;
	int			 rc = ENOMEM;
	bool			 pulled = gap == NULL;
	char			 why[256];
	const char		*excuse;

	if (gap != NULL)
		*gap = false;
	if ((res = calloc(count + 1, sizeof(*res))) == NULL ||
	    (fresh = calloc(count + 1, sizeof(*fresh))) == NULL ||
	    (freshlen = calloc(count + 1, sizeof(*freshlen))) == NULL)
		goto out;
	rc = store_ingest(n->st, envs, lens, count, node_now(), claims, nclaims, res,
	    &nstored);
	if (rc != 0) {
		log_warnx("storing %zu records from %s failed: %s (nothing of them stored; "
		    "they will be asked for again)", count, p ? p->name : "here",
		    node_write_error(n, rc, why, sizeof(why)));
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (res[i] == 0) {
			if ((relayed == NULL || !relayed[i]) &&
			    !too_far_ahead_to_relay(envs[i], lens[i], node_now())) {
				fresh[nfresh] = envs[i];
				freshlen[nfresh++] = lens[i];
			}
			continue;
		}
		if (benign(res[i]))
			continue;
		n->rejected++;
		node_rejected(n, res[i]);
		if (p != NULL)
			p->rejected++;
		if (res[i] == STORE_EUNKNOWN) {
			nunknown++;
			if (p != NULL && pulled && unknown_is_senders_fault(n, envs[i], lens[i]))
				peer_misbehaved(n, p, false, "sent a record of a group that "
				    "is not a member (its batch came after the center's "
				    "records)");
			continue;
		}
		if (res[i] == STORE_EQUOTA) {
			/* one line per batch, not per record: a flood must not fill the
			 * disk through the log instead */
			if (lens[i] >= 2 + HB_KEY_LEN)
				node_over_quota(n, envs[i] + 2);
			if (nquota++ == 0)
				quota_author = envs[i];
			continue;
		}
		if (res[i] == STORE_EFORK)
			log_warnx("%s: a record reuses a sequence number with other content: "
			    "is some group's key used on two machines?", p ? p->name : "here");
		if (p == NULL)
			continue;
		snprintf(why, sizeof(why), "record refused: %s (%s)", store_strerror(res[i]),
		    store_errname(res[i]));
		if ((excuse = not_senders_fault(res[i], envs[i], lens[i], p)) != NULL)
			log_warnx("peer %s: %s: %s", p->name, why, excuse);
		else
			peer_misbehaved(n, p, false, why);
	}
	if (verdicts != NULL)
		memcpy(verdicts, res, count * sizeof(*res));
	if (nquota > 0)
		log_quota(n, p, quota_author, nquota);
	if (nunknown > 0 && !pulled)
		log_info("%s: records of a group that is not a member here (%zu): not "
		    "stored; asking it for the center's records", p ? p->name : "here",
		    nunknown);
	if (nfresh > 0) {
		log_debug("%s: %zu new records", p ? p->name : "here", nfresh);
		sync_announce(n, p, fresh, freshlen, nfresh);
	}
	/* A pushed record beyond what we hold completely, or of a group we do not know,
	 * means we missed something: ask the sender for the rest. */
	if (gap != NULL)
		*gap = nunknown > 0 || left_a_gap(n, envs, lens, res, count);
out:
	free(res);
	free(fresh);
	free(freshlen);
	return rc;
}

void
sync_batch(struct node *n, struct peer *p, const Hiroba__Wire__SyncBatch *b)
{
	struct store_claim	*claims = NULL;
	const uint8_t		**envs = NULL;
	size_t			*lens = NULL, i, nclaims = 0;
	struct recon_range	 rg;
	struct pull_cursor	*cur;
	uint32_t		 part = b->has_part ? b->part : 1;
	int			*verdicts = NULL, rc;
	bool			 ask, malformed = false;

	if (b->has_token)	/* read, even if late: our next request says so */
		p->got_token = b->token;
	if (p->round == 0 || b->round != p->round) {
		log_debug("peer %s: batch for round %llu, not ours: ignored", p->name,
		    (unsigned long long)b->round);
		return;
	}
	/* A part's claims assume the parts before it were stored: one that does not come
	 * right after the one before (a part lost on the way) ends the answer here. */
	if (part != p->part_next) {
		log_info("peer %s: part %u of its answer came where part %u was due: the "
		    "rest of the answer is ignored", p->name, part, p->part_next);
		p->round = 0;
		p->in_round = false;
		p->want_sent = 0;
		p->next_pull = node_now() + 1;
		return;
	}
	p->part_next++;
	if ((claims = calloc(b->n_complete + 1, sizeof(*claims))) == NULL ||
	    (envs = calloc(b->n_envelopes + 1, sizeof(*envs))) == NULL ||
	    (lens = calloc(b->n_envelopes + 1, sizeof(*lens))) == NULL ||
	    (verdicts = calloc(b->n_envelopes + 1, sizeof(*verdicts))) == NULL)
		goto out;
	for (i = 0; i < b->n_complete; i++) {
		if (b->complete[i]->author.len != HB_KEY_LEN ||
		    b->complete[i]->complete > HB_SEQ_MAX) {
			malformed = true;
			break;
		}
		/* an author refused earlier in this pull (in a part before this one)
		 * gets no claim: it would vouch for the records we refused */
		if ((cur = cursor_find(p, b->complete[i]->author.data, false)) != NULL &&
		    cur->blocked)
			continue;
		memcpy(claims[nclaims].author, b->complete[i]->author.data, HB_KEY_LEN);
		claims[nclaims++].complete = b->complete[i]->complete;
	}
	malformed |= b->n_ranges > RECON_MSG_MAX || b->n_holds > RECON_MSG_MAX;
	for (i = 0; !malformed && i < b->n_ranges; i++)
		malformed = !range_from_wire(b->ranges[i], &rg);
	for (i = 0; !malformed && i < b->n_holds; i++)
		malformed = b->holds[i]->author.len != HB_KEY_LEN ||
		    b->holds[i]->complete > HB_SEQ_MAX;
	if (malformed) {
		peer_misbehaved(n, p, true, "sent a malformed batch");
		p->round = 0;
		p->in_round = false;
		p->want_sent = 0;
		p->next_pull = node_now() + n->conf->sync_interval;
		goto out;
	}
	for (i = 0; i < b->n_envelopes; i++) {
		envs[i] = b->envelopes[i].data;
		lens[i] = b->envelopes[i].len;
	}
	if (part == 1) {
		p->answer_sum = vec_sum(n);
		p->answer_moved = p->answer_ask = false;
	}
	p->round_in += hiroba__wire__sync_batch__get_packed_size(b) + 2;
	p->round_recs += b->n_envelopes;
	rc = sync_ingest(n, p, envs, lens, b->n_envelopes, claims, nclaims, NULL,
	    NULL, verdicts);
	if (rc == 0 && cursor_advance(p, envs, lens, verdicts, b->n_envelopes))
		p->answer_moved = true;
	if (rc == 0 && part == 1)	/* the ranges are answered in the first part */
		p->answer_ask = recon_take(n, p, b);
	if (rc == 0 && b->has_follows && b->follows) {
		p->round_sent = node_now();	/* the answer is still coming */
		goto out;
	}
	p->round = 0;
	ask = rc == 0 && p->answer_ask;
	if (ask && p->range_reqs >= RECON_REQS_MAX) {
		log_warnx("peer %s: its ranges did not settle after %u requests: the pull "
		    "ends here", p->name, p->range_reqs);
		ask = false;
	}
	if (rc == 0 && ((b->more && (vec_sum(n) != p->answer_sum || p->answer_moved)) ||
	    ask)) {
		sync_start(n, p);	/* acknowledges this answer, asks for the next */
		goto out;
	}
	p->in_round = false;
	p->want_sent = 0;
	recon_end(p);
	log_debug("peer %s: round done: %zu records, %zu bytes sent, %zu bytes received, "
	    "%lld ms", p->name, p->round_recs, p->round_out, p->round_in,
	    (long long)(node_now_ms() - p->round_t0));
	if (rc == 0 && b->more)
		log_warnx("peer %s: its batch brought nothing we could store: trying again "
		    "in %u s", p->name, n->conf->sync_interval);
	if (rc == 0 && !b->more)
		node_caught_up(n);
	p->next_pull = node_now() + n->conf->sync_interval;
	if (p->pull_again) {
		p->pull_again = false;
		p->next_pull = node_now();
	}
out:
	free(verdicts);
	free(claims);
	free(envs);
	free(lens);
}

/*
 * Would the store take this record? The same checks it makes (signature, validity,
 * membership, newer than what we hold) minus the write, for relaying before our own
 * commit: forwarding a record acknowledges nothing, and the commit's fsyncs would
 * otherwise add ~7 ms per hop to a record's trip along a chain of daemons.
 */
static bool
worth_relaying(struct node *n, const uint8_t *env, size_t len)
{
	struct hb_record	*r = NULL, *held = NULL;
	struct hb_member	 m;
	const uint8_t		*author;
	uint8_t			*cur = NULL;
	size_t			 curlen;
	bool			 ok = false;

	if (proto_open(env, len, node_now(), &r) != 0 ||
	    too_far_ahead_to_relay(env, len, node_now()))
		goto out;
	author = proto_record_author(r);
	if (memcmp(author, n->conf->center, HB_KEY_LEN) != 0) {
		if (proto_record_kind(r) == HB_MEMBERSHIP ||
		    store_member(n->st, author, &m) != 0 || (m.status != 1 &&
		    proto_record_seq(r) > m.valid_until_seq))
			goto out;
	}
	if (store_get(n->st, author, proto_record_id(r), &cur, &curlen) == 0) {
		if (proto_open_verified(cur, curlen, INT64_MAX / 2, &held) != 0 ||
		    proto_record_kind(held) == HB_TOMBSTONE ||
		    proto_record_seq(held) >= proto_record_seq(r))
			goto out;
	}
	ok = true;
out:
	hb_record_free(&r);
	hb_record_free(&held);
	free(cur);
	return ok;
}

void
sync_push_in(struct node *n, struct peer *p, const Hiroba__Wire__Push *m)
{
	const uint8_t	**envs = NULL, **ahead = NULL;
	size_t		*lens = NULL, *aheadlen = NULL, nahead = 0, i;
	bool		*relayed = NULL, gap = false;

	if (m->n_envelopes == 0)
		return;
	if ((envs = calloc(m->n_envelopes, sizeof(*envs))) == NULL ||
	    (lens = calloc(m->n_envelopes, sizeof(*lens))) == NULL ||
	    (ahead = calloc(m->n_envelopes, sizeof(*ahead))) == NULL ||
	    (aheadlen = calloc(m->n_envelopes, sizeof(*aheadlen))) == NULL ||
	    (relayed = calloc(m->n_envelopes, sizeof(*relayed))) == NULL)
		goto out;
	for (i = 0; i < m->n_envelopes; i++) {
		envs[i] = m->envelopes[i].data;
		lens[i] = m->envelopes[i].len;
		if (m->n_envelopes <= PUSH_RELAY_AHEAD &&
		    worth_relaying(n, envs[i], lens[i])) {
			relayed[i] = true;
			ahead[nahead] = envs[i];
			aheadlen[nahead++] = lens[i];
		}
	}
	if (nahead > 0)
		sync_announce(n, p, ahead, aheadlen, nahead);
	if (sync_ingest(n, p, envs, lens, m->n_envelopes, NULL, 0, relayed, &gap,
	    NULL) == 0 &&
	    gap) {
		log_debug("peer %s: gap after a push: pulling", p->name);
		if (p->round == 0)
			sync_start(n, p);
		else
			p->pull_again = true;
	}
out:
	free(envs);
	free(lens);
	free(ahead);
	free(aheadlen);
	free(relayed);
}

/*
 * A revoked member is told: its own revocation, among the records just stored, is
 * pushed to it over the links that close two seconds later (peer_tick), so that its
 * daemon stops signing and says why instead of showing its peers as connected.
 */
static void
tell_the_revoked(struct node *n, const uint8_t *const *envs, const size_t *lens,
    size_t count)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__Push	 push = HIROBA__WIRE__PUSH__INIT;
	ProtobufCBinaryData	 bd;
	struct hb_record	*r;
	struct hb_member	 mem;
	struct peer		*p;
	size_t			 i;

	for (i = 0; i < count; i++) {
		if (lens[i] < 2 + HB_KEY_LEN ||
		    memcmp(envs[i] + 2, n->conf->center, HB_KEY_LEN) != 0 ||
		    proto_open_verified(envs[i], lens[i], INT64_MAX / 2, &r) != 0)
			continue;
		if (proto_record_kind(r) == HB_MEMBERSHIP &&
		    proto_record_membership(r, &mem) == 0 && mem.status == 2 &&
		    (p = peer_find(n, mem.key)) != NULL && peer_up(p)) {
			bd.data = (uint8_t *)envs[i];
			bd.len = lens[i];
			push.n_envelopes = 1;
			push.envelopes = &bd;
			m.m_case = HIROBA__WIRE__PEER_MSG__M_PUSH;
			m.push = &push;
			send_msg(n, p, &m, false, NULL, 0);
			log_info("peer %s: told of its revocation", p->name);
		}
		hb_record_free(&r);
	}
}

void
sync_announce(struct node *n, struct peer *from, const uint8_t *const *envs,
    const size_t *lens, size_t count)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__Push	 push = HIROBA__WIRE__PUSH__INIT;
	ProtobufCBinaryData	*bd;
	struct peer		*p;
	size_t			 i, start, bytes, cap = HB_PUSH_MAX;
	int64_t			 now = node_now();

	if ((bd = calloc(count, sizeof(*bd))) == NULL)
		return;
	for (start = 0; start < count; start = i) {
		for (i = start, bytes = 0; i < count && (i == start ||
		    bytes + lens[i] <= cap); i++) {
			bd[i].data = (uint8_t *)envs[i];
			bd[i].len = lens[i];
			bytes += lens[i];
		}
		push.n_envelopes = i - start;
		push.envelopes = bd + start;
		m.m_case = HIROBA__WIRE__PEER_MSG__M_PUSH;
		m.push = &push;
		for (p = n->peers; p != NULL; p = p->next)
			if (p != from && peer_up(p) && p->banned_until <= now &&
			    !zap_revoked(n, p->key))
				send_msg(n, p, &m, false, NULL, 0);
	}
	free(bd);
	tell_the_revoked(n, envs, lens, count);
}

void
sync_hello(struct node *n, struct peer *p, const uint8_t *route, size_t routelen)
{
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__Hello	 h = HIROBA__WIRE__HELLO__INIT;

	if (route == NULL) {
		/* our connection to p just came up: introduce ourselves on it */
		h.version = HB_WIRE_VERSION;
		h.key.data = n->id.pk;
		h.key.len = HB_KEY_LEN;
		h.name = n->conf->name;
		m.m_case = HIROBA__WIRE__PEER_MSG__M_HELLO;
		m.hello = &h;
		send_msg(n, p, &m, true, NULL, 0);
	} else {
		log_info("peer %s: connected to us", p->name);
	}
	p->cursor_since = 0;	/* a new link: the next pull starts from what we hold */
	if (p->round == 0)
		sync_start(n, p);
}
