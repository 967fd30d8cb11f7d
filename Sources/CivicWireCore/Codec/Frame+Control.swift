internal import NIOCore
internal import SwiftProtobuf

extension Frame {
  /// Decodes the payload as the control message its type carries; a payload that does not
  /// decode is a connection PROTOCOL_ERROR (docs/PROTOCOL.md, section 2).
  func control<M: SwiftProtobuf.Message>(_ type: M.Type) throws(ConnectionError) -> M {
    do {
      return try M(serializedBytes: Array(self.payload.readableBytesView))
    } catch {
      throw ConnectionError(.protocolError, "\(self.type) payload does not decode as \(M.protoMessageName)")
    }
  }
}
