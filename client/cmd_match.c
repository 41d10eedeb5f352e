/* SPDX-License-Identifier: ISC */
/*
 * hiroba match, match record and matches: the offers of help that fit each open request
 * (by skill, area and time window), and the matches the center records between them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hiroba.h"

#define MAX_SKILLS	16
#define MAX_WINDOWS	16
#define SCORE_SKILL	10
#define SCORE_AREA	5
#define SCORE_TIME	3

static const struct vocab vocab_mstatus[] = {
	{ "proposed", "proposed", "提案", "Proposed" },
	{ "confirmed", "confirmed", "成立", "Confirmed" },
	{ "ended", "ended", "終了", "Ended" },
	{ NULL, NULL, NULL, NULL }
};

static bool
lang_ja(const struct cli *cli)
{
	return cli->lang == NULL || strncmp(cli->lang, "ja", 2) == 0;
}

static const char *
L(struct cli *cli, const char *ja, const char *en)
{
	return lang_ja(cli) ? ja : en;
}

/* ---- listings as the matcher sees them ---- */

struct window {
	bool	 span, weekly;
	int64_t	 s, e;		/* span: [s, e) */
	unsigned days;		/* weekly: bit 0 = Monday */
	int	 from, to;	/* minutes */
};

struct listing {
	json_t		*rec;		/* the record's JSON (borrowed) */
	json_t		*v;		/* its volunteer payload */
	char		 ref[HB_KEYHEX_LEN + HB_ID_MAX + 2];
	char		*skills[MAX_SKILLS];	/* normalized */
	const char	*skill_text[MAX_SKILLS];	/* as written */
	size_t		 nskills;
	char		*area;			/* normalized, NULL if none */
	struct window	 w[MAX_WINDOWS];
	size_t		 nw;
};

static void
listing_load(struct listing *l, json_t *rec)
{
	json_t *a, *x;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->rec = rec;
	l->v = json_object_get(rec, "volunteer");
	snprintf(l->ref, sizeof(l->ref), "%s/%s", hc_jstr(rec, "author"), hc_jstr(rec, "id"));
	json_array_foreach(json_object_get(l->v, "skills"), i, a) {
		if (l->nskills == MAX_SKILLS || !json_is_string(a))
			break;
		if ((l->skills[l->nskills] = proto_normalize(json_string_value(a))) != NULL)
			l->skill_text[l->nskills++] = json_string_value(a);
	}
	if (*hc_jstr(l->v, "area") != '\0')
		l->area = proto_normalize(hc_jstr(l->v, "area"));
	json_array_foreach(json_object_get(l->v, "windows"), i, x) {
		struct window *w = &l->w[l->nw];

		if (l->nw == MAX_WINDOWS)
			break;
		memset(w, 0, sizeof(*w));
		w->s = INT64_MIN;
		w->e = INT64_MAX;
		if (json_is_integer(json_object_get(x, "start")))
			w->s = json_integer_value(json_object_get(x, "start"));
		if (json_is_integer(json_object_get(x, "end")))
			w->e = json_integer_value(json_object_get(x, "end"));
		w->span = w->s != INT64_MIN || w->e != INT64_MAX;
		w->weekly = json_object_get(x, "weekdays") != NULL ||
		    json_object_get(x, "from_minute") != NULL ||
		    json_object_get(x, "to_minute") != NULL;
		w->days = json_is_integer(json_object_get(x, "weekdays")) ?
		    (unsigned)json_integer_value(json_object_get(x, "weekdays")) : 0x7F;
		w->from = json_is_integer(json_object_get(x, "from_minute")) ?
		    (int)json_integer_value(json_object_get(x, "from_minute")) : 0;
		w->to = json_is_integer(json_object_get(x, "to_minute")) ?
		    (int)json_integer_value(json_object_get(x, "to_minute")) : 1440;
		if (w->span || w->weekly)
			l->nw++;
	}
}

static void
listing_free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->nskills; i++)
		free(l->skills[i]);
	free(l->area);
}

/* ---- time windows ---- */

