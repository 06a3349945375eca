#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

int
cmd_current(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	struct version_state	 vs;
	struct strbuf		 sb = STRBUF_INIT;
	size_t			 i, idx;
	int			 rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("current", err, "takes no operands");
	if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
		return rc;
	if (ctx->out.json) {
		strbuf_addstr(&sb, "{\"current\": [");
		for (i = 0; i < vs.rows.n; i++) {
			idx = vs.rows.v[i];
			strbuf_addstr(&sb, i ? ", {\"revision\": " :
			    "{\"revision\": ");
			json_str(&sb, ctx->g->nodes[idx].rev->id);
			strbuf_addstr(&sb, ", \"message\": ");
			json_str(&sb, ctx->g->nodes[idx].rev->message);
			strbuf_addf(&sb, ", \"head\": %s}",
			    ctx->g->nodes[idx].children.n == 0 ? "true" :
			    "false");
		}
		strbuf_addstr(&sb, "]}\n");
		out_print(&ctx->out, "%s", sb.buf);
	} else if (vs.rows.n == 0)
		out_info(&ctx->out, "No revision applied (base).\n");
	for (i = 0; !ctx->out.json && i < vs.rows.n; i++) {
		idx = vs.rows.v[i];
		strbuf_reset(&sb);
		strbuf_addstr(&sb, ctx->g->nodes[idx].rev->id);
		if (ctx->g->nodes[idx].children.n == 0)
			strbuf_addstr(&sb, " (head)");
		if (ctx->out.verbose)
			strbuf_addf(&sb, ", %s (%s)",
			    ctx->g->nodes[idx].rev->message ?
			    ctx->g->nodes[idx].rev->message : "",
			    ctx->g->nodes[idx].rev->path);
		out_print(&ctx->out, "%s\n", sb.buf);
	}
	strbuf_release(&sb);
	version_free(&vs);
	return 0;
}
