#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (STYLE.md 21): initdb into a
# temporary directory, listen on a private unix socket only, trust auth.
#
#   pg.sh start DIR        initdb into DIR/data (DIR is created if missing),
#                          start the server on the socket DIR/sock, create the
#                          database migrate_test and print its URL (one line):
#                          postgresql:///migrate_test?host=DIR/sock&port=5499&user=migrate
#   pg.sh url DIR          print that URL again
#   pg.sh createdb DIR NAME
#                          (re)create the empty database NAME (dropped first
#                          if it exists, even with sessions open) and print
#                          its URL; NAME is [A-Za-z0-9_][A-Za-z0-9_.-]*
#   pg.sh stop DIR         stop the server (immediate mode) and remove DIR;
#                          exits 0 when DIR or the server is already gone
#   pg.sh with CMD [ARG...]
#                          start a cluster in a new /tmp/migrate-pg.XXXXXX,
#                          run CMD with MIGRATE_TEST_PG_URL and
#                          MIGRATE_TEST_PG_DIR exported, stop the cluster
#                          (also on failure or ^C), exit with CMD's status
#   pg.sh available        print the server's bin directory, or exit 1
#
# Only stdout carries the URL; messages go to stderr as "pg.sh: error: ...".
# As root, initdb, pg_ctl and postgres run as the `postgres` system user,
# DIR is chowned to it, and every parent of DIR must be traversable by it:
# use `mktemp -d /tmp/migrate-pg.XXXXXX` (not $BATS_RUN_TMPDIR, which is
# mode 700, nor a long path: the socket path must fit in 107 bytes).
# Otherwise everything runs as the current user. Either way the URL's user
# is `migrate`, the cluster's bootstrap superuser (initdb -U migrate).
# The system cluster that `apt-get install postgresql` may start on port
# 5432 is never touched: this server has no TCP port, only DIR/sock.
#
# Environment: MIGRATE_TEST_PG_PORT (default 5499; the socket is private, so
# parallel clusters may share it), MIGRATE_TEST_PG_TIMEOUT (seconds to wait
# for the server, default 30), MIGRATE_TEST_PG_BINDIR (default: the highest
# /usr/lib/postgresql/*/bin with initdb, then `pg_config --bindir`, then
# PATH). PG* variables (PGHOST, PGDATA, ...) are ignored by this script.
#
# bats, one cluster per file and one database per test (reusing the
# cluster of `make test` when there is one):
#
#   PG_SH=$BATS_TEST_DIRNAME/../helpers/pg.sh
#   setup_file() {
#       if [ -n "${MIGRATE_TEST_PG_DIR:-}" ]; then
#           export PG_DIR=$MIGRATE_TEST_PG_DIR
#       elif ! "$PG_SH" available >/dev/null; then
#           export PG_MISSING=1   # bats 1.8 cannot skip in setup_file
#       else
#           PG_DIR=$(mktemp -d /tmp/migrate-pg.XXXXXX)
#           export PG_DIR PG_OWNED=1
#           "$PG_SH" start "$PG_DIR" >/dev/null
#       fi
#   }
#   teardown_file() {
#       [ -z "${PG_OWNED:-}" ] || "$PG_SH" stop "$PG_DIR"
#   }
#   setup() {
#       [ -z "${PG_MISSING:-}" ] || skip "PostgreSQL server not installed"
#       PG_URL=$("$PG_SH" createdb "$PG_DIR" "t$BATS_SUITE_TEST_NUMBER")
#   }
#
# The server closes every inherited descriptor above 2 (bats' fd 3
# included), so it never keeps bats or a $(...) waiting.
#
# make test, one cluster for the whole run, stopped even when tests fail:
#
#   test check: migrate unit-bins
#   	@tests/check-src.sh
#   	@MIGRATE=$(CURDIR)/migrate tests/helpers/pg.sh with tests/run-tests.sh $(UNIT_BIN)
#
# or, spelled out in a recipe (sh; the EXIT trap also runs after ^C):
#
#   	@d=$$(mktemp -d /tmp/migrate-pg.XXXXXX) || exit 1; \
#   	trap 'tests/helpers/pg.sh stop "$$d"' EXIT; trap 'exit 130' INT TERM; \
#   	u=$$(tests/helpers/pg.sh start "$$d") || exit 1; \
#   	MIGRATE_TEST_PG_DIR=$$d MIGRATE_TEST_PG_URL=$$u \
#   	MIGRATE=$(CURDIR)/migrate tests/run-tests.sh $(UNIT_BIN)

