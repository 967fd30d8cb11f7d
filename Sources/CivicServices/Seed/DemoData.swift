public import CivicStore

/// Everything `civicgridd seed-demo` loads, in dependency order.
public enum DemoData {
  public struct Report: Sendable {
    public var summary: String
    public var adminToken: String
  }

  public static func seed(_ store: StorePool) async throws -> Report {
    let district = try await DemoDistrict.seed(store)
    let catalog = try await DemoCatalog.seed(store)
    let appointments = try await DemoAppointments.seed(store)
    let routing = try await DemoRequests.seed(store)
    return Report(
      summary: "demo district: \(district.created) units and accounts added; demo catalogue: \(catalog) items and handlers added; "
        + "appointment desk: \(appointments) schedules and offers added; request routing: \(routing) versions added",
      adminToken: district.adminToken
    )
  }
}
