/* SPDX-License-Identifier: ISC */
/*
 * hbtool: test fixtures that need the real libraries but no CLI. `fill` writes many
 * signed records of a group straight into its store (daemon stopped), for large syncs;
 * `send` connects to a daemon as an admitted peer would and sends one good or forged
 * record (every kind of bad envelope of the rejection matrix) or garbage; `connect`
 * tries a handshake as a stranger would (unknown key, NULL/PLAIN, wrong server key,
 * oversized frame), for the transport tests; `dump` prints a store's current records
 * and per-author state, one line each, for the model test (tests/integration/model.py)
 * to compare daemons. Not installed.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "conf.h"
#include "gen_vectors.h"	/* vec_envelope(_domain), vec_resign: forging envelopes */
#include "proto.h"
#include "store.h"
#include "wire.pb-c.h"

static void
die(const char *what, int rc)
{
	fprintf(stderr, "hbtool: %s: %s\n", what, store_strerror(rc));
	exit(1);
}

static int64_t	fixed_start;	/* send -s: every event starts then (0: spread) */

static struct hb_record *
make_event(const char *id, long i, int64_t now)
{
	static const char *titles[] = { "親子のひろば「すくすく」", "プレママ・プレパパ教室",
	    "父親向けプログラム「パパと遊ぼう」", "応援ネット地域別会議", "子育て相談" };
	static const char *cats[] = { "play_space", "pre_parent", "father",
	    "network_meeting", "consultation" };
	struct hb_record *r = NULL;
	char		 json[1024], err[256];
	int64_t		 start = fixed_start != 0 ? fixed_start :
			    now + 86400 + (i % 365) * 86400;

	snprintf(json, sizeof(json),
	    "{\"id\":\"%s\",\"event\":{\"title\":\"%s 第%ld回\",\"description\":\"瀬谷区の"
	    "子育て支援拠点で開催します。お気軽にどうぞ。\",\"when\":{\"start\":%lld,"
	    "\"end\":%lld},\"category\":\"%s\",\"capacity\":%ld,"
	    "\"where\":{\"text\":\"瀬谷センター 2階\",\"point\":{\"lat_e7\":%ld,"
	    "\"lon_e7\":%ld}}}}", id, titles[i % 5], i, (long long)start,
	    (long long)start + 7200, cats[i % 5], 10 + i % 20, 354700000L + i % 1000 * 100,
	    1394900000L + i % 997 * 100);
	if (proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "hbtool: draft: %s\n", err);
		exit(1);
	}
	return r;
}

static int
load(const char *conffile, struct conf **c, struct hb_identity *id)
{
	char	 err[512];
	int	 rc;

	if (conf_load(conffile, c, err, sizeof(err)) != 0) {
		fprintf(stderr, "hbtool: %s\n", err);
		exit(1);
	}
	if ((rc = proto_identity_load(id, (*c)->key)) != 0)
		die((*c)->key, rc);
	return 0;
}

