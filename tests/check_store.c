/* SPDX-License-Identifier: ISC */
/*
 * check_store: the store's contract, as a usage example first (each public function in
 * its plain case), then its refusals, sync state, map growth, order independence and
 * queries. A fixture makes a temporary store, a center and two groups.
 */
#define _GNU_SOURCE	/* nftw, memmem */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "store.h"

#define NOW	((int64_t)1900000000)		/* 2030-03-17: after any real clock, for expiry */
#define T0	((int64_t)1780275600)		/* Mon 2026-06-01 10:00 JST */
#define HOUR	3600
#define DAY	86400
#define WEEK	(7 * DAY)

static char		 tmpdir[64];
static char		 dbdir[128];
static struct store	*st;
static struct hb_identity center, g1, g2;

/* ---- helpers ---- */

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
setup(void)
{
	ck_assert_int_eq(proto_init(), 0);
	strcpy(tmpdir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbdir, sizeof(dbdir), "%s/db", tmpdir);
	proto_identity_new(&center);
	proto_identity_new(&g1);
	proto_identity_new(&g2);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
}

static void
teardown(void)
{
	store_close(&st);
	nftw(tmpdir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

struct env {
	uint8_t	*p;
	size_t	 len;
};

/* Sign a record given in JSON form as id at seq; the envelope is the caller's. */
static struct env
sign_json(const struct hb_identity *id, uint64_t seq, const char *json)
{
	struct hb_record *r = NULL;
	struct env e;
	const uint8_t *p;
	char err[256];
	int rc;

	rc = proto_draft_from_json(json, strlen(json), &r, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", json, err);
	ck_assert_int_eq(proto_sign(r, id, seq, NOW - 1000), 0);
	p = proto_record_envelope(r, &e.len);
	e.p = malloc(e.len);
	memcpy(e.p, p, e.len);
	hb_record_free(&r);
	return e;
}

static struct env
sign_rec(const struct hb_identity *id, uint64_t seq, struct hb_record *r)
{
	struct env e;
	const uint8_t *p;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(proto_sign(r, id, seq, NOW - 1000), 0);
	p = proto_record_envelope(r, &e.len);
	e.p = malloc(e.len);
	memcpy(e.p, p, e.len);
	hb_record_free(&r);
	return e;
}

static struct env
membership(uint64_t cseq, const uint8_t key[HB_KEY_LEN], int status, uint64_t vus)
{
	return sign_rec(&center, cseq, proto_membership_new(key, 2, status, "group", 3, vus));
}

/* Ingest one envelope; the batch must commit. Returns the record's verdict. */
static int
ingest1(struct store *s, struct env e)
{
	const uint8_t *envs[1] = { e.p };
	size_t lens[1] = { e.len }, n = 99;
	int res[1] = { 12345 };

	ck_assert_int_eq(store_ingest(s, envs, lens, 1, NOW, NULL, 0, res, &n), 0);
	ck_assert_uint_eq(n, res[0] == 0 ? 1 : 0);
	return res[0];
}

static int
ingest_free(struct store *s, struct env e)
{
	int rc = ingest1(s, e);

	free(e.p);
	return rc;
}

static void
admit(struct store *s, uint64_t cseq, const struct hb_identity *g)
{
	ck_assert_int_eq(ingest_free(s, membership(cseq, g->pk, 1, 0)), 0);
}

static char *
event_json(const char *id, const char *title, int64_t start, const char *cat)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "{\"id\":\"%s\",\"event\":{\"title\":\"%s\","
	    "\"when\":{\"start\":%lld,\"end\":%lld},\"category\":\"%s\"}}", id, title,
	    (long long)start, (long long)(start + 2 * HOUR), cat);
	return buf;
}

static struct env
event(const struct hb_identity *g, uint64_t seq, const char *id, const char *title)
{
	return sign_json(g, seq, event_json(id, title, T0, "play_space"));
}

static int
count_cb(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

static size_t
scan_count(struct store *s, const uint8_t *author, uint64_t after)
{
	size_t n = 0;

	ck_assert_int_eq(store_scan_author(s, author, after, 0, count_cb, &n), 0);
	return n;
}

static struct store_author
author_state(struct store *s, const uint8_t *author)
{
	struct store_author a;

	ck_assert_int_eq(store_author_get(s, author, &a), 0);
	return a;
}

/* ---- each public function, plain case ---- */

START_TEST(test_open_reopen)
{
	struct store *other = NULL;
	struct hb_member m;

	store_close(&st);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	/* A store remembers its root. */
	ck_assert_int_eq(store_open(&other, dbdir, g1.pk, NULL), STORE_EVERSION);
	ck_assert_ptr_null(other);
	ck_assert_int_eq(store_member(st, center.pk, &m), 0);
	ck_assert_int_eq(m.role, 1);
	ck_assert_int_eq(m.status, 1);
	ck_assert_int_eq(store_member(st, g1.pk, &m), STORE_NOTFOUND);
	ck_assert_str_eq(store_errname(STORE_EFORK), "fork");
	ck_assert_str_eq(store_strerror(PROTO_EBADSIG), proto_strerror(PROTO_EBADSIG));
	ck_assert_str_eq(store_strerror(ENOENT), strerror(ENOENT));
}
END_TEST

static int
authors_cb(const struct store_author *a, void *arg)
{
	struct store_author *out = arg;
	size_t i = 0;

	while (out[i].max_seq != UINT64_MAX)
		i++;
	out[i] = *a;
	out[i + 1].max_seq = UINT64_MAX;
	return 0;
}

static int
members_cb(const struct hb_member *m, void *arg)
{
	struct hb_member *out = arg;
	size_t i = 0;

	while (out[i].role != 0)
		i++;
	out[i] = *m;
	return 0;
}

START_TEST(test_publish_ingest_get_scan)
{
	struct hb_record *r = NULL;
	struct env e;
	uint8_t *got;
	size_t len;
	struct store_author a[8];
	struct hb_member mm[8];
	struct store_stats s;
	uint64_t v0 = store_members_version(st), checked;
	char err[128];

	/* The center publishes: the store picks seq 1, then 2. */
	const char *j = event_json("e1", "親子のひろば", T0, "play_space");
	ck_assert_int_eq(proto_draft_from_json(j, strlen(j), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(store_publish(st, r, &center, NOW), 0);
	ck_assert_uint_eq(proto_record_seq(r), 1);
	hb_record_free(&r);
	r = proto_membership_new(g1.pk, 2, 1, "保育園", 2, 0);
	ck_assert_int_eq(store_publish(st, r, &center, NOW), 0);
	ck_assert_uint_eq(proto_record_seq(r), 2);
	hb_record_free(&r);
	ck_assert_uint_ne(store_members_version(st), v0);

	/* A group's record comes in from a peer. */
	e = event(&g1, 1, "g1e1", "父親向けプログラム");
	ck_assert_int_eq(ingest1(st, e), 0);
	ck_assert_int_eq(store_get(st, g1.pk, "g1e1", &got, &len), 0);
	ck_assert_uint_eq(len, e.len);
	ck_assert_mem_eq(got, e.p, len);
	free(got);
	free(e.p);
	ck_assert_int_eq(store_get(st, g1.pk, "nope", &got, &len), STORE_NOTFOUND);
	ck_assert_ptr_null(got);

	ck_assert_uint_eq(scan_count(st, center.pk, 0), 2);
	ck_assert_uint_eq(scan_count(st, center.pk, 1), 1);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 1);
	ck_assert_uint_eq(scan_count(st, g2.pk, 0), 0);

	ck_assert_uint_eq(author_state(st, center.pk).complete, 2);
	ck_assert_uint_eq(author_state(st, center.pk).max_seq, 2);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, 1);
	ck_assert_uint_eq(author_state(st, g1.pk).records, 1);
	ck_assert_int_eq(store_author_get(st, g2.pk, &a[0]), STORE_NOTFOUND);

	a[0].max_seq = UINT64_MAX;
	ck_assert_int_eq(store_authors(st, authors_cb, a), 0);
	ck_assert_mem_eq(a[0].author, center.pk, HB_KEY_LEN);
	ck_assert_mem_eq(a[1].author, g1.pk, HB_KEY_LEN);
	ck_assert_uint_eq(a[2].max_seq, UINT64_MAX);

	memset(mm, 0, sizeof(mm));
	ck_assert_int_eq(store_members(st, members_cb, mm), 0);
	ck_assert_mem_eq(mm[0].key, center.pk, HB_KEY_LEN);
	ck_assert_mem_eq(mm[1].key, g1.pk, HB_KEY_LEN);
	ck_assert_str_eq(mm[1].name, "保育園");
	ck_assert_int_eq(mm[2].role, 0);

	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.records, 3);
	ck_assert_uint_eq(s.kinds[HB_EVENT], 2);
	ck_assert_uint_eq(s.kinds[HB_MEMBERSHIP], 1);
	ck_assert_uint_eq(s.authors, 2);
	ck_assert_uint_gt(s.used, 0);
	ck_assert_uint_ge(s.mapsize, s.used);

	ck_assert_int_eq(store_verify(st, &checked), 0);
	ck_assert_uint_eq(checked, 3);

	/* Still there after a reopen. */
	store_close(&st);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 1);
}
END_TEST

static struct hb_record *
draft(const char *json)
{
	struct hb_record *r = NULL;
	char err[256];

	ck_assert_msg(proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)) == 0,
	    "%s: %s", json, err);
	return r;
}

