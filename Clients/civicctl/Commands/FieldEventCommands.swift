import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

// civicctl event: events from the field (网格信息采集, docs/GRID.md). `events watch` is the
// case event feed; this is `event`.

extension Civicgrid_V1_FieldEventCategory: NamedEnum {
  static var what: String { "event category" }
  static var protoPrefix: String { "FIELD_EVENT_CATEGORY_" }
  static var names: [(Self, String)] {
    [
      (.safetyHazard, "safety-hazard"), (.publicSecurity, "public-security"), (.drugControl, "drug-control"),
      (.urbanManagement, "urban-management"), (.ethnicReligious, "ethnic-religious"), (.peopleInDifficulty, "people-in-difficulty"),
      (.environment, "environment"), (.facilities, "facilities"), (.disputeLead, "dispute-lead"), (.other, "other"),
      (.citizenRequest, "citizen-request"),
    ]
  }
}

struct FieldEventCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "event",
    abstract: "Events from the field: report, upload, route, handle, check, close, acknowledge, show, list; the routing table.",
    subcommands: [
      Report.self, Upload.self, Route.self, Handle.self, Check.self, Close.self, Acknowledge.self, Show.self, List.self, Routing.self,
    ]
  )

  /// One event for people: its header, where it went, and its timeline when it has one.
  static func render(_ event: Civicgrid_V1_FieldEvent) -> String {
    var lines = [
      "Event \(event.id) · \(event.category.name)\(event.urgent ? " · URGENT" : "") · \(event.case.state)",
      "Where:    grid \(event.gridCode), \(event.location)"
        + (event.hasPoint ? String(format: " (%.5f, %.5f)", event.point.latitude, event.point.longitude) : ""),
      "What:     \(event.description_p)",
      "Reported: by \(event.reportedBy), \(Output.time(event.reportedAt))",
    ]
    if event.hasResident { lines.append("Resident: \(event.resident.name)  \(event.resident.idNumber)  \(event.resident.phone)") }
    for attachment in event.attachments { lines.append("Attached: \(attachment.mediaType) \(attachment.size) B \(attachment.uri)") }
    if !event.requestID.isEmpty { lines.append("Became:   citizen's request \(event.requestID) (routing v\(event.routingVersion))") }
    for task in event.case.tasks {
      let clock = task.clock.limitWorkingHours > 0 ? "\(task.clock.limitWorkingHours) wh" : "\(task.clock.limitWorkingDays) wd"
      lines.append("Task #\(task.number): \(task.unitCode) · \(task.state) · \(clock)\(task.opinion.isEmpty ? "" : " · \(task.opinion)")")
    }
    if event.selfHandled { lines.append("Handled on the spot\(event.sampledForCheck ? ", sampled for the street's check" : "")") }
    if !event.evidence.isEmpty { lines.append("Evidence: \(event.evidence)") }
    for entry in event.case.timeline { lines.append("  \(entry.sequence)  \(Output.time(entry.at))  \(entry.by)  \(entry.summary)") }
    return lines.joined(separator: "\n")
  }

  static func run(_ global: GlobalOptions, _ body: @escaping @Sendable (Services) async throws -> Civicgrid_V1_FieldEvent) async {
    do {
      let event = try await ClientFactory.withServices(global, body)
      if global.json { return try Output.json(event) }
      Output.text(Self.render(event))
    } catch {
      Failure.exit(error)
    }
  }

  /// Runs a command on event `id` at the version read (or `given`).
  static func change(
    _ global: GlobalOptions,
    _ id: String,
    _ given: Int64?,
    _ call: @escaping @Sendable (Services, _ version: Int64) async throws -> Civicgrid_V1_FieldEvent
  ) async {
    await Self.run(global) { services in
      var version = given
      if version == nil {
        var get = Civicgrid_V1_GetEventRequest()
        get.eventID = id
        version = try await services.fieldEvents.getEvent(get, metadata: services.metadata, options: services.options).case.version
      }
      return try await call(services, version ?? 0)
    }
  }

  struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Report an event found in a grid (--urgent routes it at once and alerts).")
    @OptionGroup var global: GlobalOptions
    @Option(
      help:
        "safety-hazard, public-security, drug-control, urban-management, ethnic-religious, people-in-difficulty, environment, facilities, dispute-lead, other, citizen-request.",
      transform: Civicgrid_V1_FieldEventCategory.argument
    )
    var category: Civicgrid_V1_FieldEventCategory
    @Option(help: "Where it is (street and number, landmark).") var location: String
    @Option(help: "What was found.") var description: String
    @Option(help: "The grid (default: your unit).") var grid: String = ""
    @Flag(help: "Urgent: routed at once, the unit and supervisors alerted.") var urgent = false
    @Option(help: "Latitude,longitude (WGS-84).") var point: String?
    @Option(help: "An attachment reference URI:SHA256:SIZE:MEDIA-TYPE (repeatable).") var attachment: [String] = []
    @Option(help: "Makes a retry safe (required from partners).") var idempotencyKey: String = ""

    func run() async throws {
      var request = Civicgrid_V1_ReportEventRequest()
      request.category = self.category
      request.location = self.location
      request.description_p = self.description
      request.gridCode = self.grid
      request.urgent = self.urgent
      request.idempotencyKey = self.idempotencyKey
      if let point = self.point {
        let parts = point.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2 else { throw ValidationError("--point: LATITUDE,LONGITUDE") }
        request.point.latitude = parts[0]
        request.point.longitude = parts[1]
      }
      for text in self.attachment {
        // The URI holds colons itself: the last three fields are split off from the right.
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 4, let size = Int64(parts[parts.count - 2]) else {
          throw ValidationError("--attachment: URI:SHA256:SIZE:MEDIA-TYPE")
        }
        var ref = Civicgrid_V1_AttachmentRef()
        ref.uri = parts.dropLast(3).joined(separator: ":")
        ref.sha256 = String(parts[parts.count - 3])
        ref.size = size
        ref.mediaType = String(parts[parts.count - 1])
        request.attachments.append(ref)
      }
      await FieldEventCommand.run(self.global) { [request] services in
        try await services.fieldEvents.reportEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Route a reported event by its category (a unit's task, or a citizen's request)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      let id = self.event
      await FieldEventCommand.change(self.global, id, self.expectedVersion) { services, version in
        var request = Civicgrid_V1_RouteEventRequest()
        request.eventID = id
        request.expectedVersion = version
        return try await services.fieldEvents.routeEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Handle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Handle an event with evidence (on the spot while reported, or as the routed unit)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String
    @Option(help: "What was done.") var evidence: String
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      let (id, evidence) = (self.event, self.evidence)
      await FieldEventCommand.change(self.global, id, self.expectedVersion) { services, version in
        var request = Civicgrid_V1_HandleEventRequest()
        request.eventID = id
        request.expectedVersion = version
        request.evidence = evidence
        return try await services.fieldEvents.handleEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Close a handled event.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String
    @Option(help: "A closing note.") var note: String = ""
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    func run() async throws {
      let (id, note) = (self.event, self.note)
      await FieldEventCommand.change(self.global, id, self.expectedVersion) { services, version in
        var request = Civicgrid_V1_CloseEventRequest()
        request.eventID = id
        request.expectedVersion = version
        request.note = note
        return try await services.fieldEvents.closeEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One event with its tasks and timeline.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String

    func run() async throws {
      var request = Civicgrid_V1_GetEventRequest()
      request.eventID = self.event
      await FieldEventCommand.run(self.global) { [request] services in
        try await services.fieldEvents.getEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Events in your scope, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this state: reported, routed, checking, handled, closed, forwarded.") var state: String = ""
    @Option(help: "Only this category.", transform: Civicgrid_V1_FieldEventCategory.argument) var category: Civicgrid_V1_FieldEventCategory?
    @Option(help: "Only grids under this unit.") var unit: String = ""
    @Flag(help: "Only urgent ones.") var urgent = false
    @Option(help: "At most this many; 0 for all.") var limit: Int = 100

    func run() async throws {
      var template = Civicgrid_V1_ListEventsRequest()
      template.state = self.state
      template.category = self.category ?? .unspecified
      template.unitCode = self.unit
      template.urgentOnly = self.urgent
      let limit = self.limit
      do {
        let events = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 200, first: "", last: "") { token, size in
            var request = template
            request.pageToken = token
            request.pageSize = size
            let page = try await services.fieldEvents.listEvents(request, metadata: services.metadata, options: services.options)
            return (page.events, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListEventsResponse()
          all.events = events
          return try Output.json(all)
        }
        var table = Table([
          .init("EVENT"), .init("CATEGORY"), .init("URGENT"), .init("STATE"), .init("GRID"), .init("UNIT"), .init("LOCATION"),
        ])
        for event in events {
          table.append([
            event.id, event.category.name, event.urgent ? "yes" : "", event.case.state, event.gridCode,
            event.handlingUnitCode.isEmpty ? event.requestID : event.handlingUnitCode, event.location,
          ])
        }
        Output.text(table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
