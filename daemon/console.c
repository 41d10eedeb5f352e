/* SPDX-License-Identifier: ISC */
/*
 * console: the coordinators' signed-in web console (see console.h): sign-in, this
 * group's events (list, add, edit, cancel, counts), map entries and volunteer listings,
 * a read-only view of the network, and (center only) admitting a group. Pages are built
 * here as HTML with every outside string escaped. No script, but on the map entry's
 * form: Leaflet (vendored with the public page) and map_js, files served from here
 * under a CSP that names them, so the point can be picked on a map; typing it works
 * without them.
 */
#define _GNU_SOURCE	/* asprintf */
#include <sys/file.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <zmq.h>

#include "console.h"
#include "hirobad.h"
#include "log.h"
#include "vocab.h"
#include "wire.pb-c.h"

#include "console_int.h"

void
cs_sb_add(struct sbuf *b, const char *s, size_t n)
{
	char	*ns;
	size_t	 cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((ns = realloc(b->s, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
cs_sb_puts(struct sbuf *b, const char *s)
{
	cs_sb_add(b, s, strlen(s));
}

void
cs_sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	cs_sb_add(b, s, (size_t)n);
	free(s);
}

/* Text from anyone (records, typed values) into HTML text or a quoted attribute. */
void
cs_sb_esc(struct sbuf *b, const char *s)
{
	const char	*p;

	for (p = s != NULL ? s : ""; *p != '\0'; p++) {
		switch (*p) {
		case '<': cs_sb_puts(b, "&lt;"); break;
		case '>': cs_sb_puts(b, "&gt;"); break;
		case '&': cs_sb_puts(b, "&amp;"); break;
		case '"': cs_sb_puts(b, "&quot;"); break;
		case '\'': cs_sb_puts(b, "&#39;"); break;
		default: cs_sb_add(b, p, 1);
		}
	}
}

/* ---- form pieces ---- */

/*
 * An error paragraph: id "error" over a form, "err-KEY" under a field (the tests
 * and the page script find them by id). `what', when given, names the field in
 * front of the message. Nothing at all when there is no message, so callers need
 * not test first.
 */
void
cs_err_p(struct sbuf *b, const char *id, const char *what, const char *msg)
{
	if (msg == NULL || *msg == '\0')
		return;
	cs_sb_printf(b, "<p class=\"err\" id=\"%s\">", id);
	if (what != NULL) {
		cs_sb_esc(b, what);
		cs_sb_puts(b, ": ");
	}
	cs_sb_esc(b, msg);
	cs_sb_puts(b, "</p>");
}

/* The error under field `key' (see err_p). */
void
cs_field_err(struct sbuf *b, const char *key, const char *what, const char *msg)
{
	char	 id[128];

	if (msg == NULL || *msg == '\0')
		return;
	snprintf(id, sizeof(id), "err-%s", key);
	cs_err_p(b, id, what, msg);
}

/*
 * A labelled one-line text field: label, its error if any, then the input with
 * the value as typed (escaped). `attrs' (trusted markup, may be "") goes inside
 * the input, e.g. a placeholder. The label is trusted text (ours, not typed).
 */
void
cs_form_text(struct sbuf *b, const char *key, const char *label, const char *err,
    const char *attrs, const char *value)
{
	cs_sb_printf(b, "<label for=\"%s\">%s</label>", key, label);
	cs_field_err(b, key, NULL, err);
	cs_sb_printf(b, "<input type=\"text\" id=\"%s\" name=\"%s\"%s value=\"", key, key,
	    attrs);
	cs_sb_esc(b, value);
	cs_sb_puts(b, "\">");
}

/* A <select> of vocabulary `values' with an empty first choice; `sel' (or NULL)
 * is preselected. */
void
cs_form_select(struct sbuf *b, bool ja, const char *key, const struct vocab *values,
    const struct vocab *sel)
{
	const struct vocab *v;

	cs_sb_printf(b, "<select id=\"%s\" name=\"%s\"><option value=\"\">—</option>", key,
	    key);
	for (v = values; v->name != NULL; v++) {
		cs_sb_puts(b, "<option value=\"");
		cs_sb_esc(b, v->name);
		cs_sb_printf(b, "\"%s>", sel == v ? " selected" : "");
		cs_sb_esc(b, ja ? v->label : v->en);
		cs_sb_puts(b, "</option>");
	}
	cs_sb_puts(b, "</select>");
}

/* ---- small helpers ---- */

const char *
cs_hb_str(const char *s)
{
	return s != NULL ? s : "";
}

int64_t
cs_now_s(void)
{
	return (int64_t)time(NULL);
}

/* A name for the log: what was typed, with anything but printable ASCII and UTF-8
 * letters replaced, and cut, so a typed name cannot forge log lines. */
static void
log_name(const char *s, char *out, size_t len)
{
	size_t	 i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < len && i < NAME_MAX_LEN; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

static bool
name_ok(const char *s)
{
	size_t	 i;

	if (s == NULL || *s == '\0' || strlen(s) > NAME_MAX_LEN ||
	    !proto_utf8_valid(s, strlen(s)))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == ':' || s[i] == 0x7f)
			return false;
	return true;
}

/* "2026-12-10T10:00", "2026-12-10 10:00", "2026-12-10" (Asia/Tokyo). 0 or -1. */
int
cs_parse_local(const char *s, int64_t *t, bool *date_only, int64_t *ymd)
{
	unsigned	 y, mo, d, h = 0, mi = 0, sec = 0;
	int		 n = 0, k;

	k = sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n);
	if (k != 3 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	*date_only = s[n] == '\0';
	if (!*date_only) {
		int m = 0;

		if ((s[n] != 'T' && s[n] != ' ') ||
		    sscanf(s + n + 1, "%2u:%2u%n", &h, &mi, &m) != 2)
			return -1;
		if (s[n + 1 + m] == ':' && sscanf(s + n + 2 + m, "%2u", &sec) != 1)
			return -1;
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
	}
	*t = proto_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - JST;
	*ymd = (int64_t)y * 10000 + mo * 100 + d;
	return 0;
}

void
cs_fmt_local(char *buf, size_t len, int64_t t, bool with_time)
{
	time_t		 tt = (time_t)(t + JST);
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, with_time ? "%Y-%m-%dT%H:%M" : "%Y-%m-%d", &tm);
}

static void
fmt_ymd(char *buf, size_t len, int64_t ymd)
{
	snprintf(buf, len, "%04lld-%02lld-%02lld", (long long)(ymd / 10000),
	    (long long)(ymd / 100 % 100), (long long)(ymd % 100));
}

/*
 * A short reference (参照) of a record: the first hex digits of BLAKE2b-64(author key ||
 * id), client/ref.c's scheme, which every `hiroba` command taking a record accepts (any
 * prefix of 4 to 16 digits). Six digits: the CLI's listings show the shortest unique
 * prefix of at least four, so ours is the same or a longer prefix of the same hash.
 */
void
cs_short_ref(const uint8_t author[HB_KEY_LEN], const char *id, char out[7])
{
	crypto_generichash_state st;
	uint8_t		 h[8];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, author, HB_KEY_LEN);
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 7, h, 3);
}

/* ---- the control socket: the same requests `hiroba` sends ---- */

/*
 * Send req to the main loop and wait for its answer; *resp is the caller's. 0 or -1.
 * While the main loop stops or reloads the console it does not answer: a request in
 * flight then gives up after CTL_WAIT_MS, which is how long a stop can wait for it.
 */
int
cs_ctl_call(struct console *c, const Hiroba__Wire__CtlRequest *req,
    Hiroba__Wire__CtlResponse **resp)
{
	void		*s;
	uint8_t		*buf = NULL;
	size_t		 len;
	zmq_msg_t	 msg;
	int		 zero = 0, wait = CTL_WAIT_MS, rc = -1;

	*resp = NULL;
	if ((s = zmq_socket(c->zctx, ZMQ_REQ)) == NULL)
		return -1;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &wait, sizeof(wait));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &wait, sizeof(wait));
	len = hiroba__wire__ctl_request__get_packed_size(req);
	if (zmq_connect(s, c->ctl_ep) != 0 || (buf = malloc(len ? len : 1)) == NULL)
		goto out;
	hiroba__wire__ctl_request__pack(req, buf);
	if (zmq_send(s, buf, len, 0) < 0)
		goto out;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, s, 0) >= 0)
		*resp = hiroba__wire__ctl_response__unpack(NULL, zmq_msg_size(&msg),
		    zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	rc = *resp != NULL ? 0 : -1;
	if (rc != 0)
		log_warnx("console: no answer from the main loop on the control socket");
out:
	free(buf);
	zmq_close(s);
	return rc;
}

/*
 * The records of one kind a list page shows: this group's own, or with own false
 * every group's, at most EVENTS_SHOWN. ctl_call's result, and 0 only when hirobad
 * answered the query too; *resp (maybe NULL) is the caller's to free either way.
 */
static int
list_query(struct console *c, enum hb_kind kind, bool own,
    Hiroba__Wire__CtlResponse **resp)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;

	q.has_kind = 1;
	q.kind = kind;
	q.has_author = own;
	q.author.data = c->self;
	q.author.len = HB_KEY_LEN;
	q.has_limit = 1;
	q.limit = EVENTS_SHOWN;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_QUERY;
	req.query = &q;
	if (cs_ctl_call(c, &req, resp) != 0 || (*resp)->code != 0)
		return -1;
	return 0;
}

/* The JSON form of one envelope from the store, or NULL. */
json_t *
cs_env_json(const ProtobufCBinaryData *env)
{
	struct hb_record *r = NULL;
	char		*s;
	json_t		*j = NULL;

	if (proto_open(env->data, env->len, cs_now_s(), &r) != 0)
		return NULL;
	if ((s = proto_record_to_json(r, 0)) != NULL)
		j = json_loads(s, 0, NULL);
	free(s);
	hb_record_free(&r);
	return j;
}

/* Any group's record as JSON, or NULL (not found, or the daemon did not answer). */
json_t *
cs_record_get(struct console *c, const uint8_t author[HB_KEY_LEN], const char *id)
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

/* One of our own records. */
static json_t *
own_record(struct console *c, const char *id)
{
	return cs_record_get(c, c->self, id);
}

/*
 * Publish a draft through ctl.c's publish path, exactly what `hiroba publish` sends.
 * 0, or -1 with the reason (the daemon's: validation, quota, not the center ...) in err.
 */
int
cs_publish_record(struct console *c, const struct hb_record *d, const char *who, char *err,
    size_t errlen)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	uint8_t		*buf = NULL;
	size_t		 len;
	int		 rc = -1;

	err[0] = '\0';
	if (proto_draft_encode(d, &buf, &len) != 0) {
		snprintf(err, errlen, "cannot encode the record");
		goto out;
	}
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_PUBLISH;
	req.publish.data = buf;
	req.publish.len = len;
	if (cs_ctl_call(c, &req, &resp) != 0) {
		snprintf(err, errlen, "hirobad did not answer: try again");
		goto out;
	}
	if (resp->code != 0) {
		snprintf(err, errlen, "%s", resp->error != NULL ? resp->error :
		    "hirobad refused the record");
		goto out;
	}
	/* who changed what, for the group's own records of the console's use */
	log_info("console: %s published %s", who, cs_hb_str(proto_record_id(d)));
	rc = 0;
out:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	free(buf);
	return rc;
}

/*
 * The same from the JSON form (PROTOCOL.md), as `hiroba publish -f` reads it. A
 * volunteer listing's contact, if given (not NULL), is sealed here to the center's key
 * and ours (client/cmd_volunteer.c vol_seal): the plain text goes no further than this
 * thread.
 */
