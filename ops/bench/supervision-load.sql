-- ops/bench/supervision: grows the template cases made through the engine into :total cases.
-- Each clone copies one template case with all its rows (case, tasks, timeline events) moved
-- in time by its own shift: every instant in the snapshot and the events is moved, so the
-- clone's clocks run as the template's did, from another start. The first :open clones copy
-- the open templates (accepted, first stage) with starts spread hourly over the last 14 days
-- (limits are 3 to 20 working days: most open cases are still within them, as in a district
-- that keeps up); the rest copy the delivered templates with starts spread daily over the 3
-- years from 30 days back, and
-- 40% of them carry a completion rating (60% very satisfied … 2% very dissatisfied).
-- Stored deadlines (`deadline`, `clock_deadline`) and handling times are moved in plain seconds,
-- not re-derived over the working calendar: a clone's on-time figures are its template's. The
-- sweep reads the snapshot and derives its own.
\set ON_ERROR_STOP 1

-- Adds d seconds to every instant of a snapshot or event (JSON "secondsSinceEpoch": n).
CREATE FUNCTION pg_temp.bench_shift(doc text, d bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(
    CASE WHEN n = 1 THEN p
      ELSE ((regexp_match(p, '^-?[0-9]+'))[1]::bigint + d)::text || regexp_replace(p, '^-?[0-9]+', '') END,
    '"secondsSinceEpoch": ' ORDER BY n)
  FROM regexp_split_to_table(doc, '"secondsSinceEpoch": ') WITH ORDINALITY AS t(p, n)
$$;

CREATE TEMP TABLE open_templates AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM cases WHERE is_open AND kind = 'serviceApplication';
CREATE TEMP TABLE closed_templates AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM cases WHERE NOT is_open AND kind = 'serviceApplication';
SELECT count(*) AS open_count FROM open_templates \gset
SELECT count(*) AS closed_count FROM closed_templates \gset
SELECT max(id) AS base, :total - count(*) AS clones FROM cases \gset

-- Shifts come in buckets (hourly over the last 14 days for open cases, daily over the 3 years
-- from 30 days back for delivered ones), and each template is shifted once per bucket; a clone copies
-- its template's rows for one bucket, with its own number.
CREATE TEMP TABLE buckets AS
  SELECT true AS open, b AS bucket, -(b * 3600)::bigint AS shift FROM generate_series(0, 14 * 24 - 1) b
  UNION ALL
  SELECT false, b, -(30 * 86400 + b * 86400 + 3600 * (b % 9))::bigint FROM generate_series(0, 3 * 365 - 31) b;
CREATE TEMP TABLE templates AS
  SELECT n, id, true AS open FROM open_templates UNION ALL SELECT n, id, false FROM closed_templates;
CREATE TEMP TABLE shifted_cases AS
  SELECT t.id AS template, b.bucket, b.shift, pg_temp.bench_shift(c.snapshot::text, b.shift)::jsonb AS snapshot
  FROM templates t JOIN cases c ON c.id = t.id JOIN buckets b ON b.open = t.open;
-- The stored clocks of each shifted snapshot, as CaseRepository writes them (migration 0012).
ALTER TABLE shifted_cases ADD COLUMN clocks bytea;
UPDATE shifted_cases SET clocks = case_clocks_bytes(snapshot);
CREATE UNIQUE INDEX ON shifted_cases (template, bucket);
CREATE TEMP TABLE shifted_events AS
  SELECT t.id AS template, b.bucket, e.seq, pg_temp.bench_shift(e.payload::text, b.shift)::jsonb AS payload
  FROM templates t JOIN case_events e ON e.case_id = t.id JOIN buckets b ON b.open = t.open;
CREATE INDEX ON shifted_events (template, bucket);
ANALYZE shifted_cases;
ANALYZE shifted_events;

CREATE TEMP TABLE clones AS
  SELECT :base + g AS id, t.id AS template,
    floor(random() * CASE WHEN g <= :open THEN 14 * 24 ELSE 3 * 365 - 30 END)::int AS bucket
  FROM generate_series(1, :clones) g
  JOIN templates t ON t.open = (g <= :open) AND t.n = g % CASE WHEN g <= :open THEN :open_count ELSE :closed_count END;
CREATE INDEX ON clones (template, bucket);
ANALYZE clones;

INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
  applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot, submitted_at, updated_at,
  decided_at, accepted, completed_at, last_event_at, clock_deadline, handling_working_days, facts_version,
  clocks, current_stage, approved)
