/// Every kind of case the engine runs. Adding a kind is one line here (docs/CASES.md).
public enum CaseKinds {
  public static let all: [any CaseKind] = [
    ServiceApplicationKind.serviceApplication,
    OrderKind.supervisionOrder,
    OrderKind.inspectionFinding,
    RectificationKind.rectification,
    DisputeKind.dispute,
    CitizenRequestKind.citizenRequest,
    FieldEventKind.fieldEvent,
  ]

  private static let byName: [String: any CaseKind] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The kind stored as `name`, or nil for a name no kind has.
  public static func named(_ name: String) -> (any CaseKind)? { self.byName[name] }

  /// Whether a case of kind `name` in `state` is still open; a case of an unknown kind stays
  /// open, so it is never silently dropped from the open-case indexes.
  public static func isOpen(kind name: String, state: CaseState) -> Bool {
    self.named(name)?.isOpen(state) ?? true
  }

  /// Whether an overdue clock of a case of kind `name` gets an order proposed; an unknown
  /// kind's does, so an overdue case is never silently left unpressed.
  public static func proposesOrders(kind name: String) -> Bool {
    self.named(name)?.proposesOrders ?? true
  }

  /// Whether a case of kind `name` may have a command applied when a clock runs out
  /// (`OverdueCommandingKind`); an unknown kind has no commands, so none.
  public static func givesOverdueCommands(kind name: String) -> Bool {
    self.named(name) is any OverdueCommandingKind
  }

  /// The names of the kinds whose cases count as `contribution`.
  public static func names(contributing contribution: IndicatorContribution) -> [String] {
    self.all.filter { $0.indicators == contribution }.map(\.name)
  }
}
