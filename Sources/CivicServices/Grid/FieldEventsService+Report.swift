import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension FieldEventsService {
  /// Reports one event at its grid. With an idempotency key (required from partners) the same
  /// report again answers the event it made; duplicates racing the first wait for it (an
  /// advisory lock on account and key), so retries make one event. An urgent event is routed
  /// in the same transaction and its alerts written, so a subscriber on any instance sees them
  /// as soon as it commits.
  public func reportEvent(request: Civicgrid_V1_ReportEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    try await self.report(request, by: try RequestContext.principal())
  }

  /// A phone's day of reports: each answered in order, as ReportEvent answers it, each in its
  /// own transaction (a refused report does not stop the rest; an upload retried with the same
  /// keys answers the same events).
  public func uploadEvents(
    request: RPCAsyncSequence<Civicgrid_V1_ReportEventRequest, any Error>,
    context: ServerContext
  ) async throws -> Civicgrid_V1_UploadEventsResponse {
    let principal = try RequestContext.principal()
    var response = Civicgrid_V1_UploadEventsResponse()
    var index: Int32 = 0
    for try await report in request {
      guard index < 1000 else { throw RPCError(code: .invalidArgument, message: "an upload carries at most 1000 reports") }
      var result = Civicgrid_V1_UploadResult()
      result.index = index
      do {
        result.event = try await self.report(report, by: principal)
      } catch let error as any RPCErrorConvertible {
        result.code = Int32(error.rpcErrorCode.rawValue)
        result.message = error.rpcErrorMessage
      }
      response.results.append(result)
      index += 1
    }
    return response
  }

  /// The report as validated values.
  struct Report: Sendable {
    var category: FieldEventCategory
    var urgent: Bool
    var gridCode: String
    var address: String
    var point: GeoPoint?
    var description: String
    var attachments: [AttachmentRef]
    var resident: CitizenFields?
  }

  static func validate(_ request: Civicgrid_V1_ReportEventRequest, by principal: Principal) throws -> Report {
    let category = try FieldEventMapping.category(request.category, field: "category")
    let grid = request.gridCode.isEmpty ? principal.unitCode : try Require.code("grid_code", request.gridCode)
    let address = try Require.text("location", request.location, max: 300)
    let point = request.hasPoint ? try GeoPoint(latitude: request.point.latitude, longitude: request.point.longitude, field: "point") : nil
    let description = try Require.text("description", request.description_p, max: 4000)
    let attachments = try FieldEventMapping.attachments(request.attachments, field: "attachments")
    let resident = request.hasResident ? try CitizenFields(request.resident, present: true, field: "resident") : nil
    if request.idempotencyKey.isEmpty, !principal.has(.gridWorker) {
      throw Require.invalid("idempotency_key", "is required for partner reports")
    }
    return Report(
      category: category,
      urgent: request.urgent,
      gridCode: grid,
      address: address,
      point: point,
      description: description,
      attachments: attachments,
      resident: resident
    )
  }

  func report(_ request: Civicgrid_V1_ReportEventRequest, by principal: Principal) async throws -> Civicgrid_V1_FieldEvent {
    let report = try Self.validate(request, by: principal)
    var unkeyed = request
    unkeyed.idempotencyKey = ""
    let key = try CaseIdempotencyKey(request.idempotencyKey, accountID: principal.accountID, request: unkeyed, method: "ReportEvent")
    let now = self.now()
    return try await self.store.intakeTransaction(by: principal, at: now) { connection in
      if let existing = try await key?.existingCase(on: connection) {
        return try await Self.load(existing, scope: .everything, at: now, on: connection)
      }
      guard let grid = try await UnitRepository(connection).unit(code: report.gridCode, within: principal.scope.sqlRange),
        grid.kind == "grid"
      else { throw Require.invalid("grid_code", "\(report.gridCode) is not a grid in your scope") }
      // A resident named by person id: the event takes the name, ID number and phone on record.
      let person = try await report.resident?.namedPerson(by: principal, on: connection)
      let resident = person.map(CitizenFields.init) ?? report.resident
      let cases = CaseRepository(connection)
      let id = try await cases.nextID()
      var change = try Case.reportFieldEvent(
        id: CaseID(CaseNumber.format(id)),
        title: resident?.name ?? FieldEventMapping.title(report.category, grid: grid.code),
        channel: principal.has(.gridWorker) ? .doorToDoor : .mobile,
        at: now,
        by: principal.has(.gridWorker) ? Self.party(principal) : .applicant
      )
      // An urgent event is routed at once, when its category routes to a unit.
      var routed: (version: Int, unit: UnitID, unitID: Int64, unitPath: String, accessItem: String?)?
      var acknowledgeMinutes = 15
      if report.urgent, let live = try await EventRoutingRepository(connection).live(hold: .share) {
        acknowledgeMinutes = live.table.acknowledgeMinutes
        if let route = live.table.route(for: report.category),
          let places = try await CitizenRequestRepository(connection).places(of: grid.code)?.places,
          case .unit(let unit, let limit)? = route.target(places: places, urgent: true),
          let found = try await UnitRepository(connection).idAndPath(code: unit.rawValue)
        {
          change = change.followed(
            by: try change.case.applying(
              .route(unit: unit, limit: limit),
              of: FieldEventKind.fieldEvent,
              expectedVersion: change.case.version,
              at: now,
              by: .system
            )
          )
          routed = (live.version, unit, found.id, found.path, route.accessItemCode)
        }
      }
      let jurisdiction = CalendarStore.defaultJurisdiction
      let calendar = try await CalendarStore.require(jurisdiction, on: connection).calendar
      try await cases.insert(
        NewCase(
          id: id,
          change: change,
          unitID: grid.id,
          unitPath: grid.path,
          jurisdiction: jurisdiction,
          at: now,
          idNumber: resident?.idNumber ?? "",
          phone: resident?.phone ?? "",
          accessItem: routed?.accessItem
        ),
        calendar: calendar
      )
      let events = FieldEventRepository(connection)
      try await events.insert(
        NewFieldEvent(
          caseID: id,
          category: report.category,
          urgent: report.urgent,
          gridID: grid.id,
          gridPath: grid.path,
          address: report.address,
          point: report.point,
          description: report.description,
          attachments: report.attachments,
          reportedBy: principal.login,
          reportedAt: now
        )
      )
      if let routed { try await events.recordRouting(id, version: routed.version, unitID: routed.unitID) }
      if let person { try await CasePersonRepository(connection).link(caseID: id, personID: person.person.personID, role: "applicant") }
      var summary = "reported (\(report.category.rawValue)\(report.urgent ? ", urgent" : "")) at \(grid.code)"
        + (person.map { " for person \($0.person.personID)" } ?? "")
      if report.urgent {
        let notified = try await Self.alertUrgent(
          caseID: id,
          category: report.category,
          grid: (id: grid.id, path: grid.path, code: grid.code),
          handling: routed.map { (id: $0.unitID, path: $0.unitPath, code: $0.unit.rawValue) },
          minutes: acknowledgeMinutes,
          at: now,
          on: connection
        )
        summary += "; routed to \(routed?.unit.rawValue ?? "no unit (no route)"); alerted \(notified)"
      }
      try await key?.record(caseID: id, on: connection)
      try await AuditLog.append(on: connection, object: "field-event/\(CaseNumber.format(id))", summary: summary)
      var answer = try await Self.load(id, scope: .everything, at: now, on: connection)
      person?.attach(to: &answer.case, for: principal)
      return answer
    }
  }
}