static int
publish_sealed(struct console *c, json_t *draft, const char *contact, const char *who,
    char *err, size_t errlen)
{
	struct hb_record *d = NULL;
	char		*text;
	int		 rc = -1, prc;

	err[0] = '\0';
	if ((text = json_dumps(draft, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		snprintf(err, errlen, "out of memory");
	else if (proto_draft_from_json(text, strlen(text), &d, err, errlen) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "not a valid record");
	} else if (contact != NULL && (prc = proto_contact_seal(d, c->conf->center,
	    c->self, proto_record_id(d), contact)) != 0)
		snprintf(err, errlen, "contact: %s", proto_strerror(prc));
	else
		rc = cs_publish_record(c, d, who, err, errlen);
	hb_record_free(&d);
	free(text);
	return rc;
}

int
cs_publish(struct console *c, json_t *draft, const char *who, char *err, size_t errlen)
{
	return publish_sealed(c, draft, NULL, who, err, errlen);
}

/* ---- accounts, links, sessions, throttling ---- */

/* The stored hash of user name into hash; true if the account exists. */
static bool
user_hash(struct console *c, const char *name, char hash[crypto_pwhash_STRBYTES])
{
	FILE		*f;
	char		 line[NAME_MAX_LEN + crypto_pwhash_STRBYTES + 8], *colon;
	size_t		 nl;
	bool		 found = false;

	if (!name_ok(name) || (f = fopen(c->users_path, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		nl = strcspn(line, "\n");
		line[nl] = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		if (strcmp(line, name) == 0 &&
		    strlen(colon + 1) < crypto_pwhash_STRBYTES) {
			snprintf(hash, crypto_pwhash_STRBYTES, "%s", colon + 1);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * Use a one-time link's token: true if the file held its hash unexpired; the line is
 * removed (with every expired one) under the file's lock, so it works once. *who gets
 * the name `console open` recorded.
 */
static bool
link_use(struct console *c, const char *token, char *who, size_t wholen)
{
	uint8_t		 raw[32], want[32], have[32];
	char		 line[256], hex[65], name[NAME_MAX_LEN + 1];
	struct sbuf	 keep = { 0 };
	long long	 exp;
	FILE		*f;
	int		 fd;
	bool		 found = false;

	if (strlen(token) != 64 ||
	    sodium_hex2bin(raw, sizeof(raw), token, 64, NULL, NULL, NULL) != 0)
		return false;
	crypto_generichash(want, sizeof(want), raw, sizeof(raw), NULL, 0);
	if ((fd = open(c->links_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return false;
	if (flock(fd, LOCK_EX) != 0 || (f = fdopen(fd, "r+")) == NULL) {
		close(fd);
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		name[0] = '\0';
		if (sscanf(line, "%64s %lld %64s", hex, &exp, name) < 2 ||
		    exp <= cs_now_s())
			continue;	/* dropped: expired or not ours */
		if (!found && strlen(hex) == 64 &&
		    sodium_hex2bin(have, sizeof(have), hex, 64, NULL, NULL, NULL) == 0 &&
		    sodium_memcmp(have, want, sizeof(want)) == 0) {
			found = true;
			snprintf(who, wholen, "%s", name_ok(name) ? name : "link");
			continue;	/* used: dropped */
		}
		cs_sb_puts(&keep, line);
	}
	/* the line must be gone before the link signs anyone in: else it works twice */
	rewind(f);
	if (keep.oom || ftruncate(fd, 0) != 0 ||
	    (keep.len > 0 && fwrite(keep.s, 1, keep.len, f) != keep.len) || fflush(f) != 0)
		found = false;
	fclose(f);	/* and the lock */
	free(keep.s);
	sodium_memzero(raw, sizeof(raw));
	return found;
}

/* End a session: its previewed upload's file goes with it. */
static void
session_clear(struct console *c, struct session *s)
{
	cs_import_forget(c, s);
	sodium_memzero(s, sizeof(*s));
}

static struct session *
session_new(struct console *c, const char *user, bool link)
{
	struct session	*s = NULL;
	uint8_t		 csrf[32];
	size_t		 i;

	for (i = 0; i < SESSIONS_MAX; i++)
		if (!c->sessions[i].used) {
			s = &c->sessions[i];
			break;
		}
	if (s == NULL) {	/* all taken: the one idle longest goes */
		s = &c->sessions[0];
		for (i = 1; i < SESSIONS_MAX; i++)
			if (c->sessions[i].seen < s->seen)
				s = &c->sessions[i];
	}
	session_clear(c, s);
	s->used = true;
	randombytes_buf(s->id, sizeof(s->id));
	randombytes_buf(csrf, sizeof(csrf));
	sodium_bin2hex(s->csrf, sizeof(s->csrf), csrf, sizeof(csrf));
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->link = link;
	s->created = s->seen = cs_now_s();
	return s;
}

/* The request's session from its cookie, if it is alive (and its account still is). */
static struct session *
session_find(struct console *c, struct MHD_Connection *conn)
{
	const char	*v = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, c->cookie);
	char		 hash[crypto_pwhash_STRBYTES];
	uint8_t		 id[32];
	int64_t		 now = cs_now_s();
	size_t		 i;
	struct session	*s;

	if (v == NULL || strlen(v) != 64 ||
	    sodium_hex2bin(id, sizeof(id), v, 64, NULL, NULL, NULL) != 0)
		return NULL;
	for (i = 0; i < SESSIONS_MAX; i++) {
		s = &c->sessions[i];
		if (!s->used || sodium_memcmp(s->id, id, sizeof(id)) != 0)
			continue;
		if (now - s->seen >= (int64_t)c->conf->console.session_idle ||
		    now - s->created >= (int64_t)c->conf->console.session_max) {
			log_info("console: %s's session expired", s->user);
			session_clear(c, s);
			return NULL;
		}
		if (!s->link && !user_hash(c, s->user, hash)) {
			log_info("console: %s's account was removed: signed out", s->user);
			session_clear(c, s);
			return NULL;
		}
		s->seen = now;
		return s;
	}
	return NULL;
}

static struct throttle *
throttle_slot(struct console *c, const char *key, bool make)
{
	struct throttle	*t, *old = &c->throttle[0];
	size_t		 i;

	for (i = 0; i < THROTTLE_SLOTS; i++) {
		t = &c->throttle[i];
		if (t->key[0] != '\0' && strcmp(t->key, key) == 0)
			return t;
		if (t->last < old->last)
			old = t;
	}
	if (!make)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

/* Seconds to wait before this user or address may try again; 0: now. */
static int64_t
throttle_wait(struct console *c, const char *ukey, const char *akey)
{
	struct throttle	*t;
	int64_t		 w = 0, now = cs_now_s();

	if ((t = throttle_slot(c, ukey, false)) != NULL && t->until > now)
		w = t->until - now;
	if ((t = throttle_slot(c, akey, false)) != NULL && t->until - now > w)
		w = t->until - now;
	return w;
}

static unsigned
throttle_fail(struct console *c, const char *key)
{
	struct throttle	*t = throttle_slot(c, key, true);
	int64_t		 d;

	t->fails++;
	d = t->fails >= 11 ? THROTTLE_MAX_DELAY : (int64_t)1 << (t->fails - 1);
	if (d > THROTTLE_MAX_DELAY)
		d = THROTTLE_MAX_DELAY;
	t->last = cs_now_s();
	t->until = t->last + d;
	return t->fails;
}

static void
throttle_clear(struct console *c, const char *key)
{
	struct throttle	*t = throttle_slot(c, key, false);

	if (t != NULL)
		memset(t, 0, sizeof(*t));
}

/* ---- answering ---- */

static const char css[] =
	"body{font-family:system-ui,'Hiragino Sans','Noto Sans CJK JP',sans-serif;"
	"margin:0;color:#222;background:#f7f7f5;font-size:17px;line-height:1.5}"
	"header{background:#2f6b4f;color:#fff;padding:.6em 1em;display:flex;"
	"flex-wrap:wrap;gap:1em;align-items:center}"
	"header a,header button{color:#fff}header .who{margin-left:auto}"
	"main{max-width:60em;margin:0 auto;padding:1em}"
	"table{border-collapse:collapse;width:100%;background:#fff}"
	"td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}"
	"form.inline{display:inline}"
	"label{display:block;margin-top:.8em;font-weight:600}"
	"input,select,textarea{font-size:1em;padding:.4em;max-width:100%;box-sizing:border-box}"
	"input[type=text],input[type=password],textarea{width:100%}"
	"button{font-size:1em;padding:.5em 1em;min-height:44px;cursor:pointer}"
	"#map,#allmap{height:340px;margin-top:.5em;border:1px solid #bbb}"
	"#report td{text-align:right;font-variant-numeric:tabular-nums}"
	".err{color:#a00;font-weight:600}.box{background:#fff;padding:1em;border:1px solid #ddd}"
	".cancelled{color:#a00}.check label{display:inline;font-weight:400;margin-right:1em}"
	".check input{width:auto}";

enum MHD_Result
cs_reply(struct ans *a, unsigned status, struct MHD_Response *r, const char *ctype)
{
	enum MHD_Result	 ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	/* no script, no inline style, forms post only here, no framing; the map's pages
	 * add our own script files and the tile server's images (map_csp), nothing inline */
	MHD_add_response_header(r, "Content-Security-Policy", a->map && a->c->map_csp != NULL ?
	    a->c->map_csp : "default-src 'none'; style-src 'self'; img-src 'self'; "
	    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	/* a sign-in link's token never leaves in a Referer to another site; not
	 * no-referrer, with which Chromium posts forms with "Origin: null" (refused) */
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(a->conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
cs_reply_text(struct ans *a, unsigned status, const char *text)
{
	return cs_reply(a, status, MHD_create_response_from_buffer(strlen(text),
	    (void *)text, MHD_RESPMEM_MUST_COPY), "text/plain; charset=utf-8");
}

/* b's text is handed over */
enum MHD_Result
cs_reply_html(struct ans *a, unsigned status, struct sbuf *b, const char *cookie)
{
	struct MHD_Response *r;

	if (b->oom) {
		free(b->s);
		return cs_reply_text(a, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	if ((r = MHD_create_response_from_buffer(b->len, b->s, MHD_RESPMEM_MUST_FREE))
	    == NULL)
		free(b->s);
	else if (cookie != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	return cs_reply(a, status, r, "text/html; charset=utf-8");
}

enum MHD_Result
cs_redirect(struct ans *a, const char *to, const char *cookie)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r != NULL) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, to);
		if (cookie != NULL)
			MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	}
	return cs_reply(a, MHD_HTTP_SEE_OTHER, r, "text/plain; charset=utf-8");
}

void
cs_page_begin(struct ans *a, struct sbuf *b, const char *title)
{
	static const char *const keep[] = { "id", "key", "author", "all", "fy" };
	const char	*v;
	size_t		 i;

	cs_sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>", a->ja ? "ja" : "en");
	cs_sb_esc(b, title);
	cs_sb_puts(b, " — hiroba</title><link rel=\"stylesheet\" href=\"/console.css\">"
	    "</head><body><header><strong>");
	cs_sb_esc(b, T(a, "hiroba コンソール", "hiroba console"));
	cs_sb_puts(b, "</strong>");
	if (a->s != NULL) {
		cs_sb_printf(b, "<a href=\"/events%s\">%s</a><a href=\"/places%s\">%s</a>"
		    "<a href=\"/volunteers%s\">%s</a><a href=\"/meetings%s\">%s</a>"
		    "<a href=\"/network%s\">%s</a>", a->lq, T(a, "イベント", "Events"), a->lq,
		    T(a, "地図の場所", "Map entries"), a->lq, T(a, "ボランティア", "Volunteers"),
		    a->lq, T(a, "会議", "Meetings"), a->lq, T(a, "ネットワーク", "Network"));
		if (cs_is_center(a->c))
			cs_sb_printf(b, "<a href=\"/matches%s\">%s</a><a href=\"/report%s\">"
			    "%s</a>", a->lq, T(a, "マッチング", "Matches"), a->lq,
			    T(a, "事業報告", "Report"));
	}
	/* the same page in the other language: the path and what names its record */
	cs_sb_puts(b, "<a href=\"");
	cs_sb_esc(b, a->url);
	cs_sb_printf(b, "?lang=%s", a->ja ? "en" : "ja");
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND,
		    keep[i])) != NULL) {
			cs_sb_printf(b, "&amp;%s=", keep[i]);
			cs_sb_esc(b, v);
		}
	cs_sb_printf(b, "\">%s</a>", a->ja ? "English" : "日本語");
	if (a->s != NULL) {
		cs_sb_puts(b, "<span class=\"who\">");
		cs_sb_esc(b, a->s->user);
		cs_sb_printf(b, " <form class=\"inline\" method=\"post\" action=\"/signout%s\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button>%s</button></form></span>", a->lq, a->s->csrf,
		    T(a, "サインアウト", "Sign out"));
	}
	cs_sb_puts(b, "</header><main><h1>");
	cs_sb_esc(b, title);
	cs_sb_puts(b, "</h1>");
}

void
cs_page_end(struct sbuf *b)
{
	cs_sb_puts(b, "</main></body></html>\n");
}

const char *
cs_param(struct ans *a, const char *k)
{
	size_t	 i;

	for (i = 0; a->r != NULL && i < a->r->n; i++)
		if (strcmp(a->r->k[i], k) == 0)
			return a->r->v[i];
	return NULL;
}

/* application/x-www-form-urlencoded, in place. */
static void
form_parse(struct req *r)
{
	char	*p, *amp, *eq;

	if (r->body == NULL)
		return;
	for (p = r->body; p != NULL && *p != '\0' && r->n < PARAMS_MAX; p = amp) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp++ = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		MHD_http_unescape(p);
		for (char *q = eq + 1; *q != '\0'; q++)
			if (*q == '+')
				*q = ' ';
		MHD_http_unescape(eq + 1);
		r->k[r->n] = p;
		r->v[r->n] = eq + 1;
		r->n++;
	}
}

/* The form's CSRF token equals the session's (constant time). */
static bool
csrf_ok(struct ans *a)
{
	const char	*t = cs_param(a, "csrf");

	return a->s != NULL && t != NULL && strlen(t) == 64 &&
	    sodium_memcmp(t, a->s->csrf, 64) == 0;
}

/* Host names this console answers to: its listen address, localhost at its port
 * (loopback only), and [console] hosts. Anything else is a DNS rebinding attempt or a
 * mistake. */
static bool
host_ok(struct console *c, const char *host)
{
	const char	*h = c->conf->console.hosts, *end;
	char		 lh[64];
	size_t		 n;

	if (host == NULL)
		return false;
	if (strcmp(host, c->conf->console.listen) == 0)
		return true;
	if (!c->remote) {
		snprintf(lh, sizeof(lh), "localhost:%s", c->port);
		if (strcmp(host, lh) == 0)
			return true;
	}
	for (; h != NULL && *h != '\0'; h = *end ? end + 1 : end) {
		end = h + strcspn(h, ",");
		while (*h == ' ')
			h++;
		n = (size_t)(end - h);
		while (n > 0 && h[n - 1] == ' ')
			n--;
		if (n > 0 && strlen(host) == n && strncmp(host, h, n) == 0)
			return true;
	}
	return false;
}

/* An Origin header, when sent, names this console: http(s)://<a host of ours>. */
static bool
origin_ok(struct console *c, const char *origin)
{
	if (origin == NULL)
		return true;
	if (strncmp(origin, "http://", 7) == 0)
		return host_ok(c, origin + 7);
	if (strncmp(origin, "https://", 8) == 0)
		return host_ok(c, origin + 8);
	return false;	/* "null" and the rest */
}

static void
cookie_for(struct console *c, const struct session *s, char *buf, size_t len)
{
	char	 hex[65];

	if (s == NULL) {
		snprintf(buf, len, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
		    c->cookie);
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), s->id, sizeof(s->id));
	snprintf(buf, len, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s",
	    c->cookie, hex, c->conf->console.session_max, c->remote ? "; Secure" : "");
	sodium_memzero(hex, sizeof(hex));
}

/* ---- sign-in ---- */

/*
 * The sign-in form has no session to hold its CSRF token, so the token is also a
 * cookie (SameSite=Strict, only for /signin) that the post must match: another site
 * cannot sign a browser in to an account of its choosing ("login CSRF").
 */
static enum MHD_Result
signin_page(struct ans *a, unsigned status, const char *msg, const char *user)
{
	struct sbuf	 b = { 0 };
	uint8_t		 raw[32];
	char		 tok[65], cookie[200];
	const char	*have = MHD_lookup_connection_value(a->conn, MHD_COOKIE_KIND,
			    a->c->cookie_pre);

	/* keep the browser's token while it has one: a second tab, or a request the
	 * browser makes on its own, must not make the form it shows stale (a site that
	 * could plant this cookie still cannot post here: Origin is checked) */
	if (have != NULL && strlen(have) == 64 &&
	    strspn(have, "0123456789abcdef") == 64)
		snprintf(tok, sizeof(tok), "%s", have);
	else {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(tok, sizeof(tok), raw, sizeof(raw));
	}
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/signin; HttpOnly; "
	    "SameSite=Strict; Max-Age=3600%s", a->c->cookie_pre, tok, a->c->remote ? "; Secure" : "");

	cs_page_begin(a, &b, T(a, "サインイン", "Sign in"));
	cs_err_p(&b, "error", NULL, msg);
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/signin%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", a->lq, tok);
	cs_form_text(&b, "user", T(a, "名前", "Name"), NULL, " autocomplete=\"username\"",
	    user);
	cs_sb_printf(&b, "<label for=\"password\">%s</label><input type=\"password\" "
	    "id=\"password\" name=\"password\" autocomplete=\"current-password\">"
	    "<p><button>%s</button></p></form><p>%s</p>",
	    T(a, "パスワード", "Password"), T(a, "サインイン", "Sign in"),
	    T(a, "アカウントは `hiroba console user add 名前` で作ります。この機械の前にいる"
	    "人は `hiroba console open` でサインインのリンクを得られます。",
	    "Accounts are made with `hiroba console user add NAME`. At this machine, "
	    "`hiroba console open` prints a sign-in link."));
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, cookie);
}

static enum MHD_Result
signin_post(struct ans *a)
{
	struct console	*c = a->c;
	const char	*user = cs_param(a, "user"), *pw = cs_param(a, "password");
	char		 ukey[NAME_MAX_LEN + 8], akey[NAME_MAX_LEN + 8], lname[NAME_MAX_LEN + 1];
	char		 hash[crypto_pwhash_STRBYTES], cookie[200], msg[200];
	int64_t		 wait;
	unsigned	 uf, af;
	bool		 known, good;
	struct session	*s;

	const char	*pre = MHD_lookup_connection_value(a->conn, MHD_COOKIE_KIND,
			    a->c->cookie_pre);
	const char	*tok = cs_param(a, "csrf");

	if (user == NULL)
		user = "";
	if (pw == NULL)
		pw = "";
	log_name(user, lname, sizeof(lname));
	if (pre == NULL || tok == NULL || strlen(pre) != 64 || strlen(tok) != 64 ||
	    sodium_memcmp(pre, tok, 64) != 0) {
		log_warnx("console: sign-in as \"%s\" from %s refused: the form's token does "
		    "not match its cookie (stale page, or posted from another site)", lname,
		    a->addr);
		return signin_page(a, MHD_HTTP_FORBIDDEN, T(a, "ページが古くなりました。もう一度"
		    "サインインしてください。", "The page was stale: please sign in again."),
		    user);
	}
	snprintf(ukey, sizeof(ukey), "u:%s", lname);
	snprintf(akey, sizeof(akey), "a:%s", a->addr);
	if ((wait = throttle_wait(c, ukey, akey)) > 0) {
		log_warnx("console: sign-in as \"%s\" from %s refused: %lld s to wait after "
		    "failed attempts", lname, a->addr, (long long)wait);
		snprintf(msg, sizeof(msg), a->ja ? "失敗が続いたため、あと%lld秒待ってから"
		    "やり直してください。" : "Too many failed attempts: try again in %lld s.",
		    (long long)wait);
		return signin_page(a, MHD_HTTP_TOO_MANY_REQUESTS, msg, user);
	}
	/* an unknown name costs as much time as a known one: no telling which exist */
	known = user_hash(c, user, hash);
	good = crypto_pwhash_str_verify(known ? hash : c->dummy_hash, pw, strlen(pw)) == 0 &&
	    known;
	sodium_memzero(hash, sizeof(hash));
	if (!good) {
		uf = throttle_fail(c, ukey);
		af = throttle_fail(c, akey);
		log_warnx("console: failed sign-in as \"%s\" from %s (%u in a row for the "
		    "name, %u for the address)", lname, a->addr, uf, af);
		return signin_page(a, MHD_HTTP_UNAUTHORIZED, T(a, "名前かパスワードが違います。",
		    "Wrong name or password."), user);
	}
	throttle_clear(c, ukey);
	throttle_clear(c, akey);
	s = session_new(c, user, false);
	log_info("console: %s signed in from %s", s->user, a->addr);
	cookie_for(c, s, cookie, sizeof(cookie));
	return cs_redirect(a, a->ja ? "/events" : "/events?lang=en", cookie);
}

static enum MHD_Result
link_get(struct ans *a)
{
	const char	*t = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "t");
	char		 who[NAME_MAX_LEN + 1], akey[NAME_MAX_LEN + 8], cookie[200];
	struct session	*s;

	snprintf(akey, sizeof(akey), "a:%s", a->addr);
	if (throttle_wait(a->c, "u:(link)", akey) > 0 || t == NULL ||
	    !link_use(a->c, t, who, sizeof(who))) {
		throttle_fail(a->c, akey);
		log_warnx("console: a sign-in link from %s was refused (used, expired or "
		    "unknown)", a->addr);
		return signin_page(a, MHD_HTTP_FORBIDDEN, T(a, "このリンクは使えません"
		    "（使用済みか期限切れ）。`hiroba console open` で新しいリンクを。",
		    "This link no longer works (used or expired): run `hiroba console open` "
		    "again."), NULL);
	}
	s = session_new(a->c, who, true);
	log_info("console: %s signed in with a one-time link from %s", s->user, a->addr);
	cookie_for(a->c, s, cookie, sizeof(cookie));
	return cs_redirect(a, "/events", cookie);
}

/* ---- events ---- */

/* The event fields the form shows, in the table's order. Recurrence, the map point and
 * the cancelled flag are left to the CLI for now (cancel has its own button). */
static bool
form_field(const struct vocab_field *f)
{
	if (strncmp(f->key, "recurrence.", 11) == 0 || strncmp(f->key, "where.point", 11) == 0)
		return false;
	if (strncmp(f->key, "kind.", 5) == 0)	/* --wanted|--offered: the kind select */
		return false;
	return strcmp(f->key, "cancelled") != 0;
}

/* The pages of a kind the console edits: events and map entries (places). */
struct kindpage {
	enum hb_kind	 kind;
	const char	*path;		/* "/events" */
	const char	*prefix;	/* of new ids */
	const char	*list_ja, *list_en, *add_ja, *add_en, *edit_ja, *edit_en;
};
static const struct kindpage kp_event = { HB_EVENT, "/events", "event",
	"この団体のイベント", "This group's events", "イベントを追加", "Add an event",
	"イベントを編集", "Edit the event" };
static const struct kindpage kp_volunteer = { HB_VOLUNTEER, "/volunteers", "volunteer",
	"この団体のボランティア募集・提供", "This group's volunteer listings",
	"ボランティアの掲載を追加", "Add a volunteer listing", "掲載を編集", "Edit the listing" };
static const struct kindpage kp_place = { HB_PLACE, "/places", "place",
	"この団体の地図の場所", "This group's map entries", "場所を追加", "Add a map entry",
	"場所を編集", "Edit the map entry" };

#define FIELDS_MAX	40

struct recform {
	const struct vocab_kind *k;
	const char	*val[FIELDS_MAX];	/* as typed (pointers into the request) */
	char		*own[FIELDS_MAX];	/* values this code made (from a record) */
	char		 err[FIELDS_MAX][400];
	char		 top[1024];
	bool		 bad;
	const char	*contact;	/* a volunteer's contact to seal, or NULL */
	/* an event's repetition: "", "weekly", "monthly", "monthly_wd"; its last date;
	 * the dates it skips ("2027-01-08, 2027-02-12"); as typed or as stored */
	char		 repeat[16], until[40], exc[400];
	char		 err_until[200], err_exc[200];
	int64_t		 expires;	/* a volunteer's, for the record's header; 0 none */
	bool		 set_expires;
};

static void
recform_free(struct recform *f)
{
	size_t	 i;

	for (i = 0; i < FIELDS_MAX; i++)
		free(f->own[i]);
}

static void
recform_set(struct recform *f, size_t i, const char *v)
{
	free(f->own[i]);
	f->own[i] = v != NULL ? strdup(v) : NULL;
	f->val[i] = f->own[i];
}

static json_t *
jpath(json_t *o, const char *path)
{
	char	 buf[128], *p, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; o != NULL && (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		o = json_object_get(o, p);
	}
	return o != NULL ? json_object_get(o, p) : NULL;
}

static const char *
translation_get(json_t *ev, const char *lang, const char *field)
{
	json_t	*t;
	size_t	 i;

	json_array_foreach(json_object_get(ev, "translations"), i, t)
		if (json_is_string(json_object_get(t, "lang")) &&
		    strcmp(json_string_value(json_object_get(t, "lang")), lang) == 0)
			return json_string_value(json_object_get(t, field));
	return NULL;
}

/* An event's stored Recurrence into the form's three inputs. */
static void
repeat_from(struct recform *f, json_t *ev)
{
	json_t	*r = json_object_get(ev, "recurrence"), *x;
	bool	 all_day = json_is_true(json_object_get(json_object_get(ev, "when"),
		    "all_day"));
	size_t	 i, off = 0;
	char	 d[32];

	if (!json_is_object(r))
		return;
	snprintf(f->repeat, sizeof(f->repeat), "%s",
	    strcmp(cs_hb_str(json_string_value(json_object_get(r, "freq"))), "weekly") == 0 ?
	    "weekly" : json_is_true(json_object_get(r, "by_weekday")) ? "monthly_wd" :
	    "monthly");
	if (all_day)
		fmt_ymd(f->until, sizeof(f->until), json_integer_value(json_object_get(r,
		    "until")));
	else
		cs_fmt_local(f->until, sizeof(f->until), json_integer_value(json_object_get(r,
		    "until")), false);
	json_array_foreach(json_object_get(r, "exceptions"), i, x) {
		if (all_day)
			fmt_ymd(d, sizeof(d), json_integer_value(x));
		else
			cs_fmt_local(d, sizeof(d), json_integer_value(x), false);
		if (off < sizeof(f->exc))
			off += (size_t)snprintf(f->exc + off, sizeof(f->exc) - off, "%s%s",
			    off ? ", " : "", d);
	}
}

/* Fill the form from a stored event (its payload object). */
static void
recform_from(struct recform *f, json_t *ev)
{
	const struct vocab_field *fd;
	json_t		*v, *when = json_object_get(ev, "when"), *x;
	char		 buf[2048];
	size_t		 i, j;
	bool		 all_day = json_is_true(json_object_get(when, "all_day"));

	for (i = 0, fd = f->k->fields; fd->key != NULL && i < FIELDS_MAX; fd++, i++) {
		buf[0] = '\0';
		if (strcmp(fd->key, "when.start") == 0 || strcmp(fd->key, "when.end") == 0) {
			v = json_object_get(when, fd->key + 5);
			if (!json_is_integer(v))
				continue;
			if (all_day)
				fmt_ymd(buf, sizeof(buf), json_integer_value(v));
			else
				cs_fmt_local(buf, sizeof(buf), json_integer_value(v), true);
		} else if (strcmp(fd->key, "when.all_day") == 0) {
			if (!all_day)
				continue;
			snprintf(buf, sizeof(buf), "1");
		} else if (strncmp(fd->key, "translations.", 13) == 0) {
			const char *lang = fd->key + 13, *dot = strchr(lang, '.'), *s;
			char l[16];

			snprintf(l, sizeof(l), "%.*s", (int)(dot - lang), lang);
			if ((s = translation_get(ev, l, dot + 1)) == NULL)
				continue;
			snprintf(buf, sizeof(buf), "%s", s);
		} else if (strcmp(fd->key, "point.lat") == 0 || strcmp(fd->key, "point.lon") == 0) {
			v = json_object_get(json_object_get(ev, "point"), fd->key[7] == 'a' ?
			    "lat_e7" : "lon_e7");
			if (!json_is_integer(v))
				continue;
			snprintf(buf, sizeof(buf), "%.7f", json_integer_value(v) / 1e7);
		} else if (fd->type == VT_TAGS) {
			size_t off = 0;

			json_array_foreach(json_object_get(ev, fd->key), j, x)
				if (off < sizeof(buf))
					off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					    "%s%s=%s", off ? "\n" : "",
					    cs_hb_str(json_string_value(json_object_get(x, "key"))),
					    cs_hb_str(json_string_value(json_object_get(x, "value"))));
		} else if ((v = jpath(ev, fd->key)) == NULL)
			continue;
		else if (json_is_string(v))
			snprintf(buf, sizeof(buf), "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		else if (json_is_array(v)) {
			size_t off = 0;

			json_array_foreach(v, j, x)
				if (json_is_string(x) && off < sizeof(buf))
					off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
					    off ? "," : "", json_string_value(x));
		} else
			continue;
		recform_set(f, i, buf);
	}
}

/* Fill the form from what was posted (checkboxes of a list joined with commas). */
static void
recform_posted(struct recform *f, struct ans *a)
{
	const struct vocab_field *fd;
	char		 buf[4096];
	size_t		 i, j, off;

	snprintf(f->repeat, sizeof(f->repeat), "%s", cs_hb_str(cs_param(a, "repeat")));
	snprintf(f->until, sizeof(f->until), "%s", cs_hb_str(cs_param(a, "recurrence.until")));
	snprintf(f->exc, sizeof(f->exc), "%s", cs_hb_str(cs_param(a, "exceptions")));

	for (i = 0, fd = f->k->fields; fd->key != NULL && i < FIELDS_MAX; fd++, i++) {
		if (!form_field(fd))
			continue;
		if (fd->type == VT_TAGS) {	/* the boxes' tags, then the typed ones */
			buf[0] = '\0';
			for (j = 0, off = 0; a->r != NULL && j < a->r->n; j++)
				if (strcmp(a->r->k[j], "tag") == 0 && off < sizeof(buf))
					off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					    "%s\n", a->r->v[j]);
			if (off < sizeof(buf))
				snprintf(buf + off, sizeof(buf) - off, "%s",
				    cs_hb_str(cs_param(a, fd->key)));
			recform_set(f, i, buf);
			continue;
		}
		if (fd->type != VT_ENUMS) {
			f->val[i] = cs_param(a, fd->key);
			continue;
		}
		buf[0] = '\0';
		for (j = 0, off = 0; a->r != NULL && j < a->r->n; j++)
			if (strcmp(a->r->k[j], fd->key) == 0 && off < sizeof(buf))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
				    off ? "," : "", a->r->v[j]);
		recform_set(f, i, buf);
	}
}

