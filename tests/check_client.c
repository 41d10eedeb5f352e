/* SPDX-License-Identifier: ISC */
/*
 * check_client.c: hb_client's suite (the CLI without its main): the vocabulary both
 * ways, the table of record kinds, the listings' query builder, and add/edit option
 * parsing through the table. No daemon: nothing here publishes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "hiroba.h"

static const struct cmd *
command(const char *name)
{
	const struct cmd *c;

	for (c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	ck_abort_msg("no command %s", name);
	return NULL;
}

/* Parse argv as `hiroba NAME ...` would. */
static int
parse(struct cli *cli, const char *name, enum hb_kind kind, struct form_opts *o,
    int argc, char **argv)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = command(name);
	cli_getopt_reset();
	return form_parse(cli, kind, argc, argv, o);
}

/* ---- the vocabulary ---- */

START_TEST(vocab_code_and_label_both_ways)
{
	const struct vocab *v;
	char buf[512];

	ck_assert_ptr_nonnull(v = vocab_find(vocab_category, "father"));
	ck_assert_str_eq(v->label, "父親向け");
	ck_assert_ptr_eq(vocab_find_label(vocab_category, "父親向け"), v);
	ck_assert_ptr_eq(vocab_find_label(vocab_category, "for FATHERS"), v);
	/* the JSON name where it differs from the code */
	ck_assert_ptr_eq(vocab_find(vocab_category, "other_category"),
	    vocab_find(vocab_category, "other"));
	ck_assert_str_eq(vocab_label(vocab_category, "other_category"), "その他");
	ck_assert_str_eq(vocab_label_in(vocab_audience, "fathers", false), "Fathers");
	ck_assert_str_eq(vocab_label_in(vocab_audience, "fathers", true), "父親");
	/* unknown: nothing found, the label is the word itself */
	ck_assert_ptr_null(vocab_find_label(vocab_category, "dad"));
	ck_assert_ptr_null(vocab_find_label(vocab_category, NULL));
	ck_assert_str_eq(vocab_label(vocab_category, "dad"), "dad");
	ck_assert_str_eq(vocab_label(vocab_category, NULL), "");
	/* a refusal lists both spellings of every value */
	vocab_accepted(vocab_lstatus, buf, sizeof(buf));
	ck_assert_str_eq(buf, "open (受付中), filled (充足), closed (終了)");
	vocab_accepted(vocab_category, buf, 20);	/* cut, never overrun */
	ck_assert_uint_lt(strlen(buf), 20);
}
END_TEST

START_TEST(vocab_chars_count_code_points)
{
	ck_assert_uint_eq(vocab_chars(""), 0);
	ck_assert_uint_eq(vocab_chars("abc"), 3);
	ck_assert_uint_eq(vocab_chars("父親向け"), 4);
	ck_assert_uint_eq(vocab_chars("ﾊﾟﾊﾟ"), 4);
	ck_assert_uint_eq(vocab_chars("🎈a"), 2);
	ck_assert_uint_eq(vocab_chars(NULL), 0);
}
END_TEST

