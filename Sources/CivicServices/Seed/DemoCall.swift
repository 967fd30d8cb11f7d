import CivicDomain
import CivicRepositories
import CivicStore
import GRPCCore
import Synchronization

/// Runs service methods in-process as a demo account, as an RPC from that account would run
/// (its principal and scope, the audit rows naming it): how `civicgridd seed-demo` writes
/// activity through the services instead of copying their logic.
struct DemoCall: Sendable {
  let store: StorePool
  /// Principals by login, read once.
  private let principals: Principals

  init(store: StorePool) {
    self.store = store
    self.principals = Principals()
  }

  /// Runs `body` as `login` with a server context for `service`.
  func run<R: Sendable>(as login: String, service: String, _ body: @escaping @Sendable (ServerContext) async throws -> R) async throws -> R {
    try await Self.run(as: try await self.principal(login), service: service, body)
  }

  /// Runs `body` as `principal` with a server context for `service`.
  static func run<R: Sendable>(as principal: Principal, service: String, _ body: @escaping @Sendable (ServerContext) async throws -> R)
    async throws -> R
  {
    let request = RequestContext(method: DemoDistrict.method, requestID: "seed-demo", principal: principal)
    return try await RequestContext.$current.withValue(request) {
      try await withServerContextRPCCancellationHandle { handle in
        let context = ServerContext(
          descriptor: MethodDescriptor(fullyQualifiedService: service, method: "SeedDemo"),
          remotePeer: "in-process",
          localPeer: "in-process",
          cancellation: handle
        )
        return try await body(context)
      }
    }
  }

  func principal(_ login: String) async throws -> Principal {
    if let known = self.principals.get(login) { return known }
    let principal = try await DemoGrid.principal(login, self.store)
    self.principals.set(login, principal)
    return principal
  }

  final class Principals: Sendable {
    private let known = Mutex<[String: Principal]>([:])
    func get(_ login: String) -> Principal? { self.known.withLock { $0[login] } }
    func set(_ login: String, _ principal: Principal) { self.known.withLock { $0[login] = principal } }
  }
}
