# SPDX-License-Identifier: ISC
"""Help that matches the program: for every command in `hiroba --help`, the options its
`--help` names, the options the man page (deploy/man/hiroba.1.scd) gives it and the
options its parser really takes are the same; --dry-run only where a command publishes;
no option listed twice. The parser is asked, not read: each candidate option is given
to the command alone (no daemon runs, so nothing can happen), and getopt's "unknown
option" tells it is not one. Also: `hiroba GROUP --help` and `hirobad --help` exit 0.

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import concurrent.futures
import os
import re
import subprocess
import tempfile
import unittest

import hb

HIROBA = hb.HIROBA
MAN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                   "man", "hiroba.1.scd")
LONG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SHORT = {"-f": "--file", "-o": "--output"}      # short options that have a long twin
READ_OPTS = {"--lang", "--remote", "--remote-key"}
EVERYWHERE = {"--help", "--json"}


def run(*args, env_dir=None):
    e = dict(os.environ)
    e.pop("HIROBA_CONF", None)
    e["HIROBA_DIR"] = env_dir or "/nonexistent/hiroba-help-test"
    e["NO_COLOR"] = "1"
    return subprocess.run([HIROBA] + list(args), capture_output=True, text=True, env=e,
                          timeout=60)


def commands():
    out = run("--help").stdout
    return [l[2:18].strip() for l in out.split("Commands:")[1].split("Options:")[0]
            .splitlines() if l.strip()]


def options_in(text):
    found = set(LONG.findall(text))
    for short, long in SHORT.items():
        if re.search(r"(?<![\w-])%s(?![\w-])" % short, text):
            found.add(long)
    return found


def help_options(name):
    """The options `hiroba NAME --help` names: its usage lines and its option lines
    (not options of other commands quoted in prose, as in `hiroba events --available`)."""
    text = run(*name.split(), "--help").stdout
    usage, _, rest = text.partition("\n\n")
    opts = options_in(usage)
    listed = []
    for line in rest.splitlines():
        m = re.match(r"^  (-[-a-z][\w-]*(?:[ ,]+[^ ]+)*)", line)
        if m and line.startswith("  -"):
            names = options_in(line.split("  ")[1] if "  " in line[2:] else line)
            opts |= names
            listed += sorted(LONG.findall(line[:15]))
    m = re.search(r"\[(\w+ add) options\]", usage)
    if m:
        opts |= help_options(m.group(1))[0] - {"--id"}
    return opts, listed, text


def man_entries():
    """Command name -> the options on its synopsis line in the man page."""
    entries = {}
    with open(MAN, encoding="utf-8") as f:
        text = f.read()
    # "_filters_" in the export commands: the options the section's first paragraph lists
    section = text.split("# EXPORT AND IMPORT")[1]
    filters = options_in(section.split("\n*export")[0].replace("*", "")) - {"--kind"}
    if True:
        for line in text.splitlines(keepends=True):
            m = re.match(r"^\*([a-z]+(?: [a-z]+)?)\*(.*)$", line)
            if m:
                syn = m.group(2)
                opts = options_in(syn.replace("*", ""))
                entries.setdefault(m.group(1), set()).update(opts)
                sub = re.search(r"_(\w+ add) options_", syn)
                if sub:
                    entries[m.group(1)].add("@" + sub.group(1))
                if "_filters_" in syn:
                    entries[m.group(1)].update(filters)
    for name, opts in entries.items():      # [_event add options_]
        for o in list(opts):
            if o.startswith("@"):
                opts.discard(o)
                opts |= entries.get(o[1:], set()) - {"--id"}
    return entries


def accepted(name, option, tmp):
    r = run(*name.split(), option, env_dir=tmp)
    return "unknown option" not in r.stderr


class Help(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.names = commands()
        cls.help = {n: help_options(n) for n in cls.names}
        cls.man = man_entries()
        with open(MAN, encoding="utf-8") as f:
            cls.man_text = f.read()
        universe = set(READ_OPTS | EVERYWHERE | {"--dry-run", "--file", "--output"})
        for opts, _, _ in cls.help.values():
            universe |= opts
        for opts in cls.man.values():
            universe |= opts
        cls.universe = universe
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            for n in cls.names:
                for o in sorted(universe):
                    jobs[(n, o)] = ex.submit(accepted, n, o, cls.tmp.name)
        cls.parser = {n: {o for o in universe if jobs[(n, o)].result()}
                      for n in cls.names}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_help_names_what_the_parser_takes(self):
        wrong = []
        for n in self.names:
            helped, _, _ = self.help[n]
            parsed = self.parser[n]
            # getopt takes an unambiguous prefix (--all for --all-day): not an option
            extra = {o for o in parsed - helped
                     if not any(h.startswith(o) for h in parsed & helped)}
            if extra:
                wrong.append("%s: parser takes %s, --help does not say" % (n, sorted(extra)))
            if helped - parsed:
                wrong.append("%s: --help names %s, the parser refuses" %
                             (n, sorted(helped - parsed)))
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_man_page_names_what_help_names(self):
        wrong = []
        for n in self.names:
            if n not in self.man:
                wrong.append("%s: not in the man page" % n)
                continue
            helped = self.help[n][0] - READ_OPTS - EVERYWHERE - {"--dry-run"}
            manned = self.man[n] - READ_OPTS - EVERYWHERE - {"--dry-run"}
            if helped != manned:
                wrong.append("%s: man page %s, --help %s" % (
                    n, sorted(manned - helped), sorted(helped - manned)))
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_dry_run_only_where_a_command_publishes(self):
        takes = {n for n in self.names if "--dry-run" in self.parser[n]}
        self.assertIn("event add", takes)
        self.assertIn("import csv", takes)
        for n in ("events", "show", "export csv", "report", "status", "places"):
            self.assertNotIn(n, takes)
            r = run(*n.split(), "--dry-run")
            self.assertEqual(r.returncode, 2, n)
            self.assertIn("--dry-run", r.stderr)
        for n in self.names:
            self.assertEqual("--dry-run" in self.help[n][0], n in takes, n)
        # not a global option in the man page
        glob = self.man_text.split("# GLOBAL OPTIONS")[1].split("\n# ")[0]
        self.assertNotIn("--dry-run", glob)

    def test_no_option_listed_twice(self):
        for n in self.names:
            _, listed, _ = self.help[n]
            self.assertEqual(len(listed), len(set(listed)), "%s: %s" % (n, listed))
        self.assertEqual(self.help["report"][2].count("  --json"), 1)

    def test_group_help_and_daemon_help(self):
        for group, sub in (("export", "export csv"), ("import", "import csv"),
                           ("event", "event add"), ("meeting", "meeting call")):
            r = run(group, "--help")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("hiroba " + sub, r.stdout)
        r = subprocess.run([hb.HIROBAD, "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: hirobad", r.stdout)

    def test_enumerations_shown_in_both_spellings(self):
        text = self.help["event add"][2]
        self.assertIn("father (父親向け)", text)
        self.assertIn("all_families (どなたでも)", text)


if __name__ == "__main__":
    unittest.main()
