/// One person of a grid's team (网格员, 协管员, 志愿者) and what its published card shows.
public struct GridStaff: Sendable, Hashable, Codable {
  public enum Role: String, Sendable, Hashable, Codable, CaseIterable { case worker, assistant, volunteer }

  public var login: String
  public var name: String
  public var role: Role
  public var phone: String
  public var photoURI: String
  public var dutyHours: String
  public var published: Bool

  /// Validates one entry; errors name `field` (`staff[1]`) and the part.
  public init(
    login: String,
    name: String,
    role: Role,
    phone: String,
    photoURI: String,
    dutyHours: String,
    published: Bool,
    field: String
  ) throws(DomainError) {
    guard !name.allSatisfy(\.isWhitespace), name.count <= 100 else { throw .invalidField("\(field).name", "must be 1–100 characters") }
    if !phone.isEmpty {
      let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
      guard (5...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        throw .invalidField("\(field).duty_number", "must be 5–20 digits with an optional leading +")
      }
    }
    if published, phone.isEmpty { throw .invalidField("\(field).duty_number", "is required on a published card") }
    if !photoURI.isEmpty {
      guard photoURI.count <= 2000, photoURI.hasPrefix("https://") || photoURI.hasPrefix("s3://"), !photoURI.contains(where: \.isWhitespace)
      else { throw .invalidField("\(field).photo_uri", "must be an https:// or s3:// URI without spaces") }
    }
    guard dutyHours.count <= 100 else { throw .invalidField("\(field).duty_hours", "must be at most 100 characters") }
    self.login = login
    self.name = name
    self.role = role
    self.phone = phone
    self.photoURI = photoURI
    self.dutyHours = dutyHours
    self.published = published
  }
}

/// The grid covering `address`: the one whose prefix is the longest that `address` starts with.
public enum GridAddressMatch {
  public static func grid(for address: String, prefixes: [(grid: String, prefix: String)]) -> String? {
    prefixes.filter { address.hasPrefix($0.prefix) }.max { $0.prefix.count < $1.prefix.count }?.grid
  }
}
