/* SPDX-License-Identifier: ISC */
/*
 * record.c: the envelope. Opening one received from anyone (size, parse, key, signature,
 * canonical body, validation, in that order), signing drafts, and the accessors.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_internal.h"

#define DOMAIN_LEN	(sizeof(HB_DOMAIN) - 1)
#define SIGNED_HDR	(DOMAIN_LEN + 1 + HB_KEY_LEN)

static void
record_clear(struct hb_record *r)
{
	if (r->rec != NULL)
		protobuf_c_message_free_unpacked(&r->rec->base, NULL);
	free(r->body);
	free(r->env);
	memset(r, 0, sizeof(*r));
}

void
hb_record_free(struct hb_record **r)
{
	if (r == NULL || *r == NULL)
		return;
	record_clear(*r);
	free(*r);
	*r = NULL;
}

enum hb_kind
kind_of(const Hiroba__Record *r)
{
	switch (r->body_case) {
	case HIROBA__RECORD__BODY_PROFILE:
		return HB_PROFILE;
	case HIROBA__RECORD__BODY_EVENT:
		return HB_EVENT;
	case HIROBA__RECORD__BODY_PLACE:
		return HB_PLACE;
	case HIROBA__RECORD__BODY_VOLUNTEER:
		return HB_VOLUNTEER;
	case HIROBA__RECORD__BODY_MEETING:
		return HB_MEETING;
	case HIROBA__RECORD__BODY_REPLY:
		return HB_REPLY;
	case HIROBA__RECORD__BODY_MEMBERSHIP:
		return HB_MEMBERSHIP;
	case HIROBA__RECORD__BODY_TOMBSTONE:
		return HB_TOMBSTONE;
	case HIROBA__RECORD__BODY_MATCH:
		return HB_MATCH;
	default:
		return HB_KIND_NONE;
	}
}

struct hb_record *
record_wrap(Hiroba__Record *rec)
{
	struct hb_record	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		protobuf_c_message_free_unpacked(&rec->base, NULL);
		return NULL;
	}
	r->rec = rec;
	r->kind = kind_of(rec);
	return r;
}

/* "hiroba-record-v1" 0x00 author body, malloc'd. */
static uint8_t *
signed_message(const uint8_t *author, const uint8_t *body, size_t blen, size_t *mlen)
{
	uint8_t	*m;

	if ((m = malloc(SIGNED_HDR + blen + 1)) == NULL)
		return NULL;
	memcpy(m, HB_DOMAIN, DOMAIN_LEN);
	m[DOMAIN_LEN] = 0x00;
	memcpy(m + DOMAIN_LEN + 1, author, HB_KEY_LEN);
	if (blen > 0)
		memcpy(m + SIGNED_HDR, body, blen);
	*mlen = SIGNED_HDR + blen;
	return m;
}

/* Unknown fields anywhere in the tree: protobuf-c would pack them back. */
static bool
has_unknown(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*base = (const char *)m;
	unsigned				 i;
	size_t					 j, n;

	if (m->n_unknown_fields != 0)
		return true;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(base + f->quantifier_offset);
			for (j = 0; j < n; j++)
				if (has_unknown((*(ProtobufCMessage *const *const *)(base +
				    f->offset))[j]))
					return true;
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (*(ProtobufCMessage *const *)(base + f->offset) != NULL &&
		    has_unknown(*(ProtobufCMessage *const *)(base + f->offset)))
			return true;
	}
	return false;
}

/* Pack m and compare with the bytes it was unpacked from. */
static int
repacks_to(const ProtobufCMessage *m, const uint8_t *buf, size_t len, bool *same)
{
	uint8_t	*out = NULL;
	size_t	 n;

	*same = false;
	if ((n = protobuf_c_message_get_packed_size(m)) != len)
		return 0;
	if ((out = malloc(n + 1)) == NULL)
		return PROTO_ENOMEM;
	protobuf_c_message_pack(m, out);
	*same = len == 0 || memcmp(out, buf, len) == 0;
	free(out);
	return 0;
}

