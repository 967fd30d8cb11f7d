/// The centre's periodic dispute report (月研判 monthly analysis, 季总结 quarterly and 年考核
/// annual reports, docs/DISPUTES.md "Reports"): counts over the disputes of a unit's subtree
/// by type, resolution channel, route outcome, closing result and intake unit. Pure: the
/// facts are gathered by `DisputeRepository.reportFacts`.
public struct DisputeReport: Sendable, Hashable {
  /// A dispute of the subtree, as the report counts it.
  public struct DisputeFact: Sendable, Hashable {
    public let caseID: Int64
    public let type: DisputeType
    /// The intake unit's code.
    public let unitCode: String
    public let submittedAt: Instant
    public let closedAt: Instant?
    public let result: DisputeResult?

    public init(caseID: Int64, type: DisputeType, unitCode: String, submittedAt: Instant, closedAt: Instant?, result: DisputeResult?) {
      self.caseID = caseID
      self.type = type
      self.unitCode = unitCode
      self.submittedAt = submittedAt
      self.closedAt = closedAt
      self.result = result
    }
  }

  /// A route a joint review opened, with its outcome once recorded.
  public struct RouteFact: Sendable, Hashable {
    public let caseID: Int64
    public let channel: ResolutionChannel
    /// When the review that opened it was recorded.
    public let openedAt: Instant
    public let outcome: ChannelOutcome?
    public let outcomeAt: Instant?

    public init(caseID: Int64, channel: ResolutionChannel, openedAt: Instant, outcome: ChannelOutcome?, outcomeAt: Instant?) {
      self.caseID = caseID
      self.channel = channel
      self.openedAt = openedAt
      self.outcome = outcome
      self.outcomeAt = outcomeAt
    }
  }

  /// One line of a table: what came in, what ended and what ended well, in the period.
  public struct Row: Sendable, Hashable {
    public let key: String
    /// Disputes submitted (routes opened) in the period.
    public var received = 0
    /// Disputes closed (routes with an outcome) in the period.
    public var ended = 0
    /// Of those ended: closed resolved (routes settled by agreement or partially).
    public var settled = 0

    init(key: String) { self.key = key }
  }

  public let period: Period
  public let unitCode: String
  /// By dispute type; received = submitted in P, ended = closed in P, settled = closed resolved.
  public let byType: [Row]
  /// By intake unit, as by type.
  public let byUnit: [Row]
  /// By resolution channel: routes opened in P, routes with an outcome in P, of those agreement or partial.
  public let byChannel: [Row]
  /// Route outcomes recorded in P (ended = how many).
  public let byOutcome: [Row]
  /// Closing results in P (ended = how many).
  public let byResult: [Row]
  /// The resolution rate (docs/METRICS.md, 12) of the closings in P.
  public let resolution: DisputeIndicators.Rate

  /// Counts the facts whose instants are in `window` and not after `asOf`.
  public init(
    period: Period,
    unitCode: String,
    window: Range<Instant>,
    asOf: Instant,
    disputes: [DisputeFact],
    routes: [RouteFact],
    closings: [DisputeIndicators.Closing]
  ) {
    func within(_ instant: Instant?) -> Bool { instant.map { window.contains($0) && $0 <= asOf } ?? false }
    func table<Key: Hashable>(_ keys: [Key], name: (Key) -> String, _ fill: (inout [Key: Row]) -> Void) -> [Row] {
      var rows: [Key: Row] = [:]
      for key in keys { rows[key] = Row(key: name(key)) }
      fill(&rows)
      return keys.compactMap { rows[$0] }
    }
    self.period = period
    self.unitCode = unitCode
    self.byType = table(DisputeType.allCases, name: \.rawValue) { rows in
      for d in disputes {
        if within(d.submittedAt) { rows[d.type]!.received += 1 }
        if within(d.closedAt) {
          rows[d.type]!.ended += 1
          if d.result == .resolved { rows[d.type]!.settled += 1 }
        }
      }
    }
    let units = Array(Set(disputes.filter { within($0.submittedAt) || within($0.closedAt) }.map(\.unitCode))).sorted()
    self.byUnit = table(units, name: { $0 }) { rows in
      for d in disputes where rows[d.unitCode] != nil {
        if within(d.submittedAt) { rows[d.unitCode]!.received += 1 }
        if within(d.closedAt) {
          rows[d.unitCode]!.ended += 1
          if d.result == .resolved { rows[d.unitCode]!.settled += 1 }
        }
      }
    }
    self.byChannel = table(ResolutionChannel.allCases, name: \.rawValue) { rows in
      for r in routes {
        if within(r.openedAt) { rows[r.channel]!.received += 1 }
        if within(r.outcomeAt) {
          rows[r.channel]!.ended += 1
          if r.outcome == .agreement || r.outcome == .partial { rows[r.channel]!.settled += 1 }
        }
      }
    }
    self.byOutcome = table(ChannelOutcome.allCases, name: \.rawValue) { rows in
      for r in routes where within(r.outcomeAt) { if let outcome = r.outcome { rows[outcome]!.ended += 1 } }
    }
    self.byResult = table(DisputeResult.allCases, name: \.rawValue) { rows in
      for d in disputes where within(d.closedAt) { if let result = d.result { rows[result]!.ended += 1 } }
    }
    self.resolution = DisputeIndicators.resolutionRate(closings, for: UnitSelector(path: "/", subtree: true), in: window, asOf: asOf)
  }

  public static func title(_ cadence: Period.Cadence) -> String {
    switch cadence {
    case .week: "Weekly dispute review (周例会)"
    case .month: "Monthly dispute analysis (月研判)"
    case .quarter: "Quarterly dispute report (季总结)"
    case .year: "Annual dispute report (年考核)"
    }
  }

  public var received: Int { self.byType.reduce(0) { $0 + $1.received } }
  public var closed: Int { self.byType.reduce(0) { $0 + $1.ended } }

  public var markdown: String {
    var lines = [
      "# \(Self.title(self.period.cadence)): \(self.unitCode) and below, \(self.period)", "",
      "- Period: \(self.period.first) to \(self.period.last)",
      "- Received \(self.received), closed \(self.closed); resolution rate (化解率) "
        + (self.resolution.value.map {
          "\(Figure.fixed($0 * 100, 2))% (\(self.resolution.numerator) of \(self.resolution.denominator) concluded)"
        } ?? "— (none concluded)"),
      "",
    ]
    func section(_ title: String, _ columns: [String], _ rows: [Row], _ cells: (Row) -> [Int]) {
      lines.append("## \(title)")
      lines.append("")
      lines.append("| " + columns.joined(separator: " | ") + " |")
      lines.append("|---|" + columns.dropFirst().map { _ in "---:|" }.joined())
      for row in rows { lines.append("| \(row.key) | " + cells(row).map(String.init).joined(separator: " | ") + " |") }
      lines.append("")
    }
    section("By type", ["type", "received", "closed", "resolved"], self.byType) { [$0.received, $0.ended, $0.settled] }
    section("By channel", ["channel", "routes opened", "outcomes", "settled"], self.byChannel) { [$0.received, $0.ended, $0.settled] }
    section("By route outcome", ["outcome", "routes"], self.byOutcome) { [$0.ended] }
    section("By closing result", ["result", "disputes"], self.byResult) { [$0.ended] }
    section("By intake unit", ["unit", "received", "closed", "resolved"], self.byUnit) { [$0.received, $0.ended, $0.settled] }
    return lines.joined(separator: "\n")
  }
}
