# SPDX-License-Identifier: ISC
"""One bad member among honest daemons (issue 12): what it sends through an honest daemon
must not get that daemon banned by the others.

A "rogue" group is admitted by the center; hbtool speaks for it (tests/tools/hbtool.c
`send`). The nursery and the center are honest; the center's clock runs 120 s behind
(Debian's faketime), as a small machine's clock may.
"""
import os
from datetime import datetime, timedelta, timezone
import subprocess
import time
import unittest

import hb
from hb import event, wait_for

HBTOOL = os.environ.get("HBTOOL", "hbtool")
T0 = int(time.time()) + 7 * 86400
BAN = "ignoring it for"
SANITIZE = os.environ.get("HIROBA_SANITIZE", "") not in ("", "0")


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def slow_clock(seconds):
    """A command prefix that runs hirobad with its wall clock `seconds` behind
    (libfaketime preloaded by env, which execs: signals reach hirobad itself)."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return ["env", "LD_PRELOAD=" + FAKETIME_LIB, "FAKETIME=-%ds" % seconds,
            "DONT_FAKE_MONOTONIC=1",
            "ASAN_OPTIONS=" + (asan + ":" if asan else "") + "verify_asan_link_order=0"]


class Hostile(hb.FederationTest):

    def setUp(self):
        super().setUp()
        f = self.fed
        self.center = f.add_center("center", start=False)
        self.center.wrap = slow_clock(120)
        self.center.start()
        self.rogue = f.add_group("rogue", "circle")
        self.nursery = f.add_group("nursery", "nursery")
        self.nursery.add_peer(self.center)
        f.start(self.nursery)

    def send(self, to, mode, seq, *opts):
        r = subprocess.run([HBTOOL, "send"] + list(opts) +
                           [self.rogue.conf, to.endpoint, to.key, mode, str(seq)],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, "hbtool send %s: %s" % (mode, r.stderr))
        return r.stdout

    def still_friends(self, tag):
        """Neither honest daemon banned the other, and a new record still gets across."""
        for g in (self.center, self.nursery):
            self.assertNotIn(BAN, g.logtext(), "%s banned a peer" % g.name)
        self.nursery.publish(event("event/" + tag, "親子のひろば", T0))
        wait_for("the nursery's new record at the center",
                 lambda: self.center.has(self.nursery.key, "event/" + tag), timeout=30)

    def test_future_dated_records_relayed_are_not_blamed(self):
        # 60 records dated 850 s ahead: the nursery takes them (the limit is 900 s) but
        # does not push them on; the center, 120 s behind, refuses them as it pulls,
        # round after round, without holding that against the nursery (50 refusals a
        # minute would ban it).
        n = 60
        self.send(self.nursery, "good", 100, "-n", str(n), "-t", str(int(time.time()) + 850))
        wait_for("the nursery to hold the rogue's records",
                 lambda: self.nursery.complete(self.rogue.key) >= 100 + n - 1
                 or self.nursery.has(self.rogue.key, "rogue/%d" % (100 + n - 1)))
        wait_for("the center to refuse them twice over (two pulls)",
                 lambda: self.center.status().get("rejected", 0) >= 2 * n, timeout=60)
        log = self.center.logtext()
        self.assertIn("dated ahead of our clock", log)
        self.assertFalse(self.center.has(self.rogue.key, "rogue/100"))
        self.still_friends("after-future")

    def test_forks_relayed_are_not_blamed(self):
        # the rogue signs seqs 300..359 twice, with other content, one set to each
        # side while the two are apart (else the first set is relayed at once)
        n = 60
        now = int(time.time())
        self.assertEqual(self.nursery.stop(), 0)
        self.send(self.center, "good", 300, "-n", str(n), "-t", str(now - 20))
        wait_for("the center to hold its set",
                 lambda: self.center.has(self.rogue.key, "rogue/%d" % (300 + n - 1)))
        self.assertEqual(self.center.stop(), 0)
        self.nursery.start()
        self.send(self.nursery, "good", 300, "-n", str(n), "-t", str(now - 10))
        wait_for("the nursery to hold its set",
                 lambda: self.nursery.has(self.rogue.key, "rogue/%d" % (300 + n - 1)))
        self.center.start()
        wait_for("both sides to refuse the other's versions",
                 lambda: self.center.status().get("rejected", 0) >= n and
                 self.nursery.status().get("rejected", 0) >= n, timeout=60)
        for g in (self.center, self.nursery):
            self.assertIn("signed this seq twice", g.logtext())
        # each keeps the version it got first
        self.assertEqual(self.center.show(self.rogue.key, "rogue/300")["created"], now - 20)
        self.assertEqual(self.nursery.show(self.rogue.key, "rogue/300")["created"], now - 10)
        self.still_friends("after-fork")

    def test_flood_stops_at_the_quota(self):
        # the center allows 50 records per member; the nursery (default quota) takes
        # 300 of the rogue's and passes them on: the center keeps 50, refuses the rest
        # as over-quota without blaming the nursery, says who is over, and logs a line
        # per batch, not per record
        self.center.stop()
        self.center.set_limits(member_records=50)
        self.center.start()
        n = 300
        self.send(self.nursery, "good", 1, "-n", str(n))
        wait_for("the nursery to hold the flood",
                 lambda: self.nursery.has(self.rogue.key, "rogue/%d" % n))
        wait_for("the center to refuse the rest",
                 lambda: self.center.status().get("rejected", 0) >= n - 50, timeout=60)
        st = self.center.status()
        rogue = [a for a in st["authors"] if a["author"] == self.rogue.key][0]
        self.assertEqual(rogue["records"], 50)
        self.assertGreaterEqual(rogue["refused_quota"], n - 50)
        self.assertGreater(rogue["bytes"], 0)
        out = self.center.cli("status").stdout
        self.assertIn("容量超過 (over quota): rogue", out)
        lines = [l for l in self.center.logtext().splitlines() if "over its quota" in l]
        self.assertGreater(len(lines), 0)
        self.assertLess(len(lines), 20)
        self.still_friends("after-flood")
        # deleting frees room: the nursery's own records are not limited by the rogue's
        self.assertEqual(self.nursery.status().get("rejected", 0), 0)

    def test_listing_keeps_room_for_every_group(self):
        # 1,100 early events of one member, then the nursery's own: hiroba events
        # without --limit (1,000 lines) still shows the nursery's (issue 12)
        start = int(time.time()) + 3600
        for seq, n in ((1, 1000), (1001, 100)):
            self.send(self.nursery, "good", seq, "-n", str(n), "-s", str(start))
        wait_for("the nursery to hold the 1,100",
                 lambda: self.nursery.has(self.rogue.key, "rogue/1100"))
        self.nursery.cli("event", "add", "--id", "event/own", "--title", "自分のひろば",
                         "--start", datetime.fromtimestamp(
                             start + 7200, timezone(timedelta(hours=9))).strftime(
                             "%Y-%m-%d %H:%M"),     # the CLI reads Tokyo time
                         "--category", "play_space")
        got = self.nursery.json("events")
        self.assertIn("event/own", [e["id"] for e in got])
        self.assertEqual(sum(1 for e in got if e["author"] == self.rogue.key), 500)
        # with --limit, the coordinator asked for exactly that: no share
        got = self.nursery.json("events", "--limit", "2000")
        self.assertEqual(sum(1 for e in got if e["author"] == self.rogue.key), 1100)

    def rss_mib(self, g):
        with open("/proc/%d/status" % g.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0

    def flood(self, to, n, kind):
        """hbtool floods `to` with n requests it never reads; returns the process
        (its connection stays open, unread, until its stdin closes)."""
        p = subprocess.Popen([HBTOOL, "flood", self.rogue.conf, to.endpoint, to.key,
                              str(n), kind], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.stdout.readline().strip(), "sent %d" % n)
        return p

    def test_unread_answers_do_not_pile_up(self):
        # answers of ~1000 records each; a member asks 1000 times and reads nothing
        # (issue 12: 3,000 such requests grew the daemon by ~895 MiB)
        self.assertEqual(self.nursery.stop(), 0)
        subprocess.run([HBTOOL, "fill", self.nursery.conf, "3000"], check=True,
                       capture_output=True)
        self.nursery.start()
        wait_for("the center to hold the nursery's 3000 records",
                 lambda: self.center.complete(self.nursery.key) >= 3000, timeout=120)
        before = self.rss_mib(self.center)
        p = self.flood(self.center, 1000, "sync")
        try:
            wait_for("the center to have refused most of them",
                     lambda: "not answered (901 so far)" in self.center.logtext(),
                     timeout=120)
            grown = self.rss_mib(self.center) - before
            t = time.monotonic()
            self.center.status()
            self.assertLess(time.monotonic() - t, 5)
        finally:
            p.stdin.close()
            p.wait(30)
        print("\nunread SyncReqs: 1000, center RSS grew %.1f MiB" % grown)
        if not SANITIZE:        # ASan's quarantine keeps what was freed
            self.assertLess(grown, 64)
        # remote queries for everything, unread: answers capped and budgeted
        before = self.rss_mib(self.center)
        p = self.flood(self.center, 300, "remote")
        try:
            wait_for("the center to have taken all 300 queries",
                     lambda: self.center.logtext().count("remote query answered") >= 300,
                     timeout=120)
            grown = self.rss_mib(self.center) - before
        finally:
            p.stdin.close()
            p.wait(30)
        print("unread RemoteQueries: 300, center RSS grew %.1f MiB" % grown)
        if not SANITIZE:
            self.assertLess(grown, 96)
        self.still_friends("after-unread")


if __name__ == "__main__":
    unittest.main(verbosity=2)
