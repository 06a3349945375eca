#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "graph.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

void
idxlist_add(struct idxlist *l, size_t i)
{
	/* Grow by doubling: graphs of 10,000 revisions add 30,000 edges. */
	if ((l->n & (l->n - 1)) == 0)
		l->v = xreallocarray(l->v, l->n ? l->n * 2 : 1,
		    sizeof(*l->v));
	l->v[l->n++] = i;
}

void
idxlist_clear(struct idxlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

size_t
graph_find(const struct graph *g, const char *id)
{
	size_t	h, i;

	if (g->nslots == 0)
		return GRAPH_NONE;
	for (h = strhash(id) & (g->nslots - 1);; h = (h + 1) &
	    (g->nslots - 1)) {
		i = g->slots[h];
		if (i == GRAPH_NONE)
			return GRAPH_NONE;
		if (strcmp(g->nodes[i].rev->id, id) == 0)
			return i;
	}
}

size_t
graph_find_label(const struct graph *g, const char *label)
{
	size_t	i, j;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->nodes[i].rev->labels.n; j++)
			if (strcmp(g->nodes[i].rev->labels.v[j], label) == 0)
				return i;
	return GRAPH_NONE;
}

void
graph_free(struct graph *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		idxlist_clear(&g->nodes[i].parents);
		idxlist_clear(&g->nodes[i].deps);
		idxlist_clear(&g->nodes[i].children);
		idxlist_clear(&g->nodes[i].dependents);
	}
	idxlist_clear(&g->heads);
	idxlist_clear(&g->bases);
	free(g->nodes);
	free(g->slots);
	free(g);
}

static int
insert_id(struct graph *g, size_t idx, struct mg_error *err)
{
	const char	*id = g->nodes[idx].rev->id;
	size_t		 h, i;

	for (h = strhash(id) & (g->nslots - 1);; h = (h + 1) &
	    (g->nslots - 1)) {
		i = g->slots[h];
		if (i == GRAPH_NONE) {
			g->slots[h] = idx;
			return 0;
		}
		if (strcmp(g->nodes[i].rev->id, id) == 0) {
			mg_error_set_at(err, MG_EGRAPH, g->nodes[idx].rev->path,
			    g->nodes[idx].rev->id_line, 0,
			    "duplicate revision id '%s', also in '%s'", id,
			    g->nodes[i].rev->path);
			strbuf_addstr(&err->hint, "Give one of the two files "
			    "a new id (and fix the down_revision of its "
			    "children).");
			return MG_EGRAPH;
		}
	}
}

static int
link_list(struct graph *g, size_t idx, const struct strlist *ids,
    int is_dep, struct mg_error *err)
{
	struct graph_node	*node = &g->nodes[idx];
	size_t			 j, p, k;

	for (j = 0; j < ids->n; j++) {
		p = graph_find(g, ids->v[j]);
		/* Alembic lets depends_on name a branch label: its revision. */
		if (p == GRAPH_NONE && is_dep)
			p = graph_find_label(g, ids->v[j]);
		if (p == GRAPH_NONE) {
			mg_error_set_at(err, MG_EGRAPH, node->rev->path,
			    is_dep ? node->rev->depends_line :
			    node->rev->down_line, 0,
			    "%s '%s' does not exist", is_dep ? "depends_on" :
			    "down_revision", ids->v[j]);
			strbuf_addstr(&err->hint, "No revision file in "
			    "script_location has that id.");
			return MG_EGRAPH;
		}
		if (p == idx)
			return mg_error_set_at(err, MG_EGRAPH, node->rev->path,
			    0, 0, "revision '%s' names itself in %s",
			    node->rev->id, is_dep ? "depends_on" :
			    "down_revision");
		/* A repeated id in one list is harmless; keep it once. */
		for (k = 0; k < (is_dep ? node->deps.n : node->parents.n); k++)
			if ((is_dep ? node->deps.v : node->parents.v)[k] == p)
				break;
		if (k < (is_dep ? node->deps.n : node->parents.n))
			continue;
		if (is_dep) {
			idxlist_add(&node->deps, p);
			idxlist_add(&g->nodes[p].dependents, idx);
		} else {
			idxlist_add(&node->parents, p);
			idxlist_add(&g->nodes[p].children, idx);
		}
	}
	return 0;
}

static int
check_labels(struct graph *g, struct mg_error *err)
{
	size_t	i, j, other;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->nodes[i].rev->labels.n; j++) {
			other = graph_find_label(g,
			    g->nodes[i].rev->labels.v[j]);
			if (other != i)
				return mg_error_set_at(err, MG_EGRAPH,
				    g->nodes[i].rev->path, 0, 0,
				    "branch label '%s' is already used by "
				    "'%s'", g->nodes[i].rev->labels.v[j],
				    g->nodes[other].rev->path);
		}
	return 0;
}

/*
 * Binary min-heap of node indices ordered by id, for graph_order(): the
 * smallest ready id is taken first.
 */
