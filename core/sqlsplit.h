/*
 * sqlsplit: split the body of a SQL revision file into sections and
 * statements. PURE: no I/O, no dialect.h; the caller reads the file.
 *
 * A revision body has section lines, recognised only at the start of a line
 * (leading blanks allowed) and outside any statement, quote or comment:
 *   -- migrate:upgrade [sqlite|postgresql]
 *   -- migrate:downgrade [sqlite|postgresql]
 *   -- migrate:transaction off
 *   -- migrate:statement-begin / -- migrate:statement-end
 *   -- migrate:rebuild TABLE
 *   -- migrate:lint-ignore RULE[,RULE...]
 * The rebuild directive marks the next statement, which must be a CREATE
 * TABLE, as the new definition of TABLE: the executor rebuilds the table
 * (SQLite's create-copy-drop-rename procedure) instead of running it.
 * The lint-ignore directive hands the rest of its line to the next
 * statement (stmt.lint_ignore), whose findings of those rules `migrate
 * lint` leaves out; several such lines before one statement are joined
 * with ','. Both directives are errors outside a section, and when no
 * statement follows them in their section.
 * Everything before the first section line is the header (see revision.h)
 * and is skipped. A dialect-specific section replaces the generic section of
 * the same direction when the requested dialect matches; sections for other
 * dialects are ignored. A statement ends at a ';' outside quotes ('', E'',
 * "", `` on sqlite), comments (--, nested slash-star), dollar quotes ($$,
 * $tag$), BEGIN ATOMIC ... END bodies and CREATE TRIGGER ... BEGIN ... END
 * bodies (CASE ... END nests inside those), or at the end of its section
 * (a final statement may omit the ';'). Between statement-begin and
 * statement-end markers everything is one statement, taken verbatim.
 *
 * tag-20261122-offsets: each statement records the byte offset, line and
 * column (1-based, columns counted in bytes) of its first character in the
 * file; error positions reported by a database (offset into the statement)
 * are mapped back with sqlsplit_locate(). Keep both in step.
 *
 * Ownership: struct script owns its statements and their text (copies).
 */
#ifndef MG_SQLSPLIT_H
#define MG_SQLSPLIT_H

#include <stddef.h>

struct mg_error;

struct stmt {
	char	*sql;		/* NUL-terminated text, without the final ';' */
	size_t	 len;
	size_t	 offset;	/* byte offset of sql[0] in the file */
	int	 line, col;	/* position of sql[0] in the file */
	char	*rebuild;	/* -- migrate:rebuild TABLE: TABLE, else NULL */
	char	*lint_ignore;	/* -- migrate:lint-ignore LIST: LIST, or NULL */
};

struct stmt_list {
	struct stmt	*v;
	size_t		 n;
};

struct script {
	struct stmt_list up;
	struct stmt_list down;
	int		 has_up;	/* an upgrade section exists */
	int		 has_down;	/* a downgrade section exists */
	int		 transaction_off; /* -- migrate:transaction off */
};

/*
 * Parse buf (len bytes, the whole file) for dialect ("sqlite",
 * "postgresql", or NULL for generic sections only). path is used in error
 * messages only. Errors (MG_EREVISION), each with file:line:col: no
 * upgrade section; unterminated quote, quoted identifier, comment or dollar
 * quote (at the position where it opened); statement-begin without
 * statement-end; an unknown '-- migrate:' directive; a duplicate section.
 * On error *out is left empty.
 */
int	sqlsplit_parse(struct script *out, const char *buf, size_t len,
	    const char *dialect, const char *path, struct mg_error *err);
void	sqlsplit_free(struct script *);

/*
 * Map a 0-based byte offset inside st->sql back to a line and column in the
 * file buffer the statement was parsed from (tag-20261122-offsets).
 */
void	sqlsplit_locate(const struct stmt *st, const char *buf, size_t len,
	    size_t pos, int *line, int *col);

#endif
