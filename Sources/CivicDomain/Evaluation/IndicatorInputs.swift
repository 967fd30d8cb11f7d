/// What the indicators are computed from, one fact per case, rating, order or event, gathered
/// by the service with SQL (docs/METRICS.md says which rows). Plain values: the arithmetic in
/// `IndicatorSet` never touches a database.
public struct IndicatorInputs: Sendable, Hashable {
  public var cases: [CaseFact]
  public var ratings: [RatingFact]
  public var orders: [OrderFact]
  public var events: [UnitEventFact]
  /// Citizens' requests: how each left each tier, and each tier task's reply.
  public var requestTiers: [RequestTierFact]
  public var requestReplies: [RequestReplyFact]
  /// Disputes: each closing, and each settled route's follow-up.
  public var disputeClosings: [DisputeIndicators.Closing]
  public var disputeFollowUps: [DisputeIndicators.FollowUp]
  /// Field events: each event reported, routed or handled around the window.
  public var fieldEvents: [FieldEventIndicators.Fact]
  /// Grid workers (enabled `grid_worker` accounts) and their training records.
  public var gridWorkers: [GridTrainingIndicator.Worker]
  public var trainingSessions: [GridTrainingIndicator.Session]

  public init(
    cases: [CaseFact] = [], ratings: [RatingFact] = [], orders: [OrderFact] = [], events: [UnitEventFact] = [],
    requestTiers: [RequestTierFact] = [], requestReplies: [RequestReplyFact] = [],
    disputeClosings: [DisputeIndicators.Closing] = [], disputeFollowUps: [DisputeIndicators.FollowUp] = [],
    fieldEvents: [FieldEventIndicators.Fact] = [],
    gridWorkers: [GridTrainingIndicator.Worker] = [], trainingSessions: [GridTrainingIndicator.Session] = []
  ) {
    self.cases = cases
    self.ratings = ratings
    self.orders = orders
    self.events = events
    self.requestTiers = requestTiers
    self.requestReplies = requestReplies
    self.disputeClosings = disputeClosings
    self.disputeFollowUps = disputeFollowUps
    self.fieldEvents = fieldEvents
    self.gridWorkers = gridWorkers
    self.trainingSessions = trainingSessions
  }
}

/// A service application as the indicators see it.
public struct CaseFact: Sendable, Hashable {
  public let caseID: Int64
  /// Path of the intake unit (`/D01/CTR/`).
  public let unitPath: String
  public let submittedAt: Instant
  /// The intake decision: when, and whether it was an acceptance (受理 or 容缺受理) or a refusal.
  public let decidedAt: Instant?
  public let accepted: Bool
  /// The `completed` (办结) event.
  public let completedAt: Instant?
  /// The case clock's deadline (limit + extensions, outside 补正 pauses); nil without a clock
  /// (immediate item) or while the clock is paused.
  public let deadline: Instant?
  /// Working days from the clock's counting start to completion, outside pauses; nil unless completed with a clock.
  public let handlingWorkingDays: Double?

  public init(
    caseID: Int64, unitPath: String, submittedAt: Instant, decidedAt: Instant? = nil, accepted: Bool = false,
    completedAt: Instant? = nil, deadline: Instant? = nil, handlingWorkingDays: Double? = nil
  ) {
    self.caseID = caseID
    self.unitPath = unitPath
    self.submittedAt = submittedAt
    self.decidedAt = decidedAt
    self.accepted = accepted
    self.completedAt = completedAt
    self.deadline = deadline
    self.handlingWorkingDays = handlingWorkingDays
  }
}

/// A rating with what happened to it since: appeal and rectification.
public struct RatingFact: Sendable, Hashable {
  public let ratingID: Int64
  public let caseID: Int64
  /// Path of the unit the rating (and its rectification) belongs to.
  public let unitPath: String
  public let ratedAt: Instant
  public let level: Rating.Level
  /// When an appeal against it was upheld (it then counts nowhere from that instant).
  public let upheldAt: Instant?
  /// When its rectification was closed by the return visit.
  public let rectifiedAt: Instant?

  public init(ratingID: Int64, caseID: Int64, unitPath: String, ratedAt: Instant, level: Rating.Level, upheldAt: Instant? = nil, rectifiedAt: Instant? = nil) {
    self.ratingID = ratingID
    self.caseID = caseID
    self.unitPath = unitPath
    self.ratedAt = ratedAt
    self.level = level
    self.upheldAt = upheldAt
    self.rectifiedAt = rectifiedAt
  }
}

/// A supervision order (督办单) addressed to a unit: one reply the unit owes.
public struct OrderFact: Sendable, Hashable {
  public let orderID: String
  /// The case the order is about (for drill-down).
  public let caseID: Int64
  public let unitPath: String
  /// Whether the order was listed (挂牌督办) when this reply became owed: issued listed, or
  /// escalated (to listed, or listed to the unit above) at `issuedAt`. Not the order's level now.
  public let listed: Bool
  /// When the reply became owed: the order's issue or the escalation that addressed it here.
  public let issuedAt: Instant
  public let replyDueAt: Instant
  public let repliedAt: Instant?

  public init(orderID: String, caseID: Int64, unitPath: String, listed: Bool, issuedAt: Instant, replyDueAt: Instant, repliedAt: Instant? = nil) {
    self.orderID = orderID
    self.caseID = caseID
    self.unitPath = unitPath
    self.listed = listed
    self.issuedAt = issuedAt
    self.replyDueAt = replyDueAt
    self.repliedAt = repliedAt
  }
}

/// An urge (催办), an escalation to a listed order or a public criticism addressed to a unit.
public struct UnitEventFact: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable {
    case urged, escalatedToListed, criticised
  }

  public let kind: Kind
  public let caseID: Int64
  public let unitPath: String
  public let at: Instant

  public init(kind: Kind, caseID: Int64, unitPath: String, at: Instant) {
    self.kind = kind
    self.caseID = caseID
    self.unitPath = unitPath
    self.at = at
  }
}

extension WorkClock {
  /// Working seconds counted from the clock's counting start to `end`, outside its closed pauses.
  public func countedSeconds(until end: Instant, in calendar: WorkingCalendar) throws(DomainError) -> Int {
    try calendar.workingSeconds(from: calendar.countStart(of: self.limit, startingAt: self.start), to: end, excluding: self.closedPauses)
  }
}
