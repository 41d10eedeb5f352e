# SPDX-License-Identifier: ISC
"""hiroba report --fy: the ward's fiscal-year figures, checked against a small dataset whose
every figure is worked out by hand below (令和6年度 = 2024-04-01 .. 2025-03-31, Tokyo).

Three groups: the center (瀬谷センター), a nursery (ひまわり保育園) and a circle
(おはなしサークル), each on its own hirobad. Events lie in the past (the store accepts
them: only `created` must not be in the future). The report runs at the center and at the
nursery, and must give the same figures at both.

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import csv
import io
import json
import subprocess
import unicodedata
import unittest
from datetime import datetime, timedelta, timezone

import hb
from hb import wait_for

JST = timezone(timedelta(hours=9))
DAY = 86400
WEEK = 7 * DAY


def tokyo(y, mo, d, h=0, mi=0):
    return int(datetime(y, mo, d, h, mi, tzinfo=JST).timestamp())


def ev(rid, title, start, category, hours=2, **extra):
    e = {"title": title, "when": {"start": start, "end": start + int(hours * 3600)},
         "category": category}
    e.update(extra)
    return {"id": rid, "event": e}


# ---- the center's events ----
CENTER_EVENTS = [
    # E1 親子のひろば, weekly on Tuesdays from 2025-03-04 until 2025-04-22, 3/18 skipped:
    # 3/4, 3/11, 3/25 lie in FY2024 (3 occurrences, March); 4/1 .. 4/22 are FY2025.
    # Per occurrence: registered 15 (expected), attended 12.
    ev("event/hiroba-tue", "親子のひろば（火曜）", tokyo(2025, 3, 4, 10), "play_space",
       capacity=20, registered=15, attended=12,
       recurrence={"freq": "weekly", "until": tokyo(2025, 4, 22, 10),
                   "exceptions": [tokyo(2025, 3, 18, 10)]}),
    # E2 子育て相談, weekly from 2024-03-19 until 2024-04-09: 3/19, 3/26 are FY2023;
    # 4/2, 4/9 are FY2024 (2, April). No registered: expected = capacity 5 each; no
    # attended count: 2 occurrences 未記入.
    ev("event/soudan", "子育て相談", tokyo(2024, 3, 19, 13), "consultation", capacity=5,
       recurrence={"freq": "weekly", "until": tokyo(2024, 4, 9, 13)}),
    # E3, E4 プレママ・プレパパ教室 in June and November.
    ev("event/premama-06", "プレママ・プレパパ教室", tokyo(2024, 6, 15, 10), "pre_parent",
       capacity=10, registered=8, attended=7),
    ev("event/premama-11", "プレママ・プレパパ教室", tokyo(2024, 11, 16, 10), "pre_parent",
       capacity=10, registered=10, attended=9),
    # E5 cancelled (September): not held, counted as 中止.
    ev("event/premama-09", "プレママ・プレパパ教室", tokyo(2024, 9, 14, 10), "pre_parent",
       capacity=10, registered=3, cancelled=True),
    # E6 支援者研修 (July): no capacity, registered 12.
    ev("event/kenshu", "支援者研修「傾聴」", tokyo(2024, 7, 20, 10), "supporter_training",
       registered=12, attended=11),
    # E7 応援ネット (October): neither capacity nor registered: expected 0.
    ev("event/ouen-net", "応援ネット交流会", tokyo(2024, 10, 5, 10), "network_meeting",
       attended=20),
    # E8 in FY2025: not counted.
    ev("event/papa-2025", "パパの日", tokyo(2025, 5, 10, 10), "father", attended=30),
    # E9 all day on 2024-04-01, the first day of the year: counted (April).
    {"id": "event/festa", "event": {
        "title": "子育てフェスタ", "when": {"all_day": True, "start": 20240401,
                                          "end": 20240401},
        "category": "other_category", "capacity": 200, "attended": 180}},
    # E10 2025-03-31 23:30, the last half hour of the year: counted (March), expected 0.
    ev("event/yoru", "夜のひろば", tokyo(2025, 3, 31, 23, 30), "play_space", hours=0.5,
       attended=4),
]
# center: held 3+2+1+1+1+1+1+1 = 11 (E1 3, E2 2, E3, E4, E6, E7, E9, E10), cancelled 1 (E5)
# by category: pre_parent 2 (E3 E4), play_space 4 (E1 3 + E10), consultation 2 (E2),
#   supporter_training 1, network_meeting 1, other 1 (E9); 2+4+2+1+1+1 = 11
# by month: 4月 3 (E2 2 + E9), 6月 1, 7月 1, 10月 1, 11月 1, 3月 4 (E1 3 + E10)
# expected: E1 15*3=45 + E2 5*2=10 + E3 8 + E4 10 + E6 12 + E7 0 + E9 200 + E10 0 = 285
# attended: E1 12*3=36 + E3 7 + E4 9 + E6 11 + E7 20 + E9 180 + E10 4 = 267; 未記入 2 (E2)
# pre_parent: held 2, attended 7+9 = 16; father 0, 0

# ---- the nursery's events ----
NURSERY_EVENTS = [
    # N1 父親向け (June): registered 12, attended 14 (more came than registered).
    ev("event/papa-06", "パパと遊ぼう", tokyo(2024, 6, 16, 10), "father", capacity=15,
       registered=12, attended=14),
    # N2 父親向け (February): no attended count: 未記入.
    ev("event/papa-02", "パパと遊ぼう", tokyo(2025, 2, 9, 10), "father", capacity=15,
       registered=15),
    # N3 園庭開放, monthly on the 10th from 2024-12-10 until 2025-05-10: 12/10, 1/10, 2/10,
    # 3/10 in FY2024 (4); registered 6 and attended 5 each.
    ev("event/entei", "園庭開放", tokyo(2024, 12, 10, 10), "play_space", capacity=10,
       registered=6, recurrence={"freq": "monthly", "until": tokyo(2025, 5, 10, 10)}),
    # N4 2024-03-31 23:30, the year before: not counted.
    ev("event/mae", "年度末のひろば", tokyo(2024, 3, 31, 23, 30), "play_space", hours=0.5),
    # N5 cancelled (August).
    ev("event/natsu", "夏まつり", tokyo(2024, 8, 10, 10), "other_category", cancelled=True),
]
# nursery: held 1+1+4 = 6, cancelled 1; father 2, play_space 4
# by month: 6月 1 (N1), 12月 1, 1月 1, 2月 2 (N2 + N3), 3月 1
# expected: N1 12 + N2 15 + N3 6*4=24 = 51; attended: N1 14 + N3 5*4=20 = 34 (N3's
#   attended is recorded with `hiroba event done` below); 未記入 1 (N2)
# father: held 2, attended 14

# ---- places: the current map entries ----
CENTER_PLACES = [
    {"id": "place/center", "place": {"name": "瀬谷センター", "point": {
        "lat_e7": 354660000, "lon_e7": 1394960000}}},
    {"id": "place/park", "place": {"name": "瀬谷中央公園", "point": {
        "lat_e7": 354661234, "lon_e7": 1394987654}}},
    {"id": "place/gone", "place": {"name": "閉鎖した授乳室", "point": {
        "lat_e7": 354640000, "lon_e7": 1394900000}}},   # deleted below: not counted
]
NURSERY_PLACES = [
    {"id": "place/entei", "place": {"name": "ひまわり保育園 園庭", "point": {
        "lat_e7": 354700000, "lon_e7": 1395000000}}},
]
# places: center 2, nursery 1, circle 0; network 3


def vol(rid, kind, title, status, skills=(), area=None, windows=None):
    v = {"kind": kind, "title": title, "status": status, "skills": list(skills)}
    if area:
        v["area"] = area
    if windows:
        v["windows"] = windows
    return {"id": rid, "volunteer": v}


# Opened on the date in the id (what `hiroba volunteer add` writes), else when signed.
CENTER_VOLS = [
    vol("volunteer/20240510-aaaaaa", "wanted", "読み聞かせボランティア募集", "open",
        ["絵本", "読み聞かせ"], "瀬谷区", [{"weekdays": 2, "from_minute": 540,
                                          "to_minute": 720}]),        # opened, not filled
    vol("volunteer/20250415-dddddd", "offered", "保育サポート", "open", ["保育"]),  # FY2025
]
NURSERY_VOLS = [
    vol("volunteer/20240901-bbbbbb", "wanted", "園庭開放の見守り", "filled", ["見守り"]),
    vol("volunteer/helpers", "offered", "行事のお手伝い", "open"),  # signed now: not FY2024
]
CIRCLE_VOLS = [
    # closed, and the center records a confirmed match for it: filled
    vol("volunteer/20241001-cccccc", "offered", "絵本の読み聞かせします", "closed",
        ["絵本", "手遊び"], "瀬谷区"),
    # closed without a match: opened, not filled
    vol("volunteer/20250320-eeeeee", "wanted", "チラシ配り", "closed", ["配布"]),
]
# volunteers opened/filled: center 1/0, nursery 1/1, circle 2/1; network 4/2

# ---- meetings ----
# M1 2024-05-20 and M2 2025-01-15 called by the center, M4 2024-12-01 by the nursery;
# M3 2025-04-10 (FY2025) is not counted.
# replies: M1 nursery yes (2), circle yes (1); M2 nursery yes, circle no;
#          M4 circle yes, center yes; M3 nursery yes (not counted)
# held: center 2, nursery 1, circle 0 (network 3)
# attending groups at the meetings it called: center 2+1 = 3, nursery 2 (network 5)
# meetings attended: center 1 (M4), nursery 2 (M1 M2), circle 2 (M1 M4) (network 5)
# groups that attended at least one: 3

CAT = ["pre_parent", "father", "play_space", "consultation", "supporter_training",
       "network_meeting", "support_system", "other"]


def months(**m):
    """{"2024-04": n, ...} for the twelve months of FY2024, zero where not given."""
    out = {}
    for i, mo in enumerate([4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]):
        key = "%04d-%02d" % (2024 if mo >= 4 else 2025, mo)
        out[key] = m.get("m%d" % mo, 0)
    return out


def cats(**c):
    return {k: c.get(k, 0) for k in CAT}


EXPECTED = {
    "瀬谷センター": {
        "events": {"held": 11, "planned": 0, "cancelled": 1,
                   "by_category": cats(pre_parent=2, play_space=4, consultation=2,
                                       supporter_training=1, network_meeting=1, other=1),
                   "by_month": months(m4=3, m6=1, m7=1, m10=1, m11=1, m3=4)},
        "participants": {"expected": 285, "attended": 267, "unrecorded": 2},
        "pre_parent": {"held": 2, "attended": 16},
        "father": {"held": 0, "attended": 0},
        "places": 2,
        "volunteers": {"opened": 1, "filled": 0},
        "meetings": {"held": 2, "planned": 0, "attending_groups": 3, "attended": 1},
    },
    "ひまわり保育園": {
        "events": {"held": 6, "planned": 0, "cancelled": 1,
                   "by_category": cats(father=2, play_space=4),
                   "by_month": months(m6=1, m12=1, m1=1, m2=2, m3=1)},
        "participants": {"expected": 51, "attended": 34, "unrecorded": 1},
        "pre_parent": {"held": 0, "attended": 0},
        "father": {"held": 2, "attended": 14},
        "places": 1,
        "volunteers": {"opened": 1, "filled": 1},
        "meetings": {"held": 1, "planned": 0, "attending_groups": 2, "attended": 2},
    },
    "おはなしサークル": {
        "events": {"held": 0, "planned": 0, "cancelled": 0, "by_category": cats(),
                   "by_month": months()},
        "participants": {"expected": 0, "attended": 0, "unrecorded": 0},
        "pre_parent": {"held": 0, "attended": 0},
        "father": {"held": 0, "attended": 0},
        "places": 0,
        "volunteers": {"opened": 2, "filled": 1},
        "meetings": {"held": 0, "planned": 0, "attending_groups": 0, "attended": 2},
    },
}
# the network: the sums (held 11+6+0 = 17, expected 285+51 = 336, attended 267+34 = 301,
# 未記入 2+1 = 3, ...), and 3 groups that came to a meeting
NETWORK = {
    "events": {"held": 17, "planned": 0, "cancelled": 2,
               "by_category": cats(pre_parent=2, father=2, play_space=8, consultation=2,
                                   supporter_training=1, network_meeting=1, other=1),
               "by_month": months(m4=3, m6=2, m7=1, m10=1, m11=1, m12=1, m1=1, m2=2,
                                  m3=5)},
    "participants": {"expected": 336, "attended": 301, "unrecorded": 3},
    "pre_parent": {"held": 2, "attended": 16},
    "father": {"held": 2, "attended": 14},
    "places": 3,
    "volunteers": {"opened": 4, "filled": 2},
    "meetings": {"held": 3, "planned": 0, "attending_groups": 5, "attended": 5,
                 "groups_attending_any": 3},
}


def width(s):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


class Report(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fed = hb.Federation()
        f = cls.fed
        try:
            cls.center = c = f.add_center("瀬谷センター")
            cls.nursery = n = f.add_group("ひまわり保育園", "nursery")
            cls.circle = o = f.add_group("おはなしサークル", "circle")
            n.add_peer(c)
            o.add_peer(c)
            f.start(n, o)
            signed = []
            for r in CENTER_EVENTS + CENTER_PLACES + CENTER_VOLS:
                signed.append((c, c.publish(r)))
            for r in NURSERY_EVENTS + NURSERY_PLACES + NURSERY_VOLS:
                signed.append((n, n.publish(r)))
            for r in CIRCLE_VOLS:
                signed.append((o, o.publish(r)))
            c.cli("delete", "place/gone")
            # N3's attendance through the command organisers use
            n.cli("event", "done", "event/entei", "--attended", "5")
            meetings = [
                (c, "meeting/m1", "応援ネット全体会議", "2024-05-20 10:00"),
                (c, "meeting/m2", "地域別会議（瀬谷）", "2025-01-15 14:00"),
                (c, "meeting/m3", "新年度の全体会議", "2025-04-10 10:00"),
                (n, "meeting/m4", "園と地域の懇談会", "2024-12-01 10:00"),
            ]
            for g, mid, title, start in meetings:
                g.cli("meeting", "call", "--title", title, "--start", start, "--id", mid,
                      "--invite", ",".join(x.key for x in (c, n, o) if x is not g))
            replies = [
                (n, c, "meeting/m1", True, 2), (o, c, "meeting/m1", True, 1),
                (n, c, "meeting/m2", True, 1), (o, c, "meeting/m2", False, None),
                (o, n, "meeting/m4", True, 1), (c, n, "meeting/m4", True, 3),
                (n, c, "meeting/m3", True, 1),
            ]
            for g, author, mid, yes, count in replies:
                wait_for("%s at %s" % (mid, g.name), lambda: g.has(author.key, mid))
                args = ["meeting", "reply", "%s/%s" % (author.key, mid),
                        "--attending" if yes else "--absent"]
                if count is not None:
                    args += ["--count", str(count)]
                g.cli(*args)
            # a second answer to M1 published by hand: still one group, not two
            o.publish({"id": "reply/by-hand", "reply": {
                "meeting": {"author": c.key, "id": "meeting/m1"}, "attending": True}})
            # the circle's offer was filled through the center: a confirmed match
            wait_for("the listings at the center", lambda: c.has(
                o.key, "volunteer/20241001-cccccc") and c.has(
                c.key, "volunteer/20240510-aaaaaa"))
            c.cli("match", "record", "%s/volunteer/20240510-aaaaaa" % c.key,
                  "%s/volunteer/20241001-cccccc" % o.key, "--note", "火曜午前から")
            # everything everywhere before reporting
            for g in (c, n):
                wait_for("every record at %s" % g.name,
                         lambda: all(g.complete(x.key) >= max(
                             a.get("max_seq", 0) for a in x.status()["authors"]
                             if a["author"] == x.key) for x in (c, n, o)))
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

    def report(self, g, *args):
        out = g.cli("--json", "report", *args).stdout
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, "one object")
        return json.loads(lines[0])

    def test_every_figure_matches_the_hand_count(self):
        r = self.report(self.center, "--fy", "2024")
        self.assertEqual((r["fy"], r["label"], r["from"], r["to"]),
                         (2024, "令和6年度", "2024-04-01", "2025-03-31"))
        self.assertEqual([g["group"] for g in r["groups"]],
                         ["瀬谷センター", "おはなしサークル", "ひまわり保育園"],
                         "the center first, then by name")
        for g in r["groups"]:
            exp = EXPECTED[g["group"]]
            got = {k: g[k] for k in exp}
            self.assertEqual(got, exp, g["group"])
        self.assertEqual(r["network"], NETWORK)
        by_id = {m["id"]: m for m in r["meetings"]}
        self.assertEqual(sorted(by_id), ["meeting/m1", "meeting/m2", "meeting/m4"])
        self.assertEqual((by_id["meeting/m1"]["attending"], by_id["meeting/m1"]["absent"]),
                         (2, 0))
        self.assertEqual((by_id["meeting/m2"]["attending"], by_id["meeting/m2"]["absent"]),
                         (1, 1))
        self.assertEqual(sorted(by_id["meeting/m4"]["attending_groups"]),
                         ["おはなしサークル", "瀬谷センター"])

    def test_same_figures_at_another_group(self):
        a = self.report(self.center, "--fy", "2024")
        b = self.report(self.nursery, "--fy", "2024")
        self.assertEqual(a["groups"], b["groups"])
        self.assertEqual(a["network"], b["network"])

    def test_fiscal_year_spellings(self):
        base = self.report(self.center, "--fy", "2024")
        for fy in ("令和6年度", "R6", "r6", "2024年度", "FY2024", "令和６年度", "Ｒ６"):
            self.assertEqual(self.report(self.center, "--fy", fy), base, fy)
        # the year before holds only E2's first two Tuesdays and N4
        prev = self.report(self.center, "--fy", "令和5年度")
        self.assertEqual(prev["label"], "令和5年度")
        self.assertEqual(prev["network"]["events"]["held"], 3)
        nxt = self.report(self.center, "--fy", "2025")
        # FY2025: E1 4/1..4/22 (4), E8, N3 4/10 and 5/10 (2) = 7; M3 with one reply
        self.assertEqual(nxt["network"]["events"]["held"], 7)
        self.assertEqual(nxt["network"]["meetings"]["held"], 1)
        self.assertEqual(nxt["network"]["meetings"]["attending_groups"], 1)
        # R7: the center's FY2025 offer; the 2026-signed `volunteer/helpers` is not here
        self.assertEqual(nxt["network"]["volunteers"]["opened"], 1)

    def test_bad_fiscal_years_are_usage_errors(self):
        for bad in ("2024-13", "令和0年度", "R", "abc", "24", "2024年4月", ""):
            r = self.center.cli("report", "--fy", bad, check=False)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("--fy", r.stderr)
            self.assertIn("令和6年度", r.stderr, "the message shows what is accepted")
            self.assertEqual(r.stdout, "")
        r = self.center.cli("report", "--fy", "2024", "--csv", "--json", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.center.cli("report", "2024", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument", r.stderr)

    def test_csv_for_excel(self):
        # bytes as written (text mode would turn CRLF into LF)
        raw = subprocess.run([hb.HIROBA, "-d", self.center.dir, "report", "--fy", "R6",
                              "--csv"], capture_output=True, check=True, timeout=60).stdout
        text = raw.decode("utf-8")
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "BOM")
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""), "every line ends in CRLF")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        self.assertEqual(rows[0], ["項目", "瀬谷センター", "おはなしサークル", "ひまわり保育園",
                                   "ネットワーク計"])
        table = {row[0]: [int(x) for x in row[1:]] for row in rows[1:]}
        self.assertEqual(table["開催回数"], [11, 0, 6, 17])
        self.assertEqual(table["中止"], [1, 0, 1, 2])
        self.assertEqual(table["区分: プレママ・プレパパ"], [2, 0, 0, 2])
        self.assertEqual(table["区分: 親子のひろば"], [4, 0, 4, 8])
        self.assertEqual(table["月別: 4月"], [3, 0, 0, 3])
        self.assertEqual(table["月別: 2月"], [0, 0, 2, 2])
        self.assertEqual(table["月別: 3月"], [4, 0, 1, 5])
        self.assertEqual(table["予定人数（申込、なければ定員）"], [285, 0, 51, 336])
        self.assertEqual(table["参加人数"], [267, 0, 34, 301])
        self.assertEqual(table["参加人数未記入（回）"], [2, 0, 1, 3])
        self.assertEqual(table["父親向け 開催"], [0, 0, 2, 2])
        self.assertEqual(table["父親向け 参加"], [0, 0, 14, 14])
        self.assertEqual(table["支援マップ掲載"], [2, 0, 1, 3])
        self.assertEqual(table["ボランティア 登録"], [1, 2, 1, 4])
        self.assertEqual(table["ボランティア 成立"], [0, 1, 1, 2])
        self.assertEqual(table["会議 開催"], [2, 0, 1, 3])
        self.assertEqual(table["会議 出席団体（延べ）"], [3, 0, 2, 5])
        self.assertEqual(table["会議 出席回数"], [1, 2, 2, 5])
        self.assertEqual(len(rows), 1 + 3 + 8 + 12 + 14)
        en = self.center.cli("report", "--fy", "2024", "--csv", "--lang", "en").stdout
        rows = list(csv.reader(io.StringIO(en.lstrip("\ufeff"), newline="")))
        self.assertEqual(rows[0][0], "item")
        self.assertEqual(rows[0][-1], "network")
        self.assertEqual(rows[1], ["events held", "11", "0", "6", "17"])

    def test_terminal_table_aligned_by_display_width(self):
        out = self.center.cli("report", "--fy", "2024").stdout
        self.assertTrue(out.startswith("令和6年度 事業報告（2024-04-01〜2025-03-31）"))
        lines = out.splitlines()
        head = lines.index(next(l for l in lines if l.startswith("項目")))
        body = []
        for l in lines[head:]:
            if not l.strip():
                break
            body.append(l)
        self.assertEqual(len(body), 1 + 3 + 8 + 12 + 14)
        # numbers are right-aligned: every row of the table is as wide as the header
        self.assertEqual({width(l.rstrip()) for l in body}, {width(body[0].rstrip())})
        held = next(l for l in body if l.startswith("開催回数")).split()
        self.assertEqual(held[1:], ["11", "0", "6", "17"])
        self.assertIn("会議", lines[head + len(body) + 1])
        self.assertIn("応援ネット全体会議", out)
        self.assertNotIn("新年度の全体会議", out, "M3 is in the next year")

    def test_held_is_before_now_and_the_rest_is_planned(self):
        # A weekly series at the circle, 3 sessions past and 2 to come, and a meeting
        # next week: only what has started is held (issue 13: 18 held where one had).
        import time
        o = self.circle
        now = int(time.time())
        start = now - 15 * DAY
        o.publish(ev("event/weekly-now", "読み聞かせ会（毎週）", start, "play_space",
                     capacity=8, recurrence={"freq": "weekly", "until": start + 4 * WEEK}))
        o.cli("meeting", "call", "--title", "来週の打ち合わせ", "--id", "meeting/next",
              "--start", datetime.fromtimestamp(now + 3 * DAY, JST).strftime("%Y-%m-%d %H:%M"))
        # the current fiscal year (April to March, Tokyo), as `report` takes by default
        today = datetime.fromtimestamp(now, JST)
        fy = today.year - (today.month < 4)
        lo, hi = tokyo(fy, 4, 1), tokyo(fy + 1, 4, 1)
        occ = [start + i * WEEK for i in range(5)]
        held = sum(1 for t in occ if lo <= t < hi and t < now)
        planned = sum(1 for t in occ if lo <= t < hi and t >= now)
        r = self.report(o)
        got = next(g for g in r["groups"] if g["group"] == "おはなしサークル")
        self.assertEqual((got["events"]["held"], got["events"]["planned"]), (held, planned))
        self.assertEqual(sum(got["events"]["by_month"].values()), held,
                         "the breakdowns count what was held")
        self.assertEqual(got["participants"]["unrecorded"], held,
                         "a session to come has no attendance to miss")
        if lo <= now + 3 * DAY < hi:
            self.assertEqual((got["meetings"]["held"], got["meetings"]["planned"]), (0, 1))
            self.assertNotIn("meeting/next", [m["id"] for m in r["meetings"]])
        table = o.cli("report").stdout
        self.assertIn("開催予定", table)


if __name__ == "__main__":
    unittest.main(verbosity=2)
