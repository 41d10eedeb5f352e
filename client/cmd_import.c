/* SPDX-License-Identifier: ISC */
/*
 * hiroba import csv|json: a group's existing spreadsheet of map entries or events, in one
 * go. Every row is checked first; then the accepted rows go to the daemon in one
 * publish_batch request, which stores all of them or none.
 */
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "hiroba.h"

#define IMPORT_MAX	100000		/* rows in one file */
#define FILE_MAX	(64 * 1024 * 1024)

enum state { ROW_REFUSED, ROW_NEW, ROW_CHANGED, ROW_SAME };

struct row {
	long		 line;		/* where the row starts in the file, from 1 */
	enum state	 state;
	char		*err;		/* why it was refused (malloc'd) */
	json_t		*draft;		/* {"id": ..., "<kind>": {...}} */
	struct hb_record *rec;		/* the checked draft */
};

struct import {
	struct cli	*cli;
	const char	*path;
	enum hb_kind	 kind;		/* --kind, or HB_KIND_NONE */
	struct row	*rows;
	size_t		 n, cap;
};

/* ---- rows ---- */

static struct row *
row_add(struct import *im, long line)
{
	struct row *r;

	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;

		if ((r = realloc(im->rows, cap * sizeof(*r))) == NULL)
			return NULL;
		im->rows = r;
		im->cap = cap;
	}
	r = &im->rows[im->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	return r;
}

static void
refuse(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
refuse(struct row *r, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (r->err != NULL)	/* the first reason is the one to fix first */
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), _(fmt), ap);	/* xgettext: keyword refuse:2 */
	va_end(ap);
	r->err = strdup(buf);
	r->state = ROW_REFUSED;
	if (r->err == NULL)
		r->err = strdup("refused");
}

/* A record id from the fields that say which thing a row is, so that the same row
 * imported twice names the same record: BLAKE2b of the kind and those fields. */
static char *
derived_id(enum hb_kind kind, const char *a, const char *b, int64_t ymd)
{
	uint8_t h[8];
	char hex[17];
	crypto_generichash_state st;
	char *na = proto_normalize(a), *id;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)proto_kind_name(kind),
	    strlen(proto_kind_name(kind)) + 1);
	crypto_generichash_update(&st, (const uint8_t *)(na != NULL ? na : a),
	    strlen(na != NULL ? na : a) + 1);
	crypto_generichash_update(&st, (const uint8_t *)b, strlen(b) + 1);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	free(na);
	if (ymd != 0)
		id = cli_strf("%s/%08lld-%s", proto_kind_name(kind), (long long)ymd, hex);
	else
		id = cli_strf("%s/%s", proto_kind_name(kind), hex);
	return id;
}

/* ---- CSV (RFC 4180) ---- */

enum col {
	C_NONE, C_IGNORED, C_ID, C_NAME, C_LAT, C_LON, C_ADDRESS, C_TAGS, C_HOURS, C_DESC,
	C_NOTES, C_TITLE, C_START, C_END, C_ALLDAY, C_CATEGORY, C_PLACE, C_CAPACITY,
	C_REGISTERED, C_ATTENDED, C_FEE, C_CONTACT, C_AUDIENCE, C_STATUS,
	C_TR_TITLE, C_TR_DESC	/* title:en, description:zh ... */
};

static const struct alias {
	const char	*name;		/* as proto_normalize writes it */
	enum col	 col;
} aliases[] = {
	{ "id", C_ID },
	{ "name", C_NAME }, { "名称", C_NAME }, { "名前", C_NAME }, { "施設名", C_NAME },
	{ "lat", C_LAT }, { "latitude", C_LAT }, { "緯度", C_LAT },
	{ "lon", C_LON }, { "lng", C_LON }, { "longitude", C_LON }, { "経度", C_LON },
	{ "address", C_ADDRESS }, { "住所", C_ADDRESS }, { "所在地", C_ADDRESS },
	{ "tags", C_TAGS }, { "タグ", C_TAGS },
	{ "opening_hours", C_HOURS }, { "営業時間", C_HOURS }, { "開館時間", C_HOURS },
	{ "利用時間", C_HOURS },
	{ "description", C_DESC }, { "説明", C_DESC }, { "内容", C_DESC },
	{ "notes", C_NOTES }, { "備考", C_NOTES },
	{ "title", C_TITLE }, { "タイトル", C_TITLE }, { "イベント名", C_TITLE },
	{ "件名", C_TITLE },
	{ "start", C_START }, { "開始", C_START }, { "開始日時", C_START },
	{ "end", C_END }, { "終了", C_END }, { "終了日時", C_END },
	{ "all_day", C_ALLDAY }, { "終日", C_ALLDAY },
	{ "category", C_CATEGORY }, { "区分", C_CATEGORY }, { "カテゴリ", C_CATEGORY },
	{ "place", C_PLACE }, { "location", C_PLACE }, { "場所", C_PLACE }, { "会場", C_PLACE },
	{ "capacity", C_CAPACITY }, { "定員", C_CAPACITY },
	{ "registered", C_REGISTERED }, { "申込", C_REGISTERED }, { "申込数", C_REGISTERED },
	{ "attended", C_ATTENDED }, { "参加", C_ATTENDED }, { "参加者数", C_ATTENDED },
	{ "fee", C_FEE }, { "fee_yen", C_FEE }, { "参加費", C_FEE }, { "料金", C_FEE },
	{ "contact", C_CONTACT }, { "連絡先", C_CONTACT }, { "問い合わせ", C_CONTACT },
	{ "audience", C_AUDIENCE }, { "対象", C_AUDIENCE },
	{ "status", C_STATUS }, { "状態", C_STATUS },
	{ "group", C_IGNORED }, { "グループ", C_IGNORED },
	{ NULL, C_NONE }
};

