import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Used by all: an application, a dispute party, a citizen request or a field event's resident
/// names a person id instead of typing them, and the case shows that person's tags in force to
/// clerks and handlers (docs/PEOPLE.md).
@Suite("People: intake by person id", .serialized, .timeLimit(.minutes(5)))
struct PeopleIntakeTests {
  @Test("SubmitApplication with person_id takes the applicant from the record and shows its non-sensitive tags to clerks only")
  func applicationByPersonID() async throws {
    try await PeopleFixture.with { f in
      let clerk = f.principal("clerk-d01", "D01", [.clerk])
      var input = PeopleFixture.input()
      input.tags = [PeopleFixture.tag(.difficulty), PeopleFixture.tag(.keyGroup, "petitioner")]
      let id = try await f.register(input, as: clerk).person.personID
      try await f.base.publishItem()
      var request = f.base.application()
      request.clearApplicant()
      request.personID = id
      let submitted = try await f.call(clerk) { try await f.base.cases.submitApplication(request: request, context: $0) }
      #expect(submitted.applicant.name == "Zhang Xiuying" && submitted.applicant.idNumber == PeopleFixture.idNumber)
      #expect(submitted.applicant.phone == PeopleFixture.phone)
      #expect(submitted.personID == id && submitted.applicantTags.map(\.kind) == [.difficulty])
      #expect(try await f.auditCount("case/\(submitted.id)", containing: "for person \(id)") == 1)

      var get = Civicgrid_V1_GetCaseRequest()
      get.caseID = submitted.id
      let byClerk = try await f.call(clerk) { try await f.base.cases.getCase(request: get, context: $0) }
      #expect(byClerk.personID == id && byClerk.applicantTags.map(\.kind) == [.difficulty])
      let bySupervisor = try await f.call(f.supervisor) { try await f.base.cases.getCase(request: get, context: $0) }
      #expect(bySupervisor.personID == id && bySupervisor.applicantTags.isEmpty)
      #expect(bySupervisor.applicant.idNumber == PeopleFixture.maskedID)
    }
  }

  @Test("SubmitDispute takes a party named by person_id from the record, links it, and shows that party's tags to clerks")
  func disputeByPersonID() async throws {
    try await DisputeFixture.with { f in
      let clerk = f.principal("clerk-d01", "D01", [.clerk])
      var register = Civicgrid_V1_RegisterPersonRequest()
      register.person = PeopleFixture.input(grid: "S01")
      register.person.tags = [PeopleFixture.tag(.difficulty), PeopleFixture.tag(.keyGroup, "petitioner")]
      let person = try await f.call(clerk) { try await PeopleService(store: f.base.pool).registerPerson(request: register, context: $0) }.person
      var request = f.submission()
      var applicant = Civicgrid_V1_DisputeParty()
      applicant.role = .applicant
      applicant.personID = person.personID
      request.parties[0] = applicant
      let dispute = try await f.call(clerk) { try await f.disputes.submitDispute(request: request, context: $0) }
      #expect(dispute.parties[0].name == "Zhang Xiuying" && dispute.parties[0].idNumber == PeopleFixture.idNumber)
      let linked = try await f.base.pool.query("SELECT person_id, role FROM case_people").decode((Int64, String).self)
      #expect(linked.map(\.0) == [person.personID] && linked.map(\.1) == ["applicant"])
      // The party, not only the role, knows its person: the typed respondent has none.
      #expect(dispute.parties.map(\.personID) == [person.personID, 0])
      #expect(dispute.parties[0].tags.map(\.kind) == [.difficulty] && dispute.parties[1].tags.isEmpty)
      var get = Civicgrid_V1_GetDisputeRequest()
      get.disputeID = dispute.id
      let byClerk = try await f.call(clerk) { try await f.disputes.getDispute(request: get, context: $0) }
      #expect(byClerk.parties.map(\.personID) == [person.personID, 0] && byClerk.parties[0].tags.map(\.kind) == [.difficulty])
      let bySupervisor = try await f.call(f.supervisor) { try await f.disputes.getDispute(request: get, context: $0) }
      #expect(bySupervisor.parties[0].personID == person.personID && bySupervisor.parties[0].tags.isEmpty)
      applicant.name = "Someone Else"
      request.parties[0] = applicant
      let both = await rpcCode { _ = try await f.call(clerk) { try await f.disputes.submitDispute(request: request, context: $0) } }
      #expect(both?.0 == .invalidArgument && both?.1.hasPrefix("parties[0].person_id:") == true)
    }
  }

