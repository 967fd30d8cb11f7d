import CivicServices
import Testing

/// The shared tail's in-memory window (`FeedTailWindow`) as a pure value.
@Suite("Feed tail window", .timeLimit(.minutes(1)))
struct FeedTailWindowTests {
  struct Event: FeedSequenced, Equatable {
    var sequence: Int64
  }

  static func events(_ range: ClosedRange<Int64>) -> [Event] { range.map(Event.init) }

  static func flat(_ read: FeedTailWindow<Event>.Read) -> (events: [Int64], through: Int64)? {
    guard case .events(let slices, let through) = read else { return nil }
    return (slices.flatMap { $0.map(\.sequence) }, through)
  }

  @Test("a new window at a head holds nothing before it and serves everything after it")
  func startsAtHead() {
    var window = FeedTailWindow<Event>(head: 10, capacity: 100)
    #expect(Self.flat(window.read(after: 10, limit: 50))! == ([], 10))
    guard case .behind(head: 10) = window.read(after: 9, limit: 50) else {
      Issue.record("a cursor before the window's start must read from the database")
      return
    }
    window.append(Self.events(11...15))
    window.append(Self.events(16...20))
    #expect(Self.flat(window.read(after: 10, limit: 50))! == (Array(11...20), 20))
    #expect(Self.flat(window.read(after: 13, limit: 50))! == (Array(14...20), 20))
    #expect(Self.flat(window.read(after: 20, limit: 50))! == ([], 20))
  }

  @Test("a read stops at its limit and says how far it got")
  func limit() {
    var window = FeedTailWindow<Event>(head: 0, capacity: 100)
    window.append(Self.events(1...3))
    window.append(Self.events(4...9))
    #expect(Self.flat(window.read(after: 1, limit: 4))! == ([2, 3, 4, 5], 5))
    #expect(Self.flat(window.read(after: 5, limit: 4))! == ([6, 7, 8, 9], 9))
    #expect(Self.flat(window.read(after: 9, limit: 4))! == ([], 9))
  }

  @Test("eviction keeps exactly capacity events and moves the start to the last evicted")
  func eviction() {
    var window = FeedTailWindow<Event>(head: 0, capacity: 5)
    window.append(Self.events(1...3))
    window.append(Self.events(4...7))
    #expect(window.count == 5)
    #expect(window.start == 2)
    #expect(window.head == 7)
    #expect(Self.flat(window.read(after: 2, limit: 50))! == (Array(3...7), 7))
    guard case .behind(head: 7) = window.read(after: 1, limit: 50) else {
      Issue.record("an evicted cursor must read from the database")
      return
    }
    window.append(Self.events(8...20))
    #expect(window.count == 5)
    #expect(window.start == 15)
    #expect(Self.flat(window.read(after: 15, limit: 50))! == (Array(16...20), 20))
  }

  @Test("a cursor beyond the head waits there and is never moved back")
  func cursorAhead() {
    var window = FeedTailWindow<Event>(head: 0, capacity: 5)
    window.append(Self.events(1...2))
    #expect(Self.flat(window.read(after: 9, limit: 50))! == ([], 9))
    window.append(Self.events(3...12))
    #expect(Self.flat(window.read(after: 9, limit: 50))! == ([10, 11, 12], 12))
  }
}
