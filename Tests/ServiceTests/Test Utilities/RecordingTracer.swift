import Foundation
import Synchronization
import Tracing

/// A tracer that keeps every ended span in memory, with its trace and parent ids, attributes
/// and status, for tests to assert span trees. W3C `traceparent` in and out, like a real
/// tracer, so a caller's trace context can be checked to become the parent.
///
/// Passed to the server and the store explicitly (never bootstrapped process-wide), so each
/// test sees only its own spans.
final class RecordingTracer: Tracer, Sendable {
  /// A span's place in its trace, carried in `ServiceContext`.
  struct Identity: Sendable, Hashable {
    var traceID: String
    var spanID: String
  }

  /// An ended span.
  struct Recorded: Sendable {
    var name: String
    var kind: SpanKind
    var traceID: String
    var spanID: String
    var parentSpanID: String?
    var attributes: [String: String]
    var status: SpanStatus?
  }

  private enum IdentityKey: ServiceContextKey {
    typealias Value = Identity
  }

  private let ended = Mutex<[Recorded]>([])

  /// The spans ended so far, in the order they ended.
  var spans: [Recorded] { self.ended.withLock { $0 } }

  func startSpan<Instant: TracerInstant>(
    _ operationName: String,
    context: @autoclosure () -> ServiceContext,
    ofKind kind: SpanKind,
    at instant: @autoclosure () -> Instant,
    function: String,
    file fileID: String,
    line: UInt
  ) -> RecordingSpan {
    let parentContext = context()
    let parent = parentContext[IdentityKey.self]
    let identity = Identity(traceID: parent?.traceID ?? Self.randomHex(bytes: 16), spanID: Self.randomHex(bytes: 8))
    var spanContext = parentContext
    spanContext[IdentityKey.self] = identity
    return RecordingSpan(name: operationName, kind: kind, identity: identity, parentSpanID: parent?.spanID, context: spanContext) {
      recorded in self.ended.withLock { $0.append(recorded) }
    }
  }

  func forceFlush() {}

  func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
  where Extract.Carrier == Carrier {
    guard let header = extractor.extract(key: "traceparent", from: carrier) else { return }
    let parts = header.split(separator: "-")
    guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return }
    context[IdentityKey.self] = Identity(traceID: String(parts[1]), spanID: String(parts[2]))
  }

  func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
  where Inject.Carrier == Carrier {
    guard let identity = context[IdentityKey.self] else { return }
    injector.inject("00-\(identity.traceID)-\(identity.spanID)-01", forKey: "traceparent", into: &carrier)
  }

  static func randomHex(bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
  }
}

/// A span of `RecordingTracer`: collects attributes and status until it ends.
final class RecordingSpan: Span, Sendable {
  private struct State {
    var name: String
    var attributes = SpanAttributes()
    var status: SpanStatus?
    var ended = false
  }

  let context: ServiceContext
  private let kind: SpanKind
  private let identity: RecordingTracer.Identity
  private let parentSpanID: String?
  private let state: Mutex<State>
  private let onEnd: @Sendable (RecordingTracer.Recorded) -> Void

  init(
    name: String,
    kind: SpanKind,
    identity: RecordingTracer.Identity,
    parentSpanID: String?,
    context: ServiceContext,
    onEnd: @escaping @Sendable (RecordingTracer.Recorded) -> Void
  ) {
    self.context = context
    self.kind = kind
    self.identity = identity
    self.parentSpanID = parentSpanID
    self.state = Mutex(State(name: name))
    self.onEnd = onEnd
  }

  var operationName: String {
    get { self.state.withLock { $0.name } }
    set { self.state.withLock { $0.name = newValue } }
  }

  var attributes: SpanAttributes {
    get { self.state.withLock { $0.attributes } }
    set { self.state.withLock { $0.attributes = newValue } }
  }

  var isRecording: Bool { true }

  func setStatus(_ status: SpanStatus) { self.state.withLock { $0.status = status } }
  func addEvent(_ event: SpanEvent) {}
  func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
  func addLink(_ link: SpanLink) {}

  func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
    let recorded: RecordingTracer.Recorded? = self.state.withLock { state in
      guard !state.ended else { return nil }
      state.ended = true
      var attributes: [String: String] = [:]
      state.attributes.forEach { key, value in attributes[key] = Self.text(value) }
      return RecordingTracer.Recorded(
        name: state.name,
        kind: self.kind,
        traceID: self.identity.traceID,
        spanID: self.identity.spanID,
        parentSpanID: self.parentSpanID,
        attributes: attributes,
        status: state.status
      )
    }
    if let recorded { self.onEnd(recorded) }
  }

  /// An attribute's value as text, for assertions and for searching every attribute.
  private static func text(_ value: SpanAttribute) -> String {
    switch value {
    case .int32(let number): return String(number)
    case .int64(let number): return String(number)
    case .double(let number): return String(number)
    case .bool(let flag): return String(flag)
    case .string(let string): return string
    case .stringConvertible(let value): return value.description
    default: return "\(value)"
    }
  }
}
