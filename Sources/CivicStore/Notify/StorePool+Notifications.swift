import NIOPosix

extension StorePool {
  /// Listens on `channels` over a dedicated connection (not one of the pool's) while
  /// `body` runs, and closes it afterwards.
  ///
  /// The stream ends when `body` returns. If the dedicated connection breaks, it is
  /// reopened and the channels listened to again (notifications sent meanwhile are lost,
  /// as PostgreSQL does not queue them for absent listeners); while PostgreSQL is
  /// unreachable the stream waits. `ready` is called each time `LISTEN` took effect (first
  /// and after every reconnection), `lost` each time the connection broke, so a caller that
  /// must not miss a notification (a cache invalidated by one) knows when it might have.
  public func withNotifications<R: Sendable>(
    channels: [String],
    ready: @escaping @Sendable () -> Void = {},
    lost: @escaping @Sendable () -> Void = {},
    _ body: (AsyncStream<StoreNotification>) async throws -> R
  ) async throws -> R {
    let (stream, continuation) = AsyncStream.makeStream(of: StoreNotification.self, bufferingPolicy: .bufferingNewest(10_000))
    let connection = try await self.openListener(channels: channels)
    ready()
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        await self.pump(first: connection, channels: channels, into: continuation, ready: ready, lost: lost)
      }
      defer { group.cancelAll() }
      let result = try await body(stream)
      group.cancelAll()
      try await group.waitForAll()
      return result
    }
  }

  /// Sends a notification (`pg_notify`, so the channel and payload are bound values).
  public func notify(channel: String, payload: String) async throws {
    try await self.query("SELECT pg_notify($1, $2)", [channel, payload])
  }

  private func openListener(channels: [String]) async throws -> LibPQConnection {
    let configuration = self.configuration
    return try await self.threadPool.runIfActive { () throws -> LibPQConnection in
      let connection = try LibPQConnection(configuration: configuration)
      do {
        for channel in channels { try connection.listen(channel) }
      } catch {
        connection.close()
        throw error
      }
      return connection
    }
  }

  private func pump(
    first: LibPQConnection,
    channels: [String],
    into continuation: AsyncStream<StoreNotification>.Continuation,
    ready: @Sendable () -> Void,
    lost: @Sendable () -> Void
  ) async {
    var connection: LibPQConnection? = first
    var failures = 0
    while !Task.isCancelled {
      guard let current = connection else {
        // Reconnect with a capped backoff; cancellation ends the sleep at once.
        try? await Task.sleep(for: .milliseconds(min(2000, 100 << min(failures, 5))))
        connection = try? await self.openListener(channels: channels)
        failures = connection == nil ? failures + 1 : 0
        if connection != nil { ready() }
        continue
      }
      do {
        let notes = try await self.threadPool.runIfActive { () throws -> [StoreNotification] in
          try current.waitForNotifications(timeout: .milliseconds(200))
        }
        for note in notes { continuation.yield(note) }
      } catch {
        current.close()
        connection = nil
        lost()
      }
    }
    connection?.close()
    continuation.finish()
  }
}
