/*
 * Unit tests for core/version.c: the version rows (one per head of the
 * applied set) and the row operations of each step, as Alembic's
 * HeadMaintainer does them (DESIGN.md "Version tables"): INSERT for a new
 * base or branch, UPDATE for a linear step, DELETE+UPDATE crossing a merge,
 * UPDATE+INSERT un-merging, DELETE closing a branch. Then two property
 * tests: random DAGs upgraded and downgraded step by step through plan.c,
 * checked against naive reimplementations of the rules, first with index
 * targets, then with branch labels and target strings through revspec.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "revspec.h"
#include "version.h"

static struct version_state	 st;
static struct vop_list		 ops;
static int			 have_st;

static void
version_fini(void)
{
	if (have_st)
		version_free(&st);
	have_st = 0;
	free(ops.v);
	ops.v = NULL;
	ops.n = 0;
	fx_cleanup();
}

TestSuite(version, .fini = version_fini);

/* Start st from the version-table rows (ids, space separated). */
static void
init_rows(struct fx *f, const char *rows)
{
	struct strlist	 l = { NULL, 0 };
	int		 rc;

	if (have_st)
		version_free(&st);
	have_st = 0;
	strlist_split(&l, rows);
	rc = version_init(&st, f->g, &l, &f->err);
	strlist_clear(&l);
	cr_assert_eq(rc, 0, "version_init '%s': %s", rows, f->err.msg.buf);
	have_st = 1;
}

static const char *
ops_text(const struct fx *f, const struct vop_list *l)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		if (i)
			strbuf_addstr(&sb, "; ");
		switch (l->v[i].kind) {
		case VOP_DELETE:
			strbuf_addf(&sb, "DELETE %s", fx_id(f, l->v[i].from));
			break;
		case VOP_UPDATE:
			strbuf_addf(&sb, "UPDATE %s->%s",
			    fx_id(f, l->v[i].from), fx_id(f, l->v[i].to));
			break;
		case VOP_INSERT:
			strbuf_addf(&sb, "INSERT %s", fx_id(f, l->v[i].to));
			break;
		default:
			cr_assert_fail("bad vop kind %d", (int)l->v[i].kind);
		}
	}
	return fx_keep(strbuf_detach(&sb, NULL));
}

/* One step; returns the row operations as text. */
static const char *
step(struct fx *f, const char *id, int up)
{
	version_step(&st, fx_idx(f, id), up, &ops);
	return ops_text(f, &ops);
}

static const char *
rows_text(const struct fx *f)
{
	return fx_sorted_names(f, st.rows.v, st.rows.n);
}

/* HeadMaintainer cases */

Test(version, first_revision_is_insert)
{
	struct fx	*f = fx_build("a; b:a");

	init_rows(f, "");
	cr_assert_eq(st.rows.n, 0);
	cr_assert_str_eq(step(f, "a", 1), "INSERT a");
	cr_assert_str_eq(rows_text(f), "a");
	cr_assert(st.applied[fx_idx(f, "a")]);
	cr_assert_not(st.applied[fx_idx(f, "b")]);
	fx_free(f);
}

Test(version, linear_step_is_update)
{
	struct fx	*f = fx_build("a; b:a; c:b");

	init_rows(f, "a");
	cr_assert_str_eq(step(f, "b", 1), "UPDATE a->b");
	cr_assert_str_eq(step(f, "c", 1), "UPDATE b->c");
	cr_assert_str_eq(rows_text(f), "c");
	fx_free(f);
}

Test(version, new_branch_from_applied_non_head_is_insert)
{
	struct fx	*f = fx_build("a; b:a; c:a");

	init_rows(f, "b");
	cr_assert_str_eq(fx_marked_names(f, st.applied), "a b");
	cr_assert_str_eq(step(f, "c", 1), "INSERT c");
	cr_assert_str_eq(rows_text(f), "b c");
	fx_free(f);
}

Test(version, second_base_is_insert)
{
	struct fx	*f = fx_build("a; b");

	init_rows(f, "a");
	cr_assert_str_eq(step(f, "b", 1), "INSERT b");
	cr_assert_str_eq(rows_text(f), "a b");
	fx_free(f);
}

Test(version, merge_is_delete_and_update)
{
	struct fx	*f = fx_build("a; b:a; c:a; m:b,c");
	const char	*t;

	init_rows(f, "b c");
	t = step(f, "m", 1);
	/* Which parent row is updated is not specified; one of the two. */
	cr_assert(strcmp(t, "DELETE b; UPDATE c->m") == 0 ||
	    strcmp(t, "DELETE c; UPDATE b->m") == 0, "ops: %s", t);
	cr_assert_str_eq(rows_text(f), "m");
	fx_free(f);
}

Test(version, unmerge_on_downgrade_is_update_and_insert)
{
	struct fx	*f = fx_build("a; b:a; c:a; m:b,c");
	const char	*t;

	init_rows(f, "m");
	cr_assert_str_eq(fx_marked_names(f, st.applied), "a b c m");
	t = step(f, "m", 0);
	cr_assert(strcmp(t, "UPDATE m->b; INSERT c") == 0 ||
	    strcmp(t, "UPDATE m->c; INSERT b") == 0, "ops: %s", t);
	cr_assert_str_eq(rows_text(f), "b c");
	cr_assert_not(st.applied[fx_idx(f, "m")]);
	fx_free(f);
}

Test(version, closing_a_branch_is_delete)
{
	struct fx	*f = fx_build("a; b:a; c:a");

	init_rows(f, "b c");
	cr_assert_str_eq(step(f, "c", 0), "DELETE c");
	cr_assert_str_eq(rows_text(f), "b");
	fx_free(f);
}

