# SPDX-License-Identifier: ISC
"""Storage limits (issue 7): a tiny initial LMDB map grows without losing anything; a full
disk makes writes fail cleanly while reads go on, and writes work again once there is
room.

The full disk is a 2 MiB tmpfs mounted as the receiving group's data directory: it needs
root (mount); the test skips with a message where mounting is not permitted.
"""
import os
import re
import shutil
import subprocess
import time
import unittest

import hb
from hb import event, wait_for
from test_crash import verify_store

HBTOOL = os.environ.get("HBTOOL", "hbtool")
SANITIZE = os.environ.get("HIROBA_SANITIZE", "") not in ("", "0")
T0 = int(time.time()) + 7 * 86400


def fill(group, n, prefix="bulk"):
    out = subprocess.run([HBTOOL, "fill", group.conf, str(n), prefix], capture_output=True,
                         text=True, check=True).stdout
    assert "%d records" % n in out, out


class Storage(hb.FederationTest):

    def pair(self, circle_limits=None):
        """center <- nursery (with n bulk records) <- circle."""
        f = self.fed
        center = f.add_center()
        nursery = f.add_group("nursery")
        circle = f.add_group("circle", "circle")
        nursery.add_peer(center)
        circle.add_peer(nursery)
        f.start(nursery)
        self.assertEqual(nursery.stop(), 0)
        return center, nursery, circle

    def test_tiny_map_grows(self):
        n = 1500 if SANITIZE else 4000
        center, nursery, circle = self.pair()
        fill(nursery, n)
        nursery.start()
        top = nursery.complete(nursery.key)
        circle.set_limits(mapsize="64K")
        self.fed.start(circle)
        wait_for("the circle to hold all %d records" % n,
                 lambda: circle.complete(nursery.key) >= top, timeout=120)
        circle.publish(event("event/own", "自分の記録", T0))
        self.assertEqual(circle.stop(), 0)
        size = os.path.getsize(os.path.join(circle.dir, "data.mdb"))
        self.assertGreater(size, 64 * 1024 * 4, "the map grew well past 64K")
        self.assertGreaterEqual(verify_store(circle), n + 1)
        circle.start()
        self.assertGreaterEqual(circle.complete(nursery.key), top)
        self.assertTrue(circle.has(nursery.key, "bulk/0"))
        self.assertTrue(circle.has(nursery.key, "bulk/%d" % (n - 1)))
        self.assertTrue(circle.has(circle.key, "event/own"))

    def mount_small(self, path, size):
        if os.geteuid() != 0:
            self.skipTest("a full disk needs a small tmpfs, and mounting needs root")
        os.makedirs(path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size,
                            "tmpfs", path], capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("mount -t tmpfs is not permitted here: %s" % r.stderr.strip())
        self.addCleanup(self.unmount, path)

    def unmount(self, path):
        for g in self.fed.groups:           # nothing may keep the mount busy
            if g.proc is not None and g.proc.poll() is None:
                g.proc.kill()
                g.proc.wait()
                g.proc = None
        if subprocess.run(["umount", path], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", path], capture_output=True)

    def test_full_disk(self):
        n = 3000 if SANITIZE else 6000
        center, nursery, circle = self.pair()
        fill(nursery, n)
        nursery.start()
        top = nursery.complete(nursery.key)
        # the circle's data directory becomes a 2 MiB tmpfs; its config, key and log stay
        # where they are
        data = os.path.join(self.fed.tmp, "circle-data")
        self.mount_small(data, "2m")
        key = os.path.join(circle.dir, "identity.key")
        with open(circle.conf, encoding="utf-8") as f:
            conf = f.read()
        conf = re.sub(r"(?m)^data = .*$", "data = " + data, conf)
        conf = re.sub(r"(?m)^key = .*$", "key = " + key, conf, count=1)   # [node]
        with open(circle.conf, "w", encoding="utf-8") as f:
            f.write(conf)
        # batches of 100: it gets its admission and part of the records before the end
        circle.set_limits(max_batch=100)
        shutil.copy(circle.conf, os.path.join(data, "hirobad.conf"))
        circle.dir = data                   # where the CLI finds ctl.sock
        # before the disk fills: the circle's own record
        self.fed.start(circle)
        circle.publish(event("event/before", "満杯になる前", T0))

        failed = re.compile(r"storing \d+ records from \S+ failed: (.*)")
        why = wait_for("a write to fail for lack of space",
                       lambda: failed.findall(circle.logtext()), timeout=120)
        # checked at the end, so that a vague message does not hide what follows
        clear = re.search(r"(?i)space|full|ENOSPC", why[0])
        held = circle.complete(nursery.key)
        self.assertLess(held, top)
        # the daemon runs on, and answers reads
        time.sleep(2)
        self.assertIsNone(circle.proc.poll(), "the circle's hirobad died on a full disk")
        self.assertGreaterEqual(circle.complete(nursery.key), held)
        self.assertTrue(circle.has(circle.key, "event/before"))
        self.assertTrue(circle.has(nursery.key, "bulk/0"))
        self.assertTrue(circle.json("events", "--from", "2020-01-01") is not None)
        # a local write fails with an error (or, if a page was still free, succeeds)
        r = circle.cli("publish", "-f", "-", check=False,
                       input='{"id":"event/full","event":{"title":"満杯","when":{"start":%d,'
                             '"end":%d},"category":"play_space"}}' % (T0, T0 + 3600))
        if r.returncode != 0:
            self.assertTrue(r.stderr.strip(), "a failed publish says why")
        self.assertIsNone(circle.proc.poll())

        # room again: the sync goes on to the end and writes work
        subprocess.run(["mount", "-o", "remount,size=256m", data], check=True)
        wait_for("the circle to finish the sync once there is room",
                 lambda: circle.complete(nursery.key) >= top, timeout=120)
        circle.publish(event("event/after", "空きができた後", T0))
        self.assertTrue(circle.has(circle.key, "event/after"))
        self.assertEqual(circle.stop(), 0)
        self.assertGreaterEqual(verify_store(circle), n + 2)
        self.assertTrue(clear, "the log should say the disk is full, not: %r" % why[0])


    def hirobad(self, *args):
        return subprocess.run([os.environ.get("HIROBAD", "hirobad")] + list(args),
                              capture_output=True, text=True, timeout=120)

    def test_unsafe_folders_and_truncated_copies(self):
        """Local hardening (issue 12): a data folder another user could change is
        refused; a truncated data.mdb is reported by -T, not verified as empty or
        crashed on; -B makes its copy beside the destination and renames it."""
        center, nursery, circle = self.pair()
        fill(nursery, 300)
        # group-writable data folder, then a planted lock.mdb symlink: refused
        os.chmod(nursery.dir, 0o770)
        r = self.hirobad("-T", "-c", nursery.conf)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("chmod go-w", r.stderr)
        os.chmod(nursery.dir, 0o700)
        lock = os.path.join(nursery.dir, "lock.mdb")
        if os.path.exists(lock):
            os.unlink(lock)
        target = os.path.join(self.fed.tmp, "victim")
        with open(target, "w") as f:
            f.write("root's file")
        os.symlink(target, lock)
        nursery.proc = subprocess.Popen([hb.HIROBAD, "-c", nursery.conf],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        out, _ = nursery.proc.communicate(timeout=30)
        nursery.proc = None
        self.assertNotEqual(out, "")
        self.assertIn("is a link", out)
        with open(target) as f:
            self.assertEqual(f.read(), "root's file")
        os.unlink(lock)
        # a whole backup verifies; the same copy cut short is "truncated", and an
        # empty data.mdb is not "0 records verified"
        dest = os.path.join(self.fed.tmp, "backup")
        r = self.hirobad("-B", dest, "-c", nursery.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([d for d in os.listdir(self.fed.tmp) if ".partial-" in d], [])
        self.assertTrue(os.path.exists(os.path.join(dest, "restored")))
        copy = os.path.join(dest, "hirobad.conf")
        r = self.hirobad("-T", "-c", copy)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = os.path.join(dest, "data.mdb")
        size = os.path.getsize(data)
        os.truncate(data, size // 2)
        r = self.hirobad("-T", "-c", copy)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("shorter than the pages it lists", r.stderr)
        os.truncate(data, 0)
        r = self.hirobad("-T", "-c", copy)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("data.mdb is empty", r.stderr)
        # -B into a folder that is not empty: refused, nothing left behind
        r = self.hirobad("-B", dest, "-c", nursery.conf)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not empty", r.stderr)
        self.assertEqual([d for d in os.listdir(self.fed.tmp) if ".partial-" in d], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
