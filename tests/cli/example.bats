#!/usr/bin/env bats
# The shipping example (examples/shipping): up, down to base, up. On SQLite
# (the example's own url), or on PostgreSQL with
# MIGRATE_TEST_DIALECT=postgresql (the url replaced by the test's database;
# the revisions' postgresql sections run).

load helpers

EXAMPLE=$BATS_TEST_DIRNAME/../../examples/shipping

setup() {
	make_test_dir
	db_setup
	# The configuration and the revisions only: a shipping.db left in
	# the example directory by someone running it must not come along.
	cp "$EXAMPLE/migrate.ini" .
	cp -r "$EXAMPLE/versions" .
	DB=$(sed -n 's|^url *= *sqlite:///||p' migrate.ini)
	[ -n "$DB" ] || fail "examples/shipping/migrate.ini has no sqlite:/// url"
	if is_pg; then
		awk -v url="$PG_URL" '/^url *=/ { $0 = "url = " url } 1' \
		    migrate.ini >migrate.ini.new && mv migrate.ini.new migrate.ini
	fi
}

q() {
	if is_pg; then
		pg_sql "$1"
	else
		sqlite3 "$DB" "$1"
	fi
}

objects() { # TYPE: names of that type, apart from migrate's and the database's own
	if is_pg; then
		case $1 in
		table) q "SELECT tablename AS name FROM pg_tables
		    WHERE schemaname = 'public'
		    AND tablename NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY 1" ;;
		view) q "SELECT viewname FROM pg_views
		    WHERE schemaname = 'public' ORDER BY 1" ;;
		# Not the primary keys and unique constraints' indexes, which
		# SQLite calls sqlite_autoindex_*.
		index) q "SELECT i.relname FROM pg_index x
		    JOIN pg_class i ON i.oid = x.indexrelid
		    JOIN pg_class t ON t.oid = x.indrelid
		    JOIN pg_namespace n ON n.oid = t.relnamespace
		    WHERE n.nspname = 'public'
		    AND t.relname NOT IN ('migrate_version', 'migrate_history')
		    AND NOT EXISTS (SELECT 1 FROM pg_constraint c
		        WHERE c.conindid = x.indexrelid)
		    ORDER BY 1" ;;
		trigger) q "SELECT tgname FROM pg_trigger
		    WHERE NOT tgisinternal ORDER BY 1" ;;
		esac
	else
		q "SELECT name FROM sqlite_master WHERE type = '$1'
		    AND name NOT LIKE 'sqlite%'
		    AND name NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY name"
	fi | tr '\n' ' ' | sed 's/ $//'
}

columns() { # TABLE: its columns in order
	if is_pg; then
		q "SELECT string_agg(column_name, ' ' ORDER BY ordinal_position)
		    FROM information_schema.columns
		    WHERE table_schema = 'public' AND table_name = '$1'"
	else
		q "SELECT group_concat(name, ' ') FROM pragma_table_info('$1')"
	fi
}

not_null() { # TABLE COLUMN: 1 or 0
	if is_pg; then
		q "SELECT CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END
		    FROM information_schema.columns
		    WHERE table_schema = 'public' AND table_name = '$1'
		    AND column_name = '$2'"
	else
		q "SELECT \"notnull\" FROM pragma_table_info('$1') WHERE name = '$2'"
	fi
}

# The database's own consistency checks: SQLite's foreign key and integrity
# checks; PostgreSQL enforces foreign keys itself, so: no constraint left
# NOT VALID and no INVALID index (a failed CONCURRENTLY build leaves one).
assert_consistent() {
	if is_pg; then
		assert_eq "$(q 'SELECT count(*) FROM pg_constraint
		    WHERE NOT convalidated')" 0 "constraints not validated"
		assert_eq "$(q 'SELECT count(*) FROM pg_index
		    WHERE NOT indisvalid OR NOT indisready')" 0 "invalid indexes"
	else
		assert_eq "$(q 'PRAGMA foreign_key_check')" "" "foreign key check"
		assert_eq "$(q 'PRAGMA integrity_check')" "ok" "integrity check"
	fi
}

