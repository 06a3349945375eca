-- revision: 0010
-- down_revision: 0009
-- branch_labels:
-- depends_on:
-- message: contract users.name
-- create_date: 2026-11-21 11:30:00
--
-- Expand/contract step 3 of 3 (contract), once no application version
-- uses name any more: drop the sync triggers and the old column. SQLite
-- (3.35 or later) can drop a column that no index, constraint, trigger or
-- view uses; the triggers go first, and user_directory reads full_name.
--
-- Downgrade: ALTER TABLE ADD COLUMN can only append, which would put name
-- after full_name. On SQLite the downgrade therefore rebuilds users to put
-- name back in its place: user_directory is dropped first (SQLite refuses
-- the RENAME while a view refers to a missing table), the rows are copied
-- with name taken from full_name, and the triggers and the view are
-- recreated (CREATE TABLE users_new is laid out exactly as SQLite stored
-- users after 0008's ADD COLUMN). users is the parent of
-- shipments.user_id: migrate runs a rebuilding revision with foreign keys
-- off and checks them before committing. On PostgreSQL re-adding the
-- column at the end is the practical choice (moving it back would mean
-- rebuilding users and every foreign key to it), so there name comes back
-- as the last column.

-- migrate:upgrade sqlite
DROP TRIGGER trg_users_sync_full_name_update;
DROP TRIGGER trg_users_sync_full_name_insert;
ALTER TABLE users DROP COLUMN name;

-- migrate:upgrade postgresql
DROP TRIGGER trg_users_sync_full_name ON users;
DROP FUNCTION users_sync_full_name();
ALTER TABLE users DROP COLUMN name;

-- migrate:downgrade sqlite
DROP VIEW user_directory;
CREATE TABLE users_new (
    id integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
, full_name text);
INSERT INTO users_new (id, email, name, created_at, full_name)
SELECT id, email, full_name, created_at, full_name
  FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE TRIGGER trg_users_sync_full_name_insert
AFTER INSERT ON users
FOR EACH ROW
WHEN NEW.full_name IS NULL OR NEW.name IS NULL
BEGIN
    UPDATE users
       SET full_name = coalesce(full_name, name),
           name = coalesce(name, full_name)
     WHERE id = NEW.id;
END;
CREATE TRIGGER trg_users_sync_full_name_update
AFTER UPDATE OF name, full_name ON users
FOR EACH ROW
WHEN (NEW.name IS NOT OLD.name) <> (NEW.full_name IS NOT OLD.full_name)
BEGIN
    UPDATE users
       SET full_name = CASE WHEN NEW.name IS NOT OLD.name
                            THEN NEW.name ELSE full_name END,
           name = CASE WHEN NEW.full_name IS NOT OLD.full_name
                       THEN NEW.full_name ELSE name END
     WHERE id = NEW.id;
END;
CREATE VIEW user_directory AS
SELECT id, email, full_name, created_at
  FROM users;

-- migrate:downgrade postgresql
ALTER TABLE users ADD COLUMN name text;
UPDATE users SET name = full_name;
CREATE FUNCTION users_sync_full_name() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.full_name := coalesce(NEW.full_name, NEW.name);
        NEW.name := coalesce(NEW.name, NEW.full_name);
    ELSIF NEW.name IS DISTINCT FROM OLD.name
          AND NEW.full_name IS NOT DISTINCT FROM OLD.full_name THEN
        NEW.full_name := NEW.name;
    ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name
          AND NEW.name IS NOT DISTINCT FROM OLD.name THEN
        NEW.name := NEW.full_name;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER trg_users_sync_full_name
BEFORE INSERT OR UPDATE OF name, full_name ON users
FOR EACH ROW EXECUTE FUNCTION users_sync_full_name();
