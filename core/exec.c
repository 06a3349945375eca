#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "clock.h"
#include "config.h"
#include "ddl.h"
#include "dialect.h"
#include "error.h"
#include "exec.h"
#include "graph.h"
#include "output.h"
#include "plan.h"
#include "plugin.h"
#include "revision.h"
#include "sqlsplit.h"
#include "strbuf.h"
#include "url.h"
#include "version.h"
#include "xmalloc.h"

/* Revision files are text; a bigger one is a mistake, not a migration. */
#define MAX_FILE_SIZE (64u << 20)

struct loaded {
	struct strbuf	text;
	struct script	sc;
	struct plugin	*plugin;	/* a C revision's, else NULL */
	char		checksum[CHECKSUM_HEX_LEN + 1];
};

struct exec {
	const struct dialect	*d;
	struct db		*db;
	/*
	 * Offline (--sql): d points at od, a copy of the URL's dialect whose
	 * I/O functions append to sql instead of talking to a database, so
	 * the very same code decides what SQL runs. db is then the exec.
	 */
	struct dialect		 od;
	struct strbuf		 sql;
	int			 offline, offline_tables;
	/* Offline on SQLite: the URL's dialect and its in-memory shadow. */
	const struct dialect	*real;
	struct db		*shadow;
	char			*shadow_broken;	/* why it can't be trusted */
	int			 silent;	/* replaying: print nothing */
	/*
	 * SQLite table rebuilds: foreign keys are turned off for the run
	 * (fk_guard; fk_was_on restores them) and the tables rebuilt in the
	 * open transaction are checked before it commits.
	 */
	struct strlist		 rebuilt;
	int			 fk_guard, fk_was_on;
	const struct config	*cfg;
	const struct output	*out;
	char			*vtable, *htable;
	char			*applied_by;
	int			 locked;
	struct loaded		**scripts;	/* by revision index */
	size_t			 nscripts;
};

static char *
history_table(const char *vtable)
{
	size_t	len = strlen(vtable), suf = strlen("_version");

	if (len > suf && strcmp(vtable + len - suf, "_version") == 0)
		return xasprintf("%.*s_history", (int)(len - suf), vtable);
	return xasprintf("%s_history", vtable);
}

static char *
whoami(void)
{
	char		 host[256];
	const char	*user = getenv("USER");
	struct passwd	*pw;

	if (user == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) ? pw->pw_name : "unknown";
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return xasprintf("%s@%s", user, host);
}

int
exec_open(struct exec **out, const struct config *cfg,
    const struct output *o, struct mg_error *err)
{
	struct dialect_opts	 opts;
	struct exec		*ex;
	int			 rc;

	*out = NULL;
	if (cfg->url == NULL) {
		mg_error_set(err, MG_ECONFIG, "no database URL");
		strbuf_addf(&err->hint, "Set url in '%s', DATABASE_URL, or "
		    "pass --url.", cfg->path);
		return MG_ECONFIG;
	}
	ex = xcalloc(1, sizeof(*ex));
	ex->cfg = cfg;
	ex->out = o;
	if ((rc = dialect_for_url(&ex->d, cfg->url, err)) != 0)
		goto fail;
	memset(&opts, 0, sizeof(opts));
	opts.url = cfg->url;
	opts.base_dir = config_url_base(cfg);
	opts.lock_timeout_ms = cfg->lock_timeout_ms;
	opts.statement_timeout_ms = cfg->statement_timeout_ms;
	if ((rc = ex->d->open(&ex->db, &opts, err)) != 0) {
		/* Which database, with its password masked. */
		struct strbuf shown = STRBUF_INIT;

		url_redact(&shown, cfg->url);
		if (err->detail.len)
			strbuf_addstr(&err->detail, "; ");
		strbuf_addf(&err->detail, "url: %s", shown.buf);
		strbuf_release(&shown);
		goto fail;
	}
	ex->vtable = xstrdup(cfg->version_table);
	ex->htable = history_table(cfg->version_table);
	ex->applied_by = whoami();
	*out = ex;
	return 0;
fail:
	free(ex);
	return rc;
}

static struct exec *
offline_of(struct db *db)
{
	return (struct exec *)(void *)db;
}

/*
 * The shadow (SQLite only): an in-memory database that replays the script
 * as it is printed, so that a table rebuild can read the definition the
 * table would have by then. A statement it refuses (data the real
 * database has and the empty copy lacks) only marks it broken: printing
 * goes on, and a later rebuild reports why it cannot be rendered.
 */
static void
shadow_run(struct exec *ex, int (*fn)(struct db *, struct mg_error *),
    const char *sql)
{
	struct mg_error	e = MG_ERROR_INIT;
	int		rc;

	if (ex->shadow == NULL || ex->shadow_broken != NULL)
		return;
	rc = sql ? ex->real->exec(ex->shadow, sql, NULL, &e) :
	    fn(ex->shadow, &e);
	if (rc != 0)
		ex->shadow_broken = xasprintf("%s%s%.80s", e.msg.buf,
		    sql ? ", in: " : "", sql ? sql : "");
	mg_error_clear(&e);
}

static int
offline_exec(struct db *db, const char *sql, long *errpos,
    struct mg_error *err)
{
	struct exec	*ex = offline_of(db);
	struct strbuf	*sb = &ex->sql;
	size_t		 len = strlen(sql);

	(void)err;
	if (errpos)
		*errpos = -1;
	shadow_run(ex, NULL, sql);
	if (ex->silent)
		return 0;
	strbuf_addstr(sb, sql);
	/* Statements come without their ';', bookkeeping SQL with it. */
	while (len > 0 && (sql[len - 1] == '\n' || sql[len - 1] == ' '))
		len--;
	if (len == 0 || sql[len - 1] != ';')
		strbuf_addstr(sb, ";\n");
	else if (sql[strlen(sql) - 1] != '\n')
		strbuf_addch(sb, '\n');
	return 0;
}

/* No rows (nothing was ever recorded), or the shadow's. */
static int
offline_query(struct db *db, const char *sql, const char *const *params,
    int nparams, row_fn *fn, void *payload, struct mg_error *err)
{
	struct exec	*ex = offline_of(db);

	if (ex->shadow == NULL || ex->shadow_broken != NULL)
		return 0;
	return ex->real->query(ex->shadow, sql, params, nparams, fn, payload,
	    err);
}

static int
offline_begin(struct db *db, struct mg_error *err)
{
	struct exec	*ex = offline_of(db);

	(void)err;
	shadow_run(ex, ex->real->begin, NULL);
	if (!ex->silent)
		strbuf_addstr(&ex->sql, "BEGIN;\n");
	return 0;
}

static int
offline_commit(struct db *db, struct mg_error *err)
{
	struct exec	*ex = offline_of(db);
	struct strbuf	*sb = &ex->sql;
	size_t		 n = strlen("BEGIN;\n");

	(void)err;
	shadow_run(ex, ex->real->commit, NULL);
	if (ex->silent)
		return 0;
	/* A transaction with nothing in it is left out of the script. */
	if (sb->len >= n && strcmp(sb->buf + sb->len - n, "BEGIN;\n") == 0)
		strbuf_setlen(sb, sb->len - n);
	else
		strbuf_addstr(sb, "COMMIT;\n\n");
	return 0;
}

static int
offline_rollback(struct db *db, struct mg_error *err)
{
	struct exec	*ex = offline_of(db);

	(void)err;
	shadow_run(ex, ex->real->rollback, NULL);
	return 0;
}

static int
offline_nothing(struct db *db, struct mg_error *err)
{
	(void)db; (void)err;
	return 0;
}

static int
offline_lock(struct db *db, const char *key, long timeout_ms,
    struct mg_error *err)
{
	(void)db; (void)key; (void)timeout_ms; (void)err;
	return 0;
}

/*
 * From base the version tables are created; from a revision they exist.
 * The shadow knows.
 */
static int
offline_table_exists(struct db *db, const char *table, int *exists,
    struct mg_error *err)
{
	struct exec	*ex = offline_of(db);

	if (ex->shadow != NULL && ex->shadow_broken == NULL)
		return ex->real->table_exists(ex->shadow, table, exists, err);
	*exists = ex->offline_tables;
	return 0;
}

static void
offline_close(struct db *db)
{
	struct exec	*ex = offline_of(db);

	if (ex->shadow != NULL)
		ex->real->close(ex->shadow);
	ex->shadow = NULL;
	free(ex->shadow_broken);
	ex->shadow_broken = NULL;
}

