# SPDX-License-Identifier: ISC
"""The hiroba CLI on its own and against one real hirobad (the center, which may publish
without being admitted): usage errors, init, publish/query/show/edit/delete with Japanese
text, tables aligned by display width, --json output, and the documented exit codes.

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import json
import os
import stat
import subprocess
import tempfile
import shutil
import unicodedata
import unittest

import hb

HIROBA = hb.HIROBA

USAGE, FAIL, DOWN, NOTFOUND = 2, 1, 3, 4


def run(*args, input=None, env=None):
    e = dict(os.environ)
    e.pop("HIROBA_DIR", None)
    e.pop("HIROBA_CONF", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    return subprocess.run([HIROBA] + list(args), capture_output=True, text=True,
                          input=input, env=e, timeout=60)


def width(s):
    """Display width in a terminal: wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def col(line, text):
    """The display column where text starts in line."""
    i = line.index(text)
    return width(line[:i])


class Usage(unittest.TestCase):
    """No daemon needed."""

    def test_help_lists_commands_and_exit_codes(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("event add", "places", "status", "Exit status", "3  hirobad"):
            self.assertIn(word, r.stdout)
        self.assertRegex(run("--version").stdout, r"^hiroba \d+\.\d+")

    def test_every_command_has_help(self):
        # "  event add        Publish an event": the name is the first 16 columns.
        names = [l[2:18].strip() for l in run("--help").stdout.split("Commands:")[1]
                 .split("Options:")[0].splitlines() if l.strip()]
        self.assertGreater(len(names), 20)
        for name in names:
            words = name.split()
            r = run(*words, "--help")
            self.assertEqual(r.returncode, 0, name + ": " + r.stderr)
            self.assertIn("usage: hiroba " + name, r.stdout)
            self.assertEqual(run("help", *words).stdout, r.stdout)

    def test_usage_errors_exit_2_and_name_the_problem(self):
        cases = [
            (["frobnicate"], "frobnicate"),
            (["events", "--bogus"], "--bogus"),
            (["events", "--from"], "--from"),
            (["events", "--from", "2026-13-01"], "2026-13-01"),
            (["events", "--category", "dad"], "dad"),
            (["event", "add", "--start", "2026-12-05 10:00", "--category", "father"],
             "--title"),
            (["event", "add", "--title", "x", "--start", "2026-12-05", "--category",
              "father"], "--all-day"),
            (["event", "add", "--title", "x", "--start", "2026-12-05 10:00", "--end",
              "09:00", "--category", "father"], "before"),
            (["event"], "event"),
            (["event", "frob"], "frob"),
            (["places", "--radius", "1km"], "--near"),
            (["places", "--near", "35.4,xyz"], "--near"),
            (["place", "add", "--name", "公園", "--lat", "95", "--lon", "139"], "--lat"),
            (["admit", "abc", "--name", "x", "--kind", "nursery"], "abc"),
            (["init", "--dir", "/tmp/x", "--name", "x", "--kind", "school"], "school"),
            (["volunteer", "add", "--wanted", "--offered", "--title", "x"], "both"),
        ]
        for args, word in cases:
            r = run(*args)
            self.assertEqual(r.returncode, USAGE, "%s: %s" % (args, r.stderr))
            self.assertIn(word, r.stderr, args)
            self.assertEqual(r.stdout, "", args)

    def test_times_are_read_as_tokyo(self):
        # 2026-12-05 10:00 in Tokyo is 01:00 UTC, whichever way it is written.
        want = 1796432400
        for start in ("2026-12-05 10:00", "2026-12-05T10:00", "2026-12-05T10:00:00+09:00",
                      "2026-12-05T01:00:00Z", "2026-12-04T20:00-05:00",
                      "2026-12-05T10:00:00.500+0900"):
            r = run("event", "add", "--dry-run", "--title", "t", "--start", start,
                    "--category", "father", env={"TZ": "America/New_York"})
            self.assertEqual(r.returncode, 0, start + ": " + r.stderr)
            ev = json.loads(r.stdout)["event"]
            self.assertEqual(ev["when"]["start"], want, start)
            self.assertEqual(ev["when"]["end"], want + 3600, start)
        r = run("event", "add", "--dry-run", "--title", "t", "--start", "2026-12-31",
                "--all-day", "--category", "play_space", "--weekly", "--until", "2027-03-31")
        d = json.loads(r.stdout)
        self.assertEqual(d["event"]["when"], {"all_day": True, "start": 20261231,
                                              "end": 20261231})
        self.assertEqual(d["event"]["recurrence"]["until"], 20270331)
        self.assertRegex(d["id"], r"^event/20261231-[0-9a-f]{6}$")
        # --end as a bare time is on the start's day; a date-only --until covers that day.
        r = run("event", "add", "--dry-run", "--title", "t", "--start", "2026-12-05 23:00",
                "--end", "23:30", "--category", "father", "--monthly", "--until", "2027-02-05")
        ev = json.loads(r.stdout)["event"]
        self.assertEqual(ev["when"]["end"] - ev["when"]["start"], 1800)
        self.assertEqual(ev["recurrence"]["until"], 1801839599)  # 2027-02-05 23:59:59 JST


class Init(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hiroba-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_init_writes_key_and_config(self):
        center = os.path.join(self.tmp, "center")
        r = run("--json", "init", "--dir", center, "--name", "瀬谷センター", "--kind", "center",
                "--listen", "tcp://127.0.0.1:7310", "--center", "self")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertTrue(c["is_center"])
        self.assertEqual(c["center"], c["key"])
        self.assertRegex(c["fingerprint"], r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")

        d = os.path.join(self.tmp, "himawari")
        r = run("init", "--dir", d, "--name", "瀬谷ひまわり保育園", "--kind", "nursery",
                "--listen", "tcp://127.0.0.1:7311", "--center", c["key"],
                "--peer", "瀬谷センター=tcp://127.0.0.1:7310@" + c["key"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "identity.key")).st_mode), 0o600)
        self.assertIn("hiroba admit ", r.stdout)
        self.assertIn("--name '瀬谷ひまわり保育園' --kind nursery", r.stdout)
        with open(os.path.join(d, "hirobad.conf"), encoding="utf-8") as f:
            conf = f.read()
        for line in ("[node]", "name = 瀬谷ひまわり保育園", "data = " + os.path.realpath(d),
                     "key = identity.key", "center = " + c["key"],
                     "listen = tcp://127.0.0.1:7311", "[peer 瀬谷センター]",
                     "endpoint = tcp://127.0.0.1:7310", "key = " + c["key"]):
            self.assertIn(line + "\n", conf)

        # Never over an existing identity.
        r = run("init", "--dir", d, "--name", "x", "--kind", "nursery",
                "--listen", "tcp://127.0.0.1:7312", "--center", "self")
        self.assertEqual(r.returncode, FAIL)
        self.assertIn("already exists", r.stderr)

    def test_daemon_down_exits_3(self):
        d = os.path.join(self.tmp, "g")
        run("init", "--dir", d, "--name", "g", "--kind", "circle",
            "--listen", "tcp://127.0.0.1:7313", "--center", "self")
        for how in (["-d", d], ["-c", os.path.join(d, "hirobad.conf")]):
            r = run(*how, "status")
            self.assertEqual(r.returncode, DOWN, r.stderr)
            self.assertIn("hirobad is not running at", r.stderr)
            self.assertIn("hirobad -c ", r.stderr)
        r = run("events", env={"HIROBA_DIR": d})
        self.assertEqual(r.returncode, DOWN)
        # A socket file left behind by a killed daemon: still 3, at once.
        import socket
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.join(d, "ctl.sock"))
        s.close()
        r = run("-d", d, "show", "event/x")
        self.assertEqual(r.returncode, DOWN)
        r = run("-c", os.path.join(self.tmp, "nope.conf"), "status")
        self.assertEqual(r.returncode, DOWN)
        self.assertIn("nope.conf", r.stderr)


