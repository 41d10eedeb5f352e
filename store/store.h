/* SPDX-License-Identifier: ISC */
/*
 * store: a daemon's records in LMDB. The only module that includes lmdb.h; LMDB
 * pointers never leave it: callers get copies, or pointers valid only during a callback.
 *
 * Errors: 0 is success, > 0 an errno, < 0 a STORE_E* code or a PROTO_E* code passed
 * through from validation; store_strerror() names all of them (and PROTO_E* too).
 */
#ifndef HIROBA_STORE_H
#define HIROBA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum {
	STORE_NOTFOUND = -200,	/* no such record / author / member */
	STORE_EDUP,		/* already held (same author, seq and hash): harmless */
	STORE_EOLD,		/* an equal or newer version of this record is held */
	STORE_ETOMBSTONE,	/* the record was deleted by its author: refused for good */
	STORE_EFORK,		/* same author and seq as a held record, different content */
	STORE_EUNKNOWN,		/* author is not an admitted member */
	STORE_EREVOKED,		/* author revoked, and this seq is after valid_until_seq */
	STORE_ENOTCENTER,	/* a membership or match record not written by the center */
	STORE_EEXPIRED,		/* the record's expiry has passed */
	STORE_EMAPFULL,		/* the map cannot grow further (disk full or limit) */
	STORE_ECORRUPT,		/* a stored value does not decode */
	STORE_EVERSION,		/* the data directory was written by an incompatible version */
	STORE_EERASED,		/* carries a sealed box a stored tombstone erased (12.3) */
	STORE_EQUOTA,		/* the author is over its quota of records or bytes here */
	STORE_EUNSAFE,		/* folder or file another user could change (or a link) */
	STORE_ETRUNC,		/* data.mdb shorter than its pages: an interrupted copy */
	STORE_ELAST
};

const char	*store_strerror(int rc);
const char	*store_errname(int rc);	/* short stable name, as proto_errname */

struct store;

struct store_opts {
	size_t	mapsize;	/* initial map size, bytes; 0 = 64 MiB. Grows on MDB_MAP_FULL. */
	size_t	mapsize_max;	/* 0 = no limit but the disk */
	int	verify_threads;	/* for store_ingest; 0 = number of online CPUs */
	/* Quota of every author but the center: current records, and the bytes they
	 * take here (store_record_cost: envelopes and index entries); 0 = no limit. A record that would take its author over is
	 * refused (STORE_EQUOTA) unless it replaces one with a tombstone. */
	uint64_t member_records;
	uint64_t member_bytes;
};

/*
 * Open (creating if needed) the store in directory dir, with root as the center's key:
 * the root of trust, always admitted with role center. Runs mdb_reader_check. A store
 * remembers its root; opening it with a different root is STORE_EVERSION.
 * On success *st is the caller's, to close with store_close(&st).
 */
int	 store_open(struct store **st, const char *dir, const uint8_t root[HB_KEY_LEN],
	    const struct store_opts *opts);
void	 store_close(struct store **st);

/*
 * Ingest envelopes, in one write transaction. Signatures are verified in parallel
 * (verify_threads), then each record is validated and applied in order, so a membership
 * record earlier in the batch admits authors later in it. res[i] receives 0 (stored),
 * STORE_EDUP, or the reason it was refused. A stored record that replaces an older
 * version removes that version and its index entries; a tombstone removes the record's
 * payload for good.
 *
 * A record carrying a sealed box whose digest a stored tombstone lists in its erased is
 * refused (STORE_EERASED), whoever wrote it; a tombstone stored with erased digests
 * removes every stored record, of any author, that carries one of those boxes (like an
 * expiry purge: the author's complete and max_seq stay, its seq becomes a hole).
 *
 * claims (may be NULL/0): per author, "the sender holds everything up to seq c"; applied
 * in the same transaction, for each author none of whose records in this batch was
 * refused for a reason other than EDUP/EOLD/ETOMBSTONE/EEXPIRED/EERASED (refusals that
 * never change and are not the sender's fault), and only for the root and members (a revoked one's up to valid_until_seq).
 * A claim never moves complete past the highest seq held of that author (max_seq, after
 * the batch): it can vouch for holes, not for records we have not seen.
 * An envelope refused before its author could be read blocks every claim of the batch.
 *
 * Returns 0 once the transaction committed (only then is anything stored), or an error
 * (nothing of the batch is stored, res[] meaningless). *nstored, if not NULL, is the
 * number of records newly stored.
 */
