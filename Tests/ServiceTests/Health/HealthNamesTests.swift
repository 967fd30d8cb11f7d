import CivicProtos
import CivicServices
import CivicStore
import CivicWire
import GRPCCore
import Logging
import SwiftProtobuf
import Testing

/// civicgridd reports health for `DatabaseServices.names` (NOT_SERVING while PostgreSQL is
/// down); a service it registers but does not name answers a health check NOT_FOUND.
@Suite("Health names of the database services", .timeLimit(.minutes(1)))
struct HealthNamesTests {
  /// The services `DatabaseServices.make` registers, by fully qualified name, read from a
  /// router the way the server registers them (the pool is never started: nothing connects).
  static func registeredServices() -> Set<String> {
    let pool = StorePool(configuration: .defaults, logger: Logger(label: "health-names") { _ in SwiftLogNoOpLogHandler() })
    var router = RPCRouter<CivicWireServerTransport>()
    for service in DatabaseServices.make(store: pool) { service.registerMethods(with: &router) }
    return Set(router.methods.map(\.service.fullyQualifiedService))
  }

  @Test("every registered database service has a health name, and every name is a registered service")
  func everyRegisteredServiceIsNamed() {
    let registered = Self.registeredServices()
    let named = Set(DatabaseServices.names)
    #expect(registered.subtracting(named).isEmpty, "registered but not named: \(registered.subtracting(named).sorted())")
    #expect(named.subtracting(registered).isEmpty, "named but not registered: \(named.subtracting(registered).sorted())")
    #expect(DatabaseServices.names.count == named.count, "a name is listed twice")
  }

  @Test("civicgrid.v1.Appointments answers a health check once the statuses for every name are set")
  func appointmentsAnswersHealth() async throws {
    // As civicgridd's store monitor does when PostgreSQL is reachable.
    let health = HealthService()
    for name in DatabaseServices.names { health.setStatus(.serving, forService: name) }
    let names = Self.registeredServices().sorted()
    #expect(names.contains("civicgrid.v1.Appointments"))
    try await withServerContextRPCCancellationHandle { handle in
      let context = ServerContext(
        descriptor: MethodDescriptor(fullyQualifiedService: "grpc.health.v1.Health", method: "Check"),
        remotePeer: "in-process",
        localPeer: "in-process",
        cancellation: handle
      )
      for name in names {
        let request = ServerRequest(metadata: [:], message: Grpc_Health_V1_HealthCheckRequest.with { $0.service = name })
        let response = try await health.check(request: request, context: context)
        #expect(try response.message.status == .serving, "\(name)")
      }
    }
  }
}
