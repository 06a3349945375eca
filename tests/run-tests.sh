#!/usr/bin/env bash
# Run the unit tests (Criterion) and the CLI tests (bats), both as TAP, and
# end with one summary line "N passed, N failed[, N skipped]".
#   tests/run-tests.sh [--unit-only|--cli-only] [UNIT_BINARY...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=all
case "${1:-}" in
--unit-only) mode=unit; shift ;;
--cli-only) mode=cli; shift ;;
esac

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

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
	if [ -z "${MIGRATE_TEST_PG_DIR:-}" ]; then
		if "$here/helpers/pg.sh" available >/dev/null 2>&1; then
			MIGRATE_TEST_PG_DIR=$(mktemp -d /tmp/migrate-pg.XXXXXX)
			trap 'rm -f "$log"; "$here/helpers/pg.sh" stop "$MIGRATE_TEST_PG_DIR" >/dev/null 2>&1' EXIT
			if MIGRATE_TEST_PG_URL=$("$here/helpers/pg.sh" start "$MIGRATE_TEST_PG_DIR"); then
				export MIGRATE_TEST_PG_DIR MIGRATE_TEST_PG_URL
			else
				echo "run-tests: cannot start PostgreSQL" >&2
				failed=$((failed + 1))
			fi
		else
			echo "run-tests: no PostgreSQL server installed: its tests are skipped" >&2
		fi
	fi
	files=$(ls "$here"/cli/*.bats 2>/dev/null)
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086
		bats --tap $files >"$log" 2>&1
		tally bats <"$log"
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
