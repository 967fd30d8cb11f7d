import ArgumentParser
import CivicProtos
import Foundation

extension DisputeCommand {
  /// `dispute report --month 2026-11 | --quarter 2026Q4 | --year 2026 [--unit U]`.
  struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Monthly analysis, quarterly or annual report (月研判、季总结、年考核): counts by type, channel, outcome and unit, as Markdown."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "A month: 2026-11.") var month: String?
    @Option(help: "A quarter: 2026Q4 (or 2026-Q4).") var quarter: String?
    @Option(help: "A year: 2026.") var year: String?
    @Option(help: "Count this unit's subtree (default your own unit).") var unit: String = ""

    /// The one period given, as the server writes it (`2026Q4` → `2026-Q4`).
    static func period(month: String?, quarter: String?, year: String?) throws -> String {
      let given = [month, quarter, year].compactMap { $0 }
      guard given.count == 1 else { throw ValidationError("give exactly one of --month, --quarter, --year") }
      if let quarter, !quarter.contains("-"), let q = quarter.firstIndex(where: { $0 == "Q" || $0 == "q" }) {
        return "\(quarter[..<q])-Q\(quarter[quarter.index(after: q)...])"
      }
      return given[0]
    }

    func run() async throws {
      var request = Civicgrid_V1_GetDisputeReportRequest()
      request.period = try Self.period(month: self.month, quarter: self.quarter, year: self.year)
      request.unitCode = self.unit
      do {
        let report = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.disputes.getDisputeReport(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(report) }
        Output.text(report.markdown + "\n")
      } catch {
        Failure.exit(error)
      }
    }
  }

  /// `dispute ladder show|set`: the district's escalation ladder, versioned.
  struct Ladder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The district's escalation ladder (community → street → district centre → court link …).",
      subcommands: [ShowLadder.self, SetLadder.self]
    )

    static func print(_ ladder: Civicgrid_V1_DisputeLadder, json: Bool) throws {
      if json { return try Output.json(ladder) }
      let origin =
        ladder.version == 0
        ? (ladder.standard ? "the standard ladder" : "unversioned")
        : "version \(ladder.version) by \(ladder.createdBy), \(Output.time(ladder.createdAt))"
      let history = ladder.history.filter { $0 != ladder.version }.map { "v\($0)" }.joined(separator: ", ")
      Output.line("Ladder of \(ladder.districtCode) (\(origin))" + (history.isEmpty ? "" : " · earlier: \(history)"))
      for (index, rung) in ladder.rungs.enumerated() { Output.line("  \(index + 1). \(rung)") }
    }

    struct ShowLadder: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "show", abstract: "The ladder in force.")
      @OptionGroup var global: GlobalOptions

      func run() async throws {
        do {
          let ladder = try await ClientFactory.withServices(self.global) { services in
            try await services.disputes.getLadder(.init(), metadata: services.metadata, options: services.options)
          }
          try Ladder.print(ladder, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct SetLadder: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Publish a new ladder version (admin): rungs lowest first; the next escalation climbs it."
      )
      @OptionGroup var global: GlobalOptions
      @Argument(help: "Rung names, lowest first.") var rungs: [String]
      @Option(help: "The version you read (default: the one in force).") var expectedVersion: Int32?

      func run() async throws {
        var request = Civicgrid_V1_SetLadderRequest()
        request.rungs = self.rungs
        let given = self.expectedVersion
        do {
          let ladder = try await ClientFactory.withServices(self.global) { [request] services in
            var request = request
            if let given {
              request.expectedVersion = given
            } else {
              request.expectedVersion = try await services.disputes.getLadder(
                .init(),
                metadata: services.metadata,
                options: services.options
              ).version
            }
            return try await services.disputes.setLadder(request, metadata: services.metadata, options: services.options)
          }
          try Ladder.print(ladder, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }
  }
}
