/* SPDX-License-Identifier: ISC */
/*
 * hiroba: the command-line client of hirobad. main() reads the global options, finds the
 * command in the one table below and runs it; every command lives in a cmd_*.c file.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hiroba.h"

#define TIME_HELP \
	"Times are Asia/Tokyo unless they carry an offset: '2026-12-05 10:00', '2026-12-05',\n" \
	"'2026-12-05T10:00:00+09:00', '2026-12-05T01:00:00Z', 'now', 'today', 'tomorrow';\n" \
	"also '2026/12/5', '12/5' (this year, or next if passed), '令和8年12月5日', full-width\n" \
	"digits, and a time as '10:00', '10時', '10時半': '12月5日 10時半'.\n"
/* What every listing shown as a table takes (ref.c, table.c) */
#define LISTING_HELP \
	"  --mine       only this group's own records\n" \
	"  --wide       print every column whole (tables are fitted to the terminal)\n"
#define EXPORT_OPTS \
	"\t[--from TIME] [--to TIME] [--category CAT] [--audience A] [--group G] [--text T]\n" \
	"\t[--tag KEY=VALUE ...] [--near LAT,LON [--radius 1km]] [-o FILE]"
#define EXPORT_HELP \
	"  --kind       which records (comma-separated): event, meeting, place, volunteer\n" \
	"  --from, --to events and meetings with an occurrence in [from, to); default: from\n" \
	"               30 days ago to a year from now\n" \
	"  --category, --audience   events only (see `hiroba help event add`)\n" \
	"  --tag, --near, --radius  places only (see `hiroba help places`)\n" \
	"  --group G    one group's records (its key, fingerprint or name)\n" \
	"  --text T     records whose text contains T\n" \
	"  -o FILE      write FILE (replaced whole, never left half-written); default stdout\n"
#define IMPORT_HELP \
	"Validates every row first. If any row is refused, each refusal is listed with its\n" \
	"line number and reason, nothing is imported and the exit status is 1 (--skip-bad\n" \
	"imports the good rows). The accepted rows are then published in one request, all or\n" \
	"none. A row's record id is its id column, else derived from its identifying fields\n" \
	"(an event's title and start, a place's name and point), so importing the same file\n" \
	"again changes nothing: rows whose record already has the same content are skipped.\n" \
	"  --kind       event or place (default: guessed from the columns or the records)\n" \
	"  --skip-bad   import the good rows even if some are refused (exit status 1 still)\n" \
	"  --dry-run    check every row and say what would be imported; publish nothing\n"
#define FILE_HELP \
	"  -f FILE      take the record from a JSON file ('-' reads stdin); options given\n" \
	"               as well override its fields\n"

