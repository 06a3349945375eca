/*
 * Unit tests for core/graph.c: validation errors (naming the files), heads
 * and bases, lookups, ancestor/descendant marking through parents and
 * depends_on, and graph_order's one rule (Kahn's algorithm taking the
 * smallest id, in byte order, among the ready revisions). Pure: graphs are
 * built in memory (fixture.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

TestSuite(graph, .fini = fx_cleanup);

/* graph_order over the ids in list ("" = nothing), as "a b c". */
static const char *
order_of(const struct fx *f, const char *list)
{
	struct idxlist	 out = { NULL, 0 };
	const char	*s;

	graph_order(f->g, fx_mark(f, list), &out);
	s = fx_list_names(f, &out);
	idxlist_clear(&out);
	return s;
}

/* Validation errors */

Test(graph, duplicate_id_names_both_files)
{
	struct fx	*f = fx_try("a; b:a; a");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	cr_assert_null(f->g);
	text = fx_errtext(&f->err);
	fx_assert_contains(text, "versions/a_1.sql");
	fx_assert_contains(text, "versions/a_3.sql");
	fx_assert_contains(f->err.msg.buf, "'a'");
	fx_assert_contains(f->err.msg.buf, "duplicate");
	fx_free(f);
}

Test(graph, missing_parent)
{
	struct fx	*f = fx_try("a; b:zz");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	cr_assert_null(f->g);
	text = fx_errtext(&f->err);
	fx_assert_contains(f->err.msg.buf, "'zz'");
	fx_assert_contains(f->err.msg.buf, "down_revision");
	fx_assert_contains(text, "versions/b_2.sql");
	fx_free(f);
}

Test(graph, missing_depends_on)
{
	struct fx	*f = fx_try("a; b:a dep=zz");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	text = fx_errtext(&f->err);
	fx_assert_contains(f->err.msg.buf, "'zz'");
	fx_assert_contains(f->err.msg.buf, "depends_on");
	fx_assert_contains(text, "versions/b_2.sql");
	fx_free(f);
}

/*
 * The message must show the loop "x -> y -> ... -> x" with every
 * revision of the cycle once, each arrow one edge of the graph, all in
 * the same direction. The revisions hanging below the cycle (not on it)
 * are not part of the loop.
 */
static void
check_cycle_message(const struct fx *f, const char *cycle_ids,
    const char *not_on_cycle)
{
	const char	*p = strstr(f->err.msg.buf, "cycle");
	struct strlist	 want = { NULL, 0 }, got = { NULL, 0 };
	char		*loop, *q;
	int		 up = 1, down = 1;
	size_t		 i, j;

	cr_assert_not_null(p, "no 'cycle' in '%s'", f->err.msg.buf);
	p = strchr(p, ':');
	cr_assert_not_null(p, "no loop after 'cycle' in '%s'",
	    f->err.msg.buf);
	loop = xstrdup(p + 1);
	for (q = loop; (q = strstr(q, "->")) != NULL; )
		memcpy(q, "  ", 2);
	strlist_split(&got, loop);
	free(loop);
	strlist_split(&want, cycle_ids);
	cr_assert_eq(got.n, want.n + 1, "loop '%s' should have %zu ids",
	    p + 1, want.n + 1);
	cr_assert_str_eq(got.v[0], got.v[got.n - 1], "loop not closed: %s",
	    p + 1);
	for (i = 0; i < want.n; i++) {
		for (j = 0; j + 1 < got.n; j++)
			if (strcmp(got.v[j], want.v[i]) == 0)
				break;
		cr_assert_lt(j, got.n - 1, "'%s' not in loop '%s'", want.v[i],
		    p + 1);
	}
	/* Each arrow is an edge: parent -> child everywhere, or the reverse. */
	for (i = 0; i + 1 < got.n; i++) {
		size_t	 ia = GRAPH_NONE, ib = GRAPH_NONE, k;
		int	 a_below_b = 0, b_below_a = 0;

		for (k = 0; k < f->set.n; k++) {
			if (strcmp(f->set.v[k]->id, got.v[i]) == 0)
				ia = k;
			if (strcmp(f->set.v[k]->id, got.v[i + 1]) == 0)
				ib = k;
		}
		cr_assert(ia != GRAPH_NONE && ib != GRAPH_NONE);
		for (k = 0; k < f->set.v[ia]->down.n; k++)
			b_below_a |= strcmp(f->set.v[ia]->down.v[k],
			    got.v[i + 1]) == 0;
		for (k = 0; k < f->set.v[ia]->depends.n; k++)
			b_below_a |= strcmp(f->set.v[ia]->depends.v[k],
			    got.v[i + 1]) == 0;
		for (k = 0; k < f->set.v[ib]->down.n; k++)
			a_below_b |= strcmp(f->set.v[ib]->down.v[k],
			    got.v[i]) == 0;
		for (k = 0; k < f->set.v[ib]->depends.n; k++)
			a_below_b |= strcmp(f->set.v[ib]->depends.v[k],
			    got.v[i]) == 0;
		up &= a_below_b;
		down &= b_below_a;
	}
	cr_assert(up || down, "arrows of '%s' are not edges of one direction",
	    p + 1);
	for (i = 0; i < got.n; i++)
		cr_assert_str_neq(got.v[i], not_on_cycle,
		    "'%s' is not on the cycle: %s", not_on_cycle, p + 1);
	strlist_clear(&got);
	strlist_clear(&want);
}

