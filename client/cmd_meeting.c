/* SPDX-License-Identifier: ISC */
/*
 * hiroba meeting call|reply and hiroba meetings: 応援ネット and area meetings, the
 * groups' answers to them, and the list with who is coming.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hiroba.h"

enum { O_TITLE = 256, O_START, O_END, O_AGENDA, O_PLACE, O_INVITE, O_ID, O_MINUTES };

int
cmd_meeting_call(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, O_TITLE },
		{ "start", required_argument, NULL, O_START },
		{ "end", required_argument, NULL, O_END },
		{ "agenda", required_argument, NULL, O_AGENDA },
		{ "place-text", required_argument, NULL, O_PLACE },
		{ "invite", required_argument, NULL, O_INVITE },
		{ "minutes", required_argument, NULL, O_MINUTES },
		{ "id", required_argument, NULL, O_ID },
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *id = NULL, *title = NULL, *start = NULL, *end = NULL;
	const char *agenda = NULL, *place = NULL, *minutes = NULL;
	char *invite[64], *copy, *tok, *save, hex[HB_KEYHEX_LEN];
	uint8_t key[HB_KEY_LEN];
	json_t *draft = NULL, *m, *a;
	int ninvite = 0, c, rc, i;

	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case O_ID: id = optarg; break;
		case O_TITLE: title = optarg; break;
		case O_START: start = optarg; break;
		case O_END: end = optarg; break;
		case O_AGENDA: agenda = optarg; break;
		case O_PLACE: place = optarg; break;
		case O_MINUTES: minutes = optarg; break;
		case O_INVITE:
			if (ninvite == 64)
				return cli_usage(cli, "too many --invite");
			invite[ninvite++] = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (file == NULL) {
		if (title == NULL)
			return cli_usage(cli, "--title is required");
		if (start == NULL)
			return cli_usage(cli, "--start is required");
		draft = json_object();
	} else if ((rc = draft_read(cli, file, &draft)) != 0)
		return rc;
	m = draft_payload(draft, "meeting");
	if (title != NULL)
		json_object_set_new(m, "title", json_string(title));
	if (agenda != NULL)
		json_object_set_new(m, "agenda", json_string(agenda));
	if (minutes != NULL)
		json_object_set_new(m, "minutes", json_string(minutes));
	if (place != NULL)
		where_text_set(m, place);
	if ((rc = when_apply(cli, m, start, end, -1)) != 0)
		goto out;
	if (ninvite > 0) {
		a = json_array();
		json_object_set_new(m, "invited", a);
		for (i = 0; i < ninvite; i++) {
			if ((copy = strdup(invite[i])) == NULL) {
				rc = cli_error(HB_EXIT_FAIL, "out of memory");
				goto out;
			}
			save = NULL;
			for (tok = strtok_r(copy, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if ((rc = hc_group_parse(cli, tok, key)) != 0)
					break;
				proto_key_hex(key, hex);
				json_array_append_new(a, json_string(hex));
			}
			free(copy);
			if (rc != 0)
				goto out;
		}
	}
	if ((rc = draft_set_id(draft, id, "meeting", draft_ymd(m))) != 0)
		goto out;
	rc = draft_publish(cli, draft, NULL);
out:
	json_decref(draft);
	return rc;
}

int
cmd_meeting_reply(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attending", no_argument, NULL, 'y' },
		{ "absent", no_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "note", required_argument, NULL, 'N' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *note = NULL;
	char *mid = NULL, hex[HB_KEYHEX_LEN], id[64], *material = NULL;
	uint8_t author[HB_KEY_LEN], h[8];
	struct hb_record *meeting = NULL;
	long long count = -1;
	int attending = -1, c, rc;
	json_t *draft = NULL, *r;
	size_t i;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
		case 'n':
			if (attending >= 0 && attending != (c == 'y'))
				return cli_usage(cli, "--attending or --absent, not both");
			attending = c == 'y';
			break;
		case 'c':
			if ((count = cli_number(optarg, UINT32_MAX)) < 0)
				return cli_usage(cli, "--count: a number of people, not '%s'", optarg);
			break;
		case 'N':
			note = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which meeting? (AUTHORHEX/ID, "
		    "as `hiroba meetings --json` shows)") : N_("one meeting at a time"));
	if (attending < 0)
		return cli_usage(cli, "--attending or --absent is required");
	if ((rc = ref_resolve(cli, argv[optind], HB_MEETING, author, &mid)) != 0)
		goto out;
	if ((rc = hc_get(cli, author, mid, &meeting)) != 0) {
		if (rc == HB_EXIT_NOTFOUND)
			cli_error(rc, "no meeting '%s' of %s", mid, hc_group_name(cli, author));
		goto out;
	}
	if (proto_record_kind(meeting) != HB_MEETING) {
		rc = cli_error(HB_EXIT_FAIL, "'%s' is a %s, not a meeting", mid,
		    cli_kind_word(proto_record_kind(meeting)));
		goto out;
	}
	/* One reply per meeting and group: the id is derived from the meeting, so a second
	 * answer replaces the first. */
	proto_key_hex(author, hex);
	if ((material = cli_strf("%s/%s", hex, mid)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)material, strlen(material),
	    NULL, 0);
	snprintf(id, sizeof(id), "reply/");
	for (i = 0; i < sizeof(h); i++)
		snprintf(id + 6 + 2 * i, sizeof(id) - 6 - 2 * i, "%02x", h[i]);
	r = json_pack("{s:{s:s, s:s}, s:b}", "meeting", "author", hex, "id", mid, "attending",
	    attending);
	if (r != NULL && count >= 0)
		json_object_set_new(r, "count", json_integer(count));
	if (r != NULL && note != NULL)
		json_object_set_new(r, "note", json_string(note));
	draft = json_object();
	json_object_set_new(draft, "reply", r);
	rc = draft_publish(cli, draft, id);
