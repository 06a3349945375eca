#!/usr/bin/env bats
# C plugin revisions run against a database: every DDL operation of
# <migrate/plugin.h> applied and reverted, read back from the catalogs
# (PRAGMA table_info/index_list/foreign_key_list and sqlite_schema on
# SQLite; pg_attribute, pg_index and pg_constraint on PostgreSQL);
# mg_exec/mg_execf/mg_quote_*, mg_query and its row accessors; a plugin
# that fails, whose statement fails, or that crashes; offline (--sql)
# plugins; SQLite table rebuilds (from a plugin and from the
# '-- migrate:rebuild TABLE' directive) keeping rows, rowids, indexes,
# triggers, views and foreign keys, and rolled back on a foreign key
# violation; mg_log and -q.
# On SQLite, or on PostgreSQL with MIGRATE_TEST_DIALECT=postgresql.

load helpers

# Write versions/ID_<slug of MSG>.c: the revision header, <stddef.h> and
# <migrate/plugin.h>, then the C code read from stdin.
write_c() { # ID DOWN MSG <CODE
	{
		printf '/*\n * revision: %s\n * down_revision: %s\n' "$1" "$2"
		printf ' * message: %s\n */\n' "$3"
		printf '#include <stddef.h>\n#include <migrate/plugin.h>\n\n'
		cat
	} >"versions/$1_$(slugify "$3").c"
}

# TABLE's columns, one a line: "name|type|notnull|default" (notnull 1 or
# 0; the default as the database keeps it, empty when none).
columns() { # TABLE
	if is_pg; then
		pg_sql "SELECT a.attname, format_type(a.atttypid, a.atttypmod),
		    CASE WHEN a.attnotnull THEN 1 ELSE 0 END,
		    coalesce(pg_get_expr(d.adbin, d.adrelid), '')
		    FROM pg_attribute a LEFT JOIN pg_attrdef d
		    ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		    WHERE a.attrelid = '$1'::regclass AND a.attnum > 0
		    AND NOT a.attisdropped ORDER BY a.attnum"
	else
		sqlite3 app.db "SELECT name, type, \"notnull\",
		    coalesce(dflt_value, '') FROM pragma_table_info('$1')
		    ORDER BY cid"
	fi
}

# TABLE's indexes, one a line. SQLite: "name unique partial sql" from
# PRAGMA index_list and sqlite_schema (automatic indexes left out).
# PostgreSQL: pg_get_indexdef, " INVALID" appended to an invalid one.
indexes() { # TABLE
	if is_pg; then
		pg_sql "SELECT pg_get_indexdef(indexrelid) ||
		    CASE WHEN indisvalid THEN '' ELSE ' INVALID' END
		    FROM pg_index WHERE indrelid = '$1'::regclass
		    ORDER BY indexrelid::regclass::text"
	else
		sqlite3 app.db "SELECT i.name || ' ' || i.\"unique\" || ' ' ||
		    i.partial || ' ' || s.sql FROM pragma_index_list('$1') i
		    JOIN sqlite_schema s ON s.type = 'index' AND s.name = i.name
		    WHERE s.sql IS NOT NULL ORDER BY i.name"
	fi
}

# PostgreSQL: TABLE's constraints, "name definition" one a line.
pg_constraints() { # TABLE
	pg_sql "SELECT conname || ' ' || pg_get_constraintdef(oid)
	    FROM pg_constraint WHERE conrelid = '$1'::regclass ORDER BY conname"
}

# SQLite: the CREATE TABLE text of TABLE, as sqlite_schema keeps it.
table_sql() { # TABLE
	sqlite3 app.db "SELECT sql FROM sqlite_schema
	    WHERE type = 'table' AND name = '$1'"
}

# SQL must fail (a constraint, NOT NULL, a foreign key ...). On SQLite,
# foreign keys are on for it.
refute_sql() { # SQL
	local out
	if is_pg; then
		out=$(pg_sql "$1" 2>&1)
	else
		out=$(sqlite3 app.db "PRAGMA foreign_keys = ON; $1" 2>&1)
	fi && fail "succeeded: $1" "$out"
	return 0
}

# SQL succeeds, with foreign keys on for SQLite; prints its rows.
sql_fk() { # SQL
	if is_pg; then
		pg_sql "$1"
	else
		sqlite3 app.db "PRAGMA foreign_keys = ON; $1"
	fi
}

# --- 1. every DDL operation, applied and reverted ------------------------

@test "create_table: types, NOT NULL, defaults and a composite primary key; drop_table reverts it" {
	write_c 0001 "" "create stock" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_column cols[] = {
		{ "tenant", "integer", MG_NOT_NULL | MG_PRIMARY_KEY, NULL },
		{ "code", "varchar(20)", MG_PRIMARY_KEY, NULL },
		{ "qty", "bigint", MG_NOT_NULL, "7" },
		{ "note", "text", 0, "'n''a'" },
		{ "price", "numeric(10,2)", 0, NULL },
	};

	return mg_create_table(ctx, "stock", cols, 5);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "stock");
}
EOF
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "stock" "tables"
	if is_pg; then
		assert_eq "$(columns stock)" "tenant|integer|1|
code|character varying(20)|1|
qty|bigint|1|7
note|text|0|'n''a'::text
price|numeric(10,2)|0|" "columns"
		assert_eq "$(pg_constraints stock)" \
		    "stock_pkey PRIMARY KEY (tenant, code)" "constraints"
	else
		assert_eq "$(columns stock)" "tenant|INTEGER|1|
code|varchar(20)|0|
qty|bigint|1|7
note|TEXT|0|'n''a'
price|numeric(10,2)|0|" "columns"
		# pk: the column's position in the primary key.
		assert_eq "$(sqlite3 app.db "SELECT name, pk FROM
		    pragma_table_info('stock') WHERE pk > 0 ORDER BY pk")" \
		    "tenant|1
code|2" "primary key"
	fi
	# The defaults fill in; the key is (tenant, code), not either alone.
	db_sql "INSERT INTO stock (tenant, code) VALUES (1, 'a')"
	db_sql "INSERT INTO stock (tenant, code) VALUES (1, 'b')"
	db_sql "INSERT INTO stock (tenant, code, qty) VALUES (2, 'a', 3)"
	assert_eq "$(db_sql "SELECT tenant, code, qty, note,
	    coalesce(price, -1) FROM stock ORDER BY tenant, code")" \
	    "1|a|7|n'a|-1
1|b|7|n'a|-1
2|a|3|n'a|-1" "rows"
	refute_sql "INSERT INTO stock (tenant, code) VALUES (1, 'a')"
	refute_sql "INSERT INTO stock (tenant, code, qty) VALUES (3, 'a', NULL)"
	mig downgrade base
	assert_status 0
	assert_eq "$(user_tables)" "" "tables after the downgrade"
	assert_eq "$(version_rows)" "" "version"
}

