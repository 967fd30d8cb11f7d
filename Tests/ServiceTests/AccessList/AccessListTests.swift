import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// The community access list (docs/ACCESS.md) against a scratch PostgreSQL database: the
/// propose → review → publish flow, and the engine refusing work for an unlisted item at a
/// community with a published list, for a dispatched stage and a dispute's route alike, each
/// refusal counted for its sending unit.
@Suite("Community access list", .serialized, .timeLimit(.minutes(5)))
struct AccessListTests {
  /// Adds community C01 under the street; returns its id.
  static func community(_ pool: StorePool, street: (id: Int64, path: String)) async throws {
    _ = try await pool.query(
      "INSERT INTO units (code, name, kind, parent_id, path) VALUES ('C01', 'Heping Community', 'community', $1, $2)",
      [street.id, street.path + "C01/"]
    )
  }

  static func item(_ code: String) -> Civicgrid_V1_AccessItem {
    var item = Civicgrid_V1_AccessItem()
    item.code = code
    item.name = code
    item.approvingBody = "District Civil Affairs Bureau"
    item.approvedOn = "2026-01-15"
    item.basis = "District notice 2026-3"
    return item
  }

  /// Proposes `codes` as C01's next list as `proposer`, then publishes it as `reviewer`.
  static func publish(_ codes: [String], service: AccessListService, base: CaseFixture) async throws -> Civicgrid_V1_AccessList {
    var propose = Civicgrid_V1_ProposeAccessListRequest()
    propose.unitCode = "C01"
    propose.items = codes.map(Self.item)
    let proposed = try await base.call(base.admin) { try await service.proposeAccessList(request: propose, context: $0) }
    var review = Civicgrid_V1_ReviewAccessListRequest()
    review.unitCode = "C01"
    review.version = proposed.proposal.version
    review.approve = true
    return try await base.call(base.supervisor) { try await service.reviewAccessList(request: review, context: $0) }
  }

  /// Publishes an item whose one stage goes to the lead department and the community C01.
  static func publishCommunityItem(_ f: CaseFixture) async throws {
    try await f.publishOneStageItem("community-care", name: "Community care visit", units: ["CIVIL", "C01"])
  }

