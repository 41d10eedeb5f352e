# SPDX-License-Identifier: ISC
"""deploy/: the demo script, the example configs, the systemd unit, and hot backup/restore.

The demo runs with the binaries under test (HIROBA_BIN_DIR), in a temporary folder, is
queried at every group, stopped, and must leave nothing running. A backup taken with
hirobad -B while a group publishes restores to a store that verifies, and a daemon
started on it catches up with the federation before it publishes again.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import hb
from hb import event, wait_for

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HIROBAD = os.path.abspath(os.environ.get("HIROBAD", "hirobad"))
HIROBA = os.path.abspath(os.environ.get("HIROBA", "hiroba"))
T0 = int(time.time()) + 7 * 86400


def hirobad_pids(needle):
    """Pids of hirobad processes whose command line mentions needle."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if args and os.path.basename(args[0]) == b"hirobad" and \
                any(needle.encode() in a for a in args):
            pids.append(int(pid))
    return pids


def listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Demo(unittest.TestCase):
    """deploy/demo start, query, restart, stop."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hiroba-demo-")
        self.demo = os.path.join(self.tmp, "demo")
        bins = os.path.join(self.tmp, "bin")
        os.mkdir(bins)
        os.symlink(HIROBA, os.path.join(bins, "hiroba"))
        os.symlink(HIROBAD, os.path.join(bins, "hirobad"))
        # Three consecutive free ports (the script skips busy ones anyway).
        base = hb.free_port()
        self.env = dict(os.environ, HIROBA_BIN_DIR=bins, HIROBA_DEMO_DIR=self.demo,
                        HIROBA_DEMO_PORT=str(base), NO_COLOR="1")
        self.env.pop("HIROBA_DIR", None)

    def tearDown(self):
        self.run_demo("stop", check=False)
        for pid in hirobad_pids(self.demo):     # only if the test failed half-way
            os.kill(pid, 9)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_demo(self, *args, check=True):
        r = subprocess.run([os.path.join(SRC, "deploy", "demo")] + list(args),
                           capture_output=True, text=True, env=self.env, timeout=300)
        if check and r.returncode != 0:
            logs = ""
            for g in ("center", "nursery", "circle"):
                try:
                    with open(os.path.join(self.demo, g, "hirobad.log")) as f:
                        logs += "==== %s\n%s" % (g, f.read()[-3000:])
                except OSError:
                    pass
            self.fail("deploy/demo %s: %d\n%s\n%s\n%s" % (" ".join(args), r.returncode,
                                                          r.stdout, r.stderr, logs))
        return r

    def cli(self, group, *args):
        r = subprocess.run([HIROBA, "-d", os.path.join(self.demo, group), "--json"] +
                           list(args), capture_output=True, text=True, timeout=60,
                           env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]

    def ports(self):
        ports = []
        for g in ("center", "nursery", "circle"):
            with open(os.path.join(self.demo, g, "hirobad.conf"), encoding="utf-8") as f:
                m = re.search(r"^listen = tcp://127\.0\.0\.1:(\d+)$", f.read(), re.M)
            ports.append(int(m.group(1)))
        return ports

    def test_demo_runs_replicates_and_stops(self):
        out = self.run_demo().stdout
        self.assertIn("The demo federation is running", out)
        self.assertIn("deploy/demo stop", out)
        self.assertIn("パパと遊ぼう", out)                # the events listing at the circle
        self.assertIn("どんぐり山公園", out)             # places near the station
        self.assertEqual(len(hirobad_pids(self.demo)), 3)

        keys = {g: self.cli(g, "status")[0]["key"] for g in ("center", "nursery", "circle")}
        to = time.strftime("%Y-%m-%d", time.localtime(time.time() + 60 * 86400))
        for g in keys:
            evs = self.cli(g, "events", "--to", to)
            self.assertEqual({e["author"] for e in evs}, set(keys.values()),
                             "%s does not list every group's events" % g)
            titles = {e["event"]["title"] for e in evs}
            self.assertIn("父親向けプログラム「パパと遊ぼう」", titles)
            self.assertIn("親子のひろば（0〜3歳）", titles)
            weekly = [e for e in evs if e["id"] == "event/hiroba-weekly"]
            self.assertGreaterEqual(len(weekly), 4, "a weekly play space, once a week")
            places = self.cli(g, "places", "--tag", "leisure=playground")
            self.assertGreaterEqual(len(places), 2)
            self.assertEqual(len(self.cli(g, "volunteers")), 3)
        meetings = self.cli("center", "meetings")
        self.assertEqual(len(meetings), 1)

        # Running it again starts afresh: still exactly three daemons, new keys.
        self.run_demo()
        self.assertEqual(len(hirobad_pids(self.demo)), 3)
        self.assertNotEqual(self.cli("center", "status")[0]["key"], keys["center"])
        ports = self.ports()
        self.assertTrue(all(listening(p) for p in ports))

        out = self.run_demo("stop").stdout
        self.assertIn("stopped", out)
        self.assertEqual(hirobad_pids(self.demo), [])
        for p in ports:
            self.assertFalse(listening(p), "port %d still answers" % p)
        # stop twice is harmless
        self.run_demo("stop")


class Examples(unittest.TestCase):
    """hirobad -n accepts every example config (with a key made for it)."""

    def test_examples_check(self):
        exdir = os.path.join(SRC, "deploy", "examples")
        names = sorted(f for f in os.listdir(exdir) if f.endswith(".conf"))
        self.assertEqual(names, ["center.conf", "circle.conf", "nursery.conf"])
        for name in names:
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                data = os.path.join(tmp, "data")
                subprocess.run([HIROBA, "init", "--dir", data, "--name", "x", "--kind",
                                "other", "--listen", "tcp://127.0.0.1:1", "--center",
                                "self"], check=True, capture_output=True)
                with open(os.path.join(exdir, name), encoding="utf-8") as f:
                    text = f.read()
                self.assertRegex(text, r"(?m)^data = /var/lib/hiroba$")
                conf = os.path.join(tmp, name)
                with open(conf, "w", encoding="utf-8") as f:
                    f.write(text.replace("data = /var/lib/hiroba", "data = data"))
                r = subprocess.run([HIROBAD, "-n", "-c", conf], capture_output=True,
                                   text=True)
                self.assertEqual((r.returncode, r.stdout.strip()), (0, "configuration OK"),
                                 r.stderr)

    def test_packaged_conf(self):
        """/etc/hiroba/hirobad.conf of the Debian package: refused as it is (the service
        must not run without the group's key), accepted once the center is filled in."""
        with open(os.path.join(SRC, "deploy", "hirobad.conf"), encoding="utf-8") as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            r = subprocess.run([HIROBA, "init", "--dir", data, "--name", "x", "--kind",
                                "center", "--listen", "tcp://127.0.0.1:1", "--center",
                                "self"], check=True, capture_output=True, text=True)
            key = re.search(r"key:\s+([0-9a-f]{64})", r.stdout).group(1)
            conf = os.path.join(tmp, "hirobad.conf")
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text.replace("data = /var/lib/hiroba", "data = data"))
            r = subprocess.run([HIROBAD, "-n", "-c", conf], capture_output=True, text=True)
            self.assertEqual(r.returncode, 78, r.stdout)
            self.assertIn("[node] center is required", r.stderr)
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text.replace("data = /var/lib/hiroba", "data = data")
                        .replace("# center = CENTER-KEY", "center = " + key))
            r = subprocess.run([HIROBAD, "-n", "-c", conf], capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, "configuration OK"),
                             r.stderr)

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_unit_verifies(self):
        with open(os.path.join(SRC, "deploy", "hirobad.service"), encoding="utf-8") as f:
            unit = f.read()
        for k in ("Type=notify", "WatchdogSec=", "DynamicUser=yes", "StateDirectory=hiroba",
                  "RestartPreventExitStatus=78", "ExecStartPre=/usr/sbin/hirobad -n",
                  "RuntimeDirectory=hiroba", "RuntimeDirectoryMode=0700"):
            self.assertIn(k, unit)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "hirobad.service")
            with open(path, "w", encoding="utf-8") as f:
                f.write(unit.replace("/usr/sbin/hirobad", HIROBAD))
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)