/* vocab_check: the refusals the CLI and the console share, worded as the CLI's. */
START_TEST(vocab_check_words_refusals)
{
	const struct vocab_kind *k = vocab_kind_of(HB_EVENT);
	char err[600], long_title[210 * 3 + 1] = "";
	size_t i;

	ck_assert_int_eq(vocab_check(vocab_field(k, "title"), "親子のひろば", err,
	    sizeof(err)), 0);
	for (i = 0; i < 201; i++)
		strcat(long_title, "あ");
	ck_assert_int_eq(vocab_check(vocab_field(k, "title"), long_title, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "at most 200 characters (タイトル: 200文字まで), not 201");
	ck_assert_int_eq(vocab_check(vocab_field(k, "capacity"), "20", err, sizeof(err)), 0);
	ck_assert_int_eq(vocab_check(vocab_field(k, "capacity"), "-1", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a whole number from 0 to 100000 (定員), not '-1'");
	ck_assert_int_eq(vocab_check(vocab_field(k, "capacity"), "100001", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(vocab_check(vocab_field(k, "category"), "父親向け", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(vocab_check(vocab_field(k, "category"), "dad", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown category 'dad'; one of: pre_parent"));
	ck_assert_int_eq(vocab_check(vocab_field(k, "audience"), "fathers,祖父母", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(vocab_check(vocab_field(k, "audience"), "fathers,cats", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown audience 'cats'"));
	/* times are their parser's business */
	ck_assert_int_eq(vocab_check(vocab_field(k, "when.start"), "x", err, sizeof(err)), 0);
}
END_TEST

/* What every row must have for the generated options, help and CSV to make sense. */
START_TEST(vocab_table_is_complete)
{
	static const enum hb_kind kinds[] = { HB_EVENT, HB_PLACE, HB_VOLUNTEER };
	const struct vocab_kind *k;
	const struct vocab_field *f, *g;
	size_t i, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ck_assert_ptr_nonnull(k = vocab_kind_of(kinds[i]));
		ck_assert_int_eq(proto_kind_parse(k->name), kinds[i]);
		for (n = 0, f = k->fields; f->key != NULL; f++, n++) {
			ck_assert_msg(f->ja != NULL && f->en != NULL, "%s.%s: labels", k->name,
			    f->key);
			ck_assert_msg(f->type != VT_TEXT || f->max > 0, "%s.%s: no limit",
			    k->name, f->key);
			ck_assert_msg((f->type == VT_ENUM || f->type == VT_ENUMS) ==
			    (f->values != NULL), "%s.%s: values", k->name, f->key);
			ck_assert_msg(f->option == NULL || f->type == VT_FLAG ||
			    f->arg != NULL, "%s.%s: no ARG for the synopsis", k->name, f->key);
			for (g = k->fields; g < f; g++) {
				ck_assert_msg(f->option == NULL || g->option == NULL ||
				    strcmp(f->option, g->option) != 0, "%s: --%s twice",
				    k->name, f->option);
				ck_assert_msg(f->col_ja == NULL || g->col_ja == NULL ||
				    strcmp(f->col_ja, g->col_ja) != 0, "%s: column %s twice",
				    k->name, f->col_ja);
			}
			if (f->option != NULL)
				ck_assert_ptr_eq(vocab_field_option(k, f->option), f);
			if (f->col_en != NULL)
				ck_assert_ptr_eq(vocab_field_column(k, f->col_en), f);
		}
		ck_assert_uint_lt(n, FORM_FIELDS_MAX);
	}
	k = vocab_kind_of(HB_EVENT);
	ck_assert_str_eq(vocab_field_column(k, "区分")->key, "category");
	ck_assert_str_eq(vocab_field_column(k, "TITLE")->key, "title");
	ck_assert_str_eq(vocab_column(vocab_field(k, "fee_yen"), true), "参加費");
	ck_assert_ptr_null(vocab_field_column(k, "nothing"));
	ck_assert_ptr_null(vocab_kind_of(HB_TOMBSTONE));
}
END_TEST

/* ---- the query builder ---- */

START_TEST(query_builder_many_terms)
{
	struct cli cli = { 0 };
	struct qb b;
	char v[16];
	int i;

	cli.cmd = command("volunteers");
	qb_init(&b, HB_VOLUNTEER);
	ck_assert_int_eq(b.q.kind, HB_VOLUNTEER);
	/* 37 --open were 37 terms in a terms[36]: now one */
	for (i = 0; i < 37; i++)
		ck_assert_int_eq(qb_term(&cli, &b, "status", "open"), 0);
	ck_assert_uint_eq(b.q.n_terms, 1);
	/* the array grows past its first allocation, up to the daemon's limit */
	for (i = 1; i < VOCAB_QUERY_TERMS; i++) {
		snprintf(v, sizeof(v), "s%d", i);
		ck_assert_int_eq(qb_term(&cli, &b, "skill", v), 0);
	}
	ck_assert_uint_eq(b.q.n_terms, VOCAB_QUERY_TERMS);
	ck_assert_ptr_eq(b.q.terms, b.terms);
	ck_assert_str_eq(b.q.terms[0], "status=open");
	ck_assert_str_eq(b.q.terms[VOCAB_QUERY_TERMS - 1], "skill=s7");
	/* one more is refused by name, and nothing is written */
	ck_assert_int_eq(qb_term(&cli, &b, "skill", "one-too-many"), HB_EXIT_USAGE);
	ck_assert_uint_eq(b.q.n_terms, VOCAB_QUERY_TERMS);
	qb_free(&b);
	ck_assert_ptr_null(b.q.terms);
	ck_assert_uint_eq(b.q.n_terms, 0);
}
END_TEST

START_TEST(query_builder_vocabulary_filters)
{
	struct cli cli = { 0 };
	struct qb b;

	cli.cmd = command("events");
	qb_init(&b, HB_EVENT);
	/* events --category A --category B --audience C: three terms (was a terms[2]) */
	ck_assert_int_eq(qb_enum(&cli, &b, vocab_category, "category", "cat", "father"), 0);
	ck_assert_int_eq(qb_enum(&cli, &b, vocab_category, "category", "cat", "親子のひろば"),
	    0);
	ck_assert_int_eq(qb_enum(&cli, &b, vocab_audience, "audience", "aud", "祖父母"), 0);
	ck_assert_uint_eq(b.q.n_terms, 3);
	ck_assert_str_eq(b.q.terms[1], "cat=play_space");
	ck_assert_str_eq(b.q.terms[2], "aud=grandparents");
	ck_assert_int_eq(qb_enum(&cli, &b, vocab_category, "category", "cat", "dad"),
	    HB_EXIT_USAGE);
	ck_assert_uint_eq(b.q.n_terms, 3);
	qb_free(&b);
}
END_TEST

/* ---- add/edit through the table ---- */

START_TEST(form_event_options)
{
	char *argv[] = { "event add", "--title", "パパと遊ぼう", "--start", "2026-12-05 10:00",
	    "--category", "父親向け", "--audience", "父親,supporters", "--fee", "500",
	    "--title-en", "Play with dad", "--place-text", "瀬谷区", "--dry-run", NULL };
	struct form_opts o;
	struct cli cli;
	json_t *p = json_object(), *a;

	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 16, argv), -1);
	ck_assert(cli.dry_run);
	ck_assert_int_eq(o.given, 7);
	ck_assert_str_eq(form_get(&o, "title"), "パパと遊ぼう");
	ck_assert_str_eq(form_get(&o, "when.start"), "2026-12-05 10:00");
	ck_assert_ptr_null(form_get(&o, "when.end"));
	form_apply(&o, p);
	ck_assert_str_eq(json_string_value(json_object_get(p, "category")), "father");
	a = json_object_get(p, "audience");
	ck_assert_uint_eq(json_array_size(a), 2);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)), "fathers");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "fee_yen")), 500);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(p, "where"),
	    "text")), "瀬谷区");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(p,
	    "translations"), 0), "title")), "Play with dad");
	/* the When is the kind's own code: form_apply leaves it */
	ck_assert_ptr_null(json_object_get(p, "when"));
	json_decref(p);
	form_opts_free(&o);
}
END_TEST

