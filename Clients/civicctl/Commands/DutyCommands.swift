import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl duty: the duty roster (轮驻) of a centre (docs/DISPUTES.md, "Duty roster").

struct DutyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "duty",
    abstract: "The duty roster (轮驻): departments' staff stationed at a centre by day.",
    subcommands: [List.self, Set.self]
  )

  static func print(_ roster: Civicgrid_V1_DutyRoster, json: Bool) throws {
    if json { return try Output.json(roster) }
    var table = Table([.init("DAY"), .init("DEPARTMENT"), .init("STAFF")])
    for entry in roster.entries { table.append([entry.day, entry.departmentCode, entry.logins.joined(separator: ", ")]) }
    Output.text(roster.entries.isEmpty ? "No one on duty at \(roster.centreCode).\n" : table.render())
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who is on duty at a centre from one day to another.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The centre (default your own unit).") var centre: String?
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD (default the first).") var to: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_ListDutyRequest()
        request.centreCode = self.centre ?? ""
        request.from = self.from
        request.to = self.to ?? self.from
        let roster = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.disputes.listDuty(request, metadata: services.metadata, options: services.options)
        }
        try DutyCommand.print(roster, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Set: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the staff a department stations at a centre on a day (no --login clears it).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The centre (default your own unit).") var centre: String?
    @Option(help: "The day, YYYY-MM-DD.") var day: String
    @Option(help: "The department.") var department: String
    @Option(help: "A login of the department's staff (repeatable).") var login: [String] = []

    func run() async throws {
      do {
        var request = Civicgrid_V1_SetDutyRequest()
        request.centreCode = self.centre ?? ""
        request.day = self.day
        request.departmentCode = self.department
        request.logins = self.login
        let roster = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.disputes.setDuty(request, metadata: services.metadata, options: services.options)
        }
        try DutyCommand.print(roster, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }
}
