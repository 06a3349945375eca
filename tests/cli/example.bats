#!/usr/bin/env bats
# The shipping example (examples/shipping): up, down to base, up. On SQLite
# (the example's own url), or on PostgreSQL with
# MIGRATE_TEST_DIALECT=postgresql (the url replaced by the test's database;
# the revisions' postgresql sections run). Revision 0011 is a C plugin: it is
# compiled with $CC (cc) into the test's MIGRATE_CACHE_DIR on first use.

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

# The example's revision files are NNNN_slug.sql or NNNN_slug.c.
last_id() {
	ls versions | sed -n 's/^\([0-9]*\)_.*\.\(sql\|c\)$/\1/p' | sort | tail -n 1
}

# The schema and every row but migrate_history's (whose times and ids differ
# from one run to the next), compared across up-down cycles.
# PostgreSQL: pg_state's catalog dump without the columns' attnum (a dropped
# column keeps its number, so a column added again gets the next one; the
# lines still come in the columns' order).
# SQLite: what the PRAGMAs say about each table (columns, foreign keys,
# indexes and their columns), its CREATE TABLE text with the spacing and the
# double quotes taken out (a rebuild or a dropped column rewrites them:
# `CREATE TABLE "shipments" (...`; the CHECK constraints are only there),
# its rows, and the views' and triggers' SQL.
state() {
	if is_pg; then
		pg_state | grep -E -v '^(row|sequence) public\.migrate_history' |
		    sed -E 's/^(column [^ ]+) [0-9]+ /\1 /'
	else
		local t
		for t in $(q "SELECT name FROM sqlite_schema WHERE type = 'table'
		    AND name NOT LIKE 'sqlite%' AND name <> 'migrate_history'
		    ORDER BY name"); do
			echo "table $t"
			q "SELECT sql FROM sqlite_schema WHERE type = 'table'
			    AND name = '$t'" | tr -s '[:space:]' ' ' |
			    sed -E 's/"//g; s/ *([,()]) */\1/g'
			echo
			q "SELECT * FROM pragma_table_xinfo('$t')"
			q "SELECT * FROM pragma_foreign_key_list('$t') ORDER BY id, seq"
			q "SELECT il.name, il.\"unique\", il.origin, il.partial,
			    (SELECT group_concat(ii.name) FROM
			        (SELECT name FROM pragma_index_info(il.name)
			         ORDER BY seqno) ii)
			    FROM pragma_index_list('$t') il ORDER BY il.name"
			q "SELECT * FROM \"$t\" ORDER BY rowid"
		done
		q "SELECT type, name, tbl_name, sql FROM sqlite_schema
		    WHERE type IN ('view', 'trigger') ORDER BY type, name"
	fi
}

# A table's foreign keys: "column>table.column" per key, sorted.
foreign_keys() { # TABLE
	if is_pg; then
		q "SELECT string_agg(a.attname || '>' || c.confrelid::regclass || '.' ||
		        af.attname, ' ' ORDER BY a.attname)
		    FROM pg_constraint c
		    JOIN pg_attribute a ON a.attrelid = c.conrelid
		        AND a.attnum = c.conkey[1]
		    JOIN pg_attribute af ON af.attrelid = c.confrelid
		        AND af.attnum = c.confkey[1]
		    WHERE c.contype = 'f' AND c.conrelid = '$1'::regclass"
	else
		q "SELECT group_concat(k, ' ') FROM (SELECT \"from\" || '>' ||
		    \"table\" || '.' || \"to\" AS k
		    FROM pragma_foreign_key_list('$1') ORDER BY 1)"
	fi
}

# The columns an index covers, comma-separated.
index_columns() { # INDEX
	if is_pg; then
		q "SELECT string_agg(a.attname, ',' ORDER BY k.n)
		    FROM pg_index x
		    CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
		    JOIN pg_attribute a ON a.attrelid = x.indrelid
		        AND a.attnum = k.attnum
		    WHERE x.indexrelid = '$1'::regclass"
	else
		q "SELECT group_concat(name, ',') FROM
		    (SELECT name FROM pragma_index_info('$1') ORDER BY seqno)"
	fi
}

