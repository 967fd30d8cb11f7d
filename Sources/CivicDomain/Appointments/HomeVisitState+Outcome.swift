/// How a home visit ends: done by its assignee, or cancelled before it is done.
extension HomeVisitState {
  /// An assigned visit is done.
  public func finish() throws(DomainError) -> HomeVisitState {
    guard self == .assigned else {
      throw .illegalState(subject: "home visit", state: self.rawValue, action: "finish", allowed: [Self.assigned.rawValue])
    }
    return .done
  }

  /// A requested or assigned visit is cancelled.
  public func cancel() throws(DomainError) -> HomeVisitState {
    guard self == .requested || self == .assigned else {
      throw .illegalState(
        subject: "home visit",
        state: self.rawValue,
        action: "cancel",
        allowed: [Self.requested.rawValue, Self.assigned.rawValue]
      )
    }
    return .cancelled
  }
}
