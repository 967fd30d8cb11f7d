-- Issue 19: an intake refused because the item's intake is suspended (a social organisation
-- its stages dispatch to holds no contract covering it: docs/CONTRACTS.md, "When a contract
-- ends") is counted in the refusal report under a rule of its own, `suspended-intake`, beside
-- `access-list` and `contract` (docs/ACCESS.md).
ALTER TABLE access_refusals DROP CONSTRAINT access_refusals_rule_check;
ALTER TABLE access_refusals ADD CONSTRAINT access_refusals_rule_check
  CHECK (rule IN ('access-list', 'contract', 'suspended-intake'));
