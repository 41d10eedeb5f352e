/* SPDX-License-Identifier: ISC */
/*
 * hiroba volunteer add|edit|close and hiroba volunteers: listings of help wanted by a
 * group or offered by it, matched by skill and area (normalized: ﾊﾟﾊﾟ = パパ).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

/* ---- volunteer add / edit: the table's fields; --wanted/--offered, --expires and the
 * sealed --contact are this kind's own ---- */

static int
vol_check(struct cli *cli, const struct form_opts *o)
{
	bool wanted = form_get(o, "kind.wanted") != NULL;
	bool offered = form_get(o, "kind.offered") != NULL;
	int64_t t;

	if (wanted && offered)
		return cli_usage(cli, "--wanted or --offered, not both");
	if (form_get(o, "expires") != NULL)
		return opt_time(cli, "--expires", form_get(o, "expires"), true, &t);
	return 0;
}

static int
vol_apply(struct cli *cli, json_t *draft, const struct form_opts *o)
{
	json_t *v = draft_payload(draft, "volunteer");
	int64_t expires;
	int rc;

	if (form_get(o, "kind.wanted") != NULL)
		json_object_set_new(v, "kind", json_string("wanted"));
	else if (form_get(o, "kind.offered") != NULL)
		json_object_set_new(v, "kind", json_string("offered"));
	if (form_get(o, "expires") != NULL) {
		if ((rc = opt_time(cli, "--expires", form_get(o, "expires"), true,
		    &expires)) != 0)
			return rc;
		json_object_set_new(draft, "expires", json_integer(expires));
	}
	if (json_object_get(v, "status") == NULL)
		json_object_set_new(v, "status", json_string("open"));
	return 0;
}

/*
 * --contact: the contact sealed to the center's key and to this group's own (both from
 * `status`), bound to the record's id; the plain text never leaves this process.
 * --contact '' removes a sealed contact.
 */
static int
vol_seal(struct cli *cli, json_t *draft, const char *id, const char *contact)
{
	const Hiroba__Wire__Status *st;
	struct hb_record *d = NULL;
	const char *cur;
	json_t *v = draft_payload(draft, "volunteer"), *j = NULL, *sv;
	char *text = NULL, *out = NULL, err[256] = "";
	int rc;

	json_object_del(v, "contact_sealed");
	json_object_del(v, "contact_self");
	if (*contact == '\0')
		return 0;
	if ((rc = hc_status(cli, &st)) != 0)
		return rc;
	if (st->center.len != HB_KEY_LEN)
		return cli_error(HB_EXIT_FAIL, "hirobad did not say which key is the center's");
	/* id may be the draft's own "id" string, which setting it again would free */
	cur = json_string_value(json_object_get(draft, "id"));
	if (cur == NULL || strcmp(cur, id) != 0)
		json_object_set_new(draft, "id", json_string(id));
	rc = HB_EXIT_FAIL;
	/* The payload and the header the daemon will sign (expires, id) only. */
	if ((j = json_pack("{s:O, s:s}", "volunteer", v, "id", id)) == NULL)
		goto out;
	if (json_is_integer(json_object_get(draft, "expires")))
		json_object_set(j, "expires", json_object_get(draft, "expires"));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = NULL;
	if (text == NULL)
		goto out;
	if (proto_draft_from_json(text, strlen(text), &d, err, sizeof(err)) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "not a valid record: %s", err);
		goto out;
	}
	if ((rc = proto_contact_seal(d, st->center.data, st->key.data, id, contact)) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "--contact: %s", proto_strerror(rc));
		goto out;
	}
	rc = HB_EXIT_FAIL;
	if ((out = proto_record_to_json(d, 0)) == NULL ||
	    (j = json_loads(out, 0, NULL)) == NULL ||
	    (sv = json_object_get(j, "volunteer")) == NULL)
		goto out;
	json_object_set(v, "contact_sealed", json_object_get(sv, "contact_sealed"));
	json_object_set(v, "contact_self", json_object_get(sv, "contact_self"));
	rc = 0;
out:
	if (rc == HB_EXIT_FAIL && err[0] == '\0')
		cli_error(rc, "cannot seal the contact");
	json_decref(j);
	free(text);
	free(out);
	hb_record_free(&d);
	return rc;
}

static int
vol_finish(struct cli *cli, json_t *draft, const struct form_opts *o, const char *id)
{
	const char *contact = form_get(o, "contact");

	return contact != NULL ? vol_seal(cli, draft, id, contact) : 0;
}

const struct form vol_form = { HB_VOLUNTEER, true, vol_check, vol_apply,
	vol_finish };

