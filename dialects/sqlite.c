/*
 * SQLite backend. The migration lock is an exclusive flock(2) on a sidecar
 * file "<database>.lock": SQLite's own locks end with each transaction, and
 * a run spans many (DESIGN.md "Executor").
 */
#include <sys/file.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "dialect.h"
#include "error.h"
#include "snapshot.h"
#include "strbuf.h"
#include "url.h"
#include "xmalloc.h"

/*
 * A table's pragma lines depend only on its CREATE TABLE text and its
 * indexes' (tag-20261122-snapcache): migrate test takes three snapshots
 * per revision, so without this cache its cost would grow with the square
 * of the schema. Keyed by that text; the lines are kept joined by '\n'.
 */
struct snapcache {
	size_t		 hash;
	char		*key;		/* NULL: an empty slot */
	char		*lines;
};

/* Open addressing, a power of two slots, at most half full. */
struct snaptab {
	struct snapcache	*v;
	size_t			 n, cap;
};

struct db {
	sqlite3			*h;
	char			*path;
	int			 lock_fd;
	struct snaptab		 sc;		/* tables' pragma lines */
	struct snaptab		 oc;		/* sqlite_schema rows' lines */
};

static void	cache_free(struct snaptab *);

static int
db_error(struct db *db, struct mg_error *err, const char *what)
{
	mg_error_set(err, MG_EDB, "%s%s%s", what ? what : "",
	    what ? ": " : "", sqlite3_errmsg(db->h));
	return MG_EDB;
}

static int
sq_open(struct db **out, const struct dialect_opts *o, struct mg_error *err)
{
	struct strbuf	 path = STRBUF_INIT;
	struct db	*db;
	int		 rc;

	*out = NULL;
	if ((rc = url_sqlite_path(&path, o->url, o->base_dir, err)) != 0)
		return rc;
	db = xcalloc(1, sizeof(*db));
	db->lock_fd = -1;
	db->path = strbuf_detach(&path, NULL);
	if (sqlite3_open_v2(db->path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		mg_error_set(err, MG_EDB, "cannot open SQLite database '%s': "
		    "%s", db->path, db->h ? sqlite3_errmsg(db->h) :
		    "out of memory");
		sqlite3_close(db->h);
		free(db->path);
		free(db);
		return MG_EDB;
	}
	/*
	 * Readers (current, status) of a database being migrated wait for
	 * the writer's transaction instead of failing with SQLITE_BUSY.
	 */
	sqlite3_busy_timeout(db->h, o->lock_timeout_ms > 0 ?
	    (int)o->lock_timeout_ms : 10000);
	sqlite3_extended_result_codes(db->h, 1);
	*out = db;
	return 0;
}

static void
sq_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->lock_fd != -1)
		close(db->lock_fd);
	sqlite3_close(db->h);
	cache_free(&db->sc);
	cache_free(&db->oc);
	free(db->path);
	free(db);
}

static int
sq_exec(struct db *db, const char *sql, long *errpos, struct mg_error *err)
{
	sqlite3_stmt	*st = NULL;
	const char	*tail = sql, *cur = sql;
	int		 rc = SQLITE_OK, off;

	if (errpos)
		*errpos = -1;
	/* One call may hold several statements (version DDL does). */
	while (*tail) {
		cur = tail;
		rc = sqlite3_prepare_v2(db->h, tail, -1, &st, &tail);
		if (rc != SQLITE_OK)
			break;
		if (st == NULL)
			continue;	/* only blanks or comments */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE)
			break;
		sqlite3_finalize(st);
		st = NULL;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		off = sqlite3_error_offset(db->h);
		if (errpos && off >= 0)
			*errpos = (long)(cur - sql) + off;
		db_error(db, err, NULL);
		sqlite3_finalize(st);
		return MG_EDB;
	}
	return 0;
}

