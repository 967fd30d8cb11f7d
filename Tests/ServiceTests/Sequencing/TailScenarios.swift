import CivicServices
import Testing

/// The shared-tail scenarios every feed must pass (`FeedTailTests` for case events,
/// `AlertTailTests` for alerts): the seam while rows are written, and a stalled subscriber.
/// A feed supplies its tail, its unfiltered database page, and how to write and list its rows.
struct TailScenario<Row: FeedSequenced>: Sendable {
  typealias Received = FeedTailTests.Received

  /// A tail over the feed holding `window` rows, reading `batch` at a time.
  var tail: @Sendable (_ window: Int, _ batch: Int) -> FeedTail<Row>
  /// At most `limit` rows after `after`, unfiltered, in sequence order, from the database.
  var page: @Sendable (_ after: Int64, _ limit: Int) async throws -> [Row]
  /// Writes rows `from ..< from + count` as the feed's writers do.
  var write: @Sendable (_ count: Int, _ from: Int) async throws -> Void
  /// Every visible row's sequence, in order.
  var all: @Sendable () async throws -> [Int64]

  /// Follows `tail` from `after` with a page size of 10, recording into `received`.
  func follow(
    _ tail: FeedTail<Row>, after: Int64, into received: Received, pause: @escaping @Sendable (Int64) async throws -> Void = { _ in }
  ) async throws {
    try await tail.follow(after: after, pageSize: 10, tick: .milliseconds(200), gate: FeedReadGate(limit: 2), admits: { _ in true }) {
      after, limit in
      let rows = try await self.page(after, limit)
      received.read(rows)
      return rows
    } deliver: { row in
      received.deliver(row.sequence)
      try await pause(row.sequence)
    }
  }

  /// A subscriber from 0 catches up from the database while rows are written, then reads the
  /// tail: every row once, in order, some from each source; cancelled, it leaves the tail.
  func seam() async throws {
    try await self.write(40, 0)
    let tail = self.tail(8, 4)
    let received = Received()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await tail.run(notifications: AsyncStream<Void> { _ in }) }
      group.addTask { try await self.follow(tail, after: 0, into: received) }
      try await self.write(60, 40)
      var all = try await self.all()
      try await FeedTailTests.wait { received.delivered.last == all.last }
      // Now caught up: what follows comes from memory.
      try await self.write(10, 100)
      all = try await self.all()
      try await FeedTailTests.wait { received.delivered.last == all.last }
      #expect(received.delivered == all, "every row once, in order, across the seam")
      #expect(!received.fromDatabase.isEmpty)
      #expect(received.delivered.contains(where: received.isFromMemory), "some rows came from the tail")
      group.cancelAll()
    }
    // Cancelled: the subscription is released, and the next read drops the window.
    #expect(tail.subscriberCount == 0)
    try await tail.advance()
    #expect(tail.bounds == nil)
  }

  /// A subscriber that stalls on a row from memory until the window has moved past it falls
  /// back to the database, never holds the reader back, and still gets every row once.
  func slowSubscriber() async throws {
    let start = try await self.all().last ?? 0
    let tail = self.tail(5, 5)
    let received = Received()
    let stalled = FeedTailTests.Stalled()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await tail.run(notifications: AsyncStream<Void> { _ in }) }
      group.addTask {
        try await self.follow(tail, after: start, into: received) { sequence in
          // Stall on the first row from memory until the reader has moved the window past
          // everything the follower holds: the page it read (at most 10 rows from this one).
          guard received.isFromMemory(sequence), stalled.claim(sequence) else { return }
          try await FeedTailTests.wait { (tail.bounds?.start ?? 0) >= sequence + 10 }
        }
      }
      try await FeedTailTests.wait { tail.bounds != nil }
      // Written one at a time until the subscriber has stalled on one from memory, then 30 more.
      var written = 0
      while stalled.sequence == nil && written < 1000 {
        try await self.write(1, written)
        written += 1
        try await Task.sleep(for: .milliseconds(30))
      }
      try await self.write(30, written)
      let all = try await self.all().filter { $0 > start }
      try await FeedTailTests.wait { received.delivered.last == all.last }
      #expect(stalled.sequence != nil)
      #expect(received.fellBack, "the stalled subscriber read from the database again")
      #expect(received.delivered == all, "every row once, in order")
      group.cancelAll()
    }
  }
}
