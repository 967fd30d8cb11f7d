import CivicServer
import CivicServices
import Testing

/// civicctl logged in to a harness server (the demo district) as the people of the grid
/// commands' tests: the admin, grid QH-S1-C1-G1's worker, a handler of street QH-S1 (made
/// here) and the district's supervisor.
struct GridCivicctlSessions {
  typealias Session = CivicctlSupervisionTests.Session

  let admin: Session
  let grid: Session
  let street: Session
  let supervisor: Session

  init(_ harness: ServiceHarness) async throws {
    _ = try await harness.account("street-s1", unit: "QH-S1", roles: [.handler])
    self.admin = try await Session(harness, as: "admin")
    self.grid = try await Session(harness, as: "gridworker")
    self.street = try await Session(harness, as: "street-s1")
    self.supervisor = try await Session(harness, as: "supervisor")
  }

  /// Publishes the first event routing table, `routes` being the JSON of its routes, through
  /// `call` as an admin would by hand; records an issue when refused.
  func publishRouting(_ routes: String) async throws {
    let routing = try await self.admin(
      "call", "civicgrid.v1.FieldEvents/UpdateEventRouting", "--data", #"{"routes":["# + routes + #"],"acknowledgeMinutes":15}"#
    )
    #expect(routing.status == 0, "\(routing.stderr)")
  }
}