@test "rename_table, add_column with a default, drop_column, and their downgrade" {
	write_rev 0001 "" "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, legacy text);
INSERT INTO people VALUES (1, 'ann', 'x'), (2, 'bob', NULL);" \
	    "DROP TABLE people;"
	write_c 0002 0001 "reshape people" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_column active = {
		"active", "integer", MG_NOT_NULL, "1"
	};

	if (mg_rename_table(ctx, "people", "persons") != 0 ||
	    mg_add_column(ctx, "persons", &active) != 0 ||
	    mg_drop_column(ctx, "persons", "legacy") != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	static const struct mg_column legacy = { "legacy", "text", 0, NULL };

	if (mg_add_column(ctx, "persons", &legacy) != 0 ||
	    mg_drop_column(ctx, "persons", "active") != 0 ||
	    mg_rename_table(ctx, "persons", "people") != 0)
		return -1;
	return 0;
}
EOF
	mig upgrade 0001
	assert_status 0
	before=$(columns people)
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version"
	assert_eq "$(user_tables)" "persons" "tables"
	if is_pg; then
		assert_eq "$(columns persons)" "id|integer|1|
name|text|1|
active|integer|1|1" "columns"
	else
		assert_eq "$(columns persons)" "id|INTEGER|0|
name|TEXT|1|
active|INTEGER|1|1" "columns"
	fi
	# The existing rows got the default; a new one gets it too.
	db_sql "INSERT INTO persons (id, name) VALUES (3, 'cy')"
	assert_eq "$(db_sql "SELECT * FROM persons ORDER BY id")" "1|ann|1
2|bob|1
3|cy|1" "rows"
	refute_sql "INSERT INTO persons (id, name, active) VALUES (4, 'di', NULL)"
	mig downgrade 0001
	assert_status 0
	assert_eq "$(user_tables)" "people" "tables after the downgrade"
	assert_eq "$(columns people)" "$before" "columns after the downgrade"
	assert_eq "$(db_sql "SELECT id, name, coalesce(legacy, '<null>')
	    FROM people ORDER BY id")" "1|ann|<null>
2|bob|<null>
3|cy|<null>" "rows after the downgrade"
}

@test "alter_column: type (values kept), SET/DROP NOT NULL, SET/DROP DEFAULT, rename; the downgrade restores each" {
	write_rev 0001 "" "CREATE TABLE acct (id integer PRIMARY KEY, n integer, s varchar(5) DEFAULT 'a', z text NOT NULL DEFAULT 'zz', w text);
INSERT INTO acct (id, n, s, z, w) VALUES (1, 10, 'ab', 'q', 'w1'), (2, 2147483647, 'cd', 'r', NULL);" \
	    "DROP TABLE acct;"
	write_c 0002 0001 "alter acct" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	/* type, nullable, default_sql, drop_default, rename */
	static const struct mg_alter to_bigint = { "bigint", MG_KEEP, NULL, 0, NULL };
	static const struct mg_alter not_null = { NULL, 0, NULL, 0, NULL };
	static const struct mg_alter nullable = { NULL, 1, NULL, 0, NULL };
	static const struct mg_alter set_default = { NULL, MG_KEEP, "42", 0, NULL };
	static const struct mg_alter drop_default = { NULL, MG_KEEP, NULL, 1, NULL };
	static const struct mg_alter rename = { NULL, MG_KEEP, NULL, 0, "ww" };

	if (mg_alter_column(ctx, "acct", "n", &to_bigint) != 0 ||
	    mg_alter_column(ctx, "acct", "n", &not_null) != 0 ||
	    mg_alter_column(ctx, "acct", "z", &nullable) != 0 ||
	    mg_alter_column(ctx, "acct", "n", &set_default) != 0 ||
	    mg_alter_column(ctx, "acct", "s", &drop_default) != 0 ||
	    mg_alter_column(ctx, "acct", "w", &rename) != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	/* Several changes in one call, too. */
	static const struct mg_alter n = { "integer", 1, NULL, 1, NULL };
	static const struct mg_alter z = { NULL, 0, NULL, 0, NULL };
	static const struct mg_alter s = { NULL, MG_KEEP, "'a'", 0, NULL };
	static const struct mg_alter w = { NULL, MG_KEEP, NULL, 0, "w" };

	if (mg_alter_column(ctx, "acct", "n", &n) != 0 ||
	    mg_alter_column(ctx, "acct", "z", &z) != 0 ||
	    mg_alter_column(ctx, "acct", "s", &s) != 0 ||
	    mg_alter_column(ctx, "acct", "ww", &w) != 0)
		return -1;
	return 0;
}
EOF
	mig upgrade 0001
	assert_status 0
	before=$(columns acct)
	rows=$(db_sql "SELECT id, n, s, z, coalesce(w, '<null>') FROM acct ORDER BY id")
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version"
	if is_pg; then
		assert_eq "$(columns acct)" "id|integer|1|
n|bigint|1|42
s|character varying(5)|0|
z|text|0|'zz'::text
ww|text|0|" "columns"
	else
		assert_eq "$(columns acct)" "id|INTEGER|0|
n|bigint|1|42
s|varchar(5)|0|
z|TEXT|0|'zz'
ww|TEXT|0|" "columns"
	fi
	assert_eq "$(db_sql "SELECT id, n, s, z, coalesce(ww, '<null>')
	    FROM acct ORDER BY id")" "$rows" "rows"
	# What the new definition does: n is bigint, NOT NULL, 42 by default;
	# z takes NULL; s has no default.
	db_sql "INSERT INTO acct (id, n, z) VALUES (3, 9000000000, NULL)"
	db_sql "INSERT INTO acct (id, z) VALUES (4, 'x')"
	assert_eq "$(db_sql "SELECT id, n, coalesce(s, '<null>'),
	    coalesce(z, '<null>') FROM acct WHERE id > 2 ORDER BY id")" \
	    "3|9000000000|<null>|<null>
4|42|<null>|x" "new rows"
	refute_sql "INSERT INTO acct (id, n, z) VALUES (5, NULL, 'x')"
	db_sql "DELETE FROM acct WHERE id > 2"
	mig downgrade 0001
	assert_status 0
	assert_eq "$(version_rows)" "0001" "version after the downgrade"
	assert_eq "$(columns acct)" "$before" "columns after the downgrade"
	assert_eq "$(db_sql "SELECT id, n, s, z, coalesce(w, '<null>')
	    FROM acct ORDER BY id")" "$rows" "rows after the downgrade"
}

@test "create_index UNIQUE, partial and CONCURRENTLY; drop_index CONCURRENTLY" {
	write_rev 0001 "" "CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer, c text);
INSERT INTO t VALUES (1, 1, -1, 'x'), (2, 2, 5, 'y');" "DROP TABLE t;"
	write_c 0002 0001 "index t" <<'EOF'
static const char *const a[] = { "a", NULL };
static const char *const b[] = { "b", NULL };
static const char *const c[] = { "c", "id", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_create_index(ctx, "ux_t_a", "t", a, MG_UNIQUE, NULL) != 0 ||
	    mg_create_index(ctx, "ix_t_b_pos", "t", b, 0, "b > 0") != 0 ||
	    mg_create_index(ctx, "ix_t_c", "t", c, MG_CONCURRENTLY, NULL) != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	if (mg_drop_index(ctx, "ix_t_c", MG_CONCURRENTLY) != 0 ||
	    mg_drop_index(ctx, "ix_t_b_pos", 0) != 0 ||
	    mg_drop_index(ctx, "ux_t_a", 0) != 0)
		return -1;
	return 0;
}
EOF
	mig upgrade 0001
	assert_status 0
	before=$(indexes t)
	mig -v upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version"
	if is_pg; then
		# CREATE INDEX CONCURRENTLY fails inside a transaction block:
		# it ran on its own, and built a valid index.
		assert_stderr_contains '  CREATE INDEX CONCURRENTLY "ix_t_c" ON "t" ("c", "id")'
		assert_eq "$(indexes t)" "CREATE INDEX ix_t_b_pos ON public.t USING btree (b) WHERE (b > 0)
CREATE INDEX ix_t_c ON public.t USING btree (c, id)
CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)
CREATE UNIQUE INDEX ux_t_a ON public.t USING btree (a)" "indexes"
	else
		# SQLite has no CONCURRENTLY: a plain CREATE INDEX.
		assert_stderr_contains '  CREATE INDEX "ix_t_c" ON "t" ("c", "id")'
		refute_contains "$stderr" CONCURRENTLY stderr
		assert_eq "$(indexes t)" "ix_t_b_pos 0 1 CREATE INDEX \"ix_t_b_pos\" ON \"t\" (\"b\") WHERE b > 0