/* fill CONF N [PREFIX]: N events of this group, signed, ingested 1,000 per txn. */
static int
cmd_fill(int argc, char **argv)
{
	struct conf		*c;
	struct hb_identity	 id;
	struct store		*st = NULL;
	struct store_author	 a;
	struct hb_record	**recs;
	const uint8_t		**envs;
	size_t			*lens, nstored, batch = 1000, i, k;
	long			 n;
	int			*res, rc;
	uint64_t		 seq;
	int64_t			 now = time(NULL);
	const char		*prefix = argc > 3 ? argv[3] : "bulk";
	char			 rid[HB_ID_MAX + 1];

	if (argc < 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: hbtool fill CONF N [PREFIX]\n");
		return 2;
	}
	load(argv[1], &c, &id);
	if ((rc = store_open(&st, c->data, c->center, NULL)) != 0)
		die(c->data, rc);
	seq = store_author_get(st, id.pk, &a) == 0 ? a.max_seq : 0;
	recs = calloc(batch, sizeof(*recs));
	envs = calloc(batch, sizeof(*envs));
	lens = calloc(batch, sizeof(*lens));
	res = calloc(batch, sizeof(*res));
	for (i = 0; i < (size_t)n; i += k) {
		for (k = 0; k < batch && i + k < (size_t)n; k++) {
			snprintf(rid, sizeof(rid), "%s/%zu", prefix, i + k);
			recs[k] = make_event(rid, (long)(i + k), now);
			if ((rc = proto_sign(recs[k], &id, ++seq, now)) != 0)
				die("sign", rc);
			envs[k] = proto_record_envelope(recs[k], &lens[k]);
		}
		if ((rc = store_ingest(st, envs, lens, k, now, NULL, 0, res, &nstored)) != 0)
			die("ingest", rc);
		for (size_t j = 0; j < k; j++) {
			if (res[j] != 0)
				die("record refused", res[j]);
			hb_record_free(&recs[j]);
		}
	}
	printf("%ld records, last seq %llu\n", n, (unsigned long long)seq);
	store_close(&st);
	free(recs);
	free(envs);
	free(lens);
	free(res);
	proto_identity_clear(&id);
	conf_free(&c);
	return 0;
}

/* A fresh envelope of `mode` for author id: a malloc'd copy in *env. */
static const uint8_t L_ORDER[32] = {	/* the group order, little-endian */
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
	0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };

static const char *forge_modes[] = { "good", "tombstone", "altered", "badsig", "wrongkey",
	"sig-s-plus-l", "small-order", "domain", "future", "oversized", "oversized-body",
	"truncated", "truncated-body", "trailing", "unknown-field", "bad-utf8", "coords",
	"too-many", NULL };

/*
 * Build one envelope of `mode` as author id, record id rid, sequence seq. Modes that
 * change the body after signing sign it again (gen_vectors.h's helpers), so that only
 * the later check catches them. Returns 0, or 2 for an unknown mode.
 */
