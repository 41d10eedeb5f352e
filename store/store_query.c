/* SPDX-License-Identifier: ISC */
/*
 * store queries: pick the most selective index the query allows (time range, author,
 * area, text, term, else every current record), then check every other condition on
 * the candidate, from the index value when it carries enough, else on the decoded record.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

enum plan { PLAN_OCC, PLAN_AUTHOR, PLAN_GEO, PLAN_TEXT, PLAN_TERM, PLAN_ALL };

/* A set of arrival numbers with one byte each: dedupe candidates, remember verdicts. */
struct seen_slot {
	uint64_t	arr;
	uint8_t		verdict;	/* 0 empty, 1 new, 2 pass, 3 fail */
};
struct seen {
	struct seen_slot	*slots;
	size_t			 cap, n;
};

/* An occurrence found in occ, waiting for its week to be sorted by start. */
struct occ_hit {
	int64_t		start, end;
	uint64_t	arr;
	uint16_t	occno;
	uint8_t		kind;
};

struct qctx {
	struct store			*st;
	MDB_txn				*txn;
	const struct store_query	*q;
	store_hit_cb			 cb;
	void				*arg;
	enum plan			 plan;
	char				*ntext;		/* normalized query text, or NULL */
	bool				 text_by_index;	/* one character: the index is exact */
	bool				 term0_by_index;
	bool				 timed;
	int64_t				 from, to;
	size_t				 hits;
	bool				 done;
	struct seen			 seen;
	struct occ_hit			*occ;		/* PLAN_OCC: the current week's */
	size_t				 nocc, capocc;
	int64_t				 occ_week;
	int32_t				 box[4];	/* PLAN_GEO: lat0, lat1, lon0, lon1 */
};

static size_t
seen_hash(uint64_t arr)
{
	return (size_t)((arr * 0x9e3779b97f4a7c15ull) >> 32);
}

/* The slot for arr: its verdict is slot->verdict (1 when new). */
static struct seen_slot *
seen_slot(struct seen *s, uint64_t arr)
{
	size_t i;

	if (s->n * 2 >= s->cap) {
		struct seen ns = { .cap = s->cap ? s->cap * 2 : 256 };

		if ((ns.slots = calloc(ns.cap, sizeof(*ns.slots))) == NULL)
			return NULL;
		for (size_t j = 0; j < s->cap; j++) {
			if (s->slots[j].verdict == 0)
				continue;
			for (i = seen_hash(s->slots[j].arr) & (ns.cap - 1); ns.slots[i].verdict;
			    i = (i + 1) & (ns.cap - 1))
				;
			ns.slots[i] = s->slots[j];
			ns.n++;
		}
		free(s->slots);
		*s = ns;
	}
	for (i = seen_hash(arr) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct seen_slot *p = &s->slots[i];

		if (p->verdict == 0) {
			p->arr = arr;
			p->verdict = 1;
			s->n++;
			return p;
		}
		if (p->arr == arr)
			return p;
	}
}

static int
term_match_cb(const char *s, void *arg)
{
	return strcmp(s, (const char *)arg) == 0;
}

static int
text_match_cb(const char *s, void *arg)
{
	char *n = proto_normalize(s);
	int found;

	if (n == NULL)
		return 0;
	found = strstr(n, (const char *)arg) != NULL;
	free(n);
	return found;
}

/* Conditions the index could not answer, on the decoded record. */
static int
check_record(struct qctx *c, const MDB_val *v, bool need_point, bool *ok)
{
	const struct store_query *q = c->q;
	struct hb_record *r = NULL;
	int32_t lat, lon;
	int rc;

	*ok = false;
	if ((rc = store_decode_stored(v, &r)) != 0)
		return rc;
	for (size_t i = c->term0_by_index ? 1 : 0; i < q->nterms; i++)
		if (proto_record_terms(r, term_match_cb, (void *)q->terms[i]) != 1)
			goto out;
	if (c->ntext != NULL && !c->text_by_index &&
	    proto_record_texts(r, text_match_cb, c->ntext) != 1)
		goto out;
	if (need_point && (proto_record_point(r, &lat, &lon) != 0 ||
	    geo_distance_m(q->lat_e7, q->lon_e7, lat, lon) > q->radius_m))
		goto out;
	*ok = true;
out:
	hb_record_free(&r);
	return 0;
}

/*
 * One candidate: its arrival number, its kind, and what the index entry told (point,
 * occurrence). dedupe: the plan can yield a record more than once.
 */
