/*
 * <migrate/plugin.h>: the API of C plugin revisions of migrate, the
 * schema migration tool (see migrate(1), "C REVISIONS"). Installed as
 * $(PREFIX)/include/migrate/plugin.h; migrate also embeds this very text
 * and hands it to the compiler when it builds a plugin, so a plugin always
 * compiles against the header of the migrate that loads it.
 *
 * A plugin revision is a file <id>_<slug>.c whose leading comment holds
 * the revision header, and which defines
 *
 *	int migrate_upgrade(mg_ctx *ctx);
 *	int migrate_downgrade(mg_ctx *ctx);
 *
 * each returning 0 on success and non-zero (for instance mg_fail()'s -1)
 * on failure. It may also define
 *
 *	const int migrate_plugin_abi = MG_PLUGIN_ABI;
 *
 * so that a .so built for another ABI is refused instead of misbehaving.
 * migrate compiles the file with `$CC -shared -fPIC -O2` and loads it with
 * dlopen; the plugin sees only the mg_* functions below.
 *
 * Rules:
 * - The ctx is valid only during the call of migrate_upgrade or
 *   migrate_downgrade; don't keep it. Every function takes the ctx it was
 *   given.
 * - Strings returned by mg_quote_ident/mg_quote_literal belong to the ctx
 *   and stay valid until the revision ends; don't free them. Strings
 *   passed in stay the caller's.
 * - Functions returning int return 0 on success and -1 on failure; the
 *   failure's message is then available from mg_errmsg().
 * - A failing database call (mg_exec, mg_execf, mg_query, the DDL
 *   functions) fails the revision, even if the plugin goes on and returns
 *   0: on PostgreSQL the transaction is aborted anyway, and a revision
 *   that half ran must not be recorded as applied. After such a failure
 *   every further database call returns -1 at once without running. So
 *   the idiom is `if (mg_exec(ctx, sql) != 0) return -1;`.
 * - The revision runs inside the transaction migrate opened for it (per
 *   migrate.ini's `transaction`): don't run BEGIN, COMMIT or ROLLBACK.
 * - In offline mode (`migrate upgrade --sql`) statements and DDL are
 *   printed instead of run, and mg_query fails: a plugin that must read
 *   the database cannot be rendered as a script.
 *
 * The header is C99 (and C++) compatible and needs no other header.
 */
#ifndef MIGRATE_PLUGIN_H
#define MIGRATE_PLUGIN_H

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; a change of it breaks built plugins. */
#define MG_PLUGIN_ABI	1

#if defined(__GNUC__) || defined(__clang__)
#define MG_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#else
#define MG_PRINTF(f, a)
#endif

/* The handle of the running revision (opaque). */
typedef struct mg_ctx mg_ctx;

/* One row of a query result (opaque), valid during the row callback. */
struct mg_row;

/* --- the plugin's own entry points -------------------------------------- */

int	migrate_upgrade(mg_ctx *ctx);
int	migrate_downgrade(mg_ctx *ctx);
/* Optional: define it as MG_PLUGIN_ABI. */
extern const int migrate_plugin_abi;

/* --- the database -------------------------------------------------------- */

/* The dialect the revision runs on: "sqlite" or "postgresql". */
const char	*mg_dialect(mg_ctx *ctx);

/*
 * Run one SQL statement (no result rows are read). Returns 0, or -1 with
 * the database's message in mg_errmsg(); see the rules above.
 */
int	mg_exec(mg_ctx *ctx, const char *sql);

/*
 * mg_exec of a printf-formatted statement. Quote what you interpolate:
 * mg_execf(ctx, "DELETE FROM %s WHERE name = %s",
 *     mg_quote_ident(ctx, table), mg_quote_literal(ctx, name)).
 */
int	mg_execf(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);

/*
 * An identifier, always double-quoted ("a""b" for a"b), so it keeps its
 * case. NULL gives "". The string belongs to ctx (valid until the
 * revision ends).
 */
const char	*mg_quote_ident(mg_ctx *ctx, const char *ident);

/*
 * A string literal: 'it''s'. On PostgreSQL a string holding a backslash
 * is written E'...' with the backslashes doubled, which reads the same
 * whatever standard_conforming_strings says. NULL gives NULL (the SQL
 * keyword). The string belongs to ctx (valid until the revision ends).
 */
const char	*mg_quote_literal(mg_ctx *ctx, const char *s);

/*
 * Run a query and call fn for each row, with arg as given. fn returns 0
 * to go on; any other value stops the query and becomes mg_query's
 * return value (so `return mg_fail(ctx, ...)` in fn fails the query with
 * that message). Returns 0 when every row was read, or -1 when the query
 * failed (mg_errmsg() says why). In offline (--sql) mode mg_query fails,
 * which fails the revision. The row is valid only during fn.
 */
