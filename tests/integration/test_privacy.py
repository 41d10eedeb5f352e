# SPDX-License-Identifier: ISC
"""Personal data end to end: sealed contacts read only by the center (and the author),
every read audited first; erasure (tombstone + compact) leaves no byte of a deleted
listing in any file of any daemon's data directory; expired listings are purged
everywhere the same way.
"""
import json
import os
import pwd
import subprocess
import time
import unittest

import hb
from hb import wait_for

CANARY = "CANARY-b7e1-消去確認"
CONTACT = "山田花子 090-0000-1234"


def files_with(directory, needle):
    """Every file under directory whose bytes contain needle (text, as UTF-8)."""
    return files_with_bytes(directory, needle.encode("utf-8"))


def files_with_bytes(directory, data):
    """Every file under directory whose bytes contain data (bytes)."""
    hits = []
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    if data in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


def iso_utc(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Privacy(hb.FederationTest):

    def pair(self):
        f = self.fed
        center = f.add_center("港北センター")
        nursery = f.add_group("ひまわり保育園", "nursery")
        nursery.add_peer(center)
        f.start(nursery)
        return center, nursery

    def test_sealed_contact_and_audit(self):
        center, nursery = self.pair()
        nursery.cli("volunteer", "add", "--offered", "--title", "読み聞かせボランティア",
                    "--skill", "読み聞かせ", "--contact", CONTACT, "--id", "vol/yamada")
        rec = wait_for("the listing at the center",
                       lambda: center.show(nursery.key, "vol/yamada", check=False))
        vol = rec["volunteer"]
        self.assertIn("contact_sealed", vol)
        self.assertIn("contact_self", vol)
        self.assertNotIn(CONTACT, json.dumps(rec, ensure_ascii=False))
        ref = "%s/vol/yamada" % nursery.key

        # A purpose is required, and nothing is read without one.
        r = center.cli("contact", ref, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(center.dir, "audit.log")))

        out = center.cli("contact", ref, "--purpose", "マッチングの連絡").stdout
        self.assertEqual(out.strip(), CONTACT)
        with open(os.path.join(center.dir, "audit.log"), encoding="utf-8") as f:
            lines = [json.loads(l) for l in f]
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["author"], nursery.key)
        self.assertEqual(lines[0]["id"], "vol/yamada")
        self.assertEqual(lines[0]["purpose"], "マッチングの連絡")
        # who: the socket's uid, not what the client says (issue 12); only root, as
        # under the documented sudo, may name the user it acts for
        me = pwd.getpwuid(os.getuid()).pw_name
        self.assertEqual(lines[0]["who"], me)
        center.cli("contact", ref, "--purpose", "再確認", env={"SUDO_USER": "hanako"})
        with open(os.path.join(center.dir, "audit.log"), encoding="utf-8") as f:
            who = [json.loads(l) for l in f][-1]["who"]
        self.assertEqual(who, "hanako (root, sudo)" if os.getuid() == 0 else me)
        lines = lines[:1]
        self.assertRegex(lines[0]["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        st = os.stat(os.path.join(center.dir, "audit.log"))
        self.assertEqual(st.st_mode & 0o777, 0o600)
        audit = center.json("audit")
        self.assertEqual(audit[0]["purpose"], "マッチングの連絡")
        self.assertIn("マッチングの連絡", center.cli("audit").stdout)

        # The author reads its own contact back; the audit log is the center's only.
        self.assertEqual(nursery.cli("contact", "vol/yamada", "--purpose", "確認")
                         .stdout.strip(), CONTACT)
        self.assertNotEqual(nursery.cli("audit", check=False).returncode, 0)

        # A third group's daemon holds the record but cannot open it.
        circle = self.fed.add_group("どんぐり", "circle")
        circle.add_peer(center)
        self.fed.start(circle)
        wait_for("the listing at the circle", lambda: circle.has(nursery.key, "vol/yamada"))
        r = circle.cli("contact", ref, "--purpose", "覗き見", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not addressed to this key", r.stderr)
        self.assertNotIn(CONTACT, r.stdout)

        # The center's box copied into another group's record: refused, not revealed.
        copied = {"id": "vol/copy", "volunteer": {
            "kind": "offered", "title": "copy", "status": "open",
            "contact_sealed": vol["contact_sealed"]}}
        circle.publish(copied)
        wait_for("the copy at the center", lambda: center.has(circle.key, "vol/copy"))
        r = center.cli("contact", "%s/vol/copy" % circle.key, "--purpose", "x", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not belong to this record", r.stderr)
        self.assertNotIn(CONTACT, r.stdout)

        # If the read cannot be audited, it is refused.
        log = os.path.join(center.dir, "audit.log")
        os.rename(log, log + ".kept")
        os.mkdir(log)
        r = center.cli("contact", ref, "--purpose", "監査できない", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("audit", r.stderr)
        self.assertNotIn(CONTACT, r.stdout)

    def test_erasure_leaves_no_bytes_on_disk(self):
        center, nursery = self.pair()
        nursery.cli("volunteer", "add", "--wanted", "--title", "絵本の読み聞かせ",
                    "--description", "連絡は " + CANARY + " まで", "--id", "vol/canary")
        nursery.cli("volunteer", "add", "--offered", "--title", "送迎",
                    "--contact", CANARY + "-contact", "--id", "vol/sealed",
                    "--description", CANARY + "-sealed")
        nursery.cli("volunteer", "add", "--offered", "--title", "残る募集", "--id", "vol/stays")
        for rid in ("vol/canary", "vol/sealed", "vol/stays"):
            wait_for("%s at the center" % rid, lambda: center.has(nursery.key, rid))
        center.cli("contact", "%s/vol/sealed" % nursery.key, "--purpose", "連絡")
        self.assertTrue(files_with(center.dir, CANARY))

        nursery.cli("delete", "vol/canary", "--reason", "本人の申し出")
        nursery.cli("delete", "vol/sealed")
        for g in (center, nursery):
            for rid in ("vol/canary", "vol/sealed"):
                wait_for("the tombstone of %s at %s" % (rid, g.name),
                         lambda: (g.show(nursery.key, rid, check=False) or {})
                         .get("kind") == "tombstone")
        for g in (center, nursery):
            g.cli("compact")
        for g in (center, nursery):
            self.assertEqual(files_with(g.dir, CANARY), [], g.name)
            self.assertTrue(g.has(nursery.key, "vol/stays"))
        # The stores still work after the compact: new records travel both ways.
        nursery.cli("volunteer", "add", "--offered", "--title", "後から", "--id", "vol/after")
        wait_for("a new listing at the center", lambda: center.has(nursery.key, "vol/after"))
        # The deleted id cannot be written again.
        r = nursery.cli("volunteer", "add", "--wanted", "--title", "again", "--id",
                        "vol/canary", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_copied_box_erased_everywhere(self):
        """A deleted listing's sealed contact, republished by another group with
        `show --json` + `publish -f`, is purged wherever the tombstone reaches and refused
        wherever it already is, in either order; after a compact no byte of it is left."""
        f = self.fed
        center, nursery = self.pair()
        circle = f.add_group("どんぐり", "circle")
        circle.add_peer(center)
        f.start(circle)
        groups = (center, nursery, circle)

        def listing(rid):
            nursery.cli("volunteer", "add", "--offered", "--title", "送迎ボランティア",
                        "--contact", CONTACT, "--id", rid)
            rec = wait_for("%s at the circle" % rid,
                           lambda: circle.show(nursery.key, rid, check=False))
            return rec, [bytes.fromhex(rec["volunteer"][k])
                         for k in ("contact_sealed", "contact_self")]

        def tombstoned(g, rid):
            return (g.show(nursery.key, rid, check=False) or {}).get("kind") == "tombstone"

        # Copy first: the circle republishes the listing as it shows it, under its own
        # key; the copy reaches every daemon, then the nursery deletes its listing.
        rec, boxes = listing("vol/box")
        copy = circle.publish(rec)
        self.assertEqual(copy["author"], circle.key)
        self.assertEqual(copy["volunteer"]["contact_sealed"],
                         rec["volunteer"]["contact_sealed"])
        for g in groups:
            wait_for("the copy at %s" % g.name, lambda: g.has(circle.key, "vol/box"))
        r = center.cli("contact", "%s/vol/box" % circle.key, "--purpose", "確認",
                       check=False)
        self.assertIn("does not belong to this record", r.stderr)
        self.assertNotIn(CONTACT, r.stdout)

        nursery.cli("delete", "vol/box")
        for g in groups:
            wait_for("the tombstone at %s" % g.name, lambda: tombstoned(g, "vol/box"))
            wait_for("the copy purged at %s" % g.name,
                     lambda: not g.has(circle.key, "vol/box"))
        # Tombstone first: the circle's own daemon refuses a new copy.
        r = circle.cli("--json", "publish", "-f", "-", check=False,
                       input=json.dumps(dict(rec, id="vol/box2"), ensure_ascii=False))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("erased", r.stderr)

        # Either order at a third daemon: with the center down, the nursery deletes a
        # second listing and the circle copies it; each reaches the center in whatever
        # order the pulls run, and the copy goes everywhere.
        rec2, boxes2 = listing("vol/box3")
        center.stop()
        nursery.cli("delete", "vol/box3")
        circle.publish(dict(rec2, id="vol/copy3"))
        self.assertTrue(circle.has(circle.key, "vol/copy3"))
        center.start()
        for g in groups:
            wait_for("the tombstone at %s" % g.name, lambda: tombstoned(g, "vol/box3"))
            wait_for("the second copy gone at %s" % g.name,
                     lambda: not g.has(circle.key, "vol/copy3"))
        # Nobody was blamed: the circle's records still travel.
        circle.cli("volunteer", "add", "--offered", "--title", "後から", "--id", "vol/later")
        for g in (center, nursery):
            wait_for("the circle's new listing at %s" % g.name,
                     lambda: g.has(circle.key, "vol/later"))

        for g in groups:
            g.cli("compact")
        for g in groups:
            for box in boxes + boxes2:
                self.assertEqual(files_with_bytes(g.dir, box), [], g.name)
                self.assertEqual(files_with_bytes(g.dir, box.hex().encode()), [], g.name)
        # The indexes agree with the records after the purges (hirobad -T, offline).
        for g in groups:
            g.stop()
            r = subprocess.run([hb.HIROBAD, "-T", "-c", g.conf], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_expired_listing_purged_everywhere(self):
        center, nursery = self.pair()
        expires = int(time.time()) + 4
        nursery.cli("volunteer", "add", "--offered", "--title", "期間限定",
                    "--description", CANARY + "-expires", "--id", "vol/short",
                    "--expires", iso_utc(expires))
        wait_for("the listing at the center", lambda: center.has(nursery.key, "vol/short"))
        rec = center.show(nursery.key, "vol/short")
        self.assertEqual(rec["expires"], expires)

        def gone(g):
            return not g.has(nursery.key, "vol/short") and not any(
                v.get("id") == "vol/short" for v in g.json("volunteers"))

        for g in (center, nursery):
            wait_for("the expired listing purged at %s" % g.name, lambda: gone(g),
                     timeout=90, step=1)
        for g in (center, nursery):
            g.cli("compact")
            self.assertEqual(files_with(g.dir, CANARY), [], g.name)
        self.assertIn("purged 1 expired record", center.logtext())

    def test_expired_listing_not_counted_against_its_sender(self):
        """A peer whose purge has not run yet still serves an expired listing: the puller
        refuses it (expired), but that is no fault of the sender; counted, 50 of them
        in a minute got an honest peer ignored for a minute (found by test_model)."""
        center, nursery = self.pair()
        circle = self.fed.add_group("circle", "circle")
        circle.add_peer(nursery)
        circle.set_limits(max_batch=1)
        nursery.publish(hb.event("event/first", "親子のひろば", int(time.time()) + 86400))
        expires = int(time.time()) + 2
        nursery.cli("volunteer", "add", "--offered", "--title", "期間限定", "--id",
                    "vol/short", "--expires", iso_utc(expires))
        wait_for("the listing to expire", lambda: time.time() > expires + 1)
        self.fed.start(circle)
        wait_for("the circle to get the nursery's first record",
                 lambda: circle.has(nursery.key, "event/first"))
        wait_for("three pull rounds from the nursery",
                 lambda: circle.logtext().count("peer %s: round done" % nursery.name) >= 3)
        if "purged 1 expired record" in nursery.logtext():
            self.skipTest("the nursery purged the listing before the circle asked")
        self.assertFalse(circle.has(nursery.key, "vol/short"))
        self.assertEqual(circle.status()["rejected"], 0, circle.logtext())
        self.assertNotIn("record refused", circle.logtext())


if __name__ == "__main__":
    unittest.main()
