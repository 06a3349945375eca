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
 *   B@head(s)       the head(s) of branch B: a branch label, or a
 *                   revision id standing for the branch it is on
 *   B@base          base, for branch B only (downgrade B@base)
 *   B@+N | B@-N     relative steps from B's current row, within B
 *   B@ID            ID, checked to share B's lineage; a downgrade to it
 *                   reverts B's revisions above ID only
 *   base+N, head-N  steps from base or the single head
 * A relative walk that meets a branch or merge point is "ambiguous walk";
 * one that runs out of revisions is "relative revision +N didn't produce N
 * migrations". Error texts follow Alembic's wording.
 *
 * Ownership: out owns revs and branch; free them with revspec_free().
 */
#ifndef MG_REVSPEC_H
#define MG_REVSPEC_H

#include "graph.h"

struct mg_error;

struct revspec {
	int		 base;		/* resolved to base */
	struct idxlist	 revs;		/* otherwise these revisions */
	/*
	 * BRANCH@...: the revisions of that branch (graph_mark_branch), so
	 * a downgrade stays in it; NULL otherwise. g->n flags.
	 */
	unsigned char	*branch;
};

int	revspec_resolve(struct revspec *out, const struct graph *,
	    const struct idxlist *current, const char *spec,
	    struct mg_error *err);
void	revspec_free(struct revspec *);

/* Resolve one id or unique prefix (no keywords). */
int	revspec_find(size_t *out, const struct graph *, const char *id,
	    struct mg_error *err);

#endif