struct header {
	enum col	 col;
	char		 lang[36];	/* C_TR_*: the language */
	const char	*text;		/* as written in the file, for messages */
};

static enum col
col_find(const char *norm)
{
	const struct alias *a;

	for (a = aliases; a->name != NULL; a++)
		if (strcmp(a->name, norm) == 0)
			return a->col;
	return C_NONE;
}

/* "title:en", "name_en", "タイトル:en": a translation column. */
static enum col
col_translation(const char *norm, char *lang, size_t len)
{
	const char *sep = strpbrk(norm, ":_");
	char base[64];
	enum col c;

	while (sep != NULL && col_find(sep + 1) != C_NONE)	/* opening_hours, fee_yen */
		sep = strpbrk(sep + 1, ":_");
	if (sep == NULL || (size_t)(sep - norm) >= sizeof(base) || sep[1] == '\0' ||
	    strlen(sep + 1) >= len)
		return C_NONE;
	memcpy(base, norm, (size_t)(sep - norm));
	base[sep - norm] = '\0';
	c = col_find(base);
	if (c != C_TITLE && c != C_NAME && c != C_DESC)
		return C_NONE;
	snprintf(lang, len, "%s", sep + 1);
	return c == C_DESC ? C_TR_DESC : C_TR_TITLE;
}

/* Split buf into records of cells. Each record is a JSON array of strings; lines[i] is
 * the line where record i starts. Refuses (message printed) what is not CSV. */
static int
csv_split(struct import *im, const char *buf, size_t len, json_t *recs, json_t *lines)
{
	json_t *rec = NULL;
	char *cell = NULL;
	size_t n = 0, cap = 0, i = 0;
	long line = 1, start = 1;
	bool quoted;
	int rc = HB_EXIT_FAIL;

#define PUT(ch) do { \
	if (n + 1 >= cap) { \
		char *nc = realloc(cell, cap = cap ? cap * 2 : 256); \
		if (nc == NULL) goto oom; \
		cell = nc; \
	} \
	cell[n++] = (ch); \
} while (0)

	for (;;) {
		if (i >= len)
			break;
		rec = json_array();
		start = line;
		for (;;) {	/* one cell */
			n = 0;
			quoted = false;
			if (i < len && buf[i] == '"') {
				quoted = true;
				for (i++;; i++) {
					if (i >= len) {
						cli_error(HB_EXIT_FAIL, "%s:%ld: a quoted cell is never "
						    "closed", im->path, start);
						goto out;
					}
					if (buf[i] == '"') {
						if (i + 1 < len && buf[i + 1] == '"') {
							PUT('"');
							i++;
							continue;
						}
						i++;
						break;
					}
					/* A line break in a cell is LF in a record, whatever
					 * the file's line ends (records refuse CR). */
					if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
						continue;
					if (buf[i] == '\n' || buf[i] == '\r') {
						line++;
						PUT('\n');
						continue;
					}
					PUT(buf[i]);
				}
			}
			for (; i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r'; i++) {
				if (quoted && buf[i] != ' ' && buf[i] != '\t') {
					cli_error(HB_EXIT_FAIL, "%s:%ld: text after the closing quote "
					    "of a cell (a quote inside a cell is written \"\")",
					    im->path, line);
					goto out;
				}
				if (!quoted)
					PUT(buf[i]);
			}
			PUT('\0');
			json_array_append_new(rec, json_string(cell));
			if (i < len && buf[i] == ',') {
				i++;
				continue;
			}
			break;
		}
		/* end of record: CRLF, LF, CR or the end of the file */
		if (i < len && buf[i] == '\r')
			i++;
		if (i < len && buf[i] == '\n')
			i++;
		line++;
		json_array_append_new(recs, rec);
		json_array_append_new(lines, json_integer(start));
		rec = NULL;
		if (json_array_size(recs) > IMPORT_MAX) {
			cli_error(HB_EXIT_FAIL, "%s: more than %d rows: split the file", im->path,
			    IMPORT_MAX);
			goto out;
		}
	}
	rc = 0;
	goto out;
oom:
	rc = cli_error(HB_EXIT_FAIL, "out of memory");
out:
#undef PUT
	json_decref(rec);
	free(cell);
	return rc;
}

static const char *
cell(json_t *rec, const struct header *h, size_t nh, enum col c, const char **hname)
{
	size_t i;
	const char *s;

	for (i = 0; i < nh && i < json_array_size(rec); i++)
		if (h[i].col == c) {
			s = json_string_value(json_array_get(rec, i));
			if (hname != NULL)
				*hname = h[i].text;
			return s != NULL && *s != '\0' ? s : NULL;
		}
	return NULL;
}

/* Trim spaces (a spreadsheet adds them) in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static bool
truthy(const char *s)
{
	static const char *const yes[] = { "1", "true", "yes", "y", "はい", "○", "◯", "〇",
	    "終日", NULL };
	size_t i;

	for (i = 0; s != NULL && yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return true;
	return false;
}

struct rowctx {
	struct row	*row;
	json_t		*rec;
	struct header	*h;
	size_t		 nh;
};

/* The trimmed text of a column, NULL if empty; hname names the column for messages. */
static const char *
get(struct rowctx *c, enum col col, const char **hname)
{
	const char *s = cell(c->rec, c->h, c->nh, col, hname);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < c->nh; i++)	/* trim the stored copy */
		if (c->h[i].col == col) {
			char *t = strdup(s), *tt;

			if (t == NULL)
				return NULL;
			tt = trim(t);
			/* What `hiroba export csv` neutralised comes back as it was. */
			if (tt[0] == '\'' && tt[1] != '\0' && strchr("=+-@\t\r", tt[1]) != NULL)
				tt++;
			json_array_set_new(c->rec, i, json_string(tt));
			free(t);
			s = json_string_value(json_array_get(c->rec, i));
			break;
		}
	return *s != '\0' ? s : NULL;
}

