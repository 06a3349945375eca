#!/usr/bin/env bats
# Statements PostgreSQL refuses inside a transaction block (CREATE/DROP
# INDEX CONCURRENTLY) on a real server: they run outside the revision's
# transaction, the parts before them commit first with a history row of the
# attempt, and a rerun resumes where the attempt stopped (DESIGN.md
# "Executor"): a valid index is kept, an INVALID one dropped and built
# again. Also resolve, and '-- migrate:transaction off'.
#
# Every test gets a fresh database (PG_URL) and a project directory whose
# migrate.ini has no url: the tests pass --url (pmig).

load helpers

setup_file() { pg_setup_file; }
teardown_file() { pg_teardown_file; }

setup() {
	pg_setup
	make_test_dir
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	mkdir versions
	# The revision every test keeps applied under the one it breaks.
	write_rev 0001 '' 'CREATE TABLE keep_me (id integer);' \
	    'DROP TABLE keep_me;'
	f=versions/0002_rev_0002.sql
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
	psql -X -q -d "postgresql:///postgres?${PG_URL#*\?}" \
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

# REV's history rows, one a line: "direction done/total success".
hist() { # REV
	pg_sql "SELECT direction || ' ' || statements_done || '/' ||
	    statements_total || ' ' || success FROM migrate_history
	    WHERE revision = '$1' ORDER BY id"
}

# An index by name as to_regclass() takes it: t (valid), f (INVALID) or
# absent.
idx_state() { # NAME
	pg_sql "SELECT coalesce((SELECT CASE WHEN indisvalid THEN 't' ELSE 'f'
	    END FROM pg_index WHERE indexrelid = to_regclass('$1')), 'absent')"
}

idx_oid() { # NAME
	pg_sql "SELECT to_regclass('$1')::oid"
}

rel_exists() { # NAME
	[ "$(pg_sql "SELECT to_regclass('$1') IS NOT NULL")" = t ]
}

col_exists() { # TABLE COLUMN
	[ "$(pg_sql "SELECT count(*) FROM pg_attribute
	    WHERE attrelid = to_regclass('$1') AND attname = '$2'
	    AND NOT attisdropped")" = 1 ]
}

# Line of the first occurrence of TEXT in FILE.
line_of() { # FILE TEXT
	local at
	at=$(locate "$1" "$2")
	printf '%s\n' "${at%%:*}"
}

# The error position "LINE:COL" in bytes (migrate counts columns in bytes).
at_of() { # FILE TEXT
	LC_ALL=C locate "$1" "$2"
}

# The revision of (b) and (e): a failing UPDATE in the transactional part
# after the CONCURRENTLY statement (statement 5 of 6).
write_orders_rev() {
	write_rev 0002 0001 "CREATE TABLE orders (id integer PRIMARY KEY, total integer);
INSERT INTO orders VALUES (1, 10), (2, 20);
CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);
ALTER TABLE orders ADD COLUMN status text;
UPDATE orders SET status = 'new' WHERE nosuchcol = 1;
CREATE TABLE order_notes (order_id integer);" \
	    "DROP TABLE order_notes;
DROP INDEX CONCURRENTLY ix_orders_total;
DROP TABLE orders;"
}

# Apply 0001, then fail 0002 of write_orders_rev after its third statement.
partial_orders() {
	write_orders_rev
	pmig upgrade head
	assert_status 1
	assert_eq "$(hist 0002)" "up 3/6 false" "history of 0002"
}

# --- (a) a mixed revision -------------------------------------------------

