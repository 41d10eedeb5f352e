/*
 * hirobad: the daemon of one partner group. Parses options, loads the config, makes the
 * node and runs its loop; node.c holds the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hirobad.h"
#include "log.h"

#define DEFAULT_CONF	"/etc/hiroba/hirobad.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hirobad [-nvT] [-c file]\n"
	    "  -c file   configuration (default " DEFAULT_CONF ")\n"
	    "  -n        check the configuration and the key, print \"configuration OK\"\n"
	    "  -T        verify every stored record (hash, signature, indexes) and exit\n"
	    "  -v        debug logging\n"
	    "  -V        print the version\n");
}

/* -T: re-check the store offline, e.g. after a crash or a restore. */
static int
verify_store(const struct conf *c)
{
	struct store	*st = NULL;
	uint64_t	 checked = 0;
	int		 rc;

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

int
main(int argc, char *argv[])
{
	const char	*file = DEFAULT_CONF;
	struct conf	*conf = NULL;
	struct node	*n = NULL;
	struct hb_identity id;
	char		 err[1024];
	int		 ch, check = 0, verbose = 0, verify = 0, rc;

	while ((ch = getopt(argc, argv, "c:hnTvV")) != -1) {
		switch (ch) {
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
	if (verify) {
		rc = verify_store(conf);
		conf_free(&conf);
		return rc;
	}
	if (node_new(&n, conf) != 0)
		return 1;
	rc = node_loop(n);
	node_free(&n);
	log_info("stopped");
	return rc;
}