static const char *
hdr(struct rowctx *c, enum col col, const char *dflt)
{
	size_t i;

	for (i = 0; i < c->nh; i++)
		if (c->h[i].col == col)
			return c->h[i].text;
	return dflt;
}

static void
set_str(struct rowctx *c, json_t *p, enum col col, const char *key)
{
	const char *s = get(c, col, NULL);

	if (s != NULL)
		json_object_set_new(p, key, json_string(s));
}

/*
 * A number as a Japanese spreadsheet may hold it: full-width digits and signs (１０,
 * ３５．４６, －) become ASCII, and with commas true (counts and yen) the thousands
 * separators Excel's 桁区切り adds ("1,000") go. The result is in buf; NULL if too long.
 */
static const char *
num_fold(const char *s, char *buf, size_t len, bool commas)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	unsigned cp;

	for (; *p != '\0'; ) {
		if (n + 1 >= len)
			return NULL;
		if (p[0] == 0xef && (p[1] == 0xbc || p[1] == 0xbd) && p[2] >= 0x80 &&
		    p[2] <= 0xbf && (cp = 0xf000 | (unsigned)(p[1] & 0x3f) << 6 |
		    (p[2] & 0x3f)) >= 0xff01 && cp <= 0xff5e) {
			buf[n++] = (char)(cp - 0xfee0);
			p += 3;
		} else
			buf[n++] = (char)*p++;
		if (commas && buf[n - 1] == ',')
			n--;
	}
	buf[n] = '\0';
	return buf;
}

static void
set_num(struct rowctx *c, json_t *p, enum col col, const char *key)
{
	const char *s = get(c, col, NULL), *f;
	char buf[64];
	long long v;

	if (s == NULL)
		return;
	if ((f = num_fold(s, buf, sizeof(buf), true)) == NULL ||
	    (v = cli_number(f, UINT32_MAX)) < 0)
		refuse(c->row, "%s '%s' is not a number", hdr(c, col, key), s);
	else
		json_object_set_new(p, key, json_integer(v));
}

static void
set_translations(struct rowctx *c, json_t *p)
{
	const char *s;
	size_t i;

	for (i = 0; i < c->nh && i < json_array_size(c->rec); i++) {
		if (c->h[i].col != C_TR_TITLE && c->h[i].col != C_TR_DESC)
			continue;
		s = json_string_value(json_array_get(c->rec, i));
		if (s != NULL && *s != '\0')
			translation_set(p, c->h[i].lang, c->h[i].col == C_TR_TITLE ? "title" :
			    "description", s);
	}
}

/* lat and lon, both or neither (required: both). */
static bool
point(struct rowctx *c, json_t *p, bool required)
{
	const char *lat = get(c, C_LAT, NULL), *lon = get(c, C_LON, NULL), *f;
	char lab[64], lob[64];
	int32_t la, lo;

	if (lat == NULL && lon == NULL && !required)
		return true;
	if (lat == NULL || lon == NULL) {
		refuse(c->row, "%s is empty", lat == NULL ? hdr(c, C_LAT, "lat") :
		    hdr(c, C_LON, "lon"));
		return false;
	}
	if ((f = num_fold(lat, lab, sizeof(lab), false)) == NULL ||
	    place_degrees(f, 90, &la) != 0) {
		refuse(c->row, "%s '%s' is not a latitude (decimal degrees, -90 to 90)",
		    hdr(c, C_LAT, "lat"), lat);
		return false;
	}
	if ((f = num_fold(lon, lob, sizeof(lob), false)) == NULL ||
	    place_degrees(f, 180, &lo) != 0) {
		refuse(c->row, "%s '%s' is not a longitude (decimal degrees, -180 to 180)",
		    hdr(c, C_LON, "lon"), lon);
		return false;
	}
	json_object_set_new(p, "point", json_pack("{s:i, s:i}", "lat_e7", (int)la, "lon_e7",
	    (int)lo));
	return true;
}

static json_t *
csv_place(struct rowctx *c, char **id)
{
	json_t *p = json_object(), *tags = json_array();
	const char *name = get(c, C_NAME, NULL), *s;
	char *copy, *tok, *save = NULL, *eq, *k, *v, b[48];

	if (name == NULL)
		refuse(c->row, "%s is empty", hdr(c, C_NAME, "name"));
	else
		json_object_set_new(p, "name", json_string(name));
	point(c, p, true);
	set_str(c, p, C_ADDRESS, "address");
	set_str(c, p, C_HOURS, "opening_hours");
	set_str(c, p, C_DESC, "description");
	set_str(c, p, C_NOTES, "notes");
	if ((s = get(c, C_TAGS, NULL)) != NULL && (copy = strdup(s)) != NULL) {
		for (tok = strtok_r(copy, ";", &save); tok != NULL;
		    tok = strtok_r(NULL, ";", &save)) {
			if (*(tok = trim(tok)) == '\0')
				continue;
			if ((eq = strchr(tok, '=')) == NULL || eq == tok || eq[1] == '\0') {
				refuse(c->row, "%s: '%s' is not KEY=VALUE (such as stroller=yes; "
				    "separate tags with ';')", hdr(c, C_TAGS, "tags"), tok);
				break;
			}
			*eq = '\0';
			k = trim(tok);
			v = trim(eq + 1);
			json_array_append_new(tags, json_pack("{s:s, s:s}", "key", k, "value", v));
		}
		free(copy);
	}
	if (json_array_size(tags) > 0)
		json_object_set_new(p, "tags", json_incref(tags));
	json_decref(tags);
	set_translations(c, p);
	if ((s = get(c, C_ID, NULL)) != NULL)
		*id = strdup(s);
	else if (name != NULL && json_is_object(json_object_get(p, "point"))) {
		json_t *pt = json_object_get(p, "point");

		snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT ",%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(pt, "lat_e7")),
		    json_integer_value(json_object_get(pt, "lon_e7")));
		*id = derived_id(HB_PLACE, name, b, 0);
	}
	return p;
}

