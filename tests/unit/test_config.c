#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

/* Criterion's cr_assert_* macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "config.h"
#include "error.h"
#include "strbuf.h"

static char		 tmpdir[64];
static char		 ini_path[128];
static struct config	*cfg;
static struct mg_error	 err = MG_ERROR_INIT;

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/mgcfg-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(ini_path, sizeof(ini_path), "%s/migrate.ini", tmpdir);
	unsetenv("DATABASE_URL");
	unsetenv("MIGRATE_CONFIG");
	cfg = NULL;
}

static void
teardown(void)
{
	config_free(cfg);
	cfg = NULL;
	mg_error_clear(&err);
	unlink(ini_path);
	rmdir(tmpdir);
}

TestSuite(config, .init = setup, .fini = teardown);

static void
write_ini(const char *text)
{
	FILE	*fp;

	cr_assert_not_null(fp = fopen(ini_path, "w"));
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
}

static int
load(const char *env, const char *url)
{
	struct config_opts	o = { ini_path, env, url };

	return config_load(&cfg, &o, &err);
}

/* Load text and expect a MG_ECONFIG at line with msg in the message. */
static void
expect_error(const char *text, const char *env, int line, const char *msg)
{
	write_ini(text);
	cr_assert_eq(load(env, NULL), MG_ECONFIG, "loaded: %s", text);
	cr_assert_null(cfg);
	cr_assert_eq(err.code, MG_ECONFIG);
	cr_assert_eq(err.line, line, "line %d, want %d (%s)", err.line, line,
	    err.msg.buf);
	if (line > 0)
		cr_assert_str_eq(err.file, ini_path);
	cr_assert_not_null(strstr(err.msg.buf, msg), "message '%s' lacks '%s'",
	    err.msg.buf, msg);
}

Test(config, defaults)
{
	write_ini("[migrate]\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->path, ini_path);
	cr_assert_str_eq(cfg->dir, tmpdir);
	cr_assert_null(cfg->env);
	cr_assert_null(cfg->url);
	cr_assert_eq(cfg->url_origin, URL_FROM_NONE);
	cr_assert_str_eq(cfg->version_table, "migrate_version");
	cr_assert_eq(cfg->revision_id, REVID_SEQUENCE);
	cr_assert_eq(cfg->transaction, TXN_PER_REVISION);
	cr_assert_eq(cfg->lock_wait_ms, 60000);
	cr_assert_eq(cfg->lock_timeout_ms, 10000);
	cr_assert_eq(cfg->statement_timeout_ms, 0);
	cr_assert_str_eq(cfg->template, "sql");
	cr_assert_eq(cfg->confirm, 0);
	cr_assert_eq(cfg->backup, 0);
}

Test(config, empty_file_is_all_defaults)
{
	write_ini("");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->version_table, "migrate_version");
	cr_assert_eq(cfg->lock_wait_ms, 60000);
}

