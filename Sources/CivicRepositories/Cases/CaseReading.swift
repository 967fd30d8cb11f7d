public import CivicStore

/// A case as GetCase shows it: the record, with what the answer needs besides it read in the
/// same statement (the key of its jurisdiction's calendar and its applicant's person id), so
/// an unchanged calendar and the person link cost no round trip of their own.
public struct CaseReading: Sendable, SQLRecord {
  public var record: CaseRecord
  /// For `CalendarRepository.calendar(_:knownKey:)`; nil when the jurisdiction has no calendar.
  public var calendarKey: String?
  /// The person registered as the case's applicant (`case_people`), if any.
  public var applicantPersonID: Int64?

  public init(row: Row) throws(StoreError) {
    self.record = try CaseRecord(row: row)
    self.calendarKey = try row.decode(column: "calendar_key")
    self.applicantPersonID = try row.decode(column: "applicant_person_id")
  }
}

extension CaseRepository {
  /// Case `id` for reading (no lock) if `range` reaches it, as `load(_:visibleIn:lock:)` decides.
  public func read(_ id: Int64, visibleIn range: (lower: String, upper: String)) async throws(StoreError) -> CaseReading? {
    guard let reading = try await self.connection.query(Self.readingQuery(id, visibleIn: range)).first(CaseReading.self),
      reading.record.visible
    else { return nil }
    return reading
  }

  /// `read(_:visibleIn:)` and the case's timeline, both statements sent in one round trip.
  /// The timeline is read whether or not the case is visible, and then dropped with it.
  public func readWithTimeline(
    _ id: Int64,
    visibleIn range: (lower: String, upper: String)
  ) async throws(StoreError) -> (reading: CaseReading, timeline: [TimelineRow])? {
    let (cases, events) = try await self.connection.query(Self.readingQuery(id, visibleIn: range), Self.timelineQuery(of: id))
    guard let reading = try cases.first(CaseReading.self), reading.record.visible else { return nil }
    return (reading, try events.decode(TimelineRow.self))
  }

  private static func readingQuery(_ id: Int64, visibleIn range: (lower: String, upper: String)) -> SQLQuery {
    var query = CaseRecord.select(scope: range, extraColumns: CalendarRepository.keyOfCaseCalendar + ", " + CasePersonRepository.applicantOfCase)
    query.append(" WHERE c.id = \(id)")
    return query
  }
}
