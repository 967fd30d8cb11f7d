import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

struct AccessCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "access",
    abstract: "Community access lists (社区工作事项准入): the work items a community or village may be given.",
    discussion: """
      Lists are versioned: an admin proposes the next version, a supervisor other than the \
      proposer approves (publishes) or rejects it. Once a list is published, work for an item \
      off it is refused at the community (docs/ACCESS.md).
      """,
    subcommands: [List.self, Propose.self, Approve.self, Reject.self, Refusals.self]
  )

  /// `CODE|NAME|APPROVING BODY|YYYY-MM-DD|BASIS` as an item.
  static func item(_ text: String) throws -> Civicgrid_V1_AccessItem {
    let parts = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 5, !parts[0].isEmpty else {
      throw ValidationError("--item must be CODE|NAME|APPROVING BODY|YYYY-MM-DD|BASIS, got '\(text)'")
    }
    var item = Civicgrid_V1_AccessItem()
    item.code = parts[0]
    item.name = parts[1]
    item.approvingBody = parts[2]
    item.approvedOn = parts[3]
    item.basis = parts[4]
    return item
  }

  static func describe(_ list: Civicgrid_V1_AccessList) -> String {
    var out = ""
    if list.hasPublished {
      let p = list.published
      out += "Access list of \(list.unitCode): version \(p.version), published (proposed by \(p.proposedBy), approved by \(p.reviewedBy))\n"
      out += Self.items(p.items).render()
    } else {
      out += "Access list of \(list.unitCode): none published (the unit is not guarded yet)\n"
    }
    if list.hasProposal {
      let q = list.proposal
      out += "\nProposal: version \(q.version) by \(q.proposedBy)\(q.note.isEmpty ? "" : ": \(q.note)")\n"
      out += "  adds:    \(q.added.isEmpty ? "-" : q.added.joined(separator: ", "))\n"
      out += "  removes: \(q.removed.isEmpty ? "-" : q.removed.joined(separator: ", "))\n"
      out += Self.items(q.items).render()
    }
    return out
  }

  static func items(_ items: [Civicgrid_V1_AccessItem]) -> Table {
    var table = Table("CODE", "NAME", "APPROVED BY", "ON", "BASIS")
    for item in items { table.append([item.code, item.name, item.approvingBody, item.approvedOn, item.basis]) }
    return table
  }

  static func get(_ unit: String, _ services: Services) async throws -> Civicgrid_V1_AccessList {
    var request = Civicgrid_V1_GetAccessListRequest()
    request.unitCode = unit
    return try await services.accessLists.getAccessList(request, metadata: services.metadata, options: services.options)
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a community's published list and its pending proposal.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Community or village unit code.") var unit: String

    func run() async throws {
      do {
        let unit = self.unit
        let list = try await ClientFactory.withServices(self.global) { services in try await AccessCommand.get(unit, services) }
        if self.global.json { return try Output.json(list) }
        Output.text(AccessCommand.describe(list))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Propose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Propose the next version: the published list with items added or replaced (--item) and removed (--remove)."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Community or village unit code.") var unit: String
    @Option(help: "An item to add or replace: CODE|NAME|APPROVING BODY|YYYY-MM-DD|BASIS (repeatable).") var item: [String] = []
    @Option(help: "An item code to remove (repeatable).") var remove: [String] = []
    @Option(help: "Why.") var note: String = ""

    func validate() throws {
      if self.item.isEmpty, self.remove.isEmpty { throw ValidationError("give --item or --remove") }
      for text in self.item { _ = try AccessCommand.item(text) }
    }

    func run() async throws {
      do {
        let (unit, added, removed, note) = (self.unit, try self.item.map(AccessCommand.item), Set(self.remove), self.note)
        let list = try await ClientFactory.withServices(self.global) { services in
          let current = try await AccessCommand.get(unit, services)
          let replaced = Set(added.map(\.code))
          var request = Civicgrid_V1_ProposeAccessListRequest()
          request.unitCode = unit
          request.items = current.published.items.filter { !replaced.contains($0.code) && !removed.contains($0.code) } + added
          request.note = note
          return try await services.accessLists.proposeAccessList(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(list) }
        Output.text(AccessCommand.describe(list))
      } catch {
        Failure.exit(error)
      }
    }
  }

  /// Approve and reject: a review of the pending proposal.
  static func review(_ global: GlobalOptions, unit: String, version: Int32, approve: Bool, note: String) async {
    do {
      var request = Civicgrid_V1_ReviewAccessListRequest()
      request.unitCode = unit
      request.version = version
      request.approve = approve
      request.note = note
      let list = try await ClientFactory.withServices(global) { [request] services in
        try await services.accessLists.reviewAccessList(request, metadata: services.metadata, options: services.options)
      }
      if global.json { return try Output.json(list) }
      Output.text(Self.describe(list))
    } catch {
      Failure.exit(error)
    }
  }

  struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish a pending proposal (not your own).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Community or village unit code.") var unit: String
    @Option(help: "The proposal's version.") var version: Int32
    @Option(help: "Review note.") var note: String = ""

    func run() async throws {
      await AccessCommand.review(self.global, unit: self.unit, version: self.version, approve: true, note: self.note)
    }
  }

  struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject a pending proposal (not your own).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Community or village unit code.") var unit: String
    @Option(help: "The proposal's version.") var version: Int32
    @Option(help: "Review note.") var note: String = ""

    func run() async throws {
      await AccessCommand.review(self.global, unit: self.unit, version: self.version, approve: false, note: self.note)
    }
  }

  struct Refusals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refused dispatches per sending unit over a period (access list and contract rules): who keeps pushing work down.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD.") var to: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetRefusalReportRequest()
        request.from = self.from
        request.to = self.to
        let report = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.accessLists.getRefusalReport(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(report) }
        var table = Table([.init("SENDER"), .init("REFUSED", .right), .init("BY RULE"), .init("ITEMS")])
        for sender in report.senders {
          let rules = sender.rules.map { "\($0.rule) \($0.refused)" }.joined(separator: ", ")
          table.append([sender.senderUnitCode, String(sender.refused), rules, sender.itemCodes.joined(separator: ", ")])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
