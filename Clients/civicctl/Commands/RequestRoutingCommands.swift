import ArgumentParser
import CivicProtos
import Foundation

extension RequestCommand {
  /// `request routing show|set`: the routing table, versioned (one live version, history kept).
  struct Routing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The routing table: per category, the lowest tier able to handle it and each tier's working days.",
      subcommands: [ShowTable.self, Set.self]
    )

    static func print(_ table: Civicgrid_V1_RoutingTable, json: Bool) throws {
      if json { return try Output.json(table) }
      let history = table.history.isEmpty ? "" : " · earlier: " + table.history.map { "v\($0)" }.joined(separator: ", ")
      Output.line(
        "Routing table version \(table.version)\(table.version > 0 ? " by \(table.createdBy), \(Output.time(table.createdAt))" : "")\(history)"
      )
      var rows = Table([
        .init("CATEGORY"), .init("NAME"), .init("FROM"), .init("WORKING DAYS PER TIER"), .init("DEPARTMENT"), .init("ACCESS-LIST ITEM"),
      ])
      for route in table.routes {
        let tiers = Civicgrid_V1_RequestTier.names.map(\.0).filter { $0.rawValue >= route.lowestTier.rawValue }
        let days = zip(tiers, route.workingDays).map { "\($0.name) \($1)" }.joined(separator: " → ")
        let item = route.accessItemCode.isEmpty ? "CITIZEN-REQUEST" : route.accessItemCode
        rows.append([route.category, route.name, route.lowestTier.name, days, route.departmentCode, item])
      }
      Output.text(rows.render())
    }

    /// `noise:Neighbourhood noise:grid:2,3,4,5:QH-EP`, optionally `:community-noise`, the
    /// access-list item its requests count as.
    static func parse(_ text: String) throws -> Civicgrid_V1_RoutingRoute {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      guard (5...6).contains(parts.count) else {
        throw ValidationError("--route '\(text)': expected CATEGORY:NAME:LOWEST-TIER:DAYS,DAYS…:DEPARTMENT[:ACCESS-LIST-ITEM]")
      }
      var route = Civicgrid_V1_RoutingRoute()
      route.category = parts[0]
      route.name = parts[1]
      route.lowestTier = try Civicgrid_V1_RequestTier.argument(parts[2])
      route.workingDays = try parts[3].split(separator: ",").map {
        guard let days = Int32($0) else { throw ValidationError("--route '\(text)': '\($0)' is not a number of working days") }
        return days
      }
      route.departmentCode = parts[4]
      if parts.count == 6 { route.accessItemCode = parts[5] }
      return route
    }

    struct ShowTable: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "show", abstract: "The live routing table, or --version N.")
      @OptionGroup var global: GlobalOptions
      @Option(help: "A version to read (default: the live one).") var version: Int32 = 0

      func run() async throws {
        var request = Civicgrid_V1_GetRoutingTableRequest()
        request.version = self.version
        do {
          let table = try await ClientFactory.withServices(self.global) { [request] services in
            try await services.requests.getRoutingTable(request, metadata: services.metadata, options: services.options)
          }
          try Routing.print(table, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct Set: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Replace the routing table (admin): a new live version; the old one is kept.",
        discussion:
          "Each --route is CATEGORY:NAME:LOWEST-TIER:DAYS,DAYS…:DEPARTMENT[:ACCESS-LIST-ITEM], one working-day limit per tier from the lowest up, e.g. noise:Neighbourhood noise:grid:2,3,4,5:QH-EP; a community's access list is checked against ACCESS-LIST-ITEM (default CITIZEN-REQUEST)."
      )
      @OptionGroup var global: GlobalOptions
      @Option(help: "A route (repeatable).") var route: [String]
      @Option(help: "The live version you read (default: the current one).") var expectedVersion: Int32?

      func run() async throws {
        var request = Civicgrid_V1_UpdateRoutingTableRequest()
        request.routes = try self.route.map(Routing.parse)
        let given = self.expectedVersion
        do {
          let table = try await ClientFactory.withServices(self.global) { [request] services in
            var request = request
            if let given {
              request.expectedVersion = given
            } else {
              request.expectedVersion = try await services.requests.getRoutingTable(
                .init(),
                metadata: services.metadata,
                options: services.options
              ).version
            }
            return try await services.requests.updateRoutingTable(request, metadata: services.metadata, options: services.options)
          }
          try Routing.print(table, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }
  }
}
