/// A kind of case the engine runs: its transition table, its own command type and what each
/// command does, where it ends, what it emits, what it counts for in the indicators and which
/// tables beside `cases` hold what only it has.
///
/// Kinds are values listed once in `CaseKinds.all`; one type may serve several kinds that share
/// their commands (orders and inspection findings). A kind's `apply` uses the task lifecycle of
/// `CaseTransition` (claim, decide, withdraw, open a stage), never task fields directly.
public protocol CaseKind: Sendable {
  associatedtype Command: Sendable & Hashable

  var policy: CasePolicy { get }
  /// The states in which a case of this kind is finished: not open, no longer swept.
  var endStates: Set<CaseState> { get }
  /// The timeline event kinds (`TimelineEvent.Kind.name`) this kind's commands and tasks emit.
  var timelineEvents: Set<String> { get }
  /// What its cases count for in docs/METRICS.md.
  var indicators: IndicatorContribution { get }
  /// Tables beside `cases` that hold what only this kind has, written in the command's transaction.
  var sideTables: [String] { get }
  /// Whether the sweeper proposes a supervision order when one of its clocks runs out
  /// (default true; an order is itself the escalation, so orders say false).
  var proposesOrders: Bool { get }

  /// The policy's action `command` takes.
  func action(of command: Command) -> CaseAction
  /// What `command` does besides moving the state (checks, fields, tasks, clocks, events).
  /// The engine has checked the version and that the policy allows the action now; it moves
  /// the state afterwards.
  func apply(_ command: Command, to change: inout CaseTransition) throws(DomainError)
}

/// What a kind's cases count for in the indicators.
public enum IndicatorContribution: Sendable, Hashable {
  /// Nothing of its own (a rectification counts through its rating).
  case none
  /// Each case is a case fact: acceptance, timeliness, handling time.
  case caseFacts
  /// Each task is a reply its unit owed, due at its clock's deadline.
  case replies
}

extension CaseKind {
  /// The kind's name, as stored in `cases.kind`.
  public var name: String { self.policy.kind }

  public func isOpen(_ state: CaseState) -> Bool { !self.endStates.contains(state) }

  public var proposesOrders: Bool { true }
}

/// A kind whose cases move on their own when a task's clock runs out (a request's tier
/// escalates). The sweeper loads the case of an overdue clock only for such a kind: most
/// overdue clocks (a service application's) are left to warnings and order proposals, and
/// loading each of their cases would cost a day's sweep more than everything else it does.
/// Conforming is the only way to give such a command, so which cases the sweeper loads cannot
/// drift from what the kinds do.
public protocol OverdueCommandingKind: CaseKind {
  /// The command the sweeper applies, as the system, when open task `task`'s clock runs out;
  /// nil leaves that clock to warnings and order proposals.
  func commandOnOverdue(task: CaseTask, of value: Case) -> Command?
}

extension Case {
  /// Applies `command` of `kind` to the case: version, kind and state checks, the kind's
  /// change, then the move along its policy. Every kind's commands go through here.
  public func applying<Kind: CaseKind>(
    _ command: Kind.Command,
    of kind: Kind,
    expectedVersion: Int,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try self.checkVersion(expectedVersion)
    var change = try CaseTransition(self, policy: kind.policy, at: instant, by: party)
    let action = kind.action(of: command)
    _ = try kind.policy.target(of: action, from: self.state, subject: self.subject)
    try kind.apply(command, to: &change)
    try change.move(action)
    return change.finish()
  }
}
