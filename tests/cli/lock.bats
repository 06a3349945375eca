#!/usr/bin/env bats
# The migration lock on SQLite: concurrent upgrades apply each revision once;
# lock_wait bounds the wait (exit 3).

load helpers

ROWS=200000

# Revisions that take a while: each fills a table with $ROWS rows.
slow_chain() { # N
	local i id prev=''
	for ((i = 1; i <= $1; i++)); do
		id=$(printf '%04d' "$i")
		write_rev "$id" "$prev" "CREATE TABLE big$i (x integer);
INSERT INTO big$i
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $ROWS)
SELECT x FROM c;" "DROP TABLE big$i;"
		prev=$id
	done
}

# Run N `migrate upgrade head` at once; their exit statuses go to rc.K,
# their stderr to err.K.
upgrade_concurrently() { # N
	local k pids=()
	for ((k = 1; k <= $1; k++)); do
		"$MIGRATE" upgrade head >out.$k 2>err.$k &
		pids+=($!)
	done
	for ((k = 1; k <= $1; k++)); do
		wait "${pids[k - 1]}" && echo 0 >rc.$k || echo $? >rc.$k
	done
}

assert_applied_once() { # N-REVISIONS N-PROCESSES
	local k i
	for ((k = 1; k <= $2; k++)); do
		assert_eq "$(cat rc.$k)" 0 "exit status of process $k
$(cat err.$k)"
	done
	local expected=''
	for ((i = 1; i <= $1; i++)); do
		expected+="$(printf '%04d' "$i") up 1"$'\n'
	done
	assert_eq "$(history_rows)" "${expected%$'\n'}" "history (one 'up' per revision)"
	assert_eq "$(version_rows)" "$(printf '%04d' "$1")" "version rows"
	for ((i = 1; i <= $1; i++)); do
		assert_eq "$(sqlite3 app.db "SELECT count(*) FROM big$i")" "$ROWS" \
		    "rows in big$i (each INSERT ran once)"
	done
	# Between them, the processes reported each step once.
	assert_eq "$(cat err.* | grep -c '^Running upgrade')" "$1" \
	    "progress lines of all processes"
}

# Hold the lock file in the background, as another migrate would; wait
# until it is really held.
hold_lock() { # SECONDS
	flock app.db.lock sleep "$1" </dev/null >/dev/null 2>&1 &
	BG_PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		flock -n app.db.lock true 2>/dev/null || return 0
		sleep 0.05
	done
	fail "the background flock never took app.db.lock"
}

release_lock() {
	stop_background
}

now_ms() {
	date +%s%3N
}

@test "two concurrent 'upgrade head' apply each revision exactly once" {
	slow_chain 3
	upgrade_concurrently 2
	assert_applied_once 3 2
}

@test "four concurrent 'upgrade head' apply each revision exactly once" {
	slow_chain 3
	upgrade_concurrently 4
	assert_applied_once 3 4
}

@test "an upgrade started while another runs waits for it, then has nothing to do" {
	slow_chain 3
	"$MIGRATE" upgrade head >out.1 2>err.1 &
	local first=$!
	sleep 0.2
	mig upgrade head
	wait "$first" && echo 0 >rc.1 || echo $? >rc.1
	assert_status 0
	echo "$stderr" >err.2
	echo 0 >rc.2
	assert_applied_once 3 2
}

@test "lock_wait: a held lock gives exit 3 and leaves the database unchanged" {
	write_ini "lock_wait = 1s"
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	mig upgrade
	assert_status 0
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);" "DROP TABLE t2;"
	local before t0 elapsed
	before=$(db_state)
	hold_lock 10
	t0=$(now_ms)
	mig upgrade
	elapsed=$(($(now_ms) - t0))
	assert_status 3
	assert_error ".*lock"
	assert_eq "$(db_state)" "$before" "database"
	# It waited about lock_wait, neither not at all nor the default 60s.
	[ "$elapsed" -ge 900 ] || fail "gave up after ${elapsed}ms, lock_wait is 1s"
	[ "$elapsed" -lt 8000 ] || fail "waited ${elapsed}ms, lock_wait is 1s"
	# Once the lock is released the same command succeeds.
	release_lock
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0002" "version rows"
}

@test "lock_wait on a new database: exit 3 and no version tables created" {
	write_ini "lock_wait = 500ms"
	chain 2
	hold_lock 10
	mig upgrade
	assert_status 3
	assert_error ".*lock"
	assert_eq "$(db_state)" "<no database>" "database"
}

@test "nothing pending: no lock needed" {
	write_ini "lock_wait = 1s"
	chain 2
	mig upgrade
	assert_status 0
	local before
	before=$(db_state)
	hold_lock 10
	# DESIGN.md: if nothing is pending, stop without locking.
	mig upgrade
	assert_status 0
	# Read-only commands do not take the lock either.
	mig current
	assert_status 0
	assert_stdout "0002 (head)"
	mig status
	assert_status 0
	assert_eq "$(db_state)" "$before" "database"
}

@test "downgrade and stamp also wait for the lock (exit 3)" {
	write_ini "lock_wait = 500ms"
	chain 2
	mig upgrade
	assert_status 0
	local before
	before=$(db_state)
	hold_lock 10
	mig downgrade -1
	assert_status 3
	assert_error ".*lock"
	mig stamp base
	assert_status 3
	assert_error ".*lock"
	assert_eq "$(db_state)" "$before" "database"
}
