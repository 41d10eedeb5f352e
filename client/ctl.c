/* SPDX-License-Identifier: ISC */
/*
 * ctl: one request to the local hirobad over ipc://DATA/ctl.sock and its one answer, and
 * the small caches built on it (this group's key, group names). Every envelope the daemon
 * returns is verified and validated here before anyone looks at it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "hiroba.h"

#define CTL_TIMEOUT_MS	10000
#define DEFAULT_CONF	"/etc/hiroba/hirobad.conf"

static int
not_running(struct cli *cli, const char *why)
{
	fflush(stdout);
	fprintf(stderr, _("hiroba: hirobad is not running at %s"), cli->dir);
	if (why != NULL)
		fprintf(stderr, " (%s)", why);
	fprintf(stderr, _(": start it with `%s`\n"), conf_start_hint(cli->conf));
	return HB_EXIT_DOWN;
}

/* -d, $HIROBA_DIR, else the `data` key of -c / $HIROBA_CONF / the default config. */
int
hc_dir(struct cli *cli)
{
	const char *conf, *env;
	char *data = NULL;
	int rc;

	if (cli->dir != NULL)
		return 0;
	if ((conf = cli->conf_opt) == NULL && ((conf = getenv("HIROBA_CONF")) == NULL ||
	    *conf == '\0'))
		conf = DEFAULT_CONF;
	env = getenv("HIROBA_DIR");
	if (cli->dir_opt != NULL || (env != NULL && *env != '\0')) {
		cli->dir = strdup(cli->dir_opt != NULL ? cli->dir_opt : env);
		/* Without -c the config is probably where `hiroba init` put it. */
		if (cli->conf_opt == NULL && cli->dir != NULL)
			cli->conf = cli_strf("%s/hirobad.conf", cli->dir);
	} else {
		if ((rc = conf_data_dir(conf, &data)) != 0)
			return cli_error(HB_EXIT_DOWN, "cannot find hirobad's data directory: %s: "
			    "%s; give -d DIR or -c FILE, or set HIROBA_DIR", conf,
			    rc == ENOENT && access(conf, R_OK) == 0 ?
			    "no `data` in [node]" : strerror(rc));
		cli->dir = data;
	}
	if (cli->conf == NULL)
		cli->conf = strdup(conf);
	if (cli->dir == NULL || cli->conf == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	return 0;
}

/* A quick look before ZeroMQ, which would wait out its timeout on a dead socket: is the
 * socket file there, and does anyone accept on it? */
static int
probe(struct cli *cli, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd, rc = 0;

	if (stat(path, &sb) != 0)
		return not_running(cli, errno == ENOENT ? NULL : strerror(errno));
	if (!S_ISSOCK(sb.st_mode))
		return not_running(cli, _("ctl.sock is not a socket"));
	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;	/* let ZeroMQ report it */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			rc = not_running(cli, _("stale ctl.sock"));
		else if (errno == EACCES)
			rc = cli_error(HB_EXIT_DOWN, "cannot talk to hirobad at %s: %s "
			    "(run hiroba as the daemon's user)", cli->dir, strerror(errno));
	}
	close(fd);
	return rc;
}

Hiroba__Wire__CtlRequest
hc_request(void)
{
	Hiroba__Wire__CtlRequest req;

	hiroba__wire__ctl_request__init(&req);
	return req;
}

