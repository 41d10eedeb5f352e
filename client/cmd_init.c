/* SPDX-License-Identifier: ISC */
/*
 * hiroba init: a new group's identity key, data directory and hirobad.conf, and the line
 * the center runs to admit it. Works without a daemon; writes nothing over existing files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hiroba.h"

#define MAX_LIST	32

struct peer {
	char	*name;
	char	*endpoint;
	char	 key[HB_KEYHEX_LEN];
};

/* A value that goes into the INI file: one line, no comment character, no control bytes,
 * no ']' in section names, no surrounding blanks. */
static bool
conf_safe(const char *s, bool section)
{
	const unsigned char *p;

	if (*s == '\0' || *s == ' ' || s[strlen(s) - 1] == ' ' ||
	    !proto_utf8_valid(s, strlen(s)))
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '#' || *p == ';' ||
		    (section && (*p == ']' || *p == '[')))
			return false;
	return true;
}

static bool
endpoint_ok(const char *s)
{
	return (strncmp(s, "tcp://", 6) == 0 || strncmp(s, "ipc://", 6) == 0) &&
	    strlen(s) > 6 && strchr(s, ' ') == NULL && conf_safe(s, false);
}

/* NAME=ENDPOINT@KEYHEX */
static int
peer_parse(struct cli *cli, char *s, struct peer *p)
{
	char *eq = strchr(s, '='), *at = strrchr(s, '@');
	uint8_t key[HB_KEY_LEN];

	if (eq == NULL || at == NULL || at < eq)
		return cli_usage(cli, "--peer '%s': expected NAME=ENDPOINT@KEYHEX", s);
	*eq = '\0';
	*at = '\0';
	p->name = s;
	p->endpoint = eq + 1;
	if (!conf_safe(p->name, true))
		return cli_usage(cli, "--peer: bad name '%s' (one line, no # ; [ ])", p->name);
	if (!endpoint_ok(p->endpoint))
		return cli_usage(cli, "--peer %s: bad endpoint '%s' (tcp://HOST:PORT)", p->name,
		    p->endpoint);
	if (proto_key_parse(at + 1, key) != 0)
		return cli_usage(cli, "--peer %s: '%s' is not a group key (64 hex digits)",
		    p->name, at + 1);
	proto_key_hex(key, p->key);
	return 0;
}

static int
write_conf(const char *path, const char *name, const char *data, const char *center,
    char **listen, int nlisten, const struct peer *peers, int npeers, long interval)
{
	FILE *f;
	int fd, i, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return errno;
	if ((f = fdopen(fd, "w")) == NULL) {
		rc = errno;
		close(fd);
		unlink(path);
		return rc;
	}
	fprintf(f, "# hirobad.conf, written by `hiroba init`\n"
	    "[node]\n"
	    "name = %s\n"
	    "data = %s\n"
	    "key = identity.key\n"
	    "center = %s\n", name, data, center);
	for (i = 0; i < nlisten; i++)
		fprintf(f, "listen = %s\n", listen[i]);
	fprintf(f, "sync_interval = %ld\n", interval);
	for (i = 0; i < npeers; i++)
		fprintf(f, "\n[peer %s]\nendpoint = %s\nkey = %s\n", peers[i].name,
		    peers[i].endpoint, peers[i].key);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = errno;
	if (fclose(f) != 0 && rc == 0)
		rc = errno;
	if (rc != 0)
		unlink(path);
	return rc;
}

