/* SPDX-License-Identifier: ISC */
/*
 * console_center: the console's pages (console.h) that show what the CLI computes: at
 * the center, matches recorded from `hiroba match`'s suggestions and the fiscal-year
 * report as a table and as the CSV Excel opens; for every group, meetings (called here,
 * their answers tallied, their minutes recorded) and the network's calendar and map.
 *
 * What is computed is the CLI's own: a page runs `hiroba -c hirobad.conf --json match`,
 * `report --csv`, `meeting show`, `events`, `places` (the program installed beside
 * hirobad, cs_cli_run) and shows what it prints, so the console can never count or
 * rank differently from the command a coordinator or the ward's script runs. Those
 * runs only read, through the control socket as any `hiroba` does. Writes stay the
 * console's: a match, a meeting, its minutes are published here through ctl.c's one
 * publish path (the drafts and ids the CLI makes), and the log names the console user.
 * A run holds the console's one thread while it lasts (a report: about a second).
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

/* A growing buffer of a child's output: false when it would pass max. */
static bool
grow(char **buf, size_t *cap, size_t len, size_t max)
{
	char	*nb;
	size_t	 n;

	if (*cap - len >= 65536)
		return true;
	n = *cap ? *cap * 2 : 131072;
	if (n > max || (nb = realloc(*buf, n)) == NULL)
		return false;
	*buf = nb;
	*cap = n;
	return true;
}

void
cs_cli_cancel(struct console *c)
{
	pthread_mutex_lock(&c->child_lock);
	if (c->child > 0)
		kill(c->child, SIGKILL);
	pthread_mutex_unlock(&c->child_lock);
}

/*
 * Run `hiroba -c CONF args...`, its stdin /dev/null, no descriptor of ours but its
 * stdout and stderr, the signals default and unblocked (this thread blocks them all),
 * its messages untranslated (LC_ALL=C.UTF-8: the console reads its lines, and shows
 * the CLI's English words as its other pages do). *out (NUL-terminated) is the
 * caller's; so is *errtext, all it wrote to stderr, when errtext is not NULL. err gets
 * its message on failure: stderr's first line without "hiroba: ". Returns the exit
 * status, or -1.
 */
