import CivicServices
import Synchronization
import Testing

/// The feeds' reads on one instance pass a gate of a few places (`FeedReadGate`).
@Suite("Feed read gate", .timeLimit(.minutes(1)))
struct FeedReadGateTests {
  final class Occupancy: Sendable {
    let state = Mutex((now: 0, most: 0, done: 0))
    func enter() { self.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { self.state.withLock { $0.now -= 1; $0.done += 1 } }
  }

  @Test("200 readers at once: never more than the limit inside, and every one gets its turn")
  func boundedAndFair() async throws {
    let gate = FeedReadGate(limit: 3)
    let occupancy = Occupancy()
    try await withThrowingTaskGroup(of: Int.self) { group in
      for index in 0..<200 {
        group.addTask {
          try await gate.run {
            occupancy.enter()
            defer { occupancy.leave() }
            try await Task.sleep(for: .milliseconds(1))
            return index
          }
        }
      }
      var answered = Set<Int>()
      for try await index in group { answered.insert(index) }
      #expect(answered == Set(0..<200))
    }
    let (now, most, done) = occupancy.state.withLock { $0 }
    #expect(most == 3)
    #expect(now == 0)
    #expect(done == 200)
  }

  @Test("a read that throws gives its place back")
  func throwingReadReleases() async throws {
    struct Failure: Error {}
    let gate = FeedReadGate(limit: 1)
    await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
    #expect(try await gate.run { 7 } == 7)
  }
}
