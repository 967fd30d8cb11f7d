import CivicServer
import CivicTestSupport
import Foundation

/// A fresh set of test certificates made by `ops/certs` (a local CA, a server certificate for
/// localhost, 127.0.0.1 and ::1, client certificates of that CA and of another one, an
/// expired one), removed with the directory by `remove()`.
struct TestCertificates: Sendable {
  let directory: URL

  struct Failed: Error, CustomStringConvertible {
    var description: String
  }

  static func make() throws -> TestCertificates {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("civic-certs-\(UUID().uuidString)")
    let process = Process()
    process.executableURL = Binaries.packageRoot.appendingPathComponent("ops/certs")
    process.arguments = [directory.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw Failed(description: "ops/certs exited \(process.terminationStatus)") }
    return TestCertificates(directory: directory)
  }

  /// The path of one of ops/certs' files, e.g. `path("ca.pem")`.
  func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

  func remove() { try? FileManager.default.removeItem(at: self.directory) }

  /// The server's TLS: its certificate, client certificates of ca.pem required, and
  /// `partner-system` (the partner client certificate's CN) acting as the demo `partner`.
  var serverFiles: TLSFiles {
    TLSFiles(
      certificateChain: self.path("server.pem"),
      privateKey: self.path("server.key"),
      clientCA: self.path("ca.pem"),
      clientAccounts: ["partner-system": "partner"]
    )
  }

  /// Runs `body` with fresh certificates, removing them afterwards.
  static func with<R>(_ body: (TestCertificates) async throws -> R) async throws -> R {
    let certificates = try Self.make()
    defer { certificates.remove() }
    return try await body(certificates)
  }
}
