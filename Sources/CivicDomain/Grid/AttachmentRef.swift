/// A file kept elsewhere, referenced by an event (the server stores no blobs).
public struct AttachmentRef: Sendable, Hashable, Codable {
  public var uri: String
  public var sha256: String
  public var size: Int64
  public var mediaType: String

  /// Validates what a client sent; errors name `field` (`attachments[2]`) and the part.
  public init(uri: String, sha256: String, size: Int64, mediaType: String, field: String) throws(DomainError) {
    guard (1...2000).contains(uri.count), uri.hasPrefix("https://") || uri.hasPrefix("s3://"), !uri.contains(where: \.isWhitespace)
    else { throw .invalidField("\(field).uri", "must be an https:// or s3:// URI of at most 2000 characters without spaces") }
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
      throw .invalidField("\(field).sha256", "must be 64 lowercase hex digits")
    }
    guard (1...Int64(Int32.max)).contains(size) else { throw .invalidField("\(field).size", "must be 1 to 2^31-1 bytes, got \(size)") }
    let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
    guard mediaType.count <= 100, parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && !$0.isWhitespace } })
    else { throw .invalidField("\(field).media_type", "must be a media type such as image/jpeg") }
    self.uri = uri
    self.sha256 = sha256
    self.size = size
    self.mediaType = mediaType.lowercased()
  }
}

/// A WGS-84 point.
public struct GeoPoint: Sendable, Hashable, Codable {
  public var latitude: Double
  public var longitude: Double

  public init(latitude: Double, longitude: Double, field: String) throws(DomainError) {
    guard latitude.isFinite, (-90...90).contains(latitude) else {
      throw .invalidField("\(field).latitude", "must be -90 to 90 degrees, got \(latitude)")
    }
    guard longitude.isFinite, (-180...180).contains(longitude) else {
      throw .invalidField("\(field).longitude", "must be -180 to 180 degrees, got \(longitude)")
    }
    self.latitude = latitude
    self.longitude = longitude
  }
}