const struct cmd cli_commands[] = {
	{ "init", cmd_init,
	  "--dir DIR --name NAME --kind center|nursery|circle|other --listen ENDPOINT\n"
	  "\t(--center HEX | --center self) [--peer NAME=ENDPOINT@KEYHEX ...] [--sync-interval S]",
	  "Create this group's identity and the daemon's data directory and config:\n"
	  "DIR (mode 0700), DIR/identity.key (0600) and DIR/hirobad.conf. Prints the new key,\n"
	  "its fingerprint (read it to the center over the phone) and the line the center runs\n"
	  "to admit the group. Refuses to overwrite an existing identity or config.\n"
	  "  --listen may repeat; --peer may repeat. --center self makes this group the center.\n", 0 },
	{ "admit", cmd_admit, "KEYHEX --name NAME --kind center|nursery|circle|other",
	  "Admit a group to the network (center only): publishes its membership record.\n", 0 },
	{ "revoke", cmd_revoke, "KEYHEX [--after-seq N]",
	  "Revoke a group's membership (center only). Its records up to sequence number N stay\n"
	  "valid, later ones are refused whatever time they claim. Default N: how far this\n"
	  "daemon holds the group's records without gaps (from `hiroba status`), else 0.\n", 0 },
	{ "publish", cmd_publish, "-f FILE|-",
	  "Publish any record from its JSON form (see PROTOCOL.md): {\"id\":\"...\", \"event\":{...}}.\n"
	  "The daemon signs it with this group's key and shares it. The output of `hiroba show\n"
	  "--json` is accepted back (its header keys are ignored).\n", CMD_WRITE },
	{ "show", cmd_show, "[AUTHORHEX/]ID",
	  "Show one record. A bare ID names one of this group's own records.\n", CMD_READ },
	{ "delete", cmd_delete, "ID [--reason TEXT]",
	  "Delete one of this group's own records (publishes a tombstone).\n", 0 },
	{ "status", cmd_status, "[--wide]",
	  "Show this daemon and what it knows of the network. Its key, peers (connected, last\n"
	  "contact, how far behind), record counts per kind and per group.\n", 0 },
	{ "members", cmd_members, "[--wide]",
	  "List the center and every group it has admitted or revoked (the roster). At 80\n"
	  "columns the keys are left out: --wide shows them.\n", 0 },
	{ "sync", cmd_sync, "",
	  "Start a reconciliation round with every peer now.\n", 0 },
	{ "event add", cmd_form_add, NULL,
	  "Publish an event. --end defaults to one hour after --start (for --all-day: the same\n"
	  "day); --end may be a bare HH:MM on the start's day. --id defaults to\n"
	  "event/YYYYMMDD-xxxxxx. CAT and A are a code or its Japanese label (below).\n"
	  FILE_HELP TIME_HELP, CMD_WRITE | CMD_FORM_ADD | CMD_KIND(HB_EVENT) },
	{ "event edit", cmd_form_edit, "ID [event add options]",
	  "Change one of this group's events: only the options given change.\n" FILE_HELP, CMD_WRITE | CMD_KIND(HB_EVENT) },
	{ "event cancel", cmd_event_cancel, "ID [--undo]",
	  "Mark one of this group's events as cancelled (it stays listed, marked 中止);\n"
	  "--undo takes that back.\n", CMD_WRITE },
	{ "event done", cmd_event_done, "ID --attended N",
	  "Record how many people came to one of this group's events.\n", CMD_WRITE },
	{ "event register", cmd_event_register, "ID --count N",
	  "Record how many people have registered for one of this group's events (申込数);\n"
	  "`hiroba events --available` shows the places left (定員 − 申込).\n", CMD_WRITE },
	{ "events", cmd_events,
	  "[--from TIME] [--to TIME] [--category CAT] [--audience A] [--group G] [--text T]\n"
	  "\t[--limit N] [--available] [--mine] [--wide]",
	  "List event occurrences from every group, in time order. Default: from now, the next\n"
	  "30 days; a --to date without a time includes that day. G is a group's key, its\n"
	  "fingerprint or its name. 残り is the places left (定員 − 申込).\n"
	  "  --available  only events with places left (or no capacity), not cancelled\n"
	  LISTING_HELP TIME_HELP, CMD_READ },
	{ "place add", cmd_form_add, NULL,
	  "Add a support-map entry. Tags use OpenStreetMap's vocabulary: leisure=playground,\n"
	  "changing_table=yes, stroller=yes|limited|no, wheelchair=yes. --id defaults to\n"
	  "place/xxxxxx. --tag may repeat (at most 32).\n" FILE_HELP,
	  CMD_WRITE | CMD_FORM_ADD | CMD_KIND(HB_PLACE) },
	{ "place edit", cmd_form_edit, "ID [place add options]",
	  "Change one of this group's map entries; --tag replaces all tags.\n" FILE_HELP, CMD_WRITE | CMD_KIND(HB_PLACE) },
	{ "place remove", cmd_place_remove, "ID [--reason TEXT]",
	  "Remove one of this group's map entries (publishes a tombstone).\n", 0 },
	{ "places", cmd_places,
	  "[--near LAT,LON [--radius 1km]] [--tag KEY=VALUE ...] [--text T] [--group G] [--limit N]\n"
	  "\t[--mine] [--wide]",
	  "List support-map entries. --radius takes m or km (default 1km) and needs --near.\n"
	  LISTING_HELP, CMD_READ },
	{ "volunteer add", cmd_form_add, NULL,
	  "Publish a volunteer listing: help wanted by the group, or help it offers. --skill may\n"
	  "repeat or take a comma-separated list. --id defaults to volunteer/YYYYMMDD-xxxxxx.\n"
	  "  --contact    a person's contact details: sealed to the center's key and to this\n"
	  "               group's, so only they can read it (`hiroba contact`); every daemon\n"
	  "               still replicates and verifies the listing. --contact '' removes it\n"
	  "  --expires    the listing is purged everywhere after TIME (a date: after that day)\n"
	  "  STATUS: a code or its Japanese label (below)\n"
	  FILE_HELP, CMD_WRITE | CMD_FORM_ADD | CMD_KIND(HB_VOLUNTEER) },
	{ "volunteer edit", cmd_form_edit, "ID [volunteer add options]",
	  "Change one of this group's volunteer listings; --skill replaces all skills.\n"
	  FILE_HELP, CMD_WRITE | CMD_KIND(HB_VOLUNTEER) },
	{ "volunteer close", cmd_volunteer_close, "ID [--filled]",
	  "Close one of this group's listings (status closed, or filled with --filled).\n", CMD_WRITE },
	{ "volunteers", cmd_volunteers,
	  "[--wanted|--offered] [--skill S ...] [--area AREA] [--open] [--text T] [--group G]\n"
	  "\t[--limit N] [--mine] [--wide]",
	  "List volunteer listings of every group. --skill and --area compare after NFKC\n"
	  "and case folding (ﾊﾟﾊﾟ finds パパ). At most 8 filters in one listing.\n"
	  LISTING_HELP, CMD_READ },
	{ "match", cmd_match, "[--all] [--limit N] [--mine] [--wide]",
	  "For each open \"wanted\" listing, the open \"offered\" listings that fit, best first.\n"
	  "An offer fits when it shares a skill with the wanted listing (if that names any;\n"
	  "skills compare after NFKC and case folding) and, when both give time windows, when\n"
	  "some window overlaps (weekly: weekday and hours; spans: dates). Score: 10 per\n"
	  "shared skill, 5 for the same area, 3 for an overlapping time. 理由 says why.\n"
	  "Pairs the center has recorded show their match's status.\n"
	  "  --limit N    at most N offers per wanted listing (default 5)\n"
	  "  --all        also wanted listings that are no longer open\n"
	  "  --mine       only pairs with one of this group's listings\n"
	  "  --wide       print every column whole\n", CMD_READ },
	{ "match record", cmd_match_record,
	  "WANTED_REF OFFERED_REF [--status proposed|confirmed|ended] [--note TEXT]",
	  "Record that an offer fills a wanted listing (center only). REF is a reference from\n"
	  "the 参照 columns of `hiroba match` (or GROUP/ID, or AUTHORHEX/ID). Recording the\n"
	  "same pair again updates its status\n"
	  "(default: confirmed). The listings' authors then close them with\n"
	  "`hiroba volunteer close ID --filled`.\n", CMD_WRITE },
	{ "matches", cmd_matches, "[--status proposed|confirmed|ended] [--mine] [--wide]",
	  "List the matches the center has recorded, with both listings.\n"
	  "  --mine       only matches with one of this group's listings\n"
	  "  --wide       print every column whole\n", CMD_READ },
	{ "meeting call", cmd_meeting_call,
	  "--title TEXT --start TIME [--end TIME|HH:MM] [--agenda TEXT] [--place-text TEXT]\n"
	  "\t[--invite G,G ...] [--minutes TEXT] [--id ID] [-f FILE|-]",
	  "Call a meeting (応援ネット, 地域別会議). --end defaults to one hour after --start.\n"
	  "--id defaults to meeting/YYYYMMDD-xxxxxx.\n" FILE_HELP TIME_HELP, CMD_WRITE },
	{ "meeting reply", cmd_meeting_reply,
	  "REF (--attending|--absent) [--count N] [--note TEXT]",
	  "Answer a meeting's call. REF is the meeting's reference from `hiroba meetings`\n"
	  "(参照), or GROUP/ID, or AUTHORHEX/ID. Replying again replaces the earlier answer.\n",
	  CMD_WRITE },
	{ "meeting show", cmd_meeting_show, "REF [--wide]",
	  "Show a meeting and every invited group's answer: 出席 (with how many), 欠席 or\n"
	  "未回答; groups that answered without an invitation are listed too. A meeting with\n"
	  "no invitation list invites every admitted group. Then the minutes and actions.\n"
	  "REF: the meeting's reference from `hiroba meetings` (参照), GROUP/ID or AUTHORHEX/ID.\n"
	  "  --wide       print every line and column whole\n",
	  CMD_READ },
	{ "meeting minutes", cmd_meeting_minutes,
	  "ID (--minutes TEXT | -f FILE|-) [--action TEXT ...]",
	  "Record the minutes of one of this group's meetings afterwards, and its follow-up\n"
	  "actions (each --action is one; given, they replace the earlier list).\n"
	  "  -f FILE      the minutes as plain text from FILE ('-' reads stdin)\n", CMD_WRITE },
	{ "meetings", cmd_meetings,
	  "[--from TIME] [--to TIME] [--group G] [--text T] [--mine] [--wide]",
	  "List meetings with the answers received: 出席, 欠席 and 未回答 (invited, no answer\n"
	  "yet), as `meeting show` counts them. Default: from 7 days ago, the next 90 days.\n"
	  LISTING_HELP TIME_HELP, CMD_READ },
	{ "export ics", cmd_export, "[--kind event,meeting]\n" EXPORT_OPTS,
	  "Write an iCalendar file (RFC 5545) of events and meetings, for calendar programs.\n"
	  "UIDs are ID@AUTHORHEX, the same from every daemon; SEQUENCE follows edits; times are\n"
	  "in the Asia/Tokyo zone (a VTIMEZONE is included), all-day events are dates,\n"
	  "repetitions are RRULE with EXDATE for exceptions, cancelled events STATUS:CANCELLED.\n"
	  EXPORT_HELP, CMD_READ },
	{ "export geojson", cmd_export, "[--kind place[,event]]\n" EXPORT_OPTS,
	  "Write a GeoJSON FeatureCollection (RFC 7946) of support-map entries, for uMap and\n"
	  "QGIS; with --kind place,event also events that have a point. Coordinates are\n"
	  "[lon, lat]; properties: name, description, address, opening_hours, the OSM tags as\n"
	  "keys (stroller=yes ...), name:LANG for translations, group, author and id.\n"
	  EXPORT_HELP, CMD_READ },
	{ "export csv", cmd_export, "[--kind event|meeting|place|volunteer]\n" EXPORT_OPTS,
	  "Write a CSV file that Excel in Japan opens as it is: UTF-8 with a BOM, CRLF line ends,\n"
	  "RFC 4180 quoting, and cells that start with = + - @ prefixed with ' so they are never\n"
	  "taken as formulas. One kind per file (default: event, one row per occurrence).\n"
	  "Headers are Japanese (開始, 終了, 区分, タイトル, 場所, 定員, 申込, 参加, グループ, ID ...;\n"
	  "places: 名称, 緯度, 経度, 住所, タグ ...), English with --lang other than ja; both are\n"
	  "column names `hiroba import csv` reads.\n"
	  EXPORT_HELP, CMD_READ },
	{ "import csv", cmd_import,
	  "FILE [--kind event|place] [--encoding utf-8|cp932] [--skip-bad] [--dry-run]",
	  "Publish many events or map entries from a spreadsheet saved as CSV (RFC 4180; UTF-8\n"
	  "with or without a BOM, or CP932/Shift_JIS as Excel in Japan saves 'CSV (コンマ区切\n"
	  "り)': a file that is not UTF-8 is read as CP932, or give --encoding; CRLF or LF;\n"
	  "Excel's dates such as 2026/12/15 10:00; full-width digits). The first row names the\n"
	  "columns, in Japanese or English:\n"
	  "  places: 名称/name, 緯度/lat, 経度/lon, 住所/address, タグ/tags (k=v;k=v),\n"
	  "          営業時間/opening_hours, 説明/description, 備考/notes, ID/id\n"
	  "  events: タイトル/title, 開始/start, 終了/end (or HH:MM), 終日/all_day, 区分/category,\n"
	  "          場所/place, 緯度/lat, 経度/lon, 定員/capacity, 申込/registered, 参加/attended,\n"
	  "          参加費/fee, 連絡先/contact, 説明/description, 対象/audience, 状態/status\n"
	  "          (中止/cancelled), ID/id\n"
	  "  translations: title:en, name:en, description:zh ... (also title_en)\n"
	  "Other columns (グループ/group ...) are ignored. A start without a time of day makes an\n"
	  "all-day event. Without 区分 an event is `other`. A line break inside a quoted cell is\n"
	  "kept (as LF); a leading ' before = + - @ (how `hiroba export csv` writes them) is\n"
	  "dropped, so an exported file imports back unchanged.\n"
	  IMPORT_HELP TIME_HELP, CMD_WRITE },
	{ "import json", cmd_import, "FILE [--kind event|place] [--skip-bad] [--dry-run]",
	  "Publish many records from JSON: an array of drafts, or one draft per line (the\n"
	  "output of `hiroba events --json` or `hiroba places --json` is accepted; header keys\n"
	  "are ignored). Drafts are in the JSON form of `hiroba publish` (PROTOCOL.md).\n"
	  IMPORT_HELP, CMD_WRITE },
	{ "report", cmd_report, "[--fy YEAR] [--csv]",
	  "The fiscal year's figures for the ward (事業報告), per group and for the network:\n"
	  "events held (occurrences not cancelled whose start lies in the year, Asia/Tokyo) by\n"
	  "category and by month (4月..3月); expected participants (registered, else capacity)\n"
	  "and attended, and how many events have no attended count (未記入); プレママ・\n"
	  "プレパパ and 父親向け programmes held and their attendance; support-map places (the\n"
	  "current map entries); volunteer listings opened in the year (the date in ids like\n"
	  "volunteer/YYYYMMDD-xxxxxx, else the day the current version was signed) and filled\n"
	  "(status filled, or closed with a confirmed match); meetings held in the year, the\n"
	  "groups that replied attending, and the meetings each group attended.\n"
	  "On a repeating event, capacity, registered and attended are per occurrence.\n"
	  "  --fy YEAR    2024, 2024年度, FY2024, 令和6年度, R6 (= April 2024 to March 2025);\n"
	  "               default: the fiscal year we are in\n"
	  "  --csv        CSV for Excel (UTF-8 with BOM, CRLF): one row per figure, one column\n"
	  "               per group, then the network\n"
	  "  --json       one object: groups[], network, meetings[]\n", CMD_READ },
	{ "contact", cmd_contact, "REF --purpose TEXT",
	  "Read the sealed contact of a volunteer listing. Only the center's daemon (or the\n"
	  "listing's author's) can open it. Every read is first written to the daemon's audit\n"
	  "log (time, user, record, purpose); if that fails, nothing is shown.\n", 0 },
	{ "audit", cmd_audit, "[--wide]",
	  "List the contact reads in the audit log (center only): DATA/audit.log, one JSON\n"
	  "object per line, appended to and never rewritten by hirobad. Times in Asia/Tokyo.\n"
	  "  --wide       print every column whole\n", 0 },
	{ "compact", cmd_compact, "",
	  "Rewrite the store without free space, so that deleted and expired records are gone\n"
	  "from the disk, not only from the store (run it after erasing personal data). The\n"
	  "daemon pauses while it runs; a crash leaves the old file or the new one.\n", 0 },
	/* the web console (daemon/console.c): accounts and one-time sign-in links */
	{ "console user", cmd_console_user, "add NAME | remove NAME | list",
	  "Manage the web console's accounts (DATA/console-users, Argon2id hashes). add asks\n"
	  "for the password twice without echo, or reads one line from stdin when it is not\n"
	  "a terminal; add for an existing NAME changes its password. remove ends the\n"
	  "account's sessions at their next request.\n", 0 },
	{ "console open", cmd_console_open, "",
	  "Print a one-time sign-in link to the console for the person at this machine:\n"
	  "valid 10 minutes, once. Needs a [console] section in hirobad.conf.\n", 0 },
	{ NULL, NULL, NULL, NULL, 0 }
};

