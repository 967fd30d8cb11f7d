import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Synchronization
import Testing

/// The shared events tail (`FeedTail`): one read per new range for every WatchEvents
/// subscriber of an instance, filtered in memory, the database read only to catch up.
@Suite("Feed tail", .serialized, .timeLimit(.minutes(5)))
struct FeedTailTests {
  static let logger = Logger(label: "servicetests.feedtail") { _ in SwiftLogNoOpLogHandler() }

  /// What one follower received, and which of it came from the database.
  final class Received: Sendable {
    private let state = Mutex((delivered: [Int64](), fromDatabase: Set<Int64>(), databaseAfterMemory: false))
    var delivered: [Int64] { self.state.withLock { $0.delivered } }
    var fromDatabase: Set<Int64> { self.state.withLock { $0.fromDatabase } }
    /// Whether the follower read from the database after it had delivered from memory.
    var fellBack: Bool { self.state.withLock { $0.databaseAfterMemory } }
    func read(_ rows: [some FeedSequenced]) {
      self.state.withLock { state in
        if state.delivered.contains(where: { !state.fromDatabase.contains($0) }) { state.databaseAfterMemory = true }
        state.fromDatabase.formUnion(rows.map(\.sequence))
      }
    }
    func deliver(_ sequence: Int64) { self.state.withLock { $0.delivered.append(sequence) } }
    func isFromMemory(_ sequence: Int64) -> Bool { self.state.withLock { !$0.fromDatabase.contains(sequence) } }
  }

  /// The event a follower stalled on, once.
  final class Stalled: Sendable {
    private let state = Mutex<Int64?>(nil)
    var sequence: Int64? { self.state.withLock { $0 } }
    /// Whether `sequence` is the first claimed.
    func claim(_ sequence: Int64) -> Bool {
      self.state.withLock { state in
        guard state == nil else { return false }
        state = sequence
        return true
      }
    }
  }

  static func tail(_ pool: StorePool, window: Int, batch: Int) -> FeedTail<CaseEventRow> {
    FeedTail(
      configuration: .init(window: window, batch: batch, tick: .milliseconds(20)),
      logger: Self.logger,
      readHead: { try await pool.query(CaseEventFeed.head).scalar(Int64.self) ?? 0 },
      readAfter: { after, limit in try await pool.query(CaseEventFeed.tail(after: after, limit: limit)).decode(CaseEventRow.self) }
    )
  }

  /// The case event feed for the shared-tail scenarios.
  static func scenario(_ pool: StorePool, cases: [Int64]) -> TailScenario<CaseEventRow> {
    let filter = CaseEventFilter(range: UnitScope.everything.sqlRange)
    return TailScenario(
      tail: { Self.tail(pool, window: $0, batch: $1) },
      page: { try await pool.query(filter.page(after: $0, limit: $1)).decode(CaseEventRow.self) },
      write: { try await FeedEvents.write(pool, cases: cases, count: $0, from: $1) },
      all: { try await Self.numbered(pool) }
    )
  }

  static func cases(_ f: CaseFixture) async throws -> [Int64] {
    try await f.pool.query("SELECT id FROM cases ORDER BY id").decode(Int64.self)
  }

  static func numbered(_ pool: StorePool) async throws -> [Int64] {
    try #require(try await Sequencer.awaitSequenced(.caseEvents, store: pool, timeout: .seconds(60)))
    return try await pool.query("SELECT seq FROM case_events WHERE seq IS NOT NULL ORDER BY seq").decode(Int64.self)
  }

  /// Waits (bounded) until `done` holds.
  static func wait(_ done: () async throws -> Bool) async throws {
    for _ in 0..<1200 where try await !done() { try await Task.sleep(for: .milliseconds(50)) }
  }

