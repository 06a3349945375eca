/*
 * libFuzzer target for config_expand(), the ${VAR} expansion of
 * migrate.ini values (STYLE.md "Tests" 22). Build and run:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icore \
 *       -o build/fuzz_expand tests/fuzz/fuzz_expand.c core/config.c \
 *       core/strbuf.c core/xmalloc.c core/error.c -linih
 *   build/fuzz_expand -max_total_time=60
 *
 * Besides crashes and sanitizer reports it checks the contract: success
 * leaves err untouched, failure is MG_ECONFIG with a message at the given
 * file and line, text without '$' is copied unchanged, and expansion is
 * not recursive.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("A", "alpha", 1);
	setenv("EMPTY", "", 1);
	setenv("NESTED", "${A}", 1);
	unsetenv("UNSET");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf	 out = STRBUF_INIT;
	struct mg_error	 err = MG_ERROR_INIT;
	char		*in;
	int		 rc;

	in = xmalloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';

	rc = config_expand(&out, in, "fuzz.ini", 7, &err);
	if (rc == 0) {
		if (err.code != 0 || err.msg.len != 0)
			abort();
		if (strchr(in, '$') == NULL && strcmp(out.buf, in) != 0)
			abort();
		if (strcmp(in, "${NESTED}") == 0 &&
		    strcmp(out.buf, "${A}") != 0)
			abort();
	} else if (rc != MG_ECONFIG || err.code != MG_ECONFIG ||
	    err.msg.len == 0 || err.line != 7 || err.file == NULL ||
	    strcmp(err.file, "fuzz.ini") != 0)
		abort();

	free(in);
	strbuf_release(&out);
	mg_error_clear(&err);
	return 0;
}
