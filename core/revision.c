#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "error.h"
#include "revcache.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

/*
 * The patterns are compiled once per process: scanning 10,000 files must
 * not compile anything per file.
 */
enum { RE_SQL, RE_C, RE_FILE, RE_ID, RE_COUNT };

static const char *const re_src[RE_COUNT] = {
	/*
	 * A SQL comment line: "-- migrate:KIND" (group 1) or "-- key: value"
	 * (groups 2, 3). Greedy, without a lazy tail, so a match costs one
	 * pass over the line; trailing blanks are trimmed in C.
	 */
	[RE_SQL] = "^[ \\t]*--[ \\t]*(?:migrate:[ \\t]*([A-Za-z_-]*)|"
	    "([a-z_]+)[ \\t]*:[ \\t]*(.*))",
	/* A line of a leading C comment: "/" "* key: value" or " * key: value" */
	[RE_C] = "^[ \\t]*(?:/?\\*+)?[ \\t]*([a-z_]+)[ \\t]*:[ \\t]*(.*)",
	/* \z, not $: '$' also matches before a final newline. */
	[RE_FILE] = "^([A-Za-z0-9_.]+)_[^/]*\\.(sql|c)\\z",
	[RE_ID] = "^[A-Za-z0-9_.]{1,64}\\z",
};

static pcre2_code		*re[RE_COUNT];
/* Per thread: revision_scan reads files on two threads. */
static _Thread_local pcre2_match_data *md;
static int			 re_ready;

static void
re_init(void)
{
	PCRE2_SIZE	off;
	int		i, ec;

	if (md != NULL)
		return;
	md = pcre2_match_data_create(4, NULL);
	if (re_ready)
		return;
	re_ready = 1;
	for (i = 0; i < RE_COUNT; i++) {
		re[i] = pcre2_compile((PCRE2_SPTR)re_src[i],
		    PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED, &ec, &off, NULL);
		if (re[i] == NULL)
			BUG("pattern %d does not compile at %zu", i,
			    (size_t)off);
		(void)pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
	}
}

static int
re_match(int which, const char *s, size_t len)
{
	re_init();
	return pcre2_match(re[which], (PCRE2_SPTR)s, len, 0, 0, md,
	    NULL) >= 0;
}

/* Group n of the last match, or NULL when it did not take part. */
static char *
re_group(int n, const char *s)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(md);
	size_t		 a = ov[2 * n], b = ov[2 * n + 1];

	if (a == PCRE2_UNSET)
		return NULL;
	/* Values end before trailing blanks, CR, and a closing C comment. */
	for (;;) {
		while (b > a && strchr(" \t\r", s[b - 1]) && s[b - 1] != '\0')
			b--;
		if (b - a >= 2 && s[b - 2] == '*' && s[b - 1] == '/')
			b -= 2;
		else
			break;
	}
	return xstrndup(s + a, b - a);
}

