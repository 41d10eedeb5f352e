/* SPDX-License-Identifier: ISC */
/*
 * index.c: what the store indexes about a record: equality terms, human texts to search,
 * the point on the map, and the occurrences of events and meetings in time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_internal.h"

#define DAY	86400LL

/* ---- calendar, proleptic Gregorian (H. Hinnant's civil-from-days) ---- */

int64_t
proto_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
proto_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

unsigned
proto_days_in_month(int64_t y, unsigned m)
{
	static const unsigned	dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

bool
date_valid(int64_t ymd, int64_t *days)
{
	int64_t		y = ymd / 10000;
	unsigned	m = (unsigned)(ymd / 100 % 100), d = (unsigned)(ymd % 100);

	if (ymd < 19700101 || ymd > 21001231 || m < 1 || m > 12 || d < 1 ||
	    d > proto_days_in_month(y, m))
		return false;
	*days = proto_days_from_civil(y, m, d);
	return true;
}

/* Monday 0 .. Sunday 6; day 0 (1970-01-01) was a Thursday. */
static unsigned
weekday(int64_t days)
{
	return (unsigned)(((days % 7) + 7 + 3) % 7);
}

/* ---- occurrences ---- */

/* fn gets each occurrence as its start in the start form, and [s, e) as instants. */
typedef int (*occ_fn)(int64_t form, int64_t s, int64_t e, void *arg);

struct occ_base {
	bool	 ad;
	int64_t	 day;		/* local (JST) day number of the first start */
	int64_t	 sod;		/* timed: seconds after local midnight */
	int64_t	 dur;		/* all-day: days - 1 of the span; timed: seconds */
};

static int
occ_emit(const struct occ_base *b, int64_t day, occ_fn fn, void *arg, int64_t *form)
{
	int64_t		y;
	unsigned	m, d;

	if (b->ad) {
		proto_civil_from_days(day, &y, &m, &d);
		*form = y * 10000 + m * 100 + d;
		return fn(*form, day * DAY - HB_JST_OFFSET,
		    (day + b->dur + 1) * DAY - HB_JST_OFFSET, arg);
	}
	*form = day * DAY + b->sod - HB_JST_OFFSET;
	return fn(*form, *form, *form + b->dur, arg);
}

/* Occurrence k of a monthly recurrence: its local day, or -1 when the month lacks it. */
static int64_t
monthly_day(const struct occ_base *b, int64_t k, uint32_t interval, bool by_weekday)
{
	int64_t		y, months, ny;
	unsigned	m, d, nm, nd, nth, wd, wfirst;

	proto_civil_from_days(b->day, &y, &m, &d);
	months = (int64_t)(m - 1) + k * interval;
	ny = y + months / 12;
	nm = (unsigned)(months % 12) + 1;
	if (by_weekday) {
		nth = (d - 1) / 7 + 1;
		wd = weekday(b->day);
		wfirst = weekday(proto_days_from_civil(ny, nm, 1));
		nd = 1 + (wd + 7 - wfirst) % 7 + (nth - 1) * 7;
	} else
		nd = d;
	if (nd > proto_days_in_month(ny, nm))
		return -1;
	return proto_days_from_civil(ny, nm, nd);
}

static int
expand(const Hiroba__When *w, const Hiroba__Recurrence *rc, occ_fn fn, void *arg)
{
	struct occ_base	 b;
	uint32_t	 interval;
	int64_t		 k, day, form = 0, local;
	int		 r = 0;

	b.ad = w->has_all_day && w->all_day;
	if (b.ad) {
		if (!date_valid(w->start, &b.day) || !date_valid(w->end, &b.dur))
			return 0;
		b.dur -= b.day;
		b.sod = 0;
	} else {
		local = w->start + HB_JST_OFFSET;
		b.day = (local >= 0 ? local : local - DAY + 1) / DAY;
		b.sod = local - b.day * DAY;
		b.dur = w->end - w->start;
	}
	if (rc == NULL)
		return occ_emit(&b, b.day, fn, arg, &form);
	interval = rc->has_interval ? rc->interval : 1;
	if (interval < 1)
		interval = 1;
	/* Three years at most (validation): 160 weeks or 40 months bound the loop. */
	for (k = 0; k < 2000 && r == 0; k++) {
		if (rc->freq == HIROBA__FREQ__MONTHLY) {
			if ((day = monthly_day(&b, k, interval, rc->by_weekday)) < 0)
				continue;
		} else
			day = b.day + k * 7 * (int64_t)interval;
		/* Compare in the start form before emitting. */
		if (b.ad) {
			int64_t		y;
			unsigned	m, d;

			proto_civil_from_days(day, &y, &m, &d);
			if (y * 10000 + m * 100 + d > rc->until)
				break;
		} else if (day * DAY + b.sod - HB_JST_OFFSET > rc->until)
			break;
		r = occ_emit(&b, day, fn, arg, &form);
	}
	return r;
}

struct occ_count {
	int	n;
	int	cap;
};

static int
count_fn(int64_t form, int64_t s, int64_t e, void *arg)
{
	struct occ_count	*c = arg;

	return ++c->n > c->cap ? 1 : 0;
}

int
occurrences_count(const Hiroba__When *w, const Hiroba__Recurrence *rc, int cap)
{
	struct occ_count	c = { 0, cap };

	expand(w, rc, count_fn, &c);
	return c.n;
}

struct occ_pub {
	const Hiroba__Recurrence	*rc;
	proto_occ_cb			 cb;
	void				*arg;
	int				 n;
};

static int
pub_fn(int64_t form, int64_t s, int64_t e, void *arg)
{
	struct occ_pub	*p = arg;
	size_t		 i;

	if (p->rc != NULL)
		for (i = 0; i < p->rc->n_exceptions; i++)
			if (p->rc->exceptions[i] == form)
				return 0;
	if (p->n++ >= HB_OCC_MAX)
		return 0;
	return p->cb(s, e, p->arg);
}

int
proto_record_occurrences(const struct hb_record *r, proto_occ_cb cb, void *arg)
{
	struct occ_pub	p = { NULL, cb, arg, 0 };

	if (r->rec == NULL)
		return 0;
	if (r->rec->body_case == HIROBA__RECORD__BODY_EVENT && r->rec->event->when != NULL) {
		p.rc = r->rec->event->recurrence;
		return expand(r->rec->event->when, p.rc, pub_fn, &p);
	}
	if (r->rec->body_case == HIROBA__RECORD__BODY_MEETING &&
	    r->rec->meeting->when != NULL)
		return expand(r->rec->meeting->when, NULL, pub_fn, &p);
	return 0;
}

/* ---- terms ---- */

struct terms {
	char	**v;
	size_t	  n;
	int	  rc;
};

static void terms_add(struct terms *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
terms_add(struct terms *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*s = NULL, **nv;
	int	 n;
	size_t	 i;

	if (t->rc != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		goto nomem;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i], s) == 0) {
			free(s);
			return;
		}
	if ((nv = realloc(t->v, (t->n + 1) * sizeof(*nv))) == NULL)
		goto nomem;
	t->v = nv;
	t->v[t->n++] = s;
	return;
nomem:
	free(s);
	t->rc = PROTO_ENOMEM;
}

