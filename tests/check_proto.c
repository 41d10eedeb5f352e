/* SPDX-License-Identifier: ISC */
/*
 * check_proto.c: hb_proto's suite. Each public function once in the plain case, so the
 * file reads as a usage example, then every way an envelope must be refused.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "gen_vectors.h"

static struct hb_record	*vec[VEC_NDRAFTS];	/* vec_drafts, signed */

static void
setup(void)
{
	struct hb_identity	id;
	char			err[256];
	size_t			i;

	ck_assert_int_eq(proto_init(), 0);
	for (i = 0; i < VEC_NDRAFTS; i++) {
		vec_identity(&id, VEC_SIGNER(i));
		ck_assert_msg(proto_draft_from_json(vec_drafts[i].json,
		    strlen(vec_drafts[i].json), &vec[i], err, sizeof(err)) == 0, "%s: %s",
		    vec_drafts[i].name, err);
		ck_assert_int_eq(proto_sign(vec[i], &id, vec_drafts[i].seq,
		    vec_drafts[i].created), 0);
	}
}

static void
teardown(void)
{
	size_t	i;

	for (i = 0; i < VEC_NDRAFTS; i++)
		hb_record_free(&vec[i]);
}

static struct hb_record *
vec_named(const char *name)
{
	size_t	i;

	for (i = 0; i < VEC_NDRAFTS; i++)
		if (strcmp(vec_drafts[i].name, name) == 0)
			return vec[i];
	ck_abort_msg("no vector %s", name);
	return NULL;
}

/* ---- identity ---- */

START_TEST(test_identity)
{
	struct hb_identity	id, back;
	char			path[] = "/tmp/check_proto.XXXXXX", file[64], hex[HB_KEYHEX_LEN];
	char			fpr[HB_FPR_LEN];
	uint8_t			key[HB_KEY_LEN], cpk[32], csk[32], cpk2[32];
	int			fd, i;

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/key", path);
	proto_identity_new(&id);
	ck_assert_int_eq(proto_identity_save(&id, file), 0);
	ck_assert_int_eq(proto_identity_save(&id, file), EEXIST);
	ck_assert_int_eq(proto_identity_load(&back, file), 0);
	ck_assert_mem_eq(back.pk, id.pk, HB_KEY_LEN);
	ck_assert_mem_eq(back.sk, id.sk, HB_SK_LEN);

	/* A key file that group or others can read is refused. */
	ck_assert_int_eq(chmod(file, 0644), 0);
	ck_assert_int_eq(proto_identity_load(&back, file), PROTO_EKEYPERM);
	ck_assert_int_eq(chmod(file, 0600), 0);
	unlink(file);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_eq(write(fd, "not a key\n", 10), 10);
	close(fd);
	ck_assert_int_eq(proto_identity_load(&back, file), PROTO_EKEYFILE);
	unlink(file);
	ck_assert_int_eq(proto_identity_load(&back, file), ENOENT);
	rmdir(path);
	proto_identity_clear(&back);

	proto_key_hex(id.pk, hex);
	ck_assert_uint_eq(strlen(hex), 64);
	ck_assert_int_eq(proto_key_parse(hex, key), 0);
	ck_assert_mem_eq(key, id.pk, HB_KEY_LEN);
	ck_assert_int_eq(proto_key_parse("00", key), PROTO_EKEY);
	ck_assert_int_eq(proto_key_parse("0100000000000000000000000000000000000000000000000000"
	    "000000000000", key), PROTO_EKEY);	/* small order */

	/* Fingerprint: XXXX-XXXX-XXXX-XXXX in Crockford base32. */
	proto_fingerprint(id.pk, fpr);
	ck_assert_uint_eq(strlen(fpr), 19);
	for (i = 0; i < 19; i++) {
		if (i == 4 || i == 9 || i == 14)
			ck_assert_int_eq(fpr[i], '-');
		else
			ck_assert_ptr_nonnull(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
			    fpr[i]));
	}

	/* The CURVE key pair derived from the group key belongs together. */
	ck_assert_int_eq(proto_curve_pk(id.pk, cpk), 0);
	ck_assert_int_eq(proto_curve_sk(&id, csk), 0);
	crypto_scalarmult_base(cpk2, csk);
	ck_assert_mem_eq(cpk, cpk2, 32);
	proto_identity_clear(&id);
}
END_TEST

/* ---- records ---- */

START_TEST(test_sign_open)
{
	struct hb_identity	 id;
	struct hb_record	*r = NULL, *o = NULL;
	const uint8_t		*env;
	size_t			 len;
	char			 err[256];

	vec_identity(&id, VEC_SEED);
	ck_assert_int_eq(proto_draft_from_json(vec_drafts[0].json, strlen(vec_drafts[0].json),
	    &r, err, sizeof(err)), 0);
	ck_assert_ptr_null(proto_record_author(r));
	ck_assert_ptr_null(proto_record_hash(r));
	ck_assert_int_eq(proto_sign(r, &id, 7, VEC_NOW), 0);
	ck_assert_int_eq(proto_record_kind(r), HB_EVENT);
	ck_assert_mem_eq(proto_record_author(r), id.pk, HB_KEY_LEN);
	ck_assert_str_eq(proto_record_id(r), "ev/papa-2024-06");
	ck_assert_uint_eq(proto_record_seq(r), 7);
	ck_assert_int_eq(proto_record_created(r), VEC_NOW);
	ck_assert_int_eq(proto_record_expires(r), 0);
	ck_assert_str_eq(proto_record_title(r), "父親向けプログラム「パパと遊ぼう」");

	env = proto_record_envelope(r, &len);
	ck_assert_ptr_nonnull(env);
	ck_assert_int_eq(proto_verify(env, len), 0);
	ck_assert_int_eq(proto_open(env, len, VEC_NOW, &o), 0);
	ck_assert_mem_eq(proto_record_hash(o), proto_record_hash(r), HB_HASH_LEN);
	hb_record_free(&o);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(proto_open_verified(env, len, VEC_NOW, &o), 0);
	hb_record_free(&o);
	hb_record_free(&o);	/* NULL-safe */

	/* A record created after `now` + skew is refused, and proto_sign leaves r as it was. */
	ck_assert_int_eq(proto_open(env, len, VEC_NOW - HB_FUTURE_SKEW - 1, &o),
	    PROTO_EFUTURE);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(proto_sign(r, &id, 0, VEC_NOW), PROTO_ESEQ);
	ck_assert_uint_eq(proto_record_seq(r), 7);
	hb_record_free(&r);
}
END_TEST

