/* SPDX-License-Identifier: ISC */
/*
 * hiroba export ics|geojson|csv: the federation's records as files other programs read:
 * iCalendar (RFC 5545, through libical), GeoJSON (RFC 7946, through jansson) and CSV that
 * Excel in Japan opens as it should (UTF-8 with BOM, CRLF, formulas neutralised).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libical/ical.h>

#include "hiroba.h"

#define EXPORT_LIMIT	100000

enum fmt { FMT_ICS, FMT_GEOJSON, FMT_CSV };

#define K(kind)	(1u << (kind))

struct xopts {
	enum fmt	 fmt;
	unsigned	 kinds;		/* K(HB_EVENT) | ... */
	struct qb	 base;		/* the filters every kind shares */
	struct qb	 ev_terms;	/* --category, --audience: events only */
	struct qb	 pl_terms;	/* --tag: places only */
	const char	*out;		/* -o FILE, NULL: stdout */
};

/* Every kind's answer, opened; kept until the file is written. */
struct xres {
	struct qres	 r[HB_KIND_MAX + 1];
	json_t		*places;	/* "hex/id" -> place JSON (or null), for events' where */
};

static bool
lang_ja(const struct cli *cli)
{
	return cli->lang == NULL || strcmp(cli->lang, "ja") == 0 ||
	    strncmp(cli->lang, "ja-", 3) == 0;
}

/* ---- options and queries ---- */

static int
parse_kinds(struct cli *cli, const char *s, unsigned *kinds)
{
	char buf[128], *tok, *save = NULL;
	enum hb_kind k;

	*kinds = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		k = proto_kind_parse(tok);
		if (k != HB_EVENT && k != HB_PLACE && k != HB_MEETING && k != HB_VOLUNTEER)
			return cli_usage(cli, "--kind: event, meeting, place or volunteer, not "
			    "'%s'", tok);
		*kinds |= K(k);
	}
	return *kinds != 0 ? 0 : cli_usage(cli, "--kind: which kinds?");
}

static int
export_parse(struct cli *cli, int argc, char **argv, struct xopts *o)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "category", required_argument, NULL, 'c' },
		{ "audience", required_argument, NULL, 'a' },
		{ "tag", required_argument, NULL, 'G' },
		{ "near", required_argument, NULL, 'n' },
		{ "radius", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		QB_TIME_OPTS, QB_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query *q = &o->base.q;
	char *eq;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((rc = parse_kinds(cli, optarg, &o->kinds)) != 0)
				return rc;
			break;
		case 'c':
		case 'a':
			if ((rc = qb_enum(cli, &o->ev_terms, c == 'c' ? vocab_category :
			    vocab_audience, c == 'c' ? "category" : "audience",
			    c == 'c' ? "cat" : "aud", optarg)) != 0)
				return rc;
			break;
		case 'G':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg || !eq[1])
				return cli_usage(cli, "--tag: KEY=VALUE such as stroller=yes, not "
				    "'%s'", optarg);
			if ((rc = qb_term(cli, &o->pl_terms, "tag", optarg)) != 0)
				return rc;
			break;
		case 'n':
			if ((rc = qb_near(cli, &o->base, optarg)) != 0)
				return rc;
			break;
		case 'r':
			if ((rc = qb_radius(cli, &o->base, optarg)) != 0)
				return rc;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			if ((rc = qb_opt(cli, &o->base, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = qb_done(cli, &o->base, argc, argv)) != 0)
		return rc;
	if (o->kinds == 0)
		o->kinds = o->fmt == FMT_ICS ? K(HB_EVENT) | K(HB_MEETING) :
		    o->fmt == FMT_GEOJSON ? K(HB_PLACE) : K(HB_EVENT);
	if (o->fmt == FMT_ICS && (o->kinds & ~(K(HB_EVENT) | K(HB_MEETING))))
		return cli_usage(cli, "a calendar holds events and meetings: --kind event,meeting");
	if (o->fmt == FMT_GEOJSON && (o->kinds & ~(K(HB_EVENT) | K(HB_PLACE))))
		return cli_usage(cli, "a map holds places and events with a point: --kind "
		    "place,event");
	if (o->fmt == FMT_CSV && (o->kinds & (o->kinds - 1)))
		return cli_usage(cli, "a CSV file holds one kind: --kind event, meeting, place "
		    "or volunteer");
	if (!o->base.have_from)
		q->from = (int64_t)time(NULL) - 30 * 86400;
	if (!o->base.have_to)
		q->to = q->from + (o->base.have_from ? 365 : 395) * 86400;
	if (q->to <= q->from)
		return cli_usage(cli, "--to is not after --from");
	return -1;
}

