#!/usr/bin/env bats
# The commands on a real database (SQLite, or PostgreSQL with
# MIGRATE_TEST_DIALECT=postgresql): init, revision, upgrade, downgrade,
# current, history, heads, show, stamp, status, --json.

load helpers

json_ok() { # parse stdin as JSON, or fail
	python3 -c 'import json, sys; json.load(sys.stdin)'
}

# Evaluate a Python expression on the JSON in $output (bound to "d").
json_get() { # EXPR
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# --- init -------------------------------------------------------------------

@test "init creates migrate.ini and versions/ that the other commands use" {
	rm -rf migrate.ini versions
	mig init
	assert_status 0
	[ -f migrate.ini ] || fail "migrate.ini not created"
	[ -d versions ] || fail "versions/ not created"
	assert_match "$(cat migrate.ini)" $'(^|\n)\\[migrate\\]' "migrate.ini"
	assert_match "$(cat migrate.ini)" $'\nscript_location = versions' \
	    "migrate.ini"
	# The generated configuration works as it is (on PostgreSQL with
	# DATABASE_URL, which replaces the default sqlite:///app.db).
	is_sqlite || export DATABASE_URL=$PG_URL
	mig revision -m "first"
	assert_status 0
	mig upgrade
	assert_status 0
	mig current
	assert_stdout "0001 (head)"
	assert_eq "$(version_rows)" "0001" "version rows"
	if is_sqlite; then
		[ -s app.db ] || fail "the default url does not point at app.db"
	else
		assert_match "$(cat migrate.ini)" $'\nurl = sqlite:///app\\.db' \
		    "the default url"
	fi
}

@test "init takes the url from the global --url and --dir for the revisions" {
	rm -rf migrate.ini versions
	local url
	url=$(other_db_url other)
	mig --url "$url" init --dir revs
	assert_status 0
	[ -d revs ] || fail "revs/ not created"
	assert_contains "$(cat migrate.ini)" $'\nurl = '"$url"$'\n' "ini"
	assert_match "$(cat migrate.ini)" $'\nscript_location = revs' "ini"
	# The written url is the one the other commands then use.
	mig revision -m "first"
	assert_status 0
	mig upgrade
	assert_status 0
	other_db_used other || fail "the written url was not used"
	assert_eq "$(db_state)" "<no database>" "the test's own database"
}

@test "init --url URL (as its usage line says) writes the url" {
	rm -rf migrate.ini versions
	local url
	url=$(other_db_url other)
	mig init --url "$url"
	assert_status 0
	assert_contains "$(cat migrate.ini)" $'\nurl = '"$url"$'\n' "ini"
}

@test "init refuses to overwrite an existing migrate.ini (exit 2)" {
	printf '; mine\n[migrate]\nscript_location = versions\nurl = sqlite:///mine.db\n' >migrate.ini
	local before
	before=$(cat migrate.ini)
	mig init
	assert_status 2
	assert_error ".*'migrate.ini'"
	assert_eq "$(cat migrate.ini)" "$before" "migrate.ini"
}

# --- revision ---------------------------------------------------------------

@test "revision -m creates 0001_slug.sql with the header, then 0002 on top" {
	mig revision -m "Create users"
	assert_status 0
	local f=versions/0001_create_users.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_eq "$(ls versions)" "0001_create_users.sql" "versions/"
	assert_match "$(sed -n 1p "$f")" '^-- revision: 0001$' "line 1"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: *$' "line 2"
	assert_match "$(sed -n 3p "$f")" '^-- branch_labels: *$' "line 3"
	assert_match "$(sed -n 4p "$f")" '^-- depends_on: *$' "line 4"
	assert_match "$(sed -n 5p "$f")" '^-- message: Create users$' "line 5"
	assert_match "$(sed -n 6p "$f")" \
	    '^-- create_date: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' \
	    "line 6"
	grep -qx -- '-- migrate:upgrade' "$f" || fail "no upgrade section"
	grep -qx -- '-- migrate:downgrade' "$f" || fail "no downgrade section"

	mig revision -m "add things"
	assert_status 0
	f=versions/0002_add_things.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_match "$(sed -n 1p "$f")" '^-- revision: 0002$' "line 1"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: 0001$' "line 2"
	mig heads
	assert_stdout "0002 (head)"
}

@test "revision --rev-id uses the given id" {
	mig revision -m "first"
	mig revision -m "custom id" --rev-id abc_1
	assert_status 0
	local f=versions/abc_1_custom_id.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_match "$(sed -n 1p "$f")" '^-- revision: abc_1$' "line 1"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: 0001$' "line 2"
	mig heads
	assert_stdout "abc_1 (head)"
}

@test "revision --rev-id refuses an id already used or with bad characters" {
	mig revision -m "first"
	mig revision -m "again" --rev-id 0001
	assert_status 2
	assert_error ".*'0001'"
	mig revision -m "dash" --rev-id a-b
	assert_status 2
	assert_error ".*'a-b'"
	assert_eq "$(ls versions)" "0001_first.sql" "versions/"
}

@test "revision --branch-label writes the label, usable as label@head" {
	mig revision -m "first"
	mig revision -m "shipping root" --head base --branch-label shipping
	assert_status 0
	local f=versions/0002_shipping_root.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: *$' "line 2"
	assert_match "$(sed -n 3p "$f")" '^-- branch_labels: shipping$' "line 3"
	mig revision -m "more shipping" --head shipping@head
	assert_status 0
	f=versions/0003_more_shipping.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: 0002$' "line 2"
}

@test "revision --depends-on writes depends_on, and upgrade honours it" {
	mig revision -m "a"
	mig revision -m "b" --head base --branch-label other
	mig revision -m "c" --head 0001 --depends-on 0002
	assert_status 0
	local f=versions/0003_c.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_match "$(sed -n 2p "$f")" '^-- down_revision: 0001$' "line 2"
	assert_match "$(sed -n 4p "$f")" '^-- depends_on: 0002$' "line 4"
	# Upgrading to 0003 applies its dependency 0002 first.
	mig upgrade 0003
	assert_status 0
	assert_eq "$(history_rows)" $'0001 up 1\n0002 up 1\n0003 up 1' "history"
	assert_eq "$(version_rows)" "0003" "version rows"
}

@test "revision_id = hex gives 12 random hex digits" {
	write_ini "revision_id = hex"
	mig revision -m "one"
	assert_status 0
	mig revision -m "two"
	assert_status 0
	local f1 f2 id1 id2
	f1=$(ls versions/*_one.sql)
	f2=$(ls versions/*_two.sql)
	id1=$(sed -n 's/^-- revision: //p' "$f1")
	id2=$(sed -n 's/^-- revision: //p' "$f2")
	assert_match "$id1" '^[0-9a-f]{12}$' "first id"
	assert_match "$id2" '^[0-9a-f]{12}$' "second id"
	[ "$id1" != "$id2" ] || fail "two revisions got the same id $id1"
	assert_eq "$f1" "versions/${id1}_one.sql" "file name"
	assert_eq "$(sed -n 's/^-- down_revision: //p' "$f2")" "$id1" \
	    "down_revision of the second"
}

@test "revision_id = timestamp gives 14 digits (YYYYMMDDHHMMSS)" {
	write_ini "revision_id = timestamp"
	local t0 t1 id f
	t0=$(date -u +%Y%m%d%H%M%S)
	mig revision -m "stamped"
	assert_status 0
	t1=$(date -u +%Y%m%d%H%M%S)
	f=$(ls versions/*_stamped.sql)
	id=$(sed -n 's/^-- revision: //p' "$f")
	assert_match "$id" '^[0-9]{14}$' "id"
	assert_eq "$f" "versions/${id}_stamped.sql" "file name"
	# Either UTC or local time, taken during the command.
	local lt0 lt1
	lt0=$(date -d "@$(($(date +%s) - 5))" +%Y%m%d%H%M%S)
	lt1=$(date +%Y%m%d%H%M%S)
	{ [[ $id -ge $t0 && $id -le $t1 ]] ||
	    [[ $id -ge $lt0 && $id -le $lt1 ]]; } ||
	    fail "id $id is not the time of the command ($t0..$t1 UTC)"
}

@test "revision refuses to guess with several heads (exit 2) unless --head" {
	mig revision -m "a"
	mig revision -m "b" --head base
	assert_status 0
	mig revision -m "c"
	assert_status 2
	assert_error "multiple heads"
	assert_eq "$(ls versions | wc -l)" 2 "number of revision files"
	mig revision -m "c" --head 0002
	assert_status 0
	assert_match "$(sed -n 2p versions/0003_c.sql)" '^-- down_revision: 0002$'
}

@test "revision without -m is a usage error" {
	mig revision
	assert_status 2
	assert_error "revision: "
	assert_eq "$(ls versions)" "" "versions/"
}

@test "revision -m with a newline still writes a loadable file" {
	mig revision -m $'two\nlines'
	if [ "$status" -eq 0 ]; then
		mig heads
		assert_status 0
		assert_stdout "0001 (head)"
	else
		assert_status 2
		assert_eq "$(ls versions)" "" "versions/"
	fi
}

# --- upgrade ----------------------------------------------------------------

@test "upgrade (default head) applies every revision and records it" {
	chain 3
	mig upgrade
	assert_status 0
	assert_eq "$output" "" "stdout (progress goes to stderr)"
	assert_match "$stderr" "Running upgrade +-> 0001, rev 0001" stderr
	assert_stderr_contains "Running upgrade 0001 -> 0002, rev 0002"
	assert_stderr_contains "Running upgrade 0002 -> 0003, rev 0003"
	assert_eq "$(user_tables)" "t1 t2 t3" "tables"
	assert_eq "$(version_rows)" "0003" "version rows"
	assert_eq "$(history_rows)" $'0001 up 1\n0002 up 1\n0003 up 1' "history"
	# A second run has nothing to do and changes nothing.
	local before
	before=$(db_state)
	mig upgrade head
	assert_status 0
	assert_eq "$(db_state)" "$before" "database after a no-op upgrade"
}

@test "upgrade -q prints no progress" {
	chain 2
	mig -q upgrade
	assert_status 0
	assert_eq "$stderr" "" stderr
	assert_eq "$(version_rows)" "0002" "version rows"
}

@test "upgrade ID stops at that revision" {
	chain 3
	mig upgrade 0002
	assert_status 0
	assert_eq "$(user_tables)" "t1 t2" "tables"
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(history_rows)" $'0001 up 1\n0002 up 1' "history"
}

@test "upgrade +N applies N revisions from the current one" {
	chain 4
	mig upgrade +1
	assert_status 0
	assert_eq "$(version_rows)" "0001" "version rows after +1"
	mig upgrade +2
	assert_status 0
	assert_eq "$(version_rows)" "0003" "version rows after +2"
	assert_eq "$(user_tables)" "t1 t2 t3" "tables"
	# Past the head: an error, and nothing applied.
	mig upgrade +5
	assert_status 2
	assert_error ".*\+5"
	assert_eq "$(version_rows)" "0003" "version rows after +5"
	assert_eq "$(user_tables)" "t1 t2 t3" "tables"
}

@test "upgrade to an already applied revision is refused (exit 2)" {
	chain 3
	mig upgrade
	local before
	before=$(db_state)
	mig upgrade 0001
	assert_status 2
	assert_error ".*'0001'"
	assert_eq "$(db_state)" "$before" "database"
}

# --- downgrade --------------------------------------------------------------

@test "downgrade -1 reverts one revision" {
	chain 3
	mig upgrade
	mig downgrade -1
	assert_status 0
	assert_eq "$output" "" stdout
	assert_stderr_contains "Running downgrade 0003 -> 0002, rev 0003"
	assert_eq "$(user_tables)" "t1 t2" "tables"
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(history_rows | tail -n 1)" "0003 down 1" "last history row"
}

@test "downgrade ID reverts the revisions above it" {
	chain 3
	mig upgrade
	mig downgrade 0001
	assert_status 0
	assert_eq "$(user_tables)" "t1" "tables"
	assert_eq "$(version_rows)" "0001" "version rows"
	assert_eq "$(history_rows | tail -n 2)" $'0003 down 1\n0002 down 1' \
	    "last history rows"
}

@test "downgrade base reverts everything" {
	chain 3
	mig upgrade
	mig downgrade base
	assert_status 0
	assert_eq "$(user_tables)" "" "tables"
	assert_eq "$(version_rows)" "" "version rows"
	assert_eq "$(history_rows | tail -n 3)" \
	    $'0003 down 1\n0002 down 1\n0001 down 1' "last history rows"
	# And back up again.
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "t1 t2 t3" "tables"
}

@test "downgrade without a target exits 2 and changes nothing" {
	chain 3
	mig upgrade
	local before
	before=$(db_state)
	mig downgrade
	assert_status 2
	assert_error "downgrade: "
	assert_eq "$(db_state)" "$before" "database"
}

@test "downgrade to a revision that is not applied exits 2" {
	chain 3
	mig upgrade 0002
	local before
	before=$(db_state)
	mig downgrade 0003
	assert_status 2
	assert_error ".*'0003'"
	mig downgrade -5
	assert_status 2
	assert_error ".*-5"
	assert_eq "$(db_state)" "$before" "database"
}

# --- current, heads, history, show ------------------------------------------

@test "current prints the revision, marked (head) at a head" {
	chain 3
	mig current
	assert_status 0
	assert_eq "$output" "" "stdout at base"
	mig upgrade 0002
	mig current
	assert_status 0
	assert_stdout "0002"
	mig upgrade
	mig current
	assert_status 0
	assert_stdout "0003 (head)"
}

@test "heads lists every head" {
	chain 2
	write_rev 0003 0001 "CREATE TABLE t3 (id integer);"
	mig heads
	assert_status 0
	assert_stdout $'0002 (head)\n0003 (head)'
	# heads reads no database.
	assert_eq "$(db_state)" "<no database>" "database"
}

@test "history lists newest first, from <base>" {
	write_rev -m "create users" 0001 "" "CREATE TABLE u (id integer);"
	write_rev -m "add things" 0002 0001 "CREATE TABLE t (id integer);"
	write_rev -m "more" 0003 0002 "CREATE TABLE m (id integer);"
	mig history
	assert_status 0
	assert_stdout $'0002 -> 0003 (head), more\n0001 -> 0002, add things\n<base> -> 0001, create users'
	mig upgrade 0002
	mig history -i
	assert_status 0
	assert_stdout $'0002 -> 0003 (head), more\n0001 -> 0002 (current), add things\n<base> -> 0001, create users'
}

@test "history -r A:B shows A to B; a range given backwards is an error" {
	write_rev -m "one" 0001 "" "CREATE TABLE u (id integer);"
	write_rev -m "two" 0002 0001 "CREATE TABLE t (id integer);"
	write_rev -m "three" 0003 0002 "CREATE TABLE m (id integer);"
	mig history -r 0002:0003
	assert_status 0
	assert_stdout $'0002 -> 0003 (head), three\n0001 -> 0002, two'
	mig history -r :0001
	assert_status 0
	assert_stdout '<base> -> 0001, one'
	mig history -r 0003:0001
	assert_status 2
	assert_error "history: range '0003:0001' is empty"
}

@test "show REV prints the revision" {
	write_rev -m "create users" 0001 "" "CREATE TABLE u (id integer);"
	write_rev -m "add things" 0002 0001 "CREATE TABLE t (id integer);"
	write_rev -m "more" 0003 0002 "CREATE TABLE m (id integer);"
	mig show 0002
	assert_status 0
	assert_match "$output" "Rev: +0002" stdout
	assert_match "$output" "Parent: +0001" stdout
	assert_match "$output" "Children: +0003" stdout
	assert_stdout_contains "versions/0002_add_things.sql"
	assert_stdout_contains "add things"
	mig show nope
	assert_status 2
	assert_error ".*'nope'"
}

# --- stamp ------------------------------------------------------------------

@test "stamp head sets the version without running the SQL" {
	chain 3
	mig stamp head
	assert_status 0
	assert_eq "$(version_rows)" "0003" "version rows"
	assert_eq "$(user_tables)" "" "tables (stamp must not run revisions)"
	assert_match "$(history_rows)" "stamp 1" "history"
	refute_contains "$(history_rows)" " up " "history"
	mig current
	assert_stdout "0003 (head)"
}

@test "stamp ID then upgrade runs only what is above it" {
	chain 3
	mig stamp 0002
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version rows"
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "t3" "tables"
	assert_eq "$(version_rows)" "0003" "version rows"
}

@test "stamp base empties the version table without running the SQL" {
	chain 2
	mig upgrade
	mig stamp base
	assert_status 0
	assert_eq "$(version_rows)" "" "version rows"
	assert_eq "$(user_tables)" "t1 t2" "tables (stamp must not run SQL)"
	mig current
	assert_eq "$output" "" "current at base"
	mig stamp nope
	assert_status 2
	assert_error ".*'nope'"
}

# --- status -----------------------------------------------------------------

@test "status lists applied and pending; --exit-code is 1 while pending" {
	write_rev -m "one" 0001 "" "CREATE TABLE t1 (id integer);"
	write_rev -m "two" 0002 0001 "CREATE TABLE t2 (id integer);"
	mig status
	assert_status 0
	assert_match "$output" "0 applied, 2 pending" stdout
	mig status --exit-code
	assert_status 1
	mig upgrade 0001
	mig status --exit-code
	assert_status 1
	assert_match "$output" "1 applied, 1 pending" stdout
	assert_match "$output" $'done +0001 +one' stdout
	assert_match "$output" $'todo +0002 +two' stdout
	mig upgrade
	mig status --exit-code
	assert_status 0
	assert_match "$output" "2 applied, 0 pending" stdout
}

# --- --json -----------------------------------------------------------------

@test "--json output of current, heads, history and status is JSON" {
	write_rev -m 'say "hi" \ back' 0001 "" "CREATE TABLE t1 (id integer);"
	write_rev -m "two" 0002 0001 "CREATE TABLE t2 (id integer);"
	write_rev -m "three" 0003 0002 "CREATE TABLE t3 (id integer);"
	mig upgrade 0002
	local cmd
	for cmd in current heads history status; do
		mig --json "$cmd"
		assert_status 0 || fail "--json $cmd"
		printf '%s' "$output" | json_ok || fail "--json $cmd: not JSON" "$output"
		# Also after the command.
		mig "$cmd" --json
		assert_status 0 || fail "$cmd --json"
		printf '%s' "$output" | json_ok || fail "$cmd --json: not JSON" "$output"
	done
	mig --json current
	assert_eq "$(json_get '[r["revision"] for r in d["current"]]')" "['0002']" current
	mig --json heads
	assert_eq "$(json_get 'd["heads"]')" "['0003']" heads
	mig --json history
	assert_eq "$(json_get '[r["revision"] for r in d["history"]]')" \
	    "['0003', '0002', '0001']" history
	assert_eq "$(json_get 'd["history"][2]["message"]')" 'say "hi" \ back' \
	    "history message"
	mig --json status
	assert_eq "$(json_get '[r["revision"] for r in d["applied"]]')" \
	    "['0001', '0002']" "status applied"
	assert_eq "$(json_get '[r["revision"] for r in d["pending"]]')" \
	    "['0003']" "status pending"
}

@test "--json is refused by a command without JSON output" {
	chain 1
	mig --json upgrade
	assert_status 2
	assert_error ".*json"
	assert_eq "$(db_state)" "<no database>" database
}

# --- statements, branches, version tables ----------------------------------

@test "upgrade splits statements around quotes, comments and trigger bodies" {
	local rows
	if is_sqlite; then
		cat >versions/0001_split.sql <<'SQL'
-- revision: 0001
-- down_revision:
-- message: splitter

-- migrate:upgrade
CREATE TABLE "we;ird" (v text); -- it's a comment; with "quotes
INSERT INTO "we;ird" VALUES ('a;b'), ('it''s; here'); /* block ; it's */
INSERT INTO "we;ird" VALUES ('-- not a comment');
CREATE TRIGGER trg AFTER INSERT ON "we;ird" BEGIN
  INSERT INTO "we;ird" SELECT 'x;' WHERE NEW.v = 'fire';
END;
INSERT INTO "we;ird" VALUES ('fire');
-- migrate:statement-begin
INSERT INTO "we;ird" VALUES ('manual')
-- migrate:statement-end

-- migrate:downgrade
DROP TABLE "we;ird";
SQL
		rows=$'a;b\nit\'s; here\n-- not a comment\nfire\nx;\nmanual'
	else
		# PostgreSQL: the trigger's body is a dollar-quoted plpgsql
		# function (with $$ nested in $body$), a BEGIN ATOMIC body,
		# and E'' strings.
		cat >versions/0001_split.sql <<'SQL'
-- revision: 0001
-- down_revision:
-- message: splitter

-- migrate:upgrade
CREATE TABLE "we;ird" (n serial, v text); -- it's a comment; with "quotes
INSERT INTO "we;ird" (v) VALUES ('a;b'), ('it''s; here'); /* block ; it's */
INSERT INTO "we;ird" (v) VALUES ('-- not a comment'), (E'e\'s; x');
CREATE FUNCTION we_ird_fire() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF NEW.v = 'fire' THEN
    INSERT INTO "we;ird" (v) VALUES ($$x;$$);
  END IF;
  RETURN NULL;
END;
$body$;
CREATE TRIGGER trg AFTER INSERT ON "we;ird"
  FOR EACH ROW EXECUTE FUNCTION we_ird_fire();
INSERT INTO "we;ird" (v) VALUES ('fire');
CREATE FUNCTION we_ird_atomic() RETURNS void LANGUAGE SQL
BEGIN ATOMIC
  INSERT INTO "we;ird" (v) VALUES ('atomic; end');
END;
SELECT we_ird_atomic();
-- migrate:statement-begin
INSERT INTO "we;ird" (v) VALUES ('manual')
-- migrate:statement-end

-- migrate:downgrade
DROP FUNCTION we_ird_atomic();
DROP TABLE "we;ird";
DROP FUNCTION we_ird_fire();
SQL
		rows=$'a;b\nit\'s; here\n-- not a comment\ne\'s; x\nfire\nx;\natomic; end\nmanual'
	fi
	mig upgrade
	assert_status 0
	if is_sqlite; then
		assert_eq "$(db_sql 'SELECT v FROM "we;ird" ORDER BY rowid')" \
		    "$rows" "rows"
	else
		assert_eq "$(db_sql 'SELECT v FROM "we;ird" ORDER BY n')" \
		    "$rows" "rows"
	fi
	mig downgrade base
	assert_status 0
	assert_eq "$(user_tables)" "" tables
	assert_eq "$(db_sql 'SELECT count(*) FROM migrate_version')" 0 "version rows"
}

@test "branches: upgrade heads, version rows per head, downgrade as DESIGN.md says" {
	# r <- a1 <- a2, r <- b1
	write_rev r "" "CREATE TABLE r (id integer);" "DROP TABLE r;"
	write_rev a1 r "CREATE TABLE a1 (id integer);" "DROP TABLE a1;"
	write_rev a2 a1 "CREATE TABLE a2 (id integer);" "DROP TABLE a2;"
	write_rev b1 r "CREATE TABLE b1 (id integer);" "DROP TABLE b1;"
	mig upgrade head
	assert_status 2
	assert_error "multiple head revisions are present for given argument 'head'"
	mig upgrade heads
	assert_status 0
	# Kahn's order, smallest id first among the ready ones.
	assert_eq "$(history_rows)" $'r up 1\na1 up 1\na2 up 1\nb1 up 1' history
	assert_eq "$(version_rows)" $'a2\nb1' "version rows"
	mig current
	assert_stdout $'a2 (head)\nb1 (head)'
	# downgrade a1 reverts a2 only; the other branch stays.
	mig downgrade a1
	assert_status 0
	assert_eq "$(version_rows)" $'a1\nb1' "version rows"
	assert_eq "$(user_tables)" "a1 b1 r" tables
	# downgrade r reverts a1 and b1, in the reverse of the upgrade order.
	mig upgrade heads
	mig downgrade r
	assert_status 0
	assert_eq "$(history_rows | tail -n 3)" $'b1 down 1\na2 down 1\na1 down 1' \
	    "last history rows"
	assert_eq "$(version_rows)" "r" "version rows"
	assert_eq "$(user_tables)" "r" tables
}

@test "a merge revision replaces its parents' version rows" {
	write_rev r "" "CREATE TABLE r (id integer);" "DROP TABLE r;"
	write_rev a1 r "CREATE TABLE a1 (id integer);" "DROP TABLE a1;"
	write_rev b1 r "CREATE TABLE b1 (id integer);" "DROP TABLE b1;"
	write_rev m "a1, b1" "CREATE TABLE m (id integer);" "DROP TABLE m;"
	mig heads
	assert_match "$output" "^m " heads
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "m" "version rows"
	assert_eq "$(user_tables)" "a1 b1 m r" tables
	# Down through the merge: both parents become heads again.
	mig downgrade r
	assert_status 0
	assert_eq "$(version_rows)" "r" "version rows"
	mig upgrade
	mig stamp a1 b1
	assert_status 0
	assert_eq "$(version_rows)" $'a1\nb1' "version rows after stamp a1 b1"
}

@test "migrate_history: each step's applied_at is its own, also with transaction = all" {
	write_ini "transaction = all"
	# Each revision takes a while (~0.1 s): dialect sections, one each.
	local i id prev=''
	for i in 1 2 3; do
		id=$(printf '%04d' "$i")
		{
			printf -- '-- revision: %s\n-- down_revision: %s\n' "$id" "$prev"
			printf -- '-- message: slow %s\n\n' "$i"
			printf -- '-- migrate:upgrade\nCREATE TABLE t%s (id integer);\n' "$i"
			printf -- '\n-- migrate:upgrade sqlite\nCREATE TABLE t%s (id integer);\n' "$i"
			printf -- 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)\n'
			printf -- 'SELECT count(*) FROM c;\n'
			printf -- '\n-- migrate:upgrade postgresql\nCREATE TABLE t%s (id integer);\n' "$i"
			printf -- 'SELECT pg_sleep(0.1);\n'
		} >"versions/${id}_slow_$i.sql"
		prev=$id
	done
	mig upgrade
	assert_status 0
	assert_eq "$(user_tables)" "t1 t2 t3" tables
	assert_eq "$(db_sql 'SELECT count(DISTINCT applied_at) FROM migrate_history')" 3 \
	    "distinct applied_at of 3 steps"
	assert_eq "$(db_sql 'SELECT revision FROM migrate_history ORDER BY applied_at')" \
	    $'0001\n0002\n0003' "steps in the order of applied_at"
}

@test "an existing version table without the history table: upgrade creates it" {
	chain 2
	db_sql "CREATE TABLE migrate_version (version_num VARCHAR(64) NOT NULL PRIMARY KEY);
	    INSERT INTO migrate_version VALUES ('0001');
	    CREATE TABLE t1 (id integer);"
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version rows"
	assert_eq "$(history_rows)" "0002 up 1" history
}
