/*
 * Unit tests for core/revision.c: header parsing (DESIGN.md "Revision
 * files"), id validation and list splitting, plus a few revision_scan
 * cases that need the whole file (a header without 'revision:'), run in a
 * temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define PATH	"versions/0001_x.sql"

static struct revision	*rev;
static int		 complete;
static struct mg_error	 err = MG_ERROR_INIT;
static struct strlist	 list;
static char		*tmpdir;
static struct revision_set scanned;

static void
rev_init(void)
{
	rev = xcalloc(1, sizeof(*rev));
	rev->path = xstrdup(PATH);
	rev->filename = xstrdup("0001_x.sql");
	complete = -1;
}

static void
rev_fini(void)
{
	revision_free(rev);
	rev = NULL;
	mg_error_clear(&err);
	strlist_clear(&list);
	revision_set_free(&scanned);
	if (tmpdir != NULL) {
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
		free(cmd);
		free(tmpdir);
		tmpdir = NULL;
	}
	fx_cleanup();
}

TestSuite(revision, .init = rev_init, .fini = rev_fini);

static int
parse_len(const char *text, size_t len, int is_c)
{
	rev->is_c = is_c;
	return revision_parse_header(rev, text, len, PATH, &complete, &err);
}

static int
parse(const char *text)
{
	return parse_len(text, strlen(text), 0);
}

static void
expect_ok(const char *text)
{
	int	rc = parse(text);

	cr_assert_eq(rc, 0, "parse failed: %s:%d: %s", err.file, err.line,
	    err.msg.buf);
	cr_assert_eq(complete, 1, "header not complete");
}

/* The error must be MG_EREVISION in PATH at line, its message has msg. */
static void
expect_error(int rc, int line, const char *msg)
{
	cr_assert_eq(rc, MG_EREVISION, "expected an error, got %d", rc);
	cr_assert_eq(err.code, MG_EREVISION);
	cr_assert_str_eq(err.file, PATH);
	cr_assert_eq(err.line, line, "line %d, want %d (%s)", err.line, line,
	    err.msg.buf);
	fx_assert_contains(err.msg.buf, msg);
}

static const char *
joined(const struct strlist *l)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	for (i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", l->v[i]);
	return fx_keep(strbuf_detach(&sb, NULL));
}

/* Header keys */

Test(revision, all_keys)
{
	expect_ok("-- revision: 0004\n"
	    "-- down_revision: 0003\n"
	    "-- branch_labels: shipping\n"
	    "-- depends_on:\n"
	    "-- message: add shipments table\n"
	    "-- create_date: 2026-11-21 10:00:00\n"
	    "\n"
	    "-- migrate:upgrade\n"
	    "CREATE TABLE shipments (id bigserial PRIMARY KEY);\n"
	    "\n"
	    "-- migrate:downgrade\n"
	    "DROP TABLE shipments;\n");
	cr_assert_str_eq(rev->id, "0004");
	cr_assert_eq(rev->id_line, 1);
	cr_assert_str_eq(joined(&rev->down), "0003");
	cr_assert_str_eq(joined(&rev->labels), "shipping");
	cr_assert_eq(rev->depends.n, 0);
	cr_assert_str_eq(rev->message, "add shipments table");
	cr_assert_str_eq(rev->create_date, "2026-11-21 10:00:00");
}

Test(revision, id_line_is_where_the_key_is)
{
	expect_ok("-- message: x\n-- down_revision: 0001\n-- revision: 0002\n"
	    "-- migrate:upgrade\n");
	cr_assert_str_eq(rev->id, "0002");
	cr_assert_eq(rev->id_line, 3);
}

Test(revision, free_text_comments_allowed)
{
	expect_ok("-- Adds the shipments table.\n"
	    "-- revision: 0001\n"
	    "--\n"
	    "-- adds the users table: see ticket 42\n"
	    "   -- indented prose, too\n"
	    "\n"
	    "-- migrate:upgrade\n");
	cr_assert_str_eq(rev->id, "0001");
	cr_assert_null(rev->message);
}