START_TEST(test_drafts)
{
	struct hb_identity	 id;
	struct hb_record	*r, *d = NULL;
	struct hb_member	 m;
	const uint8_t		*author;
	const char		*mid;
	uint8_t			*buf;
	size_t			 len;

	vec_identity(&id, VEC_SEED);
	/* Draft bytes, as the CLI sends them to its daemon. */
	ck_assert_int_eq(proto_draft_encode(vec_named("event"), &buf, &len), 0);
	ck_assert_int_eq(proto_draft_decode(buf, len, &d), 0);
	free(buf);
	ck_assert_uint_eq(proto_record_seq(d), 0);
	ck_assert_int_eq(proto_record_set_id(d, "ev/copy"), 0);
	ck_assert_int_eq(proto_record_set_id(d, "/abs"), PROTO_EID);
	ck_assert_int_eq(proto_sign(d, &id, 9, VEC_NOW), 0);
	ck_assert_str_eq(proto_record_id(d), "ev/copy");
	hb_record_free(&d);
	ck_assert_int_eq(proto_draft_decode((const uint8_t *)"\xff", 1, &d), PROTO_EDECODE);
	ck_assert_ptr_null(d);

	r = proto_tombstone_new("ev/old", "moved");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(proto_sign(r, &id, 10, VEC_NOW), 0);
	ck_assert_int_eq(proto_record_kind(r), HB_TOMBSTONE);
	hb_record_free(&r);
	ck_assert_ptr_null(proto_tombstone_new("bad id", NULL));

	/* Text caps count characters (issue 13): 200 Japanese characters are 600 bytes
	 * and a valid name; the 201st is too long. */
	{
		char name[3 * 201 + 1];

		for (int i = 0; i < 201; i++)
			memcpy(name + 3 * i, "あ", 3);
		name[3 * 200] = '\0';
		r = proto_membership_new(id.pk, 1, 2, name, 1, 42);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(proto_sign(r, &id, 11, VEC_NOW), 0);
		hb_record_free(&r);
		memcpy(name + 3 * 200, "あ", 3);
		name[3 * 201] = '\0';
		r = proto_membership_new(id.pk, 1, 2, name, 1, 42);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(proto_sign(r, &id, 11, VEC_NOW), PROTO_ELEN);
		hb_record_free(&r);
	}

	r = proto_membership_new(id.pk, 1, 2, "港北センター", 1, 42);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(proto_sign(r, &id, 11, VEC_NOW), 0);
	ck_assert_int_eq(proto_record_membership(r, &m), 0);
	ck_assert_mem_eq(m.key, id.pk, HB_KEY_LEN);
	ck_assert_int_eq(m.role, 1);
	ck_assert_int_eq(m.status, 2);
	ck_assert_int_eq(m.kind, 1);
	ck_assert_uint_eq(m.valid_until_seq, 42);
	ck_assert_str_eq(m.name, "港北センター");
	ck_assert_int_eq(proto_record_reply_to(r, &author, &mid), PROTO_EMISSING);
	hb_record_free(&r);

	ck_assert_int_eq(proto_record_reply_to(vec_named("reply"), &author, &mid), 0);
	ck_assert_str_eq(mid, "mtg/network-2024-07");
	ck_assert_int_eq(proto_record_membership(vec_named("event"), &m), PROTO_EMISSING);
	/* The profile's id is fixed, and given when the JSON has none. */
	ck_assert_str_eq(proto_record_id(vec_named("profile")), "profile");
}
END_TEST

/* ---- refusals: one test per way to break an envelope ---- */

static void
expect_reject(const char *name, int want)
{
	struct vec_reject	 rej[VEC_MAXREJECT];
	struct hb_record	*o = (struct hb_record *)&o;
	const uint8_t		*ev, *pl, *ms;
	size_t			 evl, pll, msl, i, n;
	int			 rc = 1, found = 0, vrc;

	ev = proto_record_envelope(vec_named("event"), &evl);
	pl = proto_record_envelope(vec_named("place"), &pll);
	ms = proto_record_envelope(vec_named("membership"), &msl);
	n = vec_rejects(ev, evl, pl, pll, ms, msl, rej);
	for (i = 0; i < n; i++) {
		if (strcmp(rej[i].name, name) == 0) {
			found = 1;
			rc = proto_open(rej[i].env, rej[i].len, VEC_NOW, &o);
			vrc = proto_verify(rej[i].env, rej[i].len);
			/* proto_verify catches the cryptographic part, and passes the rest. */
			if (want == PROTO_ETOOBIG || want == PROTO_EENVELOPE ||
			    want == PROTO_EKEY || want == PROTO_EBADSIG)
				ck_assert_int_eq(vrc, want);
			else
				ck_assert_int_eq(vrc, 0);
		}
		free(rej[i].env);
	}
	ck_assert_msg(found, "no forged envelope %s", name);
	ck_assert_msg(rc == want, "%s: got %s, want %s", name, proto_errname(rc),
	    proto_errname(want));
	ck_assert_ptr_null(o);
}

#define REJECT_TEST(fn, name, code)	\
	START_TEST(fn) { expect_reject(name, code); } END_TEST

REJECT_TEST(test_altered_body, "altered-body-byte", PROTO_EBADSIG)
REJECT_TEST(test_altered_sig, "altered-signature-byte", PROTO_EBADSIG)
REJECT_TEST(test_wrong_key, "wrong-author-key", PROTO_EBADSIG)
REJECT_TEST(test_sig_s_plus_l, "signature-s-plus-l", PROTO_EBADSIG)
REJECT_TEST(test_small_order, "small-order-author", PROTO_EKEY)
REJECT_TEST(test_truncated, "truncated-envelope", PROTO_EENVELOPE)
REJECT_TEST(test_oversized, "oversized-envelope", PROTO_ETOOBIG)
REJECT_TEST(test_trailing, "trailing-garbage", PROTO_EENVELOPE)
REJECT_TEST(test_trailing_field, "trailing-unknown-field", PROTO_EENVELOPE)
REJECT_TEST(test_unknown_field, "body-unknown-field", PROTO_ENONCANON)
REJECT_TEST(test_duplicate_field, "body-duplicate-field", PROTO_ENONCANON)
REJECT_TEST(test_undecodable, "body-undecodable", PROTO_EDECODE)
REJECT_TEST(test_bad_utf8, "body-invalid-utf8", PROTO_EUTF8)
REJECT_TEST(test_overlong_utf8, "body-overlong-utf8", PROTO_EUTF8)
REJECT_TEST(test_control_char, "body-control-char", PROTO_EUTF8)
REJECT_TEST(test_coordinates, "place-latitude-out-of-range", PROTO_ERANGE)
REJECT_TEST(test_end_before_start, "event-end-before-start", PROTO_ETIME)
REJECT_TEST(test_future, "created-far-future", PROTO_EFUTURE)
REJECT_TEST(test_before_2020, "created-before-2020", PROTO_ETIME)
REJECT_TEST(test_unknown_enum, "event-unknown-category", PROTO_EENUM)
REJECT_TEST(test_too_many_tags, "place-too-many-tags", PROTO_ECOUNT)
REJECT_TEST(test_bad_id, "bad-id", PROTO_EID)
REJECT_TEST(test_seq_zero, "seq-zero", PROTO_ESEQ)
REJECT_TEST(test_too_long, "title-too-long", PROTO_ELEN)
REJECT_TEST(test_no_payload, "no-payload", PROTO_EMISSING)
REJECT_TEST(test_member_id, "membership-id-mismatch", PROTO_EMEMBERID)
REJECT_TEST(test_seq_over_max, "seq-2^53", PROTO_ESEQ)