out:
	json_decref(draft);
	hb_record_free(&meeting);
	free(material);
	free(mid);
	return rc;
}

/* Has group key replied to meeting (mauthor, mid) among replies? */
static bool
replied(const struct qres *replies, const uint8_t key[HB_KEY_LEN],
    const uint8_t mauthor[HB_KEY_LEN], const char *mid)
{
	const uint8_t *ra;
	const char *rid;
	size_t k;

	for (k = 0; k < replies->n; k++)
		if (replies->recs[k] != NULL &&
		    memcmp(proto_record_author(replies->recs[k]), key, HB_KEY_LEN) == 0 &&
		    proto_record_reply_to(replies->recs[k], &ra, &rid) == 0 &&
		    memcmp(ra, mauthor, HB_KEY_LEN) == 0 && strcmp(rid, mid) == 0)
			return true;
	return false;
}

/*
 * The invited groups that have not answered (未回答), by the rule `meeting show` lists
 * them: the meeting's invitation list, else every admitted group but the caller.
 */
static int
unanswered(const json_t *m, const uint8_t mauthor[HB_KEY_LEN], const char *mid,
    const struct roster *ro, const struct qres *replies)
{
	uint8_t key[HB_KEY_LEN];
	json_t *a, *inv = json_object_get(m, "invited");
	size_t i;
	int n = 0;

	if (json_array_size(inv) > 0) {
		json_array_foreach(inv, i, a)
			if (json_is_string(a) && proto_key_parse(json_string_value(a), key) == 0 &&
			    !replied(replies, key, mauthor, mid))
				n++;
		return n;
	}
	for (i = 0; i < ro->n; i++)
		if (ro->m[i].status == 1 && memcmp(ro->m[i].key, mauthor, HB_KEY_LEN) != 0 &&
		    !replied(replies, ro->m[i].key, mauthor, mid))
			n++;
	return n;
}

struct tally {
	int	yes, no;
	long	people;
	char	names[512];
};

