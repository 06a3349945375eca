#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

static void
line(struct cmd_ctx *ctx, struct strbuf *sb, size_t idx)
{
	const struct revision	*rev = ctx->g->nodes[idx].rev;

	strbuf_addstr(sb, rev->id);
	cmd_decorate(sb, ctx->g, idx, NULL);
	strbuf_addf(sb, ", %s\n", rev->message ? rev->message : "");
}

/* The branch points, each with the revisions it branches into (Alembic). */
int
cmd_branches(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	const struct graph	*g = ctx->g;
	struct idxlist		 order;
	struct strbuf		 sb = STRBUF_INIT;
	unsigned char		*all;
	size_t			 i, k, idx;
	int			 rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("branches", err, "takes no operands");
	all = xcalloc(g->n + 1, 1);
	memset(all, 1, g->n);
	graph_order(g, all, &order);
	for (i = order.n; i > 0; i--) {
		idx = order.v[i - 1];
		if (g->nodes[idx].children.n < 2)
			continue;
		line(ctx, &sb, idx);
		for (k = 0; k < g->nodes[idx].children.n; k++) {
			strbuf_addstr(&sb, "    -> ");
			line(ctx, &sb, g->nodes[idx].children.v[k]);
		}
	}
	out_print(&ctx->out, "%s", sb.buf);
	idxlist_clear(&order);
	free(all);
	strbuf_release(&sb);
	return 0;
}
