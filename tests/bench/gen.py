#!/usr/bin/env python3
"""Generate a linear chain of revision files for the benchmarks.

usage: gen.py DIR COUNT [--sql FILE] [--sql-full FILE]

Creates DIR/migrate.ini and DIR/versions/NNNNN_rev.sql for revisions
00001..COUNT (zero-padded to 5 digits), each one a CREATE TABLE plus a
CREATE INDEX.

--sql FILE       also write the "floor" script for the sqlite3 shell: the
                 same upgrade statements in one transaction (BEGIN ...
                 COMMIT), plus a version table created and written once.
--sql-full FILE  also write the floor plus migrate's bookkeeping: the
                 version table and the history table created, and per
                 revision one version-row write and one history row (what
                 `migrate upgrade` records).  Informational only.
"""
import os
import sys


def body(rid, down):
    return (
        f"-- revision: {rid}\n"
        f"-- down_revision: {down}\n"
        "-- branch_labels:\n"
        "-- depends_on:\n"
        f"-- message: rev {int(rid)}\n"
        "-- create_date: 2026-11-21 10:00:00\n"
        "\n"
        "-- migrate:upgrade\n"
        f"{upgrade_sql(rid)}"
        "\n"
        "-- migrate:downgrade\n"
        f"DROP TABLE t{rid};\n"
    )


def upgrade_sql(rid):
    return (
        f"CREATE TABLE t{rid} (id integer primary key, v text);\n"
        f"CREATE INDEX ix_t{rid}_v ON t{rid} (v);\n"
    )


VERSION_DDL = ("CREATE TABLE IF NOT EXISTS migrate_version (\n"
               "    version_num VARCHAR(64) NOT NULL PRIMARY KEY\n);\n")
HISTORY_DDL = ("CREATE TABLE IF NOT EXISTS migrate_history (\n"
               "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
               "    revision VARCHAR(64) NOT NULL,\n"
               "    direction VARCHAR(8) NOT NULL,\n"
               "    checksum CHAR(64),\n"
               "    applied_at TEXT NOT NULL,\n"
               "    applied_by TEXT,\n"
               "    duration_ms INTEGER,\n"
               "    statements_done INTEGER,\n"
               "    statements_total INTEGER,\n"
               "    success BOOLEAN NOT NULL\n);\n")
HISTORY_INSERT = (
    "INSERT INTO migrate_history (revision, direction, checksum, "
    "applied_at, applied_by, duration_ms, statements_done, "
    "statements_total, success) VALUES ('{rid}', 'up', "
    "'0000000000000000000000000000000000000000000000000000000000000000', "
    "strftime('%Y-%m-%d %H:%M:%f', 'now'), 'bench@localhost', 0, 2, 2, "
    "TRUE);\n")


def main(argv):
    opts = {}
    for opt in ("--sql", "--sql-full"):
        if opt in argv:
            i = argv.index(opt)
            if i + 1 >= len(argv):
                sys.exit(__doc__)
            opts[opt] = argv[i + 1]
            del argv[i:i + 2]
    if len(argv) != 3:
        sys.exit(__doc__)
    root, count = argv[1], int(argv[2])
    vdir = os.path.join(root, "versions")
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(root, "migrate.ini"), "w") as f:
        f.write("[migrate]\n"
                "script_location = versions\n"
                "url = sqlite:///bench.db\n"
                "transaction = all\n")
    ids = [f"{n:05d}" for n in range(1, count + 1)]
    down = ""
    for rid in ids:
        with open(os.path.join(vdir, f"{rid}_rev.sql"), "w") as f:
            f.write(body(rid, down))
        down = rid
    if "--sql" in opts:
        with open(opts["--sql"], "w") as f:
            f.write("BEGIN;\n")
            f.write(VERSION_DDL)
            for rid in ids:
                f.write(upgrade_sql(rid))
            f.write("INSERT INTO migrate_version (version_num) "
                    f"VALUES ('{ids[-1]}');\n")
            f.write("COMMIT;\n")
    if "--sql-full" in opts:
        with open(opts["--sql-full"], "w") as f:
            f.write("BEGIN;\n")
            f.write(VERSION_DDL)
            f.write(HISTORY_DDL)
            prev = None
            for rid in ids:
                f.write(upgrade_sql(rid))
                if prev is None:
                    f.write("INSERT INTO migrate_version (version_num) "
                            f"VALUES ('{rid}');\n")
                else:
                    f.write(f"UPDATE migrate_version SET version_num = "
                            f"'{rid}' WHERE version_num = '{prev}';\n")
                f.write(HISTORY_INSERT.format(rid=rid))
                prev = rid
            f.write("COMMIT;\n")


if __name__ == "__main__":
    main(sys.argv)
