/* SPDX-License-Identifier: ISC */
/*
 * http: the read-only web page and feeds (see http.h). Records come from other groups,
 * so everything is serialized with escaping (jansson for JSON, RFC 5545 rules for ICS,
 * Prometheus label rules for /metrics) and the page builds its DOM with textContent.
 */
#define _GNU_SOURCE	/* memmem */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "hirobad.h"
#include "http.h"
#include "log.h"

#define JST			(9 * 3600)	/* Asia/Tokyo, no DST since 1951 */
#define HTTP_DAYS_AHEAD		180	/* /events.json: the calendar's horizon */
#define HTTP_OCC_SHOWN		60	/* occurrences listed per event */
#define HTTP_ICS_PAST		(90 * 86400)	/* /events.ics keeps recent events */
#define HTTP_ICS_AHEAD		(4 * 366 * 86400LL)
#define HTTP_THREADS		4	/* MHD's pool */
#define HTTP_HITS_MAX		20000	/* hits taken per request */
#define HTTP_GROUP_MAX		5000	/* of them, from one group (60 weekly events a year) */
#define HTTP_SCAN_MAX		200000	/* hits looked at per request */
#define HTTP_STATIC_MAX		(16 << 20)
#define JSON_FLAGS		(JSON_COMPACT | JSON_REAL_PRECISION(10))

struct http_peer {
	char		*name;
	bool		 up;
	uint64_t	 behind;	/* records it holds that we do not */
	uint64_t	 rejected;
	int64_t		 last_contact;
};

/* What the main loop last told us, under lock. */
struct http_snap {
	struct http_peer *peers;
	size_t		  npeers;
	struct node_reject rejects[NODE_REJECT_MAX];
	size_t		  nrejects;
	uint64_t	  rejected;
};

/*
 * Feeds cached per store version: /events.ics of 20,000 events took 1.1 s to build, and
 * four clients looping on it pushed /healthz to several seconds. An entry serves while
 * the store has not changed and for at most HTTP_CACHE_SECONDS (the feeds list what is
 * upcoming, so they age with the clock too).
 */
#define HTTP_CACHE_SLOTS	6
#define HTTP_CACHE_SECONDS	60
#define HTTP_CACHE_MAX		(32 << 20)	/* bytes of one cached body */

struct http_cached {
	char		*key;		/* url?lang */
	char		*body;
	size_t		 len;
	const char	*ctype;
	uint64_t	 version;
	int64_t		 at;
};

struct http {
	struct MHD_Daemon *mhd;
	struct store	*st;
	const struct conf *conf;
	uint8_t		 self[HB_KEY_LEN];
	int64_t		 started;
	char		*csp;
	pthread_mutex_t	 lock;		/* snap and cache: the pool's threads share them */
	struct http_snap snap;
	struct http_cached cache[HTTP_CACHE_SLOTS];
	unsigned	 cache_next;
};

/* ---- small helpers ---- */

static void
snap_clear(struct http_snap *s)
{
	size_t	 i;

	for (i = 0; i < s->npeers; i++)
		free(s->peers[i].name);
	free(s->peers);
	memset(s, 0, sizeof(*s));
}

/* YYYYMMDD of the day after date */
static int64_t
date_next(int64_t date)
{
	struct tm	 tm;
	time_t		 t;

	t = (time_t)(proto_days_from_civil(date / 10000, (unsigned)(date / 100 % 100),
	    (unsigned)(date % 100)) + 1) * 86400;
	gmtime_r(&t, &tm);
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static struct tm
jst(int64_t t)
{
	struct tm	 tm;
	time_t		 lt = (time_t)(t + JST);

	gmtime_r(&lt, &tm);
	return tm;
}

static json_t *
jget(json_t *o, const char *k)
{
	return json_object_get(o, k);
}

static int64_t
jint(json_t *o, const char *k, int64_t dflt)
{
	json_t	*v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));	/* NULL if absent */
}

static void
jcopy(json_t *dst, json_t *src, const char *k)
{
	json_t	*v = json_object_get(src, k);

	if (v != NULL)
		json_object_set(dst, k, v);
}

