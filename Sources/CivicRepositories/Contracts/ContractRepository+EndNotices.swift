public import CivicDomain
public import CivicStore

/// A published catalogue version a contract covers at its organisation, the contract ending
/// soon: what the end notice (`ContractEndNotice`) is about.
public struct EndingCoverage: Sendable, Hashable {
  public var contractID: Int64
  public var purchaserID: Int64
  public var purchaserPath: String
  public var organisationCode: String
  public var itemCode: String
  public var itemVersion: Int
  public var endsOn: CivilDate
}

extension ContractRepository {
  /// Contracts ending from `today` through `horizon` whose scope holds an item with a published
  /// version dispatching to their organisation, not noticed yet for that last day.
  public func endingCoverage(from today: CivilDate, through horizon: CivilDate) async throws(StoreError) -> [EndingCoverage] {
    let rows = try await self.connection.query(
      """
      SELECT c.id, p.id, p.path, o.code, i.item_code, v.version, c.ends_on::text
      FROM service_contracts c
        JOIN units p ON p.id = c.purchaser_unit_id
        JOIN units o ON o.id = c.organisation_unit_id
        JOIN service_contract_items i ON i.contract_id = c.id
        JOIN catalog_item_versions v ON v.item_code = i.item_code AND v.status = 'published'
      WHERE c.ends_on BETWEEN \(today.description)::date AND \(horizon.description)::date
        AND EXISTS (SELECT 1 FROM catalog_item_stages s WHERE s.item_code = v.item_code AND s.version = v.version AND s.unit_code = o.code)
        AND NOT EXISTS (SELECT 1 FROM contract_end_notices n WHERE n.contract_id = c.id AND n.item_code = i.item_code AND n.ends_on = c.ends_on)
      ORDER BY c.id, i.item_code
      """
    ).decode((Int64, Int64, String, String, String, Int, String).self)
    return rows.compactMap { row in
      CivilDate(row.6).map {
        EndingCoverage(
          contractID: row.0, purchaserID: row.1, purchaserPath: row.2, organisationCode: row.3, itemCode: row.4, itemVersion: row.5, endsOn: $0
        )
      }
    }
  }

  /// Records the notices of `endings` once each (contract, item, last day); returns the ones
  /// recorded now, whose alerts the caller appends in the same transaction (a concurrent
  /// sweeper recording the same one waits on the key, then records nothing).
  public func recordEndNotices(_ endings: [EndingCoverage], at now: Instant) async throws(StoreError) -> [EndingCoverage] {
    guard !endings.isEmpty else { return [] }
    let recorded = try await self.connection.query(
      """
      INSERT INTO contract_end_notices (contract_id, item_code, ends_on, at)
      SELECT n.contract_id, n.item_code, n.ends_on::date, to_timestamp(\(now.secondsSinceEpoch)::bigint)
      FROM unnest(\(SQLArray(endings.map(\.contractID)))::bigint[], \(SQLArray(endings.map(\.itemCode)))::text[],
        \(SQLArray(endings.map(\.endsOn.description)))::text[]) AS n(contract_id, item_code, ends_on)
      ON CONFLICT DO NOTHING RETURNING contract_id, item_code
      """
    ).decode((Int64, String).self)
    let keys = Set(recorded.map { "\($0.0)/\($0.1)" })
    return endings.filter { keys.contains("\($0.contractID)/\($0.itemCode)") }
  }
}