int
cmd_meetings(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "group", required_argument, NULL, 'g' },
		{ "text", required_argument, NULL, 't' },
		{ "mine", no_argument, NULL, 'm' },
		TABLE_WIDE_OPT,
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT, rq = HIROBA__WIRE__QUERY__INIT;
	const char *group = NULL, *rid;
	const uint8_t *rauthor;
	uint8_t author[HB_KEY_LEN];
	int64_t now = (int64_t)time(NULL);
	bool have_from = false, have_to = false, mine = false;
	struct tally *tallies = NULL, *ty;
	struct roster ro = { 0 };
	struct qres res, replies;
	int none;
	struct table *t = NULL;
	char span[96], answers[640], ref[REF_BUFLEN];
	json_t *j, *m, *rj;
	size_t i, k, n;
	int c, rc;

	q.has_kind = 1;
	q.kind = HB_MEETING;
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
		case 'g':
			group = optarg;
			break;
		case 't':
			q.text = optarg;
			break;
		default:
			if ((rc = cli_listing_opt(cli, c, argv, &mine)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (mine && group != NULL)
		return cli_usage(cli, "--mine or --group, not both");
	if (mine && (rc = ref_mine(cli, &q)) != 0)
		return rc;
	if (!have_from)
		q.from = now - 7 * 86400;
	if (!have_to)
		q.to = q.from + (have_from ? 90 : 97) * 86400;
	if (q.to <= q.from)
		return cli_usage(cli, "--to is not after --from");
	q.has_from = q.has_to = 1;
	if (group != NULL) {
		if ((rc = hc_group_parse(cli, group, author)) != 0)
			return rc;
		q.has_author = 1;
		q.author.data = author;
		q.author.len = HB_KEY_LEN;
	}
	if ((rc = hc_query_open(cli, &q, &res)) != 0)
		return rc;
	rq.has_kind = 1;
	rq.kind = HB_REPLY;
	if ((rc = hc_query_open(cli, &rq, &replies)) != 0) {
		qres_free(&res);
		return rc;
	}
	if ((rc = roster_load(cli, &ro)) != 0)
		goto out;
	if ((tallies = calloc(res.n + 1, sizeof(*tallies))) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	/* Count the answers per meeting. */
	for (k = 0; k < replies.n; k++) {
		if (replies.recs[k] == NULL ||
		    proto_record_reply_to(replies.recs[k], &rauthor, &rid) != 0)
			continue;
		for (i = 0; i < res.n; i++) {
			if (res.recs[i] == NULL ||
			    memcmp(proto_record_author(res.recs[i]), rauthor, HB_KEY_LEN) != 0 ||
			    strcmp(proto_record_id(res.recs[i]), rid) != 0)
				continue;
			ty = &tallies[i];
			rj = json_object_get(replies.json[k], "reply");
			if (json_is_true(json_object_get(rj, "attending"))) {
				ty->yes++;
				ty->people += json_is_integer(json_object_get(rj, "count")) ?
				    (long)json_integer_value(json_object_get(rj, "count")) : 1;
			} else
				ty->no++;
			n = strlen(ty->names);
			snprintf(ty->names + n, sizeof(ty->names) - n, "%s%s%s", n ? "、" : "",
			    json_is_true(json_object_get(rj, "attending")) ? "○" : "×",
			    hc_jstr(replies.json[k], "group"));
		}
	}
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);
		table_col(t, "日時", 0);
		table_col(t, "タイトル", TABLE_TRUNC);
		table_col(t, "招集", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "場所", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "出欠", TABLE_HIGH);
		table_col(t, "回答", TABLE_TRUNC | TABLE_LOW);
	}
	for (k = 0; k < res.resp->n_occurrences; k++) {
		const Hiroba__Wire__Occurrence *oc = res.resp->occurrences[k];

		if ((i = oc->index) >= res.n || res.json[i] == NULL ||
		    proto_record_kind(res.recs[i]) != HB_MEETING)
			continue;
		ty = &tallies[i];
		m = json_object_get(res.json[i], "meeting");
		none = unanswered(m, proto_record_author(res.recs[i]), proto_record_id(res.recs[i]),
		    &ro, &replies);
		ref_record(cli, res.recs[i], ref, sizeof(ref));
		if (cli->json) {
			if ((j = json_deep_copy(res.json[i])) != NULL) {
				json_object_set_new(j, "ref_short", json_string(ref));
				json_object_set_new(j, "occurrence", json_pack("{s:I, s:I}",
				    "start", (json_int_t)oc->start, "end", (json_int_t)oc->end));
				json_object_set_new(j, "replies", json_pack("{s:i, s:i, s:i, s:I}",
				    "attending", ty->yes, "absent", ty->no, "unanswered", none,
				    "people", (json_int_t)ty->people));
			}
			json_line(j);
			continue;
		}
		timefmt_span(oc->start, oc->end, false, span, sizeof(span));
		/* the same words as `meeting show`: 出席, 欠席, 未回答 */
		snprintf(answers, sizeof(answers), "出席%d(%ld人) 欠席%d 未回答%d", ty->yes,
		    ty->people, ty->no, none);
		table_row(t, NULL, ref, span, text_lang(cli, m, "title", "title"),
		    hc_jstr(res.json[i], "group"), where_label(m), answers, ty->names);
	}
	if (t != NULL)
		rc = table_print(&t);
out:
	free(tallies);
	roster_free(&ro);
	qres_free(&replies);
	qres_free(&res);
	return rc;
}

