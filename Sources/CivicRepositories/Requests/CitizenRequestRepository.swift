public import CivicDomain
public import CivicStore

/// The side table of citizens' requests (`citizen_requests`); their case is the `CaseRepository`'s.
public struct CitizenRequestRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  public func insert(_ new: NewCitizenRequest) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO citizen_requests (case_id, request_type, category, category_name, channel, description, received_by,
        routing_version, tiers)
      VALUES (\(new.caseID), \(new.type.rawValue), \(new.route.category), \(new.route.name), \(new.channel.rawValue),
        \(new.description), \(new.receivedBy), \(new.routingVersion), \(SQLArray(new.tiers.map(\.rawValue)))::text[])
      """
    )
  }

  public func load(_ caseID: Int64) async throws(StoreError) -> CitizenRequestRecord? {
    try await self.connection.query("SELECT \(CitizenRequestRecord.columns) WHERE case_id = \(caseID)").first(CitizenRequestRecord.self)
  }

  /// Records the return visit once; false when one was already recorded.
  public func recordVisit(_ caseID: Int64, satisfied: Bool, note: String, at instant: Instant) async throws(StoreError) -> Bool {
    let updated = try await self.connection.query(
      """
      UPDATE citizen_requests SET visit_satisfied = \(satisfied), visit_note = \(note),
        visited_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID) AND visited_at IS NULL RETURNING case_id
      """
    )
    return !updated.rows.isEmpty
  }

  /// The territorial units above and including `unitCode` (its grid, community, street), by
  /// tier, and the unit's path; nil when no unit has the code.
  public func places(of unitCode: String) async throws(StoreError) -> (path: String, places: [RequestTier: UnitID])? {
    let rows = try await self.connection.query(
      """
      SELECT u.path, a.code, a.kind FROM units u JOIN units a ON starts_with(u.path, a.path)
      WHERE u.code = \(unitCode)
      """
    ).decode((String, String, String).self)
    guard let path = rows.first?.0 else { return nil }
    var places: [RequestTier: UnitID] = [:]
    for (_, code, kind) in rows {
      if let tier = RequestTier(unitKind: kind) { places[tier] = UnitID(code) }
    }
    return (path, places)
  }

  /// Ids of requests newest first below `before`, visible in `range` (intake unit or a tier's
  /// unit), optionally in `state`, of `category`, or whose latest tier task is at `unitCode`.
  public func list(
    range: (lower: String, upper: String),
    before: Int64,
    state: String?,
    category: String?,
    unitCode: String?,
    limit: Int
  ) async throws(StoreError) -> [Int64] {
    var query: SQLQuery = """
      SELECT c.id FROM cases c JOIN units u ON u.id = c.unit_id JOIN citizen_requests r ON r.case_id = c.id
      WHERE c.kind = \(CitizenRequestKind.citizenRequest.name) AND c.id < \(before)
        AND (u.path >= \(range.lower) AND u.path < \(range.upper) OR EXISTS (
          SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
          WHERE t.case_id = c.id AND tu.path >= \(range.lower) AND tu.path < \(range.upper)))
      """
    if let state { query.append(" AND c.state = \(state)") }
    if let category { query.append(" AND r.category = \(category)") }
    if let unitCode {
      query.append(
        """
         AND (SELECT tu.code FROM case_tasks t JOIN units tu ON tu.id = t.unit_id WHERE t.case_id = c.id
              ORDER BY t.number DESC LIMIT 1) = \(unitCode)
        """
      )
    }
    query.append(" ORDER BY c.id DESC LIMIT \(limit)")
    return try await self.connection.query(query).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }
}
