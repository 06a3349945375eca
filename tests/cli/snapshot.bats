#!/usr/bin/env bats
# migrate snapshot: the normalized schema that `migrate test` compares
# (SQLite, or PostgreSQL with MIGRATE_TEST_DIALECT=postgresql). Each test
# checks a property the comparison relies on: the facts are there and
# exact, the version tables and data are not, the order of creation does
# not count, and any one change to the schema shows, naming its object.

load helpers

# The schema most tests start from, one statement an element.
if is_pg; then
	SCHEMA=(
	"CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')"
	"CREATE DOMAIN posint AS integer CONSTRAINT positive CHECK (VALUE > 0)"
	"CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	    email text NOT NULL DEFAULT '', name text, m mood DEFAULT 'ok',
	    score posint, twice bigint GENERATED ALWAYS AS (id * 2) STORED,
	    CONSTRAINT score_max CHECK (score < 1000))"
	"CREATE INDEX ix_users_email ON users (email)"
	"CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint NOT NULL
	    REFERENCES users (id) ON DELETE CASCADE, total numeric(10,2) DEFAULT 0)"
	"CREATE SEQUENCE counter START 100"
	"CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> ''"
	'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.name := lower(NEW.name);
	RETURN NEW;
END $$'
	"CREATE TRIGGER trg_users BEFORE INSERT ON users FOR EACH ROW
	    EXECUTE FUNCTION touch()"
	"COMMENT ON TABLE users IS 'the users'"
	"COMMENT ON COLUMN users.email IS 'their email'"
	)
	# The same statements in another order that PostgreSQL accepts.
	REORDERED=(7 5 1 0 2 10 6 4 8 3 9)
else
	SCHEMA=(
	"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL
	    DEFAULT '', name TEXT COLLATE NOCASE, score INTEGER CHECK (score >= 0))"
	"CREATE UNIQUE INDEX ix_users_email ON users (email)"
	"CREATE INDEX ix_users_name ON users (name DESC) WHERE name IS NOT NULL"
	"CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id
	    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	    total REAL DEFAULT 0)"
	"CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'on')"
	"CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> ''"
	"CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN
	    UPDATE users SET name = lower(name) WHERE id = new.id; END"
	)
	REORDERED=(4 3 0 6 2 5 1)
fi

# Run SQL on the database at URL (the test's own by default).
sql_at() { # URL SQL
	if is_pg; then
		PG_URL=$1 pg_sql "$2" >/dev/null
	else
		sqlite3 "${1#sqlite:///}" "$2"
	fi
}