START_TEST(form_refusals)
{
	char title[700], tags[40][16];
	char *a1[] = { "event add", "--category", "dad", NULL };
	char *a2[] = { "event add", "--capacity", "100001", NULL };
	char *a3[] = { "event add", "--title", title, NULL };
	char *a4[] = { "place add", "--lat", "95", NULL };
	char *a5[] = { "event add", "--bogus", NULL };
	char *a6[] = { "event add", "--title", NULL };
	char *a7[] = { "events", "--dry-run", NULL };
	char *a8[2 + 2 * 33];
	struct form_opts o;
	struct cli cli;
	size_t i;

	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 3, a1), HB_EXIT_USAGE);
	form_opts_free(&o);
	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 3, a2), HB_EXIT_USAGE);
	form_opts_free(&o);
	/* 200 characters of Japanese pass (600 bytes), 201 do not */
	title[0] = '\0';
	for (i = 0; i < 200; i++)
		strcat(title, "あ");
	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 3, a3), -1);
	form_opts_free(&o);
	strcat(title, "あ");
	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 3, a3), HB_EXIT_USAGE);
	form_opts_free(&o);
	ck_assert_int_eq(parse(&cli, "place add", HB_PLACE, &o, 3, a4), HB_EXIT_USAGE);
	form_opts_free(&o);
	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 2, a5), HB_EXIT_USAGE);
	form_opts_free(&o);
	ck_assert_int_eq(parse(&cli, "event add", HB_EVENT, &o, 2, a6), HB_EXIT_USAGE);
	form_opts_free(&o);
	/* a read command does not take --dry-run */
	ck_assert_int_eq(parse(&cli, "events", HB_EVENT, &o, 2, a7), HB_EXIT_USAGE);
	form_opts_free(&o);
	/* a place takes 32 tags; the 33rd is refused */
	a8[0] = "place add";
	for (i = 0; i < 33; i++) {
		snprintf(tags[i], sizeof(tags[i]), "k%zu=v", i);
		a8[1 + 2 * i] = "--tag";
		a8[2 + 2 * i] = tags[i];
	}
	a8[1 + 2 * 33] = NULL;
	ck_assert_int_eq(parse(&cli, "place add", HB_PLACE, &o, 1 + 2 * 32, a8), -1);
	ck_assert_uint_eq(json_array_size(form_list(&o, "tags")), 32);
	form_opts_free(&o);
	ck_assert_int_eq(parse(&cli, "place add", HB_PLACE, &o, 1 + 2 * 33, a8),
	    HB_EXIT_USAGE);
	form_opts_free(&o);
}
END_TEST

