# SPDX-License-Identifier: ISC
"""The web page in headless Chromium (issue 8): a real hirobad with [http] and the demo
data of tests/integration/test_http.py, then page.test.mjs drives Debian's chromium
through playwright-core (installed here with `npm ci` when node_modules is missing;
never a browser download), at phone size (390x844) and at desktop size (1280x800).

HIROBA_SCREENSHOT=/tmp/page.png saves a full-page phone-sized screenshot to look at.
"""
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import hb                       # noqa: E402
from hb import wait_for         # noqa: E402
import test_http                # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ensure_node_modules():
    if os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AssertionError("npm is missing: run deploy/deps")
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError("npm ci failed:\n%s%s" % (r.stdout, r.stderr))


class Page(hb.FederationTest):

    def test_page_in_chromium(self):
        self.assertTrue(os.access(CHROMIUM, os.X_OK), "%s is missing: run deploy/deps"
                        % CHROMIUM)
        ensure_node_modules()
        f = self.fed
        center = f.add_center("瀬谷センター", start=False)
        port = hb.free_port()
        test_http.enable_http(center, port, title="せや子育て応援ひろば")
        center.start()
        nursery = f.add_group("ひまわり保育園", "nursery")
        f.add_group("rogue", "circle")      # so that the key names match test_http's
        nursery.add_peer(center)
        f.start(nursery)
        test_http.demo_data(center, nursery)
        # one more place: OSM opening hours to read out as words, and the only Korean
        # text (a language carried by a place alone must reach the language menu)
        center.publish({"id": "place/salon", "place": {
            "name": "子育てサロン すくすく", "address": "横浜市瀬谷区中央5",
            "translations": [{"lang": "ko", "title": "육아 살롱 스쿠스쿠"}],
            "tags": [{"key": "amenity", "value": "community_centre"}],
            "point": {"lat_e7": 354700000, "lon_e7": 1394950000},
            "opening_hours": "Mo-Sa 09:30-16:00; PH off"}})
        nk = nursery.key
        wait_for("the nursery's records at the center",
                 lambda: center.complete(nk) == nursery.complete(nk))
        env = dict(os.environ, HIROBA_URL="http://127.0.0.1:%d/" % port,
                   HIROBA_CENTER=center.key, HIROBA_NURSERY=nk, CHROMIUM=CHROMIUM)
        r = subprocess.run(["node", "--test", "--test-reporter=spec",
                            os.path.join(HERE, "page.test.mjs")], cwd=HERE, env=env,
                           capture_output=True, text=True, timeout=240)
        print(r.stdout[-8000:], r.stderr[-4000:])
        self.assertEqual(r.returncode, 0, "page.test.mjs failed (output above)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