static int
candidate(struct qctx *c, uint64_t arr, uint8_t kind, const int32_t *pt,
    int64_t start, int64_t end, bool dedupe)
{
	const struct store_query *q = c->q;
	struct seen_slot *slot = NULL;
	const uint8_t *env;
	MDB_val v;
	bool need_decode, ok;
	int rc;

	if (kind == HB_TOMBSTONE || (q->kind != 0 && kind != q->kind))
		return 0;
	if (q->near && pt != NULL &&
	    geo_distance_m(q->lat_e7, q->lon_e7, pt[0], pt[1]) > q->radius_m)
		return 0;
	if (dedupe) {
		if ((slot = seen_slot(&c->seen, arr)) == NULL)
			return ENOMEM;
		if (slot->verdict == 3 || (slot->verdict == 2 && c->plan != PLAN_OCC))
			return 0;	/* refused before, or already returned */
	}
	if ((rc = store_rec_get(c->st, c->txn, arr, &v)) != 0)
		return store_lmdb_err(rc);
	env = (const uint8_t *)v.mv_data + HB_HASH_LEN;
	/* The author, from the envelope's canonical encoding: field 1, 32 bytes, first. */
	if (q->author != NULL && c->plan != PLAN_AUTHOR) {
		if (v.mv_size < HB_HASH_LEN + 2 + HB_KEY_LEN || env[0] != 0x0a ||
		    env[1] != HB_KEY_LEN)
			return STORE_ECORRUPT;
		if (memcmp(env + 2, q->author, HB_KEY_LEN) != 0) {
			if (slot != NULL)
				slot->verdict = 3;
			return 0;
		}
	}
	need_decode = q->nterms > (c->term0_by_index ? 1u : 0u) ||
	    (c->ntext != NULL && !c->text_by_index) || (q->near && pt == NULL);
	if (need_decode && (slot == NULL || slot->verdict == 1)) {
		if ((rc = check_record(c, &v, q->near && pt == NULL, &ok)) != 0)
			return rc;
		if (slot != NULL)
			slot->verdict = ok ? 2 : 3;
		if (!ok)
			return 0;
	} else if (slot != NULL)
		slot->verdict = 2;
	if ((rc = c->cb((const uint8_t *)v.mv_data + HB_HASH_LEN, v.mv_size - HB_HASH_LEN,
	    c->timed ? start : 0, c->timed ? end : 0, c->arg)) != 0) {
		c->done = true;
		return rc;
	}
	if (q->limit != 0 && ++c->hits >= q->limit)
		c->done = true;
	return 0;
}

/* Walk keys of dbi from lo (every duplicate of each) while they start with
 * prefix[0..plen) (plen 0: to the end; exact: are equal to it) and, if hi != NULL,
 * compare below hi. */
typedef int (*walk_cb)(struct qctx *c, const MDB_val *k, const MDB_val *v);

static int
walk(struct qctx *c, MDB_dbi dbi, const void *lo, size_t lolen, const void *prefix,
    size_t plen, bool exact, const void *hi, size_t hilen, walk_cb fn)
{
	MDB_cursor *cur;
	MDB_val k = { lolen, (void *)lo }, v;
	int rc, mrc;

	if ((mrc = mdb_cursor_open(c->txn, dbi, &cur)) != 0)
		return store_lmdb_err(mrc);
	rc = 0;
	for (mrc = lolen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) :
	    mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && !c->done;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0 ||
		    (exact && k.mv_size != plen)))
			break;
		if (hi != NULL) {
			size_t m = k.mv_size < hilen ? k.mv_size : hilen;
			int cmp = memcmp(k.mv_data, hi, m);

			if (cmp > 0 || (cmp == 0 && k.mv_size >= hilen))
				break;
		}
		if ((rc = fn(c, &k, &v)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_lmdb_err(mrc);
	return rc;
}

static int
occ_hit_cmp(const void *a, const void *b)
{
	const struct occ_hit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->arr != y->arr)
		return x->arr < y->arr ? -1 : 1;
	return (x->occno > y->occno) - (x->occno < y->occno);
}

/* The held occurrences of one week, in order of start: weeks come in order, so all
 * of them come out ordered by start. */
static int
occ_flush(struct qctx *c)
{
	int rc = 0;

	if (c->nocc > 1)
		qsort(c->occ, c->nocc, sizeof(*c->occ), occ_hit_cmp);
	for (size_t i = 0; i < c->nocc && rc == 0 && !c->done; i++)
		rc = candidate(c, c->occ[i].arr, c->occ[i].kind, NULL, c->occ[i].start,
		    c->occ[i].end, true);
	c->nocc = 0;
	return rc;
}

