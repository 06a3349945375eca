/*
 * version: the version rows (one per head of the applied set) and how each
 * plan step changes them, as Alembic's HeadMaintainer does: INSERT for a
 * new base or branch, UPDATE for a linear step, DELETE+UPDATE crossing a
 * merge, UPDATE+INSERT un-merging, DELETE closing a branch. PURE.
 *
 * The applied set is everything reachable from the rows through parents and
 * dependencies. Ownership: the state borrows the graph (free the state
 * first) and owns its arrays.
 */
#ifndef MG_VERSION_H
#define MG_VERSION_H

#include <stddef.h>

#include "graph.h"

struct mg_error;
struct strlist;

enum vop_kind {
	VOP_DELETE,	/* DELETE row from */
	VOP_UPDATE,	/* UPDATE row from -> to */
	VOP_INSERT	/* INSERT row to */
};

struct vop {
	enum vop_kind	kind;
	size_t		from, to;	/* revision indices */
};

struct vop_list {
	struct vop	*v;
	size_t		 n;
};

struct version_state {
	const struct graph	*g;
	unsigned char		*applied;	/* g->n flags */
	size_t			*kids;		/* applied children+dependents */
	struct idxlist		 rows;		/* current rows, by index */
};

/*
 * Start from the ids found in the version table. An id no revision file has
 * is MG_ENOTFOUND naming it (with a hint about 'stamp --purge').
 */
int	version_init(struct version_state *, const struct graph *,
	    const struct strlist *rows, struct mg_error *err);
void	version_free(struct version_state *);

/*
 * Apply one step (up: rev becomes applied; down: rev, a head, is removed)
 * to the state and put the row changes in ops (DELETEs first, then the
 * UPDATE, then INSERTs). ops->v is reallocated; free it when done.
 */
void	version_step(struct version_state *, size_t rev, int up,
	    struct vop_list *ops);

/* Rows as the set of heads of an arbitrary applied set (for stamp). */
void	version_heads_of(const struct graph *, const unsigned char *applied,
	    struct idxlist *out);

#endif
