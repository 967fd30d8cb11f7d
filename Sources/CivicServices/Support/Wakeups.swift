/// Wake-ups for a loop that rereads on every notification and at least once per `tick` (a
/// notification sent while a listener reconnects is lost; the tick covers it). A burst
/// collapses into one pending wake-up.
enum Wakeups {
  /// Runs `body` with the wake-ups; they end when `notifications` ends.
  static func run<Notification: Sendable, R: Sendable>(
    _ notifications: AsyncStream<Notification>,
    tick: Duration,
    _ body: (AsyncStream<Void>) async throws -> R
  ) async throws -> R {
    let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for await _ in notifications { wake.yield() }
        wake.finish()
      }
      group.addTask {
        while !Task.isCancelled {
          wake.yield()
          try await Task.sleep(for: tick)
        }
      }
      defer { group.cancelAll() }
      return try await body(wakeups)
    }
  }
}
