import CivicDomain
import CivicStore
import Foundation
import Synchronization

/// Loads and saves working calendars (tables `calendars`, `calendar_days`).
enum CalendarStore {
  static let defaultJurisdiction = "CN"

  /// Calendars as last read, keyed by jurisdiction, with the head row's version and `xmin`
  /// (the transaction that wrote it): every read still fetches the head row, and reuses the
  /// days and business hours when both are unchanged. `xmin` makes the key safe against a
  /// version number written by a transaction that rolled back and reused by a later one.
  private static let cache = Mutex<[String: (key: String, stored: Stored)]>([:])

  struct Stored: Sendable {
    var calendar: WorkingCalendar
    var version: Int64
  }

  /// The calendar of `jurisdiction`, or nil when it does not exist. `lock` takes a row lock
  /// so that a change and the deadlines recomputed from it are one serial step.
  static func load(_ jurisdiction: String, on connection: StoreConnection, lock: Bool = false) async throws -> Stored? {
    let head = try await connection.query(
      "SELECT array_to_string(weekend_days, ','), business_hours::text, utc_offset_seconds, version, xmin::text FROM calendars WHERE jurisdiction = $1"
        + (lock ? " FOR UPDATE" : ""),
      [jurisdiction]
    )
    guard let row = head.rows.first else { return nil }
    let weekend = try row.decode(String.self, at: 0).split(separator: ",").compactMap { Int($0) }
    let hoursJSON = try row.decode(String.self, at: 1)
    let offset = try row.decode(Int.self, at: 2)
    let version = try row.decode(Int64.self, at: 3)
    let cacheKey = "\(version)/\(try row.decode(String.self, at: 4))"
    if let cached = Self.cache.withLock({ $0[jurisdiction] }), cached.key == cacheKey {
      return cached.stored
    }
    let periods = try JSONDecoder().decode([[String: String]].self, from: Data(hoursJSON.utf8)).map { period in
      guard let open = period["open"].flatMap(TimeOfDay.init), let close = period["close"].flatMap(TimeOfDay.init) else {
        throw DomainError.invalidField("business_hours", "stored period \(period) is malformed")
      }
      return BusinessPeriod(open: open, close: close)
    }
    var holidays: [CivilDate: String] = [:]
    var swapped: [CivilDate: String] = [:]
    for day in try await connection.query(
      "SELECT day::text, kind, name FROM calendar_days WHERE jurisdiction = $1 ORDER BY day",
      [jurisdiction]
    ).rows {
      guard let date = CivilDate(try day.decode(String.self, at: 0)) else { continue }
      if try day.decode(String.self, at: 1) == "holiday" {
        holidays[date] = try day.decode(String.self, at: 2)
      } else {
        swapped[date] = try day.decode(String.self, at: 2)
      }
    }
    let calendar = try WorkingCalendar(
      jurisdiction: jurisdiction,
      weekendDays: Set(weekend),
      holidays: holidays,
      swappedWorkingDays: swapped,
      businessHours: try BusinessHours(periods),
      utcOffsetSeconds: offset
    )
    let stored = Stored(calendar: calendar, version: version)
    Self.cache.withLock { $0[jurisdiction] = (cacheKey, stored) }
    return stored
  }

  /// Like `load`, but a missing calendar is an error naming the jurisdiction.
  static func require(_ jurisdiction: String, on connection: StoreConnection, lock: Bool = false) async throws -> Stored {
    guard let stored = try await self.load(jurisdiction, on: connection, lock: lock) else {
      throw DomainError.notFound("calendar \(jurisdiction)")
    }
    return stored
  }

  static func hoursJSON(_ hours: BusinessHours) -> String {
    let periods = hours.periods.map { "{\"open\":\"\($0.open)\",\"close\":\"\($0.close)\"}" }
    return "[" + periods.joined(separator: ",") + "]"
  }

  /// Writes the head row (insert or update) with the next version.
  static func saveHead(_ calendar: WorkingCalendar, version: Int64, on connection: StoreConnection) async throws {
    try await connection.execute(
      """
      INSERT INTO calendars (jurisdiction, weekend_days, business_hours, utc_offset_seconds, version)
      VALUES ($1, string_to_array($2, ',')::integer[], $3::jsonb, $4, $5)
      ON CONFLICT (jurisdiction) DO UPDATE SET weekend_days = EXCLUDED.weekend_days,
        business_hours = EXCLUDED.business_hours, utc_offset_seconds = EXCLUDED.utc_offset_seconds,
        version = EXCLUDED.version, updated_at = now()
      """,
      [
        calendar.jurisdiction, calendar.weekendDays.sorted().map(String.init).joined(separator: ","),
        self.hoursJSON(calendar.businessHours), calendar.utcOffsetSeconds, version,
      ]
    )
  }
}
