/* SPDX-License-Identifier: ISC */
/*
 * bench_fedprep: builds the data directories bench_federation.py runs daemons on: a
 * synthetic federation (a center, 50 groups, N signed records) in a full store ("a",
 * the center's), an equal copy ("b"), an empty one ("c"), and ten stores holding only
 * the admissions ("line0".."line9"). Prints the keys and the single-core verify rate
 * measured in this run as JSON.   Usage: bench_fedprep DIR [N]
 */
#include <errno.h>
#include <sys/stat.h>

#include <sodium.h>

#include "benchutil.h"

static void
make_dir(const char *top, const char *name, const struct hb_identity *id,
    const struct bench_fed *f, size_t nrecs)
{
	char		 path[4096];
	struct store	*st = NULL;
	int		 rc;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/identity.key", top, name);
	if ((rc = proto_identity_save(id, path)) != 0) {
		fprintf(stderr, "%s: %s\n", path, proto_strerror(rc));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", top, name);
	if ((rc = store_open(&st, path, f->center.pk, NULL)) != 0) {
		fprintf(stderr, "%s: %s\n", path, store_strerror(rc));
		exit(1);
	}
	bench_ingest(st, f->members, BENCH_GROUPS, BENCH_GROUPS, f->now);
	bench_ingest(st, f->recs, nrecs, 1000, f->now);
	store_close(&st);
}

/* Single-core crypto_sign_verify_detached rate on envelope-sized messages. */
static double
verify_rate(const struct bench_fed *f)
{
	uint8_t	 sig[crypto_sign_BYTES];
	double	 t;
	int	 i, bad = 0;
	enum { N = 20000 };

	crypto_sign_detached(sig, NULL, f->recs[0].p, f->recs[0].len, f->center.sk);
	t = bench_now();
	for (i = 0; i < N; i++)
		bad |= crypto_sign_verify_detached(sig, f->recs[0].p, f->recs[0].len,
		    f->center.pk);
	t = bench_now() - t;
	return bad ? 0 : N / t;
}

int
main(int argc, char **argv)
{
	struct bench_fed f;
	size_t		 n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	char		 hex[HB_KEYHEX_LEN], name[16];
	double		 vr;
	int		 i;

	if (argc < 2 || proto_init() != 0) {
		fprintf(stderr, "usage: bench_fedprep DIR [N]\n");
		return 2;
	}
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	bench_generate(&f, n);
	vr = verify_rate(&f);
	make_dir(argv[1], "a", &f.center, &f, n);
	make_dir(argv[1], "b", &f.groups[0], &f, n);
	make_dir(argv[1], "c", &f.groups[1], &f, 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "line%d", i);
		make_dir(argv[1], name, &f.groups[2 + i], &f, 0);
	}
	proto_key_hex(f.center.pk, hex);
	printf("{\"records\": %zu, \"verify_rate\": %.0f, \"center\": \"%s\", \"keys\": {",
	    n, vr, hex);
	proto_key_hex(f.center.pk, hex);
	printf("\"a\": \"%s\"", hex);
	proto_key_hex(f.groups[0].pk, hex);
	printf(", \"b\": \"%s\"", hex);
	proto_key_hex(f.groups[1].pk, hex);
	printf(", \"c\": \"%s\"", hex);
	for (i = 0; i < 10; i++) {
		proto_key_hex(f.groups[2 + i].pk, hex);
		printf(", \"line%d\": \"%s\"", i, hex);
	}
	printf("}}\n");
	bench_free(&f);
	return 0;
}
