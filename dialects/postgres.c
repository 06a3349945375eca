/*
 * PostgreSQL backend (libpq).
 *
 * The migration lock is a session-level advisory lock, so that it survives
 * the commits between revisions and the statements that run outside a
 * transaction block (DESIGN.md "Executor"). Its key is derived from the
 * lock key string (the version table name as configured) by key_of():
 * FNV-1a 64 over the string's bytes (offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3), the 64 bits read as a two's complement bigint.
 * It depends on nothing but those bytes, so every process on every machine
 * computes the same key for the same table name, and a script can too.
 * Note that "migrate_version" and "public.migrate_version" are different
 * strings and so different locks: configure the name the same way
 * everywhere.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpq-fe.h>

#include "clock.h"
#include "dialect.h"
#include "dynlib.h"
#include "error.h"
#include "snapshot.h"
#include "strbuf.h"
#include "xmalloc.h"

#ifndef LIBPQ_SONAME
#define LIBPQ_SONAME "libpq.so.5"
#endif

/*
 * libpq is loaded on first use with dlopen, not linked: it brings libssl,
 * GSSAPI and LDAP into every process start (about 6 ms here), which SQLite
 * users and `migrate heads` would pay for nothing. The calls go through
 * this table, filled from the library on the first open().
 */
#define PQ_FUNCS(X) \
	X(PQclear) \
	X(PQclientEncoding) \
	X(PQcmdStatus) \
	X(PQconnectdbParams) \
	X(PQerrorMessage) \
	X(PQfinish) \
	X(PQfreemem) \
	X(PQgetCopyData) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQmblen) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQputCopyEnd) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQuery) \
	X(PQsendQueryParams) \
	X(PQserverVersion) \
	X(PQstatus) \
	X(PQtransactionStatus)

static struct {
#define X(f) __typeof__(&f) f;
	PQ_FUNCS(X)
#undef X
} pq;

static void	*pq_handle;

static int
pq_load(struct mg_error *err)
{
	static const char *const names[] = {
#define X(f) #f,
		PQ_FUNCS(X)
#undef X
		NULL
	};
	void **const slots[] = {
#define X(f) (void **)&pq.f,
		PQ_FUNCS(X)
#undef X
	};

	return dynlib_load(&pq_handle, LIBPQ_SONAME, names, slots,
	    "Install the PostgreSQL client library (Debian: libpq5).", err);
}

/* Oldest server supported: identity columns and to_regclass(text). */
#define PG_MIN_VERSION	100000
/* Pause between two pg_try_advisory_lock() attempts. */
#define LOCK_POLL_MS	50
/* Added to an error once the session is gone. */
#define LOST_HINT	"The connection to the server was lost; an open " \
	"transaction was rolled back. Run 'migrate current' to see what " \
	"was applied."

struct db {
	PGconn	*conn;
	int	 locked;
	char	 key[24];	/* the advisory key held, in decimal */
};

/*
 * Set msg from libpq's text. It may go on over indented lines ("\tIs the
 * server running locally and accepting connections on that socket?"):
 * the first line is the message and the others, joined, the hint, so that
 * the error stays one line followed by hint: (STYLE.md 9).
 */
static void
set_libpq_message(struct mg_error *err, int code, const char *text)
{
	size_t	n;

	if (text == NULL || *text == '\0')
		text = "unknown libpq error";
	n = strcspn(text, "\n");
	mg_error_set(err, code, "%.*s", (int)n, text);
	strbuf_rtrim(&err->msg);
	for (text += n; *text != '\0'; text += n) {
		text += strspn(text, " \t\r\n");
		if ((n = strcspn(text, "\n")) == 0)
			continue;
		if (err->hint.len > 0)
			strbuf_addch(&err->hint, ' ');
		strbuf_add(&err->hint, text, n);
		strbuf_rtrim(&err->hint);
	}
}

/*
 * Convert the server's 1-based character position into a 0-based byte
 * offset into sql. The server counts characters of the statement as it
 * received it, so walk sql in the connection's client encoding
 * (tag-20261122-offsets: exec.c maps the offset to FILE:LINE:COL).
 */
static long
byte_offset(const PGconn *conn, const char *sql, const char *pos)
{
	long	 chars, off = 0, len;
	int	 enc = pq.PQclientEncoding(conn), n;
	char	*end;

	errno = 0;
	chars = strtol(pos, &end, 10);
	if (errno != 0 || end == pos || chars < 1)
		return -1;
	len = (long)strlen(sql);
	while (--chars > 0 && off < len) {
		n = pq.PQmblen(sql + off, enc);
		off += n > 0 ? n : 1;
	}
	return off < len ? off : len;
}

/* Is the connection gone? Then say so in err (the message is libpq's). */
static int
conn_lost(struct db *db, struct mg_error *err)
{
	if (pq.PQstatus(db->conn) != CONNECTION_BAD)
		return 0;
	if (err->code == 0)
		set_libpq_message(err, MG_EDB, pq.PQerrorMessage(db->conn));
	/* After libpq's own hint, if any; once. */
	if (strstr(err->hint.buf, LOST_HINT) == NULL) {
		if (err->hint.len > 0)
			strbuf_addch(&err->hint, ' ');
		strbuf_addstr(&err->hint, LOST_HINT);
	}
	return 1;
}

/*
 * Fill err from a failed result: the server's primary message, detail,
 * hint and SQLSTATE, and the error position when sql is given.
 */
static int
result_error(struct db *db, const PGresult *res, const char *sql,
    long *errpos, struct mg_error *err)
{
	const char	*f, *m;

	f = res ? pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (f != NULL) {
		mg_error_set(err, MG_EDB, "%s", f);
		strbuf_rtrim(&err->msg);
	} else {
		/* An error made by libpq itself (connection lost, OOM). */
		m = res ? pq.PQresultErrorMessage(res) : "";
		set_libpq_message(err, MG_EDB, *m ? m :
		    pq.PQerrorMessage(db->conn));
	}
	if (res != NULL) {
		if ((f = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL)
			snprintf(err->sqlstate, sizeof(err->sqlstate), "%s",
			    f);
		if ((f = pq.PQresultErrorField(res,
		    PG_DIAG_MESSAGE_DETAIL)) != NULL)
			strbuf_addstr(&err->detail, f);
		if ((f = pq.PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) != NULL)
			strbuf_addstr(&err->hint, f);
		if (sql != NULL && errpos != NULL &&
		    (f = pq.PQresultErrorField(res,
		    PG_DIAG_STATEMENT_POSITION)) != NULL)
			*errpos = byte_offset(db->conn, sql, f);
	}
	conn_lost(db, err);
	return MG_EDB;
}

/*
 * Send sql (with params, or as a simple query that may hold several
 * statements) and wait for the end. Of the results, keep the first error:
 * it carries the server's fields, while a lost connection adds a second
 * one made by libpq. A revision may hold COPY ... TO STDOUT or FROM STDIN,
 * which would leave the connection in COPY mode: the output is discarded
 * and the input refused. NULL when nothing could be sent.
 */
static PGresult *
run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult	*res, *keep = NULL;
	char		*buf;
	int		 sent;

	if (nparams > 0)
		sent = pq.PQsendQueryParams(db->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0);
	else
		sent = pq.PQsendQuery(db->conn, sql);
	if (!sent)
		return NULL;
	while ((res = pq.PQgetResult(db->conn)) != NULL) {
		switch (pq.PQresultStatus(res)) {
		case PGRES_COPY_OUT:
			while (pq.PQgetCopyData(db->conn, &buf, 0) > 0)
				pq.PQfreemem(buf);
			break;
		case PGRES_COPY_IN:
		case PGRES_COPY_BOTH:
			pq.PQputCopyEnd(db->conn, "migrate does not supply data "
			    "to COPY FROM STDIN");
			break;
		default:
			break;
		}
		if (keep == NULL || (pq.PQresultStatus(res) == PGRES_FATAL_ERROR &&
		    pq.PQresultStatus(keep) != PGRES_FATAL_ERROR)) {
			pq.PQclear(keep);
			keep = res;
		} else
			pq.PQclear(res);
		/* A broken COPY could hand back the same state forever. */
		if (pq.PQstatus(db->conn) == CONNECTION_BAD)
			break;
	}
	return keep;
}

