/*
 * Unit tests for dialects/ddl.c: every operation rendered for PostgreSQL
 * and SQLite (exact strings), the SQLite rebuild's statements and its
 * CREATE TABLE editing on tricky texts, and errors. The last suite applies
 * rebuilds to an in-memory SQLite database and checks that rows, indexes,
 * triggers and views survive and that the new shape holds: it is what
 * proves the rebuild right (ddl.c itself stays pure).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

/* Criterion's assertion macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"
/* OP() gives nullable a default that an argument may override. */
#pragma GCC diagnostic ignored "-Woverride-init"

#include "ddl.h"
#include "error.h"
#include "strbuf.h"

static struct ddl_stmts	 out;
static struct mg_error	 err = MG_ERROR_INIT;
static sqlite3		*db;

static void
teardown(void)
{
	ddl_stmts_free(&out);
	mg_error_clear(&err);
	if (db != NULL)
		sqlite3_close(db);
	db = NULL;
}

TestSuite(ddl, .fini = teardown);
TestSuite(rebuild, .fini = teardown);
TestSuite(live, .fini = teardown);

static const char *const no_cols[] = { NULL };

/* out holds exactly the statements given, NULL-terminated. */
static void
expect(const char *first, ...)
{
	const char	*s;
	va_list		 ap;
	size_t		 i = 0;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		cr_assert_lt(i, out.n, "only %zu statements, want '%s'",
		    out.n, s);
		cr_assert_str_eq(out.v[i], s, "statement %zu", i);
		i++;
	}
	va_end(ap);
	cr_assert_eq(out.n, i, "%zu statements, want %zu (extra: '%s')",
	    out.n, i, out.n > i ? out.v[i] : "");
}

static void
render_ok(enum ddl_dialect d, const struct ddl_op *op)
{
	int	 rc;

	ddl_stmts_free(&out);
	rc = ddl_render(&out, d, op, &err);
	cr_assert_eq(rc, 0, "render failed: %s", err.msg.buf);
}

static void
render_fails(enum ddl_dialect d, const struct ddl_op *op, const char *msg)
{
	int	 rc;

	ddl_stmts_free(&out);
	rc = ddl_render(&out, d, op, &err);
	cr_assert_eq(rc, MG_EUSAGE, "expected MG_EUSAGE, got %d", rc);
	cr_assert_str_eq(err.msg.buf, msg);
	cr_assert_eq(out.n, 0);
	cr_assert_null(out.v);
}

/* ddl_op with nullable left alone (a zeroed one would SET NOT NULL). */
#define OP(...)	((struct ddl_op){ .nullable = DDL_NULLABLE_KEEP, __VA_ARGS__ })

/* Quoting */

Test(ddl, quote_ident_and_literal)
{
	struct strbuf	 sb = STRBUF_INIT;

	ddl_quote_ident(&sb, "we\"ird");
	strbuf_addch(&sb, ' ');
	ddl_quote_ident(&sb, "Order");
	strbuf_addch(&sb, ' ');
	ddl_quote_literal(&sb, "it's");
	cr_assert_str_eq(sb.buf, "\"we\"\"ird\" \"Order\" 'it''s'");
	strbuf_release(&sb);
}

/* Every op, both dialects */

Test(ddl, create_table)
{
	const struct ddl_column	 c[] = {
		{ "id", "bigint", 1, 1, NULL },
		{ "name", "text", 1, 0, "'x'" },
		{ "n", "int", 0, 0, "1 + 2" },
		{ "at", "timestamp", 0, 0, "CURRENT_TIMESTAMP" },
		{ "neg", "int", 0, 0, "-1" },
	};
	struct ddl_op	 op = OP(.kind = DDL_CREATE_TABLE, .table = "t",
	    .columns = c, .ncolumns = 5);

	render_ok(DDL_POSTGRESQL, &op);
	expect("CREATE TABLE \"t\" (\"id\" bigint NOT NULL, \"name\" text "
	    "NOT NULL DEFAULT 'x', \"n\" int DEFAULT 1 + 2, \"at\" timestamp "
	    "DEFAULT CURRENT_TIMESTAMP, \"neg\" int DEFAULT -1, "
	    "PRIMARY KEY (\"id\"))", NULL);
	render_ok(DDL_SQLITE, &op);
	expect("CREATE TABLE \"t\" (\"id\" bigint NOT NULL, \"name\" text "
	    "NOT NULL DEFAULT 'x', \"n\" int DEFAULT (1 + 2), \"at\" "
	    "timestamp DEFAULT CURRENT_TIMESTAMP, \"neg\" int DEFAULT -1, "
	    "PRIMARY KEY (\"id\"))", NULL);
}

Test(ddl, create_table_composite_key_and_typeless_sqlite_column)
{
	const struct ddl_column	 c[] = {
		{ "a", "int", 0, 1, NULL },
		{ "b", NULL, 0, 1, "(abs(-1))" },
	};
	struct ddl_op	 op = OP(.kind = DDL_CREATE_TABLE, .table = "t",
	    .columns = c, .ncolumns = 2);

	render_ok(DDL_SQLITE, &op);
	expect("CREATE TABLE \"t\" (\"a\" int, \"b\" DEFAULT (abs(-1)), "
	    "PRIMARY KEY (\"a\", \"b\"))", NULL);
	render_fails(DDL_POSTGRESQL, &op,
	    "create_table: columns[1].type is required");
}

Test(ddl, drop_and_rename_table)
{
	struct ddl_op	 drop = OP(.kind = DDL_DROP_TABLE, .table = "t");
	struct ddl_op	 ren = OP(.kind = DDL_RENAME_TABLE, .table = "t",
	    .name = "u");

	render_ok(DDL_POSTGRESQL, &drop);
	expect("DROP TABLE \"t\"", NULL);
	render_ok(DDL_SQLITE, &drop);
	expect("DROP TABLE \"t\"", NULL);
	render_ok(DDL_POSTGRESQL, &ren);
	expect("ALTER TABLE \"t\" RENAME TO \"u\"", NULL);
	render_ok(DDL_SQLITE, &ren);
	expect("ALTER TABLE \"t\" RENAME TO \"u\"", NULL);
}

Test(ddl, add_column)
{
	const struct ddl_column	 c = { "qty", "int", 1, 0, "0" };
	const struct ddl_column	 pk = { "id", "bigint", 0, 1, NULL };
	struct ddl_op	 op = OP(.kind = DDL_ADD_COLUMN, .table = "t",
	    .columns = &c, .ncolumns = 1);

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD COLUMN \"qty\" int NOT NULL DEFAULT 0",
	    NULL);
	render_ok(DDL_SQLITE, &op);
	expect("ALTER TABLE \"t\" ADD COLUMN \"qty\" int NOT NULL DEFAULT 0",
	    NULL);
	op.columns = &pk;
	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD COLUMN \"id\" bigint PRIMARY KEY", NULL);
	render_fails(DDL_SQLITE, &op,
	    "add_column: sqlite cannot add PRIMARY KEY column 'id'");
	op.ncolumns = 2;
	render_fails(DDL_POSTGRESQL, &op,
	    "add_column: one column expected, got 2");
}

Test(ddl, drop_column)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "c");

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" DROP COLUMN \"c\"", NULL);
	render_fails(DDL_SQLITE, &op,
	    "drop_column on table 't' needs a table rebuild on sqlite");
	cr_assert_neq(err.hint.len, 0);
}

