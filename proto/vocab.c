/* SPDX-License-Identifier: ISC */
/*
 * vocab: the words every part of hiroba shows and reads for records (vocab.h). One row
 * a field: the CLI's options, help, listing filters and CSV columns come from here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vocab.h"

/* One spelling per value: the CLI's tables, its CSV files, its input and (later) the
 * daemon's page. Before this table there were three, and they disagreed. */
const struct vocab vocab_category[] = {
	{ "pre_parent", "pre_parent", "プレママ・プレパパ", "Expecting parents" },
	{ "father", "father", "父親向け", "For fathers" },
	{ "play_space", "play_space", "親子のひろば", "Parent and child play space" },
	{ "consultation", "consultation", "子育て相談", "Parenting consultation" },
	{ "supporter_training", "supporter_training", "支援者研修", "Supporter training" },
	{ "network_meeting", "network_meeting", "応援ネット", "Network meeting" },
	{ "support_system", "support_system", "サポートシステム", "Support system briefing" },
	{ "other", "other_category", "その他", "Other" },
	{ NULL, NULL, NULL, NULL }
};
const struct vocab vocab_audience[] = {
	{ "expecting_parents", "expecting_parents", "妊婦・パートナー", "Expecting parents" },
	{ "fathers", "fathers", "父親", "Fathers" },
	{ "foreign_families", "foreign_families", "外国につながる家庭", "Foreign families" },
	{ "grandparents", "grandparents", "祖父母", "Grandparents" },
	{ "supporters", "supporters", "支援者", "Supporters" },
	{ "all_families", "all_families", "どなたでも", "All families" },
	{ NULL, NULL, NULL, NULL }
};
const struct vocab vocab_group_kind[] = {
	{ "center", "center", "拠点", "Center" },
	{ "nursery", "nursery", "保育園・幼稚園", "Nursery" },
	{ "circle", "circle", "サークル", "Circle" },
	{ "other", "other_group", "その他", "Other" },
	{ NULL, NULL, NULL, NULL }
};
const struct vocab vocab_vkind[] = {
	{ "wanted", "wanted", "募集", "Wanted" },
	{ "offered", "offered", "提供", "Offered" },
	{ NULL, NULL, NULL, NULL }
};
const struct vocab vocab_lstatus[] = {
	{ "open", "open", "受付中", "Open" },
	{ "filled", "filled", "充足", "Filled" },
	{ "closed", "closed", "終了", "Closed" },
	{ NULL, NULL, NULL, NULL }
};
/*
 * The map's common OpenStreetMap tags, for the console's checkboxes (the public page's
 * filters read the same keys, deploy/web/static/app.js). One value per key, so no two
 * boxes can contradict each other; anything else is typed as KEY=VALUE.
 */
const struct vocab vocab_place_tag[] = {
	{ "leisure=playground", "leisure=playground", "遊び場・公園", "Playground" },
	{ "stroller=yes", "stroller=yes", "ベビーカーOK", "Stroller access" },
	{ "changing_table=yes", "changing_table=yes", "おむつ替え台", "Changing table" },
	{ "baby_feeding=room", "baby_feeding=room", "授乳室", "Nursing room" },
	{ "toilets=yes", "toilets=yes", "トイレ", "Toilets" },
	{ "wheelchair=yes", "wheelchair=yes", "車いすOK", "Wheelchair access" },
	{ "indoor=yes", "indoor=yes", "屋内（雨の日も）", "Indoors (rainy days too)" },
	{ NULL, NULL, NULL, NULL }
};

/*
 * The kinds. Limits are the validator's (validate.c), counted in characters by the CLI;
 * the validator still bounds the UTF-8 bytes (PROTOCOL.md 1), so a text of Japanese can
 * meet that bound first. Rows flagged VF_CLI are read by the generic parser but applied
 * by the kind's own code (a When is three options, a point two).
 */