START_TEST(test_publish_many)
{
	struct hb_record *r[3];
	uint8_t *got;
	size_t len;
	int res[3];
	char bad[512];

	/* Three drafts, one txn, consecutive seqs. */
	r[0] = draft(event_json("e1", "親子のひろば", T0, "play_space"));
	r[1] = draft(event_json("e2", "父親向けプログラム", T0 + DAY, "father"));
	r[2] = proto_membership_new(g1.pk, 2, 1, "保育園", 2, 0);
	ck_assert_int_eq(store_publish_many(st, r, 3, &center, NOW, res), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(res[i], 0);
		ck_assert_uint_eq(proto_record_seq(r[i]), (uint64_t)i + 1);
		hb_record_free(&r[i]);
	}
	ck_assert_uint_eq(scan_count(st, center.pk, 0), 3);
	ck_assert_uint_eq(author_state(st, center.pk).complete, 3);
	ck_assert_int_eq(store_member(st, g1.pk, &(struct hb_member){ 0 }), 0);

	/* One bad draft (it expires before it is signed) refuses the whole batch; the
	 * others keep res 0. */
	snprintf(bad, sizeof(bad), "{\"id\":\"bad\",\"expires\":%lld,\"event\":{"
	    "\"title\":\"古い\",\"when\":{\"start\":%lld,\"end\":%lld},"
	    "\"category\":\"father\"}}", (long long)(NOW - HOUR), (long long)T0,
	    (long long)(T0 + HOUR));
	r[0] = draft(event_json("n1", "おはなし会", T0, "play_space"));
	r[1] = draft(bad);
	r[2] = draft(event_json("n2", "ABC英語", T0, "play_space"));
	ck_assert_int_eq(store_publish_many(st, r, 3, &center, NOW, res), PROTO_ETIME);
	ck_assert_int_eq(res[0], 0);
	ck_assert_int_eq(res[1], PROTO_ETIME);
	ck_assert_int_eq(res[2], 0);
	ck_assert_uint_eq(scan_count(st, center.pk, 0), 3);
	ck_assert_uint_eq(author_state(st, center.pk).max_seq, 3);
	ck_assert_int_eq(store_get(st, center.pk, "n1", &got, &len), STORE_NOTFOUND);

	/* A refusal by the store's rules, caused by an earlier draft of the same batch:
	 * deleting e1 and writing it again. Nothing happens, e1 is still there. */
	hb_record_free(&r[1]);
	r[1] = proto_tombstone_new("e1", NULL);
	hb_record_free(&r[2]);
	r[2] = draft(event_json("e1", "親子のひろば", T0 + WEEK, "play_space"));
	ck_assert_int_eq(store_publish_many(st, r, 3, &center, NOW, res), STORE_ETOMBSTONE);
	ck_assert_int_eq(res[0], 0);
	ck_assert_int_eq(res[1], 0);
	ck_assert_int_eq(res[2], STORE_ETOMBSTONE);
	ck_assert_int_eq(store_get(st, center.pk, "e1", &got, &len), 0);
	free(got);

	/* The good drafts, published again, take the next seqs. */
	ck_assert_int_eq(store_publish_many(st, r, 2, &center, NOW, res), 0);
	ck_assert_uint_eq(proto_record_seq(r[0]), 4);
	ck_assert_uint_eq(proto_record_seq(r[1]), 5);
	ck_assert_int_eq(store_get(st, center.pk, "n1", &got, &len), 0);
	free(got);
	ck_assert_uint_eq(scan_count(st, center.pk, 0), 4);	/* the tombstone replaced e1 */
	ck_assert_int_eq(store_publish_many(st, r, 0, &center, NOW, res), 0);
	for (int i = 0; i < 3; i++)
		hb_record_free(&r[i]);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST

/* ---- refusals ---- */

START_TEST(test_bad_signature_truncated_oversized)
{
	struct env e;
	uint8_t *big;
	struct hb_record *r = NULL;

	admit(st, 1, &g1);
	e = event(&g1, 1, "e1", "x");
	e.p[e.len - 1] ^= 1;			/* a byte of the body */
	ck_assert_int_eq(ingest1(st, e), PROTO_EBADSIG);
	e.p[e.len - 1] ^= 1;
	e.len -= 5;				/* truncated: as proto says */
	ck_assert_int_eq(ingest1(st, e), proto_open(e.p, e.len, NOW, &r));
	ck_assert_int_ne(ingest1(st, e), 0);
	e.len += 5;
	big = calloc(1, HB_ENV_MAX + 10);
	memcpy(big, e.p, e.len);
	ck_assert_int_eq(ingest1(st, (struct env){ big, HB_ENV_MAX + 10 }), PROTO_ETOOBIG);
	free(big);
	ck_assert_int_eq(ingest1(st, e), 0);	/* the intact one is fine */
	free(e.p);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 1);
}
END_TEST

START_TEST(test_unknown_and_not_center)
{
	ck_assert_int_eq(ingest_free(st, event(&g2, 1, "e1", "x")), STORE_EUNKNOWN);
	admit(st, 1, &g1);
	/* Only the center admits. */
	ck_assert_int_eq(ingest_free(st, sign_rec(&g1, 1,
	    proto_membership_new(g2.pk, 2, 1, "g2", 3, 0))), STORE_ENOTCENTER);
	ck_assert_int_eq(ingest_free(st, event(&g2, 1, "e1", "x")), STORE_EUNKNOWN);
}
END_TEST

START_TEST(test_revoked)
{
	struct hb_member m;
	uint64_t v;

	admit(st, 1, &g1);
	for (uint64_t s = 1; s <= 4; s++) {
		char id[8];

		snprintf(id, sizeof(id), "e%llu", (unsigned long long)s);
		ck_assert_int_eq(ingest_free(st, event(&g1, s, id, "x")), 0);
	}
	v = store_members_version(st);
	/* Revoked after seq 2: 3 and 4 go, whatever time they claim. */
	ck_assert_int_eq(ingest_free(st, membership(2, g1.pk, 2, 2)), 0);
	ck_assert_uint_ne(store_members_version(st), v);
	ck_assert_int_eq(store_member(st, g1.pk, &m), 0);
	ck_assert_int_eq(m.status, 2);
	ck_assert_uint_eq(m.valid_until_seq, 2);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 2);
	ck_assert_uint_eq(author_state(st, g1.pk).records, 2);
	ck_assert_uint_eq(author_state(st, g1.pk).max_seq, 2);
	ck_assert_int_eq(ingest_free(st, event(&g1, 3, "e3", "x")), STORE_EREVOKED);
	ck_assert_int_eq(ingest_free(st, event(&g1, 5, "e5", "x")), STORE_EREVOKED);
	ck_assert_int_eq(ingest_free(st, event(&g1, 2, "e2", "x")), STORE_EDUP);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST

/* A revocation binds against the seqs edits freed (issue 12): the center lists the
 * member's current seqs up to valid_until_seq (kept), and any other seq of it is
 * refused, wherever it arrives first. */
START_TEST(test_revoked_kept)
{
	struct store *b = NULL;
	struct hb_record *d;
	const uint8_t *kept;
	uint8_t *env;
	size_t len, klen;
	char path[160];

	snprintf(path, sizeof(path), "%s/b", tmpdir);
	ck_assert_int_eq(store_open(&b, path, center.pk, NULL), 0);
	ck_assert_int_eq(ingest_free(b, membership(1, g1.pk, 1, 0)), 0);
	ck_assert_int_eq(store_publish(st, d = proto_membership_new(g1.pk, 2, 1, "g1", 3, 0),
	    &center, NOW), 0);
	hb_record_free(&d);
	/* seq 3 replaces seq 1: seq 1 is free */
	ck_assert_int_eq(ingest_free(st, event(&g1, 1, "e1", "v1")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 2, "e2", "x")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 3, "e1", "v2")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 4, "e4", "x")), 0);
	/* b got seq 2 only, and, before the revocation reaches it, a forged seq 1 */
	ck_assert_int_eq(ingest_free(b, event(&g1, 2, "e2", "x")), 0);
	ck_assert_int_eq(ingest_free(b, event(&g1, 1, "late", "signed after")), 0);

	/* the center revokes after seq 4, naming nothing kept: it fills in 2..4 */
	d = proto_membership_new(g1.pk, 2, 2, "g1", 3, 4);
	ck_assert_int_eq(store_publish(st, d, &center, NOW), 0);
	kept = proto_record_kept(d, &klen);
	ck_assert_ptr_nonnull(kept);
	ck_assert(!proto_kept_has(kept, klen, 1));
	ck_assert(proto_kept_has(kept, klen, 2) && proto_kept_has(kept, klen, 4));
	ck_assert(!proto_kept_has(kept, klen, 5));
	/* a freed seq, signed after the revocation: refused here */
	ck_assert_int_eq(ingest_free(st, event(&g1, 1, "late", "signed after")),
	    STORE_EREVOKED);
	ck_assert_int_eq(ingest_free(st, event(&g1, 3, "e1", "v2")), STORE_EDUP);

	/* at b: the revocation removes the forged seq 1, and the rest still comes in */
	env = (uint8_t *)proto_record_envelope(d, &len);
	ck_assert_int_eq(ingest1(b, (struct env){ env, len }), 0);
	ck_assert_int_eq(store_get(st, g1.pk, "e4", &env, &len), 0);
	free(env);
	ck_assert_int_eq(store_get(b, g1.pk, "late", &env, &len), STORE_NOTFOUND);
	ck_assert_int_eq(ingest_free(b, event(&g1, 1, "late", "signed after")),
	    STORE_EREVOKED);
	ck_assert_int_eq(ingest_free(b, event(&g1, 3, "e1", "v2")), 0);
	ck_assert_int_eq(ingest_free(b, event(&g1, 4, "e4", "x")), 0);
	ck_assert_int_eq(ingest_free(b, event(&g1, 5, "e5", "x")), STORE_EREVOKED);
	ck_assert_uint_eq(author_state(b, g1.pk).records, 3);
	ck_assert_int_eq(store_verify(b, NULL), 0);
	hb_record_free(&d);
	store_close(&b);
}
END_TEST