Test(revision, unknown_key_names_its_line)
{
	expect_error(parse("-- revision: 0001\n-- note: x\n"
	    "-- migrate:upgrade\n"), 2, "note");
}

Test(revision, crlf_line_endings)
{
	expect_ok("-- revision: 0001\r\n-- down_revision: 0000\r\n"
	    "-- message: windows\r\n-- migrate:upgrade\r\n");
	cr_assert_str_eq(rev->id, "0001");
	cr_assert_str_eq(joined(&rev->down), "0000");
	cr_assert_str_eq(rev->message, "windows");
}

Test(revision, keys_after_the_section_line_are_not_read)
{
	/* The loader stops at the first section line. */
	expect_ok("-- revision: 0001\n-- migrate:upgrade\n-- note: x\n"
	    "-- down_revision: 0009\n");
	cr_assert_eq(rev->down.n, 0);
}

/* down_revision, depends_on, branch_labels */

Test(revision, none_down_revision_is_a_root)
{
	expect_ok("-- revision: 0001\n-- down_revision: None\n"
	    "-- migrate:upgrade\n");
	cr_assert_eq(rev->down.n, 0);
	expect_ok("-- revision: 0001\n-- down_revision:\n"
	    "-- migrate:upgrade\n");
	cr_assert_eq(rev->down.n, 0);
}

Test(revision, comma_lists)
{
	expect_ok("-- revision: 0005\n"
	    "-- down_revision: 0003, 0004\n"
	    "-- depends_on: a1,b2 , c3\n"
	    "-- branch_labels: shipping, billing\n"
	    "-- migrate:upgrade\n");
	cr_assert_str_eq(joined(&rev->down), "0003|0004");
	cr_assert_str_eq(joined(&rev->depends), "a1|b2|c3");
	cr_assert_str_eq(joined(&rev->labels), "shipping|billing");
}

Test(revision, strlist_split_drops_empty_items)
{
	strlist_split(&list, "a, b,,c  d\t,e,");
	cr_assert_str_eq(joined(&list), "a|b|c|d|e");
	strlist_clear(&list);
	strlist_split(&list, "");
	cr_assert_eq(list.n, 0);
	strlist_split(&list, " , ,");
	cr_assert_eq(list.n, 0);
	/* It appends. */
	strlist_split(&list, "x");
	strlist_split(&list, "y,z");
	cr_assert_str_eq(joined(&list), "x|y|z");
}

/* C plugin headers */

Test(revision, c_header_comment)
{
	const char	*text = "/*\n"
	    " * revision: 0002\n"
	    " * down_revision: 0001\n"
	    " * message: add an index\n"
	    " */\n"
	    "#include <migrate/plugin.h>\n";
	int		 rc;

	rc = parse_len(text, strlen(text), 1);
	cr_assert_eq(rc, 0, "%s", err.msg.buf);
	cr_assert_eq(complete, 1);
	cr_assert_str_eq(rev->id, "0002");
	cr_assert_str_eq(joined(&rev->down), "0001");
	cr_assert_str_eq(rev->message, "add an index");
}

Test(revision, c_header_on_the_comment_lines)
{
	const char	*text = "/* revision: 0003\n"
	    "   down_revision: 0002 */\n"
	    "int migrate_upgrade(mg_ctx *c);\n";
	int		 rc;

	rc = parse_len(text, strlen(text), 1);
	cr_assert_eq(rc, 0, "%s", err.msg.buf);
	cr_assert_eq(complete, 1);
	cr_assert_str_eq(rev->id, "0003");
	cr_assert_str_eq(joined(&rev->down), "0002");
}

Test(revision, c_without_a_leading_comment)
{
	const char	*text = "#include <migrate/plugin.h>\n/* revision: 1 */\n";

	expect_error(parse_len(text, strlen(text), 1), 1, "revision");
}

