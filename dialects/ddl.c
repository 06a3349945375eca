/*
 * ddl: schema operations as PostgreSQL and SQLite statements, and SQLite's
 * 12-step table rebuild (the rules are in ddl.h).
 *
 * The rebuild edits the table's CREATE TABLE text instead of regenerating
 * it from PRAGMA table_info, because the text is the only place that holds
 * all of it (CHECK expressions, COLLATE, conflict clauses, generated
 * columns, WITHOUT ROWID, STRICT). The text is cut into tokens, the tokens
 * between the outer parentheses into items at top-level commas, and a
 * column item into its name, its type and one segment per column
 * constraint. An edit replaces, drops or adds items and segments; what no
 * edit touches is copied from the original text byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

#define NONE		((size_t)-1)
/* Bytes of a constraint's text quoted in an error message, at most. */
#define SHOWN		48

static const char *const op_names[] = {
	[DDL_CREATE_TABLE] = "create_table",
	[DDL_DROP_TABLE] = "drop_table",
	[DDL_RENAME_TABLE] = "rename_table",
	[DDL_ADD_COLUMN] = "add_column",
	[DDL_DROP_COLUMN] = "drop_column",
	[DDL_ALTER_COLUMN] = "alter_column",
	[DDL_CREATE_INDEX] = "create_index",
	[DDL_DROP_INDEX] = "drop_index",
	[DDL_ADD_FOREIGN_KEY] = "add_foreign_key",
	[DDL_ADD_UNIQUE] = "add_unique",
	[DDL_ADD_CHECK] = "add_check",
	[DDL_DROP_CONSTRAINT] = "drop_constraint",
};
#define NOPS	(sizeof(op_names) / sizeof(op_names[0]))

static const char *const fk_actions[] = {
	"CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT", "NO ACTION", NULL
};

/* Tokens of the SQLite lexer (only what cutting a definition needs). */
enum {
	TK_WORD,	/* keyword or bare identifier */
	TK_IDENT,	/* "x", `x` or [x] */
	TK_STRING,	/* 'x', or the blob X'..' */
	TK_NUMBER,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_SEMI,
	TK_DOT,
	TK_OTHER	/* any other single character */
};

struct tok {
	int	 type;
	size_t	 off, len;
	size_t	 match;		/* a parenthesis: index of the other one */
};

struct lex {
	const char	*sql;
	struct tok	*v;
	size_t		 n;
};

/* Column constraint segments, and the kinds of table constraints. */
enum {
	SEG_PRIMARY,
	SEG_NOTNULL,
	SEG_NULL,
	SEG_UNIQUE,
	SEG_CHECK,
	SEG_DEFAULT,
	SEG_COLLATE,
	SEG_REFERENCES,
	SEG_GENERATED,
	SEG_FOREIGN,
	SEG_OTHER
};

static const char *const seg_names[] = {
	"PRIMARY KEY", "NOT NULL", "NULL", "UNIQUE", "CHECK", "DEFAULT",
	"COLLATE", "REFERENCES", "GENERATED", "FOREIGN KEY", "unknown"
};

struct seg {
	size_t	 b, e;		/* tokens [b, e); b == NONE: added */
	int	 kind;		/* SEG_* */
	size_t	 cname;		/* token of its CONSTRAINT name, or NONE */
	char	*text;		/* replacement or added text, or NULL */
	int	 dropped;
};

struct item {
	size_t		 b, e;	/* tokens [b, e); b == NONE: added */
	int		 column;	/* 0: a table constraint */
	char		*name;	/* column or CONSTRAINT name, or NULL */
	int		 kind;	/* table constraint: SEG_* */
	size_t		 type_b, type_e;	/* column: its type tokens */
	struct seg	*segs;	/* column: its constraints */
	size_t		 nsegs;
	char		*newtype;	/* replacement type, or NULL */
	char		*text;	/* added item */
	int		 dropped, edited, generated;
};

struct table {
	struct lex	 lx;
	char		*name;
	size_t		 lparen, rparen;	/* tokens */
	size_t		 end;	/* tokens before a trailing ';' */
	struct item	*items;
	size_t		 nitems, norig;
	int		 without_rowid, autoincrement;
};

static int	fail(struct mg_error *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct mg_error *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return MG_EUSAGE;
	mg_error_set(err, MG_EUSAGE, "%s", "");
	va_start(ap, fmt);
	strbuf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return MG_EUSAGE;
}

static void
hint(struct mg_error *err, const char *s)
{
	if (err != NULL)
		strbuf_addstr(&err->hint, s);
}

/* Statement lists */

static void
stmts_push(struct ddl_stmts *out, struct strbuf *sb)
{
	/* The capacity is the next power of two: grow when n reaches one. */
	if ((out->n & (out->n - 1)) == 0)
		out->v = xreallocarray(out->v, out->n < 2 ? 4 : out->n * 2,
		    sizeof(*out->v));
	out->v[out->n++] = strbuf_detach(sb, NULL);
}

static void
stmts_pushstr(struct ddl_stmts *out, const char *s)
{
	struct strbuf	 sb = STRBUF_INIT;

	strbuf_addstr(&sb, s);
	stmts_push(out, &sb);
}

static void
stmts_truncate(struct ddl_stmts *out, size_t n)
{
	while (out->n > n)
		free(out->v[--out->n]);
	if (out->n == 0) {
		free(out->v);
		out->v = NULL;
	}
}

void
ddl_stmts_free(struct ddl_stmts *out)
{
	if (out != NULL)
		stmts_truncate(out, 0);
}

/* Quoting and small helpers */

void
ddl_quote_ident(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

void
ddl_quote_literal(struct strbuf *sb, const char *s)
{
	strbuf_addquoted(sb, s);
}

/* SQLite folds ASCII only, whatever the locale. */
static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
ieqn(const char *a, size_t n, const char *b)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (b[i] == '\0' || lower(a[i]) != lower(b[i]))
			return 0;
	return b[n] == '\0';
}

static int
ieq(const char *a, const char *b)
{
	return ieqn(a, strlen(a), b);
}

static void
add_list(struct strbuf *sb, const char *const *cols)
{
	size_t	 i;

	strbuf_addch(sb, '(');
	for (i = 0; cols[i] != NULL; i++) {
		if (i > 0)
			strbuf_addstr(sb, ", ");
		ddl_quote_ident(sb, cols[i]);
	}
	strbuf_addch(sb, ')');
}

