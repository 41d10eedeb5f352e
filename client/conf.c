/* SPDX-License-Identifier: ISC */
/*
 * conf: the little the CLI needs from hirobad.conf (where the data directory is), and
 * quoting for the command lines it prints. hirobad owns the config format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hiroba.h"

/* The config that hirobad.service (deploy/hirobad.service) names. */
#define UNIT_CONF	"/etc/hiroba/hirobad.conf"

static char *
conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
conf_node_get(const char *path, const char *key, char **data)
{
	FILE *f;
	char line[4096], *s, *eq, *hash;
	bool in_node = false;
	int rc = ENOENT;

	*data = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		s = conf_trim(line);
		if (*s == '#' || *s == ';' || *s == '\0')
			continue;
		if (*s == '[') {
			in_node = strcmp(s, "[node]") == 0;
			continue;
		}
		if (!in_node || (eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(conf_trim(s), key) != 0)
			continue;
		s = eq + 1;
		/* An inline comment starts with whitespace and '#'. */
		for (hash = s; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash > s && (hash[-1] == ' ' || hash[-1] == '\t')) {
				*hash = '\0';
				break;
			}
		free(*data);
		if ((*data = strdup(conf_trim(s))) == NULL) {
			rc = ENOMEM;
			break;
		}
		rc = 0;
	}
	if (ferror(f))
		rc = EIO;
	fclose(f);
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

int
conf_data_dir(const char *path, char **data)
{
	return conf_node_get(path, "data", data);
}

char *
conf_shell_quote(const char *s)
{
	size_t n = 3;
	const char *p;
	char *out, *o;

	for (p = s; *p != '\0'; p++)
		n += *p == '\'' ? 4 : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	o = out;
	*o++ = '\'';
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

const char *
conf_start_hint(const char *conf)
{
	/* where systemd looks for units: the package's, an admin's, cmake --install's */
	static const char *units[] = {
		"/etc/systemd/system/hirobad.service",
		"/usr/local/lib/systemd/system/hirobad.service",
		"/lib/systemd/system/hirobad.service",
		"/usr/lib/systemd/system/hirobad.service",
	};
	static char	 hint[4200];
	char		*q;
	size_t		 i;

	if (conf != NULL && strcmp(conf, UNIT_CONF) == 0)
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (access(units[i], F_OK) == 0)
				return _("sudo systemctl start hirobad (its log: "
				    "journalctl -u hirobad -e)");
	if (conf == NULL)
		conf = UNIT_CONF;
	/* quoted only when the shell needs it, so the usual path reads plainly */
	q = strspn(conf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-")
	    == strlen(conf) ? NULL : conf_shell_quote(conf);
	snprintf(hint, sizeof(hint), "hirobad -c %s", q != NULL ? q : conf);
	free(q);
	return hint;
}