static const char *
label(struct ans *a, const struct vocab_field *fd)
{
	return a->ja ? fd->ja : fd->en;
}

static bool
listed(const char *list, const char *code)
{
	size_t	 n = strlen(code);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, code, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void
repeat_render(struct ans *a, struct sbuf *b, struct recform *f)
{
	static const struct {
		const char *v, *ja, *en;
	} opts[] = {
		{ "", "繰り返さない", "Does not repeat" },
		{ "weekly", "毎週", "Weekly" },
		{ "monthly", "毎月（同じ日）", "Monthly (same day)" },
		{ "monthly_wd", "毎月（第n曜日）", "Monthly (n-th weekday)" },
	};
	size_t	 i;

	cs_sb_printf(b, "<label for=\"repeat\">%s</label><select id=\"repeat\" "
	    "name=\"repeat\">", T(a, "繰り返し", "Repeat"));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		cs_sb_printf(b, "<option value=\"%s\"%s>%s</option>", opts[i].v,
		    strcmp(f->repeat, opts[i].v) == 0 ? " selected" : "",
		    T(a, opts[i].ja, opts[i].en));
	cs_sb_puts(b, "</select>");
	cs_form_text(b, "recurrence.until", T(a, "繰り返しの終わり（日付）",
	    "Repeat until (date)"), f->err_until, " placeholder=\"2027-03-31\"", f->until);
	cs_form_text(b, "exceptions", T(a, "お休みの日（日付、カンマ区切り）",
	    "Dates it does not happen (comma-separated)"), f->err_exc,
	    " placeholder=\"2026-12-29, 2027-01-05\"", f->exc);
}

/*
 * A place's tags: a checkbox for each common one (vocab_place_tag), then a text area
 * for the rest, one KEY=VALUE a line. val holds them all a line each, however they
 * came (stored, or posted from both inputs): a line the boxes know checks its box,
 * the others stay in the text area as typed.
 */
static void
tags_render(struct ans *a, struct sbuf *b, const struct vocab_field *fd, const char *val)
{
	const struct vocab *v;
	const char	*p, *e;
	size_t		 n;
	bool		 first = true, boxed;

	cs_sb_puts(b, "<div class=\"check\" id=\"tagboxes\">");
	for (v = vocab_place_tag; v->name != NULL; v++) {
		n = strlen(v->name);
		boxed = false;
		for (p = val; *p != '\0'; p = *e ? e + 1 : e) {
			e = p + strcspn(p, "\r\n");
			if ((size_t)(e - p) == n && strncmp(p, v->name, n) == 0)
				boxed = true;
		}
		cs_sb_printf(b, "<input type=\"checkbox\" id=\"tag-%s\" name=\"tag\" "
		    "value=\"%s\"%s><label for=\"tag-%s\">", v->name, v->name,
		    boxed ? " checked" : "", v->name);
		cs_sb_esc(b, a->ja ? v->label : v->en);
		cs_sb_puts(b, "</label>");
	}
	cs_sb_printf(b, "</div><label for=\"%s\">%s</label><textarea id=\"%s\" name=\"%s\" "
	    "rows=\"3\">", fd->key, T(a, "ほかのタグ（1行に1つ、OpenStreetMap の KEY=VALUE。"
	    "例: stroller=limited）", "Other tags (one OpenStreetMap KEY=VALUE a line, e.g. "
	    "stroller=limited)"), fd->key, fd->key);
	for (p = val; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\r\n");
		if (e == p)
			continue;
		for (v = vocab_place_tag; v->name != NULL; v++)
			if ((size_t)(e - p) == strlen(v->name) &&
			    strncmp(p, v->name, (size_t)(e - p)) == 0)
				break;
		if (v->name != NULL)
			continue;
		if (!first)
			cs_sb_puts(b, "\n");
		first = false;
		/* sb_esc of a piece */
		{
			char *line = strndup(p, (size_t)(e - p));

			if (line == NULL)
				b->oom = true;
			else
				cs_sb_esc(b, line);
			free(line);
		}
	}
	cs_sb_puts(b, "</textarea>");
}

/*
 * The map to pick a place's point on (Leaflet, served from this console: no CDN). The
 * typed coordinates stay the form's truth: the script only writes them on a click and
 * follows them when typed, so the form works without script, tiles or network too.
 */
static void
map_render(struct ans *a, struct sbuf *b)
{
	cs_sb_printf(b, "<p><small>%s</small></p><div id=\"map\" data-tiles=\"",
	    T(a, "地図をクリック（タップ）すると、その地点の緯度・経度が入ります。",
	    "Click (tap) the map to fill in that point's latitude and longitude."));
	cs_sb_esc(b, a->c->tiles);
	cs_sb_puts(b, "\" data-attribution=\"");
	cs_sb_esc(b, a->c->attribution);
	/* no point yet: the view opens on Seya ward, where hiroba's network is */
	cs_sb_puts(b, "\" data-lat=\"35.4661\" data-lon=\"139.4988\"></div>");
}

static void
recform_render(struct ans *a, struct sbuf *b, struct recform *f, const char *list,
    const char *action, const char *id)
{
	const struct vocab_field *fd;
	const struct vocab *v;
	const char	*val;
	size_t		 i;

	cs_err_p(b, "error", NULL, f->top);
	cs_sb_printf(b, "<form class=\"box\" method=\"post\" action=\"%s%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", action, a->lq, a->s->csrf);
	if (id != NULL) {
		cs_sb_puts(b, "<input type=\"hidden\" name=\"id\" value=\"");
		cs_sb_esc(b, id);
		cs_sb_puts(b, "\">");
	}
	for (i = 0, fd = f->k->fields; fd->key != NULL && i < FIELDS_MAX; fd++, i++) {
		if (!form_field(fd))
			continue;
		/* counts are filled in after the event is published */
		if (id == NULL && (strcmp(fd->key, "registered") == 0 ||
		    strcmp(fd->key, "attended") == 0))
			continue;
		val = f->val[i] != NULL ? f->val[i] : "";
		if (fd->type == VT_FLAG) {
			cs_sb_printf(b, "<p class=\"check\"><input type=\"checkbox\" id=\"%s\" "
			    "name=\"%s\" value=\"1\"%s><label for=\"%s\">%s</label></p>",
			    fd->key, fd->key, *val ? " checked" : "", fd->key, label(a, fd));
			continue;
		}
		cs_sb_printf(b, "<label for=\"%s\">%s%s</label>", fd->key, label(a, fd),
		    (fd->flags & VF_REQUIRED) ? T(a, "（必須）", " (required)") : "");
		cs_field_err(b, fd->key, label(a, fd), f->err[i]);
		switch (fd->type) {
		case VT_ENUM:
			cs_form_select(b, a->ja, fd->key, fd->values,
			    vocab_find_label(fd->values, val));
			break;
		case VT_TAGS:
			tags_render(a, b, fd, val);
			break;
		case VT_ENUMS:
			cs_sb_puts(b, "<div class=\"check\">");
			for (v = fd->values; v->name != NULL; v++) {
				cs_sb_printf(b, "<input type=\"checkbox\" id=\"%s-%s\" name=\"%s\" "
				    "value=\"%s\"%s><label for=\"%s-%s\">", fd->key, v->name,
				    fd->key, v->name, listed(val, v->name) ? " checked" : "",
				    fd->key, v->name);
				cs_sb_esc(b, a->ja ? v->label : v->en);
				cs_sb_puts(b, "</label>");
			}
			cs_sb_puts(b, "</div>");
			break;
		default:
			if ((fd->max > 200 && fd->type == VT_TEXT) || fd->type == VT_TAGS) {
				cs_sb_printf(b, "<textarea id=\"%s\" name=\"%s\" rows=\"5\">",
				    fd->key, fd->key);
				cs_sb_esc(b, val);
				cs_sb_puts(b, "</textarea>");
				break;
			}
			/* type=text for times too: what was typed comes back as typed, and
			 * "2026-12-10 10:00" works without a date picker */
			cs_sb_printf(b, "<input type=\"%s\" id=\"%s\" name=\"%s\"%s value=\"",
			    fd->type == VT_UINT ? "text\" inputmode=\"numeric" : "text",
			    fd->key, fd->key, fd->type == VT_TIME || strcmp(fd->key,
			    "when.end") == 0 ? " placeholder=\"2026-12-10 10:00\"" : "");
			cs_sb_esc(b, val);
			cs_sb_puts(b, "\">");
		}
		if (strcmp(fd->key, "point.lon") == 0)
			map_render(a, b);
	}
	if (f->k->kind == HB_EVENT)
		repeat_render(a, b, f);
	if (f->k->kind == HB_VOLUNTEER)
		cs_sb_printf(b, "<p><small>%s</small></p>", T(a, "連絡先は拠点（center）と"
		    "この団体だけが読めるように封をして公開します。空欄のままなら今の連絡先が"
		    "残ります。", "The contact is sealed so that only the center and this group "
		    "can read it; left empty, the current one stays."));
	cs_sb_printf(b, "<p><button>%s</button> <a href=\"%s%s\">%s</a></p></form>",
	    T(a, "公開する", "Publish"), list, a->lq, T(a, "やめる", "Cancel"));
	if (a->map)
		cs_sb_puts(b, "<link rel=\"stylesheet\" href=\"/leaflet/leaflet.css\">"
		    "<script src=\"/leaflet/leaflet.js\"></script>"
		    "<script src=\"/console-map.js\"></script>");
}

static void
set_path(json_t *obj, const char *path, json_t *val)
{
	char	 buf[128], *p, *dot;
	json_t	*sub;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		if (!json_is_object(sub = json_object_get(obj, p))) {
			sub = json_object();
			json_object_set_new(obj, p, sub);
		}
		obj = sub;
	}
	if (val != NULL)
		json_object_set_new(obj, p, val);
	else
		json_object_del(obj, p);
}