/*
 * Author keys that passed key_valid. Its subgroup check costs about as much as the
 * signature check itself, and a federation has only tens of authors, so each is checked
 * once. Only keys that passed are kept: an invalid or small-order key is checked (and
 * refused) every time. proto_verify runs in several threads at once, hence the mutex; a
 * slot holds a whole key, compared in full, so a collision only costs a new check.
 */
#define KEYCACHE_SETS	64
#define KEYCACHE_WAYS	4
static struct {
	uint8_t		key[KEYCACHE_WAYS][HB_KEY_LEN];
	uint8_t		used;	/* ways filled */
	uint8_t		next;	/* way to replace when full */
} keycache[KEYCACHE_SETS];
static pthread_mutex_t	keycache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
key_valid_cached(const uint8_t *key, size_t len)
{
	unsigned	 set, w;
	bool		 hit = false;

	if (key == NULL || len != HB_KEY_LEN)
		return false;
	/* The low bytes of a point's y coordinate are as good as random. */
	set = ((unsigned)key[0] | (unsigned)key[1] << 8) % KEYCACHE_SETS;
	pthread_mutex_lock(&keycache_lock);
	for (w = 0; w < keycache[set].used && !hit; w++)
		hit = memcmp(keycache[set].key[w], key, HB_KEY_LEN) == 0;
	pthread_mutex_unlock(&keycache_lock);
	if (hit)
		return true;
	if (!key_valid(key, len))
		return false;
	pthread_mutex_lock(&keycache_lock);
	for (w = 0; w < keycache[set].used; w++)
		if (memcmp(keycache[set].key[w], key, HB_KEY_LEN) == 0)
			break;	/* another thread added it meanwhile */
	if (w == keycache[set].used) {
		if (keycache[set].used < KEYCACHE_WAYS)
			w = keycache[set].used++;
		else {
			w = keycache[set].next;
			keycache[set].next = (uint8_t)((w + 1) % KEYCACHE_WAYS);
		}
		memcpy(keycache[set].key[w], key, HB_KEY_LEN);
	}
	pthread_mutex_unlock(&keycache_lock);
	return true;
}

/* Size cap, parse, canonical form, and (check_key) the author key. *out is the caller's
 * on success. */
static int
envelope_parse(const uint8_t *env, size_t len, bool check_key, Hiroba__Envelope **out)
{
	Hiroba__Envelope	*e = NULL;
	bool			 same;
	int			 rc = PROTO_ETOOBIG;

	*out = NULL;
	if (len > HB_ENV_MAX)
		goto out;
	rc = PROTO_EENVELOPE;
	if (env == NULL || (e = hiroba__envelope__unpack(NULL, len, env)) == NULL)
		goto out;
	if (e->base.n_unknown_fields != 0)
		goto out;
	if ((rc = repacks_to(&e->base, env, len, &same)) != 0)
		goto out;
	rc = PROTO_EENVELOPE;
	if (!same)
		goto out;
	rc = PROTO_EKEY;
	if (e->author.len != HB_KEY_LEN ||
	    (check_key && !key_valid_cached(e->author.data, e->author.len)))
		goto out;
	*out = e;
	e = NULL;
	rc = 0;
out:
	if (e != NULL)
		hiroba__envelope__free_unpacked(e, NULL);
	return rc;
}

static int
envelope_check_sig(const Hiroba__Envelope *e)
{
	uint8_t	*m = NULL;
	size_t	 mlen = 0;
	int	 rc = PROTO_EBADSIG;

	if (e->signature.len != HB_SIG_LEN)
		goto out;
	rc = PROTO_ENOMEM;
	if ((m = signed_message(e->author.data, e->body.data, e->body.len, &mlen)) == NULL)
		goto out;
	rc = PROTO_EBADSIG;
	if (crypto_sign_verify_detached(e->signature.data, m, mlen, e->author.data) != 0)
		goto out;
	rc = 0;
out:
	free(m);
	return rc;
}

