import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Appointments against a real server and PostgreSQL: capacity under parallel bookings,
/// idempotent retries, cancel and check-in, door-to-door visits.
@Suite("Appointments", .serialized, .timeLimit(.minutes(5)))
struct AppointmentsTests {
  static let centre = "QH-GSC"
  static let item = "RES-CERT"

  /// Opens the demo centre all of today and tomorrow (Beijing dates) by dated duty entries, so
  /// that slots a little in the future exist whenever the test runs, and offers the item.
  static func openCentre(_ harness: ServiceHarness, capacity: Int32) async throws {
    let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)
    let admin = Metadata.bearer(harness.adminToken)
    let saved = try await appointments.setCentreSchedule(Self.openAllTodayAndTomorrow(Self.centre), metadata: admin)
    #expect(saved.version == 1)
    var offer = Civicgrid_V1_SetOfferRequest()
    offer.offer.centreCode = Self.centre
    offer.offer.itemCode = Self.item
    offer.offer.slotMinutes = 30
    offer.offer.capacity = capacity
    _ = try await appointments.setOffer(offer, metadata: admin)
  }

  /// A schedule that opens `centre` all of today and tomorrow (Beijing dates) by dated duty entries.
  static func openAllTodayAndTomorrow(_ centre: String) -> Civicgrid_V1_SetCentreScheduleRequest {
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
    formatter.dateFormat = "yyyy-MM-dd"
    var request = Civicgrid_V1_SetCentreScheduleRequest()
    request.schedule.centreCode = centre
    for offset in [0, 1] {
      var entry = Civicgrid_V1_RosterEntry()
      entry.kind = .weekendDuty
      entry.date = formatter.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
      entry.period.open = "00:00"
      entry.period.close = "24:00"
      request.schedule.roster.append(entry)
    }
    return request
  }

  /// Publishes the item (residence certificate, one stage at the household registration
  /// office) unless the demo catalogue already did, so that check-in can take it in.
  static func publishItem(_ harness: ServiceHarness) async throws {
    let catalog = Civicgrid_V1_Catalog.Client(wrapping: harness.client)
    let admin = Metadata.bearer(harness.adminToken)
    if let item = try? await catalog.getItem(.with { $0.code = Self.item }, metadata: admin),
      item.versions.contains(where: { $0.status == .published })
    {
      return
    }
    var definition = Civicgrid_V1_ItemDefinition()
    definition.code = Self.item
    definition.name = "Residence certificate"
    definition.category = "household"
    definition.kind = .promised
    definition.leadUnitCode = "QH-PS"
    definition.stages = [
      .with {
        $0.unitCodes = ["QH-PS"]; $0.workingDays = 3
      }
    ]
    definition.promisedWorkingDays = 3
    definition.materials = [
      .with {
        $0.code = "id-card"; $0.name = "ID card"
      }
    ]
    definition.channels = [.window, .appointment, .online]
    let draft = try await catalog.saveDraft(.with { $0.definition = definition }, metadata: admin)
    let item = try await catalog.getItem(.with { $0.code = Self.item }, metadata: admin)
    _ = try await catalog.publishVersion(
      .with {
        $0.code = Self.item
        $0.version = draft.version
        $0.expectedItemVersion = item.version
      },
      metadata: admin
    )
  }

  static func firstSlot(_ harness: ServiceHarness, token: String) async throws -> Civicgrid_V1_Slot {
    var list = Civicgrid_V1_ListSlotsRequest()
    list.centreCode = Self.centre
    list.itemCode = Self.item
    list.onlyAvailable = true
    let slots = try await Civicgrid_V1_Appointments.Client(wrapping: harness.client).listSlots(list, metadata: .bearer(token))
    return try #require(slots.slots.first)
  }

  static func booking(_ slot: Civicgrid_V1_Slot, name: String, key: String = "") -> Civicgrid_V1_BookAppointmentRequest {
    var request = Civicgrid_V1_BookAppointmentRequest()
    request.centreCode = Self.centre
    request.itemCode = Self.item
    request.startsAt = slot.startsAt
    request.applicant.name = name
    request.applicant.phone = "13800138000"
    request.idempotencyKey = key
    return request
  }

  static func code(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
      try await body()
      return nil
    } catch let error as RPCError {
      return error.code
    } catch {
      return .unknown
    }
  }

  @Test("30 parallel bookings of a 3-place slot: exactly 3 succeed, the rest RESOURCE_EXHAUSTED; a cancel frees one place")
  func noOverbooking() async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.openCentre(harness, capacity: 3)
      let clerk = try await harness.token(for: "clerk")
      let slot = try await Self.firstSlot(harness, token: clerk)
      #expect(slot.capacity == 3 && slot.booked == 0)
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)

      let outcomes = try await withThrowingTaskGroup(of: RPCError.Code?.self) { group in
        for index in 0..<30 {
          group.addTask {
            await Self.code {
              _ = try await appointments.bookAppointment(Self.booking(slot, name: "Applicant \(index)"), metadata: .bearer(clerk))
            }
          }
        }
        return try await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
      }
      #expect(outcomes.filter { $0 == nil }.count == 3)
      #expect(outcomes.filter { $0 == .resourceExhausted }.count == 27)

      let counts = try await harness.store.query(
        """
        SELECT s.booked, (SELECT count(*) FROM appointments a WHERE a.slot_id = s.id AND a.state = 'BOOKED')
        FROM appointment_slots s
        """
      )
      #expect(counts.rows.count == 1)
      #expect(try counts.rows[0].decode(Int.self, at: 0) == 3)
      #expect(try counts.rows[0].decode(Int.self, at: 1) == 3)
      let audited = try await harness.store.query(
        "SELECT count(*) FROM audit_log WHERE method = 'civicgrid.v1.Appointments/BookAppointment'"
      ).scalar(Int.self)
      #expect(audited == 3)

      // A full slot is left out of the available list; a cancel puts its place back.
      let id = try #require(
        try await harness.store.query("SELECT min(id) FROM appointments").scalar(Int64.self)
      )
      var cancel = Civicgrid_V1_CancelAppointmentRequest()
      cancel.id = id
      cancel.reason = "applicant cannot come"
      let cancelled = try await appointments.cancelAppointment(cancel, metadata: .bearer(clerk))
      #expect(cancelled.state == .cancelled && cancelled.slot.booked == 2)
      #expect(await Self.code { _ = try await appointments.cancelAppointment(cancel, metadata: .bearer(clerk)) } == .failedPrecondition)
      let again = try await appointments.bookAppointment(Self.booking(slot, name: "Late Applicant"), metadata: .bearer(clerk))
      #expect(again.state == .booked && again.slot.booked == 3)
    }
  }

  @Test("idempotency: partners must send a key; parallel retries make one appointment; a different request with the key is refused")
  func idempotentBooking() async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.openCentre(harness, capacity: 2)
      let partner = try await harness.token(for: "partner")
      let slot = try await Self.firstSlot(harness, token: partner)
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)
      #expect(
        await Self.code { _ = try await appointments.bookAppointment(Self.booking(slot, name: "No Key"), metadata: .bearer(partner)) }
          == .invalidArgument
      )

      let request = Self.booking(slot, name: "Zhang San", key: "portal-0001")
      // Ten copies of one request at once: they queue on the key, and every one answers the same appointment.
      let results = try await withThrowingTaskGroup(of: Int64?.self) { group in
        for _ in 0..<10 {
          group.addTask { try? await appointments.bookAppointment(request, metadata: .bearer(partner)).id }
        }
        return try await group.reduce(into: [Int64?]()) { $0.append($1) }
      }
      #expect(Set(results).count == 1 && results.first! != nil)
      #expect(try await harness.store.query("SELECT count(*) FROM appointments").scalar(Int.self) == 1)
      #expect(try await harness.store.query("SELECT booked FROM appointment_slots").scalar(Int.self) == 1)

      var different = request
      different.applicant.name = "Li Si"
      #expect(await Self.code { _ = try await appointments.bookAppointment(different, metadata: .bearer(partner)) } == .failedPrecondition)

      // A partner sees the appointments it booked, not those of others.
      let clerk = try await harness.token(for: "clerk")
      let other = try await appointments.bookAppointment(Self.booking(slot, name: "Walk-in"), metadata: .bearer(clerk))
      var get = Civicgrid_V1_GetAppointmentRequest()
      get.id = other.id
      #expect(await Self.code { _ = try await appointments.getAppointment(get, metadata: .bearer(partner)) } == .notFound)
      get.id = try #require(results.first!)
      #expect(try await appointments.getAppointment(get, metadata: .bearer(partner)).applicant.name == "Zhang San")
    }
  }

  @Test("check-in records CHECKED_IN once; bad input names the field; a home visit is assigned within the unit's subtree")
  func checkInAndVisits() async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.openCentre(harness, capacity: 2)
      let clerk = try await harness.token(for: "clerk")
      let slot = try await Self.firstSlot(harness, token: clerk)
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)
      try await Self.publishItem(harness)
      // Without an ID number the appointment cannot become an application: nothing changes.
      let anonymous = try await appointments.bookAppointment(Self.booking(slot, name: "No ID"), metadata: .bearer(clerk))
      var refused = Civicgrid_V1_CheckInRequest()
      refused.id = anonymous.id
      refused.expectedVersion = anonymous.version
      #expect(await Self.code { _ = try await appointments.checkIn(refused, metadata: .bearer(clerk)) } == .failedPrecondition)
      #expect(try await harness.store.query("SELECT count(*) FROM cases").scalar(Int.self) == 0)

      var withID = Self.booking(slot, name: "王芳")
      withID.applicant.idNumber = "11010119500101123X"
      let booked = try await appointments.bookAppointment(withID, metadata: .bearer(clerk))

      var checkIn = Civicgrid_V1_CheckInRequest()
      checkIn.id = booked.id
      checkIn.expectedVersion = booked.version
      checkIn.providedMaterials = ["id-card"]
      let checkedIn = try await appointments.checkIn(checkIn, metadata: .bearer(clerk))
      #expect(checkedIn.state == .checkedIn && checkedIn.hasCheckedInAt)
      // Check-in is a submission on the APPOINTMENT channel at the centre, committed with it.
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      let made = try await cases.getCase(.with { $0.caseID = checkedIn.caseID }, metadata: .bearer(clerk))
      #expect(made.channel == .appointment)
      #expect(made.state == "submitted")
      #expect(made.applicant.name == "王芳")
      #expect(made.itemCode == Self.item)
      checkIn.expectedVersion = 0
      let twice = await Self.code { _ = try await appointments.checkIn(checkIn, metadata: .bearer(clerk)) }
      #expect(twice == .failedPrecondition)
      checkIn.expectedVersion = booked.version
      #expect(await Self.code { _ = try await appointments.checkIn(checkIn, metadata: .bearer(clerk)) } == .aborted)

      var wrongTime = Self.booking(slot, name: "Early")
      wrongTime.startsAt.seconds += 60
      #expect(await Self.code { _ = try await appointments.bookAppointment(wrongTime, metadata: .bearer(clerk)) } == .invalidArgument)
      var badID = Self.booking(slot, name: "Bad ID")
      badID.applicant.idNumber = "12345"
      #expect(await Self.code { _ = try await appointments.bookAppointment(badID, metadata: .bearer(clerk)) } == .invalidArgument)

      let gridWorker = try await harness.token(for: "gridworker")
      var visit = Civicgrid_V1_RequestHomeVisitRequest()
      visit.unitCode = "QH-S1-C1-G1"
      visit.applicant.name = "Elderly Resident"
      visit.address = "Building 3, Room 402"
      visit.reason = "over 80, lives alone"
      let requested = try await appointments.requestHomeVisit(visit, metadata: .bearer(gridWorker))
      #expect(requested.state == .requested && requested.assignee.isEmpty)

      let supervisor = try await harness.token(for: "supervisor")
      var assign = Civicgrid_V1_AssignHomeVisitRequest()
      assign.id = requested.id
      assign.assignee = "clerk"  // works at QH-GSC, outside the grid
      #expect(await Self.code { _ = try await appointments.assignHomeVisit(assign, metadata: .bearer(supervisor)) } == .notFound)
      assign.assignee = "gridworker"
      let assigned = try await appointments.assignHomeVisit(assign, metadata: .bearer(supervisor))
      #expect(assigned.state == .assigned && assigned.assignee == "gridworker" && assigned.hasAssignedAt)

      let verify = try await harness.audit.verifyAudit(Civicgrid_V1_VerifyAuditRequest(), metadata: .bearer(harness.adminToken))
      #expect(verify.intact)
      let objects = try await harness.store.query(
        "SELECT object FROM audit_log WHERE method LIKE 'civicgrid.v1.Appointments/%' ORDER BY id"
      ).rows.map { try $0.decode(String.self, at: 0) }
      #expect(
        objects == [
          "centre:QH-GSC", "offer:QH-GSC/RES-CERT", "appointment:\(anonymous.id)", "appointment:\(booked.id)",
          "appointment:\(booked.id)", "visit:\(requested.id)",
          "visit:\(requested.id)",
        ]
      )
    }
  }

  @Test("the demo desk: Dongcheng centre's regular, Tuesday/Thursday evening and Saturday duty slots for a week in 2027")
  func demoDesk() async throws {
    try await ServiceHarness.withServer { harness in
      var list = Civicgrid_V1_ListSlotsRequest()
      list.centreCode = "QH-S1-CSC"
      list.itemCode = "QH-PS-001"
      list.fromDate = "2027-03-01"  // a Monday
      list.toDate = "2027-03-07"
      let slots = try await Civicgrid_V1_Appointments.Client(wrapping: harness.client).listSlots(
        list,
        metadata: .bearer(harness.adminToken)
      )
      .slots
      // 20-minute slots: 9 + 12 a working day, 6 more on Tuesday and Thursday evenings, 9 on Saturday morning.
      #expect(slots.count == 126)
      let evenings: [String] = slots.filter { $0.source == .extendedHours }.map(\.date)
      let expectedEvenings: [String] = Array(repeating: "2027-03-02", count: 6) + Array(repeating: "2027-03-04", count: 6)
      #expect(evenings == expectedEvenings)
      let saturday = slots.filter { $0.source == .weekendDuty }
      #expect(saturday.count == 9 && saturday.allSatisfy { $0.date == "2027-03-06" && $0.capacity == 1 })
      #expect(slots.first?.start == "09:00" && slots.first?.end == "09:20" && slots.first?.capacity == 3)
    }
  }
}
