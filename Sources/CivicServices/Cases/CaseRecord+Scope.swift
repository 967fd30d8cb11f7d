import CivicDomain
import CivicRepositories
import CivicStore

extension CaseRecord {
  /// The case `id` if the caller's `scope` lets them see it; missing and out-of-scope cases
  /// are the same NOT_FOUND. `lock` takes the row lock every command serialises on.
  static func load(_ id: Int64, scope: UnitScope, on connection: StoreConnection, lock: Bool) async throws -> CaseRecord {
    guard let record = try await CaseRepository(connection).load(id, visibleIn: scope.sqlRange, lock: lock) else {
      throw DomainError.notFound("case \(CaseNumber.format(id))")
    }
    return record
  }

  /// Case `id` for reading, with what GetCase shows beside it (`CaseReading`), if `scope` reaches it.
  static func read(_ id: Int64, scope: UnitScope, on connection: StoreConnection) async throws -> CaseReading {
    guard let reading = try await CaseRepository(connection).read(id, visibleIn: scope.sqlRange) else {
      throw DomainError.notFound("case \(CaseNumber.format(id))")
    }
    return reading
  }

  /// `read(_:scope:on:)` and the case's timeline, in one round trip.
  static func readWithTimeline(
    _ id: Int64,
    scope: UnitScope,
    on connection: StoreConnection
  ) async throws -> (reading: CaseReading, timeline: [TimelineRow]) {
    guard let read = try await CaseRepository(connection).readWithTimeline(id, visibleIn: scope.sqlRange) else {
      throw DomainError.notFound("case \(CaseNumber.format(id))")
    }
    return read
  }
}
