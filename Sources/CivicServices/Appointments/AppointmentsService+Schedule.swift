import CivicDomain
public import CivicProtos
import CivicRepositories
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
      let saved = try await CentreRepository(connection).saveSchedule(
        centreID: centre.id,
        regularHoursJSON: stored.regularHoursJSON,
        rosterJSON: stored.rosterJSON,
        expectedVersion: request.expectedVersion
      )
      guard let version = saved else {
        throw DomainError.conflict(
          request.expectedVersion == 0
            ? "expected_version: centre '\(centre.code)' already has a schedule; read it again"
            : "expected_version: the schedule of '\(centre.code)' is not at version \(request.expectedVersion); read it again"
        )
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
      guard let row = try await CentreRepository(connection).schedule(centreID: centre.id) else {
        let hours = self.calendar.businessHours.periods.map {
          StoredSchedule.Period(open: $0.open.description, close: $0.close.description)
        }
        return StoredSchedule(regularHours: hours, roster: []).proto(centreCode: centre.code, version: 0)
      }
      let stored = try StoredSchedule(regularHoursJSON: row.regularHoursJSON, rosterJSON: row.rosterJSON)
      return stored.proto(centreCode: centre.code, version: row.version)
    }
  }

  public func setOffer(request: Civicgrid_V1_SetOfferRequest, context: ServerContext) async throws -> Civicgrid_V1_AppointmentOffer {
    let caller = try RequestContext.principal()
    let item = try Validation.code(request.offer.itemCode, field: "offer.item_code")
    let offer = try AppointmentOffer(
      centreCode: request.offer.centreCode.isEmpty ? "-" : request.offer.centreCode,
      itemCode: item,
      slotMinutes: Int(request.offer.slotMinutes),
      capacity: Int(request.offer.capacity)
    )
    return try await self.store.transaction { connection in
      let centre = try await Self.centre(request.offer.centreCode, field: "offer.centre_code", scope: caller.scope, on: connection)
      try await CentreRepository(connection).saveOffer(
        centreID: centre.id,
        itemCode: item,
        slotMinutes: offer.slotMinutes,
        capacity: offer.capacity,
        withdrawn: request.offer.withdrawn
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
      let slots = try SlotGenerator.slots(offer: stored.offer, schedule: schedule, calendar: self.calendar, from: first, through: last)
      let booked = try await AppointmentRepository(connection).bookedPlaces(
        offerID: stored.id,
        fromSeconds: slots.first?.startsAt.secondsSinceEpoch ?? 0,
        toSeconds: (slots.last?.endsAt.secondsSinceEpoch ?? 0) + 1
      )
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
