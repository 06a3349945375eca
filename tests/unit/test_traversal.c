/*
 * Traversal tests: the shapes of Alembic's tests/test_version_traversal.py
 * (branches, merge points, depends_on across branches, BRANCH@... targets)
 * run end to end through the pure modules, as `migrate upgrade|downgrade
 * SPEC` does: version_init from the rows, revspec_resolve against them,
 * plan_upgrade or plan_downgrade, then version_step for every step.
 *
 * Each test asserts the exact plan (worked out by hand from DESIGN.md's
 * rule: Kahn's order taking the smallest id among the ready revisions, and
 * its exact reverse for a downgrade) and the version rows after every
 * step. Every step is also checked against the invariants: rows equal
 * version_heads_of(applied), the row operations replay onto the previous
 * rows, and version_init from the final rows gives back the applied set.
 *
 * Where our rule differs from Alembic on purpose (the order among ready
 * revisions; a downgrade to T also reverting what merely depends_on T),
 * the comment says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "revspec.h"
#include "version.h"

static struct version_state	 st;
static int			 have_st;
static struct vop_list		 ops;
static struct revspec		 rs;
static struct plan		 pl;
static const char		*row_trace;	/* rows after each step */
static const char		*op_trace;	/* row-operation shapes */

static void
traversal_fini(void)
{
	if (have_st)
		version_free(&st);
	have_st = 0;
	free(ops.v);
	ops.v = NULL;
	ops.n = 0;
	revspec_free(&rs);
	plan_free(&pl);
	fx_cleanup();
}

TestSuite(traversal, .fini = traversal_fini);

/* The current rows, sorted, or "-" for none (kept). */
static const char *
rows(const struct fx *f)
{
	if (st.rows.n == 0)
		return "-";
	return fx_sorted_names(f, st.rows.v, st.rows.n);
}

static const char *
heads_of_applied(const struct fx *f)
{
	struct idxlist	 h = { NULL, 0 };
	const char	*s;

	version_heads_of(f->g, st.applied, &h);
	s = h.n ? fx_sorted_names(f, h.v, h.n) : "-";
	idxlist_clear(&h);
	return s;
}

/* The database is at these rows ("" for none); they must be canonical. */
static void
at(struct fx *f, const char *ids)
{
	struct strlist	 l = { NULL, 0 };
	int		 rc;

	if (have_st)
		version_free(&st);
	have_st = 0;
	strlist_split(&l, ids);
	rc = version_init(&st, f->g, &l, &f->err);
	strlist_clear(&l);
	cr_assert_eq(rc, 0, "version_init '%s': %s", ids, f->err.msg.buf);
	have_st = 1;
	cr_assert_str_eq(rows(f), heads_of_applied(f),
	    "fixture rows '%s' are not the heads of what they imply", ids);
}

/*
 * Replay ops on the previous rows (flags in prev) and name the shape:
 * INSERT, UPDATE, DELETE, DELETE+UPDATE (merge), UPDATE+INSERT (un-merge).
 */
static const char *
replay(const struct fx *f, unsigned char *prev, size_t rev, int up)
{
	size_t		 i, ndel = 0, nupd = 0, nins = 0;
	const struct vop *o;

	for (i = 0; i < ops.n; i++) {
		o = &ops.v[i];
		switch (o->kind) {
		case VOP_DELETE:
			cr_assert(prev[o->from], "DELETE %s: not a row",
			    fx_id(f, o->from));
			prev[o->from] = 0;
			ndel++;
			break;
		case VOP_UPDATE:
			cr_assert(prev[o->from], "UPDATE from %s: not a row",
			    fx_id(f, o->from));
			cr_assert_not(prev[o->to], "UPDATE to %s: a row",
			    fx_id(f, o->to));
			prev[o->from] = 0;
			prev[o->to] = 1;
			nupd++;
			break;
		case VOP_INSERT:
			cr_assert_not(prev[o->to], "INSERT %s: a row",
			    fx_id(f, o->to));
			prev[o->to] = 1;
			nins++;
			break;
		default:
			cr_assert_fail("bad vop kind %d", (int)o->kind);
		}
		if (up && o->kind != VOP_DELETE)
			cr_assert_eq(o->to, rev, "upgrade of %s adds row %s",
			    fx_id(f, rev), fx_id(f, o->to));
	}
	/* The operations must turn the previous rows into the new ones. */
	for (i = 0; i < st.rows.n; i++) {
		cr_assert(prev[st.rows.v[i]], "step %s: row %s not written",
		    fx_id(f, rev), fx_id(f, st.rows.v[i]));
		prev[st.rows.v[i]] = 2;
	}
	for (i = 0; i < f->g->n; i++) {
		cr_assert_neq(prev[i], 1, "step %s: stale row %s",
		    fx_id(f, rev), fx_id(f, i));
		prev[i] = prev[i] != 0;
	}
	if (ndel == 0 && nupd == 0 && nins == 1)
		return "INSERT";
	if (ndel == 0 && nupd == 1 && nins == 0)
		return "UPDATE";
	if (ndel == 1 && nupd == 0 && nins == 0)
		return "DELETE";
	if (ndel > 0 && nupd == 1 && nins == 0)
		return "DELETE+UPDATE";
	if (ndel == 0 && nupd == 1 && nins > 0)
		return "UPDATE+INSERT";
	return fx_keep(xasprintf("?%zu/%zu/%zu", ndel, nupd, nins));
}

/* Is i a parent or dependency of j? */
static int
below(const struct graph *g, size_t i, size_t j)
{
	size_t	k;

	for (k = 0; k < g->nodes[j].parents.n; k++)
		if (g->nodes[j].parents.v[k] == i)
			return 1;
	for (k = 0; k < g->nodes[j].deps.n; k++)
		if (g->nodes[j].deps.v[k] == i)
			return 1;
	return 0;
}

