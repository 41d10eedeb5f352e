# SPDX-License-Identifier: ISC
"""A coordinator's day in headless Chromium (issue 14's "done when"): a center and a
nursery, both with [console]. console.test.mjs signs in through the real form,
publishes a weekly play space with a skipped date, answers the center's meeting, places
a map entry by clicking the map, imports a CP932 spreadsheet after its preview, posts a
volunteer request with a sealed contact; then,
in a second tab at the center's console, admits a new group, records a match from the
suggestions, reads the request's contact for a purpose, and downloads the year's report.
Each result is then asked of the other daemon's CLI: the center for the nursery's
records, the nursery for the admission, the match and the report; the audit log for the
console user's name.
"""
import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import hb                       # noqa: E402
from hb import wait_for         # noqa: E402
from test_page import CHROMIUM, ensure_node_modules     # noqa: E402
from test_console import fingerprint                    # noqa: E402

JST = 9 * 3600
PASSWORD = "tablet-ひろば-2026"
CONTACT = "045-000-1111 鈴木"
WEBDIR = os.path.normpath(os.path.join(HERE, "..", "..", "deploy", "web"))


def day(days):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + JST + days * 86400))


class ConsolePage(hb.FederationTest):

    def test_console_in_chromium(self):
        self.assertTrue(os.access(CHROMIUM, os.X_OK), "%s is missing: run deploy/deps"
                        % CHROMIUM)
        ensure_node_modules()
        f = self.fed
        center = f.add_center("瀬谷センター", start=False)
        cport = hb.free_port()
        with open(center.conf, "a", encoding="utf-8") as fh:
            fh.write("\n[console]\nlisten = 127.0.0.1:%d\n" % cport)
        center.start()
        center.cli("console", "user", "add", "tanaka", input=PASSWORD + "\n")
        newcomer = hb.Group(f, "どんぐりサークル", "circle", center_key=center.key)
        nursery = f.add_group("ひまわり保育園", "nursery")
        nursery.add_peer(center)
        port = hb.free_port()
        with open(nursery.conf, "a", encoding="utf-8") as fh:
            # [http] names the folder the console takes Leaflet from, and a tile
            # server that answers nothing (no network in the test)
            fh.write("\n[console]\nlisten = 127.0.0.1:%d\n\n[http]\nlisten = 127.0.0.1:%d\n"
                     "tiles = http://127.0.0.1:9/{z}/{x}/{y}.png\nstatic = %s\n"
                     % (port, hb.free_port(), WEBDIR))
        f.start(nursery)
        nursery.cli("console", "user", "add", "tanaka", input=PASSWORD + "\n")
        out = center.cli("--json", "meeting", "call", "--title", "応援ネット地域別会議",
                         "--start", day(6) + " 14:00", "--invite", "ひまわり保育園").stdout
        mid = json.loads(out.splitlines()[0])["id"]
        wait_for("the nursery to hold the meeting", lambda: nursery.has(center.key, mid))
        # the offer the center's matching pairs with the request the browser makes
        out = center.cli("--json", "volunteer", "add", "--offered", "--title",
                         "読み聞かせボランティア（センター）", "--skill", "読み聞かせ",
                         "--area", "瀬谷区").stdout
        oid = json.loads(out.splitlines()[0])["id"]
        csv_in = os.path.join(f.tmp, "places-cp932.csv")
        with open(csv_in, "wb") as fh:
            fh.write("名称,緯度,経度,タグ\r\nこどもログハウス（CSV）,35.47,139.48,"
                     "leisure=playground\r\n".encode("cp932"))
        env = dict(os.environ, HIROBA_CONSOLE="http://127.0.0.1:%d/" % port,
                   HIROBA_USER="tanaka", HIROBA_PASSWORD=PASSWORD,
                   HIROBA_DAY3=day(3), HIROBA_DAY10=day(10), HIROBA_DAY40=day(40),
                   HIROBA_CENTER_CONSOLE="http://127.0.0.1:%d/" % cport,
                   HIROBA_NEW_KEY=newcomer.key, HIROBA_NEW_FPR=fingerprint(newcomer.key),
                   HIROBA_PICKED=os.path.join(f.tmp, "picked.json"),
                   HIROBA_CONTACT=CONTACT,
                   HIROBA_REPORT=os.path.join(f.tmp, "report.csv"),
                   HIROBA_CSV=csv_in,
                   CHROMIUM=CHROMIUM)
        r = subprocess.run(["node", "--test", "--test-reporter=spec",
                            os.path.join(HERE, "console.test.mjs")], cwd=HERE, env=env,
                           capture_output=True, text=True, timeout=240)
        print(r.stdout[-8000:], r.stderr[-4000:])
        self.assertEqual(r.returncode, 0, "console.test.mjs failed (output above)")

        # what the browser did, seen from the center's CLI
        def occurrences():
            return [e for e in center.json("events", "--group", "ひまわり保育園")
                    if e.get("event", {}).get("title") == "親子のひろば（ブラウザ）"]
        wait_for("the play space at the center", occurrences)
        dates = {time.strftime("%Y-%m-%d", time.gmtime(e["occurrence"]["start"] + JST))
                 for e in occurrences()}
        self.assertIn(day(3), dates)
        self.assertIn(day(17), dates)
        self.assertNotIn(day(10), dates)
        out = center.cli("meeting", "show", "%s/%s" % (center.key, mid)).stdout
        self.assertIn("ひまわり保育園", out)
        self.assertIn("出席", out)
        places = wait_for("the map entry at the center", lambda: [
            p for p in center.json("places", "--group", "ひまわり保育園")
            if p["place"]["name"] == "どんぐり山公園（ブラウザ）"])
        # the point clicked on the map, as the fields showed it
        with open(os.path.join(f.tmp, "picked.json"), encoding="utf-8") as fh:
            picked = json.load(fh)
        self.assertEqual(places[0]["place"]["point"], {
            "lat_e7": round(picked["lat"] * 1e7), "lon_e7": round(picked["lon"] * 1e7)})
        self.assertEqual([t["key"] for t in places[0]["place"]["tags"]],
                         ["leisure", "changing_table", "stroller"])
        # the spreadsheet's row, at the center
        wait_for("the imported map entry at the center", lambda: [
            p for p in center.json("places", "--group", "ひまわり保育園")
            if p["place"]["name"] == "こどもログハウス（CSV）"])
        # the admission, at the nursery (the other daemon)
        wait_for("the nursery to learn of the admission",
                 lambda: nursery.has(center.key, "member/" + newcomer.key))
        # the match, at the nursery: the pair the center's console recorded
        matches = wait_for("the match at the nursery", lambda: [
            m for m in nursery.json("matches")
            if m.get("match", {}).get("offered", {}).get("id") == oid])
        m = matches[0]["match"]
        self.assertEqual((m["status"], m["note"]), ("confirmed", "初回は来週"))
        self.assertEqual(m["wanted"]["author"], nursery.key)
        wanted = nursery.show(nursery.key, m["wanted"]["id"])
        self.assertEqual(wanted["volunteer"]["title"], "絵本の読み聞かせ（ブラウザ）")
        self.assertNotIn(CONTACT, json.dumps(wanted, ensure_ascii=False))
        # the contact read: audited at the center, naming the console's user
        with open(os.path.join(center.dir, "audit.log"), encoding="utf-8") as fh:
            audit = [json.loads(l) for l in fh if l.strip()]
        self.assertEqual((audit[-1]["who"], audit[-1]["purpose"], audit[-1]["id"]),
                         ("tanaka (console)", "マッチの連絡（ブラウザ）", m["wanted"]["id"]))
        # the report downloaded is what `hiroba report --csv` gives at the nursery too
        # (the same records, once synced)
        with open(os.path.join(f.tmp, "report.csv"), "rb") as fh:
            csv = fh.read()
        self.assertIn("ひまわり保育園".encode(), csv.split(b"\r\n")[0])
        wait_for("the nursery's report to read the same", lambda: subprocess.run(
            [hb.HIROBA, "-d", nursery.dir, "report", "--csv"], capture_output=True,
            timeout=60).stdout == csv)
        self.assertNotIn(PASSWORD, nursery.logtext())
        self.assertNotIn(PASSWORD, center.logtext())


if __name__ == "__main__":
    unittest.main(verbosity=2)