static const char *const wd_ja[] = { "月", "火", "水", "木", "金", "土", "日" };
static const char *const wd_en[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* "火曜午前", "火・木曜 13:00–15:00", "Tue morning". */
static void
weekly_text(struct cli *cli, unsigned days, int lo, int hi, char *buf, size_t len)
{
	size_t off = 0;
	int d;

	buf[0] = '\0';
	if (days == 0x7F)
		off += (size_t)snprintf(buf, len, "%s", L(cli, "毎日", "daily"));
	else {
		for (d = 0; d < 7; d++)
			if (days & (1u << d))
				off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				    off ? L(cli, "・", "/") : "", lang_ja(cli) ? wd_ja[d] : wd_en[d]);
		if (lang_ja(cli))
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "曜");
	}
	if (off >= len)
		return;
	if (lo == 0 && hi == 1440)
		return;
	if (hi <= 12 * 60)
		snprintf(buf + off, len - off, "%s", L(cli, "午前", " morning"));
	else if (lo >= 12 * 60 && hi <= 18 * 60)
		snprintf(buf + off, len - off, "%s", L(cli, "午後", " afternoon"));
	else if (lo >= 18 * 60)
		snprintf(buf + off, len - off, "%s", L(cli, "夜", " evening"));
	else
		snprintf(buf + off, len - off, " %02d:%02d–%02d:%02d", lo / 60, lo % 60, hi / 60,
		    hi % 60);
}

/* Does a weekly pattern fall inside the span [s, e)? The first such time in *at. Only a
 * week needs looking at. */
static bool
weekly_in_span(const struct window *wk, int64_t s, int64_t e, int64_t *at)
{
	int64_t day, ds, a, b;
	int i, wd;

	if (s == INT64_MIN || e == INT64_MAX)	/* open-ended: some week has it */
		return (*at = s == INT64_MIN ? 0 : s), true;
	day = timefmt_ymd_start(timefmt_ymd(s));
	for (i = 0; i < 8 && day < e; i++, day += 86400) {
		/* 1970-01-01 was a Thursday: days since then + 3, mod 7, is 0 for Monday. */
		wd = (int)(((day + TOKYO_OFFSET) / 86400 + 3) % 7);
		if (!(wk->days & (1u << wd)))
			continue;
		ds = day;
		a = ds + wk->from * 60;
		b = ds + wk->to * 60;
		if (a < s)
			a = s;
		if (b > e)
			b = e;
		if (a < b) {
			*at = a;
			return true;
		}
	}
	return false;
}

/* Do two windows overlap? Says when in buf. */
static bool
window_overlap(struct cli *cli, const struct window *x, const struct window *y, char *buf,
    size_t len)
{
	int64_t s = x->s > y->s ? x->s : y->s, e = x->e < y->e ? x->e : y->e, at = 0;
	char when[64];
	int lo, hi;

	if ((x->span || y->span) && s >= e)
		return false;
	if (x->weekly && y->weekly) {
		lo = x->from > y->from ? x->from : y->from;
		hi = x->to < y->to ? x->to : y->to;
		if ((x->days & y->days) == 0 || lo >= hi)
			return false;
		weekly_text(cli, x->days & y->days, lo, hi, buf, len);
		return true;
	}
	if (x->weekly || y->weekly) {
		if (!weekly_in_span(x->weekly ? x : y, s, e, &at))
			return false;
	} else
		at = s;
	timefmt_local(at, when, sizeof(when));
	snprintf(buf, len, "%s%s", when, L(cli, "〜", " on"));
	return true;
}

/* ---- scoring ---- */

struct fit {
	struct listing	*o;
	int		 score;
	char		 skills[256];	/* the shared ones, as the wanted listing writes them */
	char		 area[128];
	char		 time[96];
	char		 why[640];
	const char	*recorded;	/* a match's status, or NULL */
};

