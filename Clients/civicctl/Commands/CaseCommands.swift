import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct CaseCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "case",
    abstract: "Applications: intake at the window, acceptance, supplements, delivery; the stages and clocks of one case.",
    discussion: """
      Commands that change a case send the version they read: without --expected-version the \
      command reads the case first and uses its current version, so a change someone else made \
      in between still answers ABORTED.
      """,
    subcommands: [Submit.self, Accept.self, Refuse.self, Supplement.self, Deliver.self, Show.self, List.self]
  )

  /// The largest page the case queries serve.
  static let pageSize: Int32 = 500

  /// The case (or task) and the version a change is made against.
  struct Target: ParsableArguments {
    @Argument(help: "Case number, e.g. C00000042.") var caseID: String
    @Option(help: "The version you read (default: read the case now and use its current version).") var expectedVersion: Int64?
  }

  /// Calls `call` with the version to compare: `expected`, else the current version of the
  /// case (or of its task `task`), read first. Prints the changed case as JSON, or `summary`.
  static func change(
    _ global: GlobalOptions,
    caseID: String,
    expected: Int64?,
    task: Int32? = nil,
    summary: @escaping @Sendable (Civicgrid_V1_Case) -> String,
    _ call: @escaping @Sendable (Services, Int64) async throws -> Civicgrid_V1_Case
  ) async {
    do {
      let changed = try await ClientFactory.withServices(global) { services in
        var version = expected ?? 0
        if expected == nil {
          var get = Civicgrid_V1_GetCaseRequest()
          get.caseID = caseID
          let current = try await services.cases.getCase(get, metadata: services.metadata, options: services.options)
          if let task {
            guard let found = current.tasks.first(where: { $0.number == task }) else {
              throw RPCError(code: .notFound, message: "case \(caseID) has no task \(task)")
            }
            version = found.version
          } else {
            version = current.version
          }
        }
        return try await call(services, version)
      }
      if global.json { return try Output.json(changed) }
      Output.line(summary(changed))
    } catch {
      Failure.exit(error)
    }
  }

  static func change(
    _ global: GlobalOptions,
    _ target: Target,
    summary: @escaping @Sendable (Civicgrid_V1_Case) -> String,
    _ call: @escaping @Sendable (Services, Int64) async throws -> Civicgrid_V1_Case
  ) async {
    await self.change(global, caseID: target.caseID, expected: target.expectedVersion, summary: summary, call)
  }

  /// `Case C00000042 is now inProcessing, stage 1: #1 QH-CA pending, #2 QH-HRSS pending.`
  static func summary(_ value: Civicgrid_V1_Case) -> String {
    var line = "Case \(value.id) is now \(CaseDiagram.stateText(value))"
    let open = value.tasks.filter { $0.stage == value.currentStage && ($0.state == "pending" || $0.state == "claimed") }
    if value.state == "inProcessing", !open.isEmpty {
      line += ": " + open.map { "#\($0.number) \($0.unitCode) \($0.state)" }.joined(separator: ", ")
    }
    if !value.missingMaterials.isEmpty { line += "; missing " + value.missingMaterials.joined(separator: ", ") }
    return line + "."
  }

  struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Take in an application for an item (at the window, or for a partner channel)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Item code (its published version is used).") var item: String
    @Option(help: "Applicant's full name.") var applicant: String
    @Option(help: "Applicant's resident identity card number (18 characters).") var idNumber: String?
    @Option(help: "Applicant's phone number.") var phone: String?
    @Option(help: "Code of a material provided (repeatable).") var material: [String] = []
    @Flag(help: "Every material the item requires was provided.") var allMaterials = false
    @Option(
      help: "Channel (default window): \(Civicgrid_V1_IntakeChannel.names.map(\.1).joined(separator: ", ")).",
      transform: Civicgrid_V1_IntakeChannel.argument
    )
    var channel: Civicgrid_V1_IntakeChannel?
    @Option(help: "The centre taking it in (default your own unit).") var unit: String?
    @Option(help: "Idempotency key (required for partners): a retry with the same key returns the first result.")
    var idempotencyKey: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_SubmitApplicationRequest()
        request.itemCode = self.item
        request.channel = self.channel ?? .window
        request.applicant.name = self.applicant
        request.applicant.idNumber = self.idNumber ?? ""
        request.applicant.phone = self.phone ?? ""
        request.providedMaterials = self.material
        request.unitCode = self.unit ?? ""
        request.idempotencyKey = self.idempotencyKey ?? ""
        let all = self.allMaterials
        let submitted = try await ClientFactory.withServices(self.global) { [request] services in
          var request = request
          if all {
            var get = Civicgrid_V1_GetItemRequest()
            get.code = request.itemCode
            let item = try await services.catalog.getItem(get, metadata: services.metadata, options: services.options)
            let codes = item.versions.first { $0.status == .published }?.definition.materials.map(\.code) ?? []
            request.providedMaterials = Array(Set(request.providedMaterials + codes)).sorted()
          }
          return try await services.cases.submitApplication(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(submitted) }
        Output.line("Submitted case \(submitted.id) for \(submitted.itemName) at \(submitted.unitCode).")
        Output.line(CaseCommand.summary(submitted))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Accept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Accept (受理): a promised item goes to its departments' first stage; an immediate one completes."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "容缺受理: accept with waivable materials missing, due by this date (YYYY-MM-DD).") var missingDueBy: String?
    @Option(help: "For an immediate item, the opinion it completes with.") var opinion: String?

    func run() async throws {
      let (id, dueBy, opinion) = (self.target.caseID, self.missingDueBy ?? "", self.opinion ?? "")
      await CaseCommand.change(self.global, self.target, summary: CaseCommand.summary) { services, version in
        var request = Civicgrid_V1_AcceptCaseRequest()
        request.caseID = id
        request.expectedVersion = version
        request.missingMaterialsDueBy = dueBy
        request.opinion = opinion
        return try await services.cases.acceptCase(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Refuse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Refuse to accept (不予受理) with a reason.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "Why; required.") var reason: String

    func run() async throws {
      let (id, reason) = (self.target.caseID, self.reason)
      await CaseCommand.change(self.global, self.target, summary: CaseCommand.summary) { services, version in
        var request = Civicgrid_V1_RefuseCaseRequest()
        request.caseID = id
        request.expectedVersion = version
        request.reason = reason
        return try await services.cases.refuseCase(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Supplement: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Ask for everything missing at once (补正; the clock pauses), or with --supplied record what the applicant brought."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "Code of a material the applicant supplied (repeatable).") var supplied: [String] = []

    func run() async throws {
      let (id, supplied) = (self.target.caseID, self.supplied)
      await CaseCommand.change(self.global, self.target, summary: CaseCommand.summary) { services, version in
        if supplied.isEmpty {
          var request = Civicgrid_V1_CaseRequest()
          request.caseID = id
          request.expectedVersion = version
          return try await services.cases.requestSupplement(request, metadata: services.metadata, options: services.options)
        }
        var request = Civicgrid_V1_SupplyMaterialsRequest()
        request.caseID = id
        request.expectedVersion = version
        request.materials = supplied
        return try await services.cases.supplyMaterials(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record how a completed case's result reached the applicant.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(
      help: "How: \(Civicgrid_V1_DeliveryMethod.names.map(\.1).joined(separator: ", ")) (default pickup).",
      transform: Civicgrid_V1_DeliveryMethod.argument
    )
    var method: Civicgrid_V1_DeliveryMethod?

    func run() async throws {
      let (id, method) = (self.target.caseID, self.method ?? .pickup)
      await CaseCommand.change(self.global, self.target, summary: CaseCommand.summary) { services, version in
        var request = Civicgrid_V1_DeliverResultRequest()
        request.caseID = id
        request.expectedVersion = version
        request.method = method
        return try await services.cases.deliverResult(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one case: its stages as a diagram with each department's task, the clocks and the timeline."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Case number.") var caseID: String

    func run() async throws {
      do {
        let id = self.caseID
        let (value, plan, calendar) = try await ClientFactory.withServices(self.global) { services in
          var get = Civicgrid_V1_GetCaseRequest()
          get.caseID = id
          let value = try await services.cases.getCase(get, metadata: services.metadata, options: services.options)
          // The plan and the calendar only refine the drawing; without them it still shows the tasks.
          var item = Civicgrid_V1_GetItemRequest()
          item.code = value.itemCode
          let plan = try? await services.catalog.getItem(item, metadata: services.metadata, options: services.options)
            .versions.first { $0.version == value.itemVersion }?.definition.stages
          var head = Civicgrid_V1_GetCalendarRequest()
          head.year = 1900
          let calendar = try? await services.calendar.getCalendar(head, metadata: services.metadata, options: services.options)
          return (value, plan, calendar)
        }
        if self.global.json { return try Output.json(value) }
        Output.text(CaseDiagram(value, plan: plan, calendar: calendar).render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List cases in your scope, newest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only cases in this state (submitted, accepted, inProcessing, completed, delivered, refused, …).") var state: String?
    @Option(help: "Only cases of this item.") var item: String?
    @Option(help: "Only cases taken in at this unit or with a task for it.") var unit: String?
    @Option(help: "Only cases from this channel.", transform: Civicgrid_V1_IntakeChannel.argument) var channel: Civicgrid_V1_IntakeChannel?
    @Option(help: "Only cases of the applicant with this exact name or ID number.") var applicant: String?
    @Option(help: "Submitted at or after this time.", transform: TimeText.argument) var since: Date?
    @Option(help: "Submitted before this time.", transform: TimeText.argument) var until: Date?
    @Flag(help: "Only open cases past their deadline.") var overdue = false
    @Option(help: "At most this many cases (default 50; 0 for all).") var limit: Int = 50

    func validate() throws {
      if self.limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        var template = Civicgrid_V1_ListCasesRequest()
        template.state = self.state ?? ""
        template.itemCode = self.item ?? ""
        template.unitCode = self.unit ?? ""
        template.channel = self.channel ?? .unspecified
        template.applicant = self.applicant ?? ""
        if let since { template.submittedFrom = Google_Protobuf_Timestamp(date: since) }
        if let until { template.submittedTo = Google_Protobuf_Timestamp(date: until) }
        template.overdueOnly = self.overdue
        let limit = self.limit
        let cases = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: CaseCommand.pageSize, first: "", last: "") { token, size in
            var request = template
            request.pageSize = size
            request.pageToken = token
            let page = try await services.cases.listCases(request, metadata: services.metadata, options: services.options)
            return (page.cases, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListCasesResponse()
          all.cases = cases
          return try Output.json(all)
        }
        Output.text(Self.table(cases).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ cases: [Civicgrid_V1_Case]) -> Table {
      let diagram = CaseDiagram(Civicgrid_V1_Case(), plan: nil, calendar: nil)
      var table = Table([
        .init("CASE"), .init("ITEM"), .init("APPLICANT"), .init("CHANNEL"), .init("STATE"), .init("LEFT", .right), .init("DEADLINE"),
        .init("SUBMITTED"),
      ])
      for value in cases {
        let clock = value.clock
        let left = value.hasClock && clock.state != "stopped" ? diagram.days(clock.remainingWorkingSeconds) : ""
        table.append([
          value.id, value.itemCode, value.applicant.name, value.channel.name, CaseDiagram.stateText(value), left,
          value.hasClock && clock.hasDeadline ? diagram.time(clock.deadline, minutes: true) : "",
          diagram.time(value.hasSubmittedAt ? value.submittedAt : nil, minutes: true),
        ])
      }
      return table
    }
  }
}
