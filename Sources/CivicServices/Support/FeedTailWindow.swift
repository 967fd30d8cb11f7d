/// An event with its place in a feed's one global order.
package protocol FeedSequenced: Sendable {
  var sequence: Int64 { get }
}

/// The newest events of a feed, held in memory: exactly the events whose sequence lies in
/// `(start, head]`, in order, at most `capacity` of them.
///
/// Pure state: the shared tail (`FeedTail`) appends what it read and subscribers read from
/// their cursors. The window holds every event of its range because the tail appends the
/// result of `seq > head ORDER BY seq`, and sequence values become visible in increasing
/// order (`SequencedFeed`): no event of `(head, last read]` can appear later. Evicting the
/// oldest moves `start` up to the last evicted sequence, so the claim stays true.
package struct FeedTailWindow<Event: FeedSequenced>: Sendable {
  /// What a subscriber at some cursor gets.
  package enum Read {
    /// The events after the cursor (as slices sharing the window's storage), and the
    /// sequence the subscriber has now seen everything through.
    case events([ArraySlice<Event>], through: Int64)
    /// The cursor is older than the window: read from the database, where everything up to
    /// `head` is visible already.
    case behind(head: Int64)
  }

  package private(set) var start: Int64
  package private(set) var head: Int64
  package let capacity: Int
  /// One slice per read, oldest first; each non-empty.
  private var chunks: [ArraySlice<Event>] = []
  package private(set) var count = 0

  /// An empty window at `head`: it holds everything after `head` once appended.
  package init(head: Int64, capacity: Int) {
    self.start = head
    self.head = head
    self.capacity = max(1, capacity)
  }

  /// Adds what the tail read after `head` (in sequence order), evicting the oldest beyond
  /// `capacity`.
  package mutating func append(_ events: [Event]) {
    guard let last = events.last else { return }
    precondition(events[0].sequence > self.head, "feed tail: events must follow the head")
    self.chunks.append(events[...])
    self.count += events.count
    self.head = last.sequence
    while self.count > self.capacity {
      let excess = self.count - self.capacity
      let oldest = self.chunks[0]
      if oldest.count <= excess {
        self.start = oldest[oldest.endIndex - 1].sequence
        self.chunks.removeFirst()
        self.count -= oldest.count
      } else {
        let kept = oldest.dropFirst(excess)
        self.start = oldest[kept.startIndex - 1].sequence
        self.chunks[0] = kept
        self.count -= excess
      }
    }
  }

  /// At most `limit` events after `cursor`, or `.behind` when some event after `cursor` is
  /// no longer held.
  package func read(after cursor: Int64, limit: Int) -> Read {
    guard cursor >= self.start else { return .behind(head: self.head) }
    var slices: [ArraySlice<Event>] = []
    var taken = 0
    for chunk in self.chunks where chunk[chunk.endIndex - 1].sequence > cursor {
      let from = Self.firstIndex(in: chunk, after: cursor)
      let slice = chunk[from..<min(chunk.endIndex, from + (limit - taken))]
      slices.append(slice)
      taken += slice.count
      if taken == limit { return .events(slices, through: slice[slice.endIndex - 1].sequence) }
    }
    return .events(slices, through: max(cursor, self.head))
  }

  /// The index of the first event of `chunk` after `cursor` (binary search; sorted by sequence).
  private static func firstIndex(in chunk: ArraySlice<Event>, after cursor: Int64) -> Int {
    var (low, high) = (chunk.startIndex, chunk.endIndex)
    while low < high {
      let mid = (low + high) / 2
      if chunk[mid].sequence > cursor { high = mid } else { low = mid + 1 }
    }
    return low
  }
}