/* The other side of the seq bounds: 1 and 2^53-1 open. */
START_TEST(test_seq_bounds)
{
	struct hb_record	*o = NULL;
	const uint8_t		*env;
	size_t			 len;

	ck_assert_uint_eq(proto_record_seq(vec_named("reply")), 1);
	ck_assert_uint_eq(proto_record_seq(vec_named("seq-max")), HB_SEQ_MAX);
	env = proto_record_envelope(vec_named("seq-max"), &len);
	ck_assert_int_eq(proto_open(env, len, VEC_NOW, &o), 0);
	ck_assert_uint_eq(proto_record_seq(o), 9007199254740991ULL);
	hb_record_free(&o);
}
END_TEST
REJECT_TEST(test_envelope_group, "envelope-group-field", PROTO_EENVELOPE)
REJECT_TEST(test_group_known, "body-group-known-field", PROTO_EDECODE)
REJECT_TEST(test_group_unknown, "body-group-unknown-field", PROTO_EDECODE)
REJECT_TEST(test_wrong_wire_type, "body-wrong-wire-type", PROTO_EDECODE)
REJECT_TEST(test_unknown_fixed64, "body-unknown-fixed64", PROTO_ENONCANON)
REJECT_TEST(test_packed, "event-audience-packed", PROTO_ENONCANON)
REJECT_TEST(test_enum_over_int32, "event-category-over-int32", PROTO_ENONCANON)
REJECT_TEST(test_enum_negative, "event-category-negative", PROTO_EENUM)
REJECT_TEST(test_lang_empty, "translation-lang-empty", PROTO_EMISSING)
REJECT_TEST(test_lang_bad_char, "translation-lang-bad-char", PROTO_ERANGE)
REJECT_TEST(test_description_cr, "description-carriage-return", PROTO_EUTF8)
REJECT_TEST(test_title_del, "title-del", PROTO_EUTF8)
REJECT_TEST(test_kept_admitted, "membership-kept-admitted", PROTO_ERANGE)
REJECT_TEST(test_kept_beyond, "membership-kept-beyond", PROTO_ERANGE)

/* A revocation's kept ranges: encoded minimal, checked strictly, looked up. */
START_TEST(test_kept_ranges)
{
	const uint64_t r[3][2] = { { 2, 4 }, { 7, 7 }, { 200, 100000 } };
	uint8_t b[64];
	size_t n;

	n = proto_kept_encode(r, 3, b, sizeof(b));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(proto_kept_check(b, n, 100000), 0);
	ck_assert_int_eq(proto_kept_check(b, n, 99999), PROTO_ERANGE);	/* past vus */
	ck_assert(!proto_kept_has(b, n, 1) && proto_kept_has(b, n, 2) &&
	    proto_kept_has(b, n, 4) && !proto_kept_has(b, n, 5) &&
	    proto_kept_has(b, n, 7) && !proto_kept_has(b, n, 8) &&
	    proto_kept_has(b, n, 150000 - 50000) && !proto_kept_has(b, n, 100001));
	ck_assert_int_eq(proto_kept_check(b, 0, 0), 0);		/* nothing kept */
	ck_assert_int_eq(proto_kept_check((const uint8_t *)"\x00\x01", 2, 9),
	    PROTO_ERANGE);					/* starts at 0 */
	ck_assert_int_eq(proto_kept_check((const uint8_t *)"\x01\x01\x01\x01", 4, 9),
	    PROTO_ERANGE);					/* adjacent ranges */
	ck_assert_int_eq(proto_kept_check((const uint8_t *)"\x82\x00\x01", 3, 9),
	    PROTO_ERANGE);					/* not minimal */
	ck_assert_int_eq(proto_kept_check((const uint8_t *)"\x02", 1, 9),
	    PROTO_ERANGE);					/* truncated */
}
END_TEST
REJECT_TEST(test_title_c1, "title-c1-csi", PROTO_EUTF8)
REJECT_TEST(test_erased_short, "tombstone-erased-short-digest", PROTO_ERANGE)
REJECT_TEST(test_erased_twice, "tombstone-erased-twice", PROTO_ECOUNT)

/* ---- JSON ---- */

/* proto_verify keeps the author keys that passed the subgroup check. More authors than
 * it keeps, verified twice over by two threads at once, must all pass, and a small-order
 * key must be refused every time, before and after. */
#define KC_AUTHORS	300

struct kc_job {
	uint8_t	*env[KC_AUTHORS];
	size_t	 len[KC_AUTHORS];
	int	 bad;
};

static void *
kc_worker(void *arg)
{
	struct kc_job	*j = arg;
	size_t		 i;
	int		 round;

	for (round = 0; round < 2; round++)
		for (i = 0; i < KC_AUTHORS; i++)
			if (proto_verify(j->env[i], j->len[i]) != 0)
				j->bad++;
	return NULL;
}

