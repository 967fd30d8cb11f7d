import ArgumentParser
import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import SwiftProtobuf

// civicctl event upload, acknowledge, check: a phone's day of reports in one client-streaming
// call, an urgent alert acknowledged, and the street's check of a sampled self-handled event
// (docs/GRID.md).

extension FieldEventCommand {
  struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Upload a phone's reports in one call, each answered in order (a retry with the same keys answers the same events)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A JSON file of reports: an array of ReportEventRequest objects as `call` takes them (- for standard input).")
    var file: String

    func run() async throws {
      let text: String
      if self.file == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      } else {
        guard let data = FileManager.default.contents(atPath: self.file) else { throw ValidationError("cannot read \(self.file)") }
        text = String(decoding: data, as: UTF8.self)
      }
      let reports = try Self.reports(fromJSON: text)
      do {
        let response = try await ClientFactory.withServices(self.global) { services in
          try await services.fieldEvents.uploadEvents(metadata: services.metadata, options: services.options) { writer in
            try await writer.write(contentsOf: reports)
          }
        }
        if self.global.json { return try Output.json(response) }
        Output.text(Self.render(response))
      } catch {
        Failure.exit(error)
      }
    }

    /// The reports of a JSON array (or one object); a malformed one is named by its index.
    static func reports(fromJSON text: String) throws -> [Civicgrid_V1_ReportEventRequest] {
      guard !text.allSatisfy(\.isWhitespace) else { throw ValidationError("the file holds no reports: a JSON array of reports") }
      let objects: [String]
      do {
        objects = try DynamicCall.requests(fromJSON: text)
      } catch {
        throw ValidationError("the file is not a JSON array of reports")
      }
      return try objects.enumerated().map { index, json in
        do {
          return try Civicgrid_V1_ReportEventRequest(jsonString: json)
        } catch {
          throw ValidationError("reports[\(index)] is not a ReportEventRequest: \(error)")
        }
      }
    }

    /// One line per report, in the order sent: the event made (or found again) or the refusal.
    static func render(_ response: Civicgrid_V1_UploadEventsResponse) -> String {
      var table = Table([.init("#"), .init("EVENT"), .init("CATEGORY"), .init("URGENT"), .init("STATE"), .init("RESULT")])
      for result in response.results {
        if result.hasEvent {
          let event = result.event
          table.append(["\(result.index)", event.id, event.category.name, event.urgent ? "yes" : "", event.case.state, "ok"])
        } else {
          let code = Status.Code(rawValue: Int(result.code)) ?? .unknown
          table.append(["\(result.index)", "", "", "", "", "\(StatusNames.name(of: code)): \(result.message)"])
        }
      }
      let refused = response.results.filter { !$0.hasEvent }.count
      return table.render() + "\(response.results.count - refused) of \(response.results.count) reports recorded\n"
    }
  }

  struct Acknowledge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Acknowledge an urgent event's alert addressed to you (your login as a supervisor, your unit as its handler)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String

    func run() async throws {
      var request = Civicgrid_V1_AcknowledgeUrgentEventRequest()
      request.eventID = self.event
      do {
        let response = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.fieldEvents.acknowledgeUrgentEvent(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(response) }
        var table = Table([.init("UNIT"), .init("LOGIN"), .init("DUE"), .init("ACKNOWLEDGED"), .init("ESCALATED")])
        for recipient in response.recipients {
          table.append([
            recipient.unitCode, recipient.login.isEmpty ? "(the unit)" : recipient.login, Output.time(recipient.dueAt),
            recipient.hasAcknowledgedAt ? Output.time(recipient.acknowledgedAt) : "no",
            recipient.hasEscalatedAt ? Output.time(recipient.escalatedAt) : "",
          ])
        }
        Output.text("Urgent alert of event \(self.event):\n" + table.render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The street's check of a sampled self-handled event: --confirmed, or --failed with a note (back to be routed)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The event (C…).") var event: String
    @Flag(exclusivity: .exclusive, help: "Whether the handling on the spot stands.") var outcome: Outcome
    @Option(help: "Why (required when it failed).") var note: String = ""
    @Option(help: "The version you read (default: the current one).") var expectedVersion: Int64?

    enum Outcome: EnumerableFlag { case confirmed, failed }

    func run() async throws {
      let (id, confirmed, note) = (self.event, self.outcome == .confirmed, self.note)
      await FieldEventCommand.change(self.global, id, self.expectedVersion) { services, version in
        var request = Civicgrid_V1_CheckEventRequest()
        request.eventID = id
        request.expectedVersion = version
        request.confirmed = confirmed
        request.note = note
        return try await services.fieldEvents.checkEvent(request, metadata: services.metadata, options: services.options)
      }
    }
  }
}
