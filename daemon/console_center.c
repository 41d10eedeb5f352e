/* SPDX-License-Identifier: ISC */
/*
 * console_center: the center's pages of the console (console.h): matches recorded from
 * `hiroba match`'s suggestions, and the fiscal-year report as a table and as the CSV
 * Excel opens.
 *
 * The suggestions and the report's figures are the CLI's own: this page runs `hiroba
 * -c hirobad.conf --json match` and `hiroba -c hirobad.conf report --csv` (the program
 * installed beside hirobad) and shows what they print, so the console can never count
 * differently from the command a coordinator or the ward's script runs. Those runs
 * only read (through the control socket, as any `hiroba` does). Writes stay the
 * console's: a match is published here through ctl.c's one publish path, with the
 * draft and id `hiroba match record` makes, and the log names the console user.
 */
#define _GNU_SOURCE	/* asprintf, posix_spawn_file_actions_addclosefrom_np */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "console_int.h"

#define CLI_WAIT_MS	60000		/* a report of 100,000 occurrences takes seconds */
#define CLI_OUT_MAX	(8 * 1024 * 1024)

extern char **environ;

/* ---- running `hiroba` ---- */

static bool
executable(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/*
 * The `hiroba` that came with this hirobad: beside it (one folder), in ../bin (hirobad
 * in sbin, as installed), or ../client (the build tree); else the installed path.
 */
void
cs_cli_find(struct console *c)
{
	static const char *const rel[] = { "hiroba", "../bin/hiroba", "../client/hiroba" };
	char		 exe[PATH_MAX], path[PATH_MAX + 32], *slash;
	ssize_t		 n;
	size_t		 i;

	free(c->cli);
	c->cli = NULL;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]) && c->cli == NULL; i++) {
			snprintf(path, sizeof(path), "%s/%s", exe, rel[i]);
			if (executable(path))
				c->cli = realpath(path, NULL);
		}
	}
#ifdef HIROBA_CLI
	if (c->cli == NULL && executable(HIROBA_CLI))
		c->cli = strdup(HIROBA_CLI);
#endif
	if (c->cli == NULL)
		log_warnx("console: no `hiroba` program beside hirobad: the center's match "
		    "and report pages will say so");
}

/*
 * Run `hiroba -c CONF args...`, its stdin /dev/null, no descriptor of ours but its
 * stdout and stderr, the signals default and unblocked (this thread blocks them all).
 * *out (NUL-terminated) is the caller's; err gets the CLI's message on failure (its
 * stderr's first line without "hiroba: "). The exit status, or -1.
 */
static int
cli_run(struct console *c, const char *const *args, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t	 none, dfl;
	const char	*argv[24];
	char		*buf = NULL, ebuf[2048], *nl, *e;
	size_t		 len = 0, cap = 0, elen = 0, n;
	int		 op[2] = { -1, -1 }, ep[2] = { -1, -1 }, st, rc = -1, left;
	pid_t		 pid = -1;
	struct pollfd	 pfd[2];
	struct timespec	 t0, t1;
	ssize_t		 r;

	*out = NULL;
	*outlen = 0;
	err[0] = '\0';
	if (c->cli == NULL) {
		snprintf(err, errlen, "the `hiroba` program was not found beside hirobad");
		return -1;
	}
	argv[0] = c->cli;
	argv[1] = "-c";
	argv[2] = c->conf_path;
	for (n = 0; args[n] != NULL && n + 4 < sizeof(argv) / sizeof(argv[0]); n++)
		argv[n + 3] = args[n];
	argv[n + 3] = NULL;
	if (pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, c->cli, &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot run %s: %s", c->cli, strerror(rc));
		pid = -1;
		rc = -1;
		goto out;
	}
	rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd[0].fd = op[0];
	pfd[1].fd = ep[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd != -1 || pfd[1].fd != -1) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = CLI_WAIT_MS - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(pfd, 2, left) < 0) {
			if (errno == EINTR && left > 0)
				continue;
			snprintf(err, errlen, "`hiroba` took too long");
			kill(pid, SIGKILL);
			goto out;
		}
		if (pfd[0].fd != -1 && pfd[0].revents != 0) {
			if (cap - len < 65536) {
				cap = cap ? cap * 2 : 131072;
				if (cap > CLI_OUT_MAX || (e = realloc(buf, cap)) == NULL) {
					snprintf(err, errlen, "`hiroba` printed too much");
					kill(pid, SIGKILL);
					goto out;
				}
				buf = e;
			}
			if ((r = read(op[0], buf + len, cap - len - 1)) <= 0)
				pfd[0].fd = -1;
			else
				len += (size_t)r;
		}
		if (pfd[1].fd != -1 && pfd[1].revents != 0) {
			if ((r = read(ep[0], ebuf + elen, sizeof(ebuf) - 1 - elen)) <= 0)
				pfd[1].fd = -1;
			else
				elen += (size_t)r;
			if (elen == sizeof(ebuf) - 1)	/* enough said */
				pfd[1].fd = -1;
		}
	}
	rc = 0;
