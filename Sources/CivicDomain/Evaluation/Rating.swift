/// A citizen's rating of a case (好差评), given once per case and moment.
public struct Rating: Sendable, Hashable, Codable {
  /// The five levels; the last two are a bad rating (差评).
  public enum Level: String, Sendable, Hashable, Codable, CaseIterable {
    case verySatisfied, satisfied, basicallySatisfied, dissatisfied, veryDissatisfied

    /// Counts as satisfied in the satisfaction rate (docs/METRICS.md, indicator 5).
    public var isSatisfied: Bool { !self.isBad }
    /// Opens a rectification case.
    public var isBad: Bool { self == .dissatisfied || self == .veryDissatisfied }
  }

  /// When in the case's life the rating is given.
  public enum Moment: String, Sendable, Hashable, Codable, CaseIterable {
    /// After the application was accepted (or refused): the window's service.
    case acceptance
    /// After the case was completed: the result and the whole handling.
    case completion
  }

  /// Per-dimension scores 1…5 (efficiency, attitude, convenience); 0 means not given.
  public struct Dimensions: Sendable, Hashable, Codable {
    public var efficiency: Int
    public var attitude: Int
    public var convenience: Int

    public init(efficiency: Int = 0, attitude: Int = 0, convenience: Int = 0) {
      self.efficiency = efficiency
      self.attitude = attitude
      self.convenience = convenience
    }

    /// Throws `invalidField("dimensions.<name>", …)` for a score outside 0…5.
    public func validate() throws(DomainError) {
      for (name, value) in [("efficiency", self.efficiency), ("attitude", self.attitude), ("convenience", self.convenience)] {
        guard (0...5).contains(value) else { throw .invalidField("dimensions.\(name)", "must be 1…5 (0 = not given), got \(value)") }
      }
    }
  }

  public let level: Level
  public let moment: Moment
  public let dimensions: Dimensions
  public let comment: String

  /// Validates the rating's data: dimensions in range, a comment of at most 1,000 characters,
  /// and a comment required with a bad rating (the rectification needs to know what went wrong).
  public init(level: Level, moment: Moment, dimensions: Dimensions = Dimensions(), comment: String) throws(DomainError) {
    try dimensions.validate()
    let comment = comment.trimmingSpaces
    guard comment.count <= 1000 else { throw .invalidField("comment", "must be at most 1000 characters, got \(comment.count)") }
    guard !level.isBad || !comment.isEmpty else { throw .invalidField("comment", "is required with a bad rating (\(level.rawValue))") }
    self.level = level
    self.moment = moment
    self.dimensions = dimensions
    self.comment = comment
  }

  /// Whether a case in `state` (of a service application) can be rated at `moment`.
  public static func canRate(_ moment: Moment, caseState state: CaseState) -> Bool {
    switch moment {
    case .acceptance: return state != .submitted && state != .awaitingSupplement
    case .completion: return state == .completed || state == .delivered
    }
  }
}

extension String {
  var trimmingSpaces: String {
    var text = Substring(self)
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return String(text)
  }
}