ix_t_c 0 0 CREATE INDEX \"ix_t_c\" ON \"t\" (\"c\", \"id\")
ux_t_a 1 0 CREATE UNIQUE INDEX \"ux_t_a\" ON \"t\" (\"a\")" "indexes"
	fi
	assert_eq "$(history_rows)" "0001 up 1
0002 up 1" "history"
	refute_sql "INSERT INTO t VALUES (3, 1, 0, 'z')"
	db_sql "INSERT INTO t VALUES (3, 3, 0, 'z')"
	mig -v downgrade 0001
	assert_status 0
	if is_pg; then
		assert_stderr_contains '  DROP INDEX CONCURRENTLY "ix_t_c"'
	else
		assert_stderr_contains '  DROP INDEX "ix_t_c"'
	fi
	assert_eq "$(indexes t)" "$before" "indexes after the downgrade"
	assert_eq "$(version_rows)" "0001" "version after the downgrade"
	db_sql "INSERT INTO t VALUES (4, 3, 0, 'z')"
}

@test "add_foreign_key ON DELETE CASCADE, add_unique, add_check, drop_constraint" {
	write_rev 0001 "" "CREATE TABLE parent (id integer PRIMARY KEY, name text);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer, code text, qty integer);
INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
INSERT INTO child VALUES (10, 1, 'a', 1), (11, 1, 'b', 2), (12, 2, 'c', 0);" \
	    "DROP TABLE child; DROP TABLE parent;"
	write_c 0002 0001 "constrain child" <<'EOF'
static const char *const parent_id[] = { "parent_id", NULL };
static const char *const id[] = { "id", NULL };
static const char *const code[] = { "code", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_add_foreign_key(ctx, "fk_child_parent", "child", parent_id,
	    "parent", id, "CASCADE") != 0 ||
	    mg_add_unique(ctx, "uq_child_code", "child", code) != 0 ||
	    mg_add_check(ctx, "ck_child_qty", "child", "qty >= 0") != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	if (mg_drop_constraint(ctx, "ck_child_qty", "child") != 0 ||
	    mg_drop_constraint(ctx, "uq_child_code", "child") != 0 ||
	    mg_drop_constraint(ctx, "fk_child_parent", "child") != 0)
		return -1;
	return 0;
}
EOF
	mig upgrade 0001
	assert_status 0
	rows=$(db_sql "SELECT * FROM child ORDER BY id")
	if is_sqlite; then before=$(table_sql child); fi
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version"
	assert_eq "$(db_sql "SELECT * FROM child ORDER BY id")" "$rows" "rows"
	if is_pg; then
		assert_eq "$(pg_constraints child)" "child_pkey PRIMARY KEY (id)
ck_child_qty CHECK ((qty >= 0))
fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE
uq_child_code UNIQUE (code)" "constraints"
	else
		# id|seq|table|from|to|on_update|on_delete|match
		assert_eq "$(sqlite3 app.db 'PRAGMA foreign_key_list(child)')" \
		    "0|0|parent|parent_id|id|NO ACTION|CASCADE|NONE" \
		    "foreign_key_list"
		assert_eq "$(table_sql child)" 'CREATE TABLE "child" (id integer PRIMARY KEY, parent_id integer, code text, qty integer, CONSTRAINT "fk_child_parent" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id") ON DELETE CASCADE, CONSTRAINT "ck_child_qty" CHECK (qty >= 0))' \
		    "the table's definition"
		# A unique constraint is a unique index on SQLite.
		assert_eq "$(indexes child)" \
		    'uq_child_code 1 0 CREATE UNIQUE INDEX "uq_child_code" ON "child" ("code")' \
		    "indexes"
	fi
	refute_sql "INSERT INTO child VALUES (13, 1, 'd', -1)"
	refute_sql "INSERT INTO child VALUES (13, 1, 'a', 5)"
	refute_sql "INSERT INTO child VALUES (13, 99, 'd', 5)"
	# ON DELETE CASCADE (on SQLite with foreign keys on).
	sql_fk "DELETE FROM parent WHERE id = 1"
	assert_eq "$(db_sql "SELECT id, parent_id FROM child ORDER BY id")" \
	    "12|2" "children after deleting their parent"
	mig downgrade 0001
	assert_status 0
	assert_eq "$(version_rows)" "0001" "version after the downgrade"
	if is_pg; then
		assert_eq "$(pg_constraints child)" "child_pkey PRIMARY KEY (id)" \
		    "constraints after the downgrade"
	else
		assert_eq "$(sqlite3 app.db 'PRAGMA foreign_key_list(child)')" "" \
		    "foreign_key_list after the downgrade"
		assert_eq "$(table_sql child)" \
		    'CREATE TABLE "child" (id integer PRIMARY KEY, parent_id integer, code text, qty integer)' \
		    "the table's definition after the downgrade"
		assert_eq "$(indexes child)" "" "indexes after the downgrade"
	fi
	# Nothing is enforced any more.
	sql_fk "INSERT INTO child VALUES (13, 99, 'c', -1)"
	assert_eq "$(db_sql "SELECT * FROM child ORDER BY id")" "12|2|c|0
13|99|c|-1" "rows after the downgrade"
}

# --- 2, 3. the statement API ---------------------------------------------

@test "mg_quote_ident and mg_quote_literal round-trip a double quote, a quote and backslashes" {
	write_c 0001 "" "quoting" <<'EOF'
#include <string.h>

static const char value[] = "it's a \\ back\\slash, \\n not a newline, 100%";

static int
check(mg_ctx *ctx, const struct mg_row *row, void *arg)
{
	(void)arg;
	if (mg_text(row, 0) == NULL || strcmp(mg_text(row, 0), value) != 0)
		return mg_fail(ctx, "read back <%s>", mg_text(row, 0));
	mg_log(ctx, "read back the same %zu bytes", strlen(mg_text(row, 0)));
	return 0;
}

int
migrate_upgrade(mg_ctx *ctx)
{
	const char	*t = mg_quote_ident(ctx, "we\"ird Name");

	mg_log(ctx, "ident %s, NULL ident %s, NULL literal %s", t,
	    mg_quote_ident(ctx, NULL), mg_quote_literal(ctx, NULL));
	if (mg_execf(ctx, "CREATE TABLE %s (id integer, v text)", t) != 0 ||
	    mg_execf(ctx, "INSERT INTO %s VALUES (1, %s)", t,
	    mg_quote_literal(ctx, value)) != 0 ||
	    mg_execf(ctx, "INSERT INTO %s VALUES (2, %s)", t,
	    mg_quote_literal(ctx, NULL)) != 0 ||
	    mg_exec(ctx, "UPDATE \"we\"\"ird Name\" SET id = id + 0") != 0)
		return -1;
	return mg_query(ctx, "SELECT v FROM \"we\"\"ird Name\" WHERE id = 1",
	    check, NULL);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "we\"ird Name");
}
EOF
	expected="1|it's a \\ back\\slash, \\n not a newline, 100%
