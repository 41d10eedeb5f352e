/* SPDX-License-Identifier: ISC */
/*
 * recon: range fingerprints over author states (PROTOCOL.md 11.3.1).
 *
 * The design is negentropy's (range-based set reconciliation, as strfry uses it), over
 * the per-author vector rather than over every record: an item is one author's state
 * (key, complete, max_seq), a range's fingerprint is a hash of the sum mod 2^256 of its
 * items' hashes and their count. A sum, not a hash of the concatenation, so that a
 * range's fingerprint needs no ordering beyond membership; mod 2^256 rather than XOR,
 * because with XOR a few chosen items cancel out. Items rather than records, because
 * the pull below them (11.3) already moves records per author with acknowledgements and
 * quotas; what costs today is the vector, 40 bytes an author at every round.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "recon.h"

void
recon_item_hash(const uint8_t author[HB_KEY_LEN], uint64_t complete, uint64_t max_seq,
    uint8_t out[32])
{
	uint8_t		 in[HB_KEY_LEN + 16];
	int		 i;

	memcpy(in, author, HB_KEY_LEN);
	for (i = 0; i < 8; i++) {	/* big-endian */
		in[HB_KEY_LEN + i] = (uint8_t)(complete >> (56 - 8 * i));
		in[HB_KEY_LEN + 8 + i] = (uint8_t)(max_seq >> (56 - 8 * i));
	}
	crypto_generichash(out, 32, in, sizeof(in), NULL, 0);
}

static int
author_cmp(const void *a, const void *b)
{
	return memcmp(((const struct store_author *)a)->author,
	    ((const struct store_author *)b)->author, HB_KEY_LEN);
}

int
recon_set_load(struct recon_set *s, const struct store_author *a, size_t n)
{
	size_t		 i;

	memset(s, 0, sizeof(*s));
	if ((s->a = calloc(n + 1, sizeof(*s->a))) == NULL ||
	    (s->h = calloc(n + 1, sizeof(*s->h))) == NULL) {
		recon_set_free(s);
		return ENOMEM;
	}
	if (n > 0) {
		memcpy(s->a, a, n * sizeof(*a));
		qsort(s->a, n, sizeof(*s->a), author_cmp);
	}
	for (i = 0; i < n; i++)
		recon_item_hash(s->a[i].author, s->a[i].complete, s->a[i].max_seq, s->h[i]);
	s->n = n;
	return 0;
}

void
recon_set_free(struct recon_set *s)
{
	free(s->a);
	free(s->h);
	memset(s, 0, sizeof(*s));
}

int
recon_bound_cmp(const uint8_t key[HB_KEY_LEN], const struct recon_bound *b)
{
	size_t		 i;
	int		 c;

	if ((c = memcmp(key, b->b, b->len)) != 0)
		return c < 0 ? -1 : 1;
	for (i = b->len; i < HB_KEY_LEN; i++)
		if (key[i] != 0)
			return 1;
	return 0;
}

