import CivicDomain
public import CivicStore
import CivicRepositories

/// The demo district's service catalogue (`civicgridd seed-demo`): twenty published items
/// of the kinds a district centre takes in every day, most processed jointly by two or three
/// departments in stages, and one handler account per department so that a case can be
/// driven through every stage. The 2026 national calendar comes with the schema
/// (migration 0004). Loading it again adds only what is missing.
public enum DemoCatalog {
  /// Demo handler accounts: login `handler-<department>` at each department, e.g. `handler-hrss` at QH-HRSS.
  static let handlers: [(login: String, name: String, unit: String)] = [
    ("handler-ca", "Civil Affairs Handler Zhou", "QH-CA"),
    ("handler-hrss", "Social Security Handler Wu", "QH-HRSS"),
    ("handler-mr", "Market Regulation Handler Qian", "QH-MR"),
    ("handler-ps", "Household Registration Handler Zheng", "QH-PS"),
    ("handler-hud", "Housing Handler Feng", "QH-HUD"),
    ("handler-hc", "Health Commission Handler Chu", "QH-HC"),
    ("handler-nr", "Natural Resources Handler Wei", "QH-NR"),
    ("handler-dpf", "Disabled Persons' Federation Handler Jiang", "QH-DPF"),
  ]

  // Materials most applications ask for.
  private static let idCard = RequiredMaterial(code: "id-card", name: "Resident identity card")
  private static let hukou = RequiredMaterial(code: "hukou", name: "Household register (户口簿)")
  private static let photo = RequiredMaterial(code: "photo", name: "Two-inch photo", mayBeMissingAtAcceptance: true)
  private static let form = RequiredMaterial(code: "form", name: "Signed application form")

  private static func material(_ code: String, _ name: String, waivable: Bool = false) -> RequiredMaterial {
    RequiredMaterial(code: code, name: name, mayBeMissingAtAcceptance: waivable)
  }

  /// A promised item: the stages' units and shares, in order; the lead unit is the first of stage 1.
  private static func promised(
    _ code: String,
    _ name: String,
    _ category: String,
    stages: [([String], Int)],
    materials: [RequiredMaterial],
    channels: Set<IntakeChannel> = [.window, .online, .mobile, .appointment]
  ) -> CatalogItemDefinition {
    CatalogItemDefinition(
      code: code,
      name: name,
      category: category,
      kind: .promised,
      leadUnit: UnitID(stages[0].0[0]),
      stages: stages.map { ItemStage(units: $0.0.map { UnitID($0) }, workingDays: $0.1) },
      promisedWorkingDays: stages.reduce(0) { $0 + $1.1 },
      materials: materials,
      channels: channels
    )
  }

  private static func immediate(
    _ code: String,
    _ name: String,
    _ category: String,
    lead: String,
    materials: [RequiredMaterial]
  ) -> CatalogItemDefinition {
    CatalogItemDefinition(
      code: code,
      name: name,
      category: category,
      kind: .immediate,
      leadUnit: UnitID(lead),
      materials: materials,
      channels: [.window, .online, .mobile]
    )
  }