START_TEST(test_dup_old_tombstone_fork_expired)
{
	struct env v1, v2, tomb;
	char json[256];

	admit(st, 1, &g1);
	v1 = event(&g1, 1, "e1", "first");
	v2 = event(&g1, 2, "e1", "second");
	ck_assert_int_eq(ingest1(st, v2), 0);
	ck_assert_int_eq(ingest1(st, v2), STORE_EDUP);
	ck_assert_int_eq(ingest1(st, v1), STORE_EOLD);
	/* Same seq, other content. */
	ck_assert_int_eq(ingest_free(st, event(&g1, 2, "e1", "other")), STORE_EFORK);

	tomb = sign_rec(&g1, 3, proto_tombstone_new("e1", "cancelled"));
	ck_assert_int_eq(ingest1(st, tomb), 0);
	ck_assert_int_eq(ingest1(st, tomb), STORE_EDUP);
	ck_assert_int_eq(ingest1(st, v2), STORE_ETOMBSTONE);
	ck_assert_int_eq(ingest_free(st, event(&g1, 4, "e1", "again")), STORE_ETOMBSTONE);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 1);	/* the tombstone */
	ck_assert_uint_eq(author_state(st, g1.pk).records, 1);

	snprintf(json, sizeof(json), "{\"id\":\"x1\",\"expires\":%lld,\"place\":{\"name\":\"p\","
	    "\"point\":{\"lat_e7\":354700000,\"lon_e7\":1394900000}}}", (long long)(NOW - 10));
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 5, json)), STORE_EEXPIRED);
	free(v1.p);
	free(v2.p);
	free(tomb.p);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST

START_TEST(test_membership_arrives_late)
{
	struct env e[3] = { event(&g2, 1, "a", "x"), event(&g2, 2, "b", "y"),
	    membership(1, g2.pk, 1, 0) };
	const uint8_t *envs[3] = { e[0].p, e[1].p, e[2].p };
	size_t lens[3] = { e[0].len, e[1].len, e[2].len }, n;
	int res[3];

	ck_assert_int_eq(store_ingest(st, envs, lens, 3, NOW, NULL, 0, res, &n), 0);
	ck_assert_int_eq(res[0], STORE_EUNKNOWN);
	ck_assert_int_eq(res[1], STORE_EUNKNOWN);
	ck_assert_int_eq(res[2], 0);
	ck_assert_uint_eq(n, 1);
	/* Sent again (reconciliation brings them back): accepted. */
	ck_assert_int_eq(store_ingest(st, envs, lens, 3, NOW, NULL, 0, res, &n), 0);
	ck_assert_int_eq(res[0], 0);
	ck_assert_int_eq(res[1], 0);
	ck_assert_int_eq(res[2], STORE_EDUP);
	ck_assert_uint_eq(n, 2);
	/* In one batch the membership admits what follows it. */
	for (int i = 0; i < 3; i++)
		free(e[i].p);
	ck_assert_uint_eq(author_state(st, g2.pk).complete, 2);
}
END_TEST

/* ---- complete and claims ---- */

struct copy {
	struct env	e[64];
	size_t		n;
};

static int
copy_cb(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	struct copy *c = arg;

	c->e[c->n].p = malloc(len);
	memcpy(c->e[c->n].p, env, len);
	c->e[c->n++].len = len;
	return 0;
}

static int
ingest_copy(struct store *s, struct copy *c, const struct store_claim *cl, size_t ncl,
    int *res)
{
	const uint8_t *envs[64];
	size_t lens[64];
	int rc;

	for (size_t i = 0; i < c->n; i++) {
		envs[i] = c->e[i].p;
		lens[i] = c->e[i].len;
	}
	rc = store_ingest(s, envs, lens, c->n, NOW, cl, ncl, res, NULL);
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].p);
	c->n = 0;
	return rc;
}

START_TEST(test_complete_and_claims)
{
	struct store *b = NULL;
	char path[160];
	struct copy c = { .n = 0 };
	struct store_claim cl;
	int res[64];
	struct env bad;

	snprintf(path, sizeof(path), "%s/b", tmpdir);
	ck_assert_int_eq(store_open(&b, path, center.pk, NULL), 0);
	admit(st, 1, &g1);
	admit(b, 1, &g1);

	/* seq 3 replaces seq 1: a hole that nobody can fill. */
	ck_assert_int_eq(ingest_free(st, event(&g1, 1, "e1", "v1")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 2, "e2", "x")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 3, "e1", "v2")), 0);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, 3);
	ck_assert_uint_eq(author_state(st, g1.pk).records, 2);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 2);

	/* b asks "after 0" and gets seqs 2 and 3: without the claim it stays at 0. */
	ck_assert_int_eq(store_scan_author(st, g1.pk, 0, 0, copy_cb, &c), 0);
	ck_assert_int_eq(ingest_copy(b, &c, NULL, 0, res), 0);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 0);
	ck_assert_uint_eq(author_state(b, g1.pk).max_seq, 3);

	/* A claim in a batch with a hard refusal of that author is not adopted. */
	memcpy(cl.author, g1.pk, HB_KEY_LEN);
	cl.complete = 3;
	bad = event(&g1, 4, "e4", "x");
	bad.p[bad.len - 1] ^= 1;
	c.e[0] = bad;
	c.n = 1;
	ck_assert_int_eq(ingest_copy(b, &c, &cl, 1, res), 0);
	ck_assert_int_eq(res[0], PROTO_EBADSIG);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 0);

	/* The answer again, with its claim: duplicates do not block it. */
	ck_assert_int_eq(store_scan_author(st, g1.pk, 0, 0, copy_cb, &c), 0);
	ck_assert_int_eq(ingest_copy(b, &c, &cl, 1, res), 0);
	ck_assert_int_eq(res[0], STORE_EDUP);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 3);

	/* A claim for a non-member is ignored; an empty batch carries claims too. */
	memcpy(cl.author, g2.pk, HB_KEY_LEN);
	ck_assert_int_eq(store_ingest(b, NULL, NULL, 0, NOW, &cl, 1, res, NULL), 0);
	ck_assert_int_eq(store_author_get(b, g2.pk, &(struct store_author){ 0 }),
	    STORE_NOTFOUND);

	/* complete also walks on through seqs held contiguously after the claim. */
	ck_assert_int_eq(ingest_free(st, event(&g1, 4, "e4", "x")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 5, "e5", "x")), 0);
	ck_assert_int_eq(store_scan_author(st, g1.pk, 4, 0, copy_cb, &c), 0);	/* 5 only */
	ck_assert_int_eq(ingest_copy(b, &c, NULL, 0, res), 0);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 3);
	ck_assert_int_eq(store_scan_author(st, g1.pk, 3, 1, copy_cb, &c), 0);	/* 4 */
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(ingest_copy(b, &c, NULL, 0, res), 0);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 5);

	/* A claim never says that records exist which we have not seen (issue 12: a
	 * forged claim of 2^62 stopped every later pull): it moves complete at most to
	 * the highest seq held, so seq 6 is still asked for. */
	memcpy(cl.author, g1.pk, HB_KEY_LEN);
	cl.complete = 1ULL << 62;
	ck_assert_int_eq(store_ingest(b, NULL, NULL, 0, NOW, &cl, 1, res, NULL), 0);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 5);
	/* A partial claim of a batch cut inside an author: seq 7 replaced 6, the
	 * batch carries 7 and 8 of 7..9, and the claim 8 covers the hole at 6. */
	ck_assert_int_eq(ingest_free(st, event(&g1, 6, "e6", "v1")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 7, "e6", "v2")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 8, "e8", "x")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 9, "e9", "x")), 0);
	ck_assert_int_eq(store_scan_author(st, g1.pk, 5, 2, copy_cb, &c), 0);
	ck_assert_uint_eq(c.n, 2);
	cl.complete = 8;
	ck_assert_int_eq(ingest_copy(b, &c, &cl, 1, res), 0);
	ck_assert_uint_eq(author_state(b, g1.pk).complete, 8);
	ck_assert_uint_eq(author_state(b, g1.pk).max_seq, 8);
	store_close(&b);
}
END_TEST

/* ---- quotas ---- */

static int
bytes_cb(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	(void)seq;
	uint64_t cost;

	ck_assert_int_eq(store_record_cost(env, len, &cost), 0);
	*(uint64_t *)arg += cost;
	return 0;
}

/* The bytes the author's state says, checked against its current records' costs. */
static uint64_t
held_bytes(struct store *s, const uint8_t *author)
{
	uint64_t n = 0;

	ck_assert_int_eq(store_scan_author(s, author, 0, 0, bytes_cb, &n), 0);
	ck_assert_uint_eq(author_state(s, author).bytes, n);
	return n;
}

