/*
 * json.c: records as JSON and drafts from JSON, by walking protobuf-c's descriptors,
 * so every message of the schema is covered without per-field code.
 */
#include <stdio.h>
#include <string.h>

#include "proto_internal.h"

int
proto_draft_from_json(const char *json, size_t len, struct hb_record **out, char *err,
    size_t errlen)
{
	*out = NULL;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "not implemented yet");
	return PROTO_EJSON;
}

char *
proto_record_to_json(const struct hb_record *r, int flags)
{
	return NULL;
}
