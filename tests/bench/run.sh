#!/usr/bin/env bash
# Benchmarks for migrate (run by `make bench`).
#
#   1. `migrate heads` over 10,000 linear revisions: median wall time
#      (hyperfine if installed, else a date +%s%N loop) and peak RSS
#      (GNU /usr/bin/time -f %M; else tests/bench/maxrss.c, compiled on the
#      fly, which reads wait4's ru_maxrss; else python3 getrusage, biased
#      high by python's own RSS -- see maxrss.c).
#      Targets: < 50 ms, < 30 MiB.
#   2. `migrate upgrade head` of 1,000 revisions (transaction = all) on a
#      fresh SQLite file against the floor: the sqlite3 shell running the
#      same statements in one BEGIN ... COMMIT on a fresh file, plus a
#      version table created and written once.  Runs alternate between the
#      two (and an informational "floor + bookkeeping" script that also
#      writes migrate's history rows and per-revision version updates);
#      medians are compared.  Target: ratio <= 1.5.
#   3. Planning `upgrade heads` over a branched graph (gen_graph.py: 10,000
#      revisions, 100 branch points, 90 merges, labels and depends_on,
#      random hex ids): the pure resolve + plan, timed inside
#      build/bench/plan_bench (median of 20; target < 50 ms), and the
#      whole commands `migrate heads` and `migrate upgrade heads` on a
#      SQLite database already at the heads (nothing to do: scan, graph,
#      connect, read the rows, resolve, plan), medians of wall time.
#   4. `migrate test` on SQLite: the example project, and 25, 50, 100
#      generated revisions (per-revision cost at 100 over 25: 1.00 =
#      linear). No target.
#   5. PostgreSQL (tests/bench/pg.sh, on a throwaway cluster of its own):
#      upgrade head / downgrade base of 1,000 revisions against a psql
#      floor (targets: ratio <= 1.3), and `migrate current` (< 20 ms).
#      Its figures join the summary.  BENCH_PG_* knobs: see pg.sh.
#
# Benchmarks report, they don't fail the build: the exit status is 0 unless
# the benchmark itself cannot run (no migrate binary, generator failure).
# A figure that misses its target is marked FAIL.
#
# Environment knobs (defaults in brackets):
#   MIGRATE             the binary [../../migrate relative to this script]
#   BENCH_HEADS_REVS    revisions for the heads benchmark [10000]
#   BENCH_HEADS_RUNS    timed runs of heads [20, at least 10]
#   BENCH_UPGRADE_REVS  revisions for the upgrade benchmark [1000]
#   BENCH_UPGRADE_RUNS  timed runs of each upgrade variant [11, at least 5]
#   BENCH_GRAPH_REVS    revisions of the branched graph [10000]
#   BENCH_GRAPH_BRANCHES branch points of the branched graph [100]
#   PLAN_BENCH          the plan_bench binary [build/bench/plan_bench]
#   BENCH_KEEP=1        keep the temporary directory

set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIGRATE=${MIGRATE:-$here/../../migrate}
HEADS_REVS=${BENCH_HEADS_REVS:-10000}
HEADS_RUNS=${BENCH_HEADS_RUNS:-20}
UP_REVS=${BENCH_UPGRADE_REVS:-1000}
UP_RUNS=${BENCH_UPGRADE_RUNS:-11}
((HEADS_RUNS < 10)) && HEADS_RUNS=10
((UP_RUNS < 5)) && UP_RUNS=5

GRAPH_REVS=${BENCH_GRAPH_REVS:-10000}
GRAPH_BRANCHES=${BENCH_GRAPH_BRANCHES:-100}
PLAN_BENCH=${PLAN_BENCH:-$here/../../build/bench/plan_bench}
PLAN_MS_TARGET=50
HEADS_MS_TARGET=50
HEADS_RSS_MIB_TARGET=30
RATIO_TARGET=1.5

die() { echo "bench: $*" >&2; exit 2; }

