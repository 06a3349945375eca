#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "revspec.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

int
cmd_stamp(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "purge", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct version_state	 vs;
	struct idxlist		 targets = { NULL, 0 }, rows = { NULL, 0 };
	struct revspec		 rs;
	struct strbuf		 sb = STRBUF_INIT;
	unsigned char		*applied = NULL;
	size_t			 i;
	int			 ch, rc, purge = 0, have_vs = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		purge = 1;
	if (rc != 0)
		return rc;
	if (optind >= argc)
		return cmd_usage_error("stamp", err, "needs at least one REV");
	memset(&vs, 0, sizeof(vs));
	/*
	 * Without --purge the current rows must make sense: a row naming a
	 * revision no file has stops here, with a hint about --purge.
	 */
	if (!purge) {
		if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
			return rc;
		have_vs = 1;
	}
	for (; optind < argc; optind++) {
		if ((rc = revspec_resolve(&rs, ctx->g, &vs.rows, argv[optind],
		    err)) != 0)
			goto done;
		for (i = 0; i < rs.revs.n; i++)
			idxlist_add(&targets, rs.revs.v[i]);
		revspec_free(&rs);
	}
	applied = xcalloc(ctx->g->n + 1, 1);
	graph_mark_ancestors(ctx->g, targets.v, targets.n, applied);
	version_heads_of(ctx->g, applied, &rows);
	if ((rc = cmd_confirm(ctx, "Stamp", err)) != 0 ||
	    (rc = exec_lock(ctx->ex, err)) != 0 ||
	    (rc = exec_stamp(ctx->ex, ctx->g, &rows, err)) != 0)
		goto done;
	for (i = 0; i < rows.n; i++)
		strbuf_addf(&sb, " %s", ctx->g->nodes[rows.v[i]].rev->id);
	out_info(&ctx->out, "Stamped:%s\n", rows.n ? sb.buf : " base");
done:
	exec_unlock(ctx->ex);
	if (have_vs)
		version_free(&vs);
	idxlist_clear(&targets);
	idxlist_clear(&rows);
	free(applied);
	strbuf_release(&sb);
	return rc;
}
