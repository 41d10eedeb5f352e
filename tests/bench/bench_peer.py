#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The peer's workload (issue 15 items 4 and 5), on real daemons over loopback. Prints
figures beside strfry's (../shared/PEERS.md) and ratios to the limit measured in the
same run (the 1-core Ed25519 verify rate); asserts nothing about time.

  bench_peer.py BUILD peer [N]        W1 ingest, W3 full sync, W4 no-op round, W5 1%
                                      divergence, store bytes/record, peak RSS
  bench_peer.py BUILD rounds [N]      rounds between equal stores at 50, 1,000 and
                                      10,000 authors (N records each, default 100000)
  bench_peer.py BUILD growth [SIZES]  ingest rate, query p99, bytes/record and RSS at
                                      10k, 100k, 1M records (or the sizes given)

The records (bench_workload gen): N events from 1,000 admitted member keys, record i by
key i mod 1000, created 1 s apart, each with a 300-character description of a-z, 0-9 and
spaces. Rounds are read from the daemons' debug log line "peer X: round done: N records,
B bytes sent, R bytes received, T ms"; so these figures follow whatever sync.c does.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import hb  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
HIROBAD = os.path.join(BUILD, "daemon", "hirobad")
HIROBA = os.path.join(BUILD, "client", "hiroba")
WORKLOAD = os.path.join(BUILD, "tests", "bench", "bench_workload")
QUERY = os.path.join(BUILD, "tests", "bench", "bench_query")

# ../shared/PEERS.md: strfry 1.1.1-144 on the same machine class, median of 5 runs.
STRFRY_VERIFY = 1 / 50e-6          # BIP-340 verify, ~50 us on that CPU
STRFRY = {
    "W1": dict(seconds=8.74, rate=11446, rss_mib=221.6),
    "W3": dict(seconds=42.1, rate=2376, rss_mib=195.6, up=6.4e6, down=68.7e6),
    "W4": dict(seconds=0.100, up=685, down=20),
    "W5": dict(seconds=1.44, up=318e3, down=1.86e6),
    "bytes_per_record": 1648,
}


