import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import GRPCCore
import Testing

@testable import CivicServices

/// Every registered kind driven through the one `CaseExecutor` against PostgreSQL: the case row
/// (state, version, is_open by the kind's own end states), its task rows, its events and the
/// audit row come from the same pipeline whatever the kind.
@Suite("Case executor: every kind through one pipeline", .serialized, .timeLimit(.minutes(5)))
struct CaseExecutorTests {
  /// (state, version, is_open) of case `id` as stored.
  static func row(_ pool: StorePool, _ id: Int64) async throws -> (String, Int, Bool) {
    try await pool.query("SELECT state, version, is_open FROM cases WHERE id = \(id)").decode((String, Int, Bool).self)[0]
  }

  /// The number of events and audit rows case `id` has.
  static func trail(_ pool: StorePool, _ id: Int64, object: String) async throws -> (events: Int, audit: Int) {
    let events = try await pool.query("SELECT count(*) FROM case_events WHERE case_id = \(id)").scalar(Int.self) ?? 0
    let audit = try await pool.query("SELECT count(*) FROM audit_log WHERE object = \(object)").scalar(Int.self) ?? 0
    return (events, audit)
  }

  /// Runs `command` of `kind` on case `number` through the executor, as `principal`.
  static func run<Kind: CaseKind>(
    _ f: CaseFixture,
    _ principal: Principal,
    _ number: String,
    version: Int64,
    _ kind: Kind,
    _ command: Kind.Command,
    object: String
  ) async throws -> Case {
    try await f.call(principal) { _ in
      try await CaseExecutor(store: f.pool).run(
        caseID: number,
        expectedVersion: version,
        kinds: [kind.name],
        at: .now,
        apply: { context, version in
          try context.record.value.applying(command, of: kind, expectedVersion: version, at: context.now, by: context.party)
        },
        audit: { _, change in (object, "executor test: \(change.case.state)") },
        map: { _, change in change.case }
      )
    }
  }

