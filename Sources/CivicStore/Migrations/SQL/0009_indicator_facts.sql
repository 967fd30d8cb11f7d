-- Indicator facts on the case row (docs/METRICS.md), so the indicators of a period read the
-- cases that can count in it from an index and never decode a snapshot:
--   decided_at, accepted   the intake decision (first accept / 容缺 accept / refuse event)
--   completed_at           the first `completed` (办结) event
--   last_event_at          the newest timeline event: a case counts in a period only if it
--                          was open at its start or had an event in or after it
--   clock_deadline         the case clock's deadline (limit + extensions, outside 补正 pauses),
--                          NULL without a clock or while paused
--   handling_working_days  working days from the clock's start to completion, outside pauses
--   facts_version          1 once CaseWriter has written the clock facts; 0 for rows written
--                          before this migration, whose clock facts are computed from the
--                          snapshot when read
-- CaseWriter writes them with every transition; the event facts are backfilled here.
ALTER TABLE cases
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN accepted boolean NOT NULL DEFAULT false,
  ADD COLUMN completed_at timestamptz,
  ADD COLUMN last_event_at timestamptz,
  ADD COLUMN clock_deadline timestamptz,
  ADD COLUMN handling_working_days double precision,
  ADD COLUMN facts_version smallint NOT NULL DEFAULT 0;

UPDATE cases c
SET decided_at = f.decided_at, accepted = f.accepted, completed_at = f.completed_at, last_event_at = f.last_event_at
FROM (
  SELECT case_id,
    min(at) FILTER (WHERE kind = 'stateChanged'
      AND payload->'kind'->'stateChanged'->>'action' IN ('accept', 'acceptWithMissingMaterials', 'refuse')) AS decided_at,
    coalesce(bool_or(kind = 'stateChanged'
      AND payload->'kind'->'stateChanged'->>'action' IN ('accept', 'acceptWithMissingMaterials')), false) AS accepted,
    min(at) FILTER (WHERE kind = 'completed') AS completed_at,
    max(at) AS last_event_at
  FROM case_events GROUP BY case_id
) f
WHERE f.case_id = c.id;

-- A period's candidates: the open cases, and the cases with an event at or after its start.
CREATE INDEX cases_last_event ON cases (last_event_at, id);
CREATE INDEX cases_open_kind ON cases (kind, id) WHERE is_open;
