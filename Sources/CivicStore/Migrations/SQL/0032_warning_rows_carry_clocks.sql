-- The sweeper's claim reads everything it needs from `case_warnings` (docs/SUPERVISION.md):
-- the case's kind, jurisdiction, intake unit and compact clocks (0012) are copied into its
-- warning row by the trigger that makes the row due, so a claim no longer reads the row of
-- each due case from the wide `cases` table (at a million cases, a random heap read per case).
-- Only open cases have a warning row: the copy is as large as the open cases' clocks.
ALTER TABLE case_warnings
  ADD COLUMN kind text,
  ADD COLUMN jurisdiction text,
  ADD COLUMN unit_id bigint,
  ADD COLUMN clocks bytea;
UPDATE case_warnings w SET kind = c.kind, jurisdiction = c.jurisdiction, unit_id = c.unit_id, clocks = c.clocks
  FROM cases c WHERE c.id = w.case_id;
ALTER TABLE case_warnings
  ALTER COLUMN kind SET NOT NULL,
  ALTER COLUMN jurisdiction SET NOT NULL,
  ALTER COLUMN unit_id SET NOT NULL;

CREATE OR REPLACE FUNCTION cases_warning_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('civicgrid.snapshot_conversion', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.is_open THEN
    INSERT INTO case_warnings (case_id, kind, jurisdiction, unit_id, clocks)
      VALUES (NEW.id, NEW.kind, NEW.jurisdiction, NEW.unit_id, NEW.clocks)
      ON CONFLICT (case_id) DO UPDATE SET next_at = '-infinity', kind = EXCLUDED.kind,
        jurisdiction = EXCLUDED.jurisdiction, unit_id = EXCLUDED.unit_id, clocks = EXCLUDED.clocks;
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM case_warnings WHERE case_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER cases_warning_due ON cases;
CREATE TRIGGER cases_warning_due AFTER INSERT OR UPDATE OF snapshot, snapshot_bytes, clocks, unit_id, jurisdiction, is_open ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_warning_due();
