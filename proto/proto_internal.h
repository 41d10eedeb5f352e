/* SPDX-License-Identifier: ISC */
/*
 * proto_internal.h: what the files of hb_proto share and nobody else sees: the record
 * struct, the validator and small helpers over protobuf-c's generated hiroba__* types.
 */
#ifndef HIROBA_PROTO_INTERNAL_H
#define HIROBA_PROTO_INTERNAL_H

#include "proto.h"
#include "hiroba.pb-c.h"

struct hb_record {
	Hiroba__Record	*rec;		/* owned, free with protobuf_c_message_free_unpacked */
	bool		 has_author;	/* false for a draft */
	uint8_t		 author[HB_KEY_LEN];
	uint8_t		*body;		/* signed records: the canonical Record bytes */
	size_t		 body_len;
	uint8_t		*env;		/* signed records: the canonical Envelope bytes */
	size_t		 env_len;
	uint8_t		 hash[HB_HASH_LEN];
	enum hb_kind	 kind;
};

#define HB_EPOCH_MIN	1577836800LL	/* 2020-01-01T00:00:00Z: no record is older */
#define HB_JST_OFFSET	(9 * 3600)	/* Asia/Tokyo, fixed: Japan has no DST */

/*
 * Validate a decoded record with `now` as the clock. check_id false skips the id rules
 * (a draft without an id yet). On failure, err (if not NULL) receives a one-line reason
 * naming the field. Returns 0 or a PROTO_E* code.
 */
int	 validate_record(const Hiroba__Record *r, int64_t now, bool check_id, char *err,
	    size_t errlen);
/* A record id: 1..64 bytes of [A-Za-z0-9._/-], not starting with / or ., or
 * "member/" + 64 lowercase hex digits. */
bool	 id_valid(const char *id);
/* true if the bytes are a valid, non-small-order Ed25519 public key. */
bool	 key_valid(const uint8_t *key, size_t len);
/* The record kind of a decoded record's payload. */
enum hb_kind	 kind_of(const Hiroba__Record *r);
/* A new record struct around rec (taken over, freed on failure). NULL if out of memory. */
struct hb_record *record_wrap(Hiroba__Record *rec);

/* Calendar (index.c); the day-number helpers are in proto.h, shared with the
 * daemon and the client. */
/* A YYYYMMDD date 1970..2100 that exists: true and its day number in *days. */
bool	 date_valid(int64_t ymd, int64_t *days);
/* Count a recurrence's occurrences (before exceptions), up to cap+1. */
int	 occurrences_count(const Hiroba__When *w, const Hiroba__Recurrence *rc, int cap);

#endif /* HIROBA_PROTO_INTERNAL_H */
