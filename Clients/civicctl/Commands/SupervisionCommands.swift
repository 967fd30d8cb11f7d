import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl alerts | order | notice | inspection: supervision (docs/SUPERVISION.md).

extension Civicgrid_V1_AlertKind: NamedEnum {
  static var what: String { "alert kind" }
  static var protoPrefix: String { "ALERT_KIND_" }
  static var names: [(Self, String)] {
    [
      (.warning, "warning"), (.urge, "urge"), (.orderProposed, "order-proposed"), (.order, "order"), (.notice, "notice"), (.inspection, "inspection"),
      (.targetMissed, "target-missed"), (.urgentEvent, "urgent-event"), (.urgentEscalated, "urgent-escalated"),
      (.contractEnding, "contract-ending"),
    ]
  }
}

extension Civicgrid_V1_OrderLevel: NamedEnum {
  static var what: String { "order level" }
  static var protoPrefix: String { "ORDER_LEVEL_" }
  static var names: [(Self, String)] { [(.ordinary, "ordinary"), (.listed, "listed")] }
}

extension Civicgrid_V1_NoticeKind: NamedEnum {
  static var what: String { "notice kind" }
  static var protoPrefix: String { "NOTICE_KIND_" }
  static var names: [(Self, String)] { [(.commendation, "commendation"), (.criticism, "criticism")] }
}

struct AlertsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "alerts",
    abstract: "Live supervision alerts: warnings, urges, order proposals, orders, notices, inspections.",
    subcommands: [Watch.self]
  )

  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print alerts as they happen; reconnects and resumes after the last one printed.",
      discussion: "--after N starts after alert N (0 = from the first). One line per alert, or one JSON object per line with --json."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Start after this alert sequence.") var after: Int64 = 0
    @Option(help: "Only units in this unit's subtree.") var unit: String?
    @Option(help: "Only these warning levels (repeatable).", transform: Civicgrid_V1_WarningLevel.argument) var level: [Civicgrid_V1_WarningLevel] = []
    @Option(help: "Only these alert kinds (repeatable).", transform: Civicgrid_V1_AlertKind.argument) var kind: [Civicgrid_V1_AlertKind] = []
    @Option(help: "Only alerts about cases of this kind (repeatable), e.g. serviceApplication.") var caseKind: [String] = []
    @Option(help: "Stop after this many alerts; 0 = never.") var count: Int = 0

    func run() async throws {
      var request = Civicgrid_V1_WatchAlertsRequest()
      request.filter.unitCode = self.unit ?? ""
      request.filter.levels = self.level
      request.filter.kinds = self.kind
      request.filter.caseKinds = self.caseKind
      var cursor = self.after
      var printed = 0
      let json = self.global.json
      let limit = self.count
      while true {
        request.after = cursor
        let already = printed
        do {
          let (last, n) = try await ClientFactory.withServices(self.global) { [request] services in
            var options = services.options
            options.timeout = nil
            return try await services.supervision.watchAlerts(request, metadata: services.metadata, options: options) { response in
              var last = request.after
              var n = 0
              for try await alert in response.messages {
                if json { try Output.json(alert) } else { Output.line(Self.line(alert)) }
                last = alert.sequence
                n += 1
                if limit > 0, already + n >= limit { break }
              }
              return (last, n)
            }
          }
          cursor = last
          printed += n
          if limit > 0, printed >= limit { return }
        } catch let error as RPCError where error.code == .unavailable {
          Output.note("alerts: \(error.message); reconnecting after alert \(cursor)")
          try await Task.sleep(for: .seconds(1))
        } catch {
          Failure.exit(error)
        }
      }
    }

    static func line(_ alert: Civicgrid_V1_Alert) -> String {
      var parts = [String(alert.sequence), Output.time(alert.hasAt ? alert.at : nil), alert.kind.name, alert.unitCode]
      if alert.level != .unspecified { parts.append(alert.level.name) }
      if !alert.caseID.isEmpty { parts.append(alert.task > 0 ? "\(alert.caseID)/\(alert.task)" : alert.caseID) }
      parts.append(alert.summary)
      return parts.joined(separator: "  ")
    }
  }
}