/* 0 and f filled if offer o fits wanted w; -1 if not. */
static int
fit_score(struct cli *cli, struct listing *w, struct listing *o, struct fit *f)
{
	const char *sep = L(cli, ", ", ", ");
	size_t i, j, off = 0, n = 0;
	bool time_known = w->nw > 0 && o->nw > 0, time_ok = false;

	memset(f, 0, sizeof(*f));
	f->o = o;
	for (i = 0; i < w->nskills; i++)
		for (j = 0; j < o->nskills; j++)
			if (strcmp(w->skills[i], o->skills[j]) == 0) {
				off += (size_t)snprintf(f->skills + off, off < sizeof(f->skills) ?
				    sizeof(f->skills) - off : 0, "%s%s", n ? L(cli, "・", "/") : "",
				    w->skill_text[i]);
				n++;
				break;
			}
	if (w->nskills > 0 && n == 0)
		return -1;
	f->score += SCORE_SKILL * (int)n;
	if (w->area != NULL && o->area != NULL && (strstr(w->area, o->area) != NULL ||
	    strstr(o->area, w->area) != NULL)) {
		snprintf(f->area, sizeof(f->area), "%s", hc_jstr(w->v, "area"));
		f->score += SCORE_AREA;
	}
	for (i = 0; time_known && !time_ok && i < w->nw; i++)
		for (j = 0; !time_ok && j < o->nw; j++)
			time_ok = window_overlap(cli, &w->w[i], &o->w[j], f->time, sizeof(f->time));
	if (time_known && !time_ok)
		return -1;
	if (time_ok)
		f->score += SCORE_TIME;
	if (f->score == 0)
		return -1;
	off = 0;
	if (n > 0)
		off += (size_t)snprintf(f->why + off, sizeof(f->why) - off, "%s: %s",
		    L(cli, "共通スキル", "skills"), f->skills);
	if (f->area[0] != '\0' && off < sizeof(f->why))
		off += (size_t)snprintf(f->why + off, sizeof(f->why) - off, "%s%s: %s",
		    off ? sep : "", L(cli, "地域", "area"), f->area);
	if (f->time[0] != '\0' && off < sizeof(f->why))
		snprintf(f->why + off, sizeof(f->why) - off, "%s%s: %s", off ? sep : "",
		    L(cli, "時間", "time"), f->time);
	return 0;
}

static int
fit_cmp(const void *a, const void *b)
{
	const struct fit *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	return strcmp(x->o->ref, y->o->ref);
}

/* ---- shared lookups ---- */

static int
query_kind(struct cli *cli, enum hb_kind kind, struct qres *res)
{
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;

	q.has_kind = 1;
	q.kind = kind;
	q.has_limit = 1;
	q.limit = 100000;
	return hc_query_open(cli, &q, res);
}

/* The center's key, to trust only its matches; false with --remote (no status there). */
static bool
center_key(struct cli *cli, uint8_t key[HB_KEY_LEN])
{
	const Hiroba__Wire__Status *st;

	if (cli->remote != NULL || hc_status(cli, &st) != 0 || !st->has_center ||
	    st->center.len != HB_KEY_LEN)
		return false;
	memcpy(key, st->center.data, HB_KEY_LEN);
	return true;
}

static bool
by_center(struct qres *res, size_t i, bool have_center, const uint8_t center[HB_KEY_LEN])
{
	return res->recs[i] != NULL && proto_record_kind(res->recs[i]) == HB_MATCH &&
	    (!have_center || memcmp(proto_record_author(res->recs[i]), center,
	    HB_KEY_LEN) == 0);
}

static const char *
match_status(json_t *m)
{
	const char *s = hc_jstr(m, "status");

	return *s != '\0' ? s : "proposed";
}

/* The short reference (ref.c) of a record in its JSON form (author hex, id). */
static void
short_of(struct cli *cli, json_t *rec, char *buf, size_t len)
{
	uint8_t key[HB_KEY_LEN];

	if (proto_key_parse(hc_jstr(rec, "author"), key) != 0) {
		snprintf(buf, len, "-");
		return;
	}
	ref_short(cli, key, hc_jstr(rec, "id"), buf, len);
}

/* ---- hiroba match ---- */

