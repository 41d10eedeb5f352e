/* SPDX-License-Identifier: ISC */
/*
 * form: add and edit for every record kind of proto/vocab.c's table. The options, their
 * checks, what they write into the draft and the help synopsis come from the table; a
 * kind's own code (cmd_event.c ...) only joins fields that are more than one option.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

/* KEY=VALUE with a non-empty key and value (OpenStreetMap tags). */
static bool
tag_ok(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq != NULL && eq != s && eq[1] != '\0';
}

/* Split "a,b" into arr; each item is checked against f. 0 or a usage error. */
static int
list_add(struct cli *cli, const struct vocab_field *f, json_t *arr, const char *s)
{
	char *copy, *tok, *save = NULL, *eq;
	int rc = 0;

	if (f->type == VT_TAGS) {	/* a tag's value may hold commas: one per option */
		if (!tag_ok(s))
			return cli_usage(cli, "--%s: KEY=VALUE such as stroller=yes, not '%s'",
			    f->option, s);
		eq = strchr(s, '=');
		json_array_append_new(arr, json_pack("{s:s%, s:s}", "key", s,
		    (size_t)(eq - s), "value", eq + 1));
	} else if ((copy = strdup(s)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	else {
		for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
		    tok = strtok_r(NULL, ",", &save))
			if (*tok != '\0')
				json_array_append_new(arr, json_string(tok));
		free(copy);
	}
	if (f->max > 0 && json_array_size(arr) > f->max)
		return cli_usage(cli, "--%s: at most %lu (%s), not %zu", f->option, f->max,
		    f->ja, json_array_size(arr));
	return rc;
}

/* Check one option's value by its field's type. 0 or a usage error. */
static int
value_check(struct cli *cli, const struct vocab_field *f, const char *s)
{
	char ok[512];
	int32_t e7;
	size_t n;

	switch (f->type) {
	case VT_TEXT:
		if (f->max > 0 && (n = vocab_chars(s)) > f->max)
			return cli_usage(cli, "--%s: at most %lu characters (%s: %lu文字まで), "
			    "not %zu", f->option, f->max, f->ja, f->max, n);
		return 0;
	case VT_UINT:
		if (cli_number(s, (long long)f->max) < 0)
			return cli_usage(cli, "--%s: a whole number from 0 to %lu (%s), not '%s'",
			    f->option, f->max, f->ja, s);
		return 0;
	case VT_ENUM:
		if (vocab_find_label(f->values, s) == NULL)
			return cli_usage(cli, "--%s: unknown %s '%s'; one of: %s", f->option,
			    f->en, s, vocab_accepted(f->values, ok, sizeof(ok)));
		return 0;
	case VT_DEGREES:
		if (place_degrees(s, (double)f->max, &e7) != 0)
			return cli_usage(cli, "--%s: decimal degrees, -%lu..%lu, not '%s'",
			    f->option, f->max, f->max, s);
		return 0;
	default:	/* lists are checked as they are split, times where they are used */
		return 0;
	}
}

const char *
form_get(const struct form_opts *o, const char *key)
{
	const struct vocab_field *f;

	for (f = o->k->fields; f->key != NULL; f++)
		if (strcmp(f->key, key) == 0)
			return o->val[f - o->k->fields];
	return NULL;
}

json_t *
form_list(const struct form_opts *o, const char *key)
{
	const struct vocab_field *f = vocab_field(o->k, key);

	return f != NULL ? o->list[f - o->k->fields] : NULL;
}

void
form_opts_free(struct form_opts *o)
{
	size_t i;

	for (i = 0; i < FORM_FIELDS_MAX; i++) {
		json_decref(o->list[i]);
		o->list[i] = NULL;
	}
}

size_t
form_getopt_table(const struct vocab_kind *k, bool adding, struct option *opts, size_t max)
{
	static const struct option tail[] = {
		{ "id", required_argument, NULL, 'i' },	/* add only: an id cannot change */
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct vocab_field *f;
	size_t n = 0, i;

	for (f = k->fields; f->key != NULL && n + 1 < max; f++)
		if (f->option != NULL)
			opts[n++] = (struct option){ f->option,
			    f->type == VT_FLAG ? no_argument : required_argument, NULL,
			    FORM_OPT_BASE + (int)(f - k->fields) };
	for (i = adding ? 0 : 1; i < sizeof(tail) / sizeof(tail[0]) && n < max; i++)
		opts[n++] = tail[i];
	return n;
}

int
form_parse(struct cli *cli, enum hb_kind kind, int argc, char **argv, struct form_opts *o)
{
	struct option opts[FORM_FIELDS_MAX + 8];
	const struct vocab_field *f;
	int c, rc;
	size_t i;

	memset(o, 0, sizeof(*o));
	if ((o->k = vocab_kind_of(kind)) == NULL)
		return cli_error(HB_EXIT_FAIL, "no form for records of kind %d", (int)kind);
	o->adding = cli->cmd != NULL && (cli->cmd->flags & CMD_FORM_ADD);
	form_getopt_table(o->k, o->adding, opts, sizeof(opts) / sizeof(opts[0]));
	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->file = optarg;
			continue;
		case 'i':
			o->id = optarg;
			continue;
		}
		if (c < FORM_OPT_BASE) {
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
			continue;
		}
		i = (size_t)(c - FORM_OPT_BASE);
		f = &o->k->fields[i];
		o->given++;
		if (f->type == VT_FLAG) {
			o->val[i] = "";
			continue;
		}
		if ((rc = value_check(cli, f, optarg)) != 0)
			return rc;
		o->val[i] = optarg;
		if (f->type == VT_TEXTS || f->type == VT_TAGS || f->type == VT_ENUMS) {
			if (o->list[i] == NULL && (o->list[i] = json_array()) == NULL)
				return cli_error(HB_EXIT_FAIL, "out of memory");
			if (f->type == VT_ENUMS) {	/* "a,b": given again, the last wins */
				json_decref(o->list[i]);
				if ((o->list[i] = vocab_list(cli, f->values, f->en, optarg))
				    == NULL)
					return HB_EXIT_USAGE;
			} else if ((rc = list_add(cli, f, o->list[i], optarg)) != 0)
				return rc;
		}
	}
	return -1;
}

