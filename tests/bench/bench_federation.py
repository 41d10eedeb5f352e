#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Federation benchmarks (issue #3), on real daemons over loopback. Prints figures, asserts
nothing about time. Needs the build dir: bench_federation.py BUILD_DIR [N]

  1. sync of N records from one daemon to an empty one: records/s, and the ratio to the
     single-core Ed25519 verify rate measured in the same run (by bench_fedprep);
  2. a reconciliation round between two equal stores of N records from 50 authors:
     bytes exchanged and time;
  3. propagation along a line of ten daemons: publish at one end, time until the other
     end has it, median and p99 over 100 records;
  4. resident memory of a daemon holding N records.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import hb  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
HIROBAD = os.path.join(BUILD, "daemon", "hirobad")
HIROBA = os.path.join(BUILD, "client", "hiroba")
PREP = os.path.join(BUILD, "tests", "bench", "bench_fedprep")


class Daemon:
    def __init__(self, top, name, center, peers=(), interval=3600):
        self.name = name
        self.dir = os.path.join(top, name)
        self.port = hb.free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.center = center
        self.peers = list(peers)
        self.interval = interval
        self.proc = None
        self.log = os.path.join(self.dir, "hirobad.log")

    def write_conf(self, keys):
        with open(os.path.join(self.dir, "hirobad.conf"), "w", encoding="utf-8") as f:
            f.write("[node]\nname = %s\ndata = .\nkey = identity.key\ncenter = %s\n"
                    "listen = %s\nsync_interval = %d\n"
                    % (self.name, self.center, self.endpoint, self.interval))
            for p in self.peers:
                f.write("\n[peer %s]\nendpoint = %s\nkey = %s\n" % (p.name, p.endpoint, keys[p.name]))

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen([HIROBAD, "-v", "-c", os.path.join(self.dir, "hirobad.conf")],
                                     stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        hb.wait_for(self.name + " to answer", lambda: self.cli("status").returncode == 0)

    def cli(self, *args, input=None):
        return subprocess.run([HIROBA, "-d", self.dir] + list(args), capture_output=True,
                              text=True, input=input)

    def status(self):
        r = self.cli("--json", "status")
        return json.loads(r.stdout.splitlines()[0]) if r.returncode == 0 else {}

    def vector(self):
        return {a["author"]: a["complete"] for a in self.status().get("authors", [])}

    def mem_kib(self):
        """Resident memory: all, anonymous (the daemon's own), file (LMDB's map)."""
        got = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                k = line.split(":")[0]
                if k in ("VmRSS", "RssAnon", "RssFile"):
                    got[k] = int(line.split()[1])
        return got

    def rounds(self, peer):
        return hb.rounds_in_log(self.log, peer)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    top = tempfile.mkdtemp(prefix="hiroba-bench-")
    daemons = []
    try:
        t = time.monotonic()
        prep = json.loads(subprocess.run([PREP, top, str(N)], check=True, capture_output=True,
                                         text=True).stdout)
        keys = prep["keys"]
        center = prep["center"]
        vr = prep["verify_rate"]
        print("prep: %d records from 50 groups signed and stored in %.1f s" % (N, time.monotonic() - t))
        print("verify (1 core, crypto_sign_verify_detached): %.0f/s" % vr)

        a = Daemon(top, "a", center)
        c = Daemon(top, "c", center, peers=[a])
        b = Daemon(top, "b", center, peers=[a])
        line = []
        for i in range(10):
            line.append(Daemon(top, "line%d" % i, center, peers=line[-1:], interval=3600))
        for d in [a, b, c] + line:
            d.write_conf(keys)
        daemons = [a, b, c] + line

        # 1. full sync into an empty store
        a.start()
        target = a.vector()
        c.start()
        hb.wait_for("the empty daemon to catch up", lambda: c.vector() == target, timeout=600,
                    step=0.2)
        rounds = c.rounds("a")
        recs = sum(r[0] for r in rounds)
        ms = sum(r[3] for r in rounds)
        rate = recs / (ms / 1000.0) if ms else 0
        print("sync to an empty daemon: %d records in %.2f s = %.0f rec/s; ratio to 1-core verify %.2f"
              % (recs, ms / 1000.0, rate, rate / vr))

        # 4. memory
        for who, d in (("sender", a), ("receiver", c)):
            m = d.mem_kib()
            print("resident memory of the %s holding %d records: %.1f MiB (%.1f MiB its own, "
                  "%.1f MiB pages of the LMDB file, shared with the page cache)"
                  % (who, N, m.get("VmRSS", 0) / 1024.0, m.get("RssAnon", 0) / 1024.0,
                     m.get("RssFile", 0) / 1024.0))
        c.stop()

        # 2. equal stores
        b.start()
        hb.wait_for("the first round with the equal store", lambda: len(b.rounds("a")) >= 1)
        for _ in range(21):
            b.cli("sync")
            time.sleep(0.15)
        eq = b.rounds("a")[1:]
        by = [r[1] + r[2] for r in eq]
        tm = [r[3] for r in eq]
        print("round between equal stores (%d records, 51 authors), %d rounds: bytes median %d max %d; "
              "time median %d ms max %d ms (targets: < 4096 bytes, < 20 ms)"
              % (N, len(eq), statistics.median(by), max(by), statistics.median(tm), max(tm)))
        b.stop()
        a.stop()

        # 3. propagation along a line of ten
        for d in line:
            d.start()
        hb.wait_for("the line to connect", lambda: all(
            any(p.get("connected") for p in d.status().get("peers", [])) for d in line[1:]))
        out = subprocess.run([os.path.join(BUILD, "tests", "bench", "bench_fedprop"), line[0].dir,
                              line[-1].dir, keys["line0"], "100"], check=True,
                             capture_output=True, text=True).stdout
        lat = [float(x) for x in out.split()]
        print("propagation over 9 hops (publish at one end until the other end's store has it, "
              "100 records): median %.1f ms, p99 %.1f ms (target p99 < 50 ms)"
              % (statistics.median(lat), pct(lat, 99)))
    finally:
        for d in daemons:
            try:
                d.stop()
            except Exception:  # noqa: BLE001
                pass
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