int
exec_open_offline(struct exec **out, const struct config *cfg,
    const struct output *o, int from_base, struct mg_error *err)
{
	struct dialect_opts	 opts;
	const struct dialect	*real;
	struct exec		*ex;
	int			 rc;

	*out = NULL;
	if (cfg->url == NULL)
		return mg_error_set(err, MG_ECONFIG, "no database URL: --sql "
		    "needs one to know the dialect");
	if ((rc = dialect_for_url(&real, cfg->url, err)) != 0)
		return rc;
	ex = xcalloc(1, sizeof(*ex));
	ex->cfg = cfg;
	ex->out = o;
	ex->real = real;
	if (strcmp(real->name, "sqlite") == 0) {
		memset(&opts, 0, sizeof(opts));
		opts.url = "sqlite:///:memory:";
		if ((rc = real->open(&ex->shadow, &opts, err)) != 0) {
			free(ex);
			return rc;
		}
	}
	ex->od = *real;
	ex->od.open = NULL;
	ex->od.close = offline_close;
	ex->od.exec = offline_exec;
	ex->od.query = offline_query;
	ex->od.begin = offline_begin;
	ex->od.commit = offline_commit;
	ex->od.rollback = offline_rollback;
	ex->od.lock = offline_lock;
	ex->od.unlock = offline_nothing;
	ex->od.table_exists = offline_table_exists;
	ex->od.before_resume = NULL;
	ex->od.backup = NULL;
	ex->od.snapshot = NULL;
	ex->d = &ex->od;
	ex->db = (struct db *)(void *)ex;
	ex->offline = 1;
	ex->offline_tables = !from_base;
	strbuf_init(&ex->sql, 0);
	ex->vtable = xstrdup(cfg->version_table);
	ex->htable = history_table(cfg->version_table);
	ex->applied_by = whoami();
	*out = ex;
	return 0;
}

int
exec_offline_replay(struct exec *ex, const struct graph *g,
    const struct plan *p, struct mg_error *err)
{
	struct version_state	 vs;
	struct strlist		 none = { NULL, 0 };
	struct output		 quiet;
	const struct output	*was = ex->out;
	int			 rc;

	if (!ex->offline)
		BUG("exec_offline_replay on a database");
	if (ex->shadow == NULL || p->n == 0)
		return 0;
	if ((rc = version_init(&vs, g, &none, err)) != 0)
		return rc;
	output_init(&quiet, 1, 0, 0);
	ex->out = &quiet;
	ex->silent = 1;
	if ((rc = exec_prepare(ex, g, p, err)) == 0 &&
	    (rc = exec_lock(ex, err)) == 0)
		rc = exec_run(ex, g, &vs, p, err);
	if (rc != 0)
		mg_error_prefix(err, "cannot replay the revisions below the "
		    "range's start");
	ex->silent = 0;
	ex->out = was;
	version_free(&vs);
	return rc;
}

const char *
exec_offline_sql(const struct exec *ex)
{
	return ex->sql.buf;
}

const char *
exec_dialect_name(const struct exec *ex)
{
	return ex->d->name;
}

int
exec_snapshot(struct exec *ex, struct strbuf *out, struct mg_error *err)
{
	if (ex->offline || ex->d->snapshot == NULL)
		return mg_error_set(err, MG_EUSAGE, "no schema snapshot "
		    "without a database connection");
	return ex->d->snapshot(ex->db, ex->vtable, ex->htable, out, err);
}

static void
loaded_free(struct loaded *l)
{
	if (l == NULL)
		return;
	strbuf_release(&l->text);
	sqlsplit_free(&l->sc);
	plugin_free(l->plugin);
	free(l);
}

void
exec_close(struct exec *ex)
{
	size_t	i;

	if (ex == NULL)
		return;
	if (ex->locked)
		exec_unlock(ex);
	ex->d->close(ex->db);
	for (i = 0; i < ex->nscripts; i++)
		loaded_free(ex->scripts[i]);
	free(ex->scripts);
	strbuf_release(&ex->sql);
	strlist_clear(&ex->rebuilt);
	free(ex->vtable);
	free(ex->htable);
	free(ex->applied_by);
	free(ex);
}

/* Collect column 0 (and 1 into b, when b is set) of each row. */
struct collect {
	struct strlist	*a, *b;
};

static int
collect_cols(void *payload, int ncols, char *const *vals)
{
	struct collect	*c = payload;

	if (ncols < (c->b ? 2 : 1) || vals[0] == NULL ||
	    (c->b && vals[1] == NULL))
		return 0;
	strlist_add(c->a, vals[0]);
	if (c->b)
		strlist_add(c->b, vals[1]);
	return 0;
}

int
exec_checksums(struct exec *ex, const struct graph *g,
    const unsigned char *applied, checksum_fn *fn, void *payload,
    struct mg_error *err)
{
	struct strlist	 revs = { NULL, 0 }, sums = { NULL, 0 };
	struct collect	 c = { &revs, &sums };
	struct strbuf	 text = STRBUF_INIT;
	char		*sql, now[CHECKSUM_HEX_LEN + 1];
	size_t		 i, idx;
	int		 exists, rc;

	if ((rc = ex->d->table_exists(ex->db, ex->htable, &exists, err)) != 0 ||
	    !exists)
		return rc;
	/* The checksum of the upgrade that applied each revision last. */
	sql = xasprintf("SELECT revision, checksum FROM %s h WHERE id = "
	    "(SELECT max(id) FROM %s WHERE revision = h.revision AND "
	    "direction IN ('up', 'resolve') AND success AND checksum IS "
	    "NOT NULL)", ex->htable, ex->htable);
	rc = ex->d->query(ex->db, sql, NULL, 0, collect_cols, &c, err);
	free(sql);
	for (i = 0; rc == 0 && i < revs.n; i++) {
		idx = graph_find(g, revs.v[i]);
		if (idx == GRAPH_NONE || !applied[idx])
			continue;
		strbuf_reset(&text);
		if (strbuf_read_file(&text, g->nodes[idx].rev->path,
		    MAX_FILE_SIZE) != 0) {
			rc = mg_error_set(err, MG_EIO, "cannot read '%s': %s",
			    g->nodes[idx].rev->path, strerror(errno));
			break;
		}
		if ((rc = checksum_text(now, text.buf, text.len, err)) != 0)
			break;
		if (strcmp(now, sums.v[i]) != 0)
			fn(payload, idx, sums.v[i], now);
	}
	strlist_clear(&revs);
	strlist_clear(&sums);
	strbuf_release(&text);
	return rc;
}

int
exec_statement(struct exec *ex, const char *sql, struct mg_error *err)
{
	return ex->d->exec(ex->db, sql, NULL, err);
}

int
exec_read_rows(struct exec *ex, struct strlist *rows, struct mg_error *err)
{
	struct collect	 c = { rows, NULL };
	char		*sql;
	int		 exists, rc;

	strlist_clear(rows);
	if ((rc = ex->d->table_exists(ex->db, ex->vtable, &exists, err)) != 0)
		return rc;
	if (!exists)
		return 0;
	sql = xasprintf("SELECT version_num FROM %s ORDER BY version_num",
	    ex->vtable);
	rc = ex->d->query(ex->db, sql, NULL, 0, collect_cols, &c, err);
	free(sql);
	if (rc != 0)
		mg_error_prefix(err, "cannot read version table '%s'",
		    ex->vtable);
	return rc;
}

static int
load_script(struct loaded **out, const struct revision *rev,
    const char *dialect, const char *script_location, struct mg_error *err)
{
	struct loaded	*l;
	int		 rc;

	*out = NULL;
	l = xcalloc(1, sizeof(*l));
	strbuf_init(&l->text, 0);
	if (strbuf_read_file(&l->text, rev->path, MAX_FILE_SIZE) != 0) {
		rc = mg_error_set(err, errno == EFBIG ? MG_EREVISION : MG_EIO,
		    "cannot read '%s': %s", rev->path, strerror(errno));
		loaded_free(l);
		return rc;
	}
	/*
	 * A C revision is compiled (if need be) and loaded now, so that a
	 * compile error stops the run before anything is written.
	 */
	if (rev->is_c) {
		l->sc.has_up = l->sc.has_down = 1;
		rc = plugin_load(&l->plugin, rev, NULL, script_location, err);
	} else
		rc = sqlsplit_parse(&l->sc, l->text.buf, l->text.len, dialect,
		    rev->path, err);
	if (rc != 0) {
		loaded_free(l);
		return rc;
	}
	if ((rc = checksum_text(l->checksum, l->text.buf, l->text.len,
	    err)) != 0) {
		loaded_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* The n-th word (0-based) of sql, upper-cased into buf. */
static const char *
nth_word(const char *sql, int n, char *buf, size_t size)
{
	size_t	len;

	for (;;) {
		while (*sql == ' ' || *sql == '\t' || *sql == '\n' ||
		    *sql == '\r')
			sql++;
		for (len = 0; isalpha((unsigned char)sql[len]); len++)
			if (len + 1 < size)
				buf[len] = (char)toupper((unsigned char)sql[len]);
		buf[len < size ? len : size - 1] = '\0';
		if (n-- == 0 || len == 0)
			return buf;
		sql += len;
	}
}

/*
 * A statement that ends or starts a transaction (BEGIN, COMMIT, END,
 * ROLLBACK other than to a savepoint, START TRANSACTION, ABORT) would
 * commit half a revision and its version row apart: refused, unless the
 * revision runs in autocommit. Returns the statement's index or -1.
 */
static long
find_txn_control(const struct stmt_list *list)
{
	char	w0[16], w1[16], w2[16];
	size_t	i;

	for (i = 0; i < list->n; i++) {
		nth_word(list->v[i].sql, 0, w0, sizeof(w0));
		if (strcmp(w0, "BEGIN") == 0 || strcmp(w0, "COMMIT") == 0 ||
		    strcmp(w0, "END") == 0 || strcmp(w0, "ABORT") == 0)
			return (long)i;
		nth_word(list->v[i].sql, 1, w1, sizeof(w1));
		nth_word(list->v[i].sql, 2, w2, sizeof(w2));
		if (strcmp(w0, "START") == 0 && strcmp(w1, "TRANSACTION") == 0)
			return (long)i;
		if (strcmp(w0, "ROLLBACK") == 0 && strcmp(w1, "TO") != 0 &&
		    strcmp(w2, "TO") != 0)
			return (long)i;
	}
	return -1;
}

static long
find_rebuild(const struct stmt_list *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].rebuild != NULL)
			return (long)i;
	return -1;
}

