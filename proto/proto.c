/* SPDX-License-Identifier: ISC */
/*
 * proto.c: library set-up, error names and messages, kind names, and the UTF-8 checks
 * and normalization that validation and search share.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "proto_internal.h"

static const struct {
	const char	*name;
	const char	*msg;
} proto_errs[] = {
	{ "too-big", "envelope or record body is over its size limit" },
	{ "bad-envelope", "envelope does not parse or is not canonically encoded" },
	{ "bad-key", "key is not a valid Ed25519 public key" },
	{ "bad-signature", "signature does not verify" },
	{ "bad-decode", "record body does not parse" },
	{ "non-canonical", "record body is not canonically encoded (unknown or repeated field)" },
	{ "bad-utf8", "text is not valid UTF-8 or holds control characters" },
	{ "bad-id", "record id is empty, too long, or has characters outside [A-Za-z0-9._/-]" },
	{ "bad-seq", "sequence number must be 1 .. 2^53-1" },
	{ "future", "record was created too far in the future" },
	{ "out-of-range", "a value is out of its allowed range" },
	{ "bad-time", "a time or date is invalid, ends before it starts, or spans too long" },
	{ "bad-enum", "unknown enum value" },
	{ "too-long", "a field is longer than its limit" },
	{ "too-many", "a list has too many elements, or duplicates" },
	{ "missing", "the record has no payload, or a required field is missing" },
	{ "bad-member-id", "membership id must be member/<hex key>, profile id must be profile" },
	{ "bad-json", "JSON does not match the record schema" },
	{ "bad-keyfile", "key file is malformed" },
	{ "key-permissions", "key file is readable or writable by group or others" },
	{ "no-memory", "out of memory" },
	{ "sealed-mismatch", "sealed data does not belong to this record" },
	{ "not-reader", "sealed data is not addressed to this key" },
};

int
proto_init(void)
{
	return sodium_init() < 0 ? PROTO_ENOMEM : 0;
}

const char *
proto_strerror(int rc)
{
	if (rc == 0)
		return "success";
	if (rc > 0)
		return strerror(rc);
	if (rc >= PROTO_ETOOBIG && rc < PROTO_ELAST)
		return proto_errs[rc - PROTO_ETOOBIG].msg;
	return "unknown error";
}

const char *
proto_errname(int rc)
{
	if (rc == 0)
		return "ok";
	if (rc > 0)
		return "errno";
	if (rc >= PROTO_ETOOBIG && rc < PROTO_ELAST)
		return proto_errs[rc - PROTO_ETOOBIG].name;
	return "unknown";
}

static const char *const kind_names[] = {
	"?", "profile", "event", "place", "volunteer", "meeting", "reply", "membership",
	"tombstone", "match"
};

const char *
proto_kind_name(enum hb_kind k)
{
	if ((int)k <= 0 || k > HB_KIND_MAX)
		return "?";
	return kind_names[k];
}

enum hb_kind
proto_kind_parse(const char *name)
{
	int	k;

	if (name == NULL)
		return HB_KIND_NONE;
	for (k = 1; k <= HB_KIND_MAX; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (enum hb_kind)k;
	return HB_KIND_NONE;
}

bool
proto_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 c, min;

	while (i < len) {
		c = p[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			return false;	/* continuation byte, 0xc0/0xc1 overlong, > 0xf4 */
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

char *
proto_normalize(const char *s)
{
	utf8proc_uint8_t	*out = NULL;
	utf8proc_ssize_t	 n;

	if (s == NULL || !proto_utf8_valid(s, strlen(s)))
		return NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out, UTF8PROC_NULLTERM |
	    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return (char *)out;
}
