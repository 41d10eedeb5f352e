/* SPDX-License-Identifier: ISC */
/*
 * http: hirobad's small read-only web page for parents and partner staff (support map,
 * calendar, volunteer listings) and its feeds: /events.ics, /events/<author>/<id>.ics,
 * /map.geojson, /events.json, /volunteers.json, /config.json, /healthz, /metrics, and the
 * page's files under /static/. Off unless hirobad.conf has an [http] listen.
 *
 * Threads: libmicrohttpd answers on its own thread. That thread only reads the store
 * (store.h allows reads from other threads) and a snapshot of the node's counters that
 * the main loop hands over with http_update; it never touches struct node.
 */
#ifndef HIROBA_HTTP_H
#define HIROBA_HTTP_H

struct http;
struct node;

/*
 * Start serving n->conf->http on its own thread. Nothing to do when [http] is not
 * configured: 0 with *out NULL. Returns 0, or -1 after logging why (the address is
 * taken, ...). On success *out is the caller's, to stop with http_stop before the store
 * closes. The conf and the store must outlive the server.
 */
int	 http_start(struct http **out, struct node *n);

/* Main thread, once a second: copy peers and rejection counters for /metrics. */
void	 http_update(struct http *h, struct node *n);

/* Stop the thread (waits for a request in progress) and free h. NULL-safe; nulls *h. */
void	 http_stop(struct http **h);

#endif
