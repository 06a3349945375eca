/*
 * lint: PostgreSQL locking hazards in the SQL revisions (the rules are in
 * core/lint.h). Reads the files only, as PostgreSQL would get them; no
 * database. Exit 1 when a finding is an error, 0 for warnings only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "lint.h"
#include "revspec.h"
#include "sqlsplit.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Larger revision files are refused, as the executor does. */
#define LINT_MAX_FILE	(64u << 20)

/* Lint one revision; report 0: an ancestor, read for the state only. */
static int
lint_file(struct cmd_ctx *ctx, struct lint *l, size_t idx, int report,
    struct mg_error *err)
{
	const struct revision	*rev = ctx->g->nodes[idx].rev;
	struct strbuf		 text = STRBUF_INIT;
	struct script		 sc;
	int			 rc;

	if (rev->is_c) {
		if (report)
			out_info(&ctx->out, "note: %s: a C revision, not "
			    "linted\n", rev->path);
		return 0;
	}
	if (strbuf_read_file(&text, rev->path, LINT_MAX_FILE) != 0) {
		rc = mg_error_set(err, errno == EFBIG ? MG_EREVISION : MG_EIO,
		    "cannot read '%s': %s", rev->path, strerror(errno));
		strbuf_release(&text);
		return rc;
	}
	if ((rc = sqlsplit_parse(&sc, text.buf, text.len, "postgresql",
	    rev->path, err)) == 0)
		lint_revision(l, rev->path, &sc, report);
	sqlsplit_free(&sc);
	strbuf_release(&text);
	return rc;
}

static void
print_findings(const struct cmd_ctx *ctx, const struct lint *l)
{
	const struct lint_finding	*f;
	struct strbuf			 sb = STRBUF_INIT;
	size_t				 i, n, ne, nw;

	f = lint_findings(l, &n);
	ne = lint_count(l, LINT_ERROR);
	nw = lint_count(l, LINT_WARNING);
	if (ctx->out.json)
		strbuf_addstr(&sb, "{\"findings\": [");
	for (i = 0; i < n; i++) {
		if (!ctx->out.json) {
			strbuf_addf(&sb, "%s:%d:%d: %s: %s\n    hint: %s\n",
			    f[i].path, f[i].line, f[i].col, f[i].rule,
			    f[i].message, f[i].hint);
			continue;
		}
		strbuf_addstr(&sb, i ? ",\n    {\"rule\": " :
		    "\n    {\"rule\": ");
		json_str(&sb, f[i].rule);
		strbuf_addstr(&sb, ", \"severity\": ");
		json_str(&sb, f[i].severity == LINT_ERROR ? "error" :
		    "warning");
		strbuf_addstr(&sb, ", \"file\": ");
		json_str(&sb, f[i].path);
		strbuf_addf(&sb, ", \"line\": %d, \"col\": %d, \"message\": ",
		    f[i].line, f[i].col);
		json_str(&sb, f[i].message);
		strbuf_addstr(&sb, ", \"hint\": ");
		json_str(&sb, f[i].hint);
		strbuf_addch(&sb, '}');
	}
	if (ctx->out.json)
		strbuf_addf(&sb, "%s], \"errors\": %zu, \"warnings\": %zu}\n",
		    n ? "\n  " : "", ne, nw);
	out_print(&ctx->out, "%s", sb.buf);
	if (!ctx->out.json)
		out_info(&ctx->out, "%zu error%s, %zu warning%s\n", ne,
		    ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
	strbuf_release(&sb);
}

int
cmd_lint(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	const struct graph	*g = ctx->g;
	struct lint_opts	 opts;
	struct lint		*l = NULL;
	struct revspec		 rs;
	struct idxlist		 want = { NULL, 0 }, order = { NULL, 0 };
	unsigned char		*asked, *in;
	size_t			 i;
	int			 rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	asked = xcalloc(g->n + 1, 1);
	in = xcalloc(g->n + 1, 1);
	if (optind == argc)
		memset(asked, 1, g->n);
	/* No database here: "current" and relative walks start at heads. */
	for (; optind < argc; optind++) {
		if ((rc = revspec_resolve(&rs, g, &g->heads, argv[optind],
		    err)) != 0)
			goto done;
		for (i = 0; i < rs.revs.n; i++)
			asked[rs.revs.v[i]] = 1;
		revspec_free(&rs);
	}
	/* Ancestors are read too, without findings: what did they create? */
	for (i = 0; i < g->n; i++)
		if (asked[i])
			idxlist_add(&want, i);
	graph_mark_ancestors(g, want.v, want.n, in);
	graph_order(g, in, &order);
	/* migrate sets lock_timeout for its session unless it is 0. */
	opts.session_lock_timeout = ctx->cfg->lock_timeout_ms > 0;
	l = lint_new(&opts);
	for (i = 0; i < order.n; i++)
		if ((rc = lint_file(ctx, l, order.v[i], asked[order.v[i]],
		    err)) != 0)
			goto done;
	print_findings(ctx, l);
	/* The findings and the summary say it all: no error line. */
	if (lint_count(l, LINT_ERROR) > 0)
		rc = MG_ECHECK;
done:
	lint_free(l);
	idxlist_clear(&want);
	idxlist_clear(&order);
	free(asked);
	free(in);
	return rc;
}