/* ---- meeting show ---- */

/* One "  label: value" line of the header, cut to the terminal as tables are (the
 * agenda can be long); --wide or a pipe print it whole. */
static void
field(const char *label, const char *value)
{
	size_t w = table_term_width(), lw = table_text_width(label) + 4;
	char *cut = w > lw ? table_cut(value, w - lw) : NULL;

	printf("  %s: %s\n", label, cut != NULL ? cut : value);
	free(cut);
}

static const char *
L(struct cli *cli, const char *ja, const char *en)
{
	return cli->lang == NULL || strncmp(cli->lang, "ja", 2) == 0 ? ja : en;
}

/* The reply of group key among replies, or -1. */
static long
reply_of(struct qres *replies, const uint8_t key[HB_KEY_LEN])
{
	size_t j;

	for (j = 0; j < replies->n; j++)
		if (replies->recs[j] != NULL &&
		    memcmp(proto_record_author(replies->recs[j]), key, HB_KEY_LEN) == 0)
			return (long)j;
	return -1;
}

static json_t *
answer_json(struct cli *cli, struct qres *replies, const uint8_t key[HB_KEY_LEN],
    bool invited)
{
	char hex[HB_KEYHEX_LEN];
	long j = reply_of(replies, key);
	json_t *a, *rj;

	proto_key_hex(key, hex);
	a = json_pack("{s:s, s:s, s:b}", "group", hc_group_name(cli, key), "author", hex,
	    "invited", invited);
	if (a == NULL)
		return NULL;
	if (j < 0) {
		json_object_set_new(a, "answer", json_string("none"));
		return a;
	}
	rj = json_object_get(replies->json[j], "reply");
	json_object_set_new(a, "answer", json_string(json_is_true(json_object_get(rj,
	    "attending")) ? "attending" : "absent"));
	if (json_is_integer(json_object_get(rj, "count")))
		json_object_set(a, "count", json_object_get(rj, "count"));
	if (json_is_string(json_object_get(rj, "note")))
		json_object_set(a, "note", json_object_get(rj, "note"));
	return a;
}