static bool
lang_ok(const char *l)
{
	size_t	 n;

	if (l == NULL)
		return false;
	n = strlen(l);
	return n > 0 && n <= 35 && strspn(l, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/*
 * A stored envelope as the record's JSON form (PROTOCOL.md section 9), parsed. The
 * store verified it when it came in; validation runs again, with a clock that no
 * creation time can be ahead of. NULL if it does not open (never expected).
 */
static json_t *
record_json(const uint8_t *env, size_t len)
{
	struct hb_record *r = NULL;
	char		*s = NULL;
	json_t		*root = NULL;

	if (proto_open_verified(env, len, INT64_MAX / 2, &r) != 0)
		goto out;
	if ((s = proto_record_to_json(r, 0)) == NULL)
		goto out;
	root = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
out:
	free(s);
	hb_record_free(&r);
	return root;
}

/* ---- group names ---- */

static int
name_member(const struct hb_member *m, void *arg)
{
	char	 hex[HB_KEYHEX_LEN];

	proto_key_hex(m->key, hex);
	if (m->name[0] != '\0')
		json_object_set_new(arg, hex, json_string(m->name));
	return 0;
}

static int
name_profile(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	json_t		*root = record_json(env, len);
	const char	*author = jstr(root, "author");
	const char	*name = jstr(jget(root, "profile"), "name");

	if (author != NULL && name != NULL)
		json_object_set_new(arg, author, json_string(name));
	json_decref(root);
	return 0;
}

/* hex key -> group name: what the center's membership records call the group, else its
 * own profile's name; ours from the config. */
static json_t *
group_names(struct http *h)
{
	struct store_query q = { .kind = HB_PROFILE, .limit = HTTP_HITS_MAX };
	json_t	*names = json_object();
	char	 hex[HB_KEYHEX_LEN];

	if (names == NULL)
		return NULL;
	query_live(h->st, &q, name_profile, names);
	store_members(h->st, name_member, names);
	proto_key_hex(h->self, hex);
	json_object_set_new(names, hex, json_string(h->conf->name));
	return names;
}

static json_t *
group_of(json_t *names, const char *hex)
{
	uint8_t	 key[HB_KEY_LEN];
	char	 fpr[HB_FPR_LEN];
	json_t	*n = json_object_get(names, hex);

	if (n != NULL)
		return json_incref(n);
	if (hex == NULL || proto_key_parse(hex, key) != 0)
		return json_string("?");
	proto_fingerprint(key, fpr);
	return json_string(fpr);
}

/* ---- /events.json ---- */

/*
 * No group displaces another: a feed or listing takes at most HTTP_GROUP_MAX hits of
 * one group (20,001 early events of one member once hid the center's event, the feeds
 * stopping at 20,000 hits), at most HTTP_HITS_MAX in all, and looks at no more than
 * HTTP_SCAN_MAX hits to find them.
 */
struct share {
	json_t		*count;		/* author hex -> hits taken */
	size_t		 scanned, taken;
};

/* 0: take this hit; -1: skip it (its group has its share); 1: stop. */
static int
share_take(struct share *s, const uint8_t *env, size_t len)
{
	char		 hex[HB_KEYHEX_LEN];
	json_int_t	 n;

	if (++s->scanned > HTTP_SCAN_MAX || s->taken >= HTTP_HITS_MAX)
		return 1;
	if (len < 2 + HB_KEY_LEN || (s->count == NULL && (s->count = json_object()) == NULL))
		return -1;
	proto_key_hex(env + 2, hex);
	n = json_integer_value(json_object_get(s->count, hex));
	if (n >= HTTP_GROUP_MAX)
		return -1;
	json_object_set_new(s->count, hex, json_integer(n + 1));
	s->taken++;
	return 0;
}

struct evcol {
	struct http	*h;
	json_t		*names;
	json_t		*list;		/* events, in order of their next occurrence */
	json_t		*byid;		/* "author/id" -> the event's object in list */
	struct share	 share;
};

static json_t *
point_json(json_t *p)
{
	if (!json_is_object(p))
		return NULL;
	return json_pack("[f,f]", (double)jint(p, "lon_e7", 0) / 1e7,
	    (double)jint(p, "lat_e7", 0) / 1e7);
}

/* The support-map entry an event takes place at: name, address and point. */
static json_t *
place_ref(struct http *h, json_t *ref)
{
	uint8_t		 key[HB_KEY_LEN], *env = NULL;
	size_t		 len;
	const char	*author = jstr(ref, "author"), *id = jstr(ref, "id");
	json_t		*root = NULL, *pl, *out = NULL;

	if (author == NULL || id == NULL || proto_key_parse(author, key) != 0)
		return NULL;
	if (store_get(h->st, key, id, &env, &len) != 0)
		goto out;
	if ((root = record_json(env, len)) == NULL ||
	    (pl = jget(root, "place")) == NULL)
		goto out;
	out = json_object();
	json_object_set_new(out, "author", json_string(author));
	json_object_set_new(out, "id", json_string(id));
	jcopy(out, pl, "name");
	jcopy(out, pl, "translations");
	jcopy(out, pl, "address");
	json_object_set_new(out, "point", point_json(jget(pl, "point")));
out:
	json_decref(root);
	free(env);
	return out;
}

/* An event's public fields. Whitelisted: a field added to the schema later stays out of
 * the page until someone decides it belongs there. */
static json_t *
event_json(struct http *h, json_t *names, json_t *root)
{
	json_t		*ev = jget(root, "event"), *o, *w, *wo;
	const char	*author = jstr(root, "author"), *id = jstr(root, "id");
	char		 ics[HB_KEYHEX_LEN + HB_ID_MAX + 16];
	int64_t		 cap, reg;

	if (ev == NULL || author == NULL || id == NULL || (o = json_object()) == NULL)
		return NULL;
	json_object_set_new(o, "author", json_string(author));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "group", group_of(names, author));
	jcopy(o, root, "seq");
	jcopy(o, root, "created");
	jcopy(o, ev, "title");
	jcopy(o, ev, "description");
	jcopy(o, ev, "translations");
	jcopy(o, ev, "category");
	jcopy(o, ev, "audience");
	jcopy(o, ev, "languages");
	jcopy(o, ev, "age_min_months");
	jcopy(o, ev, "age_max_months");
	jcopy(o, ev, "fee_yen");
	jcopy(o, ev, "contact");
	json_object_set_new(o, "cancelled", json_boolean(json_is_true(jget(ev, "cancelled"))));
	json_object_set_new(o, "all_day",
	    json_boolean(json_is_true(jget(jget(ev, "when"), "all_day"))));
	json_object_set_new(o, "recurring", json_boolean(jget(ev, "recurrence") != NULL));
	cap = jint(ev, "capacity", -1);
	reg = jint(ev, "registered", 0);
	if (cap >= 0) {
		json_object_set_new(o, "capacity", json_integer(cap));
		json_object_set_new(o, "registered", json_integer(reg));
		json_object_set_new(o, "places_left", json_integer(cap > reg ? cap - reg : 0));
	}
	if ((w = jget(ev, "where")) != NULL) {
		wo = json_object();
		jcopy(wo, w, "text");
		if (jget(w, "point") != NULL)
			json_object_set_new(wo, "point", point_json(jget(w, "point")));
		/* the bare Ref: events_json resolves it once the query is over */
		jcopy(wo, w, "place");
		json_object_set_new(o, "where", wo);
	}
	snprintf(ics, sizeof(ics), "/events/%s/%s.ics", author, id);
	json_object_set_new(o, "ics", json_string(ics));
	json_object_set_new(o, "occurrences", json_array());
	return o;
}

static int
event_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	int		 take;
	struct evcol	*c = arg;
	json_t		*root, *o, *occ;
	char		 key[HB_KEYHEX_LEN + HB_ID_MAX + 2];

	if ((take = share_take(&c->share, env, len)) != 0)
		return take > 0;
	if ((root = record_json(env, len)) == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s/%s", jstr(root, "author") ? jstr(root, "author") : "",
	    jstr(root, "id") ? jstr(root, "id") : "");
	if ((o = json_object_get(c->byid, key)) == NULL) {
		if ((o = event_json(c->h, c->names, root)) == NULL) {
			json_decref(root);
			return 0;
		}
		json_array_append_new(c->list, o);
		json_object_set(c->byid, key, o);
	}
	json_decref(root);
	occ = json_object_get(o, "occurrences");
	if (json_array_size(occ) < HTTP_OCC_SHOWN)
		json_array_append_new(occ, json_pack("{s:I,s:I}", "start", (json_int_t)start,
		    "end", (json_int_t)end));
	return 0;
}

