public import Foundation
import Synchronization

/// A `git clone` of this repository into a new folder only its owner can enter (mode 700, as
/// a clone under root's home directory or in a `mktemp -d` folder is), for tests that run the
/// README's commands as a new user would. The clone has the committed tree (HEAD), not
/// uncommitted edits.
public struct ScratchCheckout: Sendable {
  /// The folder made for the test; the clone is `root`, inside it.
  public let folder: URL
  /// The checkout.
  public let root: URL

  /// The environment the scripts run with: the test's, without the settings that would point
  /// them at another cluster or database than their own.
  public static var scriptEnvironment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "CIVICGRID_PG_PORT", "CIVICGRID_PG_DIR", "CIVICGRID_PG_NAME", "CIVICGRID_PG_STATE_DIR", "CIVICGRID_DATABASE_URL",
      "CIVICGRID_MIGRATION_DATABASE_URL", "CIVICGRID_DATABASE_APP_ROLE", "CIVICGRID_CONFIG", "CIVICGRID_SERVER",
      "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGHOSTADDR",
    ] { environment[name] = nil }
    return environment
  }

  /// Clones the repository into a new mode-700 folder.
  public static func clone() async throws -> ScratchCheckout {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("civicgrid-checkout-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    let checkout = ScratchCheckout(folder: folder, root: folder.appendingPathComponent("civicgrid"))
    let cloned = try await ChildProcess.run(
      URL(fileURLWithPath: "/usr/bin/git"), ["clone", "--quiet", Binaries.packageRoot.path, checkout.root.path],
      in: folder, logs: folder, timeLimit: .seconds(120)
    )
    guard cloned.status == 0 else {
      checkout.remove()
      throw ChildProcess.Failed(description: "git clone failed (\(cloned.status)): \(cloned.stderr)")
    }
    return checkout
  }

  /// Runs `script` (a path inside the checkout, e.g. `ops/pg`) there to completion.
  public func run(
    _ script: String, _ arguments: [String] = [], environment: [String: String] = Self.scriptEnvironment,
    timeLimit: Duration = .seconds(180)
  ) async throws -> ChildProcess.Outcome {
    try await ChildProcess.run(
      self.root.appendingPathComponent(script), arguments, in: self.root, environment: environment, logs: self.folder,
      timeLimit: timeLimit
    )
  }

  /// Starts `script` in the checkout without waiting for it; its output goes to files in `folder`.
  public func start(
    _ script: String, _ arguments: [String] = [], environment: [String: String] = Self.scriptEnvironment
  ) throws -> ChildProcess {
    try ChildProcess(
      self.root.appendingPathComponent(script), arguments, in: self.root, environment: environment, logs: self.folder
    )
  }

  /// Stops and deletes the clone's private cluster (`ops/pg destroy`), then the folder.
  public func destroy() async {
    _ = try? await self.run("ops/pg", ["destroy"], timeLimit: .seconds(60))
    self.remove()
  }

  private func remove() {
    try? FileManager.default.removeItem(at: self.folder)
  }
}

/// A child process whose standard output and error go to files (a pipe would be held open by
/// a daemon it starts, such as PostgreSQL's postmaster), with bounded waits that poll instead of
/// blocking a thread of the cooperative pool. Started with posix_spawn and reaped with
/// `waitpid(WNOHANG)`: Foundation's `Process` left exited children unreaped here, so that
/// `isRunning` stayed true.
public final class ChildProcess: Sendable {
  public struct Outcome: Sendable {
    /// The exit status; 124 when stopped at the time limit, 128 + N when killed by signal N.
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  public struct Failed: Error, CustomStringConvertible { public var description: String }

  public let processIdentifier: pid_t
  private let stdoutFile: URL
  private let stderrFile: URL
  /// The exit status once reaped.
  private let exitStatus = Mutex<Int32?>(nil)

  public init(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil, logs: URL) throws {
    let name = "\(executable.lastPathComponent)-\(UUID().uuidString.prefix(8))"
    self.stdoutFile = logs.appendingPathComponent("\(name).out")
    self.stderrFile = logs.appendingPathComponent("\(name).err")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, self.stdoutFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, self.stderrFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // env(1) changes into the folder and runs the command.
    let argv = (["/usr/bin/env", "-C", directory.path, executable.path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    let envp = variables.map { strdup($0) } + [nil]
    defer { for pointer in envp { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
    guard spawned == 0 else { throw Failed(description: "cannot start \(executable.path): errno \(spawned)") }
    self.processIdentifier = pid
  }

  /// Whether it has not exited yet (reaping it once it has).
  public var isRunning: Bool {
    self.exitStatus.withLock { status in
      guard status == nil else { return false }
      var wait: Int32 = 0
      let reaped = waitpid(self.processIdentifier, &wait, WNOHANG)
      if reaped == self.processIdentifier {
        status = wait
        return false
      }
      return reaped == 0 || (reaped == -1 && errno == EINTR)
    }
  }

  /// What it wrote so far.
  public var stdout: String { (try? String(contentsOf: self.stdoutFile, encoding: .utf8)) ?? "" }
  public var stderr: String { (try? String(contentsOf: self.stderrFile, encoding: .utf8)) ?? "" }

  /// Waits until it exits, or stops it (SIGTERM, then SIGKILL) once `timeLimit` has passed:
  /// a bound so that a command that stopped exiting fails its test instead of hanging it.
  public func wait(timeLimit: Duration) async -> Outcome {
    let deadline = ContinuousClock.now + timeLimit
    while self.isRunning && ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(50))
    }
    if self.isRunning {
      await self.stop(grace: .seconds(10))
      return Outcome(status: 124, stdout: self.stdout, stderr: self.stderr + "\n[ChildProcess: stopped after the time limit of \(timeLimit)]\n")
    }
    return self.outcome
  }

  /// SIGTERM, and SIGKILL if it is still running after `grace`; returns once it has exited.
  public func stop(grace: Duration = .seconds(30)) async {
    guard self.isRunning else { return }
    kill(self.processIdentifier, SIGTERM)
    let deadline = ContinuousClock.now + grace
    while self.isRunning && ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(50))
    }
    if self.isRunning { kill(self.processIdentifier, SIGKILL) }
    while self.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
  }

  /// Its outcome; the status is meaningful once it has exited (-1 before).
  public var outcome: Outcome {
    let wait = self.exitStatus.withLock { $0 }
    var status: Int32 = -1
    if let wait {
      // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
      status = wait & 0x7f == 0 ? (wait >> 8) & 0xff : 128 + (wait & 0x7f)
    }
    return Outcome(status: status, stdout: self.stdout, stderr: self.stderr)
  }

  /// Runs a command to completion (or to `timeLimit`).
  public static func run(
    _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil, logs: URL,
    timeLimit: Duration
  ) async throws -> Outcome {
    let child = try ChildProcess(executable, arguments, in: directory, environment: environment, logs: logs)
    return await child.wait(timeLimit: timeLimit)
  }
}