Test(ddl, alter_column_postgresql)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "c", .new_type = "bigint", .using_sql = "c::bigint",
	    .nullable = DDL_SET_NOT_NULL, .new_default = "0",
	    .new_name = "d");

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ALTER COLUMN \"c\" TYPE bigint USING "
	    "c::bigint, ALTER COLUMN \"c\" SET DEFAULT 0, ALTER COLUMN \"c\" "
	    "SET NOT NULL",
	    "ALTER TABLE \"t\" RENAME COLUMN \"c\" TO \"d\"", NULL);
	op = OP(.kind = DDL_ALTER_COLUMN, .table = "t", .name = "c",
	    .nullable = DDL_DROP_NOT_NULL, .drop_default = 1);
	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ALTER COLUMN \"c\" DROP DEFAULT, "
	    "ALTER COLUMN \"c\" DROP NOT NULL", NULL);
	op = OP(.kind = DDL_ALTER_COLUMN, .table = "t", .name = "c",
	    .new_name = "d");
	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" RENAME COLUMN \"c\" TO \"d\"", NULL);
}

Test(ddl, alter_column_sqlite)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "c", .new_name = "d");

	render_ok(DDL_SQLITE, &op);
	expect("ALTER TABLE \"t\" RENAME COLUMN \"c\" TO \"d\"", NULL);
	op.new_type = "TEXT";
	render_fails(DDL_SQLITE, &op,
	    "alter_column on table 't' needs a table rebuild on sqlite");
}

Test(ddl, alter_column_errors)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "c");

	render_fails(DDL_POSTGRESQL, &op,
	    "alter_column: nothing to change on column 'c'");
	op.new_default = "1";
	op.drop_default = 1;
	render_fails(DDL_POSTGRESQL, &op, "alter_column: new_default and "
	    "drop_default contradict each other");
	op = OP(.kind = DDL_ALTER_COLUMN, .table = "t", .name = "c",
	    .nullable = 2);
	render_fails(DDL_POSTGRESQL, &op,
	    "alter_column: nullable must be -1, 0 or 1, not 2");
	op = OP(.kind = DDL_ALTER_COLUMN, .table = "t", .name = "c",
	    .using_sql = "1");
	render_fails(DDL_POSTGRESQL, &op,
	    "alter_column: new_type (for using_sql) is required");
}

Test(ddl, create_index)
{
	const char *const cols[] = { "a", "b", NULL };
	struct ddl_op	 op = OP(.kind = DDL_CREATE_INDEX, .table = "t",
	    .name = "ix_t_ab", .cols = cols, .unique = 1, .concurrently = 1,
	    .where = "a IS NOT NULL");

	render_ok(DDL_POSTGRESQL, &op);
	expect("CREATE UNIQUE INDEX CONCURRENTLY \"ix_t_ab\" ON \"t\" "
	    "(\"a\", \"b\") WHERE a IS NOT NULL", NULL);
	render_ok(DDL_SQLITE, &op);
	expect("CREATE UNIQUE INDEX \"ix_t_ab\" ON \"t\" (\"a\", \"b\") "
	    "WHERE a IS NOT NULL", NULL);
	op = OP(.kind = DDL_CREATE_INDEX, .table = "t", .name = "ix",
	    .cols = cols + 1);
	render_ok(DDL_POSTGRESQL, &op);
	expect("CREATE INDEX \"ix\" ON \"t\" (\"b\")", NULL);
	op.cols = no_cols;
	render_fails(DDL_POSTGRESQL, &op, "create_index: cols is required");
}

Test(ddl, drop_index)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_INDEX, .name = "ix",
	    .concurrently = 1);

	render_ok(DDL_POSTGRESQL, &op);
	expect("DROP INDEX CONCURRENTLY \"ix\"", NULL);
	render_ok(DDL_SQLITE, &op);
	expect("DROP INDEX \"ix\"", NULL);
	op.name = NULL;
	render_fails(DDL_SQLITE, &op, "drop_index: name is required");
}

Test(ddl, add_foreign_key)
{
	const char *const cols[] = { "owner_id", NULL };
	const char *const refs[] = { "id", NULL };
	const char *const two[] = { "a", "b", NULL };
	struct ddl_op	 op = OP(.kind = DDL_ADD_FOREIGN_KEY, .table = "t",
	    .name = "fk_owner", .cols = cols, .ref_table = "users",
	    .ref_cols = refs, .on_delete = "set null");

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD CONSTRAINT \"fk_owner\" FOREIGN KEY "
	    "(\"owner_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL",
	    NULL);
	render_fails(DDL_SQLITE, &op, "add_foreign_key on table 't' needs a "
	    "table rebuild on sqlite");
	op.ref_cols = NULL;
	op.on_delete = NULL;
	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD CONSTRAINT \"fk_owner\" FOREIGN KEY "
	    "(\"owner_id\") REFERENCES \"users\"", NULL);
	op.on_delete = "EXPLODE";
	render_fails(DDL_POSTGRESQL, &op,
	    "add_foreign_key: unknown ON DELETE action 'EXPLODE'");
	op.on_delete = NULL;
	op.ref_cols = two;
	render_fails(DDL_POSTGRESQL, &op,
	    "add_foreign_key: 1 columns reference 2");
	op.ref_cols = NULL;
	op.ref_table = NULL;
	render_fails(DDL_POSTGRESQL, &op,
	    "add_foreign_key: ref_table is required");
}

Test(ddl, add_unique)
{
	const char *const cols[] = { "email", NULL };
	struct ddl_op	 op = OP(.kind = DDL_ADD_UNIQUE, .table = "t",
	    .name = "uq_email", .cols = cols);

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD CONSTRAINT \"uq_email\" UNIQUE "
	    "(\"email\")", NULL);
	render_ok(DDL_SQLITE, &op);
	expect("CREATE UNIQUE INDEX \"uq_email\" ON \"t\" (\"email\")", NULL);
}

Test(ddl, add_check)
{
	struct ddl_op	 op = OP(.kind = DDL_ADD_CHECK, .table = "t",
	    .name = "ck_qty", .check_sql = "qty >= 0");

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" ADD CONSTRAINT \"ck_qty\" CHECK "
	    "(qty >= 0)", NULL);
	render_fails(DDL_SQLITE, &op,
	    "add_check on table 't' needs a table rebuild on sqlite");
	op.check_sql = NULL;
	render_fails(DDL_POSTGRESQL, &op, "add_check: check_sql is required");
}

Test(ddl, drop_constraint)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_CONSTRAINT, .table = "t",
	    .name = "ck");

	render_ok(DDL_POSTGRESQL, &op);
	expect("ALTER TABLE \"t\" DROP CONSTRAINT \"ck\"", NULL);
	render_fails(DDL_SQLITE, &op,
	    "drop_constraint on table 't' needs a table rebuild on sqlite");
}

Test(ddl, quoting_in_names)
{
	const char *const cols[] = { "a\"b", NULL };
	struct ddl_op	 op = OP(.kind = DDL_CREATE_INDEX, .table = "my table",
	    .name = "Ix", .cols = cols);

	render_ok(DDL_SQLITE, &op);
	expect("CREATE INDEX \"Ix\" ON \"my table\" (\"a\"\"b\")", NULL);
}

