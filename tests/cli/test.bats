#!/usr/bin/env bats
# migrate test: up, down, up for each revision on a scratch database,
# comparing schema snapshots (SQLite, or PostgreSQL with
# MIGRATE_TEST_DIALECT=postgresql). A correct project passes, in plan
# order, without touching the configured database and leaving no scratch
# database behind; each kind of broken downgrade (an index, a default, a
# constraint, an enum label, a view, a trigger) is caught and named, and so
# is an upgrade that does not give the same schema the second time;
# --from/--to, --url, --json, --strict; the error's form; an interrupted
# run; a failing statement, a missing downgrade, no scratch database.

load helpers

setup() {
	make_test_dir
	db_setup
	write_ini
	mkdir versions
	# The SQLite scratch file goes to $TMPDIR: a directory of the test's
	# own, so that what migrate leaves there can be seen.
	export TMPDIR=$TEST_ROOT/tmp
	mkdir "$TMPDIR"
	# On PostgreSQL, the scratch databases already there are not this
	# test's.
	SCRATCH_BEFORE=
	! is_pg || SCRATCH_BEFORE=$(scratch_left)
}

# Write versions/STEM.sql: the header of revision ID (parents DOWN, a
# comma-separated list for a merge), then the body read from stdin
# ("-- migrate:upgrade ..." sections).
write_file() { # STEM ID DOWN <BODY
	{
		printf -- '-- revision: %s\n-- down_revision: %s\n' "$2" "$3"
		printf -- '-- message: %s\n\n' "$1"
		cat
	} >"versions/$1.sql"
}

# The scratch databases migrate test left behind: migrate-test.* files in
# $TMPDIR, or migrate_test_* databases on the server (but those there
# before the test).
scratch_left() {
	if is_pg; then
		PG_URL=$(db_url_with_name postgres) pg_sql "SELECT datname
		    FROM pg_database WHERE datname LIKE 'migrate\_test\_%'
		    ORDER BY 1" |
		    grep -vxF -e "${SCRATCH_BEFORE:-}" -e '' || true
	else
		local f
		for f in "$TMPDIR"/migrate-test*; do
			[ ! -e "$f" ] || basename "$f"
		done
	fi
}

# Nothing was written to the configured database, and no scratch database
# is left.
assert_clean() {
	assert_no_database
	assert_eq "$(scratch_left)" "" "scratch databases left behind"
}

# The stems of the "ok STEM (up, down, up: N ms)" lines of stdout, one a
# line; every line of stdout but the summary must be one.
ok_stems() {
	local line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if [[ $line =~ ^ok\ ([^ ]+)\ \(up,\ down,\ up:\ [0-9]+\ ms\)$ ]]; then
			printf '%s\n' "${BASH_REMATCH[1]}"
		elif ! [[ $line =~ ^[0-9]+\ revisions?:\ every\ downgrade ]]; then
			printf 'unexpected stdout line: <%s>\n' "$line"
		fi
	done <<<"$output"
}