static int
export_query(struct cli *cli, struct xopts *o, struct xres *x)
{
	Hiroba__Wire__Query q;
	int k, rc;

	for (k = 1; k <= HB_KIND_MAX; k++) {
		if (!(o->kinds & K(k)))
			continue;
		q = o->base.q;
		q.has_kind = 1;
		q.kind = (uint32_t)k;
		q.has_limit = 1;
		q.limit = EXPORT_LIMIT;
		/* Times for what happens; places and listings are not in time. */
		q.has_from = q.has_to = k == HB_EVENT || k == HB_MEETING;
		/* each kind takes its own filters */
		q.terms = k == HB_EVENT ? o->ev_terms.q.terms : k == HB_PLACE ?
		    o->pl_terms.q.terms : NULL;
		q.n_terms = k == HB_EVENT ? o->ev_terms.q.n_terms : k == HB_PLACE ?
		    o->pl_terms.q.n_terms : 0;
		if (k != HB_PLACE)
			q.has_lat_e7 = q.has_lon_e7 = q.has_radius_m = 0;
		if ((rc = hc_query_open(cli, &q, &x->r[k])) != 0)
			return rc;
	}
	return 0;
}

static void
xres_free(struct xres *x)
{
	int k;

	for (k = 0; k <= HB_KIND_MAX; k++)
		if (x->r[k].resp != NULL)
			qres_free(&x->r[k]);
	json_decref(x->places);
}

/* ---- shared: where an event happens ---- */

/* The map entry an event's where names, fetched once (NULL if it has none). */
static json_t *
where_place(struct cli *cli, struct xres *x, json_t *obj)
{
	json_t *ref = json_object_get(json_object_get(obj, "where"), "place"), *p, *rj;
	struct hb_record *r = NULL;
	uint8_t author[HB_KEY_LEN];
	char *key;

	if (!json_is_object(ref) || proto_key_parse(hc_jstr(ref, "author"), author) != 0)
		return NULL;
	if (x->places == NULL && (x->places = json_object()) == NULL)
		return NULL;
	if ((key = cli_strf("%s/%s", hc_jstr(ref, "author"), hc_jstr(ref, "id"))) == NULL)
		return NULL;
	if ((p = json_object_get(x->places, key)) == NULL) {
		p = json_null();
		if (hc_get(cli, author, hc_jstr(ref, "id"), &r) == 0 &&
		    proto_record_kind(r) == HB_PLACE && (rj = json_record(NULL, r)) != NULL) {
			p = json_incref(json_object_get(rj, "place"));
			json_decref(rj);
		}
		hb_record_free(&r);
		json_object_set_new(x->places, key, p != NULL ? p : json_null());
		p = json_object_get(x->places, key);
	}
	free(key);
	return json_is_object(p) ? p : NULL;
}

static const char *
where_text(struct cli *cli, struct xres *x, json_t *obj)
{
	json_t *p;
	const char *s = json_string_value(json_object_get(json_object_get(obj, "where"),
	    "text"));

	if (s != NULL && *s != '\0')
		return s;
	if ((p = where_place(cli, x, obj)) != NULL)
		return text_lang(cli, p, "title", "name");
	return where_label(obj);
}

/* An event's or meeting's point: its own, else its map entry's. */
static bool
where_point(struct cli *cli, struct xres *x, json_t *obj, double *lat, double *lon)
{
	json_t *pt = json_object_get(json_object_get(obj, "where"), "point"), *p;

	if (!json_is_object(pt) && (p = where_place(cli, x, obj)) != NULL)
		pt = json_object_get(p, "point");
	if (!json_is_object(pt))
		return false;
	*lat = (double)json_integer_value(json_object_get(pt, "lat_e7")) / 1e7;
	*lon = (double)json_integer_value(json_object_get(pt, "lon_e7")) / 1e7;
	return true;
}

/* ---- iCalendar ---- */

/* libical's built-in zones are named "/freeassociation.sourceforge.net/Asia/Tokyo";
 * calendars want the plain IANA name, so we write the zone ourselves: JST, +09:00 since
 * 1951, no daylight saving time. */
