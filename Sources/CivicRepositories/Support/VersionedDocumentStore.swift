public import CivicDomain
public import CivicStore
public import Foundation

/// One version of a versioned document, as stored: the document, who made it and when.
public struct StoredVersion<Document: Sendable>: Sendable {
  public var version: Int
  public var document: Document
  public var createdBy: String
  public var createdAt: Date
}

/// A table of versioned, audited documents — indicator targets, assessment schemes, a district's
/// escalation ladder, the requests' routing table: every version is kept with its author, one
/// is in force (the newest, or the one whose `status` is `live`), and a change names the version
/// it was made from, so two admins editing at once cannot both win.
///
/// The repositories of those documents are thin users of this store: each names its table and
/// how its document is kept (`DocumentColumns`); the audit row is the caller's, in the same
/// transaction.
struct VersionedDocumentStore<Document: Sendable>: Sendable {
  /// Where a kind of document is kept.
  struct Table: Sendable {
    /// The versions' table: `version`, `created_by`, `created_at` and the document's columns.
    var name: String
    /// What the document is called in errors (`the routing table`, `targets`).
    var subject: String
    var columns: DocumentColumns<Document>
    /// Restricts every read and write to one owner's versions (`district_unit_id` of a ladder).
    var owner: (column: String, id: Int64)? = nil
    /// Whether a `status` column marks the version in force (`live`, the others `retired`);
    /// without it, the newest version is in force.
    var liveStatus = false
    /// Run before a locked read: holds a row that exists before the first version (the
    /// district's unit), so the first two changes also serialise; without it, the newest
    /// version's row is locked and the primary key refuses a second version 1.
    var serialize: SQLQuery? = nil
  }

  let connection: StoreConnection
  var table: Table

  init(_ connection: StoreConnection, _ table: Table) {
    self.connection = connection
    self.table = table
  }

  /// The version in force, or nil before the first; `lock` holds it against a concurrent change.
  func current(lock: Bool = false) async throws(StoreError) -> StoredVersion<Document>? {
    if lock, let serialize = self.table.serialize { try await self.connection.execute(serialize) }
    var query = self.select() + (self.table.liveStatus ? " AND status = 'live'" : " ORDER BY version DESC LIMIT 1")
    query.append(.rowLock(lock))
    return try await self.first(query)
  }

  func version(_ number: Int) async throws(StoreError) -> StoredVersion<Document>? {
    try await self.first(self.select() + " AND version = \(number)")
  }

  /// Every version number, newest first.
  func history() async throws(StoreError) -> [Int] {
    try await self.connection.query("SELECT version FROM \(unescaped: self.table.name) WHERE " + self.ownerFilter() + " ORDER BY version DESC")
      .rows.map { row throws(StoreError) in try row.decode(Int.self, at: 0) }
  }

  /// Stores the next version if `expectedVersion` is the one in force (0 before the first),
  /// else `staleVersion`. `make` builds the document from its version number (targets and
  /// schemes carry it) and may check more under the lock. Returns the version it replaced.
  @discardableResult
  func set(
    expectedVersion: Int,
    by account: String,
    _ make: (_ version: Int) async throws -> Document
  ) async throws -> (replaced: Int, stored: Document) {
    let current = try await self.current(lock: true)?.version ?? 0
    guard expectedVersion == current else {
      throw DomainError.staleVersion(subject: self.table.subject, expected: expectedVersion, current: current)
    }
    let document = try await make(current + 1)
    try await self.insert(document, version: current + 1, by: account)
    return (current, document)
  }

  /// Stores `document` as version `number` and puts it in force (the caller checked the number).
  func insert(_ document: Document, version number: Int, by account: String) async throws {
    if self.table.liveStatus {
      try await self.connection.execute(
        "UPDATE \(unescaped: self.table.name) SET status = 'retired' WHERE " + self.ownerFilter() + " AND status = 'live'"
      )
    }
    var columns: [(column: String, value: SQLQuery)] = [("version", "\(number)"), ("created_by", "\(account)")]
    if let owner = self.table.owner { columns.append((owner.column, "\(owner.id)")) }
    if self.table.liveStatus { columns.append(("status", "'live'")) }
    columns += try self.table.columns.write(document)
    var values: SQLQuery = ""
    for (index, column) in columns.enumerated() { values.append((index == 0 ? "" : ", ") + column.value) }
    try await self.connection.execute(
      "INSERT INTO \(unescaped: self.table.name) (\(unescaped: columns.map(\.column).joined(separator: ", "))) VALUES (" + values + ")"
    )
  }

  private func select() -> SQLQuery {
    "SELECT version, \(unescaped: self.table.columns.read) AS document, created_by, created_at FROM \(unescaped: self.table.name) WHERE "
      + self.ownerFilter()
  }

  private func ownerFilter() -> SQLQuery {
    guard let owner = self.table.owner else { return "true" }
    return "\(unescaped: owner.column) = \(owner.id)"
  }

  private func first(_ query: SQLQuery) async throws(StoreError) -> StoredVersion<Document>? {
    guard let row = try await self.connection.query(query).rows.first else { return nil }
    let version = try row.decode(Int.self, column: "version")
    let document: Document
    do {
      document = try self.table.columns.decode(try row.decode(String.self, column: "document"))
    } catch {
      throw StoreError(code: .decoding, serverMessage: "\(self.table.subject) version \(version): \(error)")
    }
    return StoredVersion(
      version: version,
      document: document,
      createdBy: try row.decode(column: "created_by"),
      createdAt: try row.decode(column: "created_at")
    )
  }
}

/// How a document is kept in its table's columns.
struct DocumentColumns<Document: Sendable>: Sendable {
  /// An expression giving the document as text (`routes::text`).
  var read: String
  var decode: @Sendable (String) throws -> Document
  /// The columns a version writes besides its number and author, with their values.
  var write: @Sendable (Document) throws -> [(column: String, value: SQLQuery)]

  /// The document as JSON in a `jsonb` column.
  static func json(_ column: String) -> Self where Document: Codable {
    DocumentColumns(
      read: column + "::text",
      decode: { text in try JSONDecoder().decode(Document.self, from: Data(text.utf8)) },
      write: { document in
        let json = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        return [(column, "\(json)::jsonb")]
      }
    )
  }

  /// These columns and `column`, written with `value` of the document (a scheme's name).
  func adding(_ column: String, _ value: @escaping @Sendable (Document) -> SQLQuery) -> Self {
    let write = self.write
    return DocumentColumns(read: self.read, decode: self.decode, write: { document in try write(document) + [(column, value(document))] })
  }
}
