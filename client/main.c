/* SPDX-License-Identifier: ISC */
/*
 * hiroba's main(): the whole program is the hb_client library (hiroba.c and the cmd_*.c
 * files), so that tests/check_client.c can call it piece by piece.
 */
#include "hiroba.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
