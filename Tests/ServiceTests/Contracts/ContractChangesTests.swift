import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Ending and amending service purchase contracts (docs/CONTRACTS.md, "Ending and amending")
/// against a scratch PostgreSQL database: each change is a new, audited version; tasks
/// already assigned keep running; new assignments follow the current version; every refusal
/// (unknown contract, ended contract, bad period, stale version, missing reason) writes nothing.
/// Wrong roles are refused by the method policies (`AuthorizationMatrixTests`, and over a
/// real server in `CivicctlContractsTests`).
@Suite("Service purchase contracts: ending and amending", .serialized, .timeLimit(.minutes(5)))
struct ContractChangesTests {
  /// Today in the district (UTC+8), as the service reads it from the wall clock.
  static var today: CivilDate {
    CivilDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 + 8 * 3600) / 86_400))
  }

  static func get(_ id: String, _ service: ContractsService, _ f: DisputeFixture) async throws -> Civicgrid_V1_Contract {
    var get = Civicgrid_V1_GetContractRequest()
    get.id = id
    return try await f.call(f.supervisor) { try await service.getContract(request: get, context: $0) }
  }

  static func end(_ contract: Civicgrid_V1_Contract, lastDay: CivilDate, reason: String = "the organisation lost its licence") -> Civicgrid_V1_EndContractRequest {
    var request = Civicgrid_V1_EndContractRequest()
    request.id = contract.id
    request.expectedVersion = contract.version
    request.endsOn = lastDay.description
    request.reason = reason
    return request
  }

  static func amend(_ contract: Civicgrid_V1_Contract, reason: String = "scope agreed anew", _ change: (inout Civicgrid_V1_AmendContractRequest) -> Void) -> Civicgrid_V1_AmendContractRequest {
    var request = Civicgrid_V1_AmendContractRequest()
    request.id = contract.id
    request.expectedVersion = contract.version
    request.reason = reason
    change(&request)
    return request
  }

  /// Closes the dispute's one route (task 1, at SO2) by the organisation's mediator.
  static func finish(_ routed: Civicgrid_V1_Dispute, _ f: DisputeFixture, so2: (id: Int64, path: String)) async throws {
    let worker = Principal(accountID: 77, login: "med-so2", unitID: so2.id, unitCode: "SO2", unitPath: so2.path, roles: [.mediator])
    let agreed = try await f.recordOutcome(routed, task: 1, .agreement, as: worker)
    _ = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(agreed, .resolved, rating: 5), context: $0) }
  }

  @Test("amending the scope is a new audited version: the task assigned before keeps running and counts; a new assignment outside the new scope is refused")
  func amendScope() async throws {
    try await DisputeFixture.with { f in
      let so2 = try await ContractsTests.organisation(f)
      try await f.base.publishItem()
      let service = ContractsService(store: f.base.pool)
      let created = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"]), service, f.base)
      #expect(created.version == 1)
      let routed = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")])

      let amended = try await f.base.call(f.base.admin) {
        try await service.amendContract(request: Self.amend(created) { $0.itemCodes = ["elderly-allowance"]; $0.amountFen = 15_000_000 }, context: $0)
      }
      #expect(amended.version == 2 && amended.itemCodes == ["elderly-allowance"] && amended.amountFen == 15_000_000)
      #expect(amended.changes.map(\.change) == ["created", "amended"])
      #expect(amended.changes[1].summary == "item_codes +elderly-allowance -DISPUTE; amount_fen 12000000 → 15000000", "\(amended.changes[1].summary)")
      #expect(amended.changes[1].reason == "scope agreed anew" && amended.changes[1].changedBy == "admin")

      let refused = await rpcCode { _ = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")]) }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasSuffix("no contract of it covers the item") == true, "\(String(describing: refused))")

      try await Self.finish(routed, f, so2: so2)
      let shown = try await Self.get(created.id, service, f)
      #expect(shown.indicators.tasks == 1 && shown.indicators.finished == 1, "the task assigned under version 1 still counts")
      let linked = try await f.base.pool.query("SELECT contract_version FROM service_contract_tasks WHERE contract_id = \(ServiceContract.id(created.id)!)").scalar(Int.self)
      #expect(linked == 1, "the task was assigned under version 1")
      let audited = try await f.base.pool.query("SELECT count(*)::int FROM audit_log WHERE object = $1", ["contract/\(created.id)"]).scalar(Int.self)
      #expect(audited == 2)
      let versions = try await f.base.pool.query(
        "SELECT array_to_string(item_codes, ',') FROM service_contract_versions WHERE contract_id = $1 ORDER BY version", [ServiceContract.id(created.id)!]
      ).rows.map { try $0.decode(String.self, at: 0) }
      #expect(versions == ["DISPUTE", "elderly-allowance"], "each version keeps its own terms")
    }
  }

  @Test("ending early refuses new work after the last day naming the early end, while the task assigned before keeps running; an ended contract is not changed again")
  func endEarly() async throws {
    try await DisputeFixture.with { f in
      let so2 = try await ContractsTests.organisation(f)
      let service = ContractsService(store: f.base.pool)
      let created = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"]), service, f.base)
      let routed = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")])

      let yesterday = Self.today.adding(days: -1)
      let ended = try await f.base.call(f.base.admin) { try await service.endContract(request: Self.end(created, lastDay: yesterday), context: $0) }
      #expect(ended.status == "ended" && ended.endsOn == yesterday.description && ended.version == 2)
      #expect(ended.endReason == "the organisation lost its licence")
      #expect(ended.changes.last?.change == "ended" && ended.changes.last?.summary == "ends_on 2199-12-31 → \(yesterday)")

      let refused = await rpcCode { _ = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")]) }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1.hasSuffix("contract \(created.id) covering the item was ended early, its last day \(yesterday)") == true, "\(String(describing: refused))")

      try await Self.finish(routed, f, so2: so2)
      #expect(try await Self.get(created.id, service, f).indicators.finished == 1)

      let again = await rpcCode { _ = try await f.base.call(f.base.admin) { try await service.endContract(request: Self.end(ended, lastDay: yesterday), context: $0) } }
      #expect(again?.0 == .failedPrecondition && again?.1.contains("was ended early") == true, "\(String(describing: again))")
      let amend = await rpcCode {
        _ = try await f.base.call(f.base.admin) { try await service.amendContract(request: Self.amend(ended) { $0.amountFen = 1 }, context: $0) }
      }
      #expect(amend?.0 == .failedPrecondition, "\(String(describing: amend))")
    }
  }

  @Test("an upcoming contract ended before its first day covers no day and reads as ended")
  func cancelUpcoming() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let service = ContractsService(store: f.base.pool)
      let starts = Self.today.adding(days: 30)
      let created = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"], starts.description, "2199-12-31"), service, f.base)
      #expect(created.status == "upcoming")
      let ended = try await f.base.call(f.base.admin) {
        try await service.endContract(request: Self.end(created, lastDay: starts.adding(days: -1), reason: "budget withdrawn"), context: $0)
      }
      #expect(ended.status == "ended" && ended.endsOn == starts.adding(days: -1).description)
    }
  }

  /// Each refused change: the field or state it names, and its code.
  static let refusals: [(name: String, code: RPCError.Code, names: String, request: @Sendable (Civicgrid_V1_Contract) -> Either)] = [
    ("unknown contract", .notFound, "SC999999", { c in .amend(Self.amend(c) { $0.id = "SC999999"; $0.amountFen = 1 }) }),
    ("bad contract number", .invalidArgument, "id", { c in .end(Self.end(c, lastDay: Self.today).with { $0.id = "X1" }) }),
    ("stale version", .aborted, "version 1, not 2", { c in .amend(Self.amend(c) { $0.expectedVersion = 2; $0.amountFen = 1 }) }),
    ("no reason", .invalidArgument, "reason", { c in .end(Self.end(c, lastDay: Self.today, reason: " ")) }),
    ("end retroactively", .invalidArgument, "ends_on", { c in .end(Self.end(c, lastDay: Self.today.adding(days: -2))) }),
    ("end after the last day", .invalidArgument, "ends_on", { c in .end(Self.end(c, lastDay: CivilDate("2199-12-31")!)) }),
    ("bad date", .invalidArgument, "ends_on", { c in .end(Self.end(c, lastDay: Self.today).with { $0.endsOn = "2026-02-30" }) }),
    ("last day before today", .invalidArgument, "ends_on", { c in .amend(Self.amend(c) { $0.endsOn = "2001-01-01" }) }),
    ("first day of a begun contract", .invalidArgument, "starts_on", { c in .amend(Self.amend(c) { $0.startsOn = "2199-01-01" }) }),
    ("nothing to amend", .invalidArgument, "item_codes", { c in .amend(Self.amend(c) { _ in }) }),
    ("unknown item", .invalidArgument, "item_codes[1]", { c in .amend(Self.amend(c) { $0.itemCodes = ["DISPUTE", "no-such-item"] }) }),
    ("bad target", .invalidArgument, "targets.on_time_percent", { c in .amend(Self.amend(c) { $0.targets.onTimePercent = 101 }) }),
    ("negative amount", .invalidArgument, "amount_fen", { c in .amend(Self.amend(c) { $0.amountFen = -5 }) }),
    ("same terms", .invalidArgument, "changes nothing", { c in .amend(Self.amend(c) { $0.amountFen = c.amountFen }) }),
  ]

  enum Either: Sendable {
    case end(Civicgrid_V1_EndContractRequest)
    case amend(Civicgrid_V1_AmendContractRequest)
  }

  @Test("a refused change answers its code naming the field or state, and writes no version", arguments: 0..<Self.refusals.count)
  func refused(index: Int) async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let service = ContractsService(store: f.base.pool)
      let created = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"], "2000-01-01", "2199-12-31"), service, f.base)
      let refusal = Self.refusals[index]
      let answer = await rpcCode {
        _ = try await f.base.call(f.base.admin) { context in
          switch refusal.request(created) {
          case .end(let request): return try await service.endContract(request: request, context: context)
          case .amend(let request): return try await service.amendContract(request: request, context: context)
          }
        }
      }
      #expect(answer?.0 == refusal.code && answer?.1.contains(refusal.names) == true, "\(refusal.name): \(String(describing: answer))")
      let versions = try await f.base.pool.query("SELECT count(*)::int FROM service_contract_versions WHERE contract_id = $1", [ServiceContract.id(created.id)!]).scalar(Int.self)
      #expect(versions == 1, "\(refusal.name)")
    }
  }

  @Test("an admin whose scope holds neither purchaser nor organisation gets NOT_FOUND")
  func outsideScope() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let service = ContractsService(store: f.base.pool)
      let created = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"]), service, f.base)
      let outsider = f.principal("admin-ctr2", "CTR2", [.admin])
      let hidden = await rpcCode { _ = try await f.call(outsider) { try await service.endContract(request: Self.end(created, lastDay: Self.today), context: $0) } }
      #expect(hidden?.0 == .notFound, "\(String(describing: hidden))")
    }
  }
}

extension Civicgrid_V1_EndContractRequest {
  func with(_ change: (inout Self) -> Void) -> Self {
    var copy = self
    change(&copy)
    return copy
  }
}
