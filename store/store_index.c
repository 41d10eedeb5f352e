/* SPDX-License-Identifier: ISC */
/*
 * store indexes: the entries one record puts into occ, term, text, geo, box and dead.
 * The same walk serves storing, removing (a replaced version) and checking (store_verify).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

size_t
utf8_cp_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

int32_t
geo_cell(int32_t e7)
{
	int32_t q = e7 / GEO_CELL_E7;

	if (e7 % GEO_CELL_E7 < 0)
		q--;
	return q;
}

double
geo_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
	const double d2r = M_PI / 180.0 / 1e7;
	double p1 = lat1 * d2r, p2 = lat2 * d2r;
	double dp = (double)(lat2 - lat1) * d2r, dl = (double)((int64_t)lon2 - lon1) * d2r;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	if (a > 1)
		a = 1;
	return 2 * EARTH_R * asin(sqrt(a));
}

/* Postings (term, text: MDB_DUPSORT | MDB_DUPFIXED): key = the term or bigram,
 * data = arrival || kind, 9 bytes. Each posting list is in arrival order, so a batch's
 * new postings go at the end of each list: a batch dirties about one page per distinct
 * term, not one per posting. In an idx_set a posting is db(1) || len(2 BE) || key. */
static int
set_posting(struct idx_set *s, uint8_t db, const char *key, size_t len)
{
	if (len > TERM_MAX)
		len = TERM_MAX;
	if (s->postlen + 3 + len > s->postcap) {
		size_t cap = s->postcap ? s->postcap * 2 : 512;
		uint8_t *p;

		while (cap < s->postlen + 3 + len)
			cap *= 2;
		if ((p = realloc(s->post, cap)) == NULL)
			return ENOMEM;
		s->post = p;
		s->postcap = cap;
	}
	s->post[s->postlen] = db;
	s->post[s->postlen + 1] = (uint8_t)(len >> 8);
	s->post[s->postlen + 2] = (uint8_t)len;
	memcpy(s->post + s->postlen + 3, key, len);
	s->postlen += 3 + len;
	return 0;
}

static int
term_cb(const char *t, void *arg)
{
	return set_posting(arg, IDX_TERM, t, strlen(t));
}

/* Each pair of consecutive code points of the normalized text, and the last code point
 * alone: a one-character query is then a prefix scan. */
static int
text_cb(const char *t, void *arg)
{
	char *norm;
	const char *p;
	int rc = 0;

	if ((norm = proto_normalize(t)) == NULL)
		return ENOMEM;
	for (p = norm; *p != '\0' && rc == 0;) {
		size_t l1 = utf8_cp_len(p), l2 = p[l1] ? utf8_cp_len(p + l1) : 0;

		rc = set_posting(arg, IDX_TEXT, p, l1 + l2);
		p += l1;
	}
	free(norm);
	return rc;
}

static int
occ_cb(int64_t start, int64_t end, void *arg)
{
	struct idx_set *s = arg;

	if (s->nocc == s->capocc) {
		size_t cap = s->capocc ? s->capocc * 2 : 8;
		int64_t *p;

		if ((p = realloc(s->occ, cap * 2 * sizeof(*p))) == NULL)
			return ENOMEM;
		s->occ = p;
		s->capocc = cap;
	}
	s->occ[2 * s->nocc] = start;
	s->occ[2 * s->nocc + 1] = end;
	s->nocc++;
	return 0;
}

/* box: digest of a sealed box -> the record carrying it, so that a tombstone erasing
 * that box finds every copy, whoever wrote it. dead: digest -> the tombstone erasing it,
 * so that a copy arriving later is refused (PROTOCOL.md 12.3). Both DUPSORT: several
 * records may carry one box, several tombstones may name one digest. Kept as index
 * entries so that removing a record (replaced, purged, revoked) removes them too. */
static int
boxes_prepare(const struct hb_record *r, struct idx_set *s)
{
	const uint8_t *erased[HB_ERASED_MAX];

	if (proto_record_author(r) == NULL)
		return 0;
	rkey_make(s->rkey, proto_record_author(r), proto_record_seq(r));
	s->nbox = proto_record_boxes(r, s->box);
	if ((s->ndead = proto_record_erased(r, erased)) == 0)
		return 0;
	if ((s->dead = malloc(s->ndead * HB_HASH_LEN)) == NULL) {
		s->ndead = 0;
		return ENOMEM;
	}
	for (size_t i = 0; i < s->ndead; i++)
		memcpy(s->dead + i * HB_HASH_LEN, erased[i], HB_HASH_LEN);
	return 0;
}

