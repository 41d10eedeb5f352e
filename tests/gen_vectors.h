/* SPDX-License-Identifier: ISC */
/*
 * gen_vectors.h: the known-answer material shared by gen_vectors.c (which writes
 * vectors/records.json) and check_proto.c (which re-derives and checks it).
 */
#ifndef HIROBA_GEN_VECTORS_H
#define HIROBA_GEN_VECTORS_H

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "hiroba.pb-c.h"

#define VEC_NOW		1718000000	/* 2024-06-10T06:13:20Z, the clock for every vector */
#define VEC_SEED	0x00		/* the center: seed bytes 0x00 .. 0x1f */
#define VEC_SEED_OTHER	0x20		/* a member group: seed bytes 0x20 .. 0x3f */

/* Keys of the two seeds, for the drafts below. */
#define VEC_CENTER_HEX	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define VEC_MEMBER_HEX	"29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"

struct vec_draft {
	const char	*name;
	uint64_t	 seq;
	int64_t		 created;
	const char	*json;
};

static const struct vec_draft vec_drafts[] = {
	{ "event", 1, 1717200000,
	  "{\"id\":\"ev/papa-2024-06\",\"event\":{"
	  "\"title\":\"父親向けプログラム「パパと遊ぼう」\","
	  "\"description\":\"パパと一緒に体を動かして遊びましょう。\\n申込不要です。\","
	  "\"translations\":[{\"lang\":\"en\",\"title\":\"Play with Dad\","
	  "\"description\":\"Fathers and children play together. No booking needed.\"}],"
	  "\"when\":{\"start\":1718326800,\"end\":1718334000},"
	  "\"recurrence\":{\"freq\":\"weekly\",\"until\":1720141200,"
	  "\"exceptions\":[1718931600]},"
	  "\"where\":{\"text\":\"港北区地域子育て支援拠点 2階\","
	  "\"point\":{\"lat_e7\":355209000,\"lon_e7\":1396328000}},"
	  "\"category\":\"father\",\"audience\":[\"fathers\",\"all_families\"],"
	  "\"age_min_months\":12,\"age_max_months\":72,\"capacity\":15,\"fee_yen\":0,"
	  "\"languages\":[\"ja\",\"en\"]}}" },
	{ "place", 2, 1717200060,
	  "{\"id\":\"place/kohoku-park\",\"place\":{\"name\":\"大倉山公園 子ども広場\","
	  "\"translations\":[{\"lang\":\"en\",\"title\":\"Okurayama Park playground\"}],"
	  "\"tags\":[{\"key\":\"leisure\",\"value\":\"playground\"},"
	  "{\"key\":\"changing_table\",\"value\":\"yes\"},"
	  "{\"key\":\"stroller\",\"value\":\"limited\"}],"
	  "\"point\":{\"lat_e7\":355270000,\"lon_e7\":1396290000},"
	  "\"address\":\"横浜市港北区大倉山\",\"opening_hours\":\"Mo-Su 09:00-17:00\","
	  "\"age_max_months\":72,\"notes\":\"授乳室はありません。\"}}" },
	{ "volunteer", 3, 1717200120,
	  "{\"id\":\"vol/reading\",\"expires\":4070876400,\"volunteer\":{"
	  "\"kind\":\"wanted\",\"title\":\"絵本の読み聞かせボランティア募集\","
	  "\"skills\":[\"読み聞かせ\",\"English\"],\"area\":\"港北区\","
	  "\"windows\":[{\"weekdays\":5,\"from_minute\":600,\"to_minute\":720}],"
	  "\"people\":2,\"status\":\"open\"}}" },
	{ "membership", 4, 1717200180,
	  "{\"id\":\"member/" VEC_MEMBER_HEX "\",\"membership\":{"
	  "\"key\":\"" VEC_MEMBER_HEX "\",\"role\":\"role_member\","
	  "\"status\":\"admitted\",\"name\":\"ひよこ保育園\",\"kind\":\"nursery\"}}" },
	{ "tombstone", 5, 1717200240,
	  "{\"id\":\"ev/cancelled-talk\",\"tombstone\":{\"reason\":\"duplicate entry\"}}" },
	{ "profile", 6, 1717200300,
	  "{\"profile\":{\"name\":\"港北区地域子育て支援拠点\",\"kind\":\"center\","
	  "\"area\":\"港北区\",\"endpoints\":[\"tcp://hiroba.example.jp:7460\"]}}" },
	{ "meeting", 7, 1717200360,
	  "{\"id\":\"mtg/network-2024-07\",\"meeting\":{\"title\":\"港北応援ネット 地域別会議\","
	  "\"agenda\":\"1. 夏のイベント\\n2. 連絡事項\","
	  "\"when\":{\"start\":1720486800,\"end\":1720494000},"
	  "\"invited\":[\"" VEC_MEMBER_HEX "\"]}}" },
	{ "reply", 1, 1717286400,
	  "{\"id\":\"re/network-2024-07\",\"reply\":{\"meeting\":{"
	  "\"author\":\"" VEC_CENTER_HEX "\",\"id\":\"mtg/network-2024-07\"},"
	  "\"attending\":true,\"count\":2}}" },
	/* Monthly recurrences (PROTOCOL.md 7): a month without the day is skipped, never
	 * moved, and still counts toward the interval. The 31st, 10:00 JST: no February,
	 * April, June, September or November occurrence. */
	{ "event-monthly-31st", 8, 1717200420,
	  "{\"id\":\"ev/monthly-31st\",\"event\":{\"title\":\"月末のひろば\","
	  "\"when\":{\"start\":1706662800,\"end\":1706670000},"
	  "\"recurrence\":{\"freq\":\"monthly\",\"until\":1735606800},"
	  "\"category\":\"play_space\"}}" },
	/* All-day on the 30th: February 2024 (29 days) is skipped. */
	{ "event-monthly-30th-all-day", 9, 1717200480,
	  "{\"id\":\"ev/monthly-30th\",\"event\":{\"title\":\"子育て相談日\","
	  "\"when\":{\"all_day\":true,\"start\":20240130,\"end\":20240130},"
	  "\"recurrence\":{\"freq\":\"monthly\",\"until\":20240530},"
	  "\"category\":\"consultation\"}}" },
	/* Every 2 months from 31 July: September and November are skipped (no 31st) and
	 * the count goes on in calendar months: 31 January and 31 March 2025 follow. */
	{ "event-monthly-interval-2", 10, 1717200540,
	  "{\"id\":\"ev/bimonthly-31st\",\"event\":{\"title\":\"支援者研修\","
	  "\"when\":{\"start\":1722387600,\"end\":1722394800},"
	  "\"recurrence\":{\"freq\":\"monthly\",\"interval\":2,\"until\":1743382800},"
	  "\"category\":\"supporter_training\"}}" },
	/* The 5th Wednesday (29 May 2024): June, August and September have none. */
	{ "event-monthly-5th-wednesday", 11, 1717200600,
	  "{\"id\":\"ev/fifth-wednesday\",\"event\":{\"title\":\"第5水曜日のおはなし会\","
	  "\"when\":{\"start\":1716944400,\"end\":1716951600},"
	  "\"recurrence\":{\"freq\":\"monthly\",\"by_weekday\":true,"
	  "\"until\":1730336400},\"category\":\"play_space\"}}" },
	/* The highest seq there is, 2^53-1 (PROTOCOL.md 6.1). */
	{ "seq-max", 9007199254740991ULL, 1717200660,
	  "{\"id\":\"ev/seq-max\",\"tombstone\":{}}" },
	/* A deletion erasing two sealed boxes: BLAKE2b-256 of the bytes "box-a" and
	 * "box-b" stand in for the digests of real boxes (PROTOCOL.md 12.3). */
	{ "tombstone-erased", 12, 1717200720,
	  "{\"id\":\"vol/erased\",\"tombstone\":{\"erased\":["
	  "\"613a0604c585af15e12488e6d76cdb74b3a75df090ced2eb3a338639a86944f6\","
	  "\"6af200807294abceb6102a771e88b0570edcd61aadbf615af318ca77f9f09e0e\"]}}" },
};
#define VEC_NDRAFTS	(sizeof(vec_drafts) / sizeof(vec_drafts[0]))
/* The reply is written by the member group, all others by the center. */
#define VEC_SIGNER(i)	(strcmp(vec_drafts[i].name, "reply") == 0 ? VEC_SEED_OTHER : VEC_SEED)

