/// Where events of each category go (docs/GRID.md): the tier that handles them at the
/// event's place (its community or street) or a district department, on a working-day limit,
/// or hours when urgent; how often a self-handled one is checked; or, for requests and
/// dispute leads, the Requests intake. Versioned data, edited by an admin.
public struct EventRoutingTable: Sendable, Hashable, Codable {
  public struct Route: Sendable, Hashable, Codable {
    public var category: FieldEventCategory
    /// community, street or district.
    public var tier: RequestTier
    /// The department for tier district; empty otherwise.
    public var department: String
    public var workingDays: Int
    public var urgentHours: Int
    /// Every `checkOneIn`-th self-handled event of the category is checked; 0 = none.
    public var checkOneIn: Int
    /// Non-empty: the event becomes a citizen's request of this requests category.
    public var requestCategory: String
    /// The community access-list item an event of this category counts as (docs/ACCESS.md);
    /// nil: the kind's own, `FIELD-EVENT`. Not for a route to requests (the request's route declares its own).
    public var accessItemCode: String?

    public init(
      category: FieldEventCategory,
      tier: RequestTier,
      department: String = "",
      workingDays: Int,
      urgentHours: Int,
      checkOneIn: Int = 0,
      requestCategory: String = "",
      accessItemCode: String? = nil
    ) {
      self.category = category
      self.tier = tier
      self.department = department
      self.workingDays = workingDays
      self.urgentHours = urgentHours
      self.checkOneIn = checkOneIn
      self.requestCategory = requestCategory
      self.accessItemCode = accessItemCode
    }
  }

  /// Where a routed event goes.
  public enum Target: Sendable, Hashable {
    /// A task on `unit` within `limit`.
    case unit(UnitID, limit: WorkingLimit)
    /// A citizen's request of this requests category.
    case requests(category: String)
  }

  public var routes: [Route]
  /// Minutes an urgent alert may stay unacknowledged before it escalates.
  public var acknowledgeMinutes: Int

  public init(routes: [Route], acknowledgeMinutes: Int) {
    self.routes = routes
    self.acknowledgeMinutes = acknowledgeMinutes
  }

  public func route(for category: FieldEventCategory) -> Route? { self.routes.first { $0.category == category } }

  /// Checks every route; errors name the field as the request spells it (`routes[2].urgent_hours`).
  public func validate() throws(DomainError) {
    guard (1...240).contains(self.acknowledgeMinutes) else {
      throw .invalidField("acknowledge_minutes", "must be 1–240, got \(self.acknowledgeMinutes)")
    }
    var seen: Set<FieldEventCategory> = []
    for (index, route) in self.routes.enumerated() {
      let field = "routes[\(index)]"
      guard seen.insert(route.category).inserted else {
        throw .invalidField("\(field).category", "\(route.category.rawValue) is listed twice")
      }
      guard (0...1000).contains(route.checkOneIn) else {
        throw .invalidField("\(field).check_one_in", "must be 0–1000, got \(route.checkOneIn)")
      }
      if !route.requestCategory.isEmpty {
        guard route.requestCategory.count <= 64,
          route.requestCategory.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw .invalidField("\(field).request_category", "must be 1–64 letters, digits, '-' or '_'") }
        guard route.accessItemCode == nil else {
          throw .invalidField("\(field).access_item_code", "is for routes to a unit; a route to requests counts as its request category's item")
        }
        continue
      }
      switch route.tier {
      case .community, .street:
        guard route.department.isEmpty else {
          throw .invalidField("\(field).department_code", "is only for tier DISTRICT; \(route.tier.rawValue) is the event's own")
        }
      case .district:
        guard !route.department.isEmpty else { throw .invalidField("\(field).department_code", "is required for tier DISTRICT") }
      case .grid:
        throw .invalidField("\(field).tier", "must be COMMUNITY, STREET or DISTRICT (the grid handles events on the spot)")
      }
      guard (1...60).contains(route.workingDays) else {
        throw .invalidField("\(field).working_days", "must be 1–60, got \(route.workingDays)")
      }
      guard (1...72).contains(route.urgentHours) else {
        throw .invalidField("\(field).urgent_hours", "must be 1–72, got \(route.urgentHours)")
      }
    }
  }
}

extension EventRoutingTable.Route {
  /// Where an event of this route found at `places` (its grid's community and street) goes;
  /// nil when the place has no unit of the route's tier.
  public func target(places: [RequestTier: UnitID], urgent: Bool) -> EventRoutingTable.Target? {
    if !self.requestCategory.isEmpty { return .requests(category: self.requestCategory) }
    let unit = self.tier == .district ? UnitID(self.department) : places[self.tier]
    guard let unit else { return nil }
    return .unit(unit, limit: urgent ? .workingHours(self.urgentHours) : .workingDays(self.workingDays))
  }

  /// Whether the `ordinal`-th self-handled event of the category (from 1) is checked by the street.
  public func checks(ordinal: Int) -> Bool { self.checkOneIn > 0 && ordinal % self.checkOneIn == 0 }
}
