import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Synchronization
import Testing

/// Field events against a scratch PostgreSQL database (docs/GRID.md): the routing table,
/// routing of every category (into the Requests intake for requests and dispute leads), urgent
/// alerts seen by a subscriber on another pool and their escalation on scripted time,
/// self-handled sampling, idempotent reports and uploads under retries, and every refusal.
@Suite("Field events", .serialized, .timeLimit(.minutes(5)))
struct FieldEventsServiceTests {
  @Test("the event routing table: version 0 first, new live versions, stale and bad updates refused naming the field, audited")
  func routingTable() async throws {
    try await GridFixture.with { f in
      let empty = try await f.call(f.gridWorker) { try await f.events.getEventRouting(request: .init(), context: $0) }
      #expect(empty.version == 0 && empty.routes.isEmpty)
      let noTable = await rpcCode { _ = try await f.route(try await f.reportEvent()) }
      #expect(noTable?.0 == .failedPrecondition)

      let first = try await f.setRoutes()
      #expect(first.version == 1 && first.routes.count == 11 && first.acknowledgeMinutes == 15 && first.createdBy == "admin")
      let stale = await rpcCode { try await f.setRoutes() }
      #expect(stale?.0 == .aborted)
      for (field, routes, minutes) in [
        ("routes[0].department_code", [GridFixture.route(.other, .district, department: "NOPE")], Int32(15)),
        ("routes[0].department_code", [GridFixture.route(.other, .district)], 15),
        ("routes[0].tier", [GridFixture.route(.other, .grid)], 15),
        ("routes[0].tier", [GridFixture.route(.other, .unspecified)], 15),
        ("routes[0].category", [GridFixture.route(.unspecified, .street)], 15),
        ("routes[0].urgent_hours", [GridFixture.route(.other, .street, hours: 0)], 15),
        ("routes[0].working_days", [GridFixture.route(.other, .street, days: 0)], 15),
        ("routes[1].category", [GridFixture.route(.other, .street), GridFixture.route(.other, .street)], 15),
        ("acknowledge_minutes", [GridFixture.route(.other, .street)], 0),
        ("routes", [], 15),
      ] {
        let refused = await rpcCode { try await f.setRoutes(routes, minutes: minutes, expected: 1) }
        #expect(refused?.0 == .invalidArgument && refused?.1.hasPrefix(field) == true, "\(field): \(String(describing: refused))")
      }
      var update = Civicgrid_V1_UpdateEventRoutingRequest()
      update.routes = GridFixture.standardRoutes
      update.acknowledgeMinutes = 5
      update.expectedVersion = 1
      let streetAdmin = f.base.base.principal("admin-s01", "S01", [.admin])
      let denied = await rpcCode {
        _ = try await f.call(streetAdmin) { try await f.events.updateEventRouting(request: update, context: $0) }
      }
      #expect(denied?.0 == .permissionDenied)
      let second = try await f.setRoutes(minutes: 5, expected: 1)
      #expect(second.version == 2 && second.acknowledgeMinutes == 5)
      let audits = try await f.pool.query("SELECT object FROM audit_log WHERE object LIKE 'event-routing/%' ORDER BY id").rows.map {
        try $0.decode(String.self, at: 0)
      }
      #expect(audits == ["event-routing/1", "event-routing/2"])
    }
  }

  /// Where each category goes from grid G01: a unit with its working-day limit, or a request.
  static let expectedRoutes: [(Civicgrid_V1_FieldEventCategory, String, Int32)] = [
    (.safetyHazard, "S01", 3), (.publicSecurity, "PS", 2), (.drugControl, "PS", 5), (.urbanManagement, "UM", 4),
    (.ethnicReligious, "S01", 5), (.peopleInDifficulty, "C01", 2), (.environment, "S01", 3), (.facilities, "C01", 4),
    (.disputeLead, "request:noise", 0), (.other, "S01", 5), (.citizenRequest, "request:housing", 0),
  ]

