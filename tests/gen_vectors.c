/* SPDX-License-Identifier: ISC */
/*
 * gen_vectors.c: writes tests/vectors/records.json, the known-answer vectors of the
 * record format (PROTOCOL.md, "Test vectors"). Built as target gen_vectors, not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gen_vectors.h"

static json_t *
hex(const uint8_t *b, size_t len)
{
	char	*s = malloc(2 * len + 1);
	json_t	*v;

	sodium_bin2hex(s, 2 * len + 1, b, len);
	v = json_string(s);
	free(s);
	return v;
}

static int
add_term(const char *s, void *arg)
{
	return json_array_append_new(arg, json_string(s));
}

static int
add_occ(int64_t s, int64_t e, void *arg)
{
	return json_array_append_new(arg, json_pack("[II]", (json_int_t)s, (json_int_t)e));
}

static json_t *
key_json(uint8_t first)
{
	struct hb_identity	 id;
	uint8_t			 seed[32];
	char			 fpr[HB_FPR_LEN];
	int			 i;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	vec_identity(&id, first);
	proto_fingerprint(id.pk, fpr);
	return json_pack("{s:o,s:o,s:o,s:s}", "seed", hex(seed, 32), "public_key",
	    hex(id.pk, HB_KEY_LEN), "secret_key", hex(id.sk, HB_SK_LEN), "fingerprint", fpr);
}

int
main(int argc, char **argv)
{
	struct hb_record	*recs[VEC_NDRAFTS];
	struct vec_reject	 rej[VEC_MAXREJECT];
	struct hb_identity	 id;
	Hiroba__Envelope	*e;
	json_t			*root, *arr, *o, *terms, *occ;
	const uint8_t		*env;
	uint8_t			*m;
	size_t			 i, n, elen, dl = strlen(HB_DOMAIN);
	char			 err[256], *out;
	int			 rc;

	if (proto_init() != 0)
		return 1;
	root = json_pack("{s:s,s:s,s:I,s:[oo]}", "format", "hiroba-record-vectors-1",
	    "domain", HB_DOMAIN, "now", (json_int_t)VEC_NOW, "keys", key_json(VEC_SEED),
	    key_json(VEC_SEED_OTHER));
	arr = json_array();
	json_object_set_new(root, "records", arr);
	for (i = 0; i < VEC_NDRAFTS; i++) {
		vec_identity(&id, VEC_SIGNER(i));
		if ((rc = proto_draft_from_json(vec_drafts[i].json, strlen(vec_drafts[i].json),
		    &recs[i], err, sizeof(err))) != 0 ||
		    (rc = proto_sign(recs[i], &id, vec_drafts[i].seq, vec_drafts[i].created))
		    != 0) {
			fprintf(stderr, "%s: %s %s\n", vec_drafts[i].name, proto_strerror(rc),
			    err);
			return 1;
		}
		env = proto_record_envelope(recs[i], &elen);
		e = hiroba__envelope__unpack(NULL, elen, env);
		m = malloc(dl + 1 + HB_KEY_LEN + e->body.len);
		memcpy(m, HB_DOMAIN, dl);
		m[dl] = 0;
		memcpy(m + dl + 1, id.pk, HB_KEY_LEN);
		memcpy(m + dl + 1 + HB_KEY_LEN, e->body.data, e->body.len);
		terms = json_array();
		occ = json_array();
		proto_record_terms(recs[i], add_term, terms);
		proto_record_occurrences(recs[i], add_occ, occ);
		o = json_pack("{s:s,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		    "name", vec_drafts[i].name,
		    "signer", hex(id.pk, HB_KEY_LEN),
		    "draft", json_loads(vec_drafts[i].json, 0, NULL),
		    "seq", (json_int_t)vec_drafts[i].seq,
		    "created", (json_int_t)vec_drafts[i].created,
		    "body", hex(e->body.data, e->body.len),
		    "signed_message", hex(m, dl + 1 + HB_KEY_LEN + e->body.len),
		    "signature", hex(e->signature.data, e->signature.len),
		    "hash", hex(proto_record_hash(recs[i]), HB_HASH_LEN),
		    "envelope", hex(env, elen),
		    "terms", terms, "occurrences", occ);
		json_array_append_new(arr, o);
		free(m);
		hiroba__envelope__free_unpacked(e, NULL);
	}

	{
		const uint8_t	*ev, *pl, *ms;
		size_t		 evl, pll, msl;

		ev = proto_record_envelope(recs[0], &evl);
		pl = proto_record_envelope(recs[1], &pll);
		ms = proto_record_envelope(recs[3], &msl);
		n = vec_rejects(ev, evl, pl, pll, ms, msl, rej);
	}
	arr = json_array();
	json_object_set_new(root, "reject", arr);
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "name", rej[i].name,
		    "error", rej[i].error, "envelope", hex(rej[i].env, rej[i].len)));
		free(rej[i].env);
	}
	for (i = 0; i < VEC_NDRAFTS; i++)
		hb_record_free(&recs[i]);

	out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "w");

		if (f == NULL || fputs(out, f) == EOF || fputc('\n', f) == EOF ||
		    fclose(f) != 0) {
			perror(argv[1]);
			return 1;
		}
	} else
		puts(out);
	free(out);
	json_decref(root);
	return 0;
}
