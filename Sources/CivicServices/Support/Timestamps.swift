public import Foundation
public import SwiftProtobuf

extension Google_Protobuf_Timestamp {
  /// From microseconds since 1970 (how the services read `timestamptz` columns exactly).
  public init(micros: Int64) {
    let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    self.init(seconds: seconds, nanos: Int32((micros - seconds * 1_000_000) * 1000))
  }

  /// Microseconds since 1970.
  public var micros: Int64 { self.seconds * 1_000_000 + Int64(self.nanos / 1000) }
}