void
strlist_add(struct strlist *l, const char *s)
{
	/* Grow by doubling: a scan adds 10,000 names to one list. */
	if ((l->n & (l->n - 1)) == 0)
		l->v = xreallocarray(l->v, l->n ? l->n * 2 : 1,
		    sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void
strlist_clear(struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
strlist_split(struct strlist *l, const char *s)
{
	const char	*p = s, *start;
	char		*item;

	for (;;) {
		while (*p == ',' || *p == ' ' || *p == '\t' || *p == '(' ||
		    *p == ')' || *p == '\'' || *p == '"')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && !strchr(", \t()'\"", *p))
			p++;
		item = xstrndup(start, (size_t)(p - start));
		/* Alembic writes "None" for an empty down_revision. */
		if (strcmp(item, "None") != 0)
			strlist_add(l, item);
		free(item);
	}
}

int
revision_id_valid(const char *id)
{
	return re_match(RE_ID, id, strlen(id));
}

void
revision_free(struct revision *rev)
{
	if (rev == NULL)
		return;
	if (!(rev->pooled & REV_POOL_HEADER)) {
		free(rev->id);
		strlist_clear(&rev->down);
		strlist_clear(&rev->depends);
		strlist_clear(&rev->labels);
		free(rev->message);
		free(rev->create_date);
	}
	if (!(rev->pooled & REV_POOL_NAMES)) {
		free(rev->path);
		free(rev->filename);
	}
	if (!(rev->pooled & REV_POOL_SELF))
		free(rev);
}

/*
 * The pool: a chain of chunks that only grows, freed with the set. Each
 * chunk starts with the pointer to the previous one.
 */
#define POOL_CHUNK	(256u << 10)

static void *
pool_alloc(void **pool, size_t n)
{
	static const size_t	 hdr = 2 * sizeof(size_t);
	size_t			*c = *pool;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c[1] + n > POOL_CHUNK) {
		size_t size = n + hdr > POOL_CHUNK ? n + hdr : POOL_CHUNK;
		size_t *nc = xmalloc(size);

		nc[0] = (size_t)(uintptr_t)c;	/* the previous chunk */
		nc[1] = hdr;			/* bytes used */
		*pool = c = nc;
	}
	c[1] += n;
	return (char *)c + c[1] - n;
}

static char *
pool_strdup(void **pool, const char *s)
{
	size_t	n = strlen(s) + 1;

	return memcpy(pool_alloc(pool, n), s, n);
}

/* strlist_split into the pool: the array and the strings. */
static void
pool_split(void **pool, struct strlist *l, const char *s)
{
	struct strlist	tmp = { NULL, 0 };
	size_t		i;

	if (*s == '\0')
		return;
	strlist_split(&tmp, s);
	l->v = pool_alloc(pool, (tmp.n ? tmp.n : 1) * sizeof(*l->v));
	for (i = 0; i < tmp.n; i++)
		l->v[i] = pool_strdup(pool, tmp.v[i]);
	l->n = tmp.n;
	strlist_clear(&tmp);
}

void
revision_set_free(struct revision_set *set)
{
	size_t	i, *c, *prev;

	for (i = 0; i < set->n; i++)
		revision_free(set->v[i]);
	free(set->v);
	for (c = set->pool; c != NULL; c = prev) {
		prev = (size_t *)(uintptr_t)c[0];
		free(c);
	}
	set->v = NULL;
	set->n = 0;
	set->pool = NULL;
}

static void
reset_header(struct revision *rev)
{
	free(rev->id);
	free(rev->message);
	free(rev->create_date);
	rev->id = rev->message = rev->create_date = NULL;
	strlist_clear(&rev->down);
	strlist_clear(&rev->depends);
	strlist_clear(&rev->labels);
}

/* Returns 1 if the key is known and stored, 0 if unknown. */
static int
set_key(struct revision *rev, const char *key, const char *val, int line)
{
	if (strcmp(key, "revision") == 0) {
		free(rev->id);
		rev->id = xstrdup(val);
		rev->id_line = line;
	} else if (strcmp(key, "down_revision") == 0) {
		strlist_clear(&rev->down);
		strlist_split(&rev->down, val);
		rev->down_line = line;
	} else if (strcmp(key, "depends_on") == 0) {
		strlist_clear(&rev->depends);
		strlist_split(&rev->depends, val);
		rev->depends_line = line;
	} else if (strcmp(key, "branch_labels") == 0) {
		strlist_clear(&rev->labels);
		strlist_split(&rev->labels, val);
	} else if (strcmp(key, "message") == 0) {
		free(rev->message);
		rev->message = xstrdup(val);
	} else if (strcmp(key, "create_date") == 0) {
		free(rev->create_date);
		rev->create_date = xstrdup(val);
	} else
		return 0;
	return 1;
}

static const char *const header_keys[] = {
	"revision", "down_revision", "branch_labels", "depends_on",
	"message", "create_date", NULL
};

/*
 * Store key: value. An unknown key, or a key given twice (*seen has a bit
 * per key), sets err and returns its code.
 */
static int
header_kv(struct revision *rev, const char *p, int line, const char *path,
    unsigned *seen, struct mg_error *err)
{
	char	*key = re_group(1 + (rev->is_c ? 0 : 1), p);
	char	*val = re_group(2 + (rev->is_c ? 0 : 1), p);
	int	 rc = 0, k;

	for (k = 0; header_keys[k] != NULL; k++)
		if (strcmp(header_keys[k], key) == 0)
			break;
	if (header_keys[k] != NULL && (*seen & (1u << k)))
		rc = mg_error_set_at(err, MG_EREVISION, path, line, 1,
		    "header key '%s' given twice", key);
	else if (!set_key(rev, key, val, line)) {
		rc = mg_error_set_at(err, MG_EREVISION, path, line, 1,
		    "unknown header key '%s'", key);
		strbuf_addstr(&err->hint, "Known keys: revision, "
		    "down_revision, branch_labels, depends_on, message, "
		    "create_date. Reword a comment of the form 'word: ...'.");
	} else
		*seen |= 1u << k;
	free(key);
	free(val);
	return rc;
}

/*
 * One pass over the lines of the header. SQL headers end at the first
 * "-- migrate:" line (the first one that is not a transaction directive must
 * open the upgrade section); C headers end with their leading comment.
 */
int
revision_parse_header(struct revision *rev, const char *buf, size_t len,
    const char *path, int *complete, struct mg_error *err)
{
	const char	*p = buf, *end = buf + len, *nl, *q;
	char		*kind;
	int		 line = 0, in_c = 0, rc = 0, ok, trans;
	unsigned	 seen = 0;
	size_t		 n;

	*complete = 0;
	reset_header(rev);
	/* Editors on Windows save a BOM; the checksum ignores it too. */
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	if (memchr(buf, '\0', len) != NULL)
		return mg_error_set_at(err, MG_EREVISION, path, 0, 0,
		    "not a text file (contains NUL bytes)");
	while (p < end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;	/* a partial line: the caller reads more */
		n = (size_t)(nl - p);
		if (rev->is_c) {
			if (!in_c) {
				if (n >= 2 && p[0] == '/' && p[1] == '*')
					in_c = 1;
				else
					return mg_error_set_at(err,
					    MG_EREVISION, path, line, 1,
					    "missing header comment "
					    "('/* revision: ID ... */')");
			}
			if (re_match(RE_C, p, n) &&
			    (rc = header_kv(rev, p, line, path, &seen, err)) != 0)
				return rc;
			if (memmem(p, n, "*/", 2) != NULL) {
				*complete = 1;
				break;
			}
			p = nl + 1;
			continue;
		}
		for (q = p; q < nl && (*q == ' ' || *q == '\t' || *q == '\r');
		    q++)
			;
		if (q == nl || (nl - q >= 2 && q[0] == '-' && q[1] == '-')) {
			/* Blank, or a comment: only these may form a header. */
			if (q == nl || !re_match(RE_SQL, p, n)) {
				p = nl + 1;
				continue;
			}
			if ((kind = re_group(1, p)) == NULL) {
				if ((rc = header_kv(rev, p, line, path,
				    &seen, err)) != 0)
					return rc;
				p = nl + 1;
				continue;
			}
			ok = strcmp(kind, "upgrade") == 0;
			trans = strcmp(kind, "transaction") == 0;
			free(kind);
			if (trans) {
				p = nl + 1;
				continue;
			}
			if (!ok)
				return mg_error_set_at(err, MG_EREVISION, path,
				    line, 1, "missing '-- migrate:upgrade' "
				    "section before this line");
			*complete = 1;
			break;
		}
		return mg_error_set_at(err, MG_EREVISION, path, line,
		    (int)(q - p) + 1, rev->id ? "SQL before the "
		    "'-- migrate:upgrade' section line" : "missing header "
		    "('-- revision: ID' before the SQL)");
		p = nl + 1;
	}
	return 0;
}

/* After the whole header is read: the checks that need all of it. */
static int
check_header(struct revision *rev, struct mg_error *err)
{
	size_t	idlen, i;

	if (rev->id == NULL || *rev->id == '\0')
		return mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "missing header key 'revision'");
	if (!revision_id_valid(rev->id))
		return mg_error_set_at(err, MG_EREVISION, rev->path,
		    rev->id_line, 0, "invalid revision id '%s' (1 to 64 "
		    "letters, digits, '_' and '.')", rev->id);
	for (i = 0; i < rev->down.n; i++)
		if (!revision_id_valid(rev->down.v[i]))
			return mg_error_set_at(err, MG_EREVISION, rev->path,
			    0, 0, "invalid down_revision '%s'",
			    rev->down.v[i]);
	idlen = strlen(rev->id);
	if (strncmp(rev->filename, rev->id, idlen) != 0 ||
	    rev->filename[idlen] != '_') {
		mg_error_set_at(err, MG_EREVISION, rev->path, rev->id_line, 0,
		    "file name does not start with its revision id '%s_'",
		    rev->id);
		strbuf_addf(&err->hint, "Rename the file to '%s_<slug>.%s' "
		    "or fix the 'revision:' line.", rev->id,
		    rev->is_c ? "c" : "sql");
		return MG_EREVISION;
	}
	return 0;
}