out:
	if (pid > 0) {
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		if (rc == 0)
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (rc != 0 && err[0] == '\0') {
			ebuf[elen] = '\0';
			e = strncmp(ebuf, "hiroba: ", 8) == 0 ? ebuf + 8 : ebuf;
			if ((nl = strchr(e, '\n')) != NULL)
				*nl = '\0';
			if (*e == '\0')
				e = "`hiroba` failed";
			n = strlen(e) < errlen ? strlen(e) : errlen - 1;
			memcpy(err, e, n);
			err[n] = '\0';
		}
	}
	for (n = 0; n < 2; n++) {
		if (op[n] != -1)
			close(op[n]);
		if (ep[n] != -1)
			close(ep[n]);
	}
	if (rc == 0) {
		if (buf == NULL && (buf = malloc(1)) == NULL)
			return -1;
		buf[len] = '\0';
		*out = buf;
		*outlen = len;
	} else
		free(buf);
	return rc;
}

/* ---- matches ---- */

static const struct vocab vocab_mstatus[] = {	/* as client/cmd_match.c */
	{ "proposed", "proposed", "提案", "Proposed" },
	{ "confirmed", "confirmed", "成立", "Confirmed" },
	{ "ended", "ended", "終了", "Ended" },
	{ NULL, NULL, NULL, NULL }
};

/* Any group's record as JSON, or NULL. */
static json_t *
record_get(struct console *c, const uint8_t author[HB_KEY_LEN], const char *id)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__GetReq g = HIROBA__WIRE__GET_REQ__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	json_t		*j = NULL;

	g.author.data = (uint8_t *)author;
	g.author.len = HB_KEY_LEN;
	g.id = (char *)id;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_GET;
	req.get = &g;
	if (cs_ctl_call(c, &req, &resp) == 0 && resp->code == 0 && resp->n_envelopes == 1)
		j = cs_env_json(&resp->envelopes[0]);
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return j;
}

/*
 * "AUTHORHEX/ID" of a listing of the kind wanted, checked as `match record` checks it
 * (cmd_match.c listing_get, its messages). 0, or -1 with the reason in err.
 */
static int
listing_check(struct console *c, const char *ref, const char *kind, char hex[HB_KEYHEX_LEN],
    const char **id, char *err, size_t errlen)
{
	uint8_t		 author[HB_KEY_LEN];
	char		 k[HB_KEYHEX_LEN];
	json_t		*rec;
	const char	*vk;
	int		 rc = -1;

	if (ref == NULL || strlen(ref) < 66 || ref[64] != '/' ||
	    (snprintf(k, sizeof(k), "%.64s", ref), proto_key_parse(k, author)) != 0) {
		snprintf(err, errlen, "'%s': AUTHORHEX/ID, as `hiroba match --json` shows",
		    cs_hb_str(ref));
		return -1;
	}
	*id = ref + 65;
	proto_key_hex(author, hex);
	if ((rec = record_get(c, author, *id)) == NULL)
		snprintf(err, errlen, "no listing '%s' of %.8s…", *id, hex);
	else if (!json_is_object(json_object_get(rec, "volunteer")))
		snprintf(err, errlen, "'%s' is not a volunteer listing", *id);
	else if (strcmp(vk = cs_hb_str(json_string_value(json_object_get(
	    json_object_get(rec, "volunteer"), "kind"))), kind) != 0)
		snprintf(err, errlen, "'%s' is an %s listing, not a %s one", *id, vk, kind);
	else
		rc = 0;
	json_decref(rec);
	return rc;
}