static int
forge(const char *mode, const struct hb_identity *id, const char *rid, uint64_t seq,
    int64_t now, uint8_t **out, size_t *outlen)
{
	struct hb_record	*r;
	struct hb_identity	 other;
	Hiroba__Record		*rec;
	const uint8_t		*e;
	uint8_t			*env, *body;
	size_t			 len, blen, i;
	unsigned		 carry;
	int			 rc;

	if (strcmp(mode, "tombstone") == 0)
		r = proto_tombstone_new(rid, "withdrawn by hbtool");
	else
		r = make_event(rid, (long)(seq % 1000000), now);
	/* proto_sign refuses a seq above HB_SEQ_MAX: sign 1, then forge the seq in */
	if ((rc = proto_sign(r, id, seq > HB_SEQ_MAX ? 1 : seq, now)) != 0)
		die("sign", rc);
	e = proto_record_envelope(r, &len);
	env = malloc(len + 16);
	memcpy(env, e, len);
	hb_record_free(&r);
	if (seq > HB_SEQ_MAX) {
		rec = vec_record_of(env, len);
		rec->seq = seq;
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
		env = realloc(env, len + 16);
	}
	/* Envelope layout: 0a 20 author(32) 12 40 signature(64) 1a len body. */
	if (strcmp(mode, "good") == 0 || strcmp(mode, "tombstone") == 0) {
		/* as signed */
	} else if (strcmp(mode, "altered") == 0) {
		env[len - 5] ^= 0x01;		/* inside the body, at its end */
	} else if (strcmp(mode, "badsig") == 0) {
		env[36 + 10] ^= 0x01;		/* inside the signature */
	} else if (strcmp(mode, "wrongkey") == 0) {
		proto_identity_new(&other);	/* a valid key that did not sign */
		memcpy(env + 2, other.pk, HB_KEY_LEN);
		proto_identity_clear(&other);
	} else if (strcmp(mode, "sig-s-plus-l") == 0) {
		for (i = 0, carry = 0; i < 32; i++) {	/* S + L: same value mod L */
			carry += (unsigned)env[36 + 32 + i] + L_ORDER[i];
			env[36 + 32 + i] = (uint8_t)carry;
			carry >>= 8;
		}
	} else if (strcmp(mode, "small-order") == 0) {
		memset(env + 2, 0, HB_KEY_LEN);
		env[2] = 0x01;			/* the neutral element */
	} else if (strcmp(mode, "domain") == 0) {
		rec = vec_record_of(env, len);
		blen = hiroba__record__get_packed_size(rec);
		body = malloc(blen);
		hiroba__record__pack(rec, body);
		hiroba__record__free_unpacked(rec, NULL);
		free(env);
		env = vec_envelope_domain(id, "hiroba-record-v2", body, blen, &len);
		free(body);
	} else if (strcmp(mode, "future") == 0) {
		rec = vec_record_of(env, len);
		rec->created = now + 3600;
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
	} else if (strcmp(mode, "oversized") == 0) {
		/* a whole envelope over HB_ENV_MAX: its body a long description */
		rec = vec_record_of(env, len);
		body = malloc(HB_ENV_MAX + 2);
		memset(body, 'a', HB_ENV_MAX + 1);
		body[HB_ENV_MAX + 1] = '\0';
		vec_set_str(&rec->event->description, (char *)body);
		free(body);
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
	} else if (strcmp(mode, "oversized-body") == 0) {
		/* the envelope fits HB_ENV_MAX, its body does not fit HB_BODY_MAX */
		blen = HB_BODY_MAX + 16;
		body = malloc(blen);
		memset(body, 0, blen);
		free(env);
		env = vec_envelope(id, body, blen, &len);
		free(body);
	} else if (strcmp(mode, "truncated") == 0) {
		len -= 10;
	} else if (strcmp(mode, "truncated-body") == 0) {
		rec = vec_record_of(env, len);
		blen = hiroba__record__get_packed_size(rec);
		body = malloc(blen);
		hiroba__record__pack(rec, body);
		hiroba__record__free_unpacked(rec, NULL);
		free(env);
		env = vec_envelope(id, body, blen - 7, &len);	/* cut inside the payload */
		free(body);
	} else if (strcmp(mode, "trailing") == 0) {
		memcpy(env + len, "garbage", 7);
		len += 7;
	} else if (strcmp(mode, "unknown-field") == 0) {
		free(env);
		r = make_event(rid, (long)(seq % 1000000), now);
		proto_sign(r, id, seq, now);
		e = proto_record_envelope(r, &len);
		env = vec_resign(id, vec_record_of(e, len), "\x98\x06\x01", 3, &len);
		hb_record_free(&r);
	} else if (strcmp(mode, "bad-utf8") == 0) {
		rec = vec_record_of(env, len);
		vec_set_str(&rec->event->title, "\xe3\x81 truncated");
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
	} else if (strcmp(mode, "coords") == 0) {
		rec = vec_record_of(env, len);
		rec->event->where->point->lat_e7 = 950000000;	/* 95 degrees north */
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
	} else if (strcmp(mode, "too-many") == 0) {
		rec = vec_record_of(env, len);	/* 9 spoken languages: at most 8 */
		rec->event->languages = realloc(rec->event->languages,
		    9 * sizeof(*rec->event->languages));
		while (rec->event->n_languages < 9)
			rec->event->languages[rec->event->n_languages++] = strdup("ja");
		free(env);
		env = vec_resign(id, rec, NULL, 0, &len);
	} else {
		free(env);
		return 2;
	}
	*out = env;
	*outlen = len;
	return 0;
}

/* A DEALER with CURVE client keys (client identity, server Ed25519 key). */
static void *
curve_dealer(void *ctx, const struct hb_identity *id, const uint8_t skey[HB_KEY_LEN])
{
	uint8_t		 spk[32], cpk[32], csk[32];
	void		*s;

	if (proto_curve_pk(skey, spk) != 0)
		die("server key", PROTO_EKEY);
	proto_curve_pk(id->pk, cpk);
	proto_curve_sk(id, csk);
	s = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csk, 32);
	sodium_memzero(csk, sizeof(csk));
	return s;
}

