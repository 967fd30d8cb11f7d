import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct SlotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slot",
    abstract: "Appointment slots of a service centre and item.",
    subcommands: [List.self]
  )

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the slots of a centre and item, with the places left in each (dates are the centre's local dates)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Service centre code.") var centre: String
    @Option(help: "Service item code.") var item: String
    @Option(help: "First date YYYY-MM-DD (default today).") var from: String?
    @Option(help: "Last date YYYY-MM-DD (default two weeks from the first).") var to: String?
    @Flag(help: "Only slots with a place left.") var available = false

    func run() async throws {
      do {
        var request = Civicgrid_V1_ListSlotsRequest()
        request.centreCode = self.centre
        request.itemCode = self.item
        request.fromDate = self.from ?? ""
        request.toDate = self.to ?? ""
        request.onlyAvailable = self.available
        let response = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.appointments.listSlots(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(response) }
        Output.text(Self.table(response.slots).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ slots: [Civicgrid_V1_Slot]) -> Table {
      var table = Table([.init("DATE"), .init("START"), .init("END"), .init("FREE", .right), .init("CAPACITY", .right), .init("HOURS")])
      for slot in slots {
        let hours: String
        switch slot.source {
        case .extendedHours: hours = "extended"
        case .weekendDuty: hours = "weekend duty"
        default: hours = "regular"
        }
        table.append([slot.date, slot.start, slot.end, String(max(0, slot.capacity - slot.booked)), String(slot.capacity), hours])
      }
      return table
    }
  }
}

struct AppointmentCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "appointment",
    abstract: "Book, cancel, check in and show appointments.",
    subcommands: [Book.self, Cancel.self, CheckIn.self, Show.self]
  )

  static func describe(_ appointment: Civicgrid_V1_Appointment) -> String {
    let state: String
    switch appointment.state {
    case .booked: state = "booked"
    case .cancelled: state = "cancelled (\(appointment.cancelReason))"
    case .checkedIn: state = appointment.caseID.isEmpty ? "checked in" : "checked in as case \(appointment.caseID)"
    default: state = "unknown"
    }
    return Table.keyValues([
      ("Appointment", String(appointment.id)),
      ("Centre", appointment.centreCode),
      ("Item", appointment.itemCode),
      ("Slot", "\(appointment.slot.date) \(appointment.slot.start)–\(appointment.slot.end)"),
      ("Applicant", appointment.applicant.name),
      ("Phone", appointment.applicant.phone),
      ("State", state),
      ("Booked by", appointment.bookedBy),
      ("Version", String(appointment.version)),
    ])
  }

  struct Book: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Book a place in a slot, named by its date and start as `slot list` shows them."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Service centre code.") var centre: String
    @Option(help: "Service item code.") var item: String
    @Option(help: "Slot date YYYY-MM-DD.") var date: String
    @Option(help: "Slot start HH:MM.") var start: String
    @Option(help: "Applicant's full name.") var name: String
    @Option(help: "Applicant's ID number (18 characters).") var idNumber: String?
    @Option(help: "Applicant's phone number.") var phone: String?
    // Not `--key`: that is the TLS client key of every command (GlobalOptions).
    @Option(help: "Idempotency key: retrying with the same key returns the first booking (required for partner accounts).")
    var idempotencyKey: String?

    func run() async throws {
      do {
        var list = Civicgrid_V1_ListSlotsRequest()
        list.centreCode = self.centre
        list.itemCode = self.item
        list.fromDate = self.date
        list.toDate = self.date
        var book = Civicgrid_V1_BookAppointmentRequest()
        book.centreCode = self.centre
        book.itemCode = self.item
        book.applicant.name = self.name
        book.applicant.idNumber = self.idNumber ?? ""
        book.applicant.phone = self.phone ?? ""
        book.idempotencyKey = self.idempotencyKey ?? ""
        let (date, start) = (self.date, self.start)
        let appointment = try await ClientFactory.withServices(self.global) { [list, book] services in
          let slots = try await services.appointments.listSlots(list, metadata: services.metadata, options: services.options)
          guard let slot = slots.slots.first(where: { $0.start == start }) else {
            let starts = slots.slots.map(\.start).joined(separator: ", ")
            throw RPCError(
              code: .invalidArgument,
              message: "--start: no slot starts at \(start) on \(date)"
                + (starts.isEmpty ? " (no slots that day)" : "; slots start at \(starts)")
            )
          }
          var request = book
          request.startsAt = slot.startsAt
          return try await services.appointments.bookAppointment(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(appointment) }
        Output.text(AppointmentCommand.describe(appointment))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a booked appointment and free its place.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Appointment id.") var id: Int64
    @Option(help: "Why (required).") var reason: String
    @Option(help: "The version you read; a different current version fails with ABORTED.") var expectedVersion: Int64 = 0

    func run() async throws {
      do {
        var request = Civicgrid_V1_CancelAppointmentRequest()
        request.id = self.id
        request.reason = self.reason
        request.expectedVersion = self.expectedVersion
        let appointment = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.appointments.cancelAppointment(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(appointment) }
        Output.line(
          "Cancelled appointment \(appointment.id); the \(appointment.slot.date) \(appointment.slot.start) slot has a place free again."
        )
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct CheckIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "checkin",
      abstract: "Check an applicant in at the window (from an hour before the slot until it ends); intake takes it from there."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Appointment id.") var id: Int64
    @Option(name: .customLong("material"), help: "Code of a material the applicant brought (repeatable).") var materials: [String] = []
    @Option(help: "The version you read; a different current version fails with ABORTED.") var expectedVersion: Int64 = 0

    func run() async throws {
      do {
        var request = Civicgrid_V1_CheckInRequest()
        request.id = self.id
        request.providedMaterials = self.materials
        request.expectedVersion = self.expectedVersion
        let appointment = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.appointments.checkIn(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(appointment) }
        Output.text(AppointmentCommand.describe(appointment))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one appointment.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Appointment id.") var id: Int64

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetAppointmentRequest()
        request.id = self.id
        let appointment = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.appointments.getAppointment(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(appointment) }
        Output.text(AppointmentCommand.describe(appointment))
      } catch {
        Failure.exit(error)
      }
    }
  }
}
