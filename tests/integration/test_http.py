# SPDX-License-Identifier: ISC
"""The read-only web page's endpoints (issue 8), over real HTTP from a real hirobad.

A center and a nursery run; the center has [http] on a free port. The nursery publishes
events, support-map places and volunteer listings (Japanese, English and Vietnamese
texts, and records whose titles hold HTML and quotes); they reach the center by sync.
Every endpoint is fetched with urllib: status codes, content types and security headers,
ICS parsed with python3-icalendar, GeoJSON with python3-geojson, /metrics line by line,
writes refused with 405, personal fields absent, and raw text round-tripping in JSON.

demo_data() is shared with tests/web/test_page.py (the page in headless Chromium).
"""
import json
import os
import re
import socket
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request

import hb
from hb import wait_for

HBTOOL = os.environ.get("HBTOOL", "hbtool")
WEBDIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "..", "..", "deploy", "web"))
JST = 9 * 3600
XSS_TITLE = "<script>alert(1)</script> \"&' 注意"
XSS_PLACE = "<b>太字</b><img src=x onerror=alert(3)>"


def day_at(days, hour, minute=0):
    """Unix time of HH:MM Asia/Tokyo, `days` days from today (JST)."""
    today = (int(time.time()) + JST) // 86400 * 86400 - JST
    return today + days * 86400 + hour * 3600 + minute * 60


def ymd(days):
    return int(time.strftime("%Y%m%d", time.gmtime(day_at(days, 12) + JST)))


def enable_http(group, port, tiles="http://127.0.0.1:9/{z}/{x}/{y}.png", title=None):
    """Append an [http] section. Tiles point at a closed loopback port: tests are offline."""
    with open(group.conf, "a", encoding="utf-8") as f:
        f.write("\n[http]\nlisten = 127.0.0.1:%d\ntiles = %s\nstatic = %s\n"
                % (port, tiles, WEBDIR))
        if title:
            f.write("title = %s\n" % title)


