/* SPDX-License-Identifier: ISC */
/*
 * check_daemon: the parts of hirobad that need no sockets: the configuration parser
 * (defaults, paths, sizes, every kind of error with its line). The daemon's behaviour on
 * the network is tested by tests/integration/ against real processes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "recon.h"

static char	 dir[] = "/tmp/check_daemon.XXXXXX";
static char	 path[4200];
static const char *KEY = "a460e82e465746d95530473d9e2b5d0ceca78a0b2bed7ca8466532728b76e087";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hirobad.conf", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/check_daemon.XXXXXX");
}

static int
load(const char *text, struct conf **c, char *err, size_t errlen)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return conf_load(path, c, err, errlen);
}

START_TEST(test_defaults_and_paths)
{
	struct conf	*c = NULL;
	char		 err[512], text[1024], want[4300];

	snprintf(text, sizeof(text), "# a nursery\n[node]\ncenter = %s\ndata = state\n"
	    "listen = tcp://127.0.0.1:7311 ; first\nlisten = tcp://[::1]:7311\n", KEY);
	ck_assert_int_eq(load(text, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c->name, "hiroba");
	snprintf(want, sizeof(want), "%s/state", dir);
	ck_assert_str_eq(c->data, want);		/* relative to the config's folder */
	snprintf(want, sizeof(want), "%s/state/identity.key", dir);
	ck_assert_str_eq(c->key, want);			/* relative to data */
	ck_assert_uint_eq(c->nlisten, 2);
	ck_assert_str_eq(c->listen[0], "tcp://127.0.0.1:7311");
	ck_assert_uint_eq(c->sync_interval, 30);
	ck_assert_uint_eq(c->max_message, 4 << 20);
	ck_assert_uint_eq(c->member_records, 20000);
	ck_assert_uint_eq(c->member_bytes, 64 << 20);
	ck_assert_uint_eq(c->mapsize_max, 16ULL << 30);
	ck_assert_uint_eq(c->npeers, 0);
	conf_free(&c);
	ck_assert_ptr_null(c);
	conf_free(&c);		/* NULL-safe */
}
END_TEST