# The data 0011 works on, written at 0010 (users: email NOT NULL, full_name;
# shipments: tracking_code NOT NULL since 0007). Carriers: freight above
# 30000 g whatever the route; else international when origin and
# destination differ; else parcel above 2000 g; else letter. The rows sit on
# each side of both limits.
seed_at_0010() {
	mig upgrade 0010
	assert_status 0
	q "INSERT INTO users (id, email, full_name) VALUES
	       (1, 'ann@example.com', 'Ann'),
	       (2, 'bob@example.com', 'Bob');
	   INSERT INTO shipments (id, user_id, origin_country,
	       destination_country, status, weight_grams, tracking_code)
	   VALUES
	       (1, 1, 'FR', 'FR', 'pending',    30001, 'TRK-A1'),
	       (2, 1, 'FR', 'DE', 'pending',    30000, 'TRK-A2'),
	       (3, 2, 'FR', 'FR', 'in_transit', 30000, 'TRK-A3'),
	       (4, 2, 'DE', 'DE', 'delivered',   2001, 'TRK-A4'),
	       (5, 1, 'DE', 'DE', 'pending',     2000, 'TRK-A5'),
	       (6, 2, 'FR', 'US', 'returned',   50000, 'TRK-A6'),
	       (7, 1, 'US', 'CA', 'pending',        1, 'TRK-A7');" ||
	    fail "cannot insert the rows at 0010"
}

CARRIERS="1|freight 2|international 3|parcel 4|parcel 5|letter 6|freight 7|international"

carriers() {
	q 'SELECT id, carrier FROM shipments ORDER BY id' | tr '\n' ' ' |
	    sed 's/ $//'
}

# The rows as written at 0010, without carrier.
shipment_rows() {
	q 'SELECT id, user_id, origin_country, destination_country, status,
	    weight_grams, created_at, tracking_code FROM shipments ORDER BY id'
}

user_rows() {
	q 'SELECT id, email, full_name, created_at FROM users ORDER BY id'
}

@test "upgrade head applies all eleven revisions" {
	assert_eq "$(last_id)" "0011" "last revision of the example"
	assert_eq "$(ls versions | wc -l)" 11 "revision files"
	mig upgrade head
	assert_status 0
	# 0011 ran with no shipments to set.
	assert_stderr_contains "Running upgrade 0010 -> 0011, add shipments.carrier, chosen per shipment"
	assert_stderr_contains "[plugin] carrier set on 0 shipment(s)"
	mig current
	assert_status 0
	assert_stdout "0011 (head)"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0011" "version"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE direction = 'up' AND success")" 11 "successful up steps"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE NOT success")" 0 "failed steps"
	assert_eq "$(objects table)" "countries shipments users" tables
	assert_eq "$(objects view)" "user_directory" views
	# 0010 dropped users.name and the sync triggers.
	assert_eq "$(columns users)" "id email created_at full_name" "columns of users"
	assert_eq "$(objects trigger)" "" triggers
	# 0007 made tracking_code NOT NULL, 0011 added carrier NOT NULL.
	assert_eq "$(columns shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code carrier" \
	    "columns of shipments"
	assert_eq "$(not_null shipments tracking_code)" 1 \
	    "shipments.tracking_code NOT NULL"
	assert_eq "$(not_null shipments carrier)" 1 "shipments.carrier NOT NULL"
	assert_eq "$(objects index)" "ix_shipments_carrier ix_shipments_user_id" \
	    indexes
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
	# 0007 rebuilds shipments on SQLite ('-- migrate:rebuild shipments')
	# and recreates the index; on PostgreSQL it alters the column in
	# place. Checked at 0007 itself: 0011 rebuilds shipments again.
	mig upgrade 0007
	assert_status 0
	assert_eq "$(index_columns ix_shipments_user_id)" "user_id" \
	    "indexed column at 0007"
	# And at head, after 0011's rebuild.
	mig upgrade head
	assert_status 0
	assert_eq "$(index_columns ix_shipments_user_id)" "user_id" \
	    "indexed column at head"
	# And down again: the downgrade drops it (CONCURRENTLY on PostgreSQL).
	mig downgrade 0003
	assert_status 0
	assert_eq "$(objects index)" "" "indexes at 0003"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0003" "version"
}

