import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore

/// `RequestFixture` (street S01 → community C01 → grids G01, G02; department HUD; the requests
/// routing table) with two more departments (PS public security, UM urban management), two
/// supervisor accounts over G01 (`sup` at D01, `sup-s01` at S01) and one elsewhere
/// (`sup-hr` at HR), and the FieldEvents service on the same scripted clock.
struct GridFixture: Sendable {
  let base: RequestFixture
  let events: FieldEventsService

  var pool: StorePool { self.base.pool }
  var clock: ScriptedClock { self.base.clock }
  var admin: Principal { self.base.admin }
  var gridWorker: Principal { self.base.gridWorker }
  var otherGridWorker: Principal { self.base.otherGridWorker }
  var partner: Principal { self.base.partner }
  var supervisor: Principal { self.base.supervisor }
  var streetSupervisor: Principal { self.base.base.principal("sup-s01", "S01", [.supervisor]) }
  var streetHandler: Principal { self.base.base.principal("h-s01", "S01", [.handler]) }
  var communityHandler: Principal { self.base.base.principal("h-c01", "C01", [.handler]) }
  func handler(_ unit: String) -> Principal { self.base.base.principal("h-\(unit.lowercased())", unit, [.handler]) }

  static func with(_ body: @escaping (GridFixture) async throws -> Void) async throws {
    try await RequestFixture.with { requests in
      var units = requests.base.units
      for code in ["PS", "UM"] {
        let path = units["D01"]!.path + "\(code)/"
        let id = try await requests.pool.query(
          "INSERT INTO units (code, name, kind, parent_id, path) VALUES ($1, $1, 'department', (SELECT id FROM units WHERE code = 'D01'), $2) RETURNING id",
          [code, path]
        ).scalar(Int64.self)!
        units[code] = (id, path)
      }
      for (login, unit) in [("sup", "D01"), ("sup-s01", "S01"), ("sup-hr", "HR")] {
        try await requests.pool.query(
          "INSERT INTO accounts (login, unit_id, roles) VALUES ($1, $2, '{supervisor}')",
          [login, units[unit]!.id]
        )
      }
      let b = requests.base
      let extended = RequestFixture(
        base: CaseFixture(pool: b.pool, catalog: b.catalog, calendar: b.calendar, cases: b.cases, units: units),
        clock: requests.clock,
        requests: requests.requests
      )
      try await body(GridFixture(base: extended, events: FieldEventsService(store: b.pool, now: requests.clock.reader)))
    }
  }

  func call<R: Sendable>(_ principal: Principal, _ body: (ServerContext) async throws -> R) async throws -> R {
    try await self.base.call(principal, body)
  }

  static func route(
    _ category: Civicgrid_V1_FieldEventCategory,
    _ tier: Civicgrid_V1_RequestTier,
    department: String = "",
    days: Int32 = 3,
    hours: Int32 = 2,
    checkOneIn: Int32 = 0,
    requestCategory: String = ""
  ) -> Civicgrid_V1_EventRoute {
    var route = Civicgrid_V1_EventRoute()
    route.category = category
    route.tier = tier
    route.departmentCode = department
    route.workingDays = days
    route.urgentHours = hours
    route.checkOneIn = checkOneIn
    route.requestCategory = requestCategory
    return route
  }

  /// Every category: the community, the street, the departments, and two into the requests intake.
  static let standardRoutes = [
    route(.safetyHazard, .street, hours: 2),
    route(.publicSecurity, .district, department: "PS", days: 2, hours: 1),
    route(.drugControl, .district, department: "PS", days: 5),
    route(.urbanManagement, .district, department: "UM", days: 4),
    route(.ethnicReligious, .street, days: 5),
    route(.peopleInDifficulty, .community, days: 2),
    route(.environment, .street, days: 3, checkOneIn: 3),
    route(.facilities, .community, days: 4),
    route(.disputeLead, .unspecified, requestCategory: "noise"),
    route(.other, .street, days: 5),
    route(.citizenRequest, .unspecified, requestCategory: "housing"),
  ]

