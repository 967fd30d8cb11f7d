-- pgbench reference for ops/bench/grid (not a test): PostgreSQL alone doing, per field event,
-- the writes the server does for a report and its routing — two transactions; the case row
-- with a ~1.5 kB snapshot, its timeline rows, the side row, the idempotency key, a task row,
-- two audit rows (each with its chain head update) and the ordering locks — on bench tables
-- without the engine's checks, the calendar or the protocol.
\set key random(1, 1000000000)
BEGIN;
SELECT pg_advisory_xact_lock(:key);
INSERT INTO bench_cases (snapshot) VALUES (repeat('s', 1500)) RETURNING id \gset
INSERT INTO bench_events (case_id, kind) VALUES (:id, 'submitted');
INSERT INTO bench_side (case_id, payload) VALUES (:id, repeat('e', 300));
INSERT INTO bench_keys (k, case_id) VALUES (:key, :id) ON CONFLICT DO NOTHING;
UPDATE bench_audit_head SET seq = seq + 1 RETURNING seq \gset head_
INSERT INTO bench_audit (seq, summary) VALUES (:head_seq, repeat('a', 120));
COMMIT;
BEGIN;
SELECT snapshot FROM bench_cases WHERE id = :id FOR UPDATE;
UPDATE bench_cases SET snapshot = repeat('t', 1700), version = version + 1 WHERE id = :id;
INSERT INTO bench_tasks (case_id, number, deadline) VALUES (:id, 1, now() + interval '3 days');
SELECT pg_advisory_xact_lock(4343);
INSERT INTO bench_events (case_id, kind) SELECT :id, k FROM unnest(ARRAY['stateChanged', 'stageOpened', 'taskCreated']) AS k;
UPDATE bench_side SET routed = true WHERE case_id = :id;
UPDATE bench_audit_head SET seq = seq + 1 RETURNING seq \gset head_
INSERT INTO bench_audit (seq, summary) VALUES (:head_seq, repeat('a', 60));
COMMIT;
