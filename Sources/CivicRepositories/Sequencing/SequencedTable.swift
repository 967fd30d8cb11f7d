/// A table whose rows are written without a sequence number and numbered after commit by
/// the sequencer (migration 0022): writers insert, the sequencer fills `seq`, readers read
/// only rows that have one.
public enum SequencedTable: String, Sendable, CaseIterable {
  /// The case timelines and the partner feed.
  case caseEvents = "case_events"
  /// The hash-chained audit log (the sequencer also fills `prev_hash` and `hash`).
  case auditLog = "audit_log"
}
