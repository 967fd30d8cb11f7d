/// The indicators of docs/METRICS.md (version 5), as functions of gathered facts.
public enum Indicator: String, Sendable, Hashable, Codable, CaseIterable {
  case acceptanceRate = "acceptance_rate"
  case onTimeCompletionRate = "on_time_completion_rate"
  case averageHandlingDays = "average_handling_days"
  case overdueCount = "overdue_count"
  case satisfactionRate = "satisfaction_rate"
  case rectificationRate = "rectification_rate"
  case orderReplyOnTimeRate = "order_reply_on_time_rate"
  case urgeCount = "urge_count"
  case requestResolutionRate = "request_resolution_rate"
  case requestEscalationRate = "request_escalation_rate"
  case requestOnTimeReplyRate = "request_on_time_reply_rate"
  case disputeResolutionRate = "dispute_resolution_rate"
  case agreementFulfilmentRate = "agreement_fulfilment_rate"
  case fieldEventCount = "field_event_count"
  case fieldEventOnTimeRate = "field_event_on_time_rate"
  case fieldEventSelfHandledShare = "field_event_self_handled_share"
  case gridTrainingRate = "grid_training_rate"

  /// The name used in reports.
  public var title: String {
    switch self {
    case .acceptanceRate: "Window acceptance rate (受理率)"
    case .onTimeCompletionRate: "On-time completion rate (按期办结率)"
    case .averageHandlingDays: "Average handling time, working days (平均办理时长)"
    case .overdueCount: "Overdue cases (超期件数)"
    case .satisfactionRate: "Satisfaction rate (满意率)"
    case .rectificationRate: "Bad-rating rectification rate (差评整改率)"
    case .orderReplyOnTimeRate: "Order reply on-time rate (督办按时回复率)"
    case .urgeCount: "Urges (催办次数)"
    case .requestResolutionRate: "Request resolution rate at the tier (诉求化解率)"
    case .requestEscalationRate: "Request escalation rate (诉求上交率)"
    case .requestOnTimeReplyRate: "Request on-time reply rate (诉求按时答复率)"
    case .disputeResolutionRate: "Dispute resolution rate (矛盾纠纷化解率)"
    case .agreementFulfilmentRate: "Mediation agreement fulfilment rate (调解协议履行率)"
    case .fieldEventCount: "Field events reported (网格事件数)"
    case .fieldEventOnTimeRate: "Field event on-time handling rate (网格事件按期处置率)"
    case .fieldEventSelfHandledShare: "Field events handled on the spot (自行处置率)"
    case .gridTrainingRate: "Grid workers trained to the norm (网格员培训达标率)"
    }
  }

  public enum Shape: Sendable { case rate, average, count }

  public var shape: Shape {
    switch self {
    case .acceptanceRate, .onTimeCompletionRate, .satisfactionRate, .rectificationRate, .orderReplyOnTimeRate: .rate
    case .requestResolutionRate, .requestEscalationRate, .requestOnTimeReplyRate: .rate
    case .disputeResolutionRate, .agreementFulfilmentRate: .rate
    case .fieldEventOnTimeRate, .fieldEventSelfHandledShare, .gridTrainingRate: .rate
    case .averageHandlingDays: .average
    case .overdueCount, .urgeCount, .fieldEventCount: .count
    }
  }

  /// Parses the indicator's name; throws `invalidField(field, …)` listing the names.
  public init(name: String, field: String) throws(DomainError) {
    guard let value = Indicator(rawValue: name) else {
      throw .invalidField(field, "unknown indicator \"\(name)\"; one of \(Indicator.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    self = value
  }
}

/// One computed figure: numerator, denominator, value and the cases behind it.
public struct Figure: Sendable, Hashable, Codable {
  public let indicator: Indicator
  /// A rate's or count's numerator; an average's sum.
  public let numerator: Double
  /// A rate's denominator; an average's population; a count's value.
  public let denominator: Int
  /// The rate (0…1, 4 decimals), average (2 decimals) or count; nil when not applicable (denominator 0).
  public let value: Double?
  /// Every case in the denominator (or counted), in case-id order.
  public let drill: [DrillRow]

  public init(indicator: Indicator, numerator: Double, denominator: Int, value: Double?, drill: [DrillRow]) {
    self.indicator = indicator
    self.numerator = numerator
    self.denominator = denominator
    self.value = value
    self.drill = drill
  }

  /// The value as people read it: `97.50%`, `3.25`, `4`, or `—` when not applicable.
  public var display: String {
    guard let value else { return "—" }
    switch self.indicator.shape {
    case .rate: return Self.fixed(value * 100, 2) + "%"
    case .average: return Self.fixed(value, 2)
    case .count: return String(Int(value))
    }
  }

  /// `value` with `decimals` decimals, rounded half away from zero, without locale.
  public static func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < decimals { fraction = "0" + fraction }
    return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (decimals > 0 ? ".\(fraction)" : "")
  }
}

/// One case (or rating, order, urge) behind a figure.
public struct DrillRow: Sendable, Hashable, Codable {
  public let caseID: Int64
  /// Counted in the numerator (for a count: always true).
  public let counted: Bool
  /// Why, in a few words (`completed 1 working day late`, `rating 12 very dissatisfied`).
  public let note: String

