import Synchronization

/// The instance's count of calls in flight against `max_calls_in_flight`, shared by both
/// listeners. A call enters before any work and leaves when its response ends.
public final class InFlightLimit: Sendable {
  /// The most calls at once; 0: no limit.
  public let limit: Int
  private let count = Atomic<Int>(0)

  public init(limit: Int) {
    self.limit = limit
  }

  /// Counts a call in; false (and nothing counted) when the limit is reached.
  public func enter() -> Bool {
    let now = self.count.wrappingAdd(1, ordering: .relaxed).newValue
    guard self.limit > 0, now > self.limit else { return true }
    self.count.wrappingSubtract(1, ordering: .relaxed)
    return false
  }

  public func leave() {
    self.count.wrappingSubtract(1, ordering: .relaxed)
  }

  /// Calls in flight now.
  public var current: Int { self.count.load(ordering: .relaxed) }
}