START_TEST(test_key_cache)
{
	static struct kc_job	 job[2];
	struct hb_identity	 id;
	struct hb_record	*r = NULL;
	const uint8_t		*env;
	pthread_t		 t;
	size_t			 i;
	char			 err[256];

	expect_reject("small-order-author", PROTO_EKEY);
	memset(job, 0, sizeof(job));
	for (i = 0; i < KC_AUTHORS; i++) {
		proto_identity_new(&id);
		ck_assert_int_eq(proto_draft_from_json(vec_drafts[0].json,
		    strlen(vec_drafts[0].json), &r, err, sizeof(err)), 0);
		ck_assert_int_eq(proto_sign(r, &id, 1, VEC_NOW), 0);
		env = proto_record_envelope(r, &job[0].len[i]);
		ck_assert_ptr_nonnull(job[0].env[i] = malloc(job[0].len[i]));
		memcpy(job[0].env[i], env, job[0].len[i]);
		job[1].env[i] = job[0].env[i];
		job[1].len[i] = job[0].len[i];
		hb_record_free(&r);
	}
	ck_assert_int_eq(pthread_create(&t, NULL, kc_worker, &job[1]), 0);
	kc_worker(&job[0]);
	pthread_join(t, NULL);
	ck_assert_int_eq(job[0].bad, 0);
	ck_assert_int_eq(job[1].bad, 0);
	/* A known key does not spare the signature check. */
	job[0].env[0][job[0].len[0] - 1] ^= 1;
	ck_assert_int_eq(proto_verify(job[0].env[0], job[0].len[0]), PROTO_EBADSIG);
	expect_reject("small-order-author", PROTO_EKEY);
	for (i = 0; i < KC_AUTHORS; i++)
		free(job[0].env[i]);
}
END_TEST

