import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

/// Calls `civicgrid.v1.Evaluation` with the options' endpoint, token and timeout.
struct EvaluationAction<Output: Sendable>: ClientAction {
  let metadata: Metadata
  let options: CallOptions
  let body: @Sendable (any Civicgrid_V1_Evaluation.ClientProtocol, Metadata, CallOptions) async throws -> Output

  func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Output {
    try await self.body(Civicgrid_V1_Evaluation.Client(wrapping: client), self.metadata, self.options)
  }

  static func call(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (any Civicgrid_V1_Evaluation.ClientProtocol, Metadata, CallOptions) async throws -> Output
  ) async throws -> Output {
    let endpoint = try global.endpoint()
    let action = EvaluationAction(
      metadata: try ClientFactory.metadata(global, token: endpoint.token),
      options: ClientFactory.callOptions(global),
      body: body
    )
    return try await ClientFactory.run(action, endpoint: endpoint)
  }
}

enum EvaluationText {
  static let levels: [String: Civicgrid_V1_RatingLevel] = [
    "very-satisfied": .verySatisfied, "satisfied": .satisfied, "basically-satisfied": .basicallySatisfied,
    "dissatisfied": .dissatisfied, "very-dissatisfied": .veryDissatisfied,
  ]

  static func name(_ level: Civicgrid_V1_RatingLevel) -> String { levels.first { $0.value == level }?.key ?? "unspecified" }

  static func rectifications(_ items: [Civicgrid_V1_RectificationRecord]) -> String {
    var table = Table([
      .init("ID"), .init("RATING", .right), .init("CASE"), .init("UNIT"), .init("STATE"), .init("DUE"), .init("VERSION", .right),
      .init("COMPLAINT"),
    ])
    for item in items {
      table.append([
        item.id, String(item.ratingID), item.caseID, item.unitCode, item.state, Output.time(item.deadline), String(item.version),
        "\(name(item.ratingLevel)): \(item.ratingComment)",
      ])
    }
    return table.render()
  }
}

/// `civicctl rate`: a rating (好差评) at acceptance or completion.
struct RateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rate",
    abstract: "Rate a case at acceptance or completion (one rating per case and moment; a retry returns it).",
    discussion: "A bad rating (dissatisfied, very-dissatisfied) needs --comment and opens a rectification for the case's unit."
  )

  @OptionGroup var global: GlobalOptions
  @Option(name: .customLong("case"), help: "Case number (C00000042).") var caseID: String
  @Option(help: "acceptance or completion.") var moment: String = "completion"
  @Option(help: "very-satisfied, satisfied, basically-satisfied, dissatisfied or very-dissatisfied.") var level: String
  @Option(help: "What the citizen said (required with a bad rating).") var comment: String = ""
  @Option(help: "Where the rating came from (window, online, mobile, hotline …).") var channel: String = "window"
  @Option(help: "Efficiency 1–5.") var efficiency: Int32 = 0
  @Option(help: "Attitude 1–5.") var attitude: Int32 = 0
  @Option(help: "Convenience 1–5.") var convenience: Int32 = 0

  func validate() throws {
    guard EvaluationText.levels[self.level] != nil else {
      throw ValidationError("--level must be one of \(EvaluationText.levels.keys.sorted().joined(separator: ", "))")
    }
    guard ["acceptance", "completion"].contains(self.moment) else { throw ValidationError("--moment must be acceptance or completion") }
  }

  func run() async throws {
    do {
      var request = Civicgrid_V1_RateCaseRequest()
      request.caseID = self.caseID
      request.moment = self.moment == "acceptance" ? .acceptance : .completion
      request.level = EvaluationText.levels[self.level]!
      request.comment = self.comment
      request.channel = self.channel
      request.efficiency = self.efficiency
      request.attitude = self.attitude
      request.convenience = self.convenience
      let rating = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
        try await client.rateCase(request, metadata: metadata, options: options)
      }
      if self.global.json { return try Output.json(rating) }
      Output.text(
        Table.keyValues([
          ("Rating", String(rating.id)), ("Case", rating.caseID), ("Level", EvaluationText.name(rating.level)),
          ("Unit", rating.unitCode), ("Rectification", rating.rectificationID.isEmpty ? "—" : rating.rectificationID),
        ])
      )
    } catch {
      Failure.exit(error)
    }
  }
}