/* obj at a dotted path's parent, made as needed; *last is the last part. */
static json_t *
path_parent(json_t *obj, const char *path, char *buf, size_t len, const char **last)
{
	char *dot, *p;
	json_t *sub;

	snprintf(buf, len, "%s", path);
	for (p = buf; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		if (!json_is_object(sub = json_object_get(obj, p))) {
			sub = json_object();
			json_object_set_new(obj, p, sub);
		}
		obj = sub;
	}
	*last = p;
	return obj;
}

void
form_apply(const struct form_opts *o, json_t *payload)
{
	const struct vocab_field *f;
	const char *v, *last;
	json_t *obj, *val;
	char buf[128];
	size_t i;

	for (i = 0, f = o->k->fields; f->key != NULL; f++, i++) {
		if ((v = o->val[i]) == NULL || (f->flags & VF_CLI))
			continue;
		if (strncmp(f->key, "translations.", 13) == 0) {
			/* "translations.en.title": the translation's lang and field */
			const char *lang = f->key + 13, *dot = strchr(lang, '.');

			snprintf(buf, sizeof(buf), "%.*s", (int)(dot - lang), lang);
			translation_set(payload, buf, dot + 1, v);
			continue;
		}
		switch (f->type) {
		case VT_UINT:
			val = json_integer(cli_number(v, (long long)f->max));
			break;
		case VT_ENUM:
			val = json_string(vocab_find_label(f->values, v)->json);
			break;
		case VT_FLAG:
			val = json_true();
			break;
		case VT_TEXTS:
		case VT_TAGS:
		case VT_ENUMS:
			val = json_deep_copy(o->list[i]);
			break;
		default:
			val = json_string(v);
		}
		obj = path_parent(payload, f->key, buf, sizeof(buf), &last);
		json_object_set_new(obj, last, val);
	}
}

/* The first required field that has an option and was not given, nor any of its
 * alternatives (VF_ONEOF rows after it); NULL if none. */
static const struct vocab_field *
form_missing(const struct form_opts *o)
{
	const struct vocab_field *f, *g;
	bool given;

	for (f = o->k->fields; f->key != NULL; f++) {
		if (!(f->flags & VF_REQUIRED) || f->option == NULL)
			continue;
		given = o->val[f - o->k->fields] != NULL;
		for (g = f + 1; g->key != NULL && (g->flags & VF_ONEOF); g++)
			given = given || o->val[g - o->k->fields] != NULL;
		if (!given)
			return f;
	}
	return NULL;
}

