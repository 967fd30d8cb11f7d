import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// One person per ID number and the trust rule against a scratch PostgreSQL database:
/// registrations merge, a lower-trust conflicting value waits as a pending correction for a
/// clerk, a correction replaces and supersedes, history keeps old → new (docs/PEOPLE.md).
@Suite("People: merge and trust", .serialized, .timeLimit(.minutes(5)))
struct PeopleMergeTests {
  @Test("a registration creates the person with provenance and what the ID number carries; the same ID number merges onto it")
  func createThenMerge() async throws {
    try await PeopleFixture.with { f in
      let created = try await f.register(PeopleFixture.input(household: "H-001"))
      #expect(created.outcome == .created)
      let person = created.person
      #expect(person.name == "Zhang Xiuying" && person.gender == .female && person.birthDate == "1953-**-**")
      #expect(person.gridUnitCode == "G1" && person.householdCode == "H-001")
      let name = try #require(person.provenance.first { $0.field == "name" })
      #expect(name.provenance.source == .window && name.provenance.trust == 3 && name.provenance.collectedBy == "clerk-s01")

      let again = try await f.register(PeopleFixture.input(name: "Zhang Xiuying"), as: f.gridWorker)
      #expect(again.outcome == .merged && again.person.personID == person.personID)
      let count = try await f.base.pool.query("SELECT count(*)::int FROM people").scalar(Int.self)
      #expect(count == 1)
      #expect(try await f.auditCount("person/\(person.personID)", containing: "registered") == 2)
    }
  }