static const char usage_text[] =
	"usage: hiroba [-d DIR] [-c FILE] [--json] COMMAND [ARGS]\n"
	"       hiroba help COMMAND | hiroba COMMAND --help | hiroba --version\n";

static const char global_help[] =
	"\n"
	"Options:\n"
	"  -d DIR       hirobad's data directory (default: $HIROBA_DIR, else `data` in the\n"
	"               config file)\n"
	"  -c FILE      hirobad's config file (default: $HIROBA_CONF, else\n"
	"               /etc/hiroba/hirobad.conf)\n"
	"  --json       JSON output: one object per line for lists\n"
	"  --help, --version\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  refused or failed (the daemon said no, a bad record, a bad file)\n"
	"  2  usage error\n"
	"  3  hirobad is not running or does not answer\n"
	"  4  no such record\n"
	"A record is named by the reference in a listing's 参照 column, GROUP/ID, ID or\n"
	"AUTHORHEX/ID; a reference that could mean more than one record is a usage error\n"
	"(2) and the candidates are listed.\n"
	"\n"
	"Tables are in Asia/Tokyo time. Colour only on a terminal and never with NO_COLOR.\n";

/*
 * A command's one-line summary: the first sentence of its help, joined across the
 * help's line breaks, up to ". ", ": ", "; " or "。", at most SUMMARY_MAX bytes (cut at a
 * space, with "…").
 */