class Daemon:
    """One hirobad on a prepared data directory (store, identity.key)."""

    def __init__(self, top, name, center, identity, peers=(), interval=3600, limits=None):
        self.name = name
        self.dir = os.path.join(top, name)
        os.makedirs(self.dir, exist_ok=True)
        key = os.path.join(self.dir, "identity.key")
        if not os.path.exists(key):
            shutil.copyfile(identity, key)
            os.chmod(key, 0o600)
        self.port = hb.free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.center = center
        self.peers = list(peers)          # (Daemon, its key hex)
        self.interval = interval
        self.limits = limits or {}
        self.proc = None
        self.log = os.path.join(self.dir, "hirobad.log")
        self.t_start = None

    def write_conf(self):
        with open(os.path.join(self.dir, "hirobad.conf"), "w", encoding="utf-8") as f:
            f.write("[node]\nname = %s\ndata = .\nkey = identity.key\ncenter = %s\n"
                    "listen = %s\nsync_interval = %d\n"
                    % (self.name, self.center, self.endpoint, self.interval))
            if self.limits:
                f.write("\n[limits]\n")
                for k, v in self.limits.items():
                    f.write("%s = %s\n" % (k, v))
            for p, key in self.peers:
                f.write("\n[peer %s]\nendpoint = %s\nkey = %s\n" % (p.name, p.endpoint, key))

    def start(self, wait=True):
        self.write_conf()
        logf = open(self.log, "a")
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen([HIROBAD, "-v", "-c", os.path.join(self.dir, "hirobad.conf")],
                                     stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        if wait:
            hb.wait_for(self.name + " to answer", self.answers, timeout=60)
        return self

    def answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("%s exited with %s:\n%s" % (self.name, self.proc.returncode,
                                                             self.logtail()))
        return self.cli("status").returncode == 0

    def logtail(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    def cli(self, *args):
        return subprocess.run([HIROBA, "-d", self.dir] + list(args), capture_output=True,
                              text=True, timeout=120)

    def status(self):
        r = self.cli("--json", "status")
        return json.loads(r.stdout.splitlines()[0]) if r.returncode == 0 else {}

    def vector(self):
        return {a["author"]: a["complete"] for a in self.status().get("authors", [])}

    def proc_kib(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def rounds(self, peer):
        return hb.rounds_in_log(self.log, peer)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc = None


def run_json(*args):
    out = subprocess.run(list(args), check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def gen(top, n, keys, ids=3):
    prep = os.path.join(top, "prep")
    t = time.monotonic()
    g = run_json(WORKLOAD, "gen", "-n", str(n), "-k", str(keys), "-i", str(ids), prep)
    g["dir"] = prep
    g["file"] = os.path.join(prep, "records.bin")
    print("prep: %d records from %d keys signed in %.1f s (all CPUs; not measured)"
          % (n, keys, time.monotonic() - t))
    return g


def ingest(g, dest, *opts):
    os.makedirs(dest, exist_ok=True)
    return run_json(WORKLOAD, "ingest", *opts, g["file"], dest)


def copy_store(src, dest):
    os.makedirs(dest, exist_ok=True)
    shutil.copyfile(os.path.join(src, "data.mdb"), os.path.join(dest, "data.mdb"))


def mib(kib):
    return kib / 1024.0


def fmt_bytes(b):
    if b >= 1e6:
        return "%.2f MB" % (b / 1e6)
    if b >= 1e4:
        return "%.1f KB" % (b / 1e3)
    return "%d B" % b


def wait_equal(d, target, timeout=900):
    """Poll until d's vector equals target; returns seconds since d was started."""
    def done():
        if d.proc.poll() is not None:
            raise AssertionError("%s exited with %s:\n%s" % (d.name, d.proc.returncode,
                                                             d.logtail()))
        return d.vector() == target
    hb.wait_for(d.name + " to hold every record", done, timeout=timeout, step=0.05)
    return time.monotonic() - d.t_start


def equal_rounds(b, peer, count=20):
    """count rounds triggered by `hiroba sync` after the first; (bytes up, down, ms) lists."""
    hb.wait_for("the first round", lambda: len(b.rounds(peer)) >= 1, timeout=120)
    first = len(b.rounds(peer))
    for _ in range(count):
        b.cli("sync")
        time.sleep(0.15)
    hb.wait_for("%d rounds" % count, lambda: len(b.rounds(peer)) >= first + count,
                timeout=60)
    eq = b.rounds(peer)[first:]
    return [r[1] for r in eq], [r[2] for r in eq], [r[3] for r in eq], [r[0] for r in eq]


def row(what, ours, strfry, ratio=""):
    print("| %-44s | %-46s | %-30s | %s" % (what, ours, strfry, ratio))


def peer(top, n):
    g = gen(top, n, 1000, ids=3)
    vr_gen = g["verify_rate"]
    w = os.path.join(top, "w")
    a_dir, b_dir, c_dir, d_dir = (os.path.join(w, x) for x in "abcd")

    # W1: the daemon's ingest path (store_ingest, batches of 1000, verify_threads = all
    # CPUs), into what becomes daemon a's store.
    w1 = ingest(g, a_dir)
    vr = w1["verify_rate"]
    bpr = w1["file_bytes"] / float(w1["store_records"])
    copy_store(a_dir, b_dir)
    w5prep = ingest(g, d_dir, "-x", "100")

    center = g["center"]
    a = Daemon(w, "a", center, os.path.join(g["dir"], "center.key"))
    ids = [os.path.join(g["dir"], "id", "%d.key" % i) for i in range(3)]
    b = Daemon(w, "b", center, ids[0], peers=[(a, center)])
    c = Daemon(w, "c", center, ids[1], peers=[(a, center)])
    d = Daemon(w, "d", center, ids[2], peers=[(a, center)])
    try:
        a.start()
        time.sleep(1)
        a_fresh = (a.proc_kib("RssAnon"), a.proc_kib("RssFile"))
        target = a.vector()
        # W3: an empty daemon (no store yet, not even the admissions) pulls everything.
        c.start(wait=False)
        w3_wall = wait_equal(c, target)
        r3 = c.rounds("a")
        w3_recs = sum(r[0] for r in r3)
        w3_up, w3_down, w3_ms = sum(r[1] for r in r3), sum(r[2] for r in r3), sum(r[3] for r in r3)
        c_hwm = c.proc_kib("VmHWM")
        c.stop()
        a_hwm_w3 = a.proc_kib("VmHWM")

        # W4: equal stores.
        b.start()
        up, down, ms, recs = equal_rounds(b, "a")
        b_hwm = b.proc_kib("VmHWM")
        b.stop()

        # W5: d misses every 100th record.
        d.start(wait=False)
        w5_wall = wait_equal(d, target)
        r5 = d.rounds("a")
        w5_recs = sum(r[0] for r in r5)
        w5_up, w5_down, w5_ms = sum(r[1] for r in r5), sum(r[2] for r in r5), sum(r[3] for r in r5)
        d_hwm = d.proc_kib("VmHWM")
        d.stop()
        a_hwm = a.proc_kib("VmHWM")
        a.stop()
    except AssertionError as e:
        for x in (a, b, c, d):
            if x.proc:
                print("==== %s ====\n%s" % (x.name, x.logtail()))
        raise e
    finally:
        for x in (a, b, c, d):
            x.stop()

    print()
    print("verify 1-core (crypto_sign_verify_detached, 450-byte messages): %.0f/s in this run "
          "(%.0f before W1, %.0f after; %.0f at prep); strfry's BIP-340 on its CPU: ~%.0f/s"
          % (vr, w1["verify_before"], w1["verify_after"], vr_gen, STRFRY_VERIFY))
    print("%d records, 1,000 keys, 300-byte text; %d CPUs; envelopes %.0f bytes on average"
          % (n, w1["cpus"], w1["envelope_bytes"] / float(n)))
    print()
    print("| %-44s | %-46s | %-30s | %s" % ("workload", "hiroba", "strfry (PEERS.md)",
                                           "ratios"))
    s = STRFRY["W1"]
    row("W1 import %dk with verification" % (n // 1000),
        "%.2f s = %.0f rec/s; %.1f MiB peak RSS" % (w1["seconds"], w1["rate"],
                                                    mib(w1["hwm_ingest_kib"])),
        "%.2f s = %d ev/s; %.1f MiB" % (s["seconds"], s["rate"], s["rss_mib"]),
        "%.2f of 1-core verify (strfry %.2f of its own); %.2fx strfry's rate"
        % (w1["rate"] / vr, s["rate"] / STRFRY_VERIFY, w1["rate"] / s["rate"]))
    s = STRFRY["W3"]
    rate3 = n / w3_wall           # the workload's records; the admissions came too
    row("W3 full sync into an empty daemon (pulling)",
        "%.2f s = %.0f rec/s (rounds %.2f s); %.1f MiB; %s up, %s down"
        % (w3_wall, rate3, w3_ms / 1000.0, mib(c_hwm), fmt_bytes(w3_up), fmt_bytes(w3_down)),
        "%.1f s = %d ev/s; %.1f MiB; %s up, %s down"
        % (s["seconds"], s["rate"], s["rss_mib"], fmt_bytes(s["up"]), fmt_bytes(s["down"])),
        "%.2f of 1-core verify (strfry %.2f); %.2fx strfry's rate; %.2f of our W1"
        % (rate3 / vr, s["rate"] / STRFRY_VERIFY, rate3 / s["rate"], rate3 / w1["rate"]))
    s = STRFRY["W4"]
    row("W4 no-op round, equal stores (%d rounds)" % len(up),
        "median %.1f ms (max %d); %s up + %s down"
        % (statistics.median(ms), max(ms), fmt_bytes(statistics.median(up)),
           fmt_bytes(statistics.median(down))),
        "%.3f s whole process; %d B up + %d B down" % (s["seconds"], s["up"], s["down"]),
        "bytes %.1fx strfry's; target < 4096 B, < 20 ms"
        % ((statistics.median(up) + statistics.median(down)) / float(s["up"] + s["down"])))
    s = STRFRY["W5"]
    row("W5 1%% divergence (%d missing, every 100th)" % (n // 100),
        "%.2f s to all (rounds %.2f s, %d records); %s up, %s down"
        % (w5_wall, w5_ms / 1000.0, w5_recs, fmt_bytes(w5_up), fmt_bytes(w5_down)),
        "%.2f s; %s up, %s down" % (s["seconds"], fmt_bytes(s["up"]), fmt_bytes(s["down"])),
        "%.2fx strfry's time; %.0f bytes per missing record"
        % (w5_wall / s["seconds"], (w5_up + w5_down) / float(max(1, n // 100))))
    row("store size after W1",
        "%.1f MB data.mdb (%.0f B per record)" % (w1["file_bytes"] / 1e6, bpr),
        "164.8 MB (%d B per record)" % STRFRY["bytes_per_record"],
        "%.2fx strfry's; envelope alone %.0f B"
        % (bpr / STRFRY["bytes_per_record"], w1["envelope_bytes"] / float(n)))
    print()
    print("peak RSS (VmHWM): ingest %.1f MiB; a (serving W3, W4, W5) %.1f MiB after W3, %.1f MiB "
          "at the end; c (W3, pulling) %.1f MiB; b (W4) %.1f MiB; d (W5) %.1f MiB"
          % (mib(w1["hwm_ingest_kib"]), mib(a_hwm_w3), mib(a_hwm), mib(c_hwm), mib(b_hwm), mib(d_hwm)))
    print("daemon a 1 s after its start, before any peer came: %.1f MiB its own (RssAnon), "
          "%.1f MiB of LMDB pages (RssFile): the expiry scan at start (store_purge_expired, "
          "every 60 s; %.0f ms on this store after W1) reads every current event"
          % (mib(a_fresh[0]), mib(a_fresh[1]), w1["purge_ms"]))
    print("W3 rounds: %d, %d records (the workload's and the admissions); W5 rounds: %d, %d records; W4 rounds moved %d records"
          % (len(r3), w3_recs, len(r5), w5_recs, sum(recs)))
    print("W3/W5 wall: from the pulling daemon's start (exec, store open, connect) until "
          "`hiroba status` shows every author complete (polled every 50 ms)")
    print("W5 store: %d records before the sync" % w5prep["records"])


def rounds(top, n, authors=(50, 1000, 10000)):
    res = []
    for k in authors:
        sub = os.path.join(top, "r%d" % k)
        os.makedirs(sub)
        g = gen(sub, n, k, ids=1)
        a_dir = os.path.join(sub, "a")
        ingest(g, a_dir)
        copy_store(a_dir, os.path.join(sub, "b"))
        a = Daemon(sub, "a", g["center"], os.path.join(g["dir"], "center.key"))
        b = Daemon(sub, "b", g["center"], os.path.join(g["dir"], "id", "0.key"),
                   peers=[(a, g["center"])])
        try:
            a.start()
            b.start()
            up, down, ms, recs = equal_rounds(b, "a")
        except AssertionError:
            for x in (a, b):
                if x.proc:
                    print("==== %s ====\n%s" % (x.name, x.logtail()))
            raise
        finally:
            b.stop()
            a.stop()
        res.append((k, up, down, ms, recs))
        shutil.rmtree(sub, ignore_errors=True)
    print()
    print("rounds between equal stores of %d records (20 rounds each, `hiroba sync`; "
          "targets < 4096 bytes, < 20 ms):" % n)
    print("| authors | bytes up (median/max) | bytes down (median/max) | total median "
          "| ms median | ms max | records moved |")
    for k, up, down, ms, recs in res:
        print("| %7d | %8d / %-8d | %8d / %-8d | %8d | %5.1f | %4d | %d |"
              % (k, statistics.median(up), max(up), statistics.median(down), max(down),
                 statistics.median([u + d for u, d in zip(up, down)]),
                 statistics.median(ms), max(ms), sum(recs)))
    print("strfry (negentropy), 1,000 keys: 685 B up + 20 B down, one round trip")


def growth(top, sizes):
    g = gen(top, max(sizes), 1000, ids=1)
    rows = []
    for n in sizes:
        dest = os.path.join(top, "g%d" % n)
        r = ingest(g, dest, "-n", str(n))
        shutil.copyfile(os.path.join(g["dir"], "root.hex"), os.path.join(dest, "root.hex"))
        q = subprocess.run([QUERY, "-d", dest, "-q", "100" if n >= 500000 else "300"],
                           check=True, capture_output=True, text=True).stdout
        qs = {}
        for m in re.finditer(r"query (.+?): (\d+) queries, median ([\d.]+) ms, p99 ([\d.]+) ms, "
                             r"([\d.]+) results/query", q):
            qs[m.group(1).split(" ")[0]] = (float(m.group(3)), float(m.group(4)),
                                            float(m.group(5)))
        scan = run_json(WORKLOAD, "scan", dest)
        rows.append((n, r, qs, scan))
        shutil.rmtree(dest, ignore_errors=True)
        print("  %d done" % n, flush=True)
    print()
    print("growth (the peer's workload: 1,000 keys, 300-byte text; fresh store per size; "
          "store_ingest, batches of 1000, verify on all CPUs):")
    print("| records | ingest rec/s | ratio to 1-core verify | rate per tenth of the run (rec/s) "
          "| bytes/record (data.mdb) | peak RSS MiB | month query median/p99 ms (results) "
          "| text query median/p99 ms | 1 km query p99 ms | expiry scan ms (after ingest / "
          "fresh process) | map pages the scan made resident MiB |")
    for n, r, qs, scan in rows:
        mo = qs.get("month", (0, 0, 0))
        tx = qs.get("text", (0, 0, 0))
        km = qs.get("1", (0, 0, 0))
        print("| %7d | %6.0f | %.2f (verify %.0f/s) | %s | %.0f | %.1f | %.2f / %.2f (%.0f) "
              "| %.3f / %.3f | %.3f | %.0f / %.0f | %.1f |"
              % (n, r["rate"], r["rate"] / r["verify_rate"], r["verify_rate"],
                 " ".join("%.0f" % x for x in r["tenths"]) or "-",
                 r["file_bytes"] / float(r["store_records"]), mib(r["hwm_ingest_kib"]),
                 mo[0], mo[1], mo[2], tx[0], tx[1], km[1], r["purge_ms"], scan["scan_ms"],
                 mib(scan["rssfile_after_kib"] - scan["rssfile_before_kib"])))
    print("expiry scan: store_purge_expired with nothing to purge, as hirobad's event loop "
          "runs it at start and every 60 s (privacy_tick), in a write transaction; timed in "
          "the ingesting process and in a fresh one (pages in the page cache, not yet in "
          "its map). Peak RSS: the ingesting process's VmHWM before that scan (resident "
          "LMDB pages included). Text query: bench_query's Japanese words, which this "
          "workload never contains (the lookup alone); 1 km: no places in it.")


def main():
    mode = sys.argv[2] if len(sys.argv) > 2 else "peer"
    args = sys.argv[3:]
    top = tempfile.mkdtemp(prefix="hiroba-bench-")
    try:
        if mode == "peer":
            peer(top, int(args[0]) if args else 100000)
        elif mode == "rounds":
            rounds(top, int(args[0]) if args else 100000)
        elif mode == "growth":
            growth(top, [int(x) for x in args] if args else [10000, 100000, 1000000])
        else:
            sys.exit("bench_peer.py BUILD peer|rounds|growth [...]")
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
