import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

extension ContractCommand {
  struct End: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "End a contract early, with a reason: tasks assigned under it keep running, no new work after its last day."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Contract number (SC000001).") var id: String
    @Option(help: "The version you read (contract show).") var version: Int64
    @Option(help: "Its last day covered, YYYY-MM-DD (yesterday at the earliest).") var lastDay: String
    @Option(help: "Why it ends early.") var reason: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_EndContractRequest()
        request.id = self.id
        request.expectedVersion = self.version
        request.endsOn = self.lastDay
        request.reason = self.reason
        let contract = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.contracts.endContract(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(contract) }
        Output.text(Show.describe(contract))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Amend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Amend a contract's scope, period, amount or targets, with a reason: new assignments follow the new terms."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Contract number (SC000001).") var id: String
    @Option(help: "The version you read (contract show).") var version: Int64
    @Option(help: "Why it is amended.") var reason: String
    @Option(help: "The new scope: every work item it covers (repeatable; replaces the current scope).") var item: [String] = []
    @Option(help: "A new first day, YYYY-MM-DD (only before it begins).") var from: String?
    @Option(help: "A new last day, YYYY-MM-DD.") var to: String?
    @Option(help: "A new amount in yuan.") var amount: String?
    @Option(help: "New target: tasks over the period (the three targets are replaced together).") var targetTasks: Int32?
    @Option(help: "New target: percent of finished tasks on time.") var targetOnTime: Int32?
    @Option(help: "New target: percent of judged cases satisfied.") var targetSatisfied: Int32?

    func validate() throws {
      if let amount, ContractCommand.fen(amount) == nil {
        throw ValidationError("--amount must be a positive amount in yuan with at most two decimals, got '\(amount)'")
      }
      if self.item.isEmpty, self.from == nil, self.to == nil, self.amount == nil, !self.changesTargets {
        throw ValidationError("give at least one term to amend: --item, --from, --to, --amount or a --target-… option")
      }
    }

    var changesTargets: Bool { self.targetTasks != nil || self.targetOnTime != nil || self.targetSatisfied != nil }

    func run() async throws {
      do {
        var request = Civicgrid_V1_AmendContractRequest()
        request.id = self.id
        request.expectedVersion = self.version
        request.reason = self.reason
        request.itemCodes = self.item
        request.startsOn = self.from ?? ""
        request.endsOn = self.to ?? ""
        request.amountFen = self.amount.flatMap(ContractCommand.fen) ?? 0
        if self.changesTargets {
          request.targets.tasks = self.targetTasks ?? 0
          request.targets.onTimePercent = self.targetOnTime ?? 0
          request.targets.satisfiedPercent = self.targetSatisfied ?? 0
        }
        let contract = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.contracts.amendContract(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(contract) }
        Output.text(Show.describe(contract))
      } catch {
        Failure.exit(error)
      }
    }
  }
}
