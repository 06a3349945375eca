-- revision: 0008
-- down_revision: 0007
-- branch_labels:
-- depends_on:
-- message: expand users.name to users.full_name
-- create_date: 2026-11-21 11:10:00
--
-- Renaming a column without downtime, expand/contract style, step 1 of 3
-- (expand): add full_name next to name, copy the data, and keep the two
-- columns in sync with triggers, so that the old application (which writes
-- name) and the new one (which writes full_name) can run side by side.
-- Whichever column a statement changes is copied to the other one; an
-- INSERT that sets only one of them fills in the other.
-- SQLite gets two CREATE TRIGGER ... BEGIN ... END statements (with
-- CASE ... END inside), PostgreSQL a PL/pgSQL function in a $$ body and a
-- BEFORE trigger.

-- migrate:upgrade sqlite
ALTER TABLE users ADD COLUMN full_name text;
UPDATE users SET full_name = name;
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

-- migrate:upgrade postgresql
ALTER TABLE users ADD COLUMN full_name text;
UPDATE users SET full_name = name;
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

-- migrate:downgrade sqlite
DROP TRIGGER trg_users_sync_full_name_update;
DROP TRIGGER trg_users_sync_full_name_insert;
ALTER TABLE users DROP COLUMN full_name;

-- migrate:downgrade postgresql
DROP TRIGGER trg_users_sync_full_name ON users;
DROP FUNCTION users_sync_full_name();
ALTER TABLE users DROP COLUMN full_name;