static icalcomponent *
ics_tokyo(void)
{
	icalcomponent *tz = icalcomponent_new_vtimezone(), *std = icalcomponent_new_xstandard();
	struct icaltimetype t = icaltime_null_time();

	t.year = 1970;
	t.month = t.day = 1;
	icalcomponent_add_property(tz, icalproperty_new_tzid("Asia/Tokyo"));
	icalcomponent_add_property(std, icalproperty_new_dtstart(t));
	icalcomponent_add_property(std, icalproperty_new_tzoffsetfrom(TOKYO_OFFSET));
	icalcomponent_add_property(std, icalproperty_new_tzoffsetto(TOKYO_OFFSET));
	icalcomponent_add_property(std, icalproperty_new_tzname("JST"));
	icalcomponent_add_component(tz, std);
	return tz;
}

/* An instant as Tokyo wall-clock time (used with TZID=Asia/Tokyo). */
static struct icaltimetype
ics_local(int64_t t)
{
	struct icaltimetype it = icaltime_null_time();
	int64_t l = t + TOKYO_OFFSET, days = l / 86400 - (l % 86400 < 0), sod = l - days * 86400;

	timefmt_civil(days, &it.year, &it.month, &it.day);
	it.hour = (int)(sod / 3600);
	it.minute = (int)(sod / 60 % 60);
	it.second = (int)(sod % 60);
	return it;
}

static struct icaltimetype
ics_date(int64_t ymd)
{
	struct icaltimetype it = icaltime_null_date();

	it.year = (int)(ymd / 10000);
	it.month = (int)(ymd / 100 % 100);
	it.day = (int)(ymd % 100);
	it.is_date = 1;
	return it;
}

static int64_t
ymd_add(int64_t ymd, int days)
{
	int y, m, d;

	timefmt_civil(timefmt_days((int)(ymd / 10000), (int)(ymd / 100 % 100),
	    (int)(ymd % 100)) + days, &y, &m, &d);
	return (int64_t)y * 10000 + m * 100 + d;
}

