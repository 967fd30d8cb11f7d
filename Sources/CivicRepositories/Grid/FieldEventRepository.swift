public import CivicDomain
public import CivicStore

/// The side table of field events (`field_events`) and the self-handled sampling counters;
/// their case is the `CaseRepository`'s.
public struct FieldEventRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  public func insert(_ new: NewFieldEvent) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO field_events (case_id, category, urgent, grid_id, grid_path, address, latitude, longitude, description,
        attachments, reported_by, reported_at)
      VALUES (\(new.caseID), \(new.category.rawValue), \(new.urgent), \(new.gridID), \(new.gridPath), \(new.address),
        \(new.point?.latitude), \(new.point?.longitude), \(new.description), \(FieldEventRecord.json(new.attachments))::jsonb,
        \(new.reportedBy), to_timestamp(\(new.reportedAt.secondsSinceEpoch)::bigint))
      """
    )
  }

  public func load(_ caseID: Int64) async throws(StoreError) -> FieldEventRecord? {
    try await self.connection.query("SELECT \(FieldEventRecord.columns) WHERE e.case_id = \(caseID)").first(FieldEventRecord.self)
  }

  /// Routed to `unitID` by routing table `version`; due when its (just written) latest task is.
  public func recordRouting(_ caseID: Int64, version: Int, unitID: Int64) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE field_events SET routing_version = \(version), handling_unit_id = \(unitID),
        due_at = (SELECT deadline FROM case_tasks WHERE case_id = \(caseID) ORDER BY number DESC LIMIT 1)
      WHERE case_id = \(caseID)
      """
    )
  }

  /// Became citizen's request `requestID` by routing table `version`.
  public func recordForward(_ caseID: Int64, version: Int, requestID: Int64) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE field_events SET routing_version = \(version), request_case_id = \(requestID) WHERE case_id = \(caseID)"
    )
  }

  public func recordHandling(
    _ caseID: Int64,
    selfHandled: Bool,
    evidence: String,
    attachments: [AttachmentRef],
    sampled: Bool,
    at instant: Instant
  ) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE field_events SET self_handled = \(selfHandled), evidence = \(evidence),
        evidence_attachments = \(FieldEventRecord.json(attachments))::jsonb, sampled_for_check = \(sampled),
        handled_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID)
      """
    )
  }

  public func recordClose(_ caseID: Int64, note: String) async throws(StoreError) {
    try await self.connection.execute("UPDATE field_events SET close_note = \(note) WHERE case_id = \(caseID)")
  }

  /// Counts one more self-handled event of `category` and answers its ordinal (from 1); the
  /// counter row's lock orders concurrent ones.
  public func nextSelfHandledOrdinal(_ category: FieldEventCategory) async throws(StoreError) -> Int {
    let ordinal = try await self.connection.query(
      """
      INSERT INTO field_event_sampling (category, self_handled) VALUES (\(category.rawValue), 1)
      ON CONFLICT (category) DO UPDATE SET self_handled = field_event_sampling.self_handled + 1
      RETURNING self_handled
      """
    ).scalar(Int64.self)
    return Int(ordinal ?? 1)
  }

  /// Ids of events newest first below `before`, whose grid is in `range`, optionally in
  /// `state`, of `category`, urgent only, or of grids under `unitPath`.
  public func list(
    range: (lower: String, upper: String),
    before: Int64,
    state: String?,
    category: FieldEventCategory?,
    under unitPath: String?,
    urgentOnly: Bool,
    limit: Int
  ) async throws(StoreError) -> [Int64] {
    var query: SQLQuery = """
      SELECT e.case_id FROM field_events e JOIN cases c ON c.id = e.case_id
      WHERE e.case_id < \(before) AND e.grid_path >= \(range.lower) AND e.grid_path < \(range.upper)
      """
    if let state { query.append(" AND c.state = \(state)") }
    if let category { query.append(" AND e.category = \(category.rawValue)") }
    if let unitPath { query.append(" AND starts_with(e.grid_path, \(unitPath))") }
    if urgentOnly { query.append(" AND e.urgent") }
    query.append(" ORDER BY e.case_id DESC LIMIT \(limit)")
    return try await self.connection.query(query).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }
}
