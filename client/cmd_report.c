/* SPDX-License-Identifier: ISC */
/*
 * hiroba report: the fiscal-year figures the support base sends to the ward (事業報告),
 * per group and for the network, from the records every daemon holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hiroba.h"

#define REPORT_LIMIT	100000	/* the daemon's CTL_LIMIT_MAX: every occurrence of a year */
#define NCAT		8

/* The figures, one slot each, so that the table, the CSV and the JSON come from one list. */
enum {
	M_HELD, M_CANCELLED,
	M_CAT,				/* NCAT slots, in vocab_category order */
	M_MONTH = M_CAT + NCAT,		/* 12 slots, April first */
	M_EXPECTED = M_MONTH + 12, M_ATTENDED, M_UNRECORDED,
	M_PRE_HELD, M_PRE_ATTENDED, M_FATHER_HELD, M_FATHER_ATTENDED,
	M_PLACES,
	M_VOL_OPENED, M_VOL_FILLED,
	M_MTG_HELD, M_MTG_GROUPS, M_MTG_ATTENDED,
	M_PLANNED, M_MTG_PLANNED,	/* in the year, not cancelled, not started yet */
	M_N
};

struct gstat {
	uint8_t		 key[HB_KEY_LEN];
	char		 hex[HB_KEYHEX_LEN];
	const char	*name;		/* lives as long as cli */
	bool		 center;
	long		 v[M_N];
};

struct report {
	int		 fy;		/* 2024 for 令和6年度 */
	int64_t		 now;		/* held: started before now; planned: from now on */
	int64_t		 from, to;	/* [04-01 00:00, next 04-01 00:00) Tokyo */
	struct gstat	*g;
	size_t		 ng;
	struct gstat	 net;
	long		 groups_any;	/* groups that attended at least one meeting */
	json_t		*meetings;	/* one object per meeting held, for --json */
	bool		 have_center;	/* only the center's matches count */
	uint8_t		 center[HB_KEY_LEN];
};

/* ---- the fiscal year ---- */

/* "2024", "2024年度", "FY2024", "令和6年度", "R6", "令和元年度", "H30", full width too.
 * The year in which the fiscal year starts, or -1. */
static int
fy_parse(const char *arg)
{
	char *s = proto_normalize(arg), *p, *end;
	long n;
	int era = 0, fy = -1;

	if (s == NULL)
		return -1;
	p = s;
	if (strncmp(p, "fy", 2) == 0)
		p += 2;
	else if (strncmp(p, "令和", strlen("令和")) == 0) {
		era = 2018;
		p += strlen("令和");
	} else if (strncmp(p, "平成", strlen("平成")) == 0) {
		era = 1988;
		p += strlen("平成");
	} else if (*p == 'r') {
		era = 2018;
		p++;
	} else if (*p == 'h') {
		era = 1988;
		p++;
	}
	if (era != 0 && strncmp(p, "元", strlen("元")) == 0) {
		n = 1;
		end = p + strlen("元");
	} else {
		if (*p < '0' || *p > '9')
			goto out;
		n = strtol(p, &end, 10);
	}
	if (strcmp(end, "年度") != 0 && strcmp(end, "年") != 0 && *end != '\0')
		goto out;
	if (era != 0) {
		if (n < 1 || (era == 1988 && n > 31) || n > 99)
			goto out;
		fy = (int)(era + n);
	} else if (end - p == 4 && n >= 1990 && n <= 2099)
		fy = (int)n;
out:
	free(s);
	return fy;
}

static void
fy_label(int fy, char *buf, size_t len)
{
	if (fy >= 2019)
		snprintf(buf, len, fy == 2019 ? "令和元年度" : "令和%d年度", fy - 2018);
	else
		snprintf(buf, len, "平成%d年度", fy - 1988);
}

static bool
lang_ja(const struct cli *cli)
{
	return cli->lang == NULL || strcmp(cli->lang, "ja") == 0 ||
	    strncmp(cli->lang, "ja-", 3) == 0;
}

