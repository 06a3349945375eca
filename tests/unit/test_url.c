#include <string.h>

#include <criterion/criterion.h>

/* Criterion's cr_assert_* macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "error.h"
#include "strbuf.h"
#include "url.h"

static struct mg_error	err = MG_ERROR_INIT;
static struct strbuf	out = STRBUF_INIT;

static void
teardown(void)
{
	mg_error_clear(&err);
	strbuf_release(&out);
}

TestSuite(url, .fini = teardown);

static enum url_kind
kind_ok(const char *url)
{
	enum url_kind	k = (enum url_kind)-1;

	cr_assert_eq(url_kind(&k, url, &err), 0, "'%s': %s", url,
	    err.msg.buf);
	return k;
}

static void
kind_fails(const char *url, const char *msg)
{
	enum url_kind	k;

	mg_error_clear(&err);
	cr_assert_eq(url_kind(&k, url, &err), MG_ECONFIG, "'%s' accepted", url);
	cr_assert_eq(err.code, MG_ECONFIG);
	cr_assert_str_eq(err.msg.buf, msg);
	cr_assert_not_null(strstr(err.hint.buf, "postgresql://"));
}

static const char *
redact(const char *url)
{
	strbuf_reset(&out);
	url_redact(&out, url);
	return out.buf;
}

static const char *
password(const char *url)
{
	strbuf_reset(&out);
	url_password(&out, url);
	return out.buf;
}

static const char *
sqlite_path(const char *url, const char *base)
{
	strbuf_reset(&out);
	cr_assert_eq(url_sqlite_path(&out, url, base, &err), 0, "'%s': %s",
	    url, err.msg.buf);
	return out.buf;
}

Test(url, postgres_kinds)
{
	cr_assert_eq(kind_ok("postgresql://u:p@h:5432/db"), URL_POSTGRES);
	cr_assert_eq(kind_ok("postgres://h/db"), URL_POSTGRES);
	cr_assert_eq(kind_ok("postgresql:///db?host=/tmp"), URL_POSTGRES);
}

Test(url, conninfo_is_postgres)
{
	cr_assert_eq(kind_ok("host=localhost dbname=app"), URL_POSTGRES);
	cr_assert_eq(kind_ok("  dbname = app"), URL_POSTGRES);
	cr_assert_eq(kind_ok("password=a://b host=h"), URL_POSTGRES);
}

Test(url, sqlite_kind)
{
	cr_assert_eq(kind_ok("sqlite:///app.db"), URL_SQLITE);
	cr_assert_eq(kind_ok("sqlite://:memory:"), URL_SQLITE);
}

Test(url, unknown_scheme_hides_password)
{
	kind_fails("mysql://root:hunter2@db/app", "unknown URL scheme 'mysql'");
	cr_assert_null(strstr(err.msg.buf, "hunter2"));
	cr_assert_null(strstr(err.hint.buf, "hunter2"));
	kind_fails("POSTGRESQL://u@h/db", "unknown URL scheme 'POSTGRESQL'");
}

Test(url, no_scheme)
{
	kind_fails("u:hunter2@db/app", "database URL has no scheme");
	kind_fails("sqlite:app.db", "malformed sqlite URL");
	kind_fails("", "empty database URL");
}

Test(url, sqlite_relative_paths)
{
	cr_assert_str_eq(sqlite_path("sqlite:///app.db", "/srv/proj"),
	    "/srv/proj/app.db");
	cr_assert_str_eq(sqlite_path("sqlite:///data/app.db", "conf/"),
	    "conf/data/app.db");
	cr_assert_str_eq(sqlite_path("sqlite:///app.db", "."), "app.db");
	cr_assert_str_eq(sqlite_path("sqlite:///app.db", NULL), "app.db");
	cr_assert_str_eq(sqlite_path("sqlite:///app.db", "/"), "/app.db");
}

Test(url, sqlite_absolute_path)
{
	cr_assert_str_eq(sqlite_path("sqlite:////abs/x.db", "/srv/proj"),
	    "/abs/x.db");
}

Test(url, sqlite_memory)
{
	cr_assert_str_eq(sqlite_path("sqlite://:memory:", "/srv"),
	    ":memory:");
	cr_assert_str_eq(sqlite_path("sqlite:///:memory:", "/srv"),
	    ":memory:");
	cr_assert_str_eq(sqlite_path("sqlite://:memory:?cache=shared", NULL),
	    ":memory:");
}

Test(url, sqlite_query_stripped)
{
	cr_assert_str_eq(sqlite_path("sqlite:///app.db?mode=ro", "d"),
	    "d/app.db");
}

Test(url, sqlite_bad_paths)
{
	static const char *const bad[] = {
		"sqlite://", "sqlite:///", "sqlite:////", "sqlite:///?x=1",
		"sqlite://app.db", "postgresql:///db", NULL
	};
	const char *const	*b;

	for (b = bad; *b; b++) {
		strbuf_reset(&out);
		mg_error_clear(&err);
		cr_assert_eq(url_sqlite_path(&out, *b, "/d", &err), MG_ECONFIG,
		    "'%s' accepted as '%s'", *b, out.buf);
		cr_assert_eq(out.len, 0);
	}
	cr_assert_eq(url_sqlite_path(&out, "sqlite:///", NULL, &err),
	    MG_ECONFIG);
	cr_assert_not_null(strstr(err.msg.buf, "empty path"));
	cr_assert_eq(url_sqlite_path(&out, "sqlite://app.db", NULL, &err),
	    MG_ECONFIG);
	cr_assert_not_null(strstr(err.hint.buf, "sqlite:///relative.db"));
}

Test(url, redact_userinfo)
{
	cr_assert_str_eq(redact("postgresql://user:secret@host/db"),
	    "postgresql://user:***@host/db");
	cr_assert_str_eq(redact("postgres://u:s@h:5432/db?sslmode=require"),
	    "postgres://u:***@h:5432/db?sslmode=require");
	cr_assert_str_eq(redact("mysql://root:hunter2@db/app"),
	    "mysql://root:***@db/app");
}

Test(url, redact_leaves_passwordless_urls)
{
	static const char *const same[] = {
		"postgresql://user@host/db", "postgresql://host/db",
		"postgresql:///db?host=/tmp", "sqlite:///app.db",
		"sqlite://:memory:", "host=h dbname=d", "postgresql://u:@h/db",
		"postgresql://h/db?application_name=me@there", "", NULL
	};
	const char *const	*s;

	for (s = same; *s; s++)
		cr_assert_str_eq(redact(*s), *s);
}

Test(url, redact_special_characters)
{
	/* percent-encoded '@' */
	cr_assert_str_eq(redact("postgresql://u:p%40ss@h/db"),
	    "postgresql://u:***@h/db");
	/* raw '@': the last '@' before the host ends the password */
	cr_assert_str_eq(redact("postgresql://u:p@s@s@h/db"),
	    "postgresql://u:***@h/db");
	/* raw '/' and '?' in the password are still hidden */
	cr_assert_str_eq(redact("postgresql://u:pa/ss@h/db"),
	    "postgresql://u:***@h/db");
	cr_assert_str_eq(redact("postgresql://u:pa?ss@h/db"),
	    "postgresql://u:***@h/db");
	cr_assert_str_eq(redact("postgresql://u:x:y@h"),
	    "postgresql://u:***@h");
}

