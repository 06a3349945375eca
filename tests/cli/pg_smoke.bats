#!/usr/bin/env bats
# The shipping example on a real PostgreSQL server: per-revision
# transactions with a CREATE INDEX CONCURRENTLY revision in the chain.

load helpers

setup_file() { pg_setup_file; }
teardown_file() { pg_teardown_file; }

setup() {
	pg_setup
	work=$(mktemp -d)
	# 0011 is a C plugin: compile it into the test's cache, not the user's.
	export MIGRATE_CACHE_DIR=$work/cache
	cp -r "$BATS_TEST_DIRNAME/../../examples/shipping/versions" "$work/"
	printf '[migrate]\nscript_location = versions\n' >"$work/migrate.ini"
	cd "$work"
}

teardown() {
	rm -rf "$work"
}

@test "pg: the example goes up, down to base and up again" {
	run "$MIGRATE" --url "$PG_URL" upgrade head
	[ "$status" -eq 0 ]
	[ "$(pg_sql 'SELECT version_num FROM migrate_version')" = 0011 ]
	# The index was built outside the transaction, and is valid.
	[ "$(pg_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_shipments_user_id'::regclass")" = t ]
	[ "$(pg_sql "SELECT count(*) FROM migrate_history WHERE direction = 'up' AND success")" = 11 ]
	run "$MIGRATE" --url "$PG_URL" downgrade base
	[ "$status" -eq 0 ]
	[ "$(pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'migrate_%'")" = 0 ]
	run "$MIGRATE" --url "$PG_URL" upgrade head
	[ "$status" -eq 0 ]
	run "$MIGRATE" --url "$PG_URL" current
	[ "$output" = "0011 (head)" ]
}

@test "pg: a schema-qualified version table is created with its schema" {
	printf '[migrate]\nscript_location = versions\nversion_table = ops.migrate_version\n' >migrate.ini
	run "$MIGRATE" --url "$PG_URL" upgrade 0002
	[ "$status" -eq 0 ]
	[ "$(pg_sql 'SELECT version_num FROM ops.migrate_version')" = 0002 ]
	[ "$(pg_sql 'SELECT count(*) FROM ops.migrate_history')" = 2 ]
}
