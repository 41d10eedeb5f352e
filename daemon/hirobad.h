/* SPDX-License-Identifier: ISC */
/*
 * hirobad: one group's daemon. The node (node.c) owns the sockets and the loop; peers
 * (peer.c) are the other daemons it talks to; sync.c reconciles and pushes records;
 * ctl.c answers the CLI; zap.c decides who may connect at all.
 */
#ifndef HIROBA_HIROBAD_H
#define HIROBA_HIROBAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "proto.h"
#include "recon.h"
#include "store.h"

#define HB_WIRE_VERSION		1
#define PEER_ROUTE_MAX		256	/* ZeroMQ routing ids are at most 255 bytes */
#define SYNC_TIMEOUT		30	/* seconds without an answer ends a pull */
#define PEER_GARBAGE_MAX	20	/* bad messages before a peer is banned */
#define PEER_FORGED_MAX		50	/* forged or invalid records before a ban */
/* pushes this small are relayed before they are committed (see worth_relaying) */
#define PUSH_RELAY_AHEAD	16
/* free space under which a failed write is reported as a full disk */
#define NODE_DISK_LOW		(8 * 1024 * 1024)
#define RESTORED_MARK		"restored"	/* in the data dir, written by hirobad -B */
#define NODE_REJECT_MAX		48	/* distinct rejection reasons counted */
#define NODE_STATUS_EVERY	5	/* seconds between looks at the STATUS= line */

struct http;
struct console;

/* One remote daemon, known by its group key. It may have an outgoing connection (a
 * DEALER we connected because the config names it) and/or an incoming one (a route on
 * our ROUTER, learned from the ZAP-authenticated User-Id of its messages). */
struct pull_cursor {
	uint8_t		 author[HB_KEY_LEN];
	uint64_t	 seq;
	bool		 blocked;	/* a record of it was refused: hold still */
	bool		 held_out;	/* over our quota, or a fork: left out until reset */
	uint64_t	 complete;	/* our complete for it when last looked at */
	int64_t		 stuck_since;	/* since when it has not moved, below seq */
};

struct peer {
	struct peer	*next;
	uint8_t		 key[HB_KEY_LEN];
	char		 fpr[HB_FPR_LEN];
	char		*name;		/* from the config, or the fingerprint */
	char		*endpoint;	/* configured peers only */
	bool		 configured;

	void		*dealer;	/* outgoing socket, or NULL */
	void		*monitor;	/* PAIR receiving the DEALER's socket events */
	bool		 out_up;	/* outgoing handshake succeeded, not disconnected */
	/* libzmq gives up on a connection whose handshake failed (e.g. not admitted
	 * there yet): we make a new one after a backoff */
	int64_t		 reconnect_at;
	unsigned	 backoff;
	uint8_t		 route[PEER_ROUTE_MAX];	/* incoming route on our ROUTER */
	size_t		 routelen;	/* 0: none */
	int		 in_fd;		/* its connection's socket (ZMQ_SRCFD), or -1 */
	int64_t		 last_contact;
	int64_t		 revoked_seen;	/* when we saw its revocation (links close after) */

	/* pulling from this peer */
	uint64_t	 round;		/* current pull round id, 0 = idle */
	int64_t		 round_sent;	/* when the last SyncReq was sent */
	int64_t		 next_pull;	/* when to start the next round */
	bool		 pull_again;	/* a gap was seen during a round: go again */
	/* the current round, for the log (and the benchmarks that read it) */
	bool		 in_round;
	int64_t		 round_t0;	/* monotonic ms */
	size_t		 round_out, round_in, round_recs;
	/* per author, the highest seq this peer has sent us, over which the next request
	 * asks (PROTOCOL.md 11.3, step 4); kept from pull to pull, forgotten at a new link
	 * and every SYNC_FULL_EVERY seconds (cursor_since) */
	struct pull_cursor *cursor;
	size_t		 ncursor, capcursor;
	int64_t		 cursor_since;
	/* answering its pulls: the token of our last SyncBatch to it, until a SyncReq
	 * carries it back (one unread answer at most; PROTOCOL.md 11.3) */
	uint64_t	 answer_token;
	int64_t		 answer_at;
	int		 answer_fd;	/* the connection it went on: -1 our DEALER */
	uint64_t	 unanswered;	/* SyncReqs not answered for that, total */
	uint64_t	 got_token;	/* of the last SyncBatch it sent us */
	double		 remote_bytes;	/* budget for RemoteAnswers to it (ctl.c) */
	int64_t		 remote_at;	/* ms, when the budget was last refilled */
	/* the pull's range reconciliation (PROTOCOL.md 11.3.1): ranges still to compare,
	 * how many of them went in the outstanding request, the authors to ask for by
	 * name (sorted), what its answers said it holds, and requests with ranges so far */
	struct recon_range *want;
	size_t		 nwant, capwant, want_sent;
	struct store_claim *ask;
	size_t		 nask, capask;
	struct store_claim *heard;
	size_t		 nheard, capheard;
	unsigned	 range_reqs;
	/* the answer being received (its parts, PROTOCOL.md 11.3.2): the part due next,
	 * our sum of complete before its first part, whether a cursor moved, whether its
	 * ranges left something to ask */
	uint32_t	 part_next;
	uint64_t	 answer_sum;
	bool		 answer_moved, answer_ask;
	/* what it holds that we might not: from its answers' holds (our pulls), or from
	 * its last unscoped SyncReq */
	struct store_claim *theirs;
	size_t		 ntheirs;

