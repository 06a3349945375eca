#!/usr/bin/env bats
# The migration lock on a real PostgreSQL server (DESIGN.md "Executor"):
# a session-level advisory lock taken only when something is pending;
# concurrent upgrades apply each revision once; lock_wait bounds the wait
# (exit 3, naming the holder's pid); lock_timeout and statement_timeout
# from migrate.ini apply to the migration statements.

load helpers

setup_file() { pg_setup_file; }
teardown_file() { pg_teardown_file; }

setup() {
	pg_setup
	make_test_dir
	pg_ini
	mkdir versions
}

teardown() {
	# Sessions this test left behind (a psql holding a lock, a migrate
	# still sleeping in a revision) end with their backends.
	[ -z "${PG_URL:-}" ] || pg_sql "SELECT count(pg_terminate_backend(pid))
	    FROM pg_stat_activity WHERE datname = current_database()
	    AND pid <> pg_backend_pid()" >/dev/null 2>&1 || true
	stop_background
	cd / && rm -rf "$TEST_ROOT"
	# The cluster may be make test's, shared by the whole run.
	[ -z "${PG_URL:-}" ] || drop_db "$(db_name "$PG_URL")"
}

# The database name in a URL made by pg.sh (postgresql:///NAME?host=...).
db_name() { # URL
	local n=${1#postgresql:///}
	printf '%s\n' "${n%%\?*}"
}

drop_db() { # NAME
	psql -X -q -d "postgresql:///postgres?${PG_URL#*\?}" \
	    -c 'SET client_min_messages = warning' \
	    -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
	    >/dev/null 2>&1 || true
}

# migrate.ini for PostgreSQL (the URL is passed with --url), with extra
# [migrate] lines.
pg_ini() { # [LINE...]
	{
		printf '[migrate]\nscript_location = versions\n'
		local line
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >migrate.ini
}

pmig() {
	mig --url "$PG_URL" "$@"
}

# Start migrate in the background: stdout in NAME.out, stderr in NAME.err,
# its exit status (once waited for) in NAME.rc. Its pid is in BG_PIDS and
# in $bg_pid.
bg_mig() { # NAME ARGS...
	local name=$1
	shift
	"$MIGRATE" --url "$PG_URL" "$@" >"$name.out" 2>"$name.err" \
	    </dev/null 3>&- &
	bg_pid=$!
	BG_PIDS+=("$bg_pid")
}

# Wait for a background migrate; its exit status goes to NAME.rc.
bg_wait() { # NAME PID
	local rc=0
	wait "$2" || rc=$?
	echo "$rc" >"$1.rc"
}

# Run SQL in a psql session of its own in the background, with
# application_name = holder (so tests can find its backend).
bg_psql() { # SQL...
	local args=() s
	for s in "$@"; do
		args+=(-c "$s")
	done
	PGAPPNAME=holder psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" "${args[@]}" \
	    </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
}

# Poll SQL every 50 ms until it prints something other than nothing, "f"
# or "0"; print that. Fails after about 10 s.
poll_sql() { # SQL
	local i v
	for ((i = 0; i < 200; i++)); do
		v=$(pg_sql "$1" 2>/dev/null) || v=
		case $v in
		'' | f | 0) sleep 0.05 ;;
		*) printf '%s\n' "$v"; return 0 ;;
		esac
	done
	fail "timed out waiting for: $1"
}

now_ms() {
	date +%s%3N
}

# The advisory lock key of a version table name, as dialects/postgres.c
# documents it: FNV-1a 64 over the bytes, read as a signed bigint (bash
# arithmetic wraps modulo 2^64 the same way).
lock_key() { # NAME
	local s=$1 h=-3750763034362895579 i c # 0xcbf29ce484222325
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 1099511628211)) # 0x100000001b3
	done
	echo "$h"
}

# The pid of the backend holding the advisory lock KEY, or nothing.
lock_holder_sql() { # KEY
	printf '%s' "SELECT pid FROM pg_locks WHERE locktype = 'advisory'
	    AND granted AND objsubid = 1
	    AND database = (SELECT oid FROM pg_database
	                    WHERE datname = current_database())
	    AND ((classid::bigint << 32) | objid::bigint) = $1"
}

history() {
	pg_sql "SELECT revision || ' ' || direction || ' ' || success
	    FROM migrate_history ORDER BY id"
}

versions() {
	pg_sql 'SELECT version_num FROM migrate_version ORDER BY 1'
}

table_exists() { # NAME
	[ "$(pg_sql "SELECT to_regclass('$1') IS NOT NULL")" = t ]
}

