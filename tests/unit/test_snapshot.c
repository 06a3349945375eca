/*
 * Unit tests for dialects/snapshot.c: the escaping and order of snapshot
 * lines, identifiers, and the normalization of SQL text as SQLite stores
 * it.
 */
#include <string.h>

#include <criterion/criterion.h>

/* Criterion's cr_assert_* macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "snapshot.h"
#include "strbuf.h"

static struct snapshot	snap = SNAPSHOT_INIT;
static struct strbuf	out = STRBUF_INIT;

static void
teardown(void)
{
	snapshot_clear(&snap);
	strbuf_release(&out);
}

TestSuite(snapshot, .fini = teardown);

static const char *
norm(const char *sql)
{
	strbuf_reset(&out);
	snapshot_sql(&out, sql);
	return out.buf;
}

Test(snapshot, lines_are_sorted_in_byte_order)
{
	snapshot_add(&snap, "table b");
	snapshot_add(&snap, "column b.x int");
	snapshot_add(&snap, "table B");
	snapshot_add(&snap, "table b columns: x");
	snapshot_add(&snap, "table \xc3\xa9");
	snapshot_add(&snap, NULL);
	snapshot_finish(&snap, &out);
	cr_assert_str_eq(out.buf, "column b.x int\ntable B\ntable b\n"
	    "table b columns: x\ntable \xc3\xa9\n");
	cr_assert_eq(snap.n, 0);
}

Test(snapshot, control_characters_and_backslashes_are_escaped)
{
	snapshot_add(&snap,
	    "view v: SELECT 1\n  FROM t\twhere '\\n' <> '\r\x01\x7f'");
	snapshot_finish(&snap, &out);
	cr_assert_str_eq(out.buf, "view v: SELECT 1\\n  FROM t\\twhere "
	    "'\\\\n' <> '\\r\\x01\\x7F'\n");
}

Test(snapshot, an_empty_snapshot_is_empty)
{
	snapshot_finish(&snap, &out);
	cr_assert_str_eq(out.buf, "");
}

Test(snapshot, identifiers_are_quoted_when_they_must_be)
{
	snapshot_ident(&out, "users_2");
	strbuf_addch(&out, ' ');
	snapshot_ident(&out, "My Table");
	strbuf_addch(&out, ' ');
	snapshot_ident(&out, "2x");
	strbuf_addch(&out, ' ');
	snapshot_ident(&out, "a\"b");
	strbuf_addch(&out, ' ');
	snapshot_ident(&out, "");
	cr_assert_str_eq(out.buf,
	    "users_2 \"My Table\" \"2x\" \"a\"\"b\" \"\"");
}

Test(snapshot, sql_blanks_and_comments)
{
	cr_assert_str_eq(norm("  CREATE TABLE t ( a INT , -- the a\n"
	    "\tb TEXT /* the b */ )  "), "CREATE TABLE t(a INT, b TEXT)");
	cr_assert_str_eq(norm("CREATE TABLE t(a INT,b TEXT)"),
	    "CREATE TABLE t(a INT, b TEXT)");
	cr_assert_str_eq(norm("SELECT a/*x*/FROM t"), "SELECT a FROM t");
	cr_assert_str_eq(norm("SELECT 1 -- end"), "SELECT 1");
	cr_assert_str_eq(norm(""), "");
}

Test(snapshot, sql_strings_are_kept_exactly)
{
	cr_assert_str_eq(norm("DEFAULT 'a  -- b /* c */ ''d''  '"),
	    "DEFAULT 'a  -- b /* c */ ''d''  '");
	cr_assert_str_eq(norm("CHECK (x <> 'a,b' )"), "CHECK(x <> 'a,b')");
}

Test(snapshot, sql_identifiers_lose_needless_quotes)
{
	cr_assert_str_eq(norm("CREATE TABLE \"users\" ([id] INT, `name` TEXT)"),
	    "CREATE TABLE users(id INT, name TEXT)");
	cr_assert_str_eq(norm("CREATE TABLE \"my t\" ([a b] INT, `c\"d` INT, "
	    "\"e\"\"f\" INT)"),
	    "CREATE TABLE \"my t\"(\"a b\" INT, \"c\"\"d\" INT, "
	    "\"e\"\"f\" INT)");
	/* An unterminated quote runs to the end, as SQLite would refuse. */
	cr_assert_str_eq(norm("SELECT 'abc"), "SELECT 'abc");
}