/// `civicctl rectification list|report|visit`.
struct RectificationCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rectification",
    abstract: "Bad-rating rectifications (差评整改): list, report, return visit (回访).",
    subcommands: [List.self, Report.self, Visit.self]
  )

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rectifications in your subtree, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "rectifying, awaitingReturnVisit, rectified or voided.") var state: String = ""
    @Option(help: "Only this unit's subtree.") var unit: String = ""
    @Option(help: "At most this many.") var limit: Int32 = 50

    func run() async throws {
      do {
        var request = Civicgrid_V1_ListRectificationsRequest()
        request.state = self.state
        request.unitCode = self.unit
        request.pageSize = self.limit
        let response = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.listRectifications(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(response) }
        Output.text(EvaluationText.rectifications(response.rectifications))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The unit reports what it rectified; the return visit becomes due.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Rectification case number (C00000043).") var id: String
    @Option(help: "The version you read.") var version: Int64
    @Option(help: "What was done.") var text: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_ReportRectificationRequest()
        request.rectificationID = self.id
        request.expectedVersion = self.version
        request.report = self.text
        let record = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.reportRectification(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(record) }
        Output.text(EvaluationText.rectifications([record]))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Visit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record the return visit (回访) that closes a rectification.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Rectification case number (C00000043).") var id: String
    @Option(help: "The version you read.") var version: Int64
    @Flag(inversion: .prefixedNo, help: "Whether the citizen is now satisfied.") var satisfied = true
    @Option(help: "What the citizen said.") var note: String = ""

    func run() async throws {
      do {
        var request = Civicgrid_V1_RecordReturnVisitRequest()
        request.rectificationID = self.id
        request.expectedVersion = self.version
        request.satisfied = self.satisfied
        request.note = self.note
        let record = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.recordReturnVisit(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(record) }
        Output.text(EvaluationText.rectifications([record]))
      } catch {
        Failure.exit(error)
      }
    }
  }
}

/// `civicctl appeal file|decide`: 申诉复核.
struct AppealCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "appeal",
    abstract: "Appeal against a bad rating (申诉复核); an upheld appeal removes the rating from every indicator.",
    subcommands: [File.self, Decide.self]
  )

  static func show(_ appeal: Civicgrid_V1_AppealRecord) -> String {
    Table.keyValues([
      ("Appeal", String(appeal.id)), ("Rating", String(appeal.ratingID)), ("Outcome", appeal.outcome), ("Reason", appeal.reason),
      ("Note", appeal.note), ("Filed by", appeal.filedBy), ("Decided by", appeal.decidedBy),
    ])
  }

  struct File: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "File an appeal against a bad rating of your unit.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Rating id.") var rating: Int64
    @Option(help: "Why the rating is unjust.") var reason: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_FileAppealRequest()
        request.ratingID = self.rating
        request.reason = self.reason
        let appeal = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.fileAppeal(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(appeal) }
        Output.text(AppealCommand.show(appeal))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Uphold or reject an appeal (supervisors).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Appeal id.") var id: Int64
    @Flag(help: "Uphold (--uphold) or reject (--reject).") var decision: Decision
    @Option(help: "The reviewer's note.") var note: String

    enum Decision: EnumerableFlag { case uphold, reject }

    func run() async throws {
      do {
        var request = Civicgrid_V1_DecideAppealRequest()
        request.appealID = self.id
        request.uphold = self.decision == .uphold
        request.note = self.note
        let appeal = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.decideAppeal(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(appeal) }
        Output.text(AppealCommand.show(appeal))
      } catch {
        Failure.exit(error)
      }
    }
  }
}

/// `civicctl metrics --unit U --period P [--subtree] [--drill INDICATOR]`.
struct MetricsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract: "The indicators of docs/METRICS.md for a unit and period, with the cases behind one of them."
  )

  @OptionGroup var global: GlobalOptions
  @Option(help: "Unit code (default your own unit).") var unit: String = ""
  @Option(help: "2026-W48, 2026-11, 2026-Q4 or 2026.") var period: String
  @Flag(help: "Count the unit and every unit below it.") var subtree = false
  @Option(help: "List the cases behind this indicator (acceptance_rate, satisfaction_rate, …).") var drill: String = ""

  func run() async throws {
    do {
      var request = Civicgrid_V1_GetMetricsRequest()
      request.unitCode = self.unit
      request.period = self.period
      request.subtree = self.subtree
      request.drill = self.drill
      let metrics = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
        try await client.getMetrics(request, metadata: metadata, options: options)
      }
      if self.global.json { return try Output.json(metrics) }
      Output.line(
        "\(metrics.unitCode) \(metrics.subtree ? "and below" : "alone"), \(metrics.period)\(metrics.closed ? " (closed, frozen)" : "") — metrics v\(metrics.metricsVersion)"
      )
      var table = Table([
        .init("INDICATOR"), .init("VALUE", .right), .init("NUMERATOR", .right), .init("DENOMINATOR", .right), .init("TARGET", .right), .init(""),
      ])
      for figure in metrics.figures {
        table.append([
          figure.indicator, figure.display, String(figure.numerator), String(figure.denominator), figure.target, figure.missedTarget ? "MISSED" : "",
        ])
      }
      Output.text(table.render())
      if !self.drill.isEmpty {
        var cases = Table([.init("CASE"), .init("COUNTED"), .init("NOTE")])
        for row in metrics.drill { cases.append([row.caseID, row.counted ? "yes" : "no", row.note]) }
        Output.text(cases.render())
      }
    } catch {
      Failure.exit(error)
    }
  }
}

