#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "error.h"
#include "revspec.h"
#include "strbuf.h"

int
cmd_show(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	struct strbuf		 sb = STRBUF_INIT;
	struct revspec		 rs;
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
	cmd_describe(&sb, ctx->g, rs.revs.v[0], NULL);
	out_print(&ctx->out, "%s", sb.buf);
	strbuf_release(&sb);
	revspec_free(&rs);
	return 0;
}
