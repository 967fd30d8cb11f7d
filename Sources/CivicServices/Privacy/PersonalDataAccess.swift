public import CivicDomain
import Foundation

/// The one rule of who sees personal data in full (docs/SECURITY.md, "Personal data"), as a
/// table of roles and where each needs it.
///
/// Clerks take applications in at the window and check the applicant's identity, and
/// handlers decide on them: they see ID numbers, phone numbers and addresses in full
/// everywhere. Mediators identify the parties they bring together, so they see the parties of
/// a dispute in full, in the Disputes service's answers only (a dispute, a list of them, the
/// weekly agenda), and masked everywhere else. Every other role sees them masked: admins,
/// supervisors, grid workers and auditors manage or oversee the work and need no identities,
/// and a partner that submitted or booked for an applicant already has the data, so an answer
/// never hands it out again (a leaked partner token then yields no identity numbers). An
/// account with several roles sees what its most trusted role sees. A call without a caller
/// (a public method) sees masked data.
public enum PersonalDataAccess {
  /// Where a role sees personal data in full.
  public enum Reach: Sendable, Hashable {
    /// In every answer.
    case everywhere
    /// In answers of these message types (full proto names) only.
    case messages(Set<String>)
  }

  /// The table: a role not listed sees personal data masked everywhere.
  public static let unmasked: [Role: Reach] = [
    .clerk: .everywhere,
    .handler: .everywhere,
    .mediator: .messages(["civicgrid.v1.Dispute", "civicgrid.v1.ListDisputesResponse", "civicgrid.v1.Agenda"]),
  ]

  /// The roles that see personal data in full everywhere.
  public static var fullAccessRoles: Set<Role> { Set(Self.unmasked.filter { $0.value == .everywhere }.keys) }

  /// True when `principal` sees personal data unmasked in an answer of type `message` (a full
  /// proto name), or everywhere when `message` is nil.
  public static func seesPersonalData(_ principal: Principal?, in message: String? = nil) -> Bool {
    guard let principal else { return false }
    return principal.roles.contains { role in
      switch Self.unmasked[role] {
      case .everywhere: true
      case .messages(let names): message.map(names.contains) ?? false
      case nil: false
      }
    }
  }
}

extension PersonalDataAccess {
  /// Refuses a search value shaped like an ID number (15 or 18 characters: digits, the
  /// last one also 'X') from a caller who sees ID numbers masked: whether a full number
  /// has cases would tell such a caller what it may not see. Queries then match such a
  /// caller's value against names only, so no other shape can probe numbers either.
  ///
  /// - Throws: PERMISSION_DENIED naming `field`.
  public static func refuseIDNumberSearch(_ value: String, field: String) throws(DomainError) {
    let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
    let utf8 = Array(trimmed.utf8)
    guard utf8.count == 15 || utf8.count == 18,
      utf8.dropLast().allSatisfy({ (0x30...0x39).contains($0) }),
      let last = utf8.last, (0x30...0x39).contains(last) || last == 0x58 || last == 0x78
    else { return }
    throw .permissionDenied("\(field): searching by ID number requires a role that sees ID numbers (clerk or handler); search by name")
  }
}
