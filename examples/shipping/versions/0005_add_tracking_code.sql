-- revision: 0005
-- down_revision: 0004
-- branch_labels:
-- depends_on:
-- message: add shipments.tracking_code
-- create_date: 2026-11-21 10:40:00
--
-- Adding a required column to a table that already has rows, step 1 of 3:
-- add it nullable (cheap on both databases, existing rows get NULL), then
-- backfill it (0006), then make it NOT NULL (0007). Between the steps the
-- application starts writing the column for new shipments.

-- migrate:upgrade
ALTER TABLE shipments ADD COLUMN tracking_code text;

-- migrate:downgrade
ALTER TABLE shipments DROP COLUMN tracking_code;