static struct icaltimetype
ics_utc(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static void
ics_local_prop(icalcomponent *c, icalproperty *p)
{
	icalproperty_add_parameter(p, icalparameter_new_tzid("Asia/Tokyo"));
	icalcomponent_add_property(c, p);
}

static void
ical_text(icalcomponent *c, icalproperty *(*make)(const char *), const char *s)
{
	if (s != NULL && *s != '\0')
		icalcomponent_add_property(c, make(s));
}

/* RRULE and EXDATE from a recurrence (PROTOCOL.md section 7 maps onto RFC 5545:
 * months without the day or the n-th weekday are skipped by both). */
static void
ics_recurrence(icalcomponent *ve, json_t *rec, bool all_day, int64_t start)
{
	struct icalrecurrencetype r;
	json_t *ex;
	int64_t days, y;
	size_t i;
	int wd, n;

	icalrecurrencetype_clear(&r);
	r.freq = strcmp(hc_jstr(rec, "freq"), "monthly") == 0 ? ICAL_MONTHLY_RECURRENCE :
	    ICAL_WEEKLY_RECURRENCE;
	r.interval = json_is_integer(json_object_get(rec, "interval")) ?
	    (short)json_integer_value(json_object_get(rec, "interval")) : 1;
	y = json_integer_value(json_object_get(rec, "until"));
	r.until = all_day ? ics_date(y) : ics_utc(y);	/* UTC with a zoned DTSTART */
	if (r.freq == ICAL_MONTHLY_RECURRENCE && json_is_true(json_object_get(rec,
	    "by_weekday"))) {
		struct icaltimetype first = all_day ? ics_date(start) : ics_local(start);

		days = timefmt_days(first.year, first.month, first.day);
		wd = (int)(((days + 4) % 7 + 7) % 7);	/* 1970-01-01 was a Thursday; 0 = Sunday */
		n = (first.day - 1) / 7 + 1;
		/* libical 3.0's encoding: position × 8 + weekday (1 = Sunday): 2TU = 19. */
		r.by_day[0] = (short)(n * 8 + wd + 1);
		r.by_day[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	icalcomponent_add_property(ve, icalproperty_new_rrule(r));
	json_array_foreach(json_object_get(rec, "exceptions"), i, ex) {
		if (all_day)
			icalcomponent_add_property(ve,
			    icalproperty_new_exdate(ics_date(json_integer_value(ex))));
		else
			ics_local_prop(ve, icalproperty_new_exdate(ics_local(json_integer_value(ex))));
	}
}

static icalcomponent *
ics_item(struct cli *cli, struct xres *x, const struct hb_record *r, json_t *j)
{
	bool meeting = proto_record_kind(r) == HB_MEETING;
	json_t *p = json_object_get(j, meeting ? "meeting" : "event");
	json_t *when = json_object_get(p, "when"), *rec = json_object_get(p, "recurrence");
	bool all_day = json_is_true(json_object_get(when, "all_day"));
	bool cancelled = json_is_true(json_object_get(p, "cancelled"));
	int64_t start = json_integer_value(json_object_get(when, "start"));
	int64_t end = json_integer_value(json_object_get(when, "end"));
	icalcomponent *ve = icalcomponent_new_vevent();
	icalproperty *xp;
	struct icalgeotype geo;
	char hex[HB_KEYHEX_LEN], *s;
	const char *title, *cat;

	/* The same UID on every daemon: the author's id and key name the record. */
	proto_key_hex(proto_record_author(r), hex);
	if ((s = cli_strf("%s@%s", proto_record_id(r), hex)) != NULL)
		icalcomponent_add_property(ve, icalproperty_new_uid(s));
	free(s);
	/* RFC 5545 INTEGER is 32-bit signed: seqs above it (up to 2^53-1) stay at the top */
	icalcomponent_add_property(ve, icalproperty_new_sequence(
	    proto_record_seq(r) > INT32_MAX ? INT32_MAX : (int)proto_record_seq(r)));
	icalcomponent_add_property(ve, icalproperty_new_dtstamp(ics_utc(proto_record_created(r))));
	icalcomponent_add_property(ve,
	    icalproperty_new_lastmodified(ics_utc(proto_record_created(r))));
	if (all_day) {
		icalcomponent_add_property(ve, icalproperty_new_dtstart(ics_date(start)));
		/* DTEND of a date is exclusive; ours is the last day. */
		icalcomponent_add_property(ve, icalproperty_new_dtend(ics_date(ymd_add(end, 1))));
	} else {
		ics_local_prop(ve, icalproperty_new_dtstart(ics_local(start)));
		ics_local_prop(ve, icalproperty_new_dtend(ics_local(end)));
	}
	if (json_is_object(rec))
		ics_recurrence(ve, rec, all_day, start);
	title = text_lang(cli, p, "title", "title");
	if (cancelled && (s = cli_strf("%s%s", lang_ja(cli) ? "【中止】" : "[Cancelled] ",
	    title)) != NULL) {
		icalcomponent_add_property(ve, icalproperty_new_summary(s));
		free(s);
	} else
		ical_text(ve, icalproperty_new_summary, title);
	ical_text(ve, icalproperty_new_description, text_lang(cli, p, "description",
	    meeting ? "agenda" : "description"));
	ical_text(ve, icalproperty_new_location, where_text(cli, x, p));
	if (where_point(cli, x, p, &geo.lat, &geo.lon))
		icalcomponent_add_property(ve, icalproperty_new_geo(geo));
	cat = meeting ? (lang_ja(cli) ? "会議" : "Meeting") :
	    vocab_label_lang(cli, vocab_category, hc_jstr(p, "category"));
	ical_text(ve, icalproperty_new_categories, cat);
	ical_text(ve, icalproperty_new_contact, hc_jstr(p, "contact"));
	icalcomponent_add_property(ve, icalproperty_new_status(cancelled ?
	    ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	if ((xp = icalproperty_new_x(hc_jstr(j, "group"))) != NULL) {
		icalproperty_set_x_name(xp, "X-HIROBA-GROUP");
		icalcomponent_add_property(ve, xp);
	}
	return ve;
}

static char *
export_ics(struct cli *cli, struct xres *x)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	icalproperty *xp;
	struct qres *res;
	char *out;
	size_t i;
	int k;

	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//hiroba//hiroba "
	    HIROBA_VERSION "//JA"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	if ((xp = icalproperty_new_x("Asia/Tokyo")) != NULL) {
		icalproperty_set_x_name(xp, "X-WR-TIMEZONE");
		icalcomponent_add_property(cal, xp);
	}
	icalcomponent_add_component(cal, ics_tokyo());
	for (k = HB_EVENT; k <= HB_MEETING; k++) {
		res = &x->r[k];
		for (i = 0; i < res->n; i++)
			if (res->json[i] != NULL && (int)proto_record_kind(res->recs[i]) == k)
				icalcomponent_add_component(cal, ics_item(cli, x, res->recs[i],
				    res->json[i]));
	}
	out = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return out;
}

/* ---- GeoJSON ---- */

static json_t *
geo_feature(const struct hb_record *r, json_t *j, double lat, double lon, json_t *props)
{
	char hex[HB_KEYHEX_LEN], *fid;
	json_t *f;

	proto_key_hex(proto_record_author(r), hex);
	fid = cli_strf("%s/%s", hex, proto_record_id(r));
	json_object_set_new(props, "group", json_string(hc_jstr(j, "group")));
	json_object_set_new(props, "author", json_string(hex));
	json_object_set_new(props, "id", json_string(proto_record_id(r)));
	json_object_set_new(props, "kind", json_string(proto_kind_name(proto_record_kind(r))));
	/* RFC 7946: positions are [longitude, latitude]. */
	f = json_pack("{s:s, s:s?, s:{s:s, s:[f, f]}, s:o}", "type", "Feature", "id", fid,
	    "geometry", "type", "Point", "coordinates", lon, lat, "properties", props);
	free(fid);
	return f;
}

static void
set_text(json_t *o, const char *key, const char *s)
{
	if (s != NULL && *s != '\0')
		json_object_set_new(o, key, json_string(s));
}

static json_t *
geo_place(struct cli *cli, const struct hb_record *r, json_t *j)
{
	json_t *p = json_object_get(j, "place"), *props = json_object(), *t;
	json_t *pt = json_object_get(p, "point");
	char *key;
	size_t i;

	/* Tags as OpenStreetMap keys, so uMap and QGIS style on leisure=playground ... */
	json_array_foreach(json_object_get(p, "tags"), i, t)
		set_text(props, hc_jstr(t, "key"), hc_jstr(t, "value"));
	json_array_foreach(json_object_get(p, "translations"), i, t)
		if ((key = cli_strf("name:%s", hc_jstr(t, "lang"))) != NULL) {
			set_text(props, key, hc_jstr(t, "title"));
			free(key);
		}
	json_object_set_new(props, "name", json_string(text_lang(cli, p, "title", "name")));
	set_text(props, "description", text_lang(cli, p, "description", "description"));
	set_text(props, "address", hc_jstr(p, "address"));
	set_text(props, "opening_hours", hc_jstr(p, "opening_hours"));
	set_text(props, "notes", hc_jstr(p, "notes"));
	return geo_feature(r, j,
	    (double)json_integer_value(json_object_get(pt, "lat_e7")) / 1e7,
	    (double)json_integer_value(json_object_get(pt, "lon_e7")) / 1e7, props);
}

static json_t *
geo_event(struct cli *cli, struct xres *x, const struct hb_record *r, json_t *j)
{
	json_t *ev = json_object_get(j, "event"), *when = json_object_get(ev, "when");
	json_t *props;
	bool all_day = json_is_true(json_object_get(when, "all_day"));
	int64_t s = json_integer_value(json_object_get(when, "start"));
	int64_t e = json_integer_value(json_object_get(when, "end"));
	double lat, lon;
	char buf[40];

	if (!where_point(cli, x, ev, &lat, &lon))
		return NULL;
	props = json_object();
	json_object_set_new(props, "name", json_string(text_lang(cli, ev, "title", "title")));
	set_text(props, "description", text_lang(cli, ev, "description", "description"));
	set_text(props, "location", where_text(cli, x, ev));
	set_text(props, "category", vocab_label_lang(cli, vocab_category, hc_jstr(ev, "category")));
	if (all_day) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(s / 10000), (int)(s / 100 % 100),
		    (int)(s % 100));
		json_object_set_new(props, "start", json_string(buf));
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(e / 10000), (int)(e / 100 % 100),
		    (int)(e % 100));
		json_object_set_new(props, "end", json_string(buf));
	} else {
		timefmt_iso(s, buf, sizeof(buf));
		json_object_set_new(props, "start", json_string(buf));
		timefmt_iso(e, buf, sizeof(buf));
		json_object_set_new(props, "end", json_string(buf));
	}
	json_object_set_new(props, "all_day", json_boolean(all_day));
	json_object_set_new(props, "cancelled", json_boolean(json_is_true(
	    json_object_get(ev, "cancelled"))));
	return geo_feature(r, j, lat, lon, props);
}

static char *
export_geojson(struct cli *cli, struct xres *x)
{
	json_t *fc, *features = json_array(), *f;
	struct qres *res;
	char *out;
	size_t i;
	int k;

	for (k = HB_EVENT; k <= HB_PLACE; k++) {
		res = &x->r[k];
		for (i = 0; i < res->n; i++) {
			if (res->json[i] == NULL || (int)proto_record_kind(res->recs[i]) != k)
				continue;
			f = k == HB_PLACE ? geo_place(cli, res->recs[i], res->json[i]) :
			    geo_event(cli, x, res->recs[i], res->json[i]);
			if (f != NULL)
				json_array_append_new(features, f);
		}
	}
	fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
	/* 10 significant digits keep every 1e-7 degree of a coordinate, and no more. */
	out = json_dumps(fc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(fc);
	if (out != NULL) {
		char *nl = cli_strf("%s\n", out);

		free(out);
		out = nl;
	}
	return out;
}

/* ---- CSV ---- */

struct csv {
	char	*buf;
	size_t	 len;
	FILE	*f;
	bool	 first;		/* no cell yet on this row */
};

/* Does s start like a formula: = + - @, their full-width forms (Japanese Excel reads
 * ＝１＋１ as a formula too), or a tab or CR that Excel strips before looking? */
static bool
formula_like(const char *s)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
	    "\xef\xbc\x8d", "\xef\xbc\xa0" };	/* ＝ ＋ － ＠ */
	size_t	 i;

	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		return true;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(s, wide[i], 3) == 0)
			return true;
	return false;
}