int
cmd_match(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'l' },
		{ "mine", no_argument, NULL, 'm' },
		TABLE_WIDE_OPT,
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct qres vols = { 0 }, matches = { 0 };
	char self_hex[HB_KEYHEX_LEN] = "", r1[REF_BUFLEN], r2[REF_BUFLEN];
	const uint8_t *self;
	bool mine = false;
	struct listing *ls = NULL;
	struct fit *fits = NULL;
	struct table *t = NULL;
	uint8_t center[HB_KEY_LEN];
	bool all = false, have_center;
	long long limit = 5;
	size_t i, j, k, nf;
	char score[16], wref[sizeof(ls->ref)];
	json_t *m, *line, *offers, *o;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'l':
			if ((limit = cli_number(optarg, 1000)) < 1)
				return cli_usage(cli, "--limit: a number from 1 to 1000, not '%s'",
				    optarg);
			break;
		default:
			if ((rc = cli_listing_opt(cli, c, argv, &mine)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (mine) {		/* pairs where either listing is ours */
		if ((rc = hc_self(cli, &self)) != 0)
			return rc;
		proto_key_hex(self, self_hex);
	}
	if ((rc = query_kind(cli, HB_VOLUNTEER, &vols)) != 0 ||
	    (rc = query_kind(cli, HB_MATCH, &matches)) != 0)
		goto out;
	have_center = center_key(cli, center);
	if ((ls = calloc(vols.n + 1, sizeof(*ls))) == NULL ||
	    (fits = calloc(vols.n + 1, sizeof(*fits))) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < vols.n; i++)
		if (vols.json[i] != NULL && proto_record_kind(vols.recs[i]) == HB_VOLUNTEER)
			listing_load(&ls[i], vols.json[i]);
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, L(cli, "参照", "ref"), TABLE_KEEP);
		table_col(t, L(cli, "募集", "wanted"), TABLE_TRUNC);
		table_col(t, L(cli, "募集元", "wanted by"), TABLE_TRUNC);
		table_col(t, L(cli, "参照", "ref"), TABLE_KEEP);
		table_col(t, L(cli, "提供", "offered"), TABLE_TRUNC);
		table_col(t, L(cli, "提供元", "offered by"), TABLE_TRUNC);
		table_col(t, L(cli, "点", "score"), TABLE_RIGHT);
		table_col(t, L(cli, "理由", "why"), TABLE_WRAP | TABLE_LOW);
		table_col(t, L(cli, "記録", "recorded"), TABLE_TRUNC);
	}
	for (i = 0; i < vols.n; i++) {
		if (ls[i].v == NULL || strcmp(hc_jstr(ls[i].v, "kind"), "wanted") != 0 ||
		    (!all && strcmp(hc_jstr(ls[i].v, "status"), "open") != 0))
			continue;
		nf = 0;
		for (j = 0; j < vols.n; j++) {
			if (ls[j].v == NULL || strcmp(hc_jstr(ls[j].v, "kind"), "offered") != 0 ||
			    strcmp(hc_jstr(ls[j].v, "status"), "open") != 0)
				continue;
			/* A group's own offer is no help to its own request: never a pair. */
			if (strcmp(hc_jstr(ls[i].rec, "author"), hc_jstr(ls[j].rec, "author")) == 0)
				continue;
			if (mine && strcmp(hc_jstr(ls[i].rec, "author"), self_hex) != 0 &&
			    strcmp(hc_jstr(ls[j].rec, "author"), self_hex) != 0)
				continue;
			if (fit_score(cli, &ls[i], &ls[j], &fits[nf]) != 0)
				continue;
			/* Has the center recorded this pair? */
			for (k = 0; k < matches.n; k++) {
				if (!by_center(&matches, k, have_center, center))
					continue;
				m = json_object_get(matches.json[k], "match");
				snprintf(wref, sizeof(wref), "%s/%s",
				    hc_jstr(json_object_get(m, "wanted"), "author"),
				    hc_jstr(json_object_get(m, "wanted"), "id"));
				if (strcmp(wref, ls[i].ref) != 0)
					continue;
				snprintf(wref, sizeof(wref), "%s/%s",
				    hc_jstr(json_object_get(m, "offered"), "author"),
				    hc_jstr(json_object_get(m, "offered"), "id"));
				if (strcmp(wref, ls[j].ref) == 0)
					fits[nf].recorded = match_status(m);
			}
			nf++;
		}
		qsort(fits, nf, sizeof(*fits), fit_cmp);
		if (nf > (size_t)limit)
			nf = (size_t)limit;
		if (cli->json) {
			offers = json_array();
			for (j = 0; j < nf; j++) {
				struct fit *f = &fits[j];

				short_of(cli, f->o->rec, r2, sizeof(r2));
				o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "ref",
				    f->o->ref, "ref_short", r2,
				    "author", hc_jstr(f->o->rec, "author"), "id", hc_jstr(f->o->rec, "id"),
				    "title", text_lang(cli, f->o->v, "title", "title"), "group",
				    hc_jstr(f->o->rec, "group"), "score", f->score, "why", f->why);
				if (o == NULL)
					continue;
				json_object_set_new(o, "skills", json_string(f->skills));
				json_object_set_new(o, "area", f->area[0] ? json_string(f->area) :
				    json_null());
				json_object_set_new(o, "time", f->time[0] ? json_string(f->time) :
				    json_null());
				json_object_set_new(o, "match", f->recorded != NULL ?
				    json_string(f->recorded) : json_null());
				json_array_append_new(offers, o);
			}
			if (mine && nf == 0 && strcmp(hc_jstr(ls[i].rec, "author"), self_hex) != 0) {
				json_decref(offers);
				continue;
			}
			short_of(cli, ls[i].rec, r1, sizeof(r1));
			line = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:o}", "wanted",
			    "ref", ls[i].ref, "ref_short", r1, "author", hc_jstr(ls[i].rec, "author"), "id",
			    hc_jstr(ls[i].rec, "id"), "title", text_lang(cli, ls[i].v, "title",
			    "title"), "group", hc_jstr(ls[i].rec, "group"), "status",
			    hc_jstr(ls[i].v, "status"), "offers", offers);
			json_line(line);
			continue;
		}
		short_of(cli, ls[i].rec, r1, sizeof(r1));
		if (nf == 0 && (!mine || strcmp(hc_jstr(ls[i].rec, "author"), self_hex) == 0))
			table_row(t, "gray", r1, text_lang(cli, ls[i].v, "title", "title"),
			    hc_jstr(ls[i].rec, "group"), "", "-", "", "", L(cli, "該当なし",
			    "no offer fits"), "");
		for (j = 0; j < nf; j++) {
			snprintf(score, sizeof(score), "%d", fits[j].score);
			short_of(cli, fits[j].o->rec, r2, sizeof(r2));
			table_row(t, NULL, r1, text_lang(cli, ls[i].v, "title", "title"),
			    hc_jstr(ls[i].rec, "group"), r2,
			    text_lang(cli, fits[j].o->v, "title", "title"),
			    hc_jstr(fits[j].o->rec, "group"), score, fits[j].why,
			    fits[j].recorded != NULL ? vocab_label_lang(cli, vocab_mstatus,
			    fits[j].recorded) : "");
		}
	}
	if (t != NULL)
		rc = table_print(&t);
