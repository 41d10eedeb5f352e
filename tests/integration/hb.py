# SPDX-License-Identifier: ISC
"""Integration-test harness: real hirobad daemons on 127.0.0.1, driven by the real hiroba CLI.

Every group gets its own data directory (identity, config, LMDB store, control socket)
under a temporary folder; daemons log to <dir>/hirobad.log, shown when a test fails.
Used by tests/integration/test_*.py (stdlib only: unittest, subprocess, socket).
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HIROBAD = os.environ.get("HIROBAD", "hirobad")
HIROBA = os.environ.get("HIROBA", "hiroba")


def free_port():
    """A TCP port nobody uses right now (bound, read, released).

    Taken below the kernel's ephemeral range (32768-60999 by default): a port
    from that range can be given to any outgoing connection in the meantime,
    and the daemon's later bind then fails with "Address already in use".
    """
    lo = 20000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            eph = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        eph = 32768
    hi = max(lo + 1000, min(eph, 32768))
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(lo, hi)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rounds_in_log(log, peer):
    """The pulls from `peer` that a daemon's -v log reports ("round done"), each as
    (records, bytes sent, bytes received, ms); the benchmarks read them."""
    pat = re.compile(r"peer %s: round done: (\d+) records, (\d+) bytes sent, (\d+) bytes "
                     r"received, (\d+) ms" % re.escape(peer))
    with open(log, encoding="utf-8", errors="replace") as f:
        return [tuple(int(x) for x in m.groups()) for m in pat.finditer(f.read())]


def wait_for(what, cond, timeout=30.0, step=0.05):
    """Poll cond() until it returns a true value; fail the test with `what` after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(step)


