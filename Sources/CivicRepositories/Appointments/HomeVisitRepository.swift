public import CivicDomain
public import CivicStore

/// Door-to-door visit requests (`home_visits`).
public struct HomeVisitRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The visit with `id` whose unit lies in `range`, or nil; `lock` holds its row until commit.
  public func visit(id: Int64, within range: UnitPathRange = UnitRepository.everywhere, lock: Bool = false) async throws(StoreError)
    -> HomeVisitRecord?
  {
    try await self.connection.query(
      """
      SELECT \(HomeVisitRecord.columns) WHERE v.id = \(id) AND u.path >= \(range.lower) AND u.path < \(range.upper)\
      \(SQLQuery.rowLock(lock, of: "v"))
      """
    ).first(HomeVisitRecord.self)
  }

  /// The visit an earlier request under the same key made, with that request's fingerprint.
  public func earlierRequest(accountID: Int64, key: String) async throws(StoreError) -> (id: Int64, fingerprint: [UInt8])? {
    let rows = try await self.connection.query(
      "SELECT id, request_sha256 FROM home_visits WHERE requested_by_account_id = \(accountID) AND idempotency_key = \(key)"
    ).decode((Int64, SQLBytes).self)
    return rows.first.map { (id: $0.0, fingerprint: $0.1.bytes) }
  }

  /// A new visit request at `unitID`; a concurrent request under the same key is `DomainError.conflict`.
  public func insert(
    unitID: Int64,
    itemCode: String,
    applicant: ApplicantRecord,
    address: String,
    reason: String,
    preferredDate: String?,
    request: IdempotentRequest
  ) async throws -> Int64 {
    do {
      let id = try await self.connection.query(
        """
        INSERT INTO home_visits (unit_id, item_code, applicant_name, applicant_id_number, applicant_phone, address, reason,
          preferred_date, requested_by_account_id, idempotency_key, request_sha256)
        VALUES (\(unitID), \(itemCode), \(applicant.name), \(applicant.idNumber), \(applicant.phone), \(address), \(reason),
          \(preferredDate)::date, \(request.accountID), \(request.key), \(request.storedFingerprint))
        RETURNING id
        """
      ).scalar(Int64.self)
      return id ?? 0
    } catch {
      guard error.isUniqueViolation else { throw error }
      throw IdempotentRequest.inProgress
    }
  }

  public func assign(id: Int64, toAccountID accountID: Int64) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE home_visits SET state = \(HomeVisitState.assigned.rawValue), assignee_account_id = \(accountID), assigned_at = now(),
        version = version + 1
      WHERE id = \(id)
      """
    )
  }

  /// Ends the visit in `state` (done or cancelled) with its notes or reason and the case it opened.
  public func finish(id: Int64, state: HomeVisitState, notes: String, cancelReason: String, openedCase: Int64?) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE home_visits SET state = \(state.rawValue), notes = \(notes), cancel_reason = \(cancelReason),
        opened_case_id = \(openedCase), finished_at = now(), version = version + 1
      WHERE id = \(id)
      """
    )
  }
}
