/* SPDX-License-Identifier: ISC */
/*
 * bench_workload: the workload strfry was measured with (../shared/PEERS.md), in hiroba's
 * own record format, for bench_peer.py and bench_sim.py.
 *
 *   bench_workload gen [-n records] [-k keys] [-i ids] DIR
 *	A center and KEYS member keys (all admitted); record i is an event signed by key
 *	i mod KEYS (seq i / KEYS + 1), created 1 s after record i-1, with a 300-character
 *	description of a-z, 0-9 and spaces. Writes DIR/records.bin (the KEYS admissions,
 *	then the records, each a 4-byte big-endian length and the envelope), DIR/root.hex,
 *	DIR/center.key and DIR/id/K.key for the first IDS member keys (daemons' identities),
 *	and prints JSON: the keys, and the 1-core verify rate measured in this run.
 *	Signing runs on every CPU: it is preparation, not measured.
 *
 *   bench_workload ingest [-n records] [-x every] [-b batch] [-t threads] [-a] FILE DIR
 *	Streams FILE into the store in DIR (created; its root from FILE's root.hex) the way
 *	hirobad ingests a peer's batches: store_ingest, batches of 1000 (the default
 *	max_batch), signatures checked on verify_threads (default 0: every CPU), durable
 *	commits. The admissions go first, untimed; then the first N records, leaving out
 *	record i when -x E is given and i % E == E - 1 (a store missing every E-th record);
 *	-a stores the admissions only. Prints JSON: rate, the 1-core verify rate measured
 *	just before and after (their mean is the reference), store bytes, and this process's
 *	peak RSS (VmHWM, which includes resident LMDB pages, as strfry's figure does).
 *
 *   bench_workload scan DIR
 *	Opens the store in DIR (root in DIR/root.hex) and runs hirobad's expiry scan once:
 *	its time, and this process's resident map pages before and after.
 *
 * Record i is made from i alone (its own random stream), so two runs and any prefix of
 * a file agree, and the workers of gen need no coordination.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "benchutil.h"

#define TEXT_LEN	300
#define CHUNK		20000		/* records signed between two writes */
#define CREATED0	((int64_t)1767225600)	/* 2026-01-01 00:00 UTC: 1M s end in mid-January */

struct gen {
	const struct hb_identity *keys;
	size_t			 nkeys;
	size_t			 first, count;	/* records [first, first + count) */
	struct bench_env	*out;
	size_t			 stride, off;	/* this worker takes out[off], out[off + stride]... */
};

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
make_record(struct bench_env *e, const struct gen *g, size_t i)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
	char		 text[TEXT_LEN + 1], json[1024];
	uint64_t	 s = i + 1;
	int64_t		 start;
	size_t		 j;

	for (j = 0; j < TEXT_LEN; j++)
		text[j] = alpha[splitmix(&s) % (sizeof(alpha) - 1)];
	text[0] = 'a';			/* no leading or trailing space: some fields are trimmed */
	text[TEXT_LEN - 1] = 'z';
	text[TEXT_LEN] = '\0';
	/* events spread over the fiscal year bench_query asks about */
	start = BENCH_FY_START + (int64_t)(i % BENCH_FY_DAYS) * 86400 +
	    (int64_t)(9 + i % 8) * 3600;
	snprintf(json, sizeof(json), "{\"id\":\"w%zu\",\"event\":{\"title\":\"w%zu\","
	    "\"description\":\"%s\",\"when\":{\"start\":%lld,\"end\":%lld},"
	    "\"category\":\"play_space\"}}", i, i, text, (long long)start,
	    (long long)(start + 3600));
	bench_sign_json(e, &g->keys[i % g->nkeys], i / g->nkeys + 1, CREATED0 + (int64_t)i,
	    json);
}

static void *
gen_worker(void *arg)
{
	const struct gen *g = arg;

	for (size_t j = g->off; j < g->count; j += g->stride)
		make_record(&g->out[j], g, g->first + j);
	return NULL;
}