  public init(caseID: Int64, counted: Bool, note: String) {
    self.caseID = caseID
    self.counted = counted
    self.note = note
  }
}

/// Which facts a figure counts: those of one unit, or of a unit's subtree.
public struct UnitSelector: Sendable, Hashable {
  public let path: String
  public let subtree: Bool

  public init(path: String, subtree: Bool) {
    self.path = path
    self.subtree = subtree
  }

  public func matches(_ path: String) -> Bool { self.subtree ? path.hasPrefix(self.path) : path == self.path }
}

/// The indicator definitions of docs/METRICS.md.
public enum IndicatorSet {
  /// Raised whenever a formula in docs/METRICS.md changes.
  public static let version = 5

  /// Every indicator for `selector` over `window` (the period's instants), as known at `asOf`.
  ///
  /// Membership in the period is decided by the instants of the facts (submitted, due, rated …);
  /// what happened to them since (a decision, a completion, an upheld appeal, a return visit)
  /// counts when it happened by `asOf`, which may be after the period ended: until a period is
  /// closed its figures follow what becomes known about it (docs/METRICS.md).
  public static func compute(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [Figure] {
    func inPeriod(_ instant: Instant?) -> Bool {
      guard let instant else { return false }
      return window.contains(instant) && instant <= asOf
    }
    func known(_ instant: Instant?) -> Instant? { instant.flatMap { $0 <= asOf ? $0 : nil } }
    let cases = inputs.cases.filter { selector.matches($0.unitPath) }.sorted { $0.caseID < $1.caseID }
    let ratings = inputs.ratings.filter { selector.matches($0.unitPath) }.sorted { ($0.caseID, $0.ratingID) < ($1.caseID, $1.ratingID) }
    let orders = inputs.orders.filter { selector.matches($0.unitPath) }.sorted { ($0.caseID, $0.orderID) < ($1.caseID, $1.orderID) }
    let events = inputs.events.filter { selector.matches($0.unitPath) }.sorted { ($0.caseID, $0.at) < ($1.caseID, $1.at) }

    // 1. Acceptance rate.
    let decided = cases.filter { inPeriod($0.submittedAt) && known($0.decidedAt) != nil }
    let acceptance = rate(.acceptanceRate, decided.map { DrillRow(caseID: $0.caseID, counted: $0.accepted, note: $0.accepted ? "accepted" : "refused") })

    // 2. On-time completion rate and 4. overdue count.
    var due: [DrillRow] = []
    for fact in cases where fact.accepted && known(fact.decidedAt) != nil {
      guard let deadline = fact.deadline, window.contains(deadline) else { continue }
      let completed = known(fact.completedAt)
      guard deadline <= asOf || completed != nil else { continue }
      let onTime = completed.map { $0 <= deadline } ?? false
      let note = completed.map { $0 <= deadline ? "completed on time" : "completed late" } ?? "open past its deadline"
      due.append(DrillRow(caseID: fact.caseID, counted: onTime, note: note))
    }
    let onTime = rate(.onTimeCompletionRate, due)
    let late = due.filter { !$0.counted }
    let overdue = Figure(
      indicator: .overdueCount, numerator: Double(late.count), denominator: late.count, value: Double(late.count),
      drill: late.map { DrillRow(caseID: $0.caseID, counted: true, note: $0.note) }
    )

    // 3. Average handling time.
    let handled = cases.filter { inPeriod($0.completedAt) && $0.handlingWorkingDays != nil && $0.accepted }
    let total = handled.reduce(0.0) { $0 + round($1.handlingWorkingDays!, 2) }
    let average = Figure(
      indicator: .averageHandlingDays, numerator: round(total, 2), denominator: handled.count,
      value: handled.isEmpty ? nil : round(total / Double(handled.count), 2),
      drill: handled.map { DrillRow(caseID: $0.caseID, counted: true, note: "\(Figure.fixed($0.handlingWorkingDays!, 2)) working days") }
    )

    // 5. Satisfaction rate and 6. rectification rate.
    let counted = ratings.filter { inPeriod($0.ratedAt) && known($0.upheldAt) == nil }
    let satisfaction = rate(.satisfactionRate, counted.map {
      DrillRow(caseID: $0.caseID, counted: $0.level.isSatisfied, note: "rating \($0.ratingID) \($0.level.rawValue)")
    })
    let rectification = rate(.rectificationRate, counted.filter(\.level.isBad).map {
      let done = known($0.rectifiedAt) != nil
      return DrillRow(caseID: $0.caseID, counted: done, note: "rating \($0.ratingID): \(done ? "rectified, return visit made" : "rectification open")")
    })

    // 7. Order reply on-time rate.
    var replies: [DrillRow] = []
    for order in orders where known(order.issuedAt) != nil {
      let replied = known(order.repliedAt)
      let dueIn = window.contains(order.replyDueAt) && order.replyDueAt <= asOf
      guard dueIn || inPeriod(replied) else { continue }
      let onTime = replied.map { $0 <= order.replyDueAt } ?? false
      let note = "order \(order.orderID): " + (replied.map { $0 <= order.replyDueAt ? "replied on time" : "replied late" } ?? "no reply")
      replies.append(DrillRow(caseID: order.caseID, counted: onTime, note: note))
    }
    let orderReply = rate(.orderReplyOnTimeRate, replies)

    // 8. Urge count.
    let urges = events.filter { $0.kind == .urged && inPeriod($0.at) }
    let urgeCount = Figure(
      indicator: .urgeCount, numerator: Double(urges.count), denominator: urges.count, value: Double(urges.count),
      drill: urges.map { DrillRow(caseID: $0.caseID, counted: true, note: "urged") }
    )
    return [acceptance, onTime, average, overdue, satisfaction, rectification, orderReply, urgeCount]
      + Self.requestFigures(inputs, for: selector, in: window, asOf: asOf)
      + Self.disputeFigures(inputs, for: selector, in: window, asOf: asOf)
      + Self.fieldEventFigures(inputs, for: selector, in: window, asOf: asOf)
      + Self.gridTrainingFigures(inputs, for: selector, in: window, asOf: asOf)
  }

  /// Listed orders (issued listed, or escalated to listed) and criticisms of `selector` in the window.
  public static func penalties(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> Penalties {
    func inPeriod(_ instant: Instant) -> Bool { window.contains(instant) && instant <= asOf }
    let listed = inputs.orders.filter { $0.listed && selector.matches($0.unitPath) && inPeriod($0.issuedAt) }.count
      + inputs.events.filter { $0.kind == .escalatedToListed && selector.matches($0.unitPath) && inPeriod($0.at) }.count
    let criticisms = inputs.events.filter { $0.kind == .criticised && selector.matches($0.unitPath) && inPeriod($0.at) }.count
    return Penalties(listedOrders: listed, criticisms: criticisms)
  }

  static func rate(_ indicator: Indicator, _ rows: [DrillRow]) -> Figure {
    let numerator = rows.filter(\.counted).count
    return Figure(
      indicator: indicator, numerator: Double(numerator), denominator: rows.count,
      value: rows.isEmpty ? nil : round(Double(numerator) / Double(rows.count), 4), drill: rows
    )
  }

  static func round(_ value: Double, _ decimals: Int) -> Double {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return (value * scale).rounded() / scale
  }
}

/// What the assessment subtracts for (docs/EVALUATION.md).
public struct Penalties: Sendable, Hashable, Codable {
  public var listedOrders: Int
  public var criticisms: Int

  public init(listedOrders: Int = 0, criticisms: Int = 0) {
    self.listedOrders = listedOrders
    self.criticisms = criticisms
  }
}
