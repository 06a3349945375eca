/*
 * lint: each statement is cut into tokens (words, quoted identifiers,
 * strings, punctuation; comments dropped), so that keywords inside
 * strings, comments, dollar quotes and "quoted identifiers" never match;
 * the rules then read the token list. The rules are in lint.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"
#include "sqlsplit.h"
#include "strbuf.h"
#include "xmalloc.h"

enum {
	R_INDEX,
	R_DROP_INDEX,
	R_ADD_NOT_NULL,
	R_NOT_VALID,
	R_TYPE,
	R_SET_NOT_NULL,
	R_RENAME,
	R_DROP_COLUMN,
	R_DROP_TABLE,
	R_MISSING_DOWN,
	R_CONC_TXN,
	R_LOCK_TIMEOUT,
	R_N
};

static const struct rule {
	const char		*id;
	enum lint_severity	 severity;
	const char		*hint;
} rules[R_N] = {
	[R_INDEX] = { "index-not-concurrent", LINT_ERROR,
	    "Use CREATE INDEX CONCURRENTLY; migrate runs it outside the "
	    "revision's transaction by itself." },
	[R_DROP_INDEX] = { "drop-index-not-concurrent", LINT_WARNING,
	    "Use DROP INDEX CONCURRENTLY; migrate runs it outside the "
	    "revision's transaction by itself." },
	[R_ADD_NOT_NULL] = { "add-column-not-null-no-default", LINT_ERROR,
	    "Give the column a DEFAULT (PostgreSQL 11 and later add it "
	    "without rewriting the table), or add it nullable, backfill it "
	    "and make it NOT NULL in a later revision." },
	[R_NOT_VALID] = { "constraint-not-valid", LINT_ERROR,
	    "Add the constraint with NOT VALID, then VALIDATE CONSTRAINT it "
	    "in a separate statement, which checks the rows under a lock "
	    "that lets reads and writes go on." },
	[R_TYPE] = { "alter-column-type", LINT_ERROR,
	    "Add a column of the new type, backfill it in batches and move "
	    "the application over to it; only binary-compatible changes, "
	    "such as varchar(n) to text, avoid the rewrite." },
	[R_SET_NOT_NULL] = { "set-not-null", LINT_WARNING,
	    "Add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE "
	    "it in a separate statement, then SET NOT NULL, which "
	    "PostgreSQL 12 and later do without a scan." },
	[R_RENAME] = { "rename", LINT_WARNING,
	    "Expand and contract instead: add the new name (a column, or a "
	    "view over the table), move the application over, and remove "
	    "the old one in a later revision." },
	[R_DROP_COLUMN] = { "drop-column", LINT_WARNING,
	    "Deploy an application that no longer uses the column first, "
	    "then drop it, with '-- migrate:lint-ignore drop-column' before "
	    "the statement to record that this was checked." },
	[R_DROP_TABLE] = { "drop-table", LINT_WARNING,
	    "Deploy an application that no longer uses the table first, "
	    "then drop it, with '-- migrate:lint-ignore drop-table' before "
	    "the statement to record that this was checked." },
	[R_MISSING_DOWN] = { "missing-downgrade", LINT_WARNING,
	    "Add a '-- migrate:downgrade' section; it may be empty when "
	    "there is nothing to undo." },
	[R_CONC_TXN] = { "concurrently-in-transaction", LINT_ERROR,
	    "Remove the BEGIN and COMMIT around it: migrate runs "
	    "CONCURRENTLY statements outside a transaction by itself." },
	[R_LOCK_TIMEOUT] = { "lock-timeout", LINT_WARNING,
	    "Put SET lock_timeout = '5s' before it (or set lock_timeout in "
	    "migrate.ini) and rerun the migration when it times out." },
};

/* Tokens */

enum { T_WORD, T_QUOTED, T_STRING, T_PUNCT };

struct tok {
	int	 kind;
	size_t	 off, len;	/* in the statement's text, quotes included */
};

struct toks {
	const char	*sql;
	struct tok	*v;
	size_t		 n, cap;
};

/* A set of names: chained hashing, since DROP and RENAME remove names. */
struct sentry {
	char		*key;
	struct sentry	*next;
};

struct strset {
	struct sentry	**b;
	size_t		  nb, n;
};

struct lint {
	struct lint_opts	 opts;
	struct strset		 tables;	/* created by upgrades so far */
	struct lint_finding	*v;
	size_t			 n, cap;
	size_t			 count[2];
};

