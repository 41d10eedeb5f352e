/* SPDX-License-Identifier: ISC */
/*
 * zap: who may connect. Our ZAP handler (RFC 27) admits a CURVE client only if its key
 * belongs to an admitted, non-revoked member in the store, and names it by its group
 * key (User-Id). A CURVE server with no ZAP handler would let anyone in, so the daemon
 * proves at start-up that this handler really refuses a stranger.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "hirobad.h"
#include "log.h"

#define ZAP_ENDPOINT	"inproc://zeromq.zap.01"

int
zap_open(struct node *n)
{
	int	 zero = 0;

	if ((n->zap = zmq_socket(n->zctx, ZMQ_REP)) == NULL ||
	    zmq_setsockopt(n->zap, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_bind(n->zap, ZAP_ENDPOINT) != 0) {
		log_warnx("ZAP handler: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	zap_refresh(n);
	return 0;
}

struct zap_build {
	uint8_t		(*curve)[32];
	uint8_t		(*ed)[HB_KEY_LEN];
	size_t		 n, cap;
	uint8_t		(*revoked)[HB_KEY_LEN];
	size_t		 nrevoked;
};

static int
zap_add(struct zap_build *b, const uint8_t key[HB_KEY_LEN])
{
	void	*nc, *ne;
	size_t	 i;

	for (i = 0; i < b->n; i++)
		if (memcmp(b->ed[i], key, HB_KEY_LEN) == 0)
			return 0;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		if ((nc = realloc(b->curve, b->cap * 32)) == NULL)
			return ENOMEM;
		b->curve = nc;
		if ((ne = realloc(b->ed, b->cap * HB_KEY_LEN)) == NULL)
			return ENOMEM;
		b->ed = ne;
	}
	if (proto_curve_pk(key, b->curve[b->n]) != 0)
		return 0;	/* cannot be a CURVE key: cannot connect */
	memcpy(b->ed[b->n], key, HB_KEY_LEN);
	b->n++;
	return 0;
}

static int
zap_member(const struct hb_member *m, void *arg)
{
	struct zap_build *b = arg;
	void		*nr;

	if (m->status == 1)
		return zap_add(b, m->key);
	/* revoked: refused at the door, and our links to it are closed */
	if ((nr = realloc(b->revoked, (b->nrevoked + 1) * HB_KEY_LEN)) == NULL)
		return ENOMEM;
	b->revoked = nr;
	memcpy(b->revoked[b->nrevoked++], m->key, HB_KEY_LEN);
	return 0;
}

/* Rebuild the table of admitted keys from the store's membership. */
void
zap_refresh(struct node *n)
{
	struct zap_build b = { 0 };

	n->zap_version = store_members_version(n->st);
	if (zap_add(&b, n->conf->center) != 0 ||
	    store_members(n->st, zap_member, &b) != 0) {
		log_warnx("membership table: out of memory; keeping the old one");
		free(b.curve);
		free(b.ed);
		free(b.revoked);
		return;
	}
	free(n->zap_curve);
	free(n->zap_ed);
	free(n->zap_revoked);
	n->zap_curve = b.curve;
	n->zap_ed = b.ed;
	n->nzap = b.n;
	n->zap_revoked = b.revoked;
	n->nrevoked = b.nrevoked;
	if (zap_revoked(n, n->id.pk) != n->self_revoked) {
		n->self_revoked = !n->self_revoked;
		if (n->self_revoked)
			log_warnx("the center revoked this group's membership: nothing more "
			    "is published, and the other groups no longer connect; ask the "
			    "center if this is a mistake");
		else
			log_info("the center admitted this group again");
	}
	log_debug("%zu groups may connect", n->nzap);
}

/* The table follows the store: an admission takes effect at the next handshake. */
static void
zap_current(struct node *n)
{
	if (store_members_version(n->st) != n->zap_version)
		zap_refresh(n);
}

