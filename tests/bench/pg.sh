#!/usr/bin/env bash
# PostgreSQL benchmarks for migrate (called at the end of tests/bench/run.sh,
# or run alone). A throwaway cluster (tests/helpers/pg.sh) is started in a
# new /tmp/migrate-pg.XXXXXX and stopped at the end.
#
#   1. `migrate upgrade head` then `migrate downgrade base` over 1,000
#      linear revisions (each a CREATE TABLE with a primary key and a
#      CREATE INDEX; tests/bench/gen.py), transaction = per-revision,
#      against the floor: `psql -X -q -f` applying the same statements with
#      one transaction per revision plus the version-row write
#      (BEGIN; statements; INSERT/UPDATE/DELETE the version row; COMMIT;),
#      the version table created first; the downgrade likewise (DROP TABLE
#      and the version-row write per revision). Runs alternate between
#      migrate and the floor (who goes first rotates), each on a fresh
#      database (pg.sh createdb, not timed); medians are compared.
#      Targets: migrate / floor <= 1.3, for the upgrade and the downgrade.
#      Informational: "floor + bookkeeping", the floor that also creates
#      the history table and writes one history row per step, as migrate
#      records them.
#   3. `migrate test` (up, down, up per revision with schema snapshots, on
#      a scratch database it creates and drops) over 25, 50 and 100
#      generated revisions: wall time, and the per-revision cost at 100
#      over that at 25 (1.00 = linear growth). No target.
#   2. `migrate current` on an up-to-date database of 1,000 revisions:
#      median wall time (hyperfine -N if installed, else a date +%s%N
#      loop). Target: < 20 ms.
#
# Like run.sh, it reports and does not fail: a missed target is marked
# FAIL; the exit status is 0 unless the benchmark cannot run at all (no
# migrate binary, no python3), and 0 with "skipped" when no PostgreSQL
# server is installed.
#
# Environment knobs (defaults in brackets):
#   MIGRATE                the binary [../../migrate relative to this script]
#   BENCH_PG_REVS          revisions [1000]
#   BENCH_PG_ROUNDS        rounds of upgrade+downgrade per variant [5, >= 3]
#   BENCH_PG_CURRENT_RUNS  timed runs of `migrate current` [30, >= 10]
#   BENCH_PG_SUMMARY=FILE  write the summary rows there instead of printing
#                          them, one a line, fields separated by '|'
#                          (run.sh adds them to its summary)
#   BENCH_KEEP=1           keep the temporary directory (the cluster is
#                          stopped either way)

set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_SH=$here/../helpers/pg.sh
MIGRATE=${MIGRATE:-$here/../../migrate}
REVS=${BENCH_PG_REVS:-1000}
ROUNDS=${BENCH_PG_ROUNDS:-5}
CUR_RUNS=${BENCH_PG_CURRENT_RUNS:-30}
SUMMARY=${BENCH_PG_SUMMARY:-}
((ROUNDS < 3)) && ROUNDS=3
((CUR_RUNS < 10)) && CUR_RUNS=10

RATIO_TARGET=1.3
CURRENT_MS_TARGET=20

die() { echo "bench-pg: $*" >&2; exit 2; }

# summary rows: LABEL MEASURED TARGET RESULT
rows=()
add_row() { rows+=("$1|$2|$3|$4"); }
print_summary() {
	local r label measured target result
	if [ -n "$SUMMARY" ]; then
		printf '%s\n' "${rows[@]}" >"$SUMMARY"
		return
	fi
	echo
	echo "== summary (PostgreSQL)"
	printf '%-44s %14s  %-10s %s\n' "benchmark" "measured" "target" "result"
	printf '%-44s %14s  %-10s %s\n' "--------------------------------------------" \
	    "--------------" "----------" "------"
	for r in "${rows[@]}"; do
		IFS='|' read -r label measured target result <<<"$r"
		printf '%-44s %14s  %-10s %s\n' "$label" "$measured" "$target" "$result"
	done
}

