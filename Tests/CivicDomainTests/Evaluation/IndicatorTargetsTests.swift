import CivicDomain
import Testing

@Suite("Indicator targets", .timeLimit(.minutes(1)))
struct IndicatorTargetsTests {
  func figure(_ indicator: Indicator, _ value: Double?) -> Figure {
    Figure(indicator: indicator, numerator: value ?? 0, denominator: value == nil ? 0 : 1, value: value, drill: [])
  }

  @Test("the plan's targets: a figure below its at-least target misses it; not applicable misses nothing; untargeted indicators never miss")
  func plan() {
    let targets = IndicatorTargets.plan
    #expect(targets.targets.map(\.indicator) == [.acceptanceRate, .onTimeCompletionRate, .disputeResolutionRate])
    let misses = targets.misses([
      figure(.acceptanceRate, 1), figure(.onTimeCompletionRate, 0.9999), figure(.disputeResolutionRate, 0.95),
      figure(.satisfactionRate, 0.1), figure(.agreementFulfilmentRate, nil),
    ])
    #expect(misses.map(\.target.indicator) == [.onTimeCompletionRate])
    #expect(targets.misses([figure(.disputeResolutionRate, 0.9499)]).count == 1)
    #expect(targets.misses([figure(.onTimeCompletionRate, nil)]).isEmpty)
    #expect(targets.target(for: .disputeResolutionRate)?.display == "≥ 95.00%")
  }

  @Test("an at-most target on a count")
  func atMost() throws {
    let targets = try IndicatorTargets(version: 2, targets: [.init(indicator: .overdueCount, comparison: .atMost, threshold: 2)])
    #expect(targets.misses([figure(.overdueCount, 2)]).isEmpty)
    #expect(targets.misses([figure(.overdueCount, 3)]).count == 1)
    #expect(targets.targets[0].display == "≤ 2")
  }

  @Test("bad targets name the field")
  func validation() {
    func field(version: Int = 1, _ targets: [IndicatorTargets.Target]) -> String? {
      do {
        _ = try IndicatorTargets(version: version, targets: targets)
      } catch {
        if case .invalidField(let name, _) = error { return name }
      }
      return nil
    }
    #expect(field(version: 0, []) == "version")
    #expect(
      field([
        .init(indicator: .acceptanceRate, comparison: .atLeast, threshold: 1),
        .init(indicator: .acceptanceRate, comparison: .atLeast, threshold: 0.9),
      ])
        == "targets[1].indicator"
    )
    #expect(field([.init(indicator: .acceptanceRate, comparison: .atLeast, threshold: 95)]) == "targets[0].threshold")
    #expect(field([.init(indicator: .urgeCount, comparison: .atMost, threshold: -1)]) == "targets[0].threshold")
    #expect(field([.init(indicator: .urgeCount, comparison: .atMost, threshold: 3)]) == nil)
  }
}
