public import CivicStore

/// The audit log (`audit_log`, append-only by trigger) and its chain head (`audit_head`).
public struct AuditRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The chain head's sequence number and hash; `lock` holds it until commit, which
  /// serializes every writer of the log.
  public func head(lock: Bool) async throws(StoreError) -> (seq: Int64, hash: [UInt8])? {
    let rows = try await self.connection.query("SELECT seq, hash FROM audit_head\(SQLQuery.rowLock(lock))")
      .decode((Int64, SQLBytes).self)
    return rows.first.map { (seq: $0.0, hash: $0.1.bytes) }
  }

  /// Appends `record` (its seq and hash already computed) and moves the head to it.
  public func append(_ record: AuditRecord) async throws(StoreError) {
    // A start-up command acts as no account: NULL, not 0.
    let accountID: Int64? = record.accountID == 0 ? nil : record.accountID
    let prevHash = SQLBytes(record.prevHash)
    let hash = SQLBytes(record.hash)
    try await self.connection.execute(
      """
      INSERT INTO audit_log (seq, at, account_id, account, method, object, summary, request_id, prev_hash, hash)
      OVERRIDING SYSTEM VALUE
      VALUES (\(record.seq), timestamptz 'epoch' + (\(record.atMicros)::bigint || ' microseconds')::interval,
        \(accountID), \(record.account), \(record.method), \(record.object),
        \(record.summary), \(record.requestID), \(prevHash), \(hash))
      """
    )
    try await self.connection.execute("UPDATE audit_head SET seq = \(record.seq), hash = \(hash)")
  }

  /// Up to `limit` entries after `seq`, in order (for walking the chain).
  public func entries(after seq: Int64, limit: Int) async throws(StoreError) -> [AuditRecord] {
    try await self.connection.query("SELECT \(AuditRecord.columns) WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)")
      .decode(AuditRecord.self)
  }

  /// Up to `limit` entries matching `filter`, in seq order.
  public func list(_ filter: AuditFilter, limit: Int) async throws(StoreError) -> [AuditRecord] {
    var query: SQLQuery = "SELECT \(AuditRecord.columns) WHERE seq > \(filter.afterSeq)"
    if !filter.object.isEmpty { query.append(" AND object = \(filter.object)") }
    if !filter.account.isEmpty { query.append(" AND account = \(filter.account)") }
    if let since = filter.sinceMicros { query.append(" AND at >= timestamptz 'epoch' + (\(since)::bigint || ' microseconds')::interval") }
    if let until = filter.untilMicros { query.append(" AND at < timestamptz 'epoch' + (\(until)::bigint || ' microseconds')::interval") }
    if let range = filter.accountsWithin {
      query.append(
        " AND account_id IN (SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.path >= \(range.lower) AND u.path < \(range.upper))"
      )
    }
    query.append(" ORDER BY seq LIMIT \(limit)")
    return try await self.connection.query(query).decode(AuditRecord.self)
  }
}
