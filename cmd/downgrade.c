#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"

int
cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv,
    struct mg_error *err)
{
	int	ch, rc;

	while ((rc = cmd_getopt(ctx, argc, argv, "", NULL, &ch, err)) == 0 &&
	    ch != -1)
		;
	if (rc != 0)
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
