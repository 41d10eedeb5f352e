/* SPDX-License-Identifier: ISC */
/*
 * store internals shared by store.c, store_write.c, store_index.c, store_query.c and
 * store_verify.c. Nothing here leaves the module: only store/ includes lmdb.h.
 */
#ifndef HIROBA_STORE_INTERNAL_H
#define HIROBA_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <lmdb.h>

#include "store.h"

#define STORE_FORMAT		7
#define STORE_DEFAULT_MAP	((size_t)64 << 20)
#define STORE_MAXDBS		16

#define RKEY_LEN	(HB_KEY_LEN + 8)	/* seqs key: author || seq(BE) */
#define ARR_LEN		8			/* rec key: arrival number (BE) */
#define CUR_LEN		(8 + 1 + ARR_LEN)	/* cur value: seq || kind || arrival */
#define TERM_MAX	400			/* term bytes kept in an index key */
#define POSTING_LEN	(ARR_LEN + 1)		/* term/text data: arrival || kind */
#define OCC_SLACK	(31 * 86400)		/* an occurrence lasts at most 31 days */
#define OCC_BUCKET	(7 * 86400)		/* occ keys: the week an occurrence starts */
#define GEO_CELL_E7	200000			/* 0.02 degree, ~2 km */
#define EARTH_R		6371008.8
/* Clock used to decode records already stored (validated when they came in): far
 * enough ahead that no stored record looks "from the future". */
#define DECODE_NOW	((int64_t)1 << 40)

struct store {
	MDB_env			*env;
	MDB_dbi			 meta, rec, seqs, cur, auth, mem, occ, term, text, geo;
	MDB_dbi			 box, dead;
	MDB_dbi			 kept;	/* member key -> its revocation's kept ranges */
	char			*dir;
	uint8_t			 root[HB_KEY_LEN];
	size_t			 mapsize;
	size_t			 mapsize_max;
	int			 verify_threads;
	uint64_t		 member_records, member_bytes;	/* quotas; 0 none */
	/* Readers hold it shared for the life of their read txn; resizing the map and
	 * reopening the env after MDB_PANIC hold it exclusively (LMDB requires that no txn
	 * of this process is active then). */
	pthread_rwlock_t	 lock;
	_Atomic uint64_t	 members_version;
	_Atomic uint64_t	 changes;	/* write txns committed (store_changes) */
	/* No purgeable record expires before next_expiry (0: not known yet); set by the
	 * expiry scan, lowered by every record stored with an earlier expiry. Lets
	 * store_purge_expired skip its scan of every current record (1.7 s at 1M
	 * records, every minute) while nothing is due. expiry_scan: when it last ran. */
	_Atomic int64_t		 next_expiry;
	int64_t			 expiry_scan;
};

/* Per-author state as stored in `auth`: complete, max_seq, records (BE u64 each). */
struct auth_state {
	uint64_t	complete, max_seq, records, bytes;
	bool		found;
};

