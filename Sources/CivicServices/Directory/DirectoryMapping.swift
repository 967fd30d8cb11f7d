import CivicProtos
import CivicRepositories
import SwiftProtobuf

/// Directory records as the API shows them.
enum DirectoryMapping {
  static func message(_ unit: UnitRecord) -> Civicgrid_V1_Unit {
    .with {
      $0.code = unit.code
      $0.name = unit.name
      $0.kind = UnitKind(rawValue: unit.kind)?.proto ?? .unspecified
      $0.parentCode = unit.parentCode
      $0.responsiblePerson = unit.responsiblePerson
      $0.path = String(unit.path.dropFirst().dropLast())
      $0.version = unit.version
      $0.createdAt = Google_Protobuf_Timestamp(micros: unit.createdAtMicros)
    }
  }

  static func message(_ account: AccountRecord) -> Civicgrid_V1_Account {
    .with {
      $0.login = account.login
      $0.displayName = account.displayName
      $0.unitCode = account.unitCode
      $0.roles = account.roles.compactMap { Role(rawValue: $0)?.proto }
      $0.disabled = account.disabled
      $0.version = account.version
      $0.createdAt = Google_Protobuf_Timestamp(micros: account.createdAtMicros)
    }
  }

  static func message(_ token: TokenRecord) -> Civicgrid_V1_Token {
    .with {
      $0.id = token.id
      $0.login = token.login
      $0.label = token.label
      $0.issuedAt = Google_Protobuf_Timestamp(micros: token.issuedAtMicros)
      $0.expiresAt = Google_Protobuf_Timestamp(micros: token.expiresAtMicros)
      if let revoked = token.revokedAtMicros { $0.revokedAt = Google_Protobuf_Timestamp(micros: revoked) }
    }
  }
}
