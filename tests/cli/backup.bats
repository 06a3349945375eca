#!/usr/bin/env bats
# backup = yes: a copy of the database is taken before anything changes.

setup() {
	MIGRATE=${MIGRATE:-$BATS_TEST_DIRNAME/../../migrate}
	work=$(mktemp -d)
	export MIGRATE_CACHE_DIR="$work/cache"
	cd "$work"
	mkdir versions
	printf '[migrate]\nscript_location = versions\nurl = sqlite:///app.db\nbackup = yes\n' >migrate.ini
	for i in 1 2; do
		down=""
		[ "$i" -gt 1 ] && down="000$((i - 1))"
		printf -- '-- revision: 000%s\n-- down_revision: %s\n-- message: m%s\n\n-- migrate:upgrade\nCREATE TABLE t%s (id integer);\nINSERT INTO t%s VALUES (%s);\n\n-- migrate:downgrade\nDROP TABLE t%s;\n' \
		    "$i" "$down" "$i" "$i" "$i" "$i" "$i" >"versions/000${i}_m$i.sql"
	done
}

teardown() {
	rm -rf "$work"
}

@test "backup: the copy holds the state before the upgrade" {
	run "$MIGRATE" upgrade 0001
	[ "$status" -eq 0 ]
	sleep 1	# backups are named by the second
	run "$MIGRATE" upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"Backed up the database to 'app.db.backup-"* ]]
	last=$(ls app.db.backup-* | sort | tail -n 1)
	# The copy is at 0001: t1 but no t2.
	[ "$(sqlite3 "$last" 'SELECT version_num FROM migrate_version')" = 0001 ]
	[ "$(sqlite3 "$last" "SELECT count(*) FROM sqlite_master WHERE name = 't2'")" = 0 ]
	[ "$(sqlite3 app.db 'SELECT version_num FROM migrate_version')" = 0002 ]
}

@test "backup: nothing pending, no backup" {
	"$MIGRATE" -q upgrade head
	n=$(ls app.db.backup-* | wc -l)
	run "$MIGRATE" upgrade head
	[ "$status" -eq 0 ]
	[ "$(ls app.db.backup-* | wc -l)" -eq "$n" ]
}

@test "backup: a downgrade is backed up too" {
	"$MIGRATE" -q upgrade head
	sleep 1
	run "$MIGRATE" downgrade base
	[ "$status" -eq 0 ]
	last=$(ls app.db.backup-* | sort | tail -n 1)
	[ "$(sqlite3 "$last" 'SELECT version_num FROM migrate_version')" = 0002 ]
}
