# SPDX-License-Identifier: ISC
"""The CLI speaks Japanese where the locale is Japanese, English otherwise (issue 13 item
4): the same usage error, "hirobad is not running" (exit 3), not-found (exit 4) and
refused values, run under LANG=ja_JP.UTF-8 and under LANG=C.UTF-8, with the catalog of
the build tree (HIROBA_LOCALEDIR=build/po). Also: the exit codes do not depend on the
language, LC_ALL=C wins over a Japanese LANG, and LANGUAGE alone does not switch a C
locale to Japanese (GNU gettext ignores it there; hiroba(1) says so).

Needs the ja_JP.UTF-8 locale (deploy/deps generates it) and msgfmt (for build/po):
skips, saying which, when either is missing. po/ja.po's completeness is the ctest
po_check (po/update-po --check).

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import os
import subprocess
import unittest

import hb

HIROBA = hb.HIROBA
USAGE, DOWN, NOTFOUND = 2, 3, 4
LOCALEDIR = os.environ.get("HIROBA_LOCALEDIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(HIROBA))), "po")
JA = "ja_JP.UTF-8"


def have_ja_locale():
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return any(l.lower().replace("-", "") == "ja_jp.utf8" for l in out.split())


def clean_env(**env):
    """The environment of a run: no language variables but those given."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE", "HIROBA_DIR",
                                                  "HIROBA_CONF")}
    e["NO_COLOR"] = "1"
    e["HIROBA_LOCALEDIR"] = LOCALEDIR
    e.update(env)
    return e


def run(*args, **env):
    return subprocess.run([HIROBA] + list(args), capture_output=True, text=True,
                          env=clean_env(**env), timeout=60)


MISSING = None
if not have_ja_locale():
    MISSING = ("the ja_JP.UTF-8 locale is not installed: run deploy/deps as root, or "
               "`localedef -i ja_JP -f UTF-8 ja_JP.UTF-8`")
elif not os.path.exists(os.path.join(LOCALEDIR, "ja", "LC_MESSAGES", "hiroba.mo")):
    MISSING = ("no %s/ja/LC_MESSAGES/hiroba.mo: build with msgfmt installed "
               "(apt-get install gettext)" % LOCALEDIR)


@unittest.skipIf(MISSING, MISSING)
class WithoutDaemon(unittest.TestCase):
    def both(self, args, code):
        ja, en = run(*args, LANG=JA), run(*args, LANG="C.UTF-8")
        self.assertEqual(ja.returncode, code, ja.stderr)
        self.assertEqual(en.returncode, code, en.stderr)
        return ja.stderr, en.stderr

    def test_usage_error(self):
        ja, en = self.both(["frobnicate"], USAGE)
        self.assertIn("hiroba: 'frobnicate' というコマンドはありません", ja)
        self.assertIn("hiroba: unknown command 'frobnicate'", en)
        ja, en = self.both(["events", "--bogus"], USAGE)
        self.assertIn("--bogus というオプションはありません", ja)
        self.assertIn("使い方: hiroba events", ja)
        self.assertIn("詳しくは `hiroba help events`", ja)
        self.assertIn("unknown option --bogus", en)
        self.assertIn("usage: hiroba events", en)

    def test_not_running(self):
        ja, en = self.both(["-d", "/nonexistent/hiroba-lang", "status"], DOWN)
        self.assertIn("hiroba: /nonexistent/hiroba-lang で hirobad が動いていません", ja)
        self.assertIn("で起動してください", ja)
        self.assertNotIn("not running", ja)
        self.assertIn("hiroba: hirobad is not running at /nonexistent/hiroba-lang", en)
        self.assertIn(": start it with `hirobad -c", en)

    def test_refused_values(self):
        # a vocabulary value, and a date read as far as it goes (timefmt.c's reasons)
        ja, en = self.both(["events", "--category", "dad"], USAGE)
        self.assertIn("--category: 'dad' は使えません。次のどれかです: ", ja)
        self.assertIn("father (父親向け)", ja)
        self.assertIn("--category: unknown 'dad'; one of: ", en)
        ja, en = self.both(["events", "--from", "2026/13/40"], USAGE)
        self.assertIn("2026-13-40 という日はありません (例: 2026-12-05 10:00、", ja)
        self.assertIn("2026-13-40 is not a day of the calendar (e.g. 2026-12-05", en)
        ja, en = self.both(["events", "--from", "12/5 25時"], USAGE)
        self.assertIn("時は 23 まで、分は 59 までです", ja)
        self.assertIn("hours go to 23 and minutes to 59", en)

    def test_which_variable_wins(self):
        # LC_ALL overrides LANG; LANGUAGE is ignored under the C locale
        r = run("frobnicate", LANG=JA, LC_ALL="C")
        self.assertIn("unknown command", r.stderr)
        r = run("frobnicate", LANGUAGE="ja")
        self.assertIn("unknown command", r.stderr)
        r = run("frobnicate", LANG="C.UTF-8", LC_MESSAGES=JA)
        self.assertIn("というコマンドはありません", r.stderr)
        # a catalog that is not there: English, not an error
        r = run("frobnicate", LANG=JA, HIROBA_LOCALEDIR="/nonexistent")
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("unknown command", r.stderr)


@unittest.skipIf(MISSING, MISSING)
class WithDaemon(hb.FederationTest):
    def test_not_found_and_refusals(self):
        c = self.fed.add_center()
        env = clean_env(LANG=JA)
        for args, code, ja_text in (
                (["show", "event/nothing"], NOTFOUND,
                 "hiroba: 記録 'event/nothing' はありません (一覧の 参照 列の値、"),
                (["meeting", "reply", "zz", "--attending"], NOTFOUND,
                 "hiroba: 会議 'zz' はありません"),
                (["event", "add", "--title", "x", "--start", "2026-12-05 10:00",
                  "--category", "父親向け", "--end", "09:00"], 2,
                 "終了が開始より前になっています")):
            r = c.cli(*args, check=False, env=env)
            self.assertEqual(r.returncode, code, r.stderr)
            self.assertIn(ja_text, r.stderr)
            en = c.cli(*args, check=False, env=clean_env(LANG="C.UTF-8"))
            self.assertEqual(en.returncode, code, en.stderr)
            self.assertNotIn(ja_text, en.stderr)
        r = c.cli("show", "event/nothing", check=False, env=clean_env(LANG="C.UTF-8"))
        self.assertIn("no record 'event/nothing'", r.stderr)
        # tables stay as they were: Japanese headers, whatever the messages' language
        r = c.cli("event", "add", "--title", "パパと遊ぼう", "--start", "2030-12-05 10:00",
                  "--category", "father", env=env)
        self.assertRegex(r.stdout, r"^イベント event/\S+ を公開しました \(seq \d+、")
        r = c.cli("event", "add", "--title", "ママと遊ぼう", "--start", "2030-12-06 10:00",
                  "--category", "father", env=clean_env(LANG="C.UTF-8"))
        self.assertRegex(r.stdout, r"^published event event/\S+ \(seq \d+, ")
        for lang in (JA, "C.UTF-8"):
            out = c.cli("events", "--from", "2030-12-01", "--to", "2030-12-31",
                        env=clean_env(LANG=lang)).stdout
            self.assertIn("パパと遊ぼう", out)
            self.assertIn("参照", out)


@unittest.skipIf(MISSING, MISSING)
class Catalog(unittest.TestCase):
    def test_msgfmt_check(self):
        po = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "po",
                          "ja.po")
        r = subprocess.run(["msgfmt", "-c", "-o", os.devnull, po], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