[ -x "$MIGRATE" ] || die "no executable migrate at '$MIGRATE' (run make)"
command -v python3 >/dev/null || die "python3 is needed for gen.py"
have_sqlite3=0
command -v sqlite3 >/dev/null && have_sqlite3=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench.XXXXXX") || die "mktemp failed"
if [ "${BENCH_KEEP:-0}" = 1 ]; then
	echo "bench: keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# Benchmark a private copy: a concurrent `make` relinking ./migrate in the
# middle of a run would otherwise make runs fail or mix two builds.
cp "$MIGRATE" "$tmp/migrate" || die "cannot copy $MIGRATE"
echo "bench: $MIGRATE ($(date -r "$MIGRATE" '+%F %T'))"
MIGRATE=$tmp/migrate

# ---------------------------------------------------------------- helpers

now_ns() { date +%s%N; }

# median of the numbers on stdin (one a line)
median() {
	sort -g | awk '{ a[NR] = $1 }
	    END { if (NR == 0) print "nan";
		  else if (NR % 2) print a[(NR + 1) / 2];
		  else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# verdict VALUE OP TARGET -> PASS / FAIL (OP is "<" or "<=")
verdict() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
	    if (v == "nan" || v == "") { print "FAIL"; exit }
	    ok = (op == "<") ? (v + 0 < t + 0) : (v + 0 <= t + 0)
	    print ok ? "PASS" : "FAIL" }'
}

# fmt VALUE PRINTF-FORMAT [UNIT]: "n/a" for a missing figure
fmt() { awk -v v="$1" -v f="$2" -v u="${3:-}" 'BEGIN { if (v == "nan" || v == "") print "n/a"; else printf f u, v }'; }

# peak_rss_kib CMD ARGS... : peak resident set of one run, in KiB
if /usr/bin/time -f %M true >/dev/null 2>&1; then
	gnu_time=1
	rss_tool="GNU time -f %M"
	peak_rss_kib() {
		/usr/bin/time -o "$tmp/rss.out" -f %M "$@" >/dev/null 2>&1 ||
			{ echo nan; return; }
		tail -n 1 "$tmp/rss.out"
	}
elif ${CC:-cc} -O2 -o "$tmp/maxrss" "$here/maxrss.c" 2>"$tmp/cc.err"; then
	# GNU time missing: a 50-line fork/exec/wait4 helper does the same.
	gnu_time=0
	rss_tool="maxrss.c (wait4 ru_maxrss)"
	peak_rss_kib() { "$tmp/maxrss" "$@"; }
else
	# Last resort.  Biased high: Linux counts the pre-exec high-water mark
	# of the forked python3 process (~10-15 MiB) in the child's ru_maxrss.
	gnu_time=0
	rss_tool="python3 getrusage(RUSAGE_CHILDREN), an UPPER BOUND: includes python3's own RSS"
	peak_rss_kib() {
		python3 - "$@" <<-'EOF'
		import resource, subprocess, sys
		r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
		                   stderr=subprocess.DEVNULL)
		# Linux reports ru_maxrss in KiB
		print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
		      if r.returncode == 0 else "nan")
		EOF
	}
fi

# ------------------------------------------------ 1. heads over 10k revs

echo "== heads over $HEADS_REVS revisions"
hdir=$tmp/heads
t0=$(now_ns)
python3 "$here/gen.py" "$hdir" "$HEADS_REVS" || die "gen.py failed"
echo "   generated in $(( ($(now_ns) - t0) / 1000000 )) ms"
cd "$hdir" || die "cd $hdir"

heads_ms=nan heads_rss_mib=nan heads_note=""
want_head=$(printf '%05d' "$HEADS_REVS")
if ! out=$("$MIGRATE" heads 2>&1); then
	heads_note="migrate heads failed: $(echo "$out" | head -n 3)"
elif [[ "$out" != *"$want_head"* ]]; then
	heads_note="unexpected heads output: $(echo "$out" | head -n 3)"