/* Apply pl step by step, checking the invariants; fills the traces. */
static void
apply_plan(struct fx *f, const char *spec)
{
	struct strbuf	 rt = STRBUF_INIT, ot = STRBUF_INIT;
	unsigned char	*prev = fx_keep(xcalloc(f->g->n ? f->g->n : 1, 1));
	size_t		 i, j, rev;
	int		 up;

	for (i = 0; i < st.rows.n; i++)
		prev[st.rows.v[i]] = 1;
	for (i = 0; i < pl.n; i++) {
		rev = pl.v[i].rev;
		up = pl.v[i].up;
		if (up) {
			cr_assert_not(st.applied[rev], "'%s': %s applied "
			    "twice", spec, fx_id(f, rev));
			for (j = 0; j < f->g->n; j++)
				if (below(f->g, j, rev))
					cr_assert(st.applied[j], "'%s': %s "
					    "before %s", spec, fx_id(f, rev),
					    fx_id(f, j));
		} else {
			cr_assert(st.applied[rev], "'%s': %s reverted but not "
			    "applied", spec, fx_id(f, rev));
			for (j = 0; j < f->g->n; j++)
				if (below(f->g, rev, j))
					cr_assert_not(st.applied[j], "'%s': %s "
					    "reverted under %s", spec,
					    fx_id(f, rev), fx_id(f, j));
		}
		version_step(&st, rev, up, &ops);
		strbuf_addf(&ot, "%s%s", i ? " | " : "",
		    replay(f, prev, rev, up));
		strbuf_addf(&rt, "%s%s", i ? " | " : "", rows(f));
		cr_assert_str_eq(rows(f), heads_of_applied(f), "'%s': rows "
		    "after step %s are not the heads of the applied set", spec,
		    fx_id(f, rev));
	}
	row_trace = fx_keep(strbuf_detach(&rt, NULL));
	op_trace = fx_keep(strbuf_detach(&ot, NULL));
	fx_release(prev);

	/* The rows stand for exactly the applied set. */
	{
		struct version_state	 st2;
		struct strlist		 l = { NULL, 0 };

		for (i = 0; i < st.rows.n; i++)
			strlist_add(&l, fx_id(f, st.rows.v[i]));
		cr_assert_eq(version_init(&st2, f->g, &l, &f->err), 0);
		strlist_clear(&l);
		for (i = 0; i < f->g->n; i++)
			if (st2.applied[i] != st.applied[i])
				break;
		version_free(&st2);
		cr_assert_eq(i, f->g->n, "'%s': the rows do not imply %s",
		    spec, i < f->g->n ? fx_id(f, i) : "");
	}
}

/*
 * `migrate upgrade|downgrade spec` from the current state: returns the
 * code; on success *steps is the plan ("a b c", "" for nothing) and the
 * steps have been applied.
 */
static int
try_migrate(struct fx *f, const char *spec, int up, const char **steps)
{
	size_t	i;
	int	rc;

	revspec_free(&rs);
	plan_free(&pl);
	row_trace = op_trace = NULL;
	rc = revspec_resolve(&rs, f->g, &st.rows, spec, &f->err);
	if (rc == 0) {
		if (up)
			plan_upgrade(&pl, f->g, st.applied, rs.revs.v,
			    rs.revs.n);
		else
			rc = plan_downgrade(&pl, f->g, st.applied, rs.revs.v,
			    rs.base ? 0 : rs.revs.n, rs.branch, &f->err);
	}
	if (rc != 0) {
		cr_assert_eq(f->err.code, rc);
		cr_assert_eq(pl.n, 0);
		*steps = NULL;
		return rc;
	}
	for (i = 0; i < pl.n; i++)
		cr_assert_eq(pl.v[i].up, up, "'%s': step %zu goes the wrong "
		    "way", spec, i);
	*steps = fx_plan_names(f, &pl);
	apply_plan(f, spec);
	for (i = 0; i < rs.revs.n; i++)
		cr_assert(st.applied[rs.revs.v[i]], "'%s': target %s is not "
		    "applied afterwards", spec, fx_id(f, rs.revs.v[i]));
	if (!up && rs.base && rs.branch == NULL)
		cr_assert_eq(st.rows.n, 0, "'%s': rows left", spec);
	return 0;
}

static const char *
migrate(struct fx *f, const char *spec, int up)
{
	const char	*steps;
	int		 rc;

	rc = try_migrate(f, spec, up, &steps);
	cr_assert_eq(rc, 0, "%s '%s' from '%s' failed: %s",
	    up ? "upgrade" : "downgrade", spec, rows(f), f->err.msg.buf);
	return steps;
}

#define upgrade(f, spec)	migrate((f), (spec), 1)
#define downgrade(f, spec)	migrate((f), (spec), 0)

/* spec must fail with code and a message containing msg; state unchanged. */
static void
expect_error(struct fx *f, const char *spec, int up, int code,
    const char *msg)
{
	const char	*before = rows(f), *steps;
	int		 rc;

	rc = try_migrate(f, spec, up, &steps);
	cr_assert_eq(rc, code, "%s '%s': code %d, want %d (%s)",
	    up ? "upgrade" : "downgrade", spec, rc, code,
	    rc ? f->err.msg.buf : steps);
	fx_assert_contains(f->err.msg.buf, msg);
	cr_assert_str_eq(rows(f), before);
}

/* Linear history (RevisionPathTest) */

#define LINEAR	"a; b:a; c:b; d:c; e:d"

Test(traversal, linear_upgrade_paths)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "c");
	cr_assert_str_eq(upgrade(f, "e"), "d e");
	cr_assert_str_eq(row_trace, "d | e");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE");
	at(f, "");
	cr_assert_str_eq(upgrade(f, "c"), "a b c");
	cr_assert_str_eq(op_trace, "INSERT | UPDATE | UPDATE");
	cr_assert_str_eq(rows(f), "c");
	fx_free(f);
}