struct OrderCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "order",
    abstract: "Supervision orders (督办单): issue, acknowledge, reply, verify, escalate, list, show.",
    subcommands: [Issue.self, Ack.self, Reply.self, Verify.self, Escalate.self, List.self, Show.self]
  )

  static func show(_ order: Civicgrid_V1_Order, json: Bool) throws {
    if json { return try Output.json(order) }
    Output.text(
      Table.keyValues([
        ("order", order.id), ("kind", order.kind), ("state", order.state), ("level", order.level.name), ("unit", order.unitCode),
        ("title", order.title), ("requirement", order.requirement),
        ("subject", order.subjectCaseID.isEmpty ? "-" : order.subjectTask > 0 ? "\(order.subjectCaseID)/\(order.subjectTask)" : order.subjectCaseID),
        ("reply due", order.hasReplyDue ? Output.time(order.replyDue) : "-"),
        ("warning", order.warningLevel == .unspecified ? "-" : order.warningLevel.name), ("reply", order.reply.isEmpty ? "-" : order.reply),
        ("escalations", String(order.escalations)), ("issued", "\(order.issuedBy) \(Output.time(order.issuedAt))"), ("version", String(order.version)),
      ])
    )
  }

  /// The order's current version, read when --expected-version is not given.
  static func version(_ id: String, _ given: Int64?, _ services: Services) async throws -> Int64 {
    if let given { return given }
    var get = Civicgrid_V1_GetOrderRequest()
    get.orderID = id
    return try await services.supervision.getOrder(get, metadata: services.metadata, options: services.options).version
  }

  struct Issue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Issue an order against a unit, a case or one of its tasks.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "What it is about.") var title: String
    @Option(help: "What the unit must do.") var requirement: String
    @Option(help: "The unit that must reply (default: the case's or task's unit).") var unit: String?
    @Option(name: .customLong("case"), help: "The case it is about (C…).") var caseID: String?
    @Option(help: "The task of that case.") var task: Int32 = 0
    @Option(help: "ordinary or listed.", transform: Civicgrid_V1_OrderLevel.argument) var level: Civicgrid_V1_OrderLevel = .ordinary
    @Option(help: "Working days to reply (1–30).") var days: Int32 = 3
    @Option(help: "Makes a retry safe: the same key and request answer the order first made.") var idempotencyKey: String?

    func run() async throws {
      var request = Civicgrid_V1_IssueOrderRequest()
      request.idempotencyKey = self.idempotencyKey ?? ""
      request.title = self.title
      request.requirement = self.requirement
      request.unitCode = self.unit ?? ""
      request.subjectCaseID = self.caseID ?? ""
      request.subjectTask = self.task
      request.level = self.level
      request.replyWorkingDays = self.days
      do {
        let order = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.supervision.issueOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Acknowledge an order held by your unit.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The order (C…).") var order: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      do {
        let (id, given) = (self.order, self.expectedVersion)
        let order = try await ClientFactory.withServices(self.global) { services in
          var request = Civicgrid_V1_OrderRequest()
          request.orderID = id
          request.expectedVersion = try await OrderCommand.version(id, given, services)
          return try await services.supervision.acknowledgeOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Reply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reply to an order held by your unit.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The order (C…).") var order: String
    @Option(help: "What your unit did.") var text: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      do {
        let (id, given, text) = (self.order, self.expectedVersion, self.text)
        let order = try await ClientFactory.withServices(self.global) { services in
          var request = Civicgrid_V1_ReplyOrderRequest()
          request.orderID = id
          request.reply = text
          request.expectedVersion = try await OrderCommand.version(id, given, services)
          return try await services.supervision.replyOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Accept a reply (closes the order) or --reject it (escalates).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The order (C…).") var order: String
    @Flag(help: "Reject the reply; needs --note.") var reject = false
    @Option(help: "Why.") var note: String = ""
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      do {
        let (id, given, note, accepted) = (self.order, self.expectedVersion, self.note, !self.reject)
        let order = try await ClientFactory.withServices(self.global) { services in
          var request = Civicgrid_V1_VerifyOrderRequest()
          request.orderID = id
          request.accepted = accepted
          request.note = note
          request.expectedVersion = try await OrderCommand.version(id, given, services)
          return try await services.supervision.verifyOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Escalate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Escalate an overdue, unanswered order: ordinary → listed → the unit one level up.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The order (C…).") var order: String
    @Option(help: "Why.") var reason: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      do {
        let (id, given, reason) = (self.order, self.expectedVersion, self.reason)
        let order = try await ClientFactory.withServices(self.global) { services in
          var request = Civicgrid_V1_EscalateOrderRequest()
          request.orderID = id
          request.reason = reason
          request.expectedVersion = try await OrderCommand.version(id, given, services)
          return try await services.supervision.escalateOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Orders in your scope, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only units in this unit's subtree.") var unit: String?
    @Option(help: "Only these states (repeatable): issued, acknowledged, replied, closed.") var state: [String] = []
    @Option(help: "ordinary or listed.", transform: Civicgrid_V1_OrderLevel.argument) var level: Civicgrid_V1_OrderLevel?
    @Flag(help: "Inspection rectifications instead of orders.") var rectifications = false
    @Option(help: "At most this many; 0 for all.") var limit: Int = 100

    func run() async throws {
      var template = Civicgrid_V1_ListOrdersRequest()
      template.unitCode = self.unit ?? ""
      template.states = self.state
      template.level = self.level ?? .unspecified
      template.kind = self.rectifications ? "inspectionFinding" : ""
      let limit = self.limit
      do {
        let orders = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageToken = token
            request.pageSize = size
            let page = try await services.supervision.listOrders(request, metadata: services.metadata, options: services.options)
            return (page.orders, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListOrdersResponse()
          all.orders = orders
          return try Output.json(all)
        }
        var table = Table([.init("ORDER"), .init("STATE"), .init("LEVEL"), .init("UNIT"), .init("DUE"), .init("WARNING"), .init("TITLE")])
        for order in orders {
          table.append([
            order.id, order.state, order.level.name, order.unitCode, order.hasReplyDue ? Output.time(order.replyDue) : "-",
            order.warningLevel == .unspecified ? "-" : order.warningLevel.name, order.title,
          ])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One order.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The order (C…).") var order: String

    func run() async throws {
      var request = Civicgrid_V1_GetOrderRequest()
      request.orderID = self.order
      do {
        let order = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.supervision.getOrder(request, metadata: services.metadata, options: services.options)
        }
        try OrderCommand.show(order, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }
}

struct NoticeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notice",
    abstract: "Notices (通报): commend or criticise a unit for a period.",
    subcommands: [Publish.self, List.self]
  )

  struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish a notice.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "commendation or criticism.", transform: Civicgrid_V1_NoticeKind.argument) var kind: Civicgrid_V1_NoticeKind
    @Option(help: "The unit it is about.") var unit: String
    @Option(help: "YYYY, YYYY-Qn, YYYY-MM or YYYY-Www.") var period: String
    @Option(help: "Title.") var title: String
    @Option(help: "Text.") var body: String
    @Option(name: .customLong("case"), help: "A case cited (repeatable).") var cases: [String] = []
    @Option(name: .customLong("order"), help: "An order cited (repeatable).") var orders: [String] = []

    func run() async throws {
      var request = Civicgrid_V1_PublishNoticeRequest()
      request.kind = self.kind
      request.unitCode = self.unit
      request.period = self.period
      request.title = self.title
      request.body = self.body
      request.caseIds = self.cases
      request.orderIds = self.orders
      do {
        let notice = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.supervision.publishNotice(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(notice) }
        Output.line("notice \(notice.id) published: \(notice.kind.name) of \(notice.unitCode) for \(notice.period)")
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notices about units in your scope, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only units in this unit's subtree.") var unit: String?
    @Option(help: "Only this period.") var period: String?
    @Option(help: "commendation or criticism.", transform: Civicgrid_V1_NoticeKind.argument) var kind: Civicgrid_V1_NoticeKind?
    @Option(help: "At most this many; 0 for all.") var limit: Int = 100

    func run() async throws {
      var template = Civicgrid_V1_ListNoticesRequest()
      template.unitCode = self.unit ?? ""
      template.period = self.period ?? ""
      template.kind = self.kind ?? .unspecified
      let limit = self.limit
      do {
        let notices = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageToken = token
            request.pageSize = size
            let page = try await services.supervision.listNotices(request, metadata: services.metadata, options: services.options)
            return (page.notices, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListNoticesResponse()
          all.notices = notices
          return try Output.json(all)
        }
        var table = Table([.init("ID", .right), .init("KIND"), .init("UNIT"), .init("PERIOD"), .init("PUBLISHED"), .init("TITLE")])
        for notice in notices {
          table.append([String(notice.id), notice.kind.name, notice.unitCode, notice.period, Output.time(notice.publishedAt), notice.title])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}

struct InspectionCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspection",
    abstract: "Quarterly inspections (季度检查督导): findings with rectification deadlines.",
    subcommands: [Record.self, List.self]
  )

  struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record an inspection round.",
      discussion: "Each --finding is UNIT:DAYS:DESCRIPTION, e.g. --finding 'S01:5:Queue numbers not displayed'."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The quarter, YYYY-Qn.") var period: String
    @Option(help: "Title.") var title: String
    @Option(help: "UNIT:DAYS:DESCRIPTION (repeatable).") var finding: [String]

    func validate() throws {
      for text in self.finding where text.split(separator: ":", maxSplits: 2).count != 3 || Int32(text.split(separator: ":")[1]) == nil {
        throw ValidationError("--finding must be UNIT:DAYS:DESCRIPTION, got '\(text)'")
      }
    }

    func run() async throws {
      var request = Civicgrid_V1_RecordInspectionRequest()
      request.period = self.period
      request.title = self.title
      request.findings = self.finding.map { text in
        let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
        var finding = Civicgrid_V1_Finding()
        finding.unitCode = parts[0]
        finding.rectifyWorkingDays = Int32(parts[1]) ?? 0
        finding.description_p = parts[2]
        return finding
      }
      do {
        let inspection = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.supervision.recordInspection(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(inspection) }
        Output.text(InspectionCommand.table([inspection]).render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  static func table(_ inspections: [Civicgrid_V1_Inspection]) -> Table {
    var table = Table([.init("ID", .right), .init("PERIOD"), .init("UNIT"), .init("DAYS", .right), .init("RECTIFICATION"), .init("FINDING")])
    for inspection in inspections {
      for finding in inspection.findings {
        table.append([
          String(inspection.id), inspection.period, finding.unitCode, String(finding.rectifyWorkingDays), finding.rectificationID,
          finding.description_p,
        ])
      }
    }
    return table
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspections concerning units in your scope, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this quarter, YYYY-Qn.") var period: String?
    @Option(help: "At most this many; 0 for all.") var limit: Int = 100

    func run() async throws {
      var template = Civicgrid_V1_ListInspectionsRequest()
      template.period = self.period ?? ""
      let limit = self.limit
      do {
        let inspections = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageToken = token
            request.pageSize = size
            let page = try await services.supervision.listInspections(request, metadata: services.metadata, options: services.options)
            return (page.inspections, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListInspectionsResponse()
          all.inspections = inspections
          return try Output.json(all)
        }
        Output.text(InspectionCommand.table(inspections).render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
