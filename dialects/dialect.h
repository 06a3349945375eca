/*
 * dialect: the interface between core/exec.c and a database library
 * (git's ref_storage_be style). Only the files in dialects/ include libpq-fe.h or
 * sqlite3.h; core sees struct db as opaque.
 *
 * Every function returns 0 or an mg_code and fills err. exec() returns the
 * 0-based byte offset of an error inside the statement through errpos
 * (-1 when the database gave none) so that core can map it back to the
 * file (tag-20261122-offsets).
 *
 * Ownership: open() allocates the db; close() frees it (NULL allowed) and
 * releases a lock still held. Rows passed to a row_fn are borrowed for the
 * duration of the call.
 */
#ifndef MG_DIALECT_H
#define MG_DIALECT_H

#include <stddef.h>

struct db;
struct mg_error;
struct strbuf;

/* Return 0 to go on, non-zero to stop the query (returned by query()). */
typedef int row_fn(void *payload, int ncols, char *const *vals);

struct dialect_opts {
	const char	*url;
	const char	*base_dir;	/* relative sqlite paths start here */
	long		 lock_timeout_ms;
	long		 statement_timeout_ms;
};

struct dialect {
	const char	*name;		/* "sqlite", "postgresql" */
	int	(*open)(struct db **out, const struct dialect_opts *,
		    struct mg_error *);
	void	(*close)(struct db *);
	int	(*exec)(struct db *, const char *sql, long *errpos,
		    struct mg_error *);
	/* A query whose parameters are bound, not interpolated. */
	int	(*query)(struct db *, const char *sql,
		    const char *const *params, int nparams, row_fn *,
		    void *payload, struct mg_error *);
	int	(*begin)(struct db *, struct mg_error *);
	int	(*commit)(struct db *, struct mg_error *);
	int	(*rollback)(struct db *, struct mg_error *);
	/*
	 * The migration lock, held until unlock() or close(). key names
	 * the version table; timeout_ms bounds the wait (MG_ELOCK, naming
	 * the holder when the database can tell).
	 */
	int	(*lock)(struct db *, const char *key, long timeout_ms,
		    struct mg_error *);
	int	(*unlock)(struct db *, struct mg_error *);
	/* 1 when table (maybe schema-qualified) exists, 0 when not. */
	int	(*table_exists)(struct db *, const char *table, int *exists,
		    struct mg_error *);
	/* Append the CREATE TABLE statements for the version tables. */
	void	(*version_ddl)(struct strbuf *, const char *vtable,
		    const char *htable);
	/* 1 when stmt cannot run inside a transaction block. */
	int	(*needs_no_transaction)(const char *stmt);
	/*
	 * Rewrite a statement for this database (SQLite: drop
	 * CONCURRENTLY). Sets *cut_at and *cut_len to the byte range removed
	 * (cut_len 0 when nothing was), for error position mapping.
	 */
	void	(*rewrite)(struct strbuf *out, const char *stmt,
		    size_t *cut_at, size_t *cut_len);
	/* SQL expression for "now" as stored in the history table. */
	const char	*now_sql;
	/*
	 * Before re-running stmt, the first statement of a revision whose
	 * last attempt failed: PostgreSQL drops the INVALID index a failed
	 * CREATE INDEX CONCURRENTLY leaves. When the attempt was cut off
	 * (cut: a kill, a lost connection) the statement may have finished
	 * unrecorded: *skip is set when its index exists and is valid (DROP
	 * INDEX CONCURRENTLY: is gone). After an error the server reported,
	 * nothing is skipped: the statement did not do its work, and a
	 * same-named index is someone else's. NULL when nothing is checked.
	 */
	int	(*before_resume)(struct db *, const char *stmt, int cut,
		    int *skip, struct mg_error *);
	/*
	 * backup = yes: copy the database aside before it is migrated and
	 * append the copy's name to out. NULL when the dialect cannot.
	 */
	int	(*backup)(struct db *, struct strbuf *out, struct mg_error *);
	/*
	 * Append the schema as a normalized snapshot (dialects/snapshot.h:
	 * one line per fact, sorted, escaped), leaving out the version
	 * tables vtable and htable (maybe schema-qualified) with what
	 * belongs to them, and the database's own objects. It holds no data
	 * (no row counts, no sequence values), so that the snapshots of two
	 * databases with the same schema are equal. Reads only.
	 */
	int	(*snapshot)(struct db *, const char *vtable, const char *htable,
		    struct strbuf *out, struct mg_error *);
};

extern const struct dialect dialect_postgres;
extern const struct dialect dialect_sqlite;

/* The dialect for url's scheme; MG_ECONFIG for an unknown scheme. */
int	dialect_for_url(const struct dialect **out, const char *url,
	    struct mg_error *err);

#endif
