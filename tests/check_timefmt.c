/* SPDX-License-Identifier: ISC */
/*
 * check_timefmt: the CLI's reading of dates and times as Japanese coordinators type them
 * (client/timefmt.c, compiled in directly). "now" is fixed, so "12/5" has one answer.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

/* 2026-12-02 15:00 Tokyo (06:00 UTC), a Wednesday */
#define NOW	((int64_t)1796191200)

/* Tokyo wall time → instant */
static int64_t
jst(int y, int m, int d, int h, int mi)
{
	return timefmt_days(y, m, d) * 86400 + h * 3600 + mi * 60 - TOKYO_OFFSET;
}

struct ok_case {
	const char	*in;
	int		 y, m, d, h, mi;
	bool		 date_only;
};

static const struct ok_case accepted[] = {
	{ "2026-12-05", 2026, 12, 5, 0, 0, true },
	{ "2026-12-05 10:00", 2026, 12, 5, 10, 0, false },
	{ "2026-12-05T10:00", 2026, 12, 5, 10, 0, false },
	{ "2026-12-05 10:00:59", 2026, 12, 5, 10, 0, false },	/* seconds checked below */
	{ "2026/12/5", 2026, 12, 5, 0, 0, true },
	{ "2026/12/05 10:00", 2026, 12, 5, 10, 0, false },
	{ "2026/1/9 9:05", 2026, 1, 9, 9, 5, false },
	{ "2026.12.5", 2026, 12, 5, 0, 0, true },
	{ "2026年12月5日", 2026, 12, 5, 0, 0, true },
	{ "2026年12月5日 10時", 2026, 12, 5, 10, 0, false },
	{ "2026年12月5日10時半", 2026, 12, 5, 10, 30, false },
	{ "12月5日 10時半", 2026, 12, 5, 10, 30, false },
	{ "12月5日", 2026, 12, 5, 0, 0, true },
	{ "12/5", 2026, 12, 5, 0, 0, true },
	{ "12/2", 2026, 12, 2, 0, 0, true },		/* today has not passed */
	{ "12/1", 2027, 12, 1, 0, 0, true },		/* yesterday: next year */
	{ "1/10 10:00", 2027, 1, 10, 10, 0, false },
	{ "12/31", 2026, 12, 31, 0, 0, true },
	{ "令和8年12月5日", 2026, 12, 5, 0, 0, true },
	{ "令和元年5月1日", 2019, 5, 1, 0, 0, true },
	{ "令和2年2月29日", 2020, 2, 29, 0, 0, true },
	{ "平成31年4月30日", 2019, 4, 30, 0, 0, true },
	{ "平成元年1月8日", 1989, 1, 8, 0, 0, true },
	{ "R8/12/5", 2026, 12, 5, 0, 0, true },
	{ "H30.1.1", 2018, 1, 1, 0, 0, true },
	{ "２０２６-１２-０５", 2026, 12, 5, 0, 0, true },
	{ "２０２６／１２／５　１０：００", 2026, 12, 5, 10, 0, false },
	{ "１２月５日　１０時半", 2026, 12, 5, 10, 30, false },
	{ "2028-02-29", 2028, 2, 29, 0, 0, true },
	{ "2000-02-29", 2000, 2, 29, 0, 0, true },
	{ "2026-12-05(土) 10:00", 2026, 12, 5, 10, 0, false },	/* as our tables print */
	{ "2026-12-05 午後2時", 2026, 12, 5, 14, 0, false },
	{ "12月5日 午前10時15分", 2026, 12, 5, 10, 15, false },
	{ "2026-12-05 0:00", 2026, 12, 5, 0, 0, false },
	{ "2026-12-05 23:59", 2026, 12, 5, 23, 59, false },
	{ "  2026-12-05  ", 2026, 12, 5, 0, 0, true },
	{ "10:00", 2026, 12, 2, 10, 0, false },		/* a time alone: today */
	{ "10時", 2026, 12, 2, 10, 0, false },
	{ "明日 10時", 2026, 12, 3, 10, 0, false },
	{ "today", 2026, 12, 2, 0, 0, true },
	{ "tomorrow", 2026, 12, 3, 0, 0, true },
};

START_TEST(test_accepted)
{
	const struct ok_case *c = &accepted[_i];
	int64_t t = 0;
	bool date_only = !c->date_only;
	char err[256];

	ck_assert_msg(timefmt_parse_at(c->in, NOW, &t, &date_only, err, sizeof(err)) == 0,
	    "'%s' refused: %s", c->in, err);
	ck_assert_msg(t == jst(c->y, c->m, c->d, c->h, c->mi) + (strstr(c->in, ":59") &&
	    strchr(c->in, ':') != strrchr(c->in, ':') ? 59 : 0),
	    "'%s' read as %lld", c->in, (long long)t);
	ck_assert_msg(date_only == c->date_only, "'%s': date_only %d", c->in, date_only);
}
END_TEST

struct bad_case {
	const char	*in;
	const char	*says;		/* part of the explanation */
};

