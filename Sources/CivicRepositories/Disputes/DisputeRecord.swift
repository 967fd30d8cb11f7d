public import CivicDomain
public import CivicStore
public import Foundation

/// A dispute's own row (`disputes`): what it is, how it came in, where it stands on the
/// ladder and how it was closed. Its case (state, tasks, timeline) is the `CaseRepository`'s.
public struct DisputeRecord: Sendable, SQLRecord {
  public var caseID: Int64
  public var type: DisputeType
  public var category: DisputeCategory?
  public var intake: DisputeIntake
  public var summary: String
  public var relatedCaseID: Int64?
  public var unitPath: String
  public var ladderLevel: Int
  public var risk: RiskLevel?
  public var result: DisputeResult?
  public var resultNote: String
  public var returnVisited: Bool
  public var satisfied: Bool
  public var rating: Int?

  static let select: SQLQuery = """
    SELECT case_id, type, category, intake, summary, related_case_id, unit_path, ladder_level, risk, result, result_note,
      return_visited, coalesce(satisfied, false) AS satisfied, rating
    FROM disputes
    """

  public init(row: Row) throws(StoreError) {
    self.caseID = try row.decode(column: "case_id")
    self.type = try Self.value(row, "type")
    self.category = try Self.optional(row, "category")
    self.intake = try Self.value(row, "intake")
    self.summary = try row.decode(column: "summary")
    self.relatedCaseID = try row.decode(column: "related_case_id")
    self.unitPath = try row.decode(column: "unit_path")
    self.ladderLevel = try row.decode(column: "ladder_level")
    self.risk = try Self.optional(row, "risk")
    self.result = try Self.optional(row, "result")
    self.resultNote = try row.decode(column: "result_note")
    self.returnVisited = try row.decode(column: "return_visited")
    self.satisfied = try row.decode(column: "satisfied")
    self.rating = try row.decode(column: "rating")
  }

  /// A text column holding one of `Value`'s raw values.
  static func value<Value: RawRepresentable>(_ row: Row, _ column: String) throws(StoreError) -> Value where Value.RawValue == String {
    try DisputeRepository.raw(try row.decode(String.self, column: column), column)
  }

  static func optional<Value: RawRepresentable>(_ row: Row, _ column: String) throws(StoreError) -> Value? where Value.RawValue == String {
    guard let text = try row.decode(String?.self, column: column) else { return nil }
    return try DisputeRepository.raw(text, column)
  }
}

/// A party of a dispute; `idNumber` and `phone` are personal data.
public struct DisputeParty: Sendable, Hashable {
  public var role: PartyRole
  public var name: String
  public var idNumber: String
  public var phone: String
  /// The person on record the party was named by at intake (docs/PEOPLE.md), if any.
  public var personID: Int64?

  public init(role: PartyRole, name: String, idNumber: String, phone: String, personID: Int64? = nil) {
    self.role = role
    self.name = name
    self.idNumber = idNumber
    self.phone = phone
    self.personID = personID
  }
}

/// One joint review (联席研判).
public struct DisputeReview: Sendable, Hashable {
  public var round: Int
  public var heldOn: CivilDate
  public var participants: [String]
  public var risk: RiskLevel
  public var assessment: String
  public var ladderLevel: Int
  public var workingDays: Int
  public var recordedBy: String
  public var recordedAt: Instant

  public init(
    round: Int, heldOn: CivilDate, participants: [String], risk: RiskLevel, assessment: String, ladderLevel: Int, workingDays: Int,
    recordedBy: String, recordedAt: Instant
  ) {
    self.round = round
    self.heldOn = heldOn
    self.participants = participants
    self.risk = risk
    self.assessment = assessment
    self.ladderLevel = ladderLevel
    self.workingDays = workingDays
    self.recordedBy = recordedBy
    self.recordedAt = recordedAt
  }
}

/// One route a review opened: its engine task, channel, outcome and follow-up.
public struct DisputeRouteRecord: Sendable, Hashable {
  public var task: Int
  public var round: Int
  public var channel: ResolutionChannel
  public var unitCode: String
  public var outcome: ChannelOutcome?
  public var detail: String
  /// nil until the agreement was followed up.
  public var fulfilled: Bool?
  public var fulfilmentNote: String
}

/// One mediation session of a route.
public struct DisputeSession: Sendable, Hashable {
  public var number: Int
  public var task: Int
  public var scheduledAt: Date
  public var place: String
  public var heldAt: Date?
  public var attendees: [String]
  public var notes: String
}

/// Everything a dispute has beside its case, as `GetDispute` shows it.
public struct DisputeDetails: Sendable {
  public var record: DisputeRecord
  public var parties: [DisputeParty]
  public var reviews: [DisputeReview]
  public var routes: [DisputeRouteRecord]
  public var sessions: [DisputeSession]
}

/// What a new dispute's own rows hold.
public struct NewDispute: Sendable {
  public var caseID: Int64
  public var type: DisputeType
  public var category: DisputeCategory?
  public var intake: DisputeIntake
  public var summary: String
  public var relatedCaseID: Int64?
  public var unitID: Int64
  public var unitPath: String
  public var parties: [DisputeParty]
  public var at: Instant

  public init(
    caseID: Int64, type: DisputeType, category: DisputeCategory?, intake: DisputeIntake, summary: String, relatedCaseID: Int64?,
    unitID: Int64, unitPath: String, parties: [DisputeParty], at: Instant
  ) {
    self.caseID = caseID
    self.type = type
    self.category = category
    self.intake = intake
    self.summary = summary
    self.relatedCaseID = relatedCaseID
    self.unitID = unitID
    self.unitPath = unitPath
    self.parties = parties
    self.at = at
  }
}
