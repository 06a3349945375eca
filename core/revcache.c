#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "revcache.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

#define CACHE_MAGIC	"migrate-revcache 2\n"
#define CACHE_MAX	(256u << 20)
/* Coarse kernel clocks tick every few ms; stay well clear of one. */
#define RACY_NS		100000000LL

/*
 * An entry points into the cache file's text, split and unescaped in
 * place: loading 10,000 entries costs no allocation per entry.
 */
enum { F_NAME, F_INO, F_SIZE, F_MTIME, F_CTIME, F_ISC, F_IDLINE,
	F_DOWNLINE, F_DEPLINE, F_ID,
	F_DOWN, F_DEPENDS, F_LABELS, F_MESSAGE, F_DATE, F_COUNT };

struct entry {
	char		*f[F_COUNT];
	long long	 ino, size, mtime, ctime;	/* times in ns */
};

struct revcache {
	char		*path;		/* the cache file, NULL when off */
	struct strbuf	 text;		/* its contents, entries point here */
	long long	 written;	/* its mtime, ns */
	struct entry	*v;
	size_t		 n;
	size_t		*slots;		/* name -> index, open addressing */
	size_t		 nslots;
};

static long long
ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

char *
revcache_dir(void)
{
	const char	*base = getenv("MIGRATE_CACHE_DIR");
	const char	*xdg = getenv("XDG_CACHE_HOME");
	const char	*home = getenv("HOME");

	if (base != NULL)
		return *base == '\0' ? NULL : xstrdup(base);
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/migrate", xdg);
	if (home != NULL && *home == '/')
		return xasprintf("%s/.cache/migrate", home);
	return NULL;
}

/* Where the cache of dir lives, or NULL when caching is off. */
static char *
cache_path(const char *dir)
{
	char	 abs[PATH_MAX];
	char	*d, *p;

	if ((d = revcache_dir()) == NULL)
		return NULL;
	if (realpath(dir, abs) == NULL) {
		free(d);
		return NULL;
	}
	p = xasprintf("%s/revcache-%016zx", d, strhash(abs));
	free(d);
	return p;
}

/* Escape \, tab and newline so that a value fits in one field. */
static void
put_str(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_addstr(sb, "\\\\");
		else if (*s == '\t')
			strbuf_addstr(sb, "\\t");
		else if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, *s);
	}
}