/*
 * Wait up to ms for a SyncReq on s (whatever else comes is skipped). With claim > 0,
 * answer it as a hostile member would (issue 12): an empty SyncBatch that claims every
 * author the request lists complete up to `claim`, and more = false.
 */
static bool
wait_sync_req(void *s, int ms, uint64_t claim)
{
	Hiroba__Wire__PeerMsg	*m, out = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__SyncBatch	 b = HIROBA__WIRE__SYNC_BATCH__INIT;
	Hiroba__Wire__AuthorState *as = NULL, **asp = NULL;
	zmq_pollitem_t		 pi = { .socket = s, .events = ZMQ_POLLIN };
	struct timespec		 t0, t;
	uint8_t			 buf[1 << 16], *msg;
	int			 len, left = ms;
	bool			 got = false;
	size_t			 i, n, mlen;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!got && left > 0 && zmq_poll(&pi, 1, left) > 0) {
		if ((len = zmq_recv(s, buf, sizeof(buf), 0)) < 0)
			break;
		if (len <= (int)sizeof(buf) &&
		    (m = hiroba__wire__peer_msg__unpack(NULL, (size_t)len, buf)) != NULL) {
			got = m->m_case == HIROBA__WIRE__PEER_MSG__M_SYNC_REQ;
			if (got && claim > 0) {
				n = m->sync_req->n_have;
				as = calloc(n + 1, sizeof(*as));
				asp = calloc(n + 1, sizeof(*asp));
				if (as == NULL || asp == NULL)
					die("claim", ENOMEM);
				for (i = 0; i < n; i++) {
					hiroba__wire__author_state__init(&as[i]);
					as[i].author = m->sync_req->have[i]->author;
					as[i].complete = claim;
					asp[i] = &as[i];
				}
				b.round = m->sync_req->round;
				b.n_complete = n;
				b.complete = asp;
				b.more = false;
				out.m_case = HIROBA__WIRE__PEER_MSG__M_BATCH;
				out.batch = &b;
				mlen = hiroba__wire__peer_msg__get_packed_size(&out);
				if ((msg = malloc(mlen)) == NULL)
					die("claim", ENOMEM);
				hiroba__wire__peer_msg__pack(&out, msg);
				if (zmq_send(s, msg, mlen, 0) == -1)
					fprintf(stderr, "hbtool: send: %s\n",
					    zmq_strerror(zmq_errno()));
				else
					printf("claimed %zu authors complete up to %llu\n", n,
					    (unsigned long long)claim);
				free(msg);
				free(as);
				free(asp);
			}
			hiroba__wire__peer_msg__free_unpacked(m, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return got;
}

static void
send_usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: hbtool send [-k AUTHORKEYFILE|random] [-i ID] [-t CREATED] "
	    "[-n COUNT] [-s START] [-w MS [-c CLAIM]] CONF ENDPOINT SERVERKEY MODE [SEQ]\nMODE: garbage");
	for (i = 0; forge_modes[i] != NULL; i++)
		fprintf(stderr, "|%s", forge_modes[i]);
	fprintf(stderr, "\n");
}

/*
 * send [-k AUTHORKEYFILE|random] [-i ID] [-t CREATED] CONF ENDPOINT SERVERKEY MODE [SEQ]:
 * connect with CONF's key (an admitted peer) and send one Push holding one envelope
 * forged as MODE (see forge(); "garbage" sends random bytes instead of a PeerMsg).
 * The record is authored by CONF's key, or by -k's key file ("random": a fresh key
 * nobody admitted); its id is "rogue/SEQ" unless -i; created is now unless -t.
 * -n COUNT: COUNT records in the one Push, seqs SEQ.., ids ID/0.. (or rogue/SEQ..).
 * -s START: the events start then (unix time), not spread over a year.
 * -w MS: then wait up to MS milliseconds for the daemon to ask us for a pull (a
 * SyncReq over this connection) and print "sync request received" if it did.
 * -c CLAIM: and answer that request with forged claims (see wait_sync_req).
 */