int
proto_verify(const uint8_t *env, size_t len)
{
	Hiroba__Envelope	*e = NULL;
	int			 rc;

	if ((rc = envelope_parse(env, len, true, &e)) != 0)
		goto out;
	rc = envelope_check_sig(e);
out:
	if (e != NULL)
		hiroba__envelope__free_unpacked(e, NULL);
	return rc;
}

static int
open_common(const uint8_t *env, size_t len, int64_t now, bool check_sig,
    struct hb_record **out)
{
	Hiroba__Envelope	*e = NULL;
	Hiroba__Record		*rec = NULL;
	struct hb_record	*r = NULL;
	uint8_t			*m = NULL;
	size_t			 mlen = 0;
	bool			 same;
	int			 rc;

	*out = NULL;
	/* The key check is part of the cryptographic check (proto_verify): a full
	 * subgroup check costs about as much as a signature check, so it is not repeated
	 * for envelopes already verified. */
	if ((rc = envelope_parse(env, len, check_sig, &e)) != 0)
		goto out;
	if (check_sig && (rc = envelope_check_sig(e)) != 0)
		goto out;
	rc = PROTO_ETOOBIG;
	if (e->body.len > HB_BODY_MAX)
		goto out;
	rc = PROTO_EDECODE;
	if ((rec = hiroba__record__unpack(NULL, e->body.len, e->body.data)) == NULL)
		goto out;
	rc = PROTO_ENONCANON;
	if (has_unknown(&rec->base))
		goto out;
	if ((rc = repacks_to(&rec->base, e->body.data, e->body.len, &same)) != 0)
		goto out;
	rc = PROTO_ENONCANON;
	if (!same)
		goto out;
	if ((rc = validate_record(rec, now, true, NULL, 0)) != 0)
		goto out;

	rc = PROTO_ENOMEM;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	r->rec = rec;
	rec = NULL;
	r->kind = kind_of(r->rec);
	r->has_author = true;
	memcpy(r->author, e->author.data, HB_KEY_LEN);
	if ((r->body = malloc(e->body.len + 1)) == NULL ||
	    (r->env = malloc(len)) == NULL)
		goto out;
	if (e->body.len > 0)
		memcpy(r->body, e->body.data, e->body.len);
	r->body_len = e->body.len;
	memcpy(r->env, env, len);
	r->env_len = len;
	if ((m = signed_message(r->author, r->body, r->body_len, &mlen)) == NULL)
		goto out;
	crypto_generichash(r->hash, HB_HASH_LEN, m, mlen, NULL, 0);
	*out = r;
	r = NULL;
	rc = 0;
out:
	free(m);
	hb_record_free(&r);
	if (rec != NULL)
		hiroba__record__free_unpacked(rec, NULL);
	if (e != NULL)
		hiroba__envelope__free_unpacked(e, NULL);
	return rc;
}

int
proto_open(const uint8_t *env, size_t len, int64_t now, struct hb_record **out)
{
	return open_common(env, len, now, true, out);
}

int
proto_open_verified(const uint8_t *env, size_t len, int64_t now, struct hb_record **out)
{
	return open_common(env, len, now, false, out);
}

