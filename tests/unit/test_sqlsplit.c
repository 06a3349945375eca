/*
 * Unit tests for core/sqlsplit.c: sections, statement splitting, positions
 * and errors. Pure: no database, no files.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

/* Criterion's assertion macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "error.h"
#include "sqlsplit.h"
#include "strbuf.h"

static struct script	 s;
static struct mg_error	 err = MG_ERROR_INIT;

static void
teardown(void)
{
	sqlsplit_free(&s);
	mg_error_clear(&err);
}

TestSuite(sqlsplit, .fini = teardown);

static int
parse(const char *text, const char *dialect)
{
	return sqlsplit_parse(&s, text, strlen(text), dialect,
	    "versions/0001_x.sql", &err);
}

static void
expect_ok(const char *text, const char *dialect)
{
	int	 rc;

	rc = parse(text, dialect);
	cr_assert_eq(rc, 0, "parse failed: %s:%d:%d: %s", err.file, err.line,
	    err.col, err.msg.buf);
}

static void
expect_error(const char *text, const char *dialect, const char *msg,
    int line, int col)
{
	int	 rc;

	rc = parse(text, dialect);
	cr_assert_eq(rc, MG_EREVISION, "expected an error, got %d", rc);
	cr_assert_eq(err.code, MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, msg);
	cr_assert_str_eq(err.file, "versions/0001_x.sql");
	cr_assert_eq(err.line, line, "line %d, want %d", err.line, line);
	cr_assert_eq(err.col, col, "col %d, want %d", err.col, col);
	/* On error the script is left empty. */
	cr_assert_eq(s.up.n, 0);
	cr_assert_null(s.up.v);
	cr_assert_eq(s.down.n, 0);
	cr_assert_eq(s.has_up, 0);
}

static void
expect_up(size_t i, const char *sql)
{
	cr_assert_lt(i, s.up.n, "only %zu upgrade statements", s.up.n);
	cr_assert_str_eq(s.up.v[i].sql, sql);
	cr_assert_eq(s.up.v[i].len, strlen(sql));
}

static void
expect_pos(const struct stmt *st, size_t offset, int line, int col)
{
	cr_assert_eq(st->offset, offset, "offset %zu, want %zu", st->offset,
	    offset);
	cr_assert_eq(st->line, line, "line %d, want %d", st->line, line);
	cr_assert_eq(st->col, col, "col %d, want %d", st->col, col);
}

/* Sections */

Test(sqlsplit, upgrade_and_downgrade)
{
	expect_ok("-- migrate:upgrade\n"
	    "CREATE TABLE a (x int);\n"
	    "CREATE INDEX ix ON a (x);\n"
	    "-- migrate:downgrade\n"
	    "DROP TABLE a;\n", NULL);
	cr_assert(s.has_up);
	cr_assert(s.has_down);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "CREATE TABLE a (x int)");
	expect_up(1, "CREATE INDEX ix ON a (x)");
	cr_assert_eq(s.down.n, 1);
	cr_assert_str_eq(s.down.v[0].sql, "DROP TABLE a");
	cr_assert_eq(s.transaction_off, 0);
}

