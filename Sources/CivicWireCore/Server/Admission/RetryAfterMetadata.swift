/// The trailing metadata key of every admission refusal's retry hint, in whole
/// milliseconds (docs/RELIABILITY.md). Defined once, in the lowest module that sends it: the
/// CivicWire transport refuses calls in flight on its event loop, and the services' own
/// refusals (rate limits, a full pool queue) use the same key.
public enum RetryAfterMetadata {
  public static let key = "retry-after-ms"
}
