import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
public import GRPCCore
import SwiftProtobuf

extension DirectoryService {
  public func createAccount(
    request: Civicgrid_V1_CreateAccountRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_Account {
    let caller = try RequestContext.principal()
    let login = try Validation.code(request.login, field: "login", extra: ["-", "_", ".", "@"])
    let displayName = try Validation.text(request.displayName, field: "display_name", required: false)
    let unitCode = try Validation.code(request.unitCode, field: "unit_code")
    guard !request.roles.isEmpty else { throw Validation.invalid("roles", "at least one role is required") }
    var roles: Set<Role> = []
    for proto in request.roles {
      guard let role = Role(proto) else { throw Validation.invalid("roles", "\(proto) is not a role") }
      roles.insert(role)
    }
    return try await self.store.transaction { connection in
      let unit = try await Self.scopedUnit(unitCode, field: "unit_code", scope: caller.scope, on: connection)
      if let refusal = Grants.refusal(granter: caller, roles: roles, atUnitPath: unit.path) {
        throw DomainError.permissionDenied("roles: \(refusal)")
      }
      let accounts = AccountRepository(connection)
      try await accounts.insert(login: login, displayName: displayName, unitID: unit.id, roles: roles.sorted().map(\.rawValue))
      try await AuditLog.append(
        on: connection,
        object: "account:\(login)",
        summary: "created account in \(unitCode) with roles \(roles.sorted().map(\.rawValue).joined(separator: ","))"
      )
      return DirectoryMapping.message(try await Self.scopedAccount(login, field: "login", scope: .everything, on: connection))
    }
  }

  public func getAccount(request: Civicgrid_V1_GetAccountRequest, context: ServerContext) async throws -> Civicgrid_V1_Account {
    let caller = try RequestContext.principal()
    let login = try Validation.code(request.login, field: "login", extra: ["-", "_", ".", "@"])
    return try await self.store.withConnection { connection in
      DirectoryMapping.message(try await Self.scopedAccount(login, field: "login", scope: caller.scope, on: connection))
    }
  }

  public func listAccounts(
    request: Civicgrid_V1_ListAccountsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListAccountsResponse {
    let caller = try RequestContext.principal()
    let limit = try Validation.pageSize(request.pageSize)
    let after = try PageToken.decode(request.pageToken)?.parts[0]
    var role: Role? = nil
    if request.role != .unspecified {
      guard let known = Role(request.role) else { throw Validation.invalid("role", "is not a known role") }
      role = known
    }
    return try await self.store.withConnection { connection in
      var scope = caller.scope
      if !request.unitCode.isEmpty {
        let code = try Validation.code(request.unitCode, field: "unit_code")
        scope = .subtree(try await Self.scopedUnit(code, field: "unit_code", scope: caller.scope, on: connection).path)
      }
      let accounts = try await AccountRepository(connection).list(
        within: scope.sqlRange,
        afterLogin: after,
        role: role?.rawValue,
        limit: limit + 1
      )
      var response = Civicgrid_V1_ListAccountsResponse()
      response.accounts = accounts.prefix(limit).map { DirectoryMapping.message($0) }
      if accounts.count > limit, let last = response.accounts.last { response.nextPageToken = PageToken(after: last.login).encoded }
      return response
    }
  }

  public func whoAmI(request: Civicgrid_V1_WhoAmIRequest, context: ServerContext) async throws -> Civicgrid_V1_WhoAmIResponse {
    let caller = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      let account = try await Self.scopedAccount(caller.login, field: "login", scope: .everything, on: connection)
      let unit = try await Self.scopedUnit(caller.unitCode, field: "unit_code", scope: .everything, on: connection)
      return .with {
        $0.account = DirectoryMapping.message(account)
        $0.unit = DirectoryMapping.message(unit)
      }
    }
  }
}
