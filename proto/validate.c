/* SPDX-License-Identifier: ISC */
/*
 * validate.c: every rule a decoded record must meet before anyone stores or shows it.
 * Each rule has its own PROTO_E* code and a one-line reason that names the field.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto_internal.h"

#define TIME_MAX	4133980800LL	/* 2101-01-01T00:00:00Z: instants stop before */
#define SPAN_MAX_DAYS	31		/* one occurrence of an event or meeting */
#define RECUR_MAX_DAYS	1096		/* three years of a recurrence */

#define LEN_TITLE	200
#define LEN_LONG	4000
#define LEN_MINUTES	8000
#define LEN_SHORT	200
#define LEN_ACTION	500
#define LEN_LANG	35
#define LEN_TAGKEY	64
#define LEN_SKILL	64
#define LEN_SEALED	1024

struct vctx {
	char	*err;
	size_t	 errlen;
};

static int vfail(struct vctx *v, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
vfail(struct vctx *v, int rc, const char *fmt, ...)
{
	va_list	ap;

	if (v->err != NULL && v->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(v->err, v->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* "member/" + 64 lowercase hex digits: the one id longer than HB_ID_USER_MAX. */
static bool
member_id_form(const char *id, size_t n)
{
	size_t	i;

	if (n != HB_ID_MAX || strncmp(id, "member/", 7) != 0)
		return false;
	for (i = 7; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

bool
id_valid(const char *id)
{
	size_t	i, n;
	char	c;

	if (id == NULL || (n = strlen(id)) == 0 || id[0] == '/' || id[0] == '.')
		return false;
	if (n > HB_ID_USER_MAX)
		return member_id_form(id, n);
	for (i = 0; i < n; i++) {
		c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '/' || c == '-'))
			return false;
	}
	return true;
}

/* ---- the generic pass: UTF-8 of every string, every enum value ---- */

static bool
multiline(const char *field)
{
	return strcmp(field, "description") == 0 || strcmp(field, "agenda") == 0 ||
	    strcmp(field, "minutes") == 0 || strcmp(field, "notes") == 0 ||
	    strcmp(field, "note") == 0;
}

static int
check_string(struct vctx *v, const char *s, bool ml, const char *path)
{
	const unsigned char	*p;

	if (s == NULL)
		return 0;
	if (!proto_utf8_valid(s, strlen(s)))
		return vfail(v, PROTO_EUTF8, "%s: not valid UTF-8", path);
	/* C0 but LF and TAB in multi-line fields, DEL, and C1 (U+0080..U+009F, c2 80..
	 * c2 9f): no text needs them, and a terminal takes C1's CSI (U+009B) as the start
	 * of an escape sequence */
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && !(ml && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
			return vfail(v, PROTO_EUTF8, "%s: control character 0x%02x", path,
			    *p);
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return vfail(v, PROTO_EUTF8, "%s: control character U+%04X", path,
			    p[1]);
	}
	return 0;
}

static int
walk(struct vctx *v, const ProtobufCMessage *m, const char *path)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*base = (const char *)m;
	const void				*member;
	char					 sub[160];
	unsigned				 i;
	size_t					 j, n;
	int					 rc = 0, ev;

	for (i = 0; i < d->n_fields && rc == 0; i++) {
		f = &d->fields[i];
		member = base + f->offset;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			n = *(const size_t *)(base + f->quantifier_offset);
		else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
		    f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE &&
		    !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			n = *(const protobuf_c_boolean *)(base + f->quantifier_offset) ? 1 : 0;
		else
			n = 1;
		for (j = 0; j < n && rc == 0; j++) {
			if (f->label == PROTOBUF_C_LABEL_REPEATED)
				snprintf(sub, sizeof(sub), "%s%s%s[%zu]", path,
				    *path ? "." : "", f->name, j);
			else
				snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
				    f->name);
			switch (f->type) {
			case PROTOBUF_C_TYPE_STRING: {
				const char *s = f->label == PROTOBUF_C_LABEL_REPEATED ?
				    (*(char *const *const *)member)[j] : *(char *const *)member;
				rc = check_string(v, s, multiline(f->name), sub);
				break;
			}
			case PROTOBUF_C_TYPE_ENUM:
				ev = f->label == PROTOBUF_C_LABEL_REPEATED ?
				    (*(const int *const *)member)[j] : *(const int *)member;
				if (protobuf_c_enum_descriptor_get_value(f->descriptor, ev) ==
				    NULL)
					rc = vfail(v, PROTO_EENUM, "%s: unknown value %d", sub,
					    ev);
				break;
			case PROTOBUF_C_TYPE_MESSAGE: {
				const ProtobufCMessage *c = f->label ==
				    PROTOBUF_C_LABEL_REPEATED ?
				    (*(ProtobufCMessage *const *const *)member)[j] :
				    *(ProtobufCMessage *const *)member;
				if (c != NULL)
					rc = walk(v, c, sub);
				else if (f->label == PROTOBUF_C_LABEL_REQUIRED)
					rc = vfail(v, PROTO_EMISSING, "%s: missing", sub);
				break;
			}
			default:
				break;
			}
		}
	}
	return rc;
}

/* ---- field rules ---- */

/*
 * Text limits are in characters (Unicode code points), as the people who type the text
 * count: a 200-byte limit refused a Japanese title at 67 characters. The bytes are
 * bounded all the same, by 4 per character and by the body's limit. Counted on the
 * bytes that do not continue a UTF-8 sequence; the UTF-8 itself is checked elsewhere.
 */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
text(struct vctx *v, const char *s, size_t max, const char *path)
{
	if (s != NULL && chars(s) > max)
		return vfail(v, PROTO_ELEN, "%s: longer than %zu characters", path, max);
	return 0;
}

static int
text_req(struct vctx *v, const char *s, size_t max, const char *path)
{
	if (s == NULL || *s == '\0')
		return vfail(v, PROTO_EMISSING, "%s: missing or empty", path);
	return text(v, s, max, path);
}

static bool
charset(const char *s, const char *extra, bool upper)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    (upper && *s >= 'A' && *s <= 'Z') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

static int
lang(struct vctx *v, const char *s, const char *path)
{
	int	rc;

	if ((rc = text_req(v, s, LEN_LANG, path)) != 0)
		return rc;
	if (!charset(s, "-", true))
		return vfail(v, PROTO_ERANGE, "%s: a language tag is [A-Za-z0-9-]", path);
	return 0;
}

static int
key(struct vctx *v, const ProtobufCBinaryData *b, const char *path)
{
	if (!key_valid(b->data, b->len))
		return vfail(v, PROTO_EKEY, "%s: not a valid 32-byte Ed25519 key", path);
	return 0;
}

static int
translations(struct vctx *v, Hiroba__Translation *const *t, size_t n, const char *path)
{
	char	p[64];
	size_t	i;
	int	rc = 0;

	if (n > 8)
		return vfail(v, PROTO_ECOUNT, "%s.translations: more than 8", path);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(p, sizeof(p), "%s.translations[%zu]", path, i);
		if ((rc = lang(v, t[i]->lang, p)) == 0 &&
		    (rc = text(v, t[i]->title, LEN_TITLE, p)) == 0)
			rc = text(v, t[i]->description, LEN_LONG, p);
	}
	return rc;
}

static int
point(struct vctx *v, const Hiroba__Point *pt, const char *path)
{
	if (pt->lat_e7 < -900000000 || pt->lat_e7 > 900000000)
		return vfail(v, PROTO_ERANGE, "%s.lat_e7: not within +-90 degrees", path);
	if (pt->lon_e7 < -1800000000 || pt->lon_e7 > 1800000000)
		return vfail(v, PROTO_ERANGE, "%s.lon_e7: not within +-180 degrees", path);
	return 0;
}

static int
ages(struct vctx *v, protobuf_c_boolean hmin, uint32_t min, protobuf_c_boolean hmax,
    uint32_t max, const char *path)
{
	if ((hmin && min > 240) || (hmax && max > 240))
		return vfail(v, PROTO_ERANGE, "%s: age over 240 months", path);
	if (hmin && hmax && min > max)
		return vfail(v, PROTO_ERANGE, "%s: age_min_months over age_max_months", path);
	return 0;
}

static int
cap(struct vctx *v, protobuf_c_boolean has, uint32_t n, uint32_t max, const char *path)
{
	if (has && n > max)
		return vfail(v, PROTO_ERANGE, "%s: over %u", path, max);
	return 0;
}

static int
ref(struct vctx *v, const Hiroba__Ref *r, const char *path)
{
	char	p[64];

	if (r == NULL)
		return vfail(v, PROTO_EMISSING, "%s: missing", path);
	snprintf(p, sizeof(p), "%s.author", path);
	if (key(v, &r->author, p) != 0)
		return PROTO_EKEY;
	if (!id_valid(r->id))
		return vfail(v, PROTO_EID, "%s.id: not a valid record id", path);
	return 0;
}

static int
instant(struct vctx *v, int64_t t, const char *path)
{
	if (t < 0 || t >= TIME_MAX)
		return vfail(v, PROTO_ETIME, "%s: not between 1970 and 2100", path);
	return 0;
}

/* A time in the form of When.start: a YYYYMMDD date when all_day, else an instant. */
static int
moment(struct vctx *v, bool all_day, int64_t t, int64_t *days, const char *path)
{
	if (all_day) {
		if (!date_valid(t, days))
			return vfail(v, PROTO_ETIME, "%s: not a date YYYYMMDD in 1970..2100",
			    path);
		return 0;
	}
	*days = 0;
	return instant(v, t, path);
}

static int
when(struct vctx *v, const Hiroba__When *w, const Hiroba__Recurrence *rc,
    const char *path)
{
	bool	ad;
	int64_t	ds, de, du;
	size_t	i;
	char	p[64];
	int	r;

	if (w == NULL)
		return vfail(v, PROTO_EMISSING, "%s.when: missing", path);
	ad = w->has_all_day && w->all_day;
	snprintf(p, sizeof(p), "%s.when.start", path);
	if ((r = moment(v, ad, w->start, &ds, p)) != 0)
		return r;
	snprintf(p, sizeof(p), "%s.when.end", path);
	if ((r = moment(v, ad, w->end, &de, p)) != 0)
		return r;
	if (w->end < w->start)
		return vfail(v, PROTO_ETIME, "%s: before start", p);
	if (ad ? de - ds > SPAN_MAX_DAYS : w->end - w->start > SPAN_MAX_DAYS * 86400LL)
		return vfail(v, PROTO_ETIME, "%s: more than %d days after start", p,
		    SPAN_MAX_DAYS);
	if (rc == NULL)
		return 0;

	if (rc->has_interval && (rc->interval < 1 || rc->interval > 12))
		return vfail(v, PROTO_ERANGE, "%s.recurrence.interval: not 1..12", path);
	snprintf(p, sizeof(p), "%s.recurrence.until", path);
	if ((r = moment(v, ad, rc->until, &du, p)) != 0)
		return r;
	if (rc->until < w->start)
		return vfail(v, PROTO_ETIME, "%s: before when.start", p);
	if (ad ? du - ds > RECUR_MAX_DAYS : rc->until - w->start > RECUR_MAX_DAYS * 86400LL)
		return vfail(v, PROTO_ETIME, "%s: more than 3 years after when.start", p);
	if (rc->n_exceptions > 64)
		return vfail(v, PROTO_ECOUNT, "%s.recurrence.exceptions: more than 64", path);
	for (i = 0; i < rc->n_exceptions; i++) {
		snprintf(p, sizeof(p), "%s.recurrence.exceptions[%zu]", path, i);
		if ((r = moment(v, ad, rc->exceptions[i], &du, p)) != 0)
			return r;
	}
	if (occurrences_count(w, rc, HB_OCC_MAX) > HB_OCC_MAX)
		return vfail(v, PROTO_ETIME, "%s.recurrence: more than %d occurrences", path,
		    HB_OCC_MAX);
	return 0;
}

static int
where(struct vctx *v, const Hiroba__Where *w, const char *path)
{
	char	p[64];
	int	rc;

	if (w == NULL)
		return 0;
	snprintf(p, sizeof(p), "%s.where.place", path);
	if (w->place != NULL && (rc = ref(v, w->place, p)) != 0)
		return rc;
	snprintf(p, sizeof(p), "%s.where.text", path);
	if ((rc = text(v, w->text, LEN_SHORT, p)) != 0)
		return rc;
	snprintf(p, sizeof(p), "%s.where.point", path);
	if (w->point != NULL && (rc = point(v, w->point, p)) != 0)
		return rc;
	return 0;
}

/* ---- one function per kind ---- */

static int
v_profile(struct vctx *v, const Hiroba__Record *r, bool check_id)
{
	const Hiroba__Profile	*p = r->profile;
	size_t			 i;
	int			 rc;

	if (check_id && strcmp(r->id, "profile") != 0)
		return vfail(v, PROTO_EMEMBERID, "id: a profile's id must be \"profile\"");
	if ((rc = text_req(v, p->name, LEN_TITLE, "profile.name")) != 0 ||
	    (rc = text(v, p->area, LEN_SHORT, "profile.area")) != 0 ||
	    (rc = text(v, p->contact, LEN_SHORT, "profile.contact")) != 0 ||
	    (rc = text(v, p->description, LEN_LONG, "profile.description")) != 0 ||
	    (rc = translations(v, p->translations, p->n_translations, "profile")) != 0)
		return rc;
	if (p->n_endpoints > 8)
		return vfail(v, PROTO_ECOUNT, "profile.endpoints: more than 8");
	for (i = 0; i < p->n_endpoints; i++) {
		if (strlen(p->endpoints[i]) > LEN_SHORT)
			return vfail(v, PROTO_ELEN, "profile.endpoints[%zu]: longer than %d "
			    "bytes", i, LEN_SHORT);
		if (strncmp(p->endpoints[i], "tcp://", 6) != 0 || p->endpoints[i][6] == '\0')
			return vfail(v, PROTO_ERANGE, "profile.endpoints[%zu]: must start "
			    "with tcp://", i);
	}
	return 0;
}

static int
v_event(struct vctx *v, const Hiroba__Event *e)
{
	char	p[64];
	size_t	i, j;
	int	rc;

	if ((rc = text_req(v, e->title, LEN_TITLE, "event.title")) != 0 ||
	    (rc = text(v, e->description, LEN_LONG, "event.description")) != 0 ||
	    (rc = translations(v, e->translations, e->n_translations, "event")) != 0 ||
	    (rc = when(v, e->when, e->recurrence, "event")) != 0 ||
	    (rc = where(v, e->where, "event")) != 0 ||
	    (rc = text(v, e->contact, LEN_SHORT, "event.contact")) != 0)
		return rc;
	if (e->n_audience > 6)
		return vfail(v, PROTO_ECOUNT, "event.audience: more than 6");
	for (i = 0; i < e->n_audience; i++)
		for (j = 0; j < i; j++)
			if (e->audience[i] == e->audience[j])
				return vfail(v, PROTO_ECOUNT, "event.audience[%zu]: "
				    "duplicate", i);
	if ((rc = ages(v, e->has_age_min_months, e->age_min_months, e->has_age_max_months,
	    e->age_max_months, "event")) != 0 ||
	    (rc = cap(v, e->has_capacity, e->capacity, 100000, "event.capacity")) != 0 ||
	    (rc = cap(v, e->has_registered, e->registered, 100000, "event.registered")) != 0 ||
	    (rc = cap(v, e->has_attended, e->attended, 100000, "event.attended")) != 0)
		return rc;
	if (e->n_languages > 8)
		return vfail(v, PROTO_ECOUNT, "event.languages: more than 8");
	for (i = 0; i < e->n_languages; i++) {
		snprintf(p, sizeof(p), "event.languages[%zu]", i);
		if ((rc = lang(v, e->languages[i], p)) != 0)
			return rc;
	}
	return 0;
}

static int
v_place(struct vctx *v, const Hiroba__Place *pl)
{
	const Hiroba__Tag	*t;
	char			 p[64];
	size_t			 i;
	int			 rc;

	if ((rc = text_req(v, pl->name, LEN_TITLE, "place.name")) != 0 ||
	    (rc = text(v, pl->description, LEN_LONG, "place.description")) != 0 ||
	    (rc = translations(v, pl->translations, pl->n_translations, "place")) != 0)
		return rc;
	if (pl->n_tags > 32)
		return vfail(v, PROTO_ECOUNT, "place.tags: more than 32");
	for (i = 0; i < pl->n_tags; i++) {
		t = pl->tags[i];
		snprintf(p, sizeof(p), "place.tags[%zu].key", i);
		if ((rc = text_req(v, t->key, LEN_TAGKEY, p)) != 0)
			return rc;
		if (!charset(t->key, "_:", false))
			return vfail(v, PROTO_ERANGE, "%s: a tag key is [a-z0-9_:]", p);
		snprintf(p, sizeof(p), "place.tags[%zu].value", i);
		if ((rc = text(v, t->value, LEN_SHORT, p)) != 0)
			return rc;
	}
	if (pl->point == NULL)
		return vfail(v, PROTO_EMISSING, "place.point: missing");
	if ((rc = point(v, pl->point, "place.point")) != 0 ||
	    (rc = text(v, pl->address, LEN_SHORT, "place.address")) != 0 ||
	    (rc = text(v, pl->opening_hours, LEN_SHORT, "place.opening_hours")) != 0 ||
	    (rc = ages(v, pl->has_age_min_months, pl->age_min_months,
	    pl->has_age_max_months, pl->age_max_months, "place")) != 0 ||
	    (rc = text(v, pl->notes, LEN_LONG, "place.notes")) != 0)
		return rc;
	return 0;
}

static int
v_window(struct vctx *v, const Hiroba__TimeWindow *w, size_t i)
{
	char	p[64];
	int	rc;

	snprintf(p, sizeof(p), "volunteer.windows[%zu]", i);
	if ((w->has_start && (rc = instant(v, w->start, p)) != 0) ||
	    (w->has_end && (rc = instant(v, w->end, p)) != 0))
		return rc;
	if (w->has_start && w->has_end && w->end < w->start)
		return vfail(v, PROTO_ETIME, "%s.end: before start", p);
	if (w->has_weekdays && w->weekdays > 0x7f)
		return vfail(v, PROTO_ERANGE, "%s.weekdays: over 0x7f", p);
	if ((w->has_from_minute && w->from_minute > 1440) ||
	    (w->has_to_minute && w->to_minute > 1440))
		return vfail(v, PROTO_ERANGE, "%s: minute over 1440", p);
	if (w->has_from_minute && w->has_to_minute && w->from_minute >= w->to_minute)
		return vfail(v, PROTO_ERANGE, "%s.to_minute: not after from_minute", p);
	return 0;
}

static int
v_volunteer(struct vctx *v, const Hiroba__Volunteer *vo)
{
	char	p[64];
	size_t	i;
	int	rc;

	if ((rc = text_req(v, vo->title, LEN_TITLE, "volunteer.title")) != 0 ||
	    (rc = text(v, vo->description, LEN_LONG, "volunteer.description")) != 0 ||
	    (rc = translations(v, vo->translations, vo->n_translations, "volunteer")) != 0 ||
	    (rc = text(v, vo->area, LEN_SHORT, "volunteer.area")) != 0 ||
	    (rc = cap(v, vo->has_people, vo->people, 1000, "volunteer.people")) != 0)
		return rc;
	if (vo->n_skills > 16)
		return vfail(v, PROTO_ECOUNT, "volunteer.skills: more than 16");
	for (i = 0; i < vo->n_skills; i++) {
		snprintf(p, sizeof(p), "volunteer.skills[%zu]", i);
		if ((rc = text_req(v, vo->skills[i], LEN_SKILL, p)) != 0)
			return rc;
	}
	if (vo->n_windows > 16)
		return vfail(v, PROTO_ECOUNT, "volunteer.windows: more than 16");
	for (i = 0; i < vo->n_windows; i++)
		if ((rc = v_window(v, vo->windows[i], i)) != 0)
			return rc;
	if (vo->has_contact_sealed && vo->contact_sealed.len > LEN_SEALED)
		return vfail(v, PROTO_ELEN, "volunteer.contact_sealed: longer than %d bytes",
		    LEN_SEALED);
	if (vo->has_contact_self && vo->contact_self.len > LEN_SEALED)
		return vfail(v, PROTO_ELEN, "volunteer.contact_self: longer than %d bytes",
		    LEN_SEALED);
	return 0;
}

/* erased: digests of sealed boxes (PROTOCOL.md 12.3). The validator cannot tell whose
 * boxes they are; it only bounds the list, so that the dead-box index a tombstone writes
 * stays small. */
static int
v_tombstone(struct vctx *v, const Hiroba__Tombstone *t)
{
	size_t	i, j;
	int	rc;

	if ((rc = text(v, t->reason, LEN_SHORT, "tombstone.reason")) != 0)
		return rc;
	if (t->n_erased > HB_ERASED_MAX)
		return vfail(v, PROTO_ECOUNT, "tombstone.erased: more than %d",
		    HB_ERASED_MAX);
	for (i = 0; i < t->n_erased; i++) {
		if (t->erased[i].len != HB_HASH_LEN)
			return vfail(v, PROTO_ERANGE, "tombstone.erased[%zu]: %zu bytes, not %d",
			    i, t->erased[i].len, HB_HASH_LEN);
		for (j = 0; j < i; j++)
			if (memcmp(t->erased[i].data, t->erased[j].data, HB_HASH_LEN) == 0)
				return vfail(v, PROTO_ECOUNT,
				    "tombstone.erased[%zu]: the same digest twice", i);
	}
	return 0;
}

/* Only the center writes matches: that is a trust rule, kept by the store
 * (STORE_ENOTCENTER), like memberships. */
static int
v_match(struct vctx *v, const Hiroba__Match *m)
{
	int	rc;

	if ((rc = ref(v, m->wanted, "match.wanted")) != 0 ||
	    (rc = ref(v, m->offered, "match.offered")) != 0 ||
	    (rc = text(v, m->note, LEN_LONG, "match.note")) != 0)
		return rc;
	return 0;
}

static int
v_meeting(struct vctx *v, const Hiroba__Meeting *m)
{
	char	p[64];
	size_t	i;
	int	rc;

	if ((rc = text_req(v, m->title, LEN_TITLE, "meeting.title")) != 0 ||
	    (rc = text(v, m->agenda, LEN_LONG, "meeting.agenda")) != 0 ||
	    (rc = when(v, m->when, NULL, "meeting")) != 0 ||
	    (rc = where(v, m->where, "meeting")) != 0 ||
	    (rc = text(v, m->minutes, LEN_MINUTES, "meeting.minutes")) != 0 ||
	    (rc = translations(v, m->translations, m->n_translations, "meeting")) != 0)
		return rc;
	if (m->n_invited > 64)
		return vfail(v, PROTO_ECOUNT, "meeting.invited: more than 64");
	for (i = 0; i < m->n_invited; i++) {
		snprintf(p, sizeof(p), "meeting.invited[%zu]", i);
		if ((rc = key(v, &m->invited[i], p)) != 0)
			return rc;
	}
	if (m->n_actions > 32)
		return vfail(v, PROTO_ECOUNT, "meeting.actions: more than 32");
	for (i = 0; i < m->n_actions; i++) {
		snprintf(p, sizeof(p), "meeting.actions[%zu]", i);
		if ((rc = text(v, m->actions[i], LEN_ACTION, p)) != 0)
			return rc;
	}
	return 0;
}

static int
v_reply(struct vctx *v, const Hiroba__Reply *re)
{
	int	rc;

	if ((rc = ref(v, re->meeting, "reply.meeting")) != 0 ||
	    (rc = cap(v, re->has_count, re->count, 1000, "reply.count")) != 0 ||
	    (rc = text(v, re->note, LEN_LONG, "reply.note")) != 0)
		return rc;
	return 0;
}

static int
v_membership(struct vctx *v, const Hiroba__Record *r, bool check_id)
{
	const Hiroba__Membership	*m = r->membership;
	char				 want[sizeof("member/") + 2 * HB_KEY_LEN];
	int				 rc;

	if ((rc = key(v, &m->key, "membership.key")) != 0)
		return rc;
	if (m->has_replaces && (rc = key(v, &m->replaces, "membership.replaces")) != 0)
		return rc;
	if ((rc = text(v, m->name, LEN_TITLE, "membership.name")) != 0)
		return rc;
	if (m->has_kept && (m->status != HIROBA__MEMBER_STATUS__REVOKED ||
	    proto_kept_check(m->kept.data, m->kept.len, m->has_valid_until_seq ?
	    m->valid_until_seq : 0) != 0))
		return vfail(v, PROTO_ERANGE, "membership.kept: only in a revocation, as "
		    "minimal varint ranges within valid_until_seq, at most %d bytes",
		    HB_KEPT_MAX);
	memcpy(want, "member/", 7);
	proto_key_hex(m->key.data, want + 7);
	if (check_id && strcmp(r->id, want) != 0)
		return vfail(v, PROTO_EMEMBERID, "id: a membership's id must be %s", want);
	return 0;
}

int
validate_record(const Hiroba__Record *r, int64_t now, bool check_id, char *err,
    size_t errlen)
{
	struct vctx	 vc = { err, errlen }, *v = &vc;
	int		 rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (check_id && !id_valid(r->id)) {
		rc = vfail(v, PROTO_EID, "id: 1..64 characters of [A-Za-z0-9._/-], "
		    "not starting with / or . (or member/<hex key>)");
		goto out;
	}
	if (r->seq < 1 || r->seq > HB_SEQ_MAX) {
		rc = vfail(v, PROTO_ESEQ, "seq: must be 1 .. 2^53-1");
		goto out;
	}
	if (r->created < HB_EPOCH_MIN) {
		rc = vfail(v, PROTO_ETIME, "created: before 2020-01-01");
		goto out;
	}
	if (r->created > now + HB_FUTURE_SKEW) {
		rc = vfail(v, PROTO_EFUTURE, "created: more than %d seconds in the future",
		    HB_FUTURE_SKEW);
		goto out;
	}
	if (r->has_expires && r->expires <= r->created) {
		rc = vfail(v, PROTO_ETIME, "expires: not after created");
		goto out;
	}
	if (kind_of(r) == HB_KIND_NONE) {
		rc = vfail(v, PROTO_EMISSING, "record: no payload");
		goto out;
	}
	if ((rc = walk(v, &r->base, "")) != 0)
		goto out;
	switch (r->body_case) {
	case HIROBA__RECORD__BODY_PROFILE:
		rc = v_profile(v, r, check_id);
		break;
	case HIROBA__RECORD__BODY_EVENT:
		rc = v_event(v, r->event);
		break;
	case HIROBA__RECORD__BODY_PLACE:
		rc = v_place(v, r->place);
		break;
	case HIROBA__RECORD__BODY_VOLUNTEER:
		rc = v_volunteer(v, r->volunteer);
		break;
	case HIROBA__RECORD__BODY_MEETING:
		rc = v_meeting(v, r->meeting);
		break;
	case HIROBA__RECORD__BODY_REPLY:
		rc = v_reply(v, r->reply);
		break;
	case HIROBA__RECORD__BODY_MEMBERSHIP:
		rc = v_membership(v, r, check_id);
		break;
	case HIROBA__RECORD__BODY_TOMBSTONE:
		rc = v_tombstone(v, r->tombstone);
		break;
	case HIROBA__RECORD__BODY_MATCH:
		rc = v_match(v, r->match);
		break;
	default:
		rc = vfail(v, PROTO_EMISSING, "record: no payload");
		break;
	}
out:
	return rc;
}
