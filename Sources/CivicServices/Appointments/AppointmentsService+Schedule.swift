import CivicDomain
public import CivicProtos
import CivicStore
public import GRPCCore

extension AppointmentsService {
  public func setCentreSchedule(
    request: Civicgrid_V1_SetCentreScheduleRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_CentreSchedule {
    let caller = try RequestContext.principal()
    let stored = try StoredSchedule(proto: request.schedule)
    guard request.expectedVersion >= 0 else { throw Validation.invalid("expected_version", "must not be negative") }
    return try await self.store.transaction { connection in
      let centre = try await Self.centre(request.schedule.centreCode, field: "schedule.centre_code", scope: caller.scope, on: connection)
      let version: Int64
      if request.expectedVersion == 0 {
        let inserted = try await connection.query(
          """
          INSERT INTO centre_schedules (centre_id, regular_hours, roster) VALUES ($1, $2::jsonb, $3::jsonb)
          ON CONFLICT (centre_id) DO NOTHING RETURNING version
          """,
          [centre.id, stored.regularHoursJSON, stored.rosterJSON]
        )
        guard let row = inserted.rows.first else {
          throw RPCError(code: .aborted, message: "expected_version: centre '\(centre.code)' already has a schedule; read it again")
        }
        version = try row.decode(at: 0)
      } else {
        let updated = try await connection.query(
          """
          UPDATE centre_schedules SET regular_hours = $2::jsonb, roster = $3::jsonb, version = version + 1, updated_at = now()
          WHERE centre_id = $1 AND version = $4 RETURNING version
          """,
          [centre.id, stored.regularHoursJSON, stored.rosterJSON, request.expectedVersion]
        )
        guard let row = updated.rows.first else {
          throw RPCError(
            code: .aborted,
            message: "expected_version: the schedule of '\(centre.code)' is not at version \(request.expectedVersion); read it again"
          )
        }
        version = try row.decode(at: 0)
      }
      try await AuditLog.append(
        on: connection,
        object: "centre:\(centre.code)",
        summary: "schedule v\(version): \(stored.regularHours.count) regular periods, \(stored.roster.count) roster entries"
      )
      return stored.proto(centreCode: centre.code, version: version)
    }
  }

  public func getCentreSchedule(
    request: Civicgrid_V1_GetCentreScheduleRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_CentreSchedule {
    let caller = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      let centre = try await Self.centre(request.centreCode, scope: Self.centreScope(caller), on: connection)
      let rows = try await connection.query(
        "SELECT regular_hours::text, roster::text, version FROM centre_schedules WHERE centre_id = $1",
        [centre.id]
      )
      guard let row = rows.rows.first else {
        let hours = self.calendar.businessHours.periods.map {
          StoredSchedule.Period(open: $0.open.description, close: $0.close.description)
        }
        return StoredSchedule(regularHours: hours, roster: []).proto(centreCode: centre.code, version: 0)
      }
      let stored = try StoredSchedule(regularHoursJSON: try row.decode(at: 0), rosterJSON: try row.decode(at: 1))
      return stored.proto(centreCode: centre.code, version: try row.decode(at: 2))
    }
  }

  public func setOffer(request: Civicgrid_V1_SetOfferRequest, context: ServerContext) async throws -> Civicgrid_V1_AppointmentOffer {
    let caller = try RequestContext.principal()
    let item = try Validation.code(request.offer.itemCode, field: "offer.item_code")
    let offer = try Self.domain { () throws(DomainError) in
      try AppointmentOffer(
        centreCode: request.offer.centreCode.isEmpty ? "-" : request.offer.centreCode,
        itemCode: item,
        slotMinutes: Int(request.offer.slotMinutes),
        capacity: Int(request.offer.capacity)
      )
    }
    return try await self.store.transaction { connection in
      let centre = try await Self.centre(request.offer.centreCode, field: "offer.centre_code", scope: caller.scope, on: connection)
      try await connection.query(
        """
        INSERT INTO appointment_offers (centre_id, item_code, slot_minutes, capacity, withdrawn) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (centre_id, item_code) DO UPDATE
        SET slot_minutes = excluded.slot_minutes, capacity = excluded.capacity, withdrawn = excluded.withdrawn,
            version = appointment_offers.version + 1
        """,
        [centre.id, item, offer.slotMinutes, offer.capacity, request.offer.withdrawn]
      )
      try await AuditLog.append(
        on: connection,
        object: "offer:\(centre.code)/\(item)",
        summary: request.offer.withdrawn
          ? "withdrawn" : "\(offer.slotMinutes)-minute slots for \(offer.capacity) \(offer.capacity == 1 ? "person" : "people")"
      )
      var answer = request.offer
      answer.centreCode = centre.code
      answer.itemCode = item
      return answer
    }
  }

  public func listSlots(request: Civicgrid_V1_ListSlotsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListSlotsResponse {
    let caller = try RequestContext.principal()
    let item = try Validation.code(request.itemCode, field: "item_code")
    let now = self.now()
    let first = request.fromDate.isEmpty ? self.calendar.localDate(of: now) : try Self.date(request.fromDate, field: "from_date")
    let last = request.toDate.isEmpty ? first.adding(days: 13) : try Self.date(request.toDate, field: "to_date")
    return try await self.store.withConnection { connection in
      let centre = try await Self.centre(request.centreCode, scope: Self.centreScope(caller), on: connection)
      let stored = try await Self.offer(centre: centre, item: item, on: connection)
      guard !stored.withdrawn else { return Civicgrid_V1_ListSlotsResponse() }
      let schedule = try await self.schedule(centreID: centre.id, on: connection).schedule
      let slots = try Self.domain { () throws(DomainError) in
        try SlotGenerator.slots(offer: stored.offer, schedule: schedule, calendar: self.calendar, from: first, through: last)
      }
      let rows = try await connection.query(
        """
        SELECT extract(epoch FROM starts_at)::bigint, booked FROM appointment_slots
        WHERE offer_id = $1 AND starts_at >= to_timestamp($2) AND starts_at < to_timestamp($3)
        """,
        [stored.id, Int64(slots.first?.startsAt.secondsSinceEpoch ?? 0), Int64((slots.last?.endsAt.secondsSinceEpoch ?? 0) + 1)]
      )
      var booked: [Int: Int] = [:]
      for row in rows.rows { booked[try row.decode(Int.self, at: 0)] = try row.decode(Int.self, at: 1) }
      var response = Civicgrid_V1_ListSlotsResponse()
      for slot in slots where slot.startsAt > now {
        let taken = booked[slot.startsAt.secondsSinceEpoch] ?? 0
        if request.onlyAvailable, taken >= slot.capacity { continue }
        response.slots.append(Self.proto(slot, booked: taken))
      }
      return response
    }
  }
}
