/*
 * query: the listings' query builder. Terms are added one option at a time into an
 * array that grows, so no command line can write past it; the daemon's limit on terms
 * (VOCAB_QUERY_TERMS) is said here, by name, instead of as a refusal from the daemon.
 */
#include <stdlib.h>
#include <string.h>

#include "hiroba.h"

void
qb_init(struct qb *b, enum hb_kind kind)
{
	Hiroba__Wire__Query init = HIROBA__WIRE__QUERY__INIT;

	memset(b, 0, sizeof(*b));
	b->q = init;
	if (kind != HB_KIND_NONE) {
		b->q.has_kind = 1;
		b->q.kind = kind;
	}
}

void
qb_free(struct qb *b)
{
	size_t i;

	for (i = 0; i < b->q.n_terms; i++)
		free(b->terms[i]);
	free(b->terms);
	b->terms = NULL;
	b->q.terms = NULL;
	b->q.n_terms = b->cap = 0;
}

int
qb_term(struct cli *cli, struct qb *b, const char *name, const char *value)
{
	char *t, **grown;
	size_t i;

	if ((t = cli_strf("%s=%s", name, value)) == NULL)
		return cli_error(HB_EXIT_FAIL, "out of memory");
	for (i = 0; i < b->q.n_terms; i++)	/* --open --open: one term */
		if (strcmp(b->terms[i], t) == 0) {
			free(t);
			return 0;
		}
	if (b->q.n_terms >= VOCAB_QUERY_TERMS) {
		free(t);
		return cli_usage(cli, "at most %d filters in one listing (--tag, --skill, "
		    "--area, --category, --audience, --open ... together)", VOCAB_QUERY_TERMS);
	}
	if (b->q.n_terms == b->cap) {
		if ((grown = reallocarray(b->terms, b->cap ? b->cap * 2 : 4,
		    sizeof(*grown))) == NULL) {
			free(t);
			return cli_error(HB_EXIT_FAIL, "out of memory");
		}
		b->terms = grown;
		b->cap = b->cap ? b->cap * 2 : 4;
	}
	b->terms[b->q.n_terms++] = t;
	b->q.terms = b->terms;
	return 0;
}

int
qb_enum(struct cli *cli, struct qb *b, const struct vocab *v, const char *opt,
    const char *name, const char *value)
{
	const struct vocab *f;
	char ok[512];

	if ((f = vocab_find_label(v, value)) == NULL)
		return cli_usage(cli, "--%s: unknown '%s'; one of: %s", opt, value,
		    vocab_accepted(v, ok, sizeof(ok)));
	return qb_term(cli, b, name, f->name);
}

int
qb_group(struct cli *cli, struct qb *b, const char *group, uint8_t author[HB_KEY_LEN])
{
	int rc;

	if (group == NULL)
		return 0;
	if ((rc = hc_group_parse(cli, group, author)) != 0)
		return rc;
	b->q.has_author = 1;
	b->q.author.data = author;
	b->q.author.len = HB_KEY_LEN;
	return 0;
}