int	mg_query(mg_ctx *ctx, const char *sql,
	    int (*fn)(mg_ctx *ctx, const struct mg_row *row, void *arg),
	    void *arg);

/* The number of columns of row. */
int	mg_ncols(const struct mg_row *row);

/*
 * Column col (0-based) as text, as the database prints it (PostgreSQL
 * booleans are "t"/"f"); NULL for SQL NULL or a column out of range.
 * The text belongs to the row.
 */
const char	*mg_text(const struct mg_row *row, int col);

/*
 * Column col as a number: strtoll/strtod of its text, 0 for SQL NULL,
 * text that is not a number, or a column out of range. mg_int reads the
 * booleans "t"/"true" as 1 and "f"/"false" as 0.
 */
long long	mg_int(const struct mg_row *row, int col);
double		mg_double(const struct mg_row *row, int col);

/* 1 when column col is SQL NULL (or out of range), else 0. */
int	mg_isnull(const struct mg_row *row, int col);

/* --- messages ------------------------------------------------------------ */

/* A progress note, printed as "  [plugin] ..." on stderr unless -q. */
void	mg_log(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);

/*
 * Set the revision's error message and return -1, for
 * `return mg_fail(ctx, "bad data in %s", table);`. When a database call
 * failed before, its message becomes the error's detail, unless the
 * message quotes it (mg_fail(ctx, "backfill: %s", mg_errmsg(ctx))).
 */
int	mg_fail(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);

/* The message of the last failure or mg_fail(); "" when none. */
const char	*mg_errmsg(mg_ctx *ctx);

/* --- DDL, rendered for the dialect by migrate ---------------------------- */

/*
 * On SQLite, what its ALTER TABLE cannot do (alter or drop a column, add
 * or drop a constraint) is rendered as the documented table rebuild:
 * create the new table, copy the rows, drop the old one, rename, and
 * recreate its indexes and triggers.
 */

/* struct mg_column flags, and mg_create_index/mg_drop_index flags. */
#define MG_NOT_NULL	1
#define MG_PRIMARY_KEY	2	/* several columns: a composite key */
#define MG_UNIQUE	4
#define MG_CONCURRENTLY	8	/* PostgreSQL; dropped on SQLite */

struct mg_column {
	const char	*name;
	const char	*type;		/* SQL type, as written: "bigint" */
	int		 flags;		/* the MG_* column flags above */
	const char	*default_sql;	/* an SQL expression, or NULL */
};

/* "leave as it is", for struct mg_alter's nullable. */
#define MG_KEEP		(-1)

/* What mg_alter_column changes; NULL/0/MG_KEEP fields change nothing. */
struct mg_alter {
	const char	*type;		/* new type, or NULL */
	int		 nullable;	/* MG_KEEP, 0 NOT NULL, 1 NULL */
	const char	*default_sql;	/* new default expression, or NULL */
	int		 drop_default;	/* 1: drop the default */
	const char	*rename;	/* new column name, or NULL */
};

/*
 * Each returns 0, or -1 with the message in mg_errmsg(). Names are quoted
 * by migrate (pass them bare); types, defaults, expressions and WHERE
 * clauses are SQL text put in as they are. Column lists (cols, ref_cols)
 * are NULL-terminated arrays of names.
 */
int	mg_create_table(mg_ctx *ctx, const char *table,
	    const struct mg_column *cols, int ncols);
int	mg_drop_table(mg_ctx *ctx, const char *table);
int	mg_rename_table(mg_ctx *ctx, const char *table, const char *new_name);
int	mg_add_column(mg_ctx *ctx, const char *table,
	    const struct mg_column *col);
int	mg_drop_column(mg_ctx *ctx, const char *table, const char *column);
int	mg_alter_column(mg_ctx *ctx, const char *table, const char *column,
	    const struct mg_alter *alter);
/* flags: MG_UNIQUE|MG_CONCURRENTLY; where: a partial index's predicate. */
int	mg_create_index(mg_ctx *ctx, const char *name, const char *table,
	    const char *const *cols, int flags, const char *where);
/* flags: MG_CONCURRENTLY or 0. */
int	mg_drop_index(mg_ctx *ctx, const char *name, int flags);
/* on_delete: "CASCADE", "SET NULL", "RESTRICT" ... or NULL. */
int	mg_add_foreign_key(mg_ctx *ctx, const char *name, const char *table,
	    const char *const *cols, const char *ref_table,
	    const char *const *ref_cols, const char *on_delete);
int	mg_add_unique(mg_ctx *ctx, const char *name, const char *table,
	    const char *const *cols);
int	mg_add_check(mg_ctx *ctx, const char *name, const char *table,
	    const char *expr);
int	mg_drop_constraint(mg_ctx *ctx, const char *name, const char *table);

#ifdef __cplusplus
}
#endif

#endif
