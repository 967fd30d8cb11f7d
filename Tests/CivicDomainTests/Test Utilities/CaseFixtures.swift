import CivicDomain

let clerk = Party.staff("clerk-1", unit: "centre")
let supervisor = Party.staff("sup-1", unit: "supervision")

/// Handler `number` of `unit`.
func handler(_ unit: UnitID, _ number: Int = 1) -> Party { .staff(StaffID("\(unit)-h\(number)"), unit: unit) }

/// 居住证明 (residence certificate): police and civil affairs in parallel for 2 working days,
/// then the township for 3; ID card and household register required, photo may be missing (容缺).
func residenceCertificate() -> CatalogItemDefinition {
  CatalogItemDefinition(
    code: "RES-CERT",
    name: "居住证明 Residence certificate",
    category: "household",
    kind: .promised,
    leadUnit: "police",
    stages: [ItemStage(units: ["police", "civil-affairs"], workingDays: 2), ItemStage(units: ["township"], workingDays: 3)],
    promisedWorkingDays: 5,
    materials: [
      RequiredMaterial(code: "id-card", name: "ID card"),
      RequiredMaterial(code: "hukou", name: "Household register"),
      RequiredMaterial(code: "photo", name: "Photo", mayBeMissingAtAcceptance: true),
    ],
    channels: [.window, .online]
  )
}

/// 老年证 (elderly card): done at the window.
func elderlyCard() -> CatalogItemDefinition {
  CatalogItemDefinition(
    code: "ELDER-CARD",
    name: "老年证 Elderly card",
    category: "elderly",
    kind: .immediate,
    leadUnit: "centre",
    materials: [RequiredMaterial(code: "id-card", name: "ID card")]
  )
}

func published(_ definition: CatalogItemDefinition) throws -> CatalogItemVersion {
  var item = try CatalogItem(code: definition.code)
  let number = try item.saveDraft(definition)
  try item.publish(number)
  return try item.version(number)
}

/// A residence-certificate application submitted at the window on Monday 2 March 2026, 10:00.
func submitted(provided: Set<String> = ["id-card", "hukou", "photo"], item: CatalogItemDefinition = residenceCertificate()) throws -> Case {
  try Case.submit(
    id: "C1",
    policy: .serviceApplication,
    item: published(item),
    channel: .window,
    applicant: "applicant-1",
    provided: provided,
    at: at("2026-03-02 10:00"),
    by: clerk
  ).case
}

extension Case {
  /// Applies a case command with the current version.
  func run(_ command: CaseCommand, _ time: String, by party: Party = clerk, policy: CasePolicy = .serviceApplication) throws -> CaseChange {
    try self.applying(command, expectedVersion: self.version, policy: policy, at: at(time), by: party)
  }

  /// Applies a task command with the task's current version.
  func run(_ command: TaskCommand, task number: Int, _ time: String, by party: Party, policy: CasePolicy = .serviceApplication) throws
    -> CaseChange
  {
    try self.applying(command, toTask: number, expectedVersion: self.task(number).version, policy: policy, at: at(time), by: party)
  }

  /// Accepted and dispatched at 10:30 on the day of submission: tasks 1 (police) and 2 (civil affairs) pending.
  func dispatched() throws -> Case {
    try self.run(.accept, "2026-03-02 10:15").case.run(.dispatch, "2026-03-02 10:30").case
  }

  /// Claims and approves task `number` with its unit's first handler.
  func approved(_ number: Int, _ time: String) throws -> Case {
    let unit = try self.task(number).unit
    return try self.run(.claim, task: number, time, by: handler(unit)).case.run(
      .approve(opinion: "ok \(number)"),
      task: number,
      time,
      by: handler(unit)
    ).case
  }
}
