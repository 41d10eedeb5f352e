# SPDX-License-Identifier: ISC
"""The ward network's coordination commands through the real CLI and daemons: volunteer
matching (hiroba match, match record, matches), places left at events (events --available,
event register) and meetings (meeting show, meeting minutes), with --lang.

Three groups: the center (瀬谷センター), a nursery and a circle, each on its own hirobad.
Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import json
import os
import unittest
from datetime import datetime, timedelta, timezone

import hb
from hb import wait_for

JST = timezone(timedelta(hours=9))
DAY = 86400


def tokyo(y, mo, d, h=0, mi=0):
    return int(datetime(y, mo, d, h, mi, tzinfo=JST).timestamp())


YEAR = datetime.now(JST).year + 1
# A Saturday next year in May, for the sports day.
SAT = datetime(YEAR, 5, 10, tzinfo=JST)
while SAT.weekday() != 5:
    SAT += timedelta(days=1)
SPORTS = tokyo(SAT.year, SAT.month, SAT.day, 9)
TUE, THU, WEEKDAYS = 1 << 1, 1 << 3, 0x1F


def vol(rid, kind, title, skills, area=None, windows=None, status="open"):
    v = {"kind": kind, "title": title, "status": status, "skills": skills}
    if area:
        v["area"] = area
    if windows:
        v["windows"] = windows
    return {"id": rid, "volunteer": v}


W1 = vol("volunteer/w1", "wanted", "読み聞かせボランティア募集", ["絵本", "読み聞かせ"], "瀬谷区",
         [{"weekdays": TUE, "from_minute": 9 * 60, "to_minute": 12 * 60}])
W1["volunteer"]["translations"] = [{"lang": "en", "title": "Story-time volunteers"}]
W2 = vol("volunteer/w2", "wanted", "運動会の手伝い", ["見守り"], None,
         [{"start": SPORTS, "end": SPORTS + 6 * 3600}])
W3 = vol("volunteer/w3", "wanted", "名簿の入力", ["pc"])
# O1 fits W1 on every count: 絵本 (10) + 瀬谷区 (5) + Tuesday morning (3) = 18
O1 = vol("volunteer/o1", "offered", "絵本の読み聞かせします", ["絵本", "手遊び"], "瀬谷区",
         [{"weekdays": TUE | THU, "from_minute": 10 * 60, "to_minute": 11 * 60 + 30}])
# O2 shares 読み聞かせ with W1 but only on Tuesday afternoons: no fit
O2 = vol("volunteer/o2", "offered", "読み聞かせ・紙芝居", ["読み聞かせ", "紙芝居"], "旭区",
         [{"weekdays": TUE, "from_minute": 13 * 60, "to_minute": 15 * 60}])
# O3 fits W3: ＰＣ and pc are the same skill after NFKC and case folding (10)
O3 = vol("volunteer/o3", "offered", "パソコン入力", ["ＰＣ"])
# O4 fits W2: 見守り (10) + the morning of the sports day (3) = 13
O4 = vol("volunteer/o4", "offered", "運動会スタッフ", ["見守り"], None,
         [{"start": SPORTS - 3600, "end": SPORTS + 3 * 3600}])
# O5 is closed; O6 only comes on weekdays (the sports day is a Saturday)
O5 = vol("volunteer/o5", "offered", "見守り（終了）", ["見守り"], status="closed")
O6 = vol("volunteer/o6", "offered", "平日の見守り", ["見守り"], None,
         [{"weekdays": WEEKDAYS, "from_minute": 9 * 60, "to_minute": 17 * 60}])

T0 = tokyo(YEAR, 6, 2, 10)


def ev(rid, title, start, **extra):
    e = {"title": title, "when": {"start": start, "end": start + 7200},
         "category": "play_space"}
    e.update(extra)
    return {"id": rid, "event": e}


EVENTS = [
    ev("event/full", "満員のひろば", T0, capacity=10, registered=10),
    ev("event/some", "あと少しのひろば", T0 + DAY, capacity=10, registered=4),
    ev("event/open", "定員なしのひろば", T0 + 2 * DAY),
    ev("event/off", "中止のひろば", T0 + 3 * DAY, capacity=10, registered=0, cancelled=True),
]
RANGE = ["--from", "%04d-06-01" % YEAR, "--to", "%04d-06-30" % YEAR]


class Ward(unittest.TestCase):

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
            cls.recs = []
            # O4 is the circle's: a group's own offer never fits its own request
            for g, recs in ((c, [W1, W3]), (n, [W2, O2, O6] + EVENTS), (o, [O1, O3, O4, O5])):
                for r in recs:
                    cls.recs.append((g, g.publish(r)))
            cls.sync()
        except BaseException:
            print(f.logs())
            f.close()
            raise

    @classmethod
    def sync(cls):
        for g in (cls.center, cls.nursery, cls.circle):
            for a in (cls.center, cls.nursery, cls.circle):
                mine = [x for x in a.status()["authors"] if x["author"] == a.key]
                top = mine[0]["max_seq"] if mine else 0
                wait_for("%s's records at %s" % (a.name, g.name),
                         lambda: g.complete(a.key) >= top)

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def tearDown(self):
        result = getattr(self._outcome, "result", None)
        if result is not None and (result.failures or result.errors):
            print(self.fed.logs())

    def ref(self, g, rid):
        return "%s/%s" % (g.key, rid)

    # ---- matching ----

    def matches_of(self, g, *args):
        return {m["wanted"]["id"]: m for m in g.json("match", *args)}

    def test_1_match_best_first_with_reasons(self):
        got = self.matches_of(self.nursery)
        self.assertEqual(sorted(got), ["volunteer/w1", "volunteer/w2", "volunteer/w3"])
        w1 = got["volunteer/w1"]["offers"]
        self.assertEqual([(x["id"], x["score"]) for x in w1], [("volunteer/o1", 18)],
                         "O2 is refused on time (Tuesday afternoons only)")
        self.assertEqual(w1[0]["why"], "共通スキル: 絵本, 地域: 瀬谷区, 時間: 火曜午前")
        self.assertEqual(w1[0]["group"], "おはなしサークル")
        self.assertEqual(w1[0]["ref"], self.ref(self.circle, "volunteer/o1"))
        w2 = got["volunteer/w2"]["offers"]
        self.assertEqual([(x["id"], x["score"]) for x in w2], [("volunteer/o4", 13)],
                         "O5 is closed, O6 comes on weekdays only")
        self.assertTrue(w2[0]["time"].startswith(SAT.strftime("%Y-%m-%d") + "(土) 09:00"),
                        w2[0]["time"])
        w3 = got["volunteer/w3"]["offers"]
        self.assertEqual([(x["id"], x["score"], x["skills"]) for x in w3],
                         [("volunteer/o3", 10, "pc")], "ＰＣ = pc")
        # the table says the same, Japanese text aligned by libsmartcols
        out = self.center.cli("match").stdout
        self.assertIn("共通スキル: 絵本, 地域: 瀬谷区, 時間: 火曜午前", out)
        self.assertEqual(out.splitlines()[0].split()[:4], ["参照", "募集", "募集元", "参照"])
        # --lang en: reasons in English, titles translated where they can be
        en = self.matches_of(self.center, "--lang", "en")
        self.assertEqual(en["volunteer/w1"]["wanted"]["title"], "Story-time volunteers")
        self.assertEqual(en["volunteer/w1"]["offers"][0]["title"], "絵本の読み聞かせします",
                         "no translation: the Japanese title")
        self.assertEqual(en["volunteer/w1"]["offers"][0]["why"],
                         "skills: 絵本, area: 瀬谷区, time: Tue morning")

    def test_2_match_record_center_only(self):
        c, n, o = self.center, self.nursery, self.circle
        w1, o1 = self.ref(c, "volunteer/w1"), self.ref(o, "volunteer/o1")
        # another group: the daemon says no, and the CLI says who can
        r = n.cli("match", "record", w1, o1, check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("only the center (瀬谷センター) records matches", r.stderr)
        self.assertIn("hirobad refused the record", r.stderr)
        # the wrong way round, a missing listing, bad options
        r = c.cli("match", "record", o1, w1, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a wanted one", r.stderr)
        r = c.cli("match", "record", w1, self.ref(o, "volunteer/nope"), check=False)
        self.assertEqual(r.returncode, 4)
        self.assertIn("no listing 'volunteer/nope'", r.stderr)
        for bad in ([w1], [w1, o1, "--status", "maybe"], [w1, o1, "--bogus"]):
            r = c.cli("match", "record", *bad, check=False)
            self.assertEqual(r.returncode, 2, bad)
        # the center records it; recording again changes the same record
        first = json.loads(c.cli("--json", "match", "record", w1, o1, "--status", "proposed",
                                 "--note", "火曜午前から").stdout)
        second = json.loads(c.cli("--json", "match", "record", w1, o1, "--note",
                                  "火曜午前から、6月開始").stdout)
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(second["match"]["status"], "confirmed")
        wait_for("the match at the circle", lambda: o.has(c.key, second["id"], second["seq"]))
        ms = o.json("matches")
        self.assertEqual(len(ms), 1)
        self.assertEqual(ms[0]["match"]["note"], "火曜午前から、6月開始")
        self.assertEqual(ms[0]["wanted_listing"]["title"], "読み聞かせボランティア募集")
        self.assertEqual(ms[0]["offered_listing"]["group"], "おはなしサークル")
        self.assertEqual(o.json("matches", "--status", "ended"), [])
        out = o.cli("matches").stdout
        self.assertIn("成立", out)
        self.assertIn("読み聞かせボランティア募集（瀬谷センター, 受付中）", out)
        got = self.matches_of(o)
        self.assertEqual(got["volunteer/w1"]["offers"][0]["match"], "confirmed")
        self.assertIn("成立", o.cli("match").stdout)
        # the authors close their listings; the offer no longer comes up
        o.cli("volunteer", "close", "volunteer/o1", "--filled")
        c.cli("volunteer", "close", "volunteer/w1", "--filled")
        self.sync()
        got = self.matches_of(n)
        self.assertNotIn("volunteer/w1", got, "a filled wanted listing is not matched")
        self.assertIn("volunteer/w1", self.matches_of(n, "--all"))
        self.assertEqual(self.matches_of(n, "--all")["volunteer/w1"]["offers"], [])
        self.assertIn("読み聞かせボランティア募集（瀬谷センター, 充足）", o.cli("matches").stdout)

    def test_match_bad_arguments(self):
        for bad in (["--limit", "0"], ["--limit", "x"], ["extra"], ["--remote", "tcp://x"]):
            r = self.center.cli("match", *bad, check=False)
            self.assertEqual(r.returncode, 2, bad)
        r = self.center.cli("matches", "--status", "done", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("proposed, confirmed or ended", r.stderr)

    # ---- places left ----

    def test_events_available_and_register(self):
        n, c = self.nursery, self.center
        rows = c.json("events", "--available", *RANGE)
        self.assertEqual([(r["id"], r.get("left")) for r in rows],
                         [("event/some", 6), ("event/open", None)],
                         "full and cancelled events are left out")
        out = c.cli("events", *RANGE).stdout
        head = out.splitlines()[0].split()
        self.assertIn("残り", head)
        line = next(l for l in out.splitlines() if "あと少しのひろば" in l)
        self.assertIn(" 6 ", line + " ")
        # the organiser updates its count
        r = n.cli("event", "register", "event/full", "--count", "8")
        self.assertIn("published event event/full", r.stdout)
        over = n.cli("event", "register", "event/some", "--count", "12")
        self.assertIn("more than the capacity of 10", over.stderr)
        n.cli("event", "register", "event/some", "--count", "4")
        self.sync()
        rows = c.json("events", "--available", *RANGE)
        self.assertEqual([(r["id"], r.get("left")) for r in rows],
                         [("event/full", 2), ("event/some", 6), ("event/open", None)])
        self.assertEqual(len(c.json("events", "--available", "--limit", "1", *RANGE)), 1)
        # another group's event, and bad counts
        r = c.cli("event", "register", "%s/event/full" % n.key, "--count", "1", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("only that group can change it", r.stderr)
        for bad in (["event/full"], ["event/full", "--count", "-1"],
                    ["event/full", "--count", "lots"], ["--count", "3"]):
            r = n.cli("event", "register", *bad, check=False)
            self.assertEqual(r.returncode, 2, bad)
        r = n.cli("event", "register", "event/nope", "--count", "1", check=False)
        self.assertEqual(r.returncode, 4)

    # ---- meetings ----

    def test_meeting_show_and_minutes(self):
        c, n, o = self.center, self.nursery, self.circle
        start = T0 + 10 * DAY
        c.publish({"id": "meeting/net", "meeting": {
            "title": "応援ネット地域別会議", "agenda": "年間計画", "when": {
                "start": start, "end": start + 5400},
            "where": {"text": "瀬谷センター 2階"}, "invited": [n.key, o.key],
            "translations": [{"lang": "en", "title": "Area network meeting"}]}})
        c.cli("meeting", "call", "--title", "支援者研修の打合せ", "--start",
              "%04d-07-01 14:00" % YEAR, "--id", "meeting/all")
        wait_for("the meetings at the nursery", lambda: n.has(c.key, "meeting/all"))
        n.cli("meeting", "reply", "%s/meeting/net" % c.key, "--attending", "--count", "3",
              "--note", "園長ほか2名")
        n.cli("meeting", "reply", "%s/meeting/all" % c.key, "--absent")
        wait_for("the replies at the center",
                 lambda: len(c.json("meetings", "--from", "%04d-06-01" % YEAR, "--to",
                                    "%04d-07-31" % YEAR)) == 2 and all(
                     m["replies"]["attending"] + m["replies"]["absent"] == 1
                     for m in c.json("meetings", "--from", "%04d-06-01" % YEAR, "--to",
                                     "%04d-07-31" % YEAR)))
        shown = c.json("meeting", "show", "meeting/net")[0]
        answers = {a["group"]: a for a in shown["answers"]}
        self.assertEqual(sorted(answers), ["おはなしサークル", "ひまわり保育園"])
        self.assertEqual((answers["ひまわり保育園"]["answer"], answers["ひまわり保育園"]["count"],
                          answers["ひまわり保育園"]["note"]), ("attending", 3, "園長ほか2名"))
        self.assertEqual(answers["おはなしサークル"]["answer"], "none")
        self.assertEqual(shown["summary"], {"attending": 1, "absent": 0, "unanswered": 1,
                                            "people": 3})
        out = c.cli("meeting", "show", "meeting/net").stdout
        self.assertTrue(out.startswith("応援ネット地域別会議\n"))
        self.assertIn("回答: 出席 1 (3人)  欠席 0  未回答 1", out)
        line = next(l for l in out.splitlines() if l.startswith("おはなしサークル"))
        self.assertIn("未回答", line)
        line = next(l for l in out.splitlines() if l.startswith("ひまわり保育園"))
        self.assertEqual(line.split()[1:3], ["出席", "3"])
        # no invitation list: every admitted group but the caller is invited
        shown = n.json("meeting", "show", "%s/meeting/all" % c.key)[0]
        self.assertEqual({a["group"]: a["answer"] for a in shown["answers"]},
                         {"ひまわり保育園": "absent", "おはなしサークル": "none"})
        # --lang en: the translated title, English words; a meeting without a translation
        # keeps its Japanese title
        en = c.cli("meeting", "show", "meeting/net", "--lang", "en").stdout
        self.assertTrue(en.startswith("Area network meeting\n"))
        self.assertIn("answers: attending 1 (3 people)  absent 0  no answer 1", en)
        en = c.cli("meeting", "show", "meeting/all", "--lang", "en").stdout
        self.assertTrue(en.startswith("支援者研修の打合せ\n"))

        # minutes and actions afterwards, by the meeting's author
        c.cli("meeting", "minutes", "meeting/net", "--minutes", "年間計画を確認した。\n次回は9月。",
              "--action", "チラシ案を作る（センター）", "--action", "会場を予約する（保育園）")
        path = os.path.join(self.fed.tmp, "minutes.txt")
        with open(path, "wb") as f:
            f.write("\ufeff議事録（Windowsのメモ帳）\r\n1. 予算\r\n".encode("utf-8"))
        c.cli("meeting", "minutes", "meeting/all", "-f", path)
        rec = c.json("show", "meeting/all")[0]
        self.assertEqual(rec["meeting"]["minutes"], "議事録（Windowsのメモ帳）\n1. 予算",
                         "BOM and CRLF gone, trailing newline dropped")
        wait_for("the minutes at the circle", lambda: "actions" in (o.show(
            c.key, "meeting/net") or {}).get("meeting", {}))
        out = o.cli("meeting", "show", "%s/meeting/net" % c.key).stdout
        self.assertIn("議事録:\n年間計画を確認した。\n次回は9月。", out)
        self.assertIn("対応事項:\n  1. チラシ案を作る（センター）\n  2. 会場を予約する（保育園）", out)
        rec = o.show(c.key, "meeting/net")
        self.assertEqual(rec["meeting"]["invited"], [n.key, o.key], "the rest is kept")
        # someone else's meeting, nothing to record, a meeting that is not there
        r = n.cli("meeting", "minutes", "%s/meeting/net" % c.key, "--minutes", "x",
                  check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("only that group can change it", r.stderr)
        r = c.cli("meeting", "minutes", "meeting/net", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing to record", r.stderr)
        r = c.cli("meeting", "minutes", "meeting/net", "--minutes", "a", "-f", path,
                  check=False)
        self.assertEqual(r.returncode, 2)
        r = c.cli("meeting", "show", "meeting/nope", check=False)
        self.assertEqual(r.returncode, 4)
        r = c.cli("meeting", "show", check=False)
        self.assertEqual(r.returncode, 2)
        r = c.cli("meeting", "show", "volunteer/w1", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a meeting", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