#define SUMMARY_MAX	96
static void
print_summary(FILE *f, const char *help)
{
	char		 buf[SUMMARY_MAX + 8];
	const char	*p;
	size_t		 n = 0, cut;
	int		 depth = 0;	/* inside parentheses a sentence does not end */

	for (p = help; *p != '\0' && n < SUMMARY_MAX; p++) {
		depth += *p == '(' ? 1 : *p == ')' && depth > 0 ? -1 : 0;
		if (depth == 0 && (p[0] == '.' || p[0] == ':' || p[0] == ';') &&
		    (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'))
			break;
		if (strncmp(p, "。", strlen("。")) == 0)
			break;
		buf[n++] = *p == '\n' ? ' ' : *p;
	}
	if (n == SUMMARY_MAX && *p != '\0') {
		for (cut = n; cut > 0 && buf[cut - 1] != ' '; cut--)
			;
		n = cut > 0 ? cut - 1 : n;
		memcpy(buf + n, "…", strlen("…"));
		n += strlen("…");
	}
	fprintf(f, "%.*s\n", (int)n, buf);
}

static void
list_commands(FILE *f)
{
	const struct cmd *c;

	fputs("\nCommands:\n", f);
	for (c = cli_commands; c->name != NULL; c++) {	/* names are ASCII: %-16s pads right */
		fprintf(f, "  %-16s ", c->name);
		print_summary(f, c->help);
	}
}

/* A command's synopsis: its own, or made from its kind's table (add commands). */
static const char *
cmd_synopsis(const struct cmd *c, char *buf, size_t len)
{
	if (c->synopsis != NULL)
		return c->synopsis;
	form_synopsis((enum hb_kind)(c->flags >> 8), buf, len);
	return buf;
}

/* Whether the command's own help already explains an option ("  --json  ..."). */
static bool
help_has(const struct cmd *c, const char *opt)
{
	const char *p;

	for (p = c->help; (p = strstr(p, opt)) != NULL; p += strlen(opt))
		if (p >= c->help + 2 && p[-1] == ' ' && p[-2] == ' ' &&
		    (p[strlen(opt)] == ' ' || p[strlen(opt)] == '\n'))
			return true;
	return false;
}

/* The values of a kind's enumerated fields, both spellings: "  CAT: father (父親向け) ...". */
static void
print_values(const struct cmd *c, FILE *f)
{
	const struct vocab_kind *k = vocab_kind_of((enum hb_kind)(c->flags >> 8));
	const struct vocab_field *fl;
	const struct vocab *v;
	size_t col;

	for (fl = k != NULL ? k->fields : NULL; fl != NULL && fl->key != NULL; fl++) {
		if (fl->values == NULL || fl->option == NULL)
			continue;
		col = (size_t)fprintf(f, "  %.*s:", (int)strcspn(fl->arg, ","), fl->arg);
		for (v = fl->values; v->name != NULL; v++) {
			/* wrap before 80 columns; the labels are two columns a character */
			size_t w = strlen(v->name) + 4 + 2 * vocab_chars(v->label);

			if (col + w > 80) {
				fputs("\n       ", f);
				col = 7;
			}
			col += (size_t)fprintf(f, " %s (%s)", v->name, v->label) -
			    strlen(v->label) + 2 * vocab_chars(v->label);
		}
		fputc('\n', f);
	}
}

void
cli_print_help(const struct cmd *c, FILE *f)
{
	char buf[1024];
	const char *s;

	fprintf(f, "usage: hiroba %s ", c->name);
	/* Continuation lines of a synopsis start with a tab: indent them under the name. */
	for (s = cmd_synopsis(c, buf, sizeof(buf)); *s != '\0'; s++) {
		if (*s == '\t')
			fprintf(f, "%*s", (int)(strlen("usage: hiroba ") + strlen(c->name) + 1), "");
		else
			fputc(*s, f);
	}
	fprintf(f, "\n\n%s", c->help);
	if (c->flags & CMD_FORM_ADD)
		print_values(c, f);
	if (c->flags & CMD_READ)
		fputs("  --lang LANG  titles, names and descriptions in LANG (en, zh, vi,\n"
		    "               ja-x-easy) where the record has a translation, else the\n"
		    "               original Japanese\n"
		    "  --remote ENDPOINT --remote-key KEYHEX\n"
		    "               ask another group's hirobad (tcp://host:port, its key) instead\n"
		    "               of this one; this group's key (DATA/identity.key) must be\n"
		    "               admitted by the center. No answer in 10 s: exit 3\n", f);
	if (!help_has(c, "--json"))
		fputs("  --json       JSON output\n", f);
	if ((c->flags & CMD_WRITE) && !help_has(c, "--dry-run"))
		fputs("  --dry-run    check the record and print it as JSON instead of publishing\n"
		    "               it\n", f);
	fputs("  --help       this text\n", f);
}

int
cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hiroba: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "hiroba: %s", _("warning: "));
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* proto_kind_name()'s words and proto/vocab.c's nouns, so that xgettext puts them into
 * po/hiroba.pot */
static const char *const kind_words[] __attribute__((unused)) = {
	N_("profile"), N_("event"), N_("place"), N_("volunteer"), N_("meeting"),
	N_("reply"), N_("membership"), N_("tombstone"), N_("match"), N_("listing")
};

const char *
cli_kind_word(enum hb_kind k)
{
	return k == HB_KIND_NONE ? _("record") : _(proto_kind_name(k));
}

int
cli_usage(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	const char *name = cli->cmd != NULL ? cli->cmd->name : NULL;

	fflush(stdout);
	fprintf(stderr, "hiroba%s%s: ", name != NULL ? " " : "", name != NULL ? name : "");
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cli->cmd != NULL) {
		char buf[1024];
		const char *syn = cmd_synopsis(cli->cmd, buf, sizeof(buf));

		fprintf(stderr, _("usage: hiroba %s %.*s\nsee `hiroba help %s`\n"), name,
		    (int)strcspn(syn, "\n"), syn, name);
	}
	else
		fputs(usage_text, stderr);
	return HB_EXIT_USAGE;
}