# Success: exit 0, stderr the one "Testing" line, an ok line for each
# STEM in this order, and the summary.
assert_passed() { # STEM...
	assert_status 0 || return 1
	local n=$# s=s where
	[ "$n" != 1 ] || s=
	if is_pg; then
		where="a scratch PostgreSQL database"
	else
		where="a scratch SQLite file"
	fi
	assert_eq "$stderr" "Testing $n revision$s on $where" stderr ||
	    return 1
	local want=''
	[ $# = 0 ] || want=$(printf '%s\n' "$@")
	assert_eq "$(ok_stems)" "$want" "the ok lines" || return 1
	assert_match "$(tail -n 1 <<<"$output")" \
	    "^$n revision$s: every downgrade gives back the schema before its upgrade \([0-9]+ ms\)$" \
	    "the summary line"
}

# A difference found: exit 1, an ok line for each revision before it
# (OKS, space-separated) and none for STEM, no summary; on stderr the
# "Testing" line, then "migrate: error: STEM: WHAT does not give back the
# schema (N differences)" and exactly N lines "  CHANGE: snapshot line",
# the change one of the phase's two. Prints those N lines (without the
# indent) for the caller to check.
assert_caught() { # STEM OKS PHASE(downgrade|again)
	local stem=$1 oks=$2 what changes
	if [ "$3" = downgrade ]; then
		what="the downgrade"
		changes="left behind|not restored"
	else
		what="upgrading again"
		changes="added the second time|missing the second time"
	fi
	assert_status 1 >&2 || return 1
	assert_eq "$(ok_stems | tr '\n' ' ' | sed 's/ $//')" "$oks" \
	    "the ok lines before the failure" >&2 || return 1
	refute_contains "$output" "every downgrade" stdout >&2 || return 1
	local first rest head n
	first=$(sed -n 1p <<<"$stderr")
	head=$(sed -n 2p <<<"$stderr")
	rest=$(sed -n '3,$p' <<<"$stderr")
	assert_match "$first" '^Testing [0-9]+ revisions? on ' \
	    "the first stderr line" >&2 || return 1
	assert_match "$head" \
	    "^migrate: error: $stem: $what does not give back the schema \(([0-9]+) differences?\)$" \
	    "the error line" >&2 || return 1
	[[ $head =~ \(([0-9]+)\ difference ]] && n=${BASH_REMATCH[1]}
	assert_eq "$(grep -c '' <<<"$rest")" "$n" \
	    "the number of difference lines under <$head>: <$rest>" >&2 ||
	    return 1
	local line
	while IFS= read -r line; do
		assert_match "$line" "^  ($changes): [^ ]" \
		    "a difference line" >&2 || return 1
		printf '%s\n' "${line#  }"
	done <<<"$rest"
}

# The difference lines DIFFS must hold a line matching the ERE WANT.
assert_diff() { # DIFFS WANT
	grep -qE -- "$2" <<<"$1" ||
	    fail "no difference line matches /$2/:" "$1"
}

# The difference lines DIFFS are exactly the lines EXPECTED, in any order
# (they come sorted by the snapshot line, not by the change).
assert_diffs() { # DIFFS EXPECTED
	assert_eq "$(LC_ALL=C sort <<<"$1")" "$(LC_ALL=C sort <<<"$2")" \
	    "the differences"
}

# assert_error, with the ok lines of the revisions before the failure on
# stdout.
assert_error_after_ok() { # ERE
	local out=$output rc=0
	output=
	assert_error "$1" || rc=1
	output=$out
	return $rc
}

# The first revision of most tests: a users table with an index.
users_rev() {
	write_rev -m users 0001 "" \
	    "CREATE TABLE users (id integer NOT NULL, email text NOT NULL DEFAULT '', score integer);
CREATE INDEX ix_users_score ON users (score);" \
	    "DROP TABLE users;"
}

# A revision after the broken one, which must not be tested.
after_rev() { # DOWN
	write_rev -m after 0009 "$1" "CREATE TABLE after_t (x integer);" \
	    "DROP TABLE after_t;"
}

# --- a correct project --------------------------------------------------------

@test "a correct project passes: every revision in plan order, a summary, the configured database untouched, no scratch left" {
	# 0001 <- 0002 <- 0004 and 0001 <- 0003, merged by 0005: plan
	# order is 0001 0002 0003 0004 0005 (the smallest ready id first).
	if is_pg; then
		write_file 0001_users 0001 "" <<'EOF'
-- migrate:upgrade
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL DEFAULT '',
    score integer CONSTRAINT users_score_min CHECK (score >= 0));
CREATE INDEX ix_users_email ON users (email);

-- migrate:downgrade
DROP TABLE users;
EOF
		write_file 0002_orders 0002 0001 <<'EOF'
-- migrate:upgrade
CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL
    REFERENCES users (id) ON DELETE CASCADE, total numeric(10,2) DEFAULT 0);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE users ALTER COLUMN score SET DEFAULT 1;

-- migrate:downgrade
ALTER TABLE users ALTER COLUMN score DROP DEFAULT;
ALTER TABLE users DROP CONSTRAINT users_email_key;
DROP TABLE orders;
EOF
		write_file 0003_view_and_trigger 0003 0001 <<'EOF'
-- migrate:upgrade
CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> '';
CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.email := lower(NEW.email);
	RETURN NEW;
END $$;
CREATE TRIGGER trg_users BEFORE INSERT ON users FOR EACH ROW
    EXECUTE FUNCTION lower_email();

-- migrate:downgrade
DROP TRIGGER trg_users ON users;
DROP FUNCTION lower_email();
DROP VIEW v_users;
EOF
		write_file 0004_mood 0004 0002 <<'EOF'
-- migrate:upgrade
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TABLE users ADD COLUMN m mood DEFAULT 'ok';

-- migrate:downgrade
ALTER TABLE users DROP COLUMN m;
DROP TYPE mood;
EOF
		# A label cannot be dropped: the downgrade recreates the type.
		write_file 0005_merge_happy 0005 "0003, 0004" <<'EOF'
-- migrate:upgrade
ALTER TYPE mood ADD VALUE 'happy';

-- migrate:downgrade
ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TABLE users ALTER COLUMN m DROP DEFAULT;
ALTER TABLE users ALTER COLUMN m TYPE mood USING m::text::mood;
ALTER TABLE users ALTER COLUMN m SET DEFAULT 'ok';
DROP TYPE mood_old;
EOF
	else
		write_file 0001_users 0001 "" <<'EOF'
-- migrate:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '',
    score INTEGER CHECK (score >= 0));
CREATE INDEX ix_users_email ON users (email);

-- migrate:downgrade
DROP TABLE users;
EOF
		write_file 0002_orders 0002 0001 <<'EOF'
-- migrate:upgrade
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER
    NOT NULL REFERENCES users (id) ON DELETE CASCADE, total REAL DEFAULT 0,
    UNIQUE (user_id, id));
CREATE UNIQUE INDEX users_email_key ON users (email);

-- migrate:downgrade
DROP INDEX users_email_key;
DROP TABLE orders;
EOF
		write_file 0003_view_and_trigger 0003 0001 <<'EOF'
-- migrate:upgrade
CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> '';
CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN
    UPDATE users SET email = lower(email) WHERE id = new.id; END;

-- migrate:downgrade
DROP TRIGGER trg_users;
DROP VIEW v_users;
EOF
		# A rebuild each way: the index, trigger and view on users are
		# recreated around it.
		write_file 0004_score_not_null 0004 0002 <<'EOF'
-- migrate:upgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '',
    score INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0));

-- migrate:downgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '',
    score INTEGER CHECK (score >= 0));
EOF
		write_file 0005_merge_audit 0005 "0003, 0004" <<'EOF'
