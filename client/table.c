/* SPDX-License-Identifier: ISC */
/*
 * table: output for people and for scripts. Tables go through libsmartcols, which pads by
 * display width (全角 characters take two columns); --json goes through jansson.
 */
#define _GNU_SOURCE	/* wcwidth */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include <libsmartcols.h>

#include "hiroba.h"

struct col {
	char		*header;
	int		 flags;
	size_t		 width;		/* the width it gets, in display columns */
	size_t		 natural;	/* the widest cell or header */
	bool		 hidden;
};

struct row {
	char		**cells;	/* ncols, term_safe'd, NULL for empty */
	const char	*color;
};

struct table {
	struct col	*cols;
	size_t		 ncols;
	struct row	*rows;
	size_t		 nrows;
	bool		 color, noheadings;
};

/* --wide: set by the listings' option parsing; one run, one setting. */
static bool table_wide_on;

void
table_set_wide(bool on)
{
	table_wide_on = on;
}

size_t
table_term_width(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	long long v;

	if (table_wide_on)
		return 0;
	/* COLUMNS wins (scripts and tests set it); a terminal says its own width; anything
	 * else (a pipe, a file) gets every character, as before. */
	if (c != NULL && (v = cli_number(c, 10000)) > 0)
		return v < TABLE_MIN_WIDTH ? TABLE_MIN_WIDTH : (size_t)v;
	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < TABLE_MIN_WIDTH ? TABLE_MIN_WIDTH : ws.ws_col;
	return TABLE_MIN_WIDTH;
}

size_t
table_text_width(const char *s)
{
	mbstate_t mb;
	wchar_t wc;
	size_t n, w = 0, line = 0;
	int cw;

	memset(&mb, 0, sizeof(mb));
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &mb);
		if (n == (size_t)-1 || n == (size_t)-2) {	/* not UTF-8: one byte, one cell */
			memset(&mb, 0, sizeof(mb));
			n = 1;
			cw = 1;
		} else if (wc == L'\n') {
			line = 0;
			s += n;
			continue;
		} else
			cw = (cw = wcwidth(wc)) < 0 ? 1 : cw;
		line += (size_t)cw;
		if (line > w)
			w = line;
		s += n;
	}
	return w;
}

char *
table_cut(const char *s, size_t width)
{
	static const char ell[] = "…";	/* one column wide */
	mbstate_t mb;
	wchar_t wc;
	size_t n, w = 0, keep = 0;
	const char *p;
	char *out;
	int cw;

	if (table_text_width(s) <= width && strchr(s, '\n') == NULL)
		return strdup(s);
	/* A line break in a cell would break the table's lines: the first line, cut. */
	memset(&mb, 0, sizeof(mb));
	for (p = s; *p != '\0' && *p != '\n'; p += n) {
		n = mbrtowc(&wc, p, MB_CUR_MAX, &mb);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&mb, 0, sizeof(mb));
			n = 1;
			cw = 1;
		} else
			cw = (cw = wcwidth(wc)) < 0 ? 1 : cw;
		if (w + (size_t)cw + 1 > width)	/* room for "…" */
			break;
		w += (size_t)cw;
		keep = (size_t)(p - s) + n;
	}
	if (width == 0)
		return strdup("");
	if ((out = malloc(keep + sizeof(ell))) == NULL)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, ell, sizeof(ell));
	return out;
}

struct table *
table_new(struct cli *cli)
{
	struct table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->color = cli->color;
	return t;
}

void
table_noheadings(struct table *t)
{
	if (t != NULL)
		t->noheadings = true;
}

void
table_col(struct table *t, const char *header, int flags)
{
	struct col *nc;

	if (t == NULL)
		return;
	if ((nc = reallocarray(t->cols, t->ncols + 1, sizeof(*t->cols))) == NULL)
		return;
	t->cols = nc;
	memset(&t->cols[t->ncols], 0, sizeof(*t->cols));
	if ((t->cols[t->ncols].header = strdup(header)) == NULL)
		return;
	t->cols[t->ncols].flags = flags;
	t->ncols++;
}

/*
 * Text from other groups, made safe for a terminal: the invisible format characters
 * (U+200B..U+200F, bidirectional embeddings and overrides U+202A..U+202E, U+2060..U+2069
 * with the isolates, U+FEFF) are shown as <U+202E>. A right-to-left override in a title
 * would otherwise turn the rest of the line around on a coordinator's screen. The
 * protocol already refuses C0, DEL and C1 controls. --json keeps the text as it is.
 */
