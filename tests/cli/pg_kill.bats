#!/usr/bin/env bats
# kill -9 of migrate on a real PostgreSQL server (DESIGN.md "Executor"):
# whenever it dies, the version table matches the schema (a revision
# commits with its version update), except for a revision recorded as
# partially applied (a CREATE INDEX CONCURRENTLY splits it into parts that
# commit one by one), and a rerun completes to head, resuming a partial
# revision where it stopped.
#
#   - 20 kills at random moments of a 200-revision upgrade, each followed
#     by a consistency check and a rerun to head;
#   - kills at chosen moments: inside a revision's transaction, during and
#     after a CONCURRENTLY statement (the orphaned backend finishes it, or
#     is cut off and leaves an INVALID index), of a lock holder while
#     others wait;
#   - after a failure the server reported (not a cut-off), the rerun must
#     not take a same-named index for the statement's work.
#
# Knobs: PG_KILL_TRIALS (default 20), PG_KILL_SEED (replays the delays of
# a run: the seed is printed).

load helpers

setup_file() { pg_setup_file; }
teardown_file() { pg_teardown_file; }

setup() {
	pg_setup
	make_test_dir
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	mkdir versions
}

teardown() {
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

sql_at() { # URL SQL
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}

now_ms() {
	date +%s%3N
}

# Wait until no session of application 'migrate' is left in the database
# at URL: a killed client's backend ends once it notices, after finishing
# the statement it was running (an orphaned CREATE INDEX CONCURRENTLY
# runs to its end).
wait_migrate_gone() { # URL
	local i n
	for ((i = 0; i < 600; i++)); do
		n=$(sql_at "$1" "SELECT count(*) FROM pg_stat_activity
		    WHERE datname = current_database()
		    AND application_name = 'migrate'") || n=err
		[ "$n" = 0 ] && return 0
		sleep 0.05
	done
	fail "the killed migrate's backend is still there after 30s"
}

# Poll SQL every 20 ms until it prints something other than nothing, "f"
# or "0"; print that. Fails after about 20 s.
poll_sql() { # SQL
	local i v
	for ((i = 0; i < 1000; i++)); do
		v=$(pg_sql "$1" 2>/dev/null) || v=
		case $v in
		'' | f | 0) sleep 0.02 ;;
		*) printf '%s\n' "$v"; return 0 ;;
		esac
	done
	fail "timed out waiting for: $1"
}

# --- the random kills ---------------------------------------------------------

NREVS=200
ROWS=1000

# Revisions 0001..0200: each creates tI and fills it with ROWS rows; every
# 10th creates an index CONCURRENTLY between two INSERTs of half the rows,
# so it commits in two parts around the index build.
write_chain() {
	local i id prev='' half=$((ROWS / 2)) up
	for ((i = 1; i <= NREVS; i++)); do
		id=$(printf '%04d' "$i")
		up="CREATE TABLE t$i (id integer, v text);"
		if ((i % 10 == 0)); then
			up+="
INSERT INTO t$i SELECT g, md5(g::text) FROM generate_series(1, $half) g;
CREATE INDEX CONCURRENTLY ix_t$i ON t$i (v);
INSERT INTO t$i SELECT g, md5(g::text) FROM generate_series($((half + 1)), $ROWS) g;"
		else
			up+="
INSERT INTO t$i SELECT g, md5(g::text) FROM generate_series(1, $ROWS) g;"
		fi
		write_rev -f "versions/${id}_rev.sql" "$id" "$prev" "$up" \
		    "DROP TABLE t$i;"
		prev=$id
	done
}

