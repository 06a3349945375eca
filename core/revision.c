#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "error.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

/*
 * The patterns are compiled once per process: scanning 10,000 files must
 * not compile anything per file.
 */
enum { RE_KEY, RE_SECTION, RE_FILE, RE_ID, RE_COUNT };

static const char *const re_src[RE_COUNT] = {
	/* "-- key: value" (SQL) or " * key: value" (C comment) */
	[RE_KEY] = "^[ \\t]*(?:--|\\*|/\\*)?[ \\t]*([a-z_]+)[ \\t]*:[ \\t]*"
	    "(.*?)[ \\t\\r]*(?:\\*/)?[ \\t\\r]*$",
	[RE_SECTION] = "^[ \\t]*--[ \\t]*migrate:[ \\t]*([A-Za-z_-]*)",
	[RE_FILE] = "^([A-Za-z0-9_.]+)_[^/]*\\.(sql|c)$",
	[RE_ID] = "^[A-Za-z0-9_.]{1,64}$",
};

static pcre2_code		*re[RE_COUNT];
static pcre2_match_data		*md;

static void
re_init(void)
{
	PCRE2_SIZE	off;
	int		i, ec;

	if (md != NULL)
		return;
	for (i = 0; i < RE_COUNT; i++) {
		re[i] = pcre2_compile((PCRE2_SPTR)re_src[i],
		    PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
		if (re[i] == NULL)
			BUG("pattern %d does not compile at %zu", i,
			    (size_t)off);
		(void)pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
	}
	md = pcre2_match_data_create(4, NULL);
}

static int
re_match(int which, const char *s, size_t len)
{
	re_init();
	return pcre2_match(re[which], (PCRE2_SPTR)s, len, 0, 0, md,
	    NULL) >= 0;
}

static char *
re_group(int n, const char *s)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(md);

	return xstrndup(s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
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
	free(rev->id);
	free(rev->path);
	free(rev->filename);
	strlist_clear(&rev->down);
	strlist_clear(&rev->depends);
	strlist_clear(&rev->labels);
	free(rev->message);
	free(rev->create_date);
	free(rev);
}

void
revision_set_free(struct revision_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		revision_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
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
	} else if (strcmp(key, "depends_on") == 0) {
		strlist_clear(&rev->depends);
		strlist_split(&rev->depends, val);
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

/*
 * One pass over the lines of the header. SQL headers end at the first
 * "-- migrate:" line (the first one that is not a transaction directive must
 * open the upgrade section); C headers end with their leading comment.
 */
int
revision_parse_header(struct revision *rev, const char *buf, size_t len,
    const char *path, int *complete, struct mg_error *err)
{
	const char	*p = buf, *end = buf + len, *nl;
	char		*key, *val, *kind;
	int		 line = 0, in_c = 0, rc = 0, ok;
	size_t		 n;

	*complete = 0;
	reset_header(rev);
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
			if (re_match(RE_KEY, p, n)) {
				key = re_group(1, p);
				val = re_group(2, p);
				ok = set_key(rev, key, val, line);
				free(val);
				if (!ok) {
					rc = mg_error_set_at(err, MG_EREVISION,
					    path, line, 1,
					    "unknown header key '%s'", key);
					free(key);
					return rc;
				}
				free(key);
			}
			if (memmem(p, n, "*/", 2) != NULL) {
				*complete = 1;
				break;
			}
			p = nl + 1;
			continue;
		}
		if (re_match(RE_SECTION, p, n)) {
			kind = re_group(1, p);
			ok = strcmp(kind, "upgrade") == 0;
			if (strcmp(kind, "transaction") == 0) {
				free(kind);
				p = nl + 1;
				continue;
			}
			free(kind);
			if (!ok)
				return mg_error_set_at(err, MG_EREVISION, path,
				    line, 1, "missing '-- migrate:upgrade' "
				    "section before this line");
			*complete = 1;
			break;
		}
		if (re_match(RE_KEY, p, n) && n >= 2 &&
		    memchr(p, '-', n) != NULL) {
			key = re_group(1, p);
			val = re_group(2, p);
			ok = set_key(rev, key, val, line);
			free(val);
			if (!ok) {
				rc = mg_error_set_at(err, MG_EREVISION, path,
				    line, 1, "unknown header key '%s'", key);
				strbuf_addstr(&err->hint, "Known keys: "
				    "revision, down_revision, branch_labels, "
				    "depends_on, message, create_date.");
				free(key);
				return rc;
			}
			free(key);
		} else {
			const char *q = p;

			while (q < nl && strchr(" \t\r", *q))
				q++;
			if (q < nl && !(nl - q >= 2 && q[0] == '-' &&
			    q[1] == '-'))
				return mg_error_set_at(err, MG_EREVISION, path,
				    line, (int)(q - p) + 1, rev->id ?
				    "SQL before the '-- migrate:upgrade' "
				    "section line" : "missing header "
				    "('-- revision: ID' before the SQL)");
		}
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
load_one(struct revision *rev, const char *dir, struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd, complete = 0, rc = 0, eof = 0;

	if ((fd = open(rev->path, O_RDONLY | O_CLOEXEC)) == -1)
		return mg_error_set(err, MG_EIO, "cannot open '%s': %s",
		    rev->path, strerror(errno));
	(void)dir;
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

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
revision_scan(struct revision_set *out, const char *dir, struct mg_error *err)
{
	DIR		*d;
	struct dirent	*de;
	struct strlist	 names = { NULL, 0 };
	struct revision	*rev;
	size_t		 i, len;
	int		 rc = 0;

	out->v = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		mg_error_set(err, MG_ECONFIG, "cannot open script_location "
		    "'%s': %s", dir, strerror(errno));
		strbuf_addstr(&err->hint, "Check script_location in "
		    "migrate.ini, or run 'migrate init'.");
		return MG_ECONFIG;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		if (!re_match(RE_FILE, de->d_name, len))
			continue;
		strlist_add(&names, de->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_name);
	out->v = xcalloc(names.n ? names.n : 1, sizeof(*out->v));
	for (i = 0; i < names.n; i++) {
		rev = xcalloc(1, sizeof(*rev));
		rev->filename = xstrdup(names.v[i]);
		rev->path = strcmp(dir, ".") == 0 ? xstrdup(names.v[i]) :
		    xasprintf("%s/%s", dir, names.v[i]);
		len = strlen(rev->filename);
		rev->is_c = len > 2 && strcmp(rev->filename + len - 2,
		    ".c") == 0;
		out->v[out->n++] = rev;
		if ((rc = load_one(rev, dir, err)) != 0)
			break;
	}
	strlist_clear(&names);
	if (rc != 0)
		revision_set_free(out);
	return rc;
}
