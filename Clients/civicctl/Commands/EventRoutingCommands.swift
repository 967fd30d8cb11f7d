import ArgumentParser
import CivicProtos
import Foundation

extension FieldEventCommand {
  /// `event routing show|set`: the event routing table, versioned (one live version, history kept).
  struct Routing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The event routing table: per category, who handles it and within how long, or the request it becomes.",
      subcommands: [ShowTable.self, Set.self]
    )

    static func print(_ table: Civicgrid_V1_EventRoutingTable, json: Bool) throws {
      if json { return try Output.json(table) }
      Output.line(
        "Event routing version \(table.version)"
          + (table.version > 0 ? " by \(table.createdBy), \(Output.time(table.createdAt))" : "")
          + " · urgent alerts acknowledged within \(table.acknowledgeMinutes) min"
      )
      var rows = Table([
        .init("CATEGORY"), .init("HANDLED BY"), .init("DAYS", .right), .init("URGENT HOURS", .right), .init("CHECK ONE IN", .right),
        .init("ACCESS-LIST ITEM"),
      ])
      for route in table.routes {
        if !route.requestCategory.isEmpty {
          rows.append([route.category.name, "request: \(route.requestCategory)", "–", "–", "–", "(the request's)"])
          continue
        }
        let by = route.tier == .district ? "district \(route.departmentCode)" : route.tier.name
        rows.append([
          route.category.name, by, String(route.workingDays), String(route.urgentHours), route.checkOneIn == 0 ? "–" : String(route.checkOneIn),
          route.accessItemCode.isEmpty ? "FIELD-EVENT" : route.accessItemCode,
        ])
      }
      Output.text(rows.render())
    }

    /// `safety-hazard:street:3:2`, `public-security:district/PS:2:1`, `environment:street:3:2:5`
    /// (every 5th self-handled one checked), `environment:community:3:2:0:sanitation-patrol` (counted
    /// as that access-list item), `citizen-request:request/housing`.
    static func parse(_ text: String) throws -> Civicgrid_V1_EventRoute {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      let usage =
        "--route '\(text)': expected CATEGORY:TIER[/DEPARTMENT]:DAYS:URGENT-HOURS[:CHECK-ONE-IN[:ACCESS-LIST-ITEM]] or CATEGORY:request/REQUEST-CATEGORY"
      guard parts.count >= 2 else { throw ValidationError(usage) }
      var route = Civicgrid_V1_EventRoute()
      route.category = try Civicgrid_V1_FieldEventCategory.argument(parts[0])
      let target = parts[1].split(separator: "/", maxSplits: 1).map(String.init)
      if target.first == "request" {
        guard parts.count == 2, target.count == 2 else { throw ValidationError(usage) }
        route.requestCategory = target[1]
        return route
      }
      guard (4...6).contains(parts.count), let tier = target.first else { throw ValidationError(usage) }
      route.tier = try Civicgrid_V1_RequestTier.argument(tier)
      route.departmentCode = target.count == 2 ? target[1] : ""
      func number(_ value: String, _ what: String) throws -> Int32 {
        guard let n = Int32(value) else { throw ValidationError("--route '\(text)': '\(value)' is not a number of \(what)") }
        return n
      }
      route.workingDays = try number(parts[2], "working days")
      route.urgentHours = try number(parts[3], "urgent hours")
      if parts.count >= 5 { route.checkOneIn = try number(parts[4], "events between checks") }
      if parts.count == 6 { route.accessItemCode = parts[5] }
      return route
    }

    struct ShowTable: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "show", abstract: "The live event routing table.")
      @OptionGroup var global: GlobalOptions

      func run() async throws {
        do {
          let table = try await ClientFactory.withServices(self.global) { services in
            try await services.fieldEvents.getEventRouting(.init(), metadata: services.metadata, options: services.options)
          }
          try Routing.print(table, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct Set: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Replace the event routing table (an admin of the district): a new live version; the old one is kept.",
        discussion: """
          Each --route is CATEGORY:TIER[/DEPARTMENT]:DAYS:URGENT-HOURS[:CHECK-ONE-IN[:ACCESS-LIST-ITEM]] (tier community, \
          street, or district/DEPARTMENT; a community's access list is checked against ACCESS-LIST-ITEM, default \
          FIELD-EVENT), or CATEGORY:request/REQUEST-CATEGORY for the Requests intake, e.g. \
          public-security:district/PS:2:1 or citizen-request:request/housing. A category left out cannot be routed.
          """
      )
      @OptionGroup var global: GlobalOptions
      @Option(help: "A route (repeatable).") var route: [String]
      @Option(help: "Minutes an urgent alert may stay unacknowledged (1–240).") var acknowledgeMinutes: Int32 = 15
      @Option(help: "The live version you read (default: the current one).") var expectedVersion: Int32?

      func run() async throws {
        var request = Civicgrid_V1_UpdateEventRoutingRequest()
        request.routes = try self.route.map(Routing.parse)
        request.acknowledgeMinutes = self.acknowledgeMinutes
        let given = self.expectedVersion
        do {
          let table = try await ClientFactory.withServices(self.global) { [request] services in
            var request = request
            if let given {
              request.expectedVersion = given
            } else {
              request.expectedVersion = try await services.fieldEvents.getEventRouting(
                .init(),
                metadata: services.metadata,
                options: services.options
              ).version
            }
            return try await services.fieldEvents.updateEventRouting(request, metadata: services.metadata, options: services.options)
          }
          try Routing.print(table, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }
  }
}
