-- pgbench: the SQL of one SubmitApplication at the window (ops/bench/cases), statement for
-- statement as the server runs it: the centre's delegated items, the published item, the
-- calendar, the contracts covering the organisations among the item's units, the case number,
-- the case row, its event and its audit row (both unsequenced under no lock, with the
-- sequencer's wake-up, migration 0022). The answer is made from what was written, not read
-- back; the token is a cached principal, not read. :unit is the clerk's unit id, :units the
-- item's stage units as a text array; bench_case_template and bench_event_template hold one
-- real submission.
BEGIN;
SELECT count(*)::int, count(*) FILTER (WHERE item_code = 'QH-MR-001')::int FROM centre_items WHERE centre_unit_id = :unit;
SELECT version, definition::text FROM catalog_item_versions WHERE item_code = 'QH-MR-001' AND status = 'published';
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version FROM calendars WHERE jurisdiction = 'CN';
SELECT r.item_code, u.code, c.id, c.starts_on::text, c.ends_on::text,
    EXISTS (SELECT 1 FROM service_contract_items i WHERE i.contract_id = c.id AND i.item_code = r.item_code),
    c.end_reason IS NOT NULL
  FROM unnest(:units::text[], array_fill('QH-MR-001'::text, ARRAY[cardinality(:units::text[])])) AS r(unit_code, item_code)
    JOIN units u ON u.code = r.unit_code AND u.kind = 'social_organisation'
    LEFT JOIN service_contracts c ON c.organisation_unit_id = u.id;
SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id \gset
INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
    applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot_bytes, submitted_at,
    updated_at, clocks, current_stage, approved)
  SELECT :id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number, applicant_phone,
    unit_id, jurisdiction, deadline, clock_state, true, version, snapshot_bytes, now(), now(), clocks, current_stage, approved
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
END;