Test(sqlsplit, header_is_skipped)
{
	expect_ok("-- revision: 0001\n"
	    "-- down_revision:\n"
	    "SELECT 'not a statement; really';\n"
	    "'unterminated in the header is fine\n"
	    "\n"
	    "-- migrate:upgrade\n"
	    "SELECT 1;\n", NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 1");
}

Test(sqlsplit, no_upgrade_section)
{
	int	 rc;

	rc = parse("-- revision: 0001\nSELECT 1;\n", NULL);
	cr_assert_eq(rc, MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "no '-- migrate:upgrade' section");
	cr_assert_str_eq(err.file, "versions/0001_x.sql");
	cr_assert_eq(s.up.n, 0);
}

Test(sqlsplit, only_downgrade_is_an_error)
{
	cr_assert_eq(parse("-- migrate:downgrade\nDROP TABLE a;\n", NULL),
	    MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "no '-- migrate:upgrade' section");
}

Test(sqlsplit, empty_input)
{
	cr_assert_eq(sqlsplit_parse(&s, NULL, 0, "sqlite", "x.sql", &err),
	    MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "no '-- migrate:upgrade' section");
}

Test(sqlsplit, downgrade_missing)
{
	expect_ok("-- migrate:upgrade\nSELECT 1;\n", NULL);
	cr_assert_eq(s.has_up, 1);
	cr_assert_eq(s.has_down, 0);
	cr_assert_eq(s.down.n, 0);
}

Test(sqlsplit, downgrade_empty)
{
	expect_ok("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:downgrade\n-- nothing to undo\n", NULL);
	cr_assert_eq(s.has_down, 1);
	cr_assert_eq(s.down.n, 0);
}

Test(sqlsplit, empty_upgrade_section)
{
	expect_ok("-- migrate:upgrade\n\n-- migrate:downgrade\nSELECT 2;\n",
	    NULL);
	cr_assert_eq(s.has_up, 1);
	cr_assert_eq(s.up.n, 0);
	cr_assert_eq(s.down.n, 1);
}

Test(sqlsplit, directive_spelling_tolerated)
{
	expect_ok("--migrate:upgrade\nSELECT 1;\n"
	    "  \t-- migrate:downgrade  \r\nSELECT 2;\n", NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 1");
	cr_assert(s.has_down);
	cr_assert_str_eq(s.down.v[0].sql, "SELECT 2");
}

Test(sqlsplit, crlf_line_endings)
{
	expect_ok("-- migrate:upgrade\r\nSELECT 1;\r\nSELECT\r\n  2\r\n"
	    "-- migrate:downgrade sqlite\r\nSELECT 3;\r\n", "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(1, "SELECT\r\n  2");
	cr_assert_eq(s.down.n, 1);
	cr_assert_eq(s.down.v[0].line, 6);
}

Test(sqlsplit, dialect_section_overrides_generic)
{
	static const char text[] =
	    "-- migrate:upgrade\nSELECT 'generic';\n"
	    "-- migrate:upgrade sqlite\nSELECT 'lite'; SELECT 'lite2';\n"
	    "-- migrate:downgrade\nSELECT 'down';\n";

	expect_ok(text, "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT 'lite'");
	expect_up(1, "SELECT 'lite2'");
	cr_assert_eq(s.down.n, 1);
	cr_assert_str_eq(s.down.v[0].sql, "SELECT 'down'");
	teardown();

	expect_ok(text, "postgresql");
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 'generic'");
	teardown();

	expect_ok(text, NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 'generic'");
}

Test(sqlsplit, dialect_section_before_generic)
{
	expect_ok("-- migrate:upgrade postgresql\nSELECT 'pg';\n"
	    "-- migrate:upgrade\nSELECT 'generic';\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 'pg'");
}

Test(sqlsplit, only_other_dialect_section)
{
	static const char text[] =
	    "-- migrate:upgrade postgresql\nSELECT 1;\n";

	cr_assert_eq(parse(text, "sqlite"), MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "no '-- migrate:upgrade' section");
	teardown();
	expect_ok(text, "postgresql");
	cr_assert_eq(s.up.n, 1);
}

Test(sqlsplit, other_dialect_downgrade_ignored)
{
	expect_ok("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:downgrade sqlite\nSELECT 2;\n", "postgresql");
	cr_assert_eq(s.has_down, 0);
	cr_assert_eq(s.down.n, 0);
}

Test(sqlsplit, other_dialect_section_lexed_with_its_rules)
{
	/* Backticks quote on sqlite: the ';' and the line are inside. */
	expect_ok("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:upgrade sqlite\nSELECT `a;\n"
	    "-- migrate:downgrade\nb`;\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 1");
	cr_assert_eq(s.has_down, 0);
}

Test(sqlsplit, transaction_off)
{
	expect_ok("-- revision: 1\n-- migrate:transaction off\n\n"
	    "-- migrate:upgrade\nCREATE INDEX CONCURRENTLY i ON t (a);\n",
	    "postgresql");
	cr_assert_eq(s.transaction_off, 1);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "CREATE INDEX CONCURRENTLY i ON t (a)");
}

Test(sqlsplit, transaction_off_ends_statement)
{
	expect_ok("-- migrate:upgrade\nSELECT 1\n-- migrate:transaction off\n"
	    "SELECT 2;\n", NULL);
	cr_assert_eq(s.transaction_off, 1);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT 1");
}

Test(sqlsplit, transaction_on_rejected)
{
	expect_error("-- migrate:upgrade\n -- migrate:transaction on\n",
	    NULL, "expected 'off' after '-- migrate:transaction'", 2, 2);
}

Test(sqlsplit, statement_before_first_section)
{
	expect_error("-- migrate:transaction off\nSELECT 1;\n"
	    "-- migrate:upgrade\n", NULL,
	    "statement outside a '-- migrate:upgrade' or "
	    "'-- migrate:downgrade' section", 2, 1);
}

Test(sqlsplit, unknown_directive)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\n  -- migrate:upgarde\n",
	    NULL, "unknown directive '-- migrate:upgarde'", 3, 3);
	cr_assert_neq(err.hint.len, 0);
}

Test(sqlsplit, unknown_dialect)
{
	expect_error("-- migrate:upgrade postgres\nSELECT 1;\n", "postgresql",
	    "unknown dialect 'postgres' in '-- migrate:upgrade'", 1, 20);
}

Test(sqlsplit, duplicate_section)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n"
	    "-- migrate:upgrade\nSELECT 2;\n", NULL,
	    "duplicate '-- migrate:upgrade' section", 4, 1);
}