  @Test("a service application: refused through the executor; closed by its own end state, one audit row, its events")
  func serviceApplication() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let submitted = try await f.call(f.clerk) { try await f.cases.submitApplication(request: f.application(), context: $0) }
      let id = try CaseNumber.parse(submitted.id)
      let before = try await Self.trail(f.pool, id, object: "case/\(submitted.id)")
      let refused = try await Self.run(
        f, f.clerk, submitted.id, version: submitted.version, ServiceApplicationKind.serviceApplication, .refuse(reason: "not eligible"),
        object: "case/\(submitted.id)"
      )
      #expect(refused.state == .refused)
      let (state, version, open) = try await Self.row(f.pool, id)
      #expect(state == "refused" && version == Int(submitted.version) + 1 && !open)
      let after = try await Self.trail(f.pool, id, object: "case/\(submitted.id)")
      #expect(after.audit == before.audit + 1)
      #expect(after.events == before.events + 3, "refused, clock stopped, state changed")
    }
  }

  @Test("a supervision order: acknowledged and replied through the executor; the reply task approved once with its clock stopped")
  func supervisionOrder() async throws {
    try await CaseFixture.with { f in
      let s = SupervisionService(store: f.pool)
      var issue = Civicgrid_V1_IssueOrderRequest()
      issue.title = "Backlog"
      issue.requirement = "Clear it"
      issue.unitCode = "S01"
      issue.replyWorkingDays = 2
      let order = try await f.call(f.supervisor) { try await s.issueOrder(request: issue, context: $0) }
      let id = try CaseNumber.parse(order.id)
      let acknowledged = try await Self.run(
        f, f.handler("S01"), order.id, version: order.version, OrderKind.supervisionOrder, .acknowledge, object: "order/\(order.id)"
      )
      let replied = try await Self.run(
        f, f.handler("S01"), order.id, version: Int64(acknowledged.version), OrderKind.supervisionOrder, .reply(text: "cleared"),
        object: "order/\(order.id)"
      )
      #expect(replied.state == .replied)
      let task = try #require(replied.orderTask)
      #expect(task.state == .approved && task.clock.stoppedAt != nil && task.version == 3)
      let stored = try await f.pool.query("SELECT state, version FROM case_tasks WHERE case_id = \(id)").decode((String, Int).self)
      #expect(stored.count == 1 && stored[0].0 == "approved" && stored[0].1 == 3)
      let (state, _, open) = try await Self.row(f.pool, id)
      #expect(state == "replied" && open)
      #expect(try await Self.trail(f.pool, id, object: "order/\(order.id)").audit == 3, "issued, acknowledged, replied")
    }
  }

  @Test("an inspection finding: its task is claimed through the generic ClaimTask under the finding's own policy")
  func inspectionFinding() async throws {
    try await CaseFixture.with { f in
      let s = SupervisionService(store: f.pool)
      var record = Civicgrid_V1_RecordInspectionRequest()
      record.period = "2026-Q4"
      record.title = "Q4 inspection"
      var finding = Civicgrid_V1_Finding()
      finding.unitCode = "FIN"
      finding.description_p = "Files incomplete"
      finding.rectifyWorkingDays = 3
      record.findings = [finding]
      let inspection = try await f.call(f.supervisor) { try await s.recordInspection(request: record, context: $0) }
      let number = inspection.findings[0].rectificationID
      var claim = Civicgrid_V1_TaskRequest()
      claim.caseID = number
      claim.task = 1
      claim.expectedVersion = 1
      let claimed = try await f.call(f.handler("FIN")) { try await f.cases.claimTask(request: claim, context: $0) }
      #expect(claimed.kind == "inspectionFinding" && claimed.state == "issued")
      #expect(claimed.tasks[0].state == "claimed" && claimed.tasks[0].claimedBy == "h1-FIN")
      let acknowledged = try await Self.run(
        f, f.handler("FIN"), number, version: claimed.version, OrderKind.inspectionFinding, .acknowledge, object: "order/\(number)"
      )
      let replied = try await Self.run(
        f, f.handler("FIN"), number, version: Int64(acknowledged.version), OrderKind.inspectionFinding, .reply(text: "completed the files"),
        object: "order/\(number)"
      )
      #expect(replied.state == .replied && replied.orderTask?.state == .approved)
      // A finding is not an application: the application's commands are refused for it.
      var accept = Civicgrid_V1_AcceptCaseRequest()
      accept.caseID = number
      accept.expectedVersion = Int64(replied.version)
      let refused = await rpcCode { _ = try await f.call(f.admin) { try await f.cases.acceptCase(request: accept, context: $0) } }
      #expect(refused?.0 == .invalidArgument)
    }
  }

  @Test("a rectification: reported through the executor; its return visit closes it by its own end state")
  func rectification() async throws {
    try await EvaluationFixture.with { f in
      typealias F = EvaluationFixture
      let rated = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let rating = try await f.rate(rated, .completion, .dissatisfied, at: F.at("2026-11-05"))
      let number = rating.rectificationID
      let id = try CaseNumber.parse(number)
      let reported = try await Self.run(
        f.base, f.base.handler("CTR"), number, version: 2, RectificationKind.rectification, .report(text: "retrained the window"),
        object: "rectification/\(number)"
      )
      #expect(reported.state == .awaitingReturnVisit && reported.rectificationTask?.state == .approved)
      let visited = try await Self.run(
        f.base, f.base.supervisor, number, version: Int64(reported.version), RectificationKind.rectification,
        .returnVisit(satisfied: true, note: ""), object: "rectification/\(number)"
      )
      #expect(visited.state == .rectified)
      let (state, _, open) = try await Self.row(f.pool, id)
      #expect(state == "rectified" && !open)
      let kinds = try await f.pool.query("SELECT kind FROM case_events WHERE case_id = \(id) ORDER BY seq").rows.map {
        try $0.decode(String.self, at: 0)
      }
      #expect(kinds.contains("taskApproved") && kinds.contains("returnVisited"))
    }
  }
}
