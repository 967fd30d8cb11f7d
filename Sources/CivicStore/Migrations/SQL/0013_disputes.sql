-- Disputes and first letters/visits (docs/DISPUTES.md) are cases of kind `dispute` on the
-- engine: the case holds state, version, one task per route with its working-day clock (so the
-- sweeper warns on it) and the timeline in case_events. These tables keep what only disputes
-- have, keyed by the dispute's case, like supervision_orders and rectifications.

CREATE TABLE disputes (
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  type text NOT NULL CHECK (type IN ('dispute', 'firstLetter', 'firstVisit', 'legalAid')),
  -- Only a dispute (type 'dispute') has a category.
  category text CHECK (category IN ('neighbourhood', 'family', 'property', 'labour', 'land', 'other')),
  intake text NOT NULL CHECK (intake IN ('window', 'gridWorker', 'hotline', 'partner')),
  summary text NOT NULL,
  related_case_id bigint REFERENCES cases (id),
  -- The intake unit and its path, for scoping and listing.
  unit_id bigint NOT NULL REFERENCES units (id),
  unit_path text COLLATE "C" NOT NULL,
  -- The rung of the district's ladder the dispute is at (1 = lowest), and the last review's risk.
  ladder_level integer NOT NULL DEFAULT 1 CHECK (ladder_level >= 1),
  risk text CHECK (risk IN ('low', 'medium', 'high', 'major')),
  -- Set when closed.
  result text CHECK (result IN ('resolved', 'notResolved', 'referredOut', 'withdrawn')),
  result_note text NOT NULL DEFAULT '',
  return_visited boolean NOT NULL DEFAULT false,
  satisfied boolean,
  rating integer CHECK (rating BETWEEN 1 AND 5),
  submitted_at timestamptz NOT NULL,
  closed_at timestamptz,
  CHECK ((type = 'dispute') = (category IS NOT NULL))
);
CREATE INDEX disputes_unit ON disputes (unit_path, case_id DESC);
CREATE INDEX disputes_closed ON disputes (closed_at) WHERE closed_at IS NOT NULL;

-- The parties; id_number and phone are personal data (docs/SECURITY.md), masked on the way out.
CREATE TABLE dispute_parties (
  case_id bigint NOT NULL REFERENCES disputes (case_id),
  position integer NOT NULL,
  role text NOT NULL CHECK (role IN ('applicant', 'respondent', 'thirdParty')),
  name text NOT NULL,
  id_number text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, position)
);

-- Joint reviews (联席研判), one per round.
CREATE TABLE dispute_reviews (
  case_id bigint NOT NULL REFERENCES disputes (case_id),
  round integer NOT NULL,
  held_on date NOT NULL,
  participants text[] NOT NULL,
  risk text NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'major')),
  assessment text NOT NULL,
  ladder_level integer NOT NULL,
  working_days integer NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, round)
);

-- Each route a review opened: its engine task, its channel, its outcome and the follow-up.
CREATE TABLE dispute_routes (
  case_id bigint NOT NULL REFERENCES disputes (case_id),
  task integer NOT NULL,
  round integer NOT NULL,
  channel text NOT NULL CHECK (channel IN ('peoplesMediation', 'administrativeMediation', 'judicialMediation', 'legalAid', 'directHandling')),
  unit_id bigint NOT NULL REFERENCES units (id),
  outcome text CHECK (outcome IN ('agreement', 'partial', 'failed', 'withdrawn')),
  detail text NOT NULL DEFAULT '',
  outcome_at timestamptz,
  fulfilled boolean,
  fulfilment_note text NOT NULL DEFAULT '',
  fulfilment_at timestamptz,
  PRIMARY KEY (case_id, task),
  FOREIGN KEY (case_id, round) REFERENCES dispute_reviews (case_id, round)
);
CREATE INDEX dispute_routes_outcome ON dispute_routes (outcome_at) WHERE outcome_at IS NOT NULL;

-- Mediation sessions of a route: scheduled, then held with attendees and notes.
CREATE TABLE dispute_sessions (
  case_id bigint NOT NULL REFERENCES disputes (case_id),
  number integer NOT NULL,
  task integer NOT NULL,
  scheduled_at timestamptz NOT NULL,
  place text NOT NULL,
  held_at timestamptz,
  attendees text[] NOT NULL DEFAULT '{}',
  notes text NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, number),
  FOREIGN KEY (case_id, task) REFERENCES dispute_routes (case_id, task)
);

-- The escalation ladder of a district (its root unit), rung 1 lowest; a district without rows
-- uses the standard ladder (community → street → district centre → court link).
CREATE TABLE dispute_ladders (
  district_unit_id bigint NOT NULL REFERENCES units (id),
  level integer NOT NULL CHECK (level >= 1),
  name text NOT NULL,
  PRIMARY KEY (district_unit_id, level)
);

-- The catalogue entry dispute cases are filed under; retired, so no one can apply for it, and of
-- category supervision, the internal items' category, which the catalogue lists only when asked.
INSERT INTO catalog_items (code) VALUES ('DISPUTE');
INSERT INTO catalog_item_versions
  (item_code, version, status, name, category, kind, lead_unit_code, promised_working_days, channels, definition)
VALUES
  ('DISPUTE', 1, 'retired', '矛盾纠纷', 'supervision', 'promised', '', 1, '{window}',
   '{"code":"DISPUTE","name":"矛盾纠纷","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":1,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}');

-- The duty roster (轮驻) of a centre: which staff of which department are stationed there on
-- which day. The window and intake read it to suggest the mediator on duty.
CREATE TABLE duty_roster (
  centre_unit_id bigint NOT NULL REFERENCES units (id),
  day date NOT NULL,
  department_unit_id bigint NOT NULL REFERENCES units (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  PRIMARY KEY (centre_unit_id, day, department_unit_id, account_id)
);
