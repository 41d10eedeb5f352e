/*
 * timefmt: reading and writing times for people. Japan keeps UTC+09:00 all year, so
 * Asia/Tokyo is plain arithmetic here: no TZ variable, no tz database, no mktime().
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hiroba.h"

static const char *const weekday_ja[] = { "日", "月", "火", "水", "木", "金", "土" };

/* Howard Hinnant's days_from_civil / civil_from_days: exact for every Gregorian date. */
int64_t
timefmt_days(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
timefmt_civil(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Exactly n digits at *s; advances *s. -1 if they are not there. */
static int
digits(const char **s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return v;
}

int
timefmt_parse(const char *s, int64_t *t, bool *date_only)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	int64_t offset = TOKYO_OFFSET, now = (int64_t)time(NULL);
	bool donly = true;

	if (strcmp(s, "now") == 0) {
		*t = now;
		if (date_only != NULL)
			*date_only = false;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "tomorrow") == 0) {
		*t = timefmt_ymd_start(timefmt_ymd(now)) + (s[1] == 'o' ? 86400 : 0);
		if (date_only != NULL)
			*date_only = true;
		return 0;
	}
	if ((y = digits(&s, 4)) < 0 || *s++ != '-' || (mo = digits(&s, 2)) < 0 ||
	    *s++ != '-' || (d = digits(&s, 2)) < 0)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (*s == ' ' || *s == 'T' || *s == 't') {
		s++;
		if ((h = digits(&s, 2)) < 0 || *s++ != ':' || (mi = digits(&s, 2)) < 0)
			return -1;
		if (*s == ':') {
			s++;
			if ((sec = digits(&s, 2)) < 0)
				return -1;
			if (*s == '.' || *s == ',')	/* fractions of a second: dropped */
				for (s++; *s >= '0' && *s <= '9'; s++)
					;
		}
		/* 24:00 is the end of the day (ISO 8601); 60 a leap second is not ours. */
		if (h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi != 0 || sec != 0)))
			return -1;
		donly = false;
		if (*s == 'Z' || *s == 'z') {
			offset = 0;
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if ((oh = digits(&s, 2)) < 0)
				return -1;
			if (*s == ':')
				s++;
			if ((om = digits(&s, 2)) < 0 || oh > 23 || om > 59)
				return -1;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*s != '\0')
		return -1;
	*t = timefmt_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	if (date_only != NULL)
		*date_only = donly;
	return 0;
}

int
timefmt_parse_hm(const char *s, int *minutes)
{
	int h, m;

	if ((h = digits(&s, s[1] == ':' ? 1 : 2)) < 0 || *s++ != ':' ||
	    (m = digits(&s, 2)) < 0 || *s != '\0' || h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	*minutes = h * 60 + m;
	return 0;
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
