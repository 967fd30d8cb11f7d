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

  /// How long a command run by `run` may take before it is killed: not a measure of
  /// speed, only a bound so that a command that stopped exiting fails its test instead of
  /// hanging the suite.
  public static let defaultTimeLimit: Duration = .seconds(120)

  /// Runs a command to completion, returning exit status, standard output and error.
  /// Blocks the calling thread: from async tests that also run a server in-process use
  /// `runDetached`. A command still running after `timeLimit` is stopped (SIGTERM, then
  /// SIGKILL) and reported with status 124 and a note on standard error; one killed by
  /// another signal with status 128 + signal.
  public static func run(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String]? = nil,
    stdin: String? = nil,
    timeLimit: Duration = Self.defaultTimeLimit
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
    let watchdog = Watchdog(process, after: timeLimit)
    defer { watchdog.cancel() }
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Standard error is read on a thread of its own, so a child that fills one pipe while
    // the other is being read cannot block both.
    let stderrData = PipeReader(err.fileHandleForReading)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = stderrData.wait()
    process.waitUntilExit()
    var errorText = String(decoding: stderr, as: UTF8.self)
    // A command stopped by the time limit never looks like success, even if it then exited 0
    // (civicgridd drains and exits 0 on SIGTERM): status 124, as timeout(1) reports.
    if watchdog.fired {
      errorText += "\n[Binaries.run: stopped after the time limit of \(timeLimit)]\n"
      return (124, String(decoding: stdout, as: UTF8.self), errorText)
    }
    if process.terminationReason == .uncaughtSignal {
      return (128 + process.terminationStatus, String(decoding: stdout, as: UTF8.self), errorText)
    }
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), errorText)
  }

  /// Terminates a process that is still running when its time limit passes.
  final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var didFire = false
    private let process: Process

    init(_ process: Process, after limit: Duration) {
      self.process = process
      let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
      DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
        guard self.lock.withLock({ () -> Bool in
          if self.done { return false }
          self.didFire = true
          return true
        }) else { return }
        self.process.terminate()
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
          if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        }
      }
    }

    var fired: Bool { self.lock.withLock { self.didFire } }
    func cancel() { self.lock.withLock { self.done = true } }
  }

  /// Reads a pipe to its end on a thread of its own.
  final class PipeReader: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
      Thread { [self] in
        self.data = handle.readDataToEndOfFile()
        self.finished.signal()
      }.start()
    }

    func wait() -> Data {
      self.finished.wait()
      return self.data
    }
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