const uint8_t *
zap_lookup(struct node *n, const uint8_t curve[32])
{
	size_t	 i;

	zap_current(n);
	for (i = 0; i < n->nzap; i++)
		if (sodium_memcmp(n->zap_curve[i], curve, 32) == 0)
			return n->zap_ed[i];
	return NULL;
}

/*
 * The group keys a refused CURVE key can come from, for the log. A group's CURVE key is
 * its Ed25519 key converted (crypto_sign_ed25519_pk_to_curve25519): u = (1 + y) / (1 - y)
 * on the curve's coordinates. Going back, y = (u - 1) / (u + 1), but the sign of x, the
 * top bit of an Ed25519 key, is lost, so there are two candidates and the log prints
 * both fingerprints: the one the group read out over the phone (`hiroba init`, `hiroba
 * status`) is among them. Field arithmetic mod 2^255 - 19 after TweetNaCl (public
 * domain), 16 limbs of 16 bits; the input is public, so time does not matter here.
 */
typedef int64_t fe[16];

static void
fe_carry(fe o)
{
	int64_t c;
	int i;

	for (i = 0; i < 16; i++) {
		o[i] += (int64_t)1 << 16;
		c = o[i] >> 16;
		o[(i + 1) * (i < 15)] += c - 1 + 37 * (c - 1) * (i == 15);
		o[i] -= c * 65536;
	}
}

static void
fe_mul(fe o, const fe a, const fe b)
{
	int64_t t[31] = { 0 };
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			t[i + j] += a[i] * b[j];
	for (i = 0; i < 15; i++)
		t[i] += 38 * t[i + 16];
	for (i = 0; i < 16; i++)
		o[i] = t[i];
	fe_carry(o);
	fe_carry(o);
}

static void
fe_pack(uint8_t out[32], const fe n)
{
	fe m, t;
	int i, j, b;
	int64_t x, c;

	memcpy(t, n, sizeof(t));
	fe_carry(t);
	fe_carry(t);
	fe_carry(t);
	for (j = 0; j < 2; j++) {
		m[0] = t[0] - 0xffed;
		for (i = 1; i < 15; i++) {
			m[i] = t[i] - 0xffff - ((m[i - 1] >> 16) & 1);
			m[i - 1] &= 0xffff;
		}
		m[15] = t[15] - 0x7fff - ((m[14] >> 16) & 1);
		b = (int)((m[15] >> 16) & 1);
		m[14] &= 0xffff;
		c = ~((int64_t)(1 - b) - 1);	/* select m when b == 0 */
		for (i = 0; i < 16; i++) {
			x = c & (t[i] ^ m[i]);
			t[i] ^= x;
		}
	}
	for (i = 0; i < 16; i++) {
		out[2 * i] = (uint8_t)(t[i] & 0xff);
		out[2 * i + 1] = (uint8_t)(t[i] >> 8);
	}
}

static void
curve_to_ed(const uint8_t u[32], uint8_t ed[2][HB_KEY_LEN])
{
	fe x, num, den, inv;
	int i, a;

	for (i = 0; i < 16; i++)
		x[i] = u[2 * i] + ((int64_t)u[2 * i + 1] << 8);
	x[15] &= 0x7fff;
	memcpy(num, x, sizeof(fe));
	memcpy(den, x, sizeof(fe));
	num[0] -= 1;
	den[0] += 1;
	/* den^(p-2) = 1/den */
	memcpy(inv, den, sizeof(fe));
	for (a = 253; a >= 0; a--) {
		fe_mul(inv, inv, inv);
		if (a != 2 && a != 4)
			fe_mul(inv, inv, den);
	}
	fe_mul(num, num, inv);
	fe_pack(ed[0], num);
	memcpy(ed[1], ed[0], HB_KEY_LEN);
	ed[1][31] |= 0x80;
}

bool
zap_admitted(struct node *n, const uint8_t key[HB_KEY_LEN])
{
	size_t	 i;

	zap_current(n);
	for (i = 0; i < n->nzap; i++)
		if (memcmp(n->zap_ed[i], key, HB_KEY_LEN) == 0)
			return true;
	return false;
}