int
hc_call(struct cli *cli, const Hiroba__Wire__CtlRequest *req,
    Hiroba__Wire__CtlResponse **resp)
{
	void *ctx = NULL, *sock = NULL;
	char *path = NULL, *endpoint = NULL;
	uint8_t *buf = NULL;
	size_t len;
	zmq_msg_t msg;
	int rc, opt, msg_open = 0;
	int64_t maxsize = -1;

	*resp = NULL;
	if (cli->remote != NULL)
		return remote_call(cli, req, resp);
	if ((rc = hc_dir(cli)) != 0)
		return rc;
	if ((path = cli_strf("%s/ctl.sock", cli->dir)) == NULL ||
	    (endpoint = cli_strf("ipc://%s", path)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((rc = probe(cli, path)) != 0)
		goto out;
	len = hiroba__wire__ctl_request__get_packed_size(req);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "out of memory");
		goto out;
	}
	hiroba__wire__ctl_request__pack(req, buf);
	rc = HB_EXIT_DOWN;
	if ((ctx = zmq_ctx_new()) == NULL || (sock = zmq_socket(ctx, ZMQ_REQ)) == NULL) {
		cli_error(rc, "zeromq: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	opt = 0;
	zmq_setsockopt(sock, ZMQ_LINGER, &opt, sizeof(opt));
	opt = CTL_TIMEOUT_MS;
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &opt, sizeof(opt));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &opt, sizeof(opt));
	zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	if (zmq_connect(sock, endpoint) != 0) {
		cli_error(rc, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
		goto out;
	}
	if (zmq_send(sock, buf, len, 0) < 0) {
		rc = not_running(cli, zmq_strerror(zmq_errno()));
		goto out;
	}
	zmq_msg_init(&msg);
	msg_open = 1;
	if (zmq_msg_recv(&msg, sock, 0) < 0) {
		rc = not_running(cli, zmq_errno() == EAGAIN ? _("no answer in 10 s") :
		    zmq_strerror(zmq_errno()));
		goto out;
	}
	*resp = hiroba__wire__ctl_response__unpack(NULL, zmq_msg_size(&msg),
	    zmq_msg_data(&msg));
	if (*resp == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "hirobad at %s sent an answer that does not parse "
		    "(a different version?)", cli->dir);
		goto out;
	}
	rc = HB_EXIT_OK;
out:
	if (msg_open)
		zmq_msg_close(&msg);
	if (sock != NULL)
		zmq_close(sock);
	if (ctx != NULL)
		zmq_ctx_term(ctx);
	free(buf);
	free(endpoint);
	free(path);
	return rc;
}

int
hc_failed(const Hiroba__Wire__CtlResponse *resp, const char *what)
{
	const char *msg = resp->error != NULL && *resp->error != '\0' ? resp->error :
	    proto_strerror(resp->code);

	fflush(stdout);
	if (what != NULL)
		fprintf(stderr, "hiroba: %s: %s\n", what, msg);
	else
		fprintf(stderr, "hiroba: hirobad: %s\n", msg);
	return resp->code == CTL_NOTFOUND ? HB_EXIT_NOTFOUND : HB_EXIT_FAIL;
}

struct hb_record *
hc_open(const ProtobufCBinaryData *env)
{
	struct hb_record *r = NULL;
	int rc;

	if ((rc = proto_open(env->data, env->len, (int64_t)time(NULL), &r)) != 0) {
		cli_warn("skipping a record from hirobad that does not verify: %s",
		    proto_strerror(rc));
		return NULL;
	}
	return r;
}

int
hc_publish(struct cli *cli, const struct hb_record *draft, struct hb_record **out)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	struct hb_record *r = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = proto_draft_encode(draft, &buf, &len)) != 0) {
		rc = cli_error(HB_EXIT_FAIL, "cannot encode the record: %s", proto_strerror(rc));
		goto out;
	}
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_PUBLISH;
	req.publish.data = buf;
	req.publish.len = len;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		goto out;
	if (resp->code != 0) {
		rc = hc_failed(resp, "hirobad refused the record");
		if (rc == HB_EXIT_NOTFOUND)
			rc = HB_EXIT_FAIL;
		goto out;
	}
	if (resp->n_envelopes < 1 || (r = hc_open(&resp->envelopes[0])) == NULL) {
		rc = cli_error(HB_EXIT_FAIL, "hirobad accepted the record but did not return "
		    "it signed");
		goto out;
	}
	if (out != NULL) {
		*out = r;
		r = NULL;
	}
out:
	hb_record_free(&r);
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	free(buf);
	return rc;
}

int
hc_get(struct cli *cli, const uint8_t author[HB_KEY_LEN], const char *id,
    struct hb_record **out)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__GetReq get = HIROBA__WIRE__GET_REQ__INIT;
	Hiroba__Wire__CtlResponse *resp = NULL;
	const uint8_t *a;
	int rc;

	*out = NULL;
	get.author.data = (uint8_t *)author;
	get.author.len = HB_KEY_LEN;
	get.id = (char *)id;
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_GET;
	req.get = &get;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		goto out;
	if (resp->code == CTL_NOTFOUND || (resp->code == 0 && resp->n_envelopes == 0)) {
		rc = HB_EXIT_NOTFOUND;
		goto out;
	}
	if (resp->code != 0) {
		rc = hc_failed(resp, NULL);
		goto out;
	}
	rc = HB_EXIT_FAIL;
	if ((*out = hc_open(&resp->envelopes[0])) == NULL)
		goto out;
	a = proto_record_author(*out);
	if (memcmp(a, author, HB_KEY_LEN) != 0 || strcmp(proto_record_id(*out), id) != 0) {
		cli_error(rc, "hirobad answered with a different record than asked for");
		hb_record_free(out);
		goto out;
	}
	rc = HB_EXIT_OK;
out:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

int
hc_query(struct cli *cli, const Hiroba__Wire__Query *q, Hiroba__Wire__CtlResponse **resp)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	int rc;

	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_QUERY;
	req.query = (Hiroba__Wire__Query *)q;
	if ((rc = hc_call(cli, &req, resp)) != 0)
		return rc;
	if ((*resp)->code != 0) {
		rc = hc_failed(*resp, "query failed");
		hiroba__wire__ctl_response__free_unpacked(*resp, NULL);
		*resp = NULL;
	}
	return rc;
}

int
hc_status(struct cli *cli, const Hiroba__Wire__Status **st)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	int rc;

	*st = NULL;
	if (cli->status != NULL) {
		*st = cli->status;
		return 0;
	}
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_STATUS;
	req.status = 1;
	if ((rc = hc_call(cli, &req, &resp)) != 0)
		return rc;
	if (resp->code != 0)
		rc = hc_failed(resp, "status");
	else if (resp->status == NULL || resp->status->key.len != HB_KEY_LEN)
		rc = cli_error(HB_EXIT_FAIL, "hirobad sent a status without its key");
	else {
		/* Keep the Status and free the rest of the response around it. */
		cli->status = resp->status;
		resp->status = NULL;
		*st = cli->status;
	}
	hiroba__wire__ctl_response__free_unpacked(resp, NULL);
	return rc;
}

int
hc_self(struct cli *cli, const uint8_t **key)
{
	const Hiroba__Wire__Status *st;
	int rc;

	*key = NULL;
	if (cli->remote != NULL) {	/* a bare ID names the remote group's record */
		*key = cli->remote_key;
		return 0;
	}
	if ((rc = hc_status(cli, &st)) != 0)
		return rc;
	*key = st->key.data;
	return 0;
}

/* With --remote there is no status to ask: a group's name is in the membership record
 * the center wrote for it, which the remote holds (the center's key is in our config). */
static void
name_remote(struct cli *cli, const uint8_t key[HB_KEY_LEN], const char *hex)
{
	uint8_t center[HB_KEY_LEN];
	struct hb_record *r = NULL;
	struct hb_member m;
	char *c = NULL, *id = NULL;

	if (hc_dir(cli) != 0 || conf_node_get(cli->conf, "center", &c) != 0 ||
	    proto_key_parse(c, center) != 0 || (id = cli_strf("member/%s", hex)) == NULL)
		goto out;
	if (hc_get(cli, center, id, &r) == 0 && proto_record_membership(r, &m) == 0 &&
	    memcmp(m.key, key, HB_KEY_LEN) == 0 && m.name[0] != '\0')
		json_object_set_new(cli->names, hex, json_string(m.name));
out:
	hb_record_free(&r);
	free(id);
	free(c);
}

