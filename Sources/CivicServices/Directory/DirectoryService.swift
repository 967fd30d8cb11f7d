import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import GRPCCore

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
  /// This instance's cache of token principals, dropped as soon as a revocation commits here
  /// (other instances hear of it from the database's notice).
  let principalCache: PrincipalCache?

  public init(store: StorePool, principalCache: PrincipalCache? = nil) {
    self.store = store
    self.principalCache = principalCache
  }

  // MARK: - Shared reads

  /// The unit with `code` inside `scope`, or NOT_FOUND naming `field`.
  static func scopedUnit(_ code: String, field: String, scope: UnitScope, on connection: StoreConnection) async throws -> UnitRecord {
    guard let unit = try await UnitRepository(connection).unit(code: code, within: scope.sqlRange) else {
      throw DomainError.notFound("\(field): unit '\(code)'")
    }
    return unit
  }

  /// The account with `login` whose unit lies inside `scope`, or NOT_FOUND naming `field`.
  static func scopedAccount(_ login: String, field: String, scope: UnitScope, on connection: StoreConnection) async throws -> AccountRecord {
    guard let account = try await AccountRepository(connection).account(login: login, within: scope.sqlRange) else {
      throw DomainError.notFound("\(field): account '\(login)'")
    }
    return account
  }
}
