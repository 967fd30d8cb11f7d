import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension FieldEventsService {
  public func getEvent(request: Civicgrid_V1_GetEventRequest, context: ServerContext) async throws -> Civicgrid_V1_FieldEvent {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.eventID, field: "event_id")
    let now = self.now()
    return try await self.store.withConnection { connection in
      let timeline = try await CaseRepository(connection).timeline(of: id).map(CaseMapping.timelineEntry)
      var answer = try await Self.load(id, scope: principal.scope, at: now, on: connection, timeline: timeline)
      // The resident named by person id, with the tags clerks and handlers see (as GetRequest shows them).
      let person = answer.resident.personID
      try await NamedPerson.attach(to: &answer.case, personID: person == 0 ? nil : person, for: principal, on: connection)
      return answer
    }
  }

  /// Newest first; keyset on the event (case) id; scope is the grid's.
  public func listEvents(request: Civicgrid_V1_ListEventsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListEventsResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let state = request.state.isEmpty ? nil : try Require.code("state", request.state)
    let category = request.category == .unspecified ? nil : try FieldEventMapping.category(request.category, field: "category")
    let unit = request.unitCode.isEmpty ? nil : try Require.code("unit_code", request.unitCode)
    let now = self.now()
    return try await self.store.withConnection { connection in
      var under: String?
      if let unit {
        guard let found = try await UnitRepository(connection).unit(code: unit, within: principal.scope.sqlRange) else {
          throw Require.invalid("unit_code", "unit \(unit) not found in your scope")
        }
        under = found.path
      }
      let ids = try await FieldEventRepository(connection).list(
        range: principal.scope.sqlRange,
        before: after,
        state: state,
        category: category,
        under: under,
        urgentOnly: request.urgentOnly,
        limit: size + 1
      )
      var response = Civicgrid_V1_ListEventsResponse()
      for id in ids.prefix(size) {
        response.events.append(try await Self.load(id, scope: .everything, at: now, on: connection))
      }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = PageToken(after: last).encoded }
      return response
    }
  }

  /// Event `id` as its message; NOT_FOUND when it is missing, outside `scope` or not an event.
  static func load(
    _ id: Int64,
    scope: UnitScope,
    at now: Instant,
    on connection: StoreConnection,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) async throws -> Civicgrid_V1_FieldEvent {
    let (record, calendar) = try await CaseLookup.visible(
      id,
      kind: FieldEventKind.fieldEvent.name,
      noun: "event",
      scope: scope,
      on: connection
    )
    return try await Self.message(record, calendar: calendar, at: now, on: connection, timeline: timeline)
  }

  static func message(
    _ record: CaseRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    on connection: StoreConnection,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) async throws -> Civicgrid_V1_FieldEvent {
    guard let row = try await FieldEventRepository(connection).load(record.id) else { throw DomainError.notFound("event \(record.number)") }
    return try FieldEventMapping.message(record, row, calendar: calendar, at: now, timeline: timeline)
  }
}
