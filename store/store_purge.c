/* SPDX-License-Identifier: ISC */
/*
 * store_purge: listings and events past their expiry leave the store on every daemon,
 * record and index entries, by the same rule at the same time; sent again they are
 * refused at ingest (STORE_EEXPIRED), so sync never brings them back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct victim {
	uint8_t		ckey[HB_KEY_LEN + HB_ID_MAX];
	size_t		cklen;
	uint64_t	seq, arr;
	enum hb_kind	kind;
};

struct victims {
	struct victim	*v;
	size_t		 n, cap;
};

static int
del_cb(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg)
{
	int rc = mdb_del(txn, dbi, k, v);	/* v: only this posting of a DUPSORT key */

	(void)arg;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The kinds a CLI gives an expiry; memberships and tombstones are never purged (trust
 * and erasure depend on them). */
static bool
purgeable(unsigned kind)
{
	return kind == HB_VOLUNTEER || kind == HB_EVENT;
}

#define EXPIRY_SCAN_EVERY	86400	/* s: a full scan at least this often, whatever */

void
store_expiry_due(struct store *st, int64_t when)
{
	int64_t cur = atomic_load(&st->next_expiry);

	while (cur > when && !atomic_compare_exchange_weak(&st->next_expiry, &cur, when))
		;
}

/* Every current record of a purgeable kind whose expires is <= now; *next gets the
 * earliest expiry after now among the others (INT64_MAX if none). */
static int
collect(struct store *st, MDB_txn *txn, int64_t now, struct victims *out, int64_t *next)
{
	MDB_cursor *c;
	MDB_val k, v, rv;
	int64_t expires;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->cur, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *cv = v.mv_data;
		struct victim *x;

		if (v.mv_size != CUR_LEN || k.mv_size > sizeof(x->ckey)) {
			rc = STORE_ECORRUPT;
			break;
		}
		if (!purgeable(cv[8]))
			continue;
		if ((rc = store_rec_get(st, txn, be64_get(cv + 9), &rv)) != 0)
			break;
		if (proto_envelope_expires((const uint8_t *)rv.mv_data + HB_HASH_LEN,
		    rv.mv_size - HB_HASH_LEN, &expires) != 0) {
			rc = STORE_ECORRUPT;
			break;
		}
		if (expires > now && expires < *next)
			*next = expires;
		if (expires == 0 || expires > now)
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 16;

			if ((x = realloc(out->v, cap * sizeof(*x))) == NULL) {
				rc = ENOMEM;
				break;
			}
			out->v = x;
			out->cap = cap;
		}
		x = &out->v[out->n++];
		memcpy(x->ckey, k.mv_data, k.mv_size);
		x->cklen = k.mv_size;
		x->seq = be64_get(cv);
		x->kind = cv[8];
		x->arr = be64_get(cv + 9);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Remove one record: its index entries, cur, seqs and rec entries; one fewer current
 * record for its author (complete and max_seq stay). */
static int
remove_one(struct store *st, MDB_txn *txn, const struct victim *x)
{
	struct hb_record *r = NULL;
	struct auth_state as;
	uint8_t rkey[RKEY_LEN], akey[ARR_LEN];
	MDB_val k, v;
	uint64_t cost;
	int rc;

	if ((rc = store_rec_get(st, txn, x->arr, &v)) != 0)
		return rc;
	if ((rc = rec_cost(&v, &cost)) != 0 || (rc = store_decode_stored(&v, &r)) != 0)
		return rc;
	if ((rc = idx_each(st, txn, r, x->arr, del_cb, NULL)) != 0)
		goto out;
	k.mv_data = (void *)x->ckey;
	k.mv_size = x->cklen;
	if ((rc = mdb_del(txn, st->cur, &k, NULL)) != 0)
		goto out;
	rkey_make(rkey, x->ckey, x->seq);
	k.mv_data = rkey;
	k.mv_size = RKEY_LEN;
	if ((rc = mdb_del(txn, st->seqs, &k, NULL)) != 0 && rc != MDB_NOTFOUND)
		goto out;
	be64_put(akey, x->arr);
	k.mv_data = akey;
	k.mv_size = ARR_LEN;
	if ((rc = store_rec_del(st, txn, &k)) != 0)
		goto out;
	if ((rc = store_auth_read(st, txn, x->ckey, &as)) != 0)
		goto out;
	if (as.found && as.records > 0) {
		as.records--;
		as.bytes -= cost < as.bytes ? cost : as.bytes;
		rc = store_auth_write(st, txn, x->ckey, &as);
	}
out:
	hb_record_free(&r);
	return rc;
}

/* meta "counts" minus what went. */
static int
counts_sub(struct store *st, MDB_txn *txn, const uint64_t gone[HB_KIND_MAX + 1])
{
	MDB_val k = { 6, "counts" }, v;
	uint64_t held[HB_KIND_MAX + 1];
	uint8_t buf[8 * (HB_KIND_MAX + 1)];
	int rc;

	if ((rc = mdb_get(txn, st->meta, &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? STORE_ECORRUPT : rc;
	if ((rc = counts_get(&v, held)) != 0)
		return rc;
	for (int i = 0; i <= HB_KIND_MAX; i++)
		be64_put(buf + 8 * i, held[i] - (gone[i] < held[i] ? gone[i] : held[i]));
	v.mv_data = buf;
	v.mv_size = sizeof(buf);
	return mdb_put(txn, st->meta, &k, &v, 0);
}

/* One attempt: an LMDB code (MDB_MAP_FULL: grow and try again), errno or STORE_E*. */
static int
purge_once(struct store *st, int64_t now, size_t *purged)
{
	struct victims vs = { NULL, 0, 0 };
	uint64_t gone[HB_KIND_MAX + 1] = { 0 };
	MDB_txn *txn;
	int64_t next = INT64_MAX;
	int rc;

	*purged = 0;
	if ((rc = store_txn_begin(st, true, &txn)) != 0)
		return rc;
	if ((rc = collect(st, txn, now, &vs, &next)) != 0)
		goto out;
	/* Set while we hold the write txn: a record stored after it lowers it again. */
	atomic_store(&st->next_expiry, next);
	st->expiry_scan = now;
	if (vs.n == 0)
		goto out;
	for (size_t i = 0; i < vs.n && rc == 0; i++) {
		rc = remove_one(st, txn, &vs.v[i]);
		gone[vs.v[i].kind]++;
	}
	if (rc == 0 && (rc = counts_sub(st, txn, gone)) == 0) {
		rc = mdb_txn_commit(txn);	/* frees the txn, failed or not */
		txn = NULL;
		if (rc == 0) {
			*purged = vs.n;
			atomic_fetch_add(&st->changes, 1);
		}
	}
out:
	if (rc != 0)
		atomic_store(&st->next_expiry, 0);	/* not known: scan again */
	store_txn_end(st, txn);
	free(vs.v);
	return rc;
}

int
store_purge_expired(struct store *st, int64_t now, size_t *purged)
{
	size_t n = 0;
	int64_t due = atomic_load(&st->next_expiry);
	int rc;

	if (purged != NULL)
		*purged = 0;
	if (due != 0 && now < due && now - st->expiry_scan < EXPIRY_SCAN_EVERY)
		return 0;	/* nothing expires yet: no need to read every record */
	while ((rc = purge_once(st, now, &n)) == MDB_MAP_FULL)
		if ((rc = store_grow(st)) != 0)
			break;
	if (purged != NULL)
		*purged = rc == 0 ? n : 0;
	return store_lmdb_err(rc);
}
