/* SPDX-License-Identifier: ISC */
/*
 * hiroba status / members / sync: the state of this daemon and of the network as it
 * sees it, the center's roster, and a reconciliation round on demand.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hiroba.h"

static int
no_args(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	static const struct option table_opts[] = { TABLE_WIDE_OPT, CLI_COMMON_OPTS,
	    { NULL, 0, NULL, 0 } };
	/* status and members print tables: they take --wide */
	bool table = strcmp(cli->cmd->name, "sync") != 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", table ? table_opts : opts, NULL)) != -1)
		if (c == TABLE_OPT_WIDE)
			table_set_wide(true);
		else if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return -1;
}

static json_t *
key_json(const ProtobufCBinaryData *k)
{
	char hex[HB_KEYHEX_LEN];

	if (k->len != HB_KEY_LEN)
		return json_null();
	proto_key_hex(k->data, hex);
	return json_string(hex);
}

static const char *
fpr_of(const ProtobufCBinaryData *k, char fpr[HB_FPR_LEN])
{
	if (k->len != HB_KEY_LEN)
		return "?";
	proto_fingerprint(k->data, fpr);
	return fpr;
}

static void
ago(int64_t t, char *buf, size_t len)
{
	int64_t d = (int64_t)time(NULL) - t;

	if (t <= 0)
		snprintf(buf, len, "-");
	else if (d < 60)
		snprintf(buf, len, "%" PRId64 "秒前", d < 0 ? 0 : d);
	else if (d < 3600)
		snprintf(buf, len, "%" PRId64 "分前", d / 60);
	else if (d < 86400)
		snprintf(buf, len, "%" PRId64 "時間前", d / 3600);
	else
		timefmt_local(t, buf, len);
}

static json_t *
status_json(struct cli *cli, const Hiroba__Wire__Status *st)
{
	json_t *j, *a, *o;
	size_t i;

	j = json_object();
	json_object_set_new(j, "key", key_json(&st->key));
	json_object_set_new(j, "name", json_string(st->name != NULL ? st->name : ""));
	json_object_set_new(j, "center", st->has_center ? key_json(&st->center) : json_null());
	a = json_array();
	for (i = 0; i < st->n_listen; i++)
		json_array_append_new(a, json_string(st->listen[i]));
	json_object_set_new(j, "listen", a);
	json_object_set_new(j, "started", st->has_started ? json_integer(st->started) :
	    json_null());
	json_object_set_new(j, "rejected", json_integer((json_int_t)st->rejected));
	a = json_array();
	for (i = 0; i < st->n_peers; i++) {
		const Hiroba__Wire__PeerStatus *p = st->peers[i];

		o = json_object();
		json_object_set_new(o, "key", key_json(&p->key));
		json_object_set_new(o, "name", p->name ? json_string(p->name) : json_null());
		json_object_set_new(o, "endpoint", p->endpoint ? json_string(p->endpoint) :
		    json_null());
		/* name is hirobad's (the config's, or a fingerprint for a peer that came to
		 * us); group is the roster's name, as the table shows it */
		if (p->key.len == HB_KEY_LEN)
			json_object_set_new(o, "group", json_string(hc_group_name(cli,
			    p->key.data)));
		json_object_set_new(o, "inbound", json_boolean(p->endpoint == NULL ||
		    *p->endpoint == '\0'));
		json_object_set_new(o, "connected", json_boolean(p->connected));
		json_object_set_new(o, "last_contact", p->has_last_contact ?
		    json_integer(p->last_contact) : json_null());
		json_object_set_new(o, "behind", json_integer((json_int_t)p->behind));
		json_object_set_new(o, "rejected", json_integer((json_int_t)p->rejected));
		json_object_set_new(o, "blamed", json_integer((json_int_t)p->blamed));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "peers", a);
	o = json_object();
	for (i = 0; i < st->n_kinds; i++)
		json_object_set_new(o, proto_kind_name((enum hb_kind)st->kinds[i]->kind),
		    json_integer((json_int_t)st->kinds[i]->count));
	json_object_set_new(j, "kinds", o);
	json_object_set_new(j, "revoked", json_boolean(st->revoked));
	a = json_array();
	for (i = 0; i < st->n_authors; i++) {
		const Hiroba__Wire__AuthorStatus *au = st->authors[i];

		o = json_object();
		json_object_set_new(o, "author", key_json(&au->author));
		if (au->author.len == HB_KEY_LEN)
			json_object_set_new(o, "group",
			    json_string(hc_group_name(cli, au->author.data)));
		json_object_set_new(o, "complete", json_integer((json_int_t)au->complete));
		json_object_set_new(o, "max_seq", json_integer((json_int_t)au->max_seq));
		json_object_set_new(o, "records", json_integer((json_int_t)au->records));
		json_object_set_new(o, "bytes", json_integer((json_int_t)au->bytes));
		json_object_set_new(o, "refused_quota",
		    json_integer((json_int_t)au->refused_quota));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "authors", a);
	return j;
}