static void
translation_put(json_t *ev, const char *lang, const char *field, const char *value)
{
	json_t	*arr = json_object_get(ev, "translations"), *t;
	size_t	 i;

	if (!json_is_array(arr)) {
		if (value == NULL)
			return;
		arr = json_array();
		json_object_set_new(ev, "translations", arr);
	}
	json_array_foreach(arr, i, t)
		if (strcmp(cs_hb_str(json_string_value(json_object_get(t, "lang"))), lang) == 0) {
			if (value != NULL)
				json_object_set_new(t, field, json_string(value));
			else
				json_object_del(t, field);
			return;
		}
	if (value != NULL)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "lang", lang, field, value));
}

/*
 * The repetition, by the CLI's rules (cmd_event.c event_apply): until is a date, the
 * end of that day for a timed event (an occurrence on it still happens); exceptions
 * are the starts of skipped occurrences: dates for an all-day event, else the date at
 * the first occurrence's time of day. The validator checks the rest (interval, count).
 */
static void
repeat_apply(struct ans *a, struct recform *f, json_t *ev, int64_t s, bool all_day)
{
	json_t		*r, *exc;
	char		 buf[400], *tok, *save = NULL;
	int64_t		 t, ymd, until;
	bool		 dl;

	if (f->repeat[0] == '\0') {
		json_object_del(ev, "recurrence");
		return;
	}
	if (strcmp(f->repeat, "weekly") != 0 && strcmp(f->repeat, "monthly") != 0 &&
	    strcmp(f->repeat, "monthly_wd") != 0) {
		snprintf(f->err_until, sizeof(f->err_until), "unknown repetition '%s'",
		    f->repeat);
		f->bad = true;
		return;
	}
	if (f->until[0] == '\0') {
		snprintf(f->err_until, sizeof(f->err_until), "--%s needs --until DATE%s",
		    f->repeat[0] == 'w' ? "weekly" : "monthly",
		    T(a, "（繰り返しの終わりの日付が必要です）", ""));
		f->bad = true;
		return;
	}
	if (cs_parse_local(f->until, &t, &dl, &ymd) != 0) {
		snprintf(f->err_until, sizeof(f->err_until), "--until '%s': expected a date",
		    f->until);
		f->bad = true;
		return;
	}
	until = all_day ? ymd : dl ? t + 86400 - 1 : t;
	exc = json_array();
	snprintf(buf, sizeof(buf), "%s", f->exc);
	for (tok = strtok_r(buf, ", 、", &save); tok != NULL;
	    tok = strtok_r(NULL, ", 、", &save)) {
		if (cs_parse_local(tok, &t, &dl, &ymd) != 0 || !dl) {
			snprintf(f->err_exc, sizeof(f->err_exc), "'%s': %s", tok, T(a,
			    "日付は 2027-01-05 の形で", "expected a date such as 2027-01-05"));
			f->bad = true;
			json_decref(exc);
			return;
		}
		json_array_append_new(exc, json_integer(all_day ? ymd :
		    t + (s + JST) % 86400));
	}
	r = json_pack("{s:s,s:I}", "freq", f->repeat[0] == 'w' ? "weekly" : "monthly",
	    "until", (json_int_t)until);
	if (strcmp(f->repeat, "monthly_wd") == 0)
		json_object_set_new(r, "by_weekday", json_true());
	if (json_array_size(exc) > 0)
		json_object_set_new(r, "exceptions", exc);
	else
		json_decref(exc);
	json_object_set_new(ev, "recurrence", r);
}

/* OpenStreetMap tags, one KEY=VALUE a line, as the CLI's --tag: an array of {key,
 * value}, or NULL with the reason in err. */