int
cs_cli_run(struct console *c, const char *const *args, char **out, size_t *outlen,
    char **errtext, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t	 none, dfl;
	const char	*argv[24];
	char		**env = NULL, *buf = NULL, *ebuf = NULL, *nl, *e;
	size_t		 len = 0, cap = 0, elen = 0, ecap = 0, n, ne;
	int		 op[2] = { -1, -1 }, ep[2] = { -1, -1 }, st, rc = -1, left;
	pid_t		 pid = -1;
	struct pollfd	 pfd[2];
	struct timespec	 t0, t1;
	ssize_t		 r;

	*out = NULL;
	*outlen = 0;
	if (errtext != NULL)
		*errtext = NULL;
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
	for (ne = 0; environ[ne] != NULL; ne++)
		;
	if ((env = calloc(ne + 3, sizeof(*env))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (ne = 0, n = 0; environ[n] != NULL; n++)
		if (strncmp(environ[n], "LC_ALL=", 7) != 0 &&
		    strncmp(environ[n], "LANGUAGE=", 9) != 0 &&
		    strncmp(environ[n], "NO_COLOR=", 9) != 0)
			env[ne++] = environ[n];
	env[ne++] = (char *)"LC_ALL=C.UTF-8";
	env[ne++] = (char *)"NO_COLOR=1";
	env[ne] = NULL;
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
	rc = posix_spawn(&pid, c->cli, &fa, &at, (char *const *)argv, env);
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
	pthread_mutex_lock(&c->child_lock);
	c->child = pid;
	pthread_mutex_unlock(&c->child_lock);
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
			if (!grow(&buf, &cap, len, CLI_OUT_MAX)) {
				snprintf(err, errlen, "`hiroba` printed too much");
				kill(pid, SIGKILL);
				goto out;
			}
			if ((r = read(op[0], buf + len, cap - len - 1)) <= 0)
				pfd[0].fd = -1;
			else
				len += (size_t)r;
		}
		if (pfd[1].fd != -1 && pfd[1].revents != 0) {
			if (!grow(&ebuf, &ecap, elen, CLI_OUT_MAX)) {
				snprintf(err, errlen, "`hiroba` printed too much");
				kill(pid, SIGKILL);
				goto out;
			}
			if ((r = read(ep[0], ebuf + elen, ecap - elen - 1)) <= 0)
				pfd[1].fd = -1;
			else
				elen += (size_t)r;
		}
	}
	rc = 0;
out:
	if (ebuf != NULL)
		ebuf[elen] = '\0';
	if (pid > 0) {
		/* no longer cancellable: once reaped, its pid may be another's */
		pthread_mutex_lock(&c->child_lock);
		c->child = 0;
		pthread_mutex_unlock(&c->child_lock);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		if (rc == 0)
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (rc != 0 && err[0] == '\0') {
			e = ebuf == NULL ? "" : strncmp(ebuf, "hiroba: ", 8) == 0 ? ebuf + 8 :
			    ebuf;
			n = (nl = strchr(e, '\n')) != NULL ? (size_t)(nl - e) : strlen(e);
			if (n == 0) {
				e = "`hiroba` failed";
				n = strlen(e);
			}
			if (n >= errlen)
				n = errlen - 1;
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
	free(env);
	if (rc >= 0 && pid > 0 && buf == NULL && (buf = calloc(1, 1)) == NULL)
		rc = -1;
	if (rc >= 0 && pid > 0) {
		buf[len] = '\0';
		*out = buf;
		*outlen = len;
	} else
		free(buf);
	if (errtext != NULL && ebuf != NULL)
		*errtext = ebuf;
	else
		free(ebuf);
	return rc;
}

/* ---- matches ---- */

static const struct vocab vocab_mstatus[] = {	/* as client/cmd_match.c */
	{ "proposed", "proposed", "提案", "Proposed" },
	{ "confirmed", "confirmed", "成立", "Confirmed" },
	{ "ended", "ended", "終了", "Ended" },
	{ NULL, NULL, NULL, NULL }
};

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
	if ((rec = cs_record_get(c, author, *id)) == NULL)
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

/* A status select and a note of a match form; sel preselected. */
static void
match_inputs(struct ans *a, struct sbuf *b, const char *what, const char *sel,
    const char *note)
{
	const struct vocab *v;

	cs_sb_printf(b, "<select name=\"status\" id=\"%s-status\">", what);
	for (v = vocab_mstatus; v->name != NULL; v++)
		cs_sb_printf(b, "<option value=\"%s\"%s>%s</option>", v->name,
		    strcmp(v->name, sel) == 0 ? " selected" : "", a->ja ? v->label : v->en);
	cs_sb_printf(b, "</select><input type=\"text\" name=\"note\" id=\"%s-note\" "
	    "placeholder=\"%s\" value=\"", what, T(a, "メモ（任意）", "Note (optional)"));
	cs_sb_esc(b, note);
	cs_sb_puts(b, "\">");
}

/*
 * The matches the center recorded (`hiroba --json matches`), each with its status to
 * change: a match is proposed, then confirmed, then ended; recording the pair again
 * replaces its record (the same id).
 */
static void
recorded(struct ans *a, struct sbuf *b)
{
	const char	*args[] = { "--json", "matches", "--lang", "en", NULL };
	char		*out = NULL, *line, *save = NULL, err[1200], ref[HB_KEYHEX_LEN +
			    HB_ID_MAX + 2], what[32];
	size_t		 len, k = 0, w;
	json_t		*j, *m, *l;

	if (a->ja)
		args[2] = NULL;
	if (cs_cli_run(a->c, args, &out, &len, NULL, err, sizeof(err)) != 0) {
		cs_err_p(b, "cli-error", "hiroba matches", err);
		free(out);
		return;
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((j = json_loads(line, 0, NULL)) == NULL)
			continue;
		m = json_object_get(j, "match");
		if (k == 0)
			cs_sb_printf(b, "<h2>%s</h2><table id=\"recorded\"><thead><tr><th>%s"
			    "</th><th>%s</th><th>%s</th></tr></thead><tbody>", T(a, "記録した"
			    "マッチ", "Recorded matches"), T(a, "募集", "Request"), T(a, "提供",
			    "Offer"), T(a, "状態", "Status"));
		cs_sb_puts(b, "<tr>");
		for (w = 0; w < 2; w++) {
			l = json_object_get(j, w == 0 ? "wanted_listing" : "offered_listing");
			cs_sb_puts(b, "<td>");
			cs_sb_esc(b, json_is_object(l) ? json_string_value(json_object_get(l,
			    "title")) : T(a, "（取り下げ済み）", "(withdrawn)"));
			cs_sb_puts(b, "<br><small>");
			cs_sb_esc(b, json_string_value(json_object_get(l, "group")));
			cs_sb_puts(b, "</small></td>");
		}
		snprintf(what, sizeof(what), "r%zu", k++);
		cs_sb_printf(b, "<td><form method=\"post\" action=\"/matches%s\"><input "
		    "type=\"hidden\" name=\"csrf\" value=\"%s\">", a->lq, a->s->csrf);
		for (w = 0; w < 2; w++) {
			json_t *r = json_object_get(m, w == 0 ? "wanted" : "offered");

			snprintf(ref, sizeof(ref), "%s/%s", cs_hb_str(json_string_value(
			    json_object_get(r, "author"))), cs_hb_str(json_string_value(
			    json_object_get(r, "id"))));
			cs_sb_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"",
			    w == 0 ? "wanted" : "offered");
			cs_sb_esc(b, ref);
			cs_sb_puts(b, "\">");
		}
		match_inputs(a, b, what, cs_hb_str(json_string_value(json_object_get(m,
		    "status"))), json_string_value(json_object_get(m, "note")));
		cs_sb_printf(b, "<button>%s</button></form></td></tr>", T(a, "状態を記録する",
		    "Record the status"));
		json_decref(j);
	}
	if (k > 0)
		cs_sb_puts(b, "</tbody></table>");
	free(out);
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
	const char	*args[] = { "--json", "match", "--lang", "en", NULL };
	struct sbuf	 b = { 0 };
	const char	*w = cs_param(a, "wanted"), *o = cs_param(a, "offered");
	char		*out = NULL, *line, *save = NULL, err[1200] = "", what[64];
	size_t		 outlen, i, shown = 0, k = 0;
	unsigned	 status = MHD_HTTP_OK;
	json_t		*j, *wl, *offers, *of;

	if (a->ja)	/* the reasons (why) in the page's language */
		args[2] = NULL;
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
	if (cs_cli_run(a->c, args, &out, &outlen, NULL, err, sizeof(err)) != 0) {
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
			cs_sb_puts(&b, "\">");
			match_inputs(a, &b, what, rec != NULL && strcmp(rec, "proposed") != 0 ?
			    "ended" : "confirmed", NULL);
			cs_sb_printf(&b, "<button>%s</button></form>",
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
	recorded(a, &b);
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
	if (cs_cli_run(a->c, args, csv, len, NULL, err, errlen) == 0)
		return 0;
	free(*csv);
	*csv = NULL;
	return -1;
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
	/* which year: as typed (any spelling --fy takes), or the one we are in */
	cs_sb_puts(&b, "<h2 id=\"fy\">");
	if (fy != NULL && *fy != '\0')
		cs_sb_esc(&b, fy);
	else {
		time_t		 now = time(NULL) + JST;
		struct tm	 tm;

		gmtime_r(&now, &tm);
		cs_sb_printf(&b, a->ja ? "%d年度" : "FY%d", tm.tm_year + 1900 -
		    (tm.tm_mon < 3));
	}
	cs_sb_puts(&b, "</h2>");
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

/* ---- meetings: call one, see who comes, record minutes and actions ---- */

/* The admitted groups but this one, from the roster, as JSON memberships. */
static json_t *
roster_others(struct console *c)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	json_t		*arr = json_array(), *m, *mm;
	char		 self[HB_KEYHEX_LEN];
	size_t		 i;

	proto_key_hex(c->self, self);
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_MEMBERS;
	req.members = 1;
	if (cs_ctl_call(c, &req, &resp) == 0 && resp->code == 0)
		for (i = 0; i < resp->n_envelopes; i++) {
			if ((m = cs_env_json(&resp->envelopes[i])) == NULL)
				continue;
			mm = json_object_get(m, "membership");
			if (strcmp(cs_hb_str(json_string_value(json_object_get(mm, "status"))),
			    "admitted") == 0 && json_is_string(json_object_get(mm, "key")) &&
			    strcmp(json_string_value(json_object_get(mm, "key")), self) != 0)
				json_array_append(arr, mm);
			json_decref(m);
		}
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return arr;
}

static bool
ticked(struct ans *a, const char *key, const char *value)
{
	size_t	 i;

	for (i = 0; a->r != NULL && i < a->r->n; i++)
		if (strcmp(a->r->k[i], key) == 0 && strcmp(a->r->v[i], value) == 0)
			return true;
	return false;
}

/*
 * Call a meeting, as `hiroba meeting call`: title and start required, the end an hour
 * later unless given (a time, or HH:MM on the start's day), the place, the agenda, the
 * groups invited (none ticked: every group, as the CLI's call without --invite).
 */
enum MHD_Result
cs_meeting_call(struct ans *a, bool post)
{
	struct sbuf	 b = { 0 };
	const char	*title = cs_param(a, "title"), *start = cs_param(a, "when.start"),
			*end = cs_param(a, "when.end"), *place = cs_param(a, "where.text"),
			*agenda = cs_param(a, "agenda"), *k;
	char		 etitle[300] = "", estart[300] = "", eend[300] = "", etext[300] = "",
			 err[600] = "", id[HB_ID_MAX + 1];
	json_t		*groups = roster_others(a->c), *g, *m, *inv, *draft;
	int64_t		 s = 0, e = 0, ymd = 0, ey;
	uint8_t		 rnd[3];
	bool		 bad = false, dl;
	size_t		 i;
	unsigned	 h, mi;
	int		 n = 0;
	enum MHD_Result	 ret;

	if (post) {
		if (title == NULL || *title == '\0') {
			snprintf(etitle, sizeof(etitle), "--title is required");
			bad = true;
		} else if (!proto_utf8_valid(title, strlen(title)) || vocab_chars(title) > 200) {
			snprintf(etitle, sizeof(etitle), "at most 200 characters (タイトル: "
			    "200文字まで)");
			bad = true;
		}
		if (start == NULL || *start == '\0') {
			snprintf(estart, sizeof(estart), "--start is required");
			bad = true;
		} else if (cs_parse_local(start, &s, &dl, &ymd) != 0) {
			snprintf(estart, sizeof(estart), "'%s': %s", start, T(a,
			    "日時は 2026-12-10 10:00 の形で", "expected a time such as "
			    "'2026-12-10 10:00'"));
			bad = true;
		} else if (dl) {
			snprintf(estart, sizeof(estart), "'%s' has no time of day: add one%s",
			    start, T(a, "（時刻を入れてください）", ""));
			bad = true;
		}
		if (!bad && end != NULL && *end != '\0') {
			if (sscanf(end, "%2u:%2u%n", &h, &mi, &n) == 2 && end[n] == '\0' &&
			    h < 24 && mi < 60)
				e = (s + JST) / 86400 * 86400 - JST + h * 3600 + mi * 60;
			else if (cs_parse_local(end, &e, &dl, &ey) != 0 || dl) {
				snprintf(eend, sizeof(eend), "'%s': expected HH:MM or a time "
				    "such as '2026-12-05 12:00'", end);
				bad = true;
			}
			if (!bad && e < s) {
				snprintf(eend, sizeof(eend), "the meeting would end before it "
				    "starts");
				bad = true;
			}
		} else if (!bad)
			e = s + 3600;
		if ((place != NULL && (!proto_utf8_valid(place, strlen(place)) ||
		    vocab_chars(place) > 200)) || (agenda != NULL &&
		    (!proto_utf8_valid(agenda, strlen(agenda)) || vocab_chars(agenda) > 4000))) {
			snprintf(etext, sizeof(etext), "%s", T(a, "場所は200文字、議題は4000文字"
			    "まで（UTF-8）", "place: at most 200 characters, agenda 4000 "
			    "(UTF-8)"));
			bad = true;
		}
		if (!bad) {
			m = json_pack("{s:s, s:{s:I, s:I}}", "title", title, "when", "start",
			    (json_int_t)s, "end", (json_int_t)e);
			if (place != NULL && *place != '\0')
				json_object_set_new(m, "where", json_pack("{s:s}", "text", place));
			if (agenda != NULL && *agenda != '\0')
				json_object_set_new(m, "agenda", json_string(agenda));
			inv = json_array();
			json_array_foreach(groups, i, g)
				if (ticked(a, "invite", k = json_string_value(json_object_get(g,
				    "key"))))
					json_array_append_new(inv, json_string(k));
			if (json_array_size(inv) > 0)
				json_object_set_new(m, "invited", inv);
			else
				json_decref(inv);
			/* the CLI's ids (client/draft.c draft_new_id) */
			randombytes_buf(rnd, sizeof(rnd));
			snprintf(id, sizeof(id), "meeting/%08lld-%02x%02x%02x", (long long)ymd,
			    rnd[0], rnd[1], rnd[2]);
			draft = json_pack("{s:s, s:o}", "id", id, "meeting", m);
			if (draft != NULL && cs_publish(a->c, draft, a->s->user, err,
			    sizeof(err)) == 0) {
				json_decref(draft);
				json_decref(groups);
				return cs_redirect(a, a->ja ? "/meetings?done=2" :
				    "/meetings?done=2&lang=en", NULL);
			}
			json_decref(draft);
		}
	}
	cs_page_begin(a, &b, T(a, "会議を招集する", "Call a meeting"));
	cs_err_p(&b, "error", T(a, "公開できませんでした", "Not published"), err);
	if (bad)
		cs_err_p(&b, "error", NULL, T(a, "入力に誤りがあります。下の項目を直してください。",
		    "Some fields need fixing (see below)."));
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/meetings/call%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", a->lq, a->s->csrf);
	cs_form_text(&b, "title", T(a, "タイトル（必須）", "Title (required)"), etitle, "",
	    title);
	cs_form_text(&b, "when.start", T(a, "開始（必須）", "Start (required)"), estart,
	    " placeholder=\"2026-12-10 14:00\"", start);
	cs_form_text(&b, "when.end", T(a, "終了（時刻だけでも）", "End (a time of day will do)"),
	    eend, " placeholder=\"16:00\"", end);
	cs_form_text(&b, "where.text", T(a, "場所", "Place"), etext, "", place);
	cs_sb_printf(&b, "<label for=\"agenda\">%s</label><textarea id=\"agenda\" "
	    "name=\"agenda\" rows=\"4\">", T(a, "議題", "Agenda"));
	cs_sb_esc(&b, agenda);
	cs_sb_printf(&b, "</textarea><p><strong>%s</strong></p><div class=\"check\">",
	    T(a, "招待するグループ（選ばなければ全グループ）",
	    "Groups invited (none ticked: every group)"));
	json_array_foreach(groups, i, g) {
		k = json_string_value(json_object_get(g, "key"));
		cs_sb_printf(&b, "<input type=\"checkbox\" id=\"inv-%s\" name=\"invite\" "
		    "value=\"%s\"%s><label for=\"inv-%s\">", k, k, post && ticked(a, "invite",
		    k) ? " checked" : "", k);
		cs_sb_esc(&b, json_string_value(json_object_get(g, "name")));
		cs_sb_puts(&b, "</label>");
	}
	cs_sb_printf(&b, "</div><p><button>%s</button> <a href=\"/meetings%s\">%s</a></p>"
	    "</form>", T(a, "招集する", "Call the meeting"), a->lq, T(a, "やめる", "Cancel"));
	cs_page_end(&b);
	ret = cs_reply_html(a, post ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, NULL);
	json_decref(groups);
	return ret;
}

/*
 * One meeting: who answers what (`hiroba --json meeting show`, the CLI's own tally of
 * the invited groups and the others that answered), its minutes and actions; for a
 * meeting this group called, a form to record them, as `hiroba meeting minutes`.
 */
enum MHD_Result
cs_meeting_show(struct ans *a, bool post)
{
	struct sbuf	 b = { 0 };
	const char	*ahex = post ? cs_param(a, "author") : MHD_lookup_connection_value(
			    a->conn, MHD_GET_ARGUMENT_KIND, "author");
	const char	*id = post ? cs_param(a, "id") : MHD_lookup_connection_value(a->conn,
			    MHD_GET_ARGUMENT_KIND, "id");
	const char	*minutes = cs_param(a, "minutes"), *actions = cs_param(a, "actions");
	const char	*args[5], *ans;
	char		 self[HB_KEYHEX_LEN], ref[HB_KEYHEX_LEN + HB_ID_MAX + 2], err[1200] = "",
			 cerr[1200],
			 to[HB_KEYHEX_LEN + HB_ID_MAX + 64], *out = NULL, *copy, *tok, *save = NULL;
	uint8_t		 author[HB_KEY_LEN];
	json_t		*j = NULL, *m, *x, *rec, *acts;
	size_t		 i, len;
	bool		 own;
	unsigned	 status = MHD_HTTP_OK;

	if (ahex == NULL || id == NULL || proto_key_parse(ahex, author) != 0 ||
	    strlen(id) > HB_ID_MAX)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such meeting\n");
	proto_key_hex(a->c->self, self);
	proto_key_hex(author, ref);
	own = strcmp(ref, self) == 0;
	snprintf(ref + HB_KEYHEX_LEN - 1, sizeof(ref) - HB_KEYHEX_LEN + 1, "/%s", id);
	if (post) {
		if (!own)
			return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "議事録はその会議を"
			    "招集したグループが記録します\n" : "minutes are recorded by the "
			    "group that called the meeting\n");
		if ((minutes == NULL || *minutes == '\0') && (actions == NULL ||
		    strspn(actions, " \r\n\t") == strlen(actions)))
			snprintf(err, sizeof(err), "nothing to record: give --minutes TEXT, "
			    "-f FILE or --action TEXT");
		else if ((minutes != NULL && !proto_utf8_valid(minutes, strlen(minutes))) ||
		    (actions != NULL && !proto_utf8_valid(actions, strlen(actions))))
			snprintf(err, sizeof(err), "not valid UTF-8 text");
		else if ((rec = cs_record_get(a->c, a->c->self, id)) == NULL ||
		    !json_is_object(m = json_object_get(rec, "meeting"))) {
			json_decref(rec);
			return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such meeting\n");
		} else {
			static const char *const header[] = { "author", "seq", "created",
			    "kind", "hash", "group" };

			/* minutes as a text file would give them: CRLF as LF, no trailing
			 * newlines (cmd_meeting.c minutes_read) */
			if (minutes != NULL && *minutes != '\0') {
				char *mcopy = strdup(minutes), *r, *w;

				for (r = w = mcopy; mcopy != NULL && *r != '\0'; r++)
					if (!(r[0] == '\r' && r[1] == '\n'))
						*w++ = *r;
				while (mcopy != NULL && w > mcopy && w[-1] == '\n')
					w--;
				if (mcopy != NULL) {
					*w = '\0';
					json_object_set_new(m, "minutes", json_string(mcopy));
				}
				free(mcopy);
			}
			acts = json_array();
			if (actions != NULL && (copy = strdup(actions)) != NULL) {
				for (tok = strtok_r(copy, "\r\n", &save); tok != NULL;
				    tok = strtok_r(NULL, "\r\n", &save))
					if (strspn(tok, " \t") != strlen(tok))
						json_array_append_new(acts, json_string(tok));
				free(copy);
			}
			if (json_array_size(acts) > 32) {
				snprintf(err, sizeof(err), "at most 32 --action");
				json_decref(acts);
			} else {
				if (json_array_size(acts) > 0)
					json_object_set_new(m, "actions", acts);
				else
					json_decref(acts);
				for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
					json_object_del(rec, header[i]);
				if (cs_publish(a->c, rec, a->s->user, err, sizeof(err)) == 0) {
					json_decref(rec);
					snprintf(to, sizeof(to), "/meetings/show?author=%s&id=%s"
					    "&done=1%s", self, id, a->la);
					return cs_redirect(a, to, NULL);
				}
			}
			json_decref(rec);
		}
		status = MHD_HTTP_BAD_REQUEST;
	}
	args[0] = "--json";
	args[1] = "meeting";
	args[2] = "show";
	args[3] = ref;
	args[4] = NULL;
	if (cs_cli_run(a->c, args, &out, &len, NULL, cerr, sizeof(cerr)) != 0 ||
	    (j = json_loads(out, 0, NULL)) == NULL) {
		free(out);
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, cerr[0] != '\0' ? cerr :
		    "no such meeting\n");
	}
	free(out);
	m = json_object_get(j, "meeting");
	cs_page_begin(a, &b, json_string_value(json_object_get(m, "title")) != NULL ?
	    json_string_value(json_object_get(m, "title")) : T(a, "会議", "Meeting"));
	if (MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done") != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "議事録を公開しました。",
		    "The minutes are published."));
	x = json_object_get(j, "summary");
	cs_sb_printf(&b, "<p id=\"summary\">%s %lld（%lld%s） · %s %lld · %s %lld</p>",
	    T(a, "出席", "attending"), (long long)json_integer_value(json_object_get(x,
	    "attending")), (long long)json_integer_value(json_object_get(x, "people")),
	    T(a, "人", " people"), T(a, "欠席", "absent"), (long long)json_integer_value(
	    json_object_get(x, "absent")), T(a, "未回答", "no answer"),
	    (long long)json_integer_value(json_object_get(x, "unanswered")));
	cs_sb_printf(&b, "<table id=\"answers\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>", T(a, "グループ", "Group"), T(a, "回答",
	    "Answer"), T(a, "人数", "People"), T(a, "メモ", "Note"));
	json_array_foreach(json_object_get(j, "answers"), i, x) {
		ans = cs_hb_str(json_string_value(json_object_get(x, "answer")));
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(x, "group")));
		cs_sb_printf(&b, "</td><td>%s%s</td><td>", strcmp(ans, "attending") == 0 ?
		    T(a, "出席", "attending") : strcmp(ans, "absent") == 0 ? T(a, "欠席",
		    "absent") : T(a, "未回答", "no answer"), json_is_true(json_object_get(x,
		    "invited")) ? "" : T(a, "（招待外）", " (not invited)"));
		if (json_is_integer(json_object_get(x, "count")))
			cs_sb_printf(&b, "%lld", (long long)json_integer_value(json_object_get(x,
			    "count")));
		cs_sb_puts(&b, "</td><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(x, "note")));
		cs_sb_puts(&b, "</td></tr>");
	}
	cs_sb_puts(&b, "</tbody></table>");
	if (json_is_string(json_object_get(m, "minutes"))) {
		cs_sb_printf(&b, "<h2>%s</h2><pre class=\"box\" id=\"minutes\">",
		    T(a, "議事録", "Minutes"));
		cs_sb_esc(&b, json_string_value(json_object_get(m, "minutes")));
		cs_sb_puts(&b, "</pre>");
	}
	if (json_array_size(json_object_get(m, "actions")) > 0) {
		cs_sb_printf(&b, "<h2>%s</h2><ol id=\"actions\">", T(a, "対応事項", "Actions"));
		json_array_foreach(json_object_get(m, "actions"), i, x) {
			cs_sb_puts(&b, "<li>");
			cs_sb_esc(&b, json_string_value(x));
			cs_sb_puts(&b, "</li>");
		}
		cs_sb_puts(&b, "</ol>");
	}
	if (own) {
		cs_sb_printf(&b, "<h2>%s</h2>", T(a, "議事録と対応事項を記録する",
		    "Record the minutes and actions"));
		cs_err_p(&b, "error", NULL, err);
		cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/meetings/show%s\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
		    "name=\"author\" value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"",
		    a->lq, a->s->csrf, self);
		cs_sb_esc(&b, id);
		cs_sb_printf(&b, "\"><label for=\"minutes-text\">%s</label><textarea "
		    "id=\"minutes-text\" name=\"minutes\" rows=\"8\">", T(a, "議事録",
		    "Minutes"));
		cs_sb_esc(&b, post ? minutes : json_string_value(json_object_get(m,
		    "minutes")));
		cs_sb_printf(&b, "</textarea><label for=\"actions-text\">%s</label><textarea "
		    "id=\"actions-text\" name=\"actions\" rows=\"4\">", T(a, "対応事項（1行に1つ）",
		    "Actions (one a line)"));
		if (post)
			cs_sb_esc(&b, actions);
		else
			json_array_foreach(json_object_get(m, "actions"), i, x) {
				cs_sb_esc(&b, json_string_value(x));
				cs_sb_puts(&b, "\n");
			}
		cs_sb_printf(&b, "</textarea><p><button>%s</button></p></form>",
		    T(a, "公開する", "Publish"));
	}
	cs_sb_printf(&b, "<p><a href=\"/meetings%s\">%s</a></p>", a->lq,
	    T(a, "会議の一覧へ", "All meetings"));
	json_decref(j);
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, NULL);
}

