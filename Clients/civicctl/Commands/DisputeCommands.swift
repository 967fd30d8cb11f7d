import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

// civicctl dispute: disputes and first letters/visits at the governance centre (docs/DISPUTES.md).

extension Civicgrid_V1_DisputeType: NamedEnum {
  static var what: String { "dispute type" }
  static var protoPrefix: String { "DISPUTE_TYPE_" }
  static var names: [(Self, String)] { [(.dispute, "dispute"), (.firstLetter, "first-letter"), (.firstVisit, "first-visit"), (.legalAid, "legal-aid")] }
}

extension Civicgrid_V1_DisputeCategory: NamedEnum {
  static var what: String { "dispute category" }
  static var protoPrefix: String { "DISPUTE_CATEGORY_" }
  static var names: [(Self, String)] {
    [(.neighbourhood, "neighbourhood"), (.family, "family"), (.property, "property"), (.labour, "labour"), (.land, "land"), (.other, "other")]
  }
}

extension Civicgrid_V1_DisputeChannel: NamedEnum {
  static var what: String { "dispute channel" }
  static var protoPrefix: String { "DISPUTE_CHANNEL_" }
  static var names: [(Self, String)] { [(.window, "window"), (.gridWorker, "grid-worker"), (.hotline, "hotline"), (.partner, "partner")] }
}

extension Civicgrid_V1_PartyRole: NamedEnum {
  static var what: String { "party role" }
  static var protoPrefix: String { "PARTY_ROLE_" }
  static var names: [(Self, String)] { [(.applicant, "applicant"), (.respondent, "respondent"), (.thirdParty, "third-party")] }
}

extension Civicgrid_V1_RiskLevel: NamedEnum {
  static var what: String { "risk level" }
  static var protoPrefix: String { "RISK_LEVEL_" }
  static var names: [(Self, String)] { [(.low, "low"), (.medium, "medium"), (.high, "high"), (.major, "major")] }
}

extension Civicgrid_V1_ResolutionChannel: NamedEnum {
  static var what: String { "resolution channel" }
  static var protoPrefix: String { "RESOLUTION_CHANNEL_" }
  static var names: [(Self, String)] {
    [
      (.peoplesMediation, "peoples-mediation"), (.administrativeMediation, "administrative-mediation"),
      (.judicialMediation, "judicial-mediation"), (.legalAid, "legal-aid"), (.directHandling, "direct-handling"),
    ]
  }
}

extension Civicgrid_V1_ChannelOutcome: NamedEnum {
  static var what: String { "outcome" }
  static var protoPrefix: String { "CHANNEL_OUTCOME_" }
  static var names: [(Self, String)] { [(.agreement, "agreement"), (.partial, "partial"), (.failed, "failed"), (.withdrawn, "withdrawn")] }
}

extension Civicgrid_V1_DisputeResult: NamedEnum {
  static var what: String { "result" }
  static var protoPrefix: String { "DISPUTE_RESULT_" }
  static var names: [(Self, String)] {
    [(.resolved, "resolved"), (.notResolved, "not-resolved"), (.referredOut, "referred-out"), (.withdrawn, "withdrawn")]
  }
}

