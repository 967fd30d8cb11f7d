public import CivicStore

/// The sequencer's SQL: its leadership, numbering the case events, and what readers ask to
/// wait until their own writes are numbered. (The audit log's numbering is in
/// `AuditRepository`, with its chain.)
///
/// Numbers are drawn from the table itself (`max(seq) + 1`) inside the sequencer's
/// transaction, never from a PostgreSQL sequence, so a rolled-back batch leaves no gap; one
/// sequencer at a time (the leader lock, and `batchLock` inside each transaction) makes the
/// numbering serial. Why that keeps the feed gap-free and in one order: docs/STORE.md,
/// "Event and audit order".
public struct SequencerRepository: Sendable {
  /// Session-level advisory lock: whoever holds it is the database's one sequencer.
  public static let leaderLock: Int64 = 0x4347_5351  // "CGSQ"
  /// Transaction-level advisory lock each numbering transaction takes, so two numbering
  /// transactions never overlap even if two processes believed they led.
  public static let batchLock: Int64 = 0x4347_5342  // "CGSB"
  /// Writers notify here (delivered at their commit) to wake the sequencer.
  public static let wakeChannel = "civic_sequencer"

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Takes leadership if no one holds it; held until this session ends.
  public func tryLead() async throws(StoreError) -> Bool {
    try await self.connection.query("SELECT pg_try_advisory_lock(\(Self.leaderLock))").scalar(Bool.self) ?? false
  }

  /// Serialises this transaction with every other numbering transaction until it ends.
  /// Nothing is read back: it goes out with the transaction's next statement, ahead of it.
  public func lockBatch() async throws(StoreError) {
    try await self.connection.queue("SELECT pg_advisory_xact_lock(\(Self.batchLock))")
  }

  /// Numbers up to `limit` committed unsequenced case events, in insertion order, after the
  /// highest number given so far, and notifies the feed (at commit) with the newest.
  /// Returns how many were numbered.
  public func sequenceCaseEvents(limit: Int, feedChannel: String) async throws(StoreError) -> Int {
    let numbered = try await self.connection.query(
      """
      WITH base AS (SELECT coalesce(max(seq), 0) AS seq FROM case_events),
        batch AS (
          SELECT id, row_number() OVER (ORDER BY id) AS n
          FROM (SELECT id FROM case_events WHERE seq IS NULL ORDER BY id LIMIT \(limit)) pending
        ),
        done AS (
          UPDATE case_events e SET seq = base.seq + batch.n FROM base, batch WHERE e.id = batch.id RETURNING e.seq
        )
      SELECT count(*)::bigint, coalesce(max(seq), 0) FROM done
      """
    ).decode((Int64, Int64).self)
    guard let (count, last) = numbered.first, count > 0 else { return 0 }
    // Delivered at commit in any case, so it goes out with the next statement or the COMMIT.
    try await self.connection.queue("SELECT pg_notify(\(feedChannel), \(String(last)))")
    return Int(count)
  }

  /// The newest row of `table` committed without a number yet (its insertion id); nil when
  /// every committed row has one.
  public func newestUnsequenced(_ table: SequencedTable) async throws(StoreError) -> Int64? {
    try await self.connection.query("SELECT max(id) FROM \(unescaped: table.rawValue) WHERE seq IS NULL").scalar(Int64?.self) ?? nil
  }

  /// Whether every row of `table` up to insertion id `id` has its number.
  public func isSequenced(_ table: SequencedTable, through id: Int64) async throws(StoreError) -> Bool {
    try await self.connection.query(
      "SELECT NOT EXISTS (SELECT 1 FROM \(unescaped: table.rawValue) WHERE seq IS NULL AND id <= \(id))"
    ).scalar(Bool.self) ?? false
  }
}