Test(traversal, linear_relative_upgrades)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "a");
	cr_assert_str_eq(upgrade(f, "+2"), "b c");
	cr_assert_str_eq(rows(f), "c");
	at(f, "a");
	cr_assert_str_eq(upgrade(f, "+1"), "b");
	at(f, "b");
	cr_assert_str_eq(upgrade(f, "+3"), "c d e");
	cr_assert_str_eq(rows(f), "e");
	at(f, "a");
	cr_assert_str_eq(upgrade(f, "b+2"), "b c d");
	cr_assert_str_eq(rows(f), "d");
	at(f, "a");
	cr_assert_str_eq(upgrade(f, "d-2"), "b");
	cr_assert_str_eq(rows(f), "b");
	at(f, "");
	cr_assert_str_eq(upgrade(f, "base+1"), "a");
	at(f, "");
	cr_assert_str_eq(upgrade(f, "+1"), "a");
	fx_free(f);
}

Test(traversal, linear_relative_out_of_range)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "b");
	expect_error(f, "+5", 1, MG_ENOTFOUND,
	    "relative revision +5 didn't produce 5 migrations");
	expect_error(f, "-5", 0, MG_ENOTFOUND,
	    "relative revision -5 didn't produce 5 migrations");
	at(f, "");
	expect_error(f, "-1", 0, MG_ENOTFOUND,
	    "relative revision -1 didn't produce 1 migrations");
	fx_free(f);
}

Test(traversal, linear_downgrade_paths)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "e");
	cr_assert_str_eq(downgrade(f, "c"), "e d");
	cr_assert_str_eq(row_trace, "d | c");
	at(f, "c");
	cr_assert_str_eq(downgrade(f, "base"), "c b a");
	cr_assert_str_eq(row_trace, "b | a | -");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | DELETE");
	/* Nothing applied: base is a no-op. */
	cr_assert_str_eq(downgrade(f, "base"), "");
	fx_free(f);
}

Test(traversal, linear_relative_downgrades)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "c");
	cr_assert_str_eq(downgrade(f, "-1"), "c");
	cr_assert_str_eq(rows(f), "b");
	at(f, "e");
	cr_assert_str_eq(downgrade(f, "-3"), "e d c");
	cr_assert_str_eq(rows(f), "b");
	at(f, "d");
	cr_assert_str_eq(downgrade(f, "a+2"), "d");
	cr_assert_str_eq(rows(f), "c");
	at(f, "d");
	cr_assert_str_eq(downgrade(f, "c-2"), "d c b");
	cr_assert_str_eq(rows(f), "a");
	at(f, "a");
	cr_assert_str_eq(downgrade(f, "-1"), "a");
	cr_assert_str_eq(rows(f), "-");
	fx_free(f);
}

Test(traversal, linear_downgrade_to_current_is_a_no_op)
{
	/* Alembic #838, #839. */
	struct fx	*f = fx_build(LINEAR);

	at(f, "a");
	cr_assert_str_eq(downgrade(f, "a"), "");
	cr_assert_str_eq(rows(f), "a");
	at(f, "e");
	cr_assert_str_eq(downgrade(f, "e"), "");
	cr_assert_str_eq(rows(f), "e");
	fx_free(f);
}

Test(traversal, linear_downgrade_to_unapplied_is_refused)
{
	struct fx	*f = fx_build(LINEAR);

	at(f, "");
	expect_error(f, "b", 0, MG_ENOTFOUND, "'b'");
	at(f, "b");
	expect_error(f, "c", 0, MG_ENOTFOUND, "'c'");
	fx_free(f);
}

/* Two labelled branches from b (BranchedPathTest) */

#define BRANCHED "a; b:a; c1:b label=c1branch; d1:c1; " \
		"c2:b label=c2branch; d2:c2"

Test(traversal, branched_upgrade_one_and_both_branches)
{
	struct fx	*f = fx_build(BRANCHED);

	at(f, "b");
	cr_assert_str_eq(upgrade(f, "d1"), "c1 d1");
	cr_assert_str_eq(rows(f), "d1");
	/*
	 * Both heads from a: b; ready {c1, c2}: c1; ready {c2, d1}: c2;
	 * then d1, d2. (Alembic does one branch after the other.)
	 */
	at(f, "a");
	cr_assert_str_eq(upgrade(f, "heads"), "b c1 c2 d1 d2");
	cr_assert_str_eq(row_trace, "b | c1 | c1 c2 | c2 d1 | d1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | INSERT | UPDATE | "
	    "UPDATE");
	fx_free(f);
}

Test(traversal, branched_downgrade_both_branches)
{
	struct fx	*f = fx_build(BRANCHED);

	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "a"), "d2 d1 c2 c1 b");
	cr_assert_str_eq(row_trace, "c2 d1 | c1 c2 | c1 | b | a");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | DELETE | UPDATE | "
	    "UPDATE");
	fx_free(f);
}

Test(traversal, branched_label_head_minus_one)
{
	struct fx	*f = fx_build(BRANCHED);

	at(f, "b");
	cr_assert_str_eq(upgrade(f, "c2branch@head-1"), "c2");
	cr_assert_str_eq(rows(f), "c2");
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c1branch@head-1"), "d1");
	cr_assert_str_eq(rows(f), "c1 d2");
	fx_free(f);
}

Test(traversal, branched_base_plus_n)
{
	struct fx	*f = fx_build(BRANCHED);

	/* base+2 is b, on no branch: everything above b goes. */
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "base+2"), "d2 d1 c2 c1");
	cr_assert_str_eq(rows(f), "b");
	/* Alembic PR #763: c2branch@base+2 is b, within c2branch only. */
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c2branch@base+2"), "d2 c2");
	cr_assert_str_eq(rows(f), "d1");
	/* c2branch@base+3 is c2. */
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c2branch@base+3"), "d2");
	cr_assert_str_eq(rows(f), "c2 d1");
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c2"), "d2");
	cr_assert_str_eq(rows(f), "c2 d1");
	fx_free(f);
}

