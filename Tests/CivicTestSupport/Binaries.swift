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
  /// Blocks the calling thread: from async tests that also run a server in-process use
  /// `runDetached`.
  public static func run(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String]? = nil,
    stdin: String? = nil
  ) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
  }

  /// `run` on a thread of its own. Waiting for a child process must not hold a thread of
  /// Swift's cooperative pool (two on a 2-core machine): the server under test needs them
  /// to answer the very command being waited for.
  public static func runDetached(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String]? = nil,
    stdin: String? = nil
  ) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await withCheckedThrowingContinuation { continuation in
      Thread {
        continuation.resume(with: Result { try Self.run(executable, arguments, environment: environment, stdin: stdin) })
      }.start()
    }
  }
}