out:
	for (i = 0; ls != NULL && i < vols.n; i++)
		listing_free(&ls[i]);
	free(ls);
	free(fits);
	qres_free(&matches);
	qres_free(&vols);
	return rc;
}

/* ---- hiroba match record ---- */

/* A listing by reference, checked to be a volunteer listing of the kind wanted. */
static int
listing_get(struct cli *cli, const char *ref, const char *kind, uint8_t author[HB_KEY_LEN],
    char **id, json_t **rec)
{
	struct hb_record *r = NULL;
	int rc;

	*rec = NULL;
	if ((rc = ref_resolve(cli, ref, HB_VOLUNTEER, author, id)) != 0)
		return rc;
	if ((rc = hc_get(cli, author, *id, &r)) != 0) {
		if (rc == HB_EXIT_NOTFOUND)
			cli_error(rc, "no listing '%s' of %s", *id, hc_group_name(cli, author));
		return rc;
	}
	if (proto_record_kind(r) != HB_VOLUNTEER) {
		rc = cli_error(HB_EXIT_FAIL, "'%s' is a %s, not a volunteer listing", *id,
		    cli_kind_word(proto_record_kind(r)));
		goto out;
	}
	if ((*rec = json_record(cli, r)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (strcmp(hc_jstr(json_object_get(*rec, "volunteer"), "kind"), kind) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "'%s' of %s is an %s listing, not a %s one", *id,
		    hc_group_name(cli, author), hc_jstr(json_object_get(*rec, "volunteer"), "kind"),
		    kind);
		json_decref(*rec);
		*rec = NULL;
	}
out:
	hb_record_free(&r);
	return rc;
}

int
cmd_match_record(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "status", required_argument, NULL, 's' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *note = NULL, *status = "confirmed";
	const struct vocab *v;
	uint8_t wa[HB_KEY_LEN], oa[HB_KEY_LEN], center[HB_KEY_LEN], h[8];
	const uint8_t *self;
	char *wid = NULL, *oid = NULL, *material = NULL, whex[HB_KEYHEX_LEN],
	    ohex[HB_KEYHEX_LEN], id[32];
	json_t *wrec = NULL, *orec = NULL, *draft = NULL, *m;
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			note = optarg;
			break;
		case 's':
			if ((v = vocab_find(vocab_mstatus, optarg)) == NULL)
				return cli_usage(cli, "--status: proposed, confirmed or ended, not "
				    "'%s'", optarg);
			status = v->json;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 2)
		return cli_usage(cli, "give the wanted listing and the offered one "
		    "(AUTHORHEX/ID each, as `hiroba match --json` shows)");
	if ((rc = listing_get(cli, argv[optind], "wanted", wa, &wid, &wrec)) != 0 ||
	    (rc = listing_get(cli, argv[optind + 1], "offered", oa, &oid, &orec)) != 0)
		goto out;
	proto_key_hex(wa, whex);
	proto_key_hex(oa, ohex);
	/* One record per pair: recording it again changes its status. */
	if ((material = cli_strf("%s/%s %s/%s", whex, wid, ohex, oid)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)material, strlen(material),
	    NULL, 0);
	snprintf(id, sizeof(id), "match/");
	for (i = 0; i < sizeof(h); i++)
		snprintf(id + 6 + 2 * i, sizeof(id) - 6 - 2 * i, "%02x", h[i]);
	m = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "wanted", "author", whex, "id", wid,
	    "offered", "author", ohex, "id", oid, "status", status);
	if (m != NULL && note != NULL)
		json_object_set_new(m, "note", json_string(note));
	draft = json_object();
	json_object_set_new(draft, "match", m);
	rc = draft_publish(cli, draft, id);
	/* Only the center's matches count; the daemon says no to anyone else. */
	if (rc == HB_EXIT_FAIL && hc_self(cli, &self) == 0 && center_key(cli, center) &&
	    memcmp(self, center, HB_KEY_LEN) != 0)
		cli_error(rc, "only the center (%s) records matches: ask it to run `hiroba "
		    "match record %s/%s %s/%s`", hc_group_name(cli, center), whex, wid, ohex,
		    oid);
