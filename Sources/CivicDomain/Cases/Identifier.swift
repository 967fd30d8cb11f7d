/// A typed identifier, so that a unit id cannot be passed where a staff id is expected.
public struct Identifier<Tag>: Sendable, Hashable, Codable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
  public let rawValue: String

  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
  public var description: String { self.rawValue }

  /// Encoded as a bare string, as it is stored and sent.
  public init(from decoder: any Decoder) throws {
    self.rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(self.rawValue)
  }
}

public enum UnitTag {}
public enum StaffTag {}
public enum CaseTag {}

/// An org unit: a department, township, community, centre …
public typealias UnitID = Identifier<UnitTag>
/// A member of staff: clerk, handler, supervisor …
public typealias StaffID = Identifier<StaffTag>
public typealias CaseID = Identifier<CaseTag>

/// Who did something or caused it: the applicant, a member of staff of a unit, or the system.
public enum Party: Sendable, Hashable, Codable, CustomStringConvertible {
  case applicant
  case staff(StaffID, unit: UnitID)
  case system

  public var description: String {
    switch self {
    case .applicant: return "applicant"
    case .staff(let staff, let unit): return "\(staff)@\(unit)"
    case .system: return "system"
    }
  }
}
