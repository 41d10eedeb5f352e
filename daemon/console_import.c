/* SPDX-License-Identifier: ISC */
/*
 * console_import: a spreadsheet in, from the console (console.h). A coordinator uploads
 * the group's CSV (CP932 as Excel in Japan saves it, or UTF-8), sees every row as
 * `hiroba import csv --dry-run --skip-bad` judges it (new, changed, unchanged, or
 * refused and why), and publishes the file only when no row is refused.
 *
 * Both steps are `hiroba import csv`'s own (console_center.c cs_cli_run): its decoding,
 * its columns, its checks, and its publish_batch request, which ctl.c stores all or
 * none through the daemon's one publish path. So the console and the command can never
 * read a file differently. Between the two steps the file waits in the data directory
 * (console-import-TOKEN.csv, 0600), TOKEN 16 random bytes that only the session that
 * uploaded it holds; it goes when published, replaced, or when the session ends, and
 * what a stop left behind goes at the next start.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "console_int.h"

#define IMPORT_PREFIX	"console-import-"

/* ---- multipart/form-data ---- */

/* A header parameter's quoted value (name="..."), NUL-terminated in place; NULL if none.
 * `key' must follow the start, a space or a ';' (so name= is not found in filename=). */
static char *
mp_param(char *hdr, char *end, const char *key)
{
	size_t	 kl = strlen(key);
	char	*p, *q;

	for (p = hdr; p + kl < end; p++) {
		if (strncasecmp(p, key, kl) != 0 || p[kl] != '=' || p[kl + 1] != '"' ||
		    (p != hdr && p[-1] != ' ' && p[-1] != ';'))
			continue;
		p += kl + 2;
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			return NULL;
		*q = '\0';
		return p;
	}
	return NULL;
}

void
cs_multipart_parse(struct req *r, const char *ctype)
{
	const char	*b = strcasestr(ctype, "boundary=");
	char		 delim[80], *p, *end, *hend, *data, *dend, *name, *fname;
	size_t		 dl, bl;

	if (b == NULL || r->body == NULL)
		return;
	b += 9;
	if (*b == '"')
		b++;
	bl = strcspn(b, "\";, ");
	if (bl == 0 || bl > 70)		/* RFC 2046: at most 70 */
		return;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)bl, b);
	end = r->body + r->len;
	/* the first delimiter has no CRLF before it */
	if (r->len < dl - 2 || memcmp(r->body, delim + 2, dl - 2) != 0)
		return;
	for (p = r->body + dl - 2; p + 2 <= end && r->n < PARAMS_MAX; ) {
		if (p[0] == '-' && p[1] == '-')		/* the closing delimiter */
			return;
		if (p[0] != '\r' || p[1] != '\n')
			return;
		p += 2;
		if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) == NULL)
			return;
		data = hend + 4;
		if ((dend = memmem(data, (size_t)(end - data), delim, dl)) == NULL)
			return;
		fname = mp_param(p, hend, "filename");
		name = mp_param(p, hend, "name");
		if (name != NULL && fname != NULL && r->file == NULL) {
			r->file = data;
			r->file_len = (size_t)(dend - data);
			if (r->n < PARAMS_MAX) {	/* its name, as typed, for the page */
				r->k[r->n] = (char *)"filename";
				r->v[r->n++] = fname;
			}
		} else if (name != NULL && fname == NULL) {
			*dend = '\0';
			r->k[r->n] = name;
			r->v[r->n++] = data;
		}
		p = dend + dl;
	}
}

/* ---- the pending upload ---- */

static void
import_path(struct console *c, const char *token, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" IMPORT_PREFIX "%s.csv", c->conf->data, token);
}

void
cs_import_forget(struct console *c, struct session *s)
{
	char	 path[4200];

	if (s == NULL || s->import[0] == '\0')
		return;
	import_path(c, s->import, path, sizeof(path));
	unlink(path);
	s->import[0] = '\0';
}

