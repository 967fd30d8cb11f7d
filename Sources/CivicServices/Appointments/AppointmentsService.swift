public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf

/// `civicgrid.v1.Appointments`: centre schedules and offers, slots, bookings, check-in and
/// door-to-door visits.
///
/// Slots are not stored ahead: `SlotGenerator` derives them from the centre's schedule, the
/// working calendar and the offer, and a slot gets a row on its first booking. That row's
/// `booked` counter is the capacity guard — one conditional `UPDATE … WHERE booked <
/// capacity` per booking, which PostgreSQL re-checks after waiting for a concurrent booker's
/// row lock — so parallel bookings never overbook (and a CHECK constraint backs it up).
public struct AppointmentsService: Civicgrid_V1_Appointments.SimpleServiceProtocol {
  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Appointments/SetCentreSchedule": .roles([.admin, .supervisor]),
    "civicgrid.v1.Appointments/GetCentreSchedule": .authenticated,
    "civicgrid.v1.Appointments/SetOffer": .roles([.admin, .supervisor]),
    // The online portal and the mobile app list and book through partner accounts.
    "civicgrid.v1.Appointments/ListSlots": .authenticated,
    "civicgrid.v1.Appointments/BookAppointment": .roles([.admin, .clerk, .partner]),
    "civicgrid.v1.Appointments/CancelAppointment": .roles([.admin, .clerk, .partner]),
    "civicgrid.v1.Appointments/CheckIn": .roles([.admin, .clerk]),
    "civicgrid.v1.Appointments/GetAppointment": .roles([.admin, .clerk, .partner, .supervisor, .auditor]),
    "civicgrid.v1.Appointments/RequestHomeVisit": .roles([.admin, .clerk, .partner, .gridWorker]),
    "civicgrid.v1.Appointments/AssignHomeVisit": .roles([.admin, .supervisor, .clerk]),
    // The assignee ends the visit (docs/GRID.md); staff over it may cancel it.
    "civicgrid.v1.Appointments/FinishHomeVisit": .roles([.gridWorker, .clerk, .handler]),
    "civicgrid.v1.Appointments/CancelHomeVisit": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin]),
  ]

  let store: StorePool
  /// The working calendar slots follow (regular hours open on its working days).
  let calendar: WorkingCalendar
  /// What check-in hands the appointment to.
  let submission: any CheckInSubmission
  /// The clock, replaceable so tests can book "tomorrow" deterministically.
  let now: @Sendable () -> Instant

  public init(
    store: StorePool,
    calendar: WorkingCalendar = .china2026,
    submission: any CheckInSubmission = SubmitOnCheckIn(),
    now: (@Sendable () -> Instant)? = nil
  ) {
    self.store = store
    self.calendar = calendar
    self.submission = submission
    self.now = now ?? { Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970)) }
  }

  // MARK: - Scope

  /// Where a caller may find centres and units for appointments and visits. Partner systems
  /// (the online portal, the mobile app, the hotline) serve the whole district's residents,
  /// so they see every centre; everyone else acts in their unit's subtree.
  static func centreScope(_ caller: Principal) -> UnitScope {
    caller.has(.partner) ? .everything : caller.scope
  }

  // MARK: - Shared reads

  /// A centre in the caller's scope: NOT_FOUND when missing or outside, FAILED_PRECONDITION
  /// when the unit is not a centre.
  static func centre(_ code: String, field: String = "centre_code", scope: UnitScope, on connection: StoreConnection) async throws
    -> UnitRecord
  {
    let code = try Validation.code(code, field: field)
    let unit = try await DirectoryService.scopedUnit(code, field: field, scope: scope, on: connection)
    guard unit.kind == UnitKind.centre.rawValue else {
      throw DomainError.precondition(field, "unit '\(code)' is not a service centre")
    }
    return unit
  }

  struct StoredOffer {
    var id: Int64
    var offer: AppointmentOffer
    var withdrawn: Bool
  }

  static func offer(centre: UnitRecord, item: String, on connection: StoreConnection) async throws -> StoredOffer {
    guard let row = try await CentreRepository(connection).offer(centreID: centre.id, itemCode: item) else {
      throw DomainError.notFound("item_code: an appointment offer of item '\(item)' at centre '\(centre.code)'")
    }
    let offer = try AppointmentOffer(centreCode: centre.code, itemCode: item, slotMinutes: row.slotMinutes, capacity: row.capacity)
    return StoredOffer(id: row.id, offer: offer, withdrawn: row.withdrawn)
  }

  /// The centre's schedule and its version (0 and the calendar's hours when none was set).
  func schedule(centreID: Int64, on connection: StoreConnection) async throws -> (schedule: CentreSchedule, version: Int64) {
    guard let row = try await CentreRepository(connection).schedule(centreID: centreID) else {
      return (try CentreSchedule(regularHours: self.calendar.businessHours), 0)
    }
    let stored = try StoredSchedule(regularHoursJSON: row.regularHoursJSON, rosterJSON: row.rosterJSON)
    return (try stored.schedule(), row.version)
  }

  // MARK: - Conversions

  static func timestamp(_ instant: Instant) -> Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(seconds: Int64(instant.secondsSinceEpoch), nanos: 0)
  }

  static func proto(_ slot: Slot, booked: Int) -> Civicgrid_V1_Slot {
    Civicgrid_V1_Slot.with {
      $0.startsAt = Self.timestamp(slot.startsAt)
      $0.endsAt = Self.timestamp(slot.endsAt)
      $0.date = slot.date.description
      $0.start = slot.start.description
      $0.end = slot.end.description
      $0.capacity = Int32(slot.capacity)
      $0.booked = Int32(booked)
      $0.source =
        switch slot.source {
        case .regular: .regular
        case .extendedHours: .extendedHours
        case .weekendDuty: .weekendDuty
        }
    }
  }

  /// Validates an applicant: a name, and when given an 18-character ID number and a phone number.
  static func applicant(_ applicant: Civicgrid_V1_AppointmentApplicant, field: String = "applicant") throws(DomainError)
    -> Civicgrid_V1_AppointmentApplicant
  {
    var result = Civicgrid_V1_AppointmentApplicant()
    result.name = try Validation.text(applicant.name, field: "\(field).name", maxLength: 100)
    let id = applicant.idNumber.trimmingWhitespace().uppercased()
    if !id.isEmpty {
      guard id.count == 18, id.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }),
        let last = id.last, last == "X" || (last.isASCII && last.isNumber)
      else {
        throw Validation.invalid("\(field).id_number", "must be 18 characters: 17 digits and a digit or 'X'")
      }
    }
    result.idNumber = id
    let phone = applicant.phone.trimmingWhitespace()
    if !phone.isEmpty {
      let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
      guard (5...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        throw Validation.invalid("\(field).phone", "must be 5–20 digits with an optional leading '+'")
      }
    }
    result.phone = phone
    return result
  }

  /// An idempotency key: required from partners, 1–128 printable ASCII characters.
  static func idempotencyKey(_ key: String, caller: Principal) throws(DomainError) -> String? {
    if key.isEmpty {
      if caller.has(.partner), !caller.has(.clerk), !caller.has(.admin) {
        throw Validation.invalid("idempotency_key", "is required from partner systems")
      }
      return nil
    }
    guard key.count <= 128, key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
      throw Validation.invalid("idempotency_key", "must be 1–128 printable ASCII characters without spaces")
    }
    return key
  }

  static func date(_ text: String, field: String) throws(DomainError) -> CivilDate {
    try Validation.date(text, field: field)
  }
}
