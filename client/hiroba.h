/* SPDX-License-Identifier: ISC */
/*
 * hiroba: the command-line client. What the cmd_*.c files share: the command table entry,
 * the per-run context, exit codes, and the helpers in ctl.c, table.c, timefmt.c, conf.c
 * and draft.c. Nothing here is a library: it all lives inside the one binary.
 */
#ifndef HIROBA_CLIENT_H
#define HIROBA_CLIENT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libintl.h>

#include "proto.h"
#include "vocab.h"
#include "wire.pb-c.h"

/*
 * Messages: English in the source, Japanese (po/ja.po) where the user's locale is
 * Japanese, through glibc's gettext. _() translates at the point of printing; N_() only
 * marks a literal for xgettext where it sits in a table or a ternary and is translated
 * later (cli_usage, cli_error and cli_warn translate their format themselves, so their
 * callers pass plain literals: po/CMakeLists.txt names them to xgettext as keywords).
 */
#define _(s)	gettext(s)
#define N_(s)	(s)
/* The message catalog's domain: LOCALEDIR/LANG/LC_MESSAGES/hiroba.mo */
#define HIROBA_TEXTDOMAIN	"hiroba"

/* Exit codes scripts can rely on (documented in `hiroba --help`). */
#define HB_EXIT_OK		0
#define HB_EXIT_FAIL		1	/* refused by the daemon or by us, or failed */
#define HB_EXIT_USAGE		2	/* bad command line */
#define HB_EXIT_DOWN		3	/* hirobad unreachable */
#define HB_EXIT_NOTFOUND	4	/* no such record */

/* The store's STORE_NOTFOUND, as the daemon passes it through in CtlResponse.code. The
 * client does not link the store, so the number is part of the ctl contract. */
#define CTL_NOTFOUND		(-200)

struct cli;

struct cmd {
	const char	*name;		/* "status", "event add" */
	int		(*fn)(struct cli *cli, int argc, char **argv);
	const char	*synopsis;	/* what follows the name in a usage line */
	const char	*help;		/* the rest of `hiroba help NAME` */
	int		 flags;		/* CMD_READ */
};
#define CMD_READ	0x1	/* a read command: takes --lang, --remote, --remote-key */

/* One run of the program. The cached answers from the daemon are filled in lazily. */
struct cli {
	const char		*dir_opt;	/* -d */
	const char		*conf_opt;	/* -c */
	bool			 json;
	bool			 dry_run;	/* check and print drafts, publish nothing */
	bool			 color;		/* stdout is a terminal and NO_COLOR unset */
	const struct cmd	*cmd;		/* the running command, for usage errors */
	char			*dir;		/* resolved data directory */
	char			*conf;		/* config file used (or guessed), for messages */
	Hiroba__Wire__Status	*status;	/* cached `status` answer */
	json_t			*names;		/* hex key -> group name, from `members` */
	const char		*lang;		/* --lang: NULL or "ja" for the originals */
	const char		*remote;	/* --remote ENDPOINT: ask that daemon instead */
	const char		*remote_key_hex; /* --remote-key as given */
	uint8_t			 remote_key[HB_KEY_LEN];
};

