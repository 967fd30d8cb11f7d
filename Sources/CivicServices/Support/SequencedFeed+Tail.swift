/// A feed served from the instance's shared tail when it holds one, else by rereading.
extension SequencedFeed {
  /// Delivers every admitted row after `cursor` in order, each once, then live ones.
  ///
  /// Through `tail` (`FeedTail.follow`: memory, the database only to catch up) when the feed
  /// has a listener and the tail a window; otherwise every subscriber rereads `page` on each
  /// notification and tick, as before the shared tails (a window of 0 keeps that for comparison).
  /// - Parameters:
  ///   - admits: `page`'s predicate in memory; they must agree row for row.
  ///   - page: at most `limit` admitted rows after `after`, in sequence order.
  func follow<Row: FeedSequenced>(
    after cursor: Int64,
    tail: FeedTail<Row>?,
    admits: (Row) -> Bool,
    page: (_ after: Int64, _ limit: Int) async throws -> [Row],
    deliver: (Row) async throws -> Void
  ) async throws {
    if let listener = self.listener, let tail, tail.configuration.window > 0 {
      try await tail.follow(
        after: cursor, pageSize: self.pageSize, tick: self.tick, gate: listener.reads, admits: admits, page: page, deliver: deliver
      )
    } else {
      try await self.follow(after: cursor, page: page) { row in
        try await deliver(row)
        return row.sequence
      }
    }
  }
}
