import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl request: citizens' requests resolved by tier (群众诉求分级化解, docs/REQUESTS.md).
// "appeal" names appeals against ratings; these are requests.

extension Civicgrid_V1_RequestType: NamedEnum {
  static var what: String { "request type" }
  static var protoPrefix: String { "REQUEST_TYPE_" }
  static var names: [(Self, String)] { [(.complaint, "complaint"), (.help, "help"), (.suggestion, "suggestion"), (.report, "report")] }
}

extension Civicgrid_V1_RequestChannel: NamedEnum {
  static var what: String { "request channel" }
  static var protoPrefix: String { "REQUEST_CHANNEL_" }
  static var names: [(Self, String)] {
    [(.hotline, "hotline"), (.online, "online"), (.mobile, "mobile"), (.gridWorker, "grid-worker"), (.window, "window")]
  }
}

extension Civicgrid_V1_RequestTier: NamedEnum {
  static var what: String { "tier" }
  static var protoPrefix: String { "REQUEST_TIER_" }
  static var names: [(Self, String)] { [(.grid, "grid"), (.community, "community"), (.street, "street"), (.district, "district")] }
}

struct RequestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "request",
    abstract: "Citizens' requests (诉求) resolved by tier: submit, route, escalate, reply, confirm, visit, show, list, routing.",
    subcommands: [Submit.self, Route.self, Escalate.self, Reply.self, Confirm.self, Visit.self, Show.self, List.self, Routing.self]
  )

  static func print(_ request: Civicgrid_V1_CitizenRequest, json: Bool) throws {
    if json { return try Output.json(request) }
    Output.text(RequestDiagram(request).render())
  }

  /// The request's current version, read when --expected-version is not given.
  static func version(_ id: String, _ given: Int64?, _ services: Services) async throws -> Int64 {
    if let given { return given }
    var get = Civicgrid_V1_GetRequestRequest()
    get.requestID = id
    return try await services.requests.getRequest(get, metadata: services.metadata, options: services.options).case.version
  }

  /// Runs one command that answers a request and prints it.
  static func run(
    _ global: GlobalOptions,
    _ body: @escaping @Sendable (Services) async throws -> Civicgrid_V1_CitizenRequest
  ) async {
    do {
      let request = try await ClientFactory.withServices(global, body)
      try Self.print(request, json: global.json)
    } catch {
      Failure.exit(error)
    }
  }

  /// Runs a command on request `id` at the version read (or `given`) and prints the answer.
  static func change(
    _ global: GlobalOptions,
    _ id: String,
    _ given: Int64?,
    _ call: @escaping @Sendable (Services, _ version: Int64) async throws -> Civicgrid_V1_CitizenRequest
  ) async {
    await Self.run(global) { services in try await call(services, try await Self.version(id, given, services)) }
  }

  struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a request in; it goes to the lowest tier able to handle its category.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "complaint, help, suggestion or report.", transform: Civicgrid_V1_RequestType.argument) var type: Civicgrid_V1_RequestType
    @Option(help: "A category of the routing table.") var category: String
    @Option(help: "hotline, online, mobile, grid-worker or window.", transform: Civicgrid_V1_RequestChannel.argument)
    var channel: Civicgrid_V1_RequestChannel
    @Option(help: "The citizen's name.") var name: String = ""
    @Option(help: "Instead of --name, --id-number and --phone: a person on record (`person find`).") var person: Int64 = 0
    @Option(help: "The citizen's ID number.") var idNumber: String = ""
    @Option(help: "The citizen's phone.") var phone: String = ""
    @Option(help: "What the citizen asks.") var description: String
    @Option(help: "Where it arises: a grid, community or street (default: your unit).") var unit: String = ""
    @Option(help: "Makes a retry safe (required from partners).") var idempotencyKey: String = ""

    func run() async throws {
      var request = Civicgrid_V1_SubmitRequestRequest()
      request.type = self.type
      request.category = self.category
      request.channel = self.channel
      request.citizen.name = self.name
      request.citizen.idNumber = self.idNumber
      request.citizen.phone = self.phone
      request.citizen.personID = self.person
      request.description_p = self.description
      request.unitCode = self.unit
      request.idempotencyKey = self.idempotencyKey
      await RequestCommand.run(self.global) { [request] services in
        try await services.requests.submitRequest(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The tiers a request of a category arising at a unit would climb.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The category.") var category: String
    @Option(help: "Where it would arise (default: your unit).") var unit: String = ""

    func run() async throws {
      var request = Civicgrid_V1_PreviewRouteRequest()
      request.category = self.category
      request.unitCode = self.unit
      do {
        let route = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.requests.previewRoute(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(route) }
        var table = Table([.init("#", .right), .init("TIER"), .init("UNIT"), .init("WORKING DAYS", .right)])
        for (index, step) in route.tiers.enumerated() {
          table.append([String(index + 1), step.tier.name, step.unitCode, String(step.workingDays)])
        }
        Output.text("Routing table version \(route.routingVersion)\n" + table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Escalate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Your tier cannot resolve it: the next tier takes it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request (C…).") var request: String
    @Option(help: "Why.") var reason: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      var request = Civicgrid_V1_EscalateRequestRequest()
      request.requestID = self.request
      request.reason = self.reason
      await RequestCommand.change(self.global, self.request, self.expectedVersion) { [request] services, version in
        var request = request
        request.expectedVersion = version
        return try await services.requests.escalateRequest(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Reply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Your tier's answer to the citizen.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request (C…).") var request: String
    @Option(help: "The answer.") var text: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      var request = Civicgrid_V1_ReplyToRequestRequest()
      request.requestID = self.request
      request.reply = self.text
      await RequestCommand.change(self.global, self.request, self.expectedVersion) { [request] services, version in
        var request = request
        request.expectedVersion = version
        return try await services.requests.replyToRequest(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Confirm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The citizen accepts the reply, or --reject it (reopened at the same tier once, then escalated)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request (C…).") var request: String
    @Flag(help: "The citizen rejects the reply; needs --note.") var reject = false
    @Option(help: "The citizen's words.") var note: String = ""
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      var request = Civicgrid_V1_ConfirmReplyRequest()
      request.requestID = self.request
      request.accepted = !self.reject
      request.note = self.note
      await RequestCommand.change(self.global, self.request, self.expectedVersion) { [request] services, version in
        var request = request
        request.expectedVersion = version
        return try await services.requests.confirmReply(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Visit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The return visit (回访) after the request closed, once.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request (C…).") var request: String
    @Flag(help: "The citizen is not satisfied.") var dissatisfied = false
    @Option(help: "What the citizen said.") var note: String = ""
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      var request = Civicgrid_V1_RecordRequestVisitRequest()
      request.requestID = self.request
      request.satisfied = !self.dissatisfied
      request.note = self.note
      await RequestCommand.change(self.global, self.request, self.expectedVersion) { [request] services, version in
        var request = request
        request.expectedVersion = version
        return try await services.requests.recordRequestVisit(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "One request: its tiers drawn like `case show` draws stages, then its timeline."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request (C…).") var request: String

    func run() async throws {
      var request = Civicgrid_V1_GetRequestRequest()
      request.requestID = self.request
      await RequestCommand.run(self.global) { [request] services in
        try await services.requests.getRequest(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Requests in your scope, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this state: atTier, replied, completed, unresolved.") var state: String = ""
    @Option(help: "Only this category.") var category: String = ""
    @Option(help: "Only requests whose tier is at this unit now.") var unit: String = ""
    @Option(help: "At most this many; 0 for all.") var limit: Int = 100

    func run() async throws {
      var template = Civicgrid_V1_ListRequestsRequest()
      template.state = self.state
      template.category = self.category
      template.unitCode = self.unit
      let limit = self.limit
      do {
        let requests = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageToken = token
            request.pageSize = size
            let page = try await services.requests.listRequests(request, metadata: services.metadata, options: services.options)
            return (page.requests, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListRequestsResponse()
          all.requests = requests
          return try Output.json(all)
        }
        var table = Table([
          .init("REQUEST"), .init("TYPE"), .init("CATEGORY"), .init("STATE"), .init("TIER"), .init("UNIT"), .init("RECEIVED BY"),
          .init("CITIZEN"),
        ])
        for r in requests {
          let tier = r.tiers.indices.contains(Int(r.currentTier)) ? r.tiers[Int(r.currentTier)] : Civicgrid_V1_TierStep()
          table.append([r.id, r.type.name, r.category, r.case.state, tier.tier.name, tier.unitCode, r.receivedBy, r.citizen.name])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
