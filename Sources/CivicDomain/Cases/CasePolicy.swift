public enum CaseStateTag {}
/// A state of a case, named by its kind's policy ("submitted", "inProcessing" …).
public typealias CaseState = Identifier<CaseStateTag>

/// What the engine can do to a case. A kind's policy says in which states each is allowed and
/// which state it leads to; the engine supplies what each verb means (clocks, stages, materials).
public enum CaseAction: String, Sendable, Hashable, Codable, CaseIterable {
  /// 受理: every required material is present.
  case accept
  /// 容缺受理: only waivable materials are missing; they are due by a date.
  case acceptWithMissingMaterials
  /// 不予受理: closes the case with a reason; the clock stops.
  case refuse
  /// 补正: asks the applicant for everything missing at once; the clock pauses.
  case requestSupplement
  /// The applicant supplied what was asked; the clock resumes.
  case supplement
  /// The materials missing at a 容缺 acceptance arrived.
  case supplyMissingMaterials
  /// 分流: the plan's first stage opens as tasks for its units.
  case dispatch
  /// 即办: completed at the window.
  case completeAtWindow
  /// 办结: taken by the engine when the last stage finishes or a stage ends with a denial.
  case complete
  /// The result reached the applicant.
  case deliver
  /// Supervision orders (CasePolicy+SupervisionOrder.swift): the unit acknowledges, replies; the supervisor verifies or escalates.
  case acknowledge, reply, verify, escalate
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

extension Identifier where Tag == CaseStateTag {
  public static let submitted: CaseState = "submitted"
  public static let awaitingSupplement: CaseState = "awaitingSupplement"
  public static let accepted: CaseState = "accepted"
  public static let acceptedPendingMaterials: CaseState = "acceptedPendingMaterials"
  public static let refused: CaseState = "refused"
  public static let inProcessing: CaseState = "inProcessing"
  public static let completed: CaseState = "completed"
  public static let delivered: CaseState = "delivered"
}

extension CasePolicy {
  /// A service application (办件): submitted → accepted / refused / awaiting supplement (补正) /
  /// accepted with missing materials (容缺) → in joint processing → completed (办结) → delivered.
  public static let serviceApplication = try! CasePolicy(
    kind: "serviceApplication",
    initial: .submitted,
    transitions: [
      (.submitted, .accept, .accepted),
      (.submitted, .acceptWithMissingMaterials, .acceptedPendingMaterials),
      (.submitted, .refuse, .refused),
      (.submitted, .requestSupplement, .awaitingSupplement),
      (.awaitingSupplement, .supplement, .submitted),
      (.awaitingSupplement, .refuse, .refused),
      (.acceptedPendingMaterials, .supplyMissingMaterials, .accepted),
      (.inProcessing, .supplyMissingMaterials, .inProcessing),
      (.completed, .supplyMissingMaterials, .completed),
      (.accepted, .dispatch, .inProcessing),
      (.acceptedPendingMaterials, .dispatch, .inProcessing),
      (.accepted, .completeAtWindow, .completed),
      (.inProcessing, .complete, .completed),
      (.completed, .deliver, .delivered),
    ]
  )
}
