/* SPDX-License-Identifier: ISC */
/*
 * ref: references to records that people can read off a listing and type back, and the
 * one function that turns what they typed into (author, id).
 *
 * The scheme. A record is named by its author's key and its id ("event/20261205-a1b2c3").
 * Neither is something to type at a nursery's PC: the key is 64 hex digits, and ids are
 * long and only unique per group. So every listing prints a short reference in its 参照
 * column: the first hex digits of BLAKE2b-64(author key || id), as many as make it unique
 * among every record this daemon holds, and at least REF_MIN (4), as git abbreviates
 * commits. It is the same on every daemon that holds the same records, needs no state,
 * and says nothing about the group: the listing's グループ column already does, and
 * leaving the name out keeps the column at 4-6 cells in an 80-column terminal.
 *
 * Every command that takes a record accepts, tried in this order:
 *   AUTHORHEX/ID   the full reference (64 hex digits, "/", the id), as --json shows it;
 *   ID             one of our own records by its id, else another group's record with
 *                  that id if only one group has one;
 *   GROUP/ID       a group's name (or fingerprint) from `hiroba members`, "/", its id or
 *                  a short reference of one of its records;
 *   SHORT          a short reference, or any longer prefix of the same hash (4..16 hex).
 * When the text was not a full reference, the record it was taken to mean is said in one
 * line on stderr. No such record: exit 4. More than one (a prefix too short, an id that
 * two groups use): the candidates are listed on stderr and the exit status is 2, as for
 * any other command line that must be made more precise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hiroba.h"

#define REF_HASH_LEN	8	/* bytes of BLAKE2b: 16 hex digits at most */
#define REF_CAND_MAX	8	/* candidates listed when ambiguous */

/* Every record the daemon holds, loaded once per run (the CLI is one short process). */
struct refent {
	uint8_t		 h[REF_HASH_LEN];
	uint8_t		 author[HB_KEY_LEN];
	char		*id;
	enum hb_kind	 kind;
};
static struct refent	*refs;
static size_t		 nrefs;
static bool		 refs_loaded;

static void
ref_hash(const uint8_t author[HB_KEY_LEN], const char *id, uint8_t h[REF_HASH_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, REF_HASH_LEN);
	crypto_generichash_update(&st, author, HB_KEY_LEN);
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	crypto_generichash_final(&st, h, REF_HASH_LEN);
}

static int
refent_cmp(const void *a, const void *b)
{
	return memcmp(((const struct refent *)a)->h, ((const struct refent *)b)->h,
	    REF_HASH_LEN);
}

/* A record's title or name for messages, into buf ("" if it has none). Fetched only
 * for the few records a message names, not for every record loaded. */
static const char *
record_title(struct cli *cli, const struct refent *e, char *buf, size_t len)
{
	struct hb_record *r = NULL;
	json_t *j = NULL, *p;
	const char *s = "";

	if (hc_get(cli, e->author, e->id, &r) == 0 && (j = json_record(NULL, r)) != NULL) {
		p = json_object_get(j, proto_kind_name(proto_record_kind(r)));
		if (*(s = hc_jstr(p, "title")) == '\0')
			s = hc_jstr(p, "name");
	}
	snprintf(buf, len, "%s", s);
	json_decref(j);
	hb_record_free(&r);
	return buf;
}

