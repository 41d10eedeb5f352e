/* SPDX-License-Identifier: ISC */
/*
 * contact.c: personal contact details sealed inside a volunteer listing, readable only by
 * the center and the author. The plaintext names its record, so a box copied into another
 * record (another group's, or another id) is refused when opened (PROTOCOL.md 12).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto_internal.h"

#define CONTACT_DOMAIN_LEN	(sizeof(HB_CONTACT_DOMAIN))	/* with its 0x00 */
#define CONTACT_HDR_MAX		(CONTACT_DOMAIN_LEN + HB_KEY_LEN + 1 + HB_ID_MAX)

/* domain 0x00 || author || len(id) || id || contact. Returns the length written. */
static size_t
contact_plain(uint8_t *p, const uint8_t author[HB_KEY_LEN], const char *id,
    const char *contact)
{
	size_t	idlen = strlen(id), clen = strlen(contact), o = 0;

	memcpy(p, HB_CONTACT_DOMAIN, CONTACT_DOMAIN_LEN);
	o += CONTACT_DOMAIN_LEN;
	memcpy(p + o, author, HB_KEY_LEN);
	o += HB_KEY_LEN;
	p[o++] = (uint8_t)idlen;
	memcpy(p + o, id, idlen);
	o += idlen;
	memcpy(p + o, contact, clen);
	return o + clen;
}

static int
seal_to(ProtobufCBinaryData *out, protobuf_c_boolean *has, const uint8_t ed_pk[HB_KEY_LEN],
    const uint8_t *m, size_t mlen)
{
	uint8_t	 curve[32], *c;

	if (proto_curve_pk(ed_pk, curve) != 0)
		return PROTO_EKEY;
	if ((c = malloc(mlen + crypto_box_SEALBYTES)) == NULL)
		return PROTO_ENOMEM;
	if (crypto_box_seal(c, m, mlen, curve) != 0) {
		free(c);
		return PROTO_EKEY;
	}
	free(out->data);
	out->data = c;
	out->len = mlen + crypto_box_SEALBYTES;
	*has = 1;
	return 0;
}

int
proto_contact_seal(struct hb_record *draft, const uint8_t center_pk[HB_KEY_LEN],
    const uint8_t author_pk[HB_KEY_LEN], const char *id, const char *contact)
{
	Hiroba__Volunteer	*v;
	uint8_t			 m[CONTACT_HDR_MAX + HB_CONTACT_MAX];
	const unsigned char	*s;
	size_t			 mlen = 0;
	int			 rc = PROTO_EMISSING;

	if (draft == NULL || draft->rec == NULL ||
	    draft->rec->body_case != HIROBA__RECORD__BODY_VOLUNTEER)
		goto out;
	v = draft->rec->volunteer;
	rc = PROTO_EID;
	if (!id_valid(id) || (draft->rec->id != NULL && draft->rec->id[0] != '\0' &&
	    strcmp(draft->rec->id, id) != 0))
		goto out;
	rc = PROTO_EKEY;
	if (!key_valid(center_pk, HB_KEY_LEN) || !key_valid(author_pk, HB_KEY_LEN))
		goto out;
	rc = PROTO_EMISSING;
	if (contact == NULL || contact[0] == '\0')
		goto out;
	rc = PROTO_ELEN;
	if (strlen(contact) > HB_CONTACT_MAX)
		goto out;
	rc = PROTO_EUTF8;
	if (!proto_utf8_valid(contact, strlen(contact)))
		goto out;
	for (s = (const unsigned char *)contact; *s != '\0'; s++)
		if (*s < 0x20 || *s == 0x7f)
			goto out;
	mlen = contact_plain(m, author_pk, id, contact);
	if ((rc = seal_to(&v->contact_sealed, &v->has_contact_sealed, center_pk, m,
	    mlen)) != 0 ||
	    (rc = seal_to(&v->contact_self, &v->has_contact_self, author_pk, m, mlen)) != 0)
		goto out;
out:
	sodium_memzero(m, sizeof(m));
	return rc;
}

/* Open box c with the reader's key: 1 opened (*m, *mlen set), 0 not ours. */
static int
open_box(const ProtobufCBinaryData *c, const uint8_t curve_pk[32],
    const uint8_t curve_sk[32], uint8_t *m, size_t *mlen)
{
	if (c->len <= crypto_box_SEALBYTES ||
	    c->len - crypto_box_SEALBYTES > CONTACT_HDR_MAX + HB_CONTACT_MAX)
		return 0;
	if (crypto_box_seal_open(m, c->data, c->len, curve_pk, curve_sk) != 0)
		return 0;
	*mlen = c->len - crypto_box_SEALBYTES;
	return 1;
}

/* The plaintext must name this record (author and id) and hold a valid contact. */
static int
contact_parse(const uint8_t *m, size_t mlen, const uint8_t author[HB_KEY_LEN],
    const char *id, char **contact)
{
	size_t	idlen = strlen(id), o, clen;
	char	*s;

	if (mlen < CONTACT_DOMAIN_LEN + HB_KEY_LEN + 1 ||
	    memcmp(m, HB_CONTACT_DOMAIN, CONTACT_DOMAIN_LEN) != 0)
		return PROTO_ESEALED;
	o = CONTACT_DOMAIN_LEN;
	if (sodium_memcmp(m + o, author, HB_KEY_LEN) != 0)
		return PROTO_ESEALED;
	o += HB_KEY_LEN;
	if (m[o] != idlen || mlen - o - 1 < idlen || memcmp(m + o + 1, id, idlen) != 0)
		return PROTO_ESEALED;
	o += 1 + idlen;
	clen = mlen - o;
	if (clen == 0 || !proto_utf8_valid((const char *)m + o, clen))
		return PROTO_ESEALED;
	if ((s = malloc(clen + 1)) == NULL)
		return PROTO_ENOMEM;
	memcpy(s, m + o, clen);
	s[clen] = '\0';
	*contact = s;
	return 0;
}