Test(sqlsplit, duplicate_dialect_section)
{
	/* Even for a dialect that is not the one asked for. */
	expect_error("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:downgrade postgresql\n\n"
	    "-- migrate:downgrade postgresql\n", "sqlite",
	    "duplicate '-- migrate:downgrade postgresql' section", 5, 1);
}

Test(sqlsplit, directive_inside_string_is_text)
{
	expect_ok("-- migrate:upgrade\n"
	    "INSERT INTO t VALUES ('line one\n"
	    "-- migrate:downgrade\n"
	    "line three');\n", NULL);
	cr_assert_eq(s.has_down, 0);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "INSERT INTO t VALUES ('line one\n-- migrate:downgrade\n"
	    "line three')");
}

Test(sqlsplit, directive_inside_comment_and_dollar_is_text)
{
	expect_ok("-- migrate:upgrade\n"
	    "/* a comment\n-- migrate:downgrade\n*/\n"
	    "SELECT $$\n-- migrate:downgrade\n$$;\n", "postgresql");
	cr_assert_eq(s.has_down, 0);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT $$\n-- migrate:downgrade\n$$");
}

Test(sqlsplit, directive_mid_line_is_a_comment)
{
	expect_ok("-- migrate:upgrade\nSELECT 1 -- migrate:downgrade\n;\n",
	    NULL);
	cr_assert_eq(s.has_down, 0);
	expect_up(0, "SELECT 1");
}

/* Markers */

Test(sqlsplit, statement_markers)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT 0;\n"
	    "-- migrate:statement-begin\n"
	    "  CREATE RULE r AS ON INSERT TO t DO ALSO (\n"
	    "    INSERT INTO log VALUES (1); 'unbalanced\n"
	    "  );  \n"
	    "-- migrate:statement-end\n"
	    "SELECT 2;\n", NULL);
	cr_assert_eq(s.up.n, 3);
	expect_up(1, "CREATE RULE r AS ON INSERT TO t DO ALSO (\n"
	    "    INSERT INTO log VALUES (1); 'unbalanced\n  )");
	expect_pos(&s.up.v[1], 58, 4, 3);
	expect_up(2, "SELECT 2");
}

Test(sqlsplit, markers_end_pending_statement)
{
	expect_ok("-- migrate:upgrade\nSELECT 1\n"
	    "-- migrate:statement-begin\nSELECT 2\n"
	    "-- migrate:statement-end\n", NULL);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT 1");
	expect_up(1, "SELECT 2");
}

Test(sqlsplit, empty_marker_block_skipped)
{
	expect_ok("-- migrate:upgrade\n-- migrate:statement-begin\n ;\n"
	    "-- migrate:statement-end\n", NULL);
	cr_assert_eq(s.up.n, 0);
}

Test(sqlsplit, statement_begin_without_end)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:statement-begin\nSELECT 2;\n"
	    "-- migrate:downgrade\n", NULL,
	    "'-- migrate:statement-begin' without '-- migrate:statement-end'",
	    3, 1);
}

Test(sqlsplit, statement_end_without_begin)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:statement-end\n", NULL,
	    "'-- migrate:statement-end' without '-- migrate:statement-begin'",
	    3, 1);
}

/* Statements and positions */

Test(sqlsplit, positions)
{
	expect_ok("-- revision: 1\n"		/* 0..14 */
	    "-- migrate:upgrade\n"		/* 15..33 */
	    "\n"				/* 34 */
	    "-- leading comment; not part\n"	/* 35..63 */
	    "   SELECT 1;  SELECT\n"		/* 64..84 */
	    "  2;\n", NULL);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT 1");
	expect_pos(&s.up.v[0], 67, 5, 4);
	expect_up(1, "SELECT\n  2");
	expect_pos(&s.up.v[1], 78, 5, 15);
}

Test(sqlsplit, position_after_block_comment)
{
	expect_ok("-- migrate:upgrade\n/* one\ntwo; */ /**/\tSELECT 1;\n",
	    NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 1");
	expect_pos(&s.up.v[0], 39, 3, 14);
}

Test(sqlsplit, final_statement_without_semicolon)
{
	expect_ok("-- migrate:upgrade\nSELECT 1;\nSELECT 2\n\n"
	    "-- migrate:downgrade\nSELECT 3", NULL);
	cr_assert_eq(s.up.n, 2);
	expect_up(1, "SELECT 2");
	cr_assert_eq(s.down.n, 1);
	cr_assert_str_eq(s.down.v[0].sql, "SELECT 3");
	cr_assert_eq(s.down.v[0].line, 6);
}

Test(sqlsplit, empty_statements_skipped)
{
	expect_ok("-- migrate:upgrade\n;\n ; -- just a comment\n/* c */;\n"
	    ";SELECT 1;;\n", NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 1");
	cr_assert_eq(s.up.v[0].line, 5);
	cr_assert_eq(s.up.v[0].col, 2);
}

Test(sqlsplit, comments_inside_statement_kept)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT 1, -- first; not the end\n"
	    "  /* second; */ 2\n"
	    "  -- trailing comment\n"
	    ";\n", NULL);
	cr_assert_eq(s.up.n, 1);
	/* Comments after the last token are not part of it. */
	expect_up(0, "SELECT 1, -- first; not the end\n  /* second; */ 2");
}

