#!/usr/bin/env bash
# The layering rules of STYLE.md, checked by grep (curl's checksrc idea).
# Prints each violation as FILE: rule, exits 1 if there is any.
cd "$(dirname "$0")/.." || exit 2
bad=0
violation() { echo "$1: $2"; bad=1; }

for f in cmd/*.[ch] core/*.[ch]; do
	grep -qE '#include <(libpq-fe|sqlite3)\.h>' "$f" &&
	    violation "$f" "only dialects/ may include libpq-fe.h or sqlite3.h"
done
for f in cmd/*.[ch] core/*.[ch] dialects/*.[ch]; do
	[ "$f" = core/config.c ] && continue
	grep -qE '#include <ini\.h>' "$f" &&
	    violation "$f" "only core/config.c may include ini.h"
done
for f in cmd/*.[ch] core/*.[ch] dialects/*.[ch]; do
	[ "$f" = core/checksum.c ] && continue
	grep -qE '#include <openssl/' "$f" &&
	    violation "$f" "only core/checksum.c may include OpenSSL"
done
for m in plan graph revspec version sqlsplit lint; do
	for f in core/$m.c core/$m.h; do
		grep -qE '#include "(dialect|exec|config)\.h"' "$f" &&
		    violation "$f" "a pure module must not include dialect/exec/config"
		grep -qE '\b(fopen|open|read|write|printf|fprintf|puts|opendir)\(' "$f" &&
		    violation "$f" "a pure module does no I/O"
	done
done
# The DDL renderer and the snapshot text are pure too: a dialect's SQL
# text, no database library.
for f in dialects/ddl.c dialects/ddl.h dialects/snapshot.c dialects/snapshot.h; do
	grep -qE '#include (<(libpq-fe|sqlite3)\.h>|"(dialect|exec|config)\.h")' "$f" &&
	    violation "$f" "the DDL renderer and snapshot text must not touch a database"
	grep -qE '\b(fopen|open|read|write|printf|fprintf|puts|opendir)\(' "$f" &&
	    violation "$f" "a pure module does no I/O"
done
for f in core/*.[ch] dialects/*.[ch]; do
	grep -qE '#include "cmd\.h"' "$f" &&
	    violation "$f" "core/ and dialects/ must not include cmd/ headers"
	grep -qE '(^|[^_a-z])exit\(' "$f" &&
	    violation "$f" "nothing under core/ or dialects/ calls exit()"
done
for f in dialects/*.[ch]; do
	grep -qE '#include "(exec|plan|graph|revspec|version|revision)\.h"' "$f" &&
	    violation "$f" "dialects/ must not include higher core layers"
done
[ $bad -eq 0 ] && echo "check-src: ok"
exit $bad
