public import CivicDomain
public import CivicStore
public import Foundation

/// The versions of a district's escalation ladder (`dispute_ladder_versions`, a
/// `VersionedDocumentStore` per district): every version kept; the newest is also written to
/// `dispute_ladders`, which disputes read.
extension DisputeRepository {
  /// One stored ladder version: its rung names, lowest first.
  public typealias LadderVersion = StoredVersion<[String]>

  /// The district's versions. Rung names hold no line breaks (SetLadder refuses them), so one
  /// text column carries the array; the district's unit row serialises changes, since before
  /// the first version there is no row to lock.
  func ladders(districtUnitID: Int64) -> VersionedDocumentStore<[String]> {
    VersionedDocumentStore(
      self.connection,
      .init(
        name: "dispute_ladder_versions",
        subject: "the ladder of the district",
        columns: DocumentColumns(
          read: "array_to_string(rungs, E'\\n')",
          decode: { DisputeRepository.lines($0) },
          write: { rungs in [("rungs", "\(SQLArray(rungs))::text[]")] }
        ),
        owner: ("district_unit_id", districtUnitID),
        serialize: "SELECT id FROM units WHERE id = \(districtUnitID) FOR UPDATE"
      )
    )
  }

  /// The newest version of the district's ladder, or nil while it uses the standard one;
  /// `lock` holds the district's row against a concurrent change.
  public func ladderVersion(districtUnitID: Int64, lock: Bool = false) async throws(StoreError) -> LadderVersion? {
    try await self.ladders(districtUnitID: districtUnitID).current(lock: lock)
  }

  /// Every version number of the district's ladder, newest first.
  public func ladderHistory(districtUnitID: Int64) async throws(StoreError) -> [Int] {
    try await self.ladders(districtUnitID: districtUnitID).history()
  }

  /// Publishes `ladder` as the district's next version if `expectedVersion` is the newest
  /// (stale → `staleVersion` naming `district`) and makes it the one disputes climb; returns
  /// the version replaced.
  @discardableResult
  public func setLadder(districtUnitID: Int64, district: String, _ ladder: DisputeLadder, expectedVersion: Int, by account: String)
    async throws -> Int
  {
    var versions = self.ladders(districtUnitID: districtUnitID)
    versions.table.subject = "the ladder of \(district)"
    let replaced = try await versions.set(expectedVersion: expectedVersion, by: account) { _ in ladder.rungs }.replaced
    try await self.replaceLadder(districtUnitID: districtUnitID, with: ladder)
    return replaced
  }
}
