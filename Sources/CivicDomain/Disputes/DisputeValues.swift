/// The vocabulary of disputes and first letters/visits (docs/DISPUTES.md): what was taken in,
/// how, who is involved, how risky it is, where it is sent and how each channel and the whole
/// dispute ended. Stored by their raw values.
public enum DisputeType: String, Sendable, Hashable, Codable, CaseIterable {
  /// 矛盾纠纷, with a category.
  case dispute
  /// 初信.
  case firstLetter
  /// 初访.
  case firstVisit
  /// 法律援助申请.
  case legalAid
}

/// What a dispute (type `dispute`) is about.
public enum DisputeCategory: String, Sendable, Hashable, Codable, CaseIterable {
  case neighbourhood, family, property, labour, land, other
}

/// The one door a dispute came in by.
public enum DisputeIntake: String, Sendable, Hashable, Codable, CaseIterable {
  case window
  /// A grid worker on behalf of residents.
  case gridWorker
  case hotline
  /// A partner system (with an idempotency key).
  case partner

  /// The engine's intake channel the case records (the dispute's own row keeps this value).
  public var caseChannel: IntakeChannel {
    switch self {
    case .window: .window
    case .gridWorker: .doorToDoor
    case .hotline: .hotline
    case .partner: .online
    }
  }
}

public enum PartyRole: String, Sendable, Hashable, Codable, CaseIterable {
  case applicant, respondent, thirdParty
}

/// The joint review's assessment, lowest first.
public enum RiskLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
  case low, medium, high, major

  public static func < (lhs: Self, rhs: Self) -> Bool {
    Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
  }
}

/// Where a review sends a dispute (多元化解).
public enum ResolutionChannel: String, Sendable, Hashable, Codable, CaseIterable {
  /// 人民调解: a mediation committee or a social organisation.
  case peoplesMediation
  /// 行政调解: a department.
  case administrativeMediation
  /// 司法调解 / the litigation-mediation link.
  case judicialMediation
  case legalAid
  case directHandling
}

/// How one channel ended.
public enum ChannelOutcome: String, Sendable, Hashable, Codable, CaseIterable {
  /// An agreement with its terms.
  case agreement
  /// Part of the dispute settled, with terms.
  case partial
  case failed
  case withdrawn

  /// Whether the outcome settles something (its task is approved, and it can be followed up).
  public var settles: Bool { self == .agreement || self == .partial }
}

/// How a dispute was closed.
public enum DisputeResult: String, Sendable, Hashable, Codable, CaseIterable {
  case resolved, notResolved, referredOut, withdrawn
}

/// One route of a joint review: a channel at the unit that handles it.
public struct DisputeRoute: Sendable, Hashable, Codable {
  public let channel: ResolutionChannel
  public let unit: UnitID
  /// The route's own working-day limit; nil takes the review's.
  public let limit: WorkingLimit?

  public init(channel: ResolutionChannel, unit: UnitID, limit: WorkingLimit? = nil) {
    self.channel = channel
    self.unit = unit
    self.limit = limit
  }
}

/// The return visit (回访) made when closing: the party's satisfaction and rating 1–5.
public struct DisputeReturnVisit: Sendable, Hashable, Codable {
  public let satisfied: Bool
  public let rating: Int
  public let note: String

  public init(satisfied: Bool, rating: Int, note: String) {
    self.satisfied = satisfied
    self.rating = rating
    self.note = note
  }
}