/* The match `hiroba match record W O --status S --note N` publishes. */
static int
match_publish(struct ans *a, const char *w, const char *o, const char *status,
    const char *note, char *err, size_t errlen)
{
	const struct vocab *v;
	const char	*wid, *oid;
	char		 whex[HB_KEYHEX_LEN], ohex[HB_KEYHEX_LEN], id[32], *material = NULL;
	uint8_t		 h[8];
	json_t		*m, *draft;
	size_t		 i;
	int		 rc;

	if ((v = vocab_find(vocab_mstatus, status)) == NULL) {
		snprintf(err, errlen, "--status: proposed, confirmed or ended, not '%s'",
		    cs_hb_str(status));
		return -1;
	}
	if (note != NULL && !proto_utf8_valid(note, strlen(note))) {
		snprintf(err, errlen, "--note: not valid UTF-8 text");
		return -1;
	}
	if (listing_check(a->c, w, "wanted", whex, &wid, err, errlen) != 0 ||
	    listing_check(a->c, o, "offered", ohex, &oid, err, errlen) != 0)
		return -1;
	/* one record per pair: recording it again changes its status */
	if (asprintf(&material, "%s/%s %s/%s", whex, wid, ohex, oid) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)material, strlen(material),
	    NULL, 0);
	free(material);
	snprintf(id, sizeof(id), "match/");
	for (i = 0; i < sizeof(h); i++)
		snprintf(id + 6 + 2 * i, sizeof(id) - 6 - 2 * i, "%02x", h[i]);
	m = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "wanted", "author", whex, "id",
	    wid, "offered", "author", ohex, "id", oid, "status", v->json);
	if (m != NULL && note != NULL && *note != '\0')
		json_object_set_new(m, "note", json_string(note));
	draft = json_pack("{s:s, s:o}", "id", id, "match", m);
	if (draft == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = cs_publish(a->c, draft, a->s->user, err, errlen);
	json_decref(draft);
	if (rc == 0)
		log_info("console: %s recorded match %s (%s)", a->s->user, id, v->json);
	return rc;
}

/* One side of a suggested pair: title, group, short reference. */
static void
side(struct sbuf *b, json_t *l)
{
	cs_sb_esc(b, json_string_value(json_object_get(l, "title")));
	cs_sb_puts(b, "<br><small>");
	cs_sb_esc(b, json_string_value(json_object_get(l, "group")));
	cs_sb_puts(b, " · ");
	cs_sb_esc(b, json_string_value(json_object_get(l, "ref_short")));
	cs_sb_puts(b, "</small>");
}

/*
 * The open requests and the offers that fit each, as `hiroba match` ranks them, with
 * a form on each pair to record it (proposed, confirmed, ended). POST records one.
 */
