import CivicProtos
import CivicStore
import Foundation
import SwiftProtobuf
import Testing

@testable import CivicServices

/// A calendar change recomputes the stored deadlines of open cases from their stored clocks
/// (`cases.clocks`), in one statement per table (`DeadlineRecomputation`).
@Suite("Deadline recomputation on a calendar change", .serialized, .timeLimit(.minutes(5)))
struct DeadlineRecomputationTests {
  /// Stored running deadlines, seconds since the epoch: the case's, then its tasks' by number.
  static func stored(_ pool: StorePool, _ id: Int64) async throws -> [Int?] {
    let rows = try await pool.query(
      """
      SELECT extract(epoch FROM deadline)::bigint, 0 AS number FROM cases WHERE id = \(id)
      UNION ALL SELECT extract(epoch FROM deadline)::bigint, number FROM case_tasks WHERE case_id = \(id) ORDER BY number
      """
    ).rows
    return try rows.map { try $0.decode(Int?.self, at: 0) }
  }

  /// The deadlines GetCase computes now from the current calendar, in the same order.
  static func computed(_ c: Civicgrid_V1_Case) -> [Int?] {
    [c.clock.hasDeadline ? Int(c.clock.deadline.seconds) : nil]
      + c.tasks.map { $0.clock.hasDeadline ? Int($0.clock.deadline.seconds) : nil }
  }

  @Test(
    "a holiday on the case's deadline day moves the stored case deadline (and the tasks' that fall on it), and the count says how many moved"
  )
  func holidayMovesStoredDeadlines() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let id = try CaseNumber.parse(accepted.id)
      let get = { try await f.call(f.admin) { try await f.cases.getCase(request: .with { $0.caseID = accepted.id }, context: $0) } }
      let before = try await get()
      #expect(try await Self.stored(f.pool, id) == Self.computed(before), "the writer stored what GetCase computes")
      // The deadline's local date in Beijing time (UTC+8) becomes a holiday.
      let formatter = DateFormatter()
      formatter.dateFormat = "yyyy-MM-dd"
      formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)
      let day = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(before.clock.deadline.seconds)))
      let calendar = try await f.call(f.admin) { try await f.calendar.getCalendar(request: .init(), context: $0) }
      let change = try await f.call(f.admin) {
        try await f.calendar.setDay(
          request: .with {
            $0.day = .with {
              $0.date = day
              $0.kind = .holiday
              $0.name = "test holiday"
            }
            $0.expectedVersion = calendar.version
          },
          context: $0
        )
      }
      let after = try await get()
      let stored = try await Self.stored(f.pool, id)
      #expect(stored == Self.computed(after), "the stored deadlines are the new calendar's")
      #expect(stored[0] != Self.computed(before)[0], "the case deadline moved")
      let moved = zip(Self.computed(before), stored).filter { $0.0 != $0.1 }.count
      #expect(Int(change.recomputedDeadlines) == moved)
    }
  }
}
