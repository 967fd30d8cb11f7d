import CivicRepositories
import CivicServices
import CivicStore
import Testing

/// The feed's filter decides the same in memory (`CaseEventFilter.admits`, the shared tail)
/// as in SQL (`CaseEventFilter.page`, the database path), on the same rows of a real database.
@Suite("Case event filter", .serialized, .timeLimit(.minutes(5)))
struct CaseEventFilterTests {
  @Test("admits matches the SQL page row for row, over scopes, cases, items and kinds")
  func inMemoryMatchesSQL() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      for _ in 0..<2 { _ = try await f.submitAndAccept() }
      let cases = try await f.pool.query("SELECT id FROM cases ORDER BY id").decode(Int64.self)
      try await FeedEvents.write(f.pool, cases: cases, count: 120)
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: .seconds(60)))
      let rows = try await f.pool.query(CaseEventFeed.tail(after: 0, limit: 100_000)).decode(CaseEventRow.self)
      #expect(rows.count > 120)

      let ranges = [UnitScope.everything] + ["/D01/", "/D01/CTR/", "/D01/S01/", "/D02/", "/D01/CTR/\u{E9}/"].map(UnitScope.subtree)
      var compared = 0
      for scope in ranges {
        for caseID in [Int64(0), cases[1]] {
          for item in [""] + FeedEvents.items {
            for kinds in [[], ["x-note"], ["submitted", "x-other"], ["nothing"]] {
              let filter = CaseEventFilter(range: scope.sqlRange, caseID: caseID, itemCode: item, kinds: kinds)
              let sql = try await f.pool.query(filter.page(after: 0, limit: 100_000)).decode(CaseEventRow.self).map(\.sequence)
              let memory = rows.filter(filter.admits).map(\.sequence)
              #expect(memory == sql, "scope \(scope.sqlRange), case \(caseID), item \(Array(item.unicodeScalars)), kinds \(kinds)")
              compared += 1
            }
          }
        }
      }
      #expect(compared == 6 * 2 * 5 * 4)
    }
  }
}