	/* misbehaviour */
	double		 tokens;	/* rate limit bucket */
	int64_t		 tokens_at;
	unsigned	 garbage;
	unsigned	 forged;
	int64_t		 counted_since;	/* start of the minute they are counted in */
	int64_t		 banned_until;
	uint64_t	 rejected;	/* records refused, total */
	uint64_t	 blamed;	/* refusals and garbage held against it (peer_misbehaved) */
	uint64_t	 dropped;	/* messages dropped by the rate limit */
};

struct node {
	struct conf	*conf;
	struct store	*st;
	struct hb_identity id;
	char		 fpr[HB_FPR_LEN];
	void		*zctx;
	void		*router;	/* CURVE server for peers */
	void		*zap;		/* REP on inproc://zeromq.zap.01 */
	void		*ctl;		/* ROUTER on ipc://<data>/ctl.sock */
	long		 ctl_uid;	/* the current request's peer uid (SO_PEERCRED), -1 */
	bool		 ctl_console;	/* ... and it came from this process: the console */
	void		*listen_mon;	/* the ROUTER's socket events (listen.c) */
	struct listen_conn *conns;
	size_t		 nconns;
	char		*ctl_path;
	char		*ctl_link;	/* <data>/ctl.sock -> ctl_path, or NULL */
	struct peer	*peers;
	uint64_t	 next_round;
	int64_t		 started;
	uint64_t	 rejected;
	/* records refused, by reason (store_errname's static names), for /metrics */
	struct node_reject {
		const char	*reason;
		uint64_t	 count;
	}		 rejects[NODE_REJECT_MAX];
	size_t		 nrejects;
	/* members whose records were refused as over their quota (status shows them) */
	struct node_quota {
		uint8_t		 author[HB_KEY_LEN];
		uint64_t	 refused;
		int64_t		 logged;	/* when we last warned of it */
	}		*quota;
	size_t		 nquota;
	struct http	*http;		/* the read-only web page (http.c), or NULL */
	struct console	*console;	/* the signed-in console (console.c), or NULL */
	/* the last STATUS= line sent to systemd, and when it was looked at */
	char		 status_line[256];
	int64_t		 status_at;
	/* Restored from a backup (<data>/restored exists): the network may hold records
	 * we signed after the backup, so we sign nothing new until a peer has told us
	 * what it holds; otherwise we would reuse sequence numbers and fork. */
	bool		 hold_publish;
	/* The center revoked our own membership (its record reached us): we sign
	 * nothing more, and say so. */
	bool		 self_revoked;
	/* ZAP: curve public keys of admitted members, rebuilt when membership changes */
	uint8_t		(*zap_curve)[32];
	uint8_t		(*zap_ed)[HB_KEY_LEN];
	size_t		 nzap;
	uint8_t		(*zap_revoked)[HB_KEY_LEN];
	size_t		 nrevoked;
	uint64_t	 zap_version;
	/* start-up self-test of the ZAP handler */
	uint8_t		 probe_curve[32];
	int		 probe_state;	/* 0 idle, 1 waiting, 2 refused */
};

/* node.c */
int	 node_new(struct node **n, struct conf *conf);	/* takes conf */
void	 node_free(struct node **n);
int	 node_loop(struct node *n);
void	 node_reload(struct node *n, struct conf *conf);	/* takes conf */
int64_t	 node_now(void);
int64_t	 node_now_ms(void);	/* monotonic */
void	 node_notify(const char *state);			/* sd_notify or nothing */
/* A store write failed with rc: a sentence for the log and the CLI, in buf. */
const char *node_write_error(struct node *n, int rc, char *buf, size_t len);
/* A pull from some peer completed: what we signed before a restore is back. */
void	 node_caught_up(struct node *n);
/* Count a refused record under rc's store_errname (main thread only). */
void	 node_rejected(struct node *n, int rc);
/* Count a record of author refused as over its quota; its count so far. */
uint64_t node_over_quota(struct node *n, const uint8_t author[HB_KEY_LEN]);
uint64_t node_quota_refused(const struct node *n, const uint8_t author[HB_KEY_LEN]);

