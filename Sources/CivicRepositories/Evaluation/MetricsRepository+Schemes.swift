public import CivicDomain
public import CivicStore
public import Foundation

/// The assessment schemes (`assessment_schemes`): every version kept, the newest in force; a
/// closed period names the version it was assessed under.
extension MetricsRepository {
  /// One stored scheme.
  public struct StoredScheme: Sendable, SQLRecord {
    public var scheme: AssessmentScheme
    public var createdBy: String
    public var createdAt: Date

    public init(row: Row) throws(StoreError) {
      let version: Int = try row.decode(column: "version")
      let text = try row.decode(String.self, column: "definition")
      do {
        self.scheme = try JSONDecoder().decode(AssessmentScheme.self, from: Data(text.utf8))
      } catch {
        throw StoreError(code: .decoding, serverMessage: "assessment scheme version \(version): \(error)")
      }
      self.createdBy = try row.decode(column: "created_by")
      self.createdAt = try row.decode(column: "created_at")
    }
  }

  /// The scheme in force (the newest); `lock` holds it against a concurrent change.
  public func storedScheme(lock: Bool = false) async throws(StoreError) -> StoredScheme? {
    var query: SQLQuery =
      "SELECT version, definition::text AS definition, created_by, created_at FROM assessment_schemes ORDER BY version DESC LIMIT 1"
    if lock { query.append(" FOR UPDATE") }
    return try await self.connection.query(query).first(StoredScheme.self)
  }

  public func storedScheme(version: Int) async throws(StoreError) -> StoredScheme? {
    try await self.connection.query(
      "SELECT version, definition::text AS definition, created_by, created_at FROM assessment_schemes WHERE version = \(version)"
    ).first(StoredScheme.self)
  }

  /// Every scheme version, newest first.
  public func schemeHistory() async throws(StoreError) -> [Int] {
    try await self.connection.query("SELECT version FROM assessment_schemes ORDER BY version DESC")
      .rows.map { row throws(StoreError) in try row.decode(Int.self, at: 0) }
  }

  /// Stores `scheme` as its version (the caller checked it is the next one).
  public func publishScheme(_ scheme: AssessmentScheme, by account: String) async throws {
    let json = String(decoding: try JSONEncoder().encode(scheme), as: UTF8.self)
    try await self.connection.execute(
      "INSERT INTO assessment_schemes (version, name, definition, created_by) VALUES (\(scheme.version), \(scheme.name), \(json)::jsonb, \(account))"
    )
  }
}
