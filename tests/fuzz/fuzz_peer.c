/* SPDX-License-Identifier: ISC */
/*
 * fuzz_peer: the daemon's handling of one PeerMsg from an admitted peer, without
 * sockets: the bytes go to peer_dispatch(), the daemon's own entry point for a message
 * from an admitted peer (decode, then the real sync.c / ctl.c handlers) of a node whose
 * store is a temporary LMDB store (in /dev/shm when it exists) rooted at the vectors'
 * center key, so the vectors' envelopes are stored, answered and announced for real.
 * The node has no sockets: every reply the handlers try to send fails quietly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "hirobad.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "wire.pb-c.h"

#define CENTER_HEX	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define MEMBER_HEX	"29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct node	*node;
static struct peer	*peer;
static char		 dir[256];

static void
cleanup(void)
{
	char	 cmd[300];

	if (node != NULL) {
		store_close(&node->st);
		conf_free(&node->conf);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "fuzz_peer: could not remove %s\n", dir);
}

static void
setup(void)
{
	char		 path[300], err[512];
	uint8_t		 key[HB_KEY_LEN], seed[32];
	struct store_opts so = { .verify_threads = 1 };
	struct conf	*c;
	FILE		*f;
	int		 i, rc;

	if (proto_init() != 0)
		abort();
	log_init(-1, "fuzz_peer");	/* a log line per input would be most of the time */
	snprintf(dir, sizeof(dir), "%s/hiroba-fuzz-peer-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/hirobad.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	/* small batches: answering a SyncReq stays cheap as the store grows */
	fprintf(f, "[node]\nname = fuzz\ndata = %s\ncenter = %s\nlisten = tcp://127.0.0.1:1\n"
	    "[limits]\nmax_batch = 16\n",
	    dir, CENTER_HEX);
	fclose(f);
	if (conf_load(path, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_peer: %s\n", err);
		abort();
	}
	if ((node = calloc(1, sizeof(*node))) == NULL)
		abort();
	node->conf = c;
	node->next_round = 1;
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i);	/* this node: neither vector key */
	crypto_sign_seed_keypair(node->id.pk, node->id.sk, seed);
	if ((rc = store_open(&node->st, dir, c->center, &so)) != 0) {
		fprintf(stderr, "fuzz_peer: store: %s\n", store_strerror(rc));
		abort();
	}
	zap_refresh(node);
	/* the peer: the vectors' member group (admitted by the membership vector) */
	if (proto_key_parse(MEMBER_HEX, key) != 0 || (peer = peer_get(node, key)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hiroba__Wire__PeerMsg	*m;
	static const uint8_t	 route[5] = { 0, 1, 2, 3, 4 };

	if (node == NULL)
		setup();
	if (size > node->conf->max_message)	/* ZMQ_MAXMSGSIZE stops it first */
		return 0;
	peer->banned_until = 0;
	peer->garbage = peer->forged = 0;
	peer->tokens = 1e9;		/* the rate limit is not what is fuzzed */
	/* a batch is taken only as the answer to our own pull: pretend we asked */
	if ((m = hiroba__wire__peer_msg__unpack(NULL, size, data)) != NULL &&
	    m->m_case == HIROBA__WIRE__PEER_MSG__M_BATCH)
		peer->round = m->batch->round;
	peer_dispatch(node, peer, data, size, route, sizeof(route));
	peer->round = 0;
	if (m != NULL)
		hiroba__wire__peer_msg__free_unpacked(m, NULL);
	return 0;
}
