/*
 * revision: 0011
 * down_revision: 0010
 * branch_labels:
 * depends_on:
 * message: add shipments.carrier, chosen per shipment
 * create_date: 2026-11-22 09:00:00
 *
 * A C plugin revision: a backfill that needs a program, not one UPDATE.
 * Each shipment's carrier depends on its weight and on whether it leaves
 * its origin country. The plugin adds the column, reads the shipments
 * with mg_query and writes each carrier with mg_execf, then makes the
 * column NOT NULL and indexes it. Names go through the DDL functions, so
 * migrate renders them for each database: on SQLite "NOT NULL" becomes a
 * table rebuild, and CONCURRENTLY is dropped; on PostgreSQL the index is
 * built CONCURRENTLY, outside the transaction.
 */
#include <string.h>

#include <migrate/plugin.h>

const int migrate_plugin_abi = MG_PLUGIN_ABI;

static const char *
carrier_for(long long grams, const char *from, const char *to)
{
	if (grams > 30000)
		return "freight";
	if (strcmp(from, to) != 0)
		return "international";
	return grams > 2000 ? "parcel" : "letter";
}

static int
set_carrier(mg_ctx *ctx, const struct mg_row *row, void *arg)
{
	int	*n = arg;

	(*n)++;
	return mg_execf(ctx, "UPDATE shipments SET carrier = %s WHERE id = %lld",
	    mg_quote_literal(ctx, carrier_for(mg_int(row, 1), mg_text(row, 2),
	    mg_text(row, 3))), mg_int(row, 0));
}

int
migrate_upgrade(mg_ctx *ctx)
{
	static const char *const cols[] = { "carrier", NULL };
	struct mg_column	 carrier = { "carrier", "text", 0, NULL };
	struct mg_alter		 required = { NULL, 0, NULL, 0, NULL };
	int			 n = 0;

	if (mg_add_column(ctx, "shipments", &carrier) != 0 ||
	    mg_query(ctx, "SELECT id, weight_grams, origin_country, "
	    "destination_country FROM shipments ORDER BY id", set_carrier,
	    &n) != 0 ||
	    mg_alter_column(ctx, "shipments", "carrier", &required) != 0 ||
	    mg_create_index(ctx, "ix_shipments_carrier", "shipments", cols,
	    MG_CONCURRENTLY, NULL) != 0)
		return -1;
	mg_log(ctx, "carrier set on %d shipment(s)", n);
	return 0;
}

int
migrate_downgrade(mg_ctx *ctx)
{
	if (mg_drop_index(ctx, "ix_shipments_carrier", MG_CONCURRENTLY) != 0)
		return -1;
	return mg_drop_column(ctx, "shipments", "carrier");
}
