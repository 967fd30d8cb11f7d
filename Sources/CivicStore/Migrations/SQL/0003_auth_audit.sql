-- Units carry the path of codes from the root ('/D01/S01/C03/'), so a subtree is one
-- range scan: path >= '/D01/S01/' AND path < '/D01/S010' (byte order: '/' < '0').
ALTER TABLE units ADD COLUMN path text COLLATE "C";
WITH RECURSIVE tree AS (
  SELECT id, '/' || code || '/' AS path FROM units WHERE parent_id IS NULL
  UNION ALL
  SELECT u.id, t.path || u.code || '/' FROM units u JOIN tree t ON u.parent_id = t.id
)
UPDATE units SET path = tree.path FROM tree WHERE units.id = tree.id;
ALTER TABLE units ALTER COLUMN path SET NOT NULL;
ALTER TABLE units ADD CONSTRAINT units_code_format CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$');
CREATE UNIQUE INDEX units_path ON units (path);
-- Exactly one root (the district).
CREATE UNIQUE INDEX units_one_root ON units ((true)) WHERE parent_id IS NULL;

CREATE INDEX accounts_unit ON accounts (unit_id);

-- Audit entries: who by login as well as id (the hash covers what a reader sees), and
-- the chain head, a single row whose lock serializes appends so every entry links to
-- the one before it. seq values are assigned by the writer under that lock.
ALTER TABLE audit_log ADD COLUMN account text NOT NULL DEFAULT '';
CREATE TABLE audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');
CREATE INDEX audit_log_at ON audit_log (at);
