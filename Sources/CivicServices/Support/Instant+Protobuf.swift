import CivicDomain
import Foundation
import SwiftProtobuf

extension Instant {
  static var now: Instant { Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970)) }

  var timestamp: Google_Protobuf_Timestamp { Google_Protobuf_Timestamp(seconds: Int64(self.secondsSinceEpoch), nanos: 0) }

  init(_ timestamp: Google_Protobuf_Timestamp) { self.init(secondsSinceEpoch: Int(timestamp.seconds)) }
}

extension Date {
  var timestamp: Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(seconds: Int64(self.timeIntervalSince1970.rounded(.down)), nanos: 0)
  }
}
