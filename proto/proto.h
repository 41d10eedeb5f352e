/* SPDX-License-Identifier: ISC */
/*
 * proto: hiroba's signed records. Identity keys, the envelope format, signing and
 * verification, strict validation, and JSON conversion. The only module that sees
 * protobuf-c's generated hiroba__* names; everyone else uses the functions below.
 *
 * Errors: 0 is success, > 0 an errno, < 0 one of the PROTO_E* codes below;
 * proto_strerror() names every one of them.
 */
#ifndef HIROBA_PROTO_H
#define HIROBA_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_KEY_LEN	32	/* Ed25519 public key */
#define HB_SK_LEN	64	/* Ed25519 secret key (seed || pk), libsodium layout */
#define HB_SIG_LEN	64
#define HB_HASH_LEN	32	/* BLAKE2b-256 */
#define HB_ID_MAX	71	/* longest record id: "member/" + 64 hex digits (PROTOCOL.md) */
#define HB_ID_USER_MAX	64	/* longest id an author chooses freely */
#define HB_KEYHEX_LEN	65	/* 64 hex digits + NUL */
#define HB_FPR_LEN	20	/* "XXXX-XXXX-XXXX-XXXX" + NUL */

#define HB_DOMAIN	"hiroba-record-v1"	/* signed message = DOMAIN 0x00 author body */
#define HB_ENV_MAX	(64 * 1024)		/* an envelope, as received */
#define HB_BODY_MAX	(HB_ENV_MAX - 128)
#define HB_FUTURE_SKEW	(15 * 60)		/* created may be at most this far ahead */
#define HB_SEQ_MAX	((1ULL << 53) - 1)	/* highest seq (PROTOCOL.md 6.1) */

/* Record kinds, as stored and as used in queries (PROTOCOL.md). */
enum hb_kind {
	HB_KIND_NONE = 0,
	HB_PROFILE = 1,
	HB_EVENT = 2,
	HB_PLACE = 3,
	HB_VOLUNTEER = 4,
	HB_MEETING = 5,
	HB_REPLY = 6,
	HB_MEMBERSHIP = 7,
	HB_TOMBSTONE = 8,
	HB_MATCH = 9,
	HB_KIND_MAX = 9
};

enum {
	PROTO_ETOOBIG = -100,	/* envelope or body over its size cap */
	PROTO_EENVELOPE,	/* envelope does not parse, or is not canonical */
	PROTO_EKEY,		/* author key is not a valid Ed25519 point (or small order) */
	PROTO_EBADSIG,		/* signature does not verify */
	PROTO_EDECODE,		/* body does not parse as a Record */
	PROTO_ENONCANON,	/* body parses but is not canonical: unknown field, duplicate, trailing bytes */
	PROTO_EUTF8,		/* a string is not valid UTF-8 (or holds NUL / control chars) */
	PROTO_EID,		/* record id empty, too long, or bad characters */
	PROTO_ESEQ,		/* seq is 0 or above HB_SEQ_MAX */
	PROTO_EFUTURE,		/* created too far in the future */
	PROTO_ERANGE,		/* a number out of range: coordinates, months, minutes ... */
	PROTO_ETIME,		/* end before start, bad date, recurrence too long */
	PROTO_EENUM,		/* unknown enum value */
	PROTO_ELEN,		/* a string over its length cap */
	PROTO_ECOUNT,		/* too many elements in a repeated field */
	PROTO_EMISSING,		/* no payload, or a field the kind needs is missing */
	PROTO_EMEMBERID,	/* membership id is not "member/" + hex(key), or profile id not "profile" */
	PROTO_EJSON,		/* JSON input does not match the schema */
	PROTO_EKEYFILE,		/* key file malformed */
	PROTO_EKEYPERM,		/* key file readable by group or others */
	PROTO_ENOMEM,
	PROTO_ESEALED,		/* sealed data opens but names another record (copied) */
	PROTO_ENOTREADER,	/* sealed data is not addressed to this key */
	PROTO_ELAST
};

const char	*proto_strerror(int rc);
/* A short stable name for a code, for counters and logs: "bad-signature". */
const char	*proto_errname(int rc);

/* Must be called once before anything else (sodium_init). Returns 0 or PROTO_ENOMEM. */
int	 proto_init(void);

/* ---- identity ---- */

struct hb_identity {
	uint8_t	pk[HB_KEY_LEN];
	uint8_t	sk[HB_SK_LEN];
};

/* Fresh key pair from the system RNG. */
void	 proto_identity_new(struct hb_identity *id);
/* Write the secret key to path with mode 0600 (created exclusively: an existing file is
 * EEXIST). Returns 0 or an errno. */
