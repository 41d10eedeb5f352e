/* SPDX-License-Identifier: ISC */
/*
 * hiroba contact, audit and compact: personal data. The center reads a listing's sealed
 * contact (the daemon audits every read first), lists its audit log, and rewrites the
 * store so that erased records are gone from the disk.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hiroba.h"

/* Who is asking, for the audit log: the unix user running the CLI. */
static const char *
user_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u;

	/* the daemon records the socket's uid itself; root (sudo) may name the user */
	if (getuid() == 0 && (u = getenv("SUDO_USER")) != NULL && *u != '\0')
		return u;
	if (pw != NULL && pw->pw_name != NULL)
		return pw->pw_name;
	return (u = getenv("USER")) != NULL ? u : "?";
}

int
cmd_contact(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, 'p' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__ContactReq cr = HIROBA__WIRE__CONTACT_REQ__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	const char *purpose = NULL;
	uint8_t author[HB_KEY_LEN];
	char *id = NULL, hex[HB_KEYHEX_LEN];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":hp:", opts, NULL)) != -1) {
		if (c == 'p')
			purpose = optarg;
		else if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	}
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ?
		    N_("which listing? (AUTHORHEX/ID)") : N_("one at a time"));
	if (purpose == NULL || purpose[0] == '\0')
		return cli_usage(cli, "--purpose is required: every read is written to the "
		    "audit log with its purpose");
	if ((rc = ref_resolve(cli, argv[optind], HB_VOLUNTEER, author, &id)) != 0)
		return rc;
	cr.author.data = author;
	cr.author.len = HB_KEY_LEN;
	cr.id = id;
	cr.purpose = (char *)purpose;
	cr.who = (char *)user_name();
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_CONTACT;
	req.contact = &cr;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		goto out;
	if (resp->code != 0 || resp->contact == NULL) {
		rc = hc_failed(resp, id);
		goto out;
	}
	if (cli->json) {
		proto_key_hex(author, hex);
		json_line(json_pack("{s:s, s:s, s:s}", "author", hex, "id", id, "contact",
		    resp->contact));
	} else
		printf("%s\n", resp->contact);
out:
	if (resp != NULL && resp->contact != NULL)
		sodium_memzero(resp->contact, strlen(resp->contact));
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	free(id);
	return rc;
}

int
cmd_audit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		TABLE_WIDE_OPT,
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const Hiroba__Wire__Status *st;
	struct table *t = NULL;
	json_error_t jerr;
	json_t *o;
	char *path = NULL, line[4096];
	FILE *f = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if (c == TABLE_OPT_WIDE)
			table_set_wide(true);
		else if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((rc = hc_status(cli, &st)) != 0)
		return rc;
	if (st->center.len != HB_KEY_LEN || st->key.len != HB_KEY_LEN ||
	    memcmp(st->center.data, st->key.data, HB_KEY_LEN) != 0)
		return cli_error(HB_EXIT_FAIL, "only the center keeps an audit log of contact "
		    "reads");
	if ((path = cli_strf("%s/audit.log", cli->dir)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT) {
			if (!cli->json)
				printf(_("no contact has been read yet (%s does not "
				    "exist)\n"), path);
			rc = 0;
		} else
			rc = cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);
		table_col(t, "日時", 0);
		table_col(t, "利用者", TABLE_TRUNC);
		table_col(t, "記録", TABLE_TRUNC);
		table_col(t, "目的", TABLE_TRUNC);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char ref[HB_KEYHEX_LEN + HB_ID_MAX + 2], sref[REF_BUFLEN], when[48];
		uint8_t key[HB_KEY_LEN];
		int64_t tt;

		if ((o = json_loads(line, 0, &jerr)) == NULL) {
			cli_warn("%s: a line that is not JSON: %s", path, jerr.text);
			continue;
		}
		if (cli->json)
			json_line(o);
		else {
			/* the log keeps UTC (ISO 8601 with Z); people read Tokyo time, as in
			 * every other listing */
			if (timefmt_parse(hc_jstr(o, "time"), &tt, NULL) == 0)
				timefmt_local(tt, when, sizeof(when));
			else
				snprintf(when, sizeof(when), "%s", hc_jstr(o, "time"));
			if (proto_key_parse(hc_jstr(o, "author"), key) == 0) {
				ref_short(cli, key, hc_jstr(o, "id"), sref, sizeof(sref));
				snprintf(ref, sizeof(ref), "%s の %s", hc_group_name(cli, key),
				    hc_jstr(o, "id"));
			} else {
				snprintf(sref, sizeof(sref), "-");
				snprintf(ref, sizeof(ref), "%s", hc_jstr(o, "id"));
			}
			table_row(t, NULL, sref, when, hc_jstr(o, "who"), ref, hc_jstr(o, "purpose"));
			json_decref(o);
		}
	}
	if (t != NULL)
		rc = table_print(&t);
out:
	if (f != NULL)
		fclose(f);
	free(path);
	return rc;
}

int
cmd_compact(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_COMPACT;
	req.compact = 1;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		return rc;
	if (resp->code != 0)
		rc = hc_failed(resp, "compact");
	else if (!cli->json)
		fputs(_("store compacted: deleted records are gone from the "
		    "disk\n"), stdout);
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}
