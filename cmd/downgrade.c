#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "error.h"

int
cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv,
    struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch, rc, sql = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		sql = 1;
	if (rc != 0)
		return rc;
	/*
	 * No default target: "downgrade" alone reverting something would be
	 * a surprise in production (Alembic requires it too).
	 */
	if (argc - optind != 1)
		return cmd_usage_error("downgrade", err, "needs exactly one "
		    "TARGET (-1, base, or a revision)%s", sql ? ", FROM:TO "
		    "with --sql" : "");
	if (sql)
		return cmd_offline(ctx, argv[optind], 0, err);
	return cmd_migrate(ctx, argv[optind], 0, err);
}
