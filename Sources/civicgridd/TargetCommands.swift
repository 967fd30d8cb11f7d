import ArgumentParser
import CivicDomain
import CivicServices
import CivicStore
import Foundation
import Logging

/// `civicgridd targets check`: runs the sweeper's target check (`TargetWatch`) now, from one
/// process, and prints what each check recomputed and how long it took (ops/bench/targets).
struct Targets: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the target check of the open month (docs/SUPERVISION.md, \"Target alerts\").",
    subcommands: [Check.self],
    defaultSubcommand: Check.self
  )

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the open month's figures against their targets, raising alerts as the sweeper does.",
      discussion: """
        Prints one line per check: its scope (everything, changed-since SEQ, nothing), the units \
        recomputed, the alerts raised and the milliseconds it took. With --checks N the checks share \
        one watch, as the sweeper's do: the first recomputes everything, later ones what changed.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Checks to run (1–100).") var checks = 1
    @Option(help: "Seconds between checks (0–3600).") var pauseSeconds = 0

    func validate() throws {
      guard (1...100).contains(self.checks) else { throw ValidationError("--checks must be 1–100, got \(self.checks)") }
      guard (0...3600).contains(self.pauseSeconds) else { throw ValidationError("--pause-seconds must be 0–3600, got \(self.pauseSeconds)") }
    }

    func run() async throws {
      try await self.database.withMigratedPool(command: "targets check") { pool in
        let logger = Logger(label: "civicgridd.targets")
        try await withThrowingTaskGroup(of: Void.self) { group in
          // As under `serve`: the sequencer numbers committed case events, and a check's
          // watermark is the newest numbered one (events written meanwhile are seen by the next).
          group.addTask { try await Sequencer(store: pool, logger: logger).compete() }
          defer { group.cancelAll() }
          try await self.runChecks(pool, logger: logger)
        }
      }
    }

    func runChecks(_ pool: StorePool, logger: Logger) async throws {
      let watch = TargetWatch(store: pool, logger: logger) {
        Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970))
      }
      for index in 0..<self.checks {
        if index > 0, self.pauseSeconds > 0 { try await Task.sleep(for: .seconds(self.pauseSeconds)) }
        let start = ContinuousClock.now
        let check = try await watch.run()
        let took = ContinuousClock.now - start
        let scope: String
        switch check.scope {
        case .everything: scope = "everything"
        case .nothing: scope = "nothing"
        case .changedSince(let sequence): scope = "changed-since \(sequence)"
        }
        let milliseconds = took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000
        // Written at once, unbuffered: ops/bench/targets acts on the first line while the next check waits.
        let line = "check \(index + 1): \(scope), \(check.units) units, \(check.raised) alerts, \(milliseconds) ms\n"
        FileHandle.standardOutput.write(Data(line.utf8))
      }
    }
  }
}
