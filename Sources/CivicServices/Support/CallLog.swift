public import Logging

/// The logger of the call being served, bound by the server's call-logging interceptor with
/// `rpc.request_id`, `rpc.method` and `rpc.account` in its metadata, so every line a handler
/// logs names its call without passing a logger through every function.
///
/// Log names and identifiers (case numbers, token ids), never personal data, bearer secrets
/// or request fields (docs/SECURITY.md).
public enum CallLog {
  @TaskLocal public static var logger: Logger?

  /// The call's logger; outside a call, one that drops everything.
  public static var current: Logger {
    Self.logger ?? Logger(label: "civicgrid.call") { _ in SwiftLogNoOpLogHandler() }
  }
}
