/* SPDX-License-Identifier: ISC */
/*
 * peer: the other daemons. Outgoing CURVE connections to configured peers, incoming
 * ones identified by the ZAP-authenticated key, rate limits, bans, and the dispatch of
 * each PeerMsg to sync.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "hirobad.h"
#include "log.h"
#include "wire.pb-c.h"

struct peer *
peer_find(struct node *n, const uint8_t key[HB_KEY_LEN])
{
	struct peer	*p;

	for (p = n->peers; p != NULL; p = p->next)
		if (memcmp(p->key, key, HB_KEY_LEN) == 0)
			return p;
	return NULL;
}

struct peer *
peer_get(struct node *n, const uint8_t key[HB_KEY_LEN])
{
	struct peer	*p;

	if ((p = peer_find(n, key)) != NULL)
		return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	memcpy(p->key, key, HB_KEY_LEN);
	proto_fingerprint(key, p->fpr);
	if ((p->name = strdup(p->fpr)) == NULL) {
		free(p);
		return NULL;
	}
	p->tokens = n->conf->rate;
	p->tokens_at = node_now_ms();
	p->in_fd = -1;
	p->next = n->peers;
	n->peers = p;
	return p;
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->endpoint);
	free(p->theirs);
	free(p->cursor);
	free(p->want);
	free(p->ask);
	free(p->heard);
	free(p);
}

uint64_t
peer_behind(struct node *n, const struct peer *p)
{
	struct store_author a;
	uint64_t	 sum = 0;
	size_t		 i;

	for (i = 0; i < p->ntheirs; i++) {
		if (store_author_get(n->st, p->theirs[i].author, &a) != 0)
			a.complete = 0;
		if (p->theirs[i].complete > a.complete)
			sum += p->theirs[i].complete - a.complete;
	}
	return sum;
}

bool
peer_up(const struct peer *p)
{
	return p->out_up || p->routelen > 0;
}

int
peer_connect(struct node *n, struct peer *p)
{
	const struct conf *c = n->conf;
	uint8_t		 spk[32], cpk[32], csk[32];
	char		 mon[64];
	int		 zero = 0, one = 1, hb = 5000, hbt = 15000;
	int		 rivl = 500, rmax = 30000;
	int		 hwm = (int)c->hwm, hs = (int)c->handshake_ms;
	int64_t		 maxmsg = (int64_t)c->max_message;
	int		 rc = -1;

	if (p->dealer != NULL || p->endpoint == NULL)
		return 0;
	if (proto_curve_pk(p->key, spk) != 0 || proto_curve_pk(n->id.pk, cpk) != 0 ||
	    proto_curve_sk(&n->id, csk) != 0) {
		log_warnx("peer %s: key cannot be used for CURVE", p->name);
		return -1;
	}
	if ((p->dealer = zmq_socket(n->zctx, ZMQ_DEALER)) == NULL)
		goto out;
	if (zmq_setsockopt(p->dealer, ZMQ_CURVE_SERVERKEY, spk, 32) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_CURVE_PUBLICKEY, cpk, 32) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_CURVE_SECRETKEY, csk, 32) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_RCVHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_HANDSHAKE_IVL, &hs, sizeof(hs)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_IMMEDIATE, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_RECONNECT_IVL, &rivl, sizeof(rivl)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_RECONNECT_IVL_MAX, &rmax, sizeof(rmax)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_HEARTBEAT_IVL, &hb, sizeof(hb)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof(hbt)) != 0 ||
	    zmq_setsockopt(p->dealer, ZMQ_LINGER, &zero, sizeof(zero)) != 0)
		goto out;
	/* Socket events tell us when the handshake succeeded (time to say hello and
	 * pull) and when the link dropped. */
	snprintf(mon, sizeof(mon), "inproc://monitor-%p", (void *)p);
	if (zmq_socket_monitor(p->dealer, mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
		goto out;
	if ((p->monitor = zmq_socket(n->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(p->monitor, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_connect(p->monitor, mon) != 0)
		goto out;
	if (zmq_connect(p->dealer, p->endpoint) != 0)
		goto out;
	log_debug("peer %s: connecting to %s", p->name, p->endpoint);
	rc = 0;
out:
	sodium_memzero(csk, sizeof(csk));
	if (rc != 0) {
		log_warnx("peer %s: cannot connect to %s: %s", p->name, p->endpoint,
		    zmq_strerror(zmq_errno()));
		peer_disconnect(n, p);
	}
	return rc;
}

void
peer_disconnect(struct node *n, struct peer *p)
{
	(void)n;
	if (p->dealer != NULL) {
		zmq_socket_monitor(p->dealer, NULL, 0);
		zmq_close(p->dealer);
		p->dealer = NULL;
	}
	if (p->monitor != NULL) {
		zmq_close(p->monitor);
		p->monitor = NULL;
	}
	p->out_up = false;
	/* an answer that went on this connection went with it: the peer will ask again
	 * over a new one, and must be answered (the model test saw a healed partition
	 * wait 30 s, until the answer expired) */
	if (p->answer_fd == -1)
		p->answer_token = 0;
	if (p->routelen == 0)
		p->round = 0;
}

static int
send_router(struct node *n, struct peer *p, const uint8_t *route, size_t routelen,
    const uint8_t *buf, size_t len)
{
	if (zmq_send(n->router, route, routelen, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1 ||
	    zmq_send(n->router, buf, len, ZMQ_DONTWAIT) == -1) {
		if (zmq_errno() == EHOSTUNREACH && route == p->route) {
			log_debug("peer %s: incoming link gone", p->name);
			p->routelen = 0;
		}
		return -1;
	}
	return 0;
}

int
peer_send(struct node *n, struct peer *p, const uint8_t *buf, size_t len)
{
	if (p->out_up && p->dealer != NULL) {
		if (zmq_send(p->dealer, buf, len, ZMQ_DONTWAIT) == -1) {
			log_debug("peer %s: send: %s", p->name, zmq_strerror(zmq_errno()));
			return -1;
		}
		return 0;
	}
	if (p->routelen > 0)
		return send_router(n, p, p->route, p->routelen, buf, len);
	return -1;
}

int
peer_reply(struct node *n, struct peer *p, const uint8_t *route, size_t routelen,
    const uint8_t *buf, size_t len)
{
	if (route == NULL) {
		if (p->dealer == NULL || zmq_send(p->dealer, buf, len, ZMQ_DONTWAIT) == -1)
			return -1;
		return 0;
	}
	return send_router(n, p, route, routelen, buf, len);
}

bool
peer_allowed(struct node *n, struct peer *p)
{
	int64_t		 t = node_now_ms();
	double		 cap = 2.0 * n->conf->rate;

	if (p->banned_until > node_now()) {
		p->dropped++;
		return false;
	}
	p->tokens += (double)(t - p->tokens_at) * n->conf->rate / 1000.0;
	p->tokens_at = t;
	if (p->tokens > cap)
		p->tokens = cap;
	if (p->tokens < 1.0) {
		if (p->dropped++ % 1000 == 0)
			log_warnx("peer %s: over its rate limit of %u messages/s: dropping",
			    p->name, n->conf->rate);
		return false;
	}
	p->tokens -= 1.0;
	return true;
}

void
peer_misbehaved(struct node *n, struct peer *p, bool garbage, const char *why)
{
	unsigned	 count = garbage ? ++p->garbage : ++p->forged;
	unsigned	 max = garbage ? PEER_GARBAGE_MAX : PEER_FORGED_MAX;

	p->blamed++;
	log_warnx("peer %s: %s", p->name, why);
	if (count >= max && n->conf->ban_seconds > 0) {
		p->banned_until = node_now() + n->conf->ban_seconds;
		p->garbage = p->forged = 0;
		p->round = 0;
		log_warnx("peer %s: %u %s in a minute: ignoring it for %u s", p->name, count,
		    garbage ? "malformed messages" : "refused records", n->conf->ban_seconds);
	}
}

void
peer_dispatch(struct node *n, struct peer *p, const uint8_t *buf, size_t len,
    const uint8_t *route, size_t routelen)
{
	Hiroba__Wire__PeerMsg	*m;

	p->last_contact = node_now();
	if (!peer_allowed(n, p))
		return;
	if ((m = hiroba__wire__peer_msg__unpack(NULL, len, buf)) == NULL) {
		peer_misbehaved(n, p, true, "sent a message that does not decode");
		return;
	}
	switch (m->m_case) {
	case HIROBA__WIRE__PEER_MSG__M_HELLO:
		if (m->hello->key.len != HB_KEY_LEN ||
		    memcmp(m->hello->key.data, p->key, HB_KEY_LEN) != 0)
			peer_misbehaved(n, p, true, "hello names another key");
		else if (m->hello->version != HB_WIRE_VERSION)
			log_warnx("peer %s: speaks protocol version %u, we speak %u", p->name,
			    m->hello->version, HB_WIRE_VERSION);
		else
			sync_hello(n, p, route, routelen);
		break;
	case HIROBA__WIRE__PEER_MSG__M_SYNC_REQ:
		sync_answer(n, p, m->sync_req, route, routelen);
		break;
	case HIROBA__WIRE__PEER_MSG__M_BATCH:
		sync_batch(n, p, m->batch);
		break;
	case HIROBA__WIRE__PEER_MSG__M_PUSH:
		sync_push_in(n, p, m->push);
		break;
	case HIROBA__WIRE__PEER_MSG__M_RQUERY:
		ctl_remote(n, p, m->rquery, route, routelen);
		break;
	case HIROBA__WIRE__PEER_MSG__M_RANSWER:
		peer_misbehaved(n, p, true, "sent an answer to a question we did not ask");
		break;
	default:
		peer_misbehaved(n, p, true, "sent an empty message");
		break;
	}
	hiroba__wire__peer_msg__free_unpacked(m, NULL);
}

/* One message from the ROUTER whose route frame is in `route`. Who sent it is the
 * User-Id our ZAP handler gave the connection, never anything the message says. */
static void
router_one(struct node *n, zmq_msg_t *route)
{
	zmq_msg_t	 msg, extra;
	const char	*uid;
	uint8_t		 key[HB_KEY_LEN];
	struct peer	*p;
	int		 more;

	zmq_msg_init(&msg);
	if (!zmq_msg_more(route) || zmq_msg_recv(&msg, n->router, 0) == -1)
		goto out;
	for (more = zmq_msg_more(&msg); more; more = zmq_msg_more(&extra)) {
		zmq_msg_init(&extra);	/* extra frames are not ours: drain them */
		zmq_msg_recv(&extra, n->router, 0);
		zmq_msg_close(&extra);
	}
	uid = zmq_msg_gets(&msg, "User-Id");
	if (uid == NULL || proto_key_parse(uid, key) != 0) {
		log_warnx("message without an authenticated sender: dropped");
		goto out;
	}
	if (!zap_admitted(n, key))	/* revoked since it connected */
		goto out;
	if ((p = peer_get(n, key)) == NULL)
		goto out;
	if (zmq_msg_size(route) <= PEER_ROUTE_MAX) {
		memcpy(p->route, zmq_msg_data(route), zmq_msg_size(route));
		p->routelen = zmq_msg_size(route);
		/* the connection's socket, so that its DISCONNECTED event (listen.c)
		 * can tell which peer left */
		p->in_fd = zmq_msg_get(&msg, ZMQ_SRCFD);
	}
	peer_dispatch(n, p, zmq_msg_data(&msg), zmq_msg_size(&msg), p->route, p->routelen);
out:
	zmq_msg_close(&msg);
}

/*
 * Messages taken from one socket in one turn of the main loop: at most 256, and no more
 * once PEER_TURN_MS have passed. A member's flood of large records costs tens of ms
 * each (their text index); 256 in a row kept the control socket waiting 5 s, and the
 * CLI gave up on a daemon that was only busy.
 */
#define PEER_TURN_MAX	256
#define PEER_TURN_MS	50

void
peer_router_recv(struct node *n)
{
	zmq_msg_t	 route;
	int64_t		 t0 = node_now_ms();
	int		 i;

	for (i = 0; i < PEER_TURN_MAX && node_now_ms() - t0 < PEER_TURN_MS; i++) {
		zmq_msg_init(&route);
		if (zmq_msg_recv(&route, n->router, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&route);
			break;
		}
		router_one(n, &route);
		zmq_msg_close(&route);
	}
}

void
peer_dealer_recv(struct node *n, struct peer *p)
{
	zmq_msg_t	 msg;
	int64_t		 t0 = node_now_ms();
	int		 i;

	for (i = 0; i < PEER_TURN_MAX && p->dealer != NULL &&
	    node_now_ms() - t0 < PEER_TURN_MS; i++) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, p->dealer, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&msg);
			break;
		}
		if (zmq_msg_more(&msg))
			peer_misbehaved(n, p, true, "sent a multi-part message");
		else
			peer_dispatch(n, p, zmq_msg_data(&msg), zmq_msg_size(&msg), NULL, 0);
		zmq_msg_close(&msg);
	}
}

void
peer_inbound_closed(struct node *n, int fd)
{
	struct peer	*p;

	for (p = n->peers; p != NULL; p = p->next) {
		if (p->routelen == 0 || p->in_fd != fd)
			continue;
		log_info("peer %s: its connection to us closed", p->name);
		p->routelen = 0;
		p->in_fd = -1;
		p->answer_token = 0;	/* whatever was unread went with the link */
		if (!p->out_up) {
			p->round = 0;
			p->in_round = false;
		}
	}
}

/* After a failed handshake libzmq drops the connection for good; peer_tick makes a
 * new one after 1, 2, 4 ... 60 seconds. */
static void
retry_later(struct peer *p)
{
	p->backoff = p->backoff == 0 ? 1 : p->backoff * 2 > 60 ? 60 : p->backoff * 2;
	p->reconnect_at = node_now() + p->backoff;
}

void
peer_monitor(struct node *n, struct peer *p)
{
	zmq_msg_t	 ev, addr;
	uint16_t	 event;

	for (;;) {
		zmq_msg_init(&ev);
		zmq_msg_init(&addr);
		if (zmq_msg_recv(&ev, p->monitor, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&ev);
			zmq_msg_close(&addr);
			return;
		}
		if (zmq_msg_more(&ev))
			zmq_msg_recv(&addr, p->monitor, 0);
		if (zmq_msg_size(&ev) < 6) {
			zmq_msg_close(&ev);
			zmq_msg_close(&addr);
			continue;
		}
		memcpy(&event, zmq_msg_data(&ev), sizeof(event));
		zmq_msg_close(&ev);
		zmq_msg_close(&addr);
		switch (event) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			log_info("peer %s: connected to %s", p->name, p->endpoint);
			p->out_up = true;
			if (p->answer_fd == -1)
				p->answer_token = 0;	/* a new connection: nothing unread */
			p->backoff = 0;
			p->reconnect_at = 0;
			p->last_contact = node_now();
			sync_hello(n, p, NULL, 0);
			break;
		case ZMQ_EVENT_DISCONNECTED:
			if (p->out_up)
				log_info("peer %s: disconnected", p->name);
			p->out_up = false;
			p->answer_token = 0;
			if (p->routelen == 0)
				p->round = 0;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			if (p->backoff == 0)
				log_warnx("peer %s refused our key: has the center admitted "
				    "us, and has %s received that admission yet? Trying "
				    "again.", p->name, p->name);
			retry_later(p);
			break;
		default:
			if (p->backoff == 0)
				log_warnx("peer %s: handshake with %s failed: is %s the right "
				    "key for it? Trying again.", p->name, p->endpoint, p->fpr);
			retry_later(p);
			break;
		}
	}
}

void
peer_tick(struct node *n, int64_t now)
{
	struct peer	*p;
	unsigned	 idle = 3 * n->conf->sync_interval + 30;

	for (p = n->peers; p != NULL; p = p->next) {
		if (zap_revoked(n, p->key)) {
			/* a grace of two seconds: the push that tells it (sync_announce)
			 * leaves first */
			if (p->revoked_seen == 0)
				p->revoked_seen = now;
			if ((p->dealer != NULL || p->routelen > 0) &&
			    now - p->revoked_seen >= 2) {
				log_warnx("peer %s: the center revoked its membership: "
				    "closing its links", p->name);
				p->routelen = 0;
				peer_disconnect(n, p);
			}
			continue;
		}
		p->revoked_seen = 0;
		if (p->configured && p->reconnect_at != 0 && now >= p->reconnect_at) {
			p->reconnect_at = 0;
			peer_disconnect(n, p);
		}
		if (p->configured && p->dealer == NULL)
			peer_connect(n, p);
		/* an incoming link that went quiet is gone */
		if (p->routelen > 0 && now - p->last_contact > (int64_t)idle)
			p->routelen = 0;
		if (now - p->counted_since >= 60) {	/* misbehaviour counts per minute */
			p->garbage = p->forged = 0;
			p->counted_since = now;
		}
		if (p->round != 0 && now - p->round_sent > SYNC_TIMEOUT) {
			log_warnx("peer %s: no answer to a sync request in %d s", p->name,
			    SYNC_TIMEOUT);
			p->round = 0;
			p->in_round = false;
			p->next_pull = now + n->conf->sync_interval;
		}
		if (peer_up(p) && p->round == 0 && now >= p->next_pull &&
		    p->banned_until <= now)
			sync_start(n, p);
	}
}
