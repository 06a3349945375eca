#!/usr/bin/env bats
# Bad input on PostgreSQL: a server that cannot be reached, a database that
# does not exist, a version table naming a revision no file has, and
# statement errors in every position of a revision, each reported as
# "migrate: error: FILE:LINE:COL: message (SQLSTATE xxxxx)" with the
# server's detail and hint, earlier revisions kept.
#
# The throwaway cluster (tests/helpers/pg.sh) trusts local connections;
# the wrong-password test gives one role of its own password
# authentication for its duration (the pg_*.bats files run one at a time).
# A password never shows: in connection errors (the URL is shown masked)
# nor in the output of commands that do connect.

load helpers

setup_file() { pg_setup_file; }
teardown_file() { pg_teardown_file; }

setup() {
	pg_setup
	make_test_dir
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	mkdir versions
	write_rev 0001 '' 'CREATE TABLE keep_me (id integer);' \
	    'DROP TABLE keep_me;'
	f=versions/0002_rev_0002.sql
	# The cluster's socket directory and port, from PG_URL.
	PG_PARAMS=${PG_URL#*\?}
	NOSOCK=/nonexistent/migrate-test-sock
}

teardown() {
	cd / && rm -rf "$TEST_ROOT"
	drop_test_db
}

drop_test_db() {
	local db
	[ -n "${PG_URL:-}" ] || return 0
	db=${PG_URL#postgresql:///}
	db=${db%%\?*}
	psql -X -q -d "postgresql:///postgres?$PG_PARAMS" \
	    -c 'SET client_min_messages = warning' \
	    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
	    true
}

pmig() {
	mig --url "$PG_URL" "$@"
}

versions() {
	pg_sql 'SELECT version_num FROM migrate_version ORDER BY 1' |
	    tr '\n' ' ' | sed 's/ $//'
}

rel_exists() { # NAME
	[ "$(pg_sql "SELECT to_regclass('$1') IS NOT NULL")" = t ]
}

# "LINE:COL" of TEXT in FILE, the column in bytes as migrate counts it.
at_of() { # FILE TEXT
	LC_ALL=C locate "$1" "$2"
}

# The state every statement-error test checks: 0001 kept, 0002 not
# recorded as applied.
assert_0001_kept() {
	assert_eq "$(versions)" 0001 "version rows"
	rel_exists keep_me || fail "keep_me (0001) is gone"
	assert_eq "$(pg_sql "SELECT count(*) FROM migrate_history
	    WHERE revision = '0001' AND success")" 1 "0001's history"
}

# --- connecting --------------------------------------------------------------

@test "pg: an unreachable server: libpq's message, the URL masked" {
	local url="postgresql://migrate:hunter2@/db?host=$NOSOCK&port=5499" cmd
	for cmd in current status upgrade "downgrade base" "stamp head" \
	    "resolve 0001 --applied"; do
		# shellcheck disable=SC2086
		mig --url "$url" $cmd
		assert_status 1
		assert_error "connection to server on socket \"$NOSOCK/\.s\.PGSQL\.5499\" failed: No such file or directory$" ||
		    fail "command: $cmd"
		assert_contains "$stderr" \
		    "detail: url: postgresql://migrate:***@/db?host=$NOSOCK&port=5499" "stderr of $cmd"
		assert_contains "$stderr" \
		    "hint: Is the server running locally and accepting connections on that socket?" "stderr of $cmd"
		refute_contains "$output$stderr" hunter2 "output of $cmd"
	done
}

@test "pg: an unreachable server: the password is masked wherever the URL comes from" {
	local url="postgresql://migrate:hunter2@/db?host=$NOSOCK&port=5499"
	printf '[migrate]\nscript_location = versions\nurl = %s\n' "$url" \
	    >migrate.ini
	mig upgrade
	assert_status 1
	assert_contains "$stderr" "url: postgresql://migrate:***@/db" stderr
	refute_contains "$output$stderr" hunter2 "output (migrate.ini)"

	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	DATABASE_URL=$url mig upgrade
	assert_status 1
	assert_contains "$stderr" "url: postgresql://migrate:***@/db" stderr
	refute_contains "$output$stderr" hunter2 "output (DATABASE_URL)"

	mig --url "postgresql:///db?host=$NOSOCK&port=5499&password=hunter2" upgrade
	assert_status 1
	assert_contains "$stderr" "url: postgresql:///db?host=$NOSOCK&port=5499&password=***" stderr
	refute_contains "$output$stderr" hunter2 "output (password=)"

	mig --url "host=$NOSOCK port=5499 password=hunter2 dbname=db" upgrade
	assert_status 1
	assert_contains "$stderr" "url: host=$NOSOCK port=5499 password=*** dbname=db" stderr
	refute_contains "$output$stderr" hunter2 "output (key=value)"
}

@test "pg: a password accepted by the server never appears in any output" {
	# Trust authentication accepts the password; it must not show in
	# progress, errors, or -v output.
	local url="postgresql://migrate:hunter2@/${PG_URL#postgresql:///}" cmd
	write_rev 0002 0001 "SELECT nosuchcol;"
	mig --url "$url" -v upgrade head
	assert_status 1
	assert_error "$f:$(at_of "$f" nosuchcol): column \"nosuchcol\" does not exist"
	refute_contains "$output$stderr" hunter2 "output of upgrade"
	assert_eq "$(versions)" 0001 "version rows"
	for cmd in current status history "-v downgrade base"; do
		# shellcheck disable=SC2086
		mig --url "$url" $cmd
		assert_status 0
		refute_contains "$output$stderr" hunter2 "output of $cmd"
	done
}

@test "pg: a wrong password: exit 1, libpq's message, the password masked" {
	# The cluster trusts every local connection: this one role gets
	# password authentication, for this test only.
	local hba="$PG_DIR/data/pg_hba.conf" role="pw_${BATS_TEST_NUMBER}_$$" url
	pg_sql "CREATE ROLE $role LOGIN PASSWORD 'right-one'" >/dev/null
	cp "$hba" "$BATS_TEST_TMPDIR/hba"
	{ printf 'local all %s scram-sha-256\n' "$role"; cat "$BATS_TEST_TMPDIR/hba"; } >"$hba"
	pg_sql "SELECT pg_reload_conf()" >/dev/null
	url=$(printf '%s' "$PG_URL" | sed "s/user=[^&]*/user=$role\&password=hunter2/")
	run "$MIGRATE" --url "$url" current
	cat "$BATS_TEST_TMPDIR/hba" >"$hba"
	pg_sql "SELECT pg_reload_conf()" >/dev/null
	pg_sql "DROP ROLE $role" >/dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"password authentication failed for user \"$role\""* ]]
	[[ "$output" == *"password=***"* ]]
	[[ "$output" != *hunter2* ]]
}