static int
cmd_send(int argc, char **argv)
{
	struct conf		*c;
	struct hb_identity	 id, author;
	uint8_t			 skey[HB_KEY_LEN];
	uint8_t			*env = NULL, *msg = NULL;
	size_t			 len = 0, mlen;
	void			*ctx, *s;
	int			 linger = 3000, rc, ch, wait_ms = 0;
	uint64_t		 seq, claim = 0;
	int64_t			 now = time(NULL);
	char			 rid[HB_ID_MAX + 1] = "";
	const char		*mode, *keyfile = NULL;
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__Push	 push = HIROBA__WIRE__PUSH__INIT;
	ProtobufCBinaryData	*bds = NULL;
	size_t			 count = 1, k;
	bool			 given_id = false;
	char			 kid[HB_ID_MAX + 32];

	optind = 1;
	while ((ch = getopt(argc, argv, "c:k:i:n:s:t:w:")) != -1) {
		switch (ch) {
		case 'c':
			claim = strtoull(optarg, NULL, 10);
			break;
		case 's':
			fixed_start = strtoll(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			if (count < 1 || count > 1000) {
				send_usage();
				return 2;
			}
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'i':
			given_id = true;
			snprintf(rid, sizeof(rid), "%s", optarg);
			break;
		case 't':
			now = strtoll(optarg, NULL, 10);
			break;
		default:
			send_usage();
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 4) {
		send_usage();
		return 2;
	}
	mode = argv[3];
	seq = argc > 4 ? strtoull(argv[4], NULL, 10) : 1000;
	if (rid[0] == '\0')
		snprintf(rid, sizeof(rid), "rogue/%llu", (unsigned long long)seq);
	load(argv[0], &c, &id);
	if (proto_key_parse(argv[2], skey) != 0)
		die("server key", PROTO_EKEY);
	if (keyfile == NULL)
		author = id;
	else if (strcmp(keyfile, "random") == 0)
		proto_identity_new(&author);
	else if ((rc = proto_identity_load(&author, keyfile)) != 0)
		die(keyfile, rc);
	if (strcmp(mode, "garbage") == 0) {
		mlen = 300;
		msg = malloc(mlen);
		randombytes_buf(msg, mlen);
	} else {
		if ((bds = calloc(count, sizeof(*bds))) == NULL)
			return 1;
		for (k = 0; k < count; k++) {
			if (count == 1)
				snprintf(kid, sizeof(kid), "%s", rid);
			else if (given_id)
				snprintf(kid, sizeof(kid), "%.*s/%zu", HB_ID_USER_MAX - 8, rid,
				    k);
			else
				snprintf(kid, sizeof(kid), "rogue/%llu",
				    (unsigned long long)(seq + k));
			if (forge(mode, &author, kid, seq + k, now, &env, &len) != 0) {
				fprintf(stderr, "hbtool: unknown mode %s\n", mode);
				send_usage();
				return 2;
			}
			bds[k].data = env;
			bds[k].len = len;
		}
		push.n_envelopes = count;
		push.envelopes = bds;
		m.m_case = HIROBA__WIRE__PEER_MSG__M_PUSH;
		m.push = &push;
		mlen = hiroba__wire__peer_msg__get_packed_size(&m);
		msg = malloc(mlen);
		hiroba__wire__peer_msg__pack(&m, msg);
	}
	ctx = zmq_ctx_new();
	s = curve_dealer(ctx, &id, skey);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(s, argv[1]) != 0 || zmq_send(s, msg, mlen, 0) == -1) {
		fprintf(stderr, "hbtool: send: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	if (wait_ms > 0 && wait_sync_req(s, wait_ms, claim))
		printf("sync request received\n");
	else
		usleep(300 * 1000);
	zmq_close(s);
	zmq_ctx_term(ctx);
	printf("sent %s record %s seq %llu (%zu bytes)\n", mode, rid,
	    (unsigned long long)seq, len);
	if (count > 1)
		printf("and %zu more, up to seq %llu\n", count - 1,
		    (unsigned long long)(seq + count - 1));
	for (k = 0; bds != NULL && k < count; k++)
		free(bds[k].data);
	free(bds);
	free(msg);
	proto_identity_clear(&id);
	proto_identity_clear(&author);
	conf_free(&c);
	return 0;
}

/*
 * flood CONF ENDPOINT SERVERKEY N sync|remote: as CONF's group (an admitted peer), send
 * N SyncReqs asking for everything (or N RemoteQueries for every record, limit 100000)
 * and never read an answer: the unread-answers attack of issue 12. Keeps the
 * connection open (reading nothing) until stdin closes, so that the daemon's memory
 * can be measured meanwhile. Prints "sent N".
 */
static int
cmd_flood(int argc, char **argv)
{
	struct conf		*c;
	struct hb_identity	 id;
	uint8_t			 skey[HB_KEY_LEN], *msg;
	void			*ctx, *s;
	long			 n, i;
	int			 zero = 0, big = 1 << 30;
	size_t			 mlen;
	char			 buf[64];
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__SyncReq	 r = HIROBA__WIRE__SYNC_REQ__INIT;
	Hiroba__Wire__RemoteQuery rq = HIROBA__WIRE__REMOTE_QUERY__INIT;
	Hiroba__Wire__Query	 q = HIROBA__WIRE__QUERY__INIT;

	if (argc < 6 || (n = atol(argv[4])) <= 0 ||
	    (strcmp(argv[5], "sync") != 0 && strcmp(argv[5], "remote") != 0)) {
		fprintf(stderr, "usage: hbtool flood CONF ENDPOINT SERVERKEY N sync|remote\n");
		return 2;
	}
	load(argv[1], &c, &id);
	if (proto_key_parse(argv[3], skey) != 0)
		die("server key", PROTO_EKEY);
	ctx = zmq_ctx_new();
	s = curve_dealer(ctx, &id, skey);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_SNDHWM, &big, sizeof(big));
	zmq_setsockopt(s, ZMQ_RCVHWM, &big, sizeof(big));	/* take it all in, unread */
	if (zmq_connect(s, argv[2]) != 0) {
		fprintf(stderr, "hbtool: connect: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[5], "sync") == 0) {
			r.round = (uint64_t)i + 1;
			m.m_case = HIROBA__WIRE__PEER_MSG__M_SYNC_REQ;
			m.sync_req = &r;
		} else {
			q.has_limit = 1;
			q.limit = 100000;
			rq.id = (uint64_t)i + 1;
			rq.q_case = HIROBA__WIRE__REMOTE_QUERY__Q_QUERY;
			rq.query = &q;
			m.m_case = HIROBA__WIRE__PEER_MSG__M_RQUERY;
			m.rquery = &rq;
		}
		mlen = hiroba__wire__peer_msg__get_packed_size(&m);
		msg = malloc(mlen);
		hiroba__wire__peer_msg__pack(&m, msg);
		if (zmq_send(s, msg, mlen, 0) == -1) {
			fprintf(stderr, "hbtool: send: %s\n", zmq_strerror(zmq_errno()));
			free(msg);
			return 1;
		}
		free(msg);
		usleep(1000);	/* under the daemon's rate limit */
	}
	printf("sent %ld\n", n);
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin) != NULL)
		;
	zmq_close(s);
	zmq_ctx_term(ctx);
	proto_identity_clear(&id);
	conf_free(&c);
	return 0;
}

