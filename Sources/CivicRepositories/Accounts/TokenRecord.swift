public import CivicStore

/// One bearer token's public part (never its secret or digest).
public struct TokenRecord: SQLRecord, Hashable {
  public var id: Int64
  public var login: String
  public var label: String
  public var issuedAtMicros: Int64
  public var expiresAtMicros: Int64
  public var revokedAtMicros: Int64?

  static let columns: SQLQuery = """
    t.id, a.login, t.label, (extract(epoch FROM t.issued_at) * 1000000)::bigint AS issued_at_micros,
    (extract(epoch FROM t.expires_at) * 1000000)::bigint AS expires_at_micros,
    (extract(epoch FROM t.revoked_at) * 1000000)::bigint AS revoked_at_micros
    FROM tokens t JOIN accounts a ON a.id = t.account_id
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.login = try row.decode(column: "login")
    self.label = try row.decode(column: "label")
    self.issuedAtMicros = try row.decode(column: "issued_at_micros")
    self.expiresAtMicros = try row.decode(column: "expires_at_micros")
    self.revokedAtMicros = try row.decode(column: "revoked_at_micros")
  }
}

/// What a valid bearer token acts as: its account, the account's unit and roles.
public struct TokenHolder: SQLRecord, Hashable {
  public var accountID: Int64
  public var login: String
  public var unitID: Int64
  public var unitCode: String
  public var unitPath: String
  public var roles: [String]

  public init(row: Row) throws(StoreError) {
    let (accountID, login, unitID, unitCode, unitPath, roles) = try row.decode((Int64, String, Int64, String, String, String).self)
    self.accountID = accountID
    self.login = login
    self.unitID = unitID
    self.unitCode = unitCode
    self.unitPath = unitPath
    self.roles = roles.split(separator: ",").map(String.init)
  }
}

/// A valid bearer token's holder, and how long the token remains valid by the database's clock.
public struct TokenGrant: SQLRecord, Hashable {
  public var holder: TokenHolder
  public var expiresInMicros: Int64

  public init(row: Row) throws(StoreError) {
    self.holder = try TokenHolder(row: row)
    self.expiresInMicros = try row.decode(column: "expires_in_micros")
  }
}
