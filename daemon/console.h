/* SPDX-License-Identifier: ISC */
/*
 * console: the coordinators' web console, a signed-in counterpart of the read-only page
 * (http.c) on its own listener ([console] in hirobad.conf, default 127.0.0.1:7380).
 *
 * Security, in one place: loopback only unless the config accepts the risk in writing
 * (conf.c); Host and Origin must be the console's own (DNS rebinding, cross-site
 * posts); sessions are 32 random bytes in an HttpOnly, SameSite=Strict cookie, in
 * memory, ending after [console] session_idle / session_max; every post carries a
 * per-session CSRF token (the sign-in form a cookie-bound one), compared in constant
 * time; failed sign-ins double the wait per name and per address and are logged
 * without the password; pages carry a CSP without script (the map entry's form: only
 * script files of this console, images of the tile server), nosniff, frame-ancestors
 * 'none' and no-store.
 *
 * Threads: libmicrohttpd answers on one thread of its own (no pool), so the console's
 * sessions and sign-in counters need no lock. That thread never touches struct node:
 * it reads and writes through the daemon's control socket, as `hiroba` does, so every
 * write takes ctl.c's one publish path on the main loop (no second writer).
 *
 * Files in the data directory (0600, the daemon's user):
 *   console-users   "NAME:$argon2id$...\n" per account; written by `hiroba console user`
 *                   (under flock), read by the console at each sign-in and request.
 *   console-links   one-time sign-in links of `hiroba console open`: "HASH EXPIRES WHO\n",
 *                   HASH the BLAKE2b-256 of the token in hex; the console removes a
 *                   line when it is used or expired.
 *   console.url     the console's address, written when it starts, for `console open`.
 *   console-import-TOKEN.csv   an upload waiting for its confirmation (console_import.c).
 *
 * Files: console.c (sign-in, sessions, the group's records, the network, dispatch),
 * console_center.c (running `hiroba` for what it computes; the center's matches and
 * report; meetings), console_import.c (CSV in and out); console_int.h between them.
 */
#ifndef HIROBA_CONSOLE_H
#define HIROBA_CONSOLE_H

#define CONSOLE_USERS_FILE	"console-users"
#define CONSOLE_LINKS_FILE	"console-links"
#define CONSOLE_URL_FILE	"console.url"
#define CONSOLE_LINK_SECONDS	600	/* a link of `console open` works this long, once */

struct console;
struct node;

/*
 * Start the console of n->conf->console on its own thread, after ctl_open. Nothing to
 * do without [console]: 0 with *out NULL. Returns 0, or -1 after logging why. On success
 * *out is the caller's, to stop with console_stop before the control socket closes.
 */
int	 console_start(struct console **out, struct node *n);

/* Stop the thread (waits for a request in progress), forget every session, free c.
 * NULL-safe; nulls *c. */
void	 console_stop(struct console **c);

#endif