Test(sqlsplit, nul_byte)
{
	static const char text[] = "-- migrate:upgrade\nSELECT '\0';\n";
	int	 rc;

	rc = sqlsplit_parse(&s, text, sizeof(text) - 1, NULL, "v.sql", &err);
	cr_assert_eq(rc, MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "file contains a NUL byte");
	cr_assert_eq(err.line, 2);
	cr_assert_eq(err.col, 9);
	cr_assert_eq(s.up.n, 0);
}

Test(sqlsplit, utf8_bom)
{
	expect_ok("\xef\xbb\xbf-- migrate:upgrade\nSELECT 'é';\n", NULL);
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT 'é'");
	expect_pos(&s.up.v[0], 22, 2, 1);
}

/* Quotes */

Test(sqlsplit, single_quotes)
{
	expect_ok("-- migrate:upgrade\nSELECT 'a;''b'';c'; SELECT ';';\n",
	    NULL);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT 'a;''b'';c'");
	expect_up(1, "SELECT ';'");
}

Test(sqlsplit, unterminated_string)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\nINSERT INTO t\n"
	    "  VALUES ('it''s;\n\n-- migrate:downgrade\n", NULL,
	    "unterminated quoted string", 4, 11);
}

Test(sqlsplit, e_strings)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT E'it\\'s; fine';\n"
	    "SELECT e'\\\\'; SELECT E'a''b;';\n", "postgresql");
	cr_assert_eq(s.up.n, 3);
	expect_up(0, "SELECT E'it\\'s; fine'");
	expect_up(1, "SELECT e'\\\\'");
	expect_up(2, "SELECT E'a''b;'");
}

Test(sqlsplit, e_after_identifier_is_not_e_string)
{
	/* xE'\' is the word xE and the plain string '\'. */
	expect_ok("-- migrate:upgrade\nSELECT xE'\\'; SELECT 2;\n",
	    "postgresql");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT xE'\\'");
	expect_up(1, "SELECT 2");
}

Test(sqlsplit, unterminated_e_string)
{
	expect_error("-- migrate:upgrade\n  SELECT E'\\';\n", NULL,
	    "unterminated quoted string", 2, 10);
}

Test(sqlsplit, double_quoted_identifier)
{
	expect_ok("-- migrate:upgrade\nCREATE TABLE \"a;\"\"b\" (x int);\n"
	    "SELECT 1 AS \"begin\";\n", NULL);
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "CREATE TABLE \"a;\"\"b\" (x int)");
}

Test(sqlsplit, unterminated_identifier)
{
	expect_error("-- migrate:upgrade\nSELECT \"abc;\n", NULL,
	    "unterminated quoted identifier", 2, 8);
}

Test(sqlsplit, backticks_on_sqlite_only)
{
	static const char text[] =
	    "-- migrate:upgrade\nSELECT `a;``b`; SELECT 2;\n";

	expect_ok(text, "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT `a;``b`");
	teardown();
	expect_ok(text, "postgresql");
	cr_assert_eq(s.up.n, 3);
	expect_up(0, "SELECT `a");
}

Test(sqlsplit, unterminated_backtick)
{
	expect_error("-- migrate:upgrade\nSELECT 1; SELECT `x;\n", "sqlite",
	    "unterminated quoted identifier", 2, 18);
}

Test(sqlsplit, brackets_on_sqlite)
{
	expect_ok("-- migrate:upgrade\nSELECT [a;b] FROM t; SELECT 2;\n",
	    "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT [a;b] FROM t");
	teardown();
	expect_ok("-- migrate:upgrade\nSELECT a[1;\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "SELECT a[1");
}

/* Comments */

Test(sqlsplit, nested_comments_postgresql)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT /* outer /* inner; */ still; */ 1; SELECT 2;\n",
	    "postgresql");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT /* outer /* inner; */ still; */ 1");
}

Test(sqlsplit, comments_do_not_nest_on_sqlite)
{
	expect_ok("-- migrate:upgrade\nSELECT /* a /* b; */ 1; SELECT 2;\n",
	    "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT /* a /* b; */ 1");
}

Test(sqlsplit, unterminated_comment)
{
	expect_error("-- migrate:upgrade\nSELECT 1;\n  /* a /* b */\n"
	    "SELECT 2;\n", "postgresql", "unterminated comment", 3, 3);
}

