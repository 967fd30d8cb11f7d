import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct EventsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "events",
    abstract: "The partner event feed: every case state change with its global sequence number.",
    subcommands: [Watch.self]
  )

  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print events after a sequence number, then live ones as they happen (until interrupted or --count).",
      discussion: """
        One line per event: sequence, time, case, task, kind, who and summary; with --json one \
        CaseEvent per line. Resume after a disconnect with --after set to the last sequence \
        printed: every event arrives exactly once, in order. --timeout does not end the watch.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The last sequence number already seen (default 0: from the beginning).") var after: Int64 = 0
    @Option(name: .customLong("case"), help: "Only events of this case.") var caseID: String?
    @Option(help: "Only events of cases of this item.") var item: String?
    @Option(help: "Only events of this kind (repeatable): submitted, stateChanged, taskApproved, …") var kind: [String] = []
    @Option(help: "Stop after this many events.") var count: Int?

    func validate() throws {
      if self.after < 0 { throw ValidationError("--after must not be negative") }
      if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
      do {
        var request = Civicgrid_V1_WatchEventsRequest()
        request.after = self.after
        request.caseID = self.caseID ?? ""
        request.itemCode = self.item ?? ""
        request.kinds = self.kind
        let (json, count) = (self.global.json, self.count)
        try await ClientFactory.withServices(self.global) { [request] services in
          var options = services.options
          options.timeout = nil
          try await services.cases.watchEvents(request, metadata: services.metadata, options: options) { response in
            var seen = 0
            for try await event in response.messages {
              if json {
                try Output.json(event)
              } else {
                Output.line(Self.line(event))
              }
              seen += 1
              if let count, seen >= count { return }
            }
          }
        }
      } catch {
        Failure.exit(error)
      }
    }

    /// `#42  2026-11-30 09:12:00  C00000007  task 2  taskApproved  handler-hrss@QH-HRSS  approved: …`
    static func line(_ event: Civicgrid_V1_CaseEvent) -> String {
      let task = event.task == 0 ? "" : "  task \(event.task)"
      return
        "#\(event.sequence)  \(Output.time(event.hasAt ? event.at : nil))  \(event.caseID)\(task)  \(event.kind)  \(event.by)  \(event.summary)"
    }
  }
}
