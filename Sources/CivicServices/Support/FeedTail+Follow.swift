extension FeedTail {
  /// Delivers every admitted event after `cursor`, in order and each once, then live ones,
  /// until the caller's task is cancelled.
  ///
  /// From memory while the cursor lies inside the window; from the database (`page`, through
  /// `gate`) while it is older, or while no window is held. The seam is exact
  /// (docs/CASES.md, "The shared feed tail"): a database page shorter than `pageSize` holds
  /// every admitted event after the cursor that was visible when it ran, and every event up
  /// to the window's head `H`, taken before the page, was visible then (the reader read it
  /// from a committed state), so the cursor moves to `H` with nothing skipped; the window
  /// then serves exactly the events after it. A subscriber too slow for the window (its
  /// cursor evicted) drops back to the database the same way; the reader never waits for it.
  /// A subscriber holds at most `pageSize` events at a time.
  package func follow(
    after cursor: Int64,
    pageSize: Int,
    tick: Duration,
    gate: FeedReadGate,
    admits: (Event) -> Bool,
    page: (_ after: Int64, _ limit: Int) async throws -> [Event],
    deliver: (Event) async throws -> Void
  ) async throws {
    try await Wakeups.run(self.subscribe(), tick: tick) { wakeups in
      var cursor = cursor
      for await _ in wakeups {
        steps: while true {
          try Task.checkCancellation()
          switch self.read(after: cursor, limit: pageSize) {
          case .events(let slices, let through):
            var taken = 0
            for slice in slices {
              taken += slice.count
              for event in slice where admits(event) { try await deliver(event) }
            }
            cursor = through
            if taken < pageSize { break steps }
          case let read:
            let after = cursor
            let rows = try await gate.run { try await page(after, pageSize) }
            for row in rows {
              try await deliver(row)
              cursor = row.sequence
            }
            if rows.count == pageSize { continue steps }
            guard case .behind(let head) = read else { break steps }  // no window: wait for one
            cursor = max(cursor, head)
          }
        }
      }
    }
  }
}
