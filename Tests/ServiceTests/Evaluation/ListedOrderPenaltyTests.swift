import CivicDomain
import CivicProtos
import Testing

@testable import CivicServices

/// The listed-order penalty counts an order in the period it was listed in (issued listed, or
/// escalated), not by its level now (docs/METRICS.md, assessment inputs). Orders are issued and
/// escalated through the real Supervision service on the fixture's clock.
@Suite("Evaluation: listed orders by the time they were listed", .serialized, .timeLimit(.minutes(5)))
struct ListedOrderPenaltyTests {
  typealias F = EvaluationFixture

  /// Issues an order to `unit` at the clock's time.
  static func issue(_ f: F, _ s: SupervisionService, to unit: String, level: Civicgrid_V1_OrderLevel) async throws -> Civicgrid_V1_Order {
    var request = Civicgrid_V1_IssueOrderRequest()
    request.title = "Backlog at \(unit)"
    request.requirement = "Clear it and report"
    request.unitCode = unit
    request.level = level
    request.replyWorkingDays = 2
    return try await f.call(f.base.supervisor) { try await s.issueOrder(request: request, context: $0) }
  }

  /// The unit acknowledges and replies at once; at `rejectedAt` the supervisor rejects the
  /// reply, which escalates the order.
  static func replyThenReject(_ f: F, _ s: SupervisionService, _ order: Civicgrid_V1_Order, rejectedAt: Instant) async throws
    -> Civicgrid_V1_Order
  {
    let handler = f.base.handler(order.unitCode)
    var acknowledge = Civicgrid_V1_OrderRequest()
    acknowledge.orderID = order.id
    acknowledge.expectedVersion = order.version
    let acknowledged = try await f.call(handler) { try await s.acknowledgeOrder(request: acknowledge, context: $0) }
    var reply = Civicgrid_V1_ReplyOrderRequest()
    reply.orderID = order.id
    reply.expectedVersion = acknowledged.version
    reply.reply = "Done"
    let replied = try await f.call(handler) { try await s.replyOrder(request: reply, context: $0) }
    f.clock.set(rejectedAt)
    var verify = Civicgrid_V1_VerifyOrderRequest()
    verify.orderID = order.id
    verify.expectedVersion = replied.version
    verify.note = "no evidence"
    return try await f.call(f.base.supervisor) { try await s.verifyOrder(request: verify, context: $0) }
  }

  static func listedOrders(_ f: F, period: String) async throws -> [String: Int32] {
    var request = Civicgrid_V1_GetAssessmentRequest()
    request.period = period
    let assessment = try await f.call(f.base.supervisor) { try await f.evaluation.getAssessment(request: request, context: $0) }
    return Dictionary(uniqueKeysWithValues: assessment.units.map { ($0.unitCode, $0.listedOrders) })
  }

  @Test("escalated to listed within the period counts in it; escalated after the period counts in the later one only")
  func escalationTime() async throws {
    try await F.with(now: F.at("2026-11-02", 9)) { f in
      let s = SupervisionService(store: f.pool, now: { f.clock.now })
      let late = try await Self.issue(f, s, to: "CTR", level: .ordinary)
      let within = try await Self.issue(f, s, to: "CTR2", level: .ordinary)
      _ = try await Self.issue(f, s, to: "CIVIL", level: .listed)

      f.clock.set(F.at("2026-11-03", 9))
      let escalatedWithin = try await Self.replyThenReject(f, s, within, rejectedAt: F.at("2026-11-04", 15))
      #expect(escalatedWithin.level == .listed && escalatedWithin.unitCode == "CTR2")
      f.clock.set(F.at("2026-11-05", 9))
      let escalatedLate = try await Self.replyThenReject(f, s, late, rejectedAt: F.at("2026-12-02", 11))
      #expect(escalatedLate.level == .listed && escalatedLate.unitCode == "CTR")

      f.clock.set(F.at("2026-12-05"))
      let november = try await Self.listedOrders(f, period: "2026-11")
      // CTR's order is listed now, but it was ordinary throughout November.
      #expect(november["CTR"] == 0)
      #expect(november["CTR2"] == 1)
      #expect(november["S01"] == 1, "a street answers for its centre's listed order")
      #expect(november["CIVIL"] == 1, "issued listed in November")
      let december = try await Self.listedOrders(f, period: "2026-12")
      #expect(december["CTR"] == 1, "listed by the escalation of December 2")
      #expect(december["CTR2"] == 0)
      #expect(december["CIVIL"] == 0)
    }
  }
}
