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

#define MAX_TAGS	32

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

static bool
tag_ok(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq != NULL && eq != s && eq[1] != '\0';
}

struct place_opts {
	const char	*file, *id, *name, *lat, *lon, *address, *description, *hours, *name_en;
	const char	*notes;
	const char	*tags[MAX_TAGS];
	int		 ntags, given;
	int32_t		 lat_e7, lon_e7;
};

enum { O_NAME = 256, O_LAT, O_LON, O_TAG, O_ADDR, O_DESC, O_HOURS, O_NAME_EN, O_NOTES,
	O_ID };

static int
place_parse(struct cli *cli, int argc, char **argv, struct place_opts *o)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "lat", required_argument, NULL, O_LAT },
		{ "lon", required_argument, NULL, O_LON },
		{ "tag", required_argument, NULL, O_TAG },
		{ "address", required_argument, NULL, O_ADDR },
		{ "description", required_argument, NULL, O_DESC },
		{ "hours", required_argument, NULL, O_HOURS },
		{ "name-en", required_argument, NULL, O_NAME_EN },
		{ "notes", required_argument, NULL, O_NOTES },
		{ "id", required_argument, NULL, O_ID },
		{ "file", required_argument, NULL, 'f' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		if (c >= O_NAME && c != O_ID)
			o->given++;
		switch (c) {
		case 'f': o->file = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_NAME: o->name = optarg; break;
		case O_ADDR: o->address = optarg; break;
		case O_DESC: o->description = optarg; break;
		case O_HOURS: o->hours = optarg; break;
		case O_NAME_EN: o->name_en = optarg; break;
		case O_NOTES: o->notes = optarg; break;
		case O_LAT:
			if (place_degrees(optarg, 90, &o->lat_e7) != 0)
				return cli_usage(cli, "--lat: decimal degrees, -90..90, not '%s'",
				    optarg);
			o->lat = optarg;
			break;
		case O_LON:
			if (place_degrees(optarg, 180, &o->lon_e7) != 0)
				return cli_usage(cli, "--lon: decimal degrees, -180..180, not '%s'",
				    optarg);
			o->lon = optarg;
			break;
		case O_TAG:
			if (!tag_ok(optarg))
				return cli_usage(cli, "--tag: KEY=VALUE such as stroller=yes, not "
				    "'%s'", optarg);
			if (o->ntags == MAX_TAGS)
				return cli_usage(cli, "too many --tag");
			o->tags[o->ntags++] = optarg;
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if ((o->lat == NULL) != (o->lon == NULL))
		return cli_usage(cli, "--lat and --lon go together");
	return -1;
}

static int
place_apply(json_t *draft, const struct place_opts *o)
{
	json_t *p = draft_payload(draft, "place"), *tags;
	const char *eq;
	int i;

	if (o->name != NULL)
		json_object_set_new(p, "name", json_string(o->name));
	if (o->lat != NULL)
		json_object_set_new(p, "point", json_pack("{s:i, s:i}", "lat_e7",
		    (int)o->lat_e7, "lon_e7", (int)o->lon_e7));
	if (o->address != NULL)
		json_object_set_new(p, "address", json_string(o->address));
	if (o->description != NULL)
		json_object_set_new(p, "description", json_string(o->description));
	if (o->hours != NULL)
		json_object_set_new(p, "opening_hours", json_string(o->hours));
	if (o->notes != NULL)
		json_object_set_new(p, "notes", json_string(o->notes));
	if (o->name_en != NULL)
		translation_set(p, "en", "title", o->name_en);
	if (o->ntags > 0) {
		tags = json_array();
		for (i = 0; i < o->ntags; i++) {
			eq = strchr(o->tags[i], '=');
			json_array_append_new(tags, json_pack("{s:s%, s:s}", "key", o->tags[i],
			    (size_t)(eq - o->tags[i]), "value", eq + 1));
		}
		json_object_set_new(p, "tags", tags);
	}
	return 0;
}

int
cmd_place_add(struct cli *cli, int argc, char **argv)
{
	struct place_opts o;
	json_t *draft = NULL;
	int rc;

	if ((rc = place_parse(cli, argc, argv, &o)) >= 0)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (o.file == NULL) {
		if (o.name == NULL)
			return cli_usage(cli, "--name is required");
		if (o.lat == NULL)
			return cli_usage(cli, "--lat and --lon are required");
		draft = json_object();
	} else if ((rc = draft_read(cli, o.file, &draft)) != 0)
		return rc;
	place_apply(draft, &o);
	if ((rc = draft_set_id(draft, o.id, "place", 0)) != 0)
		goto out;
	rc = draft_publish(cli, draft, NULL);
out:
	json_decref(draft);
	return rc;
}

int
cmd_place_edit(struct cli *cli, int argc, char **argv)
{
	struct place_opts o;
	json_t *draft = NULL, *file = NULL;
	char *id = NULL;
	int rc;

	if ((rc = place_parse(cli, argc, argv, &o)) >= 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(cli, argc == optind ? "which place? (its ID)" :
		    "one place at a time");
	if (o.id != NULL)
		return cli_usage(cli, "a record's id cannot change");
	if (o.given == 0 && o.file == NULL)
		return cli_usage(cli, "nothing to change: give options or -f FILE");
	if (o.file != NULL && (rc = draft_read(cli, o.file, &file)) != 0)
		return rc;
	if ((rc = draft_get_own(cli, argv[optind], HB_PLACE, &draft, &id)) != 0)
		goto out;
	if (file != NULL) {
		json_decref(draft);
		draft = file;
		file = NULL;
	}
	place_apply(draft, &o);
	rc = draft_publish(cli, draft, id);
out:
	json_decref(file);
	json_decref(draft);
	free(id);
	return rc;
}

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
		{ "tag", required_argument, NULL, 'T' },
		{ "text", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'l' },
		{ "mine", no_argument, NULL, 'm' },	/* japanese: ref.c */
		TABLE_WIDE_OPT,				/* japanese: table.c */
		CLI_COMMON_OPTS,
		CLI_READ_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	Hiroba__Wire__Query q = HIROBA__WIRE__QUERY__INIT;
	char *terms[MAX_TAGS], *comma, near[64], dist[32], tags[512];
	char ref[REF_BUFLEN];			/* japanese: ref.c */
	bool mine = false;
	const char *group = NULL, *radius = NULL;
	uint8_t author[HB_KEY_LEN];
	struct table *t = NULL;
	struct row *rows = NULL;
	struct qres res;
	int32_t lat, lon;
	long long limit = -1;
	size_t i, k, nrows = 0, off, ti;
	json_t *p, *j, *tag;
	int c, rc;

	q.has_kind = 1;
	q.kind = HB_PLACE;
	q.terms = terms;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			snprintf(near, sizeof(near), "%s", optarg);
			if ((comma = strchr(near, ',')) == NULL)
				return cli_usage(cli, "--near LAT,LON, not '%s'", optarg);
			*comma = '\0';
			if (place_degrees(near, 90, &q.lat_e7) != 0 ||
			    place_degrees(comma + 1, 180, &q.lon_e7) != 0)
				return cli_usage(cli, "--near LAT,LON in decimal degrees, not '%s'",
				    optarg);
			q.has_lat_e7 = q.has_lon_e7 = 1;
			break;
		case 'r':
			if (place_distance(optarg, &q.radius_m) != 0)
				return cli_usage(cli, "--radius: a distance such as 500m or 1.5km, "
				    "not '%s'", optarg);
			radius = optarg;
			break;
		case 'T':
			if (!tag_ok(optarg))
				return cli_usage(cli, "--tag: KEY=VALUE such as stroller=yes, not "
				    "'%s'", optarg);
			if (q.n_terms == MAX_TAGS)
				return cli_usage(cli, "too many --tag");
			if ((terms[q.n_terms] = cli_strf("tag=%s", optarg)) == NULL)
				return cli_error(HB_EXIT_FAIL, "out of memory");
			q.n_terms++;
			break;
		case 't':
			q.text = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'l':
			if ((limit = cli_number(optarg, UINT32_MAX)) < 1)
				return cli_usage(cli, "--limit: a positive number");
			break;
		case 'm':			/* japanese: ref.c */
			mine = true;
			break;
		case TABLE_OPT_WIDE:		/* japanese: table.c */
			table_set_wide(true);
			break;
		default:
			if ((rc = cli_common_opt(cli, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cli_listing_args(cli, argc, argv)) != 0)
		goto out;
	if (mine && (group != NULL || (rc = ref_mine(cli, &q)) != 0)) {	/* japanese */
		if (group != NULL)
			rc = cli_usage(cli, "--mine or --group, not both");
		goto out;
	}
	rc = HB_EXIT_USAGE;
	if (radius != NULL && !q.has_lat_e7) {
		cli_usage(cli, "--radius needs --near LAT,LON");
		goto out;
	}
	if (q.has_lat_e7) {
		q.has_radius_m = 1;
		if (radius == NULL)
			q.radius_m = 1000;
	}
	if (limit > 0) {
		q.has_limit = 1;
		q.limit = (uint32_t)limit;
	}
	if (group != NULL) {
		if ((rc = ctl_group_parse(cli, group, author)) != 0)
			goto out;
		q.has_author = 1;
		q.author.data = author;
		q.author.len = HB_KEY_LEN;
	}
	if ((rc = ctl_query_open(cli, &q, &res)) != 0)
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
		if (q.has_lat_e7 && proto_record_point(res.recs[i], &lat, &lon) == 0)
			rows[nrows].dist = metres(q.lat_e7, q.lon_e7, lat, lon);
		nrows++;
	}
	if (q.has_lat_e7)	/* nearest first */
		qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (!cli->json) {
		t = table_new(cli);
		table_col(t, "参照", TABLE_KEEP);	/* japanese: ref.c */
		table_col(t, "名前", TABLE_TRUNC);
		table_col(t, "タグ", TABLE_TRUNC | TABLE_LOW);
		table_col(t, "住所", TABLE_TRUNC | TABLE_LOW);
		if (q.has_lat_e7)
			table_col(t, "距離", TABLE_RIGHT);
		table_col(t, "グループ", TABLE_TRUNC);
	}
	for (k = 0; k < nrows; k++) {
		i = rows[k].i;
		ref_record(cli, res.recs[i], ref, sizeof(ref));	/* japanese: ref.c */
		if (cli->json) {
			if ((j = json_deep_copy(res.json[i])) != NULL)
				json_object_set_new(j, "ref_short", json_string(ref));
			if (j != NULL && q.has_lat_e7)
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
			    0, "%s%s=%s", off ? " " : "", jstr(tag, "key"), jstr(tag, "value"));
			if (off >= sizeof(tags))
				break;
		}
		if (rows[k].dist >= 1000)
			snprintf(dist, sizeof(dist), "%.1fkm", rows[k].dist / 1000);
		else
			snprintf(dist, sizeof(dist), "%.0fm", rows[k].dist);
		if (q.has_lat_e7)
			table_row(t, NULL, ref, text_lang(cli, p, "title", "name"), tags,
			    jstr(p, "address"), dist,
			    jstr(res.json[i], "group"));
		else
			table_row(t, NULL, ref, text_lang(cli, p, "title", "name"), tags,
			    jstr(p, "address"), jstr(res.json[i], "group"));
	}
	rc = t != NULL ? table_print(&t) : 0;
	qres_free(&res);
out:
	for (i = 0; i < q.n_terms; i++)
		free(terms[i]);
	free(rows);
	return rc;
}