/*
 * connect [-m curve|null|plain] [-k CONF|random] [-s SERVERKEY] [-b BYTES] [-w MS]
 * ENDPOINT: try a handshake the way a stranger would and report how it ended.
 *   -m   security mechanism (default curve)
 *   -k   client identity for CURVE: a config's group key, or a fresh random key
 *   -s   the server's Ed25519 group key (hex) to expect, for CURVE
 *   -b   after a successful handshake, send one frame of BYTES random bytes
 *   -w   how long to wait for the handshake (and then for a disconnect), default 3000
 * Prints "handshake succeeded", "handshake refused (auth)", "handshake failed
 * (protocol)", "handshake failed", "disconnected" or "no handshake"; with -b also
 * "dropped after frame" or "still connected after frame". Exit 0 if the handshake
 * succeeded, 3 otherwise.
 */
static const char *
event_name(int ev)
{
	switch (ev) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:	return "handshake succeeded";
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:	return "handshake refused (auth)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "handshake failed (protocol)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "handshake failed";
	case ZMQ_EVENT_DISCONNECTED:		return "disconnected";
	case ZMQ_EVENT_CLOSED:			return "closed";
	default:				return "no handshake";
	}
}

static int
wait_event(void *mon, int ms, int want_mask)
{
	zmq_pollitem_t	 it = { .socket = mon, .events = ZMQ_POLLIN };
	zmq_msg_t	 ev;
	uint16_t	 event;
	struct timespec	 t0, t;
	long		 left = ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		if (zmq_poll(&it, 1, left) <= 0)
			return 0;
		zmq_msg_init(&ev);
		event = 0;
		if (zmq_msg_recv(&ev, mon, 0) >= 6)
			memcpy(&event, zmq_msg_data(&ev), sizeof(event));
		while (zmq_msg_more(&ev)) {
			zmq_msg_close(&ev);
			zmq_msg_init(&ev);
			zmq_msg_recv(&ev, mon, 0);
		}
		zmq_msg_close(&ev);
		if (event & want_mask)
			return event;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return 0;
}