Test(config, every_key)
{
	write_ini("[migrate]\n"
	    "script_location = /srv/revs\n"
	    "url = sqlite:///x.db\n"
	    "version_table = app.versions\n"
	    "revision_id = timestamp\n"
	    "transaction = none\n"
	    "lock_wait = 2m\n"
	    "lock_timeout = 500ms\n"
	    "statement_timeout = 1h\n"
	    "template = c\n"
	    "confirm = Yes\n"
	    "backup = on\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->script_location, "/srv/revs");
	cr_assert_str_eq(cfg->url, "sqlite:///x.db");
	cr_assert_eq(cfg->url_origin, URL_FROM_FILE);
	cr_assert_str_eq(cfg->version_table, "app.versions");
	cr_assert_eq(cfg->revision_id, REVID_TIMESTAMP);
	cr_assert_eq(cfg->transaction, TXN_NONE);
	cr_assert_eq(cfg->lock_wait_ms, 120000);
	cr_assert_eq(cfg->lock_timeout_ms, 500);
	cr_assert_eq(cfg->statement_timeout_ms, 3600000);
	cr_assert_str_eq(cfg->template, "c");
	cr_assert_eq(cfg->confirm, 1);
	cr_assert_eq(cfg->backup, 1);
}

Test(config, other_enum_values)
{
	write_ini("[migrate]\nrevision_id = hex\ntransaction = all\n"
	    "confirm = 0\nbackup = FALSE\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->revision_id, REVID_HEX);
	cr_assert_eq(cfg->transaction, TXN_ALL);
	cr_assert_eq(cfg->confirm, 0);
	cr_assert_eq(cfg->backup, 0);
}

/* DESIGN.md's example file, inline comments and all. */
Test(config, design_example_inline_comments)
{
	char	want[160];

	write_ini("[migrate]\n"
	    "script_location = versions      ; revision directory\n"
	    "url = sqlite:///app.db          ; default database\n"
	    "version_table = migrate_version\n"
	    "revision_id = sequence          ; sequence | hex | timestamp\n"
	    "transaction = per-revision      ; per-revision | all | none\n"
	    "lock_wait = 60s                 ; how long to wait\n"
	    "lock_timeout = 10s\t; tab before the comment\n"
	    "statement_timeout = 0           ; 0 = none\n"
	    "template = sql                  ; default template\n"
	    "\n"
	    "# a comment line\n"
	    "[env:staging]\n"
	    "url = postgresql://app:${STAGING_PASSWORD}@db.staging/app\n"
	    "\n"
	    "[env:production]\n"
	    "url = ${PROD_DATABASE_URL}\n"
	    "confirm = yes                   ; ask first\n"
	    "backup = yes                    ; back up first\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///app.db");
	snprintf(want, sizeof(want), "%s/versions", tmpdir);
	cr_assert_str_eq(cfg->script_location, want);
	cr_assert_eq(cfg->lock_wait_ms, 60000);
	cr_assert_eq(cfg->lock_timeout_ms, 10000);
	cr_assert_str_eq(cfg->template, "sql");
	cr_assert_eq(cfg->confirm, 0);
}

Test(config, semicolon_without_space_is_part_of_value)
{
	write_ini("[migrate]\nurl = postgresql:///db?options=a;b ; note\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "postgresql:///db?options=a;b");
}

Test(config, env_section_overrides_migrate)
{
	write_ini("[migrate]\ntransaction = all\nconfirm = no\n"
	    "lock_wait = 5s\n"
	    "[env:prod]\nconfirm = yes\nlock_wait = 90\n");
	cr_assert_eq(load("prod", NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->env, "prod");
	cr_assert_eq(cfg->confirm, 1);
	cr_assert_eq(cfg->lock_wait_ms, 90000);
	cr_assert_eq(cfg->transaction, TXN_ALL);	/* inherited */
}

Test(config, env_section_unused_without_e)
{
	write_ini("[migrate]\nconfirm = no\n[env:prod]\nconfirm = yes\n"
	    "url = sqlite:///prod.db\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->confirm, 0);
	cr_assert_null(cfg->url);
}

Test(config, empty_env_section_is_selectable)
{
	write_ini("[migrate]\nbackup = yes\n[env:dev]\n");
	cr_assert_eq(load("dev", NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->backup, 1);
}

Test(config, unknown_env_lists_available)
{
	char	want[200];

	write_ini("[migrate]\n[env:staging]\n[env:production]\n");
	cr_assert_eq(load("prod", NULL), MG_ECONFIG);
	cr_assert_null(cfg);
	snprintf(want, sizeof(want), "no section [env:prod] in '%s'",
	    ini_path);
	cr_assert_str_eq(err.msg.buf, want);
	cr_assert_str_eq(err.hint.buf, "Environments: staging, production.");
}

Test(config, unknown_env_without_env_sections)
{
	write_ini("[migrate]\n");
	cr_assert_eq(load("prod", NULL), MG_ECONFIG);
	cr_assert_not_null(strstr(err.hint.buf, "no [env:NAME] section"));
}

static const char precedence_ini[] =
    "[migrate]\nurl = sqlite:///file.db\n"
    "[env:ci]\nurl = sqlite:///env.db\n";

Test(config, url_precedence_flag_first)
{
	write_ini(precedence_ini);
	setenv("DATABASE_URL", "sqlite:///environ.db", 1);
	cr_assert_eq(load("ci", "sqlite:///flag.db"), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///flag.db");
	cr_assert_eq(cfg->url_origin, URL_FROM_FLAG);
}

Test(config, url_precedence_env_section_second)
{
	write_ini(precedence_ini);
	setenv("DATABASE_URL", "sqlite:///environ.db", 1);
	cr_assert_eq(load("ci", NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///env.db");
	cr_assert_eq(cfg->url_origin, URL_FROM_ENV_SECTION);
}

Test(config, url_precedence_database_url_third)
{
	write_ini(precedence_ini);
	setenv("DATABASE_URL", "sqlite:///environ.db", 1);
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///environ.db");
	cr_assert_eq(cfg->url_origin, URL_FROM_ENVIRONMENT);
}

Test(config, url_precedence_file_last)
{
	write_ini(precedence_ini);
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///file.db");
	cr_assert_eq(cfg->url_origin, URL_FROM_FILE);
}

Test(config, empty_database_url_is_unset)
{
	write_ini(precedence_ini);
	setenv("DATABASE_URL", "", 1);
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->url_origin, URL_FROM_FILE);
}

Test(config, env_section_without_url_falls_through)
{
	write_ini("[migrate]\nurl = sqlite:///file.db\n[env:ci]\nbackup = 1\n");
	setenv("DATABASE_URL", "postgresql:///ci", 1);
	cr_assert_eq(load("ci", NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "postgresql:///ci");
	cr_assert_eq(cfg->url_origin, URL_FROM_ENVIRONMENT);
}

Test(config, expands_variables_in_url)
{
	write_ini("[env:staging]\n"
	    "url = postgresql://app:${MG_TEST_PW}@db/${MG_TEST_DB}\n");
	setenv("MG_TEST_PW", "s3cret", 1);
	setenv("MG_TEST_DB", "app", 1);
	cr_assert_eq(load("staging", NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "postgresql://app:s3cret@db/app");
}

Test(config, expands_variables_in_other_keys)
{
	write_ini("[migrate]\nlock_wait = ${MG_TEST_WAIT}\n"
	    "script_location = ${MG_TEST_DIR}/revs\n");
	setenv("MG_TEST_WAIT", "3s", 1);
	setenv("MG_TEST_DIR", "/opt", 1);
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->lock_wait_ms, 3000);
	cr_assert_str_eq(cfg->script_location, "/opt/revs");
}

Test(config, expanded_value_is_validated)
{
	setenv("MG_TEST_TXN", "sometimes", 1);
	expect_error("[migrate]\n\ntransaction = ${MG_TEST_TXN}\n", NULL, 3,
	    "invalid value 'sometimes' for 'transaction'");
}

Test(config, unset_variable_names_it_and_line)
{
	unsetenv("PROD_DATABASE_URL");
	expect_error("[migrate]\n[env:production]\n; comment\n"
	    "url = ${PROD_DATABASE_URL}\n", "production", 4,
	    "environment variable 'PROD_DATABASE_URL' is not set");
	cr_assert_str_eq(err.msg.buf,
	    "environment variable 'PROD_DATABASE_URL' is not set");
}

Test(config, other_env_unset_variable_is_no_error)
{
	unsetenv("MG_TEST_UNSET");
	write_ini("[migrate]\nurl = sqlite:///a.db\n"
	    "[env:production]\nurl = ${MG_TEST_UNSET}\n"
	    "lock_wait = ${MG_TEST_UNSET}\n"
	    "[env:dev]\nbackup = yes\n");
	cr_assert_eq(load("dev", NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///a.db");
	cr_assert_eq(cfg->backup, 1);
	config_free(cfg);
	cfg = NULL;
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
}

/* Only the URL in use is expanded. */
Test(config, overridden_url_is_not_expanded)
{
	unsetenv("MG_TEST_UNSET");
	write_ini("[migrate]\nurl = postgresql://u:${MG_TEST_UNSET}@h/db\n");
	cr_assert_eq(load(NULL, "sqlite:///flag.db"), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///flag.db");
	config_free(cfg);
	cfg = NULL;
	cr_assert_eq(load(NULL, NULL), MG_ECONFIG);
	cr_assert_eq(err.line, 2);
}

Test(config, unknown_key_with_line)
{
	expect_error("[migrate]\nurl = sqlite:///a.db\nfoo = 1\n", NULL, 3,
	    "unknown key 'foo' in section [migrate]");
	cr_assert_not_null(strstr(err.hint.buf, "script_location"));
}

Test(config, unknown_key_in_env_section)
{
	expect_error("[migrate]\n[env:prod]\nurll = x\n", NULL, 3,
	    "unknown key 'urll' in section [env:prod]");
}

Test(config, unknown_section_with_line)
{
	expect_error("[migrate]\n\n[alembic]\nurl = x\n", NULL, 3,
	    "unknown section [alembic]");
}

Test(config, bad_section_lines)
{
	expect_error("[migrate\n", NULL, 1, "malformed section line");
	mg_error_clear(&err);
	expect_error("[migrate]\n[env:]\n", NULL, 2,
	    "invalid environment name");
	mg_error_clear(&err);
	expect_error("[migrate] extra\n", NULL, 1, "malformed section line");
	mg_error_clear(&err);
	expect_error("[migrate]\n[migrate]\n", NULL, 2,
	    "duplicate section [migrate]");
}

Test(config, section_with_inline_comment_and_long_env_name)
{
	write_ini("[migrate]   ; main\n"
	    "[env:a-very-long-environment-name-that-inih-would-truncate.x]\n"
	    "confirm = yes\n");
	cr_assert_eq(load("a-very-long-environment-name-that-inih-would-"
	    "truncate.x", NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->confirm, 1);
}

Test(config, key_outside_section)
{
	expect_error("url = sqlite:///a.db\n", NULL, 1,
	    "key 'url' is outside any section");
}

Test(config, malformed_line_reported_by_inih)
{
	expect_error("[migrate]\nurl = sqlite:///a.db\njust words\n", NULL, 3,
	    "malformed line");
}

Test(config, duplicate_key)
{
	expect_error("[migrate]\nurl = a\nurl = b\n", NULL, 3,
	    "duplicate key 'url' in section [migrate]");
	cr_assert_not_null(strstr(err.hint.buf, "line 2"));
}

Test(config, indented_continuation_refused)
{
	expect_error("[migrate]\nurl = sqlite:///a.db\n  backup = yes\n",
	    NULL, 3, "unexpected indented line");
}

Test(config, crlf_and_bom)
{
	write_ini("\xEF\xBB\xBF[migrate]\r\nurl = sqlite:///a.db\r\n"
	    "backup = yes\r\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->url, "sqlite:///a.db");
	cr_assert_eq(cfg->backup, 1);
}

Test(config, long_line_refused_not_split)
{
	struct strbuf	sb = STRBUF_INIT;
	int		i;

	strbuf_addstr(&sb, "[migrate]\nurl = sqlite:///");
	for (i = 0; i < 300; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, ".db\n");
	expect_error(sb.buf, NULL, 2, "line too long");
	cr_assert_not_null(strstr(err.hint.buf, "${NAME}"));
	strbuf_release(&sb);
}

Test(config, bad_transaction_lists_values)
{
	expect_error("[migrate]\ntransaction = sometimes\n", NULL, 2,
	    "invalid value 'sometimes' for 'transaction'");
	cr_assert_str_eq(err.hint.buf,
	    "Accepted values: per-revision, all, none.");
}

Test(config, bad_enum_and_bool_values)
{
	expect_error("[migrate]\nrevision_id = uuid\n", NULL, 2,
	    "invalid value 'uuid' for 'revision_id'");
	cr_assert_not_null(strstr(err.hint.buf, "sequence, hex, timestamp"));
	mg_error_clear(&err);
	expect_error("[migrate]\ntemplate = python\n", NULL, 2,
	    "invalid value 'python' for 'template'");
	mg_error_clear(&err);
	expect_error("[migrate]\nconfirm = maybe\n", NULL, 2,
	    "invalid value 'maybe' for 'confirm'");
	cr_assert_not_null(strstr(err.hint.buf, "yes, no"));
	mg_error_clear(&err);
	expect_error("[migrate]\nscript_location =\n", NULL, 2,
	    "empty value for 'script_location'");
}

Test(config, bad_duration_value)
{
	expect_error("[migrate]\n\n\nlock_timeout = 10 seconds\n", NULL, 4,
	    "invalid value '10 seconds' for 'lock_timeout'");
	cr_assert_not_null(strstr(err.hint.buf, "500ms"));
}

/* A literal mistake is reported even in a section not in use. */
Test(config, bad_literal_value_in_unused_section)
{
	expect_error("[migrate]\n[env:prod]\nbackup = perhaps\n", NULL, 3,
	    "invalid value 'perhaps' for 'backup'");
}

Test(config, version_table_names)
{
	write_ini("[migrate]\nversion_table = _v2\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->version_table, "_v2");
	config_free(cfg);
	cfg = NULL;
	expect_error("[migrate]\nversion_table = a.b.c\n", NULL, 2,
	    "invalid value 'a.b.c' for 'version_table'");
	mg_error_clear(&err);
	expect_error("[migrate]\nversion_table = 1table\n", NULL, 2,
	    "'1table'");
	mg_error_clear(&err);
	expect_error("[migrate]\nversion_table = x;drop\n", NULL, 2,
	    "'x;drop'");
	mg_error_clear(&err);
	expect_error("[migrate]\nversion_table = schema.\n", NULL, 2,
	    "'schema.'");
}

Test(config, missing_file)
{
	struct config_opts	o = { "/nonexistent/dir/migrate.ini", NULL,
	    NULL };

	cr_assert_eq(config_load(&cfg, &o, &err), MG_ECONFIG);
	cr_assert_null(cfg);
	cr_assert_str_eq(err.msg.buf, "cannot open "
	    "'/nonexistent/dir/migrate.ini': No such file or directory");
	cr_assert_str_eq(err.hint.buf,
	    "Run 'migrate init' to create one, or pass -c FILE.");
}

Test(config, migrate_config_variable)
{
	struct config_opts	o = { NULL, NULL, NULL };

	write_ini("[migrate]\ntemplate = c\n");
	setenv("MIGRATE_CONFIG", ini_path, 1);
	cr_assert_eq(config_load(&cfg, &o, &err), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->path, ini_path);
	cr_assert_str_eq(cfg->template, "c");
}

Test(config, flag_path_beats_migrate_config)
{
	struct config_opts	o = { NULL, NULL, NULL };

	write_ini("[migrate]\n");
	o.path = ini_path;
	setenv("MIGRATE_CONFIG", "/nonexistent.ini", 1);
	cr_assert_eq(config_load(&cfg, &o, &err), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->path, ini_path);
}

Test(config, default_path_in_cwd)
{
	write_ini("[migrate]\nscript_location = revs\n");
	cr_assert_eq(chdir(tmpdir), 0);
	cr_assert_eq(config_load(&cfg, NULL, &err), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->path, "migrate.ini");
	cr_assert_str_eq(cfg->dir, ".");
	cr_assert_str_eq(cfg->script_location, "revs");
}

Test(config, default_path_missing)
{
	cr_assert_eq(chdir(tmpdir), 0);
	cr_assert_eq(config_load(&cfg, NULL, &err), MG_ECONFIG);
	cr_assert_not_null(strstr(err.msg.buf, "cannot open 'migrate.ini'"));
}

Test(config, script_location_relative_to_config_dir)
{
	char	want[160];

	write_ini("[migrate]\nscript_location = db/revs\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	snprintf(want, sizeof(want), "%s/db/revs", tmpdir);
	cr_assert_str_eq(cfg->script_location, want);
	config_free(cfg);
	cfg = NULL;
	write_ini("[migrate]\nscript_location = /abs/revs\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_str_eq(cfg->script_location, "/abs/revs");
}

Test(config, durations)
{
	long	ms = -1;

	cr_assert_eq(config_parse_duration("60s", &ms), 0);
	cr_assert_eq(ms, 60000);
	cr_assert_eq(config_parse_duration("500ms", &ms), 0);
	cr_assert_eq(ms, 500);
	cr_assert_eq(config_parse_duration("2m", &ms), 0);
	cr_assert_eq(ms, 120000);
	cr_assert_eq(config_parse_duration("1h", &ms), 0);
	cr_assert_eq(ms, 3600000);
	cr_assert_eq(config_parse_duration("45", &ms), 0);
	cr_assert_eq(ms, 45000);
	cr_assert_eq(config_parse_duration("0", &ms), 0);
	cr_assert_eq(ms, 0);
}

Test(config, durations_rejected)
{
	static const char *const bad[] = {
		"", "-5", "-5s", "+5", "s", "5x", "5 s", " 5", "5.5s", "5ss",
		"1d", "ms", "99999999999999999999", "596524h", "2147484s",
		"2147483648ms", NULL
	};
	const char *const	*b;
	long			 ms = 7;

	for (b = bad; *b; b++) {
		cr_assert_eq(config_parse_duration(*b, &ms), -1, "'%s'", *b);
		cr_assert_eq(ms, 7, "'%s' changed *ms", *b);
	}
	cr_assert_eq(config_parse_duration(NULL, &ms), -1);
	cr_assert_eq(config_parse_duration("2147483647ms", &ms), 0);
	cr_assert_eq(ms, 2147483647L);
}

static int
expand(struct strbuf *out, const char *in)
{
	return config_expand(out, in, "f.ini", 9, &err);
}

Test(config, expand_literals)
{
	struct strbuf	sb = STRBUF_INIT;

	setenv("MG_TEST_A", "aa", 1);
	setenv("MG_TEST_EMPTY", "", 1);
	cr_assert_eq(expand(&sb, "x$y $ $$ $$${MG_TEST_A} ${MG_TEST_A}."
	    "${MG_TEST_EMPTY}$"), 0, "%s", err.msg.buf);
	cr_assert_str_eq(sb.buf, "x$y $ $$ $${MG_TEST_A} aa.$");
	strbuf_reset(&sb);
	cr_assert_eq(expand(&sb, "$${NOT_EXPANDED}"), 0);
	cr_assert_str_eq(sb.buf, "${NOT_EXPANDED}");
	strbuf_release(&sb);
}

Test(config, expand_errors)
{
	struct strbuf	sb = STRBUF_INIT;

	unsetenv("MG_TEST_UNSET");
	cr_assert_eq(expand(&sb, "a${MG_TEST_UNSET}"), MG_ECONFIG);
	cr_assert_str_eq(err.msg.buf,
	    "environment variable 'MG_TEST_UNSET' is not set");
	cr_assert_str_eq(err.file, "f.ini");
	cr_assert_eq(err.line, 9);
	cr_assert_eq(expand(&sb, "a${MG_TEST"), MG_ECONFIG);
	cr_assert_not_null(strstr(err.msg.buf, "unterminated"));
	cr_assert_eq(expand(&sb, "${}"), MG_ECONFIG);
	cr_assert_not_null(strstr(err.msg.buf, "empty variable name"));
	cr_assert_eq(expand(&sb, "${1A}"), MG_ECONFIG);
	cr_assert_str_eq(err.msg.buf, "invalid variable name '1A'");
	cr_assert_eq(expand(&sb, "${A-B}"), MG_ECONFIG);
	cr_assert_str_eq(err.msg.buf, "invalid variable name 'A-B'");
	strbuf_release(&sb);
}

Test(config, empty_url_value_is_unset)
{
	setenv("MG_TEST_EMPTY", "", 1);
	write_ini("[migrate]\nurl = sqlite:///file.db\n"
	    "[env:ci]\nurl = ${MG_TEST_EMPTY}\n");
	cr_assert_eq(load("ci", NULL), 0, "%s", err.msg.buf);
	cr_assert_eq(cfg->url_origin, URL_FROM_FILE);
	config_free(cfg);
	cfg = NULL;
	write_ini("[migrate]\nurl =\n");
	cr_assert_eq(load(NULL, NULL), 0, "%s", err.msg.buf);
	cr_assert_null(cfg->url);
	cr_assert_eq(cfg->url_origin, URL_FROM_NONE);
}