@test "pg: 8 concurrent 'upgrade head' apply each of 20 revisions exactly once" {
	local i id prev='' up n k pids=() expected=''
	for ((i = 1; i <= 20; i++)); do
		id=$(printf '%04d' "$i")
		n=10
		((i % 4 == 2)) && n=100000	# a slow INSERT
		up="CREATE TABLE t$i (id integer);
INSERT INTO t$i SELECT generate_series(1, $n);"
		((i % 5 == 0)) && up+="
SELECT pg_sleep(0.2);"
		((i == 12)) && up+="
CREATE INDEX CONCURRENTLY ix_t12 ON t12 (id);
INSERT INTO t12 VALUES (0);"
		write_rev "$id" "$prev" "$up" "DROP TABLE t$i;"
		prev=$id
		expected+="$id up true"$'\n'
	done
	for ((k = 1; k <= 8; k++)); do
		bg_mig "p$k" upgrade head
		pids+=("$bg_pid")
	done
	for ((k = 1; k <= 8; k++)); do
		bg_wait "p$k" "${pids[k - 1]}"
	done
	BG_PIDS=()
	for ((k = 1; k <= 8; k++)); do
		assert_eq "$(cat p$k.rc)" 0 "exit status of process $k
$(cat p$k.err)"
	done
	for ((i = 1; i <= 20; i++)); do
		n=10
		((i % 4 == 2)) && n=100000
		((i == 12)) && n=$((n + 1))
		assert_eq "$(pg_sql "SELECT count(*) FROM t$i")" "$n" \
		    "rows in t$i (each INSERT ran once)"
	done
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_t12'::regclass")" t "ix_t12 is valid"
	assert_eq "$(history)" "${expected%$'\n'}" \
	    "history (one successful 'up' per revision, no failure)"
	assert_eq "$(pg_sql 'SELECT count(*) FROM migrate_history
	    WHERE NOT success')" 0 "failure rows"
	assert_eq "$(versions)" 0020 "version rows"
	# Between them, the processes ran each step once.
	assert_eq "$(cat p*.err | grep -c '^Running upgrade')" 20 \
	    "progress lines of all processes"
	# Nobody holds the lock any more.
	assert_eq "$(pg_sql "$(lock_holder_sql "$(lock_key migrate_version)")")" \
	    "" "lock holder after the run"
}

@test "pg: the advisory lock key is FNV-1a 64 of the version table name" {
	# The documented key (dialects/postgres.c), checked against the lock
	# a running migrate really holds, for two table names.
	write_rev 0001 "" "SELECT pg_sleep(3);" ""
	local key holder app vt
	for vt in migrate_version ops.schema_version; do
		pg_ini "version_table = $vt"
		pg_sql "DROP SCHEMA IF EXISTS ops CASCADE;
		    DROP TABLE IF EXISTS migrate_version, migrate_history"
		key=$(lock_key "$vt")
		bg_mig run upgrade head
		holder=$(poll_sql "$(lock_holder_sql "$key")")
		app=$(pg_sql "SELECT application_name FROM pg_stat_activity
		    WHERE pid = $holder")
		assert_eq "$app" migrate "application of the backend holding lock $key ($vt)"
		pg_sql "SELECT pg_terminate_backend($holder)" >/dev/null
		stop_background
	done
}

@test "pg: nothing pending: 'upgrade head' does not take the lock" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	pmig upgrade head
	assert_status 0
	# Another session holds the migration lock, as a running migrate
	# would (the key is checked by the test above, and below: a run
	# with something pending does wait for it).
	local key holder t0 elapsed cmd
	key=$(lock_key migrate_version)
	bg_psql "SELECT pg_advisory_lock($key)" "SELECT pg_sleep(30)"
	holder=$(poll_sql "$(lock_holder_sql "$key")")
	assert_eq "$(pg_sql "SELECT application_name FROM pg_stat_activity
	    WHERE pid = $holder")" holder "lock holder"
	pg_ini "lock_wait = 1s"
	for cmd in "upgrade head" "upgrade" "upgrade heads" "upgrade 0001"; do
		t0=$(now_ms)
		# shellcheck disable=SC2086
		pmig $cmd
		elapsed=$(($(now_ms) - t0))
		assert_status 0
		assert_stderr_contains "Nothing to do"
		# lock_wait is 1s: a run that tried the lock would take that.
		[ "$elapsed" -lt 800 ] ||
		    fail "'migrate $cmd' with nothing pending took ${elapsed}ms"
	done
	assert_eq "$(history)" "0001 up true" "history"
	assert_eq "$(versions)" 0001 "version rows"
	# With something pending, the same lock is waited for: exit 3.
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);" "DROP TABLE t2;"
	t0=$(now_ms)
	pmig upgrade head
	elapsed=$(($(now_ms) - t0))
	assert_status 3
	assert_stderr_contains "held by pid $holder"
	[ "$elapsed" -ge 900 ] || fail "gave up after ${elapsed}ms, lock_wait is 1s"
	table_exists t2 && fail "t2 was created without the lock"
	assert_eq "$(versions)" 0001 "version rows"
}

