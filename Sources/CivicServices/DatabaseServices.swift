import CivicProtos
public import CivicStore
public import GRPCCore

/// The services that keep their state in PostgreSQL, as the server registers them.
/// Every method they serve needs an entry in `MethodPolicies.all`.
public enum DatabaseServices {
  /// Their names, as the health service reports them (NOT_SERVING while PostgreSQL is down):
  /// one for every service `make` registers (a test compares the two).
  public static let names = [
    Civicgrid_V1_Directory.descriptor.fullyQualifiedService,
    Civicgrid_V1_Audit.descriptor.fullyQualifiedService,
    Civicgrid_V1_Calendar.descriptor.fullyQualifiedService,
    Civicgrid_V1_Catalog.descriptor.fullyQualifiedService,
    Civicgrid_V1_Cases.descriptor.fullyQualifiedService,
    Civicgrid_V1_Appointments.descriptor.fullyQualifiedService,
    Civicgrid_V1_Evaluation.descriptor.fullyQualifiedService,
    Civicgrid_V1_Supervision.descriptor.fullyQualifiedService,
    Civicgrid_V1_Disputes.descriptor.fullyQualifiedService,
    Civicgrid_V1_Requests.descriptor.fullyQualifiedService,
    Civicgrid_V1_FieldEvents.descriptor.fullyQualifiedService,
    Civicgrid_V1_Grids.descriptor.fullyQualifiedService,
    Civicgrid_V1_People.descriptor.fullyQualifiedService,
    Civicgrid_V1_AccessLists.descriptor.fullyQualifiedService,
    Civicgrid_V1_Contracts.descriptor.fullyQualifiedService,
  ]

  /// - Parameter feeds: The instance's shared LISTEN connection for the streaming feeds (run
  ///   it beside the server); nil: each subscriber listens on a connection of its own.
  public static func make(store: StorePool, feeds: FeedListener? = nil) -> [any RegistrableRPCService] {
    [
      DirectoryService(store: store, principalCache: feeds?.principalCache),
      AuditService(store: store),
      CalendarService(store: store),
      CatalogService(store: store),
      CasesService(store: store, feeds: feeds),
      AppointmentsService(store: store),
      EvaluationService(store: store),
      SupervisionService(store: store, feeds: feeds),
      DisputesService(store: store),
      RequestsService(store: store),
      FieldEventsService(store: store),
      GridsService(store: store),
      PeopleService(store: store),
      AccessListService(store: store),
      ContractsService(store: store),
    ]
  }

  /// What every call passes before its handler, in order: who is calling and whether the
  /// method admits it (`AuthInterceptor`), the account's rate limit
  /// (`AccountRateLimitInterceptor`, when `rateLimits` has any), then the rules every request
  /// obeys (`BoundaryInterceptor`).
  /// - Parameter certificateAccounts: Client certificate name to account login, for callers
  ///   over mutual TLS without a bearer token (`tls_client_accounts`); replaceable at run time.
  /// - Parameter principalCache: Token principals kept between calls, trusted while the
  ///   instance's `FeedListener` (given the same cache) listens.
  /// - Parameter replica: A streaming replica for the read-only methods
  ///   (`ReplicaRoutingInterceptor`, after the rate limit); nil: everything on `store`.
  public static func interceptors(
    store: StorePool,
    policies: [String: MethodPolicy] = MethodPolicies.all,
    throttle: FailureThrottle.Settings = .standard,
    certificateAccounts: CertificateAccounts = CertificateAccounts(),
    rateLimits: RateLimits = .none,
    principalCache: PrincipalCache? = nil,
    replica: ReadReplica? = nil
  ) -> [any ServerInterceptor] {
    let auth = AuthInterceptor(
      policies: policies,
      authenticator: TokenAuthenticator(store: store, cache: principalCache),
      certificates: CertificateAuthenticator(store: store, accounts: certificateAccounts),
      throttle: throttle
    )
    let rate: [any ServerInterceptor] =
      rateLimits.isEmpty ? [] : [AccountRateLimitInterceptor(limiter: AccountRateLimiter(limits: rateLimits))]
    let routing: [any ServerInterceptor] = replica.map { [ReplicaRoutingInterceptor(replica: $0)] } ?? []
    return [auth] + rate + routing + [BoundaryInterceptor()]
  }
}