int
exec_prepare(struct exec *ex, const struct graph *g, const struct plan *p,
    struct mg_error *err)
{
	const struct revision	*rev;
	const struct loaded	*l;
	const struct stmt_list	*list;
	size_t			 i;
	long			 bad;
	int			 rc;

	if (ex->nscripts < g->n) {
		ex->scripts = xreallocarray(ex->scripts, g->n,
		    sizeof(*ex->scripts));
		memset(ex->scripts + ex->nscripts, 0,
		    (g->n - ex->nscripts) * sizeof(*ex->scripts));
		ex->nscripts = g->n;
	}
	for (i = 0; i < p->n; i++) {
		rev = g->nodes[p->v[i].rev].rev;
		if (ex->scripts[p->v[i].rev] == NULL &&
		    (rc = load_script(&ex->scripts[p->v[i].rev], rev,
		    ex->d->name, ex->cfg->script_location, err)) != 0)
			return rc;
		l = ex->scripts[p->v[i].rev];
		list = p->v[i].up ? &l->sc.up : &l->sc.down;
		if (ex->cfg->transaction != TXN_NONE &&
		    !l->sc.transaction_off &&
		    (bad = find_txn_control(list)) >= 0) {
			mg_error_set_at(err, MG_EREVISION, rev->path,
			    list->v[bad].line, list->v[bad].col, "transaction "
			    "control statement in a revision that runs in a "
			    "transaction");
			strbuf_addstr(&err->hint, "migrate wraps each revision "
			    "in a transaction itself; remove BEGIN/COMMIT, or "
			    "put '-- migrate:transaction off' in the file to "
			    "manage transactions by hand.");
			return MG_EREVISION;
		}
		if ((bad = find_rebuild(list)) >= 0 &&
		    strcmp(ex->d->name, "sqlite") != 0) {
			mg_error_set_at(err, MG_EREVISION, rev->path,
			    list->v[bad].line, list->v[bad].col, "'-- "
			    "migrate:rebuild' is for SQLite, not %s",
			    ex->d->name);
			strbuf_addstr(&err->hint, "Put the rebuild in a "
			    "'-- migrate:upgrade sqlite' section and the "
			    "ALTER TABLE statements in the generic one.");
			return MG_EREVISION;
		}
		if (!p->v[i].up && !ex->scripts[p->v[i].rev]->sc.has_down) {
			mg_error_set_at(err, MG_EREVISION, rev->path, 0, 0,
			    "revision '%s' has no '-- migrate:downgrade' "
			    "section", rev->id);
			strbuf_addstr(&err->hint, "Nothing was changed. Add "
			    "a downgrade section to the file (it may be "
			    "empty when there is nothing to undo).");
			return MG_EREVISION;
		}
	}
	return 0;
}

static int
run_sql(struct exec *ex, const char *sql, struct mg_error *err)
{
	return ex->d->exec(ex->db, sql, NULL, err);
}

int
exec_lock(struct exec *ex, struct mg_error *err)
{
	struct strbuf	ddl = STRBUF_INIT;
	int		rc, exists;

	if ((rc = ex->d->lock(ex->db, ex->vtable, ex->cfg->lock_wait_ms,
	    err)) != 0)
		return rc;
	ex->locked = 1;
	/*
	 * Both tables: an adopted database (a hand-made version table, or
	 * Alembic's alembic_version) may have only the first.
	 */
	if ((rc = ex->d->table_exists(ex->db, ex->vtable, &exists, err)) != 0 ||
	    (exists && (rc = ex->d->table_exists(ex->db, ex->htable, &exists,
	    err)) != 0))
		return rc;
	if (exists)
		return 0;
	ex->d->version_ddl(&ddl, ex->vtable, ex->htable);
	if ((rc = ex->d->begin(ex->db, err)) == 0 &&
	    (rc = run_sql(ex, ddl.buf, err)) == 0)
		rc = ex->d->commit(ex->db, err);
	if (rc != 0) {
		mg_error_prefix(err, "cannot create version tables");
		ex->d->rollback(ex->db, err);
	}
	strbuf_release(&ddl);
	return rc;
}

int
exec_backup(struct exec *ex, struct mg_error *err)
{
	struct strbuf	path = STRBUF_INIT;
	int		rc;

	if (ex->d->backup == NULL) {
		mg_error_set(err, MG_ECONFIG, "backup = yes is not supported "
		    "on %s yet", ex->d->name);
		strbuf_addstr(&err->hint, "Take a backup (pg_dump) before "
		    "migrating and set backup = no.");
		return MG_ECONFIG;
	}
	if ((rc = ex->d->backup(ex->db, &path, err)) != 0)
		mg_error_prefix(err, "backup failed, nothing was migrated");
	else if (path.len)
		out_info(ex->out, "Backed up the database to '%s'.\n",
		    path.buf);
	strbuf_release(&path);
	return rc;
}

void
exec_unlock(struct exec *ex)
{
	struct mg_error	err = MG_ERROR_INIT;

	if (ex->locked)
		ex->d->unlock(ex->db, &err);
	ex->locked = 0;
	mg_error_clear(&err);
}

static void
add_vop_sql(struct strbuf *sb, const struct exec *ex, const struct graph *g,
    const struct vop *op)
{
	switch (op->kind) {
	case VOP_DELETE:
		strbuf_addf(sb, "DELETE FROM %s WHERE version_num = ",
		    ex->vtable);
		strbuf_addquoted(sb, g->nodes[op->from].rev->id);
		break;
	case VOP_UPDATE:
		strbuf_addf(sb, "UPDATE %s SET version_num = ", ex->vtable);
		strbuf_addquoted(sb, g->nodes[op->to].rev->id);
		strbuf_addstr(sb, " WHERE version_num = ");
		strbuf_addquoted(sb, g->nodes[op->from].rev->id);
		break;
	case VOP_INSERT:
		strbuf_addf(sb, "INSERT INTO %s (version_num) VALUES (",
		    ex->vtable);
		strbuf_addquoted(sb, g->nodes[op->to].rev->id);
		strbuf_addch(sb, ')');
		break;
	}
	strbuf_addstr(sb, ";\n");
}

static void
add_history_sql(struct strbuf *sb, const struct exec *ex, const char *rev,
    const char *dir, const char *checksum, long ms, size_t done,
    size_t total, int ok)
{
	strbuf_addf(sb, "INSERT INTO %s (revision, direction, checksum, "
	    "applied_at, applied_by, duration_ms, statements_done, "
	    "statements_total, success) VALUES (", ex->htable);
	strbuf_addquoted(sb, rev);
	strbuf_addf(sb, ", '%s', ", dir);
	if (checksum)
		strbuf_addquoted(sb, checksum);
	else
		strbuf_addstr(sb, "NULL");
	strbuf_addf(sb, ", %s, ", ex->d->now_sql);
	strbuf_addquoted(sb, ex->applied_by);
	/* duration_ms NULL: an attempt still running (see struct attempt). */
	if (ms < 0)
		strbuf_addstr(sb, ", NULL");
	else
		strbuf_addf(sb, ", %ld", ms);
	strbuf_addf(sb, ", %zu, %zu, %s);\n", done, total,
	    ok ? "TRUE" : "FALSE");
}

