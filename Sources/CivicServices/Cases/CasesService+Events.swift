public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension CaseEventRow: FeedSequenced {}

extension CasesService {
  /// The partner feed: every event after `after` within the caller's scope, then live ones.
  ///
  /// Sequence values are given after commit by the one sequencer and become visible in order
  /// (see `SequencerRepository`). With the instance's `FeedListener`, subscribers share its
  /// events tail (`FeedTail`): one read per new range for all of them, each filtered in
  /// memory by `CaseEventFilter.admits`, the database read only to catch up. Without it (or
  /// with a window of 0), a `SequencedFeed` rereads with the filter's SQL on every
  /// notification and once a second.
  /// A consumer resumes with the last sequence it saw, across disconnections and restarts.
  public func watchEvents(
    request: Civicgrid_V1_WatchEventsRequest,
    response: RPCWriter<Civicgrid_V1_CaseEvent>,
    context: ServerContext
  ) async throws {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let caseID = request.caseID.isEmpty ? Int64(0) : try CaseNumber.parse(request.caseID)
    for (index, kind) in request.kinds.enumerated() { _ = try Require.code("kinds[\(index)]", kind) }
    let filter = CaseEventFilter(range: principal.scope.sqlRange, caseID: caseID, itemCode: request.itemCode, kinds: request.kinds)
    let store = self.store
    let page = { (after: Int64, limit: Int) in try await store.query(filter.page(after: after, limit: limit)).decode(CaseEventRow.self) }
    try await FeedSubscribers.events.subscribed {
      try await SequencedFeed(store: store, channel: CaseRepository.notifyChannel, listener: self.feeds).follow(
        after: request.after, tail: self.feeds?.events, admits: filter.admits, page: page
      ) { try await response.write(Self.feedEvent($0)) }
    }
  }

  /// A `case_events` row as the wire event.
  static func feedEvent(_ stored: CaseEventRow) -> Civicgrid_V1_CaseEvent {
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
