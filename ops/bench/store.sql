-- ops/bench/store: the transaction pgbench runs; StoreBench runs the same statements.
\set v random(1, 1000000)
BEGIN;
INSERT INTO bench_items (v, note) VALUES (:v, 'note') RETURNING id \gset
SELECT v, note FROM bench_items WHERE id = :id;
END;