static json_t *
events_json(struct http *h, int64_t now)
{
	struct store_query q = { 0 };
	struct evcol	 c = { .h = h };
	json_t		*out = NULL, *ev, *w, *pl;
	size_t		 i;
	int		 rc;

	c.names = group_names(h);
	c.list = json_array();
	c.byid = json_object();
	if (c.names == NULL || c.list == NULL || c.byid == NULL)
		goto out;
	q.kind = HB_EVENT;
	q.from = now;
	q.to = now + HTTP_DAYS_AHEAD * 86400LL;
	if ((rc = query_live(h->st, &q, event_hit, &c)) != 0 && rc != 1) {
		log_warnx("http: events: %s", store_strerror(rc));
		goto out;
	}
	/* outside the query's read transaction: one store read at a time per thread */
	json_array_foreach(c.list, i, ev) {
		w = jget(ev, "where");
		if (jget(w, "place") == NULL)
			continue;
		if ((pl = place_ref(h, jget(w, "place"))) != NULL)
			json_object_set_new(w, "place", pl);
		else
			json_object_del(w, "place");
	}
	out = json_pack("{s:I,s:I,s:I,s:O}", "generated", (json_int_t)now, "from",
	    (json_int_t)q.from, "to", (json_int_t)q.to, "events", c.list);
out:
	json_decref(c.names);
	json_decref(c.list);
	json_decref(c.byid);
	json_decref(c.share.count);
	return out;
}

/* ---- /map.geojson (RFC 7946) and /volunteers.json ---- */

struct listcol {
	struct http	*h;
	json_t		*names;
	json_t		*list;
	struct share	 share;
};

static int
place_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	int		 take;
	struct listcol	*c = arg;
	json_t		*root, *pl, *props, *tags, *t, *f;
	const char	*author, *id, *k, *v;
	char		 fid[HB_KEYHEX_LEN + HB_ID_MAX + 2];
	size_t		 i;

	if ((take = share_take(&c->share, env, len)) != 0)
		return take > 0;
	if ((root = record_json(env, len)) == NULL)
		return 0;
	author = jstr(root, "author");
	id = jstr(root, "id");
	if ((pl = jget(root, "place")) == NULL || author == NULL || id == NULL) {
		json_decref(root);
		return 0;
	}
	props = json_object();
	jcopy(props, pl, "name");
	jcopy(props, pl, "description");
	tags = json_object();
	json_array_foreach(jget(pl, "tags"), i, t)
		if ((k = jstr(t, "key")) != NULL && (v = jstr(t, "value")) != NULL)
			json_object_set_new(tags, k, json_string(v));
	json_object_set_new(props, "tags", tags);
	jcopy(props, pl, "address");
	jcopy(props, pl, "opening_hours");
	json_object_set_new(props, "group", group_of(c->names, author));
	jcopy(props, pl, "translations");
	jcopy(props, pl, "notes");
	jcopy(props, pl, "age_min_months");
	jcopy(props, pl, "age_max_months");
	json_object_set_new(props, "author", json_string(author));
	json_object_set_new(props, "id", json_string(id));
	snprintf(fid, sizeof(fid), "%s/%s", author, id);
	f = json_pack("{s:s,s:s,s:{s:s,s:o},s:o}", "type", "Feature", "id", fid,
	    "geometry", "type", "Point", "coordinates", point_json(jget(pl, "point")),
	    "properties", props);
	if (f != NULL)
		json_array_append_new(c->list, f);
	json_decref(root);
	return 0;
}

static int
volunteer_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	int		 take;
	struct listcol	*c = arg;
	json_t		*root, *vo, *o, *wins, *w, *wo;
	const char	*author, *id;
	size_t		 i;

	if ((take = share_take(&c->share, env, len)) != 0)
		return take > 0;
	if ((root = record_json(env, len)) == NULL)
		return 0;
	author = jstr(root, "author");
	id = jstr(root, "id");
	if ((vo = jget(root, "volunteer")) == NULL || author == NULL || id == NULL) {
		json_decref(root);
		return 0;
	}
	/* Whitelisted: contact_sealed (a person's contact, for the center) never leaves. */
	o = json_object();
	json_object_set_new(o, "author", json_string(author));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "group", group_of(c->names, author));
	jcopy(o, root, "created");
	jcopy(o, vo, "kind");
	jcopy(o, vo, "status");
	jcopy(o, vo, "title");
	jcopy(o, vo, "description");
	jcopy(o, vo, "translations");
	jcopy(o, vo, "skills");
	jcopy(o, vo, "area");
	jcopy(o, vo, "people");
	wins = json_array();
	json_array_foreach(jget(vo, "windows"), i, w) {
		wo = json_object();
		jcopy(wo, w, "start");
		jcopy(wo, w, "end");
		jcopy(wo, w, "weekdays");
		jcopy(wo, w, "from_minute");
		jcopy(wo, w, "to_minute");
		json_array_append_new(wins, wo);
	}
	json_object_set_new(o, "windows", wins);
	json_array_append_new(c->list, o);
	json_decref(root);
	return 0;
}

static json_t *
list_query(struct http *h, int kind, const char *term, store_hit_cb cb)
{
	struct store_query q = { 0 };
	struct listcol	 c = { .h = h };
	json_t		*out = NULL;
	int		 rc;

	c.names = group_names(h);
	c.list = json_array();
	if (c.names == NULL || c.list == NULL)
		goto out;
	q.kind = kind;
	if (term != NULL) {
		q.terms[0] = term;
		q.nterms = 1;
	}
	if ((rc = query_live(h->st, &q, cb, &c)) != 0 && rc != 1) {
		log_warnx("http: %s: %s", proto_kind_name(kind), store_strerror(rc));
		goto out;
	}
	out = json_incref(c.list);
out:
	json_decref(c.names);
	json_decref(c.list);
	json_decref(c.share.count);
	return out;
}

/* ---- iCalendar (RFC 5545) ---- */

/* One content line, folded at 75 octets without splitting a UTF-8 sequence. */
static void
ics_line(FILE *f, const char *s)
{
	size_t	 len = strlen(s), col = 0, cl;

	while (len > 0) {
		cl = 1;
		while (cl < len && ((unsigned char)s[cl] & 0xC0) == 0x80)
			cl++;
		if (col + cl > 75) {
			fputs("\r\n ", f);
			col = 1;
		}
		fwrite(s, 1, cl, f);
		col += cl;
		s += cl;
		len -= cl;
	}
	fputs("\r\n", f);
}