enum MHD_Result
cs_matches(struct ans *a, bool post)
{
	static const char *const args[] = { "--json", "match", NULL };
	struct sbuf	 b = { 0 };
	const char	*w = cs_param(a, "wanted"), *o = cs_param(a, "offered");
	char		*out = NULL, *line, *save = NULL, err[1200] = "", what[64];
	size_t		 outlen, i, shown = 0, k = 0;
	unsigned	 status = MHD_HTTP_OK;
	json_t		*j, *wl, *offers, *of;

	if (!cs_is_center(a->c))
		return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "マッチングの記録は拠点"
		    "（center）だけができます\n" : "only the center records matches\n");
	if (post) {
		if (match_publish(a, w, o, cs_param(a, "status"), cs_param(a, "note"), err,
		    sizeof(err)) == 0)
			return cs_redirect(a, a->ja ? "/matches?done=1" :
			    "/matches?done=1&lang=en", NULL);
		status = MHD_HTTP_BAD_REQUEST;
	}
	cs_page_begin(a, &b, T(a, "マッチング", "Matches"));
	if (MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done") != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "マッチを記録しました。",
		    "The match is recorded."));
	cs_err_p(&b, "error", T(a, "記録できませんでした", "Not recorded"), err);
	cs_sb_printf(&b, "<p>%s</p>", T(a, "受付中の募集ごとに、合う提供を `hiroba match` "
	    "と同じ順に示します（スキル・地域・時間帯）。",
	    "For each open request, the offers that fit, ranked as `hiroba match` ranks "
	    "them (skills, area, time)."));
	if (cli_run(a->c, args, &out, &outlen, err, sizeof(err)) != 0) {
		cs_err_p(&b, "cli-error", "hiroba match", err);
		goto done;
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((j = json_loads(line, 0, NULL)) == NULL)
			continue;
		wl = json_object_get(j, "wanted");
		offers = json_object_get(j, "offers");
		cs_sb_puts(&b, "<div class=\"box match\"><h2>");
		cs_sb_esc(&b, json_string_value(json_object_get(wl, "title")));
		cs_sb_puts(&b, "</h2><p>");
		cs_sb_esc(&b, json_string_value(json_object_get(wl, "group")));
		cs_sb_puts(&b, " · ");
		cs_sb_esc(&b, json_string_value(json_object_get(wl, "ref_short")));
		cs_sb_puts(&b, "</p>");
		if (json_array_size(offers) == 0)
			cs_sb_printf(&b, "<p>%s</p>", T(a, "合う提供はまだありません。",
			    "No offer fits yet."));
		else
			cs_sb_printf(&b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			    "<th>%s</th></tr></thead><tbody>", T(a, "提供", "Offer"),
			    T(a, "点", "Score"), T(a, "理由", "Why"), T(a, "記録", "Record"));
		json_array_foreach(offers, i, of) {
			const char *rec = json_string_value(json_object_get(of, "match"));

			cs_sb_puts(&b, "<tr><td>");
			side(&b, of);
			cs_sb_printf(&b, "</td><td>%lld</td><td>", (long long)
			    json_integer_value(json_object_get(of, "score")));
			cs_sb_esc(&b, json_string_value(json_object_get(of, "why")));
			cs_sb_puts(&b, "</td><td>");
			if (rec != NULL) {
				cs_sb_printf(&b, "<p class=\"recorded\">%s: ", T(a, "記録済み",
				    "Recorded"));
				cs_sb_esc(&b, vocab_label_in(vocab_mstatus, rec, a->ja));
				cs_sb_puts(&b, "</p>");
			}
			snprintf(what, sizeof(what), "m%zu", k++);
			cs_sb_printf(&b, "<form method=\"post\" action=\"/matches%s\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"wanted\" value=\"", a->lq, a->s->csrf);
			cs_sb_esc(&b, json_string_value(json_object_get(wl, "ref")));
			cs_sb_puts(&b, "\"><input type=\"hidden\" name=\"offered\" value=\"");
			cs_sb_esc(&b, json_string_value(json_object_get(of, "ref")));
			cs_sb_printf(&b, "\"><select name=\"status\" id=\"%s-status\">", what);
			for (const struct vocab *v = vocab_mstatus; v->name != NULL; v++)
				cs_sb_printf(&b, "<option value=\"%s\"%s>%s</option>", v->name,
				    strcmp(v->name, rec != NULL && strcmp(rec, "proposed") != 0 ?
				    "ended" : "confirmed") == 0 ? " selected" : "",
				    a->ja ? v->label : v->en);
			cs_sb_printf(&b, "</select><input type=\"text\" name=\"note\" "
			    "id=\"%s-note\" placeholder=\"%s\"><button>%s</button></form>",
			    what, T(a, "メモ（任意）", "Note (optional)"),
			    T(a, "このマッチを記録する", "Record this match"));
			cs_sb_puts(&b, "</td></tr>");
		}
		if (json_array_size(offers) > 0)
			cs_sb_puts(&b, "</tbody></table>");
		cs_sb_puts(&b, "</div>");
		json_decref(j);
		shown++;
	}
	if (shown == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "受付中の募集はありません。",
		    "No open requests."));
done:
	free(out);
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, NULL);
}

/* ---- the fiscal-year report ---- */

/* One CSV cell of the CLI's output (RFC 4180 quoting) from *p; false at the end of the
 * line. The cell is unquoted into cell (cut to len). */
static bool
csv_next(const char **p, char *cell, size_t len, bool *eol)
{
	const char	*s = *p;
	size_t		 n = 0;

	*eol = false;
	if (*s == '\0')
		return false;
	if (*s == '"') {
		for (s++; *s != '\0'; s++) {
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"') {
				s++;
				break;
			}
			if (n + 1 < len)
				cell[n++] = *s;
		}
	} else
		for (; *s != '\0' && *s != ',' && *s != '\r' && *s != '\n'; s++)
			if (n + 1 < len)
				cell[n++] = *s;
	cell[n] = '\0';
	if (*s == ',')
		s++;
	else {
		*eol = true;
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
	}
	*p = s;
	return true;
}

/* `hiroba report --csv [--fy FY] [--lang en]`: 0 with *csv, or -1 with err. */
static int
report_csv(struct ans *a, const char *fy, char **csv, size_t *len, char *err,
    size_t errlen)
{
	const char	*args[8];
	size_t		 n = 0;

	args[n++] = "report";
	args[n++] = "--csv";
	if (fy != NULL && *fy != '\0') {
		args[n++] = "--fy";
		args[n++] = fy;
	}
	if (!a->ja) {
		args[n++] = "--lang";
		args[n++] = "en";
	}
	args[n] = NULL;
	return cli_run(a->c, args, csv, len, err, errlen) == 0 ? 0 : -1;
}