2|<null>"
	mig upgrade
	assert_status 0
	assert_stderr_contains '  [plugin] ident "we""ird Name", NULL ident "", NULL literal NULL'
	assert_stderr_contains "  [plugin] read back the same 43 bytes"
	assert_eq "$(user_tables)" 'we"ird Name' "tables"
	assert_eq "$(db_sql "SELECT id, coalesce(v, '<null>')
	    FROM \"we\"\"ird Name\" ORDER BY id")" "$expected" "rows"
	if is_pg; then
		# E'...' reads the same whatever standard_conforming_strings.
		mig downgrade base
		assert_status 0
		PGOPTIONS='-c standard_conforming_strings=off' mig upgrade
		assert_status 0
		assert_stderr_contains "  [plugin] read back the same 43 bytes"
		assert_eq "$(db_sql "SELECT id, coalesce(v, '<null>')
		    FROM \"we\"\"ird Name\" ORDER BY id")" "$expected" \
		    "rows with standard_conforming_strings off"
	fi
}

@test "mg_query + mg_execf backfill: ints, text, doubles, booleans and NULLs read by the row callback" {
	write_rev 0001 "" "CREATE TABLE src (id integer PRIMARY KEY, n integer, s text, x real, ok boolean);
INSERT INTO src VALUES (1, 10, 'ten', 1.5, TRUE), (2, NULL, 'it''s', NULL, FALSE), (3, -7, NULL, 2.25, NULL);
CREATE TABLE dst (id integer PRIMARY KEY, descr text NOT NULL);" \
	    "DROP TABLE dst; DROP TABLE src;"
	write_c 0002 0001 "backfill dst" <<'EOF'
#include <stdio.h>

static int
copy_row(mg_ctx *ctx, const struct mg_row *row, void *arg)
{
	int	*seen = arg;
	char	 buf[256];

	(*seen)++;
	if (mg_ncols(row) != 5)
		return mg_fail(ctx, "%d columns", mg_ncols(row));
	snprintf(buf, sizeof(buf), "n=%lld%s s=%s x=%.2f%s ok=%lld%s oob=%d/%d",
	    mg_int(row, 1), mg_isnull(row, 1) ? "(null)" : "",
	    mg_text(row, 2) == NULL ? "<NULL>" : mg_text(row, 2),
	    mg_double(row, 3), mg_isnull(row, 3) ? "(null)" : "",
	    mg_int(row, 4), mg_isnull(row, 4) ? "(null)" : "",
	    mg_text(row, 5) == NULL, mg_isnull(row, 5));
	return mg_execf(ctx, "INSERT INTO dst VALUES (%lld, %s)",
	    mg_int(row, 0), mg_quote_literal(ctx, buf));
}

/* Stops the query at id 2: mg_query returns the callback's value. */
static int
stop_at_2(mg_ctx *ctx, const struct mg_row *row, void *arg)
{
	(void)ctx;
	++*(int *)arg;
	return mg_int(row, 0) == 2 ? 7 : 0;
}

int
migrate_upgrade(mg_ctx *ctx)
{
	int	seen = 0, rc;

	if (mg_query(ctx, "SELECT id, n, s, x, ok FROM src ORDER BY id",
	    copy_row, &seen) != 0)
		return -1;
	mg_log(ctx, "backfilled %d row(s)", seen);
	seen = 0;
	rc = mg_query(ctx, "SELECT id FROM src ORDER BY id", stop_at_2, &seen);
	mg_log(ctx, "stopped: %d after %d row(s)", rc, seen);
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_exec(ctx, "DELETE FROM dst");
}
EOF
	mig upgrade
	assert_status 0
	assert_stderr_contains "  [plugin] backfilled 3 row(s)"
	assert_stderr_contains "  [plugin] stopped: 7 after 2 row(s)"
	assert_eq "$(db_sql "SELECT * FROM dst ORDER BY id")" \
	    "1|n=10 s=ten x=1.50 ok=1 oob=1/1
2|n=0(null) s=it's x=0.00(null) ok=0 oob=1/1
3|n=-7 s=<NULL> x=2.25 ok=0(null) oob=1/1" "dst"
	assert_eq "$(version_rows)" "0002" "version"
	mig downgrade 0001
	assert_status 0
	assert_eq "$(db_sql "SELECT count(*) FROM dst")" "0" "dst after the downgrade"
}

# --- 4, 5, 6. failures ---------------------------------------------------

@test "mg_fail: exit 1 with its message and the file, the revision rolled back, a failed history row" {
	write_rev 0001 "" "CREATE TABLE keep (id integer);" "DROP TABLE keep;"
	write_c 0002 0001 "bad data" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_exec(ctx, "CREATE TABLE made (id integer)") != 0 ||
	    mg_exec(ctx, "INSERT INTO made VALUES (1)") != 0 ||
	    mg_exec(ctx, "INSERT INTO keep VALUES (1)") != 0)
		return -1;
	return mg_fail(ctx, "bad data in %s", "x");
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "made");
}
EOF
	mig upgrade
	assert_status 1
	assert_error 'versions/0002_bad_data\.c: bad data in x$'
	assert_eq "$(user_tables)" "keep" "tables"
	assert_eq "$(db_sql "SELECT count(*) FROM keep")" "0" "rows of keep"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 0" "history"
}

@test "a failing statement: exit 1 with the database's message and the plugin's path, rolled back" {
	write_rev 0001 "" "CREATE TABLE keep (id integer);" "DROP TABLE keep;"
	write_c 0002 0001 "typo" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_exec(ctx, "CREATE TABLE made (id integer)") != 0 ||
	    mg_exec(ctx, "CREAT TABLE oops (id integer)") != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "made");
}
EOF
	mig upgrade
	assert_status 1
	assert_eq "$output" "" stdout
	if is_pg; then
		assert_match "$stderr" '(^|
)migrate: error: versions/0002_typo\.c: syntax error at or near "CREAT" \(SQLSTATE 42601\)(
|$)' stderr
	else
		assert_match "$stderr" '(^|
)migrate: error: versions/0002_typo\.c: near "CREAT": syntax error(
|$)' stderr
	fi
	assert_stderr_contains "CREAT TABLE oops (id integer)"
	assert_eq "$(user_tables)" "keep" "tables"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 0" "history"
}

