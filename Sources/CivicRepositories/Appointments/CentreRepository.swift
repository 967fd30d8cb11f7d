public import CivicDomain
public import CivicStore

/// What a service centre takes appointments for (`appointment_offers`) and when it is open
/// (`centre_schedules`, two JSON columns whose shape the service layer owns).
public struct CentreRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// One offer row: (id, slot minutes, capacity, withdrawn).
  public func offer(centreID: Int64, itemCode: String) async throws(StoreError) -> (id: Int64, slotMinutes: Int, capacity: Int, withdrawn: Bool)? {
    let rows = try await self.connection.query(
      "SELECT id, slot_minutes, capacity, withdrawn FROM appointment_offers WHERE centre_id = \(centreID) AND item_code = \(itemCode)"
    ).decode((Int64, Int, Int, Bool).self)
    return rows.first.map { (id: $0.0, slotMinutes: $0.1, capacity: $0.2, withdrawn: $0.3) }
  }

  /// Creates or replaces the centre's offer for `itemCode`.
  public func saveOffer(centreID: Int64, itemCode: String, slotMinutes: Int, capacity: Int, withdrawn: Bool) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO appointment_offers (centre_id, item_code, slot_minutes, capacity, withdrawn)
      VALUES (\(centreID), \(itemCode), \(slotMinutes), \(capacity), \(withdrawn))
      ON CONFLICT (centre_id, item_code) DO UPDATE
      SET slot_minutes = excluded.slot_minutes, capacity = excluded.capacity, withdrawn = excluded.withdrawn,
          version = appointment_offers.version + 1
      """
    )
  }

  /// Adds an offer at the centre `centreCode` unless it has one for `itemCode` (seeding).
  public func addOfferIfAbsent(centreCode: String, itemCode: String, slotMinutes: Int, capacity: Int) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO appointment_offers (centre_id, item_code, slot_minutes, capacity)
      SELECT id, \(itemCode), \(slotMinutes), \(capacity) FROM units WHERE code = \(centreCode)
      ON CONFLICT (centre_id, item_code) DO NOTHING
      """
    )
  }

  /// The centre's schedule row: (regular hours JSON, roster JSON, version), or nil when none was set.
  public func schedule(centreID: Int64) async throws(StoreError) -> (regularHoursJSON: String, rosterJSON: String, version: Int64)? {
    let rows = try await self.connection.query(
      "SELECT regular_hours::text, roster::text, version FROM centre_schedules WHERE centre_id = \(centreID)"
    ).decode((String, String, Int64).self)
    return rows.first.map { (regularHoursJSON: $0.0, rosterJSON: $0.1, version: $0.2) }
  }

  /// Sets the centre's schedule if it is at `expectedVersion` (0: has none yet); the new
  /// version, or nil when the centre's schedule is elsewhere.
  public func saveSchedule(
    centreID: Int64,
    regularHoursJSON: String,
    rosterJSON: String,
    expectedVersion: Int64
  ) async throws(StoreError) -> Int64? {
    if expectedVersion == 0 {
      return try await self.connection.query(
        """
        INSERT INTO centre_schedules (centre_id, regular_hours, roster) VALUES (\(centreID), \(regularHoursJSON)::jsonb, \(rosterJSON)::jsonb)
        ON CONFLICT (centre_id) DO NOTHING RETURNING version
        """
      ).scalar(Int64.self)
    }
    return try await self.connection.query(
      """
      UPDATE centre_schedules SET regular_hours = \(regularHoursJSON)::jsonb, roster = \(rosterJSON)::jsonb, version = version + 1,
        updated_at = now()
      WHERE centre_id = \(centreID) AND version = \(expectedVersion) RETURNING version
      """
    ).scalar(Int64.self)
  }

  /// Sets the schedule of the centre `centreCode` unless it has one; true when set (seeding).
  public func addScheduleIfAbsent(centreCode: String, regularHoursJSON: String, rosterJSON: String) async throws(StoreError) -> Bool {
    try await self.connection.execute(
      """
      INSERT INTO centre_schedules (centre_id, regular_hours, roster)
      SELECT id, \(regularHoursJSON)::jsonb, \(rosterJSON)::jsonb FROM units WHERE code = \(centreCode)
      ON CONFLICT (centre_id) DO NOTHING
      """
    ) == 1
  }
}
