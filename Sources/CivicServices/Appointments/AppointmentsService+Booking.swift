import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
public import GRPCCore
import SwiftProtobuf

extension AppointmentsService {
  /// One appointment the caller may see, optionally locked; NOT_FOUND otherwise. Staff see
  /// the appointments of centres in their scope; a partner system only those it booked.
  func visibleAppointment(_ id: Int64, caller: Principal, lock: Bool, on connection: StoreConnection) async throws -> AppointmentRecord {
    let partnerOnly = caller.has(.partner) && !caller.has(.admin) && !caller.has(.clerk)
    let found = try await Self.scopedAppointment(id, scope: partnerOnly ? .everything : caller.scope, lock: lock, on: connection)
    if partnerOnly, found.bookedByAccountID != caller.accountID { throw DomainError.notFound("id: appointment \(id)") }
    return found
  }

  /// One appointment whose centre is in `scope`, optionally locked; NOT_FOUND otherwise.
  static func scopedAppointment(_ id: Int64, scope: UnitScope, lock: Bool, on connection: StoreConnection) async throws -> AppointmentRecord {
    guard id > 0 else { throw Validation.invalid("id", "is required") }
    guard let found = try await AppointmentRepository(connection).appointment(id: id, within: scope.sqlRange, lock: lock) else {
      throw DomainError.notFound("id: appointment \(id)")
    }
    return found
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
    let startsAt = try Validation.instant(request.startsAt, field: "starts_at")
    var fingerprintSource = request
    fingerprintSource.idempotencyKey = ""
    let idempotent = IdempotentRequest(
      accountID: caller.accountID,
      key: key,
      fingerprint: SHA256Digest.of(try fingerprintSource.serializedBytes())
    )
    let now = self.now()

    return try await self.store.transaction { connection in
      let appointments = AppointmentRepository(connection)
      if let key {
        // Retries of one request queue here, so a retry arriving while the first is still
        // running waits for it and then answers its appointment instead of racing it for a place.
        try await appointments.lockIdempotencyKey("appointment", request: idempotent)
        if let earlier = try await appointments.earlierBooking(accountID: caller.accountID, key: key) {
          guard earlier.fingerprint == idempotent.fingerprint else {
            throw DomainError.precondition("idempotency_key", "already used for a different booking")
          }
          return self.message(try await Self.scopedAppointment(earlier.id, scope: .everything, lock: false, on: connection))
        }
      }
      let centre = try await Self.centre(request.centreCode, scope: Self.centreScope(caller), on: connection)
      let stored = try await Self.offer(centre: centre, item: item, on: connection)
      guard !stored.withdrawn else {
        throw DomainError.precondition("item_code", "the offer of '\(item)' at '\(centre.code)' is withdrawn")
      }
      let schedule = try await self.schedule(centreID: centre.id, on: connection).schedule
      guard let slot = SlotGenerator.slot(startingAt: startsAt, offer: stored.offer, schedule: schedule, calendar: self.calendar) else {
        throw Validation.invalid("starts_at", "no slot of '\(item)' at '\(centre.code)' starts then; list the slots first")
      }
      try AppointmentRules.book(slotStart: slot.startsAt, now: now)

      // The slot's row exists from its first booking on; its counter is the capacity guard.
      let slotID = try await appointments.takePlace(
        offerID: stored.id,
        slot: slot,
        describedAs: "starts_at: the \(slot.date) \(slot.start) slot of '\(item)' at '\(centre.code)' is full; pick another"
      )
      let inserted = try await appointments.insert(
        slotID: slotID,
        applicant: ApplicantRecord(name: applicant.name, idNumber: applicant.idNumber, phone: applicant.phone),
        bookedBy: "\(caller.login)@\(caller.unitCode)",
        request: idempotent
      )
      try await AuditLog.append(
        on: connection,
        object: "appointment:\(inserted)",
        summary: "booked \(item) at \(centre.code) for \(slot.date) \(slot.start)"
      )
      return self.message(try await Self.scopedAppointment(inserted, scope: .everything, lock: false, on: connection))
    }
  }

  public func cancelAppointment(
    request: Civicgrid_V1_CancelAppointmentRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    let reason = try Validation.text(request.reason, field: "reason")
    let now = self.now()
    return try await self.store.transaction { connection in
      let current = try await self.visibleAppointment(request.id, caller: caller, lock: true, on: connection)
      try Self.checkVersion(current, request.expectedVersion)
      _ = try AppointmentRules.cancel(state: Self.state(current), slotEnd: Instant(secondsSinceEpoch: current.endsAtSeconds), now: now)
      let appointments = AppointmentRepository(connection)
      try await appointments.cancel(id: current.id, reason: reason)
      try await appointments.releasePlace(slotID: current.slotID)
      try await AuditLog.append(on: connection, object: "appointment:\(current.id)", summary: "cancelled: \(reason)")
      return self.message(try await Self.scopedAppointment(current.id, scope: .everything, lock: false, on: connection))
    }
  }

  public func checkIn(request: Civicgrid_V1_CheckInRequest, context: ServerContext) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    let materials = try request.providedMaterials.enumerated().map { (index, code) throws(DomainError) in
      try Validation.code(code, field: "provided_materials[\(index)]")
    }
    let now = self.now()
    // Check-in takes in a case: a refused dispatch (a suspended item) is counted like intake's.
    return try await self.store.intakeTransaction(by: caller, at: now) { connection in
      let current = try await self.visibleAppointment(request.id, caller: caller, lock: true, on: connection)
      try Self.checkVersion(current, request.expectedVersion)
      _ = try AppointmentRules.checkIn(
        state: Self.state(current),
        slotStart: Instant(secondsSinceEpoch: current.startsAtSeconds),
        slotEnd: Instant(secondsSinceEpoch: current.endsAtSeconds),
        now: now
      )
      var checkedIn = self.message(current)
      checkedIn.state = .checkedIn
      let caseID = try await self.submission.submit(checkedIn, providedMaterials: materials, on: connection)
      try await AppointmentRepository(connection).checkIn(id: current.id, caseID: caseID)
      try await AuditLog.append(
        on: connection,
        object: "appointment:\(current.id)",
        summary: "checked in; submitted as case \(caseID)"
      )
      return self.message(try await Self.scopedAppointment(current.id, scope: .everything, lock: false, on: connection))
    }
  }

  public func getAppointment(request: Civicgrid_V1_GetAppointmentRequest, context: ServerContext) async throws -> Civicgrid_V1_Appointment {
    let caller = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      self.message(try await self.visibleAppointment(request.id, caller: caller, lock: false, on: connection))
    }
  }

  static func checkVersion(_ current: AppointmentRecord, _ expected: Int64) throws(DomainError) {
    guard expected == 0 || expected == current.version else {
      throw .staleVersion(subject: "expected_version: appointment \(current.id)", expected: Int(expected), current: Int(current.version))
    }
  }

  /// The stored state; a row this build does not know reads as booked, which every rule refuses least.
  static func state(_ record: AppointmentRecord) -> AppointmentState {
    AppointmentState(rawValue: record.state) ?? .booked
  }
}