  /// The items, each published as version 1.
  static var items: [CatalogItemDefinition] {
    [
      Self.promised(
        "QH-PS-001",
        "Residence certificate (居住证)",
        "household registration",
        stages: [(["QH-PS"], 5), (["QH-HUD", "QH-HRSS"], 5)],
        materials: [Self.idCard, Self.photo, Self.material("tenancy", "Registered tenancy contract or property certificate"), Self.form]
      ),
      Self.promised(
        "QH-CA-001",
        "Minimum living allowance (最低生活保障)",
        "social assistance",
        stages: [(["QH-CA"], 5), (["QH-HRSS", "QH-HUD", "QH-MR"], 7), (["QH-CA"], 3)],
        materials: [
          Self.idCard, Self.hukou, Self.form,
          Self.material("income", "Household income statement"),
          Self.material("bank-card", "Bank card for payment", waivable: true),
        ]
      ),
      Self.promised(
        "QH-CA-002",
        "Elderly allowance (高龄津贴)",
        "elderly care",
        stages: [(["QH-CA"], 3), (["QH-PS"], 2)],
        materials: [Self.idCard, Self.hukou, Self.material("bank-card", "Bank card for payment", waivable: true)]
      ),
      Self.promised(
        "QH-DPF-001",
        "Disability living subsidy (困难残疾人生活补贴)",
        "disability",
        stages: [(["QH-DPF"], 5), (["QH-CA", "QH-HRSS"], 5)],
        materials: [
          Self.idCard, Self.hukou, Self.material("disability-card", "Disability certificate (残疾人证)"),
          Self.material("bank-card", "Bank card for payment", waivable: true),
        ]
      ),
      Self.promised(
        "QH-DPF-002",
        "Severe disability nursing subsidy (重度残疾人护理补贴)",
        "disability",
        stages: [(["QH-DPF", "QH-HC"], 6), (["QH-CA"], 4)],
        materials: [
          Self.idCard, Self.material("disability-card", "Disability certificate (残疾人证)"),
          Self.material("care-assessment", "Nursing needs assessment"),
        ]
      ),
      Self.promised(
        "QH-MR-001",
        "Individual business licence (个体工商户营业执照)",
        "business",
        stages: [(["QH-MR"], 2), (["QH-HUD", "QH-PS"], 1)],
        materials: [
          Self.idCard, Self.photo, Self.material("premises", "Proof of business premises"),
          Self.material("registration-form", "Individual business registration form"),
        ]
      ),
      Self.promised(
        "QH-MR-002",
        "Food business licence (食品经营许可证)",
        "business",
        stages: [(["QH-MR"], 7), (["QH-HC"], 3)],
        materials: [
          Self.idCard, Self.material("business-licence", "Business licence"),
          Self.material("layout", "Premises layout plan"),
          Self.material("food-safety", "Food safety management rules", waivable: true),
        ]
      ),
      Self.promised(
        "QH-HRSS-001",
        "Flexible employment social insurance registration (灵活就业人员参保登记)",
        "social security",
        stages: [(["QH-HRSS"], 3), (["QH-PS"], 2)],
        materials: [Self.idCard, Self.hukou, Self.form]
      ),
      Self.promised(
        "QH-HRSS-002",
        "Unemployment registration and benefit (失业登记及失业保险金)",
        "employment",
        stages: [(["QH-HRSS"], 5), (["QH-MR", "QH-CA"], 5)],
        materials: [
          Self.idCard, Self.material("termination", "Certificate of termination of employment"),
          Self.material("bank-card", "Bank card for payment", waivable: true),
        ]
      ),
      Self.promised(
        "QH-HRSS-003",
        "Business start-up guaranteed loan (创业担保贷款)",
        "employment",
        stages: [(["QH-HRSS"], 5), (["QH-MR"], 3), (["QH-CA", "QH-HUD"], 4)],
        materials: [
          Self.idCard, Self.material("business-licence", "Business licence"),
          Self.material("business-plan", "Business plan"), Self.form,
        ]
      ),
      Self.promised(
        "QH-HUD-001",
        "Public rental housing application (公共租赁住房)",
        "housing",
        stages: [(["QH-HUD"], 8), (["QH-CA", "QH-PS", "QH-NR"], 10), (["QH-HUD"], 2)],
        materials: [
          Self.idCard, Self.hukou, Self.material("income", "Household income statement"),
          Self.material("housing-status", "Statement of current housing"), Self.form,
        ]
      ),
      Self.promised(
        "QH-HUD-002",
        "Housing provident fund withdrawal for rent (住房公积金提取)",
        "housing",
        stages: [(["QH-HUD"], 2), (["QH-NR"], 1)],
        materials: [Self.idCard, Self.material("tenancy", "Registered tenancy contract")]
      ),
      Self.promised(
        "QH-NR-001",
        "Rural homestead approval (农村宅基地审批)",
        "land",
        stages: [(["QH-NR"], 10), (["QH-HUD", "QH-CA"], 5)],
        materials: [
          Self.idCard, Self.hukou, Self.material("site-plan", "Site plan"),
          Self.material("village-opinion", "Opinion of the village committee"),
        ]
      ),
      Self.promised(
        "QH-NR-002",
        "Real estate registration for a transfer (不动产转移登记)",
        "land",
        stages: [(["QH-NR"], 3), (["QH-HUD"], 2)],
        materials: [Self.idCard, Self.material("deed", "Property certificate"), Self.material("contract", "Sale contract")]
      ),
      Self.promised(
        "QH-HC-001",
        "Birth medical certificate reissue (出生医学证明补发)",
        "health",
        stages: [(["QH-HC"], 5), (["QH-PS"], 3)],
        materials: [Self.idCard, Self.hukou, Self.material("hospital-record", "Hospital delivery record")]
      ),
      Self.promised(
        "QH-HC-002",
        "Family planning special assistance (计划生育特别扶助)",
        "health",
        stages: [(["QH-HC"], 5), (["QH-CA", "QH-PS"], 5)],
        materials: [Self.idCard, Self.hukou, Self.form, Self.material("bank-card", "Bank card for payment", waivable: true)]
      ),
      Self.promised(
        "QH-CA-003",
        "Temporary assistance (临时救助)",
        "social assistance",
        stages: [(["QH-CA"], 3), (["QH-HRSS", "QH-HC"], 2)],
        materials: [Self.idCard, Self.form, Self.material("hardship", "Proof of the hardship (bills, diagnosis)")],
        channels: [.window, .online, .mobile, .hotline, .doorToDoor]
      ),
      Self.immediate(
        "QH-PS-002",
        "Residence registration proof (户籍证明)",
        "household registration",
        lead: "QH-PS",
        materials: [Self.idCard, Self.hukou]
      ),
      Self.immediate(
        "QH-HRSS-004",
        "Social insurance contribution record (社保缴费证明)",
        "social security",
        lead: "QH-HRSS",
        materials: [Self.idCard]
      ),
      Self.immediate(
        "QH-CA-004",
        "Marriage registration record enquiry (婚姻登记记录证明)",
        "civil affairs",
        lead: "QH-CA",
        materials: [Self.idCard, Self.hukou]
      ),
    ]
  }

  /// Loads the items and handler accounts that are missing; returns how many were added.
  public static func seed(_ store: StorePool) async throws -> Int {
    try await store.transaction(isolation: .serializable) { connection in
      var created = 0
      for handler in Self.handlers {
        if try await DemoDistrict.addAccount(handler.login, name: handler.name, unit: handler.unit, roles: [.handler], on: connection) {
          created += 1
        }
      }
      let catalog = CatalogRepository(connection)
      for definition in Self.items {
        guard try await catalog.item(code: definition.code) == nil else { continue }
        var item = try CatalogItem(code: definition.code)
        let number = try item.saveDraft(definition)
        try item.publish(number)
        let version = try await catalog.save(old: nil, new: item)
        created += 1
        try await AuditLog.append(
          on: connection,
          command: DemoDistrict.method,
          object: "item/\(definition.code)",
          summary: "v\(number) '\(definition.name)' saved and published (item version \(version))"
        )
      }
      return created
    }
  }
}