static const struct vocab_field event_fields[] = {
	{ "title", VT_TEXT, 200, "タイトル", "title", "title", "TEXT", NULL,
	  "タイトル", "title", VF_REQUIRED },
	{ "when.start", VT_TIME, 0, "開始", "start", "start", "TIME", NULL,
	  "開始", "start", VF_REQUIRED | VF_CLI },
	{ "when.end", VT_TEXT, 40, "終了", "end", "end", "TIME|HH:MM", NULL,
	  "終了", "end", VF_CLI },
	{ "when.all_day", VT_FLAG, 0, "終日", "all day", "all-day", NULL, NULL,
	  "終日", "all_day", VF_CLI },
	{ "category", VT_ENUM, 0, "区分", "category", "category", "CAT", vocab_category,
	  "区分", "category", VF_REQUIRED },
	{ "where.text", VT_TEXT, 200, "場所", "place", "place-text", "TEXT", NULL,
	  "場所", "place", 0 },
	{ "capacity", VT_UINT, 100000, "定員", "capacity", "capacity", "N", NULL,
	  "定員", "capacity", 0 },
	{ "recurrence.weekly", VT_FLAG, 0, "毎週", "weekly", "weekly", NULL, NULL,
	  NULL, NULL, VF_CLI },
	{ "recurrence.monthly", VT_FLAG, 0, "毎月", "monthly", "monthly", NULL, NULL,
	  NULL, NULL, VF_CLI | VF_ONEOF },
	{ "recurrence.by_weekday", VT_FLAG, 0, "第n曜日", "by weekday", "by-weekday", NULL,
	  NULL, NULL, NULL, VF_CLI },
	{ "recurrence.until", VT_TIME, 0, "繰り返しの終わり", "repeat until", "until", "DATE",
	  NULL, NULL, NULL, VF_CLI },
	{ "recurrence.none", VT_FLAG, 0, "繰り返しなし", "no repetition", "no-repeat", NULL,
	  NULL, NULL, NULL, VF_CLI },
	{ "audience", VT_ENUMS, 6, "対象", "audience", "audience", "A,B", vocab_audience,
	  "対象", "audience", VF_REPLACE },
	{ "translations.en.title", VT_TEXT, 200, "英語のタイトル", "title in English",
	  "title-en", "TEXT", NULL, "title:en", "title:en", 0 },
	{ "description", VT_TEXT, 4000, "説明", "description", "description", "TEXT", NULL,
	  "説明", "description", 0 },
	{ "fee_yen", VT_UINT, 4294967295UL, "参加費", "fee", "fee", "YEN", NULL,
	  "参加費", "fee", 0 },
	{ "contact", VT_TEXT, 200, "連絡先", "contact", "contact", "TEXT", NULL,
	  "連絡先", "contact", 0 },
	{ "age_min_months", VT_UINT, 240, "対象月齢（から）", "from age (months)", "age-min",
	  "MONTHS", NULL, "対象月齢から", "age_min_months", 0 },
	{ "age_max_months", VT_UINT, 240, "対象月齢（まで）", "to age (months)", "age-max",
	  "MONTHS", NULL, "対象月齢まで", "age_max_months", 0 },
	{ "where.point.lat", VT_DEGREES, 90, "緯度", "latitude", NULL, NULL, NULL,
	  "緯度", "lat", VF_CLI },
	{ "where.point.lon", VT_DEGREES, 180, "経度", "longitude", NULL, NULL, NULL,
	  "経度", "lon", VF_CLI },
	{ "registered", VT_UINT, 100000, "申込", "registered", NULL, NULL, NULL,
	  "申込", "registered", 0 },
	{ "attended", VT_UINT, 100000, "参加", "attended", NULL, NULL, NULL,
	  "参加", "attended", 0 },
	{ "cancelled", VT_FLAG, 0, "状態", "status", NULL, NULL, NULL,
	  "状態", "status", VF_CLI },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct vocab_field place_fields[] = {
	{ "name", VT_TEXT, 200, "名称", "name", "name", "NAME", NULL,
	  "名称", "name", VF_REQUIRED },
	{ "point.lat", VT_DEGREES, 90, "緯度", "latitude", "lat", "LAT", NULL,
	  "緯度", "lat", VF_REQUIRED | VF_CLI },
	{ "point.lon", VT_DEGREES, 180, "経度", "longitude", "lon", "LON", NULL,
	  "経度", "lon", VF_REQUIRED | VF_CLI },
	{ "tags", VT_TAGS, 32, "タグ", "tags", "tag", "KEY=VALUE", NULL,
	  "タグ", "tags", VF_REPLACE },
	{ "address", VT_TEXT, 200, "住所", "address", "address", "TEXT", NULL,
	  "住所", "address", 0 },
	{ "description", VT_TEXT, 4000, "説明", "description", "description", "TEXT", NULL,
	  "説明", "description", 0 },
	{ "opening_hours", VT_TEXT, 200, "営業時間", "opening hours", "hours",
	  "OSM_OPENING_HOURS", NULL, "営業時間", "opening_hours", 0 },
	{ "age_min_months", VT_UINT, 240, "対象月齢（から）", "from age (months)", "age-min",
	  "MONTHS", NULL, "対象月齢から", "age_min_months", 0 },
	{ "age_max_months", VT_UINT, 240, "対象月齢（まで）", "to age (months)", "age-max",
	  "MONTHS", NULL, "対象月齢まで", "age_max_months", 0 },
	{ "translations.en.title", VT_TEXT, 200, "英語の名称", "name in English", "name-en",
	  "TEXT", NULL, "name:en", "name:en", 0 },
	{ "notes", VT_TEXT, 4000, "備考", "notes", "notes", "TEXT", NULL,
	  "備考", "notes", 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct vocab_field volunteer_fields[] = {
	{ "kind.wanted", VT_FLAG, 0, "募集", "wanted", "wanted", NULL, NULL,
	  NULL, NULL, VF_REQUIRED | VF_CLI },
	{ "kind.offered", VT_FLAG, 0, "提供", "offered", "offered", NULL, NULL,
	  NULL, NULL, VF_CLI | VF_ONEOF },
	{ "kind", VT_ENUM, 0, "種別", "kind", NULL, NULL, vocab_vkind,
	  "種別", "kind", VF_REQUIRED },
	{ "title", VT_TEXT, 200, "タイトル", "title", "title", "TEXT", NULL,
	  "タイトル", "title", VF_REQUIRED },
	{ "skills", VT_TEXTS, 16, "スキル", "skills", "skill", "S", NULL,
	  "スキル", "skills", VF_REPLACE },
	{ "area", VT_TEXT, 200, "地域", "area", "area", "AREA", NULL,
	  "地域", "area", 0 },
	{ "people", VT_UINT, 1000, "人数", "people", "people", "N", NULL,
	  "人数", "people", 0 },
	{ "description", VT_TEXT, 4000, "説明", "description", "description", "TEXT", NULL,
	  "説明", "description", 0 },
	{ "status", VT_ENUM, 0, "状態", "status", "status", "STATUS", vocab_lstatus,
	  "状態", "status", 0 },
	{ "contact", VT_TEXT, 200, "連絡先", "contact", "contact", "TEXT", NULL,
	  NULL, NULL, VF_CLI },
	{ "expires", VT_TIME, 0, "掲載期限", "expires", "expires", "TIME", NULL,
	  NULL, NULL, VF_CLI },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

/* Meetings: the CSV columns only (meeting call's options are its own, cmd_meeting.c). */
static const struct vocab_field meeting_fields[] = {
	{ "when.start", VT_TIME, 0, "開始", "start", NULL, NULL, NULL, "開始", "start", 0 },
	{ "when.end", VT_TIME, 0, "終了", "end", NULL, NULL, NULL, "終了", "end", 0 },
	{ "title", VT_TEXT, 200, "タイトル", "title", NULL, NULL, NULL,
	  "タイトル", "title", 0 },
	{ "agenda", VT_TEXT, 4000, "議題", "agenda", NULL, NULL, NULL, "議題", "agenda", 0 },
	{ "where.text", VT_TEXT, 200, "場所", "place", NULL, NULL, NULL, "場所", "place", 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

/* Columns every kind's CSV has: not fields of the payload, but of the record. */
static const struct vocab_field record_fields[] = {
	{ "group", VT_TEXT, 0, "グループ", "group", NULL, NULL, NULL, "グループ", "group", 0 },
	{ "id", VT_TEXT, 0, "ID", "id", NULL, NULL, NULL, "ID", "id", 0 },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

static const struct vocab_kind kinds[] = {
	{ HB_EVENT, "event", "イベント", "event", "event", event_fields },
	{ HB_PLACE, "place", "場所", "place", "place", place_fields },
	{ HB_VOLUNTEER, "volunteer", "ボランティア", "volunteer listing", "listing",
	  volunteer_fields },
	{ HB_MEETING, "meeting", "会議", "meeting", "meeting", meeting_fields },
	{ HB_KIND_NONE, NULL, NULL, NULL, NULL, NULL }
};

const struct vocab *
vocab_find(const struct vocab *v, const char *s)
{
	for (; s != NULL && v->name != NULL; v++)
		if (strcmp(v->name, s) == 0 || strcmp(v->json, s) == 0)
			return v;
	return NULL;
}

const struct vocab *
vocab_find_label(const struct vocab *v, const char *s)
{
	const struct vocab *f;

	if ((f = vocab_find(v, s)) != NULL)
		return f;
	for (; s != NULL && v->name != NULL; v++)
		if (strcmp(v->label, s) == 0 || (v->en != NULL && strcasecmp(v->en, s) == 0))
			return v;
	return NULL;
}

const char *
vocab_label(const struct vocab *v, const char *s)
{
	return vocab_label_in(v, s, true);
}

const char *
vocab_label_in(const struct vocab *v, const char *s, bool ja)
{
	const struct vocab *f = vocab_find(v, s);

	if (f == NULL)
		return s != NULL ? s : "";
	if (ja)
		return f->label;
	return f->en != NULL ? f->en : f->name;
}

char *
vocab_accepted(const struct vocab *v, char *buf, size_t len)
{
	size_t off = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (; v->name != NULL; v++) {
		n = snprintf(buf + off, len - off, "%s%s (%s)", off ? ", " : "", v->name,
		    v->label);
		if (n < 0 || (size_t)n >= len - off)
			break;	/* cut: the caller's buffer was too small */
		off += (size_t)n;
	}
	return buf;
}

const struct vocab_kind *
vocab_kind_of(enum hb_kind k)
{
	const struct vocab_kind *p;

	for (p = kinds; p->name != NULL; p++)
		if (p->kind == k)
			return p;
	return NULL;
}

const struct vocab_field *
vocab_field(const struct vocab_kind *k, const char *key)
{
	const struct vocab_field *f;

	for (f = k != NULL && key != NULL ? k->fields : NULL; f != NULL && f->key != NULL; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	for (f = key != NULL ? record_fields : NULL; f != NULL && f->key != NULL; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

const struct vocab_field *
vocab_field_option(const struct vocab_kind *k, const char *opt)
{
	const struct vocab_field *f;

	for (f = k != NULL && opt != NULL ? k->fields : NULL; f != NULL && f->key != NULL; f++)
		if (f->option != NULL && strcmp(f->option, opt) == 0)
			return f;
	return NULL;
}

const struct vocab_field *
vocab_field_column(const struct vocab_kind *k, const char *col)
{
	const struct vocab_field *f;

	for (f = k != NULL && col != NULL ? k->fields : NULL; f != NULL && f->key != NULL; f++)
		if ((f->col_ja != NULL && strcmp(f->col_ja, col) == 0) ||
		    (f->col_en != NULL && strcasecmp(f->col_en, col) == 0))
			return f;
	for (f = col != NULL ? record_fields : NULL; f != NULL && f->key != NULL; f++)
		if (strcmp(f->col_ja, col) == 0 || strcasecmp(f->col_en, col) == 0)
			return f;
	return NULL;
}

const char *
vocab_column(const struct vocab_field *f, bool ja)
{
	return ja ? f->col_ja : f->col_en;
}

size_t
vocab_chars(const char *s)
{
	size_t n = 0;

	/* every byte that does not continue a sequence (10xxxxxx) starts a code point */
	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The CLI's whole numbers: ASCII digits only, no sign, at most max. */
static bool
whole_number(const char *s, unsigned long max)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && v <= max;
}

int
vocab_check(const struct vocab_field *f, const char *s, char *err, size_t len)
{
	char ok[512], *copy, *tok, *save = NULL;
	size_t n;
	int rc = 0;

	switch (f->type) {
	case VT_TEXT:
		if (f->max > 0 && (n = vocab_chars(s)) > f->max) {
			snprintf(err, len, "at most %lu characters (%s: %lu文字まで), not %zu",
			    f->max, f->ja, f->max, n);
			return -1;
		}
		return 0;
	case VT_UINT:
		if (!whole_number(s, f->max)) {
			snprintf(err, len, "a whole number from 0 to %lu (%s), not '%s'", f->max,
			    f->ja, s);
			return -1;
		}
		return 0;
	case VT_ENUM:
		if (vocab_find_label(f->values, s) == NULL) {
			snprintf(err, len, "unknown %s '%s'; one of: %s", f->en, s,
			    vocab_accepted(f->values, ok, sizeof(ok)));
			return -1;
		}
		return 0;
	case VT_ENUMS:
		if ((copy = strdup(s)) == NULL) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		n = 0;
		for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
		    tok = strtok_r(NULL, ",", &save)) {
			if (*tok == '\0')
				continue;
			n++;
			if (vocab_find_label(f->values, tok) == NULL) {
				snprintf(err, len, "unknown %s '%s'; one of: %s", f->en, tok,
				    vocab_accepted(f->values, ok, sizeof(ok)));
				rc = -1;
			}
		}
		free(copy);
		if (rc == 0 && f->max > 0 && n > f->max) {
			snprintf(err, len, "at most %lu (%s), not %zu", f->max, f->ja, n);
			rc = -1;
		}
		return rc;
	default:
		return 0;
	}
}