-- migrate:upgrade
CREATE TABLE audit (at TEXT DEFAULT CURRENT_TIMESTAMP, what TEXT);
CREATE TRIGGER trg_orders AFTER DELETE ON orders BEGIN
    INSERT INTO audit (what) VALUES ('order ' || old.id); END;

-- migrate:downgrade
DROP TRIGGER trg_orders;
DROP TABLE audit;
EOF
	fi
	local stems=(0001_users 0002_orders 0003_view_and_trigger)
	if is_pg; then
		stems+=(0004_mood 0005_merge_happy)
	else
		stems+=(0004_score_not_null 0005_merge_audit)
	fi
	mig test
	assert_passed "${stems[@]}"
	assert_clean
	# --to: 0003 and its ancestors only.
	mig test --to 0003
	assert_passed 0001_users 0003_view_and_trigger
	assert_clean
}

@test "an existing configured database is left exactly as it was" {
	chain 3
	mig upgrade 0001
	assert_status 0
	db_sql "INSERT INTO t1 VALUES (42)" >/dev/null
	local state files
	state=$(db_state)
	files=$(ls -A)
	is_pg || cp app.db "$TEST_ROOT/app.db.before"
	mig test
	assert_passed 0001_rev_0001 0002_rev_0002 0003_rev_0003
	assert_eq "$(db_state)" "$state" "the configured database"
	assert_eq "$(ls -A)" "$files" "the project's files"
	is_pg || cmp app.db "$TEST_ROOT/app.db.before" ||
	    fail "app.db changed"
	assert_eq "$(scratch_left)" "" "scratch databases left behind"
}

@test "the shipping example passes on a scratch database (rebuilds, a C plugin)" {
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler for 0011"
	cp "$BATS_TEST_DIRNAME/../../examples/shipping/versions/"* versions/
	mig test
	assert_passed 0001_create_users 0002_create_countries \
	    0003_create_shipments 0004_index_shipments_user_id \
	    0005_add_tracking_code 0006_backfill_tracking_code \
	    0007_tracking_code_not_null 0008_expand_users_full_name \
	    0009_migrate_users_full_name 0010_contract_users_name \
	    0011_shipments_carrier
	assert_clean
}

# --- broken downgrades --------------------------------------------------------

@test "a downgrade that forgets to drop an index is caught: left behind, the index named" {
	users_rev
	write_rev -m "tags and email index" 0002 0001 \
	    "CREATE TABLE tags (name text);
CREATE INDEX ix_users_email ON users (email);" "DROP TABLE tags;"
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_tags_and_email_index 0001_users downgrade)
	if is_pg; then
		assert_diffs "$d" "left behind: index public.users ix_users_email: CREATE INDEX ix_users_email ON public.users USING btree (email)"
	else
		assert_diffs "$d" "left behind: index users ix_users_email keys: (email ASC COLLATE BINARY) ORIGIN c
left behind: index users ix_users_email: CREATE INDEX ix_users_email ON users(email)"
	fi
	assert_clean
}

@test "a downgrade that forgets to restore a column default is caught: not restored, the column named" {
	if is_pg; then
		users_rev
		write_rev -m "email default" 0002 0001 \
		    "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none';" \
		    "ALTER TABLE users ALTER COLUMN email DROP DEFAULT;"
	else
		# SQLite's ALTER TABLE cannot change a default: a rebuild each
		# way, the downgrade's definition without the old default.
		write_file 0001_users 0001 "" <<'EOF'
-- migrate:upgrade
CREATE TABLE users (id integer NOT NULL, email text NOT NULL DEFAULT '', score integer);
CREATE INDEX ix_users_score ON users (score);

-- migrate:downgrade
DROP TABLE users;
EOF
		write_file 0002_email_default 0002 0001 <<'EOF'
-- migrate:upgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id integer NOT NULL, email text NOT NULL DEFAULT 'none', score integer);

-- migrate:downgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id integer NOT NULL, email text NOT NULL, score integer);
EOF
	fi
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_email_default 0001_users downgrade)
	if is_pg; then
		assert_diffs "$d" "left behind: column public.users.email text NOT NULL
not restored: column public.users.email text NOT NULL DEFAULT ''::text"
	else
		assert_diffs "$d" "left behind: column users.email TEXT NOT NULL
left behind: table users: CREATE TABLE users(id integer NOT NULL, email text NOT NULL, score integer)
not restored: column users.email TEXT NOT NULL DEFAULT ''
not restored: table users: CREATE TABLE users(id integer NOT NULL, email text NOT NULL DEFAULT '', score integer)"
	fi
	assert_clean
}

@test "a downgrade that forgets a unique constraint is caught: left behind, the constraint named" {
	users_rev
	if is_pg; then
		write_rev -m "email unique score max" 0002 0001 \
		    "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE users ADD CONSTRAINT users_score_max CHECK (score < 1000);" \
		    "ALTER TABLE users DROP CONSTRAINT users_score_max;"
	else
		write_rev -m "email unique score max" 0002 0001 \
		    "CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE limits (score_max integer CHECK (score_max > 0));" \
		    "DROP TABLE limits;"
	fi
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_email_unique_score_max 0001_users downgrade)
	if is_pg; then
		assert_diffs "$d" "left behind: constraint public.users users_email_key: UNIQUE (email)
