import CivicStore

/// A feed of rows read in sequence order from a cursor: everything after the cursor, then
/// live rows, until the caller's task is cancelled.
///
/// Sequence values must become visible in increasing order, so reading `seq > cursor` never
/// skips a row that commits later with a smaller number: case events are numbered after
/// commit by the one `Sequencer`, a batch transaction at a time; alerts are drawn under an
/// advisory lock held until commit (`AlertWriter`). The feed reads
/// again whenever a notification on `channel` arrives, from whichever instance wrote, and at
/// least once per `tick` (a notification sent while the listener reconnects is lost; the tick
/// covers it). Every read drains what is visible, a page at a time; with a shared listener,
/// the reads of all its subscribers pass its `FeedReadGate`.
struct SequencedFeed: Sendable {
  var store: StorePool
  /// The `pg_notify` channel the writers signal after commit.
  var channel: String
  /// The instance's shared listener; nil: a LISTEN connection of the feed's own.
  var listener: FeedListener? = nil
  var pageSize = 500
  var tick: Duration = .seconds(1)

  /// Delivers every row after `cursor` in order, then live ones.
  /// - Parameters:
  ///   - page: at most `limit` rows whose sequence is above `after`, in sequence order.
  ///   - deliver: sends one row on and returns its sequence, the new cursor.
  func follow<Row>(
    after cursor: Int64,
    page: (_ after: Int64, _ limit: Int) async throws -> [Row],
    deliver: (Row) async throws -> Int64
  ) async throws {
    var cursor = cursor
    let (pageSize, tick) = (self.pageSize, self.tick)
    func drain(_ wakeups: AsyncStream<Void>) async throws {
      for await _ in wakeups {
        while true {
          let after = cursor
          let rows: [Row]
          if let gate = self.listener?.reads {
            rows = try await gate.run { try await page(after, pageSize) }
          } else {
            rows = try await page(after, pageSize)
          }
          for row in rows { cursor = try await deliver(row) }
          if rows.count < pageSize { break }
        }
      }
    }
    if let listener = self.listener {
      try await Wakeups.run(listener.subscribe(channel: self.channel), tick: tick) { try await drain($0) }
    } else {
      try await self.store.withNotifications(channels: [self.channel]) { notifications in
        try await Wakeups.run(notifications, tick: tick) { try await drain($0) }
      }
    }
  }
}
