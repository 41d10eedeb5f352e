/* SPDX-License-Identifier: ISC */
/*
 * fuzz_json: proto_draft_from_json on arbitrary text, as the CLI and the daemon read a
 * draft. A draft that parses must survive the round trip the daemon makes of it: draft
 * bytes encode and decode, it signs (after an id is given), and the envelope it signs
 * opens at its own created time to the same record and back to JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

#define NOW	1718000000

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	static struct hb_identity id;
	struct hb_record	*r = NULL, *d = NULL, *o = NULL;
	uint8_t			*buf = NULL, seed[32];
	const uint8_t		*env;
	size_t			 len, elen, i;
	char			 err[256], *json;
	int			 rc;

	if (!init) {
		if (proto_init() != 0)
			abort();
		for (i = 0; i < 32; i++)
			seed[i] = (uint8_t)i;	/* the vectors' center */
		crypto_sign_seed_keypair(id.pk, id.sk, seed);
		init = 1;
	}
	if (proto_draft_from_json((const char *)data, size, &r, err, sizeof(err)) != 0) {
		if (r != NULL || memchr(err, '\0', sizeof(err)) == NULL)
			abort();	/* no record, and a terminated reason */
		return 0;
	}
	if ((json = proto_record_to_json(r, 0)) == NULL)
		abort();
	free(json);
	if (proto_draft_encode(r, &buf, &len) != 0)
		abort();
	if (proto_draft_decode(buf, len, &d) != 0)
		abort();	/* the daemon must read back what the CLI sends */
	free(buf);
	hb_record_free(&d);
	if (proto_record_id(r) == NULL && proto_record_set_id(r, "fuzz/1") != 0)
		abort();
	rc = proto_sign(r, &id, 7, NOW);
	if (rc == 0) {
		env = proto_record_envelope(r, &elen);
		if (proto_open(env, elen, NOW, &o) != 0 ||
		    memcmp(proto_record_hash(o), proto_record_hash(r), HB_HASH_LEN) != 0)
			abort();	/* what we sign, we (and every peer) can open */
		if ((json = proto_record_to_json(o, 0)) == NULL)
			abort();
		free(json);
		hb_record_free(&o);
	}
	hb_record_free(&r);
	return 0;
}