set -euo pipefail

prog=pg.sh
self=$0
case $self in
*/*) [[ $self == /* ]] || self=$PWD/$self ;;
esac
default_db=migrate_test
role=migrate
marker=.migrate-pg    # in DIR: the port; proves DIR is ours before rm -rf
port=${MIGRATE_TEST_PG_PORT:-5499}
timeout=${MIGRATE_TEST_PG_TIMEOUT:-30}
run_as=               # the user that owns the cluster, when we are root

die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

usage() {
	cat >&2 <<EOF
usage: $prog start DIR
       $prog url DIR
       $prog createdb DIR NAME
       $prog stop DIR
       $prog with CMD [ARG...]
       $prog available
EOF
	exit 2
}

# The URL says host, port, user and database; nothing else may leak in.
unset_pg_env() {
	local v
	for v in $(compgen -e); do
		case $v in
		PG*) unset "$v" ;;
		esac
	done
}

# The server binaries: the highest /usr/lib/postgresql/N/bin with initdb
# (Debian's pg_config may be the client-only one), else pg_config, else PATH.
find_bindir() {
	local d v best='' bestv=''
	if [ -n "${MIGRATE_TEST_PG_BINDIR:-}" ]; then
		[ -x "$MIGRATE_TEST_PG_BINDIR/initdb" ] ||
		    { note "MIGRATE_TEST_PG_BINDIR=$MIGRATE_TEST_PG_BINDIR has no initdb"; return 1; }
		printf '%s\n' "$MIGRATE_TEST_PG_BINDIR"
		return 0
	fi
	for d in /usr/lib/postgresql/*/bin; do
		{ [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; } || continue
		v=${d#/usr/lib/postgresql/}
		v=${v%/bin}
		if [ -z "$best" ] ||
		    [ "$(printf '%s\n%s\n' "$bestv" "$v" | sort -V | tail -n 1)" = "$v" ]; then
			best=$d bestv=$v
		fi
	done
	if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null) || d=
		[ -n "$d" ] && [ -x "$d/initdb" ] && best=$d
	fi
	if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
		d=$(command -v initdb)
		best=${d%/*}
	fi
	[ -n "$best" ] || return 1
	printf '%s\n' "$best"
}

need_bindir() {
	bindir=$(find_bindir) ||
	    die "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; on Debian: apt-get install postgresql"
}

# A client from the same installation when there is one.
client() { # $1: psql or pg_isready
	if [ -n "${bindir:-}" ] && [ -x "$bindir/$1" ]; then
		printf '%s\n' "$bindir/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	else
		die "$1 not found"
	fi
}

# Run a server program as the cluster's owner (postgres refuses root).
as_owner() {
	if [ -n "$run_as" ]; then
		runuser -u "$run_as" -- "$@"
	else
		"$@"
	fi
}

# Close every descriptor above 2: a daemon holding bats' fd 3 or the pipe
# of a $(...) would keep the caller waiting for ever. 255 is bash's own.
close_fds() {
	local f n
	for f in /proc/"$BASHPID"/fd/*; do
		n=${f##*/}
		case $n in
		0|1|2|255|*[!0-9]*) continue ;;
		esac
		eval "exec $n>&-" 2>/dev/null || true
	done
}

# DIR as an absolute physical path, without control characters (it goes
# into postgresql.conf and a URL).
abs_dir() { # $1: an existing directory
	local d
	d=$(cd -- "$1" 2>/dev/null && pwd -P) || die "cannot enter directory $1"
	[[ $d != *[[:cntrl:]]* ]] || die "directory name has control characters: $1"
	printf '%s\n' "$d"
}

# Percent-encode everything but unreserved characters and '/'.
urlencode() {
	local LC_ALL=C s=$1 out='' c i n
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~/-]) out+=$c ;;
		*) printf -v n '%d' "'$c"; printf -v c '%%%02X' $((n & 255)); out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

