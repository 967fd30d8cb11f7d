import Foundation

/// The PostgreSQL URLs `ops/test` exports for a run's fresh database, one per role
/// (docs/SECURITY.md, "Database roles").
public enum TestDatabaseURLs {
  /// `CIVICGRID_DATABASE_URL`: the application role servers run as; `nil` when not set.
  public static var application: String? {
    Self.value("CIVICGRID_DATABASE_URL")
  }

  /// `CIVICGRID_MIGRATION_DATABASE_URL`: the role that owns the schema, migrates and makes
  /// scratch databases; else the application URL (one role for both).
  public static var owner: String? {
    Self.value("CIVICGRID_MIGRATION_DATABASE_URL") ?? Self.application
  }

  /// Whether the run has two distinct roles, as `ops/test` sets them up.
  public static var hasSeparateRoles: Bool {
    guard let owner = Self.value("CIVICGRID_MIGRATION_DATABASE_URL"), let application = Self.application else { return false }
    return owner != application
  }

  private static func value(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
  }
}
