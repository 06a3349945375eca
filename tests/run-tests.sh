#!/usr/bin/env bash
# Run the unit tests (Criterion) and the CLI tests (bats), both as TAP, and
# end with one summary line "N passed, N failed[, N skipped]".
#   tests/run-tests.sh [--unit-only|--cli-only] [UNIT_BINARY...]
#
# The CLI tests run in two passes, tallied together:
#   sqlite       every tests/cli/*.bats but pg_*.bats, MIGRATE_TEST_DIALECT=sqlite
#   postgresql   the dialect-aware files ($dialect_files) again with
#                MIGRATE_TEST_DIALECT=postgresql (each test on a fresh
#                database of the throwaway cluster), then the pg_*.bats
#                files, which are PostgreSQL's alone and run only here
# The sqlite pass and the dialect-aware files' postgresql run go side by
# side (none of their tests measures time closely); pg_*.bats, whose lock
# and kill tests do, run after them, alone.
# A failing test is printed with its pass: "sqlite: not ok 12 ...".
# Without a PostgreSQL server the postgresql pass is left out (said on
# stderr) and pg_*.bats run in the sqlite pass, where they skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=all
case "${1:-}" in
--unit-only) mode=unit; shift ;;
--cli-only) mode=cli; shift ;;
esac

passed=0 failed=0 skipped=0
logs=$(mktemp -d)
log=$logs/log
trap 'rm -rf "$logs"' EXIT

tally() { # $1: label; reads TAP on stdin
	local label=$1 line
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			failed=$((failed + 1))
			printf '%s: %s\n' "$label" "$line" ;;
		"ok "*"# skip"*|"ok "*"# SKIP"*)
			skipped=$((skipped + 1)) ;;
		"ok "*)
			passed=$((passed + 1)) ;;
		"#"*|"TAP version"*|[0-9]*..[0-9]*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

if [ "$mode" != cli ]; then
	for bin in "$@"; do
		name=$(basename "$bin")
		# Criterion prints TAP on stdout with --tap=-; crashes show up
		# as "not ok" lines, and a binary that dies early as a failure.
		if ! "$bin" --tap=- >"$log" 2>&1; then
			grep -q '^not ok' "$log" ||
			    { failed=$((failed + 1)); echo "$name: exited non-zero"; }
		fi
		tally "$name" <"$log"
	done
fi

if [ "$mode" != unit ]; then
	: "${MIGRATE:=$here/../migrate}"
	export MIGRATE
	# One throwaway PostgreSQL cluster for the whole CLI run; each test
	# makes its own database in it. Stopped on every way out.
	pg_ok=0
	if [ -n "${MIGRATE_TEST_PG_DIR:-}" ]; then
		pg_ok=1	# the caller's (tests/helpers/pg.sh with ...)
	else
		if "$here/helpers/pg.sh" available >/dev/null 2>&1; then
			MIGRATE_TEST_PG_DIR=$(mktemp -d /tmp/migrate-pg.XXXXXX)
			trap 'rm -rf "$logs"; "$here/helpers/pg.sh" stop "$MIGRATE_TEST_PG_DIR" >/dev/null 2>&1' EXIT
			if MIGRATE_TEST_PG_URL=$("$here/helpers/pg.sh" start "$MIGRATE_TEST_PG_DIR"); then
				export MIGRATE_TEST_PG_DIR MIGRATE_TEST_PG_URL
				pg_ok=1
			else
				echo "run-tests: cannot start PostgreSQL" >&2
				failed=$((failed + 1))
			fi
		else
			echo "run-tests: no PostgreSQL server installed: its tests are skipped, and the postgresql pass left out" >&2
		fi
	fi
	# The files whose tests run on both dialects (helpers.bash's switch);
	# the others (lock.bats: SQLite's lock file; cache.bats: no database;
	# backup.bats: SQLite's VACUUM INTO copy) are SQLite's alone.
	dialect_files="help commands bad_input example graph offline ddl snapshot test"
	sqlite_files='' pg_dialect_files='' pg_only_files=''
	for f in "$here"/cli/*.bats; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .bats)
		case $name in
		pg_*)
			if [ "$pg_ok" = 1 ]; then
				pg_only_files+=" $f"
			else
				sqlite_files+=" $f"
			fi
			continue ;;
		esac
		sqlite_files+=" $f"
		case " $dialect_files " in
		*" $name "*)
			[ "$pg_ok" = 0 ] || pg_dialect_files+=" $f" ;;
		esac
	done
	: >"$logs/sqlite"
	: >"$logs/postgresql"
	if [ -n "$sqlite_files" ]; then
		# shellcheck disable=SC2086
		MIGRATE_TEST_DIALECT=sqlite bats --tap $sqlite_files \
		    >"$logs/sqlite" 2>&1 &
	fi
	if [ -n "$pg_dialect_files" ]; then
		# shellcheck disable=SC2086
		MIGRATE_TEST_DIALECT=postgresql bats --tap $pg_dialect_files \
		    >"$logs/postgresql" 2>&1 &
	fi
	wait
	tally sqlite <"$logs/sqlite"
	tally postgresql <"$logs/postgresql"
	if [ -n "$pg_only_files" ]; then
		# shellcheck disable=SC2086
		MIGRATE_TEST_DIALECT=postgresql bats --tap $pg_only_files \
		    >"$log" 2>&1
		tally postgresql <"$log"
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
