-- The alert feed kept an index on (case_id, task, seq) that no query reads: alerts are read in
-- sequence order (the feed's tail, by the primary key) and by unit path (scoped pages and the
-- indicators' urges, supervision_alerts_unit). Every alert row still paid for it: at a million
-- cases, copying the busiest day's 43,596 alerts after the day before took 358–477 ms with it
-- and 253–268 ms without (docs/BENCHMARKS.md, "Alerts without an unread index"). A per-case
-- alert read, when one comes, brings its index with it.
DROP INDEX supervision_alerts_case;
