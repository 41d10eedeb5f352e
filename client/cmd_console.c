/* SPDX-License-Identifier: ISC */
/*
 * hiroba console user add|remove|list and hiroba console open: the web console's
 * accounts and one-time sign-in links. Both are files in the data directory that the
 * console reads (daemon/console.h); they are written here, not through the daemon, so
 * that accounts can be made before it first starts. Whoever may write the data
 * directory (the daemon's user, or root) may manage them, as for the control socket.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hiroba.h"

#define USERS_FILE	"console-users"		/* daemon/console.h */
#define LINKS_FILE	"console-links"
#define URL_FILE	"console.url"
#define LINK_SECONDS	600
#define NAME_MAX_LEN	64
#define PASSWORD_MIN	8

static bool
user_name_ok(const char *s)
{
	size_t i;

	if (*s == '\0' || strlen(s) > NAME_MAX_LEN || !proto_utf8_valid(s, strlen(s)))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == ':' || s[i] == 0x7f)
			return false;
	return true;
}

/* One line from fd 0 into buf, without echo when it is a terminal. 0 or -1. */
static int
read_secret(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(0) == 1;
	size_t n;
	char *ok;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcgetattr(0, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int)len, stdin);
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (ok == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

/* Give a new file in the data directory to the directory's owner: root running this
 * must not leave a file the daemon's user cannot read. */
static void
own_like_dir(int fd, const char *dir)
{
	struct stat sb;

	if (geteuid() == 0 && stat(dir, &sb) == 0)
		(void)fchown(fd, sb.st_uid, sb.st_gid);
}

/*
 * Rewrite the accounts file: drop name's line, then add line (if not NULL). Under an
 * exclusive lock on a lock file, written to a temporary file and renamed, so that the
 * console never reads half a file. *found says whether name had a line.
 */
static int
users_rewrite(struct cli *cli, const char *name, const char *line, bool *found)
{
	char *path = NULL, *tmp = NULL, *lock = NULL, buf[512];
	size_t nl = strlen(name);
	FILE *in = NULL, *out = NULL;
	int lfd = -1, ofd = -1, rc = HB_EXIT_FAIL;

	*found = false;
	if ((path = cli_strf("%s/%s", cli->dir, USERS_FILE)) == NULL ||
	    (tmp = cli_strf("%s/%s.tmp", cli->dir, USERS_FILE)) == NULL ||
	    (lock = cli_strf("%s/%s.lock", cli->dir, USERS_FILE)) == NULL)
		goto out;
	if ((lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(lfd, LOCK_EX) != 0) {
		cli_error(HB_EXIT_FAIL, "%s: %s (run hiroba as the daemon's user)", lock,
		    strerror(errno));
		goto out;
	}
	own_like_dir(lfd, cli->dir);
	if ((ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1 ||
	    (out = fdopen(ofd, "w")) == NULL) {
		cli_error(HB_EXIT_FAIL, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	own_like_dir(ofd, cli->dir);
	ofd = -1;
	if ((in = fopen(path, "re")) == NULL && errno != ENOENT) {
		cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (in != NULL && fgets(buf, sizeof(buf), in) != NULL) {
		if (strncmp(buf, name, nl) == 0 && buf[nl] == ':') {
			*found = true;
			continue;
		}
		fputs(buf, out);
	}
	if (line != NULL)
		fprintf(out, "%s\n", line);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0) {
		out = NULL;
		cli_error(HB_EXIT_FAIL, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) != 0) {
		cli_error(HB_EXIT_FAIL, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	if (ofd != -1)
		close(ofd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	if (lfd != -1)
		close(lfd);	/* and the lock */
	free(path);
	free(tmp);
	free(lock);
	return rc;
}

static int
user_add(struct cli *cli, const char *name)
{
	char pw[1024], again[1024], hash[crypto_pwhash_STRBYTES], *line = NULL;
	bool found, tty = isatty(0) == 1;
	int rc = HB_EXIT_FAIL;

	if (read_secret("password (パスワード): ", pw, sizeof(pw)) != 0) {
		rc = cli_error(HB_EXIT_USAGE, "no password given (type it, or pipe it on "
		    "stdin)");
		goto out;
	}
	if (vocab_chars(pw) < PASSWORD_MIN) {
		rc = cli_error(HB_EXIT_USAGE, "the password needs at least %d characters "
		    "(パスワードは%d文字以上)", PASSWORD_MIN, PASSWORD_MIN);
		goto out;
	}
	if (tty && (read_secret("again (もう一度): ", again, sizeof(again)) != 0 ||
	    strcmp(pw, again) != 0)) {
		rc = cli_error(HB_EXIT_USAGE, "the two passwords differ (一致しません)");
		goto out;
	}
	/* Argon2id at libsodium's interactive cost: a sign-in takes a fraction of a
	 * second and 64 MiB, a guess the same */
	if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory hashing the password");
		goto out;
	}
	if ((line = cli_strf("%s:%s", name, hash)) == NULL)
		goto out;
	if ((rc = users_rewrite(cli, name, line, &found)) != 0)
		goto out;
	if (!cli->json)
		printf("%s: %s (%s)\n", name, found ? "password changed" : "account added",
		    found ? "パスワードを変更しました" : "アカウントを追加しました");
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	free(line);
	return rc;
}

static int
user_list(struct cli *cli)
{
	char *path, buf[512];
	FILE *f;
	size_t n;

	if ((path = cli_strf("%s/%s", cli->dir, USERS_FILE)) == NULL)
		return HB_EXIT_FAIL;
	if ((f = fopen(path, "re")) == NULL) {
		free(path);
		if (errno == ENOENT) {
			if (!cli->json)
				printf("no console accounts yet (`hiroba console user add NAME`)\n");
			return 0;
		}
		return cli_error(HB_EXIT_FAIL, "%s: %s", USERS_FILE, strerror(errno));
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if ((n = strcspn(buf, ":")) == strlen(buf))
			continue;
		buf[n] = '\0';
		if (cli->json) {
			json_t *j = json_pack("{s:s}", "name", buf);

			json_dumpf(j, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(j);
		} else
			printf("%s\n", buf);
	}
	fclose(f);
	free(path);
	return 0;
}

int
cmd_console_user(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *verb;
	bool found;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (optind >= argc)
		return cli_usage(cli, "add NAME, remove NAME or list?");
	verb = argv[optind++];
	if ((rc = hc_dir(cli)) != 0)
		return rc;
	if (sodium_init() < 0)
		return cli_error(HB_EXIT_FAIL, "libsodium does not start");
	if (strcmp(verb, "list") == 0) {
		if (optind < argc)
			return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		return user_list(cli);
	}
	if (strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0)
		return cli_usage(cli, "'%s': add NAME, remove NAME or list", verb);
	if (argc - optind != 1)
		return cli_usage(cli, "which account? (one NAME)");
	if (!user_name_ok(argv[optind]))
		return cli_usage(cli, "'%s': a name of 1 to %d bytes without spaces or ':'",
		    argv[optind], NAME_MAX_LEN);
	if (strcmp(verb, "add") == 0)
		return user_add(cli, argv[optind]);
	if ((rc = users_rewrite(cli, argv[optind], NULL, &found)) != 0)
		return rc;
	if (!found)
		return cli_error(HB_EXIT_NOTFOUND, "no console account '%s'", argv[optind]);
	if (!cli->json)
		printf("%s: account removed; its sessions end at their next request "
		    "(アカウントを削除しました)\n", argv[optind]);
	return 0;
}

int
cmd_console_open(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	uint8_t token[32], hash[32];
	char thex[65], hhex[65], url[512], who[NAME_MAX_LEN + 1] = "link", *path = NULL;
	struct passwd *pw;
	FILE *f = NULL;
	size_t i;
	int c, rc, fd = -1;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((rc = hc_dir(cli)) != 0)
		return rc;
	if (sodium_init() < 0)
		return cli_error(HB_EXIT_FAIL, "libsodium does not start");
	rc = HB_EXIT_FAIL;
	if ((path = cli_strf("%s/%s", cli->dir, URL_FILE)) == NULL)
		goto out;
	if ((f = fopen(path, "re")) == NULL || fgets(url, sizeof(url), f) == NULL) {
		rc = cli_error(HB_EXIT_DOWN, "the console is not running: add a [console] "
		    "section to hirobad.conf and restart hirobad (or send it SIGHUP)");
		goto out;
	}
	fclose(f);
	f = NULL;
	url[strcspn(url, "\r\n")] = '\0';
	if ((pw = getpwuid(getuid())) != NULL && user_name_ok(pw->pw_name))
		snprintf(who, sizeof(who), "%s", pw->pw_name);
	for (i = 0; who[i] != '\0'; i++)
		if ((unsigned char)who[i] < 0x21)
			who[i] = '_';
	randombytes_buf(token, sizeof(token));
	crypto_generichash(hash, sizeof(hash), token, sizeof(token), NULL, 0);
	sodium_bin2hex(thex, sizeof(thex), token, sizeof(token));
	sodium_bin2hex(hhex, sizeof(hhex), hash, sizeof(hash));
	free(path);
	if ((path = cli_strf("%s/%s", cli->dir, LINKS_FILE)) == NULL)
		goto out;
	/* only the token's hash is kept: the file does not sign anyone in */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(fd, LOCK_EX) != 0 || dprintf(fd, "%s %lld %s\n", hhex,
	    (long long)time(NULL) + LINK_SECONDS, who) < 0) {
		rc = cli_error(HB_EXIT_FAIL, "%s: %s (run hiroba as the daemon's user)", path,
		    strerror(errno));
		goto out;
	}
	own_like_dir(fd, cli->dir);
	if (cli->json)
		printf("{\"url\":\"%slink?t=%s\",\"valid_seconds\":%d}\n", url, thex,
		    LINK_SECONDS);
	else
		printf("%slink?t=%s\n\nOpen it in a browser on this machine: it signs you in "
		    "once, within %d minutes.\nこのリンクをこの機械のブラウザで開くと、%d分以内に"
		    "一度だけサインインできます。\n", url, thex, LINK_SECONDS / 60,
		    LINK_SECONDS / 60);
	rc = 0;
out:
	sodium_memzero(token, sizeof(token));
	sodium_memzero(thex, sizeof(thex));
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}