static inline void
vec_identity(struct hb_identity *id, uint8_t first)
{
	uint8_t	seed[32];
	int	i;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(id->pk, id->sk, seed);
}

/* Sign arbitrary body bytes as id under a domain prefix: a malloc'd envelope. */
static inline uint8_t *
vec_envelope_domain(const struct hb_identity *id, const char *domain, const uint8_t *body,
    size_t blen, size_t *elen)
{
	Hiroba__Envelope	 e = HIROBA__ENVELOPE__INIT;
	uint8_t			 sig[HB_SIG_LEN], *m, *out;
	size_t			 dl = strlen(domain);

	m = malloc(dl + 1 + HB_KEY_LEN + blen);
	memcpy(m, domain, dl);
	m[dl] = 0;
	memcpy(m + dl + 1, id->pk, HB_KEY_LEN);
	memcpy(m + dl + 1 + HB_KEY_LEN, body, blen);
	crypto_sign_detached(sig, NULL, m, dl + 1 + HB_KEY_LEN + blen, id->sk);
	free(m);
	e.author.data = (uint8_t *)id->pk;
	e.author.len = HB_KEY_LEN;
	e.signature.data = sig;
	e.signature.len = HB_SIG_LEN;
	e.body.data = (uint8_t *)body;
	e.body.len = blen;
	*elen = hiroba__envelope__get_packed_size(&e);
	out = malloc(*elen);
	hiroba__envelope__pack(&e, out);
	return out;
}

