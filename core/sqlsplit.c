/*
 * sqlsplit: sections and statements of a SQL revision file, found in one
 * linear pass over the buffer (the rules are in sqlsplit.h). Every scanner
 * below moves forward only; line numbers are computed on demand from a
 * cache that also moves forward, so the whole parse is O(len).
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sqlsplit.h"
#include "strbuf.h"
#include "xmalloc.h"

enum { DIA_GENERIC, DIA_SQLITE, DIA_POSTGRES, DIA_N };
enum { DIR_UP, DIR_DOWN, DIR_N };

/* CREATE [OR REPLACE] [TEMP|TEMPORARY] TRIGGER, one state per word. */
enum { KW_START, KW_CREATE, KW_OR, KW_REPLACE, KW_TEMP, KW_DONE };

#define NONE		((size_t)-1)
/* Bytes of a user-supplied word quoted in an error message, at most. */
#define SHOWN(n)	((int)((n) > 64 ? 64 : (n)))

static const char *const dialect_names[DIA_N] = {
	NULL, "sqlite", "postgresql"
};
static const char *const dir_names[DIR_N] = { "upgrade", "downgrade" };

struct slist {
	struct stmt	*v;
	size_t		 n, cap;
};

/* A '-- migrate:' line, cut into words. */
struct dline {
	size_t		 dash;		/* offset of the "--" */
	size_t		 eol;		/* offset of the '\n', or len */
	const char	*name;
	size_t		 namelen;
	const char	*arg[2];
	size_t		 arglen[2];
	int		 nargs;		/* may exceed 2; only 2 are kept */
};

struct split {
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	size_t		 first;		/* first byte after a UTF-8 BOM */
	const char	*path;
	struct mg_error	*err;
	int		 want;		/* requested dialect, DIA_* */
	int		 lexdia;	/* lexing rules of this section */
	int		 in_section;
	struct slist	*cur;		/* NULL: statements are dropped */
	struct slist	 lists[DIR_N][DIA_N];
	int		 seen[DIR_N][DIA_N];
	int		 transaction_off;
	char		*rebuild;	/* a pending '-- migrate:rebuild' */
	size_t		 rebuild_at;	/* its offset, for errors */
	char		*lint_ignore;	/* a pending '-- migrate:lint-ignore' */
	size_t		 lint_ignore_at; /* its (first) offset, for errors */

	/* Line cache: offset lc_off is on line lc_line, starting at lc_bol. */
	size_t		 lc_off, lc_bol;
	int		 lc_line;

	/* The statement being read. */
	size_t		 st_start;	/* first significant byte, or NONE */
	size_t		 st_end;	/* end of its last significant token */
	size_t		 depth;		/* BEGIN ... END nesting */
	int		 kw;		/* KW_* */
	int		 trigger;	/* CREATE ... TRIGGER */
	int		 after_begin;	/* the last word was BEGIN */
};

