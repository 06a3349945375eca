/*
 * Unit tests for core/plugin.c: a small plugin is compiled ($CC, as the
 * executor would), loaded, and run against a fake struct plugin_host that
 * records what the mg_* functions hand it. The test binary exports the
 * mg_* symbols as migrate does (-Wl,--dynamic-list=core/plugin.list).
 * The plugin switches on mg_dialect(), which the test chooses, to play
 * each scenario.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "error.h"
#include "plugin.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

static const char plugin_src[] =
"/*\n"
" * revision: 0001\n"
" * down_revision:\n"
" */\n"
"#include <string.h>\n"
"#include <migrate/plugin.h>\n"
"\n"
"const int migrate_plugin_abi = MG_PLUGIN_ABI;\n"
"\n"
"static int\n"
"sum_row(mg_ctx *ctx, const struct mg_row *row, void *arg)\n"
"{\n"
"	long long *sum = arg;\n"
"\n"
"	if (mg_ncols(row) != 3)\n"
"		return mg_fail(ctx, \"ncols %d\", mg_ncols(row));\n"
"	*sum += mg_int(row, 0);\n"
"	if (!mg_isnull(row, 1) && strcmp(mg_text(row, 1), \"t\") == 0)\n"
"		*sum += 1000 * mg_int(row, 1);\n"
"	*sum += (long long)(mg_double(row, 2) * 100);\n"
"	if (mg_isnull(row, 1))\n"
"		*sum += 100000;\n"
"	return 0;\n"
"}\n"
"\n"
"static int\n"
"stop_row(mg_ctx *ctx, const struct mg_row *row, void *arg)\n"
"{\n"
"	(void)row; (void)arg;\n"
"	return mg_fail(ctx, \"stopped at the first row\");\n"
"}\n"
"\n"
"int\n"
"migrate_upgrade(mg_ctx *ctx)\n"
"{\n"
"	static const struct mg_column cols[] = {\n"
"		{ \"id\", \"bigint\", MG_PRIMARY_KEY, NULL },\n"
"		{ \"name\", \"text\", MG_NOT_NULL, \"''\" },\n"
"	};\n"
"	static const char *const ix[] = { \"name\", NULL };\n"
"	static const char *const ref[] = { \"id\", NULL };\n"
"	struct mg_alter alter = { \"varchar(10)\", 0, NULL, 1, \"nm\" };\n"
"	const char *d = mg_dialect(ctx);\n"
"	long long sum = 0;\n"
"\n"
"	if (strcmp(d, \"ret\") == 0)\n"
"		return 7;\n"
"	if (strcmp(d, \"fail\") == 0)\n"
"		return mg_fail(ctx, \"bad data in %s\", \"t\");\n"
"	if (strcmp(d, \"dbfail\") == 0) {\n"
"		if (mg_exec(ctx, \"FAIL 1\") == 0)\n"
"			return 0;\n"
"		/* ignored: still fails the revision */\n"
"		mg_exec(ctx, \"SELECT 2\");\n"
"		return 0;\n"
"	}\n"
"	if (strcmp(d, \"dbfail-msg\") == 0) {\n"
"		if (mg_exec(ctx, \"FAIL 1\") != 0)\n"
"			return mg_fail(ctx, \"cannot backfill: %s\", mg_errmsg(ctx));\n"
"		return 0;\n"
"	}\n"
"	if (strcmp(d, \"dbfail-own\") == 0) {\n"
"		if (mg_exec(ctx, \"FAIL 1\") != 0)\n"
"			return mg_fail(ctx, \"cannot backfill\");\n"
"		return 0;\n"
"	}\n"
"	if (strcmp(d, \"misuse\") == 0)\n"
"		return mg_create_index(ctx, \"ix\", \"t\", NULL, 0, NULL);\n"
"	if (strcmp(d, \"stop\") == 0)\n"
"		return mg_query(ctx, \"SELECT 1\", stop_row, NULL);\n"
"	if (strcmp(d, \"offline\") == 0) {\n"
"		if (mg_query(ctx, \"SELECT 1\", sum_row, &sum) != 0)\n"
"			return -1;\n"
"		return 0;\n"
"	}\n"
"	mg_log(ctx, \"dialect %s\", d);\n"
"	if (mg_exec(ctx, \"CREATE TABLE a (x int)\") != 0 ||\n"
"	    mg_execf(ctx, \"INSERT INTO %s VALUES (%s, %s, %s)\",\n"
"	    mg_quote_ident(ctx, \"we\\\"ird\"), mg_quote_literal(ctx, \"it's\"),\n"
"	    mg_quote_literal(ctx, \"back\\\\slash\"), mg_quote_literal(ctx, NULL)) != 0)\n"
"		return -1;\n"
"	if (mg_query(ctx, \"SELECT x\", sum_row, &sum) != 0)\n"
"		return -1;\n"
"	mg_log(ctx, \"sum %lld\\n\", sum);\n"
"	if (mg_create_table(ctx, \"users\", cols, 2) != 0 ||\n"
"	    mg_create_index(ctx, \"ix_users_name\", \"users\", ix,\n"
"	    MG_UNIQUE | MG_CONCURRENTLY, \"name <> ''\") != 0 ||\n"
"	    mg_add_foreign_key(ctx, \"fk\", \"posts\", ref, \"users\", ref,\n"
"	    \"CASCADE\") != 0 ||\n"
"	    mg_alter_column(ctx, \"users\", \"name\", &alter) != 0 ||\n"
"	    mg_add_check(ctx, \"ck\", \"users\", \"id > 0\") != 0 ||\n"
"	    mg_drop_index(ctx, \"ix_old\", 0) != 0)\n"
"		return -1;\n"
"	return 0;\n"
"}\n"
"\n"
"int\n"
"migrate_downgrade(mg_ctx *ctx)\n"
"{\n"
"	return mg_drop_table(ctx, \"users\");\n"
"}\n";

