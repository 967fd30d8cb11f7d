import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Routing, handling, the street's check and closing, each through `CaseExecutor`.
extension FieldEventsService {
  /// Routes by the live table: a task on the route's unit (working days), or, for a category
  /// routed to requests, a citizen's request through the Requests intake (its tiered routing),
  /// made first with the key `field-event/<id>` so a retried route finds the same request.
  public func routeEvent(request: Civicgrid_V1_RouteEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.eventID, field: "event_id")
    let now = self.now()
    let (live, event) = try await self.store.withConnection { connection in
      guard let event = try await FieldEventRepository(connection).load(id), principal.scope.contains(path: event.gridPath) else {
        throw DomainError.notFound("event \(CaseNumber.format(id))")
      }
      guard let live = try await EventRoutingRepository(connection).live() else {
        throw DomainError.precondition("the event routing table", "has no version yet; an admin sets it with UpdateEventRouting")
      }
      return (live, event)
    }
    guard let route = live.table.route(for: event.category) else {
      throw DomainError.precondition("category \(event.category.rawValue)", "is not in event routing table version \(live.version)")
    }
    if !route.requestCategory.isEmpty {
      let forwarded = try await self.forward(event, requestCategory: route.requestCategory, by: principal, context: context)
      let requestID = try CaseNumber.parse(forwarded.id, field: "request_id")
      return try await self.command(request.eventID, request.expectedVersion, name: "forwarded as request \(forwarded.id)", by: .grid) {
        _ in
        .forward(request: forwarded.id)
      } after: { context, _ in
        try await FieldEventRepository(context.connection).recordForward(context.record.id, version: live.version, requestID: requestID)
      }
    }
    return try await self.command(request.eventID, request.expectedVersion, name: "routed", by: .grid) { context in
      guard let places = try await CitizenRequestRepository(context.connection).places(of: event.gridCode)?.places,
        case .unit(let unit, let limit)? = route.target(places: places, urgent: event.urgent)
      else {
        throw DomainError.precondition(
          "category \(event.category.rawValue)",
          "routes to \(route.tier.rawValue), which grid \(event.gridCode) has no unit of"
        )
      }
      return .route(unit: unit, limit: limit)
    } after: { context, change in
      guard let unit = change.case.tasks.last?.unit, let found = try await UnitRepository(context.connection).idAndPath(code: unit.rawValue)
      else {
        throw DomainError.precondition("category \(event.category.rawValue)", "routes to a unit that does not exist")
      }
      try await FieldEventRepository(context.connection).recordRouting(context.record.id, version: live.version, unitID: found.id)
    }
  }

  /// The Requests intake makes the request (its validation, routing and audit), as the
  /// caller, keyed by the event so that a retry answers the same request.
  private func forward(
    _ event: FieldEventRecord,
    requestCategory: String,
    by principal: Principal,
    context: ServerContext
  ) async throws -> Civicgrid_V1_CitizenRequest {
    let loaded = try await self.store.withConnection { connection in
      try await CaseRepository(connection).load(event.caseID, visibleIn: principal.scope.sqlRange, lock: false)
    }
    guard let record = loaded else { throw DomainError.notFound("event \(CaseNumber.format(event.caseID))") }
    var submission = Civicgrid_V1_SubmitRequestRequest()
    submission.type = event.category == .disputeLead ? .report : .help
    submission.category = requestCategory
    submission.channel = principal.has(.gridWorker) ? .gridWorker : .mobile
    submission.citizen.name = event.residentNamed(record) ? record.value.applicant : "resident at \(String(event.address.prefix(80)))"
    submission.citizen.idNumber = record.applicantIDNumber
    submission.citizen.phone = record.applicantPhone
    submission.description_p = String("\(event.description) (field event \(record.number), \(event.address))".prefix(4000))
    submission.unitCode = event.gridCode
    submission.idempotencyKey = "field-event/\(record.number)"
    return try await RequestsService(store: self.store, now: self.now).submitRequest(request: submission, context: context)
  }

  /// Handled with evidence: on the spot by the grid's worker while reported (sampled for the
  /// street's check every Nth of the category), or by the handling unit's staff once routed.
  public func handleEvent(request: Civicgrid_V1_HandleEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let evidence = try Require.text("evidence", request.evidence, max: 4000)
    let attachments = try FieldEventMapping.attachments(request.attachments, field: "attachments")
    return try await self.command(request.eventID, request.expectedVersion, name: "handled", by: .handler) { context in
      guard context.record.value.state == .reported else { return .handle(evidence: evidence) }
      guard let event = try await FieldEventRepository(context.connection).load(context.record.id) else {
        throw DomainError.notFound("event \(context.number)")
      }
      let route = try await EventRoutingRepository(context.connection).live()?.table.route(for: event.category)
      guard let route, route.checkOneIn > 0 else { return .handleOnSpot(evidence: evidence, check: nil) }
      let ordinal = try await FieldEventRepository(context.connection).nextSelfHandledOrdinal(event.category)
      guard route.checks(ordinal: ordinal),
        let street = try await CitizenRequestRepository(context.connection).places(of: event.gridCode)?.places[.street]
      else { return .handleOnSpot(evidence: evidence, check: nil) }
      return .handleOnSpot(evidence: evidence, check: StagePlan(units: [street], limit: .workingDays(Self.checkWorkingDays)))
    } after: { context, change in
      let selfHandled = context.record.value.state == .reported
      try await FieldEventRepository(context.connection).recordHandling(
        context.record.id,
        selfHandled: selfHandled,
        evidence: evidence,
        attachments: attachments,
        sampled: change.case.state == .checking,
        at: context.now
      )
    }
  }

  /// The street's check of a sampled self-handled event: confirmed → handled; not → reported
  /// again, to be routed.
  public func checkEvent(request: Civicgrid_V1_CheckEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let note = request.confirmed && request.note.isEmpty ? "" : try Require.text("note", request.note, max: 2000)
    let confirmed = request.confirmed
    return try await self.command(
      request.eventID,
      request.expectedVersion,
      name: confirmed ? "check confirmed" : "check failed",
      by: .taskUnit
    ) { _ in
      .check(confirmed: confirmed, note: note)
    }
  }

  public func closeEvent(request: Civicgrid_V1_CloseEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let note = request.note.isEmpty ? "" : try Require.text("note", request.note, max: 2000)
    return try await self.command(request.eventID, request.expectedVersion, name: "closed", by: .grid) { _ in
      .close(note: note)
    } after: {
      context,
      _ in
      try await FieldEventRepository(context.connection).recordClose(context.record.id, note: note)
    }
  }

  /// Who may give a command on an event.
  enum Side: Sendable {
    /// The grid's worker, or a supervisor whose scope holds the grid.
    case grid
    /// While reported, the grid's worker (on the spot); once routed, staff of the handling unit.
    case handler
    /// Staff of the unit holding the open task (the street's checker).
    case taskUnit
  }

  /// Staff of another unit get the same NOT_FOUND as for an event outside their scope.
  static func requireSide(_ side: Side, _ context: CaseExecutor.Context) async throws {
    let notFound = DomainError.notFound("event \(context.number)")
    let principal = context.principal
    let gridWorkerHere = principal.has(.gridWorker) && principal.unitPath == context.record.unitPath
    switch side {
    case .grid:
      guard gridWorkerHere || (principal.has(.supervisor) && context.record.intakeInScope) else { throw notFound }
    case .handler:
      if context.record.value.state == .reported {
        guard gridWorkerHere else { throw notFound }
      } else {
        guard let task = context.record.value.tasks.last, task.unit.rawValue == principal.unitCode, principal.has(.handler) else {
          throw notFound
        }
      }
    case .taskUnit:
      guard let task = context.record.value.tasks.last, task.unit.rawValue == principal.unitCode else { throw notFound }
    }
  }

  /// One event command through the case executor: the caller's side, the command `decide`
  /// chooses, the side row (`after`), the audit row and the answer.
  private func command(
    _ eventID: String,
    _ expectedVersion: Int64,
    name: String,
    by side: Side,
    _ decide: @escaping @Sendable (CaseExecutor.Context) async throws -> FieldEventCommand,
    after: @escaping @Sendable (CaseExecutor.Context, CaseChange) async throws -> Void = { _, _ in }
  ) async throws -> Civicgrid_V1_FieldEvent {
    try await CaseExecutor(store: self.store).run(
      caseID: eventID,
      field: "event_id",
      expectedVersion: expectedVersion,
      kinds: Self.kinds,
      noun: "event",
      at: self.now(),
      access: { context in try await Self.requireSide(side, context) },
      apply: { context, version in
        try context.record.value.applying(
          try await decide(context),
          of: FieldEventKind.fieldEvent,
          expectedVersion: version,
          at: context.now,
          by: context.party
        )
      },
      after: after,
      audit: { context, change in ("field-event/\(context.number)", "\(name); \(change.case.state)") },
      map: { context, change in
        var record = context.record
        record.value = change.case
        return try await Self.message(record, calendar: context.calendar, at: context.now, on: context.connection)
      }
    )
  }
}