Test(sqlsplit, comment_star_slash_overlap)
{
	/* The slash of the opening does not also close it. */
	expect_error("-- migrate:upgrade\n/*/ SELECT 1;\n", "sqlite",
	    "unterminated comment", 2, 1);
}

/* Dollar quotes */

Test(sqlsplit, dollar_quotes)
{
	expect_ok("-- migrate:upgrade\n"
	    "CREATE FUNCTION f() RETURNS int AS $$\n"
	    "BEGIN RETURN 1; END;\n"
	    "$$ LANGUAGE plpgsql;\n"
	    "SELECT 2;\n", "postgresql");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "CREATE FUNCTION f() RETURNS int AS $$\n"
	    "BEGIN RETURN 1; END;\n$$ LANGUAGE plpgsql");
	expect_up(1, "SELECT 2");
}

Test(sqlsplit, dollar_tags)
{
	expect_ok("-- migrate:upgrade\n"
	    "DO $body$ BEGIN PERFORM $$;$$; PERFORM $x$ ; $x$; END $body$;\n"
	    "SELECT $_1$;$_1$;\n", "postgresql");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "DO $body$ BEGIN PERFORM $$;$$; PERFORM $x$ ; $x$; "
	    "END $body$");
	expect_up(1, "SELECT $_1$;$_1$");
}

Test(sqlsplit, unterminated_dollar_quote)
{
	expect_error("-- migrate:upgrade\nDO $fn$ BEGIN END; $fnx$;\n",
	    "postgresql", "unterminated dollar-quoted string $fn$", 2, 4);
}

Test(sqlsplit, dollar_params_and_identifiers)
{
	expect_ok("-- migrate:upgrade\n"
	    "PREPARE p AS SELECT $1; SELECT foo$bar$ FROM t; "
	    "SELECT $; SELECT 4;\n", "postgresql");
	cr_assert_eq(s.up.n, 4);
	expect_up(0, "PREPARE p AS SELECT $1");
	expect_up(1, "SELECT foo$bar$ FROM t");
	expect_up(2, "SELECT $");
	teardown();
	/* After $1, the '$' follows an identifier character: no quote. */
	expect_ok("-- migrate:upgrade\nSELECT $1$$; SELECT 2;\n",
	    "postgresql");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "SELECT $1$$");
}

/* BEGIN ... END bodies */

Test(sqlsplit, sqlite_trigger_with_case)
{
	expect_ok("-- migrate:upgrade\n"
	    "CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n"
	    "  UPDATE t SET k = CASE WHEN new.a > 0 THEN 1 ELSE 2 END;\n"
	    "  INSERT INTO log VALUES (CASE new.a WHEN 1 THEN 'x' END);\n"
	    "END;\n"
	    "CREATE TABLE after (x int);\n", "sqlite");
	cr_assert_eq(s.up.n, 2);
	expect_up(0, "CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n"
	    "  UPDATE t SET k = CASE WHEN new.a > 0 THEN 1 ELSE 2 END;\n"
	    "  INSERT INTO log VALUES (CASE new.a WHEN 1 THEN 'x' END);\n"
	    "END");
	expect_up(1, "CREATE TABLE after (x int)");
}

Test(sqlsplit, trigger_variants)
{
	expect_ok("-- migrate:upgrade\n"
	    "create temp trigger a before delete on t begin select 1; end;\n"
	    "CREATE OR REPLACE TEMPORARY TRIGGER b AFTER UPDATE ON t\n"
	    "BEGIN SELECT 2; END;\n"
	    "CREATE TRIGGER IF NOT EXISTS c AFTER INSERT ON t "
	    "BEGIN SELECT 3; END;\n", "sqlite");
	cr_assert_eq(s.up.n, 3);
	expect_up(0, "create temp trigger a before delete on t begin "
	    "select 1; end");
	expect_up(2, "CREATE TRIGGER IF NOT EXISTS c AFTER INSERT ON t "
	    "BEGIN SELECT 3; END");
}

Test(sqlsplit, begin_not_a_trigger_body_elsewhere)
{
	/* CREATE TABLE ... is not a trigger: begin is a column name. */
	expect_ok("-- migrate:upgrade\nCREATE TABLE t (begin int);\n"
	    "SELECT 2;\n", "sqlite");
	cr_assert_eq(s.up.n, 2);
}

Test(sqlsplit, begin_atomic_body)
{
	expect_ok("-- migrate:upgrade\n"
	    "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n"
	    "  SELECT CASE WHEN a > 0 THEN 1 END;\n"
	    "  SELECT a;\n"
	    "END;\n"
	    "CREATE PROCEDURE p() begin /* x */ atomic insert into t "
	    "values (1); end;\n"
	    "SELECT 3;\n", "postgresql");
	cr_assert_eq(s.up.n, 3);
	expect_up(0, "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 END;\n"
	    "  SELECT a;\nEND");
	expect_up(1, "CREATE PROCEDURE p() begin /* x */ atomic insert into t "
	    "values (1); end");
	expect_up(2, "SELECT 3");
}

