#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"

int
cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv,
    struct mg_error *err)
{
	int	rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	/*
	 * No default target: "downgrade" alone reverting something would be
	 * a surprise in production (Alembic requires it too).
	 */
	if (argc - optind != 1)
		return cmd_usage_error("downgrade", err, "needs exactly one "
		    "TARGET (-1, base, or a revision)");
	return cmd_migrate(ctx, argv[optind], 0, err);
}
