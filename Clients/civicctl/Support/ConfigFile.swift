import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What `civicctl login` remembers: the server, its transport and the bearer token.
struct StoredLogin: Codable, Equatable, Sendable {
  var server: String
  var transport: String
  var token: String
  /// The login the token belonged to when it was stored, for people reading `whoami`.
  var login: String?
}

/// The civicctl configuration file: `$CIVICCTL_CONFIG`, else
/// `$XDG_CONFIG_HOME/civicctl/config.json`, else `~/.config/civicctl/config.json`.
///
/// It holds a secret, so it is written owner-only (file 0600, a folder we create 0700),
/// through a temporary file renamed into place so a reader never sees half a file.
struct ConfigFile: Sendable {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let path: String

  init(path: String) {
    self.path = path
  }

  /// The file the environment names (see the type's documentation).
  init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let explicit = environment["CIVICCTL_CONFIG"], !explicit.isEmpty {
      self.path = explicit
    } else if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
      self.path = xdg + "/civicctl/config.json"
    } else {
      let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
      self.path = home + "/.config/civicctl/config.json"
    }
  }

  /// The stored login, or nil when there is no file.
  func load() throws -> StoredLogin? {
    guard FileManager.default.fileExists(atPath: self.path) else { return nil }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: self.path))
    } catch {
      throw Failure(description: "cannot read \(self.path): \(error.localizedDescription)")
    }
    do {
      return try JSONDecoder().decode(StoredLogin.self, from: data)
    } catch {
      throw Failure(description: "\(self.path) is not a civicctl configuration; run `civicctl login` again or remove it")
    }
  }

  /// Permission bits of the file, or nil when it does not exist.
  func permissions() -> Int? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: self.path),
      let mode = attributes[.posixPermissions] as? Int
    else { return nil }
    return mode & 0o777
  }

  /// Writes the login owner-only, replacing any earlier file.
  func save(_ login: StoredLogin) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try Self.writeOwnerOnly(try encoder.encode(login) + Data("\n".utf8), to: self.path)
  }

  /// Creates the folder of `path` owner-only (0700) when it is missing.
  static func createFolder(of path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw Failure(description: "cannot create \(directory): \(error.localizedDescription)")
    }
  }

  /// Writes `data` to `path` owner-only (0600) through a temporary file renamed into place, so
  /// a reader sees the old file or the new one, never half of one.
  static func writeOwnerOnly(_ data: Data, to path: String) throws {
    try Self.createFolder(of: path)
    let temporary = path + ".tmp-\(getpid())"
    // O_EXCL: never follow or reuse a file someone else put there; 0600 from the first byte.
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
    var ok = fchmod(fd, 0o600) == 0
    data.withUnsafeBytes { buffer in
      var offset = 0
      while ok, offset < buffer.count {
        let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          ok = false
        } else {
          offset += written
        }
      }
    }
    ok = ok && fsync(fd) == 0
    let error = errno
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(ok ? errno : error))
      unlink(temporary)
      throw Failure(description: "cannot write \(path): \(reason)")
    }
  }

  /// Removes the file; false when there was none.
  @discardableResult
  func remove() throws -> Bool {
    guard FileManager.default.fileExists(atPath: self.path) else { return false }
    guard unlink(self.path) == 0 else {
      throw Failure(description: "cannot remove \(self.path): \(String(cString: strerror(errno)))")
    }
    return true
  }
}
