/// CivicRepositories holds the SQL: one repository per aggregate (cases, units, accounts and
/// tokens, catalogue, calendar, appointments, supervision, evaluation, audit), each a small
/// value over a `StoreConnection`, binding values by interpolation (`SQLQuery`) and decoding
/// rows into domain values or plain records (`SQLRecord`), never into protobuf messages.
///
/// Services call repositories and hold no SQL; repositories know nothing of RPC. Errors
/// leave as `StoreError` or `DomainError`; the RPC layer alone turns them into statuses.
public enum CivicRepositories {}