Test(ddl, needs_rebuild)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "c", .new_name = "d");
	static const struct {
		enum ddl_kind	 kind;
		int		 sqlite;
	} want[] = {
		{ DDL_CREATE_TABLE, 0 }, { DDL_DROP_TABLE, 0 },
		{ DDL_RENAME_TABLE, 0 }, { DDL_ADD_COLUMN, 0 },
		{ DDL_DROP_COLUMN, 1 }, { DDL_CREATE_INDEX, 0 },
		{ DDL_DROP_INDEX, 0 }, { DDL_ADD_FOREIGN_KEY, 1 },
		{ DDL_ADD_UNIQUE, 0 }, { DDL_ADD_CHECK, 1 },
		{ DDL_DROP_CONSTRAINT, 1 },
	};
	size_t		 i;

	cr_assert_eq(ddl_needs_rebuild(DDL_SQLITE, &op), 0);
	op.drop_default = 1;
	cr_assert_eq(ddl_needs_rebuild(DDL_SQLITE, &op), 1);
	cr_assert_eq(ddl_needs_rebuild(DDL_POSTGRESQL, &op), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		op = OP(.kind = want[i].kind);
		cr_assert_eq(ddl_needs_rebuild(DDL_SQLITE, &op), want[i].sqlite,
		    "kind %d", (int)want[i].kind);
		cr_assert_eq(ddl_needs_rebuild(DDL_POSTGRESQL, &op), 0);
	}
	/* A zeroed op means SET NOT NULL: a rebuild. */
	memset(&op, 0, sizeof(op));
	op.kind = DDL_ALTER_COLUMN;
	cr_assert_eq(ddl_needs_rebuild(DDL_SQLITE, &op), 1);
}

Test(ddl, missing_fields)
{
	struct ddl_op	 op = OP(.kind = DDL_CREATE_TABLE, .table = "t");

	render_fails(DDL_POSTGRESQL, &op, "create_table: columns is required");
	op = OP(.kind = DDL_DROP_TABLE);
	render_fails(DDL_POSTGRESQL, &op, "drop_table: table is required");
	op = OP(.kind = DDL_RENAME_TABLE, .table = "t");
	render_fails(DDL_POSTGRESQL, &op, "rename_table: name is required");
	op = OP(.kind = DDL_ADD_CHECK, .table = "t", .check_sql = "x");
	render_fails(DDL_POSTGRESQL, &op, "add_check: name is required");
	op = OP(.kind = (enum ddl_kind)99, .table = "t");
	render_fails(DDL_POSTGRESQL, &op, "unknown ddl operation 99");
}

Test(ddl, appends_and_keeps_on_error)
{
	struct ddl_op	 a = OP(.kind = DDL_DROP_TABLE, .table = "a");
	struct ddl_op	 b = OP(.kind = DDL_ALTER_COLUMN, .table = "b",
	    .name = "c", .new_type = "int", .new_name = "d");
	struct ddl_op	 bad = OP(.kind = DDL_DROP_TABLE);
	size_t		 i;

	for (i = 0; i < 5; i++)
		cr_assert_eq(ddl_render(&out, DDL_POSTGRESQL, &a, &err), 0);
	cr_assert_eq(ddl_render(&out, DDL_POSTGRESQL, &b, &err), 0);
	cr_assert_eq(ddl_render(&out, DDL_POSTGRESQL, &bad, &err), MG_EUSAGE);
	expect("DROP TABLE \"a\"", "DROP TABLE \"a\"", "DROP TABLE \"a\"",
	    "DROP TABLE \"a\"", "DROP TABLE \"a\"",
	    "ALTER TABLE \"b\" ALTER COLUMN \"c\" TYPE int",
	    "ALTER TABLE \"b\" RENAME COLUMN \"c\" TO \"d\"", NULL);
}

/* The SQLite rebuild: statements */

#define T_SQL	"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, " \
		"qty INT DEFAULT 0, CONSTRAINT ck_qty CHECK (qty >= 0))"

static int
rebuild_rc(const char *create_sql, const struct ddl_op *op)
{
	struct ddl_sqlite_table	 cur = { "t", create_sql, NULL, 0, NULL, 0,
	    NULL, NULL, 0 };

	ddl_stmts_free(&out);
	return ddl_sqlite_rebuild(&out, &cur, op, &err);
}

static void
rebuild_ok(const char *create_sql, const struct ddl_op *op)
{
	int	 rc;

	rc = rebuild_rc(create_sql, op);
	cr_assert_eq(rc, 0, "rebuild failed: %s", err.msg.buf);
}

static void
rebuild_fails(const char *create_sql, const struct ddl_op *op,
    const char *msg)
{
	int	 rc;

	rc = rebuild_rc(create_sql, op);
	cr_assert_eq(rc, MG_EUSAGE, "expected MG_EUSAGE, got %d", rc);
	cr_assert_str_eq(err.msg.buf, msg);
	cr_assert_eq(out.n, 0);
}

/* The statements after CREATE TABLE for table t with columns cols. */
#define COPY(cols, vals) \
	"INSERT INTO \"t__migrate_new\" (rowid, " cols ") SELECT rowid, " \
	    vals " FROM \"t\""
#define SWAP	"DROP TABLE \"t\"", \
		"ALTER TABLE \"t__migrate_new\" RENAME TO \"t\""
#define ALLCOLS	"\"id\", \"name\", \"qty\""

Test(rebuild, alter_type)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "NAME", .new_type = "VARCHAR(10)");

	rebuild_ok(T_SQL, &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "name VARCHAR(10), qty INT DEFAULT 0, CONSTRAINT ck_qty "
	    "CHECK (qty >= 0))",
	    COPY(ALLCOLS, ALLCOLS), SWAP, NULL);
}

Test(rebuild, alter_type_using)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "qty", .new_type = "REAL", .using_sql = "qty / 100.0");

	rebuild_ok(T_SQL, &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "name TEXT, qty REAL DEFAULT 0, CONSTRAINT ck_qty "
	    "CHECK (qty >= 0))",
	    COPY(ALLCOLS, "\"id\", \"name\", (qty / 100.0)"), SWAP, NULL);
}

Test(rebuild, set_and_drop_not_null)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "name", .nullable = DDL_SET_NOT_NULL);

	rebuild_ok(T_SQL, &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INT DEFAULT 0, "
	    "CONSTRAINT ck_qty CHECK (qty >= 0))");
	/* An explicit NULL goes, an existing NOT NULL stays alone. */
	rebuild_ok("CREATE TABLE t (name TEXT NULL COLLATE NOCASE, "
	    "b NOT NULL ON CONFLICT IGNORE)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT COLLATE NOCASE NOT NULL, "
	    "b NOT NULL ON CONFLICT IGNORE)");
	op.name = "b";
	rebuild_ok("CREATE TABLE t (name TEXT, b NOT NULL ON CONFLICT IGNORE)",
	    &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT, b NOT NULL ON CONFLICT IGNORE)");
	op.nullable = DDL_DROP_NOT_NULL;
	rebuild_ok("CREATE TABLE t (name TEXT, b INT CONSTRAINT nn NOT NULL "
	    "ON CONFLICT FAIL DEFAULT 1 NOT NULL)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT, b INT DEFAULT 1)");
	cr_assert_str_eq(out.v[1], COPY("\"name\", \"b\"", "\"name\", \"b\""));
}