START_TEST(test_json_round_trip)
{
	struct hb_identity	 id;
	struct hb_record	*r = NULL, *again = NULL;
	const uint8_t		*e1, *e2;
	size_t			 l1, l2;
	char			*js, *js2, err[256];

	vec_identity(&id, VEC_SEED);
	js = proto_record_to_json(vec_named("event"), PROTO_JSON_PRETTY);
	ck_assert_ptr_nonnull(js);
	ck_assert_ptr_nonnull(strstr(js, "\"title\": \"父親向けプログラム「パパと遊ぼう」\""));
	ck_assert_ptr_nonnull(strstr(js, "\"category\": \"father\""));
	ck_assert_ptr_nonnull(strstr(js, "\"kind\": \"event\""));
	/* show --json | edit | publish: the header keys are accepted and ignored. */
	ck_assert_int_eq(proto_draft_from_json(js, strlen(js), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(proto_sign(r, &id, vec_drafts[0].seq, vec_drafts[0].created), 0);
	e1 = proto_record_envelope(vec_named("event"), &l1);
	e2 = proto_record_envelope(r, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(e1, e2, l1);
	js2 = proto_record_to_json(r, 0);
	ck_assert_int_eq(proto_draft_from_json(js2, strlen(js2), &again, err, sizeof(err)),
	    0);
	free(js);
	free(js2);
	hb_record_free(&r);
	hb_record_free(&again);
}
END_TEST

static void
expect_json_error(const char *json, int want, const char *reason)
{
	struct hb_record	*r = NULL;
	char			 err[256];
	int			 rc;

	rc = proto_draft_from_json(json, strlen(json), &r, err, sizeof(err));
	ck_assert_msg(rc == want, "%s: got %s (%s)", json, proto_errname(rc), err);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, reason) != NULL, "\"%s\" lacks \"%s\"", err, reason);
}

#define EV_WHEN	"\"when\":{\"start\":1718326800,\"end\":1718334000}"

START_TEST(test_json_errors)
{
	expect_json_error("{\"event\":{\"title\":\"t\",\"when\":{\"start\":1.5,\"end\":2},"
	    "\"category\":\"father\"}}", PROTO_EJSON, "event.when.start: expected an integer");
	expect_json_error("{\"event\":{\"title\":\"t\"," EV_WHEN ",\"category\":\"dad\"}}",
	    PROTO_EJSON, "event.category");
	expect_json_error("{\"event\":{\"title\":\"t\"," EV_WHEN "}}", PROTO_EJSON,
	    "event.category: missing");
	expect_json_error("{\"event\":{\"title\":\"t\"," EV_WHEN ",\"category\":\"father\","
	    "\"colour\":\"red\"}}", PROTO_EJSON, "event.colour: unknown field");
	expect_json_error("{\"event\":{\"title\":\"t\"," EV_WHEN ",\"category\":\"father\","
	    "\"translations\":[{\"lang\":\"en\"},{\"title\":\"x\"}]}}", PROTO_EJSON,
	    "event.translations[1].lang: missing");
	expect_json_error("{\"event\":{\"title\":\"t\"," EV_WHEN ",\"category\":\"father\","
	    "\"capacity\":-1}}", PROTO_EJSON, "event.capacity: integer out of range");
	expect_json_error("{\"tombstone\":{},\"event\":{}}", PROTO_EJSON, "one payload");
	expect_json_error("{\"id\":\"x\"}", PROTO_EJSON, "no payload");
	expect_json_error("{\"kind\":\"place\",\"tombstone\":{}}", PROTO_EJSON, "kind");
	expect_json_error("[1]", PROTO_EJSON, "object");
	expect_json_error("{\"tombstone\":{", PROTO_EJSON, "line 1");
	/* A draft that parses fails early with the validator's code and reason. */
	expect_json_error("{\"place\":{\"name\":\"p\",\"point\":{\"lat_e7\":950000000,"
	    "\"lon_e7\":0}}}", PROTO_ERANGE, "place.point.lat_e7");
	expect_json_error("{\"id\":\"../x\",\"tombstone\":{}}", PROTO_EID, "id");
	expect_json_error("{\"event\":{\"title\":\"t\",\"when\":{\"start\":1718334000,"
	    "\"end\":1718326800},\"category\":\"father\"}}", PROTO_ETIME,
	    "event.when.end: before start");
}
END_TEST

/* ---- index material ---- */

struct occs {
	int64_t	s[16], e[16];
	int	n;
};

static int
occ_cb(int64_t s, int64_t e, void *arg)
{
	struct occs	*o = arg;

	if (o->n < 16) {
		o->s[o->n] = s;
		o->e[o->n] = e;
	}
	o->n++;
	return 0;
}

static void
occurrences_of(const char *json, struct occs *o)
{
	struct hb_record	*r = NULL;
	char			 err[256];

	memset(o, 0, sizeof(*o));
	ck_assert_msg(proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(proto_record_occurrences(r, occ_cb, o), 0);
	hb_record_free(&r);
}

START_TEST(test_occurrences)
{
	struct occs	o;

	/* Weekly on Fridays 10:00-12:00 JST from 2024-06-14 to 2024-07-05, not 06-21. */
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(proto_record_occurrences(vec_named("event"), occ_cb, &o), 0);
	ck_assert_int_eq(o.n, 3);
	ck_assert_int_eq(o.s[0], 1718326800);
	ck_assert_int_eq(o.e[0], 1718334000);
	ck_assert_int_eq(o.s[1], 1719536400);	/* 06-28 */
	ck_assert_int_eq(o.s[2], 1720141200);	/* 07-05, the until itself */

	/* Monthly on the 31st: months without one are skipped. */
	occurrences_of("{\"event\":{\"title\":\"t\",\"category\":\"consultation\","
	    "\"when\":{\"start\":1706662800,\"end\":1706666400},"
	    "\"recurrence\":{\"freq\":\"monthly\",\"until\":1719756000}}}", &o);
	ck_assert_int_eq(o.n, 3);
	ck_assert_int_eq(o.s[0], 1706662800);	/* 2024-01-31 10:00 JST */
	ck_assert_int_eq(o.s[1], 1711846800);	/* 03-31 */
	ck_assert_int_eq(o.s[2], 1717117200);	/* 05-31 */
	ck_assert_int_eq(o.e[2], 1717117200 + 3600);

	/* Monthly on the 2nd Tuesday (第2火曜日), from 2024-06-11. */
	occurrences_of("{\"event\":{\"title\":\"t\",\"category\":\"play_space\","
	    "\"when\":{\"start\":1718067600,\"end\":1718074800},"
	    "\"recurrence\":{\"freq\":\"monthly\",\"by_weekday\":true,"
	    "\"until\":1727704800}}}", &o);
	ck_assert_int_eq(o.n, 4);
	ck_assert_int_eq(o.s[0], 1718067600);	/* 06-11 */
	ck_assert_int_eq(o.s[1], 1720486800);	/* 07-09 */
	ck_assert_int_eq(o.s[2], 1723510800);	/* 08-13 */
	ck_assert_int_eq(o.s[3], 1725930000);	/* 09-10 */

	/* The vectors' monthly events, against dates worked out by hand: a skipped month
	 * is neither moved nor does it shift the months after it. */
	{
		static const struct {
			const char	*name;
			int		 n;
			int64_t		 s[8];
		} want[] = {
			{ "event-monthly-31st", 7, { 1706662800, 1711846800, 1717117200,
			    1722387600, 1725066000, 1730336400, 1735606800 } },	/* 1 3 5 7 8 10 12 */
			{ "event-monthly-30th-all-day", 4, { 1706540400, 1711724400,
			    1714402800, 1716994800 } },		/* 00:00 JST of 1/30 3/30 4/30 5/30 */
			{ "event-monthly-interval-2", 3, { 1722387600, 1738285200,
			    1743382800 } },			/* 2024-07-31, 2025-01-31, 03-31 */
			{ "event-monthly-5th-wednesday", 3, { 1716944400, 1722387600,
			    1730250000 } },			/* 05-29, 07-31, 10-30 */
		};
		size_t	i;
		int	k;

		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			memset(&o, 0, sizeof(o));
			ck_assert_int_eq(proto_record_occurrences(vec_named(want[i].name), occ_cb,
			    &o), 0);
			ck_assert_msg(o.n == want[i].n, "%s: %d occurrences", want[i].name, o.n);
			for (k = 0; k < o.n; k++)
				ck_assert_msg(o.s[k] == want[i].s[k], "%s[%d]: %lld", want[i].name,
				    k, (long long)o.s[k]);
		}
		/* all day: one day, to 00:00 JST of the next */
		memset(&o, 0, sizeof(o));
		proto_record_occurrences(vec_named("event-monthly-30th-all-day"), occ_cb, &o);
		ck_assert_int_eq(o.e[0], 1706626800);
	}

	/* All day 2024-07-20 .. 07-21: 00:00 JST on the 20th to 00:00 JST on the 22nd. */
	occurrences_of("{\"event\":{\"title\":\"t\",\"category\":\"other_category\","
	    "\"when\":{\"all_day\":true,\"start\":20240720,\"end\":20240721}}}", &o);
	ck_assert_int_eq(o.n, 1);
	ck_assert_int_eq(o.s[0], 1721401200);
	ck_assert_int_eq(o.e[0], 1721574000);

	/* Dates that do not exist are refused. */
	{
		struct hb_record	*r = NULL;
		const char		*j = "{\"event\":{\"title\":\"t\",\"category\":\"father\","
		    "\"when\":{\"all_day\":true,\"start\":20230229,\"end\":20230301}}}";

		ck_assert_int_eq(proto_draft_from_json(j, strlen(j), &r, NULL, 0),
		    PROTO_ETIME);
	}
}
END_TEST

struct strs {
	char	buf[2048];
};

static int
str_cb(const char *s, void *arg)
{
	struct strs	*st = arg;

	strncat(st->buf, s, sizeof(st->buf) - strlen(st->buf) - 2);
	strcat(st->buf, "|");
	return 0;
}

START_TEST(test_terms_texts_point)
{
	struct strs	st;
	int32_t		lat, lon;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("event"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "cat=father|aud=fathers|aud=all_families|lang=ja|lang=en|");
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("place"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "tag=leisure=playground|tag=changing_table=yes|"
	    "tag=stroller=limited|");
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("volunteer"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "vkind=wanted|status=open|skill=読み聞かせ|skill=english|"
	    "area=港北区|");
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("profile"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "gkind=center|area=港北区|");
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("meeting"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "invited=" VEC_MEMBER_HEX "|");
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(vec_named("reply"), str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "meeting=" VEC_CENTER_HEX "/mtg/network-2024-07|");

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_texts(vec_named("event"), str_cb, &st), 0);
	ck_assert_ptr_nonnull(strstr(st.buf, "父親向けプログラム「パパと遊ぼう」|"));
	ck_assert_ptr_nonnull(strstr(st.buf, "|Play with Dad|"));
	ck_assert_ptr_nonnull(strstr(st.buf, "|港北区地域子育て支援拠点 2階|"));

	ck_assert_int_eq(proto_record_point(vec_named("place"), &lat, &lon), 0);
	ck_assert_int_eq(lat, 355270000);
	ck_assert_int_eq(lon, 1396290000);
	ck_assert_int_eq(proto_record_point(vec_named("tombstone"), &lat, &lon),
	    PROTO_EMISSING);
}
END_TEST