# The state of the database at URL, one fact a line:
#   v ID                          a version row
#   h REV DIR SUCCESS DONE TOTAL  a history row, in id order
#   t N ROWS INDEXES              table tN, its row count, the validity of
#                                 its indexes (t/f, comma-separated, or -)
db_facts() { # URL
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" <<-'EOF'
	SELECT to_regclass('migrate_version') IS NOT NULL AS vt,
	       to_regclass('migrate_history') IS NOT NULL AS ht \gset
	\if :vt
	SELECT 'v ' || version_num FROM migrate_version ORDER BY 1;
	\endif
	\if :ht
	SELECT concat_ws(' ', 'h', revision, direction,
	    CASE WHEN success THEN 't' ELSE 'f' END,
	    statements_done, statements_total)
	FROM migrate_history ORDER BY id;
	\endif
	SELECT concat_ws(' ', 't', substr(c.relname, 2),
	    (xpath('/row/n/text()', query_to_xml(format(
	        'SELECT count(*) AS n FROM %I', c.relname),
	        false, true, '')))[1]::text,
	    coalesce((SELECT string_agg(CASE WHEN i.indisvalid THEN 't'
	        ELSE 'f' END, ',') FROM pg_index i
	        WHERE i.indrelid = c.oid), '-'))
	FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
	WHERE s.nspname = 'public' AND c.relkind = 'r'
	AND c.relname ~ '^t[0-9]+$'
	ORDER BY length(c.relname), c.relname;
	EOF
}

# Check the state after a kill (see the top of the file); print
# "R P PDONE": the revision of the version row (0 for none), the partial
# revision (0 for none) and its statements done; or print what is wrong
# and fail.
check_consistent() { # FACTS
	awk -v nrevs="$NREVS" -v rows="$ROWS" '
	function bad(msg) { print msg; err = 1; exit 1 }
	$1 == "v" { nv++; R = $2 + 0 }
	$1 == "h" {
		n = $2 + 0; nh[n]++
		if ($3 == "up" && $4 == "t") ups[n]++
		dir[n] = $3; ok[n] = $4; done[n] = $5
	}
	$1 == "t" { cnt[$2 + 0] = $3; idx[$2 + 0] = $4; has[$2 + 0] = 1 }
	END {
		if (err) exit 1
		if (nv > 1) bad(nv " version rows (a linear chain has one at most)")
		P = 0; D = 0
		# Partial: the latest history row failed with statements applied.
		for (n in ok) if (ok[n] == "f" && done[n] > 0) {
			if (P) bad("two partial revisions: " P " and " n)
			P = n + 0; D = done[n]
			if (dir[n] != "up") bad("partial revision " n " is a " dir[n] " row")
		}
		if (P) {
			if (P != R + 1) bad("partial revision " P ", version row " R)
			# Only the CONCURRENTLY revisions commit in parts:
			# CREATE TABLE, INSERT | CREATE INDEX CONCURRENTLY | INSERT
			if (P % 10) bad("revision " P " (no CONCURRENTLY) is partial")
			if (D != 2 && D != 3) bad("partial revision " P ": " D " statements done")
			# Its first D statements are applied, the rest is not.
			if (cnt[P] != rows / 2)
				bad("partial revision " P " (" D " done): t" P " has " \
				    (P in has ? cnt[P] : "no") " rows, want " rows / 2)
			# With 2 done the index build may have run on after the
			# kill (valid), been cut off (invalid) or not started.
			if (D == 3 && idx[P] != "t" || D == 2 && idx[P] !~ /^(-|t|f)$/)
				bad("partial revision " P " (" D " done): indexes of t" P ": " idx[P])
			if (nh[P] != 1) bad("partial revision " P ": " nh[P] " history rows")
		}
		for (i = 1; i <= nrevs; i++) {
			if (i <= R) {
				w = "revision " i " <= version row " R
				if (cnt[i] != rows)
					bad(w ": t" i " has " (i in has ? cnt[i] : "no") " rows, want " rows)
				if (i % 10 == 0 && idx[i] != "t")
					bad(w ": indexes of t" i ": " idx[i])
				if (ups[i] != 1 || nh[i] != 1)
					bad(w ": " ups[i] + 0 " successful up rows of " nh[i] + 0 " history rows")
			} else if (i != P) {
				w = "revision " i " > version row " R
				if (i in has) bad(w ": t" i " exists (" cnt[i] " rows)")
				if (i in nh) bad(w ": " nh[i] " history rows")
			}
		}
		print R + 0, P, D
	}' <<<"$1"
}

