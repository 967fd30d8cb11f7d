-- The community access-list item a case's work counts as, when the rule that routed it declared
-- one (a citizen request's category, a field event's category: docs/ACCESS.md). NULL: the
-- catalogue version's declaration, else the case's item code, as before.
ALTER TABLE cases ADD COLUMN access_item text;
