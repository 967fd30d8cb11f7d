public import CivicDomain
public import CivicStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Records every warning-level change of every open case and task clock exactly once, as an
/// alert, from the index on `case_warnings.next_at` (docs/SUPERVISION.md).
///
/// One pass claims due cases a batch at a time with `FOR UPDATE … SKIP LOCKED`, so several
/// sweepers (one per server instance) share the work without waiting on each other; the level
/// last recorded is compared and rewritten in the same transaction as the alerts, so a change
/// is recorded by whichever sweeper holds the row, once. A case whose snapshot changed has
/// `case_warnings.next_at = -infinity` (a trigger), so new and changed clocks are seen on the next pass.
///
/// Time is injected: `now` is read once per pass, and tests script it over a calendar.
public struct WarningSweeper: Sendable {
  public struct Configuration: Sendable {
    /// Cases claimed per transaction.
    public var batchSize: Int
    /// Pause between passes of the lifecycle service.
    public var interval: Duration
    /// Batches in flight at once within one pass, each in its own transaction on its own
    /// connection (SKIP LOCKED keeps them apart, as it keeps instances apart).
    public var workers: Int

    public init(batchSize: Int, interval: Duration, workers: Int = 1) {
      self.batchSize = batchSize
      self.interval = interval
      self.workers = max(1, workers)
    }

    /// 200 cases per transaction, two at a time, a pass every 5 seconds.
    public static var defaults: Configuration { Configuration(batchSize: 200, interval: .seconds(5), workers: 2) }
  }

  /// What one pass did.
  public struct Pass: Sendable, Hashable {
    public var casesExamined = 0
    public var changes = 0
    public var urges = 0
    public var proposals = 0

    mutating func add(_ other: Pass) {
      self.casesExamined += other.casesExamined
      self.changes += other.changes
      self.urges += other.urges
      self.proposals += other.proposals
    }
  }

  let store: StorePool
  let now: @Sendable () -> Instant
  let configuration: Configuration
  let logger: Logger

  /// A sweeper on the wall clock.
  public init(store: StorePool, configuration: Configuration = .defaults, logger: Logger) {
    self.init(store: store, configuration: configuration, logger: logger, now: { Instant.now })
  }

  public init(store: StorePool, configuration: Configuration = .defaults, logger: Logger, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.configuration = configuration
    self.logger = logger
    self.now = now
  }

  /// Sweeps every case due at `now()` until none is left, and says what it recorded.
  @discardableResult
  public func sweep() async throws -> Pass {
    let now = self.now()
    let total = try await withThrowingTaskGroup(of: Pass.self) { group in
      for _ in 0..<self.configuration.workers {
        group.addTask { try await self.drain(at: now) }
      }
      return try await group.reduce(into: Pass()) { $0.add($1) }
    }
    if total.changes > 0 {
      self.logger.debug("warning sweep", metadata: ["sweep.cases": "\(total.casesExamined)", "sweep.changes": "\(total.changes)"])
    }
    return total
  }

  /// One worker: batches until a batch comes back short (nothing due is left unclaimed).
  private func drain(at now: Instant) async throws -> Pass {
    var total = Pass()
    while true {
      let batch = try await self.store.transaction { connection in try await self.sweepBatch(at: now, on: connection) }
      total.add(batch)
      if batch.casesExamined < self.configuration.batchSize { return total }
    }
  }

  /// A unit as alerts address it.
  private struct AlertUnit {
    var id: Int64
    var path: String
    var code: String
  }

  /// Rows of the batch's set-based writes, bound as one array per column (`SQLArray`).
  private struct TaskLevel {
    var caseID: Int64
    var number: Int
    var level: String
  }

  private struct CaseLevel {
    var id: Int64
    var level: String
    var nextAt: Int?
  }

  private struct Proposal {
    var caseID: Int64
    var task: Int
    var unitID: Int64
  }

  /// The part of `c.snapshot` the levels depend on (`CaseClocks`), cut out in PostgreSQL: a few
  /// hundred bytes of JSON to print and decode instead of the whole case. Every task comes along
  /// (`CaseClocks` skips the closed ones): filtering them here costs a subquery per case.
  static let clocksOfSnapshot = """
    jsonb_build_object('clock', c.snapshot->'clock', 'warningPolicy', c.snapshot->'warningPolicy', 'tasks', c.snapshot->'tasks')::text
    """

