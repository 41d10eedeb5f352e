/* SPDX-License-Identifier: ISC */
/*
 * bench_sim: talks to many daemons' control sockets at once, for bench_sim.py (the
 * simulated federation). LIST is a file of "DATA_DIR KEY_HEX" lines, one per daemon.
 *
 *   bench_sim spread LIST SEED COUNT
 *	COUNT times: publish an event at a daemon drawn at random (seeded), then ask every
 *	daemon for it, all at once, every 2 ms (BENCH_SIM_POLL_US), until each has it. Prints one line per
 *	record: the publisher's index, the ms until the last daemon had it, the signed
 *	record's size (0 if the daemon did not return it), then the ms at
 *	which each daemon had it (the publisher's included, 0 when it answered first).
 *   bench_sim publish LIST SEED COUNT
 *	Publishes COUNT events at daemons of LIST drawn at random without waiting; prints
 *	"KEY_HEX ID" for each.
 *   bench_sim wait LIST REFS TIMEOUT_S
 *	Asks every daemon of LIST for every record of REFS (lines "KEY_HEX ID") until all
 *	have all; prints the ms each daemon took, or exits 1 after TIMEOUT_S.
 *
 * Polling costs the daemons little: one GetReq per daemon per 2 ms, over the ipc socket.
 */
#include <sodium.h>
#include <unistd.h>
#include <zmq.h>

#include "benchutil.h"
#include "wire.pb-c.h"

#define MAXD	256

struct daemon {
	char	 dir[1024];
	uint8_t	 key[HB_KEY_LEN];
	char	 hex[HB_KEYHEX_LEN];
	void	*s;
	bool	 busy;		/* a request is out */
	size_t	 next;		/* wait: the first ref not yet seen */
	double	 t_done;
};

struct ref {
	uint8_t	author[HB_KEY_LEN];
	char	id[64];
};

static struct daemon	 ds[MAXD];
static size_t		 nd;
static size_t		 last_env;	/* the last answer's first envelope, bytes */
static useconds_t	 pause_us = 2000;	/* between two sweeps; BENCH_SIM_POLL_US */
static void		*ctx;

static void
load_list(const char *path)
{
	char	 line[2048], hex[128];
	FILE	*fp = fopen(path, "r");
	int	 zero = 0;

	if (fp == NULL) {
		perror(path);
		exit(1);
	}
	while (nd < MAXD && fgets(line, sizeof(line), fp) != NULL) {
		struct daemon *d = &ds[nd];
		char ep[1100];

		if (sscanf(line, "%1023s %127s", d->dir, hex) != 2)
			continue;
		if (proto_key_parse(hex, d->key) != 0) {
			fprintf(stderr, "bench: %s: bad key\n", hex);
			exit(1);
		}
		proto_key_hex(d->key, d->hex);
		d->s = zmq_socket(ctx, ZMQ_REQ);
		snprintf(ep, sizeof(ep), "ipc://%s/ctl.sock", d->dir);
		zmq_setsockopt(d->s, ZMQ_LINGER, &zero, sizeof(zero));
		if (zmq_connect(d->s, ep) != 0) {
			fprintf(stderr, "bench: %s: %s\n", ep, zmq_strerror(zmq_errno()));
			exit(1);
		}
		nd++;
	}
	fclose(fp);
}

static void
send_req(struct daemon *d, const Hiroba__Wire__CtlRequest *req)
{
	uint8_t	buf[65536];
	size_t	len = hiroba__wire__ctl_request__get_packed_size(req);

	hiroba__wire__ctl_request__pack(req, buf);
	if (zmq_send(d->s, buf, len, 0) < 0) {
		fprintf(stderr, "bench: send: %s\n", zmq_strerror(zmq_errno()));
		exit(1);
	}
	d->busy = true;
}

static int
recv_code(struct daemon *d)
{
	uint8_t				 buf[65536];
	Hiroba__Wire__CtlResponse	*resp;
	int				 n, code;

	if ((n = zmq_recv(d->s, buf, sizeof(buf), 0)) < 0) {
		fprintf(stderr, "bench: recv: %s\n", zmq_strerror(zmq_errno()));
		exit(1);
	}
	d->busy = false;
	if ((resp = hiroba__wire__ctl_response__unpack(NULL, (size_t)n, buf)) == NULL)
		exit(1);
	code = resp->code;
	last_env = resp->n_envelopes > 0 ? resp->envelopes[0].len : 0;
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return code;
}

static void
send_get(struct daemon *d, const struct ref *r)
{
	Hiroba__Wire__CtlRequest get = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__GetReq	 g = HIROBA__WIRE__GET_REQ__INIT;

	g.author.data = (uint8_t *)r->author;
	g.author.len = HB_KEY_LEN;
	g.id = (char *)r->id;
	get.r_case = HIROBA__WIRE__CTL_REQUEST__R_GET;
	get.get = &g;
	send_req(d, &get);
}

static void
publish(struct daemon *d, struct ref *r, int i)
{
	Hiroba__Wire__CtlRequest pub = HIROBA__WIRE__CTL_REQUEST__INIT;
	struct hb_record	*rec;
	uint8_t			*draft;
	size_t			 dlen;
	char			 json[512], err[256];
	long long		 start = (long long)time(NULL) + 86400 * (1 + i % 300);

	snprintf(r->id, sizeof(r->id), "sim/%d/%08x", i, randombytes_random());
	memcpy(r->author, d->key, HB_KEY_LEN);
	snprintf(json, sizeof(json), "{\"id\":\"%s\",\"event\":{\"title\":\"伝達テスト %d\","
	    "\"when\":{\"start\":%lld,\"end\":%lld},\"category\":\"play_space\"}}", r->id, i,
	    start, start + 7200);
	if (proto_draft_from_json(json, strlen(json), &rec, err, sizeof(err)) != 0 ||
	    proto_draft_encode(rec, &draft, &dlen) != 0) {
		fprintf(stderr, "bench: draft: %s\n", err);
		exit(1);
	}
	pub.r_case = HIROBA__WIRE__CTL_REQUEST__R_PUBLISH;
	pub.publish.data = draft;
	pub.publish.len = dlen;
	send_req(d, &pub);
	if (recv_code(d) != 0) {
		fprintf(stderr, "bench: publish at %s refused\n", d->dir);
		exit(1);
	}
	free(draft);
	hb_record_free(&rec);
}

