public import CivicStore

/// `case_idempotency_keys`: at most one case per (account, key), with the SHA-256 of the
/// request it was first used for; and the advisory lock that serialises requests under a key.
public struct IdempotencyRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Takes the transaction-scoped lock on `name` (account and key): waits for a holder when
  /// `wait`, else answers false at once when another transaction holds it.
  public func lock(_ name: String, wait: Bool) async throws(StoreError) -> Bool {
    if wait {
      try await self.connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))")
      return true
    }
    return try await self.connection.query("SELECT pg_try_advisory_xact_lock(hashtextextended(\(name), 0))").scalar(Bool.self) == true
  }

  /// The case made under (account, key), and whether it was made for `request` (the same content).
  public func recorded(accountID: Int64, key: String, request: String) async throws(StoreError) -> (caseID: Int64, sameRequest: Bool)? {
    try await self.connection.query(
      """
      SELECT case_id, request_sha256 = sha256(convert_to(\(request), 'UTF8')) FROM case_idempotency_keys
      WHERE account_id = \(accountID) AND key = \(key)
      """
    ).decode((Int64, Bool).self).first.map { (caseID: $0.0, sameRequest: $0.1) }
  }

  /// Records `caseID` as the case (account, key) made for `request`.
  public func record(accountID: Int64, key: String, request: String, caseID: Int64) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO case_idempotency_keys (account_id, key, request_sha256, case_id)
      VALUES (\(accountID), \(key), sha256(convert_to(\(request), 'UTF8')), \(caseID))
      """
    )
  }
}
