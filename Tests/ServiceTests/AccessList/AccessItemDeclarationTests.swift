import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// A catalogue item or a routing rule declaring the access-list item its work counts as
/// (docs/ACCESS.md): the list is checked against the declared code, at publication and at
/// dispatch alike, and the refusal names the declared code.
@Suite("Access-list item declared by a catalogue item or a routing rule", .serialized, .timeLimit(.minutes(5)))
struct AccessItemDeclarationTests {
  /// `home-visit-survey`, one stage at CIVIL and the community C01, counted as `declared` on access lists.
  static func definition(declaring declared: String) -> Civicgrid_V1_ItemDefinition {
    var definition = Civicgrid_V1_ItemDefinition()
    definition.code = "home-visit-survey"
    definition.name = "Home visit survey"
    definition.category = "social-assistance"
    definition.kind = .promised
    definition.leadUnitCode = "CIVIL"
    var stage = Civicgrid_V1_ItemStage()
    stage.unitCodes = ["CIVIL", "C01"]
    stage.workingDays = 3
    definition.stages = [stage]
    definition.promisedWorkingDays = 3
    definition.channels = [.window]
    definition.accessItemCode = declared
    return definition
  }

  @Test("publication and dispatch check the declared access-list item, not the item's own code; the declaration reads back")
  func declaredItem() async throws {
    try await CaseFixture.with { f in
      try await AccessListTests.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["home-visit-survey"], service: lists, base: f)
      // Listed under its own code but declared as another: publication is refused naming the declared one.
      let refused = await rpcCode { try await f.saveAndPublish(Self.definition(declaring: "elderly-care-visits")) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "elderly-care-visits").description)

      _ = try await AccessListTests.publish(["elderly-care-visits"], service: lists, base: f)
      var publish = Civicgrid_V1_ItemVersionRequest()
      publish.code = "home-visit-survey"
      publish.version = 1
      publish.expectedItemVersion = 1
      let published = try await f.call(f.admin) { try await f.catalog.publishVersion(request: publish, context: $0) }
      #expect(published.status == .published && published.definition.accessItemCode == "elderly-care-visits")
      #expect(try await AccessListTests.submitAndAccept(f, item: "home-visit-survey").tasks.map(\.unitCode) == ["CIVIL", "C01"])

      // The list drops the declared item: dispatch is refused naming it, though the item's own code is listed again.
      _ = try await AccessListTests.publish(["home-visit-survey"], service: lists, base: f)
      let dispatch = await rpcCode { _ = try await AccessListTests.submitAndAccept(f, item: "home-visit-survey") }
      #expect(dispatch?.0 == .failedPrecondition)
      #expect(dispatch?.1 == AccessListRefusal(unitCode: "C01", itemCode: "elderly-care-visits").description)
    }
  }

  @Test("a declared access-list item that is no code is INVALID_ARGUMENT naming definition.access_item_code")
  func invalidDeclaration() async throws {
    try await CaseFixture.with { f in
      var draft = Civicgrid_V1_SaveDraftRequest()
      draft.definition = Self.definition(declaring: "not a code!")
      let refused = await rpcCode { _ = try await f.call(f.admin) { try await f.catalog.saveDraft(request: draft, context: $0) } }
      #expect(refused?.0 == .invalidArgument && refused?.1.contains("definition.access_item_code") == true)
    }
  }

  @Test("a request route's declared item is checked when a request reaches a community, and stays the request's when the table changes")
  func requestRouteDeclaration() async throws {
    try await RequestFixture.with { f in
      var routes = RequestFixture.standardRoutes
      routes[0].accessItemCode = "noise-mediation"
      let table = try await f.setRoutes(routes)
      #expect(table.routes.map(\.accessItemCode) == ["noise-mediation", ""])
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["community-care", "CITIZEN-REQUEST"], service: lists, base: f.base)
      let request = try await f.submit()
      // Routed by the version that declared it: a later table without the declaration does not change it.
      try await f.setRoutes(RequestFixture.standardRoutes, expected: 1)
      let refused = await rpcCode { _ = try await f.escalate(request, as: f.gridWorker) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "noise-mediation").description, "\(String(describing: refused))")

      _ = try await AccessListTests.publish(["community-care", "noise-mediation"], service: lists, base: f.base)
      let escalated = try await f.escalate(request, as: f.gridWorker)
      #expect(escalated.taskUnits == ["G01", "C01"] && escalated.currentTier == 1)

      var invalid = RequestFixture.standardRoutes
      invalid[1].accessItemCode = "not a code!"
      let bad = await rpcCode { _ = try await f.setRoutes(invalid, expected: 2) }
      #expect(bad?.0 == .invalidArgument && bad?.1.hasPrefix("routes[1].access_item_code:") == true, "\(String(describing: bad))")
    }
  }

  @Test("an event route's declared item is checked when the event is routed to a community, urgent at report or later; a route to requests declares none")
  func eventRouteDeclaration() async throws {
    try await GridFixture.with { f in
      var routes = GridFixture.standardRoutes
      let facilities = routes.firstIndex { $0.category == .facilities }!
      routes[facilities].accessItemCode = "facility-repair"
      let table = try await f.setRoutes(routes)
      #expect(table.routes[facilities].accessItemCode == "facility-repair")
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["community-care", "FIELD-EVENT"], service: lists, base: f.base.base)
      let reported = try await f.reportEvent(f.report(.facilities))
      let refused = await rpcCode { _ = try await f.route(reported) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "facility-repair").description, "\(String(describing: refused))")
      let urgent = await rpcCode { _ = try await f.reportEvent(f.report(.facilities, urgent: true)) }
      #expect(urgent?.0 == .failedPrecondition && urgent?.1.contains("item facility-repair") == true, "\(String(describing: urgent))")
      // Another category's route declares nothing: FIELD-EVENT, listed, still reaches the community.
      let inDifficulty = try await f.route(try await f.reportEvent(f.report(.peopleInDifficulty)))
      #expect(inDifficulty.handlingUnitCode == "C01")

      _ = try await AccessListTests.publish(["facility-repair"], service: lists, base: f.base.base)
      #expect(try await f.route(reported).handlingUnitCode == "C01")
      #expect(try await f.reportEvent(f.report(.facilities, urgent: true)).handlingUnitCode == "C01")

      var toRequests = GridFixture.standardRoutes
      let lead = toRequests.firstIndex { $0.category == .disputeLead }!
      toRequests[lead].accessItemCode = "mediation"
      let bad = await rpcCode { _ = try await f.setRoutes(toRequests, expected: 1) }
      #expect(bad?.0 == .invalidArgument && bad?.1.hasPrefix("routes[\(lead)].access_item_code:") == true, "\(String(describing: bad))")
    }
  }
}
