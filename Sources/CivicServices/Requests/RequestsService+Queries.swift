import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension RequestsService {
  public func getRequest(request: Civicgrid_V1_GetRequestRequest, context: ServerContext) async throws -> Civicgrid_V1_CitizenRequest {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.requestID, field: "request_id")
    let now = self.now()
    return try await self.store.withConnection { connection in
      let timeline = try await CaseRepository(connection).timeline(of: id).map(CaseMapping.timelineEntry)
      var answer = try await Self.load(id, scope: principal.scope, at: now, on: connection, timeline: timeline)
      try await Self.showPerson(in: &answer, to: principal, on: connection)
      return answer
    }
  }

  /// Puts the person a request was taken in for on its case, with the tags clerks and handlers
  /// see, as GetCase shows an application's applicant (`NamedPerson.attach`). Lists leave it out.
  static func showPerson(in answer: inout Civicgrid_V1_CitizenRequest, to principal: Principal, on connection: StoreConnection) async throws {
    guard answer.citizen.personID != 0 else { return }
    try await NamedPerson.attach(to: &answer.case, personID: answer.citizen.personID, for: principal, on: connection)
  }

  /// Newest first; keyset on the request (case) id.
  public func listRequests(request: Civicgrid_V1_ListRequestsRequest, context: ServerContext) async throws
    -> Civicgrid_V1_ListRequestsResponse
  {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let state = request.state.isEmpty ? nil : try Require.code("state", request.state)
    let category = request.category.isEmpty ? nil : try Require.code("category", request.category)
    let unit = request.unitCode.isEmpty ? nil : try Require.code("unit_code", request.unitCode)
    let now = self.now()
    return try await self.store.withConnection { connection in
      let ids = try await CitizenRequestRepository(connection).list(
        range: principal.scope.sqlRange,
        before: after,
        state: state,
        category: category,
        unitCode: unit,
        limit: size + 1
      )
      var response = Civicgrid_V1_ListRequestsResponse()
      for id in ids.prefix(size) {
        response.requests.append(try await Self.load(id, scope: .everything, at: now, on: connection))
      }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = PageToken(after: last).encoded }
      return response
    }
  }

  /// Request `id` as its message; NOT_FOUND when it is missing, outside `scope` or not a request.
  static func load(
    _ id: Int64,
    scope: UnitScope,
    at now: Instant,
    on connection: StoreConnection,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) async throws -> Civicgrid_V1_CitizenRequest {
    guard let record = try await CaseRepository(connection).load(id, visibleIn: scope.sqlRange, lock: false),
      record.value.kind == CitizenRequestKind.citizenRequest.name
    else { throw DomainError.notFound("request \(CaseNumber.format(id))") }
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    return try await Self.message(record, calendar: calendar, at: now, on: connection, timeline: timeline)
  }

  static func message(
    _ record: CaseRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    on connection: StoreConnection,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) async throws -> Civicgrid_V1_CitizenRequest {
    guard let row = try await CitizenRequestRepository(connection).load(record.id) else {
      throw DomainError.notFound("request \(record.number)")
    }
    return try RequestMapping.message(record, row, calendar: calendar, at: now, timeline: timeline)
  }
}