static char *
term_safe(const char *s)
{
	const unsigned char	*p;
	char			*out, *o;
	unsigned		 cp;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)	/* 3 bytes -> 8 at most */
		return NULL;
	for (p = (const unsigned char *)s, o = out; *p != '\0'; p++) {
		cp = 0;
		if (p[0] == 0xe2 && p[1] == 0x80 && ((p[2] >= 0x8b && p[2] <= 0x8f) ||
		    (p[2] >= 0xaa && p[2] <= 0xae)))
			cp = 0x2000 | (p[2] & 0x3f);
		else if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa0 && p[2] <= 0xa9)
			cp = 0x2040 | (p[2] & 0x3f);
		else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			cp = 0xfeff;
		if (cp != 0) {
			o += sprintf(o, "<U+%04X>", cp);
			p += 2;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

void
table_rowv(struct table *t, const char *color, const char *const *cells)
{
	struct row *nr, *r;
	size_t i;

	if (t == NULL || t->ncols == 0)
		return;
	if ((nr = reallocarray(t->rows, t->nrows + 1, sizeof(*t->rows))) == NULL)
		return;
	t->rows = nr;
	r = &t->rows[t->nrows];
	if ((r->cells = calloc(t->ncols, sizeof(*r->cells))) == NULL)
		return;
	r->color = color;
	for (i = 0; i < t->ncols; i++)
		if (cells[i] != NULL)
			r->cells[i] = term_safe(cells[i]);
	t->nrows++;
}

void
table_row(struct table *t, const char *color, ...)
{
	const char *cells[32];
	va_list ap;
	size_t i;

	if (t == NULL)
		return;
	va_start(ap, color);
	for (i = 0; i < t->ncols && i < 32; i++)
		cells[i] = va_arg(ap, const char *);
	va_end(ap);
	table_rowv(t, color, cells);
}

/* The narrowest a column may become: cut text keeps a few characters; other columns
 * keep their cells whole (only a long header is cut). */
static size_t
col_min(const struct table *t, size_t c)
{
	const struct col *cl = &t->cols[c];
	size_t i, w = 1, cw;

	if (cl->flags & TABLE_KEEP)
		return cl->natural;
	if (cl->flags & (TABLE_TRUNC | TABLE_WRAP))
		return cl->natural < TABLE_CUT_MIN ? cl->natural : TABLE_CUT_MIN;
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].cells[c] != NULL &&
		    (cw = table_text_width(t->rows[i].cells[c])) > w)
			w = cw;
	/* a header of two kanji (定員, 残り) stays whole */
	cw = t->noheadings ? 0 : table_text_width(cl->header);
	return w > (cw < 4 ? cw : 4) ? w : cw < 4 ? cw : 4;
}

static size_t
layout_width(const struct table *t)
{
	size_t c, w = 0, n = 0;

	for (c = 0; c < t->ncols; c++)
		if (!t->cols[c].hidden) {
			w += t->cols[c].width;
			n++;
		}
	return n > 0 ? w + n - 1 : 0;	/* one space between columns */
}

#define CUT(cl)		((cl)->flags & (TABLE_TRUNC | TABLE_WRAP))

/* Which columns a step of layout() may shrink. */
enum step { S_LOW, S_COMFORT, S_NORMAL, S_HIGH };

/* Shrink the widest column the step allows, a cell at a time, until the table fits or
 * none can shrink further. */
static void
shrink(struct table *t, size_t width, const size_t *mins, enum step step)
{
	size_t c, best, bestw, floor;

	while (layout_width(t) > width) {
		best = t->ncols;
		bestw = 0;
		for (c = 0; c < t->ncols; c++) {
			const struct col *cl = &t->cols[c];
			bool low = cl->flags & TABLE_LOW, high = cl->flags & TABLE_HIGH;

			if (cl->hidden || (step == S_LOW && !(low && CUT(cl))) ||
			    (step != S_LOW && low) || (step != S_HIGH && high) ||
			    (step == S_HIGH && !high))
				continue;
			floor = mins[c];
			if (step == S_COMFORT && CUT(cl) && floor < TABLE_COMFORT)
				floor = cl->natural < TABLE_COMFORT ? cl->natural : TABLE_COMFORT;
			if (cl->width > floor && cl->width > bestw) {
				best = c;
				bestw = cl->width;
			}
		}
		if (best == t->ncols)
			return;
		t->cols[best].width--;
	}
}

/* Hide TABLE_LOW columns from the right until the table fits; only those that cannot
 * be cut when cut_too is false. */
static void
hide_low(struct table *t, size_t width, bool cut_too)
{
	size_t c;

	for (c = t->ncols; c > 0 && layout_width(t) > width; c--)
		if ((t->cols[c - 1].flags & TABLE_LOW) && (cut_too || !CUT(&t->cols[c - 1])))
			t->cols[c - 1].hidden = true;
}

/*
 * Fit the columns into width, in the order of priority:
 *   1. cut-text TABLE_LOW columns shrink (the widest first, a cell at a time);
 *   2. TABLE_LOW columns that cannot be cut (a 64-digit key) are hidden;
 *   3. the other cut-text columns shrink to TABLE_COMFORT cells (a title stays
 *      readable), other columns only as far as their header is wider than their cells
 *      (a group's name over a column of numbers);
 *   4. the remaining TABLE_LOW columns are hidden, from the right;
 *   5. cut-text columns shrink to TABLE_CUT_MIN; 6. then TABLE_HIGH ones;
 *   7. what was freed by hiding goes back to the columns that were cut.
 * TABLE_KEEP columns (references) never change.
 */
