import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import GRPCCore
import Testing

@testable import CivicServices

/// What `CaseRepository` writes beside the case row, one statement per table: the clocks'
/// pauses and extensions rewritten only where they changed, at their positions.
@Suite("Case repository: pauses and extensions", .serialized, .timeLimit(.minutes(5)))
struct CaseRepositoryTests {
  /// (task, position, ended) of every pause of case `id`.
  static func pauses(_ pool: StorePool, _ id: Int64) async throws -> [String] {
    try await pool.query("SELECT task, position, ended_at IS NOT NULL FROM case_pauses WHERE case_id = \(id) ORDER BY task, position")
      .decode((Int, Int, Bool).self).map { "\($0.0)/\($0.1)/\($0.2 ? "ended" : "open")" }
  }

  /// (task, position, added) of every extension of case `id`.
  static func extensions(_ pool: StorePool, _ id: Int64) async throws -> [String] {
    try await pool.query("SELECT task, position, added FROM case_extensions WHERE case_id = \(id) ORDER BY task, position")
      .decode((Int, Int, String).self).map { "\($0.0)/\($0.1)/\($0.2)" }
  }

  @Test("a supplement pauses and resumes the case clock in one row; two granted extensions are two rows on the task and on the case")
  func pausesAndExtensions() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      var request = f.application()
      request.providedMaterials = ["hukou"]
      var c = try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) }
      let id = try CaseNumber.parse(c.id)
      let (pauses, extensions) = (try await Self.pauses(f.pool, id), try await Self.extensions(f.pool, id))
      #expect(pauses.isEmpty && extensions.isEmpty, "a new case has neither")

      var ask = Civicgrid_V1_CaseRequest()
      ask.caseID = c.id
      ask.expectedVersion = c.version
      c = try await f.call(f.clerk) { try await f.cases.requestSupplement(request: ask, context: $0) }
      #expect(try await Self.pauses(f.pool, id) == ["0/0/open"])
      var supply = Civicgrid_V1_SupplyMaterialsRequest()
      supply.caseID = c.id
      supply.expectedVersion = c.version
      supply.materials = ["id-card"]
      c = try await f.call(f.clerk) { try await f.cases.supplyMaterials(request: supply, context: $0) }
      #expect(try await Self.pauses(f.pool, id) == ["0/0/ended"], "the pause row is rewritten, not added to")

      var accept = Civicgrid_V1_AcceptCaseRequest()
      accept.caseID = c.id
      accept.expectedVersion = c.version
      c = try await f.call(f.clerk) { try await f.cases.acceptCase(request: accept, context: $0) }
      let handler = f.handler("CIVIL")
      var claim = Civicgrid_V1_TaskRequest()
      claim.caseID = c.id
      claim.task = 1
      claim.expectedVersion = 1
      c = try await f.call(handler) { try await f.cases.claimTask(request: claim, context: $0) }
      for days in [Int32(1), 2] {
        var more = Civicgrid_V1_RequestExtensionRequest()
        more.caseID = c.id
        more.task = 1
        more.expectedVersion = c.tasks[0].version
        more.workingDays = days
        more.reason = "site visit"
        c = try await f.call(handler) { try await f.cases.requestExtension(request: more, context: $0) }
        var decide = Civicgrid_V1_DecideExtensionRequest()
        decide.caseID = c.id
        decide.task = 1
        decide.expectedVersion = c.tasks[0].version
        decide.approve = true
        c = try await f.call(f.supervisor) { try await f.cases.decideExtension(request: decide, context: $0) }
      }
      // (task/position/…): positions 0 and 1 on the task and on the case clock, nothing repeated.
      let stored = try await Self.extensions(f.pool, id).map { String($0.prefix(4)) }
      #expect(stored == ["0/0/", "0/1/", "1/0/", "1/1/"])
      #expect(try await Self.pauses(f.pool, id) == ["0/0/ended"], "extensions leave the pauses alone")
    }
  }
}