  @discardableResult
  func setRoutes(_ routes: [Civicgrid_V1_EventRoute] = Self.standardRoutes, minutes: Int32 = 15, expected: Int32 = 0) async throws
    -> Civicgrid_V1_EventRoutingTable
  {
    var update = Civicgrid_V1_UpdateEventRoutingRequest()
    update.routes = routes
    update.acknowledgeMinutes = minutes
    update.expectedVersion = expected
    return try await self.call(self.admin) { try await self.events.updateEventRouting(request: update, context: $0) }
  }

  func report(
    _ category: Civicgrid_V1_FieldEventCategory = .environment,
    urgent: Bool = false,
    grid: String = "",
    address: String = "3 Elm Street",
    key: String = ""
  ) -> Civicgrid_V1_ReportEventRequest {
    var request = Civicgrid_V1_ReportEventRequest()
    request.category = category
    request.urgent = urgent
    request.gridCode = grid
    request.location = address
    request.description_p = "Overflowing bins behind the market"
    request.point.latitude = 39.9
    request.point.longitude = 116.4
    var attachment = Civicgrid_V1_AttachmentRef()
    attachment.uri = "https://files.example/p/1.jpg"
    attachment.sha256 = String(repeating: "ab", count: 32)
    attachment.size = 123_456
    attachment.mediaType = "image/jpeg"
    request.attachments = [attachment]
    request.idempotencyKey = key
    return request
  }

  func reportEvent(_ request: Civicgrid_V1_ReportEventRequest? = nil, as principal: Principal? = nil) async throws
    -> Civicgrid_V1_FieldEvent
  {
    let request = request ?? self.report()
    return try await self.call(principal ?? self.gridWorker) { try await self.events.reportEvent(request: request, context: $0) }
  }

  func route(_ event: Civicgrid_V1_FieldEvent, as principal: Principal? = nil) async throws -> Civicgrid_V1_FieldEvent {
    var request = Civicgrid_V1_RouteEventRequest()
    request.eventID = event.id
    request.expectedVersion = event.case.version
    return try await self.call(principal ?? self.gridWorker) { try await self.events.routeEvent(request: request, context: $0) }
  }

  func handle(_ event: Civicgrid_V1_FieldEvent, as principal: Principal? = nil, evidence: String = "cleared, photo attached") async throws
    -> Civicgrid_V1_FieldEvent
  {
    var request = Civicgrid_V1_HandleEventRequest()
    request.eventID = event.id
    request.expectedVersion = event.case.version
    request.evidence = evidence
    return try await self.call(principal ?? self.gridWorker) { try await self.events.handleEvent(request: request, context: $0) }
  }

  func check(_ event: Civicgrid_V1_FieldEvent, confirmed: Bool, note: String = "", as principal: Principal? = nil) async throws
    -> Civicgrid_V1_FieldEvent
  {
    var request = Civicgrid_V1_CheckEventRequest()
    request.eventID = event.id
    request.expectedVersion = event.case.version
    request.confirmed = confirmed
    request.note = note
    return try await self.call(principal ?? self.streetHandler) { try await self.events.checkEvent(request: request, context: $0) }
  }

  func close(_ event: Civicgrid_V1_FieldEvent, as principal: Principal? = nil) async throws -> Civicgrid_V1_FieldEvent {
    var request = Civicgrid_V1_CloseEventRequest()
    request.eventID = event.id
    request.expectedVersion = event.case.version
    return try await self.call(principal ?? self.gridWorker) { try await self.events.closeEvent(request: request, context: $0) }
  }

  func acknowledge(_ event: Civicgrid_V1_FieldEvent, as principal: Principal) async throws -> Civicgrid_V1_UrgentAcknowledgements {
    var request = Civicgrid_V1_AcknowledgeUrgentEventRequest()
    request.eventID = event.id
    return try await self.call(principal) { try await self.events.acknowledgeUrgentEvent(request: request, context: $0) }
  }
}
