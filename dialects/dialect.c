#include <stddef.h>

#include "dialect.h"
#include "error.h"
#include "url.h"

int
dialect_for_url(const struct dialect **out, const char *url,
    struct mg_error *err)
{
	enum url_kind	kind;
	int		rc;

	*out = NULL;
	if ((rc = url_kind(&kind, url, err)) != 0)
		return rc;
	switch (kind) {
	case URL_SQLITE:
		*out = &dialect_sqlite;
		return 0;
	case URL_POSTGRES:
		*out = &dialect_postgres;
		return 0;
	}
	return mg_error_set(err, MG_ECONFIG, "unsupported database URL");
}