/* One section of one revision being linted. */
struct sect {
	struct lint		*l;
	const char		*path;
	const struct stmt	*st;
	struct toks		 t;
	int			 down;
	int			 report;
	struct strset		 news;		/* tables created here */
	struct strset		 new_idx;	/* indexes created here */
	struct strset		 cols;		/* "table\ncol" added here */
	const struct sect	*up;		/* downgrade: its upgrade */
	int			 timeout;	/* SET lock_timeout seen */
	int			 timeout_told;
	int			 txn_line;	/* in BEGIN ... since, or 0 */
};

static int
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static int
is_ident(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static void
tok_push(struct toks *t, int kind, size_t off, size_t end)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n].kind = kind;
	t->v[t->n].off = off;
	t->v[t->n].len = end - off;
	t->n++;
}

/* The end of a quoted run opened at q; unterminated runs to the end. */
static size_t
skip_quoted(const char *s, size_t n, size_t q, int backslash)
{
	size_t	 i = q + 1;
	char	 c = s[q];

	while (i < n) {
		if (backslash && s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == c) {
			if (i + 1 < n && s[i + 1] == c) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return n;
}

/* $tag$ ... $tag$ at i (a '$' that starts a token), or 0 if not one. */
static size_t
skip_dollar(const char *s, size_t n, size_t i)
{
	size_t	 j = i + 1, taglen, k;

	if (j < n && is_ident_start((unsigned char)s[j]))
		while (j < n && is_ident((unsigned char)s[j]) && s[j] != '$')
			j++;
	if (j >= n || s[j] != '$')
		return 0;
	taglen = j + 1 - i;
	for (k = j + 1; k + taglen <= n; k++)
		if (s[k] == '$' && memcmp(s + k, s + i, taglen) == 0)
			return k + taglen;
	return n;
}

/* The end of the block comment at i; PostgreSQL nests them. */
static size_t
skip_comment(const char *s, size_t n, size_t i)
{
	size_t	 depth = 1;

	for (i += 2; i < n && depth > 0; i++) {
		if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
			depth--;
			i++;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			depth++;
			i++;
		}
	}
	return i;
}

/* The statement's tokens; never fails (splitter-checked or verbatim). */
static void
tokenize(struct toks *t, const char *s, size_t n)
{
	size_t	 i = 0, j;

	t->sql = s;
	t->n = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (is_space(c)) {
			i++;
		} else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			i = skip_comment(s, n, i);
		} else if (c == '\'') {
			j = skip_quoted(s, n, i, 0);
			tok_push(t, T_STRING, i, j);
			i = j;
		} else if (c == '"') {
			j = skip_quoted(s, n, i, 0);
			tok_push(t, T_QUOTED, i, j);
			i = j;
		} else if (c == '$' && (j = skip_dollar(s, n, i)) != 0) {
			tok_push(t, T_STRING, i, j);
			i = j;
		} else if (is_ident(c) && c != '$') {
			for (j = i + 1; j < n && is_ident((unsigned char)s[j]);
			    j++)
				;
			/* E'...' takes backslash escapes. */
			if (j == i + 1 && (c == 'E' || c == 'e') && j < n &&
			    s[j] == '\'') {
				j = skip_quoted(s, n, j, 1);
				tok_push(t, T_STRING, i, j);
			} else
				tok_push(t, T_WORD, i, j);
			i = j;
		} else {
			tok_push(t, T_PUNCT, i, i + 1);
			i++;
		}
	}
}

/* Is token i the (unquoted) keyword kw, case-insensitively? */
static int
kw(const struct toks *t, size_t i, const char *k)
{
	const struct tok	*tk;

	if (i >= t->n)
		return 0;
	tk = &t->v[i];
	return tk->kind == T_WORD && strlen(k) == tk->len &&
	    strncasecmp(t->sql + tk->off, k, tk->len) == 0;
}

static int
punct(const struct toks *t, size_t i, char c)
{
	return i < t->n && t->v[i].kind == T_PUNCT && t->sql[t->v[i].off] == c;
}

