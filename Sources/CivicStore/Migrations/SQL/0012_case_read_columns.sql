-- Cases stored for reading (docs/CASES.md, "How cases are stored").
--
-- `clocks`: the case clock, every task clock and the warning policy in the compact binary
-- format of CivicDomain's `CaseClocks.bytes` (fixed-width big-endian integers, length-prefixed
-- UTF-8; the layout is documented there). CaseRepository writes it with the snapshot; GetCase,
-- ListCases and the warning sweep read it instead of parsing clocks out of the JSON snapshot.
-- NULL only for a row whose snapshot this migration could not read (readers then fall back
-- to the snapshot).
-- `current_stage`, `approved`: the rest of what a ListCases entry shows that had no column.
ALTER TABLE cases
  ADD COLUMN clocks bytea,
  ADD COLUMN current_stage integer,
  ADD COLUMN approved boolean NOT NULL DEFAULT false;

-- The same bytes as `CaseClocks.bytes`, from a JSON snapshot (or any JSON with its `clock`,
-- `warningPolicy` and `tasks`). NULL when a part is missing. Kept after the backfill for the
-- benchmark loaders, which copy JSON snapshots (ops/bench/supervision-load.sql).
-- The small helpers are plain SQL expressions, not STRICT, so that the planner inlines them;
-- the three with subqueries or loops are PL/pgSQL, whose plans are cached (a SQL function with
-- a subquery is planned again at every call: 1.6 ms a row instead of about 0.25 ms).
CREATE FUNCTION case_bytes_text(value text) RETURNS bytea LANGUAGE sql IMMUTABLE
  RETURN int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8');

CREATE FUNCTION case_bytes_instant(value jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE
  RETURN int8send((value->>'secondsSinceEpoch')::bigint);

-- A presence byte, then the instant when present.
CREATE FUNCTION case_bytes_optional_instant(value jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE
  RETURN CASE WHEN value IS NULL OR value = 'null'::jsonb THEN '\x00'::bytea ELSE '\x01'::bytea || case_bytes_instant(value) END;

CREATE FUNCTION case_bytes_limit(value jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE
  RETURN CASE
    WHEN value ? 'workingDays' THEN '\x00'::bytea || int4send((value->'workingDays'->>'_0')::integer)
    WHEN value ? 'workingHours' THEN '\x01'::bytea || int4send((value->'workingHours'->>'_0')::integer)
  END;

CREATE FUNCTION case_bytes_party(value jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE
  RETURN CASE
    WHEN value ? 'applicant' THEN '\x00'::bytea
    WHEN value ? 'staff' THEN '\x01'::bytea || case_bytes_text(value->'staff'->>'_0') || case_bytes_text(value->'staff'->>'unit')
    WHEN value ? 'system' THEN '\x02'::bytea
  END;

-- The count, then each element's bytes in order; NULL when any element has none.
CREATE FUNCTION case_bytes_list(parts bytea[]) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result bytea := int4send(coalesce(cardinality(parts), 0));
  part bytea;
BEGIN
  IF parts IS NULL THEN
    RETURN result;
  END IF;
  FOREACH part IN ARRAY parts LOOP
    IF part IS NULL THEN
      RETURN NULL;
    END IF;
    result := result || part;
  END LOOP;
  RETURN result;
END
$$;

CREATE FUNCTION case_bytes_clock(clock jsonb) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN case_bytes_limit(clock->'limit') || case_bytes_instant(clock->'start')
    || case_bytes_optional_instant(clock->'stoppedAt')
    || case_bytes_list(ARRAY(
      SELECT case_bytes_instant(p->'start') || case_bytes_optional_instant(p->'end') || case_bytes_text(p->>'reason')
        || case_bytes_party(p->'causedBy')
      FROM jsonb_array_elements(coalesce(clock->'pauses', '[]')) WITH ORDINALITY AS x(p, n) ORDER BY n))
    || case_bytes_list(ARRAY(
      SELECT case_bytes_limit(e->'added') || case_bytes_text(e->>'reason') || case_bytes_party(e->'requestedBy')
        || case_bytes_text(e->>'approvedBy') || case_bytes_instant(e->'approvedAt')
      FROM jsonb_array_elements(coalesce(clock->'extensions', '[]')) WITH ORDINALITY AS x(e, n) ORDER BY n));
END
$$;

CREATE FUNCTION case_clocks_bytes(snapshot jsonb) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN '\x01'::bytea
    || int4send((snapshot->'warningPolicy'->>'remainingWorkingDays')::integer)
    || int4send((snapshot->'warningPolicy'->>'remainingPercent')::integer)
    || CASE WHEN snapshot->'clock' IS NULL OR snapshot->'clock' = 'null'::jsonb THEN '\x00'::bytea
       ELSE '\x01'::bytea || case_bytes_clock(snapshot->'clock') END
    || case_bytes_list(ARRAY(
      SELECT int4send((t->>'number')::integer) || case_bytes_text(t->>'state') || case_bytes_clock(t->'clock')
      FROM jsonb_array_elements(coalesce(snapshot->'tasks', '[]')) WITH ORDINALITY AS x(t, n) ORDER BY n));
END
$$;

-- Backfill. Not an update of `snapshot` or `is_open`, so the sweeper's trigger does not fire.
UPDATE cases SET
  clocks = case_clocks_bytes(snapshot),
  current_stage = (snapshot->>'currentStage')::integer,
  approved = coalesce(snapshot->'result' ? 'approved', false);