@test "a failed call fails the revision even when the plugin returns 0; later calls return -1 and run nothing" {
	write_rev 0001 "" "CREATE TABLE keep (id integer);" "DROP TABLE keep;"
	write_c 0002 0001 "ignores errors" <<'EOF'
static const struct mg_column id = { "id", "integer", 0, NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	int	a, b, c;

	a = mg_exec(ctx, "INSERT INTO missing VALUES (1)");
	b = mg_exec(ctx, "CREATE TABLE after_exec (id integer)");
	c = mg_create_table(ctx, "after_ddl", &id, 1);
	mg_log(ctx, "%d %d %d", a, b, c);
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	(void)ctx;
	return 0;
}
EOF
	mig upgrade
	assert_status 1
	assert_stderr_contains "  [plugin] -1 -1 -1"
	if is_pg; then
		assert_stderr_contains 'migrate: error: versions/0002_ignores_errors.c: relation "missing" does not exist'
	else
		assert_stderr_contains "migrate: error: versions/0002_ignores_errors.c: no such table: missing"
	fi
	assert_eq "$(user_tables)" "keep" "tables"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 0" "history"
}

@test "a crashing plugin kills migrate, names the file, commits nothing; fixed, it upgrades" {
	write_rev 0001 "" "CREATE TABLE keep (id integer);" "DROP TABLE keep;"
	write_c 0002 0001 "crash" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_exec(ctx, "CREATE TABLE crashed (id integer)") != 0 ||
	    mg_exec(ctx, "INSERT INTO keep VALUES (1)") != 0)
		return -1;
	*(volatile int *)0 = 1;		/* CRASH */
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "crashed");
}
EOF
	mig upgrade
	[ "$status" -gt 128 ] || { show_run; fail "not killed by a signal"; }
	assert_eq "$output" "" stdout
	assert_stderr_contains "migrate: error: plugin versions/0002_crash.c crashed"
	# migrate itself (before sqlite3 touches the hot journal) sees the
	# previous revision, nothing partial.
	mig current
	assert_status 0
	assert_stdout_contains "0001"
	refute_contains "$output" "0002" "current"
	mig status
	assert_status 0
	refute_contains "$output" partial "status"
	assert_eq "$(user_tables)" "keep" "tables"
	assert_eq "$(db_sql "SELECT count(*) FROM keep")" "0" "rows of keep"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1" "history"
	sed -i '/CRASH/d' versions/0002_crash.c
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "crashed keep" "tables after the fixed run"
	assert_eq "$(db_sql "SELECT count(*) FROM keep")" "1" "rows of keep"
	assert_eq "$(version_rows)" "0002" "version after the fixed run"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 1" "history after the fixed run"
}

@test "PostgreSQL: a plugin failing after a CONCURRENTLY index is partially applied, and resumes" {
	is_pg || skip "PostgreSQL only: CONCURRENTLY commits what ran before it"
	write_c 0001 "" "partial" <<'EOF'
static const struct mg_column cols[] = {
	{ "id", "integer", 0, NULL }, { "c", "text", 0, NULL }
};
static const char *const c[] = { "c", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_create_table(ctx, "t", cols, 2) != 0 ||
	    mg_create_index(ctx, "ix_t_c", "t", c, MG_CONCURRENTLY, NULL) != 0 ||
	    mg_exec(ctx, "INSERT INTO t VALUES (1, 'a')") != 0 ||
	    mg_exec(ctx, "INSERT INTO t VALUES ('FIXME', 'b')") != 0)
		return -1;
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "t");
}
EOF
	mig upgrade
	assert_status 1
	assert_stderr_contains 'migrate: error: versions/0001_partial.c: invalid input syntax for type integer: "FIXME"'
	assert_stderr_contains "Revision '0001' is partially applied"
	first=$stderr
	# The table and the index committed; the insert after them did not.
	assert_eq "$(indexes t)" "CREATE INDEX ix_t_c ON public.t USING btree (c)" "indexes"
	assert_eq "$(db_sql "SELECT count(*) FROM t")" "0" "rows"
	assert_eq "$(version_rows)" "" "version"
	mig status
	assert_stdout_contains "partial 0001"
	sed -i "s/'FIXME'/2/" versions/0001_partial.c
	mig upgrade
	assert_status 0
	assert_stderr_contains "resuming after statement 2"
	assert_eq "$(db_sql "SELECT * FROM t ORDER BY id")" "1|a
2|b" "rows after the resumed run"
	assert_eq "$(version_rows)" "0001" "version after the resumed run"
	# A plugin has no statement total to count against.
	refute_contains "$first" "of 0 statements" "the first run's stderr"
}

# --- 7. offline ----------------------------------------------------------

@test "upgrade --sql prints a plugin's statements and DDL; CONCURRENTLY outside the transaction" {
	write_c 0001 "" "offline" <<'EOF'
static const struct mg_column cols[] = {
	{ "id", "integer", MG_PRIMARY_KEY, NULL },
	{ "c", "text", MG_NOT_NULL, "'n/a'" },
};
static const struct mg_column flag = { "flag", "integer", 0, "0" };
static const char *const c[] = { "c", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_create_table(ctx, "t", cols, 2) != 0 ||
	    mg_create_index(ctx, "ux_t_c", "t", c, MG_UNIQUE | MG_CONCURRENTLY,
	    NULL) != 0 ||
	    mg_add_column(ctx, "t", &flag) != 0)
		return -1;
	return mg_execf(ctx, "INSERT INTO t (id, c) VALUES (1, %s)",
	    mg_quote_literal(ctx, "it's"));
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_table(ctx, "t");
}
EOF
	mig upgrade --sql
	assert_status 0
	if is_pg; then
		assert_stdout_contains 'BEGIN;
CREATE TABLE "t" ("id" integer, "c" text NOT NULL DEFAULT '\''n/a'\'', PRIMARY KEY ("id"));
COMMIT;

CREATE UNIQUE INDEX CONCURRENTLY "ux_t_c" ON "t" ("c");
BEGIN;
ALTER TABLE "t" ADD COLUMN "flag" integer DEFAULT 0;
INSERT INTO t (id, c) VALUES (1, '\''it'\'''\''s'\'');
INSERT INTO migrate_version (version_num) VALUES ('\''0001'\'');
'
	else
		assert_stdout_contains 'BEGIN;
CREATE TABLE "t" ("id" integer, "c" text NOT NULL DEFAULT '\''n/a'\'', PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "ux_t_c" ON "t" ("c");
ALTER TABLE "t" ADD COLUMN "flag" integer DEFAULT 0;
INSERT INTO t (id, c) VALUES (1, '\''it'\'''\''s'\'');
INSERT INTO migrate_version (version_num) VALUES ('\''0001'\'');
'
	fi
	assert_no_database
	mig downgrade --sql 0001:base
	assert_status 0
	assert_stdout_contains 'BEGIN;
DROP TABLE "t";
DELETE FROM migrate_version WHERE version_num = '\''0001'\'';
'
	assert_no_database
}

@test "upgrade --sql of a plugin that calls mg_query: exit 2 naming the file and mg_query, nothing printed" {
	write_c 0001 "" "create" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	return mg_exec(ctx, "CREATE TABLE t (id integer)");
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_exec(ctx, "DROP TABLE t");
}
EOF
	write_c 0002 0001 "reads" <<'EOF'
