/* SPDX-License-Identifier: ISC */
/*
 * recon: range fingerprints over the author states of a store (PROTOCOL.md 11.3.1).
 * A pull compares fingerprints of key ranges first and asks for the records of an
 * author only where the two sides' states differ, so a round between equal stores
 * costs one fingerprint whatever the number of authors.
 */
#ifndef HIROBA_RECON_H
#define HIROBA_RECON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define RECON_FP_LEN	16	/* bytes of a range fingerprint */
#define RECON_LEAF	16	/* a differing range with at most this many authors is listed */
#define RECON_SPLIT	16	/* ... else it is cut into this many sub-ranges (defaults of
				 * [limits] recon_leaf, recon_split) */
#define RECON_SPLIT_MAX	64
#define RECON_MSG_MAX	4096	/* ranges (or holds) in one message: more is malformed */
#define RECON_ASK_MAX	64	/* ranges a puller puts in one request */

/* A bound: a key prefix of len bytes, compared as if padded with zeros. */
struct recon_bound {
	uint8_t		 b[HB_KEY_LEN];
	size_t		 len;
};

/* [lo, hi); an empty hi is the end of the key space, an empty lo its start */
struct recon_range {
	struct recon_bound lo, hi;
};

/* One side's author states, sorted by key, each with its item hash. */
struct recon_set {
	struct store_author	*a;
	uint8_t			(*h)[32];
	size_t			 n;
};

void	 recon_item_hash(const uint8_t author[HB_KEY_LEN], uint64_t complete,
	    uint64_t max_seq, uint8_t out[32]);
/* Copies, sorts and hashes n states. 0 or ENOMEM. */
int	 recon_set_load(struct recon_set *s, const struct store_author *a, size_t n);
void	 recon_set_free(struct recon_set *s);
/* key <, =, > the bound padded with zeros: -1, 0, 1 */
int	 recon_bound_cmp(const uint8_t key[HB_KEY_LEN], const struct recon_bound *b);
/* The items of s in r: indices [*i0, *i1). */
void	 recon_span(const struct recon_set *s, const struct recon_range *r, size_t *i0,
	    size_t *i1);
void	 recon_fp(const struct recon_set *s, size_t i0, size_t i1,
	    uint8_t fp[RECON_FP_LEN]);
/* The shortest bound above prev and at most next (prev < next). */
void	 recon_between(const uint8_t prev[HB_KEY_LEN], const uint8_t next[HB_KEY_LEN],
	    struct recon_bound *out);
/* Cut the items [i0, i1) of range r into parts sub-ranges of equal count; out gets
 * parts ranges covering r exactly. i1 - i0 must be at least parts. */
void	 recon_split(const struct recon_set *s, const struct recon_range *r, size_t i0,
	    size_t i1, size_t parts, struct recon_range *out);

/* Does the fingerprint of our items in r differ from fp? */
bool	 recon_differs(const struct recon_set *s, const struct recon_range *r,
	    const uint8_t fp[RECON_FP_LEN]);

/*
 * The answer to a peer's ranges (in[i] with its fingerprint infp[i]), in order, while
 * the answer has room: at least the first, then while its bytes stay under budget. A
 * range whose fingerprint equals ours is done; one that differs is answered with our
 * states in it (hold: indices into s) when we hold at most leaf authors there or fewer
 * than split, else cut into split sub-ranges with our fingerprints (r, fp). done: how
 * many of in were answered. bytes: about what the answer takes on the wire.
 */
struct recon_out {
	struct recon_range	*r;
	uint8_t			(*fp)[RECON_FP_LEN];
	size_t			*hold;
	size_t			 nr, nh, cap, done, bytes;
};
int	 recon_answer(const struct recon_set *s, const struct recon_range *in,
	    const uint8_t (*infp)[RECON_FP_LEN], size_t nin, size_t leaf, size_t split,
	    size_t budget, struct recon_out *o);
void	 recon_out_free(struct recon_out *o);

#endif