/* 1234 -> "1.2K", as a coordinator reads sizes (1 K = 1024 bytes). */
static void
size_human(uint64_t n, char *out, size_t len)
{
	static const char units[] = "KMGT";
	double	 v = (double)n;
	int	 u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%" PRIu64, n);
	else
		snprintf(out, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
	const Hiroba__Wire__Status *st;
	struct table *t;
	char fpr[HB_FPR_LEN], buf[256], n1[32], n2[32], n3[32], n4[32];
	bool center;
	size_t i;
	int rc;

	if ((rc = no_args(cli, argc, argv)) >= 0)
		return rc;
	if ((rc = hc_status(cli, &st)) != 0)
		return rc;
	if (cli->json) {
		json_line(status_json(cli, st));
		return 0;
	}
	center = st->has_center && st->center.len == st->key.len &&
	    memcmp(st->center.data, st->key.data, st->key.len) == 0;
	t = table_new(cli);
	table_noheadings(t);
	table_col(t, "", 0);
	table_col(t, "", 0);
	table_row(t, NULL, "group", st->name != NULL ? st->name : "");
	snprintf(buf, sizeof(buf), "%s%s", fpr_of(&st->key, fpr), center ? " (center)" : "");
	table_row(t, NULL, "fingerprint", buf);
	proto_key_hex(st->key.data, buf);
	table_row(t, NULL, "key", buf);
	if (st->has_center && !center && st->center.len == HB_KEY_LEN) {
		const char *cname = hc_group_name(cli, st->center.data);

		if (strcmp(cname, fpr_of(&st->center, fpr)) == 0)
			snprintf(buf, sizeof(buf), "%s", fpr);
		else
			snprintf(buf, sizeof(buf), "%s (%s)", cname, fpr);
		table_row(t, NULL, "center", buf);
	}
	for (i = 0; i < st->n_listen; i++)
		table_row(t, NULL, i == 0 ? "listen" : "", st->listen[i]);
	if (st->has_started) {
		timefmt_local(st->started, buf, sizeof(buf));
		table_row(t, NULL, "started", buf);
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, st->rejected);
	table_row(t, st->rejected ? "yellow" : NULL, "rejected", buf);
	if ((rc = table_print(&t)) != 0)
		return rc;

	printf("\npeers:\n");
	if (st->n_peers == 0)
		printf("  (none configured)\n");
	t = table_new(cli);
	table_col(t, "名前", TABLE_TRUNC);
	table_col(t, "指紋", 0);
	table_col(t, "接続", 0);
	table_col(t, "最終接続", 0);
	table_col(t, "遅れ", TABLE_RIGHT);
	table_col(t, "拒否", TABLE_RIGHT);
	table_col(t, "エンドポイント", TABLE_TRUNC | TABLE_LOW);
	for (i = 0; i < st->n_peers; i++) {
		const Hiroba__Wire__PeerStatus *p = st->peers[i];
		const char *pf = fpr_of(&p->key, fpr);

		ago(p->has_last_contact ? p->last_contact : 0, buf, sizeof(buf));
		snprintf(n1, sizeof(n1), "%" PRIu64, p->behind);
		snprintf(n2, sizeof(n2), "%" PRIu64, p->rejected);
		/* A peer that connected to us (not in our config) is named by hirobad with
		 * its fingerprint: the roster knows its name. It has no endpoint of ours to
		 * show, so the column says so. */
		table_row(t, p->connected ? NULL : "red",
		    p->name != NULL && *p->name && strcmp(p->name, pf) != 0 ? p->name :
		    (p->key.len == HB_KEY_LEN ? hc_group_name(cli, p->key.data) : "?"),
		    pf, p->connected ? "yes" : "no", buf, n1, n2,
		    p->endpoint != NULL && *p->endpoint ? p->endpoint : "(inbound)");
	}
	if ((rc = table_print(&t)) != 0)
		return rc;

	if (st->revoked)
		printf("\nこの団体の承認は取り消されました (the center revoked this group's "
		    "membership):\nnothing more can be published; ask the center.\n");
	printf("\nrecords:\n");
	t = table_new(cli);
	table_col(t, "種類", 0);
	table_col(t, "件数", TABLE_RIGHT);
	for (i = 0; i < st->n_kinds; i++) {
		snprintf(n1, sizeof(n1), "%" PRIu64, st->kinds[i]->count);
		table_row(t, NULL, proto_kind_name((enum hb_kind)st->kinds[i]->kind), n1);
	}
	if ((rc = table_print(&t)) != 0)
		return rc;

	printf("\ngroups:\n");
	t = table_new(cli);
	table_col(t, "グループ", TABLE_TRUNC);
	table_col(t, "指紋", 0);
	table_col(t, "件数", TABLE_RIGHT);
	table_col(t, "完全seq", TABLE_RIGHT);
	table_col(t, "最大seq", TABLE_RIGHT);
	table_col(t, "容量", TABLE_RIGHT);
	for (i = 0; i < st->n_authors; i++) {
		const Hiroba__Wire__AuthorStatus *au = st->authors[i];

		if (au->author.len != HB_KEY_LEN)
			continue;
		snprintf(n1, sizeof(n1), "%" PRIu64, au->records);
		snprintf(n2, sizeof(n2), "%" PRIu64, au->complete);
		snprintf(n3, sizeof(n3), "%" PRIu64, au->max_seq);
		size_human(au->bytes, n4, sizeof(n4));
		table_row(t, au->refused_quota > 0 ? "red" :
		    au->complete < au->max_seq ? "yellow" : NULL,
		    hc_group_name(cli, au->author.data), fpr_of(&au->author, fpr), n1, n2, n3,
		    n4);
	}
	if ((rc = table_print(&t)) != 0)
		return rc;
	for (i = 0; i < st->n_authors; i++) {
		const Hiroba__Wire__AuthorStatus *au = st->authors[i];

		if (au->refused_quota > 0 && au->author.len == HB_KEY_LEN)
			printf("容量超過 (over quota): %s: %" PRIu64 " records refused "
			    "([limits] member_records, member_bytes)\n",
			    hc_group_name(cli, au->author.data), au->refused_quota);
	}
	return 0;
}

int
cmd_members(struct cli *cli, int argc, char **argv)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	const Hiroba__Wire__Status *st;
	struct hb_record *r;
	struct hb_member m;
	struct table *t = NULL;
	char hex[HB_KEYHEX_LEN], fpr[HB_FPR_LEN], seq[32];
	json_t *j;
	size_t i;
	int rc;

	if ((rc = no_args(cli, argc, argv)) >= 0)
		return rc;
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
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "名前", TABLE_TRUNC);
		table_col(t, "種別", 0);
		table_col(t, "状態", 0);
		table_col(t, "指紋", 0);
		table_col(t, "鍵", TABLE_LOW);	/* --wide shows it at 80 columns */
		/* The center admits everyone and has no membership record of its own; it
		 * is still a group of the network, so it heads the list. (--json keeps to
		 * the membership records; `status --json` gives the center's key.) */
		if (st->has_center && st->center.len == HB_KEY_LEN) {
			proto_key_hex(st->center.data, hex);
			proto_fingerprint(st->center.data, fpr);
			table_row(t, NULL, hc_group_name(cli, st->center.data),
			    vocab_group_kind[0].label, "センター", fpr, hex);
		}
	}
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((r = hc_open(&resp->envelopes[i])) == NULL)
			continue;
		if (proto_record_membership(r, &m) != 0 || (st->has_center &&
		    st->center.len == HB_KEY_LEN &&
		    memcmp(proto_record_author(r), st->center.data, HB_KEY_LEN) != 0)) {
			cli_warn("skipping %s: not a membership record from the center",
			    proto_record_id(r));
			hb_record_free(&r);
			continue;
		}
		if (cli->json) {
			if ((j = json_record(NULL, r)) != NULL)
				json_line(j);
		} else {
			proto_key_hex(m.key, hex);
			proto_fingerprint(m.key, fpr);
			if (m.status == 2)
				snprintf(seq, sizeof(seq), "除名 (seq %llu まで有効)",
				    (unsigned long long)m.valid_until_seq);
			else
				snprintf(seq, sizeof(seq), m.role == 1 ? "拠点" : "参加");
			table_row(t, m.status == 2 ? "red" : NULL, m.name,
			    m.kind >= 1 && m.kind <= 4 ? vocab_group_kind[m.kind - 1].label : "",
			    seq, fpr, hex);
		}
		hb_record_free(&r);
	}
	if (t != NULL)
		rc = table_print(&t);
out:
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

int
cmd_sync(struct cli *cli, int argc, char **argv)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	int rc;

	if ((rc = no_args(cli, argc, argv)) >= 0)
		return rc;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_SYNC_NOW;
	req.sync_now = 1;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		return rc;
	if (resp->code != 0)
		rc = hc_failed(resp, "sync");
	else if (cli->json)
		json_line(json_pack("{s:b}", "started", 1));
	else
		fputs(_("reconciliation started with every peer\n"), stdout);
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}