void
cs_import_sweep(struct console *c)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4200];

	if ((d = opendir(c->conf->data)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, IMPORT_PREFIX, sizeof(IMPORT_PREFIX) - 1) == 0) {
			snprintf(path, sizeof(path), "%s/%s", c->conf->data, de->d_name);
			unlink(path);
		}
	closedir(d);
}

/* Keep the upload for the session; 0, or -1 with err. */
static int
import_save(struct ans *a, char *err, size_t errlen)
{
	uint8_t		 rnd[16];
	char		 token[33], path[4200];
	size_t		 off = 0;
	ssize_t		 w;
	int		 fd;

	cs_import_forget(a->c, a->s);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	import_path(a->c, token, path, sizeof(path));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600))
	    == -1) {
		snprintf(err, errlen, "cannot keep the upload in the data "
		    "directory: %s", strerror(errno));
		return -1;
	}
	while (off < a->r->file_len) {
		if ((w = write(fd, a->r->file + off, a->r->file_len - off)) <= 0) {
			snprintf(err, errlen, "cannot keep the upload in the data "
		    "directory: %s", strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "cannot keep the upload in the data "
		    "directory: %s", strerror(errno));
		unlink(path);
		return -1;
	}
	snprintf(a->s->import, sizeof(a->s->import), "%s", token);
	return 0;
}

/* ---- the page ---- */

/* s with every `path' shown as `name' (the CLI names the file it was given). */
static void
esc_named(struct sbuf *b, const char *s, const char *path, const char *name)
{
	size_t	 pl = strlen(path);
	const char *p;
	char	*piece;

	while ((p = strstr(s, path)) != NULL) {
		if ((piece = strndup(s, (size_t)(p - s))) == NULL) {
			b->oom = true;
			return;
		}
		cs_sb_esc(b, piece);
		free(piece);
		cs_sb_esc(b, name);
		s = p + pl;
	}
	cs_sb_esc(b, s);
}

static const char *
opt_ok(const char *v, const char *const *allowed)
{
	for (; v != NULL && *allowed != NULL; allowed++)
		if (strcmp(v, *allowed) == 0)
			return v;
	return "";
}

static void
choice(struct ans *a, struct sbuf *b, const char *key, const char *label,
    const char *const *vals, const char *const *ja, const char *const *en, const char *sel)
{
	size_t	 i;

	cs_sb_printf(b, "<label for=\"%s\">%s</label><select id=\"%s\" name=\"%s\">", key,
	    label, key, key);
	for (i = 0; vals[i] != NULL; i++)
		cs_sb_printf(b, "<option value=\"%s\"%s>%s</option>", vals[i],
		    strcmp(vals[i], sel) == 0 ? " selected" : "", a->ja ? ja[i] : en[i]);
	cs_sb_puts(b, "</select>");
}

static const char *const kinds[] = { "", "event", "place", NULL };
static const char *const kinds_ja[] = { "列から判断", "イベント", "地図の場所" };
static const char *const kinds_en[] = { "from the columns", "events", "map entries" };
static const char *const encs[] = { "", "utf-8", "cp932", NULL };
static const char *const encs_ja[] = { "自動（UTF-8 か Excel の CSV＝CP932）", "UTF-8",
    "CP932（Shift_JIS）" };
static const char *const encs_en[] = { "automatic (UTF-8, or Excel's CSV = CP932)",
    "UTF-8", "CP932 (Shift_JIS)" };