/* peer.c */
struct peer *peer_find(struct node *n, const uint8_t key[HB_KEY_LEN]);
struct peer *peer_get(struct node *n, const uint8_t key[HB_KEY_LEN]);	/* find or add */
int	 peer_connect(struct node *n, struct peer *p);
/* Close our outgoing link to p (its incoming route, if any, stays). */
void	 peer_disconnect(struct node *n, struct peer *p);
void	 peer_free(struct peer *p);
bool	 peer_up(const struct peer *p);
/* Records p holds that we do not, from what it told us in its last pull. */
uint64_t peer_behind(struct node *n, const struct peer *p);
/* Send one PeerMsg (serialized in buf) over the peer's preferred link. 0 or -1. */
int	 peer_send(struct node *n, struct peer *p, const uint8_t *buf, size_t len);
/* Send over the link a request came from: route NULL = p's DEALER. 0 or -1. */
int	 peer_reply(struct node *n, struct peer *p, const uint8_t *route, size_t routelen,
	    const uint8_t *buf, size_t len);
/* One PeerMsg from p, received over the ROUTER (route) or p's DEALER (route NULL):
 * rate limit, decode, hand to sync.c / ctl.c. Never trusts buf. */
void	 peer_dispatch(struct node *n, struct peer *p, const uint8_t *buf, size_t len,
	    const uint8_t *route, size_t routelen);
/* Receive what is waiting on the ROUTER / on p's DEALER and dispatch it. */
void	 peer_router_recv(struct node *n);
void	 peer_dealer_recv(struct node *n, struct peer *p);
void	 peer_monitor(struct node *n, struct peer *p);
/* The ROUTER's connection on socket fd closed (its monitor's DISCONNECTED): forget the
 * route of the peer that came in over it, so status stops calling it connected. */
void	 peer_inbound_closed(struct node *n, int fd);
bool	 peer_allowed(struct node *n, struct peer *p);	/* rate limit + ban */
void	 peer_misbehaved(struct node *n, struct peer *p, bool garbage, const char *why);
void	 peer_tick(struct node *n, int64_t now);

/* sync.c */
struct Hiroba__Wire__SyncReq;
struct Hiroba__Wire__SyncBatch;
struct Hiroba__Wire__Push;
void	 sync_start(struct node *n, struct peer *p);
void	 sync_answer(struct node *n, struct peer *p, const struct Hiroba__Wire__SyncReq *r,
	    const uint8_t *route, size_t routelen);
void	 sync_batch(struct node *n, struct peer *p, const struct Hiroba__Wire__SyncBatch *b);
void	 sync_push_in(struct node *n, struct peer *p, const struct Hiroba__Wire__Push *m);
/* Announce newly stored envelopes to every connected peer but `from`. */
void	 sync_announce(struct node *n, struct peer *from, const uint8_t *const *envs,
	    const size_t *lens, size_t count);
/* Ingest from peer p (or NULL for local), log rejections, announce what was new
 * (except those marked in relayed[], already sent on). gap NULL: the records were
 * pulled (a SyncBatch) or local; otherwise they were pushed, and *gap is set when
 * they show that something was missed (a pull from p settles it). verdicts, if not
 * NULL, gets the store's verdict of each envelope. */
int	 sync_ingest(struct node *n, struct peer *p, const uint8_t *const *envs,
	    const size_t *lens, size_t count, const struct store_claim *claims,
	    size_t nclaims, const bool *relayed, bool *gap, int *verdicts);
void	 sync_hello(struct node *n, struct peer *p, const uint8_t *route, size_t routelen);

/* ctl.c */
/* store_query without the records whose expiry has passed but that the once-a-minute
 * purge has not removed yet. Safe from any thread. */
int	 query_live(struct store *st, const struct store_query *q, store_hit_cb cb,
	    void *arg);
int	 ctl_open(struct node *n);
void	 ctl_dispatch(struct node *n);
void	 ctl_close(struct node *n);
struct Hiroba__Wire__RemoteQuery;
void	 ctl_remote(struct node *n, struct peer *p, const struct Hiroba__Wire__RemoteQuery *q,
	    const uint8_t *route, size_t routelen);

/* privacy.c */
struct Hiroba__Wire__ContactReq;
/* Open a sealed contact with our key, audit the read, then hand it over: *contact is
 * the caller's, to free with privacy_wipe. 0 or an error, err says why. */
int	 privacy_contact(struct node *n, const struct Hiroba__Wire__ContactReq *q,
	    char **contact, char *err, size_t errlen);
void	 privacy_wipe(char **s);
int	 privacy_compact(struct node *n);
void	 privacy_tick(struct node *n, int64_t now);	/* purges expired records */

/* listen.c */
int	 listen_open(struct node *n);
void	 listen_dispatch(struct node *n);
void	 listen_close(struct node *n);

/* zap.c */
int	 zap_open(struct node *n);
void	 zap_dispatch(struct node *n);
void	 zap_refresh(struct node *n);
int	 zap_selftest(struct node *n);
/* Ed25519 key of an admitted member with this CURVE key, or NULL. */
const uint8_t *zap_lookup(struct node *n, const uint8_t curve[32]);
bool	 zap_admitted(struct node *n, const uint8_t key[HB_KEY_LEN]);
/* The center revoked this key (unknown keys are not revoked: we may connect to a
 * configured peer before its admission reaches us). */
bool	 zap_revoked(struct node *n, const uint8_t key[HB_KEY_LEN]);

#endif
