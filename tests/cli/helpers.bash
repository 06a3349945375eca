# Shared helpers for the CLI tests (bats 1.8).
#
# Every test runs in its own `mktemp -d` directory holding a migrate.ini
# (script_location = versions, url = sqlite:///app.db) and an empty
# versions/, with MIGRATE_CACHE_DIR beside it; teardown removes both.
# Load with `load helpers`. The binary is $MIGRATE (default: ./migrate at
# the top of the repository).
#
#   mig ARGS...          run $MIGRATE with stdout in $output, stderr in
#                        $stderr and the exit status in $status
#   write_ini [LINE...]  rewrite migrate.ini, appending LINEs to [migrate]
#   write_rev [-f FILE] [-m MSG] [-l LABELS] [-d DEPENDS] ID DOWN UP [DOWNSQL]
#                        write a revision file (default versions/ID_slug.sql)
#   chain N              revisions 0001..N, each creating table tI
#   db_state             `sqlite3 app.db .dump`, or "<no database>"
#   version_rows         SELECT version_num FROM migrate_version
#   history_rows         "revision direction success" per migrate_history row
#   user_tables          tables other than sqlite_* and the version tables
#   assert_status N, assert_eq, assert_match, assert_contains,
#   refute_contains, assert_stdout, assert_error ERE (one error line
#                        "migrate: error: ERE" plus detail:/hint: lines)
#   locate FILE TEXT     "LINE:COL" of TEXT in FILE, to check error positions

bats_require_minimum_version 1.5.0

MIGRATE=${MIGRATE:-$BATS_TEST_DIRNAME/../../migrate}
# The tests cd into their own directory: a relative path must not break.
case $MIGRATE in
*/*) [[ $MIGRATE == /* ]] || MIGRATE=$PWD/$MIGRATE ;;
esac

# The test's root: the project directory (TEST_DIR, the working directory)
# and, beside it, migrate's header cache, so that no test reads or writes
# the user's cache and the project holds only what the test put there.
make_test_dir() {
	TEST_ROOT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/migrate-cli.XXXXXX")
	TEST_DIR=$TEST_ROOT/project
	mkdir "$TEST_DIR" && cd "$TEST_DIR" || return 1
	export MIGRATE_CACHE_DIR=$TEST_ROOT/cache
	# The environment must not leak into the tests.
	unset MIGRATE_CONFIG DATABASE_URL
	BG_PIDS=()
}

setup() {
	make_test_dir
	write_ini
	mkdir versions
}

teardown() {
	stop_background
	cd / && rm -rf "$TEST_ROOT"
}

# Stop the background processes a test started (their ids are in BG_PIDS),
# and their children (flock's command).
stop_background() {
	local pid child
	for pid in "${BG_PIDS[@]}"; do
		for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
			kill "$child" 2>/dev/null || true
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
}

mig() {
	run --separate-stderr "$MIGRATE" "$@"
}

write_ini() {
	{
		printf '[migrate]\n'
		printf 'script_location = versions\n'
		printf 'url = sqlite:///app.db\n'
		local line
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >migrate.ini
}

slugify() {
	printf '%s' "$1" | tr -cs 'A-Za-z0-9' '_' | tr 'A-Z' 'a-z' |
	    sed 's/^_*//; s/_*$//'
}

write_rev() {
	local OPTIND opt file='' msg='' labels='' depends=''
	while getopts f:m:l:d: opt; do
		case $opt in
		f) file=$OPTARG ;;
		m) msg=$OPTARG ;;
		l) labels=$OPTARG ;;
		d) depends=$OPTARG ;;
		*) return 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	local id=$1 down=$2 up=$3
	[ -n "$msg" ] || msg="rev $id"
	[ -n "$file" ] || file="versions/${id}_$(slugify "$msg").sql"
	{
		printf -- '-- revision: %s\n' "$id"
		printf -- '-- down_revision: %s\n' "$down"
		printf -- '-- branch_labels: %s\n' "$labels"
		printf -- '-- depends_on: %s\n' "$depends"
		printf -- '-- message: %s\n' "$msg"
		printf -- '-- create_date: 2026-11-21 10:00:00\n'
		printf -- '\n-- migrate:upgrade\n%s\n' "$up"
		if [ $# -ge 4 ]; then
			printf -- '\n-- migrate:downgrade\n%s\n' "$4"
		fi
	} >"$file"
}

chain() {
	local i id prev=''
	for ((i = 1; i <= $1; i++)); do
		id=$(printf '%04d' "$i")
		write_rev "$id" "$prev" "CREATE TABLE t$i (id integer);" \
		    "DROP TABLE t$i;"
		prev=$id
	done
}

db_state() {
	# An empty file is what SQLite leaves when it opened a database
	# and wrote nothing: the same as no database at all.
	if [ -s app.db ]; then
		sqlite3 app.db .dump
	else
		echo '<no database>'
	fi
}

version_rows() {
	sqlite3 app.db 'SELECT version_num FROM migrate_version ORDER BY 1'
}

