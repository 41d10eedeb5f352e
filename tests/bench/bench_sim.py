#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A simulated federation on one machine (issue 15 item 5): D daemons (default 50) on a
random connected graph of degree 3 (seeded, printed), records published at random
daemons. Prints, asserting nothing about time:

  - the time until every daemon has a record (p50/p99 over RECORDS records, published
    one at a time), and when each daemon got it;
  - bytes per record per daemon: what crossed the loopback (TCP/IP headers, CURVE and
    ZMTP framing included) while they spread, less the idle traffic of the same span;
  - the idle traffic (the rounds every sync_interval on every link);
  - convergence after 10% of the daemons restart: they stop, RECORDS/2 records are
    published at the others, they start again; the time from their start until every
    daemon has every record;
  - each daemon's peak RSS.

  bench_sim.py BUILD [DAEMONS] [RECORDS] [SEED] [SYNC_INTERVAL]

The whole run is in its own network namespace (unshare -n, when allowed) so that the
loopback counters (/proc/self/net/dev) count only these daemons; otherwise they count
the machine's loopback and the bytes are an upper bound.
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_peer  # noqa: E402
from bench_peer import Daemon, hb, run_json, WORKLOAD, mib  # noqa: E402

SIM = os.path.join(bench_peer.BUILD, "tests", "bench", "bench_sim")
ARGS = sys.argv[2:]
D = int(ARGS[0]) if len(ARGS) > 0 else 50
RECORDS = int(ARGS[1]) if len(ARGS) > 1 else 100
SEED = int(ARGS[2]) if len(ARGS) > 2 else 1
INTERVAL = int(ARGS[3]) if len(ARGS) > 3 else 30
# small daemons: 50 of them share two cores and the memory of one machine
LIMITS = {"mapsize": "1M", "verify_threads": 1, "hwm": 1000}


def in_netns():
    """Re-run this script in a fresh network namespace; False if that is not allowed."""
    if os.environ.get("HB_SIM_NETNS") == "1":
        return True
    if shutil.which("unshare") is None:
        return False
    env = dict(os.environ, HB_SIM_NETNS="1")
    cmd = ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up 2>/dev/null || '
           'ifconfig lo up 2>/dev/null; exec "$@"', "sh", sys.executable, "-B"] + sys.argv
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        return False
    sys.stdout.flush()
    os.execvpe("unshare", cmd, env)
    return True  # not reached


def lo_bytes():
    with open("/proc/self/net/dev") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == "lo":
                return int(rest.split()[8])      # transmitted bytes
    return 0


def regular_graph(n, deg, rng):
    """A random connected simple deg-regular graph (configuration model, retried)."""
    for _ in range(10000):
        ends = [v for v in range(n) for _ in range(deg)]
        rng.shuffle(ends)
        edges = set()
        ok = True
        for i in range(0, len(ends), 2):
            u, v = sorted((ends[i], ends[i + 1]))
            if u == v or (u, v) in edges:
                ok = False
                break
            edges.add((u, v))
        if ok and len(distances(n, edges, 0)) == n:     # connected
            return sorted(edges)
    raise SystemExit("no connected %d-regular graph on %d nodes" % (deg, n))


def distances(n, edges, src):
    adj = {v: [] for v in range(n)}
    for u, v in edges:
        adj[u].append(v)
        adj[v].append(u)
    dist, frontier = {src: 0}, [src]
    while frontier:
        nxt = []
        for u in frontier:
            for w in adj[u]:
                if w not in dist:
                    dist[w] = dist[u] + 1
                    nxt.append(w)
        frontier = nxt
    return dist


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def write_list(path, daemons, keys):
    with open(path, "w") as f:
        for d in daemons:
            f.write("%s %s\n" % (d.dir, keys[d.name]))


