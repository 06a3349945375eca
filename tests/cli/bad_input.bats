#!/usr/bin/env bats
# Bad revision files and configurations: one clear error naming the file (and
# the line where there is one), exit 2, and the database left untouched.
# Failing migrations: exit 1, FILE:LINE:COL, rollback as the transaction
# mode says. Passwords never appear in any output. On SQLite, or on
# PostgreSQL with MIGRATE_TEST_DIALECT=postgresql.

load helpers

# A database at 0001 with a good 0002 pending: a bad file must stop the run
# before anything is applied, including 0002.
applied_base() {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	mig upgrade
	assert_status 0
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);" "DROP TABLE t2;"
	BEFORE=$(db_state)
}

assert_untouched() {
	assert_eq "$(db_state)" "$BEFORE" "database (must be untouched)"
}

# Revision header lines for a hand-written file.
header() { # ID DOWN
	printf -- '-- revision: %s\n-- down_revision: %s\n-- branch_labels:\n' \
	    "$1" "$2"
	printf -- '-- depends_on:\n-- message: m%s\n' "$1"
	printf -- '-- create_date: 2026-11-21 10:00:00\n\n'
}

# --- revision files ---------------------------------------------------------

@test "empty revision file" {
	applied_base
	: >versions/0003_empty.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_empty\.sql(:[0-9]+)*: .*empty"
	assert_untouched
}

@test "revision file without a header (plain SQL)" {
	applied_base
	echo "CREATE TABLE x (id integer);" >versions/0003_plain.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_plain\.sql:1(:1)?: .*header"
	assert_untouched
}

@test "binary garbage with a NUL byte" {
	applied_base
	{
		head -c 256 /dev/urandom
		printf '\0'
		head -c 255 /dev/urandom
	} >versions/0003_garbage.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_garbage\.sql(:[0-9]+)*: "
	# One line: none of the garbage is echoed.
	assert_eq "$(grep -c '' <<<"$stderr")" 1 "number of stderr lines"
	assert_untouched
}

@test "binary garbage without a NUL byte" {
	applied_base
	head -c 512 /dev/urandom | tr -d '\0\n' >versions/0003_garbage.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_garbage\.sql(:[0-9]+)*: "
	assert_untouched
}

@test "unterminated quote in the upgrade body" {
	applied_base
	{
		header 0003 0002
		printf -- '-- migrate:upgrade\nCREATE TABLE t3 (id integer);\n'
		printf -- "INSERT INTO t3 VALUES ('oops);\n"
		printf -- '\n-- migrate:downgrade\nDROP TABLE t3;\n'
	} >versions/0003_quote.sql
	local at
	at=$(locate versions/0003_quote.sql "'oops")
	mig upgrade
	assert_status 2
	assert_error "versions/0003_quote\.sql:$at: .*unterminated"
	assert_untouched
}

@test "unterminated \$\$ dollar quote" {
	applied_base
	{
		header 0003 0002
		printf -- '-- migrate:upgrade\nCREATE TABLE t3 (id integer);\n'
		printf -- 'SELECT $$ never closed;\n'
		printf -- '\n-- migrate:downgrade\nDROP TABLE t3;\n'
	} >versions/0003_dollar.sql
	local at
	at=$(locate versions/0003_dollar.sql '$$')
	mig upgrade
	assert_status 2
	assert_error "versions/0003_dollar\.sql:$at: .*unterminated"
	assert_untouched
}

@test "unterminated /* comment" {
	applied_base
	{
		header 0003 0002
		printf -- '-- migrate:upgrade\nCREATE TABLE t3 (id integer);\n'
		printf -- '/* never closed\nSELECT 1;\n'
	} >versions/0003_comment.sql
	local at
	at=$(locate versions/0003_comment.sql '/*')
	mig upgrade
	assert_status 2
	assert_error "versions/0003_comment\.sql:${at%:*}(:[0-9]+)?: .*unterminated"
	assert_untouched
}

@test "two files claiming one id" {
	applied_base
	write_rev -m a 0003 0002 "CREATE TABLE a (id integer);"
	write_rev -m b 0003 0002 "CREATE TABLE b (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003_[ab]\.sql(:[0-9]+)*: .*'0003'"
	assert_stderr_contains "versions/0003_a.sql"
	assert_stderr_contains "versions/0003_b.sql"
	assert_untouched
}

