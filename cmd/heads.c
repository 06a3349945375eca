#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "strbuf.h"

int
cmd_heads(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "resolve-dependencies", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf	sb = STRBUF_INIT;
	struct idxlist	heads = { NULL, 0 };
	size_t		i, idx;
	int		ch, rc, resolve = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		resolve = 1;
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("heads", err, "takes no operands");
	/*
	 * --resolve-dependencies: a head that another revision depends_on
	 * is not a head of its own (Alembic's option of the same name).
	 */
	if (resolve)
		graph_resolved_heads(ctx->g, &heads);
	else
		for (i = 0; i < ctx->g->heads.n; i++)
			idxlist_add(&heads, ctx->g->heads.v[i]);
	if (ctx->out.json)
		strbuf_addstr(&sb, "{\"heads\": [");
	for (i = 0; i < heads.n; i++) {
		idx = heads.v[i];
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
	idxlist_clear(&heads);
	return 0;
}
