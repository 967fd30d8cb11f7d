import CivicWireCore
public import GRPCCore
import Metrics

/// How admission control refuses a call (docs/RELIABILITY.md): RESOURCE_EXHAUSTED at once,
/// before any work, with the trailing metadata key `retry-after-ms` (`RetryAfterMetadata`,
/// shared with the CivicWire transport) saying when a retry may succeed, and one count in
/// `civicgrid_admission_refusals_total{reason}`.
public enum AdmissionRefusal {
  /// Why a call was refused; the metric's `reason` label.
  public enum Reason: String, Sendable, CaseIterable {
    /// The instance's limit on calls in flight (`max_calls_in_flight`).
    case inFlight = "in_flight"
    /// The account's token bucket (`rate_limits`).
    case rate
    /// The database pool's wait queue was full (`database_pool_queue`).
    case poolQueue = "pool_queue"
  }

  private static let counters: [Reason: Counter] = Dictionary(
    uniqueKeysWithValues: Reason.allCases.map { ($0, Counter(label: "civicgrid_admission_refusals_total", dimensions: [("reason", $0.rawValue)])) }
  )

  /// Counts a refusal answered without ``error(_:_:retryAfter:)`` (the CivicWire transport
  /// refuses on its event loop, before an interceptor runs).
  public static func count(_ reason: Reason) {
    Self.counters[reason]?.increment()
  }

  /// The error to answer with; counts the refusal.
  public static func error(_ reason: Reason, _ message: String, retryAfter: Duration) -> RPCError {
    Self.count(reason)
    let (seconds, attoseconds) = retryAfter.components
    let millis = max(1, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    var metadata = Metadata()
    metadata.addString(String(millis), forKey: RetryAfterMetadata.key)
    return RPCError(code: .resourceExhausted, message: message, metadata: metadata)
  }
}
