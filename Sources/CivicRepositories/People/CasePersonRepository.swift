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

  /// The applicant person of case `caseID`, if intake named one.
  public func applicant(of caseID: Int64) async throws(StoreError) -> Int64? {
    try await self.connection.query(
      "SELECT person_id FROM case_people WHERE case_id = \(caseID) AND role = 'applicant' ORDER BY person_id LIMIT 1"
    ).scalar(Int64.self)
  }
}
