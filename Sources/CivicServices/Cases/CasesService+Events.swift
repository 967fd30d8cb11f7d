public import CivicProtos
import CivicStore
import Foundation
public import GRPCCore

extension CasesService {
  /// The partner feed: every event after `after` within the caller's scope, then live ones.
  ///
  /// A `SequencedFeed` over `case_events`, whose sequence values are drawn under the event-order
  /// lock and become visible in order (see `CaseWriter`): it rereads on every `case_events`
  /// notification and once a second. A consumer resumes with the last sequence it saw, across
  /// disconnections and server restarts.
  public func watchEvents(
    request: Civicgrid_V1_WatchEventsRequest,
    response: RPCWriter<Civicgrid_V1_CaseEvent>,
    context: ServerContext
  ) async throws {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let caseID = request.caseID.isEmpty ? Int64(0) : try CaseNumber.parse(request.caseID)
    for (index, kind) in request.kinds.enumerated() { _ = try Require.code("kinds[\(index)]", kind) }
    let range = principal.scope.sqlRange
    let kinds = request.kinds.joined(separator: ",")
    let itemCode = request.itemCode
    let store = self.store
    try await SequencedFeed(store: store, channel: CaseWriter.notifyChannel).follow(after: request.after) { after, limit in
      try await store.query(
        """
        SELECT seq, case_id, item_code, task, kind, summary, at, by_party, case_state, case_version
        FROM case_events
        WHERE seq > $1 AND unit_path >= $2 AND unit_path < $3
          AND ($4 = 0 OR case_id = $4) AND ($5 = '' OR item_code = $5)
          AND ($6 = '' OR kind = ANY(string_to_array($6, ',')))
        ORDER BY seq LIMIT $7
        """,
        [after, range.lower, range.upper, caseID, itemCode, kinds, limit]
      ).rows
    } deliver: { row in
      let event = try Self.feedEvent(row)
      try await response.write(event)
      return event.sequence
    }
  }

  /// A `case_events` row of the feed query as the wire event.
  static func feedEvent(_ row: Row) throws -> Civicgrid_V1_CaseEvent {
    var event = Civicgrid_V1_CaseEvent()
    event.sequence = try row.decode(Int64.self, at: 0)
    event.caseID = CaseNumber.format(try row.decode(Int64.self, at: 1))
    event.itemCode = try row.decode(String.self, at: 2)
    event.task = try row.decode(Int32.self, at: 3)
    event.kind = try row.decode(String.self, at: 4)
    event.summary = try row.decode(String.self, at: 5)
    event.at = try row.decode(Date.self, at: 6).timestamp
    event.by = try row.decode(String.self, at: 7)
    event.caseState = try row.decode(String.self, at: 8)
    event.caseVersion = try row.decode(Int64.self, at: 9)
    return event
  }
}
