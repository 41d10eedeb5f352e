/* SPDX-License-Identifier: ISC */
/*
 * json.c: records as JSON and drafts from JSON, by walking protobuf-c's descriptors,
 * so every message of the schema is covered without per-field code.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "proto_internal.h"

struct jctx {
	char	*err;
	size_t	 errlen;
};

static void pathf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A field path for messages; a path too long for the buffer is cut, not an error. */
static void
pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int jfail(struct jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
jfail(struct jctx *j, const char *fmt, ...)
{
	va_list	ap;

	if (j->err != NULL && j->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(j->err, j->errlen, fmt, ap);
		va_end(ap);
	}
	return PROTO_EJSON;
}

/* Lower-case enum names: "PLAY_SPACE" is "play_space" in JSON. */
static const ProtobufCEnumValue *
enum_by_lower(const ProtobufCEnumDescriptor *d, const char *s)
{
	unsigned	 i;
	const char	*a, *b;

	for (i = 0; i < d->n_values; i++) {
		for (a = d->values[i].name, b = s; *a != '\0' && *b != '\0'; a++, b++)
			if ((*a >= 'A' && *a <= 'Z' ? *a + 32 : *a) != *b)
				break;
		if (*a == '\0' && *b == '\0')
			return &d->values[i];
	}
	return NULL;
}

static size_t
elem_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return 4;
	}
}

static int msg_from_json(struct jctx *j, const ProtobufCMessageDescriptor *d, json_t *obj,
    const char *path, ProtobufCMessage **out);

/* One value of field f from v, into dst (the member, or one element of its array). */
static int
value_from_json(struct jctx *j, const ProtobufCFieldDescriptor *f, json_t *v, void *dst,
    const char *path)
{
	const ProtobufCEnumValue	*ev;
	ProtobufCBinaryData		*bd;
	const char			*s;
	json_int_t			 n;
	size_t				 slen, binlen;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (!json_is_integer(v))
			return jfail(j, "%s: expected an integer", path);
		n = json_integer_value(v);
		switch (f->type) {
		case PROTOBUF_C_TYPE_INT32:
		case PROTOBUF_C_TYPE_SINT32:
		case PROTOBUF_C_TYPE_SFIXED32:
			if (n < INT32_MIN || n > INT32_MAX)
				return jfail(j, "%s: integer out of range", path);
			*(int32_t *)dst = (int32_t)n;
			break;
		case PROTOBUF_C_TYPE_UINT32:
		case PROTOBUF_C_TYPE_FIXED32:
			if (n < 0 || n > (json_int_t)UINT32_MAX)
				return jfail(j, "%s: integer out of range", path);
			*(uint32_t *)dst = (uint32_t)n;
			break;
		case PROTOBUF_C_TYPE_UINT64:
		case PROTOBUF_C_TYPE_FIXED64:
			if (n < 0)
				return jfail(j, "%s: integer out of range", path);
			*(uint64_t *)dst = (uint64_t)n;
			break;
		default:
			*(int64_t *)dst = (int64_t)n;
			break;
		}
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return jfail(j, "%s: expected true or false", path);
		*(protobuf_c_boolean *)dst = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		if (!json_is_string(v))
			return jfail(j, "%s: expected a name", path);
		if ((ev = enum_by_lower(f->descriptor, json_string_value(v))) == NULL)
			return jfail(j, "%s: unknown value \"%s\"", path, json_string_value(v));
		*(int *)dst = ev->value;
		return 0;
	case PROTOBUF_C_TYPE_STRING:
		if (!json_is_string(v))
			return jfail(j, "%s: expected a string", path);
		if ((*(char **)dst = strdup(json_string_value(v))) == NULL)
			return PROTO_ENOMEM;
		return 0;
	case PROTOBUF_C_TYPE_BYTES:
		if (!json_is_string(v))
			return jfail(j, "%s: expected a hex string", path);
		s = json_string_value(v);
		slen = json_string_length(v);
		bd = dst;
		if (slen % 2 != 0)
			return jfail(j, "%s: expected a hex string", path);
		if ((bd->data = malloc(slen / 2 + 1)) == NULL)
			return PROTO_ENOMEM;
		if (sodium_hex2bin(bd->data, slen / 2 + 1, s, slen, NULL, &binlen, NULL) != 0 ||
		    binlen != slen / 2)
			return jfail(j, "%s: expected a hex string", path);
		bd->len = binlen;
		return 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return msg_from_json(j, f->descriptor, v, path, (ProtobufCMessage **)dst);
	default:
		return jfail(j, "%s: unsupported field type", path);
	}
}