/* One cell. Text from other groups that starts like a formula is shown as text by a
 * leading apostrophe. */
static void
csv_cell(struct csv *c, const char *s, bool text)
{
	const char *p;
	bool neutral;

	if (s == NULL)
		s = "";
	if (!c->first)
		fputc(',', c->f);
	c->first = false;
	neutral = text && formula_like(s);
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
		fprintf(c->f, "%s%s", neutral ? "'" : "", s);
		return;
	}
	fputc('"', c->f);
	if (neutral)	/* inside the quotes, or the quotes would not open the cell */
		fputc('\'', c->f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', c->f);
		fputc(*p, c->f);
	}
	fputc('"', c->f);
}

static void
csv_num(struct csv *c, json_t *v)
{
	char buf[32] = "";

	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	csv_cell(c, buf, false);
}

static void
csv_deg(struct csv *c, bool have, double v)
{
	char buf[32] = "";

	if (have)
		snprintf(buf, sizeof(buf), "%.7f", v);
	csv_cell(c, buf, false);
}

static void
csv_end(struct csv *c)
{
	fputs("\r\n", c->f);
	c->first = true;
}

/* A header row from the kind's table (proto/vocab.c), by field keys: Japanese for ja,
 * else English (both are import's column names). */
static void
csv_header(struct cli *cli, struct csv *c, enum hb_kind kind, const char *const *keys)
{
	const struct vocab_kind *k = vocab_kind_of(kind);
	const struct vocab_field *f;

	for (; *keys != NULL; keys++)
		csv_cell(c, (f = vocab_field(k, *keys)) != NULL ? vocab_column(f, lang_ja(cli)) :
		    *keys, false);
	csv_end(c);
}

