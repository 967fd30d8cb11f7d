import CivicTestSupport
import Foundation

/// The built civicctl as a person runs it against a harness's server: a config file of its
/// own (removed by `close()`), no token from the environment, the server's CivicWire port.
struct CivicctlRunner {
  let folder: URL
  let environment: [String: String]

  init(wirePort: Int) {
    self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-\(UUID().uuidString)")
    var environment = ProcessInfo.processInfo.environment
    environment["CIVICCTL_CONFIG"] = self.folder.appendingPathComponent("config.json").path
    environment["CIVICCTL_TOKEN"] = nil
    environment["CIVICGRID_SERVER"] = "127.0.0.1:\(wirePort)"
    self.environment = environment
  }

  var configPath: String { self.environment["CIVICCTL_CONFIG"]! }

  /// civicctl with the stored login's token.
  func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try Binaries.run(Binaries.civicctl, arguments, environment: self.environment)
  }

  /// civicctl with `token`.
  func callAs(_ token: String, _ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
    try self.run(["--token", token] + arguments)
  }

  func close() {
    try? FileManager.default.removeItem(at: self.folder)
  }
}
