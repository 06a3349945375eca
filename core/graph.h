/*
 * graph: the revision DAG (Alembic's RevisionMap). PURE: no I/O.
 *
 * Nodes are the revisions of a revision_set, indexed 0..n-1 in the set's
 * order. Edges: parents (down_revision) and dependencies (depends_on); both
 * count as "must be applied first". Heads are revisions that are no
 * revision's parent; bases have no parents. Validation errors name the
 * files: duplicate id, missing parent or dependency, a branch label claimed
 * twice, a cycle (with its path).
 *
 * Ownership: the graph borrows the revisions from the revision_set; free
 * the graph before the set. Index arrays returned by graph_* accessors are
 * owned by the graph.
 */
#ifndef MG_GRAPH_H
#define MG_GRAPH_H

#include <stddef.h>

struct mg_error;
struct revision;
struct revision_set;

struct idxlist {
	size_t	*v;
	size_t	 n;
};

struct graph_node {
	struct revision	*rev;
	struct idxlist	 parents;	/* down_revision */
	struct idxlist	 deps;		/* depends_on */
	struct idxlist	 children;	/* reverse of parents */
	struct idxlist	 dependents;	/* reverse of deps */
};

struct graph {
	struct graph_node	*nodes;
	size_t			 n;
	struct idxlist		 heads;	/* sorted by id */
	struct idxlist		 bases;	/* sorted by id */
	/* open-addressing id -> index table */
	size_t			*slots;
	size_t			 nslots;
};

#define GRAPH_NONE ((size_t)-1)

int	graph_build(struct graph **out, struct revision_set *set,
	    struct mg_error *err);
void	graph_free(struct graph *);

/* Index of the revision with exactly this id, or GRAPH_NONE. */
size_t	graph_find(const struct graph *, const char *id);

/* The revision that declares branch label label, or GRAPH_NONE. */
size_t	graph_find_label(const struct graph *, const char *label);

/*
 * Mark (set mark[i] = 1) every revision reachable from roots through
 * parents and dependencies, the roots included. mark has g->n entries and
 * is not cleared first.
 */
void	graph_mark_ancestors(const struct graph *, const size_t *roots,
	    size_t nroots, unsigned char *mark);

/* Same, downwards: through children and dependents. */
void	graph_mark_descendants(const struct graph *, const size_t *roots,
	    size_t nroots, unsigned char *mark);

/*
 * The lineage of rev: its ancestors and descendants through down_revision
 * only, rev included. A revision that merely depends_on one of them is on
 * another branch (Alembic walks branches without dependencies).
 */
void	graph_mark_lineage(const struct graph *, size_t rev,
	    unsigned char *mark);

/*
 * The branch that rev names as in LABEL@... or REV@...: rev and its
 * descendants through down_revision, and the plain chain below rev down
 * to, not including, the nearest branch point or merge (how Alembic
 * spreads a branch label). Downgrades qualified by a branch stay in it.
 */
void	graph_mark_branch(const struct graph *, size_t rev,
	    unsigned char *mark);

/*
 * Heads that no revision depends_on (heads --resolve-dependencies):
 * appended to out.
 */
void	graph_resolved_heads(const struct graph *, struct idxlist *out);

/*
 * Order the revisions with in[i] set so that every revision comes after
 * its parents and dependencies that are also in the set (others count as
 * applied): Kahn's algorithm, taking the smallest id (byte order) among the
 * ready ones (DESIGN.md: the one order used everywhere). Fills out (caller
 * frees out->v).
 */
void	graph_order(const struct graph *, const unsigned char *in,
	    struct idxlist *out);

void	idxlist_add(struct idxlist *, size_t);
void	idxlist_clear(struct idxlist *);

#endif
