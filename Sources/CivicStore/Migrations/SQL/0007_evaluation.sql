-- Evaluation (docs/EVALUATION.md, docs/METRICS.md): ratings (好差评) one per case and moment,
-- bad-rating rectifications with their return visits, appeals (申诉复核), closed periods with
-- their frozen figures, versioned assessment schemes and frozen assessment results.

CREATE TABLE ratings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id bigint NOT NULL REFERENCES cases (id),
  moment text NOT NULL CHECK (moment IN ('acceptance', 'completion')),
  level text NOT NULL CHECK (level IN ('verySatisfied', 'satisfied', 'basicallySatisfied', 'dissatisfied', 'veryDissatisfied')),
  efficiency smallint NOT NULL DEFAULT 0 CHECK (efficiency BETWEEN 0 AND 5),
  attitude smallint NOT NULL DEFAULT 0 CHECK (attitude BETWEEN 0 AND 5),
  convenience smallint NOT NULL DEFAULT 0 CHECK (convenience BETWEEN 0 AND 5),
  comment text NOT NULL DEFAULT '',
  channel text NOT NULL,
  -- The unit answerable for the rating (the case's intake unit) and its path, for scoping.
  unit_id bigint NOT NULL REFERENCES units (id),
  unit_path text COLLATE "C" NOT NULL,
  rated_by text NOT NULL,
  rated_at timestamptz NOT NULL,
  -- SHA-256 of the request: a retry with the same content returns the rating, other content is refused.
  request_sha256 bytea NOT NULL,
  -- Set when an appeal is upheld: from then on the rating counts in no indicator.
  excluded_at timestamptz,
  UNIQUE (case_id, moment)
);
CREATE INDEX ratings_unit_rated ON ratings (unit_path, rated_at);
CREATE INDEX ratings_rated ON ratings (rated_at);

-- A bad rating's rectification: `snapshot` is the domain Rectification (state, clock, report,
-- return visit); the columns are its projection.
CREATE TABLE rectifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rating_id bigint NOT NULL UNIQUE REFERENCES ratings (id),
  case_id bigint NOT NULL REFERENCES cases (id),
  unit_id bigint NOT NULL REFERENCES units (id),
  unit_path text COLLATE "C" NOT NULL,
  state text NOT NULL CHECK (state IN ('opened', 'rectifying', 'awaitingReturnVisit', 'rectified', 'voided')),
  deadline timestamptz NOT NULL,
  closed_at timestamptz,
  version bigint NOT NULL,
  snapshot jsonb NOT NULL,
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rectifications_unit ON rectifications (unit_path, id DESC);
CREATE INDEX rectifications_open_deadline ON rectifications (deadline) WHERE state IN ('rectifying', 'awaitingReturnVisit');

-- One appeal per rating.
CREATE TABLE rating_appeals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rating_id bigint NOT NULL UNIQUE REFERENCES ratings (id),
  reason text NOT NULL,
  filed_by text NOT NULL,
  filed_at timestamptz NOT NULL,
  outcome text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'upheld', 'rejected')),
  note text NOT NULL DEFAULT '',
  decided_by text NOT NULL DEFAULT '',
  decided_at timestamptz
);

-- Versioned assessment schemes (the domain AssessmentScheme as JSON); the highest version is current.
CREATE TABLE assessment_schemes (
  version integer PRIMARY KEY,
  name text NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO assessment_schemes (version, name, definition) VALUES (1, '基础工作70+社会评价30', '{
  "version": 1, "name": "基础工作70+社会评价30",
  "basicWork": [
    {"indicator": "acceptance_rate", "points": 15}, {"indicator": "on_time_completion_rate", "points": 25},
    {"indicator": "rectification_rate", "points": 15}, {"indicator": "order_reply_on_time_rate", "points": 15}],
  "socialEvaluationPoints": 30, "pointsPerListedOrder": 2, "pointsPerCriticism": 3, "penaltyCap": 20}');

-- A closed period: its figures and assessment below are frozen (read back, never recomputed).
CREATE TABLE metric_periods (
  period text PRIMARY KEY,
  cadence text NOT NULL CHECK (cadence IN ('week', 'month', 'quarter', 'year')),
  metrics_version integer NOT NULL,
  scheme_version integer NOT NULL REFERENCES assessment_schemes (version),
  as_of timestamptz NOT NULL,
  closed_by text NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE metric_figures (
  period text NOT NULL REFERENCES metric_periods (period),
  unit_id bigint NOT NULL REFERENCES units (id),
  subtree boolean NOT NULL,
  indicator text NOT NULL,
  numerator double precision NOT NULL,
  denominator bigint NOT NULL,
  value double precision,
  -- [{"caseID":…,"counted":…,"note":…}]: the cases behind the figure at closing.
  drill jsonb NOT NULL,
  PRIMARY KEY (period, unit_id, subtree, indicator)
);

CREATE TABLE assessment_results (
  period text NOT NULL REFERENCES metric_periods (period),
  unit_id bigint NOT NULL REFERENCES units (id),
  rank integer NOT NULL,
  basic_work double precision NOT NULL,
  social_evaluation double precision NOT NULL,
  penalty double precision NOT NULL,
  total double precision NOT NULL,
  listed_orders integer NOT NULL,
  criticisms integer NOT NULL,
  -- As named on the unit when the period closed.
  responsible_person text NOT NULL,
  PRIMARY KEY (period, unit_id)
);

-- Drill-down and indicator gathering read events by kind and time (urges, orders, criticisms).
CREATE INDEX case_events_kind_at ON case_events (kind, at);
