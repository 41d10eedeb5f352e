/* SPDX-License-Identifier: ISC */
/*
 * hirobad: the daemon of one partner group. Parses options, loads the config, makes the
 * node and runs its loop; node.c holds the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hirobad.h"
#include "log.h"

#define DEFAULT_CONF	"/etc/hiroba/hirobad.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hirobad [-nvT] [-c file] [-B dir]\n"
	    "  -c file   configuration (default " DEFAULT_CONF ")\n"
	    "  -n        check the configuration and the key, print \"configuration OK\"\n"
	    "  -T        verify every stored record (hash, signature, indexes) and exit\n"
	    "  -B dir    back up the store, key and config into dir (a new folder), also\n"
	    "            while the daemon runs, and exit\n"
	    "  -v        debug logging\n"
	    "  -V, --version  print the version\n"
	    "  -h, --help     this text\n");
}

/* -T: re-check the store offline, e.g. after a crash or a restore. */
static int
verify_store(const struct conf *c)
{
	struct store	*st = NULL;
	struct stat	 sb;
	uint64_t	 checked = 0;
	char		 path[4200];
	int		 rc;

	/* -T checks what is there: it must not make a new, empty store and call it OK */
	snprintf(path, sizeof(path), "%s/data.mdb", c->data);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		fprintf(stderr, "hirobad: store %s: %s\n", c->data, stat(path, &sb) != 0 ?
		    "no data.mdb there" : "data.mdb is empty: an interrupted copy?");
		return 1;
	}
	if ((rc = store_open(&st, c->data, c->center, NULL)) != 0) {
		fprintf(stderr, "hirobad: store %s: %s\n", c->data, store_strerror(rc));
		return 1;
	}
	rc = store_verify(st, &checked);
	store_close(&st);
	if (rc != 0) {
		fprintf(stderr, "hirobad: store %s: %s (after %llu records)\n", c->data,
		    store_strerror(rc), (unsigned long long)checked);
		return 1;
	}
	printf("store OK: %llu records verified\n", (unsigned long long)checked);
	return 0;
}

/* Write path (mode 0600, never over an existing file) from the config at src, with
 * [node] data and key pointing into the backup folder itself. */
static int
backup_conf(const char *src, const char *path)
{
	FILE	*in = NULL, *out = NULL;
	char	 line[4096], k[16];
	int	 fd, node = 0, rc = -1;

	if ((in = fopen(src, "r")) == NULL ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		goto out;
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto out;
	}
	fprintf(out, "# restored with this folder: data and key are relative to it\n");
	while (fgets(line, sizeof(line), in) != NULL) {
		if (sscanf(line, " [%15[^] \t]", k) == 1)
			node = strcmp(k, "node") == 0;
		else if (node && sscanf(line, " %15[a-z_] =", k) == 1 &&
		    (strcmp(k, "data") == 0 || strcmp(k, "key") == 0)) {
			fprintf(out, "%s = %s\n", k, k[0] == 'd' ? "." : "identity.key");
			continue;
		}
		fputs(line, out);
	}
	if (!ferror(in) && fflush(out) == 0 && fsync(fileno(out)) == 0)
		rc = 0;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	return rc;
}

static int	backup_into(const struct conf *c, const char *tmp);

/*
 * -B: a hot copy of this group in dest, taken beside the running daemon (LMDB lets a
 * second process read; the daemon's lock is not needed). dest/restored tells a daemon
 * started on the copy to fetch what it signed since before it signs anything new.
 * The copy is made in a new folder beside dest, the restored marker first, and renamed
 * to dest only when complete and on disk: a -B killed midway leaves no dest at all (a
 * truncated copy used to pass -T, or crash it), and no copy can start signing at once.
 */