/* The same under hiroba's own domain prefix (PROTOCOL.md 2.1). */
static inline uint8_t *
vec_envelope(const struct hb_identity *id, const uint8_t *body, size_t blen, size_t *elen)
{
	return vec_envelope_domain(id, HB_DOMAIN, body, blen, elen);
}

/* The decoded body of an envelope, to mutate and re-sign. */
static inline Hiroba__Record *
vec_record_of(const uint8_t *env, size_t len)
{
	Hiroba__Envelope	*e = hiroba__envelope__unpack(NULL, len, env);
	Hiroba__Record		*r = hiroba__record__unpack(NULL, e->body.len, e->body.data);

	hiroba__envelope__free_unpacked(e, NULL);
	return r;
}

/* Pack r (plus extra raw bytes), sign it as id, free r: a malloc'd envelope. */
static inline uint8_t *
vec_resign(const struct hb_identity *id, Hiroba__Record *r, const void *extra,
    size_t xlen, size_t *elen)
{
	size_t	 n = hiroba__record__get_packed_size(r);
	uint8_t	*b = malloc(n + xlen + 1), *env;

	hiroba__record__pack(r, b);
	if (xlen > 0)
		memcpy(b + n, extra, xlen);
	env = vec_envelope(id, b, n + xlen, elen);
	free(b);
	hiroba__record__free_unpacked(r, NULL);
	return env;
}

static inline void
vec_set_str(char **field, const char *s)
{
	free(*field);
	*field = strdup(s);
}

/*
 * The signed event with one byte pattern of its Event message replaced (the pattern must
 * occur exactly once), signed again as id: a malloc'd envelope. For encodings protobuf-c
 * never writes (packed repeated fields, oversized varints). The Event is the last field
 * of the body (field 17), so the body is the header packed alone, then 8a 01, the new
 * length and the patched Event.
 */
/* The first place pat occurs in b[0..n), or NULL (memmem, without _GNU_SOURCE). */
static inline uint8_t *
vec_find(uint8_t *b, size_t n, const void *pat, size_t pl)
{
	size_t	i;

	for (i = 0; pl <= n && i <= n - pl; i++)
		if (memcmp(b + i, pat, pl) == 0)
			return b + i;
	return NULL;
}