static int	fail(struct split *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
is_ident(unsigned char c)
{
	/* Bytes >= 0x80 are UTF-8 letters to PostgreSQL and SQLite alike. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static int
is_tag_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_tag(unsigned char c)
{
	return is_tag_start(c) || (c >= '0' && c <= '9');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Blanks inside a line; '\r' so that CRLF files work. */
static int
is_blank(unsigned char c)
{
	return c != '\n' && is_space(c);
}

/* Case-insensitive whole-word match against a lowercase keyword. */
static int
word_is(const char *w, size_t n, const char *kw)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (kw[i] == '\0' || (w[i] | 0x20) != kw[i])
			return 0;
	return kw[n] == '\0';
}

static int
arg_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

static size_t
next_line(const struct split *sp, size_t pos)
{
	const char	*nl;

	nl = memchr(sp->buf + pos, '\n', sp->len - pos);
	return nl ? (size_t)(nl - sp->buf) + 1 : sp->len;
}

/*
 * Line and column of a file offset. Callers ask in increasing order nearly
 * always, so the cache makes the total cost linear; a step back rescans.
 */
static void
where(struct split *sp, size_t off, int *line, int *col)
{
	const char	*nl;
	size_t		 c;

	if (off > sp->len)
		off = sp->len;
	if (off < sp->lc_off) {
		sp->lc_off = sp->lc_bol = 0;
		sp->lc_line = 1;
	}
	while ((nl = memchr(sp->buf + sp->lc_off, '\n',
	    off - sp->lc_off)) != NULL) {
		sp->lc_off = sp->lc_bol = (size_t)(nl - sp->buf) + 1;
		if (sp->lc_line < INT_MAX)
			sp->lc_line++;
	}
	sp->lc_off = off;
	c = off - sp->lc_bol + 1;
	*line = sp->lc_line;
	*col = c < INT_MAX ? (int)c : INT_MAX;
}

static int
fail(struct split *sp, size_t off, const char *fmt, ...)
{
	struct strbuf	 msg = STRBUF_INIT;
	va_list		 ap;
	int		 line, col;

	if (sp->err == NULL)
		return MG_EREVISION;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	where(sp, off, &line, &col);
	mg_error_set_at(sp->err, MG_EREVISION, sp->path, line, col, "%s",
	    msg.buf);
	strbuf_release(&msg);
	return MG_EREVISION;
}

static void
slist_push(struct split *sp, struct slist *l, size_t start, size_t end)
{
	struct stmt	*st;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	st = &l->v[l->n++];
	st->len = end - start;
	st->sql = xmalloc(st->len + 1);
	memcpy(st->sql, sp->buf + start, st->len);
	st->sql[st->len] = '\0';
	/*
	 * tag-20261122-offsets: sql is a byte-exact copy of
	 * buf[offset, offset + len), so sqlsplit_locate() can walk forward
	 * from (line, col) through either of them.
	 */
	st->offset = start;
	where(sp, start, &st->line, &st->col);
	st->rebuild = sp->rebuild;
	sp->rebuild = NULL;
	st->lint_ignore = sp->lint_ignore;
	sp->lint_ignore = NULL;
}

/* "CREATE [TEMP] TABLE" at start: what a rebuild directive must precede. */
static int
is_create_table(const char *s, size_t n)
{
	size_t	i = 0, w, k;
	int	nth = 0;

	for (;;) {
		while (i < n && is_space((unsigned char)s[i]))
			i++;
		for (w = i; i < n && is_ident((unsigned char)s[i]); i++)
			;
		if (i == w)
			return 0;
		k = i - w;
		if (nth == 0 && !word_is(s + w, k, "create"))
			return 0;
		if (nth > 0) {
			if (word_is(s + w, k, "table"))
				return 1;
			if (!word_is(s + w, k, "temp") &&
			    !word_is(s + w, k, "temporary"))
				return 0;
		}
		nth++;
	}
}

/* Push the statement, checking a pending rebuild directive's target. */
static int
push(struct split *sp, size_t start, size_t end)
{
	if (sp->cur == NULL) {
		free(sp->rebuild);	/* another dialect's section */
		sp->rebuild = NULL;
		free(sp->lint_ignore);
		sp->lint_ignore = NULL;
		return 0;
	}
	if (sp->rebuild != NULL && !is_create_table(sp->buf + start,
	    end - start))
		return fail(sp, start, "'-- migrate:rebuild %s' must be "
		    "followed by the table's new CREATE TABLE statement",
		    sp->rebuild);
	slist_push(sp, sp->cur, start, end);
	return 0;
}

static void
slist_free(struct slist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].sql);
		free(l->v[i].rebuild);
		free(l->v[i].lint_ignore);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/*
 * Does the line starting at pos read "[blanks]--[blanks]migrate:"? Then cut
 * it into a directive name (right after the colon) and its arguments.
 */
static int
directive_at(const struct split *sp, size_t pos, struct dline *dl)
{
	const char	*b = sp->buf;
	size_t		 n = sp->len, i = pos, j;

	while (i < n && (b[i] == ' ' || b[i] == '\t'))
		i++;
	if (n - i < 2 || b[i] != '-' || b[i + 1] != '-')
		return 0;
	dl->dash = i;
	i += 2;
	while (i < n && (b[i] == ' ' || b[i] == '\t'))
		i++;
	if (n - i < 8 || memcmp(b + i, "migrate:", 8) != 0)
		return 0;
	i += 8;
	dl->eol = next_line(sp, i);
	if (dl->eol > i && b[dl->eol - 1] == '\n')
		dl->eol--;
	for (j = i; j < dl->eol && !is_blank(b[j]); j++)
		;
	dl->name = b + i;
	dl->namelen = j - i;
	dl->nargs = 0;
	for (;;) {
		while (j < dl->eol && is_blank(b[j]))
			j++;
		if (j == dl->eol)
			break;
		i = j;
		while (j < dl->eol && !is_blank(b[j]))
			j++;
		if (dl->nargs < 2) {
			dl->arg[dl->nargs] = b + i;
			dl->arglen[dl->nargs] = j - i;
		}
		dl->nargs++;
	}
	return 1;
}