static json_t *
csv_event(struct cli *cli, struct rowctx *c, char **id)
{
	json_t *e = json_object(), *aud;
	const char *title = get(c, C_TITLE, NULL), *start = get(c, C_START, NULL);
	const char *end = get(c, C_END, NULL), *s;
	const struct vocab *v;
	int64_t ts = 0, te, sd, ed;
	bool date_only = false, all_day, end_date = false;
	char b[32], *copy, *tok, *save = NULL;
	int minutes;

	if (title == NULL)
		refuse(c->row, "%s is empty", hdr(c, C_TITLE, "title"));
	else
		json_object_set_new(e, "title", json_string(title));
	if (start == NULL)
		refuse(c->row, "%s is empty", hdr(c, C_START, "start"));
	else if (timefmt_parse(start, &ts, &date_only) != 0) {
		refuse(c->row, "%s '%s' is not a time: %s", hdr(c, C_START, "start"), start,
		    timefmt_error());
		start = NULL;
	}
	all_day = date_only || truthy(get(c, C_ALLDAY, NULL));
	if (start != NULL && all_day) {
		sd = ed = timefmt_ymd(ts);
		if (end != NULL) {
			if (timefmt_parse(end, &te, NULL) != 0)
				refuse(c->row, "%s '%s' is not a date: %s", hdr(c, C_END, "end"),
				    end, timefmt_error());
			else
				ed = timefmt_ymd(te);
		}
		if (ed < sd)
			refuse(c->row, "%s is before %s", hdr(c, C_END, "end"),
			    hdr(c, C_START, "start"));
		json_object_set_new(e, "when", json_pack("{s:b, s:I, s:I}", "all_day", 1,
		    "start", (json_int_t)sd, "end", (json_int_t)ed));
	} else if (start != NULL) {
		te = ts + 3600;
		if (end != NULL && timefmt_parse_hm(end, &minutes) == 0)
			te = timefmt_ymd_start(timefmt_ymd(ts)) + minutes * 60;
		else if (end != NULL && (timefmt_parse(end, &te, &end_date) != 0 || end_date))
			refuse(c->row, "%s '%s' is not a time such as 12:00, 12時 or "
			    "2026/12/05 12:00", hdr(c, C_END, "end"), end);
		if (te < ts)
			refuse(c->row, "%s is before %s", hdr(c, C_END, "end"),
			    hdr(c, C_START, "start"));
		json_object_set_new(e, "when", json_pack("{s:I, s:I}", "start", (json_int_t)ts,
		    "end", (json_int_t)te));
	}
	if ((s = get(c, C_CATEGORY, NULL)) == NULL)
		v = vocab_find(vocab_category, "other");
	else if ((v = vocab_find_label(vocab_category, s)) == NULL)
		refuse(c->row, "%s '%s' is not a category: pre_parent, father, play_space, "
		    "consultation, supporter_training, network_meeting, support_system, other "
		    "(or their Japanese names, such as 親子のひろば)", hdr(c, C_CATEGORY, "category"),
		    s);
	if (v != NULL)
		json_object_set_new(e, "category", json_string(v->json));
	if ((s = get(c, C_PLACE, NULL)) != NULL)
		where_text_set(e, s);
	{
		json_t *where = json_object_get(e, "where"), *tmp = json_object();

		if (point(c, tmp, false) && json_object_get(tmp, "point") != NULL) {
			if (where == NULL) {
				where = json_object();
				json_object_set_new(e, "where", where);
			}
			json_object_set(where, "point", json_object_get(tmp, "point"));
		}
		json_decref(tmp);
	}
	set_num(c, e, C_CAPACITY, "capacity");
	set_num(c, e, C_REGISTERED, "registered");
	set_num(c, e, C_ATTENDED, "attended");
	set_num(c, e, C_FEE, "fee_yen");
	set_str(c, e, C_CONTACT, "contact");
	set_str(c, e, C_DESC, "description");
	if ((s = get(c, C_AUDIENCE, NULL)) != NULL && (copy = strdup(s)) != NULL) {
		char *jp;

		/* 、 separates too; strtok_r splits on bytes, so make it a comma first. */
		while ((jp = strstr(copy, "、")) != NULL)
			memcpy(jp, ",  ", 3);
		aud = json_array();
		for (tok = strtok_r(copy, ",;", &save); tok != NULL;
		    tok = strtok_r(NULL, ",;", &save)) {
			if (*(tok = trim(tok)) == '\0')
				continue;
			if ((v = vocab_find_label(vocab_audience, tok)) == NULL) {
				refuse(c->row, "%s '%s' is not an audience: expecting_parents, fathers, "
				    "foreign_families, grandparents, supporters, all_families",
				    hdr(c, C_AUDIENCE, "audience"), tok);
				break;
			}
			json_array_append_new(aud, json_string(v->json));
		}
		free(copy);
		if (json_array_size(aud) > 0)
			json_object_set_new(e, "audience", aud);
		else
			json_decref(aud);
	}
	if ((s = get(c, C_STATUS, NULL)) != NULL) {
		if (strcmp(s, "中止") == 0 || strcasecmp(s, "cancelled") == 0 ||
		    strcasecmp(s, "canceled") == 0)
			json_object_set_new(e, "cancelled", json_true());
		else if (strcmp(s, "予定") != 0 && strcasecmp(s, "scheduled") != 0)
			refuse(c->row, "%s '%s': 中止 (cancelled), or leave it empty",
			    hdr(c, C_STATUS, "status"), s);
	}
	set_translations(c, e);
	(void)cli;
	if ((s = get(c, C_ID, NULL)) != NULL)
		*id = strdup(s);
	else if (title != NULL && start != NULL) {
		json_t *w = json_object_get(e, "when");

		snprintf(b, sizeof(b), "%s%" JSON_INTEGER_FORMAT, all_day ? "d" : "t",
		    json_integer_value(json_object_get(w, "start")));
		*id = derived_id(HB_EVENT, title, b, all_day ?
		    json_integer_value(json_object_get(w, "start")) : timefmt_ymd(ts));
	}
	return e;
}