@test "a cycle (0003 down 0004, 0004 down 0003)" {
	applied_base
	write_rev 0003 0004 "CREATE TABLE a (id integer);"
	write_rev 0004 0003 "CREATE TABLE b (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/000[34]_rev_000[34]\.sql(:[0-9]+)*: .*cycle"
	assert_stderr_contains "versions/0003_rev_0003.sql"
	assert_stderr_contains "versions/0004_rev_0004.sql"
	assert_untouched
}

@test "a revision naming itself as its parent" {
	applied_base
	write_rev 0003 0003 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003_rev_0003\.sql(:[0-9]+)*: .*'0003'"
	assert_untouched
}

@test "missing parent" {
	applied_base
	write_rev 0003 0009 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003_rev_0003\.sql(:[0-9]+)*: .*'0009'"
	assert_untouched
}

@test "missing parent: the error points at the down_revision line" {
	applied_base
	write_rev 0003 0009 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003_rev_0003\.sql:2(:[0-9]+)?: .*'0009'"
}

@test "file name not starting with its id" {
	applied_base
	write_rev -f versions/add_0003.sql 0003 0002 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/add_0003\.sql(:1)?: .*'0003"
	assert_untouched
	rm versions/add_0003.sql
	# Another id's prefix is no better.
	write_rev -f versions/0004_x.sql 0003 0002 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0004_x\.sql(:1)?: .*'0003"
	assert_untouched
}

@test "a .sql file whose name has no <id>_ prefix is not silently skipped" {
	applied_base
	write_rev -f versions/0003-add.sql 0003 0002 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003-add\.sql"
	assert_untouched
}

@test "BEGIN/COMMIT in a revision that runs in a transaction is refused" {
	applied_base
	{
		header 0003 0002
		printf -- '-- migrate:upgrade\nCREATE TABLE a (id integer);\n'
		printf -- 'COMMIT;\nCREATE TABLE b (id integer);\n'
	} >versions/0003_txn.sql
	mig upgrade
	assert_status 2
	# header (7 lines) + section line + CREATE: COMMIT is line 10.
	assert_error "versions/0003_txn\.sql:10:1: transaction control statement"
	assert_untouched
	# With '-- migrate:transaction off' the file manages its own.
	{
		header 0003 0002
		printf -- '-- migrate:transaction off\n-- migrate:upgrade\n'
		printf -- 'BEGIN;\nCREATE TABLE a (id integer);\nCOMMIT;\n'
	} >versions/0003_txn.sql
	mig upgrade
	assert_status 0
	# A savepoint rollback stays allowed inside the transaction.
	{
		header 0004 0003
		printf -- '-- migrate:upgrade\nSAVEPOINT s;\nCREATE TABLE c (id integer);\n'
		printf -- 'ROLLBACK TO SAVEPOINT s;\nCREATE TABLE d (id integer);\n'
	} >versions/0004_sp.sql
	mig upgrade
	assert_status 0
}

@test "an invalid id in the header" {
	applied_base
	write_rev -f versions/0003_x.sql "00-03" 0002 "CREATE TABLE a (id integer);"
	mig upgrade
	assert_status 2
	assert_error "versions/0003_x\.sql:1(:[0-9]+)?: .*'00-03'"
	assert_untouched
}

@test "unknown header key" {
	applied_base
	{
		printf -- '-- revision: 0003\n-- down_revision: 0002\n'
		printf -- '-- colour: red\n-- message: m\n\n'
		printf -- '-- migrate:upgrade\nCREATE TABLE a (id integer);\n'
	} >versions/0003_key.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_key\.sql:3(:1)?: .*'colour'"
	assert_untouched
}

@test "a header key given twice is an error" {
	applied_base
	{
		printf -- '-- revision: 0003\n-- revision: 0004\n'
		printf -- '-- down_revision: 0002\n-- message: m\n\n'
		printf -- '-- migrate:upgrade\nCREATE TABLE a (id integer);\n'
	} >versions/0003_twice.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_twice\.sql:2(:1)?: .*'revision'"
	assert_untouched
	rm versions/0003_twice.sql
	{
		printf -- '-- revision: 0003\n-- down_revision: 0002\n'
		printf -- '-- message: first\n-- message: second\n\n'
		printf -- '-- migrate:upgrade\nCREATE TABLE a (id integer);\n'
	} >versions/0003_twice.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_twice\.sql:4(:1)?: .*'message'"
	assert_untouched
}

@test "missing upgrade section (header only)" {
	applied_base
	header 0003 0002 >versions/0003_nobody.sql
	mig upgrade
	assert_status 2
	assert_error "versions/0003_nobody\.sql(:[0-9]+)*: .*migrate:upgrade"
	assert_untouched
}