static int
result_ok(const PGresult *res)
{
	ExecStatusType	st = pq.PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
	    st == PGRES_EMPTY_QUERY || st == PGRES_COPY_OUT;
}

static int
pg_exec(struct db *db, const char *sql, long *errpos, struct mg_error *err)
{
	PGresult	*res;
	int		 rc = 0;

	if (errpos)
		*errpos = -1;
	if (conn_lost(db, err))
		return MG_EDB;
	res = run(db, sql, 0, NULL);
	if (res == NULL || !result_ok(res))
		rc = result_error(db, res, sql, errpos, err);
	pq.PQclear(res);
	return rc;
}

static int
pg_query(struct db *db, const char *sql, const char *const *params,
    int nparams, row_fn *fn, void *payload, struct mg_error *err)
{
	PGresult	 *res;
	char		**vals;
	int		  i, r, nrows, ncols;

	if (conn_lost(db, err))
		return MG_EDB;
	res = run(db, sql, nparams, params);
	if (res == NULL || pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (res != NULL && pq.PQresultStatus(res) == PGRES_COMMAND_OK) {
			pq.PQclear(res);	/* no rows to give */
			return 0;
		}
		result_error(db, res, NULL, NULL, err);
		pq.PQclear(res);
		return MG_EDB;
	}
	nrows = pq.PQntuples(res);
	ncols = pq.PQnfields(res);
	vals = xcalloc((size_t)ncols + 1, sizeof(*vals));
	for (r = 0; r < nrows; r++) {
		for (i = 0; i < ncols; i++)
			vals[i] = pq.PQgetisnull(res, r, i) ? NULL :
			    pq.PQgetvalue(res, r, i);
		if (fn(payload, ncols, vals) != 0)
			break;
	}
	free(vals);
	pq.PQclear(res);
	return 0;
}

/*
 * Run a query expected to return one value; copy it to out (empty for no
 * row or NULL).
 */
static int
query_values(struct db *db, const char *sql, const char *const *params,
    int nparams, struct strbuf *out, struct mg_error *err)
{
	PGresult	*res;

	if (conn_lost(db, err))
		return MG_EDB;
	res = run(db, sql, nparams, params);
	if (res == NULL || pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		result_error(db, res, NULL, NULL, err);
		pq.PQclear(res);
		return MG_EDB;
	}
	strbuf_reset(out);
	if (pq.PQntuples(res) > 0 && pq.PQnfields(res) > 0 &&
	    !pq.PQgetisnull(res, 0, 0))
		strbuf_addstr(out, pq.PQgetvalue(res, 0, 0));
	pq.PQclear(res);
	return 0;
}

static int
query_value(struct db *db, const char *sql, const char *param,
    struct strbuf *out, struct mg_error *err)
{
	return query_values(db, sql, &param, param ? 1 : 0, out, err);
}

static int
pg_open(struct db **out, const struct dialect_opts *o, struct mg_error *err)
{
	/*
	 * The URL goes to libpq as-is: with expand_dbname, "dbname" may be a
	 * postgresql:// URI or a key=value string, and PG* variables fill
	 * in what it leaves out. Keywords before it are defaults the URL
	 * may override: revision files are UTF-8 (error positions count
	 * characters in the client encoding).
	 */
	static const char *const keys[] = {
		"client_encoding", "dbname", "fallback_application_name", NULL
	};
	const char	*vals[4];
	struct strbuf	 set = STRBUF_INIT;
	struct db	*db;
	int		 ver, rc;

	*out = NULL;
	if ((rc = pq_load(err)) != 0)
		return rc;
	vals[0] = "UTF8";
	vals[1] = o->url;
	vals[2] = "migrate";
	vals[3] = NULL;
	db = xcalloc(1, sizeof(*db));
	db->conn = pq.PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL) {
		free(db);
		return mg_error_set(err, MG_EDB, "cannot connect: out of "
		    "memory");
	}
	/* libpq's message names host and user, never the password. */
	if (pq.PQstatus(db->conn) != CONNECTION_OK) {
		set_libpq_message(err, MG_EDB, pq.PQerrorMessage(db->conn));
		rc = MG_EDB;
		goto fail;
	}
	if ((ver = pq.PQserverVersion(db->conn)) < PG_MIN_VERSION) {
		rc = mg_error_set(err, MG_EDB, "PostgreSQL %d.%d is not "
		    "supported", ver / 10000, ver / 100 % 100);
		strbuf_addstr(&err->hint, "migrate needs PostgreSQL 10 or "
		    "later.");
		goto fail;
	}
	/*
	 * Quiet NOTICEs ("relation ... already exists, skipping"), and
	 * bound how long a migration statement queues behind other locks.
	 */
	strbuf_addstr(&set, "SET client_min_messages = warning;");
	if (o->lock_timeout_ms > 0)
		strbuf_addf(&set, " SET lock_timeout = '%ldms';",
		    o->lock_timeout_ms);
	if (o->statement_timeout_ms > 0)
		strbuf_addf(&set, " SET statement_timeout = '%ldms';",
		    o->statement_timeout_ms);
	if ((rc = pg_exec(db, set.buf, NULL, err)) != 0) {
		mg_error_prefix(err, "cannot set up the session");
		goto fail;
	}
	strbuf_release(&set);
	*out = db;
	return 0;
fail:
	strbuf_release(&set);
	pq.PQfinish(db->conn);
	free(db);
	return rc;
}

static int
simple(struct db *db, const char *sql, struct mg_error *err)
{
	return pg_exec(db, sql, NULL, err);
}

static int
pg_begin(struct db *db, struct mg_error *err)
{
	return simple(db, "BEGIN", err);
}

static int
pg_commit(struct db *db, struct mg_error *err)
{
	PGresult	*res;
	int		 rc = 0;

	if (conn_lost(db, err))
		return MG_EDB;
	res = run(db, "COMMIT", 0, NULL);
	if (res == NULL || !result_ok(res))
		rc = result_error(db, res, NULL, NULL, err);
	else if (strcmp(pq.PQcmdStatus(res), "ROLLBACK") == 0) {
		/* COMMIT of a failed transaction rolls it back, silently. */
		rc = mg_error_set(err, MG_EDB, "transaction rolled back "
		    "instead of committed");
		strbuf_addstr(&err->hint, "A statement in it failed "
		    "earlier.");
	}
	pq.PQclear(res);
	return rc;
}

