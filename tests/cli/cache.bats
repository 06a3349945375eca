#!/usr/bin/env bats
# The header cache (core/revcache.c) must never serve a stale header.

setup() {
	MIGRATE=${MIGRATE:-$BATS_TEST_DIRNAME/../../migrate}
	work=$(mktemp -d)
	export MIGRATE_CACHE_DIR="$work/cache"
	cd "$work"
	mkdir versions
	printf '[migrate]\nscript_location = versions\nurl = sqlite:///app.db\n' >migrate.ini
	for i in 1 2 3; do
		down=""
		[ "$i" -gt 1 ] && down="000$((i - 1))"
		cat >"versions/000${i}_r${i}.sql" <<SQL
-- revision: 000$i
-- down_revision: $down
-- message: message $i

-- migrate:upgrade
CREATE TABLE t$i (id integer);

-- migrate:downgrade
DROP TABLE t$i;
SQL
	done
	# Age the files past the racy window so that the cache trusts them.
	touch -d '1 hour ago' versions/*.sql
}

teardown() {
	rm -rf "$work"
}

@test "cache: a second scan is served from the cache file" {
	run "$MIGRATE" heads
	[ "$status" -eq 0 ]
	[ "$output" = "0003 (head)" ]
	ls "$MIGRATE_CACHE_DIR"/revcache-* >/dev/null
	run "$MIGRATE" heads
	[ "$output" = "0003 (head)" ]
}

@test "cache: an edited header is read again" {
	"$MIGRATE" heads >/dev/null
	sed -i 's/message: message 2/message: edited two/' versions/0002_r2.sql
	touch -d '1 hour ago' versions/0002_r2.sql
	run "$MIGRATE" history
	[ "$status" -eq 0 ]
	[[ "$output" == *"0001 -> 0002, edited two"* ]]
}

@test "cache: a same-size edit that rewires the graph is seen" {
	"$MIGRATE" heads >/dev/null
	# 0003 becomes a second root: same length, same (faked) mtime.
	sed -i 's/^-- down_revision: 0002$/-- down_revision:     /' versions/0003_r3.sql
	touch -d '1 hour ago' versions/0003_r3.sql
	run "$MIGRATE" heads
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0002 (head)\n0003 (head)')" ]
}

@test "cache: a broken file is reported even after a clean cached scan" {
	"$MIGRATE" heads >/dev/null
	printf 'garbage\n' >versions/0002_r2.sql
	run "$MIGRATE" heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"versions/0002_r2.sql:1:1: missing header"* ]]
}

@test "cache: MIGRATE_CACHE_DIR empty turns it off" {
	MIGRATE_CACHE_DIR= run "$MIGRATE" heads
	[ "$status" -eq 0 ]
	[ ! -e "$work/cache" ]
}
