import CivicDomain
import Testing

/// The periodic analysis as a pure computation: rows per unit, repeats within 30 days, weeks.
@Suite("Grid event stats", .timeLimit(.minutes(1)))
struct GridEventStatsTests {
  static func fact(_ grid: String, _ address: String, _ time: String, category: String = "environment", onTime: Bool? = nil)
    -> GridEventStats.Fact
  {
    GridEventStats.Fact(
      gridCode: grid,
      gridPath: "/D01/S01/C01/\(grid)/",
      category: category,
      outcome: "reported",
      address: address,
      reportedAt: at(time),
      selfHandled: false,
      onTime: onTime
    )
  }

  static let units = [
    GridEventStats.Unit(code: "S01", kind: "street", path: "/D01/S01/"),
    GridEventStats.Unit(code: "C01", kind: "community", path: "/D01/S01/C01/"),
    GridEventStats.Unit(code: "G01", kind: "grid", path: "/D01/S01/C01/G01/"),
    GridEventStats.Unit(code: "G02", kind: "grid", path: "/D01/S01/C01/G02/"),
  ]

  @Test("a repeat location needs 3 events at one address within 30 days; units without events have no row; on-time counts routed ones")
  func repeatsAndRows() {
    let facts = [
      Self.fact("G01", "Elm 3", "2026-03-02 10:00"), Self.fact("G01", "Elm 3", "2026-03-20 10:00"),
      Self.fact("G01", "Elm 3", "2026-04-05 10:00"),  // 34 days after the first: only 2 in any 30 days so far
      Self.fact("G01", "Elm 3", "2026-04-06 10:00", onTime: true), Self.fact("G01", "Elm 9", "2026-03-02 10:00", onTime: false),
    ]
    let stats = GridEventStats(facts: facts, units: Self.units, from: day("2026-03-02"), to: day("2026-04-12"), calendar: china)
    #expect(stats.repeats.map { "\($0.gridCode) \($0.address) \($0.events)" } == ["G01 Elm 3 3"])
    #expect(stats.rows.map(\.unit.code) == ["G01", "C01", "S01"])
    #expect(stats.rows[0].handledAfterRouting == 2 && stats.rows[0].handledOnTime == 1 && stats.rows[0].onTimeRate == 0.5)
    #expect(stats.weeks.count == 6 && stats.weeks.first?.start == day("2026-03-02") && stats.weeks.map(\.events).reduce(0, +) == 5)
    #expect(stats.weeks[1].change == -2)
  }

  @Test("the address's grid is the longest matching prefix")
  func addressMatch() {
    let prefixes = [(grid: "G01", prefix: "Elm Street"), (grid: "G02", prefix: "Elm Street 12"), (grid: "G03", prefix: "Oak")]
    #expect(GridAddressMatch.grid(for: "Elm Street 12, flat 3", prefixes: prefixes) == "G02")
    #expect(GridAddressMatch.grid(for: "Elm Street 4", prefixes: prefixes) == "G01")
    #expect(GridAddressMatch.grid(for: "Pine 1", prefixes: prefixes) == nil)
  }
}
