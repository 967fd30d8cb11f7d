import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

struct ContractCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "contract",
    abstract: "Service purchase contracts (政府购买服务): what social organisations are bought to do, and how they do it.",
    discussion: """
      Work reaches a social organisation only under an active contract whose scope holds the \
      case's item; anything else is refused with FAILED_PRECONDITION naming the rule. A \
      contract's indicators come from the tasks assigned under it (docs/CONTRACTS.md).
      """,
    subcommands: [Create.self, Show.self, List.self, End.self, Amend.self]
  )

  /// "120000.50" yuan as fen; nil unless a positive amount with at most two decimals.
  static func fen(_ yuan: String) -> Int64? {
    let parts = yuan.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
    var cents: Int64 = 0
    if parts.count == 2 {
      guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isNumber), let digits = Int64(parts[1]) else { return nil }
      cents = parts[1].count == 1 ? digits * 10 : digits
    }
    let (hundreds, overflow) = whole.multipliedReportingOverflow(by: 100)
    guard !overflow, hundreds + cents > 0 else { return nil }
    return hundreds + cents
  }

  /// Fen as "120,000.50 yuan".
  static func yuan(_ fen: Int64) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.groupingSeparator = ","
    formatter.usesGroupingSeparator = true
    let whole = formatter.string(from: NSNumber(value: fen / 100)) ?? String(fen / 100)
    return "\(whole).\(String(format: "%02d", fen % 100)) yuan"
  }

  static func percent(_ rate: Double?) -> String {
    rate.map { String(format: "%.0f%%", $0 * 100) } ?? "-"
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record a contract of a purchasing unit with a social organisation.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The purchasing unit (in your scope).") var purchaser: String
    @Option(help: "The social organisation's unit code.") var organisation: String
    @Option(help: "Title.") var title: String
    @Option(help: "A work item in scope (repeatable): a catalogue item code, or DISPUTE, CITIZEN-REQUEST, FIELD-EVENT.") var item: [String] = []
    @Option(help: "First day covered, YYYY-MM-DD.") var from: String
    @Option(help: "Last day covered, YYYY-MM-DD.") var to: String
    @Option(help: "Amount in yuan (e.g. 120000 or 120000.50).") var amount: String
    @Option(help: "Target: tasks over the period.") var targetTasks: Int32 = 0
    @Option(help: "Target: percent of finished tasks on time.") var targetOnTime: Int32 = 0
    @Option(help: "Target: percent of judged cases satisfied.") var targetSatisfied: Int32 = 0

    func validate() throws {
      if self.item.isEmpty { throw ValidationError("give at least one --item") }
      if ContractCommand.fen(self.amount) == nil { throw ValidationError("--amount must be a positive amount in yuan with at most two decimals, got '\(self.amount)'") }
    }

    func run() async throws {
      do {
        var request = Civicgrid_V1_CreateContractRequest()
        request.purchaserUnitCode = self.purchaser
        request.organisationUnitCode = self.organisation
        request.title = self.title
        request.itemCodes = self.item
        request.startsOn = self.from
        request.endsOn = self.to
        request.amountFen = ContractCommand.fen(self.amount) ?? 0
        request.targets.tasks = self.targetTasks
        request.targets.onTimePercent = self.targetOnTime
        request.targets.satisfiedPercent = self.targetSatisfied
        let contract = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.contracts.createContract(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(contract) }
        Output.text(Show.describe(contract))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a contract: its terms, its targets and its indicators so far.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Contract number (SC000001).") var id: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetContractRequest()
        request.id = self.id
        let contract = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.contracts.getContract(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(contract) }
        Output.text(Self.describe(contract))
      } catch {
        Failure.exit(error)
      }
    }

    static func describe(_ c: Civicgrid_V1_Contract) -> String {
      var out = Table.keyValues([
        ("Contract", "\(c.id) \(c.title)"),
        ("Purchaser", c.purchaserUnitCode),
        ("Organisation", c.organisationUnitCode),
        // Ended before its first day: it never covered a day (ISO dates compare as text).
        ("Period", c.endsOn < c.startsOn ? "\(c.startsOn) … (ended before it began)" : "\(c.startsOn) … \(c.endsOn) (\(c.status))"),
        ("Amount", ContractCommand.yuan(c.amountFen)),
        ("Scope", c.itemCodes.joined(separator: ", ")),
        ("Version", c.endReason.isEmpty ? String(c.version) : "\(c.version), ended early: \(c.endReason)"),
      ])
      out += "\n"
      let i = c.indicators
      var table = Table([.init("INDICATOR"), .init("SO FAR", .right), .init("TARGET", .right), .init("")])
      let missed = Set(i.missedTargets)
      table.append(["tasks", String(i.tasks), c.targets.tasks > 0 ? String(c.targets.tasks) : "-", missed.contains("tasks") ? "below" : ""])
      table.append([
        "on time", "\(ContractCommand.percent(i.hasOnTimeRate ? i.onTimeRate : nil)) (\(i.onTime)/\(i.finished))",
        c.targets.onTimePercent > 0 ? "\(c.targets.onTimePercent)%" : "-", missed.contains("on-time") ? "below" : "",
      ])
      table.append([
        "satisfied", "\(ContractCommand.percent(i.hasSatisfactionRate ? i.satisfactionRate : nil)) (\(i.satisfied)/\(i.judged))",
        c.targets.satisfiedPercent > 0 ? "\(c.targets.satisfiedPercent)%" : "-", missed.contains("satisfaction") ? "below" : "",
      ])
      out += table.render()
      if !c.changes.isEmpty {
        out += "\n"
        var history = Table([.init("VERSION", .right), .init("CHANGE"), .init("BY"), .init("WHAT"), .init("WHY")])
        for change in c.changes {
          history.append([String(change.version), change.change, change.changedBy, change.summary, change.reason])
        }
        out += history.render()
      }
      return out
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List contracts in your scope, newest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this organisation's contracts.") var organisation: String?
    @Option(help: "At most this many (1–200, default 50).") var limit: Int32 = 50

    func run() async throws {
      do {
        var request = Civicgrid_V1_ListContractsRequest()
        request.organisationUnitCode = self.organisation ?? ""
        request.limit = self.limit
        let response = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.contracts.listContracts(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(response) }
        var table = Table([
          .init("CONTRACT"), .init("ORGANISATION"), .init("PURCHASER"), .init("PERIOD"), .init("STATUS"), .init("TASKS", .right),
          .init("ON TIME", .right), .init("SCOPE"),
        ])
        for c in response.contracts {
          table.append([
            c.id, c.organisationUnitCode, c.purchaserUnitCode, "\(c.startsOn) … \(c.endsOn)", c.status, String(c.indicators.tasks),
            ContractCommand.percent(c.indicators.hasOnTimeRate ? c.indicators.onTimeRate : nil), c.itemCodes.joined(separator: ", "),
          ])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
