import CivicDomain
public import CivicProtos
import CivicRepositories
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
      guard let parentKind = UnitKind(rawValue: parent.kind), kind.mayBeChild(of: parentKind) else {
        throw DomainError.precondition("kind", "a \(kind.rawValue) cannot be placed under a \(parent.kind)")
      }
      let unit = try await UnitRepository(connection).insert(
        code: code,
        name: name,
        kind: kind.rawValue,
        parent: parent,
        responsiblePerson: responsible
      )
      try await AuditLog.append(
        on: connection,
        object: "unit:\(code)",
        summary: "created \(kind.rawValue) '\(name)' under \(parent.code)"
      )
      return DirectoryMapping.message(unit)
    }
  }

  public func getUnit(request: Civicgrid_V1_GetUnitRequest, context: ServerContext) async throws -> Civicgrid_V1_Unit {
    let caller = try RequestContext.principal()
    let code = try Validation.code(request.code, field: "code")
    return try await self.store.withConnection { connection in
      DirectoryMapping.message(try await Self.scopedUnit(code, field: "code", scope: caller.scope, on: connection))
    }
  }

  public func listUnits(
    request: Civicgrid_V1_ListUnitsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListUnitsResponse {
    let caller = try RequestContext.principal()
    let limit = try Validation.pageSize(request.pageSize)
    let after = try PageToken.decode(request.pageToken)?.parts[0]
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
      let units = try await UnitRepository(connection).list(within: root.sqlRange, afterPath: after, kind: kind?.rawValue, limit: limit + 1)
      var response = Civicgrid_V1_ListUnitsResponse()
      response.units = units.prefix(limit).map { DirectoryMapping.message($0) }
      if units.count > limit, let last = units.prefix(limit).last { response.nextPageToken = PageToken(after: last.path).encoded }
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
      let updated = try await UnitRepository(connection).update(
        current,
        name: name,
        responsiblePerson: responsible,
        expectedVersion: request.expectedVersion
      )
      var changes: [String] = []
      if !name.isEmpty { changes.append("name '\(current.name)' → '\(name)'") }
      if !responsible.isEmpty { changes.append("responsible person '\(current.responsiblePerson)' → '\(responsible)'") }
      try await AuditLog.append(on: connection, object: "unit:\(code)", summary: "updated " + changes.joined(separator: ", "))
      return DirectoryMapping.message(updated)
    }
  }
}
