# SPDX-License-Identifier: ISC
"""Crash safety (issue 7): kill -9 the receiving daemon at random moments during a large
sync, 20 times. Every time it must restart, its store must verify (`hirobad -T`: every
record's hash and signature re-checked), and nothing it acknowledged may be missing: a
record counts as acknowledged once the receiver's `status` showed it complete, so after
each restart every author's `complete` must be >= the last value seen before the kill.

Sizes shrink under the sanitizers (HIROBA_SANITIZE=1, set by deploy/check), the number
of kills does not. HIROBA_CRASH_SEED replays one run's random moments.
"""
import os
import random
import re
import signal
import subprocess
import time
import unittest

import hb
from hb import wait_for

HBTOOL = os.environ.get("HBTOOL", "hbtool")
SANITIZE = os.environ.get("HIROBA_SANITIZE", "") not in ("", "0")
KILLS = 20


def verify_store(group):
    """hirobad -T: re-check every stored record; returns how many were verified."""
    r = subprocess.run([os.environ.get("HIROBAD", "hirobad"), "-T", "-c", group.conf],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError("store of %s does not verify: %s%s"
                             % (group.name, r.stdout, r.stderr))
    m = re.search(r"(\d+) records verified", r.stdout)
    return int(m.group(1))


class Crash(hb.FederationTest):

    def vector(self, g):
        """Per author, the seq up to which g holds everything (from its status)."""
        return {a["author"]: a.get("complete", 0) for a in g.status().get("authors", [])}

    def test_kill9_twenty_times_during_a_large_sync(self):
        seed = int(os.environ.get("HIROBA_CRASH_SEED", random.randrange(1 << 30)))
        rnd = random.Random(seed)
        n = 3000
        f = self.fed
        center = f.add_center()
        nursery = f.add_group("nursery")
        circle = f.add_group("circle", "circle")
        nursery.add_peer(center)
        circle.add_peer(nursery)
        # one record per batch: a commit per record, so that a kill lands inside or
        # between commits, and a sync whose pace (fsyncs) does not depend on how slow
        # the sanitizers make `hiroba status`, which decides when to kill
        circle.set_limits(max_batch=1)
        f.start(nursery)
        self.assertEqual(nursery.stop(), 0)
        out = subprocess.run([HBTOOL, "fill", nursery.conf, str(n)], capture_output=True,
                             text=True, check=True).stdout
        self.assertIn("%d records" % n, out)
        nursery.start()
        top = nursery.complete(nursery.key)
        self.assertGreaterEqual(top, n)

        # the kills land at random points of the sync: when the circle has acknowledged
        # a random number of records, after a random few milliseconds more
        targets = sorted(rnd.sample(range(n // 50, n * 8 // 10), KILLS))
        acked = {}          # author -> complete, as last shown before a kill
        kills = []          # complete of the nursery at each kill
        t0 = time.monotonic()
        for i, target in enumerate(targets):
            # the nursery waits while the circle starts, so that the circle's start-up
            # time (long under the sanitizers) does not decide how far the sync gets
            nursery.proc.send_signal(signal.SIGSTOP)
            try:
                circle.start()
            finally:
                nursery.proc.send_signal(signal.SIGCONT)
            now = self.vector(circle)
            for author, c in acked.items():
                self.assertGreaterEqual(now.get(author, 0), c,
                                        "kill %d (seed %d): an acknowledged record of %s "
                                        "is missing after the restart" % (i, seed, author[:16]))
            acked = wait_for("the circle to acknowledge %d records" % target,
                             lambda: (lambda v: v if v.get(nursery.key, 0) >= target
                                      else None)(self.vector(circle)),
                             timeout=120, step=0.01)
            time.sleep(rnd.uniform(0, 0.08))
            circle.kill()
            kills.append(acked.get(nursery.key, 0))
            verify_store(circle)
        took = time.monotonic() - t0
        print("\nkill -9: %d kills during a sync of %d records in %.1f s (seed %d); "
              "complete at each kill: %s" % (len(kills), n, took, seed, kills))
        self.assertEqual(len([k for k in kills if k < top]), KILLS)
        # and it finishes the sync with everything
        circle.start()
        for author, c in acked.items():
            self.assertGreaterEqual(self.vector(circle).get(author, 0), c)
        wait_for("the circle to finish the sync",
                 lambda: circle.complete(nursery.key) >= top, timeout=180)
        self.assertEqual(circle.stop(), 0)
        self.assertGreaterEqual(verify_store(circle), n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
