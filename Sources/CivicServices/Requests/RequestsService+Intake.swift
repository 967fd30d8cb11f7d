import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension RequestsService {
  /// Takes a request in at the caller's unit (the first receiver, 首接负责) and routes it to the
  /// lowest tier able to handle its category at the place it arises. With an idempotency key
  /// (required from partners): the same request again answers the request it made, as it is
  /// now; a different request under the key is FAILED_PRECONDITION; duplicates racing the first
  /// wait for it to commit (an advisory lock on account and key), so 50 retries make one request.
  public func submitRequest(request: Civicgrid_V1_SubmitRequestRequest, context: ServerContext) async throws -> Civicgrid_V1_CitizenRequest
  {
    let principal = try RequestContext.principal()
    let submission = try Submission(request, by: principal)
    let now = self.now()
    return try await self.store.intakeTransaction(by: principal, at: now) { connection in
      let (id, person) = try await Self.receive(submission, by: principal, at: now, on: connection)
      var answer = try await Self.load(id, scope: .everything, at: now, on: connection)
      if let person {
        person.attach(to: &answer.case, for: principal)
      } else {
        try await Self.showPerson(in: &answer, to: principal, on: connection)
      }
      return answer
    }
  }

  /// A SubmitRequest request as validated values, with its idempotency key.
  struct Submission: Sendable {
    var type: RequestType
    var category: String
    var channel: RequestChannel
    var citizen: CitizenFields
    var description: String
    /// Where the request arises (a unit code): the caller's unit unless given.
    var place: String
    var key: CaseIdempotencyKey?

    init(_ request: Civicgrid_V1_SubmitRequestRequest, by principal: Principal) throws {
      self.type = try RequestMapping.type(request.type)
      self.category = try Require.code("category", request.category)
      self.channel = try RequestMapping.channel(request.channel)
      self.citizen = try CitizenFields(request.citizen, present: request.hasCitizen)
      self.description = try Require.text("description", request.description_p, max: 4000)
      self.place = request.unitCode.isEmpty ? principal.unitCode : try Require.code("unit_code", request.unitCode)
      if request.idempotencyKey.isEmpty {
        guard principal.has(.clerk) || principal.has(.gridWorker) else {
          throw Require.invalid("idempotency_key", "is required for partner submissions")
        }
      }
      if self.channel == .window, !principal.has(.clerk) {
        throw DomainError.permissionDenied("channel: WINDOW requests are taken in by a clerk")
      }
      if self.channel == .gridWorker, !principal.has(.gridWorker) {
        throw DomainError.permissionDenied("channel: GRID_WORKER requests are taken in by a grid worker")
      }
      var unkeyed = request
      unkeyed.idempotencyKey = ""
      self.key = try CaseIdempotencyKey(request.idempotencyKey, accountID: principal.accountID, request: unkeyed, method: "SubmitRequest")
    }
  }

  /// Takes `submission` in within the caller's transaction and answers the request's case id:
  /// the one its key already made, or a new request routed, stored and audited; with the person
  /// it was taken in for as read now (nil when typed, or for the request a key already made). A field event
  /// forwarded to the intake runs this in the event's own transaction, so the request and the
  /// event's forwarding commit together or not at all; it passes on the `person` it names, read already.
  static func receive(
    _ submission: Submission,
    person passedOn: NamedPerson? = nil,
    by principal: Principal,
    at now: Instant,
    on connection: StoreConnection
  ) async throws -> (id: Int64, person: NamedPerson?) {
    if let key = submission.key {
      try await key.lock(on: connection, wait: true)
      if let existing = try await key.recordedCase(on: connection) { return (existing, nil) }
    }
    var person = passedOn
    if person == nil { person = try await submission.citizen.namedPerson(by: principal, on: connection) }
    let citizen = person.map(CitizenFields.init) ?? submission.citizen
    let (version, route, ladder) = try await Self.route(submission.category, at: submission.place, scope: principal.scope, on: connection)
    let cases = CaseRepository(connection)
    let id = try await cases.nextID()
    let change = try Case.receiveRequest(
      id: CaseID(CaseNumber.format(id)),
      applicant: citizen.name,
      channel: submission.channel.intakeChannel,
      ladder: ladder,
      at: now,
      by: principal.has(.partner) && !principal.has(.clerk) && !principal.has(.gridWorker) ? .applicant : Self.party(principal)
    )
    let jurisdiction = CalendarStore.defaultJurisdiction
    let calendar = try await CalendarStore.require(jurisdiction, on: connection).calendar
    try await cases.insert(
      NewCase(
        id: id,
        change: change,
        unitID: principal.unitID,
        unitPath: principal.unitPath,
        jurisdiction: jurisdiction,
        at: now,
        idNumber: citizen.idNumber,
        phone: citizen.phone,
        accessItem: route.accessItemCode
      ),
      calendar: calendar
    )
    try await CitizenRequestRepository(connection).insert(
      NewCitizenRequest(
        caseID: id,
        type: submission.type,
        route: route,
        channel: submission.channel,
        description: submission.description,
        receivedBy: principal.login,
        routingVersion: version,
        tiers: ladder.map(\.tier)
      )
    )
    if let person { try await CasePersonRepository(connection).link(caseID: id, personID: person.person.personID, role: "applicant") }
    try await submission.key?.record(caseID: id, on: connection)
    try await AuditLog.append(
      on: connection,
      object: "request/\(CaseNumber.format(id))",
      summary: "submitted (\(submission.type.rawValue), \(submission.category)) via \(submission.channel.rawValue) at \(submission.place)"
        + (person.map { " for person \($0.person.personID)" } ?? "") + "; routed "
        + ladder.map { "\($0.tier.rawValue) \($0.unit) \($0.workingDays) wd" }.joined(separator: " → ")
    )
    return (id, person)
  }

  public func previewRoute(request: Civicgrid_V1_PreviewRouteRequest, context: ServerContext) async throws
    -> Civicgrid_V1_PreviewRouteResponse
  {
    let principal = try RequestContext.principal()
    let category = try Require.code("category", request.category)
    let place = request.unitCode.isEmpty ? principal.unitCode : try Require.code("unit_code", request.unitCode)
    return try await self.store.withConnection { connection in
      let (version, _, ladder) = try await Self.route(category, at: place, scope: principal.scope, on: connection)
      var response = Civicgrid_V1_PreviewRouteResponse()
      response.routingVersion = Int32(version)
      response.tiers = ladder.map(RequestMapping.step)
      return response
    }
  }

  /// The live routing table's ladder for `category` at unit `place` (in `scope`).
  static func route(
    _ category: String,
    at place: String,
    scope: UnitScope,
    on connection: StoreConnection
  ) async throws -> (version: Int, route: RoutingTable.Route, ladder: [RequestLadder.Step]) {
    guard let live = try await RoutingTableRepository(connection).live() else {
      throw DomainError.precondition("the routing table", "has no version yet; an admin sets it with UpdateRoutingTable")
    }
    guard let route = live.document.route(for: category) else {
      throw Require.invalid("category", "\(category) is not in routing table version \(live.version)")
    }
    guard let found = try await CitizenRequestRepository(connection).places(of: place), scope.contains(path: found.path) else {
      throw Require.invalid("unit_code", "unit \(place) not found")
    }
    guard try await UnitRepository(connection).idAndPath(code: route.department) != nil else {
      throw DomainError.precondition("category \(category)", "routes to department \(route.department), which does not exist")
    }
    return (live.version, route, RequestLadder.build(route: route, places: found.places))
  }
}
