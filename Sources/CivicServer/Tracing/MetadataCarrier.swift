public import GRPCCore
public import Tracing

/// Reads trace context (W3C `traceparent`, `tracestate`) from a call's metadata, for
/// `Instrument.extract`.
public struct MetadataExtractor: Extractor {
  public init() {}

  public func extract(key: String, from carrier: Metadata) -> String? {
    var values = carrier[stringValues: key].makeIterator()
    return values.next()
  }
}

/// Writes trace context into a call's metadata, for `Instrument.inject` on the client side;
/// a value already there for the key is replaced.
public struct MetadataInjector: Injector {
  public init() {}

  public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
    carrier.replaceOrAddString(value, forKey: key)
  }
}