int
proto_contact_open(const struct hb_record *r, const struct hb_identity *reader,
    char **contact)
{
	const Hiroba__Volunteer	*v;
	uint8_t			 m[CONTACT_HDR_MAX + HB_CONTACT_MAX];
	uint8_t			 cpk[32], csk[32];
	size_t			 mlen = 0;
	int			 rc = PROTO_EMISSING;

	*contact = NULL;
	if (r == NULL || r->rec == NULL || !r->has_author ||
	    r->rec->body_case != HIROBA__RECORD__BODY_VOLUNTEER)
		goto out;
	v = r->rec->volunteer;
	if (!v->has_contact_sealed && !v->has_contact_self)
		goto out;
	rc = PROTO_EKEY;
	if (proto_curve_pk(reader->pk, cpk) != 0 || proto_curve_sk(reader, csk) != 0)
		goto out;
	/* The first box the reader opens decides: a box that opens but names another
	 * record is refused, not skipped. */
	rc = PROTO_ENOTREADER;
	if ((v->has_contact_sealed && open_box(&v->contact_sealed, cpk, csk, m, &mlen)) ||
	    (v->has_contact_self && open_box(&v->contact_self, cpk, csk, m, &mlen)))
		rc = contact_parse(m, mlen, r->author, r->rec->id, contact);
out:
	sodium_memzero(m, sizeof(m));
	sodium_memzero(csk, sizeof(csk));
	return rc;
}

/* ---- erasure (PROTOCOL.md 12.3) ---- */

size_t
proto_record_boxes(const struct hb_record *r, uint8_t d[2][HB_HASH_LEN])
{
	const Hiroba__Volunteer	*v;
	size_t			 n = 0;

	if (r == NULL || r->rec == NULL ||
	    r->rec->body_case != HIROBA__RECORD__BODY_VOLUNTEER)
		return 0;
	v = r->rec->volunteer;
	if (v->has_contact_sealed)
		crypto_generichash(d[n++], HB_HASH_LEN, v->contact_sealed.data,
		    v->contact_sealed.len, NULL, 0);
	if (v->has_contact_self) {
		crypto_generichash(d[n], HB_HASH_LEN, v->contact_self.data,
		    v->contact_self.len, NULL, 0);
		/* The same bytes twice are one box: one index entry, one digest. */
		if (n == 0 || memcmp(d[0], d[n], HB_HASH_LEN) != 0)
			n++;
	}
	return n;
}

size_t
proto_record_erased(const struct hb_record *r, const uint8_t *d[HB_ERASED_MAX])
{
	const Hiroba__Tombstone	*t;
	size_t			 i, n = 0;

	if (r == NULL || r->rec == NULL ||
	    r->rec->body_case != HIROBA__RECORD__BODY_TOMBSTONE)
		return 0;
	t = r->rec->tombstone;
	for (i = 0; i < t->n_erased && n < HB_ERASED_MAX; i++)
		if (t->erased[i].len == HB_HASH_LEN)
			d[n++] = t->erased[i].data;
	return n;
}

int
proto_tombstone_add_erased(struct hb_record *draft, const uint8_t (*d)[HB_HASH_LEN],
    size_t n)
{
	Hiroba__Tombstone	*t;
	ProtobufCBinaryData	*a;
	size_t			 i, j, add = 0;
	bool			 fresh[HB_ERASED_MAX] = { false };

	if (draft == NULL || draft->rec == NULL ||
	    draft->rec->body_case != HIROBA__RECORD__BODY_TOMBSTONE)
		return PROTO_EMISSING;
	t = draft->rec->tombstone;
	if (n > HB_ERASED_MAX)
		return PROTO_ECOUNT;
	for (i = 0; i < n; i++) {
		fresh[i] = true;
		for (j = 0; j < t->n_erased && fresh[i]; j++)
			fresh[i] = t->erased[j].len != HB_HASH_LEN ||
			    memcmp(t->erased[j].data, d[i], HB_HASH_LEN) != 0;
		for (j = 0; j < i && fresh[i]; j++)
			fresh[i] = !fresh[j] || memcmp(d[j], d[i], HB_HASH_LEN) != 0;
		add += fresh[i];
	}
	if (add == 0)
		return 0;
	if (t->n_erased + add > HB_ERASED_MAX)
		return PROTO_ECOUNT;
	/* protobuf-c frees an unpacked message's arrays and bytes with free(). */
	if ((a = realloc(t->erased, (t->n_erased + add) * sizeof(*a))) == NULL)
		return PROTO_ENOMEM;
	t->erased = a;
	for (i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		if ((a[t->n_erased].data = malloc(HB_HASH_LEN)) == NULL)
			return PROTO_ENOMEM;
		memcpy(a[t->n_erased].data, d[i], HB_HASH_LEN);
		a[t->n_erased++].len = HB_HASH_LEN;
	}
	return 0;
}
