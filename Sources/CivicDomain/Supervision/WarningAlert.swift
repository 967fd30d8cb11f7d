/// A unit as an alert addresses it: its id, its place in the tree and its code.
public struct AlertUnit: Sendable, Hashable {
  public var id: Int64
  public var path: String
  public var code: String

  public init(id: Int64, path: String, code: String) {
    self.id = id
    self.path = path
    self.code = code
  }
}

/// An alert the warning sweep decided to record: a level change, an urge, or an order
/// proposal for an overdue clock.
public struct WarningAlert: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// A clock changed level.
    case warning
    /// 催办: a clock turned yellow, close to its deadline.
    case urge
    /// A clock went overdue: a supervision order is proposed (announced only when the
    /// proposal is new).
    case orderProposed
  }

  public var kind: Kind
  /// 0 for the case's own clock, else the task's number.
  public var task: Int
  public var unit: AlertUnit
  public var level: WarningLevel
  public var previousLevel: WarningLevel
  public var summary: String
}
