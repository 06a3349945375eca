/*
 * plugin: C plugin revisions, host side (DESIGN.md "Revision files").
 *
 * plugin_load compiles a revision's .c file when needed and dlopens it;
 * plugin_run calls its migrate_upgrade or migrate_downgrade with an mg_ctx
 * whose mg_* functions (<migrate/plugin.h>, implemented here) go through a
 * struct plugin_host the executor fills: this module holds no database
 * code. The migrate binary exports the mg_* symbols and nothing else
 * (-Wl,--dynamic-list=core/plugin.list), so plugins resolve against them.
 *
 * Compiling: $CC (default "cc"; split on blanks, no shell, so "ccache gcc"
 * works but quoting does not) -shared -fPIC -O2 -I<dir> -include
 * <dir>/migrate/plugin.h -o <tmp> <src>, where <dir>/migrate/plugin.h is
 * this binary's own copy of the header (written to a private temporary
 * directory for each compile; -include makes it win over another version
 * that an -I in CC would find first). The compiler's output is captured;
 * the result is written under a temporary name and renamed into place, so
 * hosts compiling the same plugin at once never load a half-written file.
 * The key covers the .c file only: headers of its own that it includes
 * are not tracked (edit the .c, or clear the cache, after changing one).
 *
 * Where plugin_load looks, in order:
 *  1. <script_location>/.migrate-plugins/<id>-<K>.so, as written by
 *     `migrate compile` (a deploy image needs no compiler), K being the
 *     first 16 hex digits of the SHA-256 of the embedded header and the
 *     source: whatever compiler built it is the one that is shipped;
 *  2. <cache>/<id>-<C>.so, C also covering the $CC string (a new compiler
 *     or flags in CC build anew), <cache> being cache_dir, else
 *     revcache_dir()/plugins, compiled there on a miss;
 *  3. when there is no usable cache, a temporary directory, removed once
 *     the plugin is loaded.
 *
 * Ownership: a struct plugin owns its dlopen handle and strings;
 * plugin_free() (NULL allowed) closes it. The host and the strings of a
 * plugin_op are borrowed for the duration of the call.
 */
#ifndef MG_PLUGIN_H
#define MG_PLUGIN_H

#include <stddef.h>

#include "migrate/plugin.h"

struct mg_error;
struct plugin;
struct revision;
struct strbuf;

/* A DDL operation of the plugin API, handed to plugin_host.ddl. */
enum plugin_op_kind {
	PLUGIN_OP_CREATE_TABLE,		/* table, columns/ncolumns */
	PLUGIN_OP_DROP_TABLE,		/* table */
	PLUGIN_OP_RENAME_TABLE,		/* table, new_name */
	PLUGIN_OP_ADD_COLUMN,		/* table, columns (ncolumns = 1) */
	PLUGIN_OP_DROP_COLUMN,		/* table, column */
	PLUGIN_OP_ALTER_COLUMN,		/* table, column, alter */
	PLUGIN_OP_CREATE_INDEX,		/* name, table, cols, flags, where */
	PLUGIN_OP_DROP_INDEX,		/* name, flags */
	PLUGIN_OP_ADD_FOREIGN_KEY,	/* name, table, cols, ref_table,
					   ref_cols, on_delete */
	PLUGIN_OP_ADD_UNIQUE,		/* name, table, cols */
	PLUGIN_OP_ADD_CHECK,		/* name, table, expr */
	PLUGIN_OP_DROP_CONSTRAINT	/* name, table */
};

/*
 * The arguments of the plugin's call, as given (names bare, SQL text as
 * is); fields an operation doesn't use are NULL/0. plugin.c checks that
 * the fields an operation uses are there (non-NULL names, ncolumns >= 1,
 * non-empty column lists, as many ref_cols as cols) before the host sees
 * the op.
 */
struct plugin_op {
	enum plugin_op_kind	 kind;
	const char		*table;
	const char		*name;		/* index or constraint */
	const char		*new_name;	/* RENAME_TABLE */
	const char		*column;	/* DROP_COLUMN, ALTER_COLUMN */
	const struct mg_column	*columns;	/* CREATE_TABLE, ADD_COLUMN */
	int			 ncolumns;
	const struct mg_alter	*alter;		/* ALTER_COLUMN */
	const char *const	*cols;		/* NULL-terminated */
	int			 ncols;		/* entries of cols */
	int			 flags;		/* MG_UNIQUE|MG_CONCURRENTLY */
	const char		*where;		/* CREATE_INDEX, or NULL */
	const char		*ref_table;	/* ADD_FOREIGN_KEY */
	const char *const	*ref_cols;	/* ncols of them, and NULL */
	const char		*on_delete;	/* or NULL */
	const char		*expr;		/* ADD_CHECK */
};