static int
read_csv(struct import *im, const char *buf, size_t len)
{
	json_t *recs = json_array(), *lines = json_array(), *rec, *payload;
	struct header *h = NULL;
	struct rowctx c;
	struct row *r;
	const char *s;
	char *norm, *id;
	size_t nh, i, j;
	bool empty;
	int rc;

	if ((rc = csv_split(im, buf, len, recs, lines)) != 0)
		goto out;
	rc = HB_EXIT_FAIL;
	if (json_array_size(recs) == 0) {
		cli_error(rc, "%s: empty file", im->path);
		goto out;
	}
	rec = json_array_get(recs, 0);
	nh = json_array_size(rec);
	if ((h = calloc(nh + 1, sizeof(*h))) == NULL) {
		cli_error(rc, "out of memory");
		goto out;
	}
	for (i = 0; i < nh; i++) {
		h[i].text = json_string_value(json_array_get(rec, i));
		if ((norm = proto_normalize(h[i].text)) == NULL)
			continue;
		s = trim(norm);
		if (*s == '\0')
			h[i].col = C_IGNORED;
		else if ((h[i].col = col_find(s)) == C_NONE)
			h[i].col = col_translation(s, h[i].lang, sizeof(h[i].lang));
		free(norm);
		if (h[i].col == C_NONE) {
			cli_warn("%s: column '%s' is not one `hiroba import` knows: ignored "
			    "(see `hiroba help import csv`)", im->path, h[i].text);
			h[i].col = C_IGNORED;
		}
		for (j = 0; j < i; j++)
			if (h[i].col == h[j].col && h[i].col != C_IGNORED &&
			    strcmp(h[i].lang, h[j].lang) == 0) {
				cli_error(rc, "%s:1: columns '%s' and '%s' say the same thing",
				    im->path, h[j].text, h[i].text);
				goto out;
			}
	}
	if (im->kind == HB_KIND_NONE) {
		c.h = h;
		c.nh = nh;
		if (strcmp(hdr(&c, C_TITLE, "-"), "-") != 0 && strcmp(hdr(&c, C_START, "-"), "-"))
			im->kind = HB_EVENT;
		else if (strcmp(hdr(&c, C_NAME, "-"), "-") != 0)
			im->kind = HB_PLACE;
		else {
			cli_error(rc, "%s:1: no 名称/name column (places) nor タイトル/title and "
			    "開始/start (events): which is it? Give --kind, and see `hiroba help "
			    "import csv` for the column names", im->path);
			goto out;
		}
	}
	for (i = 1; i < json_array_size(recs); i++) {
		rec = json_array_get(recs, i);
		empty = true;
		for (j = 0; j < json_array_size(rec); j++) {
			s = json_string_value(json_array_get(rec, j));
			if (s != NULL && s[strspn(s, " \t")] != '\0')
				empty = false;
		}
		if (empty)	/* the blank lines a spreadsheet leaves at the end */
			continue;
		if ((r = row_add(im, (long)json_integer_value(json_array_get(lines, i)))) == NULL) {
			cli_error(rc, "out of memory");
			goto out;
		}
		r->state = ROW_NEW;
		if (json_array_size(rec) > nh)
			refuse(r, "%zu cells, but the header names %zu columns (a comma in a cell "
			    "that is not quoted?)", json_array_size(rec), nh);
		c.row = r;
		c.rec = rec;
		c.h = h;
		c.nh = nh;
		id = NULL;
		payload = im->kind == HB_PLACE ? csv_place(&c, &id) :
		    csv_event(im->cli, &c, &id);
		r->draft = json_object();
		if (id != NULL)
			json_object_set_new(r->draft, "id", json_string(id));
		json_object_set_new(r->draft, proto_kind_name(im->kind), payload);
		free(id);
	}
	rc = 0;
out:
	free(h);
	json_decref(recs);
	json_decref(lines);
	return rc;
}

/* ---- JSON: an array of drafts, or one per line ---- */

