#!/usr/bin/env bats
# migrate lint: PostgreSQL locking hazards in the revision files. It reads
# files only (as PostgreSQL gets them, whatever the url), so this file runs
# in the sqlite pass alone. The rules themselves: tests/unit/test_lint.c.

load helpers

EXAMPLE=$BATS_TEST_DIRNAME/../../examples/shipping

# Evaluate a Python expression on the JSON in $output (bound to "d").
json_get() { # EXPR
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# 0001 creates t, 0002 indexes it without CONCURRENTLY (an error) and
# drops a column (a warning).
hazards() {
	write_rev 0001 "" "CREATE TABLE t (a int, b int);" "DROP TABLE t;"
	write_rev 0002 0001 "SELECT 1;
CREATE INDEX ix_t_a ON t (a);
ALTER TABLE t DROP COLUMN b;" "DROP INDEX CONCURRENTLY ix_t_a;"
}

@test "a clean project: nothing on stdout, a summary on stderr, exit 0" {
	chain 3
	mig lint
	assert_status 0
	assert_stdout ""
	assert_eq "$stderr" "0 errors, 0 warnings" stderr
	assert_no_database
}

@test "findings are FILE:LINE:COL: RULE: message with a hint, exit 1 on an error" {
	hazards
	local f=versions/0002_rev_0002.sql
	mig lint
	assert_status 1
	assert_stdout "$f:$(locate $f 'CREATE INDEX'): index-not-concurrent: index 'ix_t_a' on existing table 't' is built without CONCURRENTLY, which blocks writes to the table until it is done
    hint: Use CREATE INDEX CONCURRENTLY; migrate runs it outside the revision's transaction by itself.
$f:$(locate $f 'DROP COLUMN'): drop-column: column 'b' is dropped from existing table 't', which loses its data and breaks application code still reading it
    hint: Deploy an application that no longer uses the column first, then drop it, with '-- migrate:lint-ignore drop-column' before the statement to record that this was checked."
	assert_eq "$(locate $f 'CREATE INDEX')" "10:1" "position"
	# The summary alone: no "migrate: error:" line.
	assert_eq "$stderr" "1 error, 1 warning" stderr
	assert_no_database
}

@test "warnings alone exit 0" {
	write_rev 0001 "" "DROP TABLE legacy;"
	mig lint
	assert_status 0
	# Sorted by position: the file's missing section comes first.
	assert_match "$output" "^versions/0001_rev_0001\.sql:1:1: missing-downgrade: revision has no '-- migrate:downgrade' section" stdout
	assert_match "$output" $'\nversions/0001_rev_0001\\.sql:9:12: drop-table: existing table \'legacy\' is dropped' stdout
	assert_eq "$stderr" "0 errors, 2 warnings" stderr
}

@test "--json lists the findings and the counts" {
	hazards
	mig lint --json
	assert_status 1
	assert_eq "$(json_get 'd["errors"], d["warnings"], len(d["findings"])')" \
	    "(1, 1, 2)" counts
	assert_eq "$(json_get 'sorted(d["findings"][0])')" \
	    "['col', 'file', 'hint', 'line', 'message', 'rule', 'severity']" keys
	assert_eq "$(json_get '[(f["rule"], f["severity"], f["file"], f["line"], f["col"]) for f in d["findings"]]')" \
	    "[('index-not-concurrent', 'error', 'versions/0002_rev_0002.sql', 10, 1), ('drop-column', 'warning', 'versions/0002_rev_0002.sql', 11, 15)]" findings
	# No summary line around the JSON; the global form works too.
	assert_eq "$stderr" "" stderr
	mig --json lint
	assert_status 1
	assert_eq "$(json_get 'd["errors"]')" 1 "global --json"
	chain 1
	rm versions/0002_*
	mig lint --json
	assert_status 0
	assert_eq "$(json_get 'd')" "{'findings': [], 'errors': 0, 'warnings': 0}" "clean"
}

@test "REV... lints those revisions only, with what their ancestors created" {
	hazards
	write_rev 0003 0002 "CREATE TABLE IF NOT EXISTS t (a int);
CREATE INDEX ix_t_b ON t (b);" "DROP INDEX CONCURRENTLY ix_t_b;"
	write_rev 0004 0003 "ALTER TABLE t RENAME TO t2;" \
	    "ALTER TABLE t2 RENAME TO t;"
	# 0003's CREATE TABLE IF NOT EXISTS is a no-op: 0001 created t.
	mig lint 0003
	assert_status 1
	assert_match "$output" "^versions/0003_rev_0003\.sql:10:1: index-not-concurrent: index 'ix_t_b'" stdout
	assert_eq "$(grep -c '^versions/' <<<"$output")" 1 findings
	# Several operands, ids or anything naming revisions, in graph order.
	mig lint head 0002
	assert_status 1
	assert_eq "$(grep -o '^versions/[0-9]*' <<<"$output" | tr '\n' ' ')" \
	    "versions/0002 versions/0002 versions/0004 versions/0004 " files
	mig lint heads
	assert_status 0
	assert_eq "$stderr" "0 errors, 2 warnings" stderr
	mig lint base
	assert_status 0
	assert_stdout ""
	mig lint 0099
	assert_status 2
	assert_error ".*'0099'"
}

@test "-- migrate:lint-ignore silences the rules named for the next statement" {
	write_rev 0001 "" "CREATE TABLE t (a int, b int);" "DROP TABLE t;"
	write_rev 0002 0001 "-- migrate:lint-ignore index-not-concurrent,drop-column
CREATE INDEX ix_t_a ON t (a);
ALTER TABLE t DROP COLUMN b;" "DROP INDEX CONCURRENTLY ix_t_a;"
	mig lint
	assert_status 0
	assert_stdout "versions/0002_rev_0002.sql:11:15: drop-column: column 'b' is dropped from existing table 't', which loses its data and breaks application code still reading it
    hint: Deploy an application that no longer uses the column first, then drop it, with '-- migrate:lint-ignore drop-column' before the statement to record that this was checked."
	assert_eq "$stderr" "0 errors, 1 warning" stderr
	# The directive is harmless to the other commands.
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" 0002 "version"
}

@test "a lint-ignore with no statement after it is a bad revision file (exit 2)" {
	write_rev 0001 "" "SELECT 1;
-- migrate:lint-ignore drop-table" "SELECT 2;"
	mig lint
	assert_status 2
	assert_error "versions/0001_rev_0001\.sql:10:1: '-- migrate:lint-ignore drop-table' is not followed by a statement"
}

@test "lock-timeout fires only when migrate.ini's lock_timeout is 0" {
	write_rev 0001 "" "ALTER TABLE t ADD COLUMN c int;" \
	    "ALTER TABLE t DROP COLUMN c;"
	mig lint
	assert_status 0
	assert_stdout ""
	write_ini "lock_timeout = 0"
	mig lint
	assert_status 0
	assert_match "$output" "^versions/0001_rev_0001\.sql:9:1: lock-timeout: schema change without a lock_timeout" stdout
	assert_eq "$stderr" "0 errors, 2 warnings" stderr
	write_rev 0001 "" "SET lock_timeout = '3s';
ALTER TABLE t ADD COLUMN c int;" "SET lock_timeout = '3s';
ALTER TABLE t DROP COLUMN c;"
	mig lint
	assert_status 0
	assert_stdout ""
}

@test "CONCURRENTLY inside a hand-written BEGIN ... COMMIT is an error" {
	write_rev 0001 "" "CREATE TABLE t (a int);" "DROP TABLE t;"
	{
		printf -- '-- revision: 0002\n-- down_revision: 0001\n'
		printf -- '-- migrate:transaction off\n-- migrate:upgrade\n'
		printf 'BEGIN;\nCREATE INDEX CONCURRENTLY ix ON t (a);\nCOMMIT;\n'
		printf -- '-- migrate:downgrade\nDROP INDEX CONCURRENTLY ix;\n'
	} >versions/0002_manual.sql
	mig lint
	assert_status 1
	assert_match "$output" "^versions/0002_manual\.sql:6:14: concurrently-in-transaction: CONCURRENTLY cannot run inside the transaction block opened at line 5" stdout
}

@test "C revisions are skipped with a note; -q keeps stderr quiet" {
	write_rev 0001 "" "CREATE TABLE t (a int);" "DROP TABLE t;"
	cat >versions/0002_plugin.c <<'EOF'
/*
 * revision: 0002
 * down_revision: 0001
 */
#include <migrate/plugin.h>
int migrate_upgrade(mg_ctx *c) { return mg_exec(c, "DROP TABLE t"); }
int migrate_downgrade(mg_ctx *c) { (void)c; return 0; }
EOF
	mig lint
	assert_status 0
	assert_stdout ""
	assert_eq "$stderr" "note: versions/0002_plugin.c: a C revision, not linted
0 errors, 0 warnings" stderr
	mig -q lint
	assert_status 0
	assert_eq "$stderr" "" stderr
}

@test "a file the splitter refuses is exit 2, naming it" {
	write_rev 0001 "" "SELECT 'unterminated;" "SELECT 1;"
	mig lint
	assert_status 2
	assert_error "versions/0001_rev_0001\.sql:9:8: unterminated quoted string"
}

@test "the shipping example: two warnings, both hazards on a busy table" {
	cp "$EXAMPLE/migrate.ini" .
	rm -rf versions
	cp -r "$EXAMPLE/versions" .
	mig lint
	# 0007 sets NOT NULL on shipments.tracking_code with a full scan under
	# ACCESS EXCLUSIVE; 0010 drops users.name (the contract step, meant).
	# Its downgrades drop only what the upgrades made, which is no loss,
	# and 0004 indexes CONCURRENTLY.
	assert_status 0
	# The postgresql sections' statements (0010's sqlite section has the
	# same DROP COLUMN a few lines up).
	assert_eq "$(grep -v '^    hint: ' <<<"$output" | cut -d: -f1-4)" \
	    "versions/0007_tracking_code_not_null.sql:33:23: set-not-null
versions/0010_contract_users_name.sql:34:19: drop-column" findings
	assert_eq "$(sed -n 33p versions/0007_tracking_code_not_null.sql)" \
	    "ALTER TABLE shipments ALTER COLUMN tracking_code SET NOT NULL;"
	assert_eq "$(sed -n 34p versions/0010_contract_users_name.sql)" \
	    "ALTER TABLE users DROP COLUMN name;"
	assert_eq "$stderr" "note: versions/0011_shipments_carrier.c: a C revision, not linted
0 errors, 2 warnings" stderr
	assert_no_database
	[ ! -e shipping.db ] || fail "lint created the example's database"
}