static int
at_bol(const struct split *sp, size_t pos)
{
	return pos == sp->first || (pos > 0 && sp->buf[pos - 1] == '\n');
}

static void
reset_stmt(struct split *sp)
{
	sp->st_start = NONE;
	sp->st_end = 0;
	sp->depth = 0;
	sp->kw = KW_START;
	sp->trigger = 0;
	sp->after_begin = 0;
}

/* End the statement being read, if any: a ';', a section line or EOF. */
static int
finish(struct split *sp)
{
	int	 rc = 0;

	if (sp->st_start != NONE) {
		if (!sp->in_section)
			rc = fail(sp, sp->st_start, "statement outside a "
			    "'-- migrate:upgrade' or '-- migrate:downgrade' "
			    "section");
		else
			rc = push(sp, sp->st_start, sp->st_end);
	}
	reset_stmt(sp);
	return rc;
}

/* A token other than a word: part of the statement, ends the first words. */
static void
token(struct split *sp, size_t start, size_t end)
{
	if (sp->st_start == NONE)
		sp->st_start = start;
	sp->st_end = end;
	sp->after_begin = 0;
	sp->kw = KW_DONE;
}

static void
word(struct split *sp, size_t start, size_t end)
{
	const char	*w = sp->buf + start;
	size_t		 n = end - start;
	int		 temp;

	if (sp->st_start == NONE)
		sp->st_start = start;
	sp->st_end = end;

	temp = sp->kw != KW_DONE &&
	    (word_is(w, n, "temp") || word_is(w, n, "temporary"));
	switch (sp->kw) {
	case KW_START:
		sp->kw = word_is(w, n, "create") ? KW_CREATE : KW_DONE;
		break;
	case KW_CREATE:
		if (word_is(w, n, "or"))
			sp->kw = KW_OR;
		else if (temp)
			sp->kw = KW_TEMP;
		else {
			sp->trigger = word_is(w, n, "trigger");
			sp->kw = KW_DONE;
		}
		break;
	case KW_OR:
		sp->kw = word_is(w, n, "replace") ? KW_REPLACE : KW_DONE;
		break;
	case KW_REPLACE:
		if (temp) {
			sp->kw = KW_TEMP;
			break;
		}
		/* FALLTHROUGH */
	case KW_TEMP:
		sp->trigger = word_is(w, n, "trigger");
		sp->kw = KW_DONE;
		break;
	default:
		break;
	}

	/*
	 * Inside a body, ';' does not end the statement; CASE ... END nests
	 * because its END would otherwise close the body early.
	 */
	if (sp->after_begin && word_is(w, n, "atomic"))
		sp->depth++;
	sp->after_begin = 0;
	if (word_is(w, n, "begin")) {
		if (sp->trigger)
			sp->depth++;
		else
			sp->after_begin = 1;
	} else if (sp->depth > 0 && word_is(w, n, "case"))
		sp->depth++;
	else if (sp->depth > 0 && word_is(w, n, "end"))
		sp->depth--;
}

/*
 * A quoted string or identifier whose opening quote is at q; open is where
 * the token starts (the E of E'...'), for the error position. A doubled
 * closing character stands for itself when dbl is set; a backslash escapes
 * the next byte when bs is set.
 */
static int
skip_quoted(struct split *sp, size_t open, size_t q, int close, int dbl,
    int bs, const char *what, size_t *end)
{
	const char	*b = sp->buf;
	size_t		 i = q + 1, n = sp->len;

	while (i < n) {
		if (bs && b[i] == '\\') {
			i += 2;
			continue;
		}
		if (b[i] == close) {
			if (dbl && i + 1 < n && b[i + 1] == close) {
				i += 2;
				continue;
			}
			*end = i + 1;
			return 0;
		}
		i++;
	}
	return fail(sp, open, "%s", what);
}

