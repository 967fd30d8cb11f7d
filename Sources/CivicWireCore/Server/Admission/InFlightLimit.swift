import Synchronization

/// The instance's count of calls in flight against `max_calls_in_flight`, shared by both
/// listeners. A call enters before any work and leaves when its response ends. CivicWire
/// enters on the event loop when a stream's HEADERS arrive, before any task exists, so a
/// refusal never queues behind accepted work; the HTTP/2 listener enters in an interceptor.
public final class InFlightLimit: Sendable {
  public let policy: InFlightPolicy
  private let count = Atomic<Int>(0)

  public init(_ policy: InFlightPolicy) {
    self.policy = policy
  }

  /// The most calls at once; 0: no limit.
  public var limit: Int { self.policy.limit }

  /// Counts a call in when the policy admits it; a refusal counts nothing.
  public func enter() -> InFlightPolicy.Decision {
    let before = self.count.wrappingAdd(1, ordering: .relaxed).oldValue
    let decision = self.policy.decide(inFlight: before)
    if case .refuse = decision {
      self.count.wrappingSubtract(1, ordering: .relaxed)
    }
    return decision
  }

  /// Counts out a call that `enter` admitted.
  public func leave() {
    self.count.wrappingSubtract(1, ordering: .relaxed)
  }

  /// Calls in flight now.
  public var current: Int { self.count.load(ordering: .relaxed) }
}
