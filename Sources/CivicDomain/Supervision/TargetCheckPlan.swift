/// Which units a target check recomputes (`TargetWatch`, docs/SUPERVISION.md "Target alerts"):
/// pure, so the choice is tested without a database.
///
/// Recomputing every unit's subtree figures on every check is what a check used to cost; now a
/// check recomputes everything only when it must — the first check, a new month, new targets,
/// or the last full check `fullEvery` ago (figures also move with time alone: a deadline
/// passing) — and otherwise only the units above a case that changed since the last check (the
/// case's intake unit and its tasks' units, and every unit whose subtree holds them). With no
/// change it recomputes nothing.
public struct TargetCheckPlan: Sendable, Hashable {
  /// What the last check saw.
  public struct Watermark: Sendable, Hashable {
    /// The month checked (`2026-11`).
    public var period: String
    /// The targets version it held figures to.
    public var targetsVersion: Int
    /// The newest case event it had seen (`case_events.seq`).
    public var eventSequence: Int64
    /// When everything was last recomputed.
    public var fullAt: Instant

    public init(period: String, targetsVersion: Int, eventSequence: Int64, fullAt: Instant) {
      self.period = period
      self.targetsVersion = targetsVersion
      self.eventSequence = eventSequence
      self.fullAt = fullAt
    }
  }

  public enum Scope: Sendable, Hashable {
    /// Nothing changed since the last check: no figures are computed.
    case nothing
    /// Every unit.
    case everything
    /// Only the units whose subtree holds a changed case (paths of units).
    case changedSince(Int64)
  }

  public let scope: Scope
  /// What the next check compares against.
  public let watermark: Watermark

  /// The plan for a check at `now` of `period` under targets `targetsVersion`, the newest case
  /// event being `eventSequence`, after the check that left `previous` (nil: none yet).
  public init(
    previous: Watermark?,
    period: String,
    targetsVersion: Int,
    eventSequence: Int64,
    now: Instant,
    fullEverySeconds: Int
  ) {
    let full =
      previous.map { previous in
        previous.period != period || previous.targetsVersion != targetsVersion
          || now.secondsSinceEpoch - previous.fullAt.secondsSinceEpoch >= fullEverySeconds
          || eventSequence < previous.eventSequence  // a restored database: start again
      } ?? true
    if full {
      self.scope = .everything
    } else if let previous, eventSequence > previous.eventSequence {
      self.scope = .changedSince(previous.eventSequence)
    } else {
      self.scope = .nothing
    }
    self.watermark = Watermark(
      period: period,
      targetsVersion: targetsVersion,
      eventSequence: eventSequence,
      fullAt: full ? now : previous!.fullAt
    )
  }

  /// The units (by path) to recompute when `changed` holds the paths of the units a changed
  /// case touches: each such unit and every unit above it.
  public static func units(_ all: [String], above changed: Set<String>) -> Set<String> {
    Set(all.filter { unit in changed.contains { $0.hasPrefix(unit) } })
  }
}