static int
cmd_connect(int argc, char **argv)
{
	struct conf		*c = NULL;
	struct hb_identity	 id;
	uint8_t			 skey[HB_KEY_LEN];
	const char		*mech = "curve", *keyarg = "random", *server = NULL;
	long			 bytes = -1, waitms = 3000;
	void			*ctx, *s, *mon;
	uint8_t			*frame;
	int			 zero = 0, ch, ev, ret;
	const int		 done = ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED;

	optind = 1;
	while ((ch = getopt(argc, argv, "m:k:s:b:w:")) != -1) {
		switch (ch) {
		case 'm':
			mech = optarg;
			break;
		case 'k':
			keyarg = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'b':
			bytes = atol(optarg);
			break;
		case 'w':
			waitms = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	ctx = zmq_ctx_new();
	if (strcmp(mech, "curve") == 0) {
		if (server == NULL || proto_key_parse(server, skey) != 0)
			goto usage;
		if (strcmp(keyarg, "random") == 0)
			proto_identity_new(&id);
		else
			load(keyarg, &c, &id);
		s = curve_dealer(ctx, &id, skey);
		proto_identity_clear(&id);
	} else if (strcmp(mech, "null") == 0) {
		s = zmq_socket(ctx, ZMQ_DEALER);
	} else if (strcmp(mech, "plain") == 0) {
		s = zmq_socket(ctx, ZMQ_DEALER);
		zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, "admin", 5);
		zmq_setsockopt(s, ZMQ_PLAIN_PASSWORD, "hiroba", 6);
	} else {
		goto usage;
	}
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_socket_monitor(s, "inproc://hbtool-mon", ZMQ_EVENT_ALL);
	mon = zmq_socket(ctx, ZMQ_PAIR);
	zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_connect(mon, "inproc://hbtool-mon");
	if (zmq_connect(s, argv[optind]) != 0) {
		fprintf(stderr, "hbtool: connect: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	if (strcmp(mech, "curve") != 0) {
		/* NULL and PLAIN clients send at once; CURVE waits for its handshake */
		zmq_send(s, "hello?", 6, ZMQ_DONTWAIT);
	}
	ev = wait_event(mon, (int)waitms, done);
	printf("%s\n", event_name(ev));
	ret = ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 0 : 3;
	if (ret == 0 && bytes >= 0) {
		frame = malloc((size_t)bytes + 1);
		randombytes_buf(frame, (size_t)bytes);
		zmq_send(s, frame, (size_t)bytes, 0);
		free(frame);
		ev = wait_event(mon, (int)waitms, ZMQ_EVENT_DISCONNECTED);
		printf("%s after frame\n", ev ? "dropped" : "still connected");
	}
	fflush(stdout);
	zmq_socket_monitor(s, NULL, 0);
	zmq_close(mon);
	zmq_close(s);
	zmq_ctx_term(ctx);
	conf_free(&c);
	return ret;
usage:
	fprintf(stderr, "usage: hbtool connect [-m curve|null|plain] [-k CONF|random] "
	    "[-s SERVERKEY] [-b BYTES] [-w MS] ENDPOINT\n");
	return 2;
}

/* dump CONF: the store's current records (tombstones and memberships included), read
 * beside the running daemon as hirobad -B does (LMDB lets a second process read).
 * Lines, sorted by the caller:
 *   A AUTHOR COMPLETE MAX_SEQ RECORDS
 *   R AUTHOR SEQ KIND HASH ID
 * Records whose expiry has passed are left out, as the daemon hides them before its
 * purge reaches them, so that two daemons purging at different moments compare equal. */
struct dump_arg {
	char		 hex[HB_KEYHEX_LEN];
	int64_t		 now;
	int		 rc;
};

static int
dump_record(uint64_t seq, const uint8_t *env, size_t len, void *arg)
{
	struct dump_arg		*d = arg;
	struct hb_record	*r = NULL;
	const uint8_t		*h;
	char			 hash[2 * HB_HASH_LEN + 1];
	int			 rc;

	/* a clock far ahead: a record stored is judged valid already, and `created` in
	 * the future must not hide it here */
	if ((rc = proto_open_verified(env, len, INT64_MAX / 4, &r)) != 0) {
		fprintf(stderr, "hbtool: %s seq %llu does not open: %s\n", d->hex,
		    (unsigned long long)seq, proto_strerror(rc));
		d->rc = 1;
		return 0;
	}
	if (proto_record_expires(r) == 0 || proto_record_expires(r) > d->now) {
		h = proto_record_hash(r);
		for (size_t i = 0; i < HB_HASH_LEN; i++)
			snprintf(hash + 2 * i, 3, "%02x", h[i]);
		printf("R %s %llu %s %s %s\n", d->hex, (unsigned long long)seq,
		    proto_kind_name(proto_record_kind(r)), hash, proto_record_id(r));
	}
	hb_record_free(&r);
	return 0;
}

static int
dump_author(const struct store_author *a, void *arg)
{
	struct store	*st = arg;
	struct dump_arg	 d = { .now = time(NULL) };
	int		 rc;

	proto_key_hex(a->author, d.hex);
	printf("A %s %llu %llu %llu\n", d.hex, (unsigned long long)a->complete,
	    (unsigned long long)a->max_seq, (unsigned long long)a->records);
	if ((rc = store_scan_author(st, a->author, 0, 0, dump_record, &d)) != 0)
		return rc;
	return d.rc;
}

static int
cmd_dump(int argc, char **argv)
{
	struct conf	*c;
	struct store	*st = NULL;
	char		 err[512];
	int		 rc;

	if (argc != 2) {
		fprintf(stderr, "usage: hbtool dump CONF\n");
		return 2;
	}
	if (conf_load(argv[1], &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "hbtool: %s\n", err);
		return 1;
	}
	if ((rc = store_open(&st, c->data, c->center, NULL)) != 0)
		die(c->data, rc);
	rc = store_authors(st, dump_author, st);
	store_close(&st);
	conf_free(&c);
	if (rc < 0)
		die("dump", rc);
	return rc != 0;
}

int
main(int argc, char **argv)
{
	if (proto_init() != 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "fill") == 0)
		return cmd_fill(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "flood") == 0)
		return cmd_flood(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	fprintf(stderr, "usage: hbtool fill|send|flood|connect|dump ...\n");
	return 2;
}
