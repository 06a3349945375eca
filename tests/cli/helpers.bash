# Shared helpers for the CLI tests (bats 1.8).
#
# Every test runs in its own `mktemp -d` directory holding a migrate.ini
# (script_location = versions, url = the test's database) and an empty
# versions/, with MIGRATE_CACHE_DIR beside it; teardown removes both.
# Load with `load helpers`. The binary is $MIGRATE (default: ./migrate at
# the top of the repository).
#
# The dialect: MIGRATE_TEST_DIALECT=sqlite (the default) or postgresql.
#   sqlite       the database is app.db in the test's directory
#   postgresql   each test gets a fresh, empty database of its own in a
#                throwaway cluster (the one of `make test`, or one started
#                for the file by setup_file), dropped by teardown
# tests/run-tests.sh runs the dialect-aware files once per dialect.
#
#   is_sqlite, is_pg     true under that dialect
#   only_sqlite REASON   skip the test under postgresql (REASON says why)
#   db_url               the test's database URL (sqlite:///app.db or PG_URL)
#   other_db_url NAME    the URL of a second database NAME of the test
#                        (sqlite:///NAME.db; on PostgreSQL a new database)
#   other_db_used NAME   true when something was written to that database
#   db_url_with_name DBNAME
#                        the test's URL naming database DBNAME instead (a
#                        ${VAR} reference in DBNAME stays as it is)
#   mig ARGS...          run $MIGRATE with stdout in $output, stderr in
#                        $stderr and the exit status in $status
#   write_ini [LINE...]  rewrite migrate.ini, appending LINEs to [migrate]
#   write_rev [-f FILE] [-m MSG] [-l LABELS] [-d DEPENDS] ID DOWN UP [DOWNSQL]
#                        write a revision file (default versions/ID_slug.sql)
#   chain N              revisions 0001..N, each creating table tI
#   db_sql SQL           run SQL on the test's database (sqlite3, or psql
#                        -X -A -t), rows one a line, columns split by '|'
#   db_state             the whole database as text (`sqlite3 app.db .dump`,
#                        or pg_state's catalog dump with every row), or
#                        "<no database>" when nothing was ever written to it
#   assert_no_database   nothing was created: no app.db file, no schema,
#                        relation, function or type in the PostgreSQL one
#   version_rows         SELECT version_num FROM migrate_version
#   history_rows         "revision direction success" per migrate_history
#                        row, success as 1 or 0 on both dialects
#   user_tables (db_tables)
#                        tables other than the dialect's and migrate's own
#   has_table NAME
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

# --- the dialect ------------------------------------------------------------
DIALECT=${MIGRATE_TEST_DIALECT:-sqlite}
case $DIALECT in
sqlite|postgresql) ;;
*)
	printf 'helpers.bash: MIGRATE_TEST_DIALECT must be sqlite or postgresql, not "%s"\n' \
	    "$DIALECT" >&2
	return 1 ;;
esac

is_sqlite() { [ "$DIALECT" = sqlite ]; }
is_pg() { [ "$DIALECT" = postgresql ]; }

only_sqlite() { # REASON
	is_sqlite || skip "SQLite only: $1"
}

# A file's own setup_file/teardown_file (defined after `load helpers`)
# replace these; under postgresql they start a cluster for the file unless
# make test's is there (MIGRATE_TEST_PG_DIR).
setup_file() {
	if is_pg; then pg_setup_file; fi
}

teardown_file() {
	if is_pg; then pg_teardown_file; fi
}

