/* SPDX-License-Identifier: ISC */
/*
 * draft: records as the CLI builds them. A draft is a JSON object in proto's JSON form;
 * it is checked locally with proto_draft_from_json (so mistakes are named before anything
 * is sent) and published through the daemon, which signs it. Edits read the current
 * version back: get → to_json → change fields → from_json → publish.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hiroba.h"

/* ja, ja-x-easy and no --lang read Japanese labels; any other language English ones. */
static bool
lang_is_ja(const struct cli *cli)
{
	return cli->lang == NULL || strcmp(cli->lang, "ja") == 0 ||
	    strncmp(cli->lang, "ja-", 3) == 0;
}

const char *
vocab_label_lang(struct cli *cli, const struct vocab *v, const char *json)
{
	return vocab_label_in(v, json, lang_is_ja(cli));
}

json_t *
vocab_list(struct cli *cli, const struct vocab *v, const char *what, const char *s)
{
	const struct vocab *f;
	json_t *a = json_array();
	char *copy = strdup(s), *tok, *save = NULL, ok[512];

	if (a == NULL || copy == NULL)
		goto fail;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((f = vocab_find_label(v, tok)) == NULL) {
			cli_usage(cli, "unknown %s '%s'; one of: %s", what, tok,
			    vocab_accepted(v, ok, sizeof(ok)));
			goto fail;
		}
		json_array_append_new(a, json_string(f->json));
	}
	free(copy);
	return a;
fail:
	free(copy);
	json_decref(a);
	return NULL;
}

int
draft_read(struct cli *cli, const char *path, json_t **out)
{
	json_error_t err;
	FILE *f;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
	*out = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	if (f != stdin)
		fclose(f);
	if (*out == NULL)
		return cli_error(HB_EXIT_FAIL, "%s: line %d, column %d: %s",
		    strcmp(path, "-") == 0 ? "stdin" : path, err.line, err.column, err.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cli_error(HB_EXIT_FAIL, "%s: a record is a JSON object", path);
	}
	return 0;
}

static void
print_published(struct cli *cli, const struct hb_record *r)
{
	char when[48];

	if (cli->json) {
		json_line(json_record(cli, r));
		return;
	}
	timefmt_local(proto_record_created(r), when, sizeof(when));
	printf(_("published %s %s (seq %llu, %s)\n"), cli_kind_word(proto_record_kind(r)),
	    proto_record_id(r), (unsigned long long)proto_record_seq(r), when);
}