/*
 * Point err at the failing statement: the database's offset inside the
 * statement when it gave one (tag-20261122-offsets), else the statement's
 * start; and show that line of the file with a caret, as psql does.
 */
static void
locate_error(struct mg_error *err, const struct revision *rev,
    const struct loaded *l, const struct stmt *st, long errpos,
    size_t cut_at, size_t cut_len)
{
	const char	*line_start, *line_end;
	int		 line = st->line, col = st->col, i;

	if (errpos >= 0) {
		if (cut_len && (size_t)errpos >= cut_at)
			errpos += (long)cut_len;
		if ((size_t)errpos <= st->len)
			sqlsplit_locate(st, l->text.buf, l->text.len,
			    (size_t)errpos, &line, &col);
	}
	free(err->file);
	err->file = xstrdup(rev->path);
	err->line = line;
	err->col = col;
	line_start = l->text.buf;
	for (i = 1; i < line && line_start != NULL; i++) {
		line_start = memchr(line_start, '\n',
		    (size_t)(l->text.buf + l->text.len - line_start));
		if (line_start)
			line_start++;
	}
	if (line_start == NULL)
		return;
	line_end = memchr(line_start, '\n',
	    (size_t)(l->text.buf + l->text.len - line_start));
	if (line_end == NULL)
		line_end = l->text.buf + l->text.len;
	strbuf_reset(&err->context);
	strbuf_addf(&err->context, "%5d | %.*s\n      | ", line,
	    (int)(line_end - line_start), line_start);
	/* One pad per character, not per byte: skip UTF-8 continuations. */
	for (i = 1; i < col; i++)
		if (((unsigned char)line_start[i - 1] & 0xC0) != 0x80)
			strbuf_addch(&err->context,
			    line_start[i - 1] == '\t' ? '\t' : ' ');
	strbuf_addch(&err->context, '^');
}

/* Record a failed attempt after its transaction was rolled back. */
static void
record_failure(struct exec *ex, const struct revision *rev, const char *dir,
    const struct loaded *l, long ms, size_t done, size_t total)
{
	struct strbuf	sql = STRBUF_INIT;
	struct mg_error	ignored = MG_ERROR_INIT;

	add_history_sql(&sql, ex, rev->id, dir, l->checksum, ms, done, total,
	    0);
	if (run_sql(ex, sql.buf, &ignored) != 0)
		out_debug(ex->out, "cannot record the failure in '%s': %s\n",
		    ex->htable, ignored.msg.buf);
	mg_error_clear(&ignored);
	strbuf_release(&sql);
}

static const char *
parent_label(const struct graph *g, size_t rev, struct strbuf *sb)
{
	const struct graph_node	*node = &g->nodes[rev];
	size_t			 k;

	strbuf_reset(sb);
	for (k = 0; k < node->parents.n; k++)
		strbuf_addf(sb, "%s%s", k ? ", " : "",
		    g->nodes[node->parents.v[k]].rev->id);
	return sb->buf;
}

/*
 * A revision with statements that cannot run in a transaction (PostgreSQL's
 * CREATE INDEX CONCURRENTLY ...) commits in parts; its history row is the
 * attempt's record, created at the first commit and updated as parts
 * commit, so that statements_done always counts what is durably applied
 * and a rerun resumes there (DESIGN.md "Executor"). Its duration_ms stays
 * NULL while it runs and is set when it ends, in success or in a failure
 * the server reported: a failed row with a NULL duration was cut off, and
 * only such an attempt may have done more than its record says.
 */
struct attempt {
	long long	id;		/* its history row, or -1 */
	size_t		done;		/* statements durably applied */
	int		open;		/* never closed: cut off (kill, lost
					   connection), not failed */
};

struct partial {
	char		*rev, *dir;
	struct attempt	 a;
};

struct partials {
	struct partial	*v;
	size_t		 n;
};

static int
keep_partial(void *payload, int ncols, char *const *vals)
{
	struct partials	*ps = payload;
	struct partial	*p;

	if (ncols < 5 || !vals[0] || !vals[1] || !vals[2] || !vals[3] ||
	    !vals[4])
		return 0;
	ps->v = xreallocarray(ps->v, ps->n + 1, sizeof(*ps->v));
	p = &ps->v[ps->n++];
	p->rev = xstrdup(vals[0]);
	p->dir = xstrdup(vals[1]);
	p->a.id = atoll(vals[2]);
	p->a.done = (size_t)atol(vals[3]);
	p->a.open = strcmp(vals[4], "1") == 0 || strcmp(vals[4], "t") == 0;
	return 0;
}

/*
 * The failed attempts: revisions whose latest history row is a failure
 * (partial when it has statements applied). One query for the run,
 * usually no rows.
 */
static int
load_partials(struct exec *ex, struct partials *ps, struct mg_error *err)
{
	char	*sql;
	int	 rc, exists;

	ps->v = NULL;
	ps->n = 0;
	if ((rc = ex->d->table_exists(ex->db, ex->htable, &exists, err)) != 0 ||
	    !exists)
		return rc;
	sql = xasprintf("SELECT revision, direction, id, statements_done, "
	    "CASE WHEN duration_ms IS NULL THEN 1 ELSE 0 END FROM %s h "
	    "WHERE NOT success AND id = (SELECT max(id) FROM %s WHERE "
	    "revision = h.revision)", ex->htable, ex->htable);
	rc = ex->d->query(ex->db, sql, NULL, 0, keep_partial, ps, err);
	free(sql);
	return rc;
}

/*
 * How the latest attempt of rev in direction dir ended: RETRY_NONE (it did
 * not fail), RETRY_FAILED (the server reported an error) or RETRY_CUT (it
 * was cut off); *a is that attempt when it left statements applied (a
 * partial one to resume).
 */
enum { RETRY_NONE, RETRY_FAILED, RETRY_CUT };

static int
find_partial(const struct partials *ps, const char *rev, const char *dir,
    struct attempt *a)
{
	size_t	i;
	int	retry = RETRY_NONE;

	a->id = -1;
	a->done = 0;
	a->open = 0;
	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].rev, rev) == 0 &&
		    strcmp(ps->v[i].dir, dir) == 0) {
			retry = ps->v[i].a.open ? RETRY_CUT : RETRY_FAILED;
			if (ps->v[i].a.done > 0)
				*a = ps->v[i].a;
		}
	return retry;
}

static void
partials_free(struct partials *ps)
{
	size_t	i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].rev);
		free(ps->v[i].dir);
	}
	free(ps->v);
}

static int
keep_id(void *payload, int ncols, char *const *vals)
{
	if (ncols > 0 && vals[0])
		*(long long *)payload = atoll(vals[0]);
	return 1;
}

/* Create or advance the attempt row, in the current transaction if any. */
static int
save_progress(struct exec *ex, const struct revision *rev, const char *dir,
    const struct loaded *l, size_t done, size_t total, struct attempt *a,
    struct mg_error *err)
{
	struct strbuf	sql = STRBUF_INIT;
	int		rc;

	/* Offline there is no attempt to resume: the DBA's psql stops. */
	if (ex->offline) {
		a->done = done;
		return 0;
	}
	if (a->id < 0) {
		add_history_sql(&sql, ex, rev->id, dir, l->checksum, -1, done,
		    total, 0);
		strbuf_setlen(&sql, sql.len - 2);	/* ";\n" */
		strbuf_addstr(&sql, " RETURNING id");
		rc = ex->d->query(ex->db, sql.buf, NULL, 0, keep_id, &a->id,
		    err);
	} else {
		strbuf_addf(&sql, "UPDATE %s SET statements_done = %zu, "
		    "duration_ms = NULL WHERE id = %lld", ex->htable, done,
		    a->id);
		rc = run_sql(ex, sql.buf, err);
	}
	if (rc == 0)
		a->done = done;
	strbuf_release(&sql);
	return rc;
}

/*
 * The server reported the error: the attempt ended, and its record is
 * exact. Close it (a duration), unless the connection is gone, in which
 * case it stays open, as after a kill.
 */
static void
close_attempt(struct exec *ex, const struct attempt *a, long ms)
{
	struct strbuf	sql = STRBUF_INIT;
	struct mg_error	ignored = MG_ERROR_INIT;

	strbuf_addf(&sql, "UPDATE %s SET duration_ms = %ld WHERE id = %lld",
	    ex->htable, ms, a->id);
	if (run_sql(ex, sql.buf, &ignored) != 0)
		out_debug(ex->out, "cannot close the attempt in '%s': %s\n",
		    ex->htable, ignored.msg.buf);
	mg_error_clear(&ignored);
	strbuf_release(&sql);
}