# After the rerun: at head, every table full, one successful 'up' row per
# revision (a resumed attempt's row is completed, not duplicated).
complete_facts() {
	awk -v nrevs="$NREVS" -v rows="$ROWS" 'BEGIN {
		printf "v %04d\n", nrevs
		for (i = 1; i <= nrevs; i++)
			printf "h %04d up t %s\n", i, i % 10 ? "2 2" : "4 4"
		for (i = 1; i <= nrevs; i++)
			printf "t %d %d %s\n", i, rows, i % 10 ? "-" : "t"
	}'
}

# An empty database again: as fresh as a new one for migrate, and much
# quicker to make than CREATE DATABASE.
reset_db() {
	pg_sql "SET client_min_messages = warning;
	    DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
}

@test "pg: kill -9 at random moments of a 200-revision upgrade: consistent, and a rerun completes" {
	local seed=${PG_KILL_SEED:-$((($$ * 7919 + $(date +%s)) % 32768))}
	local trials=${PG_KILL_TRIALS:-20}
	local t pid rc delay facts killed=0 partials=0 t0 log='' what verdict
	local R P PDONE want
	want=$(complete_facts)
	local -A ms=() # time spent per phase
	local tp
	RANDOM=$seed
	write_chain
	t0=$(now_ms)
	for ((t = 1; t <= trials; t++)); do
		tp=$(now_ms)
		reset_db
		ms[reset]=$((${ms[reset]:-0} + $(now_ms) - tp)) tp=$(now_ms)
		delay=$((20 + RANDOM % 581))
		"$MIGRATE" --url "$PG_URL" upgrade head >/dev/null \
		    2>"kill$t.err" </dev/null 3>&- &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?	# no "Killed" notice
		ms[run]=$((${ms[run]:-0} + $(now_ms) - tp)) tp=$(now_ms)
		wait_migrate_gone "$PG_URL"
		ms[gone]=$((${ms[gone]:-0} + $(now_ms) - tp)) tp=$(now_ms)
		what="trial $t (PG_KILL_SEED=$seed, killed after ${delay}ms, exit $rc)"
		facts=$(db_facts "$PG_URL")
		verdict=$(check_consistent "$facts") || {
			fail "$what: $verdict" "--- the state" "$facts" \
			    "--- its stderr" "$(cat "kill$t.err")"
			return 1
		}
		read -r R P PDONE <<<"$verdict"
		what+=" at version $R, partial revision $P ($PDONE done)"
		[ "$rc" = 137 ] && ((R < NREVS)) && killed=$((killed + 1))
		if [ "$P" != 0 ]; then
			partials=$((partials + 1))
			log+="${delay}ms:$R+$PDONE "
		else
			log+="${delay}ms:$R "
		fi
		ms[check]=$((${ms[check]:-0} + $(now_ms) - tp)) tp=$(now_ms)
		# The rerun completes to head.
		run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
		ms[rerun]=$((${ms[rerun]:-0} + $(now_ms) - tp)) tp=$(now_ms)
		[ "$status" = 0 ] || { show_run; fail "$what: the rerun failed"; return 1; }
		if [ "$P" != 0 ]; then
			assert_contains "$stderr" \
			    "resuming at statement $((PDONE + 1)) of 4" \
			    "$what: rerun stderr"
		fi
		assert_eq "$(db_facts "$PG_URL")" "$want" "$what: the state after the rerun"
		ms[final]=$((${ms[final]:-0} + $(now_ms) - tp))
	done
	# delay:version per trial, +N for a partial revision with N done.
	echo "# PG_KILL_SEED=$seed: $trials trials in $(($(now_ms) - t0)) ms," \
	    "$killed killed mid-run, $partials left a partial revision: $log" >&3
	echo "# ms spent: reset ${ms[reset]}, run until killed ${ms[run]}," \
	    "backend gone ${ms[gone]}, check ${ms[check]}, rerun ${ms[rerun]}," \
	    "final check ${ms[final]}" >&3
	# The kills must land in the middle of the run to test anything.
	((killed >= trials / 2)) ||
	    fail "only $killed of $trials trials were killed before head: make the revisions slower"
}