static inline uint8_t *
vec_event_patch(const struct hb_identity *id, const uint8_t *ev, size_t evlen,
    const void *pat, size_t pl, const void *rep, size_t rl, size_t *elen)
{
	Hiroba__Record	*r = vec_record_of(ev, evlen);
	Hiroba__Event	*e = r->event;
	uint8_t		*eb, *body, *at, *env;
	size_t		 en = hiroba__event__get_packed_size(e), hl, nl, bl, off, x;

	eb = malloc(en + 1);
	hiroba__event__pack(e, eb);
	at = vec_find(eb, en, pat, pl);
	if (at == NULL || vec_find(at + 1, en - (size_t)(at - eb) - 1, pat, pl) != NULL)
		abort();	/* the vector would not say what its name says */
	off = (size_t)(at - eb);
	nl = en - pl + rl;
	r->body_case = HIROBA__RECORD__BODY__NOT_SET;
	r->event = NULL;
	hl = hiroba__record__get_packed_size(r);
	body = malloc(hl + 2 + 10 + nl);
	hiroba__record__pack(r, body);
	bl = hl;
	body[bl++] = 0x8a;
	body[bl++] = 0x01;
	for (x = nl; x >= 0x80; x >>= 7)
		body[bl++] = (uint8_t)(x | 0x80);
	body[bl++] = (uint8_t)x;
	memcpy(body + bl, eb, off);
	memcpy(body + bl + off, rep, rl);
	memcpy(body + bl + off + rl, at + pl, en - off - pl);
	bl += nl;
	env = vec_envelope(id, body, bl, elen);
	free(body);
	free(eb);
	hiroba__event__free_unpacked(e, NULL);
	hiroba__record__free_unpacked(r, NULL);
	return env;
}

struct vec_reject {
	const char	*name;
	const char	*error;		/* proto_errname() of the expected code */
	uint8_t		*env;		/* malloc'd */
	size_t		 len;
};

#define VEC_MAXREJECT	48

/*
 * Forge every must-reject envelope from the signed event, place and membership
 * (envelopes made from vec_drafts). Returns how many were written to out.
 */
