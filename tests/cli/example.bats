#!/usr/bin/env bats
# The shipping example (examples/shipping) on SQLite: up, down to base, up.

load helpers

EXAMPLE=$BATS_TEST_DIRNAME/../../examples/shipping

setup() {
	make_test_dir
	# The configuration and the revisions only: a shipping.db left in
	# the example directory by someone running it must not come along.
	cp "$EXAMPLE/migrate.ini" .
	cp -r "$EXAMPLE/versions" .
	DB=$(sed -n 's|^url *= *sqlite:///||p' migrate.ini)
	[ -n "$DB" ] || fail "examples/shipping/migrate.ini has no sqlite:/// url"
}

q() {
	sqlite3 "$DB" "$1"
}

objects() { # TYPE: names of that type, apart from migrate's and SQLite's own
	q "SELECT name FROM sqlite_master WHERE type = '$1'
	    AND name NOT LIKE 'sqlite%'
	    AND name NOT IN ('migrate_version', 'migrate_history')
	    ORDER BY name" | tr '\n' ' ' | sed 's/ $//'
}

last_id() {
	ls versions | sed -n 's/^\([0-9]*\)_.*\.sql$/\1/p' | sort | tail -n 1
}

@test "upgrade head applies all ten revisions" {
	assert_eq "$(last_id)" "0010" "last revision of the example"
	mig upgrade head
	assert_status 0
	mig current
	assert_status 0
	assert_stdout "0010 (head)"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0010" "version"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE direction = 'up' AND success = 1")" 10 "successful up steps"
	assert_eq "$(objects table)" "countries shipments users" tables
	assert_eq "$(objects view)" "user_directory" views
	# 0010 dropped users.name and the sync triggers.
	assert_eq "$(q "SELECT group_concat(name, ' ') FROM pragma_table_info('users')")" \
	    "id email created_at full_name" "columns of users"
	assert_eq "$(objects trigger)" "" triggers
	# 0007 made tracking_code NOT NULL.
	assert_eq "$(q "SELECT \"notnull\" FROM pragma_table_info('shipments')
	    WHERE name = 'tracking_code'")" 1 "shipments.tracking_code NOT NULL"
	assert_eq "$(q 'SELECT count(*) FROM countries')" 15 "seeded countries"
	assert_eq "$(q 'PRAGMA foreign_key_check')" "" "foreign key check"
	assert_eq "$(q 'PRAGMA integrity_check')" "ok" "integrity check"
}

@test "the CONCURRENTLY index exists on SQLite, created without the keyword" {
	grep -q 'CREATE INDEX CONCURRENTLY ix_shipments_user_id' \
	    versions/0004_*.sql || fail "0004 no longer uses CONCURRENTLY"
	mig upgrade 0004
	assert_status 0
	local sql
	sql=$(q "SELECT sql FROM sqlite_master WHERE type = 'index'
	    AND name = 'ix_shipments_user_id'")
	[ -n "$sql" ] || fail "index ix_shipments_user_id missing after 0004"
	refute_contains "$sql" CONCURRENTLY "stored index SQL"
	assert_eq "$(q "SELECT tbl_name FROM sqlite_master
	    WHERE name = 'ix_shipments_user_id'")" shipments "indexed table"
	# 0007 rebuilds shipments and recreates the index.
	mig upgrade head
	assert_status 0
	assert_eq "$(q "SELECT group_concat(name) FROM pragma_index_info('ix_shipments_user_id')")" \
	    "user_id" "indexed column at head"
}

@test "data written between revisions survives the later ones" {
	mig upgrade 0005
	assert_status 0
	q "INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'Ann');
	   INSERT INTO shipments (id, user_id, origin_country,
	       destination_country, weight_grams)
	   VALUES (42, 1, 'FR', 'DE', 500);"
	mig upgrade head
	assert_status 0
	# 0006 backfilled the tracking code, 0008/0009 copied name to full_name.
	assert_eq "$(q 'SELECT tracking_code FROM shipments WHERE id = 42')" \
	    "TRK00000042" "backfilled tracking code"
	assert_eq "$(q 'SELECT full_name FROM user_directory WHERE id = 1')" \
	    "Ann" "full_name"
	# And back: 0010's downgrade puts name back from full_name.
	mig downgrade 0009
	assert_status 0
	assert_eq "$(q 'SELECT name FROM users WHERE id = 1')" "Ann" "users.name"
	assert_eq "$(q 'PRAGMA foreign_key_check')" "" "foreign key check"
}

@test "downgrade base leaves no user tables, and upgrade works again" {
	mig upgrade head
	assert_status 0
	local at_head
	at_head=$(q "SELECT type, name, sql FROM sqlite_master
	    WHERE name NOT LIKE 'sqlite%' ORDER BY type, name")
	mig downgrade base
	assert_status 0
	assert_eq "$(objects table)" "" "tables after downgrade base"
	assert_eq "$(objects view)" "" "views after downgrade base"
	assert_eq "$(objects index)" "" "indexes after downgrade base"
	assert_eq "$(objects trigger)" "" "triggers after downgrade base"
	assert_eq "$(q 'SELECT count(*) FROM migrate_version')" 0 "version rows"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE direction = 'down' AND success = 1")" 10 "successful down steps"
	mig current
	assert_eq "$output" "" "current at base"

	mig upgrade head
	assert_status 0
	mig current
	assert_stdout "0010 (head)"
	# The same schema as the first time.
	assert_eq "$(q "SELECT type, name, sql FROM sqlite_master
	    WHERE name NOT LIKE 'sqlite%' ORDER BY type, name")" "$at_head" \
	    "schema after up-down-up"
}