# The test's database: nothing to do for SQLite (app.db appears when
# migrate writes it); under postgresql a fresh database, PG_URL and PG_DB.
# A file with its own setup calls it after make_test_dir.
db_setup() {
	if is_pg; then
		pg_setup
		PG_DB=${PG_URL#postgresql:///}
		PG_DB=${PG_DB%%\?*}
	fi
}

setup() {
	make_test_dir
	db_setup
	write_ini
	mkdir versions
}

teardown() {
	stop_background
	cd / && rm -rf "$TEST_ROOT"
	# In the background (it takes a while, and nothing waits for it),
	# holding none of bats' descriptors.
	if is_pg && [ -n "${PG_DB:-}" ]; then
		pg_dropdbs "$PG_DB" </dev/null >/dev/null 2>&1 3>&- &
	fi
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
		printf 'url = %s\n' "$(db_url)"
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

db_url() {
	if is_pg; then
		printf '%s\n' "$PG_URL"
	else
		printf '%s\n' 'sqlite:///app.db'
	fi
}

db_url_with_name() { # DBNAME
	if is_pg; then
		printf 'postgresql:///%s?%s\n' "$1" "${PG_URL#*\?}"
	else
		printf 'sqlite:///%s.db\n' "$1"
	fi
}

other_db_url() { # NAME
	if is_pg; then
		"$PG_SH" createdb "$PG_DIR" "${PG_DB}_$1"
	else
		printf 'sqlite:///%s.db\n' "$1"
	fi
}

other_db_used() { # NAME
	if is_pg; then
		[ "$(PG_URL=$(db_url_with_name "${PG_DB}_$1") pg_sql \
		    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" != 0 ]
	else
		[ -s "$1.db" ]
	fi
}

db_sql() { # SQL
	if is_pg; then
		pg_sql "$1"
	else
		sqlite3 app.db "$1"
	fi
}

db_state() {
	if is_pg; then
		pg_state
	elif [ -s app.db ]; then
		sqlite3 app.db .dump
	else
		# An empty file is what SQLite leaves when it opened a
		# database and wrote nothing: the same as no database at all.
		echo '<no database>'
	fi
}

assert_no_database() {
	if is_pg; then
		assert_eq "$(pg_state)" "<no database>" "database"
	else
		[ ! -e app.db ] || fail "app.db created" "$(ls -A)"
	fi
}

version_rows() {
	db_sql 'SELECT version_num FROM migrate_version ORDER BY 1'
}

# success is boolean on PostgreSQL (t/f), an integer on SQLite (1/0).
history_rows() {
	db_sql "SELECT revision, direction, CASE WHEN success THEN 1 ELSE 0 END
	    FROM migrate_history ORDER BY id" | tr '|' ' '
}

user_tables() {
	if is_pg; then
		pg_sql "SELECT tablename FROM pg_tables
		    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
		    AND tablename NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY tablename"
	else
		sqlite3 app.db "SELECT name FROM sqlite_master
		    WHERE type = 'table' AND name NOT LIKE 'sqlite%'
		    AND name NOT IN ('migrate_version', 'migrate_history')
		    ORDER BY name"
	fi | tr '\n' ' ' | sed 's/ $//'
}

db_tables() { user_tables; }

has_table() {
	if is_pg; then
		[ "$(pg_sql "SELECT count(*) FROM pg_tables
		    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
		    AND tablename = '$1'")" = 1 ]
	else
		[ "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master
		    WHERE type = 'table' AND name = '$1'")" = 1 ]
	fi
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

# --- PostgreSQL as the tests' dialect (MIGRATE_TEST_DIALECT=postgresql) ----

# The database as text, for "untouched" checks, from the catalogs in one
# psql run: "<no database>" while no schema, relation, function or type of
# its own exists (a fresh database, as an absent app.db is for SQLite),
# else its schemas, relations, columns, constraints, indexes, views,
# triggers, functions, types, sequence values and every table's rows.
pg_state() {
	"${PG_PSQL:-psql}" -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_URL" <<'SQL'
CREATE TEMP VIEW mig_ns AS
  SELECT oid, nspname FROM pg_namespace
   WHERE nspname NOT IN ('pg_catalog', 'information_schema')
     AND nspname NOT LIKE 'pg\_%';
SELECT '<no database>'
 WHERE NOT EXISTS (SELECT 1 FROM mig_ns WHERE nspname <> 'public')
   AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace IN (SELECT oid FROM mig_ns))
   AND NOT EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace IN (SELECT oid FROM mig_ns))
   AND NOT EXISTS (SELECT 1 FROM pg_type WHERE typnamespace IN (SELECT oid FROM mig_ns));
SELECT 'schema ' || quote_ident(nspname) FROM mig_ns
 WHERE nspname <> 'public' ORDER BY 1;
SELECT format('relation %s %I.%I', c.relkind, n.nspname, c.relname)
  FROM pg_class c JOIN mig_ns n ON n.oid = c.relnamespace ORDER BY 1;
SELECT format('column %I.%I %s %s%s%s%s', n.nspname, c.relname, a.attnum,
       quote_ident(a.attname), ' ' || format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
       ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid))
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN mig_ns n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
 ORDER BY n.nspname, c.relname, a.attnum;
SELECT format('constraint %s %s %s', conrelid::regclass, quote_ident(conname),
       pg_get_constraintdef(oid))
  FROM pg_constraint WHERE connamespace IN (SELECT oid FROM mig_ns) ORDER BY 1;
SELECT 'index ' || pg_get_indexdef(indexrelid) || CASE WHEN indisvalid THEN '' ELSE ' INVALID' END
  FROM pg_index WHERE indrelid IN
       (SELECT oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM mig_ns))
 ORDER BY 1;
SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
  FROM pg_class c WHERE c.relkind IN ('v', 'm')
   AND c.relnamespace IN (SELECT oid FROM mig_ns) ORDER BY 1;
SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger
 WHERE NOT tgisinternal AND tgrelid IN
       (SELECT oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM mig_ns))
 ORDER BY 1;
SELECT 'function ' || pg_get_functiondef(oid) FROM pg_proc
 WHERE pronamespace IN (SELECT oid FROM mig_ns) AND prokind IN ('f', 'p')
 ORDER BY 1;
SELECT format('type %s %s', oid::regtype, typtype) FROM pg_type
 WHERE typnamespace IN (SELECT oid FROM mig_ns) AND typrelid = 0
   AND typcategory <> 'A' ORDER BY 1;
SELECT format('enum %s %s', enumtypid::regtype, enumlabel) FROM pg_enum
 WHERE enumtypid IN (SELECT oid FROM pg_type WHERE typnamespace IN (SELECT oid FROM mig_ns))
 ORDER BY enumtypid::regtype::text, enumsortorder;
SELECT format('sequence %I.%I %s', schemaname, sequencename, last_value)
  FROM pg_sequences WHERE schemaname IN (SELECT nspname FROM mig_ns) ORDER BY 1;
SELECT format('SELECT %L || mig_row::text FROM %I.%I mig_row ORDER BY mig_row::text',
       format('row %I.%I ', n.nspname, c.relname), n.nspname, c.relname)
  FROM pg_class c JOIN mig_ns n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') ORDER BY n.nspname, c.relname
\gexec
SQL
}

# Drop the test's database and the other databases it made (NAME_*), in
# one psql run (\gexec runs each DROP outside a transaction block).
pg_dropdbs() { # NAME
	"${PG_PSQL:-psql}" -X -q -A -t -d "$(db_url_with_name postgres)" \
	    >/dev/null 2>&1 <<SQL
SET client_min_messages = warning;
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname)
  FROM pg_database
 WHERE datname = '$1' OR left(datname, length('$1') + 1) = '$1_'
\gexec
SQL
}

# --- PostgreSQL -------------------------------------------------------------
# make test (tests/run-tests.sh) starts one throwaway cluster and exports
# MIGRATE_TEST_PG_DIR; pg_setup gives each test a fresh database in it and
# sets PG_URL. Run alone (bats tests/cli/pg_x.bats), a file starts its own
# cluster through pg_setup_file / pg_teardown_file. PG_PSQL and PG_DUMP are
# the server's own client programs when there are some (Debian's
# /usr/bin/psql is a Perl wrapper that costs ~70 ms a call).
PG_SH=$BATS_TEST_DIRNAME/../helpers/pg.sh

pg_setup_file() {
	local bindir
	if bindir=$("$PG_SH" available 2>/dev/null); then
		[ ! -x "$bindir/psql" ] || export PG_PSQL=$bindir/psql
		[ ! -x "$bindir/pg_dump" ] || export PG_DUMP=$bindir/pg_dump
	fi
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
	"${PG_PSQL:-psql}" -X -q -A -t -v ON_ERROR_STOP=1 "$PG_URL" -c "$1"
}
