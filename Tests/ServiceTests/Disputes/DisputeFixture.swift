import CivicDomain
import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// `CaseFixture` with the Disputes service and the units disputes go to: a mediation
/// committee under the street (MC1), a social organisation (SO1) and the court link (COURT),
/// with a service contract covering disputes, and the district's ladder (community → street →
/// district centre → court link).
struct DisputeFixture: Sendable {
  let base: CaseFixture
  let disputes: DisputesService
  let units: [String: (id: Int64, path: String)]

  static let idNumber = "110105195303150027"
  static let phone = "13800138000"
  static let maskedID = "110***********0027"
  static let maskedPhone = "138****8000"

  /// `now` scripts the instants commands are stamped with (default: the wall clock).
  static func with(now: (@Sendable () -> Instant)? = nil, _ body: (DisputeFixture) async throws -> Void) async throws {
    try await CaseFixture.with { base in
      var units = base.units
      for (code, kind, parent) in [("MC1", "centre", "S01"), ("SO1", "social_organisation", "D01"), ("COURT", "department", "D01")] {
        let path = units[parent]!.path + "\(code)/"
        let id = try await base.pool.query(
          "INSERT INTO units (code, name, kind, parent_id, path) VALUES ($1, $1, $2, $3, $4) RETURNING id", [code, kind, units[parent]!.id, path]
        ).scalar(Int64.self)!
        units[code] = (id, path)
      }
      try await base.pool.withConnection { connection in
        try await DisputeRepository(connection).replaceLadder(
          districtUnitID: units["D01"]!.id, with: try DisputeLadder(rungs: ["community", "street", "district centre", "court link"])
        )
        // Work reaches a social organisation only under a service contract (docs/CONTRACTS.md): SO1's covers disputes.
        _ = try await ContractRepository(connection).insert(
          purchaserID: units["D01"]!.id, organisationID: units["SO1"]!.id, title: "Legal aid for disputes", itemCodes: ["DISPUTE"],
          startsOn: CivilDate("2000-01-01")!, endsOn: CivilDate("2199-12-31")!, amountFen: 1_000_000,
          targets: ContractTargets(tasks: 0, onTimePercent: 0, satisfiedPercent: 0), by: "admin", at: Instant(secondsSinceEpoch: 0)
        )
      }
      let disputes = now.map { DisputesService(store: base.pool, now: $0) } ?? DisputesService(store: base.pool)
      try await body(DisputeFixture(base: base, disputes: disputes, units: units))
    }
  }

  func principal(_ login: String, _ unit: String, _ roles: Set<Role>) -> Principal {
    let (id, path) = self.units[unit]!
    return Principal(accountID: Int64(abs(login.hashValue % 1_000_000)), login: login, unitID: id, unitCode: unit, unitPath: path, roles: roles)
  }

  var clerk: Principal { self.principal("clerk1", "CTR", [.clerk]) }
  /// The centre's mediator, who chairs reviews and closes disputes.
  var mediator: Principal { self.principal("med-ctr", "CTR", [.mediator]) }
  /// A mediator of the committee a route goes to.
  var committee: Principal { self.principal("med-mc1", "MC1", [.mediator]) }
  var supervisor: Principal { self.principal("sup", "D01", [.supervisor]) }
  var gridWorker: Principal { self.principal("grid1", "CTR", [.gridWorker]) }
  var auditor: Principal { self.principal("aud", "CTR2", [.auditor]) }
  var partner: Principal { self.principal("portal", "D01", [.partner]) }

  func call<R: Sendable>(_ principal: Principal, _ body: (ServerContext) async throws -> R) async throws -> R {
    try await self.base.call(principal, "test", body)
  }

  func submission(channel: Civicgrid_V1_DisputeChannel = .window, key: String = "", summary: String = "A wall between two yards") -> Civicgrid_V1_SubmitDisputeRequest {
    var request = Civicgrid_V1_SubmitDisputeRequest()
    request.type = .dispute
    request.category = .neighbourhood
    request.channel = channel
    request.summary = summary
    var applicant = Civicgrid_V1_DisputeParty()
    applicant.role = .applicant
    applicant.name = "Zhang Xiuying"
    applicant.idNumber = Self.idNumber
    applicant.phone = Self.phone
    var respondent = Civicgrid_V1_DisputeParty()
    respondent.role = .respondent
    respondent.name = "Li Wei"
    request.parties = [applicant, respondent]
    request.idempotencyKey = key
    return request
  }

  func submit(as principal: Principal? = nil) async throws -> Civicgrid_V1_Dispute {
    try await self.call(principal ?? self.clerk) { try await self.disputes.submitDispute(request: self.submission(), context: $0) }
  }

  func review(_ dispute: Civicgrid_V1_Dispute, _ routes: [(Civicgrid_V1_ResolutionChannel, String)], days: Int32 = 10, risk: Civicgrid_V1_RiskLevel = .medium) -> Civicgrid_V1_RecordReviewRequest {
    var request = Civicgrid_V1_RecordReviewRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.heldOn = "2026-12-07"
    request.participants = ["med-ctr@CTR", "S01"]
    request.risk = risk
    request.assessment = "neighbours, long-running"
    request.workingDays = days
    request.routes = routes.map { channel, unit in
      var route = Civicgrid_V1_Route()
      route.channel = channel
      route.unitCode = unit
      return route
    }
    return request
  }

  func recordReview(_ dispute: Civicgrid_V1_Dispute, _ routes: [(Civicgrid_V1_ResolutionChannel, String)]) async throws -> Civicgrid_V1_Dispute {
    try await self.call(self.mediator) { try await self.disputes.recordReview(request: self.review(dispute, routes), context: $0) }
  }

  func outcome(_ dispute: Civicgrid_V1_Dispute, task: Int32, _ outcome: Civicgrid_V1_ChannelOutcome, detail: String = "terms: the wall is rebuilt at shared cost") -> Civicgrid_V1_RecordOutcomeRequest {
    var request = Civicgrid_V1_RecordOutcomeRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.task = task
    request.outcome = outcome
    request.detail = detail
    return request
  }

  func recordOutcome(_ dispute: Civicgrid_V1_Dispute, task: Int32, _ outcome: Civicgrid_V1_ChannelOutcome, as principal: Principal? = nil) async throws -> Civicgrid_V1_Dispute {
    try await self.call(principal ?? self.committee) { try await self.disputes.recordOutcome(request: self.outcome(dispute, task: task, outcome), context: $0) }
  }

  func get(_ id: String, as principal: Principal? = nil) async throws -> Civicgrid_V1_Dispute {
    var request = Civicgrid_V1_GetDisputeRequest()
    request.disputeID = id
    return try await self.call(principal ?? self.mediator) { try await self.disputes.getDispute(request: request, context: $0) }
  }

  func close(_ dispute: Civicgrid_V1_Dispute, _ result: Civicgrid_V1_DisputeResult, rating: Int32 = 0) -> Civicgrid_V1_CloseDisputeRequest {
    var request = Civicgrid_V1_CloseDisputeRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.result = result
    request.note = "closed"
    if rating > 0 {
      request.returnVisited = true
      request.satisfied = rating >= 4
      request.rating = rating
    }
    return request
  }
}