  /// One batch in one transaction, in a fixed number of statements whatever its size: claim the
  /// due cases (with their intake unit), read their open tasks, then write task levels, order
  /// proposals, case levels and alerts, each as one statement over the whole batch.
  private func sweepBatch(at now: Instant, on connection: StoreConnection) async throws -> Pass {
    let rows = try await connection.query(
      """
      SELECT c.id, c.kind, c.jurisdiction, \(Self.clocksOfSnapshot), w.level, u.id, u.path, u.code
      FROM case_warnings w JOIN cases c ON c.id = w.case_id JOIN units u ON u.id = c.unit_id
      WHERE w.next_at <= to_timestamp($1::bigint)
      ORDER BY w.next_at, w.case_id
      LIMIT $2
      FOR UPDATE OF w, c SKIP LOCKED
      """,
      [now.secondsSinceEpoch, self.configuration.batchSize]
    ).rows
    guard !rows.isEmpty else { return Pass() }

    var calendars: [String: WorkingCalendar] = [:]
    var claimed: [(id: Int64, kind: String, storedLevel: WarningLevel, unit: AlertUnit, warnings: CaseWarnings)] = []
    for row in rows {
      let jurisdiction = try row.decode(String.self, at: 2)
      if calendars[jurisdiction] == nil {
        calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar
      }
      let value = try JSONDecoder().decode(CaseClocks.self, from: Data(try row.decode(String.self, at: 3).utf8))
      claimed.append(
        (
          id: try row.decode(Int64.self, at: 0),
          kind: try row.decode(String.self, at: 1),
          storedLevel: WarningLevel(stored: try row.decode(String.self, at: 4)) ?? .green,
          unit: AlertUnit(
            id: try row.decode(Int64.self, at: 5),
            path: try row.decode(String.self, at: 6),
            code: try row.decode(String.self, at: 7)
          ),
          warnings: try value.warnings(at: now, in: calendars[jurisdiction]!)
        )
      )
    }

    // The stored level and unit of every open task of the cases whose tasks have clocks.
    var openTasks: [Int64: [(number: Int, stored: WarningLevel, unit: AlertUnit)]] = [:]
    let withTasks = claimed.filter { !$0.warnings.tasks.isEmpty }.map(\.id)
    if !withTasks.isEmpty {
      let taskRows = try await connection.query(
        """
        SELECT t.case_id, t.number, t.warning_level, u.id, u.path, u.code FROM case_tasks t JOIN units u ON u.id = t.unit_id
        WHERE t.case_id = ANY($1::bigint[]) AND t.state IN ('pending', 'claimed')
        ORDER BY t.case_id, t.number
        """,
        ["{" + withTasks.map(String.init).joined(separator: ",") + "}"]
      ).rows
      for row in taskRows {
        openTasks[try row.decode(Int64.self, at: 0), default: []].append(
          (
            number: try row.decode(Int.self, at: 1),
            stored: WarningLevel(stored: try row.decode(String.self, at: 2)) ?? .green,
            unit: AlertUnit(
              id: try row.decode(Int64.self, at: 3),
              path: try row.decode(String.self, at: 4),
              code: try row.decode(String.self, at: 5)
            )
          )
        )
      }
    }

    var pass = Pass()
    pass.casesExamined = rows.count
    var alerts: [PendingAlert] = []
    var taskLevels: [TaskLevel] = []
    var caseLevels: [CaseLevel] = []
    var proposals: [Proposal] = []
    var proposalAlerts: [String: PendingAlert] = [:]
    for c in claimed {
      let caseNumber = CaseNumber.format(c.id)
      let orderLike = CasePolicy.orderLike(c.kind) != nil
      func record(task: Int, unit: AlertUnit, from old: WarningLevel, to new: WarningLevel) {
        // A late pass that skips a level records the levels in between too, so a yellow urge
        // is never lost; a level that falls (an extension) is one change.
        let steps: [WarningLevel] = new > old ? WarningLevel.allCases.filter { $0 > old && $0 <= new } : [new]
        var previous = old
        let subject = task == 0 ? "case \(caseNumber)" : "task \(task) of case \(caseNumber)"
        func alert(_ kind: PendingAlert.Kind, _ level: WarningLevel, _ summary: String) -> PendingAlert {
          PendingAlert(
            kind: kind,
            caseID: c.id,
            task: task,
            caseKind: c.kind,
            unitID: unit.id,
            unitPath: unit.path,
            level: level,
            previousLevel: previous,
            summary: summary,
            at: now
          )
        }
        for level in steps {
          pass.changes += 1
          alerts.append(alert(.warning, level, "\(subject) at \(unit.code): \(previous) → \(level)"))
          if level == .yellow {
            pass.urges += 1
            alerts.append(alert(.urge, level, "催办: \(subject) is close to its deadline"))
          }
          if level == .overdue, !orderLike {
            proposals.append(Proposal(caseID: c.id, task: task, unitID: unit.id))
            proposalAlerts["\(c.id)/\(task)"] = alert(
              .orderProposed,
              .overdue,
              "\(subject) at \(unit.code) is overdue: a supervision order is proposed"
            )
          }
          previous = level
        }
      }
      if let status = c.warnings.case, status.level != c.storedLevel {
        record(task: 0, unit: c.unit, from: c.storedLevel, to: status.level)
      }
      for task in openTasks[c.id] ?? [] {
        guard let status = c.warnings.tasks[task.number], status.level != task.stored else { continue }
        record(task: task.number, unit: task.unit, from: task.stored, to: status.level)
        taskLevels.append(TaskLevel(caseID: c.id, number: task.number, level: status.level.description))
      }
      // The case clock's level; for a case without one (an order), its most urgent task's.
      let caseLevel = c.warnings.case?.level ?? c.warnings.tasks.values.map(\.level).max() ?? .green
      caseLevels.append(CaseLevel(id: c.id, level: caseLevel.description, nextAt: c.warnings.nextChange?.secondsSinceEpoch))
    }

    if !taskLevels.isEmpty {
      try await connection.execute(
        """
        UPDATE case_tasks t SET warning_level = r.level
        FROM unnest($1::bigint[], $2::integer[], $3::text[]) AS r(case_id, number, level)
        WHERE t.case_id = r.case_id AND t.number = r.number
        """,
        [SQLArray(taskLevels.map(\.caseID)), SQLArray(taskLevels.map(\.number)), SQLArray(taskLevels.map(\.level))]
      )
    }
    if !proposals.isEmpty {
      // At most one proposal per clock: only the ones inserted now are announced.
      let inserted = try await connection.query(
        """
        INSERT INTO supervision_order_proposals (case_id, task, unit_id, proposed_at)
        SELECT r.case_id, r.task, r.unit_id, to_timestamp($4::bigint)
        FROM unnest($1::bigint[], $2::integer[], $3::bigint[]) AS r(case_id, task, unit_id)
        ON CONFLICT DO NOTHING
        RETURNING case_id, task
        """,
        [
          SQLArray(proposals.map(\.caseID)), SQLArray(proposals.map(\.task)), SQLArray(proposals.map(\.unitID)),
          now.secondsSinceEpoch,
        ]
      ).rows
      for row in inserted {
        guard let alert = proposalAlerts["\(try row.decode(Int64.self, at: 0))/\(try row.decode(Int.self, at: 1))"] else { continue }
        pass.proposals += 1
        alerts.append(alert)
      }
    }
    try await connection.execute(
      """
      UPDATE case_warnings w SET level = r.level, next_at = to_timestamp(r.next_at)
      FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS r(id, level, next_at)
      WHERE w.case_id = r.id
      """,
      [SQLArray(caseLevels.map(\.id)), SQLArray(caseLevels.map(\.level)), SQLArray(caseLevels.map(\.nextAt))]
    )
    try await AlertWriter.append(alerts, on: connection)
    return pass
  }

}

/// The sweeper as a ServiceLifecycle service: a pass every `interval` until graceful shutdown.
public struct WarningSweeperService: Service {
  let sweeper: WarningSweeper

  public init(sweeper: WarningSweeper) { self.sweeper = sweeper }

  public func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          try await self.sweeper.sweep()
        } catch {
          // PostgreSQL away or a bad snapshot: log and try again on the next pass.
          self.sweeper.logger.warning("warning sweep failed", metadata: ["error": "\(error)"])
        }
        try? await Task.sleep(for: self.sweeper.configuration.interval)
      }
    }
  }
}
