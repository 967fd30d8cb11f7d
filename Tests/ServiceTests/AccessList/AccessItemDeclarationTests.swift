import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// A catalogue item declaring the access-list item its work counts as (docs/ACCESS.md): the
/// list is checked against the declared code, at publication and at dispatch alike, and the
/// refusal names the declared code.
@Suite("Access-list item declared by a catalogue item", .serialized, .timeLimit(.minutes(5)))
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
}
