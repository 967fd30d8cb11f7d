import Foundation

/// The kernel's view of loopback TCP connections (Linux `/proc/net/tcp`), for tests that
/// wait for a connection to close instead of sleeping for a guessed time.
enum LoopbackConnections {
  /// The port of a gRPC peer description ("ipv4:127.0.0.1:54321").
  static func port(ofPeer peer: String) -> Int? {
    guard let colon = peer.lastIndex(of: ":") else { return nil }
    return Int(peer[peer.index(after: colon)...])
  }

  /// Whether a connection from `clientPort` to `serverPort` is ESTABLISHED (either end).
  static func isEstablished(clientPort: Int, serverPort: Int) throws -> Bool {
    // Read to the end: String(contentsOfFile:) stops after the first page of a /proc file.
    guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { throw Unreadable() }
    defer { try? file.close() }
    let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
    for line in table.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count > 3, let local = Self.port(hexEndpoint: fields[1]), let remote = Self.port(hexEndpoint: fields[2]) else {
        continue
      }
      let established = fields[3] == "01"
      if established && ((local == clientPort && remote == serverPort) || (local == serverPort && remote == clientPort)) {
        return true
      }
    }
    return false
  }

  struct Unreadable: Error, CustomStringConvertible {
    var description: String { "cannot read /proc/net/tcp" }
  }

  struct StillOpen: Error, CustomStringConvertible {
    var clientPort: Int
    var serverPort: Int
    var description: String { "the connection 127.0.0.1:\(self.clientPort) -> :\(self.serverPort) never closed" }
  }

  /// Polls until the connection is no longer ESTABLISHED. The poll bound only turns a
  /// connection that never closes into a failure; nothing is asserted about how long it took.
  static func waitUntilClosed(clientPort: Int, serverPort: Int, polls: Int = 1200) async throws {
    for _ in 0..<polls {
      if try !Self.isEstablished(clientPort: clientPort, serverPort: serverPort) { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw StillOpen(clientPort: clientPort, serverPort: serverPort)
  }

  private static func port(hexEndpoint: Substring) -> Int? {
    guard let colon = hexEndpoint.lastIndex(of: ":") else { return nil }
    return Int(hexEndpoint[hexEndpoint.index(after: colon)...], radix: 16)
  }
}