static void
csv_list(struct csv *c, json_t *a, const char *key, const char *sep)
{
	char buf[2048];
	size_t off = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v) {
		if (key != NULL)	/* tags: key=value */
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
			    "%s%s=%s", off ? sep : "", hc_jstr(v, "key"), hc_jstr(v, "value"));
		else
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
			    "%s%s", off ? sep : "", json_string_value(v));
		if (off >= sizeof(buf))
			break;
	}
	csv_cell(c, buf, true);
}

static void
csv_time(struct csv *c, int64_t t, bool date_of)
{
	char buf[40];
	int64_t ymd = timefmt_ymd(t);
	int64_t sod = t - timefmt_ymd_start(ymd);

	/* "2026-12-05 10:00" and "2026-12-05": what Excel reads as a date. */
	if (date_of)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(ymd / 10000),
		    (int)(ymd / 100 % 100), (int)(ymd % 100));
	else
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d", (int)(ymd / 10000),
		    (int)(ymd / 100 % 100), (int)(ymd % 100), (int)(sod / 3600),
		    (int)(sod / 60 % 60));
	csv_cell(c, buf, false);
}

static void
csv_events(struct cli *cli, struct xres *x, struct csv *c)
{
	static const char *const cols[] = { "when.start", "when.end", "when.all_day",
	    "category", "title", "description", "where.text", "where.point.lat",
	    "where.point.lon", "capacity", "registered", "attended", "fee_yen", "contact",
	    "cancelled", "group", "id", NULL };
	struct qres *res = &x->r[HB_EVENT];
	json_t *ev;
	double lat = 0, lon = 0;
	bool all_day, have;
	size_t k, i;

	csv_header(cli, c, HB_EVENT, cols);
	for (k = 0; res->resp != NULL && k < res->resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res->resp->occurrences[k];

		if ((i = oc->index) >= res->n || res->json[i] == NULL ||
		    proto_record_kind(res->recs[i]) != HB_EVENT)
			continue;
		ev = json_object_get(res->json[i], "event");
		all_day = json_is_true(json_object_get(json_object_get(ev, "when"), "all_day"));
		csv_time(c, oc->start, all_day);
		csv_time(c, all_day ? oc->end - 1 : oc->end, all_day);
		csv_cell(c, all_day ? "1" : "", false);
		csv_cell(c, vocab_label_lang(cli, vocab_category, hc_jstr(ev, "category")), true);
		csv_cell(c, text_lang(cli, ev, "title", "title"), true);
		csv_cell(c, text_lang(cli, ev, "description", "description"), true);
		csv_cell(c, where_text(cli, x, ev), true);
		have = where_point(cli, x, ev, &lat, &lon);
		csv_deg(c, have, lat);
		csv_deg(c, have, lon);
		csv_num(c, json_object_get(ev, "capacity"));
		csv_num(c, json_object_get(ev, "registered"));
		csv_num(c, json_object_get(ev, "attended"));
		csv_num(c, json_object_get(ev, "fee_yen"));
		csv_cell(c, hc_jstr(ev, "contact"), true);
		csv_cell(c, json_is_true(json_object_get(ev, "cancelled")) ?
		    (lang_ja(cli) ? "中止" : "cancelled") : "", false);
		csv_cell(c, hc_jstr(res->json[i], "group"), true);
		csv_cell(c, proto_record_id(res->recs[i]), true);
		csv_end(c);
	}
}

