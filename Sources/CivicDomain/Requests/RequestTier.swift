/// The tiers a citizen's request climbs (群众诉求分级化解), lowest first: the grid, the
/// community (or village), the street (or township), then a district department.
public enum RequestTier: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
  case grid, community, street, district

  public static func < (lhs: RequestTier, rhs: RequestTier) -> Bool {
    Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
  }

  /// The tier a territorial unit of `kind` (as the directory spells it) handles, or nil for
  /// a unit that is no tier of its own (a department, a centre, the district itself).
  public init?(unitKind kind: String) {
    switch kind {
    case "grid": self = .grid
    case "community", "village": self = .community
    case "street", "township": self = .street
    default: return nil
    }
  }
}

/// What a request is (诉求类型); kept apart from rating appeals (申诉复核).
public enum RequestType: String, Sendable, Hashable, Codable, CaseIterable {
  /// 投诉
  case complaint
  /// 求助
  case help
  /// 建议
  case suggestion
  /// 举报
  case report
}

/// Where a request came in.
public enum RequestChannel: String, Sendable, Hashable, Codable, CaseIterable {
  case hotline, online, mobile, gridWorker, window

  /// The case's intake channel (a grid worker's visit is door-to-door).
  public var intakeChannel: IntakeChannel {
    switch self {
    case .hotline: .hotline
    case .online: .online
    case .mobile: .mobile
    case .gridWorker: .doorToDoor
    case .window: .window
    }
  }
}
