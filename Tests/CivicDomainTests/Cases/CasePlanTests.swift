import Testing

@testable import CivicDomain

@Suite("Case plans", .timeLimit(.minutes(1)))
struct CasePlanTests {
  @Test("dispatching a hand-made plan with a zero limit is refused, not a crash")
  func zeroLimitPlan() throws {
    var c = try submitted().run(.accept, "2026-03-02 10:15").case
    c.plan = CasePlan(item: c.item, stages: [StagePlan(units: ["police"], limit: .workingDays(0))])
    #expect(throws: DomainError.invalidField("limit", "must be at least 1, got 0 working days")) {
      try c.run(.dispatch, "2026-03-02 10:30")
    }
  }
}