Test(revision, c_header_unknown_key)
{
	const char	*text = "/*\n * revision: 0002\n * note: x\n */\n";

	expect_error(parse_len(text, strlen(text), 1), 3, "note");
}

/* Errors and structure */

Test(revision, nul_bytes)
{
	static const char text[] = "-- revision: 0001\n\0\n-- migrate:upgrade\n";

	cr_assert_eq(parse_len(text, sizeof(text) - 1, 0), MG_EREVISION);
	cr_assert_str_eq(err.file, PATH);
	fx_assert_contains(err.msg.buf, "NUL");
}

Test(revision, first_directive_downgrade)
{
	expect_error(parse("-- revision: 0001\n-- migrate:downgrade\n"
	    "DROP TABLE t;\n-- migrate:upgrade\n"), 2, "migrate:upgrade");
}

Test(revision, transaction_off_before_upgrade)
{
	expect_ok("-- revision: 0001\n-- migrate:transaction off\n"
	    "-- migrate:upgrade\nCREATE INDEX CONCURRENTLY i ON t (x);\n");
	cr_assert_str_eq(rev->id, "0001");
}

Test(revision, sql_before_the_section)
{
	expect_error(parse("-- revision: 0001\n\nCREATE TABLE t (id int);\n"
	    "-- migrate:upgrade\n"), 3, "SQL before");
	cr_assert_eq(err.col, 1);
}

Test(revision, sql_before_the_section_column)
{
	expect_error(parse("-- revision: 0001\n   SELECT 1;\n"
	    "-- migrate:upgrade\n"), 2, "SQL before");
	cr_assert_eq(err.col, 4);
}

/*
 * A line without "--" is SQL even when it looks like "key: value" and has
 * a '-' in it (revision.c at 5c62f37 tested memchr(p, '-', n) instead of a
 * leading "--" and accepted this line as a header key).
 */
Test(revision, key_line_without_comment_marker_is_sql)
{
	expect_error(parse("-- revision: 0001\n-- message: ok\n"
	    "message: add-users\n-- migrate:upgrade\n"), 3, "SQL before");
}

Test(revision, key_line_without_comment_marker_no_dash_is_sql)
{
	/* Same without a '-' in the line. */
	expect_error(parse("-- revision: 0001\nmessage: users\n"
	    "-- migrate:upgrade\n"), 2, "SQL before");
}

Test(revision, sql_before_any_revision_key)
{
	expect_error(parse("CREATE TABLE t (id int);\n-- revision: 0001\n"
	    "-- migrate:upgrade\n"), 1, "revision");
}

Test(revision, incomplete_buffer)
{
	const char	*text = "-- revision: 0001\n-- down_revision: 0000\n"
	    "-- migrate:upgrade\nSELECT 1;\n";
	size_t		 cut = strlen("-- revision: 0001\n-- down_rev");

	/* Ends inside a line: not complete, no error, what was read kept. */
	cr_assert_eq(parse_len(text, cut, 0), 0, "%s", err.msg.buf);
	cr_assert_eq(complete, 0);
	cr_assert_str_eq(rev->id, "0001");
	/* Ends inside the section line itself. */
	cut = strlen("-- revision: 0001\n-- down_revision: 0000\n-- migrate:up");
	cr_assert_eq(parse_len(text, cut, 0), 0);
	cr_assert_eq(complete, 0);
	/* Ends before the section line. */
	cut = strlen("-- revision: 0001\n-- down_revision: 0000\n");
	cr_assert_eq(parse_len(text, cut, 0), 0);
	cr_assert_eq(complete, 0);
	/* The whole buffer, parsed again into the same revision. */
	cr_assert_eq(parse(text), 0);
	cr_assert_eq(complete, 1);
	cr_assert_str_eq(joined(&rev->down), "0000", "re-parse duplicated "
	    "the list: %s", joined(&rev->down));
}

/* Whole files: checks that need the end of the header */

