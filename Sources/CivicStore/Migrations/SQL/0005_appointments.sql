-- Appointments and visits: centre schedules and rosters, what each centre offers by
-- appointment, slots materialised on first booking (their `booked` count is the capacity
-- guard: one conditional UPDATE per booking, so concurrent bookings never overbook),
-- appointments, and door-to-door visit requests.

CREATE TABLE centre_schedules (
  centre_id bigint PRIMARY KEY REFERENCES units (id),
  -- [{"open":"09:00","close":"12:00"}, ...]; validated by CivicDomain.CentreSchedule.
  regular_hours jsonb NOT NULL,
  -- [{"kind":"extended_hours","weekday":2,"date":"","open":"17:30","close":"19:30","capacity":0}, ...]
  roster jsonb NOT NULL DEFAULT '[]',
  version bigint NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE appointment_offers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  centre_id bigint NOT NULL REFERENCES units (id),
  item_code text NOT NULL,
  slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
  capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  withdrawn boolean NOT NULL DEFAULT false,
  version bigint NOT NULL DEFAULT 1,
  UNIQUE (centre_id, item_code)
);

CREATE TABLE appointment_slots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  offer_id bigint NOT NULL REFERENCES appointment_offers (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  capacity integer NOT NULL CHECK (capacity >= 1),
  booked integer NOT NULL DEFAULT 0,
  -- The last line of defence: whatever the code does, a slot never holds more than it may.
  CONSTRAINT appointment_slots_not_overbooked CHECK (booked BETWEEN 0 AND capacity),
  UNIQUE (offer_id, starts_at)
);

CREATE TABLE appointments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slot_id bigint NOT NULL REFERENCES appointment_slots (id),
  applicant_name text NOT NULL,
  applicant_id_number text NOT NULL DEFAULT '',
  applicant_phone text NOT NULL DEFAULT '',
  state text NOT NULL DEFAULT 'BOOKED' CHECK (state IN ('BOOKED', 'CANCELLED', 'CHECKED_IN')),
  case_id text NOT NULL DEFAULT '',
  cancel_reason text NOT NULL DEFAULT '',
  booked_by_account_id bigint REFERENCES accounts (id),
  booked_by text NOT NULL DEFAULT '',
  idempotency_key text,
  -- SHA-256 of the request a key was first used with, to tell a retry from a different request.
  request_sha256 bytea,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  checked_in_at timestamptz,
  UNIQUE (booked_by_account_id, idempotency_key)
);
CREATE INDEX appointments_slot ON appointments (slot_id);

CREATE TABLE home_visits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES units (id),
  item_code text NOT NULL DEFAULT '',
  applicant_name text NOT NULL,
  applicant_id_number text NOT NULL DEFAULT '',
  applicant_phone text NOT NULL DEFAULT '',
  address text NOT NULL,
  reason text NOT NULL DEFAULT '',
  preferred_date date,
  state text NOT NULL DEFAULT 'REQUESTED' CHECK (state IN ('REQUESTED', 'ASSIGNED', 'DONE', 'CANCELLED')),
  assignee_account_id bigint REFERENCES accounts (id),
  requested_by_account_id bigint REFERENCES accounts (id),
  idempotency_key text,
  request_sha256 bytea,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  assigned_at timestamptz,
  CHECK ((state = 'REQUESTED') = (assignee_account_id IS NULL) OR state = 'CANCELLED'),
  UNIQUE (requested_by_account_id, idempotency_key)
);
CREATE INDEX home_visits_unit ON home_visits (unit_id, state);
