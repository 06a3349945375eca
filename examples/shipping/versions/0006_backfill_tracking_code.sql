-- revision: 0006
-- down_revision: 0005
-- branch_labels:
-- depends_on:
-- message: backfill shipments.tracking_code
-- create_date: 2026-11-21 10:50:00
--
-- Step 2 of 3: give every shipment still without one a tracking code
-- derived from its id, TRK00000042 for id 42. SQLite has printf(), while
-- PostgreSQL's format() has no zero padding and lpad() truncates long
-- values, hence the dialect sections. Rows the application already filled
-- in are left alone, and the downgrade resets only the codes this
-- backfill would have written.

-- migrate:upgrade sqlite
UPDATE shipments
   SET tracking_code = 'TRK' || printf('%08d', id)
 WHERE tracking_code IS NULL;

-- migrate:upgrade postgresql
UPDATE shipments
   SET tracking_code = 'TRK' || repeat('0', 8 - length(id::text)) || id::text
 WHERE tracking_code IS NULL;

-- migrate:downgrade sqlite
UPDATE shipments
   SET tracking_code = NULL
 WHERE tracking_code = 'TRK' || printf('%08d', id);

-- migrate:downgrade postgresql
UPDATE shipments
   SET tracking_code = NULL
 WHERE tracking_code = 'TRK' || repeat('0', 8 - length(id::text)) || id::text;
