public import CivicDomain
public import CivicStore

/// The side table of orders and inspection findings (`supervision_orders`); their case is the
/// `CaseRepository`'s.
public struct OrderRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The order row of case `caseID`, if it has one; `lock` holds it for an update.
  public func load(_ caseID: Int64, lock: Bool) async throws(StoreError) -> OrderRecord? {
    var query = "SELECT " + OrderRecord.columns
    query.append(" FROM supervision_orders WHERE case_id = \(caseID)")
    if lock { query.append(" FOR UPDATE") }
    return try await self.connection.query(query).first(OrderRecord.self)
  }

  /// The order rows of `caseIDs` that have one, by case id: one query for a page of orders.
  public func load(_ caseIDs: [Int64]) async throws(StoreError) -> [Int64: OrderRecord] {
    guard !caseIDs.isEmpty else { return [:] }
    var query = "SELECT case_id, " + OrderRecord.columns
    query.append(" FROM supervision_orders WHERE case_id = ANY(\(SQLArray(caseIDs))::bigint[])")
    var records: [Int64: OrderRecord] = [:]
    for row in try await self.connection.query(query).rows {
      records[try row.decode(Int64.self, column: "case_id")] = try OrderRecord(row: row)
    }
    return records
  }

  public func insert(_ order: NewOrder) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO supervision_orders (case_id, level, issued_level, title, requirement, subject_case_id, subject_task,
        reply_working_days, inspection_id, issued_by, issued_at)
      VALUES (\(order.caseID), \(order.level.rawValue), \(order.level.rawValue), \(order.title), \(order.requirement),
        \(order.subject?.caseID), \(order.subject?.task ?? 0), \(order.replyWorkingDays), \(order.inspectionID), \(order.issuedBy),
        to_timestamp(\(order.issuedAt.secondsSinceEpoch)::bigint))
      """
    )
  }

  /// Marks the sweeper's proposal of an order on (case, task), if one is waiting, as answered by `orderID`.
  public func answerProposal(caseID: Int64, task: Int, orderID: Int64) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE supervision_order_proposals SET order_id = \(orderID) WHERE case_id = \(caseID) AND task = \(task) AND order_id IS NULL"
    )
  }

  /// Records one escalation of order `caseID` to `level`.
  public func recordEscalation(_ caseID: Int64, to level: OrderLevel) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE supervision_orders SET level = \(level.rawValue), escalations = escalations + 1 WHERE case_id = \(caseID)"
    )
  }

  /// The code of the unit above `unit`, where a listed order escalates to; nil at the top.
  public func escalationUnit(above unit: UnitID) async throws(StoreError) -> UnitID? {
    try await self.connection.query(
      "SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = \(unit.rawValue)"
    ).scalar(String.self).map { UnitID($0) }
  }

  /// Ids of `kind` cases, newest first, below `before`, whose issuing unit or current unit (the
  /// latest task's) is in `range`, optionally only in `states` and at `level`.
  public func list(
    kind: String,
    range: (lower: String, upper: String),
    before: Int64,
    states: [String],
    level: OrderLevel?,
    limit: Int
  ) async throws(StoreError) -> [Int64] {
    try await self.connection.query(
      """
      SELECT c.id FROM cases c JOIN units u ON u.id = c.unit_id JOIN supervision_orders so ON so.case_id = c.id
      WHERE c.kind = \(kind) AND c.id < \(before)
        AND (cardinality(\(SQLArray(states))::text[]) = 0 OR c.state = ANY(\(SQLArray(states))::text[]))
        AND (\(level?.rawValue)::text IS NULL OR so.level = \(level?.rawValue))
        AND (u.path >= \(range.lower) AND u.path < \(range.upper) OR EXISTS (
          SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
          WHERE t.case_id = c.id AND t.number = (SELECT max(number) FROM case_tasks WHERE case_id = c.id)
            AND tu.path >= \(range.lower) AND tu.path < \(range.upper)))
      ORDER BY c.id DESC LIMIT \(limit)
      """
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }
}
