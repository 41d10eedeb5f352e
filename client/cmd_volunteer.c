/*
 * hiroba volunteer add|edit|close and hiroba volunteers: listings of help wanted by a
 * group or offered by it, matched by skill and area (normalized: ﾊﾟﾊﾟ = パパ).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

#define MAX_SKILLS	32

struct vol_opts {
	const char	*file, *id, *title, *area, *description, *status, *kind;
	const char	*contact;	/* --contact: sealed to the center and to us */
	char		*skills;	/* comma-joined, malloc'd */
	int64_t		 expires;	/* --expires, 0 = not given */
	long long	 people;
	int		 given;
};

enum { O_WANTED = 256, O_OFFERED, O_TITLE, O_SKILL, O_AREA, O_PEOPLE, O_DESC, O_STATUS,
	O_CONTACT, O_EXPIRES, O_ID };

static int
vol_parse(struct cli *cli, int argc, char **argv, struct vol_opts *o)
{
	static const struct option opts[] = {
		{ "wanted", no_argument, NULL, O_WANTED },
		{ "offered", no_argument, NULL, O_OFFERED },
		{ "title", required_argument, NULL, O_TITLE },
		{ "skill", required_argument, NULL, O_SKILL },
		{ "area", required_argument, NULL, O_AREA },
		{ "people", required_argument, NULL, O_PEOPLE },
		{ "description", required_argument, NULL, O_DESC },
		{ "status", required_argument, NULL, O_STATUS },
		{ "contact", required_argument, NULL, O_CONTACT },
		{ "expires", required_argument, NULL, O_EXPIRES },
		{ "id", required_argument, NULL, O_ID },
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	char *s;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->people = -1;
	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		if (c >= O_WANTED && c != O_ID)
			o->given++;
		switch (c) {
		case 'f': o->file = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_TITLE: o->title = optarg; break;
		case O_AREA: o->area = optarg; break;
		case O_DESC: o->description = optarg; break;
		case O_CONTACT: o->contact = optarg; break;
		case O_EXPIRES:
			if ((rc = opt_time(cli, "--expires", optarg, true, &o->expires)) != 0)
				return rc;
			break;
		case O_WANTED:
		case O_OFFERED:
			if (o->kind != NULL)
				return cli_usage(cli, "--wanted or --offered, not both");
			o->kind = c == O_WANTED ? "wanted" : "offered";
			break;
		case O_STATUS:
			if (vocab_find(vocab_lstatus, optarg) == NULL)
				return cli_usage(cli, "--status: open, filled or closed, not '%s'",
				    optarg);
			o->status = optarg;
			break;
		case O_SKILL:
			s = o->skills != NULL ? cli_strf("%s,%s", o->skills, optarg) :
			    strdup(optarg);
			free(o->skills);
			if ((o->skills = s) == NULL)
				return cli_error(HB_EXIT_FAIL, "out of memory");
			break;
		case O_PEOPLE:
			if ((o->people = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--people: a number, not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	return -1;
}

static void
vol_apply(json_t *draft, const struct vol_opts *o)
{
	json_t *v = draft_payload(draft, "volunteer"), *a;
	char *copy, *tok, *save = NULL;

	if (o->kind != NULL)
		json_object_set_new(v, "kind", json_string(o->kind));
	if (o->title != NULL)
		json_object_set_new(v, "title", json_string(o->title));
	if (o->area != NULL)
		json_object_set_new(v, "area", json_string(o->area));
	if (o->description != NULL)
		json_object_set_new(v, "description", json_string(o->description));
	if (o->people >= 0)
		json_object_set_new(v, "people", json_integer(o->people));
	if (o->expires != 0)
		json_object_set_new(draft, "expires", json_integer(o->expires));
	if (o->status != NULL)
		json_object_set_new(v, "status", json_string(o->status));
	else if (json_object_get(v, "status") == NULL)
		json_object_set_new(v, "status", json_string("open"));
	if (o->skills != NULL && (copy = strdup(o->skills)) != NULL) {
		a = json_array();
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			if (*tok != '\0')
				json_array_append_new(a, json_string(tok));
		json_object_set_new(v, "skills", a);
		free(copy);
	}
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
	if ((rc = ctl_status(cli, &st)) != 0)
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

int
cmd_volunteer_add(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o;
	json_t *draft = NULL;
	int rc;

	if ((rc = vol_parse(cli, argc, argv, &o)) >= 0)
		goto out;
	rc = HB_EXIT_USAGE;
	if (optind < argc) {
		cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.file == NULL) {
		if (o.kind == NULL) {
			cli_usage(cli, "--wanted or --offered is required");
			goto out;
		}
		if (o.title == NULL) {
			cli_usage(cli, "--title is required");
			goto out;
		}
		draft = json_object();
	} else if ((rc = draft_read(cli, o.file, &draft)) != 0)
		goto out;
	vol_apply(draft, &o);
	if ((rc = draft_set_id(draft, o.id, "volunteer", draft_ymd(NULL))) != 0)
		goto out;
	if (o.contact != NULL && (rc = vol_seal(cli, draft,
	    json_string_value(json_object_get(draft, "id")), o.contact)) != 0)
		goto out;
	rc = draft_publish(cli, draft, NULL);
out:
	json_decref(draft);
	free(o.skills);
	return rc;
}

int
cmd_volunteer_edit(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o;
	json_t *draft = NULL, *file = NULL;
	char *id = NULL;
	int rc;

	if ((rc = vol_parse(cli, argc, argv, &o)) >= 0)
		goto out;
	rc = HB_EXIT_USAGE;
	if (argc - optind != 1) {
		cli_usage(cli, argc == optind ? "which listing? (its ID)" : "one at a time");
		goto out;
	}
	if (o.id != NULL) {
		cli_usage(cli, "a record's id cannot change");
		goto out;
	}
	if (o.given == 0 && o.file == NULL) {
		cli_usage(cli, "nothing to change: give options or -f FILE");
		goto out;
	}
	if (o.file != NULL && (rc = draft_read(cli, o.file, &file)) != 0)
		goto out;
	if ((rc = draft_get_own(cli, argv[optind], HB_VOLUNTEER, &draft, &id)) != 0)
		goto out;
	if (file != NULL) {
		json_decref(draft);
		draft = file;
		file = NULL;
	}
	vol_apply(draft, &o);
	if (o.contact != NULL && (rc = vol_seal(cli, draft, id, o.contact)) != 0)
		goto out;
	rc = draft_publish(cli, draft, id);
out:
	json_decref(file);
	json_decref(draft);
	free(o.skills);
	free(id);
	return rc;
}

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
		return cli_usage(cli, argc == optind ? "which listing? (its ID)" :
		    "one at a time");
	if ((rc = draft_get_own(cli, argv[optind], HB_VOLUNTEER, &draft, &id)) == 0) {
		json_object_set_new(draft_payload(draft, "volunteer"), "status",
		    json_string(filled ? "filled" : "closed"));
		rc = draft_publish(cli, draft, id);
	}
	json_decref(draft);
	free(id);
	return rc;
}

static int
term_norm(struct cli *cli, char **terms, size_t *n, const char *name, const char *value)
{
	char *norm;

	if ((norm = proto_normalize(value)) == NULL)
		return cli_usage(cli, "--%s: not valid UTF-8", name);
	terms[*n] = cli_strf("%s=%s", name, norm);
	free(norm);
	if (terms[*n] == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	(*n)++;
	return 0;
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
		{ "text", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'l' },
		{ "mine", no_argument, NULL, 'm' },	/* japanese: ref.c */
		TABLE_WIDE_OPT,				/* japanese: table.c */
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	char *terms[MAX_SKILLS + 4], people[32], skills[512];
	char ref[REF_BUFLEN];			/* japanese: ref.c */
	bool mine = false;
	const char *group = NULL, *vkind = NULL;
	uint8_t author[HB_KEY_LEN];
	struct table *t = NULL;
	struct qres res;
	long long limit = -1;
	size_t i, k, off;
	json_t *v, *s;
	int c, rc = 0;

	q.has_kind = 1;
	q.kind = HB_VOLUNTEER;
	q.terms = terms;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'o':
			if (vkind != NULL) {
				rc = cli_usage(cli, "--wanted or --offered, not both");
				goto out;
			}
			vkind = c == 'w' ? "vkind=wanted" : "vkind=offered";
			break;
		case 's':
		case 'a':
			if (q.n_terms >= MAX_SKILLS) {
				rc = cli_usage(cli, "too many --skill");
				goto out;
			}
			if ((rc = term_norm(cli, terms, &q.n_terms, c == 's' ? "skill" : "area",
			    optarg)) != 0)
				goto out;
			break;
		case 'O':
			if ((terms[q.n_terms] = strdup("status=open")) != NULL)
				q.n_terms++;
			break;
		case 't':
			q.text = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'l':
			if ((limit = cli_number(optarg, UINT32_MAX)) < 1) {
				rc = cli_usage(cli, "--limit: a positive number");
				goto out;
			}
			break;
		case 'm':			/* japanese: ref.c */
			mine = true;
			break;
		case TABLE_OPT_WIDE:		/* japanese: table.c */
			table_set_wide(true);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				goto out;
			rc = 0;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		goto out;
	if (vkind != NULL && (terms[q.n_terms] = strdup(vkind)) != NULL)
		q.n_terms++;
	if (mine && (group != NULL || (rc = ref_mine(cli, &q)) != 0)) {	/* japanese */
		if (group != NULL)
			rc = cli_usage(cli, "--mine or --group, not both");
		goto out;
	}
	if (limit > 0) {
		q.has_limit = 1;
		q.limit = (uint32_t)limit;
	}
	if (group != NULL) {
		if ((rc = ctl_group_parse(cli, group, author)) != 0)
			goto out;
		q.has_author = 1;
		q.author.data = author;
		q.author.len = HB_KEY_LEN;
	}
	if ((rc = ctl_query_open(cli, &q, &res)) != 0)
		goto out;
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);	/* japanese: ref.c */
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
		ref_record(cli, res.recs[i], ref, sizeof(ref));	/* japanese: ref.c */
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
		table_row(t, strcmp(jstr(v, "status"), "open") == 0 ? NULL : "gray", ref,
		    vocab_label_lang(cli, vocab_vkind, jstr(v, "kind")),
		    text_lang(cli, v, "title", "title"), skills, jstr(v, "area"), people,
		    vocab_label_lang(cli, vocab_lstatus, jstr(v, "status")),
		    jstr(res.json[i], "group"));
	}
	if (t != NULL)
		rc = table_print(&t);
	qres_free(&res);
out:
	for (i = 0; i < q.n_terms; i++)
		free(terms[i]);
	return rc;
}