@test "pg: a revision mixing transactional and CONCURRENTLY statements goes up and down" {
	write_rev 0002 0001 "CREATE TABLE items (id integer PRIMARY KEY, sku text, qty integer);
INSERT INTO items VALUES (1, 'a', 5), (2, 'b', 7), (3, 'c', 5);
CREATE INDEX CONCURRENTLY ix_items_qty ON items (qty);
ALTER TABLE items ADD COLUMN note text;
CREATE UNIQUE INDEX CONCURRENTLY ux_items_sku ON items (sku);" \
	    "DROP INDEX CONCURRENTLY ux_items_sku;
DROP INDEX CONCURRENTLY ix_items_qty;
ALTER TABLE items DROP COLUMN note;
DROP TABLE items;"
	pmig upgrade head
	assert_status 0
	refute_contains "$stderr" "resuming" stderr
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(idx_state ix_items_qty)" t "ix_items_qty"
	assert_eq "$(idx_state ux_items_sku)" t "ux_items_sku"
	assert_eq "$(pg_sql "SELECT indisunique FROM pg_index
	    WHERE indexrelid = 'ux_items_sku'::regclass")" t "unique"
	col_exists items note || fail "items.note is missing"
	assert_eq "$(pg_sql 'SELECT count(*) FROM items')" 3 "rows"
	# One transaction per revision: 0001 has its own row, and 0002 one
	# row, created at its first commit and completed at the end.
	assert_eq "$(hist 0001)" "up 1/1 true" "history of 0001"
	assert_eq "$(hist 0002)" "up 5/5 true" "history of 0002"
	pmig status
	assert_status 0
	assert_eq "${lines[0]}" "2 applied, 0 pending" "status"

	pmig downgrade 0001
	assert_status 0
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(idx_state ux_items_sku)" absent "ux_items_sku"
	assert_eq "$(idx_state ix_items_qty)" absent "ix_items_qty"
	! rel_exists items || fail "items still exists"
	rel_exists keep_me || fail "keep_me is gone"
	assert_eq "$(hist 0002)" "up 5/5 true
down 4/4 true" "history of 0002"
	# And up again, from a clean slate.
	pmig upgrade head
	assert_status 0
	assert_eq "$(idx_state ux_items_sku)" t "ux_items_sku"
}

@test "pg: CONCURRENTLY statements run outside the transaction in -v order" {
	write_rev 0002 0001 "CREATE TABLE items (id integer, qty integer);
CREATE INDEX CONCURRENTLY ix_items_qty ON items (qty);
INSERT INTO items VALUES (1, 1);"
	pmig -v upgrade head
	assert_status 0
	# No "cannot run inside a transaction block", and each statement
	# runs once, in file order.
	local order
	order=$(grep -n -e '^  CREATE TABLE items' \
	    -e '^  CREATE INDEX CONCURRENTLY ix_items_qty' \
	    -e '^  INSERT INTO items' <<<"$stderr" | cut -d: -f1 | tr '\n' ' ')
	[[ $order =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)\ $ ]] ||
	    { show_run; fail "each statement once in -v output: <$order>"; }
	[ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] &&
	    [ "${BASH_REMATCH[2]}" -lt "${BASH_REMATCH[3]}" ] ||
	    { show_run; fail "statements out of order: <$order>"; }
	refute_contains "$stderr" "(done)" stderr
	assert_eq "$(hist 0002)" "up 3/3 true" "history of 0002"
}

# --- (b) a failure after a CONCURRENTLY statement --------------------------

@test "pg: a failure after CONCURRENTLY leaves the revision partial; a rerun resumes" {
	local oid old_sum at
	write_orders_rev
	pmig upgrade head
	assert_status 1
	at=$(at_of "$f" nosuchcol)
	assert_error "$f:$at: column \"nosuchcol\" does not exist \(SQLSTATE 42703\)"
	assert_contains "$stderr" "hint: Revision '0002' is partially applied (3 of 6 statements)" stderr
	# Statements 1-2 committed before the index; the index was built;
	# 4-5 rolled back; 6 never ran.
	assert_eq "$(pg_sql 'SELECT count(*) FROM orders')" 2 "orders rows"
	assert_eq "$(idx_state ix_orders_total)" t "ix_orders_total"
	! col_exists orders status || fail "orders.status was not rolled back"
	! rel_exists order_notes || fail "order_notes exists"
	assert_eq "$(versions)" 0001 "version rows"
	rel_exists keep_me || fail "keep_me is gone"
	assert_eq "$(hist 0001)" "up 1/1 true" "history of 0001"
	assert_eq "$(hist 0002)" "up 3/6 false" "history of 0002"
	oid=$(idx_oid ix_orders_total)
	old_sum=$(pg_sql "SELECT checksum FROM migrate_history WHERE revision = '0002'")

	pmig status
	assert_status 0
	assert_eq "${lines[0]}" "1 applied, 1 pending, 1 partial" "status"
	assert_contains "$output" "partial 0002  up stopped after 3 statements" "status"
	pmig status --exit-code
	assert_status 1
	pmig --json status
	assert_status 0
	assert_contains "$output" '"partial": [{"revision": "0002", "direction": "up", "statements_done": 3}]' "status --json"

	sed -i 's/WHERE nosuchcol = 1/WHERE id = 1/' "$f"
	pmig upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 4 of 6" stderr
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(pg_sql "SELECT id || ':' || coalesce(status, '-') FROM orders ORDER BY id" | tr '\n' ' ')" "1:new 2:- " "orders"
	rel_exists order_notes || fail "order_notes is missing"
	# Statements 1-3 did not run again: the same index.
	assert_eq "$(idx_oid ix_orders_total)" "$oid" "index oid"
	# Still one 'up' row for 0002: the attempt's, now complete, with the
	# checksum of the fixed file.
	assert_eq "$(hist 0002)" "up 6/6 true" "history of 0002"
	assert_match "$(pg_sql "SELECT checksum FROM migrate_history WHERE revision = '0002'")" '^[0-9a-f]{64}$' checksum
	[ "$(pg_sql "SELECT checksum FROM migrate_history WHERE revision = '0002'")" != "$old_sum" ] ||
	    fail "the checksum is the broken file's"
	pmig status
	assert_eq "${lines[0]}" "2 applied, 0 pending" "status"
}

