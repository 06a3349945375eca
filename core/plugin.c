#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "error.h"
#include "plugin.h"
#include "revcache.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

extern char **environ;

#define SHIP_DIR	".migrate-plugins"
#define KEY_LEN		16		/* hex digits of the key in names */
#define MAX_SOURCE	(16u << 20)
/* The compiler's output kept for the error; the rest is drained. */
#define MAX_OUTPUT	(64u << 10)
#define MAX_DETAIL	4000

struct plugin {
	void	*handle;
	char	*so;		/* the file loaded */
	char	*src;		/* the revision's .c, for messages */
	int	(*up)(mg_ctx *);
	int	(*down)(mg_ctx *);
};

struct mg_ctx {
	const struct plugin_host *host;
	struct mg_error	 fail;		/* the first failed call */
	int		 failed;
	struct strbuf	 msg;		/* mg_errmsg() */
	int		 failmsg;	/* mg_fail() after the failure */
	char		**pool;		/* quoted strings, freed at the end */
	size_t		 npool, cap;
};

struct mg_row {
	int		 ncols;
	char *const	*vals;
};

/* --- compiling ----------------------------------------------------------- */

static void
header_text(struct strbuf *sb)
{
	const char *const	*l;

	for (l = plugin_header_lines; *l != NULL; l++)
		strbuf_addstr(sb, *l);
}

/*
 * The first KEY_LEN hex digits of the SHA-256 of the header and the
 * source (and the compiler, when cc is not NULL). checksum_text's
 * normalization (line ends, trailing blanks) changes nothing a compiler
 * sees: a backslash-blanks-newline is a line continuation to gcc too.
 */
static int
plugin_key(char key[KEY_LEN + 1], const struct strbuf *src, const char *cc,
    struct mg_error *err)
{
	struct strbuf	sb = STRBUF_INIT;
	char		hex[CHECKSUM_HEX_LEN + 1];
	int		rc;

	strbuf_addf(&sb, "migrate plugin %d\n", MG_PLUGIN_ABI);
	if (cc != NULL)
		strbuf_addf(&sb, "cc %s\n", cc);
	strbuf_addstr(&sb, "header\n");
	header_text(&sb);
	strbuf_addstr(&sb, "source\n");
	strbuf_add(&sb, src->buf, src->len);
	rc = checksum_text(hex, sb.buf, sb.len, err);
	strbuf_release(&sb);
	if (rc == 0) {
		memcpy(key, hex, KEY_LEN);
		key[KEY_LEN] = '\0';
	}
	return rc;
}

static const char *
cc_string(void)
{
	const char	*cc = getenv("CC");

	return cc != NULL && cc[strspn(cc, " \t")] != '\0' ? cc : "cc";
}

/* mkdir -p; 0 or -1 with errno set. */
static int
mkdirs(const char *dir, mode_t mode)
{
	char	*tmp = xstrdup(dir), *p;
	int	 rc = 0;

	for (p = tmp + 1; rc == 0 && *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, mode) != 0 && errno != EEXIST)
				rc = -1;
			*p = '/';
		}
	if (rc == 0 && mkdir(tmp, mode) != 0 && errno != EEXIST)
		rc = -1;
	free(tmp);
	return rc;
}

