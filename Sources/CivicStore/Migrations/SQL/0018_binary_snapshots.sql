-- Case snapshots in the compact binary form (`Case.storedBytes`, docs/STORE.md) instead of JSON.
-- The server writes `snapshot_bytes` and sets `snapshot` (JSON) to NULL; readers take whichever
-- a row has, so rows written before this migration stay readable as they are and become binary
-- when their case next changes, or all at once with `civicgridd snapshots convert --to binary`
-- (batched, online). Nothing here rewrites the table: adding a nullable column is instant, and
-- the CHECK is validated after it is added under a lock that lets reads and writes go on.
ALTER TABLE cases
  ADD COLUMN snapshot_bytes bytea,
  ALTER COLUMN snapshot DROP NOT NULL,
  ADD CONSTRAINT cases_one_snapshot CHECK ((snapshot IS NULL) <> (snapshot_bytes IS NULL)) NOT VALID;
ALTER TABLE cases VALIDATE CONSTRAINT cases_one_snapshot;

-- A change to the snapshot in either form makes an open case due for the sweeper (0010), except
-- a conversion between the forms, which changes no content: `civicgridd snapshots convert`
-- sets civicgrid.snapshot_conversion for its own transactions.
CREATE OR REPLACE FUNCTION cases_warning_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('civicgrid.snapshot_conversion', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.is_open THEN
    INSERT INTO case_warnings (case_id) VALUES (NEW.id)
      ON CONFLICT (case_id) DO UPDATE SET next_at = '-infinity';
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM case_warnings WHERE case_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER cases_warning_due ON cases;
CREATE TRIGGER cases_warning_due AFTER INSERT OR UPDATE OF snapshot, snapshot_bytes, is_open ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_warning_due();