  @Test("a lower-trust conflicting value is kept as a pending correction; an equal or higher one replaces with history")
  func trustRule() async throws {
    try await PeopleFixture.with { f in
      let id = try await f.register(PeopleFixture.input()).person.personID
      // A grid visit (trust 2) does not overwrite the window's phone (trust 3).
      let visit = try await f.register(PeopleFixture.input(phone: PeopleFixture.otherPhone), as: f.gridWorker)
      #expect(visit.outcome == .pendingCorrection && visit.person.pendingCorrections == 1)
      let stored = try await f.base.pool.query(
        "SELECT value FROM person_fields WHERE person_id = $1 AND field = 'phone'", [id]
      ).scalar(String.self)
      #expect(stored == PeopleFixture.phone)
      // The same visit again is still one pending correction.
      _ = try await f.register(PeopleFixture.input(phone: PeopleFixture.otherPhone), as: f.gridWorker)
      let pending = try await f.base.pool.query("SELECT count(*)::int FROM person_corrections WHERE status = 'pending'").scalar(Int.self)
      #expect(pending == 1)

      // A department's register (trust 4) replaces it, with history old → new.
      var batch = importBatch("dept-1", [PeopleFixture.input(phone: "13700137000")])
      batch.source = .departmentImport
      let imported = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([batch]), context: $0) }
      #expect(imported.merged == 1 && imported.batches[0].rows[0].personID == id)
      let read = try await f.get(id, as: f.clerk, purpose: "checking the phone change")
      #expect(read.phone == "13700137000")
      let change = try #require(read.history.last { $0.field == "phone" })
      #expect(change.oldValue == PeopleFixture.phone && change.newValue == "13700137000" && change.provenance.trust == 4)
      let masked = try await f.get(id, as: f.clerk)
      #expect(masked.history.last { $0.field == "phone" }?.oldValue == PeopleFixture.maskedPhone)
    }
  }

  @Test("a clerk decides a pending correction once: accepted, the value is set with the clerk's provenance")
  func decideCorrection() async throws {
    try await PeopleFixture.with { f in
      let id = try await f.register(PeopleFixture.input()).person.personID
      _ = try await f.register(PeopleFixture.input(phone: PeopleFixture.otherPhone), as: f.gridWorker)
      let listed = try await f.call(f.clerk) { try await f.people.listCorrections(request: Civicgrid_V1_ListCorrectionsRequest(), context: $0) }
      #expect(listed.corrections.count == 1)
      let correction = listed.corrections[0]
      #expect(correction.field == "phone" && correction.proposedValue == "139****9000" && correction.provenance.source == .gridVisit)
      #expect(try await f.auditCount("person-corrections") == 0)
      var unmasking = Civicgrid_V1_ListCorrectionsRequest()
      unmasking.purpose = "deciding corrections"
      let full = try await f.call(f.clerk) { try await f.people.listCorrections(request: unmasking, context: $0) }
      #expect(full.corrections[0].proposedValue == PeopleFixture.otherPhone)
      #expect(try await f.auditCount("person-corrections", containing: "deciding corrections") == 1)

      var decide = Civicgrid_V1_DecideCorrectionRequest()
      decide.correctionID = correction.correctionID
      decide.accept = true
      decide.note = "resident confirmed by phone"
      let decided = try await f.call(f.clerk) { try await f.people.decideCorrection(request: decide, context: $0) }
      #expect(decided.pendingCorrections == 0)
      let phone = try #require(decided.provenance.first { $0.field == "phone" })
      #expect(phone.provenance.source == .window && phone.provenance.collectedBy == "clerk-s01")
      let stored = try await f.base.pool.query("SELECT value FROM person_fields WHERE person_id = $1 AND field = 'phone'", [id]).scalar(String.self)
      #expect(stored == PeopleFixture.otherPhone)
      let twice = await rpcCode { _ = try await f.call(f.clerk) { try await f.people.decideCorrection(request: decide, context: $0) } }
      #expect(twice?.0 == .failedPrecondition)
      #expect(try await f.auditCount("person/\(id)", containing: "accepted correction") == 1)
    }
  }

  @Test("CorrectPerson replaces a higher-trust value and supersedes the field's pending corrections")
  func correctPerson() async throws {
    try await PeopleFixture.with { f in
      var batch = importBatch("dept-1", [PeopleFixture.input()])
      batch.source = .departmentImport
      let id = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([batch]), context: $0) }.batches[0].rows[0].personID
      _ = try await f.register(PeopleFixture.input(phone: PeopleFixture.otherPhone), as: f.gridWorker)
      var correct = Civicgrid_V1_CorrectPersonRequest()
      correct.personID = id
      correct.field = "phone"
      correct.value = "13600136000"
      correct.reason = "resident showed a new contract"
      let corrected = try await f.call(f.clerk) { try await f.people.correctPerson(request: correct, context: $0) }
      #expect(corrected.pendingCorrections == 0 && corrected.phone == "136****6000")
      let statuses = try await f.base.pool.query("SELECT status FROM person_corrections").rows.map { try $0.decode(String.self, at: 0) }
      #expect(statuses == ["superseded"])
      correct.field = "grid_unit_code"
      correct.value = "G3"
      let outside = await rpcCode { _ = try await f.call(f.clerk) { try await f.people.correctPerson(request: correct, context: $0) } }
      #expect(outside?.0 == .invalidArgument && outside?.1.hasPrefix("value: unit G3 not found") == true)
      correct.field = "shoe_size"
      let unknown = await rpcCode { _ = try await f.call(f.clerk) { try await f.people.correctPerson(request: correct, context: $0) } }
      #expect(unknown?.0 == .invalidArgument && unknown?.1.hasPrefix("field:") == true)
    }
  }

  @Test("bad input answers INVALID_ARGUMENT naming the field")
  func badInput() async throws {
    try await PeopleFixture.with { f in
      var wrongGender = PeopleFixture.input()
      wrongGender.gender = .male
      var wrongBirth = PeopleFixture.input()
      wrongBirth.birthDate = "1960-01-01"
      var badTag = PeopleFixture.input()
      badTag.tags = [PeopleFixture.tag(.keyGroup)]
      let cases: [(Civicgrid_V1_PersonInput, String)] = [
        (PeopleFixture.input("11010519530315002"), "person.id_number:"),
        (wrongGender, "person.gender: does not match"),
        (wrongBirth, "person.birth_date: does not match"),
        (PeopleFixture.input(phone: "12ab"), "person.phone:"),
        (PeopleFixture.input(grid: "NOPE"), "person.grid_unit_code: unit NOPE not found"),
        (PeopleFixture.input(grid: ""), "person.grid_unit_code: is required for a new person"),
        (badTag, "person.tags[0].subtype:"),
      ]
      for (input, message) in cases {
        let refused = await rpcCode { _ = try await f.register(input) }
        #expect(refused?.0 == .invalidArgument && refused?.1.hasPrefix(message) == true, "\(message) got \(String(describing: refused))")
      }
      // A grid worker may not claim a window source.
      let source = await rpcCode { _ = try await f.register(PeopleFixture.input(), as: f.gridWorker, source: .window) }
      #expect(source?.0 == .permissionDenied)
      let stored = try await f.base.pool.query("SELECT count(*)::int FROM people").scalar(Int.self)
      #expect(stored == 0)
    }
  }
}
