/* SPDX-License-Identifier: ISC */
/*
 * remote: `--remote ENDPOINT --remote-key KEYHEX`, a read-only query to another group's
 * hirobad. We connect like a peer would (ZeroMQ DEALER, CURVE with this group's own key,
 * which the remote's ZAP handler admits only if the center admitted us) and send one
 * PeerMsg{rquery}; the answer is the same CtlResponse the local socket gives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "hiroba.h"

#define REMOTE_TIMEOUT_MS	10000
#define REMOTE_MSG_MAX		(256 * 1024 * 1024)

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
no_answer(struct cli *cli, const char *why)
{
	char fpr[HB_FPR_LEN];

	proto_fingerprint(cli->remote_key, fpr);
	return cli_error(HB_EXIT_DOWN, "no answer from %s%s%s: is it running, and has the "
	    "center admitted this group? (remote key %s)", cli->remote, why != NULL ? ": " : "",
	    why != NULL ? why : "", fpr);
}

/* The CURVE keys: the server's from --remote-key, ours from DATA/identity.key. */
static int
remote_keys(struct cli *cli, uint8_t server[32], uint8_t pub[32], uint8_t sec[32])
{
	struct hb_identity id;
	char *path = NULL;
	int rc;

	if ((rc = hc_dir(cli)) != 0)
		return rc;
	if ((path = cli_strf("%s/identity.key", cli->dir)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	rc = proto_identity_load(&id, path);
	if (rc != 0) {
		cli_error(HB_EXIT_FAIL, "cannot read this group's key %s: %s%s", path,
		    rc > 0 ? strerror(rc) : proto_strerror(rc), rc == EACCES ?
		    " (run hiroba as the daemon's user)" : "");
		rc = HB_EXIT_FAIL;
	} else if (proto_curve_pk(cli->remote_key, server) != 0 ||
	    proto_curve_pk(id.pk, pub) != 0 || proto_curve_sk(&id, sec) != 0)
		rc = cli_usage(cli, "--remote-key %s is not a usable group key",
		    cli->remote_key_hex);
	proto_identity_clear(&id);
	free(path);
	return rc;
}

/* Wait for our answer; the remote may also send sync traffic to this connection, which
 * is not ours to handle. 0 with *out set, or an exit code. */
static int
remote_wait(struct cli *cli, void *sock, uint64_t qid, int64_t deadline,
    Hiroba__Wire__CtlResponse **out)
{
	Hiroba__Wire__PeerMsg *m;
	zmq_pollitem_t pi = { .socket = sock, .events = ZMQ_POLLIN };
	int64_t left;
	zmq_msg_t msg;
	int n;

	while ((left = deadline - now_ms()) > 0) {
		if ((n = zmq_poll(&pi, 1, (long)left)) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			return no_answer(cli, zmq_strerror(zmq_errno()));
		}
		if (n == 0)
			break;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&msg);
			continue;
		}
		/* A DEALER sees the ROUTER's payload frame alone; drain anything else. */
		while (zmq_msg_more(&msg)) {
			zmq_msg_close(&msg);
			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, sock, 0) < 0)
				break;
		}
		m = hiroba__wire__peer_msg__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
		zmq_msg_close(&msg);
		if (m == NULL)
			continue;
		if (m->m_case == HIROBA__WIRE__PEER_MSG__M_RANSWER && m->ranswer->id == qid &&
		    m->ranswer->response != NULL) {
			*out = m->ranswer->response;
			m->ranswer->response = NULL;	/* handed over */
			hiroba__wire__peer_msg__free_unpacked(m, NULL);
			return 0;
		}
		hiroba__wire__peer_msg__free_unpacked(m, NULL);
	}
	return no_answer(cli, NULL);
}

int
remote_call(struct cli *cli, const Hiroba__Wire__CtlRequest *req,
    Hiroba__Wire__CtlResponse **resp)
{
	Hiroba__Wire__PeerMsg m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__RemoteQuery rq = HIROBA__WIRE__REMOTE_QUERY__INIT;
	uint8_t server[32], pub[32], sec[32], *buf = NULL;
	void *ctx = NULL, *sock = NULL;
	int64_t maxsize = REMOTE_MSG_MAX, deadline = now_ms() + REMOTE_TIMEOUT_MS;
	size_t len;
	int rc, opt;

	*resp = NULL;
	switch (req->r_case) {
	case HIROBA__WIRE__CTL_REQUEST__R_QUERY:
		rq.q_case = HIROBA__WIRE__REMOTE_QUERY__Q_QUERY;
		rq.query = req->query;
		break;
	case HIROBA__WIRE__CTL_REQUEST__R_GET:
		rq.q_case = HIROBA__WIRE__REMOTE_QUERY__Q_GET;
		rq.get = req->get;
		break;
	default:
		return cli_usage(cli, "only queries go to a --remote daemon");
	}
	if ((rc = remote_keys(cli, server, pub, sec)) != 0)
		return rc;
	if (getentropy(&rq.id, sizeof(rq.id)) != 0)
		rq.id = (uint64_t)now_ms() ^ (uint64_t)getpid();
	m.m_case = HIROBA__WIRE__PEER_MSG__M_RQUERY;
	m.rquery = &rq;
	len = hiroba__wire__peer_msg__get_packed_size(&m);
	if ((buf = malloc(len)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	hiroba__wire__peer_msg__pack(&m, buf);
	rc = HB_EXIT_DOWN;
	if ((ctx = zmq_ctx_new()) == NULL || (sock = zmq_socket(ctx, ZMQ_DEALER)) == NULL) {
		cli_error(rc, "zeromq: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	opt = 0;
	zmq_setsockopt(sock, ZMQ_LINGER, &opt, sizeof(opt));
	/* Queue the query only once CURVE's handshake is done, so a refused key shows as
	 * "no answer" rather than as a message sent into the void. */
	opt = 1;
	zmq_setsockopt(sock, ZMQ_IMMEDIATE, &opt, sizeof(opt));
	zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, 32) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, 32) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, 32) != 0) {
		cli_error(rc, "zeromq without CURVE: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	if (zmq_connect(sock, cli->remote) != 0) {
		rc = cli_usage(cli, "--remote %s: %s", cli->remote, zmq_strerror(zmq_errno()));
		goto out;
	}
	opt = REMOTE_TIMEOUT_MS;	/* the 10 s cover the handshake, the send and the answer */
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &opt, sizeof(opt));
	if (zmq_send(sock, buf, len, 0) < 0) {
		rc = no_answer(cli, zmq_errno() == EAGAIN ? NULL : zmq_strerror(zmq_errno()));
		goto out;
	}
	rc = remote_wait(cli, sock, rq.id, deadline, resp);
out:
	sodium_memzero(sec, sizeof(sec));
	if (sock != NULL)
		zmq_close(sock);
	if (ctx != NULL)
		zmq_ctx_term(ctx);
	free(buf);
	return rc;
}
