import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct TaskCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "task",
    abstract: "A department's share of a case (联办任务): the inbox, claim, approve, deny, return, transfer, extend.",
    discussion: """
      A task is named by its case and number (`task claim C00000042 2`). Like case commands, \
      without --expected-version the task's current version is read first.
      """,
    subcommands: [Inbox.self, Claim.self, Approve.self, Deny.self, Return.self, Transfer.self, Extend.self]
  )

  /// The case, the task number and the version a change is made against.
  struct Target: ParsableArguments {
    @Argument(help: "Case number, e.g. C00000042.") var caseID: String
    @Argument(help: "Task number within the case.") var task: Int32
    @Option(help: "The task version you read (default: read the case now and use the task's current version).")
    var expectedVersion: Int64?
  }

  /// `Task #2 (QH-HRSS) of C00000042 is claimed by handler-hrss@QH-HRSS; case inProcessing, stage 1.`
  static func summary(_ number: Int32) -> @Sendable (Civicgrid_V1_Case) -> String {
    { value in
      guard let task = value.tasks.first(where: { $0.number == number }) else { return CaseCommand.summary(value) }
      var line = "Task #\(task.number) (\(task.unitCode)) of \(value.id) is \(task.state)"
      if !task.claimedBy.isEmpty { line += " by \(task.claimedBy)" }
      if task.hasPendingExtension { line += ", asking +\(task.pendingExtension.workingDays) wd" }
      return line + ". " + CaseCommand.summary(value)
    }
  }

  /// Runs a task change against `target` and prints the result.
  static func change(
    _ global: GlobalOptions,
    _ target: Target,
    _ call: @escaping @Sendable (Services, _ caseID: String, _ task: Int32, _ version: Int64) async throws -> Civicgrid_V1_Case
  ) async {
    let (id, number) = (target.caseID, target.task)
    let summary = Self.summary(number)
    await CaseCommand.change(global, caseID: id, expected: target.expectedVersion, task: number, summary: summary) { services, version in
      try await call(services, id, number, version)
    }
  }

  struct Inbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The tasks of a unit, earliest deadline first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The unit (default your own).") var unit: String?
    @Flag(help: "Finished tasks too.") var all = false
    @Option(help: "At most this many tasks (default all).") var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        let (unit, all, limit) = (self.unit ?? "", self.all, self.limit)
        let tasks = try await ClientFactory.withServices(self.global) { services in
          try await Paging.collect(limit: limit, maxPageSize: CaseCommand.pageSize, first: "", last: "") { token, size in
            var request = Civicgrid_V1_ListTasksRequest()
            request.unitCode = unit
            request.includeFinished = all
            request.pageSize = size
            request.pageToken = token
            let page = try await services.cases.listTasks(request, metadata: services.metadata, options: services.options)
            return (page.tasks, page.nextPageToken)
          }
        }
        if self.global.json {
          var response = Civicgrid_V1_ListTasksResponse()
          response.tasks = tasks
          return try Output.json(response)
        }
        Output.text(Self.table(tasks).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ tasks: [Civicgrid_V1_Task]) -> Table {
      let diagram = CaseDiagram(Civicgrid_V1_Case(), plan: nil, calendar: nil)
      var table = Table([
        .init("CASE"), .init("TASK", .right), .init("ITEM"), .init("UNIT"), .init("STAGE", .right), .init("STATE"), .init("CLAIMED BY"),
        .init("LEFT", .right), .init("LEVEL"), .init("DEADLINE"),
      ])
      for task in tasks {
        let clock = task.clock
        table.append([
          task.caseID, String(task.number), task.itemName, task.unitCode, String(task.stage + 1), task.state, task.claimedBy,
          clock.state == "running" ? diagram.days(clock.remainingWorkingSeconds) : clock.state,
          clock.warning == .unspecified ? "" : clock.warning.name, clock.hasDeadline ? diagram.time(clock.deadline, minutes: true) : "",
        ])
      }
      return table
    }
  }

  struct Claim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a task of your unit.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target

    func run() async throws {
      await TaskCommand.change(self.global, self.target) { services, id, number, version in
        var request = Civicgrid_V1_TaskRequest()
        request.caseID = id
        request.task = number
        request.expectedVersion = version
        return try await services.cases.claimTask(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  /// Approve and deny: a decision with an opinion.
  static func decide(_ global: GlobalOptions, _ target: Target, opinion: String, approve: Bool) async {
    await Self.change(global, target) { services, id, number, version in
      var request = Civicgrid_V1_DecideTaskRequest()
      request.caseID = id
      request.task = number
      request.expectedVersion = version
      request.opinion = opinion
      if approve {
        return try await services.cases.approveTask(request, metadata: services.metadata, options: services.options)
      }
      return try await services.cases.denyTask(request, metadata: services.metadata, options: services.options)
    }
  }

  struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve a task you claimed, with an opinion.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The opinion (default \"approved\").") var opinion = "approved"

    func run() async throws {
      await TaskCommand.decide(self.global, self.target, opinion: self.opinion, approve: true)
    }
  }

  struct Deny: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deny a task you claimed, with an opinion.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The opinion: why; required.") var opinion: String

    func run() async throws {
      await TaskCommand.decide(self.global, self.target, opinion: self.opinion, approve: false)
    }
  }

  struct Return: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send the case back to the previous stage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "Why; required.") var reason: String

    func run() async throws {
      let reason = self.reason
      await TaskCommand.change(self.global, self.target) { services, id, number, version in
        var request = Civicgrid_V1_ReturnTaskRequest()
        request.caseID = id
        request.task = number
        request.expectedVersion = version
        request.reason = reason
        return try await services.cases.returnTask(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Transfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hand a task to another unit; it keeps its clock.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The unit that takes it over.") var to: String
    @Option(help: "Why; required.") var reason: String

    func run() async throws {
      let (unit, reason) = (self.to, self.reason)
      await TaskCommand.change(self.global, self.target) { services, id, number, version in
        var request = Civicgrid_V1_TransferTaskRequest()
        request.caseID = id
        request.task = number
        request.expectedVersion = version
        request.toUnitCode = unit
        request.reason = reason
        return try await services.cases.transferTask(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Ask for more working days for a task you claimed (--days, --reason); a supervisor answers with --approve or --reject."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "Working days asked for: 1–30.") var days: Int32?
    @Option(help: "Why the extension is needed.") var reason: String?
    @Flag(help: "Supervisor: approve the pending request.") var approve = false
    @Option(help: "Supervisor: reject the pending request with this note.") var reject: String?

    func validate() throws {
      let decisions = (self.approve ? 1 : 0) + (self.reject == nil ? 0 : 1)
      if decisions > 1 { throw ValidationError("give --approve or --reject, not both") }
      if decisions == 0, self.days == nil || self.reason == nil {
        throw ValidationError("ask with --days and --reason, or answer a request with --approve or --reject NOTE")
      }
    }

    func run() async throws {
      let (days, reason, approve, reject) = (self.days, self.reason ?? "", self.approve, self.reject)
      await TaskCommand.change(self.global, self.target) { services, id, number, version in
        if approve || reject != nil {
          var request = Civicgrid_V1_DecideExtensionRequest()
          request.caseID = id
          request.task = number
          request.expectedVersion = version
          request.approve = approve
          request.note = reject ?? ""
          return try await services.cases.decideExtension(request, metadata: services.metadata, options: services.options)
        }
        var request = Civicgrid_V1_RequestExtensionRequest()
        request.caseID = id
        request.task = number
        request.expectedVersion = version
        request.workingDays = days ?? 0
        request.reason = reason
        return try await services.cases.requestExtension(request, metadata: services.metadata, options: services.options)
      }
    }
  }
}