else
	if command -v hyperfine >/dev/null 2>&1; then
		heads_tool="hyperfine"
		qm=$(printf '%q' "$MIGRATE")
		if hyperfine -N --style none --warmup 3 --runs "$HEADS_RUNS" \
		    --export-json "$tmp/heads.json" "$qm heads" >"$tmp/hf.out" 2>&1
		then
			read -r heads_ms heads_cpu_ms < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["median"] * 1000, (r["user"] + r["system"]) * 1000)' "$tmp/heads.json")
		else
			heads_note="hyperfine failed: $(tail -n 3 "$tmp/hf.out")"
		fi
	else
		heads_tool="date +%s%N loop"
		for _ in 1 2 3; do "$MIGRATE" heads >/dev/null 2>&1; done
		for ((i = 0; i < HEADS_RUNS; i++)); do
			s=$(now_ns)
			"$MIGRATE" heads >/dev/null 2>&1
			e=$(now_ns)
			echo $(( e - s ))
		done >"$tmp/heads.ns"
		heads_ms=$(median <"$tmp/heads.ns" | awk '{ print $1 / 1e6 }')
	fi
	# Peak RSS: the largest of three runs.
	max=0
	for _ in 1 2 3; do
		k=$(peak_rss_kib "$MIGRATE" heads)
		[ "$k" = nan ] && { max=nan; break; }
		((k > max)) && max=$k
	done
	[ "$max" != nan ] && heads_rss_mib=$(awk -v k="$max" 'BEGIN { print k / 1024 }')
fi
cd "$tmp" || die "cd $tmp"
rm -rf "$hdir"		# 10k files; free them before the I/O benchmark

heads_ms_v=$(verdict "$heads_ms" "<" "$HEADS_MS_TARGET")
heads_rss_v=$(verdict "$heads_rss_mib" "<" "$HEADS_RSS_MIB_TARGET")
[ -n "$heads_note" ] && echo "   ERROR: $heads_note"
printf 'heads over %d revisions: %s median (target < %d ms) %s, peak RSS %s (target < %d MiB) %s\n' \
    "$HEADS_REVS" "$(fmt "$heads_ms" %.1f " ms")" "$HEADS_MS_TARGET" "$heads_ms_v" \
    "$(fmt "$heads_rss_mib" %.1f " MiB")" "$HEADS_RSS_MIB_TARGET" "$heads_rss_v"
echo "   (${heads_tool:-no timing}, $HEADS_RUNS runs; RSS via $rss_tool, max of 3 runs)"
[ -n "${heads_cpu_ms:-}" ] &&
	echo "   info: CPU (user+sys) $(fmt "$heads_cpu_ms" %.1f) ms mean per run; load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

# --------------------------------------- 2. upgrade head vs sqlite3 floor

echo
echo "== upgrade head of $UP_REVS revisions (transaction = all) vs sqlite3 floor"
udir=$tmp/upgrade
python3 "$here/gen.py" "$udir" "$UP_REVS" --sql "$udir/floor.sql" \
    --sql-full "$udir/floor-full.sql" || die "gen.py failed"
cd "$udir" || die "cd $udir"
want_head=$(printf '%05d' "$UP_REVS")

fresh() { rm -f bench.db bench.db-journal bench.db-wal bench.db-shm bench.db.lock \
	floor.db floor.db-journal full.db full.db-journal; }

# With GNU time, every variant runs under it alike (it adds one fork+exec
# to each side) so that CPU time (user+sys) is recorded too: on a busy
# machine wall time swings with the load, CPU time much less.
timed() {
	if ((gnu_time)); then
		/usr/bin/time -o "$tmp/cpu.out" -f '%U %S' "$@"
	else
		"$@"
	fi
}

# run_variant NAME : one timed run on a fresh file; prints "WALL_NS CPU_MS"
# (CPU_MS is nan without GNU time), or "err"
run_variant() {
	local s e rc cpu=nan
	fresh
	case $1 in
	migrate)
		s=$(now_ns); timed "$MIGRATE" upgrade head >"$tmp/up.out" 2>&1; rc=$?; e=$(now_ns) ;;
	floor)
		s=$(now_ns); timed sqlite3 -bail floor.db <floor.sql >"$tmp/up.out" 2>&1; rc=$?; e=$(now_ns) ;;
	full)
		s=$(now_ns); timed sqlite3 -bail full.db <floor-full.sql >"$tmp/up.out" 2>&1; rc=$?; e=$(now_ns) ;;
	esac
	if ((rc != 0)); then echo err; return; fi
	((gnu_time)) && cpu=$(tail -n 1 "$tmp/cpu.out" | awk '{ print ($1 + $2) * 1000 }')
	echo "$(( e - s )) $cpu"
}