static int
row(mg_ctx *ctx, const struct mg_row *r, void *arg)
{
	(void)ctx, (void)r, (void)arg;
	return 0;
}

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_exec(ctx, "INSERT INTO t VALUES (1)") != 0)
		return -1;
	return mg_query(ctx, "SELECT id FROM t", row, NULL);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_exec(ctx, "DELETE FROM t");
}
EOF
	mig upgrade --sql
	assert_status 2
	assert_error 'versions/0002_reads\.c: the plugin queries the database \(mg_query\), which offline \(--sql\) mode cannot do$'
	assert_no_database
	mig upgrade --sql 0001:head
	assert_status 2
	assert_error 'versions/0002_reads\.c: .*mg_query'
	# The revision before it alone is fine.
	mig upgrade --sql 0001
	assert_status 0
	assert_stdout_contains "CREATE TABLE t (id integer);"
	assert_no_database
}

# The database at URL as text (schema and every row, t's with its rowids
# on SQLite), without the rows of migrate_history, whose time, duration
# and user differ between two runs.
state_at() { # URL
	if is_pg; then
		(PG_URL=$1 pg_state) | grep -v '^row public\.migrate_history '
	else
		sqlite3 "${1#sqlite:///}" .schema
		echo '--- dump'
		sqlite3 "${1#sqlite:///}" .dump |
		    grep -v '^INSERT INTO migrate_history '
		sqlite3 "${1#sqlite:///}" 'SELECT rowid, * FROM t ORDER BY rowid'
	fi
}

# Apply the script in $output to the database at URL, stopping at the
# first error, as a DBA would.
apply_output() { # URL
	printf '%s\n' "$output" >script.sql
	if is_pg; then
		"${PG_PSQL:-psql}" -X -q -v ON_ERROR_STOP=1 -d "$1" -f script.sql
	else
		sqlite3 -bail "${1#sqlite:///}" <script.sql
	fi
}

# Rows in t with a gap in the rowids, the same in every database.
seed_t() { # URL
	local sql="INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);
	    DELETE FROM t WHERE i = 2; INSERT INTO t VALUES (4, 40);"
	if is_pg; then
		PG_URL=$1 pg_sql "$sql"
	else
		sqlite3 "${1#sqlite:///}" "$sql"
	fi
}

@test "upgrade --sql of a DDL call that needs a SQLite rebuild: the rebuild on SQLite, ALTER TABLE on PostgreSQL; applied by hand, as online" {
	write_rev 0001 "" "CREATE TABLE t (i integer, j integer);" "DROP TABLE t;"
	write_c 0002 0001 "alter i" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "bigint", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "t", "i", &a);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "integer", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "t", "i", &a);
}
EOF
	mig upgrade --sql
	assert_status 0
	if is_pg; then
		assert_stdout_contains 'BEGIN;
ALTER TABLE "t" ALTER COLUMN "i" TYPE bigint;
UPDATE migrate_version SET version_num = '\''0002'\'' WHERE version_num = '\''0001'\'';'
		refute_contains "$output" "PRAGMA" "the script"
	else
		# Foreign keys off once, before 0001's transaction (0002 is a
		# plugin: it may rebuild); 0002 rebuilds t from the definition
		# 0001 gave it in the in-memory replay.
		assert_stdout_contains '
COMMIT;

PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE t (i integer, j integer);
'
		assert_stdout_contains '
BEGIN;
CREATE TABLE "t__migrate_new" (i bigint, j integer);
INSERT INTO "t__migrate_new" (rowid, "i", "j") SELECT rowid, "i", "j" FROM "t";
DROP TABLE "t";
ALTER TABLE "t__migrate_new" RENAME TO "t";
UPDATE migrate_version SET version_num = '\''0002'\'' WHERE version_num = '\''0001'\'';
'
		assert_eq "$(printf '%s\n' "$output" | grep -c '^PRAGMA')" 1 \
		    "PRAGMA lines"
		refute_contains "$output" "ALTER COLUMN" "the script"
	fi
	assert_no_database

	# The script from 0001 (base..0001 replayed in memory first on
	# SQLite), applied to a database brought to 0001 online with rows.
	local other
	other=$(other_db_url other)
	mig --url "$other" upgrade 0001
	assert_status 0
	seed_t "$other"
	mig upgrade --sql 0001:head
	assert_status 0
	assert_no_database
	refute_contains "$stderr" "-> 0001" "progress"
	if is_sqlite; then
		assert_eq "$(sed -n 1,9p <<<"$output")" '-- migrate upgrade --sql 0001:head

PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE "t__migrate_new" (i bigint, j integer);
INSERT INTO "t__migrate_new" (rowid, "i", "j") SELECT rowid, "i", "j" FROM "t";
DROP TABLE "t";
ALTER TABLE "t__migrate_new" RENAME TO "t";
UPDATE migrate_version SET version_num = '\''0002'\'' WHERE version_num = '\''0001'\'';' \
		    "the script's first lines"
		assert_match "$(sed -n 10p <<<"$output")" \
		    "^INSERT INTO migrate_history \\(.*\\) VALUES \\('0002', 'up', " \
		    "the script's line 10"
		assert_eq "$(sed -n '11,$p' <<<"$output")" "COMMIT;" \
		    "the script's last line"
	fi
	run apply_output "$other"
	assert_status 0
	# The same online, on the test's database.
	mig upgrade 0001
	assert_status 0
	seed_t "$(db_url)"
	mig upgrade head
	assert_status 0
	# (SQLite may spell a standard type in capitals in table_info.)
	assert_eq "$(columns t | tr A-Z a-z)" "i|bigint|0|
j|integer|0|" "online columns"
	assert_eq "$(state_at "$other")" "$(state_at "$(db_url)")" \
	    "the state after upgrade --sql 0001:head"
	if is_sqlite; then
		assert_eq "$(sqlite3 other.db 'SELECT rowid, * FROM t')" "1|1|10
3|3|30
4|4|40" "offline rows and rowids"
	fi

	# And back: the downgrade's rebuild (base..head replayed in memory).
	mig downgrade --sql head:0001
	assert_status 0
	if is_sqlite; then
		assert_stdout_contains '
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE "t__migrate_new" (i integer, j integer);
INSERT INTO "t__migrate_new" (rowid, "i", "j") SELECT rowid, "i", "j" FROM "t";
DROP TABLE "t";
ALTER TABLE "t__migrate_new" RENAME TO "t";
UPDATE migrate_version SET version_num = '\''0001'\'' WHERE version_num = '\''0002'\'';
'
	else
		assert_stdout_contains '
ALTER TABLE "t" ALTER COLUMN "i" TYPE integer;
'
	fi
	run apply_output "$other"
	assert_status 0
	mig downgrade 0001
	assert_status 0
	assert_eq "$(columns t | tr A-Z a-z)" "i|integer|0|
j|integer|0|" "online columns after the downgrade"
	assert_eq "$(state_at "$other")" "$(state_at "$(db_url)")" \
	    "the state after downgrade --sql head:0001"
}

# --- 8, 9, 10. SQLite table rebuilds -------------------------------------

