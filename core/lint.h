/*
 * lint: PostgreSQL locking hazards in SQL revisions, squawk-like rules.
 * PURE: no I/O, no dialect.h; the caller reads each file and splits it
 * with sqlsplit_parse(..., "postgresql", ...).
 *
 * Feed the revisions in graph order (graph_order) to lint_revision(). The
 * lint carries, from one revision to the next, the tables the upgrades
 * created (CREATE TABLE adds, DROP TABLE removes, RENAME TO renames), so
 * that CREATE TABLE IF NOT EXISTS of an older table does not count as a
 * new one. A table is "new" only in the section that created it (CREATE
 * TABLE earlier in the same upgrade or downgrade section): it is empty and
 * nobody uses it yet, so the rules that guard existing tables skip it.
 * Every other table, including one no linted revision created, is treated
 * as existing. Names are compared as PostgreSQL folds them (unquoted names
 * in lower case, "Quoted" ones as written); "public." is dropped, other
 * schemas are kept.
 *
 * Rules (id, severity, what fires):
 *   index-not-concurrent           error    CREATE INDEX without
 *                                           CONCURRENTLY on an existing table
 *   drop-index-not-concurrent      warning  DROP INDEX without CONCURRENTLY
 *                                           (not of an index of the section)
 *   add-column-not-null-no-default error    ADD COLUMN ... NOT NULL (or
 *                                           PRIMARY KEY) without a DEFAULT
 *   constraint-not-valid           error    ADD [CONSTRAINT ..] FOREIGN KEY /
 *                                           CHECK without NOT VALID
 *   alter-column-type              error    ALTER COLUMN ... [SET DATA] TYPE
 *   set-not-null                   warning  ALTER COLUMN ... SET NOT NULL
 *   rename                         warning  RENAME [COLUMN] .. TO, RENAME TO
 *   drop-column                    warning  ALTER TABLE ... DROP [COLUMN]
 *   drop-table                     warning  DROP TABLE
 *   missing-downgrade              warning  no downgrade section
 *   concurrently-in-transaction    error    CONCURRENTLY between a
 *                                           hand-written BEGIN and COMMIT
 *   lock-timeout                   warning  the first schema change (ALTER,
 *                                           CREATE INDEX or TRIGGER, DROP,
 *                                           TRUNCATE, REINDEX, ...) of a
 *                                           section with no SET [LOCAL]
 *                                           lock_timeout before it, unless
 *                                           migrate sets one for the session
 * All but missing-downgrade, concurrently-in-transaction and lock-timeout
 * skip tables new in the section. A hand-written BEGIN belongs in a
 * '-- migrate:transaction off' file (the executor refuses it elsewhere),
 * but concurrently-in-transaction does not depend on that. lock-timeout is
 * reported once per section; when the statement's lint-ignore names it,
 * the next schema change of the section is reported instead.
 *
 * Downgrade sections are linted with the same rules, except that dropping
 * a table or a column that the revision's own upgrade created is its
 * inverse, not a loss: drop-table and drop-column leave those alone.
 * A statement's '-- migrate:lint-ignore RULE[,RULE...]' (stmt.lint_ignore,
 * names separated by commas or blanks, any case) silences those rules for
 * it. What is not looked into: the bodies of DO blocks and functions
 * (strings to the lint), and C revisions (the caller skips them).
 *
 * Ownership: struct lint owns its findings and their strings (the path is
 * copied); lint_findings() lends them until lint_free().
 */
#ifndef MG_LINT_H
#define MG_LINT_H

#include <stddef.h>

struct script;

enum lint_severity {
	LINT_WARNING,
	LINT_ERROR
};

struct lint_finding {
	const char		*rule;		/* the rule id (static) */
	enum lint_severity	 severity;
	char			*path;
	int			 line, col;	/* 1-based, in the file */
	char			*message;	/* one line */
	const char		*hint;		/* one sentence (static) */
};

struct lint_opts {
	/*
	 * migrate sets lock_timeout for its session (migrate.ini's
	 * lock_timeout is not 0): the lock-timeout rule is off.
	 */
	int	 session_lock_timeout;
};

struct lint;

struct lint	*lint_new(const struct lint_opts *);
void		 lint_free(struct lint *);

/*
 * Lint one revision's split statements (both sections); path names the
 * file in the findings. With report 0 the revision only updates the
 * carried state (an ancestor of the revisions asked for) and adds no
 * findings. Findings of one revision are sorted by line and column.
 */
void	lint_revision(struct lint *, const char *path, const struct script *,
	    int report);

/* The findings so far, in the order the revisions came, then position. */
const struct lint_finding *lint_findings(const struct lint *, size_t *n);

/* How many findings of that severity there are so far. */
size_t	lint_count(const struct lint *, enum lint_severity);

/* The severity of a rule id, or -1 for an unknown id. */
int	lint_rule_severity(const char *id);

#endif
