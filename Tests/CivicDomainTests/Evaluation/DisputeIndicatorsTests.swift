import CivicDomain
import Testing

/// The dispute indicators against a hand-worked fixture (docs/METRICS.md, "Dispute indicators").
@Suite("Dispute indicators", .timeLimit(.minutes(1)))
struct DisputeIndicatorsTests {
  static func t(_ seconds: Int) -> Instant { Instant(secondsSinceEpoch: seconds) }
  static let window = t(1000)..<t(2000)
  static let asOf = t(1800)
  static let street = UnitSelector(path: "/D/S1/", subtree: true)

  static let closings: [DisputeIndicators.Closing] = [
    .init(caseID: 1, unitPath: "/D/S1/C1/", result: .resolved, closedAt: t(1100)),  // resolved: counted
    .init(caseID: 2, unitPath: "/D/S1/", result: .notResolved, closedAt: t(1200)),  // concluded, not resolved
    .init(caseID: 3, unitPath: "/D/S1/", result: .withdrawn, closedAt: t(1300)),  // not concluded: neither
    .init(caseID: 4, unitPath: "/D/S1/", result: .referredOut, closedAt: t(1400)),  // not concluded: neither
    .init(caseID: 5, unitPath: "/D/S1/C2/", result: .resolved, closedAt: t(1900)),  // after asOf: not yet known
    .init(caseID: 6, unitPath: "/D/S2/", result: .resolved, closedAt: t(1100)),  // another subtree
    .init(caseID: 7, unitPath: "/D/S1/", result: .resolved, closedAt: t(999)),  // before the period
    .init(caseID: 8, unitPath: "/D/S1/C1/", result: .resolved, closedAt: t(1500)),  // resolved: counted
  ]

  @Test("resolution rate: resolved ÷ (resolved + not resolved) closed in the period by asOf; withdrawn and referred out count in neither")
  func resolutionRate() {
    let rate = DisputeIndicators.resolutionRate(Self.closings, for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(rate.drill.map(\.caseID) == [1, 2, 8])
    #expect(rate.drill.map(\.counted) == [true, false, true])
    #expect(rate.numerator == 2 && rate.denominator == 3)
    #expect(rate.value == 0.6667)
    let unit = DisputeIndicators.resolutionRate(Self.closings, for: UnitSelector(path: "/D/S1/", subtree: false), in: Self.window, asOf: Self.asOf)
    #expect(unit.drill.map(\.caseID) == [2] && unit.value == 0)
    let later = DisputeIndicators.resolutionRate(Self.closings, for: Self.street, in: Self.window, asOf: Self.t(2500))
    #expect(later.value == 0.75, "case 5 is known once asOf passes its closing: 3 of 4")
    let none = DisputeIndicators.resolutionRate([], for: Self.street, in: Self.window, asOf: Self.asOf)
    #expect(none.value == nil, "not applicable, never 0 % or 100 %")
  }

  @Test("fulfilment rate: fulfilled ÷ followed up in the period; the period's end is exclusive")
  func fulfilmentRate() {
    let followUps: [DisputeIndicators.FollowUp] = [
      .init(caseID: 1, task: 2, unitPath: "/D/S1/", fulfilled: true, at: Self.t(1100)),
      .init(caseID: 1, task: 1, unitPath: "/D/S1/", fulfilled: false, at: Self.t(1100)),
      .init(caseID: 8, task: 1, unitPath: "/D/S1/C1/", fulfilled: true, at: Self.t(1700)),
      .init(caseID: 9, task: 1, unitPath: "/D/S1/", fulfilled: true, at: Self.t(2000)),
    ]
    let rate = DisputeIndicators.fulfilmentRate(followUps, for: Self.street, in: Self.window, asOf: Self.t(3000))
    #expect(rate.drill.map(\.caseID) == [1, 1, 8])
    #expect(rate.drill.map(\.counted) == [false, true, true])
    #expect(rate.value == 0.6667)
  }
}