static void
rollback_quietly(struct exec *ex, int *in_txn)
{
	struct mg_error	rb = MG_ERROR_INIT;

	if (*in_txn)
		ex->d->rollback(ex->db, &rb);
	*in_txn = 0;
	strlist_clear(&ex->rebuilt);
	mg_error_clear(&rb);
}


/*
 * Rebuild SQLite table as SQLite's ALTER TABLE documentation lays out: its
 * definition, indexes, triggers and the views that mention it are read
 * from sqlite_schema, and the dialect layer writes the statements. Either
 * new_sql (a whole new CREATE TABLE) or op says what changes. Runs in the
 * open transaction; the table is checked for foreign key violations
 * before that commits (commit_txn).
 */
static int
rebuild_table(struct exec *ex, const char *table, const char *new_sql,
    const struct ddl_op *op, struct mg_error *err)
{
	struct strlist		 create = { NULL, 0 }, idx = { NULL, 0 };
	struct strlist		 trg = { NULL, 0 }, keepn = { NULL, 0 };
	struct strlist		 keeps = { NULL, 0 }, fk = { NULL, 0 };
	struct collect		 c;
	struct ddl_sqlite_table	 t;
	struct ddl_stmts	 st = { NULL, 0 };
	const char		*param[1] = { table };
	size_t			 i;
	int			 rc;

	/*
	 * Replaying below a --sql range, a copy that cannot follow stays
	 * broken; only a rebuild that is printed needs it.
	 */
	if (ex->offline && ex->silent && (ex->shadow == NULL ||
	    ex->shadow_broken != NULL)) {
		if (ex->shadow_broken == NULL)
			ex->shadow_broken = xasprintf("no copy of table '%s'",
			    table);
		return 0;
	}
	if (ex->offline && (ex->shadow == NULL || ex->shadow_broken != NULL)) {
		mg_error_set(err, MG_EUSAGE, "--sql cannot rebuild table "
		    "'%s': a rebuild reads the table's definition from the "
		    "database", table);
		if (ex->shadow_broken != NULL)
			strbuf_addf(&err->detail, "replaying the script on an "
			    "empty in-memory database failed: %s",
			    ex->shadow_broken);
		return MG_EUSAGE;
	}
	/*
	 * With foreign keys on, dropping the old table would cascade. They
	 * are off for the run (fk_off), unless a revision of this run turned
	 * them on again: then refuse rather than lose rows.
	 */
	c.a = &fk;
	c.b = NULL;
	if ((rc = ex->d->query(ex->db, "PRAGMA foreign_keys", NULL, 0,
	    collect_cols, &c, err)) != 0)
		goto done;
	if (fk.n > 0 && strcmp(fk.v[0], "1") == 0) {
		rc = mg_error_set(err, MG_EDB, "cannot rebuild table '%s' with "
		    "foreign keys on: dropping the old table would cascade",
		    table);
		strbuf_addstr(&err->hint, "A revision earlier in this run "
		    "turned foreign keys on; run the rebuild in a run of its "
		    "own (migrate turns them off before its first "
		    "transaction).");
		goto done;
	}
	c.a = &create;
	if ((rc = ex->d->query(ex->db, "SELECT sql FROM sqlite_schema WHERE "
	    "type = 'table' AND name = ?1 COLLATE NOCASE", param, 1,
	    collect_cols, &c, err)) != 0)
		goto done;
	if (create.n == 0) {
		rc = mg_error_set(err, MG_EDB, "cannot rebuild table '%s': "
		    "there is no such table", table);
		goto done;
	}
	c.a = &idx;
	if ((rc = ex->d->query(ex->db, "SELECT sql FROM sqlite_schema WHERE "
	    "type = 'index' AND tbl_name = ?1 COLLATE NOCASE AND sql IS NOT "
	    "NULL ORDER BY name", param, 1, collect_cols, &c, err)) != 0)
		goto done;
	/*
	 * Every trigger and view is dropped and recreated around the
	 * rename, in creation order: SQLite checks the whole schema when it
	 * renames, so a trigger on another table that writes this one, or a
	 * view built on a view of it, would stop it (and the INSTEAD OF
	 * triggers of a dropped view go with it).
	 */
	c.a = &trg;
	if ((rc = ex->d->query(ex->db, "SELECT sql FROM sqlite_schema WHERE "
	    "type = 'trigger' AND sql IS NOT NULL ORDER BY rowid", NULL, 0,
	    collect_cols, &c, err)) != 0)
		goto done;
	c.a = &keepn;
	c.b = &keeps;
	if ((rc = ex->d->query(ex->db, "SELECT name, sql FROM sqlite_schema "
	    "WHERE type = 'view' AND sql IS NOT NULL ORDER BY rowid", NULL, 0,
	    collect_cols, &c, err)) != 0)
		goto done;
	memset(&t, 0, sizeof(t));
	t.name = table;
	t.create_sql = create.v[0];
	t.index_sql = (const char *const *)idx.v;
	t.nindex = idx.n;
	t.trigger_sql = (const char *const *)trg.v;
	t.ntrigger = trg.n;
	t.view_name = (const char *const *)keepn.v;
	t.view_sql = (const char *const *)keeps.v;
	t.nview = keepn.n;
	rc = new_sql ? ddl_sqlite_rebuild_to(&st, &t, new_sql, err) :
	    ddl_sqlite_rebuild(&st, &t, op, err);
	for (i = 0; rc == 0 && i < st.n; i++) {
		out_debug(ex->out, "  %s\n", st.v[i]);
		if ((rc = ex->d->exec(ex->db, st.v[i], NULL, err)) != 0)
			mg_error_prefix(err, "rebuild of table '%s'", table);
	}
	if (rc == 0)
		strlist_add(&ex->rebuilt, table);
done:
	ddl_stmts_free(&st);
	strlist_clear(&create);
	strlist_clear(&idx);
	strlist_clear(&trg);
	strlist_clear(&fk);
	strlist_clear(&keepn);
	strlist_clear(&keeps);
	return rc;
}

struct fk_check {
	const struct strlist	*tables;
	struct strbuf		*report;
	size_t			 n;
	int			 all;	/* every violation counts */
};

static int
keep_violation(void *payload, int ncols, char *const *vals)
{
	struct fk_check	*fc = payload;
	size_t		 i;
	int		 hit = fc->all;

	if (ncols < 3 || vals[0] == NULL || vals[2] == NULL)
		return 0;
	for (i = 0; i < fc->tables->n; i++)
		hit |= strcasecmp(vals[0], fc->tables->v[i]) == 0 ||
		    strcasecmp(vals[2], fc->tables->v[i]) == 0;
	if (hit && fc->n++ < 5)
		strbuf_addf(fc->report, "%srow %s of '%s' references a "
		    "missing row of '%s'", fc->n > 1 ? "; " : "",
		    vals[1] ? vals[1] : "?", vals[0], vals[2]);
	return 0;
}

/*
 * Commit the open transaction; after a table rebuild, only when no row of
 * (or pointing at) a rebuilt table breaks a foreign key (the check SQLite
 * would have made with foreign keys on).
 */
static int
commit_txn(struct exec *ex, struct mg_error *err)
{
	struct strbuf	report = STRBUF_INIT;
	struct fk_check	fc = { &ex->rebuilt, &report, 0, 0 };
	size_t		i;
	int		rc, all = 0;

	if (ex->rebuilt.n > 0) {
		/*
		 * A rebuilt table renamed since cannot be told by its name:
		 * then every table is checked.
		 */
		for (i = 0; i < ex->rebuilt.n && !all; i++) {
			struct strlist	found = { NULL, 0 };
			struct collect	c = { &found, NULL };
			const char	*param[1] = { ex->rebuilt.v[i] };

			if ((rc = ex->d->query(ex->db, "SELECT name FROM "
			    "sqlite_schema WHERE type = 'table' AND name = ?1 "
			    "COLLATE NOCASE", param, 1, collect_cols, &c,
			    err)) != 0)
				return rc;
			all = found.n == 0;
			strlist_clear(&found);
		}
		fc.all = all;
		rc = ex->d->query(ex->db, "PRAGMA foreign_key_check", NULL, 0,
		    keep_violation, &fc, err);
		if (rc == 0 && fc.n > 0) {
			rc = mg_error_set(err, MG_EDB, "foreign key violation "
			    "after rebuilding table '%s'%s", ex->rebuilt.v[0],
			    ex->rebuilt.n > 1 ? " (and others)" : "");
			strbuf_addf(&err->detail, "%zu violation%s: %s%s", fc.n,
			    fc.n == 1 ? "" : "s", report.buf,
			    fc.n > 5 ? "; ..." : "");
			strbuf_addstr(&err->hint, "The revision was rolled "
			    "back. Fix the rows first, or change the foreign "
			    "key.");
		}
		strbuf_release(&report);
		strlist_clear(&ex->rebuilt);
		if (rc != 0)
			return rc;
	}
	return ex->d->commit(ex->db, err);
}

