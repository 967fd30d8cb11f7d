import Foundation

/// A second, private PostgreSQL cluster the test can stop and restart (through `ops/pg`
/// with its own name and port, in a folder beside the checkout's own cluster), to see the
/// store while PostgreSQL is really down.
public struct ThrowawayCluster: Sendable {
  public let port: Int
  /// The superuser URL `ops/pg url --superuser` gives for this cluster (empty if it failed,
  /// and then `start` fails too).
  public let url: String
  private let script: String
  private let environment: [String]

  public init(port: Int) {
    self.script = Binaries.packageRoot.appendingPathComponent("ops/pg").path
    self.port = port
    self.environment = ["-u", "CIVICGRID_PG_DIR", "CIVICGRID_PG_NAME=throwaway-\(port)", "CIVICGRID_PG_PORT=\(port)"]
    // `url` starts no server, so its output can be read from a pipe.
    let answer = try? Binaries.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      self.environment + [self.script, "url", "--superuser", "postgres"],
      timeLimit: .seconds(30)
    )
    self.url = answer.map { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "" } ?? ""
  }

  public func start() throws { try self.run("start") }
  public func stop() throws { try self.run("stop") }

  /// Stops the cluster and deletes its folder.
  public func destroy() {
    try? self.run("destroy")
  }

  /// Runs `ops/pg <command>` for this cluster with posix_spawn and waits for it (the
  /// server it starts is detached by pg_ctl; its output goes to /dev/null).
  private func run(_ command: String) throws {
    let arguments = ["/usr/bin/env"] + self.environment + [self.script, command]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
    guard spawned == 0 else { throw ScriptFailed(description: "cannot run ops/pg: errno \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    guard status == 0 else { throw ScriptFailed(description: "ops/pg \(command) failed (wait status \(status))") }
  }

  public struct ScriptFailed: Error, CustomStringConvertible { public var description: String }
}

/// A loopback TCP port nothing listens on (bound, read back, closed).
public func closedLoopbackPort() -> Int {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(descriptor) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
  }
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
  }
  return Int(UInt16(bigEndian: address.sin_port))
}
