import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The event routing table: read by anyone, replaced by a district admin as a new live
/// version (the old one kept, retired), compared against the version it was made from, audited.
extension FieldEventsService {
  public func getEventRouting(request: Civicgrid_V1_GetEventRoutingRequest, context: ServerContext) async throws
    -> Civicgrid_V1_EventRoutingTable
  {
    try await self.store.withConnection { connection in FieldEventMapping.table(try await EventRoutingRepository(connection).live()) }
  }

  public func updateEventRouting(request: Civicgrid_V1_UpdateEventRoutingRequest, context: ServerContext) async throws
    -> Civicgrid_V1_EventRoutingTable
  {
    let principal = try RequestContext.principal()
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("the event routing table is the district's: only an admin of the whole district changes it")
    }
    guard !request.routes.isEmpty else { throw Require.invalid("routes", "needs at least one route") }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    var routes: [EventRoutingTable.Route] = []
    for (index, route) in request.routes.enumerated() { routes.append(try FieldEventMapping.route(route, index: index)) }
    let table = EventRoutingTable(routes: routes, acknowledgeMinutes: Int(request.acknowledgeMinutes))
    try table.validate()
    return try await self.store.transaction { connection in
      let tables = EventRoutingRepository(connection)
      let live = try await tables.live(hold: .update)
      let current = live?.version ?? 0
      guard Int(request.expectedVersion) == current else {
        throw DomainError.staleVersion(subject: "the event routing table", expected: Int(request.expectedVersion), current: current)
      }
      let departments = Set(routes.map(\.department).filter { !$0.isEmpty })
      let existing = try await UnitRepository(connection).existing(departments, within: UnitRepository.everywhere)
      if let index = routes.firstIndex(where: { !$0.department.isEmpty && !existing.contains($0.department) }) {
        throw Require.invalid("routes[\(index)].department_code", "unit \(routes[index].department) does not exist")
      }
      let version = current + 1
      try await tables.publish(table, version: version, by: principal.login)
      try await AuditLog.append(
        on: connection,
        object: "event-routing/\(version)",
        summary:
          "published event routing version \(version) (\(routes.count) categories, acknowledge within \(table.acknowledgeMinutes) min); version \(current) retired"
      )
      return FieldEventMapping.table(try await tables.live())
    }
  }
}