Test(graph, cycle_lists_the_cycle_and_its_files)
{
	/* c -> a -> b -> c, with d unrelated and e hanging below b. */
	struct fx	*f = fx_try("a:c; b:a; c:b; d; e:b");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	cr_assert_null(f->g);
	check_cycle_message(f, "a b c", "e");
	text = fx_errtext(&f->err);
	fx_assert_contains(text, "versions/a_1.sql");
	fx_assert_contains(text, "versions/b_2.sql");
	fx_assert_contains(text, "versions/c_3.sql");
	cr_assert_null(strstr(text, "versions/d_4.sql"), "%s", text);
	cr_assert_null(strstr(text, "versions/e_5.sql"), "%s", text);
	fx_free(f);
}

Test(graph, cycle_found_from_a_revision_below_it)
{
	/* The first revision in set order only hangs below the cycle. */
	struct fx	*f = fx_try("z:y; y:x; x:w; w:y");

	cr_assert_eq(f->rc, MG_EGRAPH);
	check_cycle_message(f, "w x y", "z");
	fx_free(f);
}

Test(graph, cycle_through_depends_on)
{
	struct fx	*f = fx_try("a dep=b; b:a");

	cr_assert_eq(f->rc, MG_EGRAPH);
	check_cycle_message(f, "a b", "");
	fx_free(f);
}

Test(graph, self_parent)
{
	struct fx	*f = fx_try("a; b:b");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	cr_assert_null(f->g);
	text = fx_errtext(&f->err);
	fx_assert_contains(f->err.msg.buf, "'b'");
	fx_assert_contains(text, "versions/b_2.sql");
	fx_free(f);
}

Test(graph, self_dependency)
{
	struct fx	*f = fx_try("a dep=a");

	cr_assert_eq(f->rc, MG_EGRAPH);
	fx_assert_contains(fx_errtext(&f->err), "versions/a_1.sql");
	fx_free(f);
}

Test(graph, label_claimed_twice)
{
	struct fx	*f = fx_try("a label=shipping; b:a; c:a label=shipping");
	const char	*text;

	cr_assert_eq(f->rc, MG_EGRAPH);
	cr_assert_null(f->g);
	text = fx_errtext(&f->err);
	fx_assert_contains(f->err.msg.buf, "shipping");
	fx_assert_contains(text, "versions/a_1.sql");
	fx_assert_contains(text, "versions/c_3.sql");
	fx_free(f);
}

Test(graph, repeated_parent_is_one_edge)
{
	struct fx	*f = fx_build("a; b:a,a");
	size_t		 b = fx_idx(f, "b"), a = fx_idx(f, "a");

	cr_assert_eq(f->g->nodes[b].parents.n, 1);
	cr_assert_eq(f->g->nodes[a].children.n, 1);
	fx_free(f);
}

Test(graph, parent_and_dependency_on_the_same_revision)
{
	struct fx	*f = fx_build("a; c:a dep=a; d:c; b");

	cr_assert_str_eq(order_of(f, "a b c d"), "a b c d");
	cr_assert_str_eq(order_of(f, "c d"), "c d");
	cr_assert_str_eq(fx_list_names(f, &f->g->heads), "b d");
	fx_free(f);
}

Test(graph, empty_set_builds)
{
	struct fx	*f = fx_build("");

	cr_assert_eq(f->g->n, 0);
	cr_assert_eq(f->g->heads.n, 0);
	cr_assert_eq(f->g->bases.n, 0);
	cr_assert_eq(graph_find(f->g, "a"), GRAPH_NONE);
	fx_free(f);
}

