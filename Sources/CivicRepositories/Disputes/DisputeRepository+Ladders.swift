public import CivicDomain
public import CivicStore
public import Foundation

/// The versions of a district's escalation ladder (`dispute_ladder_versions`): every version
/// kept; the newest is also written to `dispute_ladders`, which disputes read.
extension DisputeRepository {
  /// One stored ladder version.
  public struct LadderVersion: Sendable, SQLRecord {
    public var version: Int
    public var rungs: [String]
    public var createdBy: String
    public var createdAt: Date

    public init(row: Row) throws(StoreError) {
      self.version = try row.decode(column: "version")
      // Rung names hold no line breaks (SetLadder refuses them), so one text column carries the array.
      self.rungs = DisputeRepository.lines(try row.decode(String.self, column: "rungs"))
      self.createdBy = try row.decode(column: "created_by")
      self.createdAt = try row.decode(column: "created_at")
    }
  }

  /// The newest version of the district's ladder, or nil while it uses the standard one;
  /// `lock` holds the district's row against a concurrent change.
  public func ladderVersion(districtUnitID: Int64, lock: Bool = false) async throws(StoreError) -> LadderVersion? {
    if lock { try await self.connection.execute("SELECT id FROM units WHERE id = \(districtUnitID) FOR UPDATE") }
    return try await self.connection.query(
      """
      SELECT version, array_to_string(rungs, E'\\n') AS rungs, created_by, created_at FROM dispute_ladder_versions
      WHERE district_unit_id = \(districtUnitID) ORDER BY version DESC LIMIT 1
      """
    ).first(LadderVersion.self)
  }

  /// Every version number of the district's ladder, newest first.
  public func ladderHistory(districtUnitID: Int64) async throws(StoreError) -> [Int] {
    try await self.connection.query(
      "SELECT version FROM dispute_ladder_versions WHERE district_unit_id = \(districtUnitID) ORDER BY version DESC"
    ).rows.map { row throws(StoreError) in try row.decode(Int.self, at: 0) }
  }

  /// Stores `ladder` as version `version` of the district's ladder and makes it the one disputes climb.
  public func publishLadder(districtUnitID: Int64, _ ladder: DisputeLadder, version: Int, by account: String) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO dispute_ladder_versions (district_unit_id, version, rungs, created_by)
      VALUES (\(districtUnitID), \(version), \(SQLArray(ladder.rungs))::text[], \(account))
      """
    )
    try await self.replaceLadder(districtUnitID: districtUnitID, with: ladder)
  }
}
