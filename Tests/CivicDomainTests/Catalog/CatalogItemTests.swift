import CivicDomain
import Testing

@Suite("Catalogue items", .timeLimit(.minutes(1)))
struct CatalogItemTests {
  static func modified(_ change: (inout CatalogItemDefinition) -> Void) -> CatalogItemDefinition {
    var definition = residenceCertificate()
    change(&definition)
    return definition
  }

  @Test(
    "invalid definitions are refused naming the field",
    arguments: [
      (modified { $0.name = "" }, DomainError.invalidField("name", "must not be empty")),
      (modified { $0.channels = [] }, .invalidField("channels", "needs at least one intake channel")),
      (modified { $0.promisedWorkingDays = 6 }, .invalidField("stages", "shares add up to 5 working days; the promised limit is 6")),
      (modified { $0.promisedWorkingDays = 0 }, .invalidField("promisedWorkingDays", "must be at least 1 for a promised item")),
      (modified { $0.stages = [] }, .invalidField("stages", "a promised item needs at least one stage")),
      (modified { $0.stages[1] = ItemStage(units: [], workingDays: 3) }, .invalidField("stages[1].units", "needs at least one unit")),
      (modified { $0.stages[1] = ItemStage(units: ["a", "a"], workingDays: 3) }, .invalidField("stages[1].units", "lists a unit twice")),
      (modified { $0.stages[1] = ItemStage(units: ["a"], workingDays: 0) }, .invalidField("stages[1].workingDays", "must be at least 1")),
      (modified { $0.leadUnit = "township" }, .invalidField("stages[0].units", "must include the lead unit township")),
      (
        modified { $0.materials.append(RequiredMaterial(code: "photo", name: "Photo")) },
        .invalidField("materials[3].code", "photo is listed twice")
      ),
      (modified { $0.kind = .immediate }, .invalidField("promisedWorkingDays", "must be 0 for an immediate item")),
      (
        modified {
          $0.kind = .immediate
          $0.promisedWorkingDays = 0
        }, .invalidField("stages", "must be empty for an immediate item")
      ),
    ]
  )
  func invalid(definition: CatalogItemDefinition, error: DomainError) throws {
    #expect(throws: error) { try definition.validate() }
    var item = try CatalogItem(code: "RES-CERT")
    try item.saveDraft(definition)
    #expect(throws: error) { try item.publish(1) }
    #expect(try item.version(1).status == .draft)
  }

  @Test("valid definitions pass: promised with shares adding up, immediate without stages")
  func valid() throws {
    try residenceCertificate().validate()
    try elderlyCard().validate()
  }

  @Test("versions: draft → published → suspended → published; a new publication retires the old one")
  func lifecycle() throws {
    var item = try CatalogItem(code: "RES-CERT")
    #expect(try item.saveDraft(residenceCertificate()) == 1)
    #expect(try item.saveDraft(Self.modified { $0.name = "v1 edited" }) == 1)
    #expect(item.published == nil)
    try item.publish(1)
    #expect(item.published?.definition.name == "v1 edited")
    #expect(try item.saveDraft(residenceCertificate()) == 2)
    try item.suspend(1)
    try item.publish(2)
    #expect(item.versions.map(\.status) == [.retired, .published])
    try item.suspend(2)
    #expect(item.published == nil)
    try item.publish(2)
    try item.retire(2)
    #expect(item.versions.map(\.status) == [.retired, .retired])
  }

  @Test("illegal version changes name the current status")
  func illegalChanges() throws {
    var item = try CatalogItem(code: "RES-CERT")
    #expect(throws: DomainError.notFound("item RES-CERT v1")) { try item.publish(1) }
    try item.saveDraft(residenceCertificate())
    #expect(throws: DomainError.illegalState(subject: "item RES-CERT v1", state: "draft", action: "suspend", allowed: ["published"])) {
      try item.suspend(1)
    }
    try item.retire(1)
    #expect(
      throws: DomainError.illegalState(subject: "item RES-CERT v1", state: "retired", action: "publish", allowed: ["draft", "suspended"])
    ) {
      try item.publish(1)
    }
    #expect(throws: DomainError.notFound("item RES-CERT v9")) { try item.publish(9) }
    #expect(throws: DomainError.invalidField("code", "is ELDER-CARD; this item is RES-CERT")) { try item.saveDraft(elderlyCard()) }
    #expect(throws: DomainError.invalidField("code", "must not be empty")) { try CatalogItem(code: "") }
  }

  @Test("intake: only a published version, only its channels, only its materials")
  func intakeChecks() throws {
    let version = try published(residenceCertificate())
    #expect(throws: DomainError.invalidField("channel", "hotline is not an intake channel of item RES-CERT v1")) {
      try version.intake(channel: .hotline, provided: [])
    }
    #expect(throws: DomainError.invalidField("materials", "passport is not a material of this item")) {
      try version.intake(channel: .online, provided: ["passport", "photo"])
    }
    var item = try CatalogItem(code: "RES-CERT")
    try item.saveDraft(residenceCertificate())
    #expect(throws: DomainError.illegalState(subject: "item RES-CERT v1", state: "draft", action: "intake", allowed: ["published"])) {
      try item.version(1).intake(channel: .window, provided: [])
    }
  }

  @Test(
    "intake assessment: complete, acceptable with only waivable materials missing, or a supplement listing everything missing",
    arguments: [
      (["id-card", "hukou", "photo"], IntakeAssessment.complete),
      (["id-card", "hukou"], .acceptableWithMissing(["photo"])),
      (["id-card"], .needsSupplement(["hukou", "photo"])),
      ([], .needsSupplement(["id-card", "hukou", "photo"])),
    ]
  )
  func assessment(provided: [String], expected: IntakeAssessment) throws {
    let checklist = try published(residenceCertificate()).intake(channel: .window, provided: Set(provided))
    #expect(checklist.assessment == expected)
  }

  @Test("the plan turns stages into per-stage limits of their share in working days")
  func plan() throws {
    let version = try published(residenceCertificate())
    #expect(
      version.plan
        == CasePlan(
          item: ItemRef(code: "RES-CERT", version: 1),
          stages: [
            StagePlan(units: ["police", "civil-affairs"], limit: .workingDays(2)), StagePlan(units: ["township"], limit: .workingDays(3)),
          ]
        )
    )
  }
}