int
cli_common_opt(struct cli *cli, int c, char **argv)
{
	/* getopt's own messages are off (opterr = 0): the usage line below names the
	 * problem. GNU getopt has stepped over the offending word. */
	const char *word = optind > 0 ? argv[optind - 1] : "?";

	switch (c) {
	case 'h':
		cli_print_help(cli->cmd, stdout);
		return HB_EXIT_OK;
	case 'J':
		cli->json = true;
		return -1;
	case 'N':	/* in every getopt table, but only commands that publish take it */
		if (cli->cmd == NULL || !(cli->cmd->flags & CMD_WRITE))
			return cli_usage(cli, "unknown option --dry-run (this command "
			    "publishes nothing)");
		cli->dry_run = true;
		return -1;
	case 'L':
		if (strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
		    != strlen(optarg) || *optarg == '\0' || strlen(optarg) > 35)
			return cli_usage(cli, "--lang: a language tag such as en, zh, vi or "
			    "ja-x-easy, not '%s'", optarg);
		cli->lang = optarg;
		return -1;
	case 'R':
		cli->remote = optarg;
		return -1;
	case 'K':
		if (proto_key_parse(optarg, cli->remote_key) != 0)
			return cli_usage(cli, "--remote-key: the remote group's key, 64 hex "
			    "digits, not '%s'", optarg);
		cli->remote_key_hex = optarg;
		return -1;
	case ':':
		return cli_usage(cli, "option %s needs a value", word);
	default:
		if (optopt != 0 && word[0] == '-' && word[1] != '-')
			return cli_usage(cli, "unknown option -%c", optopt);
		return cli_usage(cli, "unknown option %s", word);
	}
}

