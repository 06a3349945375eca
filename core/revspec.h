/*
 * revspec: resolve a target string to revisions (Alembic's grammar). PURE.
 *
 *   base            no revision (everything un-applied)
 *   head            the single head (MG_EMULTIHEADS when there are several)
 *   heads           every head
 *   current         the current version rows
 *   ID | PREFIX     a full id, or a unique prefix of at least 4 characters
 *   +N | -N         N steps up / down from the single current head
 *   ID+N | ID-N     N steps from ID
 *   LABEL@head(s)   the head(s) of a branch label
 * A relative walk that meets a branch or merge point is "ambiguous walk";
 * one that runs out of revisions is "relative revision +N didn't produce N
 * migrations". Error texts follow Alembic's wording.
 *
 * Ownership: out->revs holds graph indices; free it with idxlist_clear().
 */
#ifndef MG_REVSPEC_H
#define MG_REVSPEC_H

#include "graph.h"

struct mg_error;

struct revspec {
	int		base;	/* resolved to base */
	struct idxlist	revs;	/* otherwise these revisions */
};

int	revspec_resolve(struct revspec *out, const struct graph *,
	    const struct idxlist *current, const char *spec,
	    struct mg_error *err);

/* Resolve one id or unique prefix (no keywords). */
int	revspec_find(size_t *out, const struct graph *, const char *id,
	    struct mg_error *err);

#endif
