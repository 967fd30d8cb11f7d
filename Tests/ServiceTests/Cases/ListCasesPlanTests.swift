import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import Testing

@testable import CivicServices

/// The unfiltered ListCases page (`CaseRepository.list`), against a scratch PostgreSQL database
/// holding tens of thousands of cases: PostgreSQL plans its statement once per connection and
/// keeps that plan (a generic plan), where `LIMIT $n` had it re-planned on every call, and it
/// selects exactly what the filtered form of the statement selects (docs/BENCHMARKS.md,
/// "ListCases planned once").
@Suite("ListCases: the unfiltered page planned once per connection", .serialized, .timeLimit(.minutes(5)))
struct ListCasesPlanTests {
  static let copies = 30_000

  /// One accepted case (tasks at CIVIL, HR and FIN; received at CTR), then `copies` copies of
  /// its row without tasks, numbered above it.
  static func cases(_ f: CaseFixture) async throws {
    try await f.publishItem()
    _ = try await f.submitAndAccept()
    let columns = try await f.pool.query(
      """
      SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'cases' AND column_name <> 'id' AND is_generated = 'NEVER'
      """
    ).scalar(String.self) ?? ""
    let copy = SQLQuery(
      unsafeSQL: """
        INSERT INTO cases (id, \(columns)) SELECT g, \(columns) FROM cases, generate_series(1000, \(999 + Self.copies)) g WHERE cases.id = 1
        """
    )
    _ = try await f.pool.withConnection { try await $0.query(copy, prepare: false) }
  }

  /// The ids `filter` selects, after running its statement `times` times on one connection.
  static func run(_ filter: CaseListFilter, times: Int, on connection: StoreConnection) async throws -> [Int64] {
    var ids: [Int64] = []
    for _ in 0..<times { ids = try await CaseRepository(connection).list(filter).map(\.id) }
    return ids
  }

  @Test("after the first executions every further call of the unfiltered page runs PostgreSQL's generic plan, for a whole-tree, a subtree and a task-only scope")
  func plannedOnce() async throws {
    try await CaseFixture.with { f in
      try await Self.cases(f)
      let plans = try await f.pool.withConnection { connection in
        for principal in [f.admin, f.clerk, f.handler("CIVIL")] {
          let page = CaseListFilter(range: principal.scope.sqlRange, before: .max, limit: 51)
          _ = try await Self.run(page, times: 10, on: connection)
        }
        return try await connection.query(
          """
          SELECT generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE '%FROM cases c%ORDER BY c.id DESC LIMIT%' AND statement NOT LIKE '%pg_prepared_statements%'
          """
        ).decode((Int64, Int64).self)
      }
      #expect(plans.count == 1, "one statement for every scope: \(plans)")
      // PostgreSQL always plans the first five executions for their values.
      #expect(plans.first.map { $0.0 >= 25 && $0.1 <= 5 } == true, "generic, custom: \(plans)")
    }
  }

  @Test("the unfiltered page selects what the filtered statement selects, for every scope and for a first, a deep and a past-the-end page")
  func sameRows() async throws {
    try await CaseFixture.with { f in
      try await Self.cases(f)
      try await f.pool.withConnection { connection in
        for principal in [f.admin, f.clerk, f.handler("CIVIL"), f.handler("HR")] {
          for before: Int64 in [.max, 1500, 2, 1] {
            let page = CaseListFilter(range: principal.scope.sqlRange, before: before, limit: 51)
            // A filter every case passes: the other statement, the one that was used for all.
            var filtered = page
            filtered.submittedFrom = 0
            #expect(!filtered.isUnfiltered && page.isUnfiltered)
            let ids = try await Self.run(page, times: 1, on: connection)
            #expect(ids == (try await Self.run(filtered, times: 1, on: connection)), "\(principal.unitCode) before \(before)")
            if principal.unitCode == "CIVIL" {
              #expect(ids == (before > 1 ? [1] : []), "seen through its task only")
            } else if principal.unitCode != "HR" && before == .max {
              #expect(ids.count == 51 && ids.first == Int64(999 + Self.copies))
            }
          }
        }
      }
    }
  }
}