/* Skip the keywords of words (space-separated) if they all follow at *i. */
static int
accept(const struct toks *t, size_t *i, const char *words)
{
	char	 w[32];
	size_t	 j = *i, n;

	while (*words) {
		n = strcspn(words, " ");
		if (n >= sizeof(w))
			return 0;
		memcpy(w, words, n);
		w[n] = '\0';
		if (!kw(t, j, w))
			return 0;
		j++;
		words += n + (words[n] == ' ');
	}
	*i = j;
	return 1;
}

/* Append identifier token i as PostgreSQL folds it. */
static int
add_ident(struct strbuf *sb, const struct toks *t, size_t i)
{
	const struct tok	*tk;
	const char		*p;
	size_t			 k;

	if (i >= t->n)
		return 0;
	tk = &t->v[i];
	p = t->sql + tk->off;
	if (tk->kind == T_WORD) {
		for (k = 0; k < tk->len; k++)
			strbuf_addch(sb, p[k] >= 'A' && p[k] <= 'Z' ?
			    p[k] - 'A' + 'a' : p[k]);
		return 1;
	}
	if (tk->kind != T_QUOTED)
		return 0;
	for (k = 1; k + 1 < tk->len; k++) {
		strbuf_addch(sb, p[k]);
		if (p[k] == '"')
			k++;	/* "" stands for one " */
	}
	return 1;
}

/*
 * A [catalog.][schema.]name at *i into key: "name", or "schema.name" for
 * schemas other than public. Returns 0 when there is no name there.
 */
static int
read_name(const struct toks *t, size_t *i, struct strbuf *key)
{
	struct strbuf	 part = STRBUF_INIT, prev = STRBUF_INIT;
	size_t		 j = *i;
	int		 parts = 0;

	strbuf_reset(key);
	for (;;) {
		strbuf_reset(&part);
		if (!add_ident(&part, t, j))
			break;
		if (parts > 0) {
			strbuf_reset(&prev);
			strbuf_addstr(&prev, key->buf);
		}
		strbuf_reset(key);
		strbuf_addstr(key, part.buf);
		parts++;
		j++;
		if (!punct(t, j, '.'))
			break;
		j++;
	}
	if (parts > 1 && strcmp(prev.buf, "public") != 0) {
		strbuf_reset(&part);
		strbuf_addf(&part, "%s.%s", prev.buf, key->buf);
		strbuf_reset(key);
		strbuf_addstr(key, part.buf);
	}
	strbuf_release(&part);
	strbuf_release(&prev);
	if (parts == 0)
		return 0;
	*i = j;
	return 1;
}

/* Sets */

static struct sentry **
set_slot(const struct strset *s, const char *key)
{
	struct sentry	**p;

	if (s->nb == 0)
		return NULL;
	for (p = &s->b[strhash(key) % s->nb]; *p; p = &(*p)->next)
		if (strcmp((*p)->key, key) == 0)
			break;
	return p;
}

static int
set_has(const struct strset *s, const char *key)
{
	struct sentry	**p = set_slot(s, key);

	return p != NULL && *p != NULL;
}

static void
set_add(struct strset *s, const char *key)
{
	struct sentry	**old, *e, *next, **p;
	size_t		  i, nb;

	if (set_has(s, key))
		return;
	if (s->n >= s->nb) {
		nb = s->nb ? s->nb * 2 : 16;
		old = s->b;
		s->b = xcalloc(nb, sizeof(*s->b));
		for (i = 0; i < s->nb; i++)
			for (e = old[i]; e; e = next) {
				next = e->next;
				p = &s->b[strhash(e->key) % nb];
				e->next = *p;
				*p = e;
			}
		free(old);
		s->nb = nb;
	}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	p = &s->b[strhash(key) % s->nb];
	e->next = *p;
	*p = e;
	s->n++;
}

static void
set_del(struct strset *s, const char *key)
{
	struct sentry	**p = set_slot(s, key), *e;

	if (p == NULL || *p == NULL)
		return;
	e = *p;
	*p = e->next;
	free(e->key);
	free(e);
	s->n--;
}