struct heap {
	const struct graph	*g;
	size_t			*v;
	size_t			 n;
};

static int
heap_less(const struct heap *h, size_t a, size_t b)
{
	return strcmp(h->g->nodes[h->v[a]].rev->id,
	    h->g->nodes[h->v[b]].rev->id) < 0;
}

static void
heap_swap(struct heap *h, size_t a, size_t b)
{
	size_t	t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
}

static void
heap_push(struct heap *h, size_t idx)
{
	size_t	i = h->n++;

	h->v[i] = idx;
	while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static size_t
heap_pop(struct heap *h)
{
	size_t	top = h->v[0], i = 0, l, m;

	h->v[0] = h->v[--h->n];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (l + 1 < h->n && heap_less(h, l + 1, m))
			m = l + 1;
		if (m == i)
			break;
		heap_swap(h, i, m);
		i = m;
	}
	return top;
}

static void
release_edges(const struct idxlist *l, const unsigned char *in,
    size_t *pending, struct heap *h)
{
	size_t	k;

	for (k = 0; k < l->n; k++)
		if (in[l->v[k]] && --pending[l->v[k]] == 0)
			heap_push(h, l->v[k]);
}

void
graph_order(const struct graph *g, const unsigned char *in,
    struct idxlist *out)
{
	struct heap	 h;
	size_t		*pending, i, k, cur;

	out->v = NULL;
	out->n = 0;
	pending = xcalloc(g->n ? g->n : 1, sizeof(*pending));
	h.g = g;
	h.v = xmalloc((g->n ? g->n : 1) * sizeof(*h.v));
	h.n = 0;
	for (i = 0; i < g->n; i++) {
		if (!in[i])
			continue;
		for (k = 0; k < g->nodes[i].parents.n; k++)
			pending[i] += in[g->nodes[i].parents.v[k]];
		for (k = 0; k < g->nodes[i].deps.n; k++)
			pending[i] += in[g->nodes[i].deps.v[k]];
		if (pending[i] == 0)
			heap_push(&h, i);
	}
	out->v = xmalloc((g->n ? g->n : 1) * sizeof(*out->v));
	while (h.n > 0) {
		cur = heap_pop(&h);
		out->v[out->n++] = cur;
		release_edges(&g->nodes[cur].children, in, pending, &h);
		release_edges(&g->nodes[cur].dependents, in, pending, &h);
	}
	free(h.v);
	free(pending);
}

/*
 * Report a cycle among the nodes graph_order() could not place: walk
 * parents from any unplaced node until one repeats, then print that loop.
 */
static int
report_cycle(struct graph *g, const unsigned char *placed,
    struct mg_error *err)
{
	size_t		*seen_at, *path, n = 0, cur = 0, i, k, start, next;
	struct strbuf	 sb = STRBUF_INIT;
	const struct graph_node *node;

	while (cur < g->n && placed[cur])
		cur++;
	seen_at = xmalloc(g->n * sizeof(*seen_at));
	path = xmalloc((g->n + 1) * sizeof(*path));
	for (i = 0; i < g->n; i++)
		seen_at[i] = GRAPH_NONE;
	while (seen_at[cur] == GRAPH_NONE) {
		seen_at[cur] = n;
		path[n++] = cur;
		node = &g->nodes[cur];
		next = GRAPH_NONE;
		for (k = 0; k < node->parents.n && next == GRAPH_NONE; k++)
			if (!placed[node->parents.v[k]])
				next = node->parents.v[k];
		for (k = 0; k < node->deps.n && next == GRAPH_NONE; k++)
			if (!placed[node->deps.v[k]])
				next = node->deps.v[k];
		if (next == GRAPH_NONE)
			BUG("unplaced revision without unplaced parent");
		cur = next;
	}
	start = seen_at[cur];
	/* Print child -> parent order reversed: parent first, as applied. */
	for (i = n; i > start; i--)
		strbuf_addf(&sb, "%s -> ", g->nodes[path[i - 1]].rev->id);
	strbuf_addstr(&sb, g->nodes[path[n - 1]].rev->id);
	mg_error_set_at(err, MG_EGRAPH, g->nodes[path[start]].rev->path, 0, 0,
	    "revision graph has a cycle: %s", sb.buf);
	strbuf_reset(&sb);
	for (i = start; i < n; i++)
		strbuf_addf(&sb, "%s%s", i > start ? ", " : "",
		    g->nodes[path[i]].rev->path);
	strbuf_addf(&err->detail, "files in the cycle: %s", sb.buf);
	strbuf_release(&sb);
	free(seen_at);
	free(path);
	return MG_EGRAPH;
}

static int
cmp_by_id(const void *a, const void *b, void *arg)
{
	const struct graph *g = arg;

	return strcmp(g->nodes[*(const size_t *)a].rev->id,
	    g->nodes[*(const size_t *)b].rev->id);
}

