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
