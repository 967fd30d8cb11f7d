public import CivicDomain
public import CivicStore

/// A rectification as the evaluation service shows it: its case, the rating it answers and
/// the return visit's finding (tables `rectifications`, `cases`, `ratings`).
public struct RectificationRecord: Sendable, SQLRecord {
  public var caseID: Int64
  public var value: Case
  public var jurisdiction: String
  public var openedAt: Instant
  public var ratingID: Int64
  public var ratedCaseID: Int64
  public var unitCode: String
  public var ratingLevel: Rating.Level
  public var ratingComment: String
  public var returnVisitSatisfied: Bool
  public var returnVisitNote: String

  static let select: SQLQuery = """
    SELECT x.case_id, \(StoredSnapshot.columns("c")), c.jurisdiction, extract(epoch FROM c.submitted_at)::bigint AS opened_at,
      x.rating_id, x.rated_case_id, u.code AS unit_code, r.level, r.comment,
      coalesce(x.return_visit_satisfied, false) AS return_visit_satisfied, x.return_visit_note
    FROM rectifications x JOIN cases c ON c.id = x.case_id JOIN units u ON u.id = x.unit_id JOIN ratings r ON r.id = x.rating_id
    """

  public init(row: Row) throws(StoreError) {
    self.caseID = try row.decode(column: "case_id")
    self.value = try StoredSnapshot.decode(row: row)
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.openedAt = Instant(secondsSinceEpoch: try row.decode(Int.self, column: "opened_at"))
    self.ratingID = try row.decode(column: "rating_id")
    self.ratedCaseID = try row.decode(column: "rated_case_id")
    self.unitCode = try row.decode(column: "unit_code")
    let level = try row.decode(String.self, column: "level")
    guard let ratingLevel = Rating.Level(rawValue: level) else {
      throw StoreError(code: .decoding, serverMessage: "rating level \(level)")
    }
    self.ratingLevel = ratingLevel
    self.ratingComment = try row.decode(column: "comment")
    self.returnVisitSatisfied = try row.decode(column: "return_visit_satisfied")
    self.returnVisitNote = try row.decode(column: "return_visit_note")
  }
}