int
cli_read_check(struct cli *cli)
{
	if (cli->remote != NULL && cli->remote_key_hex == NULL)
		return cli_usage(cli, "--remote needs --remote-key KEYHEX (the remote group's "
		    "key, from `hiroba members` or its `hiroba status`)");
	if (cli->remote == NULL && cli->remote_key_hex != NULL)
		return cli_usage(cli, "--remote-key goes with --remote ENDPOINT");
	if (cli->remote != NULL && strncmp(cli->remote, "tcp://", 6) != 0)
		return cli_usage(cli, "--remote: an endpoint such as tcp://host:port, not '%s'",
		    cli->remote);
	return 0;
}

int
cli_listing_args(struct cli *cli, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return cli_read_check(cli);
}

void
cli_getopt_reset(void)
{
	optind = 0;	/* glibc: full reinitialisation, scanning from argv[1] */
	opterr = 0;
}

char *
cli_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

long long
cli_number(const char *s, long long max)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return v;
}

static const struct cmd *
find_cmd(int argc, char **argv, int *words)
{
	const struct cmd *c;
	size_t n;

	if (argc >= 2) {
		for (c = cli_commands; c->name != NULL; c++) {
			n = strlen(argv[0]);
			if (strncmp(c->name, argv[0], n) == 0 && c->name[n] == ' ' &&
			    strcmp(c->name + n + 1, argv[1]) == 0) {
				*words = 2;
				return c;
			}
		}
	}
	for (c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[0]) == 0) {
			*words = 1;
			return c;
		}
	return NULL;
}