  @Test("a subscriber with an old cursor catches up from the database while events are written, then reads the tail, each event once")
  func seam() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      _ = try await f.submitAndAccept()
      try await Self.scenario(f.pool, cases: try await Self.cases(f)).seam()
    }
  }

  @Test("a subscriber slower than the window falls back to the database, never holds the reader back, and still gets every event once")
  func slowSubscriber() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      _ = try await f.submitAndAccept()
      try await Self.scenario(f.pool, cases: try await Self.cases(f)).slowSubscriber()
    }
  }

  @Test("many WatchEvents subscribers with different scopes and filters get exactly what the SQL path gives, none outside their scope")
  func manySubscribersMatchSQL() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let first = try await f.submitAndAccept()
      _ = try await f.submitAndAccept()
      let cases = try await Self.cases(f)
      let middle = try #require(try await Self.numbered(f.pool).last)
      // A small window, so that some subscribers fall behind it while the events pour in.
      let listener = FeedListener(store: f.pool, logger: Self.logger, eventWindow: 40)
      let service = CasesService(store: f.pool, feeds: listener)
      let principals = [f.partner, f.principal("p-ctr", "CTR", [.partner]), f.principal("p-s01", "S01", [.partner])]
      var requests: [Civicgrid_V1_WatchEventsRequest] = []
      for after in [Int64(0), middle] {
        var all = Civicgrid_V1_WatchEventsRequest()
        all.after = after
        var kinds = all
        kinds.kinds = ["x-note", "x-other"]
        var item = all
        item.itemCode = "cafe\u{301}"
        var oneCase = all
        oneCase.caseID = first.id
        requests += [all, kinds, item, oneCase]
      }
      var subscriptions: [(principal: Principal, request: Civicgrid_V1_WatchEventsRequest, writer: DisconnectingWriter)] = []
      for _ in 0..<5 {
        for principal in principals {
          for request in requests { subscriptions.append((principal, request, DisconnectingWriter(budget: .max))) }
        }
      }
      // A few that hang up after three new events release their subscription.
      let leaving = (0..<4).map { _ in DisconnectingWriter(budget: 3) }
      let fromMiddle = requests[4]  // the first of those from `middle`, unfiltered
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        for (principal, request, writer) in subscriptions {
          group.addTask {
            _ = await rpcCode { try await f.call(principal) { try await service.watchEvents(request: request, response: RPCWriter(wrapping: writer), context: $0) } }
          }
        }
        for writer in leaving {
          group.addTask {
            _ = await rpcCode { try await f.call(f.partner) { try await service.watchEvents(request: fromMiddle, response: RPCWriter(wrapping: writer), context: $0) } }
          }
        }
        try await Self.wait { listener.subscriberCount == subscriptions.count + leaving.count }
        #expect(listener.subscriberCount == subscriptions.count + leaving.count)
        try await FeedEvents.write(f.pool, cases: cases, count: 150)
        let last = try #require(try await Self.numbered(f.pool).last)

        var expected: [[Int64]] = []
        for (principal, request, _) in subscriptions {
          let filter = CaseEventFilter(
            range: principal.scope.sqlRange, caseID: request.caseID.isEmpty ? 0 : cases[0], itemCode: request.itemCode, kinds: request.kinds
          )
          expected.append(try await f.pool.query(filter.page(after: request.after, limit: 100_000)).decode(CaseEventRow.self).map(\.sequence))
        }
        // Each has its last expected event (or nothing is expected), and the tail reached the end.
        try await Self.wait {
          listener.events.bounds?.head == last && zip(subscriptions, expected).allSatisfy { $0.0.writer.events.last == $0.1.last }
        }
        var wrong = 0
        for ((principal, request, writer), expected) in zip(subscriptions, expected) where writer.events != expected {
          wrong += 1
          Issue.record("\(principal.unitPath) \(request.kinds) \(request.itemCode) \(request.caseID) after \(request.after): \(writer.events.count) events, expected \(expected.count)")
        }
        #expect(wrong == 0)
        #expect(expected.contains { !$0.isEmpty } && expected.contains { $0.count < expected[0].count }, "the filters differ")

        // Scope, stated on its own: no subscriber got an event of a unit outside its subtree.
        for (principal, _, writer) in subscriptions {
          let range = principal.scope.sqlRange
          let outside = try await f.pool.query(
            "SELECT count(*) FROM case_events WHERE seq = ANY(\(SQLArray(writer.events))::bigint[]) AND NOT (unit_path >= \(range.lower) AND unit_path < \(range.upper))"
          ).scalar(Int64.self)
          #expect(outside == 0, "\(principal.unitPath) got events outside its scope")
        }
        #expect(leaving.allSatisfy { $0.events.count == 3 })
        try await Self.wait { listener.subscriberCount == subscriptions.count }
        #expect(listener.subscriberCount == subscriptions.count)
        group.cancelAll()
      }
      #expect(listener.subscriberCount == 0)
    }
  }
}
