import CivicDomain
public import CivicProtos
import CivicStore
public import GRPCCore
import SwiftProtobuf

extension AppointmentsService {
  /// The columns `appointment(from:)` decodes, over `appointmentFrom`.
  static let appointmentColumns = """
    a.id, c.code, o.item_code, extract(epoch FROM s.starts_at)::bigint, extract(epoch FROM s.ends_at)::bigint,
    s.capacity, s.booked, a.applicant_name, a.applicant_id_number, a.applicant_phone, a.state, a.case_id,
    a.cancel_reason, a.booked_by, a.version, (extract(epoch FROM a.created_at) * 1000000)::bigint,
    coalesce((extract(epoch FROM a.checked_in_at) * 1000000)::bigint, 0), c.path, s.id,
    coalesce(a.booked_by_account_id, 0)
    """
  static let appointmentFrom = """
    appointments a JOIN appointment_slots s ON s.id = a.slot_id JOIN appointment_offers o ON o.id = s.offer_id
    JOIN units c ON c.id = o.centre_id
    """

  func appointment(from row: Row) throws -> Civicgrid_V1_Appointment {
    let startsAt = Instant(secondsSinceEpoch: try row.decode(Int.self, at: 3))
    let endsAt = Instant(secondsSinceEpoch: try row.decode(Int.self, at: 4))
    return try Civicgrid_V1_Appointment.with {
      $0.id = try row.decode(Int64.self, at: 0)
      $0.centreCode = try row.decode(String.self, at: 1)
      $0.itemCode = try row.decode(String.self, at: 2)
      $0.slot = Civicgrid_V1_Slot.with { slot in
        slot.startsAt = Self.timestamp(startsAt)
        slot.endsAt = Self.timestamp(endsAt)
        slot.date = self.calendar.localDate(of: startsAt).description
        let startSeconds = startsAt.secondsSinceEpoch - self.calendar.startOfDay(self.calendar.localDate(of: startsAt)).secondsSinceEpoch
        let endSeconds = endsAt.secondsSinceEpoch - self.calendar.startOfDay(self.calendar.localDate(of: startsAt)).secondsSinceEpoch
        slot.start = TimeOfDay(hour: startSeconds / 3600, minute: startSeconds % 3600 / 60)?.description ?? ""
        slot.end = TimeOfDay(hour: endSeconds / 3600, minute: endSeconds % 3600 / 60)?.description ?? ""
        slot.capacity = (try? row.decode(Int32.self, at: 5)) ?? 0
        slot.booked = (try? row.decode(Int32.self, at: 6)) ?? 0
      }
      $0.applicant = try Civicgrid_V1_AppointmentApplicant.with {
        $0.name = try row.decode(String.self, at: 7)
        $0.idNumber = try row.decode(String.self, at: 8)
        $0.phone = try row.decode(String.self, at: 9)
      }
      $0.state =
        switch try row.decode(String.self, at: 10) {
        case AppointmentState.booked.rawValue: .booked
        case AppointmentState.cancelled.rawValue: .cancelled
        case AppointmentState.checkedIn.rawValue: .checkedIn
        default: .unspecified
        }
      $0.caseID = try row.decode(String.self, at: 11)
      $0.cancelReason = try row.decode(String.self, at: 12)
      $0.bookedBy = try row.decode(String.self, at: 13)
      $0.version = try row.decode(Int64.self, at: 14)
      $0.createdAt = Google_Protobuf_Timestamp(micros: try row.decode(Int64.self, at: 15))
      let checkedIn = try row.decode(Int64.self, at: 16)
      if checkedIn != 0 { $0.checkedInAt = Google_Protobuf_Timestamp(micros: checkedIn) }
    }
  }

  /// One appointment the caller may see, optionally locked; NOT_FOUND otherwise. Staff see
  /// the appointments of centres in their scope; a partner system only those it booked.
  func visibleAppointment(_ id: Int64, caller: Principal, lock: Bool, on connection: StoreConnection) async throws
    -> (appointment: Civicgrid_V1_Appointment, slotID: Int64)
  {
    let partnerOnly = caller.has(.partner) && !caller.has(.admin) && !caller.has(.clerk)
    let found = try await self.scopedAppointment(id, scope: partnerOnly ? .everything : caller.scope, lock: lock, on: connection)
    if partnerOnly, found.bookedByAccountID != caller.accountID {
      throw RPCError(code: .notFound, message: "id: appointment \(id) not found")
    }
    return (found.appointment, found.slotID)
  }

