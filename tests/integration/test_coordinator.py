# SPDX-License-Identifier: ISC
"""A coordinator's session at an 80-column terminal (issue 13, part 2): every listing fits
and shows a reference; replying, matching and reading a contact use only what listings
print; dates typed the Japanese way; names and clocks an operator can compare; counts that
mean what they say.

The network is the README's: the center has no [peer] entries, the nursery and the circle
connect to it (inbound peers at the center).

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import json
import re
import time
import unicodedata
import unittest
from datetime import datetime, timedelta, timezone

import hb
from hb import wait_for

JST = timezone(timedelta(hours=9))
NARROW = {"COLUMNS": "80"}
LONG_TITLE = "応援ネット12月定例会（地域の子育て支援者が集まる情報交換と研修の会）"


def width(line):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def refs_in(out):
    """The short references in the 参照 column (the first one of each row)."""
    return [l.split()[0] for l in out.splitlines()[1:] if l.strip()]


class Coordinator(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fed = f = hb.Federation(sync_interval=1)
        try:
            cls.c = c = f.add_center("瀬谷センター")
            cls.n = n = f.add_group("こもれび保育園", "nursery")
            cls.k = k = f.add_group("おはなしサークル", "circle")
            n.add_peer(c)
            k.add_peer(c)
            f.start(n, k)
            soon = datetime.now(JST) + timedelta(days=10)
            cls.meeting_start = soon.strftime("%-m月%-d日 14時")
            c.cli("meeting", "call", "--title", LONG_TITLE, "--start", cls.meeting_start,
                  "--place-text", "瀬谷区役所 4階 会議室（エレベーターを降りて右）",
                  "--agenda", "1. 各団体の近況報告（一団体5分）2. 冬休みの親子向け行事の調整 "
                  "3. 支援マップの更新について 4. その他",
                  "--id", "meeting/teirei")
            # help wanted at the nursery; offers at the nursery itself and at the circle
            n.cli("volunteer", "add", "--wanted", "--title", "お散歩の付き添い（毎週火曜の午前）",
                  "--skill", "保育", "--area", "瀬谷", "--id", "volunteer/want")
            n.cli("volunteer", "add", "--offered", "--title", "保育の手伝い（自分の園）",
                  "--skill", "保育", "--area", "瀬谷", "--id", "volunteer/own-offer")
            k.cli("volunteer", "add", "--offered", "--title", "絵本の読み聞かせと保育補助",
                  "--skill", "保育", "--area", "瀬谷", "--contact", "山田 090-0000-0000",
                  "--id", "volunteer/offer")
            # the same id at two groups: a bare id that is ambiguous at the center
            n.cli("volunteer", "add", "--offered", "--title", "同じID（保育園）",
                  "--id", "volunteer/same")
            k.cli("volunteer", "add", "--offered", "--title", "同じID（サークル）",
                  "--id", "volunteer/same")
            start = (datetime.now(JST) + timedelta(days=5)).strftime("%Y/%m/%d 10:00")
            n.cli("event", "add", "--title", "親子のひろば", "--start", start,
                  "--category", "play_space", "--capacity", "10", "--id", "event/hiroba")
            for g in (c, n, k):
                wait_for("every record at %s" % g.name, lambda g=g: all(
                    g.has(*x) for x in ((c.key, "meeting/teirei"), (n.key, "volunteer/want"),
                                        (k.key, "volunteer/offer"),
                                        (n.key, "volunteer/same"),
                                        (k.key, "volunteer/same"))))
        except BaseException:
            print(f.logs())
            f.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if result is not None and (result.failures or result.errors):
            print(self.fed.logs())

    def fits(self, out, what):
        for line in out.splitlines():
            self.assertLessEqual(width(line), 80, "%s: a line wider than 80:\n%s" % (what, line))

    # ---- references ----
    def test_meeting_reply_with_the_reference_a_listing_shows(self):
        n, c = self.n, self.c
        out = n.cli("meetings", env=NARROW).stdout
        self.fits(out, "meetings")
        self.assertTrue(out.startswith("参照"), out)
        ref = refs_in(out)[0]
        self.assertRegex(ref, r"^[0-9a-f]{4,16}$")
        self.assertIn("未回答2", out, "the same word as meeting show")
        r = n.cli("meeting", "reply", ref, "--attending", "--count", "2")
        self.assertIn("瀬谷センター の meeting/teirei", r.stderr, "says which record it meant")
        wait_for("the reply at the center", lambda: "未回答 1" in c.cli(
            "meeting", "show", ref).stdout)
        show = c.cli("meeting", "show", ref, env=NARROW).stdout
        self.fits(show, "meeting show")
        self.assertIn("参照: %s" % ref, show)
        self.assertRegex(show, r"おはなしサークル\s+未回答")
        # the other spellings name the same meeting
        for spelling in ("瀬谷センター/meeting/teirei", "meeting/teirei",
                         "%s/meeting/teirei" % c.key, "瀬谷センター/" + ref, ref.upper()):
            r = n.cli("meeting", "reply", spelling, "--attending", "--count", "2")
            self.assertIn("reply/", r.stdout, spelling)
        # a wrong reference: not found (4); a record of another kind is not a meeting
        r = n.cli("meeting", "reply", "ffffffff", "--absent", check=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("参照", r.stderr)
        r = n.cli("meeting", "reply", "volunteer/offer", "--absent", check=False)
        self.assertEqual(r.returncode, 4, r.stderr)

    def test_ambiguous_reference_lists_the_candidates(self):
        r = self.c.cli("contact", "volunteer/same", "--purpose", "確認", check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("more than one", r.stderr)
        self.assertIn("こもれび保育園/volunteer/same", r.stderr)
        self.assertIn("おはなしサークル/volunteer/same", r.stderr)
        # GROUP/ID decides
        r = self.c.cli("contact", "おはなしサークル/volunteer/same", "--purpose", "確認",
                       check=False)
        self.assertNotEqual(r.returncode, 2, r.stderr)

    def test_match_never_pairs_a_group_with_itself_and_records_by_reference(self):
        c = self.c
        out = c.cli("match", env=NARROW).stdout
        self.fits(out, "match")
        self.assertNotIn("自分の園", c.cli("match", "--wide").stdout)
        js = c.json("match")
        want = next(w for w in js if w["wanted"]["id"] == "volunteer/want")
        self.assertEqual([o["id"] for o in want["offers"]], ["volunteer/offer"])
        wref, oref = want["wanted"]["ref_short"], want["offers"][0]["ref_short"]
        self.assertIn(wref, refs_in(out))
        c.cli("match", "record", wref, oref, "--note", "火曜午前から")
        out = c.cli("matches", env=NARROW).stdout
        self.fits(out, "matches")
        self.assertIn(wref, out)
        self.assertIn(oref, out)
        # the center reads the offer's contact by the reference the listing shows
        r = c.cli("contact", oref, "--purpose", "マッチングの連絡")
        self.assertIn("山田", r.stdout)
        audit = c.cli("audit", env=NARROW).stdout
        self.fits(audit, "audit")
        self.assertNotIn("UTC", audit)
        when = datetime.now(JST).strftime("%Y-%m-%d")
        self.assertRegex(audit, r"%s\(.\) \d\d:\d\d" % when, "Tokyo time, as elsewhere")
        self.assertIn(oref, audit)
        # --mine: the circle sees the pair it is part of, the nursery's own offer never
        mine = self.k.cli("match", "--mine", "--wide").stdout
        self.assertIn("絵本の読み聞かせ", mine)

    # ---- listings ----
    def test_every_listing_fits_80_columns_and_wide_prints_all(self):
        for g in (self.c, self.n):
            for cmd in (["meetings"], ["match"], ["matches"], ["members"], ["status"],
                        ["report"]):
                r = g.cli(*cmd, env=NARROW)
                self.fits(r.stdout, "%s at %s" % (" ".join(cmd), g.name))
        out = self.n.cli("meetings", env=NARROW).stdout
        self.assertIn("…", out, "the long title is cut with …")
        self.assertNotIn(LONG_TITLE, out)
        self.assertIn(LONG_TITLE, self.n.cli("meetings", "--wide", env=NARROW).stdout)
        # off a terminal without COLUMNS nothing is cut
        self.assertIn(LONG_TITLE, self.n.cli("meetings").stdout)
        # --mine: only this group's meetings
        self.assertEqual(self.n.cli("meetings", "--mine").stdout.strip(), "")
        self.assertIn(LONG_TITLE, self.c.cli("meetings", "--mine").stdout)

    def test_members_lists_the_center_and_status_names_inbound_peers(self):
        out = self.n.cli("members", env=NARROW).stdout
        self.assertRegex(out, r"瀬谷センター\s+拠点")
        self.fits(out, "members")
        self.assertIn(self.n.key, self.n.cli("members", "--wide").stdout)
        wait_for("both groups connected to the center", lambda: sum(
            p["connected"] for p in self.c.status()["peers"]) == 2)
        out = self.c.cli("status", "--wide").stdout
        peers = out[out.index("peers:"):out.index("records:")]
        self.assertRegex(peers, r"こもれび保育園 .*\(inbound\)")
        self.assertRegex(peers, r"おはなしサークル .*\(inbound\)")
        js = {p["group"]: p for p in self.c.status()["peers"]}
        self.assertEqual(sorted(js), ["おはなしサークル", "こもれび保育園"])
        self.assertTrue(all(p["inbound"] for p in js.values()))
        self.assertFalse(self.n.status()["peers"][0]["inbound"])

    def test_events_places_volunteers_fit_and_edit_by_reference(self):
        n, k = self.n, self.k
        n.cli("place", "add", "--name", "瀬谷中央公園（大きな滑り台と砂場、トイレあり、駐車場なし）",
              "--lat", "35.4661", "--lon", "139.4987", "--address", "横浜市瀬谷区瀬谷4丁目",
              "--tag", "leisure=playground", "--tag", "stroller=yes", "--id", "place/park")
        for cmd in (["events"], ["places"], ["volunteers"]):
            out = n.cli(*cmd, env=NARROW).stdout
            self.fits(out, cmd[0])
            self.assertTrue(out.startswith("参照"), out)
            for ref in refs_in(out):
                self.assertRegex(ref, r"^[0-9a-f]{4,16}$")
        # edit one of our own events by the reference the listing shows
        ev = next(e for e in n.json("events") if e["id"] == "event/hiroba")
        r = n.cli("event", "register", ev["ref_short"], "--count", "3")
        self.assertIn("こもれび保育園 の event/hiroba", r.stderr)
        # another group's record by reference: found, and refused as not ours
        vol = next(v for v in k.json("volunteers", "--mine") if v["id"] == "volunteer/offer")
        r = n.cli("volunteer", "close", vol["ref_short"], check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("only that group can change it", r.stderr)
        # --mine: only the circle's listings
        self.assertEqual({v["author"] for v in k.json("volunteers", "--mine")}, {k.key})
        self.assertIn("瀬谷中央公園（大きな滑り台", n.cli("places", "--mine", "--wide").stdout)
        self.assertEqual(k.cli("places", "--mine").stdout.strip(), "")

    # ---- counts and dates ----
    def test_cancelled_event_has_no_places_left(self):
        n = self.n
        ev = next(e for e in n.json("events") if e["id"] == "event/hiroba")
        self.assertLessEqual(ev["left"], 10)
        n.cli("event", "cancel", "event/hiroba")
        ev = next(e for e in n.json("events") if e["id"] == "event/hiroba")
        self.assertEqual(ev["left"], 0)
        row = next(l for l in n.cli("events").stdout.splitlines() if "親子のひろば" in l)
        self.assertRegex(row, r"\s10\s+0\s", "残り 0")

    def test_japanese_dates_and_what_a_refusal_says(self):
        js = [m for m in self.c.json("meetings") if m["id"] == "meeting/teirei"][0]
        start = datetime.fromtimestamp(js["meeting"]["when"]["start"], JST)
        self.assertEqual((start.hour, start.minute), (14, 0))
        self.assertEqual(start.strftime("%-m月%-d日 14時"), self.meeting_start)
        r = self.c.cli("meeting", "call", "--title", "x", "--start", "令和8年2月30日",
                       "--dry-run", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.c.cli("meeting", "call", "--title", "x", "--start", "２０２６／１２／２０　１０時半",
                       "--dry-run")
        d = json.loads(r.stdout)
        t = datetime.fromtimestamp(d["meeting"]["when"]["start"], JST)
        self.assertEqual((t.year, t.month, t.day, t.hour, t.minute), (2026, 12, 20, 10, 30))


if __name__ == "__main__":
    unittest.main(verbosity=2)
