import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
public import GRPCCore

extension ContractsService {
  /// Ends a contract early (docs/CONTRACTS.md, "Ending and amending"): a new version whose
  /// last day is `ends_on`, with the reason, audited. Tasks assigned under it keep running.
  public func endContract(request: Civicgrid_V1_EndContractRequest, context: ServerContext) async throws -> Civicgrid_V1_Contract {
    let id = try Self.contractID(request.id)
    let expected = try Require.version("expected_version", request.expectedVersion)
    let lastDay = try Validation.date(request.endsOn, field: "ends_on")
    let reason = try Validation.text(request.reason, field: "reason", maxLength: 500)
    return try await self.change(id: id, expected: expected, kind: "ended", reason: reason) { contract, today throws(DomainError) in
      try contract.ended(lastDay: lastDay, reason: reason, today: today)
    }
  }

  /// Amends a contract's scope, period, amount or targets: a new version with the reason,
  /// audited. Tasks already assigned keep running; new assignments follow the new terms.
  public func amendContract(request: Civicgrid_V1_AmendContractRequest, context: ServerContext) async throws -> Civicgrid_V1_Contract {
    let id = try Self.contractID(request.id)
    let expected = try Require.version("expected_version", request.expectedVersion)
    let reason = try Validation.text(request.reason, field: "reason", maxLength: 500)
    var amendment = ContractAmendment()
    if !request.itemCodes.isEmpty { amendment.itemCodes = try ContractTerms.itemCodes(request.itemCodes) }
    if !request.startsOn.isEmpty { amendment.startsOn = try Validation.date(request.startsOn, field: "starts_on") }
    if !request.endsOn.isEmpty { amendment.endsOn = try Validation.date(request.endsOn, field: "ends_on") }
    if request.amountFen != 0 {
      guard request.amountFen > 0 else { throw Require.invalid("amount_fen", "must be a positive amount in fen") }
      amendment.amountFen = request.amountFen
    }
    if request.hasTargets { amendment.targets = try ContractTerms.targets(request.targets) }
    guard !amendment.isEmpty else {
      throw Require.invalid("item_codes", "nothing to amend: give item_codes, starts_on, ends_on, amount_fen or targets")
    }
    return try await self.change(id: id, expected: expected, kind: "amended", reason: reason, check: { connection in
      if let codes = amendment.itemCodes { try await Self.requireKnown(codes, on: connection) }
    }) { contract, today throws(DomainError) in
      try contract.amended(amendment, today: today)
    }
  }

  static func contractID(_ number: String) throws(DomainError) -> Int64 {
    guard let id = ServiceContract.id(number) else { throw Require.invalid("id", "must be a contract number like SC000001") }
    return id
  }

  /// Loads and locks a contract whose purchaser is in the caller's scope, applies `apply`
  /// to it and writes the result as its next version, with its summary in the history and
  /// the audit log.
  private func change(
    id: Int64, expected: Int, kind: String, reason: String,
    check: (StoreConnection) async throws -> Void = { _ in },
    apply: (ServiceContract, CivilDate) throws(DomainError) -> ServiceContract
  ) async throws -> Civicgrid_V1_Contract {
    let principal = try RequestContext.principal()
    let now = self.now()
    let today = PeopleService.day(of: now)
    return try await self.store.transaction { connection in
      let contracts = ContractRepository(connection)
      let number = ServiceContract.number(id)
      // Changed by an admin over its purchaser; an organisation's side reads it only. Any other reads as missing.
      guard let contract = try await contracts.contract(id: id, within: principal.scope.sqlRange, lock: true),
        try await UnitRepository(connection).unit(code: contract.purchaserCode, within: principal.scope.sqlRange) != nil
      else { throw DomainError.notFound("contract \(number)") }
      guard contract.version == expected else { throw DomainError.staleVersion(subject: "contract \(number)", expected: expected, current: contract.version) }
      try await check(connection)
      let changed = try apply(contract, today)
      let summary = changed.changes(from: contract).joined(separator: "; ")
      guard try await contracts.write(changed, change: kind, summary: summary, reason: reason, by: principal.login, at: now) else {
        throw DomainError.conflict("contract \(number) was changed meanwhile; reload and retry")
      }
      try await AuditLog.append(on: connection, object: "contract/\(number)", summary: "\(kind) to version \(changed.version): \(summary) (\(reason))")
      guard let stored = try await contracts.contract(id: id, within: UnitRepository.everywhere) else { throw DomainError.notFound("contract \(number)") }
      return try await Self.messageWithChanges(stored, on: connection, today: today)
    }
  }
}
