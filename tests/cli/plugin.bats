#!/usr/bin/env bats
# C plugin revisions without a database: `revision --c`, `migrate compile`
# (core/plugin.c's compiler driver and its shipped directory), and the
# binary's exports. Running plugins is tested in tests/unit/test_plugin.c.

load helpers

# The one C revision of a test: versions/0001_*.c.
c_rev() {
	local f
	for f in versions/0001_*.c; do
		printf '%s\n' "$f"
	done
}

# "mtime inode" of FILE, to tell a rebuilt file from a kept one.
file_id() {
	stat -c '%y %i' "$1"
}

# Replace the body of migrate_upgrade's first statement with TEXT.
set_upgrade() { # FILE TEXT
	sed -i "0,/(void)ctx;/s||$2|" "$1"
}

@test "revision --c writes <id>_<slug>.c from revision.c.tmpl, and its header parses" {
	mig revision --c -m "Backfill users"
	assert_status 0
	assert_stdout "Created versions/0001_backfill_users.c"
	f=versions/0001_backfill_users.c
	assert_eq "$(sed -n 1p "$f")" "/*" "line 1"
	assert_eq "$(sed -n 2p "$f")" " * revision: 0001" "line 2"
	assert_match "$(sed -n 3p "$f")" '^ \* down_revision: *$' "line 3"
	assert_eq "$(sed -n 6p "$f")" " * message: Backfill users" "line 6"
	grep -q '^#include <migrate/plugin.h>$' "$f" || fail "no #include"
	grep -q '^migrate_upgrade(mg_ctx \*ctx)$' "$f" || fail "no upgrade"
	grep -q '^migrate_downgrade(mg_ctx \*ctx)$' "$f" || fail "no downgrade"
	mig history
	assert_status 0
	assert_stdout "<base> -> 0001 (head), Backfill users"
	# The next one, SQL, continues it.
	mig revision -m "then sql"
	assert_status 0
	mig show 0002
	assert_stdout_contains "0001"
}

@test "template = c in migrate.ini makes C revisions the default" {
	write_ini "template = c"
	mig revision -m "from the ini"
	assert_status 0
	assert_stdout "Created versions/0001_from_the_ini.c"
}

@test "revision --c refuses a message that would end the header comment" {
	mig revision --c -m "a */ b"
	assert_status 2
	assert_error "the message of a C revision cannot contain '\*/'"
	assert_eq "$(ls versions)" "" "files"
}

@test "compile builds each C revision into versions/.migrate-plugins, then reuses it" {
	mig revision --c -m "one"
	mig revision -m "sql in between"
	mig revision --c -m "three"
	mig compile
	assert_status 0
	assert_match "$output" "^compiled versions/0001_one\.c -> versions/\.migrate-plugins/0001-[0-9a-f]{16}\.so
compiled versions/0003_three\.c -> versions/\.migrate-plugins/0003-[0-9a-f]{16}\.so$" stdout
	so=$(ls versions/.migrate-plugins/0001-*.so)
	[ "$(ls versions/.migrate-plugins | wc -l)" -eq 2 ] ||
	    fail "$(ls -A versions/.migrate-plugins)"
	nm -D --defined-only "$so" | grep -q ' T migrate_upgrade$' ||
	    fail "no migrate_upgrade in $so"
	before=$(file_id "$so")
	mig compile
	assert_status 0
	assert_stdout_contains "up to date: versions/0001_one.c -> $so"
	assert_eq "$(file_id "$so")" "$before" "the plugin's mtime and inode"
	# The revision scan does not mistake the directory for revisions.
	mig heads
	assert_stdout "0003 (head)"
}

@test "compile rebuilds an edited revision and removes the stale plugin" {
	mig revision --c -m "one"
	mig compile
	old=$(ls versions/.migrate-plugins/)
	set_upgrade "$(c_rev)" "(void)ctx; /* edited */"
	mig compile
	assert_status 0
	assert_stdout_contains "compiled versions/0001_one.c"
	assert_stdout_contains "removed versions/.migrate-plugins/$old"
	new=$(ls versions/.migrate-plugins/)
	[ "$new" != "$old" ] || fail "same name after an edit: $new"
	[ "$(printf '%s\n' "$new" | wc -l)" -eq 1 ] || fail "$new"
}