Test(version, linear_downgrade_is_update)
{
	struct fx	*f = fx_build("a; b:a; c:b");

	init_rows(f, "c");
	cr_assert_str_eq(step(f, "c", 0), "UPDATE c->b");
	cr_assert_str_eq(rows_text(f), "b");
	fx_free(f);
}

Test(version, downgrade_of_the_last_revision_is_delete)
{
	struct fx	*f = fx_build("a; b:a");

	init_rows(f, "a");
	cr_assert_str_eq(step(f, "a", 0), "DELETE a");
	cr_assert_eq(st.rows.n, 0);
	cr_assert_str_eq(fx_marked_names(f, st.applied), "");
	fx_free(f);
}

Test(version, depends_on_target_row_is_replaced)
{
	/*
	 * The applied set is what the rows reach through parents and
	 * dependencies, so once c (parent a, depends on b) is applied, the
	 * single row c stands for a and b.
	 */
	struct fx	*f = fx_build("a; b; c:a dep=b");
	const char	*t;

	init_rows(f, "a b");
	t = step(f, "c", 1);
	cr_assert(strcmp(t, "DELETE a; UPDATE b->c") == 0 ||
	    strcmp(t, "DELETE b; UPDATE a->c") == 0, "ops: %s", t);
	cr_assert_str_eq(rows_text(f), "c");
	init_rows(f, "c");
	cr_assert_str_eq(fx_marked_names(f, st.applied), "a b c");
	fx_free(f);
}

Test(version, parent_that_is_also_a_dependency)
{
	struct fx	*f = fx_build("a; c:a dep=a");

	init_rows(f, "a");
	cr_assert_str_eq(step(f, "c", 1), "UPDATE a->c");
	cr_assert_str_eq(step(f, "c", 0), "UPDATE c->a");
	cr_assert_str_eq(rows_text(f), "a");
	cr_assert_str_eq(step(f, "a", 0), "DELETE a");
	fx_free(f);
}

Test(version, init_marks_ancestors_through_depends_on)
{
	struct fx	*f = fx_build("a; b:a; x; y:x; c:b dep=y; d:c");

	init_rows(f, "c");
	cr_assert_str_eq(fx_marked_names(f, st.applied), "a b c x y");
	init_rows(f, "b y");
	cr_assert_str_eq(fx_marked_names(f, st.applied), "a b x y");
	fx_free(f);
}

Test(version, init_with_unknown_id)
{
	struct fx	*f = fx_build("a; b:a");
	struct strlist	 l = { NULL, 0 };
	int		 rc;

	strlist_split(&l, "a ghost42");
	rc = version_init(&st, f->g, &l, &f->err);
	strlist_clear(&l);
	cr_assert_eq(rc, MG_ENOTFOUND);
	cr_assert_eq(f->err.code, MG_ENOTFOUND);
	fx_assert_contains(f->err.msg.buf, "'ghost42'");
	fx_assert_contains(f->err.hint.buf, "stamp --purge");
	fx_free(f);
}

Test(version, heads_of_an_applied_set)
{
	struct fx	*f = fx_build("a; b:a; c:a; d dep=b; m:b,c");
	struct idxlist	 out = { NULL, 0 };

	/* b is below d through depends_on. */
	version_heads_of(f->g, fx_mark(f, "a b c d"), &out);
	cr_assert_str_eq(fx_sorted_names(f, out.v, out.n), "c d");
	idxlist_clear(&out);
	version_heads_of(f->g, fx_mark(f, "a b c m"), &out);
	cr_assert_str_eq(fx_sorted_names(f, out.v, out.n), "m");
	idxlist_clear(&out);
	version_heads_of(f->g, fx_mark(f, ""), &out);
	cr_assert_eq(out.n, 0);
	idxlist_clear(&out);
	fx_free(f);
}

/*
 * Property test. Naive versions of the rules, written from DESIGN.md
 * without looking at graph_order() or the mark walks.
 */

struct world {
	struct fx	*f;
	size_t		 n;
	unsigned char	*applied;	/* the test's own idea of the state */
	unsigned char	*rows;		/* rows after replaying the ops */
	unsigned char	*tmp;
	size_t		*order;
	int		 dag;		/* for messages */
};

static int
below(const struct graph *g, size_t i, size_t j)
{
	/* Is i a parent or dependency of j? */
	size_t	k;

	for (k = 0; k < g->nodes[j].parents.n; k++)
		if (g->nodes[j].parents.v[k] == i)
			return 1;
	for (k = 0; k < g->nodes[j].deps.n; k++)
		if (g->nodes[j].deps.v[k] == i)
			return 1;
	return 0;
}

/* Kahn, smallest ready id first, over in[]; returns the count. */
static size_t
naive_order(const struct world *w, const unsigned char *in, size_t *out)
{
	const struct graph	*g = w->f->g;
	unsigned char		*placed = xcalloc(w->n, 1);
	size_t			 n = 0, i, j, best;
	int			 ready;

	for (;;) {
		best = GRAPH_NONE;
		for (i = 0; i < w->n; i++) {
			if (!in[i] || placed[i])
				continue;
			ready = 1;
			for (j = 0; j < w->n && ready; j++)
				if (in[j] && !placed[j] && below(g, j, i))
					ready = 0;
			if (ready && (best == GRAPH_NONE ||
			    strcmp(g->nodes[i].rev->id,
			    g->nodes[best].rev->id) < 0))
				best = i;
		}
		if (best == GRAPH_NONE)
			break;
		placed[best] = 1;
		out[n++] = best;
	}
	free(placed);
	return n;
}

