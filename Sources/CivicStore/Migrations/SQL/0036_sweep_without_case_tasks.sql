-- The warning sweep no longer reads or writes `case_tasks` (docs/SUPERVISION.md):
--
-- 1. The compact clocks (0012) carry each task's unit, format 2: the unit's code after the
--    task's state. The sweeper finds the unit to alert among the clocks its warning row holds
--    already; clocks written in format 1 are still read, and for those cases the sweeper reads
--    the open tasks' units from `case_tasks`, until their next write stores format 2.
-- 2. The levels recorded for open tasks live on the case's warning row (`task_levels`,
--    `number=level` pairs for the tasks not green, by number), written by the statement that
--    records the case's own level, instead of `case_tasks.warning_level`.
CREATE OR REPLACE FUNCTION case_clocks_bytes(snapshot jsonb) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN '\x02'::bytea
    || int4send((snapshot->'warningPolicy'->>'remainingWorkingDays')::integer)
    || int4send((snapshot->'warningPolicy'->>'remainingPercent')::integer)
    || CASE WHEN snapshot->'clock' IS NULL OR snapshot->'clock' = 'null'::jsonb THEN '\x00'::bytea
       ELSE '\x01'::bytea || case_bytes_clock(snapshot->'clock') END
    || case_bytes_list(ARRAY(
      SELECT int4send((t->>'number')::integer) || case_bytes_text(t->>'state') || case_bytes_text(t->>'unit')
        || case_bytes_clock(t->'clock')
      FROM jsonb_array_elements(coalesce(snapshot->'tasks', '[]')) WITH ORDINALITY AS x(t, n) ORDER BY n));
END
$$;

-- Rows still holding a JSON snapshot get format 2 from it now (the trigger makes the open ones
-- due, with their warning rows' clocks copied); rows with a binary snapshot keep format 1 until
-- their next write.
UPDATE cases SET clocks = case_clocks_bytes(snapshot) WHERE snapshot IS NOT NULL AND clocks IS NOT NULL;

ALTER TABLE case_warnings ADD COLUMN task_levels text NOT NULL DEFAULT '';
UPDATE case_warnings w SET task_levels = l.levels
FROM (
  SELECT t.case_id, string_agg(t.number || '=' || t.warning_level, ',' ORDER BY t.number) AS levels
  FROM case_tasks t JOIN case_warnings x ON x.case_id = t.case_id
  WHERE t.state IN ('pending', 'claimed') AND t.warning_level <> 'green'
  GROUP BY t.case_id
) l
WHERE w.case_id = l.case_id;
ALTER TABLE case_tasks DROP COLUMN warning_level;