static int
write_file(const char *path, const struct strbuf *sb)
{
	int	fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	if (write(fd, sb->buf, sb->len) != (ssize_t)sb->len)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* A private directory holding migrate/plugin.h for -I. */
static int
make_include_dir(char **out, struct mg_error *err)
{
	struct strbuf	 hdr = STRBUF_INIT;
	const char	*tmp = getenv("TMPDIR");
	char		*dir, *sub = NULL, *file = NULL;
	int		 rc = 0;

	dir = xasprintf("%s/migrate-include.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	*out = NULL;
	if (mkdtemp(dir) == NULL) {
		rc = mg_error_set(err, MG_EIO, "cannot create a temporary "
		    "directory '%s': %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	sub = xasprintf("%s/migrate", dir);
	file = xasprintf("%s/plugin.h", sub);
	header_text(&hdr);
	if (mkdir(sub, 0700) != 0 || write_file(file, &hdr) != 0) {
		rc = mg_error_set(err, MG_EIO, "cannot write '%s': %s", file,
		    strerror(errno));
		unlink(file);
		rmdir(sub);
		rmdir(dir);
		free(dir);
	} else
		*out = dir;
	free(sub);
	free(file);
	strbuf_release(&hdr);
	return rc;
}

static void
remove_include_dir(char *dir)
{
	char	*p;

	if (dir == NULL)
		return;
	p = xasprintf("%s/migrate/plugin.h", dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/migrate", dir);
	rmdir(p);
	free(p);
	rmdir(dir);
	free(dir);
}

/*
 * Run argv (argv[0] looked up in PATH, no shell) with stdin from
 * /dev/null and stdout and stderr into out (up to MAX_OUTPUT bytes).
 * Returns 0 with *status set (waitpid's), or -1 with errno set when the
 * program could not be started.
 */
static int
run_capture(char *const *argv, struct strbuf *out, int *status)
{
	posix_spawn_file_actions_t	 fa;
	char				 buf[4096];
	ssize_t				 n;
	pid_t				 pid;
	int				 fds[2], e;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e != 0) {
		close(fds[0]);
		errno = e;
		return -1;
	}
	for (;;) {
		n = read(fds[0], buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len < MAX_OUTPUT)
			strbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The compiler's output as an error detail: trimmed, at most MAX_DETAIL. */
static void
add_output(struct strbuf *detail, struct strbuf *out)
{
	size_t	cut;

	strbuf_rtrim(out);
	if (out->len > MAX_DETAIL) {
		/* Cut at a line end: the first errors matter most. */
		for (cut = MAX_DETAIL; cut > 0 && out->buf[cut] != '\n'; cut--)
			;
		strbuf_setlen(out, cut ? cut : MAX_DETAIL);
		strbuf_addstr(out, "\n[... more compiler output cut]");
	}
	strbuf_add(detail, out->buf, out->len);
}

/*
 * Compile src into dst: into a temporary file beside dst, renamed over
 * it once complete.
 */
static int
compile(const char *src, const char *dst, struct mg_error *err)
{
	struct strlist	 av = { NULL, 0 };
	struct strbuf	 out = STRBUF_INIT;
	struct stat	 st;
	const char	*cc = cc_string();
	char		*inc = NULL, *incarg = NULL, *tmp = NULL;
	char		*words, *w, *save;
	char		**argv = NULL;
	mode_t		 mask;
	int		 rc, status, fd;

	if ((rc = make_include_dir(&inc, err)) != 0)
		return rc;
	tmp = xasprintf("%s.tmp.XXXXXX", dst);
	if ((fd = mkstemp(tmp)) == -1) {
		rc = mg_error_set(err, MG_EIO, "cannot create '%s': %s", tmp,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	close(fd);
	words = xstrdup(cc);
	for (w = strtok_r(words, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save))
		strlist_add(&av, w);
	free(words);
	incarg = xasprintf("-I%s", inc);
	strlist_add(&av, "-shared");
	strlist_add(&av, "-fPIC");
	strlist_add(&av, "-O2");
	strlist_add(&av, incarg);
	/*
	 * An -I in CC (say -I/usr/local/include) comes first and could find
	 * an installed header of another version: -include reads ours
	 * before anything, and its include guard makes any later
	 * #include <migrate/plugin.h> a no-op.
	 */
	free(incarg);
	incarg = xasprintf("%s/migrate/plugin.h", inc);
	strlist_add(&av, "-include");
	strlist_add(&av, incarg);
	strlist_add(&av, "-o");
	strlist_add(&av, tmp);
	strlist_add(&av, src);
	argv = xcalloc(av.n + 1, sizeof(*argv));
	memcpy(argv, av.v, av.n * sizeof(*argv));
	if (run_capture(argv, &out, &status) != 0) {
		rc = mg_error_set(err, MG_ECONFIG, "cannot run the C compiler "
		    "'%s': %s", argv[0], strerror(errno));
		strbuf_addstr(&err->hint, "Set CC to a C compiler, or run "
		    "'migrate compile' where there is one and ship "
		    "script_location/" SHIP_DIR "/ with the revisions.");
		goto done;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = mg_error_set_at(err, MG_EREVISION, src, 0, 0,
		    "cannot compile plugin");
		add_output(&err->detail, &out);
		if (err->detail.len)
			strbuf_addch(&err->detail, '\n');
		if (WIFEXITED(status))
			strbuf_addf(&err->detail, "'%s' exited with status %d",
			    cc, WEXITSTATUS(status));
		else
			strbuf_addf(&err->detail, "'%s' was killed by signal "
			    "%d", cc, WTERMSIG(status));
		goto done;
	}
	if (stat(tmp, &st) != 0 || st.st_size == 0) {
		rc = mg_error_set_at(err, MG_EREVISION, src, 0, 0,
		    "cannot compile plugin");
		strbuf_addf(&err->detail, "'%s' succeeded but wrote no "
		    "output", cc);
		goto done;
	}
	/* mkstemp's 0600 would keep a shipped plugin from other users. */
	mask = umask(0);
	umask(mask);
	if (chmod(tmp, 0755 & ~mask) != 0 || rename(tmp, dst) != 0) {
		rc = mg_error_set(err, MG_EIO, "cannot write '%s': %s", dst,
		    strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
done:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(argv);
	strlist_clear(&av);
	free(incarg);
	remove_include_dir(inc);
	strbuf_release(&out);
	return rc;
}

static int
read_source(struct strbuf *src, const struct revision *rev,
    struct mg_error *err)
{
	if (strbuf_read_file(src, rev->path, MAX_SOURCE) == 0)
		return 0;
	if (errno == EFBIG)
		return mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "plugin source larger than %u MiB", MAX_SOURCE >> 20);
	return mg_error_set(err, MG_EIO, "cannot read '%s': %s", rev->path,
	    strerror(errno));
}

/* --- loading ------------------------------------------------------------- */

static int
open_so(struct plugin **out, const char *so, const struct revision *rev,
    struct mg_error *err)
{
	struct plugin	*p;
	const int	*abi;
	char		*path;

	/* A name without '/' would be searched in the library path. */
	path = strchr(so, '/') ? xstrdup(so) : xasprintf("./%s", so);
	p = xcalloc(1, sizeof(*p));
	p->so = path;
	p->src = xstrdup(rev->path);
	if ((p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "cannot load plugin '%s'", path);
		strbuf_addstr(&err->detail, dlerror());
		strbuf_addstr(&err->hint, "Remove the file to have it built "
		    "again.");
		plugin_free(p);
		return MG_EREVISION;
	}
	/* POSIX's way to store a dlsym() result in a function pointer. */
	*(void **)&p->up = dlsym(p->handle, "migrate_upgrade");
	*(void **)&p->down = dlsym(p->handle, "migrate_downgrade");
	abi = dlsym(p->handle, "migrate_plugin_abi");
	if (p->up == NULL || p->down == NULL) {
		mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "plugin does not define '%s'", p->up == NULL ?
		    "migrate_upgrade" : "migrate_downgrade");
		strbuf_addstr(&err->hint, "A C revision defines "
		    "'int migrate_upgrade(mg_ctx *)' and "
		    "'int migrate_downgrade(mg_ctx *)'.");
		plugin_free(p);
		return MG_EREVISION;
	}
	if (abi != NULL && *abi != MG_PLUGIN_ABI) {
		mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
		    "plugin '%s' was built for plugin ABI %d, not %d", path,
		    *abi, MG_PLUGIN_ABI);
		plugin_free(p);
		return MG_EREVISION;
	}
	*out = p;
	return 0;
}

/*
 * No usable cache: compile into a temporary directory, load, and remove
 * the file (the mapping stays).
 */
static int
load_temporary(struct plugin **out, const struct revision *rev,
    struct mg_error *err)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir, *so;
	int		 rc;

	dir = xasprintf("%s/migrate-plugin.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		rc = mg_error_set(err, MG_EIO, "cannot create a temporary "
		    "directory '%s': %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	so = xasprintf("%s/%s.so", dir, rev->id);
	if ((rc = compile(rev->path, so, err)) == 0)
		rc = open_so(out, so, rev, err);
	unlink(so);
	rmdir(dir);
	free(so);
	free(dir);
	return rc;
}

int
plugin_load(struct plugin **out, const struct revision *rev,
    const char *cache_dir, const char *script_location, struct mg_error *err)
{
	struct strbuf	 src = STRBUF_INIT;
	char		 key[KEY_LEN + 1];
	char		*so = NULL, *dir = NULL, *root;
	int		 rc;

	*out = NULL;
	if ((rc = read_source(&src, rev, err)) != 0 ||
	    (rc = plugin_key(key, &src, NULL, err)) != 0)
		goto done;
	/* 1. Shipped by `migrate compile`. */
	so = xasprintf("%s/" SHIP_DIR "/%s-%s.so", script_location, rev->id,
	    key);
	if (access(so, F_OK) == 0) {
		rc = open_so(out, so, rev, err);
		goto done;
	}
	free(so);
	so = NULL;
	/* 2. The user's cache, keyed by the compiler too. */
	if (cache_dir != NULL)
		dir = xstrdup(cache_dir);
	else if ((root = revcache_dir()) != NULL) {
		dir = xasprintf("%s/plugins", root);
		free(root);
	}
	if (dir == NULL || mkdirs(dir, 0700) != 0) {
		rc = load_temporary(out, rev, err);
		goto done;
	}
	if ((rc = plugin_key(key, &src, cc_string(), err)) != 0)
		goto done;
	so = xasprintf("%s/%s-%s.so", dir, rev->id, key);
	if (access(so, F_OK) != 0) {
		rc = compile(rev->path, so, err);
		/* A cache we cannot write to costs a compile per run. */
		if (rc == MG_EIO) {
			mg_error_clear(err);
			rc = load_temporary(out, rev, err);
			goto done;
		}
		if (rc != 0)
			goto done;
	}
	rc = open_so(out, so, rev, err);
done:
	free(so);
	free(dir);
	strbuf_release(&src);
	return rc;
}

const char *
plugin_path(const struct plugin *p)
{
	return p->so;
}

void
plugin_free(struct plugin *p)
{
	if (p == NULL)
		return;
	if (p->handle != NULL)
		dlclose(p->handle);
	free(p->so);
	free(p->src);
	free(p);
}

int
plugin_compile(struct strbuf *so_path, int *built,
    const struct revision *rev, const char *out_dir, struct mg_error *err)
{
	struct strbuf	 src = STRBUF_INIT;
	char		 key[KEY_LEN + 1];
	char		*so = NULL;
	int		 rc;

	*built = 0;
	if ((rc = read_source(&src, rev, err)) != 0 ||
	    (rc = plugin_key(key, &src, NULL, err)) != 0)
		goto done;
	if (mkdirs(out_dir, 0777) != 0) {
		rc = mg_error_set(err, MG_EIO, "cannot create '%s': %s",
		    out_dir, strerror(errno));
		goto done;
	}
	so = xasprintf("%s/%s-%s.so", out_dir, rev->id, key);
	if (access(so, F_OK) != 0) {
		if ((rc = compile(rev->path, so, err)) != 0)
			goto done;
		*built = 1;
	}
	strbuf_addstr(so_path, so);
done:
	free(so);
	strbuf_release(&src);
	return rc;
}

/* "<id>-<KEY_LEN hex>.so", as plugin_compile names its files. */
static int
plugin_name(const char *name)
{
	char	id[65];
	size_t	len = strlen(name), idlen, i;

	if (len < KEY_LEN + 5 || strcmp(name + len - 3, ".so") != 0)
		return 0;
	idlen = len - 3 - KEY_LEN - 1;
	if (name[idlen] != '-' || idlen >= sizeof(id))
		return 0;
	for (i = idlen + 1; i < len - 3; i++)
		if (strchr("0123456789abcdef", name[i]) == NULL)
			return 0;
	memcpy(id, name, idlen);
	id[idlen] = '\0';
	return revision_id_valid(id);
}

int
plugin_prune(struct strbuf *removed, const char *dir,
    const char *const *keep, size_t n, struct mg_error *err)
{
	struct dirent	*de;
	DIR		*d;
	char		*path;
	size_t		 i;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : mg_error_set(err, MG_EIO,
		    "cannot open '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!plugin_name(de->d_name))
			continue;
		for (i = 0; i < n && strcmp(keep[i], de->d_name) != 0; i++)
			;
		if (i < n)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = mg_error_set(err, MG_EIO, "cannot remove '%s': "
			    "%s", path, strerror(errno));
			free(path);
			break;
		}
		strbuf_addf(removed, "%s\n", path);
		free(path);
	}
	closedir(d);
	return rc;
}

/* --- running ------------------------------------------------------------- */

static const char *
pool_keep(mg_ctx *ctx, char *s)
{
	if (ctx->npool == ctx->cap) {
		ctx->cap = ctx->cap ? ctx->cap * 2 : 16;
		ctx->pool = xreallocarray(ctx->pool, ctx->cap,
		    sizeof(*ctx->pool));
	}
	ctx->pool[ctx->npool++] = s;
	return s;
}

/* ctx->fail holds a new failure: keep it, return -1. */
static int
failed(mg_ctx *ctx)
{
	ctx->failed = 1;
	strbuf_reset(&ctx->msg);
	strbuf_add(&ctx->msg, ctx->fail.msg.buf, ctx->fail.msg.len);
	return -1;
}

/*
 * Before a database call: after a failure nothing runs (on PostgreSQL it
 * would only say "current transaction is aborted").
 */
static int
refused(mg_ctx *ctx)
{
	if (!ctx->failed)
		return 0;
	strbuf_reset(&ctx->msg);
	strbuf_add(&ctx->msg, ctx->fail.msg.buf, ctx->fail.msg.len);
	return 1;
}

/* A plugin passing what a call cannot take: fails the revision too. */
static int
misuse(mg_ctx *ctx, const char *fn, const char *what)
{
	mg_error_set(&ctx->fail, MG_EREVISION, "%s: %s", fn, what);
	return failed(ctx);
}

const char *
mg_dialect(mg_ctx *ctx)
{
	return ctx->host->dialect;
}

int
mg_exec(mg_ctx *ctx, const char *sql)
{
	if (refused(ctx))
		return -1;
	if (sql == NULL)
		return misuse(ctx, "mg_exec", "the statement is NULL");
	if (ctx->host->exec(ctx->host->arg, sql, &ctx->fail) != 0)
		return failed(ctx);
	return 0;
}

int
mg_execf(mg_ctx *ctx, const char *fmt, ...)
{
	struct strbuf	sb = STRBUF_INIT;
	va_list		ap;
	int		rc;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	rc = mg_exec(ctx, sb.buf);
	strbuf_release(&sb);
	return rc;
}

const char *
mg_quote_ident(mg_ctx *ctx, const char *ident)
{
	struct strbuf	sb = STRBUF_INIT;

	strbuf_addch(&sb, '"');
	for (; ident != NULL && *ident; ident++) {
		if (*ident == '"')
			strbuf_addch(&sb, '"');
		strbuf_addch(&sb, *ident);
	}
	strbuf_addch(&sb, '"');
	return pool_keep(ctx, strbuf_detach(&sb, NULL));
}

const char *
mg_quote_literal(mg_ctx *ctx, const char *s)
{
	struct strbuf	sb = STRBUF_INIT;
	int		e;

	if (s == NULL)
		return "NULL";
	/* E'' reads the same whatever standard_conforming_strings is. */
	e = strcmp(ctx->host->dialect, "postgresql") == 0 &&
	    strchr(s, '\\') != NULL;
	strbuf_addstr(&sb, e ? "E'" : "'");
	for (; *s; s++) {
		if (*s == '\'' || (e && *s == '\\'))
			strbuf_addch(&sb, *s);
		strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '\'');
	return pool_keep(ctx, strbuf_detach(&sb, NULL));
}

struct query_state {
	mg_ctx	*ctx;
	int	(*fn)(mg_ctx *, const struct mg_row *, void *);
	void	*arg;
	int	 stopped;	/* fn's non-zero return */
};

static int
query_row(void *payload, int ncols, char *const *vals)
{
	struct query_state	*qs = payload;
	struct mg_row		 row;

	row.ncols = ncols;
	row.vals = vals;
	qs->stopped = qs->fn(qs->ctx, &row, qs->arg);
	return qs->stopped != 0;
}

int
mg_query(mg_ctx *ctx, const char *sql,
    int (*fn)(mg_ctx *, const struct mg_row *, void *), void *arg)
{
	struct query_state	qs;
	int			rc;

	if (refused(ctx))
		return -1;
	if (sql == NULL || fn == NULL)
		return misuse(ctx, "mg_query", sql == NULL ?
		    "the query is NULL" : "the row function is NULL");
	if (ctx->host->query == NULL) {
		mg_error_set(&ctx->fail, MG_EUSAGE, "the plugin queries the "
		    "database (mg_query), which offline (--sql) mode cannot "
		    "do");
		strbuf_addstr(&ctx->fail.hint, "Run this revision against a "
		    "database instead of printing its SQL.");
		return failed(ctx);
	}
	qs.ctx = ctx;
	qs.fn = fn;
	qs.arg = arg;
	qs.stopped = 0;
	rc = ctx->host->query(ctx->host->arg, sql, query_row, &qs,
	    &ctx->fail);
	if (qs.stopped != 0)
		return qs.stopped;
	if (rc != 0)
		return failed(ctx);
	return 0;
}

int
mg_ncols(const struct mg_row *row)
{
	return row->ncols;
}

const char *
mg_text(const struct mg_row *row, int col)
{
	return col >= 0 && col < row->ncols ? row->vals[col] : NULL;
}

long long
mg_int(const struct mg_row *row, int col)
{
	const char	*s = mg_text(row, col);

	if (s == NULL)
		return 0;
	if (strcmp(s, "t") == 0 || strcmp(s, "true") == 0)
		return 1;
	return strtoll(s, NULL, 10);
}

double
mg_double(const struct mg_row *row, int col)
{
	const char	*s = mg_text(row, col);

	return s == NULL ? 0 : strtod(s, NULL);
}

int
mg_isnull(const struct mg_row *row, int col)
{
	return mg_text(row, col) == NULL;
}

void
mg_log(mg_ctx *ctx, const char *fmt, ...)
{
	struct strbuf	sb = STRBUF_INIT;
	va_list		ap;

	if (ctx->host->log == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_rtrim(&sb);
	ctx->host->log(ctx->host->arg, sb.buf);
	strbuf_release(&sb);
}

int
mg_fail(mg_ctx *ctx, const char *fmt, ...)
{
	struct strbuf	sb = STRBUF_INIT;
	va_list		ap;

	/* Not into ctx->msg directly: mg_errmsg() may be an argument. */
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_release(&ctx->msg);
	ctx->msg = sb;
	ctx->failmsg = 1;
	return -1;
}

const char *
mg_errmsg(mg_ctx *ctx)
{
	return ctx->msg.buf;
}

/* --- DDL ----------------------------------------------------------------- */

static int
ddl(mg_ctx *ctx, const char *fn, const struct plugin_op *op)
{
	if (refused(ctx))
		return -1;
	if (ctx->host->ddl == NULL) {
		mg_error_set(&ctx->fail, MG_EREVISION, "%s: DDL operations "
		    "are not supported here", fn);
		return failed(ctx);
	}
	if (ctx->host->ddl(ctx->host->arg, op, &ctx->fail) != 0)
		return failed(ctx);
	return 0;
}

/* Entries of a NULL-terminated list, -1 for a NULL list. */
static int
count(const char *const *l)
{
	int	n = 0;

	if (l == NULL)
		return -1;
	while (l[n] != NULL)
		n++;
	return n;
}

/*
 * Check the names an operation needs: "table" stands for op->table, and
 * so on. A failure here is the plugin's mistake, reported as MG_EREVISION
 * naming the function.
 */
static int
check_op(mg_ctx *ctx, const char *fn, struct plugin_op *op)
{
	if (refused(ctx))
		return -1;
	if (op->kind != PLUGIN_OP_DROP_INDEX && (op->table == NULL ||
	    *op->table == '\0'))
		return misuse(ctx, fn, "no table name");
	if ((op->kind == PLUGIN_OP_CREATE_INDEX ||
	    op->kind == PLUGIN_OP_DROP_INDEX ||
	    op->kind == PLUGIN_OP_ADD_FOREIGN_KEY ||
	    op->kind == PLUGIN_OP_ADD_UNIQUE ||
	    op->kind == PLUGIN_OP_ADD_CHECK ||
	    op->kind == PLUGIN_OP_DROP_CONSTRAINT) &&
	    (op->name == NULL || *op->name == '\0'))
		return misuse(ctx, fn, "no name");
	if ((op->kind == PLUGIN_OP_DROP_COLUMN ||
	    op->kind == PLUGIN_OP_ALTER_COLUMN) &&
	    (op->column == NULL || *op->column == '\0'))
		return misuse(ctx, fn, "no column name");
	if (op->kind == PLUGIN_OP_CREATE_INDEX ||
	    op->kind == PLUGIN_OP_ADD_FOREIGN_KEY ||
	    op->kind == PLUGIN_OP_ADD_UNIQUE) {
		if ((op->ncols = count(op->cols)) < 1)
			return misuse(ctx, fn, "no columns (a NULL-terminated "
			    "list of names)");
	}
	return 0;
}

static int
check_columns(mg_ctx *ctx, const char *fn, const struct mg_column *c, int n)
{
	int	i;

	if (c == NULL || n < 1)
		return misuse(ctx, fn, "no columns");
	for (i = 0; i < n; i++)
		if (c[i].name == NULL || *c[i].name == '\0' ||
		    c[i].type == NULL || *c[i].type == '\0')
			return misuse(ctx, fn, "a column without a name or "
			    "type");
	return 0;
}

int
mg_create_table(mg_ctx *ctx, const char *table, const struct mg_column *cols,
    int ncols)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_CREATE_TABLE };

	op.table = table;
	op.columns = cols;
	op.ncolumns = ncols;
	if (check_op(ctx, __func__, &op) != 0 ||
	    check_columns(ctx, __func__, cols, ncols) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

int
mg_drop_table(mg_ctx *ctx, const char *table)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_DROP_TABLE };

	op.table = table;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

int
mg_rename_table(mg_ctx *ctx, const char *table, const char *new_name)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_RENAME_TABLE };

	op.table = table;
	op.new_name = new_name;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (new_name == NULL || *new_name == '\0')
		return misuse(ctx, __func__, "no new name");
	return ddl(ctx, __func__, &op);
}

int
mg_add_column(mg_ctx *ctx, const char *table, const struct mg_column *col)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_ADD_COLUMN };

	op.table = table;
	op.columns = col;
	op.ncolumns = 1;
	if (check_op(ctx, __func__, &op) != 0 ||
	    check_columns(ctx, __func__, col, 1) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

int
mg_drop_column(mg_ctx *ctx, const char *table, const char *column)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_DROP_COLUMN };

	op.table = table;
	op.column = column;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

int
mg_alter_column(mg_ctx *ctx, const char *table, const char *column,
    const struct mg_alter *alter)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_ALTER_COLUMN };

	op.table = table;
	op.column = column;
	op.alter = alter;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (alter == NULL)
		return misuse(ctx, __func__, "no changes (struct mg_alter "
		    "is NULL)");
	if (alter->nullable < MG_KEEP || alter->nullable > 1)
		return misuse(ctx, __func__, "nullable is not MG_KEEP, 0 or 1");
	if (alter->default_sql != NULL && alter->drop_default)
		return misuse(ctx, __func__, "both default_sql and "
		    "drop_default");
	return ddl(ctx, __func__, &op);
}

int
mg_create_index(mg_ctx *ctx, const char *name, const char *table,
    const char *const *cols, int flags, const char *where)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_CREATE_INDEX };

	op.name = name;
	op.table = table;
	op.cols = cols;
	op.flags = flags;
	op.where = where;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (flags & ~(MG_UNIQUE | MG_CONCURRENTLY))
		return misuse(ctx, __func__, "flags other than MG_UNIQUE and "
		    "MG_CONCURRENTLY");
	return ddl(ctx, __func__, &op);
}

