#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "strbuf.h"

/*
 * The database's schema, normalized: the lines `migrate test` compares
 * (README.md "migrate snapshot" has their formats). --json gives the same
 * lines as a list.
 */
int
cmd_snapshot(struct cmd_ctx *ctx, int argc, char **argv,
    struct mg_error *err)
{
	struct strbuf	 snap = STRBUF_INIT, sb = STRBUF_INIT;
	char		*p, *nl;
	int		 rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("snapshot", err, "takes no operands");
	if ((rc = exec_snapshot(ctx->ex, &snap, err)) != 0)
		goto done;
	if (!ctx->out.json) {
		out_print(&ctx->out, "%s", snap.buf);
		goto done;
	}
	strbuf_addstr(&sb, "{\"dialect\": ");
	json_str(&sb, exec_dialect_name(ctx->ex));
	strbuf_addstr(&sb, ", \"objects\": [");
	/* Every line ends with '\n' and holds no other (snapshot.h). */
	for (p = snap.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		strbuf_addstr(&sb, p == snap.buf ? "" : ", ");
		json_str(&sb, p);
	}
	strbuf_addstr(&sb, "]}\n");
	out_print(&ctx->out, "%s", sb.buf);
done:
	strbuf_release(&snap);
	strbuf_release(&sb);
	return rc;
}
