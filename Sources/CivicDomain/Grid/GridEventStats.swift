/// The periodic analysis of field events (定期分析研判), as a pure computation over event facts:
/// per grid, community and street, counts by category and outcome, the on-time rate of
/// routed events, repeat locations (the same address ≥ 3 times within 30 days) and the events
/// per week with the change from the week before.
public struct GridEventStats: Sendable, Hashable {
  /// One event as the analysis needs it.
  public struct Fact: Sendable, Hashable {
    public var gridCode: String
    /// The grid's path ("/D01/S01/C01/G01/"): which community and street it is under.
    public var gridPath: String
    public var category: String
    /// Its state: reported, routed, checking, handled, closed, forwarded.
    public var outcome: String
    public var address: String
    public var reportedAt: Instant
    public var selfHandled: Bool
    /// For a routed event that was handled: whether by its deadline; nil otherwise.
    public var onTime: Bool?

    public init(
      gridCode: String,
      gridPath: String,
      category: String,
      outcome: String,
      address: String,
      reportedAt: Instant,
      selfHandled: Bool,
      onTime: Bool?
    ) {
      self.gridCode = gridCode
      self.gridPath = gridPath
      self.category = category
      self.outcome = outcome
      self.address = address
      self.reportedAt = reportedAt
      self.selfHandled = selfHandled
      self.onTime = onTime
    }
  }

  /// A grid, community or street the analysis reports on.
  public struct Unit: Sendable, Hashable {
    public var code: String
    public var kind: String
    public var path: String

    public init(code: String, kind: String, path: String) {
      self.code = code
      self.kind = kind
      self.path = path
    }
  }

  public struct Row: Sendable, Hashable {
    public var unit: Unit
    public var events = 0
    public var byCategory: [String: Int] = [:]
    public var byOutcome: [String: Int] = [:]
    public var selfHandled = 0
    public var handledOnTime = 0
    public var handledAfterRouting = 0

    public var onTimeRate: Double { self.handledAfterRouting == 0 ? 0 : Double(self.handledOnTime) / Double(self.handledAfterRouting) }
  }

  public struct Repeat: Sendable, Hashable {
    public var gridCode: String
    public var address: String
    public var events: Int
  }

  public struct Week: Sendable, Hashable {
    public var start: CivilDate
    public var events: Int
    public var change: Int
  }

  public var rows: [Row]
  public var repeats: [Repeat]
  public var weeks: [Week]

  /// The analysis of `facts` for `units` (rows only for units with events, grids first then
  /// communities then streets, by code), weeks from the Monday on or before `from` to `to`, in `calendar`.
  public init(facts: [Fact], units: [Unit], from: CivilDate, to: CivilDate, calendar: WorkingCalendar) {
    let order = ["grid": 0, "community": 1, "village": 1, "street": 2, "township": 2]
    var rows: [Row] = []
    for unit in units.sorted(by: { (order[$0.kind] ?? 3, $0.code) < (order[$1.kind] ?? 3, $1.code) }) {
      var row = Row(unit: unit)
      for fact in facts where fact.gridPath.hasPrefix(unit.path) {
        row.events += 1
        row.byCategory[fact.category, default: 0] += 1
        row.byOutcome[fact.outcome, default: 0] += 1
        if fact.selfHandled { row.selfHandled += 1 }
        if let onTime = fact.onTime {
          row.handledAfterRouting += 1
          if onTime { row.handledOnTime += 1 }
        }
      }
      if row.events > 0 { rows.append(row) }
    }
    self.rows = rows
    self.repeats = Self.repeats(facts)
    self.weeks = Self.weeks(facts, from: from, to: to, calendar: calendar)
  }

  /// Per (grid, address), the most events within any 30 days; those with 3 or more.
  static func repeats(_ facts: [Fact]) -> [Repeat] {
    let window = 30 * 86_400
    var result: [Repeat] = []
    let groups = Dictionary(grouping: facts) { "\($0.gridCode)\u{0}\($0.address)" }
    for (_, group) in groups {
      let times = group.map(\.reportedAt.secondsSinceEpoch).sorted()
      var most = 0
      var start = 0
      for end in times.indices {
        while times[end] - times[start] >= window { start += 1 }
        most = max(most, end - start + 1)
      }
      if most >= 3 { result.append(Repeat(gridCode: group[0].gridCode, address: group[0].address, events: most)) }
    }
    return result.sorted { ($0.events, $1.gridCode, $1.address) > ($1.events, $0.gridCode, $0.address) }
  }

  static func weeks(_ facts: [Fact], from: CivilDate, to: CivilDate, calendar: WorkingCalendar) -> [Week] {
    guard from <= to else { return [] }
    var monday = from
    while monday.isoWeekday != 1 { monday = monday.adding(days: -1) }
    var counts: [CivilDate: Int] = [:]
    for fact in facts {
      var day = calendar.localDate(of: fact.reportedAt)
      while day.isoWeekday != 1 { day = day.adding(days: -1) }
      counts[day, default: 0] += 1
    }
    var weeks: [Week] = []
    var start = monday
    while start <= to {
      let events = counts[start] ?? 0
      weeks.append(Week(start: start, events: events, change: weeks.last.map { events - $0.events } ?? 0))
      start = start.adding(days: 7)
    }
    return weeks
  }
}
