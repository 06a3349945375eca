#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "revspec.h"
#include "version.h"

int
cmd_resolve(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "applied", no_argument, NULL, 'a' },
		{ "rolled-back", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct version_state	vs;
	size_t			rev;
	int			ch, rc, applied = -1;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1) {
		if (applied != -1 && applied != (ch == 'a'))
			return cmd_usage_error("resolve", err, "--applied and "
			    "--rolled-back exclude each other");
		applied = ch == 'a';
	}
	if (rc != 0)
		return rc;
	if (argc - optind != 1 || applied == -1)
		return cmd_usage_error("resolve", err, "needs one REV and "
		    "--applied or --rolled-back");
	if ((rc = revspec_find(&rev, ctx->g, argv[optind], err)) != 0 ||
	    (rc = cmd_confirm(ctx, "Resolve", err)) != 0 ||
	    (rc = exec_lock(ctx->ex, err)) != 0)
		return rc;
	/* The state is read under the lock: nothing moves underneath. */
	if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
		return rc;
	rc = exec_resolve(ctx->ex, ctx->g, &vs, rev, applied, err);
	version_free(&vs);
	return rc;
}