/* A match: two refs, checked like every ref; terms name both listings and the status. */
START_TEST(test_match)
{
	struct hb_record	*r = NULL;
	struct hb_identity	 id;
	struct strs		 st;
	char			 err[256];
	const char		*json = "{\"id\":\"match/1\",\"match\":{\"wanted\":{\"author\":\""
	    VEC_MEMBER_HEX "\",\"id\":\"vol/w1\"},\"offered\":{\"author\":\""
	    VEC_CENTER_HEX "\",\"id\":\"vol/o1\"},\"note\":\"土曜の午前\","
	    "\"status\":\"confirmed\"}}";

	ck_assert_msg(proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(proto_record_kind(r), HB_MATCH);
	vec_identity(&id, VEC_SEED);
	ck_assert_int_eq(proto_sign(r, &id, 9, 1717200000), 0);
	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(proto_record_terms(r, str_cb, &st), 0);
	ck_assert_str_eq(st.buf, "wanted=" VEC_MEMBER_HEX "/vol/w1|offered=" VEC_CENTER_HEX
	    "/vol/o1|status=confirmed|");
	ck_assert_str_eq(proto_kind_name(HB_MATCH), "match");
	ck_assert_int_eq(proto_kind_parse("match"), HB_MATCH);
	hb_record_free(&r);

	expect_json_error("{\"id\":\"m\",\"match\":{\"wanted\":{\"author\":\""
	    VEC_MEMBER_HEX "\",\"id\":\"../x\"},\"offered\":{\"author\":\""
	    VEC_CENTER_HEX "\",\"id\":\"o\"}}}", PROTO_EID, "match.wanted.id");
	expect_json_error("{\"id\":\"m\",\"match\":{\"wanted\":{\"author\":\"00\","
	    "\"id\":\"w\"},\"offered\":{\"author\":\"" VEC_CENTER_HEX "\",\"id\":\"o\"}}}",
	    PROTO_EKEY, "match.wanted.author");
	expect_json_error("{\"id\":\"m\",\"match\":{\"wanted\":{\"author\":\""
	    VEC_MEMBER_HEX "\",\"id\":\"w\"}}}", PROTO_EJSON, "match.offered: missing");
}
END_TEST

/* ---- sealed contact ---- */

#define VOL_DRAFT	"{\"volunteer\":{\"kind\":\"offered\",\"title\":\"読み聞かせ\"," \
	"\"status\":\"open\"}}"

/* A volunteer draft with id, sealed for center by author, signed by signer. */
static struct hb_record *
sealed_volunteer(const struct hb_identity *center, const struct hb_identity *author,
    const struct hb_identity *signer, const char *id, const char *contact)
{
	struct hb_record	*r = NULL;
	char			 err[256];

	ck_assert_int_eq(proto_draft_from_json(VOL_DRAFT, strlen(VOL_DRAFT), &r, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(proto_contact_seal(r, center->pk, author->pk, id, contact), 0);
	ck_assert_int_eq(proto_record_set_id(r, id), 0);
	ck_assert_int_eq(proto_sign(r, signer, 3, 1717200000), 0);
	return r;
}

/* The JSON of r with its id replaced and contact_self dropped, signed by signer: the
 * center's box copied into another record. */
static struct hb_record *
copy_box(const struct hb_record *r, const struct hb_identity *signer, const char *id)
{
	struct hb_record	*c = NULL;
	json_t			*j;
	char			*s, *out, err[256];

	ck_assert_ptr_nonnull(s = proto_record_to_json(r, 0));
	ck_assert_ptr_nonnull(j = json_loads(s, 0, NULL));
	json_object_set_new(j, "id", json_string(id));
	json_object_del(json_object_get(j, "volunteer"), "contact_self");
	json_object_del(j, "author");
	ck_assert_ptr_nonnull(out = json_dumps(j, 0));
	ck_assert_msg(proto_draft_from_json(out, strlen(out), &c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(proto_sign(c, signer, 7, 1717200000), 0);
	free(s);
	free(out);
	json_decref(j);
	return c;
}

START_TEST(test_contact)
{
	struct hb_identity	 center, author, other;
	struct hb_record	*r, *c, *d = NULL;
	const char		*tel = "田中 090-1234-5678", *s;
	char			*got = NULL, err[256];
	uint8_t			*buf;
	size_t			 len;

	vec_identity(&center, 10);
	vec_identity(&author, 20);
	vec_identity(&other, 30);
	r = sealed_volunteer(&center, &author, &author, "vol/o1", tel);

	/* The center and the author read it; a third group cannot. */
	ck_assert_int_eq(proto_contact_open(r, &center, &got), 0);
	ck_assert_str_eq(got, tel);
	free(got);
	ck_assert_int_eq(proto_contact_open(r, &author, &got), 0);
	ck_assert_str_eq(got, tel);
	free(got);
	ck_assert_int_eq(proto_contact_open(r, &other, &got), PROTO_ENOTREADER);
	ck_assert_ptr_null(got);
	/* The plain text is nowhere in the envelope. */
	s = (const char *)proto_record_envelope(r, &len);
	ck_assert_ptr_null(memmem(s, len, "090-1234", 8));

	/* Copied into another group's record, or another id of the same group. */
	c = copy_box(r, &other, "vol/o1");
	ck_assert_int_eq(proto_contact_open(c, &center, &got), PROTO_ESEALED);
	ck_assert_ptr_null(got);
	hb_record_free(&c);
	c = copy_box(r, &author, "vol/o2");
	ck_assert_int_eq(proto_contact_open(c, &center, &got), PROTO_ESEALED);
	ck_assert_str_eq(proto_errname(PROTO_ESEALED), "sealed-mismatch");
	ck_assert_str_eq(proto_strerror(PROTO_ESEALED),
	    "sealed data does not belong to this record");
	hb_record_free(&c);
	hb_record_free(&r);

	/* Sealed by an author other than the signer: refused too. */
	r = sealed_volunteer(&center, &other, &author, "vol/o1", tel);
	ck_assert_int_eq(proto_contact_open(r, &center, &got), PROTO_ESEALED);
	hb_record_free(&r);

	/* Refusals when sealing. */
	ck_assert_int_eq(proto_draft_from_json(VOL_DRAFT, strlen(VOL_DRAFT), &d, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "../x", tel), PROTO_EID);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "v", ""), PROTO_EMISSING);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "v", "a\nb"),
	    PROTO_EUTF8);
	ck_assert_ptr_nonnull(got = calloc(1, HB_CONTACT_MAX + 2));
	memset(got, 'x', HB_CONTACT_MAX + 1);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "v", got), PROTO_ELEN);
	memset(got + HB_CONTACT_MAX, 0, 2);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "v", got), 0);
	free(got);
	got = NULL;
	ck_assert_int_eq(proto_record_set_id(d, "w"), 0);
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "v", tel), PROTO_EID);
	/* The sealed fields survive the draft bytes the CLI sends its daemon. */
	ck_assert_int_eq(proto_contact_seal(d, center.pk, author.pk, "w", tel), 0);
	ck_assert_int_eq(proto_draft_encode(d, &buf, &len), 0);
	hb_record_free(&d);
	ck_assert_int_eq(proto_draft_decode(buf, len, &d), 0);
	free(buf);
	ck_assert_int_eq(proto_sign(d, &author, 4, 1717200000), 0);
	ck_assert_int_eq(proto_contact_open(d, &center, &got), 0);
	ck_assert_str_eq(got, tel);
	free(got);
	hb_record_free(&d);
	/* Not a volunteer, or no contact. */
	ck_assert_int_eq(proto_contact_seal(vec_named("event"), center.pk, author.pk, "v",
	    tel), PROTO_EMISSING);
	ck_assert_int_eq(proto_contact_open(vec_named("volunteer"), &center, &got),
	    PROTO_EMISSING);
}
END_TEST

