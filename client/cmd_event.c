/* SPDX-License-Identifier: ISC */
/*
 * hiroba event add|edit|cancel|done and hiroba events: this group's events, and every
 * group's events in time order. Also the helpers meetings share: times and places.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hiroba.h"

int
opt_time(struct cli *cli, const char *opt, const char *s, bool is_end, int64_t *t)
{
	bool date_only;

	if (timefmt_parse(s, t, &date_only) != 0)
		return cli_usage(cli, "%s '%s': %s", opt, s, timefmt_error());
	/* "--to 2026-12-31" means up to the end of that day. */
	if (is_end && date_only)
		*t += 86400;
	return 0;
}

/* Set obj.when from --start/--end/--all-day; absent options keep what obj has. */
int
when_apply(struct cli *cli, json_t *obj, const char *start, const char *end, int all_day)
{
	json_t *when = json_object_get(obj, "when");
	int64_t s, e, old_s = 0, old_e = 0;
	bool old_all_day = false, date_only = false, ad;
	int minutes;

	if (start == NULL && end == NULL && all_day < 0)
		return 0;
	if (json_is_object(when)) {
		old_all_day = json_is_true(json_object_get(when, "all_day"));
		old_s = json_integer_value(json_object_get(when, "start"));
		old_e = json_integer_value(json_object_get(when, "end"));
	}
	ad = all_day >= 0 ? all_day : old_all_day;
	if (start != NULL) {
		if (timefmt_parse(start, &s, &date_only) != 0)
			return cli_usage(cli, "--start '%s': %s", start, timefmt_error());
		if (date_only && !ad)
			return cli_usage(cli, "--start '%s' has no time of day: add one, or "
			    "give --all-day", start);
	} else if (when == NULL) {
		return cli_usage(cli, "--start is required");
	} else	/* keep the old start, as an instant */
		s = old_all_day ? timefmt_ymd_start(old_s) : old_s;

	if (ad) {
		int64_t sd = timefmt_ymd(s), ed = sd;

		if (end != NULL) {
			if (timefmt_parse(end, &e, NULL) != 0)
				return cli_usage(cli, "--end '%s': %s", end, timefmt_error());
			ed = timefmt_ymd(e);
		} else if (start == NULL && old_all_day)
			ed = old_e;
		if (ed < sd)
			return cli_usage(cli, "the event would end before it starts");
		when = json_pack("{s:b, s:I, s:I}", "all_day", 1, "start", (json_int_t)sd,
		    "end", (json_int_t)ed);
	} else {
		if (end != NULL && timefmt_parse_hm(end, &minutes) == 0)
			e = timefmt_ymd_start(timefmt_ymd(s)) + minutes * 60;
		else if (end != NULL) {
			if (timefmt_parse(end, &e, &date_only) != 0 || date_only)
				return cli_usage(cli, "--end '%s': expected HH:MM or a time such as "
				    "'2026-12-05 12:00'", end);
		} else if (start == NULL && !old_all_day && when != NULL)
			e = old_e;	/* only --all-day 0: keep the end */
		else if (start != NULL && when != NULL && !old_all_day && old_e > old_s)
			e = s + (old_e - old_s);	/* moved: keep the length */
		else
			e = s + 3600;
		if (e < s)
			return cli_usage(cli, "the event would end before it starts");
		when = json_pack("{s:I, s:I}", "start", (json_int_t)s, "end", (json_int_t)e);
	}
	if (when == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	json_object_set_new(obj, "when", when);
	return 0;
}

void
where_text_set(json_t *obj, const char *text)
{
	json_t *where = json_object_get(obj, "where");

	if (!json_is_object(where)) {
		where = json_object();
		json_object_set_new(obj, "where", where);
	}
	json_object_set_new(where, "text", json_string(text));
}

/* The words to show for a Where: its text, else the map entry it names. */
const char *
where_label(json_t *obj)
{
	json_t *where = json_object_get(obj, "where");
	const char *s;

	if ((s = json_string_value(json_object_get(where, "text"))) != NULL)
		return s;
	if ((s = json_string_value(json_object_get(json_object_get(where, "place"), "id")))
	    != NULL)
		return s;
	return "";
}

void
translation_set(json_t *obj, const char *lang, const char *field, const char *value)
{
	json_t *a = json_object_get(obj, "translations"), *t;
	size_t i;

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(obj, "translations", a);
	}
	json_array_foreach(a, i, t)
		if (strcmp(hc_jstr(t, "lang"), lang) == 0) {
			json_object_set_new(t, field, json_string(value));
			return;
		}
	json_array_append_new(a, json_pack("{s:s, s:s}", "lang", lang, field, value));
}

