import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Crypto
public import GRPCCore
import SwiftProtobuf

extension AppointmentsService {
  static func scopedVisit(_ id: Int64, scope: UnitScope, lock: Bool, on connection: StoreConnection) async throws -> HomeVisitRecord {
    guard id > 0 else { throw Validation.invalid("id", "is required") }
    guard let visit = try await HomeVisitRepository(connection).visit(id: id, within: scope.sqlRange, lock: lock) else {
      throw DomainError.notFound("id: home visit \(id)")
    }
    return visit
  }

  public func requestHomeVisit(request: Civicgrid_V1_RequestHomeVisitRequest, context: ServerContext) async throws -> Civicgrid_V1_HomeVisit
  {
    let caller = try RequestContext.principal()
    let unitCode = try Validation.code(request.unitCode, field: "unit_code")
    let item = request.itemCode.isEmpty ? "" : try Validation.code(request.itemCode, field: "item_code")
    let applicant = try Self.applicant(request.applicant)
    let address = try Validation.text(request.address, field: "address", maxLength: 300)
    let reason = try Validation.text(request.reason, field: "reason", maxLength: 500, required: false)
    let preferred = request.preferredDate.isEmpty ? nil : try Self.date(request.preferredDate, field: "preferred_date").description
    let key = try Self.idempotencyKey(request.idempotencyKey, caller: caller)
    var fingerprintSource = request
    fingerprintSource.idempotencyKey = ""
    let idempotent = IdempotentRequest(
      accountID: caller.accountID,
      key: key,
      fingerprint: SHA256Digest.of(try fingerprintSource.serializedBytes())
    )

    return try await self.store.transaction { connection in
      let visits = HomeVisitRepository(connection)
      if let key {
        try await AppointmentRepository(connection).lockIdempotencyKey("visit", request: idempotent)
        if let earlier = try await visits.earlierRequest(accountID: caller.accountID, key: key) {
          guard earlier.fingerprint == idempotent.fingerprint else {
            throw DomainError.precondition("idempotency_key", "already used for a different request")
          }
          return Self.message(try await Self.scopedVisit(earlier.id, scope: .everything, lock: false, on: connection))
        }
      }
      let unit = try await DirectoryService.scopedUnit(unitCode, field: "unit_code", scope: Self.centreScope(caller), on: connection)
      let id = try await visits.insert(
        unitID: unit.id,
        itemCode: item,
        applicant: ApplicantRecord(name: applicant.name, idNumber: applicant.idNumber, phone: applicant.phone),
        address: address,
        reason: reason,
        preferredDate: preferred,
        request: idempotent
      )
      try await AuditLog.append(
        on: connection,
        object: "visit:\(id)",
        summary: "requested at \(unitCode)" + (item.isEmpty ? "" : " for \(item)")
      )
      return Self.message(try await Self.scopedVisit(id, scope: .everything, lock: false, on: connection))
    }
  }

  public func assignHomeVisit(request: Civicgrid_V1_AssignHomeVisitRequest, context: ServerContext) async throws -> Civicgrid_V1_HomeVisit {
    let caller = try RequestContext.principal()
    let assignee = try Validation.code(request.assignee, field: "assignee", extra: ["-", "_", ".", "@"])
    return try await self.store.transaction { connection in
      let current = try await Self.scopedVisit(request.id, scope: caller.scope, lock: true, on: connection)
      guard request.expectedVersion == 0 || request.expectedVersion == current.version else {
        throw DomainError.staleVersion(
          subject: "expected_version: home visit \(current.id)",
          expected: Int(request.expectedVersion),
          current: Int(current.version)
        )
      }
      _ = try (HomeVisitState(rawValue: current.state) ?? .requested).assign()
      // The assignee works in the visit's unit or below it, and is active.
      let within = UnitScope.subtree(current.unitPath).sqlRange
      guard let accountID = try await AccountRepository(connection).activeAccountID(login: assignee, within: within) else {
        throw DomainError.notFound("assignee: an active account '\(assignee)' in \(current.unitCode) or below")
      }
      try await HomeVisitRepository(connection).assign(id: current.id, toAccountID: accountID)
      try await AuditLog.append(on: connection, object: "visit:\(current.id)", summary: "assigned to \(assignee)")
      return Self.message(try await Self.scopedVisit(current.id, scope: .everything, lock: false, on: connection))
    }
  }
}

/// SHA-256 of request bytes (the idempotency fingerprint).
enum SHA256Digest {
  static func of(_ bytes: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
  }
}
