public import CivicStore
public import GRPCCore

/// Sends each read-only call (`ReplicaReadMethods`) to the replica or the primary
/// (`ReadReplica`), and tells every other call of a database service where its writes ended
/// in the WAL (docs/PROTOCOL.md, "Reading your writes from a replica").
///
/// - A read must see the newer of its `civicgrid-min-lsn` metadata and its account's newest
///   write on this instance (`RecentWrites`). A malformed `civicgrid-min-lsn` is refused
///   with INVALID_ARGUMENT.
/// - Any other call that succeeds answers `civicgrid-commit-lsn` in its trailing metadata: the
///   primary's WAL position once the handler is done, at or past its commits. Its account's
///   reads on this instance wait for that position from then on.
///
/// Sits after `AuthInterceptor`, which binds the caller.
public struct ReplicaRoutingInterceptor: ServerInterceptor {
  public static let minimumPositionKey = "civicgrid-min-lsn"
  public static let commitPositionKey = "civicgrid-commit-lsn"

  private let replica: ReadReplica
  private let readMethods: Set<String>
  private let writeServices: Set<String>
  private let recentWrites: RecentWrites

  public init(replica: ReadReplica, readMethods: Set<String> = ReplicaReadMethods.all, writeServices: Set<String> = Set(DatabaseServices.names)) {
    self.replica = replica
    self.readMethods = readMethods
    self.writeServices = writeServices
    self.recentWrites = RecentWrites(window: replica.configuration.maxLag)
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let account = RequestContext.current?.principal?.accountID
    if self.readMethods.contains(context.descriptor.fullyQualifiedMethod) {
      let required = [try Self.minimumPosition(request.metadata), account.flatMap { self.recentWrites.position(for: $0) }]
        .compactMap { $0 }.max()
      // Bound only to the replica: on the primary, the services' own pool is already it.
      let pool = await self.replica.pool(after: required).pool
      guard pool === self.replica.replica else { return try await next(request, context) }
      return try await StoreRouting.$readPool.binding(pool, request: request, context: context, next: next)
    }
    var response = try await next(request, context)
    guard self.writeServices.contains(context.descriptor.service.fullyQualifiedService),
      case .success(var contents) = response.accepted
    else { return response }
    let (producer, replica, recentWrites) = (contents.producer, self.replica, self.recentWrites)
    contents.producer = { writer in
      var trailing = try await producer(writer)
      if let position = await replica.primaryPosition() {
        trailing.addString(position.description, forKey: Self.commitPositionKey)
        if let account { recentWrites.record(account: account, position: position) }
      }
      return trailing
    }
    response.accepted = .success(contents)
    return response
  }

  /// The caller's `civicgrid-min-lsn`, if sent.
  static func minimumPosition(_ metadata: Metadata) throws -> WALPosition? {
    guard let value = metadata[stringValues: Self.minimumPositionKey].first(where: { _ in true }) else { return nil }
    guard let position = WALPosition(value) else {
      throw RPCError(
        code: .invalidArgument,
        message: "metadata \(Self.minimumPositionKey) must be a WAL position such as 0/16B3748, as \(Self.commitPositionKey) gave it"
      )
    }
    return position
  }
}
