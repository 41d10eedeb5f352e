/* SPDX-License-Identifier: ISC */
/*
 * vocab: the one table of record kinds and the one vocabulary. For each kind the CLI
 * writes (event, place, volunteer), each field's JSON key, type, limit, Japanese and
 * English labels, option spelling, import column names and export header; and each
 * enumeration (categories, audiences, group kinds ...) as code, Japanese and English.
 * The CLI's add/edit options, help synopses, listing filters and CSV headers are read
 * from here, and the daemon's page may read the same words, so that a field is added by
 * one row and a label is spelled once. Data only: no JSON, no I/O, nothing to free.
 *
 * Adding a field the protocol already has (as --age-min was): its row below gives the
 * add/edit option, its check, its place in the draft and in the help synopsis; then its
 * line in deploy/man/hiroba.1.scd (tests/integration/test_cli_help.py fails until
 * then) and a test. Exported to CSV: its key in cmd_export.c's column list and the line
 * that writes its cell. A field new to the protocol needs hiroba.proto, validate.c and
 * PROTOCOL.md first.
 */
#ifndef HIROBA_VOCAB_H
#define HIROBA_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* One value of an enumeration. name is the code people type and queries use ("father");
 * json the lower-case enum name of proto's JSON form ("other_category" where it differs);
 * label the Japanese word; en the English one. */
struct vocab {
	const char	*name;
	const char	*json;
	const char	*label;
	const char	*en;
};
/* Each ends with a row of NULLs, in the proto enum's order (index + 1 = enum number). */
extern const struct vocab vocab_category[], vocab_audience[], vocab_group_kind[],
	    vocab_vkind[], vocab_lstatus[];
/* Common map tags as "KEY=VALUE" codes (the console's checkboxes). */
extern const struct vocab vocab_place_tag[];

/* The value whose code or JSON name is s; NULL if none (or s is NULL). */
const struct vocab *vocab_find(const struct vocab *v, const char *s);
/* Also by its Japanese label or (ignoring case) its English one: what input accepts. */
const struct vocab *vocab_find_label(const struct vocab *v, const char *s);
/* The Japanese label of a code or JSON name; s itself if unknown, "" for NULL. */
const char	*vocab_label(const struct vocab *v, const char *s);
/* The label in a language: Japanese for ja, else English (the code if it has none). */
const char	*vocab_label_in(const struct vocab *v, const char *s, bool ja);
/* "father (父親向け), play_space (親子のひろば), ...": the accepted values, both
 * spellings, for a refusal. Written into buf (cut to len); returns buf. */
char		*vocab_accepted(const struct vocab *v, char *buf, size_t len);

/* Field types: how an option's value is read and where it goes. */
enum vocab_type {
	VT_TEXT,	/* a string; max counts characters (code points) */
	VT_TEXTS,	/* strings: the option repeats or takes "a,b"; max items */
	VT_UINT,	/* a whole number 0..max */
	VT_ENUM,	/* one of values: its code or label */
	VT_ENUMS,	/* "a,b" of values */
	VT_TIME,	/* a time or a date, Asia/Tokyo unless an offset is given */
	VT_FLAG,	/* an option without a value */
	VT_DEGREES,	/* decimal degrees within ±max */
	VT_TAGS		/* KEY=VALUE (OpenStreetMap tags); repeats, max items */
};

#define VF_REQUIRED	0x1	/* `add` needs it (unless the record comes from -f FILE) */
#define VF_CLI		0x2	/* the CLI sets it itself (times, repetition, point, sealed
				 * contact): key names the field, but is not a path to write */
#define VF_REPLACE	0x4	/* a list: given on edit, it replaces the whole list */
#define VF_ONEOF	0x8	/* an alternative to the row before: --wanted|--offered (the
				 * first row's VF_REQUIRED is met by either) */

struct vocab_field {
	const char		*key;	/* payload JSON path: "title", "where.text", "fee_yen",
					 * "translations.en.title" (a translation's field) */
	enum vocab_type		 type;
	unsigned long		 max;	/* characters, a number's maximum, or list items; 0: none */
	const char		*ja;	/* labels, for messages and listings */
	const char		*en;
	const char		*option;	/* "title" is --title; NULL: no option */
	const char		*arg;		/* the value in a synopsis: "TEXT" */
	const struct vocab	*values;	/* VT_ENUM, VT_ENUMS */
	const char		*col_ja;	/* CSV column (import) and header (export) */
	const char		*col_en;	/*   in Japanese and in English; NULL: none */
	int			 flags;
};

struct vocab_kind {
	enum hb_kind			 kind;
	const char			*name;		/* the payload's key: "event" */
	const char			*ja, *en;
	const char			*noun;		/* "event": for "which event? (its ID)" */
	const struct vocab_field	*fields;	/* ends with key == NULL */
};

/* The table of a kind the CLI adds, edits or exports (event, place, volunteer, meeting);
 * NULL for the others. */
const struct vocab_kind	 *vocab_kind_of(enum hb_kind k);
/* A kind's field by key, by option spelling, or by column name (Japanese or English,
 * case ignored). NULL if none. By key and by column, the record's own columns every
 * kind's CSV has are found too: "group" (グループ) and "id" (ID). */
const struct vocab_field *vocab_field(const struct vocab_kind *k, const char *key);
const struct vocab_field *vocab_field_option(const struct vocab_kind *k, const char *opt);
const struct vocab_field *vocab_field_column(const struct vocab_kind *k, const char *col);
/* A field's CSV column in a language. */
const char	*vocab_column(const struct vocab_field *f, bool ja);

/*
 * Check one typed value of a field by its type (text length in characters, a whole
 * number 0..max, a value of the enumeration, each of a list of them). 0 if it is fine;
 * else -1 with the reason in err, worded as the CLI's (after its "--option: "), so a
 * refusal reads the same in the CLI and in the console. Times, tags and degrees are not
 * checked here (0): their parsers say what is wrong.
 */
int		 vocab_check(const struct vocab_field *f, const char *s, char *err,
		    size_t len);

/* How many characters (code points) a UTF-8 string has: what limits count. */
size_t		 vocab_chars(const char *s);

/* Listing filters: at most this many query terms (the store's limit, store.h). */
#define VOCAB_QUERY_TERMS	8

#endif /* HIROBA_VOCAB_H */
