-- pgbench: the SQL of one GetCase (ops/bench/cases), statement for statement as the server
-- sends it (captured with log_statement = all): the case with its unit, item, scope checks,
-- its calendar's key and its applicant person; then its timeline. The bearer token and an
-- unchanged calendar are answered from the server's caches, so neither is read here. The
-- server sends both statements in one pipeline (one round trip), and so does this script.
-- :id is the case; :lower and :upper the clerk's scope range.
\startpipeline
SELECT c.id, c.snapshot_bytes, c.snapshot::text AS snapshot, c.unit_id, u.code AS unit_code, u.path AS unit_path,
    c.applicant_id_number, c.applicant_phone, c.jurisdiction, c.submitted_at, c.updated_at, v.name AS item_name,
    (u.path >= :lower AND u.path < :upper) AS intake_in_scope,
    EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
            WHERE t.case_id = c.id AND tu.path >= :lower AND tu.path < :upper) AS task_in_scope,
    (SELECT k.version::text || '/' || k.xmin::text FROM calendars k WHERE k.jurisdiction = c.jurisdiction) AS calendar_key,
    (SELECT p.person_id FROM case_people p WHERE p.case_id = c.id AND p.role = 'applicant'
     ORDER BY p.person_id LIMIT 1) AS applicant_person_id
  FROM cases c
  JOIN units u ON u.id = c.unit_id
  JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
  WHERE c.id = :id;
SELECT coalesce(seq, 0) AS seq, at, by_party, task, kind, summary FROM case_events
  WHERE case_id = :id ORDER BY case_events.seq NULLS LAST, case_events.id;
\endpipeline