static const struct bad_case refused[] = {
	{ "2026-02-29", "2026-02-29 is not a day" },
	{ "2026-13-01", "not a day" },
	{ "2026-12-05 24:00", "24:00" },
	{ "24:00", "24:00" },
	{ "2026-12-05 10:60", "minutes" },
	{ "令和元年4月30日", "令和 began" },
	{ "平成31年5月1日", "平成 ended" },
	{ "平成32年1月1日", "31st year" },
	{ "2026-12", "day" },
	{ "2026年12月5", "日" },
	{ "12月", "day" },
	{ "12.5", "12/5" },
	{ "2026-12-05 10", ":" },
	{ "2026-12-05 10:00 extra", "unexpected" },
	{ "2026-12-05X", "space" },
	{ "next week", "expected a date" },
	{ "", "expected a date" },
	{ "2026-12-05 13時 午後", "unexpected" },
	{ "2026-12-05 午後13時", "12" },
	{ "2026/12-05", "month" },
};

START_TEST(test_refused)
{
	const struct bad_case *c = &refused[_i];
	int64_t t = 42;
	char err[256];

	ck_assert_msg(timefmt_parse_at(c->in, NOW, &t, NULL, err, sizeof(err)) != 0,
	    "'%s' accepted", c->in);
	ck_assert_int_eq(t, 42);
	ck_assert_msg(strstr(err, c->says) != NULL, "'%s': '%s' lacks '%s'", c->in, err,
	    c->says);
	ck_assert_msg(strstr(err, "e.g.") != NULL, "'%s': no example in '%s'", c->in, err);
	ck_assert_str_eq(timefmt_error(), err);
}
END_TEST

/* What a refusal says it understood. */
START_TEST(test_explains)
{
	char err[256];
	int64_t t;

	ck_assert_int_ne(timefmt_parse_at("2026/12/5 10時70分", NOW, &t, NULL, err,
	    sizeof(err)), 0);
	ck_assert_msg(strstr(err, "2026-12-05") != NULL, "%s", err);
}
END_TEST

START_TEST(test_offsets)
{
	int64_t t;

	ck_assert_int_eq(timefmt_parse_at("2026-12-05T01:00:00Z", NOW, &t, NULL, NULL, 0), 0);
	ck_assert_int_eq(t, jst(2026, 12, 5, 10, 0));
	ck_assert_int_eq(timefmt_parse_at("2026-12-05T10:00:00+09:00", NOW, &t, NULL, NULL, 0),
	    0);
	ck_assert_int_eq(t, jst(2026, 12, 5, 10, 0));
	ck_assert_int_eq(timefmt_parse_at("2026-12-05T10:00+0900", NOW, &t, NULL, NULL, 0), 0);
	ck_assert_int_eq(t, jst(2026, 12, 5, 10, 0));
	ck_assert_int_eq(timefmt_parse_at("now", NOW, &t, NULL, NULL, 0), 0);
	ck_assert_int_eq(t, NOW);
	/* an offset needs a clock time, not 10時 */
	ck_assert_int_ne(timefmt_parse_at("2026-12-05 10時Z", NOW, &t, NULL, NULL, 0), 0);
}
END_TEST

START_TEST(test_hm)
{
	int m = -1;

	ck_assert_int_eq(timefmt_parse_hm("12:00", &m), 0);
	ck_assert_int_eq(m, 720);
	ck_assert_int_eq(timefmt_parse_hm("9:30", &m), 0);
	ck_assert_int_eq(m, 570);
	ck_assert_int_eq(timefmt_parse_hm("10時半", &m), 0);
	ck_assert_int_eq(m, 630);
	ck_assert_int_eq(timefmt_parse_hm("１１時", &m), 0);
	ck_assert_int_eq(m, 660);
	ck_assert_int_eq(timefmt_parse_hm("午後3時", &m), 0);
	ck_assert_int_eq(m, 900);
	ck_assert_int_ne(timefmt_parse_hm("24:00", &m), 0);
	ck_assert_int_ne(timefmt_parse_hm("12", &m), 0);
	ck_assert_int_ne(timefmt_parse_hm("2026-12-05", &m), 0);
	ck_assert_int_ne(timefmt_parse_hm("12:00 x", &m), 0);
}
END_TEST

/* Every date from 1970 to 2100 goes through days/civil and back. */
START_TEST(test_civil_roundtrip)
{
	int64_t days;
	int y, m, d;

	for (days = 0; days < timefmt_days(2100, 12, 31); days++) {
		timefmt_civil(days, &y, &m, &d);
		ck_assert_int_eq(timefmt_days(y, m, d), days);
	}
	ck_assert_int_eq(timefmt_ymd(jst(2026, 12, 31, 23, 59)), 20261231);
	ck_assert_int_eq(timefmt_ymd(jst(2027, 1, 1, 0, 0)), 20270101);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_accepted, 0, sizeof(accepted) / sizeof(accepted[0]));
	tcase_add_loop_test(tc, test_refused, 0, sizeof(refused) / sizeof(refused[0]));
	tcase_add_test(tc, test_explains);
	tcase_add_test(tc, test_offsets);
	tcase_add_test(tc, test_hm);
	tcase_add_test(tc, test_civil_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
