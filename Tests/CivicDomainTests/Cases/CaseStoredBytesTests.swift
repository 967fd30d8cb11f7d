import Foundation
import Testing

@testable import CivicDomain

@Suite("Case.storedBytes: the stored snapshot", .timeLimit(.minutes(1)))
struct CaseStoredBytesTests {
  static let police = handler("police")
  static let civil = handler("civil-affairs")
  static let township = handler("township")

  /// A case in every shape the snapshot must keep: each optional field both set and unset,
  /// every result, a returned stage (two openings), a pending extension, a paused clock.
  static func shapes() throws -> [String: Case] {
    let awaiting = try submitted(provided: ["id-card", "hukou"])
    let missing = try awaiting.run(.acceptWithMissingMaterials(dueBy: day("2026-03-06")), "2026-03-02 10:15").case
    let paused = try awaiting.run(.requestSupplement, "2026-03-02 10:10").case
    let dispatched = try submitted().dispatched()
    let extending = try dispatched.run(.claim, task: 1, "2026-03-03 10:00", by: police).case
      .run(.requestExtension(.workingHours(6), reason: "现场核查 site visit"), task: 1, "2026-03-03 10:05", by: police).case
    let secondStage = try dispatched.approved(1, "2026-03-03 10:00").approved(2, "2026-03-03 11:00")
    let returned = try secondStage.run(.claim, task: 3, "2026-03-04 09:00", by: township).case
      .run(.returnToPreviousStage(reason: "address mismatch"), task: 3, "2026-03-04 10:00", by: township).case
    let approved = try secondStage.approved(3, "2026-03-04 10:00")
    let delivered = try approved.run(.deliver(.mail), "2026-03-05 09:00").case
    let denied = try dispatched.run(.claim, task: 1, "2026-03-03 10:00", by: police).case
      .run(.deny(opinion: "not registered at this address"), task: 1, "2026-03-03 10:05", by: police).case
      .approved(2, "2026-03-03 11:00")
    let refused = try awaiting.run(.refuse(reason: "申请人不符合条件 not eligible"), "2026-03-02 10:20").case
    let immediate = try submitted(provided: ["id-card"], item: elderlyCard())
    let registered = try Case.openDispute(id: "C9", title: "Wang Fang", intake: .window, at: at("2026-03-02 09:00"), by: police).case
    let ownLimits = try registered.applying(
      .review(routes: [DisputeRoute(channel: .peoplesMediation, unit: "committee", limit: .workingDays(3)), DisputeRoute(channel: .legalAid, unit: "aid")], limit: .workingDays(10)),
      expectedVersion: 1, at: at("2026-03-02 10:00"), by: police
    ).case
    return [
      "routes on their own limits": ownLimits,
      "awaiting acceptance": awaiting, "accepted with missing materials": missing, "paused for a supplement": paused,
      "dispatched": dispatched, "extension pending": extending, "second stage": secondStage, "returned to the first stage": returned,
      "completed approved": approved, "delivered": delivered, "denied": denied, "refused": refused, "immediate item": immediate,
    ]
  }

  @Test("every shape round-trips and equals what its JSON snapshot decodes to")
  func shapesRoundTrip() throws {
    let shapes = try Self.shapes()
    #expect(shapes["returned to the first stage"]?.stageOpenings == 3, "the first stage reopened")
    #expect(shapes["extension pending"]?.tasks[0].pendingExtension != nil)
    #expect(shapes["immediate item"]?.clock == nil && shapes["immediate item"]?.plan == nil)
    #expect(shapes["denied"]?.result != nil && shapes["delivered"]?.delivery == .mail)
    #expect(shapes["refused"]?.refusalReason != nil && shapes["accepted with missing materials"]?.missingMaterialsDueBy != nil)
    #expect(shapes["routes on their own limits"]?.storedBytes.first == Case.storedFormatWithTaskLimits)
    #expect(shapes.filter { $0.key != "routes on their own limits" }.values.allSatisfy { $0.storedBytes.first == Case.storedFormat }, "a plan without task limits is written as before")
    for (name, value) in shapes {
      let stored = try Case(storedBytes: value.storedBytes)
      #expect(stored == value, "\(name)")
      #expect(stored == (try JSONDecoder().decode(Case.self, from: JSONEncoder().encode(value))), "\(name)")
    }
  }

  @Test("the same case always gives the same bytes (provided materials are sorted), and fewer than its JSON")
  func deterministicAndSmaller() throws {
    for (name, value) in try Self.shapes() {
      #expect(value.storedBytes == (try Case(storedBytes: value.storedBytes)).storedBytes, "\(name)")
      #expect(value.storedBytes.count * 2 < (try JSONEncoder().encode(value)).count, "\(name)")
    }
  }

  @Test("every truncation of a stored snapshot is refused as `snapshot`, never read as another case")
  func truncations() throws {
    let bytes = try #require(try Self.shapes()["extension pending"]).storedBytes
    for length in 0..<bytes.count {
      #expect(throws: DomainError.self, "\(length) of \(bytes.count) bytes") { try Case(storedBytes: Array(bytes.prefix(length))) }
    }
    do {
      _ = try Case(storedBytes: Array(bytes.prefix(bytes.count / 2)))
      Issue.record("half a snapshot was read")
    } catch {
      guard case .invalidField(let field, _) = error else { throw error }
      #expect(field == "snapshot")
    }
  }

  @Test("a JSON snapshot, an unknown format and trailing bytes are refused with the reason")
  func foreignBytes() throws {
    let value = try submitted()
    let json = Array(try JSONEncoder().encode(value))
    #expect(throws: DomainError.invalidField("snapshot", "stored format 123 is not 1 or 2")) { try Case(storedBytes: json) }
    #expect(throws: DomainError.invalidField("snapshot", "1 bytes after the delivery")) { try Case(storedBytes: value.storedBytes + [0]) }
  }

  @Test("an enumeration is stored as its raw-value text; an unknown value is named")
  func rawValues() throws {
    let bytes = try submitted().storedBytes
    let window = Array("window".utf8)
    let at = try #require((0...(bytes.count - window.count)).first { Array(bytes[$0..<$0 + window.count]) == window })
    var unknown = bytes
    unknown.replaceSubrange(at..<at + window.count, with: Array("wind0w".utf8))
    #expect(throws: DomainError.self) { try Case(storedBytes: unknown) }
    do {
      _ = try Case(storedBytes: unknown)
    } catch {
      guard case .invalidField(_, let reason) = error else { throw error }
      #expect(reason.hasPrefix("channel 'wind0w'"))
    }
  }
}