static int
field_from_json(struct jctx *j, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
    json_t *v, const char *path)
{
	char	*base = (char *)m, sub[192], *arr;
	size_t	 i, n, *count;
	int	 rc;

	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		if ((rc = value_from_json(j, f, v, base + f->offset, path)) != 0)
			return rc;
		if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
		    f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
		return 0;
	}
	if (!json_is_array(v))
		return jfail(j, "%s: expected an array", path);
	if ((n = json_array_size(v)) == 0)
		return 0;
	if ((arr = calloc(n, elem_size(f))) == NULL)
		return PROTO_ENOMEM;
	*(void **)(base + f->offset) = arr;
	/* Count each element before filling it: a zeroed element frees as nothing. */
	count = (size_t *)(base + f->quantifier_offset);
	for (i = 0; i < n; i++) {
		pathf(sub, sizeof(sub), "%s[%zu]", path, i);
		*count = i + 1;
		rc = value_from_json(j, f, json_array_get(v, i), arr + i * elem_size(f), sub);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
msg_from_json(struct jctx *j, const ProtobufCMessageDescriptor *d, json_t *obj,
    const char *path, ProtobufCMessage **out)
{
	const ProtobufCFieldDescriptor	*f;
	ProtobufCMessage		*m = NULL;
	const char			*key;
	json_t				*v;
	char				 sub[192];
	unsigned			 i;
	int				 rc;

	*out = NULL;
	if (!json_is_object(obj))
		return jfail(j, "%s: expected an object", path);
	if ((m = calloc(1, d->sizeof_message)) == NULL)
		return PROTO_ENOMEM;
	protobuf_c_message_init(d, m);
	*out = m;	/* the caller frees it, complete or not */
	json_object_foreach(obj, key, v) {
		pathf(sub, sizeof(sub), "%s.%s", path, key);
		if ((f = protobuf_c_message_descriptor_get_field_by_name(d, key)) == NULL ||
		    (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			return jfail(j, "%s: unknown field", sub);
		if ((rc = field_from_json(j, m, f, v, sub)) != 0)
			return rc;
	}
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->label == PROTOBUF_C_LABEL_REQUIRED && json_object_get(obj, f->name) == NULL)
			return jfail(j, "%s.%s: missing", path, f->name);
	}
	return 0;
}

int
proto_draft_from_json(const char *json, size_t len, struct hb_record **out, char *err,
    size_t errlen)
{
	struct jctx			 j = { err, errlen };
	const ProtobufCFieldDescriptor	*f, *payload = NULL;
	Hiroba__Record			*rec = NULL;
	ProtobufCMessage		*sub = NULL;
	json_t				*root = NULL, *v, *kind = NULL, *jid = NULL;
	json_error_t			 jerr;
	const char			*key;
	char				 mid[HB_ID_MAX + 1];
	int64_t				 now;
	int				 rc = PROTO_ENOMEM;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		goto out;
	hiroba__record__init(rec);
	if ((root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		rc = jfail(&j, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = jfail(&j, "expected a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "author") == 0 || strcmp(key, "seq") == 0 ||
		    strcmp(key, "created") == 0 || strcmp(key, "hash") == 0)
			continue;	/* written by proto_record_to_json, set by signing */
		if (strcmp(key, "kind") == 0) {
			kind = v;
			continue;
		}
		if (strcmp(key, "id") == 0) {
			if (!json_is_string(v)) {
				rc = jfail(&j, "id: expected a string");
				goto out;
			}
			jid = v;
			continue;
		}
		if (strcmp(key, "expires") == 0) {
			if (!json_is_integer(v)) {
				rc = jfail(&j, "expires: expected an integer");
				goto out;
			}
			rec->has_expires = 1;
			rec->expires = json_integer_value(v);
			continue;
		}
		f = protobuf_c_message_descriptor_get_field_by_name(&hiroba__record__descriptor,
		    key);
		if (f == NULL || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
			rc = jfail(&j, "%s: unknown field", key);
			goto out;
		}
		if (payload != NULL) {
			rc = jfail(&j, "%s: a record has one payload, and it is %s", key,
			    payload->name);
			goto out;
		}
		payload = f;
		rc = msg_from_json(&j, f->descriptor, v, key, &sub);
		/* Hand the payload to the record first, so one free releases both. */
		rec->body_case = (Hiroba__Record__BodyCase)f->id;
		*(ProtobufCMessage **)((char *)rec + f->offset) = sub;
		sub = NULL;
		if (rc != 0)
			goto out;
	}
	if (payload == NULL) {
		rc = jfail(&j, "no payload: one of profile, event, place, volunteer, "
		    "meeting, reply, membership, tombstone, match");
		goto out;
	}
	if (kind != NULL && (!json_is_string(kind) ||
	    strcmp(json_string_value(kind), payload->name) != 0)) {
		rc = jfail(&j, "kind: does not match the payload %s", payload->name);
		goto out;
	}
	/* The two kinds whose id is fixed get it without asking. */
	if (jid != NULL)
		key = json_string_value(jid);
	else if (rec->body_case == HIROBA__RECORD__BODY_PROFILE)
		key = "profile";
	else if (rec->body_case == HIROBA__RECORD__BODY_MEMBERSHIP &&
	    rec->membership->key.len == HB_KEY_LEN) {
		memcpy(mid, "member/", 7);
		proto_key_hex(rec->membership->key.data, mid + 7);
		key = mid;
	} else
		key = "";
	rc = PROTO_ENOMEM;
	if ((rec->id = strdup(key)) == NULL)
		goto out;

	/* Validate now with placeholder header values, so a bad draft fails early. */
	now = (int64_t)time(NULL);
	rec->seq = 1;
	rec->created = now;
	rc = validate_record(rec, now, *rec->id != '\0', err, errlen);
	rec->seq = 0;
	rec->created = 0;
	if (rc != 0)
		goto out;
	rc = PROTO_ENOMEM;
	if ((*out = record_wrap(rec)) == NULL) {
		rec = NULL;	/* record_wrap freed it */
		goto out;
	}
	rec = NULL;
	rc = 0;
out:
	if (rec != NULL)
		protobuf_c_message_free_unpacked(&rec->base, NULL);
	json_decref(root);
	return rc;
}

/* ---- to JSON ---- */

static json_t	*msg_to_json(const ProtobufCMessage *m);

static json_t *
hex_json(const uint8_t *b, size_t len)
{
	json_t	*v;
	char	*s;

	if ((s = malloc(2 * len + 1)) == NULL)
		return NULL;
	sodium_bin2hex(s, 2 * len + 1, b, len);
	v = json_string(s);
	free(s);
	return v;
}

static json_t *
value_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
	const ProtobufCEnumValue	*ev;
	const ProtobufCBinaryData	*bd;
	char				 buf[64];
	size_t				 i;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return json_integer((json_int_t)*(const uint64_t *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM:
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
		if (ev == NULL)
			return json_integer(*(const int *)p);
		for (i = 0; ev->name[i] != '\0' && i + 1 < sizeof(buf); i++)
			buf[i] = ev->name[i] >= 'A' && ev->name[i] <= 'Z' ?
			    (char)(ev->name[i] + 32) : ev->name[i];
		buf[i] = '\0';
		return json_string(buf);
	case PROTOBUF_C_TYPE_STRING:
		return json_string(*(char *const *)p);
	case PROTOBUF_C_TYPE_BYTES:
		bd = p;
		return hex_json(bd->data, bd->len);
	case PROTOBUF_C_TYPE_MESSAGE:
		return msg_to_json(*(ProtobufCMessage *const *)p);
	default:
		return NULL;
	}
}

static json_t *
msg_to_json(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*base = (const char *)m, *arr;
	json_t					*obj = NULL, *a, *v;
	unsigned				 i;
	size_t					 j, n;

	if ((obj = json_object()) == NULL)
		return NULL;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			if ((n = *(const size_t *)(base + f->quantifier_offset)) == 0)
				continue;
			if ((a = json_array()) == NULL ||
			    json_object_set_new(obj, f->name, a) != 0)
				goto fail;
			arr = *(const char *const *)(base + f->offset);
			for (j = 0; j < n; j++)
				if ((v = value_to_json(f, arr + j * elem_size(f))) == NULL ||
				    json_array_append_new(a, v) != 0)
					goto fail;
			continue;
		}
		if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
			if (f->type == PROTOBUF_C_TYPE_STRING ||
			    f->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (*(const void *const *)(base + f->offset) == NULL)
					continue;
			} else if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset))
				continue;
		}
		if ((v = value_to_json(f, base + f->offset)) == NULL ||
		    json_object_set_new(obj, f->name, v) != 0)
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

