/*
 * Unit tests for core/plan.c: which revisions an upgrade or downgrade
 * touches and in which order. DESIGN.md "The graph and identifiers": an
 * upgrade applies every unapplied ancestor of the targets (parents and
 * depends_on) in Kahn's order taking the smallest id among the ready
 * revisions; a downgrade un-applies every applied descendant of the
 * targets in the exact reverse of the order an upgrade of that same set
 * would take. Expected orders below are worked out by hand from that rule.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static struct plan	 p;

static void
plan_fini(void)
{
	plan_free(&p);
	fx_cleanup();
}

TestSuite(plan, .fini = plan_fini);

/* Upgrade f from the applied ids to the target ids; the steps as "a b". */
static const char *
up(const struct fx *f, const char *applied, const char *targets)
{
	size_t	 n, *t = fx_indices(f, targets, &n), i;

	plan_free(&p);
	plan_upgrade(&p, f->g, fx_mark(f, applied), t, n);
	for (i = 0; i < p.n; i++)
		cr_assert_eq(p.v[i].up, 1, "step %zu is not an upgrade", i);
	return fx_plan_names(f, &p);
}

/* Downgrade; targets "" means base. Must succeed. */
static const char *
down(struct fx *f, const char *applied, const char *targets)
{
	size_t	 n, *t = fx_indices(f, targets, &n), i;
	int	 rc;

	plan_free(&p);
	rc = plan_downgrade(&p, f->g, fx_mark(f, applied), t, n, NULL, &f->err);
	cr_assert_eq(rc, 0, "downgrade to '%s' failed: %s", targets,
	    f->err.msg.buf);
	for (i = 0; i < p.n; i++)
		cr_assert_eq(p.v[i].up, 0, "step %zu is not a downgrade", i);
	return fx_plan_names(f, &p);
}

/* Upgrades */

Test(plan, up_linear_to_head)
{
	/* A chain m -> k -> z -> b: the ids' byte order is irrelevant. */
	struct fx	*f = fx_build("m; k:m; z:k; b:z");

	cr_assert_str_eq(up(f, "", "b"), "m k z b");
	fx_free(f);
}

Test(plan, up_linear_to_a_middle_revision)
{
	struct fx	*f = fx_build("m; k:m; z:k; b:z");

	cr_assert_str_eq(up(f, "", "z"), "m k z");
	fx_free(f);
}

Test(plan, up_from_partially_applied)
{
	struct fx	*f = fx_build("m; k:m; z:k; b:z");

	cr_assert_str_eq(up(f, "m k", "b"), "z b");
	cr_assert_str_eq(up(f, "m k z", "b"), "b");
	fx_free(f);
}

Test(plan, up_nothing_to_do_when_applied)
{
	struct fx	*f = fx_build("m; k:m; z:k; b:z");

	cr_assert_str_eq(up(f, "m k z b", "b"), "");
	cr_assert_eq(p.n, 0);
	cr_assert_str_eq(up(f, "m k z b", "k"), "");
	fx_free(f);
}

Test(plan, up_heads_with_branches_by_smallest_ready_id)
{
	/*
	 * r; then ready {a1, b1}: a1; ready {a2, b1}: a2; then b1, c1.
	 */
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1; c1:b1");

	cr_assert_str_eq(up(f, "", "a2 c1"), "r a1 a2 b1 c1");
	fx_free(f);
}

Test(plan, up_heads_interleave_when_ids_say_so)
{
	/*
	 * base; ready {z1, m1}: m1; ready {z1, m2}: m2; then z1, a9. The
	 * branch of z1 is not finished first just because it was started.
	 */
	struct fx	*f = fx_build("base0; z1:base0; a9:z1; m1:base0; m2:m1");

	cr_assert_str_eq(up(f, "", "a9 m2"), "base0 m1 m2 z1 a9");
	/* Target order does not matter. */
	cr_assert_str_eq(up(f, "", "m2 a9"), "base0 m1 m2 z1 a9");
	fx_free(f);
}

Test(plan, up_one_head_of_several_leaves_the_other_branch)
{
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1; c1:b1");

	cr_assert_str_eq(up(f, "", "c1"), "r b1 c1");
	cr_assert_str_eq(up(f, "r b1 c1", "a2"), "a1 a2");
	fx_free(f);
}

Test(plan, up_depends_on_another_branch_applied_first)
{
	/*
	 * a2 depends on b2 of the other branch: upgrading to a2 alone
	 * applies b1 and b2 too, and b2 before a2. Order: r; ready
	 * {a1, b1}: a1; ready {b1} (a2 waits for b2): b1, b2, a2.
	 */
	struct fx	*f = fx_build("r; a1:r; b1:r; b2:b1; a2:a1 dep=b2");

	cr_assert_str_eq(up(f, "", "a2"), "r a1 b1 b2 a2");
	cr_assert_str_eq(up(f, "r a1", "a2"), "b1 b2 a2");
	cr_assert_str_eq(up(f, "r b1 b2", "a2"), "a1 a2");
	fx_free(f);
}

Test(plan, up_merge_after_both_parents)
{
	struct fx	*f = fx_build("a; c:a; b:a; m:c,b; d:m");

	cr_assert_str_eq(up(f, "", "d"), "a b c m d");
	cr_assert_str_eq(up(f, "a c", "d"), "b m d");
	fx_free(f);
}

