public import CivicStore

/// The alert feed over `supervision_alerts`: the filtered pages each WatchAlerts subscriber
/// may read (`AlertFilter.page`) and the unfiltered tail an instance reads once for all of them.
public enum AlertFeed {
  /// The columns of an `AlertRow`, from `supervision_alerts a JOIN units u` (a unit's code
  /// never changes, so a row read once stays true).
  static let columns: SQLQuery = """
    a.seq, a.kind, a.case_id, a.task, a.case_kind, u.code AS unit_code, a.unit_path, a.level, a.previous_level, a.order_id,
      a.record_id, a.summary, a.at
    """

  /// Every alert after `after`, whatever its unit or kind, in sequence order: what an
  /// instance's shared tail reads once and filters in memory for each subscriber
  /// (`AlertFilter.admits`).
  public static func tail(after: Int64, limit: Int) -> SQLQuery {
    """
    SELECT \(Self.columns)
    FROM supervision_alerts a JOIN units u ON u.id = a.unit_id
    WHERE a.seq > \(after) ORDER BY a.seq LIMIT \(limit)
    """
  }

  /// The highest sequence drawn so far (0 when none): where a new tail starts.
  public static let head: SQLQuery = "SELECT coalesce(max(seq), 0) FROM supervision_alerts"
}
