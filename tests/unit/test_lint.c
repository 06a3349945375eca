/*
 * Unit tests for core/lint.c: for every rule a statement that fires it and
 * one that does not, suppression with '-- migrate:lint-ignore', tokens
 * (case, quoted identifiers, schemas, comments, strings), positions, and
 * the state carried from one revision to the next. Pure: the revisions are
 * split from strings with sqlsplit_parse, as `migrate lint` does.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

/* Criterion's assertion macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "error.h"
#include "lint.h"
#include "sqlsplit.h"
#include "strbuf.h"

/* An upgrade section on line 1, its statements from line 2. */
#define UP(sql)		UPDOWN(sql, "")
#define UPDOWN(u, d)	"-- migrate:upgrade\n" u \
			"\n-- migrate:downgrade\n" d

#define MAXREVS 8

static struct lint	*l;
static struct script	 sc[MAXREVS];
static int		 nsc;
static struct mg_error	 err = MG_ERROR_INIT;

static void
teardown(void)
{
	int	 i;

	lint_free(l);
	l = NULL;
	for (i = 0; i < nsc; i++)
		sqlsplit_free(&sc[i]);
	nsc = 0;
	mg_error_clear(&err);
}

TestSuite(lint, .fini = teardown);

/*
 * Start a lint; with session 1 migrate sets lock_timeout itself, so the
 * lock-timeout rule stays quiet (the default for the other rules' tests).
 */
static void
start(int session)
{
	struct lint_opts	 o = { session };

	lint_free(l);
	l = lint_new(&o);
}

static void
rev_report(const char *path, const char *text, int report)
{
	int	 rc;

	if (l == NULL)
		start(1);
	cr_assert_lt(nsc, MAXREVS);
	rc = sqlsplit_parse(&sc[nsc], text, strlen(text), "postgresql", path,
	    &err);
	cr_assert_eq(rc, 0, "%s:%d:%d: %s", err.file, err.line, err.col,
	    err.msg.buf);
	lint_revision(l, path, &sc[nsc], report);
	nsc++;
}

static void
rev(const char *path, const char *text)
{
	rev_report(path, text, 1);
}

/* One revision that creates t (and u) before the one under test. */
static void
base(void)
{
	rev("versions/0001_base.sql", UPDOWN("CREATE TABLE t (a int, b int);\n"
	    "CREATE TABLE u (id int PRIMARY KEY);", "DROP TABLE u, t;"));
}

static size_t
count(const char *rule)
{
	const struct lint_finding	*f;
	size_t				 i, n, k = 0;

	f = lint_findings(l, &n);
	for (i = 0; i < n; i++)
		if (rule == NULL || strcmp(f[i].rule, rule) == 0)
			k++;
	return k;
}

/* The k-th (0-based) finding of rule. */
static const struct lint_finding *
nth(const char *rule, size_t k)
{
	const struct lint_finding	*f;
	size_t				 i, n;

	f = lint_findings(l, &n);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].rule, rule) == 0 && k-- == 0)
			return &f[i];
	cr_assert_fail("no finding %s", rule);
	return NULL;
}

static void
expect_at(const char *rule, size_t k, const char *path, int line, int col)
{
	const struct lint_finding	*f = nth(rule, k);

	cr_assert_str_eq(f->path, path);
	cr_assert_eq(f->line, line, "%s: line %d, want %d", rule, f->line,
	    line);
	cr_assert_eq(f->col, col, "%s: col %d, want %d", rule, f->col, col);
	cr_assert_neq(f->hint, NULL);
	cr_assert_null(strchr(f->message, '\n'));
}

static void
expect_message(const char *rule, size_t k, const char *part)
{
	const struct lint_finding	*f = nth(rule, k);

	cr_assert_neq(strstr(f->message, part), NULL, "'%s' not in '%s'",
	    part, f->message);
}

static void
expect_clean(void)
{
	const struct lint_finding	*f;
	size_t				 n;

	f = lint_findings(l, &n);
	cr_assert_eq(n, 0, "%zu findings, the first: %s at %d:%d: %s", n,
	    n ? f[0].rule : "", n ? f[0].line : 0, n ? f[0].col : 0,
	    n ? f[0].message : "");
}

