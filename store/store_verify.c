/* SPDX-License-Identifier: ISC */
/*
 * store_verify: re-check everything stored, for tests and `hiroba verify`: each record's
 * signature, hash and decoding, that seqs and cur point at it, that its index entries
 * exist, that every cur and seqs entry has its record, and that the arrival counter is
 * ahead of every record.
 */
#include <errno.h>
#include <string.h>

#include "store_internal.h"

static int
check_cb(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg)
{
	MDB_cursor *c;
	MDB_val got = *v;
	unsigned flags;
	int rc;

	if ((rc = mdb_dbi_flags(txn, dbi, &flags)) != 0)
		return store_lmdb_err(rc);
	if (flags & MDB_DUPSORT) {
		/* This very posting among the key's duplicates. */
		if ((rc = mdb_cursor_open(txn, dbi, &c)) != 0)
			return store_lmdb_err(rc);
		rc = mdb_cursor_get(c, k, &got, MDB_GET_BOTH);
		mdb_cursor_close(c);
	} else
		rc = mdb_get(txn, dbi, k, &got);
	if (rc != 0)
		return rc == MDB_NOTFOUND ? STORE_ECORRUPT : store_lmdb_err(rc);
	if (got.mv_size != v->mv_size || memcmp(got.mv_data, v->mv_data, v->mv_size) != 0)
		return STORE_ECORRUPT;
	return 0;
}

static int
check_one(struct store *st, MDB_txn *txn, const MDB_val *k, const MDB_val *v,
    uint64_t counts[])
{
	struct hb_record *r = NULL;
	const uint8_t *env = (const uint8_t *)v->mv_data + HB_HASH_LEN;
	size_t envlen = v->mv_size - HB_HASH_LEN;
	uint8_t ckey[HB_KEY_LEN + HB_ID_MAX], rkey[RKEY_LEN];
	MDB_val ck, cv;
	const char *id;
	uint64_t arr;
	int rc = STORE_ECORRUPT;

	if (k->mv_size != ARR_LEN || v->mv_size <= HB_HASH_LEN)
		return STORE_ECORRUPT;
	arr = be64_get(k->mv_data);
	if (proto_verify(env, envlen) != 0 ||
	    proto_open_verified(env, envlen, DECODE_NOW, &r) != 0)
		goto out;
	if (memcmp(proto_record_hash(r), v->mv_data, HB_HASH_LEN) != 0)
		goto out;
	rkey_make(rkey, proto_record_author(r), proto_record_seq(r));
	ck.mv_data = rkey;
	ck.mv_size = RKEY_LEN;
	if (mdb_get(txn, st->seqs, &ck, &cv) != 0 || cv.mv_size != ARR_LEN ||
	    be64_get(cv.mv_data) != arr)
		goto out;
	id = proto_record_id(r);
	memcpy(ckey, proto_record_author(r), HB_KEY_LEN);
	memcpy(ckey + HB_KEY_LEN, id, strlen(id));
	ck.mv_data = ckey;
	ck.mv_size = HB_KEY_LEN + strlen(id);
	if (mdb_get(txn, st->cur, &ck, &cv) != 0 || cv.mv_size != CUR_LEN ||
	    be64_get(cv.mv_data) != proto_record_seq(r) ||
	    ((uint8_t *)cv.mv_data)[8] != proto_record_kind(r) ||
	    be64_get((uint8_t *)cv.mv_data + 9) != arr)
		goto out;
	if ((rc = idx_each(st, txn, r, arr, check_cb, NULL)) != 0)
		goto out;
	counts[proto_record_kind(r)]++;
	rc = 0;
out:
	hb_record_free(&r);
	return rc;
}

int
store_verify(struct store *st, uint64_t *checked)
{
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	MDB_stat srec, sseqs;
	uint64_t counts[HB_KIND_MAX + 1] = { 0 }, last = 0;
	int rc, mrc;

	if (checked != NULL)
		*checked = 0;
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->rec, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((rc = check_one(st, txn, &k, &v, counts)) != 0)
			goto out;
		last = be64_get(k.mv_data);
		if (checked != NULL)
			(*checked)++;
	}
	if (mrc != MDB_NOTFOUND)
		goto out;
	mdb_cursor_close(c);
	c = NULL;

	/* Every cur entry has its record; each record has its seqs entry (checked above),
	 * so as many seqs entries as records means none is left over. */
	if ((mrc = mdb_cursor_open(txn, st->cur, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		MDB_val rv;

		if (k.mv_size <= HB_KEY_LEN || v.mv_size != CUR_LEN) {
			rc = STORE_ECORRUPT;
			goto out;
		}
		if ((rc = store_rec_get(st, txn, be64_get((uint8_t *)v.mv_data + 9), &rv)) != 0) {
			rc = store_lmdb_err(rc);
			goto out;
		}
	}
	if (mrc != MDB_NOTFOUND)
		goto out;
	if ((mrc = mdb_stat(txn, st->rec, &srec)) != 0 ||
	    (mrc = mdb_stat(txn, st->seqs, &sseqs)) != 0)
		goto out;
	if (srec.ms_entries != sseqs.ms_entries) {
		rc = STORE_ECORRUPT;
		goto out;
	}
	/* The arrival counter is ahead of every record. */
	k.mv_data = "arrival";
	k.mv_size = 7;
	if ((mrc = mdb_get(txn, st->meta, &k, &v)) == 0) {
		if (v.mv_size != 8 || be64_get(v.mv_data) < last) {
			rc = STORE_ECORRUPT;
			goto out;
		}
	} else if (mrc != MDB_NOTFOUND)
		goto out;
	else if (last != 0) {
		rc = STORE_ECORRUPT;
		goto out;
	}
	mrc = 0;
	k.mv_data = "counts";
	k.mv_size = 6;
	if (mdb_get(txn, st->meta, &k, &v) == 0) {
		uint64_t held[HB_KIND_MAX + 1];

		rc = counts_get(&v, held);
		for (int i = 0; i <= HB_KIND_MAX && rc == 0; i++)
			if (held[i] != counts[i])
				rc = STORE_ECORRUPT;
	}
out:
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_lmdb_err(mrc);
	if (c != NULL)
		mdb_cursor_close(c);
	store_txn_end(st, txn);
	return rc;
}