/* Load every live record's hash. Exit code. */
static int
refs_load(struct cli *cli)
{
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct hb_record *r;
	size_t i;
	int rc;

	if (refs_loaded)
		return 0;
	q.has_limit = 1;
	q.limit = 100000;	/* the daemon's most; a bigger store may give longer refs */
	if ((rc = hc_query(cli, &q, &resp)) != 0)
		return rc;
	if ((refs = calloc(resp->n_envelopes + 1, sizeof(*refs))) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((r = hc_open(&resp->envelopes[i])) == NULL)
			continue;
		/* an event's occurrences may bring it more than once: once is enough */
		memcpy(refs[nrefs].author, proto_record_author(r), HB_KEY_LEN);
		ref_hash(refs[nrefs].author, proto_record_id(r), refs[nrefs].h);
		refs[nrefs].kind = proto_record_kind(r);
		refs[nrefs].id = strdup(proto_record_id(r));
		if (refs[nrefs].id != NULL)
			nrefs++;
		hb_record_free(&r);
	}
	qsort(refs, nrefs, sizeof(*refs), refent_cmp);
	/* drop duplicates (the same record twice) */
	for (i = 1; nrefs > 0 && i < nrefs; ) {
		if (memcmp(refs[i].h, refs[i - 1].h, REF_HASH_LEN) == 0 &&
		    memcmp(refs[i].author, refs[i - 1].author, HB_KEY_LEN) == 0 &&
		    strcmp(refs[i].id, refs[i - 1].id) == 0) {
			free(refs[i].id);
			memmove(&refs[i], &refs[i + 1], (nrefs - i - 1) * sizeof(*refs));
			nrefs--;
		} else
			i++;
	}
	refs_loaded = true;
out:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

/* Hex digits that two hashes share at the start. */
static int
common_hex(const uint8_t *a, const uint8_t *b)
{
	int n = 0, i;

	for (i = 0; i < REF_HASH_LEN; i++) {
		if (a[i] == b[i]) {
			n += 2;
			continue;
		}
		if ((a[i] >> 4) == (b[i] >> 4))
			n++;
		break;
	}
	return n;
}

void
ref_short(struct cli *cli, const uint8_t author[HB_KEY_LEN], const char *id, char *buf,
    size_t len)
{
	uint8_t h[REF_HASH_LEN];
	char hex[2 * REF_HASH_LEN + 1];
	int want = REF_MIN, c;
	size_t i;

	ref_hash(author, id, h);
	for (i = 0; i < REF_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	/* Unique among the records the daemon holds (sorted by hash: the neighbours of
	 * where h sorts share the longest prefixes with it); if they cannot be loaded,
	 * the shortest form still works while it stays unique. */
	if (refs_load(cli) == 0 && nrefs > 0) {
		size_t lo = 0, hi = nrefs, mid;

		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (memcmp(refs[mid].h, h, REF_HASH_LEN) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo > 0 ? lo - 1 : 0; i < nrefs && i <= lo + 1; i++) {
			if (memcmp(refs[i].h, h, REF_HASH_LEN) == 0)
				continue;
			if ((c = common_hex(refs[i].h, h) + 1) > want)
				want = c;
		}
	}
	if (want > 2 * REF_HASH_LEN)
		want = 2 * REF_HASH_LEN;
	snprintf(buf, len, "%.*s", want, hex);
}

void
ref_record(struct cli *cli, const struct hb_record *r, char *buf, size_t len)
{
	if (r == NULL || proto_record_author(r) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	ref_short(cli, proto_record_author(r), proto_record_id(r), buf, len);
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* Does hash h start with the hex prefix p? */
static bool
hash_has_prefix(const uint8_t *h, const char *p)
{
	char hex[2 * REF_HASH_LEN + 1];
	size_t i;

	for (i = 0; i < REF_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	return strncasecmp(hex, p, strlen(p)) == 0;
}

/* A group's name (or fingerprint) to its key, quietly: false if no member has it. */
static bool
group_lookup(struct cli *cli, const char *name, size_t len, uint8_t key[HB_KEY_LEN])
{
	const char *hex;
	char fpr[HB_FPR_LEN];
	uint8_t k[HB_KEY_LEN];
	json_t *v;
	int found = 0;

	if (cli->names == NULL)
		return false;
	json_object_foreach(cli->names, hex, v) {
		const char *s = json_string_value(v);

		if (proto_key_parse(hex, k) != 0)
			continue;
		proto_fingerprint(k, fpr);
		if ((s != NULL && strlen(s) == len && strncmp(s, name, len) == 0) ||
		    (strlen(fpr) == len && strncasecmp(fpr, name, len) == 0)) {
			memcpy(key, k, HB_KEY_LEN);
			found++;
		}
	}
	return found == 1;
}

static void
say_meant(struct cli *cli, const char *text, const struct refent *e)
{
	char title[256];

	record_title(cli, e, title, sizeof(title));
	fprintf(stderr, "hiroba: %s → %s の %s%s%s%s\n", text, hc_group_name(cli, e->author),
	    e->id, *title != '\0' ? "「" : "", title, *title != '\0' ? "」" : "");
}

int
ref_resolve(struct cli *cli, const char *text, enum hb_kind kind,
    uint8_t author[HB_KEY_LEN], char **id)
{
	const struct refent *cand[REF_CAND_MAX];
	const uint8_t *self;
	uint8_t gkey[HB_KEY_LEN];
	struct hb_record *r = NULL;
	const char *rest = text, *slash;
	char hex[HB_KEYHEX_LEN], shortref[24], title[256];
	size_t i, ncand = 0;
	bool bygroup = false;
	int rc;

	*id = NULL;
	if (*text == '\0')
		return cli_usage(cli, "no record reference");
	/* AUTHORHEX/ID: taken as it is */
	if (strlen(text) > 65 && text[64] == '/' && is_hex(text, 64)) {
		memcpy(hex, text, 64);
		hex[64] = '\0';
		if (proto_key_parse(hex, author) != 0)
			return cli_usage(cli, "'%s' is not a group key", hex);
		if ((*id = strdup(text + 65)) == NULL)
			return cli_error(HB_EXIT_FAIL, "out of memory");
		return 0;
	}
	if ((rc = hc_self(cli, &self)) != 0)
		return rc;
	/* ID of one of our own records: as before, quietly (of another kind too: the
	 * caller says "'x' is a place, not a meeting") */
	if (hc_get(cli, self, text, &r) == 0) {
		hb_record_free(&r);
		memcpy(author, self, HB_KEY_LEN);
		if ((*id = strdup(text)) == NULL)
			return cli_error(HB_EXIT_FAIL, "out of memory");
		return 0;
	}
	hb_record_free(&r);
	(void)hc_group_name(cli, self);	/* loads cli->names */
	/* GROUP/...: a member's name or fingerprint, at any "/" (names may hold one) */
	for (slash = strchr(text, '/'); slash != NULL; slash = strchr(slash + 1, '/'))
		if (group_lookup(cli, text, (size_t)(slash - text), gkey)) {
			bygroup = true;
			rest = slash + 1;
			break;
		}
	if ((rc = refs_load(cli)) != 0)
		return rc;
	/* an exact id first (of that group, or of any group), then a short reference */
	for (i = 0; i < nrefs && ncand < REF_CAND_MAX; i++)
		if ((!bygroup || memcmp(refs[i].author, gkey, HB_KEY_LEN) == 0) &&
		    (kind == HB_KIND_NONE || refs[i].kind == kind) &&
		    strcmp(refs[i].id, rest) == 0)
			cand[ncand++] = &refs[i];
	if (ncand == 0 && strlen(rest) >= REF_MIN && strlen(rest) <= 2 * REF_HASH_LEN &&
	    is_hex(rest, strlen(rest)))
		for (i = 0; i < nrefs && ncand < REF_CAND_MAX; i++)
			if ((!bygroup || memcmp(refs[i].author, gkey, HB_KEY_LEN) == 0) &&
			    (kind == HB_KIND_NONE || refs[i].kind == kind) &&
			    hash_has_prefix(refs[i].h, rest))
				cand[ncand++] = &refs[i];
	if (ncand == 0) {
		if (bygroup)
			return cli_error(HB_EXIT_NOTFOUND, "%s has no %s '%s' (give a reference "
			    "from the 参照 column of a listing, GROUP/ID or AUTHORHEX/ID)",
			    hc_group_name(cli, gkey), cli_kind_word(kind), rest);
		return cli_error(HB_EXIT_NOTFOUND, "no %s '%s' (give a reference from the 参照 "
		    "column of a listing, GROUP/ID or AUTHORHEX/ID)", cli_kind_word(kind),
		    text);
	}
	if (ncand > 1) {
		fflush(stdout);
		fprintf(stderr, _("hiroba: '%s' could mean more than one %s; give a "
		    "longer reference or GROUP/ID:\n"), text, cli_kind_word(kind));
		for (i = 0; i < ncand; i++) {
			ref_short(cli, cand[i]->author, cand[i]->id, shortref, sizeof(shortref));
			fprintf(stderr, "  %-8s %s/%s  %s\n", shortref,
			    hc_group_name(cli, cand[i]->author), cand[i]->id,
			    record_title(cli, cand[i], title, sizeof(title)));
		}
		return HB_EXIT_USAGE;
	}
	memcpy(author, cand[0]->author, HB_KEY_LEN);
	if ((*id = strdup(cand[0]->id)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	say_meant(cli, text, cand[0]);
	return 0;
}

int
ref_mine(struct cli *cli, Hiroba__Wire__Query *q)
{
	const uint8_t *self;
	int rc;

	if ((rc = hc_self(cli, &self)) != 0)
		return rc;
	q->has_author = 1;
	q->author.data = (uint8_t *)self;
	q->author.len = HB_KEY_LEN;
	return 0;
}
