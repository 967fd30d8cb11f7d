public import CivicDomain
public import CivicStore
import Foundation
import Synchronization

/// Working calendars (`calendars`, `calendar_days`).
public struct CalendarRepository: Sendable {
  /// The jurisdiction of requests that name none.
  public static let defaultJurisdiction = "CN"

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Calendars as last read, keyed by jurisdiction, with the head row's version and `xmin`
  /// (the transaction that wrote it): every read still fetches the head row, and reuses the
  /// days and business hours when both are unchanged. `xmin` makes the key safe against a
  /// version number written by a transaction that rolled back and reused by a later one.
  private static let cache = Mutex<[String: (key: String, stored: StoredCalendar)]>([:])

  /// The calendar of `jurisdiction`, or nil when it does not exist. `lock` takes a row lock
  /// so that a change and the deadlines recomputed from it are one serial step.
  public func calendar(_ jurisdiction: String, lock: Bool = false) async throws -> StoredCalendar? {
    let head = try await self.connection.query(
      """
      SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version, xmin::text
      FROM calendars WHERE jurisdiction = \(jurisdiction)\(SQLQuery.rowLock(lock))
      """
    ).decode((String, String, Int, Int64, String).self)
    guard let (weekendText, hoursJSON, offset, version, xmin) = head.first else { return nil }
    let cacheKey = "\(version)/\(xmin)"
    if let cached = Self.cache.withLock({ $0[jurisdiction] }), cached.key == cacheKey {
      return cached.stored
    }
    var holidays: [CivilDate: String] = [:]
    var swapped: [CivilDate: String] = [:]
    let days = try await self.connection.query(
      "SELECT day::text, kind, name FROM calendar_days WHERE jurisdiction = \(jurisdiction) ORDER BY day"
    ).decode((String, String, String).self)
    for (day, kind, name) in days {
      guard let date = CivilDate(day) else { continue }
      if kind == "holiday" { holidays[date] = name } else { swapped[date] = name }
    }
    let calendar = try WorkingCalendar(
      jurisdiction: jurisdiction,
      weekendDays: Set(weekendText.split(separator: ",").compactMap { Int($0) }),
      holidays: holidays,
      swappedWorkingDays: swapped,
      businessHours: try BusinessHours(try Self.periods(hoursJSON)),
      utcOffsetSeconds: offset
    )
    let stored = StoredCalendar(calendar: calendar, version: version)
    Self.cache.withLock { $0[jurisdiction] = (cacheKey, stored) }
    return stored
  }

  /// The column `calendar_key`: the cache key of the calendar of a case's jurisdiction, for a
  /// query over `cases c`. A read that selects it beside the case passes it to
  /// `calendar(_:knownKey:)` and so needs no statement of its own for an unchanged calendar.
  public static let keyOfCaseCalendar: SQLQuery =
    "(SELECT k.version::text || '/' || k.xmin::text FROM calendars k WHERE k.jurisdiction = c.jurisdiction) AS calendar_key"

  /// The calendar of `jurisdiction` given its key read by an earlier statement
  /// (`keyOfCaseCalendar`): the cached calendar when the key still matches it, else a fresh read.
  /// Only for reads: a transaction that locks rows reads the calendar after its locks instead.
  public func calendar(_ jurisdiction: String, knownKey key: String?) async throws -> StoredCalendar? {
    if let key, let cached = Self.cache.withLock({ $0[jurisdiction] }), cached.key == key {
      return cached.stored
    }
    return try await self.calendar(jurisdiction)
  }

  /// Writes the head row (insert or update) at `version`.
  public func saveHead(_ calendar: WorkingCalendar, version: Int64) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO calendars (jurisdiction, weekend_days, business_hours, utc_offset_seconds, version)
      VALUES (\(calendar.jurisdiction), \(SQLArray(calendar.weekendDays.sorted()))::integer[], \(Self.hoursJSON(calendar.businessHours))::jsonb,
        \(calendar.utcOffsetSeconds), \(version))
      ON CONFLICT (jurisdiction) DO UPDATE SET weekend_days = EXCLUDED.weekend_days,
        business_hours = EXCLUDED.business_hours, utc_offset_seconds = EXCLUDED.utc_offset_seconds,
        version = EXCLUDED.version, updated_at = now()
      """
    )
  }

  /// What a calendar day can be besides an ordinary one, as `calendar_days.kind` spells it.
  public enum SpecialDay: String, Sendable {
    case holiday
    case swappedWorkingDay = "swapped_working_day"
  }

  /// Makes `date` a special day named `name`, or an ordinary one (nil).
  public func setDay(_ date: CivilDate, of jurisdiction: String, to kind: SpecialDay?, name: String) async throws(StoreError) {
    try await self.connection.execute("DELETE FROM calendar_days WHERE jurisdiction = \(jurisdiction) AND day = \(date.description)::date")
    guard let kind else { return }
    try await self.connection.execute(
      "INSERT INTO calendar_days (jurisdiction, day, kind, name) VALUES (\(jurisdiction), \(date.description)::date, \(kind.rawValue), \(name))"
    )
  }

  static func hoursJSON(_ hours: BusinessHours) -> String {
    let periods = hours.periods.map { "{\"open\":\"\($0.open)\",\"close\":\"\($0.close)\"}" }
    return "[" + periods.joined(separator: ",") + "]"
  }

  static func periods(_ json: String) throws -> [BusinessPeriod] {
    try JSONDecoder().decode([[String: String]].self, from: Data(json.utf8)).map { period in
      guard let open = period["open"].flatMap(TimeOfDay.init), let close = period["close"].flatMap(TimeOfDay.init) else {
        throw DomainError.invalidField("business_hours", "stored period \(period) is malformed")
      }
      return BusinessPeriod(open: open, close: close)
    }
  }
}
