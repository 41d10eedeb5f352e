# SPDX-License-Identifier: ISC
"""hiroba import csv|json against real daemons: refused rows named with their line numbers
and nothing imported, the fixed file imported in one batch, re-imports that change
nothing, --skip-bad, JSON arrays and one-record-per-line, files that are not UTF-8.

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import json
import os
import time
import unittest
from datetime import datetime, timedelta, timezone

import hb
from hb import wait_for

JST = timezone(timedelta(hours=9))
YEAR = datetime.now(JST).year + 1

PLACES_BAD = (
    "\ufeff名称,緯度,経度,住所,タグ,営業時間,説明\r\n"
    "瀬谷中央公園,35.4661234,139.4987654,横浜市瀬谷区瀬谷4丁目,leisure=playground;stroller=yes,,\r\n"
    "授乳室（区役所1階）,abc,139.49,,changing_table=yes,,\r\n"
    "\"こどもログハウス, 瀬谷\",35.47,139.48,瀬谷区二ツ橋町,leisure=playground,Mo-Su 09:00-17:00,\"=HYPERLINK(\"\"x\"\")\r\n2行目\"\r\n"
    ",35.46,139.47,,,,名前のない行\r\n"
    "\r\n")
PLACES_GOOD = PLACES_BAD.replace(",abc,", ",35.4640,").replace(
    ",35.46,139.47,,,,名前のない行", "せせらぎ公園,35.46,139.47,,,,名前を付けた")

EVENTS = (
    "title,start,end,category,place,capacity,title:en,description,audience\n"
    "親子のひろば,%(y)d-04-07 10:00,12:00,親子のひろば,瀬谷センター,20,Play space,,\n"
    ",%(y)d-04-08 10:00,,father,,,,,\n"
    "パパと遊ぼう,%(y)d-04-31 10:00,,father,,,,,\n"
    "子育てフェスタ,%(y)d-05-05,,other,瀬谷公会堂,,,\"飲み物持参, 雨天決行\",\"fathers、all_families\"\n"
    % {"y": YEAR})
EVENTS_GOOD = EVENTS.replace(",%d-04-08 10:00," % YEAR, "プレママ教室,%d-04-08 10:00," % YEAR) \
                    .replace("-04-31 10:00", "-04-30 10:00")


class Import(hb.FederationTest):

    def setUp(self):
        super().setUp()
        f = self.fed
        center = f.add_center("瀬谷センター")
        self.g = f.add_group("ひまわり保育園", "nursery")
        self.g.add_peer(center)
        f.start(self.g)

    def write(self, name, text, encoding="utf-8", newline=""):
        path = os.path.join(self.fed.tmp, name)
        with open(path, "w", encoding=encoding, newline=newline) as f:
            f.write(text)
        return path

    def places(self, g=None):
        return {p["id"]: p for p in (g or self.g).json("places")
                if p["author"] == self.g.key}

    def events(self):
        return [e for e in self.g.json("events", "--from", "%d-01-01" % YEAR, "--to",
                                       "%d-12-31" % YEAR) if e["author"] == self.g.key]

    def test_csv_places_all_or_nothing_then_idempotent(self):
        g = self.g
        bad = self.write("応援マップ.csv", PLACES_BAD)
        r = g.cli("import", "csv", bad, check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        # line 3: the bad latitude; the quoted cell on line 4 spans two lines, so the
        # nameless row is on line 6
        self.assertIn("応援マップ.csv:3: refused: 緯度 'abc' is not a latitude", r.stderr)
        self.assertIn("応援マップ.csv:6: refused: 名称 is empty", r.stderr)
        self.assertNotIn(":2:", r.stderr)
        self.assertNotIn(":4:", r.stderr)
        self.assertIn("nothing imported: 2 of 4 rows refused", r.stderr)
        self.assertEqual(self.places(), {}, "nothing half-imported")
        # --dry-run on the fixed file says what would happen and publishes nothing
        good = self.write("応援マップ-fixed.csv", PLACES_GOOD)
        r = g.cli("import", "csv", good, "--dry-run")
        self.assertIn("would import 4 (4 new, 0 changed); 0 unchanged, 0 refused", r.stdout)
        self.assertEqual(self.places(), {})
        before = g.complete(g.key)
        r = g.cli("import", "csv", good)
        self.assertIn("imported 4 (4 new, 0 changed); 0 unchanged, 0 refused", r.stdout)
        got = self.places()
        self.assertEqual(len(got), 4)
        # one batch: one sequence number each, consecutive
        seqs = sorted(p["seq"] for p in got.values())
        self.assertEqual(seqs, list(range(before + 1, before + 5)))
        byname = {p["place"]["name"]: p for p in got.values()}
        log = byname["こどもログハウス, 瀬谷"]["place"]
        self.assertEqual(log["address"], "瀬谷区二ツ橋町")
        self.assertEqual(log["description"], '=HYPERLINK("x")\n2行目', "CRLF in a cell is LF")
        self.assertEqual(log["opening_hours"], "Mo-Su 09:00-17:00")
        park = byname["瀬谷中央公園"]["place"]
        self.assertEqual(park["point"], {"lat_e7": 354661234, "lon_e7": 1394987654})
        self.assertEqual(park["tags"], [{"key": "leisure", "value": "playground"},
                                        {"key": "stroller", "value": "yes"}])
        # re-importing the same file changes nothing: same ids, same seqs
        r = g.cli("import", "csv", good)
        self.assertIn("imported 0 (0 new, 0 changed); 4 unchanged", r.stdout)
        self.assertEqual({k: v["seq"] for k, v in self.places().items()},
                         {k: v["seq"] for k, v in got.items()})
        self.assertEqual(g.complete(g.key), before + 4)
        # an edited row is the same record, a new version of it
        edited = self.write("edited.csv", PLACES_GOOD.replace("横浜市瀬谷区瀬谷4丁目",
                                                             "横浜市瀬谷区瀬谷四丁目"))
        r = g.cli("import", "csv", edited)
        self.assertIn("imported 1 (0 new, 1 changed); 3 unchanged", r.stdout)
        now = self.places()
        self.assertEqual(sorted(now), sorted(got))
        pid = byname["瀬谷中央公園"]["id"]
        self.assertEqual(now[pid]["place"]["address"], "横浜市瀬谷区瀬谷四丁目")
        self.assertGreater(now[pid]["seq"], got[pid]["seq"])
        # the map entries reach the center like any others
        wait_for("the imported places at the center",
                 lambda: all(self.fed.center.has(g.key, pid2) for pid2 in now))

    def test_skip_bad_imports_the_good_rows(self):
        bad = self.write("bad.csv", PLACES_BAD)
        r = self.g.cli("import", "csv", bad, "--skip-bad", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("bad.csv:3: refused", r.stderr)
        self.assertIn("imported 2 (2 new, 0 changed); 0 unchanged, 2 refused", r.stdout)
        self.assertEqual(sorted(p["place"]["name"] for p in self.places().values()),
                         ["こどもログハウス, 瀬谷", "瀬谷中央公園"])

    def test_csv_events_english_headers_lf(self):
        g = self.g
        path = self.write("events.csv", EVENTS)
        r = g.cli("import", "csv", path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("events.csv:3: refused: title is empty", r.stderr)
        self.assertIn("events.csv:4: refused: start '%d-04-31 10:00' is not a time" % YEAR,
                      r.stderr)
        self.assertEqual(self.events(), [])
        path = self.write("events.csv", EVENTS_GOOD)
        r = g.cli("import", "csv", path)
        self.assertIn("imported 4 (4 new", r.stdout)
        evs = {e["event"]["title"]: e for e in self.events()}
        self.assertEqual(sorted(evs), ["パパと遊ぼう", "プレママ教室", "子育てフェスタ", "親子のひろば"])
        hiroba = evs["親子のひろば"]["event"]
        self.assertEqual(hiroba["category"], "play_space")
        self.assertEqual(hiroba["capacity"], 20)
        self.assertEqual(hiroba["where"]["text"], "瀬谷センター")
        self.assertEqual(hiroba["when"]["end"] - hiroba["when"]["start"], 7200)
        self.assertEqual(hiroba["translations"], [{"lang": "en", "title": "Play space"}])
        fes = evs["子育てフェスタ"]["event"]
        self.assertEqual(fes["when"], {"all_day": True, "start": int("%d0505" % YEAR),
                                       "end": int("%d0505" % YEAR)})
        self.assertEqual(fes["audience"], ["fathers", "all_families"])
        self.assertEqual(fes["description"], "飲み物持参, 雨天決行")
        out = g.cli("events", "--from", "%d-04-01" % YEAR, "--to", "%d-04-30" % YEAR,
                    "--lang", "en").stdout
        self.assertIn("Play space", out)
        r = g.cli("import", "csv", path)
        self.assertIn("imported 0 (0 new, 0 changed); 4 unchanged", r.stdout)

    def test_exported_csv_imports_back(self):
        """The places CSV `hiroba export` writes is one `hiroba import` reads."""
        g = self.g
        g.cli("import", "csv", self.write("p.csv", PLACES_GOOD))
        out = os.path.join(self.fed.tmp, "export.csv")
        g.cli("export", "csv", "--kind", "place", "-o", out)
        r = g.cli("import", "csv", out)
        self.assertIn("imported 0 (0 new, 0 changed); 4 unchanged", r.stdout)

    def test_json_array_and_lines(self):
        g = self.g
        t = int(datetime(YEAR, 6, 2, 10, 0, tzinfo=JST).timestamp())
        drafts = [hb.event("event/json-1", "父親講座", t, category="father"),
                  {"place": {"name": "ふれあい公園", "point": {"lat_e7": 354000000,
                                                          "lon_e7": 1394000000}}}]
        path = self.write("a.json", json.dumps(drafts, ensure_ascii=False, indent=2))
        r = g.cli("import", "json", path)
        self.assertIn("imported 2 (2 new", r.stdout)
        self.assertIn("event/json-1", [e["id"] for e in self.events()])
        r = g.cli("import", "json", path)
        self.assertIn("0 new, 0 changed); 2 unchanged", r.stdout)
        # one per line, with a broken line and a record of the wrong kind
        lines = [json.dumps(hb.event("event/json-2", "英語で子育て", t + 86400), ensure_ascii=False),
                 '{"event": {"title": "壊れた行"',
                 json.dumps({"id": "event/json-3", "event": {"title": "x", "category": "father",
                                                            "when": {"start": t, "end": t - 60}}}),
                 json.dumps(drafts[1], ensure_ascii=False)]
        path = self.write("b.jsonl", "\n".join(lines) + "\n")
        r = g.cli("import", "json", path, "--kind", "event", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("b.jsonl:2: refused: not JSON", r.stderr)
        self.assertIn("b.jsonl:3: refused: event.when", r.stderr)
        self.assertIn("b.jsonl:4: refused: a place, and --kind says event", r.stderr)
        self.assertNotIn("event/json-2", [e["id"] for e in self.events()])
        # `hiroba events --json` output goes back in as it is
        listed = os.path.join(self.fed.tmp, "listed.jsonl")
        with open(listed, "w", encoding="utf-8") as f:
            f.write(g.cli("--json", "events", "--from", "%d-01-01" % YEAR, "--to",
                          "%d-12-31" % YEAR).stdout)
        r = g.cli("import", "json", listed)
        self.assertIn("0 new, 0 changed); 1 unchanged", r.stdout)

    def test_bad_files_and_usage(self):
        g = self.g
        r = g.cli("import", "csv", check=False)
        self.assertEqual(r.returncode, 2)
        r = g.cli("import", "csv", "x.csv", "--kind", "membership", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--kind", r.stderr)
        r = g.cli("import", "csv", os.path.join(self.fed.tmp, "missing.csv"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.csv", r.stderr)
        sjis = self.write("sjis.csv", "名称,緯度,経度\r\n公園,35.4,139.4\r\n", encoding="cp932")
        r = g.cli("import", "csv", sjis, "--encoding", "utf-8", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not UTF-8", r.stderr)
        self.assertIn("CSV UTF-8", r.stderr)
        r = g.cli("import", "csv", sjis, "--encoding", "latin1", check=False)
        self.assertEqual(r.returncode, 2)
        # neither UTF-8 nor CP932: 0x81 must be followed by a byte from 0x40 to 0xFC
        path = os.path.join(self.fed.tmp, "neither.csv")
        with open(path, "wb") as f:
            f.write("名称,緯度,経度\r\n".encode("cp932") + b"\x81\x20,35.4,139.4\r\n")
        r = g.cli("import", "csv", path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("neither UTF-8 nor CP932", r.stderr)
        self.assertIn("line 2", r.stderr)
        odd = self.write("odd.csv", "メモ,備考\r\nx,y\r\n")
        r = g.cli("import", "csv", odd, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--kind", r.stderr)
        unclosed = self.write("unclosed.csv", '名称,緯度,経度\r\n"公園,35.4,139.4\r\n')
        r = g.cli("import", "csv", unclosed, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unclosed.csv:2: a quoted cell is never closed", r.stderr)
        dup = self.write("dup.csv", "名称,緯度,経度\n公園,35.4,139.4\n公園,35.4,139.4\n")
        r = g.cli("import", "csv", dup, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("dup.csv:3: refused: the same record as line 2", r.stderr)
        self.assertEqual(self.places(), {})


def excel_rewrite(text):
    """What Excel in Japan does to our export when a coordinator opens it and saves it as
    'CSV (コンマ区切り)': dates shown as yyyy/m/d h:mm (no leading zeros, no seconds), the
    BOM gone, the text in CP932 with CRLF, quotes only where needed."""
    import csv
    import io
    import re
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))

    def cell(v):
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?", v)
        if m:
            y, mo, d, h, mi = m.groups()
            v = "%d/%d/%d" % (int(y), int(mo), int(d))
            if h is not None:
                v += " %d:%s" % (int(h), mi)
        return v
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [[cell(v) for v in row] for row in rows])
    return out.getvalue().encode("cp932")


class ExcelJapan(hb.FederationTest):
    """The files Excel in Japan writes (issue 13): CP932, its dates, full-width digits;
    and the export → Excel → import round trip, which must change nothing."""

    def setUp(self):
        super().setUp()
        f = self.fed
        center = f.add_center("瀬谷センター")
        self.g = f.add_group("ひまわり保育園", "nursery")
        self.g.add_peer(center)
        f.start(self.g)

    def mine(self, kind):
        return {r["id"]: r for r in self.g.json(kind) if r["author"] == self.g.key}

    def test_cp932_with_excel_dates_and_full_width_digits(self):
        g = self.g
        text = ("タイトル,開始,終了,区分,場所,定員\r\n"
                "親子のひろば,%(y)d/4/7 10:00,12:00,親子のひろば,瀬谷センター,２０\r\n"
                "パパと遊ぼう,%(y)d/04/08 9:30,11時半,父親向け,,\r\n"
                "子育てフェスタ,%(y)d/5/5,,その他,瀬谷公会堂,\"1,000\"\r\n"
                "講座,１２月５日 １０時,,子育て相談,,\r\n") % {"y": YEAR}
        path = os.path.join(self.fed.tmp, "excel.csv")
        with open(path, "wb") as f:
            f.write(text.encode("cp932"))
        r = g.cli("import", "csv", path)
        self.assertIn("imported 4 (4 new", r.stdout)
        self.assertIn("read as CP932", r.stderr)
        evs = {e["event"]["title"]: e["event"] for e in g.json(
            "events", "--from", "%d-01-01" % (YEAR - 1), "--to", "%d-12-31" % YEAR)
            if e["author"] == g.key}
        when = evs["親子のひろば"]["when"]
        self.assertEqual(when["start"], int(datetime(YEAR, 4, 7, 10, tzinfo=JST).timestamp()))
        self.assertEqual(when["end"], int(datetime(YEAR, 4, 7, 12, tzinfo=JST).timestamp()))
        self.assertEqual(evs["親子のひろば"]["capacity"], 20)
        self.assertEqual(evs["パパと遊ぼう"]["when"]["end"] - evs["パパと遊ぼう"]["when"]["start"],
                         2 * 3600)
        self.assertEqual(evs["パパと遊ぼう"]["category"], "father")
        self.assertTrue(evs["子育てフェスタ"]["when"]["all_day"])
        self.assertEqual(evs["子育てフェスタ"]["capacity"], 1000)
        self.assertIn("講座", evs)
        # the same bytes again: nothing new
        r = g.cli("import", "csv", path)
        self.assertIn("imported 0 (0 new, 0 changed); 4 unchanged", r.stdout)
        # a date that is not one says what it read and gives an example
        bad = os.path.join(self.fed.tmp, "bad.csv")
        with open(bad, "wb") as f:
            f.write(("タイトル,開始\r\n会議,%d/2/30 10:00\r\n" % YEAR).encode("cp932"))
        r = g.cli("import", "csv", bad, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("bad.csv:2: refused: 開始", r.stderr)
        self.assertIn("not a day of the calendar", r.stderr)
        self.assertIn("e.g.", r.stderr)

    def test_export_saved_by_excel_imports_back_unchanged(self):
        g = self.g
        t = int(datetime(YEAR, 6, 2, 10, 0, tzinfo=JST).timestamp())
        g.publish(hb.event("event/rt-1", "プレママ・プレパパ教室（第１回）", t,
                           category="pre_parent", capacity=12, registered=3,
                           description="持ち物: 母子手帳、筆記用具", where={"text": "瀬谷センター 2階"}))
        g.publish(hb.event("event/rt-2", "父親講座", t + 86400 + 1800, category="father"))
        g.publish({"id": "event/rt-3", "event": {
            "title": "子育てフェスタ", "category": "other_category",
            "when": {"all_day": True, "start": YEAR * 10000 + 1103, "end": YEAR * 10000 + 1103}}})
        g.publish({"id": "place/rt-p", "place": {
            "name": "瀬谷中央公園", "address": "横浜市瀬谷区瀬谷4丁目",
            "point": {"lat_e7": 354661234, "lon_e7": 1394987654},
            "tags": [{"key": "leisure", "value": "playground"}]}})
        before = g.status()
        seqs = {a["author"]: a["max_seq"] for a in before["authors"]}
        for kind in ("event", "place"):
            out = os.path.join(self.fed.tmp, "export-%s.csv" % kind)
            args = ["export", "csv", "--kind", kind, "-o", out]
            if kind == "event":
                args += ["--from", "%d-01-01" % YEAR, "--to", "%d-12-31" % YEAR]
            g.cli(*args)
            with open(out, encoding="utf-8", newline="") as f:
                exported = f.read()
            saved = os.path.join(self.fed.tmp, "excel-%s.csv" % kind)
            with open(saved, "wb") as f:
                f.write(excel_rewrite(exported))
            with open(saved, "rb") as f:
                raw = f.read()
            self.assertNotIn(b"\xef\xbb\xbf", raw)
            if kind == "event":
                self.assertIn(("%d/6/2 10:00" % YEAR).encode(), raw, "Excel's dates")
            r = g.cli("import", "csv", saved)
            self.assertIn("imported 0 (0 new, 0 changed)", r.stdout, r.stdout + r.stderr)
        after = g.status()
        self.assertEqual({a["author"]: a["max_seq"] for a in after["authors"]}, seqs,
                         "no new versions were signed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