  @Test("routing for every category: a task on the route's unit within its working days, or a request in the tiered routing")
  func routingEveryCategory() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.setRoutes()
      #expect(Set(Self.expectedRoutes.map(\.0)).count == 11)
      for (category, target, days) in Self.expectedRoutes {
        let reported = try await f.reportEvent(f.report(category))
        #expect(reported.case.state == "reported" && reported.case.kind == "fieldEvent" && reported.gridCode == "G01")
        let routed = try await f.route(reported)
        if target.hasPrefix("request:") {
          #expect(routed.case.state == "forwarded" && !routed.requestID.isEmpty, "\(category)")
          let request = try await f.base.get(routed.requestID)
          #expect(request.category == String(target.dropFirst("request:".count)) && request.channel == .gridWorker, "\(category)")
          #expect(request.case.unitCode == "G01" || request.receivedBy == "gw-g01")
          // Routing again answers FAILED_PRECONDITION; the request made under the event's key stays one.
          let again = await rpcCode { _ = try await f.route(routed) }
          #expect(again?.0 == .failedPrecondition)
        } else {
          #expect(routed.case.state == "routed" && routed.handlingUnitCode == target && routed.routingVersion == 1, "\(category)")
          #expect(routed.case.tasks.map(\.unitCode) == [target], "\(category)")
          #expect(routed.case.tasks.first?.clock.limitWorkingDays == days, "\(category)")
        }
      }
      let requests = try await f.pool.query("SELECT count(*) FROM citizen_requests").scalar(Int.self)
      #expect(requests == 2)
      let audited = try await f.pool.query("SELECT count(*) FROM audit_log WHERE object LIKE 'field-event/%'").scalar(Int.self)
      #expect(audited == 22)
    }
  }

  @Test("routed handling: the unit's staff handle with evidence, another unit gets NOT_FOUND; the grid closes; the limit is the route's")
  func routedHandling() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let routed = try await f.route(try await f.reportEvent(f.report(.urbanManagement)))
      #expect(routed.case.tasks.first?.clock.limitWorkingDays == 4)
      let stranger = await rpcCode { _ = try await f.handle(routed, as: f.handler("PS")) }
      #expect(stranger?.0 == .notFound)
      let worker = await rpcCode { _ = try await f.handle(routed) }
      #expect(worker?.0 == .notFound)
      let handled = try await f.handle(routed, as: f.handler("UM"))
      #expect(handled.case.state == "handled" && !handled.selfHandled && handled.evidence == "cleared, photo attached")
      let otherGrid = await rpcCode { _ = try await f.close(handled, as: f.otherGridWorker) }
      #expect(otherGrid?.0 == .notFound)
      let closed = try await f.close(handled)
      #expect(closed.case.state == "closed")
      var get = Civicgrid_V1_GetEventRequest()
      get.eventID = closed.id
      let seen = try await f.call(f.handler("UM")) { try await f.events.getEvent(request: get, context: $0) }
      #expect(seen.case.timeline.count >= 5)
      let hidden = await rpcCode { _ = try await f.call(f.handler("PS")) { try await f.events.getEvent(request: get, context: $0) } }
      #expect(hidden?.0 == .notFound)
    }
  }

  @Test("urgent: routed at once on hours, alerts reach a subscriber on another pool, each recipient acknowledges, the rest escalate once")
  func urgentAlerts() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let database = try await f.pool.query("SELECT current_database()::text").scalar(String.self)!
      let other = StorePool(
        configuration: try ServiceHarness.storeConfiguration(database: database, poolSize: 4),
        logger: CaseFixture.logger
      )
      do {
        try await Self.urgentAlerts(f, watchingOn: other)
      } catch {
        await other.close()
        throw error
      }
      await other.close()
    }
  }

  /// The urgent-alert test with a subscriber on `other`, a second pool on the same database.
  static func urgentAlerts(_ f: GridFixture, watchingOn other: StorePool) async throws {
    let watcher = SupervisionService(store: other)
    let probe = AlertCollector()
    var watch = Civicgrid_V1_WatchAlertsRequest()
    watch.filter.kinds = [.urgentEvent, .urgentEscalated]
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { [watch] in
        _ = await rpcCode {
          try await f.call(f.supervisor) {
            try await watcher.watchAlerts(request: watch, response: RPCWriter(wrapping: probe), context: $0)
          }
        }
      }
      defer { group.cancelAll() }
      // The subscriber is listening before the report (an empty feed answers nothing yet).
      try await Task.sleep(for: .milliseconds(300))
      let urgent = try await f.reportEvent(f.report(.safetyHazard, urgent: true))
      #expect(urgent.case.state == "routed" && urgent.urgent && urgent.handlingUnitCode == "S01")
      #expect(urgent.case.tasks.map(\.unitCode) == ["S01"] && urgent.case.tasks.first?.clock.limitWorkingHours == 2)
      let arrived = try await probe.wait(count: 2, within: .seconds(10))
      #expect(arrived.map(\.kind) == [.urgentEvent, .urgentEvent])
      #expect(Set(arrived.map(\.unitCode)) == ["G01", "S01"] && arrived.allSatisfy { $0.caseID == urgent.id })

      let recipients = try await f.acknowledge(urgent, as: f.supervisor)
      #expect(recipients.recipients.map(\.login).sorted() == ["", "sup", "sup-s01"])
      #expect(recipients.recipients.first { $0.login == "sup" }?.hasAcknowledgedAt == true)
      #expect(recipients.recipients.first { $0.login == "sup-s01" }?.hasAcknowledgedAt == false)
      let notAddressed = await rpcCode { _ = try await f.acknowledge(urgent, as: f.handler("HR")) }
      #expect(notAddressed?.0 == .notFound)

      let escalation = UrgentEscalation(store: f.pool)
      f.clock.advance(seconds: 14 * 60)
      #expect(try await escalation.pass(at: f.clock.now) == 0)
      f.clock.advance(seconds: 2 * 60)
      #expect(try await escalation.pass(at: f.clock.now) == 2)
      #expect(try await escalation.pass(at: f.clock.now) == 0)
      let escalated = try await probe.wait(count: 4, within: .seconds(10)).dropFirst(2)
      #expect(escalated.allSatisfy { $0.kind == .urgentEscalated && $0.unitCode == "D01" })
      let late = try await f.acknowledge(urgent, as: f.streetHandler)
      #expect(late.recipients.first { $0.login.isEmpty }.map { $0.hasAcknowledgedAt && $0.hasEscalatedAt } == true)
    }
  }

  @Test(
    "self-handled sampling: every 3rd environment event handled on the spot gets the street's check; confirmed or sent back to be routed"
  )
  func sampling() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      var handled: [Civicgrid_V1_FieldEvent] = []
      for n in 1...6 {
        handled.append(try await f.handle(try await f.reportEvent(f.report(.environment, address: "\(n) Elm Street"))))
      }
      #expect(handled.map(\.case.state) == ["handled", "handled", "checking", "handled", "handled", "checking"])
      #expect(handled.map(\.sampledForCheck) == [false, false, true, false, false, true] && handled.allSatisfy(\.selfHandled))
      #expect(handled[2].case.tasks.map(\.unitCode) == ["S01"])
      // Other categories (no sampling) are never checked.
      let other = try await f.handle(try await f.reportEvent(f.report(.other)))
      #expect(other.case.state == "handled")
      let notTheStreet = await rpcCode { _ = try await f.check(handled[2], confirmed: true, as: f.communityHandler) }
      #expect(notTheStreet?.0 == .notFound)
      let noNote = await rpcCode { _ = try await f.check(handled[2], confirmed: false) }
      #expect(noNote?.0 == .invalidArgument && noNote?.1.hasPrefix("note") == true)
      let confirmed = try await f.check(handled[2], confirmed: true)
      #expect(confirmed.case.state == "handled")
      let failed = try await f.check(handled[5], confirmed: false, note: "bins still overflowing")
      #expect(failed.case.state == "reported")
      let rerouted = try await f.route(failed)
      #expect(rerouted.case.state == "routed" && rerouted.case.tasks.map(\.unitCode) == ["S01", "S01"])
      let otherGrid = await rpcCode { _ = try await f.handle(try await f.reportEvent(), as: f.otherGridWorker) }
      #expect(otherGrid?.0 == .notFound)
    }
  }

  @Test(
    "idempotent reports: 20 racing retries of one key make one event; an upload answers in order, refuses one by field, retried makes no duplicates"
  )
  func idempotentUpload() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let request = f.report(.facilities, grid: "G01", key: "phone-1/2026-03-02/1")
      let ids = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<20 { group.addTask { try await f.reportEvent(request, as: f.partner).id } }
        return try await group.reduce(into: Set<String>()) { $0.insert($1) }
      }
      #expect(ids.count == 1)
      var changed = request
      changed.location = "elsewhere"
      let reused = await rpcCode { _ = try await f.reportEvent(changed, as: f.partner) }
      #expect(reused?.0 == .failedPrecondition)
      let unkeyed = await rpcCode { _ = try await f.reportEvent(f.report(grid: "G01"), as: f.partner) }
      #expect(unkeyed?.0 == .invalidArgument && unkeyed?.1.hasPrefix("idempotency_key") == true)

      var reports = (0..<5).map { f.report(.environment, address: "\($0) Oak Road", key: "phone-2/\($0)") }
      reports[2].location = ""
      let upload: @Sendable () async throws -> Civicgrid_V1_UploadEventsResponse = { [reports] in
        let (stream, continuation) = AsyncThrowingStream<Civicgrid_V1_ReportEventRequest, any Error>.makeStream()
        for report in reports { continuation.yield(report) }
        continuation.finish()
        return try await f.call(f.gridWorker) { try await f.events.uploadEvents(request: RPCAsyncSequence(wrapping: stream), context: $0) }
      }
      let first = try await upload()
      #expect(first.results.map(\.index) == [0, 1, 2, 3, 4])
      #expect(first.results.map(\.code) == [0, 0, 3, 0, 0])
      #expect(first.results[2].message.hasPrefix("location") && !first.results[2].hasEvent)
      // In order: the events answered are those of reports 0, 1, 3 and 4 (their places masked for
      // the grid worker, so read from the table).
      #expect(first.results.filter(\.hasEvent).map(\.event.location) == ["***", "***", "***", "***"])
      var places: [String] = []
      for result in first.results where result.hasEvent {
        let id = try #require(Int64(result.event.id.dropFirst()))
        places.append(try await f.pool.query("SELECT address FROM field_events WHERE case_id = \(id)").scalar(String.self) ?? "")
      }
      #expect(places == ["0 Oak Road", "1 Oak Road", "3 Oak Road", "4 Oak Road"])
      let retries = try await withThrowingTaskGroup(of: Civicgrid_V1_UploadEventsResponse.self) { group in
        for _ in 0..<5 { group.addTask { try await upload() } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      for retry in retries { #expect(retry.results.map(\.event.id) == first.results.map(\.event.id)) }
      let count = try await f.pool.query("SELECT count(*) FROM field_events").scalar(Int.self)
      #expect(count == 5)
    }
  }

  @Test("every refusal of a report names its field; commands refuse stale versions, wrong states, missing evidence and strangers")
  func refusals() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.setRoutes()
      func refused(_ field: String, _ change: (inout Civicgrid_V1_ReportEventRequest) -> Void) async {
        var request = f.report()
        change(&request)
        let answer = await rpcCode { _ = try await f.reportEvent(request) }
        #expect(answer?.0 == .invalidArgument && answer?.1.hasPrefix(field) == true, "\(field): \(String(describing: answer))")
      }
      await refused("category") { $0.category = .unspecified }
      await refused("grid_code") { $0.gridCode = "C01" }
      await refused("grid_code") { $0.gridCode = "NOPE" }
      await refused("location") { $0.location = " " }
      await refused("description") { $0.description_p = "" }
      await refused("point.latitude") { $0.point.latitude = 91 }
      await refused("point.longitude") { $0.point.longitude = -181 }
      await refused("attachments[0].uri") { $0.attachments[0].uri = "ftp://x" }
      await refused("attachments[0].sha256") { $0.attachments[0].sha256 = "ABC" }
      await refused("attachments[0].size") { $0.attachments[0].size = 0 }
      await refused("attachments[0].media_type") { $0.attachments[0].mediaType = "jpeg" }
      await refused("attachments") { $0.attachments = Array(repeating: $0.attachments[0], count: 21) }
      await refused("resident.name") { $0.resident.name = "" }
      await refused("resident.phone") {
        $0.resident.name = "Wang Fang"
        $0.resident.phone = "call me"
      }
      await refused("idempotency_key") { $0.idempotencyKey = "has spaces in it" }
      let outside = await rpcCode { _ = try await f.reportEvent(f.report(grid: "G01"), as: f.handler("HR")) }
      #expect(outside?.0 == .invalidArgument)

      let event = try await f.reportEvent()
      var stale = event
      stale.case.version += 1
      #expect(await rpcCode { _ = try await f.route(stale) }?.0 == .aborted)
      #expect(await rpcCode { _ = try await f.close(event) }?.0 == .failedPrecondition)
      let noEvidence = await rpcCode { _ = try await f.handle(event, evidence: "") }
      #expect(noEvidence?.0 == .invalidArgument && noEvidence?.1.hasPrefix("evidence") == true)
      #expect(await rpcCode { _ = try await f.route(event, as: f.otherGridWorker) }?.0 == .notFound)
      var bad = Civicgrid_V1_RouteEventRequest()
      bad.eventID = "nonsense"
      let badID = await rpcCode { _ = try await f.call(f.gridWorker) { try await f.events.routeEvent(request: bad, context: $0) } }
      #expect(badID?.0 == .invalidArgument && badID?.1.hasPrefix("event_id") == true)
      // A case of another kind is no event.
      let request = try await f.base.submit(f.base.submission())
      var asEvent = Civicgrid_V1_CloseEventRequest()
      asEvent.eventID = request.id
      asEvent.expectedVersion = request.case.version
      #expect(
        await rpcCode { _ = try await f.call(f.gridWorker) { try await f.events.closeEvent(request: asEvent, context: $0) } }?.0
          == .notFound
      )
      // The resident's personal data is stored whole and masked for roles that may not see it, as on cases.
      var withResident = f.report()
      withResident.resident.name = "Wang Fang"
      withResident.resident.phone = "13900139000"
      let stored = try await f.reportEvent(withResident)
      #expect(stored.resident.name == "Wang Fang", "\(stored.resident)")
      #expect(stored.resident.phone == "139****9000", "\(stored.resident)")
      let number = try #require(Int64(stored.id.dropFirst()))
      let kept = try await f.pool.query("SELECT applicant_phone FROM cases WHERE id = $1", [number]).scalar(String.self)
      #expect(kept == "13900139000")
      #expect(stored.case.applicant.name == "Wang Fang", "\(stored.case.applicant)")

      var list = Civicgrid_V1_ListEventsRequest()
      list.category = .environment
      let listed = try await f.call(f.supervisor) { try await f.events.listEvents(request: list, context: $0) }
      #expect(listed.events.map(\.id) == [stored.id, event.id])
      let foreign = try await f.call(f.handler("HR")) { try await f.events.listEvents(request: .init(), context: $0) }
      #expect(foreign.events.isEmpty)
    }
  }
}

/// Collects streamed alerts; `wait` returns once `count` have arrived (bounded, never a timing assertion).
final class AlertCollector: RPCWriterProtocol, Sendable {
  private let alerts = Mutex<[Civicgrid_V1_Alert]>([])

  func write(_ element: Civicgrid_V1_Alert) async throws { self.alerts.withLock { $0.append(element) } }

  func write(contentsOf elements: some Sequence<Civicgrid_V1_Alert>) async throws {
    for element in elements { try await self.write(element) }
  }

  struct TimedOut: Error {}

  func wait(count: Int, within limit: Duration) async throws -> [Civicgrid_V1_Alert] {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      let seen = self.alerts.withLock { $0 }
      if seen.count >= count { return seen }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut()
  }
}