static long
line_at(const char *buf, size_t off)
{
	long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

static size_t
skip_ws(const char *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

static void
json_item(struct import *im, struct row *r, json_t *v)
{
	static const char *const header[] = { "author", "seq", "created", "kind", "hash",
	    "group", "occurrence", "replies", "distance_m", "left", "ref_short" };
	static const enum hb_kind allowed[] = { HB_EVENT, HB_PLACE, HB_VOLUNTEER, HB_MEETING };
	enum hb_kind k = HB_KIND_NONE;
	const char *key, *title;
	json_t *val, *p, *w;
	char b[64], *id = NULL;
	size_t i;

	r->state = ROW_NEW;
	if (!json_is_object(v)) {
		refuse(r, "a record is a JSON object");
		json_decref(v);
		return;
	}
	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		json_object_del(v, header[i]);
	json_object_foreach(v, key, val)
		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strcmp(key, proto_kind_name(allowed[i])) == 0)
				k = allowed[i];
	r->draft = v;
	if (k == HB_KIND_NONE) {
		refuse(r, "no \"event\", \"place\", \"volunteer\" or \"meeting\" in it");
		return;
	}
	if (im->kind != HB_KIND_NONE && k != im->kind) {
		refuse(r, "a %s, and --kind says %s", proto_kind_name(k),
		    proto_kind_name(im->kind));
		return;
	}
	if (json_is_string(json_object_get(v, "id")))
		return;
	/* No id: derive one from what says which thing it is, as for CSV rows. */
	p = json_object_get(v, proto_kind_name(k));
	title = k == HB_PLACE ? hc_jstr(p, "name") : hc_jstr(p, "title");
	if (k == HB_PLACE) {
		w = json_object_get(p, "point");
		snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT ",%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(w, "lat_e7")),
		    json_integer_value(json_object_get(w, "lon_e7")));
		id = derived_id(k, title, b, 0);
	} else {
		w = json_object_get(p, "when");
		snprintf(b, sizeof(b), "%s%" JSON_INTEGER_FORMAT,
		    json_is_true(json_object_get(w, "all_day")) ? "d" : "t",
		    json_integer_value(json_object_get(w, "start")));
		id = derived_id(k, title, b, json_is_true(json_object_get(w, "all_day")) ?
		    json_integer_value(json_object_get(w, "start")) :
		    timefmt_ymd(json_integer_value(json_object_get(w, "start"))));
	}
	if (id != NULL)
		json_object_set_new(v, "id", json_string(id));
	free(id);
}

static int
read_json(struct import *im, const char *buf, size_t len)
{
	json_error_t err;
	struct row *r;
	json_t *v;
	size_t i = skip_ws(buf, len, 0), eol;
	bool array = i < len && buf[i] == '[';

	if (array)
		i = skip_ws(buf, len, i + 1);
	while (i < len) {
		if (array && buf[i] == ']') {
			if (skip_ws(buf, len, i + 1) != len)
				return cli_error(HB_EXIT_FAIL, "%s:%ld: text after the array",
				    im->path, line_at(buf, i + 1));
			return 0;
		}
		if ((r = row_add(im, line_at(buf, i))) == NULL)
			return cli_error(HB_EXIT_FAIL, "out of memory");
		v = json_loadb(buf + i, len - i, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES,
		    &err);
		if (v == NULL) {
			if (array)	/* no way to find the next item: the file is refused */
				return cli_error(HB_EXIT_FAIL, "%s:%ld: %s", im->path,
				    r->line + err.line - 1, err.text);
			refuse(r, "not JSON: %s", err.text);
			for (eol = i; eol < len && buf[eol] != '\n'; eol++)
				;
			i = skip_ws(buf, len, eol);
			continue;
		}
		json_item(im, r, v);
		i = skip_ws(buf, len, i + err.position);
		if (array) {
			if (i < len && buf[i] == ',')
				i = skip_ws(buf, len, i + 1);
			else if (i >= len || buf[i] != ']')
				return cli_error(HB_EXIT_FAIL, "%s:%ld: expected ',' or ']'",
				    im->path, line_at(buf, i));
		}
		if (im->n > IMPORT_MAX)
			return cli_error(HB_EXIT_FAIL, "%s: more than %d records: split the file",
			    im->path, IMPORT_MAX);
	}
	if (array)
		return cli_error(HB_EXIT_FAIL, "%s: the array is never closed", im->path);
	return 0;
}

/* ---- checking against the daemon ---- */

/* The payload of a record's JSON form, as proto writes it (so that two records compare
 * equal exactly when their content is the same). */
static json_t *
payload_json(const struct hb_record *r, json_t **whole)
{
	char *s = proto_record_to_json(r, 0);

	*whole = s != NULL ? json_loads(s, 0, NULL) : NULL;
	free(s);
	return json_object_get(*whole, proto_kind_name(proto_record_kind(r)));
}

static void
check_row(struct import *im, struct row *r)
{
	char *text, err[256] = "";
	int rc;

	if ((text = json_dumps(r->draft, JSON_COMPACT)) == NULL) {
		refuse(r, "out of memory");
		return;
	}
	if (!json_is_string(json_object_get(r->draft, "id")))
		refuse(r, "no id (and nothing to derive one from)");
	else if ((rc = proto_draft_from_json(text, strlen(text), &r->rec, err,
	    sizeof(err))) != 0)
		refuse(r, "%s", err[0] != '\0' ? err : proto_strerror(rc));
	free(text);
}

/* Unchanged rows are skipped: the daemon would sign them again as new versions. */
static int
compare_row(struct import *im, struct row *r, const uint8_t *self)
{
	struct hb_record *cur = NULL;
	json_t *a = NULL, *b = NULL, *pa, *pb;
	int rc;

	rc = hc_get(im->cli, self, proto_record_id(r->rec), &cur);
	if (rc == HB_EXIT_NOTFOUND) {
		r->state = ROW_NEW;
		return 0;
	}
	if (rc != 0)
		return rc;
	r->state = ROW_CHANGED;
	if (proto_record_kind(cur) == proto_record_kind(r->rec) &&
	    proto_record_expires(cur) == proto_record_expires(r->rec)) {
		pa = payload_json(cur, &a);
		pb = payload_json(r->rec, &b);
		if (pa != NULL && pb != NULL && json_equal(pa, pb))
			r->state = ROW_SAME;
	}
	json_decref(a);
	json_decref(b);
	hb_record_free(&cur);
	return 0;
}