static void
layout(struct table *t, size_t width)
{
	size_t c, i, w, best, mins[64];

	for (c = 0; c < t->ncols; c++) {
		t->cols[c].natural = t->noheadings ? 0 : table_text_width(t->cols[c].header);
		for (i = 0; i < t->nrows; i++)
			if (t->rows[i].cells[c] != NULL &&
			    (w = table_text_width(t->rows[i].cells[c])) > t->cols[c].natural)
				t->cols[c].natural = w;
		t->cols[c].width = t->cols[c].natural;
	}
	if (width == 0 || t->ncols > 64 || layout_width(t) <= width)
		return;
	for (c = 0; c < t->ncols; c++)
		mins[c] = col_min(t, c);
	shrink(t, width, mins, S_LOW);
	hide_low(t, width, false);
	shrink(t, width, mins, S_COMFORT);
	hide_low(t, width, true);
	shrink(t, width, mins, S_NORMAL);
	shrink(t, width, mins, S_HIGH);
	while (layout_width(t) < width) {
		best = t->ncols;
		for (c = 0; c < t->ncols; c++)
			if (!t->cols[c].hidden && CUT(&t->cols[c]) &&
			    t->cols[c].width < t->cols[c].natural &&
			    (best == t->ncols || t->cols[c].width < t->cols[best].width))
				best = c;
		if (best == t->ncols)
			break;
		t->cols[best].width++;
	}
}

static void
table_free(struct table *t)
{
	size_t i, c;

	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < t->ncols; c++)
			free(t->rows[i].cells[c]);
		free(t->rows[i].cells);
	}
	for (c = 0; c < t->ncols; c++)
		free(t->cols[c].header);
	free(t->rows);
	free(t->cols);
	free(t);
}

int
table_print(struct table **tp)
{
	struct table *t = *tp;
	struct libscols_table *tb = NULL;
	struct libscols_column *cl;
	struct libscols_line *ln;
	size_t i, c, k;
	char *s;
	int rc = HB_EXIT_OK;

	if (t == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	*tp = NULL;
	if (t->nrows == 0) {
		if (isatty(STDOUT_FILENO))
			fputs(_("(nothing found)\n"), stderr);
		goto out;
	}
	layout(t, table_term_width());
	/* libsmartcols pads by display width and colours; the widths are ours already, so
	 * it is told never to cut or wrap (its cuts have no "…" and split nothing well). */
	if ((tb = scols_new_table()) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	scols_table_enable_colors(tb, t->color);
	scols_table_enable_nowrap(tb, 1);
	scols_table_enable_noheadings(tb, t->noheadings);
	for (c = 0; c < t->ncols; c++) {
		if (t->cols[c].hidden)
			continue;
		s = table_cut(t->cols[c].header, t->cols[c].width);
		cl = scols_table_new_column(tb, s != NULL ? s : "", 0,
		    t->cols[c].flags & TABLE_RIGHT ? SCOLS_FL_RIGHT : 0);
		free(s);
		if (cl != NULL && t->color)
			scols_cell_set_color(scols_column_get_header(cl), "bold");
	}
	for (i = 0; i < t->nrows; i++) {
		if ((ln = scols_table_new_line(tb, NULL)) == NULL)
			break;
		if (t->rows[i].color != NULL && t->color)
			scols_line_set_color(ln, t->rows[i].color);
		for (c = 0, k = 0; c < t->ncols; c++) {
			if (t->cols[c].hidden)
				continue;
			if (t->rows[i].cells[c] != NULL &&
			    (s = table_cut(t->rows[i].cells[c], t->cols[c].width)) != NULL)
				scols_line_refer_data(ln, k, s);	/* the table frees it */
			k++;
		}
	}
	if (scols_print_table(tb) != 0)
		rc = cli_error(HB_EXIT_FAIL, "cannot print the table");
out:
	scols_unref_table(tb);
	table_free(t);
	return rc;
}

void
json_line(json_t *v)
{
	if (v == NULL)
		return;
	json_dumpf(v, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(v);
}

json_t *
json_record(struct cli *cli, const struct hb_record *r)
{
	const uint8_t *author;
	char *s;
	json_t *v;

	if ((s = proto_record_to_json(r, 0)) == NULL)
		return NULL;
	v = json_loads(s, 0, NULL);
	free(s);
	if (v != NULL && cli != NULL && (author = proto_record_author(r)) != NULL)
		json_object_set_new(v, "group", json_string(hc_group_name(cli, author)));
	return v;
}

const char *
hc_jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

const char *
text_lang(struct cli *cli, json_t *payload, const char *field, const char *orig)
{
	json_t *t;
	const char *s;
	size_t i;

	if (cli != NULL && cli->lang != NULL && strcmp(cli->lang, "ja") != 0)
		json_array_foreach(json_object_get(payload, "translations"), i, t)
			if (strcmp(hc_jstr(t, "lang"), cli->lang) == 0 &&
			    (s = json_string_value(json_object_get(t, field))) != NULL &&
			    *s != '\0')
				return s;
	return hc_jstr(payload, orig);
}
