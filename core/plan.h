/*
 * plan: (graph, applied set, targets, direction) -> ordered steps. PURE.
 *
 * Upgrade applies every ancestor of the targets (targets included) not yet
 * applied; downgrade un-applies every applied revision that descends from a
 * target (the targets stay), or everything for base. The order is
 * graph_order() (Kahn, smallest id first) for upgrades and its exact
 * reverse for downgrades (DESIGN.md "The graph and identifiers").
 *
 * Ownership: a plan holds revision indices into the graph it was made
 * from; plan_free() releases the step array only.
 */
#ifndef MG_PLAN_H
#define MG_PLAN_H

#include <stddef.h>

struct graph;
struct mg_error;

struct plan_step {
	size_t	rev;
	int	up;		/* 1 upgrade, 0 downgrade */
};

struct plan {
	struct plan_step	*v;
	size_t			 n;
};

void	plan_upgrade(struct plan *out, const struct graph *,
	    const unsigned char *applied, const size_t *targets,
	    size_t ntargets);

/*
 * ntargets == 0 means base. A target that is not applied is
 * MG_ENOTFOUND ("not a valid downgrade target"). branch (g->n flags, or
 * NULL) narrows it to one branch (revspec's BRANCH@...): only that
 * branch's revisions above the targets, and what depends on them.
 */
int	plan_downgrade(struct plan *out, const struct graph *,
	    const unsigned char *applied, const size_t *targets,
	    size_t ntargets, const unsigned char *branch,
	    struct mg_error *err);

/* Keep only the first n steps (for +N/-N style limits). */
void	plan_truncate(struct plan *, size_t n);
void	plan_free(struct plan *);

#endif