# --- kills at chosen moments ----------------------------------------------

# 0001: a table of 200 rows and an index function that sleeps 10 ms per
# row, so that building an index with it takes 2 s; applied. 0002, not
# applied: by default two statements, the slow index built CONCURRENTLY,
# and a fourth statement; "only": the index statement alone.
slow_index_base() { # [only]
	write_rev 0001 "" 'CREATE FUNCTION slow_id(integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM pg_sleep(0.01);
    RETURN $1;
END
$$;
CREATE TABLE t (id integer);
INSERT INTO t SELECT generate_series(1, 200);' \
	    'DROP TABLE t; DROP FUNCTION slow_id(integer);'
	run "$MIGRATE" --url "$PG_URL" upgrade 0001
	assert_status 0
	if [ "${1:-}" = only ]; then
		write_rev 0002 0001 \
		    "CREATE INDEX CONCURRENTLY ix_slow ON t ((slow_id(id)));" \
		    "DROP INDEX CONCURRENTLY ix_slow;"
		return
	fi
	write_rev 0002 0001 "CREATE TABLE u (id integer);
INSERT INTO u SELECT generate_series(1, 10);
CREATE INDEX CONCURRENTLY ix_slow ON t ((slow_id(id)));
CREATE TABLE after_ix (id integer);" \
	    "DROP TABLE after_ix; DROP INDEX ix_slow; DROP TABLE u;"
}