static inline size_t
vec_rejects(const uint8_t *ev, size_t evlen, const uint8_t *pl, size_t pllen,
    const uint8_t *ms, size_t mslen, struct vec_reject *out)
{
	static const uint8_t	 L[32] = {	/* the group order, little-endian */
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
		0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
	struct hb_identity	 id, other;
	Hiroba__Record		*r;
	Hiroba__Tag		*t;
	uint8_t			*b;
	unsigned		 carry, i;
	size_t			 n = 0, k;
	char			 big[202];

	vec_identity(&id, VEC_SEED);
	vec_identity(&other, VEC_SEED_OTHER);

#define COPY(nm, er, src, slen) do {					\
		out[n].name = nm;					\
		out[n].error = er;					\
		out[n].len = slen;					\
		out[n].env = malloc(slen + 16);				\
		memcpy(out[n].env, src, slen);				\
	} while (0)
#define RESIGN(nm, er, rec, x, xl) do {					\
		out[n].name = nm;					\
		out[n].error = er;					\
		out[n].env = vec_resign(&id, rec, x, xl, &out[n].len);	\
		n++;							\
	} while (0)

	/* Envelope layout: 0a 20 author(32) 12 40 signature(64) 1a len body. */
	COPY("altered-body-byte", "bad-signature", ev, evlen);
	out[n].env[evlen - 1] ^= 0x01;
	n++;
	COPY("altered-signature-byte", "bad-signature", ev, evlen);
	out[n].env[36 + 10] ^= 0x01;
	n++;
	COPY("wrong-author-key", "bad-signature", ev, evlen);
	memcpy(out[n].env + 2, other.pk, HB_KEY_LEN);
	n++;
	COPY("signature-s-plus-l", "bad-signature", ev, evlen);
	for (i = 0, carry = 0; i < 32; i++) {
		carry += (unsigned)out[n].env[36 + 32 + i] + L[i];
		out[n].env[36 + 32 + i] = (uint8_t)carry;
		carry >>= 8;
	}
	n++;
	COPY("small-order-author", "bad-key", ev, evlen);
	memset(out[n].env + 2, 0, HB_KEY_LEN);
	out[n].env[2] = 0x01;		/* the neutral element */
	n++;
	COPY("truncated-envelope", "bad-envelope", ev, evlen - 10);
	n++;
	out[n].name = "oversized-envelope";
	out[n].error = "too-big";
	out[n].len = HB_ENV_MAX + 1;
	out[n].env = calloc(1, HB_ENV_MAX + 1);
	n++;
	COPY("trailing-garbage", "bad-envelope", ev, evlen);
	memcpy(out[n].env + evlen, "garbage", 7);
	out[n].len += 7;
	n++;
	COPY("trailing-unknown-field", "bad-envelope", ev, evlen);
	memcpy(out[n].env + evlen, "\x20\x01", 2);
	out[n].len += 2;
	n++;

	/* Bodies changed and signed again, so only the later checks can catch them. */
	RESIGN("body-unknown-field", "non-canonical", vec_record_of(ev, evlen),
	    "\x98\x06\x01", 3);	/* field 99, varint 1 */
	r = vec_record_of(ev, evlen);
	b = malloc(2 + strlen(r->id));
	b[0] = 0x0a;
	b[1] = (uint8_t)strlen(r->id);
	memcpy(b + 2, r->id, strlen(r->id));
	k = 2 + strlen(r->id);
	RESIGN("body-duplicate-field", "non-canonical", r, b, k);	/* id again */
	free(b);
	out[n].name = "body-undecodable";
	out[n].error = "bad-decode";
	out[n].env = vec_envelope(&id, (const uint8_t *)"\xff\xff\xff", 3, &out[n].len);
	n++;
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->title, "\xe3\x81 truncated");
	RESIGN("body-invalid-utf8", "bad-utf8", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->title, "overlong \xc0\xaf slash");
	RESIGN("body-overlong-utf8", "bad-utf8", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->title, "bell \x07 in a title");
	RESIGN("body-control-char", "bad-utf8", r, NULL, 0);
	r = vec_record_of(pl, pllen);
	r->place->point->lat_e7 = 950000000;
	RESIGN("place-latitude-out-of-range", "out-of-range", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	r->event->when->end = r->event->when->start - 1;
	RESIGN("event-end-before-start", "bad-time", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	r->created = VEC_NOW + 3600;
	RESIGN("created-far-future", "future", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	r->created = 1500000000;
	RESIGN("created-before-2020", "bad-time", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	r->event->category = 99;
	RESIGN("event-unknown-category", "bad-enum", r, NULL, 0);
	r = vec_record_of(pl, pllen);
	r->place->tags = realloc(r->place->tags, 33 * sizeof(*r->place->tags));
	while (r->place->n_tags < 33) {
		t = malloc(sizeof(*t));
		hiroba__tag__init(t);
		t->key = strdup("note");
		t->value = strdup("x");
		r->place->tags[r->place->n_tags++] = t;
	}
	RESIGN("place-too-many-tags", "too-many", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->id, ".hidden");
	RESIGN("bad-id", "bad-id", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	r->seq = 0;
	RESIGN("seq-zero", "bad-seq", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	memset(big, 'a', 201);
	big[201] = '\0';
	vec_set_str(&r->event->title, big);
	RESIGN("title-too-long", "too-long", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	hiroba__event__free_unpacked(r->event, NULL);
	r->event = NULL;
	r->body_case = HIROBA__RECORD__BODY__NOT_SET;
	RESIGN("no-payload", "missing", r, NULL, 0);
	r = vec_record_of(ms, mslen);
	vec_set_str(&r->id, "member/" VEC_CENTER_HEX);
	RESIGN("membership-id-mismatch", "bad-member-id", r, NULL, 0);
	/* kept (PROTOCOL.md 4.3): only in a revocation, and within valid_until_seq */
	for (k = 0; k < 2; k++) {
		r = vec_record_of(ms, mslen);
		r->membership->has_kept = 1;
		r->membership->kept.data = malloc(2);
		memcpy(r->membership->kept.data, "\x02\x02", 2);	/* seqs 2..4 */
		r->membership->kept.len = 2;
		if (k == 0) {
			RESIGN("membership-kept-admitted", "out-of-range", r, NULL, 0);
		} else {
			r->membership->status = HIROBA__MEMBER_STATUS__REVOKED;
			r->membership->has_valid_until_seq = 1;
			r->membership->valid_until_seq = 3;
			RESIGN("membership-kept-beyond", "out-of-range", r, NULL, 0);
		}
	}
	r = vec_record_of(ev, evlen);
	r->seq = HB_SEQ_MAX + 1;
	RESIGN("seq-2^53", "bad-seq", r, NULL, 0);

	/* Wire types (PROTOCOL.md 3): a group (3, 4), 6 or 7 anywhere, or a known field
	 * with a wire type other than its own, does not parse; an unknown field with
	 * wire type 0, 1, 2 or 5 parses and is not canonical. */
	COPY("envelope-group-field", "bad-envelope", ev, evlen);
	memcpy(out[n].env + evlen, "\x23\x24", 2);	/* field 4, start + end group */
	out[n].len += 2;
	n++;
	RESIGN("body-group-known-field", "bad-decode", vec_record_of(ev, evlen),
	    "\x23\x24", 2);	/* field 4 (expires) as start group + end group */
	RESIGN("body-group-unknown-field", "bad-decode", vec_record_of(ev, evlen),
	    "\x9b\x06\x9c\x06", 4);	/* field 99, start group + end group */
	RESIGN("body-wrong-wire-type", "bad-decode", vec_record_of(ev, evlen),
	    "\x22\x01\x05", 3);	/* field 4 (expires, a varint) length-delimited */
	RESIGN("body-unknown-fixed64", "non-canonical", vec_record_of(ev, evlen),
	    "\x99\x06\x01\x02\x03\x04\x05\x06\x07\x08", 10);	/* field 99, wt 1 */
	/* audience [fathers, all_families]: 40 02 40 06 unpacked, 42 02 02 06 packed */
	out[n].name = "event-audience-packed";
	out[n].error = "non-canonical";
	out[n].env = vec_event_patch(&id, ev, evlen, "\x40\x02\x40\x06", 4,
	    "\x42\x02\x02\x06", 4, &out[n].len);
	n++;
	/* Enums are int32: category 2 + 2^32 reads as 2 and packs as 38 02. */
	out[n].name = "event-category-over-int32";
	out[n].error = "non-canonical";
	out[n].env = vec_event_patch(&id, ev, evlen, "\x38\x02", 2,
	    "\x38\x82\x80\x80\x80\x10", 6, &out[n].len);
	n++;
	/* -1 as a 10-byte varint is the canonical int32 -1: parsed, then unknown. */
	out[n].name = "event-category-negative";
	out[n].error = "bad-enum";
	out[n].env = vec_event_patch(&id, ev, evlen, "\x38\x02", 2,
	    "\x38\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, &out[n].len);
	n++;

	/* Text rules whose code is easy to get wrong (PROTOCOL.md 6.2). */
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->translations[0]->lang, "");
	RESIGN("translation-lang-empty", "missing", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->translations[0]->lang, "ja_JP");
	RESIGN("translation-lang-bad-char", "out-of-range", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->description, "一行目\r\n二行目");
	RESIGN("description-carriage-return", "bad-utf8", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->title, "ひろば\x7f");
	RESIGN("title-del", "bad-utf8", r, NULL, 0);
	r = vec_record_of(ev, evlen);
	vec_set_str(&r->event->title, "ひろば\xc2\x9b" "31m");	/* U+009B, CSI */
	RESIGN("title-c1-csi", "bad-utf8", r, NULL, 0);

	/* Tombstones whose erased list breaks its rules: a 31-byte digest, one digest
	 * twice. */
	for (k = 0; k < 2; k++) {
		Hiroba__Tombstone *ts = malloc(sizeof(*ts));

		hiroba__tombstone__init(ts);
		ts->n_erased = 2;
		ts->erased = calloc(2, sizeof(*ts->erased));
		for (i = 0; i < 2; i++) {
			ts->erased[i].len = k == 0 && i == 1 ? HB_HASH_LEN - 1 : HB_HASH_LEN;
			ts->erased[i].data = malloc(HB_HASH_LEN);
			memset(ts->erased[i].data, k == 0 ? (int)(0xa0 + i) : 0xa0, HB_HASH_LEN);
		}
		r = vec_record_of(ev, evlen);
		hiroba__event__free_unpacked(r->event, NULL);
		r->body_case = HIROBA__RECORD__BODY_TOMBSTONE;
		r->tombstone = ts;
		if (k == 0)
			RESIGN("tombstone-erased-short-digest", "out-of-range", r, NULL, 0);
		else
			RESIGN("tombstone-erased-twice", "too-many", r, NULL, 0);
	}
#undef COPY
#undef RESIGN
	return n;
}

#endif /* HIROBA_GEN_VECTORS_H */
