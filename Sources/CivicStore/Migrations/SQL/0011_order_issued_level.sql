-- The level each supervision order was issued at (docs/METRICS.md, the listed-order penalty):
-- its first reply was owed at that level, every later one (from an escalation) listed.
ALTER TABLE supervision_orders ADD COLUMN issued_level text CHECK (issued_level IN ('ordinary', 'listed'));
-- Orders from before this column: one ordinary now was issued ordinary; one listed now was
-- issued ordinary exactly when its first escalation kept it at its unit (ordinary → listed at
-- the same unit; a listed order always escalates to the unit above).
UPDATE supervision_orders o SET issued_level = CASE
    WHEN o.level = 'ordinary' THEN 'ordinary'
    WHEN jsonb_array_length(c.snapshot->'tasks') > 1
      AND c.snapshot->'tasks'->0->>'unit' = c.snapshot->'tasks'->1->>'unit' THEN 'ordinary'
    ELSE 'listed'
  END
FROM cases c WHERE c.id = o.case_id;
ALTER TABLE supervision_orders ALTER COLUMN issued_level SET NOT NULL;
