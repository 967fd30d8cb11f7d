import ArgumentParser
import CivicServices
import CivicStore
import Foundation
import Logging

struct BootstrapAdmin: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bootstrap-admin",
    abstract: "On a fresh database: create the root district and an admin account, and print its first token.",
    discussion: """
      The token is printed once on standard output and stored only as its SHA-256. Refuses (exit 1) \
      when the directory already has accounts.
      """
  )

  @OptionGroup var database: DatabaseOptions
  @Option(help: "Code of the root district unit, when the directory has none.") var districtCode = "district"
  @Option(help: "Name of the root district unit, when the directory has none.") var districtName = "District"
  @Option(help: "Login of the admin account.") var login = "admin"

  func run() async throws {
    let secret = try await self.database.withMigratedPool(command: "bootstrap-admin") { pool in
      try await DirectoryBootstrap.bootstrapAdmin(pool, districtCode: self.districtCode, districtName: self.districtName, login: self.login)
    }
    print(secret)
  }
}

struct SeedDemo: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seed-demo",
    abstract: "Load the demo district (units, one account per role) and print a fresh admin token.",
    discussion: "Running it again adds only what is missing and prints another token."
  )

  @OptionGroup var database: DatabaseOptions
  @Flag(help: "Also the grid demo (ops/demo-grid): the event routing table, a worker, a card and training on every grid, a fortnight of field events.")
  var grid = false
  @Option(
    help: """
      Also a history of activity over the last DAYS days (90d is a quarter; 1–366): applications, \
      disputes, citizens' requests, ratings and return visits, the mediation committees and the duty roster.
      """
  )
  var history: String?

  func validate() throws { _ = try self.historyDays() }

  /// `--history`'s days: `90d` or `90`.
  func historyDays() throws -> Int? {
    guard let history = self.history else { return nil }
    let digits = history.hasSuffix("d") ? String(history.dropLast()) : history
    guard let days = Int(digits), (1...366).contains(days) else {
      throw ValidationError("--history must be a number of days from 1 to 366, like 90d; got '\(history)'")
    }
    return days
  }

  func run() async throws {
    let grid = self.grid
    let days = try self.historyDays()
    let report = try await self.database.withMigratedPool(command: "seed-demo") { pool in
      var report = try await DemoData.seed(pool)
      if grid { report.summary += "; " + (try await DemoGrid.seed(pool)) }
      if let days { report.summary += "; " + (try await DemoHistory.seed(pool, days: days)).summary }
      return report
    }
    FileHandle.standardError.write(Data("civicgridd seed-demo: \(report.summary)\n".utf8))
    print(report.adminToken)
  }
}

extension DatabaseOptions {
  func required() throws -> StoreConfiguration {
    guard let configuration = self.configuration() else {
      throw ValidationError("no database: pass --database-url or set CIVICGRID_DATABASE_URL (or the PG* variables)")
    }
    return configuration
  }
}
