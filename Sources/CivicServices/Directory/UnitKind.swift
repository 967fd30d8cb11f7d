public import CivicProtos

/// Unit kinds as the database spells them, and which kind may sit under which.
public enum UnitKind: String, CaseIterable, Sendable {
  case district, street, township, community, village, grid
  case department, centre
  case socialOrganisation = "social_organisation"

  public init?(_ proto: Civicgrid_V1_UnitKind) {
    switch proto {
    case .district: self = .district
    case .street: self = .street
    case .township: self = .township
    case .community: self = .community
    case .village: self = .village
    case .grid: self = .grid
    case .department: self = .department
    case .centre: self = .centre
    case .socialOrganisation: self = .socialOrganisation
    case .unspecified, .UNRECOGNIZED: return nil
    }
  }

  public var proto: Civicgrid_V1_UnitKind {
    switch self {
    case .district: .district
    case .street: .street
    case .township: .township
    case .community: .community
    case .village: .village
    case .grid: .grid
    case .department: .department
    case .centre: .centre
    case .socialOrganisation: .socialOrganisation
    }
  }

  /// The territorial tree is district → street/township → community/village → grid;
  /// departments, service centres and social organisations sit under any territorial
  /// unit above the grid (a district department, a street's service centre, …).
  public func mayBeChild(of parent: UnitKind) -> Bool {
    switch self {
    case .district: false
    case .street, .township: parent == .district
    case .community, .village: parent == .street || parent == .township
    case .grid: parent == .community || parent == .village
    case .department, .centre, .socialOrganisation:
      [.district, .street, .township, .community, .village].contains(parent)
    }
  }
}