static char		*dir;
static struct revision	 rev;
static struct plugin	*plug;
static struct mg_error	 err = MG_ERROR_INIT;
static struct strbuf	 calls = STRBUF_INIT;	/* what the host saw */
static struct plugin_host host;

static int
fake_exec(void *arg, const char *sql, struct mg_error *e)
{
	strbuf_addf(&calls, "exec %s\n", sql);
	if (strncmp(sql, "FAIL", 4) == 0) {
		mg_error_set(e, MG_EDB, "syntax error at or near \"FAIL\"");
		strcpy(e->sqlstate, "42601");
		strbuf_addstr(&e->hint, "a hint");
		return MG_EDB;
	}
	cr_assert_eq(arg, &calls);
	return 0;
}

static int
fake_query(void *arg, const char *sql, int (*row)(void *, int, char *const *),
    void *payload, struct mg_error *e)
{
	char	 a[] = "1", b[] = "t", c[] = "0.5", d[] = "20", f[] = "1.25";
	char	*r1[] = { a, b, c };
	char	*r2[] = { d, NULL, f };
	int	 rc;

	(void)arg;
	(void)e;
	strbuf_addf(&calls, "query %s\n", sql);
	if ((rc = row(payload, 3, r1)) != 0)
		return rc;
	return row(payload, 3, r2);
}

static int
fake_ddl(void *arg, const struct plugin_op *op, struct mg_error *e)
{
	int	i;

	(void)arg;
	(void)e;
	strbuf_addf(&calls, "ddl %d", (int)op->kind);
	if (op->table)
		strbuf_addf(&calls, " table=%s", op->table);
	if (op->name)
		strbuf_addf(&calls, " name=%s", op->name);
	if (op->column)
		strbuf_addf(&calls, " column=%s", op->column);
	for (i = 0; i < op->ncolumns; i++)
		strbuf_addf(&calls, " col=%s:%s:%d:%s", op->columns[i].name,
		    op->columns[i].type, op->columns[i].flags,
		    op->columns[i].default_sql ? op->columns[i].default_sql :
		    "-");
	for (i = 0; i < op->ncols; i++)
		strbuf_addf(&calls, " cols[%d]=%s", i, op->cols[i]);
	if (op->flags)
		strbuf_addf(&calls, " flags=%d", op->flags);
	if (op->where)
		strbuf_addf(&calls, " where=%s", op->where);
	if (op->ref_table)
		strbuf_addf(&calls, " ref=%s(%s)", op->ref_table,
		    op->ref_cols[0]);
	if (op->on_delete)
		strbuf_addf(&calls, " on_delete=%s", op->on_delete);
	if (op->expr)
		strbuf_addf(&calls, " expr=%s", op->expr);
	if (op->alter)
		strbuf_addf(&calls, " alter=%s:%d:%d:%s", op->alter->type,
		    op->alter->nullable, op->alter->drop_default,
		    op->alter->rename);
	strbuf_addch(&calls, '\n');
	return 0;
}

static void
fake_log(void *arg, const char *msg)
{
	(void)arg;
	strbuf_addf(&calls, "log %s\n", msg);
}