Test(traversal, branched_minus_one_needs_a_branch)
{
	/*
	 * Alembic warns and picks a head by the order of the rows; here -1
	 * with two current heads is an error and BRANCH@-1 says which.
	 */
	struct fx	*f = fx_build(BRANCHED);

	at(f, "d1 d2");
	expect_error(f, "-1", 0, MG_EMULTIHEADS, "ambiguous");
	cr_assert_str_eq(downgrade(f, "c1branch@-1"), "d1");
	cr_assert_str_eq(rows(f), "c1 d2");
	at(f, "c1 d2");
	cr_assert_str_eq(downgrade(f, "c1branch@-1"), "c1");
	cr_assert_str_eq(rows(f), "d2");
	at(f, "c2 d1");
	cr_assert_str_eq(downgrade(f, "c2@-1"), "c2");
	cr_assert_str_eq(rows(f), "d1");
	fx_free(f);
}

Test(traversal, branched_id_minus_n_ignores_row_order)
{
	/* Alembic #765. */
	struct fx	*f = fx_build(BRANCHED);

	at(f, "d2 c1");
	cr_assert_str_eq(downgrade(f, "d2-1"), "d2");
	cr_assert_str_eq(rows(f), "c1 c2");
	at(f, "c1 d2");
	cr_assert_str_eq(downgrade(f, "d2-1"), "d2");
	cr_assert_str_eq(rows(f), "c1 c2");
	fx_free(f);
}

Test(traversal, branched_single_branch_downgrade_by_label)
{
	struct fx	*f = fx_build(BRANCHED);

	at(f, "c1 d2");
	cr_assert_str_eq(downgrade(f, "c1branch@b"), "c1");
	cr_assert_str_eq(rows(f), "d2");
	cr_assert_str_eq(op_trace, "DELETE");
	/* The label is on c2, not on the head d2. */
	at(f, "c1 d2");
	cr_assert_str_eq(downgrade(f, "c2branch@b"), "d2 c2");
	cr_assert_str_eq(rows(f), "c1");
	cr_assert_str_eq(op_trace, "UPDATE | DELETE");
	fx_free(f);
}

Test(traversal, branched_single_branch_downgrade_by_revision)
{
	struct fx	*f = fx_build(BRANCHED);

	/* A revision in the middle of the branch names it. */
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c2@b"), "d2 c2");
	cr_assert_str_eq(rows(f), "d1");
	/* So does its head. */
	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "d1@b"), "d1 c1");
	cr_assert_str_eq(rows(f), "d2");
	fx_free(f);
}

Test(traversal, branched_label_plus_one)
{
	struct fx	*f = fx_build(BRANCHED);

	/* From the branch point, the label picks the side. */
	at(f, "b");
	expect_error(f, "+1", 1, MG_EAMBIGUOUS, "ambiguous walk");
	cr_assert_str_eq(upgrade(f, "c2branch@+1"), "c2");
	cr_assert_str_eq(rows(f), "c2");
	/* From both branches, +1 moves only the label's one. */
	at(f, "c1 c2");
	expect_error(f, "+1", 1, MG_EMULTIHEADS, "ambiguous");
	cr_assert_str_eq(upgrade(f, "c2branch@+1"), "d2");
	cr_assert_str_eq(rows(f), "c1 d2");
	fx_free(f);
}

Test(traversal, branched_label_plus_one_from_the_other_branch)
{
	/*
	 * Alembic test_upgrade_other_branch_from_mergepoint: the database is
	 * on c1 only (b applied, no row of c2branch): c2branch@+1 is the
	 * next revision of c2branch above what is applied, c2.
	 */
	struct fx	*f = fx_build(BRANCHED);

	at(f, "c1");
	cr_assert_str_eq(upgrade(f, "c2branch@+1"), "c2");
	cr_assert_str_eq(rows(f), "c1 c2");
	fx_free(f);
}

Test(traversal, branched_downgrade_to_an_applied_revision_does_nothing)
{
	struct fx	*f = fx_build(BRANCHED);

	at(f, "c2 d1");
	cr_assert_str_eq(downgrade(f, "c2"), "");
	cr_assert_str_eq(downgrade(f, "d1"), "");
	cr_assert_str_eq(rows(f), "c2 d1");
	fx_free(f);
}

/* A branch leaving a merge point (BranchFromMergepointTest) */

#define FROM_MERGE "a1; b1:a1; c1:b1; a2; b2:a2; c2:b2; d1:c1,c2; d2:c2"

Test(traversal, mergepoint_upgrade_only_one_side)
{
	struct fx	*f = fx_build(FROM_MERGE);

	at(f, "b1 d2");
	cr_assert_str_eq(upgrade(f, "d1"), "c1 d1");
	cr_assert_str_eq(row_trace, "c1 d2 | d1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE");
	fx_free(f);
}

Test(traversal, mergepoint_downgrade_only_one_side)
{
	struct fx	*f = fx_build(FROM_MERGE);

	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "b1"), "d1 c1");
	cr_assert_str_eq(row_trace, "c1 d2 | b1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE");
	fx_free(f);
}

#define FROM_MERGE3 "a1; b1:a1; c1:b1; a2; b2:a2; c2:b2; a3; b3:a3; " \
		"c3:b3; d1:c1,c2,c3; d2:c2; d3:c3"

Test(traversal, mergepoint3_one_side)
{
	struct fx	*f = fx_build(FROM_MERGE3);

	at(f, "b1 d2 d3");
	cr_assert_str_eq(upgrade(f, "d1"), "c1 d1");
	cr_assert_str_eq(rows(f), "d1 d2 d3");
	cr_assert_str_eq(downgrade(f, "b1"), "d1 c1");
	cr_assert_str_eq(rows(f), "b1 d2 d3");
	fx_free(f);
}

Test(traversal, mergepoint3_two_sides_then_break_out)
{
	struct fx	*f = fx_build(FROM_MERGE3);

	at(f, "b1 b2 d3");
	cr_assert_str_eq(upgrade(f, "d1"), "c1 c2 d1");
	cr_assert_str_eq(row_trace, "b2 c1 d3 | c1 c2 d3 | d1 d3");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | DELETE+UPDATE");
	/* c2 goes on to d2: a new row beside d1. */
	cr_assert_str_eq(upgrade(f, "d2"), "d2");
	cr_assert_str_eq(rows(f), "d1 d2 d3");
	cr_assert_str_eq(op_trace, "INSERT");
	fx_free(f);
}