left behind: index public.users users_email_key: CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)"
	else
		assert_diffs "$d" "left behind: index users users_email_key keys: (email ASC COLLATE BINARY) UNIQUE ORIGIN c
left behind: index users users_email_key: CREATE UNIQUE INDEX users_email_key ON users(email)"
	fi
	assert_clean
}

@test "SQLite: a rebuild downgrade that keeps the CHECK the upgrade added is caught, the table named" {
	only_sqlite "PostgreSQL drops a CHECK in place (the previous test)"
	users_rev
	write_file 0002_score_max 0002 0001 <<'EOF'
-- migrate:upgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id integer NOT NULL, email text NOT NULL DEFAULT '', score integer,
    CONSTRAINT ck_users_score CHECK (score < 1000));

-- migrate:downgrade sqlite
-- migrate:rebuild users
CREATE TABLE users (id integer NOT NULL, email text NOT NULL DEFAULT '', score integer,
    CONSTRAINT ck_users_score CHECK (score < 1000));
EOF
	mig test
	local d
	d=$(assert_caught 0002_score_max 0001_users downgrade)
	assert_diffs "$d" "left behind: table users: CREATE TABLE users(id integer NOT NULL, email text NOT NULL DEFAULT '', score integer, CONSTRAINT ck_users_score CHECK(score < 1000))
not restored: table users: CREATE TABLE users(id integer NOT NULL, email text NOT NULL DEFAULT '', score integer)"
	assert_clean
}

@test "PostgreSQL: a downgrade that leaves an enum label the upgrade added is caught, the type named" {
	is_pg || skip "PostgreSQL only: SQLite has no enum types"
	write_rev -m mood 0001 "" "CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE users (id integer, m mood DEFAULT 'ok');" \
	    "DROP TABLE users; DROP TYPE mood;"
	# The usual mistake: "a label cannot be dropped", so nothing.
	write_rev -m "mood happy" 0002 0001 \
	    "ALTER TYPE mood ADD VALUE 'happy';" \
	    "-- PostgreSQL cannot drop an enum label: nothing to do"
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_mood_happy 0001_mood downgrade)
	assert_diffs "$d" "not restored: enum public.mood: 'sad', 'ok'
left behind: enum public.mood: 'sad', 'ok', 'happy'"
	assert_clean
	# A downgrade that recreates the type, but in another order.
	write_rev -m "mood happy" 0002 0001 \
	    "ALTER TYPE mood ADD VALUE 'happy';" \
	    "ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('ok', 'sad');
ALTER TABLE users ALTER COLUMN m DROP DEFAULT;
ALTER TABLE users ALTER COLUMN m TYPE mood USING m::text::mood;
ALTER TABLE users ALTER COLUMN m SET DEFAULT 'ok';
DROP TYPE mood_old;"
	mig test
	d=$(assert_caught 0002_mood_happy 0001_mood downgrade)
	assert_diffs "$d" "not restored: enum public.mood: 'sad', 'ok'
left behind: enum public.mood: 'ok', 'sad'"
	assert_clean
}

@test "a downgrade that forgets to drop a view is caught: left behind, the view named" {
	users_rev
	write_rev -m "emails view" 0002 0001 \
	    "CREATE VIEW v_emails AS SELECT email FROM users;
CREATE TABLE notes (body text);" "DROP TABLE notes;"
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_emails_view 0001_users downgrade)
	if is_pg; then
		assert_diffs "$d" "left behind: view public.v_emails: SELECT users.email\\n   FROM public.users;"
	else
		assert_diffs "$d" "left behind: view v_emails: CREATE VIEW v_emails AS SELECT email FROM users"
	fi
	assert_clean
}

@test "a downgrade that recreates a view with another definition is caught: both definitions shown" {
	write_rev -m users 0001 "" \
	    "CREATE TABLE users (id integer, email text);
CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> '';" \
	    "DROP VIEW v_users; DROP TABLE users;"
	# The downgrade's copy of the old view lost its WHERE.
	write_rev -m "v_users lower" 0002 0001 \
	    "DROP VIEW v_users;
CREATE VIEW v_users AS SELECT id, lower(email) AS email FROM users WHERE email <> '';" \
	    "DROP VIEW v_users;
CREATE VIEW v_users AS SELECT id, email FROM users;"
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_v_users_lower 0001_users downgrade)
	if is_pg; then
		assert_diffs "$d" "left behind: view public.v_users: SELECT users.id,\\n    users.email\\n   FROM public.users;
not restored: view public.v_users: SELECT users.id,\\n    users.email\\n   FROM public.users\\n  WHERE (users.email <> ''::text);"
	else
		assert_diffs "$d" "left behind: view v_users: CREATE VIEW v_users AS SELECT id, email FROM users
not restored: view v_users: CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> ''"
	fi
	assert_clean
}