Test(sqlsplit, plain_begin_splits)
{
	expect_ok("-- migrate:upgrade\nBEGIN;\nCREATE TABLE t (x int);\n"
	    "END;\nBEGIN TRANSACTION; COMMIT;\n", "sqlite");
	cr_assert_eq(s.up.n, 5);
	expect_up(0, "BEGIN");
	expect_up(2, "END");
	expect_up(3, "BEGIN TRANSACTION");
}

Test(sqlsplit, keywords_are_whole_words)
{
	/* beginning/atomics/"ATOMIC" are not BEGIN ATOMIC. */
	expect_ok("-- migrate:upgrade\n"
	    "SELECT beginning atomic; SELECT begin atomics;"
	    " SELECT begin \"ATOMIC\"; SELECT 4;\n", "postgresql");
	cr_assert_eq(s.up.n, 4);
	expect_up(0, "SELECT beginning atomic");
}

Test(sqlsplit, case_outside_body_is_plain)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT CASE WHEN 1 THEN 2 END; SELECT 3;\n", NULL);
	cr_assert_eq(s.up.n, 2);
}

Test(sqlsplit, section_ends_open_body)
{
	expect_ok("-- migrate:upgrade\n"
	    "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;\n"
	    "-- migrate:downgrade\nDROP TRIGGER t;\n", "sqlite");
	cr_assert_eq(s.up.n, 1);
	expect_up(0, "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;");
	cr_assert_eq(s.down.n, 1);
}

/* Mapping offsets back, tag-20261122-offsets */

Test(sqlsplit, locate)
{
	static const char text[] =
	    "-- migrate:upgrade\n"
	    "  SELECT 1,\n"
	    "    bogus,\n"
	    "  3;\n";
	const struct stmt	*st;
	const char		*p;
	int			 line, col;

	expect_ok(text, NULL);
	cr_assert_eq(s.up.n, 1);
	st = &s.up.v[0];
	expect_pos(st, 21, 2, 3);

	sqlsplit_locate(st, text, strlen(text), 0, &line, &col);
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 3);
	sqlsplit_locate(st, text, strlen(text), 4, &line, &col);
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 7);

	p = strstr(st->sql, "bogus");
	cr_assert_not_null(p);
	sqlsplit_locate(st, text, strlen(text), (size_t)(p - st->sql), &line,
	    &col);
	cr_assert_eq(line, 3);
	cr_assert_eq(col, 5);
	cr_assert_eq(text[st->offset + (size_t)(p - st->sql)], 'b');

	/* Without the buffer, and past the end: clamped to the end. */
	sqlsplit_locate(st, NULL, 0, 1000, &line, &col);
	cr_assert_eq(line, 4);
	cr_assert_eq(col, 4);
}

Test(sqlsplit, locate_marker_statement)
{
	static const char text[] =
	    "-- migrate:upgrade\n-- migrate:statement-begin\n"
	    "\tA;\n\tB\n-- migrate:statement-end\n";
	const struct stmt	*st;
	int			 line, col;

	expect_ok(text, NULL);
	st = &s.up.v[0];
	cr_assert_str_eq(st->sql, "A;\n\tB");
	expect_pos(st, 47, 3, 2);
	sqlsplit_locate(st, text, strlen(text), 4, &line, &col);
	cr_assert_eq(line, 4);
	cr_assert_eq(col, 2);
}

/* Robustness */

Test(sqlsplit, garbage_does_not_crash)
{
	static const char *const dialects[] = { NULL, "sqlite", "postgresql" };
	static const char alphabet[] = "-$/*'\"`[]; \n\\EeBEGINatomcrTRIGaseND"
	    "migrate:upgradedown\x80\xff";
	char		 buf[512];
	unsigned int	 seed = 12345;
	size_t		 i, j, n, k, ok = 0;
	int		 rc;

	for (i = 0; i < 3000; i++) {
		n = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		memcpy(buf, "-- migrate:upgrade\n", 19);
		for (j = 19; j < n; j++)
			buf[j] = rand_r(&seed) % 3 == 0 ?
			    (char)(rand_r(&seed) % 255 + 1) :
			    alphabet[rand_r(&seed) %
			    (int)(sizeof(alphabet) - 1)];
		n = n < 19 ? 19 : n;
		rc = sqlsplit_parse(&s, buf, n, dialects[i % 3], "g.sql",
		    &err);
		cr_assert(rc == 0 || rc == MG_EREVISION);
		if (rc == 0) {
			ok++;
			for (k = 0; k < s.up.n; k++) {
				cr_assert_leq(s.up.v[k].offset + s.up.v[k].len,
				    n);
				cr_assert(memcmp(buf + s.up.v[k].offset,
				    s.up.v[k].sql, s.up.v[k].len) == 0);
				cr_assert_eq(strlen(s.up.v[k].sql),
				    s.up.v[k].len);
			}
		} else
			cr_assert_gt(err.line, 0);
		teardown();
	}
	cr_assert_gt(ok, 0);
}

