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

#include "conf.h"

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

int
main(void)
{
	Suite	*s = suite_create("daemon");
	TCase	*tc = tcase_create("conf");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults_and_paths);
	tcase_add_test(tc, test_peers_and_limits);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
