#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "strbuf.h"
#include "xmalloc.h"

void
snapshot_add(struct snapshot *s, const char *line)
{
	struct strbuf		 sb = STRBUF_INIT;
	const unsigned char	*p;

	if (line == NULL)
		return;
	for (p = (const unsigned char *)line; *p; p++) {
		switch (*p) {
		case '\\':
			strbuf_addstr(&sb, "\\\\");
			break;
		case '\n':
			strbuf_addstr(&sb, "\\n");
			break;
		case '\t':
			strbuf_addstr(&sb, "\\t");
			break;
		case '\r':
			strbuf_addstr(&sb, "\\r");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(&sb, "\\x%02X", *p);
			else
				strbuf_addch(&sb, *p);
		}
	}
	snapshot_add_escaped(s, sb.buf);
	strbuf_release(&sb);
}

void
snapshot_add_escaped(struct snapshot *s, const char *line)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->v = xreallocarray(s->v, s->alloc, sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(line);
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
snapshot_finish(struct snapshot *s, struct strbuf *out)
{
	size_t	i;

	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), cmp_line);
	for (i = 0; i < s->n; i++) {
		strbuf_addstr(out, s->v[i]);
		strbuf_addch(out, '\n');
	}
	snapshot_clear(s);
}

void
snapshot_clear(struct snapshot *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

static int
plain_ident(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Append the identifier of len bytes at s, quoted if it needs to be. */
static void
add_ident(struct strbuf *sb, const char *s, size_t len)
{
	size_t	i;

	if (plain_ident(s, len)) {
		strbuf_add(sb, s, len);
		return;
	}
	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '"');
}

void
snapshot_ident(struct strbuf *sb, const char *name)
{
	add_ident(sb, name, strlen(name));
}

/*
 * The quoted token at p (opened by *p): a string literal is copied as it
 * is, an identifier is unquoted into name. Returns the end of the token.
 */
static const char *
quoted(const char *p, struct strbuf *out, struct strbuf *name)
{
	const char	*start = p;
	char		 close = *p == '[' ? ']' : *p;

	strbuf_reset(name);
	for (p++; *p; p++) {
		if (*p == close) {
			/* A doubled quote is one ([x] has no escape). */
			if (close != ']' && p[1] == close) {
				strbuf_addch(name, *p++);
				continue;
			}
			p++;
			break;
		}
		strbuf_addch(name, *p);
	}
	if (*start == '\'')
		strbuf_add(out, start, (size_t)(p - start));
	else
		add_ident(out, name->buf, name->len);
	return p;
}

void
snapshot_sql(struct strbuf *out, const char *sql)
{
	struct strbuf	 name = STRBUF_INIT;
	const char	*p = sql, *e;
	size_t		 start = out->len;
	int		 blank = 0;
	char		 last;

	while (*p) {
		if (isspace((unsigned char)*p)) {
			blank = 1;
			p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			blank = 1;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			blank = 1;
			continue;
		}
		last = out->len > start ? out->buf[out->len - 1] : '\0';
		if (*p == ',' || *p == ')' || *p == '(')
			;		/* never a blank before */
		else if (last == ',')
			strbuf_addch(out, ' ');	/* always one after */
		else if (blank && last != '\0' && last != '(')
			strbuf_addch(out, ' ');
		blank = 0;
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[')
			p = quoted(p, out, &name);
		else
			strbuf_addch(out, *p++);
	}
	strbuf_release(&name);
}