# The schema, migrate's tables included, as text.
schema() {
	if is_pg; then
		"${PG_DUMP:-pg_dump}" --schema-only --no-owner --no-privileges -d "$PG_URL" |
		    grep -v -e '^\\restrict ' -e '^\\unrestrict '
	else
		q "SELECT type, name, sql FROM sqlite_master
		    WHERE name NOT LIKE 'sqlite%' ORDER BY type, name"
	fi
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
	    WHERE direction = 'up' AND success")" 10 "successful up steps"
	assert_eq "$(objects table)" "countries shipments users" tables
	assert_eq "$(objects view)" "user_directory" views
	# 0010 dropped users.name and the sync triggers.
	assert_eq "$(columns users)" "id email created_at full_name" "columns of users"
	assert_eq "$(objects trigger)" "" triggers
	# 0007 made tracking_code NOT NULL.
	assert_eq "$(not_null shipments tracking_code)" 1 \
	    "shipments.tracking_code NOT NULL"
	assert_eq "$(q 'SELECT count(*) FROM countries')" 15 "seeded countries"
	assert_consistent
}

@test "the CONCURRENTLY index of 0004: without the keyword on SQLite, outside the transaction on PostgreSQL" {
	grep -q 'CREATE INDEX CONCURRENTLY ix_shipments_user_id' \
	    versions/0004_*.sql || fail "0004 no longer uses CONCURRENTLY"
	mig upgrade 0004
	assert_status 0
	if is_pg; then
		# PostgreSQL refuses CONCURRENTLY in a transaction block: it
		# ran outside, and the build completed.
		assert_eq "$(q "SELECT indisvalid FROM pg_index
		    WHERE indexrelid = 'ix_shipments_user_id'::regclass")" t \
		    "index ix_shipments_user_id valid"
		assert_eq "$(q "SELECT indrelid::regclass FROM pg_index
		    WHERE indexrelid = 'ix_shipments_user_id'::regclass")" \
		    shipments "indexed table"
		assert_eq "$(q "SELECT revision, statements_done, statements_total
		    FROM migrate_history WHERE revision = '0004'")" "0004|1|1" \
		    "history of 0004 (statements done/total)"
	else
		local sql
		sql=$(q "SELECT sql FROM sqlite_master WHERE type = 'index'
		    AND name = 'ix_shipments_user_id'")
		[ -n "$sql" ] || fail "index ix_shipments_user_id missing after 0004"
		refute_contains "$sql" CONCURRENTLY "stored index SQL"
		assert_eq "$(q "SELECT tbl_name FROM sqlite_master
		    WHERE name = 'ix_shipments_user_id'")" shipments "indexed table"
	fi
	# 0007 rebuilds shipments on SQLite and recreates the index; on
	# PostgreSQL it alters the column in place.
	mig upgrade head
	assert_status 0
	if is_pg; then
		assert_eq "$(q "SELECT a.attname FROM pg_index x
		    JOIN pg_attribute a ON a.attrelid = x.indrelid
		    AND a.attnum = ANY (x.indkey)
		    WHERE x.indexrelid = 'ix_shipments_user_id'::regclass")" \
		    "user_id" "indexed column at head"
	else
		assert_eq "$(q "SELECT group_concat(name) FROM pragma_index_info('ix_shipments_user_id')")" \
		    "user_id" "indexed column at head"
	fi
	# And down again: the downgrade drops it (CONCURRENTLY on PostgreSQL).
	mig downgrade 0003
	assert_status 0
	assert_eq "$(objects index)" "" "indexes at 0003"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0003" "version"
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
	assert_consistent
}

@test "downgrade base leaves no user tables, and upgrade works again" {
	mig upgrade head
	assert_status 0
	local at_head
	at_head=$(schema)
	mig downgrade base
	assert_status 0
	assert_eq "$(objects table)" "" "tables after downgrade base"
	assert_eq "$(objects view)" "" "views after downgrade base"
	assert_eq "$(objects index)" "" "indexes after downgrade base"
	assert_eq "$(objects trigger)" "" "triggers after downgrade base"
	assert_eq "$(q 'SELECT count(*) FROM migrate_version')" 0 "version rows"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE direction = 'down' AND success")" 10 "successful down steps"
	mig current
	assert_eq "$output" "" "current at base"

	mig upgrade head
	assert_status 0
	mig current
	assert_stdout "0010 (head)"
	# The same schema as the first time.
	assert_eq "$(schema)" "$at_head" "schema after up-down-up"
}