static int
occ_fn(struct qctx *c, const MDB_val *k, const MDB_val *v)
{
	const uint8_t *p = k->mv_data, *val = v->mv_data;
	struct occ_hit *h;
	int64_t week, start, end;
	int rc;

	if (k->mv_size != 8 + ARR_LEN + 2 || v->mv_size != 17)
		return STORE_ECORRUPT;
	if ((week = i64_key_get(p)) != c->occ_week) {
		if ((rc = occ_flush(c)) != 0 || c->done)
			return rc;
		c->occ_week = week;
	}
	start = i64_key_get(val);
	end = i64_key_get(val + 8);
	if (end <= c->from || start >= c->to)
		return 0;
	if (c->nocc == c->capocc) {
		size_t cap = c->capocc ? c->capocc * 2 : 256;

		if ((h = realloc(c->occ, cap * sizeof(*h))) == NULL)
			return ENOMEM;
		c->occ = h;
		c->capocc = cap;
	}
	h = &c->occ[c->nocc++];
	h->start = start;
	h->end = end;
	h->arr = be64_get(p + 8);
	h->occno = (uint16_t)(p[8 + ARR_LEN] << 8 | p[8 + ARR_LEN + 1]);
	h->kind = val[16];
	return 0;
}

static int
cur_fn(struct qctx *c, const MDB_val *k, const MDB_val *v)
{
	const uint8_t *val = v->mv_data;

	if (k->mv_size <= HB_KEY_LEN || v->mv_size != CUR_LEN)
		return STORE_ECORRUPT;
	return candidate(c, be64_get(val + 9), val[8], NULL, 0, 0, false);
}

static int
geo_fn(struct qctx *c, const MDB_val *k, const MDB_val *v)
{
	const uint8_t *val = v->mv_data;
	int32_t pt[2];

	if (k->mv_size != 8 + ARR_LEN || v->mv_size != 9)
		return STORE_ECORRUPT;
	pt[0] = (int32_t)be32_get(val);
	pt[1] = (int32_t)be32_get(val + 4);
	/* Outside the box around the circle: no need for the distance. */
	if (pt[0] < c->box[0] || pt[0] > c->box[1] || pt[1] < c->box[2] || pt[1] > c->box[3])
		return 0;
	return candidate(c, be64_get((const uint8_t *)k->mv_data + 8), val[8], pt, 0, 0,
	    false);
}

static int
posting_fn(struct qctx *c, const MDB_val *k, const MDB_val *v)
{
	if (v->mv_size != POSTING_LEN)
		return STORE_ECORRUPT;
	return candidate(c, be64_get(v->mv_data), ((uint8_t *)v->mv_data)[ARR_LEN], NULL, 0,
	    0, c->plan == PLAN_TEXT && c->text_by_index);
}

static int
plan_occ(struct qctx *c)
{
	uint8_t lo[8], hi[8];
	int64_t from = c->from;
	int rc;

	if (c->to <= c->from)
		return 0;
	/* An occurrence lasts at most OCC_SLACK: it started at most that long before. */
	from = from < INT64_MIN + OCC_SLACK ? INT64_MIN : from - OCC_SLACK;
	c->occ_week = occ_bucket(from);
	i64_key_put(lo, c->occ_week);
	i64_key_put(hi, occ_bucket(c->to - 1) + 1);
	if ((rc = walk(c, c->st->occ, lo, 8, NULL, 0, false, hi, 8, occ_fn)) != 0)
		return rc;
	return c->done ? 0 : occ_flush(c);
}