bool
zap_revoked(struct node *n, const uint8_t key[HB_KEY_LEN])
{
	size_t	 i;

	zap_current(n);
	for (i = 0; i < n->nrevoked; i++)
		if (memcmp(n->zap_revoked[i], key, HB_KEY_LEN) == 0)
			return true;
	return false;
}

static void
zap_reply(struct node *n, zmq_msg_t *reqid, const char *code, const char *text,
    const char *user)
{
	zmq_send(n->zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(n->zap, zmq_msg_data(reqid), zmq_msg_size(reqid), ZMQ_SNDMORE);
	zmq_send(n->zap, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(n->zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(n->zap, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(n->zap, "", 0, 0);
}

/* One ZAP request: version, request id, domain, address, identity, mechanism,
 * credentials... (RFC 27). Always answered, or the REP socket would wedge. */
void
zap_dispatch(struct node *n)
{
	zmq_msg_t	 f[8];
	size_t		 nf = 0, i;
	int		 more = 1;
	const uint8_t	*key;
	struct peer	*p;
	char		 hex[HB_KEYHEX_LEN], fpr[HB_FPR_LEN], addr[64];

	while (more) {
		if (nf == 8) {	/* too many frames: read and forget the rest */
			zmq_msg_t junk;

			zmq_msg_init(&junk);
			zmq_msg_recv(&junk, n->zap, 0);
			more = zmq_msg_more(&junk);
			zmq_msg_close(&junk);
			continue;
		}
		zmq_msg_init(&f[nf]);
		if (zmq_msg_recv(&f[nf], n->zap, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&f[nf]);
			if (nf == 0)
				return;
			break;
		}
		more = zmq_msg_more(&f[nf]);
		nf++;
	}
	if (nf < 2) {
		for (i = 0; i < nf; i++)
			zmq_msg_close(&f[i]);
		return;
	}
	snprintf(addr, sizeof(addr), "%.*s", nf > 3 ? (int)zmq_msg_size(&f[3]) : 0,
	    nf > 3 ? (const char *)zmq_msg_data(&f[3]) : "");
	if (nf < 7 || zmq_msg_size(&f[0]) != 3 || memcmp(zmq_msg_data(&f[0]), "1.0", 3) ||
	    zmq_msg_size(&f[2]) != 6 || memcmp(zmq_msg_data(&f[2]), "hiroba", 6) ||
	    zmq_msg_size(&f[5]) != 5 || memcmp(zmq_msg_data(&f[5]), "CURVE", 5) ||
	    zmq_msg_size(&f[6]) != 32) {
		log_warnx("refused a connection from %s: not a CURVE client of ours", addr);
		zap_reply(n, &f[1], "400", "CURVE only", "");
		goto out;
	}
	if (n->probe_state == 1 && memcmp(zmq_msg_data(&f[6]), n->probe_curve, 32) == 0) {
		n->probe_state = 2;
		zap_reply(n, &f[1], "400", "unknown key", "");
		goto out;
	}
	if ((key = zap_lookup(n, zmq_msg_data(&f[6]))) == NULL) {
		/* a key we cannot name: the fingerprints it can come from (see above) */
		uint8_t ed[2][HB_KEY_LEN];
		char fpr2[HB_FPR_LEN];

		curve_to_ed(zmq_msg_data(&f[6]), ed);
		proto_fingerprint(ed[0], fpr);
		proto_fingerprint(ed[1], fpr2);
		log_warnx("refused a connection from %s: group fingerprint %s or %s is not an "
		    "admitted member", addr, fpr, fpr2);
		zap_reply(n, &f[1], "400", "not an admitted member", "");
		goto out;
	}
	if ((p = peer_find(n, key)) != NULL && p->banned_until > node_now()) {
		log_debug("refused a connection from %s: peer %s is banned for now", addr,
		    p->name);
		zap_reply(n, &f[1], "400", "banned for now", "");
		goto out;
	}
	proto_key_hex(key, hex);
	proto_fingerprint(key, fpr);
	log_debug("admitted a connection from %s: %s", addr, fpr);
	zap_reply(n, &f[1], "200", "OK", hex);
out:
	for (i = 0; i < nf; i++)
		zmq_msg_close(&f[i]);
}

/*
 * Connect to ourselves with a random key, answer the ZAP requests that arrive, and
 * insist that the stranger's handshake fails for lack of authorisation.
 */
int
zap_selftest(struct node *n)
{
	void		*probe = NULL, *mon = NULL;
	uint8_t		 spk[32], ppk[32], psk[32];
	char		 ep[512], *host, *port;
	int		 zero = 0, rc = -1, result = 0;
	zmq_pollitem_t	 items[2];
	zmq_msg_t	 ev;
	uint16_t	 event;
	struct timespec	 t0, t;
	long		 ms = 0;

	snprintf(ep, sizeof(ep), "%s", n->conf->listen[0]);
	host = ep + 6;
	if ((port = strrchr(host, ':')) == NULL)
		goto out;
	if (strncmp(host, "*:", 2) == 0 || strncmp(host, "0.0.0.0:", 8) == 0) {
		char	 portstr[16];

		snprintf(portstr, sizeof(portstr), "%s", port);
		snprintf(ep, sizeof(ep), "tcp://127.0.0.1%s", portstr);
	}
	crypto_box_keypair(ppk, psk);
	memcpy(n->probe_curve, ppk, 32);
	n->probe_state = 1;
	proto_curve_pk(n->id.pk, spk);
	if ((probe = zmq_socket(n->zctx, ZMQ_DEALER)) == NULL ||
	    zmq_setsockopt(probe, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_SERVERKEY, spk, 32) != 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_PUBLICKEY, ppk, 32) != 0 ||
	    zmq_setsockopt(probe, ZMQ_CURVE_SECRETKEY, psk, 32) != 0 ||
	    zmq_socket_monitor(probe, "inproc://zap-probe", ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (mon = zmq_socket(n->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_connect(mon, "inproc://zap-probe") != 0 ||
	    zmq_connect(probe, ep) != 0) {
		log_warnx("ZAP self-test: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (result == 0 && ms < 10000) {
		items[0] = (zmq_pollitem_t){ .socket = n->zap, .events = ZMQ_POLLIN };
		items[1] = (zmq_pollitem_t){ .socket = mon, .events = ZMQ_POLLIN };
		if (zmq_poll(items, 2, 100) == -1 && zmq_errno() != EINTR)
			break;
		if (items[0].revents & ZMQ_POLLIN)
			zap_dispatch(n);
		if (items[1].revents & ZMQ_POLLIN) {
			zmq_msg_init(&ev);
			if (zmq_msg_recv(&ev, mon, 0) >= 6) {
				memcpy(&event, zmq_msg_data(&ev), sizeof(event));
				result = event;
			}
			while (zmq_msg_more(&ev)) {
				zmq_msg_close(&ev);
				zmq_msg_init(&ev);
				zmq_msg_recv(&ev, mon, 0);
			}
			zmq_msg_close(&ev);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
	}
	if (result == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && n->probe_state == 2) {
		log_info("ZAP self-test: an unknown key is refused");
		rc = 0;
	} else if (result == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
		log_warnx("ZAP self-test FAILED: a random key was let in; refusing to run");
	} else {
		log_warnx("ZAP self-test failed: no answer from %s within 10 s (event %d, "
		    "ZAP %s)", ep, result, n->probe_state == 2 ? "consulted" :
		    "never consulted");
	}
out:
	n->probe_state = 0;
	sodium_memzero(psk, sizeof(psk));
	if (probe != NULL) {
		zmq_socket_monitor(probe, NULL, 0);
		zmq_close(probe);
	}
	if (mon != NULL)
		zmq_close(mon);
	return rc;
}