/* name=normalize(value); a value that does not normalize adds nothing. */
static void
terms_norm(struct terms *t, const char *name, const char *value)
{
	char	*n;

	if (value == NULL || *value == '\0')
		return;
	if ((n = proto_normalize(value)) == NULL)
		return;
	terms_add(t, "%s=%s", name, n);
	free(n);
}

static void
terms_lang(struct terms *t, const char *tag)
{
	char	 buf[64];
	size_t	 i;

	if (tag == NULL || *tag == '\0' || strlen(tag) >= sizeof(buf))
		return;
	for (i = 0; tag[i] != '\0'; i++)
		buf[i] = (tag[i] >= 'A' && tag[i] <= 'Z') ? (char)(tag[i] + 32) : tag[i];
	buf[i] = '\0';
	terms_add(t, "lang=%s", buf);
}

/* An enum value's name in lower case, as terms and JSON write it. */
static const char *
enum_lower(const ProtobufCEnumDescriptor *d, int value, char *buf, size_t len)
{
	const ProtobufCEnumValue	*ev;
	size_t				 i;

	if ((ev = protobuf_c_enum_descriptor_get_value(d, value)) == NULL || len == 0)
		return "?";
	for (i = 0; ev->name[i] != '\0' && i + 1 < len; i++)
		buf[i] = (ev->name[i] >= 'A' && ev->name[i] <= 'Z') ?
		    (char)(ev->name[i] + 32) : ev->name[i];
	buf[i] = '\0';
	return buf;
}

