import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// The access-list refusal paths beside a dispatched stage, a dispute's route, a supervision
/// order and a catalogue publication (`AccessListTests`, `AccessListIntakeTests`): a task
/// transferred to a community, a field event routed to one, and a citizen request escalated
/// to the community tier (docs/ACCESS.md, "Enforcement on dispatch"), against a scratch
/// PostgreSQL database. Each is refused naming the rule and the item, and goes through once
/// the community's list holds the item.
@Suite("Community access list: transfer and routing", .serialized, .timeLimit(.minutes(5)))
struct AccessListDispatchPathTests {
  @Test("a task transferred to a community whose list lacks the item is FAILED_PRECONDITION naming the rule and the item; listed, it moves")
  func transfer() async throws {
    try await CaseFixture.with { f in
      try await AccessListTests.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["garbage-sorting-survey"], service: lists, base: f)
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      func transfer(_ current: Civicgrid_V1_Case) -> Civicgrid_V1_TransferTaskRequest {
        var request = Civicgrid_V1_TransferTaskRequest()
        request.caseID = current.id
        request.task = 1
        request.expectedVersion = current.tasks[0].version
        request.toUnitCode = "C01"
        request.reason = "the community knows the applicant"
        return request
      }
      let refused = await rpcCode { _ = try await f.call(f.handler("CIVIL")) { try await f.cases.transferTask(request: transfer(accepted), context: $0) } }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "elderly-allowance").description, "\(String(describing: refused))")
      let unchanged = try await f.pool.query("SELECT u.code FROM case_tasks t JOIN units u ON u.id = t.unit_id WHERE t.number = 1").scalar(String.self)
      #expect(unchanged == "CIVIL", "the refused transfer wrote nothing")

      _ = try await AccessListTests.publish(["garbage-sorting-survey", "elderly-allowance"], service: lists, base: f)
      let moved = try await f.call(f.handler("CIVIL")) { try await f.cases.transferTask(request: transfer(accepted), context: $0) }
      #expect(moved.tasks.first?.unitCode == "C01")
    }
  }

  @Test("a field event routed to a community whose list lacks FIELD-EVENT is FAILED_PRECONDITION naming the rule and the item; listed, it is routed there")
  func fieldEventRouting() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["community-care"], service: lists, base: f.base.base)
      let reported = try await f.reportEvent(f.report(.facilities))
      let refused = await rpcCode { _ = try await f.route(reported) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "FIELD-EVENT").description, "\(String(describing: refused))")

      _ = try await AccessListTests.publish(["community-care", "FIELD-EVENT"], service: lists, base: f.base.base)
      let routed = try await f.route(reported)
      #expect(routed.case.tasks.last?.unitCode == "C01")
    }
  }

  @Test("a citizen request escalated to a community whose list lacks CITIZEN-REQUEST is FAILED_PRECONDITION naming the rule and the item; listed, it reaches the community tier")
  func requestTier() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["community-care"], service: lists, base: f.base)
      let request = try await f.submit()
      let refused = await rpcCode { _ = try await f.escalate(request, as: f.gridWorker) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "CITIZEN-REQUEST").description, "\(String(describing: refused))")

      _ = try await AccessListTests.publish(["community-care", "CITIZEN-REQUEST"], service: lists, base: f.base)
      let escalated = try await f.escalate(request, as: f.gridWorker)
      #expect(escalated.taskUnits == ["G01", "C01"] && escalated.currentTier == 1)
    }
  }
}
