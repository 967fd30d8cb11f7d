public import CivicDomain
public import CivicStore
import Foundation

/// The cases aggregate: the case row (snapshot and projection columns), its tasks, its clocks'
/// pauses and extensions, and its timeline events, inside the caller's transaction.
///
/// Event order: events are inserted without a sequence number (`seq` NULL) and under no
/// lock; the sequencer numbers committed ones after commit, in insertion order, one batch
/// transaction at a time (`SequencerRepository`), so a reader that sees sequence n also
/// sees every smaller one. See docs/STORE.md, "Event and audit order".
public struct CaseRepository: Sendable {
  /// Notified by the sequencer with the newest sequence when it commits a batch; watchers
  /// then read after their cursor.
  public static let notifyChannel = "case_events"

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// A new case id, drawn before the case is built (its number is part of the value).
  public func nextID() async throws(StoreError) -> Int64 {
    guard let id = try await self.connection.query("SELECT nextval(pg_get_serial_sequence('cases', 'id'))").scalar(Int64.self) else {
      throw StoreError(code: .decoding, serverMessage: "nextval returned no row")
    }
    return id
  }

  /// The case `id` if a unit in `range` received it or holds one of its tasks; nil when it does
  /// not exist or the range reaches neither. `lock` takes the row lock every command serialises on.
  public func load(_ id: Int64, visibleIn range: (lower: String, upper: String), lock: Bool) async throws(StoreError) -> CaseRecord? {
    var query = CaseRecord.select(scope: range)
    query.append(" WHERE c.id = \(id)")
    if lock { query.append(" FOR UPDATE OF c") }
    guard let record = try await self.connection.query(query).first(CaseRecord.self), record.visible else { return nil }
    return record
  }

  /// Every case of `ids` that exists, in the order given, whatever the caller's scope (the
  /// caller chose the ids inside it).
  public func load(_ ids: [Int64]) async throws(StoreError) -> [CaseRecord] {
    guard !ids.isEmpty else { return [] }
    var query = CaseRecord.select(scope: (lower: "/", upper: "0"))
    query.append(" WHERE c.id = ANY(\(SQLArray(ids))::bigint[])")
    let byID = Dictionary(uniqueKeysWithValues: try await self.connection.query(query).decode(CaseRecord.self).map { ($0.id, $0) })
    return ids.compactMap { byID[$0] }
  }

  /// The `kind` of case `id`, if it exists.
  public func kind(of id: Int64) async throws(StoreError) -> String? {
    try await self.connection.query("SELECT kind FROM cases WHERE id = \(id)").scalar(String.self)
  }
}
