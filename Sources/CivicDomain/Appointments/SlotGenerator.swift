/// What a centre offers for one service item: how long one appointment takes and how many
/// people one slot serves.
public struct AppointmentOffer: Sendable, Hashable, Codable {
  public let centreCode: String
  public let itemCode: String
  /// Minutes per slot, 5 ... 240.
  public let slotMinutes: Int
  /// People per slot unless a roster entry says otherwise, 1 ... 1000.
  public let capacity: Int

  public init(centreCode: String, itemCode: String, slotMinutes: Int, capacity: Int) throws(DomainError) {
    guard !centreCode.isEmpty else { throw .invalidField("centre_code", "must not be empty") }
    guard !itemCode.isEmpty else { throw .invalidField("item_code", "must not be empty") }
    guard (5...240).contains(slotMinutes) else { throw .invalidField("slot_minutes", "must be 5...240, got \(slotMinutes)") }
    guard (1...1000).contains(capacity) else { throw .invalidField("capacity", "must be 1...1000, got \(capacity)") }
    self.centreCode = centreCode
    self.itemCode = itemCode
    self.slotMinutes = slotMinutes
    self.capacity = capacity
  }
}

/// One bookable time at a centre for an item.
public struct Slot: Sendable, Hashable {
  public let date: CivilDate
  public let start: TimeOfDay
  public let end: TimeOfDay
  public let startsAt: Instant
  public let endsAt: Instant
  public let capacity: Int
  public let source: OpenPeriod.Source
}

/// Cuts a centre's open periods into slots. Pure: the same schedule, calendar, offer and
/// dates always give the same slots, so a booking can be checked against the generated
/// list instead of a stored one.
public enum SlotGenerator {
  /// The most days one listing may span.
  public static let maximumDays = 62

  /// Slots from `first` through `last` (inclusive), in time order. A period's remainder
  /// shorter than one slot is not offered.
  public static func slots(
    offer: AppointmentOffer,
    schedule: CentreSchedule,
    calendar: WorkingCalendar,
    from first: CivilDate,
    through last: CivilDate
  ) throws(DomainError) -> [Slot] {
    guard first <= last else { throw .invalidField("to_date", "\(last) is before from_date \(first)") }
    guard last.daysSinceEpoch - first.daysSinceEpoch < Self.maximumDays else {
      throw .invalidField("to_date", "at most \(Self.maximumDays) days can be listed at once")
    }
    var slots: [Slot] = []
    var date = first
    while date <= last {
      for open in schedule.openPeriods(on: date, calendar: calendar) {
        var start = open.period.open.minutes
        while start + offer.slotMinutes <= open.period.close.minutes {
          let from = TimeOfDay(hour: start / 60, minute: start % 60)!
          let end = start + offer.slotMinutes
          let to = TimeOfDay(hour: end / 60, minute: end % 60)!
          slots.append(
            Slot(
              date: date,
              start: from,
              end: to,
              startsAt: calendar.instant(date, from),
              endsAt: calendar.instant(date, to),
              capacity: open.capacity ?? offer.capacity,
              source: open.source
            )
          )
          start = end
        }
      }
      date = date.adding(days: 1)
    }
    return slots
  }

  /// The slot starting at `instant`, if the schedule offers one then: what a booking is
  /// checked against.
  public static func slot(
    startingAt instant: Instant,
    offer: AppointmentOffer,
    schedule: CentreSchedule,
    calendar: WorkingCalendar
  ) -> Slot? {
    let date = calendar.localDate(of: instant)
    let slots = (try? Self.slots(offer: offer, schedule: schedule, calendar: calendar, from: date, through: date)) ?? []
    return slots.first { $0.startsAt == instant }
  }
}