int	 proto_identity_save(const struct hb_identity *id, const char *path);
/* Load a key written by proto_identity_save. Refuses (PROTO_EKEYPERM) a file that group or
 * others can read; PROTO_EKEYFILE for a malformed one; errno for I/O. */
int	 proto_identity_load(struct hb_identity *id, const char *path);
/* Wipe the secret. */
void	 proto_identity_clear(struct hb_identity *id);

/* Keys as text: 64 lowercase hex digits. parse accepts upper case too.
 * parse returns 0 or PROTO_EKEY (not hex / not a valid public key). */
void	 proto_key_hex(const uint8_t key[HB_KEY_LEN], char out[HB_KEYHEX_LEN]);
int	 proto_key_parse(const char *hex, uint8_t key[HB_KEY_LEN]);
/* Short fingerprint to read over the phone: the first 80 bits of BLAKE2b(key) in
 * Crockford base32, "7Q2M-4KXA-9HDC-0T3F". */
void	 proto_fingerprint(const uint8_t key[HB_KEY_LEN], char out[HB_FPR_LEN]);
/* CURVE (X25519) keys derived from the Ed25519 group key, for ZeroMQ. 0 or PROTO_EKEY. */
int	 proto_curve_pk(const uint8_t ed_pk[HB_KEY_LEN], uint8_t curve_pk[32]);
int	 proto_curve_sk(const struct hb_identity *id, uint8_t curve_sk[32]);

/* ---- records ---- */

/*
 * A record: either a draft (built from JSON or decoded from draft bytes, not signed yet)
 * or a signed record (opened from an envelope, or signed by proto_sign). Opaque; free
 * with hb_record_free(&r), which is NULL-safe and nulls the pointer.
 */
struct hb_record;

void	 hb_record_free(struct hb_record **r);

/*
 * Verify, decode and validate an envelope received from anyone. The order is fixed:
 * size cap, envelope parse (canonical), key check, signature over the exact body bytes,
 * then decode the body (canonical), then validate every field with `now` as the clock.
 * On success *out is the caller's. Returns 0 or a PROTO_E* code; *out NULL on failure.
 */
int	 proto_open(const uint8_t *env, size_t len, int64_t now, struct hb_record **out);

/* Only the cryptographic part of proto_open (size, envelope, key, signature), for
 * verifying in parallel threads before the stateful part runs. Thread-safe. */
int	 proto_verify(const uint8_t *env, size_t len);
/* proto_open without the signature check, for envelopes already verified. */
int	 proto_open_verified(const uint8_t *env, size_t len, int64_t now, struct hb_record **out);

/*
 * Drafts. A draft holds a payload and an id but no author, seq or created.
 * proto_draft_from_json parses a JSON object (PROTOCOL.md, "JSON form"); on failure it
 * returns PROTO_EJSON (or a validation code) and writes a one-line reason into err.
 * The JSON "id" may be absent: proto_sign then leaves it to the caller (see below).
 */
int	 proto_draft_from_json(const char *json, size_t len, struct hb_record **out,
	    char *err, size_t errlen);
/* Draft bytes: a serialized Record with seq 0, created 0, as sent from CLI to daemon.
 * encode: *buf is malloc'd, the caller's. decode does the size cap and parse only. */
int	 proto_draft_encode(const struct hb_record *r, uint8_t **buf, size_t *len);
int	 proto_draft_decode(const uint8_t *buf, size_t len, struct hb_record **out);

/* Set or replace a draft's id (copied). 0 or PROTO_EID. */
int	 proto_record_set_id(struct hb_record *r, const char *id);

/*
 * Sign a draft as `id`: sets author, seq and created, validates (with created as now),
 * encodes the body canonically and signs it. Afterwards r is a signed record, exactly as
 * proto_open would return for its envelope. Returns 0 or a PROTO_E* validation code
 * (then r is unchanged).
 */
int	 proto_sign(struct hb_record *r, const struct hb_identity *id, uint64_t seq,
	    int64_t created);

/* Build drafts the daemon itself needs. */
struct hb_record *proto_tombstone_new(const char *id, const char *reason);
struct hb_record *proto_membership_new(const uint8_t key[HB_KEY_LEN], int role,
	    int status, const char *name, int group_kind, uint64_t valid_until_seq);

/* JSON of a record (PROTOCOL.md "JSON form"): header (author, id, seq, created, kind,
 * hash) and the payload with enum names. Returns a malloc'd string, the caller's; NULL
 * on out of memory. flags: PROTO_JSON_PRETTY. */
#define PROTO_JSON_PRETTY	0x1
char	*proto_record_to_json(const struct hb_record *r, int flags);

