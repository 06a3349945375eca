/*
 * libFuzzer target: target resolution over a small fixed graph with a
 * branch, a merge and a label, for any input string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "graph.h"
#include "revision.h"
#include "revspec.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct revision *
rev(const char *id, const char *down, const char *label)
{
	struct revision	*r = xcalloc(1, sizeof(*r));

	r->id = xstrdup(id);
	r->path = xasprintf("versions/%s_x.sql", id);
	r->filename = xasprintf("%s_x.sql", id);
	strlist_split(&r->down, down);
	if (label)
		strlist_add(&r->labels, label);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct revision_set	 set;
	struct graph		*g = NULL;
	struct revspec		 rs;
	struct mg_error		 err = MG_ERROR_INIT;
	struct idxlist		 cur = { NULL, 0 };
	char			*spec;

	memset(&set, 0, sizeof(set));
	set.n = 6;
	set.v = xcalloc(set.n, sizeof(*set.v));
	set.v[0] = rev("0001", "", NULL);
	set.v[1] = rev("0002", "0001", NULL);
	set.v[2] = rev("0003a", "0002", "feature");
	set.v[3] = rev("0003b", "0002", NULL);
	set.v[4] = rev("0004", "0003a, 0003b", NULL);
	set.v[5] = rev("0005", "0004", NULL);
	if (graph_build(&g, &set, &err) != 0)
		abort();
	idxlist_add(&cur, 1);
	spec = xstrndup((const char *)data, size);
	if (revspec_resolve(&rs, g, &cur, spec, &err) == 0)
		revspec_free(&rs);
	free(spec);
	idxlist_clear(&cur);
	mg_error_clear(&err);
	graph_free(g);
	revision_set_free(&set);
	return 0;
}