# --- (c) a unique CONCURRENTLY build that fails ----------------------------

@test "pg: a failed unique CONCURRENTLY build leaves an INVALID index; a rerun rebuilds it" {
	local at oid
	write_rev 0002 0001 "CREATE TABLE users (id integer PRIMARY KEY, email text);
INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x');
CREATE UNIQUE INDEX CONCURRENTLY ux_users_email ON users (email);
ALTER TABLE users ADD COLUMN verified boolean;"
	pmig upgrade head
	assert_status 1
	at=$(line_of "$f" "CREATE UNIQUE INDEX CONCURRENTLY"):1
	assert_error "$f:$at: could not create unique index \"ux_users_email\" \(SQLSTATE 23505\)"
	assert_contains "$stderr" 'detail: Key (email)=(a@x) is duplicated.' stderr
	assert_contains "$stderr" "partially applied (2 of 4 statements)" stderr
	assert_eq "$(idx_state ux_users_email)" f "ux_users_email"
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(hist 0002)" "up 2/4 false" "history of 0002"
	! col_exists users verified || fail "users.verified exists"
	oid=$(idx_oid ux_users_email)

	# Rerunning with the duplicates still there fails the same way.
	pmig upgrade head
	assert_status 1
	assert_contains "$stderr" "resuming at statement 3 of 4" stderr
	assert_error "$f:$at: could not create unique index \"ux_users_email\" \(SQLSTATE 23505\)"
	assert_eq "$(idx_state ux_users_email)" f "ux_users_email"
	assert_eq "$(hist 0002)" "up 2/4 false" "history of 0002"

	pg_sql 'DELETE FROM users WHERE id = 2' >/dev/null
	pmig upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 3 of 4" stderr
	assert_eq "$(idx_state ux_users_email)" t "ux_users_email"
	[ "$(idx_oid ux_users_email)" != "$oid" ] ||
	    fail "the INVALID index was not dropped and built again"
	assert_eq "$(pg_sql "SELECT count(*) FROM pg_class WHERE relname = 'ux_users_email'")" 1 \
	    "indexes named ux_users_email"
	col_exists users verified || fail "users.verified is missing"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002)" "up 4/4 true" "history of 0002"
}