/* Two merges of the same parents (#297) */

Test(traversal, twin_merge_up_and_down)
{
	struct fx	*f = fx_build("a; b1:a; b2:a; b3:a; c1:b1,b2,b3; "
	    "c2:b1,b2,b3; d1:c1; d2:c2");

	at(f, "a");
	cr_assert_str_eq(upgrade(f, "heads"), "b1 b2 b3 c1 c2 d1 d2");
	cr_assert_str_eq(row_trace, "b1 | b1 b2 | b1 b2 b3 | c1 | c1 c2 | "
	    "c2 d1 | d1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | INSERT | INSERT | "
	    "DELETE+UPDATE | INSERT | UPDATE | UPDATE");
	cr_assert_str_eq(downgrade(f, "a"), "d2 d1 c2 c1 b3 b2 b1");
	cr_assert_str_eq(row_trace, "c2 d1 | c1 c2 | c1 | b1 b2 b3 | "
	    "b1 b2 | b1 | a");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | DELETE | "
	    "UPDATE+INSERT | DELETE | DELETE | UPDATE");
	fx_free(f);
}

Test(traversal, not_quite_twin_merge)
{
	struct fx	*f = fx_build("a; b1:a; b2:a; b3:a; c1:b1,b2; "
	    "c2:b2,b3; d1:c1; d2:c2");

	at(f, "a");
	cr_assert_str_eq(upgrade(f, "heads"), "b1 b2 b3 c1 c2 d1 d2");
	cr_assert_str_eq(row_trace, "b1 | b1 b2 | b1 b2 b3 | b3 c1 | "
	    "c1 c2 | c2 d1 | d1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | INSERT | INSERT | "
	    "DELETE+UPDATE | UPDATE | UPDATE | UPDATE");
	fx_free(f);
}

/* depends_on another branch (DependsOnBranchTest*) */

#define DEP_ONE	"a1 label=lib1; b1:a1; c1:b1; a2; b2:a2; " \
		"c2:b2 dep=c1; d1:c1; e1:d1; f1:e1"

Test(traversal, depends_on_branch_one_downgrade_to_dependency)
{
	struct fx	*f = fx_build(DEP_ONE);

	/* Only d1's branch: c2 still needs c1, which stays. */
	at(f, "c2 d1");
	cr_assert_str_eq(downgrade(f, "lib1@c1"), "d1");
	cr_assert_str_eq(rows(f), "c2");
	cr_assert_str_eq(op_trace, "DELETE");
	at(f, "c2 d1");
	cr_assert_str_eq(downgrade(f, "d1@c1"), "d1");
	cr_assert_str_eq(rows(f), "c2");
	/*
	 * Unqualified, c1's descendants include c2 (depends_on). Upgrade
	 * order of {c2, d1}: c2, d1; reversed.
	 */
	at(f, "c2 d1");
	cr_assert_str_eq(downgrade(f, "c1"), "d1 c2");
	cr_assert_str_eq(row_trace, "c2 | b2 c1");
	cr_assert_str_eq(op_trace, "DELETE | UPDATE+INSERT");
	fx_free(f);
}

Test(traversal, depends_on_branch_one_upgrade_pulls_the_dependency)
{
	struct fx	*f = fx_build(DEP_ONE);

	at(f, "b2");
	/* c2 needs c1: a1 b1 c1 first (a1 < c2, b1 < c2, c1 < c2). */
	cr_assert_str_eq(upgrade(f, "c2"), "a1 b1 c1 c2");
	cr_assert_str_eq(row_trace, "a1 b2 | b1 b2 | b2 c1 | c2");
	cr_assert_str_eq(op_trace, "INSERT | UPDATE | UPDATE | "
	    "DELETE+UPDATE");
	cr_assert_str_eq(upgrade(f, "lib1@head"), "d1 e1 f1");
	cr_assert_str_eq(rows(f), "c2 f1");
	fx_free(f);
}

#define DEP_TWO	"a1; a2; a3; amerge:a1,a2,a3; b1; b2; bmerge:b1,b2; " \
		"c1; c2; c3; cmerge:c1,c2,c3; d1 dep=a3,b2,c1"

Test(traversal, depends_on_branch_two_upgrade_all)
{
	struct fx	*f = fx_build(DEP_TWO);

	at(f, "");
	cr_assert_str_eq(upgrade(f, "heads"), "a1 a2 a3 amerge b1 b2 bmerge "
	    "c1 c2 c3 cmerge d1");
	cr_assert_str_eq(rows(f), "amerge bmerge cmerge d1");
	fx_free(f);
}

Test(traversal, depends_on_branch_two_kaboom)
{
	struct fx	*f = fx_build(DEP_TWO);

	/*
	 * Downgrade to b2 reverts what descends from b2: bmerge and d1
	 * (depends_on). Alembic reverts bmerge only; DESIGN.md counts
	 * depends_on as descent.
	 */
	at(f, "amerge bmerge cmerge d1");
	cr_assert_str_eq(downgrade(f, "b2"), "d1 bmerge");
	cr_assert_str_eq(row_trace, "amerge bmerge cmerge | "
	    "amerge b1 b2 cmerge");
	cr_assert_str_eq(op_trace, "DELETE | UPDATE+INSERT");
	/* d1@base: only d1; b2 was implied by d1 and gets its row. */
	at(f, "amerge b1 cmerge d1");
	cr_assert_str_eq(downgrade(f, "d1@base"), "d1");
	cr_assert_str_eq(rows(f), "amerge b1 b2 cmerge");
	cr_assert_str_eq(op_trace, "UPDATE");
	/* Everything: the reverse of a1 a2 a3 amerge b1 b2 c1 c2 c3 cmerge. */
	cr_assert_str_eq(downgrade(f, "base"), "cmerge c3 c2 c1 b2 b1 "
	    "amerge a3 a2 a1");
	cr_assert_str_eq(rows(f), "-");
	fx_free(f);
}

