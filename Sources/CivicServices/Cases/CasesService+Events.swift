public import CivicProtos
import CivicStore
import Foundation
public import GRPCCore

extension CasesService {
  /// The partner feed: every event after `after` within the caller's scope, then live ones.
  ///
  /// Reads `case_events` in sequence order from a cursor; because sequence values are drawn under
  /// the event-order lock and become visible in order (see `CaseWriter`), reading `seq > cursor`
  /// never skips an event that commits later with a smaller number. It reads again whenever a
  /// `case_events` notification arrives and at least once a second (a notification sent while the
  /// listener reconnects is lost; the tick covers it). A consumer resumes with the last sequence
  /// it saw, across disconnections and server restarts.
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
    var cursor = request.after

    try await store.withNotifications(channels: [CaseWriter.notifyChannel]) { notifications in
      let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          for await _ in notifications { wake.yield() }
          wake.finish()
        }
        group.addTask {
          while !Task.isCancelled {
            wake.yield()
            try await Task.sleep(for: .seconds(1))
          }
        }
        for await _ in wakeups {
          // Drain everything visible now, a page at a time.
          while true {
            let rows = try await store.query(
              """
              SELECT seq, case_id, item_code, task, kind, summary, at, by_party, case_state, case_version
              FROM case_events
              WHERE seq > $1 AND unit_path >= $2 AND unit_path < $3
                AND ($4 = 0 OR case_id = $4) AND ($5 = '' OR item_code = $5)
                AND ($6 = '' OR kind = ANY(string_to_array($6, ',')))
              ORDER BY seq LIMIT 500
              """,
              [cursor, range.lower, range.upper, caseID, itemCode, kinds]
            ).rows
            for row in rows {
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
              try await response.write(event)
              cursor = event.sequence
            }
            if rows.count < 500 { break }
          }
        }
        group.cancelAll()
      }
    }
  }
}
