import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The routing table: read by anyone, replaced by a district admin as a new live version (the
/// old one kept, retired), compared against the version the change was made from, audited.
extension RequestsService {
  public func getRoutingTable(request: Civicgrid_V1_GetRoutingTableRequest, context: ServerContext) async throws
    -> Civicgrid_V1_RoutingTable
  {
    guard request.version >= 0 else { throw Require.invalid("version", "must not be negative, got \(request.version)") }
    return try await self.store.withConnection { connection in
      let tables = RoutingTableRepository(connection)
      let stored = request.version == 0 ? try await tables.live() : try await tables.version(Int(request.version))
      if request.version > 0, stored == nil { throw DomainError.notFound("routing table version \(request.version)") }
      return RequestMapping.table(stored, history: try await tables.history(except: stored?.version ?? 0))
    }
  }

  public func updateRoutingTable(
    request: Civicgrid_V1_UpdateRoutingTableRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_RoutingTable {
    let principal = try RequestContext.principal()
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("the routing table is the district's: only an admin of the whole district changes it")
    }
    guard !request.routes.isEmpty else { throw Require.invalid("routes", "needs at least one route") }
    guard request.routes.count <= 500 else { throw Require.invalid("routes", "must be at most 500, got \(request.routes.count)") }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    var routes: [RoutingTable.Route] = []
    for (index, route) in request.routes.enumerated() { routes.append(try RequestMapping.route(route, index: index)) }
    let table = RoutingTable(routes: routes)
    try table.validate()
    return try await self.store.transaction { connection in
      let tables = RoutingTableRepository(connection)
      // The live row's lock serialises updates; before the first version, the primary key does.
      let (current, _) = try await tables.set(expectedVersion: Int(request.expectedVersion), by: principal.login) { _ in
        let departments = Set(routes.map(\.department))
        let existing = try await UnitRepository(connection).existing(departments, within: UnitRepository.everywhere)
        if let index = routes.firstIndex(where: { !existing.contains($0.department) }) {
          throw Require.invalid("routes[\(index)].department_code", "unit \(routes[index].department) does not exist")
        }
        return table
      }
      let version = current + 1
      try await AuditLog.append(
        on: connection,
        object: "routing-table/\(version)",
        summary: "published routing table version \(version) (\(routes.count) categories: "
          + routes.map(\.category).prefix(20).joined(separator: ", ") + (routes.count > 20 ? ", …" : "") + "); version \(current) retired"
      )
      return RequestMapping.table(try await tables.live(), history: try await tables.history(except: version))
    }
  }
}