/* One row of the preview from a line "PATH:LINE: ..." of the CLI; false if not one. */
static bool
preview_row(struct ans *a, struct sbuf *b, const char *line, const char *path,
    const char *name)
{
	static const struct { const char *w, *ja, *en, *cls; } st[] = {
		{ "new ", "新規", "new", "new" },
		{ "changed ", "変更", "changed", "changed" },
		{ "unchanged ", "変更なし", "unchanged", "same" },
		{ "refused: ", "取り込めません", "refused", "refused" },
	};
	size_t	 pl = strlen(path), i;
	char	*end;
	long	 ln;

	if (strncmp(line, path, pl) != 0 || line[pl] != ':')
		return false;
	ln = strtol(line + pl + 1, &end, 10);
	if (end == line + pl + 1 || end[0] != ':' || end[1] != ' ')
		return false;
	end += 2;
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (strncmp(end, st[i].w, strlen(st[i].w)) == 0)
			break;
	if (i == sizeof(st) / sizeof(st[0]))
		return false;
	cs_sb_printf(b, "<tr class=\"%s\"><td>%ld</td><td>%s</td><td>", st[i].cls, ln,
	    a->ja ? st[i].ja : st[i].en);
	esc_named(b, end + strlen(st[i].w), path, name);
	cs_sb_puts(b, "</td></tr>");
	return true;
}

/*
 * GET: the upload form. POST with a file: keep it, run the dry run, show each row and,
 * if none is refused, a button to publish. POST of "publish": import the kept file.
 */
