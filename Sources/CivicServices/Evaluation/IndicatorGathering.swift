import CivicDomain
import CivicStore
import Foundation

/// Gathers the facts of docs/METRICS.md for every unit in a path range: one query per kind of
/// fact. Deadlines and handling times are the engine's own clock arithmetic on the stored
/// snapshot under the case's calendar; the indicators themselves are `IndicatorSet`.
enum IndicatorGathering {
  static func inputs(_ range: (lower: String, upper: String), window: Range<Instant>, on connection: StoreConnection) async throws
    -> IndicatorInputs
  {
    let start = window.lowerBound.secondsSinceEpoch
    let end = window.upperBound.secondsSinceEpoch
    var calendars: [String: WorkingCalendar] = [:]
    var inputs = IndicatorInputs()

    // Service applications submitted before the window's end that were open at its start or
    // had an event in or after it (a case finished before the window cannot count in it):
    // the open ones and those with a recent event, each from an index (migration 0009). The
    // facts are the row's; rows written before 0009 (facts_version 0) bring their snapshot.
    let caseRows = try await connection.query(
      """
      SELECT c.id, u.path, c.jurisdiction, CASE WHEN c.facts_version = 0 THEN c.snapshot::text END,
        extract(epoch FROM c.submitted_at)::bigint, extract(epoch FROM c.decided_at)::bigint, c.accepted,
        extract(epoch FROM c.completed_at)::bigint, extract(epoch FROM c.clock_deadline)::bigint, c.handling_working_days
      FROM cases c
      JOIN units u ON u.id = c.unit_id
      WHERE c.id IN (
          SELECT id FROM cases WHERE is_open AND kind = 'serviceApplication'
          UNION ALL
          SELECT id FROM cases WHERE last_event_at >= to_timestamp($3::bigint)
        )
        AND c.kind = 'serviceApplication' AND u.path >= $1 AND u.path < $2 AND c.submitted_at < to_timestamp($4::bigint)
      """,
      [range.lower, range.upper, start, end]
    ).rows
    for row in caseRows {
      let completedAt = try row.decode(Int?.self, at: 7).map(Instant.init(secondsSinceEpoch:))
      var deadline = try row.decode(Int?.self, at: 8).map(Instant.init(secondsSinceEpoch:))
      var handling = try row.decode(Double?.self, at: 9)
      if let snapshot = try row.decode(String?.self, at: 3) {
        let jurisdiction = try row.decode(String.self, at: 2)
        if calendars[jurisdiction] == nil {
          calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar
        }
        let value = try JSONDecoder().decode(Case.self, from: Data(snapshot.utf8))
        (deadline, handling) = try CaseIndicatorFacts.clock(of: value, completedAt: completedAt, in: calendars[jurisdiction]!)
      }
      inputs.cases.append(
        CaseFact(
          caseID: try row.decode(Int64.self, at: 0),
          unitPath: try row.decode(String.self, at: 1),
          submittedAt: Instant(secondsSinceEpoch: try row.decode(Int.self, at: 4)),
          decidedAt: try row.decode(Int?.self, at: 5).map(Instant.init(secondsSinceEpoch:)),
          accepted: try row.decode(Bool.self, at: 6),
          completedAt: completedAt,
          deadline: deadline,
          handlingWorkingDays: handling
        )
      )
    }

    inputs.ratings = try await connection.query(
      """
      SELECT r.id, r.case_id, r.unit_path, extract(epoch FROM r.rated_at)::bigint, r.level,
        extract(epoch FROM r.excluded_at)::bigint, extract(epoch FROM x.visited_at)::bigint
      FROM ratings r
      LEFT JOIN (rectifications x JOIN cases xc ON xc.id = x.case_id AND xc.state = 'rectified') ON x.rating_id = r.id
      WHERE r.unit_path >= $1 AND r.unit_path < $2 AND r.rated_at >= to_timestamp($3::bigint) AND r.rated_at < to_timestamp($4::bigint)
      """,
      [range.lower, range.upper, start, end]
    ).rows.map { row in
      RatingFact(
        ratingID: try row.decode(Int64.self, at: 0),
        caseID: try row.decode(Int64.self, at: 1),
        unitPath: try row.decode(String.self, at: 2),
        ratedAt: Instant(secondsSinceEpoch: try row.decode(Int.self, at: 3)),
        level: Rating.Level(rawValue: try row.decode(String.self, at: 4))!,
        upheldAt: try row.decode(Int?.self, at: 5).map(Instant.init(secondsSinceEpoch:)),
        rectifiedAt: try row.decode(Int?.self, at: 6).map(Instant.init(secondsSinceEpoch:))
      )
    }

    try await Self.supervision(into: &inputs, range, start: start, end: end, calendars: &calendars, on: connection)
    return inputs
  }

