-- Auth change notices (docs/SECURITY.md "Authentication cache"): any change to who a bearer
-- token acts as (a token revoked or deleted, an account disabled, its roles or unit changed,
-- a unit moved or renamed) notifies `civicgrid_auth` when its transaction commits, so every
-- instance drops the principals it cached. Per statement, not per row: one notice is enough.
CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('civicgrid_auth', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER tokens_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER accounts_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER units_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
