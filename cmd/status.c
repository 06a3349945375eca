#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "plan.h"
#include "strbuf.h"
#include "version.h"

static void
list(struct cmd_ctx *ctx, struct strbuf *sb, const struct idxlist *l,
    const char *key, int json)
{
	const struct revision	*rev;
	size_t			 i;

	if (json)
		strbuf_addf(sb, "\"%s\": [", key);
	for (i = 0; i < l->n; i++) {
		rev = ctx->g->nodes[l->v[i]].rev;
		if (json) {
			strbuf_addstr(sb, i ? ", {\"revision\": " :
			    "{\"revision\": ");
			json_str(sb, rev->id);
			strbuf_addstr(sb, ", \"message\": ");
			json_str(sb, rev->message);
			strbuf_addch(sb, '}');
		} else
			strbuf_addf(sb, "  %-7s %s  %s\n", key, rev->id,
			    rev->message ? rev->message : "");
	}
	if (json)
		strbuf_addch(sb, ']');
}

struct partial_out {
	struct cmd_ctx	*ctx;
	struct strbuf	*sb;
	size_t		 n;
};

static void
print_partial(void *payload, const char *rev, const char *dir, size_t done)
{
	struct partial_out	*po = payload;

	if (po->ctx->out.json) {
		strbuf_addstr(po->sb, po->n ? ", {\"revision\": " :
		    "{\"revision\": ");
		json_str(po->sb, rev);
		strbuf_addf(po->sb, ", \"direction\": \"%s\", "
		    "\"statements_done\": %zu}", dir, done);
	} else
		strbuf_addf(po->sb, "  %-7s %s  %s stopped after %zu "
		    "statements: rerun to resume, or 'migrate resolve'\n",
		    "partial", rev, dir, done);
	po->n++;
}

int
cmd_status(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "exit-code", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	struct version_state	vs;
	struct plan		p = { NULL, 0 };
	struct idxlist		applied = { NULL, 0 }, pending = { NULL, 0 };
	struct idxlist		order;
	struct strbuf		sb = STRBUF_INIT, part = STRBUF_INIT;
	struct partial_out	po;
	size_t			i;
	int			ch, rc, exit_code = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		exit_code = 1;
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("status", err, "takes no operands");
	if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
		return rc;
	graph_order(ctx->g, vs.applied, &order);
	for (i = 0; i < order.n; i++)
		idxlist_add(&applied, order.v[i]);
	/* Pending: what "upgrade heads" would apply, in that order. */
	plan_upgrade(&p, ctx->g, vs.applied, ctx->g->heads.v,
	    ctx->g->heads.n);
	for (i = 0; i < p.n; i++)
		idxlist_add(&pending, p.v[i].rev);
	po.ctx = ctx;
	po.sb = &part;
	po.n = 0;
	if ((rc = exec_partials(ctx->ex, print_partial, &po, err)) != 0)
		goto done;
	if (ctx->out.json) {
		strbuf_addstr(&sb, "{");
		list(ctx, &sb, &applied, "applied", 1);
		strbuf_addstr(&sb, ", ");
		list(ctx, &sb, &pending, "pending", 1);
		strbuf_addf(&sb, ", \"partial\": [%s]}\n", part.buf);
	} else {
		strbuf_addf(&sb, "%zu applied, %zu pending", applied.n,
		    pending.n);
		if (po.n)
			strbuf_addf(&sb, ", %zu partial", po.n);
		strbuf_addch(&sb, '\n');
		list(ctx, &sb, &applied, "done", 0);
		list(ctx, &sb, &pending, "todo", 0);
		strbuf_addstr(&sb, part.buf);
	}
	out_print(&ctx->out, "%s", sb.buf);
	if (exit_code && (pending.n > 0 || po.n > 0))
		rc = MG_EPENDING;
done:
	idxlist_clear(&order);
	idxlist_clear(&applied);
	idxlist_clear(&pending);
	plan_free(&p);
	version_free(&vs);
	strbuf_release(&sb);
	strbuf_release(&part);
	return rc;
}