static const char *
category_term(int c)
{
	static const char *const names[] = { "?", "pre_parent", "father", "play_space",
	    "consultation", "supporter_training", "network_meeting", "support_system",
	    "other" };

	return c >= 1 && c <= 8 ? names[c] : "?";
}

static const char *
gkind_term(int k)
{
	static const char *const names[] = { "?", "center", "nursery", "circle", "other" };

	return k >= 1 && k <= 4 ? names[k] : "?";
}

static void
terms_collect(const Hiroba__Record *r, struct terms *t)
{
	char	 buf[64], hex[HB_KEYHEX_LEN];
	size_t	 i;

	switch (r->body_case) {
	case HIROBA__RECORD__BODY_EVENT: {
		const Hiroba__Event *e = r->event;

		terms_add(t, "cat=%s", category_term(e->category));
		for (i = 0; i < e->n_audience; i++)
			terms_add(t, "aud=%s", enum_lower(&hiroba__audience__descriptor,
			    e->audience[i], buf, sizeof(buf)));
		for (i = 0; i < e->n_languages; i++)
			terms_lang(t, e->languages[i]);
		for (i = 0; i < e->n_translations; i++)
			terms_lang(t, e->translations[i]->lang);
		if (e->has_cancelled && e->cancelled)
			terms_add(t, "cancelled=1");
		break;
	}
	case HIROBA__RECORD__BODY_PLACE:
		for (i = 0; i < r->place->n_tags; i++)
			terms_add(t, "tag=%s=%s", r->place->tags[i]->key,
			    r->place->tags[i]->value);
		break;
	case HIROBA__RECORD__BODY_VOLUNTEER: {
		const Hiroba__Volunteer *v = r->volunteer;

		terms_add(t, "vkind=%s", enum_lower(&hiroba__volunteer_kind__descriptor,
		    v->kind, buf, sizeof(buf)));
		terms_add(t, "status=%s", enum_lower(&hiroba__listing_status__descriptor,
		    v->status, buf, sizeof(buf)));
		for (i = 0; i < v->n_skills; i++)
			terms_norm(t, "skill", v->skills[i]);
		terms_norm(t, "area", v->area);
		break;
	}
	case HIROBA__RECORD__BODY_PROFILE:
		terms_add(t, "gkind=%s", gkind_term(r->profile->kind));
		terms_norm(t, "area", r->profile->area);
		break;
	case HIROBA__RECORD__BODY_MEETING:
		for (i = 0; i < r->meeting->n_invited; i++) {
			if (r->meeting->invited[i].len != HB_KEY_LEN)
				continue;
			proto_key_hex(r->meeting->invited[i].data, hex);
			terms_add(t, "invited=%s", hex);
		}
		break;
	case HIROBA__RECORD__BODY_REPLY:
		if (r->reply->meeting != NULL && r->reply->meeting->author.len == HB_KEY_LEN) {
			proto_key_hex(r->reply->meeting->author.data, hex);
			terms_add(t, "meeting=%s/%s", hex, r->reply->meeting->id);
		}
		break;
	case HIROBA__RECORD__BODY_MATCH: {
		const Hiroba__Match *m = r->match;

		if (m->wanted != NULL && m->wanted->author.len == HB_KEY_LEN) {
			proto_key_hex(m->wanted->author.data, hex);
			terms_add(t, "wanted=%s/%s", hex, m->wanted->id);
		}
		if (m->offered != NULL && m->offered->author.len == HB_KEY_LEN) {
			proto_key_hex(m->offered->author.data, hex);
			terms_add(t, "offered=%s/%s", hex, m->offered->id);
		}
		terms_add(t, "status=%s", enum_lower(&hiroba__match_status__descriptor,
		    m->has_status ? m->status : HIROBA__MATCH_STATUS__PROPOSED, buf,
		    sizeof(buf)));
		break;
	}
	default:
		break;
	}
}

int
proto_record_terms(const struct hb_record *r, proto_str_cb cb, void *arg)
{
	struct terms	t = { NULL, 0, 0 };
	size_t		i;
	int		rc = 0;

	if (r->rec == NULL)
		goto out;
	terms_collect(r->rec, &t);
	if ((rc = t.rc) != 0)
		goto out;
	for (i = 0; i < t.n && rc == 0; i++)
		rc = cb(t.v[i], arg);
out:
	for (i = 0; i < t.n; i++)
		free(t.v[i]);
	free(t.v);
	return rc;
}

/* ---- texts ---- */

static int
text_cb(const char *s, proto_str_cb cb, void *arg)
{
	return s != NULL && *s != '\0' ? cb(s, arg) : 0;
}

