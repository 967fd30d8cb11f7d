import CivicDomain
public import CivicStore

/// Staff accounts (`accounts`): look-up by login inside a unit path range, listing, creation.
public struct AccountRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The account with `login` whose unit lies in `range`, or nil (missing and out of range read alike).
  public func account(login: String, within range: UnitPathRange = UnitRepository.everywhere) async throws(StoreError) -> AccountRecord? {
    try await self.connection.query(
      "SELECT \(AccountRecord.columns) WHERE a.login = \(login) AND u.path >= \(range.lower) AND u.path < \(range.upper)"
    ).first(AccountRecord.self)
  }

  /// What the enabled account `login` acts as (a mapped client certificate's caller); nil for
  /// a missing or disabled account.
  public func holder(login: String) async throws(StoreError) -> TokenHolder? {
    try await self.connection.query(
      """
      SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
      FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.login = \(login) AND NOT a.disabled
      """
    ).first(TokenHolder.self)
  }

  /// The id of the enabled account `login` whose unit lies in `range`, or nil.
  public func activeAccountID(login: String, within range: UnitPathRange) async throws(StoreError) -> Int64? {
    try await self.connection.query(
      """
      SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.login = \(login) AND NOT a.disabled AND u.path >= \(range.lower) AND u.path < \(range.upper)
      """
    ).scalar(Int64.self)
  }

  /// Whether any account exists (bootstrapping refuses a directory that has one).
  public func any() async throws(StoreError) -> Bool {
    try await !self.connection.query("SELECT 1 FROM accounts LIMIT 1").rows.isEmpty
  }

  /// A page of the accounts whose unit lies in `range`, in login order after `login`, holding `role` if given.
  public func list(within range: UnitPathRange, afterLogin login: String?, role: String?, limit: Int) async throws(StoreError) -> [AccountRecord] {
    var query: SQLQuery = "SELECT \(AccountRecord.columns) WHERE u.path >= \(range.lower) AND u.path < \(range.upper)"
    if let login { query.append(" AND a.login > \(login)") }
    if let role { query.append(" AND \(role) = ANY (a.roles)") }
    query.append(" ORDER BY a.login LIMIT \(limit)")
    return try await self.connection.query(query).decode(AccountRecord.self)
  }

  /// Adds an account in the unit `unitCode` unless its login is taken; true when added
  /// (seeding, which may run again over what it loaded before).
  public func insertIfAbsent(login: String, displayName: String, unitCode: String, roles: [String]) async throws(StoreError) -> Bool {
    try await self.connection.execute(
      """
      INSERT INTO accounts (login, display_name, unit_id, roles)
      SELECT \(login), \(displayName), u.id, \(SQLArray(roles))::text[] FROM units u WHERE u.code = \(unitCode)
      ON CONFLICT (login) DO NOTHING
      """
    ) == 1
  }

  /// Adds an account in `unitID` holding `roles` (stored in the order given); a taken login is `DomainError.alreadyExists`.
  @discardableResult
  public func insert(login: String, displayName: String, unitID: Int64, roles: [String]) async throws -> Int64 {
    do {
      let id = try await self.connection.query(
        """
        INSERT INTO accounts (login, display_name, unit_id, roles)
        VALUES (\(login), \(displayName), \(unitID), \(SQLArray(roles))::text[]) RETURNING id
        """
      ).scalar(Int64.self)
      return id ?? 0
    } catch {
      guard error.isUniqueViolation else { throw error }
      throw DomainError.alreadyExists("login: account '\(login)'")
    }
  }
}