@test "pg: a database that does not exist is named in the error" {
	local db=no_such_db_$$
	mig --url "postgresql:///$db?$PG_PARAMS" upgrade
	assert_status 1
	assert_error "connection to server on socket \"[^\"]*\" failed: FATAL:  database \"$db\" does not exist$"
	assert_contains "$stderr" "detail: url: postgresql:///$db?" stderr
	# Nothing was created on the way.
	assert_eq "$(pg_sql "SELECT count(*) FROM pg_database WHERE datname = '$db'")" 0 \
	    "databases named $db"
}

# --- the version table ---------------------------------------------------------

@test "pg: a version table naming a revision no file has: exit 2, hint about stamp --purge" {
	write_rev 0002 0001 'CREATE TABLE t2 (id integer);' 'DROP TABLE t2;'
	pmig upgrade head
	assert_status 0
	pg_sql "UPDATE migrate_version SET version_num = 'ffff'" >/dev/null
	local cmd
	for cmd in "upgrade head" current status "downgrade base" "stamp head"; do
		# shellcheck disable=SC2086
		pmig $cmd
		assert_status 2
		assert_error "the version table names revision 'ffff', which no revision file has$" ||
		    fail "command: $cmd"
		assert_contains "$stderr" "hint: " "stderr of $cmd"
		assert_contains "$stderr" "stamp --purge" "stderr of $cmd"
	done
	# Nothing was changed by those.
	assert_eq "$(versions)" ffff "version rows"
	rel_exists t2 || fail "t2 is gone"

	pmig stamp --purge head
	assert_status 0
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(pg_sql "SELECT revision || ' ' || direction FROM migrate_history
	    ORDER BY id DESC LIMIT 1")" "0002 stamp" "last history row"
	pmig upgrade head
	assert_status 0
	refute_contains "$stderr" "Running upgrade" stderr
	pmig current
	assert_status 0
	assert_eq "$output" "0002 (head)" current
}

# --- statement errors ------------------------------------------------------------

@test "pg: an error in the first statement" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer, ref no_such_type);
CREATE TABLE t3 (id integer);"
	pmig upgrade head
	assert_status 1
	assert_error "$f:$(at_of "$f" no_such_type): type \"no_such_type\" does not exist \(SQLSTATE 42704\)"
	# The source line, and a caret under no_such_type.
	assert_contains "$stderr" "$(line_of_text "$f" no_such_type) | CREATE TABLE t2 (" stderr
	assert_caret no_such_type
	! rel_exists t2 || fail "t2 exists"
	assert_0001_kept
}