/* "hiroba event" alone, or "hiroba event frobnicate": the list of event subcommands. */
static bool
is_group(const char *word)
{
	const struct cmd *c;
	size_t n = strlen(word);

	for (c = cli_commands; c->name != NULL; c++)
		if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ')
			return true;
	return false;
}

static int
group_usage(const char *word, const char *sub)
{
	const struct cmd *c;
	size_t n = strlen(word);

	if (sub != NULL)
		fprintf(stderr, _("hiroba %s: unknown subcommand '%s'\n"), word, sub);
	else
		fprintf(stderr, _("hiroba %s: which one?\n"), word);
	for (c = cli_commands; c->name != NULL; c++)
		if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ')
			fprintf(stderr, "  hiroba %s %s\n", c->name,
			    c->synopsis != NULL && strncmp(c->synopsis, "ID", 2) == 0 ?
			    "ID ..." : "...");
	return HB_EXIT_USAGE;
}

/* `hiroba export --help`: the group's commands, each with its usage and summary. */
static int
group_help(const char *word)
{
	const struct cmd *c;
	char buf[1024];
	size_t n = strlen(word);

	printf("usage: hiroba %s COMMAND [OPTIONS]\n\nCommands:\n", word);
	for (c = cli_commands; c->name != NULL; c++)
		if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ') {
			printf("  hiroba %s %.*s\n      ", c->name,
			    (int)strcspn(cmd_synopsis(c, buf, sizeof(buf)), "\n"),
			    cmd_synopsis(c, buf, sizeof(buf)));
			print_summary(stdout, c->help);
		}
	printf("\n`hiroba %s COMMAND --help` tells more.\n", word);
	return HB_EXIT_OK;
}

