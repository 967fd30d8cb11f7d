/// What a grid worker or a resident's phone reports from the field (网格信息采集).
public enum FieldEventCategory: String, Sendable, Hashable, Codable, CaseIterable {
  /// 安全隐患
  case safetyHazard
  /// 网格+警务
  case publicSecurity
  /// 网格+禁毒
  case drugControl
  /// 网格+城管
  case urbanManagement
  /// 网格+民族宗教
  case ethnicReligious
  /// 困难群众
  case peopleInDifficulty
  case environment
  case facilities
  /// 矛盾纠纷线索: goes into the Requests intake (docs/GRID.md).
  case disputeLead
  case other
  /// A citizen's request (诉求) met in the grid: goes into the Requests intake.
  case citizenRequest

  /// How it reads in timelines and reports.
  public var title: String {
    switch self {
    case .safetyHazard: "safety hazard"
    case .publicSecurity: "public security"
    case .drugControl: "drug control"
    case .urbanManagement: "urban management"
    case .ethnicReligious: "ethnic and religious affairs"
    case .peopleInDifficulty: "people in difficulty"
    case .environment: "environment"
    case .facilities: "facilities"
    case .disputeLead: "dispute lead"
    case .other: "other"
    case .citizenRequest: "citizen's request"
    }
  }
}
