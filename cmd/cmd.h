/*
 * The command table's types. main() prepares what a command's CMD_* flags
 * ask for (as git's RUN_SETUP does) and hands it over in struct cmd_ctx;
 * a command parses its own options, calls core and prints. It returns 0 or
 * an mg_code with err filled; only main prints errors.
 *
 * Ownership: everything in cmd_ctx belongs to main and is freed after the
 * command returns.
 */
#ifndef MG_CMD_H
#define MG_CMD_H

#include <stdio.h>

#include "config.h"
#include "graph.h"
#include "output.h"
#include "revision.h"

struct exec;
struct mg_error;
struct plan;
struct version_state;

enum {
	CMD_CONFIG = 1 << 0,	/* load migrate.ini */
	CMD_GRAPH = 1 << 1,	/* scan revision files, build the graph */
	CMD_DB = 1 << 2,	/* connect */
	CMD_JSON = 1 << 3	/* accepts --json */
};

struct cmd_ctx {
	struct config		*cfg;
	struct config_opts	 opts;
	struct output		 out;
	struct revision_set	 set;
	struct graph		*g;
	struct exec		*ex;
	int			 yes;
};

struct cmd_entry {
	const char	*name;
	int		(*fn)(struct cmd_ctx *, int, char **,
			    struct mg_error *);
	const char	*usage;
	const char	*summary;
	int		 flags;
};

#define CMD_PROTO(name) int cmd_##name(struct cmd_ctx *, int, char **, \
	struct mg_error *)
CMD_PROTO(branches);
CMD_PROTO(check);
CMD_PROTO(compile);
CMD_PROTO(current);
CMD_PROTO(downgrade);
CMD_PROTO(heads);
CMD_PROTO(history);
CMD_PROTO(init);
CMD_PROTO(lint);
CMD_PROTO(merge);
CMD_PROTO(resolve);
CMD_PROTO(revision);
CMD_PROTO(show);
CMD_PROTO(snapshot);
CMD_PROTO(stamp);
CMD_PROTO(status);
CMD_PROTO(test);
CMD_PROTO(upgrade);

/* cmd/common.c: helpers shared by several commands. */

/*
 * One step of getopt_long over a command's options: sets *opt to the
 * option character, or -1 after the last one. The global "--json",
 * "--yes", "-q" and "-v" are accepted after the command too and handled
 * here (they never reach the command). An unknown option or missing argument is MG_EUSAGE. (main
 * answers --help before the command runs.)
 */
struct option;
int	cmd_getopt(struct cmd_ctx *, int argc, char **argv,
	    const char *optstring, const struct option *longopts, int *opt,
	    struct mg_error *err);
/* Parse the options of a command that has none of its own. */
int	cmd_no_options(struct cmd_ctx *, int argc, char **argv,
	    struct mg_error *err);
/* MG_EUSAGE for a command given too many or too few operands. */
int	cmd_usage_error(const char *name, struct mg_error *err,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const struct cmd_entry *cmd_lookup(const char *name);
void	cmd_print_usage(const struct cmd_entry *, FILE *);

/* Scan script_location and build the graph (CMD_GRAPH). */
int	cmd_load_graph(struct cmd_ctx *, struct mg_error *);

/* Read the version rows and start a version_state from them. */
int	cmd_load_state(struct cmd_ctx *, struct version_state *,
	    struct mg_error *);

/*
 * upgrade/downgrade: resolve spec, plan, check the files, take the lock,
 * plan again against the locked state and run. Nothing pending: no lock.
 */
int	cmd_migrate(struct cmd_ctx *, const char *spec, int up,
	    struct mg_error *);

/* A revision file to write (revision, merge). */
struct new_revision {
	const char	*id;		/* NULL: a new one (revision_id) */
	const char	*parents;	/* "a, b", "" for a base */
	const char	*label;		/* "" for none */
	const char	*depends_on;	/* "a, b" or "" */
	const char	*message;
	int		 is_c;		/* a C plugin: <id>_<slug>.c */
};

/*
 * Check the id and label are free and write the file from
 * templates/revision.sql.tmpl (revision.c.tmpl when is_c) into
 * script_location; prints its path.
 */
int	cmd_write_revision(struct cmd_ctx *, const struct new_revision *,
	    struct mg_error *);

/*
 * upgrade/downgrade --sql: print the SQL the executor would run between
 * the two ends of range "FROM:TO" (upgrade: "TO" alone starts at base),
 * touching no database.
 */
int	cmd_offline(struct cmd_ctx *, const char *range, int up,
	    struct mg_error *);

/* Ask before touching a protected environment (confirm = yes). */
int	cmd_confirm(struct cmd_ctx *, const char *what, struct mg_error *);

/* " (head)", " (branchpoint)" ... decorations of a revision. */
void	cmd_decorate(struct strbuf *, const struct graph *, size_t rev,
	    const unsigned char *applied_rows);

/*
 * The block 'show' prints (and history -v): id with its marks, parents or
 * the revisions a merge joins, what a branch point branches into,
 * dependencies, labels, path, date, message.
 */
void	cmd_describe(struct strbuf *, const struct graph *, size_t rev,
	    const unsigned char *is_row);

#endif
