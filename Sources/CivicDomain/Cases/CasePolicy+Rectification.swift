extension Identifier where Tag == CaseStateTag {
  /// A rectification opened by a bad rating, not yet handed to its unit.
  public static let opened: CaseState = "opened"
  /// The responsible unit is rectifying, on a working-day clock (default 5 days).
  public static let rectifying: CaseState = "rectifying"
  /// The unit reported its rectification; the return visit (回访) is due.
  public static let awaitingReturnVisit: CaseState = "awaitingReturnVisit"
  /// The return visit was made: the rectification is closed.
  public static let rectified: CaseState = "rectified"
  /// An appeal (申诉复核) was upheld: the rating no longer counts, nothing to rectify.
  public static let voided: CaseState = "voided"
}

extension CasePolicy {
  /// A bad-rating rectification (差评整改), the engine's verbs read as:
  /// `dispatch` hands it to the responsible unit (clock starts), `complete` is the unit's
  /// rectification report, `deliver` is the return visit (回访) that closes it, and `refuse`
  /// voids it when the unit's appeal is upheld. See docs/EVALUATION.md.
  public static let rectification = try! CasePolicy(
    kind: "rectification",
    initial: .opened,
    transitions: [
      (.opened, .dispatch, .rectifying),
      (.rectifying, .complete, .awaitingReturnVisit),
      (.awaitingReturnVisit, .deliver, .rectified),
      (.opened, .refuse, .voided),
      (.rectifying, .refuse, .voided),
      (.awaitingReturnVisit, .refuse, .voided),
    ]
  )
}