static json_t *
tags_parse(const struct vocab_field *fd, const char *v, char *err, size_t errlen)
{
	json_t	*arr = json_array(), *t;
	char	*copy, *line, *save = NULL, *eq;
	size_t	 n, i;
	bool	 dup;

	if (arr == NULL || (copy = strdup(v)) == NULL) {
		json_decref(arr);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (line = strtok_r(copy, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		n = strlen(line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((eq = strchr(line, '=')) == NULL || eq == line || eq[1] == '\0') {
			snprintf(err, errlen, "KEY=VALUE such as stroller=yes, not '%s'", line);
			goto fail;
		}
		/* a box ticked and the same tag typed too: once */
		dup = false;
		json_array_foreach(arr, i, t)
			if (strlen(json_string_value(json_object_get(t, "key"))) ==
			    (size_t)(eq - line) && strncmp(json_string_value(json_object_get(t,
			    "key")), line, (size_t)(eq - line)) == 0 &&
			    strcmp(json_string_value(json_object_get(t, "value")), eq + 1) == 0)
				dup = true;
		if (!dup)
			json_array_append_new(arr, json_pack("{s:s%,s:s}", "key", line,
			    (size_t)(eq - line), "value", eq + 1));
	}
	if (fd->max > 0 && json_array_size(arr) > fd->max) {
		snprintf(err, errlen, "at most %lu (%s), not %zu", fd->max, fd->ja,
		    json_array_size(arr));
		goto fail;
	}
	free(copy);
	return arr;
fail:
	free(copy);
	json_decref(arr);
	return NULL;
}

/* Decimal degrees within ±max into 1e-7 units, as the CLI's --lat/--lon. */
static int
degrees(const char *s, double max, int32_t *e7)
{
	char	*end;
	double	 d;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(d >= -max && d <= max))
		return -1;
	*e7 = (int32_t)(d * 1e7 + (d < 0 ? -0.5 : 0.5));
	return 0;
}

/* A place's point from its two fields (ipt: their indices). */
static void
point_apply(struct ans *a, struct recform *f, json_t *ev, const size_t ipt[2])
{
	const struct vocab_field *fd;
	const char	*v[2] = { f->val[ipt[0]], f->val[ipt[1]] };
	int32_t		 e7[2];
	bool		 ok = true;
	int		 k;

	for (k = 0; k < 2; k++) {
		fd = &f->k->fields[ipt[k]];
		if (v[k] == NULL || *v[k] == '\0') {
			snprintf(f->err[ipt[k]], sizeof(f->err[ipt[k]]), "%s",
			    T(a, "必須です（required）", "required"));
			ok = false;
		} else if (degrees(v[k], (double)fd->max, &e7[k]) != 0) {
			snprintf(f->err[ipt[k]], sizeof(f->err[ipt[k]]), "decimal degrees, "
			    "-%lu..%lu, not '%s'", fd->max, fd->max, v[k]);
			ok = false;
		}
	}
	if (!ok) {
		f->bad = true;
		return;
	}
	json_object_set_new(ev, "point", json_pack("{s:i,s:i}", "lat_e7", (int)e7[0],
	    "lon_e7", (int)e7[1]));
}

/*
 * Check every field as the CLI would and write the good ones into ev (the payload;
 * empty fields remove what it held). Marks f->bad and each field's err.
 */
static void
recform_apply(struct ans *a, struct recform *f, json_t *ev, int64_t *start_ymd)
{
	const struct vocab_field *fd;
	const char	*v;
	json_t		*arr, *when;
	char		*copy, *tok, *save = NULL;
	size_t		 i, is = 0, ie = 0, ia = 0, ipt[2] = { 0, 0 };
	int64_t		 s = 0, e = 0, sy = 0, ey = 0;
	bool		 d_only = false, all_day, have_s = false, have_e = false;

	for (i = 0, fd = f->k->fields; fd->key != NULL && i < FIELDS_MAX; fd++, i++) {
		if (!form_field(fd))
			continue;
		v = f->val[i];
		if (strcmp(fd->key, "when.start") == 0) {
			is = i;
			continue;
		}
		if (strcmp(fd->key, "when.end") == 0) {
			ie = i;
			continue;
		}
		if (strcmp(fd->key, "when.all_day") == 0) {
			ia = i;
			continue;
		}
		if (strcmp(fd->key, "point.lat") == 0 || strcmp(fd->key, "point.lon") == 0) {
			ipt[fd->key[7] == 'o'] = i;
			continue;
		}
		if (f->k->kind == HB_VOLUNTEER && strcmp(fd->key, "contact") == 0) {
			/* sealed, never in the payload as text; empty keeps the sealed one */
			if (v != NULL && *v != '\0') {
				if (!proto_utf8_valid(v, strlen(v)) ||
				    vocab_check(fd, v, f->err[i], sizeof(f->err[i])) != 0) {
					if (f->err[i][0] == '\0')
						snprintf(f->err[i], sizeof(f->err[i]),
						    "not valid UTF-8 text");
					f->bad = true;
				} else
					f->contact = v;
			}
			continue;
		}
		if (strcmp(fd->key, "expires") == 0) {
			int64_t t, ymd;
			bool dl;

			f->set_expires = true;
			if (v == NULL || *v == '\0')
				f->expires = 0;
			else if (cs_parse_local(v, &t, &dl, &ymd) != 0) {
				snprintf(f->err[i], sizeof(f->err[i]), "'%s': %s", v, T(a,
				    "日時は 2027-03-31 か 2027-03-31 17:00 の形で", "expected a "
				    "date such as '2027-03-31' or a time"));
				f->bad = true;
			} else	/* a date means up to the end of that day, as --expires */
				f->expires = dl ? t + 86400 : t;
			continue;
		}
		if (v == NULL || *v == '\0') {
			if (fd->flags & VF_REQUIRED) {
				snprintf(f->err[i], sizeof(f->err[i]), "%s",
				    T(a, "必須です（required）", "required"));
				f->bad = true;
			} else if (strncmp(fd->key, "translations.", 13) == 0)
				translation_put(ev, "en", "title", NULL);
			else if (strcmp(fd->key, "registered") != 0 &&
			    strcmp(fd->key, "attended") != 0)
				set_path(ev, fd->key, NULL);
			continue;
		}
		/* jansson takes UTF-8 only: a bad byte would silently drop the field */
		if (!proto_utf8_valid(v, strlen(v))) {
			snprintf(f->err[i], sizeof(f->err[i]), "%s", T(a, "文字化けしています"
			    "（UTF-8 ではありません）", "not valid UTF-8 text"));
			f->bad = true;
			continue;
		}
		if (vocab_check(fd, v, f->err[i], sizeof(f->err[i])) != 0) {
			f->bad = true;
			continue;
		}
		if (strncmp(fd->key, "translations.", 13) == 0) {
			translation_put(ev, "en", "title", v);
			continue;
		}
		switch (fd->type) {
		case VT_UINT:
			set_path(ev, fd->key, json_integer(strtoll(v, NULL, 10)));
			break;
		case VT_ENUM:
			set_path(ev, fd->key, json_string(vocab_find_label(fd->values, v)->json));
			break;
		case VT_ENUMS:
			arr = json_array();
			if ((copy = strdup(v)) != NULL) {
				for (tok = strtok_r(copy, ",", &save); tok != NULL;
				    tok = strtok_r(NULL, ",", &save))
					if (*tok != '\0')
						json_array_append_new(arr, json_string(
						    vocab_find_label(fd->values, tok)->json));
				free(copy);
			}
			save = NULL;
			set_path(ev, fd->key, arr);
			break;
		case VT_TEXTS:	/* "a,b", as the CLI's repeated or comma-separated option */
			arr = json_array();
			if ((copy = strdup(v)) != NULL) {
				for (tok = strtok_r(copy, ",", &save); tok != NULL;
				    tok = strtok_r(NULL, ",", &save))
					if (*tok != '\0')
						json_array_append_new(arr, json_string(tok));
				free(copy);
			}
			save = NULL;
			if (fd->max > 0 && json_array_size(arr) > fd->max) {
				snprintf(f->err[i], sizeof(f->err[i]), "at most %lu (%s), not %zu",
				    fd->max, fd->ja, json_array_size(arr));
				f->bad = true;
				json_decref(arr);
			} else
				set_path(ev, fd->key, arr);
			break;
		case VT_TAGS:
			if ((arr = tags_parse(fd, v, f->err[i], sizeof(f->err[i]))) == NULL)
				f->bad = true;
			else
				set_path(ev, fd->key, arr);
			break;
		default:
			set_path(ev, fd->key, json_string(v));
		}
	}
	if (f->k->kind == HB_PLACE)
		point_apply(a, f, ev, ipt);
	/* a listing is open until it is filled or closed (the CLI's default too) */
	if (f->k->kind == HB_VOLUNTEER && !json_is_string(json_object_get(ev, "status")))
		json_object_set_new(ev, "status", json_string("open"));
	if (f->k->kind != HB_EVENT)
		goto out;

	/* the When: the CLI's rules (cmd_event.c when_apply), from three fields */
	all_day = f->val[ia] != NULL && *f->val[ia] != '\0';
	v = f->val[is];
	if (v == NULL || *v == '\0') {
		snprintf(f->err[is], sizeof(f->err[is]), "%s", T(a, "必須です（required）",
		    "required"));
		f->bad = true;
	} else if (cs_parse_local(v, &s, &d_only, &sy) != 0) {
		snprintf(f->err[is], sizeof(f->err[is]), "'%s': %s", v, T(a,
		    "日時は 2026-12-10 10:00 の形で", "expected a time such as '2026-12-10 "
		    "10:00'"));
		f->bad = true;
	} else if (d_only && !all_day) {
		snprintf(f->err[is], sizeof(f->err[is]), "'%s' has no time of day: add one, "
		    "or give --all-day%s", v, T(a, "（時刻を入れるか「終日」に）", ""));
		f->bad = true;
	} else
		have_s = true;
	v = f->val[ie];
	if (have_s && v != NULL && *v != '\0') {
		unsigned h, m;
		int n = 0;

		if (!all_day && sscanf(v, "%2u:%2u%n", &h, &m, &n) == 2 && v[n] == '\0' &&
		    h < 24 && m < 60) {
			e = (s + JST) / 86400 * 86400 - JST + h * 3600 + m * 60;
			have_e = true;
		} else if (cs_parse_local(v, &e, &d_only, &ey) != 0 || (d_only && !all_day)) {
			snprintf(f->err[ie], sizeof(f->err[ie]), "'%s': expected HH:MM or a "
			    "time such as '2026-12-05 12:00'", v);
			f->bad = true;
		} else
			have_e = true;
	}
	if (have_s) {
		if (all_day) {
			if (!have_e)
				ey = sy;
			if (ey < sy) {
				snprintf(f->err[ie], sizeof(f->err[ie]), "the event would end "
				    "before it starts");
				f->bad = true;
			}
			when = json_pack("{s:b,s:I,s:I}", "all_day", 1, "start", (json_int_t)sy,
			    "end", (json_int_t)ey);
		} else {
			if (!have_e)
				e = s + 3600;
			if (e < s) {
				snprintf(f->err[ie], sizeof(f->err[ie]), "the event would end "
				    "before it starts");
				f->bad = true;
			}
			when = json_pack("{s:I,s:I}", "start", (json_int_t)s, "end",
			    (json_int_t)e);
		}
		json_object_set_new(ev, "when", when);
		*start_ymd = sy;
		repeat_apply(a, f, ev, s, all_day);
	}
out:
	if (f->bad && f->top[0] == '\0')
		snprintf(f->top, sizeof(f->top), "%s", T(a, "入力に誤りがあります。下の項目を"
		    "直してください。", "Some fields need fixing (see below)."));
}

/* The draft of an event: {"id": id, "event": ev} with the header keys gone. */
static json_t *
draft_of(json_t *rec)
{
	static const char *const header[] = { "author", "seq", "created", "kind", "hash",
	    "group" };
	size_t	 i;

	for (i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		json_object_del(rec, header[i]);
	return rec;
}

static int64_t
today_ymd(void)
{
	time_t		 t = time(NULL) + JST;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* A volunteer listing's expiry is in the record's header, not its payload. */
static void
expires_from(struct recform *f, json_t *rec)
{
	const struct vocab_field *fd;
	json_t		*v = json_object_get(rec, "expires");
	char		 buf[32];
	size_t		 i;

	if (!json_is_integer(v) || json_integer_value(v) == 0)
		return;
	for (i = 0, fd = f->k->fields; fd->key != NULL && i < FIELDS_MAX; fd++, i++)
		if (strcmp(fd->key, "expires") == 0) {
			cs_fmt_local(buf, sizeof(buf), json_integer_value(v), true);
			buf[10] = ' ';
			recform_set(f, i, buf);
		}
}

static enum MHD_Result
record_form(struct ans *a, bool post, bool adding, const struct kindpage *kp)
{
	struct recform	 f;
	struct sbuf	 b = { 0 };
	json_t		*rec = NULL, *ev;
	const char	*id = adding ? NULL : cs_param(a, "id"), *pk;
	char		 newid[HB_ID_MAX + 1], err[600], to[64], act[64];
	uint8_t		 rnd[3];
	int64_t		 ymd = 0;
	enum MHD_Result	 ret;
	unsigned	 status = MHD_HTTP_OK;

	memset(&f, 0, sizeof(f));
	f.k = vocab_kind_of(kp->kind);
	pk = f.k->name;
	a->map = kp->kind == HB_PLACE;
	if (!post && !adding)
		id = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "id");
	if (!adding) {
		if (id == NULL || (rec = own_record(a->c, id)) == NULL ||
		    !json_is_object(json_object_get(rec, pk))) {
			json_decref(rec);
			return cs_reply_text(a, MHD_HTTP_NOT_FOUND, a->ja ? "この団体の記録に"
			    "ありません\n" : "no such record of this group\n");
		}
	} else
		rec = json_object();
	if ((ev = json_object_get(rec, pk)) == NULL) {
		ev = json_object();
		json_object_set_new(rec, pk, ev);
	}
	if (!post) {
		recform_from(&f, ev);
		expires_from(&f, rec);
		repeat_from(&f, ev);
	} else {
		recform_posted(&f, a);
		recform_apply(a, &f, ev, &ymd);
		if (f.set_expires && f.expires != 0)
			json_object_set_new(rec, "expires", json_integer(f.expires));
		else if (f.set_expires)
			json_object_del(rec, "expires");
		if (kp->kind == HB_VOLUNTEER && adding)
			ymd = today_ymd();
		if (!f.bad) {
			if (adding) {
				/* the CLI's ids (client/draft.c draft_new_id) */
				randombytes_buf(rnd, sizeof(rnd));
				if (ymd != 0)
					snprintf(newid, sizeof(newid), "%s/%08lld-%02x%02x%02x",
					    kp->prefix, (long long)ymd, rnd[0], rnd[1], rnd[2]);
				else
					snprintf(newid, sizeof(newid), "%s/%02x%02x%02x",
					    kp->prefix, rnd[0], rnd[1], rnd[2]);
				json_object_set_new(rec, "id", json_string(newid));
			}
			if (publish_sealed(a->c, draft_of(rec), f.contact, a->s->user, err,
			    sizeof(err)) == 0) {
				json_decref(rec);
				recform_free(&f);
				snprintf(to, sizeof(to), "%s?done=1%s", kp->path, a->la);
				return cs_redirect(a, to, NULL);
			}
			snprintf(f.top, sizeof(f.top), "%s %s", T(a, "公開できませんでした:",
			    "Not published:"), err);
		}
		status = MHD_HTTP_BAD_REQUEST;
	}
	cs_page_begin(a, &b, adding ? T(a, kp->add_ja, kp->add_en) :
	    T(a, kp->edit_ja, kp->edit_en));
	snprintf(act, sizeof(act), "%s/%s", kp->path, adding ? "new" : "edit");
	recform_render(a, &b, &f, kp->path, act, id);
	cs_page_end(&b);
	ret = cs_reply_html(a, status, &b, NULL);
	json_decref(rec);
	recform_free(&f);
	return ret;
}

static enum MHD_Result
event_cancel(struct ans *a)
{
	const char	*id = cs_param(a, "id"), *undo = cs_param(a, "undo");
	json_t		*rec;
	char		 err[600];
	struct sbuf	 b = { 0 };

	if (id == NULL || (rec = own_record(a->c, id)) == NULL ||
	    !json_is_object(json_object_get(rec, "event")))
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such event of this group\n");
	if (undo != NULL)
		json_object_del(json_object_get(rec, "event"), "cancelled");
	else
		json_object_set_new(json_object_get(rec, "event"), "cancelled", json_true());
	if (cs_publish(a->c, draft_of(rec), a->s->user, err, sizeof(err)) != 0) {
		json_decref(rec);
		cs_page_begin(a, &b, T(a, "中止できませんでした", "Not cancelled"));
		cs_err_p(&b, "error", NULL, err);
		cs_page_end(&b);
		return cs_reply_html(a, MHD_HTTP_BAD_REQUEST, &b, NULL);
	}
	json_decref(rec);
	return cs_redirect(a, a->ja ? "/events?done=1" : "/events?done=1&lang=en", NULL);
}

/*
 * Withdraw one of our map entries or listings everywhere: a tombstone through the
 * publish path, as `hiroba delete` / `place remove` publish. back is the list to
 * return to, one of ours.
 */
static enum MHD_Result
record_delete(struct ans *a)
{
	const char	*id = cs_param(a, "id"), *back = cs_param(a, "back");
	struct hb_record *d = NULL;
	json_t		*rec;
	char		 err[600], to[64];
	struct sbuf	 b = { 0 };
	bool		 known;

	if (back == NULL || (strcmp(back, "/places") != 0 && strcmp(back, "/volunteers") != 0))
		back = "/events";
	if (id == NULL || (rec = own_record(a->c, id)) == NULL)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such record of this group\n");
	known = json_object_get(rec, "place") != NULL ||
	    json_object_get(rec, "volunteer") != NULL || json_object_get(rec, "event") != NULL;
	json_decref(rec);
	if (!known)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such record of this group\n");
	if ((d = proto_tombstone_new(id, NULL)) == NULL)
		snprintf(err, sizeof(err), "cannot build the tombstone");
	else if (cs_publish_record(a->c, d, a->s->user, err, sizeof(err)) == 0) {
		hb_record_free(&d);
		log_info("console: %s deleted %s", a->s->user, id);
		snprintf(to, sizeof(to), "%s?done=1%s", back, a->la);
		return cs_redirect(a, to, NULL);
	}
	hb_record_free(&d);
	cs_page_begin(a, &b, T(a, "削除できませんでした", "Not deleted"));
	cs_err_p(&b, "error", NULL, err);
	cs_page_end(&b);
	return cs_reply_html(a, MHD_HTTP_BAD_REQUEST, &b, NULL);
}

/* A delete button for a list row (the browser asks nothing: no script; the button
 * says what it does). */
static void
delete_button(struct ans *a, struct sbuf *b, const char *id, const char *back)
{
	cs_sb_printf(b, " <form class=\"inline\" method=\"post\" action=\"/delete%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
	    "name=\"back\" value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"",
	    a->lq, a->s->csrf, back);
	cs_sb_esc(b, id);
	cs_sb_printf(b, "\"><button>%s</button></form>", T(a, "削除する（全体から）",
	    "Delete (everywhere)"));
}

static int
ev_cmp(const void *x, const void *y)
{
	json_t	*a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_t	*wa = json_object_get(json_object_get(a, "event"), "when");
	json_t	*wb = json_object_get(json_object_get(b, "event"), "when");
	int64_t	 sa = json_integer_value(json_object_get(wa, "start"));
	int64_t	 sb = json_integer_value(json_object_get(wb, "start"));

	if (json_is_true(json_object_get(wa, "all_day")))
		sa = proto_days_from_civil(sa / 10000, sa / 100 % 100, sa % 100) * 86400 - JST;
	if (json_is_true(json_object_get(wb, "all_day")))
		sb = proto_days_from_civil(sb / 10000, sb / 100 % 100, sb % 100) * 86400 - JST;
	return sa < sb ? -1 : sa > sb;
}

static void
num_or_dash(struct sbuf *b, json_t *ev, const char *key)
{
	json_t	*v = json_object_get(ev, key);

	if (json_is_integer(v))
		cs_sb_printf(b, "%lld", (long long)json_integer_value(v));
	else
		cs_sb_puts(b, "—");
}

/* The end of a page built around hirobad's answer: free the answer (if any), close
 * the page and send it. */
enum MHD_Result
cs_ctl_page_reply(struct ans *a, struct sbuf *b, Hiroba__Wire__CtlResponse *resp,
    unsigned status)
{
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	cs_page_end(b);
	return cs_reply_html(a, status, b, NULL);
}

static enum MHD_Result
events_list(struct ans *a)
{
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct sbuf	 b = { 0 };
	json_t		**evs = NULL, *ev, *when, *cat;
	const char	*done = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND,
			    "done"), *id;
	char		 t1[32], t2[32], ref[7];
	size_t		 i, n = 0;
	bool		 all_day, cancelled;

	cs_page_begin(a, &b, T(a, "この団体のイベント", "This group's events"));
	if (done != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "公開しました。",
		    "Published."));
	cs_sb_printf(&b, "<p><a href=\"/events/new%s\">%s</a></p>", a->lq,
	    T(a, "＋ イベントを追加", "+ Add an event"));
	cs_sb_printf(&b, "<p><a href=\"/import%s\">%s</a></p>", a->lq,
	    T(a, "表計算の CSV から一括で取り込む", "Import many from a spreadsheet (CSV)"));
	cs_sb_printf(&b, "<p class=\"exports\">%s <a href=\"/export?f=csv&amp;k=event%s\">"
	    "CSV</a> · <a href=\"/export?f=ics&amp;k=event%s\">%s</a></p>",
	    T(a, "ダウンロード:", "Download:"), a->la, a->la,
	    T(a, "カレンダー（ICS）", "calendar (ICS)"));
	if (list_query(a->c, HB_EVENT, true, &resp) != 0) {
		cs_sb_printf(&b, "<p class=\"err\">%s</p>", T(a, "hirobad から一覧を得られません"
		    "でした。", "hirobad did not list the events."));
		goto done;
	}
	if (resp->n_envelopes > 0 &&
	    (evs = calloc(resp->n_envelopes, sizeof(*evs))) == NULL)
		goto done;
	for (i = 0; i < resp->n_envelopes; i++)
		if ((evs[n] = cs_env_json(&resp->envelopes[i])) != NULL)
			n++;
	if (n > 1)
		qsort(evs, n, sizeof(*evs), ev_cmp);
	cs_sb_printf(&b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th></th></tr></thead><tbody>", T(a, "日時", "When"), T(a, "タイトル", "Title"),
	    T(a, "区分", "Category"), T(a, "定員・申込・参加", "Capacity, registered, "
	    "attended"));
	for (i = 0; i < n; i++) {
		ev = json_object_get(evs[i], "event");
		when = json_object_get(ev, "when");
		id = json_string_value(json_object_get(evs[i], "id"));
		all_day = json_is_true(json_object_get(when, "all_day"));
		cancelled = json_is_true(json_object_get(ev, "cancelled"));
		if (all_day) {
			fmt_ymd(t1, sizeof(t1), json_integer_value(json_object_get(when,
			    "start")));
			snprintf(t2, sizeof(t2), "%s", T(a, "終日", "all day"));
		} else {
			cs_fmt_local(t1, sizeof(t1), json_integer_value(json_object_get(when,
			    "start")), true);
			t1[10] = ' ';
			cs_fmt_local(t2, sizeof(t2), json_integer_value(json_object_get(when,
			    "end")), true);
			memmove(t2, t2 + 11, strlen(t2 + 11) + 1);
		}
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, t1);
		cs_sb_puts(&b, "–");
		cs_sb_esc(&b, t2);
		cs_sb_printf(&b, "</td><td%s>", cancelled ? " class=\"cancelled\"" : "");
		if (cancelled)
			cs_sb_puts(&b, T(a, "【中止】", "[cancelled] "));
		cs_sb_esc(&b, json_string_value(json_object_get(ev, "title")));
		cs_short_ref(a->c->self, id, ref);
		cs_sb_printf(&b, "<br><small>%s %s · ", T(a, "参照", "ref"), ref);
		cs_sb_esc(&b, id);
		cs_sb_puts(&b, "</small></td><td>");
		cat = json_object_get(ev, "category");
		cs_sb_esc(&b, vocab_label_in(vocab_category, json_string_value(cat), a->ja));
		cs_sb_puts(&b, "</td><td>");
		num_or_dash(&b, ev, "capacity");
		cs_sb_puts(&b, " / ");
		num_or_dash(&b, ev, "registered");
		cs_sb_puts(&b, " / ");
		num_or_dash(&b, ev, "attended");
		cs_sb_puts(&b, "</td><td><a href=\"/events/edit?id=");
		cs_sb_esc(&b, id);
		cs_sb_printf(&b, "%s\">%s</a> <form class=\"inline\" method=\"post\" "
		    "action=\"/events/cancel%s\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"", a->la,
		    T(a, "編集・人数", "Edit, counts"), a->lq, a->s->csrf);
		cs_sb_esc(&b, id);
		cs_sb_printf(&b, "\">%s<button>%s</button></form></td></tr>",
		    cancelled ? "<input type=\"hidden\" name=\"undo\" value=\"1\">" : "",
		    cancelled ? T(a, "中止を取り消す", "Undo cancel") : T(a, "中止にする",
		    "Cancel it"));
	}
	cs_sb_puts(&b, "</tbody></table>");
	if (n == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "まだイベントはありません。", "No events yet."));
done:
	for (i = 0; i < n; i++)
		json_decref(evs[i]);
	free(evs);
	return cs_ctl_page_reply(a, &b, resp, MHD_HTTP_OK);
}

static enum MHD_Result
places_list(struct ans *a)
{
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct sbuf	 b = { 0 };
	json_t		*rec, *pl, *t;
	const char	*id;
	char		 ref[7];
	size_t		 i, j, shown = 0;

	cs_page_begin(a, &b, T(a, kp_place.list_ja, kp_place.list_en));
	if (MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done") != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "公開しました。", "Published."));
	cs_sb_printf(&b, "<p><a href=\"/places/new%s\">%s</a></p>", a->lq,
	    T(a, "＋ 場所を追加", "+ Add a map entry"));
	cs_sb_printf(&b, "<p><a href=\"/import%s\">%s</a></p>", a->lq,
	    T(a, "表計算の CSV から一括で取り込む", "Import many from a spreadsheet (CSV)"));
	cs_sb_printf(&b, "<p class=\"exports\">%s <a href=\"/export?f=csv&amp;k=place%s\">"
	    "CSV</a> · <a href=\"/export?f=geojson&amp;k=place%s\">GeoJSON</a></p>",
	    T(a, "ダウンロード:", "Download:"), a->la, a->la);
	if (list_query(a->c, HB_PLACE, true, &resp) != 0) {
		cs_sb_printf(&b, "<p class=\"err\">%s</p>", T(a, "hirobad から一覧を得られません"
		    "でした。", "hirobad did not list the map entries."));
		goto done;
	}
	cs_sb_printf(&b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th></th></tr>"
	    "</thead><tbody>", T(a, "名称", "Name"), T(a, "住所", "Address"),
	    T(a, "タグ", "Tags"));
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((rec = cs_env_json(&resp->envelopes[i])) == NULL)
			continue;
		pl = json_object_get(rec, "place");
		id = cs_hb_str(json_string_value(json_object_get(rec, "id")));
		cs_short_ref(a->c->self, id, ref);
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(pl, "name")));
		cs_sb_printf(&b, "<br><small>%s %s · ", T(a, "参照", "ref"), ref);
		cs_sb_esc(&b, id);
		cs_sb_puts(&b, "</small></td><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(pl, "address")));
		cs_sb_puts(&b, "</td><td>");
		json_array_foreach(json_object_get(pl, "tags"), j, t) {
			cs_sb_esc(&b, json_string_value(json_object_get(t, "key")));
			cs_sb_puts(&b, "=");
			cs_sb_esc(&b, json_string_value(json_object_get(t, "value")));
			cs_sb_puts(&b, " ");
		}
		cs_sb_puts(&b, "</td><td><a href=\"/places/edit?id=");
		cs_sb_esc(&b, id);
		cs_sb_printf(&b, "%s\">%s</a>", a->la, T(a, "編集", "Edit"));
		delete_button(a, &b, id, "/places");
		cs_sb_puts(&b, "</td></tr>");
		json_decref(rec);
		shown++;
	}
	cs_sb_puts(&b, "</tbody></table>");
	if (shown == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "まだ場所はありません。", "No map entries yet."));
done:
	return cs_ctl_page_reply(a, &b, resp, MHD_HTTP_OK);
}

/* ---- the center: admit a group ---- */

#define ROLE_MEMBER	2	/* hiroba.proto Role, as client/cmd_admit.c */
#define STATUS_ADMITTED	1

bool
cs_is_center(const struct console *c)
{
	return memcmp(c->self, c->conf->center, HB_KEY_LEN) == 0;
}

/*
 * Admit: paste the group's key, choose its kind; the next page reads the fingerprint
 * back (to compare over the phone with what `hiroba init` printed there) and only its
 * confirmation publishes the membership, as `hiroba admit` does.
 */
