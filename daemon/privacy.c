/* SPDX-License-Identifier: ISC */
/*
 * privacy: personal data at this daemon. Reading a sealed contact (audited first, in an
 * append-only log), compacting the store so erased data leaves the disk, and purging
 * expired listings once a minute.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "hirobad.h"
#include "log.h"
#include "wire.pb-c.h"

#define PURGE_EVERY	60	/* seconds */
#define PURPOSE_MAX	500
#define WHO_MAX		64

/*
 * Who reads: the unix user on the other end of the control socket (SO_PEERCRED), not
 * what the client says. Only root may name someone else: under the documented sudo
 * the CLI sends SUDO_USER, recorded as "alice (root, sudo)"; and the console (this
 * very process, by SO_PEERCRED's pid) names its signed-in user: "tanaka (console)".
 */
static const char *
audit_who(const struct node *n, const char *declared, char *buf, size_t len)
{
	struct passwd	 pw, *res = NULL;
	char		 pwbuf[1024];
	bool		 named = declared != NULL && declared[0] != '\0' &&
			    strlen(declared) <= WHO_MAX;

	/* the console's thread (same process, so the kernel vouches for it) names the
	 * person it signed in: its accounts are the audit's names */
	if (n->ctl_console && named) {
		snprintf(buf, len, "%.*s (console)", WHO_MAX, declared);
		return buf;
	}
	if (n->ctl_uid < 0) {	/* no credentials: say so */
		snprintf(buf, len, "%s (unverified)", named ? declared : "?");
		return buf;
	}
	if (getpwuid_r((uid_t)n->ctl_uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 ||
	    res == NULL)
		snprintf(buf, len, "uid %ld", n->ctl_uid);
	else
		snprintf(buf, len, "%.*s", WHO_MAX, pw.pw_name);
	if (n->ctl_uid == 0 && named && strcmp(declared, buf) != 0) {
		char	 root[WHO_MAX + 1];

		snprintf(root, sizeof(root), "%.*s", WHO_MAX, buf);
		snprintf(buf, len, "%.*s (%s, sudo)", WHO_MAX, declared, root);
	}
	return buf;
}

/* One JSON line at the end of <data>/audit.log, on disk before we return 0. */
static int
audit_append(struct node *n, const char *who, const uint8_t author[HB_KEY_LEN],
    const char *id, const char *purpose)
{
	char	 hex[HB_KEYHEX_LEN], when[32], *path = NULL, *line = NULL;
	json_t	*o = NULL;
	time_t	 now = (time_t)node_now();
	struct tm tm;
	size_t	 len, off;
	ssize_t	 w;
	int	 fd = -1, rc = ENOMEM;

	proto_key_hex(author, hex);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "time", when, "who", who,
	    "author", hex, "id", id, "purpose", purpose)) == NULL ||
	    (line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL ||
	    asprintf(&path, "%s/audit.log", n->conf->data) < 0) {
		path = NULL;
		goto out;
	}
	len = strlen(line);
	line[len++] = '\n';	/* over json_dumps's NUL: line is written by length */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		goto out;
	}
	for (off = 0; off < len; off += (size_t)w)
		if ((w = write(fd, line + off, len - off)) < 0) {
			rc = errno;
			goto out;
		}
	rc = fsync(fd) == 0 ? 0 : errno;
out:
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc != 0)
		log_warnx("audit log %s: %s", path ? path : "", strerror(rc));
	json_decref(o);
	free(line);
	free(path);
	return rc;
}

int
privacy_contact(struct node *n, const Hiroba__Wire__ContactReq *q, char **contact,
    char *err, size_t errlen)
{
	struct hb_record *r = NULL;
	uint8_t		*env = NULL;
	size_t		 len;
	const char	*who;
	char		 whobuf[WHO_MAX + 80];
	int		 rc;

	*contact = NULL;
	if (q->author.len != HB_KEY_LEN)
		return PROTO_EKEY;
	if (q->purpose == NULL || q->purpose[0] == '\0' || strlen(q->purpose) > PURPOSE_MAX) {
		snprintf(err, errlen, "say why you read it: --purpose, 1..%d bytes",
		    PURPOSE_MAX);
		return PROTO_EMISSING;
	}
	who = audit_who(n, q->who, whobuf, sizeof(whobuf));
	if ((rc = store_get(n->st, q->author.data, q->id, &env, &len)) != 0)
		goto out;
	if ((rc = proto_open_verified(env, len, node_now(), &r)) != 0)
		goto out;
	if (proto_record_kind(r) != HB_VOLUNTEER) {
		snprintf(err, errlen, "%s is a %s: only volunteer listings carry a sealed "
		    "contact", q->id, proto_kind_name(proto_record_kind(r)));
		rc = PROTO_EMISSING;
		goto out;
	}
	if ((rc = proto_contact_open(r, &n->id, contact)) != 0) {
		snprintf(err, errlen, "%s", proto_strerror(rc));
		goto out;
	}
	/* Nothing is revealed unless the read is on record first. */
	if ((rc = audit_append(n, who, q->author.data, q->id, q->purpose)) != 0) {
		snprintf(err, errlen, "cannot write the audit log (%s): not revealed",
		    strerror(rc));
		privacy_wipe(contact);
		goto out;
	}
	log_info("contact of %s read by %s (audited)", q->id, who);
out:
	hb_record_free(&r);
	free(env);
	return rc;
}

void
privacy_wipe(char **s)
{
	if (*s != NULL) {
		sodium_memzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

int
privacy_compact(struct node *n)
{
	struct store_stats before, after;
	int		 rc;

	if (store_stats(n->st, &before) != 0)
		before.used = 0;
	if ((rc = store_compact(n->st)) != 0) {
		log_warnx("compact: %s", store_strerror(rc));
		return rc;
	}
	if (store_stats(n->st, &after) != 0)
		after.used = 0;
	log_info("store compacted: %zu KiB in use before, %zu KiB after", before.used >> 10,
	    after.used >> 10);
	return 0;
}

void
privacy_tick(struct node *n, int64_t now)
{
	static int64_t	next;
	size_t		purged = 0;
	int		rc;

	if (now < next)
		return;
	next = now + PURGE_EVERY;
	if ((rc = store_purge_expired(n->st, now, &purged)) != 0)
		log_warnx("purging expired records: %s", store_strerror(rc));
	else if (purged > 0)
		log_info("purged %zu expired record%s", purged, purged == 1 ? "" : "s");
}