/* Heads, bases, lookups */

Test(graph, heads_and_bases_sorted_by_id)
{
	/* Set order differs from id order on purpose. */
	struct fx	*f = fx_build("z; y:z; x:z; b; a:b; w:y");

	cr_assert_str_eq(fx_list_names(f, &f->g->heads), "a w x");
	cr_assert_str_eq(fx_list_names(f, &f->g->bases), "b z");
	fx_free(f);
}

Test(graph, merge_has_one_head)
{
	struct fx	*f = fx_build("a; c:a; b:a; m:c,b");

	cr_assert_str_eq(fx_list_names(f, &f->g->heads), "m");
	cr_assert_str_eq(fx_list_names(f, &f->g->bases), "a");
	cr_assert_eq(f->g->nodes[fx_idx(f, "m")].parents.n, 2);
	cr_assert_eq(f->g->nodes[fx_idx(f, "a")].children.n, 2);
	fx_free(f);
}

Test(graph, heads_ignore_depends_on_edges)
{
	/* graph.h: heads are revisions that are no revision's parent. */
	struct fx	*f = fx_build("a; b dep=a");

	cr_assert_str_eq(fx_list_names(f, &f->g->heads), "a b");
	cr_assert_str_eq(fx_list_names(f, &f->g->bases), "a b");
	cr_assert_eq(f->g->nodes[fx_idx(f, "b")].deps.n, 1);
	cr_assert_eq(f->g->nodes[fx_idx(f, "a")].dependents.n, 1);
	fx_free(f);
}

Test(graph, find_exact_ids_only)
{
	struct fx	*f = fx_build("abc; abcd:abc; b:abc");
	size_t		 i;

	for (i = 0; i < f->set.n; i++)
		cr_assert_eq(graph_find(f->g, f->set.v[i]->id), i);
	cr_assert_eq(graph_find(f->g, "ab"), GRAPH_NONE);
	cr_assert_eq(graph_find(f->g, "abcde"), GRAPH_NONE);
	cr_assert_eq(graph_find(f->g, ""), GRAPH_NONE);
	cr_assert_eq(graph_find(f->g, "B"), GRAPH_NONE);
	fx_free(f);
}

Test(graph, find_label)
{
	struct fx	*f = fx_build("a label=core; b:a label=x,shipping; c:a");

	cr_assert_eq(graph_find_label(f->g, "core"), fx_idx(f, "a"));
	cr_assert_eq(graph_find_label(f->g, "shipping"), fx_idx(f, "b"));
	cr_assert_eq(graph_find_label(f->g, "x"), fx_idx(f, "b"));
	cr_assert_eq(graph_find_label(f->g, "ship"), GRAPH_NONE);
	cr_assert_eq(graph_find_label(f->g, "c"), GRAPH_NONE);
	fx_free(f);
}

/* graph_order: Kahn, smallest id among the ready ones */

Test(graph, order_smallest_ready_id_first)
{
	/*
	 * Ready at start: r. Then a1, b1 -> a1; then a2, b1 -> a2; then b1.
	 */
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1");

	cr_assert_str_eq(order_of(f, "r a1 a2 b1"), "r a1 a2 b1");
	fx_free(f);
}

Test(graph, order_interleaves_branches_by_id)
{
	/*
	 * Bases c and b: b first (smaller). Ready {c, z}: c. Ready {a, z}:
	 * a. Then z (y still waits for z), then y.
	 */
	struct fx	*f = fx_build("c; a:c; b; z:b; y:a,z");

	cr_assert_str_eq(order_of(f, "a b c y z"), "b c a z y");
	fx_free(f);
}

Test(graph, order_waits_for_dependencies)
{
	/* a is a base by parents but depends on y: it comes last. */
	struct fx	*f = fx_build("x; y:x; a dep=y");

	cr_assert_str_eq(order_of(f, "a x y"), "x y a");
	fx_free(f);
}

Test(graph, order_is_byte_order)
{
	/* "10" < "9" and "B" < "a" in byte order. */
	struct fx	*f = fx_build("9; 10; a; B");

	cr_assert_str_eq(order_of(f, "9 10 a B"), "10 9 B a");
	fx_free(f);
}

Test(graph, order_of_a_subset_treats_others_as_applied)
{
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1; b2:b1");

	/* r and a1 are outside the set: a2 and b1 are ready at once. */
	cr_assert_str_eq(order_of(f, "b2 a2 b1"), "a2 b1 b2");
	cr_assert_str_eq(order_of(f, "b2"), "b2");
	cr_assert_str_eq(order_of(f, ""), "");
	fx_free(f);
}