static int
pg_rollback(struct db *db, struct mg_error *err)
{
	switch (pq.PQtransactionStatus(db->conn)) {
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return simple(db, "ROLLBACK", err);
	default:
		/*
		 * Idle: nothing to roll back. Unknown: the connection is
		 * gone and the server rolled back on its own.
		 */
		return 0;
	}
}

/* FNV-1a 64 of key, as a signed bigint in decimal (see the top). */
static void
key_of(char *buf, size_t size, const char *key)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	int64_t		k;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= UINT64_C(0x100000001b3);
	}
	/* Two's complement without implementation-defined conversion. */
	k = h <= INT64_MAX ? (int64_t)h : -(int64_t)(~h) - 1;
	snprintf(buf, size, "%" PRId64, k);
}

static int
pg_lock(struct db *db, const char *key, long timeout_ms,
    struct mg_error *err)
{
	struct strbuf	 got = STRBUF_INIT, pid = STRBUF_INIT;
	char		 k[24];
	long		 start = clock_ms(), left;
	int		 rc;

	key_of(k, sizeof(k), key);
	if (db->locked && strcmp(db->key, k) == 0)
		return 0;
	/*
	 * A polled try-lock, not pg_advisory_lock() under lock_timeout:
	 * the wait stays bounded by lock_wait alone, and a waiter never
	 * sits in the server's lock queue.
	 */
	for (;;) {
		if ((rc = query_value(db, "SELECT pg_try_advisory_lock("
		    "$1::bigint)", k, &got, err)) != 0)
			goto done;
		if (strcmp(got.buf, "t") == 0)
			break;
		left = timeout_ms - (clock_ms() - start);
		if (left <= 0) {
			/*
			 * A bigint key is split into classid (high 32 bits)
			 * and objid (low 32 bits), with objsubid 1.
			 */
			if (query_value(db, "SELECT pid FROM pg_locks "
			    "WHERE locktype = 'advisory' AND granted AND "
			    "objsubid = 1 AND database = (SELECT oid FROM "
			    "pg_database WHERE datname = current_database()) "
			    "AND ((classid::bigint << 32) | objid::bigint) = "
			    "$1::bigint LIMIT 1", k, &pid, err) != 0) {
				mg_error_clear(err);
				strbuf_reset(&pid);
			}
			rc = mg_error_set(err, MG_ELOCK, "migration lock not "
			    "acquired within %ld ms%s%s%s", timeout_ms > 0 ?
			    timeout_ms : 0, pid.len ? " (held by pid " : "",
			    pid.buf, pid.len ? ")" : "");
			strbuf_addf(&err->hint, "Another migrate is running "
			    "against this database (advisory lock %s); raise "
			    "lock_wait to wait longer.", k);
			goto done;
		}
		clock_sleep_ms(left < LOCK_POLL_MS ? left : LOCK_POLL_MS);
	}
	db->locked = 1;
	memcpy(db->key, k, sizeof(db->key));
done:
	strbuf_release(&got);
	strbuf_release(&pid);
	return rc;
}

static int
pg_unlock(struct db *db, struct mg_error *err)
{
	struct strbuf	got = STRBUF_INIT;
	int		rc = 0;

	if (!db->locked)
		return 0;
	db->locked = 0;
	/* A lost session took its locks with it. */
	if (pq.PQstatus(db->conn) != CONNECTION_OK)
		return 0;
	rc = query_value(db, "SELECT pg_advisory_unlock($1::bigint)", db->key,
	    &got, err);
	strbuf_release(&got);
	return rc;
}

static void
pg_close(struct db *db)
{
	struct mg_error	ignored = MG_ERROR_INIT;

	if (db == NULL)
		return;
	/*
	 * Ending the session releases the lock too, but only once the
	 * server notices; unlocking first lets a waiter in at once.
	 */
	if (db->locked && pq.PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		pg_unlock(db, &ignored);
	mg_error_clear(&ignored);
	pq.PQfinish(db->conn);
	free(db);
}

static int
pg_table_exists(struct db *db, const char *table, int *exists,
    struct mg_error *err)
{
	struct strbuf	got = STRBUF_INIT;
	int		rc;

	*exists = 0;
	/* to_regclass() follows search_path and takes "schema.table". */
	if ((rc = query_value(db, "SELECT to_regclass($1) IS NOT NULL", table,
	    &got, err)) == 0)
		*exists = strcmp(got.buf, "t") == 0;
	strbuf_release(&got);
	return rc;
}

/* Length of the schema part of a qualified name ("s"."t"), or 0. */
static size_t
schema_len(const char *name)
{
	const char	*p;
	int		 quoted = 0;

	for (p = name; *p; p++) {
		if (*p == '"')
			quoted = !quoted;	/* "" inside stays balanced */
		else if (*p == '.' && !quoted)
			return (size_t)(p - name);
	}
	return 0;
}

static void
pg_version_ddl(struct strbuf *sb, const char *vtable, const char *htable)
{
	struct strbuf	schema = STRBUF_INIT;
	size_t		n;

	/*
	 * Not CREATE SCHEMA IF NOT EXISTS: it needs the CREATE privilege
	 * on the database even when the schema exists, which an
	 * application role given its own schema often lacks.
	 */
	if ((n = schema_len(vtable)) > 0) {
		strbuf_add(&schema, vtable, n);
		strbuf_addstr(sb, "DO $migrate$ BEGIN\n"
		    "    IF to_regnamespace(");
		strbuf_addquoted(sb, schema.buf);
		strbuf_addf(sb, ") IS NULL THEN\n"
		    "        CREATE SCHEMA %s;\n"
		    "    END IF;\n"
		    "END $migrate$;\n", schema.buf);
	}
	strbuf_addf(sb, "CREATE TABLE IF NOT EXISTS %s (\n"
	    "    version_num varchar(64) NOT NULL PRIMARY KEY\n);\n", vtable);
	strbuf_addf(sb, "CREATE TABLE IF NOT EXISTS %s (\n"
	    "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	    "    revision varchar(64) NOT NULL,\n"
	    "    direction varchar(8) NOT NULL,\n"
	    "    checksum char(64),\n"
	    "    applied_at timestamptz NOT NULL,\n"
	    "    applied_by text,\n"
	    "    duration_ms bigint,\n"
	    "    statements_done integer,\n"
	    "    statements_total integer,\n"
	    "    success boolean NOT NULL\n);\n", htable);
	strbuf_release(&schema);
}

/*
 * A token of a statement's leading words: a keyword or identifier (len >
 * 0), a quoted identifier (quoted, never equal to a keyword), or one
 * punctuation character (len 0; '\0' at the end).
 */
struct tok {
	const char	*s;
	size_t		 len;
	int		 quoted;
};

static const char *
skip_blanks(const char *p)
{
	int	depth;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			/* PostgreSQL's block comments nest. */
			depth = 1;
			p += 2;
			while (*p && depth > 0) {
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else
					p++;
			}
			continue;
		}
		return p;
	}
}

/* Read the token at p into t; return where the next one starts. */
static const char *
next_tok(const char *p, struct tok *t)
{
	p = skip_blanks(p);
	t->s = p;
	t->len = 0;
	t->quoted = 0;
	if (*p == '"') {
		t->quoted = 1;
		for (p++; *p; p++)
			if (*p == '"' && *++p != '"')
				break;
		return p;
	}
	/* Bytes >= 0x80 may start an identifier (UTF-8 letters). */
	while (isalnum((unsigned char)p[t->len]) || p[t->len] == '_' ||
	    p[t->len] == '$' || (unsigned char)p[t->len] >= 0x80)
		t->len++;
	if (t->len > 0)
		return p + t->len;
	return *p ? p + 1 : p;
}