Test(plan, up_truncate_keeps_the_first_steps)
{
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1; c1:b1");

	up(f, "", "a2 c1");
	plan_truncate(&p, 10);
	cr_assert_str_eq(fx_plan_names(f, &p), "r a1 a2 b1 c1");
	plan_truncate(&p, 2);
	cr_assert_str_eq(fx_plan_names(f, &p), "r a1");
	plan_truncate(&p, 0);
	cr_assert_eq(p.n, 0);
	fx_free(f);
}

/* Downgrades */

Test(plan, down_to_base_is_the_reverse_of_the_upgrade)
{
	struct fx	*f = fx_build("r; b1:r; a1:r; a2:a1; c1:b1");

	/* Upgrade order r a1 a2 b1 c1 (see above), reversed. */
	cr_assert_str_eq(down(f, "r a1 a2 b1 c1", ""), "c1 b1 a2 a1 r");
	fx_free(f);
}

Test(plan, down_to_base_of_a_partial_state)
{
	struct fx	*f = fx_build("base0; z1:base0; a9:z1; m1:base0; m2:m1");

	/* Upgrade of {base0, z1, m1} would be base0 m1 z1. */
	cr_assert_str_eq(down(f, "base0 z1 m1", ""), "z1 m1 base0");
	fx_free(f);
}

Test(plan, down_linear_to_a_revision)
{
	struct fx	*f = fx_build("m; k:m; z:k; b:z");

	cr_assert_str_eq(down(f, "m k z b", "k"), "b z");
	cr_assert_str_eq(down(f, "m k z b", "b"), "");
	fx_free(f);
}

Test(plan, down_design_example_downgrade_a1_reverts_a2_only)
{
	/* DESIGN.md: heads a2, b1; a2 -> a1 -> r and b1 -> r. */
	struct fx	*f = fx_build("r; a1:r; a2:a1; b1:r");

	cr_assert_str_eq(down(f, "r a1 a2 b1", "a1"), "a2");
	fx_free(f);
}

Test(plan, down_design_example_downgrade_r_reverses_upgrade_order)
{
	struct fx	*f = fx_build("r; a1:r; a2:a1; b1:r");

	/*
	 * Reverts {a1, a2, b1}. An upgrade of that set (r applied) takes
	 * a1 (ready {a1, b1}), a2 (ready {a2, b1}), b1: the downgrade is the
	 * exact reverse.
	 */
	cr_assert_str_eq(up(f, "r", "a2 b1"), "a1 a2 b1");
	cr_assert_str_eq(down(f, "r a1 a2 b1", "r"), "b1 a2 a1");
	fx_free(f);
}

Test(plan, down_other_branches_stay)
{
	struct fx	*f = fx_build("r; a1:r; a2:a1; b1:r; b2:b1");

	cr_assert_str_eq(down(f, "r a1 a2 b1 b2", "b1"), "b2");
	cr_assert_str_eq(down(f, "r a1 a2 b1 b2", "a1"), "a2");
	/* Unapplied descendants are not reverted. */
	cr_assert_str_eq(down(f, "r a1 b1", "r"), "b1 a1");
	fx_free(f);
}

Test(plan, down_non_applied_target_is_an_error)
{
	struct fx	*f = fx_build("a; b:a; c:b");
	size_t		 t = fx_idx(f, "c");
	int		 rc;

	rc = plan_downgrade(&p, f->g, fx_mark(f, "a"), &t, 1, NULL, &f->err);
	cr_assert_eq(rc, MG_ENOTFOUND);
	cr_assert_eq(f->err.code, MG_ENOTFOUND);
	fx_assert_contains(f->err.msg.buf, "'c'");
	cr_assert_eq(p.n, 0);
	fx_free(f);
}

Test(plan, down_unmerge_reverts_the_merge_only)
{
	struct fx	*f = fx_build("a; b:a; c:a; m:b,c");

	cr_assert_str_eq(down(f, "a b c m", "b"), "m");
	cr_assert_str_eq(down(f, "a b c m", "c"), "m");
	fx_free(f);
}

Test(plan, down_unmerge_below_more_revisions)
{
	struct fx	*f = fx_build("a; b:a; c:a; m:b,c; n:m");

	cr_assert_str_eq(down(f, "a b c m n", "c"), "n m");
	/* Both parents as targets: still only above the merge. */
	cr_assert_str_eq(down(f, "a b c m n", "b c"), "n m");
	fx_free(f);
}

Test(plan, down_dependents_are_reverted_too)
{
	/* c depends on b: downgrading to b's parent or b reverts c. */
	struct fx	*f = fx_build("a; b; c:a dep=b; d:c");

	cr_assert_str_eq(down(f, "a b c d", "b"), "d c");
	cr_assert_str_eq(down(f, "a b c d", "a"), "d c");
	cr_assert_str_eq(down(f, "a b c d", "c"), "d");
	fx_free(f);
}

Test(plan, down_base_with_depends_on)
{
	/*
	 * Upgrade of everything: bases a, b -> a; ready {b} (c waits for
	 * b): b; then c, d. Reverse: d c b a.
	 */
	struct fx	*f = fx_build("a; b; c:a dep=b; d:c");

	cr_assert_str_eq(up(f, "", "d"), "a b c d");
	cr_assert_str_eq(down(f, "a b c d", ""), "d c b a");
	fx_free(f);
}

Test(plan, down_nothing_applied_to_base)
{
	struct fx	*f = fx_build("a; b:a");

	cr_assert_str_eq(down(f, "", ""), "");
	fx_free(f);
}
