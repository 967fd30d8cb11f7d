public import CivicDomain
public import CivicStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Records every warning-level change of every open case and task clock exactly once, as an
/// alert, from the index on `cases.warning_next_at` (docs/SUPERVISION.md).
///
/// One pass claims due cases a batch at a time with `FOR UPDATE … SKIP LOCKED`, so several
/// sweepers (one per server instance) share the work without waiting on each other; the level
/// last recorded is compared and rewritten in the same transaction as the alerts, so a change
/// is recorded by whichever sweeper holds the row, once. A case whose snapshot changed has
/// `warning_next_at = -infinity` (a trigger), so new and changed clocks are seen on the next pass.
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

  private func sweepBatch(at now: Instant, on connection: StoreConnection) async throws -> Pass {
    let rows = try await connection.query(
      """
      SELECT c.id, c.kind, c.jurisdiction, c.snapshot::text, c.warning_level, u.id, u.path
      FROM cases c JOIN units u ON u.id = c.unit_id
      WHERE c.is_open AND c.warning_next_at <= to_timestamp($1::bigint)
      ORDER BY c.warning_next_at, c.id
      LIMIT $2
      FOR UPDATE OF c SKIP LOCKED
      """,
      [now.secondsSinceEpoch, self.configuration.batchSize]
    ).rows
    var pass = Pass()
    var calendars: [String: WorkingCalendar] = [:]
    var alerts: [PendingAlert] = []
    for row in rows {
      pass.casesExamined += 1
      let id = try row.decode(Int64.self, at: 0)
      let kind = try row.decode(String.self, at: 1)
      let jurisdiction = try row.decode(String.self, at: 2)
      let value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 3).utf8))
      let storedCaseLevel = WarningLevel(stored: try row.decode(String.self, at: 4)) ?? .green
      let intakeUnit = (id: try row.decode(Int64.self, at: 5), path: try row.decode(String.self, at: 6))
      if calendars[jurisdiction] == nil {
        calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar
      }
      let warnings = try value.warnings(at: now, in: calendars[jurisdiction]!)
      let caseNumber = CaseNumber.format(id)
      let orderLike = CasePolicy.orderLike(kind) != nil
      var proposals: [(Int, (id: Int64, path: String, code: String), WarningLevel)] = []

      func record(task: Int, unit: (id: Int64, path: String, code: String), from old: WarningLevel, to new: WarningLevel) {
        // A late pass that skips a level records the levels in between too, so a yellow urge
        // is never lost; a level that falls (an extension) is one change.
        let steps: [WarningLevel] = new > old ? WarningLevel.allCases.filter { $0 > old && $0 <= new } : [new]
        var previous = old
        let subject = task == 0 ? "case \(caseNumber)" : "task \(task) of case \(caseNumber)"
        for level in steps {
          pass.changes += 1
          alerts.append(
            PendingAlert(
              kind: .warning,
              caseID: id,
              task: task,
              caseKind: kind,
              unitID: unit.id,
              unitPath: unit.path,
              level: level,
              previousLevel: previous,
              summary: "\(subject) at \(unit.code): \(previous) → \(level)",
              at: now
            )
          )
          if level == .yellow {
            pass.urges += 1
            alerts.append(
              PendingAlert(
                kind: .urge,
                caseID: id,
                task: task,
                caseKind: kind,
                unitID: unit.id,
                unitPath: unit.path,
                level: level,
                previousLevel: previous,
                summary: "催办: \(subject) is close to its deadline",
                at: now
              )
            )
          }
          if level == .overdue, !orderLike { proposals.append((task, unit, previous)) }
          previous = level
        }
      }
      if let status = warnings.case, status.level != storedCaseLevel {
        let code = try await connection.query("SELECT code FROM units WHERE id = $1", [intakeUnit.id]).scalar(String.self) ?? ""
        record(task: 0, unit: (intakeUnit.id, intakeUnit.path, code), from: storedCaseLevel, to: status.level)
      }
      if !warnings.tasks.isEmpty {
        let taskRows = try await connection.query(
          """
          SELECT t.number, t.warning_level, u.id, u.path, u.code FROM case_tasks t JOIN units u ON u.id = t.unit_id
          WHERE t.case_id = $1 AND t.state IN ('pending', 'claimed')
          """,
          [id]
        ).rows
        for taskRow in taskRows {
          let number = try taskRow.decode(Int.self, at: 0)
          guard let status = warnings.tasks[number] else { continue }
          let stored = WarningLevel(stored: try taskRow.decode(String.self, at: 1)) ?? .green
          guard status.level != stored else { continue }
          let unit = (
            id: try taskRow.decode(Int64.self, at: 2), path: try taskRow.decode(String.self, at: 3),
            code: try taskRow.decode(String.self, at: 4)
          )
          record(task: number, unit: unit, from: stored, to: status.level)
          try await connection.execute(
            "UPDATE case_tasks SET warning_level = $3 WHERE case_id = $1 AND number = $2",
            [id, number, status.level.description]
          )
        }
      }
      for (task, unit, previous) in proposals {
        let inserted = try await connection.execute(
          """
          INSERT INTO supervision_order_proposals (case_id, task, unit_id, proposed_at) VALUES ($1, $2, $3, to_timestamp($4::bigint))
          ON CONFLICT DO NOTHING
          """,
          [id, task, unit.id, now.secondsSinceEpoch]
        )
        if inserted == 1 {
          pass.proposals += 1
          let subject = task == 0 ? "case \(caseNumber)" : "task \(task) of case \(caseNumber)"
          alerts.append(
            PendingAlert(
              kind: .orderProposed,
              caseID: id,
              task: task,
              caseKind: kind,
              unitID: unit.id,
              unitPath: unit.path,
              level: .overdue,
              previousLevel: previous,
              summary: "\(subject) at \(unit.code) is overdue: a supervision order is proposed",
              at: now
            )
          )
        }
      }
      // The case clock's level; for a case without one (an order), its most urgent task's.
      let caseLevel = ([warnings.case?.level] + warnings.tasks.values.map(\.level)).compactMap { $0 }.max() ?? .green
      try await connection.execute(
        "UPDATE cases SET warning_level = $2, warning_next_at = to_timestamp($3::bigint) WHERE id = $1",
        [id, warnings.case?.level.description ?? caseLevel.description, warnings.nextChange?.secondsSinceEpoch]
      )
    }
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
