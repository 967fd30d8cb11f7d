import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Grids, home visits that finish, training and the periodic analysis against a scratch
/// PostgreSQL database (docs/GRID.md).
@Suite("Grids", .serialized, .timeLimit(.minutes(5)))
struct GridsServiceTests {
  static func staff(_ name: String, _ role: Civicgrid_V1_GridRole, phone: String = "13800000001", published: Bool = true)
    -> Civicgrid_V1_GridStaff
  {
    var m = Civicgrid_V1_GridStaff()
    m.login = role == .worker ? "gw-g01" : ""
    m.name = name
    m.role = role
    m.dutyNumber = phone
    m.photoUri = "https://files.example/staff/\(name.lowercased().replacingOccurrences(of: " ", with: "-")).jpg"
    m.dutyHours = "Mon–Fri 08:30–17:30"
    m.published = published
    return m
  }

  static func profile(_ grid: String = "G01", prefixes: [String] = ["Elm Street", "Elm Street 12"], expected: Int64 = 0)
    -> Civicgrid_V1_SetGridProfileRequest
  {
    var request = Civicgrid_V1_SetGridProfileRequest()
    request.gridCode = grid
    request.boundary = "Elm Street 1–40 and the market"
    request.households = 412
    request.areaPrefixes = prefixes
    request.staff = [staff("Zhao Lei", .worker), staff("Qian Yu", .assistant), staff("Sun Mei", .volunteer, phone: "", published: false)]
    request.expectedVersion = expected
    return request
  }