int
draft_publish(struct cli *cli, json_t *draft, const char *id)
{
	static const char *const header[] = { "author", "seq", "created", "kind", "hash",
	    "group" };
	struct hb_record *d = NULL, *r = NULL;
	char *text = NULL, err[256] = "";
	size_t i;
	int rc;

	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		json_object_del(draft, header[i]);
	if (id != NULL)
		json_object_set_new(draft, "id", json_string(id));
	if (!json_is_string(json_object_get(draft, "id"))) {
		rc = cli_error(HB_EXIT_FAIL, "the record has no \"id\"");
		goto out;
	}
	if ((text = json_dumps(draft, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = proto_draft_from_json(text, strlen(text), &d, err, sizeof(err))) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "not a valid record: %s", err[0] != '\0' ? err :
		    proto_strerror(rc));
		goto out;
	}
	if (cli->dry_run) {
		json_dumpf(draft, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		goto out;
	}
	if ((rc = hc_publish(cli, d, &r)) != 0)
		goto out;
	print_published(cli, r);
out:
	hb_record_free(&r);
	hb_record_free(&d);
	free(text);
	return rc;
}

static bool
is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

int
draft_ref(struct cli *cli, const char *s, uint8_t author[HB_KEY_LEN], char **id)
{
	const uint8_t *self;
	int rc;

	/* every form people type (ref.c); what follows is the old reading,
	 * kept for --remote, where the remote's records cannot be listed for refs */
	if (cli->remote == NULL)
		return ref_resolve(cli, s, HB_KIND_NONE, author, id);
	*id = NULL;
	if (strlen(s) > 65 && s[64] == '/' && is_hex64(s)) {
		char hex[HB_KEYHEX_LEN];

		memcpy(hex, s, 64);
		hex[64] = '\0';
		if (proto_key_parse(hex, author) != 0)
			return cli_usage(cli, "'%s' is not a group key", hex);
		s += 65;
	} else {
		if ((rc = hc_self(cli, &self)) != 0)
			return rc;
		memcpy(author, self, HB_KEY_LEN);
	}
	if (*s == '\0')
		return cli_usage(cli, "no record id");
	if ((*id = strdup(s)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	return 0;
}

int
draft_get_own(struct cli *cli, const char *ref, enum hb_kind want, json_t **out, char **id)
{
	static const char *const header[] = { "author", "seq", "created", "kind", "hash" };
	const uint8_t *self;
	uint8_t author[HB_KEY_LEN];
	struct hb_record *r = NULL;
	char fpr[HB_FPR_LEN];
	enum hb_kind k;
	size_t i;
	int rc;

	*out = NULL;
	*id = NULL;
	if ((rc = hc_self(cli, &self)) != 0 || (rc = draft_ref(cli, ref, author, id)) != 0)
		goto out;
	/* Records are signed by their group's key: another group's record cannot be
	 * changed from here, only by that group. */
	if (memcmp(author, self, HB_KEY_LEN) != 0) {
		proto_fingerprint(author, fpr);
		rc = cli_error(HB_EXIT_FAIL, "%s belongs to %s (%s), not to this group: only "
		    "that group can change it", *id, hc_group_name(cli, author), fpr);
		goto out;
	}
	if ((rc = hc_get(cli, author, *id, &r)) != 0) {
		if (rc == HB_EXIT_NOTFOUND)
			cli_error(rc, "this group has no record '%s' (`hiroba show %s` looks for "
			    "it; records of other groups cannot be changed here)", *id, *id);
		goto out;
	}
	k = proto_record_kind(r);
	if (k == HB_TOMBSTONE) {
		rc = cli_error(HB_EXIT_NOTFOUND, "'%s' was deleted", *id);
		goto out;
	}
	if (want != HB_KIND_NONE && k != want) {
		rc = cli_error(HB_EXIT_FAIL, "'%s' is a %s, not a%s %s", *id,
		    cli_kind_word(k), want == HB_EVENT ? "n" : "", cli_kind_word(want));
		goto out;
	}
	if ((*out = json_record(NULL, r)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "cannot convert '%s' to JSON", *id);
		goto out;
	}
	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		json_object_del(*out, header[i]);
out:
	hb_record_free(&r);
	if (rc != 0) {
		free(*id);
		*id = NULL;
	}
	return rc;
}

static char *
draft_new_id(const char *prefix, int64_t ymd)
{
	uint8_t rnd[3];
	char *id;

	if (getentropy(rnd, sizeof(rnd)) != 0)
		return NULL;
	if (ymd != 0)
		id = cli_strf("%s/%08lld-%02x%02x%02x", prefix, (long long)ymd, rnd[0],
		    rnd[1], rnd[2]);
	else
		id = cli_strf("%s/%02x%02x%02x", prefix, rnd[0], rnd[1], rnd[2]);
	return id;
}

int
draft_set_id(json_t *draft, const char *given, const char *prefix, int64_t ymd)
{
	char	*id;

	if (given != NULL) {
		json_object_set_new(draft, "id", json_string(given));
		return 0;
	}
	if (json_is_string(json_object_get(draft, "id")))
		return 0;
	if ((id = draft_new_id(prefix, ymd)) == NULL)
		return cli_error(HB_EXIT_FAIL, "cannot make a record id");
	json_object_set_new(draft, "id", json_string(id));
	free(id);
	return 0;
}