static int
skip_comment(struct split *sp, size_t open, size_t *end)
{
	const char	*b = sp->buf;
	size_t		 i = open + 2, n = sp->len, depth = 1;
	int		 nest;

	/* PostgreSQL nests comments; SQLite ends one at the first '*' '/'. */
	nest = sp->lexdia != DIA_SQLITE;
	while (i + 1 < n) {
		if (b[i] == '*' && b[i + 1] == '/') {
			i += 2;
			if (--depth == 0) {
				*end = i;
				return 0;
			}
		} else if (nest && b[i] == '/' && b[i + 1] == '*') {
			depth++;
			i += 2;
		} else
			i++;
	}
	return fail(sp, open, "unterminated comment");
}

/*
 * A '$' at the start of a token: $n parameter, $$ or $tag$ quote, or a
 * lone '$'. A '$' inside or right after a word never gets here, since
 * words include '$' (foo$bar is one identifier).
 */
static int
dollar(struct split *sp, size_t open, size_t *end)
{
	const char	*b = sp->buf, *p;
	size_t		 i = open + 1, j, n = sp->len, taglen;

	if (open > 0 && b[open - 1] != '$' &&
	    is_ident((unsigned char)b[open - 1])) {
		*end = open + 1;
		return 0;
	}
	if (i < n && is_digit((unsigned char)b[i])) {
		while (i < n && is_digit((unsigned char)b[i]))
			i++;
		*end = i;
		return 0;
	}
	if (i < n && is_tag_start((unsigned char)b[i]))
		while (i < n && is_tag((unsigned char)b[i]))
			i++;
	if (i >= n || b[i] != '$') {
		*end = open + 1;
		return 0;
	}
	taglen = i + 1 - open;
	/*
	 * Linear: a failed comparison at a '$' covers only tag bytes, none
	 * of which is '$', so it never runs past the next '$'.
	 */
	for (j = i + 1; (p = memchr(b + j, '$', n - j)) != NULL; j++) {
		j = (size_t)(p - b);
		if (n - j >= taglen && memcmp(b + j, b + open, taglen) == 0) {
			*end = j + taglen;
			return 0;
		}
	}
	return fail(sp, open, "unterminated dollar-quoted string %.*s",
	    SHOWN(taglen), b + open);
}

/*
 * Between '-- migrate:statement-begin' and '-- migrate:statement-end'
 * everything is one statement, verbatim: no lexing, no other directives.
 */
static int
verbatim(struct split *sp, const struct dline *begin)
{
	struct dline	 dl;
	size_t		 start, end, p;

	if (!sp->in_section)
		return fail(sp, begin->dash, "statement outside a "
		    "'-- migrate:upgrade' or '-- migrate:downgrade' section");
	start = p = next_line(sp, begin->eol);
	for (;;) {
		if (p >= sp->len)
			return fail(sp, begin->dash,
			    "'-- migrate:statement-begin' without "
			    "'-- migrate:statement-end'");
		if (directive_at(sp, p, &dl) &&
		    arg_is(dl.name, dl.namelen, "statement-end"))
			break;
		p = next_line(sp, p);
	}
	if (dl.nargs > 0)
		return fail(sp, (size_t)(dl.arg[0] - sp->buf),
		    "unexpected '%.*s' after '-- migrate:statement-end'",
		    SHOWN(dl.arglen[0]), dl.arg[0]);
	end = p;
	while (start < end && is_space((unsigned char)sp->buf[start]))
		start++;
	while (end > start && is_space((unsigned char)sp->buf[end - 1]))
		end--;
	if (end > start && sp->buf[end - 1] == ';')
		end--;
	while (end > start && is_space((unsigned char)sp->buf[end - 1]))
		end--;
	if (end > start) {
		int rc = push(sp, start, end);

		if (rc != 0)
			return rc;
	}
	sp->pos = next_line(sp, dl.eol);
	return 0;
}

/*
 * A rebuild directive must have its CREATE TABLE before anything else, and
 * a lint-ignore directive a statement in its section to apply to.
 */
