import CivicStore
import Testing

@Suite("Inactive slot watch", .timeLimit(.minutes(1)))
struct InactiveSlotWatchTests {
  typealias Holdback = InactiveSlotWatch.Holdback

  @Test("a slot that starts holding an xmin is reported once, a new oldest slot again, and the end of it once")
  func transitions() {
    var state = InactiveSlotWatch.State()
    let first = Holdback(slot: "civicgrid_replica", age: 10)
    #expect(state.observe(nil) == nil)
    #expect(state.observe(first) == .started(first))
    #expect(state.observe(Holdback(slot: "civicgrid_replica", age: 5_000)) == nil, "the same slot growing older is not news")
    let other = Holdback(slot: "reporting", age: 9_000)
    #expect(state.observe(other) == .started(other))
    #expect(state.observe(nil) == .cleared)
    #expect(state.observe(nil) == nil)
  }

  @Test("the application role reads the cluster's slots: the oldest inactive one holding an xmin, or none when none does")
  func readsTheClusterSlots() async throws {
    try await TestDatabase.withPool(try TestDatabase.configuration(poolSize: 1, role: .application)) { pool in
      let holding = try await pool.query(
        "SELECT slot_name::text, age(xmin)::bigint FROM pg_replication_slots WHERE xmin IS NOT NULL AND active = false"
      ).decode((String, Int64).self)
      let read = try await InactiveSlotWatch.read(pool)
      if let oldest = holding.max(by: { $0.1 < $1.1 }) {
        #expect(read?.slot == oldest.0)
        #expect((read?.age ?? 0) >= oldest.1)
      } else {
        #expect(read == nil)
      }
    }
  }
}
