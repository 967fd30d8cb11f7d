import CivicDomain
import CivicRepositories
import CivicStore

/// Calendars as the case engine, the sweeper and evaluation read them; the SQL is
/// `CalendarRepository`'s. (Kept until those callers use the repository themselves.)
enum CalendarStore {
  static let defaultJurisdiction = CalendarRepository.defaultJurisdiction

  /// A calendar and its version, as those callers read it.
  struct Stored: Sendable {
    var calendar: WorkingCalendar
    var version: Int64
  }

  /// The calendar of `jurisdiction`, or nil; `lock` holds its row until commit.
  static func load(_ jurisdiction: String, on connection: StoreConnection, lock: Bool = false) async throws -> Stored? {
    try await CalendarRepository(connection).calendar(jurisdiction, lock: lock).map { Stored(calendar: $0.calendar, version: $0.version) }
  }

  /// The calendar of `jurisdiction` for a read that selected its key with the case
  /// (`CalendarRepository.keyOfCaseCalendar`); a missing one is an error naming it.
  static func require(_ jurisdiction: String, knownKey key: String?, on connection: StoreConnection) async throws -> Stored {
    guard let stored = try await CalendarRepository(connection).calendar(jurisdiction, knownKey: key) else {
      throw DomainError.notFound("calendar \(jurisdiction)")
    }
    return Stored(calendar: stored.calendar, version: stored.version)
  }

  /// The calendar of `jurisdiction`; a missing one is an error naming it.
  static func require(_ jurisdiction: String, on connection: StoreConnection, lock: Bool = false) async throws -> Stored {
    guard let stored = try await self.load(jurisdiction, on: connection, lock: lock) else {
      throw DomainError.notFound("calendar \(jurisdiction)")
    }
    return stored
  }
}