int
cmd_volunteer_close(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "filled", no_argument, NULL, 'F' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *draft = NULL;
	bool filled = false;
	char *id = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'F')
			filled = true;
		else if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which listing? (its ID)") :
		    N_("one at a time"));
	if ((rc = draft_get_own(cli, argv[optind], HB_VOLUNTEER, &draft, &id)) == 0) {
		json_object_set_new(draft_payload(draft, "volunteer"), "status",
		    json_string(filled ? "filled" : "closed"));
		rc = draft_publish(cli, draft, id);
	}
	json_decref(draft);
	free(id);
	return rc;
}

/* Skills and areas are compared normalized (NFKC, case folded): ﾊﾟﾊﾟ finds パパ. */
static int
term_norm(struct cli *cli, struct qb *b, const char *name, const char *value)
{
	char *norm;
	int rc;

	if ((norm = proto_normalize(value)) == NULL)
		return cli_usage(cli, "--%s: not valid UTF-8", name);
	rc = qb_term(cli, b, name, norm);
	free(norm);
	return rc;
}

int
cmd_volunteers(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wanted", no_argument, NULL, 'w' },
		{ "offered", no_argument, NULL, 'o' },
		{ "skill", required_argument, NULL, 's' },
		{ "area", required_argument, NULL, 'a' },
		{ "open", no_argument, NULL, 'O' },
		QB_LIMIT_OPT, QB_LIST_OPTS, QB_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct qb b;
	char people[32], skills[512], ref[REF_BUFLEN];
	const char *vkind = NULL;
	struct table *t = NULL;
	struct qres res;
	size_t i, k, off;
	json_t *v, *s;
	int c, rc = 0;

	qb_init(&b, HB_VOLUNTEER);
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'o':
			if (vkind != NULL) {
				rc = cli_usage(cli, "--wanted or --offered, not both");
				goto out;
			}
			vkind = c == 'w' ? "wanted" : "offered";
			break;
		case 's':
		case 'a':
			if ((rc = term_norm(cli, &b, c == 's' ? "skill" : "area", optarg)) != 0)
				goto out;
			break;
		case 'O':
			if ((rc = qb_term(cli, &b, "status", "open")) != 0)
				goto out;
			break;
		default:
			if ((rc = qb_opt(cli, &b, c, argv)) >= 0)
				goto out;
		}
	}
	if ((rc = qb_done(cli, &b, argc, argv)) != 0 ||
	    (vkind != NULL && (rc = qb_term(cli, &b, "vkind", vkind)) != 0) ||
	    (rc = hc_query_open(cli, &b.q, &res)) != 0)
		goto out;
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);
		table_col(t, "種別", 0);
		table_col(t, "タイトル", TABLE_TRUNC);
		table_col(t, "スキル", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "地域", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "人数", TABLE_RIGHT);
		table_col(t, "状態", 0);
		table_col(t, "グループ", TABLE_TRUNC);
	}
	for (i = 0; i < res.n; i++) {
		if (res.json[i] == NULL || proto_record_kind(res.recs[i]) != HB_VOLUNTEER)
			continue;
		ref_record(cli, res.recs[i], ref, sizeof(ref));
		if (cli->json) {
			json_object_set_new(res.json[i], "ref_short", json_string(ref));
			json_line(json_incref(res.json[i]));
			continue;
		}
		v = json_object_get(res.json[i], "volunteer");
		off = 0;
		skills[0] = '\0';
		json_array_foreach(json_object_get(v, "skills"), k, s) {
			off += (size_t)snprintf(skills + off, off < sizeof(skills) ?
			    sizeof(skills) - off : 0, "%s%s", off ? "、" : "", json_string_value(s));
			if (off >= sizeof(skills))
				break;
		}
		if (json_is_integer(json_object_get(v, "people")))
			snprintf(people, sizeof(people), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(v, "people")));
		else
			snprintf(people, sizeof(people), "-");
		table_row(t, strcmp(hc_jstr(v, "status"), "open") == 0 ? NULL : "gray", ref,
		    vocab_label_lang(cli, vocab_vkind, hc_jstr(v, "kind")),
		    text_lang(cli, v, "title", "title"), skills, hc_jstr(v, "area"), people,
		    vocab_label_lang(cli, vocab_lstatus, hc_jstr(v, "status")),
		    hc_jstr(res.json[i], "group"));
	}
	if (t != NULL)
		rc = table_print(&t);
	qres_free(&res);
out:
	qb_free(&b);
	return rc;
}