/*
 * Until every daemon has seen refs[0..nrefs) (or timeout): each daemon is asked for its
 * next missing ref; all requests go out together, the answers are collected with
 * zmq_poll, then 2 ms pass. Sets each t_done (seconds after t0). 0, or -1 on timeout.
 */
static int
poll_all(const struct ref *refs, size_t nrefs, double t0, double timeout)
{
	zmq_pollitem_t	items[MAXD];
	size_t		left = 0, i;

	for (i = 0; i < nd; i++) {
		ds[i].next = 0;
		ds[i].t_done = -1;
		left++;
	}
	while (left > 0) {
		size_t out = 0;

		for (i = 0; i < nd; i++)
			if (ds[i].t_done < 0 && !ds[i].busy) {
				send_get(&ds[i], &refs[ds[i].next]);
				out++;
			}
		while (out > 0) {
			size_t k = 0;
			int n;

			for (i = 0; i < nd; i++)
				if (ds[i].busy)
					items[k++] = (zmq_pollitem_t){ ds[i].s, 0, ZMQ_POLLIN, 0 };
			if ((n = zmq_poll(items, (int)k, 1000)) < 0)
				exit(1);
			if (n == 0 && bench_now() - t0 > timeout)
				return -1;
			for (i = 0; i < nd; i++) {
				if (!ds[i].busy)
					continue;
				for (size_t j = 0; j < k; j++)
					if (items[j].socket == ds[i].s &&
					    (items[j].revents & ZMQ_POLLIN)) {
						int code = recv_code(&ds[i]);

						out--;
						if (code == 0 && ++ds[i].next == nrefs) {
							ds[i].t_done = bench_now() - t0;
							left--;
						} else if (code == 0) {
							send_get(&ds[i], &refs[ds[i].next]);
							out++;
						}
					}
			}
		}
		if (left > 0) {
			if (bench_now() - t0 > timeout)
				return -1;
			usleep(pause_us);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t	 seed;
	size_t		 i;
	int		 count, k;

	if (argc < 5 || proto_init() != 0) {
		fprintf(stderr, "usage: bench_sim spread|publish LIST SEED COUNT | "
		    "wait LIST REFS TIMEOUT_S\n");
		return 2;
	}
	if (getenv("BENCH_SIM_POLL_US") != NULL)
		pause_us = (useconds_t)atoi(getenv("BENCH_SIM_POLL_US"));
	ctx = zmq_ctx_new();
	load_list(argv[2]);
	if (nd == 0)
		return 2;
	if (strcmp(argv[1], "wait") == 0) {
		struct ref	*refs = NULL;
		size_t		 nrefs = 0, cap = 0;
		char		 line[512], hex[128];
		FILE		*fp = fopen(argv[3], "r");
		double		 t0 = bench_now();

		if (fp == NULL) {
			perror(argv[3]);
			return 1;
		}
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (nrefs == cap && (refs = realloc(refs, (cap = cap ? 2 * cap : 64) *
			    sizeof(*refs))) == NULL)
				return 1;
			if (sscanf(line, "%127s %63s", hex, refs[nrefs].id) != 2 ||
			    proto_key_parse(hex, refs[nrefs].author) != 0)
				continue;
			nrefs++;
		}
		fclose(fp);
		if (nrefs == 0)
			return 2;
		if (poll_all(refs, nrefs, t0, atof(argv[4])) != 0) {
			for (i = 0; i < nd; i++)
				if (ds[i].t_done < 0)
					fprintf(stderr, "bench: %s still lacks %s\n", ds[i].dir,
					    refs[ds[i].next].id);
			return 1;
		}
		for (i = 0; i < nd; i++)
			printf("%.1f\n", ds[i].t_done * 1000);
		free(refs);
		return 0;
	}
	seed = strtoull(argv[3], NULL, 10);
	count = atoi(argv[4]);
	bench_rng_state ^= seed * 0x9e3779b97f4a7c15ull + 1;
	for (k = 0; k < count; k++) {
		struct ref	 r;
		size_t		 who = (size_t)(bench_rng() % nd);
		double		 t0 = bench_now(), last = 0;
		size_t		 env_len;

		publish(&ds[who], &r, k);
		env_len = last_env;
		if (strcmp(argv[1], "publish") == 0) {
			printf("%s %s\n", ds[who].hex, r.id);
			continue;
		}
		if (poll_all(&r, 1, t0, 120) != 0) {
			fprintf(stderr, "bench: %s did not reach every daemon in 120 s\n", r.id);
			return 1;
		}
		for (i = 0; i < nd; i++)
			if (ds[i].t_done > last)
				last = ds[i].t_done;
		printf("%zu %.1f %zu", who, last * 1000, env_len);
		for (i = 0; i < nd; i++)
			printf(" %.1f", ds[i].t_done * 1000);
		printf("\n");
		fflush(stdout);
		usleep(20000);
	}
	for (i = 0; i < nd; i++)
		zmq_close(ds[i].s);
	zmq_ctx_term(ctx);
	return 0;
}