@test "0007 requires tracking_code (a rebuild on SQLite) and keeps the rows, the index and the foreign keys; its downgrade relaxes it" {
	if is_sqlite; then
		grep -q '^-- migrate:rebuild shipments$' versions/0007_*.sql ||
		    fail "0007 no longer uses the rebuild directive"
	fi
	mig upgrade 0006
	assert_status 0
	q "INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'Ann');
	   INSERT INTO shipments (id, user_id, origin_country,
	       destination_country, weight_grams)
	   VALUES (7, 1, 'FR', 'DE', 500);
	   UPDATE shipments SET tracking_code = 'TRK-7' WHERE id = 7;" ||
	    fail "cannot insert the rows at 0006"
	assert_eq "$(not_null shipments tracking_code)" 0 \
	    "shipments.tracking_code NOT NULL at 0006"
	local rows fks
	rows=$(q 'SELECT * FROM shipments ORDER BY id')
	fks=$(foreign_keys shipments)
	assert_eq "$fks" \
	    "destination_country>countries.code origin_country>countries.code user_id>users.id" \
	    "foreign keys at 0006"

	mig upgrade 0007
	assert_status 0
	assert_eq "$(not_null shipments tracking_code)" 1 \
	    "shipments.tracking_code NOT NULL at 0007"
	assert_eq "$(columns shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code" \
	    "columns of shipments"
	assert_eq "$(q 'SELECT * FROM shipments ORDER BY id')" "$rows" \
	    "rows after 0007"
	assert_eq "$(foreign_keys shipments)" "$fks" "foreign keys after 0007"
	assert_eq "$(index_columns ix_shipments_user_id)" "user_id" \
	    "ix_shipments_user_id after 0007"
	if is_sqlite; then
		# The table was rebuilt: SQLite's RENAME stored its text quoted.
		assert_match "$(q "SELECT sql FROM sqlite_schema
		    WHERE type = 'table' AND name = 'shipments'")" \
		    '^CREATE TABLE "shipments" \(' "stored table text"
		assert_eq "$(q "SELECT count(*) FROM sqlite_schema
		    WHERE name LIKE '%shipments%' AND type = 'table'")" 1 \
		    "tables named like shipments (no leftover of the rebuild)"
	fi
	# A shipment without a tracking code is refused now.
	run q "INSERT INTO shipments (id, user_id, origin_country,
	    destination_country, weight_grams) VALUES (8, 1, 'FR', 'FR', 10)"
	[ "$status" -ne 0 ] || fail "a NULL tracking_code was accepted at 0007"
	assert_match "$output" 'NOT NULL|not-null' "the database's error"
	assert_consistent

	mig downgrade 0006
	assert_status 0
	assert_eq "$(not_null shipments tracking_code)" 0 \
	    "shipments.tracking_code NOT NULL after downgrade 0006"
	assert_eq "$(q 'SELECT * FROM shipments ORDER BY id')" "$rows" \
	    "rows after downgrade 0006"
	assert_eq "$(foreign_keys shipments)" "$fks" \
	    "foreign keys after downgrade 0006"
	assert_eq "$(index_columns ix_shipments_user_id)" "user_id" \
	    "ix_shipments_user_id after downgrade 0006"
	assert_consistent
}

