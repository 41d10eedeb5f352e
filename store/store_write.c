/* SPDX-License-Identifier: ISC */
/*
 * store writes: ingesting envelopes from peers (signatures checked in parallel threads,
 * then one write txn applies the trust and version rules in order) and publishing our
 * own records (the seq is taken inside the write txn, so the sequence never forks).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

#include "store_internal.h"

/* Postings (term and text) of a write txn, waiting to be put in key order: ~30 per
 * record, grouped by key as they come (in arrival order, so each group is already in
 * the order of its posting list), then one MDB_MULTIPLE|MDB_APPENDDUP put per key. Only
 * the distinct keys are sorted, not the postings. */
struct pgroup {
	uint32_t	koff;		/* key bytes in keys */
	uint16_t	klen;
	uint8_t		db;		/* IDX_TERM, IDX_TEXT */
	uint32_t	n;		/* postings */
	uint64_t	last;		/* arrival of the last one: a record's repeats go once */
};
struct pitem {
	uint32_t	g;
	uint8_t		v[POSTING_LEN];
};
#define PEND_EARLY	4096	/* postings worth putting while the writer would wait */

struct pending {
	uint8_t		*keys;
	size_t		 nkeys, capkeys;
	struct pgroup	*g;
	size_t		 ng, capg;
	uint32_t	*tab;		/* open addressing: group + 1, 0 = empty */
	size_t		 captab;
	struct pitem	*items;
	size_t		 nitems, capitems;
};

/* One write transaction's state. Functions return LMDB codes (so that MDB_MAP_FULL can
 * be told apart and retried after growing the map), errnos or STORE_ECORRUPT; a
 * record's verdict goes through an out parameter. */
struct wctx {
	struct store	*st;
	MDB_txn		*txn;
	int64_t		 now;
	int64_t		 counts[HB_KIND_MAX + 1];	/* deltas of current records per kind */
	bool		 members_changed;
	uint64_t	 arrival;	/* the last arrival number given (meta "arrival") */
	bool		 arrival_changed;
	struct pending	 pend;
};

