import ArgumentParser
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import Logging

/// `civicgridd snapshots`: the stored form of case snapshots (migration 0018, docs/STORE.md).
struct Snapshots: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show or convert the stored form of case snapshots (binary since migration 0018, JSON before).",
    subcommands: [Status.self, Convert.self],
    defaultSubcommand: Status.self
  )

  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Count the cases whose snapshot is binary and JSON.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
      let forms = try await self.database.withMigratedPool(command: "snapshots status") { pool in try await SnapshotConversion.forms(pool) }
      print("binary \(forms[.binary] ?? 0)\njson \(forms[.json] ?? 0)")
    }
  }

  struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rewrite every case snapshot in one form, a batch per transaction, while the server runs.",
      discussion: """
        --to binary finishes the move from JSON (the server converts a case whenever it changes \
        anyway). --to json is for a rollback to a server older than migration 0018, which reads \
        only JSON: run it after stopping the newer servers. Safe to stop and run again.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The form to write: binary or json.") var to: Form
    @Option(help: "Cases per transaction.") var batch = 1000

    enum Form: String, ExpressibleByArgument {
      case binary, json
      var form: SnapshotForm { self == .binary ? .binary : .json }
    }

    func validate() throws {
      guard self.batch > 0 else { throw ValidationError("--batch must be positive, not \(self.batch)") }
    }

    func run() async throws {
      let start = ContinuousClock.now
      let done = try await self.database.withMigratedPool(command: "snapshots convert") { pool in
        try await SnapshotConversion.run(pool, to: self.to.form, batchSize: self.batch) { progress in
          FileHandle.standardError.write(Data("civicgridd snapshots convert: \(progress.converted) converted\n".utf8))
        }
      }
      let seconds = (ContinuousClock.now - start) / .seconds(1)
      print("converted \(done.converted) snapshots to \(self.to.rawValue) in \(done.batches) batches, \(String(format: "%.1f", seconds)) s")
    }
  }
}