static void
put_env(FILE *fp, const uint8_t *p, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	    (uint8_t)len };

	if (fwrite(hdr, 1, 4, fp) != 4 || fwrite(p, 1, len, fp) != len) {
		perror("bench: write");
		exit(1);
	}
}

/* 0 at the end of the file, 1 with an envelope in buf (grown as needed). */
static int
get_env(FILE *fp, uint8_t **buf, size_t *cap, size_t *len)
{
	uint8_t hdr[4];

	if (fread(hdr, 1, 4, fp) != 4)
		return 0;
	*len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (*len > *cap) {
		free(*buf);
		if ((*buf = malloc(*len)) == NULL) {
			perror("malloc");
			exit(1);
		}
		*cap = *len;
	}
	if (fread(*buf, 1, *len, fp) != *len) {
		fprintf(stderr, "bench: truncated records file\n");
		exit(1);
	}
	return 1;
}

/* Single-core crypto_sign_verify_detached rate on a message of the envelopes' size. */
static double
verify_rate(size_t msglen)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char msg[2048], sig[crypto_sign_BYTES];
	enum { N = 20000 };
	double t;
	int bad = 0;

	if (msglen > sizeof(msg))
		msglen = sizeof(msg);
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, msglen);
	crypto_sign_detached(sig, NULL, msg, msglen, sk);
	t = bench_now();
	for (int i = 0; i < N; i++)
		bad |= crypto_sign_verify_detached(sig, msg, msglen, pk);
	t = bench_now() - t;
	return bad ? 0 : N / t;
}

static long
status_kib(const char *field)
{
	char line[256];
	size_t fl = strlen(field);
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			v = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(fp);
	return v;
}

static void
mkdir_p(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
}

