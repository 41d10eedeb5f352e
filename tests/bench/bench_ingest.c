/* SPDX-License-Identifier: ISC */
/*
 * bench_ingest: store_ingest throughput against the two raw limits measured in the same
 * run: single-core Ed25519 verification and durable LMDB puts with sequential keys.
 * The verification rate is measured just before and just after the ingest, and their
 * mean is the reference: on a shared machine the load changes during a run.
 * Usage: bench_ingest [-n records] [-b batch] [-d dir-to-keep]
 */
#define _XOPEN_SOURCE 700	/* nftw */
#include <errno.h>
#include <ftw.h>
#include <lmdb.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* (1) Single-core signature checks of ~300-byte messages, per second. */
static double
verify_rate(void)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char msg[300], sig[crypto_sign_BYTES];
	enum { N = 20000 };
	double t;
	int bad = 0;

	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	t = bench_now();
	for (int i = 0; i < N; i++)
		bad |= crypto_sign_verify_detached(sig, msg, sizeof(msg), pk);
	t = bench_now() - t;
	if (bad)
		fprintf(stderr, "bench: verify failed\n");
	return N / t;
}

/* (2) Durable LMDB puts: sequential 40-byte keys, 300-byte values, 1,000 per txn. */
static double
lmdb_rate(const char *dir)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t key[40] = { 0 }, val[300];
	MDB_val k = { sizeof(key), key }, v = { sizeof(val), val };
	enum { TXNS = 100, PER = 1000 };
	double t;

	memset(val, 0x5a, sizeof(val));
	if (mkdir(dir, 0700) != 0 || mdb_env_create(&env) != 0 ||
	    mdb_env_set_mapsize(env, (size_t)256 << 20) != 0 ||
	    mdb_env_open(env, dir, 0, 0600) != 0) {
		fprintf(stderr, "bench: scratch LMDB env\n");
		exit(1);
	}
	t = bench_now();
	for (uint64_t i = 0; i < TXNS; i++) {
		if (mdb_txn_begin(env, NULL, 0, &txn) != 0 || mdb_dbi_open(txn, NULL, 0, &dbi))
			exit(1);
		for (uint64_t j = 0; j < PER; j++) {
			uint64_t seq = i * PER + j;

			for (int b = 0; b < 8; b++)
				key[39 - b] = (uint8_t)(seq >> (8 * b));
			if (mdb_put(txn, dbi, &k, &v, 0) != 0)
				exit(1);
		}
		if (mdb_txn_commit(txn) != 0)
			exit(1);
	}
	t = bench_now() - t;
	mdb_env_close(env);
	return TXNS * PER / t;
}

int
main(int argc, char **argv)
{
	struct bench_fed f;
	struct store *st = NULL;
	struct store_stats ss;
	struct stat sb;
	char tmp[] = "/tmp/bench_ingest.XXXXXX", scratch[64], dbdir[512], path[600];
	const char *keep = NULL;
	size_t n = 100000, batch = 1000, stored;
	double vr, vr0, vr1, lr, t;
	long ncpu;
	int c, rc;

	while ((c = getopt(argc, argv, "n:b:d:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			keep = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_ingest [-n records] [-b batch] [-d dir]\n");
			return 2;
		}
	}
	if (proto_init() != 0 || mkdtemp(tmp) == NULL)
		return 1;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	printf("cpus: %ld online\n", ncpu);
	snprintf(scratch, sizeof(scratch), "%s/lmdb", tmp);
	lr = lmdb_rate(scratch);
	printf("lmdb puts: %.0f/s (durable, sequential 40-byte keys, 300-byte values, "
	    "1000 per txn)\n", lr);

	t = bench_now();
	bench_generate(&f, n);
	printf("generated: %zu signed records from %d groups in %.2f s (not timed below)\n",
	    n, BENCH_GROUPS, bench_now() - t);

	snprintf(dbdir, sizeof(dbdir), "%s", keep ? keep : tmp);
	if (!keep)
		snprintf(dbdir, sizeof(dbdir), "%s/store", tmp);
	if ((rc = store_open(&st, dbdir, f.center.pk, NULL)) != 0) {
		fprintf(stderr, "bench: store_open %s: %s\n", dbdir, store_strerror(rc));
		return 1;
	}
	bench_ingest(st, f.members, BENCH_GROUPS, BENCH_GROUPS, f.now);
	vr0 = verify_rate();
	t = bench_now();
	stored = bench_ingest(st, f.recs, f.n, batch ? batch : 1000, f.now);
	t = bench_now() - t;
	vr1 = verify_rate();
	vr = (vr0 + vr1) / 2;
	printf("verify 1-core: %.0f/s (crypto_sign_verify_detached, 300-byte messages; "
	    "%.0f before the ingest, %.0f after)\n", vr, vr0, vr1);
	printf("ingest: %zu records in %.2f s = %.0f rec/s (batches of %zu); "
	    "ratio to 1-core verify %.2f; ratio to raw lmdb puts %.3f\n", stored, t,
	    stored / t, batch ? batch : 1000, stored / t / vr, stored / t / lr);
	/* What all the cores could verify in the same time: the ceiling of this design. */
	printf("ingest vs verify on all %ld cores (%.0f/s): ratio %.2f\n", ncpu, vr * ncpu,
	    stored / t / (vr * ncpu));
	store_stats(st, &ss);
	snprintf(path, sizeof(path), "%s/data.mdb", dbdir);
	stat(path, &sb);
	printf("store: %llu records, %zu bytes used in the map (%.0f bytes/record), "
	    "data.mdb %lld bytes on disk, map %zu bytes\n", (unsigned long long)ss.records,
	    ss.used, ss.records ? (double)ss.used / (double)ss.records : 0.0,
	    (long long)sb.st_blocks * 512, ss.mapsize);
	if (keep) {
		FILE *fp;
		char hex[HB_KEYHEX_LEN];

		snprintf(path, sizeof(path), "%s/root.hex", dbdir);
		proto_key_hex(f.center.pk, hex);
		if ((fp = fopen(path, "w")) != NULL) {
			fprintf(fp, "%s\n", hex);
			fclose(fp);
		}
		printf("kept: %s (root key in root.hex, for bench_query -d)\n", dbdir);
	}
	store_close(&st);
	bench_free(&f);
	nftw(tmp, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