char *
proto_record_to_json(const struct hb_record *r, int flags)
{
	const ProtobufCFieldDescriptor	*f;
	const Hiroba__Record		*rec = r->rec;
	json_t				*obj = NULL, *v;
	char				*s = NULL;
	char				 hex[HB_KEYHEX_LEN];
	bool				 ok = true;

	if (rec == NULL || (obj = json_object()) == NULL)
		goto out;
	if (r->has_author) {
		proto_key_hex(r->author, hex);
		ok = ok && json_object_set_new(obj, "author", json_string(hex)) == 0;
	}
	if (rec->id != NULL && *rec->id != '\0')
		ok = ok && json_object_set_new(obj, "id", json_string(rec->id)) == 0;
	if (r->has_author) {
		ok = ok && json_object_set_new(obj, "seq",
		    json_integer((json_int_t)rec->seq)) == 0;
		ok = ok && json_object_set_new(obj, "created",
		    json_integer(rec->created)) == 0;
	}
	if (rec->has_expires)
		ok = ok && json_object_set_new(obj, "expires", json_integer(rec->expires)) == 0;
	if (r->kind != HB_KIND_NONE)
		ok = ok && json_object_set_new(obj, "kind",
		    json_string(proto_kind_name(r->kind))) == 0;
	if (r->has_author) {
		sodium_bin2hex(hex, sizeof(hex), r->hash, HB_HASH_LEN);
		ok = ok && json_object_set_new(obj, "hash", json_string(hex)) == 0;
	}
	if (!ok)
		goto out;
	f = protobuf_c_message_descriptor_get_field(&hiroba__record__descriptor,
	    rec->body_case);
	if (f != NULL && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
		if ((v = msg_to_json(*(ProtobufCMessage *const *)((const char *)rec +
		    f->offset))) == NULL || json_object_set_new(obj, f->name, v) != 0)
			goto out;
	}
	s = json_dumps(obj, JSON_PRESERVE_ORDER | ((flags & PROTO_JSON_PRETTY) ?
	    JSON_INDENT(2) : JSON_COMPACT));
out:
	json_decref(obj);
	return s;
}