/* Undo put_str() in place (the text only shrinks). */
static void
unescape(char *s)
{
	char	*o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static long long
num(const char *s)
{
	long long	v = 0;
	int		neg = *s == '-';

	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

static void
put_list(struct strbuf *sb, const struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		put_str(sb, l->v[i]);
	}
}

/* An optional string: "=value", or "" for none. */
static void
put_opt(struct strbuf *sb, const char *s)
{
	if (s) {
		strbuf_addch(sb, '=');
		put_str(sb, s);
	}
}

static void
index_entries(struct revcache *c)
{
	size_t	i, h;

	for (c->nslots = 16; c->nslots < 2 * c->n; c->nslots *= 2)
		;
	c->slots = xmalloc(c->nslots * sizeof(*c->slots));
	for (i = 0; i < c->nslots; i++)
		c->slots[i] = SIZE_MAX;
	for (i = 0; i < c->n; i++) {
		for (h = strhash(c->v[i].f[F_NAME]) & (c->nslots - 1);
		    c->slots[h] != SIZE_MAX; h = (h + 1) & (c->nslots - 1))
			;
		c->slots[h] = i;
	}
}

/* Split one line (NUL-terminated at its end) into its fields. */
static int
parse_line(struct entry *e, char *p)
{
	int	i;

	char	*tab;

	for (i = 0; i < F_COUNT; i++) {
		e->f[i] = p;
		tab = strchr(p, '\t');
		if ((i < F_COUNT - 1) != (tab != NULL))
			return -1;
		if (tab != NULL)
			*tab = '\0';
		if (strchr(p, '\\') != NULL)
			unescape(p);
		if (tab != NULL)
			p = tab + 1;
	}
	e->ino = num(e->f[F_INO]);
	e->size = num(e->f[F_SIZE]);
	e->mtime = num(e->f[F_MTIME]);
	e->ctime = num(e->f[F_CTIME]);
	return 0;
}

struct revcache *
revcache_open(const char *dir)
{
	struct revcache	*c = xcalloc(1, sizeof(*c));
	struct stat	 st;
	char		*p, *end, *nl;
	size_t		 cap = 0;

	strbuf_init(&c->text, 0);
	if ((c->path = cache_path(dir)) == NULL ||
	    stat(c->path, &st) != 0 || st.st_size > (off_t)CACHE_MAX)
		goto done;
	/* One allocation of the right size: no copies while growing. */
	strbuf_grow(&c->text, (size_t)st.st_size + 8192);
	if (strbuf_read_file(&c->text, c->path, CACHE_MAX) != 0 ||
	    c->text.len < strlen(CACHE_MAGIC) ||
	    memcmp(c->text.buf, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
		goto done;
	c->written = ns(&st.st_mtim);
	p = c->text.buf + strlen(CACHE_MAGIC);
	end = c->text.buf + c->text.len;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		*nl = '\0';
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->v = xreallocarray(c->v, cap, sizeof(*c->v));
		}
		if (parse_line(&c->v[c->n], p) == 0)
			c->n++;
		p = nl + 1;
	}
done:
	index_entries(c);
	return c;
}

long
revcache_find(const struct revcache *c, const char *name,
    const struct stat *st)
{
	const struct entry	*e;
	size_t			 h, i;

	if (c == NULL || c->n == 0)
		return -1;
	for (h = strhash(name) & (c->nslots - 1);; h = (h + 1) &
	    (c->nslots - 1)) {
		if ((i = c->slots[h]) == SIZE_MAX)
			return -1;
		if (strcmp(c->v[i].f[F_NAME], name) == 0)
			break;
	}
	e = &c->v[i];
	if (e->ino != (long long)st->st_ino || e->size != st->st_size ||
	    e->mtime != ns(&st->st_mtim) || e->ctime != ns(&st->st_ctim) ||
	    e->mtime >= c->written - RACY_NS)
		return -1;
	return (long)i;
}

void
revcache_header(const struct revcache *c, long idx, struct revcache_hdr *out)
{
	const struct entry	*e = &c->v[idx];

	out->id = e->f[F_ID];
	out->id_line = (int)num(e->f[F_IDLINE]);
	out->down_line = (int)num(e->f[F_DOWNLINE]);
	out->depends_line = (int)num(e->f[F_DEPLINE]);
	out->down = e->f[F_DOWN];
	out->depends = e->f[F_DEPENDS];
	out->labels = e->f[F_LABELS];
	out->message = e->f[F_MESSAGE][0] ? e->f[F_MESSAGE] + 1 : NULL;
	out->create_date = e->f[F_DATE][0] ? e->f[F_DATE] + 1 : NULL;
}

void
revcache_save(struct revcache *c, const struct revision_set *set,
    const struct stat *sts)
{
	struct strbuf		 sb = STRBUF_INIT;
	const struct revision	*r;
	char			*tmp, *slash;
	size_t			 i;
	int			 fd;

	if (c == NULL || c->path == NULL)
		return;
	strbuf_addstr(&sb, CACHE_MAGIC);
	for (i = 0; i < set->n; i++) {
		r = set->v[i];
		put_str(&sb, r->filename);
		strbuf_addf(&sb, "\t%lld\t%lld\t%lld\t%lld\t%d\t%d\t%d\t%d\t",
		    (long long)sts[i].st_ino, (long long)sts[i].st_size,
		    ns(&sts[i].st_mtim), ns(&sts[i].st_ctim), r->is_c,
		    r->id_line, r->down_line, r->depends_line);
		put_str(&sb, r->id);
		strbuf_addch(&sb, '\t');
		put_list(&sb, &r->down);
		strbuf_addch(&sb, '\t');
		put_list(&sb, &r->depends);
		strbuf_addch(&sb, '\t');
		put_list(&sb, &r->labels);
		strbuf_addch(&sb, '\t');
		put_opt(&sb, r->message);
		strbuf_addch(&sb, '\t');
		put_opt(&sb, r->create_date);
		strbuf_addch(&sb, '\n');
	}
	/* The cache directory, ~/.cache included, may not exist yet. */
	tmp = xstrdup(c->path);
	for (slash = tmp + 1; *slash; slash++)
		if (*slash == '/') {
			*slash = '\0';
			(void)mkdir(tmp, 0700);
			*slash = '/';
		}
	free(tmp);
	tmp = xasprintf("%s.XXXXXX", c->path);
	fd = mkstemp(tmp);
	if (fd != -1) {
		if (write(fd, sb.buf, sb.len) != (ssize_t)sb.len ||
		    close(fd) != 0 || rename(tmp, c->path) != 0)
			unlink(tmp);
	}
	free(tmp);
	strbuf_release(&sb);
}

void
revcache_free(struct revcache *c)
{
	if (c == NULL)
		return;
	strbuf_release(&c->text);
	free(c->v);
	free(c->slots);
	free(c->path);
	free(c);
}