/* NAME:TEXT with TEXT escaped (section 3.3.11). */
static void
ics_text(FILE *f, const char *name, const char *text)
{
	char	*line, *p;
	size_t	 nl = strlen(name), tl;

	if (text == NULL || *text == '\0')
		return;
	tl = strlen(text);
	if ((line = malloc(nl + 2 * tl + 2)) == NULL)
		return;
	memcpy(line, name, nl);
	p = line + nl;
	*p++ = ':';
	for (; *text != '\0'; text++) {
		switch (*text) {
		case '\\': case ';': case ',':
			*p++ = '\\';
			*p++ = *text;
			break;
		case '\n':
			*p++ = '\\';
			*p++ = 'n';
			break;
		case '\r':
			break;
		default:
			*p++ = *text;
		}
	}
	*p = '\0';
	ics_line(f, line);
	free(line);
}

static void
ics_fmt(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ics_fmt(FILE *f, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ics_line(f, buf);
}

static void
fmt_local(char *buf, size_t len, int64_t t)
{
	struct tm tm = jst(t);

	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
fmt_utc(char *buf, size_t len, int64_t t)
{
	struct tm	 tm;
	time_t		 ut = (time_t)t;

	gmtime_r(&ut, &tm);
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
ics_begin(FILE *f, const struct conf *conf)
{
	ics_line(f, "BEGIN:VCALENDAR");
	ics_line(f, "VERSION:2.0");
	ics_line(f, "PRODID:-//hiroba//hirobad " HIROBA_VERSION "//JA");
	ics_line(f, "CALSCALE:GREGORIAN");
	ics_line(f, "METHOD:PUBLISH");
	ics_text(f, "X-WR-CALNAME", conf->http.title);
	ics_line(f, "X-WR-TIMEZONE:Asia/Tokyo");
	/* Japan has a fixed offset: one STANDARD block is the whole zone. */
	ics_line(f, "BEGIN:VTIMEZONE");
	ics_line(f, "TZID:Asia/Tokyo");
	ics_line(f, "BEGIN:STANDARD");
	ics_line(f, "DTSTART:19700101T000000");
	ics_line(f, "TZOFFSETFROM:+0900");
	ics_line(f, "TZOFFSETTO:+0900");
	ics_line(f, "TZNAME:JST");
	ics_line(f, "END:STANDARD");
	ics_line(f, "END:VTIMEZONE");
}

static const struct {
	const char	*name, *ja, *en;
} categories[] = {
	{ "pre_parent", "プレママ・プレパパ", "For expecting parents" },
	{ "father", "父親向けプログラム", "For fathers" },
	{ "play_space", "親子のひろば", "Play space" },
	{ "consultation", "子育て相談", "Consultation" },
	{ "supporter_training", "支援者研修", "Supporter training" },
	{ "network_meeting", "ネットワーク会議", "Network meeting" },
	{ "support_system", "子育てサポートシステム", "Childcare support system" },
	{ "other_category", "その他", "Other" },
};

static const char *
category_label(const char *name, const char *lang)
{
	size_t	 i;

	for (i = 0; name != NULL && i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(categories[i].name, name) == 0)
			return lang != NULL && strcmp(lang, "ja") != 0 ? categories[i].en :
			    categories[i].ja;
	return NULL;
}

/* The translation of ev for lang, or NULL. */
static json_t *
translation(json_t *ev, const char *lang)
{
	json_t		*t;
	size_t		 i;
	const char	*l;

	if (lang == NULL)
		return NULL;
	json_array_foreach(jget(ev, "translations"), i, t)
		if ((l = jstr(t, "lang")) != NULL && strcasecmp(l, lang) == 0)
			return t;
	return NULL;
}

static void
ics_event(FILE *f, struct http *h, json_t *names, json_t *root, const char *lang)
{
	json_t		*ev = jget(root, "event"), *when, *rec, *w, *tr, *x, *g, *pl = NULL;
	const char	*author = jstr(root, "author"), *id = jstr(root, "id"), *s;
	const char	*title, *desc, *freq;
	bool		 ad;
	int64_t		 start, end, until;
	char		 a[80], b[80], *line = NULL, lp[48];
	size_t		 i, cap = 0, n;
	struct tm	 tm;
	static const char *const wd[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

	if (ev == NULL || author == NULL || id == NULL || (when = jget(ev, "when")) == NULL)
		return;
	ad = json_is_true(jget(when, "all_day"));
	start = jint(when, "start", 0);
	end = jint(when, "end", 0);
	ics_line(f, "BEGIN:VEVENT");
	ics_fmt(f, "UID:%s@%s", id, author);
	fmt_utc(a, sizeof(a), jint(root, "created", 0));
	ics_fmt(f, "DTSTAMP:%s", a);
	ics_fmt(f, "LAST-MODIFIED:%s", a);
	/* seq grows with every version the author signs: a valid SEQUENCE */
	/* RFC 5545 INTEGER is 32-bit signed: higher seqs (up to 2^53-1) stay at the top */
	ics_fmt(f, "SEQUENCE:%lld", (long long)(jint(root, "seq", 0) > INT32_MAX ?
	    INT32_MAX : jint(root, "seq", 0)));
	if (ad) {
		ics_fmt(f, "DTSTART;VALUE=DATE:%08lld", (long long)start);
		ics_fmt(f, "DTEND;VALUE=DATE:%08lld", (long long)date_next(end));
	} else {
		fmt_local(a, sizeof(a), start);
		fmt_local(b, sizeof(b), end);
		ics_fmt(f, "DTSTART;TZID=Asia/Tokyo:%s", a);
		ics_fmt(f, "DTEND;TZID=Asia/Tokyo:%s", b);
	}
	if ((rec = jget(ev, "recurrence")) != NULL) {
		freq = strcmp(jstr(rec, "freq") ? jstr(rec, "freq") : "", "monthly") == 0 ?
		    "MONTHLY" : "WEEKLY";
		until = jint(rec, "until", start);
		if (ad)
			snprintf(a, sizeof(a), "%08lld", (long long)until);
		else
			fmt_utc(a, sizeof(a), until);
		b[0] = '\0';
		if (strcmp(freq, "MONTHLY") == 0 && json_is_true(jget(rec, "by_weekday"))) {
			if (ad) {
				tm = jst(proto_days_from_civil(start / 10000,
				    (unsigned)(start / 100 % 100), (unsigned)(start % 100)) *
				    86400 - JST);
			} else {
				tm = jst(start);
			}
			snprintf(b, sizeof(b), ";BYDAY=%d%s", (tm.tm_mday - 1) / 7 + 1,
			    wd[tm.tm_wday]);
		}
		ics_fmt(f, "RRULE:FREQ=%s;INTERVAL=%lld;UNTIL=%s%s", freq,
		    (long long)jint(rec, "interval", 1), a, b);
		n = json_array_size(jget(rec, "exceptions"));
		if (n > 0 && (line = malloc(cap = 40 + n * 20)) != NULL) {
			snprintf(line, cap, "%s", ad ? "EXDATE;VALUE=DATE:" :
			    "EXDATE;TZID=Asia/Tokyo:");
			json_array_foreach(jget(rec, "exceptions"), i, x) {
				if (ad)
					snprintf(a, sizeof(a), "%08lld",
					    (long long)json_integer_value(x));
				else
					fmt_local(a, sizeof(a), json_integer_value(x));
				if (i > 0)
					strcat(line, ",");
				strcat(line, a);
			}
			ics_line(f, line);
			free(line);
		}
	}
	title = jstr(ev, "title");
	desc = jstr(ev, "description");
	snprintf(lp, sizeof(lp), "SUMMARY;LANGUAGE=ja");
	if ((tr = translation(ev, lang)) != NULL) {
		title = jstr(tr, "title") ? jstr(tr, "title") : title;
		desc = jstr(tr, "description") ? jstr(tr, "description") : desc;
		if (jstr(tr, "title") != NULL)
			snprintf(lp, sizeof(lp), "SUMMARY;LANGUAGE=%s", jstr(tr, "lang"));
	}
	ics_text(f, lp, title);
	ics_text(f, "DESCRIPTION", desc);
	if ((w = jget(ev, "where")) != NULL) {
		if (jget(w, "place") != NULL)
			pl = place_ref(h, jget(w, "place"));
		if ((s = jstr(w, "text")) == NULL && pl != NULL)
			s = jstr(pl, "name");
		ics_text(f, "LOCATION", s);
		/* GEO is lat;lon. where.point is the record's own; else the place's */
		if ((x = jget(w, "point")) != NULL)
			ics_fmt(f, "GEO:%.7f;%.7f", jint(x, "lat_e7", 0) / 1e7,
			    jint(x, "lon_e7", 0) / 1e7);
		else if (pl != NULL && json_is_array(x = jget(pl, "point")))
			ics_fmt(f, "GEO:%.7f;%.7f", json_real_value(json_array_get(x, 1)),
			    json_real_value(json_array_get(x, 0)));
		json_decref(pl);
	}
	ics_text(f, "CATEGORIES", category_label(jstr(ev, "category"), lang));
	ics_text(f, "CONTACT", jstr(ev, "contact"));
	g = group_of(names, author);
	ics_text(f, "X-HIROBA-GROUP", json_string_value(g));
	json_decref(g);
	ics_line(f, json_is_true(jget(ev, "cancelled")) ? "STATUS:CANCELLED" :
	    "STATUS:CONFIRMED");
	ics_line(f, "TRANSP:OPAQUE");
	ics_line(f, "END:VEVENT");
}

struct icscol {
	json_t		*seen;		/* "author/id" -> true */
	json_t		*list;		/* the records, in order */
	struct share	 share;
};

static int
ics_hit(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	int		 take;
	struct icscol	*c = arg;
	json_t		*root;
	char		 key[HB_KEYHEX_LEN + HB_ID_MAX + 2];

	if ((take = share_take(&c->share, env, len)) != 0)
		return take > 0;
	if ((root = record_json(env, len)) == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s/%s", jstr(root, "author") ? jstr(root, "author") : "",
	    jstr(root, "id") ? jstr(root, "id") : "");
	if (json_object_get(c->seen, key) == NULL) {
		json_object_set_new(c->seen, key, json_true());
		json_array_append(c->list, root);
	}
	json_decref(root);
	return 0;
}

/* The whole calendar (author NULL), or one event. *out is malloc'd; 0, or 404/500. */
static int
ics_build(struct http *h, const uint8_t *author, const char *id, const char *lang,
    char **out, size_t *outlen)
{
	struct store_query q = { 0 };
	struct icscol	 c = { 0 };
	uint8_t		*env = NULL;
	size_t		 len, i;
	json_t		*root = NULL, *names = NULL, *ev;
	FILE		*f = NULL;
	int		 status = 500, rc;
	int64_t		 now = node_now();

	*out = NULL;
	names = group_names(h);
	c.seen = json_object();
	c.list = json_array();
	if (names == NULL || c.seen == NULL || c.list == NULL)
		goto out;
	if (author == NULL) {
		q.kind = HB_EVENT;
		q.from = now - HTTP_ICS_PAST;
		q.to = now + HTTP_ICS_AHEAD;
		if ((rc = query_live(h->st, &q, ics_hit, &c)) != 0 && rc != 1) {
			log_warnx("http: events.ics: %s", store_strerror(rc));
			goto out;
		}
	} else {
		status = 404;
		if (store_get(h->st, author, id, &env, &len) != 0 ||
		    (root = record_json(env, len)) == NULL || jget(root, "event") == NULL)
			goto out;
		json_array_append_new(c.list, root);
		root = NULL;
		status = 500;
	}
	/* written after the query: ics_event reads the store for places */
	if ((f = open_memstream(out, outlen)) == NULL)
		goto out;
	ics_begin(f, h->conf);
	json_array_foreach(c.list, i, ev)
		ics_event(f, h, names, ev, lang);
	ics_line(f, "END:VCALENDAR");
	status = 0;
out:
	if (f != NULL && fclose(f) != 0 && status == 0)
		status = 500;
	if (status != 0) {
		free(*out);
		*out = NULL;
	}
	json_decref(root);
	json_decref(names);
	json_decref(c.seen);
	json_decref(c.list);
	json_decref(c.share.count);
	free(env);
	return status;
}

/* ---- /metrics (Prometheus text format 0.0.4) ---- */

static void
label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f), fputc(*s, f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static int
metrics_build(struct http *h, char **out, size_t *outlen)
{
	struct store_stats st;
	FILE		*f;
	size_t		 i, up = 0;
	int		 k, rc;

	if ((rc = store_stats(h->st, &st)) != 0)
		return rc;
	if ((f = open_memstream(out, outlen)) == NULL)
		return errno;
	fputs("# HELP hiroba_records Current records held, per kind.\n"
	    "# TYPE hiroba_records gauge\n", f);
	for (k = 1; k <= HB_KIND_MAX; k++)
		fprintf(f, "hiroba_records{kind=\"%s\"} %llu\n", proto_kind_name(k),
		    (unsigned long long)st.kinds[k]);
	fprintf(f, "# HELP hiroba_authors Groups whose records are held.\n"
	    "# TYPE hiroba_authors gauge\nhiroba_authors %llu\n"
	    "# HELP hiroba_store_used_bytes Bytes in use in the LMDB map.\n"
	    "# TYPE hiroba_store_used_bytes gauge\nhiroba_store_used_bytes %zu\n"
	    "# HELP hiroba_store_map_bytes Size of the LMDB map.\n"
	    "# TYPE hiroba_store_map_bytes gauge\nhiroba_store_map_bytes %zu\n"
	    "# HELP hiroba_start_time_seconds When this hirobad started, unix time.\n"
	    "# TYPE hiroba_start_time_seconds gauge\nhiroba_start_time_seconds %lld\n",
	    (unsigned long long)st.authors, st.used, st.mapsize, (long long)h->started);

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->snap.npeers; i++)
		up += h->snap.peers[i].up;
	fprintf(f, "# HELP hiroba_peers Peers known (configured or connected to us).\n"
	    "# TYPE hiroba_peers gauge\nhiroba_peers %zu\n"
	    "# HELP hiroba_peers_connected Peers with a working link.\n"
	    "# TYPE hiroba_peers_connected gauge\nhiroba_peers_connected %zu\n",
	    h->snap.npeers, up);
	fputs("# HELP hiroba_peer_up Whether the link to a peer works.\n"
	    "# TYPE hiroba_peer_up gauge\n", f);
	for (i = 0; i < h->snap.npeers; i++) {
		fputs("hiroba_peer_up{peer=\"", f);
		label_value(f, h->snap.peers[i].name);
		fprintf(f, "\"} %d\n", h->snap.peers[i].up ? 1 : 0);
	}
	fputs("# HELP hiroba_peer_behind Records a peer said it holds that we do not yet "
	    "(sync lag).\n# TYPE hiroba_peer_behind gauge\n", f);
	for (i = 0; i < h->snap.npeers; i++) {
		fputs("hiroba_peer_behind{peer=\"", f);
		label_value(f, h->snap.peers[i].name);
		fprintf(f, "\"} %llu\n", (unsigned long long)h->snap.peers[i].behind);
	}
	fputs("# HELP hiroba_peer_last_contact_seconds Last message from a peer, unix "
	    "time.\n# TYPE hiroba_peer_last_contact_seconds gauge\n", f);
	for (i = 0; i < h->snap.npeers; i++) {
		if (h->snap.peers[i].last_contact == 0)
			continue;
		fputs("hiroba_peer_last_contact_seconds{peer=\"", f);
		label_value(f, h->snap.peers[i].name);
		fprintf(f, "\"} %lld\n", (long long)h->snap.peers[i].last_contact);
	}
	fputs("# HELP hiroba_rejected_records_total Records refused, by reason.\n"
	    "# TYPE hiroba_rejected_records_total counter\n", f);
	for (i = 0; i < h->snap.nrejects; i++) {
		fputs("hiroba_rejected_records_total{reason=\"", f);
		label_value(f, h->snap.rejects[i].reason);
		fprintf(f, "\"} %llu\n", (unsigned long long)h->snap.rejects[i].count);
	}
	pthread_mutex_unlock(&h->lock);
	return fclose(f) == 0 ? 0 : errno;
}

/* ---- answering ---- */

static enum MHD_Result
reply(struct http *h, struct MHD_Connection *conn, unsigned status,
    struct MHD_Response *r, const char *ctype, bool cors)
{
	enum MHD_Result	 ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, "Content-Security-Policy", h->csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (cors)
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* buf is handed over (freed by MHD) */
static enum MHD_Result
reply_buf(struct http *h, struct MHD_Connection *conn, unsigned status, char *buf,
    size_t len, const char *ctype, bool cors)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(buf);
	return reply(h, conn, status, r, ctype, cors);
}

static enum MHD_Result
reply_text(struct http *h, struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_MUST_COPY);
	return reply(h, conn, status, r, "text/plain; charset=utf-8", false);
}

/* j is consumed */
static enum MHD_Result
reply_json(struct http *h, struct MHD_Connection *conn, json_t *j, const char *ctype)
{
	char	*s;

	if (j == NULL)
		return reply_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
	s = json_dumps(j, JSON_FLAGS);
	json_decref(j);
	if (s == NULL)
		return reply_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
	return reply_buf(h, conn, MHD_HTTP_OK, s, strlen(s), ctype, true);
}

static const struct {
	const char	*ext, *ctype;
} static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".png", "image/png" },
	{ ".svg", "image/svg+xml" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json" },
	{ ".txt", "text/plain; charset=utf-8" },
};

/* A file of the page, below <static>/static/. Only plain names of known types: no
 * "..", no dot files, no symlinks at the end. */
static enum MHD_Result
serve_static(struct http *h, struct MHD_Connection *conn, const char *rel)
{
	const char	*ctype = NULL, *dot, *seg;
	char		 path[4096];
	struct stat	 sb;
	size_t		 i;
	int		 fd;
	struct MHD_Response *r;

	if (*rel == '\0' || strlen(rel) > 200 ||
	    strspn(rel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")
	    != strlen(rel))
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	for (seg = rel; seg != NULL; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL)
		if (*seg == '.' || *seg == '/' || *seg == '\0')	/* dot file, empty */
			return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	if ((dot = strrchr(rel, '.')) != NULL)
		for (i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++)
			if (strcmp(dot, static_types[i].ext) == 0)
				ctype = static_types[i].ctype;
	if (ctype == NULL)
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	snprintf(path, sizeof(path), "%s/static/%s", h->conf->http.static_dir, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > HTTP_STATIC_MAX) {
		close(fd);
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	if ((r = MHD_create_response_from_fd((size_t)sb.st_size, fd)) == NULL)
		close(fd);	/* else MHD closes it */
	return reply(h, conn, MHD_HTTP_OK, r, ctype, false);
}

static enum MHD_Result
serve_config(struct http *h, struct MHD_Connection *conn)
{
	const struct conf_http *c = &h->conf->http;

	return reply_json(h, conn, json_pack("{s:s,s:s,s:s,s:s,s:s}", "title", c->title,
	    "group", h->conf->name, "tiles", c->tiles, "attribution", c->attribution,
	    "version", HIROBA_VERSION), "application/json");
}

/* /events/<64 hex>/<id>.ics */
static enum MHD_Result
serve_event_ics(struct http *h, struct MHD_Connection *conn, const char *rest,
    const char *lang)
{
	char		 hex[HB_KEYHEX_LEN], id[HB_ID_MAX + 1], disp[HB_ID_MAX + 64], *buf;
	uint8_t		 key[HB_KEY_LEN];
	size_t		 len = strlen(rest), idlen, i, blen;
	struct MHD_Response *r;
	int		 status;

	if (len < 64 + 2 + 4 || rest[64] != '/' || strcmp(rest + len - 4, ".ics") != 0)
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	memcpy(hex, rest, 64);
	hex[64] = '\0';
	idlen = len - 65 - 4;
	if (idlen == 0 || idlen > HB_ID_MAX || proto_key_parse(hex, key) != 0)
		return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
	memcpy(id, rest + 65, idlen);
	id[idlen] = '\0';
	if ((status = ics_build(h, key, id, lang, &buf, &blen)) != 0)
		return reply_text(h, conn, status, status == 404 ? "not found\n" :
		    "internal error\n");
	/* the id's characters are [A-Za-z0-9._/-]: safe inside the quotes */
	for (i = 0; id[i] != '\0'; i++)
		if (id[i] == '/')
			id[i] = '-';
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.ics\"", id);
	r = MHD_create_response_from_buffer(blen, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(buf);
	else
		MHD_add_response_header(r, "Content-Disposition", disp);
	return reply(h, conn, MHD_HTTP_OK, r, "text/calendar; charset=utf-8", true);
}

/* A copy of the cached body for key, if the store has not changed since; else NULL. */
static char *
cache_get(struct http *h, const char *key, size_t *len, const char **ctype)
{
	uint64_t	 v = store_changes(h->st);
	int64_t		 now = node_now();
	char		*copy = NULL;
	unsigned	 i;

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < HTTP_CACHE_SLOTS; i++) {
		struct http_cached *c = &h->cache[i];

		if (c->key == NULL || strcmp(c->key, key) != 0)
			continue;
		if (c->version == v && now - c->at < HTTP_CACHE_SECONDS &&
		    (copy = malloc(c->len ? c->len : 1)) != NULL) {
			memcpy(copy, c->body, c->len);
			*len = c->len;
			*ctype = c->ctype;
		}
		break;
	}
	pthread_mutex_unlock(&h->lock);
	return copy;
}

/* Keep a copy of body as key's, built at store version v. */
static void
cache_put(struct http *h, const char *key, const char *body, size_t len,
    const char *ctype, uint64_t v)
{
	struct http_cached *c = NULL;
	unsigned	 i;
	char		*k, *b;

	if (len > HTTP_CACHE_MAX || (k = strdup(key)) == NULL)
		return;
	if ((b = malloc(len ? len : 1)) == NULL) {
		free(k);
		return;
	}
	memcpy(b, body, len);
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < HTTP_CACHE_SLOTS && c == NULL; i++)
		if (h->cache[i].key != NULL && strcmp(h->cache[i].key, key) == 0)
			c = &h->cache[i];
	if (c == NULL)
		c = &h->cache[h->cache_next++ % HTTP_CACHE_SLOTS];
	free(c->key);
	free(c->body);
	c->key = k;
	c->body = b;
	c->len = len;
	c->ctype = ctype;
	c->version = v;
	c->at = node_now();
	pthread_mutex_unlock(&h->lock);
}

/* A feed: from the cache, or built by build and cached. */
static enum MHD_Result
serve_feed(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *lang, int kind)
{
	char		 key[128], *buf = NULL, *s;
	const char	*ctype = NULL;
	size_t		 len = 0;
	uint64_t	 v = store_changes(h->st);
	json_t		*j = NULL;

	snprintf(key, sizeof(key), "%s?%s", url, lang != NULL ? lang : "");
	if ((buf = cache_get(h, key, &len, &ctype)) != NULL)
		return reply_buf(h, conn, MHD_HTTP_OK, buf, len, ctype, true);
	switch (kind) {
	case 0:
		j = events_json(h, node_now());
		ctype = "application/json";
		break;
	case 1:
		j = list_query(h, HB_VOLUNTEER, "status=open", volunteer_hit);
		ctype = "application/json";
		break;
	case 2:
		if ((j = list_query(h, HB_PLACE, NULL, place_hit)) != NULL)
			j = json_pack("{s:s,s:o}", "type", "FeatureCollection", "features", j);
		ctype = "application/geo+json";
		break;
	default:
		ctype = "text/calendar; charset=utf-8";
		if (ics_build(h, NULL, NULL, lang, &buf, &len) != 0)
			return reply_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "internal error\n");
		break;
	}
	if (buf == NULL) {
		if (j == NULL)
			return reply_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "internal error\n");
		s = json_dumps(j, JSON_FLAGS);
		json_decref(j);
		if (s == NULL)
			return reply_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "internal error\n");
		buf = s;
		len = strlen(s);
	}
	cache_put(h, key, buf, len, ctype, v);
	return reply_buf(h, conn, MHD_HTTP_OK, buf, len, ctype, true);
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct http	*h = cls;
	struct MHD_Response *r;
	struct store_stats st;
	const char	*lang;
	char		*buf;
	size_t		 len;
	int		 rc;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		/* read-only: nothing from the network writes through here */
		r = MHD_create_response_from_buffer(19, (void *)"method not allowed\n",
		    MHD_RESPMEM_PERSISTENT);
		if (r != NULL)
			MHD_add_response_header(r, "Allow", "GET, HEAD");
		return reply(h, conn, MHD_HTTP_METHOD_NOT_ALLOWED, r,
		    "text/plain; charset=utf-8", false);
	}
	lang = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	if (!lang_ok(lang))
		lang = NULL;
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return serve_static(h, conn, "index.html");
	if (strncmp(url, "/static/", 8) == 0)
		return serve_static(h, conn, url + 8);
	if (strcmp(url, "/config.json") == 0)
		return serve_config(h, conn);
	if (strcmp(url, "/events.json") == 0)
		return serve_feed(h, conn, url, NULL, 0);
	if (strcmp(url, "/volunteers.json") == 0)
		return serve_feed(h, conn, url, NULL, 1);
	if (strcmp(url, "/map.geojson") == 0)
		return serve_feed(h, conn, url, NULL, 2);
	if (strcmp(url, "/events.ics") == 0)
		return serve_feed(h, conn, url, lang, 3);
	if (strncmp(url, "/events/", 8) == 0)
		return serve_event_ics(h, conn, url + 8, lang);
	if (strcmp(url, "/healthz") == 0) {
		if ((rc = store_stats(h->st, &st)) != 0) {
			log_warnx("http: healthz: %s", store_strerror(rc));
			return reply_text(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "store unreadable\n");
		}
		return reply_text(h, conn, MHD_HTTP_OK, "ok\n");
	}
	if (strcmp(url, "/metrics") == 0) {
		if ((rc = metrics_build(h, &buf, &len)) != 0) {
			log_warnx("http: metrics: %s", store_strerror(rc));
			return reply_text(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "store unreadable\n");
		}
		return reply_buf(h, conn, MHD_HTTP_OK, buf, len,
		    "text/plain; version=0.0.4; charset=utf-8", false);
	}
	return reply_text(h, conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];
	size_t	 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warnx("http: %s", msg);
}

