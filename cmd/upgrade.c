#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"

int
cmd_upgrade(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*target;
	int		 ch, rc, sql = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		sql = 1;
	if (rc != 0)
		return rc;
	if (argc - optind > 1)
		return cmd_usage_error("upgrade", err, "one TARGET at most");
	target = optind < argc ? argv[optind] : "head";
	if (sql)
		return cmd_offline(ctx, target, 1, err);
	return cmd_migrate(ctx, target, 1, err);
}