int
cmd_meeting_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		TABLE_WIDE_OPT,
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	struct hb_record *meeting = NULL;
	struct roster ro = { 0 };
	struct qres replies = { 0 };
	struct table *t = NULL;
	uint8_t author[HB_KEY_LEN], key[HB_KEY_LEN];
	char hex[HB_KEYHEX_LEN], *mid = NULL, *term = NULL, span[96], cnt[REF_BUFLEN];
	json_t *mj = NULL, *m, *answers = NULL, *a, *inv;
	const char *ans, *s;
	long yes = 0, no = 0, none = 0, people = 0;
	size_t i, j;
	bool listed;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if (c == TABLE_OPT_WIDE)
			table_set_wide(true);
		else if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which meeting? "
		    "([AUTHORHEX/]ID, as `hiroba meetings --json` shows)") :
		    N_("one meeting at a time"));
	if ((rc = cli_read_check(cli)) != 0)
		return rc;
	if ((rc = ref_resolve(cli, argv[optind], HB_MEETING, author, &mid)) != 0)
		goto out;
	if ((rc = hc_get(cli, author, mid, &meeting)) != 0) {
		if (rc == HB_EXIT_NOTFOUND)
			cli_error(rc, "no meeting '%s' of %s", mid, hc_group_name(cli, author));
		goto out;
	}
	if (proto_record_kind(meeting) != HB_MEETING) {
		rc = cli_error(HB_EXIT_FAIL, "'%s' is a %s, not a meeting", mid,
		    cli_kind_word(proto_record_kind(meeting)));
		goto out;
	}
	proto_key_hex(author, hex);
	if ((term = cli_strf("meeting=%s/%s", hex, mid)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	q.has_kind = 1;
	q.kind = HB_REPLY;
	q.n_terms = 1;
	q.terms = &term;
	if ((rc = hc_query_open(cli, &q, &replies)) != 0)
		goto out;
	if ((mj = json_record(cli, meeting)) == NULL || (answers = json_array()) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	m = json_object_get(mj, "meeting");
	inv = json_object_get(m, "invited");
	/* The invited groups in the order of the call; without a list, every admitted group
	 * but the one that called it. */
	if (json_array_size(inv) > 0) {
		json_array_foreach(inv, i, a)
			if (json_is_string(a) && proto_key_parse(json_string_value(a), key) == 0)
				json_array_append_new(answers, answer_json(cli, &replies, key, true));
	} else {
		if ((rc = roster_load(cli, &ro)) != 0)
			goto out;
		for (i = 0; i < ro.n; i++)
			if (ro.m[i].status == 1 && memcmp(ro.m[i].key, author, HB_KEY_LEN) != 0)
				json_array_append_new(answers, answer_json(cli, &replies, ro.m[i].key,
				    true));
	}
	/* Answers from groups that were not on the list still count. */
	for (j = 0; j < replies.n; j++) {
		if (replies.recs[j] == NULL)
			continue;
		proto_key_hex(proto_record_author(replies.recs[j]), hex);
		listed = false;
		json_array_foreach(answers, i, a)
			if (strcmp(hc_jstr(a, "author"), hex) == 0)
				listed = true;
		if (!listed)
			json_array_append_new(answers, answer_json(cli, &replies,
			    proto_record_author(replies.recs[j]), false));
	}
	json_array_foreach(answers, i, a) {
		ans = hc_jstr(a, "answer");
		if (strcmp(ans, "attending") == 0) {
			yes++;
			people += json_is_integer(json_object_get(a, "count")) ?
			    (long)json_integer_value(json_object_get(a, "count")) : 1;
		} else if (strcmp(ans, "absent") == 0)
			no++;
		else
			none++;
	}
	if (cli->json) {
		json_object_set(mj, "answers", answers);
		json_object_set_new(mj, "summary", json_pack("{s:i, s:i, s:i, s:i}", "attending",
		    (int)yes, "absent", (int)no, "unanswered", (int)none, "people", (int)people));
		json_line(json_incref(mj));
		goto out;
	}
	timefmt_span(json_integer_value(json_object_get(json_object_get(m, "when"), "start")),
	    json_integer_value(json_object_get(json_object_get(m, "when"), "end")), false,
	    span, sizeof(span));
	{
		size_t w = table_term_width();
		char *cut = w > 0 ? table_cut(text_lang(cli, m, "title", "title"), w) : NULL;

		printf("%s\n", cut != NULL ? cut : text_lang(cli, m, "title", "title"));
		free(cut);
	}
	ref_record(cli, meeting, cnt, sizeof(cnt));
	field(L(cli, "参照", "ref"), cnt);
	field(L(cli, "日時", "when"), span);
	if (*(s = where_label(m)) != '\0')
		field(L(cli, "場所", "where"), s);
	field(L(cli, "招集", "called by"), hc_jstr(mj, "group"));
	if (*(s = text_lang(cli, m, "description", "agenda")) != '\0')
		field(L(cli, "議題", "agenda"), s);
	printf("  %s: %s %ld (%ld%s)  %s %ld  %s %ld\n\n", L(cli, "回答", "answers"),
	    L(cli, "出席", "attending"), yes, people, L(cli, "人", " people"),
	    L(cli, "欠席", "absent"), no, L(cli, "未回答", "no answer"), none);
	t = table_new(cli);
	table_col(t, L(cli, "グループ", "group"), TABLE_TRUNC);
	table_col(t, L(cli, "回答", "answer"), TABLE_TRUNC);
	table_col(t, L(cli, "人数", "people"), TABLE_RIGHT);
	table_col(t, L(cli, "メモ", "note"), TABLE_WRAP);
	json_array_foreach(answers, i, a) {
		char label[64];

		ans = hc_jstr(a, "answer");
		snprintf(label, sizeof(label), "%s%s", strcmp(ans, "attending") == 0 ?
		    L(cli, "出席", "attending") : strcmp(ans, "absent") == 0 ?
		    L(cli, "欠席", "absent") : L(cli, "未回答", "no answer"),
		    json_is_true(json_object_get(a, "invited")) ? "" :
		    L(cli, "（招待外）", " (not invited)"));
		if (json_is_integer(json_object_get(a, "count")))
			snprintf(cnt, sizeof(cnt), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(a, "count")));
		else
			snprintf(cnt, sizeof(cnt), "-");
		table_row(t, strcmp(ans, "none") == 0 ? "yellow" : NULL, hc_jstr(a, "group"), label,
		    cnt, hc_jstr(a, "note"));
	}
	rc = table_print(&t);
	if (rc == 0 && *hc_jstr(m, "minutes") != '\0')
		printf("\n%s:\n%s\n", L(cli, "議事録", "minutes"), hc_jstr(m, "minutes"));
	if (rc == 0 && json_array_size(json_object_get(m, "actions")) > 0) {
		printf("\n%s:\n", L(cli, "対応事項", "actions"));
		json_array_foreach(json_object_get(m, "actions"), i, a)
			printf("  %zu. %s\n", i + 1, json_string_value(a));
	}
out:
	json_decref(answers);
	json_decref(mj);
	qres_free(&replies);
	roster_free(&ro);
	hb_record_free(&meeting);
	free(term);
	free(mid);
	return rc;
}

/* ---- meeting minutes ---- */

#define MINUTES_FILE_MAX	(64 * 1024)

/* The minutes from a text file: CRLF (Notepad) becomes LF, trailing newlines go. */
static int
minutes_read(struct cli *cli, const char *path, char **out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf, *r, *w;
	size_t n;

	*out = NULL;
	if (f == NULL)
		return cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
	if ((buf = malloc(MINUTES_FILE_MAX + 1)) == NULL) {
		if (f != stdin)
			fclose(f);
		return cli_error(HB_EXIT_FAIL, "out of memory");
	}
	n = fread(buf, 1, MINUTES_FILE_MAX + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > MINUTES_FILE_MAX) {
		free(buf);
		return cli_error(HB_EXIT_FAIL, "%s: too long for minutes (at most 8000 bytes)",
		    path);
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		return cli_error(HB_EXIT_FAIL, "%s: not a text file", path);
	}
	if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)	/* a BOM */
		memmove(buf, buf + 3, n - 2);
	for (r = w = buf; *r != '\0'; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	while (w > buf && w[-1] == '\n')
		w--;
	*w = '\0';
	*out = buf;
	return 0;
}

int
cmd_meeting_minutes(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "minutes", required_argument, NULL, 'm' },
		{ "file", required_argument, NULL, 'f' },
		{ "action", required_argument, NULL, 'a' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *text = NULL, *file = NULL, *actions[32];
	char *id = NULL, *fromfile = NULL;
	json_t *draft = NULL, *m, *a;
	int nactions = 0, c, rc, i;

	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			text = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'a':
			if (nactions == 32)
				return cli_usage(cli, "at most 32 --action");
			if (*optarg == '\0')
				return cli_usage(cli, "--action: an empty action");
			actions[nactions++] = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which meeting? (its ID)") :
		    N_("one meeting at a time"));
	if (text != NULL && file != NULL)
		return cli_usage(cli, "--minutes or -f FILE, not both");
	if (text == NULL && file == NULL && nactions == 0)
		return cli_usage(cli, "nothing to record: give --minutes TEXT, -f FILE or "
		    "--action TEXT");
	if (file != NULL && (rc = minutes_read(cli, file, &fromfile)) != 0)
		return rc;
	if ((rc = draft_get_own(cli, argv[optind], HB_MEETING, &draft, &id)) != 0)
		goto out;
	m = draft_payload(draft, "meeting");
	if (text != NULL || fromfile != NULL)
		json_object_set_new(m, "minutes", json_string(text != NULL ? text : fromfile));
	if (nactions > 0) {
		a = json_array();
		for (i = 0; i < nactions; i++)
			json_array_append_new(a, json_string(actions[i]));
		json_object_set_new(m, "actions", a);
	}
	rc = draft_publish(cli, draft, id);
out:
	json_decref(draft);
	free(fromfile);
	free(id);
	return rc;
}