int
mg_drop_index(mg_ctx *ctx, const char *name, int flags)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_DROP_INDEX };

	op.name = name;
	op.flags = flags;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (flags & ~MG_CONCURRENTLY)
		return misuse(ctx, __func__, "flags other than "
		    "MG_CONCURRENTLY");
	return ddl(ctx, __func__, &op);
}

int
mg_add_foreign_key(mg_ctx *ctx, const char *name, const char *table,
    const char *const *cols, const char *ref_table,
    const char *const *ref_cols, const char *on_delete)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_ADD_FOREIGN_KEY };

	op.name = name;
	op.table = table;
	op.cols = cols;
	op.ref_table = ref_table;
	op.ref_cols = ref_cols;
	op.on_delete = on_delete;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (ref_table == NULL || *ref_table == '\0')
		return misuse(ctx, __func__, "no referenced table");
	if (count(ref_cols) != op.ncols)
		return misuse(ctx, __func__, "ref_cols does not list as many "
		    "columns as cols");
	return ddl(ctx, __func__, &op);
}

int
mg_add_unique(mg_ctx *ctx, const char *name, const char *table,
    const char *const *cols)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_ADD_UNIQUE };

	op.name = name;
	op.table = table;
	op.cols = cols;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

int
mg_add_check(mg_ctx *ctx, const char *name, const char *table,
    const char *expr)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_ADD_CHECK };

	op.name = name;
	op.table = table;
	op.expr = expr;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	if (expr == NULL || *expr == '\0')
		return misuse(ctx, __func__, "no expression");
	return ddl(ctx, __func__, &op);
}