static void
csv_meetings(struct cli *cli, struct xres *x, struct csv *c)
{
	static const char *const cols[] = { "when.start", "when.end", "title", "agenda",
	    "where.text", "group", "id", NULL };
	struct qres *res = &x->r[HB_MEETING];
	json_t *m;
	size_t k, i;

	csv_header(cli, c, HB_MEETING, cols);
	for (k = 0; res->resp != NULL && k < res->resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res->resp->occurrences[k];

		if ((i = oc->index) >= res->n || res->json[i] == NULL ||
		    proto_record_kind(res->recs[i]) != HB_MEETING)
			continue;
		m = json_object_get(res->json[i], "meeting");
		csv_time(c, oc->start, false);
		csv_time(c, oc->end, false);
		csv_cell(c, text_lang(cli, m, "title", "title"), true);
		csv_cell(c, text_lang(cli, m, "description", "agenda"), true);
		csv_cell(c, where_text(cli, x, m), true);
		csv_cell(c, hc_jstr(res->json[i], "group"), true);
		csv_cell(c, proto_record_id(res->recs[i]), true);
		csv_end(c);
	}
}

static void
csv_places(struct cli *cli, struct xres *x, struct csv *c)
{
	static const char *const cols[] = { "name", "point.lat", "point.lon", "address",
	    "tags", "opening_hours", "description", "notes", "group", "id", NULL };
	struct qres *res = &x->r[HB_PLACE];
	json_t *p, *pt;
	size_t i;

	csv_header(cli, c, HB_PLACE, cols);
	for (i = 0; i < res->n; i++) {
		if (res->json[i] == NULL || proto_record_kind(res->recs[i]) != HB_PLACE)
			continue;
		p = json_object_get(res->json[i], "place");
		pt = json_object_get(p, "point");
		csv_cell(c, text_lang(cli, p, "title", "name"), true);
		csv_deg(c, true, (double)json_integer_value(json_object_get(pt, "lat_e7")) / 1e7);
		csv_deg(c, true, (double)json_integer_value(json_object_get(pt, "lon_e7")) / 1e7);
		csv_cell(c, hc_jstr(p, "address"), true);
		csv_list(c, json_object_get(p, "tags"), "key", ";");
		csv_cell(c, hc_jstr(p, "opening_hours"), true);
		csv_cell(c, text_lang(cli, p, "description", "description"), true);
		csv_cell(c, hc_jstr(p, "notes"), true);
		csv_cell(c, hc_jstr(res->json[i], "group"), true);
		csv_cell(c, proto_record_id(res->recs[i]), true);
		csv_end(c);
	}
}

