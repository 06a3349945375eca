#!/usr/bin/env python3
"""Generate a branched revision graph for the planning benchmark.

usage: gen_graph.py DIR COUNT BRANCHES

Creates DIR/migrate.ini and DIR/versions/<id>_rev.sql: COUNT revisions with
12-hex-digit ids (random, seeded: id order says nothing about the graph, as
in a real Alembic project). A trunk runs through the graph; BRANCHES times
a branch forks from the trunk's tip (its first revision carries a branch
label), grows while the trunk grows too, and depends_on a trunk revision
now and then. Nine branches in ten are merged back into the trunk by a
merge revision; the others stay open, so the graph ends with several heads
(the benchmark plans `upgrade heads`).
"""
import os
import random
import sys


def write(vdir, rid, down, label="", deps=""):
    with open(os.path.join(vdir, f"{rid}_rev.sql"), "w") as f:
        f.write(f"-- revision: {rid}\n"
                f"-- down_revision: {', '.join(down)}\n"
                f"-- branch_labels: {label}\n"
                f"-- depends_on: {deps}\n"
                f"-- message: rev {rid}\n"
                "-- create_date: 2026-11-22 10:00:00\n\n"
                "-- migrate:upgrade\n"
                f"CREATE TABLE t_{rid} (id integer primary key);\n\n"
                "-- migrate:downgrade\n"
                f"DROP TABLE t_{rid};\n")


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    root, count, branches = argv[1], int(argv[2]), int(argv[3])
    rnd = random.Random(20261122)
    vdir = os.path.join(root, "versions")
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(root, "migrate.ini"), "w") as f:
        f.write("[migrate]\nscript_location = versions\n"
                "url = sqlite:///bench.db\ntransaction = all\n")
    used = set()

    def new_id():
        while True:
            rid = "%012x" % rnd.getrandbits(48)
            if rid not in used:
                used.add(rid)
                return rid

    made = 0
    trunk = [new_id()]
    write(vdir, trunk[0], [])
    made = 1
    per = max(3, (count - 1) // max(branches, 1))
    for b in range(branches):
        left = count - made
        if left < 3:
            break
        size = min(per, left)
        merge = b % 10 != 9 and size >= 3
        nbranch = (size - (1 if merge else 0)) * 6 // 10 or 1
        ntrunk = size - nbranch - (1 if merge else 0)
        tip = trunk[-1]
        prev = None
        for i in range(nbranch):
            rid = new_id()
            deps = ""
            if i > 0 and rnd.random() < 0.05:
                deps = rnd.choice(trunk)
            write(vdir, rid, [prev or tip], f"branch{b}" if i == 0 else "",
                  deps)
            prev = rid
        for i in range(ntrunk):
            rid = new_id()
            write(vdir, rid, [trunk[-1]])
            trunk.append(rid)
        if merge:
            rid = new_id()
            write(vdir, rid, [trunk[-1], prev])
            trunk.append(rid)
        made += size
    while made < count:
        rid = new_id()
        write(vdir, rid, [trunk[-1]])
        trunk.append(rid)
        made += 1


if __name__ == "__main__":
    main(sys.argv)
