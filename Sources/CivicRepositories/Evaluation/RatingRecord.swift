public import CivicDomain
public import CivicStore

/// A rating as stored (`ratings`), with its unit's code and its rectification, if one was opened.
public struct RatingRecord: Sendable, SQLRecord {
  public var id: Int64
  public var caseID: Int64
  public var moment: Rating.Moment
  public var level: Rating.Level
  public var efficiency: Int32
  public var attitude: Int32
  public var convenience: Int32
  public var comment: String
  public var channel: String
  public var unitCode: String
  public var ratedAt: Instant
  public var excluded: Bool
  public var rectificationID: Int64?

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.caseID = try row.decode(column: "case_id")
    let moment = try row.decode(String.self, column: "moment")
    let level = try row.decode(String.self, column: "level")
    guard let m = Rating.Moment(rawValue: moment), let l = Rating.Level(rawValue: level) else {
      throw StoreError(code: .decoding, serverMessage: "rating moment \(moment) or level \(level)")
    }
    self.moment = m
    self.level = l
    self.efficiency = try row.decode(column: "efficiency")
    self.attitude = try row.decode(column: "attitude")
    self.convenience = try row.decode(column: "convenience")
    self.comment = try row.decode(column: "comment")
    self.channel = try row.decode(column: "channel")
    self.unitCode = try row.decode(column: "unit_code")
    self.ratedAt = Instant(secondsSinceEpoch: try row.decode(Int.self, column: "rated_at"))
    self.excluded = try row.decode(column: "excluded")
    self.rectificationID = try row.decode(column: "rectification_id")
  }
}

/// An appeal against a rating (`rating_appeals`).
public struct AppealRecord: Sendable, SQLRecord {
  public var id: Int64
  public var ratingID: Int64
  public var reason: String
  public var outcome: String
  public var note: String
  public var filedBy: String
  public var decidedBy: String

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.ratingID = try row.decode(column: "rating_id")
    self.reason = try row.decode(column: "reason")
    self.outcome = try row.decode(column: "outcome")
    self.note = try row.decode(column: "note")
    self.filedBy = try row.decode(column: "filed_by")
    self.decidedBy = try row.decode(column: "decided_by")
  }
}

/// A new rating: what the rater chose, the rated case and unit, and the request's fingerprint.
public struct NewRating: Sendable {
  public var caseID: Int64
  public var moment: Rating.Moment
  public var level: Rating.Level
  public var dimensions: Rating.Dimensions
  public var comment: String
  public var channel: String
  public var unitCode: String
  public var ratedBy: String
  public var at: Instant
  public var fingerprint: String

  public init(
    caseID: Int64, moment: Rating.Moment, level: Rating.Level, dimensions: Rating.Dimensions, comment: String, channel: String,
    unitCode: String, ratedBy: String, at: Instant, fingerprint: String
  ) {
    self.caseID = caseID
    self.moment = moment
    self.level = level
    self.dimensions = dimensions
    self.comment = comment
    self.channel = channel
    self.unitCode = unitCode
    self.ratedBy = ratedBy
    self.at = at
    self.fingerprint = fingerprint
  }
}
