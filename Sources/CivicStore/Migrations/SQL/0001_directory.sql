-- The unit directory, accounts with roles, and bearer tokens (stored as SHA-256 only).
CREATE TABLE units (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN (
    'district', 'street', 'township', 'community', 'village', 'grid',
    'department', 'centre', 'social_organisation')),
  parent_id bigint REFERENCES units (id),
  responsible_person text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login text NOT NULL UNIQUE,
  display_name text NOT NULL DEFAULT '',
  unit_id bigint NOT NULL REFERENCES units (id),
  roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY[
    'admin', 'clerk', 'handler', 'supervisor', 'grid_worker', 'mediator', 'partner', 'auditor']),
  disabled boolean NOT NULL DEFAULT false,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  token_sha256 bytea NOT NULL UNIQUE,
  label text NOT NULL DEFAULT '',
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX tokens_account ON tokens (account_id);
