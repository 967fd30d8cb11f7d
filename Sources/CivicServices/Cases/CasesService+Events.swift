public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension CasesService {
  /// The partner feed: every event after `after` within the caller's scope, then live ones.
  ///
  /// A `SequencedFeed` over `case_events`, whose sequence values are drawn under the event-order
  /// lock and become visible in order (see `CaseRepository`): it rereads on every `case_events`
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
    let kinds = request.kinds
    let itemCode = request.itemCode
    let store = self.store
    try await FeedSubscribers.events.subscribed {
      try await SequencedFeed(store: store, channel: CaseRepository.notifyChannel, listener: self.feeds).follow(after: request.after) { after, limit in
        try await store.query(
          CaseEventFeed.page(after: after, range: range, caseID: caseID, itemCode: itemCode, kinds: kinds, limit: limit)
        ).rows
      } deliver: { row in
        let event = try Self.feedEvent(row)
        try await response.write(event)
        return event.sequence
      }
    }
  }

  /// A `case_events` row of the feed query as the wire event.
  static func feedEvent(_ row: Row) throws -> Civicgrid_V1_CaseEvent {
    let stored = try CaseEventRow(row: row)
    var event = Civicgrid_V1_CaseEvent()
    event.sequence = stored.sequence
    event.caseID = CaseNumber.format(stored.caseID)
    event.itemCode = stored.itemCode
    event.task = stored.task
    event.kind = stored.kind
    event.summary = stored.summary
    event.at = stored.at.timestamp
    event.by = stored.by
    event.caseState = stored.caseState
    event.caseVersion = stored.caseVersion
    return event
  }
}
