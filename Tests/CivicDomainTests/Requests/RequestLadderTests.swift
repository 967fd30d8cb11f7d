import CivicDomain
import Testing

/// The tier ladder and the routing table's validation, as pure functions.
@Suite("Request ladder", .timeLimit(.minutes(1)))
struct RequestLadderTests {
  static let route = RoutingTable.Route(
    category: "noise",
    name: "Neighbourhood noise",
    lowestTier: .grid,
    workingDays: [.grid: 2, .community: 3, .street: 5, .district: 10],
    department: "QH-EP"
  )
  static let places: [RequestTier: UnitID] = [.grid: "G1", .community: "C1", .street: "S1"]

  @Test("from the lowest tier up to the category's department, each tier on its limit")
  func fullLadder() {
    let ladder = RequestLadder.build(route: Self.route, places: Self.places)
    #expect(ladder.map(\.tier) == [.grid, .community, .street, .district])
    #expect(ladder.map(\.unit) == ["G1", "C1", "S1", "QH-EP"])
    #expect(ladder.map(\.workingDays) == [2, 3, 5, 10])
  }

  @Test("a category whose lowest tier is the street skips the grid and the community")
  func higherLowestTier() {
    var route = Self.route
    route.lowestTier = .street
    route.workingDays = [.street: 4, .district: 8]
    #expect(RequestLadder.build(route: route, places: Self.places).map(\.unit) == ["S1", "QH-EP"])
  }

  @Test("a place without a grid (a request filed at a community) starts at the community")
  func missingTier() {
    let ladder = RequestLadder.build(route: Self.route, places: [.community: "C1", .street: "S1"])
    #expect(ladder.map(\.tier) == [.community, .street, .district])
    #expect(RequestLadder.build(route: Self.route, places: [:]).map(\.unit) == ["QH-EP"], "a district unit goes straight to the department")
  }

  @Test(
    "a rejection reopens the tier once, then escalates, and at the top closes unresolved",
    arguments: [
      (0, 1, 3, RequestLadder.AfterRejection.reopen), (0, 2, 3, .escalate), (1, 2, 3, .escalate), (2, 1, 3, .reopen),
      (2, 2, 3, .closeUnresolved),
    ]
  )
  func afterRejection(stage: Int, openings: Int, tiers: Int, expected: RequestLadder.AfterRejection) {
    #expect(RequestLadder.afterRejection(stage: stage, openings: openings, tiers: tiers) == expected)
  }

  @Test("unit kinds map to tiers: village is a community, township a street; departments are none")
  func unitKinds() {
    #expect(RequestTier(unitKind: "grid") == .grid)
    #expect(RequestTier(unitKind: "village") == .community)
    #expect(RequestTier(unitKind: "township") == .street)
    #expect(RequestTier(unitKind: "department") == nil)
    #expect(RequestTier(unitKind: "district") == nil)
  }

  @Test("validation names the route and field: duplicate category, missing tier limit, a limit below the lowest tier, no department")
  func validation() throws {
    try RoutingTable(routes: [Self.route]).validate()
    #expect(throws: DomainError.invalidField("routes[1].category", "noise is listed twice")) {
      try RoutingTable(routes: [Self.route, Self.route]).validate()
    }
    var missing = Self.route
    missing.workingDays[.street] = nil
    #expect(throws: DomainError.invalidField("routes[0].working_days", "street must be 1–60 working days, got none")) {
      try RoutingTable(routes: [missing]).validate()
    }
    var below = Self.route
    below.lowestTier = .community
    #expect(throws: DomainError.invalidField("routes[0].working_days", "has grid, below the lowest tier community")) {
      try RoutingTable(routes: [below]).validate()
    }
    var noDepartment = Self.route
    noDepartment.department = ""
    #expect(throws: DomainError.invalidField("routes[0].department_code", "must not be empty")) {
      try RoutingTable(routes: [noDepartment]).validate()
    }
    var tooLong = Self.route
    tooLong.workingDays[.grid] = 61
    #expect(throws: DomainError.invalidField("routes[0].working_days", "grid must be 1–60 working days, got 61")) {
      try RoutingTable(routes: [tooLong]).validate()
    }
  }
}