/* Close m upwards (ancestors) or downwards (descendants). */
static void
naive_close(const struct world *w, unsigned char *m, int down)
{
	int	changed = 1;
	size_t	i, j;

	while (changed) {
		changed = 0;
		for (i = 0; i < w->n; i++)
			for (j = 0; j < w->n; j++) {
				if (!below(w->f->g, i, j))
					continue;
				if (!down && m[j] && !m[i])
					m[i] = changed = 1;
				if (down && m[i] && !m[j])
					m[j] = changed = 1;
			}
	}
}

static int
naive_is_head(const struct world *w, const unsigned char *applied, size_t i)
{
	size_t	j;

	if (!applied[i])
		return 0;
	for (j = 0; j < w->n; j++)
		if (applied[j] && below(w->f->g, i, j))
			return 0;
	return 1;
}

/* The state must agree with the test's model after every step. */
static void
check_state(struct world *w, const char *when)
{
	struct idxlist	 heads = { NULL, 0 };
	size_t		 i, k;
	unsigned char	*seen = w->tmp;

	memset(seen, 0, w->n);
	for (i = 0; i < w->n; i++) {
		cr_assert_eq(st.applied[i], w->applied[i],
		    "dag %d %s: applied[%s] is %d, want %d", w->dag, when,
		    fx_id(w->f, i), st.applied[i], w->applied[i]);
		cr_assert_eq(w->rows[i], naive_is_head(w, w->applied, i),
		    "dag %d %s: replayed row %s is %d", w->dag, when,
		    fx_id(w->f, i), w->rows[i]);
	}
	for (k = 0; k < st.rows.n; k++) {
		cr_assert_not(seen[st.rows.v[k]], "dag %d %s: row %s twice",
		    w->dag, when, fx_id(w->f, st.rows.v[k]));
		seen[st.rows.v[k]] = 1;
		cr_assert(w->rows[st.rows.v[k]], "dag %d %s: extra row %s",
		    w->dag, when, fx_id(w->f, st.rows.v[k]));
	}
	for (i = 0; i < w->n; i++)
		cr_assert_eq(seen[i], w->rows[i], "dag %d %s: row %s %s",
		    w->dag, when, fx_id(w->f, i), seen[i] ? "extra" :
		    "missing");
	version_heads_of(w->f->g, w->applied, &heads);
	memset(seen, 0, w->n);
	for (k = 0; k < heads.n; k++) {
		cr_assert_not(seen[heads.v[k]]);
		seen[heads.v[k]] = 1;
	}
	idxlist_clear(&heads);
	for (i = 0; i < w->n; i++)
		cr_assert_eq(seen[i], w->rows[i],
		    "dag %d %s: version_heads_of disagrees on %s", w->dag,
		    when, fx_id(w->f, i));
}

/* Replay ops on w->rows, checking each is possible and their shape. */
/* How often each row-operation shape was seen (coverage of the test). */
enum { SHAPE_INSERT, SHAPE_UPDATE, SHAPE_DELETE, SHAPE_MERGE, SHAPE_UNMERGE,
	SHAPE_COUNT };
static size_t	shapes[SHAPE_COUNT];

static void
replay_ops(struct world *w, size_t rev, int up)
{
	size_t		 i, ndel = 0, nupd = 0, nins = 0;
	int		 last = VOP_DELETE;
	const struct vop *o;

	for (i = 0; i < ops.n; i++) {
		o = &ops.v[i];
		cr_assert_geq((int)o->kind, last,
		    "dag %d: ops out of order (DELETE, UPDATE, INSERT)",
		    w->dag);
		last = (int)o->kind;
		switch (o->kind) {
		case VOP_DELETE:
			cr_assert(w->rows[o->from], "dag %d: DELETE of %s, "
			    "not a row", w->dag, fx_id(w->f, o->from));
			w->rows[o->from] = 0;
			ndel++;
			break;
		case VOP_UPDATE:
			cr_assert(w->rows[o->from], "dag %d: UPDATE from %s, "
			    "not a row", w->dag, fx_id(w->f, o->from));
			cr_assert_not(w->rows[o->to], "dag %d: UPDATE to %s, "
			    "already a row", w->dag, fx_id(w->f, o->to));
			w->rows[o->from] = 0;
			w->rows[o->to] = 1;
			nupd++;
			break;
		case VOP_INSERT:
			cr_assert_not(w->rows[o->to], "dag %d: INSERT of %s, "
			    "already a row", w->dag, fx_id(w->f, o->to));
			w->rows[o->to] = 1;
			nins++;
			break;
		default:
			cr_assert_fail("bad kind");
		}
		if (up && o->kind != VOP_DELETE)
			cr_assert_eq(o->to, rev, "dag %d: upgrade of %s adds "
			    "row %s", w->dag, fx_id(w->f, rev),
			    fx_id(w->f, o->to));
	}
	cr_assert_leq(nupd, 1);
	/* A removal and an addition in one step pair up as an UPDATE. */
	cr_assert(!(ndel > 0 && nins > 0 && nupd == 0),
	    "dag %d: DELETE+INSERT without UPDATE", w->dag);
	if (ndel == 0 && nupd == 0 && nins == 1)
		shapes[SHAPE_INSERT]++;
	else if (ndel == 0 && nupd == 1 && nins == 0)
		shapes[SHAPE_UPDATE]++;
	else if (ndel == 1 && nupd == 0 && nins == 0)
		shapes[SHAPE_DELETE]++;
	else if (ndel > 0 && nupd == 1 && nins == 0)
		shapes[SHAPE_MERGE]++;
	else if (ndel == 0 && nupd == 1 && nins > 0)
		shapes[SHAPE_UNMERGE]++;
	if (up)
		cr_assert_eq(nupd + nins, 1, "dag %d: upgrade of %s adds %zu "
		    "rows", w->dag, fx_id(w->f, rev), nupd + nins);
	else
		cr_assert_eq(nupd + ndel, 1, "dag %d: downgrade of %s removes "
		    "%zu rows", w->dag, fx_id(w->f, rev), nupd + ndel);
}