enum MHD_Result
cs_import(struct ans *a, bool post)
{
	struct sbuf	 b = { 0 };
	const char	*kind = opt_ok(cs_param(a, "kind"), kinds);
	const char	*enc = opt_ok(cs_param(a, "encoding"), encs);
	const char	*name = cs_param(a, "filename"), *token = cs_param(a, "token");
	const char	*args[12];
	char		 path[4200] = "", err[1200] = "", efile[1200] = "", *out = NULL,
			*etext = NULL, *line, *save = NULL, *summary = NULL;
	size_t		 n = 0, len, rows = 0;
	bool		 publishing = post && token != NULL, refused = false;
	unsigned	 status = MHD_HTTP_OK;
	int		 rc;

	if (name == NULL || *name == '\0' || !proto_utf8_valid(name, strlen(name)) ||
	    strlen(name) > 200)
		name = "import.csv";
	cs_page_begin(a, &b, T(a, "CSV から取り込む", "Import from a spreadsheet"));
	if (post && !publishing && (a->r->file == NULL || a->r->file_len == 0)) {
		snprintf(efile, sizeof(efile), "%s", T(a, "CSV ファイルを選んでください。",
		    "Choose a CSV file."));
		status = MHD_HTTP_BAD_REQUEST;
	} else if (publishing && (strlen(token) != 32 || a->s->import[0] == '\0' ||
	    sodium_memcmp(token, a->s->import, 32) != 0)) {
		snprintf(efile, sizeof(efile), "%s", T(a, "確認したファイルがもうありません。"
		    "もう一度選んでください。", "The file you checked is gone: choose it "
		    "again."));
		status = MHD_HTTP_BAD_REQUEST;
	} else if (post && !publishing && import_save(a, err, sizeof(err)) != 0)
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (!post || status != MHD_HTTP_OK)
		goto form;

	import_path(a->c, a->s->import, path, sizeof(path));
	args[n++] = "import";
	args[n++] = "csv";
	args[n++] = path;
	if (*kind != '\0') {
		args[n++] = "--kind";
		args[n++] = kind;
	}
	if (*enc != '\0') {
		args[n++] = "--encoding";
		args[n++] = enc;
	}
	if (!publishing) {
		args[n++] = "--dry-run";
		args[n++] = "--skip-bad";	/* every row judged, whatever the others */
	}
	args[n] = NULL;
	rc = cs_cli_run(a->c, args, &out, &len, &etext, err, sizeof(err));
	if (publishing) {
		if (rc == 0) {
			summary = out != NULL ? strtok_r(out, "\n", &save) : NULL;
			log_info("console: %s imported %s: %s", a->s->user, name,
			    summary != NULL ? summary : "");
			cs_import_forget(a->c, a->s);
			cs_sb_printf(&b, "<p id=\"done\">%s</p><p id=\"summary\">",
			    T(a, "取り込みました。", "Imported."));
			cs_sb_esc(&b, summary);
			cs_sb_printf(&b, "</p><p><a href=\"/events%s\">%s</a> · <a "
			    "href=\"/places%s\">%s</a></p>", a->lq, T(a, "イベント", "Events"),
			    a->lq, T(a, "地図の場所", "Map entries"));
			goto end;
		}
		/* all or none: nothing was stored */
		status = MHD_HTTP_BAD_REQUEST;
		cs_sb_printf(&b, "<p class=\"err\" id=\"error\">%s ", T(a, "何も取り込んで"
		    "いません:", "Nothing imported:"));
		esc_named(&b, err, path, name);
		cs_sb_puts(&b, "</p>");
		goto form;
	}
	/* the dry run: rows on stdout (accepted) and stderr (refused), by line */
	cs_sb_puts(&b, "<h2>");
	cs_sb_esc(&b, name);
	cs_sb_printf(&b, "</h2><table id=\"preview\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>", T(a, "行", "Line"), T(a, "判定", "Result"),
	    T(a, "記録・理由", "Record, or why"));
	for (line = strtok_r(etext != NULL ? etext : (char *)"", "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (preview_row(a, &b, line, path, name)) {
			rows++;
			refused = true;
		}
	save = NULL;
	for (line = strtok_r(out != NULL ? out : (char *)"", "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (preview_row(a, &b, line, path, name))
			rows++;
		else if (strncmp(line, "would import ", 13) == 0)
			summary = line;
	cs_sb_puts(&b, "</tbody></table>");
	if (summary == NULL) {		/* the file itself was refused */
		snprintf(efile, sizeof(efile), "%s", err[0] != '\0' ? err : "not read");
		status = MHD_HTTP_BAD_REQUEST;
		cs_import_forget(a->c, a->s);
		goto form;
	}
	cs_sb_puts(&b, "<p id=\"summary\">");
	cs_sb_esc(&b, summary);
	cs_sb_puts(&b, "</p>");
	if (etext != NULL && strstr(etext, "read as CP932") != NULL)
		cs_sb_printf(&b, "<p id=\"encoding-note\">%s</p>", T(a, "UTF-8 ではないので "
		    "CP932（Excel の CSV）として読みました。", "Not UTF-8: read as CP932 "
		    "(Excel's CSV)."));
	if (refused) {
		cs_sb_printf(&b, "<p class=\"err\" id=\"error\">%s</p>", T(a, "取り込めない行が"
		    "あります。表計算で直して、もう一度選んでください（全部そろうまで何も公開"
		    "しません）。", "Some rows are refused: fix them in the spreadsheet and "
		    "choose the file again (nothing is published until every row is fine)."));
		status = MHD_HTTP_BAD_REQUEST;
		cs_import_forget(a->c, a->s);
		goto form;
	}
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/import%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
	    "name=\"token\" value=\"%s\"><input type=\"hidden\" name=\"kind\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"encoding\" value=\"%s\"><input type=\"hidden\" "
	    "name=\"filename\" value=\"", a->lq, a->s->csrf, a->s->import, kind, enc);
	cs_sb_esc(&b, name);
	cs_sb_printf(&b, "\"><p><button id=\"publish\">%s</button> <a href=\"/import%s\">"
	    "%s</a></p></form>", T(a, "この内容で全部公開する", "Publish them all"), a->lq,
	    T(a, "やめる", "Cancel"));
	goto end;
form:
	cs_err_p(&b, "error", NULL, err[0] != '\0' && efile[0] == '\0' &&
	    status == MHD_HTTP_INTERNAL_SERVER_ERROR ? err : NULL);
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/import%s\" "
	    "enctype=\"multipart/form-data\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><p>%s</p><label for=\"file\">%s</label>", a->lq, a->s->csrf,
	    T(a, "Excel の「CSV（コンマ区切り）」でも「CSV UTF-8」でも読めます。1行目は列名"
	    "（`hiroba export csv` と同じ）。まず確認だけをして、全部の行が大丈夫なときに"
	    "公開します。", "Excel's \"CSV (comma delimited)\" and \"CSV UTF-8\" both "
	    "work; the first line names the columns (as `hiroba export csv` writes them). "
	    "Every row is checked first; nothing is published until all are fine."),
	    T(a, "CSV ファイル", "CSV file"));
	if (efile[0] != '\0') {
		cs_sb_puts(&b, "<p class=\"err\" id=\"err-file\">");
		if (path[0] != '\0')
			esc_named(&b, efile, path, name);
		else
			cs_sb_esc(&b, efile);
		cs_sb_puts(&b, "</p>");
	}
	cs_sb_puts(&b, "<input type=\"file\" id=\"file\" name=\"file\" "
	    "accept=\".csv,text/csv\">");
	choice(a, &b, "kind", T(a, "種類", "Kind"), kinds, kinds_ja, kinds_en, kind);
	choice(a, &b, "encoding", T(a, "文字コード", "Encoding"), encs, encs_ja, encs_en,
	    enc);
	cs_sb_printf(&b, "<p><button>%s</button></p></form>", T(a, "確認する（まだ公開"
	    "しません）", "Check it (nothing is published yet)"));
end:
	free(out);
	free(etext);
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, NULL);
}