static void
write_text(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	cr_assert_not_null(fp, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

static void
setup(void)
{
	char	*p;

	dir = xstrdup("/tmp/migrate-test-plugin.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	p = xasprintf("%s/versions", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	free(p);
	rev.id = xstrdup("0001");
	rev.filename = xstrdup("0001_plugin.c");
	rev.path = xasprintf("%s/versions/0001_plugin.c", dir);
	rev.is_c = 1;
	write_text(rev.path, plugin_src);
	host.arg = &calls;
	host.dialect = "sqlite";
	host.exec = fake_exec;
	host.query = fake_query;
	host.ddl = fake_ddl;
	host.log = fake_log;
	/* Never the user's cache. */
	p = xasprintf("%s/cache", dir);
	setenv("MIGRATE_CACHE_DIR", p, 1);
	free(p);
	unsetenv("CC");
}

static void
teardown(void)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	plugin_free(plug);
	plug = NULL;
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	free(dir);
	free(rev.path);
	free(rev.id);
	free(rev.filename);
	strbuf_release(&calls);
	mg_error_clear(&err);
}

TestSuite(plugin, .init = setup, .fini = teardown);

static void
load(void)
{
	char	*versions = xasprintf("%s/versions", dir);
	int	 rc = plugin_load(&plug, &rev, NULL, versions, &err);

	free(versions);
	cr_assert_eq(rc, 0, "plugin_load: %s\n%s", err.msg.buf,
	    err.detail.buf);
	cr_assert_not_null(plug);
}

static int
run(const char *dialect, int up)
{
	host.dialect = dialect;
	strbuf_reset(&calls);
	mg_error_clear(&err);
	return plugin_run(plug, up, &host, &err);
}

Test(plugin, runs_against_the_host)
{
	const char	*want =
	    "log dialect sqlite\n"
	    "exec CREATE TABLE a (x int)\n"
	    "exec INSERT INTO \"we\"\"ird\" VALUES ('it''s', 'back\\slash', "
	    "NULL)\n"
	    "query SELECT x\n"
	    /* 1 + 1000 + 50, then 20 + 125 + 100000 (NULL) */
	    "log sum 101196\n"
	    "ddl 0 table=users col=id:bigint:2:- col=name:text:1:''\n"
	    "ddl 6 table=users name=ix_users_name cols[0]=name flags=12 "
	    "where=name <> ''\n"
	    "ddl 8 table=posts name=fk cols[0]=id ref=users(id) "
	    "on_delete=CASCADE\n"
	    "ddl 5 table=users column=name alter=varchar(10):0:1:nm\n"
	    "ddl 10 table=users name=ck expr=id > 0\n"
	    "ddl 7 name=ix_old\n";

	load();
	cr_assert_eq(run("sqlite", 1), 0, "%s", err.msg.buf);
	cr_assert_str_eq(calls.buf, want);
	cr_assert_eq(run("sqlite", 0), 0, "%s", err.msg.buf);
	cr_assert_str_eq(calls.buf, "ddl 1 table=users\n");
}

Test(plugin, postgres_literal_with_backslash)
{
	load();
	cr_assert_eq(run("postgresql", 1), 0, "%s", err.msg.buf);
	cr_assert(strstr(calls.buf, "VALUES ('it''s', E'back\\\\slash', "
	    "NULL)") != NULL, "%s", calls.buf);
}

Test(plugin, nonzero_return)
{
	load();
	cr_assert_eq(run("ret", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "'migrate_upgrade' returned 7");
	cr_assert_str_eq(err.file, rev.path);
}

Test(plugin, mg_fail_message)
{
	load();
	cr_assert_eq(run("fail", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "bad data in t");
	cr_assert_str_eq(err.file, rev.path);
}

Test(plugin, failed_exec_fails_even_if_ignored)
{
	load();
	cr_assert_eq(run("dbfail", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "syntax error at or near \"FAIL\"");
	cr_assert_str_eq(err.sqlstate, "42601");
	cr_assert_str_eq(err.hint.buf, "a hint");
	cr_assert_str_eq(err.file, rev.path);
	/* Nothing runs after the failure. */
	cr_assert_str_eq(calls.buf, "exec FAIL 1\n");
}

Test(plugin, mg_fail_after_db_error_keeps_it_as_detail)
{
	load();
	cr_assert_eq(run("dbfail-msg", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "cannot backfill: syntax error at or "
	    "near \"FAIL\"");
	/* Quoted in the message: not repeated as the detail. */
	cr_assert_str_eq(err.detail.buf, "");
	cr_assert_str_eq(err.sqlstate, "42601");
}

Test(plugin, mg_fail_after_db_error_moves_it_to_the_detail)
{
	load();
	cr_assert_eq(run("dbfail-own", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "cannot backfill");
	cr_assert_str_eq(err.detail.buf, "syntax error at or near \"FAIL\"");
	cr_assert_str_eq(err.hint.buf, "a hint");
}

Test(plugin, misuse_is_an_error)
{
	load();
	cr_assert_eq(run("misuse", 1), MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "mg_create_index: no columns (a "
	    "NULL-terminated list of names)");
	cr_assert_str_eq(calls.buf, "");
}

Test(plugin, row_callback_stops_the_query)
{
	load();
	cr_assert_eq(run("stop", 1), MG_EDB);
	cr_assert_str_eq(err.msg.buf, "stopped at the first row");
}

Test(plugin, query_fails_offline)
{
	load();
	host.query = NULL;
	cr_assert_eq(run("offline", 1), MG_EUSAGE);
	cr_assert(strstr(err.msg.buf, "offline (--sql) mode") != NULL, "%s",
	    err.msg.buf);
}

Test(plugin, cached_then_reused)
{
	struct stat	st1, st2;
	char		*so;

	load();
	so = xstrdup(plugin_path(plug));
	cr_assert(strstr(so, "/cache/plugins/0001-") != NULL, "%s", so);
	cr_assert_eq(stat(so, &st1), 0);
	plugin_free(plug);
	plug = NULL;
	/* The cached file is used as it is: not compiled again. */
	load();
	cr_assert_str_eq(plugin_path(plug), so);
	cr_assert_eq(stat(so, &st2), 0);
	cr_assert_eq(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	cr_assert_eq(st1.st_ino, st2.st_ino);
	free(so);
}

Test(plugin, another_cc_builds_again)
{
	char	*first;

	load();
	first = xstrdup(plugin_path(plug));
	plugin_free(plug);
	plug = NULL;
	setenv("CC", "cc -O1", 1);
	load();
	cr_assert_str_neq(plugin_path(plug), first);
	free(first);
}

Test(plugin, shipped_dir_first_and_no_compiler_needed)
{
	struct strbuf	 so = STRBUF_INIT;
	char		*out = xasprintf("%s/versions/.migrate-plugins", dir);
	int		 built = -1;

	cr_assert_eq(plugin_compile(&so, &built, &rev, out, &err), 0, "%s",
	    err.msg.buf);
	cr_assert_eq(built, 1);
	setenv("CC", "false", 1);
	load();
	cr_assert_str_eq(plugin_path(plug), so.buf);
	cr_assert_eq(run("sqlite", 0), 0);
	strbuf_release(&so);
	cr_assert_eq(plugin_compile(&so, &built, &rev, out, &err), 0);
	cr_assert_eq(built, 0);
	strbuf_release(&so);
	free(out);
}

Test(plugin, no_cache_compiles_into_a_temporary_dir)
{
	setenv("MIGRATE_CACHE_DIR", "", 1);
	load();
	cr_assert(access(plugin_path(plug), F_OK) != 0, "%s is left behind",
	    plugin_path(plug));
	cr_assert_eq(run("sqlite", 0), 0);
}

Test(plugin, compile_error)
{
	write_text(rev.path, "int migrate_upgrade(mg_ctx *c) { return 0 }\n");
	cr_assert_eq(plugin_load(&plug, &rev, NULL, dir, &err), MG_EREVISION);
	cr_assert_null(plug);
	cr_assert_str_eq(err.msg.buf, "cannot compile plugin");
	cr_assert_str_eq(err.file, rev.path);
	cr_assert(strstr(err.detail.buf, "0001_plugin.c:1:") != NULL, "%s",
	    err.detail.buf);
}

Test(plugin, missing_downgrade)
{
	write_text(rev.path, "#include <migrate/plugin.h>\n"
	    "int migrate_upgrade(mg_ctx *c) { (void)c; return 0; }\n");
	cr_assert_eq(plugin_load(&plug, &rev, NULL, dir, &err), MG_EREVISION);
	cr_assert_str_eq(err.msg.buf, "plugin does not define "
	    "'migrate_downgrade'");
}

Test(plugin, abi_mismatch)
{
	write_text(rev.path, "#include <migrate/plugin.h>\n"
	    "const int migrate_plugin_abi = MG_PLUGIN_ABI + 1;\n"
	    "int migrate_upgrade(mg_ctx *c) { (void)c; return 0; }\n"
	    "int migrate_downgrade(mg_ctx *c) { (void)c; return 0; }\n");
	cr_assert_eq(plugin_load(&plug, &rev, NULL, dir, &err), MG_EREVISION);
	cr_assert(strstr(err.msg.buf, "was built for plugin ABI 2, not 1") !=
	    NULL, "%s", err.msg.buf);
}

Test(plugin, prune_keeps_what_is_listed)
{
	struct strbuf	 removed = STRBUF_INIT;
	const char	*keep[] = { "0001-0123456789abcdef.so" };
	char		*p;

	p = xasprintf("%s/0001-0123456789abcdef.so", dir);
	write_text(p, "x");
	free(p);
	p = xasprintf("%s/0001-fedcba9876543210.so", dir);
	write_text(p, "x");
	free(p);
	p = xasprintf("%s/notes.so", dir);
	write_text(p, "x");
	free(p);
	cr_assert_eq(plugin_prune(&removed, dir, keep, 1, &err), 0);
	p = xasprintf("%s/0001-fedcba9876543210.so\n", dir);
	cr_assert_str_eq(removed.buf, p);
	free(p);
	strbuf_release(&removed);
}
