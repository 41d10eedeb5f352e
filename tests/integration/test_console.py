# SPDX-License-Identifier: ISC
"""The coordinators' web console (issue 14, first slice), over real HTTP on 127.0.0.1.

A center and a nursery run; the nursery has [console] (and the public [http] page, to
show the console is not on it). Accounts are made with `hiroba console user add` (the
password on stdin), links with `hiroba console open`. Checked: the non-loopback refusal,
sign-in and its slow-down after a wrong password, the one-time link, cookie flags, CSRF,
foreign Host/Origin, an event added, edited and cancelled through the forms and seen by
the CLI here and at the center, a bad form refused field by field with the typed values
kept, a map entry with its tags and ages (and the map's files and CSP), the network
view, idle session expiry; at the center: a match recorded from `hiroba match`'s
suggestions and the fiscal-year report, its table and CSV the CLI's.
"""
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.parse

import hb
from hb import wait_for

WEBDIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "..", "..", "deploy", "web"))
IDLE = 4            # [console] session_idle for this test, seconds
PASSWORD = "sakura-2026-ひろば"
JST = 9 * 3600


def day(days, hhmm="10:00", sep=" "):
    """"YYYY-MM-DD HH:MM" in Asia/Tokyo, `days` from today: inside `hiroba events`'s
    default 30 days."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + JST + days * 86400)) + \
        sep + hhmm


def fingerprint(keyhex):
    """What `hiroba init` prints: 80 bits of BLAKE2b-256(key), Crockford base32."""
    h = int.from_bytes(hashlib.blake2b(bytes.fromhex(keyhex), digest_size=32).digest()[:10],
                       "big")
    s = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(h >> (75 - 5 * i)) & 31]
                for i in range(16))
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


class Console:
    """An HTTP client of one console: its cookie jar is one cookie."""

    def __init__(self, port, host=None):
        self.port = port
        self.host = host or "127.0.0.1:%d" % port
        self.jar = {}

    @property
    def cookie(self):
        """The session cookie, "hb_console_PORT=HEX", or None."""
        name = "hb_console_%d" % self.port
        v = self.jar.get(name)
        return "%s=%s" % (name, v) if v else None

    @cookie.setter
    def cookie(self, v):
        self.jar.pop("hb_console_%d" % self.port, None)
        if v:
            name, _, value = v.partition("=")
            self.jar[name] = value

    def req(self, method, path, form=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": self.host}
        if self.jar:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.jar.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        sc = hdrs.get("set-cookie")
        if sc:
            name, _, v = sc.split(";")[0].partition("=")
            if v:
                self.jar[name] = v
            else:
                self.jar.pop(name, None)
        return r.status, hdrs, text

    def signin_token(self):
        """The sign-in form's token (its cookie comes with it)."""
        st, _, text = self.req("GET", "/signin")
        assert st == 200, (st, text)
        form = text.split('action="/signin')[1]    # not the sign-out form's token
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', form).group(1)

    def post_signin(self, user, password, token=None):
        return self.req("POST", "/signin", {"user": user, "password": password,
                                            "csrf": token or self.signin_token()})

    def csrf(self, path="/events"):
        st, _, text = self.req("GET", path)
        assert st == 200, (st, text)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
        assert m, text
        return m.group(1)

    def signin(self, user, password):
        """Sign in, waiting out a slow-down left by an earlier wrong password."""
        def attempt():
            st, hdrs, text = self.post_signin(user, password)
            if st == 429:
                return None
            return st, hdrs, text
        return wait_for("sign-in allowed", attempt, timeout=20, step=0.3)


class ConsoleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fed = hb.Federation(sync_interval=1)
        cls.center = cls.fed.add_center(start=False)
        cls.center_port = hb.free_port()
        with open(cls.center.conf, "a", encoding="utf-8") as f:
            f.write("\n[console]\nlisten = 127.0.0.1:%d\n" % cls.center_port)
        cls.center.start()
        cls.nursery = cls.fed.add_group("ひまわり保育園")
        cls.nursery.add_peer(cls.center)
        cls.port = hb.free_port()
        cls.http_port = hb.free_port()
        with open(cls.nursery.conf, "a", encoding="utf-8") as f:
            f.write("\n[console]\nlisten = 127.0.0.1:%d\nsession_idle = %d\n"
                    "\n[http]\nlisten = 127.0.0.1:%d\n"
                    "tiles = http://127.0.0.1:9/{z}/{x}/{y}.png\nstatic = %s\n"
                    % (cls.port, IDLE, cls.http_port, WEBDIR))
        try:
            cls.fed.start(cls.nursery)
            cls.nursery.cli("console", "user", "add", "tanaka", input=PASSWORD + "\n")
            wait_for("the console to listen", lambda: os.path.exists(
                os.path.join(cls.nursery.dir, "console.url")))
        except Exception:
            print(cls.fed.logs())
            cls.fed.close()
            raise

    @classmethod
    def tearDownClass(cls):
        # a clean stop, so that a sanitizer build reports leaks and errors (into the log)
        try:
            for g in (cls.nursery, cls.center):
                rc = g.stop()
                log = g.logtext()
                if rc != 0 or "Sanitizer" in log or "runtime error:" in log:
                    raise AssertionError("%s's hirobad (with a console) stopped with %s:"
                                         "\n%s" % (g.name, rc, log[-6000:]))
        finally:
            cls.fed.close()

    def run(self, result=None):
        failures = len(result.failures) + len(result.errors) if result else 0
        r = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            print(self.fed.logs())
        return r

    def raw_get(self, path):
        """A GET of a file (maybe an image): its status and headers, no cookie."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request("GET", path, headers={"Host": "127.0.0.1:%d" % self.port})
            r = c.getresponse()
            r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}
        finally:
            c.close()

    def signed_in(self):
        c = Console(self.port)
        st, hdrs, _ = c.signin("tanaka", PASSWORD)
        self.assertEqual(st, 303)
        self.assertIsNotNone(c.cookie)
        return c

    # ---- listener and config ----

    def test_non_loopback_needs_the_written_consent(self):
        with open(self.nursery.conf, encoding="utf-8") as f:
            conf = f.read()
        conf = re.sub(r"\[console\]\nlisten = [^\n]*", "[console]\nlisten = 0.0.0.0:%d"
                      % self.port, conf)
        path = os.path.join(self.fed.tmp, "remote.conf")

        def check(extra):
            with open(path, "w", encoding="utf-8") as f:
                f.write(conf.replace("[console]\n", "[console]\n" + extra))
            return subprocess.run([hb.HIROBAD, "-n", "-c", path], capture_output=True,
                                  text=True)
        r = check("")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a loopback address", r.stderr + r.stdout)
        r = check("allow_remote = yes\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("yes-i-accept-the-risk", r.stderr + r.stdout)
        r = check("allow_remote = yes-i-accept-the-risk\n")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_console_is_not_on_the_public_page(self):
        c = Console(self.http_port)
        st, _, _ = c.req("GET", "/signin")
        self.assertEqual(st, 404)
        st, _, _ = c.req("POST", "/signin", {"user": "tanaka", "password": PASSWORD})
        self.assertEqual(st, 405)

    # ---- sign-in ----

    def test_signin_cookie_and_headers(self):
        c = Console(self.port)
        st, hdrs, _ = c.req("GET", "/events")
        self.assertEqual(st, 303)
        self.assertTrue(hdrs["location"].startswith("/signin"))
        st, hdrs, text = c.req("GET", "/signin")
        self.assertEqual(st, 200)
        csp = hdrs["content-security-policy"]
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("<script", text)
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")
        self.assertEqual(hdrs["cache-control"], "no-store")
        # the sign-in form's token must match its cookie (no login CSRF)
        c3 = Console(self.port)
        token = c3.signin_token()
        c3.jar.pop("hb_signin_%d" % self.port)
        st, _, _ = c3.post_signin("tanaka", PASSWORD, token)
        self.assertEqual(st, 403)
        self.assertIsNone(c3.cookie)
        st, _, _ = c3.post_signin("tanaka", PASSWORD, "0" * 64)
        self.assertEqual(st, 403)
        self.assertIsNone(c3.cookie)
        c2 = Console(self.port)
        st, hdrs, _ = c2.signin("tanaka", PASSWORD)
        self.assertEqual(st, 303)
        flags = [f.strip() for f in hdrs["set-cookie"].split(";")]
        self.assertIn("HttpOnly", flags)
        self.assertIn("SameSite=Strict", flags)
        self.assertIn("Path=/", flags)
        # named by the port: two consoles on one host keep their sessions apart
        self.assertRegex(flags[0], r"^hb_console_%d=[0-9a-f]{64}$" % self.port)
        st, _, text = c2.req("GET", "/events")
        self.assertEqual(st, 200)
        self.assertIn("tanaka", text)
        # signing out ends the session on the server, not only in the browser
        old = c2.cookie
        st, _, _ = c2.req("POST", "/signout", {"csrf": c2.csrf()})
        self.assertEqual(st, 303)
        c2.cookie = old
        st, _, _ = c2.req("GET", "/events")
        self.assertEqual(st, 303)

    def test_wrong_password_refused_slowed_and_logged(self):
        c = Console(self.port)
        c.signin("tanaka", PASSWORD)     # waits out any earlier slow-down
        c.cookie = None
        bad = "wrong-password-%d" % os.getpid()
        st, hdrs, text = c.post_signin("tanaka", bad)
        self.assertEqual(st, 401)
        self.assertIsNone(c.cookie)
        self.assertIn('value="tanaka"', text)       # the name typed is kept
        # right away, even the right password waits
        st, _, text = c.post_signin("tanaka", PASSWORD)
        self.assertEqual(st, 429)
        self.assertIsNone(c.cookie)
        st, _, _ = c.signin("tanaka", PASSWORD)
        self.assertEqual(st, 303)
        log = self.nursery.logtext()
        self.assertIn('failed sign-in as "tanaka"', log)
        self.assertNotIn(bad, log)
        self.assertNotIn(PASSWORD, log)
        users = os.path.join(self.nursery.dir, "console-users")
        self.assertEqual(os.stat(users).st_mode & 0o777, 0o600)
        with open(users, encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r"^tanaka:\$argon2id\$")
        self.assertNotIn(PASSWORD, text)
        # an unknown name is refused the same way
        st, _, _ = c.post_signin("nobody", PASSWORD)
        self.assertIn(st, (401, 429))

    def test_one_time_link(self):
        out = self.nursery.cli("console", "open").stdout
        m = re.search(r"http://127\.0\.0\.1:%d/(link\?t=[0-9a-f]{64})" % self.port, out)
        self.assertTrue(m, out)
        c = Console(self.port)
        st, hdrs, _ = c.req("GET", "/" + m.group(1))
        self.assertEqual(st, 303, hdrs)
        self.assertIn("HttpOnly", hdrs["set-cookie"])
        st, _, text = c.req("GET", "/events")
        self.assertEqual(st, 200)
        c2 = Console(self.port)
        st, _, _ = c2.req("GET", "/" + m.group(1))
        self.assertEqual(st, 403)
        self.assertIsNone(c2.cookie)
        self.assertNotIn(m.group(1)[7:], self.nursery.logtext())
        st, _, _ = c2.req("GET", "/link?t=" + "0" * 64)
        self.assertEqual(st, 403)

    # ---- requests that must change nothing ----

    def events(self, g=None):
        return [e for e in (g or self.nursery).json("events", "--mine") if "event" in e]

    def test_csrf_host_origin(self):
        c = self.signed_in()
        token = c.csrf()
        before = len(self.events())
        form = {"title": "CSRF のテスト", "when.start": day(11),
                "category": "play_space"}
        st, _, _ = c.req("POST", "/events/new", form)
        self.assertEqual(st, 403)
        st, _, _ = c.req("POST", "/events/new", dict(form, csrf="0" * 64))
        self.assertEqual(st, 403)
        st, _, _ = c.req("POST", "/events/new", dict(form, csrf=token),
                         headers={"Origin": "http://evil.example"})
        self.assertEqual(st, 403)
        evil = Console(self.port, host="evil.example:%d" % self.port)
        evil.cookie = c.cookie
        st, _, _ = evil.req("GET", "/events")
        self.assertEqual(st, 403)
        st, _, _ = evil.req("POST", "/events/new", dict(form, csrf=token))
        self.assertEqual(st, 403)
        # no session at all: refused, nothing done
        anon = Console(self.port)
        st, _, _ = anon.req("POST", "/events/new", dict(form, csrf=token))
        self.assertEqual(st, 403)
        self.assertEqual(len(self.events()), before)
        self.assertIn("CSRF token refused", self.nursery.logtext())
        # every page that writes checks it first
        for path in ("/places/new", "/volunteers/new", "/meetings", "/meetings/call",
                     "/meetings/show", "/matches", "/import", "/delete", "/events/cancel"):
            self.assertEqual(c.req("POST", path, {"title": "x"})[0], 403, path)

    # ---- events ----

    def test_add_edit_cancel_an_event(self):
        c = self.signed_in()
        form = {"csrf": c.csrf("/events/new"), "title": "親子のひろば（コンソール）",
                "when.start": day(10), "when.end": "12:00",
                "category": "play_space", "where.text": "瀬谷区役所 3階",
                "capacity": "20", "audience": ["fathers", "all_families"],
                "translations.en.title": "Play space (console)"}
        # a browser's own Origin is welcome; "null" (sandboxed or stripped) is not
        st, _, _ = c.req("POST", "/events/new", form, headers={"Origin": "null"})
        self.assertEqual(st, 403)
        st, hdrs, text = c.req("POST", "/events/new", form,
                               headers={"Origin": "http://127.0.0.1:%d" % self.port})
        self.assertEqual(st, 303, text)
        self.assertEqual(hdrs["referrer-policy"], "same-origin")
        mine = [e for e in self.nursery.json("events", "--mine")
                if "コンソール" in json.dumps(e, ensure_ascii=False)]
        self.assertEqual(len(mine), 1, mine)
        rid = mine[0]["id"]
        rec = self.nursery.show(self.nursery.key, rid)
        ev = rec["event"]
        self.assertEqual(ev["capacity"], 20)
        self.assertEqual(ev["when"]["end"] - ev["when"]["start"], 7200)
        self.assertEqual(sorted(ev["audience"]), ["all_families", "fathers"])
        # the federation has it: the center's CLI shows it
        wait_for("the center to hold the console's event",
                 lambda: self.center.has(self.nursery.key, rid))
        # counts after the day, through the edit form, which shows what is stored
        st, _, text = c.req("GET", "/events/edit?id=" + urllib.parse.quote(rid))
        self.assertEqual(st, 200)
        self.assertIn("瀬谷区役所 3階", text)
        # the English switch stays on this record's page
        self.assertIn('href="/events/edit?lang=en&amp;id=%s"' % rid, text)
        st, _, text = c.req("GET", "/events/edit?lang=en&id=" + urllib.parse.quote(rid))
        self.assertEqual(st, 200)
        self.assertIn("Edit the event", text)
        self.assertIn("Publish", text)
        self.assertIn(day(10, sep="T"), text)
        form = dict(form, csrf=c.csrf(), id=rid, registered="18", attended="15",
                    **{"when.start": day(10, sep="T"), "when.end": day(10, "12:00", "T")})
        st, _, text = c.req("POST", "/events/edit", form)
        self.assertEqual(st, 303, text)
        ev = self.nursery.show(self.nursery.key, rid)["event"]
        self.assertEqual((ev["registered"], ev["attended"]), (18, 15))
        st, _, _ = c.req("POST", "/events/cancel", {"csrf": c.csrf(), "id": rid})
        self.assertEqual(st, 303)
        wait_for("the center to see the cancellation", lambda: (
            self.center.show(self.nursery.key, rid) or {}).get("event", {}).get(
                "cancelled") is True)
        st, _, text = c.req("GET", "/events")
        self.assertIn("【中止】", text)
        st, _, text = c.req("GET", "/events?lang=en")
        self.assertIn("[cancelled]", text)
        self.assertIn("Capacity", text)

    def test_weekly_event_with_an_exception(self):
        c = self.signed_in()
        form = {"csrf": c.csrf("/events/new"), "title": "親子のひろば（毎週）",
                "when.start": day(3), "when.end": "12:00", "category": "play_space",
                "repeat": "weekly", "recurrence.until": "", "exceptions": day(10)[:10]}
        st, _, text = c.req("POST", "/events/new", form)
        self.assertEqual(st, 400)
        self.assertRegex(text, r'id="err-recurrence.until">--weekly needs --until DATE')
        self.assertIn('value="%s"' % day(10)[:10], text)     # the exception, kept
        form["recurrence.until"] = day(40)[:10]
        st, _, text = c.req("POST", "/events/new", form)
        self.assertEqual(st, 303, text)
        occ = [e for e in self.nursery.json("events", "--mine")
               if e["event"]["title"] == "親子のひろば（毎週）"]
        dates = {time.strftime("%Y-%m-%d", time.gmtime(e["occurrence"]["start"] + JST))
                 for e in occ}
        self.assertIn(day(3)[:10], dates)
        self.assertIn(day(17)[:10], dates)
        self.assertNotIn(day(10)[:10], dates)
        rid = occ[0]["id"]
        rec = self.nursery.show(self.nursery.key, rid)["event"]["recurrence"]
        self.assertEqual(rec["freq"], "weekly")
        self.assertEqual(len(rec["exceptions"]), 1)
        st, _, text = c.req("GET", "/events/edit?id=" + urllib.parse.quote(rid))
        self.assertIn('<option value="weekly" selected>', text)
        self.assertIn('value="%s"' % day(10)[:10], text)

    def test_bad_form_refused_field_by_field(self):
        c = self.signed_in()
        before = len(self.events())
        title = "あ" * 201 + "<b>"
        form = {"csrf": c.csrf("/events/new"), "title": title,
                "when.start": day(12), "category": "play_space",
                "capacity": "たくさん", "description": "説明はそのまま残る"}
        st, _, text = c.req("POST", "/events/new", form)
        self.assertEqual(st, 400)
        # the CLI's words (proto/vocab.c vocab_check), next to each field
        self.assertRegex(text, r'id="err-title">[^<]*at most 200 characters '
                               r'\(タイトル: 200文字まで\), not 204')
        self.assertRegex(text, r'id="err-capacity">[^<]*a whole number from 0 to '
                               r'100000 \(定員\)')
        self.assertIn('value="' + "あ" * 201 + "&lt;b&gt;" + '"', text)
        self.assertIn('value="たくさん"', text)
        self.assertIn("説明はそのまま残る</textarea>", text)
        self.assertNotIn("<b>", text)
        st, _, text = c.req("POST", "/events/new", dict(form, title="ok",
                            capacity="3", **{"when.start": day(12)[:10]}))
        self.assertEqual(st, 400)
        self.assertIn("has no time of day", text)
        st, _, text = c.req("POST", "/events/new", dict(form, title="ok", capacity="3",
                            **{"when.end": "09:00"}))
        self.assertEqual(st, 400)
        self.assertIn("the event would end before it starts", text)
        self.assertEqual(len(self.events()), before)

    def test_map_entry(self):
        c = self.signed_in()
        # the form carries the map: Leaflet from this console (no CDN), our script, a
        # CSP that allows exactly those and the configured tile server's images
        st, hdrs, text = c.req("GET", "/places/new")
        self.assertEqual(st, 200)
        csp = hdrs["content-security-policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("img-src 'self' data: http://127.0.0.1:9;", csp)
        self.assertNotIn("unsafe", csp)
        self.assertIn('<div id="map" data-tiles="http://127.0.0.1:9/{z}/{x}/{y}.png"', text)
        self.assertIn('<script src="/leaflet/leaflet.js"></script>', text)
        self.assertNotRegex(text, r"<script>|<script [^s]")     # nothing inline
        for path, ctype in (("/leaflet/leaflet.js", "text/javascript"),
                            ("/leaflet/leaflet.css", "text/css"),
                            ("/leaflet/images/marker-icon.png", "image/png"),
                            ("/console-map.js", "text/javascript")):
            st, hdrs = self.raw_get(path)
            self.assertEqual(st, 200, path)
            self.assertTrue(hdrs["content-type"].startswith(ctype), (path, hdrs))
        with open(os.path.join(WEBDIR, "static", "leaflet", "leaflet.js"), "rb") as f:
            self.assertIn(b"Leaflet 1.9.4", f.read(400))
        self.assertEqual(c.req("GET", "/leaflet/../console-users")[0], 404)
        self.assertEqual(c.req("GET", "/leaflet/LICENSE.txt")[0], 404)
        # other pages keep the script-less CSP
        st, hdrs, _ = c.req("GET", "/places")
        self.assertNotIn("script-src", hdrs["content-security-policy"])
        form = {"csrf": c.csrf("/places/new"), "name": "どんぐり山公園（コンソール）",
                "point.lat": "95", "point.lon": "139.4957",
                "tag": ["leisure=playground", "changing_table=yes"],
                "tags": "stroller", "address": "瀬谷区瀬谷町", "age_max_months": "300"}
        st, _, text = c.req("POST", "/places/new", form)
        self.assertEqual(st, 400)
        self.assertRegex(text, r'id="err-point.lat">[^<]*decimal degrees, -90..90, '
                               r"not &#39;95&#39;")
        self.assertRegex(text, r'id="err-tags">[^<]*KEY=VALUE such as stroller=yes, '
                               r"not &#39;stroller&#39;")
        self.assertRegex(text, r'id="err-age_max_months">[^<]*a whole number from 0 to 240')
        # what was typed and ticked is kept
        self.assertIn(">stroller</textarea>", text)
        self.assertIn('id="tag-leisure=playground" name="tag" value="leisure=playground" '
                      'checked', text)
        self.assertIn('id="tag-changing_table=yes" name="tag" value="changing_table=yes" '
                      'checked', text)
        self.assertNotIn('value="stroller=yes" checked', text)
        form.update({"point.lat": "35.4689", "tags": "stroller=limited",
                     "age_min_months": "0", "age_max_months": "36"})
        st, _, text = c.req("POST", "/places/new", form)
        self.assertEqual(st, 303, text)
        mine = [p for p in self.nursery.json("places", "--mine")
                if "コンソール" in json.dumps(p, ensure_ascii=False)]
        self.assertEqual(len(mine), 1, mine)
        pl = mine[0]["place"]
        self.assertEqual(pl["point"], {"lat_e7": 354689000, "lon_e7": 1394957000})
        self.assertEqual(pl["tags"], [{"key": "leisure", "value": "playground"},
                                      {"key": "changing_table", "value": "yes"},
                                      {"key": "stroller", "value": "limited"}])
        self.assertEqual((pl["age_min_months"], pl["age_max_months"]), (0, 36))
        wait_for("the center to hold the map entry",
                 lambda: self.center.has(self.nursery.key, mine[0]["id"]))
        # the list's short reference (参照) is one the CLI takes back
        st, _, text = c.req("GET", "/places")
        m = re.search(r"参照 ([0-9a-f]{6}) · " + re.escape(mine[0]["id"]), text)
        self.assertTrue(m, text)
        shown = json.loads(self.nursery.cli("--json", "show", m.group(1)).stdout)
        self.assertEqual(shown["id"], mine[0]["id"])
        # the edit form starts from what is stored
        st, _, text = c.req("GET", "/places/edit?id=" + urllib.parse.quote(mine[0]["id"]))
        self.assertEqual(st, 200)
        self.assertIn('value="35.4689000"', text)
        self.assertIn('value="changing_table=yes" checked', text)
        self.assertIn(">stroller=limited</textarea>", text)
        self.assertIn('id="age_max_months" name="age_max_months" value="36"', text)
        # the CLI reads the same fields (one vocabulary): ages in `place edit` too
        self.nursery.cli("place", "edit", mine[0]["id"], "--age-min", "6")
        self.assertEqual(self.nursery.show(self.nursery.key, mine[0]["id"])["place"][
            "age_min_months"], 6)
        # withdrawn everywhere with one button
        st, _, _ = c.req("POST", "/delete", {"csrf": c.csrf("/places"), "id": mine[0]["id"],
                                             "back": "/places"})
        self.assertEqual(st, 303)
        self.assertEqual([p for p in self.nursery.json("places", "--mine")
                          if p["id"] == mine[0]["id"]], [])
        wait_for("the center to drop the map entry", lambda: not any(
            p["id"] == mine[0]["id"] for p in self.center.json("places")))

    def test_center_admits_a_group(self):
        # a nursery's console has no admit page
        c = self.signed_in()
        st, _, _ = c.req("GET", "/admit")
        self.assertEqual(st, 403)
        self.center.cli("console", "user", "add", "sato", input=PASSWORD + "\n")
        cc = Console(self.center_port)
        st, _, _ = cc.signin("sato", PASSWORD)
        self.assertEqual(st, 303)
        circle = hb.Group(self.fed, "どんぐりサークル", "circle", center_key=self.center.key)
        form = {"csrf": cc.csrf("/admit"), "key": circle.key[:-1] + "x",
                "name": "どんぐりサークル", "kind": "circle"}
        st, _, text = cc.req("POST", "/admit", form)
        self.assertEqual(st, 400)
        self.assertIn("is not a group key (64 hex digits)", text)
        form["key"] = circle.key
        st, _, text = cc.req("POST", "/admit", form)     # the fingerprint, read back
        self.assertEqual(st, 200)
        fpr = re.search(r'id="fingerprint"><strong>([0-9A-Z-]+)<', text).group(1)
        self.assertEqual(fpr, fingerprint(circle.key))
        self.assertFalse(self.center.has(self.center.key, "member/" + circle.key))
        st, _, text = cc.req("POST", "/admit", dict(form, confirm="1"))
        self.assertEqual(st, 303, text)
        members = self.center.json("members")
        self.assertTrue(any(m.get("membership", {}).get("key") == circle.key
                            for m in members), members)
        wait_for("the nursery to learn of the admission",
                 lambda: self.nursery.has(self.center.key, "member/" + circle.key))

    def test_volunteer_listing_with_a_sealed_contact(self):
        c = self.signed_in()
        contact = "090-1234-5678 山田"
        form = {"csrf": c.csrf("/volunteers/new"), "kind": "wanted",
                "title": "フェスタ当日スタッフ（コンソール）", "skills": "受付,会場設営",
                "people": "8", "contact": contact, "expires": day(20)[:10]}
        st, _, text = c.req("POST", "/volunteers/new", dict(form, people="-3"))
        self.assertEqual(st, 400)
        self.assertIn("a whole number from 0 to 1000 (人数)", text)
        self.assertIn('value="%s"' % contact, text)     # kept, to post again
        st, _, text = c.req("POST", "/volunteers/new", form)
        self.assertEqual(st, 303, text)
        mine = [v for v in self.nursery.json("volunteers", "--mine")
                if "コンソール" in json.dumps(v, ensure_ascii=False)]
        self.assertEqual(len(mine), 1, mine)
        rec = self.nursery.show(self.nursery.key, mine[0]["id"])
        self.assertEqual(rec["volunteer"]["kind"], "wanted")
        self.assertEqual(rec["volunteer"]["skills"], ["受付", "会場設営"])
        self.assertGreater(rec["expires"], time.time() + 19 * 86400)
        self.assertNotIn("090-1234", json.dumps(rec, ensure_ascii=False))
        self.assertNotIn("090-1234", self.nursery.logtext())
        # the center reads the sealed contact, for a purpose, with the CLI
        wait_for("the center to hold the listing",
                 lambda: self.center.has(self.nursery.key, mine[0]["id"]))
        out = self.center.cli("contact", "%s/%s" % (self.nursery.key, mine[0]["id"]),
                              "--purpose", "マッチングの連絡").stdout
        self.assertIn(contact, out)
        st, _, text = c.req("GET", "/volunteers")
        self.assertIn("フェスタ当日スタッフ（コンソール）", text)
        self.assertIn("募集", text)
        # the center's console reads it too, for a purpose, audited by console user
        self.center.cli("console", "user", "add", "sato", input=PASSWORD + "\n")
        cc = Console(self.center_port)
        cc.signin("sato", PASSWORD)
        st, _, text = cc.req("GET", "/volunteers?all=1")
        link = "/contact?author=%s&amp;id=%s" % (self.nursery.key, mine[0]["id"])
        self.assertIn(link, text)
        st, _, text = cc.req("GET", link.replace("&amp;", "&"))
        self.assertEqual(st, 200)
        form = {"csrf": cc.csrf(), "author": self.nursery.key, "id": mine[0]["id"]}
        st, _, text = cc.req("POST", "/contact", dict(form, purpose=""))
        self.assertEqual(st, 400)
        self.assertIn("say why you read it", text)
        self.assertNotIn("090-1234", text)
        st, _, text = cc.req("POST", "/contact", dict(form, purpose="コンソールからの連絡"))
        self.assertEqual(st, 200, text)
        self.assertIn(contact, text)
        with open(os.path.join(self.center.dir, "audit.log"), encoding="utf-8") as f:
            audit = [json.loads(l) for l in f if l.strip()]
        self.assertEqual(audit[-1]["who"], "sato (console)")
        self.assertEqual(audit[-1]["purpose"], "コンソールからの連絡")
        self.assertEqual(audit[-1]["id"], mine[0]["id"])

    def test_center_revokes_a_group(self):
        g = hb.Group(self.fed, "もみじサークル", "circle", center_key=self.center.key)
        self.center.cli("admit", g.key, "--name", "もみじサークル", "--kind", "circle")
        self.center.cli("console", "user", "add", "sato", input=PASSWORD + "\n")
        cc = Console(self.center_port)
        cc.signin("sato", PASSWORD)
        st, _, text = cc.req("GET", "/network")
        self.assertIn("/revoke?key=" + g.key, text)
        st, _, text = cc.req("GET", "/revoke?key=" + g.key)
        self.assertEqual(st, 200)
        self.assertIn(fingerprint(g.key), text)
        # a form without the token changes nothing
        st, _, _ = cc.req("POST", "/revoke", {"key": g.key})
        self.assertEqual(st, 403)
        st, _, text = cc.req("POST", "/revoke", {"csrf": cc.csrf(), "key": g.key})
        self.assertEqual(st, 303, text)
        status = lambda d: (d.show(self.center.key, "member/" + g.key) or {}).get(
            "membership", {}).get("status")
        self.assertEqual(status(self.center), "revoked")
        wait_for("the nursery to learn of the revocation",
                 lambda: status(self.nursery) == "revoked")
        # the center itself cannot be revoked from here
        st, _, _ = cc.req("GET", "/revoke?key=" + self.center.key)
        self.assertEqual(st, 404)

    def test_answer_the_centers_meeting(self):
        out = self.center.cli("--json", "meeting", "call", "--title", "応援ネット地域別会議",
                              "--start", day(5, "14:00"), "--invite", "ひまわり保育園").stdout
        mid = json.loads(out.splitlines()[0])["id"]
        wait_for("the nursery to hold the meeting",
                 lambda: self.nursery.has(self.center.key, mid))
        c = self.signed_in()
        st, _, text = c.req("GET", "/meetings")
        self.assertEqual(st, 200)
        self.assertIn("応援ネット地域別会議", text)
        self.assertIn("招待されています", text)
        form = {"csrf": c.csrf("/meetings"), "author": self.center.key, "id": mid,
                "count": "2", "note": "二人で伺います"}
        st, _, text = c.req("POST", "/meetings", form)
        self.assertEqual(st, 400)
        self.assertIn("--attending or --absent is required", text)
        st, _, text = c.req("POST", "/meetings", dict(form, attending="1"))
        self.assertEqual(st, 303, text)
        rid = "reply/" + hashlib.blake2b(("%s/%s" % (self.center.key, mid)).encode(),
                                         digest_size=8).hexdigest()
        wait_for("the center to hold the answer",
                 lambda: self.center.has(self.nursery.key, rid))
        r = self.center.show(self.nursery.key, rid)["reply"]
        self.assertEqual((r["attending"], r["count"], r["note"]), (True, 2, "二人で伺います"))
        st, _, text = c.req("GET", "/meetings")
        self.assertIn("この団体の返事: 出席 (2)", text)

    # ---- the center: matches and the report ----

    def center_console(self):
        self.center.cli("console", "user", "add", "sato", input=PASSWORD + "\n")
        cc = Console(self.center_port)
        st, _, _ = cc.signin("sato", PASSWORD)
        self.assertEqual(st, 303)
        return cc

    def test_center_records_a_match_from_the_suggestions(self):
        out = self.nursery.cli("--json", "volunteer", "add", "--wanted", "--title",
                               "絵本の読み聞かせ（マッチ）", "--skill", "読み聞かせ",
                               "--area", "瀬谷区").stdout
        wid = json.loads(out.splitlines()[0])["id"]
        out = self.center.cli("--json", "volunteer", "add", "--offered", "--title",
                              "読み聞かせボランティア（マッチ）", "--skill", "読み聞かせ",
                              "--area", "瀬谷区").stdout
        oid = json.loads(out.splitlines()[0])["id"]
        wait_for("the center to hold the request",
                 lambda: self.center.has(self.nursery.key, wid))
        # a group's console has no such page
        self.assertEqual(self.signed_in().req("GET", "/matches")[0], 403)
        cc = self.center_console()
        st, _, text = cc.req("GET", "/matches")
        self.assertEqual(st, 200, text)
        self.assertIn("絵本の読み聞かせ（マッチ）", text)
        self.assertIn("読み聞かせボランティア（マッチ）", text)
        wref, oref = "%s/%s" % (self.nursery.key, wid), "%s/%s" % (self.center.key, oid)
        self.assertIn('name="wanted" value="%s"' % wref, text)
        self.assertIn('name="offered" value="%s"' % oref, text)
        # the CLI's refusals, the form's page kept
        form = {"csrf": cc.csrf("/matches"), "wanted": wref, "offered": oref,
                "status": "done", "note": "初回は6月"}
        st, _, text = cc.req("POST", "/matches", form)
        self.assertEqual(st, 400)
        self.assertIn("--status: proposed, confirmed or ended, not &#39;done&#39;", text)
        st, _, text = cc.req("POST", "/matches", dict(form, status="confirmed",
                                                      wanted=oref, offered=wref))
        self.assertEqual(st, 400)
        self.assertIn("is an offered listing, not a wanted one", text)
        st, _, text = cc.req("POST", "/matches", dict(form, status="confirmed"))
        self.assertEqual(st, 303, text)
        # the same record `hiroba match record` makes, seen at the nursery's daemon
        mid = "match/" + hashlib.blake2b(("%s %s" % (wref, oref)).encode(),
                                         digest_size=8).hexdigest()
        wait_for("the nursery to hold the match",
                 lambda: self.nursery.has(self.center.key, mid))
        m = self.nursery.show(self.center.key, mid)["match"]
        self.assertEqual((m["status"], m["note"]), ("confirmed", "初回は6月"))
        self.assertEqual(m["wanted"], {"author": self.nursery.key, "id": wid})
        self.assertIn("recorded match %s" % mid, self.center.logtext())
        st, _, text = cc.req("GET", "/matches")
        self.assertIn("記録済み: 成立", text)
        # the recorded matches, each with its status to move on: ended, note kept
        rec = text.split('id="recorded"')[1].split("</table>")[0]
        row = [r for r in rec.split("<tr>") if "絵本の読み聞かせ（マッチ）" in r][0]
        self.assertIn('<option value="confirmed" selected>', row)
        self.assertIn('value="初回は6月"', row)
        st, _, text = cc.req("POST", "/matches", dict(form, status="ended"))
        self.assertEqual(st, 303, text)
        wait_for("the nursery to see the match ended", lambda: (
            self.nursery.show(self.center.key, mid) or {}).get("match", {}).get(
                "status") == "ended")

    def test_center_report_table_and_csv(self):
        self.nursery.cli("event", "add", "--title", "報告のための会", "--start", day(1),
                         "--category", "play_space")
        self.assertEqual(self.signed_in().req("GET", "/report")[0], 403)
        cc = self.center_console()
        st, _, text = cc.req("GET", "/report")
        self.assertEqual(st, 200, text)
        cli = subprocess.run([hb.HIROBA, "-d", self.center.dir, "report", "--csv"],
                             capture_output=True, timeout=60, check=True).stdout
        self.assertTrue(cli.startswith(b"\xef\xbb\xbf"))
        rows = [r.split(",") for r in cli[3:].decode().split("\r\n") if r]
        table = text.split('id="report"')[1].split("</table>")[0]
        cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
        self.assertEqual(cells, [c for r in rows for c in r])
        self.assertIn("ひまわり保育園", rows[0])
        now = time.gmtime(time.time() + JST)
        self.assertIn('<h2 id="fy">%d年度</h2>' % (now.tm_year - (now.tm_mon < 4)), text)
        # the download is the CLI's bytes: BOM, CRLF, what Excel opens
        c = http.client.HTTPConnection("127.0.0.1", self.center_port, timeout=30)
        c.request("GET", "/report.csv", headers={
            "Host": "127.0.0.1:%d" % self.center_port,
            "Cookie": "; ".join("%s=%s" % kv for kv in cc.jar.items())})
        r = c.getresponse()
        body = r.read()
        c.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("content-type"), "text/csv; charset=utf-8")
        self.assertIn("attachment", r.getheader("content-disposition"))
        self.assertEqual(body, cli)
        # another year in a spelling --fy takes; a bad one gets the CLI's words
        st, _, text = cc.req("GET", "/report?fy=" + urllib.parse.quote("令和6年度"))
        self.assertEqual(st, 200)
        self.assertIn("/report.csv?fy=%E4%BB%A4", text)
        self.assertIn('<h2 id="fy">令和6年度</h2>', text)
        self.assertIn('href="/report?lang=en&amp;fy=令和6年度"', text)   # same year
        st, _, text = cc.req("GET", "/report?fy=" + urllib.parse.quote("来年度"))
        self.assertEqual(st, 400)
        self.assertRegex(text, r'id="err-fy">[^<]*a fiscal year such as 2024')
        self.assertIn('value="来年度"', text)
        st, _, text = cc.req("GET", "/report?lang=en")
        self.assertIn("<th>network</th>", text)

    def test_center_calls_a_meeting_and_records_its_minutes(self):
        cc = self.center_console()
        st, _, text = cc.req("GET", "/meetings/call")
        self.assertEqual(st, 200)
        self.assertIn('id="inv-%s" name="invite" value="%s"' % (self.nursery.key,
                                                                 self.nursery.key), text)
        form = {"csrf": cc.csrf("/meetings/call"), "title": "",
                "when.start": day(8, "25:00"), "when.end": "16:00",
                "where.text": "瀬谷区役所 会議室", "agenda": "夏まつりの分担",
                "invite": [self.nursery.key]}
        st, _, text = cc.req("POST", "/meetings/call", form)
        self.assertEqual(st, 400)
        self.assertIn('id="err-title">--title is required', text)
        self.assertRegex(text, r'id="err-when.start">&#39;[^<]*25:00&#39;: 日時は')
        self.assertIn('value="瀬谷区役所 会議室"', text)
        self.assertIn("夏まつりの分担</textarea>", text)
        self.assertIn('value="%s" checked' % self.nursery.key, text)
        form.update({"title": "応援ネット（コンソールから）", "when.start": day(8, "14:00")})
        st, _, text = cc.req("POST", "/meetings/call", form)
        self.assertEqual(st, 303, text)
        mine = [m for m in self.center.json("meetings", "--mine")
                if m["meeting"]["title"] == "応援ネット（コンソールから）"]
        self.assertEqual(len(mine), 1, mine)
        mid = mine[0]["id"]
        m = mine[0]["meeting"]
        self.assertEqual(m["invited"], [self.nursery.key])
        self.assertEqual(m["when"]["end"] - m["when"]["start"], 7200)
        # the nursery, invited, answers with its CLI; the center's page tallies it
        wait_for("the nursery to hold the meeting",
                 lambda: self.nursery.has(self.center.key, mid))
        self.nursery.cli("meeting", "reply", "%s/%s" % (self.center.key, mid),
                         "--attending", "--count", "2", "--note", "二人で")
        rid = "reply/" + hashlib.blake2b(("%s/%s" % (self.center.key, mid)).encode(),
                                         digest_size=8).hexdigest()
        wait_for("the center to hold the answer",
                 lambda: self.center.has(self.nursery.key, rid))
        show = "/meetings/show?author=%s&id=%s" % (self.center.key, mid)
        st, _, text = cc.req("GET", show)
        self.assertEqual(st, 200, text)
        answers = text.split('id="answers"')[1].split("</table>")[0]
        self.assertRegex(answers, r"ひまわり保育園</td><td>出席</td><td>2</td><td>二人で")
        self.assertIn("出席 1（2人）", text)
        # minutes and actions, as `meeting minutes` records them
        form = {"csrf": cc.csrf(show), "author": self.center.key, "id": mid,
                "minutes": "", "actions": "\r\n"}
        st, _, text = cc.req("POST", "/meetings/show", form)
        self.assertEqual(st, 400)
        self.assertIn("nothing to record", text)
        form.update({"minutes": "夏まつりは7月20日。\r\n受付は保育園。\r\n",
                     "actions": "ポスターを作る（センター）\r\n会場を予約する\r\n"})
        st, _, text = cc.req("POST", "/meetings/show", form)
        self.assertEqual(st, 303, text)
        wait_for("the nursery to hold the minutes", lambda: (
            self.nursery.show(self.center.key, mid) or {}).get("meeting", {}).get(
                "minutes") == "夏まつりは7月20日。\n受付は保育園。")
        out = self.nursery.cli("meeting", "show", "%s/%s" % (self.center.key, mid),
                               env={"HIROBA_LOCALEDIR": "/nonexistent"}).stdout
        self.assertIn("ポスターを作る（センター）", out)
        self.assertIn("会場を予約する", out)
        # a meeting over last week is still a click away, for its minutes
        out = self.center.cli("--json", "meeting", "call", "--title", "先週の運営会議",
                              "--start", day(-7, "14:00")).stdout
        past = json.loads(out.splitlines()[0])["id"]
        st, _, text = cc.req("GET", "/meetings")
        lst = text.split('id="past"')[1].split("</ul>")[0]
        self.assertIn('/meetings/show?author=%s&amp;id=%s">先週の運営会議</a>'
                      % (self.center.key, past), lst)
        self.assertNotIn("応援ネット（コンソールから）", lst)     # not over yet
        # a group does not write another's minutes
        c = self.signed_in()
        st, _, text = c.req("GET", show)
        self.assertEqual(st, 200)
        self.assertNotIn('name="minutes"', text)
        st, _, _ = c.req("POST", "/meetings/show", dict(form, csrf=c.csrf()))
        self.assertEqual(st, 403)

    # ---- spreadsheet in ----

    def post_file(self, c, path, fields, name, data):
        """A multipart/form-data post, as a browser's file upload sends it."""
        boundary = "----hirobaTest%d" % os.getpid()
        body = b""
        for k, v in fields.items():
            body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                     % (boundary, k, v)).encode()
        if data is not None:
            body += ('--%s\r\nContent-Disposition: form-data; name="file"; '
                     'filename="%s"\r\nContent-Type: text/csv\r\n\r\n'
                     % (boundary, name)).encode() + data + b"\r\n"
        body += ("--%s--\r\n" % boundary).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", path, body=body, headers={
                "Host": "127.0.0.1:%d" % self.port,
                "Cookie": "; ".join("%s=%s" % kv for kv in c.jar.items()),
                "Content-Type": "multipart/form-data; boundary=" + boundary})
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8")
        finally:
            conn.close()

    def test_csv_import_previewed_then_published(self):
        c = self.signed_in()
        st, _, text = c.req("GET", "/import")
        self.assertEqual(st, 200)
        self.assertIn('enctype="multipart/form-data"', text)
        head = "名称,緯度,経度,住所,タグ\r\n"
        bad = (head + "瀬谷中央公園（取込）,35.4661234,139.4987654,横浜市瀬谷区,"
               "leisure=playground;stroller=yes\r\n"
               "授乳室（取込）,abc,139.49,,changing_table=yes\r\n").encode("cp932")
        # no CSRF token: refused like any form, nothing kept
        st, _ = self.post_file(c, "/import", {}, "places.csv", bad)
        self.assertEqual(st, 403)
        # no session: a form's size at most (not a spreadsheet's)
        addr = ("横浜市瀬谷区瀬谷町一丁目二番地三号" * 10).encode()     # 180 characters
        big = head.encode() + b"".join(b"spot-%d,35.%04d,139.5,%s,\r\n" % (i, i, addr)
                                       for i in range(130))
        self.assertGreater(len(big), 64 * 1024)
        self.assertEqual(self.post_file(Console(self.port), "/import", {}, "big.csv",
                                        big)[0], 413)
        st, text = self.post_file(c, "/import", {"csrf": c.csrf("/import")}, "big.csv",
                                  big)
        self.assertEqual(st, 200, text[:2000])
        self.assertIn("would import 130 (130 new", text)
        token = c.csrf("/import")
        st, text = self.post_file(c, "/import", {"csrf": token}, "施設.csv", None)
        self.assertEqual(st, 400)
        self.assertIn('id="err-file">CSV ファイルを選んでください', text)
        # Excel's CSV (CP932): every row judged; one refused, so nothing to publish
        st, text = self.post_file(c, "/import", {"csrf": token}, "施設.csv", bad)
        self.assertEqual(st, 400, text)
        preview = text.split('id="preview"')[1].split("</table>")[0]
        self.assertRegex(preview, r'<tr class="new"><td>2</td><td>新規</td><td>place place/')
        self.assertRegex(preview, r'<tr class="refused"><td>3</td><td>取り込めません</td>'
                                  r'<td>[^<]*緯度[^<]*abc')
        self.assertIn("would import 1 (1 new, 0 changed); 0 unchanged, 1 refused", text)
        self.assertIn('id="encoding-note"', text)
        self.assertNotIn('id="publish"', text)
        self.assertNotIn("/tmp/", text)          # the kept file's path is not shown
        self.assertIn("<h2>施設.csv</h2>", text)
        good = bad.replace(b",abc,", b",35.4640,")
        st, text = self.post_file(c, "/import", {"csrf": token}, "施設.csv", good)
        self.assertEqual(st, 200, text)
        self.assertIn("would import 2 (2 new, 0 changed)", text)
        tok = re.search(r'name="token" value="([0-9a-f]{32})"', text).group(1)
        kept = [f for f in os.listdir(self.nursery.dir) if f.startswith("console-import-")]
        self.assertEqual(kept, ["console-import-%s.csv" % tok])
        self.assertEqual(os.stat(os.path.join(self.nursery.dir, kept[0])).st_mode & 0o777,
                         0o600)
        names = lambda g: {p["place"]["name"] for p in g.json("places", "--group",
                                                              "ひまわり保育園")}
        self.assertNotIn("授乳室（取込）", names(self.nursery))   # a preview publishes nothing
        form = {"csrf": token, "token": tok, "kind": "", "encoding": "",
                "filename": "施設.csv"}
        st, _, text = c.req("POST", "/import", form)
        self.assertEqual(st, 200, text)
        self.assertIn("imported 2 (2 new, 0 changed)", text)
        self.assertTrue({"瀬谷中央公園（取込）", "授乳室（取込）"} <= names(self.nursery))
        wait_for("the center to hold the imported places", lambda: {
            "瀬谷中央公園（取込）", "授乳室（取込）"} <= names(self.center))
        self.assertIn("tanaka imported 施設.csv: imported 2", self.nursery.logtext())
        self.assertEqual([f for f in os.listdir(self.nursery.dir)
                          if f.startswith("console-import-")], [])
        # the same token again: the file is gone, nothing happens
        st, _, text = c.req("POST", "/import", form)
        self.assertEqual(st, 400)
        self.assertIn("確認したファイルがもうありません", text)
        # ... and out again: `hiroba export`'s own files, this group's records
        st, _, text = c.req("GET", "/places")
        self.assertIn('href="/export?f=geojson&amp;k=place"', text)
        st, hdrs, body = self.get_bytes(c, "/export?f=csv&k=place")
        self.assertEqual(st, 200)
        self.assertEqual(hdrs["content-disposition"], 'attachment; filename="hiroba-place.csv"')
        cli = subprocess.run([hb.HIROBA, "-d", self.nursery.dir, "export", "csv", "--kind",
                              "place", "--group", self.nursery.key],
                             capture_output=True, timeout=60, check=True).stdout
        self.assertEqual(body, cli)
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        st, hdrs, body = self.get_bytes(c, "/export?f=geojson&k=place")
        self.assertEqual(hdrs["content-type"], "application/geo+json")
        names = {f["properties"]["name"] for f in json.loads(body)["features"]}
        self.assertIn("授乳室（取込）", names)
        st, hdrs, body = self.get_bytes(c, "/export?f=ics&k=event")
        self.assertTrue(body.startswith(b"BEGIN:VCALENDAR"), body[:80])
        self.assertEqual(self.get_bytes(c, "/export?f=ics&k=place")[0], 404)
        self.assertEqual(self.get_bytes(Console(self.port), "/export?f=csv&k=place")[0], 303)

    def get_bytes(self, c, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers={
                "Host": "127.0.0.1:%d" % self.port,
                "Cookie": "; ".join("%s=%s" % kv for kv in c.jar.items())})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    # ---- the network ----

    def test_network_view(self):
        c = self.signed_in()
        wait_for("the center to be connected", lambda: any(
            p.get("connected") for p in self.nursery.status().get("peers", [])))
        st, _, text = c.req("GET", "/network")
        self.assertEqual(st, 200)
        peers = text.split('id="peers"')[1].split("</table>")[0]
        self.assertIn("center", peers)
        roster = text.split('id="roster"')[1].split("</table>")[0]
        self.assertIn("ひまわり保育園", roster)
        self.assertIn("保育園・幼稚園", roster)
        # every group's calendar and support map, as `hiroba events` and `places` list
        self.center.cli("event", "add", "--title", "拠点のおはなし会", "--start", day(4),
                        "--category", "play_space", "--place-text", "瀬谷センター")
        self.center.cli("place", "add", "--name", "瀬谷センター（地図）", "--lat", "35.4701",
                        "--lon", "139.4901", "--tag", "baby_feeding=room")
        wait_for("the nursery to hold the center's place", lambda: any(
            p["place"]["name"] == "瀬谷センター（地図）" for p in self.nursery.json("places")))
        wait_for("the nursery to hold the center's event", lambda: any(
            e["event"]["title"] == "拠点のおはなし会" for e in self.nursery.json("events")))
        st, _, text = c.req("GET", "/calendar")
        self.assertEqual(st, 200)
        cal = text.split('id="calendar"')[1].split("</table>")[0]
        self.assertRegex(cal, r"<td>%s</td><td>拠点のおはなし会</td><td>center</td>"
                              r"<td>瀬谷センター</td>" % day(4))
        st, hdrs, text = c.req("GET", "/map")
        self.assertEqual(st, 200)
        self.assertIn("script-src 'self'", hdrs["content-security-policy"])
        self.assertIn('<li data-lat="35.4701000" data-lon="139.4901000"><strong>'
                      "瀬谷センター（地図）</strong> · center · 授乳室</li>", text)

    def test_reload_applies_hosts(self):
        """SIGHUP applies a changed [console]: a reverse proxy's name is answered."""
        proxy = Console(self.port, host="console.example:%d" % self.port)
        st, _, _ = proxy.req("GET", "/signin")
        self.assertEqual(st, 403)
        with open(self.nursery.conf, encoding="utf-8") as f:
            conf = f.read()
        with open(self.nursery.conf, "w", encoding="utf-8") as f:
            f.write(conf.replace("[console]\n", "[console]\nhosts = console.example:%d\n"
                                 % self.port))
        self.nursery.proc.send_signal(signal.SIGHUP)

        def answers():
            try:    # the old server closes its connections as the new one starts
                return proxy.req("GET", "/signin")[0] == 200
            except (ConnectionError, http.client.HTTPException):
                return False
        wait_for("the reloaded console to answer to its new name", answers)
        self.assertIn("reload: [console] applied", self.nursery.logtext())
        evil = Console(self.port, host="evil.example:%d" % self.port)
        self.assertEqual(evil.req("GET", "/signin")[0], 403)

    # ---- sessions ----

    def test_idle_session_expires(self):
        c = self.signed_in()
        st, _, _ = c.req("GET", "/events")
        self.assertEqual(st, 200)
        token = c.csrf()
        time.sleep(IDLE + 1)     # idleness is what is tested: any request would reset it
        st, _, _ = c.req("POST", "/events/new", {"csrf": token, "title": "期限切れ",
                                                  "when.start": day(13),
                                                  "category": "other"})
        self.assertEqual(st, 403)
        st, hdrs, _ = c.req("GET", "/events")
        self.assertEqual(st, 303)
        self.assertIn("session expired", self.nursery.logtext())

    def test_absolute_session_limit(self):
        """A session ends session_max after sign-in, however busy it is."""
        fed = hb.Federation()
        try:
            g = fed.add_center("ひとり", start=False)
            port = hb.free_port()
            with open(g.conf, "a", encoding="utf-8") as f:
                f.write("\n[console]\nlisten = 127.0.0.1:%d\nsession_max = 3\n" % port)
            g.start()
            g.cli("console", "user", "add", "kato", input=PASSWORD + "\n")
            c = Console(port)
            c.signin("kato", PASSWORD)
            signed = time.monotonic()
            # busy all along (never idle), yet out after 3 s
            def out():
                return c.req("GET", "/events")[0] == 303
            wait_for("the session's absolute limit", out, timeout=10, step=0.5)
            self.assertGreaterEqual(time.monotonic() - signed, 2)
            self.assertEqual(g.stop(), 0)
            self.assertNotIn("Sanitizer", g.logtext())
            self.assertNotIn("runtime error:", g.logtext())
        finally:
            fed.close()


if __name__ == "__main__":
    unittest.main()