static void
run_plan(struct world *w, const struct plan *pl)
{
	size_t	i, j, rev;
	int	up;

	for (i = 0; i < pl->n; i++) {
		rev = pl->v[i].rev;
		up = pl->v[i].up;
		if (up) {
			cr_assert_not(w->applied[rev], "dag %d: %s applied "
			    "twice", w->dag, fx_id(w->f, rev));
			for (j = 0; j < w->n; j++)
				if (below(w->f->g, j, rev))
					cr_assert(w->applied[j], "dag %d: %s "
					    "before its parent/dependency %s",
					    w->dag, fx_id(w->f, rev),
					    fx_id(w->f, j));
		} else {
			cr_assert(w->applied[rev], "dag %d: %s reverted but "
			    "not applied", w->dag, fx_id(w->f, rev));
			for (j = 0; j < w->n; j++)
				if (below(w->f->g, rev, j))
					cr_assert_not(w->applied[j], "dag %d: "
					    "%s reverted before %s above it",
					    w->dag, fx_id(w->f, rev),
					    fx_id(w->f, j));
		}
		version_step(&st, rev, up, &ops);
		w->applied[rev] = (unsigned char)up;
		replay_ops(w, rev, up);
		check_state(w, up ? "after an up step" :
		    "after a down step");
	}
}

static void
check_plan(const struct world *w, const struct plan *pl,
    const unsigned char *want_set, int up)
{
	size_t	n = naive_order(w, want_set, w->order), i;

	cr_assert_eq(pl->n, n, "dag %d: %s plan has %zu steps, want %zu",
	    w->dag, up ? "upgrade" : "downgrade", pl->n, n);
	for (i = 0; i < n; i++) {
		size_t want = up ? w->order[i] : w->order[n - 1 - i];

		cr_assert_eq(pl->v[i].up, up);
		cr_assert_eq(pl->v[i].rev, want, "dag %d: %s step %zu is %s, "
		    "want %s", w->dag, up ? "upgrade" : "downgrade", i,
		    fx_id(w->f, pl->v[i].rev), fx_id(w->f, want));
	}
}

static void
upgrade_to(struct world *w, const size_t *t, size_t nt)
{
	struct plan	 pl = { NULL, 0 };
	unsigned char	*want = xcalloc(w->n, 1);
	size_t		 i;

	for (i = 0; i < nt; i++)
		want[t[i]] = 1;
	naive_close(w, want, 0);
	for (i = 0; i < w->n; i++)
		want[i] &= !w->applied[i];
	plan_upgrade(&pl, w->f->g, w->applied, t, nt);
	fx_keep(pl.v);
	check_plan(w, &pl, want, 1);
	free(want);
	run_plan(w, &pl);
	for (i = 0; i < nt; i++)
		cr_assert(w->applied[t[i]]);
	fx_release(pl.v);
}

static void
downgrade_to(struct world *w, const size_t *t, size_t nt)
{
	struct plan	 pl = { NULL, 0 };
	unsigned char	*want = xcalloc(w->n, 1);
	size_t		 i;
	int		 rc;

	if (nt == 0)
		memcpy(want, w->applied, w->n);
	else {
		for (i = 0; i < nt; i++)
			want[t[i]] = 1;
		naive_close(w, want, 1);
		for (i = 0; i < w->n; i++)
			want[i] &= w->applied[i];
		for (i = 0; i < nt; i++)
			want[t[i]] = 0;
	}
	rc = plan_downgrade(&pl, w->f->g, w->applied, t, nt, NULL, &w->f->err);
	fx_keep(pl.v);
	cr_assert_eq(rc, 0, "dag %d: %s", w->dag, w->f->err.msg.buf);
	check_plan(w, &pl, want, 0);
	free(want);
	run_plan(w, &pl);
	for (i = 0; i < nt; i++)
		cr_assert(w->applied[t[i]]);
	fx_release(pl.v);
}

/* version_init from the current rows must give back the same state. */
static void
check_reinit(struct world *w)
{
	struct version_state	 st2;
	struct strlist		 l = { NULL, 0 };
	size_t			 i;
	int			 rc;

	for (i = 0; i < st.rows.n; i++)
		strlist_add(&l, fx_id(w->f, st.rows.v[i]));
	rc = version_init(&st2, w->f->g, &l, &w->f->err);
	strlist_clear(&l);
	cr_assert_eq(rc, 0);
	for (i = 0; i < w->n; i++)
		if (st2.applied[i] != w->applied[i])
			break;
	version_free(&st2);
	cr_assert_eq(i, w->n, "dag %d: version_init from the rows disagrees "
	    "on %s", w->dag, i < w->n ? fx_id(w->f, i) : "");
}

/*
 * A random DAG of 2-30 revisions: parents among earlier revisions, a few
 * roots, merges and depends_on. Ids are a random permutation of n00..n29
 * (so id order is unrelated to the topology), added in a shuffled order.
 */