@test "missing upgrade section (downgrade only)" {
	applied_base
	{
		header 0003 0002
		printf -- '-- migrate:downgrade\nDROP TABLE t3;\n'
	} >versions/0003_downonly.sql
	local at
	at=$(locate versions/0003_downonly.sql '-- migrate:downgrade')
	mig upgrade
	assert_status 2
	assert_error "versions/0003_downonly\.sql:${at%:*}(:1)?: .*migrate:upgrade"
	assert_untouched
}

@test "SQL before the upgrade section" {
	applied_base
	{
		header 0003 0002
		printf -- 'CREATE TABLE early (id integer);\n'
		printf -- '-- migrate:upgrade\nCREATE TABLE t3 (id integer);\n'
	} >versions/0003_early.sql
	local at
	at=$(locate versions/0003_early.sql 'CREATE TABLE early')
	mig upgrade
	assert_status 2
	assert_error "versions/0003_early\.sql:${at%:*}(:1)?: "
	assert_untouched
}

@test "a UTF-8 byte order mark before the header is accepted" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);"
	{
		printf '\xef\xbb\xbf'
		header 0002 0001
		printf -- '-- migrate:upgrade\nCREATE TABLE bom (id integer);\n'
	} >versions/0002_bom.sql
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "bom t1" tables
}

@test "CRLF line endings are accepted" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	{
		header 0002 0001
		printf -- '-- migrate:upgrade\nCREATE TABLE crlf (id integer);\n'
		printf -- '\n-- migrate:downgrade\nDROP TABLE crlf;\n'
	} | sed 's/$/\r/' >versions/0002_crlf.sql
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "crlf t1" tables
	mig downgrade -1
	assert_status 0
	assert_eq "$(user_tables)" "t1" tables
}

@test "downgrade through a revision without a downgrade section" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);"
	mig upgrade
	assert_status 0
	BEFORE=$(db_state)
	mig downgrade base
	assert_status 2
	assert_error "versions/0002_rev_0002\.sql(:[0-9]+)*: .*migrate:downgrade"
	assert_untouched
}

@test "unknown target" {
	applied_base
	mig upgrade nope
	assert_status 2
	assert_error "can't locate revision identified by 'nope'"
	assert_untouched
	mig downgrade nope
	assert_status 2
	assert_error ".*'nope'"
	assert_untouched
}

# --- migrate.ini ------------------------------------------------------------

@test "missing migrate.ini" {
	chain 1
	rm migrate.ini
	mig upgrade
	assert_status 2
	assert_error "cannot open 'migrate.ini'"
	assert_no_database
}

@test "malformed line in migrate.ini" {
	chain 1
	write_ini "this is not valid"
	mig upgrade
	assert_status 2
	assert_error "migrate.ini:4(:[0-9]+)?: "
	assert_no_database
}

@test "key outside any section in migrate.ini" {
	chain 1
	printf 'url = %s\n' "$(db_url)" >migrate.ini
	mig upgrade
	assert_status 2
	assert_error "migrate.ini:1(:[0-9]+)?: .*'url'"
	assert_no_database
}

@test "unknown key in migrate.ini" {
	chain 1
	write_ini "colour = red"
	mig upgrade
	assert_status 2
	assert_error "migrate.ini:4(:[0-9]+)?: .*'colour'"
	assert_no_database
}

@test "invalid value in migrate.ini" {
	chain 1
	write_ini "transaction = sometimes"
	mig upgrade
	assert_status 2
	assert_error "migrate.ini:4(:[0-9]+)?: .*'sometimes'"
	assert_no_database
}

@test "unset \${VAR} in the url names the variable" {
	chain 1
	unset MIGRATE_TEST_UNSET_VAR
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    "$(db_url_with_name '${MIGRATE_TEST_UNSET_VAR}')" >migrate.ini
	mig upgrade
	assert_status 2
	assert_error "migrate.ini:3(:[0-9]+)?: .*'MIGRATE_TEST_UNSET_VAR'"
	assert_eq "$(ls -A | grep -v -e '^versions$' -e '^migrate.ini$' || true)" "" \
	    "files created"
	assert_no_database
}

@test "\${VAR} in the url is expanded from the environment" {
	chain 1
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    "$(db_url_with_name '${MIGRATE_TEST_DB}')" >migrate.ini
	local name=fromenv
	if is_pg; then
		other_db_url fromenv >/dev/null
		name=${PG_DB}_fromenv
	fi
	MIGRATE_TEST_DB=$name mig upgrade
	assert_status 0
	other_db_used fromenv || fail "database fromenv not used" "$(ls)"
	assert_no_database
}

