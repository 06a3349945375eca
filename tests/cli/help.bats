#!/usr/bin/env bats
# --help and bad options for every command (STYLE.md 6), the top-level usage.

load helpers

COMMANDS=(branches check compile current downgrade heads history init lint merge resolve revision show snapshot stamp status test upgrade)

@test "every command answers --help on stdout with exit 0, without a config" {
	mkdir empty
	cd empty
	local cmd
	for cmd in "${COMMANDS[@]}"; do
		mig "$cmd" --help
		assert_status 0 || fail "command: $cmd --help"
		assert_match "$output" "^usage: .*$cmd" "stdout of '$cmd --help'"
		assert_eq "$stderr" "" "stderr of '$cmd --help'"
	done
	# --help needs no configuration and creates nothing.
	assert_eq "$(ls -A)" "" "files created by --help"
}

@test "every command rejects an unknown option with exit 2 and changes nothing" {
	# A project with a pending revision: a command that ignored the bad
	# option and went on would apply it, create a revision file or stamp.
	write_rev 0001 "" "CREATE TABLE t1 (id integer);" "DROP TABLE t1;"
	local cmd files
	files=$(ls versions)
	for cmd in "${COMMANDS[@]}"; do
		mig "$cmd" --bogus-option
		assert_status 2 || fail "command: $cmd --bogus-option"
		assert_error ".*'--bogus-option'" || fail "command: $cmd"
	done
	assert_eq "$(ls versions)" "$files" "revision files"
	assert_eq "$(db_state)" "<no database>" "database"
}

@test "migrate without a command prints the usage on stderr and exits 2" {
	mig
	assert_status 2
	assert_eq "$output" "" stdout
	assert_stderr_contains "usage: migrate"
}

@test "an unknown command exits 2 and names it" {
	mig upgarde
	assert_status 2
	assert_eq "$output" "" stdout
	assert_match "$stderr" "^migrate: error: unknown command 'upgarde'" stderr
	# The list of commands follows, so the right one is easy to find.
	assert_stderr_contains "upgrade"
	assert_eq "$(db_state)" "<no database>" "database"
}

@test "an unknown global option exits 2" {
	mig --bogus-option current
	assert_status 2
	assert_eq "$output" "" stdout
	assert_match "$stderr" "^migrate: error: .*'--bogus-option'" stderr
}

@test "migrate --help lists every command on stdout" {
	mig --help
	assert_status 0
	assert_match "$output" "^usage: migrate" stdout
	local cmd
	for cmd in "${COMMANDS[@]}"; do
		assert_match "$output" $'\n'"  $cmd " "command list"
	done
	assert_eq "$stderr" "" stderr
}

@test "--version prints the version on stdout" {
	mig --version
	assert_status 0
	assert_match "$output" '^migrate [0-9]+\.[0-9]+\.[0-9]+$' stdout
	assert_eq "$stderr" "" stderr
}