@test "a downgrade that recreates a table without its trigger is caught: not restored, the trigger named" {
	# users(id, email) with a trigger; 0002 recreates it with a name
	# column (and the trigger), its downgrade recreates the old table
	# but forgets the trigger.
	if is_pg; then
		write_rev -m users 0001 "" \
		    "CREATE TABLE users (id integer NOT NULL, email text);
CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	NEW.email := lower(NEW.email);
	RETURN NEW;
END \$\$;
CREATE TRIGGER trg_users BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION lower_email();" \
		    "DROP TABLE users; DROP FUNCTION lower_email();"
		write_rev -m "users name" 0002 0001 \
		    "CREATE TABLE users_new (id integer NOT NULL, email text, name text);
INSERT INTO users_new (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE TRIGGER trg_users BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION lower_email();" \
		    "CREATE TABLE users_old (id integer NOT NULL, email text);
INSERT INTO users_old SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;"
	else
		write_rev -m users 0001 "" \
		    "CREATE TABLE users (id integer NOT NULL, email text);
CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN
    UPDATE users SET email = lower(email) WHERE id = new.id; END;" \
		    "DROP TABLE users;"
		write_rev -m "users name" 0002 0001 \
		    "CREATE TABLE users_new (id integer NOT NULL, email text, name text);
INSERT INTO users_new (id, email) SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN
    UPDATE users SET email = lower(email) WHERE id = new.id; END;" \
		    "CREATE TABLE users_old (id integer NOT NULL, email text);
INSERT INTO users_old SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;"
	fi
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_users_name 0001_users downgrade)
	# The table itself came back as it was (its SQL, on SQLite, names it
	# "users" after the rename): only the trigger differs.
	if is_pg; then
		assert_diffs "$d" "not restored: trigger public.users trg_users: CREATE TRIGGER trg_users BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.lower_email()"
	else
		assert_diffs "$d" "not restored: trigger users trg_users: CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN UPDATE users SET email = lower(email) WHERE id = new.id; END"
	fi
	assert_clean
}

# --- upgrading again ----------------------------------------------------------

@test "PostgreSQL: an upgrade whose schema depends on rows its downgrade leaves is caught upgrading again" {
	is_pg || skip "SQLite has no dynamic DDL: an upgrade's schema cannot depend on rows"
	write_rev -m statuses 0001 "" \
	    "CREATE TABLE statuses (name text NOT NULL);
INSERT INTO statuses VALUES ('new'), ('done');" "DROP TABLE statuses;"
	# The CHECK lists the statuses there are; the downgrade drops it
	# but leaves the row the upgrade added, which the next upgrade adds
	# again.
	write_rev -m "archived" 0002 0001 \
	    "INSERT INTO statuses VALUES ('archived');
DO \$\$ BEGIN EXECUTE (SELECT format(
    'ALTER TABLE statuses ADD CONSTRAINT statuses_known CHECK (name IN (%s))',
    string_agg(quote_literal(name), ', ' ORDER BY name)) FROM statuses); END \$\$;" \
	    "ALTER TABLE statuses DROP CONSTRAINT statuses_known;"
	after_rev 0002
	mig test
	local d
	d=$(assert_caught 0002_archived 0001_statuses again)
	assert_diffs "$d" "added the second time: constraint public.statuses statuses_known: CHECK ((name = ANY (ARRAY['archived'::text, 'archived'::text, 'done'::text, 'new'::text])))
missing the second time: constraint public.statuses statuses_known: CHECK ((name = ANY (ARRAY['archived'::text, 'done'::text, 'new'::text])))"
	assert_clean
}

@test "an upgrade that fails the second time (seed rows the downgrade left) names the revision and 'upgrading again'" {
	write_rev -m countries 0001 "" \
	    "CREATE TABLE countries (code text PRIMARY KEY, name text);" \
	    "DROP TABLE countries;"
	write_rev -m "seed countries" 0002 0001 \
	    "INSERT INTO countries VALUES ('fr', 'France');" "SELECT 1;"
	after_rev 0002
	mig test
	assert_status 1
	assert_eq "$(ok_stems)" "0001_countries" "the ok lines"
	local pos
	pos=$(locate versions/0002_seed_countries.sql INSERT)
	if is_pg; then
		assert_error_after_ok "versions/0002_seed_countries\.sql:$pos: 0002_seed_countries \(upgrading again\): .*duplicate key.*countries_pkey.*\(SQLSTATE 23505\)$"
	else
		assert_error_after_ok "versions/0002_seed_countries\.sql:$pos: 0002_seed_countries \(upgrading again\): UNIQUE constraint failed: countries\.code$"
	fi
	assert_clean
}

# --- --from, --to --------------------------------------------------------------

@test "--from and --to: only the revisions in range are tested, those before --from applied" {
	# 0001 and 0005 have broken downgrades; 0002..0004 need 0001's table.
	write_rev -m one 0001 "" \
	    "CREATE TABLE t1 (x integer); CREATE INDEX ix_t1 ON t1 (x);" \
	    "DROP INDEX ix_t1; CREATE TABLE forgotten (x integer);"
	local i
	for i in 2 3 4; do
		write_rev -m "n$i" 000$i 000$((i - 1)) \
		    "ALTER TABLE t1 ADD COLUMN c$i integer;
CREATE INDEX ix_t1_c$i ON t1 (c$i);" \
		    "DROP INDEX ix_t1_c$i;
ALTER TABLE t1 DROP COLUMN c$i;"
	done
	write_rev -m five 0005 0004 "CREATE INDEX ix_t1_c2_c3 ON t1 (c2, c3);" \
	    "SELECT 1;"
	mig test --from 0002 --to 0004
	assert_passed 0002_n2 0003_n3 0004_n4
	assert_clean
	mig test --from 0003 --to 0003
	assert_passed 0003_n3
	mig test --from 0004
	assert_caught 0005_five "0004_n4" downgrade >/dev/null
	mig test --to 0004
	assert_caught 0001_one "" downgrade >/dev/null
	mig test --from base --to 0004
	assert_caught 0001_one "" downgrade >/dev/null
	# A relative target resolves as elsewhere.
	mig test --from 0002 --to 0005-1
	assert_passed 0002_n2 0003_n3 0004_n4
	assert_clean
}

