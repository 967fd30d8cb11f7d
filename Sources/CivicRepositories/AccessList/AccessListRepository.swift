public import CivicDomain
public import CivicStore
import Foundation

/// One version of a unit's access list.
public struct AccessListVersion: Sendable, Hashable {
  public var version: Int
  /// `proposed`, `published`, `rejected` or `superseded`.
  public var status: String
  public var note: String
  public var proposedBy: String
  public var reviewedBy: String?
  public var items: [AccessItem]
}

/// Communities' and villages' access lists (`access_lists`, `access_list_items`) and the
/// dispatches they refused (`access_refusals`). Writes run in the caller's transaction.
public struct AccessListRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The unit kinds whose work the list guards.
  public static let guardedKinds = ["community", "village"]

  /// Refuses assigning work for `itemCode` to any of `unitCodes` that is a community or
  /// village with a published list that does not hold the item. (A community whose first
  /// list is not published yet is not guarded: docs/ACCESS.md, "Adoption".)
  public func check(unitCodes: [String], itemCode: String) async throws {
    if let refusal = try await self.firstRefusal(unitCodes: unitCodes, code: "\(itemCode)::text") { throw refusal }
  }

  /// The engine's check for case `caseID` of `item`: against the access-list item the rule
  /// that routed it declared (`cases.access_item`: a request's or a field event's route), else
  /// the one its catalogue version declares (`CatalogItemDefinition.accessItemCode`), else the
  /// item's own code (a dispute's `DISPUTE`, …), resolved in the same statement.
  public func check(unitCodes: [String], caseID: Int64, item: ItemRef) async throws {
    let declared: SQLQuery = """
      coalesce((SELECT c.access_item FROM cases c WHERE c.id = \(caseID)),
        (SELECT v.definition->>'accessItemCode' FROM catalog_item_versions v
          WHERE v.item_code = \(item.code) AND v.version = \(item.version)), \(item.code))
      """
    if let refusal = try await self.firstRefusal(unitCodes: unitCodes, code: declared) { throw refusal }
  }

  /// The first of `unitCodes` (by code) whose published list lacks the item `code` evaluates to.
  private func firstRefusal(unitCodes: [String], code: SQLQuery) async throws -> AccessListRefusal? {
    guard !unitCodes.isEmpty else { return nil }
    let refused = try await self.connection.query(
      """
      SELECT u.code, item.code FROM (SELECT \(code) AS code) item CROSS JOIN units u
      JOIN access_lists l ON l.unit_id = u.id AND l.status = 'published'
      WHERE u.code = ANY(\(SQLArray(unitCodes))::text[]) AND u.kind = ANY(\(SQLArray(Self.guardedKinds))::text[])
        AND NOT EXISTS (SELECT 1 FROM access_list_items i WHERE i.unit_id = l.unit_id AND i.version = l.version AND i.code = item.code)
      ORDER BY u.code LIMIT 1
      """
    ).decode((String, String).self).first
    return refused.map { AccessListRefusal(unitCode: $0.0, itemCode: $0.1) }
  }

  /// The published version and the pending proposal of a unit's list.
  public func versions(unitID: Int64) async throws(StoreError) -> (published: AccessListVersion?, proposed: AccessListVersion?) {
    let rows = try await self.connection.query(
      """
      SELECT version, status, note, proposed_by, reviewed_by FROM access_lists
      WHERE unit_id = \(unitID) AND status IN ('published', 'proposed') ORDER BY version
      """
    ).decode((Int, String, String, String, String?).self)
    var published: AccessListVersion?
    var proposed: AccessListVersion?
    for row in rows {
      let items = try await self.items(unitID: unitID, version: row.0)
      let version = AccessListVersion(version: row.0, status: row.1, note: row.2, proposedBy: row.3, reviewedBy: row.4, items: items)
      if row.1 == "published" { published = version } else { proposed = version }
    }
    return (published, proposed)
  }

  func items(unitID: Int64, version: Int) async throws(StoreError) -> [AccessItem] {
    try await self.connection.query(
      """
      SELECT code, name, approving_body, approved_on::text, basis FROM access_list_items
      WHERE unit_id = \(unitID) AND version = \(version) ORDER BY code
      """
    ).decode((String, String, String, String, String).self).map { row throws(StoreError) in
      guard let day = CivilDate(row.3) else { throw StoreError(code: .decoding, serverMessage: "access_list_items: approved_on") }
      return AccessItem(code: row.0, name: row.1, approvingBody: row.2, approvedOn: day, basis: row.4)
    }
  }

  /// Adds a proposal as the next version; false when one is pending already.
  public func propose(unitID: Int64, items: [AccessItem], note: String, by login: String, at now: Instant) async throws(StoreError) -> Int? {
    let version = try await self.connection.query(
      """
      INSERT INTO access_lists (unit_id, version, status, note, proposed_by, proposed_at)
      SELECT \(unitID), coalesce(max(version), 0) + 1, 'proposed', \(note), \(login), to_timestamp(\(now.secondsSinceEpoch)::bigint)
      FROM access_lists WHERE unit_id = \(unitID)
      ON CONFLICT DO NOTHING RETURNING version
      """
    ).scalar(Int.self)
    guard let version else { return nil }
    if !items.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO access_list_items (unit_id, version, code, name, approving_body, approved_on, basis)
        SELECT \(unitID), \(version), c, n, b, d::date, r
        FROM unnest(\(SQLArray(items.map(\.code)))::text[], \(SQLArray(items.map(\.name)))::text[], \(SQLArray(items.map(\.approvingBody)))::text[],
          \(SQLArray(items.map(\.approvedOn.description)))::text[], \(SQLArray(items.map(\.basis)))::text[]) AS v (c, n, b, d, r)
        """
      )
    }
    return version
  }

  /// Publishes (the published version before becomes superseded) or rejects a pending proposal.
  public func review(unitID: Int64, version: Int, approve: Bool, note: String, by login: String, at now: Instant) async throws(StoreError) {
    if approve {
      try await self.connection.execute("UPDATE access_lists SET status = 'superseded' WHERE unit_id = \(unitID) AND status = 'published'")
    }
    try await self.connection.execute(
      """
      UPDATE access_lists SET status = \(approve ? "published" : "rejected"), reviewed_by = \(login),
        reviewed_at = to_timestamp(\(now.secondsSinceEpoch)::bigint), review_note = \(note)
      WHERE unit_id = \(unitID) AND version = \(version)
      """
    )
  }

  /// Records a refused dispatch under its rule (outside the refused transaction, which rolled back).
  public func recordRefusal(_ refusal: any DispatchRefusal, senderUnitID: Int64, account: String, method: String, at now: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO access_refusals (at, sender_unit_id, account, method, target_unit_code, item_code, rule)
      VALUES (to_timestamp(\(now.secondsSinceEpoch)::bigint), \(senderUnitID), \(account), \(method), \(refusal.targetUnitCode),
        \(refusal.itemCode), \(type(of: refusal).ruleKey))
      """
    )
  }

  /// Refused dispatches per sending unit and rule in `range` of paths, from `from` up to `to`
  /// (exclusive), by sender code and rule.
  public func refusals(range: (lower: String, upper: String), from: Instant, to: Instant) async throws(StoreError) -> [RefusalTally] {
    try await self.connection.query(
      """
      SELECT u.code, r.rule, count(*)::int, array_to_string(array_agg(DISTINCT r.item_code ORDER BY r.item_code), E'\\n')
      FROM access_refusals r JOIN units u ON u.id = r.sender_unit_id
      WHERE r.at >= to_timestamp(\(from.secondsSinceEpoch)::bigint) AND r.at < to_timestamp(\(to.secondsSinceEpoch)::bigint)
        AND u.path >= \(range.lower) AND u.path < \(range.upper)
      GROUP BY u.code, r.rule ORDER BY u.code, r.rule
      """
    ).decode((String, String, Int, String).self).map {
      RefusalTally(senderUnitCode: $0.0, rule: $0.1, refused: $0.2, itemCodes: $0.3.split(separator: "\n").map(String.init))
    }
  }
}

/// Refused dispatches of one sending unit under one rule (`DispatchRefusal.ruleKey`).
public struct RefusalTally: Sendable, Hashable {
  public var senderUnitCode: String
  public var rule: String
  public var refused: Int
  /// The distinct items refused, sorted.
  public var itemCodes: [String]
}