static void
pending_free(struct pending *p)
{
	free(p->keys);
	free(p->g);
	free(p->tab);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static uint32_t
pending_hash(uint8_t db, const uint8_t *k, size_t len)
{
	uint32_t h = 2166136261u ^ db;

	for (size_t i = 0; i < len; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

static int
pending_grow(void **p, size_t *cap, size_t want, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *np;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	if ((np = realloc(*p, ncap * size)) == NULL)
		return ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* The group of (db, key), made if new; NULL if out of memory. */
static struct pgroup *
pending_group(struct pending *p, uint8_t db, const uint8_t *k, size_t len)
{
	uint32_t h = pending_hash(db, k, len), *slot;
	struct pgroup *g;

	if (p->ng * 2 >= p->captab) {
		size_t cap = p->captab ? p->captab * 2 : 1024;
		uint32_t *tab = calloc(cap, sizeof(*tab));

		if (tab == NULL)
			return NULL;
		for (size_t i = 0; i < p->ng; i++) {
			g = &p->g[i];
			for (h = pending_hash(g->db, p->keys + g->koff, g->klen) & (cap - 1);
			    tab[h] != 0; h = (h + 1) & (cap - 1))
				;
			tab[h] = (uint32_t)i + 1;
		}
		free(p->tab);
		p->tab = tab;
		p->captab = cap;
		h = pending_hash(db, k, len);
	}
	for (h &= p->captab - 1;; h = (h + 1) & (p->captab - 1)) {
		slot = &p->tab[h];
		if (*slot == 0)
			break;
		g = &p->g[*slot - 1];
		if (g->db == db && g->klen == len && memcmp(p->keys + g->koff, k, len) == 0)
			return g;
	}
	if (pending_grow((void **)&p->g, &p->capg, p->ng + 1, sizeof(*p->g), 256) != 0 ||
	    pending_grow((void **)&p->keys, &p->capkeys, p->nkeys + len, 1, 4096) != 0)
		return NULL;
	g = &p->g[p->ng];
	g->koff = (uint32_t)p->nkeys;
	g->klen = (uint16_t)len;
	g->db = db;
	g->n = 0;
	g->last = UINT64_MAX;
	memcpy(p->keys + p->nkeys, k, len);
	p->nkeys += len;
	*slot = (uint32_t)++p->ng;
	return g;
}

static int
pending_add(struct pending *p, uint8_t db, const MDB_val *k, const MDB_val *v)
{
	struct pgroup *g;
	struct pitem *it;
	uint64_t arr = be64_get(v->mv_data);

	if ((g = pending_group(p, db, k->mv_data, k->mv_size)) == NULL)
		return ENOMEM;
	if (g->last == arr)
		return 0;	/* the same bigram twice in one record */
	if (pending_grow((void **)&p->items, &p->capitems, p->nitems + 1, sizeof(*p->items),
	    4096) != 0)
		return ENOMEM;
	g->last = arr;
	g->n++;
	it = &p->items[p->nitems++];
	it->g = (uint32_t)(g - p->g);
	memcpy(it->v, v->mv_data, POSTING_LEN);
	return 0;
}

/* A group in the order of puts: (db, key). */
struct porder {
	const uint8_t	*key;
	uint16_t	 klen;
	uint8_t		 db;
	uint32_t	 g;
};

static int
porder_cmp(const void *a, const void *b)
{
	const struct porder *x = a, *y = b;
	size_t m = x->klen < y->klen ? x->klen : y->klen;
	int c;

	if (x->db != y->db)
		return x->db < y->db ? -1 : 1;
	if ((c = memcmp(x->key, y->key, m)) != 0)
		return c;
	return (x->klen > y->klen) - (x->klen < y->klen);
}

static int
text_flush(struct wctx *w)
{
	struct pending *p = &w->pend;
	MDB_cursor *c[2] = { NULL, NULL };
	struct porder *order = NULL;
	uint32_t *start = NULL;
	uint8_t *vals = NULL;
	int rc = ENOMEM;

	if (p->nitems == 0)
		goto done;
	if ((order = malloc(p->ng * sizeof(*order))) == NULL ||
	    (start = malloc(p->ng * sizeof(*start))) == NULL ||
	    (vals = malloc(p->nitems * POSTING_LEN)) == NULL)
		goto out;
	/* Each group's postings together, in the order they came. */
	for (uint32_t i = 0, at = 0; i < p->ng; i++) {
		order[i].key = p->keys + p->g[i].koff;
		order[i].klen = p->g[i].klen;
		order[i].db = p->g[i].db;
		order[i].g = i;
		start[i] = at;
		at += p->g[i].n;
	}
	for (size_t i = 0; i < p->nitems; i++)
		memcpy(vals + (size_t)start[p->items[i].g]++ * POSTING_LEN, p->items[i].v,
		    POSTING_LEN);
	qsort(order, p->ng, sizeof(*order), porder_cmp);
	if ((rc = mdb_cursor_open(w->txn, w->st->term, &c[IDX_TERM])) != 0 ||
	    (rc = mdb_cursor_open(w->txn, w->st->text, &c[IDX_TEXT])) != 0)
		goto out;
	for (size_t i = 0; i < p->ng && rc == 0; i++) {
		const struct pgroup *g = &p->g[order[i].g];
		uint8_t *gv = vals + (size_t)(start[order[i].g] - g->n) * POSTING_LEN;
		MDB_val k = { g->klen, p->keys + g->koff }, v[2];

		/* New arrival numbers are above every held one: they go last in the list,
		 * and APPENDDUP also fills pages instead of splitting them in halves. */
		v[0].mv_size = POSTING_LEN;
		v[0].mv_data = gv;
		v[1].mv_size = g->n;
		v[1].mv_data = NULL;
		if ((rc = mdb_cursor_put(c[g->db], &k, v, MDB_MULTIPLE | MDB_APPENDDUP)) ==
		    MDB_KEYEXIST) {
			size_t done = v[1].mv_size;	/* how many went in */

			v[0].mv_data = gv + done * POSTING_LEN;
			v[1].mv_size = g->n - done;
			rc = mdb_cursor_put(c[g->db], &k, v, MDB_MULTIPLE);
		}
	}
out:
	for (int i = 0; i < 2; i++)
		if (c[i] != NULL)
			mdb_cursor_close(c[i]);
	free(order);
	free(start);
	free(vals);
	if (rc != 0)
		return rc;
done:
	/* Emptied, memory kept for the next records of the txn. */
	p->nkeys = p->ng = p->nitems = 0;
	if (p->tab != NULL)
		memset(p->tab, 0, p->captab * sizeof(*p->tab));
	return 0;
}

static int
put_cb(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg)
{
	struct wctx *w = arg;

	if ((dbi == w->st->text || dbi == w->st->term) && v->mv_size == POSTING_LEN)
		return pending_add(&w->pend, dbi == w->st->term ? IDX_TERM : IDX_TEXT, k, v);
	return mdb_put(txn, dbi, k, v, 0);
}

static int
del_cb(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg)
{
	int rc = mdb_del(txn, dbi, k, v);	/* v: only this posting of a DUPSORT key */

	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Walk complete forward through the seqs held contiguously (in seqs). */
static int
advance_complete(struct wctx *w, const uint8_t author[HB_KEY_LEN], struct auth_state *as)
{
	MDB_cursor *c;
	uint8_t key[RKEY_LEN];
	MDB_val k = { RKEY_LEN, key }, v;
	int rc;

	if (as->complete == UINT64_MAX)
		return 0;
	if ((rc = mdb_cursor_open(w->txn, w->st->seqs, &c)) != 0)
		return rc;
	rkey_make(key, author, as->complete + 1);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != RKEY_LEN || memcmp(k.mv_data, author, HB_KEY_LEN) != 0 ||
		    be64_get((uint8_t *)k.mv_data + HB_KEY_LEN) != as->complete + 1)
			break;
		as->complete++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Remove the stored record (author, seq): its rec entry, index entries, the membership
 * it carried, and (drop_cur) its cur entry; one record and its bytes less in the
 * author's state. *oldkind, if not NULL, gets its kind. */
static int
rec_remove(struct wctx *w, const uint8_t author[HB_KEY_LEN], uint64_t seq, bool drop_cur,
    enum hb_kind *oldkind)
{
	struct store *st = w->st;
	struct hb_record *old = NULL;
	struct hb_member m;
	struct auth_state as;
	uint8_t key[RKEY_LEN], akey[ARR_LEN], ckey[HB_KEY_LEN + HB_ID_MAX];
	MDB_val k = { RKEY_LEN, key }, v;
	enum hb_kind kind;
	uint64_t arr, cost;
	struct idx_set s;
	int rc;

	/* Pending postings first, so that this record's can be deleted. */
	if ((rc = text_flush(w)) != 0)
		return rc;
	rkey_make(key, author, seq);
	if ((rc = mdb_get(w->txn, st->seqs, &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_ECORRUPT : rc;
	if (v.mv_size != ARR_LEN)
		return STORE_ECORRUPT;
	arr = be64_get(v.mv_data);
	if ((rc = store_rec_get(st, w->txn, arr, &v)) != 0)
		return rc;
	if ((rc = store_decode_stored(&v, &old)) != 0)
		goto out;
	kind = proto_record_kind(old);
	if (oldkind != NULL)
		*oldkind = kind;
	if ((rc = idx_prepare(old, &s)) != 0)
		goto out;
	cost = idx_cost(&s, v.mv_size - HB_HASH_LEN);
	rc = idx_emit(st, w->txn, &s, arr, del_cb, NULL);
	idx_set_free(&s);
	if (rc != 0)
		goto out;
	if (kind == HB_MEMBERSHIP && proto_record_membership(old, &m) == 0) {
		MDB_val mk = { HB_KEY_LEN, m.key };

		if ((rc = mdb_del(w->txn, st->mem, &mk, NULL)) != 0 && rc != MDB_NOTFOUND)
			goto out;
		w->members_changed = true;
	}
	if (drop_cur) {
		const char *id = proto_record_id(old);
		size_t idlen = strlen(id);
		MDB_val ck = { HB_KEY_LEN + idlen, ckey };

		memcpy(ckey, author, HB_KEY_LEN);
		memcpy(ckey + HB_KEY_LEN, id, idlen);
		if ((rc = mdb_del(w->txn, st->cur, &ck, NULL)) != 0 && rc != MDB_NOTFOUND)
			goto out;
	}
	k.mv_data = key;
	k.mv_size = RKEY_LEN;
	if ((rc = mdb_del(w->txn, st->seqs, &k, NULL)) != 0)
		goto out;
	be64_put(akey, arr);
	k.mv_data = akey;
	k.mv_size = ARR_LEN;
	if ((rc = store_rec_del(st, w->txn, &k)) != 0)
		goto out;
	if (kind <= HB_KIND_MAX)
		w->counts[kind]--;
	if ((rc = store_auth_read(st, w->txn, author, &as)) != 0 || !as.found)
		goto out;
	as.records -= as.records > 0;
	as.bytes -= cost < as.bytes ? cost : as.bytes;
	rc = store_auth_write(st, w->txn, author, &as);
out:
	hb_record_free(&old);
	return rc;
}

/* The lowest seq >= from of a record of member held here, in *seq; MDB_NOTFOUND if
 * none. A fresh lookup each time: the callers remove records between calls. */
static int
next_held(struct wctx *w, const uint8_t member[HB_KEY_LEN], uint64_t from, uint64_t *seq)
{
	uint8_t key[RKEY_LEN];
	MDB_val k = { RKEY_LEN, key }, v;
	MDB_cursor *c;
	int rc;

	rkey_make(key, member, from);
	if ((rc = mdb_cursor_open(w->txn, w->st->seqs, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	mdb_cursor_close(c);
	if (rc == 0 && (k.mv_size != RKEY_LEN || memcmp(k.mv_data, member, HB_KEY_LEN) != 0))
		rc = MDB_NOTFOUND;
	if (rc == 0)
		*seq = be64_get((uint8_t *)k.mv_data + HB_KEY_LEN);
	return rc;
}

/* A revocation: the member's records after valid_until_seq are no longer valid. */
static int
purge_after(struct wctx *w, const uint8_t member[HB_KEY_LEN], uint64_t vus)
{
	struct store *st = w->st;
	struct auth_state as;
	uint8_t key[RKEY_LEN];
	MDB_val k, v;
	MDB_cursor *c = NULL;
	uint64_t seq;
	int rc;

	if (vus == UINT64_MAX)
		return 0;
	while ((rc = next_held(w, member, vus + 1, &seq)) == 0)
		if ((rc = rec_remove(w, member, seq, true, NULL)) != 0)
			return rc;
	if (rc != MDB_NOTFOUND)
		return rc;
	/* rec_remove counted them off */
	if ((rc = store_auth_read(st, w->txn, member, &as)) != 0 || !as.found)
		return rc;
	if (as.complete > vus)
		as.complete = vus;
	/* max_seq: the highest seq still held. */
	as.max_seq = 0;
	rkey_make(key, member, vus + 1);
	k.mv_data = key;
	k.mv_size = RKEY_LEN;
	if ((rc = mdb_cursor_open(w->txn, st->seqs, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == RKEY_LEN && memcmp(k.mv_data, member, HB_KEY_LEN) == 0)
		as.max_seq = be64_get((uint8_t *)k.mv_data + HB_KEY_LEN);
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return store_auth_write(st, w->txn, member, &as);
}

/* Does r carry a sealed box that a stored tombstone erased? Then *verdict is
 * STORE_EERASED. The digest is all the store knows of a box: it cannot open one. */
static int
erased_check(struct wctx *w, const struct hb_record *r, int *verdict)
{
	uint8_t d[2][HB_HASH_LEN];
	size_t n = proto_record_boxes(r, d);
	int rc;

	for (size_t i = 0; i < n; i++) {
		MDB_val k = { HB_HASH_LEN, d[i] }, v;

		if ((rc = mdb_get(w->txn, w->st->dead, &k, &v)) == 0) {
			*verdict = STORE_EERASED;
			return 0;
		}
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	return 0;
}

/*
 * A tombstone erased the box with this digest: remove every stored record carrying it,
 * whoever wrote it (copies made before the tombstone came). Like an expiry purge, the
 * author's complete and max_seq stay (its seq becomes a hole: a peer that still holds the
 * copy sends it again, and it is refused as STORE_EERASED, a refusal that lets claims
 * advance); one fewer current record.
 */
static int
purge_box(struct wctx *w, const uint8_t digest[HB_HASH_LEN])
{
	struct store *st = w->st;
	uint8_t rk[RKEY_LEN];
	int rc;

	for (;;) {
		MDB_val k = { HB_HASH_LEN, (void *)digest }, v;

		/* A fresh lookup each time: rec_remove changes the tree. */
		if ((rc = mdb_get(w->txn, st->box, &k, &v)) == MDB_NOTFOUND)
			return 0;
		if (rc != 0)
			return rc;
		if (v.mv_size != RKEY_LEN)
			return STORE_ECORRUPT;
		memcpy(rk, v.mv_data, RKEY_LEN);
		if ((rc = rec_remove(w, rk, be64_get(rk + HB_KEY_LEN), true, NULL)) != 0)
			return rc;
		/* rec_remove took the entry with the record's others; never loop on it. */
		v.mv_data = rk;
		v.mv_size = RKEY_LEN;
		if ((rc = mdb_del(w->txn, st->box, &k, &v)) != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
}

/*
 * A revocation that lists the member's kept seqs (Membership.kept): a record of that
 * member at a seq <= valid_until_seq outside them is refused as revoked. Every edit
 * frees its old seq, and a revoked key must not fill those afterwards.
 */
static int
kept_check(struct wctx *w, const uint8_t *author, uint64_t seq, int *verdict)
{
	MDB_val k = { HB_KEY_LEN, (void *)author }, v;
	int rc;

	if ((rc = mdb_get(w->txn, w->st->kept, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (!proto_kept_has(v.mv_data, v.mv_size, seq))
		*verdict = STORE_EREVOKED;
	return 0;
}

/* A membership record stored: keep its kept list (or drop an older one), and remove
 * the member's records held at seqs it does not keep. */
static int
kept_store(struct wctx *w, const struct hb_record *r, const struct hb_member *m)
{
	struct store *st = w->st;
	MDB_val k = { HB_KEY_LEN, (void *)m->key }, v;
	const uint8_t *kept;
	uint64_t seq;
	size_t len;
	int rc;

	if (m->status != 2 || (kept = proto_record_kept(r, &len)) == NULL) {
		rc = mdb_del(w->txn, st->kept, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	v.mv_data = (void *)kept;
	v.mv_size = len;
	if ((rc = mdb_put(w->txn, st->kept, &k, &v, 0)) != 0)
		return rc;
	for (seq = 0; (rc = next_held(w, m->key, seq + 1, &seq)) == 0;) {
		if (seq > m->valid_until_seq)
			return 0;
		if (!proto_kept_has(kept, len, seq) &&
		    (rc = rec_remove(w, m->key, seq, true, NULL)) != 0)
			return rc;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * A member's quota (store_opts): its current records and their envelope bytes after this
 * one is stored, replacing the version at oldarr if replacing. Over either: refused,
 * STORE_EQUOTA, except a tombstone that replaces a record (a deletion must always be
 * possible, and it frees nearly all of the record's bytes). The refusal is not final:
 * the author may delete or shrink records, and the record is asked for again (it blocks
 * its author's claim), so daemons that got the author's records in another order still
 * converge on the same set.
 */
static int
quota_check(struct wctx *w, const uint8_t *author, enum hb_kind kind, bool replacing,
    uint64_t oldarr, uint64_t cost, int *verdict)
{
	struct store *st = w->st;
	struct auth_state as;
	uint64_t records, bytes, oldlen = 0;
	MDB_val v;
	int rc;

	if ((st->member_records == 0 && st->member_bytes == 0) ||
	    (kind == HB_TOMBSTONE && replacing))
		return 0;
	if ((rc = store_auth_read(st, w->txn, author, &as)) != 0)
		return rc;
	if (replacing) {
		if ((rc = store_rec_get(st, w->txn, oldarr, &v)) != 0 ||
		    (rc = rec_cost(&v, &oldlen)) != 0)
			return rc;
	}
	records = as.records + !replacing;
	bytes = as.bytes - (oldlen < as.bytes ? oldlen : as.bytes) + cost;
	if ((st->member_records != 0 && records > st->member_records) ||
	    (st->member_bytes != 0 && bytes > st->member_bytes))
		*verdict = STORE_EQUOTA;
	return 0;
}

/*
 * The rules, in order (store.h, store_ingest): center-only memberships, trust, dup/fork,
 * version, expiry, erased boxes, quota; then store. idx: r's index entries made beforehand, or NULL to make
 * them here. own: a record we publish (complete follows it).
 */
static int
apply(struct wctx *w, const struct hb_record *r, const struct idx_set *idx, bool own,
    int *verdict)
{
	struct store *st = w->st;
	const uint8_t *author = proto_record_author(r), *hash = proto_record_hash(r), *env;
	const char *id = proto_record_id(r);
	enum hb_kind kind = proto_record_kind(r);
	uint64_t seq = proto_record_seq(r), oldseq = 0, oldarr = 0, arr;
	int64_t expires = proto_record_expires(r);
	bool is_root = memcmp(author, st->root, HB_KEY_LEN) == 0, replacing = false;
	uint8_t rkey[RKEY_LEN], akey[ARR_LEN], ckey[HB_KEY_LEN + HB_ID_MAX], cval[CUR_LEN];
	size_t idlen = strlen(id), envlen;
	MDB_val k, v;
	struct hb_member m;
	struct auth_state as;
	struct idx_set own_idx;
	uint64_t cost;
	int rc;

	*verdict = 0;
	env = proto_record_envelope(r, &envlen);
	if (idx == NULL) {	/* made here, kept for the quota and the entries */
		if ((rc = idx_prepare(r, &own_idx)) != 0)
			return rc;
		rc = apply(w, r, &own_idx, own, verdict);
		idx_set_free(&own_idx);
		return rc;
	}
	cost = idx_cost(idx, envlen);
	if ((kind == HB_MEMBERSHIP || kind == HB_MATCH) && !is_root) {
		*verdict = STORE_ENOTCENTER;
		return 0;
	}
	if (!is_root) {
		rc = store_mem_read(st, w->txn, author, &m);
		if (rc == STORE_NOTFOUND || (rc == 0 && m.status != 1 && m.status != 2)) {
			*verdict = STORE_EUNKNOWN;
			return 0;
		}
		if (rc != 0)
			return rc;
		if (m.status == 2 && seq > m.valid_until_seq) {
			*verdict = STORE_EREVOKED;
			return 0;
		}
		if (m.status == 2 && (rc = kept_check(w, author, seq, verdict)) != 0)
			return rc;
		if (*verdict != 0)
			return 0;
	}

	rkey_make(rkey, author, seq);
	k.mv_data = rkey;
	k.mv_size = RKEY_LEN;
	if ((rc = mdb_get(w->txn, st->seqs, &k, &v)) == 0) {
		if (v.mv_size != ARR_LEN)
			return STORE_ECORRUPT;
		if ((rc = store_rec_get(st, w->txn, be64_get(v.mv_data), &v)) != 0)
			return rc;
		*verdict = memcmp(v.mv_data, hash, HB_HASH_LEN) == 0 ? STORE_EDUP :
		    STORE_EFORK;
		return 0;
	} else if (rc != MDB_NOTFOUND)
		return rc;

	memcpy(ckey, author, HB_KEY_LEN);
	memcpy(ckey + HB_KEY_LEN, id, idlen);
	k.mv_data = ckey;
	k.mv_size = HB_KEY_LEN + idlen;
	if ((rc = mdb_get(w->txn, st->cur, &k, &v)) == 0) {
		if (v.mv_size != CUR_LEN)
			return STORE_ECORRUPT;
		if (((uint8_t *)v.mv_data)[8] == HB_TOMBSTONE) {
			*verdict = STORE_ETOMBSTONE;
			return 0;
		}
		oldseq = be64_get(v.mv_data);
		oldarr = be64_get((uint8_t *)v.mv_data + 9);
		if (oldseq >= seq) {
			*verdict = STORE_EOLD;
			return 0;
		}
		replacing = true;
	} else if (rc != MDB_NOTFOUND)
		return rc;

	if (expires != 0 && expires <= w->now) {
		*verdict = STORE_EEXPIRED;
		return 0;
	}
	if ((rc = erased_check(w, r, verdict)) != 0 || *verdict != 0)
		return rc;
	if (!is_root && (rc = quota_check(w, author, kind, replacing, oldarr, cost,
	    verdict)) != 0)
		return rc;
	if (*verdict != 0)
		return 0;

	/* Stored from here on, under the next arrival number. */
	if (replacing && (rc = rec_remove(w, author, oldseq, false, NULL)) != 0)
		return rc;
	if (expires != 0)	/* the purge is due by then (an aborted txn: a scan early) */
		store_expiry_due(st, expires);
	arr = ++w->arrival;
	w->arrival_changed = true;
	be64_put(akey, arr);
	k.mv_data = akey;
	k.mv_size = ARR_LEN;
	v.mv_data = NULL;
	v.mv_size = HB_HASH_LEN + envlen;
	/* Above every key held: appended without a search. KEYEXIST would mean the
	 * counter went back. */
	if ((rc = mdb_put(w->txn, st->rec, &k, &v, MDB_RESERVE | MDB_APPEND)) != 0)
		return rc == MDB_KEYEXIST ? STORE_ECORRUPT : rc;
	memcpy(v.mv_data, hash, HB_HASH_LEN);
	memcpy((uint8_t *)v.mv_data + HB_HASH_LEN, env, envlen);

	k.mv_data = rkey;
	k.mv_size = RKEY_LEN;
	v.mv_data = akey;
	v.mv_size = ARR_LEN;
	if ((rc = mdb_put(w->txn, st->seqs, &k, &v, 0)) != 0)
		return rc;

	be64_put(cval, seq);
	cval[8] = (uint8_t)kind;
	memcpy(cval + 9, akey, ARR_LEN);
	k.mv_data = ckey;
	k.mv_size = HB_KEY_LEN + idlen;
	v.mv_data = cval;
	v.mv_size = sizeof(cval);
	if ((rc = mdb_put(w->txn, st->cur, &k, &v, 0)) != 0)
		return rc;
	if ((rc = idx_emit(st, w->txn, idx, arr, put_cb, w)) != 0)
		return rc;
	w->counts[kind]++;

	if ((rc = store_auth_read(st, w->txn, author, &as)) != 0)
		return rc;
	if (seq > as.max_seq)
		as.max_seq = seq;
	as.records++;		/* a replaced version was taken off by rec_remove */
	as.bytes += cost;
	if (own && seq > as.complete)
		as.complete = seq;	/* we hold every current record of our own */
	if ((rc = advance_complete(w, author, &as)) != 0)
		return rc;
	if ((rc = store_auth_write(st, w->txn, author, &as)) != 0)
		return rc;

	if (kind == HB_MEMBERSHIP && proto_record_membership(r, &m) == 0) {
		uint8_t buf[64 + sizeof(m.name)];
		size_t len;
		MDB_val mk = { HB_KEY_LEN, m.key };

		store_mem_encode(&m, buf, &len);
		v.mv_data = buf;
		v.mv_size = len;
		if ((rc = mdb_put(w->txn, st->mem, &mk, &v, 0)) != 0)
			return rc;
		w->members_changed = true;
		if (m.status == 2 && memcmp(m.key, st->root, HB_KEY_LEN) != 0 &&
		    (rc = purge_after(w, m.key, m.valid_until_seq)) != 0)
			return rc;
		if ((rc = kept_store(w, r, &m)) != 0)
			return rc;
	}
	if (kind == HB_TOMBSTONE) {
		const uint8_t *erased[HB_ERASED_MAX];
		size_t n = proto_record_erased(r, erased);

		for (size_t i = 0; i < n; i++)
			if ((rc = purge_box(w, erased[i])) != 0)
				return rc;
	}
	return 0;
}

/* Start of a write txn: the arrival counter as committed. */
static int
arrival_load(struct wctx *w)
{
	MDB_val k = { 7, "arrival" }, v;
	int rc;

	w->arrival = 0;
	w->arrival_changed = false;
	if ((rc = mdb_get(w->txn, w->st->meta, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return STORE_ECORRUPT;
	w->arrival = be64_get(v.mv_data);
	return 0;
}

/* End of a write txn: the arrival counter and the per-kind counts into meta. */
static int
meta_flush(struct wctx *w)
{
	MDB_val k = { 6, "counts" }, v;
	uint8_t buf[8 * (HB_KIND_MAX + 1)];
	uint64_t held[HB_KIND_MAX + 1] = { 0 };
	bool any = false;
	int rc;

	if (w->arrival_changed) {
		MDB_val ak = { 7, "arrival" };

		be64_put(buf, w->arrival);
		v.mv_data = buf;
		v.mv_size = 8;
		if ((rc = mdb_put(w->txn, w->st->meta, &ak, &v, 0)) != 0)
			return rc;
	}
	for (int i = 0; i <= HB_KIND_MAX; i++)
		any |= w->counts[i] != 0;
	if (!any)
		return 0;
	if ((rc = mdb_get(w->txn, w->st->meta, &k, &v)) == 0) {
		if ((rc = counts_get(&v, held)) != 0)
			return rc;
	} else if (rc != MDB_NOTFOUND)
		return rc;
	for (int i = 0; i <= HB_KIND_MAX; i++)
		be64_put(buf + 8 * i, held[i] + (uint64_t)w->counts[i]);
	v.mv_data = buf;
	v.mv_size = sizeof(buf);
	return mdb_put(w->txn, w->st->meta, &k, &v, 0);
}

/* ---- parallel preparation ----
 * Everything about a record that needs no txn is done by whoever claims it: the
 * signature check, decoding and validation (proto_open), and its index entries
 * (idx_prepare). Worker threads claim records from the front of the batch while the
 * writer applies records in order behind them; the writer prepares a record itself if
 * no worker has claimed it yet, and while it waits for one a worker is preparing, it
 * prepares records from the back of the batch instead of idling. So the writer does
 * little but LMDB reads and writes, and every core checks signatures whenever the
 * writer has nothing to apply. */

enum { V_WAITING, V_CLAIMED, V_DONE };

struct prep {
	struct hb_record	*r;	/* NULL unless res == 0 */
	struct idx_set		 idx;
	int			 res;	/* proto_open's verdict */
	int			 err;	/* idx_prepare's error: fails the txn */
};

struct vjob {
	const uint8_t *const	*envs;
	const size_t		*lens;
	size_t			 n;
	int64_t			 now;
	struct prep		*prep;
	_Atomic int		*state;
	atomic_size_t		 next;	/* workers take records from here up */
	atomic_size_t		 tail;	/* the writer takes records below this, down */
	pthread_t		 tids[64];
	int			 started;
};

static void
prep_make(struct vjob *j, size_t i, bool verified)
{
	struct prep *p = &j->prep[i];

	p->res = verified ? proto_open_verified(j->envs[i], j->lens[i], j->now, &p->r) :
	    proto_open(j->envs[i], j->lens[i], j->now, &p->r);
	if (p->res == 0 && (p->err = idx_prepare(p->r, &p->idx)) != 0)
		hb_record_free(&p->r);
}

static void
prep_clear(struct prep *p)
{
	hb_record_free(&p->r);
	idx_set_free(&p->idx);
}

static void
verify_one(struct vjob *j, size_t i)
{
	int expect = V_WAITING;

	if (atomic_compare_exchange_strong(&j->state[i], &expect, V_CLAIMED)) {
		prep_make(j, i, false);
		atomic_store_explicit(&j->state[i], V_DONE, memory_order_release);
	}
}

static void *
verify_worker(void *arg)
{
	struct vjob *j = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 4), end = i + 4;

		if (i >= j->n)
			break;
		for (end = end > j->n ? j->n : end; i < end; i++)
			verify_one(j, i);
	}
	return NULL;
}

static bool
verify_ready(struct vjob *j, size_t i)
{
	return atomic_load_explicit(&j->state[i], memory_order_acquire) == V_DONE;
}

/* Record i prepared, waiting for (or doing) it. */
static struct prep *
verify_wait(struct vjob *j, size_t i)
{
	verify_one(j, i);
	while (atomic_load_explicit(&j->state[i], memory_order_acquire) != V_DONE) {
		size_t t = atomic_load_explicit(&j->tail, memory_order_relaxed);

		if (t > i + 1 && atomic_compare_exchange_weak(&j->tail, &t, t - 1))
			verify_one(j, t - 1);	/* no-op if a worker got there first */
		else
			sched_yield();
	}
	return &j->prep[i];
}

static int
verify_start(struct store *st, struct vjob *j, const uint8_t *const *envs,
    const size_t *lens, size_t n, int64_t now)
{
	long nt = st->verify_threads;

	memset(j, 0, sizeof(*j));
	j->envs = envs;
	j->lens = lens;
	j->n = n;
	j->now = now;
	atomic_init(&j->next, 0);
	atomic_init(&j->tail, n);
	if ((j->state = calloc(n ? n : 1, sizeof(*j->state))) == NULL ||
	    (j->prep = calloc(n ? n : 1, sizeof(*j->prep))) == NULL) {
		free((void *)j->state);
		return ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&j->state[i], V_WAITING);
	if (nt <= 0)
		nt = sysconf(_SC_NPROCESSORS_ONLN);
	if (nt > 64)
		nt = 64;
	if ((long)(n / 16) < nt - 1)
		nt = (long)(n / 16) + 1;	/* not worth a thread for a few records */
	/* nt - 1 workers: the writer is the nt-th. */
	for (long t = 1; t < nt; t++)
		if (pthread_create(&j->tids[j->started], NULL, verify_worker, j) == 0)
			j->started++;
	return 0;
}

static void
verify_finish(struct vjob *j)
{
	/* Workers stop at the next record they would take. */
	atomic_store(&j->next, j->n);
	for (int t = 0; t < j->started; t++)
		pthread_join(j->tids[t], NULL);
	for (size_t i = 0; i < j->n; i++)
		prep_clear(&j->prep[i]);
	free(j->prep);
	free((void *)j->state);
	j->prep = NULL;
	j->state = NULL;
}

/* ---- ingest ---- */

static bool
soft_verdict(int v)
{
	/* Refusals that will never change: they must not block a peer's claim, or a peer
	 * holding such a record would keep us from ever completing its author. EERASED is
	 * one: the sender may simply not have the tombstone yet. */
	return v == 0 || v == STORE_EDUP || v == STORE_EOLD || v == STORE_ETOMBSTONE ||
	    v == STORE_EEXPIRED || v == STORE_EERASED;
}

/* The author an envelope names, read from its canonical encoding (field 1, 32 bytes
 * first), for envelopes that failed before they were opened. NULL if not readable. */
static const uint8_t *
env_author(const uint8_t *env, size_t len)
{
	return len >= 2 + HB_KEY_LEN && env[0] == 0x0a && env[1] == HB_KEY_LEN ? env + 2 :
	    NULL;
}

static int
apply_claims(struct wctx *w, const uint8_t *const *envs, const size_t *lens, size_t n,
    const int *res, const struct store_claim *claims, size_t nclaims)
{
	struct store *st = w->st;

	for (size_t i = 0; i < n; i++)
		if (!soft_verdict(res[i]) && env_author(envs[i], lens[i]) == NULL)
			return 0;	/* a refusal we cannot attribute: trust no claim */
	for (size_t c = 0; c < nclaims; c++) {
		const uint8_t *a = claims[c].author;
		uint64_t upto = claims[c].complete;
		struct auth_state as;
		struct hb_member m;
		bool hard = false;
		int rc;

		for (size_t i = 0; i < n && !hard; i++)
			hard = !soft_verdict(res[i]) &&
			    memcmp(env_author(envs[i], lens[i]), a, HB_KEY_LEN) == 0;
		if (hard)
			continue;
		if (memcmp(a, st->root, HB_KEY_LEN) != 0) {
			if ((rc = store_mem_read(st, w->txn, a, &m)) == STORE_NOTFOUND)
				continue;	/* not a member: nothing of it is expected */
			if (rc != 0)
				return rc;
			if (m.status == 2 && upto > m.valid_until_seq)
				upto = m.valid_until_seq;
			else if (m.status != 1 && m.status != 2)
				continue;
		}
		if ((rc = store_auth_read(st, w->txn, a, &as)) != 0)
			return rc;
		/* A claim is the sender's word, not a proof: it may say where the holes
		 * are, never that records exist that we have not seen. So it moves
		 * complete at most to the highest seq we hold (or held), and a forged
		 * claim of seq 2^62 cannot make us stop asking for what comes later. */
		if (upto > as.max_seq)
			upto = as.max_seq;
		if (!as.found || upto <= as.complete)
			continue;
		as.complete = upto;
		if ((rc = advance_complete(w, a, &as)) != 0 ||
		    (rc = store_auth_write(st, w->txn, a, &as)) != 0)
			return rc;
	}
	return 0;
}

static int
ingest_txn(struct store *st, const uint8_t *const *envs, const size_t *lens, size_t n,
    int64_t now, const struct store_claim *claims, size_t nclaims, struct vjob *vj,
    int *res, size_t *stored, bool *members_changed)
{
	struct wctx w = { .st = st, .now = now };
	int rc;

	*stored = 0;
	if ((rc = store_txn_begin(st, true, &w.txn)) != 0)
		return rc;
	if ((rc = arrival_load(&w)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct prep *p;

		/* Rather than wait for a worker, put the postings gathered so far: less is
		 * left for the end of the batch, when nothing else can run. */
		if (w.pend.nitems >= PEND_EARLY && !verify_ready(vj, i) &&
		    (rc = text_flush(&w)) != 0)
			goto fail;
		p = verify_wait(vj, i);

		if ((rc = p->err) != 0)
			goto fail;
		if ((res[i] = p->res) != 0)
			continue;
		/* Applied in an attempt that ran out of map: opened again. */
		if (p->r == NULL) {
			prep_make(vj, i, true);
			if ((rc = p->err) != 0)
				goto fail;
			if ((res[i] = p->res) != 0)
				continue;
		}
		rc = apply(&w, p->r, &p->idx, false, &res[i]);
		prep_clear(p);
		if (rc != 0)
			goto fail;
		if (res[i] == 0)
			(*stored)++;
	}
	if ((rc = text_flush(&w)) != 0 ||
	    (rc = apply_claims(&w, envs, lens, n, res, claims, nclaims)) != 0 ||
	    (rc = meta_flush(&w)) != 0)
		goto fail;
	rc = mdb_txn_commit(w.txn);	/* frees the txn, failed or not */
	store_txn_end(st, NULL);
	if (rc == 0)
		atomic_fetch_add(&st->changes, 1);
	*members_changed = w.members_changed;
	pending_free(&w.pend);
	return rc;
fail:
	store_txn_end(st, w.txn);
	pending_free(&w.pend);
	return rc;
}

int
store_ingest(struct store *st, const uint8_t *const *envs, const size_t *lens, size_t n,
    int64_t now, const struct store_claim *claims, size_t nclaims, int *res,
    size_t *nstored)
{
	struct vjob vj;
	size_t stored = 0;
	bool members_changed = false;
	int rc;

	if (nstored != NULL)
		*nstored = 0;
	if ((rc = verify_start(st, &vj, envs, lens, n, now)) != 0)
		return rc;
	for (;;) {
		rc = ingest_txn(st, envs, lens, n, now, claims, nclaims, &vj, res, &stored,
		    &members_changed);
		if (rc != MDB_MAP_FULL)
			break;
		/* Growing needs no txn in this process; the workers hold none. */
		if ((rc = store_grow(st)) != 0)
			break;
	}
	verify_finish(&vj);
	if (rc != 0)
		return store_lmdb_err(rc);
	if (members_changed)
		atomic_fetch_add(&st->members_version, 1);
	if (nstored != NULL)
		*nstored = stored;
	return 0;
}

/* ---- publish ---- */

/* A tombstone draft of ours: add the digests of the sealed boxes of the version it
 * deletes to its erased list, so that every daemon also purges and refuses copies of
 * those boxes in other records (PROTOCOL.md 12.3). Read in the publishing txn: the
 * version deleted is the one held now. 0 or a verdict (PROTO_ECOUNT, PROTO_ENOMEM) in
 * *verdict; an LMDB code or STORE_ECORRUPT returned. */
static int
erase_own_boxes(struct wctx *w, struct hb_record *draft, const uint8_t pk[HB_KEY_LEN],
    int *verdict)
{
	const char *id = proto_record_id(draft);
	uint8_t ckey[HB_KEY_LEN + HB_ID_MAX], d[2][HB_HASH_LEN];
	struct hb_record *cur = NULL;
	size_t idlen, n;
	MDB_val k, v;
	int rc;

	*verdict = 0;
	if (id == NULL || (idlen = strlen(id)) == 0 || idlen > HB_ID_MAX)
		return 0;	/* proto_sign refuses it */
	memcpy(ckey, pk, HB_KEY_LEN);
	memcpy(ckey + HB_KEY_LEN, id, idlen);
	k.mv_data = ckey;
	k.mv_size = HB_KEY_LEN + idlen;
	if ((rc = mdb_get(w->txn, w->st->cur, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != CUR_LEN)
		return STORE_ECORRUPT;
	if (((uint8_t *)v.mv_data)[8] != HB_VOLUNTEER)
		return 0;
	if ((rc = store_rec_get(w->st, w->txn, be64_get((uint8_t *)v.mv_data + 9), &v)) != 0 ||
	    (rc = store_decode_stored(&v, &cur)) != 0)
		return rc;
	if ((n = proto_record_boxes(cur, d)) > 0)
		*verdict = proto_tombstone_add_erased(draft, (const uint8_t (*)[HB_HASH_LEN])d,
		    n);
	hb_record_free(&cur);
	return 0;
}

/*
 * A revocation draft of ours (the center's) without a kept list: list the member's
 * seqs <= valid_until_seq that we hold now (current records and tombstones), read in
 * the publishing txn. When the default valid_until_seq is the member's complete here,
 * that is exactly its current set up to there. A list over HB_KEPT_MAX bytes is left
 * out (the revocation then binds by valid_until_seq alone).
 */
static int
keep_current(struct wctx *w, struct hb_record *draft)
{
	struct hb_member m;
	MDB_cursor *c;
	MDB_val k, v;
	uint8_t key[RKEY_LEN], *out = NULL;
	uint64_t (*ranges)[2] = NULL, seq;
	size_t n = 0, cap = 0, len;
	int rc;

	if (proto_record_membership(draft, &m) != 0 || m.status != 2 ||
	    proto_record_kept(draft, &len) != NULL)
		return 0;
	if ((rc = mdb_cursor_open(w->txn, w->st->seqs, &c)) != 0)
		return rc;
	rkey_make(key, m.key, 1);
	k.mv_data = key;
	k.mv_size = RKEY_LEN;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != RKEY_LEN || memcmp(k.mv_data, m.key, HB_KEY_LEN) != 0 ||
		    (seq = be64_get((uint8_t *)k.mv_data + HB_KEY_LEN)) > m.valid_until_seq)
			break;
		if (n > 0 && ranges[n - 1][1] + 1 == seq) {
			ranges[n - 1][1] = seq;
			continue;
		}
		if (n == cap) {
			void *nr;

			cap = cap ? cap * 2 : 64;
			if ((nr = reallocarray(ranges, cap, sizeof(*ranges))) == NULL) {
				rc = ENOMEM;
				break;
			}
			ranges = nr;
		}
		ranges[n][0] = ranges[n][1] = seq;
		n++;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	if ((out = malloc(HB_KEPT_MAX)) == NULL) {
		rc = ENOMEM;
		goto out;
	}
	if ((len = proto_kept_encode((const uint64_t (*)[2])ranges, n, out, HB_KEPT_MAX)) >
	    0 || n == 0)
		rc = proto_membership_set_kept(draft, out, len) == 0 ? 0 : ENOMEM;
out:
	free(out);
	free(ranges);
	return rc;
}

/* One attempt at publishing recs in one txn. Returns an LMDB code or errno (MDB_MAP_FULL:
 * grow and retry), else 0 with each verdict in res[] and the first one in *first. */
static int
publish_txn(struct wctx *w, struct hb_record **recs, size_t n,
    const struct hb_identity *id, int *res, int *first)
{
	struct auth_state as;
	const uint8_t *signer;
	uint64_t seq;
	int rc;

	*first = 0;
	if ((rc = store_auth_read(w->st, w->txn, id->pk, &as)) != 0 ||
	    (rc = arrival_load(w)) != 0)
		return rc;
	seq = as.max_seq + 1;
	for (size_t i = 0; i < n; i++) {
		/* After a retry (map grown) recs[i] is already signed with this very seq. */
		signer = proto_record_author(recs[i]);
		res[i] = 0;
		if (signer == NULL || memcmp(signer, id->pk, HB_KEY_LEN) != 0 ||
		    proto_record_seq(recs[i]) != seq) {
			if (proto_record_kind(recs[i]) == HB_TOMBSTONE &&
			    (rc = erase_own_boxes(w, recs[i], id->pk, &res[i])) != 0)
				return rc;
			if (proto_record_kind(recs[i]) == HB_MEMBERSHIP &&
			    (rc = keep_current(w, recs[i])) != 0)
				return rc;
			if (res[i] == 0)
				res[i] = proto_sign(recs[i], id, seq, w->now);
		}
		if (res[i] == 0 && (rc = apply(w, recs[i], NULL, true, &res[i])) != 0)
			return rc;
		if (res[i] == 0)
			seq++;	/* a refused draft takes no seq */
		else if (*first == 0)
			*first = res[i];
	}
	if (*first != 0)
		return 0;
	if ((rc = text_flush(w)) != 0 || (rc = meta_flush(w)) != 0)
		return rc;
	return 0;
}

int
store_publish_many(struct store *st, struct hb_record **recs, size_t n,
    const struct hb_identity *id, int64_t now, int *res)
{
	struct wctx w = { .st = st, .now = now };
	int rc, first = 0;

	for (;;) {
		memset(w.counts, 0, sizeof(w.counts));
		w.members_changed = false;
		pending_free(&w.pend);
		if ((rc = store_txn_begin(st, true, &w.txn)) != 0)
			break;
		if ((rc = publish_txn(&w, recs, n, id, res, &first)) != 0 || first != 0) {
			store_txn_end(st, w.txn);	/* all or none */
			if (rc == 0)
				rc = first;
		} else {
			rc = mdb_txn_commit(w.txn);	/* frees the txn, failed or not */
			store_txn_end(st, NULL);
			if (rc == 0)
				atomic_fetch_add(&st->changes, 1);
		}
		if (rc == MDB_MAP_FULL && (rc = store_grow(st)) == 0)
			continue;
		break;
	}
	pending_free(&w.pend);
	if (rc == 0 && w.members_changed)
		atomic_fetch_add(&st->members_version, 1);
	return store_lmdb_err(rc);
}

int
store_publish(struct store *st, struct hb_record *r, const struct hb_identity *id,
    int64_t now)
{
	int res;

	return store_publish_many(st, &r, 1, id, now, &res);
}