  /// Orders, urges and criticisms from the supervision tables (migration 0006), when they exist:
  /// each task of a `supervisionOrder` case is one reply the task's unit owed, due at its
  /// clock's deadline, replied when the task carries the reply (its clock stopped then).
  static func supervision(
    into inputs: inout IndicatorInputs,
    _ range: (lower: String, upper: String),
    start: Int,
    end: Int,
    calendars: inout [String: WorkingCalendar],
    on connection: StoreConnection
  ) async throws {
    var paths: [String: String] = [:]
    for row in try await connection.query("SELECT code, path FROM units").rows {
      paths[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
    }
    // Paths are ASCII, so String order is the byte order of the SQL range ("/" < "0").
    func inRange(_ path: String) -> Bool { path >= range.lower && path < range.upper }
    let orders = try await connection.query(
      """
      SELECT c.id, c.jurisdiction, c.snapshot::text, o.issued_level
      FROM supervision_orders o JOIN cases c ON c.id = o.case_id
      WHERE c.kind = 'supervisionOrder' AND o.issued_at < to_timestamp($1::bigint)
      """,
      [end]
    ).rows
    for row in orders {
      let id = try row.decode(Int64.self, at: 0)
      let jurisdiction = try row.decode(String.self, at: 1)
      if calendars[jurisdiction] == nil { calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar }
      let value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 2).utf8))
      // The level each reply was owed at, not the order's level now: an order escalated to
      // listed after the period was ordinary in it.
      let issued = OrderLevel(rawValue: try row.decode(String.self, at: 3)) ?? .ordinary
      let levels = OrderLevel.openingLevels(issued: issued, tasks: value.tasks.count)
      for (task, level) in zip(value.tasks, levels) {
        guard let path = paths[task.unit.rawValue], inRange(path) else { continue }
        inputs.orders.append(
          OrderFact(
            orderID: "\(CaseNumber.format(id))/\(task.number)",
            caseID: id,
            unitPath: path,
            listed: level == .listed,
            issuedAt: task.clock.start,
            replyDueAt: try task.clock.deadlineIgnoringOpenPause(in: calendars[jurisdiction]!),
            repliedAt: task.opinion == nil ? nil : task.clock.stoppedAt
          )
        )
      }
    }
    inputs.events += try await connection.query(
      """
      SELECT 'urged', coalesce(case_id, 0), unit_path, extract(epoch FROM at)::bigint FROM supervision_alerts
      WHERE kind = 'urge' AND unit_path >= $1 AND unit_path < $2 AND at >= to_timestamp($3::bigint) AND at < to_timestamp($4::bigint)
      UNION ALL
      SELECT 'criticised', coalesce(n.case_ids[1], 0), u.path, extract(epoch FROM n.published_at)::bigint
      FROM supervision_notices n JOIN units u ON u.id = n.unit_id
      WHERE n.kind = 'criticism' AND u.path >= $1 AND u.path < $2
        AND n.published_at >= to_timestamp($3::bigint) AND n.published_at < to_timestamp($4::bigint)
      """,
      [range.lower, range.upper, start, end]
    ).rows.map { row in
      UnitEventFact(
        kind: try row.decode(String.self, at: 0) == "urged" ? .urged : .criticised,
        caseID: try row.decode(Int64.self, at: 1),
        unitPath: try row.decode(String.self, at: 2),
        at: Instant(secondsSinceEpoch: try row.decode(Int.self, at: 3))
      )
    }
  }
}