/* ---- the network's calendar and support map ---- */

/* Every line of `hiroba --json ARGS...` as JSON, in an array (NULL and err on failure). */
static json_t *
cli_lines(struct ans *a, const char *const *args, char *err, size_t errlen)
{
	json_t		*arr, *j;
	char		*out = NULL, *line, *save = NULL;
	size_t		 len;

	if (cs_cli_run(a->c, args, &out, &len, NULL, err, errlen) != 0 ||
	    (arr = json_array()) == NULL) {
		free(out);
		return NULL;
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((j = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(arr, j);
	free(out);
	return arr;
}

/*
 * Every group's events of the next 30 days, occurrence by occurrence, as `hiroba
 * events` lists them (its default window; cancelled ones marked).
 */
enum MHD_Result
cs_calendar(struct ans *a)
{
	const char	*args[] = { "--json", "events", "--lang", "en", NULL };
	struct sbuf	 b = { 0 };
	json_t		*arr, *x, *ev, *occ;
	char		 err[1200], t[32];
	size_t		 i;
	int64_t		 s;

	if (a->ja)
		args[2] = NULL;
	cs_page_begin(a, &b, T(a, "全グループの予定（30日）", "Every group's events "
	    "(30 days)"));
	if ((arr = cli_lines(a, args, err, sizeof(err))) == NULL) {
		cs_err_p(&b, "cli-error", "hiroba events", err);
		goto done;
	}
	cs_sb_printf(&b, "<table id=\"calendar\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>", T(a, "日時", "When"), T(a, "タイトル", "Title"),
	    T(a, "グループ", "Group"), T(a, "場所", "Place"));
	json_array_foreach(arr, i, x) {
		ev = json_object_get(x, "event");
		occ = json_object_get(x, "occurrence");
		if (!json_is_object(ev))
			continue;
		s = json_integer_value(json_object_get(json_is_object(occ) ? occ :
		    json_object_get(ev, "when"), "start"));
		if (json_is_true(json_object_get(json_object_get(ev, "when"), "all_day")) &&
		    !json_is_object(occ))
			snprintf(t, sizeof(t), "%04lld-%02lld-%02lld", (long long)(s / 10000),
			    (long long)(s / 100 % 100), (long long)(s % 100));
		else {
			cs_fmt_local(t, sizeof(t), s, true);
			t[10] = ' ';
		}
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, t);
		cs_sb_printf(&b, "</td><td%s>%s", json_is_true(json_object_get(ev,
		    "cancelled")) ? " class=\"cancelled\"" : "", json_is_true(
		    json_object_get(ev, "cancelled")) ? T(a, "【中止】", "[cancelled] ") : "");
		cs_sb_esc(&b, json_string_value(json_object_get(ev, "title")));
		cs_sb_puts(&b, "</td><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(x, "group")));
		cs_sb_puts(&b, "</td><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(json_object_get(ev, "where"),
		    "text")));
		cs_sb_puts(&b, "</td></tr>");
	}
	cs_sb_puts(&b, "</tbody></table>");
	if (json_array_size(arr) == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "予定はありません。", "No events ahead."));
	json_decref(arr);
done:
	cs_page_end(&b);
	return cs_reply_html(a, MHD_HTTP_OK, &b, NULL);
}