static void
set_clear(struct strset *s)
{
	struct sentry	*e, *next;
	size_t		 i;

	for (i = 0; i < s->nb; i++)
		for (e = s->b[i]; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	free(s->b);
	memset(s, 0, sizeof(*s));
}

/* Findings */

/* Is rule id in the statement's lint-ignore list (commas or blanks)? */
static int
ignored(const struct stmt *st, const char *id)
{
	const char	*p;
	size_t		 n, idlen = strlen(id);

	if (st == NULL || (p = st->lint_ignore) == NULL)
		return 0;
	while (*p) {
		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == idlen && strncasecmp(p, id, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static void
add_finding(struct lint *l, int rule, const char *path, int line, int col,
    char *msg)
{
	struct lint_finding	*f;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	f = &l->v[l->n++];
	f->rule = rules[rule].id;
	f->severity = rules[rule].severity;
	f->path = xstrdup(path);
	f->line = line;
	f->col = col;
	f->message = msg;
	f->hint = rules[rule].hint;
	l->count[f->severity]++;
}

static void	tell(struct sect *, int, size_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* A finding of rule at token i of the current statement. */
static void
tell(struct sect *s, int rule, size_t i, const char *fmt, ...)
{
	struct strbuf	 sb = STRBUF_INIT;
	va_list		 ap;
	size_t		 off = i < s->t.n ? s->t.v[i].off : 0, k;
	int		 line, col;

	if (!s->report || ignored(s->st, rules[rule].id))
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* One line, even for a "quoted\nidentifier". */
	for (k = 0; k < sb.len; k++)
		if ((unsigned char)sb.buf[k] < 0x20 || sb.buf[k] == 0x7f)
			sb.buf[k] = '?';
	/* tag-20261122-offsets: token offsets are offsets into st->sql. */
	sqlsplit_locate(s->st, NULL, 0, off, &line, &col);
	add_finding(s->l, rule, s->path, line, col, strbuf_detach(&sb, NULL));
}

/*
 * The statement locks something that exists: the first such one of a
 * section without a lock_timeout is a finding. One that is suppressed
 * leaves the next one to be reported.
 */
static void
locking(struct sect *s)
{
	if (s->l->opts.session_lock_timeout || s->timeout || s->timeout_told)
		return;
	if (!s->report || ignored(s->st, rules[R_LOCK_TIMEOUT].id))
		return;
	tell(s, R_LOCK_TIMEOUT, 0, "schema change without a lock_timeout: "
	    "while it waits for its lock, every later query on the object "
	    "waits behind it");
	s->timeout_told = 1;
}

/* Is a table new in this section (created earlier in it)? */
static int
is_new(const struct sect *s, const char *key)
{
	return set_has(&s->news, key);
}

/* Statements */

/* SET [SESSION|LOCAL] lock_timeout {TO|=} value; RESET lock_timeout|ALL */
static void
set_stmt(struct sect *s)
{
	const struct toks	*t = &s->t;
	struct strbuf		 name = STRBUF_INIT;
	const char		*v;
	size_t			 i = 1, k, len;
	int			 zero;

	if (kw(t, 0, "reset")) {
		if (kw(t, 1, "all") || (add_ident(&name, t, 1) &&
		    strcmp(name.buf, "lock_timeout") == 0))
			s->timeout = 0;
		strbuf_release(&name);
		return;
	}
	if (kw(t, i, "session") || kw(t, i, "local"))
		i++;
	if (!add_ident(&name, t, i) || strcmp(name.buf, "lock_timeout") != 0) {
		strbuf_release(&name);
		return;
	}
	strbuf_release(&name);
	i++;
	if (kw(t, i, "to") || punct(t, i, '='))
		i++;
	if (i >= t->n || kw(t, i, "default")) {
		s->timeout = 0;
		return;
	}
	/* 0, '0', '0ms': no timeout. */
	v = t->sql + t->v[i].off;
	len = t->v[i].len;
	if (t->v[i].kind == T_STRING && len >= 2 && v[0] == '\'') {
		v++;
		len -= 2;
	}
	zero = len > 0 && v[0] >= '0' && v[0] <= '9';
	for (k = 0; k < len && v[k] >= '0' && v[k] <= '9'; k++)
		if (v[k] != '0')
			zero = 0;
	s->timeout = !zero;
}

/* CREATE [TEMP] TABLE | MATERIALIZED VIEW [IF NOT EXISTS] name */
static void
create_table(struct sect *s, size_t i, int temp)
{
	struct strbuf	 key = STRBUF_INIT;
	int		 ine;

	ine = accept(&s->t, &i, "if not exists");
	if (!read_name(&s->t, &i, &key))
		goto done;
	/* IF NOT EXISTS of a table an earlier revision made: a no-op. */
	if (ine && !is_new(s, key.buf) && set_has(&s->l->tables, key.buf))
		goto done;
	set_add(&s->news, key.buf);
	if (!s->down && !temp)
		set_add(&s->l->tables, key.buf);
done:
	strbuf_release(&key);
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t */
static void
create_index(struct sect *s, size_t i)
{
	const struct toks	*t = &s->t;
	struct strbuf		 idx = STRBUF_INIT, key = STRBUF_INIT;
	int			 conc;

	conc = accept(t, &i, "concurrently");
	accept(t, &i, "if not exists");
	if (!kw(t, i, "on") && !read_name(t, &i, &idx))
		goto done;
	if (!accept(t, &i, "on"))
		goto done;
	accept(t, &i, "only");
	if (!read_name(t, &i, &key))
		goto done;
	if (idx.len > 0)
		set_add(&s->new_idx, idx.buf);
	if (is_new(s, key.buf))
		goto done;
	locking(s);
	if (!conc)
		tell(s, R_INDEX, 0, "index%s%s%s on existing table '%s' is "
		    "built without CONCURRENTLY, which blocks writes to the "
		    "table until it is done", idx.len ? " '" : "", idx.buf,
		    idx.len ? "'" : "", key.buf);
done:
	strbuf_release(&idx);
	strbuf_release(&key);
}

/* CREATE [CONSTRAINT] TRIGGER name ... ON table: locks the table. */
static void
create_trigger(struct sect *s, size_t i)
{
	struct strbuf	 key = STRBUF_INIT;

	for (; i < s->t.n; i++)
		if (kw(&s->t, i, "on")) {
			i++;
			if (read_name(&s->t, &i, &key) && !is_new(s, key.buf))
				locking(s);
			break;
		}
	strbuf_release(&key);
}

static void
create_stmt(struct sect *s)
{
	const struct toks	*t = &s->t;
	size_t			 i = 1;
	int			 temp = 0;

	accept(t, &i, "or replace");
	for (;;) {
		if (kw(t, i, "temp") || kw(t, i, "temporary"))
			temp = 1;
		else if (!kw(t, i, "global") && !kw(t, i, "local") &&
		    !kw(t, i, "unlogged") && !kw(t, i, "unique") &&
		    !kw(t, i, "constraint"))
			break;
		i++;
	}
	if (kw(t, i, "table"))
		create_table(s, i + 1, temp);
	else if (accept(t, &i, "materialized view"))
		create_table(s, i, 1);	/* new, but not a table of state */
	else if (kw(t, i, "index"))
		create_index(s, i + 1);
	else if (kw(t, i, "trigger"))
		create_trigger(s, i + 1);
}

/* DROP TABLE [IF EXISTS] name [, ...] */
static void
drop_table(struct sect *s, size_t i)
{
	const struct toks	*t = &s->t;
	struct strbuf		 key = STRBUF_INIT;
	size_t			 at;
	int			 lock = 0;

	accept(t, &i, "if exists");
	for (;;) {
		at = i;
		if (!read_name(t, &i, &key))
			break;
		if (!is_new(s, key.buf)) {
			lock = 1;
			/* A downgrade dropping its upgrade's table: undone. */
			if (!(s->down && is_new(s->up, key.buf)))
				tell(s, R_DROP_TABLE, at, "existing table '%s' "
				    "is dropped, which loses its data and "
				    "breaks application code still using it",
				    key.buf);
		}
		set_del(&s->news, key.buf);
		if (!s->down)
			set_del(&s->l->tables, key.buf);
		if (!punct(t, i, ','))
			break;
		i++;
	}
	if (lock)
		locking(s);
	strbuf_release(&key);
}

/* DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, ...] */
static void
drop_index(struct sect *s, size_t i)
{
	const struct toks	*t = &s->t;
	struct strbuf		 key = STRBUF_INIT, names = STRBUF_INIT;
	int			 conc, old = 0;

	conc = accept(t, &i, "concurrently");
	accept(t, &i, "if exists");
	while (read_name(t, &i, &key)) {
		if (!set_has(&s->new_idx, key.buf)) {
			strbuf_addf(&names, "%s'%s'", old ? ", " : "",
			    key.buf);
			old = 1;
		}
		set_del(&s->new_idx, key.buf);
		if (!punct(t, i, ','))
			break;
		i++;
	}
	if (old) {
		locking(s);
		if (!conc)
			tell(s, R_DROP_INDEX, 0, "index %s is dropped without "
			    "CONCURRENTLY, which blocks reads and writes on "
			    "its table until it is done", names.buf);
	}
	strbuf_release(&key);
	strbuf_release(&names);
}

static void
drop_stmt(struct sect *s)
{
	if (kw(&s->t, 1, "table"))
		drop_table(s, 2);
	else if (kw(&s->t, 1, "index"))
		drop_index(s, 2);
	else
		locking(s);
}

/* Is there "w1 w2" at depth 0 in tokens [a, b)? */
static int
has_pair(const struct toks *t, size_t a, size_t b, const char *w1,
    const char *w2)
{
	size_t	 i;
	int	 depth = 0;

	for (i = a; i < b; i++) {
		if (punct(t, i, '('))
			depth++;
		else if (punct(t, i, ')'))
			depth--;
		else if (depth == 0 && kw(t, i, w1) &&
		    (w2 == NULL || (i + 1 < b && kw(t, i + 1, w2))))
			return 1;
	}
	return 0;
}

/* ADD [COLUMN] [IF NOT EXISTS] col type [constraints], tokens [a, b). */
static void
add_column(struct sect *s, const char *table, int isnew, size_t a,
    size_t i, size_t b)
{
	const struct toks	*t = &s->t;
	struct strbuf		 col = STRBUF_INIT, key = STRBUF_INIT;
	size_t			 k;
	int			 notnull, def = 0, depth = 0;

	accept(t, &i, "if not exists");
	if (!add_ident(&col, t, i))
		goto done;
	strbuf_addf(&key, "%s\n%s", table, col.buf);
	set_add(&s->cols, key.buf);
	if (isnew)
		goto done;
	notnull = has_pair(t, i + 1, b, "not", "null") ||
	    has_pair(t, i + 1, b, "primary", "key");
	for (k = i + 1; k < b; k++) {
		if (punct(t, k, '('))
			depth++;
		else if (punct(t, k, ')'))
			depth--;
		else if (depth > 0)
			continue;
		/* DEFAULT NULL fills nothing in. */
		else if (kw(t, k, "default") && !(kw(t, k + 1, "null") &&
		    (k + 2 >= b || t->v[k + 2].kind == T_WORD)))
			def = 1;
		else if (kw(t, k, "generated"))
			def = 1;	/* identity or generated column */
	}
	if (notnull && !def)
		tell(s, R_ADD_NOT_NULL, a, "column '%s' is added to existing "
		    "table '%s' as NOT NULL without a DEFAULT, which fails "
		    "as soon as the table has a row", col.buf, table);
done:
	strbuf_release(&col);
	strbuf_release(&key);
}

/* ADD [CONSTRAINT name] FOREIGN KEY | CHECK ... [NOT VALID] */
static void
add_constraint(struct sect *s, const char *table, size_t a, size_t i,
    size_t b)
{
	const struct toks	*t = &s->t;
	struct strbuf		 name = STRBUF_INIT;
	const char		*what;

	if (kw(t, i, "constraint")) {
		add_ident(&name, t, i + 1);
		i += 2;
	}
	if (kw(t, i, "foreign"))
		what = "foreign key";
	else if (kw(t, i, "check"))
		what = "check constraint";
	else
		goto done;
	if (!has_pair(t, i, b, "not", "valid"))
		tell(s, R_NOT_VALID, a, "%s%s%s%s is added to existing table "
		    "'%s' without NOT VALID, so it checks every row under a "
		    "lock that blocks writes", what, name.len ? " '" : "",
		    name.buf, name.len ? "'" : "", table);
done:
	strbuf_release(&name);
}

/* RENAME [COLUMN] a TO b | RENAME TO name | RENAME CONSTRAINT ... */
static void
rename_action(struct sect *s, const char *table, int isnew, size_t a,
    size_t i)
{
	const struct toks	*t = &s->t;
	struct strbuf		 to = STRBUF_INIT, col = STRBUF_INIT;

	if (accept(t, &i, "to")) {
		if (!read_name(t, &i, &to))
			goto done;
		if (isnew) {
			set_del(&s->news, table);
			set_add(&s->news, to.buf);
		}
		if (!s->down && set_has(&s->l->tables, table)) {
			set_del(&s->l->tables, table);
			set_add(&s->l->tables, to.buf);
		}
		if (!isnew)
			tell(s, R_RENAME, a, "existing table '%s' is renamed "
			    "to '%s', which breaks application code still "
			    "using the old name", table, to.buf);
		goto done;
	}
	if (kw(t, i, "constraint"))
		goto done;
	accept(t, &i, "column");
	if (!add_ident(&col, t, i) || !kw(t, i + 1, "to") ||
	    !add_ident(&to, t, i + 2) || isnew)
		goto done;
	tell(s, R_RENAME, a, "column '%s' of existing table '%s' is renamed "
	    "to '%s', which breaks application code still using the old "
	    "name", col.buf, table, to.buf);
done:
	strbuf_release(&to);
	strbuf_release(&col);
}

/* One action of ALTER TABLE, tokens [a, b). */
static void
alter_action(struct sect *s, const char *table, int isnew, size_t a,
    size_t b)
{
	const struct toks	*t = &s->t;
	struct strbuf		 col = STRBUF_INIT, key = STRBUF_INIT;
	size_t			 i = a + 1;

	if (kw(t, a, "add")) {
		if (accept(t, &i, "column"))
			add_column(s, table, isnew, a, i, b);
		else if (kw(t, i, "constraint") || kw(t, i, "foreign") ||
		    kw(t, i, "check") || kw(t, i, "primary") ||
		    kw(t, i, "unique") || kw(t, i, "exclude")) {
			if (!isnew)
				add_constraint(s, table, a, i, b);
		} else
			add_column(s, table, isnew, a, i, b);
	} else if (kw(t, a, "alter")) {
		if (kw(t, i, "constraint"))
			goto done;
		accept(t, &i, "column");
		if (!add_ident(&col, t, i++) || isnew)
			goto done;
		if (kw(t, i, "type") || accept(t, &i, "set data type"))
			tell(s, R_TYPE, a, "the type of column '%s' of "
			    "existing table '%s' changes, which can rewrite "
			    "the table and its indexes under an ACCESS "
			    "EXCLUSIVE lock", col.buf, table);
		else if (accept(t, &i, "set not null"))
			tell(s, R_SET_NOT_NULL, a, "SET NOT NULL on column "
			    "'%s' of existing table '%s' scans the whole "
			    "table under an ACCESS EXCLUSIVE lock", col.buf,
			    table);
	} else if (kw(t, a, "drop")) {
		if (kw(t, i, "constraint"))
			goto done;
		accept(t, &i, "column");
		accept(t, &i, "if exists");
		if (!add_ident(&col, t, i) || isnew)
			goto done;
		strbuf_addf(&key, "%s\n%s", table, col.buf);
		/* A downgrade dropping its upgrade's column undoes it. */
		if (s->down && set_has(&s->up->cols, key.buf))
			goto done;
		tell(s, R_DROP_COLUMN, a, "column '%s' is dropped from "
		    "existing table '%s', which loses its data and breaks "
		    "application code still reading it", col.buf, table);
	} else if (kw(t, a, "rename"))
		rename_action(s, table, isnew, a, i);
done:
	strbuf_release(&col);
	strbuf_release(&key);
}

/* ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, action ...] */
static void
alter_table(struct sect *s)
{
	const struct toks	*t = &s->t;
	struct strbuf		 key = STRBUF_INIT;
	size_t			 i = 2, a;
	int			 depth = 0, isnew;

	accept(t, &i, "if exists");
	accept(t, &i, "only");
	if (!read_name(t, &i, &key))
		goto done;
	if (punct(t, i, '*'))
		i++;
	isnew = is_new(s, key.buf);
	if (!isnew)
		locking(s);
	for (a = i; i <= t->n; i++) {
		if (i < t->n && punct(t, i, '('))
			depth++;
		else if (i < t->n && punct(t, i, ')'))
			depth--;
		else if (i == t->n || (depth == 0 && punct(t, i, ','))) {
			if (i > a)
				alter_action(s, key.buf, isnew, a, i);
			a = i + 1;
		}
	}
done:
	strbuf_release(&key);
}

/* BEGIN / START TRANSACTION; COMMIT, END, ROLLBACK, ABORT end it. */
static int
txn_control(struct sect *s)
{
	const struct toks	*t = &s->t;

	if (kw(t, 0, "begin") || (kw(t, 0, "start") &&
	    kw(t, 1, "transaction"))) {
		if (s->txn_line == 0)
			s->txn_line = s->st->line;
		return 1;
	}
	if (kw(t, 0, "commit") || kw(t, 0, "end") || kw(t, 0, "abort") ||
	    (kw(t, 0, "rollback") && !kw(t, 1, "to") && !kw(t, 2, "to")) ||
	    (kw(t, 0, "prepare") && kw(t, 1, "transaction"))) {
		s->txn_line = 0;
		return 1;
	}
	return 0;
}

static void
lint_stmt(struct sect *s, const struct stmt *st)
{
	const struct toks	*t = &s->t;
	size_t			 i;

	s->st = st;
	tokenize(&s->t, st->sql, st->len);
	if (t->n == 0 || txn_control(s))
		return;
	/* REFRESH MATERIALIZED VIEW CONCURRENTLY runs in a transaction. */
	for (i = 0; s->txn_line != 0 && !kw(t, 0, "refresh") && i < t->n; i++)
		if (kw(t, i, "concurrently")) {
			tell(s, R_CONC_TXN, i, "CONCURRENTLY cannot run inside "
			    "the transaction block opened at line %d",
			    s->txn_line);
			break;
		}
	if (kw(t, 0, "set") || kw(t, 0, "reset"))
		set_stmt(s);
	else if (kw(t, 0, "create"))
		create_stmt(s);
	else if (kw(t, 0, "alter") && kw(t, 1, "table"))
		alter_table(s);
	else if (kw(t, 0, "alter") && (kw(t, 1, "index") ||
	    kw(t, 1, "materialized") || kw(t, 1, "view") ||
	    kw(t, 1, "sequence") || kw(t, 1, "type") || kw(t, 1, "domain") ||
	    kw(t, 1, "foreign")))
		locking(s);
	else if (kw(t, 0, "drop"))
		drop_stmt(s);
	else if (kw(t, 0, "truncate") || kw(t, 0, "reindex") ||
	    kw(t, 0, "cluster") || kw(t, 0, "lock") || kw(t, 0, "vacuum"))
		locking(s);
}

static void
sect_run(struct sect *s, const struct stmt_list *list)
{
	size_t	 i;

	for (i = 0; i < list->n; i++)
		lint_stmt(s, &list->v[i]);
	s->st = NULL;
}

static void
sect_free(struct sect *s)
{
	free(s->t.v);
	set_clear(&s->news);
	set_clear(&s->new_idx);
	set_clear(&s->cols);
}

static int
by_position(const void *pa, const void *pb)
{
	const struct lint_finding	*a = pa, *b = pb;
	size_t				 ra, rb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	for (ra = 0; ra < R_N && rules[ra].id != a->rule; ra++)
		;
	for (rb = 0; rb < R_N && rules[rb].id != b->rule; rb++)
		;
	return ra < rb ? -1 : ra > rb;
}

struct lint *
lint_new(const struct lint_opts *opts)
{
	struct lint	*l;

	l = xcalloc(1, sizeof(*l));
	if (opts != NULL)
		l->opts = *opts;
	return l;
}

void
lint_free(struct lint *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].message);
	}
	free(l->v);
	set_clear(&l->tables);
	free(l);
}

void
lint_revision(struct lint *l, const char *path, const struct script *sc,
    int report)
{
	struct sect	 up, down;
	size_t		 start = l->n;

	memset(&up, 0, sizeof(up));
	up.l = l;
	up.path = path;
	up.report = report;
	sect_run(&up, &sc->up);
	if (report) {
		/* State follows the upgrades only. */
		memset(&down, 0, sizeof(down));
		down.l = l;
		down.path = path;
		down.report = 1;
		down.down = 1;
		down.up = &up;
		sect_run(&down, &sc->down);
		sect_free(&down);
		if (!sc->has_down)
			add_finding(l, R_MISSING_DOWN, path, 1, 1,
			    xstrdup("revision has no '-- migrate:downgrade' "
			    "section, so it cannot be reverted"));
		if (l->n > start)
			qsort(l->v + start, l->n - start, sizeof(*l->v),
			    by_position);
	}
	sect_free(&up);
}

const struct lint_finding *
lint_findings(const struct lint *l, size_t *n)
{
	*n = l->n;
	return l->v;
}

size_t
lint_count(const struct lint *l, enum lint_severity sev)
{
	return l->count[sev];
}

int
lint_rule_severity(const char *id)
{
	size_t	 i;

	for (i = 0; i < R_N; i++)
		if (strcmp(rules[i].id, id) == 0)
			return (int)rules[i].severity;
	return -1;
}