static void
names_load(struct cli *cli)
{
	Hiroba__Wire__CtlRequest req = hc_request();
	Hiroba__Wire__CtlResponse *resp = NULL;
	const Hiroba__Wire__Status *st = NULL;
	struct hb_record *r;
	struct hb_member m;
	char hex[HB_KEYHEX_LEN];
	size_t i;

	if ((cli->names = json_object()) == NULL)
		return;
	if (cli->remote != NULL)	/* name by name, in hc_group_name */
		return;
	/* Our own name and the names our config gives peers first; the center's roster
	 * may say otherwise and wins. */
	if (hc_status(cli, &st) != 0)
		st = NULL;
	if (st != NULL && st->name != NULL && *st->name != '\0') {
		proto_key_hex(st->key.data, hex);
		json_object_set_new(cli->names, hex, json_string(st->name));
	}
	for (i = 0; st != NULL && i < st->n_peers; i++)
		if (st->peers[i]->key.len == HB_KEY_LEN && st->peers[i]->name != NULL &&
		    *st->peers[i]->name != '\0') {
			proto_key_hex(st->peers[i]->key.data, hex);
			json_object_set_new(cli->names, hex, json_string(st->peers[i]->name));
		}
	req.r_case = HIROBA__WIRE__CTL_REQUEST__R_MEMBERS;
	req.members = 1;
	if (hc_call(cli, &req, &resp) != 0 || resp->code != 0)
		goto out;
	for (i = 0; i < resp->n_envelopes; i++) {
		if ((r = hc_open(&resp->envelopes[i])) == NULL)
			continue;
		/* Only the center's word counts. */
		if (proto_record_membership(r, &m) == 0 && m.name[0] != '\0' &&
		    (st == NULL || !st->has_center || st->center.len != HB_KEY_LEN ||
		    memcmp(proto_record_author(r), st->center.data, HB_KEY_LEN) == 0)) {
			proto_key_hex(m.key, hex);
			json_object_set_new(cli->names, hex, json_string(m.name));
		}
		hb_record_free(&r);
	}
out:
	if (resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(resp, NULL);
}

const char *
hc_group_name(struct cli *cli, const uint8_t key[HB_KEY_LEN])
{
	char hex[HB_KEYHEX_LEN], fpr[HB_FPR_LEN];
	json_t *v;

	if (cli->names == NULL)
		names_load(cli);
	if (cli->names == NULL)
		return "?";
	proto_key_hex(key, hex);
	if ((v = json_object_get(cli->names, hex)) == NULL && cli->remote != NULL) {
		name_remote(cli, key, hex);
		v = json_object_get(cli->names, hex);
	}
	if (v == NULL) {
		proto_fingerprint(key, fpr);
		json_object_set_new(cli->names, hex, json_string(fpr));
		v = json_object_get(cli->names, hex);
	}
	return v != NULL ? json_string_value(v) : "?";
}

int
hc_group_parse(struct cli *cli, const char *s, uint8_t key[HB_KEY_LEN])
{
	const char *hex, *name;
	char fpr[HB_FPR_LEN];
	uint8_t k[HB_KEY_LEN];
	json_t *v;
	int found = 0;

	if (strlen(s) == 64)
		return proto_key_parse(s, key) == 0 ? 0 :
		    cli_usage(cli, "'%s' is not a group key", s);
	if (cli->names == NULL)
		names_load(cli);
	json_object_foreach(cli->names, hex, v) {
		name = json_string_value(v);
		if (proto_key_parse(hex, k) != 0)
			continue;
		proto_fingerprint(k, fpr);
		if ((name != NULL && strcmp(name, s) == 0) || strcasecmp(fpr, s) == 0) {
			memcpy(key, k, HB_KEY_LEN);
			found++;
		}
	}
	if (found == 1)
		return 0;
	if (found > 1)
		return cli_error(HB_EXIT_USAGE, "'%s' names more than one group: give its key", s);
	return cli_error(HB_EXIT_NOTFOUND, "no group '%s' among the members (give a key, a "
	    "fingerprint or a name from `hiroba members`)", s);
}

void
cli_free(struct cli *cli)
{
	if (cli->status != NULL)
		hiroba__wire__status__free_unpacked(cli->status, NULL);
	cli->status = NULL;
	json_decref(cli->names);
	cli->names = NULL;
	free(cli->dir);
	free(cli->conf);
	cli->dir = cli->conf = NULL;
}

int
hc_query_open(struct cli *cli, const Hiroba__Wire__Query *q, struct qres *res)
{
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = hc_query(cli, q, &res->resp)) != 0)
		return rc;
	res->n = res->resp->n_envelopes;
	if ((res->recs = calloc(res->n + 1, sizeof(*res->recs))) == NULL ||
	    (res->json = calloc(res->n + 1, sizeof(*res->json))) == NULL) {
		qres_free(res);
		return cli_error(HB_EXIT_FAIL, "out of memory");
	}
	/* A record that does not open is left NULL and skipped by every listing. */
	for (i = 0; i < res->n; i++)
		if ((res->recs[i] = hc_open(&res->resp->envelopes[i])) != NULL)
			res->json[i] = json_record(cli, res->recs[i]);
	return 0;
}

void
qres_free(struct qres *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		if (res->recs != NULL)
			hb_record_free(&res->recs[i]);
		if (res->json != NULL)
			json_decref(res->json[i]);
	}
	free(res->recs);
	free(res->json);
	if (res->resp != NULL)
		hiroba__wire__ctl_response__free_unpacked(res->resp, NULL);
	memset(res, 0, sizeof(*res));
}
