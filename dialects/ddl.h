/*
 * ddl: schema operations (the plugin API's create/drop/rename table,
 * add/drop/alter column, create/drop index, add/drop constraint) rendered as
 * SQL for PostgreSQL and SQLite, and SQLite's documented 12-step table
 * rebuild (https://www.sqlite.org/lang_altertable.html#otheralter) for what
 * its ALTER TABLE cannot do. PURE: no I/O, no database, no dialect.h; the
 * caller reads what a rebuild needs (struct ddl_sqlite_table) and runs the
 * statements.
 *
 * Rules:
 * - Identifiers (table, column, index, constraint names, and the entries of
 *   cols/ref_cols) are always double-quoted, so they keep their case and may
 *   be keywords. Types, DEFAULT, CHECK, USING and WHERE texts are SQL
 *   fragments and are copied verbatim (on SQLite a DEFAULT that is not a
 *   single literal, signed number, word or parenthesised expression is put
 *   in parentheses, as SQLite's grammar requires).
 * - An op names the fields it uses (see struct ddl_op); a required field
 *   left NULL is MG_EUSAGE naming the op and the field. ADD_FOREIGN_KEY,
 *   ADD_UNIQUE, ADD_CHECK, CREATE_INDEX, DROP_INDEX and DROP_CONSTRAINT need
 *   a name (so that a downgrade can drop what an upgrade added).
 * - A zeroed struct ddl_op means nullable == 0, that is SET NOT NULL: set
 *   nullable to DDL_NULLABLE_KEEP when an ALTER_COLUMN leaves it alone.
 *
 * SQLite rebuild (ddl_sqlite_rebuild, ddl_sqlite_rebuild_to), in order:
 *   CREATE TABLE "<t>__migrate_new" (edited definition)
 *   INSERT INTO "<t>__migrate_new" (kept columns) SELECT ... FROM "<t>"
 *   [sqlite_sequence: the old AUTOINCREMENT counter is carried over]
 *   DROP TRIGGER each trigger passed; DROP VIEW each view passed
 *   DROP TABLE "<t>"; ALTER TABLE "<t>__migrate_new" RENAME TO "<t>"
 *   the indexes, the views, the triggers passed, verbatim
 *   [ALTER TABLE "<t>" RENAME COLUMN, when an ALTER_COLUMN also renames]
 * The caller runs them in one transaction with PRAGMA foreign_keys=OFF (set
 * before BEGIN: SQLite ignores it inside a transaction) and should run
 * PRAGMA foreign_key_check before COMMIT. Kept columns are those of the new
 * definition that also exist in the old one (by name, ASCII
 * case-insensitive), minus generated columns of the new one; the rowid is
 * copied too when both tables have one (so rows keep their rowid even
 * without an INTEGER PRIMARY KEY), under whichever of rowid, _rowid_, oid no
 * column shadows. A column rename is done by SQLite's own ALTER TABLE RENAME
 * COLUMN after the rebuild, so that indexes, triggers, views and other
 * tables' REFERENCES follow it. SQLite's RENAME re-checks every trigger and
 * view of the schema: a trigger on another table or a view that mentions
 * <t> (or a view built on such a view) must therefore be passed in
 * trigger_sql / view_sql, or the RENAME fails; passing all views and all
 * triggers is always safe. Views are dropped in reverse and recreated in
 * the given order (pass them in sqlite_schema order).
 *
 * Limits of the rebuild: tables of the main schema only (the new table is
 * created there); index, trigger and view texts are copied verbatim, so a
 * trigger or view that uses a dropped column is recreated (SQLite accepts
 * it) and fails when used, and a REFERENCES in another table to a dropped
 * column shows up only as foreign_key_check's "foreign key mismatch"
 * error; a column is found in CHECK, generated and index expressions by
 * its name as a token, so a same-named column of another table in a
 * subquery counts too (refusing, never allowing, too much).
 *
 * Ownership: struct ddl_stmts owns its strings; every function that fills
 * one appends to it (start from { NULL, 0 }) and, on error, leaves it as it
 * was. Everything else is borrowed for the duration of the call.
 */