[ -x "$MIGRATE" ] || die "no executable migrate at '$MIGRATE' (run make)"
command -v python3 >/dev/null || die "python3 is needed for gen.py"

echo "== PostgreSQL: upgrade head / downgrade base of $REVS revisions (transaction = per-revision) vs psql floor"
if ! "$PG_SH" available >/dev/null 2>&1 || ! command -v psql >/dev/null; then
	echo "   skipped: no PostgreSQL server installed (apt-get install postgresql)"
	add_row "pg upgrade head, $REVS revs: migrate / floor" "n/a" "<= $RATIO_TARGET" "SKIP"
	add_row "pg downgrade base, $REVS revs: migrate / floor" "n/a" "<= $RATIO_TARGET" "SKIP"
	add_row "pg current, $REVS revs: wall (median)" "n/a" "< $CURRENT_MS_TARGET ms" "SKIP"
	print_summary
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-pg.XXXXXX") || die "mktemp failed"
pgdir=$(mktemp -d /tmp/migrate-pg.XXXXXX) || die "mktemp failed"
cleanup() {
	"$PG_SH" stop "$pgdir" >/dev/null 2>&1
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench-pg: keeping $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy of the binary (a concurrent make may relink ./migrate).
cp "$MIGRATE" "$tmp/migrate" || die "cannot copy $MIGRATE"
echo "bench-pg: $MIGRATE ($(date -r "$MIGRATE" '+%F %T'))"
MIGRATE=$tmp/migrate

t0=$(date +%s%N)
"$PG_SH" start "$pgdir" >/dev/null || die "cannot start a PostgreSQL cluster in $pgdir"
echo "   cluster started in $(( ($(date +%s%N) - t0) / 1000000 )) ms ($("$PG_SH" available))"

# ---------------------------------------------------------------- helpers

now_ns() { date +%s%N; }

median() {
	sort -g | awk '{ a[NR] = $1 }
	    END { if (NR == 0) print "nan";
		  else if (NR % 2) print a[(NR + 1) / 2];
		  else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

verdict() { # VALUE OP TARGET
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
	    if (v == "nan" || v == "") { print "FAIL"; exit }
	    ok = (op == "<") ? (v + 0 < t + 0) : (v + 0 <= t + 0)
	    print ok ? "PASS" : "FAIL" }'
}

fmt() { awk -v v="$1" -v f="$2" -v u="${3:-}" 'BEGIN { if (v == "nan" || v == "") print "n/a"; else printf f u, v }'; }

div() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) ? "nan" : a / b }'; }

psql_q() { # URL SQL
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}

# ------------------------------------------------------ the revisions

proj=$tmp/proj
python3 "$here/gen.py" "$proj" "$REVS" || die "gen.py failed"
printf '[migrate]\nscript_location = versions\ntransaction = per-revision\n' \
    >"$proj/migrate.ini"
head_id=$(printf '%05d' "$REVS")