int
idx_prepare(const struct hb_record *r, struct idx_set *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->kind = (uint8_t)proto_record_kind(r);
	if ((rc = boxes_prepare(r, s)) != 0)
		return rc;
	if (s->kind == HB_TOMBSTONE)
		return 0;	/* nothing to search in a tombstone */
	if ((rc = proto_record_terms(r, term_cb, s)) != 0 ||
	    (rc = proto_record_texts(r, text_cb, s)) != 0 ||
	    (rc = proto_record_occurrences(r, occ_cb, s)) != 0) {
		idx_set_free(s);
		return rc;
	}
	s->has_point = proto_record_point(r, &s->lat, &s->lon) == 0;
	return 0;
}

void
idx_set_free(struct idx_set *s)
{
	free(s->post);
	free(s->occ);
	free(s->dead);
	memset(s, 0, sizeof(*s));
}

static int
emit_boxes(struct store *st, MDB_txn *txn, const struct idx_set *s, idx_cb cb,
    void *arg)
{
	int rc;

	for (size_t i = 0; i < s->nbox + s->ndead; i++) {
		bool dead = i >= s->nbox;
		MDB_val k = { HB_HASH_LEN, dead ? s->dead + (i - s->nbox) * HB_HASH_LEN :
		    (uint8_t *)s->box[i] };
		MDB_val v = { RKEY_LEN, (void *)s->rkey };

		if ((rc = cb(txn, dead ? st->dead : st->box, &k, &v, arg)) != 0)
			return rc;
	}
	return 0;
}

int
idx_emit(struct store *st, MDB_txn *txn, const struct idx_set *s, uint64_t arr,
    idx_cb cb, void *arg)
{
	uint8_t data[POSTING_LEN];
	int rc;

	be64_put(data, arr);
	data[ARR_LEN] = s->kind;
	for (size_t off = 0; off < s->postlen;) {
		const uint8_t *p = s->post + off;
		size_t len = (size_t)p[1] << 8 | p[2];
		MDB_val k = { len, (void *)(p + 3) }, v = { POSTING_LEN, data };

		if ((rc = cb(txn, p[0] == IDX_TERM ? st->term : st->text, &k, &v, arg)) != 0)
			return rc;
		off += 3 + len;
	}
	for (size_t i = 0; i < s->nocc; i++) {
		uint8_t key[8 + ARR_LEN + 2], val[17];
		MDB_val k = { sizeof(key), key }, v = { sizeof(val), val };

		/* Week, then arrival: a batch's occurrences go in at the end of each week's
		 * range instead of all over the index; queries sort a week's entries by
		 * start. */
		i64_key_put(key, occ_bucket(s->occ[2 * i]));
		be64_put(key + 8, arr);
		key[8 + ARR_LEN] = (uint8_t)(i >> 8);
		key[8 + ARR_LEN + 1] = (uint8_t)i;
		i64_key_put(val, s->occ[2 * i]);
		i64_key_put(val + 8, s->occ[2 * i + 1]);
		val[16] = s->kind;
		if ((rc = cb(txn, st->occ, &k, &v, arg)) != 0)
			return rc;
	}
	if (s->has_point) {
		uint8_t key[8 + ARR_LEN], val[9];
		MDB_val k = { sizeof(key), key }, v = { sizeof(val), val };

		be32_put(key, (uint32_t)geo_cell(s->lat) ^ 0x80000000u);
		be32_put(key + 4, (uint32_t)geo_cell(s->lon) ^ 0x80000000u);
		be64_put(key + 8, arr);
		be32_put(val, (uint32_t)s->lat);
		be32_put(val + 4, (uint32_t)s->lon);
		val[8] = s->kind;
		if ((rc = cb(txn, st->geo, &k, &v, arg)) != 0)
			return rc;
	}
	return emit_boxes(st, txn, s, cb, arg);
}

static int
put_box(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg)
{
	(void)arg;
	return mdb_put(txn, dbi, k, v, 0);
}