int
mg_drop_constraint(mg_ctx *ctx, const char *name, const char *table)
{
	struct plugin_op	op = { .kind = PLUGIN_OP_DROP_CONSTRAINT };

	op.name = name;
	op.table = table;
	if (check_op(ctx, __func__, &op) != 0)
		return -1;
	return ddl(ctx, __func__, &op);
}

/* --- the run ------------------------------------------------------------- */

int
plugin_run(struct plugin *p, int up, const struct plugin_host *host,
    struct mg_error *err)
{
	struct mg_ctx	 ctx;
	struct strbuf	 sb = STRBUF_INIT;
	const char	*fn = up ? "migrate_upgrade" : "migrate_downgrade";
	size_t		 i;
	int		 ret, rc = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.host = host;
	ctx.fail = (struct mg_error)MG_ERROR_INIT;
	strbuf_init(&ctx.msg, 0);
	ret = (up ? p->up : p->down)(&ctx);
	if (ctx.failed) {
		/* The first failure, with its SQLSTATE, detail and hint. */
		mg_error_clear(err);
		*err = ctx.fail;
		ctx.fail = (struct mg_error)MG_ERROR_INIT;
		free(err->file);
		err->file = xstrdup(p->src);
		err->line = err->col = 0;
		if (ctx.failmsg && strcmp(ctx.msg.buf, err->msg.buf) != 0) {
			/*
			 * The plugin's words first, the database's below
			 * unless the plugin quoted them (mg_errmsg()).
			 */
			if (strstr(ctx.msg.buf, err->msg.buf) == NULL) {
				strbuf_add(&sb, err->msg.buf, err->msg.len);
				if (err->detail.len)
					strbuf_addf(&sb, "\ndetail: %s",
					    err->detail.buf);
				strbuf_reset(&err->detail);
				strbuf_add(&err->detail, sb.buf, sb.len);
			}
			strbuf_reset(&err->msg);
			strbuf_add(&err->msg, ctx.msg.buf, ctx.msg.len);
		}
		rc = err->code ? err->code : MG_EDB;
		err->code = rc;
	} else if (ret != 0 && ctx.failmsg)
		rc = mg_error_set_at(err, MG_EDB, p->src, 0, 0, "%s",
		    ctx.msg.buf);
	else if (ret != 0)
		rc = mg_error_set_at(err, MG_EDB, p->src, 0, 0, "'%s' returned "
		    "%d", fn, ret);
	for (i = 0; i < ctx.npool; i++)
		free(ctx.pool[i]);
	free(ctx.pool);
	strbuf_release(&ctx.msg);
	strbuf_release(&sb);
	mg_error_clear(&ctx.fail);
	return rc;
}
