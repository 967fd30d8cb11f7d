import CivicDomain
import Testing

@Suite("Case policies", .timeLimit(.minutes(1)))
struct CasePolicyTests {
  /// A dispute (纠纷) as a second kind: only a table, run by the same engine.
  static let dispute = try! CasePolicy(
    kind: "dispute",
    initial: "registered",
    transitions: [
      ("registered", .accept, "underReview"),
      ("registered", .refuse, "declined"),
      ("underReview", .dispatch, "inMediation"),
      ("inMediation", .complete, "concluded"),
    ]
  )

  static func neighbourDispute() -> CatalogItemDefinition {
    CatalogItemDefinition(
      code: "DISPUTE-NEIGHBOUR",
      name: "邻里纠纷 Neighbour dispute",
      category: "dispute",
      kind: .promised,
      leadUnit: "mediation",
      stages: [ItemStage(units: ["mediation", "police"], workingDays: 10)],
      promisedWorkingDays: 10
    )
  }

  @Test("a new kind is a table: a dispute runs registered → underReview → inMediation → concluded on the same engine")
  func newKind() throws {
    var c = try Case.submit(
      id: "D1",
      policy: Self.dispute,
      item: published(Self.neighbourDispute()),
      channel: .window,
      applicant: "resident-7",
      provided: [],
      at: at("2026-03-02 10:00"),
      by: clerk
    ).case
    #expect(c.state == "registered")
    #expect(c.kind == "dispute")
    c = try c.run(.accept, "2026-03-02 10:10", policy: Self.dispute).case.run(.dispatch, "2026-03-02 10:20", policy: Self.dispute).case
    #expect(c.state == "inMediation")
    for number in [1, 2] {
      let unit = try c.task(number).unit
      c = try c.run(.claim, task: number, "2026-03-03 10:00", by: handler(unit), policy: Self.dispute).case
      c = try c.run(.approve(opinion: "resolved"), task: number, "2026-03-03 10:00", by: handler(unit), policy: Self.dispute).case
    }
    #expect(c.state == "concluded")
    #expect(throws: DomainError.illegalState(subject: "case D1", state: "concluded", action: "deliver", allowed: [])) {
      try c.run(.deliver(.mail), "2026-03-04 10:00", policy: Self.dispute)
    }
    #expect(
      DomainError.illegalState(subject: "case D1", state: "concluded", action: "deliver", allowed: []).description
        == "case D1 is concluded; deliver is not allowed for this kind"
    )
  }

  @Test("a command under another kind's policy is refused")
  func wrongPolicy() throws {
    #expect(throws: DomainError.invalidField("policy", "is for kind dispute; case C1 is serviceApplication")) {
      try submitted().run(.accept, "2026-03-02 10:15", policy: Self.dispute)
    }
  }

  @Test("a table naming the same state and action twice is refused")
  func duplicateRows() {
    #expect(throws: DomainError.invalidField("transitions[1]", "accept from submitted is listed twice")) {
      try CasePolicy(kind: "x", initial: "submitted", transitions: [("submitted", .accept, "a"), ("submitted", .accept, "b")])
    }
  }

  @Test(
    "the service-application table: which actions each state allows",
    arguments: [
      (CaseState.submitted, [CaseAction.accept, .acceptWithMissingMaterials, .refuse, .requestSupplement]),
      (.awaitingSupplement, [.refuse, .supplement]),
      (.accepted, [.dispatch, .completeAtWindow]),
      (.acceptedPendingMaterials, [.supplyMissingMaterials, .dispatch]),
      (.inProcessing, [.supplyMissingMaterials, .complete]),
      (.completed, [.supplyMissingMaterials, .deliver]),
      (.refused, []),
      (.delivered, []),
    ]
  )
  func serviceApplicationTable(state: CaseState, actions: [CaseAction]) {
    let allowed = Set(CaseKinds.all.flatMap(\.policy.actions)).filter { CasePolicy.serviceApplication.allows($0, from: state) }
    #expect(Set(allowed) == Set(actions))
  }
}
