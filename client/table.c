/*
 * table: output for people and for scripts. Tables go through libsmartcols, which pads by
 * display width (全角 characters take two columns); --json goes through jansson.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libsmartcols.h>

#include "hiroba.h"

struct table {
	struct libscols_table	*tb;
	size_t			 ncols;
	bool			 color;
};

struct table *
table_new(struct cli *cli)
{
	struct table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->tb = scols_new_table()) == NULL) {
		free(t);
		return NULL;
	}
	t->color = cli->color;
	scols_table_enable_colors(t->tb, t->color);
	/* Off a terminal, never cut or wrap: scripts and pipes get every character. */
	if (!isatty(STDOUT_FILENO))
		scols_table_enable_nowrap(t->tb, 1);
	return t;
}

void
table_noheadings(struct table *t)
{
	if (t != NULL)
		scols_table_enable_noheadings(t->tb, 1);
}

void
table_col(struct table *t, const char *header, int flags)
{
	struct libscols_column *cl;
	int fl = 0;
	double whint = 0;

	if (t == NULL)
		return;
	if (flags & TABLE_RIGHT)
		fl |= SCOLS_FL_RIGHT;
	if ((flags & (TABLE_TRUNC | TABLE_WRAP)) && isatty(STDOUT_FILENO)) {
		fl |= flags & TABLE_WRAP ? SCOLS_FL_WRAP : SCOLS_FL_TRUNC;
		whint = 0.3;
	}
	if ((cl = scols_table_new_column(t->tb, header, whint, fl)) == NULL)
		return;
	if (t->color)
		scols_cell_set_color(scols_column_get_header(cl), "bold");
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
	struct libscols_line *ln;
	char *safe;
	size_t i;

	if (t == NULL || (ln = scols_table_new_line(t->tb, NULL)) == NULL)
		return;
	if (color != NULL && t->color)
		scols_line_set_color(ln, color);
	for (i = 0; i < t->ncols; i++) {
		if (cells[i] == NULL)
			continue;
		if ((safe = term_safe(cells[i])) != NULL)
			scols_line_refer_data(ln, i, safe);	/* the table frees it */
		else
			scols_line_set_data(ln, i, cells[i]);
	}
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

int
table_print(struct table **tp)
{
	struct table *t = *tp;
	int rc = HB_EXIT_OK;

	if (t == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	if (scols_table_get_nlines(t->tb) > 0) {
		if (scols_print_table(t->tb) != 0)
			rc = cli_error(HB_EXIT_FAIL, "cannot print the table");
	} else if (isatty(STDOUT_FILENO))
		fputs("(nothing found)\n", stderr);
	scols_unref_table(t->tb);
	free(t);
	*tp = NULL;
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
