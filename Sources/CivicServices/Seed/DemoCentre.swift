import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation

/// The comprehensive-governance centre's people (docs/DISPUTES.md, docs/REQUESTS.md), loaded
/// by `civicgridd seed-demo --history`: a people's mediation committee of two mediators on
/// every community and village, mediators at two social organisations (the Xiguan volunteers
/// and the Liushu legal-aid workshop), a worker on every grid, a clerk on every community and
/// street who answers requests at that tier, and the centre's duty roster for the coming
/// weeks. Accounts that exist are left as they are; a roster day already set is kept.
enum DemoCentre {
  /// The social organisations whose mediators take people's mediation and legal aid.
  static let mediatingOrganisations = ["QH-SO2", "QH-SO3"]

  static let surnames = ["Tang", "Bai", "Luo", "Fang", "Du", "Yin", "Pan", "Xie", "Ren", "Lu", "Gu", "Meng", "Tao", "Qiu", "Dai", "Hou", "Xue", "Lei"]

  /// The login of committee member `member` (1 or 2) of community or village `code`.
  static func committeeMember(_ code: String, _ member: Int) -> String { "mc-\(code.lowercased())-\(member)" }
  /// The login of the mediator at social organisation `code`.
  static func organisationMediator(_ code: String) -> String { "med-\(code.lowercased())" }
  /// The login of the clerk who answers requests at community, village, street or township `code`.
  static func tierClerk(_ code: String) -> String { "tc-\(code.lowercased())" }

  /// The login that acts for `code` at a request's tier: its grid worker, its tier clerk, or
  /// the department's handler.
  static func tierLogin(_ code: String) -> String {
    if let handler = DemoCatalog.handlers.first(where: { $0.unit == code }) { return handler.login }
    return DemoDistrict.units.first { $0.code == code }?.kind == .grid ? DemoGrid.workerLogin(code) : Self.tierClerk(code)
  }

  /// Adds the missing accounts; answers how many were added.
  static func seedStaff(_ store: StorePool) async throws -> Int {
    try await store.transaction { connection in
      var added = 0
      func add(_ login: String, _ name: String, _ unit: String, _ roles: [Role]) async throws {
        if try await DemoDistrict.addAccount(login, name: name, unit: unit, roles: roles, on: connection) { added += 1 }
      }
      for (index, unit) in DemoDistrict.units.enumerated() {
        let surname = Self.surnames[index % Self.surnames.count]
        switch unit.kind {
        case .community, .village:
          for member in 1...2 {
            try await add(
              Self.committeeMember(unit.code, member), "Mediation Committee member \(surname) \(member == 1 ? "Wen" : "Hua")", unit.code, [.mediator]
            )
          }
          try await add(Self.tierClerk(unit.code), "\(unit.name) Service Station Clerk \(surname)", unit.code, [.clerk])
        case .street, .township:
          try await add(Self.tierClerk(unit.code), "\(unit.name) Office Clerk \(surname)", unit.code, [.clerk])
        case .grid:
          let name = DemoGrid.workerNames[index % DemoGrid.workerNames.count]
          try await add(DemoGrid.workerLogin(unit.code), "Grid Worker \(name)", unit.code, [.gridWorker])
        case .socialOrganisation where Self.mediatingOrganisations.contains(unit.code):
          try await add(Self.organisationMediator(unit.code), "\(unit.name) Mediator \(surname)", unit.code, [.mediator])
        default: break
        }
      }
      return added
    }
  }

  /// A service purchase contract (政府购买服务) by the district for dispute work with each
  /// mediating organisation, from `days` days before `now` to a year after, unless it has one.
  static func seedContracts(_ call: DemoCall, now: Instant, days: Int) async throws -> Int {
    var added = 0
    for organisation in Self.mediatingOrganisations {
      let held = try await call.run(as: "admin", service: "civicgrid.v1.Contracts") { context in
        var list = Civicgrid_V1_ListContractsRequest()
        list.organisationUnitCode = organisation
        return try await ContractsService(store: call.store, now: { now }).listContracts(request: list, context: context)
      }
      guard held.contracts.isEmpty else { continue }
      _ = try await call.run(as: "admin", service: "civicgrid.v1.Contracts") { context in
        var request = Civicgrid_V1_CreateContractRequest()
        request.purchaserUnitCode = DemoDistrict.rootCode
        request.organisationUnitCode = organisation
        request.title = "People's mediation and legal aid (人民调解购买服务)"
        request.itemCodes = ["DISPUTE"]
        request.startsOn = DemoHistory.date(now.adding(seconds: -(days + 30) * 86_400))
        request.endsOn = DemoHistory.date(now.adding(seconds: 365 * 86_400))
        request.amountFen = 12_000_000
        request.targets.tasks = 40
        request.targets.onTimePercent = 90
        request.targets.satisfiedPercent = 90
        return try await ContractsService(store: call.store, now: { now }).createContract(request: request, context: context)
      }
      added += 1
    }
    return added
  }

  /// The departments stationed at the district centre in turn (轮驻), one a working day.
  static let rotation = ["QH-CA", "QH-HRSS", "QH-PS", "QH-HUD", "QH-MR", "QH-NR"]

  /// The district centre's roster for the `days` days from `today`: each weekday a department
  /// in turn with its handler; days already on the roster are kept. Answers the days set.
  static func seedRoster(_ call: DemoCall, from today: Instant, days: Int) async throws -> Int {
    var set = 0
    for offset in 0..<days {
      let day = today.adding(seconds: offset * 86_400)
      let date = DemoHistory.date(day)
      guard !DemoHistory.isWeekend(day) else { continue }
      let listed = try await call.run(as: "supervisor", service: "civicgrid.v1.Disputes") { context in
        var list = Civicgrid_V1_ListDutyRequest()
        list.centreCode = "QH-GSC"
        list.from = date
        list.to = date
        return try await DisputesService(store: call.store).listDuty(request: list, context: context)
      }
      guard listed.entries.isEmpty else { continue }
      let department = Self.rotation[(day.secondsSinceEpoch / 86_400) % Self.rotation.count]
      guard let handler = DemoCatalog.handlers.first(where: { $0.unit == department }) else { continue }
      _ = try await call.run(as: "supervisor", service: "civicgrid.v1.Disputes") { context in
        var request = Civicgrid_V1_SetDutyRequest()
        request.centreCode = "QH-GSC"
        request.day = date
        request.departmentCode = department
        request.logins = [handler.login]
        return try await DisputesService(store: call.store).setDuty(request: request, context: context)
      }
      set += 1
    }
    return set
  }
}