@test "pg: an error in a middle statement, with the server's detail" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer PRIMARY KEY);
INSERT INTO t2 VALUES (1), (1);
CREATE TABLE t3 (id integer);"
	pmig upgrade head
	assert_status 1
	# No position from the server: the statement's start.
	assert_error "$f:$(at_of "$f" 'INSERT INTO t2'): duplicate key value violates unique constraint \"t2_pkey\" \(SQLSTATE 23505\)"
	assert_contains "$stderr" "detail: Key (id)=(1) already exists." stderr
	! rel_exists t2 || fail "t2 (statement 1) was not rolled back"
	! rel_exists t3 || fail "t3 exists"
	assert_0001_kept
	assert_eq "$(pg_sql "SELECT statements_done || '/' || statements_total
	    || ' ' || success FROM migrate_history WHERE revision = '0002'")" \
	    "0/3 false" "history of 0002"
}

@test "pg: an error in the last statement, with the server's hint" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);
INSERT INTO t2 VALUES (1);
SELECT no_such_fn(id) FROM t2;"
	pmig upgrade head
	assert_status 1
	assert_error "$f:$(at_of "$f" no_such_fn): function no_such_fn\(integer\) does not exist \(SQLSTATE 42883\)"
	assert_contains "$stderr" "hint: No function matches the given name and argument types. You might need to add explicit type casts." stderr
	assert_caret no_such_fn
	! rel_exists t2 || fail "t2 was not rolled back"
	assert_0001_kept
}

@test "pg: an error on a later line of a statement, after multibyte text" {
	write_rev 0002 0001 "CREATE TABLE t2 (
    id integer,
    label text DEFAULT 'héllo wörld', ref no_such_type
);"
	pmig upgrade head
	assert_status 1
	# The column counts bytes: 'é' and 'ö' are two each.
	assert_error "$f:$(at_of "$f" no_such_type): type \"no_such_type\" does not exist \(SQLSTATE 42704\)"
	assert_caret no_such_type
	assert_0001_kept
}

@test "pg: an error in a CONCURRENTLY statement" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer, v integer);
CREATE INDEX CONCURRENTLY ix_t2 ON t2 (no_col);
CREATE TABLE t3 (id integer);"
	pmig upgrade head
	assert_status 1
	# The server gives no position for an index column.
	assert_error "$f:$(at_of "$f" 'CREATE INDEX CONCURRENTLY'): column \"no_col\" does not exist \(SQLSTATE 42703\)"
	assert_contains "$stderr" "hint: Revision '0002' is partially applied (1 of 3 statements)" stderr
	# The statement before it committed; nothing after it ran.
	rel_exists t2 || fail "t2 (committed before the index) is missing"
	! rel_exists ix_t2 || fail "ix_t2 exists"
	! rel_exists t3 || fail "t3 exists"
	assert_0001_kept
}