make_url() { # $1: DIR, $2: database, $3: port
	printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' \
	    "$(urlencode "$2")" "$(urlencode "$1/sock")" "$3" "$role"
}

read_port() { # $1: DIR made by start
	local p
	[ -f "$1/$marker" ] || die "no cluster in $1 (run '$prog start $1' first)"
	p=$(<"$1/$marker")
	[[ $p =~ ^[0-9]+$ ]] || die "$1/$marker is corrupt"
	printf '%s\n' "$p"
}

# Processes of the cluster in DATA: postgres processes whose working
# directory is DATA (the postmaster and every child chdir there).
cluster_pids() { # $1: DATA
	local p cwd exe
	for p in /proc/[0-9]*; do
		cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
		[ "$cwd" = "$1" ] || continue
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in
		*/postgres|*/postmaster) printf '%s ' "${p#/proc/}" ;;
		esac
	done
}

# Stop the cluster in DIR, if any: pg_ctl stop -m immediate, then SIGKILL
# for whatever is left. Returns only when no process of it remains.
kill_cluster() { # $1: DIR
	local data=$1/data pids i owner
	[ -d "$data" ] || return 0
	if [ "$(id -u)" -eq 0 ]; then
		owner=$(stat -c %U -- "$data")
		[ "$owner" = root ] || run_as=$owner
	fi
	if [ -f "$data/postmaster.pid" ] && bindir=$(find_bindir 2>/dev/null); then
		as_owner "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 10 -s \
		    </dev/null >/dev/null 2>&1 || true
	fi
	for ((i = 0; i < 100; i++)); do
		pids=$(cluster_pids "$data")
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.1
	done
	die "processes of the cluster in $data survive SIGKILL: $pids"
}