  /// One appointment whose centre is in `scope`, optionally locked; NOT_FOUND otherwise.
  func scopedAppointment(_ id: Int64, scope: UnitScope, lock: Bool, on connection: StoreConnection) async throws
    -> (appointment: Civicgrid_V1_Appointment, slotID: Int64, bookedByAccountID: Int64)
  {
    guard id > 0 else { throw Validation.invalid("id", "is required") }
    let range = scope.sqlRange
    let rows = try await connection.query(
      "SELECT \(Self.appointmentColumns) FROM \(Self.appointmentFrom) WHERE a.id = $1 AND c.path >= $2 AND c.path < $3"
        + (lock ? " FOR UPDATE OF a" : ""),
      [id, range.lower, range.upper]
    )
    guard let row = rows.rows.first else { throw RPCError(code: .notFound, message: "id: appointment \(id) not found") }
    return (try self.appointment(from: row), try row.decode(at: 18), try row.decode(at: 19))
  }

  public func bookAppointment(request: Civicgrid_V1_BookAppointmentRequest, context: ServerContext) async throws -> Civicgrid_V1_Appointment
  {
    let caller = try RequestContext.principal()
    let item = try Validation.code(request.itemCode, field: "item_code")
    let applicant = try Self.applicant(request.applicant)
    let key = try Self.idempotencyKey(request.idempotencyKey, caller: caller)
    guard request.hasStartsAt, request.startsAt.nanos == 0 else {
      throw Validation.invalid("starts_at", "is required: a slot start exactly as ListSlots gave it")
    }
    let startsAt = try Require.instant("starts_at", request.startsAt)
    var fingerprintSource = request
    fingerprintSource.idempotencyKey = ""
    let fingerprint = SQLBytes(SHA256Digest.of(try fingerprintSource.serializedBytes()))
    let now = self.now()

    return try await self.store.transaction { connection in
      if let key {
        // Retries of one request queue here, so a retry arriving while the first is still
        // running waits for it and then answers its appointment instead of racing it for a place.
        try await Self.lockKey("appointment", key: key, caller: caller, on: connection)
        if let earlier = try await self.replay(key: key, fingerprint: fingerprint, caller: caller, on: connection) {
          return earlier
        }
      }
      let centre = try await Self.centre(request.centreCode, scope: Self.centreScope(caller), on: connection)
      let stored = try await Self.offer(centre: centre, item: item, on: connection)
      guard !stored.withdrawn else {
        throw RPCError(code: .failedPrecondition, message: "item_code: the offer of '\(item)' at '\(centre.code)' is withdrawn")
      }
      let schedule = try await self.schedule(centreID: centre.id, on: connection).schedule
      guard let slot = SlotGenerator.slot(startingAt: startsAt, offer: stored.offer, schedule: schedule, calendar: self.calendar) else {
        throw Validation.invalid("starts_at", "no slot of '\(item)' at '\(centre.code)' starts then; list the slots first")
      }
      try Self.domain { () throws(DomainError) in try AppointmentRules.book(slotStart: slot.startsAt, now: now) }

      // The slot's row exists from its first booking on; its counter is the capacity guard.
      try await connection.query(
        """
        INSERT INTO appointment_slots (offer_id, starts_at, ends_at, capacity) VALUES ($1, to_timestamp($2), to_timestamp($3), $4)
        ON CONFLICT (offer_id, starts_at) DO NOTHING
        """,
        [stored.id, Int64(slot.startsAt.secondsSinceEpoch), Int64(slot.endsAt.secondsSinceEpoch), slot.capacity]
      )
      let taken = try await connection.query(
        """
        UPDATE appointment_slots SET booked = booked + 1
        WHERE offer_id = $1 AND starts_at = to_timestamp($2) AND booked < capacity RETURNING id
        """,
        [stored.id, Int64(slot.startsAt.secondsSinceEpoch)]
      )
      guard let slotID = try taken.scalar(Int64.self) else {
        throw RPCError(
          code: .resourceExhausted,
          message: "starts_at: the \(slot.date) \(slot.start) slot of '\(item)' at '\(centre.code)' is full; pick another"
        )
      }
      let inserted: Int64
      do {
        let row = try await connection.query(
          """
          INSERT INTO appointments (slot_id, applicant_name, applicant_id_number, applicant_phone, booked_by_account_id,
            booked_by, idempotency_key, request_sha256)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
          """,
          [
            slotID, applicant.name, applicant.idNumber, applicant.phone, caller.accountID, "\(caller.login)@\(caller.unitCode)",
            key, key == nil ? nil : fingerprint,
          ]
        )
        inserted = try row.scalar(Int64.self) ?? 0
      } catch let error as StoreError where error.sqlState == "23505" {
        // The same key is being booked right now by a concurrent retry: this one rolls back.
        throw RPCError(code: .aborted, message: "idempotency_key: a request with this key is in progress; retry to get its result")
      }
      try await AuditLog.append(
        on: connection,
        object: "appointment:\(inserted)",
        summary: "booked \(item) at \(centre.code) for \(slot.date) \(slot.start)"
      )
      return try await self.scopedAppointment(inserted, scope: .everything, lock: false, on: connection).appointment
    }
  }

