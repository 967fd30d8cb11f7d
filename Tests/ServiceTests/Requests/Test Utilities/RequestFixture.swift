import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore

/// `CaseFixture` with a territorial ladder under its street (S01 → community C01 → grid G01,
/// and a second grid G02), a district department HUD, the Requests service on a scripted clock
/// starting on a 2026 working Monday, and a routing table: category `noise` from the grid
/// (2, 3, 4, 5 working days, department HUD) and `housing` from the street (4, 6).
struct RequestFixture: Sendable {
  let base: CaseFixture
  let clock: ScriptedClock
  let requests: RequestsService

  var pool: StorePool { self.base.pool }
  var admin: Principal { self.base.admin }
  var gridWorker: Principal { self.base.principal("gw-g01", "G01", [.gridWorker]) }
  var otherGridWorker: Principal { self.base.principal("gw-g02", "G02", [.gridWorker]) }
  var community: Principal { self.base.principal("h-c01", "C01", [.handler]) }
  var street: Principal { self.base.principal("h-s01", "S01", [.handler]) }
  var department: Principal { self.base.principal("h-hud", "HUD", [.handler]) }
  /// The district's hotline clerk: takes requests in for any place in the district.
  var hotline: Principal { self.base.principal("hotline", "D01", [.clerk]) }
  var partner: Principal { self.base.partner }
  var supervisor: Principal { self.base.supervisor }
  var auditor: Principal { self.base.principal("aud", "D01", [.auditor]) }

  /// 2026-03-02 09:00 in Beijing, a Monday.
  static let start = Instant(secondsSinceEpoch: 1_772_413_200)

  static func with(_ body: @escaping (RequestFixture) async throws -> Void) async throws {
    try await CaseFixture.with { base in
      var units = base.units
      for (code, kind, parent) in [
        ("C01", "community", "S01"), ("G01", "grid", "C01"), ("G02", "grid", "C01"), ("HUD", "department", "D01"),
      ] {
        let path = units[parent]!.path + "\(code)/"
        let id = try await base.pool.query(
          "INSERT INTO units (code, name, kind, parent_id, path) VALUES ($1, $1, $2, (SELECT id FROM units WHERE code = $3), $4) RETURNING id",
          [code, kind, parent, path]
        ).scalar(Int64.self)!
        units[code] = (id, path)
      }
      let extended = CaseFixture(pool: base.pool, catalog: base.catalog, calendar: base.calendar, cases: base.cases, units: units)
      let clock = ScriptedClock(Self.start)
      let fixture = RequestFixture(base: extended, clock: clock, requests: RequestsService(store: base.pool, now: clock.reader))
      try await body(fixture)
    }
  }

  func call<R: Sendable>(_ principal: Principal, _ body: (ServerContext) async throws -> R) async throws -> R {
    try await self.base.call(principal, "test", body)
  }

  static func route(_ category: String, _ name: String, lowest: Civicgrid_V1_RequestTier, days: [Int32], department: String = "HUD")
    -> Civicgrid_V1_RoutingRoute
  {
    var route = Civicgrid_V1_RoutingRoute()
    route.category = category
    route.name = name
    route.lowestTier = lowest
    route.workingDays = days
    route.departmentCode = department
    return route
  }

  static let standardRoutes = [
    route("noise", "Neighbourhood noise", lowest: .grid, days: [2, 3, 4, 5]),
    route("housing", "Housing repairs", lowest: .street, days: [4, 6]),
  ]

  @discardableResult
  func setRoutes(_ routes: [Civicgrid_V1_RoutingRoute] = Self.standardRoutes, expected: Int32 = 0) async throws -> Civicgrid_V1_RoutingTable
  {
    var update = Civicgrid_V1_UpdateRoutingTableRequest()
    update.routes = routes
    update.expectedVersion = expected
    return try await self.call(self.admin) { try await self.requests.updateRoutingTable(request: update, context: $0) }
  }

  func submission(category: String = "noise", channel: Civicgrid_V1_RequestChannel = .gridWorker, unit: String = "", key: String = "")
    -> Civicgrid_V1_SubmitRequestRequest
  {
    var request = Civicgrid_V1_SubmitRequestRequest()
    request.type = .complaint
    request.category = category
    request.channel = channel
    request.citizen.name = "Li Na"
    request.citizen.idNumber = "110101198001011234"
    request.citizen.phone = "13900139000"
    request.description_p = "Loud music every night after 23:00"
    request.unitCode = unit
    request.idempotencyKey = key
    return request
  }

  /// A noise complaint taken in by the grid worker of G01, at G01.
  func submit(_ request: Civicgrid_V1_SubmitRequestRequest? = nil, as principal: Principal? = nil) async throws
    -> Civicgrid_V1_CitizenRequest
  {
    let request = request ?? self.submission()
    return try await self.call(principal ?? self.gridWorker) { try await self.requests.submitRequest(request: request, context: $0) }
  }

  func reply(_ current: Civicgrid_V1_CitizenRequest, as principal: Principal, _ text: String = "done") async throws
    -> Civicgrid_V1_CitizenRequest
  {
    var request = Civicgrid_V1_ReplyToRequestRequest()
    request.requestID = current.id
    request.expectedVersion = current.case.version
    request.reply = text
    return try await self.call(principal) { try await self.requests.replyToRequest(request: request, context: $0) }
  }

  func escalate(_ current: Civicgrid_V1_CitizenRequest, as principal: Principal, _ reason: String = "beyond us") async throws
    -> Civicgrid_V1_CitizenRequest
  {
    var request = Civicgrid_V1_EscalateRequestRequest()
    request.requestID = current.id
    request.expectedVersion = current.case.version
    request.reason = reason
    return try await self.call(principal) { try await self.requests.escalateRequest(request: request, context: $0) }
  }

  func confirm(_ current: Civicgrid_V1_CitizenRequest, accepted: Bool, note: String = "", as principal: Principal? = nil) async throws
    -> Civicgrid_V1_CitizenRequest
  {
    var request = Civicgrid_V1_ConfirmReplyRequest()
    request.requestID = current.id
    request.expectedVersion = current.case.version
    request.accepted = accepted
    request.note = note
    return try await self.call(principal ?? self.gridWorker) { try await self.requests.confirmReply(request: request, context: $0) }
  }

  func get(_ id: String, as principal: Principal? = nil) async throws -> Civicgrid_V1_CitizenRequest {
    var request = Civicgrid_V1_GetRequestRequest()
    request.requestID = id
    return try await self.call(principal ?? self.gridWorker) { try await self.requests.getRequest(request: request, context: $0) }
  }
}

extension Civicgrid_V1_CitizenRequest {
  /// The unit of each tier task, in task order.
  var taskUnits: [String] { self.case.tasks.map(\.unitCode) }
}
