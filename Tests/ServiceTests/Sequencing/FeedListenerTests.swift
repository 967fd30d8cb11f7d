import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Testing

/// One LISTEN connection per instance (`FeedListener`) for every WatchEvents subscriber.
@Suite("Feed listener", .serialized, .timeLimit(.minutes(5)))
struct FeedListenerTests {
  static let logger = Logger(label: "servicetests.feedlistener") { _ in SwiftLogNoOpLogHandler() }
  static let subscribers = 200

  @Test("200 WatchEvents subscribers share one LISTEN connection, each gets every event, and a listener cut off loses none")
  func sharedListener() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let listener = FeedListener(store: f.pool, logger: Self.logger)
      let cases = CasesService(store: f.pool, feeds: listener)
      let writers = (0..<Self.subscribers).map { _ in DisconnectingWriter(budget: .max) }
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        for writer in writers {
          group.addTask {
            _ = await rpcCode {
              try await f.call(f.partner) { try await cases.watchEvents(request: .init(), response: RPCWriter(wrapping: writer), context: $0) }
            }
          }
        }
        defer { group.cancelAll() }
        // Every subscription open, and the listener's LISTEN in effect, before writing.
        for _ in 0..<600 where try await Self.listeners(f.pool) < 1 || listener.subscriberCount < Self.subscribers {
          try await Task.sleep(for: .milliseconds(50))
        }
        #expect(listener.subscriberCount == Self.subscribers)
        #expect(try await Self.listeners(f.pool) == 1)

        for _ in 0..<3 { _ = try await f.submitAndAccept() }
        try await Self.expectEveryoneHasAll(f.pool, writers)

        // Cut the listener's connection: it reconnects; the ticks cover what was sent meanwhile.
        let pid = try #require(try await Self.listenerPIDs(f.pool).first)
        #expect(try await f.pool.query("SELECT pg_terminate_backend(\(pid))").scalar(Bool.self) == true)
        for _ in 0..<3 { _ = try await f.submitAndAccept() }
        try await Self.expectEveryoneHasAll(f.pool, writers)
        for _ in 0..<600 where try await Self.listenerPIDs(f.pool).filter({ $0 != pid }).isEmpty {
          try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await Self.listeners(f.pool) == 1)
      }
    }
  }

  /// Waits (bounded) until every subscriber received every numbered event, then checks each
  /// got exactly 1…max, in order.
  static func expectEveryoneHasAll(_ pool: StorePool, _ writers: [DisconnectingWriter]) async throws {
    try #require(try await Sequencer.awaitSequenced(.caseEvents, store: pool, timeout: .seconds(60)))
    let last = try #require(try await pool.query("SELECT max(seq) FROM case_events").scalar(Int64.self))
    for _ in 0..<1200 where writers.contains(where: { ($0.events.last ?? 0) < last }) {
      try await Task.sleep(for: .milliseconds(50))
    }
    let expected = Array(1...last)
    let complete = writers.filter { $0.events == expected }.count
    #expect(complete == writers.count, "\(writers.count - complete) subscribers missed or repeated events")
  }

  /// Backends of this database listening on the case-event channel (the sequencer's own
  /// listener is on its wake channel and not counted).
  static func listenerPIDs(_ pool: StorePool) async throws -> [Int32] {
    try await pool.query(
      """
      SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND query LIKE 'LISTEN %' AND query NOT LIKE '%civic_sequencer%'
      """
    ).rows.map { try $0.decode(Int32.self, at: 0) }
  }

  static func listeners(_ pool: StorePool) async throws -> Int { try await self.listenerPIDs(pool).count }
}
