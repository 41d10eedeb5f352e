/* SPDX-License-Identifier: ISC */
/*
 * hiroba place add|edit|remove and hiroba places: the support map (parks, nursing rooms,
 * stroller access), with OpenStreetMap tags and points in 1e-7 degrees.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

/* A plain decimal number: [+-] digits [. digits], or [+-] . digits. strtod alone also
 * takes hex (0x23 read as 35), exponents, inf and nan, and leading spaces. */
static bool
plain_decimal(const char *s)
{
	bool	 digits = false;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits = true;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits = true;
	return digits && (*s == '\0' || *s == 'k' || *s == 'm');
}

int
place_degrees(const char *s, double limit, int32_t *e7)
{
	char *end;
	double v;

	if (!plain_decimal(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || fabs(v) > limit)
		return -1;
	*e7 = (int32_t)llround(v * 1e7);
	return 0;
}

int
place_distance(const char *s, uint32_t *m)
{
	char *end;
	double v;

	if (!plain_decimal(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "km") == 0)
		v *= 1000;
	else if (*end != '\0' && strcmp(end, "m") != 0)
		return -1;
	if (v > 20000000)
		return -1;
	*m = (uint32_t)llround(v);
	return 0;
}

/* Great-circle distance in metres (haversine; plenty for a ward). */
static double
metres(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
	double p1 = lat1 * 1e-7 * M_PI / 180, p2 = lat2 * 1e-7 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * 1e-7 * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 6371008.8 * 2 * atan2(sqrt(a), sqrt(1 - a));
}

/* ---- place add / edit: the table's fields; --lat and --lon make one point ---- */

static int
place_check(struct cli *cli, const struct form_opts *o)
{
	if ((form_get(o, "point.lat") == NULL) != (form_get(o, "point.lon") == NULL))
		return cli_usage(cli, "--lat and --lon go together");
	return 0;
}

static int
place_apply(struct cli *cli, json_t *draft, const struct form_opts *o)
{
	const char *lat = form_get(o, "point.lat"), *lon = form_get(o, "point.lon");
	int32_t lat_e7, lon_e7;

	(void)cli;
	if (lat != NULL && lon != NULL && place_degrees(lat, 90, &lat_e7) == 0 &&
	    place_degrees(lon, 180, &lon_e7) == 0)	/* checked by form_parse */
		json_object_set_new(draft_payload(draft, "place"), "point", json_pack(
		    "{s:i, s:i}", "lat_e7", (int)lat_e7, "lon_e7", (int)lon_e7));
	return 0;
}

const struct form place_form = { HB_PLACE, false, place_check, place_apply, NULL };

int
cmd_place_remove(struct cli *cli, int argc, char **argv)
{
	/* A tombstone like any other record's; delete checks that it is ours. */
	return cmd_delete(cli, argc, argv);
}

struct row {
	size_t	i;
	double	dist;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return (x->dist > y->dist) - (x->dist < y->dist);
}

int
cmd_places(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "near", required_argument, NULL, 'n' },
		{ "radius", required_argument, NULL, 'r' },
		{ "tag", required_argument, NULL, 'G' },
		QB_LIMIT_OPT, QB_LIST_OPTS, QB_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct qb b;
	Hiroba__Wire__Query *q = &b.q;
	char *eq, dist[32], tags[512], ref[REF_BUFLEN];
	struct table *t = NULL;
	struct row *rows = NULL;
	struct qres res;
	int32_t lat, lon;
	size_t i, k, nrows = 0, off, ti;
	json_t *p, *j, *tag;
	int c, rc;

	qb_init(&b, HB_PLACE);
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = HB_EXIT_USAGE;
		switch (c) {
		case 'n':
			if ((rc = qb_near(cli, &b, optarg)) != 0)
				goto out;
			break;
		case 'r':
			if ((rc = qb_radius(cli, &b, optarg)) != 0)
				goto out;
			break;
		case 'G':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg || !eq[1]) {
				cli_usage(cli, "--tag: KEY=VALUE such as stroller=yes, not '%s'",
				    optarg);
				goto out;
			}
			if ((rc = qb_term(cli, &b, "tag", optarg)) != 0)
				goto out;
			break;
		default:
			if ((rc = qb_opt(cli, &b, c, argv)) >= 0)
				goto out;
		}
	}
	if ((rc = qb_done(cli, &b, argc, argv)) != 0 ||
	    (rc = hc_query_open(cli, q, &res)) != 0)
		goto out;
	if ((rows = calloc(res.n + 1, sizeof(*rows))) == NULL) {
		qres_free(&res);
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < res.n; i++) {
		if (res.json[i] == NULL || proto_record_kind(res.recs[i]) != HB_PLACE)
			continue;
		rows[nrows].i = i;
		rows[nrows].dist = 0;
		if (q->has_lat_e7 && proto_record_point(res.recs[i], &lat, &lon) == 0)
			rows[nrows].dist = metres(q->lat_e7, q->lon_e7, lat, lon);
		nrows++;
	}
	if (q->has_lat_e7)	/* nearest first */
		qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);
		table_col(t, "名前", TABLE_TRUNC);
		table_col(t, "タグ", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "住所", TABLE_TRUNC | TABLE_LOW);
		if (q->has_lat_e7)
			table_col(t, "距離", TABLE_RIGHT);
		table_col(t, "グループ", TABLE_TRUNC);
	}
	for (k = 0; k < nrows; k++) {
		i = rows[k].i;
		ref_record(cli, res.recs[i], ref, sizeof(ref));
		if (cli->json) {
			if ((j = json_deep_copy(res.json[i])) != NULL)
				json_object_set_new(j, "ref_short", json_string(ref));
			if (j != NULL && q->has_lat_e7)
				json_object_set_new(j, "distance_m",
				    json_integer((json_int_t)llround(rows[k].dist)));
			json_line(j);
			continue;
		}
		p = json_object_get(res.json[i], "place");
		off = 0;
		tags[0] = '\0';
		json_array_foreach(json_object_get(p, "tags"), ti, tag) {
			off += (size_t)snprintf(tags + off, off < sizeof(tags) ? sizeof(tags) - off :
			    0, "%s%s=%s", off ? " " : "", hc_jstr(tag, "key"), hc_jstr(tag, "value"));
			if (off >= sizeof(tags))
				break;
		}
		if (rows[k].dist >= 1000)
			snprintf(dist, sizeof(dist), "%.1fkm", rows[k].dist / 1000);
		else
			snprintf(dist, sizeof(dist), "%.0fm", rows[k].dist);
		if (q->has_lat_e7)
			table_row(t, NULL, ref, text_lang(cli, p, "title", "name"), tags,
			    hc_jstr(p, "address"), dist,
			    hc_jstr(res.json[i], "group"));
		else
			table_row(t, NULL, ref, text_lang(cli, p, "title", "name"), tags,
			    hc_jstr(p, "address"), hc_jstr(res.json[i], "group"));
	}
	rc = t != NULL ? table_print(&t) : 0;
	qres_free(&res);
out:
	qb_free(&b);
	free(rows);
	return rc;
}
