import CivicDomain
public import CivicProtos
import CivicStore
import Crypto
public import GRPCCore
import SwiftProtobuf

extension AppointmentsService {
  static let visitColumns = """
    v.id, u.code, v.item_code, v.applicant_name, v.applicant_id_number, v.applicant_phone, v.address, v.reason,
    coalesce(v.preferred_date::text, ''), v.state, coalesce(a.login, ''), v.version,
    (extract(epoch FROM v.created_at) * 1000000)::bigint, coalesce((extract(epoch FROM v.assigned_at) * 1000000)::bigint, 0),
    u.path
    """
  static let visitFrom = "home_visits v JOIN units u ON u.id = v.unit_id LEFT JOIN accounts a ON a.id = v.assignee_account_id"

  static func visit(from row: Row) throws -> Civicgrid_V1_HomeVisit {
    try Civicgrid_V1_HomeVisit.with {
      $0.id = try row.decode(Int64.self, at: 0)
      $0.unitCode = try row.decode(String.self, at: 1)
      $0.itemCode = try row.decode(String.self, at: 2)
      $0.applicant = try Civicgrid_V1_AppointmentApplicant.with {
        $0.name = try row.decode(String.self, at: 3)
        $0.idNumber = try row.decode(String.self, at: 4)
        $0.phone = try row.decode(String.self, at: 5)
      }
      $0.address = try row.decode(String.self, at: 6)
      $0.reason = try row.decode(String.self, at: 7)
      $0.preferredDate = try row.decode(String.self, at: 8)
      $0.state =
        switch try row.decode(String.self, at: 9) {
        case HomeVisitState.requested.rawValue: .requested
        case HomeVisitState.assigned.rawValue: .assigned
        case HomeVisitState.done.rawValue: .done
        case HomeVisitState.cancelled.rawValue: .cancelled
        default: .unspecified
        }
      $0.assignee = try row.decode(String.self, at: 10)
      $0.version = try row.decode(Int64.self, at: 11)
      $0.createdAt = Google_Protobuf_Timestamp(micros: try row.decode(Int64.self, at: 12))
      let assigned = try row.decode(Int64.self, at: 13)
      if assigned != 0 { $0.assignedAt = Google_Protobuf_Timestamp(micros: assigned) }
    }
  }

  func scopedVisit(_ id: Int64, scope: UnitScope, lock: Bool, on connection: StoreConnection) async throws
    -> (visit: Civicgrid_V1_HomeVisit, unitPath: String)
  {
    guard id > 0 else { throw Validation.invalid("id", "is required") }
    let range = scope.sqlRange
    let rows = try await connection.query(
      "SELECT \(Self.visitColumns) FROM \(Self.visitFrom) WHERE v.id = $1 AND u.path >= $2 AND u.path < $3"
        + (lock ? " FOR UPDATE OF v" : ""),
      [id, range.lower, range.upper]
    )
    guard let row = rows.rows.first else { throw RPCError(code: .notFound, message: "id: home visit \(id) not found") }
    return (try Self.visit(from: row), try row.decode(at: 14))
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
    let fingerprint = SQLBytes(Array(SHA256Digest.of(try fingerprintSource.serializedBytes())))

    return try await self.store.transaction { connection in
      if let key {
        try await Self.lockKey("visit", key: key, caller: caller, on: connection)
        let rows = try await connection.query(
          "SELECT id, request_sha256 FROM home_visits WHERE requested_by_account_id = $1 AND idempotency_key = $2",
          [caller.accountID, key]
        )
        if let row = rows.rows.first {
          guard try row.decode(SQLBytes.self, at: 1) == fingerprint else {
            throw RPCError(code: .failedPrecondition, message: "idempotency_key: already used for a different request")
          }
          return try await self.scopedVisit(try row.decode(at: 0), scope: .everything, lock: false, on: connection).visit
        }
      }
      let unit = try await DirectoryService.scopedUnit(unitCode, field: "unit_code", scope: Self.centreScope(caller), on: connection)
      let id: Int64
      do {
        id =
          try await connection.query(
            """
            INSERT INTO home_visits (unit_id, item_code, applicant_name, applicant_id_number, applicant_phone, address, reason,
              preferred_date, requested_by_account_id, idempotency_key, request_sha256)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9, $10, $11) RETURNING id
            """,
            [
              unit.id, item, applicant.name, applicant.idNumber, applicant.phone, address, reason, preferred, caller.accountID, key,
              key == nil ? nil : fingerprint,
            ]
          ).scalar(Int64.self) ?? 0
      } catch let error as StoreError where error.sqlState == "23505" {
        throw RPCError(code: .aborted, message: "idempotency_key: a request with this key is in progress; retry to get its result")
      }
      try await AuditLog.append(
        on: connection,
        object: "visit:\(id)",
        summary: "requested at \(unitCode)" + (item.isEmpty ? "" : " for \(item)")
      )
      return try await self.scopedVisit(id, scope: .everything, lock: false, on: connection).visit
    }
  }

  public func assignHomeVisit(request: Civicgrid_V1_AssignHomeVisitRequest, context: ServerContext) async throws -> Civicgrid_V1_HomeVisit {
    let caller = try RequestContext.principal()
    let assignee = try Validation.code(request.assignee, field: "assignee", extra: ["-", "_", ".", "@"])
    return try await self.store.transaction { connection in
      let (current, unitPath) = try await self.scopedVisit(request.id, scope: caller.scope, lock: true, on: connection)
      guard request.expectedVersion == 0 || request.expectedVersion == current.version else {
        throw RPCError(
          code: .aborted,
          message:
            "expected_version: home visit \(current.id) is at version \(current.version), not \(request.expectedVersion); read it again"
        )
      }
      let state: HomeVisitState =
        switch current.state {
        case .assigned: .assigned
        case .done: .done
        case .cancelled: .cancelled
        default: .requested
        }
      _ = try Self.domain { () throws(DomainError) in try state.assign() }
      // The assignee works in the visit's unit or below it, and is active.
      let range = UnitScope.subtree(unitPath).sqlRange
      guard
        let accountID = try await connection.query(
          """
          SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE a.login = $1 AND NOT a.disabled AND u.path >= $2 AND u.path < $3
          """,
          [assignee, range.lower, range.upper]
        ).scalar(Int64.self)
      else {
        throw RPCError(code: .notFound, message: "assignee: no active account '\(assignee)' in \(current.unitCode) or below")
      }
      try await connection.query(
        "UPDATE home_visits SET state = 'ASSIGNED', assignee_account_id = $2, assigned_at = now(), version = version + 1 WHERE id = $1",
        [current.id, accountID]
      )
      try await AuditLog.append(on: connection, object: "visit:\(current.id)", summary: "assigned to \(assignee)")
      return try await self.scopedVisit(current.id, scope: .everything, lock: false, on: connection).visit
    }
  }
}

/// SHA-256 of request bytes (the idempotency fingerprint).
enum SHA256Digest {
  static func of(_ bytes: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
  }
}