# The floors, from the same statements gen.py writes (its upgrade_sql()):
# up.sql / down.sql, and with bookkeeping up-full.sql / down-full.sql.
awk -v n="$REVS" -v dir="$tmp" 'BEGIN {
	vddl = "CREATE TABLE IF NOT EXISTS migrate_version (\n" \
	    "    version_num varchar(64) NOT NULL PRIMARY KEY\n);\n"
	hddl = "CREATE TABLE IF NOT EXISTS migrate_history (\n" \
	    "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n" \
	    "    revision varchar(64) NOT NULL,\n" \
	    "    direction varchar(8) NOT NULL,\n" \
	    "    checksum char(64),\n" \
	    "    applied_at timestamptz NOT NULL,\n" \
	    "    applied_by text,\n" \
	    "    duration_ms bigint,\n" \
	    "    statements_done integer,\n" \
	    "    statements_total integer,\n" \
	    "    success boolean NOT NULL\n);\n"
	sum = "0000000000000000000000000000000000000000000000000000000000000000"
	up = dir "/up.sql"; upf = dir "/up-full.sql"
	dn = dir "/down.sql"; dnf = dir "/down-full.sql"
	printf "%s", vddl >up
	printf "BEGIN;\n%s%sCOMMIT;\n", vddl, hddl >upf
	for (i = 1; i <= n; i++) {
		id = sprintf("%05d", i); prev = sprintf("%05d", i - 1)
		stmts = sprintf("CREATE TABLE t%s (id integer primary key, v text);\n" \
		    "CREATE INDEX ix_t%s_v ON t%s (v);\n", id, id, id)
		if (i == 1)
			v = sprintf("INSERT INTO migrate_version (version_num) VALUES (\047%s\047);\n", id)
		else
			v = sprintf("UPDATE migrate_version SET version_num = \047%s\047 WHERE version_num = \047%s\047;\n", id, prev)
		h = sprintf("INSERT INTO migrate_history (revision, direction, checksum, applied_at, applied_by, duration_ms, statements_done, statements_total, success) VALUES (\047%s\047, \047up\047, \047%s\047, now(), \047bench@localhost\047, 0, 2, 2, TRUE);\n", id, sum)
		printf "BEGIN;\n%s%sCOMMIT;\n", stmts, v >up
		printf "BEGIN;\n%s%s%sCOMMIT;\n", stmts, v, h >upf
	}
	for (i = n; i >= 1; i--) {
		id = sprintf("%05d", i); prev = sprintf("%05d", i - 1)
		stmts = sprintf("DROP TABLE t%s;\n", id)
		if (i == 1)
			v = sprintf("DELETE FROM migrate_version WHERE version_num = \047%s\047;\n", id)
		else
			v = sprintf("UPDATE migrate_version SET version_num = \047%s\047 WHERE version_num = \047%s\047;\n", prev, id)
		h = sprintf("INSERT INTO migrate_history (revision, direction, checksum, applied_at, applied_by, duration_ms, statements_done, statements_total, success) VALUES (\047%s\047, \047down\047, \047%s\047, now(), \047bench@localhost\047, 0, 1, 1, TRUE);\n", id, sum)
		printf "BEGIN;\n%s%sCOMMIT;\n", stmts, v >dn
		printf "BEGIN;\n%s%s%sCOMMIT;\n", stmts, v, h >dnf
	}
}' || die "cannot write the floor scripts"

# ------------------------------------------------------------ the runs

# run_pair VARIANT : on a fresh database, time the upgrade then the
# downgrade; append the wall times (ns) to $tmp/VARIANT.up / .down.
# Sets pair_err and returns 1 when a run fails or ends in the wrong state.
run_pair() {
	local v=$1 url s e rc tables ver
	url=$("$PG_SH" createdb "$pgdir" "bench_$v") || { pair_err="createdb failed"; return 1; }
	case $v in
	migrate)
		s=$(now_ns); (cd "$proj" && "$MIGRATE" -q --url "$url" upgrade head) >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	floor)
		s=$(now_ns); psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$tmp/up.sql" >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	full)
		s=$(now_ns); psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$tmp/up-full.sql" >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	esac
	((rc == 0)) || { pair_err="$v upgrade failed: $(head -n 3 "$tmp/run.out")"; return 1; }
	ver=$(psql_q "$url" "SELECT string_agg(version_num, ',') FROM migrate_version")
	tables=$(psql_q "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+\$'")
	[ "$ver" = "$head_id" ] && [ "$tables" = "$REVS" ] ||
	    { pair_err="$v upgrade ended at version '$ver' with $tables tables"; return 1; }
	echo $((e - s)) >>"$tmp/$v.up"
	if [ "$v" = migrate ] && [ -z "${current_url:-}" ]; then
		# Time `migrate current` on this up-to-date database, once.
		bench_current "$url"
	fi
	case $v in
	migrate)
		s=$(now_ns); (cd "$proj" && "$MIGRATE" -q --url "$url" downgrade base) >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	floor)
		s=$(now_ns); psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$tmp/down.sql" >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	full)
		s=$(now_ns); psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$tmp/down-full.sql" >"$tmp/run.out" 2>&1; rc=$?; e=$(now_ns) ;;
	esac
	((rc == 0)) || { pair_err="$v downgrade failed: $(head -n 3 "$tmp/run.out")"; return 1; }
	ver=$(psql_q "$url" "SELECT count(*) FROM migrate_version")
	tables=$(psql_q "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+\$'")
	[ "$ver" = 0 ] && [ "$tables" = 0 ] ||
	    { pair_err="$v downgrade left $ver version rows and $tables tables"; return 1; }
	echo $((e - s)) >>"$tmp/$v.down"
}

