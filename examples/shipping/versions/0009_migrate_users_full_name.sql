-- revision: 0009
-- down_revision: 0008
-- branch_labels:
-- depends_on:
-- message: read users.full_name through user_directory
-- create_date: 2026-11-21 11:20:00
--
-- Expand/contract step 2 of 3 (migrate): backfill any row that still has
-- no full_name, then move the readers to the new column. The backfill is
-- a safety net: with 0008's triggers in place it normally finds nothing,
-- but rows can be written with triggers disabled (for example under
-- PostgreSQL's session_replication_role = replica). The user_directory
-- view, which reporting and the new application read, exposes full_name
-- only.
-- The downgrade drops the view and leaves the backfilled values alone: in
-- 0008's state full_name is a copy of name, which is what the backfill
-- wrote.

-- migrate:upgrade
UPDATE users
   SET full_name = name
 WHERE full_name IS NULL AND name IS NOT NULL;
CREATE VIEW user_directory AS
SELECT id, email, full_name, created_at
  FROM users;

-- migrate:downgrade
DROP VIEW user_directory;