struct DisputeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dispute",
    abstract: "Disputes and first letters/visits: intake, joint review and routing, sessions, outcomes, follow-up, closing.",
    discussion: """
      Commands that change a dispute send the version they read: without --expected-version the \
      command reads the dispute first, so a change someone else made in between still answers ABORTED.
      """,
    subcommands: [
      Submit.self, Review.self, Route.self, Session.self, Outcome.self, FollowUp.self, Close.self, Show.self, List.self, Report.self, Ladder.self,
    ]
  )

  struct Target: ParsableArguments {
    @Argument(help: "Dispute number, e.g. C00000042.") var disputeID: String
    @Option(help: "The version you read (default: read the dispute now and use its current version).") var expectedVersion: Int64?
  }

  /// Calls `call` with `expected` or the dispute's current version, then prints a summary (or JSON).
  static func change(
    _ global: GlobalOptions, _ target: Target, _ call: @escaping @Sendable (Services, Int64) async throws -> Civicgrid_V1_Dispute
  ) async {
    let (id, expected) = (target.disputeID, target.expectedVersion)
    do {
      let changed = try await ClientFactory.withServices(global) { services in
        var version = expected ?? 0
        if expected == nil { version = try await Self.get(id, services).version }
        return try await call(services, version)
      }
      if global.json { return try Output.json(changed) }
      Output.line(Self.summary(changed))
    } catch {
      Failure.exit(error)
    }
  }

  static func get(_ id: String, _ services: Services) async throws -> Civicgrid_V1_Dispute {
    var request = Civicgrid_V1_GetDisputeRequest()
    request.disputeID = id
    return try await services.disputes.getDispute(request, metadata: services.metadata, options: services.options)
  }

  /// `Dispute C00000042 is now mediating at rung 1 (community): #1 MC1 pending.`
  static func summary(_ d: Civicgrid_V1_Dispute) -> String {
    var line = "Dispute \(d.id) is now \(d.state) at rung \(d.ladderLevel) (\(d.ladderRung))"
    let open = d.routes.filter { $0.task.state == "pending" || $0.task.state == "claimed" }
    if !open.isEmpty { line += ": " + open.map { "#\($0.task.number) \($0.task.unitCode) \($0.task.state)" }.joined(separator: ", ") }
    return line + "."
  }

  struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a dispute, first letter/visit or legal-aid request in.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Type (default dispute): dispute, first-letter, first-visit, legal-aid.", transform: Civicgrid_V1_DisputeType.argument)
    var type: Civicgrid_V1_DisputeType?
    @Option(help: "Category of a dispute: neighbourhood, family, property, labour, land, other.", transform: Civicgrid_V1_DisputeCategory.argument)
    var category: Civicgrid_V1_DisputeCategory?
    @Option(help: "Door (default window): window, grid-worker, hotline, partner.", transform: Civicgrid_V1_DisputeChannel.argument)
    var channel: Civicgrid_V1_DisputeChannel?
    @Option(help: "What it is about.") var summary: String
    @Option(help: "A party as ROLE:NAME[:ID_NUMBER[:PHONE]] (repeatable; at least one applicant).") var party: [String]
    @Option(help: "A related service case.") var relatedCase: String?
    @Option(help: "The centre taking it in (default your own unit).") var unit: String?
    @Option(help: "Idempotency key (required for partners).") var idempotencyKey: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_SubmitDisputeRequest()
        request.type = self.type ?? .dispute
        request.category = self.category ?? .unspecified
        request.channel = self.channel ?? .window
        request.summary = self.summary
        request.parties = try self.party.map(Self.party)
        request.relatedCaseID = self.relatedCase ?? ""
        request.unitCode = self.unit ?? ""
        request.idempotencyKey = self.idempotencyKey ?? ""
        let submitted = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.disputes.submitDispute(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(submitted) }
        Output.line("Submitted dispute \(submitted.id) at \(submitted.unitCode).")
        Output.line(DisputeCommand.summary(submitted))
      } catch {
        Failure.exit(error)
      }
    }

    static func party(_ text: String) throws -> Civicgrid_V1_DisputeParty {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      guard parts.count >= 2, parts.count <= 4 else { throw ValidationError("--party must be ROLE:NAME[:ID_NUMBER[:PHONE]], got '\(text)'") }
      var party = Civicgrid_V1_DisputeParty()
      party.role = try Civicgrid_V1_PartyRole.parse(parts[0])
      party.name = parts[1]
      if parts.count > 2 { party.idNumber = parts[2] }
      if parts.count > 3 { party.phone = parts[3] }
      return party
    }
  }

  struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a joint review (联席研判): risk, assessment and the channels it routes to, each a task with a working-day limit."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The day it met, YYYY-MM-DD.") var heldOn: String
    @Option(help: "A participant, login@UNIT or a unit code (repeatable).") var participant: [String]
    @Option(help: "Risk: low, medium, high, major.", transform: Civicgrid_V1_RiskLevel.argument) var risk: Civicgrid_V1_RiskLevel
    @Option(help: "The assessment.") var assessment: String
    @Option(help: "A route as CHANNEL:UNIT[:DAYS], e.g. peoples-mediation:MC1:5; DAYS its own working days (repeatable).") var route: [String]
    @Option(help: "Working days of every route that names none (1–60).") var days: Int32

    func run() async throws {
      let routes = try self.route.map { text in
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 2 || parts.count == 3 else { throw ValidationError("--route must be CHANNEL:UNIT[:DAYS], got '\(text)'") }
        var route = Civicgrid_V1_Route()
        route.channel = try Civicgrid_V1_ResolutionChannel.parse(parts[0])
        route.unitCode = parts[1]
        if parts.count == 3 {
          guard let days = Int32(parts[2]), days >= 1 else { throw ValidationError("--route's DAYS must be a whole number of working days, got '\(parts[2])'") }
          route.workingDays = days
        }
        return route
      }
      var template = Civicgrid_V1_RecordReviewRequest()
      template.disputeID = self.target.disputeID
      template.heldOn = self.heldOn
      template.participants = self.participant
      template.risk = self.risk
      template.assessment = self.assessment
      template.routes = routes
      template.workingDays = self.days
      await DisputeCommand.change(self.global, self.target) { [template] services, version in
        var request = template
        request.expectedVersion = version
        return try await services.disputes.recordReview(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a dispute's routes: channel, unit, task state and clock, outcome, follow-up.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Dispute number.") var disputeID: String

    func run() async throws {
      do {
        let id = self.disputeID
        let dispute = try await ClientFactory.withServices(self.global) { services in try await DisputeCommand.get(id, services) }
        if self.global.json { return try Output.json(dispute) }
        let diagram = CaseDiagram(Civicgrid_V1_Case(), plan: nil, calendar: nil)
        var table = Table([.init("TASK", .right), .init("ROUND", .right), .init("CHANNEL"), .init("UNIT"), .init("STATE"), .init("LEFT", .right), .init("OUTCOME"), .init("FULFILLED")])
        for route in dispute.routes {
          let open = route.task.state == "pending" || route.task.state == "claimed"
          table.append([
            String(route.task.number), String(route.round), route.channel.name, route.task.unitCode, route.task.state,
            open ? diagram.days(route.task.clock.remainingWorkingSeconds) : "", route.outcome == .unspecified ? "" : route.outcome.name,
            route.fulfilmentChecked ? (route.fulfilled ? "yes" : "no") : "",
          ])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Session: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Schedule a mediation session on a route (--task, --at, --place) or record one as held (--session, --attendee, --notes)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "Schedule: the route's task number.") var task: Int32?
    @Option(help: "Schedule: when.", transform: TimeText.argument) var at: Date?
    @Option(help: "Schedule: where.") var place: String?
    @Option(help: "Held: the session's number.") var session: Int32?
    @Option(help: "Held: who attended (repeatable).") var attendee: [String] = []
    @Option(help: "Held: notes.") var notes: String?

    func validate() throws {
      guard (self.task == nil) != (self.session == nil) else { throw ValidationError("give --task (schedule) or --session (held), not both") }
    }

    func run() async throws {
      let id = self.target.disputeID
      if let task = self.task {
        var request = Civicgrid_V1_ScheduleSessionRequest()
        request.disputeID = id
        request.task = task
        if let at = self.at { request.scheduledAt = Google_Protobuf_Timestamp(date: at) }
        request.place = self.place ?? ""
        await DisputeCommand.change(self.global, self.target) { [request] services, version in
          var request = request
          request.expectedVersion = version
          return try await services.disputes.scheduleSession(request, metadata: services.metadata, options: services.options)
        }
      } else {
        var request = Civicgrid_V1_RecordSessionRequest()
        request.disputeID = id
        request.session = self.session ?? 0
        request.attendees = self.attendee
        request.notes = self.notes ?? ""
        await DisputeCommand.change(self.global, self.target) { [request] services, version in
          var request = request
          request.expectedVersion = version
          return try await services.disputes.recordSession(request, metadata: services.metadata, options: services.options)
        }
      }
    }
  }

  struct Outcome: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a route's outcome; a round whose routes failed escalates one rung up the ladder and needs a new review."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The route's task number.") var task: Int32
    @Option(help: "agreement, partial, failed, withdrawn.", transform: Civicgrid_V1_ChannelOutcome.argument) var outcome: Civicgrid_V1_ChannelOutcome
    @Option(help: "The agreement's terms, or why it failed or was withdrawn.") var detail: String

    func run() async throws {
      var template = Civicgrid_V1_RecordOutcomeRequest()
      template.disputeID = self.target.disputeID
      template.task = self.task
      template.outcome = self.outcome
      template.detail = self.detail
      await DisputeCommand.change(self.global, self.target) { [template] services, version in
        var request = template
        request.expectedVersion = version
        return try await services.disputes.recordOutcome(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct FollowUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "follow-up", abstract: "Record whether a route's agreement was fulfilled.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "The route's task number.") var task: Int32
    @Flag(inversion: .prefixedNo, help: "Whether the agreement was fulfilled.") var fulfilled: Bool
    @Option(help: "What the follow-up found.") var note: String

    func run() async throws {
      var template = Civicgrid_V1_RecordFulfilmentRequest()
      template.disputeID = self.target.disputeID
      template.task = self.task
      template.fulfilled = self.fulfilled
      template.note = self.note
      await DisputeCommand.change(self.global, self.target) { [template] services, version in
        var request = template
        request.expectedVersion = version
        return try await services.disputes.recordFulfilment(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Close a dispute with its result, and the return visit (回访) with the party's rating.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: Target
    @Option(help: "resolved, not-resolved, referred-out, withdrawn.", transform: Civicgrid_V1_DisputeResult.argument) var result: Civicgrid_V1_DisputeResult
    @Option(help: "A note; required.") var note: String
    @Option(help: "The return visit's rating 1–5 (records a return visit).") var rating: Int32?
    @Flag(help: "The party was satisfied at the return visit.") var satisfied = false

    func run() async throws {
      var template = Civicgrid_V1_CloseDisputeRequest()
      template.disputeID = self.target.disputeID
      template.result = self.result
      template.note = self.note
      if let rating = self.rating {
        template.returnVisited = true
        template.rating = rating
        template.satisfied = self.satisfied
      }
      await DisputeCommand.change(self.global, self.target) { [template] services, version in
        var request = template
        request.expectedVersion = version
        return try await services.disputes.closeDispute(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one dispute: its review rounds with each route's task, the escalations, the sessions and the timeline."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Dispute number.") var disputeID: String

    func run() async throws {
      do {
        let id = self.disputeID
        let (value, calendar) = try await ClientFactory.withServices(self.global) { services in
          let value = try await DisputeCommand.get(id, services)
          var head = Civicgrid_V1_GetCalendarRequest()
          head.year = 1900
          let calendar = try? await services.calendar.getCalendar(head, metadata: services.metadata, options: services.options)
          return (value, calendar)
        }
        if self.global.json { return try Output.json(value) }
        Output.text(DisputeDiagram(value, calendar: calendar).render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List disputes in your scope, newest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only disputes in this state (registered, mediating, escalated, concluded, closed).") var state: String?
    @Option(help: "Only this type.", transform: Civicgrid_V1_DisputeType.argument) var type: Civicgrid_V1_DisputeType?
    @Option(help: "Only at this risk or above.", transform: Civicgrid_V1_RiskLevel.argument) var minRisk: Civicgrid_V1_RiskLevel?
    @Option(help: "At most this many disputes (default 50; 0 for all).") var limit: Int = 50

    func validate() throws {
      if self.limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        var template = Civicgrid_V1_ListDisputesRequest()
        template.state = self.state ?? ""
        template.type = self.type ?? .unspecified
        template.minRisk = self.minRisk ?? .unspecified
        let limit = self.limit
        let disputes = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageSize = size
            request.pageToken = token
            let page = try await services.disputes.listDisputes(request, metadata: services.metadata, options: services.options)
            return (page.disputes, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListDisputesResponse()
          all.disputes = disputes
          return try Output.json(all)
        }
        let diagram = CaseDiagram(Civicgrid_V1_Case(), plan: nil, calendar: nil)
        var table = Table([.init("DISPUTE"), .init("KIND"), .init("APPLICANT"), .init("CHANNEL"), .init("STATE"), .init("RISK"), .init("RUNG"), .init("SUBMITTED")])
        for d in disputes {
          table.append([
            d.id, DisputeDiagram.kind(d), d.parties.first { $0.role == .applicant }?.name ?? "", d.channel.name, d.state,
            d.risk == .unspecified ? "" : d.risk.name, "\(d.ladderLevel) \(d.ladderRung)",
            diagram.time(d.hasSubmittedAt ? d.submittedAt : nil, minutes: true),
          ])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