/* The first item at or above the bound. */
static size_t
lower_index(const struct recon_set *s, const struct recon_bound *b)
{
	size_t		 lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (recon_bound_cmp(s->a[mid].author, b) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
recon_span(const struct recon_set *s, const struct recon_range *r, size_t *i0, size_t *i1)
{
	*i0 = lower_index(s, &r->lo);
	*i1 = r->hi.len == 0 ? s->n : lower_index(s, &r->hi);
	if (*i1 < *i0)		/* lo above hi: an empty range */
		*i1 = *i0;
}

void
recon_fp(const struct recon_set *s, size_t i0, size_t i1, uint8_t fp[RECON_FP_LEN])
{
	uint8_t		 in[32 + 8] = { 0 };
	uint64_t	 count = i1 - i0;
	unsigned	 sum, k;
	size_t		 i;

	for (i = i0; i < i1; i++)	/* in[0..31] += h, little-endian, mod 2^256 */
		for (k = 0, sum = 0; k < 32; k++) {
			sum += (unsigned)in[k] + s->h[i][k];
			in[k] = (uint8_t)sum;
			sum >>= 8;
		}
	for (k = 0; k < 8; k++)
		in[32 + k] = (uint8_t)(count >> (8 * k));
	crypto_generichash(fp, RECON_FP_LEN, in, sizeof(in), NULL, 0);
}

void
recon_between(const uint8_t prev[HB_KEY_LEN], const uint8_t next[HB_KEY_LEN],
    struct recon_bound *out)
{
	size_t		 n = 0;

	while (n < HB_KEY_LEN - 1 && prev[n] == next[n])
		n++;
	memset(out, 0, sizeof(*out));
	memcpy(out->b, next, n + 1);
	out->len = n + 1;
}

void
recon_split(const struct recon_set *s, const struct recon_range *r, size_t i0, size_t i1,
    size_t parts, struct recon_range *out)
{
	size_t		 k = i1 - i0, j, start;

	for (j = 0; j < parts; j++) {
		start = i0 + j * k / parts;
		if (j == 0)
			out[j].lo = r->lo;
		else
			recon_between(s->a[start - 1].author, s->a[start].author, &out[j].lo);
		if (j > 0)
			out[j - 1].hi = out[j].lo;
	}
	out[parts - 1].hi = r->hi;
}

bool
recon_differs(const struct recon_set *s, const struct recon_range *r,
    const uint8_t fp[RECON_FP_LEN])
{
	uint8_t		 mine[RECON_FP_LEN];
	size_t		 i0, i1;

	recon_span(s, r, &i0, &i1);
	recon_fp(s, i0, i1, mine);
	return memcmp(mine, fp, RECON_FP_LEN) != 0;
}

int
recon_answer(const struct recon_set *s, const struct recon_range *in,
    const uint8_t (*infp)[RECON_FP_LEN], size_t nin, size_t leaf, size_t split,
    size_t budget, struct recon_out *o)
{
	size_t		 i, j, k, i0, i1, s0, s1;

	memset(o, 0, sizeof(*o));
	if (split < 2)
		split = 2;
	o->cap = nin * (leaf > split ? leaf : split);
	if (o->cap > RECON_MSG_MAX)
		o->cap = RECON_MSG_MAX;
	if ((o->r = calloc(o->cap + 1, sizeof(*o->r))) == NULL ||
	    (o->fp = calloc(o->cap + 1, sizeof(*o->fp))) == NULL ||
	    (o->hold = calloc(o->cap + 1, sizeof(*o->hold))) == NULL) {
		recon_out_free(o);
		return ENOMEM;
	}
	for (i = 0; i < nin; i++) {
		if (o->done > 0 && (o->bytes >= budget || o->nr + split > o->cap ||
		    o->nh + leaf > o->cap))
			break;
		o->done++;
		if (!recon_differs(s, &in[i], infp[i]))
			continue;
		recon_span(s, &in[i], &i0, &i1);
		if (i1 - i0 <= leaf || i1 - i0 < split) {
			for (k = i0; k < i1 && o->nh < o->cap; k++) {
				o->hold[o->nh++] = k;
				o->bytes += HB_KEY_LEN + 16;
			}
			continue;
		}
		recon_split(s, &in[i], i0, i1, split, o->r + o->nr);
		for (j = 0; j < split; j++, o->nr++) {
			recon_span(s, &o->r[o->nr], &s0, &s1);
			recon_fp(s, s0, s1, o->fp[o->nr]);
			o->bytes += o->r[o->nr].lo.len + o->r[o->nr].hi.len + RECON_FP_LEN + 8;
		}
	}
	return 0;
}

void
recon_out_free(struct recon_out *o)
{
	free(o->r);
	free(o->fp);
	free(o->hold);
	memset(o, 0, sizeof(*o));
}
