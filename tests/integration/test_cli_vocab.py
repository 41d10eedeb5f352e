# SPDX-License-Identifier: ISC
"""The CLI's one vocabulary and one table of record kinds, against a real hirobad:
categories, audiences and statuses by code or Japanese label (in records and in
listing filters), refusals that list both spellings, limits counted in characters,
`show` with labels, and the listings' filter command lines that once wrote past fixed
arrays (events --category A --category B --audience C; volunteers with 37 --open) and
the daemon's 8 query terms said by the CLI. Under the sanitizer build (HIROBA_SANITIZE)
an overflow would abort the CLI, not only print a wrong answer.

Run as a script; ctest sets HIROBA and HIROBAD to the binaries.
"""
import unittest

import hb

USAGE = 2


class Vocab(hb.FederationTest):
    def setUp(self):
        super().setUp()
        self.c = self.fed.add_center("瀬谷センター")

    def test_labels_in_and_out(self):
        c = self.c
        c.cli("event", "add", "--title", "パパと遊ぼう", "--start", "2030-12-07 10:00",
              "--category", "父親向け", "--audience", "父親,どなたでも", "--id", "event/papa")
        rec = c.show(c.key, "event/papa")
        self.assertEqual(rec["event"]["category"], "father")
        self.assertEqual(rec["event"]["audience"], ["fathers", "all_families"])
        c.cli("event", "add", "--title", "その他の集い", "--start", "2030-12-08 10:00",
              "--category", "その他", "--id", "event/other")
        # show prints labels, not enum names
        out = c.cli("show", "event/other").stdout
        self.assertIn("その他", out)
        self.assertNotIn("other_category", out)
        # a listing filters by label as well as by code
        span = ("--from", "2030-12-01", "--to", "2030-12-31")
        self.assertEqual([r["id"] for r in c.json("events", *span, "--category", "父親向け")],
                         ["event/papa"])
        self.assertEqual([r["id"] for r in c.json("events", *span, "--category", "other")],
                         ["event/other"])
        # refused: the message lists both spellings
        r = c.cli("event", "add", "--title", "x", "--start", "2030-12-07 10:00",
                  "--category", "パパ", check=False)
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("father (父親向け)", r.stderr)
        r = c.cli("events", "--audience", "dads", check=False)
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("fathers (父親)", r.stderr)
        # volunteer status by label
        c.cli("volunteer", "add", "--offered", "--title", "読み聞かせ", "--status", "受付中",
              "--id", "volunteer/read")
        self.assertEqual(c.show(c.key, "volunteer/read")["volunteer"]["status"], "open")

    def test_a_field_added_by_one_row(self):
        # --age-min/--age-max: one row each in proto/vocab.c, nothing else in the CLI
        r = self.c.cli("event", "add", "--dry-run", "--title", "ひよこ", "--start",
                       "2030-12-07 10:00", "--category", "親子のひろば", "--age-min", "6",
                       "--age-max", "36")
        ev = __import__("json").loads(r.stdout)["event"]
        self.assertEqual((ev["age_min_months"], ev["age_max_months"]), (6, 36))
        r = self.c.cli("event", "add", "--dry-run", "--title", "x", "--start",
                       "2030-12-07 10:00", "--category", "other", "--age-max", "241",
                       check=False)
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("0 to 240", r.stderr)
        self.assertIn("--age-max", self.c.cli("event", "add", "--help").stdout)

    def test_limits_in_characters(self):
        c = self.c
        r = c.cli("event", "add", "--title", "あ" * 201, "--start", "2030-12-07 10:00",
                  "--category", "father", check=False)
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("200 characters", r.stderr)
        self.assertIn("200文字", r.stderr)

    def test_filters_that_overflowed(self):
        c = self.c
        c.cli("event", "add", "--title", "ひろば", "--start", "2030-12-07 10:00",
              "--category", "play_space", "--audience", "grandparents", "--id", "event/h")
        c.cli("volunteer", "add", "--wanted", "--title", "見守り", "--id", "volunteer/w")
        span = ("--from", "2030-12-01", "--to", "2030-12-31")
        # was: three terms into char *terms[2]
        rows = c.json("events", *span, "--category", "father", "--category", "play_space",
                      "--audience", "grandparents")
        self.assertEqual(rows, [])      # terms are ANDed: no event is in two categories
        rows = c.json("events", *span, "--category", "play_space", "--audience", "祖父母")
        self.assertEqual([r["id"] for r in rows], ["event/h"])
        # was: 37 --open into char *terms[36]; repeats are one term
        rows = c.json("volunteers", *(["--open"] * 37))
        self.assertEqual([r["id"] for r in rows], ["volunteer/w"])
        # the daemon's limit of 8 terms, said by the CLI with the number
        r = c.cli("places", *sum((["--tag", "k%d=v" % i] for i in range(9)), []),
                  check=False)
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("at most 8 filters", r.stderr)
        self.assertEqual(c.json("places", *sum((["--tag", "k%d=v" % i] for i in range(8)),
                                               [])), [])


if __name__ == "__main__":
    unittest.main()
