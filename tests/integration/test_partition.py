# SPDX-License-Identifier: ISC
"""Partitions (issue 7): five daemons, each in a network namespace of its own, wired by
veth pairs to a bridge in a sixth namespace. Records are published at every node while
the network is split in random halves, while one node is isolated, and while the links
drop packets; after healing, every node must hold the same records (every author's
`complete` equal everywhere, and equal to what the author holds of itself) within 60 s.

Needs root (ip netns, ip link, tc); skips with a message where namespaces are not
permitted. Addresses are 10.231.0.0/24, only between our own veths inside our own
namespaces; every namespace is deleted at the end, whatever happens.

Packet loss: `tc qdisc ... netem loss 20% delay 50ms` where the kernel has netem; else a
token bucket (tbf) so small that it drops much of the traffic, plus short random link
flaps. HIROBA_PARTITION_SEED replays one run's random choices.
"""
import os
import random
import re
import subprocess
import time
import unittest

import hb
from hb import event, wait_for

SANITIZE = os.environ.get("HIROBA_SANITIZE", "") not in ("", "0")
T0 = int(time.time()) + 7 * 86400
NODES = 5
NET = "10.231.0."
CONVERGE = 60.0
PARTED = 20         # seconds of the last partition


def sh(*cmd, check=True):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r


