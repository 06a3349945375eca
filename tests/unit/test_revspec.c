/*
 * Unit tests for core/revspec.c: Alembic's target grammar (head, heads,
 * base, current, ids and unique prefixes of at least 4 characters, +N/-N,
 * ID+N/ID-N, label@head) and its error texts. Pure: graphs are built in
 * memory (fixture.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "revspec.h"

static struct revspec	 rs;

static void
revspec_fini(void)
{
	revspec_free(&rs);
	fx_cleanup();
}

TestSuite(revspec, .fini = revspec_fini);

#define LINEAR	"0001; 0002:0001; 0003:0002; 0004:0003"
#define HEX	"1975ea83b712; ae1027a6acf:1975ea83b712; " \
		"ae10abc:ae1027a6acf; 27c6a30d7c24:ae10abc"
#define FORK	"r; a1:r label=alpha; a2:a1; b1:r label=beta; b2:b1"

/*
 * Resolve spec with the current rows given as ids; returns the code. On
 * success *names is "base" or the resolved ids as "a b".
 */
static int
resolve(struct fx *f, const char *current, const char *spec,
    const char **names)
{
	struct idxlist	 cur = { NULL, 0 };
	int		 rc;

	cur.v = fx_indices(f, current, &cur.n);
	revspec_free(&rs);
	rc = revspec_resolve(&rs, f->g, &cur, spec, &f->err);
	if (rc == 0) {
		cr_assert_eq(f->err.code, 0, "error set on success: %s",
		    f->err.msg.buf);
		if (rs.base) {
			cr_assert_eq(rs.revs.n, 0, "'%s': base and revisions",
			    spec);
			*names = "base";
		} else
			*names = fx_list_names(f, &rs.revs);
	} else {
		cr_assert_eq(f->err.code, rc);
		*names = NULL;
	}
	return rc;
}

/* spec must resolve to want ("base" or ids). */
static void
expect(struct fx *f, const char *current, const char *spec,
    const char *want)
{
	const char	*got;
	int		 rc;

	rc = resolve(f, current, spec, &got);
	cr_assert_eq(rc, 0, "'%s' (current '%s') failed: %s", spec, current,
	    f->err.msg.buf);
	cr_assert_str_eq(got, want, "'%s' (current '%s')", spec, current);
}

/* spec must fail with code and a message containing msg. */
static void
expect_error(struct fx *f, const char *current, const char *spec, int code,
    const char *msg)
{
	const char	*got;
	int		 rc;

	rc = resolve(f, current, spec, &got);
	cr_assert_eq(rc, code, "'%s' (current '%s'): code %d, want %d (%s)",
	    spec, current, rc, code, rc ? f->err.msg.buf : got);
	fx_assert_contains(f->err.msg.buf, msg);
}

/* Keywords */

Test(revspec, head_of_a_single_head_graph)
{
	struct fx	*f = fx_build(LINEAR);

	expect(f, "", "head", "0004");
	expect(f, "0002", "head", "0004");
	fx_free(f);
}

Test(revspec, heads_lists_every_head)
{
	struct fx	*f = fx_build(FORK);

	expect(f, "", "heads", "a2 b2");
	fx_free(f);
}

Test(revspec, base)
{
	struct fx	*f = fx_build(LINEAR);

	expect(f, "0003", "base", "base");
	fx_free(f);
}

Test(revspec, current)
{
	struct fx	*f = fx_build(FORK);

	expect(f, "a1 b2", "current", "a1 b2");
	expect(f, "r", "current", "r");
	expect(f, "", "current", "base");
	fx_free(f);
}

Test(revspec, head_with_multiple_heads_is_alembics_error)
{
	struct fx	*f = fx_build(FORK);
	const char	*got;

	cr_assert_eq(resolve(f, "", "head", &got), MG_EMULTIHEADS);
	cr_assert_str_eq(f->err.msg.buf, "multiple head revisions are "
	    "present for given argument 'head'; please specify a specific "
	    "target revision, '<branchname>@head' to narrow to a specific "
	    "head, or 'heads' for all heads");
	/* DESIGN.md: the error names the heads. */
	fx_assert_contains(fx_errtext(&f->err), "a2");
	fx_assert_contains(fx_errtext(&f->err), "b2");
	fx_free(f);
}