/*
 * The report of a fiscal year (the current one unless ?fy= names another, in any of
 * the spellings `--fy` takes): the table the CSV holds, and the CSV itself (csv true)
 * byte for byte as `hiroba report --csv` prints it: UTF-8 with a BOM, CRLF, cells
 * that could be formulas neutralized, which is what Excel needs.
 */
enum MHD_Result
cs_report(struct ans *a, bool csv)
{
	struct MHD_Response *r;
	struct sbuf	 b = { 0 };
	const char	*fy = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "fy");
	const char	*p;
	char		*out = NULL, err[1200] = "", cell[512], disp[128];
	size_t		 len = 0, row = 0, col;
	bool		 eol, digits;
	unsigned	 status = MHD_HTTP_OK;

	if (!cs_is_center(a->c))
		return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "事業報告は拠点（center）"
		    "のページです\n" : "the report is the center's page\n");
	if (fy != NULL && (strlen(fy) > 40 || !proto_utf8_valid(fy, strlen(fy))))
		fy = "?";
	if (report_csv(a, fy, &out, &len, err, sizeof(err)) != 0)
		status = MHD_HTTP_BAD_REQUEST;
	else if (csv) {
		digits = fy != NULL && *fy != '\0' && strspn(fy, "0123456789") == strlen(fy);
		snprintf(disp, sizeof(disp), "attachment; filename=\"hiroba-report%s%s.csv\"",
		    digits ? "-" : "", digits ? fy : "");
		if ((r = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE))
		    == NULL)
			free(out);
		else
			MHD_add_response_header(r, "Content-Disposition", disp);
		return cs_reply(a, MHD_HTTP_OK, r, "text/csv; charset=utf-8");
	}
	cs_page_begin(a, &b, T(a, "事業報告（年度）", "Fiscal-year report"));
	cs_sb_printf(&b, "<form class=\"box\" method=\"get\" action=\"/report\">%s",
	    a->ja ? "" : "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	cs_form_text(&b, "fy", T(a, "年度（例: 2026、令和8年度、R8。空欄なら今年度）",
	    "Fiscal year (e.g. 2026, 令和8年度, R8; empty: this one)"),
	    status != MHD_HTTP_OK ? err : NULL, "", fy);
	cs_sb_printf(&b, "<p><button>%s</button></p></form>", T(a, "表示する", "Show"));
	if (status != MHD_HTTP_OK)
		goto done;
	cs_sb_puts(&b, "<p><a id=\"csv\" href=\"/report.csv?fy=");
	if (fy != NULL) {
		for (p = fy; *p != '\0'; p++)	/* percent-encoded: any byte of a name */
			if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z'))
				cs_sb_add(&b, p, 1);
			else
				cs_sb_printf(&b, "%%%02X", (unsigned char)*p);
	}
	cs_sb_printf(&b, "%s\" download>%s</a> <small>%s</small></p>", a->la,
	    T(a, "CSV をダウンロード（Excel 用）", "Download the CSV (for Excel)"),
	    T(a, "`hiroba report --csv` と同じ内容です。", "The same as `hiroba report "
	    "--csv`."));
	/* the table: the CSV's rows, the BOM skipped */
	p = out;
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	cs_sb_puts(&b, "<table id=\"report\"><thead><tr>");
	for (col = 0; csv_next(&p, cell, sizeof(cell), &eol); ) {
		cs_sb_puts(&b, row == 0 ? "<th>" : col == 0 ? "<th scope=\"row\">" : "<td>");
		/* the CLI's own guard against formulas is for Excel; here it is text */
		cs_sb_esc(&b, cell[0] == '\'' && cell[1] != '\0' &&
		    strchr("=+-@\t\r", cell[1]) != NULL ? cell + 1 : cell);
		cs_sb_puts(&b, row == 0 || col == 0 ? "</th>" : "</td>");
		col++;
		if (eol) {
			cs_sb_puts(&b, row == 0 ? "</tr></thead><tbody>" : "</tr>");
			row++;
			col = 0;
			if (*p != '\0')
				cs_sb_puts(&b, "<tr>");
		}
	}
	cs_sb_puts(&b, "</tbody></table>");
done:
	free(out);
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, NULL);
}
