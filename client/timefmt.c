/* SPDX-License-Identifier: ISC */
/*
 * timefmt: reading and writing times for people. Japan keeps UTC+09:00 all year, so
 * Asia/Tokyo is plain arithmetic here: no TZ variable, no tz database, no mktime().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hiroba.h"

static const char *const weekday_ja[] = { "日", "月", "火", "水", "木", "金", "土" };

/* The day numbers are proto's (proto_days_from_civil), so that the CLI, the
 * daemon and the index count days alike; these keep the int signatures the
 * client uses. */
int64_t
timefmt_days(int y, int m, int d)
{
	return proto_days_from_civil(y, (unsigned)m, (unsigned)d);
}

void
timefmt_civil(int64_t days, int *y, int *m, int *d)
{
	int64_t		 yy;
	unsigned	 mm, dd;

	proto_civil_from_days(days, &yy, &mm, &dd);
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/*
 * Reading times as a coordinator types them. The text is first folded: full-width ASCII
 * (２０２６／１２／５, １０：００) becomes ASCII and the ideographic space a space. Then,
 * in order:
 *   date  2026-12-05, 2026/12/5, 2026.12.5, 2026年12月5日, 令和8年12月5日 (令和元年, 平成),
 *         R8/12/5, H30.1.1, or without a year 12/5, 12月5日: this year, or next year if
 *         that day has already passed (in Tokyo). A weekday in brackets may follow, as
 *         our own tables print it: 2026-12-05(土).
 *   time  after a space or "T" (or directly after 日): 10:00, 10:00:30, 10時, 10時半,
 *         10時15分, 午前10時, 午後2時半; ISO 8601's Z or +09:00 only after hh:mm.
 *         24:00 is refused: a coordinator means 23:59 or the next day's 0:00, and a
 *         start of "24:00" sorted on the wrong day.
 *   or    a time alone (today), now, today, tomorrow, 今日, 明日, 今.
 * A refusal says how far the text was understood and gives an example.
 */
struct tparse {
	const char	*p;		/* cursor in the folded text */
	int		 y, m, d, h, mi, sec;
	bool		 have_date, have_time;
	char		*err;
	size_t		 errlen;
};

#define TIME_EXAMPLES N_("e.g. 2026-12-05 10:00, 2026/12/5 10時半, 12月5日 10時, 令和8年12月5日")

static char last_error[256];

/* ASCII copy of s with full-width forms folded; NULL if too long or out of memory. */
static char *
fold(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	unsigned cp;

	if (strlen(s) > 200 || (out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (o = out; *p != '\0'; ) {
		if (p[0] == 0xef && (p[1] == 0xbc || p[1] == 0xbd) && p[2] >= 0x80 &&
		    p[2] <= 0xbf) {
			cp = 0xf000 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				*o++ = (char)(cp - 0xfee0);
				p += 3;
				continue;
			}
		}
		if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {	/* U+3000 */
			*o++ = ' ';
			p += 3;
			continue;
		}
		*o++ = (char)*p++;
	}
	*o = '\0';
	/* trim spaces at both ends */
	while (o > out && o[-1] == ' ')
		*--o = '\0';
	for (o = out; *o == ' '; o++)
		;
	memmove(out, o, strlen(o) + 1);
	return out;
}

static bool
lit(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

/* 1 to max decimal digits at *p (advanced); -1 if none. *ndig (may be NULL) counts them. */
static int
num(const char **p, int max, int *ndig)
{
	int v = 0, n = 0;

	while (n < max && (*p)[n] >= '0' && (*p)[n] <= '9') {
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (ndig != NULL)
		*ndig = n;
	if (n == 0 || ((*p)[n] >= '0' && (*p)[n] <= '9'))
		return -1;		/* none, or more than max */
	*p += n;
	return v;
}

/* Say how far the text was understood, what is wrong, and give an example. -1. */
static int
refuse(struct tparse *tp, const char *what)
{
	char got[96] = "";

	if (tp->have_date && tp->have_time)
		snprintf(got, sizeof(got), _("read %04d-%02d-%02d %02d:%02d, then "),
		    tp->y, tp->m, tp->d, tp->h, tp->mi);
	else if (tp->have_date)
		snprintf(got, sizeof(got), _("read the date %04d-%02d-%02d, then "),
		    tp->y, tp->m, tp->d);
	/* what is English (the callers' literals, which xgettext collects as refuse's
	 * second argument): translated here, once */
	snprintf(last_error, sizeof(last_error), "%s%s%s%s%s (%s)", got, _(what),
	    *tp->p != '\0' ? _(" at '") : "", tp->p, *tp->p != '\0' ? "'" : "",
	    _(TIME_EXAMPLES));
	if (tp->err != NULL)
		snprintf(tp->err, tp->errlen, "%s", last_error);
	return -1;
}

static bool
is_sep(char c)
{
	return c == '-' || c == '/' || c == '.';
}

/* The date part; tp->p at its end. 0, 1 if there is no date here (a time alone), -1. */
static int
parse_date(struct tparse *tp, int64_t now)
{
	const char *p = tp->p, *save;
	int base = 0, n, nd, y = 0, m, d, maxera = 0;
	char sep = 0;
	bool kanji = false, have_y = true;
	int64_t today = timefmt_ymd(now);

	if (lit(&p, "令和"))
		base = 2018, kanji = true;
	else if (lit(&p, "平成"))
		base = 1988, kanji = true, maxera = 31;
	else if ((*p == 'R' || *p == 'r') && p[1] >= '0' && p[1] <= '9')
		base = 2018, p++;
	else if ((*p == 'H' || *p == 'h') && p[1] >= '0' && p[1] <= '9')
		base = 1988, maxera = 31, p++;
	save = p;
	if (base != 0) {
		if (kanji && lit(&p, "元"))
			n = 1;
		else if ((n = num(&p, 2, NULL)) < 1) {
			tp->p = save;
			return refuse(tp, "expected the year of the era (令和8年, 令和元年)");
		}
		if (maxera != 0 && n > maxera) {
			tp->p = save;
			return refuse(tp, "平成 ended in its 31st year (2019-04-30); later dates "
			    "are 令和");
		}
		y = base + n;
		if (kanji ? lit(&p, "年") : is_sep(*p))
			sep = kanji ? 0 : *p++;
		else {
			tp->p = p;
			return refuse(tp, kanji ? N_("expected 年 after the era's year") :
			    N_("expected / after the era's year (R8/12/5)"));
		}
	} else {
		if ((n = num(&p, 4, &nd)) < 0) {
			tp->p = p;
			return refuse(tp, "expected a date or a time");
		}
		if (*p == ':' || strncmp(p, "時", strlen("時")) == 0)
			return 1;			/* a time alone */
		if (nd == 4) {
			y = n;
			if (lit(&p, "年"))
				kanji = true;
			else if (is_sep(*p))
				sep = *p++;
			else {
				tp->p = p;
				return refuse(tp, "expected - or / or 年 after the year");
			}
		} else {
			have_y = false;
			p = save;
		}
	}
	save = p;
	if ((m = num(&p, 2, NULL)) < 0) {
		tp->p = p;
		return refuse(tp, "expected the month");
	}
	if (lit(&p, "月"))
		kanji = true;
	else if (kanji ? false : sep != 0 ? *p == sep : *p == '/')
		sep = *p++;	/* without a year only 12/5: 12.5 reads as a number */
	else {
		tp->p = p;
		return refuse(tp, have_y ? N_("expected the month then the day") :
		    N_("expected a year, or month/day such as 12/5 or 12月5日"));
	}
	if ((d = num(&p, 2, NULL)) < 0) {
		tp->p = p;
		return refuse(tp, "expected the day");
	}
	if (kanji && !lit(&p, "日")) {
		tp->p = p;
		return refuse(tp, "expected 日 after the day");
	}
	if (!kanji)
		(void)lit(&p, "日");
	if (!have_y) {
		/* This year, or the next if that day has passed in Tokyo. */
		y = (int)(today / 10000);
		if (m >= 1 && m <= 12 && (int64_t)y * 10000 + m * 100 + d < today)
			y++;
	}
	tp->y = y, tp->m = m, tp->d = d;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    (unsigned)d > proto_days_in_month(y, (unsigned)m)) {
		char why[64];

		tp->p = "";
		snprintf(why, sizeof(why),
		    _("%04d-%02d-%02d is not a day of the calendar"), y, m, d);
		return refuse(tp, why);
	}
	if (base == 2018 && timefmt_days(y, m, d) < timefmt_days(2019, 5, 1)) {
		tp->p = "";
		return refuse(tp, "令和 began on 2019-05-01 (令和元年5月1日)");
	}
	if (base == 1988 && timefmt_days(y, m, d) < timefmt_days(1989, 1, 8)) {
		tp->p = "";
		return refuse(tp, "平成 began on 1989-01-08");
	}
	if (base == 1988 && timefmt_days(y, m, d) > timefmt_days(2019, 4, 30)) {
		tp->p = "";
		return refuse(tp, "平成 ended on 2019-04-30: that day is 令和");
	}
	/* our own tables' weekday: (土) */
	if (*p == '(') {
		const char *w = p + 1;
		int i;

		for (i = 0; i < 7; i++)
			if (strncmp(w, weekday_ja[i], strlen(weekday_ja[i])) == 0 &&
			    w[strlen(weekday_ja[i])] == ')') {
				p = w + strlen(weekday_ja[i]) + 1;
				break;
			}
	}
	tp->have_date = true;
	tp->p = p;
	return 0;
}

/* The time of day at tp->p. 0 or -1; *colon tells hh:mm (which may take an offset). */
static int
parse_clock(struct tparse *tp, bool *colon)
{
	const char *p = tp->p;
	int h, mi = 0, sec = 0, pm = -1;

	*colon = false;
	if (lit(&p, "午前"))
		pm = 0;
	else if (lit(&p, "午後"))
		pm = 1;
	if ((h = num(&p, 2, NULL)) < 0) {
		tp->p = p;
		return refuse(tp, "expected a time such as 10:00 or 10時");
	}
	if (*p == ':') {
		p++;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') {
			tp->p = p;
			return refuse(tp, "expected two digits of minutes (10:05)");
		}
		mi = (p[0] - '0') * 10 + p[1] - '0';
		p += 2;
		if (*p == ':') {
			p++;
			if ((sec = num(&p, 2, NULL)) < 0) {
				tp->p = p;
				return refuse(tp, "expected seconds");
			}
			if (*p == '.' || *p == ',')	/* fractions of a second: dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		*colon = true;
	} else if (lit(&p, "時")) {
		if (lit(&p, "半"))
			mi = 30;
		else if (*p >= '0' && *p <= '9') {
			if ((mi = num(&p, 2, NULL)) < 0 || !lit(&p, "分")) {
				tp->p = p;
				return refuse(tp, "expected minutes then 分 (10時15分)");
			}
		}
	} else {
		tp->p = p;
		return refuse(tp, "expected : or 時 after the hour");
	}
	if (pm >= 0) {
		if (h > 12) {
			tp->p = p;
			return refuse(tp, "午前/午後 take an hour up to 12");
		}
		h = h % 12 + (pm ? 12 : 0);
	}
	tp->h = h, tp->mi = mi;
	if (h > 23 || mi > 59 || sec > 59) {
		tp->p = p;
		return refuse(tp, h == 24 ? N_("24:00 is not a time of day: write 23:59 "
		    "or the next day's 0:00") : N_("hours go to 23 and minutes to 59"));
	}
	tp->sec = sec;
	tp->have_time = true;
	tp->p = p;
	return 0;
}

int
timefmt_parse_at(const char *s, int64_t now, int64_t *t, bool *date_only, char *err,
    size_t errlen)
{
	struct tparse tp = { 0 };
	char *f = NULL;
	const char *p;
	int64_t offset = TOKYO_OFFSET, today = timefmt_ymd(now);
	int rc = -1, oh, om, sign, r;
	bool colon = false, next;

	tp.err = err;
	tp.errlen = errlen;
	last_error[0] = '\0';
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((f = fold(s)) == NULL) {
		tp.p = "";
		refuse(&tp, "too long to be a time");
		goto out;
	}
	tp.p = p = f;
	if (strcmp(p, "now") == 0 || strcmp(p, "今") == 0) {
		*t = now;
		if (date_only != NULL)
			*date_only = false;
		rc = 0;
		goto out;
	}
	if ((next = lit(&p, "tomorrow") || lit(&p, "明日")) || lit(&p, "today") ||
	    lit(&p, "今日")) {
		int64_t ymd = timefmt_ymd(timefmt_ymd_start(today) + (next ? 86400 : 0));

		tp.y = (int)(ymd / 10000), tp.m = (int)(ymd / 100 % 100), tp.d = (int)(ymd % 100);
		tp.have_date = true;
		tp.p = p;
	} else if ((r = parse_date(&tp, now)) < 0)
		goto out;
	else if (r == 1) {		/* a time alone: today */
		tp.y = (int)(today / 10000), tp.m = (int)(today / 100 % 100);
		tp.d = (int)(today % 100);
		if (parse_clock(&tp, &colon) != 0)
			goto out;
	}
	p = tp.p;
	if (!tp.have_time && *p != '\0') {
		if (*p == ' ' || *p == 'T' || *p == 't')
			while (*p == ' ' || (p == tp.p && (*p == 'T' || *p == 't')))
				p++;
		else if (!(strncmp(p - strlen("日"), "日", strlen("日")) == 0 ||
		    strncmp(p, "午", strlen("午")) == 0)) {
			refuse(&tp, "expected a space then the time");
			goto out;
		}
		tp.p = p;
		if (parse_clock(&tp, &colon) != 0)
			goto out;
		p = tp.p;
	}
	if (colon && (*p == 'Z' || *p == 'z')) {
		offset = 0;
		p++;
	} else if (colon && (*p == '+' || *p == '-')) {
		sign = *p++ == '-' ? -1 : 1;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') {
			tp.p = p;
			refuse(&tp, "expected an offset such as +09:00");
			goto out;
		}
		oh = (p[0] - '0') * 10 + p[1] - '0';
		p += 2;
		if (*p == ':')
			p++;
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || oh > 23 ||
		    (om = (p[0] - '0') * 10 + p[1] - '0') > 59) {
			tp.p = p;
			refuse(&tp, "expected an offset such as +09:00");
			goto out;
		}
		p += 2;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0') {
		tp.p = p;
		refuse(&tp, "unexpected text");
		goto out;
	}
	*t = timefmt_days(tp.y, tp.m, tp.d) * 86400 + tp.h * 3600 + tp.mi * 60 + tp.sec -
	    offset;
	if (date_only != NULL)
		*date_only = !tp.have_time;
	rc = 0;
out:
	free(f);
	return rc;
}

int
timefmt_parse(const char *s, int64_t *t, bool *date_only)
{
	return timefmt_parse_at(s, (int64_t)time(NULL), t, date_only, NULL, 0);
}

const char *
timefmt_error(void)
{
	if (last_error[0] == '\0')
		snprintf(last_error, sizeof(last_error), _("not a time (%s)"),
		    _(TIME_EXAMPLES));
	return last_error;
}

int
timefmt_parse_hm(const char *s, int *minutes)
{
	struct tparse tp = { 0 };
	char *f;
	bool colon;
	int rc = -1;

	last_error[0] = '\0';
	if ((f = fold(s)) == NULL)
		return -1;
	tp.p = f;
	if (parse_clock(&tp, &colon) == 0) {
		if (*tp.p == '\0') {
			*minutes = tp.h * 60 + tp.mi;
			rc = 0;
		} else
			refuse(&tp, "unexpected text");
	}
	free(f);
	return rc;
}

int64_t
timefmt_ymd(int64_t t)
{
	int y, m, d;

	timefmt_civil(floor_div(t + TOKYO_OFFSET, 86400), &y, &m, &d);
	return (int64_t)y * 10000 + m * 100 + d;
}

int64_t
timefmt_ymd_start(int64_t ymd)
{
	return timefmt_days((int)(ymd / 10000), (int)(ymd / 100 % 100), (int)(ymd % 100)) *
	    86400 - TOKYO_OFFSET;
}

static int
weekday(int64_t days)
{
	return (int)((days % 7 + 7 + 4) % 7);	/* 1970-01-01 was a Thursday */
}

void
timefmt_date(int64_t ymd, char *buf, size_t len)
{
	int y = (int)(ymd / 10000), m = (int)(ymd / 100 % 100), d = (int)(ymd % 100);

	snprintf(buf, len, "%04d-%02d-%02d(%s)", y, m, d,
	    weekday_ja[weekday(timefmt_days(y, m, d))]);
}

void
timefmt_local(int64_t t, char *buf, size_t len)
{
	int64_t local = t + TOKYO_OFFSET, days = floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	int y, m, d;

	timefmt_civil(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d(%s) %02d:%02d", y, m, d, weekday_ja[weekday(days)],
	    (int)(sod / 3600), (int)(sod / 60 % 60));
}

void
timefmt_iso(int64_t t, char *buf, size_t len)
{
	int64_t local = t + TOKYO_OFFSET, days = floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	int y, m, d;

	timefmt_civil(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d+09:00", y, m, d, (int)(sod / 3600),
	    (int)(sod / 60 % 60), (int)(sod % 60));
}

void
timefmt_span(int64_t start, int64_t end, bool all_day, char *buf, size_t len)
{
	char a[40], b[40];

	if (all_day) {
		/* Occurrences of all-day events come as 00:00..24:00 Tokyo instants. */
		timefmt_date(timefmt_ymd(start), a, sizeof(a));
		if (end - start > 86400) {
			timefmt_date(timefmt_ymd(end - 1), b, sizeof(b));
			snprintf(buf, len, "%s–%s 終日", a, b + 5);
		} else
			snprintf(buf, len, "%s 終日", a);
		return;
	}
	timefmt_local(start, a, sizeof(a));
	if (end <= start) {
		snprintf(buf, len, "%s", a);
		return;
	}
	timefmt_local(end, b, sizeof(b));
	if (timefmt_ymd(start) == timefmt_ymd(end) ||
	    (end - start <= 86400 && strcmp(b + strlen(b) - 5, "00:00") == 0 &&
	    timefmt_ymd(start) == timefmt_ymd(end - 1)))
		snprintf(buf, len, "%s–%s", a, strcmp(b + strlen(b) - 5, "00:00") == 0 &&
		    timefmt_ymd(start) != timefmt_ymd(end) ? "24:00" : b + strlen(b) - 5);
	else
		snprintf(buf, len, "%s–%s", a, b + 5);
}