/* Ids and prefixes */

Test(revspec, full_id)
{
	struct fx	*f = fx_build(HEX);

	expect(f, "", "ae1027a6acf", "ae1027a6acf");
	expect(f, "", "27c6a30d7c24", "27c6a30d7c24");
	fx_free(f);
}

Test(revspec, unique_four_char_prefix)
{
	struct fx	*f = fx_build(HEX);

	expect(f, "", "1975", "1975ea83b712");
	expect(f, "", "27c6a", "27c6a30d7c24");
	expect(f, "", "ae102", "ae1027a6acf");
	fx_free(f);
}

Test(revspec, ambiguous_prefix_lists_both)
{
	struct fx	*f = fx_build(HEX);

	expect_error(f, "", "ae10", MG_EAMBIGUOUS, "ae10");
	fx_assert_contains(fx_errtext(&f->err), "ae1027a6acf");
	fx_assert_contains(fx_errtext(&f->err), "ae10abc");
	fx_free(f);
}

Test(revspec, three_char_prefix_is_not_accepted)
{
	struct fx	*f = fx_build(HEX);

	expect_error(f, "", "197", MG_ENOTFOUND, "197");
	/* The hint says why a prefix of a real id was not found. */
	fx_assert_contains(f->err.hint.buf, "4");
	fx_free(f);
}

Test(revspec, unknown_id)
{
	struct fx	*f = fx_build(HEX);

	expect_error(f, "", "deadbeef", MG_ENOTFOUND, "'deadbeef'");
	fx_free(f);
}

Test(revspec, short_full_ids_are_ids)
{
	/* DESIGN.md: an id shorter than 4 characters is a full id. */
	struct fx	*f = fx_build("r; ab:r; abc:ab; abcd:abc; abcde:abcd");
	size_t		 i;

	expect(f, "", "r", "r");
	expect(f, "", "ab", "ab");
	expect(f, "", "abc", "abc");
	/* An exact id wins over being a prefix of longer ids. */
	expect(f, "", "abcd", "abcd");
	cr_assert_eq(revspec_find(&i, f->g, "abcde", &f->err), 0);
	cr_assert_eq(i, fx_idx(f, "abcde"));
	cr_assert_eq(revspec_find(&i, f->g, "abcdef", &f->err),
	    MG_ENOTFOUND);
	fx_free(f);
}

Test(revspec, find_prefix_directly)
{
	struct fx	*f = fx_build(HEX);
	size_t		 i = GRAPH_NONE;

	cr_assert_eq(revspec_find(&i, f->g, "27c6", &f->err), 0);
	cr_assert_eq(i, fx_idx(f, "27c6a30d7c24"));
	cr_assert_eq(revspec_find(&i, f->g, "ae10", &f->err), MG_EAMBIGUOUS);
	cr_assert_eq(revspec_find(&i, f->g, "ae1", &f->err), MG_ENOTFOUND);
	fx_free(f);
}

/* Relative revisions */

Test(revspec, plus_n_from_current)
{
	struct fx	*f = fx_build(LINEAR);

	expect(f, "0002", "+1", "0003");
	expect(f, "0002", "+2", "0004");
	/* From base, +1 is the single base revision. */
	expect(f, "", "+1", "0001");
	expect(f, "", "+4", "0004");
	fx_free(f);
}

Test(revspec, minus_n_from_current)
{
	struct fx	*f = fx_build(LINEAR);

	expect(f, "0004", "-1", "0003");
	expect(f, "0004", "-3", "0001");
	fx_free(f);
}

Test(revspec, minus_n_reaching_base_exactly)
{
	struct fx	*f = fx_build(LINEAR);

	expect(f, "0002", "-2", "base");
	expect(f, "0004", "-4", "base");
	fx_free(f);
}

