-- pgbench: the SQL of one SubmitApplication at the window (ops/bench/cases), statement for
-- statement as the server runs it: the bearer token, the published item, the calendar, the
-- case number, the case row, its event and its audit row, both unsequenced under no lock with
-- the sequencer's wake-up (migration 0022), and the case read back. :digest is the clerk token's
-- SHA-256 in hex; bench_case_template and bench_event_template hold one real submission.
BEGIN;
SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
  FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
  WHERE t.token_sha256 = decode(:digest, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled;
SELECT version, definition::text FROM catalog_item_versions WHERE item_code = 'QH-MR-001' AND status = 'published';
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version FROM calendars WHERE jurisdiction = 'CN';
SELECT day::text, kind, name FROM calendar_days WHERE jurisdiction = 'CN' ORDER BY day;
SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id \gset
INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
    applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot_bytes, submitted_at,
    clocks, current_stage, approved)
  SELECT :id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number, applicant_phone,
    unit_id, jurisdiction, deadline, clock_state, true, version, snapshot_bytes, now(), clocks, current_stage, approved
  FROM bench_case_template;
WITH inserted AS (
  INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
    SELECT :id, task, kind, summary, now(), by_party, case_state, case_version, item_code, unit_path, payload
    FROM bench_event_template RETURNING id)
SELECT pg_notify('civic_sequencer', '') FROM (SELECT 1 FROM inserted LIMIT 1) one;
WITH inserted AS (
  INSERT INTO audit_log (at, account_id, account, method, object, summary, request_id)
    VALUES (now(), NULL, 'clerk', 'civicgrid.v1.Cases/SubmitApplication', 'case/' || :id,
      'submitted for QH-MR-001 v1 via window at QH-GSC', '') RETURNING id)
SELECT pg_notify('civic_sequencer', '') FROM inserted;
SELECT c.id, c.snapshot_bytes, c.snapshot::text, u.code, u.path, c.applicant_id_number, c.applicant_phone, c.jurisdiction,
    c.submitted_at, c.updated_at, v.name, (u.path >= '/' AND u.path < '0'),
    EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
            WHERE t.case_id = c.id AND tu.path >= '/' AND tu.path < '0')
  FROM cases c JOIN units u ON u.id = c.unit_id
  JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
  WHERE c.id = :id;
END;
