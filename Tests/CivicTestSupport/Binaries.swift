public import Foundation

/// Paths of the package's own executables and files, for tests that run them as a
/// user would.
public enum Binaries {
  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The build folder the tests run from (civicgridd and civicctl are built beside them).
  public static let binDirectory: URL = {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = runner.deletingLastPathComponent()
    while directory.path != "/" {
      if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("civicgridd").path) {
        return directory
      }
      directory.deleteLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug")
  }()

  public static var civicgridd: URL { binDirectory.appendingPathComponent("civicgridd") }
  public static var civicctl: URL { binDirectory.appendingPathComponent("civicctl") }

  /// Runs a command to completion, returning exit status, standard output and error.
  public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
  }
}
