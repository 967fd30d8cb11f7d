public import CivicDomain
import CivicRepositories
public import CivicStore
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
    /// How often the lifecycle service also checks the open month's figures against their
    /// targets (`TargetWatch`); nil never. A check gathers the month's facts and recomputes the
    /// units that may have changed (every unit at least hourly), so it runs far less often than a pass.
    public var targetInterval: Duration?
    /// How many working days before a contract covering a published catalogue item ends with
    /// nothing after it its purchasing unit is told (`ContractEndWatch`, on every pass); 0 never.
    public var contractNoticeWorkingDays: Int

    public init(
      batchSize: Int, interval: Duration, workers: Int = 1, targetInterval: Duration? = .seconds(600), contractNoticeWorkingDays: Int = 5
    ) {
      self.batchSize = batchSize
      self.interval = interval
      self.workers = max(1, workers)
      self.targetInterval = targetInterval
      self.contractNoticeWorkingDays = max(0, contractNoticeWorkingDays)
    }

    /// 200 cases per transaction, two at a time, a pass every 5 seconds; targets every 10
    /// minutes; contracts ending noticed 5 working days ahead.
    public static var defaults: Configuration { Configuration(batchSize: 200, interval: .seconds(5), workers: 2) }
  }

  /// What one pass did.
  public struct Pass: Sendable, Hashable {
    /// Due cases swept: their levels, alerts and commands written.
    public var casesExamined = 0
    /// Due cases claimed but left whole because a transition held the case when it was to be
    /// given a command; still due, so a later batch or pass sweeps them (and counts them then).
    public var casesPostponed = 0
    public var changes = 0
    public var urges = 0
    public var proposals = 0
    /// Commands kinds gave for clocks that ran out (`OverdueCommandingKind.commandOnOverdue`), applied.
    public var overdueCommands = 0
    /// Urgent field-event alerts escalated for want of an acknowledgement (`UrgentEscalation`).
    public var urgentEscalations = 0
    /// Contracts ending alerted to their purchasers (`ContractEndWatch`).
    public var contractEndings = 0

    mutating func add(_ other: Pass) {
      self.urgentEscalations += other.urgentEscalations
      self.contractEndings += other.contractEndings
      self.overdueCommands += other.overdueCommands
      self.casesExamined += other.casesExamined
      self.casesPostponed += other.casesPostponed
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
    var total = try await withThrowingTaskGroup(of: Pass.self) { group in
      for _ in 0..<self.configuration.workers {
        group.addTask { try await self.drain(at: now) }
      }
      return try await group.reduce(into: Pass()) { $0.add($1) }
    }
    total.urgentEscalations = try await UrgentEscalation(store: self.store).pass(at: now, batchSize: self.configuration.batchSize)
    if self.configuration.contractNoticeWorkingDays > 0 {
      total.contractEndings = try await ContractEndWatch(store: self.store, noticeWorkingDays: self.configuration.contractNoticeWorkingDays).pass(at: now)
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
      let batch = try await self.tracedBatch {
        try await self.store.transaction { connection in try await self.sweepBatch(at: now, on: connection) }
      }
      total.add(batch)
      if batch.casesExamined + batch.casesPostponed < self.configuration.batchSize { return total }
    }
  }

  /// One batch in one transaction, in a fixed number of statements whatever its size
  /// (`WarningSweepRepository`): claim the due cases, read their open tasks, then write task
  /// levels, order proposals, case levels and alerts. What to write is decided by `WarningSweepRules`.
  private func sweepBatch(at now: Instant, on connection: StoreConnection) async throws -> Pass {
    let sweep = WarningSweepRepository(connection)
    let claimed = try await sweep.claimDue(at: now, limit: self.configuration.batchSize)
    guard !claimed.isEmpty else { return Pass() }
    // Each case's levels now, in its jurisdiction's calendar (read once per batch).
    var calendars: [String: WorkingCalendar] = [:]
    var warnings: [CaseWarnings] = []
    for c in claimed {
      let calendar: WorkingCalendar
      if let known = calendars[c.jurisdiction] {
        calendar = known
      } else {
        calendar = try await CalendarStore.require(c.jurisdiction, on: connection).calendar
        calendars[c.jurisdiction] = calendar
      }
      warnings.append(try c.clocks.warnings(at: now, in: calendar))
    }
    let openTasks = try await Self.openTasks(of: zip(claimed, warnings).filter { !$0.1.tasks.isEmpty }.map(\.0), sweep)

    let decisions = zip(claimed, warnings).map { c, levels in
      WarningSweepRules.decide(
        SweptCase(
          number: CaseNumber.format(c.id),
          unit: c.unit,
          proposesOrders: CaseKinds.proposesOrders(kind: c.kind),
          givesOverdueCommands: CaseKinds.givesOverdueCommands(kind: c.kind),
          storedLevel: c.storedLevel,
          clock: levels.case,
          taskClocks: levels.tasks,
          openTasks: openTasks[c.id] ?? []
        )
      )
    }
    // A case given a command must be locked first; one a transition holds now is left out of
    // this batch (nothing written, still due) and taken again once the transition is through.
    let commanded = zip(claimed, decisions).filter { !$0.1.overdueCommandTasks.isEmpty }.map(\.0.id)
    let busy = commanded.isEmpty ? [] : Set(commanded).subtracting(try await sweep.lockCases(commanded))

    var pass = Pass()
    pass.casesExamined = claimed.count - busy.count
    pass.casesPostponed = busy.count
    var alerts: [PendingAlert] = []
    var recorded: [WarningSweepRepository.RecordedLevels] = []
    var proposals: [(caseID: Int64, alert: WarningAlert)] = []
    var overdue: [(caseID: Int64, task: Int)] = []
    for ((c, levels), decision) in zip(zip(claimed, warnings), decisions) where !busy.contains(c.id) {
      pass.changes += decision.changes
      pass.urges += decision.urges
      alerts += decision.alerts.map { Self.pending($0, caseID: c.id, caseKind: c.kind, at: now) }
      proposals += decision.orderProposals.map { (c.id, $0) }
      overdue += decision.overdueCommandTasks.map { (c.id, $0) }
      // The open tasks' levels: as recorded, with the changes decided now.
      let taskLevels = c.taskLevels.filter { levels.tasks[$0.key] != nil }.merging(decision.taskLevels) { $1 }
      recorded.append(.init(id: c.id, level: decision.caseLevel, tasks: taskLevels, nextAt: levels.nextChange?.secondsSinceEpoch))
    }

    if !proposals.isEmpty {
      // At most one proposal per clock: only the ones inserted now are announced.
      let inserted = try await sweep.propose(proposals.map { ($0.caseID, $0.alert.task, $0.alert.unit.id) }, at: now)
      let kinds = Dictionary(claimed.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
      var byClock: [String: WarningAlert] = [:]
      for proposal in proposals { byClock["\(proposal.caseID)/\(proposal.alert.task)"] = proposal.alert }
      for (caseID, task) in inserted {
        guard let alert = byClock["\(caseID)/\(task)"] else { continue }
        pass.proposals += 1
        alerts.append(Self.pending(alert, caseID: caseID, caseKind: kinds[caseID] ?? "", at: now))
      }
    }
    try await sweep.setLevels(recorded)
    try await AlertWriter.append(alerts, on: connection)
    // After the levels: a command's new snapshot makes its case due again (the trigger).
    pass.overdueCommands = try await self.applyOverdueCommands(overdue, at: now, on: connection)
    return pass
  }

  /// The open tasks of `cases` with the units their alerts go to and the levels recorded: units
  /// named by the clocks (one read of `units` for the batch), or for clocks stored before they
  /// named units (format 1), read from the tasks' rows.
  private static func openTasks(of cases: [WarningSweepRepository.DueCase], _ sweep: WarningSweepRepository) async throws
    -> [Int64: [SweptCase.OpenTask]]
  {
    var codes: Set<String> = []
    var unnamed: [Int64] = []
    for c in cases {
      for task in c.clocks.tasks where task.state.isOpen {
        if let unit = task.unit { codes.insert(unit.rawValue) } else { unnamed.append(c.id) }
      }
    }
    let units = codes.isEmpty ? [:] : try await sweep.units(codes)
    let rowUnits = try await sweep.openTaskUnits(of: Array(Set(unnamed)))
    var openTasks: [Int64: [SweptCase.OpenTask]] = [:]
    for c in cases {
      openTasks[c.id] = c.clocks.tasks.filter(\.state.isOpen).compactMap { task in
        guard let unit = task.unit.flatMap({ units[$0.rawValue] }) ?? rowUnits[c.id]?[task.number] else { return nil }
        return SweptCase.OpenTask(number: task.number, unit: unit, storedLevel: c.taskLevels[task.number] ?? .green)
      }
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
    let metrics = WarningSweepMetrics()
    let targets = TargetWatch(store: self.sweeper.store, logger: self.sweeper.logger, now: self.sweeper.now)
    await cancelWhenGracefulShutdown {
      var lastTargetCheck: ContinuousClock.Instant?
      while !Task.isCancelled {
        if let every = self.sweeper.configuration.targetInterval, lastTargetCheck.map({ ContinuousClock.now - $0 >= every }) ?? true {
          lastTargetCheck = ContinuousClock.now
          do {
            try await targets.check()
          } catch {
            self.sweeper.logger.warning("target check failed", metadata: ["error": "\(error)"])
          }
        }
        do {
          let start = ContinuousClock.now
          let pass = try await self.sweeper.sweep()
          metrics.record(pass, took: ContinuousClock.now - start)
        } catch {
          // PostgreSQL away or a bad snapshot: log and try again on the next pass.
          self.sweeper.logger.warning("warning sweep failed", metadata: ["error": "\(error)"])
        }
        try? await Task.sleep(for: self.sweeper.configuration.interval)
      }
    }
  }
}