int
proto_sign(struct hb_record *r, const struct hb_identity *id, uint64_t seq,
    int64_t created)
{
	Hiroba__Envelope	 e = HIROBA__ENVELOPE__INIT;
	struct hb_record	*nr = NULL;
	uint8_t			*body = NULL, *m = NULL, *env = NULL;
	uint8_t			 sig[HB_SIG_LEN];
	uint64_t		 oseq;
	int64_t			 ocreated;
	size_t			 blen, mlen = 0, elen;
	int			 rc = PROTO_EMISSING;

	if (r == NULL || r->rec == NULL)
		return PROTO_EMISSING;
	oseq = r->rec->seq;
	ocreated = r->rec->created;
	r->rec->seq = seq;
	r->rec->created = created;
	if ((rc = validate_record(r->rec, created, true, NULL, 0)) != 0)
		goto out;
	rc = PROTO_ETOOBIG;
	if ((blen = hiroba__record__get_packed_size(r->rec)) > HB_BODY_MAX)
		goto out;
	rc = PROTO_ENOMEM;
	if ((body = malloc(blen + 1)) == NULL)
		goto out;
	hiroba__record__pack(r->rec, body);
	if ((m = signed_message(id->pk, body, blen, &mlen)) == NULL)
		goto out;
	crypto_sign_detached(sig, NULL, m, mlen, id->sk);

	e.author.data = (uint8_t *)id->pk;
	e.author.len = HB_KEY_LEN;
	e.signature.data = sig;
	e.signature.len = HB_SIG_LEN;
	e.body.data = body;
	e.body.len = blen;
	elen = hiroba__envelope__get_packed_size(&e);
	rc = PROTO_ETOOBIG;
	if (elen > HB_ENV_MAX)
		goto out;
	rc = PROTO_ENOMEM;
	if ((env = malloc(elen)) == NULL)
		goto out;
	hiroba__envelope__pack(&e, env);
	/* Re-open what we made, so a signed record is exactly what proto_open returns. */
	if ((rc = open_common(env, elen, created, false, &nr)) != 0)
		goto out;
	record_clear(r);
	*r = *nr;
	free(nr);
	nr = NULL;
out:
	if (rc != 0) {
		r->rec->seq = oseq;
		r->rec->created = ocreated;
	}
	free(body);
	free(m);
	free(env);
	sodium_memzero(sig, sizeof(sig));
	return rc;
}

/* ---- drafts ---- */

int
proto_draft_encode(const struct hb_record *r, uint8_t **buf, size_t *len)
{
	Hiroba__Record	 copy;
	uint8_t		*b = NULL;
	size_t		 n;
	int		 rc = PROTO_EMISSING;

	*buf = NULL;
	*len = 0;
	if (r == NULL || r->rec == NULL)
		goto out;
	/* A shallow copy: the same payload with the draft's zero seq and created. */
	copy = *r->rec;
	copy.seq = 0;
	copy.created = 0;
	n = hiroba__record__get_packed_size(&copy);
	rc = PROTO_ETOOBIG;
	if (n > HB_BODY_MAX)
		goto out;
	rc = PROTO_ENOMEM;
	if ((b = malloc(n + 1)) == NULL)
		goto out;
	hiroba__record__pack(&copy, b);
	*buf = b;
	*len = n;
	rc = 0;
out:
	return rc;
}

int
proto_draft_decode(const uint8_t *buf, size_t len, struct hb_record **out)
{
	Hiroba__Record	*rec;
	int		 rc = PROTO_ETOOBIG;

	*out = NULL;
	if (len > HB_BODY_MAX)
		goto out;
	rc = PROTO_EDECODE;
	if (buf == NULL || (rec = hiroba__record__unpack(NULL, len, buf)) == NULL)
		goto out;
	rc = PROTO_ENOMEM;
	if ((*out = record_wrap(rec)) == NULL)
		goto out;
	rc = 0;
out:
	return rc;
}

int
proto_record_set_id(struct hb_record *r, const char *id)
{
	char	*dup;

	if (r == NULL || r->rec == NULL || !id_valid(id))
		return PROTO_EID;
	if ((dup = strdup(id)) == NULL)
		return PROTO_ENOMEM;
	free(r->rec->id);
	r->rec->id = dup;
	/* A changed record is a draft again until it is signed. */
	if (r->has_author) {
		r->has_author = false;
		memset(r->author, 0, sizeof(r->author));
		free(r->body);
		free(r->env);
		r->body = r->env = NULL;
		r->body_len = r->env_len = 0;
		memset(r->hash, 0, sizeof(r->hash));
	}
	return 0;
}

