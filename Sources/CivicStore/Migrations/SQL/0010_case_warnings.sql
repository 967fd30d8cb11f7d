-- The sweeper's state moves off the case row into a narrow table (docs/SUPERVISION.md).
-- On `cases`, writing warning_next_at (indexed) made every case a sweep touched a non-HOT
-- update of a wide row with a dozen indexes; here it is a row of three columns and two indexes.
-- Only open cases have a row: a case that closes is no longer watched.
CREATE TABLE case_warnings (
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  -- The case clock's level last recorded (for a case without a clock, its most urgent task's).
  level text NOT NULL DEFAULT 'green' CHECK (level IN ('green', 'yellow', 'red', 'overdue')),
  -- When any clock of the case next changes level; -infinity: look at it on the next pass;
  -- NULL: nothing can change by time (paused, stopped or overdue).
  next_at timestamptz DEFAULT '-infinity'
);
INSERT INTO case_warnings (case_id, level, next_at)
  SELECT id, warning_level, warning_next_at FROM cases WHERE is_open;
CREATE INDEX case_warnings_next ON case_warnings (next_at, case_id) WHERE next_at IS NOT NULL;

DROP TRIGGER cases_warning_reindex ON cases;
DROP FUNCTION cases_warning_reindex();
DROP INDEX cases_warning_next;
ALTER TABLE cases DROP COLUMN warning_level, DROP COLUMN warning_next_at;

-- A new case, or a written snapshot (a task opened, claimed, paused, extended, finished),
-- makes an open case due at once; a case that closed leaves the table.
CREATE FUNCTION cases_warning_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_open THEN
    INSERT INTO case_warnings (case_id) VALUES (NEW.id)
      ON CONFLICT (case_id) DO UPDATE SET next_at = '-infinity';
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM case_warnings WHERE case_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER cases_warning_due AFTER INSERT OR UPDATE OF snapshot, is_open ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_warning_due();

-- The alert feed is an append-only log written only by AlertWriter, in the transaction that
-- holds the case and unit it names, and cases and units are never deleted. Its foreign keys
-- cost two lookups per alert row, about two thirds of a sweep's alert insert (measured with
-- ops/bench/supervision); they go.
ALTER TABLE supervision_alerts
  DROP CONSTRAINT supervision_alerts_case_id_fkey,
  DROP CONSTRAINT supervision_alerts_unit_id_fkey,
  DROP CONSTRAINT supervision_alerts_order_id_fkey;