START_TEST(test_quota)
{
	struct store *q = NULL;
	struct store_opts o = { .member_records = 3 };
	char path[160];
	struct env e;
	size_t one;
	uint64_t cost;

	snprintf(path, sizeof(path), "%s/q", tmpdir);
	ck_assert_int_eq(store_open(&q, path, center.pk, &o), 0);
	admit(q, 1, &g1);
	ck_assert_int_eq(ingest_free(q, event(&g1, 1, "e1", "a")), 0);
	ck_assert_int_eq(ingest_free(q, event(&g1, 2, "e2", "b")), 0);
	ck_assert_int_eq(ingest_free(q, event(&g1, 3, "e3", "c")), 0);
	/* a fourth current record: over */
	ck_assert_int_eq(ingest_free(q, event(&g1, 4, "e4", "d")), STORE_EQUOTA);
	/* an edit replaces one: allowed; a deletion too */
	ck_assert_int_eq(ingest_free(q, event(&g1, 5, "e1", "a2")), 0);
	ck_assert_int_eq(ingest_free(q, sign_json(&g1, 6, "{\"id\":\"e2\","
	    "\"tombstone\":{}}")), 0);
	/* a tombstone of an id never seen is a new record: over */
	ck_assert_int_eq(ingest_free(q, sign_json(&g1, 7, "{\"id\":\"e9\","
	    "\"tombstone\":{}}")), STORE_EQUOTA);
	ck_assert_uint_eq(author_state(q, g1.pk).records, 3);
	held_bytes(q, g1.pk);
	/* not a final verdict: the same record, sent again, is refused as long as the
	 * author stays over; the center has no quota */
	ck_assert_int_eq(ingest_free(q, event(&g1, 4, "e4", "d")), STORE_EQUOTA);
	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		ck_assert_int_eq(ingest_free(q, event(&center, 10 + i, id, "x")), 0);
	}
	store_close(&q);

	/* bytes: room for two events of this size, not three; reopened with the state
	 * kept (bytes are stored) */
	e = event(&g2, 1, "f1", "x");
	ck_assert_int_eq(store_record_cost(e.p, e.len, &cost), 0);
	ck_assert_uint_gt(cost, e.len);		/* its index entries count too */
	one = cost;
	free(e.p);
	o.member_records = 0;
	o.member_bytes = 3 * one - 8;	/* a tombstone is much smaller than one */
	ck_assert_int_eq(store_open(&q, path, center.pk, &o), 0);
	admit(q, 20, &g2);
	ck_assert_int_eq(ingest_free(q, event(&g2, 1, "f1", "x")), 0);
	ck_assert_int_eq(ingest_free(q, event(&g2, 2, "f2", "y")), 0);
	ck_assert_int_eq(ingest_free(q, event(&g2, 3, "f3", "z")), STORE_EQUOTA);
	ck_assert_uint_eq(held_bytes(q, g2.pk), 2 * one);
	/* deleting one frees room */
	ck_assert_int_eq(ingest_free(q, sign_json(&g2, 4, "{\"id\":\"f1\","
	    "\"tombstone\":{}}")), 0);
	ck_assert_int_eq(ingest_free(q, event(&g2, 3, "f3", "z")), 0);
	held_bytes(q, g2.pk);
	held_bytes(q, g1.pk);
	ck_assert_int_eq(store_verify(q, NULL), 0);
	store_close(&q);
}
END_TEST

/* ---- map size ---- */

START_TEST(test_map_growth)
{
	struct store_opts o = { .mapsize = 128 * 1024 };
	struct store_stats s;
	enum { N = 3000, B = 100 };
	struct env *e = calloc(N, sizeof(*e));
	char id[16];

	store_close(&st);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, &o), 0);
	admit(st, 1, &g1);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		e[i] = event(&g1, (uint64_t)i + 1, id, "ひろば growth");
	}
	for (int i = 0; i < N; i += B) {
		const uint8_t *envs[B];
		size_t lens[B], n;
		int res[B];

		for (int k = 0; k < B; k++) {
			envs[k] = e[i + k].p;
			lens[k] = e[i + k].len;
		}
		ck_assert_int_eq(store_ingest(st, envs, lens, B, NOW, NULL, 0, res, &n), 0);
		ck_assert_uint_eq(n, B);
	}
	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.kinds[HB_EVENT], N);
	ck_assert_uint_gt(s.mapsize, 128 * 1024);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), N);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, N);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	for (int i = 0; i < N; i++)
		free(e[i].p);
	free(e);
}
END_TEST

START_TEST(test_map_limit)
{
	struct store_opts o = { .mapsize = 128 * 1024, .mapsize_max = 256 * 1024 };
	struct store_stats s;
	uint8_t *got;
	size_t len;
	char id[16];
	int rc = 0, i, committed = 0;

	store_close(&st);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, &o), 0);
	admit(st, 1, &g1);
	for (i = 0; i < 5000 && rc == 0; i += 50) {
		struct env e[50];
		const uint8_t *envs[50];
		size_t lens[50];
		int res[50];

		for (int k = 0; k < 50; k++) {
			snprintf(id, sizeof(id), "e%d", i + k);
			e[k] = event(&g1, (uint64_t)(i + k) + 1, id, "limit");
			envs[k] = e[k].p;
			lens[k] = e[k].len;
		}
		if ((rc = store_ingest(st, envs, lens, 50, NOW, NULL, 0, res, NULL)) == 0)
			committed += 50;
		for (int k = 0; k < 50; k++)
			free(e[k].p);
	}
	ck_assert_int_eq(rc, STORE_EMAPFULL);
	ck_assert_int_gt(committed, 0);
	/* Nothing of the failed batch, everything before it, and reads still work. */
	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.kinds[HB_EVENT], (uint64_t)committed);
	ck_assert_uint_le(s.mapsize, 256 * 1024);
	ck_assert_int_eq(store_get(st, g1.pk, "e0", &got, &len), 0);
	free(got);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), (size_t)committed);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST

/* ---- order independence ---- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct blob {
	uint8_t	*p;
	size_t	 len, cap;
};

static int
blob_cb(const uint8_t *env, size_t len, void *arg)
{
	struct blob *b = arg;

	if (b->len + len + 8 > b->cap) {
		b->cap = (b->len + len + 8) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, &len, sizeof(len));
	memcpy(b->p + b->len + sizeof(len), env, len);
	b->len += len + sizeof(len);
	return 0;
}

static int
blob_seq_cb(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	return blob_cb(env, len, arg);
}

/* A query's hits, kept to be compared as a set: the store returns occurrences ordered by
 * start (checked here), and otherwise in its own arrival order, which differs between
 * stores that got the same records in another order. */
struct hit {
	int64_t	 start;
	uint8_t	*p;
	size_t	 len;
};

struct hitset {
	struct hit	h[512];
	size_t		n;
};

static int
hitset_cb(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	struct hitset *hs = arg;

	ck_assert_uint_lt(hs->n, 512);
	if (hs->n > 0)
		ck_assert_int_ge(start, hs->h[hs->n - 1].start);
	hs->h[hs->n].start = start;
	hs->h[hs->n].p = malloc(len);
	memcpy(hs->h[hs->n].p, env, len);
	hs->h[hs->n].len = len;
	hs->n++;
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *p = a, *q = b;
	int c;

	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	if ((c = memcmp(p->p, q->p, p->len < q->len ? p->len : q->len)) != 0)
		return c;
	return p->len < q->len ? -1 : p->len > q->len;
}

/* Run q and append its hits to b, in a canonical order. */
static void
query_blob(struct store *s, const struct store_query *q, struct blob *b)
{
	static struct hitset hs;

	hs.n = 0;
	ck_assert_int_eq(store_query(s, q, hitset_cb, &hs), 0);
	qsort(hs.h, hs.n, sizeof(hs.h[0]), hit_cmp);
	for (size_t i = 0; i < hs.n; i++) {
		blob_cb((const uint8_t *)&hs.h[i].start, sizeof(hs.h[i].start), b);
		blob_cb(hs.h[i].p, hs.h[i].len, b);
		free(hs.h[i].p);
	}
}

static int
authors_blob_cb(const struct store_author *a, void *arg)
{
	return blob_cb((const uint8_t *)a, sizeof(*a), arg);
}

/* Everything observable about a store, as bytes. */
static struct blob
state_of(struct store *s, const struct hb_identity *const *ids, size_t nids)
{
	struct blob b = { NULL, 0, 0 };
	struct store_stats stats;
	struct store_query q;

	for (size_t i = 0; i < nids; i++)
		ck_assert_int_eq(store_scan_author(s, ids[i]->pk, 0, 0, blob_seq_cb, &b), 0);
	ck_assert_int_eq(store_authors(s, authors_blob_cb, &b), 0);
	ck_assert_int_eq(store_stats(s, &stats), 0);
	blob_cb((const uint8_t *)stats.kinds, sizeof(stats.kinds), &b);
	blob_cb((const uint8_t *)&stats.authors, sizeof(stats.authors), &b);
	memset(&q, 0, sizeof(q));
	q.text = "まつり";
	query_blob(s, &q, &b);
	memset(&q, 0, sizeof(q));
	q.from = T0;
	q.to = T0 + 30 * DAY;
	query_blob(s, &q, &b);
	memset(&q, 0, sizeof(q));
	q.terms[0] = "cat=father";
	q.nterms = 1;
	query_blob(s, &q, &b);
	return b;
}

static void
ingest_shuffled(struct store *s, struct env *all, size_t n, const struct store_claim *cl,
    size_t ncl)
{
	size_t m = n + n / 3, *order = malloc(m * sizeof(*order));

	for (size_t i = 0; i < m; i++)
		order[i] = i < n ? i : rng() % n;	/* with duplicates */
	for (size_t i = m - 1; i > 0; i--) {
		size_t j = rng() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < m;) {
		size_t bs = 1 + rng() % 40, k;
		const uint8_t *envs[40];
		size_t lens[40];
		int res[40];

		for (k = 0; k < bs && i < m; k++, i++) {
			envs[k] = all[order[i]].p;
			lens[k] = all[order[i]].len;
		}
		ck_assert_int_eq(store_ingest(s, envs, lens, k, NOW, i >= m ? cl : NULL,
		    i >= m ? ncl : 0, res, NULL), 0);
		for (size_t x = 0; x < k; x++)
			ck_assert_msg(res[x] == 0 || res[x] == STORE_EDUP ||
			    res[x] == STORE_EOLD || res[x] == STORE_EUNKNOWN ||
			    res[x] == STORE_ETOMBSTONE,
			    "unexpected %s", store_errname(res[x]));
	}
	free(order);
}