/* Might this step rebuild a SQLite table? (A plugin may ask for one.) */
static int
may_rebuild(const struct exec *ex, const struct revision *rev,
    const struct stmt_list *list)
{
	size_t	k;

	if (strcmp(ex->d->name, "sqlite") != 0)
		return 0;
	if (rev->is_c)
		return 1;
	for (k = 0; k < list->n; k++)
		if (list->v[k].rebuild != NULL)
			return 1;
	return 0;
}

/*
 * Foreign keys off before a transaction that may rebuild a SQLite table:
 * PRAGMA foreign_keys cannot change inside a transaction, and with them
 * on, dropping the old table would cascade. Called before the run's first
 * transaction (for transaction = all) and again before each such
 * revision's own, since an earlier revision may have turned them on.
 * fk_restore() turns them back on if they were.
 */
static int
fk_off(struct exec *ex, struct mg_error *err)
{
	struct strlist	on = { NULL, 0 };
	struct collect	c = { &on, NULL };
	int		rc;

	/* The script cannot know the DBA's setting: it turns them off. */
	if (ex->offline) {
		rc = ex->fk_guard ? 0 : ex->d->exec(ex->db,
		    "PRAGMA foreign_keys = OFF", NULL, err);
		ex->fk_guard = 1;
		return rc;
	}
	if ((rc = ex->d->query(ex->db, "PRAGMA foreign_keys", NULL, 0,
	    collect_cols, &c, err)) == 0 && on.n > 0 &&
	    strcmp(on.v[0], "1") == 0) {
		ex->fk_was_on = 1;
		rc = ex->d->exec(ex->db, "PRAGMA foreign_keys = OFF", NULL,
		    err);
	}
	ex->fk_guard = 1;
	strlist_clear(&on);
	return rc;
}

static int
fk_off_for_plan(struct exec *ex, const struct graph *g, const struct plan *p,
    struct mg_error *err)
{
	const struct loaded	*l;
	size_t			 i;

	for (i = 0; i < p->n; i++) {
		l = ex->scripts[p->v[i].rev];
		if (may_rebuild(ex, g->nodes[p->v[i].rev].rev, p->v[i].up ?
		    &l->sc.up : &l->sc.down))
			return fk_off(ex, err);
	}
	return 0;
}

static void
fk_restore(struct exec *ex)
{
	struct mg_error	ignored = MG_ERROR_INIT;

	if (ex->fk_guard && ex->fk_was_on &&
	    ex->d->exec(ex->db, "PRAGMA foreign_keys = ON", NULL,
	    &ignored) != 0)
		out_info(ex->out, "warning: cannot turn foreign keys back on: "
		    "%s\n", ignored.msg.buf);
	ex->fk_guard = ex->fk_was_on = 0;
	strlist_clear(&ex->rebuilt);
	mg_error_clear(&ignored);
}

/*
 * Before one statement (of a file, or of a plugin): one that runs on its
 * own (nt) first has the attempt row say where the revision is, and the
 * part before it commits with that row, so a kill during the statement
 * leaves a row to resume from; any other statement runs in the revision's
 * transaction, opened if need be.
 */
static int
enter_stmt(struct exec *ex, const struct revision *rev, const char *dir,
    const struct loaded *l, size_t done, size_t total, int nt,
    int autocommit, struct attempt *a, int *in_txn, struct mg_error *err)
{
	int	rc;

	if (nt && (*in_txn || a->id < 0)) {
		if ((rc = save_progress(ex, rev, dir, l, done, total, a,
		    err)) != 0 || (*in_txn && (rc = commit_txn(ex, err)) != 0))
			return rc;
		*in_txn = 0;
	}
	if (!nt && !autocommit && !*in_txn) {
		if ((rc = ex->d->begin(ex->db, err)) != 0)
			return rc;
		*in_txn = 1;
	}
	return 0;
}

/*
 * Run the statements of one step, from the resume point; commit the parts
 * before and after each statement that needs autocommit. On return the
 * statements are done, inside the open transaction if *in_txn.
 */
static int
run_statements(struct exec *ex, const struct revision *rev,
    const struct loaded *l, const struct stmt_list *list, const char *dir,
    int autocommit, int retry, struct attempt *a, int *in_txn,
    struct mg_error *err)
{
	struct strbuf	stmt = STRBUF_INIT;
	size_t		i, first = a->done, cut_at, cut_len;
	long		errpos;
	int		rc = 0, nt, skip;

	for (i = first; i < list->n; i++) {
		strbuf_reset(&stmt);
		ex->d->rewrite(&stmt, list->v[i].sql, &cut_at, &cut_len);
		nt = !autocommit && ex->d->needs_no_transaction(stmt.buf);
		if ((rc = enter_stmt(ex, rev, dir, l, i, list->n, nt,
		    autocommit, a, in_txn, err)) != 0)
			goto fail;
		skip = 0;
		/*
		 * After a failed attempt, its last statement may have been
		 * cut off: a CONCURRENTLY build leaves its index. A fresh
		 * run checks nothing, so a mistake still fails loudly.
		 */
		if (i == first && retry != RETRY_NONE && nt &&
		    ex->d->before_resume &&
		    (rc = ex->d->before_resume(ex->db, stmt.buf,
		    retry == RETRY_CUT, &skip, err)) != 0)
			goto fail;
		if (list->v[i].rebuild != NULL)
			out_debug(ex->out, "  (rebuild %s from) %s\n",
			    list->v[i].rebuild, stmt.buf);
		else
			out_debug(ex->out, "  %s%s\n", skip ? "(done) " :
			    "", stmt.buf);
		if (list->v[i].rebuild != NULL) {
			if ((rc = rebuild_table(ex, list->v[i].rebuild,
			    stmt.buf, NULL, err)) != 0) {
				locate_error(err, rev, l, &list->v[i], -1, 0,
				    0);
				goto fail;
			}
		} else if (!skip && (rc = ex->d->exec(ex->db, stmt.buf,
		    &errpos, err)) != 0) {
			locate_error(err, rev, l, &list->v[i], errpos, cut_at,
			    cut_len);
			goto fail;
		}
		/* In autocommit every statement is durable on its own. */
		if ((nt || autocommit) && (rc = save_progress(ex, rev, dir,
		    l, i + 1, list->n, a, err)) != 0)
			goto fail;
	}
	strbuf_release(&stmt);
	return 0;
fail:
	/* In autocommit every statement before this one is applied. */
	if (autocommit && a->id < 0)
		a->done = i;
	strbuf_release(&stmt);
	return rc;
}

/*
 * A C plugin revision runs through the same per-statement path as a SQL
 * file: each mg_exec (and each statement a DDL operation renders) is
 * rewritten for the dialect, run outside the transaction when it must be,
 * and counted, so an interrupted plugin resumes after the statements a
 * previous attempt applied (plugins must be deterministic for that).
 */
struct plugin_call {
	struct exec		*ex;
	const struct revision	*rev;
	const struct loaded	*l;
	const char		*dir;
	int			 autocommit;
	int			*in_txn;
	struct attempt		*a;
	size_t			 n;	/* statements met so far */
	size_t			 skip;	/* applied by an earlier attempt */
};

static int
open_txn(struct plugin_call *pc, struct mg_error *err)
{
	return enter_stmt(pc->ex, pc->rev, pc->dir, pc->l, pc->n, 0, 0,
	    pc->autocommit, pc->a, pc->in_txn, err);
}

static int
host_exec(void *arg, const char *sql, struct mg_error *err)
{
	struct plugin_call	*pc = arg;
	struct exec		*ex = pc->ex;
	struct strbuf		 stmt = STRBUF_INIT;
	size_t			 cut_at, cut_len;
	long			 errpos;
	int			 rc = 0, nt;

	if (pc->n < pc->skip) {
		out_debug(ex->out, "  (done) %s\n", sql);
		pc->n++;
		return 0;
	}
	ex->d->rewrite(&stmt, sql, &cut_at, &cut_len);
	nt = !pc->autocommit && ex->d->needs_no_transaction(stmt.buf);
	if ((rc = enter_stmt(ex, pc->rev, pc->dir, pc->l, pc->n, 0, nt,
	    pc->autocommit, pc->a, pc->in_txn, err)) != 0)
		goto done;
	out_debug(ex->out, "  %s\n", stmt.buf);
	if ((rc = ex->d->exec(ex->db, stmt.buf, &errpos, err)) != 0) {
		strbuf_addf(&err->detail, "%sstatement %zu of the plugin: "
		    "%.200s%s", err->detail.len ? "; " : "", pc->n + 1,
		    stmt.buf, stmt.len > 200 ? "..." : "");
		goto done;
	}
	pc->n++;
	if (nt || pc->autocommit)
		rc = save_progress(ex, pc->rev, pc->dir, pc->l, pc->n, 0,
		    pc->a, err);
done:
	strbuf_release(&stmt);
	return rc;
}

