import Foundation

/// Parsing of the tracing settings (`otlp_endpoint`, `trace_sample_ratio`), with errors that
/// name the setting and where it came from.
enum TracingSettings {
  /// An `http://` or `https://` URL with a host and no path; the empty string turns tracing
  /// off (so the environment or a flag can undo the config file).
  static func endpoint(_ value: String, source: String) throws(ConfigurationError) -> String? {
    if value.isEmpty { return nil }
    guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
      let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil
    else {
      throw ConfigurationError(
        "\(source): otlp_endpoint must be an OTLP/gRPC collector URL like http://HOST:4317 (or empty for off), got '\(value)'"
      )
    }
    return value
  }

  /// A number from 0 to 1.
  static func ratio(_ value: String, source: String) throws(ConfigurationError) -> Double {
    guard let ratio = Double(value), ratio.isFinite, (0...1).contains(ratio) else {
      throw ConfigurationError("\(source): trace_sample_ratio must be a number in 0...1, got '\(value)'")
    }
    return ratio
  }
}
