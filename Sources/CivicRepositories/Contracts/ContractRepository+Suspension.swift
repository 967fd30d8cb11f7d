public import CivicDomain
public import CivicStore

extension ContractRepository {
  /// Why a published version of `itemCode` dispatching to `unitCodes` takes no intake on `day`
  /// (`ContractSuspension`), or nil when every social organisation among them is covered.
  /// Reads the current terms without locking: each dispatch is still checked where it is made.
  public func suspension(itemCode: String, unitCodes: [String], on day: CivilDate) async throws(StoreError) -> ContractSuspension? {
    guard !unitCodes.isEmpty else { return nil }
    let organisations = try await self.coverage(unitCodes: Array(Set(unitCodes)).sorted(), itemCode: itemCode)
    return ContractSuspension.of(itemCode: itemCode, organisations: organisations, on: day)
  }

  /// The suspensions of many published versions at once (item code → its stages' units), for
  /// catalogue reads: one statement finds which units are organisations, and only the items
  /// dispatching to one are looked at further.
  public func suspensions(_ versions: [String: [String]], on day: CivilDate) async throws(StoreError) -> [String: ContractSuspension] {
    let units = Set(versions.values.joined())
    guard !units.isEmpty else { return [:] }
    let organisations = Set(
      try await self.connection.query(
        "SELECT code FROM units WHERE code = ANY(\(SQLArray(units.sorted()))::text[]) AND kind = \(Self.organisationKind)"
      ).column(String.self)
    )
    guard !organisations.isEmpty else { return [:] }
    var suspended: [String: ContractSuspension] = [:]
    for (itemCode, unitCodes) in versions.sorted(by: { $0.key < $1.key }) {
      let dispatched = organisations.intersection(unitCodes)
      guard !dispatched.isEmpty else { continue }
      suspended[itemCode] = try await self.suspension(itemCode: itemCode, unitCodes: dispatched.sorted(), on: day)
    }
    return suspended
  }

  /// The organisations among `unitCodes`, each with its contracts' current terms (unlocked).
  public func coverage(unitCodes: [String], itemCode: String) async throws(StoreError) -> [String: [ContractCoverage.Candidate]] {
    Self.candidates(try await self.contractRows(unitCodes: unitCodes, itemCode: itemCode))
  }
}