static int
dangling(struct split *sp)
{
	if (sp->rebuild != NULL)
		return fail(sp, sp->rebuild_at, "'-- migrate:rebuild %s' is "
		    "not followed by a CREATE TABLE statement", sp->rebuild);
	if (sp->lint_ignore != NULL)
		return fail(sp, sp->lint_ignore_at, "'-- migrate:lint-ignore "
		    "%s' is not followed by a statement", sp->lint_ignore);
	return 0;
}

static int
section(struct split *sp, const struct dline *dl, int dir)
{
	int	 dia = DIA_GENERIC;

	if (dangling(sp) != 0)
		return MG_EREVISION;
	if (dl->nargs > 1)
		return fail(sp, (size_t)(dl->arg[1] - sp->buf),
		    "unexpected '%.*s' after '-- migrate:%s %.*s'",
		    SHOWN(dl->arglen[1]), dl->arg[1], dir_names[dir],
		    SHOWN(dl->arglen[0]), dl->arg[0]);
	if (dl->nargs == 1) {
		for (dia = DIA_SQLITE; dia < DIA_N; dia++)
			if (arg_is(dl->arg[0], dl->arglen[0],
			    dialect_names[dia]))
				break;
		if (dia == DIA_N)
			return fail(sp, (size_t)(dl->arg[0] - sp->buf),
			    "unknown dialect '%.*s' in '-- migrate:%s'",
			    SHOWN(dl->arglen[0]), dl->arg[0], dir_names[dir]);
	}
	if (sp->seen[dir][dia])
		return fail(sp, dl->dash, "duplicate '-- migrate:%s%s%s' "
		    "section", dir_names[dir], dia ? " " : "",
		    dia ? dialect_names[dia] : "");
	sp->seen[dir][dia] = 1;
	sp->in_section = 1;
	/* Other dialects' sections are still lexed, to find their end. */
	if (dia == DIA_GENERIC || dia == sp->want)
		sp->cur = &sp->lists[dir][dia];
	else
		sp->cur = NULL;
	sp->lexdia = dia == DIA_GENERIC ? sp->want : dia;
	sp->pos = next_line(sp, dl->eol);
	return 0;
}

/*
 * '-- migrate:lint-ignore RULE[,RULE...]': the rest of the line, kept as
 * written for the next statement (core/lint.c reads the list). Several
 * such lines before one statement add up.
 */
static int
lint_ignore(struct split *sp, const struct dline *dl)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*b = sp->buf;
	size_t		 start, end;

	if (!sp->in_section)
		return fail(sp, dl->dash, "'-- migrate:lint-ignore' outside a "
		    "'-- migrate:upgrade' or '-- migrate:downgrade' section");
	if (dl->nargs == 0)
		return fail(sp, dl->dash, "expected a rule name after "
		    "'-- migrate:lint-ignore'");
	start = (size_t)(dl->arg[0] - b);
	end = dl->eol;
	while (end > start && is_blank((unsigned char)b[end - 1]))
		end--;
	if (sp->lint_ignore != NULL) {
		strbuf_addstr(&sb, sp->lint_ignore);
		strbuf_addch(&sb, ',');
		free(sp->lint_ignore);
	} else
		sp->lint_ignore_at = dl->dash;
	strbuf_add(&sb, b + start, end - start);
	sp->lint_ignore = strbuf_detach(&sb, NULL);
	sp->pos = next_line(sp, dl->eol);
	return 0;
}

