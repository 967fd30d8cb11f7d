import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Citizens' requests against a scratch PostgreSQL database (docs/REQUESTS.md): the tier ladder,
/// every transition and its refusal, escalation on timeout by the sweeper on scripted time, the
/// rejection rule, masking per role, idempotent partner intake and the routing table's versions.
@Suite("Requests", .serialized, .timeLimit(.minutes(5)))
struct RequestsServiceTests {
  @Test(
    "the routing table: version 0 before the first, each update a new live version with history, stale and bad updates refused, audited"
  )
  func routingTable() async throws {
    try await RequestFixture.with { f in
      let empty = try await f.call(f.gridWorker) { try await f.requests.getRoutingTable(request: .init(), context: $0) }
      #expect(empty.version == 0 && empty.routes.isEmpty)
      let noTable = await rpcCode { _ = try await f.submit() }
      #expect(noTable?.0 == .failedPrecondition)

      let first = try await f.setRoutes()
      #expect(first.version == 1 && first.routes.map(\.category) == ["noise", "housing"] && first.history.isEmpty)
      #expect(first.routes[0].workingDays == [2, 3, 4, 5] && first.createdBy == "admin")
      let stale = await rpcCode { try await f.setRoutes() }
      #expect(stale?.0 == .aborted)
      let second = try await f.setRoutes([RequestFixture.route("noise", "Noise", lowest: .community, days: [1, 2, 3])], expected: 1)
      #expect(second.version == 2 && second.history == [1])
      var old = Civicgrid_V1_GetRoutingTableRequest()
      old.version = 1
      let kept = try await f.call(f.gridWorker) { try await f.requests.getRoutingTable(request: old, context: $0) }
      #expect(kept.version == 1 && kept.routes.count == 2 && kept.history == [2])
      #expect(try await f.pool.query("SELECT count(*) FROM request_routing_versions WHERE status = 'live'").scalar(Int.self) == 1)

      for (field, routes) in [
        ("routes[0].department_code", [RequestFixture.route("noise", "Noise", lowest: .grid, days: [1, 2, 3, 4], department: "NOPE")]),
        ("routes[0].working_days", [RequestFixture.route("noise", "Noise", lowest: .grid, days: [1, 2])]),
        ("routes[0].lowest_tier", [RequestFixture.route("noise", "Noise", lowest: .unspecified, days: [1])]),
        (
          "routes[1].category",
          [RequestFixture.route("a", "A", lowest: .district, days: [1]), RequestFixture.route("a", "A", lowest: .district, days: [1])]
        ),
        ("routes", []),
      ] {
        let refused = await rpcCode { try await f.setRoutes(routes, expected: 2) }
        #expect(refused?.0 == .invalidArgument && refused?.1.hasPrefix(field) == true, "\(field): \(String(describing: refused))")
      }
      let streetAdmin = f.base.principal("admin-s01", "S01", [.admin])
      var update = Civicgrid_V1_UpdateRoutingTableRequest()
      update.routes = RequestFixture.standardRoutes
      update.expectedVersion = 2
      let denied = await rpcCode {
        _ = try await f.call(streetAdmin) { try await f.requests.updateRoutingTable(request: update, context: $0) }
      }
      #expect(denied?.0 == .permissionDenied)
      let audits = try await f.pool.query("SELECT object FROM audit_log WHERE object LIKE 'routing-table/%' ORDER BY id").rows.map {
        try $0.decode(String.self, at: 0)
      }
      #expect(audits == ["routing-table/1", "routing-table/2"])
    }
  }

  @Test("intake starts at the lowest tier able to handle the category, records the first receiver; PreviewRoute shows the same ladder")
  func intakeRouting() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let noise = try await f.submit()
      #expect(noise.case.kind == "citizenRequest" && noise.case.state == "atTier")
      #expect(noise.tiers.map(\.unitCode) == ["G01", "C01", "S01", "HUD"])
      #expect(noise.tiers.map(\.workingDays) == [2, 3, 4, 5])
      #expect(noise.taskUnits == ["G01"] && noise.currentTier == 0)
      #expect(noise.receivedBy == "gw-g01" && noise.case.unitCode == "G01" && noise.channel == .gridWorker)