static const char *
write_file(const char *name, const char *text)
{
	char	*path;
	FILE	*fp;

	if (tmpdir == NULL) {
		char	tmpl[] = "/tmp/mg-test-revision.XXXXXX";

		cr_assert_not_null(mkdtemp(tmpl));
		tmpdir = xstrdup(tmpl);
	}
	path = fx_keep(xasprintf("%s/%s", tmpdir, name));
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

Test(revision, scan_reads_a_directory)
{
	int	rc;

	write_file("0002_b.sql", "-- revision: 0002\n-- down_revision: 0001\n"
	    "-- migrate:upgrade\nSELECT 2;\n");
	write_file("0001_a.sql", "-- revision: 0001\n-- migrate:upgrade\n");
	write_file("README.md", "# not a revision\n");
	rc = revision_scan(&scanned, tmpdir, &err);
	cr_assert_eq(rc, 0, "%s", err.msg.buf);
	cr_assert_eq(scanned.n, 2);
	cr_assert_str_eq(scanned.v[0]->id, "0001");
	cr_assert_str_eq(scanned.v[1]->id, "0002");
	cr_assert_str_eq(scanned.v[1]->filename, "0002_b.sql");
}

Test(revision, scan_missing_revision_key)
{
	const char	*path;

	path = write_file("0001_a.sql", "-- message: no id\n"
	    "-- migrate:upgrade\nSELECT 1;\n");
	cr_assert_eq(revision_scan(&scanned, tmpdir, &err), MG_EREVISION);
	cr_assert_str_eq(err.file, path);
	fx_assert_contains(err.msg.buf, "revision");
	cr_assert_eq(scanned.n, 0);
}

Test(revision, scan_file_name_must_start_with_the_id)
{
	const char	*path;

	path = write_file("0002_a.sql", "-- revision: 0001\n"
	    "-- migrate:upgrade\n");
	cr_assert_eq(revision_scan(&scanned, tmpdir, &err), MG_EREVISION);
	cr_assert_str_eq(err.file, path);
	fx_assert_contains(err.msg.buf, "0001");
}

Test(revision, scan_header_without_upgrade_section)
{
	write_file("0001_a.sql", "-- revision: 0001\nSELECT 1;\n");
	cr_assert_eq(revision_scan(&scanned, tmpdir, &err), MG_EREVISION);
}

/* Ids */

Test(revision, id_length_limits)
{
	char	id[80];

	memset(id, 'a', sizeof(id));
	id[64] = '\0';
	cr_assert(revision_id_valid(id), "64 characters must be valid");
	id[64] = 'a';
	id[65] = '\0';
	cr_assert_not(revision_id_valid(id), "65 characters must be refused");
	cr_assert_not(revision_id_valid(""));
	cr_assert(revision_id_valid("a"));
}

Test(revision, id_charset)
{
	cr_assert(revision_id_valid("0004"));
	cr_assert(revision_id_valid("ae1027a6acf"));
	cr_assert(revision_id_valid("Release_2.1"));
	cr_assert(revision_id_valid("20261121100000"));
	cr_assert_not(revision_id_valid("a@b"));
	cr_assert_not(revision_id_valid("a-b"));
	cr_assert_not(revision_id_valid("a+b"));
	cr_assert_not(revision_id_valid("a:b"));
	cr_assert_not(revision_id_valid("a b"));
	cr_assert_not(revision_id_valid(" ab"));
	cr_assert_not(revision_id_valid("a/b"));
	cr_assert_not(revision_id_valid("caf\xc3\xa9"));
}

/*
 * Regression: PCRE2's '$' also matches before a final newline, so "abc\n"
 * passed and `migrate revision --rev-id` could create a file whose name
 * holds a newline.
 */
Test(revision, id_trailing_newline_refused)
{
	char	id[80];

	cr_assert_not(revision_id_valid("abc\n"));
	memset(id, 'a', 64);
	id[64] = '\n';
	id[65] = '\0';
	cr_assert_not(revision_id_valid(id));
}
