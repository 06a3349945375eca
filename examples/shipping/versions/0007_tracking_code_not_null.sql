-- revision: 0007
-- down_revision: 0006
-- branch_labels:
-- depends_on:
-- message: make shipments.tracking_code NOT NULL
-- create_date: 2026-11-21 11:00:00
--
-- Step 3 of 3: once every row has a tracking code, require one.
-- PostgreSQL alters the column in place. SQLite's ALTER TABLE cannot add
-- NOT NULL to an existing column, so the sqlite sections ask migrate to
-- rebuild the table ("-- migrate:rebuild shipments" before the table's new
-- definition): migrate creates the new table, copies the rows, drops the
-- old one, renames, and recreates the index, triggers and views, with
-- foreign keys off and a PRAGMA foreign_key_check before the commit.

-- migrate:upgrade sqlite
-- migrate:rebuild shipments
CREATE TABLE shipments (
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

-- migrate:upgrade postgresql
ALTER TABLE shipments ALTER COLUMN tracking_code SET NOT NULL;

-- migrate:downgrade sqlite
-- migrate:rebuild shipments
CREATE TABLE shipments (
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
    tracking_code text
);

-- migrate:downgrade postgresql
ALTER TABLE shipments ALTER COLUMN tracking_code DROP NOT NULL;