/* The help synopsis of an add command and its getopt table name the same options. */
START_TEST(form_synopsis_matches_parser)
{
	static const enum hb_kind kinds[] = { HB_EVENT, HB_PLACE, HB_VOLUNTEER };
	struct option opts[FORM_FIELDS_MAX + 8];
	char syn[1024], want[64];
	size_t i, j, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		form_synopsis(kinds[i], syn, sizeof(syn));
		n = form_getopt_table(vocab_kind_of(kinds[i]), true, opts,
		    FORM_FIELDS_MAX + 8);
		ck_assert_ptr_null(opts[n - 1].name);
		for (j = 0; j + 1 < n; j++) {
			if (strcmp(opts[j].name, "help") == 0 || strcmp(opts[j].name, "json") == 0 ||
			    strcmp(opts[j].name, "dry-run") == 0 || strcmp(opts[j].name, "file") == 0)
				continue;
			snprintf(want, sizeof(want), "--%s", opts[j].name);
			ck_assert_msg(strstr(syn, want) != NULL, "%s not in '%s'", want, syn);
		}
	}
}
END_TEST

static Suite *
client_suite(void)
{
	Suite	*s = suite_create("client");
	TCase	*tc;

	tc = tcase_create("vocab");
	tcase_add_test(tc, vocab_code_and_label_both_ways);
	tcase_add_test(tc, vocab_chars_count_code_points);
	tcase_add_test(tc, vocab_check_words_refusals);
	tcase_add_test(tc, vocab_table_is_complete);
	suite_add_tcase(s, tc);
	tc = tcase_create("query");
	tcase_add_test(tc, query_builder_many_terms);
	tcase_add_test(tc, query_builder_vocabulary_filters);
	suite_add_tcase(s, tc);
	tc = tcase_create("form");
	tcase_add_test(tc, form_event_options);
	tcase_add_test(tc, form_refusals);
	tcase_add_test(tc, form_synopsis_matches_parser);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(client_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
