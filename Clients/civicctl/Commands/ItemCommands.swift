import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct ItemCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "item",
    abstract: "The service item catalogue: items, their stages across departments, limits and materials.",
    subcommands: [List.self, Show.self, Create.self, Publish.self]
  )

  /// The largest page the catalogue serves.
  static let pageSize: Int32 = 500

  /// The version a person means by an item: the published one, else the newest.
  static func current(_ item: Civicgrid_V1_Item) -> Civicgrid_V1_ItemVersion? {
    item.versions.first { $0.status == .published } ?? item.versions.last
  }

  /// `QH-PS → QH-HUD+QH-HRSS`: stages in order, the units of one stage joined by '+'.
  static func stages(_ definition: Civicgrid_V1_ItemDefinition) -> String {
    definition.stages.map { $0.unitCodes.joined(separator: "+") }.joined(separator: " → ")
  }

  /// `v2 published`, with `, suspended (SC000002 with SO2 ended 2026-12-05)` while no contract
  /// covers the item at an organisation it dispatches to (docs/CONTRACTS.md).
  static func status(_ version: Civicgrid_V1_ItemVersion) -> String {
    let status = "v\(version.version) \(version.status.name)"
    guard version.hasContractSuspension else { return status }
    let s = version.contractSuspension
    let why =
      s.contractNumber.isEmpty
      ? "\(s.organisationUnitCode) holds no contract for it"
      : "\(s.contractNumber) with \(s.organisationUnitCode) \(s.endedOn.isEmpty ? "not begun" : "ended \(s.endedOn)")"
    return "\(status), suspended (\(why))"
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List catalogue items (all pages).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only items of this category.") var category: String?
    @Flag(help: "Only items with a published version.") var published = false
    @Option(help: "At most this many items (default all).") var limit: Int?
    @Option(help: "Only the items delegated to this service centre (事项下移).") var centre: String?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        let (category, published, limit, centre) = (self.category ?? "", self.published, self.limit, self.centre)
        let items = try await ClientFactory.withServices(self.global) { services in
          // A centre offers what is delegated to it (all items while nothing is).
          var offered: Set<String>?
          if let centre {
            var request = Civicgrid_V1_ListDelegatedItemsRequest()
            request.centreUnitCode = centre
            let delegated = try await services.accessLists.listDelegatedItems(request, metadata: services.metadata, options: services.options)
            if !delegated.itemCodes.isEmpty { offered = Set(delegated.itemCodes) }
          }
          return try await Paging.collect(limit: limit, maxPageSize: ItemCommand.pageSize, first: "", last: "") { token, size in
            var request = Civicgrid_V1_ListItemsRequest()
            request.category = category
            request.publishedOnly = published
            request.pageSize = size
            request.pageToken = token
            let page = try await services.catalog.listItems(request, metadata: services.metadata, options: services.options)
            return (page.items, page.nextPageToken)
          }.filter { offered?.contains($0.code) ?? true }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListItemsResponse()
          all.items = items
          return try Output.json(all)
        }
        Output.text(Self.table(items).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ items: [Civicgrid_V1_Item]) -> Table {
      var table = Table([
        .init("CODE"), .init("NAME"), .init("CATEGORY"), .init("KIND"), .init("LIMIT", .right), .init("STAGES"), .init("VERSION"),
      ])
      for item in items {
        guard let version = ItemCommand.current(item) else { continue }
        let definition = version.definition
        table.append([
          item.code, definition.name, definition.category, definition.kind.name,
          definition.kind == .promised ? "\(definition.promisedWorkingDays) wd" : "-",
          ItemCommand.stages(definition), ItemCommand.status(version),
        ])
      }
      return table
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one item: its current version's stages and materials, and every version."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item code.") var code: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetItemRequest()
        request.code = self.code
        let item = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.catalog.getItem(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(item) }
        Output.text(Self.describe(item))
      } catch {
        Failure.exit(error)
      }
    }

    static func describe(_ item: Civicgrid_V1_Item) -> String {
      guard let version = ItemCommand.current(item) else { return "Item \(item.code) has no versions.\n" }
      let d = version.definition
      var out = Table.keyValues([
        ("Code", item.code),
        ("Name", d.name),
        ("Category", d.category),
        ("Kind", d.kind.name),
        ("Lead unit", d.leadUnitCode),
        ("Limit", d.kind == .promised ? "\(d.promisedWorkingDays) working days" : "completed at the window"),
        ("Channels", d.channels.map(\.name).joined(separator: ", ")),
        ("Version", "v\(version.version) \(version.status.name) (item version \(item.version))"),
      ] + (version.hasContractSuspension ? [("Intake", "suspended: \(version.contractSuspension.reason)")] : []))
      if !d.stages.isEmpty {
        out += "\n"
        var stages = Table([.init("STAGE", .right), .init("UNITS"), .init("SHARE", .right)])
        for (index, stage) in d.stages.enumerated() {
          stages.append([String(index + 1), stage.unitCodes.joined(separator: ", "), "\(stage.workingDays) wd"])
        }
        out += stages.render()
      }
      if !d.materials.isEmpty {
        out += "\n"
        var materials = Table("MATERIAL", "NAME", "MAY BE MISSING")
        for material in d.materials {
          materials.append([material.code, material.name, material.mayBeMissingAtAcceptance ? "yes (容缺)" : "no"])
        }
        out += materials.render()
      }
      if item.versions.count > 1 {
        out += "\n"
        var versions = Table("VERSION", "STATUS", "UPDATED")
        for other in item.versions {
          versions.append(["v\(other.version)", other.status.name, Output.time(other.hasUpdatedAt ? other.updatedAt : nil)])
        }
        out += versions.render()
      }
      return out
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Save a draft version of an item (a new item, or the next version of an existing one).",
      discussion: """
        Stages in order with --stage UNITS:DAYS, the units of one stage separated by commas \
        (e.g. --stage QH-CA:5 --stage QH-HRSS,QH-HUD:7); the lead unit is the first unit of \
        stage 1 unless --lead says otherwise. Materials with --material CODE:NAME, adding :waivable \
        for one that may be missing at acceptance (容缺). Or give the whole definition as proto JSON \
        with --definition FILE ('-' reads standard input). Publish the draft with `item publish`.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The definition as proto JSON (civicgrid.v1.ItemDefinition); '-' for standard input.") var definition: String?
    @Option(help: "Item code.") var code: String?
    @Option(help: "Name.") var name: String?
    @Option(help: "Category.") var category: String?
    @Option(help: "Kind: immediate or promised (default promised when stages are given).", transform: Civicgrid_V1_ItemKind.argument)
    var kind: Civicgrid_V1_ItemKind?
    @Option(help: "Lead unit code (default the first unit of stage 1).") var lead: String?
    @Option(help: "A stage UNIT[,UNIT…]:WORKING_DAYS (repeatable, in order).") var stage: [String] = []
    @Option(help: "A required material CODE:NAME[:waivable] (repeatable).") var material: [String] = []
    @Option(
      help: "Intake channel (repeatable; default window): \(Civicgrid_V1_IntakeChannel.names.map(\.1).joined(separator: ", ")).",
      transform: Civicgrid_V1_IntakeChannel.argument
    )
    var channel: [Civicgrid_V1_IntakeChannel] = []

    func validate() throws {
      if self.definition == nil {
        for (flag, value) in [("--code", self.code), ("--name", self.name), ("--category", self.category)] where value == nil {
          throw ValidationError("give \(flag), or the whole definition with --definition FILE")
        }
      }
      _ = try self.stages()
      _ = try self.materials()
    }

    func stages() throws -> [Civicgrid_V1_ItemStage] {
      try self.stage.map { text in
        guard let colon = text.lastIndex(of: ":"), let days = Int32(text[text.index(after: colon)...]) else {
          throw ValidationError("--stage must be UNIT[,UNIT…]:WORKING_DAYS, got '\(text)'")
        }
        var stage = Civicgrid_V1_ItemStage()
        stage.unitCodes = text[..<colon].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        stage.workingDays = days
        return stage
      }
    }

    func materials() throws -> [Civicgrid_V1_RequiredMaterial] {
      try self.material.map { text in
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var material = Civicgrid_V1_RequiredMaterial()
        if parts.count == 3, parts[2] == "waivable" {
          material.mayBeMissingAtAcceptance = true
          parts.removeLast()
        }
        guard parts.count == 2 else { throw ValidationError("--material must be CODE:NAME[:waivable], got '\(text)'") }
        material.code = parts[0]
        material.name = parts[1]
        return material
      }
    }

    func build() throws -> Civicgrid_V1_ItemDefinition {
      if let path = self.definition {
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        return try Civicgrid_V1_ItemDefinition(jsonUTF8Data: data)
      }
      var d = Civicgrid_V1_ItemDefinition()
      d.code = self.code ?? ""
      d.name = self.name ?? ""
      d.category = self.category ?? ""
      d.stages = try self.stages()
      d.kind = self.kind ?? (d.stages.isEmpty ? .immediate : .promised)
      d.leadUnitCode = self.lead ?? d.stages.first?.unitCodes.first ?? ""
      d.promisedWorkingDays = d.stages.reduce(0) { $0 + $1.workingDays }
      d.materials = try self.materials()
      d.channels = self.channel.isEmpty ? [.window] : self.channel
      return d
    }

    func run() async throws {
      do {
        let definition = try self.build()
        let saved = try await ClientFactory.withServices(self.global) { services in
          var get = Civicgrid_V1_GetItemRequest()
          get.code = definition.code
          let current: Int64
          do {
            current = try await services.catalog.getItem(get, metadata: services.metadata, options: services.options).version
          } catch let error as RPCError where error.code == .notFound {
            current = 0
          }
          var request = Civicgrid_V1_SaveDraftRequest()
          request.definition = definition
          request.expectedItemVersion = current
          return try await services.catalog.saveDraft(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(saved) }
        Output.line("Saved draft v\(saved.version) of item \(saved.code); publish it with `civicctl item publish \(saved.code)`.")
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Publish a draft version; the version published before it is retired."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item code.") var code: String
    @Option(help: "Version number (default the newest).") var version: Int32?

    func run() async throws {
      do {
        let (code, number) = (self.code, self.version)
        let published = try await ClientFactory.withServices(self.global) { services in
          var get = Civicgrid_V1_GetItemRequest()
          get.code = code
          let item = try await services.catalog.getItem(get, metadata: services.metadata, options: services.options)
          var request = Civicgrid_V1_ItemVersionRequest()
          request.code = code
          request.version = number ?? item.versions.last?.version ?? 1
          request.expectedItemVersion = item.version
          return try await services.catalog.publishVersion(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(published) }
        Output.line("Published v\(published.version) of item \(published.code).")
      } catch {
        Failure.exit(error)
      }
    }
  }
}
