import CivicStore
import Foundation
import Logging

/// A fresh, empty database on the CIVICGRID_DATABASE_URL server, dropped afterwards whatever
/// the outcome.
enum ScratchDatabase {
  /// Runs `body` with a pool on a new database named `<prefix>_<random hex>` and that pool's
  /// configuration.
  static func with<R>(
    prefix: String,
    poolSize: Int,
    logger: Logger,
    _ body: (_ pool: StorePool, _ configuration: StoreConfiguration) async throws -> R
  ) async throws -> R {
    let base = try ServiceHarness.storeConfiguration(poolSize: 1)
    // The name is made here from hex digits only (identifiers cannot be bound).
    let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    let admin = StorePool(configuration: base, logger: logger)
    try await admin.query("CREATE DATABASE \(name)")
    var configuration = base
    configuration.poolSize = poolSize
    configuration.database = name
    let pool = StorePool(configuration: configuration, logger: logger)
    let result: R
    do {
      result = try await body(pool, configuration)
    } catch {
      await pool.close()
      _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
      await admin.close()
      throw error
    }
    await pool.close()
    _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    await admin.close()
    return result
  }
}
