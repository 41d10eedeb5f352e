# SPDX-License-Identifier: ISC
"""hiroba export ics|geojson|csv and --lang, --remote: records published at one group,
exported at another, and the files checked with parsers nobody here wrote (Debian's
python3-icalendar and python3-geojson) and byte by byte (the CSV for Excel).

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import csv
import io
import json
import os
import subprocess
import time
import unittest
from datetime import date, datetime, timedelta, timezone

import geojson
import icalendar

import hb
from hb import wait_for

JST = timezone(timedelta(hours=9))
DAY = 86400


def tokyo(y, mo, d, h=0, mi=0):
    return int(datetime(y, mo, d, h, mi, tzinfo=JST).timestamp())


# Next year's first Tuesday of March at 10:00 Tokyo, well in the future.
YEAR = datetime.now(JST).year + 1
T0 = tokyo(YEAR, 3, 3, 10, 0)
while datetime.fromtimestamp(T0, JST).weekday() != 1:
    T0 += DAY
ALLDAY = int("%04d0321" % YEAR)
RANGE = ["--from", "%04d-01-01" % YEAR, "--to", "%04d-12-31" % YEAR]

WEEKLY = {"id": "event/hiroba-weekly", "event": {
    "title": "親子のひろば「ぽかぽか」, 毎週火曜", "description": "=1+1 ではありません。\n持ち物: タオル",
    "when": {"start": T0, "end": T0 + 2 * 3600}, "category": "play_space",
    "translations": [{"lang": "en", "title": "Parent & child space", "description": "Bring a towel"}],
    "recurrence": {"freq": "weekly", "until": T0 + 5 * 7 * DAY + 3600,
                   "exceptions": [T0 + 2 * 7 * DAY]},
    "where": {"text": "瀬谷センター 2階", "point": {"lat_e7": 354660000, "lon_e7": 1394960000}},
    "capacity": 20, "registered": 12}}
MONTHLY = {"id": "event/papa-monthly", "event": {
    "title": "パパと遊ぼう", "when": {"start": T0 + 7 * DAY, "end": T0 + 7 * DAY + 3600},
    "category": "father",
    "recurrence": {"freq": "monthly", "by_weekday": True, "until": T0 + 120 * DAY}}}
ALLDAY_EV = {"id": "event/natsu", "event": {
    "title": "-子育てフェスタ", "when": {"all_day": True, "start": ALLDAY, "end": ALLDAY + 1},
    "category": "other_category"}}
CANCELLED = {"id": "event/cancel-1", "event": {
    "title": "プレママ教室", "when": {"start": T0 + DAY, "end": T0 + DAY + 5400},
    "category": "pre_parent", "cancelled": True}}
MEETING = {"id": "meeting/net-1", "meeting": {
    "title": "応援ネット地域別会議", "agenda": "年間計画", "when": {"start": T0 + 3 * DAY,
                                                         "end": T0 + 3 * DAY + 3600}}}
PARK = {"id": "place/seya-park", "place": {
    "name": "瀬谷中央公園", "point": {"lat_e7": 354661234, "lon_e7": 1394987654},
    "tags": [{"key": "leisure", "value": "playground"}, {"key": "stroller", "value": "yes"}],
    "address": "横浜市瀬谷区瀬谷4丁目", "opening_hours": "Mo-Su 09:00-17:00",
    "translations": [{"lang": "en", "title": "Seya Central Park"}]}}
NURSING = {"id": "place/nursing-1", "place": {
    "name": "授乳室@区役所", "point": {"lat_e7": 354640000, "lon_e7": 1394900000},
    "tags": [{"key": "changing_table", "value": "yes"}], "description": "+ おむつ替え台あり"}}
RECORDS = [WEEKLY, MONTHLY, ALLDAY_EV, CANCELLED, MEETING, PARK, NURSING]


class Export(unittest.TestCase):
    """The nursery publishes; the circle (another daemon) exports; a third group asks the
    nursery's daemon directly with --remote."""

    @classmethod
    def setUpClass(cls):
        cls.fed = hb.Federation()
        f = cls.fed
        try:
            center = f.add_center("瀬谷センター")
            cls.nursery = f.add_group("ひまわり保育園", "nursery")
            cls.circle = f.add_group("子育てサークルどんぐり", "circle")
            cls.asker = f.add_group("おやこサロン", "circle")
            cls.nursery.add_peer(center)
            cls.circle.add_peer(center)
            f.start(cls.nursery, cls.circle)
            cls.signed = {}
            for rec in RECORDS:
                cls.signed[rec["id"]] = cls.nursery.publish(rec)
            for rid, s in cls.signed.items():
                wait_for("%s at the circle" % rid,
                         lambda: cls.circle.has(cls.nursery.key, rid, s["seq"]))
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

    def export(self, g, *args, binary=False):
        path = os.path.join(self.fed.tmp, "out-%s-%d" % (g.name, time.monotonic_ns()))
        g.cli("export", *args, "-o", path)
        with open(path, "rb") as f:
            data = f.read()
        return data if binary else data.decode("utf-8")

    # ---- iCalendar ----

    def events_by_uid(self, data):
        cal = icalendar.Calendar.from_ical(data)
        return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}

    def test_ics_parses_with_stable_uids_and_tokyo_times(self):
        raw = self.export(self.circle, "ics", *RANGE, binary=True)
        self.assertIn(b"\r\n", raw)
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""), "every line ends in CRLF")
        cal, evs = self.events_by_uid(raw)
        # a plain Asia/Tokyo zone, not libical's prefixed one
        tzids = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
        self.assertEqual(tzids, ["Asia/Tokyo"])
        self.assertNotIn(b"freeassociation", raw)
        key = self.nursery.key
        for rid in ("event/hiroba-weekly", "event/papa-monthly", "event/natsu",
                    "event/cancel-1", "meeting/net-1"):
            self.assertIn("%s@%s" % (rid, key), evs)
        # the same UIDs, sequences and stamps from the publishing group's own daemon
        _, there = self.events_by_uid(self.export(self.nursery, "ics", *RANGE, binary=True))
        self.assertEqual(sorted(there), sorted(evs))
        for uid, e in evs.items():
            self.assertEqual(int(e["SEQUENCE"]), int(there[uid]["SEQUENCE"]))
        w = evs["event/hiroba-weekly@" + key]
        self.assertEqual(int(w["SEQUENCE"]), self.signed["event/hiroba-weekly"]["seq"])
        self.assertEqual(w["DTSTAMP"].dt,
                         datetime.fromtimestamp(self.signed["event/hiroba-weekly"]["created"],
                                                timezone.utc))
        self.assertEqual(str(w["SUMMARY"]), WEEKLY["event"]["title"])
        self.assertEqual(str(w["DESCRIPTION"]), WEEKLY["event"]["description"])
        self.assertEqual(str(w["LOCATION"]), "瀬谷センター 2階")
        self.assertEqual(w["DTSTART"].params["TZID"], "Asia/Tokyo")
        start = w["DTSTART"].dt
        self.assertEqual(start.utcoffset(), timedelta(hours=9))
        self.assertEqual(int(start.timestamp()), T0)
        self.assertEqual(int(w["DTEND"].dt.timestamp()), T0 + 7200)
        self.assertAlmostEqual(w["GEO"].latitude, 35.466, places=5)
        self.assertAlmostEqual(w["GEO"].longitude, 139.496, places=5)
        self.assertEqual(w["CATEGORIES"].cats, ["親子のひろば"])
        rr = w["RRULE"]
        self.assertEqual(rr["FREQ"], ["WEEKLY"])
        self.assertEqual(int(rr["UNTIL"][0].timestamp()), T0 + 5 * 7 * DAY + 3600)
        exdates = [d.dt for ex in (w["EXDATE"] if isinstance(w["EXDATE"], list)
                                   else [w["EXDATE"]]) for d in ex.dts]
        self.assertEqual([int(d.timestamp()) for d in exdates], [T0 + 14 * DAY])
        self.assertEqual(exdates[0].utcoffset(), timedelta(hours=9))
        m = evs["event/papa-monthly@" + key]
        self.assertEqual(m["RRULE"]["FREQ"], ["MONTHLY"])
        first = datetime.fromtimestamp(T0 + 7 * DAY, JST)
        self.assertEqual(m["RRULE"]["BYDAY"], ["%d%s" % ((first.day - 1) // 7 + 1, "TU")])
        a = evs["event/natsu@" + key]
        self.assertEqual(a["DTSTART"].dt, date(YEAR, 3, 21))
        self.assertEqual(a["DTEND"].dt, date(YEAR, 3, 23), "DTEND is exclusive")
        self.assertNotIn(b"DTSTART;VALUE=DATE;TZID", raw)
        c = evs["event/cancel-1@" + key]
        self.assertEqual(str(c["STATUS"]), "CANCELLED")
        self.assertIn("プレママ教室", str(c["SUMMARY"]))
        self.assertEqual(str(w["STATUS"]), "CONFIRMED")
        mt = evs["meeting/net-1@" + key]
        self.assertEqual(str(mt["SUMMARY"]), "応援ネット地域別会議")
        self.assertEqual(str(mt["DESCRIPTION"]), "年間計画")

    def test_ics_lang_en_falls_back_to_japanese(self):
        _, evs = self.events_by_uid(self.export(self.circle, "ics", *RANGE, "--lang", "en"))
        key = self.nursery.key
        w = evs["event/hiroba-weekly@" + key]
        self.assertEqual(str(w["SUMMARY"]), "Parent & child space")
        self.assertEqual(str(w["DESCRIPTION"]), "Bring a towel")
        self.assertEqual(str(evs["event/papa-monthly@" + key]["SUMMARY"]), "パパと遊ぼう")
        # only events: no meetings
        _, only = self.events_by_uid(self.export(self.circle, "ics", *RANGE, "--kind", "event",
                                                 "--category", "father"))
        self.assertEqual(list(only), ["event/papa-monthly@" + key])

    # ---- GeoJSON ----

    def test_geojson_is_valid_with_lon_lat(self):
        text = self.export(self.circle, "geojson")
        fc = geojson.loads(text)
        self.assertTrue(fc.is_valid, fc.errors())
        # python-geojson rounds to 6 digits: the exact values from the JSON itself
        exact = {f["properties"]["id"]: f for f in json.loads(text)["features"]}
        self.assertEqual(exact["place/seya-park"]["geometry"]["coordinates"],
                         [139.4987654, 35.4661234])
        self.assertEqual(fc["type"], "FeatureCollection")
        by_id = {f["properties"]["id"]: f for f in fc["features"]}
        self.assertEqual(sorted(by_id), ["place/nursing-1", "place/seya-park"])
        park = by_id["place/seya-park"]
        self.assertTrue(park.is_valid)
        lon, lat = park["geometry"]["coordinates"]
        self.assertAlmostEqual(lon, 139.4987654, places=5)
        self.assertAlmostEqual(lat, 35.4661234, places=5)
        p = park["properties"]
        self.assertEqual(p["name"], "瀬谷中央公園")
        self.assertEqual(p["leisure"], "playground")
        self.assertEqual(p["stroller"], "yes")
        self.assertEqual(p["address"], "横浜市瀬谷区瀬谷4丁目")
        self.assertEqual(p["opening_hours"], "Mo-Su 09:00-17:00")
        self.assertEqual(p["name:en"], "Seya Central Park")
        self.assertEqual(p["group"], "ひまわり保育園")
        self.assertEqual(p["author"], self.nursery.key)
        # RFC 7946 says nothing of crs; and uMap/QGIS want plain WGS 84
        self.assertNotIn("crs", json.loads(text))
        en = geojson.loads(self.export(self.circle, "geojson", "--lang", "en"))
        names = sorted(f["properties"]["name"] for f in en["features"])
        self.assertEqual(names, ["Seya Central Park", "授乳室@区役所"])
        # events with a point, on request
        both = geojson.loads(self.export(self.circle, "geojson", "--kind", "place,event",
                                         *RANGE))
        self.assertTrue(both.is_valid)
        evs = [f for f in both["features"] if f["properties"]["kind"] == "event"]
        self.assertEqual([f["properties"]["id"] for f in evs], ["event/hiroba-weekly"])
        self.assertEqual(evs[0]["geometry"]["coordinates"], [139.496, 35.466])
        # filtered by tag
        only = geojson.loads(self.export(self.circle, "geojson", "--tag", "stroller=yes"))
        self.assertEqual([f["properties"]["id"] for f in only["features"]],
                         ["place/seya-park"])

    # ---- CSV ----

    def test_csv_for_excel(self):
        raw = self.export(self.circle, "csv", *RANGE, binary=True)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM")
        body = raw[3:].decode("utf-8")
        # every record ends in CRLF; the LF inside the description is quoted
        self.assertTrue(body.endswith("\r\n"))
        rows = list(csv.reader(io.StringIO(body, newline="")))
        header = rows[0]
        self.assertEqual(header[:6], ["開始", "終了", "終日", "区分", "タイトル", "説明"])
        for col in ("場所", "定員", "申込", "参加", "グループ", "ID"):
            self.assertIn(col, header)
        h = {name: i for i, name in enumerate(header)}
        weekly = [r for r in rows[1:] if r[h["ID"]] == "event/hiroba-weekly"]
        # 6 weeks until the last, one exception: 5 occurrences
        self.assertEqual(len(weekly), 5)
        r = weekly[0]
        self.assertEqual(r[h["タイトル"]], "親子のひろば「ぽかぽか」, 毎週火曜")
        self.assertEqual(r[h["開始"]], datetime.fromtimestamp(T0, JST).strftime("%Y-%m-%d %H:%M"))
        self.assertEqual(r[h["定員"]], "20")
        self.assertEqual(r[h["申込"]], "12")
        self.assertEqual(r[h["区分"]], "親子のひろば")
        self.assertEqual(r[h["グループ"]], "ひまわり保育園")
        # a formula is neutralised, the newline kept inside quotes
        self.assertEqual(r[h["説明"]], "'=1+1 ではありません。\n持ち物: タオル")
        self.assertIn('"\'=1+1 ではありません。\n持ち物: タオル"'.encode(), raw)
        self.assertIn('"親子のひろば「ぽかぽか」, 毎週火曜"'.encode(), raw)
        natsu = [r for r in rows[1:] if r[h["ID"]] == "event/natsu"][0]
        self.assertEqual(natsu[h["タイトル"]], "'-子育てフェスタ")
        self.assertEqual(natsu[h["開始"]], "%04d-03-21" % YEAR)
        self.assertEqual(natsu[h["終了"]], "%04d-03-22" % YEAR)
        self.assertEqual(natsu[h["終日"]], "1")
        cancelled = [r for r in rows[1:] if r[h["ID"]] == "event/cancel-1"][0]
        self.assertEqual(cancelled[h["状態"]], "中止")
        for row in rows:
            self.assertEqual(len(row), len(header))
        # rows end in CRLF; only the quoted line break inside a cell is a bare LF
        self.assertEqual(raw.count(b"\r\n"), len(rows))
        self.assertEqual(raw.count(b"\n") - raw.count(b"\r\n"), len(weekly))

        places = self.export(self.circle, "csv", "--kind", "place", binary=True)[3:]
        prow = list(csv.DictReader(io.StringIO(places.decode(), newline="")))
        byid = {r["ID"]: r for r in prow}
        self.assertEqual(byid["place/seya-park"]["タグ"], "leisure=playground;stroller=yes")
        self.assertEqual(byid["place/seya-park"]["緯度"], "35.4661234")
        self.assertEqual(byid["place/nursing-1"]["説明"], "'+ おむつ替え台あり")
        self.assertEqual(byid["place/nursing-1"]["名称"], "授乳室@区役所")

    def test_numbers_in_a_decimal_comma_locale(self):
        """Under vi_VN (a decimal comma), coordinates are still read and written the C
        way (issue 12: --lat 35.4661 was refused, CSV said 35,4663000); hex and
        other strtod spellings are refused; full-width formula characters are
        neutralised in CSV like ASCII ones."""
        loc = os.path.join(self.fed.tmp, "locale")
        os.makedirs(loc, exist_ok=True)
        r = subprocess.run(["localedef", "-i", "vi_VN", "-f", "UTF-8",
                            os.path.join(loc, "vi_VN.UTF-8")], capture_output=True, text=True)
        self.assertIn(r.returncode, (0, 1), r.stderr)     # 1: warnings only
        env = {"LOCPATH": loc, "LANG": "vi_VN.UTF-8", "LC_ALL": ""}
        r = subprocess.run(["python3", "-c", "import locale; locale.setlocale(locale.LC_ALL, "
                            "''); print(locale.localeconv()['decimal_point'])"],
                           capture_output=True, text=True, env=dict(os.environ, **env))
        self.assertEqual(r.stdout.strip(), ",", "the test locale has a decimal comma")
        g = self.circle
        g.cli("place", "add", "--id", "place/vi", "--name", "＝１＋１ひろば", "--lat", "35.4661",
              "--lon", "139.4957", env=env)
        for bad in ("0x23", "3.5e1", " 35.4", "inf", "35,4661"):
            r = g.cli("place", "add", "--id", "place/bad", "--name", "x", "--lat", bad,
                      "--lon", "139.4957", env=env, check=False)
            self.assertEqual(r.returncode, 2, "--lat %r: %s" % (bad, r.stderr))
        path = os.path.join(self.fed.tmp, "vi.csv")
        g.cli("export", "csv", "--kind", "place", "-o", path, env=env)
        with open(path, "rb") as f:
            rows = list(csv.DictReader(io.StringIO(f.read()[3:].decode(), newline="")))
        row = [r for r in rows if r["ID"] == "place/vi"][0]
        self.assertEqual(row["緯度"], "35.4661000")
        self.assertEqual(row["名称"], "'＝１＋１ひろば")

    def test_csv_and_tables_lang_en(self):
        raw = self.export(self.circle, "csv", *RANGE, "--lang", "en", binary=True)
        rows = list(csv.DictReader(io.StringIO(raw[3:].decode(), newline="")))
        titles = {r["id"]: r["title"] for r in rows}
        self.assertEqual(titles["event/hiroba-weekly"], "Parent & child space")
        self.assertEqual(titles["event/papa-monthly"], "パパと遊ぼう")
        out = self.circle.cli("events", *RANGE, "--lang", "en").stdout
        self.assertIn("Parent & child space", out)
        self.assertIn("パパと遊ぼう", out)
        self.assertNotIn("親子のひろば「ぽかぽか」", out)
        out = self.circle.cli("places", "--lang", "en").stdout
        self.assertIn("Seya Central Park", out)
        self.assertIn("授乳室@区役所", out)

    def test_export_usage_errors(self):
        g = self.circle
        for args, word in ((["export"], "export"),
                           (["export", "pdf"], "pdf"),
                           (["export", "csv", "--kind", "event,place"], "one kind"),
                           (["export", "ics", "--kind", "place"], "--kind"),
                           (["export", "geojson", "--kind", "banana"], "banana"),
                           (["export", "ics", "--lang", "e n"], "--lang"),
                           (["export", "ics", "--remote", "tcp://127.0.0.1:1"], "--remote-key")):
            r = g.cli(*args, check=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(word, r.stderr)
        r = g.cli("export", "ics", "-o", "/nonexistent/dir/x.ics", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/dir/x.ics", r.stderr)

    # ---- --remote ----

    def test_remote_query_from_a_third_group(self):
        # The asker's daemon is not even running: its key and the nursery's suffice, once
        # the nursery knows the center admitted it.
        a, n = self.asker, self.nursery
        wait_for("the asker's admission at the nursery",
                 lambda: n.has(self.fed.center.key, "member/" + a.key))
        remote = ["--remote", n.endpoint, "--remote-key", n.key]
        evs = a.json("events", *RANGE, *remote)
        self.assertIn("event/hiroba-weekly", {e["id"] for e in evs})
        self.assertTrue(all(e["author"] == n.key for e in evs))
        out = a.cli("places", *remote, "--lang", "en").stdout
        self.assertIn("Seya Central Park", out)
        self.assertIn("ひまわり保育園", out)
        shown = a.json("show", "place/seya-park", *remote)[0]
        self.assertEqual(shown["place"]["name"], "瀬谷中央公園")
        r = a.cli("show", "place/nothing-here", *remote, check=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        vols = a.cli("volunteers", *remote)
        self.assertEqual(vols.returncode, 0)
        meetings = a.json("meetings", *RANGE, *remote)
        self.assertEqual([m["id"] for m in meetings], ["meeting/net-1"])
        _, evs = self.events_by_uid(self.export(a, "ics", *RANGE, *remote))
        self.assertIn("event/natsu@" + n.key, evs)

    def test_remote_without_answer_exits_3(self):
        n = self.nursery
        t = time.monotonic()
        r = self.asker.cli("events", "--remote", "tcp://127.0.0.1:%d" % hb.free_port(),
                           "--remote-key", n.key, check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no answer from tcp://127.0.0.1:", r.stderr)
        self.assertIn("admitted", r.stderr)
        self.assertLess(time.monotonic() - t, 30)
        # a group the center never admitted is refused by the remote's ZAP handler
        stranger = hb.Group(self.fed, "stranger", "circle", center_key=self.fed.center.key)
        r = stranger.cli("places", "--remote", n.endpoint, "--remote-key", n.key, check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("admitted", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
