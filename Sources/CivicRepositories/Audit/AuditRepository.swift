public import CivicStore

/// The audit log (`audit_log`, append-only by trigger but for the sequencer's one filling of
/// seq and hashes) and its chain head (`audit_head`).
public struct AuditRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The chain head's sequence number and hash; `lock` holds it until commit (the
  /// sequencer's, which alone moves it).
  public func head(lock: Bool) async throws(StoreError) -> (seq: Int64, hash: [UInt8])? {
    let rows = try await self.connection.query("SELECT seq, hash FROM audit_head\(SQLQuery.rowLock(lock))")
      .decode((Int64, SQLBytes).self)
    return rows.first.map { (seq: $0.0, hash: $0.1.bytes) }
  }

  /// Appends `record`'s contents unsealed (no seq, prev_hash or hash: the sequencer fills
  /// them after commit) and wakes the sequencer at commit. Takes no lock: concurrent writers
  /// do not wait on each other here.
  public func append(_ record: AuditRecord) async throws(StoreError) {
    // A start-up command acts as no account: NULL, not 0.
    let accountID: Int64? = record.accountID == 0 ? nil : record.accountID
    let insert: SQLQuery = """
      WITH inserted AS (
        INSERT INTO audit_log (at, account_id, account, method, object, summary, request_id)
        VALUES (timestamptz 'epoch' + (\(record.atMicros)::bigint || ' microseconds')::interval,
          \(accountID), \(record.account), \(record.method), \(record.object), \(record.summary), \(record.requestID))
        RETURNING id
      )
      SELECT pg_notify(\(SequencerRepository.wakeChannel), '') FROM inserted
      """
    // Nothing is read back: inside a transaction it goes out with the next statement or the COMMIT.
    try await self.connection.queue(insert.named("INSERT audit_log"))
  }

  /// Up to `limit` committed entries that have no seq yet, in insertion order, each with its
  /// insertion id (seq 0 and empty hashes in the record).
  public func unsealed(limit: Int) async throws(StoreError) -> [(id: Int64, record: AuditRecord)] {
    let rows = try await self.connection.query(
      """
      SELECT id, 0::bigint AS seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, coalesce(account_id, 0) AS account_id,
        account, method, object, summary, request_id, ''::bytea AS prev_hash, ''::bytea AS hash
      FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT \(limit)
      """
    ).rows
    var entries: [(id: Int64, record: AuditRecord)] = []
    for row in rows { entries.append((id: try row.decode(Int64.self, column: "id"), record: try AuditRecord(row: row))) }
    return entries
  }

  /// Seals `entries` (seq, prev_hash and hash computed by the caller, in chain order) in one
  /// statement and moves the head to the last. Call it in the transaction that read the
  /// head with `lock`.
  public func seal(_ entries: [(id: Int64, record: AuditRecord)]) async throws(StoreError) {
    guard let last = entries.last else { return }
    // Both are queued: they go out with the transaction's next statement (the sequencer's COMMIT).
    try await self.connection.queue(
      """
      UPDATE audit_log a SET seq = r.seq, prev_hash = decode(r.prev_hash, 'hex'), hash = decode(r.hash, 'hex')
      FROM unnest(\(SQLArray(entries.map(\.id)))::bigint[], \(SQLArray(entries.map(\.record.seq)))::bigint[],
        \(SQLArray(entries.map { Self.hex($0.record.prevHash) }))::text[], \(SQLArray(entries.map { Self.hex($0.record.hash) }))::text[])
        AS r(id, seq, prev_hash, hash)
      WHERE a.id = r.id
      """
    )
    try await self.connection.queue("UPDATE audit_head SET seq = \(last.record.seq), hash = \(SQLBytes(last.record.hash))")
  }

  private static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// Whether any committed entry names `object`, sealed or not yet (a row the sequencer has
  /// not numbered counts: a marker written a moment ago must be seen).
  public func hasEntry(object: String) async throws(StoreError) -> Bool {
    try await self.connection.query("SELECT EXISTS (SELECT 1 FROM audit_log WHERE object = \(object))").scalar(Bool.self) ?? false
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