/* A tombstone names the boxes it erases by digest: BLAKE2b-256 of the box bytes. */
START_TEST(test_erased)
{
	struct hb_identity	 center, author;
	struct hb_record	*r, *t;
	const uint8_t		*got[HB_ERASED_MAX];
	uint8_t			 d[2][HB_HASH_LEN], many[HB_ERASED_MAX + 1][HB_HASH_LEN];
	char			*j;
	size_t			 i;

	vec_identity(&center, 10);
	vec_identity(&author, 20);
	r = sealed_volunteer(&center, &author, &author, "vol/o1", "090-1111-2222");
	ck_assert_uint_eq(proto_record_boxes(r, d), 2);
	ck_assert_mem_ne(d[0], d[1], HB_HASH_LEN);
	ck_assert_uint_eq(proto_record_boxes(vec_named("event"), d), 0);

	t = proto_tombstone_new("vol/o1", NULL);
	ck_assert_int_eq(proto_tombstone_add_erased(t, (const uint8_t (*)[HB_HASH_LEN])d,
	    2), 0);
	ck_assert_int_eq(proto_tombstone_add_erased(t, (const uint8_t (*)[HB_HASH_LEN])d,
	    2), 0);	/* named already: not twice */
	ck_assert_int_eq(proto_sign(t, &author, 4, 1717200000), 0);
	ck_assert_uint_eq(proto_record_erased(t, got), 2);
	ck_assert_mem_eq(got[0], d[0], HB_HASH_LEN);
	ck_assert_mem_eq(got[1], d[1], HB_HASH_LEN);
	ck_assert_ptr_nonnull(j = proto_record_to_json(t, 0));
	ck_assert_ptr_nonnull(strstr(j, "\"erased\":[\""));
	free(j);
	hb_record_free(&t);

	/* At most HB_ERASED_MAX. */
	for (i = 0; i <= HB_ERASED_MAX; i++)
		memset(many[i], (int)i, HB_HASH_LEN);
	t = proto_tombstone_new("vol/o1", NULL);
	ck_assert_int_eq(proto_tombstone_add_erased(t,
	    (const uint8_t (*)[HB_HASH_LEN])many, HB_ERASED_MAX + 1), PROTO_ECOUNT);
	ck_assert_int_eq(proto_tombstone_add_erased(t,
	    (const uint8_t (*)[HB_HASH_LEN])many, HB_ERASED_MAX), 0);
	ck_assert_int_eq(proto_tombstone_add_erased(t,
	    (const uint8_t (*)[HB_HASH_LEN])many + HB_ERASED_MAX, 1), PROTO_ECOUNT);
	ck_assert_int_eq(proto_sign(t, &author, 5, 1717200000), 0);
	ck_assert_uint_eq(proto_record_erased(t, got), HB_ERASED_MAX);
	hb_record_free(&t);
	ck_assert_int_eq(proto_tombstone_add_erased(r, (const uint8_t (*)[HB_HASH_LEN])d,
	    1), PROTO_EMISSING);
	hb_record_free(&r);
}
END_TEST

/* ---- text ---- */