/* img-src for the tile server: its scheme and host; Leaflet's {s} becomes a wildcard,
 * any other placeholder in the host leaves only the scheme. */
static char *
tiles_source(const char *tiles)
{
	const char	*host = strstr(tiles, "://") + 3;
	int		 slen = (int)(host - tiles), hl = (int)strcspn(host, "/");
	char		*src;
	int		 rc;

	if (strncmp(host, "{s}.", 4) == 0)
		rc = asprintf(&src, "%.*s*%.*s", slen, tiles, hl - 3, host + 3);
	else
		rc = asprintf(&src, "%.*s%.*s", slen, tiles, hl, host);
	if (rc < 0)
		return NULL;
	if (strchr(src, '{') != NULL)
		src[slen - 2] = '\0';	/* "https:" */
	return src;
}

int
http_start(struct http **out, struct node *n)
{
	const struct conf_http *c = &n->conf->http;
	struct http	*h;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr	*sa;
	char		 host[64], *tsrc = NULL;
	const char	*port;
	unsigned	 flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			    MHD_USE_AUTO;
	sigset_t	 all, old;
	struct stat	 sb;

	*out = NULL;
	if (c->listen == NULL)
		return 0;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	h->st = n->st;
	h->conf = n->conf;
	memcpy(h->self, n->id.pk, HB_KEY_LEN);
	h->started = n->started;
	pthread_mutex_init(&h->lock, NULL);
	if ((tsrc = tiles_source(c->tiles)) == NULL ||
	    asprintf(&h->csp, "default-src 'self'; img-src 'self' data: %s; "
	    "object-src 'none'; base-uri 'none'; form-action 'none'; "
	    "frame-ancestors 'none'", tsrc) < 0) {
		h->csp = NULL;
		goto fail;
	}
	/* conf.c refused a folder without static/index.html; this is for files removed
	 * since (a package half upgraded): the feeds still work */
	if (stat(c->static_dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		log_warnx("http: the page's files are not in %s: only the feeds will work "
		    "([http] static)", c->static_dir);

	/* conf.c checked the form: "a.b.c.d:port" or "[v6]:port" */
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (c->listen[0] == '[') {
		port = strstr(c->listen, "]:") + 2;
		snprintf(host, sizeof(host), "%.*s", (int)(port - 2 - c->listen - 1),
		    c->listen + 1);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)atoi(port));
		inet_pton(AF_INET6, host, &sin6.sin6_addr);
		sa = (struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		port = strrchr(c->listen, ':') + 1;
		snprintf(host, sizeof(host), "%.*s", (int)(port - 1 - c->listen), c->listen);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)atoi(port));
		inet_pton(AF_INET, host, &sin.sin_addr);
		sa = (struct sockaddr *)&sin;
	}
	/* the server's thread takes no signals: they belong to the main loop */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* the logger first: libmicrohttpd warns about (and uses its own logger for)
	 * whatever options come before it */
	h->mhd = MHD_start_daemon(flags, (uint16_t)atoi(port), NULL, NULL, answer, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->connections,
	    /* no four addresses can take every slot (68 slow connections from 4 did) */
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(c->connections / 16 + 1),
	    /* a slow feed does not hold up /healthz and the rest */
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->mhd == NULL) {
		log_warnx("http: cannot listen on %s", c->listen);
		goto fail;
	}
	log_info("web page on http://%s/", c->listen);
	free(tsrc);
	*out = h;
	return 0;