cmd_start() { # $1: DIR
	local dir=$1 sock conf sockfile deadline isready psql
	{ [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ]; } ||
	    die "MIGRATE_TEST_PG_PORT must be a port number, not '$port'"
	{ [[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -ge 1 ]; } ||
	    die "MIGRATE_TEST_PG_TIMEOUT must be a number of seconds, not '$timeout'"
	need_bindir
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    die "running as root, but there is no 'postgres' user to run the server as"
		run_as=postgres
	fi
	mkdir -p -- "$dir" || die "cannot create $dir"
	dir=$(abs_dir "$dir")
	[ ! -e "$dir/data" ] ||
	    die "$dir/data already exists: a cluster is there (run '$prog stop $dir' first)"
	sock=$dir/sock
	sockfile=$sock/.s.PGSQL.$port
	[ "${#sockfile}" -le 107 ] ||
	    die "socket path $sockfile is ${#sockfile} bytes, the limit is 107: use a shorter DIR (mktemp -d /tmp/migrate-pg.XXXXXX)"
	printf '%s\n' "$port" >"$dir/$marker"
	mkdir -p -- "$sock"
	chmod 700 -- "$sock"
	if [ -n "$run_as" ]; then
		chown -R -- "$run_as": "$dir"
		runuser -u "$run_as" -- test -w "$dir" -a -x "$dir" ||
		    die "user $run_as cannot use $dir: a parent directory is closed to it (use mktemp -d /tmp/migrate-pg.XXXXXX)"
	fi
	cd -- "$dir"

	# From here on, a failure stops whatever was started, and shows why.
	start_dir=$dir
	trap 'start_failed "$start_dir"' EXIT

	as_owner "$bindir/initdb" -D "$dir/data" -U "$role" --auth=trust \
	    --no-locale -E UTF8 --no-sync </dev/null >"$dir/initdb.log" 2>&1 ||
	    { cat -- "$dir/initdb.log" >&2; die "initdb failed (log above, in $dir/initdb.log)"; }

	conf=$dir/data/postgresql.conf
	{
		printf '\n# tests/helpers/pg.sh: a private, fast, disposable server\n'
		printf "listen_addresses = ''\n"
		printf 'port = %s\n' "$port"
		printf "unix_socket_directories = '%s'\n" "${sock//\'/\'\'}"
		printf 'max_connections = 100\n'
		printf 'fsync = off\n'
		printf 'full_page_writes = off\n'
		printf 'synchronous_commit = off\n'
		printf "cluster_name = 'migrate-test'\n"
	} >>"$conf"

	# pg_ctl -w waits for "ready to accept connections" in postmaster.pid.
	(
		close_fds
		as_owner "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" \
		    -w -t "$timeout" -s </dev/null >>"$dir/pg_ctl.log" 2>&1
	) || die "pg_ctl start failed: the server exited, or was not ready within ${timeout}s"

	isready=$(client pg_isready)
	deadline=$((SECONDS + timeout))
	until "$isready" -q -h "$sock" -p "$port" -U "$role" -d postgres; do
		[ "$SECONDS" -lt "$deadline" ] ||
		    die "the server does not accept connections after ${timeout}s"
		sleep 0.1
	done

	psql=$(client psql)
	"$psql" -X -q -v ON_ERROR_STOP=1 -d "$(make_url "$dir" postgres "$port")" \
	    -c "CREATE DATABASE $default_db" >/dev/null ||
	    die "cannot create database $default_db"

	trap - EXIT
	make_url "$dir" "$default_db" "$port"
}

start_failed() { # $1: DIR; the EXIT trap of start
	local status=$? f
	[ "$status" -ne 0 ] || return 0
	for f in "$1/pg_ctl.log" "$1/postgres.log"; do
		if [ -s "$f" ]; then
			printf '%s: --- %s ---\n' "$prog" "$f" >&2
			cat -- "$f" >&2
		fi
	done
	kill_cluster "$1" || true
	note "start failed; '$prog stop $1' removes $1"
	exit "$status"
}

cmd_stop() { # $1: DIR
	local dir=$1
	[ -e "$dir" ] || return 0
	[ -d "$dir" ] || die "$dir is not a directory"
	dir=$(abs_dir "$dir")
	cd /
	if [ ! -e "$dir/$marker" ]; then
		rmdir -- "$dir" 2>/dev/null && return 0
		die "$dir was not made by '$prog start' (no $marker in it): not removing it"
	fi
	kill_cluster "$dir"
	rm -rf -- "$dir" || die "cannot remove $dir"
}

cmd_url() { # $1: DIR
	local dir
	[ -d "$1" ] || die "no such directory: $1"
	dir=$(abs_dir "$1")
	make_url "$dir" "$default_db" "$(read_port "$dir")"
}

cmd_createdb() { # $1: DIR, $2: NAME
	local dir name=$2 p psql
	[ -d "$1" ] || die "no such directory: $1"
	dir=$(abs_dir "$1")
	p=$(read_port "$dir")
	{ [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] && [ "${#name}" -le 63 ]; } ||
	    die "bad database name '$name': use up to 63 of [A-Za-z0-9_.-]"
	case $name in
	postgres|template0|template1) die "refusing to recreate database $name" ;;
	esac
	bindir=$(find_bindir 2>/dev/null) || bindir=
	psql=$(client psql)
	"$psql" -X -q -v ON_ERROR_STOP=1 -d "$(make_url "$dir" postgres "$p")" \
	    -c 'SET client_min_messages = warning' \
	    -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
	    -c "CREATE DATABASE \"$name\"" >/dev/null ||
	    die "cannot create database $name in the cluster in $dir (is it running?)"
	make_url "$dir" "$name" "$p"
}

cmd_with() { # CMD [ARG...]
	local dir url status=0
	dir=$(mktemp -d /tmp/migrate-pg.XXXXXX) || die "mktemp failed"
	# shellcheck disable=SC2064
	trap "\"\$self\" stop '$dir'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	url=$("$self" start "$dir") || exit 1
	MIGRATE_TEST_PG_URL=$url MIGRATE_TEST_PG_DIR=$dir "$@" || status=$?
	exit "$status"
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
start|stop|url)
	{ [ $# -eq 1 ] && [ -n "$1" ]; } || usage
	unset_pg_env
	"cmd_$command" "$1"
	;;
createdb)
	{ [ $# -eq 2 ] && [ -n "$1" ]; } || usage
	unset_pg_env
	cmd_createdb "$1" "$2"
	;;
with)
	[ $# -ge 1 ] || usage
	cmd_with "$@"
	;;
available)
	[ $# -eq 0 ] || usage
	find_bindir
	;;
-h|--help|help)
	sed -n '2,/^$/s/^# \{0,1\}//p' "$self"
	;;
*)
	usage
	;;
esac