#ifndef MG_DDL_H
#define MG_DDL_H

#include <stddef.h>

struct mg_error;
struct strbuf;

enum ddl_kind {
	DDL_CREATE_TABLE,
	DDL_DROP_TABLE,
	DDL_RENAME_TABLE,
	DDL_ADD_COLUMN,
	DDL_DROP_COLUMN,
	DDL_ALTER_COLUMN,
	DDL_CREATE_INDEX,
	DDL_DROP_INDEX,
	DDL_ADD_FOREIGN_KEY,
	DDL_ADD_UNIQUE,
	DDL_ADD_CHECK,
	DDL_DROP_CONSTRAINT
};

enum ddl_dialect {
	DDL_POSTGRESQL,
	DDL_SQLITE
};

/* struct ddl_op's nullable. */
enum {
	DDL_NULLABLE_KEEP = -1,
	DDL_SET_NOT_NULL = 0,
	DDL_DROP_NOT_NULL = 1
};

/* The suffix of the rebuild's temporary table name. */
#define DDL_REBUILD_SUFFIX "__migrate_new"

struct ddl_column {
	const char	*name;
	const char	*type;		/* NULL: none (SQLite only) */
	int		 not_null, primary_key;
	const char	*default_sql;	/* NULL: none */
};

struct ddl_op {
	enum ddl_kind	 kind;
	/* Every op but DROP_INDEX (where it is optional and unused). */
	const char	*table;
	/*
	 * RENAME_TABLE: the new name; DROP/ALTER_COLUMN: the column;
	 * CREATE/DROP_INDEX, ADD_*, DROP_CONSTRAINT: index/constraint name.
	 */
	const char	*name;
	/* CREATE_TABLE; ADD_COLUMN takes exactly one. */
	const struct ddl_column *columns;
	size_t		 ncolumns;
	/* ALTER_COLUMN: each part optional, at least one. */
	const char	*new_type;	/* NULL: keep */
	int		 nullable;	/* DDL_NULLABLE_KEEP, DDL_*_NOT_NULL */
	const char	*new_default;	/* NULL: keep */
	int		 drop_default;	/* not with new_default */
	const char	*new_name;	/* rename the column */
	/*
	 * ALTER_COLUMN with new_type: PostgreSQL's USING expression; a SQLite
	 * rebuild copies the column as (using_sql). NULL: none.
	 */
	const char	*using_sql;
	/* CREATE_INDEX, ADD_UNIQUE, ADD_FOREIGN_KEY: NULL-terminated. */
	const char *const *cols;
	int		 unique;	/* CREATE_INDEX */
	int		 concurrently;	/* CREATE/DROP_INDEX, PostgreSQL only */
	const char	*where;		/* partial index predicate, or NULL */
	/* ADD_FOREIGN_KEY; ref_cols NULL: the referenced primary key. */
	const char	*ref_table;
	const char *const *ref_cols;
	/* CASCADE, RESTRICT, SET NULL, SET DEFAULT, NO ACTION, or NULL. */
	const char	*on_delete;
	const char	*check_sql;	/* ADD_CHECK expression */
};

/* Statements without a trailing ';'. */
struct ddl_stmts {
	char	**v;
	size_t	  n;
};

/* Free the statements and reset to { NULL, 0 }; NULL is allowed. */
void	ddl_stmts_free(struct ddl_stmts *);

/* Append s double-quoted, embedded '"' doubled (both dialects). */
void	ddl_quote_ident(struct strbuf *, const char *s);
/* Append s single-quoted, embedded '\'' doubled. */
void	ddl_quote_literal(struct strbuf *, const char *s);

/*
 * 1 when op cannot be rendered by ddl_render on this dialect and needs
 * ddl_sqlite_rebuild. PostgreSQL: never. SQLite: DROP_COLUMN, ADD_CHECK,
 * ADD_FOREIGN_KEY, DROP_CONSTRAINT, and an ALTER_COLUMN that changes more
 * than the name. ADD_UNIQUE becomes CREATE UNIQUE INDEX, no rebuild.
 */
