-- pgbench: the reference of issue 15, a two-insert transaction (ops/bench/intake).
BEGIN;
INSERT INTO bench_pg_cases (item) VALUES ('QH-MR-001') RETURNING id \gset
INSERT INTO bench_pg_events (case_id, kind) VALUES (:id, 'submitted');
END;