# Create SCHEMA at URL, its statements in the order of the indices given
# (all of them in order by default).
build_schema() { # URL [INDEX...]
	local url=$1 i
	shift
	[ $# -gt 0 ] || set -- "${!SCHEMA[@]}"
	for i in "$@"; do
		sql_at "$url" "${SCHEMA[$i]}" || fail "statement $i failed"
	done
}

# The snapshot of the test's database (or of URL), which must succeed.
snapshot() { # [URL]
	if [ $# -gt 0 ]; then
		mig --url "$1" snapshot
	else
		mig snapshot
	fi
	assert_status 0 >&2 || return 1
	assert_eq "${stderr-}" "" "stderr of snapshot" >&2 || return 1
	printf '%s\n' "$output"
}

# The snapshot must hold LINE exactly, as a whole line.
assert_line() { # SNAPSHOT LINE
	grep -qxF -- "$2" <<<"$1" ||
	    fail "no line <$2> in the snapshot:" "$1"
}

# Apply CHANGE to the database at BASE's state: the snapshot must differ,
# and every line that differs must match the ERE WHAT (the diff names the
# object changed, and nothing else moved). Then UNDO, if given, must give
# BASE back.
assert_change() { # BASE WHAT CHANGE [UNDO]
	local base=$1 what=$2 after diff line
	db_sql "$3" >/dev/null || fail "cannot apply: $3" || return 1
	after=$(snapshot) || return 1
	diff=$(diff <(printf '%s\n' "$base") <(printf '%s\n' "$after") |
	    grep '^[<>]') ||
	    fail "the snapshot did not change after: $3" || return 1
	while IFS= read -r line; do
		[[ $line =~ $what ]] ||
		    fail "after: $3" "a line outside /$what/ changed:" \
		    "$diff" || return 1
	done <<<"$diff"
	if [ $# -ge 4 ]; then
		db_sql "$4" >/dev/null || fail "cannot apply: $4" || return 1
		assert_eq "$(snapshot)" "$base" "the snapshot after: $4"
	fi
}

@test "snapshot of an empty database: nothing of the user's" {
	local s
	s=$(snapshot)
	if is_pg; then
		# What every database has: the public schema and PL/pgSQL.
		assert_eq "$s" "extension plpgsql: VERSION '1.0' SCHEMA pg_catalog
schema public" "snapshot"
	else
		assert_eq "$s" "" "snapshot"
	fi
}

@test "SQLite: the snapshot of a schema holds exactly its facts" {
	only_sqlite "PostgreSQL has its own test"
	build_schema "$(db_url)"
	mig snapshot
	assert_status 0
	assert_stdout "column orders.id INTEGER PRIMARY KEY 1
column orders.total REAL DEFAULT 0
column orders.user_id INTEGER NOT NULL
column prefs.k TEXT NOT NULL
column prefs.v TEXT DEFAULT 'on'
column users.email TEXT NOT NULL DEFAULT ''
column users.id INTEGER PRIMARY KEY 1
column users.name TEXT
column users.score INTEGER
foreign key orders: (user_id) REFERENCES users (id) ON UPDATE NO ACTION ON DELETE CASCADE MATCH NONE
index users ix_users_email keys: (email ASC COLLATE BINARY) UNIQUE ORIGIN c
index users ix_users_email: CREATE UNIQUE INDEX ix_users_email ON users(email)
index users ix_users_name keys: (name DESC COLLATE NOCASE) ORIGIN c PARTIAL
index users ix_users_name: CREATE INDEX ix_users_name ON users(name DESC) WHERE name IS NOT NULL
table orders columns: id, user_id, total
table orders: CREATE TABLE orders(id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, total REAL DEFAULT 0)
table prefs columns: k, v
table prefs: CREATE TABLE prefs(k TEXT NOT NULL, v TEXT DEFAULT 'on')
table users columns: id, email, name, score
table users: CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '', name TEXT COLLATE NOCASE, score INTEGER CHECK(score >= 0))
trigger users trg_users: CREATE TRIGGER trg_users AFTER INSERT ON users BEGIN UPDATE users SET name = lower(name) WHERE id = new.id; END
view v_users: CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> ''"
	assert_eq "$stderr" "" stderr
}

@test "SQLite: automatic indexes, generated columns and composite keys" {
	only_sqlite "SQLite's pragmas"
	db_sql "CREATE TABLE t (a TEXT, b INTEGER, c INTEGER GENERATED ALWAYS
	    AS (b * 2) STORED, UNIQUE (b, a), PRIMARY KEY (a, b)) WITHOUT ROWID"
	local s
	s=$(snapshot)
	assert_line "$s" "column t.a TEXT NOT NULL PRIMARY KEY 1"
	assert_line "$s" "column t.b INTEGER NOT NULL PRIMARY KEY 2"
	assert_line "$s" "column t.c INTEGER GENERATED STORED"
	assert_line "$s" "index t sqlite_autoindex_t_1 keys: (b ASC COLLATE BINARY, a ASC COLLATE BINARY) UNIQUE ORIGIN u"
	assert_line "$s" "index t sqlite_autoindex_t_2 keys: (a ASC COLLATE BINARY, b ASC COLLATE BINARY) UNIQUE ORIGIN pk"
	assert_line "$s" "table t: CREATE TABLE t(a TEXT, b INTEGER, c INTEGER GENERATED ALWAYS AS(b * 2) STORED, UNIQUE(b, a), PRIMARY KEY(a, b)) WITHOUT ROWID"
}

@test "PostgreSQL: the snapshot of a schema holds its facts, exactly" {
	is_pg || skip "PostgreSQL only: SQLite has its own test"
	build_schema "$(db_url)"
	local s
	s=$(snapshot)
	assert_line "$s" "schema public"
	assert_line "$s" "table public.users"
	assert_line "$s" "table public.users columns: id, email, name, m, score, twice"
	assert_line "$s" "column public.users.id bigint NOT NULL GENERATED ALWAYS AS IDENTITY"
	assert_line "$s" "column public.users.email text NOT NULL DEFAULT ''::text"
	assert_line "$s" "column public.users.name text"
	assert_line "$s" "column public.users.m public.mood DEFAULT 'ok'::public.mood"
	assert_line "$s" "column public.users.score public.posint"
	assert_line "$s" "column public.users.twice bigint GENERATED ALWAYS AS ((id * 2)) STORED"
	assert_line "$s" "column public.orders.id integer NOT NULL DEFAULT nextval('public.orders_id_seq'::regclass)"
	assert_line "$s" "column public.orders.total numeric(10,2) DEFAULT 0"
	assert_line "$s" "constraint public.users score_max: CHECK (((score)::integer < 1000))"
	assert_line "$s" "constraint public.users users_pkey: PRIMARY KEY (id)"
	assert_line "$s" "constraint public.orders orders_user_id_fkey: FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE"
	assert_line "$s" "index public.users ix_users_email: CREATE INDEX ix_users_email ON public.users USING btree (email)"
	assert_line "$s" "index public.users users_pkey: CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"
	assert_line "$s" "view public.v_users: SELECT users.id,\n    users.email\n   FROM public.users\n  WHERE (users.email <> ''::text);"
	assert_line "$s" "sequence public.counter bigint START 100 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1"
	assert_line "$s" "sequence public.users_id_seq bigint START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 OWNED BY public.users.id"
	assert_line "$s" "sequence public.orders_id_seq integer START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 OWNED BY public.orders.id"
	assert_line "$s" "trigger public.users trg_users: CREATE TRIGGER trg_users BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()"
	assert_line "$s" 'function public.touch(): CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n\tNEW.name := lower(NEW.name);\n\tRETURN NEW;\nEND $function$'
	assert_line "$s" "enum public.mood: 'sad', 'ok', 'happy'"
	assert_line "$s" "domain public.posint: integer"
	assert_line "$s" "domain public.posint constraint positive: CHECK ((VALUE > 0))"
	assert_line "$s" "comment table public.users: the users"
	assert_line "$s" "comment table column public.users.email: their email"
	# Sorted in byte order, each line once per fact.
	assert_eq "$s" "$(LC_ALL=C sort <<<"$s")" "the order of the lines"
}

@test "PostgreSQL: more kinds of objects, and what is left out" {
	is_pg || skip "PostgreSQL only"
	db_sql "CREATE SCHEMA app;
	    CREATE TABLE app.events (at date DEFAULT '2024-01-31',
	        dur interval DEFAULT '1 day 02:00', note text COLLATE \"C\")
	        PARTITION BY RANGE (at);
	    CREATE TABLE app.events_2024 PARTITION OF app.events
	        FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	    CREATE UNLOGGED TABLE app.scratch (x int);
	    CREATE TYPE app.pair AS (a integer, b text);
	    CREATE MATERIALIZED VIEW app.mv AS SELECT 1 AS one;
	    CREATE PROCEDURE app.noop(n int) LANGUAGE sql AS \$\$ SELECT 1 \$\$;
	    CREATE TYPE app.span AS RANGE (subtype = int4);
	    COMMENT ON SCHEMA app IS 'the app';
	    COMMENT ON TYPE app.pair IS 'two things'"
	local s
	s=$(snapshot)
	assert_line "$s" "schema app"
	assert_line "$s" "table app.events PARTITIONED BY RANGE (at)"
	assert_line "$s" "table app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
	assert_line "$s" "table app.scratch UNLOGGED"
	# Constants print the same whatever DateStyle or IntervalStyle say.
	assert_line "$s" "column app.events.at date DEFAULT '2024-01-31'::date"
	assert_line "$s" "column app.events.dur interval DEFAULT '1 day 02:00:00'::interval"
	assert_line "$s" 'column app.events.note text COLLATE pg_catalog."C"'
	assert_line "$s" "type app.pair: (a integer, b text)"
	assert_line "$s" "materialized view app.mv: SELECT 1 AS one;"
	assert_line "$s" 'procedure app.noop(IN n integer): CREATE OR REPLACE PROCEDURE app.noop(IN n integer)\n LANGUAGE sql\nAS $procedure$ SELECT 1 $procedure$'
	assert_line "$s" "range app.span: SUBTYPE integer SUBTYPE_OPCLASS pg_catalog.int4_ops"
	assert_line "$s" "comment schema app: the app"
	assert_line "$s" "comment type app.pair: two things"
	# A range type's constructors are the type's, not functions of their own.
	refute_contains "$s" "function app.span"
	# The session's DateStyle and search_path change nothing.
	local url
	url="$(db_url)&options=-cDateStyle%3DSQL,DMY%20-csearch_path%3Dapp,public"
	assert_eq "$(snapshot "$url")" "$s" "snapshot with other settings"
}

@test "PostgreSQL: an extension is one line, without what it owns" {
	is_pg || skip "PostgreSQL only"
	[ "$(db_sql "SELECT count(*) FROM pg_available_extensions
	    WHERE name = 'citext'")" = 1 ] || skip "citext not installed"
	db_sql "CREATE EXTENSION citext"
	local s
	s=$(snapshot)
	assert_match "$s" $'(^|\n)extension citext: VERSION \'[0-9.]+\' SCHEMA public(\n|$)' snapshot
	refute_contains "$s" "function public.citext"
	refute_contains "$s" "type public.citext"
}

@test "PostgreSQL: an index left INVALID by a failed build is flagged" {
	is_pg || skip "PostgreSQL only"
	db_sql "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (1)"
	# Fails on the duplicates, and leaves the index behind, INVALID.
	db_sql "CREATE UNIQUE INDEX CONCURRENTLY ix_t ON t (x)" 2>/dev/null &&
	    fail "the index build should have failed"
	local s
	s=$(snapshot)
	assert_line "$s" "index public.t ix_t: CREATE UNIQUE INDEX ix_t ON public.t USING btree (x) INVALID"
	db_sql "DELETE FROM t; INSERT INTO t VALUES (1); REINDEX INDEX ix_t"
	assert_line "$(snapshot)" "index public.t ix_t: CREATE UNIQUE INDEX ix_t ON public.t USING btree (x)"
}

@test "the version tables never appear, nor their schema when qualified" {
	build_schema "$(db_url)"
	local before
	before=$(snapshot)
	write_rev 0001 "" "SELECT 1;" "SELECT 1;"
	mig upgrade
	assert_status 0
	assert_eq "$(version_rows)" "0001" "version rows"
	assert_eq "$(snapshot)" "$before" "snapshot after upgrade"
	refute_contains "$(snapshot)" "migrate_"
	if is_pg; then
		# Schema-qualified: the schema migrate creates is left out too.
		write_ini "version_table = ops.migrate_version"
		mig upgrade
		assert_status 0
		assert_eq "$(db_sql "SELECT version_num FROM ops.migrate_version")" \
		    0001 "rows of ops.migrate_version"
		# The public ones are ordinary tables now.
		local s
		s=$(snapshot)
		assert_line "$s" "table public.migrate_version"
		refute_contains "$s" "schema ops"
		refute_contains "$s" " ops."
		db_sql "DROP TABLE migrate_version, migrate_history"
		assert_eq "$(snapshot)" "$before" "snapshot with ops.migrate_version"
	fi
}

@test "data is not schema: rows, sequence values, statistics change nothing" {
	build_schema "$(db_url)"
	local before
	before=$(snapshot)
	if is_pg; then
		db_sql "INSERT INTO users (email, score) VALUES ('a@x', 1);
		    INSERT INTO orders (user_id) SELECT id FROM users;
		    SELECT nextval('counter'), nextval('counter'); ANALYZE"
	else
		db_sql "INSERT INTO users (email, score) VALUES ('a@x', 1);
		    INSERT INTO orders (user_id) SELECT id FROM users;
		    INSERT INTO prefs VALUES ('k', 'v'); ANALYZE"
	fi
	assert_eq "$(snapshot)" "$before" "snapshot after writing data"
}

@test "the same statements in another order give the same snapshot" {
	build_schema "$(db_url)"
	local other
	other=$(other_db_url other)
	# Objects created and dropped first shift every OID and rowid.
	sql_at "$other" "CREATE TABLE junk (a int); DROP TABLE junk"
	build_schema "$other" "${REORDERED[@]}"
	local a b
	a=$(snapshot)
	b=$(snapshot "$other")
	[ -n "$a" ] || fail "empty snapshot"
	assert_eq "$b" "$a" "snapshot of the reordered database"
}

@test "a dropped column leaves no trace, a rename and back neither" {
	db_sql "CREATE TABLE t (a int, tmp int, b int)"
	db_sql "ALTER TABLE t DROP COLUMN tmp"
	local other
	other=$(other_db_url other)
	sql_at "$other" "CREATE TABLE t (a int, b int)"
	assert_eq "$(snapshot)" "$(snapshot "$other")" "snapshot"
	# SQLite's RENAME rewrites the statements it keeps with quotes.
	build_schema "$(db_url)"
	local before
	before=$(snapshot)
	db_sql "ALTER TABLE users RENAME TO people"
	db_sql "ALTER TABLE people RENAME TO users"
	assert_eq "$(snapshot)" "$before" "snapshot after a rename and back"
}

@test "SQLite: layout and comments of a statement do not count" {
	only_sqlite "PostgreSQL stores definitions parsed, not as written"
	db_sql "CREATE TABLE t (a INTEGER, b TEXT DEFAULT 'x  y')"
	db_sql "CREATE VIEW v AS SELECT a , b FROM t WHERE b <> 'p  q'"
	local other
	other=$(other_db_url other)
	sql_at "$other" "CREATE TABLE [t](  a INTEGER, -- the key
	    \`b\`  TEXT   DEFAULT 'x  y'  )"
	sql_at "$other" "CREATE VIEW \"v\" AS
	    SELECT a, /* both */ b
	    FROM t WHERE b <> 'p  q'"
	assert_eq "$(snapshot "$other")" "$(snapshot)" "snapshot"
	# Inside a string literal, blanks do count.
	sql_at "$other" "DROP VIEW v; CREATE VIEW v AS SELECT a, b FROM t
	    WHERE b <> 'p q'"
	[ "$(snapshot "$other")" != "$(snapshot)" ] ||
	    fail "a changed string literal went unnoticed"
}

@test "SQLite: any one change shows in the snapshot, naming its object" {
	only_sqlite "PostgreSQL has its own test"
	build_schema "$(db_url)"
	local base
	base=$(snapshot)
	# A default, a nullability, a type, a CHECK: SQLite rebuilds the table.
	assert_change "$base" '^[<>] (column prefs\.v |table prefs: )' \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'off')" \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'on')"
	assert_change "$base" '^[<>] (column prefs\.k |table prefs: )' \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT, v TEXT DEFAULT 'on')" \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'on')"
	assert_change "$base" '^[<>] (column prefs\.v |table prefs: )' \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v INTEGER DEFAULT 'on')" \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'on')"
	assert_change "$base" '^[<>] table prefs: ' \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL CHECK (k <> ''), v TEXT DEFAULT 'on')" \
	    "DROP TABLE prefs; CREATE TABLE prefs (k TEXT NOT NULL, v TEXT DEFAULT 'on')"
	# An index's uniqueness, its collation.
	assert_change "$base" '^[<>] index users ix_users_name( keys)?: ' \
	    "DROP INDEX ix_users_name; CREATE UNIQUE INDEX ix_users_name ON users (name DESC) WHERE name IS NOT NULL" \
	    "DROP INDEX ix_users_name; CREATE INDEX ix_users_name ON users (name DESC) WHERE name IS NOT NULL"
	assert_change "$base" '^[<>] index users ix_users_email( keys)?: ' \
	    "DROP INDEX ix_users_email; CREATE UNIQUE INDEX ix_users_email ON users (email COLLATE NOCASE)" \
	    "DROP INDEX ix_users_email; CREATE UNIQUE INDEX ix_users_email ON users (email)"
	# A foreign key's action.
	assert_change "$base" '^[<>] (foreign key orders: |table orders: )' \
	    "DROP TABLE orders; CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE SET NULL, total REAL DEFAULT 0)" \
	    "DROP TABLE orders; ${SCHEMA[3]}"
	# A view's definition, a trigger's event.
	assert_change "$base" '^[<>] view v_users: ' \
	    "DROP VIEW v_users; CREATE VIEW v_users AS SELECT id, email FROM users WHERE email <> 'x'" \
	    "DROP VIEW v_users; ${SCHEMA[5]}"
	assert_change "$base" '^[<>] trigger users trg_users: ' \
	    "DROP TRIGGER trg_users; CREATE TRIGGER trg_users AFTER UPDATE ON users BEGIN UPDATE users SET name = lower(name) WHERE id = new.id; END" \
	    "DROP TRIGGER trg_users; ${SCHEMA[6]}"
	# A new table, a dropped index.
	assert_change "$base" '^> (column extra\.x |table extra( columns)?: )' \
	    "CREATE TABLE extra (x int)" "DROP TABLE extra"
	assert_change "$base" '^< index users ix_users_name( keys)?: ' \
	    "DROP INDEX ix_users_name" "${SCHEMA[2]}"
}

@test "PostgreSQL: any one change shows in the snapshot, naming its object" {
	is_pg || skip "PostgreSQL only: SQLite has its own test"
	build_schema "$(db_url)"
	local base
	base=$(snapshot)
	# Columns: a default, a nullability, a type, an identity.
	assert_change "$base" '^[<>] column public\.users\.email ' \
	    "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none'" \
	    "ALTER TABLE users ALTER COLUMN email SET DEFAULT ''"
	assert_change "$base" '^[<>] column public\.users\.name ' \
	    "ALTER TABLE users ALTER COLUMN name SET NOT NULL" \
	    "ALTER TABLE users ALTER COLUMN name DROP NOT NULL"
	assert_change "$base" '^[<>] column public\.orders\.total ' \
	    "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2)" \
	    "ALTER TABLE orders ALTER COLUMN total TYPE numeric(10,2)"
	assert_change "$base" '^[<>] column public\.users\.id ' \
	    "ALTER TABLE users ALTER COLUMN id SET GENERATED BY DEFAULT" \
	    "ALTER TABLE users ALTER COLUMN id SET GENERATED ALWAYS"
	# Constraints: a definition, NOT VALID, a foreign key's action.
	assert_change "$base" '^[<>] constraint public\.users score_max: ' \
	    "ALTER TABLE users DROP CONSTRAINT score_max, ADD CONSTRAINT score_max CHECK (score < 500)" \
	    "ALTER TABLE users DROP CONSTRAINT score_max, ADD CONSTRAINT score_max CHECK (score < 1000)"
	assert_change "$base" '^[<>] constraint public\.users score_max: CHECK \(\(\(score\)::integer < 1000\)\)( NOT VALID)?$' \
	    "ALTER TABLE users DROP CONSTRAINT score_max; ALTER TABLE users ADD CONSTRAINT score_max CHECK (score < 1000) NOT VALID" \
	    "ALTER TABLE users VALIDATE CONSTRAINT score_max"
	assert_change "$base" '^[<>] constraint public\.orders orders_user_id_fkey: ' \
	    "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT" \
	    "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE"
	# An index's uniqueness.
	assert_change "$base" '^[<>] index public\.users ix_users_email: ' \
	    "DROP INDEX ix_users_email; CREATE UNIQUE INDEX ix_users_email ON users (email)" \
	    "DROP INDEX ix_users_email; CREATE INDEX ix_users_email ON users (email)"
	# An enum's label (the default that names it changes with it).
	assert_change "$base" "^[<>] (enum public\.mood: |column public\.users\.m )" \
	    "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'" \
	    "ALTER TYPE mood RENAME VALUE 'fine' TO 'ok'"
	# A view's definition, a trigger's event, a trigger disabled.
	assert_change "$base" '^[<>] view public\.v_users: ' \
	    "CREATE OR REPLACE VIEW v_users AS SELECT id, email FROM users WHERE email <> 'x'" \
	    "CREATE OR REPLACE VIEW v_users AS SELECT id, email FROM users WHERE email <> ''"
	assert_change "$base" '^[<>] trigger public\.users trg_users: ' \
	    "DROP TRIGGER trg_users ON users; CREATE TRIGGER trg_users BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()" \
	    "DROP TRIGGER trg_users ON users; ${SCHEMA[8]}"
	assert_change "$base" '^[<>] trigger public\.users trg_users: .*\(\)( DISABLED)?$' \
	    "ALTER TABLE users DISABLE TRIGGER trg_users" \
	    "ALTER TABLE users ENABLE TRIGGER trg_users"
	# A function's body, a sequence's increment, a domain's check, a comment.
	assert_change "$base" '^[<>] function public\.touch\(\): ' \
	    'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.name := upper(NEW.name);
	RETURN NEW;
END $$' "${SCHEMA[7]/CREATE/CREATE OR REPLACE}"
	assert_change "$base" '^[<>] sequence public\.counter ' \
	    "ALTER SEQUENCE counter INCREMENT 5" "ALTER SEQUENCE counter INCREMENT 1"
	assert_change "$base" '^[<>] domain public\.posint constraint positive: ' \
	    "ALTER DOMAIN posint DROP CONSTRAINT positive; ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE >= 0)" \
	    "ALTER DOMAIN posint DROP CONSTRAINT positive; ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0)"
	assert_change "$base" '^[<>] comment table column public\.users\.email: ' \
	    "COMMENT ON COLUMN users.email IS 'changed'" \
	    "COMMENT ON COLUMN users.email IS 'their email'"
	# A label added cannot be taken back: last.
	assert_change "$base" '^[<>] enum public\.mood: ' \
	    "ALTER TYPE mood ADD VALUE 'meh'"
}

@test "snapshot --json: the dialect and the same lines as a list" {
	build_schema "$(db_url)"
	local text
	text=$(snapshot)
	mig snapshot --json
	assert_status 0
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["dialect"] == sys.argv[1], d["dialect"]
text = sys.argv[2].split("\n")
assert d["objects"] == text, (d["objects"], text)
' "$DIALECT" "$text" || fail "--json output" "$output"
	# The global option works too.
	mig --json snapshot
	assert_status 0
	assert_match "$output" '^\{"dialect": "' stdout
}

@test "snapshot takes no operands (exit 2), and fails on a bad database (exit 1)" {
	mig snapshot extra
	assert_status 2
	assert_error ".*snapshot.*"
	mig --url "sqlite:///no/such/dir/x.db" snapshot
	assert_status 1
	assert_error "cannot open SQLite database"
}