static bool
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

static int
cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	int words;

	if (argc < 1) {
		fputs(usage_text, stdout);
		list_commands(stdout);
		fputs(global_help, stdout);
		return HB_EXIT_OK;
	}
	if (argc == 1 && find_cmd(argc, argv, &words) == NULL && is_group(argv[0]))
		return group_help(argv[0]);
	if ((c = find_cmd(argc, argv, &words)) == NULL || words < argc) {
		if (argc >= 1 && is_group(argv[0]) && (c == NULL || argc > words))
			return group_usage(argv[0], argc > 1 ? argv[1] : NULL);
		fprintf(stderr, _("hiroba help: no command '%s'\n"), argv[0]);
		return HB_EXIT_USAGE;
	}
	cli_print_help(c, stdout);
	return HB_EXIT_OK;
}

/* Tables align by display width only if libsmartcols sees a UTF-8 locale. Records are
 * always UTF-8, so a C or POSIX locale is upgraded to C.UTF-8 for character types.
 * Messages follow LC_MESSAGES (LC_ALL, LC_MESSAGES, LANG; then LANGUAGE unless that is
 * "C"): Japanese when it names an installed ja_* locale, English otherwise. The catalog
 * is looked up under HIROBA_LOCALEDIR when set (the tests point it at build/po), else
 * under the install prefix's share/locale; it is always written out as UTF-8, the
 * encoding of everything else hiroba prints. */
static void
setup_locale(void)
{
	const char *cs, *dir;

	setlocale(LC_ALL, "");
	/* numbers are read and written the C way whatever the locale: under vi_VN or
	 * pt_BR, strtod refused 35.4661 and printf wrote 35,4663 into CSV */
	setlocale(LC_NUMERIC, "C");
	cs = nl_langinfo(CODESET);
	if (cs == NULL || strcmp(cs, "UTF-8") != 0)
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			setlocale(LC_CTYPE, "en_US.UTF-8");
	if ((dir = getenv("HIROBA_LOCALEDIR")) == NULL || *dir == '\0')
		dir = HIROBA_LOCALEDIR;
	bindtextdomain(HIROBA_TEXTDOMAIN, dir);
	bind_textdomain_codeset(HIROBA_TEXTDOMAIN, "UTF-8");
	textdomain(HIROBA_TEXTDOMAIN);
}

int
cli_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "conf", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	const struct cmd *c;
	const char *nc;
	int ch, words, rc;

	setup_locale();
	nc = getenv("NO_COLOR");
	cli.color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:d:c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			cli.dir_opt = optarg;
			break;
		case 'c':
			cli.conf_opt = optarg;
			break;
		case 'J':
			cli.json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			list_commands(stdout);
			fputs(global_help, stdout);
			return HB_EXIT_OK;
		case 'V':
			printf("hiroba %s\n", HIROBA_VERSION);
			return HB_EXIT_OK;
		case ':':
			return cli_usage(&cli, "option %s needs a value", argv[optind - 1]);
		default:
			return cli_usage(&cli, "unknown option %s", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_usage(&cli, "no command given (`hiroba help` lists them)");
	if (strcmp(argv[0], "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if ((c = find_cmd(argc, argv, &words)) == NULL) {
		if (is_group(argv[0]) && argc > 1 && is_help(argv[1]))
			return group_help(argv[0]);
		if (is_group(argv[0]))
			return group_usage(argv[0], argc > 1 ? argv[1] : NULL);
		return cli_usage(&cli, "unknown command '%s' (`hiroba help` lists them)",
		    argv[0]);
	}
	if ((rc = proto_init()) != 0)
		return cli_error(HB_EXIT_FAIL, "cannot initialise: %s", proto_strerror(rc));
	cli.cmd = c;
	/* The command sees itself as argv[0], whether it took one word or two. */
	argc -= words - 1;
	argv += words - 1;
	cli_getopt_reset();
	rc = c->fn(&cli, argc, argv);
	cli_free(&cli);
	if (fflush(stdout) != 0 && rc == HB_EXIT_OK)
		rc = cli_error(HB_EXIT_FAIL, "writing output: %s", strerror(errno));
	return rc;
}