up_ms=nan floor_ms=nan full_ms=nan ratio=nan full_ratio=nan up_note=""
up_cpu=nan floor_cpu=nan full_cpu=nan cpu_ratio=nan paired_ratio=nan
if ((!have_sqlite3)); then
	up_note="sqlite3 shell not found; no floor to compare against"
fi

# Sanity run (also warms the page cache): migrate must reach the head.
r=$(run_variant migrate)
if [ "$r" = err ]; then
	up_note="migrate upgrade head failed: $(head -n 3 "$tmp/up.out")"
elif [ "$(sqlite3 bench.db 'SELECT version_num FROM migrate_version' 2>/dev/null)" != "$want_head" ] &&
     ((have_sqlite3)); then
	up_note="migrate upgrade head did not reach $want_head"
fi

if [ -z "$up_note" ]; then
	# warm-up of the floors, and a check that they apply cleanly
	for v in floor full; do
		[ "$(run_variant $v)" = err ] &&
			up_note="sqlite3 $v script failed: $(head -n 3 "$tmp/up.out")"
	done
fi

if [ -z "$up_note" ]; then
	: >"$tmp/migrate.ns"; : >"$tmp/floor.ns"; : >"$tmp/full.ns"
	for ((i = 0; i < UP_RUNS; i++)); do
		# alternate, and rotate who goes first each round
		case $((i % 3)) in
		0) order="migrate floor full" ;;
		1) order="floor full migrate" ;;
		2) order="full migrate floor" ;;
		esac
		for v in $order; do
			r=$(run_variant "$v")
			[ "$r" = err ] && { up_note="$v run $i failed"; break 2; }
			echo "$r" >>"$tmp/$v.ns"
		done
		last() { tail -n 1 "$tmp/$1.ns" | awk '{ printf "%.0f (cpu %.0f)", $1 / 1e6, $2 }'; }
		printf '   round %d/%d, ms: migrate %s, floor %s, floor+bookkeeping %s\n' \
		    $((i + 1)) "$UP_RUNS" "$(last migrate)" "$(last floor)" "$(last full)"
	done
fi
if [ -z "$up_note" ]; then
	col() { awk -v c="$2" '{ print $c }' "$tmp/$1.ns" | median; }
	div() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "nan" || b == "nan" || b == 0) ? "nan" : a / b }'; }
	up_ms=$(col migrate 1 | awk '{ print $1 / 1e6 }')
	floor_ms=$(col floor 1 | awk '{ print $1 / 1e6 }')
	full_ms=$(col full 1 | awk '{ print $1 / 1e6 }')
	ratio=$(div "$up_ms" "$floor_ms")
	full_ratio=$(div "$up_ms" "$full_ms")
	# per-round ratios: both sides of a round see about the same load
	paired_ratio=$(paste "$tmp/migrate.ns" "$tmp/floor.ns" |
	    awk '{ print $1 / $3 }' | median)
	if ((gnu_time)); then
		up_cpu=$(col migrate 2) floor_cpu=$(col floor 2) full_cpu=$(col full 2)
		cpu_ratio=$(div "$up_cpu" "$floor_cpu")
	fi
fi
cd "$tmp" || die "cd $tmp"
ratio_v=$(verdict "$ratio" "<=" "$RATIO_TARGET")
[ -n "$up_note" ] && echo "   ERROR: $up_note"
printf 'upgrade head over %d revisions: migrate %s ms, sqlite3 floor %s ms median of %d each, ratio %s (target <= %s) %s\n' \
    "$UP_REVS" "$(fmt "$up_ms" %.0f)" "$(fmt "$floor_ms" %.0f)" "$UP_RUNS" \
    "$(fmt "$ratio" %.2f x)" "$RATIO_TARGET" "$ratio_v"