# Start the upgrade and wait until its backend is building ix_slow. The
# migrate's pid goes to $mig_pid, its backend's to $backend.
start_until_building() {
	"$MIGRATE" --url "$PG_URL" upgrade head >up.out 2>up.err </dev/null 3>&- &
	mig_pid=$!
	BG_PIDS+=("$mig_pid")
	backend=$(poll_sql "SELECT p.pid FROM pg_stat_progress_create_index p
	    JOIN pg_stat_activity a USING (pid)
	    WHERE a.application_name = 'migrate'
	    AND p.phase LIKE 'building index%'")
}

# The rerun finishes 0002 from its third statement, with ix_slow valid
# and alone, and one completed history row for 0002.
assert_resumed() {
	run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 3 of 4" "rerun stderr"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0002 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT indexrelid::regclass || ' ' || indisvalid
	    FROM pg_index WHERE indrelid = 't'::regclass")" "ix_slow true" \
	    "indexes of t"
	assert_eq "$(pg_sql 'SELECT count(*) FROM u')" 10 "rows in u (once)"
	assert_eq "$(pg_sql "SELECT to_regclass('after_ix') IS NOT NULL")" t \
	    "after_ix exists"
	assert_eq "$(pg_sql "SELECT concat_ws(' ', revision, direction, success,
	    statements_done, statements_total) FROM migrate_history
	    ORDER BY id")" "0001 up t 3 3
0002 up t 4 4" "history"
}

@test "pg: kill -9 during CREATE INDEX CONCURRENTLY: the build finishes alone, the rerun keeps the index and goes on" {
	slow_index_base
	local backend mig_pid
	start_until_building
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	# The orphaned backend builds the index to the end, unrecorded.
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_slow'::regclass")" t "ix_slow is valid"
	assert_eq "$(pg_sql "SELECT concat_ws(' ', revision, success,
	    statements_done, statements_total) FROM migrate_history
	    WHERE revision = '0002'")" "0002 f 2 4" "0002's history row"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	# DESIGN.md: "a valid one is kept".
	assert_resumed
}

@test "pg: an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index: the rerun drops and rebuilds it" {
	slow_index_base
	local backend mig_pid
	start_until_building
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	# The server ends the session mid-build (an administrator, a
	# restart): the index stays, INVALID.
	pg_sql "SELECT pg_terminate_backend($backend)" >/dev/null
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_slow'::regclass")" f "ix_slow is INVALID"
	# DESIGN.md: "an INVALID index left by a failed CONCURRENTLY build
	# is dropped and rebuilt".
	assert_resumed
}

@test "pg: kill -9 inside a revision's transaction: nothing of it stays, the rerun applies it once" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	write_rev 0002 0001 "CREATE TABLE t2 (id integer);
INSERT INTO t2 VALUES (1);
SELECT pg_sleep(2);" "DROP TABLE t2;"
	"$MIGRATE" --url "$PG_URL" upgrade head >up.out 2>up.err </dev/null 3>&- &
	mig_pid=$!
	BG_PIDS+=("$mig_pid")
	poll_sql "SELECT pid FROM pg_stat_activity WHERE application_name =
	    'migrate' AND query LIKE 'SELECT pg_sleep(2)%'" >/dev/null
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	# The backend ends at the end of pg_sleep, rolling back.
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT to_regclass('t2') IS NULL")" t "t2 is absent"
	assert_eq "$(pg_sql "SELECT revision || ' ' || success
	    FROM migrate_history ORDER BY id")" "0001 true" "history"
	run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	assert_eq "$(pg_sql 'SELECT count(*) FROM t2')" 1 "rows in t2"
	assert_eq "$(pg_sql "SELECT revision || ' ' || success
	    FROM migrate_history ORDER BY id")" "0001 true
0002 true" "history"
}

@test "pg: kill -9 after a CONCURRENTLY statement: the rerun resumes after it" {
	write_rev 0001 "" "CREATE TABLE t1 (id integer);
CREATE INDEX CONCURRENTLY ix_t1 ON t1 (id);
SELECT pg_sleep(2);
CREATE TABLE t1b (id integer);" "DROP TABLE t1b; DROP TABLE t1;"
	"$MIGRATE" --url "$PG_URL" upgrade head >up.out 2>up.err </dev/null 3>&- &
	mig_pid=$!
	BG_PIDS+=("$mig_pid")
	poll_sql "SELECT pid FROM pg_stat_activity WHERE application_name =
	    'migrate' AND query LIKE 'SELECT pg_sleep(2)%'" >/dev/null
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	wait_migrate_gone "$PG_URL"
	# Two statements are durably done; the third's transaction is gone.
	assert_eq "$(pg_sql "SELECT concat_ws(' ', revision, success,
	    statements_done, statements_total) FROM migrate_history")" \
	    "0001 f 2 4" "history"
	assert_eq "$(pg_sql 'SELECT count(*) FROM migrate_version')" 0 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT to_regclass('t1b') IS NULL")" t "t1b is absent"
	run --separate-stderr "$MIGRATE" --url "$PG_URL" status
	assert_status 0
	assert_contains "$output" "partial" "status"
	run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	assert_contains "$stderr" "resuming at statement 3 of 4" "rerun stderr"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT to_regclass('t1b') IS NOT NULL")" t "t1b exists"
	assert_eq "$(pg_sql "SELECT concat_ws(' ', revision, success,
	    statements_done, statements_total) FROM migrate_history")" \
	    "0001 t 4 4" "history"
}

