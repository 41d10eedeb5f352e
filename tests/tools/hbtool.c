/*
 * hbtool: test fixtures that need the real libraries but no CLI. `fill` writes many
 * signed records of a group straight into its store (daemon stopped), for large syncs;
 * `send` connects to a daemon as an admitted peer would and sends good, altered or
 * garbage messages, for the rejection tests. Not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "conf.h"
#include "proto.h"
#include "store.h"
#include "wire.pb-c.h"

static void
die(const char *what, int rc)
{
	fprintf(stderr, "hbtool: %s: %s\n", what, store_strerror(rc));
	exit(1);
}

static struct hb_record *
make_event(const char *id, long i, int64_t now)
{
	static const char *titles[] = { "親子のひろば「すくすく」", "プレママ・プレパパ教室",
	    "父親向けプログラム「パパと遊ぼう」", "応援ネット地域別会議", "子育て相談" };
	static const char *cats[] = { "play_space", "pre_parent", "father",
	    "network_meeting", "consultation" };
	struct hb_record *r = NULL;
	char		 json[1024], err[256];
	int64_t		 start = now + 86400 + (i % 365) * 86400;

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

/*
 * send CONF ENDPOINT SERVERKEY MODE [SEQ]: connect with CONF's key and send one Push.
 * MODE: good (a valid event "rogue/SEQ" at SEQ), altered (the same with one body byte
 * flipped after signing), badsig (signature byte flipped), garbage (random bytes).
 */
static int
cmd_send(int argc, char **argv)
{
	struct conf		*c;
	struct hb_identity	 id;
	struct hb_record	*r = NULL;
	uint8_t			 spk[32], cpk[32], csk[32], skey[HB_KEY_LEN], junk[300];
	uint8_t			*env = NULL, *msg = NULL;
	size_t			 len = 0, mlen;
	const uint8_t		*e;
	void			*ctx, *s;
	int			 linger = 3000, rc;
	uint64_t		 seq = argc > 5 ? strtoull(argv[5], NULL, 10) : 1000;
	char			 rid[64];
	Hiroba__Wire__PeerMsg	 m = HIROBA__WIRE__PEER_MSG__INIT;
	Hiroba__Wire__Push	 push = HIROBA__WIRE__PUSH__INIT;
	ProtobufCBinaryData	 bd;
	const char		*mode;

	if (argc < 5) {
		fprintf(stderr, "usage: hbtool send CONF ENDPOINT SERVERKEY "
		    "good|altered|badsig|garbage [SEQ]\n");
		return 2;
	}
	mode = argv[4];
	load(argv[1], &c, &id);
	if (proto_key_parse(argv[3], skey) != 0)
		die("server key", PROTO_EKEY);
	snprintf(rid, sizeof(rid), "rogue/%llu", (unsigned long long)seq);
	r = make_event(rid, (long)seq, time(NULL));
	if ((rc = proto_sign(r, &id, seq, time(NULL))) != 0)
		die("sign", rc);
	e = proto_record_envelope(r, &len);
	env = malloc(len);
	memcpy(env, e, len);
	if (strcmp(mode, "altered") == 0)
		env[len - 5] ^= 0x01;		/* inside the body, at its end */
	else if (strcmp(mode, "badsig") == 0)
		env[40] ^= 0x01;		/* inside the signature */
	else if (strcmp(mode, "good") != 0 && strcmp(mode, "garbage") != 0) {
		fprintf(stderr, "hbtool: unknown mode %s\n", mode);
		return 2;
	}
	bd.data = env;
	bd.len = len;
	push.n_envelopes = 1;
	push.envelopes = &bd;
	m.m_case = HIROBA__WIRE__PEER_MSG__M_PUSH;
	m.push = &push;
	if (strcmp(mode, "garbage") == 0) {
		randombytes_buf(junk, sizeof(junk));
		msg = malloc(sizeof(junk));
		memcpy(msg, junk, sizeof(junk));
		mlen = sizeof(junk);
	} else {
		mlen = hiroba__wire__peer_msg__get_packed_size(&m);
		msg = malloc(mlen);
		hiroba__wire__peer_msg__pack(&m, msg);
	}
	proto_curve_pk(skey, spk);
	proto_curve_pk(id.pk, cpk);
	proto_curve_sk(&id, csk);
	ctx = zmq_ctx_new();
	s = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csk, 32);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(s, argv[2]) != 0 || zmq_send(s, msg, mlen, 0) == -1) {
		fprintf(stderr, "hbtool: send: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	usleep(300 * 1000);
	zmq_close(s);
	zmq_ctx_term(ctx);
	printf("sent %s record %s seq %llu\n", mode, rid, (unsigned long long)seq);
	hb_record_free(&r);
	free(env);
	free(msg);
	proto_identity_clear(&id);
	conf_free(&c);
	return 0;
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
	fprintf(stderr, "usage: hbtool fill|send ...\n");
	return 2;
}