static int
tok_is(const struct tok *t, const char *kw)
{
	return !t->quoted && t->len == strlen(kw) &&
	    strncasecmp(t->s, kw, t->len) == 0;
}

static int
tok_end(const struct tok *t)
{
	return !t->quoted && t->len == 0 && (*t->s == '\0' || *t->s == ';');
}

/*
 * Statements PostgreSQL refuses inside a transaction block, as leading
 * words; "*" is any one name. Running one of them outside a transaction
 * is always correct, so a form that would also run inside one (CREATE
 * SUBSCRIPTION with create_slot = false) may be listed. Not listed:
 * ALTER TYPE ... ADD VALUE (allowed in a transaction since PostgreSQL 12),
 * REINDEX and CLUSTER (decided in needs_no_transaction()).
 */
static const char *const no_txn[] = {
	"CREATE INDEX CONCURRENTLY",
	"CREATE UNIQUE INDEX CONCURRENTLY",
	"DROP INDEX CONCURRENTLY",
	"VACUUM",
	"CREATE DATABASE",
	"DROP DATABASE",
	"ALTER DATABASE * SET TABLESPACE",
	"CREATE TABLESPACE",
	"DROP TABLESPACE",
	"ALTER SYSTEM",
	"CREATE SUBSCRIPTION",
	"DROP SUBSCRIPTION",
	"DISCARD ALL",
	NULL
};

static int
words_match(const char *stmt, const char *pattern)
{
	struct tok	 t;
	const char	*p = stmt, *w = pattern;
	size_t		 n;
	char		 kw[32];

	while (*w) {
		n = strcspn(w, " ");
		if (n >= sizeof(kw))
			BUG("keyword too long in no_txn[]");
		memcpy(kw, w, n);
		kw[n] = '\0';
		w += n + (w[n] == ' ');
		p = next_tok(p, &t);
		if (strcmp(kw, "*") == 0 ? !(t.quoted || t.len > 0) :
		    !tok_is(&t, kw))
			return 0;
	}
	return 1;
}

/*
 * REINDEX [(option, ...)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM}
 * [CONCURRENTLY] name: CONCURRENTLY (a keyword, or an option not set to
 * false) and the SCHEMA, DATABASE and SYSTEM forms refuse a transaction.
 */
static int
reindex_needs_no_txn(const char *p)
{
	struct tok	t;
	int		conc = 0, depth;

	p = next_tok(p, &t);
	if (!t.quoted && t.len == 0 && *t.s == '(') {
		for (depth = 1; depth > 0; ) {
			p = next_tok(p, &t);
			if (tok_end(&t))
				return 0;
			if (!t.quoted && t.len == 0)
				depth += *t.s == '(' ? 1 : *t.s == ')' ? -1 : 0;
			else if (depth == 1 && tok_is(&t, "CONCURRENTLY")) {
				conc = 1;
				p = next_tok(p, &t);
				if (tok_is(&t, "FALSE") || tok_is(&t, "OFF") ||
				    tok_is(&t, "0"))
					conc = 0;
				else if (!t.quoted && t.len == 0 &&
				    *t.s == ')')
					depth--;
			}
		}
		p = next_tok(p, &t);
	}
	if (tok_is(&t, "SCHEMA") || tok_is(&t, "DATABASE") ||
	    tok_is(&t, "SYSTEM"))
		return 1;
	if (!tok_is(&t, "INDEX") && !tok_is(&t, "TABLE"))
		return 0;
	next_tok(p, &t);
	return conc || tok_is(&t, "CONCURRENTLY");
}

/* CLUSTER [VERBOSE] or CLUSTER (options) alone: every table, no txn. */
static int
cluster_needs_no_txn(const char *p)
{
	struct tok	t;
	int		depth;

	p = next_tok(p, &t);
	if (!t.quoted && t.len == 0 && *t.s == '(') {
		for (depth = 1; depth > 0 && !tok_end(&t); ) {
			p = next_tok(p, &t);
			if (!t.quoted && t.len == 0)
				depth += *t.s == '(' ? 1 : *t.s == ')' ? -1 : 0;
		}
		p = next_tok(p, &t);
	} else if (tok_is(&t, "VERBOSE"))
		next_tok(p, &t);
	return tok_end(&t);
}

static int
pg_needs_no_transaction(const char *stmt)
{
	struct tok	 t;
	const char	*p;
	size_t		 i;

	for (i = 0; no_txn[i] != NULL; i++)
		if (words_match(stmt, no_txn[i]))
			return 1;
	p = next_tok(stmt, &t);
	if (tok_is(&t, "REINDEX"))
		return reindex_needs_no_txn(p);
	if (tok_is(&t, "CLUSTER"))
		return cluster_needs_no_txn(p);
	return 0;
}

static void
pg_rewrite(struct strbuf *out, const char *stmt, size_t *cut_at,
    size_t *cut_len)
{
	*cut_at = *cut_len = 0;
	strbuf_addstr(out, stmt);
}

/*
 * A dotted name as written in a statement: [catalog.][schema.]name, each
 * part an identifier or a quoted identifier, quotes kept, so that
 * to_regclass() folds case and resolves it as the server would.
 */
struct qname {
	const char	*s[3];
	size_t		 len[3];
	int		 n;
};

/* Bytes of the quoted identifier at s, quotes included; 0 if not one. */
static size_t
quoted_len(const char *s)
{
	const char	*p;

	for (p = s + 1; *p; p++)
		if (*p == '"' && *++p != '"')
			/* "" is a zero-length identifier, an error. */
			return p - s > 2 ? (size_t)(p - s) : 0;
	return 0;	/* unterminated */
}

/* Read a name at p into q; return where it ends, NULL when none is there. */
static const char *
read_qname(const char *p, struct qname *q)
{
	struct tok	 t;
	const char	*next;
	size_t		 len;

	for (q->n = 0; q->n < 3; ) {
		p = next_tok(p, &t);
		if (t.quoted)
			len = quoted_len(t.s);
		else
			len = isdigit((unsigned char)*t.s) ? 0 : t.len;
		if (len == 0)
			return NULL;
		q->s[q->n] = t.s;
		q->len[q->n++] = len;
		next = next_tok(p, &t);
		if (t.quoted || t.len > 0 || *t.s != '.')
			return p;
		p = next;
	}
	return NULL;	/* four parts or more */
}

/* Append q's parts, dotted. */
static void
qname_add(struct strbuf *sb, const struct qname *q)
{
	int	i;

	for (i = 0; i < q->n; i++) {
		if (i > 0)
			strbuf_addch(sb, '.');
		strbuf_add(sb, q->s[i], q->len[i]);
	}
}

/*
 * After CREATE [UNIQUE] INDEX CONCURRENTLY or DROP INDEX CONCURRENTLY at
 * p: skip IF [NOT] EXISTS and append the index's name to name and, for
 * CREATE, its table's to table. An unqualified index name is qualified
 * with the table's schema when the table is written with one: the index
 * goes into its table's schema, whatever search_path says. Return 0 for a
 * statement of another shape (CREATE INDEX CONCURRENTLY ON t ... has no
 * name to look up).
 */