START_TEST(test_order_independence)
{
	const struct hb_identity *ids[3] = { &center, &g1, &g2 };
	static const char *const titles[] = { "夏まつり", "父親向けプログラム", "おはなし会",
	    "ﾊﾟﾊﾟと遊ぼう", "ABC英語", "秋まつり" };
	static const char *const cats[] = { "play_space", "father", "consultation" };
	struct env all[400];
	size_t n = 0;
	struct store_claim cl[3];
	struct store *a = NULL, *b = NULL;
	char pa[160], pb[160];

	rng_state = 0x2545f4914f6cdd1dull + (uint64_t)_i;
	all[n++] = membership(1, g1.pk, 1, 0);
	all[n++] = membership(2, g2.pk, 1, 0);
	for (int w = 0; w < 3; w++) {
		uint64_t seq = w == 0 ? 2 : 0;
		bool dead[6] = { false };

		for (int op = 0; op < 60; op++) {
			int idn = (int)(rng() % 6);
			char id[8];

			if (dead[idn])
				continue;	/* an honest author never reuses a deleted id */
			snprintf(id, sizeof(id), "r%d", idn);
			if (rng() % 8 == 0) {
				all[n++] = sign_rec(ids[w], ++seq, proto_tombstone_new(id, NULL));
				dead[idn] = true;
			} else
				all[n++] = sign_json(ids[w], ++seq, event_json(id,
				    titles[rng() % 6], T0 + (int64_t)(rng() % 40) * DAY,
				    cats[rng() % 3]));
		}
		memcpy(cl[w].author, ids[w]->pk, HB_KEY_LEN);
		cl[w].complete = seq;
	}

	snprintf(pa, sizeof(pa), "%s/a", tmpdir);
	snprintf(pb, sizeof(pb), "%s/b", tmpdir);
	ck_assert_int_eq(store_open(&a, pa, center.pk, NULL), 0);
	ck_assert_int_eq(store_open(&b, pb, center.pk, NULL), 0);
	/* Two rounds, as reconciliation would bring refused records again; the last batch
	 * carries the sender's claims. */
	ingest_shuffled(a, all, n, NULL, 0);
	ingest_shuffled(a, all, n, cl, 3);
	ingest_shuffled(b, all, n, NULL, 0);
	ingest_shuffled(b, all, n, cl, 3);

	struct blob sa = state_of(a, ids, 3), sb = state_of(b, ids, 3);

	ck_assert_uint_eq(sa.len, sb.len);
	ck_assert_mem_eq(sa.p, sb.p, sa.len);
	for (int w = 0; w < 3; w++)
		ck_assert_uint_eq(author_state(a, ids[w]->pk).complete, cl[w].complete);
	ck_assert_int_eq(store_verify(a, NULL), 0);
	ck_assert_int_eq(store_verify(b, NULL), 0);
	free(sa.p);
	free(sb.p);
	for (size_t i = 0; i < n; i++)
		free(all[i].p);
	store_close(&a);
	store_close(&b);
}
END_TEST

/* ---- queries ---- */

struct hits {
	size_t	n;
	int64_t	start[64];
	char	title[64][128];
};

static int
hits_cb(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	struct hits *h = arg;
	struct hb_record *r = NULL;
	const char *t;

	ck_assert_int_eq(proto_open(env, len, NOW, &r), 0);
	ck_assert_int_ne(proto_record_kind(r), HB_TOMBSTONE);
	t = proto_record_title(r);
	if (h->n < 64) {
		h->start[h->n] = start;
		snprintf(h->title[h->n], sizeof(h->title[0]), "%s", t ? t : "");
	}
	h->n++;
	hb_record_free(&r);
	return 0;
}

static struct hits
run(const struct store_query *q)
{
	struct hits h;

	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(store_query(st, q, hits_cb, &h), 0);
	return h;
}

static void
load_query_data(void)
{
	char json[1024];

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	snprintf(json, sizeof(json), "{\"id\":\"weekly\",\"event\":{\"title\":\"親子のひろば\","
	    "\"when\":{\"start\":%lld,\"end\":%lld},\"category\":\"play_space\","
	    "\"recurrence\":{\"freq\":\"weekly\",\"until\":%lld}}}", (long long)T0,
	    (long long)(T0 + 2 * HOUR), (long long)(T0 + 8 * WEEK));
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 1, json)), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 2,
	    event_json("father", "父親向けプログラム", T0 + 3 * DAY, "father"))), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 3,
	    event_json("far", "ずっと先", T0 + 100 * DAY, "play_space"))), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 1,
	    event_json("abc", "abc英語であそぼう", T0 + 5 * DAY, "other_category"))), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 2,
	    event_json("papa", "パパと遊ぼう", T0 + 6 * DAY, "father"))), 0);

	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 3, "{\"id\":\"p1\",\"place\":{"
	    "\"name\":\"本郷ふじやま公園\",\"point\":{\"lat_e7\":354700000,\"lon_e7\":1394900000},"
	    "\"tags\":[{\"key\":\"leisure\",\"value\":\"playground\"}]}}")), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 4, "{\"id\":\"p2\",\"place\":{"
	    "\"name\":\"授乳室\",\"point\":{\"lat_e7\":354750000,\"lon_e7\":1394950000},"
	    "\"tags\":[{\"key\":\"amenity\",\"value\":\"childcare\"}]}}")), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 5, "{\"id\":\"p3\",\"place\":{"
	    "\"name\":\"遠い公園\",\"point\":{\"lat_e7\":355000000,\"lon_e7\":1395500000},"
	    "\"tags\":[{\"key\":\"leisure\",\"value\":\"playground\"}]}}")), 0);

	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 4, "{\"id\":\"v1\",\"volunteer\":{"
	    "\"kind\":\"wanted\",\"title\":\"読み聞かせボランティア\",\"skills\":[\"絵本\"],"
	    "\"area\":\"瀬谷区\",\"status\":\"open\"}}")), 0);
	ck_assert_int_eq(ingest_free(st, sign_json(&g2, 6, "{\"id\":\"v2\",\"volunteer\":{"
	    "\"kind\":\"offered\",\"title\":\"英語で手遊び\",\"skills\":[\"English\"],"
	    "\"area\":\"旭区\",\"status\":\"filled\"}}")), 0);
}

START_TEST(test_query_time)
{
	struct store_query q = { .from = T0, .to = T0 + 4 * WEEK };
	struct hits h;

	load_query_data();
	h = run(&q);
	/* 4 weekly occurrences, the father program, abc, papa: in start order. */
	ck_assert_uint_eq(h.n, 7);
	for (size_t i = 1; i < h.n; i++)
		ck_assert_int_le(h.start[i - 1], h.start[i]);
	ck_assert_int_eq(h.start[0], T0);
	ck_assert_int_eq(h.start[h.n - 1], T0 + 3 * WEEK);
	/* An occurrence that started before from but is still running counts. */
	q.from = T0 + HOUR;
	q.to = T0 + 2 * HOUR;
	h = run(&q);
	ck_assert_uint_eq(h.n, 1);
	/* With other filters. */
	q.from = T0;
	q.to = T0 + 4 * WEEK;
	q.terms[0] = "cat=father";
	q.nterms = 1;
	ck_assert_uint_eq(run(&q).n, 2);
	q.author = g1.pk;
	ck_assert_uint_eq(run(&q).n, 1);
	q.nterms = 0;
	q.limit = 3;
	ck_assert_uint_eq(run(&q).n, 3);
	q.limit = 0;
	q.text = "ひろば";
	ck_assert_uint_eq(run(&q).n, 4);
}
END_TEST

START_TEST(test_query_terms_author_kind)
{
	struct store_query q = { .nterms = 1 };

	load_query_data();
	q.terms[0] = "cat=father";
	ck_assert_uint_eq(run(&q).n, 2);
	q.terms[1] = "cat=play_space";
	q.nterms = 2;
	ck_assert_uint_eq(run(&q).n, 0);
	memset(&q, 0, sizeof(q));
	q.author = g1.pk;
	ck_assert_uint_eq(run(&q).n, 4);
	q.kind = HB_VOLUNTEER;
	ck_assert_uint_eq(run(&q).n, 1);
	memset(&q, 0, sizeof(q));
	q.kind = HB_PLACE;
	ck_assert_uint_eq(run(&q).n, 3);
	q.kind = HB_MEMBERSHIP;
	ck_assert_uint_eq(run(&q).n, 2);
}
END_TEST

/* Matches are the center's, like memberships; queries find them by either listing. */
START_TEST(test_match_center_only)
{
	char json[512], hex1[HB_KEYHEX_LEN], hex2[HB_KEYHEX_LEN];
	struct store_query q = { .kind = HB_MATCH, .nterms = 1 };
	struct store_stats s;
	char term[128];
	uint64_t n;

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	proto_key_hex(g1.pk, hex1);
	proto_key_hex(g2.pk, hex2);
	snprintf(json, sizeof(json), "{\"id\":\"match/a\",\"match\":{\"wanted\":{"
	    "\"author\":\"%s\",\"id\":\"vol/w\"},\"offered\":{\"author\":\"%s\","
	    "\"id\":\"vol/o\"}}}", hex1, hex2);
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 1, json)), STORE_ENOTCENTER);
	ck_assert_int_eq(ingest_free(st, sign_json(&center, 3, json)), 0);
	snprintf(term, sizeof(term), "offered=%s/vol/o", hex2);
	q.terms[0] = term;
	ck_assert_uint_eq(run(&q).n, 1);
	q.terms[0] = "status=proposed";
	ck_assert_uint_eq(run(&q).n, 1);
	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.kinds[HB_MATCH], 1);
	ck_assert_int_eq(store_verify(st, &n), 0);
}
END_TEST

