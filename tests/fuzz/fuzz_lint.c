/*
 * libFuzzer target for core/lint.c: split the input as `migrate lint`
 * does (postgresql), lint it twice (the second time with the first's
 * tables carried over), and check what callers rely on: every finding has
 * a known rule with its severity, a position inside the file, a one-line
 * message and a hint, and the counts add up.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icore \
 *	    tests/fuzz/fuzz_lint.c core/lint.c core/sqlsplit.c \
 *	    core/strbuf.c core/xmalloc.c core/error.c -o build/fuzz_lint
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lint.h"
#include "sqlsplit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Lines in buf, for the bound on positions. */
static int
lines_of(const char *buf, size_t len)
{
	size_t	 i;
	int	 n = 1;

	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct lint_finding	*f;
	struct lint_opts		 o = { 0 };
	struct script			 s;
	struct mg_error			 err = MG_ERROR_INIT;
	struct lint			*l;
	const char			*buf = (const char *)data;
	size_t				 i, n, errors = 0;
	int				 maxline;

	if (sqlsplit_parse(&s, buf, size, "postgresql", "fuzz.sql",
	    &err) != 0) {
		mg_error_clear(&err);
		return 0;
	}
	o.session_lock_timeout = size > 0 && (data[0] & 1);
	l = lint_new(&o);
	lint_revision(l, "fuzz.sql", &s, 1);
	lint_revision(l, "fuzz2.sql", &s, 1);
	maxline = lines_of(buf, size);
	f = lint_findings(l, &n);
	for (i = 0; i < n; i++) {
		if (lint_rule_severity(f[i].rule) != (int)f[i].severity ||
		    f[i].line < 1 || f[i].line > maxline || f[i].col < 1 ||
		    f[i].message == NULL || f[i].message[0] == '\0' ||
		    strchr(f[i].message, '\n') != NULL ||
		    f[i].hint == NULL || f[i].path == NULL)
			abort();
		if (f[i].severity == LINT_ERROR)
			errors++;
	}
	if (errors != lint_count(l, LINT_ERROR) ||
	    n - errors != lint_count(l, LINT_WARNING))
		abort();
	lint_free(l);
	sqlsplit_free(&s);
	return 0;
}
