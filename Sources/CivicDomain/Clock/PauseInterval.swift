/// Why a clock stopped running.
public enum PauseReason: String, Sendable, Hashable, Codable {
  /// 补正: waiting for the applicant to supply materials.
  case awaitingSupplement
  /// 听证: a hearing the law requires.
  case hearing
  /// 检验、检测、鉴定、专家评审: technical review the law excludes from the limit.
  case technicalReview
  /// The applicant asked to suspend.
  case applicantRequest
}

/// A span during which a clock does not count, with why and who caused it.
public struct PauseInterval: Sendable, Hashable, Codable {
  public let start: Instant
  /// Nil while the pause is still open.
  public internal(set) var end: Instant?
  public let reason: PauseReason
  public let causedBy: Party

  public init(start: Instant, end: Instant? = nil, reason: PauseReason, causedBy: Party) {
    self.start = start
    self.end = end
    self.reason = reason
    self.causedBy = causedBy
  }
}

/// Working time added to a clock's limit, approved by a supervisor (延期).
public struct ClockExtension: Sendable, Hashable, Codable {
  public let added: WorkingLimit
  public let reason: String
  public let requestedBy: Party
  public let approvedBy: StaffID
  public let approvedAt: Instant

  public init(added: WorkingLimit, reason: String, requestedBy: Party, approvedBy: StaffID, approvedAt: Instant) {
    self.added = added
    self.reason = reason
    self.requestedBy = requestedBy
    self.approvedBy = approvedBy
    self.approvedAt = approvedAt
  }
}
