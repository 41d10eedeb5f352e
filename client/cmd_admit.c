/* SPDX-License-Identifier: ISC */
/*
 * hiroba admit / revoke: the center's membership records. Only the center's daemon
 * accepts them; elsewhere the daemon's refusal is shown with a hint.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

#define ROLE_MEMBER	2
#define STATUS_ADMITTED	1
#define STATUS_REVOKED	2

static int
publish_membership(struct cli *cli, struct hb_record *draft, const uint8_t key[HB_KEY_LEN],
    const char *verb)
{
	const Hiroba__Wire__Status *st;
	struct hb_record *r = NULL;
	char hex[HB_KEYHEX_LEN], id[HB_KEYHEX_LEN + 8];
	int rc;

	proto_key_hex(key, hex);
	snprintf(id, sizeof(id), "member/%s", hex);
	if ((rc = proto_record_set_id(draft, id)) != 0)
		return cli_error(HB_EXIT_FAIL, "%s", proto_strerror(rc));
	if ((rc = hc_publish(cli, draft, &r)) != 0) {
		if (hc_status(cli, &st) == 0 && st->has_center &&
		    (st->center.len != st->key.len ||
		    memcmp(st->center.data, st->key.data, st->key.len) != 0))
			fprintf(stderr, _("hiroba: only the center can %s groups; this "
			    "daemon belongs to %s, not to the center\n"), verb,
			    st->name != NULL ? st->name : _("another group"));
		return rc;
	}
	if (cli->json)
		json_line(json_record(cli, r));
	hb_record_free(&r);
	return 0;
}

int
cmd_admit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct vocab *kind = NULL;
	const char *name = NULL;
	struct hb_record *d = NULL;
	uint8_t key[HB_KEY_LEN];
	char fpr[HB_FPR_LEN];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'k':
			if ((kind = vocab_find(vocab_group_kind, optarg)) == NULL)
				return cli_usage(cli, "--kind must be center, nursery, circle or "
				    "other, not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which key? (KEYHEX, as "
		    "`hiroba init` printed it)") : N_("one key at a time"));
	if (proto_key_parse(argv[optind], key) != 0)
		return cli_usage(cli, "'%s' is not a group key (64 hex digits)", argv[optind]);
	if (name == NULL || *name == '\0')
		return cli_usage(cli, "--name is required");
	if (kind == NULL)
		return cli_usage(cli, "--kind is required (center, nursery, circle or other)");
	if ((d = proto_membership_new(key, ROLE_MEMBER, STATUS_ADMITTED, name,
	    (int)(kind - vocab_group_kind) + 1, 0)) == NULL)
		return cli_error(HB_EXIT_FAIL, "cannot build the membership record (name too "
		    "long?)");
	if ((rc = publish_membership(cli, d, key, "admit")) == 0 && !cli->json) {
		proto_fingerprint(key, fpr);
		printf(_("admitted %s (%s) as %s\n"), name, fpr, kind->name);
	}
	hb_record_free(&d);
	return rc;
}

int
cmd_revoke(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "after-seq", required_argument, NULL, 's' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const Hiroba__Wire__Status *st;
	struct hb_record *d = NULL, *cur = NULL;
	struct hb_member m;
	const uint8_t *self;
	uint8_t key[HB_KEY_LEN];
	char hex[HB_KEYHEX_LEN], id[HB_KEYHEX_LEN + 8], fpr[HB_FPR_LEN];
	long long after = -1;
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if ((after = cli_number(optarg, INT64_MAX)) < 0)
				return cli_usage(cli, "--after-seq: a sequence number, not '%s'",
				    optarg);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? N_("which key?") :
		    N_("one key at a time"));
	if (proto_key_parse(argv[optind], key) != 0)
		return cli_usage(cli, "'%s' is not a group key (64 hex digits)", argv[optind]);
	if ((rc = hc_status(cli, &st)) != 0 || (rc = hc_self(cli, &self)) != 0)
		return rc;
	/* What the center said before, to keep the name and kind. */
	memset(&m, 0, sizeof(m));
	m.role = ROLE_MEMBER;
	proto_key_hex(key, hex);
	snprintf(id, sizeof(id), "member/%s", hex);
	rc = hc_get(cli, self, id, &cur);
	if (rc == HB_EXIT_OK)
		proto_record_membership(cur, &m);
	else if (rc != HB_EXIT_NOTFOUND)
		return rc;
	hb_record_free(&cur);
	if (after < 0) {
		after = 0;
		for (i = 0; i < st->n_authors; i++)
			if (st->authors[i]->author.len == HB_KEY_LEN &&
			    memcmp(st->authors[i]->author.data, key, HB_KEY_LEN) == 0)
				after = (long long)st->authors[i]->complete;
	}
	if ((d = proto_membership_new(key, m.role != 0 ? m.role : ROLE_MEMBER,
	    STATUS_REVOKED, m.name[0] != '\0' ? m.name : NULL, m.kind,
	    (uint64_t)after)) == NULL)
		return cli_error(HB_EXIT_FAIL, "cannot build the membership record");
	if ((rc = publish_membership(cli, d, key, "revoke")) == 0 && !cli->json) {
		proto_fingerprint(key, fpr);
		printf(_("revoked %s (%s): records after seq %lld, and at the seqs its "
		    "edits freed, are refused\n"), m.name[0] != '\0' ? m.name : hex, fpr,
		    after);
	}
	hb_record_free(&d);
	return rc;
}