/* ---- the groups ---- */

static struct gstat *
group_get(struct cli *cli, struct report *rp, const uint8_t key[HB_KEY_LEN])
{
	struct gstat *ng;
	size_t i;

	for (i = 0; i < rp->ng; i++)
		if (memcmp(rp->g[i].key, key, HB_KEY_LEN) == 0)
			return &rp->g[i];
	if ((ng = realloc(rp->g, (rp->ng + 1) * sizeof(*ng))) == NULL)
		return NULL;
	rp->g = ng;
	ng = &rp->g[rp->ng++];
	memset(ng, 0, sizeof(*ng));
	memcpy(ng->key, key, HB_KEY_LEN);
	proto_key_hex(key, ng->hex);
	ng->name = hc_group_name(cli, key);
	return ng;
}

int
roster_load(struct cli *cli, struct roster *ro)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	const Hiroba__Wire__Status *st;
	struct hb_member m, *nm;
	struct hb_record *r;
	size_t i;
	int rc;

	memset(ro, 0, sizeof(*ro));
	if (cli->remote != NULL)	/* the remote answers queries and gets only */
		return 0;
	if ((rc = hc_status(cli, &st)) != 0)
		return rc;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_MEMBERS;
	req.members = 1;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		return rc;
	if (resp->code != 0) {
		rc = hc_failed(resp, "members");
		goto out;
	}
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((r = hc_open(&resp->envelopes[i])) == NULL)
			continue;
		/* Only the center's word counts. */
		if (proto_record_membership(r, &m) == 0 && (!st->has_center ||
		    st->center.len != HB_KEY_LEN ||
		    memcmp(proto_record_author(r), st->center.data, HB_KEY_LEN) == 0)) {
			if ((nm = realloc(ro->m, (ro->n + 1) * sizeof(*nm))) == NULL) {
				hb_record_free(&r);
				rc = cli_error(HB_EXIT_FAIL, "out of memory");
				goto out;
			}
			ro->m = nm;
			ro->m[ro->n++] = m;
		}
		hb_record_free(&r);
	}
	if (st->has_center && st->center.len == HB_KEY_LEN)
		memcpy(ro->center, st->center.data, HB_KEY_LEN);
	ro->has_center = st->has_center && st->center.len == HB_KEY_LEN;
out:
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

void
roster_free(struct roster *ro)
{
	free(ro->m);
	memset(ro, 0, sizeof(*ro));
}