static int
publish_batch(struct import *im, size_t npub)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__Drafts drafts = HIROBA__WIRE__DRAFTS__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	ProtobufCBinaryData *bufs;
	struct hb_record *got;
	size_t i, k = 0;
	int rc = HB_EXIT_FAIL;

	if ((bufs = calloc(npub + 1, sizeof(*bufs))) == NULL)
		return cli_error(rc, "out of memory");
	for (i = 0; i < im->n; i++) {
		if (im->rows[i].state != ROW_NEW && im->rows[i].state != ROW_CHANGED)
			continue;
		if (proto_draft_encode(im->rows[i].rec, &bufs[k].data, &bufs[k].len) != 0) {
			cli_error(rc, "%s:%ld: cannot encode the record", im->path,
			    im->rows[i].line);
			goto out;
		}
		k++;
	}
	drafts.n_drafts = k;
	drafts.drafts = bufs;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_PUBLISH_BATCH;
	req.publish_batch = &drafts;
	if ((rc = hc_call(im->cli, &req, &resp)) != 0)
		goto out;
	if (resp->code != 0) {
		hc_failed(resp, "hirobad refused the import (nothing was imported)");
		if (resp->code == PROTO_EMISSING)	/* what a daemon without it answers */
			cli_warn("a hirobad older than `hiroba import` does not know batch "
			    "publishing (publish_batch): update it");
		rc = HB_EXIT_FAIL;
		goto out;
	}
	rc = HB_EXIT_FAIL;
	if (resp->n_envelopes != k) {
		cli_error(rc, "hirobad answered the import with %zu records for %zu",
		    resp->n_envelopes, k);
		goto out;
	}
	for (i = 0, k = 0; i < im->n; i++) {
		if (im->rows[i].state != ROW_NEW && im->rows[i].state != ROW_CHANGED)
			continue;
		if ((got = hc_open(&resp->envelopes[k++])) == NULL) {
			cli_error(rc, "%s:%ld: hirobad returned a record that does not verify",
			    im->path, im->rows[i].line);
			goto out;
		}
		if (strcmp(proto_record_id(got), proto_record_id(im->rows[i].rec)) != 0) {
			hb_record_free(&got);
			cli_error(rc, "hirobad answered the import out of order");
			goto out;
		}
		if (im->cli->json)
			json_line(json_record(im->cli, got));
		hb_record_free(&got);
	}
	rc = 0;
out:
	for (i = 0; i < npub; i++)
		free(bufs[i].data);
	free(bufs);
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n = 0, cap = 0, got;
	char *b = NULL, *nb;

	*buf = NULL;
	if (f == NULL)
		return cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - n < 65536) {
			if (cap > FILE_MAX || (nb = realloc(b, cap = cap ? cap * 2 : 65536 * 2))
			    == NULL) {
				free(b);
				if (f != stdin)
					fclose(f);
				return cli_error(HB_EXIT_FAIL, "%s: too big", path);
			}
			b = nb;
		}
		if ((got = fread(b + n, 1, cap - n - 1, f)) == 0)
			break;
		n += got;
	}
	if (ferror(f)) {
		free(b);
		if (f != stdin)
			fclose(f);
		return cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
	}
	if (f != stdin)
		fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* ---- the file's encoding ---- */

enum enc { ENC_AUTO, ENC_UTF8, ENC_CP932, ENC_BAD };

static enum enc
enc_parse(const char *s)
{
	static const char *const cp932[] = { "cp932", "ms932", "windows-31j", "shift_jis",
	    "shift-jis", "sjis", "sjis-win", NULL };
	size_t i;

	if (strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0)
		return ENC_UTF8;
	if (strcasecmp(s, "auto") == 0)
		return ENC_AUTO;
	for (i = 0; cp932[i] != NULL; i++)
		if (strcasecmp(s, cp932[i]) == 0)
			return ENC_CP932;
	return ENC_BAD;
}

/* CP932 (Microsoft's Shift_JIS, with NEC and IBM extensions: ①, ㈱, 髙) to UTF-8. A
 * malloc'd copy in *out; 0, or the byte offset + 1 of the first byte that is not CP932. */
static size_t
cp932_to_utf8(const char *in, size_t len, char **out, size_t *outlen)
{
	iconv_t cd;
	char *o, *ip = (char *)in, *op;
	size_t il = len, ol = len * 3 + 1, bad = 0;

	*out = NULL;
	if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		return 1;
	if ((o = malloc(ol)) == NULL) {
		iconv_close(cd);
		return 1;
	}
	op = o;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		bad = (size_t)(ip - in) + 1;
	iconv_close(cd);
	if (bad != 0) {
		free(o);
		return bad;
	}
	*op = '\0';
	*out = o;
	*outlen = (size_t)(op - o);
	return 0;
}

/*
 * The text of the file as UTF-8. Excel in Japan writes "CSV (コンマ区切り)" in CP932
 * and "CSV UTF-8" with a BOM; Numbers and LibreOffice write UTF-8 without one. So: a
 * BOM or valid UTF-8 is UTF-8 (text in CP932 is almost never valid UTF-8: its lead
 * bytes 0x81-0x9F are UTF-8 continuation bytes), anything else in a CSV is CP932.
 * --encoding says which, for the rare file that reads both ways. *data points into buf
 * or into *conv (the caller frees conv).
 */
