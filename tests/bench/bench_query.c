/* SPDX-License-Identifier: ISC */
/*
 * bench_query: store_query latency over a store of synthetic records: a month of events
 * and a 1 km radius search, median and p99 over many random queries.
 * Usage: bench_query [-n records] [-q queries] [-d dir kept by bench_ingest -d]
 */
#define _XOPEN_SOURCE 700	/* nftw */
#include <ftw.h>
#include <unistd.h>

#include "benchutil.h"

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
hit_cb(const uint8_t *env, size_t len, int64_t start, int64_t end, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *lat, size_t q, size_t hits)
{
	qsort(lat, q, sizeof(*lat), cmp_double);
	printf("query %s: %zu queries, median %.3f ms, p99 %.3f ms, %.1f results/query\n",
	    what, q, lat[q / 2] * 1e3, lat[(q * 99) / 100] * 1e3, (double)hits / (double)q);
}

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_stats ss;
	char tmp[] = "/tmp/bench_query.XXXXXX", dbdir[512], path[600], hex[128];
	const char *dir = NULL;
	uint8_t root[HB_KEY_LEN];
	size_t n = 100000, q = 500, hits;
	double *lat, t;
	int c, rc;

	while ((c = getopt(argc, argv, "n:q:d:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			q = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_query [-n records] [-q queries] [-d dir]\n");
			return 2;
		}
	}
	if (proto_init() != 0 || mkdtemp(tmp) == NULL || q == 0)
		return 1;
	if (dir != NULL) {
		FILE *fp;

		snprintf(dbdir, sizeof(dbdir), "%s", dir);
		snprintf(path, sizeof(path), "%s/root.hex", dir);
		if ((fp = fopen(path, "r")) == NULL || fgets(hex, sizeof(hex), fp) == NULL ||
		    (hex[strcspn(hex, "\n")] = '\0', proto_key_parse(hex, root)) != 0) {
			fprintf(stderr, "bench: %s: no root key\n", path);
			return 1;
		}
		fclose(fp);
		if ((rc = store_open(&st, dbdir, root, NULL)) != 0) {
			fprintf(stderr, "bench: store_open: %s\n", store_strerror(rc));
			return 1;
		}
	} else {
		struct bench_fed f;

		bench_generate(&f, n);
		snprintf(dbdir, sizeof(dbdir), "%s/store", tmp);
		if ((rc = store_open(&st, dbdir, f.center.pk, NULL)) != 0) {
			fprintf(stderr, "bench: store_open: %s\n", store_strerror(rc));
			return 1;
		}
		bench_ingest(st, f.members, BENCH_GROUPS, BENCH_GROUPS, f.now);
		bench_ingest(st, f.recs, f.n, 1000, f.now);
		bench_free(&f);
	}
	store_stats(st, &ss);
	printf("store: %llu records (%llu events, %llu places, %llu volunteer listings)\n",
	    (unsigned long long)ss.records, (unsigned long long)ss.kinds[HB_EVENT],
	    (unsigned long long)ss.kinds[HB_PLACE], (unsigned long long)ss.kinds[HB_VOLUNTEER]);
	lat = calloc(q, sizeof(*lat));

	/* (a) a month of events: every occurrence in a random 30-day window. */
	hits = 0;
	for (size_t i = 0; i < q; i++) {
		struct store_query sq = { 0 };

		sq.from = BENCH_FY_START + (int64_t)(bench_rng() % (BENCH_FY_DAYS - 30)) * 86400;
		sq.to = sq.from + 30 * 86400;
		t = bench_now();
		if ((rc = store_query(st, &sq, hit_cb, &hits)) != 0) {
			fprintf(stderr, "bench: store_query: %s\n", store_strerror(rc));
			return 1;
		}
		lat[i] = bench_now() - t;
	}
	report("month of events (30-day window)", lat, q, hits);

	/* (b) within 1 km of a random point of the area. */
	hits = 0;
	for (size_t i = 0; i < q; i++) {
		struct store_query sq = { .near = true, .radius_m = 1000 };

		sq.lat_e7 = BENCH_LAT - BENCH_DLAT + (int32_t)(bench_rng() % (2 * BENCH_DLAT));
		sq.lon_e7 = BENCH_LON - BENCH_DLON + (int32_t)(bench_rng() % (2 * BENCH_DLON));
		t = bench_now();
		if ((rc = store_query(st, &sq, hit_cb, &hits)) != 0) {
			fprintf(stderr, "bench: store_query: %s\n", store_strerror(rc));
			return 1;
		}
		lat[i] = bench_now() - t;
	}
	report("1 km radius", lat, q, hits);

	/* (c) Japanese text, for scale: two characters, substring checked on candidates. */
	hits = 0;
	for (size_t i = 0; i < q; i++) {
		static const char *const words[] = { "父親", "ひろば", "絵本", "ﾊﾟﾊﾟ", "相談" };
		struct store_query sq = { .text = words[i % 5] };

		t = bench_now();
		if ((rc = store_query(st, &sq, hit_cb, &hits)) != 0)
			return 1;
		lat[i] = bench_now() - t;
	}
	report("text (父親, ひろば, 絵本, ﾊﾟﾊﾟ, 相談)", lat, q, hits);

	free(lat);
	store_close(&st);
	nftw(tmp, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
