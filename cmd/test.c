#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "plan.h"
#include "revspec.h"
#include "strbuf.h"
#include "url.h"
#include "version.h"
#include "xmalloc.h"

/*
 * migrate test: for each revision from base to the target, in plan order,
 * upgrade it, downgrade it and upgrade it again, comparing schema
 * snapshots: the downgrade must give back the schema from before the
 * upgrade, the second upgrade the schema of the first. By default on a
 * scratch database made for the run and dropped after it.
 */
struct tester {
	struct cmd_ctx		*ctx;
	struct config		 cfg;	/* the configuration, on the scratch */
	int			 strict;	/* compare column order too */
	struct exec		*ex;
	struct version_state	 vs;
	struct output		 quiet;
	struct strbuf		 report;	/* --json revisions */
	size_t			 nok;
};

/* The file name without directory and extension: 0007_add_email. */
static void
rev_name(struct strbuf *sb, const struct revision *rev)
{
	const char	*base = strrchr(rev->path, '/');
	const char	*dot;

	base = base ? base + 1 : rev->path;
	dot = strrchr(base, '.');
	strbuf_add(sb, base, dot ? (size_t)(dot - base) : strlen(base));
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split a snapshot into its sorted lines (pointers into sb). */
static char **
lines_of(struct strbuf *sb, size_t *n)
{
	char	**v = NULL, *p = sb->buf, *nl;
	size_t	  cap = 0;

	*n = 0;
	while (*p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[(*n)++] = p;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_line);
	return v;
}

/*
 * Compare want with got; describe each line only one has into detail
 * ("<what_extra>: line", "<what_missing>: line"). Returns the number of
 * differences. Both buffers are consumed (split in place).
 */
static size_t
diff(struct strbuf *detail, struct strbuf *json, struct strbuf *want,
    struct strbuf *got, const char *what_extra, const char *what_missing)
{
	char	**a, **b;
	size_t	  na, nb, i = 0, k = 0, n = 0;
	int	  c;

	a = lines_of(want, &na);
	b = lines_of(got, &nb);
	while (i < na || k < nb) {
		c = i == na ? 1 : k == nb ? -1 : strcmp(a[i], b[k]);
		if (c == 0) {
			i++, k++;
			continue;
		}
		strbuf_addf(detail, "%s  %s: %s", n ? "\n" : "",
		    c < 0 ? what_missing : what_extra, c < 0 ? a[i] : b[k]);
		strbuf_addstr(json, n ? ", {\"change\": " : "{\"change\": ");
		json_str(json, c < 0 ? what_missing : what_extra);
		strbuf_addstr(json, ", \"object\": ");
		json_str(json, c < 0 ? a[i] : b[k]);
		strbuf_addch(json, '}');
		if (c < 0)
			i++;
		else
			k++;
		n++;
	}
	free(a);
	free(b);
	return n;
}

/* The --json entry of a failing revision, up to its last field. */
static void
report_failure(struct tester *t, size_t rev, const char *phase)
{
	strbuf_addstr(&t->report, t->nok ? ",\n    " : "\n    ");
	strbuf_addstr(&t->report, "{\"revision\": ");
	json_str(&t->report, t->ctx->g->nodes[rev].rev->id);
	strbuf_addstr(&t->report, ", \"file\": ");
	json_str(&t->report, t->ctx->g->nodes[rev].rev->path);
	strbuf_addstr(&t->report, ", \"ok\": false, \"phase\": ");
	json_str(&t->report, phase);
}

/* Run one step (rev up or down) on the scratch database. */
static int
step(struct tester *t, size_t rev, int up, struct mg_error *err)
{
	struct plan_step	s = { rev, up };
	struct plan		p = { &s, 1 };
	int			rc;

	if ((rc = exec_prepare(t->ex, t->ctx->g, &p, err)) == 0)
		rc = exec_run(t->ex, t->ctx->g, &t->vs, &p, err);
	return rc;
}

/*
 * The schema, without the column-order lines unless --strict: PostgreSQL
 * cannot put a column a downgrade re-adds back in its place, so an honest
 * "DROP COLUMN / ADD COLUMN" pair would always fail.
 */
static int
snapshot(struct tester *t, struct strbuf *out, struct mg_error *err)
{
	struct strbuf	all = STRBUF_INIT;
	const char	*p, *nl;
	int		rc;

	strbuf_reset(out);
	if ((rc = exec_snapshot(t->ex, &all, err)) == 0) {
		for (p = all.buf; *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			if (!t->strict && strncmp(p, "table ", 6) == 0 &&
			    memmem(p, nl ? (size_t)(nl - p) : strlen(p),
			    " columns: ", 10) != NULL)
				continue;
			strbuf_add(out, p, nl ? (size_t)(nl - p) + 1 :
			    strlen(p));
		}
	}
	strbuf_release(&all);
	return rc;
}

/*
 * Up, down, up for one revision. before is the schema before it; on
 * return it holds the schema after it. A difference is MG_ECHECK with the
 * revision and the lines in err.
 */
static int
test_one(struct tester *t, size_t rev, struct strbuf *before,
    struct mg_error *err)
{
	struct strbuf	 a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
	struct strbuf	 name = STRBUF_INIT, detail = STRBUF_INIT;
	struct strbuf	 changes = STRBUF_INIT, keep = STRBUF_INIT;
	const char	*phase;
	long		 start = clock_ms();
	size_t		 n = 0;
	int		 rc;

	rev_name(&name, t->ctx->g->nodes[rev].rev);
	phase = "upgrade";
	if ((rc = step(t, rev, 1, err)) != 0 ||
	    (rc = snapshot(t, &a, err)) != 0 ||
	    (phase = "downgrade", rc = step(t, rev, 0, err)) != 0 ||
	    (rc = snapshot(t, &b, err)) != 0) {
		mg_error_prefix(err, "%s", name.buf);
		goto broke;
	}
	strbuf_add(&keep, a.buf, a.len);
	if ((n = diff(&detail, &changes, before, &b, "left behind",
	    "not restored")) > 0) {
		phase = "downgrade";
		goto failed;
	}
	phase = "upgrade again";
	if ((rc = step(t, rev, 1, err)) != 0 ||
	    (rc = snapshot(t, &c, err)) != 0) {
		mg_error_prefix(err, "%s (upgrading again)", name.buf);
		goto broke;
	}
	if ((n = diff(&detail, &changes, &a, &c, "added the second time",
	    "missing the second time")) > 0) {
		phase = "upgrade again";
		goto failed;
	}
	strbuf_reset(before);
	strbuf_add(before, keep.buf, keep.len);
	t->nok++;
	if (!t->ctx->out.json)
		out_print(&t->ctx->out, "ok %s (up, down, up: %ld ms)\n",
		    name.buf, clock_ms() - start);
	strbuf_addstr(&t->report, t->nok > 1 ? ",\n    " : "\n    ");
	strbuf_addstr(&t->report, "{\"revision\": ");
	json_str(&t->report, t->ctx->g->nodes[rev].rev->id);
	strbuf_addstr(&t->report, ", \"file\": ");
	json_str(&t->report, t->ctx->g->nodes[rev].rev->path);
	strbuf_addf(&t->report, ", \"ok\": true, \"ms\": %ld}",
	    clock_ms() - start);
	goto done;
failed:
	rc = mg_error_set(err, MG_ECHECK, "%s: %s does not give back the "
	    "schema (%zu difference%s)", name.buf, strcmp(phase,
	    "downgrade") == 0 ? "the downgrade" : "upgrading again", n,
	    n == 1 ? "" : "s");
	free(err->file);
	err->file = NULL;
	strbuf_add(&err->context, detail.buf, detail.len);
	report_failure(t, rev, phase);
	strbuf_addf(&t->report, ", \"differences\": [%s]}", changes.buf);
	goto done;
broke:
	/* A statement failed: the report says where, with the message. */
	report_failure(t, rev, phase);
	strbuf_addstr(&t->report, ", \"error\": ");
	json_str(&t->report, err->msg.buf);
	strbuf_addch(&t->report, '}');
done:
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
	strbuf_release(&name);
	strbuf_release(&detail);
	strbuf_release(&changes);
	strbuf_release(&keep);
	return rc;
}

/* The scratch database: a PostgreSQL database or a SQLite file. */
struct scratch {
	char	*url;		/* the scratch database's */
	char	*dbname;	/* PostgreSQL: to drop */
	char	*path;		/* SQLite: to remove */
};

/*
 * A connection to the configured server: the configured database, or,
 * when that does not exist yet, the "postgres" maintenance database.
 */
static int
admin_open(struct exec **out, struct cmd_ctx *ctx, struct mg_error *err)
{
	struct strbuf	 url = STRBUF_INIT;
	char		*saved = ctx->cfg->url;
	int		 rc;

	if ((rc = exec_open(out, ctx->cfg, &ctx->out, err)) == 0)
		return 0;
	url_with_dbname(&url, saved, "postgres");
	ctx->cfg->url = url.buf;
	mg_error_clear(err);
	rc = exec_open(out, ctx->cfg, &ctx->out, err);
	ctx->cfg->url = saved;
	strbuf_release(&url);
	return rc;
}

static int
scratch_make(struct scratch *s, struct cmd_ctx *ctx, struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct exec	*admin = NULL;
	enum url_kind	 kind;
	const char	*tmp = getenv("TMPDIR");
	int		 rc, fd;

	memset(s, 0, sizeof(*s));
	if ((rc = url_kind(&kind, ctx->cfg->url, err)) != 0)
		return rc;
	if (kind == URL_SQLITE) {
		s->path = xasprintf("%s/migrate-test.XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
		if ((fd = mkstemp(s->path)) == -1) {
			rc = mg_error_set(err, MG_EIO, "cannot create a "
			    "scratch database in '%s': %s", tmp && *tmp ? tmp :
			    "/tmp", strerror(errno));
			free(s->path);
			s->path = NULL;
			return rc;
		}
		close(fd);
		s->url = xasprintf("sqlite:///%s", s->path);
		return 0;
	}
	/* Made through the configured server, which is otherwise untouched. */
	s->dbname = xasprintf("migrate_test_%ld_%ld", (long)getpid(),
	    (long)time(NULL));
	if ((rc = admin_open(&admin, ctx, err)) != 0)
		mg_error_prefix(err, "cannot reach the configured server to "
		    "create a scratch database");
	else {
		strbuf_addf(&sb, "CREATE DATABASE \"%s\"", s->dbname);
		if ((rc = exec_statement(admin, sb.buf, err)) != 0) {
			mg_error_prefix(err, "cannot create the scratch "
			    "database");
			strbuf_addstr(&err->hint, "migrate test needs CREATEDB "
			    "on the configured server, or --url of a database "
			    "it may change.");
		}
		exec_close(admin);
	}
	if (rc != 0) {
		free(s->dbname);
		s->dbname = NULL;
	} else {
		strbuf_reset(&sb);
		url_with_dbname(&sb, ctx->cfg->url, s->dbname);
		s->url = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
	return rc;
}

static void
scratch_drop(struct scratch *s, struct cmd_ctx *ctx)
{
	struct mg_error	 err = MG_ERROR_INIT;
	struct exec	*admin = NULL;
	char		*sql, *lock;

	if (s->path != NULL) {
		unlink(s->path);
		lock = xasprintf("%s.lock", s->path);
		unlink(lock);
		free(lock);
	}
	if (s->dbname != NULL && admin_open(&admin, ctx, &err) == 0) {
		/* FORCE (PostgreSQL 13+) ends a session a plugin left open. */
		sql = xasprintf("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
		    s->dbname);
		if (exec_statement(admin, sql, &err) != 0) {
			free(sql);
			mg_error_clear(&err);
			sql = xasprintf("DROP DATABASE IF EXISTS \"%s\"",
			    s->dbname);
			if (exec_statement(admin, sql, &err) != 0)
				out_info(&ctx->out, "warning: cannot drop the "
				    "scratch database '%s': %s\n", s->dbname,
				    err.msg.buf);
		}
		free(sql);
		exec_close(admin);
	}
	mg_error_clear(&err);
	free(s->url);
	free(s->dbname);
	free(s->path);
}

/* The steps to test: base (or --from's parents) up to --to, in order. */
static int
steps_of(struct cmd_ctx *ctx, const char *from, const char *to,
    struct plan *all, size_t *first, struct mg_error *err)
{
	struct idxlist	 none = { NULL, 0 };
	struct revspec	 rs;
	unsigned char	*nothing, *below;
	size_t		 i;
	int		 rc;

	*first = 0;
	if ((rc = revspec_resolve(&rs, ctx->g, &none, to, err)) != 0)
		return rc;
	nothing = xcalloc(ctx->g->n + 1, 1);
	plan_upgrade(all, ctx->g, nothing, rs.revs.v, rs.base ? 0 :
	    rs.revs.n);
	free(nothing);
	revspec_free(&rs);
	if (from == NULL)
		return 0;
	if ((rc = revspec_resolve(&rs, ctx->g, &none, from, err)) != 0)
		return rc;
	/* Steps that are strict ancestors of FROM are applied, not tested. */
	below = xcalloc(ctx->g->n + 1, 1);
	for (i = 0; i < rs.revs.n; i++) {
		const struct idxlist *par = &ctx->g->nodes[rs.revs.v[i]].parents;

		graph_mark_ancestors(ctx->g, par->v, par->n, below);
	}
	for (i = 0; i < all->n && below[all->v[i].rev]; i++)
		;
	*first = i;
	free(below);
	revspec_free(&rs);
	return 0;
}

/* Every file the test will run, both directions, parses first. */
static int
prepare_all(struct tester *t, const struct plan *all, struct mg_error *err)
{
	struct plan	both;
	size_t		i;
	int		rc;

	both.n = 2 * all->n;
	both.v = xcalloc(both.n + 1, sizeof(*both.v));
	for (i = 0; i < all->n; i++) {
		both.v[2 * i].rev = both.v[2 * i + 1].rev = all->v[i].rev;
		both.v[2 * i].up = 1;
	}
	rc = exec_prepare(t->ex, t->ctx->g, &both, err);
	free(both.v);
	return rc;
}

static int
run_tests(struct tester *t, const struct plan *all, size_t first,
    int given, enum url_kind kind, struct mg_error *err)
{
	struct cmd_ctx	*ctx = t->ctx;
	struct strlist	 none = { NULL, 0 }, rows = { NULL, 0 };
	struct strbuf	 before = STRBUF_INIT;
	long		 start = clock_ms();
	size_t		 i;
	int		 rc, have_vs = 0;

	if ((rc = exec_open(&t->ex, &t->cfg, &t->quiet, err)) != 0 ||
	    (rc = exec_read_rows(t->ex, &rows, err)) != 0)
		goto done;
	/* --url's database must be at base: the test starts from there. */
	if (given && rows.n > 0) {
		rc = mg_error_set(err, MG_EUSAGE, "the database at --url is "
		    "at '%s', not at base", rows.v[0]);
		strbuf_addstr(&err->hint, "migrate test upgrades from base: "
		    "give it an empty database, or leave --url out to use a "
		    "scratch one.");
		goto done;
	}
	if ((rc = prepare_all(t, all, err)) != 0 ||
	    (rc = exec_lock(t->ex, err)) != 0 ||
	    (rc = version_init(&t->vs, ctx->g, &none, err)) != 0)
		goto done;
	have_vs = 1;
	for (i = 0; i < first; i++)
		if ((rc = step(t, all->v[i].rev, 1, err)) != 0)
			goto done;
	if ((rc = snapshot(t, &before, err)) != 0)
		goto done;
	for (i = first; i < all->n; i++)
		if ((rc = test_one(t, all->v[i].rev, &before, err)) != 0)
			break;
done:
	if (ctx->out.json)
		out_print(&ctx->out, "{\"ok\": %s, \"dialect\": \"%s\", "
		    "\"tested\": %zu, \"ms\": %ld, \"revisions\": [%s\n  ]}\n",
		    rc == 0 ? "true" : "false", kind == URL_SQLITE ?
		    "sqlite" : "postgresql", t->nok, clock_ms() - start,
		    t->report.buf);
	else if (rc == 0)
		out_print(&ctx->out, "%zu revision%s: every downgrade gives "
		    "back the schema before its upgrade (%ld ms)\n", t->nok,
		    t->nok == 1 ? "" : "s", clock_ms() - start);
	if (have_vs)
		version_free(&t->vs);
	if (t->ex != NULL)
		exec_unlock(t->ex);
	exec_close(t->ex);
	t->ex = NULL;
	strlist_clear(&rows);
	strbuf_release(&before);
	strbuf_release(&t->report);
	return rc;
}

/*
 * The test runs in a child process, so that an interrupt (^C, a deploy
 * tool's SIGTERM) still lets the parent drop the scratch database: the
 * parent forwards the signal and cleans up once the child is gone. The
 * child prints its own error; the parent returns a code of the same exit
 * status with an empty message.
 */
static volatile sig_atomic_t	 child_pid;

static void
forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static int
guarded(struct tester *t, const struct plan *all, size_t first, int given,
    enum url_kind kind, struct mg_error *err)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction	 sa, old[3];
	pid_t			 pid;
	size_t			 i;
	int			 rc, status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return mg_error_set(err, MG_EIO, "cannot fork: %s",
		    strerror(errno));
	if (pid == 0) {
		rc = run_tests(t, all, first, given, kind, err);
		if (rc != 0 && err->msg.len > 0)
			mg_error_print(err, stderr, t->ctx->out.secret);
		fflush(stdout);
		_exit(mg_exit_status(rc));
	}
	child_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	child_pid = 0;
	if (WIFSIGNALED(status)) {
		rc = mg_error_set(err, MG_EREFUSED, "migrate test was "
		    "stopped by signal %d; the scratch database is dropped",
		    WTERMSIG(status));
		return rc;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 1:
		return MG_ECHECK;
	case 3:
		return MG_EREFUSED;
	default:
		return MG_EUSAGE;
	}
}

int
cmd_test(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "url", required_argument, NULL, 'u' },
		{ "strict", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct tester		 t;
	struct scratch		 s;
	struct plan		 all = { NULL, 0 };
	const char		*from = NULL, *to = "heads", *url = NULL;
	enum url_kind		 kind;
	size_t			 first;
	int			 ch, rc, strict = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'u': url = optarg; break;
		case 's': strict = 1; break;
		}
	}
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("test", err, "takes no operands (use "
		    "--from and --to)");
	if (ctx->cfg->url == NULL && url == NULL)
		return mg_error_set(err, MG_ECONFIG, "no database URL: migrate "
		    "test needs one to know the dialect and the server");
	if ((rc = url_kind(&kind, url ? url : ctx->cfg->url, err)) != 0)
		return rc;
	memset(&t, 0, sizeof(t));
	memset(&s, 0, sizeof(s));
	t.ctx = ctx;
	t.strict = strict;
	output_init(&t.quiet, 1, 0, 0);
	if ((rc = steps_of(ctx, from, to, &all, &first, err)) != 0)
		return rc;
	/* An empty range would pass without testing anything. */
	if (first >= all.n) {
		plan_free(&all);
		return mg_error_set(err, MG_EUSAGE, "nothing to test from "
		    "'%s' to '%s': the range holds no revision",
		    from ? from : "base", to);
	}
	if (url == NULL && (rc = scratch_make(&s, ctx, err)) != 0)
		goto done;
	/* Everything below runs on the scratch database (or --url's). */
	t.cfg = *ctx->cfg;
	t.cfg.url = url ? (char *)url : s.url;
	t.cfg.url_origin = URL_FROM_FLAG;
	if (!ctx->out.json)
		out_info(&ctx->out, "Testing %zu revision%s on %s\n",
		    all.n - first, all.n - first == 1 ? "" : "s",
		    url ? "--url's database" : s.path ? "a scratch SQLite "
		    "file" : "a scratch PostgreSQL database");
	rc = guarded(&t, &all, first, url != NULL, kind, err);
done:
	scratch_drop(&s, ctx);
	plan_free(&all);
	return rc;
}