Test(rebuild, set_and_drop_default)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "qty", .new_default = "abs(-5)");

	rebuild_ok(T_SQL, &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(id INTEGER PRIMARY KEY, name TEXT, qty INT DEFAULT (abs(-5)), "
	    "CONSTRAINT ck_qty CHECK (qty >= 0))");
	op.name = "name";
	op.new_default = "'it''s'";
	rebuild_ok(T_SQL, &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(id INTEGER PRIMARY KEY, name TEXT DEFAULT 'it''s', "
	    "qty INT DEFAULT 0, CONSTRAINT ck_qty CHECK (qty >= 0))");
	/* A named DEFAULT keeps its name; signed and (expr) values parse. */
	op.new_default = "-2.5e-3";
	rebuild_ok("CREATE TABLE t (name REAL CONSTRAINT d DEFAULT -1 NOT NULL,"
	    " x)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name REAL CONSTRAINT d DEFAULT -2.5e-3 NOT NULL, x)");
	op.new_default = NULL;
	op.drop_default = 1;
	rebuild_ok("CREATE TABLE t (name TEXT DEFAULT (lower('A,B')) "
	    "NOT NULL, x DEFAULT NULL)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT NOT NULL, x DEFAULT NULL)");
	op.name = "x";
	rebuild_ok("CREATE TABLE t (name TEXT, x DEFAULT NULL UNIQUE)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT, x UNIQUE)");
}

Test(rebuild, drop_column)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "name");

	rebuild_ok(T_SQL, &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "qty INT DEFAULT 0, CONSTRAINT ck_qty CHECK (qty >= 0))",
	    COPY("\"id\", \"qty\"", "\"id\", \"qty\""), SWAP, NULL);
	/* The first column: the next one takes its place after '('. */
	op.name = "id";
	rebuild_ok(T_SQL, &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(name TEXT, qty INT DEFAULT 0, CONSTRAINT ck_qty "
	    "CHECK (qty >= 0))");
}

Test(rebuild, drop_column_in_use)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "qty");

	rebuild_fails(T_SQL, &op, "cannot drop column 'qty' of table 't': "
	    "constraint 'ck_qty' uses it");
	cr_assert_neq(err.hint.len, 0);
	rebuild_fails("CREATE TABLE t (a, b, c, PRIMARY KEY (a, \"QTY\"), "
	    "qty)", &op, "cannot drop column 'qty' of table 't': unnamed "
	    "PRIMARY KEY constraint 'PRIMARY KEY (a, \"QTY\")' uses it");
	rebuild_fails("CREATE TABLE t (qty, b CHECK (b > qty))", &op,
	    "cannot drop column 'qty' of table 't': column 'b' uses it");
	rebuild_fails("CREATE TABLE t (qty, b AS (qty * 2))", &op,
	    "cannot drop column 'qty' of table 't': column 'b' uses it");
	rebuild_fails("CREATE TABLE t (qty CHECK (qty > 0))", &op,
	    "cannot drop column 'qty': it is the only column of table 't'");
	op.name = "nope";
	rebuild_fails(T_SQL, &op, "no column 'nope' in table 't'");
	/* Only a foreign key's own columns count, not the parent's. */
	op.name = "a";
	rebuild_ok("CREATE TABLE t (a, b, FOREIGN KEY (b) REFERENCES p (a), "
	    "CHECK (length(b) > 0))", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(b, FOREIGN KEY (b) REFERENCES p (a), CHECK (length(b) > 0))");
}

Test(rebuild, index_on_dropped_column)
{
	const char *const ix[] = {
		"CREATE INDEX ix_name ON t (name)",
		"CREATE INDEX \"ix_qty\" ON t (id) WHERE qty > 0",
	};
	struct ddl_sqlite_table	 cur = { "t", "CREATE TABLE t (id INTEGER "
	    "PRIMARY KEY, name TEXT, qty INT)", ix, 2, NULL, 0, NULL, NULL, 0 };
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "name");

	cr_assert_eq(ddl_sqlite_rebuild(&out, &cur, &op, &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "index 'ix_name' uses column 'name' of table 't'");
	cr_assert_str_eq(err.hint.buf, "Drop the index first.");
	cr_assert_eq(out.n, 0);
	op.name = "qty";
	cr_assert_eq(ddl_sqlite_rebuild(&out, &cur, &op, &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "index 'ix_qty' uses column 'qty' of table 't'");
	op.name = "id";
	cr_assert_eq(ddl_sqlite_rebuild(&out, &cur, &op, &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "index 'ix_qty' uses column 'id' of table 't'");
}

Test(rebuild, add_foreign_key_and_check)
{
	const char *const cols[] = { "owner_id", NULL };
	const char *const refs[] = { "id", NULL };
	struct ddl_op	 fk = OP(.kind = DDL_ADD_FOREIGN_KEY, .table = "t",
	    .name = "fk_owner", .cols = cols, .ref_table = "users",
	    .ref_cols = refs, .on_delete = "CASCADE");
	struct ddl_op	 ck = OP(.kind = DDL_ADD_CHECK, .table = "t",
	    .name = "ck_name", .check_sql = "name <> ''");

	rebuild_ok("CREATE TABLE t (id INTEGER PRIMARY KEY, owner_id INT)",
	    &fk);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "owner_id INT, CONSTRAINT \"fk_owner\" FOREIGN KEY (\"owner_id\") "
	    "REFERENCES \"users\" (\"id\") ON DELETE CASCADE)",
	    COPY("\"id\", \"owner_id\"", "\"id\", \"owner_id\""), SWAP, NULL);
	rebuild_ok(T_SQL, &ck);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(id INTEGER PRIMARY KEY, name TEXT, qty INT DEFAULT 0, "
	    "CONSTRAINT ck_qty CHECK (qty >= 0), "
	    "CONSTRAINT \"ck_name\" CHECK (name <> ''))");
	ck.name = "CK_QTY";
	rebuild_fails(T_SQL, &ck,
	    "constraint 'CK_QTY' already exists on table 't'");
}

Test(rebuild, drop_constraint)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_CONSTRAINT, .table = "t",
	    .name = "ck_qty");

	rebuild_ok(T_SQL, &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "name TEXT, qty INT DEFAULT 0)", COPY(ALLCOLS, ALLCOLS), SWAP,
	    NULL);
	/* Column level: the CONSTRAINT name and its one constraint. */
	op.name = "ck_b";
	rebuild_ok("CREATE TABLE t (a, b INT NOT NULL CONSTRAINT \"ck_b\" "
	    "CHECK (b IN (1, 2)) CONSTRAINT fk_b REFERENCES p (id) ON DELETE "
	    "SET NULL NOT DEFERRABLE)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(a, b INT NOT NULL CONSTRAINT fk_b REFERENCES p (id) ON DELETE "
	    "SET NULL NOT DEFERRABLE)");
	op.name = "fk_b";
	rebuild_ok("CREATE TABLE t (a, b INT NOT NULL CONSTRAINT \"ck_b\" "
	    "CHECK (b IN (1, 2)) CONSTRAINT fk_b REFERENCES p (id) ON DELETE "
	    "SET NULL NOT DEFERRABLE INITIALLY DEFERRED DEFAULT 3)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(a, b INT NOT NULL CONSTRAINT \"ck_b\" CHECK (b IN (1, 2)) "
	    "DEFAULT 3)");
	op.name = "nope";
	rebuild_fails(T_SQL, &op, "no constraint 'nope' on table 't'");
}

Test(rebuild, drop_constraint_that_is_a_unique_index)
{
	const char *const ix[] = {
		"CREATE INDEX ix_a ON t (name)",
		"CREATE UNIQUE INDEX \"uq_name\" ON \"t\" (\"name\")",
	};
	struct ddl_sqlite_table	 cur = { "t", T_SQL, ix, 2, NULL, 0, NULL,
	    NULL, 0 };
	struct ddl_op	 op = OP(.kind = DDL_DROP_CONSTRAINT, .table = "t",
	    .name = "UQ_NAME");

	cr_assert_eq(ddl_sqlite_rebuild(&out, &cur, &op, &err), 0);
	expect("DROP INDEX \"UQ_NAME\"", NULL);
}

