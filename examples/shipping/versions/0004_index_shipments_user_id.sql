-- revision: 0004
-- down_revision: 0003
-- branch_labels:
-- depends_on:
-- message: index shipments by user
-- create_date: 2026-11-21 10:30:00
--
-- CREATE INDEX CONCURRENTLY builds the index without blocking writes on
-- PostgreSQL, which refuses it inside a transaction block: migrate runs it
-- outside the revision's transaction (and records the revision as
-- partially applied if it is interrupted there). On SQLite migrate drops
-- the word CONCURRENTLY. The downgrade also drops the index without
-- blocking writes on PostgreSQL.

-- migrate:upgrade
CREATE INDEX CONCURRENTLY ix_shipments_user_id ON shipments (user_id);

-- migrate:downgrade
DROP INDEX ix_shipments_user_id;

-- migrate:downgrade postgresql
DROP INDEX CONCURRENTLY ix_shipments_user_id;
