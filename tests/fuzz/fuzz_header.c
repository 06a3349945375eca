/* libFuzzer target: revision header parsing, for SQL and C headers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "revision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct revision	rev;
	struct mg_error	err = MG_ERROR_INIT;
	int		complete, is_c;

	for (is_c = 0; is_c < 2; is_c++) {
		memset(&rev, 0, sizeof(rev));
		rev.is_c = is_c;
		(void)revision_parse_header(&rev, (const char *)data, size,
		    "fuzz.sql", &complete, &err);
		revision_id_valid(rev.id ? rev.id : "");
		strlist_clear(&rev.down);
		strlist_clear(&rev.depends);
		strlist_clear(&rev.labels);
		free(rev.id);
		free(rev.message);
		free(rev.create_date);
		mg_error_clear(&err);
	}
	return 0;
}