/*
 * Every group's map entries (`hiroba places`) on one map: each entry is a list item
 * carrying its point, which map_js turns into a marker; without script the list is the
 * page.
 */
enum MHD_Result
cs_support_map(struct ans *a)
{
	const char	*args[] = { "--json", "places", "--lang", "en", NULL };
	struct sbuf	 b = { 0 };
	json_t		*arr, *x, *pl, *pt, *tg;
	char		 err[1200];
	size_t		 i, j;

	if (a->ja)
		args[2] = NULL;
	a->map = true;
	cs_page_begin(a, &b, T(a, "応援マップ（全グループ）", "Support map (every group)"));
	if ((arr = cli_lines(a, args, err, sizeof(err))) == NULL) {
		cs_err_p(&b, "cli-error", "hiroba places", err);
		goto done;
	}
	cs_sb_puts(&b, "<div id=\"allmap\" data-tiles=\"");
	cs_sb_esc(&b, a->c->tiles);
	cs_sb_puts(&b, "\" data-attribution=\"");
	cs_sb_esc(&b, a->c->attribution);
	cs_sb_puts(&b, "\"></div><ul id=\"places\">");
	json_array_foreach(arr, i, x) {
		pl = json_object_get(x, "place");
		pt = json_object_get(pl, "point");
		if (!json_is_object(pl) || !json_is_integer(json_object_get(pt, "lat_e7")))
			continue;
		cs_sb_printf(&b, "<li data-lat=\"%.7f\" data-lon=\"%.7f\"><strong>",
		    json_integer_value(json_object_get(pt, "lat_e7")) / 1e7,
		    json_integer_value(json_object_get(pt, "lon_e7")) / 1e7);
		cs_sb_esc(&b, json_string_value(json_object_get(pl, "name")));
		cs_sb_puts(&b, "</strong> · ");
		cs_sb_esc(&b, json_string_value(json_object_get(x, "group")));
		if (json_is_string(json_object_get(pl, "address"))) {
			cs_sb_puts(&b, " · ");
			cs_sb_esc(&b, json_string_value(json_object_get(pl, "address")));
		}
		json_array_foreach(json_object_get(pl, "tags"), j, tg) {
			char kv[256];

			snprintf(kv, sizeof(kv), "%s=%s", cs_hb_str(json_string_value(
			    json_object_get(tg, "key"))), cs_hb_str(json_string_value(
			    json_object_get(tg, "value"))));
			cs_sb_puts(&b, j == 0 ? " · " : ", ");
			cs_sb_esc(&b, vocab_label_in(vocab_place_tag, kv, a->ja));
		}
		cs_sb_puts(&b, "</li>");
	}
	cs_sb_puts(&b, "</ul>");
	if (json_array_size(arr) == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "まだ場所はありません。", "No map entries "
		    "yet."));
	cs_sb_puts(&b, "<link rel=\"stylesheet\" href=\"/leaflet/leaflet.css\">"
	    "<script src=\"/leaflet/leaflet.js\"></script>"
	    "<script src=\"/console-map.js\"></script>");
	json_decref(arr);
done:
	cs_page_end(&b);
	return cs_reply_html(a, MHD_HTTP_OK, &b, NULL);
}
