#!/usr/bin/env bats
# Offline mode (upgrade/downgrade/stamp --sql): the SQL the executor would
# run, printed on stdout, with no database touched. The script applied by
# hand (psql, sqlite3) must leave a database as the online command does.
# On SQLite the script is also replayed on an empty in-memory database (a
# range above base replays base..FROM there first, silently), so table
# rebuilds are rendered; a plugin's mg_query is what cannot be printed.
# On SQLite, or on PostgreSQL with MIGRATE_TEST_DIALECT=postgresql.

load helpers

EXAMPLE=$BATS_TEST_DIRNAME/../../examples/shipping

# The script in $output, as a file to apply.
save_sql() { # FILE
	printf '%s\n' "$output" >"$1"
}

# Apply a script to the database at URL the way a DBA would: stop at the
# first error.
apply_sql() { # URL FILE
	if is_pg; then
		"${PG_PSQL:-psql}" -X -q -v ON_ERROR_STOP=1 -d "$1" -f - <"$2"
	else
		sqlite3 -bail "${1#sqlite:///}" <"$2"
	fi
}

# The database at URL as text (schema and every row), without the rows of
# migrate_history, whose time, duration and user differ between two runs.
state_of() { # URL
	if is_pg; then
		(PG_URL=$1 pg_state) | grep -v '^row public\.migrate_history '
	else
		sqlite3 "${1#sqlite:///}" .schema
		echo '--- dump'
		sqlite3 "${1#sqlite:///}" .dump |
		    grep -v '^INSERT INTO migrate_history '
	fi
}

sql_at() { # URL SQL
	if is_pg; then
		"${PG_PSQL:-psql}" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
	else
		sqlite3 "${1#sqlite:///}" "$2"
	fi
}

version_rows_at() { # URL
	sql_at "$1" 'SELECT version_num FROM migrate_version ORDER BY 1' |
	    tr '\n' ' ' | sed 's/ $//'
}

# The user tables of the database at URL, as user_tables gives the test's.
user_tables_at() { # URL
	if is_pg; then
		sql_at "$1" "SELECT tablename FROM pg_tables
		    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
		    AND tablename NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY tablename"
	else
		sql_at "$1" "SELECT name FROM sqlite_master
		    WHERE type = 'table' AND name NOT LIKE 'sqlite%'
		    AND name NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY name"
	fi | tr '\n' ' ' | sed 's/ $//'
}

# The line number (1-based) of the first line of $output matching ERE at or
# after line FROM, or nothing.
line_of() { # ERE [FROM]
	printf '%s\n' "$output" |
	    awk -v re="$1" -v from="${2:-1}" 'NR >= from && $0 ~ re { print NR; exit }'
}

# The lines of $output that are exactly "BEGIN;" or "COMMIT;", one word a
# line, e.g. "BEGIN COMMIT BEGIN COMMIT".
txn_words() {
	printf '%s\n' "$output" | sed -n 's/^\(BEGIN\|COMMIT\);$/\1/p' |
	    tr '\n' ' ' | sed 's/ $//'
}