  /// Serializes the transactions of one (account, key) until they commit.
  static func lockKey(_ kind: String, key: String, caller: Principal, on connection: StoreConnection) async throws {
    try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["\(kind)/\(caller.accountID)/\(key)"])
  }

  /// The appointment an earlier request with the same key made, or nil for a new key.
  private func replay(key: String, fingerprint: SQLBytes, caller: Principal, on connection: StoreConnection) async throws
    -> Civicgrid_V1_Appointment?
  {
    let rows = try await connection.query(
      "SELECT id, request_sha256 FROM appointments WHERE booked_by_account_id = $1 AND idempotency_key = $2",
      [caller.accountID, key]
    )
    guard let row = rows.rows.first else { return nil }
    guard try row.decode(SQLBytes.self, at: 1) == fingerprint else {
      throw RPCError(code: .failedPrecondition, message: "idempotency_key: already used for a different booking")
    }
    return try await self.scopedAppointment(try row.decode(at: 0), scope: .everything, lock: false, on: connection).appointment
  }

  public func cancelAppointment(
    request: Civicgrid_V1_CancelAppointmentRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    let reason = try Validation.text(request.reason, field: "reason")
    let now = self.now()
    return try await self.store.transaction { connection in
      let (current, slotID) = try await self.visibleAppointment(request.id, caller: caller, lock: true, on: connection)
      try Self.checkVersion(current, request.expectedVersion)
      let endsAt = Instant(secondsSinceEpoch: Int(current.slot.endsAt.seconds))
      _ = try Self.domain { () throws(DomainError) in
        try AppointmentRules.cancel(state: Self.state(current.state), slotEnd: endsAt, now: now)
      }
      try await connection.query(
        "UPDATE appointments SET state = 'CANCELLED', cancel_reason = $2, version = version + 1 WHERE id = $1",
        [current.id, reason]
      )
      try await connection.query("UPDATE appointment_slots SET booked = booked - 1 WHERE id = $1", [slotID])
      try await AuditLog.append(on: connection, object: "appointment:\(current.id)", summary: "cancelled: \(reason)")
      return try await self.scopedAppointment(current.id, scope: .everything, lock: false, on: connection).appointment
    }
  }

  public func checkIn(request: Civicgrid_V1_CheckInRequest, context: ServerContext) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    let materials = try request.providedMaterials.enumerated().map { (index, code) throws(RPCError) in
      try Validation.code(code, field: "provided_materials[\(index)]")
    }
    let now = self.now()
    return try await self.store.transaction { connection in
      let (current, _) = try await self.visibleAppointment(request.id, caller: caller, lock: true, on: connection)
      try Self.checkVersion(current, request.expectedVersion)
      let startsAt = Instant(secondsSinceEpoch: Int(current.slot.startsAt.seconds))
      let endsAt = Instant(secondsSinceEpoch: Int(current.slot.endsAt.seconds))
      _ = try Self.domain { () throws(DomainError) in
        try AppointmentRules.checkIn(state: Self.state(current.state), slotStart: startsAt, slotEnd: endsAt, now: now)
      }
      var checkedIn = current
      checkedIn.state = .checkedIn
      let caseID = try await self.submission.submit(checkedIn, providedMaterials: materials, on: connection)
      try await connection.query(
        "UPDATE appointments SET state = 'CHECKED_IN', checked_in_at = now(), case_id = $2, version = version + 1 WHERE id = $1",
        [current.id, caseID]
      )
      try await AuditLog.append(
        on: connection,
        object: "appointment:\(current.id)",
        summary: "checked in; submitted as case \(caseID)"
      )
      return try await self.scopedAppointment(current.id, scope: .everything, lock: false, on: connection).appointment
    }
  }

  public func getAppointment(request: Civicgrid_V1_GetAppointmentRequest, context: ServerContext) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      try await self.visibleAppointment(request.id, caller: caller, lock: false, on: connection).appointment
    }
  }

  static func checkVersion(_ current: Civicgrid_V1_Appointment, _ expected: Int64) throws(RPCError) {
    guard expected == 0 || expected == current.version else {
      throw RPCError(
        code: .aborted,
        message: "expected_version: appointment \(current.id) is at version \(current.version), not \(expected); read it again"
      )
    }
  }

  static func state(_ proto: Civicgrid_V1_AppointmentState) -> AppointmentState {
    switch proto {
    case .cancelled: .cancelled
    case .checkedIn: .checkedIn
    default: .booked
    }
  }
}