START_TEST(test_text)
{
	char	*s;

	s = proto_normalize("ＡＢＣ");
	ck_assert_str_eq(s, "abc");
	free(s);
	s = proto_normalize("ﾊﾟﾊﾟ");
	ck_assert_str_eq(s, "パパ");
	free(s);
	ck_assert_ptr_null(proto_normalize("\xff"));

	ck_assert(proto_utf8_valid("パパ", strlen("パパ")));
	ck_assert(!proto_utf8_valid("\xc0\xaf", 2));		/* overlong */
	ck_assert(!proto_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!proto_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert(!proto_utf8_valid("a\0b", 3));		/* NUL */
	ck_assert(!proto_utf8_valid("\xe3\x81", 2));		/* truncated */
}
END_TEST

START_TEST(test_errors)
{
	int	rc, k;

	for (rc = PROTO_ETOOBIG; rc < PROTO_ELAST; rc++) {
		ck_assert_str_ne(proto_errname(rc), "unknown");
		ck_assert_str_ne(proto_strerror(rc), "unknown error");
		for (k = PROTO_ETOOBIG; k < rc; k++)
			ck_assert_str_ne(proto_errname(rc), proto_errname(k));
	}
	ck_assert_str_eq(proto_errname(PROTO_EBADSIG), "bad-signature");
	ck_assert_str_eq(proto_strerror(ENOENT), strerror(ENOENT));
	ck_assert_str_eq(proto_kind_name(HB_VOLUNTEER), "volunteer");
	ck_assert_int_eq(proto_kind_parse("membership"), HB_MEMBERSHIP);
	ck_assert_int_eq(proto_kind_parse("nope"), HB_KIND_NONE);
}
END_TEST

/* ---- known-answer vectors: tests/vectors/records.json ---- */

static const char *
hexstr(const uint8_t *b, size_t len)
{
	static char	buf[2 * HB_ENV_MAX + 8];

	sodium_bin2hex(buf, sizeof(buf), b, len);
	return buf;
}

static int
vec_term(const char *s, void *arg)
{
	return json_array_append_new(arg, json_string(s));
}

static int
vec_occ(int64_t s, int64_t e, void *arg)
{
	return json_array_append_new(arg, json_pack("[II]", (json_int_t)s, (json_int_t)e));
}

START_TEST(test_vectors)
{
	const char		*dir = getenv("HIROBA_VECTORS");
	struct hb_identity	 id;
	struct hb_record	*r, *o;
	json_t			*root, *v, *x;
	json_error_t		 jerr;
	const uint8_t		*env;
	uint8_t			*raw;
	char			 path[512], *draft, err[256];
	size_t			 i, len, rawlen;
	int			 rc;

	snprintf(path, sizeof(path), "%s/records.json", dir != NULL ? dir :
	    HIROBA_VECTORS_DIR);
	root = json_load_file(path, 0, &jerr);
	ck_assert_msg(root != NULL, "%s: %s", path, jerr.text);
	ck_assert_int_eq(json_integer_value(json_object_get(root, "now")), VEC_NOW);
	ck_assert_str_eq(json_string_value(json_object_get(root, "domain")), HB_DOMAIN);

	json_array_foreach(json_object_get(root, "records"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *signer = json_string_value(json_object_get(v, "signer"));

		vec_identity(&id, strcmp(signer, VEC_CENTER_HEX) == 0 ? VEC_SEED :
		    VEC_SEED_OTHER);
		ck_assert_str_eq(hexstr(id.pk, HB_KEY_LEN), signer);
		draft = json_dumps(json_object_get(v, "draft"), JSON_COMPACT);
		ck_assert_msg(proto_draft_from_json(draft, strlen(draft), &r, err,
		    sizeof(err)) == 0, "%s: %s", name, err);
		free(draft);
		ck_assert_int_eq(proto_sign(r, &id,
		    (uint64_t)json_integer_value(json_object_get(v, "seq")),
		    json_integer_value(json_object_get(v, "created"))), 0);
		env = proto_record_envelope(r, &len);
		ck_assert_msg(strcmp(hexstr(env, len), json_string_value(json_object_get(v,
		    "envelope"))) == 0, "%s: envelope differs", name);
		ck_assert_str_eq(hexstr(proto_record_hash(r), HB_HASH_LEN),
		    json_string_value(json_object_get(v, "hash")));
		/* The envelope is author, signature, body: check each part is in it. */
		x = json_object_get(v, "signature");
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(v, "envelope")),
		    json_string_value(x)));
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(v, "envelope")),
		    json_string_value(json_object_get(v, "body"))));
		{
			const char	*sm = json_string_value(json_object_get(v,
			    "signed_message"));
			uint8_t		 sig[HB_SIG_LEN], *m = malloc(strlen(sm) / 2);
			size_t		 ml, sl;

			ck_assert_int_eq(sodium_hex2bin(m, strlen(sm) / 2, sm, strlen(sm), NULL,
			    &ml, NULL), 0);
			ck_assert_int_eq(sodium_hex2bin(sig, sizeof(sig), json_string_value(x),
			    128, NULL, &sl, NULL), 0);
			ck_assert_int_eq(memcmp(m, HB_DOMAIN "\0", strlen(HB_DOMAIN) + 1), 0);
			ck_assert_int_eq(crypto_sign_verify_detached(sig, m, ml, id.pk), 0);
			free(m);
		}
		ck_assert_int_eq(proto_open(env, len, VEC_NOW, &o), 0);
		/* The index material is part of the vector too. */
		x = json_array();
		ck_assert_int_eq(proto_record_terms(o, vec_term, x), 0);
		ck_assert_msg(json_equal(x, json_object_get(v, "terms")), "%s: terms", name);
		json_decref(x);
		x = json_array();
		ck_assert_int_eq(proto_record_occurrences(o, vec_occ, x), 0);
		ck_assert_msg(json_equal(x, json_object_get(v, "occurrences")), "%s: occ",
		    name);
		json_decref(x);
		hb_record_free(&o);
		hb_record_free(&r);
	}

	json_array_foreach(json_object_get(root, "reject"), i, v) {
		const char *hx = json_string_value(json_object_get(v, "envelope"));

		raw = malloc(strlen(hx) / 2 + 1);
		ck_assert_int_eq(sodium_hex2bin(raw, strlen(hx) / 2 + 1, hx, strlen(hx), NULL,
		    &rawlen, NULL), 0);
		o = NULL;
		rc = proto_open(raw, rawlen, VEC_NOW, &o);
		ck_assert_msg(strcmp(proto_errname(rc), json_string_value(json_object_get(v,
		    "error"))) == 0, "%s: got %s, want %s",
		    json_string_value(json_object_get(v, "name")), proto_errname(rc),
		    json_string_value(json_object_get(v, "error")));
		ck_assert_ptr_null(o);
		free(raw);
	}
	ck_assert_uint_ge(json_array_size(json_object_get(root, "reject")), 20);
	json_decref(root);
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc = tcase_create("proto");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_sign_open);
	tcase_add_test(tc, test_drafts);
	tcase_add_test(tc, test_altered_body);
	tcase_add_test(tc, test_altered_sig);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_sig_s_plus_l);
	tcase_add_test(tc, test_small_order);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_trailing);
	tcase_add_test(tc, test_trailing_field);
	tcase_add_test(tc, test_unknown_field);
	tcase_add_test(tc, test_duplicate_field);
	tcase_add_test(tc, test_undecodable);
	tcase_add_test(tc, test_bad_utf8);
	tcase_add_test(tc, test_overlong_utf8);
	tcase_add_test(tc, test_control_char);
	tcase_add_test(tc, test_coordinates);
	tcase_add_test(tc, test_end_before_start);
	tcase_add_test(tc, test_future);
	tcase_add_test(tc, test_before_2020);
	tcase_add_test(tc, test_unknown_enum);
	tcase_add_test(tc, test_too_many_tags);
	tcase_add_test(tc, test_bad_id);
	tcase_add_test(tc, test_seq_zero);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_no_payload);
	tcase_add_test(tc, test_member_id);
	tcase_add_test(tc, test_seq_over_max);
	tcase_add_test(tc, test_seq_bounds);
	tcase_add_test(tc, test_envelope_group);
	tcase_add_test(tc, test_group_known);
	tcase_add_test(tc, test_group_unknown);
	tcase_add_test(tc, test_wrong_wire_type);
	tcase_add_test(tc, test_unknown_fixed64);
	tcase_add_test(tc, test_packed);
	tcase_add_test(tc, test_enum_over_int32);
	tcase_add_test(tc, test_enum_negative);
	tcase_add_test(tc, test_lang_empty);
	tcase_add_test(tc, test_lang_bad_char);
	tcase_add_test(tc, test_description_cr);
	tcase_add_test(tc, test_title_del);
	tcase_add_test(tc, test_kept_admitted);
	tcase_add_test(tc, test_kept_beyond);
	tcase_add_test(tc, test_kept_ranges);
	tcase_add_test(tc, test_title_c1);
	tcase_add_test(tc, test_erased_short);
	tcase_add_test(tc, test_erased_twice);
	tcase_add_test(tc, test_key_cache);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_json_errors);
	tcase_add_test(tc, test_occurrences);
	tcase_add_test(tc, test_terms_texts_point);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_contact);
	tcase_add_test(tc, test_erased);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(proto_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