static int
sq_query(struct db *db, const char *sql, const char *const *params,
    int nparams, row_fn *fn, void *payload, struct mg_error *err)
{
	sqlite3_stmt	 *st;
	char		**vals = NULL;
	int		  rc, i, ncols, stop = 0;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, NULL);
	for (i = 0; i < nparams; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	ncols = sqlite3_column_count(st);
	vals = xcalloc((size_t)ncols + 1, sizeof(*vals));
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			vals[i] = (char *)sqlite3_column_text(st, i);
		stop = fn(payload, ncols, vals);
	}
	free(vals);
	if (!stop && rc != SQLITE_DONE) {
		db_error(db, err, NULL);
		sqlite3_finalize(st);
		return MG_EDB;
	}
	sqlite3_finalize(st);
	return 0;
}

static int
simple(struct db *db, const char *sql, struct mg_error *err)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, err, sql);
	return 0;
}

static int
sq_begin(struct db *db, struct mg_error *err)
{
	/*
	 * IMMEDIATE takes the write lock now: another writer can't slip in
	 * between our reads of the version table and our writes.
	 */
	return simple(db, "BEGIN IMMEDIATE", err);
}

static int
sq_commit(struct db *db, struct mg_error *err)
{
	return simple(db, "COMMIT", err);
}

static int
sq_rollback(struct db *db, struct mg_error *err)
{
	if (sqlite3_get_autocommit(db->h))
		return 0;	/* SQLite already rolled back (some errors do) */
	return simple(db, "ROLLBACK", err);
}

static int
sq_lock(struct db *db, const char *key, long timeout_ms,
    struct mg_error *err)
{
	char	*lpath, buf[32];
	long	 start = clock_ms();
	ssize_t	 n;
	int	 fd;

	(void)key;	/* one database file, one lock */
	if (strcmp(db->path, ":memory:") == 0)
		return 0;
	lpath = xasprintf("%s.lock", db->path);
	fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		mg_error_set(err, MG_EIO, "cannot open lock file '%s': %s",
		    lpath, strerror(errno));
		free(lpath);
		return MG_EIO;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			mg_error_set(err, MG_EIO, "cannot lock '%s': %s",
			    lpath, strerror(errno));
			goto fail;
		}
		if (clock_ms() - start >= timeout_ms) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			mg_error_set(err, MG_ELOCK, "migration lock '%s' not "
			    "acquired within %ld ms%s%s%s", lpath, timeout_ms,
			    *buf ? " (held by pid " : "", buf,
			    *buf ? ")" : "");
			strbuf_addstr(&err->hint, "Another migrate is running "
			    "against this database; raise lock_wait to wait "
			    "longer.");
			goto fail;
		}
		clock_sleep_ms(20);
	}
	/* Record the holder so that a waiter can name it. */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n)
		(void)0;	/* the pid is a courtesy; the lock is held */
	db->lock_fd = fd;
	free(lpath);
	return 0;
fail:
	close(fd);
	free(lpath);
	return err->code;
}

static int
sq_unlock(struct db *db, struct mg_error *err)
{
	(void)err;
	if (db->lock_fd != -1) {
		/* Truncate first: a pid left in the file would mislead. */
		if (ftruncate(db->lock_fd, 0) != 0)
			(void)0;
		close(db->lock_fd);
		db->lock_fd = -1;
	}
	return 0;
}

static int
sq_table_exists(struct db *db, const char *table, int *exists,
    struct mg_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, NULL);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*exists = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, err, NULL);
	return 0;
}

static void
sq_version_ddl(struct strbuf *sb, const char *vtable, const char *htable)
{
	strbuf_addf(sb, "CREATE TABLE IF NOT EXISTS %s (\n"
	    "    version_num VARCHAR(64) NOT NULL PRIMARY KEY\n);\n", vtable);
	strbuf_addf(sb, "CREATE TABLE IF NOT EXISTS %s (\n"
	    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	    "    revision VARCHAR(64) NOT NULL,\n"
	    "    direction VARCHAR(8) NOT NULL,\n"
	    "    checksum CHAR(64),\n"
	    "    applied_at TEXT NOT NULL,\n"
	    "    applied_by TEXT,\n"
	    "    duration_ms INTEGER,\n"
	    "    statements_done INTEGER,\n"
	    "    statements_total INTEGER,\n"
	    "    success BOOLEAN NOT NULL\n);\n", htable);
}

