public import CivicProtos

/// What an account may do. An account holds one or more roles; each method's policy
/// names the roles it admits (see `MethodPolicy`).
public enum Role: String, CaseIterable, Sendable, Hashable, Comparable {
  case admin
  case clerk
  case handler
  case supervisor
  case gridWorker = "grid_worker"
  case mediator
  case partner
  case auditor

  /// Every role but the read-only auditor grant: what the district's first administrator
  /// holds, so that every duty can be handed on from it.
  public static let writing: [Role] = Role.allCases.filter { $0 != .auditor }

  public static func < (lhs: Role, rhs: Role) -> Bool { lhs.proto.rawValue < rhs.proto.rawValue }

  public init?(_ proto: Civicgrid_V1_Role) {
    switch proto {
    case .admin: self = .admin
    case .clerk: self = .clerk
    case .handler: self = .handler
    case .supervisor: self = .supervisor
    case .gridWorker: self = .gridWorker
    case .mediator: self = .mediator
    case .partner: self = .partner
    case .auditor: self = .auditor
    case .unspecified, .UNRECOGNIZED: return nil
    }
  }

  public var proto: Civicgrid_V1_Role {
    switch self {
    case .admin: .admin
    case .clerk: .clerk
    case .handler: .handler
    case .supervisor: .supervisor
    case .gridWorker: .gridWorker
    case .mediator: .mediator
    case .partner: .partner
    case .auditor: .auditor
    }
  }
}