static int
index_name(const char *p, int create, struct strbuf *name,
    struct strbuf *table)
{
	struct qname	 q, t;
	struct tok	 tk;
	const char	*next;

	next = next_tok(p, &tk);
	if (tok_is(&tk, "IF")) {
		/* Unless "if" is the index's name. */
		next = next_tok(next, &tk);
		if (create && tok_is(&tk, "NOT")) {
			p = next_tok(next, &tk);
			if (!tok_is(&tk, "EXISTS"))
				return 0;
		} else if (!create && tok_is(&tk, "EXISTS"))
			p = next;
	}
	if ((p = read_qname(p, &q)) == NULL)
		return 0;
	p = next_tok(p, &tk);
	if (!create) {
		if (!tok_end(&tk) && !tok_is(&tk, "CASCADE") &&
		    !tok_is(&tk, "RESTRICT"))
			return 0;
		qname_add(name, &q);
		return 1;
	}
	if (!tok_is(&tk, "ON"))
		return 0;
	next = next_tok(p, &tk);
	if (tok_is(&tk, "ONLY"))
		p = next;
	if (read_qname(p, &t) == NULL)
		return 0;
	if (q.n == 1 && t.n >= 2) {
		strbuf_add(name, t.s[t.n - 2], t.len[t.n - 2]);
		strbuf_addch(name, '.');
	}
	qname_add(name, &q);
	qname_add(table, &t);
	return 1;
}

/*
 * A resumed revision restarts at its first statement not recorded as done;
 * when that is a CONCURRENTLY index statement, the interrupted run may
 * have got further than its record (DESIGN.md "Executor").
 * CREATE INDEX CONCURRENTLY: a valid index of that name on that table is
 * the statement done, so it is skipped; an INVALID one (the build failed
 * or was cut off) is dropped, so that the statement builds it again rather
 * than fail on the name or, with IF NOT EXISTS, keep an index that is
 * never used. An index of that name on another table is left alone: the
 * statement runs and the server reports the clash.
 * DROP INDEX CONCURRENTLY: an index already gone is the statement done.
 */
static int
pg_before_resume(struct db *db, const char *stmt, int cut, int *skip,
    struct mg_error *err)
{
	struct tok	 t;
	struct strbuf	 name = STRBUF_INIT, table = STRBUF_INIT;
	struct strbuf	 got = STRBUF_INIT, drop = STRBUF_INIT;
	const char	*p, *params[2];
	int		 create, rc = 0;

	*skip = 0;
	p = next_tok(stmt, &t);
	if ((create = tok_is(&t, "CREATE")) != 0) {
		p = next_tok(p, &t);
		if (tok_is(&t, "UNIQUE"))
			p = next_tok(p, &t);
	} else if (tok_is(&t, "DROP"))
		p = next_tok(p, &t);
	else
		return 0;
	if (!tok_is(&t, "INDEX"))
		return 0;
	p = next_tok(p, &t);
	if (!tok_is(&t, "CONCURRENTLY") ||
	    !index_name(p, create, &name, &table))
		goto done;
	params[0] = name.buf;
	params[1] = table.buf;
	if ((rc = query_values(db, create ? "SELECT i.indisvalid FROM "
	    "pg_index i WHERE i.indexrelid = to_regclass($1) AND i.indrelid = "
	    "to_regclass($2)" : "SELECT to_regclass($1) IS NULL", params,
	    create ? 2 : 1, &got, err)) != 0) {
		mg_error_prefix(err, "cannot look up index '%s'", name.buf);
		goto done;
	}
	if (!create)
		*skip = cut && strcmp(got.buf, "t") == 0; /* already dropped */
	else if (strcmp(got.buf, "t") == 0)
		*skip = cut;				/* built and valid */
	else if (strcmp(got.buf, "f") == 0) {
		/* Outside a transaction, as the statement itself runs. */
		strbuf_addf(&drop, "DROP INDEX CONCURRENTLY %s", name.buf);
		if ((rc = pg_exec(db, drop.buf, NULL, err)) != 0)
			mg_error_prefix(err, "cannot drop the invalid index "
			    "'%s' left by an interrupted build", name.buf);
	}
done:
	strbuf_release(&name);
	strbuf_release(&table);
	strbuf_release(&got);
	strbuf_release(&drop);
	return rc;
}

/*
 * The snapshot (dialect.h; the line formats are in README.md "migrate
 * snapshot"), read from the catalogs, one query per kind of object, each
 * returning whole lines. Everything in the schemas that are not the
 * server's own (pg_catalog, information_schema, pg_*), except what an
 * extension owns (the extension line stands for it) and the version
 * tables with their indexes, constraints and sequences (the relation
 * OIDs of ex.rels) and, when the version table is schema-qualified, that
 * schema's own line (ex.ns): migrate creates it, and it exists as long as
 * the tables do.
 *
 * The queries run with search_path = pg_catalog, so that every name the
 * pg_get_*def() functions and format_type() print is schema-qualified
 * whatever the session's search_path, and with fixed DateStyle,
 * IntervalStyle, TimeZone and extra_float_digits, so that constants in
 * defaults and checks print the same way on every connection (pg_dump
 * does the same).
 *
 * "{prokind}" and "{attgenerated}" stand for what older servers lack.
 */
#define SN_EX		"WITH ex AS (SELECT $1::oid[] AS rels, $2::oid AS ns) "
#define SN_USER(n)	n ".nspname NOT IN ('pg_catalog', " \
	"'information_schema') AND " n ".nspname NOT LIKE 'pg\\_%'"
#define SN_NOEXT(cls, oid) "NOT EXISTS (SELECT 1 FROM pg_depend x WHERE " \
	"x.classid = '" cls "'::regclass AND x.objid = " oid " AND " \
	"x.deptype = 'e')"
/* User relation c in namespace n: no version table, no extension's. */
#define SN_REL		SN_USER("n") " AND NOT c.oid = ANY (ex.rels) AND " \
	SN_NOEXT("pg_class", "c.oid")
#define SN_COLL(oid)	"(SELECT format('%I.%I', cn.nspname, co.collname) " \
	"FROM pg_collation co JOIN pg_namespace cn ON cn.oid = " \
	"co.collnamespace WHERE co.oid = " oid ")"

