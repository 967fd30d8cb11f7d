public import Crypto
import Foundation

/// Bearer token secrets: 256 random bits, shown once, stored only as their SHA-256.
public enum BearerToken {
  /// Every secret starts with this, so leaked tokens are easy to recognise (and grep for).
  public static let prefix = "cg_"

  /// A fresh secret: `cg_` + 43 base64url characters of 32 bytes from the system CSPRNG.
  public static func generate() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return Self.prefix
      + Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// What the database keeps: SHA-256 of the secret's UTF-8 bytes.
  public static func digest(of secret: String) -> [UInt8] {
    Array(SHA256.hash(data: Array(secret.utf8)))
  }

  /// The secret from an `authorization` metadata value `Bearer <secret>` (scheme
  /// case-insensitive); nil when absent or malformed.
  public static func secret(fromAuthorization value: String) -> String? {
    let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    // Spaces and tabs (not line breaks), as `CharacterSet.whitespaces` would trim, without
    // Foundation's character sets: those cost about 8 µs a call on Linux.
    let blank: (Character) -> Bool = { $0.isWhitespace && !$0.isNewline }
    var trimmed = parts[1].drop(while: blank)
    while let last = trimmed.last, blank(last) { trimmed = trimmed.dropLast() }
    let secret = String(trimmed)
    guard secret.hasPrefix(Self.prefix), (8...256).contains(secret.utf8.count) else { return nil }
    return secret
  }
}