# The rerun of a revision that is the slow index alone: done, ix_slow
# valid and alone, and 0002's latest history row its one success.
assert_only_done() {
	run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0002 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT indexrelid::regclass || ' ' || indisvalid
	    FROM pg_index WHERE indrelid = 't'::regclass")" "ix_slow true" \
	    "indexes of t"
	assert_eq "$(pg_sql "SELECT count(*) FILTER (WHERE success) || ' '
	    || (array_agg(success ORDER BY id DESC))[1]
	    FROM migrate_history WHERE revision = '0002'")" "1 true" \
	    "0002's successful history rows, and its latest row's success"
}

@test "pg: kill -9 during a revision that is CREATE INDEX CONCURRENTLY alone: the rerun keeps the finished index" {
	slow_index_base only
	local backend mig_pid
	start_until_building
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_slow'::regclass")" t "ix_slow is valid"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	assert_only_done
}

@test "pg: a revision that is CREATE INDEX CONCURRENTLY alone, cut off: the rerun rebuilds the INVALID index" {
	slow_index_base only
	local backend mig_pid
	start_until_building
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	BG_PIDS=()
	pg_sql "SELECT pg_terminate_backend($backend)" >/dev/null
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_slow'::regclass")" f "ix_slow is INVALID"
	assert_only_done
}

@test "pg: statement_timeout cancels a CREATE INDEX CONCURRENTLY alone: a rerun without it rebuilds the INVALID index" {
	slow_index_base only
	printf '[migrate]\nscript_location = versions\nstatement_timeout = 500ms\n' \
	    >migrate.ini
	run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 1
	assert_contains "$stderr" "SQLSTATE 57014" "stderr"
	assert_eq "$(pg_sql "SELECT indisvalid FROM pg_index
	    WHERE indexrelid = 'ix_slow'::regclass")" f "ix_slow is INVALID"
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	assert_only_done
}