# `migrate current` on the up-to-date database at URL; for scale, also
# `migrate --version` (the start of the process alone: the dynamic loader
# and libpq's shared-library dependencies, no database, no files).
cur_ms=nan cur_cpu=nan ver_ms=nan cur_note="" cur_tool=""
bench_current() { # URL
	local url=$1 out i s e want="$head_id (head)"
	current_url=$url
	out=$(cd "$proj" && "$MIGRATE" --url "$url" current 2>&1)
	if [ "$out" != "$want" ]; then
		cur_note="migrate current printed '$(echo "$out" | head -n 3)', expected '$want'"
		return 0
	fi
	if command -v hyperfine >/dev/null 2>&1; then
		cur_tool=hyperfine
		if (cd "$proj" && hyperfine -N --style none --warmup 3 \
		    --runs "$CUR_RUNS" --export-json "$tmp/current.json" \
		    "$(printf '%q --url %q current' "$MIGRATE" "$url")" \
		    "$(printf '%q --version' "$MIGRATE")") \
		    >"$tmp/hf.out" 2>&1; then
			read -r cur_ms cur_cpu ver_ms < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"] * 1000, (r[0]["user"] + r[0]["system"]) * 1000,
      r[1]["median"] * 1000)' "$tmp/current.json")
		else
			cur_note="hyperfine failed: $(tail -n 3 "$tmp/hf.out")"
		fi
	else
		cur_tool="date +%s%N loop"
		for _ in 1 2 3; do (cd "$proj" && "$MIGRATE" --url "$url" current) >/dev/null 2>&1; done
		for ((i = 0; i < CUR_RUNS; i++)); do
			s=$(now_ns)
			(cd "$proj" && exec "$MIGRATE" --url "$url" current) >/dev/null 2>&1
			e=$(now_ns)
			echo $((e - s))
		done >"$tmp/current.ns"
		cur_ms=$(median <"$tmp/current.ns" | awk '{ print $1 / 1e6 }')
		for ((i = 0; i < CUR_RUNS; i++)); do
			s=$(now_ns)
			"$MIGRATE" --version >/dev/null 2>&1
			e=$(now_ns)
			echo $((e - s))
		done >"$tmp/version.ns"
		ver_ms=$(median <"$tmp/version.ns" | awk '{ print $1 / 1e6 }')
	fi
}

