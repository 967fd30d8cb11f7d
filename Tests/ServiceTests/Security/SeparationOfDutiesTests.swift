import CivicDomain
import CivicProtos
import CivicServices
import GRPCCore
import Testing

/// Separation of duties: the unit that receives an order answers it and never closes it
/// (docs/SECURITY.md, "Duties").
@Suite("Separation of duties", .serialized, .timeLimit(.minutes(5)))
struct SeparationOfDutiesTests {
  /// An order from the district's supervisor to `unit`, answered within 2 working days.
  static func issueOrder(to unit: String, by f: CaseFixture, on s: SupervisionService) async throws -> Civicgrid_V1_Order {
    var issue = Civicgrid_V1_IssueOrderRequest()
    issue.title = "Backlog at \(unit)"
    issue.requirement = "Clear it and report"
    issue.unitCode = unit
    issue.replyWorkingDays = 2
    return try await f.call(f.supervisor) { try await s.issueOrder(request: issue, context: $0) }
  }

  @Test("the receiving street acknowledges and replies to the district's order but cannot verify or escalate it; the district verifies")
  func receiverNeverVerifies() async throws {
    try await CaseFixture.with { f in
      let clock = ScriptedClock()
      let s = SupervisionService(store: f.pool, now: clock.reader)
      var order = try await Self.issueOrder(to: "S01", by: f, on: s)
      let streetSupervisor = f.principal("sup-s01", "S01", [.supervisor])

      var ack = Civicgrid_V1_OrderRequest()
      ack.orderID = order.id
      ack.expectedVersion = order.version
      order = try await f.call(streetSupervisor) { try await s.acknowledgeOrder(request: ack, context: $0) }
      var reply = Civicgrid_V1_ReplyOrderRequest()
      reply.orderID = order.id
      reply.expectedVersion = order.version
      reply.reply = "Cleared"
      order = try await f.call(streetSupervisor) { try await s.replyOrder(request: reply, context: $0) }
      #expect(order.state == "replied")

      var verify = Civicgrid_V1_VerifyOrderRequest()
      verify.orderID = order.id
      verify.expectedVersion = order.version
      verify.accepted = true
      let own = await rpcCode { _ = try await f.call(streetSupervisor) { try await s.verifyOrder(request: verify, context: $0) } }
      #expect(own?.0 == .permissionDenied, "\(String(describing: own))")
      verify.accepted = false
      verify.note = "not good enough"
      let reject = await rpcCode { _ = try await f.call(streetSupervisor) { try await s.verifyOrder(request: verify, context: $0) } }
      #expect(reject?.0 == .permissionDenied)

      // The issuer (a district supervisor) closes it; the street never could.
      verify.accepted = true
      verify.note = ""
      order = try await f.call(f.supervisor) { try await s.verifyOrder(request: verify, context: $0) }
      #expect(order.state == "closed")
    }
  }

  @Test("the receiving centre cannot escalate its own order; the issuer's side can try (and meets the order's own rule)")
  func receiverNeverEscalates() async throws {
    try await CaseFixture.with { f in
      let s = SupervisionService(store: f.pool, now: ScriptedClock().reader)
      let order = try await Self.issueOrder(to: "CTR2", by: f, on: s)
      var escalate = Civicgrid_V1_EscalateOrderRequest()
      escalate.orderID = order.id
      escalate.expectedVersion = order.version
      escalate.reason = "no reply"
      let own = await rpcCode { _ = try await f.call(f.principal("sup-ctr2", "CTR2", [.supervisor])) { try await s.escalateOrder(request: escalate, context: $0) } }
      #expect(own?.0 == .permissionDenied, "\(String(describing: own))")
      let issuer = await rpcCode { _ = try await f.call(f.supervisor) { try await s.escalateOrder(request: escalate, context: $0) } }
      #expect(issuer?.0 == .failedPrecondition && issuer?.1.contains("not overdue") == true, "\(String(describing: issuer))")
    }
  }

  @Test("the rated unit reports its rectification but cannot record the return visit that closes it, nor decide its own appeal")
  func ratedUnitNeverClosesItsOwn() async throws {
    try await EvaluationFixture.with { f in
      typealias F = EvaluationFixture
      let centreSupervisor = f.base.principal("sup-ctr", "CTR", [.supervisor])
      let rated = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let rating = try await f.rate(rated, .completion, .dissatisfied, at: F.at("2026-11-05"))
      f.clock.set(F.at("2026-11-06"))
      var report = Civicgrid_V1_ReportRectificationRequest()
      report.rectificationID = rating.rectificationID
      report.expectedVersion = 2
      report.report = "apologised"
      _ = try await f.call(f.base.clerk) { try await f.evaluation.reportRectification(request: report, context: $0) }
      var visit = Civicgrid_V1_RecordReturnVisitRequest()
      visit.rectificationID = rating.rectificationID
      visit.expectedVersion = 3
      visit.satisfied = true
      let own = await rpcCode { _ = try await f.call(centreSupervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) } }
      #expect(own?.0 == .permissionDenied, "\(String(describing: own))")
      let visited = try await f.call(f.base.supervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) }
      #expect(visited.state == "rectified")

      let second = try await f.seedCase(submitted: F.at("2026-11-09", 9), completed: F.at("2026-11-10", 17))
      let rating2 = try await f.rate(second, .completion, .dissatisfied, at: F.at("2026-11-11"))
      var appeal = Civicgrid_V1_FileAppealRequest()
      appeal.ratingID = rating2.id
      appeal.reason = "not about this unit"
      let filed = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) }
      var decide = Civicgrid_V1_DecideAppealRequest()
      decide.appealID = filed.id
      decide.uphold = true
      decide.note = "upheld"
      let ownAppeal = await rpcCode { _ = try await f.call(centreSupervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) } }
      #expect(ownAppeal?.0 == .permissionDenied, "\(String(describing: ownAppeal))")
      let decided = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      #expect(decided.outcome == "upheld")
    }
  }
}