static struct fx *
random_dag(void)
{
	struct fx	*f = fx_new();
	size_t		 n = 2 + (size_t)rand() % 29, i, j, t, p1, p2, d;
	size_t		*perm = xcalloc(n, sizeof(*perm));
	size_t		*add = xcalloc(n, sizeof(*add));
	char		**down = xcalloc(n, sizeof(*down));
	char		**deps = xcalloc(n, sizeof(*deps));
	char		 id[8];

	for (i = 0; i < n; i++)
		perm[i] = add[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (size_t)rand() % (i + 1);
		t = perm[i]; perm[i] = perm[j]; perm[j] = t;
		j = (size_t)rand() % (i + 1);
		t = add[i]; add[i] = add[j]; add[j] = t;
	}
#define ID(k) (snprintf(id, sizeof(id), "n%02zu", perm[k]), id)
	for (i = 1; i < n; i++) {
		if (rand() % 8 != 0) {		/* else another base */
			p1 = (size_t)rand() % i;
			down[i] = xstrdup(ID(p1));
			if (i >= 2 && rand() % 5 == 0) {
				p2 = (size_t)rand() % i;
				if (p2 != p1) {
					char *m = xasprintf("%s,%s", down[i],
					    ID(p2));

					free(down[i]);
					down[i] = m;
				}
			}
		}
		if (rand() % 6 == 0) {
			d = (size_t)rand() % i;
			if (down[i] == NULL || strstr(down[i], ID(d)) == NULL)
				deps[i] = xstrdup(ID(d));
		}
	}
	for (i = 0; i < n; i++) {
		j = add[i];
		fx_add(f, ID(j), down[j], deps[j], NULL);
	}
#undef ID
	for (i = 0; i < n; i++) {
		free(down[i]);
		free(deps[i]);
	}
	free(down);
	free(deps);
	free(perm);
	free(add);
	return f;
}

Test(version, property_random_dags, .timeout = 120)
{
	struct world	 w;
	size_t		 i, r, t[2], nt, napplied;
	int		 dag;

	srand(20261121);
	for (dag = 0; dag < 1000; dag++) {
		memset(&w, 0, sizeof(w));
		w.dag = dag;
		w.f = random_dag();
		cr_assert_eq(fx_link(w.f), 0, "dag %d: %s", dag,
		    w.f->err.msg.buf);
		w.n = w.f->g->n;
		w.applied = fx_keep(xcalloc(w.n, 1));
		w.rows = fx_keep(xcalloc(w.n, 1));
		w.tmp = fx_keep(xcalloc(w.n, 1));
		w.order = fx_keep(xcalloc(w.n, sizeof(size_t)));
		init_rows(w.f, "");
		check_state(&w, "at start");

		/* All the way up, then random targets, then all the way down. */
		upgrade_to(&w, w.f->g->heads.v, w.f->g->heads.n);
		for (i = 0; i < w.n; i++)
			cr_assert(w.applied[i], "dag %d: %s not applied by "
			    "'heads'", dag, fx_id(w.f, i));
		check_reinit(&w);
		for (r = 0; r < 6; r++) {
			napplied = 0;
			for (i = 0; i < w.n; i++)
				napplied += w.applied[i];
			if (rand() % 2 == 0 || napplied == 0) {
				nt = 1 + (size_t)rand() % 2;
				for (i = 0; i < nt; i++)
					t[i] = (size_t)rand() % w.n;
				upgrade_to(&w, t, nt);
			} else if (rand() % 8 == 0)
				downgrade_to(&w, NULL, 0);
			else {
				/* A random applied revision. */
				size_t k = (size_t)rand() % napplied;

				for (i = 0; i < w.n; i++)
					if (w.applied[i] && k-- == 0)
						break;
				t[0] = i;
				downgrade_to(&w, t, 1);
			}
			check_reinit(&w);
		}
		/* A target that is not applied is refused, state unchanged. */
		for (i = 0; i < w.n && w.applied[i]; i++)
			;
		if (i < w.n) {
			struct plan pl = { NULL, 0 };

			cr_assert_eq(plan_downgrade(&pl, w.f->g, w.applied, &i,
			    1, NULL, &w.f->err), MG_ENOTFOUND, "dag %d", dag);
			cr_assert_eq(pl.n, 0);
			plan_free(&pl);
		}
		downgrade_to(&w, NULL, 0);
		cr_assert_eq(st.rows.n, 0, "dag %d: rows left at base", dag);
		for (i = 0; i < w.n; i++)
			cr_assert_not(w.applied[i]);
		version_free(&st);
		have_st = 0;
		fx_release(w.applied);
		fx_release(w.rows);
		fx_release(w.tmp);
		fx_release(w.order);
		fx_free(w.f);
	}
	/* The generator must have produced every case at least once. */
	for (i = 0; i < SHAPE_COUNT; i++)
		cr_assert_gt(shapes[i], 0, "row-operation shape %zu never seen",
		    i);
}

/*
 * Second property test: the same random DAGs, with branch labels on some
 * revisions, driven by target strings through revspec_resolve() as the
 * upgrade and downgrade commands do (current = the version rows). Naive
 * lineage and branch walks check what revspec resolves; the plans are
 * checked step by step as above, including branch-narrowed downgrades.
 */

enum spec_kind { SK_ID, SK_HEADS, SK_BASE, SK_LHEAD, SK_LBASE, SK_LID,
	SK_RID, SK_PLUS, SK_MINUS, SK_LMINUS, SK_LPLUS, SK_COUNT };
static const char *const sk_name[SK_COUNT] = { "ID", "heads", "base",
	"LABEL@head", "LABEL@base", "LABEL@ID", "REV@ID", "+N", "-N",
	"LABEL@-1", "LABEL@+1" };

static int
is_parent(const struct graph *g, size_t p, size_t c)
{
	size_t	k;

	for (k = 0; k < g->nodes[c].parents.n; k++)
		if (g->nodes[c].parents.v[k] == p)
			return 1;
	return 0;
}

