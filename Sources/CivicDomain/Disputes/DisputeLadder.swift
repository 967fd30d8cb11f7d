/// The escalation ladder of a district (e.g. community → street → district centre → court
/// link), kept as data: rung 1 is the lowest. A failed round moves a dispute one rung up; at the
/// top it stays there (the new review then chooses judicial channels or closes it).
public struct DisputeLadder: Sendable, Hashable {
  /// The rungs' names, lowest first; never empty.
  public let rungs: [String]

  public init(rungs: [String]) throws(DomainError) {
    guard !rungs.isEmpty else { throw .invalidField("rungs", "a ladder needs at least one rung") }
    self.rungs = rungs
  }

  /// The ladder a district without one of its own uses.
  public static let standard = try! DisputeLadder(rungs: ["community", "street", "district centre", "court link"])

  /// The rung a failed round at `level` escalates to.
  public func escalation(from level: Int) -> Int { min(max(level, 1) + 1, self.rungs.count) }

  /// The name of rung `level` (clamped to the ladder).
  public func name(of level: Int) -> String { self.rungs[min(max(level, 1), self.rungs.count) - 1] }
}
