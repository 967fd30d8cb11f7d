public import Foundation

/// One versioned SQL file: `NNNN_name.sql`, applied once, in version order, in its own
/// transaction, and recorded with the SHA-256 of its text.
public struct Migration: Sendable, Hashable {
  public var version: Int
  public var name: String
  public var sql: String

  public init(version: Int, name: String, sql: String) {
    self.version = version
    self.name = name
    self.sql = sql
  }

  /// The migrations shipped with CivicStore (resources under `Migrations/SQL`).
  public static func bundled() throws -> [Migration] {
    guard let folder = Bundle.module.resourceURL?.appendingPathComponent("SQL"),
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
    else {
      throw MigrationError(kind: .missingResources, version: 0, name: "SQL")
    }
    let urls = names.filter { $0.hasSuffix(".sql") }.map { folder.appendingPathComponent($0) }
    return try urls.map { try Migration(file: $0) }.sorted { $0.version < $1.version }
  }

  /// Reads `NNNN_name.sql`.
  public init(file: URL) throws {
    let base = file.deletingPathExtension().lastPathComponent
    let parts = base.split(separator: "_", maxSplits: 1)
    guard parts.count == 2, let version = Int(parts[0]), version > 0 else {
      throw MigrationError(kind: .badFileName, version: 0, name: file.lastPathComponent)
    }
    self.init(version: version, name: String(parts[1]), sql: try String(contentsOf: file, encoding: .utf8))
  }
}

/// Why migrating failed or the server refuses to start.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// An applied migration's file no longer has the checksum recorded when it was applied.
    case changed
    /// The database has a migration this build does not ship (a newer server applied it).
    case unknown
    case badFileName
    case duplicateVersion
    case missingResources
  }
  public var kind: Kind
  public var version: Int
  public var name: String

  public var description: String {
    switch self.kind {
    case .changed:
      return "migration \(self.version) (\(self.name)) was changed after it was applied; restore the file or add a new migration"
    case .unknown:
      return "the database has migration \(self.version) (\(self.name)) which this build does not ship"
    case .badFileName:
      return "migration file \(self.name) is not named NNNN_name.sql"
    case .duplicateVersion:
      return "two migrations have version \(self.version)"
    case .missingResources:
      return "the migration resources are missing from the CivicStore bundle"
    }
  }
}
