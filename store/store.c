/* SPDX-License-Identifier: ISC */
/*
 * store: a daemon's records in LMDB. Opening, the environment's life (map growth, reopen
 * after a failed write), and the simple reads: authors, members, get, scan, stats.
 *
 * Layout (named databases in one environment, durable default flags). Every stored
 * record gets an arrival number, a local counter that only grows; the record and its
 * index entries are keyed by it:
 *   meta  "format" -> u32; "root" -> center key; "counts" -> u64 per kind;
 *         "arrival" -> u64, the last arrival number given
 *   rec   arrival(8 BE)            ->  hash(32) || envelope        current versions only
 *   seqs  author(32) || seq(8 BE)  ->  arrival                      the same records
 *   cur   author || id             ->  seq(8 BE) || kind(1) || arrival   tombstones too
 *   auth  author                   ->  complete, max_seq, records   (u64 BE each)
 *   mem   member key               ->  its membership, from the center's records
 *   occ   week(8, sign-flipped BE) || arrival || occurrence(2) -> start(8) || end(8) || kind
 *         (week = floor(start / 7 days); times sign-flipped BE)
 *   term  term    -> arrival || kind   (DUPSORT, DUPFIXED: many per key)
 *   text  bigram  -> arrival || kind   (each pair of code points, and the last)
 *   geo   latcell(4) || loncell(4) || arrival (0.02 degree)   -> lat, lon, kind
 *   box   digest(32) of a sealed box -> author || seq(8 BE)  (DUPSORT: every record
 *         carrying that box, so that a tombstone erasing it finds the copies too)
 *   dead  digest(32) -> author || seq of a tombstone whose erased names it (DUPSORT);
 *         a record carrying such a box is refused (PROTOCOL.md 12.3)
 * Why arrival numbers: LMDB puts with increasing keys are ~20 times faster than scattered
 * ones (a batch dirties the last pages, not pages all over the tree). rec is appended to,
 * each posting list of term and text grows at its end, and occ grows at the end of each
 * week, so a batch of records dirties about one page per distinct term or week instead
 * of one per entry, and signature checks stay the bound. seqs keeps per-author order for sync (an author's records go in at the end
 * of its range); cur carries the arrival number so a lookup by id is two gets. Index
 * values carry the kind (and the point, or the occurrence's end) so that most queries
 * never decode a record.
 *
 * complete: "every current record of this author with seq <= complete is held". A
 * replaced version leaves a hole in an author's seqs, so complete advances two ways:
 * through seqs held contiguously in rec, and through a peer's claim after a batch.
 *
 * Threads: one writer (the daemon's main thread); readers may run in other threads at
 * the same time (MDB_NOTLS). Readers hold st->lock shared during their read txn; map
 * growth and the reopen after MDB_PANIC hold it exclusively, as LMDB requires.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

/* How many st->lock read holds this thread has: a writer called from inside a read
 * callback cannot take the lock exclusively to grow the map. */
static _Thread_local int tls_depth;

static const struct {
	int		 rc;
	const char	*name;
	const char	*text;
} store_errs[] = {
	{ STORE_NOTFOUND, "not-found", "no such record, author or member" },
	{ STORE_EDUP, "duplicate", "record already held" },
	{ STORE_EOLD, "old-version", "an equal or newer version of this record is held" },
	{ STORE_ETOMBSTONE, "tombstoned", "the record was deleted by its author" },
	{ STORE_EFORK, "fork", "same author and seq as a held record, different content" },
	{ STORE_EUNKNOWN, "unknown-author", "author is not an admitted member" },
	{ STORE_EREVOKED, "revoked", "author revoked before this record" },
	{ STORE_ENOTCENTER, "not-center", "membership or match not written by the center" },
	{ STORE_EEXPIRED, "expired", "the record has expired" },
	{ STORE_EMAPFULL, "map-full", "the store cannot grow further" },
	{ STORE_ECORRUPT, "corrupt", "a stored value does not decode or check" },
	{ STORE_EVERSION, "version", "data directory of another version or center" },
	{ STORE_EERASED, "erased",
	    "carries a sealed contact that its owner deleted (erased everywhere)" },
	{ STORE_EQUOTA, "over-quota",
	    "its author is over its quota of records or bytes here" },
	{ STORE_EUNSAFE, "unsafe",
	    "the data folder or a file in it is not this user's own, is writable by "
	    "group or others (chmod go-w), or is a link" },
	{ STORE_ETRUNC, "truncated",
	    "data.mdb is shorter than the pages it lists: an interrupted copy?" },
};

