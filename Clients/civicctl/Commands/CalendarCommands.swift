import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct CalendarCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calendar",
    abstract: "The working-day calendar deadlines are counted in: weekends, holidays, swapped working days, business hours.",
    subcommands: [Show.self, SetHoliday.self]
  )

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a calendar and its special days.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Jurisdiction (default CN, the national calendar).") var jurisdiction: String?
    @Option(help: "Only special days of this year (default all).") var year: Int32?

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetCalendarRequest()
        request.jurisdiction = self.jurisdiction ?? ""
        request.year = self.year ?? 0
        let calendar = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.calendar.getCalendar(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(calendar) }
        Output.text(Self.describe(calendar))
      } catch {
        Failure.exit(error)
      }
    }

    static let weekdayNames = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func describe(_ calendar: Civicgrid_V1_WorkingCalendar) -> String {
      var out = Table.keyValues([
        ("Jurisdiction", calendar.jurisdiction),
        ("Weekend", calendar.weekendDays.map { Self.weekdayNames[Int($0).clamped(1, 7)] }.joined(separator: ", ")),
        ("Business hours", calendar.businessHours.map { "\($0.open)–\($0.close)" }.joined(separator: ", ")),
        ("UTC offset", CaseDiagram.offsetText(Int(calendar.utcOffsetSeconds))),
        ("Version", String(calendar.version)),
      ])
      guard !calendar.specialDays.isEmpty else { return out }
      out += "\n"
      var days = Table("DATE", "DAY", "KIND", "NAME")
      for day in calendar.specialDays {
        days.append([day.date, CaseDiagram.weekday(day.date), day.kind.name, day.name])
      }
      return out + days.render()
    }
  }

  struct SetHoliday: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set-holiday",
      abstract: "Mark a date a holiday (or a swapped working day, or ordinary again); open deadlines are recomputed."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The date, YYYY-MM-DD.") var date: String
    @Option(help: "The holiday's name.") var name: String?
    @Option(
      help: "Kind: \(Civicgrid_V1_DayKind.names.map(\.1).joined(separator: ", ")) (default holiday).",
      transform: Civicgrid_V1_DayKind.argument
    )
    var kind: Civicgrid_V1_DayKind?
    @Option(help: "Jurisdiction (default CN).") var jurisdiction: String?

    func run() async throws {
      do {
        var day = Civicgrid_V1_SpecialDay()
        day.date = self.date
        day.kind = self.kind ?? .holiday
        day.name = self.name ?? ""
        let jurisdiction = self.jurisdiction ?? ""
        let change = try await ClientFactory.withServices(self.global) { [day] services in
          var get = Civicgrid_V1_GetCalendarRequest()
          get.jurisdiction = jurisdiction
          get.year = 1900  // the head only: its special days are not needed
          let current = try await services.calendar.getCalendar(get, metadata: services.metadata, options: services.options)
          var request = Civicgrid_V1_SetDayRequest()
          request.jurisdiction = jurisdiction
          request.day = day
          request.expectedVersion = current.version
          return try await services.calendar.setDay(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(change) }
        Output.line("Calendar \(change.calendar.jurisdiction) is now at version \(change.calendar.version).")
        for line in change.changes { Output.line("  " + line) }
        Output.line("\(change.recomputedDeadlines) open deadlines recomputed.")
      } catch {
        Failure.exit(error)
      }
    }
  }
}

extension Int {
  fileprivate func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}