#define R	"versions/0002_r.sql"

/* index-not-concurrent */

Test(lint, index_on_an_earlier_table_fires)
{
	base();
	rev(R, UP("SELECT 1;\nCREATE INDEX ix_t_a ON t (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 3, 1);
	expect_message("index-not-concurrent", 0, "'ix_t_a'");
	expect_message("index-not-concurrent", 0, "'t'");
	cr_assert_eq(nth("index-not-concurrent", 0)->severity, LINT_ERROR);
	cr_assert_eq(lint_count(l, LINT_ERROR), 1);
	cr_assert_eq(lint_count(l, LINT_WARNING), 0);
}

Test(lint, index_on_an_unknown_table_fires)
{
	/* Made outside the linted revisions: it exists, as far as we know. */
	rev(R, UP("CREATE UNIQUE INDEX IF NOT EXISTS ON ONLY public.t (a);"));
	expect_at("index-not-concurrent", 0, R, 2, 1);
	expect_message("index-not-concurrent", 0, "index on existing table "
	    "'t'");
}

Test(lint, index_concurrently_passes)
{
	base();
	rev(R, UP("CREATE INDEX CONCURRENTLY ix ON t (a);\n"
	    "create unique index concurrently if not exists iy on t (b);"));
	expect_clean();
}

Test(lint, index_on_a_table_of_the_same_revision_passes)
{
	rev(R, UP("CREATE TABLE orders (id int, t_id int);\n"
	    "CREATE INDEX ix ON orders (t_id);\n"
	    "CREATE INDEX ON public.orders (id);"));
	expect_clean();
}

Test(lint, index_state_across_revisions)
{
	/* Same revision: new. The next revision: existing. */
	rev("versions/0001_a.sql", UP("CREATE TABLE t (a int);\n"
	    "CREATE INDEX ix1 ON t (a);"));
	rev("versions/0002_b.sql", UP("CREATE INDEX ix2 ON t (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, "versions/0002_b.sql", 2, 1);
	expect_message("index-not-concurrent", 0, "'ix2'");
}

Test(lint, create_table_if_not_exists_of_an_earlier_table_is_not_new)
{
	base();
	rev(R, UP("CREATE TABLE IF NOT EXISTS t (a int);\n"
	    "CREATE INDEX ix ON t (a);\n"
	    "CREATE TABLE IF NOT EXISTS fresh (a int);\n"
	    "CREATE INDEX iy ON fresh (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 3, 1);
}

Test(lint, state_of_ancestors_read_without_findings)
{
	/* An ancestor that is not asked for still tells what exists. */
	rev_report("versions/0001_a.sql", "-- migrate:upgrade\n"
	    "CREATE TABLE t (a int);\nDROP TABLE old;\n", 0);
	cr_assert_eq(count(NULL), 0);
	rev(R, UP("CREATE TABLE IF NOT EXISTS t (a int);\n"
	    "CREATE INDEX ix ON t (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 3, 1);
}

Test(lint, a_dropped_table_recreated_is_new)
{
	base();
	rev("versions/0002_drop.sql", UPDOWN(
	    "-- migrate:lint-ignore drop-table\nDROP TABLE t;",
	    "CREATE TABLE t (a int);"));
	rev("versions/0003_again.sql", UP("CREATE TABLE IF NOT EXISTS t "
	    "(a int);\nCREATE INDEX ix ON t (a);"));
	expect_clean();
}

Test(lint, index_in_a_downgrade_on_the_upgrades_table_fires)
{
	/* By the time the downgrade runs, the table has rows. */
	rev(R, UPDOWN("CREATE TABLE t (a int);",
	    "CREATE INDEX ix ON t (a);\nDROP TABLE t;"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 4, 1);
}

Test(lint, renamed_new_table_stays_new)
{
	rev(R, UP("CREATE TABLE t_new (a int);\n"
	    "ALTER TABLE t_new RENAME TO t2;\n"
	    "CREATE INDEX ix ON t2 (a);\n"
	    "ALTER TABLE t2 ADD COLUMN b int NOT NULL;"));
	expect_clean();
}

/* drop-index-not-concurrent */

Test(lint, drop_index_fires)
{
	rev(R, UP("DROP INDEX IF EXISTS public.ix_t_a;"));
	expect_at("drop-index-not-concurrent", 0, R, 2, 1);
	expect_message("drop-index-not-concurrent", 0, "'ix_t_a'");
	cr_assert_eq(nth("drop-index-not-concurrent", 0)->severity,
	    LINT_WARNING);
}

Test(lint, drop_index_concurrently_passes)
{
	rev(R, UP("DROP INDEX CONCURRENTLY IF EXISTS ix_t_a;"));
	expect_clean();
}

Test(lint, drop_index_of_the_same_section_passes)
{
	rev(R, UP("CREATE TABLE t (a int);\nCREATE INDEX ix ON t (a);\n"
	    "DROP INDEX ix;"));
	expect_clean();
}

/* add-column-not-null-no-default */

Test(lint, add_column_not_null_without_default_fires)
{
	base();
	rev(R, UP("ALTER TABLE t ADD COLUMN c int NOT NULL;\n"
	    "ALTER TABLE t ADD d int PRIMARY KEY;\n"
	    "ALTER TABLE t ADD COLUMN IF NOT EXISTS e int DEFAULT NULL "
	    "NOT NULL;"));
	cr_assert_eq(count("add-column-not-null-no-default"), 3);
	expect_at("add-column-not-null-no-default", 0, R, 2, 15);
	expect_message("add-column-not-null-no-default", 0, "'c'");
	expect_message("add-column-not-null-no-default", 1, "'d'");
	expect_message("add-column-not-null-no-default", 2, "'e'");
	cr_assert_eq(count(NULL), 3);
}

Test(lint, add_column_with_default_or_nullable_passes)
{
	base();
	rev(R, UP("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;\n"
	    "ALTER TABLE t ADD COLUMN d text;\n"
	    "ALTER TABLE t ADD COLUMN e int CHECK (e IS NOT NULL);\n"
	    "ALTER TABLE t ADD COLUMN f bigint NOT NULL GENERATED ALWAYS AS "
	    "IDENTITY;\n"
	    "ALTER TABLE t ADD COLUMN g int NOT NULL GENERATED ALWAYS AS "
	    "(a * 2) STORED;"));
	expect_clean();
}

Test(lint, add_column_position_in_a_multi_action_alter)
{
	base();
	rev(R, UP("ALTER TABLE t\n    ADD COLUMN x int,\n"
	    "    ADD COLUMN y int NOT NULL,\n"
	    "    ALTER COLUMN a SET DEFAULT 1;"));
	cr_assert_eq(count(NULL), 1);
	expect_at("add-column-not-null-no-default", 0, R, 4, 5);
	expect_message("add-column-not-null-no-default", 0, "'y'");
}

/* constraint-not-valid */

Test(lint, foreign_key_or_check_without_not_valid_fires)
{
	base();
	rev(R, UP("ALTER TABLE t ADD CONSTRAINT fk_t_b FOREIGN KEY (b) "
	    "REFERENCES u (id);\n"
	    "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id);\n"
	    "ALTER TABLE t ADD CHECK (a > 0);"));
	cr_assert_eq(count("constraint-not-valid"), 3);
	expect_at("constraint-not-valid", 0, R, 2, 15);
	expect_message("constraint-not-valid", 0, "foreign key 'fk_t_b'");
	expect_message("constraint-not-valid", 2, "check constraint");
	cr_assert_eq(count(NULL), 3);
}

Test(lint, not_valid_then_validate_passes)
{
	base();
	rev(R, UP("ALTER TABLE t ADD CONSTRAINT fk_t_b FOREIGN KEY (b) "
	    "REFERENCES u (id) NOT VALID;\n"
	    "ALTER TABLE t VALIDATE CONSTRAINT fk_t_b;\n"
	    "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID;\n"
	    "ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a);\n"
	    "CREATE TABLE v (x int);\n"
	    "ALTER TABLE v ADD FOREIGN KEY (x) REFERENCES u (id);"));
	expect_clean();
}

/* alter-column-type */

Test(lint, alter_column_type_fires)
{
	base();
	rev(R, UP("ALTER TABLE t ALTER COLUMN a TYPE bigint;\n"
	    "ALTER TABLE IF EXISTS ONLY t ALTER b SET DATA TYPE text "
	    "USING b::text;"));
	cr_assert_eq(count("alter-column-type"), 2);
	expect_at("alter-column-type", 0, R, 2, 15);
	expect_at("alter-column-type", 1, R, 3, 30);
	expect_message("alter-column-type", 1, "'b'");
	cr_assert_eq(count(NULL), 2);
}

Test(lint, alter_column_other_changes_pass)
{
	base();
	rev(R, UP("ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;\n"
	    "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n"
	    "ALTER TABLE t ALTER CONSTRAINT fk DEFERRABLE;\n"
	    "CREATE TABLE v (x int);\n"
	    "ALTER TABLE v ALTER COLUMN x TYPE bigint;"));
	expect_clean();
}

/* set-not-null */

Test(lint, set_not_null_fires)
{
	base();
	rev(R, UP("ALTER TABLE t ALTER COLUMN a SET NOT NULL;"));
	expect_at("set-not-null", 0, R, 2, 15);
	expect_message("set-not-null", 0, "'a'");
	cr_assert_eq(nth("set-not-null", 0)->severity, LINT_WARNING);
	cr_assert_eq(count(NULL), 1);
}

Test(lint, set_not_null_on_a_new_table_passes)
{
	rev(R, UP("CREATE TABLE v (x int);\n"
	    "ALTER TABLE v ALTER COLUMN x SET NOT NULL;"));
	expect_clean();
}

/* rename */

Test(lint, rename_fires)
{
	base();
	rev(R, UP("ALTER TABLE t RENAME COLUMN a TO a2;\n"
	    "ALTER TABLE t RENAME b TO b2;\n"
	    "ALTER TABLE t RENAME TO t2;"));
	cr_assert_eq(count("rename"), 3);
	expect_at("rename", 0, R, 2, 15);
	expect_message("rename", 0, "column 'a'");
	expect_message("rename", 0, "'a2'");
	expect_message("rename", 2, "table 't' is renamed to 't2'");
	cr_assert_eq(count(NULL), 3);
}

Test(lint, rename_of_a_constraint_or_a_new_table_passes)
{
	base();
	rev(R, UP("ALTER TABLE t RENAME CONSTRAINT c1 TO c2;\n"
	    "CREATE TABLE v (x int);\n"
	    "ALTER TABLE v RENAME COLUMN x TO y;"));
	expect_clean();
}

Test(lint, rename_carries_the_state)
{
	rev("versions/0001_a.sql", UP("CREATE TABLE t (a int);"));
	rev("versions/0002_b.sql", UP("-- migrate:lint-ignore rename\n"
	    "ALTER TABLE t RENAME TO t2;"));
	rev("versions/0003_c.sql", UP("CREATE TABLE IF NOT EXISTS t2 (a int);\n"
	    "CREATE INDEX ix ON t2 (a);\n"
	    "CREATE TABLE IF NOT EXISTS t (a int);\n"
	    "CREATE INDEX iy ON t (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_message("index-not-concurrent", 0, "'ix'");
}

/* drop-column */

Test(lint, drop_column_fires)
{
	base();
	rev(R, UP("ALTER TABLE t DROP COLUMN a;\n"
	    "ALTER TABLE t DROP IF EXISTS b CASCADE;"));
	cr_assert_eq(count("drop-column"), 2);
	expect_at("drop-column", 0, R, 2, 15);
	expect_message("drop-column", 1, "'b'");
	cr_assert_eq(count(NULL), 2);
}

Test(lint, drop_constraint_or_the_upgrades_own_column_passes)
{
	base();
	rev(R, UPDOWN("ALTER TABLE t ADD COLUMN c int;\n"
	    "ALTER TABLE t DROP CONSTRAINT ck;",
	    "ALTER TABLE t DROP COLUMN c;"));
	expect_clean();
}

Test(lint, drop_column_in_a_downgrade_of_another_column_fires)
{
	base();
	rev(R, UPDOWN("ALTER TABLE t ADD COLUMN c int;",
	    "ALTER TABLE t DROP COLUMN a;"));
	cr_assert_eq(count(NULL), 1);
	expect_at("drop-column", 0, R, 4, 15);
}

/* drop-table */

Test(lint, drop_table_fires)
{
	base();
	rev(R, UP("DROP TABLE IF EXISTS t, public.u CASCADE;"));
	cr_assert_eq(count("drop-table"), 2);
	expect_at("drop-table", 0, R, 2, 22);
	expect_at("drop-table", 1, R, 2, 25);
	expect_message("drop-table", 1, "'u'");
	cr_assert_eq(count(NULL), 2);
}

Test(lint, drop_table_of_the_upgrades_own_table_passes)
{
	/* 0001 of every project: the downgrade undoes the CREATE TABLE. */
	rev(R, UPDOWN("CREATE TABLE t (a int);\nCREATE TABLE tmp (a int);\n"
	    "DROP TABLE tmp;", "DROP TABLE t;"));
	expect_clean();
}

Test(lint, drop_table_in_a_downgrade_of_another_table_fires)
{
	base();
	rev(R, UPDOWN("CREATE TABLE v (a int);",
	    "DROP TABLE v;\nDROP TABLE t;"));
	cr_assert_eq(count(NULL), 1);
	expect_at("drop-table", 0, R, 5, 12);
}

/* missing-downgrade */

Test(lint, missing_downgrade_fires)
{
	rev(R, "-- revision: 0002\n\n-- migrate:upgrade\nSELECT 1;\n");
	cr_assert_eq(count(NULL), 1);
	expect_at("missing-downgrade", 0, R, 1, 1);
	cr_assert_eq(nth("missing-downgrade", 0)->severity, LINT_WARNING);
}

Test(lint, empty_downgrade_passes)
{
	rev(R, "-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\n");
	rev("versions/0003_pg.sql", "-- migrate:upgrade\nSELECT 1;\n"
	    "-- migrate:downgrade postgresql\nSELECT 2;\n");
	expect_clean();
}

/* concurrently-in-transaction */

Test(lint, concurrently_inside_begin_commit_fires)
{
	base();
	rev(R, "-- migrate:transaction off\n-- migrate:upgrade\n"
	    "BEGIN;\n"
	    "CREATE INDEX CONCURRENTLY ix ON t (a);\n"
	    "COMMIT;\n"
	    "START TRANSACTION;\n"
	    "SAVEPOINT s;\n"
	    "ROLLBACK TO SAVEPOINT s;\n"
	    "DROP INDEX CONCURRENTLY iy;\n"
	    "ROLLBACK;\n"
	    "-- migrate:downgrade\n");
	cr_assert_eq(count("concurrently-in-transaction"), 2);
	expect_at("concurrently-in-transaction", 0, R, 4, 14);
	expect_message("concurrently-in-transaction", 0, "line 3");
	expect_at("concurrently-in-transaction", 1, R, 9, 12);
	expect_message("concurrently-in-transaction", 1, "line 6");
	cr_assert_eq(nth("concurrently-in-transaction", 0)->severity,
	    LINT_ERROR);
	cr_assert_eq(count(NULL), 2);
}

Test(lint, concurrently_outside_a_transaction_passes)
{
	base();
	rev(R, "-- migrate:transaction off\n-- migrate:upgrade\n"
	    "BEGIN;\n"
	    "SELECT 'CONCURRENTLY'; -- CONCURRENTLY\n"
	    "REFRESH MATERIALIZED VIEW CONCURRENTLY mv;\n"
	    "COMMIT;\n"
	    "CREATE INDEX CONCURRENTLY ix ON t (a);\n"
	    "BEGIN WORK;\nEND;\n"
	    "DROP INDEX CONCURRENTLY ix;\n"
	    "-- migrate:downgrade\n");
	expect_clean();
}

/* lock-timeout */

Test(lint, lock_timeout_fires_once_per_section)
{
	start(0);
	base();
	rev(R, UPDOWN("INSERT INTO t VALUES (1, 2);\n"
	    "ALTER TABLE t ADD COLUMN c int;\n"
	    "ALTER TABLE t ADD COLUMN d int;",
	    "ALTER TABLE t DROP COLUMN d, DROP COLUMN c;"));
	/* base() (0001) drops its tables in the downgrade, a schema change. */
	cr_assert_eq(count("lock-timeout"), 3);
	expect_at("lock-timeout", 1, R, 3, 1);
	expect_at("lock-timeout", 2, R, 6, 1);
	cr_assert_eq(nth("lock-timeout", 1)->severity, LINT_WARNING);
	cr_assert_eq(count(NULL), 3);
}

Test(lint, lock_timeout_set_before_passes)
{
	start(0);
	rev(R, UPDOWN("CREATE TABLE v (a int);\nCREATE INDEX ix ON v (a);\n"
	    "SET lock_timeout = '2s';\n"
	    "ALTER TABLE t ADD COLUMN c int;\n"
	    "CREATE INDEX CONCURRENTLY iy ON t (a);",
	    "SET LOCAL lock_timeout TO 1000;\nDROP INDEX CONCURRENTLY iy;\n"
	    "ALTER TABLE t DROP COLUMN c;\nDROP TABLE v;"));
	expect_clean();
}

Test(lint, lock_timeout_reset_or_zero_fires)
{
	start(0);
	rev(R, UPDOWN("SET lock_timeout = '2s';\nRESET lock_timeout;\n"
	    "DROP INDEX CONCURRENTLY ix;",
	    "SET SESSION lock_timeout = '0ms';\n"
	    "ALTER INDEX ix RENAME TO iy;"));
	cr_assert_eq(count(NULL), 2);
	expect_at("lock-timeout", 0, R, 4, 1);
	expect_at("lock-timeout", 1, R, 7, 1);
}

Test(lint, lock_timeout_from_the_session_passes)
{
	start(1);
	rev(R, UP("ALTER TABLE t ADD COLUMN c int;\nDROP VIEW v;"));
	expect_clean();
}

/* Suppression */

Test(lint, lint_ignore_silences_the_next_statement_only)
{
	base();
	rev(R, UP("-- migrate:lint-ignore index-not-concurrent\n"
	    "CREATE INDEX ix ON t (a);\n"
	    "CREATE INDEX iy ON t (b);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 4, 1);
}

Test(lint, lint_ignore_lists_several_rules)
{
	start(0);
	base();
	rev(R, UP("-- migrate:lint-ignore lock-timeout, Drop-Column\n"
	    "ALTER TABLE t DROP COLUMN a, ALTER COLUMN b TYPE bigint;"));
	/* Only the rule not named is left; the lock-timeout of 0001 too. */
	cr_assert_eq(count("alter-column-type"), 1);
	cr_assert_eq(count("drop-column"), 0);
	cr_assert_eq(count("lock-timeout"), 1);
	expect_at("lock-timeout", 0, "versions/0001_base.sql", 5, 1);
}

Test(lint, lint_ignore_of_another_rule_does_not_silence)
{
	base();
	rev(R, UP("-- migrate:lint-ignore drop-table\n"
	    "ALTER TABLE t DROP COLUMN a;"));
	cr_assert_eq(count("drop-column"), 1);
}

/* Tokens: case, quoting, schemas, comments, strings */

Test(lint, keywords_in_any_case)
{
	base();
	rev(R, UP("create INDEX Ix_T ON T (a);\nalter table T alter column "
	    "A type BIGINT;"));
	cr_assert_eq(count(NULL), 2);
	expect_message("index-not-concurrent", 0, "index 'ix_t' on existing "
	    "table 't'");
	expect_message("alter-column-type", 0, "'a'");
}

Test(lint, quoted_identifiers_keep_their_case)
{
	rev(R, UP("CREATE TABLE \"Users\" (\"Id\" int);\n"
	    "CREATE INDEX ix1 ON public.\"Users\" (\"Id\");\n"
	    "CREATE INDEX ix2 ON users (id);\n"
	    "ALTER TABLE t ADD COLUMN \"not\" \"null\";"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 4, 1);
	expect_message("index-not-concurrent", 0, "'users'");
}

Test(lint, quoted_names_in_messages)
{
	base();
	rev(R, UP("ALTER TABLE \"My \"\"Table\"\"\" "
	    "DROP COLUMN \"Weird Col\";"));
	expect_message("drop-column", 0, "column 'Weird Col' is dropped from "
	    "existing table 'My \"Table\"'");
}

Test(lint, schemas_other_than_public_are_other_tables)
{
	rev(R, UP("CREATE TABLE app.t (a int);\n"
	    "CREATE INDEX ix1 ON app.t (a);\n"
	    "CREATE INDEX ix2 ON t (a);\n"
	    "CREATE TABLE public.v (a int);\n"
	    "CREATE INDEX ix3 ON v (a);"));
	cr_assert_eq(count(NULL), 1);
	expect_at("index-not-concurrent", 0, R, 4, 1);
}

Test(lint, comments_and_strings_are_not_keywords)
{
	base();
	rev(R, UP("/* DROP TABLE t; */ SELECT 1;\n"
	    "-- ALTER TABLE t DROP COLUMN a;\n"
	    "COMMENT ON TABLE t IS 'DROP TABLE t; ALTER TABLE t RENAME TO x';\n"
	    "SELECT E'it\\'s ALTER TABLE t DROP COLUMN a';\n"
	    "DO $body$ BEGIN EXECUTE 'DROP TABLE t'; END $body$;\n"
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
	    "INSERT INTO t (a) VALUES (1) /* CREATE INDEX ix ON t (a) */;"));
	expect_clean();
}

Test(lint, comments_do_not_hide_keywords)
{
	base();
	rev(R, UP("CREATE /* CONCURRENTLY */ INDEX -- CONCURRENTLY\n"
	    "  ix ON t (a);\n"
	    "ALTER TABLE t /* a /* nested */ comment */ DROP COLUMN b;"));
	cr_assert_eq(count(NULL), 2);
	expect_at("index-not-concurrent", 0, R, 2, 1);
	expect_at("drop-column", 0, R, 4, 44);
}

Test(lint, positions_with_crlf_and_findings_in_file_order)
{
	base();
	/* The downgrade comes first in the file: findings follow lines. */
	rev(R, "-- migrate:downgrade\r\nALTER TABLE t DROP COLUMN a;\r\n"
	    "-- migrate:upgrade\r\nSELECT 1;\r\n"
	    "ALTER TABLE t\r\n  ALTER COLUMN b TYPE text;\r\n");
	cr_assert_eq(count(NULL), 2);
	expect_at("drop-column", 0, R, 2, 15);
	expect_at("alter-column-type", 0, R, 6, 3);
	cr_assert_str_eq(lint_findings(l, &(size_t){ 0 })[0].rule,
	    "drop-column");
}

Test(lint, findings_follow_the_order_of_the_revisions)
{
	const struct lint_finding	*f;
	size_t				 n;

	rev("versions/0002_b.sql", UP("DROP TABLE x;"));
	rev("versions/0001_a.sql", UP("SELECT 1;\nDROP TABLE y;"));
	f = lint_findings(l, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(f[0].path, "versions/0002_b.sql");
	cr_assert_str_eq(f[1].path, "versions/0001_a.sql");
}

Test(lint, rule_severities)
{
	cr_assert_eq(lint_rule_severity("index-not-concurrent"), LINT_ERROR);
	cr_assert_eq(lint_rule_severity("add-column-not-null-no-default"),
	    LINT_ERROR);
	cr_assert_eq(lint_rule_severity("constraint-not-valid"), LINT_ERROR);
	cr_assert_eq(lint_rule_severity("alter-column-type"), LINT_ERROR);
	cr_assert_eq(lint_rule_severity("concurrently-in-transaction"),
	    LINT_ERROR);
	cr_assert_eq(lint_rule_severity("drop-index-not-concurrent"),
	    LINT_WARNING);
	cr_assert_eq(lint_rule_severity("set-not-null"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("rename"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("drop-column"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("drop-table"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("missing-downgrade"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("lock-timeout"), LINT_WARNING);
	cr_assert_eq(lint_rule_severity("no-such-rule"), -1);
}

Test(lint, free_accepts_null)
{
	lint_free(NULL);
}

Test(lint, messages_stay_on_one_line)
{
	base();
	rev(R, UP("ALTER TABLE \"two\nlines\" DROP COLUMN c;"));
	expect_message("drop-column", 0, "table 'two?lines'");
}