static const char *const pg_snap_sql[] = {
	/* schema NAME */
	SN_EX "SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n, "
	"ex WHERE " SN_USER("n") " AND n.oid IS DISTINCT FROM ex.ns AND "
	SN_NOEXT("pg_namespace", "n.oid"),

	/* table S.T [PARTITIONED BY ...] [FOREIGN SERVER ...] ... */
	SN_EX "SELECT format('table %I.%I', n.nspname, c.relname) || "
	"CASE c.relkind WHEN 'p' THEN ' PARTITIONED BY ' || "
	"pg_get_partkeydef(c.oid) WHEN 'f' THEN ' FOREIGN SERVER ' || "
	"quote_ident(fs.srvname) || COALESCE(' OPTIONS (' || "
	"array_to_string(ft.ftoptions, ', ') || ')', '') ELSE '' END || "
	"CASE WHEN c.relpersistence = 'u' THEN ' UNLOGGED' ELSE '' END || "
	"COALESCE(' ' || (SELECT CASE WHEN c.relispartition THEN "
	"'PARTITION OF ' ELSE 'INHERITS ' END || string_agg(format('%I.%I', "
	"pn.nspname, pc.relname), ', ' ORDER BY i.inhseqno) FROM pg_inherits i "
	"JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON "
	"pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid), '') || "
	"CASE WHEN c.relispartition THEN ' ' || pg_get_expr(c.relpartbound, "
	"c.oid) ELSE '' END || COALESCE(' WITH (' || "
	"array_to_string(c.reloptions, ', ') || ')', '') || "
	"CASE WHEN c.relrowsecurity THEN ' ROW LEVEL SECURITY' ELSE '' END || "
	"CASE WHEN c.relforcerowsecurity THEN ' FORCE ROW LEVEL SECURITY' "
	"ELSE '' END FROM pg_class c JOIN pg_namespace n ON n.oid = "
	"c.relnamespace LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid "
	"LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver, ex WHERE "
	"c.relkind IN ('r', 'p', 'f') AND " SN_REL,

	/* table S.T columns: a, b (the column order, on a line of its own) */
	SN_EX "SELECT format('table %I.%I columns: %s', n.nspname, c.relname, "
	"(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
	"FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND "
	"NOT a.attisdropped)) FROM pg_class c JOIN pg_namespace n ON n.oid = "
	"c.relnamespace, ex WHERE c.relkind IN ('r', 'p', 'f') AND " SN_REL,

	/* column S.T.C TYPE [COLLATE] [NOT NULL] [DEFAULT|GENERATED] [IDENT] */
	SN_EX "SELECT format('column %I.%I.%I %s', n.nspname, c.relname, "
	"a.attname, format_type(a.atttypid, a.atttypmod)) || "
	"CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || "
	SN_COLL("a.attcollation") " ELSE '' END || "
	"CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || "
	"CASE WHEN {attgenerated} = 's' THEN ' GENERATED ALWAYS AS (' || "
	"pg_get_expr(d.adbin, d.adrelid) || ') STORED' WHEN d.adbin IS NOT "
	"NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END "
	"|| CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' "
	"WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON "
	"t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid "
	"AND d.adnum = a.attnum, ex WHERE a.attnum > 0 AND NOT a.attisdropped "
	"AND c.relkind IN ('r', 'p', 'f') AND " SN_REL,

	/* constraint S.T NAME: DEF */
	SN_EX "SELECT format('constraint %I.%I %I: %s', n.nspname, c.relname, "
	"k.conname, pg_get_constraintdef(k.oid)) FROM pg_constraint k "
	"JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = "
	"c.relnamespace, ex WHERE " SN_REL,

	/* index S.T NAME: DEF [INVALID] [CLUSTERED] */
	SN_EX "SELECT format('index %I.%I %I: %s', n.nspname, c.relname, "
	"ic.relname, pg_get_indexdef(i.indexrelid)) || CASE WHEN NOT "
	"i.indisvalid THEN ' INVALID' ELSE '' END || CASE WHEN "
	"i.indisclustered THEN ' CLUSTERED' ELSE '' END FROM pg_index i "
	"JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = "
	"i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace, ex WHERE "
	SN_REL,

	/*
	 * view S.V [WITH (...)]: DEF, materialized view likewise; the
	 * definition without the blank pg_get_viewdef() starts it with.
	 */
	SN_EX "SELECT format('%s %I.%I%s: %s', CASE c.relkind WHEN 'v' THEN "
	"'view' ELSE 'materialized view' END, n.nspname, c.relname, "
	"COALESCE(' WITH (' || array_to_string(c.reloptions, ', ') || ')', "
	"''), ltrim(pg_get_viewdef(c.oid), ' ')) FROM pg_class c JOIN "
	"pg_namespace n ON n.oid = c.relnamespace, ex WHERE c.relkind IN "
	"('v', 'm') AND " SN_REL,

	/* sequence S.Q TYPE START ... [CYCLE] [UNLOGGED] [OWNED BY S.T.C] */
	SN_EX "SELECT format('sequence %I.%I %s START %s INCREMENT %s MINVALUE "
	"%s MAXVALUE %s CACHE %s', n.nspname, c.relname, "
	"format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
	"s.seqmin, s.seqmax, s.seqcache) || "
	"CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END || CASE WHEN "
	"c.relpersistence = 'u' THEN ' UNLOGGED' ELSE '' END || "
	"COALESCE((SELECT format(' OWNED BY %I.%I.%I', tn.nspname, tc.relname, "
	"ta.attname) FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid "
	"JOIN pg_namespace tn ON tn.oid = tc.relnamespace JOIN pg_attribute ta "
	"ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid WHERE "
	"d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
	"d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
	"LIMIT 1), '') FROM pg_sequence s JOIN pg_class c ON c.oid = "
	"s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace, ex WHERE "
	SN_REL,

	/* trigger S.T NAME: DEF [DISABLED|ENABLE REPLICA|ENABLE ALWAYS] */
	SN_EX "SELECT format('trigger %I.%I %I: %s', n.nspname, c.relname, "
	"g.tgname, pg_get_triggerdef(g.oid)) || CASE g.tgenabled WHEN 'D' "
	"THEN ' DISABLED' WHEN 'R' THEN ' ENABLE REPLICA' WHEN 'A' THEN "
	"' ENABLE ALWAYS' ELSE '' END FROM pg_trigger g JOIN pg_class c ON "
	"c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace, ex "
	"WHERE NOT g.tgisinternal AND " SN_REL,

	/* rule S.T NAME: DEF (a view's own _RETURN rule is its definition) */
	SN_EX "SELECT format('rule %I.%I %I: %s', n.nspname, c.relname, "
	"r.rulename, pg_get_ruledef(r.oid)) FROM pg_rewrite r JOIN pg_class c "
	"ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace, "
	"ex WHERE r.rulename <> '_RETURN' AND " SN_REL,

	/* policy S.T NAME: PERMISSIVE FOR cmd TO r [USING ()] [WITH CHECK] */
	SN_EX "SELECT format('policy %I.%I %I: %s FOR %s TO %s', n.nspname, "
	"c.relname, p.polname, CASE WHEN p.polpermissive THEN 'PERMISSIVE' "
	"ELSE 'RESTRICTIVE' END, CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN "
	"'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE "
	"'ALL' END, (SELECT string_agg(r, ', ' ORDER BY r) FROM (SELECT CASE "
	"WHEN u = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(u)) END AS "
	"r FROM unnest(p.polroles) AS u) rs)) || COALESCE(' USING (' || "
	"pg_get_expr(p.polqual, p.polrelid) || ')', '') || COALESCE(' WITH "
	"CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') FROM "
	"pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n "
	"ON n.oid = c.relnamespace, ex WHERE " SN_REL,

	/*
	 * function|procedure S.F(ARGS): pg_get_functiondef, whole, but
	 * not the constructors a range type makes (internal dependencies).
	 */
	SN_EX "SELECT format('%s %I.%I(%s): %s', CASE {prokind} WHEN 'p' THEN "
	"'procedure' ELSE 'function' END, n.nspname, p.proname, "
	"pg_get_function_identity_arguments(p.oid), "
	"rtrim(pg_get_functiondef(p.oid), chr(10))) FROM pg_proc p JOIN "
	"pg_namespace n ON n.oid = p.pronamespace, ex WHERE {prokind} IN "
	"('f', 'p', 'w') AND " SN_USER("n") " AND "
	SN_NOEXT("pg_proc", "p.oid") " AND NOT EXISTS (SELECT 1 FROM pg_depend "
	"x WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND "
	"x.deptype = 'i')",

	/* aggregate S.A(ARGS): SFUNC f STYPE t ... */
	SN_EX "SELECT format('aggregate %I.%I(%s): SFUNC %s STYPE %s', "
	"n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
	"a.aggtransfn::regprocedure, format_type(a.aggtranstype, NULL)) || "
	"CASE WHEN a.aggfinalfn <> 0 THEN ' FINALFUNC ' || "
	"a.aggfinalfn::regprocedure ELSE '' END || CASE WHEN a.aggcombinefn "
	"<> 0 THEN ' COMBINEFUNC ' || a.aggcombinefn::regprocedure ELSE '' END "
	"|| COALESCE(' INITCOND ' || quote_literal(a.agginitval), '') || "
	"CASE WHEN a.aggsortop <> 0 THEN ' SORTOP ' || "
	"a.aggsortop::regoperator ELSE '' END || CASE a.aggkind WHEN 'o' THEN "
	"' ORDERED' WHEN 'h' THEN ' HYPOTHETICAL' ELSE '' END FROM "
	"pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace "
	"n ON n.oid = p.pronamespace, ex WHERE " SN_USER("n") " AND "
	SN_NOEXT("pg_proc", "p.oid"),

	/* enum S.E: 'a', 'b' (in their order) */
	SN_EX "SELECT format('enum %I.%I: %s', n.nspname, t.typname, (SELECT "
	"string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
	"FROM pg_enum e WHERE e.enumtypid = t.oid)) FROM pg_type t JOIN "
	"pg_namespace n ON n.oid = t.typnamespace, ex WHERE t.typtype = 'e' "
	"AND " SN_USER("n") " AND " SN_NOEXT("pg_type", "t.oid"),

	/* domain S.D: TYPE [COLLATE] [NOT NULL] [DEFAULT] */
	SN_EX "SELECT format('domain %I.%I: %s', n.nspname, t.typname, "
	"format_type(t.typbasetype, t.typtypmod)) || CASE WHEN "
	"t.typcollation <> b.typcollation THEN ' COLLATE ' || "
	SN_COLL("t.typcollation") " ELSE '' END || CASE WHEN t.typnotnull "
	"THEN ' NOT NULL' ELSE '' END || COALESCE(' DEFAULT ' || "
	"pg_get_expr(t.typdefaultbin, 0), '') FROM pg_type t JOIN pg_type b ON "
	"b.oid = t.typbasetype JOIN pg_namespace n ON n.oid = t.typnamespace, "
	"ex WHERE t.typtype = 'd' AND " SN_USER("n") " AND "
	SN_NOEXT("pg_type", "t.oid"),

	/* domain S.D constraint NAME: DEF */
	SN_EX "SELECT format('domain %I.%I constraint %I: %s', n.nspname, "
	"t.typname, k.conname, pg_get_constraintdef(k.oid)) FROM pg_constraint "
	"k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON n.oid = "
	"t.typnamespace, ex WHERE " SN_USER("n") " AND "
	SN_NOEXT("pg_type", "t.oid"),

	/* type S.T: (a TYPE [COLLATE], ...), a composite type */
	SN_EX "SELECT format('type %I.%I: (%s)', n.nspname, t.typname, (SELECT "
	"string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, "
	"a.atttypmod) || CASE WHEN a.attcollation <> at.typcollation THEN "
	"' COLLATE ' || " SN_COLL("a.attcollation") " ELSE '' END, ', ' "
	"ORDER BY a.attnum) FROM pg_attribute a JOIN pg_type at ON at.oid = "
	"a.atttypid WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT "
	"a.attisdropped)) FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid "
	"JOIN pg_namespace n ON n.oid = t.typnamespace, ex WHERE t.typtype = "
	"'c' AND c.relkind = 'c' AND " SN_USER("n") " AND "
	SN_NOEXT("pg_type", "t.oid"),

	/*
	 * range S.R: SUBTYPE t [COLLATE] SUBTYPE_OPCLASS o [CANONICAL]
	 * [SUBTYPE_DIFF]
	 */
	SN_EX "SELECT format('range %I.%I: SUBTYPE %s', n.nspname, t.typname, "
	"format_type(r.rngsubtype, NULL)) || CASE WHEN r.rngcollation <> 0 "
	"THEN ' COLLATE ' || " SN_COLL("r.rngcollation") " ELSE '' END || "
	"COALESCE((SELECT format(' SUBTYPE_OPCLASS %I.%I', opn.nspname, "
	"oc.opcname) FROM pg_opclass oc JOIN pg_namespace opn ON opn.oid = "
	"oc.opcnamespace WHERE oc.oid = r.rngsubopc), '') || CASE WHEN "
	"r.rngcanonical <> 0 THEN ' CANONICAL ' || r.rngcanonical::regproc "
	"ELSE '' END || CASE WHEN r.rngsubdiff <> 0 THEN ' SUBTYPE_DIFF ' || "
	"r.rngsubdiff::regproc ELSE '' END FROM pg_range r JOIN pg_type t ON "
	"t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace, ex "
	"WHERE " SN_USER("n") " AND " SN_NOEXT("pg_type", "t.oid"),

	/* type S.T: base INPUT f OUTPUT f (CREATE TYPE with functions) */
	SN_EX "SELECT format('type %I.%I: base INPUT %s OUTPUT %s', n.nspname, "
	"t.typname, t.typinput::regproc, t.typoutput::regproc) FROM pg_type t "
	"JOIN pg_namespace n ON n.oid = t.typnamespace, ex WHERE t.typtype = "
	"'b' AND t.typisdefined AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE "
	"e.typarray = t.oid) AND " SN_USER("n") " AND "
	SN_NOEXT("pg_type", "t.oid"),

	/* collation S.C: PROVIDER p */
	SN_EX "SELECT format('collation %I.%I: PROVIDER %s', n.nspname, "
	"c.collname, c.collprovider) FROM pg_collation c JOIN pg_namespace n "
	"ON n.oid = c.collnamespace, ex WHERE " SN_USER("n") " AND "
	SN_NOEXT("pg_collation", "c.oid"),

	/* statistics S.N: DEF */
	SN_EX "SELECT format('statistics %I.%I: %s', n.nspname, s.stxname, "
	"pg_get_statisticsobjdef(s.oid)) FROM pg_statistic_ext s JOIN "
	"pg_namespace n ON n.oid = s.stxnamespace, ex WHERE " SN_USER("n")
	" AND NOT s.stxrelid = ANY (ex.rels) AND "
	SN_NOEXT("pg_statistic_ext", "s.oid"),

	/* extension NAME: VERSION 'v' SCHEMA s */
	SN_EX "SELECT format('extension %I: VERSION %L SCHEMA %I', e.extname, "
	"e.extversion, n.nspname) FROM pg_extension e JOIN pg_namespace n ON "
	"n.oid = e.extnamespace, ex",

	/* event trigger NAME: ON event [WHEN TAG IN (..)] EXECUTE FUNCTION f */
	SN_EX "SELECT format('event trigger %I: ON %s%s EXECUTE FUNCTION %s', "
	"e.evtname, e.evtevent, ' WHEN TAG IN (' || (SELECT "
	"string_agg(quote_literal(g), ', ' ORDER BY g) FROM unnest(e.evttags) "
	"AS g) || ')', e.evtfoid::regproc) || CASE e.evtenabled WHEN 'D' THEN "
	"' DISABLED' WHEN 'R' THEN ' ENABLE REPLICA' WHEN 'A' THEN "
	"' ENABLE ALWAYS' ELSE '' END FROM pg_event_trigger e, ex WHERE "
	SN_NOEXT("pg_event_trigger", "e.oid"),

	/*
	 * comment KIND IDENTITY: TEXT, for every object with a comment
	 * (pg_identify_object names it, qualified). OIDs below 16384
	 * (FirstNormalObjectId) are initdb's.
	 */
	SN_EX "SELECT format('comment %s %s: %s', o.type, o.identity, "
	"d.description) FROM pg_description d CROSS JOIN LATERAL "
	"pg_identify_object(d.classoid, d.objoid, d.objsubid) o, ex WHERE "
	"d.objoid >= 16384 AND (o.schema IS NULL OR (o.schema NOT IN "
	"('pg_catalog', 'information_schema') AND o.schema NOT LIKE "
	"'pg\\_%')) AND NOT (d.classoid = 'pg_class'::regclass AND "
	"d.objoid = ANY (ex.rels)) AND NOT (d.classoid = "
	"'pg_namespace'::regclass AND d.objoid IS NOT DISTINCT FROM ex.ns) "
	"AND NOT (d.classoid = "
	"'pg_constraint'::regclass AND EXISTS (SELECT 1 FROM pg_constraint k "
	"WHERE k.oid = d.objoid AND k.conrelid = ANY (ex.rels))) AND NOT "
	"EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classoid AND "
	"x.objid = d.objoid AND x.deptype = 'e')",
	NULL
};

