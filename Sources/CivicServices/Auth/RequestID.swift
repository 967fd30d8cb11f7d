import Foundation
public import GRPCCore

/// A call's request id: the caller's `x-request-id` when it is 1–128 printable ASCII
/// characters, else a fresh UUID. Written to the audit log and to every log line of the call.
public enum RequestID {
  public static func from(_ metadata: Metadata) -> String {
    for case .string(let value) in metadata["x-request-id"] {
      if (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) { return value }
    }
    return UUID().uuidString.lowercased()
  }
}
