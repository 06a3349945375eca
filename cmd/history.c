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

/* Mark the revisions of RANGE "A:B" (either side may be empty). */
static int
mark_range(struct cmd_ctx *ctx, const char *range, const struct idxlist *cur,
    unsigned char *in, struct mg_error *err)
{
	const char	*colon = strchr(range, ':');
	char		*lo = NULL, *hi = NULL;
	struct revspec	 a, b;
	unsigned char	*above;
	size_t		 i, k;
	int		 rc;

	if (colon == NULL)
		return mg_error_set(err, MG_EUSAGE, "history: range '%s' is "
		    "not of the form A:B", range);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	lo = xstrndup(range, (size_t)(colon - range));
	hi = xstrdup(colon + 1);
	if ((rc = revspec_resolve(&a, ctx->g, cur, *lo ? lo : "base",
	    err)) != 0 ||
	    (rc = revspec_resolve(&b, ctx->g, cur, *hi ? hi : "heads",
	    err)) != 0)
		goto done;
	/*
	 * Alembic's range: B and its ancestors that are A or descend from
	 * A, so A:MERGE leaves out the merge's other parent.
	 */
	graph_mark_ancestors(ctx->g, b.revs.v, b.revs.n, in);
	if (!a.base) {
		above = xcalloc(ctx->g->n + 1, 1);
		graph_mark_descendants(ctx->g, a.revs.v, a.revs.n, above);
		for (i = 0; i < ctx->g->n; i++)
			in[i] &= above[i];
		free(above);
	}
	for (k = 0, i = 0; i < ctx->g->n; i++)
		k += in[i];
	/* Alembic refuses a range given backwards rather than print nothing. */
	if (k == 0 && a.revs.n > 0 && b.revs.n > 0)
		rc = mg_error_set(err, MG_EUSAGE, "history: range '%s' is "
		    "empty: '%s' is not below '%s' (write it as older:newer)",
		    range, lo, hi);
done:
	revspec_free(&a);
	revspec_free(&b);
	free(lo);
	free(hi);
	return rc;
}

static void
print_one(struct cmd_ctx *ctx, struct strbuf *sb, size_t idx,
    const unsigned char *is_row, int first)
{
	const struct graph_node	*node = &ctx->g->nodes[idx];
	size_t			 k;

	if (ctx->out.json) {
		strbuf_addstr(sb, first ? "\n  {\"revision\": " :
		    ",\n  {\"revision\": ");
		json_str(sb, node->rev->id);
		strbuf_addstr(sb, ", \"down_revision\": [");
		for (k = 0; k < node->parents.n; k++) {
			strbuf_addstr(sb, k ? ", " : "");
			json_str(sb, ctx->g->nodes[node->parents.v[k]].rev->id);
		}
		strbuf_addstr(sb, "], \"message\": ");
		json_str(sb, node->rev->message);
		strbuf_addstr(sb, ", \"path\": ");
		json_str(sb, node->rev->path);
		strbuf_addf(sb, ", \"current\": %s}",
		    is_row && is_row[idx] ? "true" : "false");
		return;
	}
	if (ctx->out.verbose) {
		strbuf_addstr(sb, first ? "" : "\n");
		cmd_describe(sb, ctx->g, idx, is_row);
		return;
	}
	if (node->parents.n == 0)
		strbuf_addstr(sb, "<base>");
	for (k = 0; k < node->parents.n; k++)
		strbuf_addf(sb, "%s%s", k ? ", " : "",
		    ctx->g->nodes[node->parents.v[k]].rev->id);
	strbuf_addf(sb, " -> %s", node->rev->id);
	cmd_decorate(sb, ctx->g, idx, is_row);
	strbuf_addf(sb, ", %s\n", node->rev->message ? node->rev->message : "");
}

int
cmd_history(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "rev-range", required_argument, NULL, 'r' },
		{ "indicate-current", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	struct version_state	 vs;
	struct idxlist		 order;
	struct strbuf		 sb = STRBUF_INIT;
	unsigned char		*in = NULL, *is_row = NULL;
	const char		*range = NULL;
	size_t			 i;
	int			 ch, rc, current = 0, have_vs = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "r:i", longopts, &ch,
	    err)) == 0 && ch != -1) {
		if (ch == 'r')
			range = optarg;
		else if (ch == 'i')
			current = 1;
	}
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("history", err, "takes no operands "
		    "(use -r A:B for a range)");
	memset(&vs, 0, sizeof(vs));
	/* The database is needed only to mark the current revisions. */
	if (current || (range && strstr(range, "current"))) {
		if ((rc = exec_open(&ctx->ex, ctx->cfg, &ctx->out, err)) != 0 ||
		    (rc = cmd_load_state(ctx, &vs, err)) != 0)
			return rc;
		have_vs = 1;
		is_row = xcalloc(ctx->g->n + 1, 1);
		for (i = 0; i < vs.rows.n; i++)
			is_row[vs.rows.v[i]] = 1;
	}
	in = xcalloc(ctx->g->n + 1, 1);
	if (range)
		rc = mark_range(ctx, range, &vs.rows, in, err);
	else
		memset(in, 1, ctx->g->n);
	if (rc == 0) {
		graph_order(ctx->g, in, &order);
		for (i = order.n; i > 0; i--)
			print_one(ctx, &sb, order.v[i - 1], is_row,
			    i == order.n);
		if (ctx->out.json)
			out_print(&ctx->out, "{\"history\": [%s\n]}\n",
			    sb.buf);
		else
			out_print(&ctx->out, "%s", sb.buf);
		idxlist_clear(&order);
	}
	if (have_vs)
		version_free(&vs);
	free(in);
	free(is_row);
	strbuf_release(&sb);
	return rc;
}
