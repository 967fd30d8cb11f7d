/// The pool's bookkeeping as a pure value: which connections are idle, how many exist,
/// who waits. Each transition returns what the caller must do next.
struct PoolStateMachine<Connection: Sendable> {
  /// What a lease request gets.
  enum Grant: Sendable {
    /// Use this idle connection.
    case connection(Connection)
    /// A slot is reserved: open a new connection (and call `connectFailed` if that fails).
    case connect
  }

  enum AcquireAction {
    case grant(Grant)
    /// Every slot is in use: wait (the id identifies the waiter for cancellation).
    case wait
    case fail
  }

  enum ReleaseAction {
    case none
    /// Hand this grant to the waiter that has waited longest.
    case resume(Waiter, Grant)
    /// The pool is closed: close the connection.
    case close(Connection)
  }

  typealias Waiter = CheckedContinuation<Grant, any Error>

  enum EnqueueResult: Equatable {
    case queued
    case closed
    /// `maxWaiters` callers already wait.
    case full
  }

  private(set) var idle: [Connection] = []
  /// Connections that exist or are being opened (idle + leased + connecting).
  private(set) var open = 0
  private var waiters: [(id: Int, continuation: Waiter)] = []
  private(set) var closed = false
  let capacity: Int
  /// Waiters beyond this are refused (`enqueue` answers `.full`).
  let maxWaiters: Int

  init(capacity: Int, maxWaiters: Int = .max) {
    self.capacity = capacity
    self.maxWaiters = maxWaiters
  }

  /// Occupancy now: connections leased or opening, idle, and waiting callers.
  var statistics: PoolStatistics {
    PoolStatistics(capacity: self.capacity, inUse: self.open - self.idle.count, idle: self.idle.count, waiters: self.waiters.count)
  }

  mutating func acquire() -> AcquireAction {
    if self.closed { return .fail }
    if let connection = self.idle.popLast() { return .grant(.connection(connection)) }
    if self.open < self.capacity {
      self.open += 1
      return .grant(.connect)
    }
    return .wait
  }

  mutating func enqueue(id: Int, _ continuation: Waiter) -> EnqueueResult {
    guard !self.closed else { return .closed }
    guard self.waiters.count < self.maxWaiters else { return .full }
    self.waiters.append((id, continuation))
    return .queued
  }

  /// Removes a waiter whose task was cancelled; `nil` if it was already served.
  mutating func cancelWaiter(id: Int) -> Waiter? {
    guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
    return self.waiters.remove(at: index).continuation
  }

  /// A healthy connection comes back.
  mutating func release(_ connection: Connection) -> ReleaseAction {
    if self.closed {
      self.open -= 1
      return .close(connection)
    }
    if !self.waiters.isEmpty {
      return .resume(self.waiters.removeFirst().continuation, .connection(connection))
    }
    self.idle.append(connection)
    return .none
  }

  /// A connection was dropped (broken) or could not be opened: its slot is free again.
  mutating func discard() -> ReleaseAction {
    self.open -= 1
    if !self.closed, !self.waiters.isEmpty {
      self.open += 1
      return .resume(self.waiters.removeFirst().continuation, .connect)
    }
    return .none
  }

  /// Closes the pool: returns the idle connections to close and the waiters to fail.
  mutating func close() -> (idle: [Connection], waiters: [Waiter]) {
    self.closed = true
    let idle = self.idle
    self.open -= idle.count
    self.idle = []
    let waiters = self.waiters.map(\.continuation)
    self.waiters = []
    return (idle, waiters)
  }
}