/* What servers before 11 (prokind) and 12 (attgenerated) lack. */
static const struct {
	const char	*key, *now, *old;
	int		 since;
} pg_snap_subst[] = {
	{ "{prokind}", "p.prokind", "CASE WHEN p.proisagg THEN 'a' WHEN "
	    "p.proiswindow THEN 'w' ELSE 'f' END", 110000 },
	{ "{attgenerated}", "a.attgenerated", "''", 120000 },
};

static void
snap_query_text(struct strbuf *sb, const char *sql, int ver)
{
	const size_t	nsubst = sizeof(pg_snap_subst) /
	    sizeof(pg_snap_subst[0]);
	size_t		i, n = 0;

	strbuf_reset(sb);
	while (*sql) {
		for (i = 0; i < nsubst; i++) {
			n = strlen(pg_snap_subst[i].key);
			if (strncmp(sql, pg_snap_subst[i].key, n) == 0)
				break;
		}
		if (i < nsubst) {
			strbuf_addstr(sb, ver >= pg_snap_subst[i].since ?
			    pg_snap_subst[i].now : pg_snap_subst[i].old);
			sql += n;
		} else
			strbuf_addch(sb, *sql++);
	}
}

static int
snap_row(void *payload, int ncols, char *const *vals)
{
	if (ncols >= 1 && vals[0] != NULL)
		snapshot_add(payload, vals[0]);
	return 0;
}