static int
sq_needs_no_transaction(const char *stmt)
{
	(void)stmt;	/* SQLite runs everything in a transaction */
	return 0;
}

/* Skip blanks and comments; return the next word's start. */
static const char *
next_word(const char *p, size_t *len)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		break;
	}
	*len = 0;
	while (isalnum((unsigned char)p[*len]) || p[*len] == '_')
		(*len)++;
	return p;
}

static int
word_is(const char *w, size_t len, const char *kw)
{
	return len == strlen(kw) && strncasecmp(w, kw, len) == 0;
}

/*
 * SQLite has no CREATE/DROP INDEX CONCURRENTLY: the word is dropped so
 * that one revision file serves both dialects (DESIGN.md).
 */
static void
sq_rewrite(struct strbuf *out, const char *stmt, size_t *cut_at,
    size_t *cut_len)
{
	const char	*w, *p = stmt;
	size_t		 len;

	*cut_at = *cut_len = 0;
	w = next_word(p, &len);
	if (word_is(w, len, "CREATE") || word_is(w, len, "DROP")) {
		w = next_word(w + len, &len);
		if (word_is(w, len, "UNIQUE"))
			w = next_word(w + len, &len);
		if (word_is(w, len, "INDEX")) {
			w = next_word(w + len, &len);
			if (word_is(w, len, "CONCURRENTLY")) {
				*cut_at = (size_t)(w - stmt);
				/* With one blank after it, not to leave two. */
				*cut_len = len + (w[len] == ' ');
			}
		}
	}
	strbuf_add(out, stmt, *cut_at ? *cut_at : strlen(stmt));
	if (*cut_len)
		strbuf_addstr(out, stmt + *cut_at + *cut_len);
}

/*
 * VACUUM INTO writes a consistent, compacted copy while we hold the
 * migration lock; the name carries the time so that backups accumulate.
 */
static int
sq_backup(struct db *db, struct strbuf *out, struct mg_error *err)
{
	struct strbuf	sql = STRBUF_INIT;
	char		stamp[32];
	time_t		now = time(NULL);
	int		rc;

	if (strcmp(db->path, ":memory:") == 0)
		return 0;
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", gmtime(&now));
	strbuf_addf(out, "%s.backup-%s", db->path, stamp);
	strbuf_addstr(&sql, "VACUUM INTO ");
	strbuf_addquoted(&sql, out->buf);
	rc = simple(db, sql.buf, err);
	strbuf_release(&sql);
	return rc;
}

/*
 * The snapshot (dialect.h, DESIGN.md "migrate test"): the normalized SQL of
 * every object of sqlite_schema (snapshot_sql), and per table what SQLite
 * makes of it: its columns, indexes and foreign keys from the pragmas.
 */
struct sq_snap {
	struct db	*db;
	struct snapshot	 lines;
	char		**tables;
	struct strbuf	 *keys;		/* per table: its text and indexes' */
	size_t		  ntables;
	char		**idxkeys;	/* "table\x01name\x01sql" per index */
	size_t		  nidxkeys;
	struct strbuf	  line, cols;
	const char	 *table;	/* the table of the pragma queries */
	char		**idx;		/* its indexes, 4 fields each */
	size_t		  nidx;
	long		  fk_id;	/* the foreign key being built, or -1 */
};

static const char *
val(char *const *vals, int i)
{
	return vals[i] ? vals[i] : "";
}

/* Each index joins its table's key (whatever order the rows came in). */
static void
snap_keys_finish(struct sq_snap *sn)
{
	const char	*k, *sep;
	size_t		 i, t, len;

	for (i = 0; i < sn->nidxkeys; i++) {
		k = sn->idxkeys[i];
		sep = strchr(k, '\x01');
		len = sep ? (size_t)(sep - k) : strlen(k);
		/* Its table is usually the last one seen. */
		for (t = sn->ntables; t > 0; t--)
			if (strlen(sn->tables[t - 1]) == len &&
			    strncasecmp(sn->tables[t - 1], k, len) == 0) {
				strbuf_addf(&sn->keys[t - 1], "\x01%s", k);
				break;
			}
	}
}