Test(rebuild, rename_within_rebuild)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "name", .new_type = "TEXT", .nullable = DDL_SET_NOT_NULL,
	    .new_name = "title");

	rebuild_ok(T_SQL, &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, qty INT DEFAULT 0, CONSTRAINT ck_qty "
	    "CHECK (qty >= 0))", COPY(ALLCOLS, ALLCOLS), SWAP,
	    "ALTER TABLE \"t\" RENAME COLUMN \"name\" TO \"title\"", NULL);
}

Test(rebuild, no_rebuild_needed_is_rendered)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "name", .new_name = "title");

	rebuild_ok(T_SQL, &op);
	expect("ALTER TABLE \"t\" RENAME COLUMN \"name\" TO \"title\"", NULL);
	op = OP(.kind = DDL_DROP_INDEX, .name = "ix");
	rebuild_ok(T_SQL, &op);
	expect("DROP INDEX \"ix\"", NULL);
	op = OP(.kind = DDL_DROP_COLUMN, .table = "u", .name = "name");
	rebuild_fails(T_SQL, &op,
	    "drop_column is on table 'u', the rebuild on 't'");
}

Test(rebuild, indexes_triggers_views_recreated)
{
	const char *const ix[] = {
		"CREATE INDEX ix_name ON t (name)",
		"CREATE UNIQUE INDEX ix_q ON t (qty) WHERE qty > 0",
	};
	const char *const tr[] = {
		"CREATE TRIGGER tr_t AFTER INSERT ON t BEGIN "
		    "UPDATE t SET qty = 1; END",
		"CREATE TEMP TRIGGER IF NOT EXISTS main.\"tr o\" AFTER DELETE "
		    "ON other BEGIN DELETE FROM t; END;",
	};
	const char *const vn[] = { "v", "v2" };
	const char *const vs[] = {
		"CREATE VIEW v AS SELECT name FROM t",
		"CREATE VIEW v2 AS SELECT * FROM v",
	};
	struct ddl_sqlite_table	 cur = { "t", T_SQL, ix, 2, tr, 2, vn, vs,
	    2 };
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "id");

	cr_assert_eq(ddl_sqlite_rebuild(&out, &cur, &op, &err), 0, "%s",
	    err.msg.buf);
	expect("CREATE TABLE \"t__migrate_new\" (name TEXT, qty INT DEFAULT "
	    "0, CONSTRAINT ck_qty CHECK (qty >= 0))",
	    COPY("\"name\", \"qty\"", "\"name\", \"qty\""),
	    "DROP TRIGGER \"tr_t\"", "DROP TRIGGER \"tr o\"",
	    "DROP VIEW \"v2\"", "DROP VIEW \"v\"", SWAP,
	    ix[0], ix[1], vs[0], vs[1], tr[0],
	    "CREATE TEMP TRIGGER IF NOT EXISTS main.\"tr o\" AFTER DELETE "
	    "ON other BEGIN DELETE FROM t; END", NULL);
}

Test(rebuild, autoincrement_counter_kept)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "v", .nullable = DDL_SET_NOT_NULL);

	rebuild_ok("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
	    &op);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY "
	    "AUTOINCREMENT, v NOT NULL)",
	    COPY("\"id\", \"v\"", "\"id\", \"v\""),
	    "DELETE FROM sqlite_sequence WHERE name = 't__migrate_new'",
	    "INSERT INTO sqlite_sequence (name, seq) SELECT 't__migrate_new', "
	    "seq FROM sqlite_sequence WHERE name = 't'", SWAP, NULL);
}

Test(rebuild, rowid_under_another_name)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "a", .new_type = "TEXT");

	rebuild_ok("CREATE TABLE t (rowid, a)", &op);
	cr_assert_str_eq(out.v[1], "INSERT INTO \"t__migrate_new\" (_rowid_, "
	    "\"rowid\", \"a\") SELECT _rowid_, \"rowid\", \"a\" FROM \"t\"");
	rebuild_ok("CREATE TABLE t (rowid, \"_ROWID_\", [oid], a)", &op);
	cr_assert_str_eq(out.v[1], "INSERT INTO \"t__migrate_new\" ("
	    "\"rowid\", \"_ROWID_\", \"oid\", \"a\") SELECT \"rowid\", "
	    "\"_ROWID_\", \"oid\", \"a\" FROM \"t\"");
}

/* Tricky CREATE TABLE texts */

#define ODD_SQL	"CREATE TABLE \"odd, table\" (\n" \
	"    \"a,b\" TEXT NOT NULL, -- a comma, in a name\n" \
	"    [c d] INT DEFAULT (1 + (2 * 3)),\n" \
	"    `e` TEXT CHECK (e IN ('x,y', 'z)') AND length(e) < 5) " \
	"DEFAULT 'q',\n" \
	"    /* (a table, constraint) */ CONSTRAINT \"pk\" " \
	"PRIMARY KEY (\"a,b\", [c d])\n" \
	") WITHOUT ROWID"

static int
odd_rebuild(const struct ddl_op *op)
{
	struct ddl_sqlite_table	 cur = { "odd, table", ODD_SQL, NULL, 0,
	    NULL, 0, NULL, NULL, 0 };

	ddl_stmts_free(&out);
	return ddl_sqlite_rebuild(&out, &cur, op, &err);
}

Test(rebuild, tricky_text_kept_verbatim)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN,
	    .table = "odd, table", .name = "C D",
	    .nullable = DDL_SET_NOT_NULL);

	cr_assert_eq(odd_rebuild(&op), 0, "%s", err.msg.buf);
	expect("CREATE TABLE \"odd, table__migrate_new\" (\n"
	    "    \"a,b\" TEXT NOT NULL, -- a comma, in a name\n"
	    "    [c d] INT DEFAULT (1 + (2 * 3)) NOT NULL,\n"
	    "    `e` TEXT CHECK (e IN ('x,y', 'z)') AND length(e) < 5) "
	    "DEFAULT 'q',\n"
	    "    /* (a table, constraint) */ CONSTRAINT \"pk\" "
	    "PRIMARY KEY (\"a,b\", [c d])\n"
	    ") WITHOUT ROWID",
	    "INSERT INTO \"odd, table__migrate_new\" (\"a,b\", \"c d\", "
	    "\"e\") SELECT \"a,b\", \"c d\", \"e\" FROM \"odd, table\"",
	    "DROP TABLE \"odd, table\"",
	    "ALTER TABLE \"odd, table__migrate_new\" RENAME TO \"odd, table\"",
	    NULL);
}