static int
load_one(struct revision *rev, int dirfd, struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd, complete = 0, rc = 0, eof = 0;

	/* openat: no path walk per file over 10,000 files. */
	if ((fd = openat(dirfd, rev->filename, O_RDONLY | O_CLOEXEC)) == -1)
		return mg_error_set(err, MG_EIO, "cannot open '%s': %s",
		    rev->path, strerror(errno));
	/*
	 * Read in chunks until the header is complete: most files need one
	 * read(2) of 4 KiB.
	 */
	while (!complete && !eof) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rc = mg_error_set(err, MG_EIO, "cannot read '%s': %s",
			    rev->path, strerror(errno));
			goto done;
		}
		if (n == 0) {
			eof = 1;
			/* Let a last line without '\n' be parsed. */
			if (sb.len && sb.buf[sb.len - 1] != '\n')
				strbuf_addch(&sb, '\n');
		} else
			strbuf_add(&sb, chunk, (size_t)n);
		if (sb.len > (1u << 20) && !eof) {
			rc = mg_error_set_at(err, MG_EREVISION, rev->path, 0,
			    0, "header longer than 1 MiB");
			goto done;
		}
		if ((rc = revision_parse_header(rev, sb.buf, sb.len,
		    rev->path, &complete, err)) != 0)
			goto done;
	}
	if (sb.len == 0) {
		rc = mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "empty file");
		goto done;
	}
	if (!complete) {
		if (rev->id == NULL)
			rc = mg_error_set_at(err, MG_EREVISION, rev->path, 1,
			    0, "missing header ('-- revision: ID')");
		else
			rc = mg_error_set_at(err, MG_EREVISION, rev->path, 0,
			    0, rev->is_c ? "unterminated header comment" :
			    "missing '-- migrate:upgrade' section");
		goto done;
	}
	rc = check_header(rev, err);