use_example() {
	cp "$EXAMPLE"/versions/* versions/
}

# How far --sql renders the example: 0001..0010 on both databases. 0011 is a
# C plugin that reads the shipments (mg_query), which offline mode cannot
# do; its downgrade reads nothing and prints. On SQLite the table rebuilds
# (0007 both ways, 0011's dropped column) are rendered from an in-memory
# copy the script is replayed on.

# The number of lines of $output matching ERE.
count_lines() { # ERE
	printf '%s\n' "$output" | grep -cE -- "$1"
}

# The SQLite rebuild of TABLE in $output at or after line FROM: the new
# table created, the rows copied with their rowids (the INSERT line is
# exactly COPY when given), the old table dropped, the new one renamed, in
# that order. Sets RB_NEW and RB_RENAME to the first and last line.
assert_rebuild() { # TABLE [FROM [COPY]]
	local t=$1 new copy drop
	new=$(line_of "^CREATE TABLE \"${t}__migrate_new\" \\(" "${2:-1}")
	copy=$(line_of "^INSERT INTO \"${t}__migrate_new\" \\(rowid, .*\\) SELECT rowid, .* FROM \"$t\";$" "${2:-1}")
	drop=$(line_of "^DROP TABLE \"$t\";$" "${2:-1}")
	RB_RENAME=$(line_of "^ALTER TABLE \"${t}__migrate_new\" RENAME TO \"$t\";$" "${2:-1}")
	RB_NEW=$new
	[ -n "$new" ] && [ -n "$copy" ] && [ -n "$drop" ] &&
	    [ -n "$RB_RENAME" ] && [ "$new" -lt "$copy" ] &&
	    [ "$copy" -lt "$drop" ] && [ "$drop" -lt "$RB_RENAME" ] || {
		show_run
		fail "no rebuild of $t after line ${2:-1}" \
		    "CREATE=$new INSERT=$copy DROP=$drop RENAME=$RB_RENAME"
		return 1
	}
	if [ -n "${3:-}" ]; then
		assert_eq "$(sed -n "${copy}p" <<<"$output")" "$3" \
		    "the rebuild's copy of $t" || return 1
	fi
}

# The SQLite script of a run with a rebuild turns foreign keys off once,
# just before the first transaction of a revision (after the version
# tables' DDL when there is some).
assert_fk_off_once() {
	local p
	assert_eq "$(count_lines '^PRAGMA foreign_keys')" 1 \
	    "PRAGMA foreign_keys lines" || return 1
	p=$(line_of '^PRAGMA foreign_keys = OFF;$')
	[ -n "$p" ] && [ "$(line_of '^BEGIN;$' "$p")" = $((p + 1)) ] ||
	    { show_run; fail "PRAGMA foreign_keys = OFF is not before a BEGIN"; return 1; }
	if [[ $output == *"CREATE TABLE IF NOT EXISTS migrate_history"* ]]; then
		[ "$(line_of '^COMMIT;$')" -lt "$p" ] ||
		    { show_run; fail "PRAGMA inside the version tables' DDL"; return 1; }
	else
		[ "$(line_of '^BEGIN;$')" = $((p + 1)) ] ||
		    { show_run; fail "a transaction before the PRAGMA"; return 1; }
	fi
}

# A few users and shipments, the same in every database they are written
# to (created_at given: the default is the time). At 0005: tracking_code
# exists, nullable; shipment 3 has one of its own, which 0006 keeps and its
# downgrade does not clear.
seed_at_0005() { # URL
	sql_at "$1" "INSERT INTO users (id, email, name, created_at) VALUES
	        (1, 'ann@example.com', 'Ann', '2026-01-01 10:00:00'),
	        (2, 'bob@example.com', 'Bob', '2026-01-02 10:00:00');
	    INSERT INTO shipments (id, user_id, origin_country,
	        destination_country, status, weight_grams, created_at,
	        tracking_code) VALUES
	        (1, 1, 'FR', 'DE', 'pending', 500, '2026-02-01 10:00:00', NULL),
	        (2, 2, 'US', 'US', 'delivered', 2500, '2026-02-02 10:00:00', NULL),
	        (3, 1, 'JP', 'GB', 'in_transit', 40000, '2026-02-03 10:00:00', 'OWN-3');" ||
	    fail "cannot insert the rows at 0005"
}

# The same at 0010 (users: full_name instead of name; tracking_code
# required).
seed_at_0010() { # URL
	sql_at "$1" "INSERT INTO users (id, email, full_name, created_at) VALUES
	        (1, 'ann@example.com', 'Ann', '2026-01-01 10:00:00'),
	        (2, 'bob@example.com', 'Bob', '2026-01-02 10:00:00');
	    INSERT INTO shipments (id, user_id, origin_country,
	        destination_country, status, weight_grams, created_at,
	        tracking_code) VALUES
	        (1, 1, 'FR', 'DE', 'pending', 500, '2026-02-01 10:00:00', 'TRK-1'),
	        (2, 2, 'US', 'US', 'delivered', 2500, '2026-02-02 10:00:00', 'TRK-2'),
	        (4, 1, 'JP', 'GB', 'in_transit', 40000, '2026-02-03 10:00:00', 'TRK-4');" ||
	    fail "cannot insert the rows at 0010"
}

# The history rows of the database at URL without what differs between two
# runs (id, time, user, duration), one a line; with no_total, without
# statements_total either.
history_at() { # URL [no_total]
	local total="coalesce(statements_total, -1)"
	[ "${2:-}" != no_total ] || total="'?'"
	sql_at "$1" "SELECT revision || ' ' || direction || ' ' ||
	    coalesce(checksum, '-') || ' ' || coalesce(statements_done, -1) ||
	    ' ' || $total || ' ' || CASE WHEN success THEN 1 ELSE 0 END
	    FROM migrate_history ORDER BY id"
}

# TABLE's columns in the database at URL, in order, on one line.
columns_at() { # URL TABLE
	if is_pg; then
		sql_at "$1" "SELECT column_name FROM information_schema.columns
		    WHERE table_schema = 'public' AND table_name = '$2'
		    ORDER BY ordinal_position"
	else
		sql_at "$1" "SELECT name FROM pragma_table_info('$2') ORDER BY cid"
	fi | tr '\n' ' ' | sed 's/ $//'
}

# TABLE's indexes other than its primary key and unique constraints, by
# name, on one line.
indexes_at() { # URL TABLE
	if is_pg; then
		sql_at "$1" "SELECT indexname FROM pg_indexes
		    WHERE tablename = '$2' AND indexname NOT LIKE '%_pkey'
		    AND indexname NOT LIKE '%_key' ORDER BY 1"
	else
		sql_at "$1" "SELECT name FROM sqlite_master WHERE type = 'index'
		    AND tbl_name = '$2' AND sql IS NOT NULL ORDER BY 1"
	fi | tr '\n' ' ' | sed 's/ $//'
}

# r; a1 and b1 on r; the merge m of a1 and b1; c1 on m.
branchy() {
	write_rev r "" "CREATE TABLE r (id integer);" "DROP TABLE r;"
	write_rev a1 r "CREATE TABLE a1 (id integer);" "DROP TABLE a1;"
	write_rev b1 r "CREATE TABLE b1 (id integer);" "DROP TABLE b1;"
	write_rev m "a1, b1" "CREATE TABLE m (id integer);" "DROP TABLE m;"
	write_rev c1 m "CREATE TABLE c1 (id integer);" "DROP TABLE c1;"
}

# --- equivalence with the online commands -----------------------------------

@test "upgrade --sql 0010 applied by hand gives the database online upgrade gives (SQLite: 0007's rebuild rendered)" {
	use_example
	local other
	other=$(other_db_url other)
	mig upgrade --sql 0010
	assert_status 0
	# Nothing was written to the test's database by --sql.
	assert_no_database
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate upgrade --sql base:0010" \
	    "first line"
	assert_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_version" \
	    "the script"
	assert_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_history" \
	    "the script"
	# Progress on stderr, not in the script.
	assert_stderr_contains "Running upgrade  -> 0001, create users"
	assert_stderr_contains "Running upgrade 0006 -> 0007, make shipments.tracking_code NOT NULL"
	assert_stderr_contains "Running upgrade 0009 -> 0010, contract users.name"
	refute_contains "$stderr" "-> 0011" "progress"
	refute_contains "$output" "Running upgrade" "the script"
	refute_contains "$output" "carrier" "the script"
	refute_contains "$output" "migrate:rebuild" "the script"
	local v6 v7
	v6=$(line_of "^UPDATE migrate_version SET version_num = '0006' WHERE version_num = '0005';$")
	v7=$(line_of "^UPDATE migrate_version SET version_num = '0007' WHERE version_num = '0006';$")
	if is_pg; then
		refute_contains "$output" "PRAGMA" "the script"
		refute_contains "$output" "__migrate_new" "the script"
		assert_contains "$output" \
		    "ALTER TABLE shipments ALTER COLUMN tracking_code SET NOT NULL;" \
		    "the script"
	else
		# Foreign keys off once, before 0001's transaction; 0007's
		# rebuild of shipments between 0006's version row and 0007's:
		# the table as 0007 gives it, every column 0003 and 0005 made
		# copied, 0004's index recreated after the rename.
		assert_fk_off_once
		[ "$(line_of '^PRAGMA foreign_keys = OFF;$')" -lt \
		    "$(line_of '^CREATE TABLE users \($')" ] ||
		    { show_run; fail "the PRAGMA is after 0001"; }
		assert_eq "$(count_lines '__migrate_new" \($')" 1 "rebuilds"
		assert_rebuild shipments "$v6" 'INSERT INTO "shipments__migrate_new" (rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code") SELECT rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code" FROM "shipments";'
		assert_eq "$(sed -n "$((RB_NEW + 11))p" <<<"$output")" \
		    "    tracking_code text NOT NULL" "the new table's last column"
		assert_eq "$(sed -n "$((RB_RENAME + 1))p" <<<"$output")" \
		    "CREATE INDEX ix_shipments_user_id ON shipments (user_id);" \
		    "the statement after the rename"
		[ "$RB_RENAME" -lt "$v7" ] ||
		    { show_run; fail "the rebuild is after 0007's version row"; }
		assert_eq "$(count_lines '^ALTER TABLE shipments ALTER COLUMN')" 0 \
		    "ALTER COLUMN lines"
	fi
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0

	mig upgrade 0010
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0010" "offline version rows"
	assert_eq "$(version_rows)" "0010" "online version rows"
	local online offline
	online=$(state_of "$(db_url)")
	offline=$(state_of "$other")
	assert_contains "$online" "tracking_code" "online state"
	assert_contains "$online" "user_directory" "online state"
	assert_eq "$offline" "$online" "the state after the offline script"
	# The history rows say what the online run's say (statement counts
	# included, 0007's rebuild counted as one statement as online).
	assert_eq "$(history_at "$other")" "$(history_at "$(db_url)")" \
	    "the offline history rows"
	assert_eq "$(columns_at "$other" shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code" \
	    "offline shipments columns"
	# One history row per revision, all up and successful, no duration.
	assert_eq "$(sql_at "$other" "SELECT count(*) FROM migrate_history
	    WHERE direction = 'up' AND success AND duration_ms IS NULL")" \
	    10 "offline history rows"
	assert_eq "$(sql_at "$other" "SELECT revision FROM migrate_history
	    ORDER BY id" | tr '\n' ' ')" \
	    "$(seq -f '%04g' -s ' ' 1 10) " "offline history order"
	# migrate itself reads the result as it reads its own: all applied,
	# nothing partial (the NULL durations are not running attempts).
	mig status
	assert_status 0
	local online_status=$output
	mig --url "$other" status
	assert_status 0
	assert_eq "$output" "$online_status" "status of the offline database"
	assert_match "$output" "^10 applied, 1 pending" "status"
	mig --url "$other" check
	assert_status 0
}

@test "downgrade --sql 0010:base applied by hand empties the database as downgrade base does (SQLite: 0007's rebuild rendered)" {
	use_example
	local other
	other=$(other_db_url other)
	mig upgrade --sql 0010
	assert_status 0
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0010" "version rows after up"
	mig upgrade 0010
	assert_status 0

	mig downgrade --sql 0010:base
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" \
	    "-- migrate downgrade --sql 0010:base" "first line"
	refute_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_version" \
	    "the script (FROM is not base)"
	assert_stderr_contains "Running downgrade 0010 -> 0009, contract users.name"
	assert_stderr_contains "Running downgrade 0007 -> 0006, make shipments.tracking_code NOT NULL"
	assert_stderr_contains "Running downgrade 0001 -> , create users"
	if is_pg; then
		refute_contains "$output" "PRAGMA" "the script"
		assert_contains "$output" \
		    "ALTER TABLE shipments ALTER COLUMN tracking_code DROP NOT NULL;" \
		    "the script"
	else
		# The first line after the header turns foreign keys off; 0007's
		# downgrade rebuilds shipments with tracking_code nullable again.
		assert_fk_off_once
		assert_eq "$(line_of '^PRAGMA foreign_keys = OFF;$')" 3 \
		    "the PRAGMA's line"
		assert_eq "$(count_lines '__migrate_new" \($')" 1 "rebuilds"
		local v7
		v7=$(line_of "^UPDATE migrate_version SET version_num = '0007' WHERE version_num = '0008';$")
		assert_rebuild shipments "$v7" 'INSERT INTO "shipments__migrate_new" (rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code") SELECT rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code" FROM "shipments";'
		assert_eq "$(sed -n "$((RB_NEW + 11))p" <<<"$output")" \
		    "    tracking_code text" "the new table's last column"
		[ "$RB_RENAME" -lt "$(line_of "^UPDATE migrate_version SET version_num = '0006' WHERE version_num = '0007';$")" ] ||
		    { show_run; fail "the rebuild is after 0007's version row"; }
	fi
	save_sql down.sql
	run apply_sql "$other" down.sql
	assert_status 0
	assert_eq "$(user_tables_at "$other")" "" "offline user tables"
	assert_eq "$(version_rows_at "$other")" "" "offline version rows"

	mig downgrade base
	assert_status 0
	assert_eq "$(user_tables)" "" "online user tables"
	assert_eq "$(version_rows)" "" "online version rows"
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after the offline downgrade"
	assert_eq "$(sql_at "$other" "SELECT count(*) FROM migrate_history
	    WHERE direction = 'down' AND success")" 10 \
	    "offline down history rows"
}

@test "upgrade --sql FROM:TO continues a database at FROM as online upgrade TO does" {
	use_example
	local other
	other=$(other_db_url other)
	# The second database at 0003, online.
	mig --url "$other" upgrade 0003
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0003" "version rows at FROM"

	mig upgrade --sql 0003:0006
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate upgrade --sql 0003:0006" \
	    "first line"
	# FROM is not base: the version tables exist already.
	refute_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_version" \
	    "the script"
	refute_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_history" \
	    "the script"
	refute_contains "$output" "CREATE TABLE users" "the script"
	refute_contains "$output" "CREATE TABLE shipments" "the script"
	assert_contains "$output" \
	    "UPDATE migrate_version SET version_num = '0004' WHERE version_num = '0003';" \
	    "the script"
	refute_contains "$output" "'0007'" "the script"
	# No rebuild in the range: foreign keys are left alone.
	refute_contains "$output" "PRAGMA" "the script"
	refute_contains "$stderr" "0002 -> 0003" "progress"
	assert_stderr_contains "Running upgrade 0005 -> 0006"
	save_sql part.sql
	run apply_sql "$other" part.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0006" "offline version rows"

	mig upgrade 0006
	assert_status 0
	assert_contains "$(state_of "$(db_url)")" "tracking_code" "online state"
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after upgrade --sql 0003:0006"
}

@test "upgrade --sql 0005:0010 and downgrade --sql 0010:0005 carry a database with shipments as online (SQLite: rebuilds read from base..0005 replayed silently)" {
	use_example
	local other
	other=$(other_db_url other)
	# Both databases at 0005 online, with the same rows.
	mig --url "$other" upgrade 0005
	assert_status 0
	seed_at_0005 "$other"
	mig upgrade 0005
	assert_status 0
	seed_at_0005 "$(db_url)"
	local before
	before=$(state_of "$(db_url)")

	mig upgrade --sql 0005:0010
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate upgrade --sql 0005:0010" \
	    "first line"
	# base..0005 were replayed, in memory, printing nothing: no progress,
	# no version tables' DDL, none of their statements.
	refute_contains "$stderr" "0004 -> 0005" "progress"
	refute_contains "$stderr" "-> 0001" "progress"
	assert_stderr_contains "Running upgrade 0005 -> 0006, backfill shipments.tracking_code"
	assert_stderr_contains "Running upgrade 0009 -> 0010, contract users.name"
	refute_contains "$output" "CREATE TABLE IF NOT EXISTS" "the script"
	refute_contains "$output" "CREATE TABLE users" "the script"
	refute_contains "$output" "CREATE TABLE shipments (" "the script"
	refute_contains "$output" "ADD COLUMN tracking_code" "the script"
	refute_contains "$output" "'0005' WHERE version_num = '0004'" "the script"
	assert_contains "$output" \
	    "UPDATE migrate_version SET version_num = '0006' WHERE version_num = '0005';" \
	    "the script"
	if is_sqlite; then
		# The rebuild knows the columns (0003's and 0005's) and the
		# index (0004's) of the replayed revisions.
		assert_fk_off_once
		assert_eq "$(line_of '^PRAGMA foreign_keys = OFF;$')" 3 \
		    "the PRAGMA's line"
		assert_rebuild shipments 1 'INSERT INTO "shipments__migrate_new" (rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code") SELECT rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code" FROM "shipments";'
		assert_eq "$(sed -n "$((RB_RENAME + 1))p" <<<"$output")" \
		    "CREATE INDEX ix_shipments_user_id ON shipments (user_id);" \
		    "the statement after the rename"
	else
		refute_contains "$output" "PRAGMA" "the script"
	fi
	save_sql up.sql
	# The test's database was not touched by --sql.
	assert_eq "$(state_of "$(db_url)")" "$before" "the test's database"
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0010" "offline version rows"

	mig upgrade 0010
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after upgrade --sql 0005:0010"
	# The rows went through 0006's backfill and 0007's rebuild.
	assert_eq "$(sql_at "$other" "SELECT id || ' ' || tracking_code
	    FROM shipments ORDER BY id" | tr '\n' ',')" \
	    "1 TRK00000001,2 TRK00000002,3 OWN-3," "offline tracking codes"
	assert_eq "$(sql_at "$other" "SELECT full_name FROM user_directory
	    ORDER BY id" | tr '\n' ',')" "Ann,Bob," "offline user_directory"

	# And back to 0005: 0010's downgrade rebuilds users by hand (in SQL),
	# 0007's is a rebuild of shipments, reading the definition the replay
	# of base..0010 gave it.
	mig downgrade --sql 0010:0005
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate downgrade --sql 0010:0005" \
	    "first line"
	assert_stderr_contains "Running downgrade 0006 -> 0005, backfill shipments.tracking_code"
	refute_contains "$stderr" "0005 -> 0004" "progress"
	if is_sqlite; then
		assert_fk_off_once
		assert_eq "$(line_of '^PRAGMA foreign_keys = OFF;$')" 3 \
		    "the PRAGMA's line"
		assert_rebuild shipments 1
		assert_eq "$(sed -n "$((RB_NEW + 11))p" <<<"$output")" \
		    "    tracking_code text" "the new table's last column"
		assert_eq "$(sed -n "$((RB_RENAME + 1))p" <<<"$output")" \
		    "CREATE INDEX ix_shipments_user_id ON shipments (user_id);" \
		    "the statement after the rename"
	fi
	save_sql down.sql
	run apply_sql "$other" down.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0005" "offline version rows"
	mig downgrade 0005
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after downgrade --sql 0010:0005"
	# The backfilled codes are cleared, the shipment's own is kept.
	assert_eq "$(sql_at "$other" "SELECT id || ' ' || coalesce(tracking_code, '-')
	    FROM shipments ORDER BY id" | tr '\n' ',')" \
	    "1 -,2 -,3 OWN-3," "offline tracking codes at 0005"
}

# --- what --sql cannot print ------------------------------------------------

@test "upgrade --sql head on the example: exit 2 naming 0011's plugin and mg_query, nothing on stdout" {
	use_example
	mig upgrade --sql head
	assert_status 2
	# 0001..0010 rendered (progress only; on SQLite 0007's rebuild too),
	# then 0011 read the database.
	assert_error "versions/0011_shipments_carrier\.c: the plugin queries the database \(mg_query\), which offline \(--sql\) mode cannot do$"
	assert_stderr_contains "Running upgrade 0006 -> 0007, make shipments.tracking_code NOT NULL"
	assert_stderr_contains "Running upgrade 0009 -> 0010, contract users.name"
	assert_stderr_contains "Running upgrade 0010 -> 0011, add shipments.carrier, chosen per shipment"
	refute_contains "$stderr" "cannot rebuild" "stderr"
	assert_eq "$output" "" "stdout"
	assert_no_database
	# 0011 alone, on both databases (on SQLite after replaying
	# base..0010 in memory).
	mig upgrade --sql 0010:head
	assert_status 2
	assert_error "versions/0011_shipments_carrier\.c: the plugin queries the database \(mg_query\), which offline \(--sql\) mode cannot do$"
	assert_stderr_contains "Running upgrade 0010 -> 0011, add shipments.carrier, chosen per shipment"
	refute_contains "$stderr" "0009 -> 0010" "progress"
	refute_contains "$stderr" "[plugin]" "stderr"
	assert_eq "$output" "" "stdout"
	assert_no_database
}

@test "downgrade --sql head:0010 applied to a database at head with shipments gives what downgrade 0010 gives (SQLite: the dropped column is a rebuild)" {
	use_example
	local other
	other=$(other_db_url other)
	# Both databases at head online, with the same rows (0011 chose the
	# carriers).
	mig --url "$other" upgrade 0010
	assert_status 0
	seed_at_0010 "$other"
	mig --url "$other" upgrade head
	assert_status 0
	mig upgrade 0010
	assert_status 0
	seed_at_0010 "$(db_url)"
	mig upgrade head
	assert_status 0
	assert_eq "$(columns_at "$other" shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code carrier" \
	    "shipments columns at head"
	assert_eq "$(indexes_at "$other" shipments)" \
	    "ix_shipments_carrier ix_shipments_user_id" "shipments indexes at head"
	local rows
	rows=$(sql_at "$other" "SELECT id, user_id, tracking_code, weight_grams
	    FROM shipments ORDER BY id")
	local before
	before=$(state_of "$(db_url)")

	mig downgrade --sql head:0010
	assert_status 0
	assert_eq "$(state_of "$(db_url)")" "$before" "the test's database"
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate downgrade --sql head:0010" \
	    "first line"
	assert_stderr_contains "Running downgrade 0011 -> 0010, add shipments.carrier, chosen per shipment"
	# The replay of base..head ran 0011's upgrade (its mg_query
	# included) in memory, silently.
	refute_contains "$stderr" "Running upgrade" "progress"
	refute_contains "$stderr" "[plugin]" "stderr"
	assert_eq "$(line_of '^UPDATE migrate_version ')" \
	    "$(line_of "^UPDATE migrate_version SET version_num = '0010' WHERE version_num = '0011';$")" \
	    "the version row"
	assert_eq "$(count_lines '^UPDATE migrate_version ')" 1 "version row updates"
	local ix b
	if is_pg; then
		refute_contains "$output" "PRAGMA" "the script"
		# The index is dropped CONCURRENTLY, outside BEGIN/COMMIT.
		ix=$(line_of '^DROP INDEX CONCURRENTLY "?ix_shipments_carrier"?;$')
		b=$(line_of '^BEGIN;$')
		[ -n "$ix" ] && [ -n "$b" ] && [ "$ix" -lt "$b" ] ||
		    { show_run; fail "DROP INDEX CONCURRENTLY=$ix BEGIN=$b"; }
		assert_match "$output" $'\nALTER TABLE "?shipments"? DROP COLUMN "?carrier"?;\n' \
		    "the script"
	else
		# Foreign keys off, then one transaction: the index dropped, then
		# shipments rebuilt without carrier (the definition 0011 gave
		# it, from the replay of base..head), 0004's index recreated.
		assert_fk_off_once
		assert_eq "$(line_of '^PRAGMA foreign_keys = OFF;$')" 3 \
		    "the PRAGMA's line"
		assert_eq "$(txn_words)" "BEGIN COMMIT" "BEGIN/COMMIT lines"
		assert_eq "$(sed -n 5p <<<"$output")" \
		    'DROP INDEX "ix_shipments_carrier";' "the first statement"
		assert_rebuild shipments 5 'INSERT INTO "shipments__migrate_new" (rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code") SELECT rowid, "id", "user_id", "origin_country", "destination_country", "status", "weight_grams", "created_at", "tracking_code" FROM "shipments";'
		assert_eq "$(sed -n "$((RB_NEW + 11))p" <<<"$output")" \
		    "    tracking_code text NOT NULL);" "the new table's last column"
		assert_eq "$(sed -n "$((RB_RENAME + 1))p" <<<"$output")" \
		    "CREATE INDEX ix_shipments_user_id ON shipments (user_id);" \
		    "the statement after the rename"
		# carrier only in the dropped index's name.
		assert_eq "$(count_lines carrier)" 1 "lines naming carrier"
		refute_contains "$output" "DROP COLUMN" "the script"
		[ "$RB_RENAME" -lt "$(line_of '^UPDATE migrate_version ')" ] ||
		    { show_run; fail "the rebuild is after the version row"; }
	fi
	save_sql down.sql
	run apply_sql "$other" down.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0010" "offline version rows"
	# The rows kept, the column and its index gone.
	assert_eq "$(sql_at "$other" "SELECT id, user_id, tracking_code,
	    weight_grams FROM shipments ORDER BY id")" "$rows" "offline rows"
	assert_eq "$(columns_at "$other" shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code" \
	    "offline shipments columns"
	assert_eq "$(indexes_at "$other" shipments)" "ix_shipments_user_id" \
	    "offline shipments indexes"
	assert_eq "$(sql_at "$other" "SELECT revision || ' ' || direction
	    FROM migrate_history ORDER BY id DESC LIMIT 1")" "0011 down" \
	    "the offline script's history row"

	mig downgrade 0010
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after downgrade --sql head:0010"
	# On PostgreSQL the online downgrade of a plugin with a CONCURRENTLY
	# statement records statements_total 0 (a plugin has no total), the
	# script 2: not compared there.
	local no_total=''
	if is_pg; then no_total=no_total; fi
	assert_eq "$(history_at "$other" $no_total)" \
	    "$(history_at "$(db_url)" $no_total)" \
	    "the history rows after downgrade --sql head:0010"
	# And the database so downgraded upgrades to head again, online.
	mig --url "$other" upgrade head
	assert_status 0
	assert_eq "$(columns_at "$other" shipments)" \
	    "id user_id origin_country destination_country status weight_grams created_at tracking_code carrier" \
	    "shipments columns at head again"
}

# A statement the empty in-memory copy refuses (here: a table made by hand,
# outside the revisions) leaves it unusable; a later rebuild says why.
@test "SQLite: a rebuild after a statement the in-memory replay refuses: exit 2 with that statement in the detail" {
	only_sqlite "PostgreSQL needs no replay"
	write_rev 0001 "" "CREATE TABLE t (i integer, j integer);" "DROP TABLE t;"
	write_rev 0002 0001 "CREATE INDEX ix_h ON handmade (x);" "DROP INDEX ix_h;"
	cat >versions/0003_rebuild_t.sql <<'EOF'
-- revision: 0003
-- down_revision: 0002
-- message: rebuild t

-- migrate:upgrade sqlite
-- migrate:rebuild t
CREATE TABLE t (i integer NOT NULL, j integer);

-- migrate:downgrade sqlite
-- migrate:rebuild t
CREATE TABLE t (i integer, j integer);
EOF
	mig upgrade --sql 0001:head
	assert_status 2
	assert_error "versions/0003_rebuild_t\.sql:7:1: --sql cannot rebuild table 't': a rebuild reads the table's definition from the database$"
	assert_match "$stderr" $'\ndetail: replaying the script on an empty in-memory database failed: .*handmade.*, in: CREATE INDEX ix_h ON handmade \\(x\\)(\n|$)' \
	    "stderr"
	assert_no_database
	# Without the rebuild the script prints: --sql does not validate SQL.
	mig upgrade --sql 0001:0002
	assert_status 0
	assert_contains "$output" "CREATE INDEX ix_h ON handmade (x);" "the script"
	assert_no_database
}

# --- branches and merges ----------------------------------------------------

@test "upgrade --sql heads over a branch and a merge moves the rows as online" {
	branchy
	local other
	other=$(other_db_url other)
	mig upgrade --sql heads
	assert_status 0
	local ins_r up_a1 ins_b1 del upd_m upd_c1
	ins_r=$(line_of "^INSERT INTO migrate_version \\(version_num\\) VALUES \\('r'\\);")
	up_a1=$(line_of "^UPDATE migrate_version SET version_num = 'a1' WHERE version_num = 'r';")
	ins_b1=$(line_of "^INSERT INTO migrate_version \\(version_num\\) VALUES \\('b1'\\);")
	del=$(line_of "^DELETE FROM migrate_version WHERE version_num = '(a1|b1)';")
	upd_m=$(line_of "^UPDATE migrate_version SET version_num = 'm' WHERE version_num = '(a1|b1)';")
	upd_c1=$(line_of "^UPDATE migrate_version SET version_num = 'c1' WHERE version_num = 'm';")
	[ -n "$ins_r" ] && [ -n "$up_a1" ] && [ -n "$ins_b1" ] &&
	    [ -n "$del" ] && [ -n "$upd_m" ] && [ -n "$upd_c1" ] || {
		show_run
		fail "a version row statement is missing" \
		    "r=$ins_r a1=$up_a1 b1=$ins_b1 del=$del m=$upd_m c1=$upd_c1"
	}
	[ "$ins_r" -lt "$up_a1" ] && [ "$up_a1" -lt "$ins_b1" ] &&
	    [ "$ins_b1" -lt "$del" ] && [ "$ins_b1" -lt "$upd_m" ] &&
	    [ "$del" -lt "$upd_c1" ] && [ "$upd_m" -lt "$upd_c1" ] || {
		show_run
		fail "version row statements out of order" \
		    "r=$ins_r a1=$up_a1 b1=$ins_b1 del=$del m=$upd_m c1=$upd_c1"
	}
	# The merge deletes one parent's row and moves the other's.
	local del_of upd_of
	del_of=$(sed -n "${del}s/.*version_num = '\\(.*\\)';/\\1/p" <<<"$output")
	upd_of=$(sed -n "${upd_m}s/.*WHERE version_num = '\\(.*\\)';/\\1/p" <<<"$output")
	[ "$del_of" != "$upd_of" ] ||
	    fail "the merge deletes and updates the same row $del_of"
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "c1" "version rows"
	assert_eq "$(user_tables_at "$other")" "a1 b1 c1 m r" "user tables"

	mig upgrade heads
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after upgrade --sql heads"
}

@test "downgrade --sql c1:a1 un-merges: the rows become a1 and b1, as online" {
	branchy
	local other
	other=$(other_db_url other)
	mig upgrade --sql heads
	assert_status 0
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	mig upgrade heads
	assert_status 0

	mig downgrade --sql c1:a1
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate downgrade --sql c1:a1" \
	    "first line"
	assert_contains "$output" "DROP TABLE c1;" "the script"
	assert_contains "$output" "DROP TABLE m;" "the script"
	refute_contains "$output" "DROP TABLE b1;" "the script"
	refute_contains "$output" "DROP TABLE a1;" "the script"
	save_sql down.sql
	run apply_sql "$other" down.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "a1 b1" "version rows"
	assert_eq "$(user_tables_at "$other")" "a1 b1 r" "user tables"

	mig downgrade a1
	assert_status 0
	assert_eq "$(version_rows)" $'a1\nb1' "online version rows"
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after downgrade --sql c1:a1"
}

# --- the transaction setting ------------------------------------------------

@test "transaction = all: one BEGIN/COMMIT around every revision" {
	chain 3
	write_ini "transaction = all"
	local other
	other=$(other_db_url other)
	mig upgrade --sql head
	assert_status 0
	# The version tables' DDL, then the chain.
	assert_eq "$(txn_words)" "BEGIN COMMIT BEGIN COMMIT" "BEGIN/COMMIT lines"
	local ddl_end begin commit
	ddl_end=$(line_of '^COMMIT;$')
	begin=$(line_of '^BEGIN;$' "$ddl_end")
	commit=$(line_of '^COMMIT;$' "$((ddl_end + 1))")
	local t1 t3 v3
	t1=$(line_of '^CREATE TABLE t1 ')
	t3=$(line_of '^CREATE TABLE t3 ')
	v3=$(line_of "^UPDATE migrate_version SET version_num = '0003'")
	[ "$(line_of '^CREATE TABLE IF NOT EXISTS migrate_history')" -lt "$ddl_end" ] ||
	    { show_run; fail "the version tables' DDL is not in the first pair"; }
	[ "$begin" -lt "$t1" ] && [ "$t3" -lt "$commit" ] &&
	    [ "$v3" -lt "$commit" ] || {
		show_run
		fail "the revisions are not inside the second pair" \
		    "BEGIN=$begin t1=$t1 t3=$t3 v3=$v3 COMMIT=$commit"
	}
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0003" "version rows"
	assert_eq "$(user_tables_at "$other")" "t1 t2 t3" "user tables"
}

@test "transaction = none: no BEGIN after the version tables' DDL" {
	chain 3
	write_ini "transaction = none"
	local other
	other=$(other_db_url other)
	mig upgrade --sql head
	assert_status 0
	assert_contains "$output" "CREATE TABLE t1 (id integer);" "the script"
	local ddl_end
	ddl_end=$(line_of '^COMMIT;$')
	[ -n "$ddl_end" ] || { show_run; fail "no COMMIT after the DDL"; }
	[ "$ddl_end" -lt "$(line_of '^CREATE TABLE t1 ')" ] ||
	    { show_run; fail "CREATE TABLE t1 before the DDL's COMMIT"; }
	assert_eq "$(txn_words)" "BEGIN COMMIT" "BEGIN/COMMIT lines"
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0003" "version rows"
	assert_eq "$(user_tables_at "$other")" "t1 t2 t3" "user tables"
}

@test "transaction = per-revision: one BEGIN/COMMIT pair per revision" {
	chain 3
	mig upgrade --sql head
	assert_status 0
	assert_eq "$(txn_words)" \
	    "BEGIN COMMIT BEGIN COMMIT BEGIN COMMIT BEGIN COMMIT" \
	    "BEGIN/COMMIT lines"
	# Each revision's version row commits with its statements.
	local t2 v2 c
	t2=$(line_of '^CREATE TABLE t2 ')
	v2=$(line_of "^UPDATE migrate_version SET version_num = '0002'")
	c=$(line_of '^COMMIT;$' "$t2")
	[ "$v2" -lt "$c" ] && [ "$(line_of '^BEGIN;$' "$t2")" -gt "$c" ] ||
	    { show_run; fail "0002's version row is not in its transaction"; }
}

@test "a transaction off revision is printed with no BEGIN/COMMIT of migrate's" {
	chain 1
	cat >versions/0002_by_hand.sql <<'EOF'
-- revision: 0002
-- down_revision: 0001
-- branch_labels:
-- depends_on:
-- message: by hand
-- create_date: 2026-11-21 10:00:00

-- migrate:transaction off
-- migrate:upgrade
CREATE TABLE t2 (id integer);
BEGIN;
INSERT INTO t2 (id) VALUES (1);
COMMIT;

-- migrate:downgrade
DROP TABLE t2;
EOF
	local other
	other=$(other_db_url other)
	mig upgrade --sql 0001:0002
	assert_status 0
	# The file's own BEGIN/COMMIT only, the version row after them.
	assert_eq "$(txn_words)" "BEGIN COMMIT" "BEGIN/COMMIT lines"
	local t2 v2 c
	t2=$(line_of '^CREATE TABLE t2 ')
	c=$(line_of '^COMMIT;$')
	v2=$(line_of "^UPDATE migrate_version SET version_num = '0002' WHERE version_num = '0001';")
	[ -n "$t2" ] && [ -n "$v2" ] && [ "$t2" -lt "$c" ] && [ "$c" -lt "$v2" ] ||
	    { show_run; fail "t2=$t2 COMMIT=$c v2=$v2"; }
	save_sql up.sql
	mig --url "$other" upgrade 0001
	assert_status 0
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0002" "version rows"
	assert_eq "$(sql_at "$other" "SELECT id FROM t2")" "1" "t2's rows"
}

# --- statements that refuse a transaction -----------------------------------

@test "CREATE INDEX CONCURRENTLY is placed outside BEGIN/COMMIT (PostgreSQL)" {
	is_pg || skip "PostgreSQL only: SQLite has no CONCURRENTLY"
	write_rev 0001 "" "CREATE TABLE t (id integer);" "DROP TABLE t;"
	write_rev 0002 0001 "CREATE TABLE before_ix (id integer);
CREATE INDEX CONCURRENTLY ix_t_id ON t (id);
CREATE TABLE after_ix (id integer);" "DROP TABLE after_ix;
DROP INDEX ix_t_id;
DROP TABLE before_ix;"
	local other
	other=$(other_db_url other)
	mig upgrade --sql head
	assert_status 0
	local before ix after
	before=$(line_of '^CREATE TABLE before_ix ')
	ix=$(line_of '^CREATE INDEX CONCURRENTLY ix_t_id ON t \(id\);$')
	after=$(line_of '^CREATE TABLE after_ix ')
	[ -n "$before" ] && [ -n "$ix" ] && [ -n "$after" ] ||
	    { show_run; fail "a statement of 0002 is missing"; }
	# The statements before it commit, it runs outside any transaction,
	# the rest (and the version row) in a new one.
	local c1 b2 v2 c2
	c1=$(line_of '^COMMIT;$' "$before")
	b2=$(line_of '^BEGIN;$' "$before")
	v2=$(line_of "^UPDATE migrate_version SET version_num = '0002'")
	c2=$(line_of '^COMMIT;$' "$after")
	[ "$c1" -lt "$ix" ] && [ "$ix" -lt "$b2" ] && [ "$b2" -lt "$after" ] &&
	    [ "$after" -lt "$c2" ] && [ "$v2" -lt "$c2" ] && [ "$b2" -lt "$v2" ] || {
		show_run
		fail "CONCURRENTLY is not between a COMMIT and a BEGIN" \
		    "before=$before COMMIT=$c1 ix=$ix BEGIN=$b2 after=$after v2=$v2 COMMIT=$c2"
	}
	# No BEGIN between the COMMIT and the index.
	[ "$(line_of '^BEGIN;$' "$c1")" -gt "$ix" ] ||
	    { show_run; fail "CONCURRENTLY inside a transaction"; }
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0002" "version rows"
	assert_eq "$(sql_at "$other" "SELECT indexname FROM pg_indexes
	    WHERE tablename = 't'")" "ix_t_id" "the index"
	assert_eq "$(user_tables_at "$other")" "after_ix before_ix t" \
	    "user tables"
	# The same statement inside a transaction block fails: the placement
	# is what made the script work.
	printf 'BEGIN;\nCREATE INDEX CONCURRENTLY ix2 ON t (id);\nCOMMIT;\n' >bad.sql
	run apply_sql "$other" bad.sql
	[ "$status" -ne 0 ] || fail "psql ran CONCURRENTLY in a transaction"
}

@test "CREATE INDEX CONCURRENTLY loses CONCURRENTLY on SQLite" {
	only_sqlite "PostgreSQL keeps CONCURRENTLY (the test above)"
	write_rev 0001 "" "CREATE TABLE t (id integer);" "DROP TABLE t;"
	write_rev 0002 0001 "CREATE TABLE before_ix (id integer);
CREATE INDEX CONCURRENTLY ix_t_id ON t (id);
CREATE TABLE after_ix (id integer);" "DROP TABLE after_ix;
DROP INDEX ix_t_id;
DROP TABLE before_ix;"
	local other
	other=$(other_db_url other)
	mig upgrade --sql head
	assert_status 0
	refute_contains "$output" "CONCURRENTLY" "the script"
	assert_match "$output" $'\nCREATE INDEX +ix_t_id ON t \\(id\\);\n' \
	    "the script"
	# 0002 is one transaction on SQLite.
	assert_eq "$(txn_words)" "BEGIN COMMIT BEGIN COMMIT BEGIN COMMIT" \
	    "BEGIN/COMMIT lines"
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	assert_eq "$(sql_at "$other" "SELECT name FROM sqlite_master
	    WHERE type = 'index' AND tbl_name = 't'")" "ix_t_id" "the index"
	mig upgrade head
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after the offline script"
}

@test "transaction = all with CONCURRENTLY: the run's transaction is cut around it (PostgreSQL)" {
	is_pg || skip "PostgreSQL only: SQLite has no CONCURRENTLY"
	use_example
	write_ini "transaction = all"
	local other
	other=$(other_db_url other)
	mig upgrade --sql 0010
	assert_status 0
	# The DDL's pair, 0001..0003 in one, 0004's index alone, the rest
	# (0004's version row included) in one.
	assert_eq "$(txn_words)" "BEGIN COMMIT BEGIN COMMIT BEGIN COMMIT" \
	    "BEGIN/COMMIT lines"
	local ix b v4 v3
	ix=$(line_of '^CREATE INDEX CONCURRENTLY ix_shipments_user_id ')
	b=$(line_of '^BEGIN;$' "$ix")
	v3=$(line_of "^UPDATE migrate_version SET version_num = '0003'")
	v4=$(line_of "^UPDATE migrate_version SET version_num = '0004'")
	[ -n "$ix" ] && [ "$v3" -lt "$ix" ] && [ "$ix" -lt "$b" ] &&
	    [ "$b" -lt "$v4" ] &&
	    [ "$(line_of '^COMMIT;$' "$v3")" -lt "$ix" ] ||
	    { show_run; fail "v3=$v3 ix=$ix BEGIN=$b v4=$v4"; }
	save_sql up.sql
	run apply_sql "$other" up.sql
	assert_status 0
	mig upgrade 0010
	assert_status 0
	assert_eq "$(state_of "$other")" "$(state_of "$(db_url)")" \
	    "the state after the offline script"
}

# --- no database ------------------------------------------------------------

@test "--sql opens no database: upgrade, downgrade and stamp leave it unwritten" {
	use_example
	mig upgrade --sql 0010
	assert_status 0
	assert_contains "$output" "CREATE TABLE users" "the script"
	assert_no_database
	mig downgrade --sql 0010:0007
	assert_status 0
	assert_contains "$output" "DROP VIEW user_directory;" "the script"
	assert_no_database
	# On SQLite base..head (0011's mg_query included) is replayed in
	# memory, not in the configured database.
	mig downgrade --sql head:0010
	assert_status 0
	assert_contains "$output" "ix_shipments_carrier" "the script"
	assert_no_database
	mig upgrade --sql 0006:0007
	assert_status 0
	assert_no_database
	mig stamp --sql 0003
	assert_status 0
	assert_contains "$output" "'0003'" "the script"
	assert_no_database
	if is_sqlite; then
		[ ! -e app.db.lock ] || fail "app.db.lock created" "$(ls -A)"
	fi
}

@test "--sql needs no server: a URL to nowhere still gives the script" {
	is_pg || skip "PostgreSQL only: SQLite has no server"
	use_example
	# Only the unreachable url (write_ini would put the test's first).
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    'postgresql://nobody@127.0.0.1:1/nodb' >migrate.ini
	mig upgrade --sql 0010
	assert_status 0
	assert_eq "$(sed -n 1p <<<"$output")" "-- migrate upgrade --sql base:0010" \
	    "first line"
	assert_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_version" \
	    "the script"
	# The postgresql sections were chosen from the URL alone.
	assert_contains "$output" "GENERATED BY DEFAULT AS IDENTITY" "the script"
	assert_contains "$output" "CREATE INDEX CONCURRENTLY" "the script"
	mig downgrade --sql 0010:base
	assert_status 0
	assert_contains "$output" "DROP INDEX CONCURRENTLY ix_shipments_user_id;" \
	    "the script"
	# The online command does need the server: the URL really is dead.
	mig upgrade head
	assert_status 1
}

# --- errors -----------------------------------------------------------------

@test "downgrade --sql without FROM: exit 2 with a message" {
	chain 2
	mig downgrade --sql head
	assert_status 2
	assert_error ".*FROM:TO"
	mig downgrade --sql 0001
	assert_status 2
	assert_error ".*FROM:TO"
	assert_no_database
}

@test "upgrade --sql to an unknown revision: exit 2 naming it" {
	chain 2
	mig upgrade --sql nosuchrev
	assert_status 2
	assert_error ".*'nosuchrev'"
	mig upgrade --sql nosuchfrom:head
	assert_status 2
	assert_error ".*'nosuchfrom'"
	assert_no_database
}

@test "upgrade --sql head:head: nothing to do, exit 0, nothing on stdout" {
	chain 2
	mig upgrade --sql head:head
	assert_status 0
	assert_eq "$output" "" "stdout"
	assert_stderr_contains "Nothing to do"
	assert_no_database
}

@test "--sql ranges the wrong way round: exit 2, nothing on stdout" {
	chain 4
	mig upgrade --sql 0003:0001
	assert_status 2
	assert_error ".*'0001'"
	mig downgrade --sql 0001:0003
	assert_status 2
	assert_error ".*'0003'"
	mig upgrade --sql 0001:
	assert_status 2
	assert_error ".*'0001:'"
	assert_no_database
}

@test "--sql does not validate SQL: a bad statement is printed as written" {
	write_rev 0001 "" "CREATE TABLEE oops (id integer);" "DROP TABLE oops;"
	mig upgrade --sql head
	assert_status 0
	assert_contains "$output" "CREATE TABLEE oops (id integer);" "the script"
	assert_no_database
}

@test "--sql with a malformed file (unterminated quote): exit 2, nothing on stdout" {
	chain 1
	write_rev 0002 0001 "INSERT INTO t1 (id) VALUES ('1);" "DELETE FROM t1;"
	mig upgrade --sql head
	assert_status 2
	assert_eq "$output" "" "stdout"
	assert_match "$stderr" "migrate: error: " "stderr"
	assert_contains "$stderr" "0002" "stderr"
	assert_no_database
}

# --- stamp --sql --------------------------------------------------------------

@test "stamp --sql 0003 applied to an empty database: the version tables and row 0003" {
	chain 5
	local other
	other=$(other_db_url other)
	mig stamp --sql 0003
	assert_status 0
	assert_contains "$output" "CREATE TABLE IF NOT EXISTS migrate_version" \
	    "the script"
	refute_contains "$output" "CREATE TABLE t" "the script"
	save_sql stamp.sql
	run apply_sql "$other" stamp.sql
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0003" "version rows"
	assert_eq "$(user_tables_at "$other")" "" "user tables"
	assert_eq "$(sql_at "$other" "SELECT revision || ' ' || direction
	    FROM migrate_history")" "0003 stamp" "history"
	# The database so stamped upgrades online from 0003.
	mig --url "$other" upgrade head
	assert_status 0
	assert_eq "$(version_rows_at "$other")" "0005" "version rows after upgrade"
	assert_eq "$(user_tables_at "$other")" "t4 t5" "user tables after upgrade"
}