out:
	json_decref(draft);
	json_decref(wrec);
	json_decref(orec);
	free(material);
	free(wid);
	free(oid);
	return rc;
}

/* ---- hiroba matches ---- */

static json_t *
listing_find(struct qres *vols, json_t *ref)
{
	size_t i;

	for (i = 0; i < vols->n; i++)
		if (vols->json[i] != NULL &&
		    strcmp(hc_jstr(vols->json[i], "author"), hc_jstr(ref, "author")) == 0 &&
		    strcmp(hc_jstr(vols->json[i], "id"), hc_jstr(ref, "id")) == 0)
			return vols->json[i];
	return NULL;
}

int
cmd_matches(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "mine", no_argument, NULL, 'm' },
		TABLE_WIDE_OPT,
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct qres vols = { 0 }, matches = { 0 };
	char self_hex[HB_KEYHEX_LEN] = "", mref[REF_BUFLEN], lref[2][REF_BUFLEN];
	const uint8_t *self;
	bool mine = false;
	const struct vocab *v;
	const char *status = NULL, *which[2] = { "wanted", "offered" };
	char cell[2][512], when[48];
	uint8_t center[HB_KEY_LEN];
	bool have_center;
	struct table *t = NULL;
	json_t *m, *l, *j;
	size_t i, w;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if ((v = vocab_find(vocab_mstatus, optarg)) == NULL)
				return cli_usage(cli, "--status: proposed, confirmed or ended, not "
				    "'%s'", optarg);
			status = v->json;
			break;
		default:
			if ((rc = cli_listing_opt(cli, c, argv, &mine)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (mine) {		/* matches that involve one of our listings */
		if ((rc = hc_self(cli, &self)) != 0)
			return rc;
		proto_key_hex(self, self_hex);
	}
	if ((rc = query_kind(cli, HB_MATCH, &matches)) != 0 ||
	    (rc = query_kind(cli, HB_VOLUNTEER, &vols)) != 0)
		goto out;
	have_center = center_key(cli, center);
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, L(cli, "参照", "ref"), TABLE_KEEP);
		table_col(t, L(cli, "状態", "status"), 0);
		table_col(t, L(cli, "参照", "ref"), TABLE_KEEP);
		table_col(t, L(cli, "募集", "wanted"), TABLE_TRUNC);
		table_col(t, L(cli, "参照", "ref"), TABLE_KEEP);
		table_col(t, L(cli, "提供", "offered"), TABLE_TRUNC);
		table_col(t, L(cli, "メモ", "note"), TABLE_WRAP | TABLE_LOW);
		table_col(t, L(cli, "記録日時", "recorded"), TABLE_LOW);
	}
	for (i = 0; i < matches.n; i++) {
		if (!by_center(&matches, i, have_center, center))
			continue;
		m = json_object_get(matches.json[i], "match");
		if (status != NULL && strcmp(match_status(m), status) != 0)
			continue;
		if (mine && strcmp(hc_jstr(json_object_get(m, "wanted"), "author"), self_hex) != 0 &&
		    strcmp(hc_jstr(json_object_get(m, "offered"), "author"), self_hex) != 0)
			continue;
		ref_record(cli, matches.recs[i], mref, sizeof(mref));
		for (w = 0; w < 2; w++)
			short_of(cli, json_object_get(m, which[w]), lref[w], sizeof(lref[w]));
		if (cli->json) {
			j = json_deep_copy(matches.json[i]);
			if (j != NULL)
				json_object_set_new(j, "ref_short", json_string(mref));
			for (w = 0; j != NULL && w < 2; w++) {
				l = listing_find(&vols, json_object_get(m, which[w]));
				json_object_set_new(j, w == 0 ? "wanted_listing" : "offered_listing",
				    l != NULL ? json_pack("{s:s, s:s, s:s}", "title",
				    text_lang(cli, json_object_get(l, "volunteer"), "title", "title"),
				    "group", hc_jstr(l, "group"), "status",
				    hc_jstr(json_object_get(l, "volunteer"), "status")) : json_null());
			}
			json_line(j);
			continue;
		}
		for (w = 0; w < 2; w++) {
			json_t *ref = json_object_get(m, which[w]);

			if ((l = listing_find(&vols, ref)) != NULL)
				snprintf(cell[w], sizeof(cell[w]), "%s（%s, %s）",
				    text_lang(cli, json_object_get(l, "volunteer"), "title", "title"),
				    hc_jstr(l, "group"), vocab_label_lang(cli, vocab_lstatus,
				    hc_jstr(json_object_get(l, "volunteer"), "status")));
			else
				snprintf(cell[w], sizeof(cell[w]), "%s %s", hc_jstr(ref, "id"),
				    L(cli, "（削除済み）", "(gone)"));
		}
		timefmt_local(proto_record_created(matches.recs[i]), when, sizeof(when));
		table_row(t, strcmp(match_status(m), "ended") == 0 ? "gray" : NULL, mref,
		    vocab_label_lang(cli, vocab_mstatus, match_status(m)), lref[0], cell[0],
		    lref[1], cell[1], hc_jstr(m, "note"), when);
	}
	if (t != NULL)
		rc = table_print(&t);
out:
	qres_free(&vols);
	qres_free(&matches);
	return rc;
}