#define DEP_THREE "a1; a2:a1; b1; b2:b1 dep=a2; b3:b2; a3:a2 dep=b1"

Test(traversal, depends_on_branch_three_crisscross)
{
	struct fx	*f = fx_build(DEP_THREE);

	/* Alembic #377: within b2's branch only b2 goes; a3 keeps b1. */
	at(f, "a3 b2");
	cr_assert_str_eq(downgrade(f, "b2@b1"), "b2");
	cr_assert_str_eq(rows(f), "a3");
	cr_assert_str_eq(op_trace, "DELETE");
	/*
	 * Unqualified, a3 depends_on b1, so it descends from b1: {a3, b2},
	 * upgrade order a3 b2, reversed.
	 */
	at(f, "a3 b2");
	cr_assert_str_eq(downgrade(f, "b1"), "b2 a3");
	cr_assert_str_eq(row_trace, "a3 | a2 b1");
	cr_assert_str_eq(op_trace, "DELETE | UPDATE+INSERT");
	fx_free(f);
}

Test(traversal, depends_on_own_down_revision)
{
	/* Alembic #843. */
	struct fx	*f = fx_build("a1; a2:a1 dep=a1");

	at(f, "");
	cr_assert_str_eq(upgrade(f, "a2"), "a1 a2");
	cr_assert_str_eq(row_trace, "a1 | a2");
	cr_assert_str_eq(downgrade(f, "a1"), "a2");
	cr_assert_str_eq(rows(f), "a1");
	cr_assert_str_eq(op_trace, "UPDATE");
	fx_free(f);
}

#define DEP_FOUR "a1; a2:a1; a3:a2; b1; b2:b1 dep=a3; b3:b2; b4:b3 dep=a3"

Test(traversal, depends_on_branch_four_normalized_rows)
{
	/* Alembic #789: b3 still implies a3; no a3 row appears. */
	struct fx	*f = fx_build(DEP_FOUR);

	at(f, "b4");
	cr_assert_str_eq(downgrade(f, "b3"), "b4");
	cr_assert_str_eq(rows(f), "b3");
	cr_assert_str_eq(op_trace, "UPDATE");
	/* And back up: heads (a3, b4) only needs b4. */
	cr_assert_str_eq(upgrade(f, "heads"), "b4");
	cr_assert_str_eq(rows(f), "b4");
	/* Same through -1. */
	cr_assert_str_eq(downgrade(f, "-1"), "b4");
	cr_assert_str_eq(rows(f), "b3");
	cr_assert_str_eq(upgrade(f, "heads"), "b4");
	cr_assert_str_eq(rows(f), "b4");
	fx_free(f);
}

Test(traversal, depends_on_branch_four_downgrade_the_dependency)
{
	struct fx	*f = fx_build(DEP_FOUR);

	/* Below a3, everything of branch b that needs a3 goes too. */
	at(f, "b4");
	cr_assert_str_eq(downgrade(f, "a2"), "b4 b3 b2 a3");
	cr_assert_str_eq(row_trace, "b3 | b2 | a3 b1 | a2 b1");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE | UPDATE+INSERT | "
	    "UPDATE");
	cr_assert_str_eq(upgrade(f, "heads"), "a3 b2 b3 b4");
	cr_assert_str_eq(rows(f), "b4");
	fx_free(f);
}

#define DEP_FIVE "a1; b1 dep=a1; bmerge:a1,b1"

Test(traversal, depends_on_branch_five_merge_of_a_dependency)
{
	/* Alembic #1373: never a redundant a1 row beside b1. */
	struct fx	*f = fx_build(DEP_FIVE);

	at(f, "a1");
	cr_assert_str_eq(upgrade(f, "b1"), "b1");
	cr_assert_str_eq(rows(f), "b1");
	cr_assert_str_eq(op_trace, "UPDATE");
	cr_assert_str_eq(upgrade(f, "bmerge"), "bmerge");
	cr_assert_str_eq(rows(f), "bmerge");
	cr_assert_str_eq(op_trace, "UPDATE");
	cr_assert_str_eq(downgrade(f, "b1"), "bmerge");
	cr_assert_str_eq(rows(f), "b1");
	cr_assert_str_eq(op_trace, "UPDATE");
	/*
	 * Down to a1: b1 depends_on a1, so it descends from a1 and goes too
	 * (Alembic keeps b1).
	 */
	at(f, "bmerge");
	cr_assert_str_eq(downgrade(f, "a1"), "bmerge b1");
	cr_assert_str_eq(row_trace, "b1 | a1");
	fx_free(f);
}

Test(traversal, depends_on_label_branch_upgrade_path)
{
	/*
	 * DependsOnBranchLabelTest, with c2 depending on c1 by id (a label
	 * in depends_on is not supported by graph_build). Order: a1; ready
	 * {b1, b2}: b1; ready {b2, c1}: b2; then c1, c2.
	 */
	struct fx	*f = fx_build("a1 label=lib1; b1:a1; "
	    "c1:b1 label=c1lib; a2; b2:a2; c2:b2 dep=c1; d1:c1; e1:d1; f1:e1");

	at(f, "a2");
	cr_assert_str_eq(upgrade(f, "c2"), "a1 b1 b2 c1 c2");
	cr_assert_str_eq(row_trace, "a1 a2 | a2 b1 | b1 b2 | b2 c1 | c2");
	cr_assert_str_eq(op_trace, "INSERT | UPDATE | UPDATE | UPDATE | "
	    "DELETE+UPDATE");
	fx_free(f);
}

Test(traversal, forest_base_to_heads)
{
	struct fx	*f = fx_build("a1; b1:a1; a2; b2:a2");

	at(f, "");
	cr_assert_str_eq(upgrade(f, "heads"), "a1 a2 b1 b2");
	cr_assert_str_eq(row_trace, "a1 | a1 a2 | a2 b1 | b1 b2");
	cr_assert_str_eq(op_trace, "INSERT | INSERT | UPDATE | UPDATE");
	cr_assert_str_eq(downgrade(f, "base"), "b2 b1 a2 a1");
	cr_assert_str_eq(row_trace, "a2 b1 | a1 a2 | a1 | -");
	fx_free(f);
}

