public import CivicStore

/// One row of `accounts` with its unit's code and path.
public struct AccountRecord: SQLRecord, Hashable {
  public var id: Int64
  public var login: String
  public var displayName: String
  public var unitCode: String
  public var unitPath: String
  /// Role names as the database spells them.
  public var roles: [String]
  public var disabled: Bool
  public var version: Int64
  public var createdAtMicros: Int64

  /// The columns `init(row:)` reads, over `accounts a JOIN units u ON u.id = a.unit_id`.
  static let columns: SQLQuery = """
    a.id, a.login, a.display_name, u.code AS unit_code, u.path AS unit_path, array_to_string(a.roles, ',') AS roles,
    a.disabled, a.version, (extract(epoch FROM a.created_at) * 1000000)::bigint AS created_at_micros
    FROM accounts a JOIN units u ON u.id = a.unit_id
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.login = try row.decode(column: "login")
    self.displayName = try row.decode(column: "display_name")
    self.unitCode = try row.decode(column: "unit_code")
    self.unitPath = try row.decode(column: "unit_path")
    self.roles = try row.decode(String.self, column: "roles").split(separator: ",").map(String.init)
    self.disabled = try row.decode(column: "disabled")
    self.version = try row.decode(column: "version")
    self.createdAtMicros = try row.decode(column: "created_at_micros")
  }
}