START_TEST(test_peers_and_limits)
{
	struct conf	*c = NULL;
	char		 err[512], text[1024];

	snprintf(text, sizeof(text), "[node]\nname = 瀬谷ひまわり保育園\ncenter = %s\n"
	    "data = /var/lib/hiroba\nkey = /etc/hiroba/identity.key\n\n"
	    "[peer 瀬谷センター]\nendpoint = tcp://192.0.2.1:7310\nkey = %s\n\n"
	    "[limits]\nmax_message = 8M\nmapsize = 512K\nrate = 50\n", KEY, KEY);
	ck_assert_int_eq(load(text, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c->name, "瀬谷ひまわり保育園");
	ck_assert_str_eq(c->key, "/etc/hiroba/identity.key");
	ck_assert_uint_eq(c->npeers, 1);
	ck_assert_str_eq(c->peers[0].name, "瀬谷センター");
	ck_assert_str_eq(c->peers[0].endpoint, "tcp://192.0.2.1:7310");
	ck_assert_uint_eq(c->max_message, 8 << 20);
	ck_assert_uint_eq(c->mapsize, 512 << 10);
	ck_assert_uint_eq(c->rate, 50);
	conf_free(&c);
}
END_TEST

/* Each broken file: -1, no conf, and "file:line: reason". */
static const struct {
	const char	*text;
	int		 line;
	const char	*reason;
} bad[] = {
	{ "[node]\nfoo = 1\n", 2, "unknown key \"foo\" in [node]" },
	{ "[nodes]\n", 1, "unknown section [nodes]" },
	{ "x = 1\n", 1, "before any section" },
	{ "[node]\nlisten = udp://1.2.3.4:5\n", 2, "is not a tcp:// endpoint" },
	{ "[node]\nlisten = tcp://host\n", 2, "needs a host and a port" },
	{ "[node]\nsync_interval = 0\n", 2, "out of range" },
	{ "[node]\nsync_interval = 1x\n", 2, "expected a number" },
	{ "[node]\ncenter = zz\n", 2, "center: not a key" },
	{ "[peer]\n", 1, "the peer needs a name" },
	{ "[node\n", 1, "without closing" },
	{ "[node]\nname\n", 2, "expected \"key = value\"" },
	{ "[node]\nname =\n", 2, "empty value" },
	{ "[limits]\nhwm = 5\n", 2, "out of range" },
	{ "[limits]\nspeed = 5\n", 2, "unknown key \"speed\" in [limits]" },
	{ "[node]\ndata = /x\n", 0, "center is required" },
};

START_TEST(test_errors)
{
	struct conf	*c = NULL;
	char		 err[512], want[4300];

	ck_assert_int_eq(load(bad[_i].text, &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(c);
	if (bad[_i].line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, bad[_i].line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_msg(strstr(err, bad[_i].reason) != NULL, "%s", err);
}
END_TEST

START_TEST(test_missing_file)
{
	struct conf	*c = NULL;
	char		 err[512];

	ck_assert_int_eq(conf_load("/nonexistent/hirobad.conf", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/hirobad.conf: No such file or directory");
}
END_TEST

/* ---- range reconciliation (recon.c, PROTOCOL.md 11.3.1) ---- */

static void
hex(const uint8_t *b, size_t n, char *out)
{
	size_t		 i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* The test vector of PROTOCOL.md 11.3.1: authors 01..01, 02..02, 03..03. */
START_TEST(test_recon_vector)
{
	struct store_author	 a[3];
	struct recon_set	 s;
	struct recon_range	 all, r;
	uint8_t			 h[32], fp[RECON_FP_LEN];
	char			 x[80];
	size_t			 i, i0, i1;

	memset(a, 0, sizeof(a));
	for (i = 0; i < 3; i++) {
		memset(a[i].author, (int)(3 - i), HB_KEY_LEN);	/* given out of order */
		a[i].complete = 10 * (3 - i);
		a[i].max_seq = 10 * (3 - i) + (i == 0 ? 2 : 0);
	}
	recon_item_hash(a[2].author, 10, 10, h);
	hex(h, 32, x);
	ck_assert_str_eq(x, "cea7c22af26a7b614bbb4edfa14436b4d0471d80d5fb83670e6d108ea6485bf5");
	ck_assert_int_eq(recon_set_load(&s, a, 3), 0);
	ck_assert_int_eq(s.a[0].author[0], 1);	/* sorted by key */
	memset(&all, 0, sizeof(all));
	recon_span(&s, &all, &i0, &i1);
	ck_assert_uint_eq(i0, 0);
	ck_assert_uint_eq(i1, 3);
	recon_fp(&s, i0, i1, fp);
	hex(fp, RECON_FP_LEN, x);
	ck_assert_str_eq(x, "ee6c8a7b6f6eb06347c96e30bf5eda3c");
	recon_fp(&s, 0, 0, fp);
	hex(fp, RECON_FP_LEN, x);
	ck_assert_str_eq(x, "673cbd9a83cb676eba3e0bcd63a2b414");
	/* [02, 03): the second author only */
	memset(&r, 0, sizeof(r));
	r.lo.b[0] = 2;
	r.lo.len = 1;
	r.hi.b[0] = 3;
	r.hi.len = 1;
	recon_span(&s, &r, &i0, &i1);
	ck_assert_uint_eq(i0, 1);
	ck_assert_uint_eq(i1, 2);
	/* a range whose lower bound is above its upper is empty, not a wrap */
	r.lo.b[0] = 3;
	r.hi.b[0] = 2;
	recon_span(&s, &r, &i0, &i1);
	ck_assert_uint_eq(i1 - i0, 0);
	recon_set_free(&s);
}
END_TEST

START_TEST(test_recon_bounds)
{
	uint8_t			 a[HB_KEY_LEN], b[HB_KEY_LEN];
	struct recon_bound	 bd;
	int			 k;

	for (k = 0; k < 2000; k++) {
		randombytes_buf(a, sizeof(a));
		memcpy(b, a, sizeof(b));
		/* next differs from prev at a random byte, sometimes the last */
		b[k % HB_KEY_LEN] = (uint8_t)(a[k % HB_KEY_LEN] + 1 +
		    randombytes_uniform(255 - a[k % HB_KEY_LEN] + (a[k % HB_KEY_LEN] == 255)));
		if (memcmp(a, b, HB_KEY_LEN) >= 0)
			continue;	/* a byte of 255 cannot go up */
		recon_between(a, b, &bd);
		ck_assert_uint_le(bd.len, (size_t)(k % HB_KEY_LEN) + 1);
		ck_assert_int_gt(recon_bound_cmp(b, &bd), -1);	/* next >= bound */
		ck_assert_int_eq(recon_bound_cmp(a, &bd), -1);	/* prev < bound */
	}
}
END_TEST

/*
 * The reconciliation, run to its end between two sets with the real answer code: the
 * puller must learn exactly the authors of which the answerer holds more than it does,
 * in a number of rounds logarithmic in the authors, with bytes in proportion to the
 * difference; equal sets cost one range. Seeded: _i is the seed.
 */
static void
random_key(uint32_t *x, uint8_t *key)
{
	size_t		 i;

	for (i = 0; i < HB_KEY_LEN; i++) {
		*x = *x * 1103515245u + 12345u;
		key[i] = (uint8_t)(*x >> 16);
	}
	if (*x % 7 == 0)	/* long shared prefixes too */
		memset(key, 0x42, 20);
}

START_TEST(test_recon_descent)
{
	static const size_t	 sizes[] = { 0, 1, 5, 17, 300, 5000 };
	size_t			 nauth = sizes[_i % 6], ndiff, leaf, split;
	struct store_author	*A, *P;
	struct recon_set	 sa, sp;
	struct recon_range	*want, *next;
	uint8_t			(*wfp)[RECON_FP_LEN];
	struct recon_out	 o;
	uint32_t		 x = 0x9e3779b9u * (uint32_t)(_i + 1);
	size_t			 nA = 0, nP = 0, nwant, nnext, i, k, rounds = 0, bytes = 0;
	size_t			 learned = 0, expected = 0;
	bool			*seen;

	leaf = _i % 3 == 0 ? 16 : (size_t)(1 + _i % 4);
	split = _i % 2 ? 16 : 2 + (size_t)(_i % 3);
	ck_assert_ptr_nonnull(A = calloc(nauth + 1, sizeof(*A)));
	ck_assert_ptr_nonnull(P = calloc(nauth + 1, sizeof(*P)));
	ck_assert_ptr_nonnull(seen = calloc(nauth + 1, sizeof(*seen)));
	ndiff = nauth < 100 ? nauth / 3 : nauth / 100;	/* about 1 % of a large set */
	for (i = 0; i < nauth; i++) {
		random_key(&x, A[nA].author);
		A[nA].complete = A[nA].max_seq = 1 + x % 1000;
		P[nP] = A[nA];
		if (i < ndiff) {
			switch (x % 4) {
			case 0:		/* the puller lacks the author */
				nA++;
				expected++;
				continue;
			case 1:		/* the puller is behind */
				P[nP].complete = P[nP].max_seq = A[nA].complete / 2;
				expected++;
				break;
			case 2:		/* the puller is ahead: nothing to learn */
				P[nP].complete = P[nP].max_seq = A[nA].complete + 5;
				break;
			default:	/* the puller has an author the answerer lacks */
				nP++;
				continue;
			}
		}
		nA++;
		nP++;
	}
	ck_assert_int_eq(recon_set_load(&sa, A, nA), 0);
	ck_assert_int_eq(recon_set_load(&sp, P, nP), 0);
	ck_assert_ptr_nonnull(want = calloc(1, sizeof(*want)));
	nwant = 1;
	while (nwant > 0) {
		ck_assert_uint_lt(++rounds, 64);
		ck_assert_ptr_nonnull(wfp = calloc(nwant, sizeof(*wfp)));
		for (i = 0; i < nwant; i++) {
			size_t	 i0, i1;

			recon_span(&sp, &want[i], &i0, &i1);
			recon_fp(&sp, i0, i1, wfp[i]);
			bytes += want[i].lo.len + want[i].hi.len + RECON_FP_LEN + 8;
		}
		ck_assert_int_eq(recon_answer(&sa, want, (const uint8_t (*)[RECON_FP_LEN])wfp,
		    nwant, leaf, split, 1 << 20, &o), 0);
		ck_assert_uint_ge(o.done, 1);
		bytes += o.bytes;
		for (i = 0; i < o.nh; i++) {
			const struct store_author *h = &sa.a[o.hold[i]];
			const struct store_author *mine = NULL;

			for (k = 0; k < sp.n && mine == NULL; k++)
				if (memcmp(sp.a[k].author, h->author, HB_KEY_LEN) == 0)
					mine = &sp.a[k];
			if ((mine == NULL || mine->complete < h->complete) &&
			    !seen[o.hold[i]]) {
				seen[o.hold[i]] = true;
				learned++;
			}
		}
		ck_assert_ptr_nonnull(next = calloc(nwant - o.done + o.nr + 1,
		    sizeof(*next)));
		for (nnext = 0, i = o.done; i < nwant; i++)
			next[nnext++] = want[i];
		for (i = 0; i < o.nr; i++)
			if (recon_differs(&sp, &o.r[i], o.fp[i]))
				next[nnext++] = o.r[i];
		free(want);
		free(wfp);
		recon_out_free(&o);
		want = next;
		nwant = nnext;
	}
	ck_assert_uint_eq(learned, expected);
	if (ndiff == 0)		/* equal sets: one range, one answer */
		ck_assert_uint_eq(rounds, 1);
	if (nauth >= 300)	/* in proportion to the difference, not to the set */
		ck_assert_uint_lt(bytes, 2000 + ndiff * 1200 * (split > 4 ? 1 : 4));
	free(want);
	recon_set_free(&sa);
	recon_set_free(&sp);
	free(A);
	free(P);
	free(seen);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("daemon");
	TCase	*tc = tcase_create("conf");
	SRunner	*sr;
	int	 failed;

	if (sodium_init() < 0)
		return 1;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults_and_paths);
	tcase_add_test(tc, test_peers_and_limits);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("recon");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_recon_vector);
	tcase_add_test(tc, test_recon_bounds);
	tcase_add_loop_test(tc, test_recon_descent, 0, 24);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