/* The payload object of a draft (draft.event, ...), made if missing. */
json_t *
draft_payload(json_t *draft, const char *kind)
{
	json_t *p = json_object_get(draft, kind);

	if (!json_is_object(p)) {
		p = json_object();
		json_object_set_new(draft, kind, p);
	}
	return p;
}

/* The date part of a draft's start, for generated ids. */
int64_t
draft_ymd(json_t *payload)
{
	json_t *when = json_object_get(payload, "when");
	int64_t s = json_integer_value(json_object_get(when, "start"));

	if (json_is_true(json_object_get(when, "all_day")))
		return s;
	return s != 0 ? timefmt_ymd(s) : timefmt_ymd((int64_t)time(NULL));
}

/* ---- event add / edit: the table's fields, and what is more than one option ---- */

static int
event_check(struct cli *cli, const struct form_opts *o)
{
	bool weekly = form_get(o, "recurrence.weekly") != NULL;
	bool monthly = form_get(o, "recurrence.monthly") != NULL;

	if (weekly && monthly)
		return cli_usage(cli, "--weekly or --monthly, not both");
	if (form_get(o, "recurrence.until") != NULL && !weekly && !monthly)
		return cli_usage(cli, "--until needs --weekly or --monthly");
	if (form_get(o, "recurrence.by_weekday") != NULL && !monthly)
		return cli_usage(cli, "--by-weekday needs --monthly");
	return 0;
}

/* When (--start, --end, --all-day) and Recurrence (--weekly ... --until). */
static int
event_apply(struct cli *cli, json_t *draft, const struct form_opts *o)
{
	json_t *ev = draft_payload(draft, "event"), *rec;
	const char *until_s = form_get(o, "recurrence.until");
	int freq = form_get(o, "recurrence.weekly") != NULL ? 1 :
	    form_get(o, "recurrence.monthly") != NULL ? 2 :
	    form_get(o, "recurrence.none") != NULL ? -1 : 0;
	int64_t until;
	bool date_only, all_day;
	int rc;

	if ((rc = when_apply(cli, ev, form_get(o, "when.start"), form_get(o, "when.end"),
	    form_get(o, "when.all_day") != NULL ? 1 : -1)) != 0)
		return rc;
	if (freq < 0)
		json_object_del(ev, "recurrence");
	else if (freq > 0) {
		rec = json_object_get(ev, "recurrence");
		if (until_s == NULL && !json_is_object(rec))
			return cli_usage(cli, "--%s needs --until DATE", freq == 1 ? "weekly" :
			    "monthly");
		all_day = json_is_true(json_object_get(json_object_get(ev, "when"), "all_day"));
		if (until_s != NULL) {
			if (timefmt_parse(until_s, &until, &date_only) != 0)
				return cli_usage(cli, "--until '%s': expected a date", until_s);
			/* Until the end of that day, so an occurrence on it still happens. */
			if (all_day)
				until = timefmt_ymd(until);
			else if (date_only)
				until += 86400 - 1;
		} else
			until = json_integer_value(json_object_get(rec, "until"));
		rec = json_pack("{s:s, s:I}", "freq", freq == 1 ? "weekly" : "monthly",
		    "until", (json_int_t)until);
		if (rec == NULL)
			return cli_error(HB_EXIT_FAIL, "out of memory");
		if (form_get(o, "recurrence.by_weekday") != NULL)
			json_object_set_new(rec, "by_weekday", json_true());
		json_object_set_new(ev, "recurrence", rec);
	}
	return 0;
}

