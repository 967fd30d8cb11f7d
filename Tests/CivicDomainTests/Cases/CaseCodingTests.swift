import CivicDomain
import Foundation
import Testing

@Suite("Case encoding", .timeLimit(.minutes(1)))
struct CaseCodingTests {
  @Test("a case in processing survives an encode/decode round trip unchanged")
  func roundTrip() throws {
    let c = try submitted(provided: ["id-card", "hukou"]).run(.acceptWithMissingMaterials(dueBy: day("2026-03-06")), "2026-03-02 10:15")
      .case
      .run(.dispatch, "2026-03-02 10:30").case.approved(1, "2026-03-03 10:00")
    let data = try JSONEncoder().encode(c)
    #expect(try JSONDecoder().decode(Case.self, from: data) == c)
  }

  @Test("identifiers and dates encode as bare strings")
  func bareStrings() throws {
    let data = try JSONEncoder().encode([UnitID("police")])
    #expect(String(decoding: data, as: UTF8.self) == #"["police"]"#)
    #expect(String(decoding: try JSONEncoder().encode([day("2026-03-02")]), as: UTF8.self) == #"["2026-03-02"]"#)
  }
}
