import CivicServer
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// The OTLP trace exporter, when `otlp_endpoint` is set (docs/OPERATIONS.md, Tracing).
///
/// swift-otel's tracer with a parent-based ratio sampler (`trace_sample_ratio` for new
/// traces; a caller's sampled `traceparent` is followed), W3C trace context, batched export
/// over OTLP/gRPC. Its logs and metrics backends stay off: the server keeps its own. The
/// tracer is bootstrapped process-wide and also handed to the server and the store.
enum TracingBackend {
  /// `OTEL_*` variables that would override what civicgridd's own settings decide (where to
  /// export, how to sample, what else to export): left out, so `otlp_endpoint` and
  /// `trace_sample_ratio` keep their precedence. The rest (headers, certificates, timeouts,
  /// resource attributes, service name, batching) apply as swift-otel documents them.
  static let overriddenVariables: Set<String> = [
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_TRACES_EXPORTER",
    "OTEL_LOGS_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_PROPAGATORS", "OTEL_SDK_DISABLED",
  ]

  /// Log metadata from the current span: `trace.id`, `span.id`, `trace.flags`.
  static var logMetadata: Logger.MetadataProvider {
    var keys = OTel.Configuration.LoggingMetadataProviderConfiguration.default
    keys.traceIDKey = "trace.id"
    keys.spanIDKey = "span.id"
    keys.traceFlagsKey = "trace.flags"
    return OTel.makeLoggingMetadataProvider(configuration: keys)
  }

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
    let environment = ProcessInfo.processInfo.environment.filter { !Self.overriddenVariables.contains($0.key) }
    let service = try OTel.bootstrap(configuration: configuration, environment: environment)
    return (InstrumentationSystem.tracer, service)
  }
}
