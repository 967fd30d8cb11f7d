public import GRPCCore

/// Whether one more call may start against the instance's `max_calls_in_flight`
/// (docs/RELIABILITY.md, "Admission control"). Pure, so tests assert on the decision alone;
/// ``InFlightLimit`` holds the count it is asked about.
public struct InFlightPolicy: Sendable, Equatable {
  /// The most calls at once; 0: no limit.
  public var limit: Int
  /// The hint given with a refusal, in whole milliseconds: calls typically finish within it.
  public var retryAfterMillis: Int

  /// `limit` calls at once, refusals hinting a retry after 100 ms.
  public init(limit: Int, retryAfterMillis: Int = 100) {
    self.limit = limit
    self.retryAfterMillis = retryAfterMillis
  }

  public enum Decision: Sendable, Equatable {
    case admit
    case refuse(InFlightRefusal)
  }

  /// The decision on a new call while `inFlight` calls are running.
  public func decide(inFlight: Int) -> Decision {
    guard self.limit > 0, inFlight >= self.limit else { return .admit }
    return .refuse(
      InFlightRefusal(
        message: "server busy: \(self.limit) calls in flight, the instance's limit",
        retryAfterMillis: max(1, self.retryAfterMillis)
      )
    )
  }
}

/// A call refused for the in-flight limit: RESOURCE_EXHAUSTED with `retry-after-ms`
/// (``RetryAfterMetadata``).
public struct InFlightRefusal: Sendable, Equatable {
  public var message: String
  public var retryAfterMillis: Int

  public var code: Status.Code { .resourceExhausted }

  /// The trailing metadata a refusal carries.
  public var metadata: Metadata {
    var metadata = Metadata()
    metadata.addString(String(self.retryAfterMillis), forKey: RetryAfterMetadata.key)
    return metadata
  }
}
