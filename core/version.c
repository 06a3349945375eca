#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "graph.h"
#include "revision.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

static void
count_kids(struct version_state *st, size_t i, int delta)
{
	const struct graph_node	*node = &st->g->nodes[i];
	size_t			 k;

	for (k = 0; k < node->parents.n; k++)
		st->kids[node->parents.v[k]] += (size_t)delta;
	for (k = 0; k < node->deps.n; k++)
		st->kids[node->deps.v[k]] += (size_t)delta;
}

int
version_init(struct version_state *st, const struct graph *g,
    const struct strlist *rows, struct mg_error *err)
{
	size_t	i, idx;

	memset(st, 0, sizeof(*st));
	st->g = g;
	st->applied = xcalloc(g->n ? g->n : 1, 1);
	st->kids = xcalloc(g->n ? g->n : 1, sizeof(*st->kids));
	for (i = 0; i < rows->n; i++) {
		idx = graph_find(g, rows->v[i]);
		if (idx == GRAPH_NONE) {
			mg_error_set(err, MG_ENOTFOUND, "the version table "
			    "names revision '%s', which no revision file has",
			    rows->v[i]);
			strbuf_addstr(&err->hint, "Restore the missing file, "
			    "or record the real state with 'migrate stamp "
			    "--purge REV'.");
			version_free(st);
			return MG_ENOTFOUND;
		}
		idxlist_add(&st->rows, idx);
	}
	graph_mark_ancestors(g, st->rows.v, st->rows.n, st->applied);
	for (i = 0; i < g->n; i++)
		if (st->applied[i])
			count_kids(st, i, 1);
	return 0;
}

void
version_free(struct version_state *st)
{
	free(st->applied);
	free(st->kids);
	idxlist_clear(&st->rows);
	st->applied = NULL;
	st->kids = NULL;
}

static size_t
row_pos(const struct version_state *st, size_t idx)
{
	size_t	i;

	for (i = 0; i < st->rows.n; i++)
		if (st->rows.v[i] == idx)
			return i;
	return GRAPH_NONE;
}

static void
row_remove(struct version_state *st, size_t pos)
{
	memmove(&st->rows.v[pos], &st->rows.v[pos + 1],
	    (st->rows.n - pos - 1) * sizeof(size_t));
	st->rows.n--;
}

static void
add_op(struct vop_list *ops, enum vop_kind kind, size_t from, size_t to)
{
	ops->v = xreallocarray(ops->v, ops->n + 1, sizeof(*ops->v));
	ops->v[ops->n].kind = kind;
	ops->v[ops->n].from = from;
	ops->v[ops->n].to = to;
	ops->n++;
}

/* Pair removed and added rows into DELETE..., UPDATE, INSERT... */
static void
emit(struct vop_list *ops, const struct idxlist *removed,
    const struct idxlist *added)
{
	size_t	i;

	for (i = 1; i < removed->n; i++)
		add_op(ops, VOP_DELETE, removed->v[i], GRAPH_NONE);
	if (removed->n > 0 && added->n > 0)
		add_op(ops, VOP_UPDATE, removed->v[0], added->v[0]);
	else if (removed->n > 0)
		add_op(ops, VOP_DELETE, removed->v[0], GRAPH_NONE);
	for (i = removed->n > 0 ? 1 : 0; i < added->n; i++)
		add_op(ops, VOP_INSERT, GRAPH_NONE, added->v[i]);
}

static void
consider(struct version_state *st, size_t p, int up, struct idxlist *l)
{
	size_t	pos;

	if (up) {
		/* A parent stops being a head once rev is applied. */
		if ((pos = row_pos(st, p)) != GRAPH_NONE) {
			row_remove(st, pos);
			idxlist_add(l, p);
		}
	} else if (st->kids[p] == 0 && row_pos(st, p) == GRAPH_NONE) {
		/* Nothing applied hangs below p any more: a head again. */
		idxlist_add(l, p);
		idxlist_add(&st->rows, p);
	}
}

void
version_step(struct version_state *st, size_t rev, int up,
    struct vop_list *ops)
{
	const struct graph_node	*node = &st->g->nodes[rev];
	struct idxlist		 removed = { NULL, 0 }, added = { NULL, 0 };
	size_t			 k, pos;

	ops->n = 0;
	if (up) {
		st->applied[rev] = 1;
		count_kids(st, rev, 1);
		for (k = 0; k < node->parents.n; k++)
			consider(st, node->parents.v[k], 1, &removed);
		for (k = 0; k < node->deps.n; k++)
			consider(st, node->deps.v[k], 1, &removed);
		idxlist_add(&added, rev);
		idxlist_add(&st->rows, rev);
	} else {
		st->applied[rev] = 0;
		count_kids(st, rev, -1);
		if ((pos = row_pos(st, rev)) != GRAPH_NONE) {
			row_remove(st, pos);
			idxlist_add(&removed, rev);
		}
		for (k = 0; k < node->parents.n; k++)
			consider(st, node->parents.v[k], 0, &added);
		for (k = 0; k < node->deps.n; k++)
			consider(st, node->deps.v[k], 0, &added);
	}
	emit(ops, &removed, &added);
	idxlist_clear(&removed);
	idxlist_clear(&added);
}

void
version_heads_of(const struct graph *g, const unsigned char *applied,
    struct idxlist *out)
{
	unsigned char	*below;
	size_t		 i, k;

	below = xcalloc(g->n ? g->n : 1, 1);
	for (i = 0; i < g->n; i++) {
		if (!applied[i])
			continue;
		for (k = 0; k < g->nodes[i].parents.n; k++)
			below[g->nodes[i].parents.v[k]] = 1;
		for (k = 0; k < g->nodes[i].deps.n; k++)
			below[g->nodes[i].deps.v[k]] = 1;
	}
	for (i = 0; i < g->n; i++)
		if (applied[i] && !below[i])
			idxlist_add(out, i);
	free(below);
}