static int
pg_snapshot(struct db *db, const char *vtable, const char *htable,
    struct strbuf *out, struct mg_error *err)
{
	struct snapshot		lines = SNAPSHOT_INIT;
	struct strbuf		sql = STRBUF_INIT, rels = STRBUF_INIT;
	struct strbuf		ns = STRBUF_INIT;
	struct mg_error		ignored = MG_ERROR_INIT;
	const char		*params[2];
	PGTransactionStatusType	ts;
	size_t			i, n;
	int			rc, end, ver;

	if (conn_lost(db, err))
		return MG_EDB;
	ver = pq.PQserverVersion(db->conn);
	/*
	 * One snapshot of the catalogs for every query, and settings that
	 * end with it: a transaction of our own, or a savepoint in the
	 * caller's.
	 */
	ts = pq.PQtransactionStatus(db->conn);
	if (ts == PQTRANS_IDLE)
		rc = simple(db, "BEGIN ISOLATION LEVEL REPEATABLE READ "
		    "READ ONLY", err);
	else if (ts == PQTRANS_INTRANS)
		rc = simple(db, "SAVEPOINT migrate_snapshot", err);
	else
		rc = mg_error_set(err, MG_EDB, "the transaction is aborted");
	if (rc != 0) {
		mg_error_prefix(err, "cannot read the schema");
		return rc;
	}
	/*
	 * The version tables as the session's search_path finds them, with
	 * their indexes and the sequences they own (the history's identity).
	 */
	params[0] = vtable;
	params[1] = htable;
	if ((rc = query_values(db, "WITH t AS (SELECT c.oid FROM "
	    "pg_catalog.pg_class c WHERE c.oid IN (pg_catalog.to_regclass($1), "
	    "pg_catalog.to_regclass($2))) SELECT COALESCE(pg_catalog.array_agg("
	    "o ORDER BY o), '{}')::text FROM (SELECT oid AS o FROM t UNION "
	    "SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE "
	    "i.indrelid IN (SELECT oid FROM t) UNION SELECT d.objid FROM "
	    "pg_catalog.pg_depend d WHERE d.classid = "
	    "'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = "
	    "'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid IN "
	    "(SELECT oid FROM t) AND d.deptype IN ('a', 'i')) x",
	    params, 2, &rels, err)) != 0)
		goto done;
	/*
	 * The schema named in a qualified version table, whether the tables
	 * are there yet or not.
	 */
	if ((n = schema_len(vtable)) > 0) {
		strbuf_add(&sql, vtable, n);
		if ((rc = query_value(db, "SELECT pg_catalog.to_regnamespace("
		    "$1)::pg_catalog.oid", sql.buf, &ns, err)) != 0)
			goto done;
	}
	if ((rc = simple(db, "SET LOCAL search_path = pg_catalog; "
	    "SET LOCAL DateStyle = ISO; SET LOCAL IntervalStyle = postgres; "
	    "SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 3",
	    err)) != 0)
		goto done;
	params[0] = rels.len ? rels.buf : "{}";
	params[1] = ns.len ? ns.buf : NULL;
	for (i = 0; pg_snap_sql[i] != NULL; i++) {
		snap_query_text(&sql, pg_snap_sql[i], ver);
		if ((rc = pg_query(db, sql.buf, params, 2, snap_row, &lines,
		    err)) != 0)
			goto done;
	}
done:
	/* Read only: nothing to keep, and the settings go with it. */
	if (ts == PQTRANS_IDLE)
		end = simple(db, "ROLLBACK", rc ? &ignored : err);
	else
		end = simple(db, "ROLLBACK TO SAVEPOINT migrate_snapshot; "
		    "RELEASE SAVEPOINT migrate_snapshot", rc ? &ignored : err);
	if (rc == 0)
		rc = end;
	if (rc == 0)
		snapshot_finish(&lines, out);
	else
		mg_error_prefix(err, "cannot read the schema");
	mg_error_clear(&ignored);
	snapshot_clear(&lines);
	strbuf_release(&sql);
	strbuf_release(&rels);
	strbuf_release(&ns);
	return rc;
}

const struct dialect dialect_postgres = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.table_exists = pg_table_exists,
	.version_ddl = pg_version_ddl,
	.needs_no_transaction = pg_needs_no_transaction,
	.rewrite = pg_rewrite,
	.now_sql = "clock_timestamp()",
	.before_resume = pg_before_resume,
	.snapshot = pg_snapshot,
};
