/// The routing table of citizens' requests: per category, the lowest tier able to handle it,
/// each tier's working-day limit and the district department at the top. Data, edited by an
/// admin through UpdateRoutingTable and versioned like the catalogue (one live version).
public struct RoutingTable: Sendable, Hashable, Codable {
  /// One category's route.
  public struct Route: Sendable, Hashable, Codable {
    /// The category code ("neighbourhood-noise", "heating", …).
    public var category: String
    public var name: String
    /// The lowest tier able to handle it; tiers below are skipped.
    public var lowestTier: RequestTier
    /// Working days each tier has, for every tier from `lowestTier` up.
    public var workingDays: [RequestTier: Int]
    /// The district department that is the top tier (a unit code).
    public var department: String
    /// The community access-list item a request of this category counts as (docs/ACCESS.md);
    /// nil: the kind's own, `CITIZEN-REQUEST`.
    public var accessItemCode: String?

    public init(
      category: String,
      name: String,
      lowestTier: RequestTier,
      workingDays: [RequestTier: Int],
      department: String,
      accessItemCode: String? = nil
    ) {
      self.category = category
      self.name = name
      self.lowestTier = lowestTier
      self.workingDays = workingDays
      self.department = department
      self.accessItemCode = accessItemCode
    }
  }

  public var routes: [Route]

  public init(routes: [Route]) { self.routes = routes }

  public func route(for category: String) -> Route? { self.routes.first { $0.category == category } }

  /// Checks every route: a category code, unique; a name; a department; a limit of 1…60
  /// working days for every tier from the lowest up, and none below it.
  /// Errors name the field as the request spells it (`routes[2].working_days`).
  public func validate() throws(DomainError) {
    var seen: Set<String> = []
    for (index, route) in self.routes.enumerated() {
      let field = "routes[\(index)]"
      guard !route.category.isEmpty, route.category.count <= 64,
        route.category.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
      else { throw .invalidField("\(field).category", "must be 1–64 letters, digits, '-' or '_'") }
      guard seen.insert(route.category).inserted else { throw .invalidField("\(field).category", "\(route.category) is listed twice") }
      guard !route.name.allSatisfy(\.isWhitespace) else { throw .invalidField("\(field).name", "must not be empty") }
      guard !route.department.isEmpty else { throw .invalidField("\(field).department_code", "must not be empty") }
      for tier in RequestTier.allCases {
        let days = route.workingDays[tier]
        if tier < route.lowestTier {
          guard days == nil else {
            throw .invalidField("\(field).working_days", "has \(tier.rawValue), below the lowest tier \(route.lowestTier.rawValue)")
          }
        } else {
          guard let days, (1...60).contains(days) else {
            throw .invalidField(
              "\(field).working_days",
              "\(tier.rawValue) must be 1–60 working days, got \(days.map(String.init) ?? "none")"
            )
          }
        }
      }
    }
  }
}
