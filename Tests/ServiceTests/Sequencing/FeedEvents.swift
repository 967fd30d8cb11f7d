import CivicStore

/// Case events in many units, items and kinds, fast: copies of a case's first event with
/// its unit path, item and kind replaced (the feed reads only these columns). Written
/// unnumbered, one transaction each, as writers do; the sequencer numbers them.
enum FeedEvents {
  /// Around the scopes the tests use: inside, beside (a sibling sharing a prefix, the byte
  /// after `/`), above, and a non-ASCII path.
  static let paths = [
    "/D01/", "/D01/CTR/", "/D01/CTRX/", "/D01/CTR0/", "/D01/CTR/A/", "/D01/S01/CTR2/", "/D01/S01/", "/D02/", "/D010/",
    "/D01/CTR/\u{E9}/",
  ]
  /// The last two are canonically equivalent (precomposed and decomposed): PostgreSQL tells
  /// them apart, so must the in-memory filter.
  static let items = ["elderly-allowance", "other", "caf\u{E9}", "cafe\u{301}"]
  static let kinds = ["submitted", "x-note", "x-other"]

  /// Writes events `from ..< from + count`, cycling through paths, items, kinds and `cases`.
  static func write(_ pool: StorePool, cases: [Int64], count: Int, from: Int = 0) async throws {
    for i in from..<(from + count) {
      let (path, item) = (Self.paths[i % Self.paths.count], Self.items[(i / 2) % Self.items.count])
      let (kind, caseID) = (Self.kinds[(i / 3) % Self.kinds.count], cases[(i / 5) % cases.count])
      _ = try await pool.query(
        """
        INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
        SELECT case_id, task, \(kind), summary, at, by_party, case_state, case_version, \(item), \(path), payload
        FROM case_events WHERE case_id = \(caseID) ORDER BY id LIMIT 1
        """
      )
    }
  }
}