int
graph_build(struct graph **out, struct revision_set *set,
    struct mg_error *err)
{
	struct graph	*g;
	struct idxlist	 order = { NULL, 0 };
	unsigned char	*all = NULL, *placed = NULL;
	size_t		 i;
	int		 rc = 0;

	*out = NULL;
	g = xcalloc(1, sizeof(*g));
	g->n = set->n;
	g->nodes = xcalloc(g->n ? g->n : 1, sizeof(*g->nodes));
	for (g->nslots = 16; g->nslots < 2 * g->n; g->nslots *= 2)
		;
	g->slots = xmalloc(g->nslots * sizeof(*g->slots));
	for (i = 0; i < g->nslots; i++)
		g->slots[i] = GRAPH_NONE;
	for (i = 0; i < g->n; i++) {
		g->nodes[i].rev = set->v[i];
		set->v[i]->index = i;
		if ((rc = insert_id(g, i, err)) != 0)
			goto done;
	}
	/* Labels first: a depends_on may name one. */
	if ((rc = check_labels(g, err)) != 0)
		goto done;
	for (i = 0; i < g->n; i++) {
		if ((rc = link_list(g, i, &set->v[i]->down, 0, err)) != 0 ||
		    (rc = link_list(g, i, &set->v[i]->depends, 1, err)) != 0)
			goto done;
	}
	all = xmalloc(g->n ? g->n : 1);
	memset(all, 1, g->n);
	graph_order(g, all, &order);
	if (order.n != g->n) {
		placed = xcalloc(g->n, 1);
		for (i = 0; i < order.n; i++)
			placed[order.v[i]] = 1;
		rc = report_cycle(g, placed, err);
		goto done;
	}
	for (i = 0; i < g->n; i++) {
		if (g->nodes[i].children.n == 0)
			idxlist_add(&g->heads, i);
		if (g->nodes[i].parents.n == 0)
			idxlist_add(&g->bases, i);
	}
	if (g->heads.n > 1)
		qsort_r(g->heads.v, g->heads.n, sizeof(size_t), cmp_by_id, g);
	if (g->bases.n > 1)
		qsort_r(g->bases.v, g->bases.n, sizeof(size_t), cmp_by_id, g);
done:
	idxlist_clear(&order);
	free(all);
	free(placed);
	if (rc != 0)
		graph_free(g);
	else
		*out = g;
	return rc;
}

static void
mark_walk(const struct graph *g, const size_t *roots, size_t nroots,
    unsigned char *mark, int down, int deps)
{
	size_t			*stack, n = 0, i, k, cur;
	const struct idxlist	*a, *b;

	stack = xmalloc((g->n + nroots + 1) * sizeof(*stack));
	for (i = 0; i < nroots; i++)
		if (!mark[roots[i]]) {
			mark[roots[i]] = 1;
			stack[n++] = roots[i];
		}
	while (n > 0) {
		cur = stack[--n];
		a = down ? &g->nodes[cur].children : &g->nodes[cur].parents;
		b = down ? &g->nodes[cur].dependents : &g->nodes[cur].deps;
		for (k = 0; k < a->n; k++)
			if (!mark[a->v[k]]) {
				mark[a->v[k]] = 1;
				stack[n++] = a->v[k];
			}
		for (k = 0; deps && k < b->n; k++)
			if (!mark[b->v[k]]) {
				mark[b->v[k]] = 1;
				stack[n++] = b->v[k];
			}
	}
	free(stack);
}

void
graph_mark_ancestors(const struct graph *g, const size_t *roots,
    size_t nroots, unsigned char *mark)
{
	mark_walk(g, roots, nroots, mark, 0, 1);
}

void
graph_mark_descendants(const struct graph *g, const size_t *roots,
    size_t nroots, unsigned char *mark)
{
	mark_walk(g, roots, nroots, mark, 1, 1);
}

void
graph_mark_lineage(const struct graph *g, size_t rev, unsigned char *mark)
{
	mark[rev] = 0;
	mark_walk(g, &rev, 1, mark, 0, 0);
	mark[rev] = 0;
	mark_walk(g, &rev, 1, mark, 1, 0);
}

void
graph_mark_branch(const struct graph *g, size_t rev, unsigned char *mark)
{
	const struct graph_node	*node;
	size_t			 cur = rev, p;

	mark[rev] = 0;
	mark_walk(g, &rev, 1, mark, 1, 0);
	/*
	 * Down the plain chain below rev, up to (not including) the first
	 * branch point, and not past a merge: Alembic's label propagation.
	 */
	for (;;) {
		node = &g->nodes[cur];
		if (node->parents.n != 1)
			break;
		p = node->parents.v[0];
		if (g->nodes[p].children.n != 1)
			break;
		mark[p] = 1;
		cur = p;
	}
}

void
graph_resolved_heads(const struct graph *g, struct idxlist *out)
{
	size_t	i, idx;

	for (i = 0; i < g->heads.n; i++) {
		idx = g->heads.v[i];
		if (g->nodes[idx].dependents.n == 0)
			idxlist_add(out, idx);
	}
}