  @Test("a grid's profile: versioned and audited, refused naming the field; the card shows published staff, by grid and by address")
  func profileAndCard() async throws {
    try await GridFixture.with { f in
      let grids = GridsService(store: f.pool)
      let saved = try await f.call(f.streetSupervisor) { try await grids.setGridProfile(request: Self.profile(), context: $0) }
      #expect(saved.version == 1 && saved.staff.count == 3 && saved.households == 412 && saved.updatedBy == "sup-s01")
      let stale = await rpcCode {
        _ = try await f.call(f.streetSupervisor) { try await grids.setGridProfile(request: Self.profile(), context: $0) }
      }
      #expect(stale?.0 == .aborted)
      _ = try await f.call(f.streetSupervisor) {
        try await grids.setGridProfile(request: Self.profile("G02", prefixes: ["Elm"]), context: $0)
      }
      let outside = await rpcCode {
        _ = try await f.call(f.base.base.principal("sup-hr", "HR", [.supervisor])) {
          try await grids.setGridProfile(request: Self.profile(expected: 1), context: $0)
        }
      }
      #expect(outside?.0 == .invalidArgument && outside?.1.hasPrefix("grid_code") == true)
      for (field, change) in [
        ("grid_code", { (r: inout Civicgrid_V1_SetGridProfileRequest) in r.gridCode = "C01" }),
        ("boundary", { $0.boundary = "" }),
        ("households", { $0.households = -1 }),
        ("area_prefixes[0]", { $0.areaPrefixes = ["E"] }),
        ("staff[0].name", { $0.staff[0].name = "" }),
        ("staff[0].role", { $0.staff[0].role = .unspecified }),
        ("staff[0].duty_number", { $0.staff[0].dutyNumber = "" }),
        ("staff[0].photo_uri", { $0.staff[0].photoUri = "file:///x" }),
      ] as [(String, (inout Civicgrid_V1_SetGridProfileRequest) -> Void)] {
        var request = Self.profile(expected: 1)
        change(&request)
        let refused = await rpcCode {
          _ = try await f.call(f.streetSupervisor) { try await grids.setGridProfile(request: request, context: $0) }
        }
        #expect(refused?.0 == .invalidArgument && refused?.1.hasPrefix(field) == true, "\(field): \(String(describing: refused))")
      }

      var byGrid = Civicgrid_V1_GetGridCardRequest()
      byGrid.gridCode = "G01"
      let card = try await f.call(f.partner) { try await grids.getGridCard(request: byGrid, context: $0) }
      #expect(card.gridCode == "G01" && card.communityCode == "C01" && card.streetCode == "S01" && card.households == 412)
      #expect(card.staff.map(\.name) == ["Zhao Lei", "Qian Yu"] && card.staff.allSatisfy { $0.login.isEmpty && !$0.dutyNumber.isEmpty })
      var byAddress = Civicgrid_V1_GetGridCardRequest()
      byAddress.address = "Elm Street 12, building 3"
      #expect(try await f.call(f.partner) { try await grids.getGridCard(request: byAddress, context: $0) }.gridCode == "G01")
      byAddress.address = "Elmwood Road 5"
      #expect(try await f.call(f.partner) { try await grids.getGridCard(request: byAddress, context: $0) }.gridCode == "G02")
      byAddress.address = "Oak Road 1"
      #expect(
        await rpcCode { _ = try await f.call(f.partner) { try await grids.getGridCard(request: byAddress, context: $0) } }?.0 == .notFound
      )
      let audits = try await f.pool.query("SELECT count(*) FROM audit_log WHERE object LIKE 'grid/%'").scalar(Int.self)
      #expect(audits == 2)
    }
  }

  @Test("training: recorded for a grid worker in scope, hours validated, listed with totals per person")
  func training() async throws {
    try await GridFixture.with { f in
      try await f.pool.query(
        "INSERT INTO accounts (login, unit_id, roles) VALUES ('gw-g01', $1, '{grid_worker}')",
        [f.base.base.units["G01"]!.id]
      )
      let grids = GridsService(store: f.pool)
      func record(_ course: String, _ date: String, _ hours: Double, login: String = "gw-g01") async throws -> Civicgrid_V1_TrainingRecord {
        var request = Civicgrid_V1_RecordTrainingRequest()
        request.login = login
        request.course = course
        request.date = date
        request.hours = hours
        return try await f.call(f.streetSupervisor) { try await grids.recordTraining(request: request, context: $0) }
      }
      let first = try await record("Fire safety", "2026-03-03", 3)
      #expect(first.unitCode == "G01" && first.hours == 3)
      _ = try await record("Mediation basics", "2026-04-10", 1.5)
      #expect(await rpcCode { _ = try await record("x", "2026-03-03", 0.2) }?.1.hasPrefix("hours") == true)
      #expect(await rpcCode { _ = try await record("x", "2026-02-30", 1) }?.1.hasPrefix("date") == true)
      #expect(await rpcCode { _ = try await record("x", "2026-03-03", 1, login: "sup-hr") }?.1.hasPrefix("login") == true)
      var list = Civicgrid_V1_ListTrainingRequest()
      list.unitCode = "C01"
      let all = try await f.call(f.supervisor) { try await grids.listTraining(request: list, context: $0) }
      #expect(all.records.map(\.course) == ["Fire safety", "Mediation basics"] && all.hoursByLogin == ["gw-g01": 4.5])
      list.to = "2026-03-31"
      #expect(try await f.call(f.supervisor) { try await grids.listTraining(request: list, context: $0) }.hoursByLogin == ["gw-g01": 3])
    }
  }

  @Test("home visits finish: done with notes opening a field event or an application on the spot (once under retries), or cancelled")
  func visitsFinish() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.base.publishItem(channels: [.window, .doorToDoor])
      let g01 = f.base.base.units["G01"]!
      let accountID = try #require(
        try await f.pool.query("INSERT INTO accounts (login, unit_id, roles) VALUES ('gw-g01', $1, '{grid_worker}') RETURNING id", [g01.id])
          .scalar(Int64.self)
      )
      // The visit's requester is a real account (home_visits references it).
      let worker = Principal(
        accountID: accountID,
        login: "gw-g01",
        unitID: g01.id,
        unitCode: "G01",
        unitPath: g01.path,
        roles: [.gridWorker]
      )
      let appointments = AppointmentsService(store: f.pool, now: f.clock.reader)
      func visit(item: String = "") async throws -> Civicgrid_V1_HomeVisit {
        var request = Civicgrid_V1_RequestHomeVisitRequest()
        request.unitCode = "G01"
        request.itemCode = item
        request.applicant.name = "Zhang Xiuying"
        request.applicant.idNumber = "110105195303150027"
        request.applicant.phone = "13800138000"
        request.address = "Elm Street 12, flat 3"
        request.reason = "elderly, lives alone"
        let requested = try await f.call(worker) { try await appointments.requestHomeVisit(request: request, context: $0) }
        var assign = Civicgrid_V1_AssignHomeVisitRequest()
        assign.id = requested.id
        assign.assignee = "gw-g01"
        return try await f.call(f.supervisor) { try await appointments.assignHomeVisit(request: assign, context: $0) }
      }
      func finish(
        _ visit: Civicgrid_V1_HomeVisit,
        _ opens: Civicgrid_V1_FinishHomeVisitRequest.OneOf_Opens?,
        as principal: Principal? = nil
      )
        async throws -> Civicgrid_V1_HomeVisit
      {
        var request = Civicgrid_V1_FinishHomeVisitRequest()
        request.id = visit.id
        request.notes = "Talked with her; the stairwell light is broken"
        request.opens = opens
        return try await f.call(principal ?? f.gridWorker) { try await appointments.finishHomeVisit(request: request, context: $0) }
      }

      var event = Civicgrid_V1_OpenFieldEvent()
      event.category = .facilities
      event.description_p = "Stairwell light broken on floors 2–5"
      let first = try await visit()
      #expect(await rpcCode { _ = try await finish(first, .event(event), as: f.otherGridWorker) }?.0 == .notFound)
      let done = try await finish(first, .event(event))
      #expect(done.state == .done && done.notes.hasPrefix("Talked") && done.openedCaseID.hasPrefix("C") && done.hasFinishedAt)
      var get = Civicgrid_V1_GetEventRequest()
      get.eventID = done.openedCaseID
      let opened = try await f.call(f.gridWorker) { try await f.events.getEvent(request: get, context: $0) }
      // The place is personal data: the grid worker reads it masked; the event holds the visit's address.
      #expect(opened.category == .facilities && opened.location == "***" && opened.resident.name == "Zhang Xiuying")
      let openedID = try #require(Int64(opened.id.dropFirst()))
      #expect(try await f.pool.query("SELECT address FROM field_events WHERE case_id = \(openedID)").scalar(String.self) == "Elm Street 12, flat 3")
      let again = await rpcCode { _ = try await finish(first, .event(event)) }
      #expect(again?.0 == .failedPrecondition, "\(String(describing: again))")
      #expect(try await f.pool.query("SELECT count(*) FROM field_events").scalar(Int.self) == 1)

      let second = try await visit(item: "elderly-allowance")
      var application = Civicgrid_V1_OpenApplication()
      application.providedMaterials = ["id-card"]
      let withCase = try await finish(second, .application(application))
      let caseID = try #require(Int64(withCase.openedCaseID.dropFirst()))
      let kind = try await f.pool.query("SELECT kind || ':' || channel FROM cases WHERE id = $1", [caseID]).scalar(String.self)
      #expect(kind == "serviceApplication:doorToDoor")

      let third = try await visit()
      var cancel = Civicgrid_V1_CancelHomeVisitRequest()
      cancel.id = third.id
      #expect(
        await rpcCode { _ = try await f.call(f.gridWorker) { try await appointments.cancelHomeVisit(request: cancel, context: $0) } }?.1
          .hasPrefix("reason") == true
      )
      cancel.reason = "moved to her daughter's"
      let cancelled = try await f.call(f.supervisor) { try await appointments.cancelHomeVisit(request: cancel, context: $0) }
      #expect(cancelled.state == .cancelled && cancelled.cancelReason == "moved to her daughter's")
      #expect(await rpcCode { _ = try await finish(cancelled, nil) }?.0 == .failedPrecondition)
      let audits = try await f.pool.query(
        "SELECT summary FROM audit_log WHERE object LIKE 'visit:%' AND summary NOT LIKE 'requested%' AND summary NOT LIKE 'assigned%' ORDER BY id"
      ).rows.map {
        try $0.decode(String.self, at: 0)
      }
      #expect(audits.count == 3 && audits[0].hasPrefix("done, opened C") && audits[2] == "cancelled: moved to her daughter's")
    }
  }

  @Test("periodic analysis: per grid, community and street, counts by category and outcome, on-time rate, repeat locations, weeks")
  func stats() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let grids = GridsService(store: f.pool)
      // Week 1 (from Monday 2026-03-02): three at one address in G01, one handled on the spot.
      for _ in 0..<3 { _ = try await f.reportEvent(f.report(.environment, address: "Elm Street 3")) }
      _ = try await f.handle(try await f.reportEvent(f.report(.other, address: "Elm Street 9")))
      // Week 2: routed ones in G02, one handled in time, one late.
      f.clock.advance(seconds: 7 * 86_400)
      let g02 = f.base.base.principal("gw-g02", "G02", [.gridWorker])
      let inTime = try await f.route(try await f.reportEvent(f.report(.urbanManagement, address: "Oak Road 1"), as: g02), as: g02)
      _ = try await f.handle(inTime, as: f.handler("UM"))
      let late = try await f.route(try await f.reportEvent(f.report(.urbanManagement, address: "Oak Road 2"), as: g02), as: g02)
      f.clock.advance(seconds: 10 * 86_400)
      _ = try await f.handle(late, as: f.handler("UM"))

      var request = Civicgrid_V1_GetGridStatsRequest()
      request.unitCode = "S01"
      request.from = "2026-03-02"
      request.to = "2026-03-15"
      let stats = try await f.call(f.streetSupervisor) { try await grids.getGridStats(request: request, context: $0) }
      #expect(stats.units.map(\.unitCode) == ["G01", "G02", "C01", "S01"])
      let g01 = stats.units[0]
      #expect(g01.events == 4 && g01.byCategory == ["environment": 3, "other": 1] && g01.selfHandled == 1)
      #expect(g01.byOutcome == ["reported": 3, "handled": 1])
      let g02Row = stats.units[1]
      #expect(g02Row.events == 2 && g02Row.handledAfterRouting == 2 && g02Row.handledOnTime == 1 && g02Row.onTimeRate == 0.5)
      #expect(stats.units[3].events == 6)
      // Repeat locations are places: masked for the supervisor, in full for the street's handler.
      #expect(stats.repeatLocations.map { "\($0.gridCode) \($0.location) \($0.events)" } == ["G01 *** 3"])
      let forHandler = try await f.call(f.streetHandler) { try await grids.getGridStats(request: request, context: $0) }
      #expect(forHandler.repeatLocations.map { "\($0.gridCode) \($0.location) \($0.events)" } == ["G01 Elm Street 3 3"])
      #expect(stats.weeks.map { "\($0.weekStart) \($0.events) \($0.change)" } == ["2026-03-02 4 0", "2026-03-09 2 -2"])
      request.to = "2026-03-01"
      #expect(
        await rpcCode { _ = try await f.call(f.streetSupervisor) { try await grids.getGridStats(request: request, context: $0) } }?.1
          .hasPrefix("to") == true
      )
      request.to = "2026-03-15"
      request.unitCode = "HR"
      #expect(
        await rpcCode { _ = try await f.call(f.streetSupervisor) { try await grids.getGridStats(request: request, context: $0) } }?.1
          .hasPrefix("unit_code") == true
      )
    }
  }
}