/* rev, and its ancestors and descendants through down_revision only. */
static void
naive_lineage(const struct world *w, size_t rev, unsigned char *m)
{
	unsigned char	*up = xcalloc(w->n, 1), *down = xcalloc(w->n, 1);
	int		 changed = 1;
	size_t		 i, j;

	up[rev] = down[rev] = 1;
	while (changed) {
		changed = 0;
		for (i = 0; i < w->n; i++)
			for (j = 0; j < w->n; j++) {
				if (!is_parent(w->f->g, i, j))
					continue;
				if (up[j] && !up[i])
					up[i] = changed = 1;
				if (down[i] && !down[j])
					down[j] = changed = 1;
			}
	}
	for (i = 0; i < w->n; i++)
		m[i] = up[i] || down[i];
	free(up);
	free(down);
}

/*
 * The branch of rev (DESIGN.md, Alembic's label spreading): rev and its
 * descendants through down_revision, and the plain chain below rev down
 * to, not including, the nearest branch point or merge.
 */
static void
naive_branch(const struct world *w, size_t rev, unsigned char *m)
{
	size_t	i, j, cur = rev, p = 0, np, nc;
	int	changed = 1;

	memset(m, 0, w->n);
	m[rev] = 1;
	while (changed) {
		changed = 0;
		for (i = 0; i < w->n; i++)
			for (j = 0; j < w->n; j++)
				if (m[i] && !m[j] && is_parent(w->f->g, i, j))
					m[j] = changed = 1;
	}
	for (;;) {
		for (np = 0, i = 0; i < w->n; i++)
			if (is_parent(w->f->g, i, cur)) {
				p = i;
				np++;
			}
		if (np != 1)
			break;
		for (nc = 0, j = 0; j < w->n; j++)
			nc += is_parent(w->f->g, p, j);
		if (nc != 1)
			break;
		m[p] = 1;
		cur = p;
	}
}

/* A random element of the flagged ones, or GRAPH_NONE. */
static size_t
pick(const struct world *w, const unsigned char *m)
{
	size_t	i, n = 0, k;

	for (i = 0; i < w->n; i++)
		n += m[i] != 0;
	if (n == 0)
		return GRAPH_NONE;
	k = (size_t)rand() % n;
	for (i = 0; i < w->n; i++)
		if (m[i] && k-- == 0)
			return i;
	return GRAPH_NONE;
}

/* No applied revision may miss a parent or dependency. */
static void
check_closed(const struct world *w, const char *spec)
{
	size_t	i, j;

	for (j = 0; j < w->n; j++)
		for (i = 0; w->applied[j] && i < w->n; i++)
			if (below(w->f->g, i, j))
				cr_assert(w->applied[i], "dag %d '%s': %s "
				    "applied without %s", w->dag, spec,
				    fx_id(w->f, j), fx_id(w->f, i));
}

static size_t	sk_ok[SK_COUNT], sk_skipped[SK_COUNT];
/* Branch-narrowed downgrades; those where narrowing kept something. */
static size_t	sk_narrowed, sk_kept;
/* +N targets that resolved to an already applied revision. */
static size_t	sk_stale;
static char	sk_stale_example[256];

/*
 * Resolve spec (of kind k, naming branch root for BRANCH@ kinds, or
 * GRAPH_NONE) against the current rows and run it up or down. Errors
 * that a random target may rightly meet are counted and skipped.
 */