def main():
    netns = in_netns()
    rng = random.Random(SEED)
    top = tempfile.mkdtemp(prefix="hiroba-bench-sim-")
    daemons = []
    try:
        prep = os.path.join(top, "prep")
        g = run_json(WORKLOAD, "gen", "-n", "0", "-k", str(D), "-i", str(D), prep)
        keys = {"d%d" % i: g["ids"][i] for i in range(D)}
        edges = regular_graph(D, 3, rng)
        print("federation: %d daemons, %d links, degree 3, seed %d, sync_interval %d s, "
              "limits %s; %s" % (D, len(edges), SEED, INTERVAL, LIMITS,
                                 "own network namespace" if netns else
                                 "shared loopback (bytes include other traffic)"))
        print("links (the first dials the second): " +
              " ".join("%d-%d" % e for e in edges))
        ports = set()
        for i in range(D):
            d = Daemon(top, "d%d" % i, g["center"], os.path.join(prep, "id", "%d.key" % i),
                       interval=INTERVAL, limits=LIMITS)
            # free_port's random picks can repeat among 50: in our own namespace every
            # port is free, elsewhere draw again until unused
            while d.port in ports:
                d.port = 20000 + i if netns else hb.free_port()
            ports.add(d.port)
            d.endpoint = "tcp://127.0.0.1:%d" % d.port
            run_json(WORKLOAD, "ingest", "-a", os.path.join(prep, "records.bin"), d.dir)
            daemons.append(d)
        for u, v in edges:
            daemons[u].peers.append((daemons[v], keys["d%d" % v]))
        t = time.monotonic()
        for d in daemons:
            d.start(wait=False)
        for d in daemons:
            hb.wait_for(d.name + " to answer", d.answers, timeout=120, step=0.2)
        hb.wait_for("every link up", lambda: all(
            sum(1 for p in d.status().get("peers", []) if p.get("connected")) >= 3
            for d in daemons), timeout=180, step=0.5)
        print("started and linked in %.1f s; diameter %d hops, mean distance %.2f"
              % (time.monotonic() - t,
                 max(max(distances(D, edges, v).values()) for v in range(D)),
                 statistics.mean(x for v in range(D) for x in distances(D, edges, v).values()
                                 if x)))
        lst = os.path.join(top, "all.list")
        write_list(lst, daemons, keys)

        # idle: one sync_interval with nothing new
        time.sleep(2)
        b0, t0 = lo_bytes(), time.monotonic()
        time.sleep(INTERVAL)
        idle = (lo_bytes() - b0) / (time.monotonic() - t0)

        # spread
        b0, t0 = lo_bytes(), time.monotonic()
        out = subprocess.run([SIM, "spread", lst, str(SEED), str(RECORDS)], check=True,
                             capture_output=True, text=True).stdout
        span = time.monotonic() - t0
        sent = lo_bytes() - b0
        if os.environ.get("BENCH_SIM_RAW"):
            with open(os.environ["BENCH_SIM_RAW"], "w") as f:
                f.write(out)
        alls, each, per_hop, envs = [], [], {}, []
        for line in out.splitlines():
            f = line.split()
            who = int(f[0])
            alls.append(float(f[1]))
            envs.append(int(f[2]))
            each += [float(x) for i, x in enumerate(f[3:]) if i != who]
            dist = distances(D, edges, who)
            for i, x in enumerate(f[3:]):
                per_hop.setdefault(dist[i], []).append(float(x))
        net = max(0.0, sent - idle * span)

        # restart 10%
        down = sorted(rng.sample(range(D), max(1, D // 10)))
        for i in down:
            daemons[i].stop()
        up = [d for i, d in enumerate(daemons) if i not in down]
        lst_up = os.path.join(top, "up.list")
        write_list(lst_up, up, keys)
        refs = os.path.join(top, "refs")
        nr = max(1, RECORDS // 2)
        with open(refs, "w") as f:
            subprocess.run([SIM, "publish", lst_up, str(SEED + 1), str(nr)], check=True,
                           stdout=f)
        time.sleep(1)
        t0 = time.monotonic()
        for i in down:
            daemons[i].start(wait=False)
        w = subprocess.run([SIM, "wait", lst, refs, "600"], capture_output=True, text=True)
        conv = time.monotonic() - t0
        if w.returncode != 0:
            print("convergence: not within 600 s: " + w.stderr.strip())
        per = [float(x) for x in w.stdout.split()]
        hwm = [d.proc_kib("VmHWM") for d in daemons]
        # the poller's own resolution: asking all daemons for records they all hold
        one = os.path.join(top, "one")
        with open(refs) as f, open(one, "w") as o:
            o.write(f.readline())
        floor = subprocess.run([SIM, "wait", lst, one, "60"], capture_output=True,
                               text=True).stdout.split()
        floor = max(float(x) for x in floor) if floor else -1

        print()
        print("| figure | value |")
        print("|---|---|")
        print("| time until every daemon has a record (%d records, one at a time) | p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms |" % (len(alls), statistics.median(alls),
                                              pct(alls, 99), max(alls)))
        print("| time until a given daemon has it (all daemons, all records) | p50 %.1f ms, "
              "p90 %.1f ms, p99 %.1f ms |" % (statistics.median(each), pct(each, 90),
                                              pct(each, 99)))
        print("| the same by hops from the publisher (median ms) | %s |" % ", ".join(
            "%d: %.1f" % (h, statistics.median(v)) for h, v in sorted(per_hop.items()) if h))
        print("| slowest records until every daemon had them (ms) | %s |"
              % " ".join("%.0f" % x for x in sorted(alls)[-5:]))
        print("| bytes per record per daemon (loopback, less idle) | %.0f B (raw %.0f B: %d B "
              "in %.1f s); the signed record is %.0f B |"
              % (net / len(alls) / D, sent / len(alls) / D, sent, span, statistics.mean(envs)))
        print("| idle traffic, whole federation | %.0f B/s (%.0f B per link per sync_interval "
              "of %d s) |" % (idle, idle * INTERVAL / len(edges), INTERVAL))
        print("| convergence after %d daemons (%s) restart, %d records published meanwhile "
              "| %.2f s from their start until all %d daemons hold all (slowest daemon %.2f s "
              "after the poll began) |" % (len(down), ",".join("d%d" % i for i in down), nr,
                                          conv, D, max(per) / 1000.0 if per else -1))
        print("| the poller's resolution: all daemons asked at once for a record they hold | "
              "%.1f ms until the last answer (a floor under the times above) |" % floor)
        print("| peak RSS per daemon (VmHWM) | median %.1f MiB, max %.1f MiB |"
              % (mib(statistics.median(hwm)), mib(max(hwm))))
    except AssertionError:
        for d in daemons:
            if d.proc is not None and d.proc.poll() is not None:
                print("==== %s ====\n%s" % (d.name, d.logtail()))
        raise
    finally:
        for d in daemons:
            try:
                d.stop()
            except Exception:  # noqa: BLE001
                if d.proc:
                    d.proc.kill()
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