@test "pg: a failed CONCURRENTLY build as the first statement, quoted names in a schema" {
	local oid
	write_rev 0001 '' 'CREATE SCHEMA app;
CREATE TABLE app."Users" (id integer, "Email" text);
INSERT INTO app."Users" VALUES (1, '"'"'a@x'"'"'), (2, '"'"'a@x'"'"');'
	# Not on search_path: the index goes into its table's schema.
	write_rev 0002 0001 'CREATE UNIQUE INDEX CONCURRENTLY "Ux Users Email" ON app."Users" ("Email");'
	pmig upgrade head
	assert_status 1
	assert_error "$f:$(line_of "$f" 'CREATE UNIQUE'):1: could not create unique index \"Ux Users Email\" \(SQLSTATE 23505\)"
	# Nothing of 0002 was applied but the INVALID index.
	refute_contains "$stderr" "partially applied" stderr
	assert_eq "$(idx_state 'app."Ux Users Email"')" f "the index"
	assert_eq "$(versions)" 0001 "version rows"
	oid=$(idx_oid 'app."Ux Users Email"')
	pmig status
	refute_contains "$output" partial "status"

	pg_sql 'DELETE FROM app."Users" WHERE id = 2' >/dev/null
	pmig upgrade head
	assert_status 0
	assert_eq "$(idx_state 'app."Ux Users Email"')" t "the index"
	[ "$(idx_oid 'app."Ux Users Email"')" != "$oid" ] ||
	    fail "the INVALID index was not dropped and built again"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002 | tail -n 1)" "up 1/1 true" "last history row of 0002"
}

# --- (d) an interrupted build whose index is valid ---------------------------

# 0002 of (d): the index is statement 2 of 3.
write_events_rev() {
	write_rev 0002 0001 "CREATE TABLE events (id integer, kind text);
CREATE INDEX CONCURRENTLY ix_events_kind ON events (kind);
ALTER TABLE events ADD COLUMN at timestamptz;" \
	    "ALTER TABLE events DROP COLUMN at;
DROP INDEX CONCURRENTLY ix_events_kind;
DROP TABLE events;"
}

# A history row as exec.c leaves it for an attempt cut off by a kill
# (duration_ms NULL: never closed; no checksum).
attempt_row() { # REV DIRECTION DONE TOTAL
	pg_sql "INSERT INTO migrate_history (revision, direction, applied_at,
	    applied_by, duration_ms, statements_done, statements_total,
	    success) VALUES ('$1', '$2', now(), 'test', NULL, $3, $4, false)" \
	    >/dev/null
}

@test "pg: a resumed CONCURRENTLY build whose index is valid is kept" {
	local oid
	write_events_rev
	pmig upgrade 0001
	assert_status 0
	# A run cut off after the build finished but before its progress
	# was recorded: statement 1 committed with the attempt row at 1.
	pg_sql 'CREATE TABLE events (id integer, kind text);
	    CREATE INDEX ix_events_kind ON events (kind)' >/dev/null
	attempt_row 0002 up 1 3
	oid=$(idx_oid ix_events_kind)
	pmig -v upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 2 of 3" stderr
	assert_contains "$stderr" "(done) CREATE INDEX CONCURRENTLY ix_events_kind" stderr
	assert_eq "$(idx_oid ix_events_kind)" "$oid" "index oid"
	assert_eq "$(idx_state ix_events_kind)" t "ix_events_kind"
	col_exists events at || fail "events.at is missing"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002)" "up 3/3 true" "history of 0002"
}

@test "pg: a resumed CONCURRENTLY build whose index is INVALID is built again" {
	local oid
	write_events_rev
	pmig upgrade 0001
	assert_status 0
	# An INVALID index, as a cut-off build leaves: a unique build over
	# duplicates, the duplicates then removed.
	pg_sql "CREATE TABLE events (id integer, kind text);
	    INSERT INTO events VALUES (1, 'x'), (2, 'x')" >/dev/null
	if pg_sql 'CREATE UNIQUE INDEX CONCURRENTLY ix_events_kind ON events (kind)' \
	    2>/dev/null; then
		fail "the unique build succeeded"
	fi
	pg_sql 'DELETE FROM events WHERE id = 2' >/dev/null
	assert_eq "$(idx_state ix_events_kind)" f "ix_events_kind"
	oid=$(idx_oid ix_events_kind)
	attempt_row 0002 up 1 3
	pmig upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 2 of 3" stderr
	assert_eq "$(idx_state ix_events_kind)" t "ix_events_kind"
	[ "$(idx_oid ix_events_kind)" != "$oid" ] || fail "the index was kept"
	# Built from the file: not unique.
	assert_eq "$(pg_sql "SELECT indisunique FROM pg_index
	    WHERE indexrelid = 'ix_events_kind'::regclass")" f "unique"
	assert_eq "$(hist 0002)" "up 3/3 true" "history of 0002"
}

