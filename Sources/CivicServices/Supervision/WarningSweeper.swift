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

  /// The part of `c.snapshot` the levels depend on (`CaseClocks`), cut out in PostgreSQL: a few
  /// hundred bytes of JSON to print and decode instead of the whole case. Every task comes along
  /// (`CaseClocks` skips the closed ones): filtering them here costs a subquery per case.
  static let clocksOfSnapshot = """
    jsonb_build_object('clock', c.snapshot->'clock', 'warningPolicy', c.snapshot->'warningPolicy', 'tasks', c.snapshot->'tasks')::text
    """

  /// One batch in one transaction, in a fixed number of statements whatever its size: claim the
  /// due cases (with their intake unit), read their open tasks, then write task levels, order
  /// proposals, case levels and alerts, each as one statement over the whole batch. What to
  /// write is decided by `WarningSweepRules`.
  private func sweepBatch(at now: Instant, on connection: StoreConnection) async throws -> Pass {
    let claimed = try await self.claimDueCases(at: now, on: connection)
    guard !claimed.isEmpty else { return Pass() }
    let openTasks = try await self.openTasks(of: claimed.filter { !$0.warnings.tasks.isEmpty }.map(\.id), on: connection)

    var pass = Pass()
    pass.casesExamined = claimed.count
    var alerts: [PendingAlert] = []
    var taskLevels: [(caseID: Int64, number: Int, level: String)] = []
    var caseLevels: [(id: Int64, level: String, nextAt: Int?)] = []
    var proposals: [(caseID: Int64, alert: WarningAlert)] = []
    for c in claimed {
      let swept = SweptCase(
        number: CaseNumber.format(c.id),
        unit: c.unit,
        proposesOrders: CasePolicy.orderLike(c.kind) == nil,
        storedLevel: c.storedLevel,
        clock: c.warnings.case,
        taskClocks: c.warnings.tasks,
        openTasks: openTasks[c.id] ?? []
      )
      let decision = WarningSweepRules.decide(swept)
      pass.changes += decision.changes
      pass.urges += decision.urges
      alerts += decision.alerts.map { Self.pending($0, caseID: c.id, caseKind: c.kind, at: now) }
      taskLevels += decision.taskLevels.sorted { $0.key < $1.key }.map { (c.id, $0.key, $0.value.description) }
      proposals += decision.orderProposals.map { (c.id, $0) }
      caseLevels.append((c.id, decision.caseLevel.description, c.warnings.nextChange?.secondsSinceEpoch))
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
          SQLArray(proposals.map(\.caseID)), SQLArray(proposals.map(\.alert.task)), SQLArray(proposals.map(\.alert.unit.id)),
          now.secondsSinceEpoch,
        ]
      ).rows
      let kinds = Dictionary(claimed.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
      var byClock: [String: WarningAlert] = [:]
      for proposal in proposals { byClock["\(proposal.caseID)/\(proposal.alert.task)"] = proposal.alert }
      for row in inserted {
        let caseID = try row.decode(Int64.self, at: 0)
        guard let alert = byClock["\(caseID)/\(try row.decode(Int.self, at: 1))"] else { continue }
        pass.proposals += 1
        alerts.append(Self.pending(alert, caseID: caseID, caseKind: kinds[caseID] ?? "", at: now))
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

  /// A due case as claimed: its kind, its recorded level, its intake unit and its levels now.
  private struct ClaimedCase {
    var id: Int64
    var kind: String
    var storedLevel: WarningLevel
    var unit: AlertUnit
    var warnings: CaseWarnings
  }

  /// Claims up to a batch of due cases, locked against other sweepers, with their levels at `now`.
  private func claimDueCases(at now: Instant, on connection: StoreConnection) async throws -> [ClaimedCase] {
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
    var calendars: [String: WorkingCalendar] = [:]
    var claimed: [ClaimedCase] = []
    for row in rows {
      let jurisdiction = try row.decode(String.self, at: 2)
      if calendars[jurisdiction] == nil {
        calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar
      }
      let clocks = try JSONDecoder().decode(CaseClocks.self, from: Data(try row.decode(String.self, at: 3).utf8))
      claimed.append(
        ClaimedCase(
          id: try row.decode(Int64.self, at: 0),
          kind: try row.decode(String.self, at: 1),
          storedLevel: WarningLevel(stored: try row.decode(String.self, at: 4)) ?? .green,
          unit: AlertUnit(id: try row.decode(Int64.self, at: 5), path: try row.decode(String.self, at: 6), code: try row.decode(String.self, at: 7)),
          warnings: try clocks.warnings(at: now, in: calendars[jurisdiction]!)
        )
      )
    }
    return claimed
  }

  /// The recorded level and unit of every open task of `caseIDs`, by case.
  private func openTasks(of caseIDs: [Int64], on connection: StoreConnection) async throws -> [Int64: [SweptCase.OpenTask]] {
    guard !caseIDs.isEmpty else { return [:] }
    let rows = try await connection.query(
      """
      SELECT t.case_id, t.number, t.warning_level, u.id, u.path, u.code FROM case_tasks t JOIN units u ON u.id = t.unit_id
      WHERE t.case_id = ANY($1::bigint[]) AND t.state IN ('pending', 'claimed')
      ORDER BY t.case_id, t.number
      """,
      ["{" + caseIDs.map(String.init).joined(separator: ",") + "}"]
    ).rows
    var openTasks: [Int64: [SweptCase.OpenTask]] = [:]
    for row in rows {
      openTasks[try row.decode(Int64.self, at: 0), default: []].append(
        SweptCase.OpenTask(
          number: try row.decode(Int.self, at: 1),
          unit: AlertUnit(id: try row.decode(Int64.self, at: 3), path: try row.decode(String.self, at: 4), code: try row.decode(String.self, at: 5)),
          storedLevel: WarningLevel(stored: try row.decode(String.self, at: 2)) ?? .green
        )
      )
    }
    return openTasks
  }

  /// A decided alert as the alert feed stores it.
  private static func pending(_ alert: WarningAlert, caseID: Int64, caseKind: String, at now: Instant) -> PendingAlert {
    let kind: PendingAlert.Kind
    switch alert.kind {
    case .warning: kind = .warning
    case .urge: kind = .urge
    case .orderProposed: kind = .orderProposed
    }
    return PendingAlert(
      kind: kind,
      caseID: caseID,
      task: alert.task,
      caseKind: caseKind,
      unitID: alert.unit.id,
      unitPath: alert.unit.path,
      level: alert.level,
      previousLevel: alert.previousLevel,
      summary: alert.summary,
      at: now
    )
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
