# SPDX-License-Identifier: ISC
"""A model-based federation test (issue 11): seeded random histories over 3 to 6 real
hirobad daemons, driven only by the real CLI and by signals, then checked against
invariants once the network has healed.

A history (random.Random(seed)) builds a center and 2-4 groups, each with its own limits
drawn at random (max_batch 1..1000, max_message 256K..1M, hwm 10..1000, recon_leaf
1..16, recon_split 2..16, sync_window 1..8, sync_interval 1 s) and a random connected
topology, then runs operations drawn with weights:
publish an event, place or volunteer listing (Japanese text); edit (`event edit`, or
the same id published again); cancel; delete; a listing that expires within seconds;
`import json` / `import csv` of 5-30 events; admit a new group (started later, so it
joins after edits); revoke a group (it keeps publishing: nothing it signs after the
revocation may be stored anywhere else); copy another group's record (`show --json`,
then `publish -f` under its own key); stop, kill -9 and restart a daemon; a hot backup
(`hirobad -B`) and later a restore from it; partition (peer sections removed from the
configs on both sides of a random cut, SIGHUP) and heal.

Among the honest groups is one hostile member (issue 12), "rogue": admitted by the
center, with no daemon of its own; hbtool speaks for it to a random honest daemon. It
sends valid records (which must reach everyone), skips a seq and answers the pull that
follows with forged claims of 2^62 for every author, signs two versions of one seq and
gives one to each of two daemons (a fork), floods records past the per-member quota,
sends bad signatures, altered bodies, garbage and records dated an hour ahead, and sends
300 sync requests whose answers it never reads (the daemon's memory is measured).
Every daemon has the same member_records quota in a history (200 or 300).

Then: every daemon running, every peer section back, SIGHUP; wait until converged and
check (on every daemon but the revoked group's own, which the network no longer talks
to):
  1. the same current records everywhere (`hbtool dump`: author, seq, kind, hash, id of
     every current record, tombstones and memberships included); the first difference
     is shown;
  2. per author, on every daemon: complete >= the highest seq of that author's current
     records held anywhere, and <= the highest seq held anywhere (what it signed);
  3. nothing refused between honest daemons: `status` rejected = 0 on every daemon,
     but for records pushed before their group's admission arrived and records the
     revoked group pushed before its links were closed (see check_final); once the
     rogue has sent what must be refused (a fork, a flood past the quota, forgeries),
     refusals of its records relayed by honest daemons are expected, so then: no
     honest peer blamed (`status` peers[].blamed = 0) and no honest peer ignored
     (banned); the rogue may be both;
  4. after `hiroba compact` on every daemon, no byte of a dead record (deleted,
     replaced by an edit, or signed by the revoked group after its revocation) in any
     file of any daemon's data folder: every record carries a unique canary string in
     its description (ASCII or UTF-8), and a live canary must be found, so the scan is
     known to see the records;
  5. nothing the revoked group signed after its revocation is stored anywhere else;
  6. the rogue: no daemon holds more of its current records than the quota, and its
     `complete` is nowhere above the highest seq it signed (forged claims bound). Its
     records are compared in 1 and bounded below in 2 only until it forks or floods
     (then which of its records a daemon holds depends on arrival order).
Listings that expire are left out of 4 (the purge runs once a minute) and out of 1 once
expired (the dump hides them, as the daemon does). Sealed contacts (`--contact`) are not
drawn: the erasure of a listing's boxes, copies included, is checked byte by byte by
test_privacy (test_copied_box_erased_everywhere), not here yet.

The same history with another delivery order: once converged, one honest group's daemon
(not the center's) loses its store and syncs everything again from other peers with new
limits (redeliver), so that memberships, edits, tombstones, erasures and the rogue's
records reach it in another order and other batches; it must end with the same current
records, and its refusals are counted by 3 like the others'.

A failure raises ModelFailure naming the seed and the command that replays it.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
import traceback

import hb
from hb import wait_for

HBTOOL = os.environ.get("HBTOOL", "hbtool")
HIROBAD = os.environ.get("HIROBAD", "hirobad")
SANITIZE = os.environ.get("HIROBA_SANITIZE", "") not in ("", "0")

TITLES = ["親子のひろば「すくすく」", "プレママ・プレパパ教室", "父親向けプログラム「パパと遊ぼう」",
          "応援ネット地域別会議", "子育て相談", "絵本の読み聞かせ", "ふたご・みつごの会",
          "外国につながる親子の集い", "Baby massage", "離乳食講座"]
PLACES = ["瀬谷センター", "こもれび公園", "さくら保育園 園庭開放", "地区センター 和室",
          "中央図書館 こどもコーナー"]
CATS = ["pre_parent", "father", "play_space", "consultation", "supporter_training",
        "network_meeting", "support_system"]
T0 = int(time.time()) + 7 * 86400


def default_ops():
    return 25 if SANITIZE else 45


class ModelFailure(AssertionError):
    pass


def rss_mib(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def replay_command(seed, nops):
    return ("HIROBA_MODEL_SEED=%d HIROBA_MODEL_OPS=%d HIROBAD=%s HIROBA=%s HBTOOL=%s "
            "PYTHONPATH=tests/integration python3 -B tests/integration/test_model.py"
            % (seed, nops, HIROBAD, hb.HIROBA, HBTOOL))


def dump(g):
    """hbtool dump: ({author: (complete, max_seq)}, {(author, id): (seq, kind, hash)})."""
    r = subprocess.run([HBTOOL, "dump", g.conf], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise ModelFailure("hbtool dump %s failed: %s" % (g.name, r.stderr))
    authors, recs = {}, {}
    for line in r.stdout.splitlines():
        f = line.split(" ")
        if f[0] == "A":
            authors[f[1]] = (int(f[2]), int(f[3]))
        elif f[0] == "R":
            recs[(f[1], f[5])] = (int(f[2]), f[3], f[4])
    return authors, recs


class Node:
    """One group in the model: its hb.Group and what the model knows of it."""

    def __init__(self, group, limits):
        self.g = group
        self.limits = limits
        with open(group.conf, encoding="utf-8") as f:
            self.base = node_section(f.read())
        self.running = False
        self.backup = None          # folder of its last hot backup
        self.restored = False       # started from a backup: may refuse to publish a while
        self.revoked_after = None   # seq: valid_until_seq once the center revoked it
        self.admitted = False       # its own admission has reached it: it can publish


def node_section(conf):
    """The [node] section of a config: peers and limits are written by the model."""
    out = []
    for line in conf.splitlines():
        if line.startswith("[") and not line.startswith("[node]"):
            break
        out.append(line)
    return "\n".join(out).rstrip() + "\n"


class Model:

    def __init__(self, seed, nops=None, log=print):
        self.seed = seed
        self.rnd = random.Random(seed)
        # The range reconciliation's knobs (issue 15) from a stream of their own, so
        # that a seed's history stays what it was before they existed. Small leaves
        # and splits make a handful of authors go through every level of it.
        self.rnd_recon = random.Random("recon-%s" % seed)
        self.nops = nops if nops is not None else default_ops()
        self.log = log
        self.fed = hb.Federation(sync_interval=1)
        self.nodes = []
        self.edges = set()          # frozenset({a, b}) of node indexes
        self.cut = set()            # edges removed by the current partition
        self.live = {}              # (author, id) -> canary of its current version
        self.deleted = set()        # (author, id) its author deleted: tombstoned for good
        self.dead = set()           # canaries of versions that must be gone
        self.expiring = set()       # canaries of listings that expire
        self.expires_max = 0
        self.mine = {}              # node index -> [(id, kind)] of its own live records
        self.after_revoke = []      # (author, seq) signed by a revoked group afterwards
        self.rogue = None           # the hostile member's hb.Group (no daemon)
        self.rogue_seq = 0          # the highest seq it used
        self.rogue_unsure = False   # it forked or flooded: its records may differ
        self.rogue_refused = False  # it sent what honest daemons must refuse
        self.rogue_gap = False      # it skipped a seq: complete may stay below it
        self.quota = self.rnd.choice((200, 300))
        self.counter = 0
        self.stats = {"ops": 0, "daemons": 0, "kill9": 0, "partitions": 0, "restores": 0,
                      "converge_s": 0.0, "rogue_ops": 0, "flood_rss_mib": 0.0}
        self.trace = []

    # ---------------------------------------------------------------- helpers
    def note(self, s):
        self.trace.append(s)

    def fail(self, what):
        raise ModelFailure("model seed %d: %s\nops:\n  %s\nreplay: %s"
                           % (self.seed, what, "\n  ".join(self.trace),
                              replay_command(self.seed, self.nops)))

    def canary(self):
        self.counter += 1
        if self.rnd.random() < 0.5:
            return "cnry%d-%d-%08x" % (self.seed, self.counter, self.rnd.getrandbits(32))
        return "カナリア%d号%d" % (self.counter, self.rnd.getrandbits(24))

    def running(self, pred=None):
        return [i for i, n in enumerate(self.nodes)
                if n.running and (pred is None or pred(i, n))]

    def writers(self):
        """Nodes that can publish: running, not the revoked one (it has ops of its own),
        holding their admission (a group admitted while the center is cut off from it
        waits for the heal)."""
        c = self.nodes[0].g
        for n in self.nodes[1:]:
            if n.running and not n.admitted:
                n.admitted = n.g.has(c.key, "member/" + n.g.key)
        return self.running(lambda i, n: n.revoked_after is None and (i == 0 or n.admitted))

    def write_conf(self, i):
        n = self.nodes[i]
        text = n.base + "\n[limits]\n" + "".join("%s = %s\n" % kv for kv in n.limits.items())
        for e in sorted(self.edges, key=sorted):
            if i in e and e not in self.cut:
                (j,) = e - {i}
                o = self.nodes[j].g
                text += "\n[peer %s]\nendpoint = %s\nkey = %s\n" % (o.name, o.endpoint, o.key)
        with open(n.g.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def reload(self, i):
        self.write_conf(i)
        n = self.nodes[i]
        if n.running:
            n.g.proc.send_signal(signal.SIGHUP)

    def start(self, i):
        n = self.nodes[i]
        self.write_conf(i)
        n.g.start()
        n.running = True
        self.stats["daemons"] += 1

    def draw_limits(self):
        return {"max_batch": self.rnd.choice((1, 1, 2, 3, 7, 50, 1000)),
                "max_message": self.rnd.choice(("256K", "300K", "512K", "1M")),
                "hwm": self.rnd.choice((10, 20, 100, 1000)),
                "member_records": self.quota,
                "recon_leaf": self.rnd_recon.choice((1, 1, 2, 3, 16)),
                "recon_split": self.rnd_recon.choice((2, 2, 3, 16)),
                "sync_window": self.rnd_recon.choice((1, 2, 3, 4, 8))}

    def new_node(self, kind, center=False):
        name = "%s%d" % (kind, len(self.nodes))
        if center:
            g = hb.Group(self.fed, name, "center", sync_interval=1)
            self.fed.center = g
        else:
            g = hb.Group(self.fed, name, kind, center_key=self.fed.center.key,
                         sync_interval=1)
        self.fed.groups.append(g)
        n = Node(g, self.draw_limits())
        self.nodes.append(n)
        i = len(self.nodes) - 1
        self.mine[i] = []
        if i > 0:   # connected: one link to an earlier node, sometimes one more
            ok = [j for j in range(i) if self.nodes[j].revoked_after is None]
            self.edges.add(frozenset((i, self.rnd.choice(ok))))
            if i > 1 and self.rnd.random() < 0.4:
                self.edges.add(frozenset((i, self.rnd.choice(ok))))
        return i

    def admit(self, i):
        g = self.nodes[i].g
        self.nodes[0].g.cli("admit", g.key, "--name", g.name, "--kind", g.kind)

    def wait_admitted(self, i):
        g, c = self.nodes[i].g, self.nodes[0].g
        wait_for("%s to receive its admission (seed %d)" % (g.name, self.seed),
                 lambda: g.has(c.key, "member/" + g.key), timeout=60)
        self.nodes[i].admitted = True

    def published(self, i, rec, canary):
        """Bookkeeping after node i's record rec (the signed JSON) was stored."""
        n = self.nodes[i]
        key = (n.g.key, rec["id"])
        old = self.live.get(key)
        if n.revoked_after is not None and rec["seq"] > n.revoked_after:
            self.after_revoke.append((n.g.key, rec["seq"]))
            if canary is not None:
                self.dead.add(canary)
            return
        if old is not None and old != canary:
            self.retire(old)
        if canary is not None:
            self.live[key] = canary
        if all(r != rec["id"] for r, _ in self.mine[i]):
            self.mine[i].append((rec["id"], rec["kind"]))

    def retire(self, canary):
        if canary is not None and canary not in self.expiring:
            self.dead.add(canary)

    def publish_json(self, i, draft):
        """publish -f: the signed record, or None when the daemon refused (restored)."""
        n = self.nodes[i]
        r = n.g.cli("--json", "publish", "-f", "-", check=False,
                    input=json.dumps(draft, ensure_ascii=False))
        return self.result(i, r)

    def result(self, i, r):
        n = self.nodes[i]
        if r.returncode == 0:
            return json.loads(r.stdout.splitlines()[0])
        if n.restored and "restored" in r.stderr:
            return None
        # restored, and its own records not back from its peers yet: nothing to edit
        if n.restored and "this group has no record" in r.stderr:
            return None
        if n.revoked_after is not None and "revoked" in r.stderr:
            return None
        self.fail("%s: %s refused: %s" % (n.g.name, " ".join(r.args[3:]), r.stderr.strip()))

    def event_draft(self, rid, canary):
        start = T0 + self.rnd.randrange(0, 90) * 86400 + self.rnd.randrange(8, 18) * 3600
        return {"id": rid, "event": {
            "title": self.rnd.choice(TITLES), "category": self.rnd.choice(CATS),
            "description": "瀬谷区の親子向け。%s お気軽にどうぞ。" % canary,
            "when": {"start": start, "end": start + 3600 * self.rnd.choice((1, 2))}}}

    # ---------------------------------------------------------------- operations
    def op_event(self, i):
        c = self.canary()
        self.counter += 1
        rid = "event/m%d" % self.counter
        rec = self.publish_json(i, self.event_draft(rid, c))
        if rec is not None:
            self.published(i, rec, c)
        return "event %s" % rid

    def op_place(self, i):
        c = self.canary()
        self.counter += 1
        rid = "place/m%d" % self.counter
        r = self.nodes[i].g.cli(
            "--json", "place", "add", "--id", rid, "--name", self.rnd.choice(PLACES),
            "--lat", "35.%04d" % self.rnd.randrange(4600, 4800),
            "--lon", "139.%04d" % self.rnd.randrange(4800, 5000),
            "--tag", "changing_table=yes", "--description", "授乳室あり %s" % c, check=False)
        rec = self.result(i, r)
        if rec is not None:
            self.published(i, rec, c)
        return "place %s" % rid

    def op_volunteer(self, i, expires=None):
        c = self.canary()
        self.counter += 1
        rid = "volunteer/m%d" % self.counter
        args = ["--json", "volunteer", "add", self.rnd.choice(("--wanted", "--offered")),
                "--id", rid, "--title", "絵本の読み聞かせボランティア",
                "--skill", "reading", "--description", "土曜午前 %s" % c]
        if expires is not None:
            args += ["--expires", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))]
            self.expiring.add(c)
        rec = self.result(i, self.nodes[i].g.cli(*args, check=False))
        if rec is not None:
            if expires is not None:
                self.expires_max = max(self.expires_max, expires)
                self.published(i, rec, c)
                self.mine[i] = [m for m in self.mine[i] if m[0] != rid]
            else:
                self.published(i, rec, c)
        return "volunteer %s%s" % (rid, " expiring" if expires else "")

    def op_expiring(self, i):
        return self.op_volunteer(i, expires=int(time.time()) + self.rnd.randrange(3, 12))

    def pick_own(self, i, kinds=("event", "place", "volunteer")):
        mine = [m for m in self.mine[i] if m[1] in kinds]
        return self.rnd.choice(mine) if mine else None

    def op_edit(self, i):
        m = self.pick_own(i)
        if m is None:
            return self.op_event(i)
        rid, kind = m
        g = self.nodes[i].g
        c = self.canary()
        if kind == "event" and self.rnd.random() < 0.5:
            rec = self.publish_json(i, self.event_draft(rid, c))       # same id again
            how = "republish"
        else:
            r = g.cli("--json", kind, "edit", rid, "--description", "変更あり %s" % c,
                      check=False)
            rec = self.result(i, r)
            how = "edit"
        if rec is not None:
            self.published(i, rec, c)
        return "%s %s" % (how, rid)

    def op_cancel(self, i):
        m = self.pick_own(i, ("event",))
        if m is None:
            return self.op_event(i)
        rec = self.result(i, self.nodes[i].g.cli("--json", "event", "cancel", m[0],
                                                  check=False))
        if rec is not None:
            self.published(i, rec, self.live.get((self.nodes[i].g.key, m[0])))
        return "cancel %s" % m[0]

    def op_delete(self, i):
        m = self.pick_own(i)
        if m is None:
            return self.op_event(i)
        g = self.nodes[i].g
        rec = self.result(i, g.cli("--json", "delete", m[0], "--reason", "終了しました",
                                   check=False))
        if rec is not None:
            self.retire(self.live.pop((g.key, m[0]), None))
            self.deleted.add((g.key, m[0]))
            self.mine[i] = [x for x in self.mine[i] if x[0] != m[0]]
        return "delete %s" % m[0]

    def op_import(self, i):
        n = self.nodes[i]
        rows, canaries = [], {}
        for _ in range(self.rnd.randrange(5, 31)):
            c = self.canary()
            self.counter += 1
            rid = "event/imp%d" % self.counter
            rows.append(self.event_draft(rid, c))
            canaries[rid] = c
        path = os.path.join(self.fed.tmp, "import-%d" % self.counter)
        if self.rnd.random() < 0.6:
            path += ".json"
            with open(path, "w", encoding="utf-8") as f:
                json.dump(rows, f, ensure_ascii=False)
            how = "json"
        else:
            path += ".csv"
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("ID,タイトル,開始,終了,区分,説明\r\n")
                for d in rows:
                    ev = d["event"]
                    f.write('%s,%s,%s,%s,%s,"%s"\r\n' % (
                        d["id"], ev["title"],
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ev["when"]["start"])),
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ev["when"]["end"])),
                        ev["category"], ev["description"]))
            how = "csv"
        r = n.g.cli("import", how, path, check=False)
        if r.returncode != 0:
            if (n.restored and "restored" in r.stderr) or \
               (n.revoked_after is not None and "revoked" in r.stderr):
                return "import %s refused (%s)" % (how, r.stderr.strip()[:60])
            self.fail("%s: import %s refused: %s%s" % (n.g.name, how, r.stdout, r.stderr))
        # the seqs are not printed: ask the daemon for each record
        for rid, c in canaries.items():
            rec = n.g.show(n.g.key, rid)
            self.published(i, rec, c)
        return "import %s of %d events" % (how, len(rows))

    def op_copy(self, i):
        g = self.nodes[i].g
        # not onto an id this group deleted: its tombstone refuses that id for good
        others = [k for k in self.live if k[0] != g.key and not k[1].startswith("volunteer/")
                  and (g.key, k[1]) not in self.deleted]
        if not others:
            return self.op_event(i)
        author, rid = self.rnd.choice(sorted(others))
        rec = g.show(author, rid, check=False)
        if rec is None or rec.get("kind") not in ("event", "place"):
            return "copy %s/%s: not held here" % (author[:8], rid)
        draft = {"id": rid, rec["kind"]: rec[rec["kind"]]}
        new = self.publish_json(i, draft)
        if new is not None:
            # the canary of the version this daemon holds, which may not be the
            # newest the model knows of (an edit still on its way)
            m = re.search(r"cnry\d+-\d+-[0-9a-f]{8}|カナリア\d+号\d+",
                          json.dumps(rec[rec["kind"]], ensure_ascii=False))
            self.published(i, new, m.group(0) if m else None)
        return "copy %s/%s" % (author[:8], rid)

    def op_admit(self, i):
        if not self.nodes[0].running:
            self.start(0)
        j = self.new_node(self.rnd.choice(("nursery", "circle")))
        self.admit(j)
        self.start(j)
        return "admit and start %s (limits %s, peers %s)" % (
            self.nodes[j].g.name, self.nodes[j].limits, self.peers_of(j))

    def peers_of(self, j):
        return sorted(next(iter(e - {j})) for e in self.edges if j in e)

    def op_revoke(self, i):
        cands = [k for k in self.writers() if k != 0]
        if len(cands) < 2 or any(n.revoked_after is not None for n in self.nodes):
            return self.op_event(i)
        k = self.rnd.choice(cands)
        n, c = self.nodes[k], self.nodes[0].g
        self.heal_all()
        top = n.g.complete(n.g.key)
        # a group is revoked once the network holds what it published: the revocation
        # is not backdated below what the others may already have relied on
        wait_for("the center to hold %s's records before revoking it (seed %d)"
                 % (n.g.name, self.seed), lambda: c.complete(n.g.key) >= top, timeout=90)
        c.cli("revoke", n.g.key, "--after-seq", str(top))
        n.revoked_after = top
        # its links close: the coordinators connect its neighbours to the center
        for e in [e for e in self.edges if k in e]:
            (j,) = e - {k}
            if j != 0:
                self.edges.add(frozenset((0, j)))
                self.reload(j)
        self.reload(0)
        return "revoke %s after seq %d" % (n.g.name, top)

    def op_revoked_publishes(self, i):
        ks = [k for k, n in enumerate(self.nodes) if n.revoked_after is not None and n.running]
        if not ks:
            return self.op_event(i)
        k = ks[0]
        c = self.canary()
        self.counter += 1
        rec = self.publish_json(k, self.event_draft("event/after%d" % self.counter, c))
        if rec is not None:
            self.published(k, rec, c)
        return "revoked %s publishes: %s" % (self.nodes[k].g.name,
                                             "refused" if rec is None else "seq %d" % rec["seq"])

    def op_stop(self, i, kill=False):
        if len(self.running()) < 3:
            return self.op_event(i)
        n = self.nodes[i]
        if kill:
            n.g.kill()
            self.stats["kill9"] += 1
        else:
            rc = n.g.stop()
            if rc != 0:
                self.fail("%s's hirobad exited with %s on SIGTERM" % (n.g.name, rc))
        n.running = False
        return "%s %s" % ("kill -9" if kill else "stop", n.g.name)

    def op_kill(self, i):
        return self.op_stop(i, kill=True)

    def op_backup(self, i):
        n = self.nodes[i]
        dest = os.path.join(self.fed.tmp, "backup-%s-%d" % (n.g.name, self.counter))
        self.counter += 1
        r = subprocess.run([HIROBAD, "-c", n.g.conf, "-B", dest], capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            self.fail("hirobad -B of %s failed: %s%s" % (n.g.name, r.stdout, r.stderr))
        n.backup = dest
        return "backup %s" % n.g.name

    def op_restore(self, i):
        """The machine dies after its records reached the network; the group comes back
        from its last backup, in a new folder, and is caught up by its peers."""
        cands = [k for k in self.writers() if self.nodes[k].backup is not None]
        if not cands:
            return self.op_backup(i)
        k = self.rnd.choice(cands)
        n = self.nodes[k]
        self.heal_all()
        top = n.g.complete(n.g.key)
        others = [j for j in self.running() if j != k]
        wait_for("%s's records to reach a peer before its machine dies (seed %d)"
                 % (n.g.name, self.seed),
                 lambda: any(self.nodes[j].g.complete(n.g.key) >= top for j in others),
                 timeout=90)
        n.g.kill()
        self.stats["kill9"] += 1
        n.running = False
        old, new = n.g.dir, n.backup
        n.g.dir = new
        n.g.conf = os.path.join(new, "hirobad.conf")
        with open(n.g.conf, encoding="utf-8") as f:
            n.base = node_section(f.read())
        n.backup = None
        n.restored = True
        log = os.path.join(new, "hirobad.log")
        shutil.move(n.g.log, log)   # kept, for the failure report
        n.g.log = log
        shutil.rmtree(old)          # the dead machine's disk
        self.start(k)
        self.stats["restores"] += 1
        return "restore %s from its backup (it had published up to seq %d)" % (n.g.name, top)

    def op_restart(self, i):
        stopped = [k for k, n in enumerate(self.nodes)
                   if not n.running and n.revoked_after is None]
        if not stopped:
            return self.op_event(self.rnd.choice(self.writers()))
        k = self.rnd.choice(stopped)
        self.start(k)
        return "start %s" % self.nodes[k].g.name

    def op_partition(self, i):
        if self.cut:
            self.heal()
            return "heal"
        idx = list(range(len(self.nodes)))
        side = set(self.rnd.sample(idx, self.rnd.randrange(1, len(idx))))
        self.cut = {e for e in self.edges if len(e & side) == 1}
        for k in range(len(self.nodes)):
            self.reload(k)
        self.stats["partitions"] += 1
        return "partition %s | %s" % (sorted(side), sorted(set(idx) - side))

    def heal_all(self):
        """No partition, every honest daemon running: ops that need the network whole."""
        self.heal()
        for k, n in enumerate(self.nodes):
            if not n.running and n.revoked_after is None:
                self.start(k)

    def heal(self):
        if self.cut:
            self.cut = set()
            for k in range(len(self.nodes)):
                self.reload(k)

    # ---------------------------------------------------------------- the rogue
    def rogue_targets(self):
        """Honest running daemons that hold the rogue's admission (others would count
        its records as a non-member's, which is tested elsewhere)."""
        c = self.nodes[0].g
        return [k for k in self.running(lambda i, n: n.revoked_after is None)
                if self.nodes[k].g.has(c.key, "member/" + self.rogue.key)]

    def rogue_send(self, k, mode, seq, *opts):
        g = self.nodes[k].g
        r = subprocess.run([HBTOOL, "send"] + list(opts) +
                           [self.rogue.conf, g.endpoint, g.key, mode, str(seq)],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            self.fail("hbtool send %s to %s: %s" % (mode, g.name, r.stderr))
        self.stats["rogue_ops"] += 1
        return r.stdout

    def op_rogue_good(self, i):
        ks = self.rogue_targets()
        if not ks:
            return self.op_event(i)
        k, n = self.rnd.choice(ks), self.rnd.randrange(1, 20)
        self.rogue_send(k, "good", self.rogue_seq + 1, "-n", str(n))
        self.rogue_seq += n
        return "rogue sends seqs %d..%d to %s" % (self.rogue_seq - n + 1, self.rogue_seq,
                                                  self.nodes[k].g.name)

    def op_rogue_claim(self, i):
        """A record one seq past a gap: the daemon pulls from the rogue, which answers
        with claims of 2^62 for every author the pull names. Sent once the daemon holds
        no gap of its own, so that only the claims' bound is tested here: a claim that
        covers a missing record below what the receiver has seen is PROTOCOL.md 11.3's
        known limitation."""
        ks = self.rogue_targets()
        if not ks:
            return self.op_event(i)
        k = self.rnd.choice(ks)
        g = self.nodes[k].g

        def no_gap():
            return all(c == m for c, m in dump(g)[0].values())
        try:
            wait_for("no gap at %s" % g.name, no_gap, timeout=20)
        except AssertionError:
            return "rogue claim at %s skipped: it has a gap for 20 s" % g.name
        seq = self.rogue_seq + 2        # seq + 1 is never signed: a real hole
        self.rogue_gap = True           # which no claim covers where it is not known
        out = self.rogue_send(k, "good", seq, "-w", "5000", "-c", str(1 << 62))
        self.rogue_seq = seq
        for a, (c, m) in dump(g)[0].items():
            if c > m:
                self.fail("%s took a forged claim: author %s complete %d > max_seq %d"
                          % (g.name, a[:12], c, m))
        return "rogue skips seq %d, sends %d to %s and %s" % (
            seq - 1, seq, g.name, "claims 2^62" if "claimed" in out else "was not pulled")

    def op_rogue_fork(self, i):
        ks = self.rogue_targets()
        if len(ks) < 2:
            return self.op_rogue_good(i)
        a, b = self.rnd.sample(ks, 2)
        seq, now = self.rogue_seq + 1, int(time.time())
        self.rogue_send(a, "good", seq, "-t", str(now))
        self.rogue_send(b, "good", seq, "-t", str(now - 7))
        self.rogue_seq = seq
        self.rogue_unsure = self.rogue_refused = True
        return "rogue signs seq %d twice: one to %s, one to %s" % (
            seq, self.nodes[a].g.name, self.nodes[b].g.name)

    def op_rogue_flood(self, i):
        ks = self.rogue_targets()
        if not ks:
            return self.op_event(i)
        k, n = self.rnd.choice(ks), self.quota + 100
        self.rogue_send(k, "good", self.rogue_seq + 1, "-n", str(n))
        self.rogue_seq += n
        self.rogue_unsure = self.rogue_refused = True
        return "rogue floods %s with %d records (quota %d)" % (self.nodes[k].g.name, n,
                                                               self.quota)

    def op_rogue_forge(self, i):
        ks = self.rogue_targets()
        if not ks:
            return self.op_event(i)
        k = self.rnd.choice(ks)
        mode = self.rnd.choice(("badsig", "altered", "garbage", "future", "wrongkey"))
        self.rogue_send(k, mode, self.rogue_seq + 1)     # refused: the seq stays free
        self.rogue_refused = True
        return "rogue sends %s to %s" % (mode, self.nodes[k].g.name)

    def op_rogue_requests(self, i):
        """300 sync requests whose answers are never read: the daemon's memory stays
        within its per-peer answer budget."""
        ks = self.rogue_targets()
        if not ks:
            return self.op_event(i)
        k = self.rnd.choice(ks)
        g = self.nodes[k].g
        before = rss_mib(g.proc.pid)
        p = subprocess.Popen([HBTOOL, "flood", self.rogue.conf, g.endpoint, g.key, "300",
                              "sync"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            line = p.stdout.readline()
            if not line.startswith("sent"):
                self.fail("hbtool flood %s: %s%s" % (g.name, line, p.stderr.read()))
            # the daemon answers at its own pace: watch it a second
            worst = before
            for _ in range(10):
                worst = max(worst, rss_mib(g.proc.pid))
                time.sleep(0.1)
        finally:
            p.stdin.close()
            p.wait(30)
        grew = worst - before
        self.stats["flood_rss_mib"] = max(self.stats["flood_rss_mib"], grew)
        self.stats["rogue_ops"] += 1
        if grew > (200 if SANITIZE else 64):
            self.fail("%s grew by %.0f MiB under 300 unread sync requests" % (g.name, grew))
        return "rogue sends %s 300 sync requests, reads nothing (+%.1f MiB)" % (g.name,
                                                                                 grew)

    OPS = [("event", 14), ("place", 4), ("volunteer", 4), ("expiring", 2), ("edit", 12),
           ("cancel", 3), ("delete", 6), ("import", 3), ("copy", 4), ("admit", 3),
           ("revoke", 1), ("revoked_publishes", 3), ("stop", 2), ("kill", 3),
           ("restart", 6), ("backup", 1), ("restore", 1), ("partition", 3),
           ("rogue_good", 4), ("rogue_claim", 2), ("rogue_fork", 1), ("rogue_flood", 1),
           ("rogue_forge", 2), ("rogue_requests", 1)]

    # ---------------------------------------------------------------- a history
    def build(self):
        self.new_node("center", center=True)
        self.start(0)
        self.rogue = hb.Group(self.fed, "rogue", "circle", center_key=self.fed.center.key,
                              sync_interval=1)
        self.fed.groups.append(self.rogue)
        self.nodes[0].g.cli("admit", self.rogue.key, "--name", "rogue", "--kind", "circle")
        for _ in range(self.rnd.randrange(2, 4)):
            kind = self.rnd.choice(("nursery", "circle"))
            j = self.new_node(kind)
            self.admit(j)
        for j in range(1, len(self.nodes)):
            self.start(j)
        for j in range(1, len(self.nodes)):
            self.wait_admitted(j)
        self.note("start %s; edges %s; limits %s" % (
            [n.g.name for n in self.nodes], sorted(sorted(e) for e in self.edges),
            [n.limits for n in self.nodes]))

    def step(self):
        names = [o for o, _ in self.OPS]
        stopped = len(self.nodes) - len(self.running())
        # stopped daemons come back soon: most of a history runs on most of the network
        weights = [w + (12 * stopped if o == "restart" else 0) for o, w in self.OPS]
        op = self.rnd.choices(names, weights)[0]
        if op == "admit" and len(self.nodes) >= 6:
            op = "event"
        if op in ("restart",):
            i = 0
        else:
            ws = self.writers()
            if not ws:
                op, i = "restart", 0
            else:
                i = self.rnd.choice(ws)
        what = getattr(self, "op_" + op)(i)
        self.stats["ops"] += 1
        self.note(what if op.startswith("rogue") else "%s: %s" % (self.nodes[i].g.name, what))
        if self.rnd.random() < 0.3:
            time.sleep(self.rnd.uniform(0, 0.5))

    def run(self):
        t0 = time.monotonic()
        try:
            self.build()
            for _ in range(self.nops):
                self.step()
            self.finish()
        except ModelFailure:
            self.log(self.logs())
            raise
        except Exception as e:
            self.log(self.logs())
            self.fail("%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc()))
        finally:
            if os.environ.get("HIROBA_MODEL_KEEP"):
                for g in self.fed.groups:
                    if g.proc is not None and g.proc.poll() is None:
                        g.proc.kill()
                        g.proc.wait()
                self.log("model seed %d: folders kept in %s" % (self.seed, self.fed.tmp))
            else:
                self.fed.close()
        self.stats["seconds"] = time.monotonic() - t0
        return self.stats

    def logs(self):
        """Each daemon's warnings (refusals, bans, failures), then its last lines."""
        out = []
        for g in self.fed.groups:
            text = g.logtext().splitlines()
            warn = [l for l in text if re.search(
                r"refused|ignoring|failed|error|revoked|restored|not a member", l)]
            out.append("==== %s (%s) ====\n%s\n---- last lines ----\n%s" % (
                g.name, g.key[:12], "\n".join(warn[-40:]), "\n".join(text[-25:])))
        return "\n".join(out)

    # ---------------------------------------------------------------- the end
    def honest(self):
        return [k for k, n in enumerate(self.nodes) if n.revoked_after is None]

    def finish(self):
        t0 = time.monotonic()
        self.heal_all()
        # expired listings out of the way: the dumps hide them on every daemon alike
        time.sleep(max(0.0, self.expires_max + 1.5 - time.time()))
        t1 = time.monotonic()       # "slow" counts from here, not the wait above
        last = [None]
        waited = []

        def converged():
            last[0] = self.check_state()
            if last[0] is not None and (not waited or waited[-1][1] != last[0]):
                waited.append((time.monotonic() - t0, last[0]))
            return last[0] is None
        try:
            wait_for("convergence", converged, timeout=240 if SANITIZE else 120, step=0.5)
        except AssertionError:
            self.fail("not converged after healing: %s" % last[0])
        self.stats["converge_s"] = time.monotonic() - t0
        slow = time.monotonic() - t1 > 20
        self.redeliver()
        if slow:                            # no failure, but worth a look
            self.log("model seed %d: slow convergence (%.1f s), waiting for:\n  %s\nops:"
                     "\n  %s\n%s" % (self.seed, self.stats["converge_s"], "\n  ".join(
                         "%.1f s: %s" % w for w in waited[-8:]), "\n  ".join(self.trace),
                         self.logs()))
        self.check_final()

    def redeliver(self):
        """The same history, another delivery: one honest group's daemon (not the
        center's) loses its store and syncs everything again, with new limits and
        other peers, so that memberships, edits, tombstones and erasures reach it in
        another order, in other batches. It must end with the same current records as
        the others (check_state), and check_final then counts its refusals too."""
        ks = [k for k in self.honest() if k != 0 and self.nodes[k].running]
        if not ks:
            return
        k = self.rnd.choice(ks)
        n = self.nodes[k]
        n.g.stop()
        for fn in ("data.mdb", "lock.mdb"):
            p = os.path.join(n.g.dir, fn)
            if os.path.exists(p):
                os.remove(p)
        n.limits = self.draw_limits()
        others = [j for j in self.honest() if j != k]
        touched = set(self.peers_of(k))
        for e in [e for e in self.edges if k in e]:
            self.edges.discard(e)
        for j in self.rnd.sample(others, min(len(others), self.rnd.randrange(1, 3))):
            self.edges.add(frozenset((k, j)))
            touched.add(j)
        for j in touched:
            self.reload(j)
        self.start(k)
        self.note("redeliver: %s starts again from an empty store (limits %s, peers %s)"
                  % (n.g.name, n.limits, self.peers_of(k)))
        last = [None]

        def converged():
            last[0] = self.check_state()
            return last[0] is None
        t0 = time.monotonic()
        try:
            wait_for("redelivery", converged, timeout=240 if SANITIZE else 120, step=0.5)
        except AssertionError:
            self.fail("%s, synced again from an empty store, differs: %s" % (n.g.name,
                                                                             last[0]))
        self.stats["redeliver_s"] = time.monotonic() - t0

    def check_state(self):
        """None when every honest daemon agrees and the completeness bounds hold, else
        what differs."""
        hs = self.honest()
        dumps = {k: dump(self.nodes[k].g) for k in hs}
        rk = self.rogue.key

        def compared(recs):
            if not self.rogue_unsure:
                return recs
            return {key: v for key, v in recs.items() if key[0] != rk}
        ref = compared(dumps[hs[0]][1])
        for k in hs[1:]:
            recs = compared(dumps[k][1])
            if recs != ref:
                diff = sorted(set(ref.items()) ^ set(recs.items()))[0]
                key = diff[0]
                return ("%s and %s differ, first at %s/%s: %s vs %s" % (
                    self.nodes[hs[0]].g.name, self.nodes[k].g.name, key[0][:12], key[1],
                    ref.get(key), recs.get(key)))
        top, signed = {}, {}
        for k in hs:
            for (author, _), (seq, _, _) in dumps[k][1].items():
                top[author] = max(top.get(author, 0), seq)
            for author, (_, mx) in dumps[k][0].items():
                signed[author] = max(signed.get(author, 0), mx)
        signed[rk] = min(signed.get(rk, 0), self.rogue_seq)    # it signed no more
        for k in hs:
            authors = dumps[k][0]
            c = authors.get(rk, (0, 0))[0]
            if c > self.rogue_seq:
                return ("%s: the rogue's complete is %d, past the highest seq it signed "
                        "(%d): a forged claim was taken" % (self.nodes[k].g.name, c,
                                                            self.rogue_seq))
            held = sum(1 for (a, _) in dumps[k][1] if a == rk)
            if held > self.quota:
                return "%s holds %d current records of the rogue, over the quota %d" % (
                    self.nodes[k].g.name, held, self.quota)
            for author, t in top.items():
                c = authors.get(author, (0, 0))[0]
                if author == rk and (self.rogue_unsure or self.rogue_gap):
                    t = 0       # which of its records arrived first differs, or a
                    #             seq it skipped holds complete below it
                if c < t or c > signed[author]:
                    return ("%s: author %s complete %d, but records up to seq %d are held "
                            "(highest seq signed %d)" % (self.nodes[k].g.name, author[:12],
                                                         c, t, signed[author]))
        self.final_dumps = dumps
        return None

    def check_final(self):
        hs = self.honest()
        # 5. the revoked group's later records nowhere
        for k in hs:
            recs = self.final_dumps[k][1]
            held = {(a, s) for (a, _), (s, _, _) in recs.items()}
            for a, s in self.after_revoke:
                if (a, s) in held:
                    self.fail("%s holds seq %d of %s, signed after its revocation"
                              % (self.nodes[k].g.name, s, a[:12]))
        for k in hs:
            n = self.nodes[k]
            if n.revoked_after is not None:
                continue
            rev = [m for m in self.nodes if m.revoked_after is not None]
            for m in rev:
                a = self.final_dumps[k][0].get(m.g.key)
                if a is not None and a[1] > m.revoked_after:
                    self.fail("%s holds %s's records up to seq %d, revoked after %d"
                              % (n.g.name, m.g.name, a[1], m.revoked_after))
        # 3. nothing refused between honest daemons, but for one expected case: a pushed
        # record of a group whose admission has not arrived yet (order of arrival) is
        # counted, not stored, and a pull from the sender follows; those are logged as
        # "records of a group that is not a member here (N)". No peer ignored (banned).
        for k in hs:
            g = self.nodes[k].g
            st = g.status()
            log = g.logtext()
            # the counters start again with each run of the daemon; its log goes on
            run = log[log.rfind(") started: "):] if ") started: " in log else log
            expected = sum(int(m) for m in re.findall(
                r"records of a group that is not a member here \((\d+)\): not stored",
                run))
            # and what the revoked group pushed between its revocation and the moment
            # its links were closed (the next tick): refused (revoked), as they must be
            revoked = {n.g.key for n in self.nodes if n.revoked_after is not None}
            expected += sum(p.get("rejected", 0) for p in st.get("peers", [])
                            if p.get("key") in revoked)
            # the rogue's own sends are refused and held against it alone; once it
            # forked or flooded, honest daemons relay what others must refuse
            expected += sum(p.get("rejected", 0) for p in st.get("peers", [])
                            if p.get("key") == self.rogue.key)
            honest_keys = {self.nodes[j].g.key for j in hs}
            for p in st.get("peers", []):
                if p.get("key") in honest_keys and p.get("blamed", 0) != 0:
                    self.fail("%s blames honest peer %s for %d refusals: %s" % (
                        g.name, p["name"], p["blamed"], "\n".join(
                            l for l in log.splitlines()
                            if "peer %s:" % p["name"] in l)[-2000:]))
            if self.rogue_unsure and st.get("rejected", 0) >= expected:
                pass
            elif st.get("rejected", 0) != expected:
                self.fail("%s refused %d records (%d of them expected: pushed before "
                          "their group's admission, or by the revoked group): %s" % (
                              g.name, st["rejected"], expected,
                              [(p["name"], p["rejected"]) for p in st.get("peers", [])]))
            for m in re.finditer(r".*(ignoring it for|sent a record of a group that is "
                                 r"not).*", log):
                rogue_names = [p["name"] for p in st.get("peers", [])
                               if p.get("key") == self.rogue.key and p.get("name")]
                if not any("peer %s:" % nm in m.group(0) for nm in rogue_names):
                    self.fail("%s: %s" % (g.name, m.group(0)))
        # 4. compact, then no dead canary in any file of any data folder
        for k in hs:
            self.nodes[k].g.cli("compact")
        live = set(self.live.values()) - self.expiring
        dead = self.dead - live
        for k in hs:
            g = self.nodes[k].g
            blob = b""
            for root, _, files in os.walk(g.dir):
                for fn in files:
                    p = os.path.join(root, fn)
                    if p == g.log or not os.path.isfile(p):
                        continue    # the log is checked below; ctl.sock is a socket
                    with open(p, "rb") as f:
                        data = f.read()
                    for c in dead:
                        if c.encode() in data:
                            self.fail("%s: %s still holds dead canary %s" % (g.name, p, c))
                    blob += data
            if live and not any(c.encode() in blob for c in live):
                self.fail("%s: no live canary found in its data folder: the scan sees "
                          "nothing" % g.name)
        for k in hs:
            log = self.nodes[k].g.logtext()
            for c in dead:
                if c in log:
                    self.fail("%s's log names dead canary %s" % (self.nodes[k].g.name, c))
        self.stats["dead_canaries"] = len(dead)
        self.stats["live_records"] = len(self.final_dumps[hs[0]][1])
        self.stats["daemons_final"] = len(self.nodes)
