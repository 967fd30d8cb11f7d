import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Personal data in answers over a real server and PostgreSQL, role by role (issue 11, items
/// 7 and 8): only clerks and handlers get ID numbers, phones and addresses in full, whatever
/// the method; a role that sees masked numbers cannot search by a full one.
@Suite("Personal data end to end", .serialized, .timeLimit(.minutes(5)))
struct PersonalDataEndToEndTests {
  /// The demo's `admin` holds every writing role, clerk and handler among them (who see
  /// personal data); here an account holding `admin` alone stands for the role.
  static func token(for login: String, _ harness: ServiceHarness) async throws -> String {
    guard login == "admin" else { return try await harness.token(for: login) }
    if try await harness.store.query("SELECT 1 FROM accounts WHERE login = 'admin-only'").rows.isEmpty {
      return try await harness.account("admin-only", unit: "QH", roles: [.admin])
    }
    return try await harness.token(for: "admin-only")
  }

  static let idNumber = "110101195001011234"
  static let maskedID = "110***********1234"
  static let phone = "13800138000"
  static let maskedPhone = "138****8000"
  static let address = "东四北大街 3 号楼 402"

  static func expectMasked(_ applicant: Civicgrid_V1_AppointmentApplicant, _ who: String, sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(applicant.idNumber == Self.maskedID, "id_number for \(who)", sourceLocation: sourceLocation)
    #expect(applicant.phone == Self.maskedPhone, "phone for \(who)", sourceLocation: sourceLocation)
  }

  static func expectFull(_ applicant: Civicgrid_V1_AppointmentApplicant, _ who: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(applicant.idNumber == Self.idNumber, "id_number for \(who)", sourceLocation: sourceLocation)
    #expect(applicant.phone == Self.phone, "phone for \(who)", sourceLocation: sourceLocation)
  }

  @Test("GetAppointment and BookAppointment answers are masked for every role but the clerk")
  func appointments() async throws {
    try await ServiceHarness.withServer { harness in
      try await AppointmentsTests.openCentre(harness, capacity: 5)
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)
      let clerk = try await harness.token(for: "clerk")
      let partner = try await harness.token(for: "partner")
      let slot = try await AppointmentsTests.firstSlot(harness, token: clerk)
      var request = AppointmentsTests.booking(slot, name: "王芳")
      request.applicant.idNumber = Self.idNumber
      request.applicant.phone = Self.phone

      let byClerk = try await appointments.bookAppointment(request, metadata: .bearer(clerk))
      Self.expectFull(byClerk.applicant, "the booking clerk")
      #expect(byClerk.applicant.name == "王芳")

      request.idempotencyKey = "partner-booking-1"
      let byPartner = try await appointments.bookAppointment(request, metadata: .bearer(partner))
      Self.expectMasked(byPartner.applicant, "the booking partner")
      let replay = try await appointments.bookAppointment(request, metadata: .bearer(partner))
      #expect(replay.id == byPartner.id)
      Self.expectMasked(replay.applicant, "the partner's idempotent retry")

      for login in ["admin", "supervisor", "auditor"] {
        let got = try await appointments.getAppointment(
          .with { $0.id = byClerk.id },
          metadata: .bearer(try await Self.token(for: login, harness))
        )
        Self.expectMasked(got.applicant, login)
        #expect(got.applicant.name == "王芳" && got.id == byClerk.id && got.bookedBy == byClerk.bookedBy)
      }
      let partnerGets = try await appointments.getAppointment(.with { $0.id = byPartner.id }, metadata: .bearer(partner))
      Self.expectMasked(partnerGets.applicant, "partner")
      Self.expectFull(try await appointments.getAppointment(.with { $0.id = byPartner.id }, metadata: .bearer(clerk)).applicant, "clerk")
      // Stored in full: masking is in the answer only.
      let stored = try await harness.store.query(
        "SELECT applicant_id_number, applicant_phone FROM appointments WHERE id = $1",
        [byPartner.id]
      ).rows.map { [try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)] }
      #expect(stored == [[Self.idNumber, Self.phone]])
    }
  }

  @Test("RequestHomeVisit and AssignHomeVisit answers mask ID number, phone and address for partner, grid worker and supervisor")
  func homeVisits() async throws {
    try await ServiceHarness.withServer { harness in
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: harness.client)
      var visit = Civicgrid_V1_RequestHomeVisitRequest()
      visit.unitCode = "QH-S1-C1-G1"
      visit.applicant.name = "Elderly Resident"
      visit.applicant.idNumber = Self.idNumber
      visit.applicant.phone = Self.phone
      visit.address = Self.address
      visit.reason = "over 80, lives alone"

      // The demo clerk works at the service centre, outside the grid: a clerk of the street.
      let streetClerk = try await harness.account("clerk-s1", unit: "QH-S1", roles: [.clerk])
      let clerkVisit = try await appointments.requestHomeVisit(visit, metadata: .bearer(streetClerk))
      Self.expectFull(clerkVisit.applicant, "clerk")
      #expect(clerkVisit.address == Self.address)

      let byGridWorker = try await appointments.requestHomeVisit(visit, metadata: .bearer(try await harness.token(for: "gridworker")))
      Self.expectMasked(byGridWorker.applicant, "grid worker")
      #expect(byGridWorker.address == "***")
      #expect(byGridWorker.reason == visit.reason && byGridWorker.applicant.name == "Elderly Resident")

      visit.idempotencyKey = "partner-visit-1"
      let byPartner = try await appointments.requestHomeVisit(visit, metadata: .bearer(try await harness.token(for: "partner")))
      Self.expectMasked(byPartner.applicant, "partner")
      #expect(byPartner.address == "***")

      var assign = Civicgrid_V1_AssignHomeVisitRequest()
      assign.id = byGridWorker.id
      assign.assignee = "gridworker"
      let assigned = try await appointments.assignHomeVisit(assign, metadata: .bearer(try await harness.token(for: "supervisor")))
      #expect(assigned.assignee == "gridworker")
      Self.expectMasked(assigned.applicant, "supervisor")
      #expect(assigned.address == "***")
    }
  }

  /// A window application for `idNumber`, taken in by the demo clerk.
  static func submit(_ harness: ServiceHarness, idNumber: String) async throws -> Civicgrid_V1_Case {
    var request = Civicgrid_V1_SubmitApplicationRequest()
    request.itemCode = "QH-CA-001"
    request.channel = .window
    request.applicant.name = "张秀英"
    request.applicant.idNumber = idNumber
    request.applicant.phone = Self.phone
    request.providedMaterials = ["id-card", "hukou", "form", "income"]
    return try await Civicgrid_V1_Cases.Client(wrapping: harness.client)
      .submitApplication(request, metadata: .bearer(try await harness.token(for: "clerk")))
  }

  @Test("GetCase and ListCases answers are masked for admin, supervisor and auditor, not for the clerk")
  func cases() async throws {
    try await ServiceHarness.withServer { harness in
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      let submitted = try await Self.submit(harness, idNumber: Self.idNumber)
      #expect(submitted.applicant.idNumber == Self.idNumber && submitted.applicant.phone == Self.phone)
      for login in ["admin", "supervisor", "auditor"] {
        let token = try await Self.token(for: login, harness)
        let got = try await cases.getCase(.with { $0.caseID = submitted.id }, metadata: .bearer(token))
        #expect(got.applicant.idNumber == Self.maskedID && got.applicant.phone == Self.maskedPhone, "GetCase for \(login)")
        let listed = try await cases.listCases(.with { $0.applicant = "张秀英" }, metadata: .bearer(token))
        #expect(listed.cases.map(\.applicant.idNumber) == [Self.maskedID], "ListCases for \(login)")
      }
      let clerk = try await cases.getCase(.with { $0.caseID = submitted.id }, metadata: .bearer(try await harness.token(for: "clerk")))
      #expect(clerk.applicant.idNumber == Self.idNumber && clerk.applicant.phone == Self.phone)
    }
  }

  @Test("ListCases by a full ID number: PERMISSION_DENIED naming applicant for roles that see masked numbers, found for the clerk")
  func idNumberOracleIsClosed() async throws {
    try await ServiceHarness.withServer { harness in
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      _ = try await Self.submit(harness, idNumber: Self.idNumber)
      let oneDigitChanged = "110101195001011235"
      for login in ["admin", "supervisor", "auditor", "partner", "gridworker", "mediator"] {
        let token = try await Self.token(for: login, harness)
        for probe in [Self.idNumber, oneDigitChanged, " \(Self.idNumber) ", "11010119500101123x", "110101500101123"] {
          let outcome = await rpcCode { _ = try await cases.listCases(.with { $0.applicant = probe }, metadata: .bearer(token)) }
          #expect(outcome?.0 == .permissionDenied, "\(login) searching '\(probe)'")
          #expect(outcome?.1.hasPrefix("applicant:") == true, "\(login): \(outcome?.1 ?? "answered")")
        }
      }
      let supervisor = try await harness.token(for: "supervisor")
      let byName = try await cases.listCases(.with { $0.applicant = "张秀英" }, metadata: .bearer(supervisor))
      #expect(byName.cases.count == 1)
      let clerk = try await harness.token(for: "clerk")
      #expect(try await cases.listCases(.with { $0.applicant = Self.idNumber }, metadata: .bearer(clerk)).cases.count == 1)
      #expect(try await cases.listCases(.with { $0.applicant = oneDigitChanged }, metadata: .bearer(clerk)).cases.isEmpty)
    }
  }
}
