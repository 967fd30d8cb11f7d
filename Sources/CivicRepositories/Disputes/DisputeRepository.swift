public import CivicDomain
public import CivicStore
import Foundation

/// The side tables of disputes (`disputes`, `dispute_parties`, `dispute_reviews`,
/// `dispute_routes`, `dispute_sessions`) and the districts' ladders (`dispute_ladders`); the
/// dispute's case is the `CaseRepository`'s. Writes run in the command's transaction.
public struct DisputeRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Writes a new dispute's row and its parties, in order.
  public func insert(_ dispute: NewDispute) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO disputes (case_id, type, category, intake, summary, related_case_id, unit_id, unit_path, submitted_at)
      VALUES (\(dispute.caseID), \(dispute.type.rawValue), \(dispute.category?.rawValue), \(dispute.intake.rawValue), \(dispute.summary),
        \(dispute.relatedCaseID), \(dispute.unitID), \(dispute.unitPath), to_timestamp(\(dispute.at.secondsSinceEpoch)::bigint))
      """
    )
    let parties = dispute.parties
    try await self.connection.execute(
      """
      INSERT INTO dispute_parties (case_id, position, role, name, id_number, phone, person_id)
      SELECT \(dispute.caseID), p.position, p.role, p.name, p.id_number, p.phone, p.person_id
      FROM unnest(\(SQLArray(Array(1...parties.count)))::int[], \(SQLArray(parties.map(\.role.rawValue)))::text[],
        \(SQLArray(parties.map(\.name)))::text[], \(SQLArray(parties.map(\.idNumber)))::text[], \(SQLArray(parties.map(\.phone)))::text[],
        \(SQLArray(parties.map(\.personID)))::bigint[])
        AS p (position, role, name, id_number, phone, person_id)
      """
    )
  }

  /// The dispute row of case `caseID` and everything beside it, or nil for a case that is no dispute.
  public func load(_ caseID: Int64) async throws(StoreError) -> DisputeDetails? {
    var query = DisputeRecord.select
    query.append(" WHERE case_id = \(caseID)")
    guard let record = try await self.connection.query(query).first(DisputeRecord.self) else { return nil }
    return DisputeDetails(
      record: record,
      parties: try await self.parties(caseID),
      reviews: try await self.reviews(caseID),
      routes: try await self.routes(caseID),
      sessions: try await self.sessions(caseID)
    )
  }

  /// The dispute rows of `ids` that exist, in the order given (list pages).
  public func records(_ ids: [Int64]) async throws(StoreError) -> [Int64: DisputeRecord] {
    var query = DisputeRecord.select
    query.append(" WHERE case_id = ANY(\(SQLArray(ids))::bigint[])")
    return Dictionary(uniqueKeysWithValues: try await self.connection.query(query).decode(DisputeRecord.self).map { ($0.caseID, $0) })
  }

  func parties(_ caseID: Int64) async throws(StoreError) -> [DisputeParty] {
    let rows = try await self.connection.query(
      "SELECT role, name, id_number, phone, person_id FROM dispute_parties WHERE case_id = \(caseID) ORDER BY position"
    ).decode((String, String, String, String, Int64?).self)
    return try rows.map { row throws(StoreError) in
      DisputeParty(role: try Self.raw(row.0, "role"), name: row.1, idNumber: row.2, phone: row.3, personID: row.4)
    }
  }

  func reviews(_ caseID: Int64) async throws(StoreError) -> [DisputeReview] {
    let rows = try await self.connection.query(
      """
      SELECT round, held_on::text, array_to_string(participants, E'\\n'), risk, assessment, ladder_level, working_days, recorded_by,
        extract(epoch FROM recorded_at)::bigint
      FROM dispute_reviews WHERE case_id = \(caseID) ORDER BY round
      """
    ).decode((Int, String, String, String, String, Int, Int, String, Int).self)
    return try rows.map { row throws(StoreError) in
      guard let heldOn = CivilDate(row.1) else { throw StoreError(code: .decoding, serverMessage: "dispute_reviews: held_on \(row.1)") }
      return DisputeReview(
        round: row.0, heldOn: heldOn, participants: Self.lines(row.2), risk: try Self.raw(row.3, "risk"), assessment: row.4,
        ladderLevel: row.5, workingDays: row.6, recordedBy: row.7, recordedAt: Instant(secondsSinceEpoch: row.8)
      )
    }
  }

  func routes(_ caseID: Int64) async throws(StoreError) -> [DisputeRouteRecord] {
    let rows = try await self.connection.query(
      """
      SELECT r.task, r.round, r.channel, u.code, r.outcome, r.detail, r.fulfilled, r.fulfilment_note
      FROM dispute_routes r JOIN units u ON u.id = r.unit_id WHERE r.case_id = \(caseID) ORDER BY r.task
      """
    ).decode((Int, Int, String, String, String?, String, Bool?, String).self)
    return try rows.map { row throws(StoreError) in
      DisputeRouteRecord(
        task: row.0, round: row.1, channel: try Self.raw(row.2, "channel"), unitCode: row.3,
        outcome: try row.4.map { text throws(StoreError) in try Self.raw(text, "outcome") }, detail: row.5, fulfilled: row.6,
        fulfilmentNote: row.7
      )
    }
  }

  func sessions(_ caseID: Int64) async throws(StoreError) -> [DisputeSession] {
    try await self.connection.query(
      """
      SELECT number, task, scheduled_at, place, held_at, array_to_string(attendees, E'\\n'), notes
      FROM dispute_sessions WHERE case_id = \(caseID) ORDER BY number
      """
    ).decode((Int, Int, Date, String, Date?, String, String).self).map {
      DisputeSession(number: $0.0, task: $0.1, scheduledAt: $0.2, place: $0.3, heldAt: $0.4, attendees: Self.lines($0.5), notes: $0.6)
    }
  }

  /// Ids of disputes whose intake unit or one of whose routes' units is in `range`, newest
  /// first, below `before`, optionally only in `state`, of `type` and at `minRisk` or above.
  public func list(
    range: (lower: String, upper: String),
    before: Int64,
    state: String?,
    type: DisputeType?,
    minRisk: RiskLevel?,
    limit: Int
  ) async throws(StoreError) -> [Int64] {
    let risks = RiskLevel.allCases.filter { $0 >= (minRisk ?? .low) }.map(\.rawValue)
    return try await self.connection.query(
      """
      SELECT d.case_id FROM disputes d JOIN cases c ON c.id = d.case_id
      WHERE d.case_id < \(before)
        AND (\(state)::text IS NULL OR c.state = \(state))
        AND (\(type?.rawValue)::text IS NULL OR d.type = \(type?.rawValue))
        AND (\(minRisk == nil) OR d.risk = ANY(\(SQLArray(risks))::text[]))
        AND (d.unit_path >= \(range.lower) AND d.unit_path < \(range.upper) OR EXISTS (
          SELECT 1 FROM dispute_routes r JOIN units ru ON ru.id = r.unit_id
          WHERE r.case_id = d.case_id AND ru.path >= \(range.lower) AND ru.path < \(range.upper)))
      ORDER BY d.case_id DESC LIMIT \(limit)
      """
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }

  static func raw<Value: RawRepresentable>(_ text: String, _ column: String) throws(StoreError) -> Value where Value.RawValue == String {
    guard let value = Value(rawValue: text) else { throw StoreError(code: .decoding, serverMessage: "disputes: \(column) \(text)") }
    return value
  }

  static func lines(_ text: String) -> [String] { text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

extension DisputeRepository {
  /// Ids of open disputes whose intake unit or a route's unit is in `range`, oldest first.
  public func openIDs(range: (lower: String, upper: String), limit: Int) async throws(StoreError) -> [Int64] {
    try await self.connection.query(
      """
      SELECT d.case_id FROM disputes d JOIN cases c ON c.id = d.case_id
      WHERE c.is_open
        AND (d.unit_path >= \(range.lower) AND d.unit_path < \(range.upper) OR EXISTS (
          SELECT 1 FROM dispute_routes r JOIN units ru ON ru.id = r.unit_id
          WHERE r.case_id = d.case_id AND ru.path >= \(range.lower) AND ru.path < \(range.upper)))
      ORDER BY d.case_id LIMIT \(limit)
      """
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }
}