Test(graph, order_merge_after_all_parents)
{
	struct fx	*f = fx_build("a; m:b,c; c:a; b:a; d:m");

	cr_assert_str_eq(order_of(f, "a b c m d"), "a b c m d");
	fx_free(f);
}

/* Ancestors and descendants, parents and depends_on alike */

Test(graph, ancestors_through_parents_and_depends_on)
{
	struct fx	*f = fx_build("a; b:a; c; d:c dep=b; e:d; f:b");
	unsigned char	*m = fx_mark(f, "");
	size_t		 root = fx_idx(f, "e");

	graph_mark_ancestors(f->g, &root, 1, m);
	cr_assert_str_eq(fx_marked_names(f, m), "a b c d e");
	fx_free(f);
}

Test(graph, descendants_through_children_and_dependents)
{
	struct fx	*f = fx_build("a; b:a; c; d:c dep=b; e:d; f:b");
	unsigned char	*m = fx_mark(f, "");
	size_t		 root = fx_idx(f, "a");

	graph_mark_descendants(f->g, &root, 1, m);
	cr_assert_str_eq(fx_marked_names(f, m), "a b d e f");
	fx_free(f);
}

Test(graph, marks_several_roots_and_keeps_existing_marks)
{
	struct fx	*f = fx_build("a; b:a; c; d:c; e:d");
	unsigned char	*m = fx_mark(f, "e");
	size_t		 n, *roots = fx_indices(f, "b c", &n);

	/* mark is not cleared first: e stays. */
	graph_mark_ancestors(f->g, roots, n, m);
	cr_assert_str_eq(fx_marked_names(f, m), "a b c e");
	m = fx_mark(f, "");
	graph_mark_descendants(f->g, roots, n, m);
	cr_assert_str_eq(fx_marked_names(f, m), "b c d e");
	fx_free(f);
}

Test(graph, mark_roots_only_when_isolated)
{
	struct fx	*f = fx_build("a; b; c:a");
	unsigned char	*m = fx_mark(f, "");
	size_t		 root = fx_idx(f, "b");

	graph_mark_ancestors(f->g, &root, 1, m);
	cr_assert_str_eq(fx_marked_names(f, m), "b");
	graph_mark_descendants(f->g, &root, 1, m);
	cr_assert_str_eq(fx_marked_names(f, m), "b");
	fx_free(f);
}

/* Scale */

Test(graph, linear_10000_builds_and_orders, .timeout = 60)
{
	enum { N = 10000 };
	struct fx	*f = fx_new();
	char		 id[16], parent[16];
	size_t		*perm = fx_keep(xcalloc(N, sizeof(size_t)));
	size_t		 i, j, t;
	unsigned char	*all;
	struct idxlist	 out = { NULL, 0 };

	/*
	 * Chain position i has id N-1-i (zero padded), so byte order of the
	 * ids is the reverse of the chain: graph_order must follow the
	 * edges, not the ids. The set is in a shuffled order.
	 */
	srand(1);
	for (i = 0; i < N; i++)
		perm[i] = i;
	for (i = N - 1; i > 0; i--) {
		j = (size_t)rand() % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%05zu", N - 1 - perm[i]);
		snprintf(parent, sizeof(parent), "%05zu", N - perm[i]);
		fx_add(f, id, perm[i] == 0 ? NULL : parent, NULL, NULL);
	}
	cr_assert_eq(fx_link(f), 0, "%s", f->err.msg.buf);
	cr_assert_eq(f->g->n, N);
	cr_assert_eq(f->g->heads.n, 1);
	cr_assert_str_eq(fx_id(f, f->g->heads.v[0]), "00000");
	cr_assert_eq(f->g->bases.n, 1);
	cr_assert_str_eq(fx_id(f, f->g->bases.v[0]), "09999");
	for (i = 0; i < N; i++)
		cr_assert_eq(graph_find(f->g, f->set.v[i]->id), i);
	all = fx_keep(xcalloc(N, 1));
	memset(all, 1, N);
	graph_order(f->g, all, &out);
	cr_assert_eq(out.n, N);
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%05zu", N - 1 - i);
		cr_assert_str_eq(fx_id(f, out.v[i]), id, "position %zu", i);
	}
	idxlist_clear(&out);
	fx_free(f);
}
