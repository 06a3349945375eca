/*
 * exec: run plans against a database through a struct dialect.
 *
 * The sequence for a migration (DESIGN.md "Executor"):
 *   exec_open -> exec_read_rows -> plan -> exec_prepare (parse every file
 *   of the plan: bad files fail here, before anything is written)
 *   -> exec_lock (lock, then create the version tables) -> read rows and
 *   plan again -> exec_prepare -> exec_run -> exec_close.
 * exec_run applies the steps with the transaction mode of migrate.ini:
 * per-revision (each revision and its version rows commit together), all
 * (one transaction), none (autocommit); a revision with
 * "-- migrate:transaction off" runs in autocommit. A failing statement rolls
 * back its transaction; the steps committed before it stay, and a history
 * row records the failure.
 *
 * Ownership: struct exec borrows config and output (they outlive it) and
 * owns the connection and the parsed scripts.
 */
#ifndef MG_EXEC_H
#define MG_EXEC_H

#include <stddef.h>

#include "graph.h"
#include "plan.h"

struct config;
struct mg_error;
struct output;
struct strbuf;
struct strlist;
struct version_state;

struct exec;

int	exec_open(struct exec **out, const struct config *,
	    const struct output *, struct mg_error *err);
void	exec_close(struct exec *);

/*
 * Offline (--sql): an exec that connects to nothing and records, as text,
 * the SQL every other exec_* call would run, in the URL's dialect. The
 * version tables count as missing when from_base (their DDL is printed)
 * and as existing otherwise; queries return no rows, so nothing is
 * partial. History rows are printed with a NULL duration. No attempt rows:
 * a statement that fails stops the DBA's script, not a resumable run.
 */
int	exec_open_offline(struct exec **out, const struct config *,
	    const struct output *, int from_base, struct mg_error *err);
/*
 * Offline on SQLite, the script is also replayed on an empty in-memory
 * database, so that a table rebuild can read the table's definition. For
 * a range that starts above base, replay p (base up to the start) there
 * first, printing nothing. A no-op on PostgreSQL.
 */
int	exec_offline_replay(struct exec *, const struct graph *,
	    const struct plan *p, struct mg_error *err);

/* The dialect's name: "sqlite", "postgresql". */
const char *exec_dialect_name(const struct exec *);

/*
 * Append the database's schema as a normalized snapshot: one line per
 * fact, sorted in byte order, so that two snapshots compare with strcmp
 * (dialects/snapshot.h; the line formats are in README.md "migrate
 * snapshot"). The version tables and what belongs to them are left out.
 * Reads only. An offline exec is MG_EUSAGE; a failed read MG_EDB.
 */
int	exec_snapshot(struct exec *, struct strbuf *out,
	    struct mg_error *err);

/* The SQL recorded so far (offline only). */
const char *exec_offline_sql(const struct exec *);
/*
 * Run one statement on its own, outside any transaction (migrate test's
 * CREATE/DROP DATABASE).
 */
int	exec_statement(struct exec *, const char *sql, struct mg_error *err);


/* The version rows; empty when the version table does not exist yet. */
int	exec_read_rows(struct exec *, struct strlist *rows,
	    struct mg_error *err);

/*
 * Compare the checksum recorded when each applied revision (applied: g->n
 * flags) was last upgraded with its file now; fn gets each one that
 * differs. Revisions with no recorded checksum (stamped) are skipped.
 */
typedef void checksum_fn(void *payload, size_t rev, const char *recorded,
    const char *now);
int	exec_checksums(struct exec *, const struct graph *,
	    const unsigned char *applied, checksum_fn *fn, void *payload,
	    struct mg_error *err);

/* Load and split the files of every step that is not loaded yet. */
int	exec_prepare(struct exec *, const struct graph *, const struct plan *,
	    struct mg_error *err);

/* Take the migration lock and create the version tables if missing. */
int	exec_lock(struct exec *, struct mg_error *err);
void	exec_unlock(struct exec *);

/*
 * backup = yes: copy the database aside (SQLite: VACUUM INTO
 * "<db>.backup-<UTC time>"). A dialect that cannot is MG_ECONFIG, so a
 * configured safety net is never skipped silently. Needs the lock.
 */
int	exec_backup(struct exec *, struct mg_error *err);

/* Apply the plan; vs is advanced step by step. Needs exec_prepare. */
int	exec_run(struct exec *, const struct graph *, struct version_state *,
	    const struct plan *, struct mg_error *err);

/*
 * Call fn for each revision whose last attempt stopped between
 * statements: its id, direction ("up"/"down") and statements applied.
 */
int	exec_partials(struct exec *, void (*fn)(void *, const char *rev,
	    const char *dir, size_t done), void *payload,
	    struct mg_error *err);

/*
 * Settle a revision whose last attempt stopped between statements (its
 * history row is partial): applied = 1 records it as done (the version
 * rows move as the step would move them), 0 as undone by hand. Either way
 * a 'resolve' history row records the decision. A revision that is not
 * partial is MG_EUSAGE. Needs the lock.
 */
int	exec_resolve(struct exec *, const struct graph *,
	    struct version_state *, size_t rev, int applied,
	    struct mg_error *err);

/*
 * Set the version rows to rows (revision indices) without running
 * anything, with a 'stamp' history row for each. Every current row goes,
 * even ids that no file has (what 'stamp --purge' needs). Runs in one
 * transaction; needs the lock.
 */
int	exec_stamp(struct exec *, const struct graph *,
	    const struct idxlist *rows, struct mg_error *err);

#endif
