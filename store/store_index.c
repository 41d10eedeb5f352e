/*
 * store indexes: the entries one record puts into occ, term, text and geo. The same walk
 * serves storing, removing (a replaced version) and checking (store_verify).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct idx_walk {
	struct store	*st;
	MDB_txn		*txn;
	idx_cb		 cb;
	void		*arg;
	uint64_t	 arr;
	uint8_t		 kind;
	unsigned	 occno;
};

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
 * term, not one per posting. */
static int
put_posting(struct idx_walk *w, MDB_dbi dbi, const char *term, size_t tlen)
{
	uint8_t data[POSTING_LEN];
	MDB_val k = { tlen > TERM_MAX ? TERM_MAX : tlen, (void *)term };
	MDB_val v = { sizeof(data), data };

	be64_put(data, w->arr);
	data[ARR_LEN] = w->kind;
	return w->cb(w->txn, dbi, &k, &v, w->arg);
}

static int
term_cb(const char *s, void *arg)
{
	struct idx_walk *w = arg;

	return put_posting(w, w->st->term, s, strlen(s));
}

/* Each pair of consecutive code points of the normalized text, and the last code point
 * alone: a one-character query is then a prefix scan. */
static int
text_cb(const char *s, void *arg)
{
	struct idx_walk *w = arg;
	char *norm;
	const char *p;
	int rc = 0;

	if ((norm = proto_normalize(s)) == NULL)
		return ENOMEM;
	for (p = norm; *p != '\0' && rc == 0;) {
		size_t l1 = utf8_cp_len(p), l2 = p[l1] ? utf8_cp_len(p + l1) : 0;

		rc = put_posting(w, w->st->text, p, l1 + l2);
		p += l1;
	}
	free(norm);
	return rc;
}

static int
occ_cb(int64_t start, int64_t end, void *arg)
{
	struct idx_walk *w = arg;
	uint8_t key[8 + ARR_LEN + 2], val[17];
	MDB_val k = { sizeof(key), key }, v = { sizeof(val), val };

	/* Week, then arrival: a batch's occurrences go in at the end of each week's range
	 * instead of all over the index; queries sort a week's entries by start. */
	i64_key_put(key, occ_bucket(start));
	be64_put(key + 8, w->arr);
	key[8 + ARR_LEN] = (uint8_t)(w->occno >> 8);
	key[8 + ARR_LEN + 1] = (uint8_t)w->occno;
	w->occno++;
	i64_key_put(val, start);
	i64_key_put(val + 8, end);
	val[16] = w->kind;
	return w->cb(w->txn, w->st->occ, &k, &v, w->arg);
}

int
idx_each(struct store *st, MDB_txn *txn, const struct hb_record *r, uint64_t arr,
    idx_cb cb, void *arg)
{
	struct idx_walk w = {
		.st = st, .txn = txn, .cb = cb, .arg = arg, .arr = arr,
		.kind = (uint8_t)proto_record_kind(r),
	};
	int32_t lat, lon;
	int rc;

	if (w.kind == HB_TOMBSTONE)
		return 0;	/* a tombstone has no index entries */
	if ((rc = proto_record_terms(r, term_cb, &w)) != 0)
		return rc;
	if ((rc = proto_record_texts(r, text_cb, &w)) != 0)
		return rc;
	if ((rc = proto_record_occurrences(r, occ_cb, &w)) != 0)
		return rc;
	if (proto_record_point(r, &lat, &lon) == 0) {
		uint8_t key[8 + ARR_LEN], val[9];
		MDB_val k = { sizeof(key), key }, v = { sizeof(val), val };

		be32_put(key, (uint32_t)geo_cell(lat) ^ 0x80000000u);
		be32_put(key + 4, (uint32_t)geo_cell(lon) ^ 0x80000000u);
		be64_put(key + 8, arr);
		be32_put(val, (uint32_t)lat);
		be32_put(val + 4, (uint32_t)lon);
		val[8] = w.kind;
		if ((rc = cb(txn, st->geo, &k, &v, arg)) != 0)
			return rc;
	}
	return 0;
}