/* ---- accessors: pointers live as long as the record ---- */

enum hb_kind	 proto_record_kind(const struct hb_record *r);
const uint8_t	*proto_record_author(const struct hb_record *r);	/* NULL for a draft */
const char	*proto_record_id(const struct hb_record *r);		/* NULL if unset */
uint64_t	 proto_record_seq(const struct hb_record *r);
int64_t		 proto_record_created(const struct hb_record *r);
int64_t		 proto_record_expires(const struct hb_record *r);	/* 0 = never */
/* The expires of an envelope already verified (as a store holds them), without decoding
 * the record: 0 = never. Returns 0, PROTO_EENVELOPE or PROTO_EDECODE. */
int		 proto_envelope_expires(const uint8_t *env, size_t len, int64_t *expires);
/* Signed records only: the envelope bytes (canonical) and the record hash,
 * BLAKE2b-256 of the signed message (DOMAIN 0x00 author body). */
const uint8_t	*proto_record_envelope(const struct hb_record *r, size_t *len);
const uint8_t	*proto_record_hash(const struct hb_record *r);
/* Title (event, volunteer, meeting), name (place, profile), or NULL. */
const char	*proto_record_title(const struct hb_record *r);
const char	*proto_kind_name(enum hb_kind k);	/* "event", ... ; "?" if unknown */
enum hb_kind	 proto_kind_parse(const char *name);	/* HB_KIND_NONE if unknown */

/*
 * Personal contact details of a volunteer listing (PROTOCOL.md 12). The plaintext is
 * HB_CONTACT_DOMAIN 0x00 || author || len(id) || id || contact, sealed (crypto_box_seal)
 * once to the center's X25519 key (contact_sealed) and once to the author's
 * (contact_self), both derived from the Ed25519 keys.
 *
 * proto_contact_seal: draft must be a volunteer draft whose id is unset or equal to id;
 * contact is 1..HB_CONTACT_MAX bytes of UTF-8 without control characters. Replaces any
 * sealed contact the draft held. Returns 0, PROTO_EMISSING (not a volunteer draft, or
 * empty contact), PROTO_EID, PROTO_EKEY, PROTO_ELEN, PROTO_EUTF8 or PROTO_ENOMEM.
 *
 * proto_contact_open: r must be a signed record. Opens whichever box reader's key opens
 * (contact_sealed first) and checks that the author and id inside are r's. On success
 * *contact is a malloc'd string, the caller's (wipe it when done). Returns 0,
 * PROTO_EMISSING (no sealed contact), PROTO_ENOTREADER (no box is for this key),
 * PROTO_ESEALED (a box opened but belongs to another record) or PROTO_ENOMEM; *contact
 * is NULL on failure.
 */
#define HB_CONTACT_DOMAIN	"hiroba-contact-v1"
#define HB_CONTACT_MAX		512
int	 proto_contact_seal(struct hb_record *draft, const uint8_t center_pk[HB_KEY_LEN],
	    const uint8_t author_pk[HB_KEY_LEN], const char *id, const char *contact);
int	 proto_contact_open(const struct hb_record *r, const struct hb_identity *reader,
	    char **contact);

/*
 * Erasure of sealed contacts (PROTOCOL.md 12.3). A box's digest is BLAKE2b-256 of its
 * bytes exactly as they appear in the record; a tombstone lists the digests of the boxes
 * it erases (Tombstone.erased), and stores refuse and purge any record carrying one.
 *
 * proto_record_boxes: the digests of a volunteer record's boxes (contact_sealed, then
 * contact_self; once if both hold the same bytes) into d. Returns how many, 0..2 (0 for
 * any other kind). Drafts too.
 * proto_record_erased: a tombstone's erased digests, d[i] pointing into r (valid as long
 * as r). Returns how many, at most HB_ERASED_MAX (0 for any other kind); entries that are
 * not HB_HASH_LEN bytes (a draft not validated yet) are skipped.
 * proto_tombstone_add_erased: add the n digests of d to a tombstone draft's erased list,
 * skipping those it already names. Returns 0, PROTO_EMISSING (not a tombstone draft),
 * PROTO_ECOUNT (more than HB_ERASED_MAX in all; then the draft is unchanged) or
 * PROTO_ENOMEM.
 */
#define HB_ERASED_MAX	16
size_t	 proto_record_boxes(const struct hb_record *r, uint8_t d[2][HB_HASH_LEN]);
size_t	 proto_record_erased(const struct hb_record *r,
	    const uint8_t *d[HB_ERASED_MAX]);
int	 proto_tombstone_add_erased(struct hb_record *draft,
	    const uint8_t (*d)[HB_HASH_LEN], size_t n);