const struct form event_form = { HB_EVENT, true, event_check, event_apply, NULL };

/* cancel and done: one field of one of our events. */
static int
event_mark(struct cli *cli, int argc, char **argv, bool done)
{
	/* each its own table: cancel takes no --attended, done no --undo */
	static const struct option done_opts[] = {
		{ "attended", required_argument, NULL, 'a' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	}, cancel_opts[] = {
		{ "undo", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *draft = NULL, *ev;
	long long attended = -1;
	bool undo = false;
	char *id = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", done ? done_opts : cancel_opts, NULL))
	    != -1) {
		switch (c) {
		case 'a':
			if ((attended = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--attended: a number of people, not '%s'",
				    optarg);
			break;
		case 'u':
			undo = true;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which event? (its ID)") :
		    N_("one event at a time"));
	if (done && attended < 0)
		return cli_usage(cli, "--attended N is required");
	if ((rc = draft_get_own(cli, argv[optind], HB_EVENT, &draft, &id)) != 0)
		goto out;
	ev = draft_payload(draft, "event");
	if (done)
		json_object_set_new(ev, "attended", json_integer(attended));
	else if (undo)
		json_object_del(ev, "cancelled");
	else
		json_object_set_new(ev, "cancelled", json_true());
	rc = draft_publish(cli, draft, id);
out:
	json_decref(draft);
	free(id);
	return rc;
}

int
cmd_event_cancel(struct cli *cli, int argc, char **argv)
{
	return event_mark(cli, argc, argv, false);
}

int
cmd_event_done(struct cli *cli, int argc, char **argv)
{
	return event_mark(cli, argc, argv, true);
}

/* The organiser keeps the registered count; anyone can then see the places left. */
int
cmd_event_register(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *draft = NULL, *ev, *cap;
	long long count = -1;
	char *id = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if ((count = cli_number(optarg, 100000)) < 0)
				return cli_usage(cli, "--count: a number of people from 0 to "
				    "100000, not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which event? (its ID)") :
		    N_("one event at a time"));
	if (count < 0)
		return cli_usage(cli, "--count N is required (how many have registered)");
	if ((rc = draft_get_own(cli, argv[optind], HB_EVENT, &draft, &id)) != 0)
		goto out;
	ev = draft_payload(draft, "event");
	cap = json_object_get(ev, "capacity");
	/* Over capacity is allowed (a waiting list), but said. */
	if (json_is_integer(cap) && count > json_integer_value(cap))
		cli_warn("%lld registered is more than the capacity of %lld", count,
		    (long long)json_integer_value(cap));
	json_object_set_new(ev, "registered", json_integer(count));
	rc = draft_publish(cli, draft, id);
out:
	json_decref(draft);
	free(id);
	return rc;
}

/* Places left of an event: capacity − registered (never below 0), or -1 without a
 * capacity; 0 for a cancelled event (no one can come, whatever its capacity said). */
static long long
event_left(json_t *ev)
{
	json_t *cap = json_object_get(ev, "capacity"), *reg = json_object_get(ev, "registered");
	long long left;

	if (json_is_true(json_object_get(ev, "cancelled")))
		return 0;
	if (!json_is_integer(cap))
		return -1;
	left = json_integer_value(cap) - (json_is_integer(reg) ? json_integer_value(reg) : 0);
	return left > 0 ? left : 0;
}

/* ---- events ---- */

int
cmd_events(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ "audience", required_argument, NULL, 'a' },
		{ "available", no_argument, NULL, 'A' },
		QB_TIME_OPTS, QB_LIMIT_OPT, QB_LIST_OPTS, QB_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct qb b;
	Hiroba__Wire__Query *q = &b.q;
	char span[96], cap[32], left[32], ref[REF_BUFLEN];
	bool available = false;
	long long nleft, shown = 0;
	int64_t now = (int64_t)time(NULL);
	struct table *t = NULL;
	struct qres res;
	bool cancelled, all_day;
	json_t *j, *ev;
	size_t i, k;
	int c, rc;

	qb_init(&b, HB_EVENT);
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'A')
			available = true;
		else if (c == 'c' || c == 'a') {
			if ((rc = qb_enum(cli, &b, c == 'c' ? vocab_category : vocab_audience,
			    c == 'c' ? "category" : "audience", c == 'c' ? "cat" : "aud",
			    optarg)) != 0)
				goto out;
		} else if ((rc = qb_opt(cli, &b, c, argv)) >= 0)
			goto out;
	}
	if ((rc = qb_done(cli, &b, argc, argv)) != 0)
		goto out;
	if (!b.have_from)
		q->from = now;
	if (!b.have_to)
		q->to = q->from + 30 * 86400;
	if (q->to <= q->from) {
		rc = cli_usage(cli, "--to is not after --from");
		goto out;
	}
	q->has_from = q->has_to = 1;
	if (available)	/* counted below, after the full ones are left out */
		q->has_limit = 0;
	if ((rc = hc_query_open(cli, q, &res)) != 0)
		goto out;
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);
		table_col(t, "日時", 0);
		table_col(t, "区分", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "タイトル", TABLE_TRUNC);
		table_col(t, "場所", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "定員", TABLE_RIGHT);
		table_col(t, "残り", TABLE_RIGHT);
		table_col(t, "グループ", TABLE_TRUNC);
	}
	for (k = 0; k < res.resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res.resp->occurrences[k];

		if ((i = oc->index) >= res.n || res.json[i] == NULL ||
		    proto_record_kind(res.recs[i]) != HB_EVENT)
			continue;
		ev = json_object_get(res.json[i], "event");
		cancelled = json_is_true(json_object_get(ev, "cancelled"));
		nleft = event_left(ev);
		/* --available: places left, or no capacity to run out of; never cancelled. */
		if (available && (cancelled || nleft == 0))
			continue;
		if (available && b.limit > 0 && shown >= b.limit)
			break;
		shown++;
		ref_record(cli, res.recs[i], ref, sizeof(ref));
		if (cli->json) {
			if ((j = json_deep_copy(res.json[i])) != NULL) {
				json_object_set_new(j, "ref_short", json_string(ref));
				json_object_set_new(j, "occurrence", json_pack("{s:I, s:I}",
				    "start", (json_int_t)oc->start, "end", (json_int_t)oc->end));
				if (nleft >= 0)
					json_object_set_new(j, "left", json_integer(nleft));
			}
			json_line(j);
			continue;
		}
		all_day = json_is_true(json_object_get(json_object_get(ev, "when"), "all_day"));
		timefmt_span(oc->start, oc->end, all_day, span, sizeof(span));
		if (json_is_integer(json_object_get(ev, "capacity")))
			snprintf(cap, sizeof(cap), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(ev, "capacity")));
		else
			snprintf(cap, sizeof(cap), "-");
		if (nleft >= 0)
			snprintf(left, sizeof(left), "%lld", nleft);
		else
			snprintf(left, sizeof(left), "-");
		{
			char title[512];

			snprintf(title, sizeof(title), "%s%s", cancelled ? "【中止】" : "",
			    text_lang(cli, ev, "title", "title"));
			table_row(t, cancelled ? "red" : NULL, ref, span,
			    vocab_label_lang(cli, vocab_category,
			    json_string_value(json_object_get(ev, "category"))),
			    title, where_label(ev), cap, left,
			    json_string_value(json_object_get(res.json[i], "group")));
		}
	}
	if (t != NULL)
		rc = table_print(&t);
	qres_free(&res);
out:
	qb_free(&b);
	return rc;
}
