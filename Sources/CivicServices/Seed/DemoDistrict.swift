import CivicProtos
import CivicRepositories
public import CivicStore

/// A small district to look at (`civicgridd seed-demo`): 2 streets and a township, 9
/// communities and villages, 27 grids, 8 departments, 2 service centres, 3 social
/// organisations and one account per role. Loading it again adds only what is missing.
public enum DemoDistrict {
  struct UnitSeed {
    var code: String
    var name: String
    var kind: UnitKind
    var parent: String?
    var responsible: String
  }

  static let rootCode = "QH"

  static var units: [UnitSeed] {
    var units: [UnitSeed] = []
    let areas: [(code: String, name: String, kind: UnitKind, children: [String], childKind: UnitKind)] = [
      ("QH-S1", "Dongcheng Street", .street, ["Heping", "Wenhua", "Xinhua"], .community),
      ("QH-S2", "Xiguan Street", .street, ["Jinqiao", "Yuanlin", "Binhe"], .community),
      ("QH-T1", "Liushu Township", .township, ["Liushu Village", "Nanwan Village", "Shangtang Village"], .village),
    ]
    let heads = ["Wang Lei", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Fan", "Zhao Min", "Huang Tao", "Zhou Hui"]
    var head = 0
    for area in areas {
      units.append(UnitSeed(code: area.code, name: area.name, kind: area.kind, parent: Self.rootCode, responsible: heads[head % 9]))
      head += 1
      for (index, child) in area.children.enumerated() {
        let code = "\(area.code)-C\(index + 1)"
        let name = area.childKind == .community ? "\(child) Community" : child
        units.append(UnitSeed(code: code, name: name, kind: area.childKind, parent: area.code, responsible: heads[head % 9]))
        head += 1
        for grid in 1...3 {
          units.append(
            UnitSeed(code: "\(code)-G\(grid)", name: "\(name) Grid \(grid)", kind: .grid, parent: code, responsible: heads[head % 9])
          )
          head += 1
        }
      }
    }
    let departments = [
      ("CA", "Civil Affairs Bureau"), ("HRSS", "Human Resources and Social Security Bureau"),
      ("MR", "Market Regulation Bureau"), ("PS", "Public Security Household Registration Office"),
      ("HUD", "Housing and Urban-Rural Development Bureau"), ("HC", "Health Commission"),
      ("NR", "Natural Resources Bureau"), ("DPF", "Disabled Persons' Federation"),
    ]
    for (code, name) in departments {
      units.append(UnitSeed(code: "QH-\(code)", name: name, kind: .department, parent: Self.rootCode, responsible: heads[head % 9]))
      head += 1
    }
    units.append(
      UnitSeed(code: "QH-GSC", name: "Qinghe Government Service Centre", kind: .centre, parent: Self.rootCode, responsible: "Sun Li")
    )
    units.append(
      UnitSeed(code: "QH-S1-CSC", name: "Dongcheng Convenience Service Centre", kind: .centre, parent: "QH-S1", responsible: "Ma Qiang")
    )
    units.append(
      UnitSeed(
        code: "QH-SO1",
        name: "Sunshine Elderly Care Association",
        kind: .socialOrganisation,
        parent: Self.rootCode,
        responsible: "Xu Ping"
      )
    )
    units.append(
      UnitSeed(code: "QH-SO2", name: "Xiguan Volunteer Service Team", kind: .socialOrganisation, parent: "QH-S2", responsible: "He Yun")
    )
    units.append(
      UnitSeed(code: "QH-SO3", name: "Liushu Legal Aid Workshop", kind: .socialOrganisation, parent: "QH-T1", responsible: "Gao Jun")
    )
    return units
  }

  /// The district administrator, who holds every writing role so that it can hand each one
  /// on (an account grants only roles it holds: docs/SECURITY.md, Granting), and one account
  /// per role at a unit where that role works.
  static let accounts: [(login: String, name: String, unit: String, roles: [Role])] = [
    ("admin", "District Administrator", "QH", Role.writing),
    ("clerk", "Window Clerk Song", "QH-GSC", [.clerk]),
    ("handler", "Civil Affairs Handler Lin", "QH-CA", [.handler]),
    ("supervisor", "Supervisor Guo", "QH", [.supervisor]),
    ("gridworker", "Grid Worker Han", "QH-S1-C1-G1", [.gridWorker]),
    ("mediator", "Mediator Tang", "QH-S1-C1", [.mediator]),
    ("partner", "Online Channel Partner", "QH-SO1", [.partner]),
    ("auditor", "Auditor Feng", "QH", [.auditor]),
  ]

  /// Adds an account unless its login exists, with its audit row; true when added.
  static func addAccount(_ login: String, name: String, unit: String, roles: [Role], on connection: StoreConnection) async throws -> Bool {
    let names = roles.map(\.rawValue).joined(separator: ",")
    let inserted = try await AccountRepository(connection).insertIfAbsent(
      login: login,
      displayName: name,
      unitCode: unit,
      roles: roles.map(\.rawValue)
    )
    guard inserted else { return false }
    try await AuditLog.append(
      on: connection,
      command: Self.method,
      object: "account:\(login)",
      summary: "created account in \(unit) with roles \(names)"
    )
    return true
  }

  /// The audit rows' command.
  static let method = "civicgridd seed-demo"

  /// Loads what is missing and returns a fresh admin token secret.
  public static func seed(_ store: StorePool) async throws -> (created: Int, adminToken: String) {
    let method = Self.method
    return try await store.transaction(isolation: .serializable) { connection in
      var created = 0
      var rootCode = Self.rootCode
      let units = UnitRepository(connection)
      if let existing = try await units.rootCode() {
        rootCode = existing
      } else {
        _ = try await DirectoryBootstrap.ensureRoot(on: connection, code: Self.rootCode, name: "Qinghe District", method: method)
        created += 1
      }
      for unit in Self.units {
        let parent = unit.parent == Self.rootCode ? rootCode : unit.parent!
        let inserted = try await units.insertIfAbsent(
          code: unit.code,
          name: unit.name,
          kind: unit.kind.rawValue,
          parentCode: parent,
          responsiblePerson: unit.responsible
        )
        if inserted {
          created += 1
          try await AuditLog.append(
            on: connection,
            command: method,
            object: "unit:\(unit.code)",
            summary: "created \(unit.kind.rawValue) '\(unit.name)' under \(parent)"
          )
        }
      }
      for account in Self.accounts {
        let unit = account.unit == Self.rootCode ? rootCode : account.unit
        if try await Self.addAccount(account.login, name: account.name, unit: unit, roles: account.roles, on: connection) {
          created += 1
        }
      }
      guard let adminID = try await AccountRepository(connection).account(login: "admin")?.id else {
        throw DirectoryBootstrap.AlreadyBootstrapped()
      }
      let issued = try await DirectoryService.issueToken(
        on: connection,
        accountID: adminID,
        login: "admin",
        label: "seed-demo",
        ttlSeconds: DirectoryService.defaultTokenLifetime
      )
      try await AuditLog.append(
        on: connection,
        command: method,
        object: "account:admin",
        summary: "issued token \(issued.token.id) 'seed-demo'"
      )
      return (created, issued.secret)
    }
  }
}