history_rows() {
	sqlite3 -separator ' ' app.db \
	    'SELECT revision, direction, success FROM migrate_history ORDER BY id'
}

user_tables() {
	sqlite3 app.db "SELECT name FROM sqlite_master WHERE type = 'table'
	    AND name NOT LIKE 'sqlite%'
	    AND name NOT IN ('migrate_version', 'migrate_history')
	    ORDER BY name" | tr '\n' ' ' | sed 's/ $//'
}

has_table() {
	[ "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master
	    WHERE type = 'table' AND name = '$1'")" = 1 ]
}

# Assertions: each prints what it saw, so a failure explains itself.

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

show_run() {
	printf 'exit status: %s\n--- stdout\n%s\n--- stderr\n%s\n---\n' \
	    "$status" "$output" "${stderr-}" >&2
}

assert_status() {
	[ "$status" -eq "$1" ] ||
	    { show_run; fail "expected exit status $1, got $status"; }
}

assert_eq() { # ACTUAL EXPECTED [WHAT]
	[ "$1" = "$2" ] ||
	    fail "${3:-value} differs" "expected: <$2>" "actual:   <$1>"
}

assert_match() { # STRING ERE [WHAT]
	[[ $1 =~ $2 ]] ||
	    fail "${3:-value} does not match /$2/" "actual: <$1>"
}

assert_contains() { # HAYSTACK NEEDLE [WHAT]
	[[ $1 == *"$2"* ]] ||
	    fail "${3:-value} does not contain <$2>" "actual: <$1>"
}

refute_contains() { # HAYSTACK NEEDLE [WHAT]
	[[ $1 != *"$2"* ]] ||
	    fail "${3:-value} must not contain <$2>" "actual: <$1>"
}

assert_stdout() { assert_eq "$output" "$1" stdout; }
assert_stdout_contains() { assert_contains "$output" "$1" stdout; }
assert_stderr_contains() { assert_contains "${stderr-}" "$1" stderr; }

# One error, on stderr, of the form "migrate: error: <ERE>", followed only by
# detail:/hint: lines (and a source excerpt "  12 | ..." with its caret),
# after progress lines if any; nothing on stdout.
assert_error() { # ERE
	local line seen=0
	# Every failure returns explicitly: "assert_error ... || fail" runs
	# this function with errexit off.
	[ -z "$output" ] ||
	    { show_run; fail "stdout must be empty on error"; return 1; }
	[ -n "${stderr-}" ] || { show_run; fail "stderr is empty"; return 1; }
	while IFS= read -r line; do
		if [ $seen = 0 ]; then
			case $line in
			"migrate: error: "*) ;;
			*error*)
				show_run
				fail "error before the error line"
				return 1 ;;
			*) continue ;;	# progress
			esac
			[[ $line =~ ^migrate:\ error:\ $1 ]] || {
				show_run
				fail "the error line does not match" \
				    "/^migrate: error: $1/"
				return 1
			}
			seen=1
			continue
		fi
		[[ $line =~ ^(detail|hint):\  || $line =~ ^\ *[0-9]*\ \| ]] || {
			show_run
			fail "unexpected stderr line after the error: <$line>"
			return 1
		}
	done <<<"$stderr"
	[ $seen = 1 ] || { show_run; fail "no 'migrate: error: ' line"; }
}

# A line number and a 1-based column of the first occurrence of TEXT in FILE:
# "LINE:COL".
locate() { # FILE TEXT
	awk -v t="$2" '{ i = index($0, t); if (i) { print NR ":" i; exit } }' "$1"
}

# --- PostgreSQL -------------------------------------------------------------
# make test (tests/run-tests.sh) starts one throwaway cluster and exports
# MIGRATE_TEST_PG_DIR; pg_setup gives each test a fresh database in it and
# sets PG_URL. Run alone (bats tests/cli/pg_x.bats), a file starts its own
# cluster through pg_setup_file / pg_teardown_file.
PG_SH=$BATS_TEST_DIRNAME/../helpers/pg.sh

pg_setup_file() {
	if [ -n "${MIGRATE_TEST_PG_DIR:-}" ]; then
		export PG_DIR=$MIGRATE_TEST_PG_DIR
	elif ! "$PG_SH" available >/dev/null 2>&1; then
		export PG_MISSING=1	# bats 1.8 cannot skip in setup_file
	else
		PG_DIR=$(mktemp -d /tmp/migrate-pg.XXXXXX)
		export PG_DIR PG_OWNED=1
		"$PG_SH" start "$PG_DIR" >/dev/null
	fi
}

pg_teardown_file() {
	[ -z "${PG_OWNED:-}" ] || "$PG_SH" stop "$PG_DIR"
}

# A fresh database for this test: sets PG_URL.
pg_setup() {
	[ -z "${PG_MISSING:-}" ] || skip "PostgreSQL server not installed"
	PG_URL=$("$PG_SH" createdb "$PG_DIR" "t${BATS_SUITE_TEST_NUMBER}_$$")
	export PG_URL
}

# psql against the test's database, quiet, stopping on the first error.
pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$PG_URL" -c "$1"
}
