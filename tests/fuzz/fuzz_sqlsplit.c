/*
 * libFuzzer target for core/sqlsplit.c: parse the input for every dialect
 * and check the invariants callers rely on (tag-20261122-offsets): each
 * statement is a NUL-free, byte-exact copy of buf[offset, offset + len),
 * and sqlsplit_locate() agrees with the recorded line and column.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icore \
 *	    tests/fuzz/fuzz_sqlsplit.c core/sqlsplit.c core/strbuf.c \
 *	    core/xmalloc.c core/error.c -o build/fuzz_sqlsplit
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sqlsplit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_list(const struct stmt_list *l, const char *buf, size_t len)
{
	const struct stmt	*st;
	size_t			 i, j;
	int			 line, col, l2, c2;

	for (i = 0; i < l->n; i++) {
		st = &l->v[i];
		if (st->len == 0 || st->offset > len ||
		    st->len > len - st->offset ||
		    memcmp(st->sql, buf + st->offset, st->len) != 0 ||
		    strlen(st->sql) != st->len)
			abort();
		if (st->line < 1 || st->col < 1)
			abort();
		sqlsplit_locate(st, buf, len, 0, &line, &col);
		if (line != st->line || col != st->col)
			abort();
		/* Mapping with or without the buffer gives the same answer. */
		for (j = 0; j <= st->len; j += 1 + st->len / 8) {
			sqlsplit_locate(st, buf, len, j, &line, &col);
			sqlsplit_locate(st, NULL, 0, j, &l2, &c2);
			if (line != l2 || col != c2 || line < st->line)
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dialects[] = { "sqlite", "postgresql", NULL };
	struct script	 s;
	struct mg_error	 err = MG_ERROR_INIT;
	const char	*buf = (const char *)data;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		rc = sqlsplit_parse(&s, buf, size, dialects[i], "fuzz.sql",
		    &err);
		if (rc == 0) {
			if (!s.has_up)
				abort();
			check_list(&s.up, buf, size);
			check_list(&s.down, buf, size);
		} else if (rc != MG_EREVISION || err.msg.len == 0 ||
		    s.up.n != 0 || s.down.n != 0)
			abort();
		sqlsplit_free(&s);
		mg_error_clear(&err);
	}
	return 0;
}
