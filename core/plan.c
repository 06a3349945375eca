#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "graph.h"
#include "plan.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

static void
fill(struct plan *out, const struct idxlist *order, int up)
{
	size_t	i;

	out->n = order->n;
	out->v = xcalloc(order->n ? order->n : 1, sizeof(*out->v));
	for (i = 0; i < order->n; i++) {
		out->v[i].rev = up ? order->v[i] : order->v[order->n - 1 - i];
		out->v[i].up = up;
	}
}

void
plan_upgrade(struct plan *out, const struct graph *g,
    const unsigned char *applied, const size_t *targets, size_t ntargets)
{
	unsigned char	*todo;
	struct idxlist	 order;
	size_t		 i;

	todo = xcalloc(g->n ? g->n : 1, 1);
	graph_mark_ancestors(g, targets, ntargets, todo);
	for (i = 0; i < g->n; i++)
		if (applied[i])
			todo[i] = 0;
	graph_order(g, todo, &order);
	fill(out, &order, 1);
	idxlist_clear(&order);
	free(todo);
}

int
plan_downgrade(struct plan *out, const struct graph *g,
    const unsigned char *applied, const size_t *targets, size_t ntargets,
    const unsigned char *branch, struct mg_error *err)
{
	unsigned char	*todo;
	struct idxlist	 order, roots = { NULL, 0 };
	size_t		 i;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < ntargets; i++)
		if (!applied[targets[i]])
			return mg_error_set(err, MG_ENOTFOUND, "revision '%s' "
			    "is not applied, so it is not a valid downgrade "
			    "target", g->nodes[targets[i]].rev->id);
	todo = xcalloc(g->n ? g->n : 1, 1);
	if (ntargets == 0)
		memcpy(todo, applied, g->n);
	else
		graph_mark_descendants(g, targets, ntargets, todo);
	for (i = 0; i < ntargets; i++)
		todo[targets[i]] = 0;
	/*
	 * A branch keeps the downgrade inside it, but whatever hangs on a
	 * reverted revision (a merge, a depends_on) goes too: nothing may
	 * stay applied without its parents (Alembic #789, #1373).
	 */
	for (i = 0; i < g->n; i++) {
		todo[i] &= applied[i];
		if (branch != NULL && todo[i] && branch[i])
			idxlist_add(&roots, i);
	}
	if (branch != NULL) {
		memset(todo, 0, g->n);
		graph_mark_descendants(g, roots.v, roots.n, todo);
		for (i = 0; i < g->n; i++)
			todo[i] &= applied[i];
		idxlist_clear(&roots);
	}
	/* The reverse of the order an upgrade of the same set would take. */
	graph_order(g, todo, &order);
	fill(out, &order, 0);
	idxlist_clear(&order);
	free(todo);
	return 0;
}

void
plan_truncate(struct plan *p, size_t n)
{
	if (n < p->n)
		p->n = n;
}

void
plan_free(struct plan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
