/* SPDX-License-Identifier: ISC */
/*
 * query: the listings' query builder. Terms are added one option at a time into an
 * array that grows, so no command line can write past it; the daemon's limit on terms
 * (VOCAB_QUERY_TERMS) is said here, by name, instead of as a refusal from the daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

void
qb_init(struct qb *b, enum hb_kind kind)
{
	Hiroba__Wire__Query init = HIROBA__WIRE__QUERY__INIT;

	memset(b, 0, sizeof(*b));
	b->q = init;
	b->limit = -1;
	if (kind != HB_KIND_NONE) {
		b->q.has_kind = 1;
		b->q.kind = kind;
	}
}

void
qb_free(struct qb *b)
{
	size_t i;

	for (i = 0; i < b->q.n_terms; i++)
		free(b->terms[i]);
	free(b->terms);
	b->terms = NULL;
	b->q.terms = NULL;
	b->q.n_terms = b->cap = 0;
}

int
qb_term(struct cli *cli, struct qb *b, const char *name, const char *value)
{
	char *t, **grown;
	size_t i;

	if ((t = cli_strf("%s=%s", name, value)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	for (i = 0; i < b->q.n_terms; i++)	/* --open --open: one term */
		if (strcmp(b->terms[i], t) == 0) {
			free(t);
			return 0;
		}
	if (b->q.n_terms >= VOCAB_QUERY_TERMS) {
		free(t);
		return cli_usage(cli, "at most %d filters in one listing (--tag, --skill, "
		    "--area, --category, --audience, --open ... together)", VOCAB_QUERY_TERMS);
	}
	if (b->q.n_terms == b->cap) {
		if ((grown = reallocarray(b->terms, b->cap ? b->cap * 2 : 4,
		    sizeof(*grown))) == NULL) {
			free(t);
			return cli_error(HB_EXIT_FAIL, "out of memory");
		}
		b->terms = grown;
		b->cap = b->cap ? b->cap * 2 : 4;
	}
	b->terms[b->q.n_terms++] = t;
	b->q.terms = b->terms;
	return 0;
}

int
qb_enum(struct cli *cli, struct qb *b, const struct vocab *v, const char *opt,
    const char *name, const char *value)
{
	const struct vocab *f;
	char ok[512];

	if ((f = vocab_find_label(v, value)) == NULL)
		return cli_usage(cli, "--%s: unknown '%s'; one of: %s", opt, value,
		    vocab_accepted(v, ok, sizeof(ok)));
	return qb_term(cli, b, name, f->name);
}

int
cli_listing_opt(struct cli *cli, int c, char **argv, bool *mine)
{
	switch (c) {
	case 'm':
		*mine = true;
		return -1;
	case TABLE_OPT_WIDE:
		table_set_wide(true);
		return -1;
	default:
		return cli_common_opt(cli, c, argv);
	}
}

int
qb_opt(struct cli *cli, struct qb *b, int c, char **argv)
{
	int rc;

	switch (c) {
	case 'g':
		b->group = optarg;
		return -1;
	case 't':
		b->q.text = optarg;
		return -1;
	case 'l':
		if ((b->limit = cli_number(optarg, UINT32_MAX)) < 1)
			return cli_usage(cli, "--limit: a positive number, not '%s'", optarg);
		return -1;
	case 'F':
		if ((rc = opt_time(cli, "--from", optarg, false, &b->q.from)) != 0)
			return rc;
		b->have_from = true;
		return -1;
	case 'T':
		if ((rc = opt_time(cli, "--to", optarg, true, &b->q.to)) != 0)
			return rc;
		b->have_to = true;
		return -1;
	default:
		return cli_listing_opt(cli, c, argv, &b->mine);
	}
}

int
qb_near(struct cli *cli, struct qb *b, const char *s)
{
	char near[64], *comma;

	snprintf(near, sizeof(near), "%s", s);
	if ((comma = strchr(near, ',')) == NULL)
		return cli_usage(cli, "--near LAT,LON, not '%s'", s);
	*comma = '\0';
	if (place_degrees(near, 90, &b->q.lat_e7) != 0 ||
	    place_degrees(comma + 1, 180, &b->q.lon_e7) != 0)
		return cli_usage(cli, "--near LAT,LON in decimal degrees, not '%s'", s);
	b->q.has_lat_e7 = b->q.has_lon_e7 = 1;
	return 0;
}

int
qb_radius(struct cli *cli, struct qb *b, const char *s)
{
	if (place_distance(s, &b->q.radius_m) != 0)
		return cli_usage(cli, "--radius: a distance such as 500m or 1.5km, not '%s'", s);
	b->have_radius = true;
	return 0;
}

int
qb_done(struct cli *cli, struct qb *b, int argc, char **argv)
{
	int rc;

	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		return rc;
	if (b->have_radius && !b->q.has_lat_e7)
		return cli_usage(cli, "--radius needs --near LAT,LON");
	if (b->q.has_lat_e7) {
		b->q.has_radius_m = 1;
		if (!b->have_radius)
			b->q.radius_m = 1000;
	}
	if (b->limit > 0) {
		b->q.has_limit = 1;
		b->q.limit = (uint32_t)b->limit;
	}
	if (b->mine && b->group != NULL)
		return cli_usage(cli, "--mine or --group, not both");
	if (b->mine)
		return ref_mine(cli, &b->q);
	if (b->group == NULL)
		return 0;
	if ((rc = hc_group_parse(cli, b->group, b->author)) != 0)
		return rc;
	b->q.has_author = 1;
	b->q.author.data = b->author;
	b->q.author.len = HB_KEY_LEN;
	return 0;
}