      let housing = try await f.submit(f.submission(category: "housing", channel: .hotline, unit: "G01"), as: f.hotline)
      #expect(housing.tiers.map(\.tier) == [.street, .district] && housing.taskUnits == ["S01"])
      #expect(housing.receivedBy == "hotline" && housing.case.unitCode == "D01")

      var preview = Civicgrid_V1_PreviewRouteRequest()
      preview.category = "noise"
      preview.unitCode = "C01"
      let route = try await f.call(f.hotline) { try await f.requests.previewRoute(request: preview, context: $0) }
      #expect(route.routingVersion == 1 && route.tiers.map(\.unitCode) == ["C01", "S01", "HUD"], "a community has no grid tier")
      let audit = try await f.pool.query("SELECT summary FROM audit_log WHERE object = $1", ["request/\(noise.id)"]).scalar(String.self)
      #expect(audit?.contains("grid G01 2 wd → community C01 3 wd → street S01 4 wd → district HUD 5 wd") == true)
    }
  }

  @Test(
    "every transition and its refusal: tier replies and escalations by the tier's unit only, the citizen's answer by the receiver, the visit once"
  )
  func transitions() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      var request = try await f.submit()
      // Only the tier's unit acts on its tier: the community cannot answer for the grid.
      let foreign = await rpcCode { _ = try await f.reply(request, as: f.community) }
      #expect(foreign?.0 == .notFound)
      let early = await rpcCode { _ = try await f.confirm(request, accepted: true) }
      #expect(early?.0 == .failedPrecondition)
      let stale = await rpcCode {
        var old = request
        old.case.version = 99
        _ = try await f.reply(old, as: f.gridWorker)
      }
      #expect(stale?.0 == .aborted)

      request = try await f.escalate(request, as: f.gridWorker, "needs the residents' committee")
      #expect(request.taskUnits == ["G01", "C01"] && request.currentTier == 1 && request.case.state == "atTier")
      #expect(request.case.tasks[0].state == "denied" && request.case.tasks[0].opinion == "escalated: needs the residents' committee")
      let gone = await rpcCode { _ = try await f.reply(request, as: f.gridWorker) }
      #expect(gone?.0 == .notFound, "the grid no longer holds it")
      // A supervisor whose scope holds the tier may escalate; the other grid's worker sees nothing.
      let hidden = await rpcCode { _ = try await f.get(request.id, as: f.otherGridWorker) }
      #expect(hidden?.0 == .notFound)

      request = try await f.reply(request, as: f.community, "the tenant agreed to quiet hours")
      #expect(request.case.state == "replied" && request.reply == "the tenant agreed to quiet hours")
      let twice = await rpcCode { _ = try await f.reply(request, as: f.community) }
      #expect(twice?.0 == .notFound || twice?.0 == .failedPrecondition)
      let notReceiver = await rpcCode { _ = try await f.confirm(request, accepted: true, as: f.otherGridWorker) }
      #expect(notReceiver?.0 == .notFound)
      let noNote = await rpcCode { _ = try await f.confirm(request, accepted: false) }
      #expect(noNote?.0 == .invalidArgument && noNote?.1.hasPrefix("note") == true)

      request = try await f.confirm(request, accepted: true, note: "quiet now")
      #expect(request.case.state == "completed" && request.case.approved)

      // The citizen's rating goes through the existing loop: RateCase at completion.
      var rating = Civicgrid_V1_RateCaseRequest()
      rating.caseID = request.id
      rating.moment = .completion
      rating.level = .satisfied
      rating.channel = "hotline"
      let rated = try await f.call(f.hotline) { try await EvaluationService(store: f.pool).rateCase(request: rating, context: $0) }
      #expect(rated.caseID == request.id && rated.unitCode == "G01", "rated against the first receiver's unit")

      var visit = Civicgrid_V1_RecordRequestVisitRequest()
      visit.requestID = request.id
      visit.expectedVersion = request.case.version
      visit.satisfied = true
      visit.note = "still quiet a week later"
      let visited = try await f.call(f.gridWorker) { try await f.requests.recordRequestVisit(request: visit, context: $0) }
      #expect(visited.visited && visited.visitSatisfied && visited.visitNote == "still quiet a week later")
      visit.expectedVersion = visited.case.version
      let again = await rpcCode {
        _ = try await f.call(f.gridWorker) { try await f.requests.recordRequestVisit(request: visit, context: $0) }
      }
      #expect(again?.0 == .failedPrecondition)

      let shown = try await f.get(request.id)
      #expect(shown.case.timeline.map(\.kind).contains("returnVisited"))
      let audits = try await f.pool.query("SELECT count(*) FROM audit_log WHERE object = $1", ["request/\(request.id)"]).scalar(Int.self)
      #expect(audits == 5, "submit, escalate, reply, confirm, visit")
    }
  }

  @Test("a rejected reply reopens at the same tier once, then escalates; at the top tier it closes unresolved")
  func rejection() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      var request = try await f.submit(f.submission(category: "housing", channel: .hotline, unit: "G01"), as: f.hotline)
      request = try await f.reply(request, as: f.street, "a plumber was sent")
      request = try await f.confirm(request, accepted: false, note: "still leaking", as: f.hotline)
      #expect(request.case.state == "atTier" && request.taskUnits == ["S01", "S01"], "reopened at the street")
      request = try await f.reply(request, as: f.street, "a second plumber was sent")
      request = try await f.confirm(request, accepted: false, note: "still leaking", as: f.hotline)
      #expect(request.taskUnits == ["S01", "S01", "HUD"] && request.currentTier == 1, "then the department")
      request = try await f.reply(request, as: f.department, "the pipe is replaced")
      request = try await f.confirm(request, accepted: false, note: "not convinced", as: f.hotline)
      #expect(request.taskUnits == ["S01", "S01", "HUD", "HUD"], "the top tier reopens once too")
      let top = await rpcCode { _ = try await f.escalate(request, as: f.department) }
      #expect(top?.0 == .failedPrecondition)
      request = try await f.reply(request, as: f.department, "inspected twice")
      request = try await f.confirm(request, accepted: false, note: "no", as: f.hotline)
      #expect(request.case.state == "unresolved" && !request.case.approved)
    }
  }

  @Test(
    "a tier whose time runs out is escalated by the sweeper on scripted time; warnings and the order proposal are recorded unchanged; the top tier stays"
  )
  func escalationOnTimeout() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let request = try await f.submit()
      let id = Int64(request.id.dropFirst())!
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: f.clock.reader)
      var escalations = 0
      // Two weeks, an hour at a time: grid (2 wd) → community (3) → street (4) → department (5, the top).
      for _ in 0..<(24 * 28) {
        f.clock.advance(seconds: 3600)
        escalations += try await sweeper.sweep().overdueCommands
      }
      let after = try await f.get(request.id)
      #expect(escalations == 3)
      #expect(after.taskUnits == ["G01", "C01", "S01", "HUD"])
      #expect(after.case.tasks.prefix(3).allSatisfy { $0.state == "denied" && $0.opinion.hasPrefix("escalated: time ran out at tier") })
      #expect(after.case.tasks[3].state == "pending" && after.case.state == "atTier")
      let alerts = try await f.pool.query(
        "SELECT kind, count(*) FROM supervision_alerts WHERE case_id = $1 GROUP BY kind ORDER BY kind",
        [id]
      ).rows.map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
      #expect(alerts == ["orderProposed=4", "urge=4", "warning=12"], "each tier's clock warned, urged and proposed once")
      let audits = try await f.pool.query(
        "SELECT count(*) FROM audit_log WHERE method = 'sweeper' AND object = $1",
        ["case/\(request.id)"]
      ).scalar(Int.self)
      #expect(audits == 3)
      let events = try await f.pool.query("SELECT by_party FROM case_events WHERE case_id = $1 AND kind = 'taskDenied'", [id]).rows.map {
        try $0.decode(String.self, at: 0)
      }
      #expect(events == ["system", "system", "system"])
    }
  }

  @Test("a request due for escalation while a transition holds it is left whole for that pass, nothing recorded, and escalated on the next")
  func escalationWaitsForHeldCase() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let request = try await f.submit()
      let id = Int64(request.id.dropFirst())!
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: f.clock.reader)
      try await sweeper.sweep()
      f.clock.advance(seconds: 7 * 86_400)  // the grid's two working days are over
      let held = try await f.pool.transaction { connection in
        try await connection.query("SELECT id FROM cases WHERE id = \(id) FOR UPDATE")
        return try await sweeper.sweep()
      }
      // Each of the pass's two workers may claim it and leave it; left, it is not counted as swept.
      #expect((1...2).contains(held.casesPostponed) && held.casesExamined == 0, "\(held)")
      #expect(held.changes == 0 && held.overdueCommands == 0, "\(held)")
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE case_id = \(id)").scalar(Int.self) == 0)
      #expect(try await f.get(request.id).taskUnits == ["G01"])
      let next = try await sweeper.sweep()
      #expect(next.overdueCommands == 1 && next.changes > 0, "\(next)")
      #expect(try await f.get(request.id).taskUnits == ["G01", "C01"])
    }
  }

  @Test("GetMetrics counts requests per tier unit: the grid escalated it, the community resolved it and replied on time")
  func metrics() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      var request = try await f.submit()
      f.clock.advance(seconds: 3600)
      request = try await f.escalate(request, as: f.gridWorker, "needs the committee")
      f.clock.advance(seconds: 3600)
      request = try await f.reply(request, as: f.community, "agreed")
      f.clock.advance(seconds: 3600)
      request = try await f.confirm(request, accepted: true)
      let evaluation = EvaluationService(store: f.pool, now: f.clock.reader)
      func figures(_ unit: String) async throws -> [String: Civicgrid_V1_IndicatorFigure] {
        var metrics = Civicgrid_V1_GetMetricsRequest()
        metrics.unitCode = unit
        metrics.period = "2026-03"
        return try await f.call(f.supervisor) { try await evaluation.getMetrics(request: metrics, context: $0) }.figures
          .reduce(into: [:]) { $0[$1.indicator] = $1 }
      }
      let grid = try await figures("G01")
      #expect(grid["request_resolution_rate"]?.value == 0 && grid["request_resolution_rate"]?.denominator == 1)
      #expect(grid["request_escalation_rate"]?.value == 1)
      #expect(grid["request_on_time_reply_rate"]?.denominator == 0, "escalated before its deadline: no reply owed")
      let community = try await figures("C01")
      #expect(community["request_resolution_rate"]?.value == 1 && community["request_escalation_rate"]?.value == 0)
      #expect(community["request_on_time_reply_rate"]?.value == 1 && community["request_on_time_reply_rate"]?.denominator == 1)
    }
  }

  @Test("the citizen's ID number and phone are masked for grid workers, supervisors and auditors, shown to clerks and handlers")
  func maskedPerRole() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let request = try await f.submit()
      for principal in [f.gridWorker, f.supervisor, f.auditor] {
        let seen = try await f.get(request.id, as: principal)
        #expect(seen.citizen.idNumber == "110***********1234" && seen.citizen.phone == "139****9000", "\(principal.login)")
        #expect(seen.case.applicant.idNumber == "110***********1234", "\(principal.login)")
        #expect(seen.citizen.name == "Li Na")
      }
      for principal in [f.hotline, f.base.principal("h-g01", "G01", [.handler])] {
        let seen = try await f.get(request.id, as: principal)
        #expect(seen.citizen.idNumber == "110101198001011234" && seen.citizen.phone == "13900139000", "\(principal.login)")
      }
    }
  }

  @Test("partner intake is idempotent: 50 parallel retries of one key make one request; another request under the key is refused")
  func idempotentIntake() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let keyless = await rpcCode { _ = try await f.submit(f.submission(channel: .online, unit: "G01"), as: f.partner) }
      #expect(keyless?.0 == .invalidArgument && keyless?.1.hasPrefix("idempotency_key") == true)
      let submission = f.submission(channel: .online, unit: "G01", key: "portal-77")
      let ids = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<50 { group.addTask { try await f.submit(submission, as: f.partner).id } }
        return try await group.reduce(into: [String]()) { $0.append($1) }
      }
      #expect(ids.count == 50 && Set(ids).count == 1)
      #expect(try await f.pool.query("SELECT count(*) FROM citizen_requests").scalar(Int.self) == 1)
      var other = submission
      other.description_p = "something else"
      let refused = await rpcCode { _ = try await f.submit(other, as: f.partner) }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasPrefix("idempotency_key") == true)
    }
  }

  @Test("bad input answers INVALID_ARGUMENT naming the field; channels need their role")
  func validation() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let cases: [(String, (inout Civicgrid_V1_SubmitRequestRequest) -> Void)] = [
        ("type", { $0.type = .unspecified }),
        ("category", { $0.category = "unknown" }),
        ("category", { $0.category = "" }),
        ("channel", { $0.channel = .unspecified }),
        ("citizen", { $0.clearCitizen() }),
        ("citizen.name", { $0.citizen.name = " " }),
        ("citizen.id_number", { $0.citizen.idNumber = "123" }),
        ("citizen.phone", { $0.citizen.phone = "12ab" }),
        ("description", { $0.description_p = "" }),
        ("unit_code", { $0.unitCode = "NOWHERE" }),
        ("unit_code", { $0.unitCode = "G02" }),
        ("idempotency_key", { $0.idempotencyKey = "has space" }),
      ]
      for (field, mutate) in cases {
        var request = f.submission()
        mutate(&request)
        let failure = await rpcCode { _ = try await f.submit(request) }
        #expect(failure?.0 == .invalidArgument && failure?.1.hasPrefix(field) == true, "\(field): \(String(describing: failure))")
      }
      let window = await rpcCode { _ = try await f.submit(f.submission(channel: .window)) }
      #expect(window?.0 == .permissionDenied)
      var badID = Civicgrid_V1_GetRequestRequest()
      badID.requestID = "42"
      let id = await rpcCode { _ = try await f.call(f.gridWorker) { try await f.requests.getRequest(request: badID, context: $0) } }
      #expect(id?.0 == .invalidArgument && id?.1.hasPrefix("request_id") == true)
      try await f.base.publishItem()
      let application = try await f.base.submitAndAccept()
      let notRequest = await rpcCode { _ = try await f.get(application.id, as: f.hotline) }
      #expect(notRequest?.0 == .notFound, "a service application is not a request")
    }
  }

  @Test("ListRequests: the caller's scope, filters by state, category and the unit holding it, pages with the shared token")
  func listing() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      let first = try await f.submit()
      let second = try await f.submit()
      _ = try await f.submit(f.submission(category: "housing", channel: .hotline, unit: "G01"), as: f.hotline)
      _ = try await f.escalate(second, as: f.gridWorker)
      func list(_ principal: Principal, _ change: (inout Civicgrid_V1_ListRequestsRequest) -> Void = { _ in }) async throws
        -> Civicgrid_V1_ListRequestsResponse
      {
        var request = Civicgrid_V1_ListRequestsRequest()
        change(&request)
        return try await f.call(principal) { try await f.requests.listRequests(request: request, context: $0) }
      }
      #expect(try await list(f.gridWorker).requests.map(\.id) == [second.id, first.id])
      #expect(try await list(f.hotline).requests.count == 3)
      #expect(try await list(f.otherGridWorker).requests.isEmpty)
      #expect(try await list(f.hotline) { $0.category = "housing" }.requests.count == 1)
      #expect(try await list(f.hotline) { $0.unitCode = "C01" }.requests.map(\.id) == [second.id])
      #expect(try await list(f.hotline) { $0.state = "replied" }.requests.isEmpty)
      let page = try await list(f.hotline) { $0.pageSize = 2 }
      #expect(page.requests.count == 2 && !page.nextPageToken.isEmpty)
      let rest = try await list(f.hotline) {
        $0.pageSize = 2
        $0.pageToken = page.nextPageToken
      }
      #expect(rest.requests.map(\.id) == [first.id] && rest.nextPageToken.isEmpty)
      let bad = await rpcCode { _ = try await list(f.hotline) { $0.pageToken = "12" } }
      #expect(bad?.0 == .invalidArgument)
    }
  }
}
