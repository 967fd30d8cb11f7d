public import CivicProtos
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
    let rolesLiteral = "{" + roles.sorted().map(\.rawValue).joined(separator: ",") + "}"
    return try await self.store.transaction { connection in
      let unit = try await Self.scopedUnit(unitCode, field: "unit_code", scope: caller.scope, on: connection)
      if let refusal = Grants.refusal(granter: caller, roles: roles, atUnitPath: unit.path) {
        throw RPCError(code: .permissionDenied, message: "roles: \(refusal)")
      }
      do {
        try await connection.query(
          "INSERT INTO accounts (login, display_name, unit_id, roles) VALUES ($1, $2, $3, $4::text[])",
          [login, displayName, unit.id, rolesLiteral]
        )
      } catch let error as StoreError where error.sqlState == "23505" {
        throw RPCError(code: .alreadyExists, message: "login: account '\(login)' already exists")
      }
      try await AuditLog.append(
        on: connection,
        object: "account:\(login)",
        summary: "created account in \(unitCode) with roles \(roles.sorted().map(\.rawValue).joined(separator: ","))"
      )
      return try await Self.scopedAccount(login, field: "login", scope: .everything, on: connection).account
    }
  }

  public func getAccount(request: Civicgrid_V1_GetAccountRequest, context: ServerContext) async throws -> Civicgrid_V1_Account {
    let caller = try RequestContext.principal()
    let login = try Validation.code(request.login, field: "login", extra: ["-", "_", ".", "@"])
    return try await self.store.withConnection { connection in
      try await Self.scopedAccount(login, field: "login", scope: caller.scope, on: connection).account
    }
  }

  public func listAccounts(
    request: Civicgrid_V1_ListAccountsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListAccountsResponse {
    let caller = try RequestContext.principal()
    let limit = try Validation.pageSize(request.pageSize)
    let after = try PageToken.decode(request.pageToken)
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
      let range = scope.sqlRange
      let rows = try await connection.query(
        """
        SELECT \(Self.accountColumns) FROM accounts a JOIN units u ON u.id = a.unit_id
        WHERE u.path >= $1 AND u.path < $2 AND a.login > $3 AND ($4 = '' OR $4 = ANY (a.roles))
        ORDER BY a.login LIMIT $5
        """,
        [range.lower, range.upper, after ?? "", role?.rawValue ?? "", limit + 1]
      )
      var response = Civicgrid_V1_ListAccountsResponse()
      for row in rows.rows.prefix(limit) { response.accounts.append(try Self.account(from: row)) }
      if rows.rows.count > limit, let last = response.accounts.last { response.nextPageToken = PageToken.encode(last.login) }
      return response
    }
  }

  public func whoAmI(request: Civicgrid_V1_WhoAmIRequest, context: ServerContext) async throws -> Civicgrid_V1_WhoAmIResponse {
    let caller = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      let account = try await Self.scopedAccount(caller.login, field: "login", scope: .everything, on: connection).account
      let unit = try await Self.scopedUnit(caller.unitCode, field: "unit_code", scope: .everything, on: connection).unit
      return .with {
        $0.account = account
        $0.unit = unit
      }
    }
  }
}
