/* SPDX-License-Identifier: ISC */
/*
 * benchutil.h: what bench_ingest and bench_query share: a clock, a synthetic federation
 * (a center, 50 groups, a realistic mix of signed records) and a loader.
 */
#ifndef HIROBA_BENCHUTIL_H
#define HIROBA_BENCHUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define BENCH_GROUPS	50
#define BENCH_FY_START	((int64_t)1775001600)	/* 2026-04-01 00:00 UTC */
#define BENCH_FY_DAYS	365
#define BENCH_LAT	354700000		/* 35.47 N */
#define BENCH_LON	1394900000		/* 139.49 E */
#define BENCH_DLAT	900000			/* +-10 km */
#define BENCH_DLON	1100000

struct bench_env {
	uint8_t	*p;
	size_t	 len;
};

struct bench_fed {
	struct hb_identity	 center;
	struct hb_identity	 groups[BENCH_GROUPS];
	struct bench_env	*members;	/* BENCH_GROUPS admissions */
	struct bench_env	*recs;
	size_t			 n;
	int64_t			 now;
};

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t bench_rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t
bench_rng(void)
{
	bench_rng_state ^= bench_rng_state << 13;
	bench_rng_state ^= bench_rng_state >> 7;
	bench_rng_state ^= bench_rng_state << 17;
	return bench_rng_state;
}

static inline void
bench_keep(struct bench_env *e, struct hb_record *r)
{
	const uint8_t *p = proto_record_envelope(r, &e->len);

	if ((e->p = malloc(e->len)) == NULL) {
		perror("malloc");
		exit(1);
	}
	memcpy(e->p, p, e->len);
}

static inline void
bench_sign_json(struct bench_env *e, const struct hb_identity *id, uint64_t seq,
    int64_t created, const char *json)
{
	struct hb_record *r = NULL;
	char err[256];
	int rc;

	if ((rc = proto_draft_from_json(json, strlen(json), &r, err, sizeof(err))) != 0 ||
	    (rc = proto_sign(r, id, seq, created)) != 0) {
		fprintf(stderr, "bench: %s: %s %s\n", json, proto_strerror(rc), err);
		exit(1);
	}
	bench_keep(e, r);
	hb_record_free(&r);
}

/* n records from BENCH_GROUPS groups: 50% events (a third weekly), 30% places over a
 * 20 x 20 km area, 20% volunteer listings. Deterministic. */
