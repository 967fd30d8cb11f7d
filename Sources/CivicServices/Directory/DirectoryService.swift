public import CivicProtos
public import CivicStore
public import GRPCCore
import SwiftProtobuf

/// `civicgrid.v1.Directory`: the unit tree, accounts and their tokens.
///
/// Every query is limited to the caller's scope (`Principal.scope`); a unit or account
/// outside it answers NOT_FOUND exactly like a missing one.
public struct DirectoryService: Civicgrid_V1_Directory.SimpleServiceProtocol {
  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Directory/CreateUnit": .roles([.admin]),
    "civicgrid.v1.Directory/GetUnit": .authenticated,
    "civicgrid.v1.Directory/ListUnits": .authenticated,
    "civicgrid.v1.Directory/UpdateUnit": .roles([.admin]),
    "civicgrid.v1.Directory/CreateAccount": .roles([.admin]),
    "civicgrid.v1.Directory/GetAccount": .roles([.admin, .supervisor, .auditor]),
    "civicgrid.v1.Directory/ListAccounts": .roles([.admin, .supervisor, .auditor]),
    // Anyone manages their own tokens; admins also those of accounts in their scope.
    "civicgrid.v1.Directory/IssueToken": .authenticated,
    "civicgrid.v1.Directory/RevokeToken": .authenticated,
    "civicgrid.v1.Directory/ListTokens": .authenticated,
    "civicgrid.v1.Directory/WhoAmI": .authenticated,
  ]

  let store: StorePool

  public init(store: StorePool) {
    self.store = store
  }

  // MARK: - Shared reads

  static let unitColumns = """
    u.code, u.name, u.kind, coalesce(p.code, ''), u.responsible_person, u.path, u.version,
    (extract(epoch FROM u.created_at) * 1000000)::bigint, u.id
    """
  static let unitFrom = "units u LEFT JOIN units p ON p.id = u.parent_id"

  static func unit(from row: Row) throws -> Civicgrid_V1_Unit {
    let path: String = try row.decode(at: 5)
    return try Civicgrid_V1_Unit.with {
      $0.code = try row.decode(String.self, at: 0)
      $0.name = try row.decode(String.self, at: 1)
      $0.kind = UnitKind(rawValue: try row.decode(String.self, at: 2))?.proto ?? .unspecified
      $0.parentCode = try row.decode(String.self, at: 3)
      $0.responsiblePerson = try row.decode(String.self, at: 4)
      $0.path = String(path.dropFirst().dropLast())
      $0.version = try row.decode(Int64.self, at: 6)
      $0.createdAt = Google_Protobuf_Timestamp(micros: try row.decode(Int64.self, at: 7))
    }
  }

  /// The unit with `code` inside `scope` (id and path too), or NOT_FOUND naming `field`.
  static func scopedUnit(
    _ code: String,
    field: String,
    scope: UnitScope,
    on connection: StoreConnection
  ) async throws -> (unit: Civicgrid_V1_Unit, id: Int64, path: String) {
    let range = scope.sqlRange
    let rows = try await connection.query(
      "SELECT \(Self.unitColumns) FROM \(Self.unitFrom) WHERE u.code = $1 AND u.path >= $2 AND u.path < $3",
      [code, range.lower, range.upper]
    )
    guard let row = rows.rows.first else { throw Self.notFound(field, "unit", code) }
    return (try Self.unit(from: row), try row.decode(at: 8), try row.decode(at: 5))
  }

  static func notFound(_ field: String, _ what: String, _ key: String) -> RPCError {
    RPCError(code: .notFound, message: "\(field): \(what) '\(key)' not found")
  }

  static let accountColumns = """
    a.login, a.display_name, u.code, array_to_string(a.roles, ','), a.disabled, a.version,
    (extract(epoch FROM a.created_at) * 1000000)::bigint, a.id, u.path
    """

  static func account(from row: Row) throws -> Civicgrid_V1_Account {
    let roles: String = try row.decode(at: 3)
    return try Civicgrid_V1_Account.with {
      $0.login = try row.decode(String.self, at: 0)
      $0.displayName = try row.decode(String.self, at: 1)
      $0.unitCode = try row.decode(String.self, at: 2)
      $0.roles = roles.split(separator: ",").compactMap { Role(rawValue: String($0))?.proto }
      $0.disabled = try row.decode(Bool.self, at: 4)
      $0.version = try row.decode(Int64.self, at: 5)
      $0.createdAt = Google_Protobuf_Timestamp(micros: try row.decode(Int64.self, at: 6))
    }
  }

  /// The account with `login` whose unit lies inside `scope`, or NOT_FOUND naming `field`.
  static func scopedAccount(
    _ login: String,
    field: String,
    scope: UnitScope,
    on connection: StoreConnection
  ) async throws -> (account: Civicgrid_V1_Account, id: Int64, path: String) {
    let range = scope.sqlRange
    let rows = try await connection.query(
      """
      SELECT \(Self.accountColumns) FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.login = $1 AND u.path >= $2 AND u.path < $3
      """,
      [login, range.lower, range.upper]
    )
    guard let row = rows.rows.first else { throw Self.notFound(field, "account", login) }
    return (try Self.account(from: row), try row.decode(at: 7), try row.decode(at: 8))
  }
}