@test "--from and --to follow plan order, not the order of the ids" {
	# 0001 <- 0003 <- 0002 <- 0004: plan order 0001 0003 0002 0004.
	write_rev -m a 0001 "" "CREATE TABLE a (x integer);" "DROP TABLE a;"
	write_rev -m b 0003 0001 "CREATE TABLE b (x integer);" "DROP TABLE b;"
	write_rev -m c 0002 0003 "CREATE INDEX ix_b ON b (x);" "DROP INDEX ix_b;"
	write_rev -m d 0004 0002 "CREATE TABLE d (x integer);" "DROP TABLE d;"
	mig test
	assert_passed 0001_a 0003_b 0002_c 0004_d
	mig test --from 0003 --to 0002
	assert_passed 0003_b 0002_c
	mig test --from 0002
	assert_passed 0002_c 0004_d
	assert_clean
}

# --- --url -------------------------------------------------------------------

# SQL on the database at URL.
sql_at() { # URL SQL
	if is_pg; then
		PG_URL=$1 pg_sql "$2"
	else
		sqlite3 "${1#sqlite:///}" "$2"
	fi
}

@test "--url: runs on that database, which ends at the target, up-down-up in its history; the configured one untouched" {
	chain 3
	local url
	url=$(other_db_url other)
	mig test --url "$url"
	assert_status 0
	assert_eq "$(ok_stems)" "0001_rev_0001
0002_rev_0002
0003_rev_0003" "the ok lines"
	assert_eq "$(sed -n 1p <<<"$stderr")" "Testing 3 revisions on --url's database" \
	    "stderr"
	assert_eq "$(sql_at "$url" 'SELECT version_num FROM migrate_version')" \
	    0003 "the version rows of --url's database"
	assert_eq "$(sql_at "$url" "SELECT revision || ' ' || direction
	    FROM migrate_history ORDER BY id" | tr '\n' ' ')" \
	    "0001 up 0001 down 0001 up 0002 up 0002 down 0002 up 0003 up 0003 down 0003 up " \
	    "the history of --url's database"
	other_db_used other || fail "nothing in --url's database"
	assert_clean
	# --to: it ends at --to.
	url=$(other_db_url other2)
	mig test --url "$url" --to 0002
	assert_status 0
	assert_eq "$(sql_at "$url" 'SELECT version_num FROM migrate_version')" \
	    0002 "the version rows of --url's database after --to 0002"
	# Its schema is what upgrade gives (checked last: it writes the
	# configured database).
	local snap
	snap=$("$MIGRATE" --url "$url" snapshot)
	mig upgrade 0002
	assert_status 0
	assert_eq "$("$MIGRATE" snapshot)" "$snap" "the schema of --url's database"
}

@test "--url with another dialect than the configured one: that dialect is tested" {
	is_pg || skip "a PostgreSQL configuration with a SQLite --url"
	chain 2
	mig test --url sqlite:///other.db --json
	assert_status 0
	assert_match "$output" '"dialect": "sqlite"' stdout
	[ -s other.db ] || fail "other.db is empty"
	assert_eq "$(sqlite3 other.db 'SELECT version_num FROM migrate_version')" \
	    0002 "the version rows of other.db"
	assert_clean
}

# --- --json --------------------------------------------------------------------

# Check the --json document on stdout with the Python code CHECK (d is
# the document, args sys.argv[1:]).
json_check() { # CHECK [ARG...]
	local code=$1
	shift
	printf '%s' "$output" | python3 -c "
import json, sys
d = json.load(sys.stdin)
args = sys.argv[1:]
$code
" "$@" || fail "the --json document" "$output"
}

@test "--json on success: ok, dialect, tested, ms and a record per revision, nothing else on stdout" {
	chain 3
	mig test --json
	assert_status 0
	assert_eq "$stderr" "" stderr
	json_check '
assert set(d) == {"ok", "dialect", "tested", "ms", "revisions"}, d
assert d["ok"] is True, d
assert d["dialect"] == args[0], d
assert d["tested"] == 3, d
assert type(d["ms"]) is int and d["ms"] >= 0, d
ids = [r["revision"] for r in d["revisions"]]
assert ids == ["0001", "0002", "0003"], ids
for r in d["revisions"]:
    assert set(r) == {"revision", "file", "ok", "ms"}, r
    assert r["ok"] is True, r
    assert type(r["ms"]) is int, r
    assert r["file"] == "versions/%s_rev_%s.sql" % (r["revision"], r["revision"]), r
' "$DIALECT"
	# The global option too.
	mig --json test --from 0002
	assert_status 0
	json_check 'assert [r["revision"] for r in d["revisions"]] == ["0002", "0003"], d'
	assert_clean
}

