-- Order proposals are written only by the warning sweeper, for cases whose warning rows its
-- batch holds and units it has just read; cases and units are never deleted. The two foreign
-- keys cost a sweep's proposals more than the rows themselves (a day's inserts: 190-240 ms with
-- them, 52-70 ms without): each row took a key-share lock on its unit, and the district's few
-- units are shared by every sweeper at once. They go, as the alert log's went (0010). The
-- proposal's order keeps its key: it is set when an order is issued, one at a time.
ALTER TABLE supervision_order_proposals
  DROP CONSTRAINT supervision_order_proposals_case_id_fkey,
  DROP CONSTRAINT supervision_order_proposals_unit_id_fkey;