/* Pack a record built on the stack and unpack it: the result owns all its memory. */
static struct hb_record *
record_from_stack(const Hiroba__Record *rec)
{
	Hiroba__Record	*copy = NULL;
	uint8_t		*buf;
	size_t		 n;

	n = hiroba__record__get_packed_size(rec);
	if ((buf = malloc(n + 1)) == NULL)
		return NULL;
	hiroba__record__pack(rec, buf);
	copy = hiroba__record__unpack(NULL, n, buf);
	free(buf);
	return copy == NULL ? NULL : record_wrap(copy);
}

struct hb_record *
proto_tombstone_new(const char *id, const char *reason)
{
	Hiroba__Record		rec = HIROBA__RECORD__INIT;
	Hiroba__Tombstone	ts = HIROBA__TOMBSTONE__INIT;

	if (!id_valid(id))
		return NULL;
	rec.id = (char *)id;
	ts.reason = (char *)reason;
	rec.body_case = HIROBA__RECORD__BODY_TOMBSTONE;
	rec.tombstone = &ts;
	return record_from_stack(&rec);
}

struct hb_record *
proto_membership_new(const uint8_t key[HB_KEY_LEN], int role, int status,
    const char *name, int group_kind, uint64_t valid_until_seq)
{
	Hiroba__Record		rec = HIROBA__RECORD__INIT;
	Hiroba__Membership	ms = HIROBA__MEMBERSHIP__INIT;
	char			id[sizeof("member/") + 2 * HB_KEY_LEN];

	memcpy(id, "member/", 7);
	proto_key_hex(key, id + 7);
	rec.id = id;
	rec.body_case = HIROBA__RECORD__BODY_MEMBERSHIP;
	rec.membership = &ms;
	ms.key.data = (uint8_t *)key;
	ms.key.len = HB_KEY_LEN;
	ms.role = (Hiroba__Role)role;
	ms.status = (Hiroba__MemberStatus)status;
	ms.name = (char *)name;
	if (group_kind != 0) {
		ms.has_kind = 1;
		ms.kind = (Hiroba__GroupKind)group_kind;
	}
	if (valid_until_seq != 0) {
		ms.has_valid_until_seq = 1;
		ms.valid_until_seq = valid_until_seq;
	}
	return record_from_stack(&rec);
}

/* ---- accessors ---- */

enum hb_kind
proto_record_kind(const struct hb_record *r)
{
	return r->kind;
}

const uint8_t *
proto_record_author(const struct hb_record *r)
{
	return r->has_author ? r->author : NULL;
}

const char *
proto_record_id(const struct hb_record *r)
{
	return r->rec != NULL && r->rec->id != NULL && r->rec->id[0] != '\0' ?
	    r->rec->id : NULL;
}

uint64_t
proto_record_seq(const struct hb_record *r)
{
	return r->rec != NULL ? r->rec->seq : 0;
}

int64_t
proto_record_created(const struct hb_record *r)
{
	return r->rec != NULL ? r->rec->created : 0;
}

int64_t
proto_record_expires(const struct hb_record *r)
{
	return r->rec != NULL && r->rec->has_expires ? r->rec->expires : 0;
}

