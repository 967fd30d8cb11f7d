-- Bad-rating rectifications (差评整改) become cases of kind `rectification` on the engine
-- (docs/EVALUATION.md): the case holds state, version, the unit's task and its working-day
-- clock (so the warning sweeper watches it) and the timeline in case_events; this table keeps
-- what only rectifications have, keyed by the rectification's case, like supervision_orders.
--
-- Rows of the 0007 table held their state in a snapshot of their own and cannot become cases
-- here (a case snapshot is the engine's value, written by the server). They only ever existed
-- in test databases, so this migration refuses to run over them rather than guess.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM rectifications) THEN
    RAISE EXCEPTION 'migration 0008: table rectifications has % rows from before rectifications were cases; they cannot be converted. Recreate the database, or delete them (DELETE FROM rectifications) and run again',
      (SELECT count(*) FROM rectifications);
  END IF;
END
$$;

DROP TABLE rectifications;

CREATE TABLE rectifications (
  -- The rectification's own case (kind rectification, item RECTIFICATION); its number is the
  -- rectification's id in the API.
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  rating_id bigint NOT NULL UNIQUE REFERENCES ratings (id),
  -- The case that was rated.
  rated_case_id bigint NOT NULL REFERENCES cases (id),
  -- The responsible unit (the rating's unit) and its path, for scoping.
  unit_id bigint NOT NULL REFERENCES units (id),
  unit_path text COLLATE "C" NOT NULL,
  -- The return visit (回访) that closed it: whether the citizen was satisfied, and when.
  return_visit_satisfied boolean,
  return_visit_note text NOT NULL DEFAULT '',
  visited_at timestamptz
);
CREATE INDEX rectifications_unit ON rectifications (unit_path, case_id DESC);

-- The catalogue entry rectification cases are filed under; retired, so no one can apply for it.
INSERT INTO catalog_items (code) VALUES ('RECTIFICATION');
INSERT INTO catalog_item_versions
  (item_code, version, status, name, category, kind, lead_unit_code, promised_working_days, channels, definition)
VALUES
  ('RECTIFICATION', 1, 'retired', '差评整改', 'supervision', 'promised', '', 5, '{window}',
   '{"code":"RECTIFICATION","name":"差评整改","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":5,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}');
