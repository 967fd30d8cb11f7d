/// The tiers a request climbs, from routing data: pure, so the ladder is tested without a database.
public enum RequestLadder {
  /// One tier of a request's ladder: the unit holding it there and its working-day limit.
  public struct Step: Sendable, Hashable, Codable {
    public var tier: RequestTier
    public var unit: UnitID
    public var workingDays: Int

    public init(tier: RequestTier, unit: UnitID, workingDays: Int) {
      self.tier = tier
      self.unit = unit
      self.workingDays = workingDays
    }
  }

  /// The ladder of a request of `route`'s category arising at a place whose territorial units
  /// are `places` (its grid, community and street, as far as the place has them: a request
  /// filed at a community has no grid). It starts at the route's lowest tier, skips tiers the
  /// place has no unit for, and ends at the route's district department.
  public static func build(route: RoutingTable.Route, places: [RequestTier: UnitID]) -> [Step] {
    var steps: [Step] = []
    for tier in RequestTier.allCases where tier >= route.lowestTier {
      guard let days = route.workingDays[tier] else { continue }
      if tier == .district {
        steps.append(Step(tier: tier, unit: UnitID(route.department), workingDays: days))
      } else if let unit = places[tier] {
        steps.append(Step(tier: tier, unit: unit, workingDays: days))
      }
    }
    return steps
  }

  /// What a citizen's rejection of a reply does.
  public enum AfterRejection: Sendable, Hashable {
    /// The same tier answers again, on a fresh clock (the first rejection there).
    case reopen
    /// The tier already answered twice: the next tier takes it.
    case escalate
    /// The top tier already answered twice: closed unresolved.
    case closeUnresolved
  }

  /// A rejection at ladder `stage` (0-based) of `tiers`, whose tier has been opened `openings` times.
  public static func afterRejection(stage: Int, openings: Int, tiers: Int) -> AfterRejection {
    if openings <= 1 { return .reopen }
    return stage + 1 < tiers ? .escalate : .closeUnresolved
  }
}
