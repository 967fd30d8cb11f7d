public import CivicDomain
public import CivicStore

/// One version of a contract's terms as the history shows it: what changed, why, who and when.
public struct ContractVersionRecord: Sendable, Hashable {
  public var version: Int
  /// `created`, `amended` or `ended`.
  public var change: String
  public var summary: String
  public var reason: String
  public var changedBy: String
  public var changedAt: Instant
}

extension ContractRepository {
  /// Stores `contract` as the new current version of its terms (its `version` one past the
  /// stored one) and keeps the version in the history. False when the stored version is no
  /// longer the one before (a concurrent change got there first).
  public func write(
    _ contract: ServiceContract, change: String, summary: String, reason: String, by login: String, at now: Instant
  ) async throws(StoreError) -> Bool {
    let updated = try await self.connection.execute(
      """
      UPDATE service_contracts SET starts_on = \(contract.startsOn.description)::date, ends_on = \(contract.endsOn.description)::date,
        amount_fen = \(contract.amountFen), target_tasks = \(contract.targets.tasks),
        target_on_time_percent = \(contract.targets.onTimePercent), target_satisfied_percent = \(contract.targets.satisfiedPercent),
        version = \(contract.version), end_reason = \(contract.endReason)
      WHERE id = \(contract.id) AND version = \(contract.version - 1)
      """
    )
    guard updated == 1 else { return false }
    try await self.connection.execute(
      """
      DELETE FROM service_contract_items WHERE contract_id = \(contract.id) AND NOT item_code = ANY(\(SQLArray(contract.itemCodes))::text[])
      """
    )
    try await self.connection.execute(
      """
      INSERT INTO service_contract_items (contract_id, item_code) SELECT \(contract.id), unnest(\(SQLArray(contract.itemCodes))::text[])
      ON CONFLICT DO NOTHING
      """
    )
    try await self.insertVersion(contractID: contract.id, change: change, summary: summary, reason: reason, by: login, at: now)
    return true
  }

  /// Copies the contract's current terms into the history as its current version.
  func insertVersion(contractID: Int64, change: String, summary: String, reason: String, by login: String, at now: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO service_contract_versions (contract_id, version, change, title, starts_on, ends_on, amount_fen, target_tasks,
        target_on_time_percent, target_satisfied_percent, item_codes, summary, reason, changed_by, changed_at)
      SELECT c.id, c.version, \(change), c.title, c.starts_on, c.ends_on, c.amount_fen, c.target_tasks, c.target_on_time_percent,
        c.target_satisfied_percent,
        coalesce((SELECT array_agg(i.item_code ORDER BY i.item_code) FROM service_contract_items i WHERE i.contract_id = c.id), '{}'),
        \(summary), \(reason), \(login), to_timestamp(\(now.secondsSinceEpoch)::bigint)
      FROM service_contracts c WHERE c.id = \(contractID)
      """
    )
  }

  /// The versions of a contract, oldest first.
  public func versions(contractID: Int64) async throws(StoreError) -> [ContractVersionRecord] {
    try await self.connection.query(
      """
      SELECT version, change, summary, reason, changed_by, extract(epoch FROM changed_at)::bigint
      FROM service_contract_versions WHERE contract_id = \(contractID) ORDER BY version
      """
    ).decode((Int, String, String, String, String, Int).self).map {
      ContractVersionRecord(version: $0.0, change: $0.1, summary: $0.2, reason: $0.3, changedBy: $0.4, changedAt: Instant(secondsSinceEpoch: $0.5))
    }
  }
}