def demo_data(center, nursery):
    """Publish what a ward's partner groups might: returns {name: record JSON}."""
    k = nursery.key
    out = {}
    pub = lambda g, name, d: out.__setitem__(name, g.publish(d))
    pub(nursery, "park", {"id": "place/seya-park", "place": {
        "name": "せやの森こども公園", "description": "すべり台と砂場があります。",
        "translations": [{"lang": "en", "title": "Seya Forest Children's Park",
                          "description": "Slide and sandpit."}],
        "tags": [{"key": "leisure", "value": "playground"},
                 {"key": "stroller", "value": "yes"},
                 {"key": "toilets", "value": "yes"}],
        "point": {"lat_e7": 354665000, "lon_e7": 1394990000},
        "address": "横浜市瀬谷区本郷1丁目", "opening_hours": "Mo-Su 09:00-17:00"}})
    pub(nursery, "nursing", {"id": "place/nursing-room", "place": {
        "name": "区役所1階 授乳室", "description": "おむつ替え台・給湯あり",
        "translations": [{"lang": "en", "title": "Nursing room, ward office 1F"}],
        "tags": [{"key": "amenity", "value": "baby_feeding"},
                 {"key": "changing_table", "value": "yes"},
                 {"key": "stroller", "value": "yes"}],
        "point": {"lat_e7": 354690000, "lon_e7": 1394960000},
        "address": "横浜市瀬谷区二ツ橋町190", "opening_hours": "Mo-Fr 08:45-17:00"}})
    pub(center, "center_place", {"id": "place/kyoten", "place": {
        "name": "地域子育て支援拠点 ひろば", "description": "親子で遊べるひろばと子育て相談。",
        "translations": [{"lang": "en", "title": "Child-rearing support center"}],
        "tags": [{"key": "amenity", "value": "childcare"},
                 {"key": "changing_table", "value": "yes"},
                 {"key": "baby_feeding", "value": "room"}],
        "point": {"lat_e7": 354720000, "lon_e7": 1395010000},
        "address": "横浜市瀬谷区瀬谷4丁目"}})
    pub(nursery, "xss_place", {"id": "place/odd-name", "place": {
        "name": XSS_PLACE, "tags": [{"key": "leisure", "value": "park"}],
        "point": {"lat_e7": 354600000, "lon_e7": 1394900000}}})

    s = day_at(2, 10)
    pub(center, "hiroba", {"id": "event/hiroba-weekly", "event": {
        "title": "親子のひろば", "description": "0〜3歳のお子さんと保護者の方。\n予約不要です。",
        "translations": [{"lang": "en", "title": "Parent and child play space",
                          "description": "For children 0-3 and their parents."},
                         {"lang": "vi", "title": "Không gian chơi cho cha mẹ và con"}],
        "when": {"start": s, "end": s + 2 * 3600},
        "recurrence": {"freq": "weekly", "until": s + 6 * 7 * 86400,
                       "exceptions": [s + 14 * 86400]},
        "where": {"place": {"author": center.key, "id": "place/kyoten"}},
        "category": "play_space", "audience": ["all_families"],
        "age_max_months": 36, "capacity": 20, "registered": 5, "fee_yen": 0,
        "languages": ["ja", "en"]}})
    s = day_at(5, 13, 30)
    pub(nursery, "papa", {"id": "event/papa", "event": {
        "title": "父親向けプログラム「パパと遊ぼう」",
        "translations": [{"lang": "en", "title": "Play with Dad"}],
        "when": {"start": s, "end": s + 90 * 60}, "category": "father",
        "audience": ["fathers"], "capacity": 10, "registered": 10,
        "where": {"text": "ひまわり保育園 ホール", "point": {"lat_e7": 354680000,
                                                         "lon_e7": 1394970000}}}})
    s = day_at(9, 10)
    pub(nursery, "premama", {"id": "event/premama", "event": {
        "title": "プレママ・プレパパ教室", "description": "沐浴体験、先輩ママとの交流",
        "translations": [{"lang": "en", "title": "Class for expecting parents"}],
        "when": {"start": s, "end": s + 2 * 3600}, "category": "pre_parent",
        "audience": ["expecting_parents", "fathers"], "capacity": 12, "registered": 4,
        "contact": "045-000-0000"}})
    pub(nursery, "xss", {"id": "event/odd-title", "event": {
        "title": XSS_TITLE, "description": "<img src=x onerror=alert(2)>; a, b\\c",
        "when": {"start": day_at(3, 15), "end": day_at(3, 16)},
        "category": "other_category"}})
    pub(center, "festival", {"id": "event/festival", "event": {
        "title": "子育てフェスタ", "translations": [{"lang": "en", "title": "Family festival"}],
        "when": {"all_day": True, "start": ymd(12), "end": ymd(13)},
        "category": "support_system", "audience": ["all_families", "grandparents"]}})
    pub(center, "cancelled", {"id": "event/cancelled", "event": {
        "title": "育児講座（中止）", "when": {"start": day_at(4, 10), "end": day_at(4, 11)},
        "category": "consultation", "cancelled": True}})
    pub(center, "past", {"id": "event/past", "event": {
        "title": "春のひろば", "when": {"start": day_at(-120, 10), "end": day_at(-120, 12)},
        "category": "play_space"}})

    pub(nursery, "reading", {"id": "volunteer/reading", "volunteer": {
        "kind": "wanted", "title": "絵本の読み聞かせボランティア募集",
        "description": "月に1回、ひろばで絵本を読んでくださる方。",
        "translations": [{"lang": "en", "title": "Volunteers wanted: reading picture books"}],
        "skills": ["読み聞かせ"], "area": "瀬谷区", "people": 2,
        "windows": [{"weekdays": 5, "from_minute": 600, "to_minute": 720}],
        "status": "open", "contact_sealed": "ab" * 64, "contact_self": "cd" * 64}})
    pub(nursery, "filled", {"id": "volunteer/filled", "volunteer": {
        "kind": "offered", "title": "もう埋まった募集", "status": "filled"}})
    return out