/*
 * A revocation's kept ranges (Membership.kept, PROTOCOL.md 4.3): the member's seqs that
 * stay valid, as varints: start1, len1, gap2, len2, ... with range i = [a_i, a_i + len_i],
 * a_1 = start1 >= 1, a_{i+1} = a_i + len_i + gap_{i+1}, gap >= 2; minimal varints; at most
 * HB_KEPT_MAX bytes.
 * proto_kept_encode: ranges (ascending, disjoint, non-adjacent) into out; bytes written,
 * or 0 if they do not fit in outlen. proto_kept_check: 0, or PROTO_ERANGE if b is not
 * such a list with every range end <= vus. proto_kept_has: is seq in a checked list.
 * proto_record_kept: a membership's kept bytes (pointing into r), NULL if it has none.
 * proto_membership_set_kept: put a copy into a membership draft (PROTO_ENOMEM).
 */
#define HB_KEPT_MAX	(48 * 1024)
size_t	 proto_kept_encode(const uint64_t (*ranges)[2], size_t n, uint8_t *out,
	    size_t outlen);
int	 proto_kept_check(const uint8_t *b, size_t len, uint64_t vus);
bool	 proto_kept_has(const uint8_t *b, size_t len, uint64_t seq);
const uint8_t *proto_record_kept(const struct hb_record *r, size_t *len);
int	 proto_membership_set_kept(struct hb_record *draft, const uint8_t *b, size_t len);

/* Membership records: the fields the store and the daemon's trust rules need. */
struct hb_member {
	uint8_t		key[HB_KEY_LEN];
	int		role;		/* 1 center, 2 member */
	int		status;		/* 1 admitted, 2 revoked */
	int		kind;		/* GroupKind, 0 if unset */
	uint64_t	valid_until_seq;
	bool		has_replaces;
	uint8_t		replaces[HB_KEY_LEN];
	char		name[128];
};
/* 0, or PROTO_EMISSING if r is not a membership record. */
int	 proto_record_membership(const struct hb_record *r, struct hb_member *m);

/* Reply records: the meeting they answer. 0 or PROTO_EMISSING. */
int	 proto_record_reply_to(const struct hb_record *r, const uint8_t **author,
	    const char **id);

/*
 * Index material, for the store. Each walker calls cb for every item, stops early and
 * returns cb's value if it is non-zero, else returns 0.
 *
 * terms: equality terms "name=value" (PROTOCOL.md "Query terms"): cat=, aud=, tag=k=v,
 *   skill=, area=, vkind=, status=, lang=, gkind=, invited=, meeting=<hex>/<id>,
 *   wanted=<hex>/<id>, offered=<hex>/<id>.
 * texts: every human text to search (title, description, translations, names, notes).
 * occurrences: [start, end) instants of every occurrence of an event or meeting,
 *   recurrences expanded (all-day dates become 00:00..24:00 Asia/Tokyo), exceptions
 *   skipped, at most HB_OCC_MAX of them.
 */
#define HB_OCC_MAX	1100
typedef int (*proto_str_cb)(const char *s, void *arg);
typedef int (*proto_occ_cb)(int64_t start, int64_t end, void *arg);
int	 proto_record_terms(const struct hb_record *r, proto_str_cb cb, void *arg);
int	 proto_record_texts(const struct hb_record *r, proto_str_cb cb, void *arg);
int	 proto_record_occurrences(const struct hb_record *r, proto_occ_cb cb, void *arg);
/* The record's point (place, or an event's or meeting's where.point). 0 or
 * PROTO_EMISSING when it has none. */
int	 proto_record_point(const struct hb_record *r, int32_t *lat_e7, int32_t *lon_e7);

/* ---- calendar ---- */

/*
 * Proleptic Gregorian day numbers (H. Hinnant's algorithms): days since
 * 1970-01-01 of year y, month m (1-12), day d, and back. Exact for every date;
 * one copy for proto, daemon and client so that they cannot disagree.
 */
int64_t	 proto_days_from_civil(int64_t y, unsigned m, unsigned d);
void	 proto_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Days in month m (1-12) of year y. */
unsigned proto_days_in_month(int64_t y, unsigned m);

/* ---- text ---- */

/* true if s[0..len) is valid UTF-8 (no overlongs, no surrogates, no NUL). */
bool	 proto_utf8_valid(const char *s, size_t len);
/* NFKC + case folding (utf8proc), so ＡＢＣ, ABC and abc, ﾊﾟﾊﾟ and パパ compare equal.
 * Returns a malloc'd string, the caller's; NULL for invalid UTF-8 or out of memory. */
char	*proto_normalize(const char *s);

#endif /* HIROBA_PROTO_H */