class Restored(hb.Group):
    """A group brought back from a backup folder (made by hirobad -B), on a new port."""

    def __init__(self, fed, name, folder, key):
        self.fed = fed
        self.name = name
        self.kind = "nursery"
        self.dir = folder
        self.port = hb.free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.proc = None
        self.key = key
        self.conf = os.path.join(folder, "hirobad.conf")
        self.log = os.path.join(folder, "hirobad.log")
        with open(self.conf, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"(?m)^listen = .*$", "listen = " + self.endpoint, text)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)
        fed.groups.append(self)


class Backup(hb.FederationTest):

    def test_backup_during_writes_restores_and_catches_up(self):
        f = self.fed
        center = f.add_center("せやっこひろば")
        nursery = f.add_group("こもれび保育園", "nursery")
        nursery.add_peer(center)
        f.start(nursery)

        acked = []                      # ids the nursery's daemon acknowledged, in order
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                rid = "event/play-%d" % i
                nursery.publish(event(rid, "親子のひろば %d" % i, T0 + i * 3600))
                acked.append(rid)
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_for("some records before the backup", lambda: len(acked) >= 30)
            before = len(acked)
            dest = os.path.join(f.tmp, "backup")
            r = subprocess.run([HIROBAD, "-c", nursery.conf, "-B", dest],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("backup OK", r.stdout)
            wait_for("more records after the backup", lambda: len(acked) >= before + 30)
        finally:
            stop.set()
            t.join()

        self.assertEqual(os.stat(dest).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(dest, "identity.key")).st_mode & 0o777, 0o600)
        self.assertTrue(os.path.exists(os.path.join(dest, "restored")))
        # A second backup into the same folder is refused, the first left intact.
        r = subprocess.run([HIROBAD, "-c", nursery.conf, "-B", dest], capture_output=True,
                           text=True)
        self.assertNotEqual(r.returncode, 0)

        # The copy verifies and holds at least what was acknowledged before -B began
        # (the nursery's records plus its admission from the center).
        r = subprocess.run([HIROBAD, "-T", "-c", os.path.join(dest, "hirobad.conf")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        n = int(re.search(r"(\d+) records verified", r.stdout).group(1))
        self.assertGreaterEqual(n, before + 1)

        # The old machine is gone; the center keeps publishing meanwhile.
        wait_for("the center to hold every nursery record",
                 lambda: center.has(nursery.key, acked[-1]))
        top = nursery.complete(nursery.key)
        self.assertEqual(nursery.stop(), 0)
        center.publish(event("event/premama", "プレママ・プレパパ教室", T0, category="pre_parent"))

        # Restore: the folder on a "new machine", a new port, the same key.
        restored = Restored(f, "こもれび保育園 (restored)", dest, nursery.key)
        r = subprocess.run([HIROBAD, "-n", "-c", restored.conf], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        restored.start()
        for rid in acked[:before]:
            self.assertTrue(restored.has(nursery.key, rid), rid)
        wait_for("the restored group to fetch what it published after the backup",
                 lambda: restored.complete(nursery.key) >= top, timeout=60)
        self.assertTrue(restored.has(nursery.key, acked[-1]))
        wait_for("the center's new record at the restored group",
                 lambda: restored.has(center.key, "event/premama"), timeout=60)

        # Publishing works again once caught up, and continues the sequence (no fork).
        rec = wait_for("publishing to resume", lambda: self.try_publish(restored))
        self.assertGreater(rec["seq"], top)
        wait_for("the new record at the center",
                 lambda: center.has(nursery.key, "event/after-restore", rec["seq"]))
        self.assertEqual(restored.stop(), 0)
        r = subprocess.run([HIROBAD, "-T", "-c", restored.conf], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    @staticmethod
    def try_publish(g):
        r = g.cli("--json", "publish", "-f", "-", check=False, input=json.dumps(
            event("event/after-restore", "パパと遊ぼう", T0, category="father"),
            ensure_ascii=False))
        return json.loads(r.stdout.splitlines()[0]) if r.returncode == 0 else None


if __name__ == "__main__":
    unittest.main(verbosity=2)