@test "pg: an error in the transactional part after a CONCURRENTLY statement, with the server's detail" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer PRIMARY KEY, v integer);
CREATE INDEX CONCURRENTLY ix_t2 ON t2 (v);
CREATE TABLE t3 (id integer);
INSERT INTO t2 VALUES (1, 1), (1, 2);"
	pmig upgrade head
	assert_status 1
	assert_error "$f:$(at_of "$f" 'INSERT INTO t2'): duplicate key value violates unique constraint \"t2_pkey\" \(SQLSTATE 23505\)"
	assert_contains "$stderr" "detail: Key (id)=(1) already exists." stderr
	assert_contains "$stderr" "partially applied (2 of 4 statements)" stderr
	rel_exists ix_t2 || fail "ix_t2 (built before the failure) is missing"
	! rel_exists t3 || fail "t3 was not rolled back"
	assert_0001_kept
}

@test "pg: the server's hint survives in a partially applied revision" {
	write_rev 0002 0001 "CREATE TABLE t2 (id integer, v integer);
CREATE INDEX CONCURRENTLY ix_t2 ON t2 (v);
SELECT no_such_fn(v) FROM t2;"
	pmig upgrade head
	assert_status 1
	assert_error "$f:$(at_of "$f" no_such_fn): function no_such_fn\(integer\) does not exist \(SQLSTATE 42883\)"
	assert_contains "$stderr" "No function matches the given name and argument types." stderr
	assert_contains "$stderr" "partially applied (2 of 3 statements)" stderr
	assert_0001_kept
}

@test "pg: an error in a later revision keeps the earlier ones of the run" {
	write_rev 0002 0001 'CREATE TABLE t2 (id integer);'
	write_rev 0003 0002 'CREATE TABLE t3 (id integer);
SELECT 1 / 0;'
	# From base: 0001 and 0002 commit on their own.
	pmig upgrade head
	assert_status 1
	assert_error "versions/0003_rev_0003\.sql:$(at_of versions/0003_rev_0003.sql 'SELECT 1'): division by zero \(SQLSTATE 22012\)"
	assert_eq "$(versions)" 0002 "version rows"
	rel_exists t2 || fail "t2 (0002) is gone"
	! rel_exists t3 || fail "t3 was not rolled back"
}

@test "pg: transaction = all: an error rolls back the whole run" {
	printf '[migrate]\nscript_location = versions\ntransaction = all\n' \
	    >migrate.ini
	write_rev 0002 0001 'CREATE TABLE t2 (id integer);'
	write_rev 0003 0002 'SELECT 1 / 0;'
	pmig upgrade head
	assert_status 1
	assert_error "versions/0003_rev_0003\.sql:$(at_of versions/0003_rev_0003.sql 'SELECT 1'): division by zero \(SQLSTATE 22012\)"
	assert_contains "$stderr" "hint: transaction = all: the 2 revisions applied before it in this run were rolled back too." stderr
	assert_eq "$(versions)" "" "version rows"
	! rel_exists keep_me || fail "keep_me (0001) was not rolled back"
	! rel_exists t2 || fail "t2 (0002) was not rolled back"
}

@test "pg: transaction = all: the server's hint and the rollback note are two sentences" {
	printf '[migrate]\nscript_location = versions\ntransaction = all\n' \
	    >migrate.ini
	write_rev 0002 0001 'SELECT no_such_fn(1);'
	pmig upgrade head
	assert_status 1
	assert_contains "$stderr" "hint: No function matches the given name and argument types. You might need to add explicit type casts. transaction = all: the 1 revisions applied before it" stderr
}

# The line of TEXT in FILE, right-aligned in 5 columns as the excerpt
# shows it.
line_of_text() { # FILE TEXT
	local at
	at=$(locate "$1" "$2")
	printf '%5d\n' "${at%%:*}"
}

# The excerpt's caret sits under the first character of TEXT on its line:
# one pad per character before it (UTF-8 continuation bytes don't count).
assert_caret() { # TEXT
	local src caret line
	src=$(grep -E '^ *[0-9]+ \| ' <<<"$stderr" | head -n 1)
	caret=$(grep -E '^ +\| *\^$' <<<"$stderr" | head -n 1)
	[ -n "$src" ] && [ -n "$caret" ] ||
	    { show_run; fail "no source excerpt with a caret"; return 1; }
	line=${src#*| }
	local before=${line%%"$1"*} pad=${caret#*| }
	pad=${pad%^}
	assert_eq "$(printf '%s' "$pad" | wc -c)" \
	    "$(printf '%s' "$before" | LC_ALL=C tr -d '\200-\277' | wc -c)" \
	    "caret column"
}
