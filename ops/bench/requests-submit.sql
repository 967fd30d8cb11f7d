-- pgbench: the SQL of one SubmitRequest from a grid worker (ops/bench/disputes), statement for
-- statement as the server runs it (captured with log_statement = all): the bearer token, the
-- live routing table, the unit's ancestors, the department, the case number, the calendar, the
-- case row and its first tier task, its event under the event-order lock with its notification,
-- the request row, the audit row under the chain head, and the request read back.
-- bench_request_case, bench_request_task, bench_request_event and bench_request hold one real submission.
SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
  FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
  WHERE t.token_sha256 = decode(:digest, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled;
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT version, routes::text, created_by, created_at FROM request_routing_versions WHERE status = 'live';
SELECT u.path, a.code, a.kind FROM units u JOIN units a ON starts_with(u.path, a.path) WHERE u.code = 'QH-S1-C1-G1';
SELECT id, path FROM units WHERE code = 'QH-PS';
SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id \gset
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version, xmin::text FROM calendars WHERE jurisdiction = 'CN';
INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
    applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot_bytes, submitted_at,
    decided_at, accepted, completed_at, last_event_at, clock_deadline, handling_working_days, facts_version,
    clocks, current_stage, approved)
  SELECT :id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number, applicant_phone,
    unit_id, jurisdiction, deadline, clock_state, true, version, snapshot_bytes, now(), decided_at, accepted, completed_at,
    now(), clock_deadline, handling_working_days, facts_version, clocks, current_stage, approved
  FROM bench_request_case;
INSERT INTO case_tasks (case_id, number, stage, opening, unit_id, state, claimed_by, deadline, version)
  SELECT :id, number, stage, opening, unit_id, state, claimed_by, deadline, version FROM bench_request_task;
SELECT pg_advisory_xact_lock(1128744278);
INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
  SELECT :id, task, kind, summary, now(), by_party, case_state, case_version, item_code, unit_path, payload
  FROM bench_request_event ORDER BY seq RETURNING seq;
SELECT pg_notify('case_events', :id::text);
INSERT INTO citizen_requests (case_id, request_type, category, category_name, channel, description, received_by, routing_version, tiers)
  SELECT :id, request_type, category, category_name, channel, description, received_by, routing_version, tiers FROM bench_request;
SELECT seq, hash FROM audit_head FOR UPDATE;
INSERT INTO audit_log (seq, at, account_id, account, method, object, summary, request_id, prev_hash, hash)
  OVERRIDING SYSTEM VALUE
  SELECT seq + 1, now(), NULL, 'gridworker', 'civicgrid.v1.Requests/SubmitRequest', 'request/C' || lpad(:id::text, 8, '0'),
    'submitted (complaint, neighbourhood-noise) via gridWorker at QH-S1-C1-G1; routed grid QH-S1-C1-G1 2 wd → community QH-S1-C1 3 wd → street QH-S1 5 wd → district QH-PS 5 wd',
    '', hash, sha256(hash) FROM audit_head;
UPDATE audit_head SET seq = seq + 1, hash = sha256(hash);
SELECT c.id, c.snapshot_bytes, c.snapshot::text, c.unit_id, u.code, u.path, c.applicant_id_number, c.applicant_phone, c.jurisdiction,
    c.submitted_at, c.updated_at, v.name, (u.path >= '/' AND u.path < '0'),
    EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id WHERE t.case_id = c.id AND tu.path >= '/' AND tu.path < '0')
  FROM cases c JOIN units u ON u.id = c.unit_id
  JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version WHERE c.id = :id;
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version, xmin::text FROM calendars WHERE jurisdiction = 'CN';
SELECT case_id, request_type, category, category_name, channel, description, received_by, routing_version,
    array_to_string(tiers, ','), visit_satisfied, visit_note, visited_at FROM citizen_requests WHERE case_id = :id;
END;