  @Test("SubmitRequest with citizen.person_id takes the citizen from the record, links the person and shows its tags to handlers")
  func requestByPersonID() async throws {
    try await RequestFixture.with { f in
      try await f.setRoutes()
      var register = Civicgrid_V1_RegisterPersonRequest()
      register.person = PeopleFixture.input(grid: "G01")
      register.person.tags = [PeopleFixture.tag(.difficulty), PeopleFixture.tag(.keyGroup, "petitioner")]
      let person = try await f.call(f.hotline) { try await PeopleService(store: f.pool).registerPerson(request: register, context: $0) }.person
      var request = f.submission()
      request.citizen = Civicgrid_V1_Citizen()
      request.citizen.personID = person.personID
      let submitted = try await f.submit(request)
      // A grid worker sees the ID number and phone masked, and is not among the roles shown tags.
      #expect(submitted.citizen.name == "Zhang Xiuying" && submitted.citizen.idNumber == PeopleFixture.maskedID)
      #expect(submitted.citizen.phone == PeopleFixture.maskedPhone && submitted.case.applicant.name == "Zhang Xiuying")
      #expect(submitted.citizen.personID == person.personID && submitted.case.personID == person.personID)
      #expect(submitted.case.applicantTags.isEmpty)
      let stored = try await f.pool.query("SELECT applicant_id_number, applicant_phone FROM cases").decode((String, String).self)
      #expect(stored.map(\.0) == [PeopleFixture.idNumber] && stored.map(\.1) == [PeopleFixture.phone])
      let linked = try await f.pool.query("SELECT person_id, role FROM case_people").decode((Int64, String).self)
      #expect(linked.map(\.0) == [person.personID] && linked.map(\.1) == ["applicant"])
      let audited = try await f.pool.query(
        "SELECT count(*) FROM audit_log WHERE object = $1 AND summary LIKE $2", ["request/\(submitted.id)", "% for person \(person.personID); routed %"]
      ).scalar(Int.self)
      #expect(audited == 1)

      var get = Civicgrid_V1_GetRequestRequest()
      get.requestID = submitted.id
      let byHandler = try await f.call(f.community) { try await f.requests.getRequest(request: get, context: $0) }
      #expect(byHandler.citizen.personID == person.personID && byHandler.case.applicantTags.map(\.kind) == [.difficulty])
      #expect(byHandler.citizen.idNumber == PeopleFixture.idNumber && byHandler.citizen.phone == PeopleFixture.phone)
      let bySupervisor = try await f.call(f.supervisor) { try await f.requests.getRequest(request: get, context: $0) }
      #expect(bySupervisor.citizen.personID == person.personID && bySupervisor.case.applicantTags.isEmpty)
      // A typed request answers no person.
      let typed = try await f.submit()
      #expect(typed.citizen.personID == 0 && typed.case.personID == 0)
      // A clerk's intake answers the tags from the record it just read.
      var byPhone = request
      byPhone.channel = .hotline
      byPhone.unitCode = "G01"
      let byClerk = try await f.submit(byPhone, as: f.hotline)
      #expect(byClerk.case.personID == person.personID && byClerk.case.applicantTags.map(\.kind) == [.difficulty])

      var both = request
      both.citizen.name = "Someone Else"
      let twice = await rpcCode { _ = try await f.submit(both) }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("citizen.person_id:") == true)
      // G02's grid worker: the person lives in G01.
      let outside = await rpcCode { _ = try await f.submit(request, as: f.otherGridWorker) }
      #expect(outside?.0 == .invalidArgument && outside?.1 == "citizen.person_id: person \(person.personID) not found in your scope")
      #expect(try await f.pool.query("SELECT count(*) FROM citizen_requests").scalar(Int.self) == 3)
    }
  }

  @Test("ReportEvent with resident.person_id takes the resident from the record, links and audits the person, shows its tags to handlers; a forward to requests names the same person")
  func fieldEventResidentByPersonID() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.setRoutes()
      var register = Civicgrid_V1_RegisterPersonRequest()
      register.person = PeopleFixture.input(grid: "G01")
      register.person.tags = [PeopleFixture.tag(.difficulty), PeopleFixture.tag(.keyGroup, "petitioner")]
      let person = try await f.call(f.base.hotline) { try await PeopleService(store: f.pool).registerPerson(request: register, context: $0) }.person
      var report = f.report(.peopleInDifficulty)
      report.resident = Civicgrid_V1_Citizen()
      report.resident.personID = person.personID
      let reported = try await f.reportEvent(report)
      // The grid worker sees the ID number masked and is not among the roles shown tags.
      #expect(reported.resident.name == "Zhang Xiuying" && reported.resident.personID == person.personID)
      #expect(reported.resident.idNumber == PeopleFixture.maskedID && reported.case.applicantTags.isEmpty)
      let stored = try await f.pool.query("SELECT applicant_id_number, applicant_phone FROM cases").decode((String, String).self)
      #expect(stored.map(\.0) == [PeopleFixture.idNumber] && stored.map(\.1) == [PeopleFixture.phone])
      let audited = try await f.pool.query(
        "SELECT count(*) FROM audit_log WHERE object = $1 AND summary LIKE $2", ["field-event/\(reported.id)", "% for person \(person.personID)%"]
      ).scalar(Int.self)
      #expect(audited == 1)
      var get = Civicgrid_V1_GetEventRequest()
      get.eventID = reported.id
      let byHandler = try await f.call(f.communityHandler) { try await f.events.getEvent(request: get, context: $0) }
      #expect(byHandler.resident.personID == person.personID && byHandler.case.applicantTags.map(\.kind) == [.difficulty])
      let bySupervisor = try await f.call(f.supervisor) { try await f.events.getEvent(request: get, context: $0) }
      #expect(bySupervisor.resident.personID == person.personID && bySupervisor.case.applicantTags.isEmpty)

      // A dispute lead routed to requests: the request is the same person's, linked and audited as such.
      var lead = f.report(.disputeLead)
      lead.resident = report.resident
      let forwarded = try await f.route(try await f.reportEvent(lead))
      var getRequest = Civicgrid_V1_GetRequestRequest()
      getRequest.requestID = forwarded.requestID
      let request = try await f.call(f.base.community) { try await f.base.requests.getRequest(request: getRequest, context: $0) }
      #expect(request.citizen.personID == person.personID && request.citizen.name == "Zhang Xiuying")
      #expect(request.case.applicantTags.map(\.kind) == [.difficulty])
      let requestAudit = try await f.pool.query(
        "SELECT count(*) FROM audit_log WHERE object = $1 AND summary LIKE $2", ["request/\(forwarded.requestID)", "% for person \(person.personID); routed %"]
      ).scalar(Int.self)
      #expect(requestAudit == 1)

      // Both typed fields and person_id, or a person outside the reporter's scope: INVALID_ARGUMENT naming the field.
      var both = report
      both.resident.name = "Someone Else"
      let twice = await rpcCode { _ = try await f.reportEvent(both) }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("resident.person_id:") == true)
      var elsewhere = report
      elsewhere.gridCode = "G02"
      let outside = await rpcCode { _ = try await f.reportEvent(elsewhere, as: f.otherGridWorker) }
      #expect(outside?.0 == .invalidArgument && outside?.1 == "resident.person_id: person \(person.personID) not found in your scope")
      #expect(try await f.pool.query("SELECT count(*) FROM field_events").scalar(Int.self) == 2)
    }
  }

  @Test("naming both applicant and person_id, a person outside the caller's scope, or an id below 1 is INVALID_ARGUMENT naming the field")
  func refusals() async throws {
    try await PeopleFixture.with { f in
      let id = try await f.register(PeopleFixture.input(), as: f.principal("clerk-d01", "D01", [.clerk])).person.personID
      try await f.base.publishItem()
      var both = f.base.application()
      both.personID = id
      let twice = await rpcCode { _ = try await f.call(f.base.clerk) { try await f.base.cases.submitApplication(request: both, context: $0) } }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("applicant:") == true)
      var outside = f.base.application()
      outside.clearApplicant()
      outside.personID = id
      // The CTR clerk's scope is the centre: the person lives in G1.
      let refused = await rpcCode { _ = try await f.call(f.base.clerk) { try await f.base.cases.submitApplication(request: outside, context: $0) } }
      #expect(refused?.0 == .invalidArgument && refused?.1 == "person_id: person \(id) not found in your scope")
      var negative = outside
      negative.personID = -5
      let below = await rpcCode { _ = try await f.call(f.base.clerk) { try await f.base.cases.submitApplication(request: negative, context: $0) } }
      #expect(below?.0 == .invalidArgument && below?.1 == "person_id: must be at least 1, got -5")
    }
  }
}
