import CivicDomain
import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Field events where two writers meet (docs/GRID.md, "Routing"): forwarding to the Requests
/// intake in the route's one transaction (racing routers make one request, a refused route
/// none), the routing table read and held inside the command's transaction, and the event's
/// place masked as personal data by role.
@Suite("Field events: one transaction, one table version, masked places", .serialized, .timeLimit(.minutes(5)))
struct FieldEventConsistencyTests {
  @Test("racing routers forward a request event once: one request, the others ABORTED or FAILED_PRECONDITION; a refused route makes no request")
  func racingForward() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.setRoutes()
      let event = try await f.reportEvent(f.report(.citizenRequest))
      // Distinct accounts, so the intake's own idempotency key (per account) cannot be what saves us.
      let routers = [f.gridWorker, f.supervisor, f.streetSupervisor]
      let outcomes = await withTaskGroup(of: (String?, RPCError.Code?).self) { group in
        for n in 0..<9 {
          group.addTask {
            var forwarded: String?
            let refused = await rpcCode { forwarded = try await f.route(event, as: routers[n % routers.count]).requestID }
            return (forwarded, refused?.0)
          }
        }
        return await group.reduce(into: []) { $0.append($1) }
      }
      let forwarded = outcomes.compactMap(\.0)
      #expect(forwarded.count == 1, "\(outcomes)")
      #expect(outcomes.compactMap(\.1).allSatisfy { $0 == .aborted || $0 == .failedPrecondition }, "\(outcomes)")
      let requests = try await f.pool.query("SELECT case_id FROM citizen_requests").rows.map { try $0.decode(Int64.self, column: "case_id") }
      #expect(requests.count == 1)
      let linked = try await f.pool.query("SELECT request_case_id FROM field_events").scalar(Int64.self)
      #expect(linked == requests.first && forwarded.first == requests.first.map { String(format: "C%08d", $0) })
      let audited = try await f.pool.query("SELECT count(*) FROM audit_log WHERE object LIKE 'request/%'").scalar(Int.self)
      #expect(audited == 1)

      // A refused forward (stale version) leaves no request behind.
      let lead = try await f.reportEvent(f.report(.disputeLead))
      var stale = lead
      stale.case.version += 1
      #expect(await rpcCode { _ = try await f.route(stale) }?.0 == .aborted)
      let after = try await f.pool.query("SELECT count(*) FROM citizen_requests").scalar(Int.self)
      #expect(after == 1)
      let still = try await f.route(lead)
      #expect(still.case.state == "forwarded" && still.requestID != forwarded.first)
    }
  }

  @Test("a route waits for a table update in flight and acts on, and records, the version that update publishes")
  func routeReadsTheTableInItsTransaction() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      let event = try await f.reportEvent(f.report(.facilities))
      // Version 2 sends facilities to the street instead of the community.
      let v2 = EventRoutingTable(
        routes: [EventRoutingTable.Route(category: .facilities, tier: .street, department: "", workingDays: 6, urgentHours: 4, checkOneIn: 0, requestCategory: "")],
        acknowledgeMinutes: 15
      )
      let (locked, lockedSignal) = AsyncStream<Void>.makeStream()
      let (release, releaseSignal) = AsyncStream<Void>.makeStream()
      async let update: Void = f.pool.transaction { connection in
        let tables = EventRoutingRepository(connection)
        _ = try await tables.live(hold: .update)
        try await tables.publish(v2, version: 2, by: "admin")
        lockedSignal.yield()
        for await _ in release { break }
      }
      for await _ in locked { break }
      async let routed = f.route(event)
      // Until the route's read of the table queues behind the update's lock (bounded: a route
      // that does not wait finishes, and the expectations below then fail).
      var waiting = 0
      for _ in 0..<2000 where waiting == 0 {
        waiting = try await f.pool.query(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).scalar(Int.self) ?? 0
        if waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
      }
      releaseSignal.yield()
      try await update
      let answer = try await routed
      #expect(waiting == 1)
      #expect(answer.routingVersion == 2 && answer.handlingUnitCode == "S01", "\(answer.routingVersion) \(answer.handlingUnitCode)")
      #expect(answer.case.tasks.first?.clock.limitWorkingDays == 6)
      let recorded = try await f.pool.query("SELECT routing_version FROM field_events").scalar(Int.self)
      #expect(recorded == 2)
    }
  }

  @Test("an event's location and point are personal data: full for clerks and handlers, masked (and the point left out) for every other role")
  func locationMaskedByRole() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      var report = f.report(.peopleInDifficulty, urgent: true, address: "Elm Street 12, flat 3")
      report.point.latitude = 39.9042
      report.point.longitude = 116.4074
      let reported = try await f.reportEvent(report)
      // The reporting grid worker gets its own report back masked; the street's handler reads it in full.
      #expect(reported.location == "***" && !reported.hasPoint)
      var get = Civicgrid_V1_GetEventRequest()
      get.eventID = reported.id
      let event = try await f.call(f.streetHandler) { try await f.events.getEvent(request: get, context: $0) }
      #expect(event.location == "Elm Street 12, flat 3" && event.hasPoint)
      // Texts shown unmasked carry the grid, never the place.
      #expect(!event.case.applicant.name.contains("Elm") && event.case.applicant.name.contains("G01"))
      let alerts = try await f.pool.query("SELECT summary FROM supervision_alerts").rows.map { try $0.decode(String.self, column: "summary") }
      #expect(!alerts.isEmpty && alerts.allSatisfy { !$0.contains("Elm") })

      var list = Civicgrid_V1_ListEventsResponse()
      list.events = [event]
      var stats = Civicgrid_V1_GridStats()
      var repeated = Civicgrid_V1_RepeatLocation()
      repeated.gridCode = "G01"
      repeated.location = "Elm Street 12, flat 3"
      repeated.events = 3
      stats.repeatLocations = [repeated]
      for role in Role.allCases {
        let principal = f.base.base.principal("x-\(role.rawValue)", "D01", [role])
        let sees = role == .clerk || role == .handler
        for answered in try await PersonalDataRegistryTests.answer(event, to: principal) {
          #expect(answered.location == (sees ? "Elm Street 12, flat 3" : "***"), "\(role)")
          #expect(answered.hasPoint == sees && (!sees || answered.point.latitude == 39.9042), "\(role)")
          #expect(answered.description_p == event.description_p && answered.case.id == event.case.id, "\(role): other fields untouched")
        }
        for answered in try await PersonalDataRegistryTests.answer(list, to: principal) {
          #expect(answered.events.map(\.location) == [sees ? "Elm Street 12, flat 3" : "***"], "\(role)")
        }
        for answered in try await PersonalDataRegistryTests.answer(stats, to: principal) {
          #expect(answered.repeatLocations.map(\.location) == [sees ? "Elm Street 12, flat 3" : "***"], "\(role)")
          #expect(answered.repeatLocations.map(\.events) == [3])
        }
      }
      let anonymous = try await PersonalDataRegistryTests.answer(event, to: nil)
      #expect(anonymous.allSatisfy { $0.location == "***" && !$0.hasPoint })
    }
  }
}