@test "0011 sets each shipment's carrier by the rule, then requires it and indexes it" {
	seed_at_0010
	local users ships fks
	users=$(user_rows)
	ships=$(shipment_rows)
	fks=$(foreign_keys shipments)
	assert_eq "$fks" \
	    "destination_country>countries.code origin_country>countries.code user_id>users.id" \
	    "foreign keys at 0010"

	mig upgrade head
	assert_status 0
	assert_stderr_contains "Running upgrade 0010 -> 0011, add shipments.carrier, chosen per shipment"
	assert_stderr_contains "[plugin] carrier set on 7 shipment(s)"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0011" "version"
	assert_eq "$(carriers)" "$CARRIERS" "carriers"
	# The rows themselves are kept (SQLite copied them into the new table).
	assert_eq "$(shipment_rows)" "$ships" "shipments' rows"
	assert_eq "$(user_rows)" "$users" "users' rows"
	# NOT NULL: a shipment without a carrier is refused, one with it not.
	assert_eq "$(not_null shipments carrier)" 1 "shipments.carrier NOT NULL"
	run q "INSERT INTO shipments (id, user_id, origin_country,
	    destination_country, weight_grams, tracking_code, carrier)
	    VALUES (8, 1, 'FR', 'FR', 10, 'TRK-A8', NULL)"
	[ "$status" -ne 0 ] || fail "a NULL carrier was accepted"
	assert_match "$output" 'NOT NULL|not-null' "the database's error"
	assert_contains "$output" carrier "the database's error"
	q "INSERT INTO shipments (id, user_id, origin_country,
	    destination_country, weight_grams, tracking_code, carrier)
	    VALUES (9, 1, 'FR', 'FR', 10, 'TRK-A9', 'letter')" ||
	    fail "a shipment with a carrier was refused"
	assert_eq "$(q 'SELECT count(*) FROM shipments')" 8 "shipments"
	# The CHECK constraints and foreign keys still hold after the rebuild.
	run q "INSERT INTO shipments (id, user_id, origin_country,
	    destination_country, weight_grams, tracking_code, carrier)
	    VALUES (10, 1, 'FR', 'FR', 0, 'TRK-A10', 'letter')"
	[ "$status" -ne 0 ] || fail "a weight of 0 was accepted"
	assert_contains "$output" ck_shipments_weight_grams "the database's error"
	run q "INSERT INTO shipments (id, user_id, origin_country,
	    destination_country, status, weight_grams, tracking_code, carrier)
	    VALUES (11, 1, 'FR', 'FR', 'lost', 10, 'TRK-A11', 'letter')"
	[ "$status" -ne 0 ] || fail "status 'lost' was accepted"
	assert_contains "$output" ck_shipments_status "the database's error"
	# The index on carrier, and the one of 0004 kept by the rebuild.
	assert_eq "$(objects index)" "ix_shipments_carrier ix_shipments_user_id" \
	    indexes
	assert_eq "$(index_columns ix_shipments_carrier)" "carrier" \
	    "ix_shipments_carrier's columns"
	assert_eq "$(index_columns ix_shipments_user_id)" "user_id" \
	    "ix_shipments_user_id's columns"
	if is_pg; then
		# Built CONCURRENTLY, outside the transaction, to completion.
		assert_eq "$(q "SELECT indisvalid, indisready FROM pg_index
		    WHERE indexrelid = 'ix_shipments_carrier'::regclass")" "t|t" \
		    "ix_shipments_carrier valid and ready"
	else
		local sql
		sql=$(q "SELECT sql FROM sqlite_schema WHERE type = 'index'
		    AND name = 'ix_shipments_carrier' AND tbl_name = 'shipments'")
		[ -n "$sql" ] || fail "ix_shipments_carrier not in sqlite_schema"
		refute_contains "$sql" CONCURRENTLY "stored index SQL"
		assert_eq "$(q "SELECT name FROM pragma_index_list('shipments')
		    ORDER BY name" | tr '\n' ' ')" \
		    "ix_shipments_carrier ix_shipments_user_id " \
		    "PRAGMA index_list(shipments)"
		# Rebuilt (NOT NULL on an existing column), leaving nothing behind.
		assert_match "$(q "SELECT sql FROM sqlite_schema
		    WHERE type = 'table' AND name = 'shipments'")" \
		    '^CREATE TABLE "shipments" \(.*"?carrier"? text NOT NULL' \
		    "stored table text"
		assert_eq "$(q "SELECT count(*) FROM sqlite_schema
		    WHERE name LIKE '%shipments%' AND type = 'table'")" 1 \
		    "tables named like shipments"
	fi
	assert_eq "$(foreign_keys shipments)" "$fks" "foreign keys at head"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE revision = '0011' AND direction = 'up' AND success")" 1 \
	    "history of 0011"
	assert_consistent
}

