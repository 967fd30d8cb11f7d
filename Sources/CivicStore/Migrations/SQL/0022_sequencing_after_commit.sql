-- Sequencing after commit (issue 15, docs/STORE.md "Event and audit order"): writers insert
-- case events and audit entries without a sequence number or chain hash, under no
-- district-wide lock; the one elected sequencer fills seq (and, for the audit log, prev_hash
-- and hash) in batches after commit. Readers of the feed and of the chain read only rows
-- with a seq.
--
-- Each table gets `id`, an insertion number (identity) that orders the unsequenced rows for
-- the sequencer and a case's timeline; old rows keep id = seq.

-- case_events
ALTER TABLE case_events DROP CONSTRAINT case_events_pkey;
ALTER TABLE case_events ALTER COLUMN seq DROP IDENTITY;
ALTER TABLE case_events ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE case_events ADD COLUMN id bigint;
UPDATE case_events SET id = seq;
ALTER TABLE case_events ALTER COLUMN id SET NOT NULL;
ALTER TABLE case_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('case_events', 'id'), coalesce(max(id), 0) + 1, false) FROM case_events;
ALTER TABLE case_events ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX case_events_seq ON case_events (seq);
CREATE INDEX case_events_unsequenced ON case_events (id) WHERE seq IS NULL;

-- audit_log
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ALTER COLUMN seq DROP IDENTITY;
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
ALTER TABLE audit_log ADD COLUMN id bigint;
UPDATE audit_log SET id = seq;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
ALTER TABLE audit_log ALTER COLUMN id SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), coalesce(max(id), 0) + 1, false) FROM audit_log;
ALTER TABLE audit_log ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE INDEX audit_log_unsequenced ON audit_log (id) WHERE seq IS NULL;
-- A sealed entry has all three or none.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL));

-- Append-only, with one exception: the sequencer fills the NULL columns named as the
-- trigger's arguments, once, changing nothing else. Every other UPDATE, every DELETE and
-- TRUNCATE is refused.
CREATE FUNCTION append_only_but_sequencing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before jsonb;
  after jsonb;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    before := to_jsonb(OLD);
    after := to_jsonb(NEW);
    IF (before - TG_ARGV) = (after - TG_ARGV)
      AND NOT EXISTS (SELECT 1 FROM unnest(TG_ARGV) AS c(name) WHERE before -> c.name <> 'null'::jsonb OR after -> c.name = 'null'::jsonb)
    THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION append_only_but_sequencing('seq', 'prev_hash', 'hash');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_but_sequencing();
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION append_only_but_sequencing('seq');
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_but_sequencing();
