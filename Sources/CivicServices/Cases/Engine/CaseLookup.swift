import CivicDomain
import CivicRepositories
import CivicStore

/// Reads one case of one kind for a query RPC: the same NOT_FOUND whether it is missing,
/// outside the caller's scope or of another kind, and its jurisdiction's calendar.
enum CaseLookup {
  static func visible(
    _ id: Int64,
    kind: String,
    noun: String,
    scope: UnitScope,
    on connection: StoreConnection
  ) async throws -> (record: CaseRecord, calendar: WorkingCalendar) {
    guard let record = try await CaseRepository(connection).load(id, visibleIn: scope.sqlRange, lock: false), record.value.kind == kind
    else { throw DomainError.notFound("\(noun) \(CaseNumber.format(id))") }
    return (record, try await CalendarStore.require(record.jurisdiction, on: connection).calendar)
  }
}
