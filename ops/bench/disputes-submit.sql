-- pgbench: the SQL of one SubmitDispute from a grid worker (ops/bench/disputes), statement for
-- statement as the server runs it (captured with log_statement = all): the bearer token, the
-- case number, the calendar, the case row, its event under the event-order lock with its
-- notification, the dispute and its two parties, the audit row under the chain head, and the
-- dispute read back (case, dispute, parties, reviews, routes, sessions, ladder, mediators on
-- duty). :digest is the grid worker token's SHA-256 in hex; bench_dispute_case,
-- bench_dispute_event and bench_dispute hold one real submission.
SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
  FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
  WHERE t.token_sha256 = decode(:digest, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled;
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id \gset
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version, xmin::text FROM calendars WHERE jurisdiction = 'CN';
INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
    applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot_bytes, submitted_at,
    decided_at, accepted, completed_at, last_event_at, clock_deadline, handling_working_days, facts_version,
    clocks, current_stage, approved)
  SELECT :id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number, applicant_phone,
    unit_id, jurisdiction, deadline, clock_state, true, version, snapshot_bytes, now(), decided_at, accepted, completed_at,
    now(), clock_deadline, handling_working_days, facts_version, clocks, current_stage, approved
  FROM bench_dispute_case;
SELECT pg_advisory_xact_lock(1128744278);
INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
  SELECT :id, task, kind, summary, now(), by_party, case_state, case_version, item_code, unit_path, payload
  FROM bench_dispute_event RETURNING seq;
SELECT pg_notify('case_events', :id::text);
INSERT INTO disputes (case_id, type, category, intake, summary, related_case_id, unit_id, unit_path, submitted_at)
  SELECT :id, type, category, intake, summary, NULL, unit_id, unit_path, now() FROM bench_dispute;
INSERT INTO dispute_parties (case_id, position, role, name, id_number, phone)
  SELECT :id, p.position, p.role, p.name, p.id_number, p.phone
  FROM unnest('{1,2}'::int[], '{applicant,respondent}'::text[], '{"Zhang Xiuying","Li Wei"}'::text[],
    '{110105195303150027,""}'::text[], '{13800138000,""}'::text[]) AS p (position, role, name, id_number, phone);
SELECT seq, hash FROM audit_head FOR UPDATE;
INSERT INTO audit_log (seq, at, account_id, account, method, object, summary, request_id, prev_hash, hash)
  OVERRIDING SYSTEM VALUE
  SELECT seq + 1, now(), NULL, 'gridworker', 'civicgrid.v1.Disputes/SubmitDispute', 'dispute/C' || lpad(:id::text, 8, '0'),
    'submitted (dispute, neighbourhood) via gridWorker with 2 parties', '', hash, sha256(hash) FROM audit_head;
UPDATE audit_head SET seq = seq + 1, hash = sha256(hash);
SELECT c.id, c.snapshot_bytes, c.snapshot::text, c.unit_id, u.code, u.path, c.applicant_id_number, c.applicant_phone, c.jurisdiction,
    c.submitted_at, c.updated_at, v.name, (u.path >= '/' AND u.path < '0'),
    EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id WHERE t.case_id = c.id AND tu.path >= '/' AND tu.path < '0')
  FROM cases c JOIN units u ON u.id = c.unit_id
  JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version WHERE c.id = :id;
SELECT case_id, type, category, intake, summary, related_case_id, unit_path, ladder_level, risk, result, result_note,
    return_visited, coalesce(satisfied, false), rating FROM disputes WHERE case_id = :id;
SELECT role, name, id_number, phone FROM dispute_parties WHERE case_id = :id ORDER BY position;
SELECT round, held_on::text, array_to_string(participants, E'\n'), risk, assessment, ladder_level, working_days, recorded_by,
    extract(epoch FROM recorded_at)::bigint FROM dispute_reviews WHERE case_id = :id ORDER BY round;
SELECT r.task, r.round, r.channel, u.code, r.outcome, r.detail, r.fulfilled, r.fulfilment_note
  FROM dispute_routes r JOIN units u ON u.id = r.unit_id WHERE r.case_id = :id ORDER BY r.task;
SELECT number, task, scheduled_at, place, held_at, array_to_string(attendees, E'\n'), notes FROM dispute_sessions WHERE case_id = :id ORDER BY number;
SELECT l.name FROM dispute_ladders l JOIN units u ON u.id = l.district_unit_id WHERE u.path = '/QH/' ORDER BY l.level;
SELECT DISTINCT a.login FROM duty_roster r JOIN accounts a ON a.id = r.account_id
  WHERE r.centre_unit_id = (SELECT unit_id FROM bench_dispute) AND r.day = current_date AND 'mediator' = ANY(a.roles) AND NOT a.disabled
  ORDER BY a.login;
END;
