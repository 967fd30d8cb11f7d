import CivicDomain
import Foundation
import Testing

@Suite("CaseClocks: the part of a case its warning levels depend on", .timeLimit(.minutes(1)))
struct CaseClocksTests {
  @Test("decoded from a whole snapshot or from just its clocks, it gives the case's own warnings at every hour")
  func sameWarnings() throws {
    // Tasks 1 and 2 dispatched; task 1 approved, so only task 2 and the case clock run.
    let value = try submitted().dispatched().approved(1, "2026-03-02 11:00")
    let fromSnapshot = try JSONDecoder().decode(CaseClocks.self, from: try JSONEncoder().encode(value))
    let fromClocks = try JSONDecoder().decode(CaseClocks.self, from: try JSONEncoder().encode(CaseClocks(value)))
    #expect(fromSnapshot == CaseClocks(value))
    #expect(fromClocks == CaseClocks(value))
    var instant = at("2026-03-02 11:00")
    var levels = Set<WarningLevel>()
    for _ in 0..<(24 * 14) {
      let expected = try value.warnings(at: instant, in: china)
      #expect(try fromSnapshot.warnings(at: instant, in: china) == expected)
      #expect(expected.tasks.keys.sorted() == [2], "only the open task has a level")
      levels.formUnion([expected.case?.level, expected.tasks[2]?.level].compactMap { $0 })
      instant = instant.adding(seconds: hour)
    }
    #expect(levels == Set(WarningLevel.allCases), "the walk crosses every level")
  }
}
