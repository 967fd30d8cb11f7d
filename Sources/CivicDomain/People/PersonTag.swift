/// The groups a resident may be tagged with, each for a period.
///
/// Special groups (特殊人群) and key groups (重点人群) are sensitive: only the roles of the
/// privacy table read them, every read is audited, and the partner feed never carries them.
public enum TagKind: String, Sendable, CaseIterable {
  /// 困难群众: people in difficulty (minimum living allowance and similar).
  case difficulty
  /// 特殊人群, with a sub-type.
  case special
  /// 重点人群, with a sub-type.
  case keyGroup
  /// 流动人口.
  case floating
  case elderlyAlone
  case disabled
  case veteran
  /// 留守儿童.
  case leftBehindMinor

  /// The sub-types a tag of this kind must name; empty when it takes none.
  public var subtypes: [String] {
    switch self {
    case .special: ["communityCorrection", "releasedPrisoner", "drugRehabilitation", "severeMentalIllness"]
    case .keyGroup: ["petitioner", "stabilityRisk", "minorAtRisk"]
    case .difficulty, .floating, .elderlyAlone, .disabled, .veteran, .leftBehindMinor: []
    }
  }

  /// Special and key groups.
  public var isSensitive: Bool { self == .special || self == .keyGroup }
}

/// One tag of a resident, valid from a day to an optional last day.
public struct PersonTag: Sendable, Hashable {
  public var kind: TagKind
  /// One of `kind.subtypes`, or empty when the kind takes none.
  public var subtype: String
  public var validFrom: CivilDate
  /// The last day it applies, or nil while open-ended.
  public var validUntil: CivilDate?
  public var provenance: Provenance

  public init(kind: TagKind, subtype: String, validFrom: CivilDate, validUntil: CivilDate?, provenance: Provenance) {
    self.kind = kind
    self.subtype = subtype
    self.validFrom = validFrom
    self.validUntil = validUntil
    self.provenance = provenance
  }

  /// Whether the tag applies on `day`.
  public func isActive(on day: CivilDate) -> Bool {
    self.validFrom <= day && (self.validUntil.map { day <= $0 } ?? true)
  }

  /// Tags are one per kind, sub-type and first day: the same tag imported twice is one tag.
  public var key: String { "\(self.kind.rawValue)/\(self.subtype)/\(self.validFrom)" }
}