struct store_claim {
	uint8_t		author[HB_KEY_LEN];
	uint64_t	complete;
};
int	 store_ingest(struct store *st, const uint8_t *const *envs, const size_t *lens,
	    size_t n, int64_t now, const struct store_claim *claims, size_t nclaims,
	    int *res, size_t *nstored);

/*
 * Sign and store one of our own records: the next seq for id's author is assigned
 * inside the write transaction (so two callers never fork the sequence), created = now.
 * On success the draft r is signed (see proto_sign) and committed. 0 or an error.
 * A tombstone draft gets, added to its erased list, the digests of the sealed boxes of
 * the version it deletes (PROTOCOL.md 12.3), read in the same transaction.
 */
int	 store_publish(struct store *st, struct hb_record *r, const struct hb_identity *id,
	    int64_t now);

/*
 * Sign and store several of our own records in ONE write transaction: all or none.
 * Seqs are assigned consecutively inside the txn; each draft is signed like
 * store_publish. res[i] gets 0 or the reason draft i was refused; if any is refused,
 * nothing is stored and the first refusal is returned (a refused draft takes no seq, so
 * the drafts after it are judged as they would be without it). Returns 0 once the
 * transaction committed, the first refusal, or an error (then res[] is meaningless).
 * Drafts may be left signed even when nothing was stored; publishing them again signs
 * them anew.
 */
int	 store_publish_many(struct store *st, struct hb_record **recs, size_t n,
	    const struct hb_identity *id, int64_t now, int *res);

/* Per-author state. complete: every current record with seq <= complete is held.
 * max_seq: highest seq held. records: current records held (tombstones included). */
struct store_author {
	uint8_t		author[HB_KEY_LEN];
	uint64_t	complete;
	uint64_t	max_seq;
	uint64_t	records;
	uint64_t	bytes;		/* what the current records take (store_record_cost) */
};
/* What a record takes in a store, by the store's own count: the envelope, and each
 * index entry's key and value with 16 bytes for LMDB's node header (pages and free
 * space come on top). The member_bytes quota is on the sum. 0 or an error. */
int	 store_record_cost(const uint8_t *env, size_t len, uint64_t *cost);
/* 0 or STORE_NOTFOUND. */
int	 store_author_get(struct store *st, const uint8_t author[HB_KEY_LEN],
	    struct store_author *out);
/* Every author, root first, then in key order. cb returning non-zero stops the walk and
 * becomes the return value. */
typedef int (*store_author_cb)(const struct store_author *a, void *arg);
int	 store_authors(struct store *st, store_author_cb cb, void *arg);

/*
 * Records of author with seq > after, ascending by seq, current versions only (replaced
 * versions are gone). cb gets each record's seq and envelope; env is valid only during
 * the callback. Stops after limit records (0 = no limit) or when cb returns non-zero.
 * Returns 0, cb's value, or an error.
 */
typedef int (*store_seq_cb)(uint64_t seq, const uint8_t *env, size_t len, void *arg);
int	 store_scan_author(struct store *st, const uint8_t author[HB_KEY_LEN],
	    uint64_t after, size_t limit, store_seq_cb cb, void *arg);

/* The current version of (author, id). On success *env is malloc'd, the caller's.
 * Returns 0 or STORE_NOTFOUND (a tombstone is returned: it is the current version). */
int	 store_get(struct store *st, const uint8_t author[HB_KEY_LEN], const char *id,
	    uint8_t **env, size_t *len);