@test "--json on a failure: ok false, the failing revision with its phase and differences naming the object" {
	users_rev
	write_rev -m "email index" 0002 0001 \
	    "CREATE INDEX ix_users_email ON users (email);" "SELECT 1;"
	after_rev 0002
	mig test --json
	assert_status 1
	json_check '
assert d["ok"] is False, d
assert d["dialect"] == args[0], d
revs = d["revisions"]
assert [r["revision"] for r in revs] == ["0001", "0002"], revs
assert revs[0]["ok"] is True, revs
f = revs[1]
assert set(f) == {"revision", "file", "ok", "phase", "differences"}, f
assert f["ok"] is False and f["phase"] == "downgrade", f
assert f["file"] == "versions/0002_email_index.sql", f
assert len(f["differences"]) >= 1, f
for x in f["differences"]:
    assert set(x) == {"change", "object"}, x
    assert x["change"] == "left behind", x
    assert "ix_users_email" in x["object"], x
    assert x["object"].startswith("index "), x
' "$DIALECT"
	# The error is on stderr as without --json.
	assert_match "$stderr" "migrate: error: 0002_email_index: the downgrade does not give back the schema" \
	    stderr
	assert_clean
}

@test "PostgreSQL: --json on an upgrade-again failure: phase 'upgrade again'" {
	is_pg || skip "needs dynamic DDL (see the upgrading-again test)"
	write_rev -m statuses 0001 "" \
	    "CREATE TABLE statuses (name text NOT NULL);
INSERT INTO statuses VALUES ('new');" "DROP TABLE statuses;"
	write_rev -m archived 0002 0001 \
	    "INSERT INTO statuses VALUES ('archived');
DO \$\$ BEGIN EXECUTE (SELECT format(
    'ALTER TABLE statuses ADD CONSTRAINT statuses_known CHECK (name IN (%s))',
    string_agg(quote_literal(name), ', ' ORDER BY name)) FROM statuses); END \$\$;" \
	    "ALTER TABLE statuses DROP CONSTRAINT statuses_known;"
	mig test --json
	assert_status 1
	json_check '
assert d["ok"] is False and d["tested"] == 1, d
f = d["revisions"][-1]
assert f["revision"] == "0002" and f["phase"] == "upgrade again", f
ch = sorted(x["change"] for x in f["differences"])
assert ch == ["added the second time", "missing the second time"], ch
assert all("statuses_known" in x["object"] for x in f["differences"]), f
'
	assert_clean
}

# --- --strict ----------------------------------------------------------------

@test "--strict: a downgrade that drops and re-adds a column passes without it, fails with it on the columns line" {
	write_rev -m t 0001 "" "CREATE TABLE t (a integer, b text, c integer);" \
	    "DROP TABLE t;"
	write_rev -m "drop b" 0002 0001 "ALTER TABLE t DROP COLUMN b;" \
	    "ALTER TABLE t ADD COLUMN b text;"
	local d
	if is_pg; then
		# PostgreSQL cannot put b back in its place: not a difference
		# unless asked.
		mig test
		assert_passed 0001_t 0002_drop_b
		mig test --strict
		d=$(assert_caught 0002_drop_b 0001_t downgrade)
		assert_diffs "$d" "left behind: table public.t columns: a, c, b
not restored: table public.t columns: a, b, c"
	else
		# SQLite's table SQL shows b moved even without --strict.
		mig test
		d=$(assert_caught 0002_drop_b 0001_t downgrade)
		assert_diffs "$d" "left behind: table t: CREATE TABLE t(a integer, c integer, b text)
not restored: table t: CREATE TABLE t(a integer, b text, c integer)"
		mig test --strict
		d=$(assert_caught 0002_drop_b 0001_t downgrade)
		assert_diff "$d" "^left behind: table t columns: a, c, b$"
		assert_diff "$d" "^not restored: table t columns: a, b, c$"
	fi
	assert_clean
}

# --- the error's form, interruptions ------------------------------------------

@test "the difference lines end stderr: no blank line after them" {
	users_rev
	write_rev -m "email index" 0002 0001 \
	    "CREATE INDEX ix_users_email ON users (email);" "SELECT 1;"
	# Not through run, which drops trailing newlines.
	"$MIGRATE" test >/dev/null 2>"$TEST_ROOT/err" &&
	    fail "migrate test passed"
	assert_match "$(tail -n 1 "$TEST_ROOT/err")" '^  left behind: index ' \
	    "the last line of stderr (all of it: <$(cat -A "$TEST_ROOT/err")>)"
	assert_clean
}

# Start migrate test in the background in a process group of its own (as
# a shell with job control does: SIGINT is not ignored), wait until its
# scratch database exists and its slow first revision runs, send SIG, and
# set LEFT to what it left; anything left is removed, so that the tests
# after this one start clean.
interrupt() { # SIG
	local pid i name
	LEFT=
	set -m
	"$MIGRATE" test >/dev/null 2>&1 &
	pid=$!
	set +m
	BG_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		LEFT=$(scratch_left)
		[ -z "$LEFT" ] || break
		sleep 0.1
	done
	[ -n "$LEFT" ] || { fail "SIG$1: no scratch database appeared"; return 1; }
	sleep 0.5
	kill -s "$1" "$pid"
	wait "$pid" 2>/dev/null || true
	BG_PIDS=()
	LEFT=$(scratch_left)
	for name in $LEFT; do
		if is_pg; then
			PG_URL=$(db_url_with_name postgres) pg_sql \
			    "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
		else
			rm -f "$TMPDIR/$name"
		fi
	done
}

