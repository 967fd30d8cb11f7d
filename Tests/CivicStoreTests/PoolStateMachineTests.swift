@testable import CivicStore
import Testing

@Suite("Pool state machine", .timeLimit(.minutes(5)))
struct PoolStateMachineTests {
  typealias Machine = PoolStateMachine<Int>

  @Test("opens up to capacity, then reuses released connections")
  func capacityAndReuse() {
    var machine = Machine(capacity: 2)
    guard case .grant(.connect) = machine.acquire(), case .grant(.connect) = machine.acquire() else {
      Issue.record("expected two connect grants")
      return
    }
    guard case .wait = machine.acquire() else {
      Issue.record("a third lease must wait")
      return
    }
    guard case .none = machine.release(7) else {
      Issue.record("no waiter was queued, so the connection goes idle")
      return
    }
    guard case .grant(.connection(7)) = machine.acquire() else {
      Issue.record("the idle connection is reused")
      return
    }
    #expect(machine.open == 2)
  }

  @Test("a dropped connection frees its slot; closing returns idle connections")
  func discardAndClose() {
    var machine = Machine(capacity: 1)
    _ = machine.acquire()
    _ = machine.discard()
    #expect(machine.open == 0)
    guard case .grant(.connect) = machine.acquire() else {
      Issue.record("the freed slot can be reopened")
      return
    }
    _ = machine.release(3)
    let (idle, waiters) = machine.close()
    #expect(idle == [3])
    #expect(waiters.isEmpty)
    #expect(machine.open == 0)
    guard case .fail = machine.acquire() else {
      Issue.record("a closed pool refuses leases")
      return
    }
  }

  @Test("statistics: connections in use and idle and waiters follow the transitions")
  func statistics() async throws {
    var machine = Machine(capacity: 1)
    #expect(machine.statistics == PoolStatistics(capacity: 1, inUse: 0, idle: 0, waiters: 0))
    _ = machine.acquire()
    #expect(machine.statistics == PoolStatistics(capacity: 1, inUse: 1, idle: 0, waiters: 0))
    let grant: Machine.Grant = try await withCheckedThrowingContinuation { continuation in
      guard case .wait = machine.acquire() else {
        Issue.record("a second lease must wait")
        continuation.resume(returning: .connect)
        return
      }
      let queued = machine.enqueue(id: 1, continuation)
      #expect(queued == .queued)
      #expect(machine.statistics == PoolStatistics(capacity: 1, inUse: 1, idle: 0, waiters: 1))
      guard case .resume(let waiter, let grant) = machine.release(5) else {
        Issue.record("the released connection goes to the waiter")
        return
      }
      #expect(machine.statistics == PoolStatistics(capacity: 1, inUse: 1, idle: 0, waiters: 0))
      waiter.resume(returning: grant)
    }
    guard case .connection(5) = grant else {
      Issue.record("the waiter gets the released connection")
      return
    }
    _ = machine.release(5)
    #expect(machine.statistics == PoolStatistics(capacity: 1, inUse: 0, idle: 1, waiters: 0))
  }

  @Test("the wait queue is bounded: past maxWaiters a lease is refused, not queued")
  func boundedQueue() async throws {
    var machine = Machine(capacity: 1, maxWaiters: 1)
    _ = machine.acquire()
    let grant: Machine.Grant = try await withCheckedThrowingContinuation { waiter in
      #expect(machine.enqueue(id: 1, waiter) == .queued)
      // The same continuation offered again stands for a second caller: refused, not kept.
      #expect(machine.enqueue(id: 2, waiter) == .full)
      #expect(machine.statistics.waiters == 1)
      guard case .resume(let queued, let grant) = machine.release(3) else {
        Issue.record("the released connection goes to the queued waiter")
        waiter.resume(returning: .connect)
        return
      }
      queued.resume(returning: grant)
    }
    guard case .connection(3) = grant else {
      Issue.record("the waiter gets the released connection")
      return
    }
  }
}
