package import NIOCore

/// Follows gRPC's length-prefixed messages (1 flag byte, 4 length bytes, the message)
/// across the DATA frames of one request stream and reports the first message whose
/// declared length is over the limit, before its bytes are buffered.
package struct GRPCMessageLengthScanner: Sendable {
  /// The largest message length accepted, in bytes.
  package let limit: Int
  /// Bytes of the current 5-byte prefix read so far.
  private var prefix: [UInt8] = []
  /// Bytes of the current message still to skip.
  private var remaining: Int = 0

  package init(limit: Int) {
    self.limit = limit
    self.prefix.reserveCapacity(5)
  }

  /// Scans the next chunk of the stream; returns the declared length of a message over the
  /// limit if one starts in it. After that the scanner's position is meaningless.
  package mutating func scan(_ chunk: ByteBuffer) -> Int? {
    var index = chunk.readerIndex
    let end = chunk.writerIndex
    while index < end {
      if self.remaining > 0 {
        let skipped = min(self.remaining, end - index)
        index += skipped
        self.remaining -= skipped
        continue
      }
      self.prefix.append(chunk.getInteger(at: index, as: UInt8.self)!)
      index += 1
      guard self.prefix.count == 5 else { continue }
      let length = self.prefix[1...4].reduce(0) { ($0 << 8) | Int($1) }
      self.prefix.removeAll(keepingCapacity: true)
      if length > self.limit { return length }
      self.remaining = length
    }
    return nil
  }
}