SELECT k.id, c.kind, c.state, c.item_code, c.item_version, c.channel, c.applicant_name, c.applicant_id_number,
  c.applicant_phone, c.unit_id, c.jurisdiction, c.deadline + make_interval(secs => s.shift), c.clock_state, c.is_open,
  c.version, jsonb_set(s.snapshot, '{id}', to_jsonb('C' || lpad(k.id::text, 8, '0'))),
  c.submitted_at + make_interval(secs => s.shift), c.updated_at + make_interval(secs => s.shift),
  c.decided_at + make_interval(secs => s.shift), c.accepted, c.completed_at + make_interval(secs => s.shift),
  c.last_event_at + make_interval(secs => s.shift), c.clock_deadline + make_interval(secs => s.shift),
  c.handling_working_days, c.facts_version, s.clocks, c.current_stage, c.approved
FROM clones k JOIN cases c ON c.id = k.template JOIN shifted_cases s ON s.template = k.template AND s.bucket = k.bucket;
SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases));

INSERT INTO case_tasks (case_id, number, stage, opening, unit_id, state, claimed_by, deadline, version, updated_at)
SELECT k.id, t.number, t.stage, t.opening, t.unit_id, t.state, t.claimed_by, t.deadline + make_interval(secs => s.shift),
  t.version, t.updated_at + make_interval(secs => s.shift)
FROM clones k JOIN case_tasks t ON t.case_id = k.template JOIN shifted_cases s ON s.template = k.template AND s.bucket = k.bucket;

-- The grown history was delivered long ago: its events are numbered here, after the templates'
-- (which the sequencer numbered as the engine wrote them). Left unnumbered, 20 million events
-- kept each server's sequencer busy, a batch of 1,000 at a time, through every measurement.
INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload, seq)
SELECT k.id, e.task, e.kind, e.summary, e.at + make_interval(secs => s.shift), e.by_party, e.case_state, e.case_version,
  e.item_code, e.unit_path, x.payload, (SELECT max(seq) FROM case_events) + row_number() OVER (ORDER BY k.id, e.seq)
FROM clones k
JOIN case_events e ON e.case_id = k.template
JOIN shifted_cases s ON s.template = k.template AND s.bucket = k.bucket
JOIN shifted_events x ON x.template = k.template AND x.bucket = k.bucket AND x.seq = e.seq
ORDER BY k.id, e.seq;

INSERT INTO ratings (case_id, moment, level, efficiency, attitude, convenience, channel, unit_id, unit_path, rated_by,
  rated_at, request_sha256)
SELECT k.id, 'completion',
  CASE WHEN r < 0.60 THEN 'verySatisfied' WHEN r < 0.85 THEN 'satisfied' WHEN r < 0.95 THEN 'basicallySatisfied'
    WHEN r < 0.98 THEN 'dissatisfied' ELSE 'veryDissatisfied' END,
  5, 5, 5, 'window', c.unit_id, u.path, 'bench', c.updated_at + make_interval(secs => s.shift) + interval '1 hour',
  sha256(convert_to(k.id::text, 'UTF8'))
FROM clones k JOIN cases c ON c.id = k.template JOIN units u ON u.id = c.unit_id
JOIN shifted_cases s ON s.template = k.template AND s.bucket = k.bucket, LATERAL (SELECT random() + 0 * k.id AS r) x
WHERE NOT c.is_open AND k.id % 5 < 2;

VACUUM ANALYZE cases;
VACUUM ANALYZE case_tasks;
VACUUM ANALYZE case_events;
VACUUM ANALYZE ratings;