static size_t
count(const char *const *v)
{
	size_t	 n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Validation */

static int
missing(struct mg_error *err, const struct ddl_op *op, const char *field)
{
	return fail(err, "%s: %s is required", op_names[op->kind], field);
}

static const char *
fk_action(const char *s)
{
	size_t	 i;

	for (i = 0; fk_actions[i] != NULL; i++)
		if (ieq(s, fk_actions[i]))
			return fk_actions[i];
	return NULL;
}

static int
check_column(const struct ddl_op *op, enum ddl_dialect d, size_t i,
    struct mg_error *err)
{
	const struct ddl_column	*c = &op->columns[i];

	if (c->name == NULL || *c->name == '\0')
		return fail(err, "%s: columns[%zu].name is required",
		    op_names[op->kind], i);
	if (d == DDL_POSTGRESQL && (c->type == NULL || *c->type == '\0'))
		return fail(err, "%s: columns[%zu].type is required",
		    op_names[op->kind], i);
	return 0;
}

static int
check_op(const struct ddl_op *op, enum ddl_dialect d, struct mg_error *err)
{
	size_t	 i;
	int	 rc;

	if (op == NULL || (unsigned)op->kind >= NOPS)
		return fail(err, "unknown ddl operation %d",
		    op ? (int)op->kind : -1);
	if (d != DDL_POSTGRESQL && d != DDL_SQLITE)
		return fail(err, "%s: unknown dialect %d", op_names[op->kind],
		    (int)d);
	if (op->kind != DDL_DROP_INDEX && (op->table == NULL ||
	    *op->table == '\0'))
		return missing(err, op, "table");
	if (op->kind != DDL_CREATE_TABLE && op->kind != DDL_DROP_TABLE &&
	    op->kind != DDL_ADD_COLUMN && (op->name == NULL ||
	    *op->name == '\0'))
		return missing(err, op, "name");
	switch (op->kind) {
	case DDL_CREATE_TABLE:
		if (op->columns == NULL || op->ncolumns == 0)
			return missing(err, op, "columns");
		for (i = 0; i < op->ncolumns; i++)
			if ((rc = check_column(op, d, i, err)) != 0)
				return rc;
		break;
	case DDL_ADD_COLUMN:
		if (op->columns == NULL || op->ncolumns == 0)
			return missing(err, op, "columns");
		if (op->ncolumns != 1)
			return fail(err, "add_column: one column expected, "
			    "got %zu", op->ncolumns);
		if ((rc = check_column(op, d, 0, err)) != 0)
			return rc;
		if (d == DDL_SQLITE && op->columns[0].primary_key)
			return fail(err, "add_column: sqlite cannot add "
			    "PRIMARY KEY column '%s'", op->columns[0].name);
		break;
	case DDL_ALTER_COLUMN:
		if (op->nullable < DDL_NULLABLE_KEEP ||
		    op->nullable > DDL_DROP_NOT_NULL)
			return fail(err, "alter_column: nullable must be -1, "
			    "0 or 1, not %d", op->nullable);
		if (op->new_default != NULL && op->drop_default)
			return fail(err, "alter_column: new_default and "
			    "drop_default contradict each other");
		if (op->using_sql != NULL && op->new_type == NULL)
			return missing(err, op, "new_type (for using_sql)");
		if (op->new_type == NULL && op->nullable == DDL_NULLABLE_KEEP &&
		    op->new_default == NULL && !op->drop_default &&
		    op->new_name == NULL)
			return fail(err, "alter_column: nothing to change on "
			    "column '%s'", op->name);
		if (op->new_type != NULL && *op->new_type == '\0')
			return missing(err, op, "new_type");
		if (op->new_name != NULL && *op->new_name == '\0')
			return missing(err, op, "new_name");
		break;
	case DDL_CREATE_INDEX:
	case DDL_ADD_UNIQUE:
		if (count(op->cols) == 0)
			return missing(err, op, "cols");
		break;
	case DDL_ADD_FOREIGN_KEY:
		if (count(op->cols) == 0)
			return missing(err, op, "cols");
		if (op->ref_table == NULL || *op->ref_table == '\0')
			return missing(err, op, "ref_table");
		if (op->ref_cols != NULL &&
		    count(op->ref_cols) != count(op->cols))
			return fail(err, "add_foreign_key: %zu columns "
			    "reference %zu", count(op->cols),
			    count(op->ref_cols));
		if (op->on_delete != NULL && fk_action(op->on_delete) == NULL)
			return fail(err, "add_foreign_key: unknown ON DELETE "
			    "action '%s'", op->on_delete);
		break;
	case DDL_ADD_CHECK:
		if (op->check_sql == NULL || *op->check_sql == '\0')
			return missing(err, op, "check_sql");
		break;
	default:
		break;
	}
	return 0;
}

int
ddl_needs_rebuild(enum ddl_dialect d, const struct ddl_op *op)
{
	if (d != DDL_SQLITE || op == NULL)
		return 0;
	switch (op->kind) {
	case DDL_DROP_COLUMN:
	case DDL_ADD_CHECK:
	case DDL_ADD_FOREIGN_KEY:
	case DDL_DROP_CONSTRAINT:
		return 1;
	case DDL_ALTER_COLUMN:
		return op->new_type != NULL ||
		    op->nullable != DDL_NULLABLE_KEEP ||
		    op->new_default != NULL || op->drop_default ||
		    op->using_sql != NULL;
	default:
		return 0;
	}
}

/* The SQLite lexer */

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_word_start(unsigned char c)
{
	/* Bytes >= 0x80 are UTF-8 letters to SQLite. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static int
is_word(unsigned char c)
{
	return is_word_start(c) || is_digit(c) || c == '$';
}

/* Skip a quoted run opening at s[*i]; 0, or -1 when unterminated. */
static int
skip_quoted(const char *s, size_t *i, char close)
{
	size_t	 j = *i + 1;

	for (;;) {
		if (s[j] == '\0')
			return -1;
		if (s[j] == close) {
			/* [x] has no escape; the others double the quote. */
			if (close != ']' && s[j + 1] == close) {
				j += 2;
				continue;
			}
			*i = j + 1;
			return 0;
		}
		j++;
	}
}

static size_t
skip_number(const char *s, size_t i)
{
	size_t	 j;

	if (s[i] == '0' && lower(s[i + 1]) == 'x') {
		for (i += 2; is_word(s[i]); i++)
			;
		return i;
	}
	while (is_digit(s[i]) || s[i] == '_')
		i++;
	if (s[i] == '.')
		for (i++; is_digit(s[i]) || s[i] == '_'; i++)
			;
	if (lower(s[i]) == 'e') {
		j = i + 1;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (is_digit(s[j]))
			for (i = j; is_digit(s[i]); i++)
				;
	}
	return i;
}

static void
lex_free(struct lex *lx)
{
	free(lx->v);
	lx->v = NULL;
	lx->n = 0;
}

/*
 * Cut sql into tokens, dropping blanks and comments, and pair the
 * parentheses. Returns NULL, or what is wrong (lx is then freed).
 */
static const char *
lex(struct lex *lx, const char *sql)
{
	const char	*why = NULL, *p;
	size_t		*stack = NULL, nstack = 0, cap = 0, i = 0, start;
	int		 type;
	unsigned char	 c;

	lx->sql = sql;
	lx->v = NULL;
	lx->n = 0;
	while ((c = sql[i]) != '\0') {
		if (is_space(c)) {
			i++;
			continue;
		}
		if (c == '-' && sql[i + 1] == '-') {
			while (sql[i] != '\0' && sql[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && sql[i + 1] == '*') {
			/* SQLite lets a block comment run to the end. */
			p = strstr(sql + i + 2, "*/");
			i = p ? (size_t)(p - sql) + 2 : strlen(sql);
			continue;
		}
		start = i;
		type = TK_OTHER;
		if (c == '\'' || (lower(c) == 'x' && sql[i + 1] == '\'')) {
			if (c != '\'')
				i++;
			if (skip_quoted(sql, &i, '\'') != 0) {
				why = "unterminated string";
				break;
			}
			type = TK_STRING;
		} else if (c == '"' || c == '`' || c == '[') {
			if (skip_quoted(sql, &i, c == '[' ? ']' : c) != 0) {
				why = "unterminated quoted identifier";
				break;
			}
			type = TK_IDENT;
		} else if (is_digit(c) || (c == '.' && is_digit(sql[i + 1]))) {
			i = skip_number(sql, i);
			type = TK_NUMBER;
		} else if (is_word_start(c)) {
			while (is_word(sql[i]))
				i++;
			type = TK_WORD;
		} else {
			i++;
			switch (c) {
			case '(':
				type = TK_LPAREN;
				break;
			case ')':
				type = TK_RPAREN;
				break;
			case ',':
				type = TK_COMMA;
				break;
			case ';':
				type = TK_SEMI;
				break;
			case '.':
				type = TK_DOT;
				break;
			}
		}
		if ((lx->n & (lx->n - 1)) == 0)
			lx->v = xreallocarray(lx->v, lx->n < 2 ? 8 : lx->n * 2,
			    sizeof(*lx->v));
		lx->v[lx->n].type = type;
		lx->v[lx->n].off = start;
		lx->v[lx->n].len = i - start;
		lx->v[lx->n].match = NONE;
		if (type == TK_LPAREN) {
			if (nstack == cap) {
				cap = cap ? cap * 2 : 8;
				stack = xreallocarray(stack, cap,
				    sizeof(*stack));
			}
			stack[nstack++] = lx->n;
		} else if (type == TK_RPAREN) {
			if (nstack == 0) {
				why = "unbalanced ')'";
				break;
			}
			lx->v[lx->n].match = stack[--nstack];
			lx->v[stack[nstack]].match = lx->n;
		}
		lx->n++;
	}
	if (why == NULL && nstack > 0)
		why = "unbalanced '('";
	free(stack);
	if (why != NULL)
		lex_free(lx);
	return why;
}

#define TEND(lx, i)	((lx)->v[i].off + (lx)->v[i].len)

static int
kw(const struct lex *lx, size_t i, const char *word)
{
	return i < lx->n && lx->v[i].type == TK_WORD &&
	    ieqn(lx->sql + lx->v[i].off, lx->v[i].len, word);
}

static int
is_type(const struct lex *lx, size_t i, int type)
{
	return i < lx->n && lx->v[i].type == type;
}

/* A token that can be a name: a word, a quoted identifier, a 'string'. */
static int
is_name(const struct lex *lx, size_t i)
{
	return i < lx->n && (lx->v[i].type == TK_WORD ||
	    lx->v[i].type == TK_IDENT || (lx->v[i].type == TK_STRING &&
	    lx->sql[lx->v[i].off] == '\''));
}

/* The next token after i, a parenthesised group counting as one. */
static size_t
skip(const struct lex *lx, size_t i)
{
	return lx->v[i].type == TK_LPAREN ? lx->v[i].match + 1 : i + 1;
}

/* Append name token i without its quotes. */
static void
unquote(struct strbuf *sb, const struct lex *lx, size_t i)
{
	const char	*p = lx->sql + lx->v[i].off;
	size_t		 n = lx->v[i].len, k;
	char		 close;

	if (lx->v[i].type == TK_WORD) {
		strbuf_add(sb, p, n);
		return;
	}
	close = p[0] == '[' ? ']' : p[0];
	for (k = 1; k + 1 < n; k++) {
		strbuf_addch(sb, p[k]);
		if (p[k] == close && close != ']')
			k++;
	}
}

static char *
name_of(const struct lex *lx, size_t i)
{
	struct strbuf	 sb = STRBUF_INIT;

	unquote(&sb, lx, i);
	return strbuf_detach(&sb, NULL);
}

static int
name_eq(const struct lex *lx, size_t i, const char *name)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 eq;

	if (!is_name(lx, i))
		return 0;
	unquote(&sb, lx, i);
	eq = ieq(sb.buf, name);
	strbuf_release(&sb);
	return eq;
}

/*
 * 1 when a token in [b, e) names column col: a word or quoted identifier
 * equal to it that is not a function call.
 */
static int
uses(const struct lex *lx, size_t b, size_t e, const char *col)
{
	size_t	 i;

	for (i = b; i < e && i < lx->n; i++) {
		if (lx->v[i].type != TK_WORD && lx->v[i].type != TK_IDENT)
			continue;
		if (lx->v[i].type == TK_WORD && is_type(lx, i + 1, TK_LPAREN))
			continue;
		if (name_eq(lx, i, col))
			return 1;
	}
	return 0;
}

/* The first parenthesised group in [b, e), as tokens inside it. */
static int
first_group(const struct lex *lx, size_t b, size_t e, size_t *gb, size_t *ge)
{
	size_t	 i;

	for (i = b; i < e; i++)
		if (lx->v[i].type == TK_LPAREN) {
			*gb = i + 1;
			*ge = lx->v[i].match;
			return 1;
		}
	return 0;
}

static void
add_slice(struct strbuf *sb, const char *sql, size_t from, size_t to)
{
	if (to > from)
		strbuf_add(sb, sql + from, to - from);
}

/* Append tokens [b, e) as written, blanks and comments between included. */
static void
add_tokens(struct strbuf *sb, const struct lex *lx, size_t b, size_t e)
{
	if (b < e)
		add_slice(sb, lx->sql, lx->v[b].off, TEND(lx, e - 1));
}

/*
 * CREATE [UNIQUE|TEMP|TEMPORARY] <what> [IF NOT EXISTS] [schema.]name:
 * the name (unquoted) and the token after it. -1 when sql is not that.
 */
static int
object_name(const struct lex *lx, const char *what, struct strbuf *name,
    size_t *next)
{
	size_t	 i = 1;

	if (!kw(lx, 0, "create"))
		return -1;
	while (kw(lx, i, "unique") || kw(lx, i, "temp") ||
	    kw(lx, i, "temporary"))
		i++;
	if (!kw(lx, i++, what))
		return -1;
	if (kw(lx, i, "if") && kw(lx, i + 1, "not") &&
	    kw(lx, i + 2, "exists"))
		i += 3;
	if (is_name(lx, i) && is_type(lx, i + 1, TK_DOT))
		i += 2;
	if (!is_name(lx, i))
		return -1;
	unquote(name, lx, i);
	*next = i + 1;
	return 0;
}

/* Parsing a CREATE TABLE */

static const char *const starters[] = {
	"constraint", "primary", "not", "null", "unique", "check", "default",
	"collate", "references", "generated", "as", NULL
};

/* Token i starts a column constraint (NOT DEFERRABLE does not). */
static int
is_starter(const struct lex *lx, size_t i)
{
	size_t	 k;

	if (kw(lx, i, "not") && kw(lx, i + 1, "deferrable"))
		return 0;
	for (k = 0; starters[k] != NULL; k++)
		if (kw(lx, i, starters[k]))
			return 1;
	return 0;
}

/* After REFERENCES tbl [(cols)]: ON ..., MATCH x, [NOT] DEFERRABLE ... */
static size_t
fk_tail(const struct lex *lx, size_t i, size_t e)
{
	while (i < e) {
		if (kw(lx, i, "on")) {
			i += 2;
			i += kw(lx, i, "set") || kw(lx, i, "no") ? 2 : 1;
		} else if (kw(lx, i, "match") || kw(lx, i, "initially"))
			i += 2;
		else if (kw(lx, i, "not") && kw(lx, i + 1, "deferrable"))
			i += 2;
		else if (kw(lx, i, "deferrable"))
			i++;
		else
			break;
	}
	return i < e ? i : e;
}

static void
push_seg(struct item *it, const struct seg *s)
{
	it->segs = xreallocarray(it->segs, it->nsegs + 1, sizeof(*it->segs));
	it->segs[it->nsegs++] = *s;
}

/* A column definition: name [type] constraint... in tokens [b, e). */
static void
parse_column(struct item *it, const struct lex *lx, size_t b, size_t e)
{
	struct seg	 s;
	size_t		 i;

	it->column = 1;
	it->name = name_of(lx, b);
	i = it->type_b = b + 1;
	while (i < e && !is_starter(lx, i))
		i = skip(lx, i);
	it->type_e = i;
	while (i < e) {
		memset(&s, 0, sizeof(s));
		s.b = i;
		s.cname = NONE;
		s.kind = SEG_OTHER;
		if (kw(lx, i, "constraint") && i + 1 < e) {
			s.cname = i + 1;
			i += 2;
		}
		if (kw(lx, i, "primary")) {
			s.kind = SEG_PRIMARY;
			i++;
		} else if (kw(lx, i, "not") && kw(lx, i + 1, "null")) {
			s.kind = SEG_NOTNULL;
			i += 2;
		} else if (kw(lx, i, "null")) {
			s.kind = SEG_NULL;
			i++;
		} else if (kw(lx, i, "unique")) {
			s.kind = SEG_UNIQUE;
			i++;
		} else if (kw(lx, i, "check")) {
			s.kind = SEG_CHECK;
			i++;
			if (is_type(lx, i, TK_LPAREN) && i < e)
				i = skip(lx, i);
		} else if (kw(lx, i, "default")) {
			/* The value is one token, a signed number or (...). */
			s.kind = SEG_DEFAULT;
			i++;
			if (i < e && lx->v[i].type == TK_OTHER &&
			    strchr("+-", lx->sql[lx->v[i].off]) != NULL)
				i++;
			if (i < e)
				i = skip(lx, i);
		} else if (kw(lx, i, "collate")) {
			s.kind = SEG_COLLATE;
			i += 2;
		} else if (kw(lx, i, "references")) {
			s.kind = SEG_REFERENCES;
			i += 2;
			if (i < e && is_type(lx, i, TK_LPAREN))
				i = skip(lx, i);
			i = fk_tail(lx, i < e ? i : e, e);
		} else if (kw(lx, i, "generated") || kw(lx, i, "as")) {
			s.kind = SEG_GENERATED;
			it->generated = 1;
			while (i < e && !is_type(lx, i, TK_LPAREN))
				i++;
			if (i < e)
				i = skip(lx, i);
		} else if (i < e)
			i = skip(lx, i);
		/* ASC, DESC, ON CONFLICT x, AUTOINCREMENT, STORED, ... */
		while (i < e && !is_starter(lx, i))
			i = skip(lx, i);
		s.e = i < e ? i : e;
		i = s.e;
		push_seg(it, &s);
	}
}

/* A table constraint: [CONSTRAINT name] PRIMARY|UNIQUE|CHECK|FOREIGN ... */
static void
parse_constraint(struct item *it, const struct lex *lx, size_t b)
{
	size_t	 i = b;

	if (kw(lx, i, "constraint")) {
		if (is_name(lx, i + 1))
			it->name = name_of(lx, i + 1);
		i += 2;
	}
	if (kw(lx, i, "primary"))
		it->kind = SEG_PRIMARY;
	else if (kw(lx, i, "unique"))
		it->kind = SEG_UNIQUE;
	else if (kw(lx, i, "check"))
		it->kind = SEG_CHECK;
	else if (kw(lx, i, "foreign"))
		it->kind = SEG_FOREIGN;
	else
		it->kind = SEG_OTHER;
}

static void
table_free(struct table *t)
{
	size_t	 k, j;

	for (k = 0; k < t->nitems; k++) {
		for (j = 0; j < t->items[k].nsegs; j++)
			free(t->items[k].segs[j].text);
		free(t->items[k].segs);
		free(t->items[k].name);
		free(t->items[k].newtype);
		free(t->items[k].text);
	}
	free(t->items);
	free(t->name);
	lex_free(&t->lx);
	memset(t, 0, sizeof(*t));
}

static struct item *
new_item(struct table *t)
{
	struct item	*it;

	t->items = xreallocarray(t->items, t->nitems + 1, sizeof(*t->items));
	it = &t->items[t->nitems++];
	memset(it, 0, sizeof(*it));
	it->b = it->e = NONE;
	return it;
}

/*
 * Parse CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name (item, ...)
 * [options] [;]. what names the text in error messages.
 */
static int
table_parse(struct table *t, const char *sql, const char *what,
    struct mg_error *err)
{
	struct strbuf	 name = STRBUF_INIT;
	const struct lex *lx = &t->lx;
	const char	*why;
	struct item	*it;
	size_t		 i, b;

	memset(t, 0, sizeof(*t));
	if ((why = lex(&t->lx, sql)) != NULL)
		return fail(err, "cannot parse %s: %s", what, why);
	if (object_name(lx, "table", &name, &i) != 0 ||
	    !is_type(lx, i, TK_LPAREN)) {
		strbuf_release(&name);
		table_free(t);
		return fail(err, "cannot parse %s: not CREATE TABLE "
		    "name (...)", what);
	}
	t->name = strbuf_detach(&name, NULL);
	t->lparen = i;
	t->rparen = lx->v[i].match;
	for (t->end = t->rparen + 1; t->end < lx->n; t->end++)
		if (lx->v[t->end].type == TK_SEMI)
			break;
	for (i = t->end; i < lx->n; i++)
		if (lx->v[i].type != TK_SEMI) {
			table_free(t);
			return fail(err, "cannot parse %s: text after ';'",
			    what);
		}
	for (i = t->rparen + 1; i + 1 < t->end; i++)
		if (kw(lx, i, "without") && kw(lx, i + 1, "rowid"))
			t->without_rowid = 1;
	for (i = t->lparen + 1; i < t->rparen; i++)
		if (kw(lx, i, "autoincrement"))
			t->autoincrement = 1;

	i = t->lparen + 1;
	for (;;) {
		b = i;
		while (i < t->rparen && lx->v[i].type != TK_COMMA)
			i = skip(lx, i);
		if (b == i) {
			why = b == t->lparen + 1 ? "no columns" : "empty item";
			table_free(t);
			return fail(err, "cannot parse %s: %s", what, why);
		}
		it = new_item(t);
		it->b = b;
		it->e = i;
		if (kw(lx, b, "constraint") || kw(lx, b, "primary") ||
		    kw(lx, b, "unique") || kw(lx, b, "check") ||
		    kw(lx, b, "foreign"))
			parse_constraint(it, lx, b);
		else if (is_name(lx, b))
			parse_column(it, lx, b, i);
		else {
			i = lx->v[b].off;
			table_free(t);
			return fail(err, "cannot parse %s: expected a column "
			    "name at byte %zu", what, i);
		}
		if (i == t->rparen)
			break;
		i++;
	}
	t->norig = t->nitems;
	return 0;
}

static int
only_blanks(const char *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (!is_space(s[from]))
			return 0;
	return 1;
}

static int
has_dashdash(const char *s, size_t from, size_t to)
{
	for (; from + 1 < to; from++)
		if (s[from] == '-' && s[from + 1] == '-')
			return 1;
	return 0;
}

static void
render_item(struct strbuf *sb, const struct table *t, const struct item *it)
{
	const struct lex	*lx = &t->lx;
	const struct seg	*s;
	size_t			 j;

	if (it->b == NONE) {
		strbuf_addstr(sb, it->text);
		return;
	}
	if (!it->edited) {
		add_tokens(sb, lx, it->b, it->e);
		return;
	}
	/* An edited column: name, type, constraints, one blank apart. */
	add_tokens(sb, lx, it->b, it->b + 1);
	if (it->newtype != NULL) {
		strbuf_addch(sb, ' ');
		strbuf_addstr(sb, it->newtype);
	} else if (it->type_b < it->type_e) {
		strbuf_addch(sb, ' ');
		add_tokens(sb, lx, it->type_b, it->type_e);
	}
	for (j = 0; j < it->nsegs; j++) {
		s = &it->segs[j];
		if (s->dropped)
			continue;
		strbuf_addch(sb, ' ');
		if (s->text != NULL)
			strbuf_addstr(sb, s->text);
		else
			add_tokens(sb, lx, s->b, s->e);
	}
}

/*
 * The table's CREATE TABLE under name, edits applied. Kept items keep the
 * blanks and comments around them; added items follow the last one, laid
 * out as the last original item is.
 */
static void
table_render(struct strbuf *sb, const struct table *t, const char *name)
{
	const struct lex	*lx = &t->lx;
	const struct item	*it, *last;
	const char		*sql = lx->sql;
	size_t			 k, lastkept = NONE, from, to, cut;
	size_t			 lead0_from, lead0_to, sep_from, sep_to;
	size_t			 close_from = 0, close_to = 0;
	int			 first = 1, sep_nl;

	for (k = 0; k < t->norig; k++)
		if (!t->items[k].dropped)
			lastkept = k;
	it = &t->items[0];
	lead0_from = TEND(lx, it->b - 1);
	lead0_to = lx->v[it->b].off;
	last = &t->items[t->norig - 1];
	/* The blanks that open the last item's lead, if a line break. */
	sep_from = sep_to = TEND(lx, last->b - 1);
	while (sep_to < lx->v[last->b].off && is_space(sql[sep_to]))
		sep_to++;
	sep_nl = memchr(sql + sep_from, '\n', sep_to - sep_from) != NULL;

	strbuf_addstr(sb, "CREATE TABLE ");
	ddl_quote_ident(sb, name);
	strbuf_addstr(sb, " (");
	for (k = 0; k < t->norig; k++) {
		it = &t->items[k];
		if (it->dropped)
			continue;
		from = TEND(lx, it->b - 1);
		to = lx->v[it->b].off;
		if (first && only_blanks(sql, from, to)) {
			from = lead0_from;
			to = lead0_to;
		}
		if (!first)
			strbuf_addch(sb, ',');
		add_slice(sb, sql, from, to);
		render_item(sb, t, it);
		from = TEND(lx, it->e - 1);
		to = lx->v[it->e].off;
		if (k == lastkept && !has_dashdash(sql, from, to)) {
			/* Blanks before ')' go after the added items. */
			for (cut = to; cut > from && is_space(sql[cut - 1]);
			    cut--)
				;
			to = cut;
			from = TEND(lx, last->e - 1);
			if (!has_dashdash(sql, from, lx->v[last->e].off)) {
				close_to = lx->v[last->e].off;
				for (close_from = close_to; close_from > from &&
				    is_space(sql[close_from - 1]); close_from--)
					;
			}
			from = TEND(lx, it->e - 1);
		}
		add_slice(sb, sql, from, to);
		first = 0;
	}
	for (k = t->norig; k < t->nitems; k++) {
		if (!first) {
			strbuf_addch(sb, ',');
			if (sep_nl)
				add_slice(sb, sql, sep_from, sep_to);
			else
				strbuf_addch(sb, ' ');
		}
		render_item(sb, t, &t->items[k]);
		first = 0;
	}
	add_slice(sb, sql, close_from, close_to);
	strbuf_addch(sb, ')');
	if (t->rparen + 1 < t->end) {
		strbuf_addch(sb, ' ');
		add_tokens(sb, lx, t->rparen + 1, t->end);
	}
}

static size_t
find_column(const struct table *t, const char *name)
{
	size_t	 k;

	for (k = 0; k < t->nitems; k++)
		if (t->items[k].column && !t->items[k].dropped &&
		    ieq(t->items[k].name, name))
			return k;
	return NONE;
}

/* Render a DEFAULT value as SQLite's grammar wants it. */
static int
sqlite_default(struct strbuf *sb, const char *value, struct mg_error *err)
{
	struct lex	 lx;
	const char	*why;
	int		 plain;

	if ((why = lex(&lx, value)) != NULL)
		return fail(err, "cannot parse DEFAULT '%s': %s", value, why);
	if (lx.n == 0) {
		lex_free(&lx);
		return fail(err, "empty DEFAULT");
	}
	plain = (lx.n == 1 && lx.v[0].type <= TK_NUMBER) ||
	    (lx.n == 2 && lx.v[0].type == TK_OTHER &&
	    strchr("+-", value[lx.v[0].off]) != NULL &&
	    lx.v[1].type == TK_NUMBER) ||
	    (lx.v[0].type == TK_LPAREN && lx.v[0].match == lx.n - 1);
	lex_free(&lx);
	if (!plain)
		strbuf_addch(sb, '(');
	strbuf_addstr(sb, value);
	if (!plain)
		strbuf_addch(sb, ')');
	return 0;
}

/* PostgreSQL rendering, shared with SQLite where the syntax agrees */

static int
column_def(struct strbuf *sb, enum ddl_dialect d, const struct ddl_column *c,
    int inline_pk, struct mg_error *err)
{
	ddl_quote_ident(sb, c->name);
	if (c->type != NULL && *c->type != '\0') {
		strbuf_addch(sb, ' ');
		strbuf_addstr(sb, c->type);
	}
	if (inline_pk && c->primary_key)
		strbuf_addstr(sb, " PRIMARY KEY");
	if (c->not_null)
		strbuf_addstr(sb, " NOT NULL");
	if (c->default_sql != NULL) {
		strbuf_addstr(sb, " DEFAULT ");
		if (d == DDL_SQLITE)
			return sqlite_default(sb, c->default_sql, err);
		strbuf_addstr(sb, c->default_sql);
	}
	return 0;
}

/* CONSTRAINT "name" FOREIGN KEY ... | UNIQUE (...) | CHECK (...) */
static void
constraint_def(struct strbuf *sb, const struct ddl_op *op)
{
	strbuf_addstr(sb, "CONSTRAINT ");
	ddl_quote_ident(sb, op->name);
	switch (op->kind) {
	case DDL_ADD_FOREIGN_KEY:
		strbuf_addstr(sb, " FOREIGN KEY ");
		add_list(sb, op->cols);
		strbuf_addstr(sb, " REFERENCES ");
		ddl_quote_ident(sb, op->ref_table);
		if (op->ref_cols != NULL) {
			strbuf_addch(sb, ' ');
			add_list(sb, op->ref_cols);
		}
		if (op->on_delete != NULL) {
			strbuf_addstr(sb, " ON DELETE ");
			strbuf_addstr(sb, fk_action(op->on_delete));
		}
		break;
	case DDL_ADD_UNIQUE:
		strbuf_addstr(sb, " UNIQUE ");
		add_list(sb, op->cols);
		break;
	case DDL_ADD_CHECK:
		strbuf_addstr(sb, " CHECK (");
		strbuf_addstr(sb, op->check_sql);
		strbuf_addch(sb, ')');
		break;
	default:
		BUG("constraint_def: op %d", (int)op->kind);
	}
}

static void
alter_table(struct strbuf *sb, const struct ddl_op *op)
{
	strbuf_addstr(sb, "ALTER TABLE ");
	ddl_quote_ident(sb, op->table);
	strbuf_addch(sb, ' ');
}

static void
alter_action(struct strbuf *sb, const struct ddl_op *op, int *nactions)
{
	if ((*nactions)++ > 0)
		strbuf_addstr(sb, ", ");
	strbuf_addstr(sb, "ALTER COLUMN ");
	ddl_quote_ident(sb, op->name);
	strbuf_addch(sb, ' ');
}

static void
render_alter_column(struct ddl_stmts *out, const struct ddl_op *op)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 n = 0;

	alter_table(&sb, op);
	if (op->new_type != NULL) {
		alter_action(&sb, op, &n);
		strbuf_addf(&sb, "TYPE %s", op->new_type);
		if (op->using_sql != NULL)
			strbuf_addf(&sb, " USING %s", op->using_sql);
	}
	if (op->drop_default) {
		alter_action(&sb, op, &n);
		strbuf_addstr(&sb, "DROP DEFAULT");
	}
	if (op->new_default != NULL) {
		alter_action(&sb, op, &n);
		strbuf_addf(&sb, "SET DEFAULT %s", op->new_default);
	}
	if (op->nullable != DDL_NULLABLE_KEEP) {
		alter_action(&sb, op, &n);
		strbuf_addstr(&sb, op->nullable == DDL_SET_NOT_NULL ?
		    "SET NOT NULL" : "DROP NOT NULL");
	}
	if (n > 0)
		stmts_push(out, &sb);
	strbuf_release(&sb);
	if (op->new_name != NULL) {
		/* RENAME cannot share an ALTER TABLE with other actions. */
		alter_table(&sb, op);
		strbuf_addstr(&sb, "RENAME COLUMN ");
		ddl_quote_ident(&sb, op->name);
		strbuf_addstr(&sb, " TO ");
		ddl_quote_ident(&sb, op->new_name);
		stmts_push(out, &sb);
	}
}

static int
render(struct ddl_stmts *out, enum ddl_dialect d, const struct ddl_op *op,
    struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i, npk = 0;
	int		 rc = 0;

	switch (op->kind) {
	case DDL_CREATE_TABLE:
		strbuf_addstr(&sb, "CREATE TABLE ");
		ddl_quote_ident(&sb, op->table);
		strbuf_addstr(&sb, " (");
		for (i = 0; i < op->ncolumns; i++) {
			if (i > 0)
				strbuf_addstr(&sb, ", ");
			if ((rc = column_def(&sb, d, &op->columns[i], 0,
			    err)) != 0)
				goto done;
			npk += op->columns[i].primary_key != 0;
		}
		if (npk > 0) {
			strbuf_addstr(&sb, ", PRIMARY KEY (");
			for (i = 0, npk = 0; i < op->ncolumns; i++) {
				if (!op->columns[i].primary_key)
					continue;
				if (npk++ > 0)
					strbuf_addstr(&sb, ", ");
				ddl_quote_ident(&sb, op->columns[i].name);
			}
			strbuf_addch(&sb, ')');
		}
		strbuf_addch(&sb, ')');
		break;
	case DDL_DROP_TABLE:
		strbuf_addstr(&sb, "DROP TABLE ");
		ddl_quote_ident(&sb, op->table);
		break;
	case DDL_RENAME_TABLE:
		alter_table(&sb, op);
		strbuf_addstr(&sb, "RENAME TO ");
		ddl_quote_ident(&sb, op->name);
		break;
	case DDL_ADD_COLUMN:
		alter_table(&sb, op);
		strbuf_addstr(&sb, "ADD COLUMN ");
		if ((rc = column_def(&sb, d, &op->columns[0], 1, err)) != 0)
			goto done;
		break;
	case DDL_DROP_COLUMN:
		alter_table(&sb, op);
		strbuf_addstr(&sb, "DROP COLUMN ");
		ddl_quote_ident(&sb, op->name);
		break;
	case DDL_ALTER_COLUMN:
		render_alter_column(out, op);
		goto done;
	case DDL_CREATE_INDEX:
		strbuf_addf(&sb, "CREATE %sINDEX %s", op->unique ?
		    "UNIQUE " : "", op->concurrently && d == DDL_POSTGRESQL ?
		    "CONCURRENTLY " : "");
		ddl_quote_ident(&sb, op->name);
		strbuf_addstr(&sb, " ON ");
		ddl_quote_ident(&sb, op->table);
		strbuf_addch(&sb, ' ');
		add_list(&sb, op->cols);
		if (op->where != NULL)
			strbuf_addf(&sb, " WHERE %s", op->where);
		break;
	case DDL_DROP_INDEX:
		strbuf_addf(&sb, "DROP INDEX %s", op->concurrently &&
		    d == DDL_POSTGRESQL ? "CONCURRENTLY " : "");
		ddl_quote_ident(&sb, op->name);
		break;
	case DDL_ADD_UNIQUE:
		if (d == DDL_SQLITE) {
			strbuf_addstr(&sb, "CREATE UNIQUE INDEX ");
			ddl_quote_ident(&sb, op->name);
			strbuf_addstr(&sb, " ON ");
			ddl_quote_ident(&sb, op->table);
			strbuf_addch(&sb, ' ');
			add_list(&sb, op->cols);
			break;
		}
		/* FALLTHROUGH */
	case DDL_ADD_FOREIGN_KEY:
	case DDL_ADD_CHECK:
		alter_table(&sb, op);
		strbuf_addstr(&sb, "ADD ");
		constraint_def(&sb, op);
		break;
	case DDL_DROP_CONSTRAINT:
		alter_table(&sb, op);
		strbuf_addstr(&sb, "DROP CONSTRAINT ");
		ddl_quote_ident(&sb, op->name);
		break;
	}
	stmts_push(out, &sb);
done:
	strbuf_release(&sb);
	return rc;
}

int
ddl_render(struct ddl_stmts *out, enum ddl_dialect d, const struct ddl_op *op,
    struct mg_error *err)
{
	size_t	 mark = out->n;
	int	 rc;

	if ((rc = check_op(op, d, err)) != 0)
		return rc;
	if (ddl_needs_rebuild(d, op)) {
		rc = fail(err, "%s on table '%s' needs a table rebuild on "
		    "sqlite", op_names[op->kind], op->table);
		hint(err, "SQLite's ALTER TABLE cannot do this; the table "
		    "has to be copied into a new one (ddl_sqlite_rebuild).");
		return rc;
	}
	if ((rc = render(out, d, op, err)) != 0)
		stmts_truncate(out, mark);
	return rc;
}

/* The SQLite rebuild */

static const char *
describe(struct strbuf *sb, const struct table *t, const struct item *it)
{
	strbuf_reset(sb);
	if (it->name != NULL) {
		strbuf_addstr(sb, "constraint '");
		strbuf_addstr(sb, it->name);
		strbuf_addch(sb, '\'');
	} else {
		strbuf_addf(sb, "unnamed %s constraint '", seg_names[it->kind]);
		add_tokens(sb, &t->lx, it->b, it->e);
		if (sb->len > SHOWN + 30)
			strbuf_setlen(sb, SHOWN + 30);
		strbuf_addch(sb, '\'');
	}
	return sb->buf;
}

/* DROP_COLUMN: refuse when something in the definition still uses it. */
static int
edit_drop_column(struct table *t, struct item *col, struct mg_error *err)
{
	const struct lex	*lx = &t->lx;
	struct strbuf		 sb = STRBUF_INIT;
	struct item		*it;
	size_t			 k, j, gb, ge, e, ncols = 0;
	int			 rc;

	for (k = 0; k < t->nitems; k++) {
		it = &t->items[k];
		if (it->dropped)
			continue;
		if (it->column) {
			ncols++;
			if (it == col)
				continue;
			for (j = 0; j < it->nsegs; j++) {
				e = it->segs[j].e;
				if ((it->segs[j].kind != SEG_CHECK &&
				    it->segs[j].kind != SEG_GENERATED) ||
				    !first_group(lx, it->segs[j].b, e, &gb,
				    &ge) || !uses(lx, gb, ge, col->name))
					continue;
				rc = fail(err, "cannot drop column '%s' of "
				    "table '%s': column '%s' uses it",
				    col->name, t->name, it->name);
				hint(err, "Change that column first.");
				return rc;
			}
			continue;
		}
		/* A FOREIGN KEY's first group is its own columns. */
		if (!first_group(lx, it->b, it->e, &gb, &ge) ||
		    !uses(lx, gb, ge, col->name))
			continue;
		rc = fail(err, "cannot drop column '%s' of table '%s': %s "
		    "uses it", col->name, t->name, describe(&sb, t, it));
		strbuf_release(&sb);
		hint(err, "Drop the constraint first (an unnamed one by "
		    "rebuilding the table to a new definition).");
		return rc;
	}
	if (ncols == 1)
		return fail(err, "cannot drop column '%s': it is the only "
		    "column of table '%s'", col->name, t->name);
	col->dropped = 1;
	return 0;
}

static void
set_seg_text(struct seg *s, char *text)
{
	free(s->text);
	s->text = text;
}

static int
edit_alter_column(struct table *t, struct item *col, const struct ddl_op *op,
    struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct seg	 s, *sg;
	size_t		 j;
	int		 have = 0, rc;

	col->edited = 1;
	if (op->new_type != NULL)
		col->newtype = xstrdup(op->new_type);
	for (j = 0; j < col->nsegs; j++) {
		sg = &col->segs[j];
		if (sg->kind == SEG_NOTNULL) {
			if (op->nullable == DDL_DROP_NOT_NULL)
				sg->dropped = 1;
			have = 1;
		} else if (sg->kind == SEG_NULL &&
		    op->nullable == DDL_SET_NOT_NULL)
			sg->dropped = 1;
	}
	memset(&s, 0, sizeof(s));
	s.b = s.e = s.cname = NONE;
	if (op->nullable == DDL_SET_NOT_NULL && !have) {
		s.kind = SEG_NOTNULL;
		s.text = xstrdup("NOT NULL");
		push_seg(col, &s);
	}
	if (op->new_default == NULL && !op->drop_default)
		return 0;
	if (op->new_default != NULL) {
		strbuf_addstr(&sb, "DEFAULT ");
		if ((rc = sqlite_default(&sb, op->new_default, err)) != 0) {
			strbuf_release(&sb);
			return rc;
		}
	}
	have = 0;
	for (j = 0; j < col->nsegs; j++) {
		sg = &col->segs[j];
		if (sg->kind != SEG_DEFAULT || sg->dropped)
			continue;
		if (op->drop_default || have) {
			sg->dropped = 1;
			continue;
		}
		/* Keep "CONSTRAINT name" in front of the new value. */
		have = 1;
		if (sg->cname != NONE) {
			struct strbuf	 named = STRBUF_INIT;

			add_tokens(&named, &t->lx, sg->b, sg->cname + 1);
			strbuf_addf(&named, " %s", sb.buf);
			set_seg_text(sg, strbuf_detach(&named, NULL));
		} else
			set_seg_text(sg, xstrdup(sb.buf));
	}
	if (op->new_default != NULL && !have) {
		s.kind = SEG_DEFAULT;
		s.text = strbuf_detach(&sb, NULL);
		push_seg(col, &s);
	}
	strbuf_release(&sb);
	return 0;
}

/*
 * 1 when the table has a constraint (table or column level) named name;
 * with drop, every one of them is dropped as well.
 */
static int
find_constraint(struct table *t, const char *name, int drop)
{
	struct item	*it;
	size_t		 k, j;
	int		 found = 0;

	for (k = 0; k < t->nitems; k++) {
		it = &t->items[k];
		if (it->dropped)
			continue;
		if (!it->column) {
			if (it->name != NULL && ieq(it->name, name)) {
				found = 1;
				it->dropped |= drop;
			}
			continue;
		}
		for (j = 0; j < it->nsegs; j++)
			if (it->segs[j].cname != NONE && !it->segs[j].dropped &&
			    name_eq(&t->lx, it->segs[j].cname, name)) {
				found = 1;
				if (drop)
					it->segs[j].dropped = it->edited = 1;
			}
	}
	return found;
}

/* The index among cur's indexes named name, or NONE. */
static size_t
find_index(const struct ddl_sqlite_table *cur, const char *name)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct lex	 lx;
	size_t		 k, next, found = NONE;

	for (k = 0; k < cur->nindex && found == NONE; k++) {
		if (lex(&lx, cur->index_sql[k]) != NULL)
			continue;
		strbuf_reset(&sb);
		if (object_name(&lx, "index", &sb, &next) == 0 &&
		    ieq(sb.buf, name))
			found = k;
		lex_free(&lx);
	}
	strbuf_release(&sb);
	return found;
}

static int
edit_table(struct table *t, const struct ddl_op *op, struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct item	*it;
	size_t		 k;
	int		 rc;

	switch (op->kind) {
	case DDL_DROP_COLUMN:
	case DDL_ALTER_COLUMN:
		if ((k = find_column(t, op->name)) == NONE)
			return fail(err, "no column '%s' in table '%s'",
			    op->name, t->name);
		if (op->kind == DDL_DROP_COLUMN)
			return edit_drop_column(t, &t->items[k], err);
		return edit_alter_column(t, &t->items[k], op, err);
	case DDL_ADD_FOREIGN_KEY:
	case DDL_ADD_CHECK:
		if (find_constraint(t, op->name, 0))
			return fail(err, "constraint '%s' already exists on "
			    "table '%s'", op->name, t->name);
		constraint_def(&sb, op);
		it = new_item(t);
		it->name = xstrdup(op->name);
		it->kind = op->kind == DDL_ADD_CHECK ? SEG_CHECK : SEG_FOREIGN;
		it->text = strbuf_detach(&sb, NULL);
		return 0;
	case DDL_DROP_CONSTRAINT:
		if (!find_constraint(t, op->name, 1)) {
			rc = fail(err, "no constraint '%s' on table '%s'",
			    op->name, t->name);
			hint(err, "SQLite keeps only the constraints that "
			    "were declared with CONSTRAINT name.");
			return rc;
		}
		return 0;
	default:
		BUG("edit_table: op %d", (int)op->kind);
	}
}

/* rowid, _rowid_ or oid, whichever no column of either table shadows. */
static const char *
rowid_name(const struct table *a, const struct table *b)
{
	static const char *const names[] = { "rowid", "_rowid_", "oid" };
	size_t	 k;

	if (a->without_rowid || b->without_rowid)
		return NULL;
	for (k = 0; k < 3; k++)
		if (find_column(a, names[k]) == NONE &&
		    find_column(b, names[k]) == NONE)
			return names[k];
	return NULL;
}

/* An index of cur that uses a column of old that nw lacks: an error. */
static int
check_indexes(const struct ddl_sqlite_table *cur, const struct table *old,
    const struct table *nw, struct mg_error *err)
{
	struct strbuf	 name = STRBUF_INIT;
	struct lex	 lx;
	const char	*why;
	size_t		 k, j, next;
	int		 rc = 0;

	for (k = 0; k < cur->nindex && rc == 0; k++) {
		if ((why = lex(&lx, cur->index_sql[k])) != NULL)
			return fail(err, "cannot parse index %zu of table "
			    "'%s': %s", k, old->name, why);
		strbuf_reset(&name);
		if (object_name(&lx, "index", &name, &next) != 0 ||
		    !kw(&lx, next, "on")) {
			lex_free(&lx);
			rc = fail(err, "cannot parse index %zu of table '%s': "
			    "not CREATE INDEX name ON ...", k, old->name);
			break;
		}
		for (j = 0; j < old->nitems; j++) {
			const struct item	*c = &old->items[j];

			if (!c->column || find_column(nw, c->name) != NONE ||
			    !uses(&lx, next + 2, lx.n, c->name))
				continue;
			rc = fail(err, "index '%s' uses column '%s' of table "
			    "'%s'", name.buf, c->name, old->name);
			hint(err, "Drop the index first.");
			break;
		}
		lex_free(&lx);
	}
	strbuf_release(&name);
	return rc;
}

/* Append s without trailing blanks and ';'. */
static void
push_trimmed(struct ddl_stmts *out, const char *s)
{
	struct strbuf	 sb = STRBUF_INIT;

	strbuf_addstr(&sb, s);
	while (sb.len > 0 && (is_space(sb.buf[sb.len - 1]) ||
	    sb.buf[sb.len - 1] == ';'))
		strbuf_setlen(&sb, sb.len - 1);
	stmts_push(out, &sb);
}

struct copy {
	const char	*column;	/* copied as (expr) instead, or NULL */
	const char	*expr;
	const char	*rename_from;	/* RENAME COLUMN at the end, or NULL */
	const char	*rename_to;
};

/* Steps 4 to 12 for old -> newsql (a CREATE TABLE of the temporary name). */
static int
rebuild(struct ddl_stmts *out, const struct ddl_sqlite_table *cur,
    const struct table *old, const char *newsql, const struct copy *cp,
    struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT, cols = STRBUF_INIT;
	struct strbuf	 vals = STRBUF_INIT, tmp = STRBUF_INIT;
	struct table	 nw;
	struct lex	 lx;
	const char	*rowid, *why;
	size_t		 k, next, ncopied = 0;
	int		 rc;

	if ((rc = table_parse(&nw, newsql, "the new definition", err)) != 0)
		return rc;
	if ((rc = check_indexes(cur, old, &nw, err)) != 0)
		goto done;
	strbuf_addstr(&tmp, cur->name);
	strbuf_addstr(&tmp, DDL_REBUILD_SUFFIX);

	stmts_pushstr(out, newsql);

	if ((rowid = rowid_name(old, &nw)) != NULL) {
		/* First: a later INTEGER PRIMARY KEY value wins over it. */
		strbuf_addstr(&cols, rowid);
		strbuf_addstr(&vals, rowid);
	}
	for (k = 0; k < nw.nitems; k++) {
		const struct item	*c = &nw.items[k];

		if (!c->column || c->generated ||
		    find_column(old, c->name) == NONE)
			continue;
		if (cols.len > 0) {
			strbuf_addstr(&cols, ", ");
			strbuf_addstr(&vals, ", ");
		}
		ddl_quote_ident(&cols, c->name);
		if (cp->column != NULL && cp->expr != NULL &&
		    ieq(c->name, cp->column))
			strbuf_addf(&vals, "(%s)", cp->expr);
		else
			ddl_quote_ident(&vals,
			    old->items[find_column(old, c->name)].name);
		ncopied++;
	}
	if (ncopied > 0) {
		strbuf_addstr(&sb, "INSERT INTO ");
		ddl_quote_ident(&sb, tmp.buf);
		strbuf_addf(&sb, " (%s) SELECT %s FROM ", cols.buf, vals.buf);
		ddl_quote_ident(&sb, cur->name);
		stmts_push(out, &sb);
	}
	if (old->autoincrement && nw.autoincrement) {
		/* Keep the counter: ids of deleted rows stay unused. */
		strbuf_addstr(&sb, "DELETE FROM sqlite_sequence WHERE name = ");
		ddl_quote_literal(&sb, tmp.buf);
		stmts_push(out, &sb);
		strbuf_addstr(&sb, "INSERT INTO sqlite_sequence (name, seq) "
		    "SELECT ");
		ddl_quote_literal(&sb, tmp.buf);
		strbuf_addstr(&sb, ", seq FROM sqlite_sequence WHERE name = ");
		ddl_quote_literal(&sb, cur->name);
		stmts_push(out, &sb);
	}
	for (k = 0; k < cur->ntrigger; k++) {
		strbuf_reset(&tmp);
		if ((why = lex(&lx, cur->trigger_sql[k])) != NULL ||
		    object_name(&lx, "trigger", &tmp, &next) != 0) {
			if (why == NULL)
				lex_free(&lx);
			rc = fail(err, "cannot parse trigger %zu of table "
			    "'%s': %s", k, cur->name,
			    why ? why : "not CREATE TRIGGER name ...");
			goto done;
		}
		lex_free(&lx);
		strbuf_addstr(&sb, "DROP TRIGGER ");
		ddl_quote_ident(&sb, tmp.buf);
		stmts_push(out, &sb);
	}
	for (k = cur->nview; k-- > 0; ) {
		strbuf_addstr(&sb, "DROP VIEW ");
		ddl_quote_ident(&sb, cur->view_name[k]);
		stmts_push(out, &sb);
	}
	strbuf_addstr(&sb, "DROP TABLE ");
	ddl_quote_ident(&sb, cur->name);
	stmts_push(out, &sb);
	strbuf_reset(&tmp);
	strbuf_addstr(&tmp, cur->name);
	strbuf_addstr(&tmp, DDL_REBUILD_SUFFIX);
	strbuf_addstr(&sb, "ALTER TABLE ");
	ddl_quote_ident(&sb, tmp.buf);
	strbuf_addstr(&sb, " RENAME TO ");
	ddl_quote_ident(&sb, cur->name);
	stmts_push(out, &sb);
	for (k = 0; k < cur->nindex; k++)
		push_trimmed(out, cur->index_sql[k]);
	/* Views first: an INSTEAD OF trigger needs its view. */
	for (k = 0; k < cur->nview; k++)
		push_trimmed(out, cur->view_sql[k]);
	for (k = 0; k < cur->ntrigger; k++)
		push_trimmed(out, cur->trigger_sql[k]);
	if (cp->rename_from != NULL) {
		strbuf_addstr(&sb, "ALTER TABLE ");
		ddl_quote_ident(&sb, cur->name);
		strbuf_addstr(&sb, " RENAME COLUMN ");
		ddl_quote_ident(&sb, cp->rename_from);
		strbuf_addstr(&sb, " TO ");
		ddl_quote_ident(&sb, cp->rename_to);
		stmts_push(out, &sb);
	}
done:
	strbuf_release(&sb);
	strbuf_release(&cols);
	strbuf_release(&vals);
	strbuf_release(&tmp);
	table_free(&nw);
	return rc;
}

static int
check_cur(const struct ddl_sqlite_table *cur, struct mg_error *err)
{
	if (cur == NULL || cur->name == NULL || cur->create_sql == NULL)
		return fail(err, "sqlite rebuild: the table's name and "
		    "create_sql are required");
	if ((cur->nindex > 0 && cur->index_sql == NULL) ||
	    (cur->ntrigger > 0 && cur->trigger_sql == NULL) ||
	    (cur->nview > 0 && (cur->view_name == NULL ||
	    cur->view_sql == NULL)))
		return fail(err, "sqlite rebuild of '%s': an index, trigger "
		    "or view list is missing", cur->name);
	return 0;
}

static int
parse_cur(struct table *t, const struct ddl_sqlite_table *cur,
    struct mg_error *err)
{
	struct strbuf	 what = STRBUF_INIT;
	int		 rc;

	strbuf_addf(&what, "the definition of table '%s'", cur->name);
	rc = table_parse(t, cur->create_sql, what.buf, err);
	strbuf_release(&what);
	return rc;
}

int
ddl_sqlite_rebuild(struct ddl_stmts *out, const struct ddl_sqlite_table *cur,
    const struct ddl_op *op, struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT, tmp = STRBUF_INIT;
	struct table	 t;
	struct copy	 cp;
	size_t		 mark = out->n, k;
	int		 rc;

	if ((rc = check_op(op, DDL_SQLITE, err)) != 0 ||
	    (rc = check_cur(cur, err)) != 0)
		return rc;
	if (op->table != NULL && !ieq(op->table, cur->name))
		return fail(err, "%s is on table '%s', the rebuild on '%s'",
		    op_names[op->kind], op->table, cur->name);
	if (!ddl_needs_rebuild(DDL_SQLITE, op))
		return ddl_render(out, DDL_SQLITE, op, err);
	if ((rc = parse_cur(&t, cur, err)) != 0)
		return rc;
	if (op->kind == DDL_DROP_CONSTRAINT &&
	    !find_constraint(&t, op->name, 0) &&
	    (k = find_index(cur, op->name)) != NONE) {
		/* ADD_UNIQUE made an index on SQLite: drop that. */
		strbuf_addstr(&sb, "DROP INDEX ");
		ddl_quote_ident(&sb, op->name);
		stmts_push(out, &sb);
		goto done;
	}
	if ((rc = edit_table(&t, op, err)) != 0)
		goto done;
	strbuf_addstr(&tmp, cur->name);
	strbuf_addstr(&tmp, DDL_REBUILD_SUFFIX);
	table_render(&sb, &t, tmp.buf);
	memset(&cp, 0, sizeof(cp));
	if (op->kind == DDL_ALTER_COLUMN) {
		cp.column = op->name;
		cp.expr = op->using_sql;
		if (op->new_name != NULL) {
			cp.rename_from = op->name;
			cp.rename_to = op->new_name;
		}
	}
	rc = rebuild(out, cur, &t, sb.buf, &cp, err);
done:
	if (rc != 0)
		stmts_truncate(out, mark);
	strbuf_release(&sb);
	strbuf_release(&tmp);
	table_free(&t);
	return rc;
}

int
ddl_sqlite_rebuild_to(struct ddl_stmts *out,
    const struct ddl_sqlite_table *cur, const char *new_create_sql,
    struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT, tmp = STRBUF_INIT;
	struct table	 old, nw;
	struct copy	 cp;
	size_t		 mark = out->n;
	int		 rc;

	if ((rc = check_cur(cur, err)) != 0)
		return rc;
	if (new_create_sql == NULL)
		return fail(err, "sqlite rebuild of '%s': the new definition "
		    "is required", cur->name);
	if ((rc = parse_cur(&old, cur, err)) != 0)
		return rc;
	if ((rc = table_parse(&nw, new_create_sql, "the new definition",
	    err)) != 0) {
		table_free(&old);
		return rc;
	}
	if (!ieq(nw.name, cur->name)) {
		rc = fail(err, "the new definition is of table '%s', not "
		    "'%s'", nw.name, cur->name);
		goto done;
	}
	/* The new text as written, under the temporary name. */
	strbuf_addstr(&tmp, cur->name);
	strbuf_addstr(&tmp, DDL_REBUILD_SUFFIX);
	strbuf_addstr(&sb, "CREATE TABLE ");
	ddl_quote_ident(&sb, tmp.buf);
	strbuf_addch(&sb, ' ');
	add_tokens(&sb, &nw.lx, nw.lparen, nw.end);
	memset(&cp, 0, sizeof(cp));
	rc = rebuild(out, cur, &old, sb.buf, &cp, err);
done:
	if (rc != 0)
		stmts_truncate(out, mark);
	strbuf_release(&sb);
	strbuf_release(&tmp);
	table_free(&old);
	table_free(&nw);
	return rc;
}
