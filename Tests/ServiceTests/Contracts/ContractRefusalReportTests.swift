import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Work refused at a social organisation for want of a covering contract is counted in the
/// refusal report of who pushes work where it may not go (docs/ACCESS.md), under its own rule.
@Suite("Service purchase contracts: refusal report", .serialized, .timeLimit(.minutes(5)))
struct ContractRefusalReportTests {
  @Test("a dispute route refused for want of a contract is counted for the sending unit under the contract rule, with its item")
  func counted() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let refused = await rpcCode { _ = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")]) }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasPrefix(ContractRefusal.rule) == true, "\(String(describing: refused))")

      var request = Civicgrid_V1_GetRefusalReportRequest()
      request.from = "2000-01-01"
      request.to = "2199-12-31"
      let report = try await f.call(f.supervisor) { try await AccessListService(store: f.base.pool).getRefusalReport(request: request, context: $0) }
      #expect(report.senders.map(\.senderUnitCode) == ["CTR"] && report.senders.first?.refused == 1, "\(report)")
      #expect(report.senders.first?.itemCodes == ["DISPUTE"])
      #expect(report.senders.first?.rules.map(\.rule) == ["contract"] && report.senders.first?.rules.first?.refused == 1)
      let stored = try await f.base.pool.query("SELECT target_unit_code, rule, method FROM access_refusals").decode((String, String, String).self)
      #expect(stored.map(\.0) == ["SO2"] && stored.map(\.1) == ["contract"] && stored.map(\.2) == ["test"])
    }
  }

  @Test("an application refused because its item's intake is suspended is counted for the receiving clerk's unit under suspended-intake, apart from contract refusals")
  func suspendedIntakeCounted() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      let contract = try await ContractEndTests.publishedUnderContract(f, contracts, endsOn: "2199-12-31")
      let end = ContractChangesTests.end(contract, lastDay: ContractChangesTests.today.adding(days: -1))
      _ = try await f.base.call(f.base.admin) { try await contracts.endContract(request: end, context: $0) }
      let refused = await rpcCode { _ = try await ContractEndTests.submit(f.base) }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasSuffix("is suspended until a contract covers it again") == true, "\(String(describing: refused))")

      var request = Civicgrid_V1_GetRefusalReportRequest()
      request.from = "2000-01-01"
      request.to = "2199-12-31"
      let report = try await f.call(f.supervisor) { try await AccessListService(store: f.base.pool).getRefusalReport(request: request, context: $0) }
      #expect(report.senders.map(\.senderUnitCode) == ["CTR"] && report.senders.first?.refused == 1, "\(report)")
      #expect(report.senders.first?.rules.map(\.rule) == ["suspended-intake"] && report.senders.first?.rules.first?.itemCodes == ["home-care"])
      let stored = try await f.base.pool.query("SELECT target_unit_code, rule, item_code FROM access_refusals").decode((String, String, String).self)
      #expect(stored.map(\.0) == ["SO2"] && stored.map(\.1) == ["suspended-intake"] && stored.map(\.2) == ["home-care"])
    }
  }

  @Test("check-in of an appointment booked while the item's contract ran is refused once the contract ended, like intake, and counted; nothing is written")
  func suspendedCheckInCounted() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      let contract = try await ContractEndTests.publishedUnderContract(f, contracts, endsOn: "2199-12-31")
      let appointments = AppointmentsService(store: f.base.pool)
      // A booking names the account that made it: the centre's clerk, as an account of its own.
      let centre = f.base.units["CTR"]!
      let clerkID = try await f.base.pool.query(
        "INSERT INTO accounts (login, unit_id, roles) VALUES ('ctr-clerk', \(centre.id), '{clerk}') RETURNING id"
      ).scalar(Int64.self)!
      let clerk = Principal(accountID: clerkID, login: "ctr-clerk", unitID: centre.id, unitCode: "CTR", unitPath: centre.path, roles: [.clerk])
      // The centre takes appointments for home-care today and tomorrow, around the clock.
      let schedule = AppointmentsTests.openAllTodayAndTomorrow("CTR")
      _ = try await f.base.call(f.base.admin) { try await appointments.setCentreSchedule(request: schedule, context: $0) }
      var offer = Civicgrid_V1_SetOfferRequest()
      offer.offer.centreCode = "CTR"
      offer.offer.itemCode = "home-care"
      offer.offer.slotMinutes = 30
      offer.offer.capacity = 2
      _ = try await f.base.call(f.base.admin) { try await appointments.setOffer(request: offer, context: $0) }
      var list = Civicgrid_V1_ListSlotsRequest()
      list.centreCode = "CTR"
      list.itemCode = "home-care"
      list.onlyAvailable = true
      let slot = try #require(try await f.base.call(clerk) { try await appointments.listSlots(request: list, context: $0) }.slots.first)
      var booking = Civicgrid_V1_BookAppointmentRequest()
      booking.centreCode = "CTR"
      booking.itemCode = "home-care"
      booking.startsAt = slot.startsAt
      booking.applicant.name = "王芳"
      booking.applicant.phone = "13800138000"
      booking.applicant.idNumber = "11010119500101123X"
      let booked = try await f.base.call(clerk) { try await appointments.bookAppointment(request: booking, context: $0) }

      let end = ContractChangesTests.end(contract, lastDay: ContractChangesTests.today.adding(days: -1))
      _ = try await f.base.call(f.base.admin) { try await contracts.endContract(request: end, context: $0) }
      var checkIn = Civicgrid_V1_CheckInRequest()
      checkIn.id = booked.id
      checkIn.expectedVersion = booked.version
      let refused = await rpcCode { _ = try await f.base.call(clerk) { try await appointments.checkIn(request: checkIn, context: $0) } }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasSuffix("is suspended until a contract covers it again") == true, "\(String(describing: refused))")

      let stored = try await f.base.pool.query("SELECT target_unit_code, rule, item_code FROM access_refusals").decode((String, String, String).self)
      #expect(stored.map(\.0) == ["SO2"] && stored.map(\.1) == ["suspended-intake"] && stored.map(\.2) == ["home-care"], "\(stored)")
      #expect(try await ContractEndTests.caseCount(f.base) == 0, "no case taken in")
      var get = Civicgrid_V1_GetAppointmentRequest()
      get.id = booked.id
      let after = try await f.base.call(clerk) { try await appointments.getAppointment(request: get, context: $0) }
      #expect(after.state == booked.state && after.version == booked.version, "the appointment is still booked, unchanged")
    }
  }
}
