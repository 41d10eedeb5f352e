/* SPDX-License-Identifier: ISC */
/*
 * fuzz_open: proto_open on arbitrary bytes, as a daemon opens what a peer sends. An
 * envelope that opens is then walked the way the store and the CLI walk it (JSON,
 * terms, texts, occurrences, point), and its envelope bytes must open again to the
 * same hash. proto_open_verified (no signature check) runs on the same bytes so that
 * mutations of the body reach the decoder and validator without a valid signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define NOW	1718000000	/* the vectors' clock (tests/vectors/records.json) */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_str(const char *s, void *arg)
{
	*(size_t *)arg += strlen(s);
	return 0;
}

static int
count_occ(int64_t start, int64_t end, void *arg)
{
	if (end < start)
		abort();	/* an occurrence never ends before it starts */
	(*(size_t *)arg)++;
	return 0;
}

static void
walk(const struct hb_record *r)
{
	struct hb_member m;
	const uint8_t	*env, *author;
	const char	*id;
	char		*json;
	size_t		 n = 0, len;
	int32_t		 lat, lon;
	struct hb_record *again = NULL;

	if ((json = proto_record_to_json(r, PROTO_JSON_PRETTY)) == NULL)
		abort();
	free(json);
	proto_record_terms(r, count_str, &n);
	proto_record_texts(r, count_str, &n);
	n = 0;
	proto_record_occurrences(r, count_occ, &n);
	if (n > HB_OCC_MAX)
		abort();
	proto_record_point(r, &lat, &lon);
	proto_record_membership(r, &m);
	proto_record_reply_to(r, &author, &id);
	(void)proto_record_title(r);
	(void)proto_kind_name(proto_record_kind(r));
	env = proto_record_envelope(r, &len);
	if (env == NULL || proto_open_verified(env, len, NOW, &again) != 0 ||
	    memcmp(proto_record_hash(again), proto_record_hash(r), HB_HASH_LEN) != 0)
		abort();	/* what opened once opens again, to the same record */
	hb_record_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct hb_record	*r = NULL;

	if (!init) {
		if (proto_init() != 0)
			abort();
		init = 1;
	}
	if (proto_open(data, size, NOW, &r) == 0) {
		walk(r);
		hb_record_free(&r);
	} else if (r != NULL) {
		abort();	/* *out is NULL on failure */
	}
	(void)proto_verify(data, size);
	if (proto_open_verified(data, size, NOW, &r) == 0) {
		walk(r);
		hb_record_free(&r);
	}
	if (proto_draft_decode(data, size, &r) == 0)
		hb_record_free(&r);
	return 0;
}
