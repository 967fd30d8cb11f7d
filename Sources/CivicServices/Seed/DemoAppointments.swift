import CivicRepositories
import CivicStore

/// The demo district's appointment desk: the Dongcheng convenience centre (QH-S1-CSC) opens
/// at the standard hours, stays open Tuesday and Thursday evenings (延时服务) and keeps a
/// Saturday-morning duty window (双休日值班) with one clerk, and takes appointments for
/// three common items. Loaded once: a centre that already has a schedule is left alone.
enum DemoAppointments {
  static let centre = "QH-S1-CSC"

  static let regularHours = #"[{"open":"09:00","close":"12:00"},{"open":"13:30","close":"17:30"}]"#
  static let roster = """
    [{"kind":"extended_hours","weekday":2,"date":"","open":"17:30","close":"19:30","capacity":0},\
    {"kind":"extended_hours","weekday":4,"date":"","open":"17:30","close":"19:30","capacity":0},\
    {"kind":"weekend_duty","weekday":6,"date":"","open":"09:00","close":"12:00","capacity":1}]
    """

  /// (item code, minutes per slot, people per slot).
  static let offers: [(item: String, minutes: Int, capacity: Int)] = [
    ("QH-PS-001", 20, 3),
    ("QH-CA-002", 30, 2),
    ("QH-MR-001", 40, 1),
  ]

  /// Returns how many rows were added (0 when the desk was already there).
  static func seed(_ store: StorePool) async throws -> Int {
    let method = "civicgridd seed-demo"
    return try await store.transaction { connection in
      let centres = CentreRepository(connection)
      let added = try await centres.addScheduleIfAbsent(centreCode: Self.centre, regularHoursJSON: Self.regularHours, rosterJSON: Self.roster)
      guard added else { return 0 }
      try await AuditLog.append(
        on: connection,
        command: method,
        object: "centre:\(Self.centre)",
        summary: "schedule v1: 2 regular periods, 3 roster entries"
      )
      for offer in Self.offers {
        try await centres.addOfferIfAbsent(centreCode: Self.centre, itemCode: offer.item, slotMinutes: offer.minutes, capacity: offer.capacity)
        try await AuditLog.append(
          on: connection,
          command: method,
          object: "offer:\(Self.centre)/\(offer.item)",
          summary: "\(offer.minutes)-minute slots for \(offer.capacity) \(offer.capacity == 1 ? "person" : "people")"
        )
      }
      return 1 + Self.offers.count
    }
  }
}