static int
decode(struct cli *cli, struct import *im, char *buf, size_t len, enum enc enc,
    char **conv, char **data, size_t *dlen)
{
	bool csv = strcmp(cli->cmd->name, "import csv") == 0, bom;
	size_t bad, n;

	*data = buf;
	*dlen = len;
	bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
	if (bom) {
		*data += 3;
		*dlen -= 3;
	}
	if (enc == ENC_CP932 && bom)
		return cli_error(HB_EXIT_FAIL, "%s starts with a UTF-8 BOM: it is UTF-8, not "
		    "CP932 (leave --encoding out)", im->path);
	if (enc == ENC_CP932 || (enc == ENC_AUTO && csv && !bom &&
	    !proto_utf8_valid(*data, *dlen))) {
		if ((bad = cp932_to_utf8(*data, *dlen, conv, &n)) != 0)
			return cli_error(HB_EXIT_FAIL, "%s is neither UTF-8 nor CP932 (Shift_JIS) "
			    "text (line %ld): in Excel save it as 'CSV UTF-8 (コンマ区切り)'",
			    im->path, line_at(*data, bad - 1));
		if (enc == ENC_AUTO)
			cli_warn("%s is not UTF-8: read as CP932 (Shift_JIS, Excel's CSV)",
			    im->path);
		*data = *conv;
		*dlen = n;
	}
	if (!proto_utf8_valid(*data, *dlen))
		return cli_error(HB_EXIT_FAIL, "%s is not UTF-8 text%s", im->path, csv ?
		    ": in Excel save it as 'CSV UTF-8 (コンマ区切り)', or give --encoding cp932" :
		    "");
	/* NUL would end every string early: a binary file, or UTF-16 */
	if (memchr(*data, '\0', *dlen) != NULL)
		return cli_error(HB_EXIT_FAIL, "%s is not a text file (UTF-16? save it as CSV "
		    "UTF-8)", im->path);
	return 0;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "skip-bad", no_argument, NULL, 's' },
		{ "encoding", required_argument, NULL, 'e' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	}, json_opts[] = {	/* JSON is UTF-8 (RFC 8259): no --encoding */
		{ "kind", required_argument, NULL, 'k' },
		{ "skip-bad", no_argument, NULL, 's' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct import im = { .cli = cli };
	const char *fmt = strchr(cli->cmd->name, ' ') + 1;
	const uint8_t *self;
	bool skip_bad = false, csv = strcmp(fmt, "csv") == 0;
	size_t i, nref = 0, nnew = 0, nchg = 0, nsame = 0;
	char *buf = NULL, *data, *conv = NULL;
	enum enc enc = ENC_AUTO;
	size_t len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", csv ? opts : json_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			im.kind = proto_kind_parse(optarg);
			if (im.kind != HB_EVENT && im.kind != HB_PLACE && (csv ||
			    (im.kind != HB_VOLUNTEER && im.kind != HB_MEETING)))
				return cli_usage(cli, "--kind: event or place%s, not '%s'",
				    csv ? "" : " (or volunteer, meeting)", optarg);
			break;
		case 's':
			skip_bad = true;
			break;
		case 'e':
			if ((enc = enc_parse(optarg)) == ENC_BAD)
				return cli_usage(cli, "--encoding: utf-8 or cp932 (Shift_JIS, what "
				    "Excel in Japan writes), not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ?
		    N_("which file? ('-' reads stdin)") : N_("one file at a time"));
	im.path = argv[optind];
	if ((rc = read_file(im.path, &buf, &len)) != 0)
		return rc;
	if ((rc = decode(cli, &im, buf, len, enc, &conv, &data, &len)) != 0)
		goto out;
	if ((rc = csv ? read_csv(&im, data, len) : read_json(&im, data, len)) != 0)
		goto out;
	/* Check every row before anything is sent. */
	for (i = 0; i < im.n; i++) {
		struct row *r = &im.rows[i];
		size_t j;

		if (r->state != ROW_REFUSED)
			check_row(&im, r);
		for (j = 0; j < i && r->state != ROW_REFUSED; j++)
			if (im.rows[j].rec != NULL &&
			    strcmp(proto_record_id(im.rows[j].rec), proto_record_id(r->rec)) == 0)
				refuse(r, "the same record as line %ld (id %s)", im.rows[j].line,
				    proto_record_id(r->rec));
	}
	for (i = 0; i < im.n; i++)
		if (im.rows[i].state == ROW_REFUSED) {
			nref++;
			fflush(stdout);
			fprintf(stderr, _("%s:%ld: refused: %s\n"), im.path,
			    im.rows[i].line, im.rows[i].err);
		}
	if (nref > 0 && !skip_bad) {
		rc = cli_error(HB_EXIT_FAIL, "nothing imported: %zu of %zu rows refused (fix "
		    "them and import the file again, or give --skip-bad to import the other %zu)",
		    nref, im.n, im.n - nref);
		goto out;
	}
	if ((rc = hc_self(cli, &self)) != 0)
		goto out;
	for (i = 0; i < im.n; i++) {
		if (im.rows[i].state == ROW_REFUSED)
			continue;
		if ((rc = compare_row(&im, &im.rows[i], self)) != 0)
			goto out;
		nnew += im.rows[i].state == ROW_NEW;
		nchg += im.rows[i].state == ROW_CHANGED;
		nsame += im.rows[i].state == ROW_SAME;
	}
	if (cli->dry_run) {
		for (i = 0; i < im.n; i++)
			if (im.rows[i].state != ROW_REFUSED)
				printf("%s:%ld: %s %s %s\n", im.path, im.rows[i].line,
				    im.rows[i].state == ROW_NEW ? _("new") :
				    im.rows[i].state == ROW_CHANGED ? _("changed") :
				    _("unchanged"),
				    cli_kind_word(proto_record_kind(im.rows[i].rec)),
				    proto_record_id(im.rows[i].rec));
		printf(_("would import %zu (%zu new, %zu changed); %zu unchanged, %zu "
		    "refused\n"), nnew + nchg, nnew, nchg, nsame, nref);
	} else if (nnew + nchg > 0 && (rc = publish_batch(&im, nnew + nchg)) != 0)
		goto out;
	else if (!cli->json)
		printf(_("imported %zu (%zu new, %zu changed); %zu unchanged, %zu "
		    "refused\n"), nnew + nchg, nnew, nchg, nsame, nref);
	rc = nref > 0 ? HB_EXIT_FAIL : HB_EXIT_OK;
out:
	for (i = 0; i < im.n; i++) {
		free(im.rows[i].err);
		json_decref(im.rows[i].draft);
		hb_record_free(&im.rows[i].rec);
	}
	free(im.rows);
	free(conv);
	free(buf);
	return rc;
}