echo "   floor = sqlite3 shell, one BEGIN..COMMIT: the $((2 * UP_REVS)) upgrade statements,"
echo "   CREATE TABLE migrate_version and one INSERT of the head; fresh file each run,"
echo "   default journal_mode/synchronous on both sides."
echo "   info: floor + bookkeeping (also migrate_history table, $UP_REVS history rows and"
echo "   per-revision version-row writes, as migrate records them): $(fmt "$full_ms" %.0f " ms"),"
echo "   migrate / that = $(fmt "$full_ratio" %.2f x) (no target)"
echo "   info: median of the per-round migrate / floor wall ratios: $(fmt "$paired_ratio" %.2f x)"
echo "   info: CPU (user+sys) medians: migrate $(fmt "$up_cpu" %.0f " ms"), floor $(fmt "$floor_cpu" %.0f " ms"),"
echo "   floor + bookkeeping $(fmt "$full_cpu" %.0f " ms"); migrate / floor CPU = $(fmt "$cpu_ratio" %.2f x);" \
     "load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

# ------------------------------ 3. planning upgrade heads, branched graph

echo
echo "== plan 'upgrade heads' over $GRAPH_REVS revisions, $GRAPH_BRANCHES branches"
gdir=$tmp/graph
plan_ms=nan plan_half_ms=nan build_ms=nan gheads_ms=nan gup_ms=nan graph_note=""
python3 "$here/gen_graph.py" "$gdir" "$GRAPH_REVS" "$GRAPH_BRANCHES" ||
	die "gen_graph.py failed"
# wall_ms RUNS CMD...: median wall time of RUNS runs (after one warm-up)
wall_ms() {
	local runs=$1 i t; shift
	"$@" >/dev/null 2>&1 || { echo nan; return; }
	for ((i = 0; i < runs; i++)); do
		t=$(now_ns)
		"$@" >/dev/null 2>&1 || { echo nan; return; }
		echo $(( $(now_ns) - t ))
	done | median | awk '{ print ($1 == "nan") ? "nan" : $1 / 1e6 }'
}
if [ ! -x "$PLAN_BENCH" ]; then
	graph_note="no plan_bench at $PLAN_BENCH (make bench builds it)"
else
	"$PLAN_BENCH" "$gdir" 20 >"$tmp/plan.out" 2>&1 ||
		graph_note="plan_bench failed: $(head -n 3 "$tmp/plan.out")"
	val() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/plan.out"; }
	plan_ms=$(val plan_from_base_ms) plan_half_ms=$(val plan_from_half_ms)
	build_ms=$(val graph_build_ms)
	echo "   resolve + plan from base: $(fmt "$plan_ms" %.2f " ms") ($(val plan_from_base_steps) steps);" \
	    "from half way ($(val half_rows) rows): $(fmt "$plan_half_ms" %.2f " ms") ($(val plan_from_half_steps) steps);" \
	    "graph build: $(fmt "$build_ms" %.2f " ms")"
fi
cd "$gdir" || die "cd $gdir"
if "$MIGRATE" -q -c migrate.ini upgrade heads >"$tmp/gup.out" 2>&1; then
	gheads_ms=$(wall_ms 20 "$MIGRATE" heads)
	gup_ms=$(wall_ms 20 "$MIGRATE" upgrade heads)
	echo "   whole command, database at the heads: heads $(fmt "$gheads_ms" %.1f " ms"), upgrade heads $(fmt "$gup_ms" %.1f " ms") (medians of 20)"
else
	graph_note="${graph_note:+$graph_note; }upgrade heads failed: $(head -n 3 "$tmp/gup.out")"
fi
[ -n "$graph_note" ] && echo "   ERROR: $graph_note"
cd "$tmp" || die "cd $tmp"

# ------------------------------------ 4. migrate test on SQLite (scratch)

echo
echo "== migrate test (up, down, up per revision, schema snapshots) on SQLite"
ex_test_ms=nan sq_test_rows=""
exdir=$here/../../examples/shipping
if [ -d "$exdir" ]; then
	ex_test_ms=$(cd "$exdir" && MIGRATE_CACHE_DIR=$tmp/cache wall_ms 5 "$MIGRATE" -q test)
	echo "   the example project ($(ls "$exdir/versions" | grep -c '^[0-9]') revisions, one a C plugin): $(fmt "$ex_test_ms" %.0f " ms") median of 5"