static enum MHD_Result
center_admit(struct ans *a, bool post)
{
	const char	*key = cs_param(a, "key"), *name = cs_param(a, "name"),
			*kind = cs_param(a, "kind"), *confirm = cs_param(a, "confirm");
	const struct vocab *kv = NULL;
	struct hb_record *d = NULL;
	struct sbuf	 b = { 0 };
	uint8_t		 k[HB_KEY_LEN];
	char		 fpr[HB_FPR_LEN], hex[HB_KEYHEX_LEN], id[HB_KEYHEX_LEN + 8];
	char		 ekey[200] = "", ename[200] = "", ekind[600] = "", err[600] = "";
	bool		 bad = false;

	if (!cs_is_center(a->c))
		return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "グループの承認は拠点（center）"
		    "だけができます\n" : "only the center admits groups\n");
	if (post) {
		if (key == NULL || proto_key_parse(key, k) != 0) {
			snprintf(ekey, sizeof(ekey), "'%s' is not a group key (64 hex digits)",
			    cs_hb_str(key));
			bad = true;
		}
		if (name == NULL || *name == '\0') {
			snprintf(ename, sizeof(ename), "%s", T(a, "必須です（required）",
			    "required"));
			bad = true;
		} else if (!proto_utf8_valid(name, strlen(name)) || vocab_chars(name) > 200) {
			snprintf(ename, sizeof(ename), "at most 200 characters (名前: 200文字まで)");
			bad = true;
		}
		if ((kv = vocab_find(vocab_group_kind, kind)) == NULL) {
			snprintf(ekind, sizeof(ekind), "--kind must be center, nursery, circle or "
			    "other, not '%s'", cs_hb_str(kind));
			bad = true;
		}
		if (!bad && confirm != NULL) {
			proto_key_hex(k, hex);
			snprintf(id, sizeof(id), "member/%s", hex);
			if ((d = proto_membership_new(k, ROLE_MEMBER, STATUS_ADMITTED, name,
			    (int)(kv - vocab_group_kind) + 1, 0)) == NULL ||
			    proto_record_set_id(d, id) != 0)
				snprintf(err, sizeof(err), "cannot build the membership record");
			else if (cs_publish_record(a->c, d, a->s->user, err, sizeof(err)) == 0) {
				hb_record_free(&d);
				proto_fingerprint(k, fpr);
				log_info("console: %s admitted %s (%s) as %s", a->s->user, name,
				    fpr, kv->name);
				return cs_redirect(a, a->ja ? "/network?done=1" :
				    "/network?done=1&lang=en", NULL);
			}
			hb_record_free(&d);
		}
	}
	cs_page_begin(a, &b, T(a, "グループを承認する", "Admit a group"));
	cs_err_p(&b, "error", NULL, err);
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/admit%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", a->lq, a->s->csrf);
	if (post && !bad) {	/* read the fingerprint back before it is published */
		proto_fingerprint(k, fpr);
		cs_sb_printf(&b, "<p>%s</p><p id=\"fingerprint\"><strong>%s</strong></p>",
		    T(a, "グループに電話で指紋を読み上げてもらい、下と同じか確かめてください:",
		    "Have the group read its fingerprint over the phone; it must be:"), fpr);
		cs_sb_puts(&b, "<p>");
		cs_sb_esc(&b, name);
		cs_sb_printf(&b, " (%s)</p><input type=\"hidden\" name=\"confirm\" "
		    "value=\"1\">", a->ja ? kv->label : kv->en);
		cs_sb_puts(&b, "<input type=\"hidden\" name=\"key\" value=\"");
		cs_sb_esc(&b, key);
		cs_sb_puts(&b, "\"><input type=\"hidden\" name=\"name\" value=\"");
		cs_sb_esc(&b, name);
		cs_sb_printf(&b, "\"><input type=\"hidden\" name=\"kind\" value=\"%s\">"
		    "<p><button>%s</button> <a href=\"/admit%s\">%s</a></p></form>",
		    kv->name, T(a, "同じなので承認する", "It matches: admit"), a->lq,
		    T(a, "やめる", "Cancel"));
		cs_page_end(&b);
		return cs_reply_html(a, MHD_HTTP_OK, &b, NULL);
	}
	cs_form_text(&b, "key", T(a, "グループの鍵（`hiroba init` が表示した64桁）",
	    "The group's key (64 hex digits from `hiroba init`)"), ekey, "", key);
	cs_form_text(&b, "name", T(a, "名前", "Name"), ename, "", name);
	cs_sb_printf(&b, "<label for=\"kind\">%s</label>", T(a, "種類", "Kind"));
	cs_field_err(&b, "kind", NULL, ekind);
	cs_form_select(&b, a->ja, "kind", vocab_group_kind, kv);
	cs_sb_printf(&b, "<p><button>%s</button></p></form>", T(a, "指紋を確かめる",
	    "Check the fingerprint"));
	cs_page_end(&b);
	return cs_reply_html(a, post ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, NULL);
}

static enum MHD_Result
volunteers_list(struct ans *a)
{
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct sbuf	 b = { 0 };
	json_t		*rec, *vl, *x;
	const char	*id, *ahex;
	char		 ref[7], t[32], self[HB_KEYHEX_LEN];
	uint8_t		 author[HB_KEY_LEN];
	size_t		 i, shown = 0;
	/* the center reads every group's listings (and their contacts); a group its own */
	bool		 all = cs_is_center(a->c) && MHD_lookup_connection_value(a->conn,
			    MHD_GET_ARGUMENT_KIND, "all") != NULL;

	proto_key_hex(a->c->self, self);
	cs_page_begin(a, &b, T(a, kp_volunteer.list_ja, kp_volunteer.list_en));
	if (MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done") != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "公開しました。", "Published."));
	cs_sb_printf(&b, "<p><a href=\"/volunteers/new%s\">%s</a></p>", a->lq,
	    T(a, "＋ 掲載を追加", "+ Add a listing"));
	if (cs_is_center(a->c))
		cs_sb_printf(&b, "<p><a href=\"/volunteers?all=1%s\">%s</a></p>", a->la,
		    T(a, "全グループの掲載（拠点）", "Every group's listings (center)"));
	if (list_query(a->c, HB_VOLUNTEER, !all, &resp) != 0) {
		cs_sb_printf(&b, "<p class=\"err\">%s</p>", T(a, "hirobad から一覧を得られません"
		    "でした。", "hirobad did not list the listings."));
		goto done;
	}
	cs_sb_printf(&b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th></th></tr></thead><tbody>", T(a, "種別", "Kind"),
	    T(a, "タイトル", "Title"), T(a, "状態", "Status"), T(a, "人数", "People"),
	    T(a, "掲載期限", "Expires"));
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((rec = cs_env_json(&resp->envelopes[i])) == NULL)
			continue;
		vl = json_object_get(rec, "volunteer");
		id = cs_hb_str(json_string_value(json_object_get(rec, "id")));
		ahex = cs_hb_str(json_string_value(json_object_get(rec, "author")));
		if (proto_key_parse(ahex, author) != 0) {
			json_decref(rec);
			continue;
		}
		cs_short_ref(author, id, ref);
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, vocab_label_in(vocab_vkind, json_string_value(json_object_get(vl,
		    "kind")), a->ja));
		cs_sb_puts(&b, "</td><td>");
		cs_sb_esc(&b, json_string_value(json_object_get(vl, "title")));
		cs_sb_printf(&b, "<br><small>%s %s · ", T(a, "参照", "ref"), ref);
		cs_sb_esc(&b, id);
		cs_sb_puts(&b, "</small></td><td>");
		x = json_object_get(vl, "status");
		cs_sb_esc(&b, vocab_label_in(vocab_lstatus, json_is_string(x) ?
		    json_string_value(x) : "open", a->ja));
		cs_sb_puts(&b, "</td><td>");
		num_or_dash(&b, vl, "people");
		cs_sb_puts(&b, "</td><td>");
		x = json_object_get(rec, "expires");
		if (json_is_integer(x) && json_integer_value(x) != 0) {
			cs_fmt_local(t, sizeof(t), json_integer_value(x), true);
			t[10] = ' ';
			cs_sb_esc(&b, t);
		}
		cs_sb_puts(&b, "</td><td>");
		if (strcmp(ahex, self) == 0) {
			cs_sb_puts(&b, "<a href=\"/volunteers/edit?id=");
			cs_sb_esc(&b, id);
			cs_sb_printf(&b, "%s\">%s</a>", a->la, T(a, "編集", "Edit"));
			delete_button(a, &b, id, "/volunteers");
		}
		if (json_object_get(vl, "contact_sealed") != NULL) {
			cs_sb_printf(&b, " <a href=\"/contact?author=%s&amp;id=", ahex);
			cs_sb_esc(&b, id);
			cs_sb_printf(&b, "%s\">%s</a>", a->ja ? "" : "&amp;lang=en",
			    T(a, "連絡先を読む", "Read the contact"));
		}
		cs_sb_puts(&b, "</td></tr>");
		json_decref(rec);
		shown++;
	}
	cs_sb_puts(&b, "</tbody></table>");
	if (shown == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "まだ掲載はありません。", "No listings yet."));
done:
	return cs_ctl_page_reply(a, &b, resp, MHD_HTTP_OK);
}

#define STATUS_REVOKED	2

/* The center's membership record of key, opened; NULL if there is none. */
static struct hb_record *
membership_of(struct console *c, const uint8_t key[HB_KEY_LEN])
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__GetReq g = HIROBA__WIRE__GET_REQ__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct hb_record *r = NULL;
	char		 hex[HB_KEYHEX_LEN], id[HB_KEYHEX_LEN + 8];

	proto_key_hex(key, hex);
	snprintf(id, sizeof(id), "member/%s", hex);
	g.author.data = c->self;
	g.author.len = HB_KEY_LEN;
	g.id = id;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_GET;
	req.get = &g;
	if (cs_ctl_call(c, &req, &resp) == 0 && resp->code == 0 && resp->n_envelopes == 1 &&
	    proto_open(resp->envelopes[0].data, resp->envelopes[0].len, cs_now_s(), &r) != 0)
		r = NULL;
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return r;
}

/* How far this daemon holds key's records without gaps (`hiroba status` complete). */
static uint64_t
complete_of(struct console *c, const uint8_t key[HB_KEY_LEN])
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	uint64_t	 n = 0;
	size_t		 i;

	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_STATUS;
	req.status = 1;
	if (cs_ctl_call(c, &req, &resp) == 0 && resp->status != NULL)
		for (i = 0; i < resp->status->n_authors; i++)
			if (resp->status->authors[i]->author.len == HB_KEY_LEN &&
			    memcmp(resp->status->authors[i]->author.data, key, HB_KEY_LEN) == 0)
				n = resp->status->authors[i]->complete;
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return n;
}

/*
 * Revoke (center only), as `hiroba revoke KEY`: its records up to what we hold without
 * gaps stay valid, later ones are refused. GET asks for the confirmation, with the
 * name and fingerprint; only the POST publishes.
 */
static enum MHD_Result
center_revoke(struct ans *a, bool post)
{
	const char	*key = post ? cs_param(a, "key") : MHD_lookup_connection_value(a->conn,
			    MHD_GET_ARGUMENT_KIND, "key");
	struct hb_record *cur = NULL, *d = NULL;
	struct hb_member m;
	struct sbuf	 b = { 0 };
	uint8_t		 k[HB_KEY_LEN];
	char		 fpr[HB_FPR_LEN], hex[HB_KEYHEX_LEN], id[HB_KEYHEX_LEN + 8];
	char		 err[600] = "";
	uint64_t	 after;

	if (!cs_is_center(a->c))
		return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "取り消しは拠点（center）"
		    "だけができます\n" : "only the center revokes groups\n");
	if (key == NULL || proto_key_parse(key, k) != 0 ||
	    memcmp(k, a->c->self, HB_KEY_LEN) == 0 || (cur = membership_of(a->c, k)) == NULL ||
	    proto_record_membership(cur, &m) != 0) {
		hb_record_free(&cur);
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, a->ja ? "承認したグループにありません\n" :
		    "not a group this center admitted\n");
	}
	hb_record_free(&cur);
	proto_fingerprint(k, fpr);
	after = complete_of(a->c, k);
	if (post) {
		proto_key_hex(k, hex);
		snprintf(id, sizeof(id), "member/%s", hex);
		if ((d = proto_membership_new(k, m.role != 0 ? m.role : ROLE_MEMBER,
		    STATUS_REVOKED, m.name[0] != '\0' ? m.name : NULL, m.kind, after)) == NULL ||
		    proto_record_set_id(d, id) != 0)
			snprintf(err, sizeof(err), "cannot build the membership record");
		else if (cs_publish_record(a->c, d, a->s->user, err, sizeof(err)) == 0) {
			hb_record_free(&d);
			log_info("console: %s revoked %s (%s) after seq %llu", a->s->user, m.name,
			    fpr, (unsigned long long)after);
			return cs_redirect(a, a->ja ? "/network?done=1" :
			    "/network?done=1&lang=en", NULL);
		}
		hb_record_free(&d);
	}
	cs_page_begin(a, &b, T(a, "承認を取り消す", "Revoke a group"));
	cs_err_p(&b, "error", NULL, err);
	cs_sb_puts(&b, "<form class=\"box\" method=\"post\" action=\"/revoke");
	cs_sb_printf(&b, "%s\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"key\" value=\"", a->lq, a->s->csrf);
	proto_key_hex(k, hex);
	cs_sb_printf(&b, "%s\"><p><strong>", hex);
	cs_sb_esc(&b, m.name);
	cs_sb_printf(&b, "</strong> (%s)</p><p>%s %llu</p><p><button>%s</button> "
	    "<a href=\"/network%s\">%s</a></p></form>", fpr, T(a, "この番号までの記録は"
	    "有効のまま、それより後は拒否されます:", "Its records up to this sequence number "
	    "stay valid, later ones are refused:"), (unsigned long long)after,
	    T(a, "承認を取り消す", "Revoke"), a->lq, T(a, "やめる", "Cancel"));
	cs_page_end(&b);
	return cs_reply_html(a, err[0] != '\0' ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, NULL);
}

/*
 * Read a listing's sealed contact, for a stated purpose: ctl.c's ContactReq, so
 * privacy.c writes the audit log (naming the console user) before anything is shown.
 * The center can open any listing's, a group its own.
 */
static enum MHD_Result
contact_read(struct ans *a, bool post)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__ContactReq cr = HIROBA__WIRE__CONTACT_REQ__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	const char	*ahex = post ? cs_param(a, "author") : MHD_lookup_connection_value(
			    a->conn, MHD_GET_ARGUMENT_KIND, "author");
	const char	*id = post ? cs_param(a, "id") : MHD_lookup_connection_value(a->conn,
			    MHD_GET_ARGUMENT_KIND, "id");
	const char	*purpose = cs_param(a, "purpose");
	struct sbuf	 b = { 0 };
	uint8_t		 author[HB_KEY_LEN];
	char		 hex[HB_KEYHEX_LEN];
	unsigned	 status = MHD_HTTP_OK;

	if (ahex == NULL || id == NULL || proto_key_parse(ahex, author) != 0)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such listing\n");
	proto_key_hex(author, hex);
	cs_page_begin(a, &b, T(a, "連絡先を読む", "Read a contact"));
	if (post) {
		cr.author.data = author;
		cr.author.len = HB_KEY_LEN;
		cr.id = (char *)id;
		cr.purpose = (char *)cs_hb_str(purpose);
		cr.who = a->s->user;
		req.r_case = HIROBA__WIRE__CTL_REQUEST__R_CONTACT;
		req.contact = &cr;
		if (cs_ctl_call(a->c, &req, &resp) != 0) {
			cs_sb_printf(&b, "<p class=\"err\" id=\"error\">%s</p>",
			    T(a, "hirobad が応答しません。", "hirobad did not answer."));
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
		} else if (resp->code != 0 || resp->contact == NULL) {
			cs_sb_puts(&b, "<p class=\"err\" id=\"error\">");
			cs_sb_esc(&b, resp->error != NULL ? resp->error : "not revealed");
			cs_sb_puts(&b, "</p>");
			status = MHD_HTTP_BAD_REQUEST;
		} else {
			cs_sb_printf(&b, "<p>%s</p><p class=\"box\" id=\"contact\">",
			    T(a, "この閲覧は監査ログに記録されました。", "This read is in the "
			    "audit log."));
			cs_sb_esc(&b, resp->contact);
			cs_sb_puts(&b, "</p>");
			sodium_memzero(resp->contact, strlen(resp->contact));
			hiroba__wire__ctl_response__free_unpacked(resp, NULL);
			cs_page_end(&b);
			return cs_reply_html(a, MHD_HTTP_OK, &b, NULL);
		}
		if (resp != NULL)
			hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	}
	cs_sb_printf(&b, "<form class=\"box\" method=\"post\" action=\"/contact%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
	    "name=\"author\" value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"",
	    a->lq, a->s->csrf, hex);
	cs_sb_esc(&b, id);
	cs_sb_puts(&b, "\"><p>");
	cs_sb_esc(&b, id);
	cs_sb_puts(&b, "</p>");
	cs_form_text(&b, "purpose", T(a, "読む目的（監査ログに残ります）",
	    "Purpose (written to the audit log)"), NULL, "", purpose);
	cs_sb_printf(&b, "<p><button>%s</button></p></form>", T(a, "目的を記録して読む",
	    "Record the purpose and read"));
	cs_page_end(&b);
	return cs_reply_html(a, status, &b, NULL);
}

