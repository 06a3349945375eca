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

/*
 * Alembic's stamp: each target replaces the rows that share its lineage
 * (its ancestors and descendants through down_revision) and leaves the
 * others, so stamping one branch keeps the rest; B@base drops the rows of
 * branch B, base all of them. applied becomes the ancestry of the rows.
 */
static void
stamp_one(const struct graph *g, const struct revspec *rs,
    unsigned char *applied)
{
	struct idxlist	 rows = { NULL, 0 }, keep = { NULL, 0 };
	unsigned char	*lin;
	size_t		 i, k;
	int		 gone;

	lin = xcalloc(g->n + 1, 1);
	if (rs->base && rs->branch != NULL) {
		/* B@base: B's revisions go, their ancestors stay. */
		for (i = 0; i < g->n; i++)
			if (applied[i] && rs->branch[i])
				idxlist_add(&keep, i);
		graph_mark_descendants(g, keep.v, keep.n, lin);
		for (i = 0; i < g->n; i++)
			applied[i] &= !lin[i];
		memset(lin, 0, g->n);
		idxlist_clear(&keep);
	} else if (rs->base)
		memset(lin, 1, g->n);
	version_heads_of(g, applied, &rows);
	for (k = 0; k < rs->revs.n; k++)
		graph_mark_lineage(g, rs->revs.v[k], lin);
	for (i = 0; i < rows.n; i++) {
		gone = lin[rows.v[i]];
		if (!gone)
			idxlist_add(&keep, rows.v[i]);
	}
	for (k = 0; k < rs->revs.n; k++)
		idxlist_add(&keep, rs->revs.v[k]);
	memset(applied, 0, g->n);
	graph_mark_ancestors(g, keep.v, keep.n, applied);
	free(lin);
	idxlist_clear(&rows);
	idxlist_clear(&keep);
}

int
cmd_stamp(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "purge", no_argument, NULL, 'p' },
		{ "sql", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct version_state	 vs;
	struct idxlist		 rows = { NULL, 0 };
	struct revspec		 rs;
	struct strbuf		 sb = STRBUF_INIT;
	unsigned char		*applied = NULL;
	size_t			 i;
	int			 ch, rc, purge = 0, have_vs = 0, sql = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1) {
		if (ch == 'p')
			purge = 1;
		else
			sql = 1;
	}
	if (rc != 0)
		return rc;
	if (optind >= argc)
		return cmd_usage_error("stamp", err, "needs at least one REV");
	memset(&vs, 0, sizeof(vs));
	/*
	 * --sql knows no current rows: it stamps from nothing, as --purge
	 * does (the version table is emptied first either way).
	 */
	if (sql) {
		if ((rc = exec_open_offline(&ctx->ex, ctx->cfg, &ctx->out, 1,
		    err)) != 0)
			return rc;
		purge = 1;
	} else if ((rc = exec_open(&ctx->ex, ctx->cfg, &ctx->out, err)) != 0)
		return rc;
	/*
	 * Without --purge the current rows must make sense: a row naming a
	 * revision no file has stops here, with a hint about --purge.
	 */
	if (!purge) {
		if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
			return rc;
		have_vs = 1;
	}
	/* Each REV moves the rows from where they are (--purge: nothing). */
	applied = xcalloc(ctx->g->n + 1, 1);
	if (have_vs)
		memcpy(applied, vs.applied, ctx->g->n);
	for (; optind < argc; optind++) {
		if ((rc = revspec_resolve(&rs, ctx->g, &vs.rows, argv[optind],
		    err)) != 0)
			goto done;
		stamp_one(ctx->g, &rs, applied);
		revspec_free(&rs);
	}
	version_heads_of(ctx->g, applied, &rows);
	if ((rc = cmd_confirm(ctx, "Stamp", err)) != 0 ||
	    (rc = exec_lock(ctx->ex, err)) != 0 ||
	    (rc = exec_stamp(ctx->ex, ctx->g, &rows, err)) != 0)
		goto done;
	for (i = 0; i < rows.n; i++)
		strbuf_addf(&sb, " %s", ctx->g->nodes[rows.v[i]].rev->id);
	if (sql)
		out_print(&ctx->out, "-- migrate stamp --sql:%s\n\n%s",
		    rows.n ? sb.buf : " base", exec_offline_sql(ctx->ex));
	else
		out_info(&ctx->out, "Stamped:%s\n", rows.n ? sb.buf : " base");
done:
	exec_unlock(ctx->ex);
	if (have_vs)
		version_free(&vs);
	idxlist_clear(&rows);
	free(applied);
	strbuf_release(&sb);
	return rc;
}
