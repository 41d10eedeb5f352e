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
		return cli_usage(cli, "%s '%s': %s", opt, s, timefmt_error());	/* japanese */
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
			return cli_usage(cli, "--start '%s': %s", start,
			    timefmt_error());	/* japanese: what was understood */
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
				return cli_usage(cli, "--end '%s': expected a date", end);
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
		if (strcmp(jstr(t, "lang"), lang) == 0) {
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

/* ---- event add / edit ---- */

struct event_opts {
	const char	*file, *id, *title, *start, *end, *category, *place, *audience;
	const char	*title_en, *description, *contact, *until;
	long long	 capacity, fee;
	int		 all_day;	/* -1 not given */
	int		 freq;		/* 0, 1 weekly, 2 monthly, -1: --no-repeat */
	bool		 by_weekday;
	int		 given;		/* how many changing options */
};

enum { O_TITLE = 256, O_START, O_END, O_ALLDAY, O_CAT, O_PLACE, O_CAP, O_WEEKLY, O_MONTHLY,
	O_BYWD, O_UNTIL, O_AUD, O_TITLE_EN, O_ID, O_DESC, O_FEE, O_CONTACT, O_NOREPEAT };

static int
event_parse(struct cli *cli, int argc, char **argv, struct event_opts *o)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, O_TITLE },
		{ "start", required_argument, NULL, O_START },
		{ "end", required_argument, NULL, O_END },
		{ "all-day", no_argument, NULL, O_ALLDAY },
		{ "category", required_argument, NULL, O_CAT },
		{ "place-text", required_argument, NULL, O_PLACE },
		{ "capacity", required_argument, NULL, O_CAP },
		{ "weekly", no_argument, NULL, O_WEEKLY },
		{ "monthly", no_argument, NULL, O_MONTHLY },
		{ "by-weekday", no_argument, NULL, O_BYWD },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "no-repeat", no_argument, NULL, O_NOREPEAT },
		{ "audience", required_argument, NULL, O_AUD },
		{ "title-en", required_argument, NULL, O_TITLE_EN },
		{ "description", required_argument, NULL, O_DESC },
		{ "fee", required_argument, NULL, O_FEE },
		{ "contact", required_argument, NULL, O_CONTACT },
		{ "id", required_argument, NULL, O_ID },
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->capacity = o->fee = -1;
	o->all_day = -1;
	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		if (c >= O_TITLE && c != O_ID)
			o->given++;
		switch (c) {
		case 'f': o->file = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_TITLE: o->title = optarg; break;
		case O_START: o->start = optarg; break;
		case O_END: o->end = optarg; break;
		case O_ALLDAY: o->all_day = 1; break;
		case O_PLACE: o->place = optarg; break;
		case O_TITLE_EN: o->title_en = optarg; break;
		case O_DESC: o->description = optarg; break;
		case O_CONTACT: o->contact = optarg; break;
		case O_UNTIL: o->until = optarg; break;
		case O_BYWD: o->by_weekday = true; break;
		case O_WEEKLY:
		case O_MONTHLY:
			if (o->freq != 0)
				return cli_usage(cli, "--weekly or --monthly, not both");
			o->freq = c == O_WEEKLY ? 1 : 2;
			break;
		case O_NOREPEAT: o->freq = -1; break;
		case O_CAT:
			if (vocab_find(vocab_category, optarg) == NULL)
				return cli_usage(cli, "unknown --category '%s' (see `hiroba help "
				    "event add`)", optarg);
			o->category = optarg;
			break;
		case O_AUD:
			o->audience = optarg;
			break;
		case O_CAP:
			if ((o->capacity = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--capacity: a number of people, not '%s'",
				    optarg);
			break;
		case O_FEE:
			if ((o->fee = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--fee: yen, not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (o->until != NULL && o->freq <= 0)
		return cli_usage(cli, "--until needs --weekly or --monthly");
	if (o->by_weekday && o->freq != 2)
		return cli_usage(cli, "--by-weekday needs --monthly");
	return -1;
}

static int
event_apply(struct cli *cli, json_t *draft, const struct event_opts *o)
{
	json_t *ev = draft_payload(draft, "event"), *a, *rec;
	int64_t until;
	bool date_only, all_day;
	int rc;

	if (o->title != NULL)
		json_object_set_new(ev, "title", json_string(o->title));
	if ((rc = when_apply(cli, ev, o->start, o->end, o->all_day)) != 0)
		return rc;
	if (o->category != NULL)
		json_object_set_new(ev, "category",
		    json_string(vocab_find(vocab_category, o->category)->json));
	if (o->place != NULL)
		where_text_set(ev, o->place);
	if (o->capacity >= 0)
		json_object_set_new(ev, "capacity", json_integer(o->capacity));
	if (o->fee >= 0)
		json_object_set_new(ev, "fee_yen", json_integer(o->fee));
	if (o->description != NULL)
		json_object_set_new(ev, "description", json_string(o->description));
	if (o->contact != NULL)
		json_object_set_new(ev, "contact", json_string(o->contact));
	if (o->title_en != NULL)
		translation_set(ev, "en", "title", o->title_en);
	if (o->audience != NULL) {
		if ((a = vocab_list(cli, vocab_audience, "audience", o->audience)) == NULL)
			return HB_EXIT_USAGE;
		json_object_set_new(ev, "audience", a);
	}
	if (o->freq < 0)
		json_object_del(ev, "recurrence");
	else if (o->freq > 0) {
		rec = json_object_get(ev, "recurrence");
		if (o->until == NULL && !json_is_object(rec))
			return cli_usage(cli, "--%s needs --until DATE", o->freq == 1 ? "weekly" :
			    "monthly");
		all_day = json_is_true(json_object_get(json_object_get(ev, "when"), "all_day"));
		if (o->until != NULL) {
			if (timefmt_parse(o->until, &until, &date_only) != 0)
				return cli_usage(cli, "--until '%s': expected a date", o->until);
			/* Until the end of that day, so an occurrence on it still happens. */
			if (all_day)
				until = timefmt_ymd(until);
			else if (date_only)
				until += 86400 - 1;
		} else
			until = json_integer_value(json_object_get(rec, "until"));
		rec = json_pack("{s:s, s:I}", "freq", o->freq == 1 ? "weekly" : "monthly",
		    "until", (json_int_t)until);
		if (rec == NULL)
			return cli_error(HB_EXIT_FAIL, "out of memory");
		if (o->by_weekday)
			json_object_set_new(rec, "by_weekday", json_true());
		json_object_set_new(ev, "recurrence", rec);
	}
	return 0;
}

int
cmd_event_add(struct cli *cli, int argc, char **argv)
{
	struct event_opts o;
	json_t *draft = NULL;
	int rc;

	if ((rc = event_parse(cli, argc, argv, &o)) >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (o.file == NULL) {
		if (o.title == NULL)
			return cli_usage(cli, "--title is required");
		if (o.start == NULL)
			return cli_usage(cli, "--start is required");
		if (o.category == NULL)
			return cli_usage(cli, "--category is required (see `hiroba help event "
			    "add`)");
		draft = json_object();
	} else if ((rc = draft_read(cli, o.file, &draft)) != 0)
		return rc;
	if ((rc = event_apply(cli, draft, &o)) != 0)
		goto out;
	if ((rc = draft_set_id(draft, o.id, "event",
	    draft_ymd(draft_payload(draft, "event")))) != 0)
		goto out;
	rc = draft_publish(cli, draft, NULL);
out:
	json_decref(draft);
	return rc;
}

int
cmd_event_edit(struct cli *cli, int argc, char **argv)
{
	struct event_opts o;
	json_t *draft = NULL, *file = NULL;
	char *id = NULL;
	int rc;

	if ((rc = event_parse(cli, argc, argv, &o)) >= 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? "which event? (its ID)" :
		    "one event at a time");
	if (o.id != NULL)
		return cli_usage(cli, "an event's id cannot change (publish a new one and "
		    "delete this one)");
	if (o.given == 0 && o.file == NULL)
		return cli_usage(cli, "nothing to change: give options or -f FILE");
	if (o.file != NULL && (rc = draft_read(cli, o.file, &file)) != 0)
		return rc;
	if ((rc = draft_get_own(cli, argv[optind], HB_EVENT, &draft, &id)) != 0)
		goto out;
	if (file != NULL) {	/* the file replaces the record; the id stays */
		json_decref(draft);
		draft = file;
		file = NULL;
	}
	if ((rc = event_apply(cli, draft, &o)) == 0)
		rc = draft_publish(cli, draft, id);
out:
	json_decref(file);
	json_decref(draft);
	free(id);
	return rc;
}

/* cancel and done: one field of one of our events. */
static int
event_mark(struct cli *cli, int argc, char **argv, bool done)
{
	static const struct option opts[] = {
		{ "attended", required_argument, NULL, 'a' },
		{ "undo", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *draft = NULL, *ev;
	long long attended = -1;
	bool undo = false;
	char *id = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!done)
				return cli_usage(cli, "unknown option --attended");
			if ((attended = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--attended: a number of people, not '%s'",
				    optarg);
			break;
		case 'u':
			if (done)
				return cli_usage(cli, "unknown option --undo");
			undo = true;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? "which event? (its ID)" :
		    "one event at a time");
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
		return cli_usage(cli, argc == optind ? "which event? (its ID)" :
		    "one event at a time");
	if (count < 0)
		return cli_usage(cli, "--count N is required (how many have registered)");
	if ((rc = draft_get_own(cli, argv[optind], HB_EVENT, &draft, &id)) != 0)
		goto out;
	ev = draft_payload(draft, "event");
	cap = json_object_get(ev, "capacity");
	/* Over capacity is allowed (a waiting list), but said. */
	if (json_is_integer(cap) && count > json_integer_value(cap))
		cli_warn("%lld registered is more than the capacity of %" JSON_INTEGER_FORMAT,
		    count, json_integer_value(cap));
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
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "category", required_argument, NULL, 'c' },
		{ "audience", required_argument, NULL, 'a' },
		{ "group", required_argument, NULL, 'g' },
		{ "text", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		{ "available", no_argument, NULL, 'A' },
		{ "mine", no_argument, NULL, 'm' },	/* japanese: ref.c */
		TABLE_WIDE_OPT,				/* japanese: table.c */
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	const char *group = NULL;
	const struct vocab *v;
	char *terms[2], t_cat[64], t_aud[64], span[96], cap[32], left[32];
	char ref[REF_BUFLEN];			/* japanese: ref.c */
	bool available = false, mine = false;
	long long nleft, shown = 0;
	uint8_t author[HB_KEY_LEN];
	int64_t now = (int64_t)time(NULL);
	struct table *t = NULL;
	struct qres res;
	bool have_from = false, have_to = false, cancelled, all_day;
	long long limit = -1;
	json_t *j, *ev;
	size_t i, k;
	int c, rc;

	q.has_kind = 1;
	q.kind = HB_EVENT;
	q.terms = terms;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if ((rc = opt_time(cli, "--from", optarg, false, &q.from)) != 0)
				return rc;
			have_from = true;
			break;
		case 'T':
			if ((rc = opt_time(cli, "--to", optarg, true, &q.to)) != 0)
				return rc;
			have_to = true;
			break;
		case 'c':
			if ((v = vocab_find(vocab_category, optarg)) == NULL)
				return cli_usage(cli, "unknown --category '%s' (see `hiroba help "
				    "event add`)", optarg);
			snprintf(t_cat, sizeof(t_cat), "cat=%s", v->name);
			terms[q.n_terms++] = t_cat;
			break;
		case 'a':
			if ((v = vocab_find(vocab_audience, optarg)) == NULL)
				return cli_usage(cli, "unknown --audience '%s' (see `hiroba help "
				    "event add`)", optarg);
			snprintf(t_aud, sizeof(t_aud), "aud=%s", v->name);
			terms[q.n_terms++] = t_aud;
			break;
		case 'g':
			group = optarg;
			break;
		case 't':
			q.text = optarg;
			break;
		case 'l':
			if ((limit = cli_number(optarg, UINT32_MAX)) < 1)
				return cli_usage(cli, "--limit: a positive number");
			break;
		case 'A':
			available = true;
			break;
		case 'm':			/* japanese: ref.c */
			mine = true;
			break;
		case TABLE_OPT_WIDE:		/* japanese: table.c */
			table_set_wide(true);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (mine && (group != NULL || (rc = ref_mine(cli, &q)) != 0))	/* japanese */
		return group != NULL ? cli_usage(cli, "--mine or --group, not both") : rc;
	if (!have_from)
		q.from = now;
	if (!have_to)
		q.to = q.from + 30 * 86400;
	if (q.to <= q.from)
		return cli_usage(cli, "--to is not after --from");
	q.has_from = q.has_to = 1;
	if (limit > 0 && !available) {
		q.has_limit = 1;
		q.limit = (uint32_t)limit;
	}
	if (group != NULL) {
		if ((rc = ctl_group_parse(cli, group, author)) != 0)
			return rc;
		q.has_author = 1;
		q.author.data = author;
		q.author.len = HB_KEY_LEN;
	}
	if ((rc = ctl_query_open(cli, &q, &res)) != 0)
		return rc;
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);	/* japanese: ref.c */
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
		if (available && limit > 0 && shown >= limit)
			break;
		shown++;
		ref_record(cli, res.recs[i], ref, sizeof(ref));	/* japanese: ref.c */
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
	return rc;
}
