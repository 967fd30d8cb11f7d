/// What an incoming value does to a field's current value: the trust rule of "collected once".
public enum FieldMerge: Sendable, Hashable {
  /// The field had no value: the incoming one is set.
  case set
  /// The same value: kept, with the provenance of whichever source is more trusted.
  case confirmed(raisesProvenance: Bool)
  /// A different value from a source at least as trusted: it replaces the old one.
  case overwrite(old: String)
  /// A different value from a less trusted source: kept as a pending correction for a clerk,
  /// the current value stays.
  case propose(current: String)

  /// The rule for `incoming` against `current`.
  public static func decide(current: SourcedValue?, incoming: SourcedValue) -> FieldMerge {
    guard let current else { return .set }
    if current.value == incoming.value { return .confirmed(raisesProvenance: incoming.provenance.trust > current.provenance.trust) }
    if incoming.provenance.trust >= current.provenance.trust { return .overwrite(old: current.value) }
    return .propose(current: current.value)
  }
}
