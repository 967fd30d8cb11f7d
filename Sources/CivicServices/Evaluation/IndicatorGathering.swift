import CivicDomain
import CivicRepositories
import CivicStore

/// Gathers the facts of docs/METRICS.md for every unit in a path range (`IndicatorRepository`).
/// Deadlines and handling times are the engine's own clock arithmetic under the case's
/// calendar; the kinds counted come from the registry; the indicators themselves are `IndicatorSet`.
enum IndicatorGathering {
  static func inputs(_ range: (lower: String, upper: String), window: Range<Instant>, on connection: StoreConnection) async throws
    -> IndicatorInputs
  {
    let facts = IndicatorRepository(connection)
    var calendars = Calendars(connection: connection)
    var inputs = try await Self.factsBesideCases(range, window: window, calendars: &calendars, on: connection)
    // Cases of the kinds that count as case facts, open at the window's start or with an event
    // in or after it (a case finished before the window cannot count in it).
    let rows = try await facts.caseFacts(
      range: range, start: window.lowerBound.secondsSinceEpoch, end: window.upperBound.secondsSinceEpoch,
      kinds: CaseKinds.names(contributing: .caseFacts)
    )
    inputs.cases = try await Self.caseFacts(rows, calendars: &calendars)
    return inputs
  }

  /// `cached`, the facts of every unit over `window`, brought up to date after the cases
  /// `changed` had events: their case facts are read again by id, every other kind of fact is
  /// read in full (each is bounded by the window and few beside the cases). Equal to
  /// `inputs(UnitScope.everything.sqlRange, …)` as long as a case's facts change only with an
  /// event on it (every kind's transition writes one).
  static func refreshed(_ cached: IndicatorInputs, changed: Set<Int64>, window: Range<Instant>, on connection: StoreConnection)
    async throws -> IndicatorInputs
  {
    var calendars = Calendars(connection: connection)
    var inputs = try await Self.factsBesideCases(UnitScope.everything.sqlRange, window: window, calendars: &calendars, on: connection)
    let rows = try await IndicatorRepository(connection).caseFacts(
      ids: changed.sorted(), start: window.lowerBound.secondsSinceEpoch, end: window.upperBound.secondsSinceEpoch,
      kinds: CaseKinds.names(contributing: .caseFacts)
    )
    inputs.cases = cached.cases.filter { !changed.contains($0.caseID) } + (try await Self.caseFacts(rows, calendars: &calendars))
    return inputs
  }

  /// Case facts from their rows; rows written before 0009 bring their snapshot, whose clock
  /// facts are the engine's own arithmetic under the case's calendar.
  static func caseFacts(_ rows: [CaseFactRow], calendars: inout Calendars) async throws -> [CaseFact] {
    var cases: [CaseFact] = []
    cases.reserveCapacity(rows.count)
    for row in rows {
      var deadline = row.clockDeadline
      var handling = row.handlingWorkingDays
      if let value = row.snapshot {
        (deadline, handling) = try CaseIndicatorFacts.clock(
          of: value, completedAt: row.completedAt, in: try await calendars.calendar(row.jurisdiction)
        )
      }
      cases.append(
        CaseFact(
          caseID: row.id,
          unitPath: row.unitPath,
          submittedAt: row.submittedAt,
          decidedAt: row.decidedAt,
          accepted: row.accepted,
          completedAt: row.completedAt,
          deadline: deadline,
          handlingWorkingDays: handling
        )
      )
    }
    return cases
  }

  /// Every fact but the case facts: ratings, replies, urges and criticisms, requests, disputes, field events.
  static func factsBesideCases(
    _ range: (lower: String, upper: String), window: Range<Instant>, calendars: inout Calendars, on connection: StoreConnection
  ) async throws -> IndicatorInputs {
    let start = window.lowerBound.secondsSinceEpoch
    let end = window.upperBound.secondsSinceEpoch
    let facts = IndicatorRepository(connection)
    var inputs = IndicatorInputs()
    inputs.ratings = try await facts.ratingFacts(range: range, start: start, end: end)
    inputs.orders = try await Self.replies(range, before: end, calendars: &calendars, facts: facts)
    inputs.events += try await facts.unitEvents(range: range, start: start, end: end)
    (inputs.requestTiers, inputs.requestReplies) = try await Self.requests(range, start: start, end: end, calendars: &calendars, facts: facts)
    let disputes = DisputeRepository(connection)
    inputs.disputeClosings = try await disputes.closings(range: range, in: window)
    inputs.disputeFollowUps = try await disputes.followUps(range: range, in: window)
    inputs.fieldEvents = try await FieldEventRepository(connection).indicatorFacts(range: range, in: window)
    // Training dates are days of the jurisdiction (as periods are): each counts from its local midnight.
    let grids = GridRepository(connection)
    let days = try await calendars.calendar(CalendarStore.defaultJurisdiction)
    inputs.gridWorkers = try await grids.gridWorkers(range: range)
    inputs.trainingSessions = try await grids.trainingDays(range: range, around: window).map {
      GridTrainingIndicator.Session(login: $0.login, takenAt: days.startOfDay($0.date), hours: $0.hours)
    }
    return inputs
  }

  /// Each task of a case whose kind counts replies (supervision orders) is one reply the
  /// task's unit owed, due at its clock's deadline, replied when the task carries the reply
  /// (its clock stopped then).
  static func replies(
    _ range: (lower: String, upper: String),
    before end: Int,
    calendars: inout Calendars,
    facts: IndicatorRepository
  ) async throws -> [OrderFact] {
    let paths = try await facts.unitPaths()
    // Paths are ASCII, so String order is the byte order of the SQL range ("/" < "0").
    func inRange(_ path: String) -> Bool { path >= range.lower && path < range.upper }
    var replies: [OrderFact] = []
    for order in try await facts.orders(before: end, kinds: CaseKinds.names(contributing: .replies)) {
      let calendar = try await calendars.calendar(order.jurisdiction)
      // The level each reply was owed at, not the order's level now: an order escalated to
      // listed after the period was ordinary in it.
      let levels = OrderLevel.openingLevels(issued: order.issuedLevel, tasks: order.value.tasks.count)
      for (task, level) in zip(order.value.tasks, levels) {
        guard let path = paths[task.unit.rawValue], inRange(path) else { continue }
        replies.append(
          OrderFact(
            orderID: "\(CaseNumber.format(order.id))/\(task.number)",
            caseID: order.id,
            unitPath: path,
            listed: level == .listed,
            issuedAt: task.clock.start,
            replyDueAt: try task.clock.deadlineIgnoringOpenPause(in: calendar),
            repliedAt: task.opinion == nil ? nil : task.clock.stoppedAt
          )
        )
      }
    }
    return replies
  }

  /// Calendars by jurisdiction, each read once.
  struct Calendars {
    let connection: StoreConnection
    var loaded: [String: WorkingCalendar] = [:]

    mutating func calendar(_ jurisdiction: String) async throws -> WorkingCalendar {
      if let calendar = self.loaded[jurisdiction] { return calendar }
      let calendar = try await CalendarStore.require(jurisdiction, on: self.connection).calendar
      self.loaded[jurisdiction] = calendar
      return calendar
    }
  }
}