Test(sqlsplit, large_file_is_fast)
{
	struct strbuf	 sb = STRBUF_INIT;
	clock_t		 t0;
	double		 secs;
	int		 i;

	strbuf_addstr(&sb, "-- revision: big\n-- migrate:upgrade\n");
	for (i = 0; i < 10000; i++)
		strbuf_addf(&sb, "INSERT INTO t VALUES (%d, 'a;b', $$x;y$$); "
		    "-- c\n", i);
	strbuf_addstr(&sb, "-- migrate:downgrade\nDELETE FROM t;\n");
	t0 = clock();
	cr_assert_eq(sqlsplit_parse(&s, sb.buf, sb.len, "postgresql", "b.sql",
	    &err), 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_eq(s.up.n, 10000);
	cr_assert_str_eq(s.up.v[9999].sql,
	    "INSERT INTO t VALUES (9999, 'a;b', $$x;y$$)");
	cr_assert_eq(s.up.v[9999].line, 10002);
	cr_assert_eq(s.up.v[9999].col, 1);
	cr_assert_eq(s.down.v[0].line, 10004);
	/* Milliseconds normally; the bound leaves room for sanitizers. */
	cr_assert_lt(secs, 1.0, "took %.3f s", secs);
	strbuf_release(&sb);
}

Test(sqlsplit, free_is_idempotent)
{
	expect_ok("-- migrate:upgrade\nSELECT 1;\n", NULL);
	sqlsplit_free(&s);
	cr_assert_null(s.up.v);
	cr_assert_eq(s.up.n, 0);
	sqlsplit_free(&s);
	sqlsplit_free(NULL);
}

/* -- migrate:rebuild TABLE */

Test(sqlsplit, rebuild_marks_the_next_create_table)
{
	expect_ok("-- migrate:upgrade sqlite\n"
	    "UPDATE t SET a = 0 WHERE a IS NULL;\n"
	    "-- migrate:rebuild t\n"
	    "CREATE TABLE t (a int NOT NULL);\n"
	    "CREATE INDEX ix ON t (a);\n", "sqlite");
	cr_assert_eq(s.up.n, 3);
	cr_assert_null(s.up.v[0].rebuild);
	cr_assert_str_eq(s.up.v[1].rebuild, "t");
	expect_up(1, "CREATE TABLE t (a int NOT NULL)");
	cr_assert_null(s.up.v[2].rebuild);
}

Test(sqlsplit, rebuild_in_another_dialects_section_is_dropped)
{
	expect_ok("-- migrate:upgrade\n"
	    "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
	    "-- migrate:upgrade sqlite\n"
	    "-- migrate:rebuild t\n"
	    "CREATE TABLE t (a int NOT NULL);\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	cr_assert_null(s.up.v[0].rebuild);
}

Test(sqlsplit, rebuild_needs_a_create_table)
{
	expect_error("-- migrate:upgrade\n"
	    "-- migrate:rebuild t\n"
	    "DROP TABLE t;\n", "sqlite", "'-- migrate:rebuild t' must be "
	    "followed by the table's new CREATE TABLE statement", 3, 1);
}

Test(sqlsplit, rebuild_without_a_statement)
{
	expect_error("-- migrate:upgrade\n"
	    "SELECT 1;\n"
	    "-- migrate:rebuild t\n"
	    "-- migrate:downgrade\n"
	    "SELECT 2;\n", "sqlite", "'-- migrate:rebuild t' is not followed "
	    "by a CREATE TABLE statement", 3, 1);
	expect_error("-- migrate:upgrade\n"
	    "-- migrate:rebuild t\n", "sqlite", "'-- migrate:rebuild t' is not "
	    "followed by a CREATE TABLE statement", 2, 1);
}

Test(sqlsplit, rebuild_needs_one_table_name)
{
	expect_error("-- migrate:upgrade\n"
	    "-- migrate:rebuild\n"
	    "CREATE TABLE t (a int);\n", "sqlite", "expected one table name "
	    "after '-- migrate:rebuild'", 2, 1);
}

/* -- migrate:lint-ignore RULE[,RULE...] */

Test(sqlsplit, lint_ignore_marks_the_next_statement_only)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT 1;\n"
	    "-- migrate:lint-ignore drop-column,rename  \n"
	    "ALTER TABLE t DROP COLUMN a;\n"
	    "ALTER TABLE t DROP COLUMN b;\n"
	    "-- migrate:downgrade\n"
	    "  -- migrate:lint-ignore drop-table\r\n"
	    "DROP TABLE t;\n", "postgresql");
	cr_assert_eq(s.up.n, 3);
	cr_assert_null(s.up.v[0].lint_ignore);
	cr_assert_str_eq(s.up.v[1].lint_ignore, "drop-column,rename");
	expect_up(1, "ALTER TABLE t DROP COLUMN a");
	cr_assert_null(s.up.v[2].lint_ignore);
	cr_assert_eq(s.down.n, 1);
	cr_assert_str_eq(s.down.v[0].lint_ignore, "drop-table");
	/* The directive is a comment line: positions are unchanged. */
	expect_pos(&s.up.v[1], 73, 4, 1);
}

