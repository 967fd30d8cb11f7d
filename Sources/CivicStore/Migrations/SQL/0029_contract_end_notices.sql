-- Issue 19, published catalogue versions when a service contract ends (docs/CONTRACTS.md,
-- "When a contract ends"): the sweeper tells the purchasing unit a configurable number of
-- working days before a contract covering a published item ends with no other contract after
-- it. Each notice is recorded once per contract, item and last day (an amended last day is
-- noticed again), in the transaction that appends its alert.

CREATE TABLE contract_end_notices (
  contract_id bigint NOT NULL REFERENCES service_contracts (id),
  item_code text NOT NULL,
  ends_on date NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (contract_id, item_code, ends_on)
);

ALTER TABLE supervision_alerts DROP CONSTRAINT supervision_alerts_kind_check;
ALTER TABLE supervision_alerts ADD CONSTRAINT supervision_alerts_kind_check
  CHECK (kind IN ('warning', 'urge', 'orderProposed', 'order', 'notice', 'inspection', 'targetMissed', 'urgentEvent',
    'urgentEscalated', 'contractEnding'));