Test(url, redact_query_password)
{
	cr_assert_str_eq(redact("postgresql://h/db?password=secret"),
	    "postgresql://h/db?password=***");
	cr_assert_str_eq(redact("postgresql://h/db?sslmode=require&"
	    "password=secret&user=u"),
	    "postgresql://h/db?sslmode=require&password=***&user=u");
	cr_assert_str_eq(redact("postgresql://u:a@h/db?password=b"),
	    "postgresql://u:***@h/db?password=***");
	cr_assert_str_eq(redact("postgresql://h/db?sslpassword=k"),
	    "postgresql://h/db?sslpassword=***");
	cr_assert_str_eq(redact("postgresql://h/db?mypassword=x"),
	    "postgresql://h/db?mypassword=x");
}

Test(url, redact_conninfo)
{
	cr_assert_str_eq(redact("host=h password=secret dbname=d"),
	    "host=h password=*** dbname=d");
	cr_assert_str_eq(redact("password = 'se cr\\'et' user=u"),
	    "password = '***' user=u");
	cr_assert_str_eq(redact("user=u password=s\\ t"),
	    "user=u password=***");
	cr_assert_str_eq(redact("host=h sslpassword=k password=p"),
	    "host=h sslpassword=*** password=***");
	cr_assert_str_eq(redact("application_name='password=x' host=h"),
	    "application_name='password=x' host=h");
}

Test(url, redact_conninfo_dbname_url)
{
	cr_assert_str_eq(redact("dbname=postgresql://u:pw@h/db user=x"),
	    "dbname=postgresql://u:***@h/db user=x");
	cr_assert_str_eq(redact("dbname='host=h password=pw' user=x"),
	    "dbname='host=h password=***' user=x");
}

Test(url, password_text)
{
	cr_assert_str_eq(password("postgresql://user:secret@host/db"),
	    "secret");
	cr_assert_str_eq(password("postgresql://u:p%40ss@h/db"), "p%40ss");
	cr_assert_str_eq(password("postgresql://u:p@ss@h/db"), "p@ss");
	cr_assert_str_eq(password("postgresql://h/db?a=1&password=qp"), "qp");
	cr_assert_str_eq(password("host=h password='a b' x=y"), "a b");
	cr_assert_str_eq(password("host=h sslpassword=k password=p"), "p");
	cr_assert_str_eq(password("dbname=postgres://u:inner@h/d"), "inner");
}

Test(url, password_absent)
{
	cr_assert_str_eq(password("postgresql://user@host/db"), "");
	cr_assert_str_eq(password("sqlite:///app.db"), "");
	cr_assert_str_eq(password("host=h dbname=d"), "");
	cr_assert_str_eq(password("host=h sslpassword=k"), "");
	cr_assert_str_eq(password("garbage"), "");
}

static const char *
with_db(const char *url, const char *db)
{
	strbuf_reset(&out);
	url_with_dbname(&out, url, db);
	return out.buf;
}

Test(url, with_dbname)
{
	cr_assert_str_eq(with_db("postgresql://u:p@h:5432/app", "t1"),
	    "postgresql://u:p@h:5432/t1");
	cr_assert_str_eq(with_db("postgresql:///app?host=/sock&port=5", "t1"),
	    "postgresql:///t1?host=/sock&port=5");
	cr_assert_str_eq(with_db("postgres://h", "t1"), "postgres://h/t1");
	cr_assert_str_eq(with_db("postgresql://h?sslmode=off", "t1"),
	    "postgresql://h/t1?sslmode=off");
	cr_assert_str_eq(with_db("postgresql://h/", "t1"),
	    "postgresql://h/t1");
	cr_assert_str_eq(with_db("host=/sock dbname=app", "t1"),
	    "host=/sock dbname=app dbname='t1'");
}