class Group:
    """One partner group: its folder, key, config and (when started) its hirobad."""

    wrap = ()   # a command prefix for hirobad; __init__ gives each group its own

    def __init__(self, fed, name, kind, center_key=None, sync_interval=2):
        self.fed = fed
        self.name = name
        self.kind = kind
        self.dir = os.path.join(fed.tmp, name)
        self.port = free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.proc = None
        self.wrap = []      # a command prefix for hirobad, e.g. ["ip", "netns", "exec", NS]
        args = ["init", "--dir", self.dir, "--name", name, "--kind", kind,
                "--listen", self.endpoint, "--center", center_key or "self",
                "--sync-interval", str(sync_interval)]
        out = self.cli(*args, use_dir=False).stdout
        m = re.search(r"key:\s+([0-9a-f]{64})", out)
        if not m:
            raise AssertionError("hiroba init printed no key:\n" + out)
        self.key = m.group(1)
        self.conf = os.path.join(self.dir, "hirobad.conf")
        self.log = os.path.join(self.dir, "hirobad.log")

    # ---- config ----
    def add_peer(self, other, endpoint=None, key=None):
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("\n[peer %s]\nendpoint = %s\nkey = %s\n"
                    % (other.name, endpoint or other.endpoint, key or other.key))

    def set_limits(self, **limits):
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("\n[limits]\n")
            for k, v in limits.items():
                f.write("%s = %s\n" % (k, v))

    # ---- the daemon ----
    def start(self, wait=True):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        logf = open(self.log, "a", encoding="utf-8")
        self.proc = subprocess.Popen(list(self.wrap) + [HIROBAD, "-v", "-c", self.conf],
                                     stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        if wait:
            wait_for("%s's hirobad to answer" % self.name, self.answers, timeout=20)
        return self

    def answers(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError("%s's hirobad exited with %s:\n%s"
                                 % (self.name, self.proc.returncode, self.logtext()))
        return self.cli("status", check=False).returncode == 0

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("%s's hirobad did not stop on %s" % (self.name, sig))
        rc = self.proc.returncode
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def logtext(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ---- the CLI ----
    def cli(self, *args, check=True, use_dir=True, input=None, env=None):
        cmd = [HIROBA] + (["-d", self.dir] if use_dir else []) + list(args)
        e = dict(os.environ)
        e.pop("HIROBA_DIR", None)
        e["NO_COLOR"] = "1"
        if env:
            e.update(env)
        r = subprocess.run(cmd, capture_output=True, text=True, input=input, env=e,
                           timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("%s failed (%d):\nstdout: %s\nstderr: %s"
                                 % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        return r

    def json(self, *args):
        """Run a query with --json: a list of objects (one per line) or one object."""
        out = self.cli("--json", *args).stdout
        lines = [json.loads(l) for l in out.splitlines() if l.strip()]
        return lines

    def status(self):
        return self.json("status")[0]

    def publish(self, record):
        """Publish a draft (a dict in the JSON form); returns the signed record's JSON."""
        r = self.cli("--json", "publish", "-f", "-", input=json.dumps(record, ensure_ascii=False))
        return json.loads(r.stdout.splitlines()[0])

    def show(self, author, rid, check=True):
        r = self.cli("--json", "show", "%s/%s" % (author, rid), check=check)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout.splitlines()[0])

    def has(self, author, rid, seq=None):
        rec = self.show(author, rid, check=False)
        return rec is not None and (seq is None or rec.get("seq") == seq)

    def complete(self, author):
        for a in self.status().get("authors", []):
            if a.get("author") == author:
                return a.get("complete", 0)
        return 0

    def records(self):
        st = self.status()
        return sum(a.get("records", 0) for a in st.get("authors", []))


class Federation:
    """A temporary network: a center plus groups it admits."""

    def __init__(self, sync_interval=2):
        self.tmp = tempfile.mkdtemp(prefix="hiroba-test-")
        self.sync_interval = sync_interval
        self.groups = []
        self.center = None

    def add_center(self, name="center", start=True):
        """The center; started at once, since admitting groups needs its daemon."""
        self.center = Group(self, name, "center", sync_interval=self.sync_interval)
        self.groups.append(self.center)
        if start:
            self.center.start()
        return self.center

    def add_group(self, name, kind="nursery", admit=True):
        g = Group(self, name, kind, center_key=self.center.key,
                  sync_interval=self.sync_interval)
        self.groups.append(g)
        if admit:
            self.center.cli("admit", g.key, "--name", name, "--kind", kind)
        return g

    def start(self, *groups):
        """Start groups, then wait until each holds its own admission (it can publish)."""
        for g in groups:
            g.start()
        for g in groups:
            if g is not self.center:
                wait_for("%s to receive its admission" % g.name,
                         lambda: g.has(self.center.key, "member/" + g.key))

    def close(self):
        for g in self.groups:
            try:
                if g.proc is not None and g.proc.poll() is None:
                    g.proc.kill()
                    g.proc.wait()
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self):
        return "\n".join("==== %s ====\n%s" % (g.name, g.logtext()[-6000:])
                         for g in self.groups)


def event(rid, title, start, hours=2, category="play_space", **extra):
    """A draft event in the JSON form."""
    ev = {"title": title, "when": {"start": start, "end": start + hours * 3600},
          "category": category}
    ev.update(extra)
    return {"id": rid, "event": ev}


class FederationTest(unittest.TestCase):
    """Base class: self.fed is torn down after each test; logs are printed on failure."""

    def setUp(self):
        self.fed = Federation()
        result = getattr(getattr(self, "_outcome", None), "result", None)
        self._failed_before = (len(result.failures) + len(result.errors)) \
            if result is not None else 0

    def tearDown(self):
        # print the logs only when this test failed (the result object is shared)
        result = getattr(getattr(self, "_outcome", None), "result", None)
        failed = result is not None and \
            len(result.failures) + len(result.errors) > self._failed_before
        errors = getattr(getattr(self, "_outcome", None), "errors", None) or []
        if any(err for _, err in errors):
            failed = True
        if failed:
            print(self.fed.logs())
        self.fed.close()
