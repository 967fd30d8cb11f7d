import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl meeting: the governance centre's meetings (docs/DISPUTES.md, "Meeting agenda").

struct MeetingCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "meeting",
    abstract: "The governance centre's meetings: the weekly agenda from open disputes.",
    subcommands: [Agenda.self]
  )

  struct Agenda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The weekly meeting's agenda (周例会): open disputes of high or major risk, with overdue routes or escalated, most pressing first."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only disputes taken in at this unit's subtree or routed into it.") var unit: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetAgendaRequest()
        request.unitCode = self.unit ?? ""
        let agenda = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.disputes.getAgenda(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(agenda) }
        var table = Table([.init("#", .right), .init("DISPUTE"), .init("KIND"), .init("STATE"), .init("RISK"), .init("RUNG"), .init("WHY"), .init("SUMMARY")])
        for (index, item) in agenda.items.enumerated() {
          let d = item.dispute
          table.append([
            String(index + 1), d.id, DisputeDiagram.kind(d), d.state, d.risk == .unspecified ? "" : d.risk.name, "\(d.ladderLevel) \(d.ladderRung)",
            item.reasons.joined(separator: "; "), String(d.summary.prefix(40)),
          ])
        }
        Output.text(agenda.items.isEmpty ? "Nothing on the agenda.\n" : table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
