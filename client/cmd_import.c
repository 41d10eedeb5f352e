/*
 * hiroba import csv|json: many events or map entries in one request (being written).
 */
#include <getopt.h>

#include "hiroba.h"

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		if ((rc = cli_common_opt(cli, c, argv)) >= 0)
			return rc;
	return cli_error(HB_EXIT_FAIL, "import is not there yet");
}
