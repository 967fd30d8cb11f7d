extension TimelineEvent.Kind {
  /// The event kinds the task lifecycle (`CaseTransition+Tasks.swift`) emits, for any kind.
  public static let taskLifecycleNames: Set<String> = [
    "stageOpened", "taskCreated", "taskClaimed", "taskApproved", "taskDenied", "taskReturned", "taskWithdrawn",
    "taskTransferred", "extensionRequested", "extensionDecided", "clockExtended", "completed", "stateChanged",
  ]

  /// The event's machine name, as stored in `case_events.kind`.
  public var name: String { self.feedDescription.kind }

  /// The event's machine name and one line for people, as the timeline and the feed show them.
  public var feedDescription: (kind: String, summary: String) {
    switch self {
    case .submitted(let item, let channel): return ("submitted", "submitted for \(item) via \(channel.rawValue)")
    case .stateChanged(let from, let to, let action): return ("stateChanged", "\(from) → \(to) (\(action.rawValue))")
    case .supplementRequested(let missing): return ("supplementRequested", "supplement requested: \(missing.joined(separator: ", "))")
    case .materialsProvided(let codes): return ("materialsProvided", "materials provided: \(codes.joined(separator: ", "))")
    case .acceptedWithMissingMaterials(let missing, let dueBy):
      return ("acceptedWithMissingMaterials", "accepted with \(missing.joined(separator: ", ")) missing, due by \(dueBy)")
    case .refused(let reason): return ("refused", "refused: \(reason)")
    case .clockPaused(let reason): return ("clockPaused", "clock paused (\(reason.rawValue))")
    case .clockResumed: return ("clockResumed", "clock resumed")
    case .clockStopped: return ("clockStopped", "clock stopped")
    case .clockExtended(let limit): return ("clockExtended", "clock extended by \(limit)")
    case .stageOpened(let stage): return ("stageOpened", "stage \(stage + 1) opened")
    case .taskCreated(let unit, let limit): return ("taskCreated", "task for \(unit), \(limit)")
    case .taskClaimed(let staff): return ("taskClaimed", "claimed by \(staff)")
    case .taskApproved(let opinion): return ("taskApproved", "approved: \(opinion)")
    case .taskDenied(let opinion): return ("taskDenied", "denied: \(opinion)")
    case .taskReturned(let stage, let reason): return ("taskReturned", "returned to stage \(stage + 1): \(reason)")
    case .taskWithdrawn: return ("taskWithdrawn", "withdrawn")
    case .taskTransferred(let from, let to, let reason): return ("taskTransferred", "transferred from \(from) to \(to): \(reason)")
    case .extensionRequested(let limit, let reason): return ("extensionRequested", "extension of \(limit) requested: \(reason)")
    case .extensionDecided(let approved, let note):
      return ("extensionDecided", "extension \(approved ? "approved" : "rejected")\(note.isEmpty ? "" : ": \(note)")")
    case .completed(let result):
      switch result {
      case .approved: return ("completed", "completed: approved")
      case .denied: return ("completed", "completed: denied")
      }
    case .delivered(let method): return ("delivered", "result delivered by \(method.rawValue)")
    case .returnVisited(let satisfied, let note):
      return ("returnVisited", "return visit: citizen \(satisfied ? "satisfied" : "not satisfied")\(note.isEmpty ? "" : ": \(note)")")
    }
  }
}
