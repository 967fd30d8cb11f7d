-- pgbench: the SQL of one GetCase (ops/bench/cases): the bearer token, the case with its unit
-- and item, the calendar, the timeline. :digest is a token's SHA-256 in hex; :maxid the
-- largest case id.
\set id random(1, :maxid)
SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
  FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
  WHERE t.token_sha256 = decode(:digest, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled;
SELECT c.id, c.snapshot_bytes, c.snapshot::text, u.code, u.path, c.applicant_id_number, c.applicant_phone, c.jurisdiction,
    c.submitted_at, c.updated_at, v.name, (u.path >= '/' AND u.path < '0'),
    EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
            WHERE t.case_id = c.id AND tu.path >= '/' AND tu.path < '0')
  FROM cases c JOIN units u ON u.id = c.unit_id
  JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
  WHERE c.id = :id;
SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version FROM calendars WHERE jurisdiction = 'CN';
SELECT day::text, kind, name FROM calendar_days WHERE jurisdiction = 'CN' ORDER BY day;
SELECT seq, at, by_party, task, kind, summary FROM case_events WHERE case_id = :id ORDER BY seq;
