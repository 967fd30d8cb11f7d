-- Events from the field (网格信息采集, docs/GRID.md): cases of kind `fieldEvent` on the engine
-- (state, the handling and checker tasks and their clocks, the timeline); this migration adds
-- what only events have, their routing table, the self-handled sampling counters, the urgent
-- alerts' recipients and the alert kinds of urgent events.

-- The event routing table, versioned like the requests routing table: every version kept,
-- exactly one live. `routes` is the domain's EventRoutingTable as JSON.
CREATE TABLE field_event_routing_versions (
  version integer PRIMARY KEY CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('live', 'retired')),
  routes jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX field_event_routing_one_live ON field_event_routing_versions ((true)) WHERE status = 'live';

CREATE TABLE field_events (
  -- The event's own case (kind fieldEvent, item FIELD-EVENT); its number is the event's id.
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  category text NOT NULL CHECK (category IN ('safetyHazard', 'publicSecurity', 'drugControl', 'urbanManagement',
    'ethnicReligious', 'peopleInDifficulty', 'environment', 'facilities', 'disputeLead', 'other', 'citizenRequest')),
  urgent boolean NOT NULL,
  grid_id bigint NOT NULL REFERENCES units (id),
  -- The grid's path, for scope and per community/street analysis without a join.
  grid_path text COLLATE "C" NOT NULL,
  address text NOT NULL,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  description text NOT NULL,
  -- [{uri, sha256, size, mediaType}]: references only, the server stores no blobs.
  attachments jsonb NOT NULL DEFAULT '[]',
  reported_by text NOT NULL,
  reported_at timestamptz NOT NULL,
  routing_version integer REFERENCES field_event_routing_versions (version),
  handling_unit_id bigint REFERENCES units (id),
  -- The citizen's request it became (categories routed to requests).
  request_case_id bigint REFERENCES cases (id),
  self_handled boolean NOT NULL DEFAULT false,
  evidence text NOT NULL DEFAULT '',
  evidence_attachments jsonb NOT NULL DEFAULT '[]',
  sampled_for_check boolean NOT NULL DEFAULT false,
  close_note text NOT NULL DEFAULT '',
  -- The handling task's deadline when routed, and when it was handled: the on-time rate.
  due_at timestamptz,
  handled_at timestamptz,
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX field_events_grid ON field_events (grid_path, reported_at);
CREATE INDEX field_events_address ON field_events (grid_id, address, reported_at);

-- How many self-handled events of each category there have been: every Nth is checked
-- (deterministic sampling, the counter moves under its row lock).
CREATE TABLE field_event_sampling (
  category text PRIMARY KEY,
  self_handled bigint NOT NULL DEFAULT 0
);

-- Who an urgent event's alert went to: the handling unit (login empty) and every supervisor
-- over the grid (their login and unit). Each acknowledges; past `due_at` unacknowledged, the
-- sweeper escalates once (an alert to the unit above).
CREATE TABLE field_event_urgent_recipients (
  case_id bigint NOT NULL REFERENCES cases (id),
  unit_id bigint NOT NULL REFERENCES units (id),
  login text NOT NULL DEFAULT '',
  due_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  escalated_at timestamptz,
  PRIMARY KEY (case_id, unit_id, login)
);
CREATE INDEX field_event_urgent_due ON field_event_urgent_recipients (due_at)
  WHERE acknowledged_at IS NULL AND escalated_at IS NULL;

ALTER TABLE supervision_alerts DROP CONSTRAINT supervision_alerts_kind_check;
ALTER TABLE supervision_alerts ADD CONSTRAINT supervision_alerts_kind_check
  CHECK (kind IN ('warning', 'urge', 'orderProposed', 'order', 'notice', 'inspection', 'targetMissed', 'urgentEvent', 'urgentEscalated'));

-- Home visits finish (docs/GRID.md): done with notes or cancelled with a reason, and may open a
-- case on the spot (an application or a field event).
ALTER TABLE home_visits
  ADD COLUMN notes text NOT NULL DEFAULT '',
  ADD COLUMN cancel_reason text NOT NULL DEFAULT '',
  ADD COLUMN opened_case_id bigint REFERENCES cases (id),
  ADD COLUMN finished_at timestamptz;

-- Grids (网格): the profile of each grid unit — boundary, households covered, the address
-- prefixes it covers (an address's grid is the longest matching prefix), its staff and the
-- published contact card (网格服务公示) as JSON: [{login, name, role, phone, photoUri, dutyHours, published}].
CREATE TABLE grid_profiles (
  unit_id bigint PRIMARY KEY REFERENCES units (id),
  boundary text NOT NULL,
  households integer NOT NULL CHECK (households >= 0),
  address_prefixes text[] NOT NULL DEFAULT '{}',
  staff jsonb NOT NULL DEFAULT '[]',
  version bigint NOT NULL DEFAULT 1,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Training of grid workers (course, date, hours), counted in the assessment's grid work.
CREATE TABLE grid_training (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login text NOT NULL,
  unit_id bigint NOT NULL REFERENCES units (id),
  course text NOT NULL,
  taken_on date NOT NULL,
  hours numeric(5, 1) NOT NULL CHECK (hours > 0 AND hours <= 100),
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grid_training_login ON grid_training (login, taken_on);

-- The catalogue entry events are filed under: retired, so no one can apply for it.
INSERT INTO catalog_items (code) VALUES ('FIELD-EVENT');
INSERT INTO catalog_item_versions
  (item_code, version, status, name, category, kind, lead_unit_code, promised_working_days, channels, definition)
VALUES
  ('FIELD-EVENT', 1, 'retired', '网格事件', 'supervision', 'promised', '', 1, '{window}',
   '{"code":"FIELD-EVENT","name":"网格事件","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":1,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}');
