#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "strbuf.h"

int
cmd_heads(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	struct strbuf	sb = STRBUF_INIT;
	size_t		i, idx;
	int		rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("heads", err, "takes no operands");
	if (ctx->out.json)
		strbuf_addstr(&sb, "{\"heads\": [");
	for (i = 0; i < ctx->g->heads.n; i++) {
		idx = ctx->g->heads.v[i];
		if (ctx->out.json) {
			strbuf_addstr(&sb, i ? ", " : "");
			json_str(&sb, ctx->g->nodes[idx].rev->id);
			continue;
		}
		strbuf_addstr(&sb, ctx->g->nodes[idx].rev->id);
		cmd_decorate(&sb, ctx->g, idx, NULL);
		if (ctx->out.verbose)
			strbuf_addf(&sb, ", %s", ctx->g->nodes[idx].rev->message ?
			    ctx->g->nodes[idx].rev->message : "");
		strbuf_addch(&sb, '\n');
	}
	if (ctx->out.json)
		strbuf_addstr(&sb, "]}\n");
	out_print(&ctx->out, "%s", sb.buf);
	strbuf_release(&sb);
	return 0;
}