@test "pg: a resumed DROP INDEX CONCURRENTLY whose index is gone is skipped" {
	write_events_rev
	pmig upgrade head
	assert_status 0
	# A downgrade cut off after the index was dropped: statement 1
	# committed with the attempt row at 1, the index gone.
	pg_sql 'ALTER TABLE events DROP COLUMN at; DROP INDEX ix_events_kind' \
	    >/dev/null
	attempt_row 0002 down 1 3
	pmig -v downgrade 0001
	assert_status 0
	assert_contains "$stderr" "resuming at statement 2 of 3" stderr
	assert_contains "$stderr" "(done) DROP INDEX CONCURRENTLY ix_events_kind" stderr
	! rel_exists events || fail "events still exists"
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(hist 0002)" "up 3/3 true
down 3/3 true" "history of 0002"
}

@test "pg: a resumed DROP INDEX CONCURRENTLY whose index is there drops it" {
	write_events_rev
	pmig upgrade head
	assert_status 0
	pg_sql 'ALTER TABLE events DROP COLUMN at' >/dev/null
	attempt_row 0002 down 1 3
	pmig -v downgrade 0001
	assert_status 0
	refute_contains "$stderr" "(done)" stderr
	assert_eq "$(idx_state ix_events_kind)" absent "ix_events_kind"
	! rel_exists events || fail "events still exists"
	assert_eq "$(versions)" 0001 "version rows"
}

@test "pg: a valid index of the same name on another table is not taken for the statement done" {
	write_rev 0002 0001 "CREATE TABLE a (v integer);
CREATE INDEX CONCURRENTLY ix_v ON a (v);"
	write_rev 0003 0002 "CREATE TABLE b (v integer);
CREATE INDEX CONCURRENTLY ix_v ON b (v);"
	pmig upgrade head
	assert_status 1
	assert_error "versions/0003_rev_0003\.sql:$(line_of versions/0003_rev_0003.sql 'CREATE INDEX'):1: relation \"ix_v\" already exists \(SQLSTATE 42P07\)"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(pg_sql "SELECT indrelid::regclass FROM pg_index
	    WHERE indexrelid = 'ix_v'::regclass")" a "table of ix_v"
	assert_eq "$(hist 0003)" "up 1/2 false" "history of 0003"
}

@test "pg: a fresh DROP INDEX CONCURRENTLY of a missing index fails" {
	write_rev 0002 0001 "CREATE TABLE t (v integer);
CREATE INDEX CONCURRENTLY ix_t_v ON t (v);" \
	    "DROP INDEX CONCURRENTLY ix_t_misspelt;"
	pmig upgrade head
	assert_status 0
	pmig downgrade 0001
	assert_status 1
	assert_error "$f:$(line_of "$f" 'DROP INDEX'):1: index \"ix_t_misspelt\" does not exist \(SQLSTATE 42704\)"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(idx_state ix_t_v)" t "ix_t_v"
}

# --- (e) resolve -------------------------------------------------------------

@test "pg: resolve --applied records a partial revision as applied" {
	partial_orders
	# Finished by hand.
	pg_sql "ALTER TABLE orders ADD COLUMN status text;
	    CREATE TABLE order_notes (order_id integer)" >/dev/null
	pmig resolve 0002 --applied
	assert_status 0
	assert_contains "$stderr" "Resolved '0002' (up) as applied." stderr
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002)" "up 3/6 false
resolve 6/6 true" "history of 0002"
	pmig status
	assert_status 0
	assert_eq "${lines[0]}" "2 applied, 0 pending" "status"
	pmig upgrade head
	assert_status 0
	refute_contains "$stderr" "Running upgrade" stderr
	assert_eq "$(hist 0002 | wc -l)" 2 "history rows of 0002"
	# Settled: resolving it again is refused.
	pmig resolve 0002 --applied
	assert_status 2
	assert_error "revision '0002' is not partially applied"
}

