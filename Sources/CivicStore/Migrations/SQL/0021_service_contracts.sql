-- Service purchase contracts (政府购买服务, docs/CONTRACTS.md): a purchasing unit buys services
-- of a social organisation for a scope of work items over a period. The case engine assigns
-- work to a social organisation only under an active contract whose scope holds the case's
-- item, and links each such task to its contract, so the contract's indicators are computed
-- from its own tasks.

CREATE TABLE service_contracts (
  id bigserial PRIMARY KEY,
  purchaser_unit_id bigint NOT NULL REFERENCES units (id),
  organisation_unit_id bigint NOT NULL REFERENCES units (id),
  title text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL CHECK (ends_on >= starts_on),
  -- In fen (0.01 yuan).
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  -- Performance targets (0: none set).
  target_tasks integer NOT NULL DEFAULT 0 CHECK (target_tasks >= 0),
  target_on_time_percent integer NOT NULL DEFAULT 0 CHECK (target_on_time_percent BETWEEN 0 AND 100),
  target_satisfied_percent integer NOT NULL DEFAULT 0 CHECK (target_satisfied_percent BETWEEN 0 AND 100),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX service_contracts_organisation ON service_contracts (organisation_unit_id, starts_on);

-- The scope: work item codes (catalogue codes, or a case kind's item such as DISPUTE).
CREATE TABLE service_contract_items (
  contract_id bigint NOT NULL REFERENCES service_contracts (id),
  item_code text NOT NULL,
  PRIMARY KEY (contract_id, item_code)
);

-- The tasks assigned under a contract, and how each ended (on time or not) once it did.
CREATE TABLE service_contract_tasks (
  contract_id bigint NOT NULL REFERENCES service_contracts (id),
  case_id bigint NOT NULL REFERENCES cases (id),
  task integer NOT NULL,
  assigned_at timestamptz NOT NULL,
  finished_at timestamptz,
  on_time boolean,
  PRIMARY KEY (case_id, task, contract_id)
);
CREATE INDEX service_contract_tasks_contract ON service_contract_tasks (contract_id);
