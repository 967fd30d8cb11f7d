public import CivicDomain
public import CivicStore

extension ContractRepository {
  /// Why a published version of `itemCode` dispatching to `unitCodes` takes no intake on `day`
  /// (`ContractSuspension`), or nil when every social organisation among them is covered.
  /// Reads the current terms without locking: each dispatch is still checked where it is made.
  public func suspension(itemCode: String, unitCodes: [String], on day: CivilDate) async throws(StoreError) -> ContractSuspension? {
    try await self.suspensions([itemCode: unitCodes], on: day)[itemCode]
  }

  /// The suspensions of many published versions at once (item code → its stages' units), for
  /// catalogue reads and intake: one statement, whatever the number of items.
  public func suspensions(_ versions: [String: [String]], on day: CivilDate) async throws(StoreError) -> [String: ContractSuspension] {
    var suspended: [String: ContractSuspension] = [:]
    for (itemCode, organisations) in try await self.coverage(versions) {
      suspended[itemCode] = ContractSuspension.of(itemCode: itemCode, organisations: organisations, on: day)
    }
    return suspended
  }

  /// For each item (item code → units it dispatches to), the social organisations among its
  /// units, each with its contracts' current terms as the rule sees them for that item
  /// (unlocked; an organisation without contracts has an empty list). Items dispatching to no
  /// organisation are left out. One statement for every item.
  public func coverage(_ versions: [String: [String]]) async throws(StoreError) -> [String: [String: [ContractCoverage.Candidate]]] {
    let pairs = versions.flatMap { item, units in Set(units).map { (unit: $0, item: item) } }.sorted { ($0.item, $0.unit) < ($1.item, $1.unit) }
    guard !pairs.isEmpty else { return [:] }
    let rows = try await self.connection.query(
      """
      SELECT r.item_code, u.code, c.id, c.starts_on::text, c.ends_on::text,
        EXISTS (SELECT 1 FROM service_contract_items i WHERE i.contract_id = c.id AND i.item_code = r.item_code),
        c.end_reason IS NOT NULL
      FROM unnest(\(SQLArray(pairs.map(\.unit)))::text[], \(SQLArray(pairs.map(\.item)))::text[]) AS r(unit_code, item_code)
        JOIN units u ON u.code = r.unit_code AND u.kind = \(Self.organisationKind)
        LEFT JOIN service_contracts c ON c.organisation_unit_id = u.id
      """
    ).decode((String, String, Int64?, String?, String?, Bool, Bool).self)
    var byItem: [String: [(String, Int64?, String?, String?, Bool, Bool)]] = [:]
    for row in rows { byItem[row.0, default: []].append((row.1, row.2, row.3, row.4, row.5, row.6)) }
    return byItem.mapValues(Self.candidates)
  }
}
