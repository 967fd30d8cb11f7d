import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
public import GRPCCore

/// `civicgrid.v1.Calendar`: working calendars per jurisdiction and deadline arithmetic.
///
/// A change (UpdateCalendar, SetDay) is one transaction: the calendar row is locked, changed,
/// every open case and task deadline of the jurisdiction is recomputed from the new calendar
/// (`DeadlineRecomputation`), and the audit row lists what moved.
public struct CalendarService: Civicgrid_V1_Calendar.SimpleServiceProtocol {
  let store: StorePool

  public init(store: StorePool) { self.store = store }

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Calendar/GetCalendar": .authenticated,
    "civicgrid.v1.Calendar/UpdateCalendar": .roles([.admin]),
    "civicgrid.v1.Calendar/SetDay": .roles([.admin]),
    "civicgrid.v1.Calendar/ComputeDeadline": .authenticated,
  ]

  public func getCalendar(
    request: Civicgrid_V1_GetCalendarRequest, context: ServerContext
  ) async throws -> Civicgrid_V1_WorkingCalendar {
    let jurisdiction = request.jurisdiction.isEmpty ? CalendarStore.defaultJurisdiction : request.jurisdiction
    guard request.year == 0 || (1900...2200).contains(request.year) else { throw Validation.invalid("year", "must be 1900–2200, got \(request.year)") }
    let stored = try await self.store.withConnection { connection in
      try await CalendarStore.require(jurisdiction, on: connection)
    }
    return Self.message(stored, year: Int(request.year))
  }

  public func updateCalendar(
    request: Civicgrid_V1_UpdateCalendarRequest, context: ServerContext
  ) async throws -> Civicgrid_V1_CalendarChange {
    try Self.requireDistrictScope()
    let jurisdiction = try Validation.code(request.jurisdiction, field: "jurisdiction")
    var periods: [BusinessPeriod] = []
    for (index, period) in request.businessHours.enumerated() {
      guard let open = TimeOfDay(period.open) else { throw Validation.invalid("business_hours[\(index)].open", "must be HH:MM, got \"\(period.open)\"") }
      guard let close = TimeOfDay(period.close) else { throw Validation.invalid("business_hours[\(index)].close", "must be HH:MM, got \"\(period.close)\"") }
      periods.append(BusinessPeriod(open: open, close: close))
    }
    guard !periods.isEmpty else { throw Validation.invalid("business_hours", "needs at least one period") }
    guard request.expectedVersion >= 0 else { throw Validation.invalid("expected_version", "must not be negative") }
    let hours = try BusinessHours(periods)
    return try await self.store.transaction { connection in
      let old = try await CalendarStore.load(jurisdiction, on: connection, lock: true)
      let current = old?.version ?? 0
      guard current == request.expectedVersion else {
        throw DomainError.staleVersion(subject: "calendar \(jurisdiction)", expected: Int(request.expectedVersion), current: Int(current))
      }
      let new = try WorkingCalendar(
        jurisdiction: jurisdiction,
        weekendDays: Set(request.weekendDays.map(Int.init)),
        holidays: old?.calendar.holidays ?? [:],
        swappedWorkingDays: old?.calendar.swappedWorkingDays ?? [:],
        businessHours: hours,
        utcOffsetSeconds: Int(request.utcOffsetSeconds)
      )
      try await CalendarRepository(connection).saveHead(new, version: current + 1)
      return try await Self.finish(old: old?.calendar, new: new, version: current + 1, on: connection)
    }
  }

  public func setDay(request: Civicgrid_V1_SetDayRequest, context: ServerContext) async throws -> Civicgrid_V1_CalendarChange {
    try Self.requireDistrictScope()
    let jurisdiction = request.jurisdiction.isEmpty ? CalendarStore.defaultJurisdiction : request.jurisdiction
    guard request.hasDay else { throw Validation.invalid("day", "is required") }
    let date = try Validation.date(request.day.date, field: "day.date")
    switch request.day.kind {
    case .holiday, .swappedWorkingDay, .ordinary: break
    default: throw Validation.invalid("day.kind", "must be HOLIDAY, SWAPPED_WORKING_DAY or ORDINARY")
    }
    let version = try Validation.version(request.expectedVersion, field: "expected_version")
    let name = request.day.name
    return try await self.store.transaction { connection in
      let calendars = CalendarRepository(connection)
      let old = try await CalendarStore.require(jurisdiction, on: connection, lock: true)
      guard old.version == version else {
        throw DomainError.staleVersion(subject: "calendar \(jurisdiction)", expected: version, current: Int(old.version))
      }
      var holidays = old.calendar.holidays
      var swapped = old.calendar.swappedWorkingDays
      holidays[date] = nil
      swapped[date] = nil
      switch request.day.kind {
      case .holiday: holidays[date] = name
      case .swappedWorkingDay: swapped[date] = name
      default: break
      }
      let new = try WorkingCalendar(
        jurisdiction: jurisdiction, weekendDays: old.calendar.weekendDays, holidays: holidays,
        swappedWorkingDays: swapped, businessHours: old.calendar.businessHours, utcOffsetSeconds: old.calendar.utcOffsetSeconds
      )
      let special: CalendarRepository.SpecialDay? =
        switch request.day.kind {
        case .holiday: .holiday
        case .swappedWorkingDay: .swappedWorkingDay
        default: nil
        }
      try await calendars.setDay(date, of: jurisdiction, to: special, name: name)
      try await calendars.saveHead(new, version: old.version + 1)
      return try await Self.finish(old: old.calendar, new: new, version: old.version + 1, on: connection)
    }
  }

  /// A calendar governs every deadline of every unit in its jurisdiction: changing one needs a
  /// scope that covers the whole district.
  static func requireDistrictScope() throws {
    guard try RequestContext.principal().coversDistrict else {
      throw DomainError.permissionDenied("changing a calendar needs a scope that covers the whole district")
    }
  }

  /// The longest limit a deadline may be computed for: ten years of working days.
  static let maxWorkingDays: Int32 = 2_500

  public func computeDeadline(
    request: Civicgrid_V1_ComputeDeadlineRequest, context: ServerContext
  ) async throws -> Civicgrid_V1_ComputeDeadlineResponse {
    let jurisdiction = request.jurisdiction.isEmpty ? CalendarStore.defaultJurisdiction : request.jurisdiction
    guard request.hasStart else { throw Validation.invalid("start", "is required") }
    let limit: WorkingLimit
    switch (request.workingDays, request.workingHours) {
    case (let days, 0) where days >= 1:
      guard days <= Self.maxWorkingDays else { throw Validation.invalid("working_days", "must be at most \(Self.maxWorkingDays)") }
      limit = .workingDays(Int(days))
    case (0, let hours) where hours >= 1:
      guard hours <= Self.maxWorkingDays * 24 else {
        throw Validation.invalid("working_hours", "must be at most \(Self.maxWorkingDays * 24)")
      }
      limit = .workingHours(Int(hours))
    default: throw Validation.invalid("working_days", "exactly one of working_days and working_hours must be at least 1")
    }
    guard request.pauses.count <= 1000 else { throw Validation.invalid("pauses", "must hold at most 1000 pauses") }
    var pauses: [Range<Instant>] = []
    for (index, pause) in request.pauses.enumerated() {
      let start = try Validation.instant(pause.start, field: "pauses[\(index)].start")
      let end = try Validation.instant(pause.end, field: "pauses[\(index)].end")
      guard start < end else { throw Validation.invalid("pauses[\(index)]", "end must be after start") }
      pauses.append(start..<end)
    }
    let calendar = try await self.store.withConnection { connection in
      try await CalendarStore.require(jurisdiction, on: connection).calendar
    }
    let deadline = try calendar.deadline(of: limit, startingAt: try Validation.instant(request.start, field: "start"), excluding: pauses)
    var response = Civicgrid_V1_ComputeDeadlineResponse()
    response.deadline = deadline.timestamp
    response.localDeadline = Self.local(deadline, in: calendar)
    return response
  }

  /// "YYYY-MM-DD HH:MM" in the calendar's local time.
  static func local(_ instant: Instant, in calendar: WorkingCalendar) -> String {
    let date = calendar.localDate(of: instant)
    let seconds = calendar.startOfDay(date).seconds(to: instant)
    let hh = seconds / 3600, mm = (seconds % 3600) / 60
    return "\(date) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
  }

  private static func finish(
    old: WorkingCalendar?, new: WorkingCalendar, version: Int64, on connection: StoreConnection
  ) async throws -> Civicgrid_V1_CalendarChange {
    let changes = old.map { new.changes(from: $0).map(\.description) } ?? ["created"]
    let recomputed = changes.isEmpty ? 0 : try await DeadlineRecomputation.run(jurisdiction: new.jurisdiction, calendar: new, on: connection)
    try await AuditLog.append(
      on: connection,
      object: "calendar/\(new.jurisdiction)",
      summary: "calendar v\(version): " + (changes.isEmpty ? "no deadline can move" : changes.joined(separator: "; "))
        + "; \(recomputed) deadlines recomputed"
    )
    var response = Civicgrid_V1_CalendarChange()
    response.calendar = Self.message(CalendarStore.Stored(calendar: new, version: version), year: 0)
    response.changes = changes
    response.recomputedDeadlines = Int32(recomputed)
    return response
  }

  static func message(_ stored: CalendarStore.Stored, year: Int) -> Civicgrid_V1_WorkingCalendar {
    let calendar = stored.calendar
    var message = Civicgrid_V1_WorkingCalendar()
    message.jurisdiction = calendar.jurisdiction
    message.weekendDays = calendar.weekendDays.sorted().map(Int32.init)
    message.businessHours = calendar.businessHours.periods.map { period in
      var p = Civicgrid_V1_BusinessPeriod()
      p.open = period.open.description
      p.close = period.close.description
      return p
    }
    message.utcOffsetSeconds = Int32(calendar.utcOffsetSeconds)
    var days: [Civicgrid_V1_SpecialDay] = []
    for (date, name) in calendar.holidays where year == 0 || date.year == year {
      var day = Civicgrid_V1_SpecialDay()
      day.date = date.description
      day.kind = .holiday
      day.name = name
      days.append(day)
    }
    for (date, name) in calendar.swappedWorkingDays where year == 0 || date.year == year {
      var day = Civicgrid_V1_SpecialDay()
      day.date = date.description
      day.kind = .swappedWorkingDay
      day.name = name
      days.append(day)
    }
    message.specialDays = days.sorted { $0.date < $1.date }
    message.version = stored.version
    return message
  }
}
