#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "revspec.h"
#include "strbuf.h"

static void
list_ids(struct strbuf *sb, const char *label, const struct graph *g,
    const struct idxlist *l)
{
	size_t	k;

	strbuf_addf(sb, "%-14s", label);
	if (l->n == 0)
		strbuf_addstr(sb, "<base>");
	for (k = 0; k < l->n; k++)
		strbuf_addf(sb, "%s%s", k ? ", " : "",
		    g->nodes[l->v[k]].rev->id);
	strbuf_addch(sb, '\n');
}

int
cmd_show(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	const struct graph_node	*node;
	struct strbuf		 sb = STRBUF_INIT;
	struct revspec		 rs;
	size_t			 k;
	int			 rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (argc - optind != 1)
		return cmd_usage_error("show", err, "needs exactly one REV");
	/* No database here: "current" and relative walks start at heads. */
	if ((rc = revspec_resolve(&rs, ctx->g, &ctx->g->heads, argv[optind],
	    err)) != 0)
		return rc;
	if (rs.revs.n != 1) {
		revspec_free(&rs);
		return mg_error_set(err, MG_EUSAGE, "show: '%s' is not one "
		    "revision", argv[optind]);
	}
	node = &ctx->g->nodes[rs.revs.v[0]];
	strbuf_addf(&sb, "%-14s%s", "Rev:", node->rev->id);
	cmd_decorate(&sb, ctx->g, rs.revs.v[0], NULL);
	strbuf_addch(&sb, '\n');
	list_ids(&sb, node->parents.n > 1 ? "Merges:" : "Parent:", ctx->g,
	    &node->parents);
	if (node->children.n)
		list_ids(&sb, "Children:", ctx->g, &node->children);
	if (node->deps.n)
		list_ids(&sb, "Depends on:", ctx->g, &node->deps);
	if (node->rev->labels.n) {
		strbuf_addf(&sb, "%-14s", "Branch names:");
		for (k = 0; k < node->rev->labels.n; k++)
			strbuf_addf(&sb, "%s%s", k ? ", " : "",
			    node->rev->labels.v[k]);
		strbuf_addch(&sb, '\n');
	}
	strbuf_addf(&sb, "%-14s%s\n", "Path:", node->rev->path);
	strbuf_addf(&sb, "%-14s%s\n", "Created:", node->rev->create_date ?
	    node->rev->create_date : "");
	strbuf_addf(&sb, "\n    %s\n", node->rev->message ?
	    node->rev->message : "");
	out_print(&ctx->out, "%s", sb.buf);
	strbuf_release(&sb);
	revspec_free(&rs);
	return 0;
}
