import CivicDomain
import Testing

/// Which units a target check recomputes, as pure values.
@Suite("Target check plan", .timeLimit(.minutes(1)))
struct TargetCheckPlanTests {
  static let start = at("2026-11-20 09:00")

  static func plan(after previous: TargetCheckPlan.Watermark?, period: String = "2026-11", targets: Int = 1, sequence: Int64, minutes: Int)
    -> TargetCheckPlan
  {
    TargetCheckPlan(
      previous: previous, period: period, targetsVersion: targets, eventSequence: sequence,
      now: start.adding(seconds: minutes * 60), fullEverySeconds: 3600
    )
  }

  @Test("the first check, a new month, new targets, an hour on or a shorter feed recompute everything")
  func everything() {
    let first = Self.plan(after: nil, sequence: 10, minutes: 0)
    #expect(first.scope == .everything && first.watermark.eventSequence == 10 && first.watermark.fullAt == Self.start)
    let mark = first.watermark
    #expect(Self.plan(after: mark, period: "2026-12", sequence: 10, minutes: 10).scope == .everything)
    #expect(Self.plan(after: mark, targets: 2, sequence: 10, minutes: 10).scope == .everything)
    #expect(Self.plan(after: mark, sequence: 10, minutes: 60).scope == .everything)
    #expect(Self.plan(after: mark, sequence: 9, minutes: 10).scope == .everything, "a restored database starts again")
  }

  @Test("in between: nothing without new events, else the units above what changed; the full check's time is kept")
  func between() {
    let mark = Self.plan(after: nil, sequence: 10, minutes: 0).watermark
    let quiet = Self.plan(after: mark, sequence: 10, minutes: 59)
    #expect(quiet.scope == .nothing && quiet.watermark.fullAt == Self.start)
    let changed = Self.plan(after: quiet.watermark, sequence: 14, minutes: 59)
    #expect(changed.scope == .changedSince(10) && changed.watermark.eventSequence == 14 && changed.watermark.fullAt == Self.start)
    let all = ["/D/", "/D/S1/", "/D/S1/C1/", "/D/S1/C2/", "/D/S2/", "/D/DEPT/"]
    #expect(TargetCheckPlan.units(all, above: ["/D/S1/C1/", "/D/DEPT/"]) == ["/D/", "/D/S1/", "/D/S1/C1/", "/D/DEPT/"])
    #expect(TargetCheckPlan.units(all, above: []).isEmpty)
  }
}
