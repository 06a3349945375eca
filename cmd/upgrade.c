#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"

int
cmd_upgrade(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	int	rc;

	if ((rc = cmd_no_options(ctx, argc, argv, err)) != 0)
		return rc;
	if (argc - optind > 1)
		return cmd_usage_error("upgrade", err, "one TARGET at most");
	return cmd_migrate(ctx, optind < argc ? argv[optind] : "head", 1,
	    err);
}