@test "pg: lock_wait: a second migrate exits 3 naming the holder's pid, changing nothing" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);
SELECT pg_sleep(4);" "DROP TABLE t2;"
	local first apid t0 elapsed key
	key=$(lock_key migrate_version)
	bg_mig first upgrade head
	first=$bg_pid
	# The first is inside 0002 (0001 committed), holding the lock.
	apid=$(poll_sql "SELECT pid FROM pg_stat_activity
	    WHERE application_name = 'migrate' AND datname = current_database()
	    AND query LIKE 'SELECT pg_sleep(4)%'")
	assert_eq "$(pg_sql "$(lock_holder_sql "$key")")" "$apid" "lock holder"
	# The second, in a copy of the project with lock_wait = 1s.
	mkdir second && cp -r versions second/ && cd second
	pg_ini "lock_wait = 1s"
	t0=$(now_ms)
	pmig upgrade head
	elapsed=$(($(now_ms) - t0))
	cd ..
	assert_status 3
	assert_error ".*lock.*"
	[ "$elapsed" -ge 900 ] || fail "gave up after ${elapsed}ms, lock_wait is 1s"
	[ "$elapsed" -lt 3000 ] || fail "took ${elapsed}ms, lock_wait is 1s"
	# The pid named is the first migrate's backend, the only session of
	# application 'migrate' left.
	assert_eq "$(pg_sql "SELECT pid FROM pg_stat_activity
	    WHERE application_name = 'migrate'
	    AND datname = current_database()")" "$apid" "migrate backends"
	assert_stderr_contains "held by pid $apid"
	refute_contains "$stderr" "Running upgrade" "stderr of the second"
	# The second changed nothing: the first is still in 0002.
	assert_eq "$(history)" "0001 up true" "history while the first runs"
	assert_eq "$(versions)" 0001 "version rows while the first runs"
	bg_wait first "$first"
	BG_PIDS=()
	assert_eq "$(cat first.rc)" 0 "exit status of the first
$(cat first.err)"
	assert_eq "$(history)" "0001 up true
0002 up true" "history"
	assert_eq "$(versions)" 0002 "version rows"
}

@test "pg: statement_timeout from migrate.ini cancels a slow statement (57014)" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);
SELECT pg_sleep(3);" "DROP TABLE t2;"
	pg_ini "statement_timeout = 1s"
	local t0 elapsed
	t0=$(now_ms)
	pmig upgrade head
	elapsed=$(($(now_ms) - t0))
	assert_status 1
	assert_error "versions/0002_rev_0002\.sql:10:1: .*statement timeout.*\(SQLSTATE 57014\)"
	[ "$elapsed" -lt 2500 ] || fail "took ${elapsed}ms, statement_timeout is 1s"
	# 0001 stays applied; 0002 rolled back and recorded as failed.
	assert_eq "$(versions)" 0001 "version rows"
	table_exists t1 || fail "t1 is missing"
	table_exists t2 && fail "t2 was not rolled back"
	assert_eq "$(history)" "0001 up true
0002 up false" "history"
	# Without the timeout the same revision goes through.
	pg_ini
	pmig upgrade head
	assert_status 0
	assert_eq "$(versions)" 0002 "version rows"
}

@test "pg: lock_timeout from migrate.ini bounds a statement's wait for a table lock (55P03)" {
	write_rev 0001 "" "CREATE TABLE t (id integer);" "DROP TABLE t;"
	pmig upgrade head
	assert_status 0
	write_rev 0002 0001 "ALTER TABLE t ADD COLUMN x integer;" \
	    "ALTER TABLE t DROP COLUMN x;"
	bg_psql "BEGIN" "LOCK TABLE t IN ACCESS EXCLUSIVE MODE" \
	    "SELECT pg_sleep(10)"
	poll_sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a
	    USING (pid) WHERE a.application_name = 'holder' AND l.granted
	    AND l.relation = 't'::regclass
	    AND l.mode = 'AccessExclusiveLock'" >/dev/null
	pg_ini "lock_timeout = 500ms"
	local t0 elapsed
	t0=$(now_ms)
	pmig upgrade head
	elapsed=$(($(now_ms) - t0))
	assert_status 1
	assert_error "versions/0002_rev_0002\.sql:9:1: .*lock timeout.*\(SQLSTATE 55P03\)"
	[ "$elapsed" -lt 2500 ] || fail "took ${elapsed}ms, lock_timeout is 500ms"
	assert_eq "$(versions)" 0001 "version rows"
	assert_eq "$(history)" "0001 up true
0002 up false" "history"
	# Once the other session is gone the ALTER goes through.
	pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE application_name = 'holder'" >/dev/null
	stop_background
	pmig upgrade head
	assert_status 0
	assert_eq "$(versions)" 0002 "version rows"
	assert_eq "$(pg_sql "SELECT count(*) FROM information_schema.columns
	    WHERE table_name = 't' AND column_name = 'x'")" 1 "column t.x"
}
