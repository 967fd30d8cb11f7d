import CivicProtos
import CivicServer
import CivicServices
import CivicStore
import CivicTestSupport
import CivicWire
import Foundation
import GRPCCore
import Logging
import Prometheus
import Tracing

/// A real `CivicGridServer` with every database-backed service and the auth interceptor,
/// on loopback, over a scratch database of its own (copied from the migrated template by the
/// owner role of CIVICGRID_MIGRATION_DATABASE_URL, served as the application role of
/// CIVICGRID_DATABASE_URL, as civicgridd does; loaded with the demo district, dropped
/// afterwards), with a CivicWire client. With only CIVICGRID_DATABASE_URL set, that one role
/// does both.
///
/// The demo district's accounts (`admin`, `clerk`, `handler`, `supervisor`, `gridworker`,
/// `mediator`, `partner`, `auditor`) are there; `token(for:)` issues a token for any account.
struct ServiceHarness: Sendable {
  /// The server's pool, as the application role.
  let store: StorePool
  /// The same database as the owner role, for what only the owner may do (tampering tests).
  let owner: StorePool
  let client: GRPCClient<CivicWireClientTransport>
  let ports: CivicGridServer.BoundPorts
  let adminToken: String
  /// The calls that reached their handler (`probe` marks its calls to be recorded).
  let handlerCalls: HandlerCalls
  let server: CivicGridServer
  /// The auth interceptor's `tls_client_accounts`, as a reload replaces them.
  let certificateAccounts: CertificateAccounts
  /// The streaming replica serving the read-only methods, when the test asked for one.
  var replica: ReadReplica? = nil

  struct NotConfigured: Error, CustomStringConvertible {
    var description: String {
      "CIVICGRID_DATABASE_URL is not set: these tests need a real PostgreSQL. Run them with ops/test, or export "
        + "CIVICGRID_DATABASE_URL=$(ops/pg url <db>) after `ops/pg start && ops/pg createdb <db>`."
    }
  }

  static let logger = Logger(label: "service-tests") { _ in SwiftLogNoOpLogHandler() }

  /// The application role's settings, or with `owner` the migration role's
  /// (CIVICGRID_MIGRATION_DATABASE_URL, else the application's).
  static func storeConfiguration(database: String? = nil, poolSize: Int = 8, owner: Bool = false) throws -> StoreConfiguration {
    guard let url = owner ? TestDatabaseURLs.owner : TestDatabaseURLs.application else { throw NotConfigured() }
    var configuration = StoreConfiguration(connectionString: url, poolSize: poolSize, connectTimeout: .seconds(3))
    configuration.database = database
    configuration.applicationName = "civic-service-tests"
    return configuration
  }

  /// Runs `body` against a fresh server and database.
  /// - Parameter extraServices: Test-only services to serve beside the real ones, with
  ///   their methods' policies.
  /// - Parameter throttle: The auth interceptor's failure throttle; off unless a test is
  ///   about the throttle.
  /// - Parameter logger: The server's logger; by default one that drops everything.
  /// - Parameter tracer: Given to the server and its store (a `RecordingTracer`); none by default.
  static func withServer<R: Sendable>(
    adjust: (inout ServerConfiguration) -> Void = { _ in },
    logger: Logger = Self.logger,
    tracer: (any Tracer)? = nil,
    extraServices: @escaping @Sendable (StorePool) -> [any RegistrableRPCService] = { _ in [] },
    extraPolicies: [String: MethodPolicy] = [:],
    throttle: FailureThrottle.Settings = .disabled,
    replica: ReplicaCluster.Settings? = nil,
    _ body: @Sendable (ServiceHarness) async throws -> R
  ) async throws -> R {
    // The name is made here from hex digits only (identifiers cannot be bound).
    let database = "civicsvc_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    let admin = StorePool(configuration: try Self.storeConfiguration(poolSize: 1, owner: true), logger: Self.logger)
    do {
      try await MigratedTemplate.copy(to: database, admin: admin, logger: Self.logger)
      let result: R
      do {
        result = try await Self.withServer(
          database: database,
          adjust: adjust,
          logger: logger,
          tracer: tracer,
          extraServices: extraServices,
          extraPolicies: extraPolicies,
          throttle: throttle,
          replica: replica,
          body
        )
      } catch {
        _ = try? await ScratchDatabase.drop(database, admin: admin)
        throw error
      }
      try await ScratchDatabase.drop(database, admin: admin)
      await admin.close()
      return result
    } catch {
      await admin.close()
      throw error
    }
  }

