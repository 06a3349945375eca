#!/usr/bin/env bats
# The revision graph on a real database (SQLite, or PostgreSQL with
# MIGRATE_TEST_DIALECT=postgresql): merge, branches, heads
# --resolve-dependencies, history -r/-i/-v, show of a merge, stamp across
# merges, revision --head/--splice/--depends-on, check, and the branch
# identifiers (LABEL@head, LABEL@ID, REV@ID, LABEL@base, LABEL@+N/-N) end to
# end, with the version rows after every step.

load helpers

# Evaluate a Python expression on the JSON in $output (bound to "d").
json_get() { # EXPR
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# One revision creating (and dropping) a table named after it.
rev() { # [write_rev options] ID DOWN
	local args=()
	while [ $# -gt 2 ]; do
		args+=("$1")
		shift
	done
	write_rev "${args[@]}" "$1" "$2" "CREATE TABLE $1 (id integer);" \
	    "DROP TABLE $1;"
}

# r <- a1 <- a2 (branch alpha), r <- b1 <- b2 (branch beta)
fork() {
	rev r ""
	rev -l alpha a1 r
	rev a2 a1
	rev -l beta b1 r
	rev b2 b1
}

# r <- a1, r <- b1, m merges a1 and b1
diamond() {
	rev r ""
	rev a1 r
	rev b1 r
	rev m "a1, b1"
}

# The "Running upgrade/downgrade ..." lines of the last run's stderr.
running() {
	grep '^Running ' <<<"${stderr-}" || true
}

assert_running() { # EXPECTED
	assert_eq "$(running)" "$1" "Running lines"
}

assert_rows() { # EXPECTED
	assert_eq "$(version_rows)" "$1" "version rows"
}

# --- merge ------------------------------------------------------------------

@test "merge heads writes a revision joining both heads; heads then shows one" {
	rev r ""
	rev a1 r
	rev b1 r
	mig merge -m "join" heads
	assert_status 0
	assert_stdout "Created versions/0001_join.sql"
	local f=versions/0001_join.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_eq "$(sed -n 1p "$f")" "-- revision: 0001" "line 1"
	assert_eq "$(sed -n 2p "$f")" "-- down_revision: a1, b1" "line 2"
	assert_eq "$(sed -n 5p "$f")" "-- message: join" "line 5"
	mig heads
	assert_status 0
	assert_stdout "0001 (head) (mergepoint)"
	# The merge applies its parents first (Kahn's order), then itself.
	mig upgrade
	assert_status 0
	assert_running $'Running upgrade  -> r, rev r
Running upgrade r -> a1, rev a1
Running upgrade r -> b1, rev b1
Running upgrade a1, b1 -> 0001, join'
	assert_rows "0001"
}

@test "merge heads joins three heads in one revision" {
	rev r ""
	rev a1 r
	rev b1 r
	rev c1 ""
	mig merge -m "all three" heads
	assert_status 0
	assert_eq "$(sed -n 2p versions/0001_all_three.sql)" \
	    "-- down_revision: a1, b1, c1" "down_revision"
	mig heads
	assert_stdout "0001 (head) (mergepoint)"
	mig upgrade
	assert_status 0
	assert_rows "0001"
	assert_eq "$(user_tables)" "a1 b1 c1 r" tables
}

@test "merge REV REV with --rev-id and --branch-label" {
	rev r ""
	rev a1 r
	rev b1 r
	mig merge -m "joined work" --rev-id mm --branch-label joined a1 b1
	assert_status 0
	local f=versions/mm_joined_work.sql
	[ -f "$f" ] || fail "$f not created" "$(ls versions)"
	assert_eq "$(sed -n 1,3p "$f")" $'-- revision: mm
-- down_revision: a1, b1
-- branch_labels: joined' "header"
	mig heads
	assert_stdout "mm (joined) (head) (mergepoint)"
	# The label names the merge's branch.
	mig upgrade joined@head
	assert_status 0
	assert_rows "mm"
}

@test "merge refuses an ancestor of another operand, a single head, an unknown revision (exit 2)" {
	rev r ""
	rev a1 r
	local before
	before=$(ls versions)
	mig merge -m x a1 r
	assert_status 2
	assert_error "revision 'r' is an ancestor of 'a1'"
	mig merge -m x r a1
	assert_status 2
	assert_error "revision 'r' is an ancestor of 'a1'"
	# Linear: 'heads' is one revision.
	mig merge -m x heads
	assert_status 2
	assert_error "merge needs at least two revisions"
	mig merge -m x a1 a1
	assert_status 2
	assert_error "merge needs at least two revisions"
	rev b1 r
	before=$(ls versions)
	mig merge -m x a1 nope
	assert_status 2
	assert_error "can't locate revision identified by 'nope'"
	assert_eq "$(ls versions)" "$before" "versions/"
	assert_no_database
}

# --- branches, heads --resolve-dependencies ---------------------------------

@test "branches lists each branch point with a '    -> child' line per branch" {
	rev r ""
	rev a1 r
	rev a2 a1
	rev b1 r
	rev m a1
	mig branches
	assert_status 0
	assert_stdout $'a1 (branchpoint), rev a1
    -> a2 (head), rev a2
    -> m (head), rev m
r (branchpoint), rev r
    -> a1 (branchpoint), rev a1
    -> b1 (head), rev b1'
}

@test "branches prints nothing for a linear history" {
	chain 3
	mig branches
	assert_status 0
	assert_stdout ""
}

@test "heads --resolve-dependencies leaves out a head another revision depends on" {
	rev r ""
	rev a1 r
	rev b1 ""
	rev -d b1 c1 ""
	mig heads
	assert_status 0
	assert_stdout $'a1 (head)\nb1 (head)\nc1 (head)'
	mig heads --resolve-dependencies
	assert_status 0
	assert_stdout $'a1 (head)\nc1 (head)'
	mig --json heads --resolve-dependencies
	assert_status 0
	assert_eq "$(json_get 'd["heads"]')" "['a1', 'c1']" heads
}

# --- history, show ----------------------------------------------------------

@test "history marks the branch point and the merge point" {
	diamond
	mig history
	assert_status 0
	assert_stdout $'a1, b1 -> m (head) (mergepoint), rev m
r -> b1, rev b1
r -> a1, rev a1
<base> -> r (branchpoint), rev r'
}

@test "history -r A:B on a linear history, open ends, and a backwards range" {
	chain 4
	mig history -r 0002:0003
	assert_status 0
	assert_stdout $'0002 -> 0003, rev 0003\n0001 -> 0002, rev 0002'
	mig history -r :0002
	assert_status 0
	assert_stdout $'0001 -> 0002, rev 0002\n<base> -> 0001, rev 0001'
	mig history -r 0003:
	assert_status 0
	assert_stdout $'0003 -> 0004 (head), rev 0004\n0002 -> 0003, rev 0003'
	mig history -r base:head
	assert_status 0
	assert_eq "$(printf '%s\n' "$output" | wc -l)" 4 "lines"
	mig history -r 0003:0001
	assert_status 2
	assert_error "history: range '0003:0001' is empty"
	mig history -r 0002
	assert_status 2
	assert_error "history: range '0002' is not of the form A:B"
}

@test "history -r current:heads after a partial upgrade" {
	chain 4
	mig upgrade 0002
	assert_status 0
	mig history -r current:heads
	assert_status 0
	assert_stdout $'0003 -> 0004 (head), rev 0004
0002 -> 0003, rev 0003
0001 -> 0002 (current), rev 0002'
}

@test "history -r A:B across a merge lists A's descendants only, as Alembic's" {
	# Alembic's walk for A:B is ancestors(B) - ancestors(A), limited to
	# the descendants of A: b1 is not between a1 and m.
	diamond
	mig history -r a1:m
	assert_status 0
	assert_stdout $'a1, b1 -> m (head) (mergepoint), rev m\nr -> a1, rev a1'
}

@test "history -i marks the current revisions, on both branches" {
	rev r ""
	rev a1 r
	rev a2 a1
	rev b1 r
	mig upgrade a1
	assert_status 0
	mig history -i
	assert_status 0
	# Newest first: the reverse of the upgrade order r, a1, a2, b1.
	assert_stdout $'r -> b1 (head), rev b1
a1 -> a2 (head), rev a2
r -> a1 (current), rev a1
<base> -> r (branchpoint), rev r'
	mig upgrade b1
	assert_status 0
	mig history --indicate-current
	assert_status 0
	assert_stdout $'r -> b1 (head) (current), rev b1
a1 -> a2 (head), rev a2
r -> a1 (current), rev a1
<base> -> r (branchpoint), rev r'
	mig --json history -i
	assert_status 0
	assert_eq "$(json_get '[r["revision"] for r in d["history"] if r["current"]]')" \
	    "['b1', 'a1']" "current in JSON"
}

@test "history -v prints a block per revision: Rev, Parent, Merges, Branches into" {
	diamond
	mig history -v
	assert_status 0
	assert_stdout "Rev:           m (head) (mergepoint)
Merges:        a1, b1
Path:          versions/m_rev_m.sql
Created:       2026-11-21 10:00:00

    rev m

Rev:           b1
Parent:        r
Children:      m
Path:          versions/b1_rev_b1.sql
Created:       2026-11-21 10:00:00

    rev b1

Rev:           a1
Parent:        r
Children:      m
Path:          versions/a1_rev_a1.sql
Created:       2026-11-21 10:00:00

    rev a1

Rev:           r (branchpoint)
Parent:        <base>
Branches into: a1, b1
Path:          versions/r_rev_r.sql
Created:       2026-11-21 10:00:00

    rev r"
}

@test "show MERGE prints Merges: with both parents; show of a branch point its branches" {
	diamond
	mig show m
	assert_status 0
	assert_stdout "Rev:           m (head) (mergepoint)
Merges:        a1, b1
Path:          versions/m_rev_m.sql
Created:       2026-11-21 10:00:00

    rev m"
	mig show r
	assert_status 0
	assert_contains "$output" $'\nBranches into: a1, b1\n' "show r"
	refute_contains "$output" "Merges:" "show r"
}

# --- stamp ------------------------------------------------------------------

@test "stamp across a merge: two branch heads give two rows, the merge one" {
	diamond
	mig stamp a1 b1
	assert_status 0
	assert_rows $'a1\nb1'
	mig current
	assert_stdout $'a1\nb1'
	mig stamp m
	assert_status 0
	assert_rows "m"
	mig current
	assert_stdout "m (head)"
	assert_eq "$(history_rows)" $'a1 stamp 1\nb1 stamp 1\nm stamp 1' history
	# Nothing ran.
	assert_eq "$(user_tables)" "" tables
}

@test "stamp of one parent of the applied merge leaves that one row, as Alembic's" {
	# Alembic: the merge's row is updated to the destination (a stamp
	# sets what the user names; it does not un-merge as a downgrade does).
	diamond
	mig stamp m
	assert_status 0
	mig stamp a1
	assert_status 0
	assert_rows "a1"
}

@test "stamp LABEL@base removes that branch and keeps the other branch's row" {
	fork
	mig stamp a2 b2
	assert_status 0
	assert_rows $'a2\nb2'
	mig stamp alpha@base
	assert_status 0
	assert_rows "b2"
	# beta's base is the branch point r, which no other row covers now.
	mig stamp beta@base
	assert_status 0
	assert_rows "r"
	# A revision of one branch moves only that branch's row.
	mig stamp a2 b2
	mig stamp a1
	assert_status 0
	assert_rows $'a1\nb2'
	assert_eq "$(user_tables)" "" tables
}

@test "stamp refuses a version table naming an unknown revision; --purge replaces it" {
	rev r ""
	rev a1 r
	mig upgrade r
	assert_status 0
	db_sql "UPDATE migrate_version SET version_num = 'zzz'"
	mig stamp a1
	assert_status 2
	assert_error "the version table names revision 'zzz', which no revision file has"
	assert_stderr_contains "stamp --purge"
	assert_rows "zzz"
	mig stamp --purge a1
	assert_status 0
	assert_rows "a1"
	mig current
	assert_stdout "a1 (head)"
}

# --- revision --head / --splice / --depends-on -------------------------------

@test "revision with several heads and no --head is refused and names the heads" {
	rev r ""
	rev a1 r
	rev b1 r
	local before
	before=$(ls versions)
	mig revision -m next
	assert_status 2
	assert_error "multiple heads are present"
	assert_stderr_contains "a1"
	assert_stderr_contains "b1"
	assert_match "$stderr" $'\ndetail: heads: a1 b1' stderr
	assert_eq "$(ls versions)" "$before" "versions/"
	mig revision -m next --head b1
	assert_status 0
	assert_eq "$(sed -n 2p versions/0001_next.sql)" "-- down_revision: b1" \
	    "down_revision"
	mig heads
	assert_stdout $'0001 (head)\na1 (head)'
}

@test "revision --head of a non-head is refused without --splice, starts a branch with it" {
	rev r ""
	rev a1 r
	mig revision -m side --head r
	assert_status 2
	assert_error "revision 'r' is not a head revision"
	assert_eq "$(ls versions)" $'a1_rev_a1.sql\nr_rev_r.sql' "versions/"
	mig revision -m side --head r --splice
	assert_status 0
	assert_eq "$(sed -n 2p versions/0001_side.sql)" "-- down_revision: r" \
	    "down_revision"
	mig heads
	assert_stdout $'0001 (head)\na1 (head)'
	mig branches
	assert_stdout $'r (branchpoint), rev r
    -> 0001 (head), side
    -> a1 (head), rev a1'
	mig revision -m x --head nope
	assert_status 2
	assert_error "can't locate revision identified by 'nope'"
}

@test "revision --head base starts a new root; --head LABEL@head continues a branch" {
	fork
	mig revision -m "new root" --head base
	assert_status 0
	assert_match "$(sed -n 2p versions/0001_new_root.sql)" '^-- down_revision: *$' \
	    "down_revision"
	mig revision -m "on beta" --head beta@head
	assert_status 0
	assert_eq "$(sed -n 2p versions/0002_on_beta.sql)" "-- down_revision: b2" \
	    "down_revision"
	mig heads
	assert_stdout $'0001 (head)\n0002 (head)\na2 (head)'
}

@test "revision --depends-on LABEL@head records the branch head's id" {
	fork
	mig revision -m "needs alpha" --head b2 --depends-on alpha@head
	assert_status 0
	local f=versions/0001_needs_alpha.sql
	assert_eq "$(sed -n 2p "$f")" "-- down_revision: b2" "down_revision"
	assert_eq "$(sed -n 4p "$f")" "-- depends_on: a2" "depends_on"
	# Upgrading to it applies alpha too.
	mig upgrade 0001
	assert_status 0
	assert_eq "$(user_tables)" "a1 a2 b1 b2 r" tables
	mig heads --resolve-dependencies
	assert_stdout "0001 (head)"
}

# --- check ------------------------------------------------------------------

@test "check: a linear project is OK (exit 0) and check creates no database" {
	chain 2
	mig check
	assert_status 0
	assert_stdout "OK: 2 revisions, one head 0002"
	mig --json check
	assert_status 0
	assert_eq "$(json_get 'd["ok"]')" "True" ok
	assert_eq "$(json_get 'd["heads"]')" "['0002']" heads
	assert_eq "$(json_get 'd["problems"]')" "[]" problems
	assert_no_database
	if is_sqlite; then
		assert_eq "$(ls -A)" $'migrate.ini\nversions' "project directory"
	fi
}

@test "check: two heads fail with multiple-heads (exit 1)" {
	rev r ""
	rev a1 r
	rev b1 r
	mig check
	assert_status 1
	assert_stdout "multiple-heads: 2 heads: a1 b1; join them with 'migrate merge heads'"
	assert_match "$stderr" "^migrate: error: check failed: 1 problem" stderr
	mig --json check
	assert_status 1
	assert_eq "$(json_get 'd["ok"]')" "False" ok
	assert_eq "$(json_get '[p["kind"] for p in d["problems"]]')" \
	    "['multiple-heads']" problems
	assert_eq "$(json_get 'd["heads"]')" "['a1', 'b1']" heads
	mig check --files-only
	assert_status 1
	# A merge settles it.
	mig merge -m join heads
	mig check
	assert_status 0
	assert_no_database
}

@test "check: an applied revision edited after upgrade fails and names its file" {
	rev r ""
	rev a1 r
	mig upgrade
	assert_status 0
	mig check
	assert_status 0
	sed -i 's/CREATE TABLE a1 (id integer);/CREATE TABLE a1 (id bigint);/' \
	    versions/a1_rev_a1.sql
	mig check
	assert_status 1
	assert_match "$output" \
	    "^edited: versions/a1_rev_a1\\.sql was applied from a file with checksum [0-9a-f]{12}, the file's checksum is now [0-9a-f]{12}" \
	    stdout
	assert_eq "$(printf '%s\n' "$output" | wc -l)" 1 "problem lines"
	assert_eq "$stderr" "migrate: error: check failed: 1 problem" stderr
	mig --json check
	assert_status 1
	assert_eq "$(json_get 'd["ok"]')" "False" ok
	assert_eq "$(json_get '[p["kind"] for p in d["problems"]]')" "['edited']" kinds
	assert_contains "$(json_get 'd["problems"][0]["message"]')" \
	    "versions/a1_rev_a1.sql" message
	# --files-only does not look at the database.
	mig check --files-only
	assert_status 0
	assert_stdout "OK: 2 revisions, one head a1"
}

@test "check: an edited revision that is not applied (any more) does not count" {
	rev r ""
	rev a1 r
	mig upgrade
	mig downgrade r
	assert_status 0
	printf -- '-- a comment\n' >>versions/a1_rev_a1.sql
	mig check
	assert_status 0
	# Applied again from the edited file: its new checksum is the one.
	mig upgrade
	mig check
	assert_status 0
	assert_stdout "OK: 2 revisions, one head a1"
}

@test "check: trailing whitespace, CRLF and a BOM are not edits" {
	rev r ""
	rev a1 r
	mig upgrade
	assert_status 0
	# Trailing blanks on lines and blank lines at the end.
	sed -i 's/;$/;   \t/' versions/a1_rev_a1.sql
	printf '  \n\n\n' >>versions/a1_rev_a1.sql
	mig check
	assert_status 0
	# CRLF line endings.
	sed -i 's/$/\r/' versions/a1_rev_a1.sql
	mig check
	assert_status 0
	# A UTF-8 byte order mark.
	printf '\357\273\277' | cat - versions/r_rev_r.sql >r.tmp
	mv r.tmp versions/r_rev_r.sql
	mig check
	assert_status 0
	assert_stdout "OK: 2 revisions, one head a1"
	# A change inside a line does count.
	sed -i 's/DROP TABLE r;/DROP TABLE  r;/' versions/r_rev_r.sql
	mig check
	assert_status 1
	assert_match "$output" "^edited: versions/r_rev_r\\.sql " stdout
}

@test "check: a cycle in the files fails (exit 1) and names the files" {
	rev r ""
	rev a1 "r, b1"
	rev b1 a1
	mig check
	assert_status 1
	assert_error ".*revision graph has a cycle"
	assert_stderr_contains "versions/a1_rev_a1.sql"
	assert_stderr_contains "versions/b1_rev_b1.sql"
	mig check --files-only
	assert_status 1
	assert_error ".*revision graph has a cycle"
	# A missing parent too.
	rm versions/b1_rev_b1.sql
	mig check
	assert_status 1
	assert_error "versions/a1_rev_a1\\.sql:2: down_revision 'b1' does not exist"
	assert_no_database
}

@test "check --json reports a broken graph as {\"ok\": false}" {
	rev r ""
	rev a1 "r, b1"
	rev b1 a1
	mig --json check
	assert_status 1
	[ -n "$output" ] || { show_run; fail "no JSON on stdout"; }
	assert_eq "$(json_get 'd["ok"]')" "False" ok
	assert_contains "$(json_get 'd["problems"][0]["message"]')" "cycle" message
}

@test "check: a version row naming no revision file is a problem (exit 1)" {
	rev r ""
	rev a1 r
	mig upgrade
	assert_status 0
	db_sql "UPDATE migrate_version SET version_num = 'zzz'"
	mig check
	assert_status 1
	assert_stdout "unknown-revision: the version table names revision 'zzz', which no revision file has"
	mig check --files-only
	assert_status 0
}

# --- identifiers end to end --------------------------------------------------

@test "upgrade LABEL@head applies only that branch and its ancestors" {
	fork
	mig upgrade alpha@head
	assert_status 0
	assert_running $'Running upgrade  -> r, rev r
Running upgrade r -> a1, rev a1
Running upgrade a1 -> a2, rev a2'
	assert_rows "a2"
	assert_eq "$(user_tables)" "a1 a2 r" tables
	mig upgrade beta@head
	assert_status 0
	assert_running $'Running upgrade r -> b1, rev b1
Running upgrade b1 -> b2, rev b2'
	assert_rows $'a2\nb2'
	mig upgrade b1@head
	assert_status 0
	assert_rows $'a2\nb2'
}

@test "downgrade LABEL@ID and REV@ID revert only that branch above the branch point" {
	fork
	mig upgrade heads
	assert_status 0
	mig downgrade alpha@r
	assert_status 0
	assert_running $'Running downgrade a2 -> a1, rev a2
Running downgrade a1 -> r, rev a1'
	assert_rows "b2"
	assert_eq "$(user_tables)" "b1 b2 r" tables
	mig upgrade heads
	# REV@ID: the branch of a revision.
	mig downgrade b2@r
	assert_status 0
	assert_running $'Running downgrade b2 -> b1, rev b2
Running downgrade b1 -> r, rev b1'
	assert_rows "a2"
	assert_eq "$(user_tables)" "a1 a2 r" tables
	# Unqualified, the same target reverts both branches.
	mig upgrade heads
	mig downgrade r
	assert_status 0
	assert_rows "r"
}

@test "downgrade LABEL@base reverts the whole branch, keeping the shared root" {
	fork
	mig upgrade heads
	mig downgrade beta@base
	assert_status 0
	assert_running $'Running downgrade b2 -> b1, rev b2
Running downgrade b1 -> r, rev b1'
	assert_rows "a2"
	# Nothing of beta is applied any more.
	mig downgrade beta@base
	assert_status 0
	assert_running ""
	assert_rows "a2"
	mig downgrade alpha@base
	assert_status 0
	assert_running $'Running downgrade a2 -> a1, rev a2
Running downgrade a1 -> r, rev a1'
	assert_rows "r"
	assert_eq "$(user_tables)" "r" tables
}

@test "upgrade LABEL@+1 and downgrade LABEL@-1 step one branch" {
	fork
	mig upgrade a1
	mig upgrade b1
	assert_rows $'a1\nb1'
	mig upgrade alpha@+1
	assert_status 0
	assert_running "Running upgrade a1 -> a2, rev a2"
	assert_rows $'a2\nb1'
	mig upgrade beta@+1
	assert_status 0
	assert_running "Running upgrade b1 -> b2, rev b2"
	assert_rows $'a2\nb2'
	mig downgrade alpha@-1
	assert_status 0
	assert_running "Running downgrade a2 -> a1, rev a2"
	assert_rows $'a1\nb2'
	mig downgrade beta@-2
	assert_status 0
	assert_running $'Running downgrade b2 -> b1, rev b2
Running downgrade b1 -> r, rev b1'
	assert_rows "a1"
	# At the branch point, a revision of the branch names it: +1 takes
	# that side.
	mig downgrade r
	mig upgrade b1@+1
	assert_status 0
	assert_running "Running upgrade r -> b1, rev b1"
	assert_rows "b1"
}

@test "upgrade LABEL@+1 when only the other branch is applied starts at the branch point" {
	# Alembic backtracks from the current heads to the branch's newest
	# applied ancestor (r here) and walks from there.
	fork
	mig upgrade alpha@head
	assert_status 0
	mig upgrade beta@+1
	assert_status 0
	assert_running "Running upgrade r -> b1, rev b1"
	assert_rows $'a2\nb1'
}

@test "upgrade LABEL@+2 when only the other branch is applied applies two revisions" {
	fork
	mig upgrade alpha@head
	assert_status 0
	mig upgrade beta@+2
	assert_status 0
	assert_running $'Running upgrade r -> b1, rev b1
Running upgrade b1 -> b2, rev b2'
	assert_rows $'a2\nb2'
}

@test "downgrade -1 with two current heads is refused with a hint" {
	fork
	mig upgrade heads
	mig downgrade -1
	assert_status 2
	assert_error "relative revision '-1' is ambiguous: the database has 2 heads"
	assert_stderr_contains $'\ndetail: current: a2 b2'
	assert_stderr_contains "hint: Qualify it with a branch"
	assert_rows $'a2\nb2'
	mig downgrade a2@-1
	assert_status 0
	assert_running "Running downgrade a2 -> a1, rev a2"
	assert_rows $'a1\nb2'
}

@test "identifier errors: no such branch, not a member, ambiguous walk, didn't produce" {
	fork
	mig upgrade r
	assert_status 0
	mig upgrade gamma@head
	assert_status 2
	assert_error "no such branch 'gamma'"
	mig downgrade alpha@b1
	assert_status 2
	assert_error "revision 'b1' is not a member of branch 'alpha'"
	mig upgrade +1
	assert_status 2
	assert_error "ambiguous walk: relative revision '\\+1' crosses the branch point at 'r'"
	mig upgrade r+1
	assert_status 2
	assert_error "ambiguous walk"
	mig upgrade alpha@+3
	assert_status 2
	assert_error "relative revision alpha@\\+3 didn't produce 3 migrations"
	mig downgrade -2
	assert_status 2
	assert_error "relative revision -2 didn't produce 2 migrations"
	assert_rows "r"
	assert_eq "$(user_tables)" "r" tables
}

@test "LABEL@head with two heads on the branch: the error lists that branch's heads" {
	fork
	mig revision -m "second alpha" --head a1 --splice
	assert_status 0
	mig upgrade alpha@head
	assert_status 2
	assert_error "multiple head revisions are present for given argument 'alpha@head'"
	# alpha's heads, not b2 (beta's).
	assert_eq "$(grep '^detail:' <<<"$stderr")" "detail: heads: 0001 a2" detail
}

@test "downgrade -1 at a merge is an ambiguous walk; REV@-1 picks the side" {
	diamond
	mig upgrade
	assert_status 0
	mig downgrade -1
	assert_status 2
	assert_error "ambiguous walk: relative revision '-1' crosses the merge point at 'm'"
	assert_rows "m"
	mig downgrade b1
	assert_status 0
	assert_rows $'a1\nb1'
	mig downgrade a1@-1
	assert_status 0
	assert_running "Running downgrade a1 -> r, rev a1"
	assert_rows "b1"
}

# --- merges on the database ---------------------------------------------------

@test "upgrade from one side of a merge runs the other side, then the merge" {
	diamond
	mig upgrade a1
	assert_status 0
	assert_running $'Running upgrade  -> r, rev r
Running upgrade r -> a1, rev a1'
	assert_rows "a1"
	mig upgrade head
	assert_status 0
	assert_running $'Running upgrade r -> b1, rev b1
Running upgrade a1, b1 -> m, rev m'
	assert_rows "m"
	# Un-merging: the merge's parents become the heads again.
	mig downgrade a1
	assert_status 0
	assert_running "Running downgrade m -> a1, b1, rev m"
	assert_rows $'a1\nb1'
	assert_eq "$(user_tables)" "a1 b1 r" tables
	assert_eq "$(history_rows)" $'r up 1
a1 up 1
b1 up 1
m up 1
m down 1' history
}

@test "version rows across a full cycle of branches, a merge and labels" {
	# r <- a1 (alpha) <- a2 \
	#                         m <- c
	# r <- b1 (beta) --------/
	rev r ""
	rev -l alpha a1 r
	rev a2 a1
	rev -l beta b1 r
	rev m "a2, b1"
	rev c m
	local step expected
	while IFS='|' read -r step expected; do
		# shellcheck disable=SC2086
		mig $step
		[ "$status" -eq 0 ] || { show_run; fail "$step: exit $status"; }
		assert_eq "$(version_rows | tr '\n' ' ')" "$expected" \
		    "version rows after '$step'"
	done <<'STEPS'
upgrade a1|a1 
upgrade b1|a1 b1 
upgrade alpha@head|c 
downgrade -1|m 
downgrade a2|a2 b1 
downgrade alpha@r|b1 
upgrade a2|a2 b1 
upgrade m|m 
downgrade beta@base|a2 
upgrade heads|c 
downgrade base|
upgrade c|c 
STEPS
	assert_eq "$(user_tables)" "a1 a2 b1 c m r" tables
	assert_eq "$(db_sql "SELECT count(*) FROM migrate_history
	    WHERE direction = 'up'")" 18 "upgrade steps"
}

# --- depends_on across branches (Alembic #789) --------------------------------

@test "upgrade heads works when a head is applied only through another branch's depends_on" {
	rev a1 ""
	rev a2 a1
	rev a3 a2
	rev b1 ""
	rev -d a3 b2 b1
	rev b3 b2
	mig upgrade b3
	assert_status 0
	# a3 is applied (b2 depends on it) and has no row of its own.
	assert_rows "b3"
	mig upgrade heads
	assert_status 0
	assert_contains "$stderr" "Nothing to do"
	assert_rows "b3"
	mig downgrade -1
	assert_status 0
	assert_rows "b2"
	mig upgrade heads
	assert_status 0
	assert_rows "b3"
	# An applied revision below an applied child is still refused.
	mig upgrade a2
	assert_status 2
	assert_error "destination 'a2' is not a valid upgrade target.*"
}

@test "depends_on may name a branch label: the revision that declares it" {
	rev -l netlib n1 ""
	rev n2 n1
	rev -d netlib s1 ""
	mig show s1
	assert_status 0
	assert_match "$output" "Depends on: +n1"
	mig upgrade s1
	assert_status 0
	assert_eq "$(grep -o 'Running upgrade[^,]*' <<<"$stderr")" \
	    $'Running upgrade  -> n1\nRunning upgrade  -> s1' "steps"
	assert_rows "s1"
}
