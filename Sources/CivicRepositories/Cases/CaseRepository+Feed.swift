public import CivicStore

/// The partner feed over `case_events`: the filtered pages each subscriber may read
/// (`CaseEventFilter.page`) and the unfiltered tail an instance reads once for all of them.
public enum CaseEventFeed {
  /// Every numbered event after `after`, whatever its case or unit, in sequence order: what
  /// an instance's shared tail reads once and filters in memory for each subscriber
  /// (`CaseEventFilter.admits`).
  public static func tail(after: Int64, limit: Int) -> SQLQuery {
    """
    SELECT seq, case_id, item_code, task, kind, summary, at, by_party, case_state, case_version, unit_path
    FROM case_events WHERE seq > \(after) ORDER BY seq LIMIT \(limit)
    """
  }

  /// The highest sequence numbered so far (0 when none): where a new tail starts.
  public static let head: SQLQuery = "SELECT coalesce(max(seq), 0) FROM case_events"
}
