public import CivicDomain
public import CivicStore

/// Appointments and the slot rows that guard their capacity (`appointments`,
/// `appointment_slots`).
///
/// A slot gets a row on its first booking; its `booked` counter is the capacity guard — one
/// conditional `UPDATE … WHERE booked < capacity` per booking, which PostgreSQL re-checks
/// after waiting for a concurrent booker's row lock, so parallel bookings never overbook.
public struct AppointmentRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The appointment with `id` whose centre lies in `range`, or nil; `lock` holds its row until commit.
  public func appointment(id: Int64, within range: UnitPathRange = UnitRepository.everywhere, lock: Bool = false) async throws(StoreError)
    -> AppointmentRecord?
  {
    try await self.connection.query(
      """
      SELECT \(AppointmentRecord.columns) WHERE a.id = \(id) AND c.path >= \(range.lower) AND c.path < \(range.upper)\
      \(SQLQuery.rowLock(lock, of: "a"))
      """
    ).first(AppointmentRecord.self)
  }

  /// How many places are booked per slot start (seconds) of `offerID` in [from, to).
  public func bookedPlaces(offerID: Int64, fromSeconds: Int, toSeconds: Int) async throws(StoreError) -> [Int: Int] {
    let rows = try await self.connection.query(
      """
      SELECT extract(epoch FROM starts_at)::bigint, booked FROM appointment_slots
      WHERE offer_id = \(offerID) AND starts_at >= to_timestamp(\(fromSeconds)) AND starts_at < to_timestamp(\(toSeconds))
      """
    ).decode((Int, Int).self)
    return Dictionary(rows, uniquingKeysWith: { first, _ in first })
  }

  /// Takes one place in the slot of `offerID` at `slot`, creating its row on first use;
  /// the slot's id, or `DomainError.capacityExhausted` when it is full.
  public func takePlace(offerID: Int64, slot: Slot, describedAs description: String) async throws -> Int64 {
    try await self.connection.execute(
      """
      INSERT INTO appointment_slots (offer_id, starts_at, ends_at, capacity)
      VALUES (\(offerID), to_timestamp(\(slot.startsAt.secondsSinceEpoch)), to_timestamp(\(slot.endsAt.secondsSinceEpoch)), \(slot.capacity))
      ON CONFLICT (offer_id, starts_at) DO NOTHING
      """
    )
    let taken = try await self.connection.query(
      """
      UPDATE appointment_slots SET booked = booked + 1
      WHERE offer_id = \(offerID) AND starts_at = to_timestamp(\(slot.startsAt.secondsSinceEpoch)) AND booked < capacity RETURNING id
      """
    )
    guard let slotID = try taken.scalar(Int64.self) else { throw DomainError.capacityExhausted(description) }
    return slotID
  }

  /// Gives a cancelled appointment's place back.
  public func releasePlace(slotID: Int64) async throws(StoreError) {
    try await self.connection.execute("UPDATE appointment_slots SET booked = booked - 1 WHERE id = \(slotID)")
  }

  /// The appointment an earlier request under the same key made, with that request's
  /// fingerprint; nil for a new key.
  public func earlierBooking(accountID: Int64, key: String) async throws(StoreError) -> (id: Int64, fingerprint: [UInt8])? {
    let rows = try await self.connection.query(
      "SELECT id, request_sha256 FROM appointments WHERE booked_by_account_id = \(accountID) AND idempotency_key = \(key)"
    ).decode((Int64, SQLBytes).self)
    return rows.first.map { (id: $0.0, fingerprint: $0.1.bytes) }
  }

  /// Books the taken place for `applicant`; a concurrent request under the same key is
  /// `DomainError.conflict`. Returns the new appointment's id.
  public func insert(slotID: Int64, applicant: ApplicantRecord, bookedBy: String, request: IdempotentRequest) async throws -> Int64 {
    do {
      let id = try await self.connection.query(
        """
        INSERT INTO appointments (slot_id, applicant_name, applicant_id_number, applicant_phone, booked_by_account_id,
          booked_by, idempotency_key, request_sha256)
        VALUES (\(slotID), \(applicant.name), \(applicant.idNumber), \(applicant.phone), \(request.accountID), \(bookedBy),
          \(request.key), \(request.storedFingerprint))
        RETURNING id
        """
      ).scalar(Int64.self)
      return id ?? 0
    } catch {
      guard error.isUniqueViolation else { throw error }
      throw IdempotentRequest.inProgress
    }
  }

  public func cancel(id: Int64, reason: String) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE appointments SET state = \(AppointmentState.cancelled.rawValue), cancel_reason = \(reason), version = version + 1 WHERE id = \(id)"
    )
  }

  public func checkIn(id: Int64, caseID: String) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE appointments SET state = \(AppointmentState.checkedIn.rawValue), checked_in_at = now(), case_id = \(caseID),
        version = version + 1
      WHERE id = \(id)
      """
    )
  }

  /// Serializes the transactions that use one (kind, account, key) until they commit, so a
  /// retry waits for the first request and then answers its result instead of racing it.
  public func lockIdempotencyKey(_ kind: String, request: IdempotentRequest) async throws(StoreError) {
    guard let key = request.key else { return }
    let name = "\(kind)/\(request.accountID)/\(key)"
    try await self.connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))")
  }
}