done:
	close(fd);
	strbuf_release(&sb);
	return rc;
}

/*
 * Bottom-up merge sort of the file names: glibc's qsort spends most of
 * a 10,000-file scan in its generic element copying.
 */
static void
sort_names(char **v, size_t n)
{
	char	**tmp, **src = v, **dst, **t;
	size_t	  w, i, l, m, r, a, b;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	dst = tmp;
	for (w = 1; w < n; w *= 2) {
		for (l = 0; l < n; l += 2 * w) {
			m = l + w < n ? l + w : n;
			r = l + 2 * w < n ? l + 2 * w : n;
			for (i = l, a = l, b = m; i < r; i++)
				dst[i] = a < m && (b >= r ||
				    strcmp(src[a], src[b]) <= 0) ?
				    src[a++] : src[b++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

/*
 * Reading 10,000 headers is mostly open/read/close system calls; two
 * threads, each taking every other file, halve the wall time on the 2-core
 * machines deploys run on. Each thread stops at its first error; the
 * error of the lowest-numbered file wins, so the message doesn't depend on
 * timing.
 */
struct loader {
	struct revision_set	*set;
	const struct revcache	*cache;
	struct stat		*sts;		/* one per file */
	long			*hits;		/* cache entry per file, or -1 */
	int			 dirty;		/* a file was read, not cached */
	int			 dirfd;
	size_t			 start, step;
	size_t			 failed;	/* index, or set->n */
	struct mg_error		 err;
	int			 rc;
};

static void *
load_range(void *arg)
{
	struct loader	*ld = arg;
	size_t		 i;

	ld->failed = ld->set->n;
	for (i = ld->start; i < ld->set->n; i += ld->step) {
		struct revision *rev = ld->set->v[i];

		/*
		 * A hit is copied later, on the main thread: this thread
		 * then allocates nothing on the warm path.
		 */
		if (fstatat(ld->dirfd, rev->filename, &ld->sts[i], 0) == 0 &&
		    (ld->hits[i] = revcache_find(ld->cache, rev->filename,
		    &ld->sts[i])) != -1)
			continue;
		ld->dirty = 1;
		if ((ld->rc = load_one(rev, ld->dirfd, &ld->err)) != 0) {
			ld->failed = i;
			break;
		}
	}
	if (md != NULL) {
		pcre2_match_data_free(md);
		md = NULL;
	}
	return NULL;
}

static void
fill_from_cache(struct revision_set *set, const struct revcache *cache,
    long idx, struct revision *rev)
{
	struct revcache_hdr	h;

	revcache_header(cache, idx, &h);
	rev->id = pool_strdup(&set->pool, h.id);
	rev->id_line = h.id_line;
	rev->down_line = h.down_line;
	rev->depends_line = h.depends_line;
	pool_split(&set->pool, &rev->down, h.down);
	pool_split(&set->pool, &rev->depends, h.depends);
	pool_split(&set->pool, &rev->labels, h.labels);
	rev->message = h.message ? pool_strdup(&set->pool, h.message) : NULL;
	rev->create_date = h.create_date ?
	    pool_strdup(&set->pool, h.create_date) : NULL;
	rev->pooled |= REV_POOL_HEADER;
}

static int
load_all(struct revision_set *set, struct revcache *cache, int dirfd,
    struct mg_error *err)
{
	struct loader	 ld[2];
	struct stat	*sts = xcalloc(set->n + 1, sizeof(*sts));
	long		*hits = xreallocarray(NULL, set->n + 1, sizeof(*hits));
	pthread_t	 th;
	size_t		 k;
	int		 i, threaded, rc = 0;

	for (k = 0; k <= set->n; k++)
		hits[k] = -1;
	re_init();	/* compile before the threads share the patterns */
	threaded = set->n >= 1000;	/* see BIG_DIR_BYTES */
	for (i = 0; i < 2; i++) {
		memset(&ld[i], 0, sizeof(ld[i]));
		ld[i].set = set;
		ld[i].cache = cache;
		ld[i].sts = sts;
		ld[i].hits = hits;
		ld[i].dirfd = dirfd;
		ld[i].start = (size_t)i;
		ld[i].step = threaded ? 2 : 1;
		ld[i].err = (struct mg_error)MG_ERROR_INIT;
	}
	if (threaded && pthread_create(&th, NULL, load_range, &ld[1]) != 0) {
		threaded = 0;
		ld[0].step = 1;
	}
	(void)load_range(&ld[0]);
	if (threaded)
		pthread_join(th, NULL);
	for (k = 0; k < set->n; k++)
		if (hits[k] != -1)
			fill_from_cache(set, cache, hits[k], set->v[k]);
	i = threaded && ld[1].rc != 0 &&
	    (ld[0].rc == 0 || ld[1].failed < ld[0].failed) ? 1 : 0;
	if ((rc = ld[i].rc) != 0) {
		mg_error_clear(err);
		*err = ld[i].err;
		ld[i].err = (struct mg_error)MG_ERROR_INIT;
	} else if (ld[0].dirty || ld[1].dirty)
		revcache_save(cache, set, sts);
	mg_error_clear(&ld[0].err);
	mg_error_clear(&ld[1].err);
	free(sts);
	free(hits);
	return rc;
}

/* About 1,000 entries on ext4 or tmpfs. */
#define BIG_DIR_BYTES	(32u << 10)

struct opener {
	const char	*dir;
	struct revcache	*cache;
};

static void *
open_cache(void *arg)
{
	struct opener	*op = arg;

	op->cache = revcache_open(op->dir);
	return NULL;
}

int
revision_scan(struct revision_set *out, const char *dir, struct mg_error *err)
{
	DIR		*d;
	struct dirent	*de;
	struct strlist	 names = { NULL, 0 };
	struct revision	*rev;
	struct opener	 op;
	struct stat	 dst;
	pthread_t	 th;
	size_t		 i, len, dirlen = strlen(dir);
	int		 rc = 0, opener;

	out->v = NULL;
	out->n = 0;
	out->pool = NULL;
	/*
	 * Read the cache while this thread lists and sorts the directory,
	 * when the directory is big enough to be worth a thread (its size
	 * grows with its entries): once a process has had a thread, glibc
	 * keeps some loader memory of later dlopen() calls (libpq) for good.
	 */
	op.dir = dir;
	op.cache = NULL;
	opener = stat(dir, &dst) == 0 && dst.st_size >= BIG_DIR_BYTES &&
	    pthread_create(&th, NULL, open_cache, &op) == 0;
	if ((d = opendir(dir)) == NULL) {
		mg_error_set(err, MG_ECONFIG, "cannot open script_location "
		    "'%s': %s", dir, strerror(errno));
		strbuf_addstr(&err->hint, "Check script_location in "
		    "migrate.ini, or run 'migrate init'.");
		rc = MG_ECONFIG;
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		if (!re_match(RE_FILE, de->d_name, len)) {
			/*
			 * A .sql or .c file that is not named like a revision
			 * would be skipped without a word: refuse it.
			 */
			if ((len > 4 && strcmp(de->d_name + len - 4,
			    ".sql") == 0) || (len > 2 &&
			    strcmp(de->d_name + len - 2, ".c") == 0)) {
				char *path = xasprintf("%s/%s", dir,
				    de->d_name);

				rc = mg_error_set_at(err, MG_EREVISION, path,
				    0, 0, "file name is not "
				    "'<id>_<slug>.sql'");
				free(path);
				strbuf_addstr(&err->hint, "Rename it, or move "
				    "files that are not revisions out of "
				    "script_location.");
				break;
			}
			continue;
		}
		strlist_add(&names, de->d_name);
	}
	if (rc != 0) {
		closedir(d);
		strlist_clear(&names);
		goto done;
	}
	sort_names(names.v, names.n);
	out->v = xcalloc(names.n ? names.n : 1, sizeof(*out->v));
	for (i = 0; i < names.n; i++) {
		len = strlen(names.v[i]);
		rev = pool_alloc(&out->pool, sizeof(*rev));
		memset(rev, 0, sizeof(*rev));
		rev->pooled = REV_POOL_SELF | REV_POOL_NAMES;
		/* "dir/name": the file name is the tail of the path. */
		rev->path = pool_alloc(&out->pool, dirlen + 1 + len + 1);
		memcpy(rev->path, dir, dirlen);
		rev->path[dirlen] = '/';
		memcpy(rev->path + dirlen + 1, names.v[i], len + 1);
		rev->filename = rev->path + dirlen + 1;
		if (strcmp(dir, ".") == 0)
			rev->path = rev->filename;
		rev->is_c = len > 2 && strcmp(rev->filename + len - 2,
		    ".c") == 0;
		out->v[out->n++] = rev;
	}
	strlist_clear(&names);
	if (opener)
		pthread_join(th, NULL);
	else
		op.cache = revcache_open(dir);
	opener = 0;
	rc = load_all(out, op.cache, dirfd(d), err);
	closedir(d);
	if (rc != 0)
		revision_set_free(out);
done:
	if (opener)
		pthread_join(th, NULL);
	revcache_free(op.cache);
	return rc;
}
