-- revision: 0007
-- down_revision: 0006
-- branch_labels:
-- depends_on:
-- message: make shipments.tracking_code NOT NULL
-- create_date: 2026-11-21 11:00:00
--
-- Step 3 of 3: once every row has a tracking code, require one.
-- PostgreSQL alters the column in place. SQLite's ALTER TABLE cannot add
-- NOT NULL to an existing column, so the sqlite sections rebuild the table
-- by hand, the procedure the SQLite documentation gives ("Making Other
-- Kinds Of Table Schema Changes"): create the new table with every original
-- column and constraint, copy the rows, drop the old table, rename the new
-- one, recreate the index (dropping the table dropped it). migrate runs a
-- rebuilding revision with foreign keys off and checks them with
-- PRAGMA foreign_key_check before committing.
--
-- The downgrade's CREATE TABLE is laid out exactly as SQLite stores the
-- table after 0005's ADD COLUMN (which inserts ", tracking_code text" just
-- before the closing parenthesis), so the stored schema text round-trips.

-- migrate:upgrade sqlite
CREATE TABLE shipments_new (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    origin_country char(2) NOT NULL REFERENCES countries (code),
    destination_country char(2) NOT NULL REFERENCES countries (code),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT ck_shipments_status
        CHECK (status IN ('pending', 'in_transit', 'delivered', 'returned', 'cancelled')),
    weight_grams integer NOT NULL
        CONSTRAINT ck_shipments_weight_grams CHECK (weight_grams > 0),
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    tracking_code text NOT NULL
);
INSERT INTO shipments_new
       (id, user_id, origin_country, destination_country, status,
        weight_grams, created_at, tracking_code)
SELECT id, user_id, origin_country, destination_country, status,
       weight_grams, created_at, tracking_code
  FROM shipments;
DROP TABLE shipments;
ALTER TABLE shipments_new RENAME TO shipments;
CREATE INDEX ix_shipments_user_id ON shipments (user_id);

-- migrate:upgrade postgresql
ALTER TABLE shipments ALTER COLUMN tracking_code SET NOT NULL;

-- migrate:downgrade sqlite
CREATE TABLE shipments_new (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    origin_country char(2) NOT NULL REFERENCES countries (code),
    destination_country char(2) NOT NULL REFERENCES countries (code),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT ck_shipments_status
        CHECK (status IN ('pending', 'in_transit', 'delivered', 'returned', 'cancelled')),
    weight_grams integer NOT NULL
        CONSTRAINT ck_shipments_weight_grams CHECK (weight_grams > 0),
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
, tracking_code text);
INSERT INTO shipments_new
       (id, user_id, origin_country, destination_country, status,
        weight_grams, created_at, tracking_code)
SELECT id, user_id, origin_country, destination_country, status,
       weight_grams, created_at, tracking_code
  FROM shipments;
DROP TABLE shipments;
ALTER TABLE shipments_new RENAME TO shipments;
CREATE INDEX ix_shipments_user_id ON shipments (user_id);

-- migrate:downgrade postgresql
ALTER TABLE shipments ALTER COLUMN tracking_code DROP NOT NULL;
