public import CivicDomain
public import CivicStore
public import Foundation

/// What the centre records as a dispute moves: reviews and their routes, sessions, outcomes,
/// follow-ups, escalation, closing; and the districts' ladders.
extension DisputeRepository {
  /// Records review `review` and the routes it opened (`tasks[i]` is the task of `routes[i]`,
  /// at the unit with id `unitIDs[i]`); the dispute takes the review's risk.
  public func recordReview(_ caseID: Int64, _ review: DisputeReview, routes: [DisputeRoute], tasks: [Int], unitIDs: [Int64])
    async throws(StoreError)
  {
    try await self.connection.execute(
      """
      INSERT INTO dispute_reviews (case_id, round, held_on, participants, risk, assessment, ladder_level, working_days, recorded_by, recorded_at)
      VALUES (\(caseID), \(review.round), \(review.heldOn.description)::date, \(SQLArray(review.participants))::text[], \(review.risk.rawValue),
        \(review.assessment), \(review.ladderLevel), \(review.workingDays), \(review.recordedBy),
        to_timestamp(\(review.recordedAt.secondsSinceEpoch)::bigint))
      """
    )
    try await self.connection.execute(
      """
      INSERT INTO dispute_routes (case_id, task, round, channel, unit_id)
      SELECT \(caseID), r.task, \(review.round), r.channel, r.unit_id
      FROM unnest(\(SQLArray(tasks))::int[], \(SQLArray(routes.map(\.channel.rawValue)))::text[], \(SQLArray(unitIDs))::bigint[])
        AS r (task, channel, unit_id)
      """
    )
    try await self.connection.execute("UPDATE disputes SET risk = \(review.risk.rawValue) WHERE case_id = \(caseID)")
  }

  /// Adds a session on route `task`; its number is the next one of the dispute.
  public func scheduleSession(_ caseID: Int64, task: Int, at scheduled: Date, place: String) async throws(StoreError) -> Int {
    guard
      let number = try await self.connection.query(
        """
        INSERT INTO dispute_sessions (case_id, number, task, scheduled_at, place)
        SELECT \(caseID), coalesce(max(number), 0) + 1, \(task), \(scheduled), \(place) FROM dispute_sessions WHERE case_id = \(caseID)
        RETURNING number
        """
      ).scalar(Int.self)
    else { throw StoreError(code: .decoding, serverMessage: "dispute_sessions: no number returned") }
    return number
  }

  /// Marks session `number` held; false when the dispute has no such session or it was held already.
  public func recordSession(_ caseID: Int64, number: Int, attendees: [String], notes: String, at instant: Instant) async throws(StoreError)
    -> Bool
  {
    try await self.connection.query(
      """
      UPDATE dispute_sessions SET held_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint), attendees = \(SQLArray(attendees))::text[],
        notes = \(notes)
      WHERE case_id = \(caseID) AND number = \(number) AND held_at IS NULL RETURNING task
      """
    ).scalar(Int.self) != nil
  }

  /// The route task session `number` belongs to, if the dispute has it.
  public func sessionTask(_ caseID: Int64, number: Int) async throws(StoreError) -> (task: Int, held: Bool)? {
    try await self.connection.query(
      "SELECT task, held_at IS NOT NULL FROM dispute_sessions WHERE case_id = \(caseID) AND number = \(number)"
    ).decode((Int, Bool).self).first.map { (task: $0.0, held: $0.1) }
  }

  public func recordOutcome(_ caseID: Int64, task: Int, outcome: ChannelOutcome, detail: String, at instant: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE dispute_routes SET outcome = \(outcome.rawValue), detail = \(detail), outcome_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID) AND task = \(task)
      """
    )
  }

  /// Records the follow-up of route `task`; false when it was recorded already.
  public func recordFulfilment(_ caseID: Int64, task: Int, fulfilled: Bool, note: String, at instant: Instant) async throws(StoreError) -> Bool {
    try await self.connection.query(
      """
      UPDATE dispute_routes SET fulfilled = \(fulfilled), fulfilment_note = \(note),
        fulfilment_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID) AND task = \(task) AND fulfilled IS NULL RETURNING task
      """
    ).scalar(Int.self) != nil
  }

  /// Moves the dispute to rung `level` of its ladder.
  public func setLadderLevel(_ caseID: Int64, to level: Int) async throws(StoreError) {
    try await self.connection.execute("UPDATE disputes SET ladder_level = \(level) WHERE case_id = \(caseID)")
  }

  public func close(_ caseID: Int64, result: DisputeResult, note: String, visit: DisputeReturnVisit?, at instant: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE disputes SET result = \(result.rawValue), result_note = \(note), return_visited = \(visit != nil),
        satisfied = \(visit?.satisfied), rating = \(visit?.rating), closed_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID)
      """
    )
  }

  /// The ladder of the district (root unit) above the unit at `unitPath`; the standard ladder
  /// when the district has none of its own.
  public func ladder(forUnitAt unitPath: String) async throws(StoreError) -> DisputeLadder {
    let root = "/" + (unitPath.split(separator: "/").first.map(String.init) ?? "") + "/"
    let rungs = try await self.connection.query(
      """
      SELECT l.name FROM dispute_ladders l JOIN units u ON u.id = l.district_unit_id WHERE u.path = \(root) ORDER BY l.level
      """
    ).rows.map { row throws(StoreError) in try row.decode(String.self, at: 0) }
    guard !rungs.isEmpty else { return .standard }
    return (try? DisputeLadder(rungs: rungs)) ?? .standard
  }

  /// Replaces the ladder of district `districtUnitID` with `ladder`.
  public func replaceLadder(districtUnitID: Int64, with ladder: DisputeLadder) async throws(StoreError) {
    try await self.connection.execute("DELETE FROM dispute_ladders WHERE district_unit_id = \(districtUnitID)")
    try await self.connection.execute(
      """
      INSERT INTO dispute_ladders (district_unit_id, level, name)
      SELECT \(districtUnitID), r.level, r.name FROM unnest(\(SQLArray(Array(1...ladder.rungs.count)))::int[], \(SQLArray(ladder.rungs))::text[]) AS r (level, name)
      """
    )
  }
}