int	ddl_needs_rebuild(enum ddl_dialect, const struct ddl_op *);

/*
 * Append op's statements for the dialect (no rebuild). PostgreSQL's
 * ALTER_COLUMN is one ALTER TABLE with comma-separated actions (TYPE
 * [USING], SET/DROP DEFAULT, SET/DROP NOT NULL), then RENAME COLUMN as its
 * own statement. SQLite omits CONCURRENTLY and renders ADD_UNIQUE as
 * CREATE UNIQUE INDEX "name" ON ... (so DROP_CONSTRAINT of that name is a
 * DROP INDEX: see ddl_sqlite_rebuild). Errors: MG_EUSAGE for a missing or
 * contradictory field, and for an op that needs a rebuild.
 */
int	ddl_render(struct ddl_stmts *out, enum ddl_dialect,
	    const struct ddl_op *, struct mg_error *err);

/* What a SQLite rebuild needs to know about the table now. */
struct ddl_sqlite_table {
	const char	*name;		/* as in sqlite_schema.name */
	const char	*create_sql;	/* sqlite_schema.sql of the table */
	/* The user indexes on it (sqlite_schema.sql NOT NULL). */
	const char *const *index_sql;
	size_t		 nindex;
	/* Triggers on it, and triggers elsewhere that mention it. */
	const char *const *trigger_sql;
	size_t		 ntrigger;
	/* Views that mention it (or all views), in sqlite_schema order. */
	const char *const *view_name;
	const char *const *view_sql;
	size_t		 nview;
};

/*
 * Append the rebuild that gives cur's table the shape op asks for (see the
 * top of this file). op->table must name cur's table. An op that needs no
 * rebuild is rendered by ddl_render. DROP_CONSTRAINT of a name that is no
 * constraint in create_sql but one of index_sql's indexes (ADD_UNIQUE on
 * SQLite makes such an index) is a plain DROP INDEX.
 *
 * The CREATE TABLE text is edited, not regenerated: items and options
 * (WITHOUT ROWID, STRICT) that the op does not touch are kept verbatim,
 * comments included. ALTER_COLUMN replaces the column's type, adds or
 * removes its NOT NULL / NULL clauses, replaces, adds or removes its DEFAULT
 * clause (a CONSTRAINT name on it is kept on a replacement). ADD_* append a
 * table constraint "CONSTRAINT name ...". DROP_CONSTRAINT removes the table
 * constraint item, or the column's "CONSTRAINT name <constraint>" clause,
 * with that name (every one, SQLite lets names repeat).
 *
 * Errors, MG_EUSAGE: as ddl_render; op->table is not cur's table; a
 * create_sql that is not CREATE TABLE name (...) or does not lex; no such
 * column; DROP_COLUMN of the only column, or of one that a table
 * constraint, another column's CHECK or generated expression, or an index
 * (columns or WHERE) uses ("index 'ix' uses column 'c' of table 't'"); no
 * constraint of that name ("no constraint 'x' on table 't'"); ADD_* of a
 * constraint name the table already has.
 */
int	ddl_sqlite_rebuild(struct ddl_stmts *out,
	    const struct ddl_sqlite_table *cur, const struct ddl_op *op,
	    struct mg_error *err);

/*
 * The same rebuild, to the definition new_create_sql (a whole CREATE TABLE
 * statement for the same table name, as the `-- migrate:rebuild TABLE`
 * directive gives it; a trailing ';' is allowed). Columns present in both
 * definitions are copied; old columns missing from the new one are
 * dropped, and an index using one is an error as above. Errors, MG_EUSAGE:
 * either text does not parse; new_create_sql names another table.
 */
int	ddl_sqlite_rebuild_to(struct ddl_stmts *out,
	    const struct ddl_sqlite_table *cur, const char *new_create_sql,
	    struct mg_error *err);

#endif