Test(rebuild, tricky_text_drop_and_add)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN,
	    .table = "odd, table", .name = "e");
	struct ddl_op	 ck = OP(.kind = DDL_ADD_CHECK, .table = "odd, table",
	    .name = "ck", .check_sql = "\"a,b\" <> ''");

	cr_assert_eq(odd_rebuild(&op), 0, "%s", err.msg.buf);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"odd, table__migrate_new\" "
	    "(\n"
	    "    \"a,b\" TEXT NOT NULL, -- a comma, in a name\n"
	    "    [c d] INT DEFAULT (1 + (2 * 3)),\n"
	    "    /* (a table, constraint) */ CONSTRAINT \"pk\" "
	    "PRIMARY KEY (\"a,b\", [c d])\n"
	    ") WITHOUT ROWID");
	op.name = "c d";
	cr_assert_eq(odd_rebuild(&op), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf, "cannot drop column 'c d' of table "
	    "'odd, table': constraint 'pk' uses it");
	cr_assert_eq(odd_rebuild(&ck), 0, "%s", err.msg.buf);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"odd, table__migrate_new\" "
	    "(\n"
	    "    \"a,b\" TEXT NOT NULL, -- a comma, in a name\n"
	    "    [c d] INT DEFAULT (1 + (2 * 3)),\n"
	    "    `e` TEXT CHECK (e IN ('x,y', 'z)') AND length(e) < 5) "
	    "DEFAULT 'q',\n"
	    "    /* (a table, constraint) */ CONSTRAINT \"pk\" "
	    "PRIMARY KEY (\"a,b\", [c d]),\n"
	    "    CONSTRAINT \"ck\" CHECK (\"a,b\" <> '')\n"
	    ") WITHOUT ROWID");
}

Test(rebuild, comments_strict_and_generated)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "t",
	    .name = "b", .new_type = "TEXT");

	rebuild_ok("CREATE TABLE IF NOT EXISTS main.t(a INT, -- first\n"
	    "b ANY /* was any */ , g INT GENERATED ALWAYS AS (a * 2) STORED,"
	    " h AS (a + 1)) STRICT;", &op);
	expect("CREATE TABLE \"t__migrate_new\" (a INT, -- first\n"
	    "b TEXT /* was any */ , g INT GENERATED ALWAYS AS (a * 2) STORED,"
	    " h AS (a + 1)) STRICT",
	    COPY("\"a\", \"b\"", "\"a\", \"b\""), SWAP, NULL);
	/* A comment after the last item stays before the new one. */
	op = OP(.kind = DDL_ADD_CHECK, .table = "t", .name = "ck",
	    .check_sql = "a > 0");
	rebuild_ok("CREATE TABLE t (a -- the only one\n)", &op);
	cr_assert_str_eq(out.v[0], "CREATE TABLE \"t__migrate_new\" "
	    "(a -- the only one\n, CONSTRAINT \"ck\" CHECK (a > 0))");
}

Test(rebuild, unparsable_definitions)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "a");

	rebuild_fails("CREATE TABLE t (a, 'b)", &op, "cannot parse the "
	    "definition of table 't': unterminated string");
	rebuild_fails("CREATE TABLE t (a, b", &op, "cannot parse the "
	    "definition of table 't': unbalanced '('");
	rebuild_fails("CREATE TABLE t AS SELECT 1", &op, "cannot parse the "
	    "definition of table 't': not CREATE TABLE name (...)");
	rebuild_fails("CREATE TABLE t (a, , b)", &op, "cannot parse the "
	    "definition of table 't': empty item");
	rebuild_fails("CREATE TABLE t (a); DROP TABLE x", &op, "cannot parse "
	    "the definition of table 't': text after ';'");
	rebuild_fails("CREATE TABLE t ()", &op, "cannot parse the definition "
	    "of table 't': no columns");
}

Test(rebuild, rebuild_to)
{
	const char *const ix[] = { "CREATE INDEX ix_qty ON t (qty)" };
	struct ddl_sqlite_table	 cur = { "t", T_SQL, ix, 1, NULL, 0, NULL,
	    NULL, 0 };

	cr_assert_eq(ddl_sqlite_rebuild_to(&out, &cur, "create table \"T\" ("
	    "id INTEGER PRIMARY KEY, QTY REAL NOT NULL, note TEXT) ;\n", &err),
	    0, "%s", err.msg.buf);
	expect("CREATE TABLE \"t__migrate_new\" (id INTEGER PRIMARY KEY, "
	    "QTY REAL NOT NULL, note TEXT)",
	    COPY("\"id\", \"QTY\"", "\"id\", \"qty\""), SWAP, ix[0], NULL);
	cr_assert_eq(ddl_sqlite_rebuild_to(&out, &cur, "CREATE TABLE t "
	    "(id INTEGER PRIMARY KEY, name TEXT)", &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "index 'ix_qty' uses column 'qty' of table 't'");
	cr_assert_eq(ddl_sqlite_rebuild_to(&out, &cur, "CREATE TABLE u "
	    "(id INTEGER PRIMARY KEY)", &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "the new definition is of table 'u', not 't'");
	cr_assert_eq(ddl_sqlite_rebuild_to(&out, &cur, "CREATE TABLE t "
	    "(id", &err), MG_EUSAGE);
	cr_assert_str_eq(err.msg.buf,
	    "cannot parse the new definition: unbalanced '('");
	cr_assert_eq(out.n, 5);
}

/* Live: rebuilds applied to an in-memory SQLite database */

static void
run(const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

static int
run_rc(const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* The first column of the first row of sql, as text ("" for none). */
static const char *
query(const char *sql)
{
	static char	 buf[4096];
	sqlite3_stmt	*st;
	const unsigned char *v;
	int		 rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (v = sqlite3_column_text(st, 0)) != NULL)
		snprintf(buf, sizeof(buf), "%s", (const char *)v);
	sqlite3_finalize(st);
	return buf;
}

/* What a caller reads from the database; all triggers and views. */
struct snap {
	struct ddl_sqlite_table	 t;
	char			*create, *ix[8], *tr[8], *vn[8], *vs[8];
	size_t			 nix, ntr, nv;
};

static void
snap_free(struct snap *s)
{
	size_t	 k;

	free(s->create);
	for (k = 0; k < s->nix; k++)
		free(s->ix[k]);
	for (k = 0; k < s->ntr; k++)
		free(s->tr[k]);
	for (k = 0; k < s->nv; k++) {
		free(s->vn[k]);
		free(s->vs[k]);
	}
}

static void
snap_load(struct snap *s, const char *table)
{
	sqlite3_stmt	*st;
	const char	*type, *name, *sql;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql "
	    "FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		sql = (const char *)sqlite3_column_text(st, 3);
		if (strcmp(type, "table") == 0 && strcmp(name, table) == 0)
			s->create = strdup(sql);
		else if (strcmp(type, "index") == 0 && strcmp((const char *)
		    sqlite3_column_text(st, 2), table) == 0)
			s->ix[s->nix++] = strdup(sql);
		else if (strcmp(type, "trigger") == 0)
			s->tr[s->ntr++] = strdup(sql);
		else if (strcmp(type, "view") == 0) {
			s->vn[s->nv] = strdup(name);
			s->vs[s->nv++] = strdup(sql);
		}
	}
	sqlite3_finalize(st);
	cr_assert_not_null(s->create);
	s->t.name = table;
	s->t.create_sql = s->create;
	s->t.index_sql = (const char *const *)s->ix;
	s->t.nindex = s->nix;
	s->t.trigger_sql = (const char *const *)s->tr;
	s->t.ntrigger = s->ntr;
	s->t.view_name = (const char *const *)s->vn;
	s->t.view_sql = (const char *const *)s->vs;
	s->t.nview = s->nv;
}

/*
 * Run the statements as the executor would: foreign keys off, one
 * transaction, foreign_key_check before COMMIT. Returns the SQLite code of
 * the first failing statement (after a ROLLBACK), or SQLITE_OK.
 */
static int
apply(void)
{
	size_t	 k;
	int	 rc = SQLITE_OK;

	run("PRAGMA foreign_keys = OFF");
	run("BEGIN");
	for (k = 0; k < out.n && rc == SQLITE_OK; k++)
		if ((rc = run_rc(out.v[k])) != SQLITE_OK)
			cr_log_info("statement %zu failed: %s", k,
			    sqlite3_errmsg(db));
	if (rc == SQLITE_OK)
		cr_assert_str_eq(query("SELECT count(*) FROM "
		    "pragma_foreign_key_check"), "0");
	run(rc == SQLITE_OK ? "COMMIT" : "ROLLBACK");
	run("PRAGMA foreign_keys = ON");
	return rc;
}

static void
live_rebuild(const char *table, const struct ddl_op *op, int want)
{
	struct snap	 s;
	int		 rc;

	snap_load(&s, table);
	ddl_stmts_free(&out);
	rc = ddl_sqlite_rebuild(&out, &s.t, op, &err);
	snap_free(&s);
	cr_assert_eq(rc, 0, "rebuild: %s", err.msg.buf);
	rc = apply();
	cr_assert_eq(rc, want, "apply: %d, want %d", rc, want);
	cr_assert_str_eq(query("PRAGMA integrity_check"), "ok");
}

static void
live_setup(void)
{
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	run("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
	    "INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');"
	    "CREATE TABLE items (\n"
	    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	    "  owner INT,\n"
	    "  name TEXT DEFAULT 'none',\n"
	    "  qty INT CONSTRAINT ck_qty CHECK (qty >= 0),\n"
	    "  note TEXT\n"
	    ");"
	    "CREATE INDEX ix_items_name ON items (name);"
	    "CREATE UNIQUE INDEX ix_items_owner_name ON items (owner, name) "
	    "WHERE owner IS NOT NULL;"
	    "CREATE TABLE log (msg TEXT);"
	    "CREATE TRIGGER tr_items AFTER INSERT ON items BEGIN "
	    "INSERT INTO log VALUES ('item ' || new.name); END;"
	    "CREATE TRIGGER tr_users AFTER DELETE ON users BEGIN "
	    "DELETE FROM items WHERE owner = old.id; END;"
	    "CREATE VIEW v_items AS SELECT id, name, qty FROM items;"
	    "CREATE VIEW v_big AS SELECT name FROM v_items WHERE qty > 5;"
	    "INSERT INTO items (owner, name, qty, note) VALUES "
	    "(1, 'bolt', 10, NULL), (2, 'nut', 3, 'n'), (NULL, NULL, 7, 'x');"
	    "DELETE FROM items WHERE id = 3;"
	    "INSERT INTO items (owner, name, qty) VALUES (1, 'gear', 9);"
	    "DELETE FROM log;");
}

Test(live, alter_type_and_not_null_keeps_everything, .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "items",
	    .name = "name", .new_type = "VARCHAR(20)",
	    .nullable = DDL_SET_NOT_NULL, .new_default = "upper('x')");

	live_rebuild("items", &op, SQLITE_OK);
	cr_assert_str_eq(query("SELECT group_concat(id || ':' || name, ' ') "
	    "FROM (SELECT * FROM items ORDER BY id)"), "1:bolt 2:nut 4:gear");
	cr_assert_str_eq(query("SELECT type || ' ' || \"notnull\" || ' ' || "
	    "dflt_value FROM pragma_table_info('items') WHERE name = 'name'"),
	    "VARCHAR(20) 1 upper('x')");
	cr_assert_eq(run_rc("INSERT INTO items (name) VALUES (NULL)"),
	    SQLITE_CONSTRAINT);
	/* The DEFAULT, the AUTOINCREMENT counter and the trigger work. */
	run("INSERT INTO items (qty) VALUES (1)");
	cr_assert_str_eq(query("SELECT id || ':' || name FROM items "
	    "ORDER BY id DESC"), "5:X");
	cr_assert_str_eq(query("SELECT msg FROM log"), "item X");
	/* Indexes and views are back. */
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM "
	    "(SELECT name FROM sqlite_schema WHERE type = 'index' AND "
	    "tbl_name = 'items' ORDER BY name)"),
	    "ix_items_name ix_items_owner_name");
	cr_assert_eq(run_rc("INSERT INTO items (owner, name) VALUES "
	    "(1, 'bolt')"), SQLITE_CONSTRAINT);
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM v_big"),
	    "bolt gear");
	cr_assert_eq(run_rc("INSERT INTO items (qty) VALUES (-1)"),
	    SQLITE_CONSTRAINT);
}

