/* SPDX-License-Identifier: ISC */
/*
 * bench_fedprop: propagation latency along a chain of daemons, measured without process
 * start-up in the loop: publish through FIRST's control socket, then ask LAST's control
 * socket for the record every 0.2 ms until it is there. Prints one latency (ms) a line.
 * Usage: bench_fedprop FIRST_DATA_DIR LAST_DATA_DIR FIRST_KEY_HEX COUNT
 */
#include <sodium.h>
#include <unistd.h>
#include <zmq.h>

#include "benchutil.h"
#include "wire.pb-c.h"

static void *
ctl_socket(void *ctx, const char *dir)
{
	char	 ep[4200];
	void	*s = zmq_socket(ctx, ZMQ_REQ);
	int	 zero = 0;

	snprintf(ep, sizeof(ep), "ipc://%s/ctl.sock", dir);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(s, ep) != 0) {
		fprintf(stderr, "bench: %s: %s\n", ep, zmq_strerror(zmq_errno()));
		exit(1);
	}
	return s;
}

/* One request, one answer; returns the answer's code. */
static int
call(void *s, const Hiroba__Wire__CtlRequest *req)
{
	uint8_t				 buf[65536];
	size_t				 len = hiroba__wire__ctl_request__get_packed_size(req);
	Hiroba__Wire__CtlResponse	*resp;
	int				 n, code;

	hiroba__wire__ctl_request__pack(req, buf);
	if (zmq_send(s, buf, len, 0) < 0 || (n = zmq_recv(s, buf, sizeof(buf), 0)) < 0) {
		fprintf(stderr, "bench: ctl: %s\n", zmq_strerror(zmq_errno()));
		exit(1);
	}
	if ((resp = hiroba__wire__ctl_response__unpack(NULL, (size_t)n, buf)) == NULL)
		exit(1);
	code = resp->code;
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return code;
}

int
main(int argc, char **argv)
{
	void			*ctx, *first, *last;
	uint8_t			 author[HB_KEY_LEN], *draft;
	size_t			 dlen;
	char			 json[512], id[64], err[256];
	struct hb_record	*r;
	int			 i, count;
	double			 t0;
	Hiroba__Wire__CtlRequest pub = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__CtlRequest get = HIROBA__WIRE__CTL_REQUEST__INIT;
	Hiroba__Wire__GetReq	 g = HIROBA__WIRE__GET_REQ__INIT;

	if (argc != 5 || proto_init() != 0 || proto_key_parse(argv[3], author) != 0) {
		fprintf(stderr, "usage: bench_fedprop FIRST LAST FIRST_KEY COUNT\n");
		return 2;
	}
	count = atoi(argv[4]);
	ctx = zmq_ctx_new();
	first = ctl_socket(ctx, argv[1]);
	last = ctl_socket(ctx, argv[2]);
	for (i = 0; i < count; i++) {
		snprintf(id, sizeof(id), "prop/%d/%u", i, randombytes_random());
		snprintf(json, sizeof(json), "{\"id\":\"%s\",\"event\":{\"title\":\"伝達テスト "
		    "%d\",\"when\":{\"start\":%lld,\"end\":%lld},\"category\":\"play_space\"}}",
		    id, i, (long long)time(NULL) + 86400, (long long)time(NULL) + 90000);
		if (proto_draft_from_json(json, strlen(json), &r, err, sizeof(err)) != 0 ||
		    proto_draft_encode(r, &draft, &dlen) != 0) {
			fprintf(stderr, "bench: draft: %s\n", err);
			return 1;
		}
		pub.r_case = HIROBA__WIRE__CTL_REQUEST__R_PUBLISH;
		pub.publish.data = draft;
		pub.publish.len = dlen;
		g.author.data = author;
		g.author.len = HB_KEY_LEN;
		g.id = id;
		get.r_case = HIROBA__WIRE__CTL_REQUEST__R_GET;
		get.get = &g;
		t0 = bench_now();
		if (call(first, &pub) != 0) {
			fprintf(stderr, "bench: publish refused\n");
			return 1;
		}
		while (call(last, &get) != 0) {
			if (bench_now() - t0 > 30) {
				fprintf(stderr, "bench: %s never arrived\n", id);
				return 1;
			}
			usleep(200);
		}
		printf("%.3f\n", (bench_now() - t0) * 1000);
		fflush(stdout);
		free(draft);
		hb_record_free(&r);
		usleep(20000);
	}
	zmq_close(first);
	zmq_close(last);
	zmq_ctx_term(ctx);
	return 0;
}