static bool
pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t	x = 0;
	unsigned	shift;
	uint8_t		b;

	for (shift = 0; *p < end && shift < 64; shift += 7) {
		b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* One protobuf field at *p: its number, and its varint value (*data NULL) or its bytes.
 * false on malformed input or a wire type records do not use. */
static bool
pb_next(const uint8_t **p, const uint8_t *end, uint32_t *fno, uint64_t *val,
    const uint8_t **data, size_t *dlen)
{
	uint64_t	key, n;

	if (!pb_varint(p, end, &key))
		return false;
	*fno = (uint32_t)(key >> 3);
	*data = NULL;
	*dlen = 0;
	switch (key & 7) {
	case 0:
		return pb_varint(p, end, val);
	case 2:
		if (!pb_varint(p, end, &n) || n > (uint64_t)(end - *p))
			return false;
		*data = *p;
		*dlen = (size_t)n;
		*p += n;
		return true;
	default:
		return false;
	}
}

int
proto_envelope_expires(const uint8_t *env, size_t len, int64_t *expires)
{
	const uint8_t	*p = env, *end = env + len, *body = NULL, *d;
	size_t		 blen = 0, dlen;
	uint64_t	 val;
	uint32_t	 fno;

	*expires = 0;
	while (p < end) {
		if (!pb_next(&p, end, &fno, &val, &d, &dlen))
			return PROTO_EENVELOPE;
		if (fno == 3 && d != NULL) {
			body = d;
			blen = dlen;
		}
	}
	if (body == NULL)
		return PROTO_EENVELOPE;
	for (p = body, end = body + blen; p < end;) {
		if (!pb_next(&p, end, &fno, &val, &d, &dlen))
			return PROTO_EDECODE;
		if (fno == 4 && d == NULL)
			*expires = (int64_t)val;
	}
	return 0;
}

const uint8_t *
proto_record_envelope(const struct hb_record *r, size_t *len)
{
	if (!r->has_author || r->env == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = r->env_len;
	return r->env;
}

const uint8_t *
proto_record_hash(const struct hb_record *r)
{
	return r->has_author ? r->hash : NULL;
}

const char *
proto_record_title(const struct hb_record *r)
{
	if (r->rec == NULL)
		return NULL;
	switch (r->rec->body_case) {
	case HIROBA__RECORD__BODY_EVENT:
		return r->rec->event->title;
	case HIROBA__RECORD__BODY_VOLUNTEER:
		return r->rec->volunteer->title;
	case HIROBA__RECORD__BODY_MEETING:
		return r->rec->meeting->title;
	case HIROBA__RECORD__BODY_PLACE:
		return r->rec->place->name;
	case HIROBA__RECORD__BODY_PROFILE:
		return r->rec->profile->name;
	default:
		return NULL;
	}
}

int
proto_record_membership(const struct hb_record *r, struct hb_member *m)
{
	const Hiroba__Membership	*ms;
	size_t				 n;

	memset(m, 0, sizeof(*m));
	if (r->rec == NULL || r->rec->body_case != HIROBA__RECORD__BODY_MEMBERSHIP ||
	    r->rec->membership->key.len != HB_KEY_LEN)
		return PROTO_EMISSING;
	ms = r->rec->membership;
	memcpy(m->key, ms->key.data, HB_KEY_LEN);
	m->role = ms->role;
	m->status = ms->status;
	m->kind = ms->has_kind ? (int)ms->kind : 0;
	m->valid_until_seq = ms->has_valid_until_seq ? ms->valid_until_seq : 0;
	if (ms->has_replaces && ms->replaces.len == HB_KEY_LEN) {
		m->has_replaces = true;
		memcpy(m->replaces, ms->replaces.data, HB_KEY_LEN);
	}
	if (ms->name != NULL) {
		n = strlen(ms->name);
		if (n >= sizeof(m->name)) {
			/* Cut at a character boundary, never inside a UTF-8 sequence. */
			n = sizeof(m->name) - 1;
			while (n > 0 && ((unsigned char)ms->name[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(m->name, ms->name, n);
		m->name[n] = '\0';
	}
	return 0;
}

int
proto_record_reply_to(const struct hb_record *r, const uint8_t **author, const char **id)
{
	const Hiroba__Ref	*ref;

	*author = NULL;
	*id = NULL;
	if (r->rec == NULL || r->rec->body_case != HIROBA__RECORD__BODY_REPLY ||
	    (ref = r->rec->reply->meeting) == NULL || ref->author.len != HB_KEY_LEN)
		return PROTO_EMISSING;
	*author = ref->author.data;
	*id = ref->id;
	return 0;
}

/* ---- a revocation's kept ranges ---- */

static size_t
varint_put(uint8_t *p, uint64_t v)
{
	size_t	 n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return n;
}

/* One minimal varint at *p (advanced); -1 if truncated, over-long or over 64 bits. */
static int
varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned	 shift = 0;
	uint8_t		 b;

	*v = 0;
	do {
		if (*p >= end || shift > 63)
			return -1;
		b = *(*p)++;
		if (shift == 63 && (b & 0x7e) != 0)
			return -1;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (b == 0 && shift > 7)	/* a trailing zero byte: not minimal */
		return -1;
	return 0;
}

size_t
proto_kept_encode(const uint64_t (*ranges)[2], size_t n, uint8_t *out, size_t outlen)
{
	uint8_t	 tmp[20];
	size_t	 off = 0, k, i;
	uint64_t prev = 0;

	for (i = 0; i < n; i++) {
		k = varint_put(tmp, ranges[i][0] - prev);
		k += varint_put(tmp + k, ranges[i][1] - ranges[i][0]);
		if (off + k > outlen || off + k > HB_KEPT_MAX)
			return 0;
		memcpy(out + off, tmp, k);
		off += k;
		prev = ranges[i][1];
	}
	return off;
}

int
proto_kept_check(const uint8_t *b, size_t len, uint64_t vus)
{
	const uint8_t	*p = b, *end = b + len;
	uint64_t	 gap, run, a, prev = 0;
	bool		 first = true;

	if (len > HB_KEPT_MAX)
		return PROTO_ERANGE;
	while (p < end) {
		if (varint_get(&p, end, &gap) != 0 || varint_get(&p, end, &run) != 0 ||
		    gap < (first ? 1 : 2) || gap > vus - prev || run > vus - prev - gap)
			return PROTO_ERANGE;
		a = prev + gap;
		prev = a + run;
		first = false;
	}
	return 0;
}

bool
proto_kept_has(const uint8_t *b, size_t len, uint64_t seq)
{
	const uint8_t	*p = b, *end = b + len;
	uint64_t	 gap, run, a, prev = 0;

	while (p < end) {
		if (varint_get(&p, end, &gap) != 0 || varint_get(&p, end, &run) != 0)
			return false;
		a = prev + gap;
		if (seq < a)
			return false;
		if (seq <= a + run)
			return true;
		prev = a + run;
	}
	return false;
}

const uint8_t *
proto_record_kept(const struct hb_record *r, size_t *len)
{
	const Hiroba__Membership *ms;

	*len = 0;
	if (r == NULL || r->rec == NULL ||
	    r->rec->body_case != HIROBA__RECORD__BODY_MEMBERSHIP)
		return NULL;
	ms = r->rec->membership;
	if (!ms->has_kept)
		return NULL;
	*len = ms->kept.len;
	return ms->kept.data != NULL ? ms->kept.data : (const uint8_t *)"";
}

int
proto_membership_set_kept(struct hb_record *draft, const uint8_t *b, size_t len)
{
	Hiroba__Membership	*ms;
	uint8_t			*copy;

	if (draft == NULL || draft->rec == NULL ||
	    draft->rec->body_case != HIROBA__RECORD__BODY_MEMBERSHIP)
		return PROTO_EMISSING;
	ms = draft->rec->membership;
	/* protobuf-c frees an unpacked message's bytes with free() */
	if ((copy = malloc(len ? len : 1)) == NULL)
		return PROTO_ENOMEM;
	memcpy(copy, b, len);
	free(ms->kept.data);
	ms->kept.data = copy;
	ms->kept.len = len;
	ms->has_kept = 1;
	return 0;
}
