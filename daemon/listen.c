/* SPDX-License-Identifier: ISC */
/*
 * listen: what happens to connections at our door before ZAP or a message could say
 * so: clients without CURVE, clients expecting another server key, silent TCP
 * connections, links dropped for an oversized message. libzmq reports these only as
 * socket events on the ROUTER; this turns them into log lines naming the client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <zmq.h>

#include "hirobad.h"
#include "log.h"

#define LISTEN_MONITOR	"inproc://hiroba-listen"
#define LISTEN_MAX	1024	/* connections we keep an address for */

struct listen_conn {
	int		 fd;
	bool		 handshaken;
	bool		 reported;
	char		 addr[INET6_ADDRSTRLEN + 8];
};

int
listen_open(struct node *n)
{
	int	 zero = 0;

	if (zmq_socket_monitor(n->router, LISTEN_MONITOR, ZMQ_EVENT_ACCEPTED |
	    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_DISCONNECTED) != 0 ||
	    (n->listen_mon = zmq_socket(n->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(n->listen_mon, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_connect(n->listen_mon, LISTEN_MONITOR) != 0) {
		log_warnx("listener events: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	if ((n->conns = calloc(LISTEN_MAX, sizeof(*n->conns))) == NULL)
		return -1;
	return 0;
}

void
listen_close(struct node *n)
{
	if (n->listen_mon != NULL) {
		zmq_socket_monitor(n->router, NULL, 0);
		zmq_close(n->listen_mon);
		n->listen_mon = NULL;
	}
	free(n->conns);
	n->conns = NULL;
	n->nconns = 0;
}

static void
peer_addr(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t	 sl = sizeof(ss);
	char		 ip[INET6_ADDRSTRLEN] = "?";
	int		 port = 0;

	/* A client refused at once may be gone before we see its event. */
	snprintf(out, len, "a client that left at once");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
			port = ntohs(s4->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
			port = ntohs(s6->sin6_port);
		}
		snprintf(out, len, "%s:%d", ip, port);
	}
}

/*
 * Handshake events carry no file descriptor: they are charged to the oldest connection
 * still in its handshake. Connections finish their handshakes in about the order they
 * came in, and this only chooses which address a log line names.
 */
static struct listen_conn *
pending(struct node *n)
{
	size_t	 i;

	for (i = 0; i < n->nconns; i++)
		if (!n->conns[i].handshaken && !n->conns[i].reported)
			return &n->conns[i];
	return NULL;
}

static const char *
protocol_reason(uint32_t code)
{
	switch (code) {
	case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
		return "it does not speak CURVE (a NULL or PLAIN client)";
	case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
	case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
	case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO:
		return "its CURVE hello does not decrypt (it expects another server key)";
	default:
		return "ZMTP protocol error";
	}
}

static void
event(struct node *n, uint16_t ev, uint32_t value)
{
	struct listen_conn *c;
	size_t		 i;

	switch (ev) {
	case ZMQ_EVENT_ACCEPTED:
		if (n->nconns == LISTEN_MAX)	/* forget the oldest */
			memmove(n->conns, n->conns + 1, --n->nconns * sizeof(*n->conns));
		c = &n->conns[n->nconns++];
		memset(c, 0, sizeof(*c));
		c->fd = (int)value;
		peer_addr(c->fd, c->addr, sizeof(c->addr));
		log_debug("connection from %s", c->addr);
		break;
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		if ((c = pending(n)) != NULL)
			c->handshaken = true;
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:	/* zap.c has said who and why */
		if ((c = pending(n)) != NULL)
			c->reported = true;
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		c = pending(n);
		log_warnx("refused a connection from %s: %s (0x%x)", c ? c->addr : "?",
		    protocol_reason(value), value);
		if (c != NULL)
			c->reported = true;
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		c = pending(n);
		log_warnx("refused a connection from %s: handshake failed: %s",
		    c ? c->addr : "?", zmq_strerror((int)value));
		if (c != NULL)
			c->reported = true;
		break;
	case ZMQ_EVENT_DISCONNECTED:
		peer_inbound_closed(n, (int)value);
		for (i = 0; i < n->nconns && n->conns[i].fd != (int)value; i++)
			;
		if (i == n->nconns)
			break;
		c = &n->conns[i];
		if (c->handshaken)
			log_info("connection from %s closed (the peer left, missed its "
			    "heartbeats, or sent a message over max_message)", c->addr);
		else if (!c->reported)
			log_warnx("dropped a connection from %s: no handshake within %u ms "
			    "(not a hiroba daemon?)", c->addr, n->conf->handshake_ms);
		memmove(c, c + 1, (n->nconns - i - 1) * sizeof(*c));
		n->nconns--;
		break;
	}
}

void
listen_dispatch(struct node *n)
{
	zmq_msg_t	 ev, addr;
	uint16_t	 code;
	uint32_t	 value;

	for (;;) {
		zmq_msg_init(&ev);
		if (zmq_msg_recv(&ev, n->listen_mon, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&ev);
			return;
		}
		zmq_msg_init(&addr);
		if (zmq_msg_more(&ev))
			zmq_msg_recv(&addr, n->listen_mon, 0);
		if (zmq_msg_size(&ev) >= 6) {
			memcpy(&code, zmq_msg_data(&ev), sizeof(code));
			memcpy(&value, (uint8_t *)zmq_msg_data(&ev) + 2, sizeof(value));
			event(n, code, value);
		}
		zmq_msg_close(&ev);
		zmq_msg_close(&addr);
	}
}