  private static func withServer<R: Sendable>(
    database: String,
    adjust: (inout ServerConfiguration) -> Void,
    logger: Logger,
    tracer: (any Tracer)?,
    extraServices: @Sendable (StorePool) -> [any RegistrableRPCService],
    extraPolicies: [String: MethodPolicy],
    throttle: FailureThrottle.Settings,
    replica replicaSettings: ReplicaCluster.Settings?,
    _ body: @Sendable (ServiceHarness) async throws -> R
  ) async throws -> R {
    let store = StorePool(configuration: try Self.storeConfiguration(database: database), logger: Self.logger, tracer: tracer)
    let replica = try replicaSettings.map { try ReplicaCluster.readReplica($0, primary: store, database: database, logger: Self.logger) }
    let owner = StorePool(configuration: try Self.storeConfiguration(database: database, poolSize: 2, owner: true), logger: Self.logger)
    do {
      let adminToken = try await DemoData.seed(store).adminToken
      var configuration = ServerConfiguration.defaults
      configuration.wireListen = ListenAddress(host: "127.0.0.1", port: 0)
      configuration.grpcListen = ListenAddress(host: "127.0.0.1", port: 0)
      configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
      adjust(&configuration)
      let handlerCalls = HandlerCalls()
      let certificateAccounts = CertificateAccounts(configuration.tls?.clientAccounts ?? [:])
      let feeds = FeedListener(store: store, logger: Self.logger)
      let server = CivicGridServer(
        configuration: configuration,
        registry: PrometheusCollectorRegistry(),
        logger: logger,
        services: DatabaseServices.make(store: store, feeds: feeds) + extraServices(store),
        // The recorder sits after authorization and the boundary rules: a call it sees reached
        // its handler.
        interceptors: DatabaseServices.interceptors(
          store: store,
          policies: MethodPolicies.all.merging(extraPolicies) { real, _ in real },
          throttle: throttle,
          certificateAccounts: certificateAccounts,
          rateLimits: configuration.rateLimits,
          replica: replica
        ) + [HandlerCallRecorder(calls: handlerCalls)],
        tracer: tracer
      )
      let result = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        // civicgridd serve runs one too: it numbers case events and seals audit entries.
        group.addTask { try await Sequencer(store: store, logger: Self.logger).compete() }
        group.addTask { try await feeds.run() }
        if let replica { group.addTask { try await replica.run() } }
        defer { group.cancelAll() }
        let ports = try await server.boundPorts
        let transport = try CivicWireClientTransport(host: "127.0.0.1", port: ports.wire)
        return try await withGRPCClient(transport: transport) { client in
          try await body(
            ServiceHarness(
              store: store, owner: owner, client: client, ports: ports, adminToken: adminToken, handlerCalls: handlerCalls,
              server: server, certificateAccounts: certificateAccounts, replica: replica
            )
          )
        }
      }
      await store.close()
      await owner.close()
      await replica?.replica.close()
      return result
    } catch {
      await store.close()
      await owner.close()
      await replica?.replica.close()
      throw error
    }
  }

  /// Call options carrying `token` as the bearer credential.
  static func metadata(token: String?) -> Metadata {
    var metadata = Metadata()
    if let token { metadata.addString("Bearer \(token)", forKey: "authorization") }
    return metadata
  }

  /// A fresh 1-day token for an existing account, issued straight in the database.
  func token(for login: String) async throws -> String {
    try await self.store.transaction { connection in
      guard let id = try await connection.query("SELECT id FROM accounts WHERE login = $1", [login]).scalar(Int64.self) else {
        throw NotConfigured()
      }
      return try await DirectoryService.issueToken(on: connection, accountID: id, login: login, label: "test", ttlSeconds: 86_400)
        .secret
    }
  }

  /// Creates an account with `roles` at `unit` and returns a token for it.
  func account(_ login: String, unit: String, roles: [Role]) async throws -> String {
    let literal = "{" + roles.map(\.rawValue).joined(separator: ",") + "}"
    try await self.store.query(
      "INSERT INTO accounts (login, display_name, unit_id, roles) SELECT $1, $1, id, $2::text[] FROM units WHERE code = $3",
      [login, literal, unit]
    )
    return try await self.token(for: login)
  }

  var directory: Civicgrid_V1_Directory.Client<CivicWireClientTransport> { .init(wrapping: self.client) }
  var audit: Civicgrid_V1_Audit.Client<CivicWireClientTransport> { .init(wrapping: self.client) }
}

extension Metadata {
  static func bearer(_ token: String?) -> Metadata { ServiceHarness.metadata(token: token) }
}