static void
run_spec(struct world *w, enum spec_kind k, const char *spec, size_t root,
    size_t id, int up)
{
	struct revspec	 r;
	struct plan	 pl = { NULL, 0 };
	unsigned char	*want = fx_keep(xcalloc(w->n, 1));
	unsigned char	*m = fx_keep(xcalloc(w->n, 1));
	size_t		 i, nt;
	int		 rc;

	rc = revspec_resolve(&r, w->f->g, &st.rows, spec, &w->f->err);
	if (rc != 0) {
		cr_assert(rc == MG_EAMBIGUOUS || rc == MG_ENOTFOUND ||
		    rc == MG_EMULTIHEADS, "dag %d '%s': code %d: %s", w->dag,
		    spec, rc, w->f->err.msg.buf);
		cr_assert_null(r.branch);
		cr_assert_eq(r.revs.n, 0);
		/* What must resolve did not. */
		cr_assert(k != SK_ID && k != SK_HEADS && k != SK_BASE &&
		    k != SK_LBASE, "dag %d '%s': %s", w->dag, spec,
		    w->f->err.msg.buf);
		if (k == SK_LID || k == SK_RID) {
			naive_lineage(w, root, m);
			cr_assert_not(m[id], "dag %d '%s': %s", w->dag, spec,
			    w->f->err.msg.buf);
			fx_assert_contains(w->f->err.msg.buf,
			    "is not a member of branch");
		}
		if (k == SK_LHEAD) {
			naive_lineage(w, root, m);
			for (nt = 0, i = 0; i < w->f->g->heads.n; i++)
				nt += m[w->f->g->heads.v[i]];
			cr_assert_gt(nt, 1, "dag %d '%s'", w->dag, spec);
		}
		sk_skipped[k]++;
		goto done;
	}
	fx_keep(r.revs.v);
	fx_keep(r.branch);

	/* What revspec resolved, against the naive walks. */
	switch (k) {
	case SK_ID:
		cr_assert(!r.base && r.revs.n == 1 && r.revs.v[0] == id,
		    "dag %d '%s'", w->dag, spec);
		break;
	case SK_HEADS:
		cr_assert_eq(r.revs.n, w->f->g->heads.n);
		break;
	case SK_BASE:
	case SK_LBASE:
		cr_assert(r.base && r.revs.n == 0, "dag %d '%s'", w->dag,
		    spec);
		break;
	case SK_LHEAD:
		naive_lineage(w, root, m);
		cr_assert_eq(r.revs.n, 1, "dag %d '%s'", w->dag, spec);
		cr_assert(m[r.revs.v[0]], "dag %d '%s': %s outside the "
		    "lineage", w->dag, spec, fx_id(w->f, r.revs.v[0]));
		for (i = 0; i < w->n; i++)
			cr_assert_not(is_parent(w->f->g, r.revs.v[0], i),
			    "dag %d '%s': %s is no head", w->dag, spec,
			    fx_id(w->f, r.revs.v[0]));
		break;
	case SK_MINUS:
	case SK_LMINUS:
		/* Down from a row: base or an applied revision. */
		cr_assert(r.base || (r.revs.n == 1 &&
		    w->applied[r.revs.v[0]]), "dag %d '%s'", w->dag, spec);
		break;
	case SK_PLUS:
	case SK_LPLUS:
		/*
		 * Up from the highest applied revision (of the branch): the
		 * next one is not applied yet.
		 */
		cr_assert(!r.base && r.revs.n == 1, "dag %d '%s'", w->dag,
		    spec);
		/*
		 * Reported at the end, so that the other checks still run
		 * over every DAG.
		 */
		if (w->applied[r.revs.v[0]] && sk_stale++ == 0)
			snprintf(sk_stale_example, sizeof(sk_stale_example),
			    "dag %d '%s' from rows '%s' resolved to %s",
			    w->dag, spec, fx_sorted_names(w->f, st.rows.v,
			    st.rows.n), fx_id(w->f, r.revs.v[0]));
		break;
	case SK_LID:
	case SK_RID:
		naive_lineage(w, root, m);
		cr_assert(m[id], "dag %d '%s' resolved outside the lineage",
		    w->dag, spec);
		cr_assert(!r.base && r.revs.n == 1 && r.revs.v[0] == id,
		    "dag %d '%s'", w->dag, spec);
		break;
	default:
		break;
	}
	if (root != GRAPH_NONE) {
		cr_assert_not_null(r.branch, "dag %d '%s'", w->dag, spec);
		naive_branch(w, root, m);
		for (i = 0; i < w->n; i++)
			cr_assert_eq(!!r.branch[i], m[i], "dag %d '%s': "
			    "branch flag of %s", w->dag, spec,
			    fx_id(w->f, i));
	} else
		cr_assert_null(r.branch, "dag %d '%s'", w->dag, spec);

	nt = r.base ? 0 : r.revs.n;
	if (up) {
		for (i = 0; i < nt; i++)
			want[r.revs.v[i]] = 1;
		naive_close(w, want, 0);
		for (i = 0; i < w->n; i++)
			want[i] &= !w->applied[i];
		plan_upgrade(&pl, w->f->g, w->applied, r.revs.v, nt);
	} else {
		for (i = 0; i < nt; i++)
			if (!w->applied[r.revs.v[i]])
				break;
		rc = plan_downgrade(&pl, w->f->g, w->applied, r.revs.v, nt,
		    r.branch, &w->f->err);
		if (i < nt) {
			/* Not applied: refused, nothing planned. */
			cr_assert_eq(rc, MG_ENOTFOUND, "dag %d '%s'", w->dag,
			    spec);
			cr_assert_eq(pl.n, 0);
			plan_free(&pl);
			sk_skipped[k]++;
			goto done;
		}
		cr_assert_eq(rc, 0, "dag %d '%s': %s", w->dag, spec,
		    w->f->err.msg.buf);
		if (nt == 0)
			memcpy(want, w->applied, w->n);
		else {
			for (i = 0; i < nt; i++)
				want[r.revs.v[i]] = 1;
			naive_close(w, want, 1);
			for (i = 0; i < w->n; i++)
				want[i] &= w->applied[i];
			for (i = 0; i < nt; i++)
				want[r.revs.v[i]] = 0;
		}
		if (r.branch != NULL) {
			/*
			 * Narrowed: the branch's part of that, and whatever
			 * hangs on it, nothing else.
			 */
			memcpy(m, want, w->n);
			for (i = 0; i < w->n; i++)
				want[i] &= r.branch[i] != 0;
			naive_close(w, want, 1);
			for (i = 0; i < w->n; i++)
				want[i] &= w->applied[i];
			for (i = 0; i < nt; i++)
				cr_assert_not(want[r.revs.v[i]], "dag %d "
				    "'%s': a target would be reverted",
				    w->dag, spec);
			sk_narrowed++;
			/* Count the cases where narrowing kept something. */
			for (i = 0; i < w->n && want[i] == m[i]; i++)
				;
			sk_kept += i < w->n;
		}
	}
	fx_keep(pl.v);
	check_plan(w, &pl, want, up);
	run_plan(w, &pl);
	for (i = 0; i < nt; i++)
		cr_assert(w->applied[r.revs.v[i]], "dag %d '%s': target %s "
		    "not applied afterwards", w->dag, spec,
		    fx_id(w->f, r.revs.v[i]));
	if (!up && r.base && r.branch == NULL)
		cr_assert_eq(st.rows.n, 0, "dag %d '%s': rows left at base",
		    w->dag, spec);
	check_closed(w, spec);
	check_reinit(w);
	fx_release(pl.v);
	sk_ok[k]++;
done:
	fx_release(r.revs.v);
	fx_release(r.branch);
	r.revs.v = NULL;
	r.branch = NULL;
	revspec_free(&r);
	fx_release(want);
	fx_release(m);
}

