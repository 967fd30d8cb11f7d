import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The newest commit position (`civicgrid-commit-lsn`) civicctl has seen from each server,
/// kept next to its configuration (`config.json` → `config.positions.json`), so a command
/// reads what an earlier command wrote even from a replica (docs/SCALING.md, "Reads from a
/// replica"). One JSON object, server (`HOST:PORT`) → position.
///
/// Recording merges under an exclusive lock (`flock` on a `.lock` file beside it) and replaces
/// the file atomically (`ConfigFile.writeOwnerOnly`): when two civicctl runs race, the larger
/// position wins and a reader never sees half a file.
struct CommitPositions: Sendable, Equatable {
  let path: String

  init(path: String) { self.path = path }

  /// The positions file beside `config`.
  init(config: ConfigFile) {
    let base = config.path.hasSuffix(".json") ? String(config.path.dropLast(5)) : config.path
    self.path = base + ".positions.json"
  }

  /// Every server's position; empty when there is no file or it cannot be read (a lost
  /// position only costs a read that may be stale, as before the first write).
  func load() -> [String: CommitPosition] {
    guard let data = FileManager.default.contents(atPath: self.path),
      let object = try? JSONDecoder().decode([String: String].self, from: data)
    else { return [:] }
    return object.compactMapValues(CommitPosition.init)
  }

  func position(for server: String) -> CommitPosition? { self.load()[server] }

  /// Keeps `position` for `server` unless the file already holds a newer one.
  func record(_ position: CommitPosition, for server: String) throws {
    try ConfigFile.createFolder(of: self.path)
    let lock = open(self.path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard lock >= 0 else { throw ConfigFile.Failure(description: "cannot open \(self.path).lock: \(String(cString: strerror(errno)))") }
    defer { close(lock) }
    while flock(lock, LOCK_EX) != 0 {
      guard errno == EINTR else { throw ConfigFile.Failure(description: "cannot lock \(self.path).lock: \(String(cString: strerror(errno)))") }
    }
    var all = self.load()
    if let known = all[server], known >= position { return }
    all[server] = position
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try ConfigFile.writeOwnerOnly(try encoder.encode(all.mapValues(\.description)) + Data("\n".utf8), to: self.path)
  }
}