/* ---- meetings: answer an invitation ---- */

/* Our reply's id to a meeting: "reply/" + BLAKE2b-64("AUTHORHEX/ID") in hex, as
 * `hiroba meeting reply` derives it, so a second answer replaces the first. */
static void
reply_id(const char *ahex, const char *mid, char *out, size_t len)
{
	uint8_t		 h[8];
	char		 material[HB_KEYHEX_LEN + HB_ID_MAX + 2], hex[17];

	snprintf(material, sizeof(material), "%s/%s", ahex, mid);
	crypto_generichash(h, sizeof(h), (const unsigned char *)material, strlen(material),
	    NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, len, "reply/%s", hex);
}

static bool
invited(json_t *m, const char *self)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(json_object_get(m, "invited"), i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), self) == 0)
			return true;
	return false;
}

/*
 * The meetings this group called that are over (up to 180 days back): minutes are
 * written after the day, so they stay a click away.
 */
static void
past_meetings(struct ans *a, struct sbuf *b, const char *self)
{
	Hiroba__Wire__CtlResponse *resp = NULL;
	json_t		*rec, *m;
	char		 t[32];
	int64_t		 s, now = cs_now_s();
	size_t		 i, shown = 0;

	if (list_query(a->c, HB_MEETING, true, &resp) != 0)
		goto out;
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((rec = cs_env_json(&resp->envelopes[i])) == NULL)
			continue;
		m = json_object_get(rec, "meeting");
		s = json_integer_value(json_object_get(json_object_get(m, "when"), "start"));
		if (s >= now - 86400 || s < now - 180 * 86400) {
			json_decref(rec);
			continue;
		}
		if (shown++ == 0)
			cs_sb_printf(b, "<h2>%s</h2><ul id=\"past\">", T(a, "この団体が招集した"
			    "過去の会議（議事録）", "Meetings this group called (minutes)"));
		cs_fmt_local(t, sizeof(t), s, false);
		cs_sb_printf(b, "<li>%s <a href=\"/meetings/show?author=%s&amp;id=", t, self);
		cs_sb_esc(b, json_string_value(json_object_get(rec, "id")));
		cs_sb_printf(b, "%s\">", a->la);
		cs_sb_esc(b, json_string_value(json_object_get(m, "title")));
		cs_sb_printf(b, "</a>%s</li>", json_is_string(json_object_get(m, "minutes")) ?
		    T(a, "（議事録あり）", " (minutes recorded)") : "");
		json_decref(rec);
	}
	if (shown > 0)
		cs_sb_puts(b, "</ul>");
out:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
}

/*
 * Meetings of every group from yesterday on; for each, our answer (as stored) and a
 * form to give or change it. POST: the Reply `hiroba meeting reply` publishes.
 */
static enum MHD_Result
meetings(struct ans *a, bool post)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct sbuf	 b = { 0 };
	json_t		*rec, *m, *mine, *r, *draft;
	const char	*ahex, *mid, *att, *count, *note, *done;
	char		 self[HB_KEYHEX_LEN], rid[40], t[32], err[600] = "", fpr[HB_FPR_LEN];
	uint8_t		 author[HB_KEY_LEN];
	size_t		 i, shown = 0;
	unsigned	 status = MHD_HTTP_OK;

	proto_key_hex(a->c->self, self);
	if (post) {
		ahex = cs_param(a, "author");
		mid = cs_param(a, "id");
		att = cs_param(a, "attending");
		count = cs_param(a, "count");
		note = cs_param(a, "note");
		if (ahex == NULL || mid == NULL || proto_key_parse(ahex, author) != 0)
			return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "no such meeting\n");
		if (att == NULL || (strcmp(att, "1") != 0 && strcmp(att, "0") != 0))
			snprintf(err, sizeof(err), "--attending or --absent is required%s",
			    T(a, "（出席か欠席を選んでください）", ""));
		else if (count != NULL && *count != '\0' && (strspn(count, "0123456789") !=
		    strlen(count) || strlen(count) > 9))
			snprintf(err, sizeof(err), "--count: a number of people, not '%s'",
			    count);
		else if (note != NULL && !proto_utf8_valid(note, strlen(note)))
			snprintf(err, sizeof(err), "note: not valid UTF-8 text");
		else {
			reply_id(ahex, mid, rid, sizeof(rid));
			r = json_pack("{s:{s:s,s:s},s:b}", "meeting", "author", ahex, "id", mid,
			    "attending", strcmp(att, "1") == 0);
			if (count != NULL && *count != '\0')
				json_object_set_new(r, "count", json_integer(atoll(count)));
			if (note != NULL && *note != '\0')
				json_object_set_new(r, "note", json_string(note));
			draft = json_pack("{s:s,s:o}", "id", rid, "reply", r);
			if (cs_publish(a->c, draft, a->s->user, err, sizeof(err)) == 0) {
				json_decref(draft);
				return cs_redirect(a, a->ja ? "/meetings?done=1" :
				    "/meetings?done=1&lang=en", NULL);
			}
			json_decref(draft);
		}
		status = MHD_HTTP_BAD_REQUEST;
	}
	cs_page_begin(a, &b, T(a, "会議", "Meetings"));
	if ((done = MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done"))
	    != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", strcmp(done, "2") == 0 ?
		    T(a, "会議を招集しました。", "The meeting is called.") :
		    T(a, "返事を公開しました。", "Your answer is published."));
	cs_sb_printf(&b, "<p><a href=\"/meetings/call%s\">%s</a></p>", a->lq,
	    T(a, "＋ 会議を招集する", "+ Call a meeting"));
	cs_err_p(&b, "error", NULL, err);
	q.has_kind = 1;
	q.kind = HB_MEETING;
	q.has_from = 1;
	q.from = cs_now_s() - 86400;
	q.has_limit = 1;
	q.limit = EVENTS_SHOWN;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_QUERY;
	req.query = &q;
	if (cs_ctl_call(a->c, &req, &resp) != 0 || resp->code != 0) {
		cs_sb_printf(&b, "<p class=\"err\">%s</p>", T(a, "hirobad から一覧を得られません"
		    "でした。", "hirobad did not list the meetings."));
		goto done;
	}
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((rec = cs_env_json(&resp->envelopes[i])) == NULL)
			continue;
		m = json_object_get(rec, "meeting");
		ahex = cs_hb_str(json_string_value(json_object_get(rec, "author")));
		mid = cs_hb_str(json_string_value(json_object_get(rec, "id")));
		if (proto_key_parse(ahex, author) != 0) {
			json_decref(rec);
			continue;
		}
		proto_fingerprint(author, fpr);
		cs_fmt_local(t, sizeof(t), json_integer_value(json_object_get(json_object_get(m,
		    "when"), "start")), true);
		t[10] = ' ';
		cs_sb_puts(&b, "<div class=\"box\"><h2>");
		cs_sb_esc(&b, json_string_value(json_object_get(m, "title")));
		cs_sb_puts(&b, "</h2><p>");
		cs_sb_esc(&b, t);
		cs_sb_puts(&b, " ");
		cs_sb_esc(&b, json_string_value(json_object_get(json_object_get(m, "where"),
		    "text")));
		cs_sb_printf(&b, " · %s %s%s · <a href=\"/meetings/show?author=%s&amp;id=",
		    T(a, "主催", "by"), fpr, invited(m, self) ? T(a, " · 招待されています",
		    " · you are invited") : "", ahex);
		cs_sb_esc(&b, mid);
		cs_sb_printf(&b, "%s\">%s</a></p>", a->la, strcmp(ahex, self) == 0 ?
		    T(a, "出欠・議事録", "Answers, minutes") : T(a, "出欠を見る", "Answers"));
		if (json_is_string(json_object_get(m, "agenda"))) {
			cs_sb_puts(&b, "<p>");
			cs_sb_esc(&b, json_string_value(json_object_get(m, "agenda")));
			cs_sb_puts(&b, "</p>");
		}
		reply_id(ahex, mid, rid, sizeof(rid));
		if (strcmp(ahex, self) != 0 && (mine = own_record(a->c, rid)) != NULL) {
			r = json_object_get(mine, "reply");
			cs_sb_printf(&b, "<p class=\"answer\">%s: %s", T(a, "この団体の返事",
			    "Our answer"), json_is_true(json_object_get(r, "attending")) ?
			    T(a, "出席", "attending") : T(a, "欠席", "absent"));
			if (json_is_integer(json_object_get(r, "count")))
				cs_sb_printf(&b, " (%lld)", (long long)json_integer_value(
				    json_object_get(r, "count")));
			cs_sb_puts(&b, "</p>");
			json_decref(mine);
		}
		if (strcmp(ahex, self) != 0) {
			cs_sb_printf(&b, "<form method=\"post\" action=\"/meetings%s\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"author\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"id\" value=\"", a->lq, a->s->csrf,
			    ahex);
			cs_sb_esc(&b, mid);
			cs_sb_printf(&b, "\"><p class=\"check\"><input type=\"radio\" "
			    "id=\"y%zu\" name=\"attending\" value=\"1\"><label for=\"y%zu\">%s"
			    "</label><input type=\"radio\" id=\"n%zu\" name=\"attending\" "
			    "value=\"0\"><label for=\"n%zu\">%s</label></p><label for=\"c%zu\">"
			    "%s</label><input type=\"text\" inputmode=\"numeric\" id=\"c%zu\" "
			    "name=\"count\"><label for=\"t%zu\">%s</label><input type=\"text\" "
			    "id=\"t%zu\" name=\"note\"><p><button>%s</button></p></form>", i, i,
			    T(a, "出席", "Attending"), i, i, T(a, "欠席", "Absent"), i,
			    T(a, "人数", "People"), i, i, T(a, "ひとこと", "Note"), i,
			    T(a, "返事を送る", "Send the answer"));
		}
		cs_sb_puts(&b, "</div>");
		json_decref(rec);
		shown++;
	}
	if (shown == 0)
		cs_sb_printf(&b, "<p>%s</p>", T(a, "予定されている会議はありません。",
		    "No meetings ahead."));
	past_meetings(a, &b, self);
done:
	return cs_ctl_page_reply(a, &b, resp, status);
}

/* ---- the network (read-only) ---- */

static enum MHD_Result
network(struct ans *a)
{
	Hiroba__Wire__CtlRequest req = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL, *mresp = NULL;
	Hiroba__Wire__Status *st;
	struct sbuf	 b = { 0 };
	char		 t[32], fpr[HB_FPR_LEN];
	json_t		*m, *mm;
	size_t		 i;

	cs_page_begin(a, &b, T(a, "ネットワーク", "The network"));
	if (MHD_lookup_connection_value(a->conn, MHD_GET_ARGUMENT_KIND, "done") != NULL)
		cs_sb_printf(&b, "<p id=\"done\">%s</p>", T(a, "公開しました。", "Published."));
	cs_sb_printf(&b, "<p><a href=\"/calendar%s\">%s</a> · <a href=\"/map%s\">%s</a></p>",
	    a->lq, T(a, "全グループの予定", "Every group's events"), a->lq,
	    T(a, "応援マップ（全グループ）", "Support map (every group)"));
	if (cs_is_center(a->c))
		cs_sb_printf(&b, "<p><a href=\"/admit%s\">%s</a></p>", a->lq,
		    T(a, "＋ グループを承認する（拠点のみ）", "+ Admit a group (center only)"));
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_STATUS;
	req.status = 1;
	if (cs_ctl_call(a->c, &req, &resp) != 0 || (st = resp->status) == NULL) {
		cs_sb_printf(&b, "<p class=\"err\">%s</p>", T(a, "hirobad から状態を得られません"
		    "でした。", "hirobad did not answer."));
		goto done;
	}
	cs_sb_printf(&b, "<h2>%s</h2><table id=\"peers\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
	    T(a, "つながっている相手", "Peers"), T(a, "名前", "Name"),
	    T(a, "接続", "Connected"), T(a, "最後の通信", "Last contact"),
	    T(a, "遅れ（件）", "Behind (records)"), T(a, "拒否", "Refused"),
	    T(a, "違反", "Blamed"));
	for (i = 0; i < st->n_peers; i++) {
		Hiroba__Wire__PeerStatus *p = st->peers[i];

		t[0] = '\0';
		if (p->has_last_contact && p->last_contact != 0) {
			cs_fmt_local(t, sizeof(t), p->last_contact, true);
			t[10] = ' ';
		}
		cs_sb_puts(&b, "<tr><td>");
		cs_sb_esc(&b, p->name);
		cs_sb_printf(&b, "</td><td>%s</td><td>%s</td><td>%llu</td><td>%llu</td>"
		    "<td>%llu</td></tr>", p->connected ? T(a, "はい", "yes") :
		    T(a, "いいえ", "no"), t, (unsigned long long)p->behind,
		    (unsigned long long)p->rejected, (unsigned long long)p->blamed);
	}
	cs_sb_puts(&b, "</tbody></table>");
	cs_sb_printf(&b, "<h2>%s</h2><table id=\"kinds\"><tbody>", T(a, "記録の数",
	    "Records"));
	for (i = 0; i < st->n_kinds; i++)
		if (st->kinds[i]->count > 0)
			cs_sb_printf(&b, "<tr><td>%s</td><td>%llu</td></tr>",
			    proto_kind_name((enum hb_kind)st->kinds[i]->kind),
			    (unsigned long long)st->kinds[i]->count);
	cs_sb_printf(&b, "</tbody></table><p>%s %llu</p>", T(a, "拒否した記録:",
	    "Records refused:"), (unsigned long long)st->rejected);

	hiroba__wire__ctl_request__init(&req);
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_MEMBERS;
	req.members = 1;
	cs_sb_printf(&b, "<h2>%s</h2><table id=\"roster\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead><tbody>", T(a, "名簿", "Roster"),
	    T(a, "名前", "Name"), T(a, "種類", "Kind"), T(a, "状態", "Status"),
	    T(a, "指紋", "Fingerprint"));
	if (cs_ctl_call(a->c, &req, &mresp) == 0 && mresp->code == 0) {
		for (i = 0; i < mresp->n_envelopes; i++) {
			uint8_t key[HB_KEY_LEN];
			const char *khex;

			if ((m = cs_env_json(&mresp->envelopes[i])) == NULL)
				continue;
			mm = json_object_get(m, "membership");
			khex = json_string_value(json_object_get(mm, "key"));
			fpr[0] = '\0';
			if (khex != NULL && proto_key_parse(khex, key) == 0)
				proto_fingerprint(key, fpr);
			cs_sb_puts(&b, "<tr><td>");
			cs_sb_esc(&b, json_string_value(json_object_get(mm, "name")));
			cs_sb_puts(&b, "</td><td>");
			cs_sb_esc(&b, vocab_label_in(vocab_group_kind, json_string_value(
			    json_object_get(mm, "kind")), a->ja));
			cs_sb_puts(&b, "</td><td>");
			cs_sb_esc(&b, json_string_value(json_object_get(mm, "status")));
			cs_sb_puts(&b, "</td><td>");
			cs_sb_esc(&b, fpr);
			if (cs_is_center(a->c) && khex != NULL && strlen(khex) == 64 &&
			    strspn(khex, "0123456789abcdef") == 64 &&
			    memcmp(key, a->c->self, HB_KEY_LEN) != 0 &&
			    strcmp(cs_hb_str(json_string_value(json_object_get(mm, "status"))),
			    "admitted") == 0)
				cs_sb_printf(&b, " <a href=\"/revoke?key=%s%s\">%s</a>", khex, a->la,
				    T(a, "取り消す", "Revoke"));
			cs_sb_puts(&b, "</td></tr>");
			json_decref(m);
		}
	}
	cs_sb_puts(&b, "</tbody></table>");
done:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	if (mresp != NULL)
		hiroba__wire__ctl_response__free_unpacked(mresp, NULL);
	cs_page_end(&b);
	return cs_reply_html(a, MHD_HTTP_OK, &b, NULL);
}

/* ---- the map: Leaflet and our script ---- */

/*
 * The place form's script: a Leaflet map that writes the clicked point into the two
 * coordinate fields and follows what is typed there. A file of its own (the CSP allows
 * no inline script); it only touches the map and those two inputs.
 */