static int
plan_geo(struct qctx *c)
{
	const struct store_query *q = c->q;
	double dlat = q->radius_m / (2 * M_PI * EARTH_R / 360.0) * 1e7, dlon;
	double lat0 = q->lat_e7 - dlat, lat1 = q->lat_e7 + dlat, maxabs, cosl;
	int32_t lon0 = -1800000000, lon1 = 1800000000;
	int rc = 0;

	if (lat0 < -900000000)
		lat0 = -900000000;
	if (lat1 > 900000000)
		lat1 = 900000000;
	maxabs = fabs(lat0) > fabs(lat1) ? fabs(lat0) : fabs(lat1);
	cosl = cos(maxabs / 1e7 * M_PI / 180);
	if (cosl > 1e-6) {
		dlon = dlat / cosl;
		/* Across the antimeridian: simply every longitude. */
		if (q->lon_e7 - dlon >= -1800000000.0 && q->lon_e7 + dlon <= 1800000000.0) {
			lon0 = (int32_t)floor(q->lon_e7 - dlon);
			lon1 = (int32_t)ceil(q->lon_e7 + dlon);
		}
	}
	/* With a margin for rounding and the flat-earth longitude bound. */
	c->box[0] = (int32_t)floor(lat0) - 10;
	c->box[1] = (int32_t)ceil(lat1) + 10;
	c->box[2] = lon0 == -1800000000 ? lon0 : lon0 - (int32_t)((lon1 - lon0) / 100) - 10;
	c->box[3] = lon1 == 1800000000 ? lon1 : lon1 + (int32_t)((lon1 - lon0) / 100) + 10;
	for (int32_t lc = geo_cell((int32_t)floor(lat0)); lc <= geo_cell((int32_t)ceil(lat1)) &&
	    rc == 0 && !c->done; lc++) {
		uint8_t lo[8], hi[8];

		be32_put(lo, (uint32_t)lc ^ 0x80000000u);
		be32_put(lo + 4, (uint32_t)geo_cell(lon0) ^ 0x80000000u);
		memcpy(hi, lo, 4);
		be32_put(hi + 4, ((uint32_t)geo_cell(lon1) ^ 0x80000000u) + 1);
		rc = walk(c, c->st->geo, lo, 8, NULL, 0, false, hi, 8, geo_fn);
	}
	return rc;
}

int
store_query(struct store *st, const struct store_query *q, store_hit_cb cb, void *arg)
{
	struct qctx c = { .st = st, .q = q, .cb = cb, .arg = arg };
	uint8_t key[TERM_MAX + 1];
	size_t klen;
	int rc;

	if (q->nterms > sizeof(q->terms) / sizeof(q->terms[0]))
		return EINVAL;
	for (size_t i = 0; i < q->nterms; i++)
		if (q->terms[i] == NULL)
			return EINVAL;
	c.timed = q->from != 0 || q->to != 0;
	c.from = q->from;
	c.to = q->to == 0 && c.timed ? INT64_MAX : q->to;
	if (q->text != NULL && q->text[0] != '\0') {
		if ((c.ntext = proto_normalize(q->text)) == NULL)
			return EINVAL;
		if (c.ntext[0] == '\0') {
			free(c.ntext);
			c.ntext = NULL;
		}
	}
	if (c.timed)
		c.plan = PLAN_OCC;
	else if (q->author != NULL)
		c.plan = PLAN_AUTHOR;
	else if (q->near)
		c.plan = PLAN_GEO;
	else if (c.ntext != NULL)
		c.plan = PLAN_TEXT;
	else if (q->nterms > 0)
		c.plan = PLAN_TERM;
	else
		c.plan = PLAN_ALL;

	if ((rc = store_txn_begin(st, false, &c.txn)) != 0)
		goto out;
	switch (c.plan) {
	case PLAN_OCC:
		rc = plan_occ(&c);
		break;
	case PLAN_AUTHOR:
		rc = walk(&c, st->cur, q->author, HB_KEY_LEN, q->author, HB_KEY_LEN, false,
		    NULL, 0, cur_fn);
		break;
	case PLAN_GEO:
		rc = plan_geo(&c);
		break;
	case PLAN_TEXT: {
		size_t l1 = utf8_cp_len(c.ntext), l2 = c.ntext[l1] ?
		    utf8_cp_len(c.ntext + l1) : 0;

		/* One character: every key starting with it (pairs and the last-character
		 * key); more: the exact first pair, then the substring on each candidate. */
		c.text_by_index = l2 == 0;
		memcpy(key, c.ntext, l1 + l2);
		klen = l1 + l2;
		rc = walk(&c, st->text, key, klen, key, klen, l2 != 0, NULL, 0, posting_fn);
		break;
	}
	case PLAN_TERM:
		klen = strlen(q->terms[0]);
		c.term0_by_index = klen <= TERM_MAX;
		if (klen > TERM_MAX)
			klen = TERM_MAX;
		memcpy(key, q->terms[0], klen);
		rc = walk(&c, st->term, key, klen, key, klen, true, NULL, 0, posting_fn);
		break;
	case PLAN_ALL:
		rc = walk(&c, st->cur, NULL, 0, NULL, 0, false, NULL, 0, cur_fn);
		break;
	}
	store_txn_end(st, c.txn);
out:
	free(c.ntext);
	free(c.seen.slots);
	free(c.occ);
	return rc;
}
