import CivicServer
import OTel
import ServiceLifecycle
import Tracing

/// The OTLP trace exporter, when `otlp_endpoint` is set (docs/OPERATIONS.md, Tracing).
///
/// swift-otel's tracer with a parent-based ratio sampler (`trace_sample_ratio` for new
/// traces; a caller's sampled `traceparent` is followed), W3C trace context, batched export
/// over OTLP/gRPC. Its logs and metrics backends stay off: the server keeps its own. The
/// tracer is handed to the server and the store, not bootstrapped process-wide.
enum TracingBackend {
  /// The tracer and the exporter's lifecycle service, or nil when tracing is off.
  static func make(_ settings: ServerConfiguration) throws -> (tracer: any Tracer, service: any Service)? {
    guard let endpoint = settings.otlpEndpoint else { return nil }
    var configuration = OTel.Configuration.default
    configuration.serviceName = "civicgridd"
    configuration.logs.enabled = false
    configuration.metrics.enabled = false
    configuration.propagators = [.traceContext]
    configuration.traces.enabled = true
    configuration.traces.exporter = .otlp
    configuration.traces.otlpExporter.protocol = .grpc
    configuration.traces.otlpExporter.endpoint = endpoint
    // The ratio is checked to be in 0...1 when the settings are read (TracingSettings).
    configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.traceSampleRatio) ?? .parentBasedAlwaysOn
    let backend = try OTel.makeTracingBackend(configuration: configuration)
    return (backend.factory, backend.service)
  }
}