/*
 * What the executor lends a running plugin. arg is passed back to every
 * function. Each returns 0 or an mg_code with err filled (err is clean on
 * entry). The first failure is kept and fails the revision (see
 * plugin_run); no call is made after it.
 *
 * exec     run one statement (offline: print it).
 * query    run sql and call row for each row (vals[i] NULL for SQL NULL,
 *          borrowed for the call); when row returns non-zero, stop and
 *          return that value without touching err (plugin.c knows it
 *          stopped). NULL in offline mode: mg_query then fails.
 * ddl      render op for the dialect and run it (offline: print it).
 *          NULL: the DDL functions fail ("not supported").
 * log      print an mg_log() message (the host adds "  [plugin] " and
 *          honours -q). NULL: messages are dropped.
 */
struct plugin_host {
	void		*arg;
	const char	*dialect;	/* "sqlite", "postgresql" */
	int		(*exec)(void *arg, const char *sql,
			    struct mg_error *err);
	int		(*query)(void *arg, const char *sql,
			    int (*row)(void *payload, int ncols,
			    char *const *vals), void *payload,
			    struct mg_error *err);
	int		(*ddl)(void *arg, const struct plugin_op *op,
			    struct mg_error *err);
	void		(*log)(void *arg, const char *msg);
};

/*
 * Find rev's compiled plugin (see the order above), compiling it into the
 * cache on a miss, and dlopen it (RTLD_NOW | RTLD_LOCAL). cache_dir
 * overrides the user cache (NULL: revcache_dir()/plugins).
 * Errors: MG_EREVISION with file = rev->path for a compile failure
 * ("cannot compile plugin", the compiler's output as detail), a missing
 * migrate_upgrade/migrate_downgrade, a migrate_plugin_abi other than
 * MG_PLUGIN_ABI, or a .so dlopen refuses; MG_ECONFIG when the compiler
 * cannot be run; MG_EIO for an unreadable source or an unwritable cache.
 * *out is NULL on error.
 */
int	plugin_load(struct plugin **out, const struct revision *rev,
	    const char *cache_dir, const char *script_location,
	    struct mg_error *err);

/*
 * Call migrate_upgrade (up = 1) or migrate_downgrade (up = 0) with a fresh
 * mg_ctx on host. Returns 0 when the plugin returned 0 and no database
 * call failed. Otherwise, with err->file = the plugin's .c path:
 *  - a failed host call: that error (its code, SQLSTATE, detail, hint
 *    and context; line and col reset), even if the plugin returned 0; a
 *    later mg_fail() message becomes the primary message, and the
 *    database's moves to the detail unless the new message quotes it;
 *  - else MG_EDB with the plugin's mg_fail() message;
 *  - else MG_EDB "'migrate_upgrade' returned N".
 * Everything the ctx allocated (quoted strings) is freed before return.
 */
int	plugin_run(struct plugin *, int up, const struct plugin_host *host,
	    struct mg_error *err);

/* The .so that plugin_load loaded (borrowed from the plugin). */
const char	*plugin_path(const struct plugin *);

void	plugin_free(struct plugin *);

/*
 * Compile rev into out_dir (created if missing, as `migrate compile`
 * does), named <id>-<K>.so with K as in lookup step 1. When that file
 * exists already nothing is compiled and *built is 0, else 1. The .so's
 * path is appended to so_path. Errors as plugin_load's.
 */
int	plugin_compile(struct strbuf *so_path, int *built,
	    const struct revision *rev, const char *out_dir,
	    struct mg_error *err);

/*
 * Remove from dir the files named like compiled plugins (<id>-<16 hex>.so)
 * whose names are not in keep (n names); the path of each removed file is
 * appended to removed, one a line. A missing dir is not an error. Errors:
 * MG_EIO.
 */
int	plugin_prune(struct strbuf *removed, const char *dir,
	    const char *const *keep, size_t n, struct mg_error *err);

/* The embedded <migrate/plugin.h>, one line per entry, NULL-terminated
 * (build/gen/plugin_h.c, generated from core/migrate/plugin.h). */
extern const char *const plugin_header_lines[];

#endif
