public import CivicStore

/// One row of `audit_log`, hashes included; the chain's hashing rules are the service layer's
/// (`AuditChain`, which calls it an entry).
public struct AuditRecord: SQLRecord, Hashable {
  public var seq: Int64
  public var atMicros: Int64
  /// 0 for a start-up command, which acts as no account.
  public var accountID: Int64
  public var account: String
  public var method: String
  public var object: String
  public var summary: String
  public var requestID: String
  public var prevHash: [UInt8]
  public var hash: [UInt8]

  public init(
    seq: Int64,
    atMicros: Int64,
    accountID: Int64,
    account: String,
    method: String,
    object: String,
    summary: String,
    requestID: String,
    prevHash: [UInt8],
    hash: [UInt8] = []
  ) {
    self.seq = seq
    self.atMicros = atMicros
    self.accountID = accountID
    self.account = account
    self.method = method
    self.object = object
    self.summary = summary
    self.requestID = requestID
    self.prevHash = prevHash
    self.hash = hash
  }

  static let columns: SQLQuery = """
    seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, coalesce(account_id, 0) AS account_id, account, method,
    object, summary, request_id, prev_hash, hash FROM audit_log
    """

  public init(row: Row) throws(StoreError) {
    self.seq = try row.decode(column: "seq")
    self.atMicros = try row.decode(column: "at_micros")
    self.accountID = try row.decode(column: "account_id")
    self.account = try row.decode(column: "account")
    self.method = try row.decode(column: "method")
    self.object = try row.decode(column: "object")
    self.summary = try row.decode(column: "summary")
    self.requestID = try row.decode(column: "request_id")
    self.prevHash = try row.decode(SQLBytes.self, column: "prev_hash").bytes
    self.hash = try row.decode(SQLBytes.self, column: "hash").bytes
  }
}
