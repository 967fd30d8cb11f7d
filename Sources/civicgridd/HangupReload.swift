import CivicServer
import ServiceLifecycle
import UnixSignals

/// Re-reads the settings on every SIGHUP and applies their TLS part (the server certificate
/// and `tls_client_accounts`) without a restart, as nginx and HAProxy reload on SIGHUP
/// (docs/OPERATIONS.md). A bad file is logged and changes nothing.
struct HangupReload: Service {
  let reloader: TLSReloader
  let resolve: @Sendable () throws -> ServerConfiguration

  func run() async throws {
    for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
      self.reloader.reload(self.resolve)
    }
  }
}