/* Two branches merged, then linear (MergedPathTest) */

#define MERGED	"a; b:a; c1:b; d1:c1; c2:b label=c2branch; d2:c2; " \
		"e:d1,d2; f:e"

Test(traversal, merged_upgrade_across_merge_point)
{
	struct fx	*f = fx_build(MERGED);

	at(f, "b");
	cr_assert_str_eq(upgrade(f, "f"), "c1 c2 d1 d2 e f");
	cr_assert_str_eq(row_trace, "c1 | c1 c2 | c2 d1 | d1 d2 | e | f");
	cr_assert_str_eq(op_trace, "UPDATE | INSERT | UPDATE | UPDATE | "
	    "DELETE+UPDATE | UPDATE");
	fx_free(f);
}

Test(traversal, merged_downgrade_across_merge_point)
{
	struct fx	*f = fx_build(MERGED);

	at(f, "f");
	cr_assert_str_eq(downgrade(f, "b"), "f e d2 d1 c2 c1");
	cr_assert_str_eq(row_trace, "e | d1 d2 | c2 d1 | c1 c2 | c1 | b");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE+INSERT | UPDATE | "
	    "UPDATE | DELETE | UPDATE");
	fx_free(f);
}

Test(traversal, merged_unmerge_keeps_the_other_branch)
{
	struct fx	*f = fx_build(MERGED);

	at(f, "f");
	cr_assert_str_eq(downgrade(f, "d1"), "f e");
	cr_assert_str_eq(row_trace, "e | d1 d2");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE+INSERT");
	at(f, "f");
	cr_assert_str_eq(downgrade(f, "c2"), "f e d2");
	cr_assert_str_eq(rows(f), "c2 d1");
	fx_free(f);
}

Test(traversal, merged_label_downgrade_reverts_the_merge_it_feeds)
{
	/*
	 * c2branch@b: c2branch is c2 and what descends from it (d2, e, f);
	 * c1 and d1 stay.
	 */
	struct fx	*f = fx_build(MERGED);

	at(f, "f");
	cr_assert_str_eq(downgrade(f, "c2branch@b"), "f e d2 c2");
	cr_assert_str_eq(row_trace, "e | d1 d2 | c2 d1 | d1");
	cr_assert_str_eq(op_trace, "UPDATE | UPDATE+INSERT | UPDATE | "
	    "DELETE");
	fx_free(f);
}

Test(traversal, merged_upgrade_from_one_side)
{
	/* The database is on d1 only: the other side and the merge apply. */
	struct fx	*f = fx_build(MERGED);

	at(f, "d1");
	cr_assert_str_eq(upgrade(f, "f"), "c2 d2 e f");
	cr_assert_str_eq(row_trace, "c2 d1 | d1 d2 | e | f");
	cr_assert_str_eq(op_trace, "INSERT | UPDATE | DELETE+UPDATE | "
	    "UPDATE");
	at(f, "d1");
	cr_assert_str_eq(upgrade(f, "c2branch@head"), "c2 d2 e f");
	cr_assert_str_eq(rows(f), "f");
	at(f, "d2");
	cr_assert_str_eq(upgrade(f, "e"), "c1 d1 e");
	cr_assert_str_eq(rows(f), "e");
	fx_free(f);
}

Test(traversal, merged_relative_walks)
{
	struct fx	*f = fx_build(MERGED);

	at(f, "f");
	expect_error(f, "-2", 0, MG_EAMBIGUOUS, "ambiguous walk");
	/* Within the label, the walk takes the label's side of the merge. */
	cr_assert_str_eq(downgrade(f, "c2branch@-2"), "f e");
	cr_assert_str_eq(rows(f), "d1 d2");
	at(f, "f");
	cr_assert_str_eq(downgrade(f, "c2branch@-3"), "f e d2");
	cr_assert_str_eq(rows(f), "c2 d1");
	at(f, "b");
	expect_error(f, "+1", 1, MG_EAMBIGUOUS, "ambiguous walk");
	cr_assert_str_eq(upgrade(f, "c2branch@+1"), "c2");
	fx_free(f);
}

/* Downgrades in a branch that others depend on (BranchedPathTestCross...) */

#define CROSS	"a; b:a; c1:b label=c1branch; d1:c1; " \
		"c2:b label=c2branch; d2:c2 dep=c1"

Test(traversal, cross_dependency_independent_branch)
{
	/* c2branch depends on c1branch: it can go on its own. */
	struct fx	*f = fx_build(CROSS);

	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c2branch@b"), "d2 c2");
	cr_assert_str_eq(row_trace, "c2 d1 | d1");
	fx_free(f);
}

Test(traversal, cross_dependency_branch_dependency)
{
	/*
	 * c1branch@b reverts c1 and d1, and d2 which depends on c1; c2 needs
	 * nothing reverted and stays. Upgrade order of {c1, d1, d2} over a b
	 * c2: c1, d1, d2; reversed.
	 */
	struct fx	*f = fx_build(CROSS);

	at(f, "d1 d2");
	cr_assert_str_eq(downgrade(f, "c1branch@b"), "d2 d1 c1");
	cr_assert_str_eq(row_trace, "c2 d1 | c1 c2 | c2");
	fx_free(f);
}

/* Alembic PR #763: BRANCH@ID downgrades */

#define PR763	"rev1; rev2:rev1 label=brancha; " \
		"rev2a:rev1 label=branchb; rev3a:rev2a"
#define PR763_DEP "rev1; rev2:rev1 label=brancha; " \
		"rev2a:rev1 dep=rev2 label=branchb; rev3a:rev2a"