note=""
: >"$tmp/migrate.up"; : >"$tmp/migrate.down"
: >"$tmp/floor.up"; : >"$tmp/floor.down"
: >"$tmp/full.up"; : >"$tmp/full.down"
ms_of() { awk '{ printf "%.0f", $1 / 1e6 }'; }
for ((i = 0; i < ROUNDS; i++)); do
	case $((i % 3)) in
	0) order="migrate floor full" ;;
	1) order="floor full migrate" ;;
	2) order="full migrate floor" ;;
	esac
	for v in $order; do
		if ! run_pair "$v"; then
			note="round $((i + 1)): $pair_err"
			break 2
		fi
	done
	printf '   round %d/%d, ms (up / down): migrate %s / %s, floor %s / %s, floor+bookkeeping %s / %s\n' \
	    $((i + 1)) "$ROUNDS" \
	    "$(tail -n 1 "$tmp/migrate.up" | ms_of)" "$(tail -n 1 "$tmp/migrate.down" | ms_of)" \
	    "$(tail -n 1 "$tmp/floor.up" | ms_of)" "$(tail -n 1 "$tmp/floor.down" | ms_of)" \
	    "$(tail -n 1 "$tmp/full.up" | ms_of)" "$(tail -n 1 "$tmp/full.down" | ms_of)"
done

up_ms=nan down_ms=nan fup_ms=nan fdown_ms=nan xup_ms=nan xdown_ms=nan
up_ratio=nan down_ratio=nan up_paired=nan down_paired=nan xup_ratio=nan xdown_ratio=nan
if [ -z "$note" ]; then
	med() { median <"$tmp/$1" | awk '{ print $1 / 1e6 }'; }
	up_ms=$(med migrate.up) down_ms=$(med migrate.down)
	fup_ms=$(med floor.up) fdown_ms=$(med floor.down)
	xup_ms=$(med full.up) xdown_ms=$(med full.down)
	up_ratio=$(div "$up_ms" "$fup_ms")
	down_ratio=$(div "$down_ms" "$fdown_ms")
	xup_ratio=$(div "$up_ms" "$xup_ms")
	xdown_ratio=$(div "$down_ms" "$xdown_ms")
	paired() { paste "$tmp/migrate.$1" "$tmp/floor.$1" | awk '{ print $1 / $2 }' | median; }
	up_paired=$(paired up) down_paired=$(paired down)
fi
up_v=$(verdict "$up_ratio" "<=" "$RATIO_TARGET")
down_v=$(verdict "$down_ratio" "<=" "$RATIO_TARGET")
[ -n "$note" ] && echo "   ERROR: $note"
printf 'pg upgrade head over %d revisions: migrate %s ms, psql floor %s ms, median of %d each, ratio %s (target <= %s) %s\n' \
    "$REVS" "$(fmt "$up_ms" %.0f)" "$(fmt "$fup_ms" %.0f)" "$ROUNDS" \
    "$(fmt "$up_ratio" %.2f x)" "$RATIO_TARGET" "$up_v"
printf 'pg downgrade base over %d revisions: migrate %s ms, psql floor %s ms, median of %d each, ratio %s (target <= %s) %s\n' \
    "$REVS" "$(fmt "$down_ms" %.0f)" "$(fmt "$fdown_ms" %.0f)" "$ROUNDS" \
    "$(fmt "$down_ratio" %.2f x)" "$RATIO_TARGET" "$down_v"
echo "   floor = psql -X -q -f, one BEGIN..COMMIT per revision holding its statements"
echo "   and the version-row INSERT/UPDATE/DELETE (version table created first);"
echo "   fresh database each run (not timed), one throwaway cluster for all runs"
echo "   (fsync = off, unix socket)."
echo "   info: floor + bookkeeping (also the history table and one history row per step):"
echo "   up $(fmt "$xup_ms" %.0f " ms"), down $(fmt "$xdown_ms" %.0f " ms"); migrate / that = up $(fmt "$xup_ratio" %.2f x), down $(fmt "$xdown_ratio" %.2f x) (no target)"
echo "   info: median of the per-round migrate / floor ratios: up $(fmt "$up_paired" %.2f x), down $(fmt "$down_paired" %.2f x);" \
     "load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