@test "compile --out DIR writes there" {
	mig revision --c -m "one"
	mig compile --out build/plugins
	assert_status 0
	assert_stdout_contains "-> build/plugins/0001-"
	ls build/plugins/0001-*.so >/dev/null
	[ ! -e versions/.migrate-plugins ] || fail "wrote the default dir too"
}

@test "compile with no C revisions does nothing" {
	write_rev 0001 "" "CREATE TABLE t (id integer);"
	mig compile
	assert_status 0
	assert_stdout ""
	assert_stderr_contains "no C revisions"
	assert_no_database
}

@test "a syntax error exits 2 with the compiler's message and the file name" {
	mig revision --c -m "broken"
	set_upgrade "$(c_rev)" "return 0 }"
	mig compile
	assert_status 2
	assert_eq "$output" "" stdout
	assert_match "$stderr" "^migrate: error: versions/0001_broken\.c: cannot compile plugin" stderr
	assert_stderr_contains "versions/0001_broken.c:"
	assert_stderr_contains "error:"
	assert_stderr_contains "exited with status"
	[ -z "$(ls -A versions/.migrate-plugins 2>/dev/null)" ] ||
	    fail "left files: $(ls -A versions/.migrate-plugins)"
}

@test "CC=false is a clear error" {
	mig revision --c -m "one"
	CC=false mig compile
	assert_status 2
	assert_error "versions/0001_one\.c: cannot compile plugin"
	assert_stderr_contains "detail: 'false' exited with status 1"
}

@test "a compiler that cannot be run is named, with a hint" {
	mig revision --c -m "one"
	CC=/nonexistent/cc mig compile
	assert_status 2
	assert_error "cannot run the C compiler '/nonexistent/cc': No such file or directory"
	assert_stderr_contains "hint: Set CC"
}

@test "CC may hold arguments (split on blanks, no shell)" {
	mig revision --c -m "one"
	f=$(c_rev)
	sed -i 's|^#include <migrate/plugin.h>$|&\n#if !defined(MIG_A) \|\| MIG_B != 2\n#error CC arguments lost\n#endif|' "$f"
	mig compile
	assert_status 2
	assert_stderr_contains "CC arguments lost"
	CC="cc  -DMIG_A	-DMIG_B=2" mig compile
	assert_status 0
	assert_stdout_contains "compiled versions/0001_one.c"
}

@test "the embedded header wins over another version an -I in CC finds first" {
	mig revision --c -m "one"
	mkdir -p old/migrate
	printf '#ifndef MIGRATE_PLUGIN_H\n#define MIGRATE_PLUGIN_H\n#error the old header\n#endif\n' \
	    >old/migrate/plugin.h
	CC="cc -I$PWD/old" mig compile
	assert_status 0
	assert_stdout_contains "compiled versions/0001_one.c"
}

@test "the plugin header compiles on its own as C99 and C++" {
	src=$BATS_TEST_DIRNAME/../../core/migrate/plugin.h
	mkdir -p inc/migrate && cp "$src" inc/migrate/
	printf '#include <migrate/plugin.h>\nint main(void) { return MG_PLUGIN_ABI - 1; }\n' >t.c
	cc -std=c99 -pedantic -Wall -Wextra -Werror -Iinc -o t t.c
	./t
	if command -v c++ >/dev/null; then
		cp t.c t.cc
		c++ -Wall -Wextra -Werror -Iinc -o t2 t.cc
	fi
}

@test "the binary exports exactly the mg_* functions of the plugin API" {
	# Our own exports: those nm shows without a library's version tag
	# (copy-relocated data such as stderr@GLIBC_2.2.5 is libc's) and
	# outside the implementation's __ names (a sanitizer runtime's).
	exported=$(nm -D --defined-only "$MIGRATE" |
	    awk '$3 !~ /@/ && $3 !~ /^__/ { print $3 }' | sort)
	api=$(grep -oE '\bmg_[a-z_]+\(' "$BATS_TEST_DIRNAME/../../core/migrate/plugin.h" |
	    tr -d '(' | sort -u)
	listed=$(grep -oE '^[[:space:]]*mg_[a-z_]+;' "$BATS_TEST_DIRNAME/../../core/plugin.list" |
	    tr -d ' \t;' | sort)
	assert_eq "$exported" "$api" "exported symbols"
	assert_eq "$listed" "$api" "core/plugin.list"
}
