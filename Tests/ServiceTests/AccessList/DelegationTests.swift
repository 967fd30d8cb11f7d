import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Items delegated to service centres (事项下移, docs/ACCESS.md): a centre with delegated items
/// takes in those only; the others are FAILED_PRECONDITION naming the rule and the item.
@Suite("Delegated items", .serialized, .timeLimit(.minutes(5)))
struct DelegationTests {
  @Test("intake at a centre of an item not delegated to it is refused naming the rule; a delegated one is taken in")
  func intakeAtCentre() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem("elderly-allowance")
      try await f.publishItem("disability-card")
      let service = AccessListService(store: f.pool)
      let clerk = f.principal("clerk-ctr2", "CTR2", [.clerk])
      var application = f.application("elderly-allowance")
      application.unitCode = "CTR2"
      // Nothing delegated yet: the centre is not limited.
      #expect(try await f.call(clerk) { try await f.cases.submitApplication(request: application, context: $0) }.unitCode == "CTR2")

      var set = Civicgrid_V1_SetDelegatedItemsRequest()
      set.centreUnitCode = "CTR2"
      set.itemCodes = ["disability-card"]
      let delegated = try await f.call(f.admin) { try await service.setDelegatedItems(request: set, context: $0) }
      #expect(delegated.itemCodes == ["disability-card"])
      let refused = await rpcCode { _ = try await f.call(clerk) { try await f.cases.submitApplication(request: application, context: $0) } }
      #expect(refused?.0 == .failedPrecondition && refused?.1 == DelegationRefusal(centreCode: "CTR2", itemCode: "elderly-allowance").description)
      #expect(refused?.1.hasPrefix("items delegated to centres (事项下移): item elderly-allowance") == true)
      application.itemCode = "disability-card"
      #expect(try await f.call(clerk) { try await f.cases.submitApplication(request: application, context: $0) }.itemCode == "disability-card")

      var list = Civicgrid_V1_ListDelegatedItemsRequest()
      list.centreUnitCode = "CTR2"
      #expect(try await f.call(clerk) { try await service.listDelegatedItems(request: list, context: $0) }.itemCodes == ["disability-card"])
      let audited = try await f.pool.query("SELECT count(*)::int FROM audit_log WHERE object = 'centre-items/CTR2'").scalar(Int.self)
      #expect(audited == 1)
    }
  }

  @Test("delegating to a unit that is no centre, or an item not in the catalogue, is INVALID_ARGUMENT naming the field")
  func refusals() async throws {
    try await CaseFixture.with { f in
      let service = AccessListService(store: f.pool)
      var set = Civicgrid_V1_SetDelegatedItemsRequest()
      set.centreUnitCode = "S01"
      let street = await rpcCode { _ = try await f.call(f.admin) { try await service.setDelegatedItems(request: set, context: $0) } }
      #expect(street?.0 == .invalidArgument && street?.1 == "centre_unit_code: S01 is a street, not a service centre")
      set.centreUnitCode = "CTR2"
      set.itemCodes = ["no-such-item"]
      let unknown = await rpcCode { _ = try await f.call(f.admin) { try await service.setDelegatedItems(request: set, context: $0) } }
      #expect(unknown?.0 == .invalidArgument && unknown?.1 == "item_codes[0]: item no-such-item is not in the catalogue")
    }
  }
}
