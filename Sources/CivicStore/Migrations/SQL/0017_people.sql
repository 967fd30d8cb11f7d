-- Basic information collected once (docs/PEOPLE.md): one person per ID number, each field
-- with its provenance, a history of every change, lower-trust conflicting values kept as
-- pending corrections, tags with validity periods, households, and the batches of imports
-- with their per-row reports (so a batch key sent again answers its first report).

CREATE TABLE people (
  id bigserial PRIMARY KEY,
  id_number text NOT NULL UNIQUE CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
  -- The grid the person lives in (the `grid` field), kept here for scoping and listing.
  grid_unit_id bigint NOT NULL REFERENCES units (id),
  grid_path text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX people_grid ON people (grid_path, id);

-- The current value of each field, with where it came from.
CREATE TABLE person_fields (
  person_id bigint NOT NULL REFERENCES people (id),
  field text NOT NULL CHECK (field IN ('name', 'gender', 'birthDate', 'phone', 'household', 'grid', 'address', 'residence', 'employment')),
  value text NOT NULL,
  source text NOT NULL CHECK (source IN ('gridVisit', 'window', 'departmentImport', 'selfDeclared')),
  trust integer NOT NULL CHECK (trust BETWEEN 1 AND 5),
  collected_by text NOT NULL,
  collected_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, field)
);
-- Name search (prefix) and household members.
CREATE INDEX person_fields_name ON person_fields (value text_pattern_ops, person_id) WHERE field = 'name';
CREATE INDEX person_fields_household ON person_fields (value, person_id) WHERE field = 'household';

-- Every change of a field: old (NULL when it had none) → new, who, when, from where.
CREATE TABLE person_field_history (
  id bigserial PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES people (id),
  field text NOT NULL,
  old_value text,
  new_value text NOT NULL,
  source text NOT NULL,
  trust integer NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL,
  -- 'merge' (registration or import), 'correction' (a clerk's), 'accepted' (a decided correction).
  reason text NOT NULL CHECK (reason IN ('merge', 'correction', 'accepted'))
);
CREATE INDEX person_field_history_person ON person_field_history (person_id, id);

-- Lower-trust values that conflict with the current one, for a clerk to decide.
CREATE TABLE person_corrections (
  id bigserial PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES people (id),
  field text NOT NULL,
  current_value text NOT NULL,
  proposed_value text NOT NULL,
  source text NOT NULL,
  trust integer NOT NULL,
  collected_by text NOT NULL,
  collected_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
  decided_by text,
  decided_at timestamptz,
  note text NOT NULL DEFAULT ''
);
-- The same value proposed again (a list imported twice) is one pending correction.
CREATE UNIQUE INDEX person_corrections_pending ON person_corrections (person_id, field, proposed_value) WHERE status = 'pending';

CREATE TABLE person_tags (
  person_id bigint NOT NULL REFERENCES people (id),
  kind text NOT NULL CHECK (kind IN ('difficulty', 'special', 'keyGroup', 'floating', 'elderlyAlone', 'disabled', 'veteran', 'leftBehindMinor')),
  subtype text NOT NULL DEFAULT '',
  valid_from date NOT NULL,
  valid_until date CHECK (valid_until >= valid_from),
  source text NOT NULL,
  trust integer NOT NULL,
  collected_by text NOT NULL,
  collected_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, kind, subtype, valid_from)
);
CREATE INDEX person_tags_kind ON person_tags (kind, person_id);

-- Households by their register code, in the grid of the person who first named them.
CREATE TABLE households (
  code text PRIMARY KEY,
  grid_unit_id bigint NOT NULL REFERENCES units (id),
  grid_path text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL
);

-- Imported batches per account and key, each with its report row by row: a batch commits
-- whole with its report, so a dropped connection leaves whole batches only.
CREATE TABLE person_import_batches (
  account_id bigint NOT NULL,
  batch_key text NOT NULL,
  source text NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, batch_key)
);

CREATE TABLE person_import_rows (
  account_id bigint NOT NULL,
  batch_key text NOT NULL,
  row_index integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('created', 'merged', 'pendingCorrection', 'rejected')),
  person_id bigint,
  field text NOT NULL DEFAULT '',
  reason text NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, batch_key, row_index),
  FOREIGN KEY (account_id, batch_key) REFERENCES person_import_batches (account_id, batch_key)
);

-- The people a case names (intake by person id): the applicant of an application, a party
-- of a dispute. The case keeps its own copy of name, ID number and phone as taken in.
CREATE TABLE case_people (
  case_id bigint NOT NULL REFERENCES cases (id),
  person_id bigint NOT NULL REFERENCES people (id),
  role text NOT NULL CHECK (role IN ('applicant', 'respondent', 'thirdParty')),
  PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_people_person ON case_people (person_id);

-- The community access list (社区工作事项准入, docs/ACCESS.md): per community or village,
-- versioned lists of the work items that may be assigned there; a version is proposed, then
-- published or rejected on review; at most one published and one pending per unit.
CREATE TABLE access_lists (
  unit_id bigint NOT NULL REFERENCES units (id),
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('proposed', 'published', 'rejected', 'superseded')),
  note text NOT NULL DEFAULT '',
  proposed_by text NOT NULL,
  proposed_at timestamptz NOT NULL,
  reviewed_by text,
  reviewed_at timestamptz,
  review_note text NOT NULL DEFAULT '',
  PRIMARY KEY (unit_id, version)
);
CREATE UNIQUE INDEX access_lists_published ON access_lists (unit_id) WHERE status = 'published';
CREATE UNIQUE INDEX access_lists_proposed ON access_lists (unit_id) WHERE status = 'proposed';

CREATE TABLE access_list_items (
  unit_id bigint NOT NULL,
  version integer NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  approving_body text NOT NULL,
  approved_on date NOT NULL,
  basis text NOT NULL,
  PRIMARY KEY (unit_id, version, code),
  FOREIGN KEY (unit_id, version) REFERENCES access_lists (unit_id, version)
);

-- Dispatches the list refused, for the report of who keeps pushing work down.
CREATE TABLE access_refusals (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  sender_unit_id bigint NOT NULL REFERENCES units (id),
  account text NOT NULL,
  method text NOT NULL,
  target_unit_code text NOT NULL,
  item_code text NOT NULL
);
CREATE INDEX access_refusals_at ON access_refusals (at);

-- Items delegated to a street or township service centre (事项下移): a centre with rows here
-- takes in those items only (docs/ACCESS.md).
CREATE TABLE centre_items (
  centre_unit_id bigint NOT NULL REFERENCES units (id),
  item_code text NOT NULL REFERENCES catalog_items (code),
  delegated_by text NOT NULL,
  delegated_at timestamptz NOT NULL,
  PRIMARY KEY (centre_unit_id, item_code)
);