@test "pg: kill -9 during a downgrade's DROP INDEX CONCURRENTLY: the drop finishes alone, the rerun goes on" {
	write_rev 0001 "" "CREATE TABLE t (id integer);
CREATE INDEX CONCURRENTLY ix_t ON t (id);" "DROP INDEX CONCURRENTLY ix_t;
DROP TABLE t;"
	run "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	# Another session uses t: DROP INDEX CONCURRENTLY waits for it.
	PGAPPNAME=holder psql -X -q "$PG_URL" -c "BEGIN" \
	    -c "SELECT count(*) FROM t" -c "SELECT pg_sleep(30)" \
	    </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
	local holder
	holder=$(poll_sql "SELECT pid FROM pg_locks JOIN pg_stat_activity
	    USING (pid) WHERE application_name = 'holder' AND granted
	    AND relation = 't'::regclass")
	"$MIGRATE" --url "$PG_URL" downgrade base >down.out 2>down.err \
	    </dev/null 3>&- &
	mig_pid=$!
	BG_PIDS+=("$mig_pid")
	poll_sql "SELECT pid FROM pg_stat_activity
	    WHERE application_name = 'migrate' AND wait_event_type = 'Lock'
	    AND query LIKE 'DROP INDEX CONCURRENTLY%'" >/dev/null
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	# The other session ends: the orphaned drop goes through.
	pg_sql "SELECT pg_terminate_backend($holder)" >/dev/null
	stop_background
	wait_migrate_gone "$PG_URL"
	assert_eq "$(pg_sql "SELECT to_regclass('ix_t') IS NULL")" t \
	    "ix_t is gone"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	run --separate-stderr "$MIGRATE" --url "$PG_URL" downgrade base
	assert_status 0
	assert_eq "$(pg_sql 'SELECT count(*) FROM migrate_version')" 0 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT to_regclass('t') IS NULL")" t "t is gone"
	assert_eq "$(pg_sql "SELECT count(*) FILTER (WHERE success) || ' '
	    || (array_agg(success ORDER BY id DESC))[1]
	    FROM migrate_history WHERE revision = '0001'
	    AND direction = 'down'")" "1 true" \
	    "0001's successful 'down' rows, and its latest row's success"
}

@test "pg: kill -9 of the lock holder mid-CONCURRENTLY: a waiting migrate takes over and resumes" {
	slow_index_base
	write_rev 0003 0002 "CREATE TABLE t3 (id integer);" "DROP TABLE t3;"
	local backend mig_pid k rc pids=()
	start_until_building
	# Two more wait for the lock the first holds.
	for k in 1 2; do
		"$MIGRATE" --url "$PG_URL" upgrade head >w$k.out 2>w$k.err \
		    </dev/null 3>&- &
		pids+=($!)
		BG_PIDS+=($!)
	done
	poll_sql "SELECT count(*) = 3 FROM pg_stat_activity
	    WHERE application_name = 'migrate'" >/dev/null
	kill -9 "$mig_pid"
	wait "$mig_pid" 2>/dev/null || true
	for k in 1 2; do
		rc=0
		wait "${pids[k - 1]}" || rc=$?
		assert_eq "$rc" 0 "exit status of waiter $k
$(cat w$k.err)"
	done
	BG_PIDS=()
	assert_eq "$(cat w1.err w2.err | grep -c 'resuming at statement 3 of 4')" 1 \
	    "waiters that resumed 0002"
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0003 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT indexrelid::regclass || ' ' || indisvalid
	    FROM pg_index WHERE indrelid = 't'::regclass")" "ix_slow true" \
	    "indexes of t"
	assert_eq "$(pg_sql 'SELECT count(*) FROM u')" 10 "rows in u (once)"
	assert_eq "$(pg_sql "SELECT concat_ws(' ', revision, direction, success,
	    statements_done, statements_total) FROM migrate_history
	    ORDER BY id")" "0001 up t 3 3
0002 up t 4 4
0003 up t 1 1" "history"
}

# --- a failure the server reported is not a cut-off -------------------------
# The rerun's check for a cut-off CONCURRENTLY statement (a valid index
# kept, a dropped one taken as dropped) must not apply after the statement
# failed outright: then the index of that name is not the revision's work.

@test "pg: CREATE INDEX CONCURRENTLY failing on a taken name fails again on the rerun" {
	write_rev 0001 "" "CREATE TABLE t (a integer, b integer);" "DROP TABLE t;"
	write_rev 0002 0001 "CREATE INDEX CONCURRENTLY ix_a ON t (a);" \
	    "DROP INDEX CONCURRENTLY ix_a;"
	run "$MIGRATE" --url "$PG_URL" upgrade 0001
	assert_status 0
	# Someone made an index of that name, on another column.
	pg_sql "CREATE INDEX ix_a ON t (b)"
	local k
	for k in 1 2; do
		run --separate-stderr "$MIGRATE" --url "$PG_URL" upgrade head
		assert_status 1
		assert_contains "$stderr" "SQLSTATE 42P07" "stderr of run $k"
	done
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT count(*) FROM migrate_history
	    WHERE revision = '0002' AND success")" 0 "0002's successful rows"
}

@test "pg: DROP INDEX CONCURRENTLY of a missing index fails again on the rerun" {
	write_rev 0001 "" "CREATE TABLE t (a integer);
CREATE INDEX CONCURRENTLY ix_a ON t (a);" "DROP INDEX CONCURRENTLY ix_typo;"
	run "$MIGRATE" --url "$PG_URL" upgrade head
	assert_status 0
	local k
	for k in 1 2; do
		run --separate-stderr "$MIGRATE" --url "$PG_URL" downgrade base
		assert_status 1
		assert_contains "$stderr" "SQLSTATE 42704" "stderr of run $k"
	done
	assert_eq "$(pg_sql 'SELECT version_num FROM migrate_version')" 0001 \
	    "version rows"
	assert_eq "$(pg_sql "SELECT to_regclass('ix_a') IS NOT NULL")" t \
	    "ix_a is still there"
}