const char *
store_strerror(int rc)
{
	if (rc > 0)
		return strerror(rc);
	if (rc >= PROTO_ETOOBIG && rc < PROTO_ELAST)
		return proto_strerror(rc);
	for (size_t i = 0; i < sizeof(store_errs) / sizeof(store_errs[0]); i++)
		if (store_errs[i].rc == rc)
			return store_errs[i].text;
	return rc == 0 ? "success" : "unknown error";
}

const char *
store_errname(int rc)
{
	if (rc > 0)
		return "system";
	if (rc >= PROTO_ETOOBIG && rc < PROTO_ELAST)
		return proto_errname(rc);
	for (size_t i = 0; i < sizeof(store_errs) / sizeof(store_errs[0]); i++)
		if (store_errs[i].rc == rc)
			return store_errs[i].name;
	return rc == 0 ? "ok" : "unknown";
}

/* LMDB's own codes, as the module's codes or errnos. */
int
store_lmdb_err(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return STORE_NOTFOUND;
	case MDB_MAP_FULL:
		return STORE_EMAPFULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_BAD_VALSIZE:
		return STORE_ECORRUPT;
	case MDB_VERSION_MISMATCH:
	case MDB_INVALID:
	case MDB_INCOMPATIBLE:
		return STORE_EVERSION;
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED:
		return EAGAIN;
	case MDB_TXN_FULL:
	case MDB_CURSOR_FULL:
	case MDB_PAGE_FULL:
		return E2BIG;
	case MDB_BAD_RSLOT:
	case MDB_BAD_TXN:
	case MDB_BAD_DBI:
	case MDB_DBS_FULL:
	case MDB_KEYEXIST:
		return EINVAL;
	default:
		/* Our own codes (and errnos) pass through; other LMDB codes are I/O. */
		if (rc > 0 || rc < MDB_KEYEXIST || rc > MDB_LAST_ERRCODE)
			return rc;
		return EIO;
	}
}

static int
meta_check(struct store *st, MDB_txn *txn)
{
	MDB_val k, v;
	uint8_t fmt[4];
	int rc;

	k.mv_data = "format";
	k.mv_size = 6;
	if ((rc = mdb_get(txn, st->meta, &k, &v)) == 0 && v.mv_size == 4 &&
	    be32_get(v.mv_data) >= 4 && be32_get(v.mv_data) < STORE_FORMAT) {
		/* Format 4 lacks box and dead (just created, empty): index the boxes held;
		 * no format-4 tombstone could name erased boxes. Formats 4 and 5 lack
		 * each author's bytes, format 6 counted envelopes only: count them. */
		if (be32_get(v.mv_data) == 4 && (rc = store_migrate_boxes(st, txn)) != 0)
			return rc;
		if ((rc = store_migrate_bytes(st, txn)) != 0)
			return rc;
		be32_put(fmt, STORE_FORMAT);
		v.mv_data = fmt;
		v.mv_size = 4;
		if ((rc = mdb_put(txn, st->meta, &k, &v, 0)) != 0)
			return rc;
	} else if (rc == 0) {
		if (v.mv_size != 4 || be32_get(v.mv_data) != STORE_FORMAT)
			return STORE_EVERSION;
	} else if (rc == MDB_NOTFOUND) {
		be32_put(fmt, STORE_FORMAT);
		v.mv_data = fmt;
		v.mv_size = 4;
		if ((rc = mdb_put(txn, st->meta, &k, &v, 0)) != 0)
			return rc;
	} else
		return rc;

	k.mv_data = "root";
	k.mv_size = 4;
	if ((rc = mdb_get(txn, st->meta, &k, &v)) == 0) {
		if (v.mv_size != HB_KEY_LEN || memcmp(v.mv_data, st->root, HB_KEY_LEN) != 0)
			return STORE_EVERSION;
	} else if (rc == MDB_NOTFOUND) {
		v.mv_data = st->root;
		v.mv_size = HB_KEY_LEN;
		if ((rc = mdb_put(txn, st->meta, &k, &v, 0)) != 0)
			return rc;
	} else
		return rc;

	/* The root always has an author entry, so store_authors starts with it. */
	k.mv_data = st->root;
	k.mv_size = HB_KEY_LEN;
	if ((rc = mdb_get(txn, st->auth, &k, &v)) == MDB_NOTFOUND) {
		struct auth_state as = { 0 };

		rc = store_auth_write(st, txn, st->root, &as);
	}
	return rc;
}