Test(sqlsplit, lint_ignore_lines_add_up)
{
	expect_ok("-- migrate:upgrade\n"
	    "-- migrate:lint-ignore set-not-null\n"
	    "-- a comment between them\n"
	    "-- migrate:lint-ignore lock-timeout, rename\n"
	    "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	cr_assert_str_eq(s.up.v[0].lint_ignore,
	    "set-not-null,lock-timeout, rename");
}

Test(sqlsplit, lint_ignore_reaches_a_marked_statement)
{
	expect_ok("-- migrate:upgrade\n"
	    "-- migrate:lint-ignore alter-column-type\n"
	    "-- migrate:statement-begin\n"
	    "ALTER TABLE t ALTER COLUMN a TYPE bigint;\n"
	    "-- migrate:statement-end\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	cr_assert_str_eq(s.up.v[0].lint_ignore, "alter-column-type");
}

Test(sqlsplit, lint_ignore_with_a_rebuild)
{
	expect_ok("-- migrate:upgrade sqlite\n"
	    "-- migrate:lint-ignore drop-table\n"
	    "-- migrate:rebuild t\n"
	    "CREATE TABLE t (a int NOT NULL);\n", "sqlite");
	cr_assert_eq(s.up.n, 1);
	cr_assert_str_eq(s.up.v[0].rebuild, "t");
	cr_assert_str_eq(s.up.v[0].lint_ignore, "drop-table");
}

Test(sqlsplit, lint_ignore_in_another_dialects_section_is_dropped)
{
	expect_ok("-- migrate:upgrade\n"
	    "SELECT 1;\n"
	    "-- migrate:upgrade sqlite\n"
	    "-- migrate:lint-ignore drop-table\n"
	    "DROP TABLE t;\n"
	    "-- migrate:downgrade\n"
	    "SELECT 2;\n", "postgresql");
	cr_assert_eq(s.up.n, 1);
	cr_assert_null(s.up.v[0].lint_ignore);
	cr_assert_eq(s.down.n, 1);
	cr_assert_null(s.down.v[0].lint_ignore);
}

Test(sqlsplit, lint_ignore_without_a_statement)
{
	expect_error("-- migrate:upgrade\n"
	    "SELECT 1;\n"
	    "-- migrate:lint-ignore drop-table\n"
	    "-- migrate:downgrade\n"
	    "DROP TABLE t;\n", "postgresql", "'-- migrate:lint-ignore "
	    "drop-table' is not followed by a statement", 3, 1);
	teardown();
	expect_error("-- migrate:upgrade\n"
	    "SELECT 1;\n"
	    "  -- migrate:lint-ignore rename\n", "postgresql",
	    "'-- migrate:lint-ignore rename' is not followed by a statement",
	    3, 3);
}

Test(sqlsplit, lint_ignore_needs_a_rule)
{
	expect_error("-- migrate:upgrade\n"
	    "-- migrate:lint-ignore  \n"
	    "DROP TABLE t;\n", "postgresql", "expected a rule name after "
	    "'-- migrate:lint-ignore'", 2, 1);
}

Test(sqlsplit, lint_ignore_outside_a_section)
{
	expect_error("-- revision: 0001\n"
	    "-- migrate:lint-ignore drop-table\n"
	    "-- migrate:upgrade\n"
	    "DROP TABLE t;\n", "postgresql", "'-- migrate:lint-ignore' "
	    "outside a '-- migrate:upgrade' or '-- migrate:downgrade' "
	    "section", 2, 1);
}

Test(sqlsplit, lint_ignore_is_freed_with_the_script)
{
	/* LeakSanitizer (make SANITIZE=address unit) checks this one. */
	expect_ok("-- migrate:upgrade\n"
	    "-- migrate:lint-ignore drop-table\n"
	    "DROP TABLE t;\n"
	    "-- migrate:downgrade\n"
	    "-- migrate:lint-ignore missing-downgrade\n"
	    "SELECT 1;\n", "postgresql");
	sqlsplit_free(&s);
	cr_assert_null(s.up.v);
	cr_assert_null(s.down.v);
}