static const char *
cache_find(const struct snaptab *t, const char *key, size_t h)
{
	size_t	i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1); t->v[i].key != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->v[i].hash == h && strcmp(t->v[i].key, key) == 0)
			return t->v[i].lines;
	return NULL;
}

static void
cache_put(struct snaptab *t, struct snapcache e)
{
	size_t	i;

	for (i = e.hash & (t->cap - 1); t->v[i].key != NULL;
	    i = (i + 1) & (t->cap - 1))
		;
	t->v[i] = e;
	t->n++;
}

static void
cache_add(struct snaptab *t, const char *key, size_t h, char *lines)
{
	struct snaptab	old = *t;
	struct snapcache e = { h, xstrdup(key), lines };
	size_t		i;

	if (2 * (t->n + 1) > t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->v = xcalloc(t->cap, sizeof(*t->v));
		t->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i].key != NULL)
				cache_put(t, old.v[i]);
		free(old.v);
	}
	cache_put(t, e);
}

static void
cache_free(struct snaptab *t)
{
	size_t	i;

	for (i = 0; i < t->cap; i++) {
		free(t->v[i].key);
		free(t->v[i].lines);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* type, name, tbl_name, sql of sqlite_schema */
static void	snap_object_line(struct sq_snap *, char *const *);
static void	snap_object_table(struct sq_snap *, char *const *);

static int
snap_object(void *payload, int ncols, char *const *vals)
{
	struct sq_snap	*sn = payload;
	struct strbuf	*l = &sn->line;
	const char	*hit;
	char		*key;
	size_t		 h;

	if (ncols != 4 || vals[0] == NULL || vals[1] == NULL)
		return 0;
	/* The same row gives the same line: normalizing SQL is the cost. */
	strbuf_reset(l);
	strbuf_addf(l, "%s\x01%s\x01%s\x01%s", vals[0], vals[1], val(vals, 2),
	    val(vals, 3));
	h = strhash(l->buf);
	if ((hit = cache_find(&sn->db->oc, l->buf, h)) != NULL)
		snapshot_add_escaped(&sn->lines, hit);
	else {
		key = strbuf_detach(l, NULL);
		snap_object_line(sn, vals);
		cache_add(&sn->db->oc, key, h,
		    xstrdup(sn->lines.v[sn->lines.n - 1]));
		free(key);
	}
	snap_object_table(sn, vals);
	return 0;
}

static void
snap_object_line(struct sq_snap *sn, char *const *vals)
{
	struct strbuf	*l = &sn->line;

	strbuf_reset(l);
	strbuf_addf(l, "%s ", vals[0]);
	/* An index or trigger is named with its table, as in PostgreSQL. */
	if (strcmp(vals[0], "index") == 0 || strcmp(vals[0], "trigger") == 0) {
		snapshot_ident(l, val(vals, 2));
		strbuf_addch(l, ' ');
	}
	snapshot_ident(l, vals[1]);
	strbuf_addstr(l, ": ");
	snapshot_sql(l, val(vals, 3));
	snapshot_add(&sn->lines, l->buf);
}

static void
snap_object_table(struct sq_snap *sn, char *const *vals)
{
	/*
	 * A virtual table's pragmas need its module loaded; its statement
	 * says all there is.
	 */
	if (strcmp(vals[0], "table") == 0 &&
	    strncasecmp(val(vals, 3), "CREATE VIRTUAL ", 15) != 0) {
		sn->tables = xreallocarray(sn->tables, sn->ntables + 1,
		    sizeof(*sn->tables));
		sn->keys = xreallocarray(sn->keys, sn->ntables + 1,
		    sizeof(*sn->keys));
		strbuf_init(&sn->keys[sn->ntables], 0);
		strbuf_addf(&sn->keys[sn->ntables], "%s\x01%s", vals[1],
		    val(vals, 3));
		sn->tables[sn->ntables++] = xstrdup(vals[1]);
	} else if (strcmp(vals[0], "index") == 0) {
		sn->idxkeys = xreallocarray(sn->idxkeys, sn->nidxkeys + 1,
		    sizeof(*sn->idxkeys));
		sn->idxkeys[sn->nidxkeys++] = xasprintf("%s\x01%s\x01%s",
		    val(vals, 2), vals[1], val(vals, 3));
	}
}

/* cid, name, type, notnull, dflt_value, pk, hidden of pragma_table_xinfo */
static int
snap_column(void *payload, int ncols, char *const *vals)
{
	struct sq_snap	*sn = payload;
	struct strbuf	*l = &sn->line;

	if (ncols != 7 || vals[1] == NULL)
		return 0;
	strbuf_reset(l);
	strbuf_addstr(l, "column ");
	snapshot_ident(l, sn->table);
	strbuf_addch(l, '.');
	snapshot_ident(l, vals[1]);
	if (*val(vals, 2))
		strbuf_addf(l, " %s", vals[2]);
	if (strcmp(val(vals, 3), "0") != 0)
		strbuf_addstr(l, " NOT NULL");
	if (vals[4] != NULL)
		strbuf_addf(l, " DEFAULT %s", vals[4]);
	if (strcmp(val(vals, 5), "0") != 0)
		strbuf_addf(l, " PRIMARY KEY %s", vals[5]);
	switch (atoi(val(vals, 6))) {
	case 1: strbuf_addstr(l, " HIDDEN"); break;
	case 2: strbuf_addstr(l, " GENERATED VIRTUAL"); break;
	case 3: strbuf_addstr(l, " GENERATED STORED"); break;
	}
	snapshot_add(&sn->lines, l->buf);
	if (sn->cols.len > 0)
		strbuf_addstr(&sn->cols, ", ");
	snapshot_ident(&sn->cols, vals[1]);
	return 0;
}

/* name, unique, origin, partial of pragma_index_list: kept in sn->idx. */
static int
snap_index(void *payload, int ncols, char *const *vals)
{
	struct sq_snap	*sn = payload;
	int		 i;

	if (ncols != 4 || vals[0] == NULL)
		return 0;
	sn->idx = xreallocarray(sn->idx, sn->nidx + 4, sizeof(*sn->idx));
	for (i = 0; i < 4; i++)
		sn->idx[sn->nidx++] = xstrdup(val(vals, i));
	return 0;
}

/* cid, name, desc, coll of pragma_index_xinfo (key columns) */
static int
snap_index_key(void *payload, int ncols, char *const *vals)
{
	struct strbuf	*l = payload;

	if (ncols != 4)
		return 0;
	if (l->buf[l->len - 1] != '(')
		strbuf_addstr(l, ", ");
	if (vals[1] != NULL)
		snapshot_ident(l, vals[1]);
	else
		strbuf_addstr(l, strcmp(val(vals, 0), "-1") == 0 ? "rowid" :
		    "<expression>");
	strbuf_addstr(l, strcmp(val(vals, 2), "0") != 0 ? " DESC" : " ASC");
	if (vals[3] != NULL)
		strbuf_addf(l, " COLLATE %s", vals[3]);
	return 0;
}

static void
snap_fk_end(struct sq_snap *sn)
{
	if (sn->fk_id >= 0)
		snapshot_add(&sn->lines, sn->line.buf);
	sn->fk_id = -1;
}

/*
 * id, seq, table, from, to, on_update, on_delete, match of
 * pragma_foreign_key_list, by id and seq. The line leaves the id out:
 * it is a position, and one foreign key added would renumber the others.
 */
static int
snap_fk(void *payload, int ncols, char *const *vals)
{
	struct sq_snap	*sn = payload;
	struct strbuf	*l = &sn->line;
	long		 id;

	if (ncols != 8 || vals[0] == NULL)
		return 0;
	id = atol(vals[0]);
	if (id != sn->fk_id) {
		snap_fk_end(sn);
		sn->fk_id = id;
		strbuf_reset(l);
		strbuf_reset(&sn->cols);
		strbuf_addstr(l, "foreign key ");
		snapshot_ident(l, sn->table);
		strbuf_addstr(l, ": (");
	} else {
		/* Close the line to add one more pair of columns. */
		strbuf_setlen(l, strstr(l->buf, ") REFERENCES ") - l->buf);
		strbuf_addstr(l, ", ");
		strbuf_addstr(&sn->cols, ", ");
	}
	snapshot_ident(l, val(vals, 3));
	if (vals[4] != NULL)
		snapshot_ident(&sn->cols, vals[4]);
	strbuf_addstr(l, ") REFERENCES ");
	snapshot_ident(l, val(vals, 2));
	/* "to" is NULL when the parent's primary key is meant. */
	if (sn->cols.len > 0)
		strbuf_addf(l, " (%s)", sn->cols.buf);
	strbuf_addf(l, " ON UPDATE %s ON DELETE %s MATCH %s", val(vals, 5),
	    val(vals, 6), val(vals, 7));
	return 0;
}

static void
snap_index_clear(struct sq_snap *sn)
{
	size_t	i;

	for (i = 0; i < sn->nidx; i++)
		free(sn->idx[i]);
	free(sn->idx);
	sn->idx = NULL;
	sn->nidx = 0;
}

static int
snap_table(struct db *db, struct sq_snap *sn, const char *table,
    struct mg_error *err)
{
	struct strbuf	 *l = &sn->line;
	char		**f;
	size_t		  i;
	int		  rc;

	sn->table = table;
	strbuf_reset(&sn->cols);
	if ((rc = sq_query(db, "SELECT cid, name, type, \"notnull\", "
	    "dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid",
	    &table, 1, snap_column, sn, err)) != 0)
		return rc;
	strbuf_reset(l);
	strbuf_addstr(l, "table ");
	snapshot_ident(l, table);
	strbuf_addf(l, " columns: %s", sn->cols.buf);
	snapshot_add(&sn->lines, l->buf);

	if ((rc = sq_query(db, "SELECT name, \"unique\", origin, partial "
	    "FROM pragma_index_list(?1)", &table, 1, snap_index, sn,
	    err)) != 0)
		goto done;
	for (i = 0; i < sn->nidx; i += 4) {
		f = sn->idx + i;
		strbuf_reset(l);
		strbuf_addstr(l, "index ");
		snapshot_ident(l, table);
		strbuf_addch(l, ' ');
		snapshot_ident(l, f[0]);
		strbuf_addstr(l, " keys: (");
		if ((rc = sq_query(db, "SELECT cid, name, \"desc\", coll FROM "
		    "pragma_index_xinfo(?1) WHERE key ORDER BY seqno",
		    (const char *const *)&f[0], 1, snap_index_key, l,
		    err)) != 0)
			goto done;
		strbuf_addf(l, ")%s ORIGIN %s%s", strcmp(f[1], "0") != 0 ?
		    " UNIQUE" : "", f[2], strcmp(f[3], "0") != 0 ?
		    " PARTIAL" : "");
		snapshot_add(&sn->lines, l->buf);
	}

	sn->fk_id = -1;
	if ((rc = sq_query(db, "SELECT id, seq, \"table\", \"from\", \"to\", "
	    "on_update, on_delete, match FROM pragma_foreign_key_list(?1) "
	    "ORDER BY id, seq", &table, 1, snap_fk, sn, err)) != 0)
		goto done;
	snap_fk_end(sn);
done:
	snap_index_clear(sn);
	return rc;
}

/*
 * snap_table through the cache (tag-20261122-snapcache). The index rows
 * of sqlite_schema may come before their table's; a table whose key
 * changes is read again.
 */
static int
snap_table_cached(struct db *db, struct sq_snap *sn, size_t t,
    struct mg_error *err)
{
	struct strbuf	 joined = STRBUF_INIT;
	const char	*key = sn->keys[t].buf, *p, *nl, *hit;
	size_t		 h = strhash(key);
	size_t		 i, before = sn->lines.n;
	int		 rc;

	if ((hit = cache_find(&db->sc, key, h)) != NULL) {
		for (p = hit; *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			strbuf_reset(&joined);
			strbuf_add(&joined, p, nl ? (size_t)(nl - p) :
			    strlen(p));
			snapshot_add_escaped(&sn->lines, joined.buf);
		}
		strbuf_release(&joined);
		return 0;
	}
	if ((rc = snap_table(db, sn, sn->tables[t], err)) != 0)
		return rc;
	for (i = before; i < sn->lines.n; i++)
		strbuf_addf(&joined, "%s%s", i > before ? "\n" : "",
		    sn->lines.v[i]);
	cache_add(&db->sc, key, h, strbuf_detach(&joined, NULL));
	return 0;
}

/* The table name of a version table setting: "main.x", "x" or "\"x\"". */
static char *
bare_table(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 len;

	if (dot != NULL)
		name = dot + 1;
	len = strlen(name);
	if (len >= 2 && name[0] == '"' && name[len - 1] == '"')
		return xstrndup(name + 1, len - 2);
	return xstrdup(name);
}

static int
sq_snapshot(struct db *db, const char *vtable, const char *htable,
    struct strbuf *out, struct mg_error *err)
{
	struct sq_snap	 sn;
	struct mg_error	 ignored = MG_ERROR_INIT;
	const char	*params[2];
	char		*v = bare_table(vtable), *h = bare_table(htable);
	size_t		 i;
	int		 rc, own;

	memset(&sn, 0, sizeof(sn));
	sn.db = db;
	strbuf_init(&sn.line, 0);
	strbuf_init(&sn.cols, 0);
	/* One read transaction: the pragmas see the schema the list saw. */
	if ((own = sqlite3_get_autocommit(db->h)) != 0 &&
	    (rc = simple(db, "BEGIN", err)) != 0)
		goto done;
	params[0] = v;
	params[1] = h;
	/*
	 * sqlite_% are SQLite's own: sqlite_sequence, sqlite_stat*, and the
	 * automatic indexes (which pragma_index_list shows with their table).
	 */
	if ((rc = sq_query(db, "SELECT type, name, tbl_name, sql FROM "
	    "sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND "
	    "lower(name) NOT IN (lower(?1), lower(?2)) AND lower(tbl_name) "
	    "NOT IN (lower(?1), lower(?2))", params, 2, snap_object, &sn,
	    err)) != 0)
		goto done;
	snap_keys_finish(&sn);
	for (i = 0; i < sn.ntables; i++)
		if ((rc = snap_table_cached(db, &sn, i, err)) != 0)
			goto done;
done:
	if (own && !sqlite3_get_autocommit(db->h)) {
		if (rc == 0)
			rc = simple(db, "COMMIT", err);
		else {
			simple(db, "ROLLBACK", &ignored);
			mg_error_clear(&ignored);
		}
	}
	if (rc == 0)
		snapshot_finish(&sn.lines, out);
	else
		mg_error_prefix(err, "cannot read the schema");
	for (i = 0; i < sn.ntables; i++) {
		free(sn.tables[i]);
		strbuf_release(&sn.keys[i]);
	}
	free(sn.tables);
	free(sn.keys);
	for (i = 0; i < sn.nidxkeys; i++)
		free(sn.idxkeys[i]);
	free(sn.idxkeys);
	snapshot_clear(&sn.lines);
	strbuf_release(&sn.line);
	strbuf_release(&sn.cols);
	free(v);
	free(h);
	return rc;
}

const struct dialect dialect_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.lock = sq_lock,
	.unlock = sq_unlock,
	.table_exists = sq_table_exists,
	.version_ddl = sq_version_ddl,
	.needs_no_transaction = sq_needs_no_transaction,
	.rewrite = sq_rewrite,
	.now_sql = "strftime('%Y-%m-%d %H:%M:%f', 'now')",
	.backup = sq_backup,
	.snapshot = sq_snapshot,
};