# The items table of the rebuild tests (SQLite): rows with a gap in the
# rowids (no INTEGER PRIMARY KEY: the rowid is its own), two indexes, a
# trigger on it, a view of it, a trigger on another table that updates
# it, and a child table whose foreign key references it ON DELETE CASCADE
# (dropping the old table with foreign keys on would empty it).
items_schema() {
	write_rev 0001 "" "CREATE TABLE items (code text NOT NULL, qty integer, price integer);
INSERT INTO items VALUES ('a', 5, 10), ('b', 6, 20), ('c', 7, 30), ('d', 8, 40);
DELETE FROM items WHERE code = 'b';
INSERT INTO items VALUES ('e', 9, 50);
CREATE INDEX ix_items_qty ON items (qty);
CREATE UNIQUE INDEX ux_items_code ON items (code);
CREATE TABLE audit (code text, old_qty integer, new_qty integer);
CREATE TRIGGER trg_items_audit AFTER UPDATE OF qty ON items BEGIN
    INSERT INTO audit VALUES (old.code, old.qty, new.qty);
END;
CREATE VIEW v_items AS SELECT code, qty * price AS total FROM items;
CREATE TABLE orders (id integer PRIMARY KEY, code text);
CREATE TRIGGER trg_orders_take AFTER INSERT ON orders BEGIN
    UPDATE items SET qty = qty - 1 WHERE code = new.code;
END;
CREATE TABLE lines (id integer PRIMARY KEY, item_code text REFERENCES items (code) ON DELETE CASCADE);
INSERT INTO lines VALUES (1, 'a'), (2, 'e');"
}

# The schema objects other than the items table itself, as sqlite_schema
# keeps them.
items_objects() {
	sqlite3 app.db "SELECT type, name, tbl_name, sql FROM sqlite_schema
	    WHERE name <> 'items' ORDER BY name"
}

# After a rebuild of items: its rows (rowids included) are ROWS, its other
# objects are OBJECTS, and each works. Runs its checks in a transaction it
# rolls back, leaving the database as it was.
check_items() { # WHAT ROWS OBJECTS
	assert_eq "$(sqlite3 app.db 'SELECT rowid, * FROM items ORDER BY rowid')" \
	    "$2" "$1: rows"
	assert_eq "$(items_objects)" "$3" "$1: other schema objects"
	assert_eq "$(sqlite3 app.db "SELECT name, \"unique\" FROM
	    pragma_index_list('items') ORDER BY name")" "ix_items_qty|0
ux_items_code|1" "$1: index_list"
	assert_eq "$(sqlite3 app.db 'SELECT * FROM lines ORDER BY id')" "1|a
2|e" "$1: the child's rows"
	assert_eq "$(sqlite3 app.db 'PRAGMA foreign_key_check')" "" \
	    "$1: foreign_key_check"
	assert_eq "$(sqlite3 app.db 'PRAGMA foreign_key_list(lines)')" \
	    "0|0|items|item_code|code|NO ACTION|CASCADE|NONE" \
	    "$1: foreign_key_list(lines)"
	# The trigger on items fires, the trigger on orders updates items,
	# the view reads items, the indexes are used, the child's foreign key
	# is enforced.
	assert_eq "$(sqlite3 app.db "PRAGMA foreign_keys = ON;
	    BEGIN;
	    UPDATE items SET qty = qty + 10 WHERE code = 'c';
	    INSERT INTO orders (code) VALUES ('d');
	    SELECT 'audit', * FROM audit ORDER BY rowid;
	    SELECT 'view', * FROM v_items ORDER BY code;
	    SELECT 'ix', count(*) FROM items INDEXED BY ix_items_qty WHERE qty > 8;
	    ROLLBACK;")" "audit|c|7|17
audit|d|8|7
view|a|50
view|c|510
view|d|280
view|e|450
ix|2" "$1: trigger, view, index"
	! sqlite3 app.db "PRAGMA foreign_keys = ON;
	    INSERT INTO lines VALUES (3, 'zz')" 2>/dev/null ||
	    fail "$1: a line referencing no item was accepted"
	! sqlite3 app.db "INSERT INTO items VALUES ('a', 1, 1)" 2>/dev/null ||
	    fail "$1: the unique index let a duplicate in"
}

@test "SQLite: rebuilds from a plugin and from '-- migrate:rebuild' keep rows, rowids, indexes, triggers, views and a child's foreign key" {
	only_sqlite "table rebuilds"
	items_schema
	write_c 0002 0001 "qty bigint" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "bigint", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "items", "qty", &a);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "integer", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "items", "qty", &a);
}
EOF
	cat >versions/0003_price_numeric.sql <<'EOF'
-- revision: 0003
-- down_revision: 0002
-- message: price numeric

-- migrate:upgrade sqlite
-- migrate:rebuild items
CREATE TABLE items (code text NOT NULL, qty bigint, price numeric(10, 2) NOT NULL);

-- migrate:downgrade sqlite
-- migrate:rebuild items
CREATE TABLE items (code text NOT NULL, qty bigint, price integer);
EOF
	mig upgrade 0001
	assert_status 0
	rows=$(sqlite3 app.db 'SELECT rowid, * FROM items ORDER BY rowid')
	assert_eq "$rows" "1|a|5|10
3|c|7|30
4|d|8|40
5|e|9|50" "rows before"
	objects=$(items_objects)
	check_items "before" "$rows" "$objects"

	mig upgrade 0002
	assert_status 0
	assert_eq "$(table_sql items)" \
	    'CREATE TABLE "items" (code text NOT NULL, qty bigint, price integer)' \
	    "items after the plugin"
	check_items "after the plugin" "$rows" "$objects"

	mig upgrade 0003
	assert_status 0
	assert_eq "$(table_sql items)" \
	    'CREATE TABLE "items" (code text NOT NULL, qty bigint, price numeric(10, 2) NOT NULL)' \
	    "items after the directive"
	check_items "after the directive" "$rows" "$objects"

	mig downgrade 0001
	assert_status 0
	assert_eq "$(columns items)" "code|TEXT|1|
qty|INTEGER|0|
price|INTEGER|0|" "items after the downgrades"
	check_items "after the downgrades" "$rows" "$objects"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 1
0003 up 1
0003 down 1
0002 down 1" "history"
}

@test "SQLite: a rebuild after a revision that turned foreign keys on in the same run does not cascade" {
	only_sqlite "table rebuilds"
	write_rev 0001 "" "CREATE TABLE items (code text PRIMARY KEY, qty integer);
CREATE TABLE lines (id integer PRIMARY KEY, item_code text REFERENCES items (code) ON DELETE CASCADE);
INSERT INTO items VALUES ('a', 1);
INSERT INTO lines VALUES (1, 'a');"
	cat >versions/0002_fk_on.sql <<'EOF'
-- revision: 0002
-- down_revision: 0001
-- message: fk on
-- migrate:transaction off

-- migrate:upgrade
PRAGMA foreign_keys = ON;
EOF
	write_c 0003 0002 "qty bigint" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "bigint", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "items", "qty", &a);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	(void)ctx;
	return 0;
}
EOF
	mig upgrade
	assert_status 0
	assert_eq "$(table_sql items)" \
	    'CREATE TABLE "items" (code text PRIMARY KEY, qty bigint)' "items"
	assert_eq "$(db_sql 'SELECT * FROM lines')" "1|a" "the child's rows"
}

@test "SQLite: a rebuild keeps a view built on a view of the table" {
	only_sqlite "table rebuilds"
	write_rev 0001 "" "CREATE TABLE items (code text NOT NULL, qty integer);
INSERT INTO items VALUES ('a', 5), ('b', 9);
CREATE VIEW v_items AS SELECT code, qty FROM items;
CREATE VIEW v_big AS SELECT code FROM v_items WHERE qty > 5;"
	write_c 0002 0001 "qty bigint" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	static const struct mg_alter a = { "bigint", MG_KEEP, NULL, 0, NULL };

	return mg_alter_column(ctx, "items", "qty", &a);
}