class Partition(hb.FederationTest):

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("network namespaces need root")
        tag = "hb%d" % (os.getpid() % 100000)
        self.br = tag + "-br"
        self.ns = ["%s-n%d" % (tag, i) for i in range(NODES)]
        self.made = []
        self.addCleanup(self.cleanup)
        r = sh("ip", "netns", "add", self.br, check=False)
        if r.returncode != 0:
            self.skipTest("ip netns add is not permitted here: %s" % r.stderr.strip())
        self.made.append(self.br)
        try:
            self.wire()
        except RuntimeError as e:
            self.skipTest("cannot build the test network: %s" % e)
        self.netem = sh("ip", "netns", "exec", self.br, "tc", "qdisc", "add", "dev", "p0",
                        "root", "netem", "loss", "20%", "delay", "50ms",
                        check=False).returncode == 0
        if self.netem:
            sh("ip", "netns", "exec", self.br, "tc", "qdisc", "del", "dev", "p0", "root")

    def wire(self):
        brx = ["ip", "-n", self.br]
        sh(*brx, "link", "add", "br0", "type", "bridge")
        sh(*brx, "link", "add", "br1", "type", "bridge")
        sh(*brx, "link", "set", "br0", "up")
        sh(*brx, "link", "set", "br1", "up")
        for i, ns in enumerate(self.ns):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh(*brx, "link", "add", "p%d" % i, "type", "veth", "peer", "name", "eth0",
               "netns", ns)
            sh(*brx, "link", "set", "p%d" % i, "master", "br0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", "%s%d/24" % (NET, i + 1), "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")

    def cleanup(self):
        for g in self.fed.groups:           # the daemons first: they hold the namespaces
            if g.proc is not None and g.proc.poll() is None:
                g.proc.kill()
                g.proc.wait()
        for ns in reversed(self.made):
            sh("ip", "netns", "del", ns, check=False)

    # ---- the network ----
    def port(self, i):
        return "p%d" % i

    def split(self, side):
        """Nodes in `side` on bridge br1, the rest on br0: two halves."""
        for i in range(NODES):
            sh("ip", "-n", self.br, "link", "set", self.port(i), "master",
               "br1" if i in side else "br0")

    def isolate(self, i, down=True):
        sh("ip", "-n", self.br, "link", "set", self.port(i), "down" if down else "up")

    def lossy(self, on):
        for i in range(NODES):
            tc = ["ip", "netns", "exec", self.br, "tc", "qdisc"]
            if not on:
                sh(*tc, "del", "dev", self.port(i), "root", check=False)
            elif self.netem:
                sh(*tc, "replace", "dev", self.port(i), "root", "netem", "loss", "20%",
                   "delay", "50ms")
            else:   # no netem here: a bucket so small that bursts are dropped
                sh(*tc, "replace", "dev", self.port(i), "root", "tbf", "rate", "400kbit",
                   "burst", "3000", "limit", "3000")

    def heal(self):
        self.lossy(False)
        self.split(set())
        for i in range(NODES):
            self.isolate(i, down=False)

    # ---- the groups ----
    def build(self):
        f = self.fed
        center = f.add_center("center", start=False)
        groups = [center] + [f.add_group("group%d" % i, "circle", admit=False)
                            for i in range(1, NODES)]
        for i, g in enumerate(groups):
            g.endpoint = "tcp://%s%d:7460" % (NET, i + 1)
            with open(g.conf, encoding="utf-8") as fh:
                conf = fh.read()
            conf = re.sub(r"(?m)^listen = .*$", "listen = " + g.endpoint, conf)
            with open(g.conf, "w", encoding="utf-8") as fh:
                fh.write(conf)
            g.wrap = ["ip", "netns", "exec", self.ns[i]]
        for g in groups:                    # a full mesh
            for o in groups:
                if o is not g:
                    g.add_peer(o)
        center.start()
        for g in groups[1:]:
            center.cli("admit", g.key, "--name", g.name, "--kind", "circle")
        f.start(*groups[1:])
        return groups

    def vectors(self, groups):
        out = []
        for g in groups:
            out.append({a["author"]: (a.get("complete", 0), a.get("records", 0))
                        for a in g.status().get("authors", [])})
        return out

    def converged(self, groups):
        v = self.vectors(groups)
        own = {g.key: v[i].get(g.key, (0, 0)) for i, g in enumerate(groups)}
        for i in range(len(groups)):
            if v[i] != v[0]:
                return None
        for key, c in own.items():
            if v[0].get(key) != c:
                return None
        return v[0]

    def test_partitions_heal(self):
        seed = int(os.environ.get("HIROBA_PARTITION_SEED", random.randrange(1 << 30)))
        rnd = random.Random(seed)
        per = 2 if SANITIZE else 4
        groups = self.build()
        published = {g.key: [] for g in groups}
        counter = [0]

        def publish_everywhere(phase):
            for g in groups:
                for _ in range(per):
                    counter[0] += 1
                    rid = "event/%s-%d" % (phase, counter[0])
                    g.publish(event(rid, "%s %s %d" % (g.name, phase, counter[0]),
                                    T0 + counter[0] * 600))
                    published[g.key].append(rid)
                time.sleep(rnd.uniform(0, 0.3))

        phases = []
        # 1. one network, but lossy, with links flapping
        self.lossy(True)
        phases.append("lossy, flapping")
        for _ in range(3):
            k = rnd.randrange(NODES)
            self.isolate(k)
            publish_everywhere("flap")
            time.sleep(rnd.uniform(0.2, 1.0))
            self.isolate(k, down=False)
        # 2. random halves, still lossy
        side = set(rnd.sample(range(NODES), rnd.choice((2, 3))))
        self.split(side)
        phases.append("split %s | %s, lossy" % (sorted(side),
                                                 sorted(set(range(NODES)) - side)))
        publish_everywhere("split1")
        time.sleep(3)
        # 3. other random halves, one node isolated from everyone, for longer than the
        # heartbeat timeout (15 s): links die and must be made again
        self.lossy(False)
        side = set(rnd.sample(range(NODES), rnd.choice((2, 3))))
        alone = rnd.randrange(NODES)
        self.split(side)
        self.isolate(alone)
        phases.append("split %s | %s, node %d isolated, %d s" % (
            sorted(side), sorted(set(range(NODES)) - side), alone, PARTED))
        t = time.monotonic()
        publish_everywhere("split2")
        # the split is real: a record does not cross it
        a = [i for i in side if i != alone]
        b = [i for i in range(NODES) if i not in side and i != alone]
        if a and b:
            time.sleep(3)
            ga, gb = groups[a[0]], groups[b[0]]
            self.assertFalse(gb.has(ga.key, published[ga.key][-1]),
                             "a record crossed the partition")
            self.assertTrue(groups[a[-1]].has(ga.key, published[ga.key][-1]) or
                            len(a) == 1, "a record did not spread within its half")
        time.sleep(max(0.0, PARTED - (time.monotonic() - t)))
        publish_everywhere("split3")
        # heal, and time how long until every node holds the same records
        self.heal()
        t0 = time.monotonic()
        final = wait_for("all five nodes to converge (seed %d)" % seed,
                         lambda: self.converged(groups), timeout=CONVERGE, step=0.2)
        took = time.monotonic() - t0
        for g in groups:                    # nothing lost: every record everywhere
            self.assertEqual(final[g.key][0], g.complete(g.key))
            for o in groups:
                for rid in (published[g.key][0], published[g.key][-1]):
                    self.assertTrue(o.has(g.key, rid), "%s lacks %s/%s" % (o.name, g.name, rid))
        for g in groups:
            self.assertIsNone(g.proc.poll(), "%s's hirobad died" % g.name)
        print("\npartitions (seed %d, %s): %s; %d records published; converged %.1f s "
              "after healing" % (seed, "netem" if self.netem else "tbf, no netem",
                                 "; ".join(phases), sum(map(len, published.values())), took))


if __name__ == "__main__":
    unittest.main(verbosity=2)
