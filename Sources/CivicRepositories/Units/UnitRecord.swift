public import CivicStore

/// One row of `units` with its parent's code, as the directory shows it.
public struct UnitRecord: SQLRecord, Hashable {
  public var id: Int64
  public var code: String
  public var name: String
  /// The kind as the database spells it (`district`, `street`, …).
  public var kind: String
  /// The parent's code; empty for the district root.
  public var parentCode: String
  public var responsiblePerson: String
  /// The materialised path of codes from the root, with a leading and a trailing `/`.
  public var path: String
  public var version: Int64
  public var createdAtMicros: Int64

  /// The columns `init(row:)` reads, over `units u LEFT JOIN units p ON p.id = u.parent_id`.
  static let columns: SQLQuery = """
    u.id, u.code, u.name, u.kind, coalesce(p.code, '') AS parent_code, u.responsible_person, u.path, u.version,
    (extract(epoch FROM u.created_at) * 1000000)::bigint AS created_at_micros
    FROM units u LEFT JOIN units p ON p.id = u.parent_id
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.code = try row.decode(column: "code")
    self.name = try row.decode(column: "name")
    self.kind = try row.decode(column: "kind")
    self.parentCode = try row.decode(column: "parent_code")
    self.responsiblePerson = try row.decode(column: "responsible_person")
    self.path = try row.decode(column: "path")
    self.version = try row.decode(column: "version")
    self.createdAtMicros = try row.decode(column: "created_at_micros")
  }
}