echo
echo "== PostgreSQL: migrate current on an up-to-date database of $REVS revisions"
[ -z "${current_url:-}" ] && [ -z "$cur_note" ] && cur_note="no up-to-date database (the upgrade runs failed)"
cur_v=$(verdict "$cur_ms" "<" "$CURRENT_MS_TARGET")
[ -n "$cur_note" ] && echo "   ERROR: $cur_note"
printf 'pg current over %d revisions: %s median (target < %d ms) %s\n' \
    "$REVS" "$(fmt "$cur_ms" %.1f " ms")" "$CURRENT_MS_TARGET" "$cur_v"
echo "   (${cur_tool:-no timing}, $CUR_RUNS runs; load $REVS headers, connect, read the version table)"
echo "   info: CPU (user+sys) $(fmt "$cur_cpu" %.1f " ms") mean per run; \`migrate --version\` (process start alone)" \
     "$(fmt "$ver_ms" %.1f " ms") median; load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

# ------------------------------------ 3. migrate test, growth with revisions
echo
echo "== PostgreSQL: migrate test (up, down, up per revision, schema snapshots)"
test_rows=""
for n in 25 50 100; do
	tproj=$tmp/test$n
	python3 "$here/gen.py" "$tproj" "$n" >/dev/null || { echo "   ERROR: gen.py failed"; break; }
	turl=$("$PG_SH" createdb "$pgdir" "bench_test$n") || { echo "   ERROR: createdb failed"; break; }
	t0=$(now_ns)
	if (cd "$tproj" && "$MIGRATE" -q --url "$turl" test >"$tmp/test$n.out" 2>&1); then
		ms=$(( ($(now_ns) - t0) / 1000000 ))
		printf '   %3d revisions: %6d ms, %.1f ms per revision\n' "$n" "$ms" "$(awk -v a="$ms" -v b="$n" 'BEGIN { print a / b }')"
		test_rows="$test_rows $n:$ms"
	else
		echo "   ERROR: migrate test over $n revisions failed: $(tail -n 3 "$tmp/test$n.out")"
	fi
done
for r in $test_rows; do
	add_row "pg migrate test, ${r%%:*} revs (scratch db)" "${r#*:} ms" "" ""
done
if [ -n "$test_rows" ]; then
	# ms per revision at 100 over ms per revision at 25: 1.0 is linear
	growth=$(echo "$test_rows" | tr ' ' '\n' | awk -F: 'NF == 2 { per[$1] = $2 / $1 } END { if (per[25] > 0 && per[100] > 0) printf "%.2f", per[100] / per[25]; else print "nan" }')
	echo "   per-revision cost at 100 / at 25 revisions: ${growth}x (1.00 = linear)"
	add_row "info: pg migrate test per-rev cost 100/25" "${growth}x" "" ""
fi

add_row "pg upgrade head, $REVS revs: migrate (median)" "$(fmt "$up_ms" %.0f " ms")" "" ""
add_row "pg upgrade head, $REVS revs: psql floor" "$(fmt "$fup_ms" %.0f " ms")" "" ""
add_row "pg upgrade head: migrate / floor" "$(fmt "$up_ratio" %.2f x)" "<= $RATIO_TARGET" "$up_v"
add_row "pg downgrade base, $REVS revs: migrate" "$(fmt "$down_ms" %.0f " ms")" "" ""
add_row "pg downgrade base, $REVS revs: psql floor" "$(fmt "$fdown_ms" %.0f " ms")" "" ""
add_row "pg downgrade base: migrate / floor" "$(fmt "$down_ratio" %.2f x)" "<= $RATIO_TARGET" "$down_v"
add_row "info: pg migrate / (floor + bookkeeping)" "$(fmt "$xup_ratio" %.2f x) / $(fmt "$xdown_ratio" %.2f x)" "" ""
add_row "pg current, $REVS revs: wall (median)" "$(fmt "$cur_ms" %.1f " ms")" "< $CURRENT_MS_TARGET ms" "$cur_v"
add_row "info: migrate --version (process start)" "$(fmt "$ver_ms" %.1f " ms")" "" ""
print_summary
exit 0
