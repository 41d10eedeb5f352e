# SPDX-License-Identifier: ISC
"""hirobad's configuration: every broken file gives one clear line naming the file and
line, and exit status 78 (EX_CONFIG, which the systemd unit does not restart on)."""
import os
import stat
import subprocess
import tempfile
import unittest

import hb

class Config(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hiroba-conf-")
        # a real identity to point configs at
        r = subprocess.run([hb.HIROBA, "init", "--dir", os.path.join(cls.tmp, "g"),
                            "--name", "テスト保育園", "--kind", "nursery", "--listen",
                            "tcp://127.0.0.1:%d" % hb.free_port(), "--center", "self"],
                           capture_output=True, text=True, check=True)
        cls.key = [l.split()[1] for l in r.stdout.splitlines() if l.startswith("key:")][0]
        cls.keyfile = os.path.join(cls.tmp, "g", "identity.key")

    def write(self, text):
        path = os.path.join(self.tmp, "t.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def check(self, text, expect_line=None, expect_text=None, rc=78):
        path = self.write(text)
        r = subprocess.run([hb.HIROBAD, "-n", "-c", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
        if expect_line is not None:
            self.assertTrue(r.stderr.startswith("%s:%d: " % (path, expect_line)), r.stderr)
        if expect_text is not None:
            self.assertIn(expect_text, r.stderr + r.stdout)
        if rc != 0:
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        return r

    def node(self, extra="", key=None):
        return ("[node]\nname = 瀬谷ひまわり保育園\ndata = %s\nkey = %s\ncenter = %s\n"
                "listen = tcp://127.0.0.1:7311\n%s"
                % (os.path.join(self.tmp, "g"), key or self.keyfile, self.key, extra))

    def test_good_config(self):
        r = self.check(self.node("sync_interval = 10\n\n[limits]\nmax_message = 8M\n\n"
                                 "[peer 瀬谷センター]\nendpoint = tcp://127.0.0.1:7310\n"
                                 "key = %s\n" % self.key), rc=0)
        self.assertEqual(r.stdout.strip(), "configuration OK")

    def test_unknown_key(self):
        self.check(self.node("colour = blue\n"), 7, 'unknown key "colour" in [node]')

    def test_unknown_section(self):
        self.check(self.node("[peers]\n"), 7, "unknown section [peers]")

    def test_bad_center_key(self):
        self.check("[node]\ndata = /tmp\ncenter = 1234\n", 3, "center: not a key")

    def test_missing_center(self):
        self.check("[node]\ndata = /tmp\n", None, "center is required")

    def test_bad_endpoint(self):
        self.check(self.node("listen = 127.0.0.1:7312\n"), 7, "is not a tcp:// endpoint")
        self.check(self.node("listen = tcp://127.0.0.1\n"), 7, "needs a host and a port")

    def test_bad_numbers(self):
        self.check(self.node("sync_interval = 0\n"), 7, "out of range")
        self.check(self.node("sync_interval = soon\n"), 7, "expected a number")
        self.check(self.node("\n[limits]\nmax_message = 99999999999G\n"), 9, "out of range")

    def test_peer_without_key(self):
        self.check(self.node("\n[peer センター]\nendpoint = tcp://127.0.0.1:7310\n"),
                   None, "[peer センター] needs a key")

    def test_duplicate_peer(self):
        p = "\n[peer %s]\nendpoint = tcp://127.0.0.1:7310\nkey = " + self.key + "\n"
        self.check(self.node(p % "a" + p % "b"), None, "has the same key as [peer a]")

    def test_line_without_equals(self):
        self.check(self.node("listen\n"), 7, 'expected "key = value"')

    def test_key_before_section(self):
        self.check("name = x\n[node]\n", 1, "before any section")

    def test_invalid_utf8(self):
        path = os.path.join(self.tmp, "u.conf")
        with open(path, "wb") as f:
            f.write(self.node().encode() .replace("瀬谷".encode(), b"\xff\xfe"))
        r = subprocess.run([hb.HIROBAD, "-n", "-c", path], capture_output=True, text=True,
                           errors="replace")
        self.assertEqual(r.returncode, 78)
        self.assertIn(":2: name: not valid UTF-8", r.stderr)

    def test_missing_file(self):
        r = subprocess.run([hb.HIROBAD, "-n", "-c", "/nonexistent/hirobad.conf"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 78)
        self.assertIn("/nonexistent/hirobad.conf: No such file or directory", r.stderr)

    def test_world_readable_key_refused(self):
        os.chmod(self.keyfile, 0o644)
        try:
            self.check(self.node(), None, "readable or writable by group or others")
        finally:
            os.chmod(self.keyfile, 0o600)

    def test_duplicate_listen(self):
        # -n must refuse what start would fail on (issue 12: systemd restart loops)
        self.check(self.node("listen = tcp://127.0.0.1:7311\n"), 7,
                   'would bind the same port twice')
        self.check(self.node("listen = tcp://0.0.0.0:7311\n"), 7,
                   'would bind the same port twice')
        self.check(self.node("listen = tcp://127.0.0.1:7312\n"), rc=0)

    def test_key_file_that_is_a_fifo(self):
        # refused at once, not waited on (issue 12: hirobad -n hung)
        fifo = os.path.join(self.tmp, "fifo.key")
        os.mkfifo(fifo, 0o600)
        r = subprocess.run([hb.HIROBAD, "-n", "-c", self.write(self.node(key=fifo))],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("fifo.key", r.stderr)

    def test_missing_key_file(self):
        self.check(self.node(key=os.path.join(self.tmp, "nokey")), None,
                   "No such file or directory")

    def test_bad_options(self):
        r = subprocess.run([hb.HIROBAD, "-x"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: hirobad", r.stderr)
        r = subprocess.run([hb.HIROBAD, "-V"], capture_output=True, text=True)
        self.assertRegex(r.stdout, r"^hirobad \d+\.\d+")


    # ---- [http]: the web page ----
    def web(self):
        """A folder of the page's files (only index.html matters to the check), beside
        t.conf: `static = web` is relative to the config's folder."""
        os.makedirs(os.path.join(self.tmp, "web", "static"), exist_ok=True)
        with open(os.path.join(self.tmp, "web", "static", "index.html"), "w") as f:
            f.write("<!doctype html>\n")

    def test_http_good(self):
        self.web()
        r = self.check(self.node("\n[http]\nlisten = 127.0.0.1:8080\n"
                                 "tiles = https://{s}.tile.example.org/{z}/{x}/{y}.png\n"
                                 "title = せや子育て応援ひろば\nattribution = © OpenStreetMap\n"
                                 "static = web\nconnections = 32\ntimeout = 10\n"), rc=0)
        self.assertEqual(r.stdout.strip(), "configuration OK")
        self.check(self.node("\n[http]\nlisten = [::1]:8080\nstatic = web\n"), rc=0)

    def test_http_static_without_the_page(self):
        # the usual slip: naming the static/ folder itself (every page was a silent 404)
        self.web()
        r = self.check(self.node("\n[http]\nlisten = 127.0.0.1:8080\nstatic = web/static/\n"),
                       None, "is the static/ folder itself")
        self.assertIn("static = %s" % os.path.join(self.tmp, "web"), r.stderr)
        self.check(self.node("\n[http]\nlisten = 127.0.0.1:8080\nstatic = nowhere\n"),
                   None, "[http] static: no static/index.html in %s"
                   % os.path.join(self.tmp, "nowhere"))

    def test_log_level(self):
        self.check(self.node("log = debug\n"), rc=0)
        self.check(self.node("log = info\n"), rc=0)
        self.check(self.node("log = loud\n"), 7, 'log: "loud" is not info or debug')

    def test_http_unknown_key(self):
        self.check(self.node("\n[http]\nlisten = 127.0.0.1:8080\nport = 8080\n"), 10,
                   'unknown key "port" in [http]')

    def test_http_bad_listen(self):
        for v in ["8080", "localhost:8080", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999",
                  "::1:8080", "[::1]", "tcp://127.0.0.1:8080"]:
            self.check(self.node("\n[http]\nlisten = %s\n" % v), 9, "is not address:port")

    def test_http_bad_tiles(self):
        self.check(self.node("\n[http]\ntiles = ftp://t.example.org/{z}/{x}/{y}.png\n"), 9,
                   "is not an http:// or https:// URL")
        self.check(self.node("\n[http]\ntiles = https://t.example.org/{z}/{x}.png\n"), 9,
                   "needs {z}, {x} and {y}")
        self.check(self.node("\n[http]\ntiles = https://t.example.org;x/{z}/{x}/{y}\n"), 9,
                   "needs a plain host name")
        self.check(self.node("\n[http]\ntiles = https://t.example.org/{z}/{x}/{y}'\n"), 9,
                   "holds characters a URL cannot")

    def test_http_bad_numbers(self):
        self.check(self.node("\n[http]\nconnections = 0\n"), 9, "out of range")
        self.check(self.node("\n[http]\ntimeout = soon\n"), 9, "expected a number")


if __name__ == "__main__":
    unittest.main(verbosity=2)