@test "unknown URL scheme: named, and the password never printed" {
	chain 1
	write_ini
	sed -i 's|^url = .*|url = mysql://u:secret@h/db|' migrate.ini
	local cmd
	for cmd in upgrade current status; do
		mig "$cmd"
		assert_status 2 || fail "command: $cmd"
		assert_error ".*'mysql'" || fail "command: $cmd"
		refute_contains "$output$stderr" secret "output of '$cmd'"
	done
	mig -v upgrade
	refute_contains "$output$stderr" secret "output of '-v upgrade'"
}

@test "-c selects another configuration file" {
	chain 1
	# The default file is broken: it must not be read.
	printf 'garbage\n' >migrate.ini
	mkdir -p conf/revs
	printf '[migrate]\nscript_location = revs\nurl = %s\n' \
	    "$(other_db_url other)" >conf/other.ini
	write_rev -f conf/revs/0001_x.sql 0001 "" "CREATE TABLE other (id integer);"
	mig -c conf/other.ini upgrade
	assert_status 0
	# script_location is relative to the configuration file.
	if is_sqlite; then
		[ -s other.db ] || [ -s conf/other.db ] ||
		    fail "other.db not created" "$(ls -R)"
	else
		other_db_used other || fail "database other not used"
	fi
	assert_eq "$(db_state)" "<no database>" "the default database (unused)"
	mig --config conf/other.ini current
	assert_status 0
	assert_stdout "0001 (head)"
}

@test "-c with a missing file names it" {
	chain 1
	mig -c nowhere.ini upgrade
	assert_status 2
	assert_error "cannot open 'nowhere.ini'"
	assert_no_database
}

@test "MIGRATE_CONFIG selects the configuration file; -c wins over it" {
	chain 1
	printf 'garbage\n' >migrate.ini
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    "$(other_db_url env)" >env.ini
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    "$(other_db_url flag)" >flag.ini
	MIGRATE_CONFIG=env.ini mig upgrade
	assert_status 0
	other_db_used env || fail "database env not used" "$(ls)"
	MIGRATE_CONFIG=env.ini mig -c flag.ini upgrade
	assert_status 0
	other_db_used flag || fail "-c did not win over MIGRATE_CONFIG" "$(ls)"
	MIGRATE_CONFIG=nowhere.ini mig current
	assert_status 2
	assert_error "cannot open 'nowhere.ini'"
}

# --- failing migrations -----------------------------------------------------

# Revisions 1-4; 0003 creates t3a, inserts a row, then fails on LINE:COL.
four_with_failing_third() { # FAILING-STATEMENT
	chain 2
	{
		header 0003 0002
		printf -- '-- migrate:upgrade\n'
		printf -- 'CREATE TABLE t3a (id integer);\n'
		printf -- 'INSERT INTO t3a VALUES (1);\n'
		printf -- '%s\n' "$1"
		printf -- 'CREATE TABLE t3b (id integer);\n'
		printf -- '\n-- migrate:downgrade\nDROP TABLE t3a;\n'
	} >versions/0003_x.sql
	write_rev 0004 0003 "CREATE TABLE t4 (id integer);" "DROP TABLE t4;"
}

@test "a failing statement (missing table) in revision 3 of 4" {
	four_with_failing_third "  INSERT INTO missing_table VALUES (1);"
	local at
	if is_sqlite; then
		# SQLite gives no position: the statement's.
		at=$(locate versions/0003_x.sql "INSERT INTO missing_table")
	else
		# PostgreSQL's error position: the missing table's name.
		at=$(locate versions/0003_x.sql "missing_table")
	fi
	mig upgrade
	assert_status 1
	assert_error "versions/0003_x\.sql:$at: .*missing_table"
	if is_pg; then
		assert_match "$stderr" 'SQLSTATE 42P01' "the SQLSTATE"
	fi
	# 0001 and 0002 stay applied and recorded.
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(user_tables)" "t1 t2" "tables (0003 rolled back)"
	assert_eq "$(history_rows)" $'0001 up 1\n0002 up 1\n0003 up 0' history
	mig current
	assert_stdout "0002"
}

@test "a syntax error in revision 3 of 4 points at the token" {
	four_with_failing_third "CREATE TABLE t3c (id integer,, x);"
	local at
	at=$(locate versions/0003_x.sql ",, x")
	at="${at%:*}:$((${at#*:} + 1))"	# the second comma
	mig upgrade
	assert_status 1
	assert_error "versions/0003_x\.sql:$at: .*syntax error"
	if is_pg; then
		assert_match "$stderr" 'SQLSTATE 42601' "the SQLSTATE"
	fi
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(user_tables)" "t1 t2" "tables (0003 rolled back)"
	assert_eq "$(history_rows)" $'0001 up 1\n0002 up 1\n0003 up 0' history
}