/// `civicctl period close P`.
struct PeriodCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "period",
    abstract: "Close a period: its figures and assessment are frozen.",
    subcommands: [Close.self]
  )

  struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Close a period that has ended (supervisors, admins).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "2026-W48, 2026-11, 2026-Q4 or 2026.") var period: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_ClosePeriodRequest()
        request.period = self.period
        let response = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.closePeriod(request, metadata: metadata, options: options)
        }
        if self.global.json { return try Output.json(response) }
        Output.line(
          "closed \(response.period): \(response.figures) figures frozen (metrics v\(response.metricsVersion), scheme v\(response.schemeVersion))"
        )
      } catch {
        Failure.exit(error)
      }
    }
  }
}

/// `civicctl assessment --period P [--kind K]`, and `assessment scheme show|set`.
struct AssessmentCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "assessment",
    abstract: "Scores and ranking of units for a period (基础工作+社会评价), with first responsible persons.",
    subcommands: [Scheme.self]
  )

  @OptionGroup var global: GlobalOptions
  // Optional so that `assessment scheme …` parses without it; the ranking needs it.
  @Option(help: "The period.") var period: String?
  @Option(help: "Only units of this kind (street, township, community, department, centre …).") var kind: String = ""

  func run() async throws {
    guard let period = self.period else { throw ValidationError("Missing expected argument '--period <period>'") }
    do {
      var request = Civicgrid_V1_GetAssessmentRequest()
      request.period = period
      request.unitKind = self.kind
      let assessment = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
        try await client.getAssessment(request, metadata: metadata, options: options)
      }
      if self.global.json { return try Output.json(assessment) }
      let targets = assessment.targetsVersion > 0 ? ", targets v\(assessment.targetsVersion)" : ""
      Output.line("\(assessment.period): \(assessment.schemeName) (v\(assessment.schemeVersion))\(targets)\(assessment.closed ? ", closed" : "")")
      var table = Table([
        .init("RANK", .right), .init("UNIT"), .init("NAME"), .init("RESPONSIBLE"), .init("BASIC", .right), .init("SOCIAL", .right),
        .init("PENALTY", .right), .init("TOTAL", .right), .init("MISSED TARGETS"),
      ])
      for unit in assessment.units {
        // A unit with nothing to assess is listed apart, unranked, with no points.
        guard !unit.noData else {
          table.append(["—", unit.unitCode, unit.unitName, unit.responsiblePerson, "—", "—", "—", "no data", unit.missedTargets.joined(separator: ", ")])
          continue
        }
        table.append([
          String(unit.rank), unit.unitCode, unit.unitName, unit.responsiblePerson, String(format: "%.2f", unit.basicWork),
          String(format: "%.2f", unit.socialEvaluation), String(format: "-%.2f", unit.penalty), String(format: "%.2f", unit.total),
          unit.missedTargets.joined(separator: ", "),
        ])
      }
      Output.text(table.render())
    } catch {
      Failure.exit(error)
    }
  }
}

/// `civicctl report weekly|monthly|quarterly|annual --unit U --period P [--csv]`.
struct ReportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "A periodic report (周例会、月研判、季总结、年考核) as Markdown, or its figures as CSV."
  )

  @OptionGroup var global: GlobalOptions
  @Argument(help: "weekly, monthly, quarterly or annual.") var cadence: String
  @Option(help: "Unit code (default your own unit).") var unit: String = ""
  @Option(help: "A period of that cadence: 2026-W48, 2026-11, 2026-Q4, 2026.") var period: String
  @Option(help: "How many periods the trend shows (1–12).") var trend: Int32 = 6
  @Flag(help: "Print CSV for spreadsheets instead of Markdown.") var csv = false

  static let cadences = ["weekly": "week", "monthly": "month", "quarterly": "quarter", "annual": "year"]

  func validate() throws {
    guard Self.cadences[self.cadence] != nil else { throw ValidationError("cadence must be weekly, monthly, quarterly or annual") }
  }

  func run() async throws {
    do {
      var request = Civicgrid_V1_GetReportRequest()
      request.cadence = Self.cadences[self.cadence]!
      request.unitCode = self.unit
      request.period = self.period
      request.trendPeriods = self.trend
      let report = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
        try await client.getReport(request, metadata: metadata, options: options)
      }
      if self.global.json { return try Output.json(report) }
      Output.text(self.csv ? report.csv : report.markdown)
    } catch {
      Failure.exit(error)
    }
  }
}
