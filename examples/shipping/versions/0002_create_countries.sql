-- revision: 0002
-- down_revision: 0001
-- branch_labels:
-- depends_on:
-- message: create countries
-- create_date: 2026-11-21 10:10:00
--
-- Reference data shipped with the schema: ISO 3166-1 alpha-2 codes.
-- The downgrade drops the table, which takes the seed rows with it.

-- migrate:upgrade
CREATE TABLE countries (
    code char(2) PRIMARY KEY
        CONSTRAINT ck_countries_code CHECK (length(code) = 2 AND code = upper(code)),
    name text NOT NULL UNIQUE
);
INSERT INTO countries (code, name) VALUES
    ('AU', 'Australia'),
    ('BR', 'Brazil'),
    ('CA', 'Canada'),
    ('DE', 'Germany'),
    ('ES', 'Spain'),
    ('FR', 'France'),
    ('GB', 'United Kingdom'),
    ('IN', 'India'),
    ('IT', 'Italy'),
    ('JP', 'Japan'),
    ('MX', 'Mexico'),
    ('NL', 'Netherlands'),
    ('PL', 'Poland'),
    ('SE', 'Sweden'),
    ('US', 'United States');

-- migrate:downgrade
DROP TABLE countries;
