import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Testing

/// The shared alert tail (`FeedTail<AlertRow>`): one read per new range for every WatchAlerts
/// subscriber of an instance, filtered in memory (`AlertFilter.admits`), the database read
/// only to catch up. The same engine as the events tail (`FeedTailTests`), over alerts.
@Suite("Alert tail", .serialized, .timeLimit(.minutes(5)))
struct AlertTailTests {
  /// The stored names of the wire levels and kinds the requests use.
  static let levels: [Civicgrid_V1_WarningLevel: String] = [.green: "green", .yellow: "yellow", .red: "red", .overdue: "overdue"]
  static let kinds: [Civicgrid_V1_AlertKind: String] = [.warning: "warning", .urge: "urge", .notice: "notice"]

  static func tail(_ pool: StorePool, window: Int, batch: Int) -> FeedTail<AlertRow> {
    FeedTail(
      configuration: .init(window: window, batch: batch, tick: .milliseconds(20)),
      logger: FeedTailTests.logger,
      readHead: { try await pool.query(AlertFeed.head).scalar(Int64.self) ?? 0 },
      readAfter: { after, limit in try await pool.query(AlertFeed.tail(after: after, limit: limit)).decode(AlertRow.self) }
    )
  }

  /// The alert feed for the shared-tail scenarios.
  static func scenario(_ pool: StorePool, unit: Int64) -> TailScenario<AlertRow> {
    let filter = AlertFilter(range: UnitScope.everything.sqlRange, levels: [], caseKinds: [], kinds: [])
    return TailScenario(
      tail: { Self.tail(pool, window: $0, batch: $1) },
      page: { try await pool.query(filter.page(after: $0, limit: $1)).decode(AlertRow.self) },
      write: { try await FeedAlerts.write(pool, unitID: unit, count: $0, from: $1) },
      all: { try await FeedAlerts.all(pool) }
    )
  }

  @Test("a subscriber with an old cursor catches up from the database while alerts are written, then reads the tail, each alert once")
  func seam() async throws {
    try await CaseFixture.with { f in try await Self.scenario(f.pool, unit: try #require(f.units["CTR"]).id).seam() }
  }

  @Test("a WatchAlerts subscriber slower than the window falls back to the database, never holds the reader back, and still gets every alert once")
  func slowSubscriber() async throws {
    try await CaseFixture.with { f in try await Self.scenario(f.pool, unit: try #require(f.units["CTR"]).id).slowSubscriber() }
  }

  @Test("many WatchAlerts subscribers with different scopes, units, levels, kinds and case kinds get exactly what the SQL page gives, in order, once")
  func manySubscribersMatchSQL() async throws {
    try await CaseFixture.with { f in
      let unit = try #require(f.units["CTR"]).id
      try await FeedAlerts.write(f.pool, unitID: unit, count: 60)
      let middle = try #require(try await FeedAlerts.all(f.pool).last)
      // A small window, so that some subscribers fall behind it while the alerts pour in.
      let listener = FeedListener(store: f.pool, logger: FeedTailTests.logger, alertWindow: 40)
      let service = SupervisionService(store: f.pool, feeds: listener)
      let principals = [f.supervisor, f.principal("sup-ctr", "CTR", [.supervisor]), f.principal("sup-s01", "S01", [.supervisor])]
      var filters: [Civicgrid_V1_AlertFilter] = []
      var all = Civicgrid_V1_AlertFilter()
      filters.append(all)
      all.levels = [.red, .overdue]
      filters.append(all)
      all = Civicgrid_V1_AlertFilter()
      all.kinds = [.warning, .notice]
      filters.append(all)
      all = Civicgrid_V1_AlertFilter()
      all.caseKinds = ["dispute", "serviceApplication"]
      filters.append(all)
      all.levels = [.yellow]
      all.kinds = [.warning, .urge]
      filters.append(all)
      var requests: [(principal: Principal, request: Civicgrid_V1_WatchAlertsRequest)] = []
      for after in [Int64(0), middle] {
        for principal in principals {
          for filter in filters {
            var request = Civicgrid_V1_WatchAlertsRequest()
            request.after = after
            request.filter = filter
            requests.append((principal, request))
          }
        }
        // A unit's subtree within the district supervisor's scope.
        for code in ["CTR", "S01"] {
          var request = Civicgrid_V1_WatchAlertsRequest()
          request.after = after
          request.filter.unitCode = code
          requests.append((f.supervisor, request))
        }
      }
      var subscriptions: [(principal: Principal, request: Civicgrid_V1_WatchAlertsRequest, writer: AlertWriterProbe)] = []
      for _ in 0..<3 {
        for (principal, request) in requests { subscriptions.append((principal, request, AlertWriterProbe(budget: .max))) }
      }
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        for (principal, request, writer) in subscriptions {
          group.addTask {
            _ = await rpcCode { try await f.call(principal) { try await service.watchAlerts(request: request, response: RPCWriter(wrapping: writer), context: $0) } }
          }
        }
        try await FeedTailTests.wait { listener.subscriberCount == subscriptions.count }
        #expect(listener.subscriberCount == subscriptions.count)
        try await FeedAlerts.write(f.pool, unitID: unit, count: 150, from: 60)
        let last = try #require(try await FeedAlerts.all(f.pool).last)

        var expected: [[Int64]] = []
        for (principal, request, _) in subscriptions {
          let range = request.filter.unitCode.isEmpty ? principal.scope.sqlRange : UnitScope.subtree(try #require(f.units[request.filter.unitCode]).path).sqlRange
          let filter = AlertFilter(
            range: range, levels: request.filter.levels.map { Self.levels[$0]! }, caseKinds: request.filter.caseKinds,
            kinds: request.filter.kinds.map { Self.kinds[$0]! }
          )
          expected.append(try await f.pool.query(filter.page(after: request.after, limit: 100_000)).decode(AlertRow.self).map(\.sequence))
        }
        try await FeedTailTests.wait {
          listener.alerts.bounds?.head == last && zip(subscriptions, expected).allSatisfy { $0.0.writer.received.last == $0.1.last }
        }
        var wrong = 0
        for ((principal, request, writer), expected) in zip(subscriptions, expected) where writer.received != expected {
          wrong += 1
          Issue.record("\(principal.unitPath) \(request.filter) after \(request.after): \(writer.received.count) alerts, expected \(expected.count)")
        }
        #expect(wrong == 0)
        #expect(expected.contains { !$0.isEmpty } && Set(expected.map(\.count)).count > 8, "the filters differ")
        group.cancelAll()
      }
      #expect(listener.subscriberCount == 0)
    }
  }
}
