import CivicRepositories
import CivicServices
import CivicStore
import Testing

/// The alert feed's filter decides the same in memory (`AlertFilter.admits`, the shared alert
/// tail) as in SQL (`AlertFilter.page`, the database path), on the same rows of a real database.
@Suite("Alert filter", .serialized, .timeLimit(.minutes(5)))
struct AlertFilterTests {
  @Test("admits matches the SQL page row for row, over scopes, levels, case kinds and kinds")
  func inMemoryMatchesSQL() async throws {
    try await CaseFixture.with { f in
      try await FeedAlerts.write(f.pool, unitID: try #require(f.units["CTR"]).id, count: 300)
      let rows = try await f.pool.query(AlertFeed.tail(after: 0, limit: 100_000)).decode(AlertRow.self)
      #expect(rows.count == 300)
      #expect(rows.allSatisfy { $0.unitCode == "CTR" })

      let scopes = [UnitScope.everything] + ["/D01/", "/D01/CTR/", "/D01/S01/", "/D02/", "/D01/CTR/\u{E9}/"].map(UnitScope.subtree)
      let levels = [[], ["red"], ["green", "overdue"], ["nothing"]]
      let caseKinds = [[], ["dispute"], ["caf\u{E9}"], ["cafe\u{301}", ""]]
      let kinds = [[], ["warning"], ["urge", "notice"], ["targetMissed"]]
      var compared = 0
      var sizes = Set<Int>()
      for scope in scopes {
        for levels in levels {
          for caseKinds in caseKinds {
            for kinds in kinds {
              let filter = AlertFilter(range: scope.sqlRange, levels: levels, caseKinds: caseKinds, kinds: kinds)
              let sql = try await f.pool.query(filter.page(after: 0, limit: 100_000)).decode(AlertRow.self).map(\.sequence)
              let memory = rows.filter(filter.admits).map(\.sequence)
              #expect(memory == sql, "scope \(scope.sqlRange), levels \(levels), case kinds \(caseKinds.map { Array($0.unicodeScalars) }), kinds \(kinds)")
              compared += 1
              sizes.insert(sql.count)
            }
          }
        }
      }
      #expect(compared == 6 * 4 * 4 * 4)
      #expect(sizes.count > 10 && sizes.contains(0) && sizes.contains(rows.count), "the filters differ")
    }
  }
}
