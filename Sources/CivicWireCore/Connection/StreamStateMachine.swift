/// The per-stream rules of docs/PROTOCOL.md section 3.2: which frames a stream may
/// receive in which state. Pure: the connection handlers feed it frame types and act on
/// the answer.
struct StreamStateMachine: Sendable, Hashable {
  enum Role: Sendable, Hashable {
    case client
    case server
  }

  /// A frame the state does not allow; the stream fails with INTERNAL.
  struct Violation: Error, Hashable {
    var message: String
  }

  /// What a received frame did to the stream.
  enum Transition: Sendable, Hashable {
    /// Nothing changed beyond accepting the frame.
    case accepted
    /// The peer will send no more messages (HALF_CLOSE on the server).
    case remoteHalfClosed
    /// The stream is over (TRAILERS or CANCEL).
    case closed
  }

  let role: Role
  private(set) var remoteHalfClosed = false
  private(set) var isClosed = false
  private var receivedLeadingHeaders = false
  private var receivedMessage = false

  init(role: Role) {
    self.role = role
  }

  mutating func receive(_ type: FrameType) -> Result<Transition, Violation> {
    guard !self.isClosed else { return .failure(Violation(message: "\(type) on a closed stream")) }
    switch (self.role, type) {
    case (.server, .message):
      guard !self.remoteHalfClosed else { return .failure(Violation(message: "MESSAGE after HALF_CLOSE")) }
      return .success(.accepted)
    case (.server, .halfClose):
      guard !self.remoteHalfClosed else { return .failure(Violation(message: "second HALF_CLOSE")) }
      self.remoteHalfClosed = true
      return .success(.remoteHalfClosed)
    case (.server, .headers):
      return .failure(Violation(message: "second HEADERS from the client"))
    case (.server, .trailers):
      return .failure(Violation(message: "TRAILERS from the client"))

    case (.client, .headers):
      guard !self.receivedLeadingHeaders, !self.receivedMessage else {
        return .failure(Violation(message: "HEADERS after HEADERS or MESSAGE from the server"))
      }
      self.receivedLeadingHeaders = true
      return .success(.accepted)
    case (.client, .message):
      self.receivedMessage = true
      return .success(.accepted)
    case (.client, .trailers):
      self.isClosed = true
      return .success(.closed)
    case (.client, .halfClose):
      return .failure(Violation(message: "HALF_CLOSE from the server"))

    case (_, .cancel):
      self.isClosed = true
      return .success(.closed)
    case (_, .windowUpdate):
      return .success(.accepted)
    case (_, .settings), (_, .ping), (_, .goAway):
      return .failure(Violation(message: "\(type) is a connection frame"))
    }
  }

  /// We ended the stream (sent TRAILERS or CANCEL).
  mutating func close() {
    self.isClosed = true
  }
}
