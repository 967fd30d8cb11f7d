public import CivicStore

/// The people a case names (`case_people`): written at intake by person id, read when the
/// case is shown.
public struct CasePersonRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Records that case `caseID` names person `personID` in `role` (`applicant`, `respondent`, `thirdParty`).
  public func link(caseID: Int64, personID: Int64, role: String) async throws(StoreError) {
    try await self.connection.execute(
      "INSERT INTO case_people (case_id, person_id, role) VALUES (\(caseID), \(personID), \(role)) ON CONFLICT DO NOTHING"
    )
  }

  /// The column `applicant_person_id`: the applicant person of the case whose id is the
  /// column `caseID` of the enclosing query (trusted text, e.g. `c.id`), if intake named one.
  static func applicant(ofCase caseID: String) -> SQLQuery {
    """
    (SELECT p.person_id FROM case_people p WHERE p.case_id = \(unescaped: caseID) AND p.role = 'applicant'
     ORDER BY p.person_id LIMIT 1) AS applicant_person_id
    """
  }

  /// `applicant(ofCase:)` for a query over `cases c`.
  public static let applicantOfCase = Self.applicant(ofCase: "c.id")
}