static void
csv_volunteers(struct cli *cli, struct xres *x, struct csv *c)
{
	static const char *const cols[] = { "kind", "title", "description", "skills", "area",
	    "people", "status", "group", "id", NULL };
	struct qres *res = &x->r[HB_VOLUNTEER];
	json_t *v;
	size_t i;

	csv_header(cli, c, HB_VOLUNTEER, cols);
	for (i = 0; i < res->n; i++) {
		if (res->json[i] == NULL || proto_record_kind(res->recs[i]) != HB_VOLUNTEER)
			continue;
		v = json_object_get(res->json[i], "volunteer");
		csv_cell(c, vocab_label_lang(cli, vocab_vkind, hc_jstr(v, "kind")), false);
		csv_cell(c, text_lang(cli, v, "title", "title"), true);
		csv_cell(c, text_lang(cli, v, "description", "description"), true);
		csv_list(c, json_object_get(v, "skills"), NULL, ";");
		csv_cell(c, hc_jstr(v, "area"), true);
		csv_num(c, json_object_get(v, "people"));
		csv_cell(c, vocab_label_lang(cli, vocab_lstatus, hc_jstr(v, "status")), false);
		csv_cell(c, hc_jstr(res->json[i], "group"), true);
		csv_cell(c, proto_record_id(res->recs[i]), true);
		csv_end(c);
	}
}

static char *
export_csv(struct cli *cli, struct xres *x, unsigned kinds)
{
	struct csv c = { .first = true };

	if ((c.f = open_memstream(&c.buf, &c.len)) == NULL)
		return NULL;
	fputs("\xEF\xBB\xBF", c.f);	/* the BOM: Excel reads UTF-8 only with it */
	if (kinds & K(HB_EVENT))
		csv_events(cli, x, &c);
	else if (kinds & K(HB_MEETING))
		csv_meetings(cli, x, &c);
	else if (kinds & K(HB_PLACE))
		csv_places(cli, x, &c);
	else
		csv_volunteers(cli, x, &c);
	if (fclose(c.f) != 0) {
		free(c.buf);
		return NULL;
	}
	return c.buf;
}

/* ---- the command ---- */

/* To stdout, or to FILE through a temporary file renamed over it: a reader of FILE sees
 * the old export or the new one, never half of one. */
static int
write_out(const char *path, const char *data)
{
	size_t len = strlen(data);
	char *tmp = NULL;
	FILE *f;
	int rc = HB_EXIT_OK;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len)
			return cli_error(HB_EXIT_FAIL, "writing output: %s", strerror(errno));
		return HB_EXIT_OK;
	}
	if ((tmp = cli_strf("%s.tmp%ld", path, (long)getpid())) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	if ((f = fopen(tmp, "w")) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	return rc;
}

int
cmd_export(struct cli *cli, int argc, char **argv)
{
	struct xopts o;
	struct xres x;
	const char *fmt = strchr(cli->cmd->name, ' ') + 1;
	char *data = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&x, 0, sizeof(x));
	qb_init(&o.base, HB_KIND_NONE);
	qb_init(&o.ev_terms, HB_EVENT);
	qb_init(&o.pl_terms, HB_PLACE);
	o.fmt = strcmp(fmt, "ics") == 0 ? FMT_ICS : strcmp(fmt, "geojson") == 0 ? FMT_GEOJSON :
	    FMT_CSV;
	if ((rc = export_parse(cli, argc, argv, &o)) >= 0)
		goto out;
	if ((rc = export_query(cli, &o, &x)) != 0)
		goto out;
	data = o.fmt == FMT_ICS ? export_ics(cli, &x) : o.fmt == FMT_GEOJSON ?
	    export_geojson(cli, &x) : export_csv(cli, &x, o.kinds);
	if (data == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "cannot build the %s file (out of memory)", fmt);
		goto out;
	}
	rc = write_out(o.out, data);
out:
	free(data);
	xres_free(&x);
	qb_free(&o.base);
	qb_free(&o.ev_terms);
	qb_free(&o.pl_terms);
	return rc;
}