static int
host_query(void *arg, const char *sql, int (*row)(void *, int,
    char *const *), void *payload, struct mg_error *err)
{
	struct plugin_call	*pc = arg;
	int			 rc;

	if ((rc = open_txn(pc, err)) != 0)
		return rc;
	out_debug(pc->ex->out, "  %s\n", sql);
	return pc->ex->d->query(pc->ex->db, sql, NULL, 0, row, payload, err);
}

/* The plugin API's operation as the dialect layer's. */
static void
to_ddl_op(struct ddl_op *d, const struct plugin_op *op,
    struct ddl_column *cols)
{
	static const enum ddl_kind kinds[] = {
		[PLUGIN_OP_CREATE_TABLE] = DDL_CREATE_TABLE,
		[PLUGIN_OP_DROP_TABLE] = DDL_DROP_TABLE,
		[PLUGIN_OP_RENAME_TABLE] = DDL_RENAME_TABLE,
		[PLUGIN_OP_ADD_COLUMN] = DDL_ADD_COLUMN,
		[PLUGIN_OP_DROP_COLUMN] = DDL_DROP_COLUMN,
		[PLUGIN_OP_ALTER_COLUMN] = DDL_ALTER_COLUMN,
		[PLUGIN_OP_CREATE_INDEX] = DDL_CREATE_INDEX,
		[PLUGIN_OP_DROP_INDEX] = DDL_DROP_INDEX,
		[PLUGIN_OP_ADD_FOREIGN_KEY] = DDL_ADD_FOREIGN_KEY,
		[PLUGIN_OP_ADD_UNIQUE] = DDL_ADD_UNIQUE,
		[PLUGIN_OP_ADD_CHECK] = DDL_ADD_CHECK,
		[PLUGIN_OP_DROP_CONSTRAINT] = DDL_DROP_CONSTRAINT,
	};
	int	i;

	memset(d, 0, sizeof(*d));
	d->kind = kinds[op->kind];
	d->table = op->table;
	d->nullable = DDL_NULLABLE_KEEP;
	for (i = 0; i < op->ncolumns; i++) {
		cols[i].name = op->columns[i].name;
		cols[i].type = op->columns[i].type;
		cols[i].not_null = (op->columns[i].flags & MG_NOT_NULL) != 0;
		cols[i].primary_key =
		    (op->columns[i].flags & MG_PRIMARY_KEY) != 0;
		cols[i].default_sql = op->columns[i].default_sql;
	}
	d->columns = cols;
	d->ncolumns = (size_t)op->ncolumns;
	switch (op->kind) {
	case PLUGIN_OP_RENAME_TABLE:
		d->name = op->new_name;
		break;
	case PLUGIN_OP_DROP_COLUMN:
		d->name = op->column;
		break;
	case PLUGIN_OP_ALTER_COLUMN:
		d->name = op->column;
		d->new_type = op->alter->type;
		d->nullable = op->alter->nullable == MG_KEEP ?
		    DDL_NULLABLE_KEEP : op->alter->nullable;
		d->new_default = op->alter->default_sql;
		d->drop_default = op->alter->drop_default;
		d->new_name = op->alter->rename;
		break;
	default:
		d->name = op->name;
		break;
	}
	d->cols = op->cols;
	d->unique = (op->flags & MG_UNIQUE) != 0;
	d->concurrently = (op->flags & MG_CONCURRENTLY) != 0;
	d->where = op->where;
	d->ref_table = op->ref_table;
	d->ref_cols = op->ref_cols;
	d->on_delete = op->on_delete;
	d->check_sql = op->expr;
}

static int
host_ddl(void *arg, const struct plugin_op *op, struct mg_error *err)
{
	struct plugin_call	*pc = arg;
	struct exec		*ex = pc->ex;
	enum ddl_dialect	 dia = strcmp(ex->d->name, "sqlite") == 0 ?
				    DDL_SQLITE : DDL_POSTGRESQL;
	struct ddl_column	*cols;
	struct ddl_op		 d;
	struct ddl_stmts	 st = { NULL, 0 };
	size_t			 i;
	int			 rc;

	cols = xcalloc((size_t)op->ncolumns + 1, sizeof(*cols));
	to_ddl_op(&d, op, cols);
	if (ddl_needs_rebuild(dia, &d)) {
		/* One step of the plugin, as one statement for resuming. */
		rc = 0;
		if (pc->n < pc->skip)
			pc->n++;
		else if ((rc = open_txn(pc, err)) == 0 &&
		    (rc = rebuild_table(ex, d.table, NULL, &d, err)) == 0)
			pc->n++;
	} else if ((rc = ddl_render(&st, dia, &d, err)) == 0)
		for (i = 0; rc == 0 && i < st.n; i++)
			rc = host_exec(pc, st.v[i], err);
	ddl_stmts_free(&st);
	free(cols);
	return rc;
}

static void
host_log(void *arg, const char *msg)
{
	struct plugin_call	*pc = arg;

	out_info(pc->ex->out, "  [plugin] %s\n", msg);
}

/*
 * A plugin that crashes takes migrate with it: its transaction was never
 * committed, so the database stays at the previous revision. Say which
 * plugin it was (async-signal-safe: write and re-raise only).
 */
static const char	*crash_path;

