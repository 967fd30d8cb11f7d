import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl grid: a grid's published card and the periodic analysis (docs/GRID.md).

struct GridCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grid",
    abstract: "Grids: the published card (by grid or address), the periodic analysis of field events, profiles and training.",
    subcommands: [Card.self, Stats.self, Profile.self, Training.self]
  )

  struct Card: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The card a grid publishes to residents (网格服务公示).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The grid's code.") var grid: String?
    @Option(help: "Find the grid covering this address instead.") var address: String?

    func run() async throws {
      var request = Civicgrid_V1_GetGridCardRequest()
      if let address = self.address {
        request.address = address
      } else if let grid = self.grid {
        request.gridCode = grid
      } else {
        throw ValidationError("give a grid code or --address")
      }
      do {
        let card = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.grids.getGridCard(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(card) }
        var lines = [
          "Grid \(card.gridCode) \(card.gridName) · community \(card.communityCode) · street \(card.streetCode) · \(card.households) households",
          card.boundary,
        ]
        var table = Table([.init("ROLE"), .init("NAME"), .init("PHONE"), .init("DUTY HOURS"), .init("PHOTO")])
        for staff in card.staff {
          table.append([String(describing: staff.role).lowercased(), staff.name, staff.dutyNumber, staff.dutyHours, staff.photoUri])
        }
        lines.append(table.render())
        Output.text(lines.joined(separator: "\n"))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Field events under a unit: per grid, community and street by category and outcome, on time, repeat locations, weeks."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The unit (default: yours).") var unit: String = ""
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD.") var to: String

    func run() async throws {
      var request = Civicgrid_V1_GetGridStatsRequest()
      request.unitCode = self.unit
      request.from = self.from
      request.to = self.to
      do {
        let stats = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.grids.getGridStats(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(stats) }
        var units = Table([
          .init("UNIT"), .init("KIND"), .init("EVENTS", .right), .init("SELF", .right), .init("ON TIME", .right), .init("BY CATEGORY"),
          .init("BY OUTCOME"),
        ])
        for row in stats.units {
          let onTime =
            row.handledAfterRouting == 0
            ? "–" : String(format: "%d/%d %.0f%%", row.handledOnTime, row.handledAfterRouting, row.onTimeRate * 100)
          units.append([
            row.unitCode, row.unitKind, String(row.events), String(row.selfHandled), onTime,
            row.byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            row.byOutcome.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
          ])
        }
        var lines = ["Field events under \(stats.unitCode), \(stats.from) – \(stats.to)", units.render()]
        if !stats.repeatLocations.isEmpty {
          lines.append("Repeat locations (≥ 3 within 30 days):")
          lines += stats.repeatLocations.map { "  \($0.gridCode)  \($0.location)  \($0.events)" }
        }
        lines.append("Weeks:")
        lines += stats.weeks.map { week in
          "  \(week.weekStart)  \(String(repeating: "▇", count: min(Int(week.events), 40))) \(week.events) (\(week.change >= 0 ? "+" : "")\(week.change))"
        }
        Output.text(lines.joined(separator: "\n"))
      } catch {
        Failure.exit(error)
      }
    }
  }
}

// civicctl visit: a home visit's end (docs/GRID.md).

struct VisitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "visit",
    abstract: "Finish a home visit (done, optionally opening an application or a field event) or cancel it.",
    subcommands: [Done.self, Cancel.self]
  )

  static func run(_ global: GlobalOptions, _ body: @escaping @Sendable (Services) async throws -> Civicgrid_V1_HomeVisit) async {
    do {
      let visit = try await ClientFactory.withServices(global, body)
      if global.json { return try Output.json(visit) }
      var lines = ["Visit \(visit.id) at \(visit.unitCode) · \(String(describing: visit.state).lowercased()) · \(visit.address)"]
      if !visit.notes.isEmpty { lines.append("Notes:  \(visit.notes)") }
      if !visit.cancelReason.isEmpty { lines.append("Reason: \(visit.cancelReason)") }
      if !visit.openedCaseID.isEmpty { lines.append("Opened: \(visit.openedCaseID)") }
      Output.text(lines.joined(separator: "\n"))
    } catch {
      Failure.exit(error)
    }
  }

  struct Done: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Your assigned visit is done: notes, and optionally what it opens.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The visit's id.") var id: Int64
    @Option(help: "What the visit found and did.") var notes: String
    @Option(help: "Open an application of this item (empty: the visit's item) on the spot.") var application: String?
    @Option(help: "Material codes brought (with --application).") var material: [String] = []
    @Option(help: "Open a field event of this category on the spot.", transform: Civicgrid_V1_FieldEventCategory.argument)
    var event: Civicgrid_V1_FieldEventCategory?
    @Option(help: "The event's description (with --event).") var description: String = ""
    @Flag(help: "The event is urgent (with --event).") var urgent = false
    @Option(help: "The version you read (0: do not check).") var expectedVersion: Int64 = 0

    func run() async throws {
      var request = Civicgrid_V1_FinishHomeVisitRequest()
      request.id = self.id
      request.notes = self.notes
      request.expectedVersion = self.expectedVersion
      if let item = self.application {
        var open = Civicgrid_V1_OpenApplication()
        open.itemCode = item
        open.providedMaterials = self.material
        request.application = open
      } else if let category = self.event {
        var open = Civicgrid_V1_OpenFieldEvent()
        open.category = category
        open.urgent = self.urgent
        open.description_p = self.description
        request.event = open
      }
      await VisitCommand.run(self.global) { [request] services in
        try await services.appointments.finishHomeVisit(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a requested or assigned visit.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The visit's id.") var id: Int64
    @Option(help: "Why.") var reason: String
    @Option(help: "The version you read (0: do not check).") var expectedVersion: Int64 = 0

    func run() async throws {
      var request = Civicgrid_V1_CancelHomeVisitRequest()
      request.id = self.id
      request.reason = self.reason
      request.expectedVersion = self.expectedVersion
      await VisitCommand.run(self.global) { [request] services in
        try await services.appointments.cancelHomeVisit(request, metadata: services.metadata, options: services.options)
      }
    }
  }
}
