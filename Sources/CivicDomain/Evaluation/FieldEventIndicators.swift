/// The field-event indicators of docs/METRICS.md (14–16): events reported, the on-time
/// handling rate of routed events and the share handled on the spot, as functions of gathered
/// facts. An event belongs to its grid (per unit), and so to its community and street (per
/// subtree); facts in the window count when known by `asOf`.
public enum FieldEventIndicators {
  /// One field event as the indicators see it (`field_events`).
  public struct Fact: Sendable, Hashable {
    public let caseID: Int64
    /// The grid's path.
    public let gridPath: String
    public let category: FieldEventCategory
    public let reportedAt: Instant
    /// The handling task's deadline, for a routed event (none for one forwarded to requests).
    public let dueAt: Instant?
    /// When it was handled, on the spot or by the handling unit.
    public let handledAt: Instant?
    /// Handled on the spot by the grid worker (自行处置).
    public let selfHandled: Bool

    public init(
      caseID: Int64, gridPath: String, category: FieldEventCategory, reportedAt: Instant, dueAt: Instant? = nil, handledAt: Instant? = nil,
      selfHandled: Bool = false
    ) {
      self.caseID = caseID
      self.gridPath = gridPath
      self.category = category
      self.reportedAt = reportedAt
      self.dueAt = dueAt
      self.handledAt = handledAt
      self.selfHandled = selfHandled
    }
  }

  /// 14. Events of `selector` reported in `window` (by `asOf`), noted by category.
  public static func reported(_ facts: [Fact], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [DrillRow] {
    facts
      .filter { selector.matches($0.gridPath) && window.contains($0.reportedAt) && $0.reportedAt <= asOf }
      .sorted { $0.caseID < $1.caseID }
      .map { DrillRow(caseID: $0.caseID, counted: true, note: $0.category.rawValue) }
  }

  /// 15. Routed events due in `window`: their deadline is in it and has passed by `asOf`, or
  /// they were handled by `asOf`; counted when handled at or before the deadline.
  public static func onTime(_ facts: [Fact], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [DrillRow] {
    facts
      .filter { selector.matches($0.gridPath) }
      .sorted { $0.caseID < $1.caseID }
      .compactMap { fact in
        guard let due = fact.dueAt, window.contains(due) else { return nil }
        let handled = fact.handledAt.flatMap { $0 <= asOf ? $0 : nil }
        guard due <= asOf || handled != nil else { return nil }
        let onTime = handled.map { $0 <= due } ?? false
        let note = handled.map { $0 <= due ? "handled on time" : "handled late" } ?? "not handled, overdue"
        return DrillRow(caseID: fact.caseID, counted: onTime, note: "\(fact.category.rawValue): \(note)")
      }
  }

  /// 16. Events handled in `window` (by `asOf`); counted when handled on the spot.
  public static func selfHandled(_ facts: [Fact], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [DrillRow] {
    facts
      .filter { fact in
        guard selector.matches(fact.gridPath), let handled = fact.handledAt else { return false }
        return window.contains(handled) && handled <= asOf
      }
      .sorted { $0.caseID < $1.caseID }
      .map { DrillRow(caseID: $0.caseID, counted: $0.selfHandled, note: "\($0.category.rawValue): \($0.selfHandled ? "on the spot" : "by the handling unit")") }
  }
}