static int
backup(const struct conf *c, const char *dest)
{
	char	 tmp[4200];
	int	 rc, dfd;
	char	*slash, parent[4200];
	struct dirent	*e;
	DIR	*d;

	/* dest: new, or an empty folder (rename replaces an empty folder) */
	if ((d = opendir(dest)) != NULL) {
		while ((e = readdir(d)) != NULL && e->d_name[0] == '.')
			;
		closedir(d);
		if (e != NULL) {
			fprintf(stderr, "hirobad: %s is not empty: give -B a new folder\n",
			    dest);
			return 1;
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "hirobad: %s: %s\n", dest, strerror(errno));
		return 1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.partial-XXXXXX", dest) >= (int)sizeof(tmp) ||
	    mkdtemp(tmp) == NULL) {
		fprintf(stderr, "hirobad: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	if ((rc = backup_into(c, tmp)) != 0) {
		fprintf(stderr, "hirobad: the incomplete copy is left in %s\n", tmp);
		return rc;
	}
	/* over dest only if dest is an empty folder (backup_into checked) */
	if (rename(tmp, dest) != 0) {
		fprintf(stderr, "hirobad: %s: %s (the copy is in %s)\n", dest,
		    strerror(errno), tmp);
		return 1;
	}
	snprintf(parent, sizeof(parent), "%s", dest);
	if ((slash = strrchr(parent, '/')) != NULL)
		*(slash == parent ? slash + 1 : slash) = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	if ((dfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	printf("backup OK: %s (start it with hirobad -c %s/hirobad.conf)\n", dest, dest);
	return 0;
}

static int
backup_into(const struct conf *c, const char *tmp)
{
	struct store_opts so = { .mapsize = c->mapsize, .mapsize_max = c->mapsize_max,
	    .member_records = c->member_records, .member_bytes = c->member_bytes };
	struct store	*st = NULL;
	struct hb_identity id;
	char		 path[4300];
	int		 fd, rc;

	/* the marker first: whatever part of a copy exists, it does not sign */
	snprintf(path, sizeof(path), "%s/" RESTORED_MARK, tmp);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 || close(fd) != 0) {
		fprintf(stderr, "hirobad: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((rc = proto_identity_load(&id, c->key)) != 0) {
		fprintf(stderr, "hirobad: key %s: %s\n", c->key, proto_strerror(rc));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/identity.key", tmp);
	rc = proto_identity_save(&id, path);
	proto_identity_clear(&id);
	if (rc != 0) {
		fprintf(stderr, "hirobad: %s: %s\n", path, proto_strerror(rc));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hirobad.conf", tmp);
	if (backup_conf(c->file, path) != 0) {
		fprintf(stderr, "hirobad: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* last: store_backup fsyncs data.mdb and the folder, so all of it is on disk */
	if ((rc = store_open(&st, c->data, c->center, &so)) == 0)
		rc = store_backup(st, tmp);
	store_close(&st);
	if (rc != 0) {
		fprintf(stderr, "hirobad: backup of %s: %s\n", c->data, store_strerror(rc));
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*file = DEFAULT_CONF, *backup_dir = NULL;
	struct conf	*conf = NULL;
	struct node	*n = NULL;
	struct hb_identity id;
	char		 err[1024];
	int		 ch, check = 0, verbose = 0, verify = 0, rc;

	/* --help and --version as every GNU-style program takes them: -h and -V */
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
	    { "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 } };

	while ((ch = getopt_long(argc, argv, "B:c:hnTvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'B':
			backup_dir = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'T':
			verify = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("hirobad %s\n", HIROBA_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(verbose, "hirobad");
	if (proto_init() != 0) {
		fprintf(stderr, "hirobad: cannot initialise libsodium\n");
		return 1;
	}
	if (conf_load(file, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		/* exit 78 (EX_CONFIG): systemd's RestartPreventExitStatus names it */
		return 78;
	}
	if (check) {
		if ((rc = proto_identity_load(&id, conf->key)) != 0) {
			fprintf(stderr, "%s: key %s: %s\n", file, conf->key,
			    proto_strerror(rc));
			conf_free(&conf);
			return 78;
		}
		proto_identity_clear(&id);
		conf_free(&conf);
		printf("configuration OK\n");
		return 0;
	}
	if (backup_dir != NULL) {
		rc = backup(conf, backup_dir);
		conf_free(&conf);
		return rc;
	}
	if (verify) {
		rc = verify_store(conf);
		conf_free(&conf);
		return rc;
	}
	/* -v wins over [node] log, now and at every reload */
	conf->verbose_opt = verbose;
	log_setverbose(verbose || conf->verbose);
	if (node_new(&n, conf) != 0)
		return 1;
	rc = node_loop(n);
	node_free(&n);
	log_info("stopped");
	return rc;
}