@test "pg: resolve --rolled-back forgets the attempt; the next upgrade starts over" {
	partial_orders
	# Undone by hand.
	pg_sql 'DROP TABLE orders' >/dev/null
	pmig resolve 0002 --rolled-back
	assert_status 0
	assert_contains "$stderr" "Resolved '0002' (up) as rolled back." stderr
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(hist 0002)" "up 3/6 false
resolve 0/6 true" "history of 0002"
	pmig status
	assert_eq "${lines[0]}" "1 applied, 1 pending" "status"
	refute_contains "$output" partial "status"

	sed -i 's/WHERE nosuchcol = 1/WHERE id = 1/' "$f"
	pmig upgrade head
	assert_status 0
	refute_contains "$stderr" "resuming" stderr
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(pg_sql 'SELECT count(*) FROM orders')" 2 "orders rows"
	assert_eq "$(idx_state ix_orders_total)" t "ix_orders_total"
	assert_eq "$(hist 0002 | tail -n 1)" "up 6/6 true" "last history row"
}

@test "pg: resolve refuses a revision that is not partial" {
	partial_orders
	pmig resolve 0001 --applied
	assert_status 2
	assert_error "revision '0001' is not partially applied"
	pmig resolve 0001 --rolled-back
	assert_status 2
	assert_error "revision '0001' is not partially applied"
	# 0002's attempt is untouched.
	assert_eq "$(hist 0002)" "up 3/6 false" "history of 0002"
	assert_eq "$(versions)" 0001 "version rows"
	pmig resolve 0002
	assert_status 2
	pmig resolve 0002 --applied --rolled-back
	assert_status 2
	pmig resolve 9999 --applied
	assert_status 2
	assert_eq "$(hist 0002)" "up 3/6 false" "history of 0002"
}

# --- (f) transaction off -----------------------------------------------------

@test "pg: a '-- migrate:transaction off' revision runs in autocommit" {
	local at
	write_rev 0002 0001 "-- migrate:transaction off
CREATE TABLE ac1 (id integer);
CREATE TABLE ac2 (id integer);
INSERT INTO ac1 VALUES (1 / 0);
CREATE TABLE ac3 (id integer);"
	pmig upgrade head
	assert_status 1
	at=$(line_of "$f" 'INSERT INTO ac1'):1
	assert_error "$f:$at: division by zero \(SQLSTATE 22012\)"
	assert_contains "$stderr" "partially applied (2 of 4 statements)" stderr
	rel_exists ac1 || fail "ac1 was rolled back"
	rel_exists ac2 || fail "ac2 was rolled back"
	! rel_exists ac3 || fail "ac3 exists"
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(hist 0002)" "up 2/4 false" "history of 0002"
	pmig status
	assert_contains "$output" "partial 0002  up stopped after 2 statements" status

	sed -i 's|(1 / 0)|(1)|' "$f"
	pmig upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 3 of 4" stderr
	assert_eq "$(pg_sql 'SELECT count(*) FROM ac1')" 1 "ac1 rows"
	rel_exists ac3 || fail "ac3 is missing"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002)" "up 4/4 true" "history of 0002"
}

@test "pg: a resumed autocommit revision that fails again records its progress" {
	write_rev 0002 0001 "-- migrate:transaction off
CREATE TABLE ac1 (id integer);
SELECT 1 / 0;
CREATE TABLE ac2 (id integer);
SELECT nosuchcol;
CREATE TABLE ac3 (id integer);"
	pmig upgrade head
	assert_status 1
	assert_eq "$(hist 0002)" "up 1/5 false" "history of 0002"
	sed -i 's|SELECT 1 / 0|SELECT 1|' "$f"
	pmig upgrade head
	assert_status 1
	assert_contains "$stderr" "partially applied (3 of 5 statements)" stderr
	assert_eq "$(hist 0002)" "up 3/5 false" "history of 0002"
	sed -i 's|SELECT nosuchcol|SELECT 2|' "$f"
	pmig upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 4 of 5" stderr
	rel_exists ac3 || fail "ac3 is missing"
	assert_eq "$(hist 0002)" "up 5/5 true" "history of 0002"
}

@test "pg: transaction = none runs CONCURRENTLY statements too" {
	printf '[migrate]\nscript_location = versions\ntransaction = none\n' >migrate.ini
	write_rev 0002 0001 "CREATE TABLE n (v integer);
CREATE INDEX CONCURRENTLY ix_n_v ON n (v);
INSERT INTO n VALUES (1);"
	pmig upgrade head
	assert_status 0
	assert_eq "$(idx_state ix_n_v)" t "ix_n_v"
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(hist 0002)" "up 3/3 true" "history of 0002"
}
