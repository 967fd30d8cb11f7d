public import CivicDomain

/// A working calendar as stored, with its row version (optimistic concurrency).
public struct StoredCalendar: Sendable {
  public var calendar: WorkingCalendar
  public var version: Int64
}
