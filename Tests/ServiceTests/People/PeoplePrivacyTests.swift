import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// The privacy table of people (docs/PEOPLE.md) role by role: masked without a purpose for
/// everyone; with a purpose, ID number, phone and address in full for clerks and handlers,
/// key-group tags for handlers, supervisors and grid workers, each such read audited; partners
/// never get key-group tags. Answers pass the server's masking step as they would on the wire.
@Suite("People: privacy", .serialized, .timeLimit(.minutes(5)))
struct PeoplePrivacyTests {
  struct Expectation: Sendable {
    var role: String
    var idNumber: Bool
    var phone: Bool
    var keyGroupTags: Bool
  }

  /// What each role sees in full when it names a purpose.
  static let table: [Expectation] = [
    Expectation(role: "clerk", idNumber: true, phone: true, keyGroupTags: false),
    Expectation(role: "handler", idNumber: true, phone: true, keyGroupTags: true),
    Expectation(role: "gridWorker", idNumber: false, phone: false, keyGroupTags: true),
    Expectation(role: "supervisor", idNumber: false, phone: false, keyGroupTags: true),
    Expectation(role: "admin", idNumber: false, phone: false, keyGroupTags: false),
    Expectation(role: "partner", idNumber: false, phone: false, keyGroupTags: false),
    Expectation(role: "auditor", idNumber: false, phone: false, keyGroupTags: false),
  ]

  static func principal(_ f: PeopleFixture, _ role: String) -> Principal {
    switch role {
    case "clerk": f.clerk
    case "handler": f.handler
    case "gridWorker": f.gridWorker
    case "supervisor": f.supervisor
    case "admin": f.admin
    case "partner": f.partner
    default: f.auditor
    }
  }

  /// A person in G1 tagged as a key group (petitioner) and as a person in difficulty.
  static func taggedPerson(_ f: PeopleFixture) async throws -> Int64 {
    var input = PeopleFixture.input(address: PeopleFixture.address)
    input.tags = [PeopleFixture.tag(.keyGroup, "petitioner"), PeopleFixture.tag(.difficulty)]
    return try await f.register(input).person.personID
  }

  @Test("without a purpose every role gets masked values and no key-group tags, and nothing is audited", arguments: table)
  func maskedWithoutPurpose(_ expected: Expectation) async throws {
    try await PeopleFixture.with { f in
      let id = try await Self.taggedPerson(f)
      let person = try await f.get(id, as: Self.principal(f, expected.role))
      #expect(person.idNumber == PeopleFixture.maskedID && person.phone == PeopleFixture.maskedPhone && person.address == "***")
      #expect(person.birthDate == "1953-**-**")
      #expect(person.tags.map(\.kind) == [.difficulty] && person.withheldTags == 1 && person.unmasked.isEmpty)
      #expect(try await f.auditCount("person/\(id)", containing: "unmasked") == 0)
    }
  }

  @Test("with a purpose each role sees in full what the privacy table gives it, and that read is audited with the purpose", arguments: table)
  func unmaskedWithPurpose(_ expected: Expectation) async throws {
    try await PeopleFixture.with { f in
      let id = try await Self.taggedPerson(f)
      let purpose = "minimum living allowance review \(expected.role)"
      let person = try await f.get(id, as: Self.principal(f, expected.role), purpose: purpose)
      #expect(person.idNumber == (expected.idNumber ? PeopleFixture.idNumber : PeopleFixture.maskedID))
      #expect(person.phone == (expected.phone ? PeopleFixture.phone : PeopleFixture.maskedPhone))
      #expect(person.address == (expected.phone ? PeopleFixture.address : "***"))
      #expect(person.birthDate == (expected.idNumber ? "1953-03-15" : "1953-**-**"))
      #expect(person.tags.contains { $0.kind == .keyGroup && $0.subtype == "petitioner" } == expected.keyGroupTags)
      #expect(person.withheldTags == (expected.keyGroupTags ? 0 : 1))
      let revealed = expected.idNumber || expected.keyGroupTags
      #expect(try await f.auditCount("person/\(id)", containing: purpose) == (revealed ? 1 : 0))
    }
  }

  @Test("a person outside the caller's scope answers NOT_FOUND like a missing one")
  func scope() async throws {
    try await PeopleFixture.with { f in
      let id = try await f.register(PeopleFixture.input(grid: "G2")).person.personID
      let outside = await rpcCode { _ = try await f.get(id, as: f.gridWorker) }
      let missing = await rpcCode { _ = try await f.get(id + 1000, as: f.gridWorker) }
      #expect(outside?.0 == .notFound && missing?.0 == .notFound)
      #expect(try await f.get(id, as: f.auditor).personID == id)
    }
  }

  @Test("FindPeople by name prefix and tag in scope; by full ID number only for roles that see ID numbers")
  func find() async throws {
    try await PeopleFixture.with { f in
      let id = try await Self.taggedPerson(f)
      _ = try await f.register(PeopleFixture.input("110105196001010016", name: "Zhang Wei", grid: "G2"))
      // Outside the street, so outside the street clerk's scope.
      _ = try await f.register(PeopleFixture.input("110105197001010013", name: "Zhang San", grid: "G3"), as: f.principal("clerk-d01", "D01", [.clerk]))
      var byName = Civicgrid_V1_FindPeopleRequest()
      byName.query = "Zhang"
      let street = try await f.call(f.clerk) { try await f.people.findPeople(request: byName, context: $0) }
      #expect(street.people.map(\.name) == ["Zhang Xiuying", "Zhang Wei"])
      #expect(street.people.allSatisfy { $0.idNumber.contains("*") })
      let grid = try await f.call(f.gridWorker) { try await f.people.findPeople(request: byName, context: $0) }
      #expect(grid.people.map(\.personID) == [id])
      var byTag = Civicgrid_V1_FindPeopleRequest()
      byTag.tag = .difficulty
      #expect(try await f.call(f.handler) { try await f.people.findPeople(request: byTag, context: $0) }.people.map(\.personID) == [id])
      var byNumber = Civicgrid_V1_FindPeopleRequest()
      byNumber.query = PeopleFixture.idNumber
      #expect(try await f.call(f.clerk) { try await f.people.findPeople(request: byNumber, context: $0) }.people.map(\.personID) == [id])
      let refused = await rpcCode { _ = try await f.call(f.supervisor) { try await f.people.findPeople(request: byNumber, context: $0) } }
      #expect(refused?.0 == .permissionDenied && refused?.1.hasPrefix("query:") == true)
    }
  }

  @Test("a household lists its members in scope, masked like a person")
  func household() async throws {
    try await PeopleFixture.with { f in
      _ = try await f.register(PeopleFixture.input(household: "H-7"))
      _ = try await f.register(PeopleFixture.input("110105198001010019", name: "Wang Lei", grid: "G1", household: "H-7"))
      var request = Civicgrid_V1_GetHouseholdRequest()
      request.householdCode = "H-7"
      let household = try await f.call(f.gridWorker) { try await f.people.getHousehold(request: request, context: $0) }
      #expect(household.gridUnitCode == "G1" && household.members.map(\.name) == ["Zhang Xiuying", "Wang Lei"])
      #expect(household.members.allSatisfy { $0.phone.contains("*") })
      request.householdCode = "H-404"
      let missing = await rpcCode { _ = try await f.call(f.gridWorker) { try await f.people.getHousehold(request: request, context: $0) } }
      #expect(missing?.0 == .notFound)
    }
  }
}