  /// Takes in an application for a one-stage item without materials and accepts it (dispatching the stage).
  static func submitAndAccept(_ f: CaseFixture, item: String = "community-care") async throws -> Civicgrid_V1_Case {
    var request = f.application(item)
    request.providedMaterials = []
    let submitted = try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) }
    var accept = Civicgrid_V1_AcceptCaseRequest()
    accept.caseID = submitted.id
    accept.expectedVersion = submitted.version
    return try await f.call(f.clerk) { try await f.cases.acceptCase(request: accept, context: $0) }
  }

  @Test("a stage dispatched to a community whose published list lacks the item is FAILED_PRECONDITION naming the rule and the item; listed, it goes through")
  func stageDispatch() async throws {
    try await CaseFixture.with { f in
      try await Self.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      try await Self.publishCommunityItem(f)
      // No list published yet: the community is not guarded.
      #expect(try await Self.submitAndAccept(f).tasks.map(\.unitCode) == ["CIVIL", "C01"])

      let published = try await Self.publish(["garbage-sorting-survey"], service: lists, base: f)
      #expect(published.published.version == 1 && published.published.items.map(\.code) == ["garbage-sorting-survey"])
      let refused = await rpcCode { _ = try await Self.submitAndAccept(f) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "community-care").description)
      #expect(refused?.1.hasPrefix("community access list (社区工作事项准入): item community-care") == true)

      var report = Civicgrid_V1_GetRefusalReportRequest()
      report.from = "2000-01-01"
      report.to = "2199-12-31"
      let counted = try await f.call(f.supervisor) { try await lists.getRefusalReport(request: report, context: $0) }
      #expect(counted.senders.map(\.senderUnitCode) == ["CTR"] && counted.senders[0].refused == 1)
      #expect(counted.senders[0].itemCodes == ["community-care"])
      #expect(counted.senders[0].rules.map(\.rule) == ["access-list"] && counted.senders[0].rules[0].refused == 1)

      let second = try await Self.publish(["garbage-sorting-survey", "community-care"], service: lists, base: f)
      #expect(second.published.version == 2)
      #expect(try await Self.submitAndAccept(f).tasks.map(\.unitCode) == ["CIVIL", "C01"])
      let audited = try await f.pool.query("SELECT count(*)::int FROM audit_log WHERE object = 'access-list/C01'").scalar(Int.self)
      #expect(audited == 4)
    }
  }

  @Test("publishing a catalogue version whose stage would dispatch an unlisted item to a community is refused")
  func cataloguePublish() async throws {
    try await CaseFixture.with { f in
      try await Self.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      _ = try await Self.publish(["garbage-sorting-survey"], service: lists, base: f)
      let refused = await rpcCode { try await Self.publishCommunityItem(f) }
      #expect(refused?.0 == .failedPrecondition && refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "community-care").description)
      _ = try await Self.publish(["garbage-sorting-survey", "community-care"], service: lists, base: f)
      var publish = Civicgrid_V1_ItemVersionRequest()
      publish.code = "community-care"
      publish.version = 1
      publish.expectedItemVersion = 1
      let published = try await f.call(f.admin) { try await f.catalog.publishVersion(request: publish, context: $0) }
      #expect(published.status == .published)
    }
  }

  @Test("a dispute routed to a community off its list is refused the same way")
  func disputeRoute() async throws {
    try await DisputeFixture.with { f in
      try await Self.community(f.base.pool, street: f.units["S01"]!)
      _ = try await Self.publish(["community-care"], service: AccessListService(store: f.base.pool), base: f.base)
      let dispute = try await f.submit()
      let refused = await rpcCode { _ = try await f.recordReview(dispute, [(.peoplesMediation, "C01")]) }
      #expect(refused?.0 == .failedPrecondition && refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "DISPUTE").description)
      // Elsewhere the route goes through.
      #expect(try await f.recordReview(dispute, [(.peoplesMediation, "MC1")]).routes.map(\.task.unitCode) == ["MC1"])
    }
  }

  @Test("proposals: only for communities and villages, codes unique, one pending at a time, never reviewed by their proposer")
  func proposals() async throws {
    try await CaseFixture.with { f in
      try await Self.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      var propose = Civicgrid_V1_ProposeAccessListRequest()
      propose.unitCode = "S01"
      propose.items = [Self.item("a")]
      let street = await rpcCode { _ = try await f.call(f.admin) { try await lists.proposeAccessList(request: propose, context: $0) } }
      #expect(street?.0 == .invalidArgument && street?.1 == "unit_code: S01 is a street; access lists are kept by communities and villages")
      propose.unitCode = "C01"
      propose.items = [Self.item("a"), Self.item("a")]
      let twice = await rpcCode { _ = try await f.call(f.admin) { try await lists.proposeAccessList(request: propose, context: $0) } }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("items[1].code:") == true)
      propose.items = [Self.item("a")]
      let proposed = try await f.call(f.admin) { try await lists.proposeAccessList(request: propose, context: $0) }
      #expect(proposed.proposal.added == ["a"] && !proposed.hasPublished)
      let pending = await rpcCode { _ = try await f.call(f.admin) { try await lists.proposeAccessList(request: propose, context: $0) } }
      #expect(pending?.0 == .failedPrecondition)
      var review = Civicgrid_V1_ReviewAccessListRequest()
      review.unitCode = "C01"
      review.version = proposed.proposal.version
      review.approve = true
      let own = f.principal("admin", "D01", [.admin, .supervisor])
      let selfReview = await rpcCode { _ = try await f.call(own) { try await lists.reviewAccessList(request: review, context: $0) } }
      #expect(selfReview?.0 == .permissionDenied)
      review.approve = false
      let rejected = try await f.call(f.supervisor) { try await lists.reviewAccessList(request: review, context: $0) }
      #expect(!rejected.hasPublished && !rejected.hasProposal)
    }
  }
}