/* ---- hiroba.c ---- */
/* Print "hiroba CMD: message", the command's usage line, and return HB_EXIT_USAGE. */
int	 cli_usage(struct cli *cli, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Print "hiroba: message" to stderr and return code. */
int	 cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	 cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The options every command takes (--help, --json); use in getopt_long tables. */
#define CLI_COMMON_OPTS \
	{ "help", no_argument, NULL, 'h' }, { "json", no_argument, NULL, 'J' }, \
	{ "dry-run", no_argument, NULL, 'N' }
/* What read commands take as well: --lang, --remote ENDPOINT, --remote-key KEYHEX. */
#define CLI_READ_OPTS \
	{ "lang", required_argument, NULL, 'L' }, \
	{ "remote", required_argument, NULL, 'R' }, \
	{ "remote-key", required_argument, NULL, 'K' }
/* Handle a getopt_long result that a command did not: 'h' prints the help and returns 0,
 * 'J' / 'N' set json / dry_run and return -1 (carry on), so do 'L' / 'R' / 'K' (checked);
 * anything else is a usage error (returns 2). */
int	 cli_common_opt(struct cli *cli, int c, char **argv);
/* After a read command's options: --remote and --remote-key go together. 0 or 2. */
/* A read command with no arguments beyond its options (the listings, exports, report):
 * a usage error for any left over, then cli_read_check. 0 or an exit status. */
int	 cli_listing_args(struct cli *cli, int argc, char **argv);
int	 cli_read_check(struct cli *cli);
/* Prepare getopt_long for a command's argv (argv[0] = the command's name). Commands use
 * an optstring starting with ':' so that a missing value is reported as such. */
void	 cli_getopt_reset(void);
/* A malloc'd formatted string, the caller's; NULL if out of memory. */
char	*cli_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A record kind as a message names it: proto_kind_name(k) translated ("イベント" under
 * a Japanese locale), "record" for HB_KIND_NONE. Static, never NULL. */
const char *cli_kind_word(enum hb_kind k);
/* Parse a non-negative decimal number up to max; -1 if it is not one. */
long long cli_number(const char *s, long long max);

/* ---- conf.c ---- */
/* The `data` key of the [node] section of an INI config. 0 with *data malloc'd (the
 * caller's), ENOENT if the file has no data key, or an errno from reading it. */
int	 conf_data_dir(const char *path, char **data);
/* Any key of the [node] section, the same way. */
int	 conf_node_get(const char *path, const char *key, char **data);
/* Quote s for a POSIX shell ('...'); malloc'd, the caller's. */
char	*conf_shell_quote(const char *s);

/* ---- ctl.c ---- */
/* Resolve cli->dir (and cli->conf) from -d, $HIROBA_DIR or the config. Exit code. */
int	 hc_dir(struct cli *cli);
/* An empty request. (The generated HIROBA__WIRE__CTL_REQUEST__INIT trips
 * -Wmissing-braces because the oneof's first member is a struct.) */
Hiroba__Wire__CtlRequest hc_request(void);
/* Send one request to the local hirobad and wait for its answer. Returns HB_EXIT_OK with
 * *resp the caller's (free with hiroba__wire__ctl_response__free_unpacked), whatever its
 * code; or HB_EXIT_DOWN after printing what to do. */
int	 hc_call(struct cli *cli, const Hiroba__Wire__CtlRequest *req,
	    Hiroba__Wire__CtlResponse **resp);
/* Map a non-zero response code to an exit code after printing the daemon's message,
 * prefixed by what (may be NULL). */
int	 hc_failed(const Hiroba__Wire__CtlResponse *resp, const char *what);
/* Open (verify and validate) one envelope from the daemon. NULL, with a warning, if it
 * does not open: the CLI trusts nothing it did not check. */
struct hb_record *hc_open(const ProtobufCBinaryData *env);
/* Publish a draft; on success *out (if not NULL) is the signed record. Exit code. */
int	 hc_publish(struct cli *cli, const struct hb_record *draft, struct hb_record **out);
/* Current version of (author, id). HB_EXIT_NOTFOUND quietly when there is none. */
int	 hc_get(struct cli *cli, const uint8_t author[HB_KEY_LEN], const char *id,
	    struct hb_record **out);
/* Run a query; *resp the caller's. Exit code (errors printed). */
int	 hc_query(struct cli *cli, const Hiroba__Wire__Query *q,
	    Hiroba__Wire__CtlResponse **resp);
/* A query's answer with every envelope opened: recs[i] (NULL if it did not verify) and
 * json[i] (its JSON form with "group") belong to resp->envelopes[i]. */
struct qres {
	Hiroba__Wire__CtlResponse	*resp;
	struct hb_record		**recs;
	json_t				**json;
	size_t				 n;
};
int	 hc_query_open(struct cli *cli, const Hiroba__Wire__Query *q, struct qres *res);
void	 qres_free(struct qres *res);
/* This daemon's status, cached in cli->status (owned by cli). Exit code. */
int	 hc_status(struct cli *cli, const Hiroba__Wire__Status **st);
/* This group's key (from status). Exit code. */
int	 hc_self(struct cli *cli, const uint8_t **key);
/* A group's name for people: its membership name, our own name, else its fingerprint.
 * The pointer lives as long as cli. Never NULL. */
const char *hc_group_name(struct cli *cli, const uint8_t key[HB_KEY_LEN]);
/* Resolve a --group argument: 64 hex digits, a fingerprint, or a member's name. */
int	 hc_group_parse(struct cli *cli, const char *s, uint8_t key[HB_KEY_LEN]);
void	 cli_free(struct cli *cli);

/* ---- remote.c ---- */
/* One query or get, as a RemoteQuery to cli->remote over CURVE with this group's own key
 * (DIR/identity.key), waiting 10 s for the RemoteAnswer with the same id. Same contract as
 * hc_call; other requests are refused with a usage message. */
int	 remote_call(struct cli *cli, const Hiroba__Wire__CtlRequest *req,
	    Hiroba__Wire__CtlResponse **resp);

/* ---- table.c ---- */
#define TABLE_RIGHT	0x1	/* numbers */
#define TABLE_TRUNC	0x2	/* long text: may be cut on a narrow terminal */
#define TABLE_WRAP	0x4
struct table;
struct table *table_new(struct cli *cli);
void	 table_col(struct table *t, const char *header, int flags);
void	 table_noheadings(struct table *t);
/* Add a row; exactly one value per column, NULL prints as empty. color: NULL or a
 * libsmartcols color name ("red", "green"), used only when colour is on. */
void	 table_row(struct table *t, const char *color, ...);
void	 table_rowv(struct table *t, const char *color, const char *const *cells);
/* Print and free. */
int	 table_print(struct table **t);
/* Print one JSON value as one line on stdout, and decref it. */
void	 json_line(json_t *v);
/* A record as JSON (proto_record_to_json, parsed), plus "group" when cli is not NULL. */
json_t	*json_record(struct cli *cli, const struct hb_record *r);

/* obj[key] if it is a string, else "". */
const char *hc_jstr(json_t *obj, const char *key);
/* A payload's human text in cli->lang (--lang), falling back to the original Japanese:
 * field is "title" or "description" (a translation's names); orig is the payload's own
 * key for it ("title", "name", "description", "agenda"). Never NULL. */
const char *text_lang(struct cli *cli, json_t *payload, const char *field, const char *orig);

/* ---- timefmt.c: Asia/Tokyo is UTC+09:00 all year (no DST since 1951) ---- */
#define TOKYO_OFFSET	(9 * 3600)
/* Parse a time as people type it: "2026-12-05 10:00", "2026/12/5", "12/5" (this year, or
 * next if passed), "令和8年12月5日", "12月5日 10時半", full-width digits, ISO 8601 with "Z"
 * or "+hh:mm", "now", "today", "tomorrow" (the list is in timefmt.c). Without an offset
 * the time is Asia/Tokyo. *date_only (may be NULL) tells that no time of day was given.
 * 0 or -1 (timefmt_error() says why). */
int	 timefmt_parse(const char *s, int64_t *t, bool *date_only);
/* "HH:MM", "10時", "10時半", "午後2時" (full-width too) → minutes after midnight. 0 or -1. */
int	 timefmt_parse_hm(const char *s, int *minutes);
/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t	 timefmt_days(int y, int m, int d);
void	 timefmt_civil(int64_t days, int *y, int *m, int *d);
/* Local (Tokyo) calendar date of an instant as YYYYMMDD, and 00:00 Tokyo of one. */
int64_t	 timefmt_ymd(int64_t t);
int64_t	 timefmt_ymd_start(int64_t ymd);
/* Format an instant in Tokyo: "2026-12-05(土) 10:00". */
void	 timefmt_local(int64_t t, char *buf, size_t len);
/* "2026-12-05(土)" for a YYYYMMDD date. */
void	 timefmt_date(int64_t ymd, char *buf, size_t len);
/* ISO 8601 with offset: "2026-12-05T10:00:00+09:00". */
void	 timefmt_iso(int64_t t, char *buf, size_t len);
/* A span for a table: "2026-12-05(土) 10:00–12:00", or an all-day date range. */
void	 timefmt_span(int64_t start, int64_t end, bool all_day, char *buf, size_t len);

/* ---- draft.c: building, reading and publishing records ---- */
/* Read a JSON object from path ("-" is stdin). Exit code, message printed. */
int	 draft_read(struct cli *cli, const char *path, json_t **out);
/* Check a JSON draft locally (proto_draft_from_json), set its id, publish it, and print
 * what was published (or the record as JSON with --json). Exit code. */
int	 draft_publish(struct cli *cli, json_t *draft, const char *id);
/* Parse "AUTHORHEX/ID" or "ID" (our own). Exit code; *id malloc'd. */
int	 draft_ref(struct cli *cli, const char *s, uint8_t author[HB_KEY_LEN], char **id);
/* For edits: the current version of one of this group's own records as a draft (JSON
 * without header keys). Refuses records of other groups and records of another kind
 * (want = HB_KIND_NONE: any). *id is the bare id (malloc'd). Exit code. */
int	 draft_get_own(struct cli *cli, const char *ref, enum hb_kind want, json_t **out,
	    char **id);
/* Give a new draft its id: `given` (--id), else the id the draft already has (-f FILE),
 * else a new one, "event/20261205-a1b2c3": prefix, a date (0: none) and six random hex
 * digits. 0 or an exit status (the error is printed). */
int	 draft_set_id(json_t *draft, const char *given, const char *prefix, int64_t ymd);

/* The payload object of a draft (draft.event, ...), made if missing. */
json_t	*draft_payload(json_t *draft, const char *kind);
/* The Tokyo date of a payload's when.start (today if none), for generated ids. */
int64_t	 draft_ymd(json_t *payload);

/* ---- cmd_event.c: shared with meetings ---- */
/* Parse a --from/--to style option; a bare date as is_end means the end of that day.
 * 0 or a usage error. */
int	 opt_time(struct cli *cli, const char *opt, const char *s, bool is_end, int64_t *t);
/* Set obj.when from --start/--end/--all-day (all_day -1: not given); options not given
 * keep what obj has. 0 or an exit code. */
int	 when_apply(struct cli *cli, json_t *obj, const char *start, const char *end,
	    int all_day);
void	 where_text_set(json_t *obj, const char *text);
const char *where_label(json_t *obj);
/* Set translations[lang].field = value, adding the translation if needed. */
void	 translation_set(json_t *obj, const char *lang, const char *field, const char *value);

/* Vocabulary: proto/vocab.h (struct vocab, vocab_category ..., vocab_find,
 * vocab_find_label, vocab_label). What needs the run's language or prints stays here. */
/* The label in cli->lang: Japanese for ja, else the English one. */
const char	*vocab_label_lang(struct cli *cli, const struct vocab *v, const char *json);
/* "a,b,c" where every item is a code or a label → a JSON array of json names. NULL and a
 * usage message listing the accepted values if one is unknown. */
json_t	*vocab_list(struct cli *cli, const struct vocab *v, const char *what, const char *s);

/* ---- cmd_place.c ---- */
/* Decimal degrees ("35.4658") → 1e-7 degrees, within ±limit. 0 or -1. */
int	 place_degrees(const char *s, double limit, int32_t *e7);
/* "500m", "1km", "1.5km", "800" (metres) → metres. 0 or -1. */
int	 place_distance(const char *s, uint32_t *m);

/* ---- cmd_report.c: the roster, shared with meetings and matches ---- */
/* The groups the center has admitted or revoked, and the center's key. With --remote the
 * roster is empty (the remote answers queries only). */
struct roster {
	struct hb_member	*m;
	size_t			 n;
	bool			 has_center;
	uint8_t			 center[HB_KEY_LEN];
};
/* Exit code; ro is the caller's to free with roster_free (also after a failure). */
int	 roster_load(struct cli *cli, struct roster *ro);
void	 roster_free(struct roster *ro);

/* ---- the commands ---- */
int	cmd_init(struct cli *, int, char **);
int	cmd_admit(struct cli *, int, char **);
int	cmd_revoke(struct cli *, int, char **);
int	cmd_publish(struct cli *, int, char **);
int	cmd_show(struct cli *, int, char **);
int	cmd_delete(struct cli *, int, char **);
int	cmd_status(struct cli *, int, char **);
int	cmd_members(struct cli *, int, char **);
int	cmd_sync(struct cli *, int, char **);
int	cmd_event_cancel(struct cli *, int, char **);
int	cmd_event_done(struct cli *, int, char **);
int	cmd_events(struct cli *, int, char **);
int	cmd_place_remove(struct cli *, int, char **);
int	cmd_places(struct cli *, int, char **);
int	cmd_volunteer_close(struct cli *, int, char **);
int	cmd_volunteers(struct cli *, int, char **);
int	cmd_contact(struct cli *, int, char **);
int	cmd_audit(struct cli *, int, char **);
int	cmd_compact(struct cli *, int, char **);
int	cmd_console_user(struct cli *, int, char **);
int	cmd_console_open(struct cli *, int, char **);
int	cmd_meeting_call(struct cli *, int, char **);
int	cmd_meeting_reply(struct cli *, int, char **);
int	cmd_meetings(struct cli *, int, char **);
int	cmd_export(struct cli *, int, char **);
int	cmd_import(struct cli *, int, char **);
int	cmd_report(struct cli *, int, char **);
int	cmd_event_register(struct cli *, int, char **);
int	cmd_meeting_show(struct cli *, int, char **);
int	cmd_meeting_minutes(struct cli *, int, char **);
int	cmd_match(struct cli *, int, char **);
int	cmd_match_record(struct cli *, int, char **);
int	cmd_matches(struct cli *, int, char **);

/* ==== the table-driven forms, the query builder, the
 * command table as data. ==== */
struct option;

/* ---- form.c: add/edit of the kinds in proto/vocab.c's table ---- */
#define FORM_FIELDS_MAX	32		/* rows of one kind's table */
#define FORM_OPT_BASE	256		/* getopt value of field i: FORM_OPT_BASE + i */
/* What one add/edit command line gave: per field of the kind's table (same index), the
 * option's last value ("" for a flag; NULL: not given) and, for lists, every item as a
 * JSON array (owned here; form_opts_free). The strings are argv's. */
struct form_opts {
	const struct vocab_kind	*k;
	const char		*file, *id;		/* -f, --id */
	const char		*val[FORM_FIELDS_MAX];
	json_t			*list[FORM_FIELDS_MAX];
	int			 given;			/* field options given */
	bool			 adding;		/* add (CMD_FORM_ADD), not edit */
};
/* A kind's own steps around the generic ones (each may be NULL; each returns 0 or an
 * exit status after printing why): check the options before anything is read, apply the VF_CLI fields to the draft, finish once the id is
 * known (sealing). id_date: generated ids carry a date (event: its start; else today). */
struct form {
	enum hb_kind	 kind;
	bool		 id_date;
	int		(*check)(struct cli *, const struct form_opts *);
	int		(*apply)(struct cli *, json_t *draft, const struct form_opts *);
	int		(*finish)(struct cli *, json_t *draft, const struct form_opts *,
			    const char *id);
};
/* Each kind's steps, in its cmd_<kind>.c. */
extern const struct form event_form, place_form, vol_form;
/* The commands `KIND add` and `KIND edit ID` of every kind in the table: the kind is
 * the command's (CMD_KIND in struct cmd's flags). Exit status. */
int	 cmd_form_add(struct cli *cli, int argc, char **argv);
int	 cmd_form_edit(struct cli *cli, int argc, char **argv);
/* Parse argv by the kind's table: every value checked by its type (characters, ranges,
 * vocabularies). -1 to carry on, else an exit status (--help: 0). */
int	 form_parse(struct cli *cli, enum hb_kind kind, int argc, char **argv,
	    struct form_opts *o);
void	 form_opts_free(struct form_opts *o);
/* Write the generic (not VF_CLI) fields given into a payload object. */
void	 form_apply(const struct form_opts *o, json_t *payload);
/* A field's value as given (NULL: not given), and a list field's items. */
const char *form_get(const struct form_opts *o, const char *key);
json_t	*form_list(const struct form_opts *o, const char *key);
/* The getopt_long table of a kind's add/edit (fields, --id for add, --file, the common
 * options), ended by a zero row. Returns the rows written, the zero row included. */
size_t	 form_getopt_table(const struct vocab_kind *k, bool adding, struct option *opts,
	    size_t max);
/* The options part of `KIND add`'s usage line, tab-continued lines as in struct cmd. */
void	 form_synopsis(enum hb_kind kind, char *buf, size_t len);

/* ---- query.c: a listing's query, with as many filters as the command line gives ---- */
struct qb {
	Hiroba__Wire__Query	 q;	/* q.terms points into the builder */
	char			**terms;
	size_t			 cap;
	const char		*group;			/* --group, resolved by qb_done */
	long long		 limit;			/* --limit, -1: none */
	bool			 have_from, have_to;	/* --from, --to given */
	bool			 have_radius;		/* --radius given */
	bool			 mine;			/* --mine */
	uint8_t			 author[HB_KEY_LEN];	/* q.author's bytes */
};
/* The options every listing takes, and those of listings in time. A command's own
 * options use other letters than g t l F T (and h J N L R K, the common ones). */
#define QB_OPTS \
	{ "group", required_argument, NULL, 'g' }, { "text", required_argument, NULL, 't' }, \
	CLI_COMMON_OPTS, CLI_READ_OPTS
#define QB_LIMIT_OPT	{ "limit", required_argument, NULL, 'l' }
/* What a listing shown as a table takes as well: --mine (ref_mine) and --wide. */
#define QB_LIST_OPTS \
	{ "mine", no_argument, NULL, 'm' }, TABLE_WIDE_OPT
#define QB_TIME_OPTS \
	{ "from", required_argument, NULL, 'F' }, { "to", required_argument, NULL, 'T' }
void	 qb_init(struct qb *b, enum hb_kind kind);
void	 qb_free(struct qb *b);
/* A getopt_long result the command did not handle: the QB_* options, else
 * cli_common_opt's. -1 to carry on, else an exit status (errors printed). */
int	 qb_opt(struct cli *cli, struct qb *b, int c, char **argv);
/* The options every listing takes, for listings without a struct qb (matches,
 * meetings): --mine into *mine, --wide, else cli_common_opt's. -1 to carry on,
 * else an exit status. qb_opt ends in it too. */
int	 cli_listing_opt(struct cli *cli, int c, char **argv, bool *mine);
/* --near LAT,LON and --radius DISTANCE (places, exports). 0 or a usage error. */
int	 qb_near(struct cli *cli, struct qb *b, const char *s);
int	 qb_radius(struct cli *cli, struct qb *b, const char *s);
/* After the options: no arguments left (cli_listing_args), --limit into the query,
 * --radius only with --near (1 km without it), --group resolved into q.author. 0 or an
 * exit status. */
int	 qb_done(struct cli *cli, struct qb *b, int argc, char **argv);
/* Add the term "name=value" (a repeat is dropped). More than VOCAB_QUERY_TERMS, which
 * the daemon refuses, is a usage error naming the limit. 0 or an exit status. */
int	 qb_term(struct cli *cli, struct qb *b, const char *name, const char *value);
/* A filter by a vocabulary (--category, --audience): value is a code or a label; the
 * term is "name=code". 0 or a usage error listing the values. */
int	 qb_enum(struct cli *cli, struct qb *b, const struct vocab *v, const char *opt,
	    const char *name, const char *value);

/* ---- hiroba.c: the command table as data (for tests and the help check) ---- */
#define CMD_WRITE	0x2	/* publishes: takes --dry-run */
#define CMD_FORM_ADD	0x4	/* synopsis from the kind's table (flags >> 8 = kind) */
#define CMD_KIND(k)	((k) << 8)
extern const struct cmd cli_commands[];
/* The whole program, for main.c: global options, then the command. Exit status. */
int	 cli_main(int argc, char **argv);
/* Print a command's help (as `hiroba CMD --help`) to f. */
void	 cli_print_help(const struct cmd *c, FILE *f);

/* ---- conf.c: starting the daemon ---- */
/*
 * How to start the daemon of config conf, for "not running" messages: "sudo systemctl
 * start hirobad" when conf is the unit's config and the unit is installed, else
 * "hirobad -c CONF". Returns a static string, valid until the next call.
 */
const char *conf_start_hint(const char *conf);

/* ---- dates, references, tables that fit ---- */

/* timefmt.c: timefmt_parse with "now" given, and the reason for a refusal written to err
 * (may be NULL): how far the text was understood, what was wrong, and examples. The
 * accepted forms are listed above parse_date() in timefmt.c. 0 or -1. */
int	 timefmt_parse_at(const char *s, int64_t now, int64_t *t, bool *date_only,
	    char *err, size_t errlen);
/* The reason the last timefmt_parse / timefmt_parse_hm refused its text (a static
 * buffer, valid until the next call). Never NULL. */
const char *timefmt_error(void);

/* ref.c: short references (the scheme is described at the top of ref.c). */
#define REF_MIN		4	/* hex digits of a short reference, at least */
#define REF_BUFLEN	20
/* The short reference of (author, id), unique among the records the daemon holds, into
 * buf (REF_BUFLEN bytes are enough). Loads every record's hash once per run. */
void	 ref_short(struct cli *cli, const uint8_t author[HB_KEY_LEN], const char *id,
	    char *buf, size_t len);
/* The same for a signed record; "-" for a draft. */
void	 ref_record(struct cli *cli, const struct hb_record *r, char *buf, size_t len);
/* What a person typed (AUTHORHEX/ID, ID, GROUP/ID, GROUP/SHORT or SHORT) → author and *id
 * (malloc'd, the caller's). kind: HB_KIND_NONE, or only records of that kind are
 * candidates. Says on stderr which record a short or group form meant. Returns 0,
 * HB_EXIT_NOTFOUND (no such record), HB_EXIT_USAGE (ambiguous: the candidates are listed
 * on stderr) or another exit code; the message is printed. It does not check that a
 * full AUTHORHEX/ID exists: the caller's hc_get does. */
int	 ref_resolve(struct cli *cli, const char *text, enum hb_kind kind,
	    uint8_t author[HB_KEY_LEN], char **id);
/* --mine on a listing: restrict q to this group's own records (q->author points into
 * cli's cached status). Exit code. */
int	 ref_mine(struct cli *cli, Hiroba__Wire__Query *q);

/* table.c: tables that fit the terminal. The width is COLUMNS if set, else the terminal's
 * (80 if it cannot tell); off a terminal without COLUMNS, and with --wide, nothing is
 * cut. When a table is wider, cut-text columns (TABLE_TRUNC, TABLE_WRAP: both are cut
 * with "…", by display width, never inside a character) shrink, TABLE_LOW ones first,
 * TABLE_HIGH ones last, and TABLE_LOW columns are left out before a title is cut below
 * TABLE_COMFORT cells (the order is in table.c, above layout()).
 * TABLE_KEEP columns (the 参照 reference) are never cut or hidden. */
#define TABLE_LOW	0x8	/* shrinks first, hidden last resort */
#define TABLE_KEEP	0x10	/* never cut: references */
#define TABLE_HIGH	0x20	/* cut last: what the listing is for (出欠) */
#define TABLE_MIN_WIDTH	80	/* what a narrower terminal is taken for */
#define TABLE_CUT_MIN	6	/* a cut column keeps this many cells at least */
#define TABLE_COMFORT	12	/* cut text below this only after hiding TABLE_LOW ones */
/* The option every listing takes: { "wide", no_argument, NULL, TABLE_OPT_WIDE }, and on
 * it table_set_wide(true). */
#define TABLE_OPT_WIDE	0x57	/* 'W' */
#define TABLE_WIDE_OPT	{ "wide", no_argument, NULL, TABLE_OPT_WIDE }
void	 table_set_wide(bool on);
/* The width tables are fitted into; 0 for no limit. */
size_t	 table_term_width(void);
/* Display width of text (the widest line); a malloc'd copy cut to width with "…". */
size_t	 table_text_width(const char *s);
char	*table_cut(const char *s, size_t width);

#endif /* HIROBA_CLIENT_H */