static int
directive(struct split *sp, const struct dline *dl)
{
	const char	*name = dl->name;
	size_t		 n = dl->namelen;
	int		 rc;

	if (arg_is(name, n, "upgrade"))
		return section(sp, dl, DIR_UP);
	if (arg_is(name, n, "downgrade"))
		return section(sp, dl, DIR_DOWN);
	if (arg_is(name, n, "transaction")) {
		if (dl->nargs != 1 || !arg_is(dl->arg[0], dl->arglen[0], "off"))
			return fail(sp, dl->dash, "expected 'off' after "
			    "'-- migrate:transaction'");
		sp->transaction_off = 1;
		sp->pos = next_line(sp, dl->eol);
		return 0;
	}
	if (arg_is(name, n, "statement-begin")) {
		if (dl->nargs > 0)
			return fail(sp, (size_t)(dl->arg[0] - sp->buf),
			    "unexpected '%.*s' after "
			    "'-- migrate:statement-begin'",
			    SHOWN(dl->arglen[0]), dl->arg[0]);
		return verbatim(sp, dl);
	}
	if (arg_is(name, n, "rebuild")) {
		if (!sp->in_section)
			return fail(sp, dl->dash, "'-- migrate:rebuild' "
			    "outside a '-- migrate:upgrade' or "
			    "'-- migrate:downgrade' section");
		if (dl->nargs != 1)
			return fail(sp, dl->dash, "expected one table name "
			    "after '-- migrate:rebuild'");
		/* A pending lint-ignore goes on to the CREATE TABLE. */
		if (sp->rebuild != NULL)
			return dangling(sp);
		sp->rebuild = xstrndup(dl->arg[0], dl->arglen[0]);
		sp->rebuild_at = dl->dash;
		sp->pos = next_line(sp, dl->eol);
		return 0;
	}
	if (arg_is(name, n, "lint-ignore"))
		return lint_ignore(sp, dl);
	if (arg_is(name, n, "statement-end"))
		return fail(sp, dl->dash, "'-- migrate:statement-end' without "
		    "'-- migrate:statement-begin'");
	rc = fail(sp, dl->dash, "unknown directive '-- migrate:%.*s'",
	    SHOWN(n), name);
	if (sp->err != NULL)
		strbuf_addstr(&sp->err->hint, "Directives are upgrade, "
		    "downgrade, transaction off, statement-begin, "
		    "statement-end, rebuild TABLE and lint-ignore RULE.");
	return rc;
}

static int
lex(struct split *sp)
{
	const char	*b = sp->buf;
	size_t		 n = sp->len, start, end;
	struct dline	 dl;
	unsigned char	 c;
	int		 rc, close;

	while (sp->pos < n) {
		if (at_bol(sp, sp->pos) && directive_at(sp, sp->pos, &dl)) {
			if ((rc = finish(sp)) != 0 ||
			    (rc = directive(sp, &dl)) != 0)
				return rc;
			continue;
		}
		start = sp->pos;
		c = (unsigned char)b[start];
		end = start + 1;
		switch (c) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
		case '\f':
		case '\v':
			sp->pos = end;
			continue;
		case '-':
			if (end < n && b[end] == '-') {
				/* Up to the '\n', which stays for at_bol(). */
				sp->pos = next_line(sp, start);
				if (sp->pos > start && b[sp->pos - 1] == '\n')
					sp->pos--;
				continue;
			}
			break;
		case '/':
			if (end < n && b[end] == '*') {
				if ((rc = skip_comment(sp, start, &end)) != 0)
					return rc;
				sp->pos = end;
				continue;
			}
			break;
		case ';':
			if (sp->depth == 0) {
				if ((rc = finish(sp)) != 0)
					return rc;
				sp->pos = end;
				continue;
			}
			break;
		case '\'':
			if ((rc = skip_quoted(sp, start, start, '\'', 1, 0,
			    "unterminated quoted string", &end)) != 0)
				return rc;
			break;
		case '"':
		case '`':
		case '[':
			if (c != '"' && sp->lexdia != DIA_SQLITE)
				break;
			close = c == '[' ? ']' : c;
			if ((rc = skip_quoted(sp, start, start, close, c != '[',
			    0, "unterminated quoted identifier", &end)) != 0)
				return rc;
			break;
		case '$':
			if ((rc = dollar(sp, start, &end)) != 0)
				return rc;
			break;
		default:
			if (!is_ident(c))
				break;
			while (end < n && is_ident((unsigned char)b[end]))
				end++;
			if (end - start == 1 && (c == 'E' || c == 'e') &&
			    end < n && b[end] == '\'' && (start == 0 ||
			    !is_ident((unsigned char)b[start - 1]))) {
				if ((rc = skip_quoted(sp, start, end, '\'', 1,
				    1, "unterminated quoted string",
				    &end)) != 0)
					return rc;
				break;
			}
			word(sp, start, end);
			sp->pos = end;
			continue;
		}
		token(sp, start, end);
		sp->pos = end;
	}
	return finish(sp);
}

