/* SPDX-License-Identifier: ISC */
/*
 * hiroba publish / show / delete: any record by its JSON form, one record in full, and
 * tombstones for this group's own records.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

int
cmd_publish(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	json_t *draft = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s' (the record comes with -f)",
		    argv[optind]);
	if (file == NULL)
		return cli_usage(cli, "-f FILE is required ('-f -' reads stdin)");
	if ((rc = draft_read(cli, file, &draft)) != 0)
		return rc;
	if (!json_is_string(json_object_get(draft, "id")))
		rc = cli_error(HB_EXIT_FAIL, "%s: the record needs an \"id\" such as "
		    "\"event/2026-12-05-papa\"", file);
	else
		rc = draft_publish(cli, draft, NULL);
	json_decref(draft);
	return rc;
}

/* ---- show: a record for people ---- */

static bool
time_key(const char *k)
{
	return strcmp(k, "start") == 0 || strcmp(k, "end") == 0 || strcmp(k, "until") == 0 ||
	    strcmp(k, "created") == 0 || strcmp(k, "expires") == 0 ||
	    strcmp(k, "exceptions") == 0 || strcmp(k, "last_contact") == 0;
}

/* The vocabulary of an enumerated field, by its path: "event.category" ... */
static const struct vocab *
path_vocab(const char *path)
{
	static const struct { const char *path; const struct vocab *v; } map[] = {
		{ "event.category", vocab_category },
		{ "event.audience", vocab_audience },
		{ "volunteer.kind", vocab_vkind },
		{ "volunteer.status", vocab_lstatus },
		{ "membership.kind", vocab_group_kind },
		{ "profile.kind", vocab_group_kind },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].path, path) == 0)
			return map[i].v;
	return NULL;
}

/* A value for people: enum names become their label ("other_category" is その他). */
static void
scalar(json_t *v, const char *path, const char *key, bool all_day, char *buf, size_t len)
{
	const struct vocab *voc;
	char *s;

	if (json_is_string(v) && (voc = path_vocab(path)) != NULL)
		snprintf(buf, len, "%s", vocab_label(voc, json_string_value(v)));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v) && key != NULL && time_key(key) && json_integer_value(v)) {
		if (all_day && strcmp(key, "created") != 0 && strcmp(key, "expires") != 0)
			timefmt_date(json_integer_value(v), buf, len);
		else
			timefmt_local(json_integer_value(v), buf, len);
	} else if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) != NULL) {
		snprintf(buf, len, "%s", s);
		free(s);
	} else
		buf[0] = '\0';
}

static void
flatten(struct table *t, const char *path, json_t *v, const char *key, bool all_day)
{
	const char *k;
	char sub[256], buf[1024];
	json_t *x;
	size_t i, n;

	if (json_is_object(v)) {
		if (json_is_true(json_object_get(v, "all_day")))
			all_day = true;
		/* A When reads best on one line. */
		if (key != NULL && strcmp(key, "when") == 0 &&
		    json_is_integer(json_object_get(v, "start")) &&
		    json_is_integer(json_object_get(v, "end"))) {
			json_int_t s = json_integer_value(json_object_get(v, "start"));
			json_int_t e = json_integer_value(json_object_get(v, "end"));

			if (all_day)
				timefmt_span(timefmt_ymd_start(s), timefmt_ymd_start(e) + 86400,
				    true, buf, sizeof(buf));
			else
				timefmt_span(s, e, false, buf, sizeof(buf));
			table_row(t, NULL, path, buf);
			return;
		}
		json_object_foreach(v, k, x) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			flatten(t, sub, x, k, all_day);
		}
		return;
	}
	if (json_is_array(v)) {
		n = json_array_size(v);
		for (i = 0; i < n; i++)
			if (json_is_object(json_array_get(v, i)) ||
			    json_is_array(json_array_get(v, i)))
				break;
		if (i == n) {	/* scalars: one line */
			size_t off = 0;

			buf[0] = '\0';
			json_array_foreach(v, i, x) {
				char one[256];

				scalar(x, path, key, all_day, one, sizeof(one));
				off += (size_t)snprintf(buf + off, off < sizeof(buf) ?
				    sizeof(buf) - off : 0, "%s%s", i ? ", " : "", one);
				if (off >= sizeof(buf))
					break;
			}
			table_row(t, NULL, path, buf);
			return;
		}
		json_array_foreach(v, i, x) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			flatten(t, sub, x, key, all_day);
		}
		return;
	}
	scalar(v, path, key, all_day, buf, sizeof(buf));
	table_row(t, NULL, path, buf);
}

int
cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, CLI_READ_OPTS,
	    { NULL, 0, NULL, 0 } };
	uint8_t author[HB_KEY_LEN];
	struct hb_record *r = NULL;
	struct table *t;
	char *id = NULL, fpr[HB_FPR_LEN], grp[256];
	json_t *j = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which record?") :
		    N_("one record at a time"));
	if ((rc = cli_read_check(cli)) != 0)
		return rc;
	if ((rc = draft_ref(cli, argv[optind], author, &id)) != 0)
		goto out;
	if ((rc = hc_get(cli, author, id, &r)) != 0) {
		if (rc == HB_EXIT_NOTFOUND)
			cli_error(rc, "no record '%s' of %s%s", id, hc_group_name(cli, author),
			    strchr(argv[optind], '/') == argv[optind] + 64 ? "" :
			    " (another group's record? give AUTHORHEX/ID)");
		goto out;
	}
	if ((j = json_record(cli, r)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "cannot convert the record to JSON");
		goto out;
	}
	if (cli->json) {
		json_line(j);
		j = NULL;
		goto out;
	}
	proto_fingerprint(author, fpr);
	snprintf(grp, sizeof(grp), "%s (%s)", hc_group_name(cli, author), fpr);
	json_object_del(j, "group");
	t = table_new(cli);
	table_col(t, "field", 0);
	table_col(t, "value", TABLE_WRAP);
	table_noheadings(t);
	table_row(t, NULL, "group", grp);
	flatten(t, "", j, NULL, false);
	rc = table_print(&t);
out:
	json_decref(j);
	hb_record_free(&r);
	free(id);
	return rc;
}

int
cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL;
	struct hb_record *d = NULL, *r = NULL;
	json_t *cur = NULL;
	char *id = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which record?") :
		    N_("one record at a time"));
	if ((rc = draft_get_own(cli, argv[optind], HB_KIND_NONE, &cur, &id)) != 0)
		goto out;
	if ((d = proto_tombstone_new(id, reason)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "cannot build the tombstone (reason too long?)");
		goto out;
	}
	if ((rc = hc_publish(cli, d, &r)) != 0)
		goto out;
	if (cli->json)
		json_line(json_record(cli, r));
	else
		printf(_("deleted %s\n"), id);
out:
	hb_record_free(&d);
	hb_record_free(&r);
	json_decref(cur);
	free(id);
	return rc;
}