static inline void
bench_generate(struct bench_fed *f, size_t n)
{
	static const char *const titles[] = { "親子のひろば", "父親向けプログラム",
	    "プレママ・プレパパ教室", "子育て相談", "ベビーマッサージ", "絵本の読み聞かせ",
	    "応援ネット地域別会議", "子育てサポートシステム説明会", "ふたご・みつごの会",
	    "ﾊﾟﾊﾟと遊ぼう", "English story time", "手形アート" };
	static const char *const cats[] = { "pre_parent", "father", "play_space",
	    "consultation", "supporter_training", "network_meeting", "support_system" };
	static const char *const tags[][2] = { { "leisure", "playground" },
	    { "amenity", "childcare" }, { "amenity", "kindergarten" },
	    { "changing_table", "yes" }, { "stroller", "limited" }, { "wheelchair", "yes" } };
	static const char *const places[] = { "公園", "授乳室", "地区センター", "保育園",
	    "ケアプラザ", "図書館" };
	static const char *const skills[] = { "絵本", "english", "手遊び", "保育", "料理",
	    "ピアノ" };
	static const char *const areas[] = { "瀬谷区", "旭区", "泉区", "緑区" };
	uint64_t seqs[BENCH_GROUPS] = { 0 };
	char json[2048];

	f->now = (int64_t)time(NULL);
	proto_identity_new(&f->center);
	f->members = calloc(BENCH_GROUPS, sizeof(*f->members));
	f->recs = calloc(n ? n : 1, sizeof(*f->recs));
	f->n = n;
	for (int g = 0; g < BENCH_GROUPS; g++) {
		struct hb_record *r;

		proto_identity_new(&f->groups[g]);
		r = proto_membership_new(f->groups[g].pk, 2, 1, "group", 2 + g % 3, 0);
		if (r == NULL || proto_sign(r, &f->center, (uint64_t)g + 1, f->now - 86400)) {
			fprintf(stderr, "bench: membership\n");
			exit(1);
		}
		bench_keep(&f->members[g], r);
		hb_record_free(&r);
	}
	for (size_t i = 0; i < n; i++) {
		int g = (int)(bench_rng() % BENCH_GROUPS), k = (int)(bench_rng() % 10);
		uint64_t seq = ++seqs[g];

		if (k < 5) {
			int64_t start = BENCH_FY_START + (int64_t)(bench_rng() % BENCH_FY_DAYS) *
			    86400 + (int64_t)(bench_rng() % 10) * 3600;
			char rec[128] = "";

			if (bench_rng() % 3 == 0)
				snprintf(rec, sizeof(rec), ",\"recurrence\":{\"freq\":\"weekly\","
				    "\"until\":%lld}", (long long)(start + (int64_t)(4 +
				    bench_rng() % 9) * 7 * 86400));
			snprintf(json, sizeof(json), "{\"id\":\"e%zu\",\"event\":{\"title\":"
			    "\"%s 第%zu回\",\"description\":\"地域の子育て家庭のみなさん、"
			    "お気軽にどうぞ。予約不要です。\",\"when\":{\"start\":%lld,\"end\":%lld},"
			    "\"category\":\"%s\",\"audience\":[\"all_families\"],"
			    "\"capacity\":%d%s}}", i, titles[bench_rng() % 12], i % 97 + 1,
			    (long long)start, (long long)(start + 7200),
			    cats[bench_rng() % 7], (int)(bench_rng() % 30) + 5, rec);
		} else if (k < 8) {
			int t = (int)(bench_rng() % 6);

			snprintf(json, sizeof(json), "{\"id\":\"p%zu\",\"place\":{\"name\":"
			    "\"%s %zu\",\"point\":{\"lat_e7\":%d,\"lon_e7\":%d},\"tags\":["
			    "{\"key\":\"%s\",\"value\":\"%s\"},{\"key\":\"%s\",\"value\":\"%s\"}],"
			    "\"notes\":\"ベビーカーで入れます\"}}", i, places[bench_rng() % 6], i,
			    BENCH_LAT - BENCH_DLAT + (int)(bench_rng() % (2 * BENCH_DLAT)),
			    BENCH_LON - BENCH_DLON + (int)(bench_rng() % (2 * BENCH_DLON)),
			    tags[t][0], tags[t][1], tags[(t + 3) % 6][0], tags[(t + 3) % 6][1]);
		} else {
			snprintf(json, sizeof(json), "{\"id\":\"v%zu\",\"volunteer\":{\"kind\":"
			    "\"%s\",\"title\":\"%sのボランティア\",\"skills\":[\"%s\"],"
			    "\"area\":\"%s\",\"status\":\"%s\"}}", i,
			    bench_rng() % 2 ? "wanted" : "offered", skills[bench_rng() % 6],
			    skills[bench_rng() % 6], areas[bench_rng() % 4],
			    bench_rng() % 4 ? "open" : "filled");
		}
		bench_sign_json(&f->recs[i], &f->groups[g], seq, f->now - 3600, json);
	}
}

static inline void
bench_free(struct bench_fed *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->recs[i].p);
	for (int g = 0; g < BENCH_GROUPS; g++)
		free(f->members[g].p);
	free(f->recs);
	free(f->members);
}

/* Ingest envs in batches; exits on an error. Returns how many were stored. */
static inline size_t
bench_ingest(struct store *st, const struct bench_env *e, size_t n, size_t batch,
    int64_t now)
{
	const uint8_t **envs = calloc(batch, sizeof(*envs));
	size_t *lens = calloc(batch, sizeof(*lens)), total = 0;
	int *res = calloc(batch, sizeof(*res));

	for (size_t i = 0; i < n; i += batch) {
		size_t k = n - i < batch ? n - i : batch, stored;
		int rc;

		for (size_t j = 0; j < k; j++) {
			envs[j] = e[i + j].p;
			lens[j] = e[i + j].len;
		}
		if ((rc = store_ingest(st, envs, lens, k, now, NULL, 0, res, &stored)) != 0) {
			fprintf(stderr, "bench: store_ingest: %s\n", store_strerror(rc));
			exit(1);
		}
		for (size_t j = 0; j < k; j++)
			if (res[j] != 0 && res[j] != STORE_EDUP) {
				fprintf(stderr, "bench: record refused: %s\n",
				    store_strerror(res[j]));
				exit(1);
			}
		total += stored;
	}
	free(envs);
	free(lens);
	free(res);
	return total;
}

static inline void
bench_shuffle(struct bench_env *e, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = bench_rng() % i;
		struct bench_env t = e[i - 1];

		e[i - 1] = e[j];
		e[j] = t;
	}
}

#endif /* HIROBA_BENCHUTIL_H */