def fetch(url, method="GET", data=None, headers=None):
    """(status, headers, body bytes), without raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class Http(unittest.TestCase):
    """One federation for the whole class: the endpoints only read."""

    @classmethod
    def setUpClass(cls):
        cls.fed = hb.Federation()
        try:
            f = cls.fed
            cls.center = f.add_center("瀬谷センター", start=False)
            cls.port = hb.free_port()
            enable_http(cls.center, cls.port, title="せや子育て応援ひろば")
            cls.center.start()
            cls.nursery = f.add_group("ひまわり保育園", "nursery")
            cls.rogue = f.add_group("rogue", "circle")
            cls.nursery.add_peer(cls.center)
            f.start(cls.nursery)
            cls.recs = demo_data(cls.center, cls.nursery)
            nk = cls.nursery.key
            wait_for("the nursery's records at the center",
                     lambda: cls.center.complete(nk) == cls.nursery.complete(nk))
            cls.base = "http://127.0.0.1:%d" % cls.port
        except BaseException:
            print(cls.fed.logs())
            cls.fed.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fed.close()

    def get(self, path, **kw):
        return fetch(self.base + path, **kw)

    def get_json(self, path, ctype="application/json"):
        st, h, body = self.get(path)
        self.assertEqual(st, 200, body)
        self.assertEqual(h["Content-Type"], ctype)
        self.assertEqual(h["Access-Control-Allow-Origin"], "*")
        return json.loads(body.decode("utf-8"))

    # ---- the page and its files ----
    def test_page_and_static(self):
        st, h, body = self.get("/")
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(h["X-Content-Type-Options"], "nosniff")
        csp = h["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("img-src 'self' data: http://127.0.0.1:9", csp)
        self.assertIn('lang="ja"', body.decode())
        self.assertIn("/static/leaflet/leaflet.js", body.decode())
        for path, ctype in [("/static/app.js", "text/javascript; charset=utf-8"),
                            ("/static/app.css", "text/css; charset=utf-8"),
                            ("/static/leaflet/leaflet.js", "text/javascript; charset=utf-8"),
                            ("/static/leaflet/leaflet.css", "text/css; charset=utf-8"),
                            ("/static/leaflet/images/marker-icon.png", "image/png")]:
            st, h, body = self.get(path)
            self.assertEqual((st, h["Content-Type"]), (200, ctype), path)
            with open(os.path.join(WEBDIR, path.lstrip("/")), "rb") as f:
                self.assertEqual(body, f.read(), path)
        st, h, body = self.get("/static/app.js", method="HEAD")
        self.assertEqual((st, body), (200, b""))
        cfg = self.get_json("/config.json")
        self.assertEqual(cfg["title"], "せや子育て応援ひろば")
        self.assertEqual(cfg["group"], "瀬谷センター")
        self.assertEqual(cfg["tiles"], "http://127.0.0.1:9/{z}/{x}/{y}.png")

    def test_static_paths_stay_inside(self):
        for path in ["/static/../hirobad.conf", "/static/%2e%2e/%2e%2e/etc/passwd",
                     "/static/.hidden.js", "/static/leaflet/../../../etc/passwd",
                     "/static/nothing.js", "/static/leaflet", "/static/app.js.map",
                     "/static//app.js", "/nope", "/events/xyz.ics",
                     "/events/%s/event/none.ics" % self.nursery.key]:
            st, h, body = self.get(path)
            self.assertEqual(st, 404, path)
            self.assertNotIn(b"root:", body)

    def test_writes_are_refused(self):
        for method in ["POST", "PUT", "DELETE", "PATCH"]:
            for path in ["/", "/events.json", "/metrics", "/static/app.js"]:
                st, h, body = self.get(path, method=method, data=b'{"x":1}',
                                       headers={"Content-Type": "application/json"})
                self.assertEqual(st, 405, (method, path))
                self.assertEqual(h["Allow"], "GET, HEAD")

    # ---- feeds ----
    def test_events_json(self):
        ev = self.get_json("/events.json")
        byid = {e["id"]: e for e in ev["events"]}
        self.assertNotIn("event/past", byid)
        for rid in ["event/hiroba-weekly", "event/papa", "event/premama", "event/odd-title",
                    "event/festival", "event/cancelled"]:
            self.assertIn(rid, byid)
        w = byid["event/hiroba-weekly"]
        self.assertEqual(w["title"], "親子のひろば")
        self.assertEqual(w["group"], "瀬谷センター")
        self.assertEqual(w["category"], "play_space")
        self.assertEqual(w["audience"], ["all_families"])
        self.assertEqual((w["capacity"], w["registered"], w["places_left"]), (20, 5, 15))
        self.assertTrue(w["recurring"])
        # 7 weekly dates, one exception
        starts = [o["start"] for o in w["occurrences"]]
        s0 = self.recs["hiroba"]["event"]["when"]["start"]
        self.assertEqual(starts, [s0 + i * 7 * 86400 for i in range(7) if i != 2])
        self.assertEqual(w["where"]["place"]["name"], "地域子育て支援拠点 ひろば")
        self.assertEqual(w["where"]["place"]["point"], [139.501, 35.472])
        self.assertEqual({t["lang"] for t in w["translations"]}, {"en", "vi"})
        self.assertEqual(w["ics"], "/events/%s/event/hiroba-weekly.ics" % self.center.key)
        self.assertEqual(byid["event/papa"]["places_left"], 0)
        self.assertEqual(byid["event/papa"]["group"], "ひまわり保育園")
        self.assertEqual(byid["event/papa"]["where"]["point"], [139.497, 35.468])
        self.assertTrue(byid["event/cancelled"]["cancelled"])
        self.assertTrue(byid["event/festival"]["all_day"])
        # the raw title round-trips: escaping is the reader's job, done by jansson here
        self.assertEqual(byid["event/odd-title"]["title"], XSS_TITLE)
        # ordered by the next occurrence
        firsts = [e["occurrences"][0]["start"] for e in ev["events"]]
        self.assertEqual(firsts, sorted(firsts))
        # the bytes on the wire carry no raw control characters and valid UTF-8
        st, h, body = self.get("/events.json")
        body.decode("utf-8")
        self.assertNotIn(b"\n", body)

    def test_volunteers_json_has_no_personal_fields(self):
        st, h, body = self.get("/volunteers.json")
        self.assertEqual(st, 200)
        self.assertNotIn(b"contact_sealed", body)
        self.assertNotIn(b"abababab", body)
        self.assertNotIn(b"contact_self", body)
        self.assertNotIn(b"cdcdcdcd", body)
        vols = json.loads(body)
        self.assertEqual([v["id"] for v in vols], ["volunteer/reading"])
        v = vols[0]
        self.assertEqual(v["title"], "絵本の読み聞かせボランティア募集")
        self.assertEqual(v["kind"], "wanted")
        self.assertEqual(v["group"], "ひまわり保育園")
        self.assertEqual(v["windows"], [{"weekdays": 5, "from_minute": 600,
                                         "to_minute": 720}])
        self.assertEqual(set(v), {"author", "id", "group", "created", "kind", "status",
                                  "title", "description", "translations", "skills",
                                  "area", "people", "windows"})

    def test_map_geojson(self):
        import geojson
        st, h, body = self.get("/map.geojson")
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "application/geo+json")
        self.assertEqual(h["Access-Control-Allow-Origin"], "*")
        fc = geojson.loads(body.decode("utf-8"))
        self.assertIsInstance(fc, geojson.FeatureCollection)
        self.assertTrue(fc.is_valid, fc.errors())
        byid = {f["properties"]["id"]: f for f in fc["features"]}
        self.assertEqual(set(byid), {"place/seya-park", "place/nursing-room", "place/kyoten",
                                     "place/odd-name"})
        park = byid["place/seya-park"]
        self.assertEqual(park["geometry"]["type"], "Point")
        self.assertEqual(park["geometry"]["coordinates"], [139.499, 35.4665])   # [lon, lat]
        p = park["properties"]
        self.assertEqual(p["name"], "せやの森こども公園")
        self.assertEqual(p["tags"], {"leisure": "playground", "stroller": "yes",
                                     "toilets": "yes"})
        self.assertEqual(p["address"], "横浜市瀬谷区本郷1丁目")
        self.assertEqual(p["opening_hours"], "Mo-Su 09:00-17:00")
        self.assertEqual(p["group"], "ひまわり保育園")
        self.assertEqual(park["id"], "%s/place/seya-park" % self.nursery.key)
        self.assertEqual(byid["place/odd-name"]["properties"]["name"], XSS_PLACE)
        self.assertEqual(byid["place/kyoten"]["properties"]["group"], "瀬谷センター")

    def test_events_ics(self):
        import icalendar
        st, h, body = self.get("/events.ics")
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "text/calendar; charset=utf-8")
        for line in body.split(b"\r\n"):
            self.assertLessEqual(len(line), 75, line)
            line.decode("utf-8")        # folding never splits a character
        self.assertTrue(body.endswith(b"END:VCALENDAR\r\n"))
        cal = icalendar.Calendar.from_ical(body)
        tz = [c for c in cal.walk("VTIMEZONE")]
        self.assertEqual([str(c["TZID"]) for c in tz], ["Asia/Tokyo"])
        evs = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        ck, nk = self.center.key, self.nursery.key
        w = evs["event/hiroba-weekly@%s" % ck]
        self.assertEqual(str(w["SUMMARY"]), "親子のひろば")
        self.assertEqual(str(w["DESCRIPTION"]), "0〜3歳のお子さんと保護者の方。\n予約不要です。")
        s0 = self.recs["hiroba"]["event"]["when"]["start"]
        self.assertEqual(int(w["DTSTART"].dt.timestamp()), s0)
        self.assertEqual(w["DTSTART"].params["TZID"], "Asia/Tokyo")
        self.assertEqual(int(w["DTEND"].dt.timestamp()), s0 + 7200)
        rr = w["RRULE"]
        self.assertEqual(rr["FREQ"], ["WEEKLY"])
        self.assertEqual(int(rr["UNTIL"][0].timestamp()), s0 + 6 * 7 * 86400)
        ex = w["EXDATE"]
        ex = ex if isinstance(ex, list) else [ex]
        self.assertEqual([int(d.dt.timestamp()) for e in ex for d in e.dts],
                         [s0 + 14 * 86400])
        self.assertEqual(str(w["LOCATION"]), "地域子育て支援拠点 ひろば")
        self.assertEqual(int(w["SEQUENCE"]), self.recs["hiroba"]["seq"])
        odd = evs["event/odd-title@%s" % nk]
        self.assertEqual(str(odd["SUMMARY"]), XSS_TITLE)
        self.assertEqual(str(odd["DESCRIPTION"]), "<img src=x onerror=alert(2)>; a, b\\c")
        self.assertIn(b"DESCRIPTION:<img src=x onerror=alert(2)>\\; a\\, b\\\\c", body)
        fest = evs["event/festival@%s" % ck]
        self.assertEqual(fest["DTSTART"].to_ical().decode(), str(ymd(12)))
        self.assertEqual(fest["DTEND"].to_ical().decode(), str(ymd(14)))   # exclusive
        self.assertEqual(str(evs["event/cancelled@%s" % ck]["STATUS"]), "CANCELLED")
        self.assertEqual(str(evs["event/papa@%s" % nk]["GEO"].to_ical()), "35.468;139.497")
        self.assertNotIn("event/past@%s" % ck, evs)     # 120 days ago: out of the feed
        # the English feed takes the translations, and says so
        st, h, body = self.get("/events.ics?lang=en")
        cal = icalendar.Calendar.from_ical(body)
        evs = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        self.assertEqual(str(evs["event/papa@%s" % nk]["SUMMARY"]), "Play with Dad")
        self.assertEqual(evs["event/papa@%s" % nk]["SUMMARY"].params["LANGUAGE"], "en")
        self.assertEqual(str(evs["event/odd-title@%s" % nk]["SUMMARY"]), XSS_TITLE)

    def test_one_event_ics(self):
        import icalendar
        nk = self.nursery.key
        st, h, body = self.get("/events/%s/event/premama.ics" % nk)
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "text/calendar; charset=utf-8")
        self.assertEqual(h["Content-Disposition"], 'attachment; filename="event-premama.ics"')
        cal = icalendar.Calendar.from_ical(body)
        evs = cal.walk("VEVENT")
        self.assertEqual(len(evs), 1)
        self.assertEqual(str(evs[0]["UID"]), "event/premama@%s" % nk)
        self.assertEqual(str(evs[0]["SUMMARY"]), "プレママ・プレパパ教室")
        self.assertEqual(str(evs[0]["CONTACT"]), "045-000-0000")
        # a place is not an event
        st, h, body = self.get("/events/%s/place/seya-park.ics" % nk)
        self.assertEqual(st, 404)

    # ---- operations ----
    def test_healthz(self):
        st, h, body = self.get("/healthz")
        self.assertEqual((st, body), (200, b"ok\n"))
        self.assertTrue(h["Content-Type"].startswith("text/plain"))

    def parse_metrics(self):
        st, h, body = self.get("/metrics")
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="'
                            r'(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|'
                            r'\\.)*")*)?\})? (-?[0-9.eE+]+|NaN|[+-]Inf)$')
        out, types = {}, {}
        for line in body.decode("utf-8").split("\n"):
            if line == "":
                continue
            if line.startswith("# TYPE "):
                _, _, name, t = line.split(" ")
                self.assertIn(t, ("gauge", "counter"))
                types[name] = t
                continue
            if line.startswith("# HELP "):
                continue
            m = sample.match(line)
            self.assertIsNotNone(m, line)
            self.assertIn(m.group(1), types, line)
            out[m.group(1) + (m.group(2) or "")] = float(m.group(4))
        self.assertTrue(body.endswith(b"\n"))
        return out

    def test_metrics(self):
        m = self.parse_metrics()
        self.assertEqual(m['hiroba_records{kind="event"}'], 7)
        self.assertEqual(m['hiroba_records{kind="place"}'], 4)
        self.assertEqual(m['hiroba_records{kind="volunteer"}'], 2)
        self.assertEqual(m['hiroba_records{kind="membership"}'], 2)
        self.assertGreaterEqual(m["hiroba_authors"], 2)
        wait_for("the nursery as a connected peer in /metrics",
                 lambda: self.parse_metrics().get("hiroba_peers_connected") == 1)
        m = self.parse_metrics()
        ups = {k: v for k, v in m.items() if k.startswith("hiroba_peer_up{")}
        self.assertEqual(list(ups.values()), [1])
        behind = [k for k in m if k.startswith("hiroba_peer_behind{")]
        self.assertEqual(len(behind), 1)
        # a forged record from an admitted group: counted under its reason
        r = subprocess.run([HBTOOL, "send", self.rogue.conf, self.center.endpoint,
                            self.center.key, "badsig", "100"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for("the refusal in /metrics", lambda: self.parse_metrics().get(
            'hiroba_rejected_records_total{reason="bad-signature"}') == 1)

    def test_zx_the_page_under_load(self):
        # 280 slow connections from 4 addresses, more than the 256 slots (issue 12:
        # 68 took every slot of the single-threaded server), and four clients looping
        # on the calendar: the page and /healthz still answer at once (CI once saw the
        # loopers reset when one address could hold only 5)
        slow = []
        try:
            for a in range(2, 6):
                for _ in range(70):
                    s = socket.socket()
                    s.bind(("127.0.0.%d" % a, 0))
                    s.settimeout(5)
                    try:
                        s.connect(("127.0.0.1", self.port))
                        s.sendall(b"GET /events.json HTTP/1.1\r\nHost: x\r\n")  # no end
                    except OSError:
                        pass    # refused over the per-address limit: as it should be
                    slow.append(s)
            stop = threading.Event()
            errors = []

            def loop():
                while not stop.is_set():
                    try:
                        st, _, _ = self.get("/events.ics")
                        if st != 200:
                            errors.append(st)
                    except OSError as e:
                        errors.append(str(e))
            threads = [threading.Thread(target=loop, daemon=True) for _ in range(4)]
            for t in threads:
                t.start()
            worst = 0.0
            for _ in range(20):
                t0 = time.monotonic()
                st, _, body = self.get("/healthz")
                worst = max(worst, time.monotonic() - t0)
                self.assertEqual((st, body), (200, b"ok\n"))
                st, _, _ = self.get("/")
                self.assertEqual(st, 200)
            stop.set()
            for t in threads:
                t.join(30)
            self.assertEqual(errors, [])
            print("\n/healthz under load: worst %.0f ms" % (worst * 1000))
            self.assertLess(worst, 1.0)
        finally:
            for s in slow:
                s.close()

    def test_zy_one_group_cannot_push_others_off_the_page(self):
        # 6000 events of one member, all before everyone else's (issue 12: 20,001 hid
        # the center's event, the feeds stopping at 20,000 hits): it gets its share of
        # 5000, and the others stay on the page and in the calendar
        start = int(time.time()) + 3600
        for k in range(6):
            r = subprocess.run([HBTOOL, "send", "-n", "1000", "-s", str(start),
                                self.rogue.conf, self.center.endpoint, self.center.key,
                                "good", str(1 + k * 1000)], capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
        wait_for("the center to hold the 6000",
                 lambda: self.center.has(self.rogue.key, "rogue/6000"), timeout=120)
        ev = self.get_json("/events.json")["events"]
        mine = [e for e in ev if e["author"] == self.rogue.key] if "author" in ev[0] else \
            [e for e in ev if e["id"].startswith("rogue/")]
        self.assertEqual(len(mine), 5000)
        ids = {e["id"] for e in ev}
        for rid in ("event/hiroba-weekly", "event/papa"):
            self.assertIn(rid, ids)
        st, h, body = self.get("/events.ics")
        self.assertEqual(st, 200)
        self.assertIn(b"event/hiroba-weekly@", body)
        self.assertEqual(body.count(b"UID:rogue/"), 5000)

    def test_zz_clean_stop(self):
        """Last: SIGTERM stops the web thread with the daemon (and, under ASan, leaks
        nothing)."""
        self.assertEqual(self.get("/healthz")[0], 200)
        self.assertEqual(self.center.stop(), 0, self.center.logtext()[-3000:])
        self.assertEqual(self.nursery.stop(), 0)


class HttpConfig(unittest.TestCase):
    """Off unless configured; a taken port stops the daemon with a clear line."""

    def test_off_by_default_and_port_taken(self):
        fed = hb.Federation()
        try:
            c = fed.add_center("center")
            self.assertNotIn("web page on", c.logtext())
            c.stop()
            import socket
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                s.listen(1)
                enable_http(c, s.getsockname()[1])
                r = subprocess.run([hb.HIROBAD, "-c", c.conf], capture_output=True,
                                   text=True, timeout=30)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("http: cannot listen on 127.0.0.1:%d" % s.getsockname()[1],
                              r.stderr)
        finally:
            fed.close()


if __name__ == "__main__":
    unittest.main()
