import CivicDomain

/// The sensitive parts of a person's record, as `Person.unmasked` names them.
public enum SensitivePersonData: String, Sendable, CaseIterable, Comparable {
  case idNumber = "id_number"
  case phone
  case address
  /// Tags of special and key groups (`TagKind.isSensitive`).
  case keyGroupTags = "key_group_tags"

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The privacy table of people's records (docs/PEOPLE.md): which roles may read each
/// sensitive part in full, and only when they say why.
///
/// ID numbers, phones and addresses: clerks (who check identities at the window) and handlers
/// (who decide on applications), the same roles `PersonalDataAccess` lets through the masking
/// step. Key-group tags: handlers, supervisors and grid workers, who follow those groups up;
/// never partners. Everyone gets masked values and no sensitive tags unless they name a
/// purpose; a read that shows anything in full is audited with that purpose.
public enum PersonDataAccess {
  public static let readers: [SensitivePersonData: Set<Role>] = [
    .idNumber: [.clerk, .handler],
    .phone: [.clerk, .handler],
    .address: [.clerk, .handler],
    .keyGroupTags: [.handler, .supervisor, .gridWorker],
  ]

  /// What `principal` sees in full when reading with `purpose` (trimmed; empty: nothing).
  public static func unmasked(for principal: Principal, purpose: String) -> Set<SensitivePersonData> {
    guard !purpose.isEmpty else { return [] }
    return Set(Self.readers.filter { !$0.value.isDisjoint(with: principal.roles) }.keys)
  }
}
