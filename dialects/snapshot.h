/*
 * snapshot: the text form shared by the dialects' snapshot() (a normalized
 * schema, the basis of `migrate test`). PURE: no I/O, no database.
 *
 * A snapshot is a set of lines, one per fact, each naming its object
 * ("column public.users.email text NOT NULL"), sorted in byte order
 * (strcmp), each ended by '\n'; two snapshots are equal when their texts
 * are. A line holds no control character: snapshot_add() writes a
 * backslash as "\\", newline, tab and carriage return as "\n", "\t", "\r",
 * and any other byte below 0x20, and 0x7f, as "\xHH" (uppercase hex), so
 * that a multi-line definition (a view, a function) stays one line and
 * distinct texts stay distinct.
 *
 * Ownership: struct snapshot owns its lines; snapshot_finish() and
 * snapshot_clear() free them.
 */
#ifndef MG_SNAPSHOT_H
#define MG_SNAPSHOT_H

#include <stddef.h>

struct strbuf;

struct snapshot {
	char	**v;
	size_t	  n, alloc;
};

#define SNAPSHOT_INIT { NULL, 0, 0 }

/* Add one line (escaped as above); NULL is ignored. */
void	snapshot_add(struct snapshot *, const char *line);
/* Sort the lines, append them to out, one per line, and clear the set. */
/* Add a line that is escaped already (a line snapshot_add made). */
void	snapshot_add_escaped(struct snapshot *, const char *line);
void	snapshot_finish(struct snapshot *, struct strbuf *out);
void	snapshot_clear(struct snapshot *);

/*
 * Append name as an identifier: as it is when it is a plain one
 * ([A-Za-z_][A-Za-z0-9_]*), else double-quoted with '"' doubled.
 */
void	snapshot_ident(struct strbuf *, const char *name);

/*
 * Append sql normalized, for SQL text stored as written (SQLite's
 * sqlite_schema): comments dropped; runs of blanks become one blank;
 * no blank around '(', none before ',' or ')', one after ','; leading and
 * trailing blanks dropped; a quoted identifier ("x", `x`, [x]) that is
 * a plain one loses its quotes, another is written "x" (so that the
 * quotes ALTER TABLE ... RENAME puts in do not count); string literals
 * are copied exactly.
 */
void	snapshot_sql(struct strbuf *out, const char *sql);

#endif
