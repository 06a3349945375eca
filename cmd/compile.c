/*
 * migrate compile [--out DIR]: build every C revision into
 * script_location/.migrate-plugins/ (or DIR), where the executor looks
 * first, so that a deploy image can ship the plugins without a compiler.
 * Plugins already built from the same source and header are kept; stale
 * ones (an edited or deleted revision) are removed.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "plugin.h"
#include "strbuf.h"
#include "xmalloc.h"

int
cmd_compile(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf		 so = STRBUF_INIT, removed = STRBUF_INIT;
	const struct revision	*rev;
	const char		*out_dir = NULL, *slash;
	char			*dflt = NULL, *p, *nl;
	struct strlist		 keep = { NULL, 0 };
	size_t			 i;
	int			 ch, rc, built;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		out_dir = optarg;
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("compile", err, "takes no operands");
	if (out_dir == NULL)
		out_dir = dflt = xasprintf("%s/.migrate-plugins",
		    ctx->cfg->script_location);
	for (i = 0; i < ctx->set.n; i++) {
		rev = ctx->set.v[i];
		if (!rev->is_c)
			continue;
		strbuf_reset(&so);
		if ((rc = plugin_compile(&so, &built, rev, out_dir, err)) != 0)
			goto done;
		out_print(&ctx->out, "%s %s -> %s\n", built ? "compiled" :
		    "up to date:", rev->path, so.buf);
		slash = strrchr(so.buf, '/');
		strlist_add(&keep, slash ? slash + 1 : so.buf);
	}
	if (keep.n == 0)
		out_info(&ctx->out, "no C revisions in '%s'\n",
		    ctx->cfg->script_location);
	rc = plugin_prune(&removed, out_dir, (const char *const *)keep.v,
	    keep.n, err);
	/* plugin_prune lists the paths one a line. */
	for (p = removed.buf; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		out_print(&ctx->out, "removed %.*s\n", (int)(nl - p), p);
	}
done:
	strlist_clear(&keep);
	strbuf_release(&so);
	strbuf_release(&removed);
	free(dflt);
	return rc;
}
