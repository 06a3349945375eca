#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "revspec.h"
#include "strbuf.h"
#include "xmalloc.h"

/*
 * Refuse a merge of revisions of which one is an ancestor of another: the
 * merge would add an edge that is already implied (Alembic: "overlaps").
 */
static int
check_overlap(const struct graph *g, const struct idxlist *revs,
    struct mg_error *err)
{
	unsigned char	*below;
	size_t		 i, k;
	int		 rc = 0;

	below = xcalloc(g->n ? g->n : 1, 1);
	for (i = 0; i < revs->n && rc == 0; i++) {
		memset(below, 0, g->n);
		graph_mark_ancestors(g, &revs->v[i], 1, below);
		for (k = 0; k < revs->n; k++)
			if (k != i && below[revs->v[k]]) {
				rc = mg_error_set(err, MG_EUSAGE, "revision "
				    "'%s' is an ancestor of '%s': there is "
				    "nothing to merge",
				    g->nodes[revs->v[k]].rev->id,
				    g->nodes[revs->v[i]].rev->id);
				break;
			}
	}
	free(below);
	return rc;
}

int
cmd_merge(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "rev-id", required_argument, NULL, 'r' },
		{ "branch-label", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct new_revision	 nr = { NULL, "", "", "", NULL, 0 };
	struct idxlist		 revs = { NULL, 0 };
	struct strbuf		 parents = STRBUF_INIT, msg = STRBUF_INIT;
	struct revspec		 rs;
	size_t			 i, k;
	int			 ch, rc, dup;

	while ((rc = cmd_getopt(ctx, argc, argv, "m:", longopts, &ch,
	    err)) == 0 && ch != -1) {
		switch (ch) {
		case 'm': nr.message = optarg; break;
		case 'r': nr.id = optarg; break;
		case 'b': nr.label = optarg; break;
		}
	}
	if (rc != 0)
		return rc;
	if (optind >= argc)
		return cmd_usage_error("merge", err, "needs the revisions to "
		    "merge, or 'heads'");
	for (; optind < argc; optind++) {
		if ((rc = revspec_resolve(&rs, ctx->g, &ctx->g->heads,
		    argv[optind], err)) != 0)
			goto done;
		for (i = 0; i < rs.revs.n; i++) {
			for (dup = 0, k = 0; k < revs.n; k++)
				dup |= revs.v[k] == rs.revs.v[i];
			if (!dup)
				idxlist_add(&revs, rs.revs.v[i]);
		}
		revspec_free(&rs);
	}
	if (revs.n < 2) {
		rc = mg_error_set(err, MG_EUSAGE, "merge needs at least two "
		    "revisions; %s", revs.n ? "there is only one" :
		    "there are none");
		goto done;
	}
	if ((rc = check_overlap(ctx->g, &revs, err)) != 0)
		goto done;
	for (i = 0; i < revs.n; i++)
		strbuf_addf(&parents, "%s%s", i ? ", " : "",
		    ctx->g->nodes[revs.v[i]].rev->id);
	if (nr.message == NULL) {
		strbuf_addf(&msg, "merge %s", parents.buf);
		nr.message = msg.buf;
	}
	nr.parents = parents.buf;
	rc = cmd_write_revision(ctx, &nr, err);
done:
	idxlist_clear(&revs);
	strbuf_release(&parents);
	strbuf_release(&msg);
	return rc;
}