int
migrate_downgrade(mg_ctx *ctx)
{
	(void)ctx;
	return 0;
}
EOF
	mig upgrade 0001
	objects=$(sqlite3 app.db "SELECT name, sql FROM sqlite_schema
	    WHERE type = 'view' ORDER BY name")
	mig upgrade
	assert_status 0
	assert_eq "$(sqlite3 app.db "SELECT name, sql FROM sqlite_schema
	    WHERE type = 'view' ORDER BY name")" "$objects" "views"
	assert_eq "$(sqlite3 app.db 'SELECT * FROM v_big')" "b" "v_big"
}

@test "a foreign key that existing rows break: add_foreign_key fails, nothing changes" {
	write_rev 0001 "" "CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1), (2, 99);" "DROP TABLE child; DROP TABLE parent;"
	write_c 0002 0001 "fk child" <<'EOF'
static const char *const parent_id[] = { "parent_id", NULL };
static const char *const id[] = { "id", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	return mg_add_foreign_key(ctx, "fk_child_parent", "child", parent_id,
	    "parent", id, "CASCADE");
}

int
migrate_downgrade(mg_ctx *ctx)
{
	return mg_drop_constraint(ctx, "fk_child_parent", "child");
}
EOF
	mig upgrade 0001
	assert_status 0
	if is_pg; then
		schema() { pg_constraints child; columns child; }
	else
		schema() { sqlite3 app.db "SELECT type, name, sql FROM sqlite_schema ORDER BY name"; }
	fi
	before=$(schema)
	mig upgrade
	assert_status 1
	if is_pg; then
		assert_stderr_contains 'migrate: error: versions/0002_fk_child.c: insert or update on table "child" violates foreign key constraint "fk_child_parent"'
	else
		assert_error "versions/0002_fk_child\.c: foreign key violation after rebuilding table 'child'"
		assert_stderr_contains "detail: 1 violation: row 2 of 'child' references a missing row of 'parent'"
		assert_stderr_contains "hint: The revision was rolled back."
	fi
	assert_eq "$(schema)" "$before" "schema"
	assert_eq "$(db_sql "SELECT * FROM child ORDER BY id")" "1|1
2|99" "rows"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 0" "history"
	# With the orphan gone, it applies.
	db_sql "DELETE FROM child WHERE id = 2"
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version"
}

@test "SQLite: a '-- migrate:rebuild' that existing rows break is rolled back" {
	only_sqlite "table rebuilds"
	write_rev 0001 "" "CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
CREATE INDEX ix_child_parent ON child (parent_id);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1), (2, 99), (3, 98);" "DROP TABLE child; DROP TABLE parent;"
	cat >versions/0002_fk_child.sql <<'EOF'
-- revision: 0002
-- down_revision: 0001
-- message: fk child

-- migrate:upgrade sqlite
CREATE TABLE other (id integer);
-- migrate:rebuild child
CREATE TABLE child (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES parent (id)
);
EOF
	mig upgrade 0001
	assert_status 0
	before=$(sqlite3 app.db "SELECT type, name, sql FROM sqlite_schema ORDER BY name")
	mig upgrade
	assert_status 1
	assert_error "versions/0002_fk_child\.sql.*: foreign key violation after rebuilding table 'child'"
	assert_stderr_contains "detail: 2 violations: row 2 of 'child' references a missing row of 'parent'; row 3 of 'child' references a missing row of 'parent'"
	assert_eq "$(sqlite3 app.db "SELECT type, name, sql FROM sqlite_schema ORDER BY name")" \
	    "$before" "schema"
	assert_eq "$(db_sql "SELECT * FROM child ORDER BY id")" "1|1
2|99
3|98" "rows"
	assert_eq "$(version_rows)" "0001" "version"
	assert_eq "$(history_rows)" "0001 up 1
0002 up 0" "history"
}

@test "SQLite: a rebuilt table renamed in the same revision is still checked for foreign key violations" {
	only_sqlite "table rebuilds"
	write_rev 0001 "" "CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1), (2, 99);" "DROP TABLE child; DROP TABLE parent;"
	write_c 0002 0001 "fk then rename" <<'EOF'
static const char *const parent_id[] = { "parent_id", NULL };
static const char *const id[] = { "id", NULL };

int
migrate_upgrade(mg_ctx *ctx)
{
	if (mg_add_foreign_key(ctx, "fk_child_parent", "child", parent_id,
	    "parent", id, NULL) != 0)
		return -1;
	return mg_rename_table(ctx, "child", "kid");
}

int
migrate_downgrade(mg_ctx *ctx)
{
	(void)ctx;
	return 0;
}
EOF
	mig upgrade 0001
	assert_status 0
	mig upgrade
	assert_status 1
	assert_stderr_contains "foreign key violation after rebuilding table"
	assert_eq "$(user_tables)" "child parent" "tables"
	assert_eq "$(sqlite3 app.db 'PRAGMA foreign_key_check')" "" \
	    "foreign_key_check"
	assert_eq "$(version_rows)" "0001" "version"
}

@test "'-- migrate:rebuild' in a generic section: refused on PostgreSQL (exit 2, file:line, nothing run), a rebuild on SQLite" {
	cat >versions/0001_directive.sql <<'EOF'
-- revision: 0001
-- down_revision:
-- message: directive

-- migrate:upgrade
CREATE TABLE t (id integer, v text);
INSERT INTO t VALUES (1, 'a');
-- migrate:rebuild t
CREATE TABLE t (id integer NOT NULL, v text DEFAULT 'z');
EOF
	mig upgrade
	if is_pg; then
		assert_status 2
		assert_error "versions/0001_directive\.sql:9:1: '-- migrate:rebuild' is for SQLite, not postgresql"
		assert_stderr_contains "hint: Put the rebuild in a '-- migrate:upgrade sqlite' section"
		assert_no_database
	else
		assert_status 0
		assert_eq "$(table_sql t)" \
		    "CREATE TABLE \"t\" (id integer NOT NULL, v text DEFAULT 'z')" \
		    "t"
		assert_eq "$(db_sql 'SELECT rowid, * FROM t')" "1|1|a" "rows"
		assert_eq "$(version_rows)" "0001" "version"
	fi
}

# --- 11. mg_log ----------------------------------------------------------

@test "mg_log prints '  [plugin] message' on stderr; -q hides it" {
	write_c 0001 "" "logs" <<'EOF'
int
migrate_upgrade(mg_ctx *ctx)
{
	mg_log(ctx, "copied %d row(s) of %s", 3, "t");
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	mg_log(ctx, "undone on %s", mg_dialect(ctx));
	return 0;
}
EOF
	mig -q upgrade
	assert_status 0
	assert_eq "$output" "" stdout
	assert_eq "$stderr" "" stderr
	mig downgrade base
	assert_status 0
	assert_eq "$output" "" stdout
	assert_eq "$stderr" "Running downgrade 0001 -> , logs
  [plugin] undone on $DIALECT" stderr
	mig upgrade
	assert_status 0
	assert_eq "$output" "" stdout
	assert_eq "$stderr" "Running upgrade  -> 0001, logs
  [plugin] copied 3 row(s) of t" stderr
	assert_eq "$(version_rows)" "0001" "version"
}
