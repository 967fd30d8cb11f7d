-- Supervision (docs/SUPERVISION.md): warning levels indexed on their next change for the
-- sweeper, the alert feed with a global sequence, supervision orders and inspection findings
-- (cases on the engine, with their order-specific columns here), notices and inspections.

-- The warning level last recorded for each clock, and when any clock of the case next changes
-- level. Any change to a case's snapshot sets warning_next_at to -infinity, so the sweeper
-- looks at a changed case on its next pass (a task opened, paused, extended or finished); the
-- sweeper then writes the real next change time, or NULL when nothing can change by time.
ALTER TABLE cases
  ADD COLUMN warning_level text NOT NULL DEFAULT 'green' CHECK (warning_level IN ('green', 'yellow', 'red', 'overdue')),
  ADD COLUMN warning_next_at timestamptz DEFAULT '-infinity';
ALTER TABLE case_tasks
  ADD COLUMN warning_level text NOT NULL DEFAULT 'green' CHECK (warning_level IN ('green', 'yellow', 'red', 'overdue'));

CREATE INDEX cases_warning_next ON cases (warning_next_at, id) WHERE is_open AND warning_next_at IS NOT NULL;

CREATE FUNCTION cases_warning_reindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.snapshot IS DISTINCT FROM OLD.snapshot THEN
    NEW.warning_next_at := '-infinity';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER cases_warning_reindex BEFORE INSERT OR UPDATE ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_warning_reindex();

-- The alert feed: warnings, urges, order proposals, order steps, notices, inspections. Rows
-- are inserted only under the alert-order advisory lock held to commit, so sequence values
-- become visible in increasing order (the technique of case_events, docs/CASES.md).
CREATE TABLE supervision_alerts (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('warning', 'urge', 'orderProposed', 'order', 'notice', 'inspection')),
  case_id bigint REFERENCES cases (id),
  task integer NOT NULL DEFAULT 0,
  case_kind text NOT NULL DEFAULT '',
  unit_id bigint NOT NULL REFERENCES units (id),
  unit_path text COLLATE "C" NOT NULL,
  level text CHECK (level IN ('green', 'yellow', 'red', 'overdue')),
  previous_level text CHECK (previous_level IN ('green', 'yellow', 'red', 'overdue')),
  order_id bigint REFERENCES cases (id),
  record_id bigint NOT NULL DEFAULT 0,
  summary text NOT NULL,
  at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX supervision_alerts_unit ON supervision_alerts (unit_path, seq);
CREATE INDEX supervision_alerts_case ON supervision_alerts (case_id, task, seq) WHERE case_id IS NOT NULL;

-- Orders and inspection findings: the case (kind supervisionOrder / inspectionFinding) holds
-- state, tasks and clocks; this row holds what only orders have.
CREATE TABLE supervision_orders (
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  level text NOT NULL CHECK (level IN ('ordinary', 'listed')),
  title text NOT NULL,
  requirement text NOT NULL,
  subject_case_id bigint REFERENCES cases (id),
  subject_task integer NOT NULL DEFAULT 0,
  reply_working_days integer NOT NULL CHECK (reply_working_days BETWEEN 1 AND 60),
  escalations integer NOT NULL DEFAULT 0,
  inspection_id bigint,
  issued_by text NOT NULL,
  issued_at timestamptz NOT NULL
);
CREATE INDEX supervision_orders_subject ON supervision_orders (subject_case_id, subject_task) WHERE subject_case_id IS NOT NULL;

-- What the sweeper proposes when a clock goes overdue: at most one proposal per clock.
CREATE TABLE supervision_order_proposals (
  case_id bigint NOT NULL REFERENCES cases (id),
  task integer NOT NULL,
  unit_id bigint NOT NULL REFERENCES units (id),
  proposed_at timestamptz NOT NULL,
  order_id bigint REFERENCES cases (id),
  PRIMARY KEY (case_id, task)
);

CREATE TABLE supervision_notices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('commendation', 'criticism')),
  unit_id bigint NOT NULL REFERENCES units (id),
  period text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  case_ids bigint[] NOT NULL DEFAULT '{}',
  order_ids bigint[] NOT NULL DEFAULT '{}',
  published_by text NOT NULL,
  published_at timestamptz NOT NULL
);
CREATE INDEX supervision_notices_unit ON supervision_notices (unit_id, id DESC);

CREATE TABLE supervision_inspections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period text NOT NULL,
  title text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX supervision_inspections_period ON supervision_inspections (period, id DESC);

CREATE TABLE supervision_findings (
  inspection_id bigint NOT NULL REFERENCES supervision_inspections (id),
  position integer NOT NULL,
  unit_id bigint NOT NULL REFERENCES units (id),
  description text NOT NULL,
  rectify_working_days integer NOT NULL,
  rectification_case_id bigint NOT NULL REFERENCES cases (id),
  PRIMARY KEY (inspection_id, position)
);

-- The catalogue entries orders and findings are filed under (cases reference an item
-- version); retired, so no one can submit an application for them.
INSERT INTO catalog_items (code) VALUES ('SUPERVISION-ORDER'), ('INSPECTION-FINDING');
INSERT INTO catalog_item_versions
  (item_code, version, status, name, category, kind, lead_unit_code, promised_working_days, channels, definition)
VALUES
  ('SUPERVISION-ORDER', 1, 'retired', '督办单', 'supervision', 'promised', '', 1, '{window}',
   '{"code":"SUPERVISION-ORDER","name":"督办单","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":1,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}'),
  ('INSPECTION-FINDING', 1, 'retired', '检查整改', 'supervision', 'promised', '', 1, '{window}',
   '{"code":"INSPECTION-FINDING","name":"检查整改","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":1,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}');
