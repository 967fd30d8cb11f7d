/// Why a domain operation was refused.
///
/// Messages name the field or the current state, so that a service adapter can map the
/// case to INVALID_ARGUMENT, FAILED_PRECONDITION, ABORTED, NOT_FOUND, ALREADY_EXISTS,
/// PERMISSION_DENIED or RESOURCE_EXHAUSTED and pass the message on.
public enum DomainError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A value is malformed or out of range: (field, what is wrong).
  case invalidField(String, String)
  /// The subject is in a state that does not allow the action: (subject, state, action, allowed states).
  case illegalState(subject: String, state: String, action: String, allowed: [String])
  /// A command carried a version that is no longer current.
  case staleVersion(subject: String, expected: Int, current: Int)
  /// Something referenced does not exist: (subject).
  case notFound(String)
  /// The calendar has no working time left to count (for example every day is a holiday).
  case noWorkingTime(jurisdiction: String)
  /// A rule of the domain forbids the action: (subject, why).
  case precondition(String, String)
  /// Something with this key exists already: (subject, e.g. "code: unit 'S01'").
  case alreadyExists(String)
  /// The caller may not do this here; the message says why (a role, a unit outside its scope).
  case permissionDenied(String)
  /// A concurrent request got there first; retrying answers its result: (what happened).
  case conflict(String)
  /// A limited resource (a slot's places) is used up: (what, and what to do instead).
  case capacityExhausted(String)

  public var description: String {
    switch self {
    case .invalidField(let field, let problem):
      return "\(field): \(problem)"
    case .illegalState(let subject, let state, let action, let allowed):
      let needs = allowed.isEmpty ? "is not allowed for this kind" : "needs state \(allowed.joined(separator: " or "))"
      return "\(subject) is \(state); \(action) \(needs)"
    case .staleVersion(let subject, let expected, let current):
      return "\(subject) is at version \(current), not \(expected); reload and retry"
    case .notFound(let subject):
      return "\(subject) not found"
    case .noWorkingTime(let jurisdiction):
      return "calendar \(jurisdiction) has no working time within ten years"
    case .precondition(let subject, let why):
      return "\(subject): \(why)"
    case .alreadyExists(let subject):
      return "\(subject) already exists"
    case .permissionDenied(let why), .conflict(let why), .capacityExhausted(let why):
      return why
    }
  }
}
