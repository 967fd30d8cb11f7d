public import CivicDomain
public import CivicStore
public import Foundation

/// The assessment schemes (`assessment_schemes`, a `VersionedDocumentStore`): every version
/// kept, the newest in force; a closed period names the version it was assessed under.
extension MetricsRepository {
  /// One stored scheme; its document carries its version number.
  public typealias StoredScheme = StoredVersion<AssessmentScheme>

  static let schemes = VersionedDocumentStore<AssessmentScheme>.Table(
    name: "assessment_schemes",
    subject: "the assessment scheme",
    columns: DocumentColumns.json("definition").adding("name") { "\($0.name)" }
  )

  var schemes: VersionedDocumentStore<AssessmentScheme> { VersionedDocumentStore(self.connection, Self.schemes) }

  /// The scheme in force (the newest); `lock` holds it against a concurrent change.
  public func storedScheme(lock: Bool = false) async throws(StoreError) -> StoredScheme? { try await self.schemes.current(lock: lock) }

  public func storedScheme(version: Int) async throws(StoreError) -> StoredScheme? { try await self.schemes.version(version) }

  /// Every scheme version, newest first.
  public func schemeHistory() async throws(StoreError) -> [Int] { try await self.schemes.history() }

  /// Publishes the scheme `make` builds for the next version if `expectedVersion` is in force
  /// (stale → `staleVersion`); returns the version replaced and the scheme stored.
  @discardableResult
  public func setScheme(expectedVersion: Int, by account: String, _ make: (_ version: Int) async throws -> AssessmentScheme)
    async throws -> (replaced: Int, stored: AssessmentScheme)
  {
    try await self.schemes.set(expectedVersion: expectedVersion, by: account, make)
  }
}
