import Synchronization

/// What `RouteEvent` decided inside the case executor's command, kept for the side row and
/// the audit line written later in the same transaction (a retried transaction sets it again).
final class RoutingOutcome: Sendable {
  private let state = Mutex<(version: Int, requestID: Int64?)>((0, nil))

  func set(version: Int, requestID: Int64?) {
    self.state.withLock { $0 = (version, requestID) }
  }

  /// The routing table version acted on, and the request made when the event was forwarded.
  var value: (version: Int, requestID: Int64?) { self.state.withLock { $0 } }

  /// The audit line's words for the command.
  var summary: String {
    let (version, requestID) = self.value
    guard let requestID else { return "routed by event routing version \(version)" }
    return "forwarded as request \(CaseNumber.format(requestID)) by event routing version \(version)"
  }
}