static void
on_crash(int sig)
{
	static const char	 a[] = "migrate: error: plugin ";
	static const char	 b[] = " crashed; its revision was not "
				    "committed\n";
	ssize_t			 w;

	if (crash_path != NULL) {
		w = write(2, a, sizeof(a) - 1);
		w = write(2, crash_path, strlen(crash_path));
		w = write(2, b, sizeof(b) - 1);
		(void)w;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_plugin(struct exec *ex, const struct revision *rev,
    const struct loaded *l, const char *dir, int up, int autocommit,
    struct attempt *a, int *in_txn, size_t *ran, struct mg_error *err)
{
	static const int	 sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGABRT };
	struct plugin_call	 pc;
	struct plugin_host	 host;
	struct sigaction	 sa, old[5];
	size_t			 i;
	int			 rc;

	memset(&pc, 0, sizeof(pc));
	pc.ex = ex;
	pc.rev = rev;
	pc.l = l;
	pc.dir = dir;
	pc.autocommit = autocommit;
	pc.in_txn = in_txn;
	pc.a = a;
	pc.skip = a->done;
	memset(&host, 0, sizeof(host));
	host.arg = &pc;
	host.dialect = ex->d->name;
	host.exec = host_exec;
	/* Offline there is no database to read: mg_query fails. */
	host.query = ex->offline && !ex->silent ? NULL : host_query;
	host.ddl = host_ddl;
	host.log = host_log;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	crash_path = rev->path;
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if ((rc = open_txn(&pc, err)) == 0)
		rc = plugin_run(l->plugin, up, &host, err);
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	crash_path = NULL;
	*ran = pc.n;
	/* In autocommit every statement before the failure is applied. */
	if (rc != 0 && autocommit && a->id < 0)
		a->done = pc.n;
	return rc;
}

int
exec_run(struct exec *ex, const struct graph *g, struct version_state *vs,
    const struct plan *p, struct mg_error *err)
{
	enum txn_mode		 mode = ex->cfg->transaction;
	struct strbuf		 sql = STRBUF_INIT, parents = STRBUF_INIT;
	struct vop_list		 ops = { NULL, 0 };
	struct attempt		 a;
	struct partials		 partials = { NULL, 0 };
	const struct revision	*rev;
	const struct stmt_list	*list;
	const char		*dir;
	struct loaded		*l;
	size_t			 i, j, total;
	long			 start, run_start = clock_ms();
	int			 rc = 0, in_txn = 0, autocommit, retry;

	if ((rc = load_partials(ex, &partials, err)) != 0)
		return rc;
	if ((rc = fk_off_for_plan(ex, g, p, err)) != 0)
		goto done;
	for (i = 0; i < p->n; i++) {
		rev = g->nodes[p->v[i].rev].rev;
		l = ex->scripts[p->v[i].rev];
		if (l == NULL)
			BUG("exec_run before exec_prepare");
		dir = p->v[i].up ? "up" : "down";
		list = p->v[i].up ? &l->sc.up : &l->sc.down;
		autocommit = mode == TXN_NONE || l->sc.transaction_off;
		parent_label(g, p->v[i].rev, &parents);
		if (p->v[i].up)
			out_info(ex->out, "Running upgrade %s -> %s, %s\n",
			    parents.buf, rev->id,
			    rev->message ? rev->message : "");
		else
			out_info(ex->out, "Running downgrade %s -> %s, %s\n",
			    rev->id, parents.buf,
			    rev->message ? rev->message : "");
		retry = find_partial(&partials, rev->id, dir, &a);
		if (a.id >= 0 && rev->is_c)
			out_info(ex->out, "  resuming after statement %zu "
			    "(the earlier ones were applied by an interrupted "
			    "run)\n", a.done);
		else if (a.id >= 0)
			out_info(ex->out, "  resuming at statement %zu of %zu "
			    "(the earlier ones were applied by an interrupted "
			    "run)\n", a.done + 1, list->n);
		/* "all" keeps one transaction, but a no-transaction file ends it. */
		if (in_txn && autocommit) {
			if ((rc = commit_txn(ex, err)) != 0)
				goto done;
			in_txn = 0;
		}
		if (!in_txn && may_rebuild(ex, rev, list) &&
		    (rc = fk_off(ex, err)) != 0)
			goto done;
		if (!in_txn && !autocommit) {
			if ((rc = ex->d->begin(ex->db, err)) != 0)
				goto done;
			in_txn = 1;
		}
		start = clock_ms();
		/* A plugin's statements are counted as they run. */
		total = list->n;
		if (rev->is_c)
			rc = run_plugin(ex, rev, l, dir, p->v[i].up,
			    autocommit, &a, &in_txn, &total, err);
		else
			rc = run_statements(ex, rev, l, list, dir, autocommit,
			    retry, &a, &in_txn, err);
		if (rc != 0) {
			rollback_quietly(ex, &in_txn);
			if (a.id < 0)
				record_failure(ex, rev, dir, l,
				    clock_ms() - start, a.done, total);
			else
				close_attempt(ex, &a, clock_ms() - start);
			/* After the server's hint, if it gave one. */
			if (err->hint.len > 0 && (a.done > 0 ||
			    (mode == TXN_ALL && i > 0)))
				strbuf_addch(&err->hint, ' ');
			if (a.done > 0) {
				strbuf_addf(&err->hint, "Revision '%s' is "
				    "partially applied (%zu ", rev->id, a.done);
				if (!rev->is_c)
					strbuf_addf(&err->hint, "of %zu ",
					    list->n);
				strbuf_addf(&err->hint, "statements); run the "
				    "command again to resume, or settle it by "
				    "hand and record it with 'migrate resolve %s "
				    "--applied' or '--rolled-back'.", rev->id);
			} else if (mode == TXN_ALL && i > 0)
				strbuf_addf(&err->hint, "transaction = all: "
				    "the %zu revisions applied before it in "
				    "this run were rolled back too.", i);
			goto done;
		}
		if (!in_txn && !autocommit) {
			if ((rc = ex->d->begin(ex->db, err)) != 0)
				goto done;
			in_txn = 1;
		}
		strbuf_reset(&sql);
		version_step(vs, p->v[i].rev, p->v[i].up, &ops);
		for (j = 0; j < ops.n; j++)
			add_vop_sql(&sql, ex, g, &ops.v[j]);
		if (a.id >= 0)
			strbuf_addf(&sql, "UPDATE %s SET statements_done = %zu, "
			    "statements_total = %zu, duration_ms = %ld, "
			    "checksum = '%s', success = TRUE WHERE id = %lld;\n",
			    ex->htable, total, total, clock_ms() - start,
			    l->checksum, a.id);
		else
			add_history_sql(&sql, ex, rev->id, dir, l->checksum,
			    ex->offline ? -1 : clock_ms() - start, total,
			    total, 1);
		if ((rc = run_sql(ex, sql.buf, err)) != 0) {
			mg_error_prefix(err, "cannot update version table "
			    "'%s'", ex->vtable);
			goto done;
		}
		if (in_txn && mode == TXN_PER_REVISION) {
			if ((rc = commit_txn(ex, err)) != 0) {
				if (err->file == NULL)
					err->file = xstrdup(rev->path);
				rollback_quietly(ex, &in_txn);
				record_failure(ex, rev, dir, l,
				    clock_ms() - start, 0, total);
				goto done;
			}
			in_txn = 0;
		}
	}
	if (in_txn) {
		if ((rc = commit_txn(ex, err)) != 0)
			goto done;
		in_txn = 0;
	}
	out_debug(ex->out, "%zu revisions in %ld ms\n", p->n,
	    clock_ms() - run_start);
done:
	rollback_quietly(ex, &in_txn);
	fk_restore(ex);
	partials_free(&partials);
	free(ops.v);
	strbuf_release(&sql);
	strbuf_release(&parents);
	return rc;
}

int
exec_partials(struct exec *ex, void (*fn)(void *, const char *rev,
    const char *dir, size_t done), void *payload, struct mg_error *err)
{
	struct partials	ps;
	size_t		i;
	int		rc;

	if ((rc = load_partials(ex, &ps, err)) == 0)
		for (i = 0; i < ps.n; i++)
			if (ps.v[i].a.done > 0)
				fn(payload, ps.v[i].rev, ps.v[i].dir,
				    ps.v[i].a.done);
	partials_free(&ps);
	return rc;
}

int
exec_resolve(struct exec *ex, const struct graph *g, struct version_state *vs,
    size_t rev, int applied, struct mg_error *err)
{
	struct partials		 ps = { NULL, 0 };
	struct strbuf		 sql = STRBUF_INIT;
	struct vop_list		 ops = { NULL, 0 };
	struct attempt		 a;
	const char		*id = g->nodes[rev].rev->id, *dir = "up";
	size_t			 j;
	int			 rc, up;

	if ((rc = load_partials(ex, &ps, err)) != 0)
		goto done;
	find_partial(&ps, id, "up", &a);
	if (a.id < 0) {
		find_partial(&ps, id, "down", &a);
		dir = "down";
	}
	if (a.id < 0) {
		rc = mg_error_set(err, MG_EUSAGE, "revision '%s' is not "
		    "partially applied", id);
		strbuf_addstr(&err->hint, "Only a revision whose last attempt "
		    "stopped between statements needs resolving; see "
		    "'migrate status'.");
		goto done;
	}
	up = strcmp(dir, "up") == 0;
	/* --applied finishes the step; --rolled-back undoes the attempt. */
	if (applied) {
		version_step(vs, rev, up, &ops);
		for (j = 0; j < ops.n; j++)
			add_vop_sql(&sql, ex, g, &ops.v[j]);
	}
	/* A newer row: the attempt is no longer the one to resume. */
	strbuf_addf(&sql, "INSERT INTO %s (revision, direction, checksum, "
	    "applied_at, applied_by, duration_ms, statements_done, "
	    "statements_total, success) SELECT revision, 'resolve', checksum, "
	    "%s, ", ex->htable, ex->d->now_sql);
	strbuf_addquoted(&sql, ex->applied_by);
	strbuf_addf(&sql, ", 0, %s, statements_total, TRUE FROM %s WHERE "
	    "id = %lld;\n", applied ? "statements_total" : "0", ex->htable,
	    a.id);
	if ((rc = ex->d->begin(ex->db, err)) == 0 &&
	    (rc = run_sql(ex, sql.buf, err)) == 0)
		rc = ex->d->commit(ex->db, err);
	if (rc != 0) {
		int in_txn = 1;

		rollback_quietly(ex, &in_txn);
	} else
		out_info(ex->out, "Resolved '%s' (%s) as %s.\n", id, dir,
		    applied ? "applied" : "rolled back");
done:
	partials_free(&ps);
	free(ops.v);
	strbuf_release(&sql);
	return rc;
}

int
exec_stamp(struct exec *ex, const struct graph *g, const struct idxlist *rows,
    struct mg_error *err)
{
	struct strbuf	sql = STRBUF_INIT;
	size_t		i;
	int		rc;

	strbuf_addf(&sql, "DELETE FROM %s;\n", ex->vtable);
	for (i = 0; i < rows->n; i++) {
		strbuf_addf(&sql, "INSERT INTO %s (version_num) VALUES (",
		    ex->vtable);
		strbuf_addquoted(&sql, g->nodes[rows->v[i]].rev->id);
		strbuf_addstr(&sql, ");\n");
		add_history_sql(&sql, ex, g->nodes[rows->v[i]].rev->id,
		    "stamp", NULL, 0, 0, 0, 1);
	}
	if (rows->n == 0)
		add_history_sql(&sql, ex, "base", "stamp", NULL, 0, 0, 0, 1);
	if ((rc = ex->d->begin(ex->db, err)) == 0 &&
	    (rc = run_sql(ex, sql.buf, err)) == 0)
		rc = ex->d->commit(ex->db, err);
	if (rc != 0) {
		struct mg_error rb = MG_ERROR_INIT;

		ex->d->rollback(ex->db, &rb);
		mg_error_clear(&rb);
	}
	strbuf_release(&sql);
	return rc;
}
