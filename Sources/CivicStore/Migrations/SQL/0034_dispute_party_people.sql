-- A dispute party named by person id at intake (docs/PEOPLE.md) keeps that id on its own row:
-- case_people links a case to a person by role only, and a dispute may list several parties of
-- one role, so only the party row can say which party is the person. Rows written before this
-- are filled where exactly one party and one linked person share a role.
ALTER TABLE dispute_parties ADD COLUMN person_id bigint;
UPDATE dispute_parties d SET person_id = p.person_id
FROM case_people p
WHERE p.case_id = d.case_id AND p.role = d.role
  AND (SELECT count(*) FROM dispute_parties x WHERE x.case_id = d.case_id AND x.role = d.role) = 1
  AND (SELECT count(*) FROM case_people y WHERE y.case_id = d.case_id AND y.role = d.role) = 1;
