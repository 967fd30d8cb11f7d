-- Citizens' requests resolved by tier (群众诉求分级化解, docs/REQUESTS.md): cases of kind
-- `citizenRequest` on the engine (state, the tier tasks and their clocks, the timeline); this
-- migration adds what only requests have and the routing table they are routed by.

-- The routing table, versioned like the catalogue: every version is kept, exactly one is live.
-- `routes` is the domain's RoutingTable as JSON (category, name, lowestTier, workingDays per
-- tier, department), written by UpdateRoutingTable after validation.
CREATE TABLE request_routing_versions (
  version integer PRIMARY KEY CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('live', 'retired')),
  routes jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX request_routing_one_live ON request_routing_versions ((true)) WHERE status = 'live';

CREATE TABLE citizen_requests (
  -- The request's own case (kind citizenRequest, item CITIZEN-REQUEST); its number is the request's id.
  case_id bigint PRIMARY KEY REFERENCES cases (id),
  request_type text NOT NULL CHECK (request_type IN ('complaint', 'help', 'suggestion', 'report')),
  category text NOT NULL,
  category_name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('hotline', 'online', 'mobile', 'gridWorker', 'window')),
  description text NOT NULL,
  -- 首接负责: the account that took it in; its unit is the case's intake unit.
  received_by text NOT NULL,
  routing_version integer NOT NULL REFERENCES request_routing_versions (version),
  -- The tier of each stage of the case's plan, lowest first (grid, community, street, district).
  tiers text[] NOT NULL,
  -- The return visit (回访), once.
  visit_satisfied boolean,
  visit_note text NOT NULL DEFAULT '',
  visited_at timestamptz
);
CREATE INDEX citizen_requests_category ON citizen_requests (category, case_id DESC);

-- The catalogue entry requests are filed under: retired, so no one can apply for it, and of category
-- supervision, the category of the engine's internal items, which item lists leave out unless asked.
INSERT INTO catalog_items (code) VALUES ('CITIZEN-REQUEST');
INSERT INTO catalog_item_versions
  (item_code, version, status, name, category, kind, lead_unit_code, promised_working_days, channels, definition)
VALUES
  ('CITIZEN-REQUEST', 1, 'retired', '群众诉求', 'supervision', 'promised', '', 1, '{window}',
   '{"code":"CITIZEN-REQUEST","name":"群众诉求","category":"supervision","kind":"promised","leadUnit":"-","stages":[],"promisedWorkingDays":1,"materials":[],"channels":["window"],"warningPolicy":{"remainingWorkingDays":1,"remainingPercent":20}}');