/* ---- spreadsheet (and calendar, map) out ---- */

/*
 * /export?f=csv|ics|geojson&k=event|place|volunteer|meeting[&all=1]: this group's records
 * (every group's with all) as `hiroba export` writes them, as a download: the CSV Excel
 * opens, the calendar file, the GeoJSON uMap and QGIS read.
 */
enum MHD_Result
cs_export(struct ans *a)
{
	static const struct { const char *f, *ext, *ctype, *kinds; } fmts[] = {
		{ "csv", "csv", "text/csv; charset=utf-8", ",event,place,volunteer,meeting," },
		{ "ics", "ics", "text/calendar; charset=utf-8", ",event,meeting," },
		{ "geojson", "geojson", "application/geo+json", ",place,event," },
	};
	struct MHD_Response *r;
	const char	*f = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "f");
	const char	*k = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "k");
	bool		 all = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND,
			    "all") != NULL;
	const char	*args[10];
	char		 self[HB_KEYHEX_LEN], want[32], disp[128], err[1200], *out = NULL;
	size_t		 i, n = 0, len;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (f != NULL && strcmp(f, fmts[i].f) == 0)
			break;
	snprintf(want, sizeof(want), ",%s,", k != NULL && strlen(k) < 20 ? k : "");
	if (i == sizeof(fmts) / sizeof(fmts[0]) || k == NULL ||
	    strstr(fmts[i].kinds, want) == NULL)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such export\n");
	proto_key_hex(a->c->self, self);
	args[n++] = "export";
	args[n++] = fmts[i].f;
	args[n++] = "--kind";
	args[n++] = k;
	if (!all) {
		args[n++] = "--group";
		args[n++] = self;
	}
	if (!a->ja) {
		args[n++] = "--lang";
		args[n++] = "en";
	}
	args[n] = NULL;
	if (cs_cli_run(a->c, args, &out, &len, NULL, err, sizeof(err)) != 0) {
		free(out);
		return cs_reply_text(a, MHD_HTTP_SERVICE_UNAVAILABLE, err);
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"hiroba-%s%s.%s\"", k,
	    all ? "-all" : "", fmts[i].ext);
	if ((r = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE)) == NULL)
		free(out);
	else
		MHD_add_response_header(r, "Content-Disposition", disp);
	return cs_reply(a, MHD_HTTP_OK, r, fmts[i].ctype);
}