static int
form_add(struct cli *cli, const struct form *fm, int argc, char **argv)
{
	const struct vocab_field *f;
	struct form_opts o;
	json_t *draft = NULL, *p;
	const char *id;
	int rc;

	if ((rc = form_parse(cli, fm->kind, argc, argv, &o)) >= 0)
		goto out;
	rc = HB_EXIT_USAGE;
	if (optind < argc) {
		cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (fm->check != NULL && (rc = fm->check(cli, &o)) != 0)
		goto out;
	if (o.file == NULL) {
		if ((f = form_missing(&o)) != NULL) {
			char ok[512] = "";

			if (f->values != NULL)
				vocab_accepted(f->values, ok, sizeof(ok));
			bool alt = f[1].key != NULL && (f[1].flags & VF_ONEOF);

			rc = cli_usage(cli, "--%s%s%s is required%s%s%s%s%s", f->option,
			    alt ? _(" or --") : "", alt ? f[1].option : "",
			    alt ? "" : " (", alt ? "" : f->ja, alt ? "" : ")",
			    *ok ? _("; one of: ") : "", ok);
			goto out;
		}
		draft = json_object();
	} else if ((rc = draft_read(cli, o.file, &draft)) != 0)
		goto out;
	p = draft_payload(draft, o.k->name);
	form_apply(&o, p);
	if (fm->apply != NULL && (rc = fm->apply(cli, draft, &o)) != 0)
		goto out;
	if ((rc = draft_set_id(draft, o.id, o.k->name, fm->id_date ? draft_ymd(
	    fm->kind == HB_EVENT ? p : NULL) : 0)) != 0)
		goto out;
	id = json_string_value(json_object_get(draft, "id"));
	if (fm->finish != NULL && (rc = fm->finish(cli, draft, &o, id)) != 0)
		goto out;
	rc = draft_publish(cli, draft, NULL);
out:
	json_decref(draft);
	form_opts_free(&o);
	return rc;
}

static int
form_edit(struct cli *cli, const struct form *fm, int argc, char **argv)
{
	struct form_opts o;
	json_t *draft = NULL, *file = NULL;
	char *id = NULL;
	int rc;

	if ((rc = form_parse(cli, fm->kind, argc, argv, &o)) >= 0)
		goto out;
	rc = HB_EXIT_USAGE;
	if (argc - optind != 1) {
		cli_usage(cli, argc == optind ? N_("which %s? (its ID)") :
		    N_("one %s at a time"), _(o.k->noun));
		goto out;
	}
	if (o.given == 0 && o.file == NULL) {
		cli_usage(cli, "nothing to change: give options or -f FILE");
		goto out;
	}
	if (fm->check != NULL && (rc = fm->check(cli, &o)) != 0)
		goto out;
	if (o.file != NULL && (rc = draft_read(cli, o.file, &file)) != 0)
		goto out;
	if ((rc = draft_get_own(cli, argv[optind], fm->kind, &draft, &id)) != 0)
		goto out;
	if (file != NULL) {	/* the file replaces the record; the id stays */
		json_decref(draft);
		draft = file;
		file = NULL;
	}
	form_apply(&o, draft_payload(draft, o.k->name));
	if (fm->apply != NULL && (rc = fm->apply(cli, draft, &o)) != 0)
		goto out;
	if (fm->finish != NULL && (rc = fm->finish(cli, draft, &o, id)) != 0)
		goto out;
	rc = draft_publish(cli, draft, id);
out:
	json_decref(file);
	json_decref(draft);
	form_opts_free(&o);
	free(id);
	return rc;
}

/* The running command's kind and its steps. */
static const struct form *
form_of(const struct cli *cli)
{
	static const struct form *const forms[] = { &event_form, &place_form, &vol_form };
	enum hb_kind k = (enum hb_kind)(cli->cmd->flags >> 8);
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (forms[i]->kind == k)
			return forms[i];
	return NULL;
}

int
cmd_form_add(struct cli *cli, int argc, char **argv)
{
	const struct form *fm = form_of(cli);

	return fm != NULL ? form_add(cli, fm, argc, argv) :
	    cli_error(HB_EXIT_FAIL, "%s: no form for this command", cli->cmd->name);
}

int
cmd_form_edit(struct cli *cli, int argc, char **argv)
{
	const struct form *fm = form_of(cli);

	return fm != NULL ? form_edit(cli, fm, argc, argv) :
	    cli_error(HB_EXIT_FAIL, "%s: no form for this command", cli->cmd->name);
}

/* "--title TEXT --start TIME [--end TIME|HH:MM] ...": required fields bare, the others
 * in brackets. Lines are broken at SYNOPSIS_WIDTH: help indents the continuation lines
 * under "usage: hiroba volunteer add ", 25 columns at the most. */
#define SYNOPSIS_WIDTH	54
void
form_synopsis(enum hb_kind kind, char *buf, size_t len)
{
	const struct vocab_kind *k = vocab_kind_of(kind);
	const struct vocab_field *f, *g;
	char one[128];
	size_t off = 0, line = 0, n;
	bool req;

	buf[0] = '\0';
	for (f = k != NULL ? k->fields : NULL; f != NULL && f->key != NULL; f++) {
		if (f->option == NULL || (f->flags & VF_ONEOF))
			continue;
		req = (f->flags & VF_REQUIRED) != 0;
		n = (size_t)snprintf(one, sizeof(one), "%s", req ? "" : "[");
		for (g = f; g->key != NULL && (g == f || (g->flags & VF_ONEOF)); g++)
			n += (size_t)snprintf(one + n, n < sizeof(one) ? sizeof(one) - n : 0,
			    "%s--%s%s%s%s", g == f ? "" : "|", g->option,
			    g->arg != NULL ? " " : "", g->arg != NULL ? g->arg : "",
			    (g->type == VT_TEXTS || g->type == VT_TAGS) ? " ..." : "");
		snprintf(one + n, n < sizeof(one) ? sizeof(one) - n : 0, "%s", req ? "" : "]");
		n = strlen(one);
		if (line > 0 && line + n + 1 > SYNOPSIS_WIDTH) {
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "\n\t");
			line = 0;
		}
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
		    line > 0 ? " " : "", one);
		line += n + 1;
	}
	off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s[--id ID] [-f FILE|-]",
	    line + 24 > SYNOPSIS_WIDTH ? "\n\t" : line > 0 ? " " : "");
}