/*
 * A data.mdb cut short (a copy killed midway, a full disk) lists pages past its end;
 * reading them through the map is SIGBUS. LMDB reads only the meta pages to open, so
 * compare the file with the last page they name before any transaction.
 */
static int
whole_file(MDB_env *env, const MDB_envinfo *info)
{
	MDB_stat	 ms;
	struct stat	 sb;
	int		 fd;

	if (mdb_env_stat(env, &ms) != 0 || mdb_env_get_fd(env, &fd) != 0 ||
	    fstat(fd, &sb) != 0)
		return EIO;
	if ((uint64_t)sb.st_size < ((uint64_t)info->me_last_pgno + 1) * ms.ms_psize)
		return STORE_ETRUNC;
	return 0;
}

/*
 * The data folder, and data.mdb and lock.mdb in it when they exist, must be this user's
 * own, not writable by group or others, and not links: another user who could plant a
 * lock.mdb symlink to a root-owned file would have it opened, resized and written
 * through when the daemon runs as root.
 */
static int
safe_file(const char *path, bool dir)
{
	struct stat	 sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT && !dir ? 0 : errno;
	if ((dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode)) ||
	    sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return STORE_EUNSAFE;
	return 0;
}

int
safe_folder(const char *dir)
{
	char	 path[4200];
	int	 rc;

	if ((rc = safe_file(dir, true)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((rc = safe_file(path, false)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	return safe_file(path, false);
}

/* Create the env and open every database; first time with create = true. */
int
store_env_open(struct store *st, bool create)
{
	MDB_txn *txn = NULL;
	MDB_envinfo info;
	int rc, dead;
	const struct {
		MDB_dbi		*dbi;
		const char	*name;
		unsigned	 flags;
	} dbs[] = {
		{ &st->meta, "meta", 0 }, { &st->rec, "rec", 0 }, { &st->seqs, "seqs", 0 },
		{ &st->cur, "cur", 0 },
		{ &st->auth, "auth", 0 }, { &st->mem, "mem", 0 }, { &st->occ, "occ", 0 },
		{ &st->term, "term", MDB_DUPSORT | MDB_DUPFIXED },
		{ &st->text, "text", MDB_DUPSORT | MDB_DUPFIXED }, { &st->geo, "geo", 0 },
		{ &st->box, "box", MDB_DUPSORT | MDB_DUPFIXED },
		{ &st->dead, "dead", MDB_DUPSORT | MDB_DUPFIXED },
		{ &st->kept, "kept", 0 },
	};

	if ((rc = mdb_env_create(&st->env)) != 0)
		goto out;
	if ((rc = mdb_env_set_maxdbs(st->env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->mapsize)) != 0)
		goto out;
	/* Default flags: durable commits. NOTLS: read txns are not tied to threads. */
	if ((rc = mdb_env_open(st->env, st->dir, MDB_NOTLS, 0600)) != 0)
		goto out;
	if ((rc = mdb_reader_check(st->env, &dead)) != 0)
		goto out;
	if ((rc = mdb_env_info(st->env, &info)) != 0)
		goto out;
	if ((rc = whole_file(st->env, &info)) != 0)
		goto out;
	st->mapsize = info.me_mapsize;	/* an existing file may be bigger */
	if ((rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn)) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if ((rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags |
		    (create ? MDB_CREATE : 0), dbs[i].dbi)) != 0)
			goto out;
	if (create && (rc = meta_check(st, txn)) != 0)
		goto out;
	rc = mdb_txn_commit(txn);
	txn = NULL;
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (rc != 0 && st->env != NULL) {
		mdb_env_close(st->env);
		st->env = NULL;
	}
	return store_lmdb_err(rc);
}

int
store_open(struct store **stp, const char *dir, const uint8_t root[HB_KEY_LEN],
    const struct store_opts *opts)
{
	struct store *st;
	int rc = ENOMEM;

	*stp = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return ENOMEM;
	if (pthread_rwlock_init(&st->lock, NULL) != 0) {
		free(st);
		return ENOMEM;
	}
	if ((st->dir = strdup(dir)) == NULL)
		goto out;
	memcpy(st->root, root, HB_KEY_LEN);
	st->mapsize = opts && opts->mapsize ? opts->mapsize : STORE_DEFAULT_MAP;
	st->mapsize_max = opts ? opts->mapsize_max : 0;
	st->verify_threads = opts ? opts->verify_threads : 0;
	st->member_records = opts ? opts->member_records : 0;
	st->member_bytes = opts ? opts->member_bytes : 0;
	atomic_init(&st->members_version, 1);
	atomic_init(&st->next_expiry, 0);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = errno;
		goto out;
	}
	if ((rc = safe_folder(dir)) != 0)
		goto out;
	if ((rc = store_env_open(st, true)) != 0)
		goto out;
	*stp = st;
	st = NULL;
out:
	store_close(&st);
	return rc;
}

void
store_close(struct store **stp)
{
	struct store *st = *stp;

	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->lock);
	free(st->dir);
	free(st);
	*stp = NULL;
}

/*
 * Begin a txn with st->lock held shared. MDB_MAP_RESIZED (another process grew the map)
 * and MDB_PANIC (a write failed: the env must be reopened) are repaired here, holding the
 * lock exclusively, unless this thread is already inside a txn of this store.
 */
int
store_txn_begin(struct store *st, bool write, MDB_txn **txn)
{
	int rc;

	*txn = NULL;
	for (int tries = 0;; tries++) {
		pthread_rwlock_rdlock(&st->lock);
		tls_depth++;
		rc = st->env ? mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, txn) :
		    MDB_PANIC;
		if (rc == 0)
			return 0;
		tls_depth--;
		pthread_rwlock_unlock(&st->lock);
		if ((rc != MDB_PANIC && rc != MDB_MAP_RESIZED) || tries >= 2 ||
		    tls_depth > 0)
			return store_lmdb_err(rc);

		pthread_rwlock_wrlock(&st->lock);
		if (rc == MDB_MAP_RESIZED) {
			MDB_envinfo info;

			if (mdb_env_set_mapsize(st->env, 0) == 0 &&
			    mdb_env_info(st->env, &info) == 0)
				st->mapsize = info.me_mapsize;
		} else {
			MDB_txn *t = NULL;

			/* Another thread may have reopened it already. */
			if (st->env == NULL ||
			    mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t) == MDB_PANIC) {
				if (st->env != NULL)
					mdb_env_close(st->env);
				st->env = NULL;
				store_env_open(st, false);
			} else if (t != NULL)
				mdb_txn_abort(t);
		}
		pthread_rwlock_unlock(&st->lock);
	}
}