static int
cmd_gen(int argc, char **argv)
{
	struct hb_identity	 center, *keys;
	struct bench_env	*members, *out;
	struct gen		 g[64];
	pthread_t		 th[64];
	size_t			 n = 100000, nkeys = 1000, nids = 3, i;
	char			 path[4096], hex[HB_KEYHEX_LEN];
	FILE			*fp;
	long			 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double			 t = bench_now(), vr;
	int			 c, rc;

	while ((c = getopt(argc, argv, "n:k:i:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			nkeys = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			nids = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || nkeys == 0 || nids > nkeys)
		return 2;
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > 64)
		ncpu = 64;
	mkdir_p(argv[optind]);
	snprintf(path, sizeof(path), "%s/id", argv[optind]);
	mkdir_p(path);
	proto_identity_new(&center);
	if ((keys = calloc(nkeys, sizeof(*keys))) == NULL ||
	    (members = calloc(nkeys, sizeof(*members))) == NULL ||
	    (out = calloc(CHUNK, sizeof(*out))) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/center.key", argv[optind]);
	unlink(path);
	if ((rc = proto_identity_save(&center, path)) != 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(rc));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/root.hex", argv[optind]);
	if ((fp = fopen(path, "w")) == NULL)
		return 1;
	proto_key_hex(center.pk, hex);
	fprintf(fp, "%s\n", hex);
	fclose(fp);
	for (i = 0; i < nkeys; i++) {
		struct hb_record *r;
		char name[32];

		proto_identity_new(&keys[i]);
		snprintf(name, sizeof(name), "g%zu", i);
		r = proto_membership_new(keys[i].pk, 2, 1, name, 2 + (int)(i % 3), 0);
		if (r == NULL || proto_sign(r, &center, (uint64_t)i + 1, CREATED0 - 86400)) {
			fprintf(stderr, "bench: membership\n");
			return 1;
		}
		bench_keep(&members[i], r);
		hb_record_free(&r);
		if (i < nids) {
			snprintf(path, sizeof(path), "%s/id/%zu.key", argv[optind], i);
			unlink(path);
			if ((rc = proto_identity_save(&keys[i], path)) != 0) {
				fprintf(stderr, "bench: %s: %s\n", path, strerror(rc));
				return 1;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/records.bin", argv[optind]);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	for (i = 0; i < nkeys; i++) {
		put_env(fp, members[i].p, members[i].len);
		free(members[i].p);
	}
	for (size_t first = 0; first < n; first += CHUNK) {
		size_t count = n - first < CHUNK ? n - first : CHUNK;

		for (long w = 0; w < ncpu; w++) {
			g[w] = (struct gen){ keys, nkeys, first, count, out, (size_t)ncpu,
			    (size_t)w };
			if (pthread_create(&th[w], NULL, gen_worker, &g[w]) != 0)
				return 1;
		}
		for (long w = 0; w < ncpu; w++)
			pthread_join(th[w], NULL);
		for (i = 0; i < count; i++) {
			put_env(fp, out[i].p, out[i].len);
			free(out[i].p);
		}
	}
	if (fclose(fp) != 0)
		return 1;
	vr = verify_rate(450);
	proto_key_hex(center.pk, hex);
	printf("{\"records\": %zu, \"keys\": %zu, \"seconds\": %.2f, \"verify_rate\": %.0f, "
	    "\"center\": \"%s\", \"ids\": [", n, nkeys, bench_now() - t, vr, hex);
	for (i = 0; i < nids; i++) {
		proto_key_hex(keys[i].pk, hex);
		printf("%s\"%s\"", i ? ", " : "", hex);
	}
	printf("]}\n");
	free(keys);
	free(members);
	free(out);
	return 0;
}

static int
cmd_ingest(int argc, char **argv)
{
	struct store		*st = NULL;
	struct store_opts	 so = { 0 };
	struct store_stats	 ss;
	struct stat		 sb;
	const uint8_t		**envs;
	uint8_t			**bufs, root[HB_KEY_LEN];
	size_t			*lens, *caps, n = (size_t)-1, every = 0, batch = 1000, nkeys,
				 i, k, stored = 0, envsum = 0;
	int			*res, c, rc, only_admissions = 0;
	char			 path[4096], hex[128], *slash;
	FILE			*fp;
	double			 t, vr0, vr1, tseg, segrate[10], tpurge;
	long			 hwm_before_purge;
	size_t			 purged = 0;
	size_t			 seg, nextseg, nseg = 0, segstored = 0;

	while ((c = getopt(argc, argv, "n:x:b:t:a")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'x':
			every = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 't':
			so.verify_threads = atoi(optarg);
			break;
		case 'a':
			only_admissions = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 2 || batch == 0)
		return 2;
	snprintf(path, sizeof(path), "%s", argv[optind]);
	if ((slash = strrchr(path, '/')) != NULL)
		snprintf(slash, sizeof(path) - (size_t)(slash - path), "/root.hex");
	else
		snprintf(path, sizeof(path), "root.hex");
	if ((fp = fopen(path, "r")) == NULL || fgets(hex, sizeof(hex), fp) == NULL ||
	    (hex[strcspn(hex, "\n")] = '\0', proto_key_parse(hex, root)) != 0) {
		fprintf(stderr, "bench: %s: no root key\n", path);
		return 1;
	}
	fclose(fp);
	nkeys = 0;
	if ((fp = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		return 1;
	}
	mkdir_p(argv[optind + 1]);
	if ((rc = store_open(&st, argv[optind + 1], root, &so)) != 0) {
		fprintf(stderr, "bench: store_open: %s\n", store_strerror(rc));
		return 1;
	}
	envs = calloc(batch, sizeof(*envs));
	bufs = calloc(batch, sizeof(*bufs));
	lens = calloc(batch, sizeof(*lens));
	caps = calloc(batch, sizeof(*caps));
	res = calloc(batch, sizeof(*res));
	if (envs == NULL || bufs == NULL || lens == NULL || caps == NULL || res == NULL)
		return 1;

	/* The admissions: the leading membership records, in one untimed transaction
	 * (a daemon gets them from its peers in the first batches of its first round). */
	{
		const uint8_t	**aenv = NULL;
		uint8_t		**abuf = NULL;
		size_t		 *alen = NULL, acap = 0;
		int		 *ares;

		for (;;) {
			long pos = ftell(fp);
			struct hb_record *r = NULL;
			size_t cap = 0, len;
			uint8_t *b = NULL;
			bool member;

			if (!get_env(fp, &b, &cap, &len))
				break;
			member = proto_open(b, len, (int64_t)time(NULL), &r) == 0 &&
			    proto_record_kind(r) == HB_MEMBERSHIP;
			hb_record_free(&r);
			if (!member) {
				free(b);
				fseek(fp, pos, SEEK_SET);
				break;
			}
			if (nkeys == acap) {
				acap = acap ? acap * 2 : 1024;
				if ((abuf = realloc(abuf, acap * sizeof(*abuf))) == NULL ||
				    (alen = realloc(alen, acap * sizeof(*alen))) == NULL)
					return 1;
			}
			abuf[nkeys] = b;
			alen[nkeys++] = len;
		}
		if ((aenv = calloc(nkeys + 1, sizeof(*aenv))) == NULL ||
		    (ares = calloc(nkeys + 1, sizeof(*ares))) == NULL)
			return 1;
		for (i = 0; i < nkeys; i++)
			aenv[i] = abuf[i];
		if ((rc = store_ingest(st, aenv, alen, nkeys, (int64_t)time(NULL), NULL, 0,
		    ares, NULL)) != 0) {
			fprintf(stderr, "bench: admissions: %s\n", store_strerror(rc));
			return 1;
		}
		for (i = 0; i < nkeys; i++) {
			if (ares[i] != 0 && ares[i] != STORE_EDUP) {
				fprintf(stderr, "bench: admission refused: %s\n",
				    store_strerror(ares[i]));
				return 1;
			}
			free(abuf[i]);
		}
		free(abuf);
		free(alen);
		free(aenv);
		free(ares);
	}
	if (only_admissions) {
		printf("{\"admissions\": %zu}\n", nkeys);
		store_close(&st);
		fclose(fp);
		return 0;
	}

	vr0 = verify_rate(450);
	t = bench_now();
	tseg = t;
	seg = n == (size_t)-1 || n < 10 ? 0 : n / 10;
	nextseg = seg;
	for (i = 0; i < n;) {
		size_t got;

		for (k = 0; k < batch && i < n; i++) {
			if (!get_env(fp, &bufs[k], &caps[k], &lens[k])) {
				n = i;
				break;
			}
			if (every && i % every == every - 1)
				continue;
			envs[k] = bufs[k];
			envsum += lens[k];
			k++;
		}
		if (k == 0)
			break;
		if ((rc = store_ingest(st, envs, lens, k, (int64_t)time(NULL), NULL, 0, res,
		    &got)) != 0) {
			fprintf(stderr, "bench: store_ingest: %s\n", store_strerror(rc));
			return 1;
		}
		for (size_t j = 0; j < k; j++)
			if (res[j] != 0) {
				fprintf(stderr, "bench: record refused: %s\n",
				    store_strerror(res[j]));
				return 1;
			}
		stored += got;
		/* the rate of each tenth of the run: does it stay flat as the store grows? */
		if (seg && i >= nextseg && nseg < 10) {
			double now = bench_now();

			segrate[nseg++] = (double)(stored - segstored) / (now - tseg);
			segstored = stored;
			tseg = now;
			nextseg += seg;
		}
	}
	t = bench_now() - t;
	vr1 = verify_rate(450);
	/* What hirobad does every 60 s in its event loop (privacy_tick): look for expired
	 * records. Nothing here expires, so this is the cost of looking. */
	hwm_before_purge = status_kib("VmHWM");
	tpurge = bench_now();
	if ((rc = store_purge_expired(st, (int64_t)time(NULL), &purged)) != 0) {
		fprintf(stderr, "bench: store_purge_expired: %s\n", store_strerror(rc));
		return 1;
	}
	tpurge = bench_now() - tpurge;
	store_stats(st, &ss);
	snprintf(path, sizeof(path), "%s/data.mdb", argv[optind + 1]);
	if (stat(path, &sb) != 0)
		memset(&sb, 0, sizeof(sb));
	printf("{\"admissions\": %zu, \"records\": %zu, \"seconds\": %.3f, \"rate\": %.0f, "
	    "\"verify_rate\": %.0f, \"verify_before\": %.0f, \"verify_after\": %.0f, "
	    "\"cpus\": %ld, \"envelope_bytes\": %zu, \"store_records\": %llu, "
	    "\"used\": %zu, \"file_bytes\": %lld, \"file_size\": %lld, \"hwm_kib\": %ld, "
	    "\"rss_kib\": %ld, \"hwm_ingest_kib\": %ld, \"purge_ms\": %.1f, "
	    "\"purged\": %zu, \"tenths\": [", nkeys, stored, t, t > 0 ? stored / t : 0.0,
	    (vr0 + vr1) / 2, vr0, vr1, sysconf(_SC_NPROCESSORS_ONLN), envsum,
	    (unsigned long long)ss.records, ss.used, (long long)sb.st_blocks * 512,
	    (long long)sb.st_size, status_kib("VmHWM"), status_kib("VmRSS"),
	    hwm_before_purge, tpurge * 1000, purged);
	for (k = 0; k < nseg; k++)
		printf("%s%.0f", k ? ", " : "", segrate[k]);
	printf("]}\n");
	store_close(&st);
	fclose(fp);
	for (k = 0; k < batch; k++)
		free(bufs[k]);
	free(bufs);
	free(envs);
	free(lens);
	free(caps);
	free(res);
	return 0;
}

/* Open a store as hirobad does at start and run its expiry scan once: time and resident
 * pages before and after (RssFile: the map's pages this process touched). */
static int
cmd_scan(int argc, char **argv)
{
	struct store	*st = NULL;
	uint8_t		 root[HB_KEY_LEN];
	char		 path[4096], hex[128];
	size_t		 purged = 0;
	long		 before;
	double		 t;
	FILE		*fp;
	int		 rc;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/root.hex", argv[1]);
	if ((fp = fopen(path, "r")) == NULL || fgets(hex, sizeof(hex), fp) == NULL ||
	    (hex[strcspn(hex, "\n")] = '\0', proto_key_parse(hex, root)) != 0) {
		fprintf(stderr, "bench: %s: no root key\n", path);
		return 1;
	}
	fclose(fp);
	if ((rc = store_open(&st, argv[1], root, NULL)) != 0) {
		fprintf(stderr, "bench: store_open: %s\n", store_strerror(rc));
		return 1;
	}
	before = status_kib("RssFile");
	t = bench_now();
	if ((rc = store_purge_expired(st, (int64_t)time(NULL), &purged)) != 0)
		return 1;
	t = bench_now() - t;
	printf("{\"scan_ms\": %.1f, \"purged\": %zu, \"rssfile_before_kib\": %ld, "
	    "\"rssfile_after_kib\": %ld}\n", t * 1000, purged, before, status_kib("RssFile"));
	store_close(&st);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || proto_init() != 0) {
		fprintf(stderr, "usage: bench_workload gen|ingest|scan ...\n");
		return 2;
	}
	if (strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (strcmp(argv[1], "ingest") == 0)
		return cmd_ingest(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	fprintf(stderr, "usage: bench_workload gen|ingest|scan ...\n");
	return 2;
}