Test(revspec, minus_n_past_base)
{
	struct fx	*f = fx_build(LINEAR);

	expect_error(f, "0002", "-3", MG_ENOTFOUND,
	    "relative revision -3 didn't produce 3 migrations");
	expect_error(f, "", "-1", MG_ENOTFOUND,
	    "relative revision -1 didn't produce 1 migrations");
	fx_free(f);
}

Test(revspec, plus_n_past_head)
{
	struct fx	*f = fx_build(LINEAR);

	expect_error(f, "0002", "+3", MG_ENOTFOUND,
	    "relative revision +3 didn't produce 3 migrations");
	fx_free(f);
}

Test(revspec, plus_n_across_a_branch_point)
{
	struct fx	*f = fx_build(FORK);
	const char	*got;

	expect(f, "a1", "+1", "a2");
	cr_assert_neq(resolve(f, "r", "+1", &got), 0);
	fx_assert_contains(f->err.msg.buf, "ambiguous walk");
	fx_free(f);
}

Test(revspec, minus_n_across_a_merge_point)
{
	struct fx	*f = fx_build("a; b:a; c:a; m:b,c; n:m");
	const char	*got;

	expect(f, "n", "-1", "m");
	cr_assert_neq(resolve(f, "n", "-2", &got), 0);
	fx_assert_contains(f->err.msg.buf, "ambiguous walk");
	fx_free(f);
}

Test(revspec, relative_with_several_current_heads_fails)
{
	struct fx	*f = fx_build(FORK);
	const char	*got;

	cr_assert_neq(resolve(f, "a1 b1", "+1", &got), 0);
	cr_assert_neq(resolve(f, "a1 b1", "-1", &got), 0);
	fx_free(f);
}

Test(revspec, id_plus_n_and_id_minus_n)
{
	struct fx	*f = fx_build(LINEAR);

	/* Relative to the id, not to current. */
	expect(f, "0004", "0001+2", "0003");
	expect(f, "", "0004-3", "0001");
	expect(f, "", "0002-2", "base");
	expect(f, "", "0003+0", "0003");
	expect_error(f, "", "0003+2", MG_ENOTFOUND,
	    "didn't produce 2 migrations");
	fx_free(f);
}

Test(revspec, prefix_plus_n)
{
	struct fx	*f = fx_build(HEX);

	expect(f, "", "1975+2", "ae10abc");
	expect(f, "", "27c6-1", "ae10abc");
	fx_free(f);
}

/* Branch labels */

Test(revspec, label_at_head)
{
	struct fx	*f = fx_build(FORK);

	expect(f, "", "alpha@head", "a2");
	expect(f, "", "beta@head", "b2");
	expect(f, "", "beta@heads", "b2");
	fx_free(f);
}

Test(revspec, label_with_two_heads)
{
	struct fx	*f = fx_build("r label=main; a:r; b:r");
	const char	*got;

	expect(f, "", "main@heads", "a b");
	cr_assert_eq(resolve(f, "", "main@head", &got), MG_EMULTIHEADS);
	fx_assert_contains(f->err.msg.buf, "multiple head revisions are "
	    "present for given argument 'main@head'");
	fx_free(f);
}

Test(revspec, unknown_label)
{
	struct fx	*f = fx_build(FORK);

	expect_error(f, "", "gamma@head", MG_ENOTFOUND, "no such branch");
	fx_assert_contains(f->err.msg.buf, "gamma");
	fx_free(f);
}

/*
 * Regression: a branch label covers the revisions that descend from it through
 * down_revision only (Alembic's RevisionMap._add_branches walks
 * descendants with include_dependencies=False). revspec.c's resolve_label
 * used graph_mark_descendants(), which also follows depends_on, so a
 * branch that merely depends on a revision of 'alpha' counts as part of
 * 'alpha': alpha@head fails with "multiple head revisions" and
 * alpha@heads returns b2 as well.
 */
Test(revspec, label_head_ignores_branches_that_only_depend_on_it)
{
	struct fx	*f = fx_build("r; a1:r label=alpha; a2:a1; "
	    "b1:r label=beta; b2:b1 dep=a1");

	expect(f, "", "alpha@head", "a2");
	expect(f, "", "alpha@heads", "a2");
	expect(f, "", "beta@head", "b2");
	fx_free(f);
}
