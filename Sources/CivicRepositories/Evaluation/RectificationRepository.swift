public import CivicDomain
public import CivicStore

/// The side table of rectification cases (`rectifications`): the rating each answers, its
/// unit, and the return visit's finding. The case itself is the `CaseRepository`'s.
public struct RectificationRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  public func insert(caseID: Int64, ratingID: Int64, ratedCaseID: Int64, unitID: Int64, unitPath: String) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO rectifications (case_id, rating_id, rated_case_id, unit_id, unit_path)
      VALUES (\(caseID), \(ratingID), \(ratedCaseID), \(unitID), \(unitPath))
      """
    )
  }

  /// The rectification case opened for rating `ratingID`, if any.
  public func caseID(forRating ratingID: Int64) async throws(StoreError) -> Int64? {
    try await self.connection.query("SELECT case_id FROM rectifications WHERE rating_id = \(ratingID)").scalar(Int64.self)
  }

  /// The path of the unit being rectified by case `caseID`, if it is a rectification of a unit in `range`.
  public func unitPath(of caseID: Int64, in range: (lower: String, upper: String)) async throws(StoreError) -> String? {
    try await self.connection.query(
      "SELECT unit_path FROM rectifications WHERE case_id = \(caseID) AND unit_path >= \(range.lower) AND unit_path < \(range.upper)"
    ).scalar(String.self)
  }

  public func recordReturnVisit(caseID: Int64, satisfied: Bool, note: String, at: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE rectifications SET return_visit_satisfied = \(satisfied), return_visit_note = \(note),
        visited_at = to_timestamp(\(at.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID)
      """
    )
  }

  /// Ids of rectifications of units in `range`, newest first, below `before`, optionally in `state`.
  public func list(range: (lower: String, upper: String), before: Int64, state: String?, limit: Int) async throws(StoreError) -> [Int64] {
    try await self.connection.query(
      """
      SELECT x.case_id FROM rectifications x JOIN cases c ON c.id = x.case_id
      WHERE x.unit_path >= \(range.lower) AND x.unit_path < \(range.upper) AND x.case_id < \(before)
        AND (\(state)::text IS NULL OR c.state = \(state))
      ORDER BY x.case_id DESC LIMIT \(limit)
      """
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }

  public func record(_ caseID: Int64) async throws(StoreError) -> RectificationRecord? {
    try await self.connection.query(RectificationRecord.select + " WHERE x.case_id = \(caseID)").first(RectificationRecord.self)
  }
}