int
cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "listen", required_argument, NULL, 'l' },
		{ "center", required_argument, NULL, 'C' },
		{ "peer", required_argument, NULL, 'p' },
		{ "sync-interval", required_argument, NULL, 'i' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *name = NULL, *center_arg = NULL;
	const struct vocab *kind = NULL;
	char *listen[MAX_LIST], *keypath = NULL, *confpath = NULL, *qname = NULL;
	char real[PATH_MAX], hex[HB_KEYHEX_LEN], center[HB_KEYHEX_LEN], fpr[HB_FPR_LEN];
	struct peer peers[MAX_LIST];
	struct hb_identity id;
	uint8_t ckey[HB_KEY_LEN];
	struct stat sb;
	long interval = 30;
	int nlisten = 0, npeers = 0, c, rc;
	json_t *j;

	memset(&id, 0, sizeof(id));
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'k':
			if ((kind = vocab_find(vocab_group_kind, optarg)) == NULL)
				return cli_usage(cli, "--kind must be center, nursery, circle or "
				    "other, not '%s'", optarg);
			break;
		case 'l':
			if (nlisten == MAX_LIST)
				return cli_usage(cli, "too many --listen");
			if (!endpoint_ok(optarg))
				return cli_usage(cli, "--listen '%s': expected tcp://HOST:PORT",
				    optarg);
			listen[nlisten++] = optarg;
			break;
		case 'C':
			center_arg = optarg;
			break;
		case 'p':
			if (npeers == MAX_LIST)
				return cli_usage(cli, "too many --peer");
			if ((rc = peer_parse(cli, optarg, &peers[npeers])) != 0)
				return rc;
			npeers++;
			break;
		case 'i':
			if ((interval = (long)cli_number(optarg, 86400)) < 1)
				return cli_usage(cli, "--sync-interval: seconds, 1..86400");
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (dir == NULL)
		return cli_usage(cli, "--dir is required");
	if (name == NULL)
		return cli_usage(cli, "--name is required");
	if (!conf_safe(name, false) || strlen(name) > 127)
		return cli_usage(cli, "--name: one line of text without # or ;, at most 127 bytes");
	if (kind == NULL)
		return cli_usage(cli, "--kind is required (center, nursery, circle or other)");
	if (nlisten == 0)
		return cli_usage(cli, "--listen is required (tcp://HOST:PORT)");
	if (center_arg == NULL)
		return cli_usage(cli, "--center is required: the center's key, or 'self'");
	if (strcmp(center_arg, "self") != 0) {
		if (proto_key_parse(center_arg, ckey) != 0)
			return cli_usage(cli, "--center: '%s' is not a key (64 hex digits) or 'self'",
			    center_arg);
		proto_key_hex(ckey, center);
	}

	/* Check everything before creating anything. */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cli_error(HB_EXIT_FAIL, "cannot create %s: %s", dir, strerror(errno));
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cli_error(HB_EXIT_FAIL, "%s is not a directory", dir);
	if (realpath(dir, real) == NULL)
		return cli_error(HB_EXIT_FAIL, "%s: %s", dir, strerror(errno));
	if (!conf_safe(real, false))
		return cli_error(HB_EXIT_FAIL, "%s: a path with # or ; cannot go into the config",
		    real);
	if ((keypath = cli_strf("%s/identity.key", real)) == NULL ||
	    (confpath = cli_strf("%s/hirobad.conf", real)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (access(keypath, F_OK) == 0) {
		rc = cli_error(HB_EXIT_FAIL, "%s already exists: this directory has an identity "
		    "(refusing to replace it; a new key would be a new group)", keypath);
		goto out;
	}
	if (access(confpath, F_OK) == 0) {
		rc = cli_error(HB_EXIT_FAIL, "%s already exists: refusing to overwrite it",
		    confpath);
		goto out;
	}
	if ((sb.st_mode & 077) != 0)
		cli_warn("%s is readable by others (mode %03o): chmod 700 it", real,
		    (unsigned)(sb.st_mode & 0777));

	proto_identity_new(&id);
	proto_key_hex(id.pk, hex);
	proto_fingerprint(id.pk, fpr);
	if (strcmp(center_arg, "self") == 0)
		memcpy(center, hex, sizeof(center));
	if ((rc = proto_identity_save(&id, keypath)) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "cannot write %s: %s", keypath, rc > 0 ?
		    strerror(rc) : proto_strerror(rc));
		goto out;
	}
	if ((rc = write_conf(confpath, name, real, center, listen, nlisten, peers, npeers,
	    interval)) != 0) {
		unlink(keypath);
		rc = cli_error(HB_EXIT_FAIL, "cannot write %s: %s", confpath, strerror(rc));
		goto out;
	}
	if ((qname = conf_shell_quote(name)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (cli->json) {
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "key", hex, "fingerprint", fpr,
		    "data", real, "config", confpath, "center", center, "is_center",
		    strcmp(hex, center) == 0);
		if (j != NULL && strcmp(hex, center) != 0) {
			char *line = cli_strf("hiroba admit %s --name %s --kind %s", hex,
			    qname, kind->name);

			if (line != NULL)
				json_object_set_new(j, "admit", json_string(line));
			free(line);
		}
		json_line(j);
	} else {
		printf("key:         %s\n"
		    "fingerprint: %s\n"
		    "config:      %s\n", hex, fpr, confpath);
		if (strcmp(hex, center) == 0)
			fputs(_("\nThis group is the center: its key is the network's "
			    "root of trust.\n"), stdout);
		else
			printf(_("\nAsk the center to check the fingerprint and run:\n"
			    "  hiroba admit %s --name %s --kind %s\n"), hex, qname,
			    kind->name);
		printf(_("\nStart the daemon with:\n  hirobad -c %s\n"), confpath);
	}
	rc = HB_EXIT_OK;
out:
	proto_identity_clear(&id);
	free(qname);
	free(keypath);
	free(confpath);
	return rc;
}
