import CivicDomain
import Testing

/// The training indicator (docs/METRICS.md, indicator 17) against a hand-worked fixture.
@Suite("Grid training indicator", .timeLimit(.minutes(1)))
struct GridTrainingIndicatorTests {
  static let day = 86_400
  static func t(_ days: Int) -> Instant { Instant(secondsSinceEpoch: days * Self.day) }
  /// A 31-day period (a month: 2 hours owed), known up to day 20.
  static let window = t(100)..<t(131)
  static let asOf = t(120)
  static let workers: [GridTrainingIndicator.Worker] = [
    .init(login: "gw-a", unitPath: "/D/S1/C1/G1/"), .init(login: "gw-b", unitPath: "/D/S1/C1/G1/"),
    .init(login: "gw-c", unitPath: "/D/S1/C1/G2/"), .init(login: "gw-d", unitPath: "/D/S2/C1/G1/"),
  ]
  static let sessions: [GridTrainingIndicator.Session] = [
    .init(login: "gw-a", takenAt: t(101), hours: 1.5), .init(login: "gw-a", takenAt: t(110), hours: 1),  // 2.5 h: trained
    .init(login: "gw-b", takenAt: t(99), hours: 4),  // before the period
    .init(login: "gw-b", takenAt: t(105), hours: 1.5),  // 1.5 h: short
    .init(login: "gw-b", takenAt: t(125), hours: 3),  // after asOf: not yet known
    .init(login: "gw-c", takenAt: t(100), hours: 2),  // exactly the norm, on the period's first day
    .init(login: "gw-d", takenAt: t(102), hours: 8),  // another street
    .init(login: "gw-x", takenAt: t(102), hours: 8),  // not a grid worker (any more)
  ]

  @Test("the norm: 24 hours a year pro rata, to the nearest half hour (week 0.5, month 2, quarter 6, year 24)")
  func norm() {
    #expect([7, 28, 30, 31, 90, 92, 365, 366, 0].map(GridTrainingIndicator.requiredHours(days:)) == [0.5, 2, 2, 2, 6, 6, 24, 24, 0.5])
    #expect(GridTrainingIndicator.requiredHours(in: Self.window) == 2)
  }

  @Test("per grid 1 of 2 trained, per street subtree 2 of 3; one row per worker with their hours, no case")
  func trained() {
    let grid = GridTrainingIndicator.trained(
      Self.workers, sessions: Self.sessions, for: UnitSelector(path: "/D/S1/C1/G1/", subtree: false), in: Self.window, asOf: Self.asOf
    )
    #expect(grid.map(\.counted) == [true, false])
    #expect(grid.map(\.note) == ["gw-a: 2.5 of 2.0 training hours", "gw-b: 1.5 of 2.0 training hours"])
    #expect(grid.allSatisfy { $0.caseID == 0 })
    let street = GridTrainingIndicator.trained(
      Self.workers, sessions: Self.sessions, for: UnitSelector(path: "/D/S1/", subtree: true), in: Self.window, asOf: Self.asOf
    )
    #expect(street.map(\.note) == ["gw-a: 2.5 of 2.0 training hours", "gw-b: 1.5 of 2.0 training hours", "gw-c: 2.0 of 2.0 training hours"])
    let inputs = IndicatorInputs(gridWorkers: Self.workers, trainingSessions: Self.sessions)
    let figure = IndicatorSet.compute(inputs, for: UnitSelector(path: "/D/S1/", subtree: true), in: Self.window, asOf: Self.asOf)
      .first { $0.indicator == .gridTrainingRate }
    #expect(figure?.numerator == 2 && figure?.denominator == 3 && figure?.value == 0.6667 && figure?.display == "66.67%")
    let none = IndicatorSet.compute(inputs, for: UnitSelector(path: "/D/S9/", subtree: true), in: Self.window, asOf: Self.asOf)
      .first { $0.indicator == .gridTrainingRate }
    #expect(none?.value == nil && none?.display == "—")
  }

  @Test("a scheme weighing the training rate scores it in basic work; a rate that does not apply neither earns nor loses")
  func assessed() throws {
    let scheme = try AssessmentScheme(
      version: 3, name: "网格工作",
      basicWork: [.init(indicator: .gridTrainingRate, points: 10), .init(indicator: .acceptanceRate, points: 60)],
      socialEvaluationPoints: 30, pointsPerListedOrder: 2, pointsPerCriticism: 3, penaltyCap: 20
    )
    let inputs = IndicatorInputs(gridWorkers: Self.workers, trainingSessions: Self.sessions)
    let figures = IndicatorSet.compute(inputs, for: UnitSelector(path: "/D/S1/C1/G1/", subtree: true), in: Self.window, asOf: Self.asOf)
    let score = scheme.score(figures, penalties: Penalties())
    #expect(score.basicWork == 35 && score.socialEvaluation == 30 && score.total == 65 && !score.noData)
  }
}