/* Center first, then by name: the order a ward's table is read in. */
static int
group_cmp(const void *a, const void *b)
{
	const struct gstat *x = a, *y = b;

	if (x->center != y->center)
		return x->center ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* ---- counting ---- */

static bool
in_fy(const struct report *rp, int64_t t)
{
	return t >= rp->from && t < rp->to;
}

static int
query(struct cli *cli, enum hb_kind kind, int64_t from, int64_t to, struct qres *res)
{
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;

	q.has_kind = 1;
	q.kind = kind;
	if (from != 0 || to != 0) {
		q.has_from = q.has_to = 1;
		q.from = from;
		q.to = to;
	}
	q.has_limit = 1;
	q.limit = REPORT_LIMIT;
	return hc_query_open(cli, &q, res);
}

static long
jint(json_t *obj, const char *key, long dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

/* Every occurrence not cancelled whose start lies in the year. Capacity, registered and
 * attended belong to each occurrence (what one session holds and how many came), so a
 * weekly series counts them once per session held. Only what has started is held: the
 * rest of a weekly series this year is planned (開催予定), counted apart and in nothing
 * else, so the figures of the year we are in do not count sessions that never took place
 * yet (nor their missing attendance). */
static int
count_events(struct cli *cli, struct report *rp)
{
	struct qres res;
	struct gstat *g;
	const struct vocab *v;
	json_t *ev;
	size_t k, i;
	long expected, attended;
	int rc, cat, mon, y, m, d;

	if ((rc = query(cli, HB_EVENT, rp->from, rp->to, &res)) != 0)
		return rc;
	for (k = 0; k < res.resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res.resp->occurrences[k];

		if ((i = oc->index) >= res.n || res.json[i] == NULL ||
		    proto_record_kind(res.recs[i]) != HB_EVENT || !in_fy(rp, oc->start))
			continue;
		if ((g = group_get(cli, rp, proto_record_author(res.recs[i]))) == NULL) {
			rc = cli_error(HB_EXIT_FAIL, "out of memory");
			break;
		}
		ev = json_object_get(res.json[i], "event");
		if (json_is_true(json_object_get(ev, "cancelled"))) {
			g->v[M_CANCELLED]++;
			continue;
		}
		if (oc->start >= rp->now) {
			g->v[M_PLANNED]++;
			continue;
		}
		g->v[M_HELD]++;
		for (cat = 0, v = vocab_category; v->name != NULL; v++, cat++)
			if (strcmp(v->json, hc_jstr(ev, "category")) == 0 && cat < NCAT)
				g->v[M_CAT + cat]++;
		timefmt_civil((oc->start + TOKYO_OFFSET) / 86400, &y, &m, &d);
		mon = (m + 12 - 4) % 12;	/* April = 0 .. March = 11 */
		g->v[M_MONTH + mon]++;
		expected = jint(ev, "registered", jint(ev, "capacity", 0));
		attended = jint(ev, "attended", -1);
		g->v[M_EXPECTED] += expected;
		if (attended >= 0)
			g->v[M_ATTENDED] += attended;
		else
			g->v[M_UNRECORDED]++;
		if (strcmp(hc_jstr(ev, "category"), "pre_parent") == 0) {
			g->v[M_PRE_HELD]++;
			g->v[M_PRE_ATTENDED] += attended > 0 ? attended : 0;
		} else if (strcmp(hc_jstr(ev, "category"), "father") == 0) {
			g->v[M_FATHER_HELD]++;
			g->v[M_FATHER_ATTENDED] += attended > 0 ? attended : 0;
		}
	}
	qres_free(&res);
	return rc;
}

static int
count_places(struct cli *cli, struct report *rp)
{
	struct qres res;
	struct gstat *g;
	size_t i;
	int rc;

	if ((rc = query(cli, HB_PLACE, 0, 0, &res)) != 0)
		return rc;
	for (i = 0; i < res.n; i++) {
		if (res.recs[i] == NULL || proto_record_kind(res.recs[i]) != HB_PLACE)
			continue;
		if ((g = group_get(cli, rp, proto_record_author(res.recs[i]))) == NULL) {
			rc = cli_error(HB_EXIT_FAIL, "out of memory");
			break;
		}
		g->v[M_PLACES]++;
	}
	qres_free(&res);
	return rc;
}

/* The day a listing was opened: the date `hiroba volunteer add` puts in the ids it makes
 * (volunteer/YYYYMMDD-xxxxxx), which edits and closing never change; for other ids the
 * day its current version was signed. */
static int64_t
listing_opened(const struct hb_record *r)
{
	const char *id = proto_record_id(r), *p = strchr(id, '/');
	long long ymd;
	int i;

	if (p != NULL) {
		for (i = 1; i <= 8 && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == 9 && p[9] == '-') {
			ymd = strtoll(p + 1, NULL, 10);
			if (ymd >= 19900101 && ymd <= 20991231 && ymd % 100 >= 1 &&
			    ymd % 100 <= 31 && ymd / 100 % 100 >= 1 && ymd / 100 % 100 <= 12)
				return ymd;
		}
	}
	return timefmt_ymd(proto_record_created(r));
}

/* Is (author hex, id) named by a confirmed (or since ended) match of the center? */
static bool
matched(const struct report *rp, struct qres *matches, const char *hex, const char *id)
{
	json_t *m, *ref;
	const char *which[] = { "wanted", "offered" };
	size_t i, w;

	for (i = 0; i < matches->n; i++) {
		if (matches->json[i] == NULL || proto_record_kind(matches->recs[i]) != HB_MATCH ||
		    (rp->have_center && memcmp(proto_record_author(matches->recs[i]),
		    rp->center, HB_KEY_LEN) != 0))
			continue;
		m = json_object_get(matches->json[i], "match");
		if (strcmp(hc_jstr(m, "status"), "confirmed") != 0 &&
		    strcmp(hc_jstr(m, "status"), "ended") != 0)
			continue;
		for (w = 0; w < 2; w++) {
			ref = json_object_get(m, which[w]);
			if (strcmp(hc_jstr(ref, "author"), hex) == 0 && strcmp(hc_jstr(ref, "id"), id) == 0)
				return true;
		}
	}
	return false;
}

static int
count_volunteers(struct cli *cli, struct report *rp)
{
	struct qres res, matches;
	struct gstat *g;
	int64_t ymd, ys = (int64_t)rp->fy * 10000 + 401, ye = (int64_t)(rp->fy + 1) * 10000 + 401;
	const char *status;
	char hex[HB_KEYHEX_LEN];
	size_t i;
	int rc;

	if ((rc = query(cli, HB_VOLUNTEER, 0, 0, &res)) != 0)
		return rc;
	if ((rc = query(cli, HB_MATCH, 0, 0, &matches)) != 0) {
		qres_free(&res);
		return rc;
	}
	for (i = 0; i < res.n; i++) {
		if (res.json[i] == NULL || proto_record_kind(res.recs[i]) != HB_VOLUNTEER)
			continue;
		ymd = listing_opened(res.recs[i]);
		if (ymd < ys || ymd >= ye)
			continue;
		if ((g = group_get(cli, rp, proto_record_author(res.recs[i]))) == NULL) {
			rc = cli_error(HB_EXIT_FAIL, "out of memory");
			break;
		}
		g->v[M_VOL_OPENED]++;
		status = hc_jstr(json_object_get(res.json[i], "volunteer"), "status");
		proto_key_hex(proto_record_author(res.recs[i]), hex);
		if (strcmp(status, "filled") == 0 || (strcmp(status, "closed") == 0 &&
		    matched(rp, &matches, hex, proto_record_id(res.recs[i]))))
			g->v[M_VOL_FILLED]++;
	}
	qres_free(&matches);
	qres_free(&res);
	return rc;
}

/* Meetings held in the year; a group attended one when it replied attending=true. */
static int
count_meetings(struct cli *cli, struct report *rp)
{
	struct qres res, replies;
	struct gstat *g, *a;
	const uint8_t *rauthor, *dauthor;
	const char *rid, *did;
	size_t k, i, j, d;
	json_t *mj, *rj, *names;
	long yes, no;
	char when[48];
	int rc;

	if ((rc = query(cli, HB_MEETING, rp->from, rp->to, &res)) != 0)
		return rc;
	if ((rc = query(cli, HB_REPLY, 0, 0, &replies)) != 0) {
		qres_free(&res);
		return rc;
	}
	for (k = 0; k < res.resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res.resp->occurrences[k];

		if ((i = oc->index) >= res.n || res.json[i] == NULL ||
		    proto_record_kind(res.recs[i]) != HB_MEETING || !in_fy(rp, oc->start))
			continue;
		if ((g = group_get(cli, rp, proto_record_author(res.recs[i]))) == NULL)
			goto oom;
		if (oc->start >= rp->now) {	/* not held yet: planned, and not listed */
			g->v[M_MTG_PLANNED]++;
			continue;
		}
		g->v[M_MTG_HELD]++;
		yes = no = 0;
		names = json_array();
		for (j = 0; j < replies.n; j++) {
			if (replies.recs[j] == NULL ||
			    proto_record_reply_to(replies.recs[j], &rauthor, &rid) != 0 ||
			    memcmp(rauthor, proto_record_author(res.recs[i]), HB_KEY_LEN) != 0 ||
			    strcmp(rid, proto_record_id(res.recs[i])) != 0)
				continue;
			rj = json_object_get(replies.json[j], "reply");
			if (!json_is_true(json_object_get(rj, "attending"))) {
				no++;
				continue;
			}
			/* `meeting reply` keeps one reply per group and meeting, but a
			 * group could publish a second one by hand: count groups, not
			 * replies. */
			for (d = 0; d < j; d++)
				if (replies.recs[d] != NULL && proto_record_reply_to(replies.recs[d],
				    &dauthor, &did) == 0 && memcmp(dauthor, rauthor, HB_KEY_LEN) == 0 &&
				    strcmp(did, rid) == 0 && memcmp(proto_record_author(replies.recs[d]),
				    proto_record_author(replies.recs[j]), HB_KEY_LEN) == 0 &&
				    json_is_true(json_object_get(json_object_get(replies.json[d],
				    "reply"), "attending")))
					break;
			if (d < j)
				continue;
			if ((a = group_get(cli, rp, proto_record_author(replies.recs[j]))) == NULL)
				goto oom;
			/* group_get may have moved g */
			g = group_get(cli, rp, proto_record_author(res.recs[i]));
			a->v[M_MTG_ATTENDED]++;
			g->v[M_MTG_GROUPS]++;
			yes++;
			json_array_append_new(names, json_string(a->name));
		}
		timefmt_local(oc->start, when, sizeof(when));
		mj = json_object_get(res.json[i], "meeting");
		json_array_append_new(rp->meetings, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, "
		    "s:i, s:i, s:i, s:o}", "author", hc_jstr(res.json[i], "author"), "id",
		    proto_record_id(res.recs[i]), "group", g->name, "title",
		    text_lang(cli, mj, "title", "title"), "start", (json_int_t)oc->start,
		    "when", when, "invited", (int)json_array_size(json_object_get(mj, "invited")),
		    "attending", (int)yes, "absent", (int)no, "attending_groups", names));
	}
	/* Groups that came to at least one meeting. */
	for (i = 0; i < rp->ng; i++)
		if (rp->g[i].v[M_MTG_ATTENDED] > 0)
			rp->groups_any++;
	qres_free(&replies);
	qres_free(&res);
	return 0;
oom:
	qres_free(&replies);
	qres_free(&res);
	return cli_error(HB_EXIT_FAIL, "out of memory");
}

/* ---- output ---- */

struct row {
	int		 m;
	const char	*ja, *en;
};

static const char *const month_ja[12] = { "4月", "5月", "6月", "7月", "8月", "9月", "10月",
	"11月", "12月", "1月", "2月", "3月" };
static const char *const month_en[12] = { "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec", "Jan", "Feb", "Mar" };

static const struct row rows_head[] = {
	{ M_HELD, "開催回数", "events held" },
	{ M_PLANNED, "開催予定", "events planned" },
	{ M_CANCELLED, "中止", "cancelled" },
};
static const struct row rows_tail[] = {
	{ M_EXPECTED, "予定人数（申込、なければ定員）", "expected (registered, else capacity)" },
	{ M_ATTENDED, "参加人数", "attended" },
	{ M_UNRECORDED, "参加人数未記入（回）", "attendance not recorded (events)" },
	{ M_PRE_HELD, "プレママ・プレパパ 開催", "pre-parent programmes held" },
	{ M_PRE_ATTENDED, "プレママ・プレパパ 参加", "pre-parent attendance" },
	{ M_FATHER_HELD, "父親向け 開催", "father programmes held" },
	{ M_FATHER_ATTENDED, "父親向け 参加", "father attendance" },
	{ M_PLACES, "支援マップ掲載", "support-map places" },
	{ M_VOL_OPENED, "ボランティア 登録", "volunteer listings opened" },
	{ M_VOL_FILLED, "ボランティア 成立", "volunteer listings filled" },
	{ M_MTG_HELD, "会議 開催", "meetings held" },
	{ M_MTG_PLANNED, "会議 予定", "meetings planned" },
	{ M_MTG_GROUPS, "会議 出席団体（延べ）", "meeting attendances (groups)" },
	{ M_MTG_ATTENDED, "会議 出席回数", "meetings attended" },
};

/* Every row of the table and the CSV, in order: label (static or in buf) and slot. */
static int
row_at(struct cli *cli, size_t r, const char **label, char *buf, size_t len)
{
	const size_t nh = sizeof(rows_head) / sizeof(rows_head[0]);
	const size_t nt = sizeof(rows_tail) / sizeof(rows_tail[0]);
	bool ja = lang_ja(cli);

	if (r < nh) {
		*label = ja ? rows_head[r].ja : rows_head[r].en;
		return rows_head[r].m;
	}
	r -= nh;
	if (r < NCAT) {
		snprintf(buf, len, "%s%s", ja ? "区分: " : "category: ",
		    vocab_label_lang(cli, vocab_category, vocab_category[r].json));
		*label = buf;
		return M_CAT + (int)r;
	}
	r -= NCAT;
	if (r < 12) {
		snprintf(buf, len, "%s%s", ja ? "月別: " : "month: ", ja ? month_ja[r] : month_en[r]);
		*label = buf;
		return M_MONTH + (int)r;
	}
	r -= 12;
	if (r < nt) {
		*label = ja ? rows_tail[r].ja : rows_tail[r].en;
		return rows_tail[r].m;
	}
	return -1;
}

static json_t *
stat_json(const struct report *rp, const struct gstat *g)
{
	json_t *cat = json_object(), *mon = json_object();
	const struct vocab *v;
	char ym[16];
	int i;

	for (i = 0, v = vocab_category; v->name != NULL && i < NCAT; v++, i++)
		json_object_set_new(cat, v->name, json_integer(g->v[M_CAT + i]));
	for (i = 0; i < 12; i++) {
		snprintf(ym, sizeof(ym), "%04d-%02d", rp->fy + (i >= 9), (i + 3) % 12 + 1);
		json_object_set_new(mon, ym, json_integer(g->v[M_MONTH + i]));
	}
	return json_pack("{s:{s:I, s:I, s:I, s:o, s:o}, s:{s:I, s:I, s:I}, s:{s:I, s:I}, "
	    "s:{s:I, s:I}, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
	    "events", "held", (json_int_t)g->v[M_HELD], "planned",
	    (json_int_t)g->v[M_PLANNED], "cancelled",
	    (json_int_t)g->v[M_CANCELLED], "by_category", cat, "by_month", mon,
	    "participants", "expected", (json_int_t)g->v[M_EXPECTED], "attended",
	    (json_int_t)g->v[M_ATTENDED], "unrecorded", (json_int_t)g->v[M_UNRECORDED],
	    "pre_parent", "held", (json_int_t)g->v[M_PRE_HELD], "attended",
	    (json_int_t)g->v[M_PRE_ATTENDED],
	    "father", "held", (json_int_t)g->v[M_FATHER_HELD], "attended",
	    (json_int_t)g->v[M_FATHER_ATTENDED],
	    "places", (json_int_t)g->v[M_PLACES],
	    "volunteers", "opened", (json_int_t)g->v[M_VOL_OPENED], "filled",
	    (json_int_t)g->v[M_VOL_FILLED],
	    "meetings", "held", (json_int_t)g->v[M_MTG_HELD], "planned",
	    (json_int_t)g->v[M_MTG_PLANNED], "attending_groups",
	    (json_int_t)g->v[M_MTG_GROUPS], "attended", (json_int_t)g->v[M_MTG_ATTENDED]);
}

static int
print_json(struct report *rp)
{
	char label[32], from[24], to[24];
	json_t *o, *groups = json_array(), *net, *gj;
	size_t i;

	fy_label(rp->fy, label, sizeof(label));
	snprintf(from, sizeof(from), "%04d-04-01", rp->fy);
	snprintf(to, sizeof(to), "%04d-03-31", rp->fy + 1);
	for (i = 0; i < rp->ng; i++) {
		if ((gj = stat_json(rp, &rp->g[i])) == NULL)
			continue;
		json_object_set_new(gj, "group", json_string(rp->g[i].name));
		json_object_set_new(gj, "author", json_string(rp->g[i].hex));
		json_array_append_new(groups, gj);
	}
	net = stat_json(rp, &rp->net);
	if (net != NULL)
		json_object_set_new(json_object_get(net, "meetings"), "groups_attending_any",
		    json_integer(rp->groups_any));
	o = json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:O}", "fy", rp->fy, "label", label,
	    "from", from, "to", to, "groups", groups, "network", net, "meetings",
	    rp->meetings);
	if (o == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	json_line(o);
	return 0;
}

