import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Routing, handling, the street's check and closing, each through `CaseExecutor`.
extension FieldEventsService {
  /// Routes by the live table, read and held (`FOR SHARE`) in the command's transaction, so
  /// the version recorded is the one acted on: a task on the route's unit (working days), or,
  /// for a category routed to requests, a citizen's request made by the Requests intake in
  /// the same transaction. Two routers racing queue on the event's row lock; the second finds
  /// it routed or forwarded, and no request is left without its event.
  public func routeEvent(request: Civicgrid_V1_RouteEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let principal = try RequestContext.principal()
    let outcome = RoutingOutcome()
    return try await self.command(request.eventID, request.expectedVersion, name: outcome.summary, by: .grid) { context, version in
      guard let event = try await FieldEventRepository(context.connection).load(context.record.id) else {
        throw DomainError.notFound("event \(context.number)")
      }
      guard let live = try await EventRoutingRepository(context.connection).live(hold: .share) else {
        throw DomainError.precondition("the event routing table", "has no version yet; an admin sets it with UpdateEventRouting")
      }
      guard let route = live.table.route(for: event.category) else {
        throw DomainError.precondition("category \(event.category.rawValue)", "is not in event routing table version \(live.version)")
      }
      if !route.requestCategory.isEmpty {
        // The state and version are checked before the request is made, so a refused route makes none.
        _ = try context.record.value.applying(
          .forward(request: ""),
          of: FieldEventKind.fieldEvent,
          expectedVersion: version,
          at: context.now,
          by: context.party
        )
        let requestID = try await Self.forward(event, context.record, requestCategory: route.requestCategory, by: principal, at: context.now, on: context.connection)
        outcome.set(version: live.version, requestID: requestID)
        return .forward(request: CaseNumber.format(requestID))
      }
      outcome.set(version: live.version, requestID: nil)
      guard let places = try await CitizenRequestRepository(context.connection).places(of: event.gridCode)?.places,
        case .unit(let unit, let limit)? = route.target(places: places, urgent: event.urgent)
      else {
        throw DomainError.precondition(
          "category \(event.category.rawValue)",
          "routes to \(route.tier.rawValue), which grid \(event.gridCode) has no unit of"
        )
      }
      // Its tasks count as the route's access-list item, checked when the executor writes them.
      try await CaseRepository(context.connection).declareAccessItem(route.accessItemCode, caseID: context.record.id)
      return .route(unit: unit, limit: limit)
    } after: { context, change in
      let (version, requestID) = outcome.value
      let events = FieldEventRepository(context.connection)
      if let requestID {
        try await events.recordForward(context.record.id, version: version, requestID: requestID)
        return
      }
      guard let unit = change.case.tasks.last?.unit, let found = try await UnitRepository(context.connection).idAndPath(code: unit.rawValue)
      else {
        throw DomainError.precondition("event \(context.number)", "routes to a unit that does not exist")
      }
      try await events.recordRouting(context.record.id, version: version, unitID: found.id)
    }
  }

  /// The Requests intake takes the request (its validation, routing and audit) as the caller,
  /// within the event's transaction, keyed by the event so the intake's own key check holds.
  private static func forward(
    _ event: FieldEventRecord,
    _ record: CaseRecord,
    requestCategory: String,
    by principal: Principal,
    at now: Instant,
    on connection: StoreConnection
  ) async throws -> Int64 {
    var submission = Civicgrid_V1_SubmitRequestRequest()
    submission.type = event.category == .disputeLead ? .report : .help
    submission.category = requestCategory
    submission.channel = principal.has(.gridWorker) ? .gridWorker : .mobile
    // Names and descriptions are shown unmasked, so the location stays on the event, where
    // its marking masks it; the request's handlers read it there.
    submission.citizen.name = event.residentNamed(record) ? record.value.applicant : "resident of grid \(event.gridCode)"
    submission.citizen.idNumber = record.applicantIDNumber
    submission.citizen.phone = record.applicantPhone
    submission.description_p = String("\(event.description) (field event \(record.number) in grid \(event.gridCode))".prefix(4000))
    submission.unitCode = event.gridCode
    submission.idempotencyKey = "field-event/\(record.number)"
    // A resident named by person id is the request's person too: read now, passed on without the
    // router's scope (the reporter named them in theirs); the typed fields stand if the record lost its name.
    var person: NamedPerson?
    if let id = event.residentPersonID { person = try await NamedPerson.passedOn(id, on: connection) }
    return try await RequestsService.receive(
      try RequestsService.Submission(submission, by: principal),
      person: person,
      by: principal,
      at: now,
      on: connection
    ).id
  }

  /// Handled with evidence: on the spot by the grid's worker while reported (sampled for the
  /// street's check every Nth of the category), or by the handling unit's staff once routed.
  public func handleEvent(request: Civicgrid_V1_HandleEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let evidence = try Require.text("evidence", request.evidence, max: 4000)
    let attachments = try FieldEventMapping.attachments(request.attachments, field: "attachments")
    return try await self.command(request.eventID, request.expectedVersion, name: "handled", by: .handler) { context, _ in
      guard context.record.value.state == .reported else { return .handle(evidence: evidence) }
      guard let event = try await FieldEventRepository(context.connection).load(context.record.id) else {
        throw DomainError.notFound("event \(context.number)")
      }
      let route = try await EventRoutingRepository(context.connection).live(hold: .share)?.table.route(for: event.category)
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
    ) { _, _ in
      .check(confirmed: confirmed, note: note)
    }
  }

  public func closeEvent(request: Civicgrid_V1_CloseEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let note = request.note.isEmpty ? "" : try Require.text("note", request.note, max: 2000)
    return try await self.command(request.eventID, request.expectedVersion, name: "closed", by: .grid) { _, _ in
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
    name: @autoclosure @escaping @Sendable () -> String,
    by side: Side,
    _ decide: @escaping @Sendable (CaseExecutor.Context, Int) async throws -> FieldEventCommand,
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
          try await decide(context, version),
          of: FieldEventKind.fieldEvent,
          expectedVersion: version,
          at: context.now,
          by: context.party
        )
      },
      after: after,
      audit: { context, change in ("field-event/\(context.number)", "\(name()); \(change.case.state)") },
      map: { context, change in
        var record = context.record
        record.value = change.case
        return try await Self.message(record, calendar: context.calendar, at: context.now, on: context.connection)
      }
    )
  }
}
