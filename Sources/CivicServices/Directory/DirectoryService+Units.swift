public import CivicProtos
import CivicStore
public import GRPCCore

extension DirectoryService {
  public func createUnit(request: Civicgrid_V1_CreateUnitRequest, context: ServerContext) async throws -> Civicgrid_V1_Unit {
    let caller = try RequestContext.principal()
    let code = try Validation.code(request.code, field: "code")
    let name = try Validation.text(request.name, field: "name")
    let responsible = try Validation.text(request.responsiblePerson, field: "responsible_person", required: false)
    guard let kind = UnitKind(request.kind) else { throw Validation.invalid("kind", "is required") }
    guard !request.parentCode.isEmpty else {
      throw Validation.invalid("parent_code", "is required (the district root is created by civicgridd bootstrap-admin)")
    }
    return try await self.store.transaction { connection in
      let parent = try await Self.scopedUnit(request.parentCode, field: "parent_code", scope: caller.scope, on: connection)
      let parentKind = UnitKind(parent.unit.kind)!
      guard kind.mayBeChild(of: parentKind) else {
        throw RPCError(
          code: .failedPrecondition,
          message: "kind: a \(kind.rawValue) cannot be placed under a \(parentKind.rawValue)"
        )
      }
      let path = parent.path + code + "/"
      do {
        try await connection.query(
          "INSERT INTO units (code, name, kind, parent_id, responsible_person, path) VALUES ($1, $2, $3, $4, $5, $6)",
          [code, name, kind.rawValue, parent.id, responsible, path]
        )
      } catch let error as StoreError where error.sqlState == "23505" {
        throw RPCError(code: .alreadyExists, message: "code: unit '\(code)' already exists")
      }
      try await AuditLog.append(
        on: connection,
        object: "unit:\(code)",
        summary: "created \(kind.rawValue) '\(name)' under \(parent.unit.code)"
      )
      return try await Self.scopedUnit(code, field: "code", scope: .everything, on: connection).unit
    }
  }

  public func getUnit(request: Civicgrid_V1_GetUnitRequest, context: ServerContext) async throws -> Civicgrid_V1_Unit {
    let caller = try RequestContext.principal()
    let code = try Validation.code(request.code, field: "code")
    return try await self.store.withConnection { connection in
      try await Self.scopedUnit(code, field: "code", scope: caller.scope, on: connection).unit
    }
  }

  public func listUnits(
    request: Civicgrid_V1_ListUnitsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListUnitsResponse {
    let caller = try RequestContext.principal()
    let limit = try Validation.pageSize(request.pageSize)
    let after = try PageToken.decode(request.pageToken)
    let kind: UnitKind?
    switch request.kind {
    case .unspecified: kind = nil
    default:
      guard let known = UnitKind(request.kind) else { throw Validation.invalid("kind", "is not a known unit kind") }
      kind = known
    }
    return try await self.store.withConnection { connection in
      let root: UnitScope
      if request.rootCode.isEmpty {
        root = caller.scope
      } else {
        let code = try Validation.code(request.rootCode, field: "root_code")
        root = .subtree(try await Self.scopedUnit(code, field: "root_code", scope: caller.scope, on: connection).path)
      }
      let range = root.sqlRange
      let rows = try await connection.query(
        """
        SELECT \(Self.unitColumns) FROM \(Self.unitFrom)
        WHERE u.path >= $1 AND u.path < $2 AND u.path > $3 AND ($4 = '' OR u.kind = $4)
        ORDER BY u.path LIMIT $5
        """,
        [range.lower, range.upper, after ?? "", kind?.rawValue ?? "", limit + 1]
      )
      var response = Civicgrid_V1_ListUnitsResponse()
      for row in rows.rows.prefix(limit) { response.units.append(try Self.unit(from: row)) }
      if rows.rows.count > limit, let last = rows.rows.prefix(limit).last {
        response.nextPageToken = PageToken.encode(try last.decode(String.self, at: 5))
      }
      return response
    }
  }

  public func updateUnit(request: Civicgrid_V1_UpdateUnitRequest, context: ServerContext) async throws -> Civicgrid_V1_Unit {
    let caller = try RequestContext.principal()
    let code = try Validation.code(request.code, field: "code")
    let name = try Validation.text(request.name, field: "name", required: false)
    let responsible = try Validation.text(request.responsiblePerson, field: "responsible_person", required: false)
    guard request.expectedVersion > 0 else { throw Validation.invalid("expected_version", "is required (the version you read)") }
    guard !name.isEmpty || !responsible.isEmpty else {
      throw Validation.invalid("name", "name or responsible_person must be given")
    }
    return try await self.store.transaction { connection in
      let current = try await Self.scopedUnit(code, field: "code", scope: caller.scope, on: connection)
      let updated = try await connection.query(
        """
        UPDATE units SET name = CASE WHEN $2 = '' THEN name ELSE $2 END,
          responsible_person = CASE WHEN $3 = '' THEN responsible_person ELSE $3 END, version = version + 1
        WHERE id = $1 AND version = $4
        """,
        [current.id, name, responsible, request.expectedVersion]
      )
      guard updated.affectedRows == 1 else {
        throw RPCError(
          code: .aborted,
          message: "expected_version: unit '\(code)' is at version \(current.unit.version), not \(request.expectedVersion); read it again"
        )
      }
      var changes: [String] = []
      if !name.isEmpty { changes.append("name '\(current.unit.name)' → '\(name)'") }
      if !responsible.isEmpty { changes.append("responsible person '\(current.unit.responsiblePerson)' → '\(responsible)'") }
      try await AuditLog.append(on: connection, object: "unit:\(code)", summary: "updated " + changes.joined(separator: ", "))
      return try await Self.scopedUnit(code, field: "code", scope: .everything, on: connection).unit
    }
  }
}
