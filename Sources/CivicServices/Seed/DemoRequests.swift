import CivicDomain
import CivicRepositories
import CivicStore

/// The demo district's routing table of citizens' requests (docs/REQUESTS.md): six categories
/// from the grid, the community, the street or straight to a department, each ending at one of
/// the demo departments. Loaded as version 1 only when the district has no routing table yet.
enum DemoRequests {
  static let table = RoutingTable(routes: [
    route("neighbourhood-noise", "Neighbourhood noise (噪音扰民)", .grid, [2, 3, 5, 5], "QH-PS"),
    route("public-sanitation", "Public sanitation (环境卫生)", .grid, [1, 2, 3, 5], "QH-HC"),
    route("property-repairs", "Property and building repairs (物业维修)", .community, [3, 5, 10], "QH-HUD"),
    route("hardship-assistance", "Hardship and assistance (困难救助)", .community, [3, 5, 7], "QH-CA"),
    route("unpaid-wages", "Unpaid wages (欠薪)", .street, [5, 10], "QH-HRSS"),
    route("food-safety", "Food safety (食品安全)", .district, [5], "QH-MR"),
  ])

  static func route(_ category: String, _ name: String, _ lowest: RequestTier, _ days: [Int], _ department: String) -> RoutingTable.Route {
    let tiers = RequestTier.allCases.filter { $0 >= lowest }
    return RoutingTable.Route(
      category: category,
      name: name,
      lowestTier: lowest,
      workingDays: Dictionary(uniqueKeysWithValues: zip(tiers, days)),
      department: department
    )
  }

  /// Returns how many versions were added (0 when the district already has a routing table).
  static func seed(_ store: StorePool) async throws -> Int {
    try await store.transaction { connection in
      let tables = RoutingTableRepository(connection)
      guard try await tables.live(lock: true) == nil else { return 0 }
      try Self.table.validate()
      try await tables.publish(Self.table, version: 1, by: DemoDistrict.method)
      try await AuditLog.append(
        on: connection,
        command: DemoDistrict.method,
        object: "routing-table/1",
        summary: "published routing table version 1 (\(Self.table.routes.count) categories: "
          + Self.table.routes.map(\.category).joined(separator: ", ") + ")"
      )
      return 1
    }
  }
}
