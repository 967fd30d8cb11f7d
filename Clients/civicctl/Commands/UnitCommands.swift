import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct UnitCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "unit",
    abstract: "The unit tree: districts, streets, townships, communities, villages, grids, departments, centres.",
    subcommands: [List.self, Show.self, Create.self]
  )

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a subtree of units in tree order (all pages).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Subtree root code (default: your own scope).") var root: String?
    @Option(
      help: "Only units of this kind: \(Civicgrid_V1_UnitKind.names.map(\.1).joined(separator: ", ")).",
      transform: Civicgrid_V1_UnitKind.argument
    )
    var kind: Civicgrid_V1_UnitKind?
    @Option(help: "At most this many units (default all).") var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        let (root, kind, limit) = (self.root ?? "", self.kind ?? .unspecified, self.limit)
        let units = try await ClientFactory.withServices(self.global) { services in
          try await Paging.collect(limit: limit, maxPageSize: Paging.directoryPageSize, first: "", last: "") { token, size in
            var request = Civicgrid_V1_ListUnitsRequest()
            request.rootCode = root
            request.kind = kind
            request.pageSize = size
            request.pageToken = token
            let page = try await services.directory.listUnits(request, metadata: services.metadata, options: services.options)
            return (page.units, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListUnitsResponse()
          all.units = units
          return try Output.json(all)
        }
        Output.text(Self.table(units).render())
      } catch {
        Failure.exit(error)
      }
    }

    /// Codes indented by depth below the shallowest unit listed, so the tree shows.
    static func table(_ units: [Civicgrid_V1_Unit]) -> Table {
      let depths = units.map { $0.path.split(separator: "/").count }
      let top = depths.min() ?? 0
      var table = Table("CODE", "NAME", "KIND", "PARENT", "RESPONSIBLE")
      for (unit, depth) in zip(units, depths) {
        let indent = String(repeating: "  ", count: max(0, depth - top))
        table.append([indent + unit.code, unit.name, unit.kind.name, unit.parentCode, unit.responsiblePerson])
      }
      return table
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one unit.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Unit code.") var code: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetUnitRequest()
        request.code = self.code
        let unit = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.getUnit(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(unit) }
        Output.text(Self.describe(unit))
      } catch {
        Failure.exit(error)
      }
    }

    static func describe(_ unit: Civicgrid_V1_Unit) -> String {
      Table.keyValues([
        ("Code", unit.code),
        ("Name", unit.name),
        ("Kind", unit.kind.name),
        ("Parent", unit.parentCode),
        ("Responsible", unit.responsiblePerson),
        ("Path", unit.path),
        ("Version", String(unit.version)),
        ("Created", Output.time(unit.hasCreatedAt ? unit.createdAt : nil)),
      ])
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a unit under a parent.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Code: 1–64 letters, digits, '-', '_', '.'.") var code: String
    @Option(help: "Name.") var name: String
    @Option(
      help: "Kind: \(Civicgrid_V1_UnitKind.names.map(\.1).joined(separator: ", ")).",
      transform: Civicgrid_V1_UnitKind.argument
    )
    var kind: Civicgrid_V1_UnitKind
    @Option(help: "Parent unit code (omit only for the first unit of an empty directory).") var parent: String?
    @Option(help: "First responsible person.") var responsible: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_CreateUnitRequest()
        request.code = self.code
        request.name = self.name
        request.kind = self.kind
        request.parentCode = self.parent ?? ""
        request.responsiblePerson = self.responsible ?? ""
        let unit = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.createUnit(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(unit) }
        Output.line("Created unit \(unit.code) (\(unit.path)).")
      } catch {
        Failure.exit(error)
      }
    }
  }
}