/*
 * Queries, through indexes. Tombstones are never returned. Filters combine with AND.
 * kind: 0 = any. from/to (both 0 = no time filter): events and meetings with an
 * occurrence overlapping [from, to); the callback gets each matching occurrence (so a
 * weekly event shows once per week), ordered by start. terms: exact terms as
 * proto_record_terms makes them. text: substring match over NFKC + case-folded texts
 * (Japanese works: character bigram index). near: records with a point within radius_m
 * metres. author: one group's records.
 * The callback receives the envelope (valid during the call) and the occurrence
 * (start/end 0 when the query has no time filter).
 */
struct store_query {
	int		 kind;
	int64_t		 from, to;
	const char	*terms[8];
	size_t		 nterms;
	const char	*text;
	bool		 near;
	int32_t		 lat_e7, lon_e7;
	uint32_t	 radius_m;
	const uint8_t	*author;
	size_t		 limit;		/* 0 = no limit */
};
typedef int (*store_hit_cb)(const uint8_t *env, size_t len, int64_t start, int64_t end,
	    void *arg);
int	 store_query(struct store *st, const struct store_query *q, store_hit_cb cb,
	    void *arg);

/* Membership as the store sees it. The root is always admitted as center.
 * 0 or STORE_NOTFOUND. */
int	 store_member(struct store *st, const uint8_t key[HB_KEY_LEN], struct hb_member *m);
typedef int (*store_member_cb)(const struct hb_member *m, void *arg);
int	 store_members(struct store *st, store_member_cb cb, void *arg);
/* Changes whenever a membership record is stored: callers cache derived state. */
uint64_t store_members_version(struct store *st);
/* Changes whenever a write transaction commits: callers cache what they read. */
uint64_t store_changes(struct store *st);

struct store_stats {
	uint64_t	kinds[HB_KIND_MAX + 1];	/* current records per kind */
	uint64_t	records;
	uint64_t	authors;
	size_t		mapsize;
	size_t		used;		/* bytes in use in the map */
};
int	 store_stats(struct store *st, struct store_stats *out);

/* Re-check every stored record: hash, signature, decode, indexes agree. Returns 0 or the
 * first problem; *checked counts records looked at. For tests and `hiroba verify`. */
int	 store_verify(struct store *st, uint64_t *checked);

/*
 * Threads: writes (store_ingest, store_publish) come from one thread; reads may run in
 * other threads at the same time. Callbacks run inside a read transaction: they must not
 * call store_ingest or store_publish on the same store (a map growth would then fail
 * with EDEADLK).
 */

/*
 * A consistent, compacted copy of the store (one read snapshot), taken while another
 * process may be writing: destdir must exist; destdir/data.mdb is created (mode 0600,
 * never over an existing file: EEXIST) and synced to disk. Opening destdir with
 * store_open gives the store as it was when the copy began. Returns 0, an errno or a
 * STORE_E* code; on failure no data.mdb is left behind (except EEXIST's own).
 */
int	 store_backup(struct store *st, const char *destdir);

/*
 * Rewrite the store's file without its free pages, so that the bytes of deleted records
 * (tombstoned, purged) are gone from data.mdb too, not only from the tree: a compacted
 * copy is written to dir/compact.tmp/data.mdb and synced, then, with every txn of this
 * process excluded, the env is closed, the copy renamed over data.mdb (the directory
 * synced) and the env reopened. A crash at any point leaves the old file or the new one,
 * complete. Call it from the writing thread, not inside a store callback. Returns 0,
 * EBUSY (another process has the store open: nothing changed), an errno or a STORE_E*
 * code.
 */
int	 store_compact(struct store *st);

/*
 * Delete every volunteer listing and event whose expires is <= now, with its index
 * entries, in one write transaction, the same way on every daemon; the author's
 * complete is left as it is, and the record, sent again, is refused (STORE_EEXPIRED).
 * *purged (if not NULL) gets how many went. Returns 0 or an error (nothing purged).
 */
int	 store_purge_expired(struct store *st, int64_t now, size_t *purged);

/*
 * A reload's new limits: opts' mapsize_max, member_records and member_bytes take effect
 * from the next write (records stored before stay, even if now over a quota); mapsize
 * and verify_threads are ignored (they need a reopen). Call from the writing thread.
 */
void	 store_set_limits(struct store *st, const struct store_opts *opts);

#endif /* HIROBA_STORE_H */