@test "downgrade 0010 drops carrier and its index, keeps the rows, and restores 0010's state" {
	seed_at_0010
	local at_0010 at_head users ships
	at_0010=$(state)
	users=$(user_rows)
	ships=$(shipment_rows)
	mig upgrade head
	assert_status 0
	assert_eq "$(carriers)" "$CARRIERS" "carriers"
	at_head=$(state)

	mig downgrade 0010
	assert_status 0
	assert_stderr_contains "Running downgrade 0011 -> 0010, add shipments.carrier, chosen per shipment"
	assert_eq "$(q 'SELECT version_num FROM migrate_version')" "0010" "version"
	assert_eq "$(columns shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code" \
	    "columns of shipments"
	assert_eq "$(objects index)" "ix_shipments_user_id" indexes
	if is_sqlite; then
		assert_eq "$(q "SELECT count(*) FROM sqlite_schema
		    WHERE name = 'ix_shipments_carrier'")" 0 \
		    "ix_shipments_carrier in sqlite_schema"
	else
		assert_eq "$(q "SELECT count(*) FROM pg_class
		    WHERE relname = 'ix_shipments_carrier'")" 0 \
		    "ix_shipments_carrier in pg_class"
	fi
	assert_eq "$(shipment_rows)" "$ships" "shipments' rows"
	assert_eq "$(user_rows)" "$users" "users' rows"
	assert_eq "$(not_null shipments tracking_code)" 1 \
	    "shipments.tracking_code NOT NULL"
	assert_consistent
	# The same schema and rows as before 0011 ran.
	assert_eq "$(state)" "$at_0010" "state after 0011 up and down"

	# And up again: the same carriers, schema and rows as the first time.
	mig upgrade head
	assert_status 0
	assert_eq "$(carriers)" "$CARRIERS" "carriers the second time"
	assert_eq "$(state)" "$at_head" "state after 0011 up, down and up"
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
	# 0006 backfilled the tracking code, 0008/0009 copied name to
	# full_name, 0011 chose the carrier (500 g, FR to DE).
	assert_eq "$(q 'SELECT tracking_code FROM shipments WHERE id = 42')" \
	    "TRK00000042" "backfilled tracking code"
	assert_eq "$(q 'SELECT full_name FROM user_directory WHERE id = 1')" \
	    "Ann" "full_name"
	assert_eq "$(q 'SELECT carrier FROM shipments WHERE id = 42')" \
	    "international" "carrier"
	# And back: 0010's downgrade puts name back from full_name.
	mig downgrade 0009
	assert_status 0
	assert_eq "$(q 'SELECT name FROM users WHERE id = 1')" "Ann" "users.name"
	assert_eq "$(q 'SELECT tracking_code FROM shipments WHERE id = 42')" \
	    "TRK00000042" "tracking code at 0009"
	assert_consistent
}

@test "downgrade base leaves no user tables, and upgrade works again" {
	mig upgrade head
	assert_status 0
	local at_head at_head_state
	at_head=$(schema)
	at_head_state=$(state)
	mig downgrade base
	assert_status 0
	assert_eq "$(objects table)" "" "tables after downgrade base"
	assert_eq "$(objects view)" "" "views after downgrade base"
	assert_eq "$(objects index)" "" "indexes after downgrade base"
	assert_eq "$(objects trigger)" "" "triggers after downgrade base"
	assert_eq "$(q 'SELECT count(*) FROM migrate_version')" 0 "version rows"
	assert_eq "$(q "SELECT count(*) FROM migrate_history
	    WHERE direction = 'down' AND success")" 11 "successful down steps"
	assert_stderr_contains "Running downgrade 0011 -> 0010, add shipments.carrier, chosen per shipment"
	mig current
	assert_eq "$output" "" "current at base"

	mig upgrade head
	assert_status 0
	mig current
	assert_stdout "0011 (head)"
	# The same schema as the first time.
	assert_eq "$(schema)" "$at_head" "schema after up-down-up"
	assert_eq "$(state)" "$at_head_state" "state after up-down-up"
}