/* ---- erasure: purge and compact ---- */

static struct env
volunteer(const struct hb_identity *g, uint64_t seq, const char *id, const char *desc,
    int64_t expires)
{
	char json[512], exp[48] = "";

	if (expires != 0)
		snprintf(exp, sizeof(exp), "\"expires\":%lld,", (long long)expires);
	snprintf(json, sizeof(json), "{\"id\":\"%s\",%s\"volunteer\":{\"kind\":\"offered\","
	    "\"title\":\"読み聞かせ\",\"description\":\"%s\",\"status\":\"open\"}}", id, exp,
	    desc);
	return sign_json(g, seq, json);
}

static int
get_rc(const uint8_t *author, const char *id)
{
	uint8_t *env = NULL;
	size_t len;
	int rc = store_get(st, author, id, &env, &len);

	free(env);
	return rc;
}

START_TEST(test_purge_expired)
{
	struct env gone, kept, ev;
	struct store_stats s;
	struct store_query q = { .kind = HB_VOLUNTEER };
	struct store_claim cl;
	const uint8_t *envs[1];
	size_t lens[1], n = 99;
	int res[1];
	char json[512];

	admit(st, 1, &g1);
	gone = volunteer(&g1, 1, "vol/a", "soon", NOW + 10);
	kept = volunteer(&g1, 2, "vol/b", "later", NOW + 100);
	ck_assert_int_eq(ingest1(st, gone), 0);
	ck_assert_int_eq(ingest1(st, kept), 0);
	snprintf(json, sizeof(json), "{\"id\":\"ev/a\",\"expires\":%lld,\"event\":{"
	    "\"title\":\"t\",\"when\":{\"start\":%lld,\"end\":%lld},\"category\":\"father\"}}",
	    (long long)(NOW + 10), (long long)T0, (long long)(T0 + HOUR));
	ck_assert_int_eq(ingest1(st, ev = sign_json(&g1, 3, json)), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 4, "ev/b", "no expiry")), 0);
	/* A place with an expiry is not a listing: left alone. */
	snprintf(json, sizeof(json), "{\"id\":\"pl\",\"expires\":%lld,\"place\":{\"name\":"
	    "\"p\",\"point\":{\"lat_e7\":354700000,\"lon_e7\":1394900000}}}",
	    (long long)(NOW + 10));
	ck_assert_int_eq(ingest_free(st, sign_json(&g1, 5, json)), 0);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, 5);

	ck_assert_int_eq(store_purge_expired(st, NOW + 9, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_purge_expired(st, NOW + 10, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(get_rc(g1.pk, "vol/a"), STORE_NOTFOUND);
	ck_assert_int_eq(get_rc(g1.pk, "ev/a"), STORE_NOTFOUND);
	ck_assert_int_eq(get_rc(g1.pk, "vol/b"), 0);
	ck_assert_int_eq(get_rc(g1.pk, "ev/b"), 0);
	ck_assert_int_eq(get_rc(g1.pk, "pl"), 0);
	ck_assert_uint_eq(run(&q).n, 1);
	q.kind = 0;
	q.text = "soon";
	ck_assert_uint_eq(run(&q).n, 0);
	ck_assert_uint_eq(scan_count(st, g1.pk, 0), 3);
	ck_assert_uint_eq(author_state(st, g1.pk).records, 3);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, 5);
	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.kinds[HB_VOLUNTEER], 1);
	ck_assert_uint_eq(s.kinds[HB_EVENT], 1);
	ck_assert_int_eq(store_verify(st, NULL), 0);

	/* Sent again by a peer that has not purged it yet: refused, and the claim that came
	 * with it still counts, up to the highest seq held here (5: nothing above is
	 * known to exist). */
	envs[0] = gone.p;
	lens[0] = gone.len;
	memcpy(cl.author, g1.pk, HB_KEY_LEN);
	cl.complete = 7;
	ck_assert_int_eq(store_ingest(st, envs, lens, 1, NOW + 20, &cl, 1, res, &n), 0);
	ck_assert_int_eq(res[0], STORE_EEXPIRED);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(author_state(st, g1.pk).complete, 5);
	ck_assert_int_eq(store_purge_expired(st, NOW + 10, &n), 0);
	ck_assert_uint_eq(n, 0);

	/* The scan of every record is skipped until something is due (vol/b at +100); a
	 * record stored later that expires sooner brings that forward. */
	ck_assert_int_eq(ingest_free(st, volunteer(&g1, 6, "vol/c", "sooner", NOW + 30)), 0);
	ck_assert_int_eq(store_purge_expired(st, NOW + 29, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_purge_expired(st, NOW + 30, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(get_rc(g1.pk, "vol/c"), STORE_NOTFOUND);
	ck_assert_int_eq(store_purge_expired(st, NOW + 99, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(get_rc(g1.pk, "vol/b"), 0);
	ck_assert_int_eq(store_purge_expired(st, NOW + 100, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(get_rc(g1.pk, "vol/b"), STORE_NOTFOUND);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	free(gone.p);
	free(kept.p);
	free(ev.p);
}
END_TEST

/* Does any file of the store directory hold these bytes? */
static bool
file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n, cap = 1 << 20, len = 0;
	bool found = false;

	ck_assert_ptr_nonnull(f);
	buf = malloc(cap);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			ck_assert_ptr_nonnull(buf = realloc(buf, cap *= 2));
	}
	fclose(f);
	found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

START_TEST(test_compact)
{
	const char *canary = "CANARY-7f3a9c-erase-me";
	char data[256], tmp[192];
	uint64_t checked;
	size_t n;

	admit(st, 1, &g1);
	ck_assert_int_eq(ingest_free(st, volunteer(&g1, 1, "vol/a", canary, 0)), 0);
	ck_assert_int_eq(ingest_free(st, volunteer(&g1, 2, "vol/b", "stays", 0)), 0);
	snprintf(data, sizeof(data), "%s/data.mdb", dbdir);
	snprintf(tmp, sizeof(tmp), "%s/compact.tmp", dbdir);
	ck_assert(file_has(data, canary));

	/* The tombstone drops the payload from the tree, not from the file. */
	ck_assert_int_eq(ingest_free(st, sign_rec(&g1, 3, proto_tombstone_new("vol/a",
	    NULL))), 0);
	ck_assert_int_eq(store_compact(st), 0);
	ck_assert(!file_has(data, canary));
	ck_assert_int_eq(access(tmp, F_OK), -1);

	/* The record written last is the lowest node of its page: deleting it moves
	 * nothing over its bytes, and a compacting copy copies whole pages (the model
	 * test found such a record's text after compact). */
	ck_assert_int_eq(ingest_free(st, volunteer(&g1, 5, "vol/d", "CANARY-lowest-node",
	    NOW + 10)), 0);
	ck_assert_int_eq(store_purge_expired(st, NOW + 20, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_compact(st), 0);
	ck_assert(!file_has(data, "CANARY-lowest-node"));

	/* The store goes on: reads, writes, verify, reopen. */
	ck_assert_int_eq(get_rc(g1.pk, "vol/b"), 0);
	ck_assert_int_eq(ingest_free(st, volunteer(&g1, 4, "vol/c", "new", 0)), 0);
	ck_assert_int_eq(store_verify(st, &checked), 0);
	ck_assert_uint_eq(checked, 4);	/* membership, tombstone, b, c */
	store_close(&st);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	ck_assert_int_eq(get_rc(g1.pk, "vol/c"), 0);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	/* A crash before the rename left a copy behind: the next compact starts over. */
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	snprintf(data, sizeof(data), "%s/data.mdb", tmp);
	fclose(fopen(data, "w"));
	ck_assert_int_eq(store_compact(st), 0);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST

START_TEST(test_query_places)
{
	struct store_query q = { .near = true, .lat_e7 = 354700000, .lon_e7 = 1394900000,
	    .radius_m = 1000 };
	struct hits h;

	load_query_data();
	ck_assert_uint_eq(run(&q).n, 2);
	q.radius_m = 10000;
	ck_assert_uint_eq(run(&q).n, 3);
	q.radius_m = 1000;
	q.terms[0] = "tag=leisure=playground";
	q.nterms = 1;
	h = run(&q);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.title[0], "本郷ふじやま公園");
	q.near = false;
	ck_assert_uint_eq(run(&q).n, 2);
}
END_TEST

START_TEST(test_query_volunteers)
{
	struct store_query q = { .nterms = 1 };

	load_query_data();
	q.terms[0] = "vkind=wanted";
	ck_assert_str_eq(run(&q).title[0], "読み聞かせボランティア");
	q.terms[0] = "skill=english";	/* terms are normalized: case folded */
	ck_assert_str_eq(run(&q).title[0], "英語で手遊び");
	q.terms[0] = "area=瀬谷区";
	ck_assert_uint_eq(run(&q).n, 1);
	q.terms[0] = "status=filled";
	ck_assert_str_eq(run(&q).title[0], "英語で手遊び");
	q.terms[1] = "vkind=wanted";
	q.nterms = 2;
	ck_assert_uint_eq(run(&q).n, 0);
}
END_TEST

START_TEST(test_query_text)
{
	struct store_query q = { 0 };
	struct hits h;
	struct env tomb;

	load_query_data();
	q.text = "父親";
	h = run(&q);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.title[0], "父親向けプログラム");
	q.text = "父";
	ck_assert_uint_eq(run(&q).n, 1);
	q.text = "ＡＢＣ";
	ck_assert_str_eq(run(&q).title[0], "abc英語であそぼう");
	q.text = "ﾊﾟﾊﾟ";
	ck_assert_str_eq(run(&q).title[0], "パパと遊ぼう");
	q.text = "英語";
	ck_assert_uint_eq(run(&q).n, 2);
	q.text = "公園";
	ck_assert_uint_eq(run(&q).n, 2);
	q.text = "プログラムx";
	ck_assert_uint_eq(run(&q).n, 0);
	q.text = "ム";			/* the last character of a text */
	ck_assert_uint_eq(run(&q).n, 1);

	/* A tombstone takes the record out of every query. */
	tomb = sign_rec(&g1, 5, proto_tombstone_new("father", NULL));
	ck_assert_int_eq(ingest_free(st, tomb), 0);
	q.text = "父親";
	ck_assert_uint_eq(run(&q).n, 0);
	q.text = "父";
	ck_assert_uint_eq(run(&q).n, 0);
	memset(&q, 0, sizeof(q));
	q.terms[0] = "cat=father";
	q.nterms = 1;
	ck_assert_uint_eq(run(&q).n, 1);
	memset(&q, 0, sizeof(q));
	q.from = T0;
	q.to = T0 + 4 * WEEK;
	ck_assert_uint_eq(run(&q).n, 6);
	memset(&q, 0, sizeof(q));
	q.author = g1.pk;
	ck_assert_uint_eq(run(&q).n, 3);
	ck_assert_int_eq(store_verify(st, NULL), 0);
}
END_TEST


/* ---- erasure of sealed boxes copied into other records (PROTOCOL.md 12.3) ---- */

#define BOX_CONTACT	"山田花子 090-0000-1234"

/* A listing of g's with a sealed contact, and the hex of its two boxes. */
static struct hb_record *
sealed_listing(const struct hb_identity *g, uint64_t seq, const char *id,
    char sealed[2100], char self[2100])
{
	static const char json[] = "{\"volunteer\":{\"kind\":\"offered\",\"title\":\"送迎\","
	    "\"status\":\"open\"}}";
	struct hb_record *r = NULL;
	char err[256], *j, *p, *q;

	ck_assert_int_eq(proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(proto_contact_seal(r, center.pk, g->pk, id, BOX_CONTACT), 0);
	ck_assert_int_eq(proto_record_set_id(r, id), 0);
	ck_assert_int_eq(proto_sign(r, g, seq, NOW - 1000), 0);
	ck_assert_ptr_nonnull(j = proto_record_to_json(r, 0));
	ck_assert_ptr_nonnull(p = strstr(j, "\"contact_sealed\":\""));
	p += strlen("\"contact_sealed\":\"");
	ck_assert_ptr_nonnull(q = strchr(p, '"'));
	ck_assert_int_lt(q - p, 2100);
	snprintf(sealed, 2100, "%.*s", (int)(q - p), p);
	ck_assert_ptr_nonnull(p = strstr(j, "\"contact_self\":\""));
	p += strlen("\"contact_self\":\"");
	ck_assert_ptr_nonnull(q = strchr(p, '"'));
	snprintf(self, 2100, "%.*s", (int)(q - p), p);
	free(j);
	return r;
}

static struct env
env_of(const struct hb_record *r)
{
	struct env e;
	const uint8_t *p = proto_record_envelope(r, &e.len);

	e.p = malloc(e.len);
	memcpy(e.p, p, e.len);
	return e;
}

/* Another record (g's, id) carrying box (hex) as its contact_sealed. */
static struct env
box_copy(const struct hb_identity *g, uint64_t seq, const char *id, const char *box)
{
	char json[4096];

	snprintf(json, sizeof(json), "{\"id\":\"%s\",\"volunteer\":{\"kind\":\"offered\","
	    "\"title\":\"コピー\",\"status\":\"open\",\"contact_sealed\":\"%s\"}}", id, box);
	return sign_json(g, seq, json);
}

/* g's tombstone of id, erasing the boxes of listing l. */
static struct env
erasing_tombstone(const struct hb_identity *g, uint64_t seq, const char *id,
    const struct hb_record *l)
{
	struct hb_record *t = proto_tombstone_new(id, NULL);
	uint8_t d[2][HB_HASH_LEN];
	size_t n = proto_record_boxes(l, d);

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(proto_tombstone_add_erased(t, (const uint8_t (*)[HB_HASH_LEN])d, n),
	    0);
	return sign_rec(g, seq, t);
}

/* Does data.mdb hold the bytes of box (hex)? */
static bool
data_has_box(const char *box)
{
	char path[256];
	uint8_t bin[1100];
	size_t blen;
	FILE *f;
	char *buf;
	size_t n, cap = 1 << 20, len = 0;
	bool found;

	ck_assert_int_eq(sodium_hex2bin(bin, sizeof(bin), box, strlen(box), NULL, &blen,
	    NULL), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dbdir);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	buf = malloc(cap);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			ck_assert_ptr_nonnull(buf = realloc(buf, cap *= 2));
	}
	fclose(f);
	found = memmem(buf, len, bin, blen) != NULL;
	free(buf);
	return found;
}

START_TEST(test_erased_tombstone_first)
{
	struct hb_record *l;
	struct env orig, tomb, copy, copy2, other;
	struct store_claim cl;
	const uint8_t *envs[2];
	size_t lens[2], n = 99;
	int res[2];
	char sealed[2100], self[2100];

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	l = sealed_listing(&g1, 1, "vol/s", sealed, self);
	ck_assert_int_eq(ingest1(st, orig = env_of(l)), 0);
	ck_assert_int_eq(ingest1(st, tomb = erasing_tombstone(&g1, 2, "vol/s", l)), 0);
	ck_assert_int_eq(get_rc(g1.pk, "vol/s"), 0);	/* the tombstone */
	ck_assert_int_eq(ingest1(st, orig), STORE_ETOMBSTONE);

	/* Either box, in anyone's record, under any id: refused. */
	ck_assert_int_eq(ingest_free(st, box_copy(&g2, 1, "vol/copy", sealed)), STORE_EERASED);
	ck_assert_int_eq(ingest_free(st, box_copy(&g2, 1, "vol/copy", self)), STORE_EERASED);
	ck_assert_int_eq(ingest_free(st, box_copy(&g1, 3, "vol/again", sealed)),
	    STORE_EERASED);
	ck_assert_int_eq(get_rc(g2.pk, "vol/copy"), STORE_NOTFOUND);
	ck_assert_str_eq(store_errname(STORE_EERASED), "erased");

	/* Not the sender's fault (it may not have the tombstone yet): the claim that
	 * comes with the copy still applies. */
	copy = box_copy(&g2, 1, "vol/copy", sealed);
	other = volunteer(&g2, 2, "vol/own", "自分の募集", 0);
	envs[0] = copy.p;
	lens[0] = copy.len;
	envs[1] = other.p;
	lens[1] = other.len;
	memcpy(cl.author, g2.pk, HB_KEY_LEN);
	cl.complete = 2;
	ck_assert_int_eq(store_ingest(st, envs, lens, 2, NOW, &cl, 1, res, &n), 0);
	ck_assert_int_eq(res[0], STORE_EERASED);
	ck_assert_int_eq(res[1], 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(author_state(st, g2.pk).complete, 2);
	ck_assert_uint_eq(author_state(st, g2.pk).records, 1);

	/* Our own publish of a copy is refused the same way. */
	copy2 = box_copy(&g2, 9, "vol/copy2", sealed);
	{
		struct hb_record *d = NULL;
		char json[4096], err[256];

		snprintf(json, sizeof(json), "{\"id\":\"vol/mine\",\"volunteer\":{\"kind\":"
		    "\"offered\",\"title\":\"t\",\"status\":\"open\",\"contact_sealed\":"
		    "\"%s\"}}", sealed);
		ck_assert_int_eq(proto_draft_from_json(json, strlen(json), &d, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(store_publish(st, d, &g2, NOW), STORE_EERASED);
		hb_record_free(&d);
	}
	ck_assert_int_eq(store_verify(st, NULL), 0);
	hb_record_free(&l);
	free(orig.p);
	free(tomb.p);
	free(copy.p);
	free(copy2.p);
	free(other.p);
}
END_TEST

START_TEST(test_erased_copy_first)
{
	struct hb_record *l;
	struct env orig, tomb, copy, own, copy3;
	struct store_stats s;
	struct store_author a;
	struct store_query q = { .kind = HB_VOLUNTEER };
	const uint8_t *envs[2];
	size_t lens[2], n = 99;
	int res[2];
	char sealed[2100], self[2100];

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	l = sealed_listing(&g1, 1, "vol/s", sealed, self);
	ck_assert_int_eq(ingest1(st, orig = env_of(l)), 0);
	/* g2 copies the center's box into its own listing, and has another one. */
	ck_assert_int_eq(ingest1(st, copy = box_copy(&g2, 1, "vol/copy", sealed)), 0);
	ck_assert_int_eq(ingest1(st, own = volunteer(&g2, 2, "vol/own", "自分の", 0)), 0);
	ck_assert(data_has_box(sealed));
	ck_assert_uint_eq(run(&q).n, 3);

	/* The tombstone comes, and the copy goes with the original. */
	ck_assert_int_eq(ingest1(st, tomb = erasing_tombstone(&g1, 2, "vol/s", l)), 0);
	ck_assert_int_eq(get_rc(g2.pk, "vol/copy"), STORE_NOTFOUND);
	ck_assert_int_eq(get_rc(g2.pk, "vol/own"), 0);
	ck_assert_uint_eq(run(&q).n, 1);
	q.kind = 0;
	q.text = "コピー";
	ck_assert_uint_eq(run(&q).n, 0);
	/* g2's seq 1 is a hole now, like a replaced version: complete and max_seq stay. */
	ck_assert_int_eq(store_author_get(st, g2.pk, &a), 0);
	ck_assert_uint_eq(a.complete, 2);
	ck_assert_uint_eq(a.max_seq, 2);
	ck_assert_uint_eq(a.records, 1);
	ck_assert_uint_eq(scan_count(st, g2.pk, 0), 1);
	ck_assert_int_eq(store_stats(st, &s), 0);
	ck_assert_uint_eq(s.kinds[HB_VOLUNTEER], 1);
	ck_assert_uint_eq(s.kinds[HB_TOMBSTONE], 1);
	ck_assert_int_eq(store_verify(st, NULL), 0);

	/* Sent again by a peer without the tombstone: refused. */
	ck_assert_int_eq(ingest1(st, copy), STORE_EERASED);
	/* After a compact, no byte of either box is left in the file. */
	ck_assert_int_eq(store_compact(st), 0);
	ck_assert(!data_has_box(sealed));
	ck_assert(!data_has_box(self));
	ck_assert_int_eq(store_verify(st, NULL), 0);

	/* Copy and tombstone in one batch, the copy first: stored, then purged. */
	copy3 = box_copy(&g2, 3, "vol/copy3", self);
	store_close(&st);
	nftw(dbdir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	admit(st, 1, &g1);
	admit(st, 2, &g2);
	ck_assert_int_eq(ingest1(st, orig), 0);
	envs[0] = copy3.p;
	lens[0] = copy3.len;
	envs[1] = tomb.p;
	lens[1] = tomb.len;
	ck_assert_int_eq(store_ingest(st, envs, lens, 2, NOW, NULL, 0, res, &n), 0);
	ck_assert_int_eq(res[0], 0);
	ck_assert_int_eq(res[1], 0);
	ck_assert_int_eq(get_rc(g2.pk, "vol/copy3"), STORE_NOTFOUND);
	ck_assert_uint_eq(author_state(st, g2.pk).records, 0);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	hb_record_free(&l);
	free(orig.p);
	free(tomb.p);
	free(copy.p);
	free(own.p);
	free(copy3.p);
}
END_TEST

START_TEST(test_erased_by_own_delete)
{
	struct hb_record *l, *t = NULL, *d;
	const uint8_t *erased[HB_ERASED_MAX];
	uint8_t want[2][HB_HASH_LEN], *env = NULL;
	size_t len;
	char sealed[2100], self[2100];

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	l = sealed_listing(&g1, 1, "vol/s", sealed, self);
	ck_assert_int_eq(ingest_free(st, env_of(l)), 0);
	ck_assert_int_eq(ingest_free(st, box_copy(&g2, 1, "vol/copy", self)), 0);
	/* g1's daemon deletes its listing: a plain tombstone draft, as `hiroba delete`
	 * sends it; the store names the boxes of the version it deletes. */
	d = proto_tombstone_new("vol/s", "本人の申し出");
	ck_assert_int_eq(store_publish(st, d, &g1, NOW), 0);
	hb_record_free(&d);
	ck_assert_int_eq(store_get(st, g1.pk, "vol/s", &env, &len), 0);
	ck_assert_int_eq(proto_open_verified(env, len, NOW, &t), 0);
	ck_assert_uint_eq(proto_record_erased(t, erased), 2);
	ck_assert_uint_eq(proto_record_boxes(l, want), 2);
	ck_assert_mem_eq(erased[0], want[0], HB_HASH_LEN);
	ck_assert_mem_eq(erased[1], want[1], HB_HASH_LEN);
	ck_assert_int_eq(get_rc(g2.pk, "vol/copy"), STORE_NOTFOUND);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	/* A tombstone of something without boxes names none. */
	ck_assert_int_eq(ingest_free(st, volunteer(&g2, 2, "vol/plain", "x", 0)), 0);
	d = proto_tombstone_new("vol/plain", NULL);
	ck_assert_int_eq(store_publish(st, d, &g2, NOW), 0);
	hb_record_free(&d);
	hb_record_free(&t);
	free(env);
	ck_assert_int_eq(store_get(st, g2.pk, "vol/plain", &env, &len), 0);
	ck_assert_int_eq(proto_open_verified(env, len, NOW, &t), 0);
	ck_assert_uint_eq(proto_record_erased(t, erased), 0);
	hb_record_free(&t);
	hb_record_free(&l);
	free(env);
}
END_TEST

/* A format-4 store (no box index) gets its box index at open, so that a later tombstone
 * finds the copies it already held. */
START_TEST(test_erased_migration)
{
	struct hb_record *l;
	struct env tomb;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "format" }, v;
	uint8_t fmt[4] = { 0, 0, 0, 4 };
	char sealed[2100], self[2100];

	admit(st, 1, &g1);
	admit(st, 2, &g2);
	l = sealed_listing(&g1, 1, "vol/s", sealed, self);
	ck_assert_int_eq(ingest_free(st, env_of(l)), 0);
	ck_assert_int_eq(ingest_free(st, box_copy(&g2, 1, "vol/copy", sealed)), 0);
	store_close(&st);

	/* Back to what format 4 wrote: no box and dead databases. */
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dbdir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "box", 0, &dbi), 0);
	ck_assert_int_eq(mdb_drop(txn, dbi, 1), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "dead", 0, &dbi), 0);
	ck_assert_int_eq(mdb_drop(txn, dbi, 1), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	v.mv_data = fmt;
	v.mv_size = 4;
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	ck_assert_int_eq(ingest1(st, tomb = erasing_tombstone(&g1, 2, "vol/s", l)), 0);
	ck_assert_int_eq(get_rc(g2.pk, "vol/copy"), STORE_NOTFOUND);
	ck_assert_int_eq(store_verify(st, NULL), 0);
	hb_record_free(&l);
	free(tomb.p);
}
END_TEST

/* Format 6 counted a member's envelopes only: at open the bytes are counted again as
 * what the records take (store_record_cost), index entries included. */
START_TEST(test_bytes_migration)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "format" }, v, ak = { HB_KEY_LEN, g1.pk };
	uint8_t fmt[4] = { 0, 0, 0, 6 }, val[32];

	admit(st, 1, &g1);
	ck_assert_int_eq(ingest_free(st, event(&g1, 1, "e1", "親子のひろば")), 0);
	ck_assert_int_eq(ingest_free(st, event(&g1, 2, "e2", "プレママ教室")), 0);
	store_close(&st);

	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dbdir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "auth", 0, &dbi), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &ak, &v), 0);
	ck_assert_uint_eq(v.mv_size, sizeof(val));
	memcpy(val, v.mv_data, sizeof(val));
	memset(val + 24, 0, 8);
	val[31] = 1;				/* what format 6 would not have said */
	v.mv_data = val;
	ck_assert_int_eq(mdb_put(txn, dbi, &ak, &v, 0), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	v.mv_data = fmt;
	v.mv_size = 4;
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	ck_assert_uint_gt(held_bytes(st, g1.pk), 2);
}
END_TEST

/* ---- verify ---- */

START_TEST(test_verify_detects_corruption)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v, nv;
	uint8_t *copy;
	uint64_t checked = 0;

	load_query_data();
	ck_assert_int_eq(store_verify(st, &checked), 0);
	ck_assert_uint_eq(checked, 12);
	store_close(&st);

	/* Flip one byte of a stored envelope, behind the store's back. */
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dbdir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "rec", 0, &dbi), 0);
	ck_assert_int_eq(mdb_cursor_open(txn, dbi, &c), 0);
	ck_assert_int_eq(mdb_cursor_get(c, &k, &v, MDB_LAST), 0);
	copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[v.mv_size - 3] ^= 0x20;
	nv.mv_data = copy;
	nv.mv_size = v.mv_size;
	ck_assert_int_eq(mdb_cursor_put(c, &k, &nv, MDB_CURRENT), 0);
	mdb_cursor_close(c);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);

	ck_assert_int_eq(store_open(&st, dbdir, center.pk, NULL), 0);
	ck_assert_int_eq(store_verify(st, NULL), STORE_ECORRUPT);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_open_reopen);
	tcase_add_test(tc, test_publish_ingest_get_scan);
	tcase_add_test(tc, test_publish_many);
	tcase_add_test(tc, test_bad_signature_truncated_oversized);
	tcase_add_test(tc, test_unknown_and_not_center);
	tcase_add_test(tc, test_revoked);
	tcase_add_test(tc, test_revoked_kept);
	tcase_add_test(tc, test_dup_old_tombstone_fork_expired);
	tcase_add_test(tc, test_membership_arrives_late);
	tcase_add_test(tc, test_complete_and_claims);
	tcase_add_test(tc, test_quota);
	tcase_add_test(tc, test_map_growth);
	tcase_add_test(tc, test_map_limit);
	tcase_add_loop_test(tc, test_order_independence, 0, 4);
	tcase_add_test(tc, test_query_time);
	tcase_add_test(tc, test_query_terms_author_kind);
	tcase_add_test(tc, test_query_places);
	tcase_add_test(tc, test_match_center_only);
	tcase_add_test(tc, test_purge_expired);
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_erased_tombstone_first);
	tcase_add_test(tc, test_erased_copy_first);
	tcase_add_test(tc, test_erased_by_own_delete);
	tcase_add_test(tc, test_erased_migration);
	tcase_add_test(tc, test_bytes_migration);
	tcase_add_test(tc, test_query_volunteers);
	tcase_add_test(tc, test_query_text);
	tcase_add_test(tc, test_verify_detects_corruption);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
