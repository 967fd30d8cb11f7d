-- Issue 19, what was left (docs/CONTRACTS.md, docs/ACCESS.md):
-- 1. Refused assignments to social organisations are counted in the refusal report beside
--    access-list refusals, each under its own rule.
-- 2. Service purchase contracts are ended early and amended as versioned changes: the
--    contract row holds the current terms; each version's terms, what changed, why, who and
--    when are kept in service_contract_versions; a task records the version it was assigned under.

ALTER TABLE access_refusals ADD COLUMN rule text NOT NULL DEFAULT 'access-list'
  CHECK (rule IN ('access-list', 'contract'));
ALTER TABLE access_refusals ALTER COLUMN rule DROP DEFAULT;

ALTER TABLE service_contracts ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
-- Set when the contract was ended early: why.
ALTER TABLE service_contracts ADD COLUMN end_reason text;
-- An upcoming contract ended before its first day has an empty period (its last day the day
-- before its first).
ALTER TABLE service_contracts DROP CONSTRAINT service_contracts_check;
ALTER TABLE service_contracts ADD CONSTRAINT service_contracts_period CHECK (ends_on >= starts_on - 1);

CREATE TABLE service_contract_versions (
  contract_id bigint NOT NULL REFERENCES service_contracts (id),
  version integer NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'amended', 'ended')),
  -- The terms of this version.
  title text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  amount_fen bigint NOT NULL,
  target_tasks integer NOT NULL,
  target_on_time_percent integer NOT NULL,
  target_satisfied_percent integer NOT NULL,
  item_codes text[] NOT NULL,
  -- What changed against the version before ("ends_on 2026-12-31 → 2026-06-30; …").
  summary text NOT NULL,
  reason text NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (contract_id, version)
);

INSERT INTO service_contract_versions (contract_id, version, change, title, starts_on, ends_on, amount_fen, target_tasks,
  target_on_time_percent, target_satisfied_percent, item_codes, summary, reason, changed_by, changed_at)
SELECT c.id, 1, 'created', c.title, c.starts_on, c.ends_on, c.amount_fen, c.target_tasks, c.target_on_time_percent,
  c.target_satisfied_percent,
  coalesce((SELECT array_agg(i.item_code ORDER BY i.item_code) FROM service_contract_items i WHERE i.contract_id = c.id), '{}'),
  'created', '', c.created_by, c.created_at
FROM service_contracts c;

-- The version whose terms admitted the task.
ALTER TABLE service_contract_tasks ADD COLUMN contract_version integer NOT NULL DEFAULT 1;
ALTER TABLE service_contract_tasks ALTER COLUMN contract_version DROP DEFAULT;
