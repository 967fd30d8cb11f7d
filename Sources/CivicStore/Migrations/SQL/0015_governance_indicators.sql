-- The governance centre's indicators and assessment (issue 13; docs/METRICS.md, docs/EVALUATION.md).

-- An agreement's follow-up is an indicator instant (agreement_fulfilment_rate); 0013 indexed
-- only the outcome.
CREATE INDEX dispute_routes_fulfilment ON dispute_routes (fulfilment_at) WHERE fulfilment_at IS NOT NULL;

-- A unit with nothing to assess in a period is listed apart with rank 0 (docs/EVALUATION.md, "No data").
ALTER TABLE assessment_results ADD COLUMN no_data boolean NOT NULL DEFAULT false;

-- Scheme 2: dispute work counts in basic work. The four rates of scheme 1 keep their
-- proportions (15:25:15:15 → 12:20:12:12), so a unit without disputes scores as under scheme 1.
INSERT INTO assessment_schemes (version, name, definition) VALUES (2, '基础工作70(含矛盾纠纷化解)+社会评价30', '{
  "version": 2, "name": "基础工作70(含矛盾纠纷化解)+社会评价30",
  "basicWork": [
    {"indicator": "acceptance_rate", "points": 12}, {"indicator": "on_time_completion_rate", "points": 20},
    {"indicator": "rectification_rate", "points": 12}, {"indicator": "order_reply_on_time_rate", "points": 12},
    {"indicator": "dispute_resolution_rate", "points": 10}, {"indicator": "agreement_fulfilment_rate", "points": 4}],
  "socialEvaluationPoints": 30, "pointsPerListedOrder": 2, "pointsPerCriticism": 3, "penaltyCap": 20}');

-- Indicator targets (docs/EVALUATION.md, "Targets"), versioned as a whole: the newest is in
-- force; a closed period names the version it was held to. Version 1 is the district plan's.
CREATE TABLE indicator_target_versions (
  version integer PRIMARY KEY CHECK (version >= 1),
  -- The domain's IndicatorTargets as JSON ({"version", "targets": [{"indicator", "comparison", "threshold"}]}).
  targets jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO indicator_target_versions (version, targets, created_by) VALUES (1, '{"version": 1, "targets": [
  {"indicator": "acceptance_rate", "comparison": "atLeast", "threshold": 1},
  {"indicator": "on_time_completion_rate", "comparison": "atLeast", "threshold": 1},
  {"indicator": "dispute_resolution_rate", "comparison": "atLeast", "threshold": 0.95}]}', 'migration 0015');
ALTER TABLE metric_periods ADD COLUMN targets_version integer REFERENCES indicator_target_versions (version);

-- A target alert is raised once per unit, indicator and month (the sweeper's TargetWatch).
CREATE TABLE target_alerts (
  period text NOT NULL,
  unit_id bigint NOT NULL REFERENCES units (id),
  indicator text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (period, unit_id, indicator)
);
ALTER TABLE supervision_alerts DROP CONSTRAINT supervision_alerts_kind_check,
  ADD CONSTRAINT supervision_alerts_kind_check
    CHECK (kind IN ('warning', 'urge', 'orderProposed', 'order', 'notice', 'inspection', 'targetMissed'));

-- The assessment scheme is edited through SetScheme (admins), versioned and audited.
ALTER TABLE assessment_schemes ADD COLUMN created_by text NOT NULL DEFAULT 'migration';

-- Every version of a district's escalation ladder (SetLadder, audited); the newest is also in
-- dispute_ladders, which escalation reads.
CREATE TABLE dispute_ladder_versions (
  district_unit_id bigint NOT NULL REFERENCES units (id),
  version integer NOT NULL CHECK (version >= 1),
  rungs text[] NOT NULL CHECK (cardinality(rungs) >= 1),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district_unit_id, version)
);