/* Abort txn if not NULL (a committed write txn is passed as NULL), drop the lock. */
void
store_txn_end(struct store *st, MDB_txn *txn)
{
	if (txn != NULL)
		mdb_txn_abort(txn);
	tls_depth--;
	pthread_rwlock_unlock(&st->lock);
}

/* Double the map, up to mapsize_max. No txn of this process may be active. */
int
store_grow(struct store *st)
{
	size_t want;
	int rc;

	if (tls_depth > 0)
		return EDEADLK;
	pthread_rwlock_wrlock(&st->lock);
	want = st->mapsize * 2;
	if (st->mapsize_max != 0 && want > st->mapsize_max)
		want = st->mapsize_max;
	if (want <= st->mapsize || st->env == NULL)
		rc = STORE_EMAPFULL;
	else if ((rc = mdb_env_set_mapsize(st->env, want)) == 0) {
		MDB_envinfo info;

		st->mapsize = want;
		if (mdb_env_info(st->env, &info) == 0)
			st->mapsize = info.me_mapsize;
	} else
		rc = store_lmdb_err(rc);
	pthread_rwlock_unlock(&st->lock);
	return rc;
}

int
store_auth_read(struct store *st, MDB_txn *txn, const uint8_t a[HB_KEY_LEN],
    struct auth_state *as)
{
	MDB_val k = { HB_KEY_LEN, (void *)a }, v;
	int rc;