static const char map_js[] =
	"'use strict';\n"
	"(function () {\n"
	"  var el = document.getElementById('map');\n"
	"  var lat = document.getElementById('point.lat');\n"
	"  var lon = document.getElementById('point.lon');\n"
	"  if (!el || !lat || !lon || !window.L) return;\n"
	"  var map = L.map(el, { tap: true });\n"
	"  L.tileLayer(el.dataset.tiles, { maxZoom: 19,\n"
	"    attribution: el.dataset.attribution }).addTo(map);\n"
	"  var marker = null;\n"
	"  function num(i, max) {\n"
	"    var v = Number(i.value.trim());\n"
	"    return i.value.trim() !== '' && isFinite(v) && Math.abs(v) <= max ? v : null;\n"
	"  }\n"
	"  function show(pan) {\n"
	"    var a = num(lat, 90), o = num(lon, 180);\n"
	"    if (a === null || o === null) return false;\n"
	"    if (marker) marker.setLatLng([a, o]); else marker = L.marker([a, o]).addTo(map);\n"
	"    if (pan) map.setView([a, o], Math.max(map.getZoom() || 0, 16));\n"
	"    return true;\n"
	"  }\n"
	"  if (!show(true)) map.setView([Number(el.dataset.lat), Number(el.dataset.lon)], 13);\n"
	"  map.on('click', function (e) {\n"
	"    var p = e.latlng.wrap();\n"
	"    lat.value = p.lat.toFixed(7);\n"
	"    lon.value = p.lng.toFixed(7);\n"
	"    show(false);\n"
	"    el.setAttribute('data-picked', lat.value + ',' + lon.value);\n"
	"  });\n"
	"  lat.addEventListener('change', function () { show(true); });\n"
	"  lon.addEventListener('change', function () { show(true); });\n"
	"})();\n"
	/* the network's support map: a marker per list item, its text as the popup (a
	 * text node: a name from another group is never markup) */
	"(function () {\n"
	"  var el = document.getElementById('allmap');\n"
	"  if (!el || !window.L) return;\n"
	"  var map = L.map(el);\n"
	"  L.tileLayer(el.dataset.tiles, { maxZoom: 19,\n"
	"    attribution: el.dataset.attribution }).addTo(map);\n"
	"  var pts = [];\n"
	"  document.querySelectorAll('#places li[data-lat]').forEach(function (li) {\n"
	"    var p = [Number(li.dataset.lat), Number(li.dataset.lon)];\n"
	"    var text = document.createElement('span');\n"
	"    text.textContent = li.textContent;\n"
	"    L.marker(p).bindPopup(text).addTo(map);\n"
	"    pts.push(p);\n"
	"  });\n"
	"  if (pts.length) map.fitBounds(pts, { maxZoom: 16, padding: [24, 24] });\n"
	"  else map.setView([35.4661, 139.4988], 13);\n"
	"})();\n";

/*
 * Leaflet's files, from the public page's folder (deploy/web/static/leaflet, [http]
 * static or the installed one): by name from this list only, so no path typed into
 * the address bar reaches any other file.
 */
static enum MHD_Result
leaflet_file(struct ans *a, const char *rel)
{
	static const char *const files[] = { "leaflet.js", "leaflet.css",
	    "images/marker-icon.png", "images/marker-icon-2x.png",
	    "images/marker-shadow.png", "images/layers.png", "images/layers-2x.png" };
	struct MHD_Response *r;
	struct stat	 sb;
	const char	*ctype;
	char		 path[4200];
	size_t		 i;
	int		 fd;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(rel, files[i]) == 0)
			break;
	if (i == sizeof(files) / sizeof(files[0]))
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
	ctype = strstr(rel, ".js") != NULL ? "text/javascript; charset=utf-8" :
	    strstr(rel, ".css") != NULL ? "text/css; charset=utf-8" : "image/png";
	snprintf(path, sizeof(path), "%s/static/leaflet/%s", a->c->webdir, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > 4 * 1024 * 1024) {
		close(fd);
		return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	if ((r = MHD_create_response_from_fd((size_t)sb.st_size, fd)) == NULL)
		close(fd);	/* else MHD closes it */
	return cs_reply(a, MHD_HTTP_OK, r, ctype);
}

/*
 * The map page's CSP: our own script files, and the tile server's images (its scheme
 * and host, as http.c allows them on the public page). Still nothing inline.
 */
static char *
map_csp_new(const char *tiles)
{
	const char	*host = strstr(tiles, "://");
	char		*csp = NULL;
	int		 hl, rc;

	if (host == NULL)
		return NULL;
	host += 3;
	hl = (int)strcspn(host, "/");
	if (strncmp(host, "{s}.", 4) == 0)
		rc = asprintf(&csp, "default-src 'none'; script-src 'self'; style-src 'self'; "
		    "img-src 'self' data: %.*s*%.*s; form-action 'self'; base-uri 'none'; "
		    "frame-ancestors 'none'", (int)(host - tiles), tiles, hl - 3, host + 3);
	else if (memchr(host, '{', (size_t)hl) != NULL)	/* only the scheme is sure */
		rc = asprintf(&csp, "default-src 'none'; script-src 'self'; style-src 'self'; "
		    "img-src 'self' data: %.*s; form-action 'self'; base-uri 'none'; "
		    "frame-ancestors 'none'", (int)(host - tiles) - 2, tiles);
	else
		rc = asprintf(&csp, "default-src 'none'; script-src 'self'; style-src 'self'; "
		    "img-src 'self' data: %.*s; form-action 'self'; base-uri 'none'; "
		    "frame-ancestors 'none'", (int)(host - tiles) + hl, tiles);
	return rc < 0 ? NULL : csp;
}

/* ---- dispatch ---- */

/* A page a signed-out visitor is sent to sign in for (not a stray file request). */
static bool
page_path(const char *url)
{
	static const char *const pages[] = { "/", "/events", "/events/new", "/events/edit",
	    "/places", "/places/new", "/places/edit", "/volunteers", "/volunteers/new",
	    "/volunteers/edit", "/meetings", "/network", "/admit", "/revoke", "/contact",
	    "/matches", "/report", "/report.csv", "/meetings/call", "/meetings/show", "/import", "/export", "/calendar", "/map" };
	size_t	 i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(url, pages[i]) == 0)
			return true;
	return false;
}

static enum MHD_Result
route(struct ans *a, const char *url, bool post)
{
	char	 cookie[200];

	if (strcmp(url, "/console.css") == 0 && !post)
		return cs_reply(a, MHD_HTTP_OK, MHD_create_response_from_buffer(sizeof(css) - 1,
		    (void *)css, MHD_RESPMEM_PERSISTENT), "text/css; charset=utf-8");
	if (strncmp(url, "/leaflet/", 9) == 0 && !post)
		return leaflet_file(a, url + 9);
	if (strcmp(url, "/console-map.js") == 0 && !post)
		return cs_reply(a, MHD_HTTP_OK, MHD_create_response_from_buffer(
		    sizeof(map_js) - 1, (void *)map_js, MHD_RESPMEM_PERSISTENT),
		    "text/javascript; charset=utf-8");
	if (strcmp(url, "/signin") == 0)
		return post ? signin_post(a) : signin_page(a, MHD_HTTP_OK, NULL, NULL);
	if (strcmp(url, "/link") == 0 && !post)
		return link_get(a);
	if (a->s == NULL) {
		if (!post && !page_path(url))	/* /favicon.ico and the like */
			return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
		if (post)	/* no session: nothing is done, whatever was posted */
			return signin_page(a, MHD_HTTP_FORBIDDEN, T(a, "サインインしてください"
			    "（セッションが切れました）。", "Please sign in (no session, or it "
			    "expired)."), NULL);
		return cs_redirect(a, a->ja ? "/signin" : "/signin?lang=en", NULL);
	}
	if (post && !csrf_ok(a)) {
		log_warnx("console: %s from %s: a form without the right CSRF token refused",
		    a->s->user, a->addr);
		return cs_reply_text(a, MHD_HTTP_FORBIDDEN, a->ja ? "フォームが古いか、別のページから"
		    "送られました。ページを開き直してください。\n" : "This form is stale or "
		    "came from another page: reload and try again.\n");
	}
	if (strcmp(url, "/signout") == 0 && post) {
		log_info("console: %s signed out", a->s->user);
		session_clear(a->c, a->s);
		a->s = NULL;
		cookie_for(a->c, NULL, cookie, sizeof(cookie));
		return cs_redirect(a, "/signin", cookie);
	}
	if (strcmp(url, "/") == 0 && !post)
		return cs_redirect(a, a->ja ? "/events" : "/events?lang=en", NULL);
	if (strcmp(url, "/events") == 0 && !post)
		return events_list(a);
	if (strcmp(url, "/events/new") == 0)
		return record_form(a, post, true, &kp_event);
	if (strcmp(url, "/events/edit") == 0)
		return record_form(a, post, false, &kp_event);
	if (strcmp(url, "/places") == 0 && !post)
		return places_list(a);
	if (strcmp(url, "/volunteers") == 0 && !post)
		return volunteers_list(a);
	if (strcmp(url, "/volunteers/new") == 0)
		return record_form(a, post, true, &kp_volunteer);
	if (strcmp(url, "/volunteers/edit") == 0)
		return record_form(a, post, false, &kp_volunteer);
	if (strcmp(url, "/places/new") == 0)
		return record_form(a, post, true, &kp_place);
	if (strcmp(url, "/places/edit") == 0)
		return record_form(a, post, false, &kp_place);
	if (strcmp(url, "/events/cancel") == 0 && post)
		return event_cancel(a);
	if (strcmp(url, "/delete") == 0 && post)
		return record_delete(a);
	if (strcmp(url, "/network") == 0 && !post)
		return network(a);
	if (strcmp(url, "/admit") == 0)
		return center_admit(a, post);
	if (strcmp(url, "/revoke") == 0)
		return center_revoke(a, post);
	if (strcmp(url, "/contact") == 0)
		return contact_read(a, post);
	if (strcmp(url, "/meetings") == 0)
		return meetings(a, post);
	if (strcmp(url, "/calendar") == 0 && !post)
		return cs_calendar(a);
	if (strcmp(url, "/map") == 0 && !post)
		return cs_support_map(a);
	if (strcmp(url, "/export") == 0 && !post)
		return cs_export(a);
	if (strcmp(url, "/import") == 0)
		return cs_import(a, post);
	if (strcmp(url, "/meetings/call") == 0)
		return cs_meeting_call(a, post);
	if (strcmp(url, "/meetings/show") == 0)
		return cs_meeting_show(a, post);
	if (strcmp(url, "/matches") == 0)
		return cs_matches(a, post);
	if (strcmp(url, "/report") == 0 && !post)
		return cs_report(a, false);
	if (strcmp(url, "/report.csv") == 0 && !post)
		return cs_report(a, true);
	return cs_reply_text(a, MHD_HTTP_NOT_FOUND, "not found\n");
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct console	*c = cls;
	struct req	*r = *ctx;
	struct ans	 a;
	const char	*lang, *host, *origin;
	const union MHD_ConnectionInfo *ci;
	bool		 post;

	(void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->max = BODY_MAX;
		*ctx = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* a spreadsheet may be bigger than a form: only /import takes one, and
		 * only from a session (no one else makes the console hold megabytes) */
		size_t max = r->body == NULL && strcmp(url, "/import") == 0 &&
		    session_find(c, conn) != NULL ? UPLOAD_MAX : r->max;

		if (r->body == NULL)
			r->max = max;
		if (r->len + *upload_size > max)
			r->too_big = true;
		else {
			/* one buffer, never moved: a password is not left behind in memory
			 * that realloc freed (completed() wipes this one) */
			if (r->body == NULL && (r->body = malloc(max + 1)) == NULL)
				return MHD_NO;
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
			r->body[r->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.conn = conn;
	a.r = r;
	a.url = url;
	lang = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	a.ja = lang == NULL || strcmp(lang, "en") != 0;
	a.lq = a.ja ? "" : "?lang=en";
	a.la = a.ja ? "" : "&lang=en";
	snprintf(a.addr, sizeof(a.addr), "?");
	if ((ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) != NULL &&
	    ci->client_addr != NULL) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr,
			    a.addr, sizeof(a.addr));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
			    a.addr, sizeof(a.addr));
	}
	post = strcmp(method, "POST") == 0;
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return cs_reply_text(&a, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	/* DNS rebinding: a page of another site whose name now points here sends its
	 * own Host; a cross-site form sends its own Origin. Neither gets an answer. */
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (!host_ok(c, host) || !origin_ok(c, origin)) {
		char h[80], o[80];

		log_name(host, h, sizeof(h));
		log_name(origin, o, sizeof(o));
		log_warnx("console: request from %s refused: Host \"%s\", Origin \"%s\" are "
		    "not this console's", a.addr, h, o);
		return cs_reply_text(&a, MHD_HTTP_FORBIDDEN, "this console answers only to its "
		    "own address\n");
	}
	if (r->too_big)
		return cs_reply_text(&a, MHD_HTTP_CONTENT_TOO_LARGE, "form too large\n");
	if (post) {
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE);

		if (ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0)
			cs_multipart_parse(r, ct);
		else
			form_parse(r);
	}
	a.s = session_find(c, conn);
	return route(&a, url, post);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct req	*r = *ctx;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	if (r->body != NULL) {
		sodium_memzero(r->body, r->len);	/* it may hold a password */
		free(r->body);
	}
	free(r);
	*ctx = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];
	size_t	 n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warnx("console: %s", msg);
}

int
console_start(struct console **out, struct node *n)
{
	const struct conf_console *cc = &n->conf->console;
	struct console	*c;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr	*sa;
	char		 host[64];
	const char	*port;
	unsigned	 flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			    MHD_USE_AUTO;
	sigset_t	 all, old;
	FILE		*f;
	mode_t		 um;

	*out = NULL;
	if (!cc->on)
		return 0;
	if (sodium_init() < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->conf = n->conf;
	c->zctx = n->zctx;
	pthread_mutex_init(&c->child_lock, NULL);
	memcpy(c->self, n->id.pk, HB_KEY_LEN);
	if (asprintf(&c->ctl_ep, "ipc://%s", n->ctl_path) < 0 ||
	    asprintf(&c->users_path, "%s/" CONSOLE_USERS_FILE, n->conf->data) < 0 ||
	    asprintf(&c->links_path, "%s/" CONSOLE_LINKS_FILE, n->conf->data) < 0 ||
	    asprintf(&c->url_path, "%s/" CONSOLE_URL_FILE, n->conf->data) < 0)
		goto fail;
	/* the map: Leaflet from the page's files, tiles from the page's server */
	if ((c->webdir = strdup(n->conf->http.static_dir != NULL ?
	    n->conf->http.static_dir : HIROBA_WEBDIR)) == NULL)
		goto fail;
	c->tiles = n->conf->http.tiles != NULL ? n->conf->http.tiles :
	    "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
	c->attribution = n->conf->http.attribution != NULL ? n->conf->http.attribution :
	    "© OpenStreetMap contributors";
	if ((c->map_csp = map_csp_new(c->tiles)) == NULL)
		goto fail;
	/* the center's pages run `hiroba -c` with this config (console_center.c) */
	if ((c->conf_path = realpath(n->conf->file, NULL)) == NULL &&
	    (c->conf_path = strdup(n->conf->file)) == NULL)
		goto fail;
	cs_cli_find(c);
	cs_import_sweep(c);
	/* what an unknown name is checked against, so it takes as long as a known one */
	if (crypto_pwhash_str(c->dummy_hash, "-", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		goto fail;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (cc->listen[0] == '[') {
		port = strstr(cc->listen, "]:") + 2;
		snprintf(host, sizeof(host), "%.*s", (int)(port - 2 - cc->listen - 1),
		    cc->listen + 1);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)atoi(port));
		inet_pton(AF_INET6, host, &sin6.sin6_addr);
		sa = (struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
		c->remote = !IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr);
	} else {
		port = strrchr(cc->listen, ':') + 1;
		snprintf(host, sizeof(host), "%.*s", (int)(port - 1 - cc->listen), cc->listen);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)atoi(port));
		inet_pton(AF_INET, host, &sin.sin_addr);
		sa = (struct sockaddr *)&sin;
		c->remote = (ntohl(sin.sin_addr.s_addr) >> 24) != 127;
	}
	snprintf(c->port, sizeof(c->port), "%s", port);
	snprintf(c->cookie, sizeof(c->cookie), COOKIE "%s", port);
	snprintf(c->cookie_pre, sizeof(c->cookie_pre), COOKIE_PRE "%s", port);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* one thread, no pool: the sessions and counters are that thread's alone */
	c->mhd = MHD_start_daemon(flags, (uint16_t)atoi(port), NULL, NULL, answer, c,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (c->mhd == NULL) {
		log_warnx("console: cannot listen on %s", cc->listen);
		goto fail;
	}
	um = umask(0077);
	if ((f = fopen(c->url_path, "we")) != NULL) {
		fprintf(f, "http://%s/\n", cc->listen);
		fclose(f);
	}
	umask(um);
	if (c->remote)
		log_warnx("console on http://%s/ beyond this machine (allow_remote): it must "
		    "be reached through TLS only", cc->listen);
	else
		log_info("console on http://%s/", cc->listen);
	*out = c;
	return 0;
fail:
	console_stop(&c);
	return -1;
}

void
console_stop(struct console **cp)
{
	struct console	*c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	if (c->mhd != NULL) {
		cs_cli_cancel(c);
		MHD_stop_daemon(c->mhd);
		if (c->url_path != NULL)
			unlink(c->url_path);
	}
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (c->sessions[i].used)
			cs_import_forget(c, &c->sessions[i]);
	sodium_memzero(c->sessions, sizeof(c->sessions));
	free(c->ctl_ep);
	free(c->users_path);
	free(c->links_path);
	free(c->url_path);
	free(c->webdir);
	free(c->map_csp);
	free(c->cli);
	free(c->conf_path);
	pthread_mutex_destroy(&c->child_lock);
	free(c);
	*cp = NULL;
}