static inline void
be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t
be64_get(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void
be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t
be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* int64 in an order-preserving byte form: flip the sign bit, big-endian. */
static inline void
i64_key_put(uint8_t *p, int64_t v)
{
	be64_put(p, (uint64_t)v ^ ((uint64_t)1 << 63));
}

static inline int64_t
i64_key_get(const uint8_t *p)
{
	return (int64_t)(be64_get(p) ^ ((uint64_t)1 << 63));
}

/* floor(t / OCC_BUCKET) */
static inline int64_t
occ_bucket(int64_t t)
{
	int64_t q = t / OCC_BUCKET;

	return t % OCC_BUCKET < 0 ? q - 1 : q;
}

/* meta "counts": a u64 per kind. A store written before a kind was added holds fewer;
 * the missing ones are 0. Returns 0 or STORE_ECORRUPT. */
static inline int
counts_get(const MDB_val *v, uint64_t counts[HB_KIND_MAX + 1])
{
	size_t n = v->mv_size / 8;

	if (v->mv_size % 8 != 0 || n == 0 || n > HB_KIND_MAX + 1)
		return STORE_ECORRUPT;
	for (size_t i = 0; i <= HB_KIND_MAX; i++)
		counts[i] = i < n ? be64_get((const uint8_t *)v->mv_data + 8 * i) : 0;
	return 0;
}

static inline void
rkey_make(uint8_t k[RKEY_LEN], const uint8_t author[HB_KEY_LEN], uint64_t seq)
{
	memcpy(k, author, HB_KEY_LEN);
	be64_put(k + HB_KEY_LEN, seq);
}

/* store.c */
int	 store_lmdb_err(int rc);
int	 store_txn_begin(struct store *st, bool write, MDB_txn **txn);
void	 store_txn_end(struct store *st, MDB_txn *txn);
int	 store_grow(struct store *st);
/* A record expiring at when was stored: the expiry scan is due by then (store_purge.c). */
void	 store_expiry_due(struct store *st, int64_t when);
/* Create st->env and open every database (create: also the databases and meta), with
 * st->lock held exclusively or before anyone else uses st. st->env NULL on failure. */
int	 store_env_open(struct store *st, bool create);
/* The data folder and its files are this user's own and safe (STORE_EUNSAFE). */
int	 safe_folder(const char *dir);
int	 store_auth_read(struct store *st, MDB_txn *txn, const uint8_t a[HB_KEY_LEN],
	    struct auth_state *as);
int	 store_auth_write(struct store *st, MDB_txn *txn, const uint8_t a[HB_KEY_LEN],
	    const struct auth_state *as);
int	 store_mem_read(struct store *st, MDB_txn *txn, const uint8_t key[HB_KEY_LEN],
	    struct hb_member *m);
void	 store_mem_encode(const struct hb_member *m, uint8_t *buf, size_t *len);
int	 store_decode_stored(const MDB_val *v, struct hb_record **r);
/* The rec value of arrival number arr (0, STORE_ECORRUPT if missing, or LMDB's code). */
int	 store_rec_get(struct store *st, MDB_txn *txn, uint64_t arr, MDB_val *v);

/* store_index.c: every index entry of a record stored under arrival number arr, for
 * put, delete and verify. */
typedef int (*idx_cb)(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, void *arg);
int	 idx_each(struct store *st, MDB_txn *txn, const struct hb_record *r, uint64_t arr,
	    idx_cb cb, void *arg);
/* The same entries in two steps: idx_prepare computes them from the record alone (no
 * txn, any thread: ingest's workers do it while they verify), idx_emit hands them to cb
 * once the arrival number is known. idx_prepare returns 0 or an errno (then s is
 * empty); idx_set_free releases what it made. */
enum { IDX_TERM, IDX_TEXT };
struct idx_set {
	uint8_t		 kind;
	uint8_t		*post;		/* postings: db(1) || len(2 BE) || key, repeated */
	size_t		 postlen, postcap;
	int64_t		*occ;		/* occurrences: start, end */
	size_t		 nocc, capocc;
	bool		 has_point;
	int32_t		 lat, lon;
	/* box and dead entries: digest -> rkey (author || seq of the record). */
	uint8_t		 rkey[RKEY_LEN];
	uint8_t		 box[2][HB_HASH_LEN];	/* a listing's sealed boxes */
	size_t		 nbox;
	uint8_t		*dead;			/* a tombstone's erased, ndead * 32 */
	size_t		 ndead;
};
int	 idx_prepare(const struct hb_record *r, struct idx_set *s);
void	 idx_set_free(struct idx_set *s);
int	 idx_emit(struct store *st, MDB_txn *txn, const struct idx_set *s, uint64_t arr,
	    idx_cb cb, void *arg);
/* What a record takes in the store, by our own count: its envelope (envlen) and each of
 * its index entries' key and value, plus IDX_NODE_COST for LMDB's node header. A
 * member's quota (member_bytes) is on this sum. */
#define IDX_NODE_COST	16
uint64_t idx_cost(const struct idx_set *s, size_t envlen);
/* The same for a stored rec value (hash || envelope): 0 or a STORE_ error. */
int	 rec_cost(const MDB_val *v, uint64_t *cost);
int32_t	 geo_cell(int32_t e7);
/* Format 4 -> 5 at open: the box index of the records held (dead starts empty). */
int	 store_migrate_boxes(struct store *st, MDB_txn *txn);
int	 store_migrate_bytes(struct store *st, MDB_txn *txn);
/* Delete the rec entry at key k, its bytes overwritten with zeros first. */
int	 store_rec_del(struct store *st, MDB_txn *txn, MDB_val *k);
double	 geo_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);
/* Each code point of the NUL-terminated UTF-8 s: its length in bytes (s valid). */
size_t	 utf8_cp_len(const char *s);

#endif /* HIROBA_STORE_INTERNAL_H */