fi
for n in 25 50 100; do
	tproj=$tmp/sqtest$n
	python3 "$here/gen.py" "$tproj" "$n" >/dev/null || die "gen.py failed"
	ms=$(cd "$tproj" && wall_ms 3 "$MIGRATE" -q test)
	printf '   %3d generated revisions: %s, %s per revision\n' "$n" "$(fmt "$ms" %.0f " ms")" \
	    "$(awk -v a="$ms" -v b="$n" 'BEGIN { if (a == "nan") print "n/a"; else printf "%.1f ms", a / b }')"
	sq_test_rows="$sq_test_rows $n:$ms"
done
sq_growth=$(echo "$sq_test_rows" | tr ' ' '\n' | awk -F: 'NF == 2 && $2 != "nan" { per[$1] = $2 / $1 } END { if (per[25] > 0 && per[100] > 0) printf "%.2f", per[100] / per[25]; else print "nan" }')
echo "   per-revision cost at 100 / at 25 revisions: ${sq_growth}x (1.00 = linear)"

# ------------------------------------------------- 5. PostgreSQL (pg.sh)

echo
MIGRATE=$MIGRATE BENCH_PG_SUMMARY="$tmp/pg.summary" "$here/pg.sh" ||
	echo "   ERROR: tests/bench/pg.sh exited with status $?"

# ---------------------------------------------------------------- summary

echo
echo "== summary"
row() { printf '%-44s %14s  %-10s %s\n' "$@"; }
row "benchmark" "measured" "target" "result"
row "--------------------------------------------" "--------------" "----------" "------"
row "heads, $HEADS_REVS revs: wall (median)" "$(fmt "$heads_ms" %.1f " ms")" "< $HEADS_MS_TARGET ms" "$heads_ms_v"
row "heads, $HEADS_REVS revs: peak RSS" "$(fmt "$heads_rss_mib" %.1f " MiB")" "< $HEADS_RSS_MIB_TARGET MiB" "$heads_rss_v"
row "upgrade head, $UP_REVS revs: migrate (median)" "$(fmt "$up_ms" %.0f " ms")" "" ""
row "upgrade head, $UP_REVS revs: sqlite3 floor" "$(fmt "$floor_ms" %.0f " ms")" "" ""
row "upgrade head: migrate / floor" "$(fmt "$ratio" %.2f x)" "<= $RATIO_TARGET" "$ratio_v"
row "info: migrate / floor, per-round median" "$(fmt "$paired_ratio" %.2f x)" "" ""
row "info: migrate / (floor + bookkeeping)" "$(fmt "$full_ratio" %.2f x)" "" ""
row "info: migrate / floor, CPU time" "$(fmt "$cpu_ratio" %.2f x)" "" ""
row "plan upgrade heads, $GRAPH_REVS revs/$GRAPH_BRANCHES br." "$(fmt "$plan_ms" %.2f " ms")" "< $PLAN_MS_TARGET ms" "$(verdict "$plan_ms" "<" "$PLAN_MS_TARGET")"
row "info: same, from half way" "$(fmt "$plan_half_ms" %.2f " ms")" "" ""
row "info: graph build, same graph" "$(fmt "$build_ms" %.2f " ms")" "" ""
row "info: whole 'upgrade heads', at heads" "$(fmt "$gup_ms" %.1f " ms")" "" ""
row "info: whole 'heads', same graph" "$(fmt "$gheads_ms" %.1f " ms")" "" ""
row "migrate test, example project (SQLite)" "$(fmt "$ex_test_ms" %.0f " ms")" "" ""
for r in $sq_test_rows; do
	row "migrate test, ${r%%:*} generated revs (SQLite)" "$(fmt "${r#*:}" %.0f " ms")" "" ""
done
row "info: SQLite migrate test per-rev cost 100/25" "${sq_growth}x" "" ""
if [ -s "$tmp/pg.summary" ]; then
	while IFS='|' read -r a b c d; do
		row "$a" "$b" "$c" "$d"
	done <"$tmp/pg.summary"
else
	row "PostgreSQL (tests/bench/pg.sh)" "n/a" "" "FAIL"
fi
exit 0