Test(live, not_null_over_nulls_fails_and_rolls_back, .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "items",
	    .name = "note", .nullable = DDL_SET_NOT_NULL);

	live_rebuild("items", &op, SQLITE_CONSTRAINT);
	cr_assert_str_eq(query("SELECT count(*) FROM items"), "3");
	cr_assert_str_eq(query("SELECT count(*) FROM sqlite_schema WHERE "
	    "name LIKE '%migrate_new'"), "0");
}

Test(live, drop_column_keeps_rowids, .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "t",
	    .name = "b");

	run("CREATE TABLE t (a TEXT, b INT NOT NULL, c);"
	    "INSERT INTO t VALUES ('x', 1, 1), ('y', 2, 2), ('z', 3, 3);"
	    "DELETE FROM t WHERE a = 'y';"
	    "CREATE INDEX ix_t_c ON t (c);"
	    "CREATE VIEW v_t AS SELECT a, c FROM t;");
	live_rebuild("t", &op, SQLITE_OK);
	cr_assert_str_eq(query("SELECT group_concat(rowid || a || c, ' ') "
	    "FROM t"), "1x1 3z3");
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM "
	    "pragma_table_info('t')"), "a c");
	cr_assert_str_eq(query("SELECT group_concat(a, ' ') FROM v_t"),
	    "x z");
	cr_assert_str_eq(query("SELECT name FROM sqlite_schema WHERE "
	    "type = 'index' AND tbl_name = 't'"), "ix_t_c");
}

Test(live, drop_column_with_an_index_is_refused, .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_DROP_COLUMN, .table = "items",
	    .name = "owner");
	struct snap	 s;

	snap_load(&s, "items");
	cr_assert_eq(ddl_sqlite_rebuild(&out, &s.t, &op, &err), MG_EUSAGE);
	snap_free(&s);
	cr_assert_str_eq(err.msg.buf, "index 'ix_items_owner_name' uses "
	    "column 'owner' of table 'items'");
}

Test(live, add_foreign_key_and_check, .init = live_setup)
{
	const char *const cols[] = { "owner", NULL };
	const char *const refs[] = { "id", NULL };
	struct ddl_op	 fk = OP(.kind = DDL_ADD_FOREIGN_KEY, .table = "items",
	    .name = "fk_owner", .cols = cols, .ref_table = "users",
	    .ref_cols = refs, .on_delete = "cascade");
	struct ddl_op	 ck = OP(.kind = DDL_ADD_CHECK, .table = "items",
	    .name = "ck_name", .check_sql = "length(name) > 2");

	live_rebuild("items", &fk, SQLITE_OK);
	live_rebuild("items", &ck, SQLITE_OK);
	cr_assert_eq(run_rc("INSERT INTO items (owner, name) VALUES "
	    "(99, 'abc')"), SQLITE_CONSTRAINT);
	cr_assert_eq(run_rc("INSERT INTO items (owner, name) VALUES "
	    "(1, 'ab')"), SQLITE_CONSTRAINT);
	run("INSERT INTO items (owner, name) VALUES (2, 'abc')");
	/* ON DELETE CASCADE, and the trigger on users still fires. */
	run("DELETE FROM users WHERE id = 1");
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM "
	    "(SELECT name FROM items ORDER BY id)"), "nut abc");
	/* A foreign key the rows break: foreign_key_check catches it. */
	fk.name = "fk_qty";
	fk.cols = (const char *const[]){ "qty", NULL };
	{
		struct snap	 s;

		snap_load(&s, "items");
		ddl_stmts_free(&out);
		cr_assert_eq(ddl_sqlite_rebuild(&out, &s.t, &fk, &err), 0);
		snap_free(&s);
		run("PRAGMA foreign_keys = OFF");
		run("BEGIN");
		for (size_t k = 0; k < out.n; k++)
			run(out.v[k]);
		cr_assert_str_neq(query("SELECT count(*) FROM "
		    "pragma_foreign_key_check"), "0");
		run("ROLLBACK");
	}
}