int
store_migrate_boxes(struct store *st, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->rec, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct hb_record *r = NULL;
		struct idx_set s;

		if ((rc = store_decode_stored(&v, &r)) != 0)
			break;
		memset(&s, 0, sizeof(s));
		if ((rc = boxes_prepare(r, &s)) == 0)
			rc = emit_boxes(st, txn, &s, put_box, NULL);
		idx_set_free(&s);
		hb_record_free(&r);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * The store's own estimate of what a record takes: LMDB's pages and free space come on
 * top, so data.mdb is larger, but the estimate grows with what a member can make us
 * keep. Counting envelopes alone let 14.6 MiB of random-kanji events (each bigram an
 * index key) take 420 MiB of disk.
 */
uint64_t
idx_cost(const struct idx_set *s, size_t envlen)
{
	uint64_t cost = envlen + RKEY_LEN + HB_HASH_LEN + 3 * IDX_NODE_COST; /* rec, seqs, cur */

	for (size_t off = 0; off < s->postlen;) {
		size_t len = (size_t)s->post[off + 1] << 8 | s->post[off + 2];

		cost += len + POSTING_LEN + IDX_NODE_COST;
		off += 3 + len;
	}
	cost += s->nocc * (8 + ARR_LEN + 2 + 17 + IDX_NODE_COST);
	if (s->has_point)
		cost += 8 + ARR_LEN + 9 + IDX_NODE_COST;
	cost += (s->nbox + s->ndead) * (HB_HASH_LEN + RKEY_LEN + IDX_NODE_COST);
	return cost;
}

int
rec_cost(const MDB_val *v, uint64_t *cost)
{
	struct hb_record *r = NULL;
	struct idx_set s;
	int rc;

	if ((rc = store_decode_stored(v, &r)) != 0)
		return rc;
	if ((rc = idx_prepare(r, &s)) == 0) {
		*cost = idx_cost(&s, v->mv_size - HB_HASH_LEN);
		idx_set_free(&s);
	}
	hb_record_free(&r);
	return rc;
}

int
store_record_cost(const uint8_t *env, size_t len, uint64_t *cost)
{
	uint8_t *buf;
	MDB_val v;
	int rc;

	if ((buf = malloc(HB_HASH_LEN + len)) == NULL)
		return ENOMEM;
	memset(buf, 0, HB_HASH_LEN);
	memcpy(buf + HB_HASH_LEN, env, len);
	v.mv_data = buf;
	v.mv_size = HB_HASH_LEN + len;
	rc = rec_cost(&v, cost);
	free(buf);
	return rc;
}

int
idx_each(struct store *st, MDB_txn *txn, const struct hb_record *r, uint64_t arr,
    idx_cb cb, void *arg)
{
	struct idx_set s;
	int rc;

	if ((rc = idx_prepare(r, &s)) != 0)
		return rc;
	rc = idx_emit(st, txn, &s, arr, cb, arg);
	idx_set_free(&s);
	return rc;
}

/* Formats 4 and 5 kept no bytes per author, format 6 only its envelopes': add up what
 * the records held take (rec_cost; a rec value is the record's hash, then its envelope,
 * whose bytes 2..33 are its author). */
int
store_migrate_bytes(struct store *st, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct auth_state as;
	uint8_t author[HB_KEY_LEN];
	int rc;

	/* every author's value to 32 bytes, bytes 0 */
	if ((rc = mdb_cursor_open(txn, st->auth, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != HB_KEY_LEN)
			continue;
		uint8_t buf[32];
		MDB_val nv = { sizeof(buf), buf };

		if (v.mv_size != 24 && v.mv_size != 32) {
			rc = STORE_ECORRUPT;
			break;
		}
		memcpy(buf, v.mv_data, 24);	/* complete, max_seq, records */
		memset(buf + 24, 0, 8);		/* bytes, added up below */
		if ((rc = mdb_cursor_put(c, &k, &nv, MDB_CURRENT)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = mdb_cursor_open(txn, st->rec, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *e = (const uint8_t *)v.mv_data + HB_HASH_LEN;

		if (v.mv_size < HB_HASH_LEN + 2 + HB_KEY_LEN || e[0] != 0x0a ||
		    e[1] != HB_KEY_LEN) {
			rc = STORE_ECORRUPT;
			break;
		}
		memcpy(author, e + 2, HB_KEY_LEN);
		if ((rc = store_auth_read(st, txn, author, &as)) != 0)
			break;
		if (!as.found)
			continue;
		uint64_t cost;

		if ((rc = rec_cost(&v, &cost)) != 0)
			break;
		as.bytes += cost;
		if ((rc = store_auth_write(st, txn, author, &as)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