@test "interrupted (SIGINT as ^C sends it, SIGTERM): the scratch database is still removed" {
	if is_pg; then
		write_rev -m slow 0001 "" "SELECT pg_sleep(10);" "SELECT 1;"
	else
		write_rev -m slow 0001 "" "WITH RECURSIVE c(x) AS (SELECT 1
    UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c;" \
		    "SELECT 1;"
	fi
	local int
	interrupt INT
	int=$LEFT
	interrupt TERM
	assert_eq "$int" "" "left behind after SIGINT"
	assert_eq "$LEFT" "" "left behind after SIGTERM"
	assert_no_database
}

# --- failures ----------------------------------------------------------------

@test "a failing statement in a downgrade: exit 1, the statement's error naming the file, scratch cleaned up" {
	users_rev
	write_rev -m tags 0002 0001 "CREATE TABLE tags (name text);" \
	    "DROP TABLE tagz;"
	after_rev 0002
	mig test
	assert_status 1
	assert_eq "$(ok_stems)" "0001_users" "the ok lines"
	refute_contains "$output" "every downgrade" stdout
	local pos
	pos=$(locate versions/0002_tags.sql "DROP TABLE tagz")
	if is_pg; then
		assert_error_after_ok "versions/0002_tags\.sql:$pos: 0002_tags: .*tagz.* does not exist \(SQLSTATE 42P01\)$"
	else
		assert_error_after_ok "versions/0002_tags\.sql:$pos: 0002_tags: no such table: tagz$"
	fi
	assert_clean
	# --json: the revisions tested before it, then the failing one with
	# its phase and the error.
	mig test --json
	assert_status 1
	json_check '
assert d["ok"] is False and d["tested"] == 1, d
assert [r["revision"] for r in d["revisions"]] == ["0001", "0002"], d
f = d["revisions"][1]
assert f["ok"] is False and f["phase"] == "downgrade", f
assert "tagz" in f["error"], f
'
	assert_clean
}

@test "a revision without a downgrade section stops the test before anything runs (exit 2), scratch cleaned up" {
	users_rev
	write_rev -m tags 0002 0001 "CREATE TABLE tags (name text);"
	mig test
	assert_status 2
	# Every file of the run is read before the first revision is tested.
	assert_eq "$(ok_stems)" "" "the ok lines"
	assert_contains "$stderr" "versions/0002_tags.sql: revision '0002' has no '-- migrate:downgrade' section"
	assert_clean
}

@test "SQLite: a TMPDIR where no scratch file can be made is an error, the configured database untouched" {
	only_sqlite "the PostgreSQL scratch database is made on the server"
	chain 1
	TMPDIR=$TEST_ROOT/no/such/dir mig test
	assert_status 1
	assert_error "cannot create a scratch database in '$TEST_ROOT/no/such/dir'"
	assert_clean
}

@test "PostgreSQL: a role without CREATEDB: exit 1 with a hint; --url of a database it may change works" {
	is_pg || skip "PostgreSQL only"
	chain 2
	local role=nocreate_$PG_DB
	pg_sql "CREATE ROLE $role LOGIN NOCREATEDB"
	printf '[migrate]\nscript_location = versions\nurl = %s\n' \
	    "${PG_URL/user=migrate/user=$role}" >migrate.ini
	grep -q "user=$role" migrate.ini || fail "migrate.ini" "$(cat migrate.ini)"
	mig test
	assert_status 1
	assert_error "cannot create the scratch database: .*permission denied to create database"
	assert_stderr_contains "hint: migrate test needs CREATEDB on the configured server, or --url"
	assert_clean
	mig test --url "$(other_db_url other)"
	assert_status 0
	assert_eq "$(ok_stems)" "0001_rev_0001
0002_rev_0002" "the ok lines"
	assert_clean
	pg_sql "DROP ROLE $role"
}

@test "bad usage: operands, no URL (exit 2, nothing touched)" {
	chain 1
	mig test 0001
	assert_status 2
	assert_error "test: takes no operands"
	printf '[migrate]\nscript_location = versions\n' >migrate.ini
	mig test
	assert_status 2
	assert_error "no database URL"
	assert_clean
}

@test "--url of a database that is not at base is refused (exit 2) and left as it was" {
	users_rev
	local other
	other=$(other_db_url other)
	mig --url "$other" upgrade head
	assert_status 0
	mig test --url "$other"
	assert_status 2
	assert_error "the database at --url is at '0001', not at base"
	mig --url "$other" current
	assert_match "$output" "^0001" "still at 0001"
}

@test "an empty range is refused (exit 2) rather than passed without testing" {
	users_rev
	after_rev 0001
	mig test --to base
	assert_status 2
	assert_error "nothing to test from 'base' to 'base': the range holds no revision"
	mig test --from 0009 --to 0001
	assert_status 2
	assert_error "nothing to test from '0009' to '0001': the range holds no revision"
	assert_clean
}

@test "snapshots stay exact when a table is read from the snapshot cache (backslashes, newlines in defaults)" {
	write_rev -m odd 0001 "" "CREATE TABLE odd (a text DEFAULT 'x\\y', b text DEFAULT 'l1
l2');" "DROP TABLE odd;"
	write_rev -m other 0002 0001 "CREATE TABLE other (id integer);
CREATE INDEX ix_other ON other (id);" "DROP TABLE other;"
	write_rev -m more 0003 0002 "CREATE INDEX ix_odd_a ON odd (a);" \
	    "DROP INDEX ix_odd_a;"
	mig test
	assert_status 0
	assert_eq "$(ok_stems)" $'0001_odd\n0002_other\n0003_more' "the ok lines"
}