Test(traversal, pr763_branch_a_at_rev1)
{
	struct fx	*f = fx_build(PR763);

	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "rev2@rev1"), "rev2");
	cr_assert_str_eq(rows(f), "rev3a");
	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "brancha@rev1"), "rev2");
	cr_assert_str_eq(rows(f), "rev3a");
	cr_assert_str_eq(op_trace, "DELETE");
	fx_free(f);
}

Test(traversal, pr763_branch_b_at_rev1)
{
	struct fx	*f = fx_build(PR763);
	const char	*spec[] = { "rev3a@rev1", "rev2a@rev1",
	    "branchb@rev1" };
	size_t		 i;

	for (i = 0; i < 3; i++) {
		at(f, "rev2 rev3a");
		cr_assert_str_eq(downgrade(f, spec[i]), "rev3a rev2a",
		    "%s", spec[i]);
		cr_assert_str_eq(row_trace, "rev2 rev2a | rev2", "%s",
		    spec[i]);
	}
	/* Unqualified, rev1 loses both branches. */
	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "rev1"), "rev3a rev2a rev2");
	cr_assert_str_eq(rows(f), "rev1");
	fx_free(f);
}

Test(traversal, pr763_dependency_follows_the_branch)
{
	/*
	 * rev2a depends_on rev2: reverting brancha (rev2) takes rev3a and
	 * rev2a with it; nothing stays applied without its dependencies.
	 * Reverting branchb leaves rev2.
	 */
	struct fx	*f = fx_build(PR763_DEP);

	at(f, "rev3a");
	cr_assert_str_eq(downgrade(f, "brancha@rev1"), "rev3a rev2a rev2");
	cr_assert_str_eq(row_trace, "rev2a | rev2 | rev1");
	at(f, "rev3a");
	cr_assert_str_eq(downgrade(f, "branchb@rev1"), "rev3a rev2a");
	cr_assert_str_eq(rows(f), "rev2");
	at(f, "rev3a");
	cr_assert_str_eq(downgrade(f, "brancha@base"), "rev3a rev2a rev2");
	cr_assert_str_eq(rows(f), "rev1");
	fx_free(f);
}

Test(traversal, pr763_label_at_base)
{
	struct fx	*f = fx_build(PR763);

	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "brancha@base"), "rev2");
	cr_assert_str_eq(rows(f), "rev3a");
	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "branchb@base"), "rev3a rev2a");
	cr_assert_str_eq(rows(f), "rev2");
	/* Nothing of branchb applied any more: a no-op. */
	cr_assert_str_eq(downgrade(f, "branchb@base"), "");
	cr_assert_str_eq(rows(f), "rev2");
	fx_free(f);
}

Test(traversal, label_at_base_of_a_linear_label_reverts_its_chain)
{
	/* The label spreads down the plain chain below it, to the base. */
	struct fx	*f = fx_build("a; b:a label=x; c:b");

	at(f, "c");
	cr_assert_str_eq(downgrade(f, "x@base"), "c b a");
	cr_assert_str_eq(rows(f), "-");
	fx_free(f);
}

Test(traversal, pr763_label_minus_n)
{
	struct fx	*f = fx_build(PR763);

	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "branchb@-1"), "rev3a");
	cr_assert_str_eq(rows(f), "rev2 rev2a");
	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "branchb@-2"), "rev3a rev2a");
	cr_assert_str_eq(rows(f), "rev2");
	at(f, "rev2 rev3a");
	cr_assert_str_eq(downgrade(f, "brancha@-1"), "rev2");
	cr_assert_str_eq(rows(f), "rev3a");
	at(f, "rev2 rev3a");
	expect_error(f, "branchb@-4", 0, MG_ENOTFOUND,
	    "relative revision branchb@-4 didn't produce 4 migrations");
	fx_free(f);
}

Test(traversal, pr763_label_plus_n_at_the_branch_point)
{
	struct fx	*f = fx_build(PR763);

	at(f, "rev1");
	expect_error(f, "+1", 1, MG_EAMBIGUOUS, "ambiguous walk");
	cr_assert_str_eq(upgrade(f, "branchb@+1"), "rev2a");
	cr_assert_str_eq(rows(f), "rev2a");
	at(f, "rev1");
	cr_assert_str_eq(upgrade(f, "brancha@+1"), "rev2");
	cr_assert_str_eq(rows(f), "rev2");
	at(f, "rev1");
	cr_assert_str_eq(upgrade(f, "branchb@+2"), "rev2a rev3a");
	cr_assert_str_eq(rows(f), "rev3a");
	at(f, "rev1");
	expect_error(f, "branchb@+3", 1, MG_ENOTFOUND,
	    "relative revision branchb@+3 didn't produce 3 migrations");
	fx_free(f);
}

Test(traversal, pr763_bad_branch_targets)
{
	struct fx	*f = fx_build(PR763);

	at(f, "rev2 rev3a");
	expect_error(f, "brancha@rev2a", 0, MG_ENOTFOUND,
	    "revision 'rev2a' is not a member of branch 'brancha'");
	expect_error(f, "branchb@rev2", 0, MG_ENOTFOUND,
	    "revision 'rev2' is not a member of branch 'branchb'");
	expect_error(f, "nosuch@head", 1, MG_ENOTFOUND,
	    "no such branch 'nosuch'");
	expect_error(f, "nosuch@rev1", 0, MG_ENOTFOUND,
	    "no such branch 'nosuch'");
	fx_free(f);
}

Test(traversal, label_walk_across_its_own_branch_point_is_ambiguous)
{
	/* main is on b, whose lineage holds both branches above it. */
	struct fx	*f = fx_build("a; b:a label=main; c1:b; c2:b");

	at(f, "b");
	expect_error(f, "main@+1", 1, MG_EAMBIGUOUS, "ambiguous walk");
	expect_error(f, "main@head", 1, MG_EMULTIHEADS,
	    "multiple head revisions");
	cr_assert_str_eq(upgrade(f, "main@heads"), "c1 c2");
	cr_assert_str_eq(op_trace, "UPDATE | INSERT");
	fx_free(f);
}
