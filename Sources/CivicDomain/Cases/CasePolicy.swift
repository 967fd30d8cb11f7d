public enum CaseStateTag {}
/// A state of a case, named by its kind's policy ("submitted", "inProcessing" …).
public typealias CaseState = Identifier<CaseStateTag>

public enum CaseActionTag {}
/// A verb of a kind's policy ("accept", "reply", "report" …). Each kind declares its own verbs
/// beside its table (Kinds/), so a verb means one thing; the engine itself takes only
/// `complete`, when a case's last stage finishes.
public typealias CaseAction = Identifier<CaseActionTag>

extension Identifier where Tag == CaseActionTag {
  /// 办结: taken by the engine when the last stage finishes or a stage ends with a denial.
  public static let complete: CaseAction = "complete"
}

/// A kind of case: its name and its transition table. A new kind is a new table, not a new engine.
public struct CasePolicy: Sendable, Hashable {
  public let kind: String
  public let initial: CaseState
  private let table: [CaseAction: [CaseState: CaseState]]

  /// Throws when the table names the same (state, action) twice.
  public init(kind: String, initial: CaseState, transitions: [(from: CaseState, action: CaseAction, to: CaseState)]) throws(DomainError) {
    var table: [CaseAction: [CaseState: CaseState]] = [:]
    for (index, transition) in transitions.enumerated() {
      guard table[transition.action, default: [:]][transition.from] == nil else {
        throw .invalidField("transitions[\(index)]", "\(transition.action.rawValue) from \(transition.from) is listed twice")
      }
      table[transition.action, default: [:]][transition.from] = transition.to
    }
    self.kind = kind
    self.initial = initial
    self.table = table
  }

  /// Every action the table names, sorted.
  public var actions: [CaseAction] { self.table.keys.sorted() }

  /// The state `action` leads to from `state`, or an error naming the states it needs.
  public func target(of action: CaseAction, from state: CaseState, subject: String) throws(DomainError) -> CaseState {
    let row = self.table[action] ?? [:]
    guard let target = row[state] else {
      throw .illegalState(subject: subject, state: state.rawValue, action: action.rawValue, allowed: row.keys.sorted().map(\.rawValue))
    }
    return target
  }

  public func allows(_ action: CaseAction, from state: CaseState) -> Bool {
    self.table[action]?[state] != nil
  }
}
