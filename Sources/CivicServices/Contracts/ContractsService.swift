public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Contracts`: service purchase contracts (政府购买服务, docs/CONTRACTS.md).
/// An admin records a contract of a purchasing unit in scope with a social organisation; the
/// case engine enforces them where tasks are assigned (`ContractRepository.contracts(for:)`)
/// and links each task to its contract, from which the indicators here are computed.
public struct ContractsService: Civicgrid_V1_Contracts.SimpleServiceProtocol {
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
    "civicgrid.v1.Contracts/CreateContract": .roles([.admin]),
    // The organisation's handlers see what their work is bought under; supervisors and auditors check it.
    "civicgrid.v1.Contracts/GetContract": .roles([.handler, .supervisor, .admin, .auditor]),
    "civicgrid.v1.Contracts/ListContracts": .roles([.handler, .supervisor, .admin, .auditor]),
    "civicgrid.v1.Contracts/EndContract": .roles([.admin]),
    "civicgrid.v1.Contracts/AmendContract": .roles([.admin]),
  ]

  public func createContract(request: Civicgrid_V1_CreateContractRequest, context: ServerContext) async throws -> Civicgrid_V1_Contract {
    let principal = try RequestContext.principal()
    let terms = try ContractTerms(request)
    let now = self.now()
    return try await self.store.transaction { connection in
      let units = UnitRepository(connection)
      guard let purchaser = try await units.unit(code: terms.purchaserCode, within: principal.scope.sqlRange) else {
        throw Require.invalid("purchaser_unit_code", "unit \(terms.purchaserCode) not found in your scope")
      }
      guard !["grid", ContractRepository.organisationKind].contains(purchaser.kind) else {
        throw Require.invalid("purchaser_unit_code", "\(terms.purchaserCode) is a \(purchaser.kind); services are purchased by government units")
      }
      // Organisations serve the whole district: any one may be contracted, not only those under
      // the purchaser. Any other unit, or none, reads alike, so the answer tells nothing of units
      // outside the caller's scope (ScopeOracleTests).
      guard let organisation = try await units.unit(code: terms.organisationCode), organisation.kind == ContractRepository.organisationKind else {
        throw Require.invalid("organisation_unit_code", "\(terms.organisationCode) is not a social organisation")
      }
      try await Self.requireKnown(terms.itemCodes, on: connection)
      let contracts = ContractRepository(connection)
      let id = try await contracts.insert(
        purchaserID: purchaser.id, organisationID: organisation.id, title: terms.title, itemCodes: terms.itemCodes,
        startsOn: terms.startsOn, endsOn: terms.endsOn, amountFen: terms.amountFen, targets: terms.targets, by: principal.login, at: now
      )
      try await AuditLog.append(
        on: connection, object: "contract/\(ServiceContract.number(id))",
        summary: "\(terms.purchaserCode) buys from \(terms.organisationCode) \(terms.startsOn)…\(terms.endsOn), \(terms.amountFen) fen: \(terms.itemCodes.joined(separator: ", "))"
      )
      guard let contract = try await contracts.contract(id: id, within: UnitRepository.everywhere) else {
        throw DomainError.notFound("contract \(ServiceContract.number(id))")
      }
      return try await Self.message(contract, on: connection, today: PeopleService.day(of: now))
    }
  }

  public func getContract(request: Civicgrid_V1_GetContractRequest, context: ServerContext) async throws -> Civicgrid_V1_Contract {
    let principal = try RequestContext.principal()
    guard let id = ServiceContract.id(request.id) else { throw Require.invalid("id", "must be a contract number like SC000001") }
    let today = PeopleService.day(of: self.now())
    return try await self.store.withConnection { connection in
      // Outside the caller's scope reads like a missing one (ScopeOracleTests).
      guard let contract = try await ContractRepository(connection).contract(id: id, within: principal.scope.sqlRange) else {
        throw DomainError.notFound("contract \(ServiceContract.number(id))")
      }
      return try await Self.messageWithChanges(contract, on: connection, today: today)
    }
  }

  public func listContracts(request: Civicgrid_V1_ListContractsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListContractsResponse {
    let principal = try RequestContext.principal()
    let organisation = request.organisationUnitCode.isEmpty ? nil : try Validation.code(request.organisationUnitCode, field: "organisation_unit_code")
    guard (0...200).contains(request.limit) else { throw Require.invalid("limit", "must be 1–200 (0: 50)") }
    let today = PeopleService.day(of: self.now())
    return try await self.store.withConnection { connection in
      var response = Civicgrid_V1_ListContractsResponse()
      for contract in try await ContractRepository(connection).list(
        organisationCode: organisation, within: principal.scope.sqlRange, limit: request.limit == 0 ? 50 : Int(request.limit)
      ) {
        response.contracts.append(try await Self.message(contract, on: connection, today: today))
      }
      return response
    }
  }

  /// Every code of a scope is a catalogue item or a case kind's item (INVALID_ARGUMENT naming it otherwise).
  static func requireKnown(_ itemCodes: [String], on connection: StoreConnection) async throws {
    let catalog = CatalogRepository(connection)
    for (index, code) in itemCodes.enumerated() where !ServiceContract.kindItemCodes.contains(code) {
      guard try await catalog.exists(code: code) else {
        throw Require.invalid("item_codes[\(index)]", "\(code) is neither a catalogue item nor one of \(ServiceContract.kindItemCodes.sorted().joined(separator: ", "))")
      }
    }
  }

  static func message(_ contract: ServiceContract, on connection: StoreConnection, today: CivilDate) async throws -> Civicgrid_V1_Contract {
    let indicators = try await ContractRepository(connection).indicators(contractID: contract.id)
    var m = Civicgrid_V1_Contract()
    m.id = ServiceContract.number(contract.id)
    m.purchaserUnitCode = contract.purchaserCode
    m.organisationUnitCode = contract.organisationCode
    m.title = contract.title
    m.itemCodes = contract.itemCodes
    m.startsOn = contract.startsOn.description
    m.endsOn = contract.endsOn.description
    m.amountFen = contract.amountFen
    m.targets.tasks = Int32(contract.targets.tasks)
    m.targets.onTimePercent = Int32(contract.targets.onTimePercent)
    m.targets.satisfiedPercent = Int32(contract.targets.satisfiedPercent)
    m.status = contract.status(on: today)
    m.createdBy = contract.createdBy
    m.indicators.tasks = Int64(indicators.tasks)
    m.indicators.finished = Int64(indicators.finished)
    m.indicators.onTime = Int64(indicators.onTime)
    if let rate = indicators.onTimeRate { m.indicators.onTimeRate = rate }
    m.indicators.judged = Int64(indicators.judged)
    m.indicators.satisfied = Int64(indicators.satisfied)
    if let rate = indicators.satisfactionRate { m.indicators.satisfactionRate = rate }
    m.indicators.missedTargets = indicators.missed(contract.targets)
    m.version = Int64(contract.version)
    m.endReason = contract.endReason ?? ""
    return m
  }

  /// `message` with the contract's versions, for answers about one contract.
  static func messageWithChanges(_ contract: ServiceContract, on connection: StoreConnection, today: CivilDate) async throws -> Civicgrid_V1_Contract {
    var m = try await Self.message(contract, on: connection, today: today)
    m.changes = try await ContractRepository(connection).versions(contractID: contract.id).map { version in
      var change = Civicgrid_V1_ContractChange()
      change.version = Int64(version.version)
      change.change = version.change
      change.summary = version.summary
      change.reason = version.reason
      change.changedBy = version.changedBy
      change.changedAt = version.changedAt.timestamp
      return change
    }
    return m
  }
}
