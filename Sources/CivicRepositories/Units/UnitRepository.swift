import CivicDomain
public import CivicStore

/// Bounds on `units.path` for `path >= lower AND path < upper`: a subtree, or the whole tree.
public typealias UnitPathRange = (lower: String, upper: String)

/// The unit tree (`units`): look-ups by code inside a path range, listing, creation and
/// renaming. Every other aggregate resolves unit codes through here.
public struct UnitRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The whole tree, for look-ups that are not limited to a scope.
  public static let everywhere: UnitPathRange = ("/", "0")

  /// The unit with `code` whose path lies in `range`, or nil (missing and out of range read alike).
  public func unit(code: String, within range: UnitPathRange = UnitRepository.everywhere) async throws(StoreError) -> UnitRecord? {
    try await self.connection.query(
      "SELECT \(UnitRecord.columns) WHERE u.code = \(code) AND u.path >= \(range.lower) AND u.path < \(range.upper)"
    ).first(UnitRecord.self)
  }

  /// The unit's id and path, the pair scope checks and foreign keys need.
  public func idAndPath(code: String) async throws(StoreError) -> (id: Int64, path: String)? {
    let rows = try await self.connection.query("SELECT id, path FROM units WHERE code = \(code)").decode((Int64, String).self)
    return rows.first.map { (id: $0.0, path: $0.1) }
  }

  /// Which of `codes` name units whose path lies in `range`.
  public func existing(_ codes: Set<String>, within range: UnitPathRange) async throws(StoreError) -> Set<String> {
    let rows = try await self.connection.query(
      """
      SELECT code FROM units
      WHERE code = ANY(\(SQLArray(codes.sorted()))::text[]) AND path >= \(range.lower) AND path < \(range.upper)
      """
    )
    return Set(try rows.column(String.self))
  }

  /// The code of the district root, if the tree has one.
  public func rootCode() async throws(StoreError) -> String? {
    try await self.connection.query("SELECT code FROM units WHERE parent_id IS NULL").scalar(String.self)
  }

  /// The id of the district root, if the tree has one.
  public func rootID() async throws(StoreError) -> Int64? {
    try await self.connection.query("SELECT id FROM units WHERE parent_id IS NULL").scalar(Int64.self)
  }

  /// Every unit in path order (the district is small: a few hundred units).
  public func all() async throws(StoreError) -> [UnitRecord] {
    try await self.connection.query("SELECT \(UnitRecord.columns) ORDER BY u.path").decode(UnitRecord.self)
  }

  /// A page of the units in `range` in path order, after `path`, of `kind` if given.
  public func list(within range: UnitPathRange, afterPath path: String?, kind: String?, limit: Int) async throws(StoreError) -> [UnitRecord] {
    var query: SQLQuery = "SELECT \(UnitRecord.columns) WHERE u.path >= \(range.lower) AND u.path < \(range.upper)"
    if let path { query.append(" AND u.path > \(path)") }
    if let kind { query.append(" AND u.kind = \(kind)") }
    query.append(" ORDER BY u.path LIMIT \(limit)")
    return try await self.connection.query(query).decode(UnitRecord.self)
  }

  /// Adds a unit under `parent`; a taken code is `DomainError.alreadyExists`.
  public func insert(
    code: String,
    name: String,
    kind: String,
    parent: UnitRecord,
    responsiblePerson: String
  ) async throws -> UnitRecord {
    let path = parent.path + code + "/"
    do {
      try await self.connection.execute(
        """
        INSERT INTO units (code, name, kind, parent_id, responsible_person, path)
        VALUES (\(code), \(name), \(kind), \(parent.id), \(responsiblePerson), \(path))
        """
      )
    } catch {
      guard error.isUniqueViolation else { throw error }
      throw DomainError.alreadyExists("code: unit '\(code)'")
    }
    guard let unit = try await self.unit(code: code) else { throw DomainError.notFound("code: unit '\(code)'") }
    return unit
  }

  /// Adds a unit under the unit `parentCode` unless its code is taken; true when added
  /// (seeding, which may run again over what it loaded before).
  public func insertIfAbsent(
    code: String,
    name: String,
    kind: String,
    parentCode: String,
    responsiblePerson: String
  ) async throws(StoreError) -> Bool {
    try await self.connection.execute(
      """
      INSERT INTO units (code, name, kind, parent_id, responsible_person, path)
      SELECT \(code), \(name), \(kind), p.id, \(responsiblePerson), p.path || \(code) || '/' FROM units p WHERE p.code = \(parentCode)
      ON CONFLICT (code) DO NOTHING
      """
    ) == 1
  }

  /// Adds the district root (a unit without parent) and returns its id.
  public func insertRoot(code: String, name: String) async throws(StoreError) -> Int64 {
    let path = "/\(code)/"
    return try await self.connection.query(
      "INSERT INTO units (code, name, kind, path) VALUES (\(code), \(name), 'district', \(path)) RETURNING id"
    ).scalar(Int64.self) ?? 0
  }

  /// Renames `unit` or changes its responsible person (an empty value keeps the old one), if
  /// it is still at `expectedVersion`; otherwise `DomainError.staleVersion`.
  public func update(_ unit: UnitRecord, name: String, responsiblePerson: String, expectedVersion: Int64) async throws -> UnitRecord {
    let changed = try await self.connection.execute(
      """
      UPDATE units SET name = CASE WHEN \(name) = '' THEN name ELSE \(name) END,
        responsible_person = CASE WHEN \(responsiblePerson) = '' THEN responsible_person ELSE \(responsiblePerson) END,
        version = version + 1
      WHERE id = \(unit.id) AND version = \(expectedVersion)
      """
    )
    guard changed == 1 else {
      throw DomainError.staleVersion(
        subject: "expected_version: unit '\(unit.code)'",
        expected: Int(expectedVersion),
        current: Int(unit.version)
      )
    }
    guard let updated = try await self.unit(code: unit.code) else { throw DomainError.notFound("code: unit '\(unit.code)'") }
    return updated
  }
}