int
sqlsplit_parse(struct script *out, const char *buf, size_t len,
    const char *dialect, const char *path, struct mg_error *err)
{
	struct split	 sp;
	struct dline	 dl;
	struct slist	*l;
	const char	*nul;
	int		 rc, dir, dia, has[DIR_N];

	memset(out, 0, sizeof(*out));
	memset(&sp, 0, sizeof(sp));
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	sp.buf = buf;
	sp.len = len;
	sp.path = path;
	sp.err = err;
	sp.lc_line = 1;
	sp.want = DIA_GENERIC;
	for (dia = DIA_SQLITE; dia < DIA_N && dialect != NULL; dia++)
		if (strcmp(dialect, dialect_names[dia]) == 0)
			sp.want = dia;
	sp.lexdia = sp.want;
	reset_stmt(&sp);

	/* Statements are C strings, so a NUL would silently cut one short. */
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		rc = fail(&sp, (size_t)(nul - buf), "file contains a NUL byte");
		goto done;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		sp.first = sp.pos = 3;

	/* The header: everything up to the first '-- migrate:' line. */
	while (sp.pos < len && !directive_at(&sp, sp.pos, &dl))
		sp.pos = next_line(&sp, sp.pos);
	if ((rc = lex(&sp)) != 0 || (rc = dangling(&sp)) != 0)
		goto done;

	for (dir = 0; dir < DIR_N; dir++)
		has[dir] = sp.seen[dir][DIA_GENERIC] || sp.seen[dir][sp.want];
	if (!has[DIR_UP]) {
		rc = MG_EREVISION;
		if (err != NULL) {
			mg_error_set_at(err, rc, path, 0, 0,
			    "no '-- migrate:upgrade' section");
			strbuf_addstr(&err->hint, "Put the upgrade statements "
			    "after a '-- migrate:upgrade' line.");
		}
		goto done;
	}
	out->has_up = has[DIR_UP];
	out->has_down = has[DIR_DOWN];
	out->transaction_off = sp.transaction_off;
	for (dir = 0; dir < DIR_N; dir++) {
		dia = sp.seen[dir][sp.want] ? sp.want : DIA_GENERIC;
		l = &sp.lists[dir][dia];
		if (dir == DIR_UP) {
			out->up.v = l->v;
			out->up.n = l->n;
		} else {
			out->down.v = l->v;
			out->down.n = l->n;
		}
		l->v = NULL;
		l->n = l->cap = 0;
	}
	rc = 0;

done:
	free(sp.rebuild);
	free(sp.lint_ignore);
	for (dir = 0; dir < DIR_N; dir++)
		for (dia = 0; dia < DIA_N; dia++)
			slist_free(&sp.lists[dir][dia]);
	return rc;
}

void
sqlsplit_free(struct script *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->up.n; i++) {
		free(s->up.v[i].sql);
		free(s->up.v[i].rebuild);
		free(s->up.v[i].lint_ignore);
	}
	for (i = 0; i < s->down.n; i++) {
		free(s->down.v[i].sql);
		free(s->down.v[i].rebuild);
		free(s->down.v[i].lint_ignore);
	}
	free(s->up.v);
	free(s->down.v);
	memset(s, 0, sizeof(*s));
}

void
sqlsplit_locate(const struct stmt *st, const char *buf, size_t len,
    size_t pos, int *line, int *col)
{
	const char	*s, *nl;
	size_t		 i = 0, c;
	int		 l;

	if (pos > st->len)
		pos = st->len;
	/*
	 * tag-20261122-offsets: st->sql equals buf[offset, offset + len);
	 * use the statement itself when the buffer is not at hand or does
	 * not match its size.
	 */
	if (buf != NULL && st->offset <= len && st->len <= len - st->offset)
		s = buf + st->offset;
	else
		s = st->sql;
	l = st->line;
	c = (size_t)st->col + pos;
	while ((nl = memchr(s + i, '\n', pos - i)) != NULL) {
		i = (size_t)(nl - s) + 1;
		if (l < INT_MAX)
			l++;
		c = pos - i + 1;
	}
	*line = l;
	*col = c < INT_MAX ? (int)c : INT_MAX;
}