static int
translations_cb(Hiroba__Translation *const *t, size_t n, proto_str_cb cb, void *arg)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		if ((rc = text_cb(t[i]->title, cb, arg)) == 0)
			rc = text_cb(t[i]->description, cb, arg);
	return rc;
}

int
proto_record_texts(const struct hb_record *r, proto_str_cb cb, void *arg)
{
	const Hiroba__Record	*rec = r->rec;
	size_t			 i;
	int			 rc = 0;

	if (rec == NULL)
		return 0;
	switch (rec->body_case) {
	case HIROBA__RECORD__BODY_EVENT: {
		const Hiroba__Event *e = rec->event;

		if ((rc = text_cb(e->title, cb, arg)) != 0 ||
		    (rc = text_cb(e->description, cb, arg)) != 0 ||
		    (rc = translations_cb(e->translations, e->n_translations, cb, arg)) != 0)
			break;
		if (e->where != NULL)
			rc = text_cb(e->where->text, cb, arg);
		break;
	}
	case HIROBA__RECORD__BODY_PLACE: {
		const Hiroba__Place *p = rec->place;

		if ((rc = text_cb(p->name, cb, arg)) != 0 ||
		    (rc = text_cb(p->description, cb, arg)) != 0 ||
		    (rc = translations_cb(p->translations, p->n_translations, cb, arg)) != 0 ||
		    (rc = text_cb(p->address, cb, arg)) != 0)
			break;
		rc = text_cb(p->notes, cb, arg);
		break;
	}
	case HIROBA__RECORD__BODY_VOLUNTEER: {
		const Hiroba__Volunteer *v = rec->volunteer;

		if ((rc = text_cb(v->title, cb, arg)) != 0 ||
		    (rc = text_cb(v->description, cb, arg)) != 0 ||
		    (rc = translations_cb(v->translations, v->n_translations, cb, arg)) != 0)
			break;
		for (i = 0; i < v->n_skills && rc == 0; i++)
			rc = text_cb(v->skills[i], cb, arg);
		if (rc == 0)
			rc = text_cb(v->area, cb, arg);
		break;
	}
	case HIROBA__RECORD__BODY_PROFILE: {
		const Hiroba__Profile *p = rec->profile;

		if ((rc = text_cb(p->name, cb, arg)) != 0 ||
		    (rc = text_cb(p->description, cb, arg)) != 0 ||
		    (rc = translations_cb(p->translations, p->n_translations, cb, arg)) != 0)
			break;
		rc = text_cb(p->area, cb, arg);
		break;
	}
	case HIROBA__RECORD__BODY_MEETING: {
		const Hiroba__Meeting *m = rec->meeting;

		if ((rc = text_cb(m->title, cb, arg)) != 0 ||
		    (rc = text_cb(m->agenda, cb, arg)) != 0 ||
		    (rc = text_cb(m->minutes, cb, arg)) != 0 ||
		    (rc = translations_cb(m->translations, m->n_translations, cb, arg)) != 0)
			break;
		for (i = 0; i < m->n_actions && rc == 0; i++)
			rc = text_cb(m->actions[i], cb, arg);
		if (rc == 0 && m->where != NULL)
			rc = text_cb(m->where->text, cb, arg);
		break;
	}
	case HIROBA__RECORD__BODY_REPLY:
		rc = text_cb(rec->reply->note, cb, arg);
		break;
	case HIROBA__RECORD__BODY_MATCH:
		rc = text_cb(rec->match->note, cb, arg);
		break;
	default:
		break;
	}
	return rc;
}

int
proto_record_point(const struct hb_record *r, int32_t *lat_e7, int32_t *lon_e7)
{
	const Hiroba__Point	*p = NULL;

	if (r->rec == NULL)
		return PROTO_EMISSING;
	if (r->rec->body_case == HIROBA__RECORD__BODY_PLACE)
		p = r->rec->place->point;
	else if (r->rec->body_case == HIROBA__RECORD__BODY_EVENT &&
	    r->rec->event->where != NULL)
		p = r->rec->event->where->point;
	else if (r->rec->body_case == HIROBA__RECORD__BODY_MEETING &&
	    r->rec->meeting->where != NULL)
		p = r->rec->meeting->where->point;
	if (p == NULL)
		return PROTO_EMISSING;
	*lat_e7 = p->lat_e7;
	*lon_e7 = p->lon_e7;
	return 0;
}