static void
csv_cell(FILE *f, bool first, const char *s)
{
	const char *p;
	bool neutral = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;

	if (!first)
		fputc(',', f);
	/* Group names come from other groups: never let Excel take one for a formula. */
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ') {
		fprintf(f, "%s%s", neutral ? "'" : "", s);
		return;
	}
	fputs(neutral ? "\"'" : "\"", f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static int
print_rows(struct cli *cli, struct report *rp, bool csv)
{
	struct table *t = NULL;
	const char **cells;
	char label[64], buf[96], (*num)[24];
	size_t r, i, nc = rp->ng + 2;
	bool ja = lang_ja(cli);
	int m, rc = 0;

	if ((cells = calloc(nc, sizeof(*cells))) == NULL ||
	    (num = calloc(nc, sizeof(*num))) == NULL) {
		free(cells);
		return cli_error(HB_EXIT_FAIL, "out of memory");
	}
	if (csv) {
		fputs("\xEF\xBB\xBF", stdout);	/* the BOM: Excel reads UTF-8 only with it */
		csv_cell(stdout, true, ja ? "項目" : "item");
		for (i = 0; i < rp->ng; i++)
			csv_cell(stdout, false, rp->g[i].name);
		csv_cell(stdout, false, ja ? "ネットワーク計" : "network");
		fputs("\r\n", stdout);
	} else {
		fy_label(rp->fy, label, sizeof(label));
		printf("%s %s（%04d-04-01〜%04d-03-31）\n\n", label,
		    ja ? "事業報告" : "report", rp->fy, rp->fy + 1);
		t = table_new(cli);
		table_col(t, ja ? "項目" : "item", TABLE_TRUNC);
		for (i = 0; i < rp->ng; i++)
			table_col(t, rp->g[i].name, TABLE_RIGHT);
		table_col(t, ja ? "ネットワーク計" : "network", TABLE_RIGHT);
	}
	for (r = 0; (m = row_at(cli, r, &cells[0], buf, sizeof(buf))) >= 0; r++) {
		for (i = 0; i < rp->ng; i++) {
			snprintf(num[i + 1], sizeof(num[0]), "%ld", rp->g[i].v[m]);
			cells[i + 1] = num[i + 1];
		}
		snprintf(num[nc - 1], sizeof(num[0]), "%ld", rp->net.v[m]);
		cells[nc - 1] = num[nc - 1];
		if (csv) {
			for (i = 0; i < nc; i++)
				csv_cell(stdout, i == 0, cells[i]);
			fputs("\r\n", stdout);
		} else
			table_rowv(t, NULL, cells);
	}
	if (!csv) {
		rc = table_print(&t);
		if (rc == 0 && json_array_size(rp->meetings) > 0) {
			json_t *mj;

			printf("\n%s\n", ja ? "会議" : "meetings");
			t = table_new(cli);
			table_col(t, ja ? "参照" : "ref", TABLE_KEEP);
			table_col(t, ja ? "日時" : "when", 0);
			table_col(t, ja ? "タイトル" : "title", TABLE_TRUNC);
			table_col(t, ja ? "招集" : "called by", TABLE_TRUNC | TABLE_LOW);
			table_col(t, ja ? "招待" : "invited", TABLE_RIGHT);
			table_col(t, ja ? "出席" : "attending", TABLE_RIGHT);
			table_col(t, ja ? "欠席" : "absent", TABLE_RIGHT);
			json_array_foreach(rp->meetings, i, mj) {
				char inv[16], yes[16], no[16], ref[REF_BUFLEN] = "-";
				uint8_t key[HB_KEY_LEN];

				snprintf(inv, sizeof(inv), "%" JSON_INTEGER_FORMAT,
				    json_integer_value(json_object_get(mj, "invited")));
				snprintf(yes, sizeof(yes), "%" JSON_INTEGER_FORMAT,
				    json_integer_value(json_object_get(mj, "attending")));
				snprintf(no, sizeof(no), "%" JSON_INTEGER_FORMAT,
				    json_integer_value(json_object_get(mj, "absent")));
				if (proto_key_parse(hc_jstr(mj, "author"), key) == 0)
					ref_short(cli, key, hc_jstr(mj, "id"), ref, sizeof(ref));
				table_row(t, NULL, ref, hc_jstr(mj, "when"), hc_jstr(mj, "title"),
				    hc_jstr(mj, "group"), inv, yes, no);
			}
			rc = table_print(&t);
		}
	}
	free(num);
	free(cells);
	return rc;
}

int
cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fy", required_argument, NULL, 'y' },
		{ "csv", no_argument, NULL, 'C' },
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct report rp;
	struct roster ro = { 0 };
	struct gstat *g;
	bool csv = false;
	int64_t now = (int64_t)time(NULL), ymd;
	size_t i;
	int c, rc, m;

	memset(&rp, 0, sizeof(rp));
	rp.fy = -1;
	rp.now = now;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			if ((rp.fy = fy_parse(optarg)) < 0)
				return cli_usage(cli, "--fy '%s': a fiscal year such as 2024, "
				    "2024年度, 令和6年度 or R6 (April to March)", optarg);
			break;
		case 'C':
			csv = true;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (csv && cli->json)
		return cli_usage(cli, "--csv or --json, not both");
	if (rp.fy < 0) {	/* the fiscal year we are in */
		ymd = timefmt_ymd(now);
		rp.fy = (int)(ymd / 10000) - (ymd / 100 % 100 < 4);
	}
	rp.from = timefmt_ymd_start((int64_t)rp.fy * 10000 + 401);
	rp.to = timefmt_ymd_start((int64_t)(rp.fy + 1) * 10000 + 401);
	if ((rp.meetings = json_array()) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	/* Every admitted group has a column, even one with nothing to count. */
	if ((rc = roster_load(cli, &ro)) != 0)
		goto out;
	rp.have_center = ro.has_center;
	memcpy(rp.center, ro.center, HB_KEY_LEN);
	for (i = 0; i < ro.n; i++) {
		if (ro.m[i].status != 1)
			continue;
		if ((g = group_get(cli, &rp, ro.m[i].key)) == NULL) {
			rc = cli_error(HB_EXIT_FAIL, "out of memory");
			goto out;
		}
	}
	if ((rc = count_events(cli, &rp)) != 0 || (rc = count_places(cli, &rp)) != 0 ||
	    (rc = count_volunteers(cli, &rp)) != 0 || (rc = count_meetings(cli, &rp)) != 0)
		goto out;
	for (i = 0; i < rp.ng; i++) {
		g = &rp.g[i];
		g->center = ro.has_center && memcmp(g->key, ro.center, HB_KEY_LEN) == 0;
		for (m = 0; m < M_N; m++)
			rp.net.v[m] += g->v[m];
	}
	qsort(rp.g, rp.ng, sizeof(*rp.g), group_cmp);
	if (cli->json)
		rc = print_json(&rp);
	else
		rc = print_rows(cli, &rp, csv);
out:
	roster_free(&ro);
	json_decref(rp.meetings);
	free(rp.g);
	return rc;
}