fail:
	free(tsrc);
	http_stop(&h);
	return -1;
}

void
http_update(struct http *h, struct node *n)
{
	struct http_snap s = { 0 }, old;
	struct peer	*p;
	size_t		 np = 0;

	if (h == NULL)
		return;
	for (p = n->peers; p != NULL; p = p->next)
		np++;
	if (np > 0 && (s.peers = calloc(np, sizeof(*s.peers))) == NULL)
		return;
	for (p = n->peers; p != NULL; p = p->next) {
		if ((s.peers[s.npeers].name = strdup(p->name ? p->name : p->fpr)) == NULL)
			break;
		s.peers[s.npeers].up = peer_up(p);
		s.peers[s.npeers].behind = peer_behind(n, p);
		s.peers[s.npeers].rejected = p->rejected;
		s.peers[s.npeers].last_contact = p->last_contact;
		s.npeers++;
	}
	memcpy(s.rejects, n->rejects, sizeof(s.rejects));
	s.nrejects = n->nrejects;
	s.rejected = n->rejected;
	pthread_mutex_lock(&h->lock);
	old = h->snap;
	h->snap = s;
	pthread_mutex_unlock(&h->lock);
	snap_clear(&old);
}

void
http_stop(struct http **hp)
{
	struct http	*h;

	if (hp == NULL || (h = *hp) == NULL)
		return;
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	snap_clear(&h->snap);
	for (unsigned i = 0; i < HTTP_CACHE_SLOTS; i++) {
		free(h->cache[i].key);
		free(h->cache[i].body);
	}
	pthread_mutex_destroy(&h->lock);
	free(h->csp);
	free(h);
	*hp = NULL;
}
