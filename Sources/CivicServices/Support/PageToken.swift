import Foundation
public import GRPCCore

/// Opaque keyset-pagination tokens: the last key of a page, base64url-encoded, so a client
/// cannot mistake them for anything it should build itself.
public enum PageToken {
  public static func encode(_ key: String) -> String {
    Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
  }

  /// The key inside a token; an empty token is the first page (nil).
  public static func decode(_ token: String, field: String = "page_token") throws(RPCError) -> String? {
    if token.isEmpty { return nil }
    let base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8), !key.isEmpty else {
      throw Validation.invalid(field, "is not a token this server issued")
    }
    return key
  }
}
