public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.AccessLists`: the community access list (社区工作事项准入, docs/ACCESS.md).
/// Lists are versioned: an admin proposes the next version, a supervisor other than the
/// proposer publishes or rejects it; every change is audited. The engine enforces published
/// lists where tasks are assigned (`AccessListRepository.check`), and refusals are counted
/// per sending unit (`record`, `getRefusalReport`).
public struct AccessListService: Civicgrid_V1_AccessLists.SimpleServiceProtocol {
  let store: StorePool
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { Instant.now })
  }

  public init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.now = now
  }

  public static let policies: [String: MethodPolicy] = [
    // Every account reads the lists of the units in its scope.
    "civicgrid.v1.AccessLists/GetAccessList": .authenticated,
    "civicgrid.v1.AccessLists/ProposeAccessList": .roles([.admin]),
    "civicgrid.v1.AccessLists/ReviewAccessList": .roles([.supervisor]),
    "civicgrid.v1.AccessLists/GetRefusalReport": .roles([.supervisor, .admin, .auditor]),
    "civicgrid.v1.AccessLists/SetDelegatedItems": .roles([.admin]),
    "civicgrid.v1.AccessLists/ListDelegatedItems": .authenticated,
  ]

  /// Counts a refused dispatch (access list or contract) against the caller's unit, in a
  /// transaction of its own.
  static func record(_ refusal: any DispatchRefusal, by principal: Principal, store: StorePool, at now: Instant) async throws {
    try await store.withConnection { connection in
      try await AccessListRepository(connection).recordRefusal(
        refusal, senderUnitID: principal.unitID, account: principal.login, method: RequestContext.current?.method ?? "", at: now
      )
    }
  }

  public func getAccessList(request: Civicgrid_V1_GetAccessListRequest, context: ServerContext) async throws -> Civicgrid_V1_AccessList {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.unitCode, field: "unit_code")
    return try await self.store.withConnection { connection in
      // In scope only: a unit outside it reads like a missing one (ScopeOracleTests).
      let unit = try await Self.guardedUnit(code, within: principal.scope.sqlRange, on: connection)
      return try await Self.message(code, unitID: unit.id, on: connection)
    }
  }

  public func proposeAccessList(request: Civicgrid_V1_ProposeAccessListRequest, context: ServerContext) async throws -> Civicgrid_V1_AccessList {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.unitCode, field: "unit_code")
    let items = try Self.items(request.items)
    let note = try Validation.text(request.note, field: "note", maxLength: 500, required: false)
    let now = self.now()
    return try await self.store.transaction { connection in
      let unit = try await Self.guardedUnit(code, within: principal.scope.sqlRange, on: connection)
      guard let version = try await AccessListRepository(connection).propose(unitID: unit.id, items: items, note: note, by: principal.login, at: now)
      else { throw DomainError.precondition("access list of \(code)", "a proposal is pending review; review it first") }
      try await AuditLog.append(on: connection, object: "access-list/\(code)", summary: "proposed version \(version) with \(items.count) items")
      return try await Self.message(code, unitID: unit.id, on: connection)
    }
  }

  public func reviewAccessList(request: Civicgrid_V1_ReviewAccessListRequest, context: ServerContext) async throws -> Civicgrid_V1_AccessList {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.unitCode, field: "unit_code")
    guard request.version >= 1 else { throw Require.invalid("version", "must be at least 1") }
    let note = try Validation.text(request.note, field: "note", maxLength: 500, required: false)
    let now = self.now()
    return try await self.store.transaction { connection in
      let unit = try await Self.guardedUnit(code, within: principal.scope.sqlRange, on: connection)
      let lists = AccessListRepository(connection)
      guard let proposal = try await lists.versions(unitID: unit.id).proposed, proposal.version == Int(request.version) else {
        throw DomainError.notFound("proposal \(request.version) of the access list of \(code)")
      }
      guard proposal.proposedBy != principal.login else {
        throw DomainError.permissionDenied("version: the proposer of an access list cannot review it")
      }
      try await lists.review(unitID: unit.id, version: proposal.version, approve: request.approve, note: note, by: principal.login, at: now)
      try await AuditLog.append(
        on: connection, object: "access-list/\(code)",
        summary: "\(request.approve ? "published" : "rejected") version \(proposal.version)\(note.isEmpty ? "" : ": \(note)")"
      )
      return try await Self.message(code, unitID: unit.id, on: connection)
    }
  }

  public func getRefusalReport(request: Civicgrid_V1_GetRefusalReportRequest, context: ServerContext) async throws -> Civicgrid_V1_RefusalReport {
    let principal = try RequestContext.principal()
    let from = try Validation.date(request.from, field: "from")
    let to = try Validation.date(request.to, field: "to")
    guard to >= from else { throw Require.invalid("to", "must not be before from") }
    // District days (UTC+8) as instants.
    let start = Instant(secondsSinceEpoch: from.daysSinceEpoch * 86_400 - 8 * 3600)
    let end = Instant(secondsSinceEpoch: (to.daysSinceEpoch + 1) * 86_400 - 8 * 3600)
    return try await self.store.withConnection { connection in
      Self.report(try await AccessListRepository(connection).refusals(range: principal.scope.sqlRange, from: start, to: end))
    }
  }

  /// One count per sender with its rules, most refused first, then by code.
  static func report(_ tallies: [RefusalTally]) -> Civicgrid_V1_RefusalReport {
    var senders: [String: Civicgrid_V1_RefusalCount] = [:]
    for tally in tallies {
      var rule = Civicgrid_V1_RuleRefusals()
      rule.rule = tally.rule
      rule.refused = Int64(tally.refused)
      rule.itemCodes = tally.itemCodes
      var count = senders[tally.senderUnitCode] ?? Civicgrid_V1_RefusalCount()
      count.senderUnitCode = tally.senderUnitCode
      count.refused += rule.refused
      count.itemCodes = Array(Set(count.itemCodes).union(tally.itemCodes)).sorted()
      count.rules.append(rule)
      senders[tally.senderUnitCode] = count
    }
    var report = Civicgrid_V1_RefusalReport()
    report.senders = senders.values.sorted { ($1.refused, $0.senderUnitCode) < ($0.refused, $1.senderUnitCode) }
    return report
  }

  /// A community or village in `range`; anything else is INVALID_ARGUMENT naming unit_code.
  static func guardedUnit(_ code: String, within range: UnitPathRange, on connection: StoreConnection) async throws -> UnitRecord {
    guard let unit = try await UnitRepository(connection).unit(code: code, within: range) else {
      throw Require.invalid("unit_code", "unit \(code) not found in your scope")
    }
    guard AccessListRepository.guardedKinds.contains(unit.kind) else {
      throw Require.invalid("unit_code", "\(code) is a \(unit.kind); access lists are kept by communities and villages")
    }
    return unit
  }

  static func items(_ items: [Civicgrid_V1_AccessItem]) throws(DomainError) -> [AccessItem] {
    guard items.count <= 500 else { throw Require.invalid("items", "must hold at most 500 items") }
    var seen: Set<String> = []
    return try items.enumerated().map { index, item throws(DomainError) in
      let field = "items[\(index)]"
      let code = try Validation.code(item.code, field: "\(field).code")
      guard seen.insert(code).inserted else { throw Require.invalid("\(field).code", "\(code) is listed twice") }
      return AccessItem(
        code: code,
        name: try Validation.text(item.name, field: "\(field).name", maxLength: 200),
        approvingBody: try Validation.text(item.approvingBody, field: "\(field).approving_body", maxLength: 200),
        approvedOn: try Validation.date(item.approvedOn, field: "\(field).approved_on"),
        basis: try Validation.text(item.basis, field: "\(field).basis", maxLength: 500)
      )
    }
  }

  static func message(_ code: String, unitID: Int64, on connection: StoreConnection) async throws -> Civicgrid_V1_AccessList {
    let (published, proposed) = try await AccessListRepository(connection).versions(unitID: unitID)
    var list = Civicgrid_V1_AccessList()
    list.unitCode = code
    if let published { list.published = Self.message(published, against: nil) }
    if let proposed { list.proposal = Self.message(proposed, against: published) }
    return list
  }

  static func message(_ version: AccessListVersion, against published: AccessListVersion?) -> Civicgrid_V1_AccessListVersion {
    var m = Civicgrid_V1_AccessListVersion()
    m.version = Int32(version.version)
    m.status = version.status
    m.note = version.note
    m.proposedBy = version.proposedBy
    m.reviewedBy = version.reviewedBy ?? ""
    m.items = version.items.map { item in
      var i = Civicgrid_V1_AccessItem()
      i.code = item.code
      i.name = item.name
      i.approvingBody = item.approvingBody
      i.approvedOn = item.approvedOn.description
      i.basis = item.basis
      return i
    }
    if version.status == "proposed" {
      let now = Set(version.items.map(\.code))
      let before = Set(published?.items.map(\.code) ?? [])
      m.added = now.subtracting(before).sorted()
      m.removed = before.subtracting(now).sorted()
    }
    return m
  }
}
