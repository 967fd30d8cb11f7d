import CivicDomain
import Testing

/// The field-event indicators against a hand-worked fixture (docs/METRICS.md, "Field events").
@Suite("Field event indicators", .timeLimit(.minutes(1)))
struct FieldEventIndicatorsTests {
  static func t(_ seconds: Int) -> Instant { Instant(secondsSinceEpoch: seconds) }
  static let window = t(1000)..<t(2000)
  static let asOf = t(1800)
  static let street = UnitSelector(path: "/D/S1/", subtree: true)
  static let grid = UnitSelector(path: "/D/S1/C1/G1/", subtree: false)

  static let facts: [FieldEventIndicators.Fact] = [
    // Routed, due and handled in the period, on time.
    .init(caseID: 1, gridPath: "/D/S1/C1/G1/", category: .safetyHazard, reportedAt: t(1010), dueAt: t(1500), handledAt: t(1400)),
    // Routed, due in the period, handled late.
    .init(caseID: 2, gridPath: "/D/S1/C1/G1/", category: .facilities, reportedAt: t(1020), dueAt: t(1300), handledAt: t(1350)),
    // Routed, due in the period and past by asOf, not handled: overdue.
    .init(caseID: 3, gridPath: "/D/S1/C1/G2/", category: .urbanManagement, reportedAt: t(1030), dueAt: t(1600)),
    // Routed, due in the period but after asOf, not handled: not yet owed.
    .init(caseID: 4, gridPath: "/D/S1/C1/G1/", category: .environment, reportedAt: t(1040), dueAt: t(1900)),
    // Handled on the spot in the period: no deadline.
    .init(caseID: 5, gridPath: "/D/S1/C1/G1/", category: .environment, reportedAt: t(1050), handledAt: t(1060), selfHandled: true),
    // Reported before the period, due and handled in it, on time.
    .init(caseID: 6, gridPath: "/D/S1/C2/G1/", category: .other, reportedAt: t(900), dueAt: t(1100), handledAt: t(1090)),
    // Another street.
    .init(caseID: 7, gridPath: "/D/S2/C1/G1/", category: .other, reportedAt: t(1100), handledAt: t(1110), selfHandled: true),
    // Reported after asOf: not yet known.
    .init(caseID: 8, gridPath: "/D/S1/C1/G1/", category: .other, reportedAt: t(1850), handledAt: t(1860), selfHandled: true),
    // Forwarded to requests: reported only.
    .init(caseID: 9, gridPath: "/D/S1/C1/G1/", category: .citizenRequest, reportedAt: t(1200)),
    // Due after the period (handled in it, on time): belongs to the period it is due in.
    .init(caseID: 10, gridPath: "/D/S1/C1/G1/", category: .facilities, reportedAt: t(1300), dueAt: t(2100), handledAt: t(1700)),
  ]

  @Test("events reported in the period by asOf, per grid and per street subtree, noted by category")
  func reported() {
    let street = FieldEventIndicators.reported(Self.facts, for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(street.map(\.caseID) == [1, 2, 3, 4, 5, 9, 10])
    #expect(street.first?.note == "safetyHazard")
    let grid = FieldEventIndicators.reported(Self.facts, for: Self.grid, in: Self.window, asOf: Self.asOf)
    #expect(grid.map(\.caseID) == [1, 2, 4, 5, 9, 10])
    let later = FieldEventIndicators.reported(Self.facts, for: Self.grid, in: Self.window, asOf: Self.t(2500))
    #expect(later.map(\.caseID) == [1, 2, 4, 5, 8, 9, 10], "case 8 is known once asOf passes its report")
  }

  @Test("on-time handling: routed events due in the period (past due by asOf, or handled) handled by their deadline: 2 of 4 on the street")
  func onTime() {
    let rows = FieldEventIndicators.onTime(Self.facts, for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(rows.map(\.caseID) == [1, 2, 3, 6])
    #expect(rows.map(\.counted) == [true, false, false, true])
    #expect(rows.map(\.note) == [
      "safetyHazard: handled on time", "facilities: handled late", "urbanManagement: not handled, overdue", "other: handled on time",
    ])
    let figures = IndicatorSet.compute(IndicatorInputs(fieldEvents: Self.facts), for: Self.street, in: Self.window, asOf: Self.asOf)
    let rate = figures.first { $0.indicator == .fieldEventOnTimeRate }
    #expect(rate?.numerator == 2 && rate?.denominator == 4 && rate?.value == 0.5 && rate?.display == "50.00%")
    let none = FieldEventIndicators.onTime([], for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(none.isEmpty)
    let empty = IndicatorSet.compute(IndicatorInputs(), for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(empty.first { $0.indicator == .fieldEventOnTimeRate }?.value == nil, "not applicable, never 0 % or 100 %")
  }

  @Test("self-handled share: of the events handled in the period by asOf, those handled on the spot: 1 of 5 on the street")
  func selfHandledShare() {
    let rows = FieldEventIndicators.selfHandled(Self.facts, for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(rows.map(\.caseID) == [1, 2, 5, 6, 10])
    #expect(rows.map(\.counted) == [false, false, true, false, false])
    let figures = IndicatorSet.compute(IndicatorInputs(fieldEvents: Self.facts), for: Self.street, in: Self.window, asOf: Self.asOf)
    let share = figures.first { $0.indicator == .fieldEventSelfHandledShare }
    #expect(share?.numerator == 1 && share?.denominator == 5 && share?.value == 0.2)
    let count = figures.first { $0.indicator == .fieldEventCount }
    #expect(count?.value == 7 && count?.display == "7" && count?.drill.count == 7)
    #expect(figures.count == Indicator.allCases.count)
  }
}