	memset(as, 0, sizeof(*as));
	if ((rc = mdb_get(txn, st->auth, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_lmdb_err(rc);
	/* 24 bytes: format 5 and before, without bytes (store_migrate_bytes) */
	if (v.mv_size != 32 && v.mv_size != 24)
		return STORE_ECORRUPT;
	as->complete = be64_get(v.mv_data);
	as->max_seq = be64_get((uint8_t *)v.mv_data + 8);
	as->records = be64_get((uint8_t *)v.mv_data + 16);
	as->bytes = v.mv_size == 32 ? be64_get((uint8_t *)v.mv_data + 24) : 0;
	as->found = true;
	return 0;
}

int
store_auth_write(struct store *st, MDB_txn *txn, const uint8_t a[HB_KEY_LEN],
    const struct auth_state *as)
{
	uint8_t buf[32];
	MDB_val k = { HB_KEY_LEN, (void *)a }, v = { sizeof(buf), buf };

	be64_put(buf, as->complete);
	be64_put(buf + 8, as->max_seq);
	be64_put(buf + 16, as->records);
	be64_put(buf + 24, as->bytes);
	return mdb_put(txn, st->auth, &k, &v, 0);
}

/* mem values: role, status, kind, has_replaces (1 byte each), valid_until_seq (8 BE),
 * replaces (32), name (the rest, no NUL). */
void
store_mem_encode(const struct hb_member *m, uint8_t *buf, size_t *len)
{
	size_t nl = strnlen(m->name, sizeof(m->name) - 1);

	buf[0] = (uint8_t)m->role;
	buf[1] = (uint8_t)m->status;
	buf[2] = (uint8_t)m->kind;
	buf[3] = m->has_replaces;
	be64_put(buf + 4, m->valid_until_seq);
	memcpy(buf + 12, m->replaces, HB_KEY_LEN);
	memcpy(buf + 44, m->name, nl);
	*len = 44 + nl;
}

static int
mem_decode(const MDB_val *k, const MDB_val *v, struct hb_member *m)
{
	const uint8_t *p = v->mv_data;
	size_t nl;

	memset(m, 0, sizeof(*m));
	if (k->mv_size != HB_KEY_LEN || v->mv_size < 44 ||
	    v->mv_size - 44 >= sizeof(m->name))
		return STORE_ECORRUPT;
	memcpy(m->key, k->mv_data, HB_KEY_LEN);
	m->role = p[0];
	m->status = p[1];
	m->kind = p[2];
	m->has_replaces = p[3] != 0;
	m->valid_until_seq = be64_get(p + 4);
	memcpy(m->replaces, p + 12, HB_KEY_LEN);
	nl = v->mv_size - 44;
	memcpy(m->name, p + 44, nl);
	m->name[nl] = '\0';
	return 0;
}

/* The membership of key as stored (the root is not special here). 0 or STORE_NOTFOUND. */
int
store_mem_read(struct store *st, MDB_txn *txn, const uint8_t key[HB_KEY_LEN],
    struct hb_member *m)
{
	MDB_val k = { HB_KEY_LEN, (void *)key }, v;
	int rc;

	if ((rc = mdb_get(txn, st->mem, &k, &v)) != 0)
		return store_lmdb_err(rc);
	return mem_decode(&k, &v, m);
}

/* Decode a rec value (hash || envelope), already verified when stored. */
int
store_decode_stored(const MDB_val *v, struct hb_record **r)
{
	*r = NULL;
	if (v->mv_size <= HB_HASH_LEN)
		return STORE_ECORRUPT;
	if (proto_open_verified((const uint8_t *)v->mv_data + HB_HASH_LEN,
	    v->mv_size - HB_HASH_LEN, DECODE_NOW, r) != 0)
		return STORE_ECORRUPT;
	return 0;
}

int
store_rec_get(struct store *st, MDB_txn *txn, uint64_t arr, MDB_val *v)
{
	uint8_t key[ARR_LEN];
	MDB_val k = { ARR_LEN, key };
	int rc;

	be64_put(key, arr);
	if ((rc = mdb_get(txn, st->rec, &k, v)) == MDB_NOTFOUND)
		return STORE_ECORRUPT;
	if (rc == 0 && v->mv_size <= HB_HASH_LEN)
		return STORE_ECORRUPT;
	return rc;
}

int
store_author_get(struct store *st, const uint8_t author[HB_KEY_LEN],
    struct store_author *out)
{
	MDB_txn *txn;
	struct auth_state as;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	if ((rc = store_auth_read(st, txn, author, &as)) == 0 && !as.found)
		rc = STORE_NOTFOUND;
	if (rc == 0) {
		memcpy(out->author, author, HB_KEY_LEN);
		out->complete = as.complete;
		out->max_seq = as.max_seq;
		out->records = as.records;
		out->bytes = as.bytes;
	}
	store_txn_end(st, txn);
	return rc;
}

static void
author_from(const MDB_val *k, const MDB_val *v, struct store_author *a)
{
	memcpy(a->author, k->mv_data, HB_KEY_LEN);
	a->complete = be64_get(v->mv_data);
	a->max_seq = be64_get((uint8_t *)v->mv_data + 8);
	a->records = be64_get((uint8_t *)v->mv_data + 16);
	a->bytes = v->mv_size == 32 ? be64_get((uint8_t *)v->mv_data + 24) : 0;
}

int
store_authors(struct store *st, store_author_cb cb, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	MDB_val k = { HB_KEY_LEN, st->root }, v;
	struct store_author a;
	int rc, mrc;

	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	if ((mrc = mdb_get(txn, st->auth, &k, &v)) == 0 &&
	    (v.mv_size == 32 || v.mv_size == 24)) {
		author_from(&k, &v, &a);
		if ((rc = cb(&a, arg)) != 0)
			goto out;
	}
	if ((mrc = mdb_cursor_open(txn, st->auth, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != HB_KEY_LEN || (v.mv_size != 32 && v.mv_size != 24)) {
			rc = STORE_ECORRUPT;
			goto out;
		}
		if (memcmp(k.mv_data, st->root, HB_KEY_LEN) == 0)
			continue;
		author_from(&k, &v, &a);
		if ((rc = cb(&a, arg)) != 0)
			goto out;
	}
out:
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_lmdb_err(mrc);
	if (c != NULL)
		mdb_cursor_close(c);
	store_txn_end(st, txn);
	return rc;
}

int
store_scan_author(struct store *st, const uint8_t author[HB_KEY_LEN], uint64_t after,
    size_t limit, store_seq_cb cb, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	uint8_t key[RKEY_LEN];
	MDB_val k = { RKEY_LEN, key }, v;
	size_t n = 0;
	int rc, mrc;

	if (after == UINT64_MAX)
		return 0;
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	rkey_make(key, author, after + 1);
	if ((mrc = mdb_cursor_open(txn, st->seqs, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != RKEY_LEN || memcmp(k.mv_data, author, HB_KEY_LEN) != 0)
			break;
		if (v.mv_size != ARR_LEN) {
			rc = STORE_ECORRUPT;
			break;
		}
		if ((rc = store_rec_get(st, txn, be64_get(v.mv_data), &v)) != 0) {
			rc = store_lmdb_err(rc);
			break;
		}
		if ((rc = cb(be64_get((uint8_t *)k.mv_data + HB_KEY_LEN),
		    (const uint8_t *)v.mv_data + HB_HASH_LEN, v.mv_size - HB_HASH_LEN,
		    arg)) != 0)
			break;
		if (limit != 0 && ++n >= limit)
			break;
	}
out:
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_lmdb_err(mrc);
	if (c != NULL)
		mdb_cursor_close(c);
	store_txn_end(st, txn);
	return rc;
}

int
store_get(struct store *st, const uint8_t author[HB_KEY_LEN], const char *id,
    uint8_t **env, size_t *len)
{
	MDB_txn *txn;
	uint8_t key[HB_KEY_LEN + HB_ID_MAX];
	size_t idlen = strlen(id);
	MDB_val k, v;
	int rc;

	*env = NULL;
	*len = 0;
	if (idlen == 0 || idlen > HB_ID_MAX)
		return STORE_NOTFOUND;
	memcpy(key, author, HB_KEY_LEN);
	memcpy(key + HB_KEY_LEN, id, idlen);
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	k.mv_data = key;
	k.mv_size = HB_KEY_LEN + idlen;
	if ((rc = store_lmdb_err(mdb_get(txn, st->cur, &k, &v))) != 0)
		goto out;
	if (v.mv_size != CUR_LEN) {
		rc = STORE_ECORRUPT;
		goto out;
	}
	if ((rc = store_rec_get(st, txn, be64_get((uint8_t *)v.mv_data + 9), &v)) != 0) {
		rc = store_lmdb_err(rc);
		goto out;
	}
	if ((*env = malloc(v.mv_size - HB_HASH_LEN)) == NULL) {
		rc = ENOMEM;
		goto out;
	}
	memcpy(*env, (uint8_t *)v.mv_data + HB_HASH_LEN, v.mv_size - HB_HASH_LEN);
	*len = v.mv_size - HB_HASH_LEN;
out:
	store_txn_end(st, txn);
	return rc;
}

/* The root as a member: always admitted as center, named as the center named itself. */
static void
root_member(struct store *st, MDB_txn *txn, struct hb_member *m)
{
	if (store_mem_read(st, txn, st->root, m) != 0) {
		memset(m, 0, sizeof(*m));
		memcpy(m->key, st->root, HB_KEY_LEN);
		m->kind = 1;	/* GroupKind CENTER */
	}
	m->role = 1;
	m->status = 1;
	m->valid_until_seq = 0;
}

int
store_member(struct store *st, const uint8_t key[HB_KEY_LEN], struct hb_member *m)
{
	MDB_txn *txn;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	if (memcmp(key, st->root, HB_KEY_LEN) == 0)
		root_member(st, txn, m);
	else
		rc = store_mem_read(st, txn, key, m);
	store_txn_end(st, txn);
	return rc;
}

int
store_members(struct store *st, store_member_cb cb, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct hb_member m;
	int rc, mrc;

	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	root_member(st, txn, &m);
	if ((rc = cb(&m, arg)) != 0)
		goto out;
	if ((mrc = mdb_cursor_open(txn, st->mem, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == HB_KEY_LEN && memcmp(k.mv_data, st->root, HB_KEY_LEN) == 0)
			continue;
		if ((rc = mem_decode(&k, &v, &m)) != 0 || (rc = cb(&m, arg)) != 0)
			goto out;
	}
out:
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_lmdb_err(mrc);
	if (c != NULL)
		mdb_cursor_close(c);
	store_txn_end(st, txn);
	return rc;
}

uint64_t
store_members_version(struct store *st)
{
	return atomic_load(&st->members_version);
}

uint64_t
store_changes(struct store *st)
{
	return atomic_load(&st->changes);
}

int
store_stats(struct store *st, struct store_stats *out)
{
	MDB_txn *txn;
	MDB_val k = { 6, "counts" }, v;
	MDB_stat ms;
	MDB_envinfo info;
	int rc, mrc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_txn_begin(st, false, &txn)) != 0)
		return rc;
	if ((mrc = mdb_get(txn, st->meta, &k, &v)) == 0) {
		if ((rc = counts_get(&v, out->kinds)) != 0)
			goto out;
		for (int i = 0; i <= HB_KIND_MAX; i++)
			out->records += out->kinds[i];
	} else if (mrc != MDB_NOTFOUND) {
		rc = store_lmdb_err(mrc);
		goto out;
	}
	if ((mrc = mdb_stat(txn, st->auth, &ms)) != 0) {
		rc = store_lmdb_err(mrc);
		goto out;
	}
	out->authors = ms.ms_entries;
	if ((mrc = mdb_env_info(st->env, &info)) != 0 ||
	    (mrc = mdb_env_stat(st->env, &ms)) != 0) {
		rc = store_lmdb_err(mrc);
		goto out;
	}
	out->mapsize = info.me_mapsize;
	out->used = (size_t)(info.me_last_pgno + 1) * ms.ms_psize;
out:
	store_txn_end(st, txn);
	return rc;
}

/*
 * A deleted value's bytes can stay in its page: LMDB removes a node by moving the ones
 * below it up, and when the deleted node is the lowest in the page nothing moves over
 * it; the page keeps it in its free gap, and a compacting copy copies whole pages. The
 * model test found a deleted record's text in data.mdb after hiroba compact. So the
 * value is overwritten with zeros in place (MDB_RESERVE of the same size writes into
 * this txn's copy of the page, or into fresh overflow pages, the old ones freed) and
 * only then deleted: what a deletion leaves behind in the page is zeros.
 */
int
store_rec_del(struct store *st, MDB_txn *txn, MDB_val *k)
{
	MDB_val	 v;
	int	 rc;

	if ((rc = mdb_get(txn, st->rec, k, &v)) != 0)
		return rc;
	if ((rc = mdb_put(txn, st->rec, k, &v, MDB_RESERVE)) != 0)
		return rc;
	memset(v.mv_data, 0, v.mv_size);
	return mdb_del(txn, st->rec, k, NULL);
}

void
store_set_limits(struct store *st, const struct store_opts *opts)
{
	st->mapsize_max = opts->mapsize_max;
	st->member_records = opts->member_records;
	st->member_bytes = opts->member_bytes;
}