/* One random target string and direction, then run it. */
static void
random_spec(struct world *w, char **labels)
{
	enum spec_kind	 k = (enum spec_kind)(rand() % SK_COUNT);
	char		 spec[64];
	unsigned char	*m = fx_keep(xcalloc(w->n, 1));
	size_t		 root = GRAPH_NONE, id = GRAPH_NONE, i, nl = 0;
	const char	*bname = NULL;
	int		 up = 1;

	for (i = 0; i < w->n; i++)
		nl += labels[i] != NULL;
	if (nl == 0 && (k == SK_LHEAD || k == SK_LBASE || k == SK_LID ||
	    k == SK_LMINUS || k == SK_LPLUS))
		k = SK_RID;
	if (k == SK_LHEAD || k == SK_LBASE || k == SK_LID ||
	    k == SK_LMINUS || k == SK_LPLUS) {
		for (i = 0; i < w->n; i++)
			m[i] = labels[i] != NULL;
		root = pick(w, m);
		bname = labels[root];
	} else if (k == SK_RID) {
		root = (size_t)rand() % w->n;
		bname = fx_id(w->f, root);
	}
	switch (k) {
	case SK_ID:
		up = rand() % 2;
		/* A downgrade mostly to an applied revision. */
		id = !up && rand() % 4 ? pick(w, w->applied) : GRAPH_NONE;
		if (id == GRAPH_NONE)
			id = (size_t)rand() % w->n;
		snprintf(spec, sizeof(spec), "%s", fx_id(w->f, id));
		break;
	case SK_HEADS:
		snprintf(spec, sizeof(spec), "heads");
		break;
	case SK_BASE:
		up = 0;
		snprintf(spec, sizeof(spec), "base");
		break;
	case SK_LHEAD:
		up = rand() % 4 != 0;
		snprintf(spec, sizeof(spec), "%s@head", bname);
		break;
	case SK_LBASE:
		up = 0;
		snprintf(spec, sizeof(spec), "%s@base", bname);
		break;
	case SK_LID:
	case SK_RID:
		up = rand() % 4 == 0;
		/* Mostly an applied member of the lineage. */
		naive_lineage(w, root, m);
		if (rand() % 4 != 0)
			for (i = 0; i < w->n; i++)
				m[i] &= w->applied[i];
		id = rand() % 5 ? pick(w, m) : GRAPH_NONE;
		if (id == GRAPH_NONE)
			id = (size_t)rand() % w->n;
		snprintf(spec, sizeof(spec), "%s@%s", bname, fx_id(w->f, id));
		break;
	case SK_PLUS:
		snprintf(spec, sizeof(spec), "+%d", 1 + rand() % 3);
		break;
	case SK_MINUS:
		up = 0;
		snprintf(spec, sizeof(spec), "-%d", 1 + rand() % 3);
		break;
	case SK_LMINUS:
		up = 0;
		snprintf(spec, sizeof(spec), "%s@-1", bname);
		break;
	case SK_LPLUS:
		snprintf(spec, sizeof(spec), "%s@+1", bname);
		break;
	default:
		cr_assert_fail("bad kind");
	}
	fx_release(m);
	run_spec(w, k, spec, root, id, up);
}

Test(version, property_branch_targets, .timeout = 120)
{
	struct world	 w;
	char		**labels;
	size_t		 i, r, nlabels;
	int		 dag;

	srand(20260307);
	for (dag = 0; dag < 1200; dag++) {
		memset(&w, 0, sizeof(w));
		w.dag = dag;
		w.f = random_dag();
		/* Unique labels on about a third of the revisions. */
		labels = fx_keep(xcalloc(w.f->set.n, sizeof(*labels)));
		for (nlabels = 0, i = 0; i < w.f->set.n; i++)
			if (rand() % 3 == 0) {
				labels[i] = fx_keep(xasprintf("L%zu",
				    nlabels++));
				strlist_add(&w.f->set.v[i]->labels,
				    labels[i]);
			}
		cr_assert_eq(fx_link(w.f), 0, "dag %d: %s", dag,
		    w.f->err.msg.buf);
		/* Graph indices follow the set's order. */
		w.n = w.f->g->n;
		w.applied = fx_keep(xcalloc(w.n, 1));
		w.rows = fx_keep(xcalloc(w.n, 1));
		w.tmp = fx_keep(xcalloc(w.n, 1));
		w.order = fx_keep(xcalloc(w.n, sizeof(size_t)));
		init_rows(w.f, "");
		check_state(&w, "at start");
		if (rand() % 2)
			run_spec(&w, SK_HEADS, "heads", GRAPH_NONE,
			    GRAPH_NONE, 1);
		for (r = 0; r < 10; r++)
			random_spec(&w, labels);
		run_spec(&w, SK_BASE, "base", GRAPH_NONE, GRAPH_NONE, 0);
		cr_assert_eq(st.rows.n, 0, "dag %d: rows left at base", dag);
		version_free(&st);
		have_st = 0;
		for (i = 0; i < w.n; i++)
			fx_release(labels[i]);
		fx_release(labels);
		fx_release(w.applied);
		fx_release(w.rows);
		fx_release(w.tmp);
		fx_release(w.order);
		fx_free(w.f);
	}
	for (i = 0; i < SK_COUNT; i++) {
		cr_log_info("%-11s %5zu run, %5zu skipped", sk_name[i],
		    sk_ok[i], sk_skipped[i]);
		cr_assert_gt(sk_ok[i], 10, "target kind %s succeeded %zu "
		    "times", sk_name[i], sk_ok[i]);
	}
	cr_assert_gt(sk_skipped[SK_LID] + sk_skipped[SK_RID], 0);
	cr_log_info("%zu branch-narrowed downgrades, %zu kept something",
	    sk_narrowed, sk_kept);
	cr_assert_gt(sk_narrowed, 100);
	cr_assert_gt(sk_kept, 50);
	cr_assert_eq(sk_stale, 0, "%zu relative +N targets resolved to an "
	    "already applied revision, e.g. %s", sk_stale, sk_stale_example);
}