@test "after a failure, fixing the file and rerunning completes" {
	four_with_failing_third "INSERT INTO missing_table VALUES (1);"
	mig upgrade
	assert_status 1
	sed -i 's/^INSERT INTO missing_table VALUES (1);$/SELECT 1;/' versions/0003_x.sql
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0004" "version rows"
	assert_eq "$(user_tables)" "t1 t2 t3a t3b t4" tables
	assert_eq "$(db_sql 'SELECT count(*) FROM t3a')" 1 "rows in t3a"
}

@test "transaction = all: a failure rolls back the whole run" {
	write_ini "transaction = all"
	four_with_failing_third "INSERT INTO missing_table VALUES (1);"
	mig upgrade
	assert_status 1
	assert_error "versions/0003_x\.sql:[0-9]+:[0-9]+: .*missing_table"
	assert_eq "$(version_rows)" "" "version rows"
	assert_eq "$(user_tables)" "" "tables"
	refute_contains "$(history_rows)" " up 1" "history (no successful step)"
}

@test "transaction = none: statements before the failure stay" {
	write_ini "transaction = none"
	four_with_failing_third "INSERT INTO missing_table VALUES (1);"
	mig upgrade
	assert_status 1
	assert_error "versions/0003_x\.sql:[0-9]+:[0-9]+: .*missing_table"
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(user_tables)" "t1 t2 t3a" "tables"
	assert_eq "$(history_rows | tail -n 1)" "0003 up 0" "last history row"
}

@test "a failing downgrade keeps the revision applied" {
	chain 2
	mig upgrade
	# t2 disappears behind migrate's back: the downgrade of 0002 fails.
	db_sql 'DROP TABLE t2'
	local at
	at=$(locate versions/0002_rev_0002.sql "DROP TABLE t2")
	mig downgrade base
	assert_status 1
	assert_error "versions/0002_rev_0002\.sql:$at: .*t2"
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(user_tables)" "t1" tables
}

# --- passwords --------------------------------------------------------------

@test "a password in --url never appears in any output" {
	chain 1
	local url='postgresql://u:hunter2@127.0.0.1:1/db' cmd
	for cmd in upgrade current status "history -i" "-v upgrade" "stamp head"; do
		# shellcheck disable=SC2086
		mig --url "$url" $cmd
		[ "$status" -ne 0 ] || { show_run; fail "'$cmd' succeeded?"; }
		refute_contains "$output$stderr" hunter2 "output of '$cmd'"
	done
	mig --url 'postgres://u:hunter2@h/db?sslmode=disable' upgrade
	refute_contains "$output$stderr" hunter2 "output"
	mig --url 'host=h user=u password=hunter2 dbname=d' upgrade
	refute_contains "$output$stderr" hunter2 "output"
	mig --url 'sqlite://u:hunter2@/x.db' upgrade
	refute_contains "$output$stderr" hunter2 "output"
	is_pg || return 0
	# A server that answers (it trusts the socket and ignores the
	# password): the progress, -v, a failing statement and a missing
	# database don't show it either.
	url=${PG_URL/postgresql:\/\//postgresql://migrate:hunter2@}
	write_rev 0002 0001 "SELECT nosuch FROM t1;" "SELECT 1;"
	for cmd in "-v upgrade 0001" "-v upgrade" current status "history -i" \
	    "stamp head" "-v downgrade base"; do
		# shellcheck disable=SC2086
		mig --url "$url&password=hunter2" $cmd
		refute_contains "$output$stderr" hunter2 "output of '$cmd'"
	done
	mig --url "${url/\/$PG_DB\?//${PG_DB}_missing?}" upgrade
	assert_status 1
	assert_error ".*${PG_DB}_missing"
	refute_contains "$output$stderr" hunter2 "output"
}

@test "a password from \${VAR} in migrate.ini never appears in any output" {
	chain 1
	printf '[migrate]\nscript_location = versions\nurl = mysql://app:${MIGRATE_TEST_PW}@db/app\n' >migrate.ini
	MIGRATE_TEST_PW=hunter2 mig upgrade
	assert_status 2
	refute_contains "$output$stderr" hunter2 "output"
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	DATABASE_URL='postgresql://u:hunter2@127.0.0.1:1/db' mig upgrade
	[ "$status" -ne 0 ] || { show_run; fail "upgrade succeeded?"; }
	refute_contains "$output$stderr" hunter2 "output"
}