class WithDaemon(hb.FederationTest):
    def setUp(self):
        super().setUp()
        self.c = self.fed.add_center("瀬谷センター")

    def test_publish_query_show_edit_delete(self):
        c = self.c
        r = c.cli("event", "add", "--title", "父親向けプログラム「パパと遊ぼう」",
                  "--start", "2030-12-07 10:00", "--end", "12:00", "--category", "father",
                  "--place-text", "瀬谷センター ひろば", "--capacity", "10",
                  "--audience", "fathers", "--title-en", "Play with Dad", "--id", "event/papa")
        self.assertIn("event/papa", r.stdout)
        rec = c.show(c.key, "event/papa")
        self.assertEqual(rec["event"]["title"], "父親向けプログラム「パパと遊ぼう」")
        self.assertEqual(rec["event"]["when"]["start"], 1922835600)
        self.assertEqual(rec["event"]["translations"], [{"lang": "en", "title": "Play with Dad"}])
        self.assertEqual(rec["group"], "瀬谷センター")
        # A bare id is one of our own records.
        self.assertEqual(json.loads(c.cli("--json", "show", "event/papa").stdout)["hash"],
                         rec["hash"])

        rows = c.json("events", "--from", "2030-12-01", "--to", "2030-12-31")
        self.assertEqual([r["id"] for r in rows], ["event/papa"])
        self.assertEqual(rows[0]["occurrence"]["start"], 1922835600)
        self.assertEqual(c.json("events", "--from", "2030-12-01", "--to", "2030-12-31",
                                "--category", "play_space"), [])
        self.assertEqual(len(c.json("events", "--from", "2030-12-01", "--to", "2030-12-31",
                                    "--text", "ﾊﾟﾊﾟ")), 1)

        # Edit: only what is given changes.
        c.cli("event", "edit", "event/papa", "--title", "パパと遊ぼう（満員御礼）", "--capacity", "12")
        rec2 = c.show(c.key, "event/papa")
        self.assertGreater(rec2["seq"], rec["seq"])
        self.assertEqual(rec2["event"]["title"], "パパと遊ぼう（満員御礼）")
        self.assertEqual(rec2["event"]["capacity"], 12)
        self.assertEqual(rec2["event"]["when"], rec["event"]["when"])
        self.assertEqual(rec2["event"]["where"], {"text": "瀬谷センター ひろば"})
        c.cli("event", "cancel", "event/papa")
        c.cli("event", "done", "event/papa", "--attended", "9")
        rec3 = c.show(c.key, "event/papa")
        self.assertTrue(rec3["event"]["cancelled"])
        self.assertEqual(rec3["event"]["attended"], 9)
        out = c.cli("events", "--from", "2030-12-01", "--to", "2030-12-31").stdout
        self.assertIn("【中止】", out)

        # show → edit the JSON → publish it back.
        rec3["event"]["description"] = "雨天決行"
        back = c.publish(rec3)
        self.assertEqual(back["event"]["description"], "雨天決行")

        c.cli("delete", "event/papa")
        self.assertEqual(c.show(c.key, "event/papa")["kind"], "tombstone")
        r = c.cli("event", "edit", "event/papa", "--title", "x", check=False)
        self.assertEqual(r.returncode, NOTFOUND, r.stderr)

    def test_not_found_and_other_groups_records(self):
        c = self.c
        r = c.cli("show", "event/nothing", check=False)
        self.assertEqual(r.returncode, NOTFOUND)
        self.assertIn("event/nothing", r.stderr)
        other = hb.Group(self.fed, "ほかのサークル", "circle", center_key=self.c.key)
        r = c.cli("show", other.key + "/event/x", check=False)
        self.assertEqual(r.returncode, NOTFOUND)
        for args in (["event", "edit", other.key + "/event/x", "--title", "t"],
                     ["delete", other.key + "/event/x"],
                     ["event", "cancel", other.key + "/event/x"]):
            r = c.cli(*args, check=False)
            self.assertEqual(r.returncode, FAIL, args)
            self.assertIn("only that group can change it", r.stderr)
        r = c.cli("event", "edit", "event/nothing", "--title", "t", check=False)
        self.assertEqual(r.returncode, NOTFOUND)

    def test_bad_files(self):
        c = self.c
        r = c.cli("publish", "-f", "-", input='{"id": "event/x", "event": {', check=False)
        self.assertEqual(r.returncode, FAIL)
        self.assertIn("line", r.stderr)
        r = c.cli("publish", "-f", "-", input='{"event": {"title": "x"}}', check=False)
        self.assertEqual(r.returncode, FAIL)
        self.assertIn("id", r.stderr)
        r = c.cli("publish", "-f", "-", input=json.dumps(
            hb.event("event/bad", "x", 1922835600, category="papa")), check=False)
        self.assertEqual(r.returncode, FAIL)
        self.assertIn("category", r.stderr)
        r = c.cli("publish", "-f", "/nonexistent.json", check=False)
        self.assertEqual(r.returncode, FAIL)
        self.assertIn("/nonexistent.json", r.stderr)

    def test_tables_line_up_by_display_width(self):
        c = self.c
        titles = ["パパと遊ぼう", "Baby yoga", "ﾊﾟﾊﾟの工作", "プレママ・プレパパ教室（第2回）"]
        places = ["瀬谷センター", "Room 2", "三ツ境ケアプラザ多目的室", "x"]
        for i, (t, p) in enumerate(zip(titles, places)):
            c.cli("event", "add", "--title", t, "--start", "2030-12-%02d 10:00" % (i + 2),
                  "--category", "play_space", "--place-text", p)
        out = c.cli("events", "--from", "2030-12-01", "--to", "2030-12-31").stdout
        lines = out.splitlines()
        self.assertEqual(len(lines), 1 + len(titles), out)
        header = lines[0]
        for name, values in (("タイトル", titles), ("場所", places)):
            want = col(header, name)
            for v in values:
                line = next(l for l in lines[1:] if v in l)
                self.assertEqual(col(line, v), want, "%s misaligned:\n%s" % (v, out))
        group = col(header, "グループ")
        for l in lines[1:]:
            self.assertTrue(l.endswith("瀬谷センター"), out)
            self.assertEqual(width(l) - width("瀬谷センター"), group, out)

        c.cli("place", "add", "--name", "瀬谷中央公園", "--lat", "35.4731", "--lon", "139.4867",
              "--tag", "leisure=park", "--tag", "stroller=yes", "--address", "横浜市瀬谷区")
        c.cli("place", "add", "--name", "Nursing room", "--lat", "35.4665", "--lon", "139.4881",
              "--tag", "changing_table=yes")
        out = c.cli("places", "--near", "35.4731,139.4867", "--radius", "2km").stdout
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        self.assertIn("瀬谷中央公園", lines[1])  # nearest first
        want = col(lines[0], "タグ")
        self.assertEqual(col(lines[1], "leisure=park"), want, out)
        self.assertEqual(col(lines[2], "changing_table=yes"), want, out)
        self.assertEqual(len(c.json("places", "--tag", "stroller=yes")), 1)
        self.assertEqual(c.json("places", "--near", "35.4731,139.4867", "--radius", "300m")
                         [0]["distance_m"], 0)

    def test_bidi_controls_shown_not_obeyed(self):
        # a right-to-left override in a title would turn the rest of the terminal line
        # around (issue 12): tables show it as <U+202E>, --json keeps the text
        c = self.c
        title = "ひろば\u202eうおよし"
        c.cli("event", "add", "--title", title, "--start", "2031-01-06 10:00",
              "--category", "play_space")
        out = c.cli("events", "--from", "2031-01-01", "--to", "2031-01-31").stdout
        self.assertIn("ひろば<U+202E>うおよし", out)
        self.assertNotIn("\u202e", out)
        ev = c.json("events", "--from", "2031-01-01", "--to", "2031-01-31")[0]
        self.assertEqual(ev["event"]["title"], title)

    def test_json_everywhere(self):
        c = self.c
        c.cli("volunteer", "add", "--wanted", "--title", "保育ボランティア", "--skill", "保育,読み聞かせ",
              "--area", "瀬谷", "--people", "3", "--id", "volunteer/hoiku")
        c.cli("volunteer", "add", "--offered", "--title", "工作教室", "--skill", "ｺｳｻｸ")
        self.assertEqual([v["id"] for v in c.json("volunteers", "--skill", "読み聞かせ")],
                         ["volunteer/hoiku"])
        self.assertEqual(len(c.json("volunteers", "--skill", "コウサク")), 1)
        self.assertEqual(len(c.json("volunteers", "--offered")), 1)
        c.cli("volunteer", "close", "volunteer/hoiku", "--filled")
        self.assertEqual(len(c.json("volunteers", "--open")), 1)

        c.cli("meeting", "call", "--title", "応援ネット会議", "--start", "2030-12-15 14:00",
              "--end", "16:00", "--id", "meeting/ouen")
        c.cli("meeting", "reply", c.key + "/meeting/ouen", "--attending", "--count", "2")
        m = c.json("meetings", "--from", "2030-12-01", "--to", "2030-12-31")
        self.assertEqual(m[0]["replies"], {"attending": 1, "absent": 0, "unanswered": 0,
                                           "people": 2})

        st = c.status()
        self.assertEqual(st["key"], c.key)
        self.assertEqual(st["name"], "瀬谷センター")
        other = hb.Group(self.fed, "ひまわり保育園", "nursery", center_key=c.key)
        r = c.cli("--json", "admit", other.key, "--name", "ひまわり保育園", "--kind", "nursery")
        self.assertEqual(json.loads(r.stdout)["kind"], "membership")
        members = c.json("members")
        self.assertEqual([m["membership"]["name"] for m in members], ["ひまわり保育園"])
        c.cli("revoke", other.key, "--after-seq", "5")
        members = c.json("members")
        self.assertEqual(members[0]["membership"]["status"], "revoked")
        self.assertEqual(members[0]["membership"]["valid_until_seq"], 5)
        for cmd in (["events"], ["places"], ["volunteers"], ["meetings"], ["members"],
                    ["status"]):
            out = c.cli("--json", *cmd).stdout
            for line in out.splitlines():
                self.assertIsInstance(json.loads(line), dict)
        # The table shows the group's name, found through the center's roster.
        self.assertIn("瀬谷センター", c.cli("volunteers").stdout)

    def test_admit_at_a_non_center_shows_the_refusal(self):
        other = hb.Group(self.fed, "よその園", "nursery", center_key=self.c.key)
        other.start()
        r = other.cli("admit", self.c.key, "--name", "x", "--kind", "circle", check=False)
        self.assertEqual(r.returncode, FAIL, r.stderr)
        self.assertIn("only the center", r.stderr)
        other.stop()


if __name__ == "__main__":
    unittest.main()