Test(live, drop_constraints, .init = live_setup)
{
	const char *const cols[] = { "email", NULL };
	struct ddl_op	 op = OP(.kind = DDL_DROP_CONSTRAINT, .table = "items",
	    .name = "ck_qty");
	struct ddl_op	 uq = OP(.kind = DDL_ADD_UNIQUE, .table = "users",
	    .name = "uq_email", .cols = cols);

	live_rebuild("items", &op, SQLITE_OK);
	run("INSERT INTO items (qty) VALUES (-1)");
	cr_assert_str_eq(query("SELECT count(*) FROM v_items"), "4");

	run("CREATE TABLE p (a INT, b INT, CONSTRAINT uq_ab UNIQUE (a, b));"
	    "INSERT INTO p VALUES (1, 1)");
	op.table = "p";
	op.name = "uq_ab";
	live_rebuild("p", &op, SQLITE_OK);
	run("INSERT INTO p VALUES (1, 1)");

	/* ADD_UNIQUE is an index on SQLite; dropping it drops the index. */
	live_rebuild("users", &uq, SQLITE_OK);
	cr_assert_eq(run_rc("INSERT INTO users (email) VALUES ('a@x')"),
	    SQLITE_CONSTRAINT);
	op.table = "users";
	op.name = "uq_email";
	live_rebuild("users", &op, SQLITE_OK);
	run("INSERT INTO users (email) VALUES ('a@x')");
}

Test(live, rename_within_rebuild_follows_views_and_triggers,
    .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN, .table = "items",
	    .name = "name", .drop_default = 1, .new_name = "title");

	/*
	 * v_big selects v_items.name, which the rename turns into title:
	 * SQLite's own RENAME COLUMN refuses that too ("error in view v_big
	 * after rename").
	 */
	run("DROP VIEW v_big");
	live_rebuild("items", &op, SQLITE_OK);
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM "
	    "pragma_table_info('items')"), "id owner title qty note");
	cr_assert_str_eq(query("SELECT sql FROM sqlite_schema WHERE name = "
	    "'v_items'"), "CREATE VIEW v_items AS SELECT id, \"title\", qty "
	    "FROM items");
	cr_assert_str_eq(query("SELECT group_concat(title, ' ') FROM "
	    "(SELECT title FROM v_items ORDER BY id)"), "bolt nut gear");
	cr_assert_str_eq(query("SELECT dflt_value IS NULL FROM "
	    "pragma_table_info('items') WHERE name = 'title'"), "1");
	run("INSERT INTO items (title) VALUES ('cog')");
	cr_assert_str_eq(query("SELECT msg FROM log"), "item cog");
	cr_assert_str_eq(query("SELECT sql FROM sqlite_schema WHERE name = "
	    "'ix_items_name'"),
	    "CREATE INDEX ix_items_name ON items (\"title\")");
}

Test(live, rebuild_to_a_new_definition, .init = live_setup)
{
	struct snap	 s;

	run("DROP INDEX ix_items_owner_name");
	snap_load(&s, "items");
	cr_assert_eq(ddl_sqlite_rebuild_to(&out, &s.t, "CREATE TABLE items ("
	    "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL "
	    "DEFAULT '?', qty INT, note TEXT, added TEXT DEFAULT 'now')",
	    &err), 0, "%s", err.msg.buf);
	snap_free(&s);
	cr_assert_eq(apply(), SQLITE_OK);
	cr_assert_str_eq(query("SELECT group_concat(id || name || added, ' ') "
	    "FROM items"), "1boltnow 2nutnow 4gearnow");
	cr_assert_str_eq(query("SELECT group_concat(name, ' ') FROM "
	    "pragma_table_info('items')"), "id name qty note added");
	run("INSERT INTO items (qty) VALUES (1)");
	cr_assert_str_eq(query("SELECT max(id) FROM items"), "5");
}

Test(live, tricky_definitions_apply, .init = live_setup)
{
	struct ddl_op	 op = OP(.kind = DDL_ALTER_COLUMN,
	    .table = "odd, table", .name = "c d",
	    .nullable = DDL_SET_NOT_NULL);
	struct ddl_op	 ck = OP(.kind = DDL_ADD_CHECK, .table = "odd, table",
	    .name = "ck", .check_sql = "\"a,b\" <> ''");
	struct ddl_op	 ty = OP(.kind = DDL_ALTER_COLUMN, .table = "s",
	    .name = "b", .new_type = "TEXT", .new_default = "'x' || 'y'");

	run(ODD_SQL ";"
	    "INSERT INTO \"odd, table\" VALUES ('k', 1, 'x,y'), ('l', 2, 'z)');"
	    "CREATE TABLE s (a INT, -- first\n"
	    "b ANY /* was any */ , g INT GENERATED ALWAYS AS (a * 2) STORED,"
	    " h INT AS (a + 1)) STRICT;"
	    "INSERT INTO s (a, b) VALUES (1, 2), (3, 'four');");
	live_rebuild("odd, table", &op, SQLITE_OK);
	live_rebuild("odd, table", &ck, SQLITE_OK);
	cr_assert_str_eq(query("SELECT group_concat(\"a,b\" || [c d] || e, "
	    "' ') FROM \"odd, table\""), "k1x,y l2z)");
	cr_assert_eq(run_rc("INSERT INTO \"odd, table\" VALUES ('m', NULL, "
	    "'z')"), SQLITE_CONSTRAINT);
	cr_assert_eq(run_rc("INSERT INTO \"odd, table\" VALUES ('', 3, 'z')"),
	    SQLITE_CONSTRAINT);
	cr_assert_eq(run_rc("INSERT INTO \"odd, table\" VALUES ('k', 1, 'z')"),
	    SQLITE_CONSTRAINT);
	cr_assert_str_eq(query("SELECT sql LIKE '%) WITHOUT ROWID' FROM "
	    "sqlite_schema WHERE name = 'odd, table'"), "1");

	live_rebuild("s", &ty, SQLITE_OK);
	cr_assert_str_eq(query("SELECT sql LIKE '%b TEXT DEFAULT (''x'' || "
	    "''y'') /* was any */ ,%) STRICT' FROM sqlite_schema WHERE "
	    "name = 's'"), "1");
	cr_assert_str_eq(query("SELECT group_concat(a || b || g || h, ' ') "
	    "FROM s"), "1222 3four64");
	run("INSERT INTO s (a) VALUES (5)");
	cr_assert_str_eq(query("SELECT b || g FROM s WHERE a = 5"), "xy10");
	/* STRICT holds: TEXT refuses a blob. */
	cr_assert_eq(run_rc("INSERT INTO s (a, b) VALUES (1, x'00')"),
	    SQLITE_CONSTRAINT);
}
